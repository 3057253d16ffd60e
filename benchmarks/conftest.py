"""Benchmarks report speed as a ratio to floors measured in the same run (shared machines drift).

Two floors, both for the count of standard normals the kernel needs (paths x months x 7 shocks) and
both on every CPU this process may use:
- ``floor``: numpy's fastest generator here (SFC64, measured against PCG64 and Philox), one thread per
  CPU, each filling its share of a preallocated block (numpy releases the GIL while drawing);
- ``philox floor``: the model's own normals (simulator.kernels.months.draw_normals: Philox4x32-10, one
  32-bit word per normal through the inverse normal distribution function) in a numba parallel loop,
  the same count: the like-for-like floor, what the random numbers alone cost the model.
A benchmark's ``ratio_to_floor`` is its best time over the floor's best time (and
``ratio_to_philox_floor`` likewise). Run them with ``python3 -m pytest benchmarks --benchmark-enable``;
the plain test command runs each once, untimed, so they cannot rot. ``SIMULATOR_TESTS=full`` adds the
100 000-path sizes and the dask scaling, which the default (ci) mode skips, saying so (README.md).
"""

import math
import os
import timeit
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from numba import njit, prange

from simulator.kernels.months import draw_normals
from simulator.kernels.records import N_SHOCKS
from tests.conftest import MODE, MODE_ENV, MODES

_RATIOS: list[tuple[str, float, float, float]] = []
_BLOCK = 1 << 20


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def floor_seconds(n_paths: int, n_months: int = 192, repeat: int = 5) -> float:
    """numpy SFC64 drawing n_paths x n_months x N_SHOCKS normals on all CPUs (best of ``repeat``)."""
    n = n_paths * n_months * N_SHOCKS
    threads = _cpus()
    gens = [np.random.Generator(np.random.SFC64(s)) for s in np.random.SeedSequence(0).spawn(threads)]
    blocks = [np.empty(min(_BLOCK, n)) for _ in range(threads)]
    share = -(-n // threads)

    def draw(k: int) -> None:
        left = min(share, n - k * share)
        while left > 0:
            m = min(_BLOCK, left)
            gens[k].standard_normal(out=blocks[k][:m])
            left -= m
    with ThreadPoolExecutor(threads) as pool:
        return min(timeit.repeat(lambda: list(pool.map(draw, range(threads))), number=1, repeat=repeat))


@njit(parallel=True, cache=False)
def _model_normals(n_paths, n_months, seed):
    acc = np.zeros(n_paths)
    for i in prange(n_paths):
        z = np.empty(N_SHOCKS)
        s = 0.0
        for t in range(n_months):
            draw_normals(seed, i, t, z)
            for k in range(N_SHOCKS):
                s += z[k]
        acc[i] = s
    return acc


def philox_floor_seconds(n_paths: int, n_months: int = 192, repeat: int = 5) -> float:
    """The model's own normals (Philox4x32-10 and the inverse normal distribution function), the same
    count on all threads."""
    _model_normals(2, 2, np.uint64(1))  # compile outside the timing
    return min(timeit.repeat(lambda: _model_normals(n_paths, n_months, np.uint64(1)), number=1, repeat=repeat))


def normals_ratio(n_paths: int = 20_000, rounds: int = 5) -> tuple[float, float, float]:
    """The model's normal-drawing floor over numpy's, measured interleaved (best of ``rounds`` each):
    (model seconds, numpy seconds, ratio)."""
    philox_floor_seconds(2, 2, 1)
    model, numpy_ = math.inf, math.inf
    for _ in range(rounds):
        model = min(model, philox_floor_seconds(n_paths, repeat=1))
        numpy_ = min(numpy_, floor_seconds(n_paths, repeat=1))
    return model, numpy_, model / numpy_


@pytest.fixture
def report_ratio(request, benchmark):
    """Call after the benchmark with the floor: stores and prints the ratio."""

    def record(n_paths: int) -> None:
        stats = getattr(benchmark, "stats", None)
        if stats is None or not getattr(stats, "stats", None) or not stats.stats.data:
            return  # --benchmark-disable: nothing was timed
        best = stats.stats.min
        floor, philox = floor_seconds(n_paths), philox_floor_seconds(n_paths)
        benchmark.extra_info.update({"floor_seconds": floor, "ratio_to_floor": best / floor,
                                     "philox_floor_seconds": philox, "ratio_to_philox_floor": best / philox,
                                     "cpus": _cpus()})
        _RATIOS.append((request.node.name, best, best / floor, best / philox))

    return record


_EXTRA: list[tuple[str, str, float]] = []


@pytest.fixture
def report_extra(request, benchmark):
    """Call after the benchmark with an extra_info key: printed at the end of the run."""
    def record(key: str) -> None:
        if key in benchmark.extra_info:
            _EXTRA.append((request.node.name, key, benchmark.extra_info[key]))
    return record


def pytest_configure(config):  # also when the benchmarks run alone (tests/conftest.py says it otherwise)
    if MODE not in MODES:
        raise pytest.UsageError(f"{MODE_ENV}={MODE!r}: expected one of {', '.join(MODES)} (tests/README.md)")


def pytest_terminal_summary(terminalreporter):
    if _EXTRA:
        terminalreporter.section("throughput, memory and speed-up measured in this run")
        for name, key, value in _EXTRA:
            terminalreporter.write_line(f"{name:<48} {key:<28} {value:,.1f}")
    if _RATIOS:
        terminalreporter.section(f"speed as a ratio to the floors measured in this run ({_cpus()} CPUs)")
        for name, best, ratio, philox in _RATIOS:
            terminalreporter.write_line(f"{name:<40} best {best * 1e3:9.1f} ms   {ratio:6.2f} x numpy floor"
                                        f"   {philox:6.2f} x Philox floor")
