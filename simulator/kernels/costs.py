"""Stages 1 and 4 of a year: prices and costs (verksamhetens kostnader).

Each cost type's price index compounds wage, KPI and prisbasbelopp growth with its real trend; the
budget by type follows the plan in plan years (with the plan slippage from the second plan year) and
grows by price and volume after it; a savings programme cuts it permanently; the reaction's savings in
force are a share of it; the budget deviation (budgetavvikelse) is a persistent AR(1) level, a share of
taxes and grants.
"""

from __future__ import annotations

import math

from simulator.kernels.economy import D_INFLATION, D_PBB, D_WAGE_GROWTH
from simulator.kernels.jit import jit
from simulator.kernels.records import I_DRUGS, I_OTHER, I_PENSIONS, I_PERSONNEL, I_PURCHASED, N_COST


@jit
def stage_prices(p, s, d, o):
    """1. Price growth of each cost type: wage_w x wage growth + kpi_w x KPI inflation + pbb_w x
    prisbasbelopp growth + real trend; the index compounds it (2024 = 1)."""
    pbb_growth = d[D_PBB] / s["pbb_prev"] - 1.0
    for c in range(N_COST):
        growth = (p["cost_wage_weight"][c] * d[D_WAGE_GROWTH] + p["cost_kpi_weight"][c] * d[D_INFLATION]
                  + p["cost_pbb_weight"][c] * pbb_growth + p["cost_real_trend_pa"][c])
        s["index_prev"][c] = s["index"][c]
        s["index"][c] = s["index"][c] * (1.0 + growth)
    o["price_index_personnel"] = s["index"][I_PERSONNEL]
    o["price_index_pensions"] = s["index"][I_PENSIONS]
    o["price_index_purchased_care"] = s["index"][I_PURCHASED]
    o["price_index_drugs"] = s["index"][I_DRUGS]
    o["price_index_other"] = s["index"][I_OTHER]


@jit
def baseline_price_index(b, c):
    """The zero-shock path's price index of cost type c (the record's fields by name)."""
    if c == I_PERSONNEL:
        return b["price_index_personnel"]
    if c == I_PENSIONS:
        return b["price_index_pensions"]
    if c == I_PURCHASED:
        return b["price_index_purchased_care"]
    if c == I_DRUGS:
        return b["price_index_drugs"]
    return b["price_index_other"]


@jit
def plan_budget(p, s, k, has_baseline, b, slip, c):
    """Plan year k's budget of cost type c before savings programmes, and the part of it that is plan
    slippage (planglidning). The plan's total in the 2024 shares, scaled by the type's index over the
    zero-shock index (the path's price surprise). On a path measured against the zero-shock plan,
    ``slip`` of the cost growth the plan does not fund is not saved: the plan's first-year costs grown by
    the zero-shock price index since then (both noted in the path's state, so a run opened at a later
    year-end of the plan goes on from them), less the plan's costs; nothing in the first year."""
    planned = p["plan_operating_costs_msek"][k] * p["cost_share_frac"][c]
    if not has_baseline:
        return planned, 0.0
    ratio = s["index"][c] / baseline_price_index(b, c)
    slipped = 0.0
    if slip > 0.0:
        grown = (s["plan_first_costs_msek"] * p["cost_share_frac"][c]
                 * baseline_price_index(b, c) / s["plan_first_index"][c])
        slipped = slip * max(grown - planned, 0.0)
    return (planned + slipped) * ratio, slipped * ratio


@jit
def stage_costs(p, s, k, plan_year, has_baseline, b, z_dev, stochastic, dev_mean, dev_sd, slip, o):
    """4. Costs. The budget by type: in plan years the plan's (plan_budget: scaled by the path's price
    surprise, with the plan slippage from the second plan year); after the plan last year's budget grown
    by the type's price and volume. A savings programme (lever) cuts the budget permanently. The
    reaction's savings in effect (decided earlier) are a share of this year's budget. The budget
    deviation (budgetavvikelse), a share of taxes and grants, is a persistent level: an AR(1) with
    persistence phi whose stationary mean and sd are the record's (dev_mean, dev_sd).
    The pension costs carry the provision's income indexation (stage 3)."""
    if plan_year and s["plan_first_costs_msek"] == 0.0:  # the plan's first year: its costs and price level
        s["plan_first_costs_msek"] = p["plan_operating_costs_msek"][k]
        for c in range(N_COST):
            s["plan_first_index"][c] = baseline_price_index(b, c) if has_baseline else s["index"][c]
    total = 0.0
    slipped = 0.0
    for c in range(N_COST):
        if plan_year:
            budget, slip_c = plan_budget(p, s, k, has_baseline, b, slip, c)
            s["budget"][c] = budget * s["plan_savings_factor"]
            slipped += slip_c * s["plan_savings_factor"] * p["cost_factor"][c]
        else:
            s["budget"][c] = (s["budget"][c] * (s["index"][c] / s["index_prev"][c])
                              * (1.0 + p["cost_volume_growth_pa"][c]))
        total += s["budget"][c]
    cut = p["savings_programme_msek"][k] + p["savings_programme_pct"][k] / 100.0 * total
    keep = 1.0 - cut / total
    s["plan_savings_factor"] = s["plan_savings_factor"] * keep
    booked = 0.0
    for c in range(N_COST):
        s["budget"][c] = s["budget"][c] * keep
        booked += s["budget"][c] * p["cost_factor"][c]
    total = total * keep
    if stochastic:  # an AR(1) level whose stationary mean and sd are the record's (dev_mean, dev_sd)
        phi = p["budget_deviation_persistence"]
        s["dev_level"] = phi * s["dev_level"] + dev_mean * (1.0 - phi) + dev_sd * math.sqrt(1.0 - phi * phi) * z_dev
    deviation = s["dev_level"] * o["tax_and_grants_msek"] if stochastic else 0.0
    reaction_savings = s["react_savings_frac"] * total
    o["personnel_costs_msek"] = s["budget"][I_PERSONNEL] * p["cost_factor"][I_PERSONNEL]
    o["pension_costs_msek"] = (s["budget"][I_PENSIONS] * p["cost_factor"][I_PENSIONS]
                               + o["pension_income_indexation_msek"])
    o["purchased_care_costs_msek"] = s["budget"][I_PURCHASED] * p["cost_factor"][I_PURCHASED]
    o["drug_costs_msek"] = s["budget"][I_DRUGS] * p["cost_factor"][I_DRUGS]
    o["other_costs_msek"] = s["budget"][I_OTHER] * p["cost_factor"][I_OTHER]
    o["budgeted_costs_msek"] = total
    o["plan_slippage_msek"] = slipped * keep
    o["savings_programme_msek"] = cut
    o["reaction_savings_msek"] = reaction_savings
    o["reaction_savings_frac"] = s["react_savings_frac"]
    o["budget_deviation_msek"] = deviation
    o["budget_deviation_frac"] = s["dev_level"] if stochastic else 0.0
    o["operating_costs_msek"] = booked + o["pension_income_indexation_msek"] - reaction_savings - deviation
