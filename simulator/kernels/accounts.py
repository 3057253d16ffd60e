"""The region's annual accounts (räkenskaper) for one path and one year, as named stages.

``account_year`` runs the stages of a year in this order, each a small jitted function over three
records: ``p`` the variant's parameters (dtype PARAMS), ``s`` the path's state carried across years
(dtype STATE) and ``o`` the year's outputs (dtype simulator.variables.OUTPUT); ``d`` is the year's
row of economic drivers and ``b`` the zero-shock baseline's outputs for the year:

1. prices        price index of each cost type (wages, KPI, prisbasbelopp, real trend)
2. revenues      tax revenue, general grants (income equalisation and the political rest), drug
                 grant, fees and targeted grants
3. pension       the obligation (provision and ansvarsförbindelse), indexed by the path's basbelopp
4. costs         budget by cost type, savings programmes, the reaction's savings, the budget deviation
5. investments   investments and depreciation by vintage
6. portfolio     the year's market change of the pension portfolio (the months ran before)
7. financial     financial income and costs
8. financing     the result, the cash flow and borrowing within the loan limit and the debt ceiling
9. deposits      deposits to and withdrawals from the pension portfolio at year end
10. balance req. balanskravsresultat, synnerliga skäl, deficit vintages, the resultatreserv
11. reaction     the reaction rule's decisions at year end, in effect from the next year
12. position     the balance sheet and the key ratios

Plan years (the adopted plan's years) are the plan's figures plus the path's surprise against the
zero-shock path ``b``: revenues and costs scaled by the path's index over the zero-shock index,
financial items shifted by the path's model value minus the zero-shock one, the pension portfolio at
its full market change. The zero-shock run itself has no baseline (``has_baseline`` False): every
ratio is 1 and every surprise 0, so it reproduces the plan. docs/accounts.md gives every rule.
"""

import math

import numpy as np

from simulator.kernels.economy import (
    D_EQ_GL,
    D_EQ_MIX,
    D_EQ_SE,
    D_IBB,
    D_INFLATION,
    D_KPI,
    D_LONG,
    D_PBB,
    D_SHORT,
    D_TAX_GROWTH,
    D_TAX_INDEX,
    D_WAGE_GROWTH,
    D_WAGE_INDEX,
)
from simulator.kernels.jit import jit
from simulator.kernels.pension import portfolio_fields, portfolio_flow, portfolio_params, realise_turnover

COST_TYPES = ("personnel", "pensions", "purchased_care", "drugs", "other")
I_PERSONNEL, I_PENSIONS, I_PURCHASED, I_DRUGS, I_OTHER = range(len(COST_TYPES))
N_COST = len(COST_TYPES)
MAX_YEARS = 46  # simulator.scenario.base: LAST_YEAR_ALLOWED - OPENING_YEAR
MAX_OPENING_DEFICITS = 8
MAX_VINTAGES = MAX_OPENING_DEFICITS + MAX_YEARS
DEPOSIT_NONE, DEPOSIT_FIXED, DEPOSIT_SHARE = 0, 1, 2
ORDER_OLDEST, ORDER_DEADLINE = 0, 1

#: a variant's parameters (built by simulator.model.accounts.accounts_params); per-year arrays run over
#: the simulated years from index 0 (= the first year) and are zero beyond them
PARAMS = np.dtype([
    ("n_years", "i8"), ("n_plan", "i8"), ("first_year", "i8"),
    # revenues
    ("tax_rate_kr", "f8", (MAX_YEARS,)), ("plan_fees", "f8", (MAX_YEARS,)),
    ("plan_targeted", "f8", (MAX_YEARS,)), ("plan_general_grants", "f8", (MAX_YEARS,)),
    ("plan_drug_grant", "f8", (MAX_YEARS,)), ("grants_growth", "f8"), ("grants_volatility", "f8"),
    ("equalisation_share", "f8"), ("tax_base", "f8"),
    # costs
    ("plan_costs", "f8", (MAX_YEARS,)), ("cost_share", "f8", (N_COST,)), ("wage_w", "f8", (N_COST,)),
    ("kpi_w", "f8", (N_COST,)), ("pbb_w", "f8", (N_COST,)), ("real_trend", "f8", (N_COST,)),
    ("volume_growth", "f8", (N_COST,)), ("savings_msek", "f8", (MAX_YEARS,)),
    ("savings_pct", "f8", (MAX_YEARS,)), ("dev_initial", "f8"), ("dev_mean", "f8"), ("dev_sd", "f8"),
    ("dev_persistence", "f8"),
    # investments and depreciation
    ("plan_investments", "f8", (MAX_YEARS,)), ("plan_depreciation", "f8", (MAX_YEARS,)),
    ("investments_after_plan", "f8"), ("dep_open_rate", "f8"), ("dep_life", "i8"),
    # financial items and financing
    ("plan_fin_income", "f8", (MAX_YEARS,)), ("plan_fin_costs", "f8", (MAX_YEARS,)),
    ("plan_borrowing", "f8", (MAX_YEARS,)), ("loan_limit", "f8"), ("debt_ceiling", "f8"),
    ("overdraft_limit", "f8"), ("overdraft_spread", "f8"), ("min_cash", "f8"), ("repay_above_cash", "f8"),
    ("loan_spread", "f8"), ("refix_share", "f8"), ("cash_rate_spread", "f8"), ("other_fin_costs", "f8"),
    ("rate_floor", "f8"),
    # opening balance sheet
    ("fixed_assets", "f8"), ("financial_fixed_assets", "f8"), ("other_current_assets", "f8"),
    ("other_short_term_investments", "f8"), ("cash", "f8"), ("equity", "f8"), ("short_term_debt", "f8"),
    ("loans", "f8"), ("leasing_debt", "f8"), ("loan_rate", "f8"),
    # balanskrav and resultatreserv
    ("n_open", "i8"), ("open_amount", "f8", (MAX_OPENING_DEFICITS,)),
    ("open_deadline", "i8", (MAX_OPENING_DEFICITS,)), ("restore_within", "i8"),
    ("deadline_by_year", "i8", (MAX_YEARS,)), ("restore_order", "i8"),
    ("synnerliga_skal", "f8", (MAX_YEARS,)), ("realised_gains", "f8", (MAX_YEARS,)),
    ("reserve_enabled", "b1"), ("reserve_threshold", "f8"), ("reserve_threshold_positive", "f8"),
    ("reserve_cap", "f8"), ("reserve_use", "b1"), ("reserve_downturn_growth", "f8"),
    # pension obligation
    ("provision_path", "f8", (MAX_YEARS,)), ("liability_path", "f8", (MAX_YEARS,)),
    ("provision_opening", "f8"), ("liability_opening", "f8"), ("rips_real_rate", "f8"),
    ("income_indexed_share", "f8"), ("pbb_opening", "f8"),
    # the portfolio and the dynamiska riskprincipen
    *portfolio_params(),
    # deposits
    ("deposit_policy", "i8"), ("deposit_from_year", "i8"), ("deposit_fixed", "f8"), ("deposit_share", "f8"),
    ("deposit_threshold", "f8"),
    ("withdraw_share", "f8"),
    # the reaction rule (åtgärdsplan)
    ("react_enabled", "b1"), ("react_strength", "f8"), ("react_target", "f8"), ("react_aim", "f8"), ("react_on_deficit", "b1"),
    ("react_on_result", "b1"), ("react_on_debt", "b1"), ("react_debt_years", "f8"),
    ("react_tax_first", "b1"), ("react_use_savings", "b1"), ("react_use_tax", "b1"),
    ("react_pause_deposits", "b1"), ("react_savings_year", "f8"), ("react_savings_total", "f8"),
    ("react_tax_year", "f8"), ("react_tax_total", "f8"), ("react_tax_step", "f8"),
    ("react_ss_enabled", "b1"), ("react_ss_pbb_above", "f8"), ("react_ss_normal", "f8"),
    ("react_sym_enabled", "b1"), ("react_sym_above", "f8"), ("react_sym_strength", "f8"),
    ("react_sym_total", "f8"),
    # känslighetsanalys (identity by default)
    ("tax_base_factor", "f8"), ("tax_rate_add", "f8"), ("general_grants_factor", "f8"),
    ("drug_grant_factor", "f8"), ("cost_factor", "f8", (N_COST,)),
])

#: a path's state carried from one year to the next
STATE = np.dtype([
    ("index", "f8", (N_COST,)), ("index_prev", "f8", (N_COST,)), ("budget", "f8", (N_COST,)),
    ("plan_savings_factor", "f8"), ("dev_level", "f8"), ("grants_walk", "f8"), ("grants_eq", "f8"),
    ("grants_pol", "f8"), ("fees", "f8"), ("targeted", "f8"), ("drug_grant", "f8"),
    ("tax_index_prev", "f8"), ("tax_index_prev2", "f8"), ("pbb_prev", "f8"), ("kpi_last_plan", "f8"),
    ("fixed_assets", "f8"), ("open_stock", "f8"), ("investments", "f8", (MAX_YEARS,)),
    ("cash", "f8"), ("loans", "f8"), ("overdraft", "f8"), ("equity", "f8"), ("loan_rate", "f8"),
    ("provision_prev", "f8"), ("income_part_prev", "f8"), ("reserve", "f8"),
    ("vintage", "f8", (MAX_VINTAGES,)), ("deadline", "i8", (MAX_VINTAGES,)),
    ("react_savings_frac", "f8"), ("react_tax_kr", "f8"), ("deposits_paused", "b1"),
    *portfolio_fields(),
])

# --------------------------------------------------------------------------------------------------
# the accounting rules as small functions (scalars; the tests give each a hand value)


@jit
def balance_requirement_result(result, realised_gains, unrealised_change, reversal):
    """Balanskravsresultat before the resultatreserv: årets resultat less realised gains (on fixed
    assets), less the year's market-value change of the securities, plus the gains realised on them
    this year (AR 2024: -493.7 - 1.2 - 183.1 + 10.3 = -667.7)."""
    return result - realised_gains - unrealised_change + reversal


@jit
def pension_interest(provision_prev, rips_real_rate, pbb, pbb_prev):
    """Räntedel: (RIPS real discount rate + change in prisbasbelopp) x the provision at the start of
    the year (AR 2024: 1 % + 9.1 % = 10.1 %, 245 MSEK)."""
    return (rips_real_rate + pbb / pbb_prev - 1.0) * provision_prev


@jit
def refixed_loan_rate(previous, short_rate, spread, refix_share):
    """Average loan rate: the share of loans whose rate is reset this year moves to short rate +
    spread; the rest keeps its rate (refix_share = 1 / average rate fixing in years, at most 1)."""
    return (1.0 - refix_share) * previous + refix_share * (short_rate + spread)


@jit
def reserve_allocation(bkr, available, tax_and_grants, reserve, threshold, cap):
    """Resultatreserv: the part of this year's balanskravsresultat above ``threshold`` x taxes and
    grants (and not used to restore deficits) may be reserved, up to a balance of ``cap`` x taxes and
    grants."""
    above = max(min(available, bkr - threshold * tax_and_grants), 0.0)
    room = max(cap * tax_and_grants - reserve, 0.0)
    return min(above, room)


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
def deficit_pace(vintage, deadline, n_vintages, year):
    """The balanskravsresultat a year needs to restore every outstanding deficit by its deadline at
    an even pace: the sum of each vintage over the years left to its deadline (at least one)."""
    pace = 0.0
    for v in range(n_vintages):
        if vintage[v] > 0.0:
            pace += vintage[v] / max(deadline[v] - year, 1)
    return pace


@jit
def restore_deficits(vintage, deadline, n_vintages, available, order):
    """Restore deficit vintages from ``available`` (>= 0), oldest first (ORDER_OLDEST: index order) or
    earliest deadline first (ORDER_DEADLINE, ties oldest first). Returns what is left of available."""
    if order == ORDER_OLDEST:
        for v in range(n_vintages):
            restored = min(available, vintage[v])
            vintage[v] -= restored
            available -= restored
        return available
    while available > 0.0:
        best = -1
        for v in range(n_vintages):
            if vintage[v] > 0.0 and (best < 0 or deadline[v] < deadline[best]):
                best = v
        if best < 0:
            break
        restored = min(available, vintage[best])
        vintage[best] -= restored
        available -= restored
    return available


@jit
def round_up_to_step(x, step):
    """x rounded up to a whole number of steps (tax rises are decided in öre steps)."""
    return math.ceil(x / step - 1e-9) * step if x > 0.0 else 0.0


# --------------------------------------------------------------------------------------------------
# the stages of a year


@jit
def stage_prices(p, s, d, o):
    """1. Price growth of each cost type: wage_w x wage growth + kpi_w x KPI inflation + pbb_w x
    prisbasbelopp growth + real trend; the index compounds it (2024 = 1)."""
    pbb_growth = d[D_PBB] / s["pbb_prev"] - 1.0
    for c in range(N_COST):
        growth = (p["wage_w"][c] * d[D_WAGE_GROWTH] + p["kpi_w"][c] * d[D_INFLATION]
                  + p["pbb_w"][c] * pbb_growth + p["real_trend"][c])
        s["index_prev"][c] = s["index"][c]
        s["index"][c] = s["index"][c] * (1.0 + growth)
    o["price_index_personnel"] = s["index"][I_PERSONNEL]
    o["price_index_pensions"] = s["index"][I_PENSIONS]
    o["price_index_purchased_care"] = s["index"][I_PURCHASED]
    o["price_index_drugs"] = s["index"][I_DRUGS]
    o["price_index_other"] = s["index"][I_OTHER]


@jit
def stage_revenues(p, s, d, k, plan_year, has_baseline, b, b_tax_index_prev, z_grants, stochastic, o):
    """2. Revenues. Tax revenue = rate / 100 x tax base (the path's index). General grants: the income
    equalisation share follows the tax base one year late, the politically set rest grows at its rate
    with a mean-preserving political random walk from the second year (the first year's grants are
    decided). In plan years fees and targeted grants are the plan's scaled by KPI over the zero-shock
    KPI, the grants and the drug grant the plan's; after the plan fees follow KPI and the drug grant
    the drug costs' price and volume."""
    rate = p["tax_rate_kr"][k] + s["react_tax_kr"] + p["tax_rate_add"]
    tax_base = p["tax_base"] * d[D_TAX_INDEX] * p["tax_base_factor"]
    tax_revenue = rate / 100.0 * tax_base
    if plan_year:
        kpi_ratio = d[D_KPI] / b["kpi_index"] if has_baseline else 1.0
        eq_ratio = s["tax_index_prev"] / b_tax_index_prev if has_baseline else 1.0
        s["fees"] = p["plan_fees"][k] * kpi_ratio
        s["targeted"] = p["plan_targeted"][k] * kpi_ratio
        s["grants_eq"] = p["plan_general_grants"][k] * p["equalisation_share"] * eq_ratio
        s["grants_pol"] = p["plan_general_grants"][k] * (1.0 - p["equalisation_share"])
        s["drug_grant"] = p["plan_drug_grant"][k]
    else:
        infl = d[D_INFLATION]
        s["fees"] = s["fees"] * (1.0 + infl)
        s["targeted"] = s["targeted"] * (1.0 + infl)
        s["grants_eq"] = s["grants_eq"] * (s["tax_index_prev"] / s["tax_index_prev2"])
        s["grants_pol"] = s["grants_pol"] * (1.0 + p["grants_growth"])
        s["drug_grant"] = (s["drug_grant"] * (s["index"][I_DRUGS] / s["index_prev"][I_DRUGS])
                           * (1.0 + p["volume_growth"][I_DRUGS]))
    walk_variance = 0.0
    if stochastic and k > 0:
        s["grants_walk"] = s["grants_walk"] + p["grants_volatility"] * z_grants
        walk_variance = p["grants_volatility"] ** 2 * k
    political = s["grants_pol"] * math.exp(s["grants_walk"] - 0.5 * walk_variance)
    general_grants = (s["grants_eq"] + political) * p["general_grants_factor"]
    drug_grant = s["drug_grant"] * p["drug_grant_factor"]
    o["tax_rate_kr"] = rate
    o["tax_base_msek"] = tax_base
    o["tax_revenue_msek"] = tax_revenue
    o["general_grants_msek"] = general_grants
    o["income_equalisation_msek"] = s["grants_eq"] * p["general_grants_factor"]
    o["drug_grant_msek"] = drug_grant
    o["fees_and_sales_msek"] = s["fees"]
    o["targeted_grants_msek"] = s["targeted"]
    o["tax_and_grants_msek"] = tax_revenue + general_grants + drug_grant


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
def stage_costs(p, s, k, plan_year, has_baseline, b, z_dev, stochastic, dev_mean, dev_sd, o):
    """4. Costs. The budget by type: in plan years the plan's total split in the 2024 shares, scaled by
    each type's index over the zero-shock index; after the plan last year's budget grown by the type's
    price and volume. A savings programme (lever) cuts the budget permanently. The reaction's savings
    in effect (decided earlier) are a share of this year's budget. The budget deviation
    (budgetavvikelse), a share of taxes and grants, is a persistent level: an AR(1) with persistence
    phi whose stationary mean and sd are the record's (dev_mean, dev_sd).
    The pension costs carry the provision's income indexation (stage 3)."""
    total = 0.0
    for c in range(N_COST):
        if plan_year:
            ratio = s["index"][c] / baseline_price_index(b, c) if has_baseline else 1.0
            s["budget"][c] = p["plan_costs"][k] * p["cost_share"][c] * ratio * s["plan_savings_factor"]
        else:
            s["budget"][c] = (s["budget"][c] * (s["index"][c] / s["index_prev"][c])
                              * (1.0 + p["volume_growth"][c]))
        total += s["budget"][c]
    cut = p["savings_msek"][k] + p["savings_pct"][k] / 100.0 * total
    keep = 1.0 - cut / total
    s["plan_savings_factor"] = s["plan_savings_factor"] * keep
    booked = 0.0
    for c in range(N_COST):
        s["budget"][c] = s["budget"][c] * keep
        booked += s["budget"][c] * p["cost_factor"][c]
    total = total * keep
    if stochastic:  # an AR(1) level whose stationary mean and sd are the record's (dev_mean, dev_sd)
        phi = p["dev_persistence"]
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
    o["savings_programme_msek"] = cut
    o["reaction_savings_msek"] = reaction_savings
    o["reaction_savings_frac"] = s["react_savings_frac"]
    o["budget_deviation_msek"] = deviation
    o["budget_deviation_frac"] = s["dev_level"] if stochastic else 0.0
    o["operating_costs_msek"] = booked + o["pension_income_indexation_msek"] - reaction_savings - deviation


@jit
def stage_investments(p, s, d, k, plan_year, o):
    """5. Investments and depreciation. Plan years book the plan's; after the plan investments are the
    after-plan amount in the last plan year's prices (the path's KPI) and depreciation is the model's:
    the opening stock declining at its rate, plus each vintage straight-line over its useful life from
    the year after (computed in plan years too, so there is no jump when the plan ends)."""
    if plan_year:
        investments = p["plan_investments"][k]
        if k == p["n_plan"] - 1:
            s["kpi_last_plan"] = d[D_KPI]
    else:
        investments = p["investments_after_plan"] * d[D_KPI] / s["kpi_last_plan"]
    opening_part = p["dep_open_rate"] * s["open_stock"]
    s["open_stock"] -= opening_part
    vintages = 0.0
    life = p["dep_life"]
    for v in range(max(0, k - life), k):
        vintages += s["investments"][v] / life
    s["investments"][k] = investments
    model = opening_part + vintages
    depreciation = p["plan_depreciation"][k] if plan_year else model
    s["fixed_assets"] = s["fixed_assets"] + investments - depreciation
    o["investments_msek"] = investments
    o["depreciation_msek"] = depreciation
    o["depreciation_model_msek"] = model
    o["fixed_assets_msek"] = s["fixed_assets"]


@jit
def stage_pension(p, s, d, k, has_baseline, b, o):
    """3. The pension obligation: the administrator's projection, the ansvarsförbindelse indexed by the
    path's prisbasbelopp over the zero-shock one, the provision likewise except its income-indexed
    share (active members' benefits) by the inkomstbasbelopp. The change of the provision's
    income-indexed part above its prisbasbelopp value is booked as a pension cost (stage 4), so that
    the provision's change stays a cost and not a cash windfall."""
    pbb_ratio = d[D_PBB] / b["prisbasbelopp_sek"] if has_baseline else 1.0
    ibb_ratio = d[D_IBB] / b["inkomstbasbelopp_index"] if has_baseline else 1.0
    share = p["income_indexed_share"]
    projected = p["provision_path"][k]
    provision = projected * ((1.0 - share) * pbb_ratio + share * ibb_ratio)
    liability = p["liability_path"][k] * pbb_ratio
    income_part = projected * share * (ibb_ratio - pbb_ratio)
    o["pension_income_indexation_msek"] = income_part - s["income_part_prev"]
    s["income_part_prev"] = income_part
    o["pension_provision_msek"] = provision
    o["pension_liability_msek"] = liability
    o["pension_obligation_msek"] = provision + liability


@jit
def stage_portfolio(s, o):
    """6. The pension portfolio's year: its market change over the twelve months (returns less the
    fee; the flows come at year end), the gains its trading realised and the rule's months."""
    o["portfolio_return_msek"] = s["pf_equity"] + s["pf_fixed"] - o["pension_assets_start_msek"]
    o["portfolio_fees_msek"] = s["yr_fees"]
    o["derisking_months"] = s["yr_derisk"]
    o["derisking"] = 1.0 if s["yr_derisk"] > 0 else 0.0
    o["months_below_half_equity"] = s["yr_below_half"]
    o["months_far_below_strategic"] = s["yr_below_depth"]
    o["derisking_longest_spell_months"] = s["longest_spell"]
    o["protection_breach"] = 1.0 if s["yr_breach_months"] > 0 else 0.0
    o["protection_breach_months"] = s["yr_breach_months"]
    o["protection_breach_size"] = s["yr_breach_size"]


@jit
def stage_financial(p, s, d, k, plan_year, has_baseline, b, o):
    """7. Financial items. Model values: cash interest, the pension interest (räntedel), interest on
    the year's opening loans and overdraft at the refixed rate. Plan years book the plan's financial
    income and costs, which leave out the portfolio's value change (AR 2011-2013), shifted by the
    path's surprise in each model value, plus the portfolio's full market change; after the plan the
    model values apply in full."""
    short = d[D_SHORT]
    cash_interest = max(s["cash"], 0.0) * (short + p["cash_rate_spread"])
    pension_int = pension_interest(s["provision_prev"], p["rips_real_rate"], d[D_PBB], s["pbb_prev"])
    s["loan_rate"] = refixed_loan_rate(s["loan_rate"], short, p["loan_spread"], p["refix_share"])
    opening_interest = (s["loans"] * s["loan_rate"]
                        + s["overdraft"] * (s["loan_rate"] + p["overdraft_spread"]))
    portfolio = o["portfolio_return_msek"]
    if plan_year:
        income_other = p["plan_fin_income"][k]
        costs = p["plan_fin_costs"][k]
        if has_baseline:
            income_other += cash_interest - b["cash_interest_msek"]
            costs += (pension_int - b["pension_interest_msek"]
                      + opening_interest - b["opening_loan_interest_msek"])
    else:
        income_other = cash_interest
        costs = pension_int + opening_interest + p["other_fin_costs"]
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
               + p["realised_gains"][k])
    result_before = (revenue - o["operating_costs_msek"] - o["depreciation_msek"]
                     + o["financial_income_msek"] - o["financial_costs_msek"])
    provision = o["pension_provision_msek"]
    cash_before = (s["cash"] - s["overdraft"] + result_before + o["depreciation_msek"]
                   + (provision - s["provision_prev"]) - o["portfolio_return_msek"] - o["investments_msek"])
    tax_and_grants = o["tax_and_grants_msek"]
    capacity = max(min(p["loan_limit"], p["debt_ceiling"] * tax_and_grants - p["leasing_debt"]), 0.0)
    planned = p["plan_borrowing"][k] if plan_year else 0.0
    borrowed, repaid, unmet = borrowing(cash_before, s["loans"], planned, p["min_cash"], capacity,
                                        p["repay_above_cash"], not plan_year)
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
    overdraft = min(max(-cash_after, 0.0), p["overdraft_limit"])
    emergency = max(-cash_after - p["overdraft_limit"], 0.0)
    s["cash"] = max(cash_after, 0.0)
    s["overdraft"] = overdraft
    s["loans"] = s["loans"] + borrowed - repaid + emergency
    net = borrowed - repaid + emergency
    s["equity"] = s["equity"] + result
    debt = s["loans"] + p["leasing_debt"] + s["overdraft"]
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
    o["loan_limit_breach"] = 1.0 if s["loans"] > p["loan_limit"] + 1e-9 else 0.0
    o["debt_ceiling_breach"] = 1.0 if debt > p["debt_ceiling"] * tax_and_grants + 1e-9 else 0.0
    o["unmet_borrowing_msek"] = unmet


@jit
def stage_deposits(p, s, year, o):
    """9. Deposits to the pension portfolio at year end (no effect on the result), from the room in
    the liquidity: cash above the minimum, not in a year with new loans or a drawn overdraft, not while
    the debt is above the capacity, not while the reaction rule pauses them, not before the policy's
    from_year; a withdrawal pays a share of the year's pension costs. The managers' turnover then realises a share of the unrealised gains."""
    room = (o["new_borrowing_msek"] <= 0.0 and s["overdraft"] <= 0.0
            and s["loans"] <= o["loan_capacity_msek"] + 1e-9 and not s["deposits_paused"])
    liquidity = max(s["cash"] - p["min_cash"], 0.0) if room else 0.0
    if year < p["deposit_from_year"]:
        deposit = 0.0
    elif p["deposit_policy"] == DEPOSIT_FIXED:
        deposit = min(p["deposit_fixed"], liquidity)
    elif p["deposit_policy"] == DEPOSIT_SHARE:
        surplus = max(o["result_msek"] - p["deposit_threshold"] * o["tax_and_grants_msek"], 0.0)
        deposit = min(p["deposit_share"] * surplus, liquidity)
    else:
        deposit = 0.0
    value = s["pf_equity"] + s["pf_fixed"]
    withdrawal = min(p["withdraw_share"] * o["pension_costs_msek"], value + deposit)
    realised = s["yr_realised"] + portfolio_flow(s, deposit - withdrawal) + realise_turnover(s, p["turnover"])
    s["cash"] = s["cash"] - deposit + withdrawal
    o["pension_deposits_msek"] = deposit
    o["pension_withdrawals_msek"] = withdrawal
    o["realised_securities_gains_msek"] = realised
    o["reaction_deposits_paused"] = 1.0 if s["deposits_paused"] else 0.0


@jit
def inflation_pension_costs(p, s, o, pbb_growth):
    """Pension costs caused by inflation (for synnerliga skäl, as the region reckoned them for 2023-24):
    the prisbasbelopp's growth above normal, on the provision at the start of the year (its räntedel)
    and on the prisbasbelopp-indexed share of the operating pension costs."""
    excess = max(pbb_growth - p["react_ss_normal"], 0.0)
    return excess * (s["provision_prev"] + p["pbb_w"][I_PENSIONS] * o["pension_costs_msek"])


@jit
def stage_balance_requirement(p, s, d, k, year, o):
    """10. Balanskrav. Balanskravsresultat = result - realised gains on fixed assets - the portfolio's
    market change + the gains realised in it. In a downturn the resultatreserv may cover a deficit. A
    deficit, less synnerliga skäl (the scenario's, and under the reaction rule the inflation-driven
    pension costs when the prisbasbelopp rose more than its threshold), becomes a vintage due in
    restore_within years (or by the year's extended deadline). Positive results restore vintages in
    the chosen order; a surplus beyond that may go to the resultatreserv."""
    bkr = balance_requirement_result(o["result_msek"], p["realised_gains"][k], o["portfolio_return_msek"],
                                     o["realised_securities_gains_msek"])
    o["balance_requirement_result_before_reserve_msek"] = bkr
    tax_and_grants = o["tax_and_grants_msek"]
    if p["reserve_use"] and bkr < 0.0 and d[D_TAX_GROWTH] < p["reserve_downturn_growth"]:
        use = min(-bkr, s["reserve"])
        s["reserve"] -= use
        bkr += use
    deficit = max(-bkr, 0.0)
    exempt = min(deficit, p["synnerliga_skal"][k])
    reaction_ss = 0.0
    pbb_growth = d[D_PBB] / s["pbb_prev"] - 1.0
    if p["react_enabled"] and p["react_ss_enabled"] and pbb_growth > p["react_ss_pbb_above"]:
        reaction_ss = min(deficit - exempt, inflation_pension_costs(p, s, o, pbb_growth))
    slot = p["n_open"] + k
    s["vintage"][slot] = deficit - exempt - reaction_ss
    extended = p["deadline_by_year"][k]
    s["deadline"][slot] = extended if extended > 0 else year + p["restore_within"]
    n_vintages = slot + 1
    available = restore_deficits(s["vintage"], s["deadline"], n_vintages, max(bkr, 0.0), p["restore_order"])
    outstanding = 0.0
    for v in range(n_vintages):
        outstanding += s["vintage"][v]
    if p["reserve_enabled"] and outstanding <= 0.0:
        # above 2 % of taxes and grants while equity incl. the pension liability is negative, above
        # 1 % otherwise (kommunallagen 11 kap. 14 §), once no deficit is left to restore
        negative = s["equity"] - o["pension_liability_msek"] < 0.0
        threshold = p["reserve_threshold"] if negative else p["reserve_threshold_positive"]
        put = reserve_allocation(bkr, available, tax_and_grants, s["reserve"], threshold, p["reserve_cap"])
        s["reserve"] += put
        bkr -= put
    overdue = 0.0
    opening_overdue = 0.0
    for v in range(n_vintages):
        if s["deadline"][v] <= year:
            overdue += s["vintage"][v]
            if v < p["n_open"]:
                opening_overdue += s["vintage"][v]
    o["balance_requirement_result_msek"] = bkr
    o["synnerliga_skal_msek"] = exempt + reaction_ss
    o["reaction_synnerliga_skal_msek"] = reaction_ss
    o["resultatreserv_msek"] = s["reserve"]
    o["deficit_outstanding_msek"] = outstanding
    o["deficit_overdue_msek"] = overdue
    o["opening_deficit_overdue_msek"] = opening_overdue
    o["deficit_pace_msek"] = deficit_pace(s["vintage"], s["deadline"], n_vintages, year)


@jit
def reaction_gap(p, s, k, year, has_baseline, b, o):
    """The improvement of next year's balanskravsresultat the reaction rule aims at. Deciding for a
    plan year, the region follows its plan: the gap is the path's shortfall against the zero-shock
    plan path this year. Deciding for a later year: the larger of the result aimed at (the target plus
    a planning margin) and the pace that restores every deficit by its deadline (deficit_pace), less
    this year's balanskravsresultat before the reserve, taken to persist. A debt above the capacity
    adds its excess over debt_correction_years. Returns (gap x strength, triggered)."""
    bkr = o["balance_requirement_result_before_reserve_msek"]
    tax_and_grants = o["tax_and_grants_msek"]
    below_target = o["result_msek"] < p["react_target"] * tax_and_grants
    deficit = o["deficit_outstanding_msek"] > 1e-9
    debt = o["loans_msek"] + p["leasing_debt"] + o["overdraft_msek"]
    excess_debt = max(debt - p["debt_ceiling"] * tax_and_grants, o["loans_msek"] - p["loan_limit"], 0.0)
    triggered = ((p["react_on_deficit"] and deficit) or (p["react_on_result"] and below_target)
                 or (p["react_on_debt"] and excess_debt > 1e-9))
    if not triggered:
        return 0.0, False
    if k + 1 < p["n_plan"]:
        gap = (b["balance_requirement_result_before_reserve_msek"] - bkr) if has_baseline else 0.0
    else:
        vintage_pace = deficit_pace(s["vintage"], s["deadline"], p["n_open"] + k + 1, year)
        gap = max(p["react_aim"] * tax_and_grants, vintage_pace) - bkr
    if p["react_on_debt"]:
        gap += excess_debt / p["react_debt_years"]
    return max(gap, 0.0) * p["react_strength"], True


@jit
def stage_reaction(p, s, k, year, has_baseline, b, o):
    """11. The reaction rule (åtgärdsplan): decided at this year end, in effect from the next year.
    Savings (a share of the budget) and tax rises (in steps) close the gap in the declared order, each
    within its cap per year and in total; deposits are paused while triggered. Optionally symmetric:
    a balanskravsresultat well above the target with no deficit left is spent (earlier savings undone
    first, then spending, within its cap)."""
    o["reaction_gap_msek"] = 0.0
    o["reaction_triggered"] = 0.0
    o["reaction_tax_kr"] = s["react_tax_kr"]
    if not p["react_enabled"]:
        return
    gap, triggered = reaction_gap(p, s, k, year, has_baseline, b, o)
    budget = o["budgeted_costs_msek"]
    tax_base = o["tax_base_msek"]
    o["reaction_gap_msek"] = gap
    o["reaction_triggered"] = 1.0 if triggered else 0.0
    s["deposits_paused"] = triggered and p["react_pause_deposits"]
    if triggered:
        for step in range(2):
            use_tax = (step == 0) == p["react_tax_first"]
            if use_tax and p["react_use_tax"]:
                room = max(min(p["react_tax_year"], p["react_tax_total"] - s["react_tax_kr"]), 0.0)
                wanted = round_up_to_step(gap / (tax_base / 100.0), p["react_tax_step"])
                add = min(wanted, math.floor(room / p["react_tax_step"] + 1e-9) * p["react_tax_step"])
                s["react_tax_kr"] += add
                gap = max(gap - add * tax_base / 100.0, 0.0)
            elif not use_tax and p["react_use_savings"]:
                room = max(min(p["react_savings_year"], p["react_savings_total"] - s["react_savings_frac"]), 0.0)
                add = min(gap / budget, room)
                s["react_savings_frac"] += add
                gap -= add * budget
    elif p["react_sym_enabled"] and o["deficit_outstanding_msek"] <= 1e-9:
        excess = (o["balance_requirement_result_before_reserve_msek"]
                  - (p["react_aim"] + p["react_sym_above"]) * o["tax_and_grants_msek"])
        if excess > 0.0:
            spend = min(excess * p["react_sym_strength"] / budget, s["react_savings_frac"] + p["react_sym_total"])
            s["react_savings_frac"] -= max(spend, 0.0)


@jit
def stage_position(p, s, o):
    """12. The balance sheet at year end and the key ratios the region reports."""
    portfolio = s["pf_equity"] + s["pf_fixed"]
    total_assets = (s["fixed_assets"] + p["financial_fixed_assets"] + p["other_current_assets"]
                    + p["other_short_term_investments"] + portfolio + s["cash"])
    liability = o["pension_liability_msek"]
    provision = o["pension_provision_msek"]
    o["pension_assets_msek"] = portfolio
    o["cash_msek"] = s["cash"]
    o["equity_msek"] = s["equity"]
    o["equity_incl_pension_liability_msek"] = s["equity"] - liability
    o["total_assets_msek"] = total_assets
    o["solidity"] = s["equity"] / total_assets
    o["solidity_incl_pension_liability"] = (s["equity"] - liability) / total_assets
    o["consolidation_ratio"] = portfolio / (provision + liability)
    o["consolidation_ratio_booked"] = portfolio / provision
    o["equity_share"] = s["pf_equity"] / portfolio if portfolio > 0.0 else 0.0
    o["unrealised_gains_msek"] = portfolio - s["pf_basis_eq"] - s["pf_basis_fi"]


@jit
def open_accounts(p, s):
    """The path's state at 31 Dec of the opening year (the annual report's balance sheet)."""
    for c in range(N_COST):
        s["index"][c] = 1.0
        s["index_prev"][c] = 1.0
        s["budget"][c] = 0.0
    s["plan_savings_factor"] = 1.0
    s["dev_level"] = p["dev_initial"]
    s["grants_walk"] = 0.0
    s["grants_eq"] = 0.0
    s["grants_pol"] = 0.0
    s["fees"] = 0.0
    s["targeted"] = 0.0
    s["drug_grant"] = 0.0
    s["tax_index_prev"] = 1.0
    s["tax_index_prev2"] = 1.0
    s["pbb_prev"] = p["pbb_opening"]
    s["kpi_last_plan"] = 1.0
    s["fixed_assets"] = p["fixed_assets"]
    s["open_stock"] = p["fixed_assets"]
    for k in range(MAX_YEARS):
        s["investments"][k] = 0.0
    s["cash"] = p["cash"]
    s["loans"] = p["loans"]
    s["overdraft"] = 0.0
    s["equity"] = p["equity"]
    s["loan_rate"] = p["loan_rate"]
    s["provision_prev"] = p["provision_opening"]
    s["income_part_prev"] = 0.0
    s["reserve"] = 0.0
    for v in range(MAX_VINTAGES):
        s["vintage"][v] = 0.0
        s["deadline"][v] = 0
    for v in range(p["n_open"]):
        s["vintage"][v] = p["open_amount"][v]
        s["deadline"][v] = p["open_deadline"][v]
    s["react_savings_frac"] = 0.0
    s["react_tax_kr"] = 0.0
    s["deposits_paused"] = False


@jit
def start_year(s, o):
    """Reset the year's portfolio accumulators and note the portfolio's value at the start."""
    s["yr_realised"] = 0.0
    s["yr_derisk"] = 0
    s["yr_breach_months"] = 0
    s["yr_breach_size"] = 0.0
    s["yr_below_half"] = 0
    s["yr_below_depth"] = 0
    s["yr_fees"] = 0.0
    o["pension_assets_start_msek"] = s["pf_equity"] + s["pf_fixed"]


@jit
def copy_drivers(d, o):
    """The year's economic drivers as outputs (the same for every variant)."""
    o["inflation"] = d[D_INFLATION]
    o["kpi_index"] = d[D_KPI]
    o["short_rate"] = d[D_SHORT]
    o["long_rate"] = d[D_LONG]
    o["equity_return_sweden"] = d[D_EQ_SE]
    o["equity_return_global"] = d[D_EQ_GL]
    o["equity_return"] = d[D_EQ_MIX]
    o["tax_base_growth"] = d[D_TAX_GROWTH]
    o["tax_base_index"] = d[D_TAX_INDEX]
    o["wage_growth"] = d[D_WAGE_GROWTH]
    o["wage_index"] = d[D_WAGE_INDEX]
    o["prisbasbelopp_sek"] = d[D_PBB]
    o["inkomstbasbelopp_index"] = d[D_IBB]


@jit
def account_year(p, dev_mean, dev_sd, s, d, k, z_dev, z_grants, stochastic, has_baseline, b,
                 b_tax_index_prev, o):
    """Year k of one path after its twelve portfolio months: the stages in order (module docstring).
    ``dev_mean`` and ``dev_sd`` are the path's budget-deviation process (the variant's, or drawn per
    path under --parameter-uncertainty)."""
    year = p["first_year"] + k
    plan_year = k < p["n_plan"]
    copy_drivers(d, o)
    stage_prices(p, s, d, o)
    stage_revenues(p, s, d, k, plan_year, has_baseline, b, b_tax_index_prev, z_grants, stochastic, o)
    stage_pension(p, s, d, k, has_baseline, b, o)
    stage_costs(p, s, k, plan_year, has_baseline, b, z_dev, stochastic, dev_mean, dev_sd, o)
    stage_investments(p, s, d, k, plan_year, o)
    stage_portfolio(s, o)
    stage_financial(p, s, d, k, plan_year, has_baseline, b, o)
    stage_financing(p, s, k, plan_year, has_baseline, b, o)
    stage_deposits(p, s, year, o)
    stage_balance_requirement(p, s, d, k, year, o)
    stage_reaction(p, s, k, year, has_baseline, b, o)
    stage_position(p, s, o)
    s["provision_prev"] = o["pension_provision_msek"]
    s["pbb_prev"] = d[D_PBB]
    s["tax_index_prev2"] = s["tax_index_prev"]
    s["tax_index_prev"] = d[D_TAX_INDEX]
