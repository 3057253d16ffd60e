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
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

#: The order of the correlated shocks in the economic scenario generator (and in the kernel).
SHOCKS: tuple[str, ...] = (
    "inflation",
    "short_rate",
    "term_spread",
    "equity_sweden",
    "equity_global",
    "tax_base",
)

#: The opening balance is 31 Dec 2024 (annual report 2024), so every simulation starts in January 2025.
OPENING_YEAR = 2024
FIRST_YEAR = OPENING_YEAR + 1
LAST_YEAR_ALLOWED = 2070  # far enough for any plan; keeps 46-year indices finite (docs/model.md)


class ScenarioError(Exception):
    """Bad scenario input: carries one line naming the file, the field and what is allowed."""


Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Volatility = Annotated[float, Field(ge=0.0, le=2.0)]  # equity volatility [1/sqrt(year)]
RateVolatility = Annotated[float, Field(ge=0.0, le=0.2)]  # rates, inflation, tax-base growth
PassThrough = Annotated[float, Field(ge=0.0, le=2.0)]
RateLevel = Annotated[float, Field(ge=-0.5, le=1.0)]
MeanReversion = Annotated[float, Field(ge=0.0, le=50.0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
        for key in v:
            if not (key.isdigit() and FIRST_YEAR <= int(key) <= LAST_YEAR_ALLOWED):
                raise ValueError(f"keys must be years {FIRST_YEAR}..{LAST_YEAR_ALLOWED} (got {key!r})")
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


class Scenario(_Model):
    """A whole scenario file."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    simulation: Simulation
    economy: Economy

    @model_validator(mode="after")
    def _path_years_inside_simulation(self) -> "Scenario":
        last = self.simulation.end_year
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
        msg = f"{msg} (got {error['input']!r})"
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


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise :class:`ScenarioError` with a one-line message."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.__class__.__name__}: {exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    return parse_scenario(data, str(path))


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain data (stored with every result)."""
    return scenario.model_dump(mode="json")
