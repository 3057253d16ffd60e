"""What a `simulator run` does, as named steps, so that the command itself holds no logic.

simulate -> (keep the paths meeting --condition) -> the assumption table -> the dataset and summary ->
written atomically. Each step is a function the tests and other commands (sweep, solve) can reuse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from simulator.engine import RunOptions, SimulationOutput
from simulator.scenario import Scenario


class RunJob(NamedTuple):
    scenario: Scenario
    options: RunOptions
    out: Path
    force: bool
    assumptions: bool = True
    assumption_paths: int = 10_000
    condition: str | None = None
    command: str = "simulator run"


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
    from simulator.scenario import ScenarioError
    from simulator.stress import condition_mask, parse_condition

    years = [int(y) for y in output.years]
    groups = parse_condition(condition, set(output.annual), years)
    mask = condition_mask(groups, output.annual, years)
    if not mask.any():
        raise ScenarioError(f"--condition: {condition!r} holds on none of the {mask.size} paths")
    return keep_paths(output, mask), {"expression": condition, "paths_kept": int(mask.sum()),
                                      "paths_total": int(mask.size)}


def run_job(job: RunJob) -> dict[str, Any]:
    """Simulate, summarise and write one run; returns summary.json's content."""
    from simulator.assumptions import assumption_table
    from simulator.engine import run as run_engine
    from simulator.results import build_dataset, build_summary, write_results

    output = run_engine(job.scenario, job.options)
    output, condition = conditioned(job.scenario, output, job.condition)
    keep = None
    if condition is not None:
        keep = np.zeros(condition["paths_total"], dtype=bool)
        keep[output.paths] = True
    table, used = (assumption_table(job.scenario, job.options, job.assumption_paths, keep)
                   if job.assumptions else (None, None))
    dataset = build_dataset(job.scenario, job.options, output, job.command)
    summary = build_summary(job.scenario, job.options, output, table, used, job.options.parameter_uncertainty,
                            condition)
    write_results(job.out, dataset, summary, job.force)
    return summary
