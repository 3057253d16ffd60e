"""The summary's statistics, streamed in one pass: mergeable, the same bits whatever the chunks or workers.

summary.json needs, over all paths, per variable and year: percentiles p5..p95 with their intervals,
and the mean; per goal and event: counts; for the failure attribution: means over the paths that meet
and miss each goal. Each chunk is reduced as it is simulated into a :class:`ColumnStats` of fixed size
(exact partial sums, extremes, counts in bins fixed before the run), and stats add up in any order to
the same bits (:meth:`ColumnStats.merge`). No value is read twice and no path simulated twice.

**The bins** (:func:`bins_from_sample`) are placed before the run from a *reference sample*:
``SAMPLE_PATHS`` paths of the same scenario and seed at path indices from ``SAMPLE_PATH0`` = 2^62, which
no run reaches (so the sample is not part of any run, and a run of N paths is still the first N paths of
a longer one). Per column (a variable in a year):

- coarse edges at every ``COARSE_STEP``-th order statistic of the sample: intervals of about equal
  probability whatever the variable's scale and shape;
- each interval cut into equal sub-bins: ``FINE_SUB`` where the interval may hold a reported percentile
  or its interval (the sample's estimate of it, give or take five of the sample's standard errors and
  one percentage point), ``COARSE_SUB`` elsewhere: a fine bin holds about 1 / 16 384 of the paths;
- an *atom* [a, nextafter(a)) for every value the sample holds twice or more (flags, floors, the plan
  years, an equity share at its cap), and for every integer between the smallest and largest of a
  column whose sample values are all integers (months, counts): their percentiles are exact;
- one open bin below the first edge and one above the last, which end at the column's exact minimum
  and maximum (tracked).

Why a sample and not the zero-shock path with a bound per variable: the bins must hold ~1e-4 of the
paths each near a percentile for its binning error to stay below a tenth of its Monte Carlo error (see
below), which needs each column's scale to within a factor of a few; the zero-shock path gives a centre
but no scale, and a safe bound is ten to a hundred times wider than the spread in the early years.

**The percentiles** (:func:`percentiles`): numpy's linear interpolation between the two order statistics
around (n - 1) q, each read off the counts (simulator.kernels.summary.order_statistics): exact at the
minimum, the maximum and in an atom; otherwise placed in its bin at the expected position among the
bin's m values spread evenly. The error is then random, with a standard deviation of about w / (2 sqrt m)
for a bin of width w, against the percentile's Monte Carlo error sqrt(q (1 - q) / n) / f: their ratio is
0.5 sqrt(p_bin / (q (1 - q))) with p_bin the bin's probability, ~0.02 at p5 and less at p25..p75,
whatever n (tests/test_streaming.py checks it against np.percentile at 10^4 and 10^5 paths).

**The intervals**: each percentile's distribution-free 95 % interval [x_(l), x_(u)] from the order
statistics of ranks l = B^-1(0.025) and u = B^-1(0.975) + 1 (1-based; B the Binomial(n, q) distribution
function): P(x_(l) <= the population quantile < x_(u)) >= 95 %, read off the same counts.
"""

from __future__ import annotations

import math
from typing import Iterable, NamedTuple

import numpy as np

from simulator.kernels.summary import N_PARTIALS, SPAN_STEPS, add_partials, chunk_stats, order_statistics

SAMPLE_PATHS = 2_048  # paths of the reference sample that places the bins
SAMPLE_PATH0 = 1 << 62  # its first path index: beyond any run
COARSE_STEP = 8  # sample values per coarse interval (256 intervals from 2 048 values) ...
FINE_STEP = 2  # ... and per interval that may hold a reported percentile or its interval
FINE_SUB = 24  # sub-bins of an interval that may hold a reported percentile or its interval
COARSE_SUB = 8  # sub-bins of the other intervals
MAX_INTEGER_SPAN = 4_096  # an all-integer column spanning at most this many values: one atom per integer
LUT_SIZE = 1_024  # cells of the look-up table that finds a value's coarse interval
CI_LEVEL = 0.95
PERCENTILE_METHOD = (
    "One pass: each chunk counts its values into bins fixed before the run from a reference sample of "
    f"{SAMPLE_PATHS} paths that are not the run's (path indices from 2^62): coarse edges at every "
    f"{COARSE_STEP}th order statistic of the sample, cut into {FINE_SUB} equal sub-bins near the reported "
    f"percentiles and {COARSE_SUB} elsewhere, an exact bin for every value the sample repeats (and every "
    "integer of an all-integer variable); chunks' counts add up, so the numbers are the same whatever the "
    "chunking and the workers. A percentile is numpy's linear interpolation between the two order "
    "statistics around (n - 1) q, each read off the counts: exact at the minimum, the maximum and in an "
    "exact bin, else at its expected position among its bin's values spread evenly; the binning error is "
    "below a tenth of the Monte Carlo error (tested against np.percentile at 10^4 and 10^5 paths). ci95: "
    "the distribution-free 95 % interval of each percentile, the order statistics of ranks "
    "l = Binomial(n, q)^-1(0.025) and u = Binomial(n, q)^-1(0.975) + 1 (1-based), read off the same counts."
)
EXACT_METHOD = ("Exact: np.percentile over the paths kept in memory (run --condition); ci95: the order "
                "statistics of ranks l = Binomial(n, q)^-1(0.025) and u = Binomial(n, q)^-1(0.975) + 1.")


class Bins(NamedTuple):
    """Every column's bin layout, flat: column c has edges[edge_start[c]:edge_start[c+1]] (n + 1 coarse
    edges), its n intervals' sub-bin counts ``sub`` and 1 / sub-bin width ``inv_width`` from
    edge_start[c] - c, their first bins ``sub_start`` (n + 1 entries, cumulative from 0) from
    edge_start[c], a look-up table over [lo, lo + LUT_SIZE / scale] from lut_start[c], and its counts
    from count_start[c] (the open bin below, the sub-bins, the open bin above)."""

    edges: np.ndarray
    edge_start: np.ndarray
    sub: np.ndarray
    sub_start: np.ndarray
    inv_width: np.ndarray
    lut: np.ndarray
    lut_start: np.ndarray
    lo: np.ndarray
    scale: np.ndarray
    count_start: np.ndarray

    @property
    def columns(self) -> int:
        return self.lo.size

    def column_edges(self, c: int) -> np.ndarray:
        return self.edges[self.edge_start[c]:self.edge_start[c + 1]]


def _windows(n: int) -> list[tuple[float, float]]:
    """The probability ranges that may hold a reported percentile or its interval, from a sample of n."""
    out = []
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        half = 5.0 * math.sqrt(q * (1 - q) / max(n, 1)) + 0.01
        out.append((q - half, q + half))
    return out


def column_layout(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One column's coarse edges and sub-bins per interval from its sorted finite sample values x."""
    if x.size == 0:
        return np.zeros(1), np.zeros(0, dtype=np.int64)
    values, counts = np.unique(x, return_counts=True)
    integral = bool(np.all(np.floor(values) == values)) and values[-1] - values[0] <= MAX_INTEGER_SPAN
    atoms = np.arange(values[0], values[-1] + 1.0) if integral else values[counts > 1]
    rank = np.arange(x.size) / x.size
    near = np.zeros(x.size, dtype=bool)
    for a, b in _windows(x.size):
        near |= (rank >= a) & (rank <= b)
    step = np.arange(x.size)
    coarse = x[(near & (step % FINE_STEP == 0)) | (step % COARSE_STEP == 0) | (step == x.size - 1)]
    edges = np.unique(np.concatenate([coarse, atoms, np.nextafter(atoms, np.inf)]))
    edges = edges[np.isfinite(edges)]
    if edges.size == 1:
        return edges, np.zeros(0, dtype=np.int64)
    is_atom = np.isin(edges[:-1], atoms) & (edges[1:] == np.nextafter(edges[:-1], np.inf))
    f_lo = np.searchsorted(x, edges[:-1], side="left") / x.size
    f_hi = np.searchsorted(x, edges[1:], side="left") / x.size
    fine = np.zeros(edges.size - 1, dtype=bool)
    for a, b in _windows(x.size):
        fine |= (f_hi >= a) & (f_lo <= b)
    sub = np.where(fine, FINE_SUB, COARSE_SUB).astype(np.int64)
    sub[is_atom] = 1
    if integral:
        sub[:] = 1  # the atoms and the gaps between them (values that are not integers: none in the sample)
    return edges, sub


def bins_from_sample(sample: np.ndarray) -> Bins:
    """Every column's layout from the reference sample (columns x rows; NaN and infinities ignored)."""
    layouts = [column_layout(np.sort(col[np.isfinite(col)])) for col in np.asarray(sample, dtype=np.float64)]
    return _pack(layouts)


def empty_bins(columns: int) -> Bins:
    """A layout with no bins to speak of (one edge: all values in the two open bins), for columns whose
    percentiles nobody asks for (the attribution's means)."""
    return _pack([(np.zeros(1), np.zeros(0, dtype=np.int64))] * columns)


def _pack(layouts: list[tuple[np.ndarray, np.ndarray]]) -> Bins:
    edges, sub, sub_start, inv_width, lut, lo, scale, n_bins = [], [], [], [], [], [], [], []
    for e, s in layouts:
        width = np.diff(e)
        with np.errstate(divide="ignore", over="ignore"):
            inv = s / width
        bad = ~np.isfinite(inv)  # an interval too narrow to cut: one bin
        s = np.where(bad, 1, s)
        inv = np.where(bad, 0.0, inv)
        span = e[-1] - e[0]
        with np.errstate(divide="ignore", over="ignore"):
            sc = float(np.float64(LUT_SIZE) / span) if span > 0 else 0.0
        sc = sc if math.isfinite(sc) and math.isfinite(span) else 0.0
        cells = e[0] + np.arange(LUT_SIZE) / sc if sc > 0 else np.full(LUT_SIZE, e[0])
        lut.append(np.searchsorted(e, cells, side="right").astype(np.int32))
        edges.append(e)
        sub.append(s)
        sub_start.append(np.concatenate([[0], np.cumsum(s)]))
        inv_width.append(inv)
        lo.append(e[0])
        scale.append(sc)
        n_bins.append(int(s.sum()) + 2)
    sizes = np.array([e.size for e in edges], dtype=np.int64)
    return Bins(edges=np.concatenate(edges), edge_start=np.concatenate([[0], np.cumsum(sizes)]),
                sub=np.concatenate(sub).astype(np.int64), sub_start=np.concatenate(sub_start).astype(np.int64),
                inv_width=np.concatenate(inv_width).astype(np.float64), lut=np.concatenate(lut),
                lut_start=np.arange(len(lut) + 1, dtype=np.int64) * LUT_SIZE, lo=np.array(lo, dtype=np.float64),
                scale=np.array(scale, dtype=np.float64),
                count_start=np.concatenate([[0], np.cumsum(n_bins)]).astype(np.int64))


def _by_column(values: np.ndarray) -> np.ndarray:
    """rows x columns -> the kernels' columns x rows, each column contiguous."""
    return np.ascontiguousarray(np.asarray(values, dtype=np.float64).T)


class ColumnStats:
    """Exact sums, extremes, NaN and infinity counts and bin counts of a set of columns, over the rows
    added so far (picklable: dask tasks return them)."""

    def __init__(self, columns: int, bins: Bins | None = None):
        self.rows = 0
        self.bins = bins if bins is not None else empty_bins(columns)
        self.partials = np.zeros((columns, N_PARTIALS))
        self.n_partials = np.zeros(columns, dtype=np.int64)
        self.specials = np.zeros((columns, 3), dtype=np.int64)  # NaN, +inf, -inf
        self.extremes = np.tile([np.inf, -np.inf], (columns, 1))  # finite min, max
        self.counts = np.zeros(int(self.bins.count_start[-1]), dtype=np.int64)
        self.span_lo = np.full(self.counts.size, SPAN_STEPS, dtype=np.uint16)  # per bin: where its values lie
        self.span_hi = np.zeros(self.counts.size, dtype=np.uint16)

    @property
    def nans(self) -> np.ndarray:
        return self.specials[:, 0]

    def add(self, values: np.ndarray) -> None:
        """Add a chunk of rows (rows x columns)."""
        self.rows += values.shape[0]
        b = self.bins
        chunk_stats(_by_column(values), b.edges, b.edge_start, b.sub, b.sub_start, b.inv_width, b.lut, b.lut_start,
                    b.lo, b.scale, b.count_start, self.counts, self.span_lo, self.span_hi, self.partials,
                    self.n_partials, self.specials, self.extremes)

    def merge(self, other: ColumnStats) -> ColumnStats:
        """Add another chunk's stats (exact: the same bits in any order)."""
        self.rows += other.rows
        valid = np.arange(N_PARTIALS) < other.n_partials[:, None]
        add_partials(np.ascontiguousarray(np.where(valid, other.partials, 0.0)), self.partials, self.n_partials)
        self.specials += other.specials
        self.extremes[:, 0] = np.minimum(self.extremes[:, 0], other.extremes[:, 0])
        self.extremes[:, 1] = np.maximum(self.extremes[:, 1], other.extremes[:, 1])
        self.counts += other.counts
        np.minimum(self.span_lo, other.span_lo, out=self.span_lo)
        np.maximum(self.span_hi, other.span_hi, out=self.span_hi)
        return self

    def __getstate__(self):
        """Counts travel as int32 when they fit (half the bytes between dask workers)."""
        state = dict(self.__dict__)
        if self.counts.size and self.counts.max() < 2**31:
            state["counts"] = self.counts.astype(np.int32)
        return state

    def __setstate__(self, state):
        state["counts"] = state["counts"].astype(np.int64)
        self.__dict__.update(state)

    def sums(self) -> np.ndarray:
        """The correctly rounded sum of each column's finite values."""
        return np.array([math.fsum(p[:n]) for p, n in zip(self.partials, self.n_partials)])

    def means(self, omit_nan: bool = False) -> np.ndarray:
        """Each column's mean as numpy takes it (NaN with a NaN, ±inf with an infinity), but correctly
        rounded; with ``omit_nan`` over the non-NaN rows only (NaN where there are none)."""
        nan, pinf, ninf = self.specials.T
        n = self.rows - (nan if omit_nan else 0)
        total = self.sums()
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        mean = np.where(pinf > 0, np.inf, mean)
        mean = np.where(ninf > 0, -np.inf, mean)
        mean = np.where((pinf > 0) & (ninf > 0), np.nan, mean)
        return mean if omit_nan else np.where(nan > 0, np.nan, mean)


# --------------------------------------------------------------------------------------------- percentiles

def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy's linear interpolation (numpy.lib._function_base_impl._lerp), the same operations."""
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf is NaN, as in numpy
        diff = b - a
        return np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)


def _ranks(n: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two order statistics (0-based) np.percentile(method="linear") interpolates between, and the
    weight of the second, for each count n (>= 1)."""
    virtual = (n - 1) * (np.float64(q) / 100)
    below = np.floor(virtual)
    gamma = virtual - below
    below = np.clip(below, 0, n - 1).astype(np.int64)
    return below, np.minimum(below + 1, n - 1), gamma


def interval_ranks(n: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    """0-based ranks of the order statistics bounding the distribution-free CI_LEVEL interval of the
    q-quantile (q in (0, 1)) from n values: l = B^-1(a/2), u = B^-1(1 - a/2) + 1 (1-based), clipped."""
    from scipy.stats import binom

    alpha = 1.0 - CI_LEVEL
    n = np.asarray(n, dtype=np.int64)
    lo = np.maximum(binom.ppf(alpha / 2, np.maximum(n, 1), q), 1)
    hi = np.minimum(binom.ppf(1 - alpha / 2, np.maximum(n, 1), q) + 1, np.maximum(n, 1))
    return lo.astype(np.int64) - 1, hi.astype(np.int64) - 1


def percentiles(stats: ColumnStats, qs: Iterable[float], omit_nan: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Each column's percentiles (columns x len(qs)) and their 95 % intervals (columns x len(qs) x 2) from
    its counts; NaN where a column holds a NaN (unless ``omit_nan``: then over the other rows) or
    nothing."""
    qs = tuple(qs)
    nan, pinf, ninf = stats.specials.T
    n = stats.rows - nan
    finite = n - pinf - ninf
    valid = (n > 0) & ((nan == 0) | omit_nan)
    wanted = []  # per quantile: below, above, gamma, ci low, ci high
    for q in qs:
        below, above, gamma = _ranks(np.maximum(n, 1), q)
        lo, hi = interval_ranks(n, q / 100)
        wanted.append((below, above, gamma, lo, hi))
    ranks = np.stack([r for w in wanted for r in (w[0], w[1], w[3], w[4])], axis=1)  # columns x 4Q, among non-NaN
    finite_rank = ranks - ninf[:, None]
    inside = (finite_rank >= 0) & (finite_rank < finite[:, None]) & valid[:, None]
    values = np.where(ranks < ninf[:, None], -np.inf, np.inf).astype(np.float64)
    estimates = np.full(ranks.shape, np.nan)
    b = stats.bins
    order_statistics(np.where(inside, finite_rank, -1).astype(np.int64), b.edges, b.edge_start, b.sub, b.sub_start,
                     b.count_start, stats.counts, stats.span_lo, stats.span_hi, stats.extremes, estimates)
    values = np.where(inside, estimates, values)
    # order statistics never decrease with the rank (estimates in bins of denormal width could, by an ulp)
    order = np.argsort(ranks, axis=1, kind="stable")
    monotone = np.maximum.accumulate(np.take_along_axis(values, order, axis=1), axis=1)
    np.put_along_axis(values, order, monotone, axis=1)
    out = np.full((stats.bins.columns, len(qs)), np.nan)
    ci = np.full((stats.bins.columns, len(qs), 2), np.nan)
    for k, (_, _, gamma, _, _) in enumerate(wanted):
        x_below, x_above, x_lo, x_hi = (values[:, 4 * k + j] for j in range(4))
        out[:, k] = np.where(valid, _lerp(x_below, x_above, gamma), np.nan)
        ci[:, k, 0] = np.where(valid, x_lo, np.nan)
        ci[:, k, 1] = np.where(valid, x_hi, np.nan)
    return out, ci


def exact_percentiles(values: np.ndarray, qs: Iterable[float], omit_nan: bool = False
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The same from every value in memory (rows x columns; run --condition): np.percentile, and the
    intervals' order statistics exactly."""
    qs = tuple(qs)
    cols = values.shape[1]
    out = np.full((cols, len(qs)), np.nan)
    ci = np.full((cols, len(qs), 2), np.nan)
    for c in range(cols):
        x = values[:, c]
        if omit_nan:
            x = x[~np.isnan(x)]
        if x.size == 0 or np.isnan(x).any():
            continue
        out[c] = np.percentile(x, qs)
        ordered = np.sort(x)
        for k, q in enumerate(qs):
            lo, hi = interval_ranks(np.array([x.size]), q / 100)
            ci[c, k] = ordered[lo[0]], ordered[hi[0]]
    return out, ci
