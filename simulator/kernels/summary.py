"""Kernels of the streamed summary: exact sums and exact order statistics, a chunk of paths at a time.

A chunk is a (columns, rows) float64 array, each column contiguous (a column: one variable in one
year); the callers transpose. Two things are kept
per column, both independent of how the paths were split into chunks and of the order chunks arrive:

- the exact sum, as Shewchuk's non-overlapping partials (the sum of the partials *is* the sum of the
  values, with no rounding): ``math.fsum`` of every chunk's partials gives the correctly rounded total,
  so a mean is the same bits whatever the chunking (``add_partials``);
- counts in bins between fixed edges (``bin_counts``): with the counts of all paths, the bins holding
  the order statistics a percentile needs are known, and a second pass collects only the values in those
  bins (``collect``), whose sort gives the exact order statistics.

NaN is never summed or binned: it is counted apart (the caller decides what a NaN means), and so are
±inf in the sums. A bin is found by a uniform look-up table over the edges' range and a short scan, so
the table's rounding never changes a bin, only how long the scan is.
"""

import math

import numpy as np
from numba import prange

from simulator.kernels.jit import jit, jit_parallel

#: Shewchuk partials per column: non-overlapping float64 partials number at most ~2 100 / 53 < 40
N_PARTIALS = 48


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


def add_partials_py(values, partials, n_partials, specials):
    """Add every finite value of each column (values: columns x rows) to its partials (columns x
    N_PARTIALS, n_partials per column); specials (columns x 3) counts NaN, +inf and -inf."""
    cols, rows = values.shape
    for c in prange(cols):
        n = n_partials[c]
        for r in range(rows):
            x = values[c, r]
            if math.isfinite(x):
                if x != 0.0:
                    n = _add_one(partials[c], n, x)
            elif math.isnan(x):
                specials[c, 0] += 1
            elif x > 0:
                specials[c, 1] += 1
            else:
                specials[c, 2] += 1
        n_partials[c] = n


add_partials = jit_parallel(add_partials_py)


@jit
def bin_of(x, edges, lut, lo, scale):
    """The number of edges <= x (x not NaN): bin 0 lies below every edge, bin len(edges) above all."""
    n_edges = edges.size
    t = (x - lo) * scale
    g = lut.size - 1
    if not t < lut.size:  # also +inf
        g = lut.size - 1
    elif t >= 0.0:
        g = int(t)
    else:
        g = 0
    k = lut[g]
    while k > 0 and edges[k - 1] > x:
        k -= 1
    while k < n_edges and edges[k] <= x:
        k += 1
    return k


def bin_counts_py(values, edges, edge_start, lut, lut_start, lo, scale, counts, count_start, nans):
    """Count each column's values into its bins (column c: edges[edge_start[c]:edge_start[c+1]], counts
    from count_start[c], one more bin than edges); NaN into nans[c]."""
    cols, rows = values.shape
    n_lut = lut_start[1] - lut_start[0]
    for c in prange(cols):
        e = edges[edge_start[c]:edge_start[c + 1]]
        table = lut[lut_start[c]:lut_start[c] + n_lut]
        base = count_start[c]
        for r in range(rows):
            x = values[c, r]
            if math.isnan(x):
                nans[c] += 1
            else:
                counts[base + bin_of(x, e, table, lo[c], scale[c])] += 1


bin_counts = jit_parallel(bin_counts_py)


def collect_py(values, wanted_start, wanted_lo, wanted_hi, wanted_fill, buffer):
    """Copy each column's values that fall in one of its wanted bins into ``buffer``: column c's wanted
    bins are j in wanted_start[c]:wanted_start[c+1], bin j holding the values in [wanted_lo[j],
    wanted_hi[j]) (the bins' edges, so the same values bin_of puts there) and filling buffer from
    wanted_fill[j] on (advanced as it fills)."""
    cols, rows = values.shape
    for c in prange(cols):
        w0, w1 = wanted_start[c], wanted_start[c + 1]
        if w0 == w1:
            continue
        for r in range(rows):
            x = values[c, r]
            for j in range(w0, w1):
                hi = wanted_hi[j]
                if wanted_lo[j] <= x and (x < hi or x == hi == math.inf):  # False for NaN
                    buffer[wanted_fill[j]] = x
                    wanted_fill[j] += 1
                    break


collect = jit_parallel(collect_py)


@jit
def column_edges(x, n_bins):
    """Bin edges of one column from its sorted finite pilot values x: the values at n_bins + 1 evenly
    spaced ranks, and every repeated value a and nextafter(a, inf) (a one-value bin), sorted, unique."""
    n = x.size
    cand = np.empty(n_bins + 1 + 2 * n)
    k = 0
    for j in range(n_bins + 1):
        cand[k] = x[int(round(j * (n - 1) / n_bins))]
        k += 1
    for i in range(1, n):
        if x[i] == x[i - 1] and (i == 1 or x[i - 1] != x[i - 2]):
            cand[k] = x[i]
            cand[k + 1] = np.nextafter(x[i], np.inf)
            k += 2
    cand = np.sort(cand[:k])
    out = np.empty(k)
    m = 0
    for i in range(k):
        if math.isfinite(cand[i]) and (m == 0 or cand[i] != out[m - 1]):
            out[m] = cand[i]
            m += 1
    return out[:m]


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
    """The chunk's records as one contiguous paths x years array per stored field (what the store
    compresses): out is fields x paths x years."""
    n, n_years, _ = raw.shape
    for i in prange(n):
        for s in range(fields.size):
            for k in range(n_years):
                out[s, i, k] = raw[i, k, fields[s]]


records_to_variables = jit_parallel(records_to_variables_py)
