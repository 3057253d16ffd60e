"""Orchestration: split the paths into chunks, run each chunk (here or on dask.distributed), join.

A chunk's numbers depend only on (seed, path index) because every random draw is keyed by them
(simulator.rng), so any split into chunks and any number of workers or threads gives the same bits.
Default execution is in-process: numba's threads already use every core, and a local dask cluster only
pays off when work is spread over several processes or machines (``workers > 1`` or ``scheduler``).
"""

from __future__ import annotations

import logging
import os
from typing import NamedTuple

import numpy as np

from simulator.accounts import (
    N_ACCOUNT_SHOCKS, AccountsInputs, Baseline, accounts_inputs, simulate_accounts,
)
from simulator.drivers import (
    EconomyInputs, annual_from_monthly, economy_inputs, simulate_monthly, zero_shock_path,
)
from simulator.rng import STREAM_ACCOUNTS, annual_normals
from simulator.scenario import Scenario


class SchedulerUnreachable(Exception):
    """--scheduler names a cluster that does not answer (bad input, not an internal error)."""


class RunOptions(NamedTuple):
    paths: int
    seed: int
    chunk_size: int = 5000
    workers: int = 1
    scheduler: str | None = None
    deterministic: bool = False
    keep_monthly: bool = False


class SimulationOutput(NamedTuple):
    years: np.ndarray
    annual: dict[str, np.ndarray]  # name -> (paths, years)
    monthly: dict[str, np.ndarray]  # name -> (paths, months): the equity share, the drivers on request


class ModelInputs(NamedTuple):
    """Everything a chunk needs besides the seed and its paths (picklable for dask)."""

    economy: EconomyInputs
    accounts: AccountsInputs
    baseline: Baseline  # the zero-shock path's values, which plan-year lines are measured against


def model_inputs(scenario: Scenario, deterministic: bool = False) -> ModelInputs:
    """Kernel inputs, and the zero-shock baseline run of the accounts (one path, a few milliseconds)."""
    zero_shock = economy_inputs(scenario, deterministic=True)
    acc = accounts_inputs(scenario)
    monthly, drivers = zero_shock_path(zero_shock)
    _, _, baseline = simulate_accounts(acc, drivers, monthly, None, None)
    economy = zero_shock if deterministic else economy_inputs(scenario)
    return ModelInputs(economy=economy, accounts=acc, baseline=baseline)


def simulate_chunk(
    inputs: ModelInputs, seed: int, path_start: int, n_paths: int, stochastic: bool,
    keep_monthly: bool, numba_threads: int | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Simulate one chunk of paths; a pure function of its arguments (it runs on dask workers too)."""
    if numba_threads is not None:
        import numba

        numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))
    monthly = simulate_monthly(inputs.economy, seed, path_start, n_paths, stochastic)
    annual = annual_from_monthly(inputs.economy, monthly)
    shocks = None
    if stochastic:
        shocks = np.empty((n_paths, annual["inflation"].shape[1], N_ACCOUNT_SHOCKS))
        annual_normals(np.uint64(seed), STREAM_ACCOUNTS, np.int64(path_start), shocks)
    accounts, pension_monthly, _ = simulate_accounts(inputs.accounts, annual, monthly, shocks, inputs.baseline)
    # the monthly equity share is always kept (the committee reads it); the drivers on request
    return {**annual, **accounts}, ({**monthly, **pension_monthly} if keep_monthly else pension_monthly)


def chunk_bounds(n_paths: int, chunk_size: int) -> list[tuple[int, int]]:
    """(start, size) of each chunk, in path order."""
    return [(s, min(chunk_size, n_paths - s)) for s in range(0, n_paths, chunk_size)]


def _join(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {name: np.concatenate([p[name] for p in parts], axis=0) for name in parts[0]}


def _run_on_dask(inputs, options, bounds, stochastic):
    from distributed import Client, LocalCluster

    if options.scheduler:
        try:
            client = Client(options.scheduler, timeout="10s")  # a live scheduler answers at once
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerUnreachable(f"no dask scheduler answers at {options.scheduler!r} ({exc})") from None
        cluster = None
        threads = None  # a remote worker decides its own threads
    else:
        cluster = LocalCluster(
            n_workers=options.workers, threads_per_worker=1, processes=True,
            dashboard_address=None, silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        threads = max(1, (os.cpu_count() or 1) // options.workers)
    try:
        futures = [
            client.submit(simulate_chunk, inputs, options.seed, start, size, stochastic,
                          options.keep_monthly, threads, pure=False)
            for start, size in bounds
        ]
        return client.gather(futures)  # in submission order, i.e. path order
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run(scenario: Scenario, options: RunOptions) -> SimulationOutput:
    """Simulate ``options.paths`` paths (one zero-shock path when deterministic)."""
    stochastic = not options.deterministic
    n_paths = 1 if options.deterministic else options.paths
    inputs = model_inputs(scenario, deterministic=options.deterministic)
    bounds = chunk_bounds(n_paths, options.chunk_size)
    if options.scheduler or options.workers > 1:
        results = _run_on_dask(inputs, options, bounds, stochastic)
    else:
        results = [
            simulate_chunk(inputs, options.seed, start, size, stochastic, options.keep_monthly)
            for start, size in bounds
        ]
    annual = _join([r[0] for r in results])
    monthly = _join([r[1] for r in results])
    return SimulationOutput(years=inputs.economy.years, annual=annual, monthly=monthly)
