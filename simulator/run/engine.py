"""Orchestration: split the paths into chunks, run each chunk (here or on dask.distributed), join.

A chunk's numbers depend only on (seed, path index) because every random draw is keyed by them
(simulator.kernels.rng), so any split into chunks and any number of workers or threads gives the same bits.
Default execution is in-process: numba's threads already use every core, and a local dask cluster only
pays off when work is spread over several processes or machines (``workers > 1`` or ``scheduler``).

Policy variants share a chunk's economy: the model kernel draws each path's random numbers once and
runs every variant's accounts on them (common random numbers), so a lever never changes what a path
sees. Variants that change the economy itself (an equity premium, real wage growth) are separate
groups with their own economy, on the same seed."""

from __future__ import annotations

import numpy as np

from simulator.kernels.months import MONTHLY_COLUMNS
from simulator.model.simulate import ModelInputs, SimulationOutput, model_inputs, simulate_chunk
from simulator.run.cluster import run_chunks_on_cluster
from simulator.run.options import RunOptions, chunk_bounds
from simulator.scenario.schema import Scenario
from simulator.variables import STORED


def run_variants(inputs: ModelInputs, options: RunOptions):
    """Every chunk for every variant of ``inputs``; joined in path order: (out variants x paths x
    years, share variants x paths x months, monthly drivers paths x months x N_MONTHLY or None)."""
    stochastic = not options.deterministic
    n_paths = 1 if options.deterministic else options.paths
    bounds = chunk_bounds(n_paths, options.chunk_size)
    if options.scheduler or options.workers > 1:
        results = run_chunks_on_cluster(inputs, options, bounds, stochastic)
    else:
        results = [simulate_chunk(inputs, options.seed, start, size, stochastic, options.keep_monthly)
                   for start, size in bounds]
    out = np.concatenate([r[0] for r in results], axis=1)
    share = np.concatenate([r[1] for r in results], axis=1)
    monthly = np.concatenate([r[2] for r in results], axis=0) if options.keep_monthly else None
    return out, share, monthly


def variant_output(years: np.ndarray, out: np.ndarray, share: np.ndarray, monthly: np.ndarray | None,
                   v: int = 0) -> SimulationOutput:
    """Variant v's results as plain arrays by name (the stored variables only)."""
    annual = {name: np.ascontiguousarray(out[v][name]) for name in STORED}
    months = {"equity_share": share[v]}
    if monthly is not None:
        months.update({name: monthly[:, :, c] for c, name in enumerate(MONTHLY_COLUMNS)})
    return SimulationOutput(years=years, annual=annual, monthly=months)


def run(scenario: Scenario, options: RunOptions) -> SimulationOutput:
    """Simulate ``options.paths`` paths (one zero-shock path when deterministic)."""
    inputs = model_inputs(scenario, deterministic=options.deterministic,
                          parameter_uncertainty=options.parameter_uncertainty)
    out, share, monthly = run_variants(inputs, options)
    return variant_output(inputs.economy.years, out, share, monthly)
