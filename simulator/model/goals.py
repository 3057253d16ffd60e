"""Goals on paths: whether each path meets each declared goal, and the share of paths with its standard error
and Wilson score interval. The goals themselves are declared in the scenario (simulator.scenario.goals).
"""

from __future__ import annotations

import math

import numpy as np

from simulator.scenario.goals import Goal, Goals, evaluation_order

#: z for a two-sided 95 % interval (the 0.975 quantile of the standard normal).
Z95 = 1.959963984540054


_COMPARE = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
}


def evaluate_goal(
    goal: Goal,
    metrics: dict[str, np.ndarray],
    years: np.ndarray,
    results_so_far: dict[str, np.ndarray],
) -> np.ndarray:
    """Per path, whether the goal is met: a bool array of shape (paths,).

    ``metrics[name]`` has shape (paths, len(years)); ``results_so_far`` holds the results of the
    goals an ``all_of`` goal names. NaN never meets a comparison (NumPy comparisons with NaN are False).
    """
    if goal.all_of is not None:
        missing = [part for part in goal.all_of if part not in results_so_far]
        if missing:
            raise ValueError(f"all_of part(s) not evaluated yet: {', '.join(missing)}")
        return np.logical_and.reduce([np.asarray(results_so_far[p], dtype=bool) for p in goal.all_of])

    if goal.metric not in metrics:
        raise ValueError(f"unknown metric {goal.metric!r} (known metrics: {', '.join(sorted(metrics))})")
    values = np.asarray(metrics[goal.metric], dtype=float)
    column = {int(y): i for i, y in enumerate(np.asarray(years).tolist())}
    if values.ndim != 2 or values.shape[1] != len(column):
        raise ValueError(f"metric {goal.metric!r} must have shape (paths, {len(column)}), got {values.shape}")
    try:
        cols = [column[y] for y in goal.resolved_years]
    except KeyError as exc:
        raise ValueError(f"year {exc.args[0]} is not a simulated year") from None

    met = _COMPARE[goal.comparison](values[:, cols], goal.threshold)  # (paths, goal years)
    if goal.aggregate == "all":
        return met.all(axis=1)
    if goal.aggregate == "any":
        return met.any(axis=1)
    return met[:, -1]


def evaluate_goals(goals: Goals, metrics: dict[str, np.ndarray], years: np.ndarray) -> dict[str, np.ndarray]:
    """Evaluate every goal per path, all_of goals after their parts; returned in declaration order."""
    results: dict[str, np.ndarray] = {}
    for name in evaluation_order(goals):
        try:
            results[name] = evaluate_goal(goals[name], metrics, years, results)
        except ValueError as exc:
            raise ValueError(f"goals.{name}: {exc}") from None
    return {name: results[name] for name in goals}


def goal_statistics(hits: np.ndarray) -> dict:
    """Probability (sannolikhet) that a goal is met, its standard error and a Wilson score interval.

    ``hits`` is the per-path bool array from :func:`evaluate_goal`. The Wilson interval stays inside
    [0, 1], contains the estimate and has positive width also when no path or every path meets the goal.
    """
    hits = np.asarray(hits)
    if hits.dtype != bool or hits.ndim != 1 or hits.size == 0:
        raise ValueError(f"hits must be a non-empty 1-d bool array (got {hits.dtype}, shape {hits.shape})")
    return share_statistics(int(np.count_nonzero(hits)), int(hits.size))


def share_statistics(k: int, n: int) -> dict:
    """:func:`goal_statistics` from the counts alone: k of n paths meet the goal (n >= 1)."""
    if not 0 <= k <= n or n < 1:
        raise ValueError(f"need 0 <= k <= n and n >= 1 (got k={k}, n={n})")
    p = k / n
    z = Z95
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    lo = max(0.0, min(p, centre - half))
    hi = min(1.0, max(p, centre + half))
    return {
        "probability": p,
        "stderr": math.sqrt(p * (1 - p) / n),
        "ci95": [lo, hi],
        "paths_meeting": k,
        "paths": n,
    }


def answer_goals(goals: dict) -> list[str]:
    """The goals a table with room for a few shows: those the scenario declares as answers (``answer =``,
    balance first, in declaration order), else the first three. ``goals``: name -> its declaration, as a
    Goal or summary.json's goal entry (``answer`` key)."""
    def answer(g) -> str | None:
        return g.get("answer") if isinstance(g, dict) else getattr(g, "answer", None)
    declared = [name for name, g in goals.items() if answer(g) == "balance"]
    declared += [name for name, g in goals.items() if answer(g) == "consolidation"]
    return declared or list(goals)[:3]
