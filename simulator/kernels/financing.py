"""Stages 7 and 8 of a year: financial items (finansiella intäkter och kostnader), the result (årets
resultat), the cash flow and borrowing (upplåning) within the loan limit (låneram) and the debt ceiling
(skuldsättningstak), then the overdraft (checkräkningskredit).
"""

from __future__ import annotations

from simulator.kernels.economy import D_PBB, D_SHORT
from simulator.kernels.jit import jit
from simulator.kernels.pension_obligation import pension_interest


@jit
def refixed_loan_rate(previous, short_rate, spread, refix_share):
    """Average loan rate: the share of loans whose rate is reset this year moves to short rate +
    spread; the rest keeps its rate (refix_share = 1 / average rate fixing in years, at most 1)."""
    return (1.0 - refix_share) * previous + refix_share * (short_rate + spread)


@jit
def borrowing(cash_before, loans, planned, min_cash, capacity, repay_above, allow_repay):
    """Borrowing rule (upplåning): borrow what the plan says, and more when cash would fall below
    ``min_cash``, within ``capacity`` (the lower of the loan limit and the debt ceiling's room for
    loans); repay loans with cash above ``repay_above`` (after the plan). Returns (borrowed, repaid,
    unmet): unmet is the part of the wanted borrowing the limits refused (cash then falls below
    min_cash, into the overdraft and, beyond it, into a breach)."""
    wanted = planned + max(min_cash - (cash_before + planned), 0.0)
    borrowed = min(wanted, max(capacity - loans, 0.0))
    repaid = 0.0
    if allow_repay:
        repaid = min(max(cash_before + borrowed - repay_above, 0.0), loans + borrowed)
    return borrowed, repaid, wanted - borrowed


@jit
def stage_financial(p, s, d, k, plan_year, has_baseline, b, o):
    """7. Financial items. Model values: cash interest, the pension interest (räntedel), interest on
    the year's opening loans and overdraft at the refixed rate. Plan years book the plan's financial
    income and costs, which leave out the portfolio's value change (AR 2011-2013), shifted by the
    path's surprise in each model value, plus the portfolio's full market change; after the plan the
    model values apply in full."""
    short = d[D_SHORT]
    cash_interest = max(s["cash"], 0.0) * (short + p["cash_rate_spread_pa"])
    pension_int = pension_interest(s["provision_prev"], p["rips_real_rate_pa"], d[D_PBB], s["pbb_prev"])
    s["loan_rate"] = refixed_loan_rate(s["loan_rate"], short, p["loan_spread_pa"], p["refix_share_frac"])
    opening_interest = (s["loans"] * s["loan_rate"]
                        + s["overdraft"] * (s["loan_rate"] + p["overdraft_spread_pa"]))
    portfolio = o["portfolio_return_msek"]
    if plan_year:
        income_other = p["plan_financial_income_msek"][k]
        costs = p["plan_financial_costs_msek"][k]
        if has_baseline:
            income_other += cash_interest - b["cash_interest_msek"]
            costs += (pension_int - b["pension_interest_msek"]
                      + opening_interest - b["opening_loan_interest_msek"])
    else:
        income_other = cash_interest
        costs = pension_int + opening_interest + p["other_financial_costs_msek"]
    o["cash_interest_msek"] = cash_interest
    o["pension_interest_msek"] = pension_int
    o["opening_loan_interest_msek"] = opening_interest
    o["loan_rate"] = s["loan_rate"]
    o["financial_income_msek"] = income_other + portfolio
    o["financial_costs_msek"] = costs  # before the interest on this year's new loans (stage 8)


@jit
def stage_financing(p, s, k, plan_year, has_baseline, b, o):
    """8. The result, the cash flow and borrowing. Cash before borrowing = cash + result + the non-cash
    items (depreciation, the provision's change) - the portfolio's market change (it stays in the
    portfolio) - investments. Borrowing keeps min_cash within the capacity (the lower of the loan
    limit and the debt ceiling's room); below that cash falls into the overdraft facility and, beyond
    it, the need is still met by borrowing above the limits: a breach that triggers the reaction. New
    loans and repayments pay half a year's interest."""
    revenue = (o["tax_and_grants_msek"] + o["fees_and_sales_msek"] + o["targeted_grants_msek"]
               + p["realised_gains_msek"][k])
    result_before = (revenue - o["operating_costs_msek"] - o["depreciation_msek"]
                     + o["financial_income_msek"] - o["financial_costs_msek"])
    provision = o["pension_provision_msek"]
    cash_before = (s["cash"] - s["overdraft"] + result_before + o["depreciation_msek"]
                   + (provision - s["provision_prev"]) - o["portfolio_return_msek"] - o["investments_msek"])
    tax_and_grants = o["tax_and_grants_msek"]
    capacity = max(min(p["loan_limit_msek"], p["debt_ceiling_frac"] * tax_and_grants - p["opening_leasing_debt_msek"]), 0.0)
    planned = p["plan_new_borrowing_msek"][k] if plan_year else 0.0
    borrowed, repaid, unmet = borrowing(cash_before, s["loans"], planned, p["min_cash_msek"], capacity,
                                        p["repay_above_cash_msek"], not plan_year)
    new_interest = 0.5 * (borrowed - repaid) * s["loan_rate"]
    if plan_year and has_baseline:  # the zero-shock path's own new-loan interest is in the plan
        new_interest_booked = new_interest - b["new_loan_interest_msek"]
    elif plan_year:
        new_interest_booked = 0.0
    else:
        new_interest_booked = new_interest
    result = result_before - new_interest_booked
    cash_after = cash_before + borrowed - repaid - new_interest_booked
    # a negative cash position draws the overdraft facility; beyond it the need is borrowed anyway
    overdraft = min(max(-cash_after, 0.0), p["overdraft_msek"])
    emergency = max(-cash_after - p["overdraft_msek"], 0.0)
    s["cash"] = max(cash_after, 0.0)
    s["overdraft"] = overdraft
    s["loans"] = s["loans"] + borrowed - repaid + emergency
    net = borrowed - repaid + emergency
    s["equity"] = s["equity"] + result
    debt = s["loans"] + p["opening_leasing_debt_msek"] + s["overdraft"]
    o["financial_costs_msek"] = o["financial_costs_msek"] + new_interest_booked
    o["new_loan_interest_msek"] = new_interest
    o["loan_interest_msek"] = o["opening_loan_interest_msek"] + new_interest
    o["result_msek"] = result
    o["result_share_of_tax_and_grants"] = result / tax_and_grants
    o["result_excl_portfolio_change_msek"] = result - o["portfolio_return_msek"]
    o["new_borrowing_msek"] = net
    o["loans_msek"] = s["loans"]
    o["overdraft_msek"] = s["overdraft"]
    o["loan_capacity_msek"] = capacity
    o["debt_ratio"] = debt / tax_and_grants
    o["borrowing_shortfall_msek"] = max(s["loans"] - capacity, 0.0)
    o["loan_limit_breach"] = 1.0 if s["loans"] > p["loan_limit_msek"] + 1e-9 else 0.0
    o["debt_ceiling_breach"] = 1.0 if debt > p["debt_ceiling_frac"] * tax_and_grants + 1e-9 else 0.0
    o["unmet_borrowing_msek"] = unmet
