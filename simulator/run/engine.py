"""Orchestration: split the paths into chunks, run each chunk (here or on dask.distributed), join.

A chunk's numbers depend only on (seed, path index) because every random draw is keyed by them
(simulator.kernels.rng), so any split into chunks and any number of workers or threads gives the same bits.
Default execution is in-process: numba's threads already use every core, and a local dask cluster only
pays off when work is spread over several processes or machines (``workers > 1`` or ``scheduler``).

Policy variants share a chunk's economy: the model kernel draws each path's random numbers once and
runs every variant's accounts on them (common random numbers), so a lever never changes what a path
sees. Variants that change the economy itself (an equity premium, real wage growth) are separate
groups with their own economy, on the same seed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import re
from typing import NamedTuple

import numpy as np

from simulator.errors import InputError, RunFailure
from simulator.model.accounts import Perturbation, accounts_params
from simulator.model.drivers import EconomyInputs, economy_inputs, per_path
from simulator.kernels.accounts import STATE
from simulator.kernels.economy import MONTHLY_COLUMNS, N_MONTHLY
from simulator.kernels.model import simulate_paths
from simulator.scenario.schema import Scenario
from simulator.model.stress import stress_array
from simulator.model.uncertainty import Uncertainty, draw_parameters, uncertainty_spec
from simulator.variables import OUTPUT, STORED


class SchedulerUnreachable(InputError):
    """--scheduler names a cluster that does not answer (bad input, not an internal error)."""


class RunOptions(NamedTuple):
    paths: int
    seed: int
    chunk_size: int = 5000
    workers: int = 1
    scheduler: str | None = None
    deterministic: bool = False
    keep_monthly: bool = False
    parameter_uncertainty: bool = False


class SimulationOutput(NamedTuple):
    years: np.ndarray
    annual: dict[str, np.ndarray]  # name -> (paths, years)
    monthly: dict[str, np.ndarray]  # name -> (paths, months): the equity share, the drivers on request
    paths: np.ndarray | None = None  # the paths' indices when only some are kept (run --condition)


class ModelInputs(NamedTuple):
    """Everything a chunk needs besides the seed and its paths (picklable for dask)."""

    economy: EconomyInputs
    params: np.ndarray  # (variants,) accounts PARAMS records
    baseline: np.ndarray  # (variants, years) OUTPUT records of each variant's zero-shock run
    has_baseline: bool  # False for a deterministic run: it is the zero-shock run itself
    uncertainty: Uncertainty | None = None  # --parameter-uncertainty: what each path draws


def _kernel(economy: EconomyInputs, econ: np.ndarray, params: np.ndarray, baseline: np.ndarray,
            has_baseline: bool, seed: int, path_start: int, n_paths: int, stochastic: bool,
            keep_monthly: bool):
    n_var = params.shape[0]
    n_years = economy.years.size
    out = np.zeros((n_var, n_paths, n_years), dtype=OUTPUT)
    share = np.zeros((n_var, n_paths, economy.n_months))
    monthly = np.zeros((n_paths if keep_monthly else 0, economy.n_months, N_MONTHLY))
    states = np.zeros(n_paths, dtype=STATE)
    simulate_paths(econ, economy.tax_anchor, economy.stress, economy.pbb_known, np.uint64(seed),
                   np.int64(path_start), stochastic, params, baseline, has_baseline, states, out, share,
                   monthly)
    return out, share, (monthly if keep_monthly else None)


def zero_shock_baseline(scenario: Scenario, params: np.ndarray) -> np.ndarray:
    """Each variant's zero-shock run (variants x years): what plan-year lines are measured against."""
    zero = economy_inputs(scenario, deterministic=True)
    dummy = np.zeros((params.shape[0], zero.years.size), dtype=OUTPUT)
    out, _, _ = _kernel(zero, per_path(zero.params, 1), params, dummy, False, 0, 0, 1, False, False)
    return out[:, 0, :]


def model_inputs(scenario: Scenario, deterministic: bool = False, variants: list[Scenario] | None = None,
                 perturbations: list[Perturbation] | None = None,
                 parameter_uncertainty: bool = False) -> ModelInputs:
    """Kernel inputs for the scenario (or for each of ``variants``, which must share its economy, or
    for each känslighetsanalys perturbation), and their zero-shock baselines (at the point estimates:
    the plan is measured against them even when each path draws its own parameters)."""
    if perturbations is not None:
        params = np.concatenate([accounts_params(scenario, q) for q in perturbations])
    else:
        params = np.concatenate([accounts_params(v) for v in (variants or [scenario])])
    baseline = zero_shock_baseline(scenario, params)
    stress = stress_array(scenario)  # on the paths, never on the zero-shock baseline
    economy = economy_inputs(scenario, deterministic=deterministic, stress=stress)
    spec = uncertainty_spec(scenario) if parameter_uncertainty else None
    # a deterministic run is its own baseline, unless a stress moves it away from the zero-shock path
    return ModelInputs(economy=economy, params=params, baseline=baseline,
                       has_baseline=not deterministic or stress is not None, uncertainty=spec)


def simulate_chunk(inputs: ModelInputs, seed: int, path_start: int, n_paths: int, stochastic: bool,
                   keep_monthly: bool, numba_threads: int | None = None):
    """Simulate one chunk of paths for every variant; a pure function of its arguments (it runs on dask
    workers too). Returns (annual OUTPUT records variants x paths x years, monthly equity share
    variants x paths x months, the monthly drivers paths x months x N_MONTHLY or None)."""
    if numba_threads is not None:
        import numba

        numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))
    if inputs.uncertainty is not None and stochastic:
        econ = draw_parameters(inputs.economy.params, inputs.uncertainty, seed, path_start, n_paths)
    else:
        econ = per_path(inputs.economy.params, n_paths)
    return _kernel(inputs.economy, econ, inputs.params, inputs.baseline, inputs.has_baseline, seed,
                   path_start, n_paths, stochastic, keep_monthly)


def chunk_bounds(n_paths: int, chunk_size: int) -> list[tuple[int, int]]:
    """(start, size) of each chunk, in path order."""
    return [(s, min(chunk_size, n_paths - s)) for s in range(0, n_paths, chunk_size)]


class ClusterFailure(RunFailure):
    """The cluster answered but cannot run the work: no workers within the timeout, or all of them lost
    (exit 1, one line naming the address)."""


#: seconds to wait for a first worker, and for one to come back when all are lost mid-run
WORKER_TIMEOUT_ENV = "SIMULATOR_WORKER_TIMEOUT"


def worker_timeout() -> float:
    text = os.environ.get(WORKER_TIMEOUT_ENV, "60")
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise SchedulerUnreachable(f"{WORKER_TIMEOUT_ENV}={text!r}: must be a number of seconds > 0")
    return value


def _connect(address: str):
    from distributed import Client

    try:
        return Client(address, timeout="10s")  # a live scheduler answers at once
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerUnreachable(f"no dask scheduler answers at {address!r} ({exc})") from None
    except Exception as exc:  # a server that is not dask: garbage where a handshake was expected
        raise SchedulerUnreachable(f"{address!r} does not speak the dask protocol ({exc.__class__.__name__})") from None


def _gather(client, futures, address: str, timeout: float):
    """The futures' results in submission order; ClusterFailure when the cluster has no worker for
    ``timeout`` seconds (none ever came, or all were lost), instead of waiting for ever."""
    import time

    from distributed import wait

    alone_since = None
    while True:
        try:
            wait(futures, timeout=min(1.0, timeout), return_when="ALL_COMPLETED")
            return client.gather(futures)
        except TimeoutError:  # not done yet: is anyone working on it?
            pending = [f for f in futures if not f.done()]
        if client.scheduler_info().get("workers"):
            alone_since = None
        elif alone_since is None:
            alone_since = time.monotonic()
        elif time.monotonic() - alone_since > timeout:
            raise ClusterFailure(f"--scheduler {address}: no worker for {timeout:g} s with {len(pending)} of "
                                 f"{len(futures)} chunks left (set {WORKER_TIMEOUT_ENV} to wait longer); "
                                 "nothing was written")


def _missing_on_workers(exc: BaseException) -> str | None:
    """The module a worker could not import, when ``exc`` says so and the module imports here (the
    workers' environment differs from this one); else None. A task that fails to unpickle arrives as
    the ImportError itself; data scattered to such a worker arrives as a plain Exception whose text is
    the worker's ``ModuleNotFoundError("No module named ...")``."""
    name = exc.name if isinstance(exc, ImportError) else None
    if name is None:
        found = re.search(r"(?:ModuleNotFoundError|ImportError)\(.*No module named '([^']+)'", str(exc))
        name = found.group(1) if found else None
    if name is None or importlib.util.find_spec(name.partition(".")[0]) is None:
        return None
    return name


@contextlib.contextmanager
def cluster_client(options: RunOptions):
    """A dask client: on the cluster at --scheduler, or on a local cluster of --workers processes.
    Yields (client, numba threads per task or None for a remote worker's own, workers now)."""
    from distributed import Client, LocalCluster

    if options.scheduler:
        client = _connect(options.scheduler)
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
        yield client, threads, max(1, len(client.scheduler_info().get("workers", {})))
    except Exception as exc:
        missing = _missing_on_workers(exc)
        if missing is None:
            raise
        where = options.scheduler or "(local cluster)"
        raise ClusterFailure(f"--scheduler {where}: a worker cannot import {missing!r}; install simulator and "
                             "its dependencies, the version this run uses, on every worker; nothing was "
                             "written") from None
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run_on_dask(inputs, options, bounds, stochastic):
    timeout = worker_timeout()
    with cluster_client(options) as (client, threads, _):
        futures = [
            client.submit(simulate_chunk, inputs, options.seed, start, size, stochastic,
                          options.keep_monthly, threads, pure=False)
            for start, size in bounds
        ]
        return _gather(client, futures, options.scheduler or "(local cluster)", timeout)  # in path order


def run_variants(inputs: ModelInputs, options: RunOptions):
    """Every chunk for every variant of ``inputs``; joined in path order: (out variants x paths x
    years, share variants x paths x months, monthly drivers paths x months x N_MONTHLY or None)."""
    stochastic = not options.deterministic
    n_paths = 1 if options.deterministic else options.paths
    bounds = chunk_bounds(n_paths, options.chunk_size)
    if options.scheduler or options.workers > 1:
        results = _run_on_dask(inputs, options, bounds, stochastic)
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
