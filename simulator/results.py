"""Results: the xarray Dataset, summary.json, and writing them so that nothing is ever half-written."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import xarray as xr

from simulator import __version__
from simulator.engine import RunOptions, SimulationOutput
from simulator.goals import evaluate_goals, goal_statistics
from simulator.scenario import Scenario, scenario_to_dict
from simulator.variables import ANNUAL, MONTHLY, PERCENTILES, STORED
from simulator.writer import RESULTS_FILE, SUMMARY_FILE, write_directory



def scenario_sha256(scenario: Scenario) -> str:
    """The hash of the resolved scenario (canonical JSON): two runs of the same scenario share it."""
    text = json.dumps(scenario_to_dict(scenario), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_dataset(
    scenario: Scenario, options: RunOptions, output: SimulationOutput, command: str
) -> xr.Dataset:
    n_paths = next(iter(output.annual.values())).shape[0]
    index = np.arange(n_paths, dtype=np.int64) if output.paths is None else output.paths.astype(np.int64)
    coords: dict[str, Any] = {
        "path": ("path", index, {"long_name": "path index (its random numbers: seed, path)"}),
        "year": ("year", output.years, {"long_name": "calendar year"}),
    }
    data_vars = {
        name: (("path", "year"), values, {"units": ANNUAL[name].units,
                                          "long_name": ANNUAL[name].long_name,
                                          "long_name_sv": ANNUAL[name].swedish})
        for name, values in output.annual.items()
    }
    # each goal's outcome per path, so that runs can be compared path by path (simulator compare)
    for name, met in evaluate_goals(scenario.goals, output.annual, output.years).items():
        data_vars[f"goal_{name}"] = (("path",), met.astype(np.int8), {
            "units": "1", "long_name": f"1 when the path meets goal {name}",
            "long_name_sv": scenario.goals[name].description or name})
    if output.monthly is not None:
        n_months = next(iter(output.monthly.values())).shape[1]
        months = pd.date_range(f"{int(output.years[0])}-01-01", periods=n_months, freq="MS")
        coords["month"] = ("month", months.values, {"long_name": "first day of the month"})
        for name, values in output.monthly.items():
            data_vars[f"monthly_{name}"] = (
                ("path", "month"), values,
                {"units": MONTHLY[name].units, "long_name": MONTHLY[name].long_name,
                 "long_name_sv": MONTHLY[name].swedish},
            )
    attrs = {
        "title": f"simulator results, scenario {scenario.name}",
        "scenario_name": scenario.name,
        "scenario": json.dumps(scenario_to_dict(scenario), ensure_ascii=False),
        "scenario_sha256": scenario_sha256(scenario),
        "seed": int(options.seed),
        "paths": int(n_paths),
        "deterministic": int(options.deterministic),
        "version": __version__,
        "command": command,
        "history": f"{datetime.now(timezone.utc).isoformat(timespec='seconds')} {command}",
        "money": "MSEK, nominal, unless a variable's units say otherwise",
    }
    return xr.Dataset(data_vars=data_vars, coords=coords, attrs=attrs)


def _json_number(x: float) -> float | None:
    return None if not math.isfinite(x) else round(float(x), 10)


def percentile_table(values: np.ndarray) -> dict[str, list[float | None]]:
    """p5..p95 over paths for each year (values: paths x years)."""
    q = np.percentile(values, PERCENTILES, axis=0)
    table = {f"p{p}": [_json_number(v) for v in q[k]] for k, p in enumerate(PERCENTILES)}
    table["mean"] = [_json_number(v) for v in values.mean(axis=0)]
    return table


def goal_summary(scenario: Scenario, output: SimulationOutput) -> dict[str, Any]:
    """Probability of each declared goal with its standard error and Wilson 95 % interval."""
    hits = evaluate_goals(scenario.goals, output.annual, output.years)
    summary = {}
    for name, met in hits.items():
        stats = goal_statistics(met)
        summary[name] = {
            "probability": float(stats["probability"]),
            "stderr": float(stats["stderr"]),
            "ci95": [float(x) for x in stats["ci95"]],
            "paths_meeting": int(stats["paths_meeting"]),
            "description": scenario.goals[name].description,
        }
    return summary


def _event(description: str, happened: np.ndarray) -> dict[str, Any]:
    """Probability of an event per year and in any year (with its Wilson interval); happened: paths x years."""
    any_year = goal_statistics(happened.any(axis=1))
    return {
        "description": description,
        "probability_by_year": [float(x) for x in happened.mean(axis=0)],
        "probability_any_year": float(any_year["probability"]),
        "ci95_any_year": [float(x) for x in any_year["ci95"]],
    }


def _percentiles(values: np.ndarray) -> dict[str, float]:
    return {f"p{q}": float(v) for q, v in zip(PERCENTILES, np.percentile(values, PERCENTILES))}


def risk_summary(output: SimulationOutput) -> dict[str, Any]:
    """Events the rules record: loan-limit and debt-ceiling breaches and the overdraft, de-risking
    under the dynamiska riskprincipen by depth and duration, and breaches of its protection level
    (skyddsnivå), with how long and how large they are."""
    a = output.annual
    risks = {
        "loan_limit_breach": _event("Låneskulden över låneramen vid årets slut", a["loan_limit_breach"] > 0),
        "debt_ceiling_breach": _event("Skuldsättningsgraden över skuldsättningstaket vid årets slut",
                                      a["debt_ceiling_breach"] > 0),
        "overdraft_used": _event("Checkräkningskrediten utnyttjad vid årets slut", a["overdraft_msek"] > 0),
    }
    months = a["derisking_months"]
    n_months = 12 * months.shape[1]
    risks["derisking"] = _event("Dynamiska riskprincipen tvingar ner aktieandelen under den strategiska",
                                months > 0)
    risks["derisking"].update({
        "mean_months_by_year": [float(x) for x in months.mean(axis=0)],
        "total_months_percentiles": _percentiles(months.sum(axis=1)),
        "longest_spell_months_percentiles": _percentiles(a["derisking_longest_spell_months"][:, -1]),
        "months_below_half_equity_percentiles": _percentiles(a["months_below_half_equity"].sum(axis=1)),
        "share_of_months_far_below_strategic": float(a["months_far_below_strategic"].sum() / (months.shape[0] * n_months)),
        "share_of_months_below_half_equity": float(a["months_below_half_equity"].sum() / (months.shape[0] * n_months)),
    })
    breach = a["protection_breach"] > 0
    risks["protection_breach"] = _event("Portföljen föll under skyddsnivån mellan två ombalanseringar", breach)
    sizes = a["protection_breach_size"][breach]
    risks["protection_breach"]["size_percentiles_when_breached"] = _percentiles(sizes) if sizes.size else None
    risks["protection_breach"]["mean_months_by_year"] = [float(x) for x in a["protection_breach_months"].mean(axis=0)]
    return risks


def zero_shock_summary(scenario: Scenario) -> dict[str, list[float | None]]:
    """The zero-shock path of every stored variable, per year (the plan years are the plan): the line the
    report draws into each fan."""
    from simulator.accounts import accounts_params
    from simulator.engine import zero_shock_baseline

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


def build_summary(scenario: Scenario, options: RunOptions, output: SimulationOutput,
                  assumptions: dict[str, Any] | None = None, assumption_paths: int | None = None,
                  parameter_uncertainty: bool = False, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    from simulator.stress import attribution

    n_paths = next(iter(output.annual.values())).shape[0]
    met = evaluate_goals(scenario.goals, output.annual, output.years)
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
        "goals": goal_summary(scenario, output),
        "risks": risk_summary(output),
        "attribution": attribution(scenario.goals, met, output.annual, [int(y) for y in output.years]),
        "years": [int(y) for y in output.years],
        "percentiles": {name: percentile_table(values) for name, values in output.annual.items()},
    }
    summary["zero_shock"] = zero_shock_summary(scenario)
    if condition is not None:
        summary["condition"] = condition
    if scenario.stress is not None:
        summary["stress"] = scenario.stress.model_dump(mode="json")
    if assumptions is not None:
        summary["assumptions"] = assumptions
        summary["assumptions_paths"] = int(assumption_paths)
    return summary


def expected_result_bytes(scenario: Scenario, options: RunOptions) -> int:
    """About how large results.nc will be: every stored variable per path and year, the monthly equity
    share (and the monthly drivers with --monthly), each goal per path (check_room, before simulating)."""
    from simulator.kernels.economy import N_MONTHLY

    n_years = len(scenario.simulation.years)
    n_paths = 1 if options.deterministic else options.paths
    per_path = 8 * (len(STORED) * n_years + 12 * n_years) + len(scenario.goals) + 16
    if options.keep_monthly:
        per_path += 8 * N_MONTHLY * 12 * n_years
    return n_paths * per_path + (1 << 20)


def write_results(out: Path, dataset: xr.Dataset, summary: dict[str, Any], force: bool) -> None:
    """results.nc and summary.json, all or nothing (:func:`write_directory`)."""
    def files(staging: Path) -> None:
        # uncompressed: simulated doubles barely compress (measured 25 % smaller at 10x the write time)
        dataset.to_netcdf(staging / RESULTS_FILE, engine="h5netcdf")
        write_json(staging / SUMMARY_FILE, summary)

    write_directory(out, files, force)


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def open_results(out: str | Path) -> xr.Dataset:
    return xr.open_dataset(Path(out) / RESULTS_FILE, engine="h5netcdf")
