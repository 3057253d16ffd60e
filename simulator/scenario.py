"""Scenario files: TOML validated by pydantic.

Conventions for field names (units in the name, as users script against them):
``_pa`` a rate as a fraction per year (0.02 = 2 % per year), ``_per_year`` a speed of mean reversion
[1/year], ``_per_month`` a probability per month, ``_msek`` million kronor, ``_sek`` kronor,
``_frac`` a dimensionless fraction. Every model has ``extra="forbid"``: a typo is an error, never a
silent default.

Errors reach the user as one line, ``FILE: FIELD: what is allowed`` (see :class:`ScenarioError`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from simulator._model import FIRST_YEAR, LAST_YEAR_ALLOWED, OPENING_YEAR, _Model
from simulator.goals import Goal, validate_goal_references

#: The order of the correlated shocks in the economic scenario generator (and in the kernel).
SHOCKS: tuple[str, ...] = (
    "inflation",
    "short_rate",
    "term_spread",
    "equity_sweden",
    "equity_global",
    "tax_base",
)



class ScenarioError(Exception):
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
    """KPI inflation, an Ornstein-Uhlenbeck process on the annualised log rate with a shock regime."""

    initial_pa: RateLevel
    target_pa: RateLevel
    mean_reversion_per_year: MeanReversion
    volatility_pa: RateVolatility
    shock_regime: ShockRegime


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
    inflation pass-through, with an Ornstein-Uhlenbeck deviation."""

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
    employment_growth_pa: RateLevel


class SavingsProgramme(_Model):
    """Savings programme (sparprogram), a policy lever: permanent cuts of the budgeted costs from the
    year given, in MSEK of that year or in % of that year's budget; kept (and indexed) afterwards."""

    msek_by_year: dict[str, Msek] = {}
    pct_by_year: dict[str, Annotated[float, Field(ge=-50.0, le=50.0)]] = {}

    _years = field_validator("msek_by_year", "pct_by_year")(_check_year_keys)


class CostOverrun(_Model):
    """Budget overrun (budgetavvikelse) as a fraction of budgeted costs, AR(1):
    o_Y = mean + persistence (o_{Y-1} - mean) + volatility eps_Y. Zero in a deterministic run."""

    initial_frac: Fraction
    mean_frac: Fraction
    persistence: Annotated[float, Field(ge=0.0, lt=1.0)]
    volatility_frac: Annotated[float, Field(ge=0.0, le=0.5)]


class AfterPlan(_Model):
    """How the plan continues after its last year (documented in docs/accounts.md)."""

    investments_msek: PlanAmount
    general_grants_growth_pa: RateLevel
    general_grants_volatility_pa: RateVolatility


class OpeningDeficit(_Model):
    """A negative balanskravsresultat still to restore: amount and the year it must be restored by."""

    from_year: int
    amount_msek: PlanAmount
    deadline_year: int


class BalanceRequirement(_Model):
    """Balanskrav rules: deficits, their deadlines, exemptions and the securities adjustment."""

    opening_deficits: list[OpeningDeficit]
    restore_within_years: int = Field(ge=1, le=10)
    synnerliga_skal_msek: dict[str, PlanAmount] = {}
    realised_gains_msek: dict[str, Msek] = {}

    _years = field_validator("synnerliga_skal_msek", "realised_gains_msek")(_check_year_keys)


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
    """Borrowing rule (upplåning) and interest: borrow to keep min_cash, within the limit; repay above
    repay_above_cash. Loan rate = short rate + spread, refixed over rate_fixing_years."""

    loan_limit_msek: PlanAmount
    min_cash_msek: Msek
    repay_above_cash_msek: Msek
    loan_spread_pa: RateLevel
    rate_fixing_years: Annotated[float, Field(gt=0.0, le=30.0)]
    cash_rate_spread_pa: RateLevel
    other_financial_costs_msek: PlanAmount
    depreciation_rate_frac: Probability


class Accounts(_Model):
    """The region's annual accounts (räkenskaper)."""

    tax_rate_kr: Annotated[float, Field(gt=0.0, le=40.0)]
    tax_rate_from_year_kr: dict[str, Annotated[float, Field(gt=0.0, le=40.0)]] = {}
    plan: Plan
    after_plan: AfterPlan
    costs: Costs
    savings_programme: SavingsProgramme = SavingsProgramme()
    cost_overrun: CostOverrun
    balance_requirement: BalanceRequirement
    resultatreserv: Resultatreserv
    opening: Opening
    financing: Financing

    _years = field_validator("tax_rate_from_year_kr")(_check_year_keys)


class PensionObligation(_Model):
    """The pension obligation (pensionsskuld) from the administrator's projection, indexed by the
    simulated prisbasbelopp; extended after the projection by its own average growth."""

    projection_years: list[int]
    provision_msek: list[PlanAmount]
    liability_msek: list[PlanAmount]
    rips_real_rate_pa: RateLevel

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
    mix) and SEK fixed income of a given duration."""

    opening_value_msek: PlanAmount
    opening_equity_share_frac: Probability
    opening_unrealised_gains_msek: Msek
    strategic_equity_share_frac: Probability
    fixed_income_duration_years: Annotated[float, Field(ge=0.0, le=30.0)]
    turnover_frac: Probability  # share of the unrealised gains realised a year by the managers' trading


class RiskRule(_Model):
    """Dynamiska riskprincipen: the portfolio may fall at most 1 - protection_frac from the highest
    level of its unit index in the last window_months; w_max = margin / assumed_crash_frac clipped to
    [0, equity_cap_frac]; equity share = min(strategic share, w_max), traded every
    rebalance_every_months. The opening margin and the age of the opening high describe 2024."""

    protection_frac: Annotated[float, Field(gt=0.0, lt=1.0)]
    window_months: int = Field(ge=1, le=30)
    assumed_crash_frac: Annotated[float, Field(gt=0.0, le=1.0)]
    equity_cap_frac: Probability
    rebalance_every_months: int = Field(ge=1, le=12)
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


class Scenario(_Model):
    """A whole scenario file."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    simulation: Simulation
    economy: Economy
    accounts: Accounts
    pension: Pension
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
        return self


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
    from simulator.safeio import InputFileError, read_toml

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


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise :class:`ScenarioError` with a one-line message.

    ``include = ["../calibration/economy.toml"]`` at the top of a scenario reads those files first
    (paths relative to the scenario file, in order) and lays the scenario's own tables over them, key
    by key: a scenario takes its calibrated economy from one file and overrides single values.
    """
    path = Path(path)
    data = _read_toml(path, str(path))
    includes = data.pop("include", [])
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise ScenarioError(f"{path}: include: must be a list of file paths (got {includes!r})")
    merged: dict[str, Any] = {}
    for name in includes:
        included = path.parent / name
        part = _read_toml(included, f"{path}: include {name!r}")
        if "include" in part:
            raise ScenarioError(f"{included}: include: included files cannot include others")
        merged = _merge(merged, part)
    source = str(path) if not includes else f"{path} (with {', '.join(includes)})"
    return parse_scenario(_merge(merged, data), source)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain data (stored with every result)."""
    return scenario.model_dump(mode="json")
