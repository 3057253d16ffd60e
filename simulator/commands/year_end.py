"""What ``simulator year-end RUN_DIR --path K --year Y --out FILE.toml`` does: write a scenario that includes
the run's scenario and opens at 31 Dec Y with path K's whole state, so that ``simulator run FILE.toml
--seed S`` (the run's seed) continues path K as its path K.

Path K is simulated again from the seed up to Y (every draw is keyed by seed, path and calendar month,
simulator.kernels.rng), with the zero-shock reference path beside it, and their states after Y are
written as ``[opening]``'s ``state``, ``economy_state``, ``reference_state`` and
``reference_economy_state``. What the run's scenario says of the years up to Y is history: the file
states whole (``replace``) the tables that hold years (the plan, SKR's tax-base path, the tax-rate
schedule, the savings programme, the by-year balanskrav tables, the deposits' start, the stress, the
goals) and keeps only what lies after Y. Goals whose years reach back to Y or earlier are left out:
their outcome on the path is partly history (the file's header names them).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

from simulator.errors import InputError
from simulator.io.atomic import SUMMARY_FILE
from simulator.io.result_files import read_result_json
from simulator.io.safeio import atomic_write_text
from simulator.model.parameters import accounts_params, extend_projection
from simulator.model.simulate import states_after
from simulator.run.summary import scenario_sha256
from simulator.scenario.goals import Goal
from simulator.scenario.loader import merge_tables, parse_scenario, resolve_scenario_data, scenario_source, with_values
from simulator.scenario.schema import Scenario
from simulator.scenario.stress import month_index

#: tables the continuation states whole: the run's scenario holds years there that are now history
REPLACED = ("goals", "stress", "accounts.plan", "accounts.tax_rate_from_year_kr", "accounts.tax_rise",
            "accounts.savings_programme", "accounts.balance_requirement.opening_deficits",
            "accounts.balance_requirement.deadline_by_year", "accounts.balance_requirement.synnerliga_skal_msek",
            "accounts.balance_requirement.realised_gains_msek", "economy.tax_base.expected_growth_pa",
            "economy.prisbasbelopp.known_sek", "pension.deposits")


def year_end_command(run_dir: Path, path: int, year: int, out: Path) -> str:
    """Write FILE.toml; returns the line the command prints."""
    summary = _read_summary(run_dir)
    scenario, scenario_file = _run_scenario(run_dir, summary)
    _check_request(run_dir, summary, scenario, path, year)
    deterministic = bool(summary.get("deterministic"))
    truncated = scenario.model_copy(update={"simulation": scenario.simulation.model_copy(update={"end_year": year})})
    states = states_after(truncated, int(summary["seed"]), path, deterministic,
                          bool(summary.get("parameter_uncertainty")))
    done = year - scenario.simulation.start_year + 1
    document, dropped = continuation(scenario, path, year, states, done, summary, scenario_file, out.parent)
    document["opening"]["source"] = (f"simulator year-end {run_dir} --path {path} --year {year}: path {path} of the "
                                     f"run with seed {summary['seed']} (scenario {scenario_file}, sha256 "
                                     f"{summary['scenario_sha256'][:12]})")
    header = _header(run_dir, path, year, summary, dropped)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, header + tomli_w.dumps(document))
    except OSError as exc:
        raise InputError(f"--out: {out}: cannot be written ({exc.strerror or exc})") from None
    return f"-> {out}: opens at 31 Dec {year} with path {path}'s state; run it with --seed {summary['seed']}"


def _read_summary(run_dir: Path) -> dict[str, Any]:
    """The run's summary.json, checked like any result read back (simulator.io.result_files)."""
    path = run_dir / SUMMARY_FILE
    if not path.is_file():
        raise InputError(f"{run_dir}: no {SUMMARY_FILE}: not the result of simulator run (year-end continues a "
                         "run's path)")
    summary = read_result_json(path)
    if summary.get("kind") == "sweep" or "runs" in summary:
        raise InputError(f"{run_dir}: not the result of simulator run (year-end continues a run's path)")
    return summary


def _run_scenario(run_dir: Path, summary: dict[str, Any]) -> tuple[Scenario, Path]:
    """The run's scenario as it ran: its file, with the --set values the run was given, unchanged since."""
    name = summary.get("scenario_file")
    if not isinstance(name, str) or not name:
        raise InputError(f"{run_dir / SUMMARY_FILE}: scenario_file: the run does not say which scenario file it "
                         "ran (runs before year-end existed); run it again")
    scenario_file = Path(name)
    data, files = resolve_scenario_data(scenario_file)
    overrides = summary.get("overrides") or {}
    if not isinstance(overrides, dict):
        raise InputError(f"{run_dir / SUMMARY_FILE}: overrides: must be a table of dotted fields")
    scenario = parse_scenario(with_values(data, overrides), scenario_source(scenario_file, files))
    if scenario_sha256(scenario) != summary.get("scenario_sha256"):
        raise InputError(f"{scenario_file}: changed since the run in {run_dir} (its scenario_sha256 differs): "
                         "year-end continues the run as it ran; restore the file or run again")
    return scenario, scenario_file


def _check_request(run_dir: Path, summary: dict[str, Any], scenario: Scenario, path: int, year: int) -> None:
    paths = int(summary.get("paths", 0))
    if not 0 <= path < paths:
        raise InputError(f"--path: {path} is not a path of the run in {run_dir} (its paths are 0..{paths - 1})")
    sim = scenario.simulation
    if not sim.start_year <= year < sim.end_year:
        raise InputError(f"--year: must be in {sim.start_year}..{sim.end_year - 1}, a simulated year with one after "
                         f"it (got {year})")


def record_table(record: np.void) -> dict[str, Any]:
    """A STATE or ECONOMY_STATE record as TOML values: every field, arrays as lists, exact floats."""
    table: dict[str, Any] = {}
    for name in record.dtype.names:
        value = record[name]
        table[name] = value.tolist() if isinstance(value, np.ndarray) else value.item()
    return table


def rebased(state: np.ndarray, years_done: int) -> np.ndarray:
    """The state with its origin moved to the year-end: the rolling high's months count from December Y =
    -1 (as at a declared opening), and the year count and the deficit vintages go on from where they were."""
    s = state.copy()
    s["dq_idx"] -= 12 * years_done
    s["years_before"] += years_done
    s["vintage_base"] += years_done
    return s


def continuation(scenario: Scenario, path: int, year: int, states, done: int, summary: dict[str, Any],
                 scenario_file: Path, folder: Path) -> tuple[dict[str, Any], list[str]]:
    """The continuation scenario's tables (and the goals left out), from the run's resolved scenario."""
    after = year + 1
    end = scenario.simulation.end_year
    goals, dropped = _goals_ahead(scenario.goals, year)
    document: dict[str, Any] = {
        "include": [os.path.relpath(scenario_file.resolve(), folder.resolve())],
        "replace": list(REPLACED),
        "name": f"{scenario.name}-path{path}-{year}"[-100:],
        "description": f"{scenario.description} (continued from 31 Dec {year})".strip(),
        "opening": {"year": year, "state": record_table(rebased(states.accounts, done)[0]),
                    "economy_state": record_table(states.economy[0]),
                    "reference_state": record_table(rebased(states.reference_accounts, done)[0]),
                    "reference_economy_state": record_table(states.reference_economy[0])},
        "simulation": {"start_year": after, "end_year": end},
        "goals": goals,
    }
    # the run's --set values, as tables under what this file states (it ran with them)
    document = merge_tables(with_values({}, summary.get("overrides") or {}), document)
    _accounts_ahead(document, scenario, year)
    _economy_ahead(document, scenario, year, float(states.accounts[0]["pbb_prev"]))
    _pension_ahead(document, scenario, year)
    stress = _stress_ahead(scenario, year)
    if stress is not None:
        document["stress"] = stress
    return document, dropped


def _table(document: dict[str, Any], dotted: str) -> dict[str, Any]:
    node = document
    for key in dotted.split("."):
        node = node.setdefault(key, {})
    return node


def _accounts_ahead(document: dict[str, Any], scenario: Scenario, year: int) -> None:
    acc = scenario.accounts
    start = scenario.simulation.start_year
    rate = accounts_params(scenario)[0]["tax_rate_kr"]  # the scheduled rate by year, the rises of levers in it
    first = year + 1 - start
    n = len(scenario.simulation.years)
    accounts = _table(document, "accounts")
    accounts["tax_rate_kr"] = float(rate[first])
    accounts["tax_rate_from_year_kr"] = {str(start + k): float(rate[k]) for k in range(first + 1, n)
                                         if rate[k] != rate[k - 1]}
    accounts["tax_rise"] = {}
    plan = acc.plan.model_dump(mode="json")
    ahead = [i for i, y in enumerate(acc.plan.years) if y > year]
    accounts["plan"] = {key: [values[i] for i in ahead] for key, values in plan.items()}
    sp = acc.savings_programme
    accounts["savings_programme"] = {
        "msek_by_year": {k: v for k, v in sp.msek_by_year.items() if int(k) > year},
        "pct_by_year": {str(y): sp.pct_in(y) for y in range(year + 1, scenario.simulation.end_year + 1)
                        if sp.pct_in(y) != 0.0}}
    br = acc.balance_requirement
    accounts["balance_requirement"] = {
        **accounts.get("balance_requirement", {}),
        "opening_deficits": [],  # the vintages are in the carried state
        "deadline_by_year": {k: v for k, v in br.deadline_by_year.items() if int(k) > year},
        "synnerliga_skal_msek": {k: v for k, v in br.synnerliga_skal_msek.items() if int(k) > year},
        "realised_gains_msek": {k: v for k, v in br.realised_gains_msek.items() if int(k) > year}}


def _economy_ahead(document: dict[str, Any], scenario: Scenario, year: int, pbb_at_year_end: float) -> None:
    eco = scenario.economy
    _table(document, "economy.tax_base")["expected_growth_pa"] = {
        k: v for k, v in eco.tax_base.expected_growth_pa.items() if int(k) > year}
    known = {str(year): pbb_at_year_end}  # the path's amount (the legal rule's, or decided)
    known.update({k: v for k, v in eco.prisbasbelopp.known_sek.items() if int(k) > year})
    _table(document, "economy.prisbasbelopp")["known_sek"] = known


def _pension_ahead(document: dict[str, Any], scenario: Scenario, year: int) -> None:
    ob = scenario.pension.obligation
    n = len(scenario.simulation.years)
    k0 = year - scenario.simulation.start_year
    obligation = _table(document, "pension.obligation")
    obligation["projection_years"] = list(range(year, scenario.simulation.end_year + 1))
    obligation["provision_msek"] = extend_projection(ob.provision_msek, n)[k0:].tolist()
    obligation["liability_msek"] = extend_projection(ob.liability_msek, n)[k0:].tolist()
    deposits = scenario.pension.deposits.model_dump(mode="json", exclude_none=True)
    if deposits.get("from_year") is not None and deposits["from_year"] <= year:
        del deposits["from_year"]  # in force already
    _table(document, "pension")["deposits"] = deposits


def _stress_ahead(scenario: Scenario, year: int) -> dict[str, Any] | None:
    if scenario.stress is None:
        return None
    start = scenario.simulation.start_year
    first = 12 * (year + 1 - start)
    kept = []
    for item in scenario.stress.set:
        if month_index(item.end, True, start) < first:
            continue
        entry = item.model_dump(mode="json", exclude_none=True)
        if month_index(item.start, False, start) < first:
            entry["start"] = f"{year + 1}-01"
        kept.append(entry)
    return {"description": scenario.stress.description, "set": kept} if kept else None


def _goals_ahead(goals: dict[str, Goal], year: int) -> tuple[dict[str, Any], list[str]]:
    """The goals whose years all lie after the year-end (and combinations of only such goals)."""
    kept: dict[str, Any] = {}
    for name, goal in goals.items():
        if goal.all_of is None and goal.resolved_years and min(goal.resolved_years) > year:
            kept[name] = goal.model_dump(mode="json", exclude_none=True)
    changed = True
    while changed:
        changed = False
        for name, goal in goals.items():
            if name not in kept and goal.all_of and all(part in kept for part in goal.all_of):
                kept[name] = goal.model_dump(mode="json", exclude_none=True)
                changed = True
    return kept, [name for name in goals if name not in kept]


def _header(run_dir: Path, path: int, year: int, summary: dict[str, Any], dropped: list[str]) -> str:
    lines = [f"Written by `simulator year-end {run_dir} --path {path} --year {year}`: a scenario that opens at",
             f"31 Dec {year} with path {path}'s whole state (the accounts, the portfolio and its rolling high, the",
             "drivers, the budget deviation, the reaction's decisions in force, and the zero-shock reference path).",
             f"`simulator run <this file> --seed {summary['seed']}"
             + (" --parameter-uncertainty" if summary.get("parameter_uncertainty") else "")
             + f"` continues path {path} as its path {path}. Do not edit the state by hand.",
             "Goals left out (their years reach back to the year-end, partly history): "
             + (", ".join(dropped) if dropped else "none") + "."]
    return "".join(f"# {line}\n" for line in lines) + "\n"
