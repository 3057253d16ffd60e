"""A run streamed chunk by chunk: simulate, write the chunk to the store, reduce it for the summary, once.

Memory is bounded by the chunk, not by the path count (issue 11), and every path is simulated once
(issue 21). The stages:

1. **bins**: a reference sample of paths that are not the run's places the summary's bins
   (:func:`reference_bins`, :mod:`simulator.run.streaming`), in this process, before any chunk;
2. **chunks**: every chunk is simulated, written to its own region of ``results.zarr`` (unless
   ``--summary-only``) and reduced to a :class:`ChunkStats` of fixed size; the stats add up to the same
   bits in any order;
3. the merged stats give summary.json's numbers (:func:`simulator.run.chunkstats.finish`).

In-process by default (numba's threads use every core). With ``--workers N`` or ``--scheduler
ADDRESS`` the chunks are dask tasks: each worker simulates, writes its store chunks into the shared
staging directory and reduces them; the stats are merged on the cluster in a tree, so the client only
receives one, and nothing per path. A lost worker's tasks are run again by dask (a task is a pure
function of its chunks, and a store chunk written twice is written with the same bytes), and the
numbers do not change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator, NamedTuple

import numpy as np

from simulator.io.atomic import pause
from simulator.io.zarr_store import write_chunk
from simulator.kernels.months import MONTHLY_COLUMNS
from simulator.kernels.records import OUTPUT
from simulator.kernels.summary import records_to_variables
from simulator.model.simulate import ModelInputs, simulate_chunk
from simulator.run.chunkstats import (
    AllBins,
    ChunkStats,
    Columns,
    SummarySpec,
    chunk_columns,
    finish,
    finish_exact,
    records_as_doubles,
    sample_bins,
    summary_spec,
)
from simulator.run.cluster import WORKER_TIMEOUT_ENV, ClusterFailure, cluster_client, gather, worker_timeout
from simulator.run.options import RunOptions, chunk_bounds
from simulator.run.streaming import SAMPLE_PATH0, SAMPLE_PATHS
from simulator.variables import STORED

#: chunks per dask task: enough tasks to keep every worker busy and rebalance, few enough that the
#: reduced stats (~60 MB each as they travel) stay cheap to merge
TASKS_PER_WORKER = 4


class ChunkJob(NamedTuple):
    """What every chunk needs (sent once to each dask worker)."""

    inputs: ModelInputs
    seed: int
    stochastic: bool
    keep_monthly: bool
    spec: SummarySpec
    store: str | None  # the store's directory, or None with --summary-only
    threads: int | None = None
    stored: tuple[str, ...] = STORED  # the annual variables the store keeps (simulator.run.outputs)
    float32: bool = False  # the store keeps them as float32


def _simulate(job: ChunkJob, start: int, size: int):
    """A chunk's annual results (name -> paths x years, views into the OUTPUT records), monthly arrays
    (name -> paths x months) and the records themselves (paths x years)."""
    out, share, drivers = simulate_chunk(job.inputs, job.seed, start, size, job.stochastic, job.keep_monthly,
                                         job.threads)
    annual = {name: out[0][name] for name in STORED}  # views: each consumer copies what it lays out
    monthly = {"equity_share": share[0]}
    if drivers is not None:
        monthly.update({name: drivers[:, :, c] for c, name in enumerate(MONTHLY_COLUMNS)})
    return annual, monthly, out[0]


def emit(job: ChunkJob, index: int, annual: dict, monthly: dict, records: np.ndarray | None = None,
         write: Callable | None = None) -> Columns:
    """Write store chunk ``index`` (unless --summary-only; ``write``: store.write_chunk or a
    :class:`BackgroundWriter`) and lay the chunk out for the summary."""
    columns = chunk_columns(job.spec, annual, records)
    if job.store is not None:
        dtype = np.float32 if job.float32 else np.float64
        arrays = ({name: np.asarray(annual[name], dtype=dtype) for name in job.stored} if records is None
                  else stored_arrays(records, job.stored, dtype))
        arrays.update({f"goal_{g}": hits.astype(np.int8) for g, hits in columns.goals.items()})
        arrays.update({f"monthly_{name}": np.asarray(values, dtype=dtype) for name, values in monthly.items()})
        (write or write_chunk)(Path(job.store), index, arrays)
    return columns


class BackgroundWriter:
    """Store chunks compressed and written on a thread while the next chunk is simulated and reduced:
    Blosc and the file writes release the GIL, and would otherwise leave a core idle. At most
    ``depth`` chunks wait (memory stays bounded); the first error is raised by the next call or by
    :meth:`close`, and leaving the block (an error, a signal) waits for the write in progress, so the
    staging directory can be removed behind it."""

    def __init__(self, depth: int = 2):
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        self.depth = depth
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="store-writer")
        self.pending = deque()

    def __call__(self, path: Path, index: int, arrays: dict) -> None:

        while len(self.pending) >= self.depth:
            self.pending.popleft().result()
        self.pending.append(self.pool.submit(write_chunk, path, index, arrays))

    def close(self) -> None:
        while self.pending:
            self.pending.popleft().result()

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        for future in self.pending:
            future.cancel()
        self.pool.shutdown(wait=True)  # the write in progress ends before anyone removes its folder
        return False


def stored_arrays(records: np.ndarray, names: tuple[str, ...] = STORED, dtype=np.float64) -> dict[str, np.ndarray]:
    """Each named variable of the OUTPUT records as its own contiguous paths x years array of ``dtype``."""
    fields = np.array([OUTPUT.names.index(name) for name in names], dtype=np.int64)
    out = np.empty((len(names), *records.shape), dtype=dtype)
    records_to_variables(records_as_doubles(records), fields, out)
    return {name: out[s] for s, name in enumerate(names)}


def reference_bins(job: ChunkJob) -> AllBins:
    """The summary's bins from the reference sample: SAMPLE_PATHS paths of the run's scenario and seed at
    indices from SAMPLE_PATH0, which no run reaches (one path when every shock is zero). Simulated here,
    before any chunk; nothing of it is stored or counted."""
    n = SAMPLE_PATHS if job.stochastic else 1
    annual, _, records = _simulate(job, SAMPLE_PATH0, n)
    return sample_bins(chunk_columns(job.spec, annual, records))


def chunks_task(job: ChunkJob, bins: AllBins, chunks: list[tuple[int, int, int]]) -> ChunkStats:
    """Simulate, write and reduce a run of chunks (index, start, size)."""
    stats = ChunkStats(job.spec, bins)
    for index, start, size in chunks:
        stats.add(emit(job, index, *_simulate(job, start, size)))
    return stats


def merge_task(a: ChunkStats, b: ChunkStats) -> ChunkStats:
    """A new ChunkStats of both: never changes its inputs, which dask may hold and hand out again (a
    merge run twice after a lost worker must not count a chunk twice)."""
    import copy

    return copy.deepcopy(a).merge(b)


# ----------------------------------------------------------------------------------- in this process

def run_here(job: ChunkJob, bins: AllBins, bounds: list[tuple[int, int]], progress: Callable[[int], None]) -> ChunkStats:
    stats = ChunkStats(job.spec, bins)
    with BackgroundWriter() as write:
        for index, (start, size) in enumerate(bounds):
            stats.add(emit(job, index, *_simulate(job, start, size), write=write))
            progress(size)
            if index == 0:
                pause("streaming")  # the tests' fault hook (simulator.io.atomic.pause): a chunk is staged
        write.close()
    return stats


# ----------------------------------------------------------------------------------- on a dask cluster

def _tree_merge(client, futures):
    """Merge the stats futures pairwise on the cluster; one future of all of them."""
    while len(futures) > 1:
        merged = [client.submit(merge_task, futures[i], futures[i + 1], pure=False)
                  for i in range(0, len(futures) - 1, 2)]
        futures = merged + ([futures[-1]] if len(futures) % 2 else [])
    return futures[0]


def _first_worker(client, where: str, timeout: float) -> None:
    """Wait for a worker (what is sent to every worker needs one), at most ``timeout`` seconds."""

    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise ClusterFailure(f"--scheduler {where}: no worker for {timeout:g} s before the run could start (set "
                             f"{WORKER_TIMEOUT_ENV} to wait longer); nothing was written") from None


def task_groups(bounds: list[tuple[int, int]], n_workers: int) -> list[list[tuple[int, int, int]]]:
    """The chunks (index, start, size) split into TASKS_PER_WORKER tasks per worker, dealt round-robin
    so that every task holds chunks from the whole run."""
    chunks = [(i, s, n) for i, (s, n) in enumerate(bounds)]
    n_tasks = min(len(chunks), TASKS_PER_WORKER * max(1, n_workers))
    return [chunks[k::n_tasks] for k in range(n_tasks)]


def run_on_cluster(job: ChunkJob, bins: AllBins, bounds, options: RunOptions,
                   progress: Callable[[int], None]) -> ChunkStats:
    """Every chunk as dask tasks; the stats merged on the cluster; the client gets one ChunkStats."""
    from distributed import wait

    timeout = worker_timeout()
    where = options.scheduler or "(local cluster)"
    with cluster_client(options) as (client, threads, n_workers):
        job = job._replace(threads=threads)
        _first_worker(client, where, timeout)
        shared, shared_bins = client.scatter([job, bins], broadcast=True)
        groups = task_groups(bounds, n_workers)
        futures = [client.submit(chunks_task, shared, shared_bins, g, pure=False) for g in groups]
        for f, g in zip(futures, groups):
            f.add_done_callback(lambda _f, paths=sum(n for _, _, n in g): progress(paths))
        merged = _tree_merge(client, list(futures))
        wait(futures, return_when="FIRST_COMPLETED")
        pause("streaming")  # the tests' fault hook: a task's chunks are in the staged store
        [stats] = gather(client, [merged], where, timeout)
        return stats


def stream(job: ChunkJob, options: RunOptions, progress: Callable[[int], None] = lambda n: None):
    """Simulate every chunk of the run once, writing the store as it goes; the summary's numbers."""
    n_paths = 1 if options.deterministic else options.paths
    bounds = chunk_bounds(n_paths, options.chunk_size)
    bins = reference_bins(job)
    if options.scheduler or options.workers > 1:
        stats = run_on_cluster(job, bins, bounds, options, progress)
    else:
        stats = run_here(job, bins, bounds, progress)
    return finish(job.spec, stats)


def from_memory(job: ChunkJob, annual: dict, monthly: dict, chunk_size: int):
    """The same over results already in memory (run --condition keeps a subset of the paths): the store
    written chunk by chunk, the percentiles exact from the columns in memory."""
    n = annual[STORED[0]].shape[0]
    bounds = chunk_bounds(n, chunk_size)

    def piece(a: dict, start: int, size: int) -> dict:
        return {k: v[start:start + size] for k, v in a.items()}

    columns = [emit(job, i, piece(annual, s, k), piece(monthly, s, k)) for i, (s, k) in enumerate(bounds)]
    stats = ChunkStats(job.spec, None)
    for c in columns:
        stats.add(c)
    return finish_exact(job.spec, stats, columns)


def summarise_output(scenario, output, chunk_size: int = 5000):
    """The summary's numbers for results already in memory (an engine.run output), with no store."""

    job = ChunkJob(inputs=None, seed=0, stochastic=True, keep_monthly=False, spec=summary_spec(scenario),
                   store=None)
    return from_memory(job, output.annual, output.monthly, chunk_size)
