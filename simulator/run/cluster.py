"""Chunks on dask.distributed: a local cluster of --workers processes or an existing one at --scheduler,
with one-line failures (no scheduler, no worker for too long, workers that cannot import the package).
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import re

from simulator.errors import InputError, RunFailure
from simulator.model.simulate import simulate_chunk
from simulator.run.options import RunOptions


class SchedulerUnreachable(InputError):
    """--scheduler names a cluster that does not answer (bad input, not an internal error)."""


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


def gather(client, futures, address: str, timeout: float):
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
        cluster = LocalCluster(  # workers' own logs stay quiet: their errors reach the client as the tasks'
            n_workers=options.workers, threads_per_worker=1, processes=True,
            dashboard_address=None, silence_logs=logging.CRITICAL,
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


def run_chunks_on_cluster(inputs, options, bounds, stochastic):
    timeout = worker_timeout()
    with cluster_client(options) as (client, threads, _):
        futures = [
            client.submit(simulate_chunk, inputs, options.seed, start, size, stochastic,
                          options.keep_monthly, threads, pure=False)
            for start, size in bounds
        ]
        return gather(client, futures, options.scheduler or "(local cluster)", timeout)  # in path order
