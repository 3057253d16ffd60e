"""Stress scenarios, conditional answers and failure attribution.

- ``stress_array``: a scenario's ``[stress]`` as the economy kernel's month-by-driver table (NaN = the
  model's own value). The kernel sets the value after the month's step and carries on from it, so a
  stressed inflation reaches KPI, costs, the prisbasbelopp, the short rate (its mean follows
  inflation), wages and the tax base (both follow lagged inflation), all through the model's own rules.
- ``baseline_moves``: whether an override (``--set``, a sweep lever) moves the zero-shock path that the
  plan years are measured against; then a plan-year line would not show the change (a warning).
- ``parse_condition`` / ``condition_mask``: ``run --condition "equity_return[2026] < -0.2 and
  inflation[2027] > 0.04"`` keeps the paths meeting it.
- ``attribution``: how the paths that miss a goal differ from those that meet it.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from simulator.kernels.economy import (
    M_EQ_GL, M_EQ_SE, M_EREG, M_INFLATION, M_IREG, M_SHORT, M_TAX, M_WAGE, N_MONTHLY,
)
from simulator.scenario.schema import Scenario, ScenarioError, _month_index

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
        first, last = _month_index(item.start, False), _month_index(item.end, True)
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


#: the zero-shock drivers the plan years are scaled by (simulator.kernels.accounts, stages 2-4)
BASELINE_DRIVERS = ("kpi_index", "prisbasbelopp_sek", "inkomstbasbelopp_index", "tax_base_index", "wage_index",
                    "price_index_personnel", "price_index_pensions", "price_index_purchased_care",
                    "price_index_drugs", "price_index_other")


def baseline_moves(reference: Scenario, changed: Scenario) -> list[str]:
    """The zero-shock drivers that differ in the plan years between two scenarios (empty: none)."""
    from simulator.model.accounts import accounts_params
    from simulator.run.engine import zero_shock_baseline

    years = len(reference.accounts.plan.years)
    a = zero_shock_baseline(reference, accounts_params(reference))[0]
    b = zero_shock_baseline(changed, accounts_params(changed))[0]
    return [name for name in BASELINE_DRIVERS if not np.allclose(a[name][:years], b[name][:years], rtol=1e-12)]


# --- conditions -------------------------------------------------------------------------------------------
_TERM = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*\[\s*(\d{4})\s*\]\s*(<=|>=|<|>|==|!=)\s*([-+]?[0-9.]+(?:e[-+]?\d+)?)\s*$")
_OPS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal,
        "!=": np.not_equal}


def parse_condition(text: str, variables: set[str], years: list[int]) -> list[list[tuple[str, int, str, float]]]:
    """``VAR[YEAR] OP NUMBER`` terms joined by ``and`` / ``or`` (``and`` binds first), as a list of
    and-groups; ScenarioError (one line) naming what is wrong."""
    if not text.strip():
        raise ScenarioError("--condition: empty; expected e.g. \"equity_return[2026] < -0.2\"")
    groups = []
    for group in re.split(r"\s+or\s+", text.strip()):
        terms = []
        for term in re.split(r"\s+and\s+", group):
            m = _TERM.match(term)
            if not m:
                raise ScenarioError(f"--condition: {term.strip()!r} is not VARIABLE[YEAR] OP NUMBER "
                                    "(OP one of < <= > >= == !=), e.g. equity_return[2026] < -0.2")
            name, year, op, number = m.group(1), int(m.group(2)), m.group(3), float(m.group(4))
            if name not in variables:
                raise ScenarioError(f"--condition: unknown variable {name!r} (any annual output, e.g. "
                                    "inflation, equity_return, tax_base_growth, result_msek)")
            if year not in years:
                raise ScenarioError(f"--condition: year {year} is outside the simulated years {years[0]}..{years[-1]}")
            terms.append((name, year, op, number))
        groups.append(terms)
    return groups


def condition_mask(groups, annual: dict[str, np.ndarray], years: list[int]) -> np.ndarray:
    """Per path, whether the parsed condition holds."""
    n = next(iter(annual.values())).shape[0]
    mask = np.zeros(n, dtype=bool)
    for terms in groups:
        group = np.ones(n, dtype=bool)
        for name, year, op, number in terms:
            group &= _OPS[op](annual[name][:, years.index(year)], number)
        mask |= group
    return mask


# --- failure attribution ------------------------------------------------------------------------------------
#: what a committee asks next: how the economy and the region's own measures differed
ATTRIBUTION_VARIABLES = (
    ("inflation", "mean"), ("equity_return", "mean"), ("tax_base_growth", "mean"), ("wage_growth", "mean"),
    ("budget_deviation_msek", "mean"), ("portfolio_return_msek", "mean"), ("reaction_savings_msek", "mean"),
    ("reaction_tax_kr", "last"), ("reaction_deposits_paused", "mean"), ("loans_msek", "last"),
)


def attribution_columns(goals: dict[str, Any], met: dict[str, np.ndarray], annual: dict[str, np.ndarray],
                        years: list[int]) -> list[tuple[str, str, str, np.ndarray]]:
    """Per goal with years and per attribution variable: (goal, variable, over, the per-path value: its
    mean over the goal's years or its value in the last of them)."""
    columns = []
    for name in met:
        goal_years = goals[name].resolved_years or _parts_years(goals, name)
        if not goal_years:
            continue
        cols = [years.index(y) for y in goal_years if y in years]
        for variable, how in ATTRIBUTION_VARIABLES:
            values = annual[variable][:, cols]
            per_path = values[:, -1] if how == "last" else values.mean(axis=1)
            over = f"{goal_years[0]}-{goal_years[-1]}" if how == "mean" else str(goal_years[-1])
            columns.append((name, variable, over, per_path))
    return columns


def attribution_table(columns: list[tuple[str, str, str]], met_mean: list[float], missed_mean: list[float],
                      decided: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The table summary.json carries, for the goals some paths meet and some miss (``decided``): each
    variable's mean among the paths that meet the goal and among those that miss it."""
    table: dict[str, list[dict[str, Any]]] = {}
    for (name, variable, over), yes, no in zip(columns, met_mean, missed_mean):
        if name in decided:
            table.setdefault(name, []).append({"variable": variable, "over": over, "met": yes, "missed": no,
                                               "difference": no - yes})
    return table


def _parts_years(goals: dict[str, Any], name: str) -> list[int]:
    """An all_of goal's years: the span of its parts'."""
    years: set[int] = set()
    for part in goals[name].all_of or ():
        years |= set(goals[part].resolved_years or _parts_years(goals, part))
    return sorted(years)
