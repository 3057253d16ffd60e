"""The economic scenario generator against closed forms, at a fixed seed, within a few standard errors."""

import math

import numpy as np
import pytest

from simulator.model.parameters import DT, exact_ou_coefficients, stationary_crash_share
from simulator.model.drivers import economy_inputs, simulate_drivers, simulate_monthly
from simulator.scenario.economy import SHOCKS
from tests.conftest import no_regimes, scenario_with

N = 20_000
SEED = 20250101


def _paths(scenario, n=N, seed=SEED, deterministic=False):
    inputs = economy_inputs(scenario, deterministic=deterministic)
    return inputs, simulate_monthly(inputs, seed, 0, n, stochastic=not deterministic)


def _years(scenario, n=N, seed=SEED, deterministic=False):
    inputs = economy_inputs(scenario, deterministic=deterministic)
    return simulate_drivers(inputs, seed, 0, n, stochastic=not deterministic)[1]


def _ou_moments(x0, m, kappa, sigma, t_years):
    mean = m + (x0 - m) * math.exp(-kappa * t_years)
    var = sigma**2 * (1 - math.exp(-2 * kappa * t_years)) / (2 * kappa)
    return mean, var


def _assert_moments(sample, mean, var, k=4.0):
    n = sample.size
    assert abs(sample.mean() - mean) < k * math.sqrt(var / n), (sample.mean(), mean)
    assert abs(sample.var(ddof=1) - var) < k * var * math.sqrt(2 / (n - 1)), (sample.var(), var)


@pytest.mark.parametrize("month", [6, 24, 120])
def test_inflation_is_ou_with_exact_conditional_moments(month):
    sc = no_regimes()
    inputs, m = _paths(sc)
    inf = sc.economy.inflation
    mean, var = _ou_moments(math.log1p(inf.initial_pa), math.log1p(inf.target_pa),
                            inf.mean_reversion_per_year, inf.volatility_pa, month * DT)
    _assert_moments(m["inflation"][:, month - 1], mean, var)


@pytest.mark.parametrize("month", [12, 60])
def test_short_rate_is_vasicek_with_exact_conditional_moments(month):
    # with no pass-through the short rate is a plain Vasicek process towards real + ln(1 + target)
    sc = no_regimes(economy__short_rate__inflation_pass_through=0.0)
    inputs, m = _paths(sc)
    sr, inf = sc.economy.short_rate, sc.economy.inflation
    target = sr.real_long_run_pa + math.log1p(inf.target_pa)
    mean, var = _ou_moments(sr.initial_pa, target, sr.mean_reversion_per_year, sr.volatility_pa,
                            month * DT)
    _assert_moments(m["short_rate"][:, month - 1], mean, var)


def test_term_spread_is_ou():
    sc = no_regimes()
    _, m = _paths(sc)
    ts = sc.economy.term_spread
    mean, var = _ou_moments(ts.initial_pa, ts.long_run_pa, ts.mean_reversion_per_year,
                            ts.volatility_pa, 36 * DT)
    _assert_moments(m["term_spread"][:, 35], mean, var)


@pytest.mark.parametrize("market, key", [("sweden", "equity_sweden_log"), ("global", "equity_global_log")])
def test_equity_mean_is_lognormal(market, key):
    sc = no_regimes()
    _, m = _paths(sc)
    calm = sc.economy.equity.calm
    mu = getattr(calm, f"{market}_log_drift_pa")
    sigma = getattr(calm, f"{market}_volatility_pa")
    growth = np.exp(m[key][:, :12].sum(axis=1))  # one year's gross return
    expected = math.exp(mu + sigma**2 / 2)  # E[exp(N(mu, sigma^2))]
    sd = expected * math.sqrt(math.expm1(sigma**2))
    assert abs(growth.mean() - expected) < 4 * sd / math.sqrt(N)
    # and the log return is exactly normal with the stated moments
    _assert_moments(np.log(growth), mu, sigma**2)


def test_crash_regime_probability_follows_the_markov_chain():
    sc = scenario_with(economy__inflation__shock_regime__entry_probability_per_month=0.0)
    _, m = _paths(sc)
    eq = sc.economy.equity
    p, q = eq.crash_entry_probability_per_month, eq.crash_exit_probability_per_month
    for t in (1, 6, 60):
        # starting calm, P(crash after t months) = p/(p+q) * (1 - (1-p-q)^t)
        expected = stationary_crash_share(p, q) * (1 - (1 - p - q) ** t)
        share = m["equity_regime"][:, t - 1].mean()
        assert abs(share - expected) < 4 * math.sqrt(expected * (1 - expected) / N) + 1e-12


def test_inflation_shock_regime_can_produce_a_2022_like_spike():
    # KPI December 12-month change of 12.3 % in 2022 (shared/data) must be possible
    yearly = _years(scenario_with(), n=20_000)["inflation"]
    share = np.mean(yearly.max(axis=1) >= 0.10)
    assert 0.005 < share < 0.5, share


def _innovations(sc, m):
    """Standardised shocks recovered from the simulated states (regimes off)."""
    p = economy_inputs(sc).params[0]
    inf = np.concatenate([np.full((m["inflation"].shape[0], 1), p["inflation_initial_log_pa"]), m["inflation"]], 1)
    rate = np.concatenate([np.full((inf.shape[0], 1), p["short_rate_initial_pa"]), m["short_rate"]], 1)
    sprd = np.concatenate([np.full((inf.shape[0], 1), p["term_spread_initial_pa"]), m["term_spread"]], 1)
    e_inf = (inf[:, 1:] - p["inflation_target_log_pa"] - (inf[:, :-1] - p["inflation_target_log_pa"]) * p["inflation_decay_per_month"]) / p["inflation_sd_per_month"]
    rmean = p["short_rate_real_long_run_pa"] + p["short_rate_inflation_pass_through"] * inf[:, :-1] + (1 - p["short_rate_inflation_pass_through"]) * p["inflation_target_log_pa"]
    e_rate = (rate[:, 1:] - rmean - (rate[:, :-1] - rmean) * p["short_rate_decay_per_month"]) / p["short_rate_sd_per_month"]
    e_sprd = (sprd[:, 1:] - p["term_spread_long_run_pa"] - (sprd[:, :-1] - p["term_spread_long_run_pa"]) * p["term_spread_decay_per_month"]) / p["term_spread_sd_per_month"]
    e_se = (m["equity_sweden_log"] - p["calm_sweden_log_drift_pa"] * DT) / (p["calm_sweden_volatility_pa"] * math.sqrt(DT))
    e_gl = (m["equity_global_log"] - p["calm_global_log_drift_pa"] * DT) / (p["calm_global_volatility_pa"] * math.sqrt(DT))
    # the lagged inflation by hand: an exponential average of past months with weight w on the past
    w = 1.0 - 1.0 / sc.economy.inflation.lag_months
    lagged = np.empty_like(m["inflation"])
    previous = np.full(inf.shape[0], p["inflation_lagged_initial_log_pa"])
    for t in range(lagged.shape[1]):
        previous = w * previous + (1 - w) * inf[:, t]
        lagged[:, t] = previous
    np.testing.assert_allclose(lagged, m["lagged_inflation"], rtol=0, atol=1e-14)
    anchor = economy_inputs(sc).tax_anchor[None, :]
    long_run = p["tax_base_real_long_run_log_pa"] + p["tax_base_inflation_pass_through"] * lagged + (1 - p["tax_base_inflation_pass_through"]) * p["inflation_target_log_pa"]
    anchor = np.where(np.isnan(anchor), long_run, anchor)
    dev = m["tax_base_log_growth"] / DT - anchor
    dev = np.concatenate([np.zeros((dev.shape[0], 1)), dev], 1)
    e_tax = (dev[:, 1:] - dev[:, :-1] * p["tax_base_decay_per_month"]) / p["tax_base_sd_per_month"]
    wage_anchor = p["wage_real_growth_log_pa"] + p["wage_inflation_pass_through"] * lagged + (1 - p["wage_inflation_pass_through"]) * p["inflation_target_log_pa"]
    wdev = np.concatenate([np.zeros((dev.shape[0], 1)), m["wage_log_growth"] / DT - wage_anchor], 1)
    e_wage = (wdev[:, 1:] - wdev[:, :-1] * p["wage_decay_per_month"]) / p["wage_sd_per_month"]
    return np.stack([x.ravel() for x in (e_inf, e_rate, e_sprd, e_se, e_gl, e_tax, e_wage)])


def test_shock_correlation_is_recovered():
    sc = no_regimes()
    _, m = _paths(sc, n=2_000)
    e = _innovations(sc, m)
    n = e.shape[1]
    target = sc.economy.correlation.ordered()
    got = np.corrcoef(e)
    tol = 5 * (1 - target**2) / math.sqrt(n) + 1e-9
    assert np.all(np.abs(got - target) <= tol), np.round(got - target, 4)
    assert np.allclose(e.std(axis=1), 1.0, atol=5 / math.sqrt(2 * n))


def test_correlation_order_in_the_file_does_not_matter():
    data_order = list(reversed(SHOCKS))
    base = no_regimes().economy.correlation.ordered()
    idx = [SHOCKS.index(d) for d in data_order]
    shuffled = base[np.ix_(idx, idx)].tolist()
    sc = no_regimes(economy__correlation__drivers=data_order, economy__correlation__matrix=shuffled)
    np.testing.assert_array_equal(sc.economy.correlation.ordered(), base)


ZERO_VOL = dict(
    economy__inflation__volatility_pa=0.0,
    economy__short_rate__volatility_pa=0.0,
    economy__term_spread__volatility_pa=0.0,
    economy__tax_base__volatility_pa=0.0,
    economy__wage__volatility_pa=0.0,
    economy__equity__calm__sweden_volatility_pa=0.0,
    economy__equity__calm__global_volatility_pa=0.0,
    economy__short_rate__inflation_pass_through=0.0,
)


def test_zero_volatility_paths_equal_the_closed_form():
    sc = no_regimes(**ZERO_VOL)
    inputs, m = _paths(sc, n=3)
    t = np.arange(1, inputs.n_months + 1) * DT
    inf, sr, ts = sc.economy.inflation, sc.economy.short_rate, sc.economy.term_spread
    pi0, pim = math.log1p(inf.initial_pa), math.log1p(inf.target_pa)
    closed_inf = pim + (pi0 - pim) * np.exp(-inf.mean_reversion_per_year * t)
    rm = sr.real_long_run_pa + pim
    closed_rate = rm + (sr.initial_pa - rm) * np.exp(-sr.mean_reversion_per_year * t)
    closed_spread = ts.long_run_pa + (ts.initial_pa - ts.long_run_pa) * np.exp(-ts.mean_reversion_per_year * t)
    for path in range(3):  # every path is the same deterministic path
        np.testing.assert_allclose(m["inflation"][path], closed_inf, rtol=0, atol=1e-14)
        np.testing.assert_allclose(m["short_rate"][path], closed_rate, rtol=0, atol=1e-14)
        np.testing.assert_allclose(m["term_spread"][path], closed_spread, rtol=0, atol=1e-14)
        np.testing.assert_allclose(m["equity_sweden_log"][path],
                                   sc.economy.equity.calm.sweden_log_drift_pa * DT, rtol=1e-15)
    # the zero-volatility stochastic run is the --deterministic run, bit for bit
    _, det = _paths(sc, n=1, deterministic=True)
    for name in det:
        np.testing.assert_array_equal(det[name][0], m[name][0])


def test_deterministic_run_follows_skr_path_and_prisbasbelopp_rule(base_scenario):
    annual = _years(base_scenario, n=1, deterministic=True)
    # the tax base grows exactly as the scenario's SKR path says, then real + 2 % inflation
    growth = annual["tax_base_growth"][0]
    np.testing.assert_allclose(growth[:3], [0.045150, 0.036837, 0.036273], rtol=0, atol=1e-12)
    # the decided amounts 2024-2026, then the rule: PBB 2027 = 59 200 x KPI(Jun 2026)/KPI(Jun 2025) with
    # the OU mean path pi_t = m + (pi0 - m) e^{-kappa t/12}, calibrated kappa = 1.617
    # (calibration/economy.toml): months 7..18 of 2025-26 -> ratio 1.017513 -> 60 236.8 -> 60 200
    pi0, pim = math.log1p(0.008), math.log1p(0.02)
    assert base_scenario.economy.inflation.mean_reversion_per_year == 1.617
    log_ratio = sum(pim + (pi0 - pim) * math.exp(-1.617 * k / 12) for k in range(7, 19)) / 12
    assert math.floor(59200 * math.exp(log_ratio) / 100 + 0.5) * 100 == 60200
    assert annual["prisbasbelopp_sek"][0, :3].tolist() == [58800.0, 59200.0, 60200.0]
    # deterministic equities earn the regime-weighted drift: share p/(p+q) of crash drift
    eq = base_scenario.economy.equity
    c = eq.crash_entry_probability_per_month / (eq.crash_entry_probability_per_month + eq.crash_exit_probability_per_month)
    drift = (1 - c) * eq.calm.sweden_log_drift_pa + c * eq.crash.sweden_log_drift_pa
    np.testing.assert_allclose(annual["equity_return_sweden"][0], math.expm1(drift), rtol=1e-12)
    # inflation converges to the 2 % target, and so do wages' nominal growth (real 1.2 %) and the
    # inkomstbasbelopp, which follows the previous year's wage growth
    assert abs(annual["inflation"][0, -1] - 0.02) < 1e-6
    wage = annual["wage_growth"][0]
    assert abs(wage[-1] - (1.012 * 1.02 - 1)) < 1e-6
    ibb = annual["inkomstbasbelopp_index"][0]
    np.testing.assert_allclose(ibb[1:] / ibb[:-1] - 1, wage[:-1], rtol=1e-12)


def test_rate_floor_applies_to_reported_rates_only():
    sc = no_regimes(economy__short_rate__floor_pa=0.0, economy__short_rate__initial_pa=-0.01)
    inputs, m = _paths(sc, n=500)
    assert m["short_rate"].min() >= 0.0 and m["long_rate"].min() >= 0.0
    unfloored = economy_inputs(no_regimes(economy__short_rate__initial_pa=-0.01))
    raw = simulate_monthly(unfloored, SEED, 0, 500)
    assert raw["short_rate"].min() < 0.0  # negative rates happen without a floor
    np.testing.assert_array_equal(m["short_rate"], np.maximum(raw["short_rate"], 0.0))


def test_exact_ou_coefficients_small_kappa_limit():
    decay, sd = exact_ou_coefficients(0.0, 0.3, DT)
    assert decay == 1.0 and sd == pytest.approx(0.3 * math.sqrt(DT), rel=1e-15)
    decay, sd = exact_ou_coefficients(1e-9, 0.3, DT)
    assert sd == pytest.approx(0.3 * math.sqrt(DT), rel=1e-8)
