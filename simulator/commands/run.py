"""What a `simulator run` does, as named steps, so that the command itself holds no logic.

simulate chunk by chunk into the store (or keep the paths meeting --condition) -> the assumption table
-> summary.json, all in a staging directory renamed into place at the end. Each step is a function the
tests and other commands (sweep, solve) can reuse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from simulator.model.simulate import SimulationOutput
from simulator.run.options import RunOptions
from simulator.scenario.schema import Scenario


class RunJob(NamedTuple):
    scenario: Scenario
    options: RunOptions
    out: Path
    force: bool
    assumptions: bool = True
    assumption_paths: int = 10_000
    condition: str | None = None
    command: str = "simulator run"
    summary_only: bool = False  # no results.zarr: summary.json alone, the percentiles' second pass re-simulates


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
    from simulator.scenario.base import ScenarioError
    from simulator.whatif.conditions import condition_mask, parse_condition

    years = [int(y) for y in output.years]
    groups = parse_condition(condition, set(output.annual), years)
    mask = condition_mask(groups, output.annual, years)
    if not mask.any():
        raise ScenarioError(f"--condition: {condition!r} holds on none of the {mask.size} paths")
    return keep_paths(output, mask), {"expression": condition, "paths_kept": int(mask.sum()),
                                      "paths_total": int(mask.size)}


def _chunk_job(job: RunJob, store: Path | None):
    from simulator.model.simulate import model_inputs
    from simulator.run.chunkstats import summary_spec
    from simulator.run.pipeline import ChunkJob

    o = job.options
    inputs = model_inputs(job.scenario, deterministic=o.deterministic, parameter_uncertainty=o.parameter_uncertainty)
    return ChunkJob(inputs=inputs, seed=o.seed, stochastic=not o.deterministic, keep_monthly=o.keep_monthly,
                    spec=summary_spec(job.scenario), store=None if store is None else str(store))


def _simulate_into(job: RunJob, staging: Path):
    """Stream the run into ``staging`` (the store, unless --summary-only); the summary's numbers, what
    summary.json says of --condition, and the paths kept (None: all)."""
    from simulator.io.zarr_store import STORE
    from simulator.run.outputs import create_result_store
    from simulator.run.pipeline import from_memory, stream
    from simulator.run.progress import progress

    store = None if job.summary_only else staging / STORE
    chunk_job = _chunk_job(job, store)
    if not job.condition:
        n = 1 if job.options.deterministic else job.options.paths
        if store is not None:
            create_result_store(store, job.scenario, job.options, n, job.command)
        with progress(2 * n, "paths", "simulating (2 passes)") as advance:  # pass 2: the exact percentiles
            return stream(chunk_job, job.options, advance), None, None
    from simulator.run.engine import run as run_engine

    output, condition = conditioned(job.scenario, run_engine(job.scenario, job.options), job.condition)
    if store is not None:
        create_result_store(store, job.scenario, job.options, output.paths.size, job.command, output.paths)
    fin = from_memory(chunk_job, output.annual, output.monthly, job.options.chunk_size)
    return fin, condition, output.paths


def run_job(job: RunJob) -> dict[str, Any]:
    """Simulate, summarise and write one run (streamed: memory bounded by the chunk, see
    simulator.run.pipeline); returns summary.json's content."""
    from simulator.io.atomic import SUMMARY_FILE, write_directory
    from simulator.io.results import write_json
    from simulator.run.summary import build_summary
    from simulator.whatif.assumptions import assumption_table

    written: dict[str, Any] = {}

    def files(staging: Path) -> None:
        fin, condition, kept_paths = _simulate_into(job, staging)
        keep = None
        if condition is not None:
            keep = np.zeros(condition["paths_total"], dtype=bool)
            keep[kept_paths] = True
        table, used = (assumption_table(job.scenario, job.options, job.assumption_paths, keep)
                       if job.assumptions else (None, None))
        summary = build_summary(job.scenario, job.options, fin, table, used,
                                job.options.parameter_uncertainty, condition)
        write_json(staging / SUMMARY_FILE, summary)
        written.update(summary)

    write_directory(job.out, files, job.force, defer_signals=False)
    return written
