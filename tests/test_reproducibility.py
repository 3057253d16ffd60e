"""Same seed, same numbers: whatever the chunk size, the workers, the threads, and whether the JIT is on."""

import json
import os
import subprocess
import sys
import textwrap

import numba
import numpy as np
import pytest

from simulator.run.options import RunOptions
from simulator.run.engine import run
from tests.conftest import ROOT, base_dict
from simulator.scenario.loader import parse_scenario


@pytest.fixture(scope="module")
def scenario():
    return parse_scenario(base_dict(), "base")


@pytest.fixture(scope="module")
def reference(scenario):
    return run(scenario, RunOptions(paths=60, seed=7, chunk_size=60, keep_monthly=True))


def _assert_identical(a, b):
    assert a.annual.keys() == b.annual.keys()
    for name in a.annual:
        np.testing.assert_array_equal(a.annual[name], b.annual[name], err_msg=name)
    if a.monthly is not None and b.monthly is not None:
        for name in a.monthly:
            np.testing.assert_array_equal(a.monthly[name], b.monthly[name], err_msg=name)


@pytest.mark.parametrize("chunk_size", [1, 7, 25, 1000])
def test_chunk_size_does_not_change_results(scenario, reference, chunk_size):
    _assert_identical(reference, run(scenario, RunOptions(paths=60, seed=7, chunk_size=chunk_size,
                                                          keep_monthly=True)))


def test_thread_count_does_not_change_results(scenario, reference):
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = run(scenario, RunOptions(paths=60, seed=7, chunk_size=60, keep_monthly=True))
    finally:
        numba.set_num_threads(before)
    _assert_identical(reference, single)


def test_path_results_do_not_depend_on_how_many_paths_run(scenario, reference):
    fewer = run(scenario, RunOptions(paths=10, seed=7, keep_monthly=True))
    for name in reference.annual:
        np.testing.assert_array_equal(fewer.annual[name], reference.annual[name][:10])


def test_a_different_seed_gives_different_paths(scenario, reference):
    other = run(scenario, RunOptions(paths=60, seed=8))
    assert not np.array_equal(other.annual["equity_return"], reference.annual["equity_return"])


def test_dask_workers_give_the_same_results(scenario, reference):
    pytest.importorskip("distributed")
    parallel = run(scenario, RunOptions(paths=60, seed=7, chunk_size=13, workers=2, keep_monthly=True))
    _assert_identical(reference, parallel)


def test_jit_disabled_gives_the_same_bits(scenario, reference, tmp_path):
    """The pure-Python interpretation of the kernels (NUMBA_DISABLE_JIT=1) in a fresh process."""
    out = tmp_path / "nojit.npz"
    code = textwrap.dedent(f"""
        import numba
        import numpy as np
        assert numba.config.DISABLE_JIT, "the JIT must be off in this process"
        from simulator.run.options import RunOptions
        from simulator.run.engine import run
        from simulator.scenario.loader import load_scenario
        res = run(load_scenario({str(ROOT / 'scenarios' / 'base.toml')!r}),
                  RunOptions(paths=3, seed=7, chunk_size=2, keep_monthly=True))
        np.savez({str(out)!r}, **{{'a_' + k: v for k, v in res.annual.items()}},
                 **{{'m_' + k: v for k, v in res.monthly.items()}})
    """)
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT, timeout=600)
    got = np.load(out)
    for name, values in reference.annual.items():
        np.testing.assert_array_equal(got["a_" + name], values[:3], err_msg=name)
    for name, values in reference.monthly.items():
        np.testing.assert_array_equal(got["m_" + name], values[:3], err_msg=name)


def test_an_existing_cluster_by_address_gives_the_same_results(scenario, reference):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        remote = run(scenario, RunOptions(paths=60, seed=7, chunk_size=20, scheduler=cluster.scheduler_address,
                                          keep_monthly=True))
    _assert_identical(reference, remote)
