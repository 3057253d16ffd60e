"""summary.json -> the parts of the report model it holds: goals, risks, percentiles, policy, ...

Every reader is lenient: a missing or malformed key gives an empty part (None, [] or {}), never an error;
only a summary that is not a JSON object is bad input.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from simulator.io.result_files import ResultFileError, read_result_json
from simulator.report.data.model import (
    Assumption,
    AttributionRow,
    Condition,
    Fan,
    Goal,
    GoalDefinition,
    Policy,
    ReportInputError,
    Risk,
    RobustnessChoice,
)

SUMMARY_FILE = "summary.json"
QUANTILES = ("p5", "p25", "p50", "p75", "p95")


def read_summary(path: Path) -> dict[str, Any]:
    """A summary.json (or compare.json) as a dict, read through its schema (simulator.io.result_files: size
    limit first, then types and ranges); a wrong file is bad input naming the file and the field."""
    try:
        return read_result_json(path)
    except ResultFileError as exc:
        raise ReportInputError(str(exc)) from None


# ------------------------------------------------------------------------------------- values as read

def as_text(value) -> str | None:
    """A non-blank string as it is; anything else None."""
    return value if isinstance(value, str) and value.strip() else None


def as_number(value) -> float | None:
    """A finite number as a float; None for anything else (missing, text, NaN, infinite)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def as_int(value) -> int | None:
    """``as_number`` truncated to an int, or None."""
    x = as_number(value)
    return int(x) if x is not None else None


def as_array(values) -> np.ndarray:
    """A JSON list of numbers as a float array, null as NaN."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


# ---------------------------------------------------------------------------------------- the parts

def _definition(spec: dict[str, Any] | None) -> GoalDefinition | None:
    if not isinstance(spec, dict):
        return None
    years = spec.get("years")
    if not years and spec.get("from_year") is not None and spec.get("to_year") is not None:
        years = range(int(spec["from_year"]), int(spec["to_year"]) + 1)
    return GoalDefinition(
        metric=spec.get("metric"), comparison=spec.get("comparison"),
        threshold=as_number(spec.get("threshold")), years=tuple(int(y) for y in years or ()),
        aggregate=spec.get("aggregate"), all_of=tuple(spec.get("all_of") or ()),
        answer=spec.get("answer") if spec.get("answer") in ("balance", "consolidation") else None)


def read_goals(summary: dict[str, Any], scenario: dict[str, Any] | None, deterministic: bool) -> list[Goal]:
    """summary.json ``goals`` with their definitions from the resolved scenario (when the results hold it)."""
    raw = summary.get("goals")
    if not isinstance(raw, dict):
        return []
    specs = (scenario or {}).get("goals") or {}
    goals = []
    for name, g in raw.items():
        if not isinstance(g, dict) or as_number(g.get("probability")) is None:
            continue
        p = as_number(g["probability"])
        ci = g.get("ci95") or [None, None]
        paths_meeting = g.get("paths_meeting")
        goals.append(Goal(
            name=name,
            description=str(g.get("description") or (specs.get(name) or {}).get("description") or ""),
            probability=p, stderr=as_number(g.get("stderr")),
            ci_low=as_number(ci[0]) if len(ci) > 0 else None, ci_high=as_number(ci[1]) if len(ci) > 1 else None,
            paths_meeting=int(paths_meeting) if paths_meeting is not None else None,
            met=(p >= 0.5) if deterministic else None,
            # the declaration from the results' scenario, else the one summary.json carries (--summary-only)
            definition=_definition(specs.get(name) or g.get("definition"))))
    return goals


def read_risks(raw) -> dict[str, Risk]:
    """summary.json ``risks``: by year, in any year with its interval, and the further figures as given."""
    if not isinstance(raw, dict):
        return {}
    known = {"description", "probability_by_year", "probability_any_year", "ci95_any_year"}
    out = {}
    for name, r in raw.items():
        if not isinstance(r, dict):
            continue
        ci = r.get("ci95_any_year") or [None, None]
        by_year = r.get("probability_by_year")
        out[name] = Risk(
            name=name, description=str(r.get("description") or ""),
            by_year=as_array(by_year) if isinstance(by_year, list) else None,
            any_year=as_number(r.get("probability_any_year")),
            ci_low=as_number(ci[0]) if len(ci) > 0 else None, ci_high=as_number(ci[1]) if len(ci) > 1 else None,
            details={k: v for k, v in r.items() if k not in known and v is not None})
    return out


def read_fans(summary: dict[str, Any]) -> dict[str, Fan]:
    """summary.json ``percentiles`` per variable, kept when every quantile has one value per year."""
    years = np.array(summary.get("years") or [], dtype=int)
    raw = summary.get("percentiles")
    if not isinstance(raw, dict) or years.size == 0:
        return {}
    out = {}
    for name, table in raw.items():
        if not isinstance(table, dict) or not all(len(table.get(q) or []) == years.size for q in QUANTILES):
            continue
        mean = table.get("mean")
        out[name] = Fan(name, years, *(as_array(table[q]) for q in QUANTILES),
                        mean=as_array(mean) if isinstance(mean, list) and len(mean) == years.size else None)
    return out


def read_zero_shock(summary: dict[str, Any]) -> dict[str, np.ndarray]:
    """summary.json ``zero_shock``: the zero-shock path per variable, kept when it has one value per year."""
    raw = summary.get("zero_shock")
    n = len(summary.get("years") or [])
    if not isinstance(raw, dict):
        return {}
    return {k: as_array(v) for k, v in raw.items() if isinstance(v, list) and len(v) == n}


def read_policy(raw) -> Policy | None:
    """summary.json ``policy``: {"name", "reaction": {settings} or "none"} (simulator run)."""
    if isinstance(raw, str):
        return Policy(raw, {})
    if isinstance(raw, dict) and raw.get("name"):
        reaction = raw.get("reaction", raw.get("settings"))
        settings = _flat(reaction, "policy.reaction.") if isinstance(reaction, dict) else {}
        return Policy(str(raw["name"]), settings, no_reaction=reaction == "none")
    return None


def _flat(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested settings as the dotted paths --set names them (policy.reaction.savings.max_per_year_pct)."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def read_assumptions(raw) -> list[Assumption]:
    """summary.json ``assumptions``: each judgment parameter's low and high side with the goals' probabilities."""
    if not isinstance(raw, dict):
        return []
    out = []
    for param, sides in raw.items():
        if not isinstance(sides, dict):
            continue
        low, high = sides.get("low") or {}, sides.get("high") or {}
        goals_low = {g: p for g, p in (low.get("goals") or {}).items() if as_number(p) is not None}
        goals_high = {g: p for g, p in (high.get("goals") or {}).items() if as_number(p) is not None}
        if goals_low or goals_high:
            out.append(Assumption(param, as_number(low.get("value")), as_number(high.get("value")),
                                  goals_low, goals_high))
    return out


_MET_KEYS, _MISSED_KEYS = ("met", "mean_met"), ("missed", "mean_missed")


def read_attribution(raw) -> dict[str, list[AttributionRow]]:
    """summary.json ``attribution``. Accepts per goal either ``{variable: {"met": x, "missed": y}}`` or a list of
    ``{"variable": v, "met": x, "missed": y}`` (``mean_met`` / ``mean_missed`` also read)."""
    if not isinstance(raw, dict):
        return {}
    out = {}
    for goal, table in raw.items():
        if isinstance(table, dict) and isinstance(table.get("variables"), (dict, list)):
            table = table["variables"]
        if isinstance(table, dict):
            items = list(table.items())
        elif isinstance(table, list):
            items = [(r.get("variable"), r) for r in table if isinstance(r, dict)]
        else:
            continue
        rows = []
        for var, r in items:
            if not var or not isinstance(r, dict):
                continue
            met = next((as_number(r[k]) for k in _MET_KEYS if k in r), None)
            missed = next((as_number(r[k]) for k in _MISSED_KEYS if k in r), None)
            if met is not None or missed is not None:
                rows.append(AttributionRow(str(var), met, missed))
        if rows:
            out[goal] = rows
    return out


def read_condition(spec: Any) -> Condition | None:
    """summary.json ``condition`` (``run --condition``): the expression and the paths it kept."""
    if not isinstance(spec, dict) or not isinstance(spec.get("expression"), str):
        return None
    kept, total = spec.get("paths_kept"), spec.get("paths_total")
    if not (isinstance(kept, int) and isinstance(total, int)):
        return None
    return Condition(spec["expression"], kept, total)


#: a robustness entry whose name holds one of these is the sceptic's combination of choices
SCEPTIC_WORDS = ("sceptic", "skeptic")


def read_robustness(raw) -> list[RobustnessChoice]:
    """summary.json ``robustness``: ``{choice: {"value": x, "goals": {goal: {"diff": d, "stderr": s}}}}``,
    one entry the sceptic's combination (CONTRACT.md). Read tolerantly: results of older versions have
    none, and an entry without a usable difference is left out."""
    if not isinstance(raw, dict):
        return []
    out = []
    for name, entry in raw.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("goals"), dict):
            continue
        diffs = {}
        for goal, d in entry["goals"].items():
            diff = as_number(d.get("diff")) if isinstance(d, dict) else None
            if diff is not None:
                diffs[goal] = (diff, as_number(d.get("stderr")))
        if diffs:
            out.append(RobustnessChoice(str(name), entry.get("value"), diffs,
                                        sceptic=any(w in str(name).lower() for w in SCEPTIC_WORDS)
                                        or bool(entry.get("sceptic"))))
    return out


def read_lever_costs(raw) -> dict[str, Any] | None:
    """summary.json ``lever_costs`` (simulator.whatif.costs), when whole."""
    keys = ("tax_raised_msek", "savings_msek", "deposits_msek", "derisking_months")
    if isinstance(raw, dict) and all(as_number(raw.get(k)) is not None for k in keys):
        return raw
    return None
