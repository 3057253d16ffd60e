"""Goals (mål): declared in the scenario file, evaluated on every simulated path.

A *metric goal* compares one annual per-path variable with a threshold in some years, e.g. the
long-term key figure of *ekonomi i balans* (balanced finances): årets resultat ≥ 2 % of skatteintäkter
+ generella statsbidrag och utjämning in every year 2027–2030::

    [goals.result_target_2027_2030]
    metric = "result_share_of_tax_and_grants"
    comparison = ">="
    threshold = 0.02
    from_year = 2027
    to_year = 2030
    aggregate = "all"

A *combined goal* (``all_of``) is met on a path when every named goal is met there, e.g. *ekonomi i
balans 2030* = the result target and the restored *balanskrav* (balance requirement) deficit::

    [goals.balance_2030]
    all_of = ["result_target_2027_2030", "deficit_restored"]

The probability of a goal is the share of paths meeting it, reported with a Wilson score interval."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from simulator.scenario.base import LAST_YEAR_ALLOWED, StrictModel, first_year

_METRIC_FIELDS = ("metric", "comparison", "threshold", "aggregate")


#: Largest threshold in absolute value: beyond any amount the model produces (in MSEK, or the
#: prisbasbelopp in SEK) and any fraction; 1e308 is a typo, not a goal.
THRESHOLD_LIMIT = 1e9




class Goal(StrictModel):
    """One goal (mål): either a metric goal or a combination (``all_of``) of other goals.

    Metric goal: ``metric``, ``comparison``, ``threshold``, ``aggregate`` and the years, given either
    as ``years`` (an explicit list) or as ``from_year`` and ``to_year`` (inclusive). ``aggregate``:
    ``"all"`` the comparison holds in every listed year, ``"any"`` in at least one (e.g. the
    konsolideringsgrad reaches 100 % in some year ≤ 2040), ``"last"`` in the last listed year only
    (e.g. eget kapital > 0 at the end of 2030). A NaN value never meets the comparison.

    Combined goal: only ``all_of`` (names of other goals), ``description`` and ``answer``.

    ``answer`` says which of the committee's questions the goal answers: ``"balance"`` (ekonomi i
    balans) or ``"consolidation"`` (the konsolideringsgrad). Those goals are the headline of the
    terminal's tables and the report's first page, in the order declared; no goal's name is written
    into the code.
    """

    metric: str | None = Field(default=None, min_length=1)
    comparison: Literal[">=", ">", "<=", "<", "=="] | None = None
    threshold: float | None = Field(default=None, allow_inf_nan=False, ge=-THRESHOLD_LIMIT, le=THRESHOLD_LIMIT)
    years: list[int] | None = None
    from_year: int | None = None
    to_year: int | None = None
    aggregate: Literal["all", "any", "last"] | None = None
    all_of: list[str] | None = None
    description: str = ""
    answer: Literal["balance", "consolidation"] | None = None

    @field_validator("years")
    @classmethod
    def _years_listed(cls, v: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("must list at least one year")
        if v != sorted(set(v)):
            raise ValueError(f"must be sorted and without repeats (got {v})")
        if not (first_year(info) <= v[0] and v[-1] <= LAST_YEAR_ALLOWED):
            raise ValueError(f"years must be in {first_year(info)}..{LAST_YEAR_ALLOWED} (got {v})")
        return v

    @field_validator("from_year", "to_year")
    @classmethod
    def _year_in_range(cls, v: int | None, info: ValidationInfo) -> int | None:
        if v is not None and not first_year(info) <= v <= LAST_YEAR_ALLOWED:
            raise ValueError(f"must be a year in {first_year(info)}..{LAST_YEAR_ALLOWED} (got {v})")
        return v

    @field_validator("all_of")
    @classmethod
    def _parts_named(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        if not v or any(not name for name in v):
            raise ValueError("must name at least one goal, each by a non-empty name")
        if len(set(v)) != len(v):
            raise ValueError(f"must name each goal once (got {v})")
        return v

    @model_validator(mode="after")
    def _one_kind(self) -> "Goal":
        metric_given = [f for f in (*_METRIC_FIELDS, "years", "from_year", "to_year")
                        if getattr(self, f) is not None]
        if self.all_of is not None:
            if metric_given:
                raise ValueError(
                    "an all_of goal takes only all_of and description "
                    f"(remove {', '.join(metric_given)})"
                )
            return self
        if not metric_given:
            raise ValueError(
                "a goal needs either metric, comparison, threshold, years (or from_year and "
                "to_year) and aggregate, or all_of (a list of other goals' names)"
            )
        missing = [f for f in _METRIC_FIELDS if getattr(self, f) is None]
        if missing:
            raise ValueError(
                f"a metric goal needs metric, comparison, threshold, aggregate and years (or "
                f"from_year and to_year); missing: {', '.join(missing)}"
            )
        span = (self.from_year, self.to_year)
        if self.years is not None and span != (None, None):
            raise ValueError("give either years or from_year and to_year, not both")
        if self.years is None:
            if None in span:
                raise ValueError("give either years, or both from_year and to_year")
            if self.from_year > self.to_year:
                raise ValueError(
                    f"from_year must not be after to_year (got {self.from_year} > {self.to_year})"
                )
        return self

    @property
    def resolved_years(self) -> list[int]:
        """The goal's years as an explicit sorted list (empty for an ``all_of`` goal)."""
        if self.years is not None:
            return list(self.years)
        if self.from_year is None or self.to_year is None:
            return []
        return list(range(self.from_year, self.to_year + 1))


#: The ``[goals]`` table of a scenario: goal name → goal.
Goals = dict[str, Goal]


def evaluation_order(goals: Goals) -> list[str]:
    """Goal names with every all_of goal after its parts; ValueError on an unknown part or a cycle."""
    order: list[str] = []
    state: dict[str, str] = {}  # "visiting" or "done"

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = " -> ".join(trail[trail.index(name):] + [name])
            raise ValueError(f"goals.{name}: all_of references form a cycle ({cycle})")
        state[name] = "visiting"
        for part in goals[name].all_of or ():
            if part not in goals:
                raise ValueError(
                    f"goals.{name}: all_of names unknown goal {part!r} "
                    f"(known goals: {', '.join(sorted(goals))})"
                )
            visit(part, trail + [name])
        state[name] = "done"
        order.append(name)

    for name in goals:
        visit(name, [])
    return order


def validate_goal_references(goals: Goals, known_metrics: set[str], years: list[int]) -> None:
    """Check what a goal refers to: known metrics, simulated years, existing goals, no cycles.

    Raises ValueError with a one-line message ``goals.NAME: ...``.
    """
    simulated = set(int(y) for y in years)
    span = f"{min(simulated)}..{max(simulated)}" if simulated else "(none)"
    for name, goal in goals.items():
        if goal.metric is not None and goal.metric not in known_metrics:
            raise ValueError(
                f"goals.{name}: unknown metric {goal.metric!r} "
                f"(known metrics: {', '.join(sorted(known_metrics))})"
            )
        outside = [y for y in goal.resolved_years if y not in simulated]
        if outside:
            raise ValueError(
                f"goals.{name}: year {outside[0]} is outside the simulated years {span}"
            )
    evaluation_order(goals)
