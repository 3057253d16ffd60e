"""Economic drivers: from a validated scenario to kernel inputs, and from monthly paths to years.

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

from simulator.kernels.economy import EconomyParams, simulate_economy
from simulator.scenario import OPENING_YEAR, Scenario

MONTHS_PER_YEAR = 12
DT = 1.0 / MONTHS_PER_YEAR


def exact_ou_coefficients(kappa: float, sigma: float, dt: float = DT) -> tuple[float, float]:
    """Decay exp(-kappa dt) and the shock standard deviation of the exact OU step over dt.

    Var = sigma^2 (1 - exp(-2 kappa dt)) / (2 kappa), written with expm1 so that it is accurate for small
    kappa and tends to sigma^2 dt (a random walk) as kappa -> 0 instead of dividing by zero.
    """
    decay = math.exp(-kappa * dt)
    if kappa * dt < 1e-12:
        var = sigma * sigma * dt
    else:
        var = sigma * sigma * (-math.expm1(-2.0 * kappa * dt)) / (2.0 * kappa)
    return decay, math.sqrt(var)


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


def economy_params(scenario: Scenario, deterministic: bool = False) -> EconomyParams:
    """Kernel parameters. ``deterministic``: the zero-shock path keeps the regimes where they start
    (normal inflation, calm markets), so the calm equity drift is replaced by the regime average
    weighted by the chain's long-run shares: the path then earns the expected log return instead of
    a crash-free one."""
    eco = scenario.economy
    inf, sr, ts, eq, tb = eco.inflation, eco.short_rate, eco.term_spread, eco.equity, eco.tax_base
    infl_decay, infl_sd = exact_ou_coefficients(inf.mean_reversion_per_year, inf.volatility_pa)
    rate_decay, rate_sd = exact_ou_coefficients(sr.mean_reversion_per_year, sr.volatility_pa)
    spread_decay, spread_sd = exact_ou_coefficients(ts.mean_reversion_per_year, ts.volatility_pa)
    tax_decay, tax_sd = exact_ou_coefficients(tb.mean_reversion_per_year, tb.volatility_pa)
    params = EconomyParams(
        dt=DT,
        infl_initial=math.log1p(inf.initial_pa),
        infl_mean_normal=math.log1p(inf.target_pa),
        infl_mean_shock=math.log1p(inf.shock_regime.mean_pa),
        infl_decay=infl_decay,
        infl_sd=infl_sd,
        infl_p_enter=inf.shock_regime.entry_probability_per_month,
        infl_p_exit=inf.shock_regime.exit_probability_per_month,
        infl_target=math.log1p(inf.target_pa),
        rate_initial=sr.initial_pa,
        rate_real=sr.real_long_run_pa,
        rate_pass=sr.inflation_pass_through,
        rate_decay=rate_decay,
        rate_sd=rate_sd,
        spread_initial=ts.initial_pa,
        spread_mean=ts.long_run_pa,
        spread_decay=spread_decay,
        spread_sd=spread_sd,
        eq_p_crash=eq.crash_entry_probability_per_month,
        eq_p_recover=eq.crash_exit_probability_per_month,
        se_drift_calm=eq.calm.sweden_log_drift_pa,
        se_drift_crash=eq.crash.sweden_log_drift_pa,
        se_vol_calm=eq.calm.sweden_volatility_pa,
        se_vol_crash=eq.crash.sweden_volatility_pa,
        gl_drift_calm=eq.calm.global_log_drift_pa,
        gl_drift_crash=eq.crash.global_log_drift_pa,
        gl_vol_calm=eq.calm.global_volatility_pa,
        gl_vol_crash=eq.crash.global_volatility_pa,
        tax_real=math.log1p(tb.real_long_run_growth_pa),
        tax_pass=tb.inflation_pass_through,
        tax_decay=tax_decay,
        tax_sd=tax_sd,
    )
    if deterministic:
        crash = stationary_crash_share(eq.crash_entry_probability_per_month,
                                       eq.crash_exit_probability_per_month)
        params = params._replace(
            se_drift_calm=(1 - crash) * eq.calm.sweden_log_drift_pa + crash * eq.crash.sweden_log_drift_pa,
            gl_drift_calm=(1 - crash) * eq.calm.global_log_drift_pa + crash * eq.crash.global_log_drift_pa,
        )
    return params


def tax_anchor_by_month(scenario: Scenario) -> np.ndarray:
    """SKR's expected tax-base growth as an annualised log rate per month; NaN after the path ends."""
    sim = scenario.simulation
    anchor = np.full(sim.n_months, np.nan)
    for year, growth in scenario.economy.tax_base.expected_growth_pa.items():
        k = int(year) - sim.start_year
        anchor[k * MONTHS_PER_YEAR : (k + 1) * MONTHS_PER_YEAR] = math.log1p(growth)
    return anchor


class EconomyInputs(NamedTuple):
    """Everything the economy kernel needs besides the seed and the paths (picklable for dask)."""

    params: EconomyParams
    tax_anchor: np.ndarray
    corr_factor: np.ndarray
    n_months: int
    years: np.ndarray
    short_rate_floor: float  # -inf when the scenario sets no floor
    sweden_weight: float
    pbb_known: np.ndarray  # prisbasbelopp [SEK] for OPENING_YEAR, OPENING_YEAR + 1, ...
    infl_initial: float  # annualised log rate before the simulation starts


def economy_inputs(scenario: Scenario, deterministic: bool = False) -> EconomyInputs:
    eco = scenario.economy
    known = eco.prisbasbelopp.known_sek
    floor = eco.short_rate.floor_pa
    return EconomyInputs(
        params=economy_params(scenario, deterministic),
        tax_anchor=tax_anchor_by_month(scenario),
        corr_factor=correlation_factor(eco.correlation.ordered()),
        n_months=scenario.simulation.n_months,
        years=np.asarray(scenario.simulation.years, dtype=np.int64),
        short_rate_floor=-math.inf if floor is None else floor,
        sweden_weight=eco.equity.sweden_weight_frac,
        pbb_known=np.asarray([known[str(y)] for y in sorted(int(k) for k in known)], dtype=float),
        infl_initial=math.log1p(eco.inflation.initial_pa),
    )


def simulate_monthly(
    inputs: EconomyInputs, seed: int, path_start: int, n_paths: int, stochastic: bool = True
) -> dict[str, np.ndarray]:
    """Monthly driver paths for paths path_start .. path_start + n_paths - 1 (arrays paths x months)."""
    shape = (n_paths, inputs.n_months)
    out = {name: np.empty(shape) for name in
           ("inflation", "short_rate", "term_spread", "equity_sweden_log", "equity_global_log",
            "tax_base_log_growth")}
    out["inflation_regime"] = np.empty(shape, dtype=np.int8)
    out["equity_regime"] = np.empty(shape, dtype=np.int8)
    simulate_economy(
        inputs.params, inputs.tax_anchor, inputs.corr_factor, np.uint64(seed), np.int64(path_start),
        stochastic, out["inflation"], out["short_rate"], out["term_spread"], out["equity_sweden_log"],
        out["equity_global_log"], out["tax_base_log_growth"], out["inflation_regime"],
        out["equity_regime"],
    )
    # interest rates as the market shows them: the floor (if any) applies to the short and long rate;
    # the unfloored short rate stays the model's state (a shadow rate), so the OU step stays exact
    out["long_rate"] = np.maximum(out["short_rate"] + out["term_spread"], inputs.short_rate_floor)
    out["short_rate"] = np.maximum(out["short_rate"], inputs.short_rate_floor)
    return out


def zero_shock_path(inputs: EconomyInputs) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The one path with every shock zero: its monthly values and its calendar years."""
    monthly = simulate_monthly(inputs, 0, 0, 1, stochastic=False)
    return monthly, annual_from_monthly(inputs, monthly)


def annual_from_monthly(inputs: EconomyInputs, monthly: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Calendar-year figures (arrays paths x years) from the monthly paths.

    - inflation: KPI December-to-December change; the KPI index is exp(cumulated monthly log inflation);
    - short_rate, long_rate: the year's average of the monthly rates;
    - equity returns: compounded monthly returns; ``equity_return`` is the pension benchmark's equity
      mix (Swedish weight ``sweden_weight_frac``, rebalanced monthly);
    - tax_base_growth: growth of the tax-base index over the year;
    - prisbasbelopp_sek: the known amounts, then PBB(Y) = PBB(Y-1) x KPI(June Y-1) / KPI(June Y-2),
      rounded to the nearest 100 SEK, halves up. The law (socialförsäkringsbalken 2 kap. 7 §) scales a
      fixed base by KPI(June Y-1) / KPI(June 1997); chaining the *unrounded* amount from the last known
      one is the same thing, so rounding errors do not accumulate. KPI months before January of the
      first simulated year grow at the opening inflation rate.
    """
    n_paths, n_months = monthly["inflation"].shape
    n_years = n_months // MONTHS_PER_YEAR
    by_year = (n_paths, n_years, MONTHS_PER_YEAR)

    log_kpi = np.cumsum(monthly["inflation"] * DT, axis=1)  # log KPI at the end of each month
    dec = log_kpi[:, MONTHS_PER_YEAR - 1 :: MONTHS_PER_YEAR]
    dec_prev = np.concatenate([np.zeros((n_paths, 1)), dec[:, :-1]], axis=1)
    inflation = np.expm1(dec - dec_prev)

    eq_se = monthly["equity_sweden_log"].reshape(by_year).sum(axis=2)
    eq_gl = monthly["equity_global_log"].reshape(by_year).sum(axis=2)
    w = inputs.sweden_weight
    mix_monthly = w * np.expm1(monthly["equity_sweden_log"]) + (1 - w) * np.expm1(
        monthly["equity_global_log"]
    )
    equity_return = np.expm1(np.log1p(mix_monthly).reshape(by_year).sum(axis=2))

    tax_log = monthly["tax_base_log_growth"].reshape(by_year).sum(axis=2)

    # KPI in June of each year from OPENING_YEAR: index 0 is June of the opening year (before the
    # simulation: six months back from December at the opening rate), then June of each simulated year
    june_opening = np.full((n_paths, 1), -0.5 * inputs.infl_initial)
    june = np.concatenate([june_opening, log_kpi[:, 5::MONTHS_PER_YEAR]], axis=1)
    pbb = np.empty((n_paths, n_years))
    known = inputs.pbb_known  # from OPENING_YEAR
    unrounded = np.full(n_paths, known[0])
    for k in range(n_years):
        idx = k + 1  # position of this year in the known amounts (0 = OPENING_YEAR)
        if idx < known.size:
            unrounded = np.full(n_paths, known[idx])
            pbb[:, k] = unrounded
        else:
            # year Y = first + k uses KPI June Y-1 over June Y-2, i.e. june[:, k] over june[:, k - 1]
            unrounded = unrounded * np.exp(june[:, k] - june[:, k - 1])
            # at least 100 SEK: only an absurd deflation could round it to 0 (and then divide by it)
            pbb[:, k] = np.maximum(np.floor(unrounded / 100.0 + 0.5) * 100.0, 100.0)

    return {
        "inflation": inflation,
        "kpi_index": np.exp(dec),
        "short_rate": monthly["short_rate"].reshape(by_year).mean(axis=2),
        "long_rate": monthly["long_rate"].reshape(by_year).mean(axis=2),
        "equity_return_sweden": np.expm1(eq_se),
        "equity_return_global": np.expm1(eq_gl),
        "equity_return": equity_return,
        "tax_base_growth": np.expm1(tax_log),
        "tax_base_index": np.exp(np.cumsum(tax_log, axis=1)),
        "prisbasbelopp_sek": pbb,
    }
