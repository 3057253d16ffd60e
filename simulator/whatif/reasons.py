"""Why a stress moves a goal against intuition (issue 20, point 8): a stress is an adverse event, so a
stressed variant that *raises* a goal's probability (a 2026 crash raises P(ekonomi i balans 2030)) needs
its reason on the page where the number is, not only in docs/whatif.md.

The reason comes from the failure attribution the engine already computes (simulator.run.attribution):
its variables' means over the goal's years, in the stressed variant against the reference on the same
paths, say what the stress moved. Which way a move helps the goal: for the economy (inflation, returns,
growth, the budget deviation, the portfolio's change, the loans) the attribution's own answer, the mean
among the reference's paths that meet the goal against those that miss it; for the reaction rule's
instruments their accounting sign (savings and a tax rise raise the result, paused deposits keep cash):
the rule reacts to bad paths, so among the reference's paths more savings go with missing the goal,
which says where the rule acts, not what its savings do. The reasons are the moves that help the goal,
largest first, measured in units of the met-minus-missed gap (how far the move goes towards what
separates meeting from missing).
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple

import numpy as np

from simulator.model.goals import Z95
from simulator.run.attribution import ATTRIBUTION_VARIABLES, goal_years_of_parts

#: at most this many reasons are given for one goal
MAX_REASONS = 3
#: a move smaller than this share of the met-minus-missed gap is no reason
MIN_SHARE_OF_GAP = 0.05
#: the reaction rule's instruments: more of each helps the result whatever paths it is used on
INSTRUMENTS = {"reaction_savings_msek": 1.0, "reaction_tax_kr": 1.0, "reaction_deposits_paused": 1.0}


class Reason(NamedTuple):
    variable: str
    over: str  # the years: "2027-2030", or the last year for a year-end value
    reference: float  # the reference's mean
    variant: float  # the stressed variant's mean, same paths
    met: float  # the reference's mean among the paths meeting the goal
    missed: float  # ... and among those missing it


def against_intuition(stressed: bool, diff: float | None, stderr: float | None) -> bool:
    """A stress that raises the goal's probability beyond its simulation error (95 %)."""
    return bool(stressed and diff is not None and stderr is not None and np.isfinite(diff)
                and diff - Z95 * (stderr if np.isfinite(stderr) else 0.0) > 0.0)


def goal_span(goals: Mapping[str, Any], name: str) -> list[int]:
    """The years a goal looks at (a combined goal: its parts')."""
    return list(goals[name].resolved_years or goal_years_of_parts(goals, name))


def over_years(means: Mapping[str, np.ndarray], years: list[int], span: list[int]) -> dict[str, tuple[float, str]]:
    """Each attribution variable as the attribution takes it: its mean over the goal's years, or its value
    in the last of them (a tax rise in force, the loans); with the years' text."""
    cols = [years.index(y) for y in span if y in years]
    out = {}
    for variable, how in ATTRIBUTION_VARIABLES:
        if variable not in means or not cols:
            continue
        values = np.asarray(means[variable], dtype=float)[cols]
        out[variable] = ((float(values[-1]), str(span[-1])) if how == "last"
                         else (float(values.mean()), f"{span[0]}-{span[-1]}"))
    return out


def reasons(reference: Mapping[str, tuple[float, str]], variant: Mapping[str, tuple[float, str]],
            met: Mapping[str, float], missed: Mapping[str, float]) -> list[Reason]:
    """The variables the variant moved towards what the reference's paths meeting the goal have."""
    found = []
    for variable, (ref, over) in reference.items():
        if variable not in variant or variable not in met or variable not in missed:
            continue
        gap = met[variable] - missed[variable]
        move = variant[variable][0] - ref
        if not (np.isfinite(gap) and np.isfinite(move)) or gap == 0.0:
            continue
        helps = INSTRUMENTS.get(variable, float(np.sign(gap)))
        share = helps * move / abs(gap)  # > 0: moved the way that helps the goal
        if share >= MIN_SHARE_OF_GAP:
            found.append((share, Reason(variable, over, ref, variant[variable][0], met[variable], missed[variable])))
    found.sort(key=lambda item: -item[0])
    return [r for _, r in found[:MAX_REASONS]]


def summary_attribution(summary: Mapping[str, Any], goal: str) -> tuple[dict[str, float], dict[str, float]]:
    """summary.json ``attribution`` of one goal as (met means, missed means) by variable."""
    rows = (summary.get("attribution") or {}).get(goal) or []
    met = {r["variable"]: float(r["met"]) for r in rows if isinstance(r, dict) and "variable" in r}
    missed = {r["variable"]: float(r["missed"]) for r in rows if isinstance(r, dict) and "variable" in r}
    return met, missed


def summary_means(summary: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The yearly means summary.json's percentiles carry, by variable."""
    out = {}
    for name, table in (summary.get("percentiles") or {}).items():
        mean = table.get("mean") if isinstance(table, dict) else None
        if isinstance(mean, list):
            out[name] = np.array([np.nan if v is None else v for v in mean], dtype=float)
    return out


def as_dicts(found: list[Reason]) -> list[dict[str, Any]]:
    return [r._asdict() for r in found]
