"""Plan slippage (planglidning), fitted to the region's record of plan revisions.

A plan holds its later years' costs below their price growth and counts on efficiencies not yet named
(Regionplan 2025-2027: flat costs, "ingen uppräkning"). The record (calibration/data/plan_record.csv,
header '# record: plan_revisions') gives, for each plan year of an earlier plan, its planned costs, the
costs the plan's own price growth would give (funded) and the costs the next plan stated for it
(revised). The unrealised share of a year is (revised - planned) / (funded - planned); the fit is their
mean with the standard error of a mean (sd / sqrt(n)), the model's ``accounts.plan_slippage.unrealised_frac``
(simulator.kernels.costs.plan_budget)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from simulator.calibration.data import CalibrationInputError
from simulator.calibration.deviations import parse_number, record_rows

_RECORD = re.compile(r"^#\s*record\s*:\s*plan_revisions\b", re.IGNORECASE)
COLUMNS = ("year", "planned_costs_msek", "funded_costs_msek", "revised_costs_msek")


@dataclass
class SlippageFit:
    years: list[int]
    shares: list[float]  # the unrealised share of each year
    mean: float
    se: float
    file: str


def find_record(directory: Path) -> Path | None:
    """The plan-revision record among the CSV files of a calibration data folder, if any."""
    found = []
    for path in sorted(Path(directory).glob("*.csv")):
        try:
            with open(path, encoding="utf-8-sig") as f:
                head = [line for line in f if line.startswith("#")]
        except (OSError, UnicodeDecodeError):
            continue
        if any(_RECORD.match(line) for line in head):
            found.append(path)
    if len(found) > 1:
        raise CalibrationInputError(f"{directory}: {len(found)} plan-revision records "
                                    f"({', '.join(p.name for p in found)}); expected at most one")
    return found[0] if found else None


def read_record(path: Path) -> list[tuple[int, float, float, float]]:
    """(year, planned, funded, revised) per row; one-line errors with the line number."""
    rows = []
    for where, get, year in record_rows(path, COLUMNS):
        planned, funded, revised = (parse_number(get[c], where, c) for c in COLUMNS[1:])
        if min(planned, funded, revised) <= 0.0:
            raise CalibrationInputError(f"{where}: costs must be positive amounts (MSEK)")
        if funded - planned < 1.0:
            raise CalibrationInputError(f"{where}: funded_costs_msek must exceed planned_costs_msek by at least "
                                        "1 MSEK (the plan's unfunded growth the share is taken of)")
        rows.append((year, planned, funded, revised))
    if len(rows) < 2:
        raise CalibrationInputError(f"{path}: {len(rows)} years; the fit needs at least 2")
    return sorted(rows)


def fit_record(path: Path) -> SlippageFit:
    """The mean unrealised share of the record's plan years and its standard error; each year's share
    is clipped to 0..1 (a plan cut further, or raised beyond its own price growth, is not slippage)."""
    rows = read_record(path)
    shares = [min(max((revised - planned) / (funded - planned), 0.0), 1.0) for _, planned, funded, revised in rows]
    n = len(shares)
    mean = math.fsum(shares) / n
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in shares) / (n - 1))
    return SlippageFit(years=[r[0] for r in rows], shares=shares, mean=mean, se=sd / math.sqrt(n), file=str(path))


def render_toml(fit: SlippageFit) -> list[str]:
    shares = ", ".join(f"{y} {x:.2f}" for y, x in zip(fit.years, fit.shares))
    return ["[accounts.plan_slippage]",
            f"unrealised_frac = {fit.mean:.4g}  # fitted: the mean unrealised share of the plan's unfunded cost "
            f"growth, {Path(fit.file).name} ({shares}), se {fit.se:.2g}",
            ""]


def standard_errors(fit: SlippageFit) -> dict[str, float]:
    return {"accounts.plan_slippage.unrealised_frac": fit.se}


def render_table(fit: SlippageFit) -> str:
    return f"{'accounts.plan_slippage.unrealised_frac':<46} {fit.mean:>10.4g} {fit.se:>9.2g}  fitted"
