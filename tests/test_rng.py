"""The counter-based generator: known-answer vectors, the normal transform's accuracy, and the
properties the engine relies on (moments, tails, independence, the shocks' correlation)."""

import math

import numpy as np
import pytest
from numba import njit, prange
from scipy import special

from simulator.kernels.months import correlate, draw_normals
from simulator.kernels.rng import (
    REFINE_BLOCKS,
    annual_normals,
    inverse_normal,
    normal_pair,
    normal_quad,
    philox4x32_10,
    uniform_pair,
)

U = np.uint64
M32 = U(0xFFFFFFFF)


@pytest.mark.parametrize(
    "counter, key, expected",
    [
        # Random123 kat_vectors for philox4x32_10
        ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
        ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
        (
            (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
            (0xA4093822, 0x299F31D0),
            (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
        ),
    ],
)
def test_philox_known_answers(counter, key, expected):
    out = philox4x32_10(*(U(c) for c in counter), *(U(k) for k in key))
    assert tuple(int(x) for x in out) == expected


def test_inverse_normal_is_as241s_accuracy():
    """Wichura's AS 241 against scipy's ndtri (Cephes) from p = 1e-300 to 1 - 1e-16: both are accurate to
    a few units in the last place, so they agree to 1e-15 relative."""
    p = np.concatenate([np.logspace(-300, -1, 3000), np.linspace(0.01, 0.99, 1999), 1 - np.logspace(-16, -1, 500)])
    z = np.array([inverse_normal(x) for x in p])
    ref = special.ndtri(p)
    assert np.all(np.abs(z - ref) <= 1e-15 * np.maximum(np.abs(ref), 1e-3))
    assert np.all(np.diff(z[np.argsort(p)]) >= 0)  # monotone


def _word(path, month, block, word, stream=0, seed=42):
    key = (U(seed) & M32, U(seed) >> U(32))
    c = U((month * 8 + block) & 0xFFFFFFFF)
    return int(philox4x32_10(c, U(stream), U(path) & M32, U(path) >> U(32), *key)[word])


def _tail_path(lower: bool) -> int:
    """A path whose word 0 of month 0, block 0 lies in the outer 2^-16 of a tail (found by search)."""
    for path in range(2_000_000):
        w = _word(path, 0, 0, 0)
        if (w < 1 << 16) if lower else (w >= (1 << 32) - (1 << 16)):
            return path
    raise AssertionError("no tail word found")


def test_a_normal_is_the_inverse_cdf_of_its_word_and_far_tails_have_53_bits():
    path = 5
    w = _word(path, 3, 1, 2)
    assert normal_quad(42, 0, path, 3, 1)[2] == inverse_normal((w + 0.5) / 2**32)
    for lower in (True, False):
        path = _tail_path(lower)
        w = _word(path, 0, 0, 0)
        extra = _word(path, 0, REFINE_BLOCKS, 0) >> 11
        v = w if lower else (1 << 32) - 1 - w
        expected = inverse_normal((v * 2**21 + extra + 0.5) / 2**53)
        got = normal_quad(42, 0, path, 0, 0)[0]
        assert got == (expected if lower else -expected)
        # the refinement stays inside the word's own cell of the 2^32 grid: the order is the words' order
        cell = sorted([special.ndtri(v / 2**32), special.ndtri((v + 1) / 2**32)])
        assert cell[0] <= (got if lower else -got) <= cell[1]


def test_pure_python_twin_gives_the_same_bits():
    args = (U(7), U(0), U(123456), U(0), U(42), U(0))
    assert philox4x32_10(*args) == philox4x32_10.py_func(*args)
    for path in (123456, _tail_path(True), _tail_path(False)):
        assert normal_quad(42, 0, path, 0, 0) == normal_quad.py_func(42, 0, path, 0, 0)
    assert normal_pair(42, 1, 99, -3, 0) == normal_pair.py_func(42, 1, 99, -3, 0)  # a month before the epoch


def test_draws_depend_on_every_coordinate():
    base = uniform_pair(1, 0, 5, 3, 1)
    assert uniform_pair(1, 0, 5, 3, 1) == base
    for other in [(2, 0, 5, 3, 1), (1, 1, 5, 3, 1), (1, 0, 6, 3, 1), (1, 0, 5, 4, 1), (1, 0, 5, 3, 2),
                  (1, 0, 5 + 2**32, 3, 1)]:
        assert uniform_pair(*other) != base
    z = normal_quad(1, 0, 5, 3, 1)
    assert len(set(z)) == 4 and normal_quad(1, 0, 5, 3, 2) != z and normal_quad(1, 0, 5, 4, 1) != z


@njit(parallel=True)
def _moments(n_paths, n_months, seed, edges):
    """Sums of z, z^2, z^3, z^4 and counts below each edge over every economy normal of n_paths x
    n_months (per path, then added in path order: the same bits on any thread count)."""
    per_path = np.zeros((n_paths, 4 + edges.size))
    for i in prange(n_paths):
        z = np.empty(7)
        for t in range(n_months):
            draw_normals(seed, i, t, z)
            for k in range(7):
                x = z[k]
                per_path[i, 0] += x
                per_path[i, 1] += x * x
                per_path[i, 2] += x * x * x
                per_path[i, 3] += x * x * x * x
                for e in range(edges.size):
                    if x < edges[e]:
                        per_path[i, 4 + e] += 1.0
    return per_path.sum(axis=0)


@pytest.fixture(scope="module")
def economy_normals():
    """Moments and CDF counts of 4 x 10^7 of the economy's normals (seed 11, 29 762 paths x 192 months)."""
    edges = np.array([-4.5, -4.0, -3.0, -1.0, 0.0, 1.0, 3.0, 4.0, 4.5])
    paths, months = 29_762, 192
    sums = _moments(paths, months, U(11), edges)
    return paths * months * 7, sums, edges


def test_normals_have_the_moments_of_a_standard_normal(economy_normals):
    n, sums, _ = economy_normals
    mean, m2, m3, m4 = sums[:4] / n
    assert abs(mean) < 4 / math.sqrt(n)
    assert abs(m2 - 1) < 4 * math.sqrt(2 / n)
    assert abs(m3) < 4 * math.sqrt(15 / n)  # var(z^3) = 15
    assert abs(m4 - 3) < 4 * math.sqrt(96 / n)  # var(z^4) = 105 - 9


def test_normals_have_the_tails_of_a_standard_normal(economy_normals):
    """The distribution function at each edge, and P(|z| > 4) and P(|z| > 4.5), within four binomial
    standard errors of the theory (the tails beyond 4.17 come from the refined 53-bit words)."""
    n, sums, edges = economy_normals
    below = sums[4:]
    for edge, count in zip(edges, below):
        p = special.ndtr(edge)
        assert abs(count - n * p) < 4 * math.sqrt(n * p * (1 - p)) + 1, edge
    for limit in (4.0, 4.5):
        p = 2 * special.ndtr(-limit)  # 6.33e-5 and 6.80e-6
        count = below[list(edges).index(-limit)] + n - below[list(edges).index(limit)]
        assert abs(count - n * p) < 4 * math.sqrt(n * p * (1 - p)), limit


def test_draws_are_uncorrelated_across_slots_months_and_paths():
    n = 20_000
    z = np.empty((n, 3, 7))
    for p in range(n):
        for t in range(3):
            draw_normals(U(9), p, t - 1, z[p, t])  # months -1, 0, 1: before the epoch too
    flat = z.reshape(n, -1)
    c = np.corrcoef(flat, rowvar=False)
    off = c[~np.eye(c.shape[0], dtype=bool)]
    assert np.abs(off).max() < 4.5 / math.sqrt(n)  # 420 pairs: the largest of them stays within 4.5 se
    assert abs(np.corrcoef(z[:-1, 1, 0], z[1:, 1, 0])[0, 1]) < 4 / math.sqrt(n)  # neighbouring paths


def test_the_shocks_have_the_scenarios_correlation():
    from simulator.model.drivers import economy_inputs
    from simulator.scenario.loader import load_scenario
    from tests.conftest import BASE_TOML

    scenario = load_scenario(BASE_TOML)
    factor = np.ascontiguousarray(np.asarray(economy_inputs(scenario).params["correlation_factor"]).reshape(7, 7))
    target = factor @ factor.T
    n = 50_000
    e = np.empty((n, 7))
    z = np.empty(7)
    for k in range(n):
        draw_normals(U(3), k // 12, k % 12, z)
        correlate(factor, z, e[k])
    got = np.corrcoef(e, rowvar=False)
    assert np.all(np.abs(got - target) < 4.5 * (1 - target**2) / math.sqrt(n) + 1e-12)
    assert np.abs(target - np.eye(7)).max() > 0.2  # the scenario does correlate some shocks


def test_annual_normals_fill_every_slot_from_the_quads():
    out = np.empty((3, 2, 6))
    annual_normals(U(5), 2, np.int64(10), out)
    for i in range(3):
        for y in range(2):
            expected = normal_quad(5, 2, 10 + i, y, 0) + normal_quad(5, 2, 10 + i, y, 1)[:2]
            assert tuple(out[i, y]) == expected


def test_uniforms_in_unit_interval():
    u = np.array([uniform_pair(3, 0, p, 1, 3) for p in range(20_000)]).ravel()
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 4 * math.sqrt(1 / 12 / u.size)
