"""[pension]: the pension obligation (pensionsskuld), the portfolio (pensionsmedel), the dynamiska
riskprincipen (risk_rule) and deposits. docs/pension.md gives every rule.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, model_validator

from simulator.scenario.base import Msek, PlanAmount, Probability, RateLevel, StrictModel, Year, opening_year


class PensionObligation(StrictModel):
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
    def _aligned(self, info: ValidationInfo) -> "PensionObligation":
        n = len(self.projection_years)
        opening = opening_year(info)
        if self.projection_years != list(range(opening, opening + n)) or n < 2:
            raise ValueError(f"projection_years must run without gaps from {opening}, at least 2 years")
        if len(self.provision_msek) != n or len(self.liability_msek) != n:
            raise ValueError("provision_msek and liability_msek need one value per projection year")
        if min(self.provision_msek) <= 0 or min(self.liability_msek) <= 0:
            raise ValueError("projected amounts must be positive")
        return self


class PensionPortfolio(StrictModel):
    """The pension portfolio (pensionsmedel) at market value: equities (the economy's Swedish/global
    mix) and SEK fixed income of a given duration; the managers' fee is taken monthly from the value."""

    opening_value_msek: PlanAmount
    opening_equity_share_frac: Probability
    opening_unrealised_gains_msek: Msek
    strategic_equity_share_frac: Probability
    fixed_income_duration_years: Annotated[float, Field(ge=0.0, le=30.0)]
    turnover_frac: Probability  # share of the unrealised gains realised a year by the managers' trading
    management_fee_pa: Annotated[float, Field(ge=0.0, le=0.05)]


class RiskRule(StrictModel):
    """Dynamiska riskprincipen: the portfolio may fall at most 1 - protection_frac from the highest
    level of its unit index in the last window_months; w_max = margin / assumed_crash_frac clipped to
    [0, equity_cap_frac]; equity share = min(strategic share, w_max). The rule is evaluated every month
    and acted on every rebalance_every_months (4 = per tertial, as the region follows it up), and at
    once in a month where w_max is below the held share by more than immediate_trigger_frac (when
    set). The opening margin and the age of the opening high describe the opening year-end."""

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


class Deposits(StrictModel):
    """Deposits to the pension portfolio (avsättning till pensionsmedel), a policy lever decided at each
    year end "from the room in the result and the liquidity": none, a fixed amount, or a share of the
    result above threshold_frac of taxes and grants; never from borrowed money, never below minimum
    cash, and never beyond the cap: the portfolio after a deposit is at most ``cap_frac`` of the
    obligation (``cap_measure``: "total" = provision + ansvarsförbindelse, "booked" = the provision
    alone). The fund exists to meet future pension payments (AR 1145-1147): ``withdraw_above_cap``
    pays the year's pension costs from what the fund holds above the cap. Optionally withdraw a share
    of the year's pension costs from the portfolio whatever its level."""

    policy: Literal["none", "fixed", "share_of_surplus"]
    from_year: Year | None = None  # lever: the policy applies from this year (none before it)
    fixed_msek: PlanAmount = 0.0
    surplus_share_frac: Probability = 0.0
    surplus_threshold_frac: Probability = 0.0
    cap_frac: Annotated[float, Field(gt=0.0, le=5.0)] = 1.0
    cap_measure: Literal["total", "booked"] = "total"
    withdraw_above_cap: bool = False
    withdraw_share_of_pension_costs_frac: Probability = 0.0


class Pension(StrictModel):
    obligation: PensionObligation
    portfolio: PensionPortfolio
    risk_rule: RiskRule
    deposits: Deposits

    @model_validator(mode="after")
    def _strategic_within_cap(self) -> "Pension":
        if self.portfolio.strategic_equity_share_frac > self.risk_rule.equity_cap_frac:
            raise ValueError("portfolio.strategic_equity_share_frac must not exceed risk_rule.equity_cap_frac")
        return self
