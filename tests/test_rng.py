"""The counter-based generator: known-answer vectors and the properties the engine relies on."""

import math

import numpy as np
import pytest

from simulator.kernels.rng import normal_pair, philox4x32_10, uniform_pair

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


def test_pure_python_twin_gives_the_same_bits():
    args = (U(7), U(0), U(123456), U(0), U(42), U(0))
    assert philox4x32_10(*args) == philox4x32_10.py_func(*args)
    assert normal_pair(42, 0, 123456, 7, 2) == normal_pair.py_func(42, 0, 123456, 7, 2)


def test_draws_depend_on_every_coordinate():
    base = uniform_pair(1, 0, 5, 3, 1)
    assert uniform_pair(1, 0, 5, 3, 1) == base
    for other in [(2, 0, 5, 3, 1), (1, 1, 5, 3, 1), (1, 0, 6, 3, 1), (1, 0, 5, 4, 1), (1, 0, 5, 3, 2),
                  (1, 0, 5 + 2**32, 3, 1)]:
        assert uniform_pair(*other) != base


def test_normals_have_unit_moments_and_no_correlation():
    n = 40_000
    z = np.array([normal_pair(9, 0, p, 0, 0) for p in range(n)])
    se = 1.0 / math.sqrt(n)
    assert abs(z[:, 0].mean()) < 4 * se and abs(z[:, 1].mean()) < 4 * se
    assert abs(z[:, 0].var() - 1.0) < 4 * math.sqrt(2.0 / n)
    assert abs(np.corrcoef(z[:, 0], z[:, 1])[0, 1]) < 4 * se
    # fat enough tails for a normal: P(|z| > 3) = 0.0027
    share = np.mean(np.abs(z) > 3)
    assert abs(share - 0.0027) < 4 * math.sqrt(0.0027 / (2 * n))


def test_uniforms_in_unit_interval():
    u = np.array([uniform_pair(3, 0, p, 1, 3) for p in range(20_000)]).ravel()
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 4 * math.sqrt(1 / 12 / u.size)
