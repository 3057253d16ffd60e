"""The model kernel: one chunk of paths through every month and year, for one or more policy variants.

Per path (one ``prange`` iteration, so paths spread over the threads):
1. the economy's months into a small per-path buffer (``economy_path``) and its calendar years
   (``year_drivers``): the path's random numbers are drawn once, whatever the number of variants;
2. for each variant (its own accounts parameters and zero-shock baseline): the accounts from the
   opening balance, each year's twelve portfolio months under the dynamiska riskprincipen
   (``portfolio_month``) and then the year's stages (``account_year``).
Only what is kept is written: the annual outputs (variants x paths x years, dtype OUTPUT), the
monthly equity share (variants x paths x months) and, on request, the monthly drivers. No array of
every path's monthly drivers is ever held: memory is bounded by the chunk.

A variant's levers never change the random numbers a path sees: every draw is keyed by (seed,
stream, path, month or year, slot), never by the variant.
"""

import math

import numpy as np
from numba import prange

from simulator.kernels.accounts import account_year, start_year
from simulator.kernels.economy import (
    N_DRIVER_STATE,
    N_DRIVERS,
    economy_path,
    opening_driver_state,
    store_driver_state,
    year_drivers,
)
from simulator.kernels.jit import jit, jit_parallel
from simulator.kernels.months import M_EQ_GL, M_EQ_SE, M_SHORT, M_SPREAD, N_MONTHLY
from simulator.kernels.portfolio import fixed_income_return, fixed_income_yield, portfolio_month
from simulator.kernels.rng import EPOCH_YEAR, STREAM_ACCOUNTS, normal_pair


@jit
def accounts_path(p, ep, opening, scratch, buf, drivers, seed, path, stochastic, baseline, has_baseline,
                  b_tax_opening, out, share):
    """One variant along one path: the accounts and the monthly pension portfolio, every year, from the
    ``opening`` STATE record (the state at the opening year-end), in the path's scratch record (``scratch``,
    a 1-record array). ``b_tax_opening``: the zero-shock path's tax-base index at the opening year-end."""
    scratch[0] = opening  # a record copies whole, arrays included
    s = scratch[0]
    n_years = out.shape[0]
    w = ep["equity_sweden_weight_frac"]
    dev_mean = p["budget_deviation_mean_frac"] + ep["budget_deviation_mean_shift_frac"]
    dev_sd = p["budget_deviation_volatility_frac"] * ep["budget_deviation_sd_scale"]
    slip = min(max(p["plan_slippage_unrealised_frac"] + ep["plan_slippage_shift_frac"], 0.0), 1.0)
    for k in range(n_years):
        o = out[k]
        start_year(s, o)
        for m in range(12):
            t = 12 * k + m
            equity = w * math.expm1(buf[t, M_EQ_SE]) + (1.0 - w) * math.expm1(buf[t, M_EQ_GL])
            y = fixed_income_yield(buf[t, M_SHORT], buf[t, M_SPREAD], ep["short_rate_floor_pa"], p["fixed_income_duration_years"])
            fixed = fixed_income_return(s["pf_yield"], y, p["fixed_income_duration_years"])
            s["pf_yield"] = y
            share[t] = portfolio_month(p, s, t, equity, fixed)
        z_dev = 0.0
        z_grants = 0.0
        if stochastic:  # the accounts' own stream: the calendar year takes the place of the month
            z_dev, z_grants = normal_pair(seed, STREAM_ACCOUNTS, path, p["start_year"] - EPOCH_YEAR + k, 0)
        b_tax_prev = baseline[k - 1]["tax_base_index"] if k > 0 else b_tax_opening
        account_year(p, dev_mean, dev_sd, slip, s, drivers[k], k, z_dev, z_grants, stochastic, has_baseline,
                     baseline[k], b_tax_prev, o)


def simulate_paths_py(econ, econ_opening, tax_anchor, stress, pins, annual_pins, pbb_known, seed, path_start, stochastic,
                      params,
                      openings, baseline, has_baseline, b_tax_opening, states, out, share, monthly, end_states,
                      end_econ):
    """Fill ``out`` (variants x paths x years, OUTPUT records) and ``share`` (variants x paths x
    months) for paths path_start .. path_start + n - 1.

    econ: one ECONOMY_PARAMS record per path; econ_opening: the ECONOMY_STATE every path opens at (1
    record); pins and annual_pins: the known outcomes (simulator.kernels.known; 0 rows when none); params and openings: one accounts PARAMS and opening STATE record per variant; baseline:
    each variant's zero-shock outputs (variants x years; ignored unless has_baseline), b_tax_opening its
    tax-base index at the opening; states: one STATE record per path (scratch); monthly: paths x months
    x N_MONTHLY for the monthly drivers, or 0 paths when they are not kept; end_states (variants x
    paths x STATE) and end_econ (paths x ECONOMY_STATE) receive each path's state after the last year,
    or have 0 paths when it is not wanted (simulator year-end).
    """
    n_var, n_paths, n_years = out.shape
    n_months = 12 * n_years
    keep_monthly = monthly.shape[0] > 0
    keep_end = end_econ.shape[0] > 0
    for i in prange(n_paths):
        path = path_start + i
        ep = econ[i]
        buf = np.empty((n_months, N_MONTHLY))
        economy_path(ep, econ_opening[0], tax_anchor, stress, pins, annual_pins, seed, path, stochastic, buf,
                     end_econ[i:i + 1])
        drivers = np.empty((n_years, N_DRIVERS))
        dstate = np.empty(N_DRIVER_STATE)
        opening_driver_state(econ_opening[0], dstate)
        for k in range(n_years):
            year_drivers(ep, buf, k, pbb_known, dstate, drivers[k])
        if keep_end:
            store_driver_state(dstate, end_econ[i])
        if keep_monthly:
            monthly[i, :, :] = buf
        for v in range(n_var):
            accounts_path(params[v], ep, openings[v], states[i:i + 1], buf, drivers, seed, path, stochastic,
                          baseline[v], has_baseline, b_tax_opening[v], out[v, i], share[v, i])
            if keep_end:
                end_states[v, i] = states[i]


simulate_paths = jit_parallel(simulate_paths_py)
