"""[economy]: the economic scenario generator's drivers (inflation, rates, equities, the tax base, wages,
the prisbasbelopp) and the correlation of their shocks. docs/model.md gives the equations and the
reasoning behind every default.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from simulator.scenario.base import (
    MeanReversion,
    PassThrough,
    Probability,
    RateLevel,
    RateVolatility,
    StrictModel,
    Volatility,
    check_year_keys,
    first_year,
    opening_year,
)

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


class ShockRegime(StrictModel):
    """An inflation shock regime (a 2022-like episode): a Markov state in which KPI inflation
    reverts towards a higher level."""

    mean_pa: RateLevel
    entry_probability_per_month: Probability
    exit_probability_per_month: Probability


class Inflation(StrictModel):
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


class ShortRate(StrictModel):
    """Short interest rate (ränta; policy rate / STIBOR 3M), Vasicek towards real rate + inflation."""

    initial_pa: RateLevel
    real_long_run_pa: RateLevel
    inflation_pass_through: PassThrough
    mean_reversion_per_year: MeanReversion
    volatility_pa: RateVolatility
    floor_pa: RateLevel | None = None


class TermSpread(StrictModel):
    """Long rate minus short rate (10-year government yield minus short rate), Ornstein-Uhlenbeck."""

    initial_pa: RateLevel
    long_run_pa: RateLevel
    mean_reversion_per_year: MeanReversion
    volatility_pa: RateVolatility


class EquityRegime(StrictModel):
    """Log drift and volatility of equity total returns in one market regime."""

    sweden_log_drift_pa: float = Field(ge=-3.0, le=3.0)
    sweden_volatility_pa: Volatility
    global_log_drift_pa: float = Field(ge=-3.0, le=3.0)
    global_volatility_pa: Volatility


class Equity(StrictModel):
    """Equity total returns (börsavkastning), regime-switching lognormal (Hardy 2001), two markets."""

    calm: EquityRegime
    crash: EquityRegime
    crash_entry_probability_per_month: Probability
    crash_exit_probability_per_month: Probability
    sweden_weight_frac: Probability


class TaxBase(StrictModel):
    """Nominal growth of the tax base (skatteunderlag): SKR's expected path first, then real growth +
    pass-through x lagged inflation, with an Ornstein-Uhlenbeck deviation (the employment cycle)."""

    expected_growth_pa: dict[str, RateLevel]
    real_long_run_growth_pa: RateLevel
    inflation_pass_through: PassThrough
    mean_reversion_per_year: MeanReversion
    volatility_pa: RateVolatility

    @field_validator("expected_growth_pa")
    @classmethod
    def _years_are_years(cls, v: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        check_year_keys(v, info)
        first = first_year(info)
        years = sorted(int(k) for k in v)
        if years and years != list(range(first, years[-1] + 1)):
            raise ValueError(f"years must run without gaps from {first} (got {years})")
        return v


class Wage(StrictModel):
    """Nominal wage growth (löneutveckling), the price of personnel costs and the inkomstbasbelopp:
    real wage growth + pass-through x lagged inflation, with an Ornstein-Uhlenbeck deviation whose
    shock is correlated with, but not equal to, the tax base's."""

    real_growth_pa: RateLevel
    inflation_pass_through: PassThrough
    mean_reversion_per_year: MeanReversion
    volatility_pa: RateVolatility


class Prisbasbelopp(StrictModel):
    """Prisbasbelopp [SEK]: the known amounts, then the legal rule (KPI June to June, to 100 SEK)."""

    known_sek: dict[str, float]

    @field_validator("known_sek")
    @classmethod
    def _known_years(cls, v: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        opening = opening_year(info)
        years = sorted(int(k) for k in v if k.isdigit())
        # the opening year's amount, and the next year's (decided in the autumn of the opening year);
        # an opening that carries the economy's state (its June KPIs) needs only the first
        need = [opening] if (info.context or {}).get("economy_state_given") else [opening, opening + 1]
        if len(years) != len(v) or years[:len(need)] != need:
            raise ValueError(
                f"keys must be years starting {', '.join(map(str, need))} (the rule needs KPI "
                f"from June {opening} on) (got {list(v)})"
            )
        if years != list(range(opening, years[-1] + 1)):
            raise ValueError(f"years must run without gaps (got {years})")
        if any(not (10_000 <= x <= 1_000_000) for x in v.values()):
            raise ValueError("amounts must be in 10000..1000000 SEK")
        return v


class Correlation(StrictModel):
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


class Economy(StrictModel):
    """The economic scenario generator (ekonomiskt scenario): all drivers and their correlation."""

    inflation: Inflation
    short_rate: ShortRate
    term_spread: TermSpread
    equity: Equity
    tax_base: TaxBase
    wage: Wage
    prisbasbelopp: Prisbasbelopp
    correlation: Correlation
