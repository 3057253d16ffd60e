"""[policy]: the region's own reactions (åtgärdsplan, kommunallagen 11 kap. 12 §): the reaction rule and
its instruments. docs/policy.md gives the rule and the evidence behind every default.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from simulator.scenario.base import Probability, RateLevel, StrictModel


class ReactionSavings(StrictModel):
    """Savings decided by the reaction rule, in % of the year's budgeted costs (phased in by the cap
    per year, kept afterwards)."""

    max_per_year_pct: Annotated[float, Field(ge=0.0, le=20.0)]
    max_total_pct: Annotated[float, Field(ge=0.0, le=50.0)]


class ReactionTax(StrictModel):
    """Tax-rate changes decided by the reaction rule, in kr per 100 kr (0.5 = 50 öre), in steps of
    step_kr: rises (skattehöjning) to close a gap and, on the spending side of the band, cuts
    (skattesänkning), each at most max_per_year_kr a year. A cut never takes the rate below
    ``floor_kr``; unset, the floor is the scenario's own rate that year (the opening rate and the
    changes the scenario declares), so the rule only takes back the rises it decided."""

    max_per_year_kr: Annotated[float, Field(ge=0.0, le=5.0)]
    max_total_kr: Annotated[float, Field(ge=0.0, le=10.0)]
    step_kr: Annotated[float, Field(gt=0.0, le=1.0)]
    floor_kr: Annotated[float, Field(gt=0.0, le=40.0)] | None = None


class ReactionSynnerligaSkal(StrictModel):
    """Synnerliga skäl for inflation-driven pension costs: in a year whose prisbasbelopp grows by more
    than pbb_growth_above_pa, the pension costs caused by the growth above normal_pbb_growth_pa are
    exempt from restoration (the region did so for 2023 and 2024, AR 2880-2890)."""

    enabled: bool
    pbb_growth_above_pa: RateLevel
    normal_pbb_growth_pa: RateLevel


class ReactionSymmetric(StrictModel):
    """The spending side of the band (two-sided reaction): a result (årets resultat, the measure the
    trigger below the band uses) above (aim + above_target_frac) x taxes and grants, with no deficit
    left, is spent the next year,
    ``strength_frac`` of the excess a year: the reaction's savings in force are released first, then
    a reaction tax rise in force is lowered (``reverse_tax``, within the tax caps and floor), then costs
    rise (new commitments that persist), up to max_total_pct of costs."""

    enabled: bool
    above_target_frac: Probability
    strength_frac: Probability = 0.5
    max_total_pct: Annotated[float, Field(ge=0.0, le=50.0)]
    reverse_tax: bool = True


class Reaction(StrictModel):
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


class Policy(StrictModel):
    """Policy in force beyond the plan: the reaction rule (off = oförändrad politik)."""

    name: str = Field(min_length=1, max_length=80)
    reaction: Reaction
