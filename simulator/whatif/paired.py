"""Paired comparison of two runs on the same paths (common random numbers).

For one goal, path i meets it in the reference run (x_i = 1) or not (0), and likewise in the variant
(y_i). The paired difference is the mean of d_i = y_i - x_i, with standard error sd(d) / sqrt(n)
(sample sd, n - 1): the paths that meet or miss the goal in both runs contribute nothing, so the error
is set by the paths that changed, gained (0 -> 1) and lost (1 -> 0). Two independent runs would have
the error sqrt(p_x (1 - p_x) / n + p_y (1 - p_y) / n), far larger when few paths change.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simulator.model.goals import Z95, goal_statistics


def paired_difference(reference: np.ndarray, variant: np.ndarray) -> dict[str, Any]:
    """Difference in the share of paths meeting a goal, its paired standard error, paths gained/lost."""
    x = np.asarray(reference, dtype=bool)
    y = np.asarray(variant, dtype=bool)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"paired outcomes need the same paths (got {x.shape} and {y.shape})")
    n = x.size
    d = y.astype(np.int64) - x.astype(np.int64)
    diff = float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
    return {"diff": diff, "diff_stderr": se, "diff_ci95": [diff - Z95 * se, diff + Z95 * se],
            "gained": int(np.sum(d > 0)), "lost": int(np.sum(d < 0))}


def independent_difference(p_a: float, n_a: int, p_b: float, n_b: int) -> dict[str, Any]:
    """The difference of two independent shares and its standard error (runs that share no paths)."""
    diff = p_b - p_a
    se = math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    return {"diff": diff, "diff_stderr": se, "diff_ci95": [diff - Z95 * se, diff + Z95 * se]}


def goal_row(hits: np.ndarray) -> dict[str, Any]:
    stats = goal_statistics(hits)
    return {"probability": float(stats["probability"]), "stderr": float(stats["stderr"]),
            "ci95": [float(v) for v in stats["ci95"]], "paths_meeting": int(stats["paths_meeting"])}


WHY_PAIRED = ("The paired standard error is smaller than the two intervals suggest because both runs see the "
              "same random numbers: a path that meets (or misses) the goal in both contributes nothing, and "
              "only the paths that changed, gained or lost, carry the error.")
