"""The budget-deviation process (budgetavvikelse), fitted to the region's record of outcome against budget
with a stated prior.

Model (simulator.kernels.costs, stage 4): the deviation of verksamhetens resultat, as a share of taxes
and general grants, is a persistent level, an AR(1) with persistence phi (judgment) whose long-run mean
and sd are ``mean_frac`` and ``volatility_frac``. The record's years are observations of that level,
so they are correlated: x ~ N(mean 1, sd^2 R), R_st = phi^|s - t| (the record's gaps, e.g. the missing
2022, are exact). With W = R^-1, I = 1'W1 (the years' information on the mean), the GLS mean
xbar = 1'Wx / I and the quadratic S = (x - xbar)'W(x - xbar):

- the record alone: mean = xbar, sd^2 = S / (n - 1), se(mean) = sd / sqrt(I), se(sd) = sd / sqrt(2 (n - 1));
- with the prior (normal-inverse-chi^2, conjugate, judgment in calibration/judgment.toml): the mean
  m0 worth k0 years (mean | sd ~ N(m0, sd^2 / k0)), the spread s0 worth v0 years (sd^2 ~ scaled
  inverse chi^2 (v0, s0^2)). The posterior: kn = k0 + I, mn = (k0 m0 + I xbar) / kn, vn = v0 + n,
  vn sn^2 = v0 s0^2 + S + (k0 I / kn)(xbar - m0)^2; the model takes mean = mn and
  sd = sqrt(E[sd^2]) = sn sqrt(vn / (vn - 2)), with se(mean) = sd / sqrt(kn) (the posterior sd of the
  mean) and se(sd) = sd / sqrt(2 (vn - 4)) (the delta method on the posterior of sd^2).

The record is a CSV with a '# record: budget_deviation' line (calibration/data/budget_deviation_record.csv):
year, deviation_msek (outcome minus budget of verksamhetens resultat, positive = better),
tax_and_grants_msek, adjustment_msek (what the model's drivers already carry, added back), what (a note).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, NamedTuple

import numpy as np

from simulator.calibration.data import CalibrationInputError
from simulator.io import safeio

_RECORD = re.compile(r"^#\s*record\s*:\s*budget_deviation\b", re.IGNORECASE)
COLUMNS = ("year", "deviation_msek", "tax_and_grants_msek", "adjustment_msek")


class Prior(NamedTuple):
    """The judgment the fit assumes (calibration/judgment.toml [accounts.budget_deviation])."""

    persistence: float
    mean_frac: float  # m0: the prior's mean of the level
    mean_weight_years: float  # k0: how many independent years the prior mean is worth
    volatility_frac: float  # s0: the prior's spread of the level
    volatility_weight_years: float  # v0: how many years the prior spread is worth (at least 2)
    reasons: dict[str, str]


@dataclass
class DeviationFit:
    years: list[int]
    shares: list[float]  # adjusted deviation / taxes and grants, per year
    persistence: float  # the judgment the fit assumes (and the model uses)
    mean: float  # what the model uses: the posterior with a prior, else the record's own
    sd: float
    se_mean: float
    se_sd: float
    file: str
    record_mean: float  # the record alone (GLS), for comparison and the robustness table
    record_sd: float
    prior: Prior | None = None


def is_record(path: Path) -> bool:
    """Whether a CSV is the budget-deviation record (its header has '# record: budget_deviation')."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            for line in f:
                if not line.startswith("#"):
                    return False
                if _RECORD.match(line):
                    return True
    except (OSError, UnicodeDecodeError):
        return False
    return False


def parse_number(raw: str, where: str, column: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise CalibrationInputError(f"{where}: {column} {raw!r} is not a number (MSEK, e.g. -399.6)") from None
    if not math.isfinite(value) or abs(value) > 1e6:
        raise CalibrationInputError(f"{where}: {column} {raw!r} is outside -1e6..1e6 MSEK")
    return value


def record_rows(path: Path, columns_needed: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str], int]]:
    """The rows of a year-keyed record CSV (this file's and the plan-revision record's): the header
    must name ``columns_needed`` (year first), each row has its fields, a whole year in 1990..2100, once.
    Yields (where, the row's fields by column, year); one-line errors with the line number."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = f.read().splitlines()
    body = [(i + 1, line) for i, line in enumerate(lines) if line.strip() and not line.startswith("#")]
    expected = f"expected {','.join(columns_needed)},what"
    if not body:
        raise CalibrationInputError(f"{path}: no column header; {expected}")
    header_line, header = body[0]
    columns = [c.strip().lower() for c in next(csv.reader([header]))]
    missing = [c for c in columns_needed if c not in columns]
    if missing:
        raise CalibrationInputError(f"{path}, line {header_line}: missing column(s) {', '.join(missing)}; {expected}")
    seen: set[int] = set()
    for number, line in body[1:]:
        row = next(csv.reader([line]))
        where = f"{path}, line {number}"
        if len(row) < len(columns):
            raise CalibrationInputError(f"{where}: {len(row)} fields; expected {len(columns)} ({','.join(columns)})")
        get = {c: row[columns.index(c)].strip() for c in columns_needed}
        try:
            year = int(get["year"])
        except ValueError:
            raise CalibrationInputError(f"{where}: year {get['year']!r} is not a whole number") from None
        if not 1990 <= year <= 2100 or year in seen:
            raise CalibrationInputError(f"{where}: year {year} is outside 1990..2100 or appears twice")
        seen.add(year)
        yield where, get, year


def read_record(path: Path) -> list[tuple[int, float, float, float]]:
    """(year, deviation, taxes and grants, adjustment) per row; one-line errors with the line number."""
    rows = []
    for where, get, year in record_rows(path, COLUMNS):
        tg = parse_number(get["tax_and_grants_msek"], where, "tax_and_grants_msek")
        if tg <= 0:
            raise CalibrationInputError(f"{where}: tax_and_grants_msek must be positive (got {tg})")
        rows.append((year, parse_number(get["deviation_msek"], where, "deviation_msek"), tg,
                     parse_number(get["adjustment_msek"], where, "adjustment_msek")))
    if len(rows) < 3:
        raise CalibrationInputError(f"{path}: {len(rows)} years; the fit needs at least 3")
    return sorted(rows)


def _gls(x: np.ndarray, years: np.ndarray, persistence: float) -> tuple[float, float, float]:
    """(I, xbar, S): the information on the mean, the GLS mean and the residual quadratic form."""
    corr = persistence ** np.abs(years[:, None] - years[None, :])
    inverse = np.linalg.inv(corr)
    ones = np.ones(x.size)
    information = float(ones @ inverse @ ones)
    mean = float(ones @ inverse @ x) / information
    residual = x - mean
    return information, mean, float(residual @ inverse @ residual)


def fit_record(path: Path, persistence: float, prior: Prior | None = None) -> DeviationFit:
    """The level's long-run mean and sd from the record, its years correlated by ``persistence``; with a
    prior, the posterior (module docstring), else the record alone."""
    rows = read_record(path)
    years = np.array([r[0] for r in rows], dtype=float)
    x = np.array([(dev + adj) / tg for _, dev, tg, adj in rows])
    n = x.size
    information, xbar, quadratic = _gls(x, years, persistence)
    record_sd = math.sqrt(quadratic / (n - 1))
    if prior is None:
        mean, sd = xbar, record_sd
        se_mean, se_sd = sd / math.sqrt(information), sd / math.sqrt(2 * (n - 1))
    else:
        k0, v0 = prior.mean_weight_years, prior.volatility_weight_years
        kn, vn = k0 + information, v0 + n
        mean = (k0 * prior.mean_frac + information * xbar) / kn
        sn2 = (v0 * prior.volatility_frac ** 2 + quadratic
               + k0 * information / kn * (xbar - prior.mean_frac) ** 2) / vn
        sd = math.sqrt(sn2 * vn / (vn - 2))
        se_mean, se_sd = sd / math.sqrt(kn), sd / math.sqrt(2 * (vn - 4))
    return DeviationFit(years=[int(y) for y in years], shares=[float(v) for v in x], persistence=persistence,
                        mean=mean, sd=sd, se_mean=se_mean, se_sd=se_sd, file=str(path), record_mean=xbar,
                        record_sd=record_sd, prior=prior)


def _judgment_leaf(judgment: Path, leaf_name: str, low: float, high: float, what: str) -> tuple[float, str]:
    """One ``{ value, reason }`` leaf of [accounts.budget_deviation] in the judgment file, in low..high."""
    data = safeio.read_toml(Path(judgment), str(judgment))
    leaf = data.get("accounts", {}).get("budget_deviation", {}).get(leaf_name)
    where = f"{judgment}: accounts.budget_deviation.{leaf_name}"
    if not isinstance(leaf, dict) or set(leaf) != {"value", "reason"} or not isinstance(leaf["reason"], str):
        raise CalibrationInputError(f"{where}: expected {{ value = {what}, reason = \"...\" }} (the "
                                    "budget-deviation fit needs it)")
    value = leaf["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise CalibrationInputError(f"{where}.value: must be a number in {what} (got {value!r})")
    return float(value), leaf["reason"]


def read_persistence(judgment: Path) -> tuple[float, str]:
    """The persistence the fit assumes: [accounts.budget_deviation] persistence = { value, reason } in
    the judgment file (CalibrationInputError, one line, when it is missing or out of 0..0.99)."""
    return _judgment_leaf(judgment, "persistence", 0.0, 0.99, "0..0.99")


#: the prior's leaves in the judgment file: name -> (low, high, as the message says it)
PRIOR_LEAVES = {"prior_mean_frac": (-0.2, 0.2, "-0.2..0.2"), "prior_mean_weight_years": (0.0, 100.0, "0..100"),
                "prior_volatility_frac": (0.001, 0.5, "0.001..0.5"),
                "prior_volatility_weight_years": (2.0, 100.0, "2..100")}


def read_prior(judgment: Path) -> Prior:
    """The persistence and the prior of the budget-deviation fit from the judgment file."""
    persistence, why = read_persistence(judgment)
    values, reasons = {}, {"persistence": why}
    for name, (low, high, what) in PRIOR_LEAVES.items():
        values[name], reasons[name] = _judgment_leaf(judgment, name, low, high, what)
    return Prior(persistence, values["prior_mean_frac"], values["prior_mean_weight_years"],
                 values["prior_volatility_frac"], values["prior_volatility_weight_years"], reasons)


def find_record(directory: Path) -> Path | None:
    """The budget-deviation record among the CSV files of a calibration data folder, if any."""
    found = [p for p in sorted(Path(directory).glob("*.csv")) if is_record(p)]
    if len(found) > 1:
        raise CalibrationInputError(f"{directory}: {len(found)} budget-deviation records "
                                    f"({', '.join(p.name for p in found)}); expected at most one")
    return found[0] if found else None


def render_toml(fit: DeviationFit, reason: str) -> list[str]:
    """The fitted [accounts.budget_deviation] values with their source, for the calibrated file."""
    shares = ", ".join(f"{y} {x:+.2%}" for y, x in zip(fit.years, fit.shares))
    note = f"{Path(fit.file).name} ({shares} of taxes and grants), years correlated by the persistence"
    if fit.prior is None:
        how = "fitted"
        prior = ""
    else:
        how = "fitted with a judgment prior: posterior"
        prior = (f"; prior mean {fit.prior.mean_frac:g} worth {fit.prior.mean_weight_years:g} years, spread "
                 f"{fit.prior.volatility_frac:g} worth {fit.prior.volatility_weight_years:g} years (judgment.toml)")
    return [
        "[accounts.budget_deviation]",
        f"mean_frac = {fit.mean:.4g}  # {how} long-run mean of the level, {note}{prior}; the record alone "
        f"{fit.record_mean:.4g}; se {fit.se_mean:.2g}",
        f"volatility_frac = {fit.sd:.4g}  # {how} long-run sd of the level, the same data; the record alone "
        f"{fit.record_sd:.4g}; se {fit.se_sd:.2g}",
        f"persistence = {fit.persistence:g}  # judgment: {reason}",
        "",
    ]


def standard_errors(fit: DeviationFit) -> dict[str, float]:
    return {"accounts.budget_deviation.mean_frac": fit.se_mean,
            "accounts.budget_deviation.volatility_frac": fit.se_sd}


def without_prior(fit: DeviationFit) -> dict[str, float]:
    """What the record alone gives (the robustness table's alternative to the prior)."""
    return {"accounts.budget_deviation.mean_frac": fit.record_mean,
            "accounts.budget_deviation.volatility_frac": fit.record_sd}


def render_table(fit: DeviationFit) -> str:
    how = "posterior" if fit.prior is not None else "fitted"
    rows = [f"{'accounts.budget_deviation.mean_frac':<46} {fit.mean:>10.4g} {fit.se_mean:>9.2g}  {how} "
            f"(record alone {fit.record_mean:.4g})",
            f"{'accounts.budget_deviation.volatility_frac':<46} {fit.sd:>10.4g} {fit.se_sd:>9.2g}  {how} "
            f"(record alone {fit.record_sd:.4g})"]
    return "\n".join(rows)
