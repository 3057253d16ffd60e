"""Failure attribution: how the paths that miss a goal differ from those that meet it (the mean of each
attribution variable over the goal's years among each group), reduced chunk by chunk with the summary.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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
        goal_years = goals[name].resolved_years or goal_years_of_parts(goals, name)
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


def goal_years_of_parts(goals: dict[str, Any], name: str) -> list[int]:
    """An all_of goal's years: the span of its parts'."""
    years: set[int] = set()
    for part in goals[name].all_of or ():
        years |= set(goals[part].resolved_years or goal_years_of_parts(goals, part))
    return sorted(years)
