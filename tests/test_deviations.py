"""The budget-deviation fit and the plan-slippage fit: the records read strictly and rebuilt by hand from
the annual report, the estimators against hand computations and a brute-force posterior, and the
deviation the model then draws against the worst year on record."""

import math

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import norm

from simulator.calibration import slippage
from simulator.calibration.data import CalibrationInputError
from simulator.calibration.deviations import Prior, find_record, fit_record, read_persistence, read_prior
from simulator.scenario.loader import load_scenario
from tests.conftest import BASE_TOML, ROOT

DATA = ROOT / "calibration" / "data"
RECORD = DATA / "budget_deviation_record.csv"
PLANS = DATA / "plan_record.csv"
JUDGMENT = ROOT / "calibration" / "judgment.toml"

#: KPI annual averages (calibration/data/kpi_annual_average_index_1980eq100.csv); 2024 from the December
#: changes 4.4 % and 0.8 % (kpi_december_12m_change_pct.csv)
KPI = {2020: 335.92 / 334.26 - 1, 2021: 343.19 / 335.92 - 1, 2023: 403.7 / 371.91 - 1, 2024: (0.044 + 0.008) / 2}
#: the KPI-indexed share of costs in base.toml: purchased care 0.4 x 1 600, drugs 600, other 1 367.6
KPI_SHARE = (0.4 * 1600 + 600 + 1367.6) / 7267.6
COSTS = {2020: 5404, 2021: 5973, 2023: 6970.9, 2024: 7267.6}  # AR 335 and 4703
TAX_AND_GRANTS = {2020: 4683, 2021: 4896, 2023: 5408, 2024: 5691}  # AR 343
BUDGET_FINANCE_NET = 25.7 - 126.2  # the 2023 budget's financial items (seed 000 lines 134-138)
#: verksamhetens resultat against budget, from the sources: 2020-21 the result's deviation (DOMAIN.md)
#: less the financial items' (outcome finansnetto from the five-year overview's changes, AR 345)
OPERATING = {2020: 223 - (-56.1 - BUDGET_FINANCE_NET), 2021: 289 - (46.9 - BUDGET_FINANCE_NET),
             2023: -449.8 - 113.3, 2024: -475.4 - (-75.8)}
SHARES = {y: (OPERATING[y] + COSTS[y] * KPI_SHARE * (KPI[y] - 0.02)) / TAX_AND_GRANTS[y] for y in OPERATING}


def test_the_record_is_one_measure_rebuilt_from_the_sources():
    """Every year is verksamhetens resultat against budget with the KPI surprise the model carries taken
    out, as the sources give it (to the record's rounding, 0.1 MSEK)."""
    assert find_record(DATA) == RECORD
    fit = fit_record(RECORD, 0.0)
    assert fit.years == [2020, 2021, 2023, 2024]  # 2022: no budget in the sources
    np.testing.assert_allclose(np.array(fit.shares) * [TAX_AND_GRANTS[y] for y in fit.years],
                               [SHARES[y] * TAX_AND_GRANTS[y] for y in fit.years], atol=0.1)
    # the outcome finansnetto 2020 and 2021 follow from 2022's (71.7 - 200.5, seed 000 line 134-138) and
    # the five-year overview's changes -175.7 (2022) and +103 (2021), AR 345
    net_2022 = 71.7 - 200.5
    assert net_2022 + 175.7 == pytest.approx(46.9) and net_2022 + 175.7 - 103 == pytest.approx(-56.1)
    # 2024 as the annual report has it: -399.6 on verksamhetens resultat (AR 4744)
    assert OPERATING[2024] == pytest.approx(-399.6)


def test_without_persistence_or_prior_the_fit_is_the_sample_mean_and_sd():
    x = np.array(list(SHARES.values()))
    fit = fit_record(RECORD, 0.0)
    assert fit.mean == pytest.approx(x.mean(), abs=1e-6)
    assert fit.sd == pytest.approx(x.std(ddof=1), abs=1e-6)
    assert fit.se_mean == pytest.approx(fit.sd / 2, rel=1e-12)
    assert fit.se_sd == pytest.approx(fit.sd / math.sqrt(6), rel=1e-12)
    assert (fit.record_mean, fit.record_sd) == (fit.mean, fit.sd)


def _correlation(years, phi):
    years = np.asarray(years, dtype=float)
    return phi ** np.abs(years[:, None] - years[None, :])


def test_with_persistence_the_mean_maximises_the_correlated_likelihood():
    fit = fit_record(RECORD, 0.8)
    x, corr = np.array(fit.shares), _correlation(fit.years, 0.8)

    def nll(theta):  # the Gaussian likelihood of the four years, corr(L_s, L_t) = phi^|s-t|
        mean, log_sd = theta
        cov = np.exp(2 * log_sd) * corr
        r = x - mean
        return 0.5 * (np.linalg.slogdet(cov)[1] + r @ np.linalg.solve(cov, r))

    best = minimize(nll, [0.0, math.log(0.07)], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14})
    assert fit.mean == pytest.approx(best.x[0], abs=1e-6)
    # the maximum-likelihood sd divides by n, the fit by n - 1
    assert fit.sd * math.sqrt(3 / 4) == pytest.approx(math.exp(best.x[1]), rel=1e-5)
    # correlated years carry less information: a less certain mean than the sample's
    assert fit.se_mean > fit_record(RECORD, 0.0).se_mean


def test_the_posterior_is_the_brute_force_one():
    """The closed-form posterior against a numerical one: the correlated likelihood times the prior
    (mean | sd ~ N(m0, sd^2 / k0), sd^2 ~ scaled inverse chi^2 (v0, s0^2)) integrated on a grid."""
    prior = Prior(0.8, 0.0, 4.0, 0.03, 4.0, {})
    fit = fit_record(RECORD, 0.8, prior)
    x, corr = np.array(fit.shares), _correlation(fit.years, 0.8)
    inverse, (_, logdet) = np.linalg.inv(corr), np.linalg.slogdet(corr)
    means = np.linspace(-0.15, 0.15, 601)
    variances = np.exp(np.linspace(math.log(1e-5), math.log(1.0), 2400))  # a log grid: the tail is long
    m, v = np.meshgrid(means, variances, indexing="ij")
    r = x[None, None, :] - m[..., None]
    quad = np.einsum("...i,ij,...j->...", r, inverse, r)
    log_lik = -0.5 * (x.size * np.log(v) + logdet + quad / v)
    log_prior = (-0.5 * np.log(v / prior.mean_weight_years) - 0.5 * prior.mean_weight_years * (m - prior.mean_frac) ** 2 / v
                 - (1 + prior.volatility_weight_years / 2) * np.log(v)
                 - prior.volatility_weight_years * prior.volatility_frac ** 2 / (2 * v))
    w = np.exp(log_lik + log_prior - (log_lik + log_prior).max()) * v  # dv = v d(log v)
    w /= w.sum()
    assert fit.mean == pytest.approx((w * m).sum(), abs=2e-4)
    assert fit.sd ** 2 == pytest.approx((w * v).sum(), rel=2e-3)  # sd = sqrt(E[sd^2 | record])
    assert fit.se_mean == pytest.approx(math.sqrt((w * (m - (w * m).sum()) ** 2).sum()), rel=0.05)
    # centred at zero and worth four years, the prior pulls the record's mean towards zero and its
    # crisis spread towards the normal years' 3 %
    assert abs(fit.mean) < abs(fit.record_mean) and 0.03 < fit.sd < fit.record_sd


def test_the_prior_and_the_persistence_come_from_the_judgment_file(tmp_path):
    value, reason = read_persistence(JUDGMENT)
    assert value == 0.8 and "adjacent years" in reason
    prior = read_prior(JUDGMENT)
    assert (prior.persistence, prior.mean_frac, prior.mean_weight_years) == (0.8, 0.0, 4)
    assert (prior.volatility_frac, prior.volatility_weight_years) == (0.03, 4)
    assert "judgment" in prior.reasons["prior_volatility_frac"]
    bad = tmp_path / "j.toml"
    bad.write_text(JUDGMENT.read_text().replace("prior_volatility_weight_years = { value = 4,",
                                                "prior_volatility_weight_years = { value = 1,"))
    with pytest.raises(CalibrationInputError, match="prior_volatility_weight_years.value: must be a number in 2..100"):
        read_prior(bad)
    bad.write_text('[accounts.budget_deviation]\npersistence = { value = 1.5, reason = "x" }\n')
    with pytest.raises(CalibrationInputError, match="persistence.value: must be a number in 0..0.99"):
        read_persistence(bad)


def test_the_scenario_uses_the_posterior_and_keeps_the_record_alone_for_robustness():
    sc = load_scenario(BASE_TOML)
    fit = fit_record(RECORD, 0.8, read_prior(JUDGMENT))
    dev = sc.accounts.budget_deviation
    assert dev.mean_frac == pytest.approx(fit.mean, abs=5e-6) and dev.volatility_frac == pytest.approx(fit.sd, abs=5e-6)
    alone = sc.calibration.without_prior
    assert alone["accounts.budget_deviation.mean_frac"] == pytest.approx(fit.record_mean, abs=5e-6)
    assert alone["accounts.budget_deviation.volatility_frac"] == pytest.approx(fit.record_sd, abs=5e-6)


def test_the_2027_2030_deviation_stays_within_one_and_a_half_worst_recorded_years():
    """The level the model draws for 2027-2030 (L_2024 = 0, the AR(1) of the scenario) has a 95th
    percentile of |share| within 1.5 x the worst year on record, computed from its normal law."""
    sc = load_scenario(BASE_TOML)
    dev = sc.accounts.budget_deviation
    worst = max(abs(x) for x in fit_record(RECORD, 0.0).shares)
    grid = np.linspace(0.0, 0.3, 30001)
    for k in range(2, 6):  # 2027-2030: the third to the sixth simulated year
        sd = dev.volatility_frac * math.sqrt(1 - dev.persistence ** (2 * (k + 1)))
        mean = dev.mean_frac * (1 - dev.persistence ** (k + 1))
        inside = norm.cdf(grid, mean, sd) - norm.cdf(-grid, mean, sd)  # P(|L| <= x)
        p95 = grid[np.searchsorted(inside, 0.95)]
        assert p95 <= 1.5 * worst, (k, p95, worst)


@pytest.mark.parametrize("row, words", [
    ("2150,12,5000,0,x", "outside 1990..2100"),
    ("2019,abc,5000,0,x", "deviation_msek 'abc' is not a number"),
    ("2019,12,-5,0,x", "tax_and_grants_msek must be positive"),
    ("2019,12", "2 fields"),
    ("2020,1,5000,0,x", "appears twice"),
])
def test_a_malformed_record_is_refused_with_its_line(tmp_path, row, words):
    lines = RECORD.read_text(encoding="utf-8").rstrip("\n").splitlines()
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines + [row]) + "\n", encoding="utf-8")
    with pytest.raises(CalibrationInputError) as exc:
        fit_record(path, 0.8)
    assert words in str(exc.value) and f"line {len(lines) + 1}" in str(exc.value), str(exc.value)


# --- plan slippage -------------------------------------------------------------------------------------------
def test_the_plan_slippage_is_the_share_of_the_unfunded_growth_the_next_plan_put_back():
    """The plan of 2023 (seed 000): costs 6 579.0 (2024), 6 577.6 (2025), 6 510.9 (2026), with LPIK
    3.2 % and 3.1 % left to efficiencies; the plan of 2024 (AR 3918): 6 776 in 2025 and 2026."""
    assert slippage.find_record(DATA) == PLANS
    fit = slippage.fit_record(PLANS)
    share_2025 = (6776 - 6577.6) / (6579.0 * 1.032 - 6577.6)
    share_2026 = (6776 - 6510.9) / (6579.0 * 1.032 * 1.031 - 6510.9)
    np.testing.assert_allclose(fit.shares, [share_2025, share_2026], atol=1e-4)
    assert round(share_2025, 2) == 0.94 and round(share_2026, 2) == 0.54
    assert fit.mean == pytest.approx((share_2025 + share_2026) / 2, abs=1e-4)
    assert fit.se == pytest.approx(abs(share_2025 - share_2026) / 2, abs=1e-4)  # sd / sqrt(2) of two values
    sc = load_scenario(BASE_TOML)
    assert sc.accounts.plan_slippage.unrealised_frac == pytest.approx(fit.mean, abs=5e-5)
    assert sc.calibration.standard_errors["accounts.plan_slippage.unrealised_frac"] == pytest.approx(fit.se, abs=5e-5)


@pytest.mark.parametrize("row, words", [
    ("2027,6000,6000.5,6100,x", "must exceed planned_costs_msek by at least 1 MSEK"),
    ("2027,abc,6500,6600,x", "planned_costs_msek 'abc' is not a number"),
    ("2025,6000,6200,6100,x", "appears twice"),
    ("2027,-1,6200,6100,x", "costs must be positive"),
])
def test_a_malformed_plan_record_is_refused_with_its_line(tmp_path, row, words):
    lines = PLANS.read_text(encoding="utf-8").rstrip("\n").splitlines()
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines + [row]) + "\n", encoding="utf-8")
    with pytest.raises(CalibrationInputError) as exc:
        slippage.fit_record(path)
    assert words in str(exc.value) and f"line {len(lines) + 1}" in str(exc.value), str(exc.value)
