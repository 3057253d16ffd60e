"""Output variables: one place for each name's unit and description (English and Swedish).

The Swedish names are what the pension committee reads; the English ones go into the NetCDF metadata.
"""

from typing import NamedTuple


class Variable(NamedTuple):
    units: str
    long_name: str
    swedish: str


ANNUAL: dict[str, Variable] = {
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

MONTHLY: dict[str, Variable] = {
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
