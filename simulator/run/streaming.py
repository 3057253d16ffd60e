"""The summary's statistics, streamed: exact, whatever the number of paths, chunks or workers.

summary.json needs, over all paths, per variable and year: percentiles p5..p95 and the mean; per goal
and event: counts; for the failure attribution: means over the paths that meet and miss each goal.
Holding every path is what stops a run at ~10^6 paths, so each chunk is reduced as it is simulated
into a :class:`ChunkStats` (exact partial sums, counts in bins, event counts), and chunks' stats add up
in any order to the same bits (:meth:`ChunkStats.merge`).

Percentiles stay exact (what ``np.percentile`` gives on all paths, bit for bit) in two passes:

1. bins: edges per column from a pilot (the first chunks, ~``PILOT_PATHS`` paths: their order
   statistics, with every repeated value of the pilot its own one-value bin), then every chunk's values
   are counted into them;
2. with all counts known, the two order statistics a percentile interpolates between lie in known
   bins. A bin of one value gives its value; otherwise the values of the wanted bins only are collected
   from a second pass over the data (the result store, or the same chunks simulated again with
   ``--summary-only``) and sorted. Memory is the wanted bins, ~ paths / ``N_BINS`` values each, in rounds
   of at most ``COLLECT_BUDGET`` values.

The edges change only how much the second pass collects, never a number.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, NamedTuple

import numpy as np

from simulator.kernels.summary import N_PARTIALS, add_partials, bin_counts, collect, column_edges

PILOT_PATHS = 16_384  # paths whose values place the bins (the first chunks; all paths of a smaller run)
N_BINS = 4_096  # bins per column from the pilot's order statistics (pass 2 collects ~paths / N_BINS per bin)
LUT_SIZE = 16_384  # cells of the look-up table that finds a value's bin (more: shorter scans, 7 ns a value)
COLLECT_BUDGET = 1 << 26  # values collected at once in pass 2 (512 MB); more wanted -> more rounds


class Bins(NamedTuple):
    """Bin edges of every column (flat, column c from edge_start[c]) and the look-up table that finds a
    value's bin; counts of column c start at count_start[c] (one more bin than edges)."""

    edges: np.ndarray
    edge_start: np.ndarray
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


def bins_from_pilot(pilot: np.ndarray, n_bins: int = N_BINS, lut_size: int = LUT_SIZE) -> Bins:
    """Bins from a pilot of rows x columns (see :func:`bins_from_columns`)."""
    return bins_from_columns(_by_column(pilot), n_bins, lut_size)


def bins_from_columns(pilot: np.ndarray, n_bins: int = N_BINS, lut_size: int = LUT_SIZE) -> Bins:
    """Edges per column (pilot: columns x rows) at ``n_bins`` evenly spaced order statistics of the
    pilot, plus a one-value bin [a, nextafter(a)) for every value the pilot holds more than once
    (flags, the plan years, a floor): a percentile that falls on such a value needs no second pass."""
    ordered = np.sort(pilot, axis=1)  # NaN last
    edges, lut, lo, scale = [], [], [], []
    for x in ordered:
        x = x[np.isfinite(x)]
        e = column_edges(x, n_bins) if x.size else np.zeros(1)
        span = e[-1] - e[0]
        with np.errstate(over="ignore"):  # a span of a few subnormals: no table, the scan finds the bin
            s = float(np.float64(lut_size) / span) if span > 0 else 0.0
        s = s if math.isfinite(s) and math.isfinite(span) else 0.0
        cells = e[0] + np.arange(lut_size) / s if s > 0 else np.full(lut_size, e[0])
        lut.append(np.searchsorted(e, cells, side="right").astype(np.int32))
        edges.append(e)
        lo.append(e[0])
        scale.append(s)
    sizes = np.array([e.size for e in edges], dtype=np.int64)
    edge_start = np.concatenate([[0], np.cumsum(sizes)])
    count_start = np.concatenate([[0], np.cumsum(sizes + 1)])
    return Bins(edges=np.concatenate(edges), edge_start=edge_start, lut=np.concatenate(lut),
                lut_start=np.arange(len(lut) + 1, dtype=np.int64) * lut_size, lo=np.array(lo),
                scale=np.array(scale), count_start=count_start)


def _by_column(values: np.ndarray) -> np.ndarray:
    """rows x columns -> the kernels' columns x rows, each column contiguous."""
    return np.ascontiguousarray(np.asarray(values, dtype=np.float64).T)


class ColumnStats:
    """Exact sums and, with bins, counts per bin of a set of columns, over the rows added so far."""

    def __init__(self, columns: int, bins: Bins | None = None):
        self.rows = 0
        self.partials = np.zeros((columns, N_PARTIALS))
        self.n_partials = np.zeros(columns, dtype=np.int64)
        self.specials = np.zeros((columns, 3), dtype=np.int64)  # NaN, +inf, -inf
        self.bins = bins
        self.counts = np.zeros(int(bins.count_start[-1]) if bins is not None else 0, dtype=np.int64)
        self.nans = np.zeros(columns, dtype=np.int64)

    def add(self, values: np.ndarray) -> None:
        """Add a chunk of rows (rows x columns)."""
        self.rows += values.shape[0]
        values = _by_column(values)
        add_partials(values, self.partials, self.n_partials, self.specials)
        if self.bins is not None:
            b = self.bins
            bin_counts(values, b.edges, b.edge_start, b.lut, b.lut_start, b.lo, b.scale, self.counts,
                       b.count_start, self.nans)

    def merge(self, other: ColumnStats) -> None:
        """Add another chunk's stats (exact: the same bits in any order)."""
        self.rows += other.rows
        valid = np.arange(N_PARTIALS) < other.n_partials[:, None]
        add_partials(np.ascontiguousarray(np.where(valid, other.partials, 0.0)), self.partials,
                     self.n_partials, np.zeros_like(self.specials))
        self.specials += other.specials
        self.counts += other.counts
        self.nans += other.nans

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


# ----------------------------------------------------------------------------------- exact percentiles

def _lerp(a: float, b: float, t: float) -> float:
    """numpy's linear interpolation (numpy.lib._function_base_impl._lerp), the same operations."""
    a, b, t = np.float64(a), np.float64(b), np.float64(t)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf is NaN, as in numpy
        diff = b - a
        return float(b - diff * (1 - t)) if t >= 0.5 else float(a + diff * t)


def _ranks(n: int, q: float) -> tuple[int, int, float]:
    """The two order statistics (0-based) np.percentile(method="linear") interpolates between, and the
    weight of the second."""
    virtual = (n - 1) * (np.float64(q) / 100)
    below = math.floor(virtual)
    gamma = float(virtual - below)
    below = min(max(below, 0), n - 1)
    return below, min(below + 1, n - 1), gamma


class Percentiles:
    """The exact percentiles of every column of ``stats`` (finished: every row added): plan the wanted
    bins, collect their values from a second pass over the same rows, interpolate as numpy does."""

    def __init__(self, stats: ColumnStats, percentiles: Iterable[float], omit_nan: bool = False):
        self.stats, self.q, self.omit_nan = stats, tuple(percentiles), omit_nan
        bins = stats.bins
        self.result = np.full((bins.columns, len(self.q)), np.nan)
        # order statistics wanted: (column, rank) -> value; NaN until known
        self._wanted: dict[tuple[int, int], float] = {}
        self._bin_of_rank: dict[tuple[int, int], tuple[int, int]] = {}  # -> (bin, rank within the bin)
        self._plan()

    def _plan(self) -> None:
        s, bins = self.stats, self.stats.bins
        for c in range(bins.columns):
            n = s.rows - s.nans[c]
            if n == 0 or (s.nans[c] and not self.omit_nan):
                continue  # NaN, as np.percentile gives on a column holding NaN (or nothing)
            counts = s.counts[bins.count_start[c]:bins.count_start[c + 1]]
            cum = np.cumsum(counts)
            e = bins.column_edges(c)
            for q in self.q:
                for rank in _ranks(int(n), q)[:2]:
                    if (c, rank) in self._wanted:
                        continue
                    b = int(np.searchsorted(cum, rank, side="right"))
                    self._bin_of_rank[(c, rank)] = (b, rank - (int(cum[b - 1]) if b else 0))
                    one_value = 0 < b < e.size and e[b] == np.nextafter(e[b - 1], np.inf)
                    self._wanted[(c, rank)] = float(e[b - 1]) if one_value else math.nan

    def rounds(self) -> list[dict[int, list[int]]]:
        """The wanted bins per column, split into rounds of at most COLLECT_BUDGET values (one pass over
        the data each; a single bin larger than the budget is a round of its own)."""
        s, bins = self.stats, self.stats.bins
        per_column: dict[int, set[int]] = {}
        for (c, rank), value in self._wanted.items():
            if math.isnan(value):
                per_column.setdefault(c, set()).add(self._bin_of_rank[(c, rank)][0])
        rounds, current, size = [], {}, 0
        for c in sorted(per_column):
            wanted = sorted(per_column[c])
            need = int(sum(s.counts[bins.count_start[c] + b] for b in wanted))
            if current and size + need > COLLECT_BUDGET:
                rounds.append(current)
                current, size = {}, 0
            current[c] = wanted
            size += need
        if current:
            rounds.append(current)
        return rounds

    def begin_round(self, wanted: dict[int, list[int]]) -> None:
        """Prepare to collect the values of the wanted bins (one round of :meth:`rounds`)."""
        s, bins = self.stats, self.stats.bins
        n_cols = bins.columns
        counts = np.zeros(n_cols + 1, dtype=np.int64)
        for c, bs in wanted.items():
            counts[c + 1] = len(bs)
        self._round = wanted
        self._wanted_start = np.cumsum(counts)
        lo, hi = [], []
        for c in range(n_cols):
            e = bins.column_edges(c)
            for b in wanted.get(c, []):  # bin b holds [e[b-1], e[b]); bin 0 and the last are open
                lo.append(e[b - 1] if b > 0 else -np.inf)
                hi.append(e[b] if b < e.size else np.inf)
        self._wanted_lo, self._wanted_hi = np.array(lo), np.array(hi)
        self._sizes = np.array([s.counts[bins.count_start[c] + b] for c in range(n_cols)
                                for b in wanted.get(c, [])], dtype=np.int64)
        self._first = np.concatenate([[0], np.cumsum(self._sizes)[:-1]]).astype(np.int64)
        self._fill = self._first.copy()
        self._buffer = np.empty(int(self._sizes.sum()))

    def feed(self, values: np.ndarray) -> None:
        """Collect the wanted values of one chunk of rows (chunks in any order)."""
        collect(_by_column(values), self._wanted_start, self._wanted_lo, self._wanted_hi, self._fill, self._buffer)

    def finish_round(self) -> None:
        """Read the wanted order statistics off the collected values."""
        if not np.array_equal(self._fill, self._first + self._sizes):
            raise RuntimeError("the second pass over the paths did not see the values the first counted")
        wanted = self._round
        for (c, rank), value in self._wanted.items():
            if not math.isnan(value) or c not in wanted:
                continue
            b, within = self._bin_of_rank[(c, rank)]
            j = self._wanted_start[c] + wanted[c].index(b)
            segment = self._buffer[self._first[j]:self._first[j] + self._sizes[j]]
            self._wanted[(c, rank)] = float(np.partition(segment, within)[within])
        self._buffer = np.empty(0)

    def values(self) -> np.ndarray:
        """columns x percentiles (after every round was collected)."""
        s = self.stats
        for c in range(s.bins.columns):
            n = s.rows - s.nans[c]
            if n == 0 or (s.nans[c] and not self.omit_nan):
                continue
            for k, q in enumerate(self.q):
                below, above, gamma = _ranks(int(n), q)
                self.result[c, k] = _lerp(self._wanted[(c, below)], self._wanted[(c, above)], gamma)
        return self.result


def exact_percentiles(sets: list[tuple[ColumnStats, bool]], percentiles: Iterable[float],
                      second_pass: Callable[[], Iterable[list[np.ndarray]]]) -> list[np.ndarray]:
    """The percentiles (columns x percentiles) of several column sets, each with its NaN rule (True:
    over the non-NaN rows), over the same paths. ``second_pass()`` yields, chunk by chunk, the rows of
    every set (in ``sets``' order); it is called once per round, and not at all when the bins decide."""
    plans = [Percentiles(stats, percentiles, omit) for stats, omit in sets]
    rounds = [p.rounds() for p in plans]
    for r in range(max((len(x) for x in rounds), default=0)):
        active = [i for i, x in enumerate(rounds) if r < len(x)]
        for i in active:
            plans[i].begin_round(rounds[i][r])
        for chunk in second_pass():  # one pass over the data serves this round of every set
            for i in active:
                plans[i].feed(chunk[i])
        for i in active:
            plans[i].finish_round()
    return [p.values() for p in plans]
