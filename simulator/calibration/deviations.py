"""The budget-deviation process (budgetavvikelse), fitted to the region's record of outcome against budget.

Model (simulator.kernels.accounts, stage 4): the deviation of the result, as a share of taxes and
general grants, is a persistent level, an AR(1) with persistence phi (judgment) whose long-run mean and
sd are ``mean_frac`` and ``volatility_frac``. The record's years are observations of that level, so they
are correlated: corr(L_s, L_t) = phi^|s - t|. The fit is the Gaussian estimate with that correlation
matrix R (the record's gaps, e.g. the missing 2022, are exact): mean = 1'R^-1 x / 1'R^-1 1 (the GLS
mean), sd^2 = (x - mean)' R^-1 (x - mean) / (n - 1), se(mean) = sd / sqrt(1'R^-1 1),
se(sd) = sd / sqrt(2 (n - 1)). With phi = 0 these are the sample mean and sd; with phi = 0.8 four
correlated years say less than four independent ones, so the sd is larger and the mean less certain.

The record is a CSV with a '# record: budget_deviation' line (calibration/data/budget_deviation_record.csv):
year, deviation_msek (outcome minus budget, positive = better), tax_and_grants_msek, adjustment_msek
(what the model's drivers already carry, added back), what (a note).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.calibration.data import CalibrationInputError
from simulator.io import safeio

_RECORD = re.compile(r"^#\s*record\s*:\s*budget_deviation\b", re.IGNORECASE)
COLUMNS = ("year", "deviation_msek", "tax_and_grants_msek", "adjustment_msek")


@dataclass
class DeviationFit:
    years: list[int]
    shares: list[float]  # adjusted deviation / taxes and grants, per year
    persistence: float  # the judgment the fit assumes (and the model uses)
    mean: float
    sd: float
    se_mean: float
    se_sd: float
    file: str


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


def _number(raw: str, where: str, column: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise CalibrationInputError(f"{where}: {column} {raw!r} is not a number (MSEK, e.g. -399.6)") from None
    if not math.isfinite(value) or abs(value) > 1e6:
        raise CalibrationInputError(f"{where}: {column} {raw!r} is outside -1e6..1e6 MSEK")
    return value


def read_record(path: Path) -> list[tuple[int, float, float, float]]:
    """(year, deviation, taxes and grants, adjustment) per row; one-line errors with the line number."""
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = f.read().splitlines()
    body = [(i + 1, line) for i, line in enumerate(lines) if line.strip() and not line.startswith("#")]
    if not body:
        raise CalibrationInputError(f"{path}: no column header; expected {','.join(COLUMNS)},what")
    header_line, header = body[0]
    columns = [c.strip().lower() for c in next(csv.reader([header]))]
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise CalibrationInputError(f"{path}, line {header_line}: missing column(s) {', '.join(missing)}; "
                                    f"expected {','.join(COLUMNS)},what")
    seen: set[int] = set()
    for number, line in body[1:]:
        row = next(csv.reader([line]))
        where = f"{path}, line {number}"
        if len(row) < len(columns):
            raise CalibrationInputError(f"{where}: {len(row)} fields; expected {len(columns)} ({','.join(columns)})")
        get = {c: row[columns.index(c)].strip() for c in COLUMNS}
        try:
            year = int(get["year"])
        except ValueError:
            raise CalibrationInputError(f"{where}: year {get['year']!r} is not a whole number") from None
        if not 1990 <= year <= 2100 or year in seen:
            raise CalibrationInputError(f"{where}: year {year} is outside 1990..2100 or appears twice")
        seen.add(year)
        tg = _number(get["tax_and_grants_msek"], where, "tax_and_grants_msek")
        if tg <= 0:
            raise CalibrationInputError(f"{where}: tax_and_grants_msek must be positive (got {tg})")
        rows.append((year, _number(get["deviation_msek"], where, "deviation_msek"), tg,
                     _number(get["adjustment_msek"], where, "adjustment_msek")))
    if len(rows) < 3:
        raise CalibrationInputError(f"{path}: {len(rows)} years; the fit needs at least 3")
    return sorted(rows)


def fit_record(path: Path, persistence: float) -> DeviationFit:
    """The level's long-run mean and sd from the record, its years correlated by ``persistence``."""
    rows = read_record(path)
    years = np.array([r[0] for r in rows], dtype=float)
    x = np.array([(dev + adj) / tg for _, dev, tg, adj in rows])
    n = x.size
    corr = persistence ** np.abs(years[:, None] - years[None, :])
    inverse = np.linalg.inv(corr)
    ones = np.ones(n)
    information = float(ones @ inverse @ ones)
    mean = float(ones @ inverse @ x) / information
    residual = x - mean
    sd = math.sqrt(float(residual @ inverse @ residual) / (n - 1))
    return DeviationFit(years=[int(y) for y in years], shares=[float(v) for v in x], persistence=persistence,
                        mean=mean, sd=sd, se_mean=sd / math.sqrt(information), se_sd=sd / math.sqrt(2 * (n - 1)),
                        file=str(path))


def read_persistence(judgment: Path) -> tuple[float, str]:
    """The persistence the fit assumes: [accounts.budget_deviation] persistence = { value, reason } in
    the judgment file (CalibrationInputError, one line, when it is missing or out of 0..0.99)."""
    data = safeio.read_toml(Path(judgment), str(judgment))
    leaf = data.get("accounts", {}).get("budget_deviation", {}).get("persistence")
    if not isinstance(leaf, dict) or set(leaf) != {"value", "reason"}:
        raise CalibrationInputError(f"{judgment}: accounts.budget_deviation.persistence: expected "
                                    "{ value = 0..0.99, reason = \"...\" } (the budget-deviation fit needs it)")
    value = leaf["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 0.99:
        raise CalibrationInputError(f"{judgment}: accounts.budget_deviation.persistence.value: must be a "
                                    f"number in 0..0.99 (got {value!r})")
    return float(value), str(leaf["reason"])


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
    return [
        "[accounts.budget_deviation]",
        f"mean_frac = {fit.mean:.4g}  # fitted: long-run mean of the level, {note}, se {fit.se_mean:.2g}",
        f"volatility_frac = {fit.sd:.4g}  # fitted: long-run sd of the level, the same data, se {fit.se_sd:.2g}",
        f"persistence = {fit.persistence:g}  # judgment: {reason}",
        "",
    ]


def standard_errors(fit: DeviationFit) -> dict[str, float]:
    return {"accounts.budget_deviation.mean_frac": fit.se_mean,
            "accounts.budget_deviation.volatility_frac": fit.se_sd}


def render_table(fit: DeviationFit) -> str:
    rows = [f"{'accounts.budget_deviation.mean_frac':<46} {fit.mean:>10.4g} {fit.se_mean:>9.2g}  fitted",
            f"{'accounts.budget_deviation.volatility_frac':<46} {fit.sd:>10.4g} {fit.se_sd:>9.2g}  fitted"]
    return "\n".join(rows)
