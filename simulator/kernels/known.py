"""Known outcomes (känt utfall): a year's months drawn conditionally on the values observed in it.

A scenario's ``[known]`` files pin monthly values (``pins``, months x N_PINS: the month's inflation, the
short and the long rate at month end, the month's equity returns) and annual totals (``annual_pins``,
years x N_ANNUAL_PINS: Dec/Dec inflation, the year's equity returns, the tax base's growth), NaN where
nothing is known. Given the year's regimes (drawn first: they do not depend on the normals) and the state
at its start, every pinnable quantity of the year is an affine function of the year's 12 x 7 independent
standard normals z: q = c + G z (the OU steps, the lag, the tax anchor and the equity returns are linear
in the shocks). Conditioning z ~ N(0, I) on the pinned rows A z = r - c is then exact Gaussian
conditioning, the projection z' = z + A^T (A A^T)^-1 (r - c - A z): the pinned quantities take their
observed values and every driver's shocks, the unpinned ones included, are drawn from their conditional
distribution given what was seen (through the correlation). G is found by evaluating the year at z and at
z plus each unit vector (exact for an affine map, to rounding); after the year is simulated the pinned
monthly values are set to the observed ones exactly, so a pinned period has no spread at all.
"""

from __future__ import annotations

import math

import numpy as np

from simulator.kernels.jit import jit
from simulator.kernels.months import (
    M_EQ_GL,
    M_EQ_SE,
    M_INFLATION,
    M_LONG,
    M_SHORT,
    M_SPREAD,
    M_TAX,
    N_MONTHLY,
    S_INFL,
    S_RATE,
    S_SPREAD,
    correlate,
    month_step,
)
from simulator.kernels.records import N_SHOCKS

#: the monthly pins' columns: the month's inflation (annualised log rate, as the model carries it), the
#: short rate at month end (the model's unfloored rate), the long rate at month end, the month's log
#: equity returns
PIN_COLUMNS = ("inflation", "short_rate", "long_rate", "equity_sweden", "equity_global")
PIN_INFLATION, PIN_SHORT, PIN_LONG, PIN_EQ_SE, PIN_EQ_GL = range(len(PIN_COLUMNS))
N_PINS = len(PIN_COLUMNS)
#: the annual pins' columns: the year's log KPI change (Dec/Dec), log equity returns, log tax-base growth
ANNUAL_PIN_COLUMNS = ("inflation", "equity_sweden", "equity_global", "tax_base")
AP_INFLATION, AP_EQ_SE, AP_EQ_GL, AP_TAX = range(len(ANNUAL_PIN_COLUMNS))
N_ANNUAL_PINS = len(ANNUAL_PIN_COLUMNS)
#: quantities of a year: N_PINS per month, then the annual ones
N_QUANTITIES = 12 * N_PINS + N_ANNUAL_PINS


@jit
def year_is_known(pins, annual_pins, k):
    """Whether calendar year k (from the first simulated) holds an observed value."""
    if pins.shape[0] > 0:
        for t in range(12 * k, 12 * k + 12):
            for c in range(N_PINS):
                if not math.isnan(pins[t, c]):
                    return True
    if annual_pins.shape[0] > 0:
        for c in range(N_ANNUAL_PINS):
            if not math.isnan(annual_pins[k, c]):
                return True
    return False


@jit
def year_quantities(p, st0, regimes, z, k, tax_anchor, stress, q):
    """Every pinnable quantity of year k into ``q`` (N_QUANTITIES) for the year's normals ``z`` (12 x 7)
    and regimes (12 x 2), from the state ``st0`` at the year's start (not changed)."""
    st = st0.copy()
    e = np.empty(N_SHOCKS)
    row = np.empty(N_MONTHLY)
    for c in range(N_ANNUAL_PINS):
        q[12 * N_PINS + c] = 0.0
    for m in range(12):
        correlate(p["correlation_factor"], z[m], e)
        month_step(p, st, regimes[m, 0], regimes[m, 1], e, 12 * k + m, tax_anchor, stress, row)
        q[N_PINS * m + PIN_INFLATION] = st[S_INFL]
        q[N_PINS * m + PIN_SHORT] = st[S_RATE]
        q[N_PINS * m + PIN_LONG] = st[S_RATE] + st[S_SPREAD]
        q[N_PINS * m + PIN_EQ_SE] = row[M_EQ_SE]
        q[N_PINS * m + PIN_EQ_GL] = row[M_EQ_GL]
        q[12 * N_PINS + AP_INFLATION] += st[S_INFL] * p["dt_years"]
        q[12 * N_PINS + AP_EQ_SE] += row[M_EQ_SE]
        q[12 * N_PINS + AP_EQ_GL] += row[M_EQ_GL]
        q[12 * N_PINS + AP_TAX] += row[M_TAX]


@jit
def condition_on_known(p, st, regimes, z, k, tax_anchor, stress, pins, annual_pins):
    """Condition year k's normals ``z`` (12 x 7, changed in place) on its observed values."""
    targets = np.empty(N_QUANTITIES)
    for m in range(12):
        for c in range(N_PINS):
            targets[N_PINS * m + c] = pins[12 * k + m, c] if pins.shape[0] > 0 else math.nan
    for c in range(N_ANNUAL_PINS):
        targets[12 * N_PINS + c] = annual_pins[k, c] if annual_pins.shape[0] > 0 else math.nan
    rows = np.flatnonzero(~np.isnan(targets))
    n_z = 12 * N_SHOCKS
    base = np.empty(N_QUANTITIES)
    year_quantities(p, st, regimes, z, k, tax_anchor, stress, base)
    a = np.empty((rows.size, n_z))
    moved = np.empty(N_QUANTITIES)
    for j in range(n_z):  # the affine map's gradient, one normal at a time
        z[j // N_SHOCKS, j % N_SHOCKS] += 1.0
        year_quantities(p, st, regimes, z, k, tax_anchor, stress, moved)
        z[j // N_SHOCKS, j % N_SHOCKS] -= 1.0
        for i in range(rows.size):
            a[i, j] = moved[rows[i]] - base[rows[i]]
    gap = np.empty(rows.size)
    for i in range(rows.size):
        gap[i] = targets[rows[i]] - base[rows[i]]
    y = np.linalg.solve(a @ a.T, gap)
    shift = a.T @ y
    for j in range(n_z):
        z[j // N_SHOCKS, j % N_SHOCKS] += shift[j]


@jit
def set_known_month(p, st, pins, t, row):
    """After a conditioned month: the pinned values exactly as observed (the conditioning meets them to
    rounding), in the state the next month starts from and in the month's values."""
    if pins.shape[0] == 0:
        return
    v = pins[t, PIN_INFLATION]
    if not math.isnan(v):
        st[S_INFL] = v
        row[M_INFLATION] = v
    v = pins[t, PIN_SHORT]
    if not math.isnan(v):
        st[S_RATE] = v
        row[M_SHORT] = max(v, p["short_rate_floor_pa"])
        row[M_LONG] = max(v + st[S_SPREAD], p["short_rate_floor_pa"])
    v = pins[t, PIN_LONG]
    if not math.isnan(v):
        st[S_SPREAD] = v - st[S_RATE]
        row[M_SPREAD] = st[S_SPREAD]
        row[M_LONG] = max(v, p["short_rate_floor_pa"])
    v = pins[t, PIN_EQ_SE]
    if not math.isnan(v):
        row[M_EQ_SE] = v
    v = pins[t, PIN_EQ_GL]
    if not math.isnan(v):
        row[M_EQ_GL] = v

