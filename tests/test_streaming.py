"""The streamed summary's statistics are exact: np.percentile and a correctly rounded mean over all
rows, bit for bit, whatever the chunks, their order, the pilot that placed the bins and the ties."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.run import streaming
from simulator.run.streaming import ColumnStats, bins_from_pilot, exact_percentiles

Q = (5, 25, 50, 75, 95)


def _stats(x, chunks, pilot_rows, n_bins, lut):
    bins = bins_from_pilot(x[:pilot_rows], n_bins=n_bins, lut_size=lut)
    parts = np.array_split(x, chunks)
    total = None
    for part in parts[::-1]:  # any order
        s = ColumnStats(x.shape[1], bins)
        s.add(part)
        total = s if total is None else total.merge(s) or total
    return total, parts


values = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([0.0, 1.0, -1.0, 0.5, 1e-300, 5e-324, 1e300]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_percentiles_and_means_are_exact(data):
    rows = data.draw(st.integers(1, 300))
    cols = data.draw(st.integers(1, 4))
    x = np.array(data.draw(st.lists(values, min_size=rows * cols, max_size=rows * cols))).reshape(rows, cols)
    total, parts = _stats(x, data.draw(st.integers(1, 6)), data.draw(st.integers(1, rows)),
                          data.draw(st.integers(1, 64)), data.draw(st.integers(1, 64)))
    [got] = exact_percentiles([(total, False)], Q, lambda: ([p] for p in parts))
    assert np.array_equal(got, np.percentile(x, Q, axis=0).T)
    assert np.array_equal(total.means(), [math.fsum(x[:, c]) / rows for c in range(cols)])


def test_nan_propagates_or_is_left_out_as_asked():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((500, 2))
    x[rng.random(500) < 0.4, 1] = np.nan
    total, parts = _stats(x, 3, 100, 16, 16)
    [kept] = exact_percentiles([(total, False)], Q, lambda: ([p] for p in parts))
    assert not np.isnan(kept[0]).any() and np.isnan(kept[1]).all()  # np.percentile gives NaN with a NaN
    [omitted] = exact_percentiles([(total, True)], Q, lambda: ([p] for p in parts))
    assert np.array_equal(omitted[1], np.percentile(x[~np.isnan(x[:, 1]), 1], Q))
    assert np.isnan(total.means()[1]) and total.means(omit_nan=True)[1] == math.fsum(x[~np.isnan(x[:, 1]), 1]) / (~np.isnan(x[:, 1])).sum()


def test_infinities_are_percentiles_like_numpy():
    x = np.array([[-np.inf], [1.0], [2.0], [np.inf], [3.0], [np.inf]])
    total, parts = _stats(x, 2, 3, 4, 4)
    [got] = exact_percentiles([(total, False)], Q, lambda: ([p] for p in parts))
    with np.errstate(invalid="ignore"):
        assert np.array_equal(got, np.percentile(x, Q, axis=0).T, equal_nan=True)
    assert np.isnan(total.means()[0])  # inf - inf, as numpy's mean gives


def test_values_in_one_value_bins_need_no_second_pass():
    """Flags and plan years are the same on many paths: the pilot gives them one-value bins, so the
    percentiles come from the counts alone."""
    x = np.random.default_rng(0).permutation(np.repeat([[0.0, 7.0], [1.0, 7.0]], [700, 300], axis=0))
    total, _ = _stats(x, 4, 50, 8, 8)

    def no_second_pass():
        raise AssertionError("the bins should decide")
    [got] = exact_percentiles([(total, False)], Q, no_second_pass)
    assert np.array_equal(got, np.percentile(x, Q, axis=0).T)


def test_a_budget_smaller_than_the_wanted_bins_takes_more_rounds(monkeypatch):
    monkeypatch.setattr(streaming, "COLLECT_BUDGET", 50)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2000, 6))
    total, parts = _stats(x, 5, 200, 4, 8)
    passes = []

    def second():
        passes.append(1)
        return ([p] for p in parts)
    [got] = exact_percentiles([(total, False)], Q, second)
    assert len(passes) > 1
    assert np.array_equal(got, np.percentile(x, Q, axis=0).T)


def test_a_second_pass_that_sees_other_values_is_an_error():
    x = np.random.default_rng(1).standard_normal((400, 1))
    total, parts = _stats(x, 2, 400, 4, 4)
    with pytest.raises(RuntimeError, match="second pass"):
        exact_percentiles([(total, False)], Q, lambda: iter([[parts[0]]]))


def test_the_kernels_give_the_same_bits_with_the_jit_off():
    from simulator.kernels import summary as k

    rng = np.random.default_rng(2)
    x = np.round(rng.standard_normal((300, 3)), 2)
    bins = bins_from_pilot(x[:40], n_bins=8, lut_size=5)
    x = np.ascontiguousarray(x.T)  # the kernels read columns x rows
    start = np.array([0, 1, 1, 3])
    lo, hi = np.array([-np.inf, -0.5, 0.5]), np.array([0.0, 0.1, np.inf])
    outs = []
    for add, count, collect in ((k.add_partials, k.bin_counts, k.collect),
                                (k.add_partials.py_func, k.bin_counts.py_func, k.collect.py_func)):
        p, n, sp = np.zeros((3, k.N_PARTIALS)), np.zeros(3, dtype=np.int64), np.zeros((3, 3), dtype=np.int64)
        c, nans = np.zeros(int(bins.count_start[-1]), dtype=np.int64), np.zeros(3, dtype=np.int64)
        add(x, p, n, sp)
        count(x, bins.edges, bins.edge_start, bins.lut, bins.lut_start, bins.lo, bins.scale, c,
              bins.count_start, nans)
        fill, buffer = np.array([0, 300, 600]), np.zeros(900)
        collect(x, start, lo, hi, fill, buffer)
        outs.append((p, n, c, fill, buffer))
    for a, b in zip(*outs):
        assert np.array_equal(a, b)
    fill, buffer = outs[0][3:]
    assert np.array_equal(np.sort(buffer[:fill[0]]), np.sort(x[0][x[0] < 0]))
    assert np.array_equal(np.sort(buffer[600:fill[2]]), np.sort(x[2][x[2] >= 0.5]))


def test_a_cluster_merge_leaves_its_inputs_as_they_were():
    """dask may hand a task's result to a merge run twice (after a lost worker): the merge must not
    change its inputs, or a chunk would be counted twice."""
    from simulator.run.chunkstats import ChunkStats, chunk_columns, pilot_bins, summary_spec
    from simulator.run.options import RunOptions
    from simulator.run.engine import run
    from simulator.run.pipeline import merge_task
    from simulator.scenario.loader import load_scenario
    from tests.conftest import BASE_TOML

    scenario = load_scenario(BASE_TOML)
    annual = run(scenario, RunOptions(paths=60, seed=1)).annual
    spec = summary_spec(scenario)
    halves = [chunk_columns(spec, {k: v[s] for k, v in annual.items()}) for s in (slice(0, 30), slice(30, 60))]
    bins = pilot_bins(halves)
    a, b = (ChunkStats(spec, bins).add(c) for c in halves)
    before = (a.paths, a.annual.counts.copy(), a.annual.partials.copy(), dict(a.goals))
    once, twice = merge_task(a, b), merge_task(a, b)
    assert once.paths == twice.paths == 60
    assert np.array_equal(once.annual.counts, twice.annual.counts) and once.goals == twice.goals
    assert (a.paths, dict(a.goals)) == (before[0], before[3])
    assert np.array_equal(a.annual.counts, before[1]) and np.array_equal(a.annual.partials, before[2])
