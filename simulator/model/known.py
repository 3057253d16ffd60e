"""A scenario's ``[known]`` files as the kernels' pins (simulator.kernels.known), and what summary.json lists.

What each series pins, in the calibration data format's units (percent, docs/calibration.md section 1):

| series | monthly row (year, month) | annual row (year) |
|---|---|---|
| inflation | the month's KPI change: 12 ln(1 + x) as the model's annualised log rate | the Dec/Dec change: the year's log KPI change ln(1 + x) |
| short_rate | the rate at month end | the rate on 31 Dec (December's month end) |
| long_rate | the 10-year rate at month end | the rate on 31 Dec |
| equity_sweden, equity_global | the month's return: ln(1 + x) | the year's return: the sum of the months' ln(1 + x) |
| tax_base | (refused: the tax base is annual) | the year's growth: ln(1 + x) |

Values before the first simulated month are history and left out; a value after the last simulated
month, a series or frequency that cannot be pinned, a month the scenario's stress also sets, a short rate
at or below the model's floor, both monthly and annual values of one series in one year, or a value the
model cannot take are refused, one line naming the file and the line.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from simulator.io.series import SeriesFileError, read_tagged_csv
from simulator.kernels.known import (
    AP_EQ_GL,
    AP_EQ_SE,
    AP_INFLATION,
    AP_TAX,
    N_ANNUAL_PINS,
    N_PINS,
    PIN_EQ_GL,
    PIN_EQ_SE,
    PIN_INFLATION,
    PIN_LONG,
    PIN_SHORT,
)
from simulator.kernels.months import M_EQ_GL, M_EQ_SE, M_INFLATION, M_SHORT
from simulator.model.stress import stress_array
from simulator.scenario.base import ScenarioError
from simulator.scenario.schema import Scenario

#: series -> (monthly pin column or None, annual pin column or None, December's monthly column for an
#: annual level row or None)
PINNABLE: dict[str, tuple[int | None, int | None, int | None]] = {
    "inflation": (PIN_INFLATION, AP_INFLATION, None),
    "short_rate": (PIN_SHORT, None, PIN_SHORT),
    "long_rate": (PIN_LONG, None, PIN_LONG),
    "equity_sweden": (PIN_EQ_SE, AP_EQ_SE, None),
    "equity_global": (PIN_EQ_GL, AP_EQ_GL, None),
    "tax_base": (None, AP_TAX, None),
}
#: the stress table's column a pin would collide with
_STRESS_COLUMN = {PIN_INFLATION: M_INFLATION, PIN_SHORT: M_SHORT, PIN_EQ_SE: M_EQ_SE, PIN_EQ_GL: M_EQ_GL}
#: the range of an annualised log rate the model can take (the scenario schema's rate levels)
RATE_RANGE = (-0.5, 1.0)


class KnownPins(NamedTuple):
    """The kernels' pins and what summary.json lists of them."""

    pins: np.ndarray  # (months, N_PINS), NaN where nothing is known
    annual_pins: np.ndarray  # (years, N_ANNUAL_PINS)
    listed: list[dict[str, Any]]  # per file: series, frequency, first and last period pinned, file, sha256


def _model_value(series: str, monthly: bool, value: float) -> float:
    """A row's value (a fraction) as the quantity the kernel pins."""
    if series == "inflation" and monthly:
        return 12.0 * math.log1p(value)
    if series in ("short_rate", "long_rate"):
        return value
    return math.log1p(value)


def _check(where: str, series: str, monthly: bool, value: float, scenario: Scenario) -> None:
    """A value the model cannot take is refused (the return of -100 % and below the reader refuses)."""
    v = _model_value(series, monthly, value)
    if series in ("inflation", "short_rate", "long_rate", "tax_base") and not RATE_RANGE[0] <= v <= RATE_RANGE[1]:
        raise ScenarioError(f"{where}: {series} {100 * value:g} % is outside what the model takes (as an annual "
                            f"rate {RATE_RANGE[0]:g}..{RATE_RANGE[1]:g})")
    floor = scenario.economy.short_rate.floor_pa
    if series == "short_rate" and floor is not None and v <= floor:
        raise ScenarioError(f"{where}: short_rate {100 * value:g} % is at or below the model's floor "
                            f"({100 * floor:g} %): a floored rate cannot be told from the rate behind it")


def _pin_file(path: Path, scenario: Scenario, pins: np.ndarray, annual: np.ndarray, stress: np.ndarray | None,
              owner: dict[tuple[int, int], str]) -> dict[str, Any] | None:
    """Lay one file's values into the pins; what summary.json lists of it (None: nothing in the years)."""
    try:
        series = read_tagged_csv(path)
    except SeriesFileError as exc:
        raise ScenarioError(str(exc)) from None
    if series.name not in PINNABLE:
        raise ScenarioError(f"{path}: series {series.name!r} cannot be pinned; known series are "
                            f"{', '.join(PINNABLE)}")
    monthly_col, annual_col, december_col = PINNABLE[series.name]
    if (monthly_col if series.monthly else (annual_col if annual_col is not None else december_col)) is None:
        raise ScenarioError(f"{path}: {series.name} cannot be pinned {'monthly' if series.monthly else 'by year'}; "
                            f"give {'annual (year,value)' if series.monthly else 'monthly (year,month,value)'} rows")
    start, end = scenario.simulation.start_year, scenario.simulation.end_year
    periods = []
    for (year, month), value, line in zip(series.dates, series.values, series.lines):
        where = f"{path}, line {line}"
        if not math.isfinite(value) or year < start:
            continue  # a missing value, or history before the opening
        if year > end:
            raise ScenarioError(f"{where}: {year} is after the last simulated year {end}")
        _check(where, series.name, series.monthly, value, scenario)
        k = year - start
        if series.monthly or annual_col is None:  # a month, or an annual level: December's month end
            t = 12 * k + (month - 1 if series.monthly else 11)
            column = monthly_col if series.monthly else december_col
            _claim(owner, (column, t), where, series.name)
            if stress is not None and column in _STRESS_COLUMN and not math.isnan(stress[t, _STRESS_COLUMN[column]]):
                raise ScenarioError(f"{where}: the scenario's [stress] sets {series.name} in this month too; "
                                    "pin it or stress it, not both")
            pins[t, column] = _model_value(series.name, series.monthly, value)
        else:
            _claim(owner, (100 + annual_col, k), where, series.name)
            annual[k, annual_col] = _model_value(series.name, False, value)
        periods.append(f"{year}-{month:02d}" if series.monthly else str(year))
    if not periods:
        return None
    return {"series": series.name, "frequency": "monthly" if series.monthly else "annual",
            "periods": f"{periods[0]}..{periods[-1]}" if len(periods) > 1 else periods[0],
            "values": len(periods), "file": str(path),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def _claim(owner: dict[tuple[int, int], str], key: tuple[int, int], where: str, series: str) -> None:
    if key in owner:
        raise ScenarioError(f"{where}: {series} for this period is also given at {owner[key]}; give it once")
    owner[key] = where


def _no_double_inflation(pins: np.ndarray, annual: np.ndarray, start: int) -> None:
    """A year's monthly inflation fixes its Dec/Dec change: both at once would over-determine the year."""
    for k in range(annual.shape[0]):
        for monthly_col, annual_col in ((PIN_INFLATION, AP_INFLATION), (PIN_EQ_SE, AP_EQ_SE), (PIN_EQ_GL, AP_EQ_GL)):
            if not math.isnan(annual[k, annual_col]) and np.isfinite(pins[12 * k:12 * k + 12, monthly_col]).any():
                raise ScenarioError(f"[known]: {start + k} has both monthly and annual "
                                    f"{('inflation', 'equity_sweden', 'equity_global')[annual_col]} values; "
                                    "give one of them for a year")


def known_pins(scenario: Scenario) -> KnownPins | None:
    """The scenario's observed values as pins (None without ``[known]``); ScenarioError (exit 2) naming the
    file and the line for anything the model cannot take."""
    if scenario.known is None:
        return None
    n_years = len(scenario.simulation.years)
    pins = np.full((12 * n_years, N_PINS), np.nan)
    annual = np.full((n_years, N_ANNUAL_PINS), np.nan)
    stress = stress_array(scenario)
    owner: dict[tuple[int, int], str] = {}
    listed = []
    for name in scenario.known.files:
        entry = _pin_file(Path(name), scenario, pins, annual, stress, owner)
        if entry is not None:
            listed.append(entry)
    _no_double_inflation(pins, annual, scenario.simulation.start_year)
    return KnownPins(pins, annual, listed)
