"""What a `simulator run` does, as named steps, so that the command itself holds no logic.

simulate chunk by chunk into the store (or keep the paths meeting --condition) -> the assumption table
and the robustness table -> summary.json, all in a staging directory renamed into place at the end. Each step is a function the
tests and other commands (sweep, solve) can reuse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from simulator import code_revision
from simulator.errors import InputError
from simulator.io.atomic import (
    SUMMARY_FILE,
    OutputExistsError,
    check_output_free,
    check_room,
    output_lock,
    write_directory,
)
from simulator.io.results import write_json
from simulator.io.zarr_store import STORE
from simulator.model.simulate import SimulationOutput, model_inputs
from simulator.model.uncertainty import uncertainty_spec
from simulator.run.chunkstats import summary_spec
from simulator.run.cluster import SchedulerUnreachable
from simulator.run.engine import run as run_engine
from simulator.run.options import RunOptions
from simulator.run.outputs import create_result_store, expected_result_bytes, store_dtype, stored_variables
from simulator.run.pipeline import ChunkJob, from_memory, stream
from simulator.run.progress import Progress, progress
from simulator.run.summary import build_summary
from simulator.scenario.base import ScenarioError
from simulator.scenario.schema import Scenario
from simulator.variables import STORED
from simulator.whatif.assumptions import ASSUMPTIONS, assumption_table
from simulator.whatif.conditions import condition_mask, parse_condition
from simulator.whatif.robustness import add_to_summary, robustness_table
from simulator.whatif.robustness import variants as robustness_variants
from simulator.whatif.costs import COST_VARIABLES, cost_years, lever_costs


class RunJob(NamedTuple):
    scenario: Scenario
    options: RunOptions
    out: Path
    force: bool
    assumptions: bool = True
    assumption_paths: int = 10_000
    condition: str | None = None
    command: str = "simulator run"
    summary_only: bool = False  # no results.zarr: summary.json alone
    scenario_file: str | None = None  # the file the scenario was read from (simulator year-end reads it again)
    robustness: bool = True  # the robustness table on the run's first assumption_paths paths
    overrides: dict[str, Any] = {}  # the --set values (summary.json "overrides"), in the order given
    name: str | None = None  # the run's name: the scenario's, with the overrides (scenario.overrides.run_name)
    economy_files: tuple[str, ...] = ()  # the files the [economy] came from, the main one first
    store: str = "lean"  # what results.zarr keeps: "lean" (float32) or "all" (simulator.run.outputs)


def keep_paths(output: SimulationOutput, mask: np.ndarray) -> SimulationOutput:
    """The output restricted to the paths where ``mask`` holds (their original indices are kept)."""
    return SimulationOutput(years=output.years,
                            annual={k: v[mask] for k, v in output.annual.items()},
                            monthly={k: v[mask] for k, v in output.monthly.items()},
                            paths=np.flatnonzero(mask) if output.paths is None else output.paths[mask])


def conditioned(scenario: Scenario, output: SimulationOutput, condition: str | None
                ) -> tuple[SimulationOutput, dict[str, Any] | None]:
    """The paths meeting --condition, and what summary.json says of it (None without a condition)."""
    if not condition:
        return output, None

    years = [int(y) for y in output.years]
    groups = parse_condition(condition, set(output.annual), years)
    mask = condition_mask(groups, output.annual, years)
    if not mask.any():
        raise ScenarioError(f"--condition: {condition!r} holds on none of the {mask.size} paths")
    return keep_paths(output, mask), {"expression": condition, "paths_kept": int(mask.sum()),
                                      "paths_total": int(mask.size)}


def _chunk_job(job: RunJob, store: Path | None):

    o = job.options
    inputs = model_inputs(job.scenario, deterministic=o.deterministic, parameter_uncertainty=o.parameter_uncertainty)
    return ChunkJob(inputs=inputs, seed=o.seed, stochastic=not o.deterministic, keep_monthly=o.keep_monthly,
                    spec=summary_spec(job.scenario), store=None if store is None else str(store),
                    stored=stored_variables(job.scenario, job.store), float32=store_dtype(job.store) == np.float32)


#: the progress bar's stages (simulator.run.progress), in the order a run does them
SIMULATING, ASSUMPTION_VARIANTS, ROBUSTNESS_VARIANTS = "simulating", "assumption variants", "robustness variants"


def progress_stages(job: RunJob) -> list[tuple[str, int]]:
    """Every stage of the run in paths simulated, declared up front so the bar's total is known: the
    run's paths, then each assumption variant's paths (simulator.whatif.assumptions). A stage added
    later adds its line here; undeclared work grows the bar's total."""
    n = 1 if job.options.deterministic else job.options.paths
    stages = [(SIMULATING, n)]
    if job.assumptions:
        stages.append((ASSUMPTION_VARIANTS, 2 * len(ASSUMPTIONS) * min(n, job.assumption_paths)))
    if job.robustness:  # the run's own scenario again, then each contested reading (simulator.whatif.robustness)
        readings = len(robustness_variants(job.scenario)[0])
        stages.append((ROBUSTNESS_VARIANTS, (1 + readings) * min(n, job.assumption_paths)))
    return stages


def _simulate_into(job: RunJob, staging: Path, advance: Progress):
    """Stream the run into ``staging`` (the store, unless --summary-only); the summary's numbers, what
    summary.json says of --condition, and the paths kept (None: all)."""

    store = None if job.summary_only else staging / STORE
    chunk_job = _chunk_job(job, store)
    if not job.condition:
        n = 1 if job.options.deterministic else job.options.paths
        if store is not None:
            create_result_store(store, job.scenario, job.options, n, job.command, store=job.store)
        advance.stage(SIMULATING)  # one pass: each path reported once
        return stream(chunk_job, job.options, advance), None, None

    output, condition = conditioned(job.scenario, run_engine(job.scenario, job.options), job.condition)
    if store is not None:
        create_result_store(store, job.scenario, job.options, output.paths.size, job.command, output.paths,
                            store=job.store)
    fin = from_memory(chunk_job, output.annual, output.monthly, job.options.chunk_size)
    return fin, condition, output.paths


def refuse_non_finite(summary: dict[str, Any], source: str) -> None:
    """A result whose numbers are not all finite is never written: a figure of the scenario made the
    accounts meaningless (an amount of zero that is divided by, an absurd rate). Exit 2 naming the first
    variable and year."""
    years = summary["years"]
    for name, table in summary["percentiles"].items():
        for stat in ("mean", "p5", "p95"):
            for year, value in zip(years, table[stat]):
                if value is None:
                    raise InputError(f"{source}: the simulation gives non-finite values ({name} in {year}): a figure "
                                     "of the scenario makes the accounts meaningless (a zero where an amount "
                                     "belongs?); nothing was written")


def run_costs(scenario: Scenario, summary: dict[str, Any]) -> dict[str, Any]:
    """What the run's levers cost, MSEK a year (simulator.whatif.costs), from the yearly means."""
    years = summary["years"]
    means = {k: np.array([np.nan if v is None else v for v in summary["percentiles"][k]["mean"]], dtype=float)
             for k in COST_VARIABLES}
    return lever_costs(means, years, scenario.accounts.tax_rate_kr, cost_years(scenario.goals, years))


def run_job(job: RunJob) -> dict[str, Any]:
    """Simulate, summarise and write one run (streamed: memory bounded by the chunk, see
    simulator.run.pipeline); returns summary.json's content."""

    written: dict[str, Any] = {}

    def files(staging: Path) -> None:
        with progress(progress_stages(job), "paths", SIMULATING) as advance:
            fin, condition, kept_paths = _simulate_into(job, staging, advance)
            keep = None
            if condition is not None:
                keep = np.zeros(condition["paths_total"], dtype=bool)
                keep[kept_paths] = True
            advance.stage(ASSUMPTION_VARIANTS)  # simulator.whatif.variants reports to this bar
            table, used = (assumption_table(job.scenario, job.options, job.assumption_paths, keep)
                           if job.assumptions else (None, None))
            advance.stage(ROBUSTNESS_VARIANTS)
            robust = (robustness_table(job.scenario, job.options, job.assumption_paths, keep)
                      if job.robustness else None)
        summary = build_summary(job.scenario, job.options, fin, table, used,
                                job.options.parameter_uncertainty, condition)
        add_to_summary(summary, job.scenario, robust)
        if job.scenario_file is not None:  # where to read the scenario again (simulator year-end)
            summary["scenario_file"] = job.scenario_file
        refuse_non_finite(summary, job.scenario_file or job.scenario.name)
        summary["code"] = code_revision()  # the commit beside the version: a result can be cited
        summary["name"] = job.name or job.scenario.name  # a variant remembers what it is
        summary["overrides"] = dict(job.overrides)
        summary["economy_files"] = list(job.economy_files)
        summary["report"] = job.scenario.report.model_dump(mode="json")  # the title without the store
        summary["lever_costs"] = run_costs(job.scenario, summary)
        write_json(staging / SUMMARY_FILE, summary)
        written.update(summary)

    write_directory(job.out, files, job.force, defer_signals=False)
    return written


def run_command(job: RunJob) -> dict[str, Any]:
    """``simulator run``: check the options against the scenario before simulating anything, then run the
    job under --out's lock with the room it needs; the one-line refusals name the option at fault."""
    o = job.options
    if o.parameter_uncertainty and o.deterministic:
        raise InputError("--parameter-uncertainty: needs random paths; it cannot be combined with --deterministic")
    if o.parameter_uncertainty:
        uncertainty_spec(job.scenario)  # bad input (no or unusable standard errors) before simulating
    if job.condition is not None:
        parse_condition(job.condition, set(STORED), job.scenario.simulation.years)
    if job.summary_only and o.keep_monthly:
        raise InputError("--monthly: the monthly drivers go into results.zarr; --summary-only writes none")
    try:
        with output_lock(job.out):  # held from the checks to the final rename: one run writes here at a time
            check_output_free(job.out, job.force)
            check_room(job.out, expected_result_bytes(job.scenario, o, job.summary_only, job.store),
                       largest_file_bytes=8 * 12 * len(job.scenario.simulation.years) * o.chunk_size)
            return run_job(job)
    except SchedulerUnreachable as exc:
        raise InputError(f"--scheduler: {exc}") from None
    except OutputExistsError as exc:
        raise InputError(f"--out: {exc}") from None
