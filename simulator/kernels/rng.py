"""Counter-based random numbers: each draw is a pure function of (seed, stream, path, month, slot).

Why counter-based: a path's numbers must not depend on which chunk, worker or thread simulates it, nor on
whether numba compiled the code. Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as
1, 2, 3", SC 2011; the generator behind numpy's Philox and cuRAND) maps a 128-bit counter and a 64-bit key
to 128 random bits with no state to carry. The counter is laid out as

    c0 = month * BLOCKS_PER_MONTH + block,  c1 = stream,  c2, c3 = path index (low, high 32 bits)

where ``month`` is the calendar month counted from January of :data:`EPOCH_YEAR` (negative before it, as
two's complement in 32 bits): a path sees the same numbers in the same calendar month whatever year-end
its run opens at, so a run opened at a year-end a path reached continues that path exactly. Annual
consumers put the calendar year counted from EPOCH_YEAR in the month's place.

and the key is the seed (low, high 32 bits). ``stream`` separates consumers (the economic scenario
generator is stream 0; later model parts take their own), so adding a consumer never shifts the numbers
another one sees.

All arithmetic is on uint64 values holding 32-bit words: the 32x32-bit products fit in 64 bits, so
nothing overflows and the interpreter (``NUMBA_DISABLE_JIT=1``) gives the same bits as compiled code.
"""

import math

import numpy as np
from numba import prange

from simulator.kernels.jit import jit, jit_parallel

_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_SHIFT5 = np.uint64(5)
_SHIFT6 = np.uint64(6)
_TWO26 = np.uint64(67108864)
_INV_TWO53 = 1.0 / 9007199254740992.0

#: The calendar year whose January is counter month 0 (the first simulated year of the runs before
#: openings became data; fixed for good, so that their numbers stay the same).
EPOCH_YEAR = 2025

#: Philox blocks reserved per simulated month and stream: each block gives two uniforms or four normals
#: (blocks 0..3; block b + 4 refines block b's normals in the far tails).
BLOCKS_PER_MONTH = 8

#: Streams of the consumers of random numbers.
STREAM_ECONOMY = 0
STREAM_ACCOUNTS = 1
STREAM_PARAMS = 2  # --parameter-uncertainty: each path's parameter draws


@jit
def philox4x32_10(c0, c1, c2, c3, k0, k1):
    """Ten Philox4x32 rounds on a counter (c0..c3) with key (k0, k1); all uint64 holding 32 bits."""
    for _ in range(10):
        p0 = _M0 * c0
        p1 = _M1 * c2
        n0 = (p1 >> _SHIFT32) ^ c1 ^ k0
        n2 = (p0 >> _SHIFT32) ^ c3 ^ k1
        c0 = n0
        c1 = p1 & _MASK32
        c2 = n2
        c3 = p0 & _MASK32
        k0 = (k0 + _W0) & _MASK32
        k1 = (k1 + _W1) & _MASK32
    return c0, c1, c2, c3


@jit
def _to_unit(hi, lo):
    """53 random bits from two 32-bit words as a double in [0, 1)."""
    return float((hi >> _SHIFT5) * _TWO26 + (lo >> _SHIFT6)) * _INV_TWO53


@jit
def uniform_pair(seed, stream, path, month, block):
    """Two independent U[0, 1) draws for (seed, stream, path, month, block)."""
    s = np.uint64(seed)
    p = np.uint64(path)
    c0 = np.uint64((month * BLOCKS_PER_MONTH + block) & 0xFFFFFFFF)  # a month before the epoch wraps
    r0, r1, r2, r3 = philox4x32_10(
        c0, np.uint64(stream), p & _MASK32, p >> _SHIFT32, s & _MASK32, s >> _SHIFT32
    )
    return _to_unit(r0, r1), _to_unit(r2, r3)


# Wichura's AS 241 (PPND16): the inverse of the normal distribution function, accurate to about 1e-16
# relative (M. J. Wichura, "Algorithm AS 241: the percentage points of the normal distribution", Applied
# Statistics 37 (1988) 477-484). Central region |p - 0.5| <= 0.425, then sqrt(-log(min(p, 1 - p))) <= 5
# and beyond: three rational functions of degree 7/7.
_A = (3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
      45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727)
_B = (1.0, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867,
      39307.89580009271061, 28729.085735721942674, 5226.495278852545925)
_C = (1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
      1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4)
_D = (1.0, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
      0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9)
_E = (6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
      0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7)
_F = (1.0, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4,
      1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15)


@jit
def _ratio(c, d, r):
    """c(r) / d(r), both degree 7, by Horner's rule (written out: the same operations compiled or
    interpreted, and no loop over a tuple in the compiled code)."""
    num = ((((((c[7] * r + c[6]) * r + c[5]) * r + c[4]) * r + c[3]) * r + c[2]) * r + c[1]) * r + c[0]
    den = ((((((d[7] * r + d[6]) * r + d[5]) * r + d[4]) * r + d[3]) * r + d[2]) * r + d[1]) * r + d[0]
    return num / den


@jit
def inverse_normal(p):
    """The z with Phi(z) = p, for 0 < p < 1 (AS 241, PPND16)."""
    q = p - 0.5
    if abs(q) <= 0.425:
        return q * _ratio(_A, _B, 0.180625 - q * q)
    r = math.sqrt(-math.log(p if q < 0.0 else 1.0 - p))
    z = _ratio(_C, _D, r - 1.6) if r <= 5.0 else _ratio(_E, _F, r - 5.0)
    return -z if q < 0.0 else z


#: A normal is one 32-bit word w of a block: u = (w + 1/2) / 2^32, z = inverse_normal(u), exact for every
#: w (the grid's CDF error is at most 2^-33). Where the grid is coarse in z, in the outer 2^-16 of either
#: tail (|z| > 4.17), the word is refined by 21 bits of the same word of block + REFINE_BLOCKS: u has
#: 53 bits there, so the tails reach |z| = 8.29 as double precision allows.
REFINE_BLOCKS = 4
_TAIL_WORDS = np.uint64(1 << 16)
_SHIFT11 = np.uint64(11)
_SHIFT21 = np.uint64(21)
_HALF = 0.5
_INV_TWO32 = 1.0 / 4294967296.0


@jit
def _in_tail(w):
    """Whether word w lies in the outer 2^-16 of either tail: w < 2^16 or w >= 2^32 - 2^16."""
    return ((w + _TAIL_WORDS) & _MASK32) < _TAIL_WORDS + _TAIL_WORDS


@jit
def _tail_normal(w, extra):
    """Word w in a far tail refined by 21 more bits (``extra``, the top 21 of the refining word): the
    tail probability (v * 2^21 + extra + 1/2) / 2^53, v = w in the lower tail and 2^32 - 1 - w in the
    upper one."""
    lower = w < _TAIL_WORDS
    v = w if lower else _MASK32 - w
    z = inverse_normal((float((v << _SHIFT21) + (extra >> _SHIFT11)) + _HALF) * _INV_TWO53)
    return z if lower else -z


@jit
def _refine_tails(seed, stream, path, month, block, r0, r1, r2, r3, z0, z1, z2, z3):
    """The draws of words in a far tail again, from the same words of block + REFINE_BLOCKS (rare: a
    block has such a word once in 2^13)."""
    c0 = np.uint64((month * BLOCKS_PER_MONTH + block + REFINE_BLOCKS) & 0xFFFFFFFF)
    s = np.uint64(seed)
    p = np.uint64(path)
    e0, e1, e2, e3 = philox4x32_10(c0, np.uint64(stream), p & _MASK32, p >> _SHIFT32, s & _MASK32, s >> _SHIFT32)
    if _in_tail(r0):
        z0 = _tail_normal(r0, e0)
    if _in_tail(r1):
        z1 = _tail_normal(r1, e1)
    if _in_tail(r2):
        z2 = _tail_normal(r2, e2)
    if _in_tail(r3):
        z3 = _tail_normal(r3, e3)
    return z0, z1, z2, z3


@jit
def normal_quad(seed, stream, path, month, block):
    """Four independent N(0, 1) draws for (seed, stream, path, month, block), one per 32-bit word, by the
    inverse normal distribution function: no rejection, so each draw is a fixed function of fixed
    counters (block < REFINE_BLOCKS; block + REFINE_BLOCKS is read only for a draw in the far tails)."""
    s = np.uint64(seed)
    p = np.uint64(path)
    c0 = np.uint64((month * BLOCKS_PER_MONTH + block) & 0xFFFFFFFF)  # a month before the epoch wraps
    r0, r1, r2, r3 = philox4x32_10(
        c0, np.uint64(stream), p & _MASK32, p >> _SHIFT32, s & _MASK32, s >> _SHIFT32
    )
    z0 = inverse_normal((float(r0) + _HALF) * _INV_TWO32)
    z1 = inverse_normal((float(r1) + _HALF) * _INV_TWO32)
    z2 = inverse_normal((float(r2) + _HALF) * _INV_TWO32)
    z3 = inverse_normal((float(r3) + _HALF) * _INV_TWO32)
    if _in_tail(r0) or _in_tail(r1) or _in_tail(r2) or _in_tail(r3):
        return _refine_tails(seed, stream, path, month, block, r0, r1, r2, r3, z0, z1, z2, z3)
    return z0, z1, z2, z3


@jit
def normal_pair(seed, stream, path, month, block):
    """The first two draws of :func:`normal_quad` (an annual consumer needing two)."""
    z0, z1, _, _ = normal_quad(seed, stream, path, month, block)
    return z0, z1


def annual_normals_py(seed, stream, path_start, out):
    """Fill out[i, year, k] with N(0, 1) draws for path path_start + i (k < 4 * REFINE_BLOCKS).

    The year takes the place of the month in the counter, so annual consumers (the accounts) have
    their own stream of draws, independent of the monthly economy.
    """
    n_paths, n_years, n_draws = out.shape
    for i in prange(n_paths):
        for y in range(n_years):
            for b in range((n_draws + 3) // 4):
                z = normal_quad(seed, stream, path_start + i, y, b)
                for j in range(min(4, n_draws - 4 * b)):
                    out[i, y, 4 * b + j] = z[j]


annual_normals = jit_parallel(annual_normals_py)
