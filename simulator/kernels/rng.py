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
_TWO_PI = 2.0 * math.pi

#: The calendar year whose January is counter month 0 (the first simulated year of the runs before
#: openings became data; fixed for good, so that their numbers stay the same).
EPOCH_YEAR = 2025

#: Philox blocks reserved per simulated month and stream: each block gives two uniforms or two normals.
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


@jit
def normal_pair(seed, stream, path, month, block):
    """Two independent N(0, 1) draws by the Box-Muller transform (no rejection, so no data-dependent
    consumption of the stream)."""
    u1, u2 = uniform_pair(seed, stream, path, month, block)
    radius = math.sqrt(-2.0 * math.log(1.0 - u1))  # 1 - u1 is in (0, 1]: log never sees 0
    angle = _TWO_PI * u2
    return radius * math.cos(angle), radius * math.sin(angle)


def annual_normals_py(seed, stream, path_start, out):
    """Fill out[i, year, k] with N(0, 1) draws for path path_start + i (k < 2 * BLOCKS_PER_MONTH).

    The year takes the place of the month in the counter, so annual consumers (the accounts) have
    their own stream of draws, independent of the monthly economy.
    """
    n_paths, n_years, n_draws = out.shape
    for i in prange(n_paths):
        for y in range(n_years):
            for b in range((n_draws + 1) // 2):
                z0, z1 = normal_pair(seed, stream, path_start + i, y, b)
                out[i, y, 2 * b] = z0
                if 2 * b + 1 < n_draws:
                    out[i, y, 2 * b + 1] = z1


annual_normals = jit_parallel(annual_normals_py)
