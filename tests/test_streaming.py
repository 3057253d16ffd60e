"""The streamed summary's statistics: one pass, the same bits whatever the chunks and their order; means
exact; percentiles within a tenth of their Monte Carlo error of np.percentile (at 10^4 and 10^5 paths of
the base scenario), exact on atoms, integers and the extremes; each with its order-statistic interval."""

import math
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.run.streaming import (
    ColumnStats,
    bins_from_sample,
    exact_percentiles,
    interval_ranks,
    percentiles,
)

Q = (5, 25, 50, 75, 95)


def _stats(x, bins, chunks, order=None):
    parts = np.array_split(x, chunks)
    total = None
    for part in (parts if order is None else [parts[k] for k in order]):
        s = ColumnStats(x.shape[1], bins)
        s.add(part)
        total = s if total is None else total.merge(s)
    return total


def _state(s: ColumnStats):
    return (s.rows, s.counts.tobytes(), s.span_lo.tobytes(), s.span_hi.tobytes(), s.extremes.tobytes(),
            s.specials.tobytes(), s.sums().tobytes())


values = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([0.0, 1.0, -1.0, 0.5, 1e-300, 5e-324, 1e300]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_chunks_in_any_split_and_order_give_the_same_bits(data):
    rows = data.draw(st.integers(1, 300))
    cols = data.draw(st.integers(1, 3))
    x = np.array(data.draw(st.lists(values, min_size=rows * cols, max_size=rows * cols))).reshape(rows, cols)
    sample = np.array(data.draw(st.lists(values, min_size=1, max_size=200)))
    bins = bins_from_sample(np.tile(sample, (cols, 1)))
    chunks = data.draw(st.integers(1, 6))
    order = data.draw(st.permutations(range(chunks)))
    a, b = _stats(x, bins, 1), _stats(x, bins, chunks, order)
    assert _state(a) == _state(b)
    qa, qb = percentiles(a, Q), percentiles(b, Q)
    assert np.array_equal(qa[0], qb[0], equal_nan=True) and np.array_equal(qa[1], qb[1], equal_nan=True)
    assert np.array_equal(a.means(), [math.fsum(x[:, c]) / rows for c in range(cols)])  # exact means
    got, ci = qa
    assert np.all(got[:, 0] >= x.min(axis=0)) and np.all(got[:, -1] <= x.max(axis=0))
    slack = 1e-9 * np.abs(got) + 1e-300
    assert np.all(ci[:, :, 0] <= got + slack) and np.all(got <= ci[:, :, 1] + slack)


def test_atoms_integers_and_extremes_are_exact():
    """Flags, months and a value many paths share (a cap, a plan year) are exact; so are the minimum
    and the maximum, which numpy's p0 and p100 are."""
    rng = np.random.default_rng(0)
    n = 5000
    x = np.column_stack([rng.random(n) < 0.3, rng.integers(0, 13, n), np.where(rng.random(n) < 0.6, 0.761, rng.random(n)),
                         rng.standard_normal(n)]).astype(float)
    bins = bins_from_sample(np.random.default_rng(1).permutation(x)[:2048].T)
    stats = _stats(x, bins, 4)
    got, _ = percentiles(stats, Q)
    expected = np.percentile(x, Q, axis=0).T
    assert np.array_equal(got[:2], expected[:2])
    assert got[2, 2] == got[2, 3] == expected[2, 2] == 0.761  # p50 and p75 fall on the shared value
    ends, _ = percentiles(stats, (0, 100))
    assert np.array_equal(ends, np.percentile(x, (0, 100), axis=0).T)


def test_nan_propagates_or_is_left_out_as_asked():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((500, 2))
    x[rng.random(500) < 0.4, 1] = np.nan
    stats = _stats(x, bins_from_sample(x[:200].T), 3)
    kept, _ = percentiles(stats, Q)
    assert not np.isnan(kept[0]).any() and np.isnan(kept[1]).all()  # np.percentile gives NaN with a NaN
    omitted, _ = percentiles(stats, Q, omit_nan=True)
    assert np.abs(omitted[1] - np.percentile(x[~np.isnan(x[:, 1]), 1], Q)).max() < 0.05
    kept_values = x[~np.isnan(x[:, 1]), 1]
    assert np.isnan(stats.means()[1]) and stats.means(omit_nan=True)[1] == math.fsum(kept_values) / kept_values.size


def test_infinities_are_percentiles_like_numpy():
    x = np.array([[-np.inf], [1.0], [2.0], [np.inf], [3.0], [np.inf], [2.0]])
    got, _ = percentiles(_stats(x, bins_from_sample(x.T), 2), (0, 5, 50, 95, 100))
    with np.errstate(invalid="ignore"):
        expected = np.percentile(x, (0, 5, 50, 95, 100), axis=0).T
    assert np.array_equal(got, expected, equal_nan=True)  # inf - inf is NaN in numpy's interpolation too
    assert np.isnan(_stats(x, None, 1).means()[0])  # inf - inf, as numpy's mean gives


def test_the_kernels_give_the_same_bits_with_the_jit_off():
    from simulator.kernels import summary as k

    rng = np.random.default_rng(2)
    x = np.round(rng.standard_normal((300, 3)), 2)
    bins = bins_from_sample(x[:80].T)
    cols = np.ascontiguousarray(x.T)
    outs = []
    for chunk_stats, order_statistics in ((k.chunk_stats, k.order_statistics),
                                          (k.chunk_stats.py_func, k.order_statistics.py_func)):
        s = ColumnStats(3, bins)
        chunk_stats(cols, bins.edges, bins.edge_start, bins.sub, bins.sub_start, bins.inv_width, bins.lut,
                    bins.lut_start, bins.lo, bins.scale, bins.count_start, s.counts, s.span_lo, s.span_hi,
                    s.partials, s.n_partials, s.specials, s.extremes)
        ranks = np.tile(np.array([0, 3, 150, 299, -1]), (3, 1))
        out = np.zeros(ranks.shape)
        order_statistics(ranks, bins.edges, bins.edge_start, bins.sub, bins.sub_start, bins.count_start, s.counts,
                         s.span_lo, s.span_hi, s.extremes, out)
        outs.append(_state(s) + (out.tobytes(),))
    assert outs[0] == outs[1]


def test_stats_travel_between_workers_unchanged():
    x = np.random.default_rng(4).standard_normal((1000, 2))
    s = _stats(x, bins_from_sample(x[:300].T), 2)
    back = pickle.loads(pickle.dumps(s))
    assert back.counts.dtype == np.int64 and _state(back) == _state(s)


def test_a_cluster_merge_leaves_its_inputs_as_they_were():
    """dask may hand a task's result to a merge run twice (after a lost worker): the merge must not
    change its inputs, or a chunk would be counted twice."""
    from simulator.model.simulate import model_inputs
    from simulator.run.chunkstats import ChunkStats, chunk_columns, summary_spec
    from simulator.run.engine import run
    from simulator.run.options import RunOptions
    from simulator.run.pipeline import ChunkJob, merge_task, reference_bins
    from simulator.scenario.loader import load_scenario
    from tests.conftest import BASE_TOML

    scenario = load_scenario(BASE_TOML)
    annual = run(scenario, RunOptions(paths=60, seed=1)).annual
    spec = summary_spec(scenario)
    job = ChunkJob(inputs=model_inputs(scenario), seed=1, stochastic=True, keep_monthly=False, spec=spec, store=None)
    bins = reference_bins(job)
    halves = [chunk_columns(spec, {k: v[s] for k, v in annual.items()}) for s in (slice(0, 30), slice(30, 60))]
    a, b = (ChunkStats(spec, bins).add(c) for c in halves)
    before = (a.paths, a.annual.counts.copy(), a.annual.partials.copy(), dict(a.goals))
    once, twice = merge_task(a, b), merge_task(a, b)
    assert once.paths == twice.paths == 60
    assert np.array_equal(once.annual.counts, twice.annual.counts) and once.goals == twice.goals
    assert (a.paths, dict(a.goals)) == (before[0], before[3])
    assert np.array_equal(a.annual.counts, before[1]) and np.array_equal(a.annual.partials, before[2])


# ----------------------------------------------------------------------- the binning error on the model

def _binned_against_numpy(n_paths: int, years: list[int] | None):
    """Stream n_paths of the base scenario (seed 42) into the one-pass stats, keeping the values of the
    chosen years' columns (every year when None); for each percentile and each end of its interval,
    the binned value's error over the percentile's Monte Carlo standard error, taken from the exact
    order-statistic interval as its width / 3.92 (0 where the interval is one value)."""
    from simulator.model.simulate import model_inputs
    from simulator.run.chunkstats import ChunkStats, chunk_columns, summary_spec
    from simulator.run.options import chunk_bounds
    from simulator.run.pipeline import ChunkJob, _simulate, reference_bins
    from simulator.scenario.loader import load_scenario
    from simulator.variables import STORED
    from tests.conftest import BASE_TOML

    scenario = load_scenario(BASE_TOML)
    spec = summary_spec(scenario)
    job = ChunkJob(inputs=model_inputs(scenario), seed=42, stochastic=True, keep_monthly=False, spec=spec, store=None)
    n_years = len(spec.years)
    chosen = range(n_years) if years is None else [spec.years.index(y) for y in years]
    cols = np.array([s * n_years + k for s in range(len(STORED)) for k in chosen])
    stats = ChunkStats(spec, reference_bins(job))
    kept = {"annual": [], "risk": [], "breach": []}
    for start, size in chunk_bounds(n_paths, 5000):
        annual, _, records = _simulate(job, start, size)
        columns = chunk_columns(spec, annual, records)
        stats.add(columns)
        kept["annual"].append(columns.annual[:, cols].copy())
        kept["risk"].append(columns.risk.copy())
        kept["breach"].append(columns.breach.copy())
    ratios = []
    for name, index, omit in (("annual", cols, False), ("risk", np.arange(3), False), ("breach", np.arange(1), True)):
        got, ci = percentiles(getattr(stats, name), Q, omit_nan=omit)
        values = np.concatenate(kept[name])
        for j, c in enumerate(index):
            x = values[:, j]
            x = x[~np.isnan(x)] if omit else x
            if x.size == 0 or np.isnan(x).any():
                assert np.isnan(got[c]).all() or x.size
                continue
            ordered = np.sort(x)
            exact = np.percentile(x, Q)
            for k, q in enumerate(Q):
                lo, hi = interval_ranks(np.array([x.size]), q / 100)
                se = (ordered[hi[0]] - ordered[lo[0]]) / 3.92
                for err in (got[c, k] - exact[k], ci[c, k, 0] - ordered[lo[0]], ci[c, k, 1] - ordered[hi[0]]):
                    ratios.append(abs(err) / se if se > 0 else (0.0 if err == 0 else math.inf))
    return np.array(ratios)


@pytest.mark.parametrize("n_paths, years", [(10_000, None), (100_000, [2025, 2027, 2030, 2040])],
                         ids=["1e4-every-column", "1e5-four-years"])
def test_binning_error_is_below_a_tenth_of_the_monte_carlo_error(n_paths, years):
    """Every percentile of every variable (at 10^5: in 2025, 2027, 2030 and 2040), of the risk totals and
    of the breach sizes, and both ends of each percentile's interval, against np.percentile and the
    exact order statistics over the same paths."""
    ratios = _binned_against_numpy(n_paths, years)
    assert ratios.size > 6000
    assert ratios.max() < 0.1, (ratios.max(), np.sort(ratios)[-5:])


def test_intervals_are_the_order_statistics_numpy_gives():
    x = np.random.default_rng(9).standard_normal((20_000, 1))
    got, ci = exact_percentiles(x, Q)
    ordered = np.sort(x[:, 0])
    for k, q in enumerate(Q):
        lo, hi = interval_ranks(np.array([x.shape[0]]), q / 100)
        assert ci[0, k, 0] == ordered[lo[0]] and ci[0, k, 1] == ordered[hi[0]]
        assert ci[0, k, 0] < got[0, k] < ci[0, k, 1]
        # the interval's coverage: the binomial's mass between its ranks is at least 95 %
        from scipy.stats import binom
        assert binom.cdf(hi[0], x.shape[0], q / 100) - binom.cdf(lo[0], x.shape[0], q / 100) >= 0.95
