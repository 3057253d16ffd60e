"""The region's accounts: every rule against a hand-computed value or a figure from the annual report."""

import math

import numpy as np
import pytest

from simulator.accounts import (
    accounts_inputs, balance_requirement_result, balance_sheet_gap, borrowing, pension_interest,
    refixed_loan_rate, reserve_allocation, restore_deficits,
)
from simulator.engine import RunOptions, run
from simulator.sensitivity import ITEMS, sensitivity
from tests.conftest import base_dict, scenario_with
from simulator.scenario import parse_scenario


@pytest.fixture(scope="module")
def base():
    return parse_scenario(base_dict(), "base")


@pytest.fixture(scope="module")
def plan_path(base):
    return run(base, RunOptions(paths=1, seed=1, deterministic=True)).annual


@pytest.fixture(scope="module")
def paths(base):
    return run(base, RunOptions(paths=4000, seed=11)).annual


def _det(**fields):
    return run(scenario_with(**fields), RunOptions(paths=1, seed=1, deterministic=True)).annual


# --- Regionplan 2025-2027 (AR lines 3918-3935) -----------------------------------------------------
PLAN = {  # whole MSEK as printed in the plan table
    "fees_and_sales_msek": [970, 970, 970],
    "targeted_grants_msek": [120, 120, 120],
    "operating_costs_msek": [6776, 6776, 6776],
    "depreciation_msek": [163, 164, 164],
    "tax_revenue_msek": [3882, 4025, 4171],
    "general_grants_msek": [1314, 1326, 1391],
    "drug_grant_msek": [531, 551, 571],
    "financial_income_msek": [29, 31, 33],
    "financial_costs_msek": [136, 98, 113],
    "result_msek": [-230, -15, 203],
}


@pytest.mark.parametrize("line", list(PLAN))
def test_deterministic_base_reproduces_the_plan(plan_path, line):
    got = plan_path[line][0, :3]
    # within the table's rounding (0.5), and so within the 1 MSEK the issue asks for
    np.testing.assert_allclose(got, PLAN[line], atol=0.5)


def test_plan_borrowing_and_loans(plan_path):
    # 290 at end-2024 plus the plan's new borrowing 200 and 150: 490, 640, 640. (The plan table's
    # long-term debt 782/932 is 141 above loans + the 151.3 leasing debt; the table does not say why.)
    np.testing.assert_allclose(plan_path["loans_msek"][0, :3], [490, 640, 640])
    np.testing.assert_allclose(plan_path["investments_msek"][0, :3], [228, 274, 230])


def test_tax_revenue_is_rate_times_base(base, plan_path):
    base_2024 = 31746.15  # opening.tax_base_msek = 3 714.3 / 0.1170, to the hundredth
    assert plan_path["tax_revenue_msek"][0, 0] == pytest.approx(0.117 * base_2024 * 1.045150, abs=1e-9)
    raised = _det(accounts__tax_rate_from_year_kr={"2026": 12.2})
    # 2025 unchanged, from 2026 on the revenue scales with the rate
    assert raised["tax_revenue_msek"][0, 0] == pytest.approx(plan_path["tax_revenue_msek"][0, 0])
    np.testing.assert_allclose(raised["tax_revenue_msek"][0, 1:], plan_path["tax_revenue_msek"][0, 1:] * 12.2 / 11.7)
    # +0.5 kr from 2026 = +0.5/100 x tax base 2026 (31 746.15 x 1.045150 x 1.036837 = 34 402) = +172.0
    assert raised["result_msek"][0, 1] - plan_path["result_msek"][0, 1] == pytest.approx(172.01, abs=0.01)


# --- balanskrav -------------------------------------------------------------------------------------
def test_balance_requirement_reconciliation_of_2024():
    # AR lines 2958-2975: -493.7 - 1.2 (realisationsvinster) - 183.1 (orealiserade) + 10.3 (återföring)
    assert balance_requirement_result(-493.7, 1.2, 183.1, 10.3) == pytest.approx(-667.7, abs=1e-9)


def test_deficits_are_restored_oldest_first():
    vintages = np.array([[464.1, 211.0, 230.0]])
    left, rest = restore_deficits(vintages, np.array([500.0]))
    np.testing.assert_allclose(left, [[0.0, 175.1, 230.0]])
    assert rest[0] == 0.0
    left, rest = restore_deficits(vintages, np.array([1000.0]))
    np.testing.assert_array_equal(left, [[0.0, 0.0, 0.0]])  # exactly zero: goals compare with <= 0
    assert rest[0] == pytest.approx(1000 - 905.1)


def test_deadline_of_the_2023_deficit_on_the_plan_path(plan_path):
    bkr = plan_path["balance_requirement_result_msek"][0]
    # 2025 and 2026 are negative (new vintages); 2027 and 2028 restore the 464.1 from 2023 first
    assert bkr[0] < 0 and bkr[1] < 0 and bkr[2] > 0 and bkr[3] > 0
    left_2028 = 464.1 - bkr[2] - bkr[3]
    assert plan_path["opening_deficit_overdue_msek"][0, 3] == pytest.approx(left_2028)
    # before the deadline nothing is overdue; the new 2025 deficit (-bkr[0], due 2028) is overdue too
    assert plan_path["opening_deficit_overdue_msek"][0, 2] == 0.0
    assert plan_path["deficit_overdue_msek"][0, 3] == pytest.approx(left_2028 - bkr[0])
    assert plan_path["deficit_outstanding_msek"][0, 0] == pytest.approx(675.1 - bkr[0])


def test_synnerliga_skal_exempt_a_deficit(plan_path):
    exempted = _det(accounts__balance_requirement__synnerliga_skal_msek={"2025": 200})
    deficit_2025 = -plan_path["balance_requirement_result_msek"][0, 0]
    assert exempted["deficit_outstanding_msek"][0, 0] == pytest.approx(675.1 + deficit_2025 - 200)
    np.testing.assert_array_equal(exempted["result_msek"], plan_path["result_msek"])


def test_securities_adjustment_on_the_plan_path(plan_path):
    result, gain = plan_path["result_msek"][0, 0], plan_path["portfolio_return_msek"][0, 0]
    realised, unrealised = plan_path["realised_securities_gains_msek"][0, 0], plan_path["unrealised_gains_msek"][0, 0]
    # the year's market-value change is taken out of the result, what was realised is put back
    assert plan_path["balance_requirement_result_msek"][0, 0] == pytest.approx(result - gain + realised)
    # turnover realises 8 % of the unrealised gains at year end: U_end = 0.92 U_before, where
    # U_before = opening 290 + the year's gain - gains realised by the monthly rebalancing
    before = unrealised / 0.92
    rebalancing = 290 + gain - before
    assert 0 <= rebalancing < 5
    assert realised == pytest.approx(rebalancing + 0.08 * before)


def test_resultatreserv_allocation_by_hand():
    one = np.array([1.0])
    # BKR 300 with taxes and grants 6 000: above 2 % is 300 - 120 = 180; room 5 % x 6 000 = 300
    assert reserve_allocation(300 * one, 300 * one, 6000 * one, 0 * one, one > 0, 0.02, 0.05)[0] == 180
    # the cap binds with 250 already in reserve
    assert reserve_allocation(300 * one, 300 * one, 6000 * one, 250 * one, one > 0, 0.02, 0.05)[0] == 50
    # only what deficits left over can go to the reserve, and nothing when not eligible
    assert reserve_allocation(300 * one, 100 * one, 6000 * one, 0 * one, one > 0, 0.02, 0.05)[0] == 100
    assert reserve_allocation(300 * one, 300 * one, 6000 * one, 0 * one, one < 0, 0.02, 0.05)[0] == 0


def test_realised_gains_on_fixed_assets_are_booked_and_taken_out_of_the_balance_requirement(plan_path):
    sold = _det(accounts__balance_requirement__realised_gains_msek={"2025": 12.0})
    assert sold["result_msek"][0, 0] - plan_path["result_msek"][0, 0] == pytest.approx(12.0)
    assert sold["balance_requirement_result_msek"][0, 0] == pytest.approx(plan_path["balance_requirement_result_msek"][0, 0])


def test_resultatreserv_in_the_accounts():
    # a strong plan: deficits restored early, equity incl. the pension liability still negative
    rich = _det(accounts__tax_rate_kr=13.2)
    reserve = rich["resultatreserv_msek"][0]
    tax_and_grants = rich["tax_and_grants_msek"][0]
    assert reserve.max() > 0
    assert np.all(reserve <= 0.05 * tax_and_grants + 1e-9)  # never above the cap
    first = int(np.argmax(reserve > 0))
    assert rich["deficit_outstanding_msek"][0, first] == 0.0
    assert rich["equity_incl_pension_liability_msek"][0, first] < 0
    # reserving lowers the balance-requirement result by the amount put aside
    off = _det(accounts__tax_rate_kr=13.2, accounts__resultatreserv__enabled=False)
    assert off["balance_requirement_result_msek"][0, first] - rich["balance_requirement_result_msek"][0, first] \
        == pytest.approx(reserve[first] - (reserve[first - 1] if first else 0.0))


# --- pension interest, loans, borrowing -------------------------------------------------------------
def test_pension_interest_component():
    # 2024: RIPS 1 % + prisbasbelopp 52 500 -> 57 300 (+9.14 %) on the 2023 provision 2 391.7
    got = pension_interest(2391.7, 0.01, 57300.0, 52500.0)
    assert got == pytest.approx((0.01 + 4800 / 52500) * 2391.7)
    assert got == pytest.approx(245, rel=0.02)  # AR line 2627: 245 MSEK (10.1 %)


def test_pension_interest_on_the_plan_path_follows_prisbasbelopp(plan_path):
    # 2025: prisbasbelopp 57 300 -> 58 800 on the opening provision 2 942.3 (model value, no anchoring)
    assert plan_path["pension_interest_msek"][0, 0] == pytest.approx((0.01 + 1500 / 57300) * 2942.3)


def test_loan_rate_refixing():
    # fixing 0.51 years: everything refixed within the year -> short rate + spread
    assert refixed_loan_rate(0.0358, 0.025, 0.003, min(1.0, 1 / 0.51)) == pytest.approx(0.028)
    # fixing 4 years: a quarter is refixed
    assert refixed_loan_rate(0.0358, 0.025, 0.003, 0.25) == pytest.approx(0.75 * 0.0358 + 0.25 * 0.028)


def test_borrowing_rule():
    a = np.array
    b, r, s = borrowing(a([100.0]), a([290.0]), 0.0, 150, 700, 600, True)
    assert (b[0], r[0], s[0]) == (50, 0, 0)  # borrow up to the minimum cash
    b, r, s = borrowing(a([100.0]), a([690.0]), 0.0, 150, 700, 600, True)
    assert (b[0], s[0]) == (50, 40)  # the need is borrowed; 40 above the limit: a breach
    b, r, s = borrowing(a([800.0]), a([290.0]), 0.0, 150, 700, 600, True)
    assert (b[0], r[0]) == (0, 200)  # repay with cash above 600
    b, r, s = borrowing(a([800.0]), a([290.0]), 200.0, 150, 700, 600, False)
    assert (b[0], r[0]) == (200, 0)  # plan years: the plan's borrowing, no repayment


def test_loan_limit_breaches_are_recorded(base):
    tight = run(scenario_with(accounts__financing__loan_limit_msek=300.0), RunOptions(paths=500, seed=3)).annual
    breach = tight["loan_limit_breach"]
    assert breach.mean() > 0
    # the debt above the limit is what the breach records; cash never falls below the minimum
    np.testing.assert_allclose(tight["borrowing_shortfall_msek"], np.maximum(tight["loans_msek"] - 300, 0), atol=1e-9)
    assert np.all((tight["borrowing_shortfall_msek"] > 1e-9) == (breach > 0))
    # cash ends at the minimum less only the half-year interest on the year's new loans (mid-year)
    mid_year_interest = 0.5 * np.maximum(tight["new_borrowing_msek"], 0) * tight["loan_rate"]
    assert np.all(tight["cash_msek"] >= 150 - mid_year_interest - 1e-6)
    from simulator.engine import SimulationOutput
    from simulator.results import risk_summary
    risks = risk_summary(SimulationOutput(years=np.arange(2025, 2041), annual=tight, monthly=None))
    by_year = risks["loan_limit_breach"]["probability_by_year"]
    np.testing.assert_allclose(by_year, breach.mean(axis=0))
    assert risks["loan_limit_breach"]["probability_any_year"] == pytest.approx((breach > 0).any(axis=1).mean())


# --- balance sheet, costs ------------------------------------------------------------------------------
def test_opening_solidity_matches_the_annual_report(base):
    p = accounts_inputs(base)
    assets = (p.fixed_assets + p.financial_fixed_assets + p.other_current_assets
              + p.other_short_term_investments + p.portfolio_opening + p.cash)
    assert assets == pytest.approx(3479.2, abs=0.05)
    assert p.equity / assets == pytest.approx(-0.265, abs=0.0005)  # AR lines 2689-2691: -26.5 %
    assert (p.equity - p.liability_opening) / assets == pytest.approx(-0.84, abs=0.005)  # -84 %


def test_balance_sheet_balances_and_equity_accumulates_results(base, paths):
    p = accounts_inputs(base)
    np.testing.assert_allclose(balance_sheet_gap(p, paths), 0.0, atol=1e-6)
    np.testing.assert_allclose(paths["equity_msek"], -922.7 + np.cumsum(paths["result_msek"], axis=1), atol=1e-6)
    np.testing.assert_allclose(paths["solidity"], paths["equity_msek"] / paths["total_assets_msek"])


def test_cost_overrun_is_an_ar1_with_the_stated_moments(paths):
    budget = paths["operating_costs_msek"] - paths["cost_overrun_msek"]
    o = paths["cost_overrun_msek"] / budget
    n = o.shape[0]
    mean, phi, sigma, o0 = 0.02, 0.5, 0.025, 0.086
    assert abs(o[:, 0].mean() - (mean + phi * (o0 - mean))) < 4 * sigma / math.sqrt(n)
    assert abs(o[:, 1].mean() - (mean + phi**2 * (o0 - mean))) < 4 * sigma * math.sqrt(1 + phi**2) / math.sqrt(n)
    assert o[:, 1].std() == pytest.approx(sigma * math.sqrt(1 + phi**2), rel=0.06)
    assert np.corrcoef(o[:, 5], o[:, 6])[0, 1] == pytest.approx(phi, abs=0.06)


def test_no_overrun_in_a_deterministic_run(plan_path):
    np.testing.assert_array_equal(plan_path["cost_overrun_msek"], 0.0)


def test_plan_year_costs_scale_with_the_paths_price_index(base, paths, plan_path):
    # personnel 2025 = plan x share x (1 + wage growth on the path) / (1 + wage growth at zero shock)
    #                  x (1 + overrun)
    share = 3100 / 7267.6
    wage = paths["tax_base_growth"][:, 0] - 0.005
    wage_det = plan_path["tax_base_growth"][0, 0] - 0.005
    budget = paths["operating_costs_msek"][:, 0] - paths["cost_overrun_msek"][:, 0]
    overrun = paths["cost_overrun_msek"][:, 0] / budget
    expected = 6776.4 * share * (1 + wage) / (1 + wage_det) * (1 + overrun)
    np.testing.assert_allclose(paths["personnel_costs_msek"][:, 0], expected, rtol=1e-12)


def test_after_the_plan_costs_follow_price_and_volume(plan_path):
    # 2028 personnel = 2027 personnel x (1 + wage growth 2028) x 1.006 volume
    wage = plan_path["tax_base_growth"][0, 3] - 0.005
    assert plan_path["personnel_costs_msek"][0, 3] == pytest.approx(
        plan_path["personnel_costs_msek"][0, 2] * (1 + wage) * 1.006)
    # pensions follow prisbasbelopp, no volume
    pbb = plan_path["prisbasbelopp_sek"][0]
    assert plan_path["pension_costs_msek"][0, 3] == pytest.approx(plan_path["pension_costs_msek"][0, 2] * pbb[3] / pbb[2])


def test_savings_programme_cuts_permanently(plan_path):
    saved = _det(accounts__savings_programme__msek_by_year={"2028": 100})
    costs, base_costs = saved["operating_costs_msek"][0], plan_path["operating_costs_msek"][0]
    assert base_costs[3] - costs[3] == pytest.approx(100)
    # kept and indexed: the cut grows with the budget
    assert base_costs[4] - costs[4] == pytest.approx(100 * base_costs[4] / base_costs[3], rel=1e-12)
    pct = _det(accounts__savings_programme__pct_by_year={"2026": 1.0})
    assert pct["operating_costs_msek"][0, 1] == pytest.approx(0.99 * 6776)
    assert pct["operating_costs_msek"][0, 2] == pytest.approx(0.99 * 6776)  # still cut in 2027


def test_general_grants_uncertainty_keeps_the_expected_path(paths, plan_path):
    gg = paths["general_grants_msek"]
    np.testing.assert_array_equal(gg[:, 0], 1313.6)  # 2025 is decided
    sd = gg[:, 5].std()
    assert abs(gg[:, 5].mean() - plan_path["general_grants_msek"][0, 5]) < 4 * sd / math.sqrt(gg.shape[0])


def test_consolidation_ratio_opening_level(plan_path):
    # 31 % today (1 569 / 4 943); after a year at the plan's return it is still about a third
    assert plan_path["consolidation_ratio"][0, 0] == pytest.approx(1598 / (3074 + 1929), abs=1e-3)


# --- känslighetsanalys ----------------------------------------------------------------------------------
def test_sensitivity_by_hand_and_against_the_annual_report(base, plan_path):
    effects = sensitivity(base)
    tax = plan_path["tax_revenue_msek"][0, 0]
    assert effects["tax_base_plus_1pct"] == pytest.approx(0.01 * tax)
    assert effects["tax_rate_plus_1kr"] == pytest.approx(tax / 11.7)
    assert effects["general_grants_plus_1pct"] == pytest.approx(13.136)
    assert effects["drug_grant_plus_1pct"] == pytest.approx(5.306)
    assert effects["personnel_costs_plus_1pct"] == pytest.approx(-0.01 * 6776.4 * 3100 / 7267.6)
    assert effects["pension_costs_plus_1pct"] == pytest.approx(-0.01 * 6776.4 * 600 / 7267.6)
    # the annual report's table is on 2024's volumes; ours on the 2025 plan (docs/accounts.md explains
    # each gap): within 12 %, and the tax-rate gap is exactly the tax base's growth
    for name, value in effects.items():
        assert value == pytest.approx(ITEMS[name].annual_report_msek, rel=0.13), name
    assert effects["tax_rate_plus_1kr"] / 317.46 == pytest.approx(1.045150, rel=1e-3)
