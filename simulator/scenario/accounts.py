"""[accounts]: the region's annual accounts (räkenskaper): the plan, costs, levers, the budget deviation,
the balanskrav, the resultatreserv, the opening balance sheet and financing. docs/accounts.md gives
every rule.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from simulator.scenario.base import (
    EARLIEST_OPENING,
    LAST_YEAR_ALLOWED,
    Fraction,
    Msek,
    PlanAmount,
    Probability,
    RateLevel,
    RateVolatility,
    StrictModel,
    Year,
    check_year_keys,
    first_year,
    opening_year,
)


class Plan(StrictModel):
    """The region's adopted plan (Regionplan med budget), one value per plan year, all MSEK, nominal.
    Costs and financial costs are positive amounts (they are subtracted)."""

    years: list[int]  # empty: no plan year left (a run opened after the plan's last year)
    fees_and_sales_msek: list[PlanAmount]
    targeted_grants_msek: list[PlanAmount]
    operating_costs_msek: list[Annotated[float, Field(gt=0.0, le=100_000.0)]]  # a region always has costs
    depreciation_msek: list[PlanAmount]
    general_grants_msek: list[PlanAmount]
    drug_grant_msek: list[PlanAmount]
    financial_income_msek: list[PlanAmount]
    financial_costs_msek: list[PlanAmount]
    investments_msek: list[PlanAmount]
    new_borrowing_msek: list[PlanAmount]

    @model_validator(mode="after")
    def _aligned(self, info: ValidationInfo) -> "Plan":
        first = first_year(info)
        if self.years != list(range(first, first + len(self.years))):
            raise ValueError(f"years must run without gaps from {first} (got {self.years})")
        for name, value in self:
            if name != "years" and len(value) != len(self.years):
                raise ValueError(f"{name} must have one value per plan year ({len(self.years)} values)")
        return self


class CostType(StrictModel):
    """One type of operating cost (kostnadsslag): its amount in the opening year (the types' shares split the
    plan's total) and how its price and volume grow.
    Price growth = wage_weight x wage growth + kpi_weight x KPI inflation + pbb_weight x prisbasbelopp
    growth + real_trend_pa; the weights sum to 1."""

    opening_amount_msek: PlanAmount
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


class Costs(StrictModel):
    """Operating costs (verksamhetens kostnader) by type; the five amounts split the opening year's total."""

    personnel: CostType
    pensions: CostType
    purchased_care: CostType
    drugs: CostType
    other: CostType

    @model_validator(mode="after")
    def _a_total(self) -> "Costs":
        if sum(getattr(self, name).opening_amount_msek for name in type(self).model_fields) <= 0.0:
            raise ValueError("the cost types' opening_amount_msek must add up to more than 0 (their shares split "
                             "the plan's costs)")
        return self


class SavingsProgramme(StrictModel):
    """Savings programme (sparprogram), a policy lever: permanent cuts of the budgeted costs from the
    year given, in MSEK of that year or in % of that year's budget; kept (and indexed) afterwards.
    As a person says it: ``pct_per_year = 1.0`` with ``from_year = 2026`` and ``to_year = 2028`` cuts
    1 % of the budget in each of 2026, 2027 and 2028 (3 % in all from 2028 on)."""

    msek_by_year: dict[str, Msek] = {}
    pct_by_year: dict[str, Annotated[float, Field(ge=-50.0, le=50.0)]] = {}
    pct_per_year: Annotated[float, Field(ge=-50.0, le=50.0)] = 0.0
    from_year: Year | None = None
    to_year: Year | None = None

    _years = field_validator("msek_by_year", "pct_by_year")(check_year_keys)

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


class TaxRise(StrictModel):
    """A tax-rate change as a person says it: ``kr = 0.5`` from ``from_year = 2026`` (+50 öre from
    2026 on, on top of tax_rate_kr and tax_rate_from_year_kr)."""

    kr: Annotated[float, Field(ge=-5.0, le=5.0)] = 0.0
    from_year: Year | None = None

    @model_validator(mode="after")
    def _dated(self) -> "TaxRise":
        if self.kr != 0.0 and self.from_year is None:
            raise ValueError("kr needs from_year (the first year of the new rate)")
        return self


class BudgetDeviation(StrictModel):
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


class PlanSlippage(StrictModel):
    """Plan slippage (planglidning): the plan's years after the first are realised with a share of the
    cost growth the plan does not fund left unrealised. The plan holds costs below their price growth
    (Regionplan 2025-2027: flat, "ingen uppräkning", AR 3863-3877) and counts on efficiencies not yet
    named; ``unrealised_frac`` of that gap (the plan's first-year costs grown by the zero-shock price
    index, less the plan's costs) is added to the year's costs. 0 takes the plan at face value, 1
    gives the costs their price growth from the first plan year. The costs keep the level they slipped
    to after the plan. Fitted to the region's record of plan revisions (`simulator calibrate`,
    calibration/data/plan_record.csv, docs/policy.md); applied against the zero-shock plan, which
    stays the plan as adopted (the reaction rule's plan-year gap is measured against it)."""

    unrealised_frac: Probability = 0.0


class AfterPlan(StrictModel):
    """How the plan continues after its last year (documented in docs/accounts.md).

    General grants (generella statsbidrag och utjämning) are split: the income equalisation
    (inkomstutjämning) share follows the tax base one year late, the rest (kostnadsutjämning,
    regleringsbidrag: politically set) grows by ``general_grants_growth_pa`` with a political random
    walk of ``general_grants_volatility_pa``."""

    investments_msek: PlanAmount
    general_grants_growth_pa: RateLevel
    general_grants_volatility_pa: RateVolatility
    income_equalisation_share_frac: Probability


class Depreciation(StrictModel):
    """Depreciation (avskrivningar) by investment vintage: the opening stock declines at
    ``opening_stock_rate_frac`` of its remaining book value a year (many old vintages ending), each
    new investment is depreciated straight-line over ``useful_life_years`` from the year after."""

    opening_stock_rate_frac: Annotated[float, Field(gt=0.0, le=1.0)]
    useful_life_years: int = Field(ge=1, le=60)


class OpeningDeficit(StrictModel):
    """A negative balanskravsresultat still to restore: amount and the year it must be restored by."""

    from_year: int
    amount_msek: PlanAmount
    deadline_year: int

    @field_validator("from_year")
    @classmethod
    def _at_or_before_opening(cls, v: int, info: ValidationInfo) -> int:
        opening = opening_year(info)
        if not opening - 10 <= v <= opening:
            raise ValueError(f"must be in {opening - 10}..{opening}: a deficit from before the opening year-end "
                             f"(got {v})")
        return v

    @field_validator("deadline_year")
    @classmethod
    def _simulated(cls, v: int, info: ValidationInfo) -> int:
        if not first_year(info) <= v <= LAST_YEAR_ALLOWED:
            raise ValueError(f"must be in {first_year(info)}..{LAST_YEAR_ALLOWED} (got {v})")
        return v

    @model_validator(mode="after")
    def _deadline_after_origin(self) -> "OpeningDeficit":
        if self.deadline_year <= self.from_year:
            raise ValueError(f"deadline_year must be after from_year {self.from_year} (got {self.deadline_year})")
        return self


class BalanceRequirement(StrictModel):
    """Balanskrav rules: deficits, their deadlines, exemptions and the securities adjustment.

    ``deadline_by_year`` extends the deadline of a year's deficit by synnerliga skäl (the region
    extended 2024's and 2025's, AR 2865-2905): {"2025" = 2030} restores 2025's deficit by 2030
    instead of 2028. ``restore_order``: "oldest_first" (the AR's practice) or
    "earliest_deadline_first"."""

    opening_deficits: list[OpeningDeficit]
    restore_within_years: int = Field(ge=1, le=10)
    deadline_by_year: dict[str, Annotated[int, Field(ge=EARLIEST_OPENING, le=LAST_YEAR_ALLOWED + 10)]] = {}
    restore_order: Literal["oldest_first", "earliest_deadline_first"] = "oldest_first"
    synnerliga_skal_msek: dict[str, PlanAmount] = {}
    realised_gains_msek: dict[str, Msek] = {}

    _years = field_validator("synnerliga_skal_msek", "realised_gains_msek", "deadline_by_year")(
        check_year_keys)

    @model_validator(mode="after")
    def _extensions_after_origin(self) -> "BalanceRequirement":
        for year, deadline in self.deadline_by_year.items():
            if deadline <= int(year):
                raise ValueError(f"deadline_by_year: {year}'s deadline must be after {year} (got {deadline})")
        return self


class Resultatreserv(StrictModel):
    """Resultatreserv: the balanskravsresultat above threshold_frac of taxes and grants (while equity
    including the pension liability is negative; threshold_positive_equity_frac otherwise) may be
    reserved, up to cap_frac; it may cover a later negative result in a downturn (the year's tax-base
    growth below use_below_tax_base_growth_pa). ``opening_msek``: the reserve at the opening year-end."""

    enabled: bool
    opening_msek: PlanAmount = 0.0
    threshold_frac: Probability
    threshold_positive_equity_frac: Probability
    cap_frac: Probability
    use_for_deficits: bool
    use_below_tax_base_growth_pa: RateLevel


class Opening(StrictModel):
    """Balance sheet at the opening year-end (MSEK) and the rates in force then (the tax base: the opening
    year's, behind its tax revenue)."""

    fixed_assets_msek: PlanAmount
    financial_fixed_assets_msek: PlanAmount
    other_current_assets_msek: PlanAmount
    other_short_term_investments_msek: PlanAmount
    cash_msek: Msek
    equity_msek: Msek
    short_term_debt_msek: PlanAmount
    loans_msek: PlanAmount
    leasing_debt_msek: PlanAmount
    tax_base_msek: Annotated[float, Field(gt=0.0, le=1_000_000.0)]  # the opening year's, behind its tax revenue
    loan_rate_pa: RateLevel


class Financing(StrictModel):
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


class Accounts(StrictModel):
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
    plan_slippage: PlanSlippage = PlanSlippage()
    balance_requirement: BalanceRequirement
    resultatreserv: Resultatreserv
    opening: Opening
    financing: Financing

    _years = field_validator("tax_rate_from_year_kr")(check_year_keys)
