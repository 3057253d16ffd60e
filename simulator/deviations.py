"""The budget-deviation process (budgetavvikelse), fitted to the region's record of outcome against budget.

Model (simulator.kernels.accounts, stage 4): each year brings a new deviation of the result,
d_Y = mean + volatility x eps_Y as a share of taxes and general grants, which adds to a level that
persists until the reaction rule closes it. Each year's budget is set after the previous outcome, so a
year's recorded deviation (outcome minus that year's budget) is one draw of d_Y: the mean and the
volatility are the sample mean and standard deviation of the record, with the standard errors of a
normal sample: se(mean) = s / sqrt(n), se(s) = s / sqrt(2 (n - 1)).

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

from simulator.calibration import CalibrationInputError

_RECORD = re.compile(r"^#\s*record\s*:\s*budget_deviation\b", re.IGNORECASE)
COLUMNS = ("year", "deviation_msek", "tax_and_grants_msek", "adjustment_msek")


@dataclass
class DeviationFit:
    years: list[int]
    shares: list[float]  # adjusted deviation / taxes and grants, per year
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


def fit_record(path: Path) -> DeviationFit:
    """The sample mean and standard deviation of the adjusted deviations as shares of taxes and grants."""
    rows = read_record(path)
    shares = [(dev + adj) / tg for _, dev, tg, adj in rows]
    n = len(shares)
    mean = sum(shares) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in shares) / (n - 1))
    return DeviationFit(years=[r[0] for r in rows], shares=shares, mean=mean, sd=sd,
                        se_mean=sd / math.sqrt(n), se_sd=sd / math.sqrt(2 * (n - 1)), file=str(path))


def find_record(directory: Path) -> Path | None:
    """The budget-deviation record among the CSV files of a calibration data folder, if any."""
    found = [p for p in sorted(Path(directory).glob("*.csv")) if is_record(p)]
    if len(found) > 1:
        raise CalibrationInputError(f"{directory}: {len(found)} budget-deviation records "
                                    f"({', '.join(p.name for p in found)}); expected at most one")
    return found[0] if found else None


def render_toml(fit: DeviationFit) -> list[str]:
    """The fitted [accounts.budget_deviation] values with their source, for the calibrated file."""
    years = ", ".join(str(y) for y in fit.years)
    shares = ", ".join(f"{y} {x:+.2%}" for y, x in zip(fit.years, fit.shares))
    note = f"{Path(fit.file).name}, {years} ({shares} of taxes and grants)"
    return [
        "[accounts.budget_deviation]",
        f"mean_frac = {fit.mean:.4g}  # fitted: sample mean of {note}, se {fit.se_mean:.2g}",
        f"volatility_frac = {fit.sd:.4g}  # fitted: sample sd of the same, se {fit.se_sd:.2g}",
        "",
    ]


def standard_errors(fit: DeviationFit) -> dict[str, float]:
    return {"accounts.budget_deviation.mean_frac": fit.se_mean,
            "accounts.budget_deviation.volatility_frac": fit.se_sd}


def render_table(fit: DeviationFit) -> str:
    rows = [f"{'accounts.budget_deviation.mean_frac':<46} {fit.mean:>10.4g} {fit.se_mean:>9.2g}  fitted",
            f"{'accounts.budget_deviation.volatility_frac':<46} {fit.sd:>10.4g} {fit.se_sd:>9.2g}  fitted"]
    return "\n".join(rows)
