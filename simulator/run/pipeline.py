"""A run streamed chunk by chunk: simulate, write the chunk to the store, reduce it for the summary.

Memory is bounded by the chunk, not by the path count (issue 11). The stages:

1. **pilot**: the first chunks (~``PILOT_PATHS`` paths) are simulated and written; their values place
   the summary's bins (:mod:`simulator.run.streaming`);
2. **pass 1**: every other chunk is simulated, written to its own region of ``results.zarr`` and
   reduced to a :class:`ChunkStats`; the stats add up exactly in any order;
3. **pass 2**: the few values the exact percentiles need beyond the bins are collected from the store,
   or, with ``--summary-only`` (no store), from the same chunks simulated again (same seed, same bits).

In-process by default (numba's threads use every core). With ``--workers N`` or ``--scheduler
ADDRESS`` the chunks are dask tasks: each worker simulates, writes its store chunks into the shared
staging directory and reduces them; the stats are merged on the cluster in a tree, so the client only
receives one. A lost worker's tasks are run again by dask (a task is a pure function of its chunk, and
a store chunk written twice is written with the same bytes), and the numbers do not change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator, NamedTuple

import numpy as np

from simulator.io.atomic import pause
from simulator.io.zarr_store import read_chunk, write_chunk
from simulator.kernels.months import MONTHLY_COLUMNS
from simulator.kernels.summary import records_to_variables
from simulator.model.simulate import ModelInputs, simulate_chunk
from simulator.run.chunkstats import (
    STORED_FIELDS,
    ChunkStats,
    Columns,
    SummarySpec,
    chunk_columns,
    finish,
    percentile_columns,
    pilot_bins,
    records_as_doubles,
    summary_spec,
)
from simulator.run.cluster import WORKER_TIMEOUT_ENV, ClusterFailure, cluster_client, gather, worker_timeout
from simulator.run.options import RunOptions, chunk_bounds
from simulator.run.streaming import PILOT_PATHS
from simulator.variables import STORED

#: chunks per dask task: enough tasks to keep every worker busy and rebalance, few enough that the
#: reduced stats (~60 MB each) stay cheap to merge
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

        arrays = dict(annual) if records is None else stored_arrays(records)
        arrays.update({f"goal_{g}": hits.astype(np.int8) for g, hits in columns.goals.items()})
        arrays.update({f"monthly_{name}": values for name, values in monthly.items()})
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


def stored_arrays(records: np.ndarray) -> dict[str, np.ndarray]:
    """Each stored variable of the OUTPUT records as its own contiguous paths x years array."""

    out = np.empty((len(STORED), *records.shape))
    records_to_variables(records_as_doubles(records), STORED_FIELDS, out)
    return {name: out[s] for s, name in enumerate(STORED)}


def pilot_task(job: ChunkJob, index: int, start: int, size: int) -> Columns:
    return emit(job, index, *_simulate(job, start, size))


def chunks_task(job: ChunkJob, bins, chunks: list[tuple[int, int, int]]) -> ChunkStats:
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


def again_task(job: ChunkJob, start: int, size: int) -> list[np.ndarray]:
    """A chunk simulated again for the second pass (--summary-only): its percentile columns."""
    annual, _, records = _simulate(job, start, size)
    return percentile_columns(job.spec, annual, records)


def _stored_again(job: ChunkJob, bounds: list[tuple[int, int]]) -> Iterator[list[np.ndarray]]:
    """The second pass from the store: each chunk's annual variables read back (float64, lossless),
    the next chunk read and decompressed on a thread meanwhile."""
    from concurrent.futures import ThreadPoolExecutor


    with ThreadPoolExecutor(1, thread_name_prefix="store-reader") as pool:
        ahead = None
        for index, (_, size) in enumerate(bounds):
            current = ahead or pool.submit(read_chunk, Path(job.store), index, list(STORED), size)
            if index + 1 < len(bounds):
                ahead = pool.submit(read_chunk, Path(job.store), index + 1, list(STORED), bounds[index + 1][1])
            yield percentile_columns(job.spec, current.result())


def pilot_count(bounds: list[tuple[int, int]]) -> int:
    """How many of the first chunks make the pilot (at least PILOT_PATHS paths, or all)."""
    total = 0
    for k, (_, size) in enumerate(bounds):
        total += size
        if total >= PILOT_PATHS:
            return k + 1
    return len(bounds)


def _pilot_stats(job: ChunkJob, pilot: list[Columns]):
    """The bins the pilot's chunks place, and the stats of those chunks in them."""
    bins = pilot_bins(pilot)
    stats = ChunkStats(job.spec, bins)
    for columns in pilot:
        stats.add(columns)
    return bins, stats


def _counted(bounds: list[tuple[int, int]], chunks: Iterator, progress: Callable[[int], None]) -> Iterator:
    """The second pass's chunks (in ``bounds``' order), advancing the progress bar after each."""
    for (_, size), columns in zip(bounds, chunks):
        yield columns
        progress(size)


# ----------------------------------------------------------------------------------- in this process

def run_here(job: ChunkJob, bounds: list[tuple[int, int]], progress: Callable[[int], None]):
    n_pilot = pilot_count(bounds)
    with BackgroundWriter() as write:
        pilot = []
        for index, (start, size) in enumerate(bounds[:n_pilot]):
            pilot.append(emit(job, index, *_simulate(job, start, size), write=write))
            progress(size)
        _, stats = _pilot_stats(job, pilot)
        del pilot
        pause("streaming")  # the tests' fault hook (simulator.io.atomic.pause)
        for index, (start, size) in enumerate(bounds[n_pilot:], start=n_pilot):
            stats.add(emit(job, index, *_simulate(job, start, size), write=write))
            progress(size)
        write.close()

    def second_pass():
        chunks = _stored_again(job, bounds) if job.store is not None else (
            again_task(job, start, size) for start, size in bounds)
        yield from _counted(bounds, chunks, progress)
    return finish(job.spec, stats, second_pass)


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


def run_on_cluster(job: ChunkJob, bounds, options: RunOptions, progress: Callable[[int], None]):

    timeout = worker_timeout()
    where = options.scheduler or "(local cluster)"
    with cluster_client(options) as (client, threads, n_workers):
        job = job._replace(threads=threads)
        _first_worker(client, where, timeout)
        [shared] = client.scatter([job], broadcast=True)
        n_pilot = pilot_count(bounds)
        pilot_futures = [client.submit(pilot_task, shared, i, s, n, pure=False)
                         for i, (s, n) in enumerate(bounds[:n_pilot])]
        pilot = gather(client, pilot_futures, where, timeout)
        progress(sum(n for _, n in bounds[:n_pilot]))
        bins, stats = _pilot_stats(job, pilot)
        del pilot, pilot_futures
        pause("streaming")  # the tests' fault hook: the pilot's chunks are in the staged store
        rest = [(i, s, n) for i, (s, n) in enumerate(bounds) if i >= n_pilot]
        if rest:
            [shared_bins] = client.scatter([bins], broadcast=True)
            n_tasks = min(len(rest), TASKS_PER_WORKER * max(1, n_workers))
            groups = [rest[k::n_tasks] for k in range(n_tasks)]
            futures = [client.submit(chunks_task, shared, shared_bins, g, pure=False) for g in groups]
            for f, g in zip(futures, groups):
                f.add_done_callback(lambda _f, paths=sum(n for _, _, n in g): progress(paths))
            [merged] = gather(client, [_tree_merge(client, futures)], where, timeout)
            stats.merge(merged)

        def second_pass():
            if job.store is not None:
                yield from _counted(bounds, _stored_again(job, bounds), progress)
                return
            # chunks in flight: each comes back whole to the client (~70 MB per 5 000 paths), so a few
            window = min(2 * max(1, n_workers), 8)

            def fetched():
                pending = [client.submit(again_task, shared, s, n, pure=False) for s, n in bounds[:window]]
                queue = list(bounds[window:])
                while pending:
                    [columns] = gather(client, [pending.pop(0)], where, timeout)
                    if queue:
                        s, n = queue.pop(0)
                        pending.append(client.submit(again_task, shared, s, n, pure=False))
                    yield columns
            yield from _counted(bounds, fetched(), progress)
        return finish(job.spec, stats, second_pass)


#: how often :func:`stream` reports each path to its progress callable (the pilot and the rest, then the
#: exact percentiles' second pass): the bar counts each path once (simulator.run.progress)
PROGRESS_PASSES = 2


def stream(job: ChunkJob, options: RunOptions, progress: Callable[[int], None] = lambda n: None):
    """Simulate every chunk of the run, writing the store as it goes; the summary's numbers."""
    n_paths = 1 if options.deterministic else options.paths
    bounds = chunk_bounds(n_paths, options.chunk_size)
    if options.scheduler or options.workers > 1:
        return run_on_cluster(job, bounds, options, progress)
    return run_here(job, bounds, progress)


def from_memory(job: ChunkJob, annual: dict, monthly: dict, chunk_size: int):
    """The same stages over results already in memory (run --condition keeps a subset of the paths)."""
    n = annual[STORED[0]].shape[0]
    bounds = chunk_bounds(n, chunk_size)

    def piece(a: dict, start: int, size: int) -> dict:
        return {k: v[start:start + size] for k, v in a.items()}

    columns = [emit(job, i, piece(annual, s, k), piece(monthly, s, k)) for i, (s, k) in enumerate(bounds)]
    n_pilot = pilot_count(bounds)
    _, stats = _pilot_stats(job, columns[:n_pilot])
    for c in columns[n_pilot:]:
        stats.add(c)
    del columns
    return finish(job.spec, stats, lambda: (percentile_columns(job.spec, piece(annual, s, k)) for s, k in bounds))



def summarise_output(scenario, output, chunk_size: int = 5000):
    """The summary's numbers for results already in memory (an engine.run output), with no store."""

    job = ChunkJob(inputs=None, seed=0, stochastic=True, keep_monthly=False, spec=summary_spec(scenario),
                   store=None)
    return from_memory(job, output.annual, output.monthly, chunk_size)
