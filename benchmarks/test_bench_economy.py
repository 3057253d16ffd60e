"""Speed of the random numbers, the economic scenario generator, the model kernel and whole runs (warm:
compiled first).

Quick mode (the default, what .ci/run times): 10 000 paths, and with ``SIMULATOR_TESTS=full`` also
100 000 paths and the dask scaling (skipped in ci mode, saying so). ``SIMULATOR_BENCH_FULL=1`` adds
1 000 000 paths (under a minute each on 2 cores) and the first run's compile time.
benchmarks/README.md.
"""

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from simulator.model.drivers import economy_inputs, simulate_drivers
from simulator.run.options import RunOptions
from simulator.model.simulate import model_inputs, simulate_chunk
from simulator.commands.run import RunJob, run_job
from simulator.scenario.loader import load_scenario
from tests.conftest import BASE_TOML, ROOT, full_only, run_command

PATHS = 10_000
MONTHS = 192
FULL = os.environ.get("SIMULATOR_BENCH_FULL") == "1"
#: 100 000 paths: ~12 s a run on 2 cores idle (three benchmarks), run in full mode only
SIZES = [10_000, pytest.param(100_000, marks=full_only("100 000 paths (~40 s for the three sizes' benchmarks)"))
         ] + ([1_000_000] if FULL else [])


@pytest.fixture(scope="module")
def scenario():
    sc = load_scenario(BASE_TOML)
    simulate_drivers(economy_inputs(sc), 1, 0, 4)  # compile outside the timing
    simulate_chunk(model_inputs(sc), 1, 0, 4, True, False)
    return sc


def _throughput(benchmark, paths: int, variants: int = 1) -> None:
    stats = getattr(benchmark, "stats", None)
    if stats is not None and getattr(stats, "stats", None) and stats.stats.data:
        benchmark.extra_info["path_months_per_second"] = paths * variants * MONTHS / stats.stats.min
        benchmark.extra_info["paths"] = paths
        benchmark.extra_info["variants"] = variants


def test_normal_drawing_floor(benchmark, report_ratio):
    """The model's own normals alone (the Philox floor) against numpy's: ratio_to_floor is the issue's
    "normal-drawing floor within 1.5x numpy's"."""
    from benchmarks.conftest import _model_normals

    _model_normals(2, 2, np.uint64(1))
    benchmark.pedantic(_model_normals, args=(PATHS, MONTHS, np.uint64(1)), rounds=5, iterations=1)
    report_ratio(PATHS)


def test_economy_kernel(benchmark, report_ratio, scenario):
    inputs = economy_inputs(scenario)
    benchmark.pedantic(simulate_drivers, args=(inputs, 42, 0, PATHS), rounds=5, iterations=1)
    report_ratio(PATHS)


def test_model_kernel(benchmark, report_ratio, scenario):
    inputs = model_inputs(scenario)
    benchmark.pedantic(simulate_chunk, args=(inputs, 42, 0, PATHS, True, False), rounds=3, iterations=1)
    _throughput(benchmark, PATHS)
    report_ratio(PATHS)


@pytest.mark.parametrize("summary_only", [False, True], ids=["store", "summary-only"])
@pytest.mark.parametrize("paths", SIZES)
def test_full_model(benchmark, report_ratio, report_extra, scenario, tmp_path, paths, summary_only):
    """The whole run as `simulator run --no-assumptions` does it: simulate, stream into the lean
    results.zarr (or not), the one-pass summary, summary.json; per round a new directory."""
    rounds = 2 if paths <= 10_000 else 1  # the best of two: the run varies little beside the machine
    outs = iter(tmp_path / f"r{k}" for k in range(rounds + 1))

    def whole():
        job = RunJob(scenario, RunOptions(paths=paths, seed=42), next(outs), force=False, assumptions=False,
                     summary_only=summary_only)
        return run_job(job)

    benchmark.pedantic(whole, rounds=rounds, iterations=1)
    _throughput(benchmark, paths)
    report_ratio(paths)
    report_extra("path_months_per_second")


def test_sweep_throughput(benchmark, report_extra, scenario):
    """Variants x paths per second on common random numbers (the machinery under sweep and solve)."""
    from simulator.scenario.overrides import load
    from simulator.whatif.variants import run_variants

    variants = [load(BASE_TOML, {"accounts.savings_programme.pct_per_year": 0.1 * k,
                                 "accounts.savings_programme.from_year": 2026,
                                 "accounts.savings_programme.to_year": 2028}) for k in range(25)]
    paths = 2_000
    benchmark.pedantic(run_variants, args=(variants, RunOptions(paths=paths, seed=42, chunk_size=2000)),
                       rounds=1, iterations=1)
    stats = getattr(benchmark, "stats", None)
    if stats is not None and getattr(stats, "stats", None) and stats.stats.data:
        benchmark.extra_info["variant_paths_per_second"] = len(variants) * paths / stats.stats.min
    report_extra("variant_paths_per_second")


@pytest.mark.parametrize("threads", [1, 2])
def test_scaling_with_threads(benchmark, report_extra, scenario, threads):
    """The model kernel on 1 and on 2 numba threads (the in-process default uses all)."""
    inputs = model_inputs(scenario)
    benchmark.pedantic(simulate_chunk, args=(inputs, 42, 0, PATHS, True, False, threads), rounds=3, iterations=1)
    simulate_chunk(inputs, 42, 0, 4, True, False, None)  # back to every thread
    _throughput(benchmark, PATHS)
    report_extra("path_months_per_second")


@full_only("a local cluster per worker count, 60 000 paths on one-thread workers (~35 s each)")
@pytest.mark.parametrize("workers", [1, 2, 4])
def test_scaling_with_dask_workers(benchmark, report_extra, scenario, tmp_path, workers):
    """The streamed run (--summary-only) on a local dask cluster of 1, 2 and 4 single-threaded workers
    (started outside the timing): nothing but one merged stats object comes back to the client. On a
    2-core machine 4 workers share 2 cores: their figure shows the overhead of more processes than
    cores, not scaling."""
    from distributed import LocalCluster

    paths = 60_000
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      env={"NUMBA_NUM_THREADS": "1"}) as cluster:
        outs = iter(tmp_path / f"r{k}" for k in range(3))

        def whole():
            options = RunOptions(paths=paths, seed=42, chunk_size=5000, scheduler=cluster.scheduler_address)
            return run_job(RunJob(scenario, options, next(outs), force=False, assumptions=False, summary_only=True))

        whole()  # every worker compiles (or loads) the kernels outside the timing
        benchmark.pedantic(whole, rounds=1, iterations=1)
    _throughput(benchmark, paths)
    report_extra("path_months_per_second")


PEAK = """
import sys
from simulator.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    if exc.code:
        raise
# VmHWM: this process's own peak (ru_maxrss would carry the parent's peak across fork and exec)
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


@pytest.mark.parametrize("paths", [10_000, pytest.param(200_000, marks=full_only("200 000 paths in a process of its own (~30 s)"))]
                         + ([1_000_000] if FULL else []))
def test_peak_memory(benchmark, report_extra, paths, tmp_path):
    """Peak resident memory of `simulator run --summary-only` in a process of its own (it reports its
    own VmHWM from /proc: Linux only, skipped elsewhere): extra_info peak_rss_mib (target: at most
    1.5 GB at 200 000 paths, and flat in the paths)."""
    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs Linux's /proc/self/status for a process's own peak memory")
    def command():
        done = run_command([sys.executable, "-c", PEAK, "run", str(BASE_TOML), "--paths", str(paths),
                            "--no-assumptions", "--summary-only", "--out", str(tmp_path / f"r{time.time_ns()}")],
                           "the measured run to exit", cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return int(done.stdout.split()[-1])

    peak_kib = benchmark.pedantic(command, rounds=1, iterations=1)
    benchmark.extra_info["peak_rss_mib"] = peak_kib / 1024
    benchmark.extra_info["paths"] = paths
    report_extra("peak_rss_mib")


REFERENCE_PATHS = 20
REFERENCE = """
import sys, time
from simulator.model.simulate import model_inputs, simulate_chunk
from simulator.scenario.loader import load_scenario
inputs = model_inputs(load_scenario(sys.argv[1]))
start = time.perf_counter()
simulate_chunk(inputs, 42, 0, int(sys.argv[2]), True, False)
print(time.perf_counter() - start)
"""


def test_ratio_to_the_reference_implementation(benchmark, report_extra, scenario):
    """The same kernels with the JIT off (NUMBA_DISABLE_JIT=1: the reference the reproducibility tests
    compare bit for bit) on REFERENCE_PATHS paths, scaled to 100 000 paths (it is a loop over paths,
    linear in their number), against the compiled kernel at 100 000 paths."""
    paths = 100_000
    inputs = model_inputs(scenario)
    benchmark.pedantic(simulate_chunk, args=(inputs, 42, 0, paths, True, False), rounds=1, iterations=1)
    stats = getattr(benchmark, "stats", None)
    if stats is None or not getattr(stats, "stats", None) or not stats.stats.data:
        return
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    done = run_command([sys.executable, "-c", REFERENCE, str(BASE_TOML), str(REFERENCE_PATHS)],
                       "the reference implementation to exit", cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    reference = float(done.stdout.split()[-1]) * paths / REFERENCE_PATHS
    benchmark.extra_info.update({"reference_seconds_at_100k": reference,
                                 "speedup_over_reference": reference / stats.stats.min})
    report_extra("speedup_over_reference")


FIRST_RUN = """
import subprocess, sys, time
start = time.perf_counter()
subprocess.run([sys.executable, "-m", "simulator", "run", sys.argv[1], "--paths", "10000", "--seed", "42",
                "--out", sys.argv[2], "--force"], check=True, capture_output=True)
print(time.perf_counter() - start)
"""


@pytest.mark.skipif(not FULL, reason="SIMULATOR_BENCH_FULL=1: compiles every kernel from an empty cache")
def test_first_run_compiles_from_an_empty_cache(benchmark, report_extra, tmp_path):
    """The README's first command with an empty numba cache (NUMBA_CACHE_DIR a new folder) and then
    again with the cache it wrote: extra_info first_run_seconds and later_run_seconds."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")}

    def timed() -> float:
        out = subprocess.run([sys.executable, "-c", FIRST_RUN, str(BASE_TOML), str(tmp_path / "r")], cwd=ROOT,
                             env=env, check=True, capture_output=True, text=True).stdout
        return float(out.split()[-1])

    first = benchmark.pedantic(timed, rounds=1, iterations=1)
    benchmark.extra_info.update({"first_run_seconds": first, "later_run_seconds": timed()})
    report_extra("first_run_seconds")
    report_extra("later_run_seconds")
