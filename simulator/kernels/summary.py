"""Kernels of the streamed summary: exact sums and counts in fixed bins, a chunk of paths at a time, in
one pass.

A chunk is a (columns, rows) float64 array, each column contiguous (a column: one variable in one
year); the callers transpose. Per column, everything kept is a function of the multiset of values, so
chunks add up to the same bits whatever the split and the order:

- the exact sum, as Shewchuk's non-overlapping partials (their sum *is* the sum of the values):
  ``math.fsum`` of every chunk's partials gives the correctly rounded total (``add_partials``);
- the smallest and largest finite value, and the count of NaN, +inf and -inf;
- counts in bins fixed before the run (``chunk_stats``; the layout: simulator.run.streaming). A column's
  bins are intervals between *coarse edges*, each cut into ``sub`` equal *sub-bins*, plus one bin
  below the first edge and one above the last. An interval [a, nextafter(a)) holds one value only: an
  *atom* (a flag, a floor, a plan year), whose order statistics are exact;
- in each sub-bin, where its smallest and largest value lie, as fractions of the sub-bin's width in
  SPAN_STEPS steps (rounded outwards: uint16 each), so that values crowded into part of a bin (a
  variable that moves in steps, such as one indexed by the prisbasbelopp rounded to 100 SEK) are placed
  where they are.

``order_statistics`` reads an order statistic off the counts: exact in an atom, at the global minimum
and maximum; otherwise the j-th of a bin's m values is placed at j / (m - 1) of the way from the bin's
smallest to its largest value (the two ends exact to 1 / SPAN_STEPS of the bin).
"""

import math

import numpy as np
from numba import prange

from simulator.kernels.jit import jit, jit_parallel

#: Shewchuk partials per column: non-overlapping float64 partials number at most ~2 100 / 53 < 40
N_PARTIALS = 48
#: steps of a sub-bin's width in which its smallest and largest value are kept (uint16)
SPAN_STEPS = 65535


@jit
def _add_one(partials, n, x):
    """Add x to the non-overlapping partials[0:n] exactly (Shewchuk 1997, as in math.fsum); returns n."""
    i = 0
    for j in range(n):
        y = partials[j]
        if abs(x) < abs(y):
            x, y = y, x
        hi = x + y
        lo = y - (hi - x)
        if lo != 0.0:
            partials[i] = lo
            i += 1
        x = hi
    partials[i] = x
    return i + 1


def add_partials_py(values, partials, n_partials):
    """Add every finite value of each column (values: columns x rows) to its partials (columns x
    N_PARTIALS, n_partials per column)."""
    cols, rows = values.shape
    for c in prange(cols):
        n = n_partials[c]
        for r in range(rows):
            x = values[c, r]
            if x != 0.0 and math.isfinite(x):
                n = _add_one(partials[c], n, x)
        n_partials[c] = n


add_partials = jit_parallel(add_partials_py)


@jit
def interval_of(x, edges, lut, lo, scale):
    """The number of coarse edges <= x (x finite): 0 below every edge, edges.size above all. A uniform
    look-up table over the edges' range gives a start, a short scan the answer (the table's rounding
    changes only how long the scan is, never the result)."""
    n_edges = edges.size
    t = (x - lo) * scale
    g = lut.size - 1
    if t < lut.size - 1:
        g = int(t) if t >= 0.0 else 0
    k = lut[g]
    while k > 0 and edges[k - 1] > x:
        k -= 1
    while k < n_edges and edges[k] <= x:
        k += 1
    return k


def chunk_stats_py(values, edges, edge_start, sub, sub_start, inv_width, lut, lut_start, lo, scale, count_start,
                   counts, span_lo, span_hi, partials, n_partials, specials, extremes):
    """Add one chunk (values: columns x rows) to each column's statistics: its exact partial sums, its
    NaN, +inf and -inf counts (specials: columns x 3), its finite minimum and maximum (extremes:
    columns x 2, +inf / -inf when none yet) and the counts of its bins (column c: edges[edge_start[c]:
    edge_start[c+1]], intervals from edge_start[c] - c (one fewer than its edges), bins from
    count_start[c]). Columns are independent, so they share the threads."""
    cols, rows = values.shape
    n_lut = lut_start[1] - lut_start[0]
    for c in prange(cols):
        e = edges[edge_start[c]:edge_start[c + 1]]
        i0 = edge_start[c] - c
        n_int = e.size - 1
        table = lut[lut_start[c]:lut_start[c] + n_lut]
        col_sub = sub[i0:i0 + n_int]
        col_start = sub_start[edge_start[c]:edge_start[c + 1]]
        col_inv = inv_width[i0:i0 + n_int]
        base = count_start[c]
        p = partials[c]
        n = n_partials[c]
        low = extremes[c, 0]
        high = extremes[c, 1]
        for r in range(rows):
            x = values[c, r]
            if math.isfinite(x):
                if x != 0.0:
                    n = _add_one(p, n, x)
                low = min(low, x)
                high = max(high, x)
                k = interval_of(x, e, table, lo[c], scale[c])
                if k == 0:
                    counts[base] += 1
                elif k == e.size:
                    counts[base + 1 + col_start[k - 1]] += 1
                else:
                    j = k - 1
                    pos = (x - e[j]) * col_inv[j]  # sub-bins from the interval's start: x >= e[j]
                    sb = min(int(pos), col_sub[j] - 1)
                    b = base + 1 + col_start[j] + sb
                    counts[b] += 1
                    frac = (pos - sb) * SPAN_STEPS
                    step_lo = max(min(math.floor(frac), SPAN_STEPS), 0)
                    step_hi = max(min(math.ceil(frac), SPAN_STEPS), 0)
                    if step_lo < span_lo[b]:
                        span_lo[b] = step_lo
                    if step_hi > span_hi[b]:
                        span_hi[b] = step_hi
            elif math.isnan(x):
                specials[c, 0] += 1
            elif x > 0:
                specials[c, 1] += 1
            else:
                specials[c, 2] += 1
        n_partials[c] = n
        extremes[c, 0] = low
        extremes[c, 1] = high


chunk_stats = jit_parallel(chunk_stats_py)


@jit
def _bin_range(b, e, col_sub, col_start, low, high):
    """The value range [lo, hi] of bin b of one column (the open bins end at the column's extremes; a
    sub-bin's own range, which its span steps divide), and whether it holds a single value (an atom)."""
    n_edges = e.size
    if b == 0:
        return low, min(e[0], high), False
    last = 1 + col_start[n_edges - 1]
    if b == last:
        return max(e[n_edges - 1], low), high, False
    j = n_edges - 2  # find the interval of the bin (few intervals: a binary search over col_start)
    a, z = 0, n_edges - 1
    while a < z:
        m = (a + z) // 2
        if col_start[m + 1] <= b - 1:
            a = m + 1
        else:
            z = m
    j = a
    s = b - 1 - col_start[j]
    if col_sub[j] == 1 and e[j + 1] == np.nextafter(e[j], np.inf):
        return e[j], e[j], True
    w = (e[j + 1] - e[j]) / col_sub[j]
    lo = e[j] + s * w
    hi = e[j + 1] if s == col_sub[j] - 1 else lo + w
    return lo, hi, False


def order_statistics_py(ranks, edges, edge_start, sub, sub_start, count_start, counts, span_lo, span_hi, extremes,
                        out):
    """out[c, k] = the estimated order statistic of 0-based rank ranks[c, k] among column c's finite
    values (ranks < 0: left as they are; the layout as in chunk_stats). Exact at the minimum and the
    maximum and in an atom; otherwise the j-th of the m values of its bin is placed j / (m - 1) of the way
    from the bin's smallest to its largest value (the middle of the two for one value; in an open bin,
    the column's extreme and the bin's edge, m + 1 steps)."""
    cols, n_ranks = ranks.shape
    for c in prange(cols):
        e = edges[edge_start[c]:edge_start[c + 1]]
        col_sub = sub[edge_start[c] - c:edge_start[c + 1] - c - 1]
        col_start = sub_start[edge_start[c]:edge_start[c + 1]]
        cnt = counts[count_start[c]:count_start[c + 1]]
        cum = np.cumsum(cnt)  # cum[b]: values in bins 0..b
        low, high = extremes[c, 0], extremes[c, 1]
        for k in range(n_ranks):
            rank = ranks[c, k]
            if rank < 0:
                continue
            if rank == 0:
                out[c, k] = low
                continue
            if rank == cum[-1] - 1:
                out[c, k] = high
                continue
            b = np.searchsorted(cum, rank, side="right")  # the first bin whose cumulative count exceeds rank
            before = cum[b - 1] if b > 0 else 0
            lo, hi, atom = _bin_range(b, e, col_sub, col_start, low, high)
            m = cnt[b]
            j = rank - before
            if atom:
                out[c, k] = lo
            elif b == 0:  # from the column's minimum (rank 0, handled above) up to the first edge
                out[c, k] = lo + j / m * (hi - lo)
            elif b == cnt.size - 1:  # up to the column's maximum (the last rank, handled above)
                out[c, k] = lo + (j + 1) / m * (hi - lo)
            else:
                g = count_start[c] + b
                width = hi - lo
                a = max(lo + span_lo[g] / SPAN_STEPS * width, low)  # the steps are a bracket: the extremes
                z = max(min(lo + span_hi[g] / SPAN_STEPS * width, high), a)  # may be tighter in a very wide bin
                out[c, k] = 0.5 * (a + z) if m == 1 else a + j / (m - 1) * (z - a)


order_statistics = jit_parallel(order_statistics_py)


def records_to_columns_py(raw, fields, out):
    """The chunk's annual records as the summary's columns: raw is paths x years x every OUTPUT field
    (the records viewed as float64), fields the stored fields' indices, out (fields x years) x paths.
    Blocks of 64 paths: each record is read once, in order, and every column gets 512 bytes at a time."""
    n, n_years, _ = raw.shape
    n_fields = fields.size
    for block in prange((n + 63) // 64):
        for i in range(64 * block, min(n, 64 * block + 64)):
            for k in range(n_years):
                for s in range(n_fields):
                    out[s * n_years + k, i] = raw[i, k, fields[s]]


records_to_columns = jit_parallel(records_to_columns_py)


def records_to_variables_py(raw, fields, out):
    """The chunk's records as one contiguous paths x years array per kept field (what the store
    compresses): out is fields x paths x years, float32 or float64 (a float32 is the nearest to the
    double)."""
    n, n_years, _ = raw.shape
    for i in prange(n):
        for s in range(fields.size):
            for k in range(n_years):
                out[s, i, k] = raw[i, k, fields[s]]


records_to_variables = jit_parallel(records_to_variables_py)
