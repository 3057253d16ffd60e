"""One month of the economic drivers on one path: the regimes switch, seven correlated N(0,1) shocks are drawn
(keyed by calendar month, simulator.kernels.rng) and the states move by their exact one-month transition
(``month_step``). simulator.kernels.economy runs the months of a path; simulator.kernels.known conditions
a year's draws on observed values. docs/model.md gives the equations.
"""

from __future__ import annotations

import math

from simulator.kernels.jit import jit
from simulator.kernels.records import N_SHOCKS
from simulator.kernels.rng import STREAM_ECONOMY, normal_pair, uniform_pair

#: the correlated shocks, in simulator.scenario.economy.SHOCKS order
I_INFLATION, I_SHORT, I_SPREAD, I_EQ_SE, I_EQ_GL, I_TAX, I_WAGE = range(N_SHOCKS)

#: columns of a path's monthly buffer (and of the --monthly output)
MONTHLY_COLUMNS = ("inflation", "short_rate", "long_rate", "term_spread", "equity_sweden_log",
                   "equity_global_log", "tax_base_log_growth", "wage_log_growth", "lagged_inflation",
                   "inflation_regime", "equity_regime")
(M_INFLATION, M_SHORT, M_LONG, M_SPREAD, M_EQ_SE, M_EQ_GL, M_TAX, M_WAGE, M_LAGGED, M_IREG,
 M_EREG) = range(len(MONTHLY_COLUMNS))
N_MONTHLY = len(MONTHLY_COLUMNS)


@jit
def ou_step(x, mean, decay, sd, shock):
    """The exact one-month step of an Ornstein-Uhlenbeck process with its mean held over the month."""
    return mean + (x - mean) * decay + sd * shock


@jit
def switch_regime(regime, u, p_enter, p_exit):
    """One month of a two-state Markov chain (0 -> 1 when u < p_enter, 1 -> 0 when u < p_exit)."""
    if regime == 0:
        return 1 if u < p_enter else 0
    return 0 if u < p_exit else 1


@jit
def month_regimes(p, seed, path, t, stochastic, stress, ireg, ereg):
    """Month t's regimes: the Markov chains switch on the month's uniforms (block 3); a stress may force
    them."""
    if stochastic:
        u_infl, u_eq = uniform_pair(seed, STREAM_ECONOMY, path, p["rng_epoch_offset_months"] + t, 3)
        ireg = switch_regime(ireg, u_infl, p["inflation_shock_entry_probability_per_month"],
                             p["inflation_shock_exit_probability_per_month"])
        ereg = switch_regime(ereg, u_eq, p["equity_crash_entry_probability_per_month"],
                             p["equity_crash_exit_probability_per_month"])
    if stress.shape[0] > 0:
        if not math.isnan(stress[t, M_IREG]):
            ireg = int(stress[t, M_IREG])
        if not math.isnan(stress[t, M_EREG]):
            ereg = int(stress[t, M_EREG])
    return ireg, ereg


@jit
def draw_normals(seed, path, month, z):
    """Seven standard normals for calendar ``month`` (simulator.kernels.rng): blocks 0-2 and the first of
    block 4 of the economy's stream."""
    for b in range(3):
        z0, z1 = normal_pair(seed, STREAM_ECONOMY, path, month, b)
        z[2 * b] = z0
        z[2 * b + 1] = z1
    z6, _ = normal_pair(seed, STREAM_ECONOMY, path, month, 4)
    z[6] = z6


@jit
def correlate(corr, z, e):
    """e = L z, summed in a fixed order with no BLAS call so the bits are the same everywhere."""
    for r in range(N_SHOCKS):
        acc = 0.0
        for c in range(N_SHOCKS):  # all columns: the PSD fallback factor is not triangular
            acc += corr[r, c] * z[c]
        e[r] = acc


#: the months' state in a working vector: the OU states (the short rate a shadow rate) and the lag
S_INFL, S_RATE, S_SPREAD, S_TAX_DEV, S_WAGE_DEV, S_LAGGED = range(6)
N_MONTH_STATE = 6


@jit
def month_step(p, st, ireg, ereg, e, t, tax_anchor, stress, row):
    """Month t: the state ``st`` (N_MONTH_STATE) moves by its exact one-month transition under the
    correlated shocks ``e``, the means held at their start-of-month values (piecewise-constant drivers:
    the OU step is exact); a stress (``stress`` rows, NaN = the model's own) may then set the month's
    values, and the model carries on from them. The month's values go to ``row`` (N_MONTHLY)."""
    sqrt_dt = math.sqrt(p["dt_years"])
    infl = st[S_INFL]
    infl_mean = p["inflation_shock_mean_log_pa"] if ireg == 1 else p["inflation_target_log_pa"]
    rate_mean = (p["short_rate_real_long_run_pa"] + p["short_rate_inflation_pass_through"] * infl
                 + (1.0 - p["short_rate_inflation_pass_through"]) * p["inflation_target_log_pa"])
    lag_w = p["inflation_lag_weight_per_month"]
    lagged = lag_w * st[S_LAGGED] + (1.0 - lag_w) * infl
    infl = ou_step(infl, infl_mean, p["inflation_decay_per_month"], p["inflation_sd_per_month"], e[I_INFLATION])
    rate = ou_step(st[S_RATE], rate_mean, p["short_rate_decay_per_month"], p["short_rate_sd_per_month"], e[I_SHORT])
    sprd = ou_step(st[S_SPREAD], p["term_spread_long_run_pa"], p["term_spread_decay_per_month"],
                   p["term_spread_sd_per_month"], e[I_SPREAD])
    tax_dev = ou_step(st[S_TAX_DEV], 0.0, p["tax_base_decay_per_month"], p["tax_base_sd_per_month"], e[I_TAX])
    wage_dev = ou_step(st[S_WAGE_DEV], 0.0, p["wage_decay_per_month"], p["wage_sd_per_month"], e[I_WAGE])
    if ereg == 0:
        se = p["calm_sweden_log_drift_pa"] * p["dt_years"] + p["calm_sweden_volatility_pa"] * sqrt_dt * e[I_EQ_SE]
        gl = p["calm_global_log_drift_pa"] * p["dt_years"] + p["calm_global_volatility_pa"] * sqrt_dt * e[I_EQ_GL]
    else:
        se = p["crash_sweden_log_drift_pa"] * p["dt_years"] + p["crash_sweden_volatility_pa"] * sqrt_dt * e[I_EQ_SE]
        gl = p["crash_global_log_drift_pa"] * p["dt_years"] + p["crash_global_volatility_pa"] * sqrt_dt * e[I_EQ_GL]
    anchor = tax_anchor[t]
    if math.isnan(anchor):
        anchor = (p["tax_base_real_long_run_log_pa"] + p["tax_base_inflation_pass_through"] * lagged
                  + (1.0 - p["tax_base_inflation_pass_through"]) * p["inflation_target_log_pa"])
    tax = (anchor + tax_dev) * p["dt_years"]
    wage = (p["wage_real_growth_log_pa"] + p["wage_inflation_pass_through"] * lagged
            + (1.0 - p["wage_inflation_pass_through"]) * p["inflation_target_log_pa"] + wage_dev) * p["dt_years"]
    if stress.shape[0] > 0:
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
    st[S_INFL] = infl
    st[S_RATE] = rate
    st[S_SPREAD] = sprd
    st[S_TAX_DEV] = tax_dev
    st[S_WAGE_DEV] = wage_dev
    st[S_LAGGED] = lagged
    # rates as the market shows them: the floor applies to the short and the long rate; the unfloored
    # short rate stays the state (a shadow rate), so the OU step stays exact
    row[M_INFLATION] = infl
    row[M_SHORT] = max(rate, p["short_rate_floor_pa"])
    row[M_LONG] = max(rate + sprd, p["short_rate_floor_pa"])
    row[M_SPREAD] = sprd
    row[M_EQ_SE] = se
    row[M_EQ_GL] = gl
    row[M_TAX] = tax
    row[M_WAGE] = wage
    row[M_LAGGED] = lagged
    row[M_IREG] = ireg
    row[M_EREG] = ereg
