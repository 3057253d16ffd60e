"""The economic scenario generator (ekonomiskt scenario): one path's months, then its calendar years.

Each month t = 0..n_months-1 of a path, in this order (``economy_path``; one month is
simulator.kernels.months.month_step):
1. regimes switch (Markov chains, uniforms from block 3): inflation normal/shock, equity calm/crash;
2. seven N(0,1) draws (blocks 0-2 and 4) are correlated by the factor ``corr`` (C = L L^T); in a year
   with known outcomes the year's draws are conditioned on them first (simulator.kernels.known);
3. states move by their exact one-month transition, the mean held at its value at the start of the
   month: inflation and term spread are OU, the short rate is Vasicek towards real rate +
   pass-through x inflation, the tax-base and wage deviations are OU around zero; the lagged inflation
   that wages and the tax base follow is an exponential average of past months' inflation;
4. a stress scenario may then set a month's value (``stress``, NaN = the model's own);
5. the month's values go to the path's monthly buffer (columns M_*).
``year_drivers`` then forms one calendar year's figures from the buffer (columns D_*): KPI Dec/Dec,
the year's average rates, compounded equity returns, tax base and wages, the prisbasbelopp by the legal
rule and the inkomstbasbelopp index.

A deterministic run (``stochastic=False``) sets every shock to zero and keeps the regimes where they
start. Parameters come as one record per path (dtype ECONOMY_PARAMS) so that --parameter-uncertainty
can give each path its own. The equations and the reasoning for every default are in docs/model.md."""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from simulator.kernels.jit import jit, jit_parallel
from simulator.kernels.known import condition_on_known, set_known_month, year_is_known
from simulator.kernels.months import (
    M_EQ_GL,
    M_EQ_SE,
    M_INFLATION,
    M_LONG,
    M_SHORT,
    M_TAX,
    M_WAGE,
    N_MONTH_STATE,
    S_INFL,
    S_LAGGED,
    S_RATE,
    S_SPREAD,
    S_TAX_DEV,
    S_WAGE_DEV,
    correlate,
    draw_normals,
    month_regimes,
    month_step,
)
from simulator.kernels.records import N_SHOCKS

#: columns of a path's annual driver buffer
DRIVER_COLUMNS = ("inflation", "kpi_index", "short_rate", "long_rate", "equity_return_sweden",
                  "equity_return_global", "equity_return", "tax_base_growth", "tax_base_index",
                  "wage_growth", "wage_index", "prisbasbelopp_sek", "inkomstbasbelopp_index")


(D_INFLATION, D_KPI, D_SHORT, D_LONG, D_EQ_SE, D_EQ_GL, D_EQ_MIX, D_TAX_GROWTH, D_TAX_INDEX,
 D_WAGE_GROWTH, D_WAGE_INDEX, D_PBB, D_IBB) = range(len(DRIVER_COLUMNS))


N_DRIVERS = len(DRIVER_COLUMNS)


@jit
def economy_path(p, opening, tax_anchor, stress, pins, annual_pins, seed, path, stochastic, buf, end):
    """Fill one path's monthly buffer ``buf`` (months x N_MONTHLY), starting from ``opening`` (an
    ECONOMY_STATE record: the state at the opening year-end); ``end`` (a 1-record ECONOMY_STATE array,
    or 0 records) receives the state after the last month (simulator year-end).

    ``tax_anchor[t]`` is the annualised log growth of the tax base expected in month t (SKR's path), or
    NaN where the long-run rule applies; ``stress`` (months x N_MONTHLY, or 0 rows) sets a month's
    value where it is not NaN (states, returns or a forced regime), and the model carries on from it.
    ``pins`` (months x N_PINS) and ``annual_pins`` (years x N_ANNUAL_PINS), NaN where nothing is known
    (or 0 rows), are observed values: a year holding one has its months drawn whole and conditioned on
    them (simulator.kernels.known); the other years draw month by month.
    """
    st = np.empty(N_MONTH_STATE)
    st[S_INFL] = opening["inflation_log_pa"]
    st[S_RATE] = opening["short_rate_pa"]
    st[S_SPREAD] = opening["term_spread_pa"]
    st[S_TAX_DEV] = opening["tax_base_deviation_pa"]
    st[S_WAGE_DEV] = opening["wage_deviation_pa"]
    st[S_LAGGED] = opening["lagged_inflation_log_pa"]
    ireg = opening["inflation_regime"]
    ereg = opening["equity_regime"]
    z = np.zeros(N_SHOCKS)
    e = np.zeros(N_SHOCKS)
    year_z = np.zeros((12, N_SHOCKS))
    year_regimes = np.zeros((12, 2), dtype=np.int64)
    for k in range(buf.shape[0] // 12):
        if year_is_known(pins, annual_pins, k):
            for m in range(12):  # the regimes and the normals of the whole year first
                t = 12 * k + m
                ireg, ereg = month_regimes(p, seed, path, t, stochastic, stress, ireg, ereg)
                year_regimes[m, 0] = ireg
                year_regimes[m, 1] = ereg
                year_z[m, :] = 0.0
                if stochastic:
                    draw_normals(seed, path, p["rng_epoch_offset_months"] + t, year_z[m])
            condition_on_known(p, st, year_regimes, year_z, k, tax_anchor, stress, pins, annual_pins)
            for m in range(12):
                t = 12 * k + m
                correlate(p["correlation_factor"], year_z[m], e)
                month_step(p, st, year_regimes[m, 0], year_regimes[m, 1], e, t, tax_anchor, stress, buf[t])
                set_known_month(p, st, pins, t, buf[t])
            continue
        for m in range(12):
            t = 12 * k + m
            ireg, ereg = month_regimes(p, seed, path, t, stochastic, stress, ireg, ereg)
            if stochastic:
                draw_normals(seed, path, p["rng_epoch_offset_months"] + t, z)
                correlate(p["correlation_factor"], z, e)
            month_step(p, st, ireg, ereg, e, t, tax_anchor, stress, buf[t])
    if end.shape[0] > 0:  # the state after the last month: where a run opened at this year-end starts
        e0 = end[0]
        e0["inflation_log_pa"] = st[S_INFL]
        e0["short_rate_pa"] = st[S_RATE]
        e0["term_spread_pa"] = st[S_SPREAD]
        e0["tax_base_deviation_pa"] = st[S_TAX_DEV]
        e0["wage_deviation_pa"] = st[S_WAGE_DEV]
        e0["lagged_inflation_log_pa"] = st[S_LAGGED]
        e0["inflation_regime"] = ireg
        e0["equity_regime"] = ereg


@jit
def prisbasbelopp_rule(previous_unrounded, kpi_june_ratio):
    """PBB(Y) = PBB(Y-1) x KPI(June Y-1) / KPI(June Y-2), rounded to the nearest 100 SEK, halves up
    (socialförsäkringsbalken 2 kap. 7 §); chaining the unrounded amount is the law's fixed-base rule,
    so rounding errors do not accumulate. At least 100 SEK: only an absurd deflation could round it to
    0. Returns (unrounded, rounded)."""
    unrounded = previous_unrounded * kpi_june_ratio
    return unrounded, max(math.floor(unrounded / 100.0 + 0.5) * 100.0, 100.0)


@jit
def year_drivers(p, buf, k, pbb_known, state, out):
    """Calendar year k's driver figures into ``out`` (a row of N_DRIVERS) from the monthly buffer.

    ``state`` carries across years: [0] log KPI at the end of the previous year, [1] and [7] log KPI
    in June of the year before last and of the previous year, [2] the unrounded prisbasbelopp, [3] log tax-base index, [4] log wage index,
    [5] the inkomstbasbelopp index, [6] the previous year's wage growth. Inflation is KPI Dec/Dec;
    rates are the year's averages; equity returns compound the months (``equity_return`` is the
    benchmark's mix, rebalanced monthly); the inkomstbasbelopp follows the previous year's wage growth
    (the income index lags a year); known prisbasbelopp amounts come from ``pbb_known`` (from the
    opening year), later ones from the legal rule.
    """
    log_kpi = state[0]
    june = 0.0
    short = 0.0
    long = 0.0
    se = 0.0
    gl = 0.0
    mix = 0.0
    tax = 0.0
    wage = 0.0
    w = p["equity_sweden_weight_frac"]
    for m in range(12):
        t = 12 * k + m
        log_kpi += buf[t, M_INFLATION] * p["dt_years"]
        if m == 5:
            june = log_kpi
        short += buf[t, M_SHORT]
        long += buf[t, M_LONG]
        se += buf[t, M_EQ_SE]
        gl += buf[t, M_EQ_GL]
        mix += math.log1p(w * math.expm1(buf[t, M_EQ_SE]) + (1.0 - w) * math.expm1(buf[t, M_EQ_GL]))
        tax += buf[t, M_TAX]
        wage += buf[t, M_WAGE]
    out[D_INFLATION] = math.expm1(log_kpi - state[0])
    out[D_KPI] = math.exp(log_kpi)
    out[D_SHORT] = short / 12.0
    out[D_LONG] = long / 12.0
    out[D_EQ_SE] = math.expm1(se)
    out[D_EQ_GL] = math.expm1(gl)
    out[D_EQ_MIX] = math.expm1(mix)
    out[D_TAX_GROWTH] = math.expm1(tax)
    state[3] += tax
    out[D_TAX_INDEX] = math.exp(state[3])
    out[D_WAGE_GROWTH] = math.expm1(wage)
    state[4] += wage
    out[D_WAGE_INDEX] = math.exp(state[4])
    state[5] *= 1.0 + state[6]  # 0 at a declared opening: the index is 1 in the first year
    out[D_IBB] = state[5]
    state[6] = out[D_WAGE_GROWTH]
    if k + 1 < pbb_known.size:
        state[2] = pbb_known[k + 1]
        out[D_PBB] = state[2]
    else:  # year Y: KPI June Y-1 over June Y-2
        state[2], out[D_PBB] = prisbasbelopp_rule(state[2], math.exp(state[7] - state[1]))
    state[0] = log_kpi
    state[1] = state[7]
    state[7] = june


@jit
def opening_driver_state(opening, state):
    """The calendar years' working vector (see year_drivers) from the opening ECONOMY_STATE record."""
    state[0] = opening["log_kpi_december"]
    state[1] = opening["log_kpi_june_before"]
    state[2] = opening["prisbasbelopp_chain_sek"]
    state[3] = opening["log_tax_base_index"]
    state[4] = opening["log_wage_index"]
    state[5] = opening["inkomstbasbelopp_index"]
    state[6] = opening["wage_growth_last_year_frac"]
    state[7] = opening["log_kpi_june"]


@jit
def store_driver_state(state, end):
    """The calendar years' working vector back into an ECONOMY_STATE record (the inverse of opening_driver_state)."""
    end["log_kpi_december"] = state[0]
    end["log_kpi_june_before"] = state[1]
    end["prisbasbelopp_chain_sek"] = state[2]
    end["log_tax_base_index"] = state[3]
    end["log_wage_index"] = state[4]
    end["inkomstbasbelopp_index"] = state[5]
    end["wage_growth_last_year_frac"] = state[6]
    end["log_kpi_june"] = state[7]


N_DRIVER_STATE = 8


def economy_paths_py(params, opening, tax_anchor, stress, pins, annual_pins, pbb_known, seed, path_start, stochastic,
                     monthly, annual):
    """The economy alone for paths path_start .. path_start + n - 1: fills monthly (paths x months x
    N_MONTHLY) and annual (paths x years x N_DRIVERS). ``params`` holds one record per path, ``opening``
    the ECONOMY_STATE record every path starts from (a 1-record array). Used by the tests, calibration
    checks and --monthly output; the model kernel calls the same functions."""
    n_paths = monthly.shape[0]
    n_years = annual.shape[1]
    no_end = opening[0:0]  # no end state wanted (an empty array of the same record)
    for i in prange(n_paths):
        economy_path(params[i], opening[0], tax_anchor, stress, pins, annual_pins, seed, path_start + i, stochastic,
                     monthly[i], no_end)
        state = np.empty(N_DRIVER_STATE)
        opening_driver_state(opening[0], state)
        for k in range(n_years):
            year_drivers(params[i], monthly[i], k, pbb_known, state, annual[i, k])


economy_paths = jit_parallel(economy_paths_py)
