"""summary.json's content from the streamed statistics of every path (simulator.run.chunkstats.finish):
goals with their intervals, risks, the failure attribution, percentiles, the zero-shock path, the policy."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import numpy as np

from simulator import __version__
from simulator.i18n import t
from simulator.model.goals import share_statistics
from simulator.model.known import known_pins
from simulator.model.parameters import accounts_params
from simulator.model.simulate import zero_shock_baseline
from simulator.run.attribution import attribution_table
from simulator.run.chunkstats import Finished
from simulator.run.options import RunOptions
from simulator.scenario.schema import Scenario, scenario_to_dict
from simulator.variables import PERCENTILES, STORED


def scenario_sha256(scenario: Scenario) -> str:
    """The hash of the resolved scenario (canonical JSON): two runs of the same scenario share it."""
    text = json.dumps(scenario_to_dict(scenario), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json_number(x: float) -> float | None:
    return None if not math.isfinite(x) else round(float(x), 10)


def percentile_table(fin: Finished, name: str) -> dict[str, list[float | None]]:
    """p5..p95 over paths for each year, and the mean (exact: simulator.run.streaming)."""
    q = fin.percentiles[name]
    table = {f"p{p}": [_json_number(v) for v in q[k]] for k, p in enumerate(PERCENTILES)}
    table["mean"] = [_json_number(v) for v in fin.means[name]]
    return table


def goal_summary(scenario: Scenario, fin: Finished) -> dict[str, Any]:
    """Probability of each declared goal with its standard error and Wilson 95 % interval."""
    summary = {}
    for name, k in fin.goals.items():
        stats = share_statistics(k, fin.paths)
        summary[name] = {
            "probability": float(stats["probability"]),
            "stderr": float(stats["stderr"]),
            "ci95": [float(x) for x in stats["ci95"]],
            "paths_meeting": int(stats["paths_meeting"]),
            "description": scenario.goals[name].description,
            "definition": scenario.goals[name].model_dump(mode="json", exclude_none=True,
                                                          exclude={"description"}),
            **({"answer": scenario.goals[name].answer} if scenario.goals[name].answer else {}),
        }
    return summary


def _event(fin: Finished, name: str, description: str) -> dict[str, Any]:
    """Probability of an event per year and in any year (with its Wilson interval)."""
    counts = fin.events[name]
    any_year = share_statistics(int(counts[-1]), fin.paths)
    return {
        "description": description,
        "probability_by_year": [int(k) / fin.paths for k in counts[:-1]],
        "probability_any_year": float(any_year["probability"]),
        "ci95_any_year": [float(x) for x in any_year["ci95"]],
    }


def _percentiles(values: np.ndarray) -> dict[str, float]:
    return {f"p{q}": float(v) for q, v in zip(PERCENTILES, values)}


def risk_summary(fin: Finished) -> dict[str, Any]:
    """Events the rules record: loan-limit and debt-ceiling breaches and the overdraft, de-risking
    under the dynamiska riskprincipen by depth and duration, and breaches of its protection level
    (skyddsnivå), with how long and how large they are."""
    risks = {name: _event(fin, name, t(f"risk.{name}", "sv"))
             for name in ("loan_limit_breach", "debt_ceiling_breach", "overdraft_used")}
    path_months = fin.paths * 12 * len(fin.years)
    risks["derisking"] = _event(fin, "derisking", t("risk.derisking", "sv"))
    risks["derisking"].update({
        "mean_months_by_year": [float(x) for x in fin.means["derisking_months"]],
        "total_months_percentiles": _percentiles(fin.risk_percentiles["total_months"]),
        "longest_spell_months_percentiles": _percentiles(fin.risk_percentiles["longest_spell_months"]),
        "months_below_half_equity_percentiles": _percentiles(fin.risk_percentiles["months_below_half_equity"]),
        "share_of_months_far_below_strategic": math.fsum(fin.sums["months_far_below_strategic"]) / path_months,
        "share_of_months_below_half_equity": math.fsum(fin.sums["months_below_half_equity"]) / path_months,
    })
    risks["protection_breach"] = _event(fin, "protection_breach", t("risk.protection_breach", "sv"))
    risks["protection_breach"]["size_percentiles_when_breached"] = (
        _percentiles(fin.breach_percentiles) if fin.breach_percentiles is not None else None)
    risks["protection_breach"]["mean_months_by_year"] = [float(x) for x in fin.means["protection_breach_months"]]
    return risks


def attribution_summary(fin: Finished) -> dict[str, list[dict[str, Any]]]:
    """The failure attribution for the goals some paths meet and some miss (simulator.model.stress)."""

    decided = {g for g, k in fin.goals.items() if 0 < k < fin.paths}
    columns = list(fin.attribution)
    return attribution_table(columns, [fin.attribution[c][0] for c in columns],
                             [fin.attribution[c][1] for c in columns], decided)


def zero_shock_summary(scenario: Scenario) -> dict[str, list[float | None]]:
    """The zero-shock path of every stored variable, per year (the plan years are the plan): the line the
    report draws into each fan."""

    path = zero_shock_baseline(scenario, accounts_params(scenario))[0]
    return {name: [_json_number(v) for v in path[name]] for name in STORED}


def interval_covers(n_paths: int, parameter_uncertainty: bool) -> str:
    """What the goals' intervals include, in one sentence (summary.json and the run table)."""
    if parameter_uncertainty:
        return (f"Simulation error of {n_paths} paths and the estimation error of the calibrated "
                "parameters (each path draws them from their sampling distribution); the judgment "
                "parameters are held fixed: see assumptions.")
    return (f"Simulation error only: the 95 % Wilson interval of a share of {n_paths} paths. The model's "
            "parameters are held fixed: see assumptions for how the answers move with them.")


def policy_summary(scenario: Scenario) -> dict[str, Any]:
    """The policy in force: the reaction rule and its settings, or "none" (oförändrad politik)."""
    reaction = scenario.policy.reaction
    return {"name": scenario.policy.name,
            "reaction": reaction.model_dump(mode="json") if reaction.enabled else "none"}


def build_summary(scenario: Scenario, options: RunOptions, fin: Finished,
                  assumptions: dict[str, Any] | None = None, assumption_paths: int | None = None,
                  parameter_uncertainty: bool = False, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    """summary.json from the streamed statistics of all paths (simulator.run.chunkstats.finish)."""
    n_paths = fin.paths
    summary = {
        "scenario": scenario.name,
        "scenario_sha256": scenario_sha256(scenario),
        "paths": int(n_paths),
        "seed": int(options.seed),
        "version": __version__,
        "deterministic": bool(options.deterministic),
        "parameter_uncertainty": bool(parameter_uncertainty),
        "policy": policy_summary(scenario),
        "interval_covers": interval_covers(n_paths, parameter_uncertainty),
        "goals": goal_summary(scenario, fin),
        "risks": risk_summary(fin),
        "attribution": attribution_summary(fin),
        "years": [int(y) for y in fin.years],
        "percentiles": {name: percentile_table(fin, name) for name in STORED},
    }
    summary["zero_shock"] = zero_shock_summary(scenario)
    pinned = known_pins(scenario)
    summary["known"] = pinned.listed if pinned is not None else []  # känt utfall: what every path took
    if condition is not None:
        summary["condition"] = condition
    if scenario.stress is not None:
        summary["stress"] = scenario.stress.model_dump(mode="json")
    if assumptions is not None:
        summary["assumptions"] = assumptions
        summary["assumptions_paths"] = int(assumption_paths)
    return summary
