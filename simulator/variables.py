"""Output variables: one place for each name's unit and description (English and Swedish).

The Swedish names are what the pension committee reads; the English ones go into the NetCDF metadata.
"""

from typing import NamedTuple


class Variable(NamedTuple):
    units: str
    long_name: str
    internal: bool = False  # a model value the kernel needs (the baseline's) but results do not store


ECONOMY_ANNUAL: dict[str, Variable] = {
    "inflation": Variable("1", "KPI inflation, December-to-December change (fraction, nominal)"),
    "kpi_index": Variable("1", "KPI index at December, 1 at the opening year-end of the scenario's origin"),
    "short_rate": Variable("1/year", "short interest rate, annual average (fraction, nominal)"),
    "long_rate": Variable("1/year", "long (10-year) interest rate, annual average (fraction, nominal)"),
    "equity_return_sweden": Variable("1", "Swedish equity total return over the year (fraction, nominal)"),
    "equity_return_global": Variable("1", "global equity total return in SEK over the year (fraction, "
                                     "nominal)"),
    "equity_return": Variable("1", "equity return of the pension benchmark's equity mix over the year "
                              "(fraction, nominal)"),
    "tax_base_growth": Variable("1", "growth of the tax base over the year (fraction, nominal)"),
    "tax_base_index": Variable("1", "tax base index at year end, 1 at the opening year-end (nominal)"),
    "wage_growth": Variable("1", "wage growth over the year (fraction, nominal)"),
    "wage_index": Variable("1", "wage index at year end, 1 at the opening year-end (nominal)"),
    "prisbasbelopp_sek": Variable("SEK", "prisbasbelopp for the year (nominal)"),
    "inkomstbasbelopp_index": Variable("1", "inkomstbasbelopp index, first simulated year = 1 (follows "
                                       "the previous year's wage growth)"),
}

def _msek(long_name: str) -> Variable:
    return Variable("MSEK", f"{long_name} (MSEK, nominal)")


def _frac(long_name: str) -> Variable:
    return Variable("1", f"{long_name} (fraction)")


ACCOUNTS_ANNUAL: dict[str, Variable] = {
    # income statement (resultaträkning); costs are positive amounts
    "tax_rate_kr": Variable("kr", "tax rate in force, kr per 100 kr of tax base (incl. the reaction's "
                            "rises)"),
    "tax_base_msek": _msek("the region's tax base"),
    "tax_revenue_msek": _msek("tax revenue"),
    "general_grants_msek": _msek("general state grants and equalisation, excluding the drug grant"),
    "income_equalisation_msek": _msek("income equalisation (inkomstutjämning) share of the general grants"),
    "drug_grant_msek": _msek("state grant for drugs"),
    "fees_and_sales_msek": _msek("fees and sales"),
    "targeted_grants_msek": _msek("targeted state grants"),
    "personnel_costs_msek": _msek("personnel costs excluding pensions"),
    "pension_costs_msek": _msek("pension costs in operating costs"),
    "purchased_care_costs_msek": _msek("purchased care and services"),
    "drug_costs_msek": _msek("drug costs"),
    "other_costs_msek": _msek("other operating costs"),
    "price_index_personnel": _frac("price index of personnel costs (wages), 1 at the opening year-end"),
    "price_index_pensions": _frac("price index of pension costs, 1 at the opening year-end"),
    "price_index_purchased_care": _frac("price index of purchased care, 1 at the opening year-end"),
    "price_index_drugs": _frac("price index of drug costs, 1 at the opening year-end"),
    "price_index_other": _frac("price index of other costs, 1 at the opening year-end"),
    "pension_income_indexation_msek": _msek("pension costs from the provision's inkomstbasbelopp indexation "
                                            "beyond the zero-shock path (in pension costs)"),
    "budgeted_costs_msek": _msek("budgeted operating costs after savings programmes"),
    "savings_programme_msek": _msek("cut of the year's budget by the savings programme lever"),
    "plan_slippage_msek": _msek("plan slippage: the part of the plan's unfunded cost growth not saved, in "
                                "operating costs (plan years after the first)"),
    "budget_deviation_msek": _msek("budget deviation of the result (budgetavvikelse; positive = better "
                                   "than budget), in operating costs"),
    "budget_deviation_frac": _frac("budget deviation level as a share of taxes and grants"),
    "reaction_savings_msek": _msek("savings decided by the reaction rule in effect this year (negative: "
                                   "spending of a symmetric rule)"),
    "reaction_savings_frac": _frac("reaction savings in effect as a share of the budget"),
    "reaction_tax_kr": Variable("kr", "tax-rate change decided by the reaction rule in effect this year "
                                "(rises less the cuts that took them back)"),
    "reaction_deposits_paused": Variable("1", "1 when the reaction rule paused this year's deposits to "
                                         "the pension fund"),
    "reaction_synnerliga_skal_msek": _msek("deficit exempted by synnerliga skäl for inflation-driven "
                                           "pension costs under the reaction rule"),
    "reaction_gap_msek": _msek("improvement of the balance-requirement result the reaction rule decided "
                               "to close at this year end"),
    "reaction_triggered": Variable("1", "1 when the reaction rule was triggered at this year end"),
    "operating_costs_msek": _msek("operating costs, total"),
    "depreciation_msek": _msek("depreciation (booked: the plan's in plan years)"),
    "depreciation_model_msek": _msek("depreciation by vintage (the model's, also in plan years)"),
    "fixed_assets_msek": _msek("fixed assets excluding financial fixed assets at year end"),
    "pension_assets_start_msek": Variable("MSEK", "pension portfolio at the start of the year", True),
    "portfolio_return_msek": _msek("pension portfolio's market change over the year, after fees"),
    "portfolio_fees_msek": _msek("management fees taken from the pension portfolio"),
    "cash_interest_msek": _msek("interest on cash (model value)"),
    "financial_income_msek": _msek("financial income (net portfolio return included)"),
    "pension_interest_msek": _msek("interest component of the pension provision"),
    "opening_loan_interest_msek": Variable("MSEK", "interest on the year's opening loans and overdraft",
                                           True),
    "new_loan_interest_msek": Variable("MSEK", "interest on the year's new loans (model value)", True),
    "loan_interest_msek": _msek("interest on loans and the overdraft (model value)"),
    "financial_costs_msek": _msek("financial costs"),
    "result_msek": _msek("result for the year"),
    "result_excl_portfolio_change_msek": _msek("result excluding the pension portfolio's market change "
                                               "(what the plan budgets)"),
    "tax_and_grants_msek": _msek("tax revenue + general grants and equalisation incl. the drug grant"),
    "result_share_of_tax_and_grants": _frac("result over tax revenue and general grants"),
    # balance requirement (balanskrav)
    "balance_requirement_result_before_reserve_msek": _msek(
        "balance-requirement result before the resultatreserv"),
    "balance_requirement_result_msek": _msek("balance-requirement result after the resultatreserv"),
    "synnerliga_skal_msek": _msek("deficit exempted from restoration by synnerliga skäl"),
    "deficit_pace_msek": _msek("balance-requirement result a year needs to restore every deficit by its "
                               "deadline at an even pace"),
    "resultatreserv_msek": _msek("resultatreserv balance at year end"),
    "deficit_outstanding_msek": _msek("negative balance-requirement results not yet restored"),
    "deficit_overdue_msek": _msek("unrestored deficits whose deadline has passed (all vintages)"),
    "opening_deficit_overdue_msek": _msek("unrestored deficits from before the opening year-end whose deadline has passed"),
    # balance sheet and cash (balansräkning, likviditet)
    "equity_msek": _msek("equity at year end"),
    "equity_incl_pension_liability_msek": _msek("equity minus the pension liability off the balance sheet"),
    "total_assets_msek": _msek("total assets"),
    "solidity": _frac("equity over total assets"),
    "solidity_incl_pension_liability": _frac("equity minus pension liability over total assets"),
    "cash_msek": _msek("cash at year end"),
    "loans_msek": _msek("loans at year end"),
    "overdraft_msek": _msek("overdraft facility drawn at year end"),
    "new_borrowing_msek": _msek("new borrowing less repayments in the year"),
    "loan_capacity_msek": _msek("loans allowed: the lower of the loan limit and the debt ceiling's room"),
    "debt_ratio": _frac("interest-bearing debt excl. the pension debt over taxes and general grants"),
    "loan_limit_breach": Variable("1", "1 when the loans at year end are above the nominal loan limit"),
    "debt_ceiling_breach": Variable("1", "1 when the debt ratio at year end is above the debt ceiling"),
    "borrowing_shortfall_msek": _msek("loans above the loan capacity at year end"),
    "unmet_borrowing_msek": _msek("borrowing the limits refused in the year (cash below its minimum)"),
    "loan_rate": Variable("1/year", "average interest rate on loans (fraction, nominal)"),
    "investments_msek": _msek("investments"),
    # pension (pension)
    "pension_assets_msek": _msek("pension portfolio at market value"),
    "pension_provision_msek": _msek("pension provision on the balance sheet"),
    "pension_liability_msek": _msek("pension liability off the balance sheet"),
    "pension_obligation_msek": _msek("pension obligation: provision + liability"),
    "consolidation_ratio": _frac("pension assets over the pension obligation (provision + "
                                 "ansvarsförbindelse)"),
    "consolidation_ratio_booked": _frac("pension assets over the booked pension provision (avsättning)"),
    "equity_share": _frac("equity share of the pension portfolio at year end"),
    "derisking_months": Variable("1", "months in the year with the rule's maximum below the strategic share"),
    "derisking": Variable("1", "1 when the rule forced de-risking in some month of the year"),
    "protection_breach": Variable("1", "1 when the unit index fell below the protection level in some month"),
    "protection_breach_months": Variable("1", "months in the year with the unit index below the "
                                         "protection level"),
    "months_below_half_equity": Variable("1", "months in the year with the equity share held below 50 %"),
    "months_far_below_strategic": Variable("1", "months in the year with the equity share held 10 pp or "
                                           "more below the strategic share"),
    "derisking_longest_spell_months": Variable("1", "longest run of de-risking months so far"),
    "protection_breach_size": _frac("largest shortfall below the protection level, 1 - index / level"),
    "pension_deposits_msek": _msek("deposits to the pension portfolio at year end"),
    "pension_deposit_cap_msek": _msek("the most the pension portfolio may hold after a deposit (the cap "
                                      "of the obligation)"),
    "pension_withdrawals_msek": _msek("withdrawals from the pension portfolio at year end"),
    "realised_securities_gains_msek": _msek("gains realised in the pension portfolio"),
    "unrealised_gains_msek": _msek("unrealised gains in the pension portfolio at year end"),
}

ANNUAL: dict[str, Variable] = {**ECONOMY_ANNUAL, **ACCOUNTS_ANNUAL}

MONTHLY: dict[str, Variable] = {
    "equity_share": Variable("1", "equity share of the pension portfolio after rebalancing (fraction)"),
    "inflation": Variable("1/year", "KPI inflation rate in the month, annualised log rate"),
    "short_rate": Variable("1/year", "short interest rate (fraction, nominal)"),
    "long_rate": Variable("1/year", "long interest rate (fraction, nominal)"),
    "term_spread": Variable("1/year", "long minus short rate before any floor (fraction)"),
    "equity_sweden_log": Variable("1", "Swedish equity log total return in the month"),
    "equity_global_log": Variable("1", "global equity log total return in the month"),
    "tax_base_log_growth": Variable("1", "log growth of the tax base in the month"),
    "wage_log_growth": Variable("1", "log growth of wages in the month"),
    "lagged_inflation": Variable("1/year", "lagged inflation that wages and the tax base follow "
                                 "(annualised log rate)"),
    "inflation_regime": Variable("1", "inflation regime: 0 normal, 1 shock"),
    "equity_regime": Variable("1", "equity regime: 0 calm, 1 crash"),
}

#: The variables results store (the internal ones are model values only the baseline needs).
STORED = tuple(name for name, v in ANNUAL.items() if not v.internal)

#: Percentiles written to summary.json (CONTRACT.md).
PERCENTILES = (5, 25, 50, 75, 95)
