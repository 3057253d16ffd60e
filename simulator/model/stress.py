"""Stress scenarios: a scenario's ``[stress]`` as the economy kernel's month-by-driver table (NaN = the
model's own value). The kernel sets the value after the month's step and carries on from it, so a
stressed inflation reaches KPI, costs, the prisbasbelopp, the short rate (its mean follows inflation),
wages and the tax base (both follow lagged inflation), all through the model's own rules."""

from __future__ import annotations

import math

import numpy as np

from simulator.kernels.months import M_EQ_GL, M_EQ_SE, M_EREG, M_INFLATION, M_IREG, M_SHORT, M_TAX, M_WAGE, N_MONTHLY
from simulator.scenario.schema import Scenario
from simulator.scenario.stress import month_index

_FLOW_COLUMNS = {"equity_return": (M_EQ_SE, M_EQ_GL), "equity_return_sweden": (M_EQ_SE,),
                 "equity_return_global": (M_EQ_GL,), "tax_base_growth": (M_TAX,), "wage_growth": (M_WAGE,)}


_REGIMES = {"shock": 1.0, "normal": 0.0, "crash": 1.0, "calm": 0.0}


def stress_array(scenario: Scenario) -> np.ndarray | None:
    """The months x N_MONTHLY table of stressed values (None when the scenario has no stress).

    Flows (returns, growth) are the month's log change: value per year -> ln(1 + value) / 12; total
    over the span -> ln(1 + total) / months. Inflation is the annualised log rate ln(1 + value); the
    short rate its level; regimes 1 (shock, crash) or 0."""
    if scenario.stress is None:
        return None
    table = np.full((scenario.simulation.n_months, N_MONTHLY), np.nan)
    for item in scenario.stress.set:
        start = scenario.simulation.start_year
        first, last = month_index(item.start, False, start), month_index(item.end, True, start)
        months = slice(first, last + 1)
        n = last - first + 1
        if item.driver == "inflation":
            table[months, M_INFLATION] = math.log1p(item.value)
        elif item.driver == "short_rate":
            table[months, M_SHORT] = item.value
        elif item.driver in _FLOW_COLUMNS:
            per_month = math.log1p(item.value) / 12 if item.value is not None else math.log1p(item.total) / n
            for column in _FLOW_COLUMNS[item.driver]:
                table[months, column] = per_month
        else:
            table[months, M_IREG if item.driver == "inflation_regime" else M_EREG] = _REGIMES[item.regime]
    return table
