"""The pension portfolio and the dynamiska riskprincipen: closed forms, invariants, a historical replay."""

import math

import numpy as np
import pytest

from simulator.run.options import RunOptions
from simulator.run.engine import run
from simulator.kernels.records import PARAMS, STATE
from simulator.kernels.portfolio import fixed_income_return, fixed_income_yield, open_portfolio, portfolio_flow, portfolio_month
from simulator.kernels.risk_rule import max_equity_share
from tests.conftest import ROOT, scenario_with


def rule(rebalance_every=1, immediate=0.0, strategic=0.8, cap=0.8, fee=0.0):
    """A parameter record with the rule of DOMAIN.md (80 %, 24 months, s = 0.222)."""
    p = np.zeros(1, PARAMS)[0]
    p["protection_frac"], p["window_months"], p["assumed_crash_frac"], p["equity_cap_frac"], p["strategic_equity_share_frac"] = 0.8, 24, 0.222, cap, strategic
    p["rebalance_every_months"], p["immediate_trigger_frac"], p["management_fee_pa"] = rebalance_every, immediate, fee
    return p


RULE = rule()


def opening_state(value, share, unrealised, high, age, p=RULE):
    """The portfolio at the opening: value, equity share, unrealised gains, the rolling high relative to
    the unit index and its age in months."""
    p["portfolio_opening_value_msek"], p["opening_equity_share_frac"], p["opening_unrealised_gains_msek"] = value, share, unrealised
    p["opening_high_index"], p["opening_high_age_months"] = high, age
    s = np.zeros(1, STATE)[0]
    open_portfolio(p, s)
    return s


def value(s):
    return s["pf_equity"] + s["pf_fixed"]


def _run(p, eq, s, fi=None, first_month=0):
    """Months of simple returns through portfolio_month; returns the equity share held after each
    month and the period's realised gains, de-risking months, breach months and largest breach."""
    fi = np.zeros(len(eq)) if fi is None else np.asarray(fi, dtype=float)
    share = np.array([portfolio_month(p, s, first_month + t, float(r), float(fi[t])) for t, r in enumerate(eq)])
    return share, s["yr_realised"], s["yr_derisk"], s["yr_breach_months"], s["yr_breach_size"]


def test_margin_of_2024_gives_85_percent_before_the_cap():
    # DOMAIN.md: margin 18.9 % -> computed maximum 85 %, policy cap 80 %
    assert round(max_equity_share(0.189, 0.222, 1.0), 2) == 0.85
    assert max_equity_share(0.189, 0.222, 0.80) == 0.80
    # DOMAIN.md says any s in 0.221-0.224 rounds to 85 %; exactly: 0.189 / s in [0.845, 0.855) for
    # s in (0.22105, 0.22367] (0.221 gives 85.5 % -> 86 %, 0.224 gives 84.4 %)
    for s in (0.2211, 0.222, 0.223, 0.2236):
        assert round(max_equity_share(0.189, s, 1.0), 2) == 0.85
    assert round(max_equity_share(0.189, 0.221, 1.0), 2) == 0.86
    assert max_equity_share(-0.05, 0.222, 0.8) == 0.0  # below the protection level: no equities


def test_zero_volatility_portfolio_is_the_closed_form():
    # constant monthly returns, monthly rebalancing to 80 %, rising index: V_T = V_0 (1 + w r_e + (1-w) r_f)^T
    state = opening_state(1000.0, 0.8, 0.0, 1.0, 0)
    share, *_ = _run(RULE, np.full(60, 0.006), state, fi=np.full(60, 0.002))
    assert value(state) == pytest.approx(1000.0 * (1 + 0.8 * 0.006 + 0.2 * 0.002) ** 60, rel=1e-13)
    np.testing.assert_allclose(share, 0.8)
    assert state["pf_unit"] == pytest.approx(value(state) / 1000.0, rel=1e-13)


def test_the_fee_is_taken_from_the_value_and_nothing_else_moves_it():
    # 12 % a year on flat markets: 1 % a month off the value and off the unit index alike
    p = rule(fee=0.12)
    state = opening_state(1000.0, 0.8, 0.0, 1.0, 0, p)
    _run(p, np.zeros(12), state)
    assert value(state) == pytest.approx(1000.0 * 0.99**12, rel=1e-13)
    assert state["pf_unit"] == pytest.approx(0.99**12, rel=1e-13)
    assert state["yr_fees"] == pytest.approx(1000.0 - value(state), rel=1e-12)


def test_the_high_leaves_the_window_after_24_months():
    state = opening_state(1.0, 0.8, 0.0, 1.0, 0)
    # month 0: +31.25 % on equities lifts the index to 1.25; month 1: a fall to exactly 1.0 = 0.8 x 1.25
    # (margin 0, no equities); then nothing moves
    eq = np.zeros(40)
    eq[0] = 0.3125
    eq[1] = (1.0 / 1.25 - 1.0) / 0.8
    share, _, derisk, breach, _ = _run(RULE, eq, state)
    assert share[0] == pytest.approx(0.8)
    np.testing.assert_allclose(share[1:24], 0.0, atol=1e-12)  # the 1.25 high still in the window
    # month 24: the high of month 0 has left; the high is now the flat 1.0: margin 20 % -> 90 % -> cap
    assert share[24] == pytest.approx(0.8)
    assert derisk == 23 and breach == 0
    # depth and duration: 23 months at no equities, one spell of 23 months
    assert state["yr_below_half"] == 23 and state["yr_below_depth"] == 23 and state["longest_spell"] == 23


def test_a_deposit_does_not_change_the_margin():
    eq = np.array([0.0, -0.05, -0.05])
    plain = opening_state(1000.0, 0.761, 0.0, 1.25, 1)
    funded = opening_state(1000.0, 0.761, 0.0, 1.25, 1)
    share_a, *_ = _run(RULE, eq, plain)
    portfolio_flow(funded, 500.0)  # a deposit before the months: buys units, moves no index
    assert funded["pf_unit"] == 1.0 and value(funded) == 1500.0
    share_b, *_ = _run(RULE, eq, funded)
    np.testing.assert_array_equal(share_a, share_b)  # same margin, same equity share
    assert value(funded) == pytest.approx(1.5 * value(plain))


def test_a_fall_larger_than_s_between_rebalancings_breaches_and_is_counted():
    # high 1.125 -> protection 0.9, margin 0.1 -> w_max = 0.1 / 0.222 = 0.45045
    state = opening_state(1.0, 0.8, 0.0, 1.125, 0)
    eq = np.array([0.0, -0.25])  # month 0 rebalances to 0.45045; month 1 equities fall 25 % > s
    share, _, derisk, breach, size = _run(RULE, eq, state)
    w = 0.1 / 0.222
    assert share[0] == pytest.approx(w)
    u = 1.0 - w * 0.25  # 0.887387
    assert state["pf_unit"] == pytest.approx(u)
    assert breach == 1 and size == pytest.approx(1.0 - u / 0.9)  # 1.40 % below the protection level
    # a fall of exactly s lands on the protection level: no breach
    state = opening_state(1.0, 0.8, 0.0, 1.125, 0)
    _, _, _, breach, _ = _run(RULE, np.array([0.0, -0.222]), state)
    assert breach == 0


def test_per_tertial_the_rule_acts_at_the_tertial_ends_and_falls_further_between():
    # the same crash as above, acted on per tertial (months 4, 8, 12): the 80 % held through
    # month 1 falls 25 % x 0.8 = 20 %, through the protection level, before the rule can act
    tertial = rule(rebalance_every=4)
    state = opening_state(1.0, 0.8, 0.0, 1.125, 0, tertial)
    share, _, _, breach, size = _run(tertial, np.array([0.0, -0.25, 0.0, 0.0]), state)
    held = 0.8 * 0.75 / (0.8 * 0.75 + 0.2)  # the equities' fall lowers the share held: 75 %
    assert share[1] == pytest.approx(held) and share[2] == pytest.approx(held)
    u = 1.0 - 0.8 * 0.25
    assert breach == 3 and size == pytest.approx(1.0 - u / 0.9)  # 11.1 % below, three months
    assert share[3] == 0.0  # month 4 acts: the margin is negative, no equities
    # with an immediate trigger of 10 pp the rule acts in month 1 already (w_max 0 against 75 % held)
    urgent = rule(rebalance_every=4, immediate=0.10)
    state = opening_state(1.0, 0.8, 0.0, 1.125, 0, urgent)
    share, *_ = _run(urgent, np.array([0.0, -0.25, 0.0, 0.0]), state)
    assert share[1] == 0.0


def test_realised_gain_of_a_rebalancing_sale():
    # 100 in equities with basis 60 rises 10 %: 110 vs target 80 % of 110 + 20 = 130 -> sell 6;
    # realised = 6 x (110 - 60) / 110
    state = opening_state(125.0, 0.8, 50.0, 1.0, 0)  # equities 100 basis 60, fixed 25 basis 15
    _, realised, *_ = _run(RULE, np.array([0.1]), state)
    sold = 110 - 0.8 * 135
    assert realised == pytest.approx(sold * (110 - 60) / 110)
    assert state["pf_basis_eq"] == pytest.approx(60 * (1 - sold / 110))


def test_fixed_income_return_is_carry_minus_duration_times_yield_change():
    # yields at the 2-year point: 0.02 + 0.01 x 0.2 = 0.022, then 0.032
    y0 = fixed_income_yield(0.02, 0.01, -math.inf, 2.0)
    y1 = fixed_income_yield(0.03, 0.01, -math.inf, 2.0)
    assert (y0, y1) == (pytest.approx(0.022), pytest.approx(0.032))
    assert fixed_income_return(y0, y0, 2.0) == pytest.approx(math.expm1(0.022 / 12))  # carry only
    by_hand = math.exp(0.022 / 12 - 2.0 * (math.log(1.032) - math.log(1.022))) - 1  # -1.76 %
    assert fixed_income_return(y0, y1, 2.0) == pytest.approx(by_hand, rel=1e-12)
    assert fixed_income_return(y0, y1, 2.0) == pytest.approx(0.022 / 12 - 2.0 * 0.010, abs=1e-3)
    assert fixed_income_yield(-0.02, 0.0, 0.0, 2.0) == 0.0  # floored like the market rates
    assert -1.0 < fixed_income_return(0.0, 2.0, 10.0) < -0.99  # cannot lose more than everything


# --- the historical replay ------------------------------------------------------------------------------
def _omxs30(first, last):
    """OMXS30 annual price returns from the data the project ships (calibration/data), or from
    ../shared/data beside the checkout."""
    name = "omxs30_price_return_pct_1987_2016.csv"
    found = [p for p in (ROOT / "calibration" / "data" / name, ROOT.parent / "shared" / "data" / name) if p.exists()]
    assert found, f"{name} is neither in calibration/data nor in ../shared/data"
    rows = {}
    for line in found[0].read_text().splitlines():
        if line[:1].isdigit():
            year, value = line.split(",")[:2]
            rows[int(year)] = float(value) / 100
    return {y: rows[y] for y in range(first, last + 1)}


def test_replay_of_omxs30_2000_2010_derisks_in_the_falls_and_rerisks_as_highs_leave():
    returns = _omxs30(2000, 2010)
    # each year's return spread evenly over its months (geometrically)
    eq = np.concatenate([np.full(12, (1 + r) ** (1 / 12) - 1) for r in returns.values()])
    state = opening_state(1.0, 0.8, 0.0, 1.0, 0)  # start at the high of Dec 1999
    share, *_ = _run(RULE, eq, state)
    w = share
    month = {(2000 + t // 12, t % 12 + 1): t for t in range(eq.size)}

    # By hand: at w = 80 % the rule binds when the margin < 0.8 x 0.222 = 0.1776, i.e. the index is
    # more than 1 - 0.8/0.8224 = 2.72 % below its high. 2000 falls 11.92 %: monthly -1.052 %, the
    # index -0.842 % a month: March -2.50 % (no), April -3.32 % (yes).
    assert w[month[2000, 3]] == pytest.approx(0.8) and w[month[2000, 4]] < 0.8
    # de-risked through the 2001-2002 fall
    assert np.all(w[month[2000, 4]:month[2003, 9] + 1] < 0.8)
    assert w[month[2002, 11]] < 0.2
    # the Dec 1999 high leaves the window 24 months later: Dec 2001 is the first month it is gone,
    # so the margin rises although the index still falls
    assert w[month[2001, 12]] > w[month[2001, 11]]
    # 2003's recovery and the older highs leaving bring the rule back to 80 % in October 2003
    assert w[month[2003, 9]] < 0.8 and w[month[2003, 10]] == pytest.approx(0.8)
    # the 2007 high (Dec 2006) is 2.72 % away in August 2007 (2007: -5.74 %)
    assert w[month[2007, 7]] == pytest.approx(0.8) and w[month[2007, 8]] < 0.8
    assert np.all(w[month[2007, 8]:month[2009, 11] + 1] < 0.8)
    assert w[month[2008, 11]] < 0.1  # deepest in the 2008 crash
    # the Dec 2006 high leaves in Dec 2008; re-risked in Dec 2009 when the 2007 highs have left too
    assert w[month[2008, 12]] > w[month[2008, 11]]
    assert w[month[2009, 11]] < 0.8 and w[month[2009, 12]] == pytest.approx(0.8)
    # an independent reference: a brute-force maximum over the window, month by month
    u, history, ref = 1.0, [(-1, 1.0)], []
    weight = 0.8
    for t, r in enumerate(eq):
        u *= 1 + weight * r
        history.append((t, u))
        high = max(v for i, v in history if i > t - 24)
        weight = min(0.8, max(0.0, min(0.8, (u - 0.8 * high) / u / 0.222)))
        ref.append(weight)
    np.testing.assert_allclose(w, ref, rtol=0, atol=1e-12)


# --- along the simulated paths -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def base_paths():
    return run(scenario_with(), RunOptions(paths=2000, seed=5))


def test_equity_share_stays_within_zero_and_the_cap(base_paths):
    share = base_paths.monthly["equity_share"]
    assert share.shape == (2000, 192)
    assert share.min() >= 0.0 and share.max() <= 0.8 + 1e-12
    assert share.min() < 0.5  # crashes do force de-risking on some paths


def test_derisking_and_breach_outputs_are_consistent(base_paths):
    a = base_paths.annual
    share = base_paths.monthly["equity_share"].reshape(2000, 16, 12)
    # per tertial: a year without de-risking months holds the strategic share at each tertial end
    calm = a["derisking_months"] == 0
    assert np.allclose(share[calm][:, [3, 7, 11]], 0.761)
    assert np.array_equal(a["derisking"] > 0, a["derisking_months"] > 0)
    assert np.all((a["protection_breach_size"] > 0) == (a["protection_breach"] > 0))
    assert np.all((a["protection_breach_months"] > 0) == (a["protection_breach"] > 0))
    # depth: months below 50 % and 10 pp below the strategic share, counted from the shares held
    np.testing.assert_array_equal(a["months_below_half_equity"], (share < 0.5).sum(axis=2))
    np.testing.assert_array_equal(a["months_far_below_strategic"], (share <= 0.761 - 0.10).sum(axis=2))
    # duration: the longest spell never shrinks and is at least the longest year's de-risking run
    spell = a["derisking_longest_spell_months"]
    assert np.all(np.diff(spell, axis=1) >= 0) and np.all(spell[:, -1] <= a["derisking_months"].sum(axis=1))


def test_pension_balance_identities(base_paths):
    a = base_paths.annual
    # the portfolio moves by its return plus deposits minus withdrawals
    value = np.concatenate([np.full((2000, 1), 1569.0), a["pension_assets_msek"]], axis=1)
    np.testing.assert_allclose(np.diff(value, axis=1),
                               a["portfolio_return_msek"] + a["pension_deposits_msek"] - a["pension_withdrawals_msek"],
                               atol=1e-8)
    np.testing.assert_allclose(a["consolidation_ratio"], a["pension_assets_msek"] / a["pension_obligation_msek"])
    assert np.all(a["pension_deposits_msek"] >= 0)


def test_more_inflation_means_a_larger_obligation(base_paths):
    a = base_paths.annual
    # the ansvarsförbindelse is the projection indexed by the path's prisbasbelopp over the zero-shock
    # one; the provision 70 % by the prisbasbelopp and 30 % by the inkomstbasbelopp (base.toml)
    ratio = a["pension_liability_msek"][:, 10] / a["prisbasbelopp_sek"][:, 10]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)
    det = run(scenario_with(), RunOptions(paths=1, seed=1, deterministic=True)).annual
    index = (0.7 * a["prisbasbelopp_sek"][:, 10] / det["prisbasbelopp_sek"][0, 10]
             + 0.3 * a["inkomstbasbelopp_index"][:, 10] / det["inkomstbasbelopp_index"][0, 10])
    np.testing.assert_allclose(a["pension_provision_msek"][:, 10] / index, det["pension_provision_msek"][0, 10],
                               rtol=1e-12)
    hot = a["kpi_index"][:, 10] > np.percentile(a["kpi_index"][:, 10], 90)
    cold = a["kpi_index"][:, 10] < np.percentile(a["kpi_index"][:, 10], 10)
    assert a["pension_obligation_msek"][hot, 10].mean() > a["pension_obligation_msek"][cold, 10].mean()


def test_deterministic_obligation_follows_the_projection():
    det = run(scenario_with(), RunOptions(paths=1, seed=1, deterministic=True)).annual
    # AR line 2643: provision and ansvarsförbindelse 2025-2029
    np.testing.assert_allclose(det["pension_provision_msek"][0, :5], [3074, 3089, 3155, 3272, 3356])
    np.testing.assert_allclose(det["pension_liability_msek"][0, :5], [1929, 1801, 1702, 1614, 1518])
    # extended at the projection's own average log growth 2025-2029
    g = math.log(3356 / 3074) / 4
    assert det["pension_provision_msek"][0, 15] == pytest.approx(3356 * math.exp(11 * g))


def test_deposit_policies(base_paths):
    none = run(scenario_with(pension__deposits__policy="none"), RunOptions(paths=300, seed=5)).annual
    assert np.all(none["pension_deposits_msek"] == 0)
    fixed = run(scenario_with(pension__deposits__policy="fixed", pension__deposits__fixed_msek=50.0),
                RunOptions(paths=300, seed=5)).annual
    d = fixed["pension_deposits_msek"]
    # 50 a year when the liquidity allows: never from borrowed money, never below the minimum cash,
    # never while the debt is above the capacity, never while the reaction rule pauses them
    blocked = ((fixed["new_borrowing_msek"] > 0) | (fixed["overdraft_msek"] > 0)
               | (fixed["loans_msek"] > fixed["loan_capacity_msek"] + 1e-9) | (fixed["reaction_deposits_paused"] > 0))
    liquidity = np.where(blocked, 0.0, np.maximum(fixed["cash_msek"] + d - 150, 0))
    # and never beyond the cap: 100 % of provision + ansvarsförbindelse (the fund before the deposit)
    before = fixed["pension_assets_msek"] - d + fixed["pension_withdrawals_msek"]
    room = np.maximum(fixed["pension_obligation_msek"] - before, 0.0)
    np.testing.assert_allclose(fixed["pension_deposit_cap_msek"], fixed["pension_obligation_msek"])
    np.testing.assert_allclose(d, np.minimum(np.minimum(50, liquidity), room), atol=1e-9)
    assert (d == 50).any()
    a = base_paths.annual
    surplus = np.maximum(a["result_msek"] - 0.02 * a["tax_and_grants_msek"], 0)
    assert np.all(a["pension_deposits_msek"] <= 0.5 * surplus + 1e-9)


def test_risk_summary_counts_derisking_and_breaches(base_paths):
    from simulator.run.pipeline import summarise_output
    from simulator.run.summary import risk_summary
    risks = risk_summary(summarise_output(scenario_with(), base_paths, chunk_size=333))
    a = base_paths.annual
    np.testing.assert_allclose(risks["derisking"]["probability_by_year"], (a["derisking_months"] > 0).mean(axis=0))
    assert risks["derisking"]["probability_any_year"] == pytest.approx((a["derisking_months"] > 0).any(axis=1).mean())
    total = a["derisking_months"].sum(axis=1)
    assert risks["derisking"]["total_months_percentiles"]["p50"] == np.median(total)  # exact, streamed
    breached = a["protection_breach"] > 0
    assert risks["protection_breach"]["probability_any_year"] == pytest.approx(breached.any(axis=1).mean())
    if breached.any():
        sizes = risks["protection_breach"]["size_percentiles_when_breached"]
        assert 0 < sizes["p5"] <= sizes["p95"] <= 1


# --- deposits stop at full funding ---------------------------------------------------------------------------
def _fund_before_deposit(a):
    return a["pension_assets_msek"] - a["pension_deposits_msek"] + a["pension_withdrawals_msek"]


@pytest.mark.parametrize("measure, denominator", [("total", "pension_obligation_msek"),
                                                  ("booked", "pension_provision_msek")])
def test_a_deposit_never_takes_the_fund_above_the_cap(measure, denominator):
    """Generous deposits (all of the surplus, from 2025) on paths that reach full funding: every deposit
    stops at the cap, on either measure, and the fund is never above it right after one."""
    a = run(scenario_with(pension__deposits__surplus_share_frac=1.0, pension__deposits__surplus_threshold_frac=0.0,
                          pension__deposits__cap_measure=measure, pension__deposits__cap_frac=0.9),
            RunOptions(paths=600, seed=8)).annual
    cap = 0.9 * a[denominator]
    np.testing.assert_allclose(a["pension_deposit_cap_msek"], cap, rtol=1e-12)
    d = a["pension_deposits_msek"]
    after = _fund_before_deposit(a) + d
    assert (d > 0).sum() > 100 and (after > cap - 1e-6).any()  # deposits happen, and some stop at the cap
    assert np.all(after[d > 0] <= cap[d > 0] + 1e-6)
    assert np.all(d[_fund_before_deposit(a) >= cap] == 0.0)


def test_withdrawals_pay_pensions_from_what_the_fund_holds_above_the_cap():
    """With withdraw_above_cap the fund above the cap pays the year's pension costs, at most them, and
    nothing when it is below; without it nothing is withdrawn."""
    fields = dict(pension__deposits__surplus_share_frac=1.0, pension__deposits__surplus_threshold_frac=0.0,
                  pension__deposits__cap_frac=0.6)
    on = run(scenario_with(**fields, pension__deposits__withdraw_above_cap=True), RunOptions(paths=400, seed=3)).annual
    off = run(scenario_with(**fields), RunOptions(paths=400, seed=3)).annual
    np.testing.assert_array_equal(off["pension_withdrawals_msek"], 0.0)
    before = _fund_before_deposit(on)
    excess = np.maximum(before - on["pension_deposit_cap_msek"], 0.0)
    np.testing.assert_allclose(on["pension_withdrawals_msek"], np.minimum(excess, on["pension_costs_msek"]), atol=1e-9)
    assert (on["pension_withdrawals_msek"] > 0).any()
    # the fund exists to pay pensions: on paths above the cap it ends lower than without withdrawals
    assert on["pension_assets_msek"][:, -1].mean() < off["pension_assets_msek"][:, -1].mean()
