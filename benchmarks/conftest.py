"""Benchmarks report speed as a ratio to a floor measured in the same run (shared machines drift).

The floor is the cost of the bare random numbers the kernel needs: numpy drawing the same count of
standard normals. A benchmark's ``ratio_to_floor`` is its best time over the floor's best time.
Run them with ``python3 -m pytest benchmarks --benchmark-enable``; the plain test command runs each once,
untimed, so they cannot rot.
"""

import timeit

import numpy as np
import pytest

from simulator.kernels.economy import N_SHOCKS

_RATIOS: list[tuple[str, float, float]] = []


def floor_seconds(n_paths: int, n_months: int = 192, repeat: int = 5) -> float:
    rng = np.random.Generator(np.random.Philox(0))
    n = n_paths * n_months * N_SHOCKS
    return min(timeit.repeat(lambda: rng.standard_normal(n), number=1, repeat=repeat))


@pytest.fixture
def report_ratio(request, benchmark):
    """Call after the benchmark with the floor: stores and prints the ratio."""

    def record(floor: float) -> None:
        stats = getattr(benchmark, "stats", None)
        if stats is None or not getattr(stats, "stats", None) or not stats.stats.data:
            return  # --benchmark-disable: nothing was timed
        best = stats.stats.min
        benchmark.extra_info["floor_seconds"] = floor
        benchmark.extra_info["ratio_to_floor"] = best / floor
        _RATIOS.append((request.node.name, best, best / floor))

    return record


def pytest_terminal_summary(terminalreporter):
    if _RATIOS:
        terminalreporter.section("speed as a ratio to the floor measured in this run")
        for name, best, ratio in _RATIOS:
            terminalreporter.write_line(f"{name:<40} best {best * 1e3:9.1f} ms   {ratio:6.2f} x floor")
