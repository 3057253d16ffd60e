"""The region's annual accounts (räkenskaper) for one path and one year, as named stages.

``account_year`` runs the stages of a year in this order, each a small jitted function over three
records: ``p`` the variant's parameters (dtype PARAMS), ``s`` the path's state carried across years
(dtype STATE) and ``o`` the year's outputs (dtype simulator.kernels.records.OUTPUT); ``d`` is the year's
row of economic drivers and ``b`` the zero-shock baseline's outputs for the year:

stage                                                                                 module
1. prices        price index of each cost type (wages, KPI, prisbasbelopp, trend)     costs
2. revenues      tax revenue, general grants (income equalisation and the political   revenues
                 rest), drug grant, fees and targeted grants
3. pension       the obligation (provision and ansvarsförbindelse), indexed by the    pension_obligation
                 path's basbelopp
4. costs         budget by cost type, savings programmes, the reaction's savings,     costs
                 the budget deviation
5. investments   investments and depreciation by vintage                              investments
6. portfolio     the year's market change of the pension portfolio (the months ran    here (the months:
                 before, under the dynamiska riskprincipen)                           portfolio, risk_rule)
7. financial     financial income and costs                                           financing
8. financing     the result, the cash flow and borrowing within the loan limit and    financing
                 the debt ceiling
9. deposits      deposits to and withdrawals from the pension portfolio at year end   deposits
10. balance req. balanskravsresultat, synnerliga skäl, deficit vintages, the          balance_requirement
                 resultatreserv
11. reaction     the reaction rule's decisions at year end, in effect from the next   reaction
12. position     the balance sheet and the key ratios                                 here

Plan years (the adopted plan's years) are the plan's figures plus the path's surprise against the
zero-shock path ``b``: revenues and costs scaled by the path's index over the zero-shock index,
financial items shifted by the path's model value minus the zero-shock one, the pension portfolio at
its full market change. The zero-shock run itself has no baseline (``has_baseline`` False): every
ratio is 1 and every surprise 0, so it reproduces the plan. docs/accounts.md gives every rule."""

from __future__ import annotations

from simulator.kernels.balance_requirement import stage_balance_requirement
from simulator.kernels.costs import stage_costs, stage_prices
from simulator.kernels.deposits import stage_deposits
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
from simulator.kernels.financing import stage_financial, stage_financing
from simulator.kernels.investments import stage_investments
from simulator.kernels.jit import jit
from simulator.kernels.pension_obligation import stage_pension
from simulator.kernels.reaction import stage_reaction
from simulator.kernels.records import MAX_VINTAGES, MAX_YEARS, N_COST
from simulator.kernels.revenues import stage_revenues


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
def stage_position(p, s, o):
    """12. The balance sheet at year end and the key ratios the region reports."""
    portfolio = s["pf_equity"] + s["pf_fixed"]
    total_assets = (s["fixed_assets"] + p["opening_financial_fixed_assets_msek"] + p["opening_other_current_assets_msek"]
                    + p["opening_other_short_term_investments_msek"] + portfolio + s["cash"])
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
    s["plan_first_costs_msek"] = 0.0  # 0: no plan year yet; stage 4 notes the plan's first year
    for c in range(N_COST):
        s["plan_first_index"][c] = 0.0
    s["dev_level"] = p["budget_deviation_initial_frac"]
    s["grants_walk"] = 0.0
    s["grants_eq"] = 0.0
    s["grants_pol"] = 0.0
    s["fees"] = 0.0
    s["targeted"] = 0.0
    s["drug_grant"] = 0.0
    s["tax_index_prev"] = 1.0
    s["tax_index_prev2"] = 1.0
    s["pbb_prev"] = p["opening_prisbasbelopp_sek"]
    s["kpi_last_plan"] = 1.0
    s["fixed_assets"] = p["opening_fixed_assets_msek"]
    s["open_stock"] = p["opening_fixed_assets_msek"]
    for k in range(MAX_YEARS):
        s["investments"][k] = 0.0
    s["cash"] = p["opening_cash_msek"]
    s["loans"] = p["opening_loans_msek"]
    s["overdraft"] = 0.0
    s["equity"] = p["opening_equity_msek"]
    s["loan_rate"] = p["opening_loan_rate_pa"]
    s["provision_prev"] = p["opening_provision_msek"]
    s["income_part_prev"] = 0.0
    s["reserve"] = p["resultatreserv_opening_msek"]
    for v in range(MAX_VINTAGES):
        s["vintage"][v] = 0.0
        s["deadline"][v] = 0
    for v in range(p["n_opening_deficits"]):
        s["vintage"][v] = p["opening_deficit_amount_msek"][v]
        s["deadline"][v] = p["opening_deficit_deadline_year"][v]
    s["react_savings_frac"] = 0.0
    s["react_tax_kr"] = 0.0
    s["deposits_paused"] = False
    s["years_before"] = 0
    s["vintage_base"] = p["n_opening_deficits"]  # this year's deficit goes to the slot after the opening ones
    s["opening_vintages"] = p["n_opening_deficits"]


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
def account_year(p, dev_mean, dev_sd, slip, s, d, k, z_dev, z_grants, stochastic, has_baseline, b,
                 b_tax_index_prev, o):
    """Year k of one path after its twelve portfolio months: the stages in order (module docstring).
    ``dev_mean`` and ``dev_sd`` are the path's budget-deviation process and ``slip`` its plan slippage
    (the variant's, or drawn per path under --parameter-uncertainty)."""
    year = p["start_year"] + k
    plan_year = k < p["n_plan_years"]
    copy_drivers(d, o)
    stage_prices(p, s, d, o)
    stage_revenues(p, s, d, k, plan_year, has_baseline, b, b_tax_index_prev, z_grants, stochastic, o)
    stage_pension(p, s, d, k, has_baseline, b, o)
    stage_costs(p, s, k, plan_year, has_baseline, b, z_dev, stochastic, dev_mean, dev_sd, slip, o)
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
