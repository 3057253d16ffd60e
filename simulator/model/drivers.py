"""Economic drivers: from a validated scenario to kernel inputs; the economy alone, for tests and checks.

Conventions (docs/model.md has the equations):
- inflation, the tax base's growth and equity returns are simulated as continuously compounded (log)
  rates; scenario levels are annual effective rates and are converted with ln(1 + x), so a deterministic
  run reproduces e.g. SKR's 4.52 % tax-base growth exactly as an annual figure;
- interest rates are annual rates (fractions, nominal) and are not converted;
- all money and indices are nominal.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from simulator.kernels.economy import (
    DRIVER_COLUMNS,
    ECONOMY_PARAMS,
    MONTHLY_COLUMNS,
    N_DRIVERS,
    N_MONTHLY,
    economy_paths,
)
from simulator.scenario.schema import Scenario

MONTHS_PER_YEAR = 12
DT = 1.0 / MONTHS_PER_YEAR


def exact_ou_coefficients(kappa, sigma, dt: float = DT):
    """Decay exp(-kappa dt) and the shock standard deviation of the exact OU step over dt (scalars or
    arrays alike: --parameter-uncertainty computes them per path).

    Var = sigma^2 (1 - exp(-2 kappa dt)) / (2 kappa), written with expm1 so that it is accurate for small
    kappa and tends to sigma^2 dt (a random walk) as kappa -> 0 instead of dividing by zero.
    """
    kappa = np.asarray(kappa, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    kd = kappa * dt
    small = kd < 1e-12
    var = np.where(small, sigma * sigma * dt,
                   sigma * sigma * -np.expm1(-2.0 * kd) / (2.0 * np.where(small, 1.0, kappa)))
    decay, sd = np.exp(-kd), np.sqrt(var)
    return (float(decay), float(sd)) if decay.ndim == 0 else (decay, sd)


def correlation_factor(corr: np.ndarray) -> np.ndarray:
    """A matrix L with L L^T = corr: Cholesky where corr is positive definite, otherwise (positive
    semi-definite, e.g. two perfectly correlated drivers) the symmetric square root from eigh."""
    try:
        return np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(corr)
        return (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T


def stationary_crash_share(p_enter: float, p_exit: float) -> float:
    """Long-run share of months in the crash regime of a two-state Markov chain."""
    total = p_enter + p_exit
    return 0.0 if total == 0.0 else p_enter / total


def economy_params(scenario: Scenario, deterministic: bool = False) -> np.ndarray:
    """The economy's kernel parameters as one ECONOMY_PARAMS record (a 1-element array).

    ``deterministic``: the zero-shock path keeps the regimes where they start (normal inflation, calm
    markets), so the calm equity drift is replaced by the regime average weighted by the chain's
    long-run shares: the path then earns the expected log return instead of a crash-free one."""
    eco = scenario.economy
    inf, sr, ts, eq, tb, wg = (eco.inflation, eco.short_rate, eco.term_spread, eco.equity, eco.tax_base,
                               eco.wage)
    rec = np.zeros(1, dtype=ECONOMY_PARAMS)
    r = rec[0]
    r["dt"] = DT
    r["infl_initial"] = math.log1p(inf.initial_pa)
    r["infl_mean_normal"] = math.log1p(inf.target_pa)
    r["infl_mean_shock"] = math.log1p(inf.shock_regime.mean_pa)
    r["infl_decay"], r["infl_sd"] = exact_ou_coefficients(inf.mean_reversion_per_year, inf.volatility_pa)
    r["infl_p_enter"] = inf.shock_regime.entry_probability_per_month
    r["infl_p_exit"] = inf.shock_regime.exit_probability_per_month
    r["infl_target"] = math.log1p(inf.target_pa)
    # an exponential average with weight w on the past has a mean lag of 1 / (1 - w) months
    r["lag_weight"] = 1.0 - 1.0 / inf.lag_months if inf.lag_months >= 1.0 else 0.0
    r["lagged_initial"] = math.log1p(inf.lagged_initial_pa)
    r["rate_initial"] = sr.initial_pa
    r["rate_real"] = sr.real_long_run_pa
    r["rate_pass"] = sr.inflation_pass_through
    r["rate_decay"], r["rate_sd"] = exact_ou_coefficients(sr.mean_reversion_per_year, sr.volatility_pa)
    r["rate_floor"] = -math.inf if sr.floor_pa is None else sr.floor_pa
    r["spread_initial"] = ts.initial_pa
    r["spread_mean"] = ts.long_run_pa
    r["spread_decay"], r["spread_sd"] = exact_ou_coefficients(ts.mean_reversion_per_year, ts.volatility_pa)
    r["eq_p_crash"] = eq.crash_entry_probability_per_month
    r["eq_p_recover"] = eq.crash_exit_probability_per_month
    r["se_drift_calm"] = eq.calm.sweden_log_drift_pa
    r["se_drift_crash"] = eq.crash.sweden_log_drift_pa
    r["se_vol_calm"] = eq.calm.sweden_volatility_pa
    r["se_vol_crash"] = eq.crash.sweden_volatility_pa
    r["gl_drift_calm"] = eq.calm.global_log_drift_pa
    r["gl_drift_crash"] = eq.crash.global_log_drift_pa
    r["gl_vol_calm"] = eq.calm.global_volatility_pa
    r["gl_vol_crash"] = eq.crash.global_volatility_pa
    r["sweden_weight"] = eq.sweden_weight_frac
    r["tax_real"] = math.log1p(tb.real_long_run_growth_pa)
    r["tax_pass"] = tb.inflation_pass_through
    r["tax_decay"], r["tax_sd"] = exact_ou_coefficients(tb.mean_reversion_per_year, tb.volatility_pa)
    r["wage_real"] = math.log1p(wg.real_growth_pa)
    r["wage_pass"] = wg.inflation_pass_through
    r["wage_decay"], r["wage_sd"] = exact_ou_coefficients(wg.mean_reversion_per_year, wg.volatility_pa)
    r["corr"] = correlation_factor(eco.correlation.ordered())
    r["deviation_mean_shift"] = 0.0
    r["deviation_sd_scale"] = 1.0
    if deterministic:
        crash = stationary_crash_share(eq.crash_entry_probability_per_month,
                                       eq.crash_exit_probability_per_month)
        r["se_drift_calm"] = (1 - crash) * eq.calm.sweden_log_drift_pa + crash * eq.crash.sweden_log_drift_pa
        r["gl_drift_calm"] = (1 - crash) * eq.calm.global_log_drift_pa + crash * eq.crash.global_log_drift_pa
    return rec


def tax_anchor_by_month(scenario: Scenario) -> np.ndarray:
    """SKR's expected tax-base growth as an annualised log rate per month; NaN after the path ends."""
    sim = scenario.simulation
    anchor = np.full(sim.n_months, np.nan)
    for year, growth in scenario.economy.tax_base.expected_growth_pa.items():
        k = int(year) - sim.start_year
        anchor[k * MONTHS_PER_YEAR : (k + 1) * MONTHS_PER_YEAR] = math.log1p(growth)
    return anchor


class EconomyInputs(NamedTuple):
    """Everything the economy needs besides the seed and the paths (picklable for dask)."""

    params: np.ndarray  # one ECONOMY_PARAMS record
    tax_anchor: np.ndarray  # (months,)
    stress: np.ndarray  # (months, N_MONTHLY) of NaN = the model's own value, or (0, N_MONTHLY)
    pbb_known: np.ndarray  # prisbasbelopp [SEK] for OPENING_YEAR, OPENING_YEAR + 1, ...
    n_months: int
    years: np.ndarray


def economy_inputs(scenario: Scenario, deterministic: bool = False,
                   stress: np.ndarray | None = None) -> EconomyInputs:
    known = scenario.economy.prisbasbelopp.known_sek
    return EconomyInputs(
        params=economy_params(scenario, deterministic),
        tax_anchor=tax_anchor_by_month(scenario),
        stress=np.empty((0, N_MONTHLY)) if stress is None else stress,
        pbb_known=np.asarray([known[str(y)] for y in sorted(int(k) for k in known)], dtype=float),
        n_months=scenario.simulation.n_months,
        years=np.asarray(scenario.simulation.years, dtype=np.int64),
    )


def per_path(params: np.ndarray, n_paths: int) -> np.ndarray:
    """One copy of the economy's parameter record per path (the kernels take them per path)."""
    return np.repeat(params[:1], n_paths)


def simulate_drivers(
    inputs: EconomyInputs, seed: int, path_start: int, n_paths: int, stochastic: bool = True,
    params: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The economy alone: monthly driver paths (paths x months) and calendar years (paths x years) for
    paths path_start .. path_start + n_paths - 1, by the very functions the model kernel calls.

    Calendar years: inflation is the KPI December-to-December change (the KPI index is exp of the
    cumulated monthly log inflation); short_rate, long_rate the year's averages; equity returns
    compound the months (``equity_return`` is the pension benchmark's mix, Swedish weight
    ``sweden_weight_frac``, rebalanced monthly); tax base and wages their growth and index (2024 = 1);
    prisbasbelopp_sek the known amounts, then the legal rule (KPI June Y-1 over June Y-2, rounded to
    100 SEK); inkomstbasbelopp_index follows the previous year's wage growth.
    """
    n_years = inputs.n_months // MONTHS_PER_YEAR
    monthly = np.empty((n_paths, inputs.n_months, N_MONTHLY))
    annual = np.empty((n_paths, n_years, N_DRIVERS))
    params = per_path(inputs.params, n_paths) if params is None else params
    economy_paths(params, inputs.tax_anchor, inputs.stress, inputs.pbb_known, np.uint64(seed),
                  np.int64(path_start), stochastic, monthly, annual)
    return ({name: monthly[:, :, c] for c, name in enumerate(MONTHLY_COLUMNS)},
            {name: annual[:, :, c] for c, name in enumerate(DRIVER_COLUMNS)})


def simulate_monthly(inputs: EconomyInputs, seed: int, path_start: int, n_paths: int,
                     stochastic: bool = True) -> dict[str, np.ndarray]:
    """Monthly driver paths for paths path_start .. path_start + n_paths - 1 (arrays paths x months)."""
    return simulate_drivers(inputs, seed, path_start, n_paths, stochastic)[0]


def zero_shock_path(inputs: EconomyInputs) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The one path with every shock zero: its monthly values and its calendar years."""
    return simulate_drivers(inputs, 0, 0, 1, stochastic=False)
