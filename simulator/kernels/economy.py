"""The economic scenario generator kernel (ekonomiskt scenario), monthly, one path per prange iteration.

Each month t = 1..n_months, in this order:
1. regimes switch (Markov chains, uniforms from block 3): inflation normal/shock, equity calm/crash;
2. six N(0,1) draws (blocks 0-2) are correlated by the factor ``corr_factor`` (C = L L^T);
3. states move by their exact one-month transition, the mean held at its value at the start of the month:
   inflation and term spread are OU, the short rate is Vasicek towards real rate + pass-through x
   inflation, the tax-base deviation is OU around zero;
4. monthly outputs are written: the states after the move, and the month's log returns.

A deterministic run (``stochastic=False``) sets every shock to zero and keeps the regimes where they start.
The equations and the reasoning for every default are in docs/model.md.
"""

import math
from typing import NamedTuple

import numpy as np
from numba import prange

from simulator._jit import jit_parallel
from simulator.rng import STREAM_ECONOMY, normal_pair, uniform_pair

N_SHOCKS = 6
I_INFLATION, I_SHORT, I_SPREAD, I_EQ_SE, I_EQ_GL, I_TAX = range(N_SHOCKS)


class EconomyParams(NamedTuple):
    """Kernel inputs, already converted to one-month exact-step coefficients (see simulator.drivers)."""

    dt: float
    # inflation: annualised log rate; OU
    infl_initial: float
    infl_mean_normal: float
    infl_mean_shock: float
    infl_decay: float
    infl_sd: float
    infl_p_enter: float
    infl_p_exit: float
    infl_target: float
    # short rate: Vasicek towards real + pass * inflation + (1 - pass) * target
    rate_initial: float
    rate_real: float
    rate_pass: float
    rate_decay: float
    rate_sd: float
    # term spread: OU
    spread_initial: float
    spread_mean: float
    spread_decay: float
    spread_sd: float
    # equity: regime-switching lognormal; index 0 calm, 1 crash
    eq_p_crash: float
    eq_p_recover: float
    se_drift_calm: float
    se_drift_crash: float
    se_vol_calm: float
    se_vol_crash: float
    gl_drift_calm: float
    gl_drift_crash: float
    gl_vol_calm: float
    gl_vol_crash: float
    # tax base: growth = anchor + OU deviation
    tax_real: float
    tax_pass: float
    tax_decay: float
    tax_sd: float


def simulate_economy_py(
    params, tax_anchor, corr_factor, seed, path_start, stochastic,
    inflation, short_rate, spread, eq_se, eq_gl, tax_growth, infl_regime, eq_regime,
):
    """Fill the monthly arrays (shape paths x months) for paths path_start .. path_start + n - 1.

    ``tax_anchor[t]`` is the annualised log growth of the tax base expected in month t (SKR's path), or
    NaN where the long-run rule (real growth + inflation pass-through) applies.
    Outputs: inflation, short rate (unfloored) and term spread as annualised log rates; eq_se, eq_gl,
    tax_growth as the month's log return / log growth (not annualised); regimes 0/1.
    """
    n_paths, n_months = inflation.shape
    p = params
    sqrt_dt = math.sqrt(p.dt)
    for i in prange(n_paths):
        path = path_start + i
        infl = p.infl_initial
        rate = p.rate_initial
        sprd = p.spread_initial
        dev = 0.0
        ireg = 0
        ereg = 0
        z = np.zeros(N_SHOCKS)
        e = np.zeros(N_SHOCKS)
        for t in range(n_months):
            if stochastic:
                u_infl, u_eq = uniform_pair(seed, STREAM_ECONOMY, path, t, 3)
                if ireg == 0:
                    if u_infl < p.infl_p_enter:
                        ireg = 1
                elif u_infl < p.infl_p_exit:
                    ireg = 0
                if ereg == 0:
                    if u_eq < p.eq_p_crash:
                        ereg = 1
                elif u_eq < p.eq_p_recover:
                    ereg = 0
                for b in range(3):
                    z0, z1 = normal_pair(seed, STREAM_ECONOMY, path, t, b)
                    z[2 * b] = z0
                    z[2 * b + 1] = z1
                for r in range(N_SHOCKS):  # e = L z, summed in a fixed order (no BLAS: same bits)
                    acc = 0.0
                    for c in range(N_SHOCKS):
                        acc += corr_factor[r, c] * z[c]
                    e[r] = acc
            # means held at the start of the month (piecewise-constant drivers: the OU step is exact)
            infl_mean = p.infl_mean_shock if ireg == 1 else p.infl_mean_normal
            rate_mean = p.rate_real + p.rate_pass * infl + (1.0 - p.rate_pass) * p.infl_target
            infl = infl_mean + (infl - infl_mean) * p.infl_decay + p.infl_sd * e[I_INFLATION]
            rate = rate_mean + (rate - rate_mean) * p.rate_decay + p.rate_sd * e[I_SHORT]
            sprd = p.spread_mean + (sprd - p.spread_mean) * p.spread_decay + p.spread_sd * e[I_SPREAD]
            dev = dev * p.tax_decay + p.tax_sd * e[I_TAX]
            if ereg == 0:
                se = p.se_drift_calm * p.dt + p.se_vol_calm * sqrt_dt * e[I_EQ_SE]
                gl = p.gl_drift_calm * p.dt + p.gl_vol_calm * sqrt_dt * e[I_EQ_GL]
            else:
                se = p.se_drift_crash * p.dt + p.se_vol_crash * sqrt_dt * e[I_EQ_SE]
                gl = p.gl_drift_crash * p.dt + p.gl_vol_crash * sqrt_dt * e[I_EQ_GL]
            anchor = tax_anchor[t]
            if math.isnan(anchor):
                anchor = p.tax_real + p.tax_pass * infl + (1.0 - p.tax_pass) * p.infl_target
            inflation[i, t] = infl
            short_rate[i, t] = rate
            spread[i, t] = sprd
            eq_se[i, t] = se
            eq_gl[i, t] = gl
            tax_growth[i, t] = (anchor + dev) * p.dt
            infl_regime[i, t] = ireg
            eq_regime[i, t] = ereg


simulate_economy = jit_parallel(simulate_economy_py)
