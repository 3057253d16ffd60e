"""[stress]: drivers set in given months on every path (a 2008-like crash, an inflation shock), and the
month index of a "2026" or "2026-09" text. docs/model.md "Stress scenarios".
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from simulator.scenario.base import StrictModel

StressDriver = Literal["inflation", "short_rate", "equity_return", "equity_return_sweden",
                       "equity_return_global", "tax_base_growth", "wage_growth", "inflation_regime",
                       "equity_regime"]


_MONTH = r"^\d{4}(-(0[1-9]|1[0-2]))?$"


class StressSetting(StrictModel):
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


class Stress(StrictModel):
    """A stress scenario: drivers set in given months, carried through the model (KPI to costs, the
    prisbasbelopp, rates, wages and the tax base). It applies to the simulated paths, not to the
    zero-shock path the plan years are measured against, so the plan years show its full effect."""

    description: str = ""
    set: list[StressSetting] = Field(min_length=1)


def month_index(text: str, end: bool, start_year: int) -> int:
    """Month index from January of the first simulated year ``start_year``: with 2025, "2026" is 12 (start)
    or 23 (end)."""
    year, _, month = text.partition("-")
    if month:
        return 12 * (int(year) - start_year) + int(month) - 1
    return 12 * (int(year) - start_year) + (11 if end else 0)
