"""Output variables: one place for each name's unit and description (English and Swedish).

The Swedish names are what the pension committee reads; the English ones go into the NetCDF metadata.
"""

from typing import NamedTuple


class Variable(NamedTuple):
    units: str
    long_name: str
    swedish: str


ECONOMY_ANNUAL: dict[str, Variable] = {
    "inflation": Variable("1", "KPI inflation, December-to-December change (fraction, nominal)",
                          "Inflation (KPI, dec-dec)"),
    "kpi_index": Variable("1", "KPI index at December, December 2024 = 1", "KPI-index (dec 2024 = 1)"),
    "short_rate": Variable("1/year", "short interest rate, annual average (fraction, nominal)",
                           "Kort ränta (årsmedel)"),
    "long_rate": Variable("1/year", "long (10-year) interest rate, annual average (fraction, nominal)",
                          "Lång ränta (årsmedel)"),
    "equity_return_sweden": Variable("1", "Swedish equity total return over the year (fraction, nominal)",
                                     "Avkastning svenska aktier"),
    "equity_return_global": Variable("1", "global equity total return in SEK over the year (fraction, "
                                     "nominal)", "Avkastning globala aktier"),
    "equity_return": Variable("1", "equity return of the pension benchmark's equity mix over the year "
                              "(fraction, nominal)", "Börsavkastning (aktiemix)"),
    "tax_base_growth": Variable("1", "growth of the tax base over the year (fraction, nominal)",
                                "Skatteunderlagets tillväxt"),
    "tax_base_index": Variable("1", "tax base index at year end, 2024 = 1 (nominal)",
                               "Skatteunderlag (index, 2024 = 1)"),
    "prisbasbelopp_sek": Variable("SEK", "prisbasbelopp for the year (nominal)", "Prisbasbelopp (kr)"),
}

def _msek(long_name: str, swedish: str) -> Variable:
    return Variable("MSEK", f"{long_name} (MSEK, nominal)", swedish)


def _frac(long_name: str, swedish: str) -> Variable:
    return Variable("1", f"{long_name} (fraction)", swedish)


ACCOUNTS_ANNUAL: dict[str, Variable] = {
    # income statement (resultaträkning); costs are positive amounts
    "tax_revenue_msek": _msek("tax revenue", "Skatteintäkter"),
    "general_grants_msek": _msek("general state grants and equalisation, excluding the drug grant",
                                 "Generella statsbidrag och utjämning (exkl. läkemedelsbidrag)"),
    "drug_grant_msek": _msek("state grant for drugs", "Statsbidrag läkemedel"),
    "fees_and_sales_msek": _msek("fees and sales", "Verksamhetens intäkter (avgifter, försäljning)"),
    "targeted_grants_msek": _msek("targeted state grants", "Riktade statsbidrag"),
    "personnel_costs_msek": _msek("personnel costs excluding pensions", "Personalkostnader exkl. pensioner"),
    "pension_costs_msek": _msek("pension costs in operating costs", "Pensionskostnader"),
    "purchased_care_costs_msek": _msek("purchased care and services", "Köp av verksamhet"),
    "drug_costs_msek": _msek("drug costs", "Läkemedelskostnader"),
    "other_costs_msek": _msek("other operating costs", "Övriga kostnader"),
    "cost_overrun_msek": _msek("cost overrun against the budget (included in operating costs)",
                               "Budgetavvikelse, kostnader"),
    "operating_costs_msek": _msek("operating costs, total", "Verksamhetens kostnader"),
    "depreciation_msek": _msek("depreciation", "Avskrivningar"),
    "portfolio_return_msek": _msek("pension portfolio return at market value", "Pensionsportföljens avkastning"),
    "financial_income_msek": _msek("financial income (net portfolio return included)", "Finansiella intäkter"),
    "pension_interest_msek": _msek("interest component of the pension provision", "Räntedel pensioner"),
    "loan_interest_msek": _msek("interest on loans", "Låneräntor"),
    "financial_costs_msek": _msek("financial costs", "Finansiella kostnader"),
    "result_msek": _msek("result for the year", "Årets resultat"),
    "tax_and_grants_msek": _msek("tax revenue + general grants and equalisation incl. the drug grant",
                                 "Skatteintäkter och generella statsbidrag"),
    "result_share_of_tax_and_grants": _frac("result over tax revenue and general grants",
                                            "Resultat i % av skatter och bidrag"),
    # balance requirement (balanskrav)
    "balance_requirement_result_msek": _msek("balance-requirement result after the resultatreserv",
                                             "Balanskravsresultat"),
    "resultatreserv_msek": _msek("resultatreserv balance at year end", "Resultatreserv"),
    "deficit_outstanding_msek": _msek("negative balance-requirement results not yet restored",
                                      "Ej återställt negativt balanskravsresultat"),
    "deficit_overdue_msek": _msek("unrestored deficits whose deadline has passed (all vintages)",
                                  "Ej återställt efter sista år (alla år)"),
    "opening_deficit_overdue_msek": _msek("unrestored 2023-2024 deficits whose deadline has passed",
                                          "Ej återställt 2023-2024 efter sista år"),
    # balance sheet and cash (balansräkning, likviditet)
    "equity_msek": _msek("equity at year end", "Eget kapital"),
    "equity_incl_pension_liability_msek": _msek("equity minus the pension liability off the balance sheet",
                                                "Eget kapital inkl. ansvarsförbindelse"),
    "total_assets_msek": _msek("total assets", "Summa tillgångar"),
    "solidity": _frac("equity over total assets", "Soliditet"),
    "solidity_incl_pension_liability": _frac("equity minus pension liability over total assets",
                                             "Soliditet inkl. ansvarsförbindelse"),
    "cash_msek": _msek("cash at year end", "Kassa och bank"),
    "loans_msek": _msek("loans at year end", "Låneskuld"),
    "new_borrowing_msek": _msek("new borrowing less repayments in the year", "Nyupplåning netto"),
    "loan_limit_breach": Variable("1", "1 when the debt at year end is above the loan limit",
                                  "Låneram överskriden vid årets slut (1 = ja)"),
    "borrowing_shortfall_msek": _msek("debt above the loan limit at year end", "Låneskuld över låneramen"),
    "loan_rate": Variable("1/year", "average interest rate on loans (fraction, nominal)", "Låneränta"),
    "investments_msek": _msek("investments", "Investeringar"),
    # pension (pension)
    "pension_assets_msek": _msek("pension portfolio at market value", "Pensionsmedel (marknadsvärde)"),
    "pension_provision_msek": _msek("pension provision on the balance sheet", "Avsättning för pensioner"),
    "pension_liability_msek": _msek("pension liability off the balance sheet", "Ansvarsförbindelse"),
    "pension_obligation_msek": _msek("pension obligation: provision + liability", "Pensionsförpliktelse"),
    "consolidation_ratio": _frac("pension assets over the pension obligation", "Konsolideringsgrad"),
    "equity_share": _frac("equity share of the pension portfolio at year end", "Aktieandel vid årets slut"),
    "derisking_months": Variable("1", "months in the year with the rule's maximum below the strategic share",
                                 "Månader med riskminskning"),
    "derisking": Variable("1", "1 when the rule forced de-risking in some month of the year",
                          "Riskminskning under året (1 = ja)"),
    "protection_breach": Variable("1", "1 when the unit index fell below the protection level in some month",
                                  "Skyddsnivån underskriden (1 = ja)"),
    "protection_breach_size": _frac("largest shortfall below the protection level, 1 - index / level",
                                    "Största underskridande av skyddsnivån"),
    "pension_deposits_msek": _msek("deposits to the pension portfolio at year end", "Avsättning till pensionsmedel"),
    "pension_withdrawals_msek": _msek("withdrawals from the pension portfolio at year end",
                                      "Uttag ur pensionsmedel"),
    "realised_securities_gains_msek": _msek("gains realised in the pension portfolio",
                                            "Realiserade vinster, värdepapper"),
    "unrealised_gains_msek": _msek("unrealised gains in the pension portfolio at year end",
                                   "Orealiserade vinster, värdepapper"),
}

ANNUAL: dict[str, Variable] = {**ECONOMY_ANNUAL, **ACCOUNTS_ANNUAL}

MONTHLY: dict[str, Variable] = {
    "equity_share": Variable("1", "equity share of the pension portfolio after rebalancing (fraction)",
                             "Aktieandel (månad)"),
    "inflation": Variable("1/year", "KPI inflation rate in the month, annualised log rate",
                          "Inflationstakt (månad, årstakt)"),
    "short_rate": Variable("1/year", "short interest rate (fraction, nominal)", "Kort ränta"),
    "long_rate": Variable("1/year", "long interest rate (fraction, nominal)", "Lång ränta"),
    "term_spread": Variable("1/year", "long minus short rate before any floor (fraction)",
                            "Räntedifferens lång-kort"),
    "equity_sweden_log": Variable("1", "Swedish equity log total return in the month",
                                  "Svenska aktier, logavkastning"),
    "equity_global_log": Variable("1", "global equity log total return in the month",
                                  "Globala aktier, logavkastning"),
    "tax_base_log_growth": Variable("1", "log growth of the tax base in the month",
                                    "Skatteunderlag, logtillväxt"),
    "inflation_regime": Variable("1", "inflation regime: 0 normal, 1 shock", "Inflationsregim"),
    "equity_regime": Variable("1", "equity regime: 0 calm, 1 crash", "Börsregim"),
}

#: Percentiles written to summary.json (CONTRACT.md).
PERCENTILES = (5, 25, 50, 75, 95)
