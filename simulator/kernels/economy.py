"""The economic scenario generator (ekonomiskt scenario): one path's months, then its calendar years.

Each month t = 0..n_months-1 of a path, in this order (``economy_path``):
1. regimes switch (Markov chains, uniforms from block 3): inflation normal/shock, equity calm/crash;
2. seven N(0,1) draws (blocks 0-2 and 4) are correlated by the factor ``corr`` (C = L L^T);
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
from simulator.kernels.records import N_SHOCKS
from simulator.kernels.rng import STREAM_ECONOMY, normal_pair, uniform_pair

I_INFLATION, I_SHORT, I_SPREAD, I_EQ_SE, I_EQ_GL, I_TAX, I_WAGE = range(N_SHOCKS)


#: columns of a path's monthly buffer (and of the --monthly output)
MONTHLY_COLUMNS = ("inflation", "short_rate", "long_rate", "term_spread", "equity_sweden_log",
                   "equity_global_log", "tax_base_log_growth", "wage_log_growth", "lagged_inflation",
                   "inflation_regime", "equity_regime")


(M_INFLATION, M_SHORT, M_LONG, M_SPREAD, M_EQ_SE, M_EQ_GL, M_TAX, M_WAGE, M_LAGGED, M_IREG,
 M_EREG) = range(len(MONTHLY_COLUMNS))


N_MONTHLY = len(MONTHLY_COLUMNS)


#: columns of a path's annual driver buffer
DRIVER_COLUMNS = ("inflation", "kpi_index", "short_rate", "long_rate", "equity_return_sweden",
                  "equity_return_global", "equity_return", "tax_base_growth", "tax_base_index",
                  "wage_growth", "wage_index", "prisbasbelopp_sek", "inkomstbasbelopp_index")


(D_INFLATION, D_KPI, D_SHORT, D_LONG, D_EQ_SE, D_EQ_GL, D_EQ_MIX, D_TAX_GROWTH, D_TAX_INDEX,
 D_WAGE_GROWTH, D_WAGE_INDEX, D_PBB, D_IBB) = range(len(DRIVER_COLUMNS))


N_DRIVERS = len(DRIVER_COLUMNS)


@jit
def ou_step(x, mean, decay, sd, shock):
    """The exact one-month step of an Ornstein-Uhlenbeck process with its mean held over the month."""
    return mean + (x - mean) * decay + sd * shock


@jit
def _switch(regime, u, p_enter, p_exit):
    """One month of a two-state Markov chain (0 -> 1 when u < p_enter, 1 -> 0 when u < p_exit)."""
    if regime == 0:
        return 1 if u < p_enter else 0
    return 0 if u < p_exit else 1


@jit
def _correlated_shocks(seed, path, month, corr, z, e):
    """e = L z for seven standard normals z (blocks 0-2 and the first of block 4) of calendar ``month``
    (simulator.kernels.rng), summed in a fixed order with no BLAS call so the bits are the same everywhere."""
    for b in range(3):
        z0, z1 = normal_pair(seed, STREAM_ECONOMY, path, month, b)
        z[2 * b] = z0
        z[2 * b + 1] = z1
    z6, _ = normal_pair(seed, STREAM_ECONOMY, path, month, 4)
    z[6] = z6
    for r in range(N_SHOCKS):
        acc = 0.0
        for c in range(N_SHOCKS):  # all columns: the PSD fallback factor is not triangular
            acc += corr[r, c] * z[c]
        e[r] = acc


@jit
def economy_path(p, opening, tax_anchor, stress, seed, path, stochastic, buf, end):
    """Fill one path's monthly buffer ``buf`` (months x N_MONTHLY), starting from ``opening`` (an
    ECONOMY_STATE record: the state at the opening year-end); ``end`` (a 1-record ECONOMY_STATE array,
    or 0 records) receives the state after the last month (simulator year-end).

    ``tax_anchor[t]`` is the annualised log growth of the tax base expected in month t (SKR's path), or
    NaN where the long-run rule applies; ``stress`` (months x N_MONTHLY, or 0 rows) sets a month's
    value where it is not NaN (states, returns or a forced regime), and the model carries on from it.
    """
    n_months = buf.shape[0]
    sqrt_dt = math.sqrt(p["dt_years"])
    infl = opening["inflation_log_pa"]
    rate = opening["short_rate_pa"]
    sprd = opening["term_spread_pa"]
    tax_dev = opening["tax_base_deviation_pa"]
    wage_dev = opening["wage_deviation_pa"]
    lagged = opening["lagged_inflation_log_pa"]
    ireg = opening["inflation_regime"]
    ereg = opening["equity_regime"]
    z = np.zeros(N_SHOCKS)
    e = np.zeros(N_SHOCKS)
    stressed = stress.shape[0] > 0
    for t in range(n_months):
        if stochastic:
            u_infl, u_eq = uniform_pair(seed, STREAM_ECONOMY, path, p["rng_epoch_offset_months"] + t, 3)
            ireg = _switch(ireg, u_infl, p["inflation_shock_entry_probability_per_month"], p["inflation_shock_exit_probability_per_month"])
            ereg = _switch(ereg, u_eq, p["equity_crash_entry_probability_per_month"], p["equity_crash_exit_probability_per_month"])
            _correlated_shocks(seed, path, p["rng_epoch_offset_months"] + t, p["correlation_factor"], z, e)
        if stressed:
            if not math.isnan(stress[t, M_IREG]):
                ireg = int(stress[t, M_IREG])
            if not math.isnan(stress[t, M_EREG]):
                ereg = int(stress[t, M_EREG])
        # means held at the start of the month (piecewise-constant drivers: the OU step is exact)
        infl_mean = p["inflation_shock_mean_log_pa"] if ireg == 1 else p["inflation_target_log_pa"]
        rate_mean = p["short_rate_real_long_run_pa"] + p["short_rate_inflation_pass_through"] * infl + (1.0 - p["short_rate_inflation_pass_through"]) * p["inflation_target_log_pa"]
        lagged = p["inflation_lag_weight_per_month"] * lagged + (1.0 - p["inflation_lag_weight_per_month"]) * infl
        infl = ou_step(infl, infl_mean, p["inflation_decay_per_month"], p["inflation_sd_per_month"], e[I_INFLATION])
        rate = ou_step(rate, rate_mean, p["short_rate_decay_per_month"], p["short_rate_sd_per_month"], e[I_SHORT])
        sprd = ou_step(sprd, p["term_spread_long_run_pa"], p["term_spread_decay_per_month"], p["term_spread_sd_per_month"], e[I_SPREAD])
        tax_dev = ou_step(tax_dev, 0.0, p["tax_base_decay_per_month"], p["tax_base_sd_per_month"], e[I_TAX])
        wage_dev = ou_step(wage_dev, 0.0, p["wage_decay_per_month"], p["wage_sd_per_month"], e[I_WAGE])
        if ereg == 0:
            se = p["calm_sweden_log_drift_pa"] * p["dt_years"] + p["calm_sweden_volatility_pa"] * sqrt_dt * e[I_EQ_SE]
            gl = p["calm_global_log_drift_pa"] * p["dt_years"] + p["calm_global_volatility_pa"] * sqrt_dt * e[I_EQ_GL]
        else:
            se = p["crash_sweden_log_drift_pa"] * p["dt_years"] + p["crash_sweden_volatility_pa"] * sqrt_dt * e[I_EQ_SE]
            gl = p["crash_global_log_drift_pa"] * p["dt_years"] + p["crash_global_volatility_pa"] * sqrt_dt * e[I_EQ_GL]
        anchor = tax_anchor[t]
        if math.isnan(anchor):
            anchor = p["tax_base_real_long_run_log_pa"] + p["tax_base_inflation_pass_through"] * lagged + (1.0 - p["tax_base_inflation_pass_through"]) * p["inflation_target_log_pa"]
        tax = (anchor + tax_dev) * p["dt_years"]
        wage = (p["wage_real_growth_log_pa"] + p["wage_inflation_pass_through"] * lagged + (1.0 - p["wage_inflation_pass_through"]) * p["inflation_target_log_pa"] + wage_dev) * p["dt_years"]
        if stressed:
            if not math.isnan(stress[t, M_INFLATION]):
                infl = stress[t, M_INFLATION]
            if not math.isnan(stress[t, M_SHORT]):
                rate = stress[t, M_SHORT]
            if not math.isnan(stress[t, M_EQ_SE]):
                se = stress[t, M_EQ_SE]
            if not math.isnan(stress[t, M_EQ_GL]):
                gl = stress[t, M_EQ_GL]
            if not math.isnan(stress[t, M_TAX]):
                tax = stress[t, M_TAX]
            if not math.isnan(stress[t, M_WAGE]):
                wage = stress[t, M_WAGE]
        # rates as the market shows them: the floor applies to the short and the long rate; the
        # unfloored short rate stays the state (a shadow rate), so the OU step stays exact
        buf[t, M_INFLATION] = infl
        buf[t, M_SHORT] = max(rate, p["short_rate_floor_pa"])
        buf[t, M_LONG] = max(rate + sprd, p["short_rate_floor_pa"])
        buf[t, M_SPREAD] = sprd
        buf[t, M_EQ_SE] = se
        buf[t, M_EQ_GL] = gl
        buf[t, M_TAX] = tax
        buf[t, M_WAGE] = wage
        buf[t, M_LAGGED] = lagged
        buf[t, M_IREG] = ireg
        buf[t, M_EREG] = ereg
    if end.shape[0] > 0:  # the state after the last month: where a run opened at this year-end starts
        e0 = end[0]
        e0["inflation_log_pa"] = infl
        e0["short_rate_pa"] = rate
        e0["term_spread_pa"] = sprd
        e0["tax_base_deviation_pa"] = tax_dev
        e0["wage_deviation_pa"] = wage_dev
        e0["lagged_inflation_log_pa"] = lagged
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


def economy_paths_py(params, opening, tax_anchor, stress, pbb_known, seed, path_start, stochastic, monthly, annual):
    """The economy alone for paths path_start .. path_start + n - 1: fills monthly (paths x months x
    N_MONTHLY) and annual (paths x years x N_DRIVERS). ``params`` holds one record per path, ``opening``
    the ECONOMY_STATE record every path starts from (a 1-record array). Used by the tests, calibration
    checks and --monthly output; the model kernel calls the same functions."""
    n_paths = monthly.shape[0]
    n_years = annual.shape[1]
    no_end = opening[0:0]  # no end state wanted (an empty array of the same record)
    for i in prange(n_paths):
        economy_path(params[i], opening[0], tax_anchor, stress, seed, path_start + i, stochastic, monthly[i], no_end)
        state = np.empty(N_DRIVER_STATE)
        opening_driver_state(opening[0], state)
        for k in range(n_years):
            year_drivers(params[i], monthly[i], k, pbb_known, state, annual[i, k])


economy_paths = jit_parallel(economy_paths_py)
