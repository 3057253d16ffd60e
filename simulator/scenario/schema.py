"""Scenario files: TOML validated by pydantic.

Conventions for field names (units in the name, as users script against them):
``_pa`` a rate as a fraction per year (0.02 = 2 % per year), ``_per_year`` a speed of mean reversion
[1/year], ``_per_month`` a probability per month, ``_msek`` million kronor, ``_sek`` kronor,
``_frac`` a dimensionless fraction. Every model has ``extra="forbid"``: a typo is an error, never a
silent default.

Errors reach the user as one line, ``FILE: FIELD: what is allowed`` (see :class:`ScenarioError`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from simulator.errors import InputError
from simulator.scenario.base import FIRST_YEAR, LAST_YEAR_ALLOWED, OPENING_YEAR, _Model
from simulator.scenario.goals import Goal, validate_goal_references

#: The order of the correlated shocks in the economic scenario generator (and in the kernel).
SHOCKS: tuple[str, ...] = (
    "inflation",
    "short_rate",
    "term_spread",
    "equity_sweden",
    "equity_global",
    "tax_base",
    "wage",
)



class ScenarioError(InputError):
    """Bad scenario input: carries one line naming the file, the field and what is allowed."""


Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Volatility = Annotated[float, Field(ge=0.0, le=2.0)]  # equity volatility [1/sqrt(year)]
RateVolatility = Annotated[float, Field(ge=0.0, le=0.2)]  # rates, inflation, tax-base growth
PassThrough = Annotated[float, Field(ge=0.0, le=2.0)]
RateLevel = Annotated[float, Field(ge=-0.5, le=1.0)]
MeanReversion = Annotated[float, Field(ge=0.0, le=50.0)]


def _check_year_keys(v: dict[str, Any], what: str = "keys") -> dict[str, Any]:
    for key in v:
        if not (key.isdigit() and FIRST_YEAR <= int(key) <= LAST_YEAR_ALLOWED):
            raise ValueError(f"{what} must be years {FIRST_YEAR}..{LAST_YEAR_ALLOWED} (got {key!r})")
    return v


class Simulation(_Model):
    """Time span of the simulation; months run from January ``start_year`` to December ``end_year``."""

    start_year: int = Field(description="first simulated year; the opening balance is 31 Dec 2024")
    end_year: int = Field(description="last simulated year (inclusive)")

    @field_validator("start_year")
    @classmethod
    def _start_is_after_opening(cls, v: int) -> int:
        if v != FIRST_YEAR:
            raise ValueError(
                f"must be {FIRST_YEAR}: the opening balance is 31 Dec {OPENING_YEAR} (got {v})"
            )
        return v

    @model_validator(mode="after")
    def _end_after_start(self) -> "Simulation":
        if not (self.start_year < self.end_year <= LAST_YEAR_ALLOWED):
            raise ValueError(
                f"end_year must be in {self.start_year + 1}..{LAST_YEAR_ALLOWED} (got {self.end_year})"
            )
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @property
    def n_months(self) -> int:
        return 12 * len(self.years)


class ShockRegime(_Model):
    """An inflation shock regime (a 2022-like episode): a Markov state in which KPI inflation
    reverts towards a higher level."""

    mean_pa: RateLevel
    entry_probability_per_month: Probability
    exit_probability_per_month: Probability


class Inflation(_Model):
    """KPI inflation, an Ornstein-Uhlenbeck process on the annualised log rate with a shock regime.

    Wages and the tax base follow *lagged* inflation (löneavtal and SKR's forecasts pass inflation on
    a year or so late): an exponential average of past monthly inflation with mean lag
    ``lag_months``, starting at ``lagged_initial_pa``."""

    initial_pa: RateLevel
    target_pa: RateLevel
    mean_reversion_per_year: MeanReversion
    volatility_pa: RateVolatility
    shock_regime: ShockRegime
    lag_months: Annotated[float, Field(ge=0.0, le=60.0)]
    lagged_initial_pa: RateLevel


class ShortRate(_Model):
    """Short interest rate (ränta; policy rate / STIBOR 3M), Vasicek towards real rate + inflation."""

    initial_pa: RateLevel
    real_long_run_pa: RateLevel
    inflation_pass_through: PassThrough
    mean_reversion_per_year: MeanReversion
    volatility_pa: RateVolatility
    floor_pa: RateLevel | None = None


class TermSpread(_Model):
    """Long rate minus short rate (10-year government yield minus short rate), Ornstein-Uhlenbeck."""

    initial_pa: RateLevel
    long_run_pa: RateLevel
    mean_reversion_per_year: MeanReversion
    volatility_pa: RateVolatility


class EquityRegime(_Model):
    """Log drift and volatility of equity total returns in one market regime."""

    sweden_log_drift_pa: float = Field(ge=-3.0, le=3.0)
    sweden_volatility_pa: Volatility
    global_log_drift_pa: float = Field(ge=-3.0, le=3.0)
    global_volatility_pa: Volatility


class Equity(_Model):
    """Equity total returns (börsavkastning), regime-switching lognormal (Hardy 2001), two markets."""

    calm: EquityRegime
    crash: EquityRegime
    crash_entry_probability_per_month: Probability
    crash_exit_probability_per_month: Probability
    sweden_weight_frac: Probability


class TaxBase(_Model):
    """Nominal growth of the tax base (skatteunderlag): SKR's expected path first, then real growth +
    pass-through x lagged inflation, with an Ornstein-Uhlenbeck deviation (the employment cycle)."""

    expected_growth_pa: dict[str, RateLevel]
    real_long_run_growth_pa: RateLevel
    inflation_pass_through: PassThrough
    mean_reversion_per_year: MeanReversion
    volatility_pa: RateVolatility

    @field_validator("expected_growth_pa")
    @classmethod
    def _years_are_years(cls, v: dict[str, float]) -> dict[str, float]:
        _check_year_keys(v)
        years = sorted(int(k) for k in v)
        if years and years != list(range(FIRST_YEAR, years[-1] + 1)):
            raise ValueError(f"years must run without gaps from {FIRST_YEAR} (got {years})")
        return v


class Wage(_Model):
    """Nominal wage growth (löneutveckling), the price of personnel costs and the inkomstbasbelopp:
    real wage growth + pass-through x lagged inflation, with an Ornstein-Uhlenbeck deviation whose
    shock is correlated with, but not equal to, the tax base's."""

    real_growth_pa: RateLevel
    inflation_pass_through: PassThrough
    mean_reversion_per_year: MeanReversion
    volatility_pa: RateVolatility


class Prisbasbelopp(_Model):
    """Prisbasbelopp [SEK]: the known amounts, then the legal rule (KPI June to June, to 100 SEK)."""

    known_sek: dict[str, float]

    @field_validator("known_sek")
    @classmethod
    def _known_years(cls, v: dict[str, float]) -> dict[str, float]:
        years = sorted(int(k) for k in v if k.isdigit())
        if len(years) != len(v) or years[:2] != [OPENING_YEAR, OPENING_YEAR + 1]:
            raise ValueError(
                f"keys must be years starting {OPENING_YEAR}, {OPENING_YEAR + 1} (the rule needs KPI "
                f"from June {OPENING_YEAR} on) (got {list(v)})"
            )
        if years != list(range(OPENING_YEAR, years[-1] + 1)):
            raise ValueError(f"years must run without gaps (got {years})")
        if any(not (10_000 <= x <= 1_000_000) for x in v.values()):
            raise ValueError("amounts must be in 10000..1000000 SEK")
        return v


class Correlation(_Model):
    """Correlation of the monthly shocks of the economic drivers."""

    drivers: list[str]
    matrix: list[list[float]]

    @model_validator(mode="after")
    def _valid_correlation(self) -> "Correlation":
        if sorted(self.drivers) != sorted(SHOCKS) or len(set(self.drivers)) != len(SHOCKS):
            raise ValueError(f"drivers must name each of {', '.join(SHOCKS)} once (got {self.drivers})")
        n = len(self.drivers)
        if len(self.matrix) != n or any(len(row) != n for row in self.matrix):
            raise ValueError(f"matrix must be {n}x{n}, one row and column per driver")
        m = np.asarray(self.matrix, dtype=float)
        if not np.all(np.isfinite(m)) or np.any(np.abs(m) > 1.0):
            raise ValueError("matrix entries must be finite and within [-1, 1]")
        if not np.allclose(np.diag(m), 1.0, atol=1e-12, rtol=0.0):
            raise ValueError("matrix must have a unit diagonal")
        asym = np.argwhere(np.abs(m - m.T) > 1e-12)
        if asym.size:
            i, j = asym[0]
            raise ValueError(
                f"matrix must be symmetric (row {i} column {j} is {m[i, j]} but row {j} column {i} "
                f"is {m[j, i]})"
            )
        smallest = float(np.linalg.eigvalsh(m).min())
        if smallest < -1e-10:
            raise ValueError(
                f"matrix must be positive semi-definite (smallest eigenvalue {smallest:.4g})"
            )
        return self

    def ordered(self) -> np.ndarray:
        """The matrix with rows and columns in kernel order (:data:`SHOCKS`)."""
        idx = [self.drivers.index(name) for name in SHOCKS]
        m = np.asarray(self.matrix, dtype=float)
        return m[np.ix_(idx, idx)]


class Economy(_Model):
    """The economic scenario generator (ekonomiskt scenario): all drivers and their correlation."""

    inflation: Inflation
    short_rate: ShortRate
    term_spread: TermSpread
    equity: Equity
    tax_base: TaxBase
    wage: Wage
    prisbasbelopp: Prisbasbelopp
    correlation: Correlation


PlanAmount = Annotated[float, Field(ge=0.0, le=100_000.0)]
Msek = Annotated[float, Field(ge=-100_000.0, le=100_000.0)]
Fraction = Annotated[float, Field(ge=-1.0, le=1.0)]


class Plan(_Model):
    """The region's adopted plan (Regionplan med budget), one value per plan year, all MSEK, nominal.
    Costs and financial costs are positive amounts (they are subtracted)."""

    years: list[int] = Field(min_length=1)
    fees_and_sales_msek: list[PlanAmount]
    targeted_grants_msek: list[PlanAmount]
    operating_costs_msek: list[PlanAmount]
    depreciation_msek: list[PlanAmount]
    general_grants_msek: list[PlanAmount]
    drug_grant_msek: list[PlanAmount]
    financial_income_msek: list[PlanAmount]
    financial_costs_msek: list[PlanAmount]
    investments_msek: list[PlanAmount]
    new_borrowing_msek: list[PlanAmount]

    @model_validator(mode="after")
    def _aligned(self) -> "Plan":
        if self.years != list(range(FIRST_YEAR, FIRST_YEAR + len(self.years))):
            raise ValueError(f"years must run without gaps from {FIRST_YEAR} (got {self.years})")
        for name, value in self:
            if name != "years" and len(value) != len(self.years):
                raise ValueError(f"{name} must have one value per plan year ({len(self.years)} values)")
        return self


class CostType(_Model):
    """One type of operating cost (kostnadsslag): its 2024 amount and how its price and volume grow.
    Price growth = wage_weight x wage growth + kpi_weight x KPI inflation + pbb_weight x prisbasbelopp
    growth + real_trend_pa; the weights sum to 1."""

    amount_2024_msek: PlanAmount
    wage_weight: Probability
    kpi_weight: Probability
    pbb_weight: Probability
    real_trend_pa: RateLevel = 0.0
    volume_growth_pa: RateLevel = 0.0

    @model_validator(mode="after")
    def _weights(self) -> "CostType":
        total = self.wage_weight + self.kpi_weight + self.pbb_weight
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"wage_weight + kpi_weight + pbb_weight must be 1 (got {total:g})")
        return self


class Costs(_Model):
    """Operating costs (verksamhetens kostnader) by type; the five amounts split 2024's total."""

    personnel: CostType
    pensions: CostType
    purchased_care: CostType
    drugs: CostType
    other: CostType


Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR_ALLOWED)]


class SavingsProgramme(_Model):
    """Savings programme (sparprogram), a policy lever: permanent cuts of the budgeted costs from the
    year given, in MSEK of that year or in % of that year's budget; kept (and indexed) afterwards.
    As a person says it: ``pct_per_year = 1.0`` with ``from_year = 2026`` and ``to_year = 2028`` cuts
    1 % of the budget in each of 2026, 2027 and 2028 (3 % in all from 2028 on)."""

    msek_by_year: dict[str, Msek] = {}
    pct_by_year: dict[str, Annotated[float, Field(ge=-50.0, le=50.0)]] = {}
    pct_per_year: Annotated[float, Field(ge=-50.0, le=50.0)] = 0.0
    from_year: Year | None = None
    to_year: Year | None = None

    _years = field_validator("msek_by_year", "pct_by_year")(_check_year_keys)

    @model_validator(mode="after")
    def _span(self) -> "SavingsProgramme":
        if self.pct_per_year != 0.0 and (self.from_year is None or self.to_year is None):
            raise ValueError("pct_per_year needs from_year and to_year (the years it applies, inclusive)")
        if self.from_year is not None and self.to_year is not None and self.from_year > self.to_year:
            raise ValueError(f"from_year must not be after to_year (got {self.from_year} > {self.to_year})")
        return self

    def pct_in(self, year: int) -> float:
        """The % cut of the year's budget: by year, plus the programme's from from_year to to_year."""
        dated = self.pct_per_year if self.from_year is not None and self.from_year <= year <= self.to_year else 0.0
        return self.pct_by_year.get(str(year), 0.0) + dated


class TaxRise(_Model):
    """A tax-rate change as a person says it: ``kr = 0.5`` from ``from_year = 2026`` (+50 öre from
    2026 on, on top of tax_rate_kr and tax_rate_from_year_kr)."""

    kr: Annotated[float, Field(ge=-5.0, le=5.0)] = 0.0
    from_year: Year | None = None

    @model_validator(mode="after")
    def _dated(self) -> "TaxRise":
        if self.kr != 0.0 and self.from_year is None:
            raise ValueError("kr needs from_year (the first year of the new rate)")
        return self


class BudgetDeviation(_Model):
    """Budget deviation (budgetavvikelse) of the result, as a fraction of taxes and general grants.

    A persistent level: L_Y = persistence x L_{Y-1} + (1 - persistence) x mean_frac
    + volatility_frac x sqrt(1 - persistence^2) x eps_Y, so that the level's long-run mean and sd are
    mean_frac and volatility_frac, the moments of the record of outcome against budget (fitted by
    `simulator calibrate`, docs/calibration.md section 8), and a deviation fades by (1 - persistence)
    a year unless the reaction rule's measures close it first. Booked as L_Y x taxes and grants in
    operating costs (positive = better than budget). Zero in a deterministic run (the plan as stated).
    """

    initial_frac: Fraction
    mean_frac: Fraction
    volatility_frac: Annotated[float, Field(ge=0.0, le=0.5)]
    persistence: Annotated[float, Field(ge=0.0, le=0.99)]


class AfterPlan(_Model):
    """How the plan continues after its last year (documented in docs/accounts.md).

    General grants (generella statsbidrag och utjämning) are split: the income equalisation
    (inkomstutjämning) share follows the tax base one year late, the rest (kostnadsutjämning,
    regleringsbidrag: politically set) grows by ``general_grants_growth_pa`` with a political random
    walk of ``general_grants_volatility_pa``."""

    investments_msek: PlanAmount
    general_grants_growth_pa: RateLevel
    general_grants_volatility_pa: RateVolatility
    income_equalisation_share_frac: Probability


class Depreciation(_Model):
    """Depreciation (avskrivningar) by investment vintage: the opening stock declines at
    ``opening_stock_rate_frac`` of its remaining book value a year (many old vintages ending), each
    new investment is depreciated straight-line over ``useful_life_years`` from the year after."""

    opening_stock_rate_frac: Annotated[float, Field(gt=0.0, le=1.0)]
    useful_life_years: int = Field(ge=1, le=60)


class OpeningDeficit(_Model):
    """A negative balanskravsresultat still to restore: amount and the year it must be restored by."""

    from_year: int = Field(ge=OPENING_YEAR - 10, le=OPENING_YEAR)
    amount_msek: PlanAmount
    deadline_year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR_ALLOWED)

    @model_validator(mode="after")
    def _deadline_after_origin(self) -> "OpeningDeficit":
        if self.deadline_year <= self.from_year:
            raise ValueError(f"deadline_year must be after from_year {self.from_year} (got {self.deadline_year})")
        return self


class BalanceRequirement(_Model):
    """Balanskrav rules: deficits, their deadlines, exemptions and the securities adjustment.

    ``deadline_by_year`` extends the deadline of a year's deficit by synnerliga skäl (the region
    extended 2024's and 2025's, AR 2865-2905): {"2025" = 2030} restores 2025's deficit by 2030
    instead of 2028. ``restore_order``: "oldest_first" (the AR's practice) or
    "earliest_deadline_first"."""

    opening_deficits: list[OpeningDeficit]
    restore_within_years: int = Field(ge=1, le=10)
    deadline_by_year: dict[str, Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR_ALLOWED + 10)]] = {}
    restore_order: Literal["oldest_first", "earliest_deadline_first"] = "oldest_first"
    synnerliga_skal_msek: dict[str, PlanAmount] = {}
    realised_gains_msek: dict[str, Msek] = {}

    _years = field_validator("synnerliga_skal_msek", "realised_gains_msek", "deadline_by_year")(
        _check_year_keys)

    @model_validator(mode="after")
    def _extensions_after_origin(self) -> "BalanceRequirement":
        for year, deadline in self.deadline_by_year.items():
            if deadline <= int(year):
                raise ValueError(f"deadline_by_year: {year}'s deadline must be after {year} (got {deadline})")
        return self


class Resultatreserv(_Model):
    """Resultatreserv: the balanskravsresultat above threshold_frac of taxes and grants (while equity
    including the pension liability is negative; threshold_positive_equity_frac otherwise) may be
    reserved, up to cap_frac; it may cover a later negative result in a downturn (the year's tax-base
    growth below use_below_tax_base_growth_pa)."""

    enabled: bool
    threshold_frac: Probability
    threshold_positive_equity_frac: Probability
    cap_frac: Probability
    use_for_deficits: bool
    use_below_tax_base_growth_pa: RateLevel


class Opening(_Model):
    """Balance sheet at 31 Dec 2024 (MSEK) and the rates in force then."""

    fixed_assets_msek: PlanAmount
    financial_fixed_assets_msek: PlanAmount
    other_current_assets_msek: PlanAmount
    other_short_term_investments_msek: PlanAmount
    cash_msek: Msek
    equity_msek: Msek
    short_term_debt_msek: PlanAmount
    loans_msek: PlanAmount
    leasing_debt_msek: PlanAmount
    tax_base_msek: PlanAmount
    loan_rate_pa: RateLevel


class Financing(_Model):
    """Borrowing (upplåning) as the region manages it: borrow to keep min_cash, within the lower of the
    nominal loan limit (låneram) and the debt ceiling (skuldsättningstak: interest-bearing debt excl.
    the pension debt over taxes and general grants); beyond that the overdraft facility
    (checkräkningskredit); a need beyond both is still met (a region cannot run out of cash) but is a
    breach that triggers the reaction rule. Repay above repay_above_cash. Loan rate = short rate +
    spread, refixed over rate_fixing_years; the overdraft costs the loan rate + overdraft_spread_pa."""

    loan_limit_msek: PlanAmount
    debt_ceiling_frac: Annotated[float, Field(gt=0.0, le=2.0)]
    overdraft_msek: PlanAmount
    overdraft_spread_pa: RateLevel
    min_cash_msek: Msek
    repay_above_cash_msek: Msek
    loan_spread_pa: RateLevel
    rate_fixing_years: Annotated[float, Field(gt=0.0, le=30.0)]
    cash_rate_spread_pa: RateLevel
    other_financial_costs_msek: PlanAmount


class Accounts(_Model):
    """The region's annual accounts (räkenskaper)."""

    tax_rate_kr: Annotated[float, Field(gt=0.0, le=40.0)]
    tax_rate_from_year_kr: dict[str, Annotated[float, Field(gt=0.0, le=40.0)]] = {}
    tax_rise: TaxRise = TaxRise()
    plan: Plan
    after_plan: AfterPlan
    costs: Costs
    depreciation: Depreciation
    savings_programme: SavingsProgramme = SavingsProgramme()
    budget_deviation: BudgetDeviation
    balance_requirement: BalanceRequirement
    resultatreserv: Resultatreserv
    opening: Opening
    financing: Financing

    _years = field_validator("tax_rate_from_year_kr")(_check_year_keys)


class PensionObligation(_Model):
    """The pension obligation (pensionsskuld) from the administrator's projection, extended after the
    projection by its own average growth. The ansvarsförbindelse (pensions in payment, pre-1998
    rights) is indexed by the simulated prisbasbelopp; of the provision (avsättning), the share
    ``income_indexed_share_frac`` (active members' benefits, which follow pay through the
    inkomstbasbelopp) is indexed by the inkomstbasbelopp and the rest by the prisbasbelopp."""

    projection_years: list[int]
    provision_msek: list[PlanAmount]
    liability_msek: list[PlanAmount]
    rips_real_rate_pa: RateLevel
    income_indexed_share_frac: Probability

    @model_validator(mode="after")
    def _aligned(self) -> "PensionObligation":
        n = len(self.projection_years)
        if self.projection_years != list(range(OPENING_YEAR, OPENING_YEAR + n)) or n < 2:
            raise ValueError(f"projection_years must run without gaps from {OPENING_YEAR}, at least 2 years")
        if len(self.provision_msek) != n or len(self.liability_msek) != n:
            raise ValueError("provision_msek and liability_msek need one value per projection year")
        if min(self.provision_msek) <= 0 or min(self.liability_msek) <= 0:
            raise ValueError("projected amounts must be positive")
        return self


class PensionPortfolio(_Model):
    """The pension portfolio (pensionsmedel) at market value: equities (the economy's Swedish/global
    mix) and SEK fixed income of a given duration; the managers' fee is taken monthly from the value."""

    opening_value_msek: PlanAmount
    opening_equity_share_frac: Probability
    opening_unrealised_gains_msek: Msek
    strategic_equity_share_frac: Probability
    fixed_income_duration_years: Annotated[float, Field(ge=0.0, le=30.0)]
    turnover_frac: Probability  # share of the unrealised gains realised a year by the managers' trading
    management_fee_pa: Annotated[float, Field(ge=0.0, le=0.05)]


class RiskRule(_Model):
    """Dynamiska riskprincipen: the portfolio may fall at most 1 - protection_frac from the highest
    level of its unit index in the last window_months; w_max = margin / assumed_crash_frac clipped to
    [0, equity_cap_frac]; equity share = min(strategic share, w_max). The rule is evaluated every month
    and acted on every rebalance_every_months (4 = per tertial, as the region follows it up), and at
    once in a month where w_max is below the held share by more than immediate_trigger_frac (when
    set). The opening margin and the age of the opening high describe 2024."""

    protection_frac: Annotated[float, Field(gt=0.0, lt=1.0)]
    window_months: int = Field(ge=1, le=30)
    assumed_crash_frac: Annotated[float, Field(gt=0.0, le=1.0)]
    equity_cap_frac: Probability
    rebalance_every_months: int = Field(ge=1, le=12)
    immediate_trigger_frac: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    opening_margin_frac: Annotated[float, Field(ge=-1.0, lt=1.0)]
    opening_high_age_months: int = Field(ge=0, le=29)

    @model_validator(mode="after")
    def _age_inside_window(self) -> "RiskRule":
        if self.opening_high_age_months >= self.window_months:
            raise ValueError(f"opening_high_age_months must be below window_months ({self.window_months})")
        return self


class Deposits(_Model):
    """Deposits to the pension portfolio (avsättning till pensionsmedel), a policy lever decided at each
    year end "from the room in the result and the liquidity": none, a fixed amount, or a share of the
    result above threshold_frac of taxes and grants; never from borrowed money, never below minimum
    cash. Optionally withdraw a share of the year's pension costs from the portfolio."""

    policy: Literal["none", "fixed", "share_of_surplus"]
    from_year: Year | None = None  # lever: the policy applies from this year (none before it)
    fixed_msek: PlanAmount = 0.0
    surplus_share_frac: Probability = 0.0
    surplus_threshold_frac: Probability = 0.0
    withdraw_share_of_pension_costs_frac: Probability = 0.0


class Pension(_Model):
    obligation: PensionObligation
    portfolio: PensionPortfolio
    risk_rule: RiskRule
    deposits: Deposits

    @model_validator(mode="after")
    def _strategic_within_cap(self) -> "Pension":
        if self.portfolio.strategic_equity_share_frac > self.risk_rule.equity_cap_frac:
            raise ValueError("portfolio.strategic_equity_share_frac must not exceed risk_rule.equity_cap_frac")
        return self


# --------------------------------------------------------------------------------------------------
# the region's own reactions (åtgärdsplan): docs/policy.md


class ReactionSavings(_Model):
    """Savings decided by the reaction rule, in % of the year's budgeted costs (phased in by the cap
    per year, kept afterwards)."""

    max_per_year_pct: Annotated[float, Field(ge=0.0, le=20.0)]
    max_total_pct: Annotated[float, Field(ge=0.0, le=50.0)]


class ReactionTax(_Model):
    """Tax-rate rises (skattehöjning) decided by the reaction rule, in kr per 100 kr (0.5 = 50 öre),
    in steps of step_kr."""

    max_per_year_kr: Annotated[float, Field(ge=0.0, le=5.0)]
    max_total_kr: Annotated[float, Field(ge=0.0, le=10.0)]
    step_kr: Annotated[float, Field(gt=0.0, le=1.0)]


class ReactionSynnerligaSkal(_Model):
    """Synnerliga skäl for inflation-driven pension costs: in a year whose prisbasbelopp grows by more
    than pbb_growth_above_pa, the pension costs caused by the growth above normal_pbb_growth_pa are
    exempt from restoration (the region did so for 2023 and 2024, AR 2880-2890)."""

    enabled: bool
    pbb_growth_above_pa: RateLevel
    normal_pbb_growth_pa: RateLevel


class ReactionSymmetric(_Model):
    """Optionally symmetric: a balanskravsresultat above (aim + above_target_frac) x taxes and grants,
    with no deficit left, is spent the next year (earlier reaction savings undone first, then new
    spending), ``strength_frac`` of the excess a year, up to max_total_pct of costs."""

    enabled: bool
    above_target_frac: Probability
    strength_frac: Probability = 0.5
    max_total_pct: Annotated[float, Field(ge=0.0, le=50.0)]


class Reaction(_Model):
    """The reaction rule (åtgärdsplan, kommunallagen 11 kap. 12 §): at each year end, a trigger (an
    outstanding balanskrav deficit, a result below the target, debt above the ceiling) leads to measures
    decided that year and in effect from the next: savings, then tax (in ``order``), each within its
    caps, sized to close ``strength_frac`` of the gap to ``aim_result_frac`` (a budget planned with a
    margin above the target); deposits to the pension fund paused while triggered. docs/policy.md gives the gap and the evidence behind every default."""

    enabled: bool
    strength_frac: Probability = 1.0
    target_result_frac: Probability = 0.02
    aim_result_frac: Probability = 0.02
    on_deficit: bool = True
    on_result_below_target: bool = True
    on_debt_above_ceiling: bool = True
    debt_correction_years: Annotated[float, Field(ge=1.0, le=20.0)] = 2.0
    order: list[Literal["savings", "tax"]] = ["savings", "tax"]
    pause_deposits: bool = True
    savings: ReactionSavings = ReactionSavings(max_per_year_pct=0.0, max_total_pct=0.0)
    tax: ReactionTax = ReactionTax(max_per_year_kr=0.0, max_total_kr=0.0, step_kr=0.01)
    synnerliga_skal: ReactionSynnerligaSkal = ReactionSynnerligaSkal(
        enabled=False, pbb_growth_above_pa=0.0, normal_pbb_growth_pa=0.0)
    symmetric: ReactionSymmetric = ReactionSymmetric(enabled=False, above_target_frac=0.0, strength_frac=0.0,
                                                     max_total_pct=0.0)

    @field_validator("order")
    @classmethod
    def _each_once(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError(f"must name each instrument once (got {v})")
        return v


class Policy(_Model):
    """Policy in force beyond the plan: the reaction rule (off = oförändrad politik)."""

    name: str = Field(min_length=1, max_length=80)
    reaction: Reaction


StressDriver = Literal["inflation", "short_rate", "equity_return", "equity_return_sweden",
                       "equity_return_global", "tax_base_growth", "wage_growth", "inflation_regime",
                       "equity_regime"]
_MONTH = r"^\d{4}(-(0[1-9]|1[0-2]))?$"


class StressSetting(_Model):
    """One driver set in the months from ``start`` to ``end`` ("2026" or "2026-09"; a year means all its
    months), on every path; the model carries on from it (docs/model.md "Stress scenarios").

    - inflation, short_rate: the annual rate held in each month (inflation effective, e.g. 0.06);
    - equity_return (both markets), equity_return_sweden/_global, tax_base_growth, wage_growth: either
      ``value`` per year (effective, e.g. -0.39 for a 2008-like year) or ``total`` over the span;
    - inflation_regime ("shock" or "normal"), equity_regime ("crash" or "calm"): ``regime``."""

    driver: StressDriver
    start: str = Field(pattern=_MONTH)
    end: str = Field(pattern=_MONTH)
    value: Annotated[float, Field(ge=-0.95, le=2.0)] | None = None
    total: Annotated[float, Field(ge=-0.99, le=10.0)] | None = None
    regime: Literal["shock", "normal", "crash", "calm"] | None = None

    @model_validator(mode="after")
    def _one_value(self) -> "StressSetting":
        regimes = {"inflation_regime": ("shock", "normal"), "equity_regime": ("crash", "calm")}
        if self.driver in regimes:
            if self.regime not in regimes[self.driver] or self.value is not None or self.total is not None:
                raise ValueError(f"{self.driver} takes regime = {' or '.join(map(repr, regimes[self.driver]))} "
                                 "and no value or total")
        elif self.regime is not None:
            raise ValueError(f"{self.driver} takes value (or total), not regime")
        elif self.driver in ("inflation", "short_rate"):
            if self.value is None or self.total is not None:
                raise ValueError(f"{self.driver} takes value (the annual rate in each month), not total")
        elif (self.value is None) == (self.total is None):
            raise ValueError(f"{self.driver} takes either value (per year) or total (over the span)")
        return self


class Stress(_Model):
    """A stress scenario: drivers set in given months, carried through the model (KPI to costs, the
    prisbasbelopp, rates, wages and the tax base). It applies to the simulated paths, not to the
    zero-shock path the plan years are measured against, so the plan years show its full effect."""

    description: str = ""
    set: list[StressSetting] = Field(min_length=1)


class CalibrationInfo(_Model):
    """What `simulator calibrate` knows of its fits: the standard error of each fitted parameter by its
    dotted path (economy.inflation.volatility_pa = 0.0095), for --parameter-uncertainty."""

    standard_errors: dict[str, Annotated[float, Field(ge=0.0, le=1e3)]] = {}


class Scenario(_Model):
    """A whole scenario file."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*$")
    description: str = ""
    simulation: Simulation
    economy: Economy
    accounts: Accounts
    pension: Pension
    policy: Policy
    stress: Stress | None = None
    calibration: CalibrationInfo = CalibrationInfo()
    goals: dict[str, Goal] = {}

    @model_validator(mode="after")
    def _path_years_inside_simulation(self) -> "Scenario":
        from simulator.variables import ANNUAL

        last = self.simulation.end_year
        if self.accounts.plan.years[-1] > last:
            raise ValueError(f"accounts.plan.years: {self.accounts.plan.years[-1]} is after "
                             f"simulation.end_year {last}")
        try:
            validate_goal_references(self.goals, set(ANNUAL), self.simulation.years)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        for key in self.economy.tax_base.expected_growth_pa:
            if int(key) > last:
                raise ValueError(
                    f"economy.tax_base.expected_growth_pa: year {key} is after simulation.end_year {last}"
                )
        for i, item in enumerate(self.stress.set if self.stress else []):
            first, end = _month_index(item.start, False), _month_index(item.end, True)
            if not (0 <= first <= end < self.simulation.n_months):
                raise ValueError(f"stress.set[{i}]: start {item.start} to end {item.end} must run forwards "
                                 f"within {FIRST_YEAR}-01..{last}-12")
        return self


def _month_index(text: str, end: bool) -> int:
    """Month index from January of the first simulated year: "2026" is 12 (start) or 23 (end)."""
    year, _, month = text.partition("-")
    if month:
        return 12 * (int(year) - FIRST_YEAR) + int(month) - 1
    return 12 * (int(year) - FIRST_YEAR) + (11 if end else 0)


# --------------------------------------------------------------------------------------------------
# loading and error messages


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _allowed_fields(loc: tuple[Any, ...]) -> list[str]:
    """The field names a model accepts at the parent of ``loc`` (for 'unknown field' messages)."""
    model: Any = Scenario
    for item in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(item)
        if field is None:
            return []
        ann = field.annotation
        candidates = [ann, *getattr(ann, "__args__", ())]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return []
    return sorted(getattr(model, "model_fields", {}))


_TOML_TYPES = {bool: "boolean", int: "integer", float: "float", str: "string"}


def _describe(error: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_fields(loc)
        hint = f" (allowed here: {', '.join(allowed)})" if allowed else ""
        return f"{_field_path(loc)}: unknown field{hint}"
    if kind == "missing":
        return f"{_field_path(loc)}: required field is missing"
    msg = str(error["msg"]).removeprefix("Value error, ")
    if kind != "value_error" and "input" in error and not isinstance(error["input"], dict | list):
        value = error["input"]
        shown = ("true" if value else "false") if isinstance(value, bool) else repr(value)
        if kind.endswith("_type"):  # strict types: say which TOML type was given instead
            shown += f", a TOML {_TOML_TYPES.get(type(value), type(value).__name__)}"
        msg = f"{msg} (got {shown})"
    elif kind.endswith("_type") and isinstance(error.get("input"), dict | list):  # not shown: may be long
        msg = f"{msg} (got a TOML {'table' if isinstance(error['input'], dict) else 'array'})"
    # model-level validators report at the model's location; their message names the field itself
    return f"{_field_path(loc)}: {msg}" if loc else msg


def format_validation_error(source: str, exc: ValidationError) -> str:
    errors = exc.errors()
    line = f"{source}: {_describe(errors[0])}"
    if len(errors) > 1:
        line += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return line


def parse_scenario(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(source, exc)) from None


def _read_toml(path: Path, named: str) -> dict[str, Any]:
    # safeio refuses FIFOs, devices, huge files and NUL bytes in the path before reading, and maps
    # every parse failure (deep nesting included) onto one line
    from simulator.io.safeio import InputFileError, read_toml

    try:
        return read_toml(path, named)
    except InputFileError as exc:
        raise ScenarioError(str(exc)) from None


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value in ``override`` replaces the one in ``base``."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def with_values(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of scenario data with fields set by their dotted paths
    (``{"policy.reaction.strength_frac": 0.25}``), laid over it key by key like an included file."""
    out = data
    for dotted, value in values.items():
        node: Any = value
        for key in reversed(dotted.split(".")):
            node = {key: node}
        out = _merge(out, node)
    return out


#: How deep includes may nest (a variant over base.toml over the calibrated economy is depth 2).
MAX_INCLUDE_DEPTH = 8


def _included(path: Path, named: str, trail: tuple[Path, ...]) -> tuple[dict[str, Any], list[Path]]:
    """The file's tables with its includes resolved (depth first, in order, each laid under the file's
    own tables), and every file read. Cycles and nesting deeper than MAX_INCLUDE_DEPTH are errors."""
    data = _read_toml(path, named)  # first: it refuses what is not a readable file (a NUL, a FIFO)
    here = path.resolve()
    if here in trail:
        cycle = " -> ".join(str(p) for p in (*trail[trail.index(here):], here))
        raise ScenarioError(f"{named}: include: the files include each other in a cycle ({cycle})")
    if len(trail) > MAX_INCLUDE_DEPTH:
        raise ScenarioError(f"{named}: include: nested more than {MAX_INCLUDE_DEPTH} files deep")
    includes = data.pop("include", [])
    if not isinstance(includes, list) or not all(isinstance(i, str) and i for i in includes):
        raise ScenarioError(f"{named}: include: must be a list of file paths (got {includes!r})")
    merged: dict[str, Any] = {}
    files = [path]
    for name in includes:
        part, read = _included(path.parent / name, f"{path}: include {name!r}", (*trail, here))
        merged = _merge(merged, part)
        files += read
    return _merge(merged, data), files


def resolve_scenario_data(path: str | Path) -> tuple[dict[str, Any], list[Path]]:
    """The scenario's data with every include resolved, and the files it was read from."""
    path = Path(path)
    return _included(path, str(path), ())


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise :class:`ScenarioError` with a one-line message.

    ``include = ["base.toml"]`` at the top of a scenario reads those files first (paths relative to the
    including file, in order; an included file may include others) and lays the scenario's own tables
    over them, key by key: a scenario takes its calibrated economy from one file, a policy variant
    takes everything from base.toml, and each overrides single values.
    """
    data, files = resolve_scenario_data(path)
    return parse_scenario(data, scenario_source(path, files))


def scenario_source(path: str | Path, files: list[Path]) -> str:
    """How error lines name a scenario: the file, and the files it includes as it names them."""
    shown = [os.path.relpath(f, Path(path).parent) for f in files[1:]]
    return str(path) if len(files) == 1 else f"{path} (with {', '.join(shown)})"


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain data (stored with every result)."""
    return scenario.model_dump(mode="json")
