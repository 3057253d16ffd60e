"""Scenario files: TOML validated by pydantic.

Conventions for field names (units in the name, as users script against them):
``_pa`` a rate as a fraction per year (0.02 = 2 % per year), ``_per_year`` a speed of mean reversion
[1/year], ``_per_month`` a probability per month, ``_msek`` million kronor, ``_sek`` kronor,
``_frac`` a dimensionless fraction. Every model has ``extra="forbid"``: a typo is an error, never a
silent default.

Errors reach the user as one line, ``FILE: FIELD: what is allowed`` (see :class:`ScenarioError`)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from simulator.scenario.accounts import Accounts
from simulator.scenario.base import LAST_YEAR_ALLOWED, MAX_SIMULATED_YEARS, StrictModel, opening_year
from simulator.scenario.economy import Economy
from simulator.scenario.goals import Goal, validate_goal_references
from simulator.scenario.known import Known
from simulator.scenario.names import Name, name_problem
from simulator.scenario.opening import Opening
from simulator.scenario.pension import Pension
from simulator.scenario.policy import Policy
from simulator.scenario.stress import Stress, month_index
from simulator.variables import ANNUAL


class Simulation(StrictModel):
    """Time span of the simulation; months run from January ``start_year`` to December ``end_year``."""

    start_year: int = Field(description="first simulated year: the January after the opening year-end")
    end_year: int = Field(description="last simulated year (inclusive)")

    @field_validator("start_year")
    @classmethod
    def _start_is_after_opening(cls, v: int, info: ValidationInfo) -> int:
        opening = opening_year(info)
        if v != opening + 1:
            raise ValueError(f"must be {opening + 1}: the opening balance is 31 Dec {opening} ([opening] year) "
                             f"(got {v})")
        return v

    @model_validator(mode="after")
    def _end_after_start(self) -> "Simulation":
        last = min(LAST_YEAR_ALLOWED, self.start_year + MAX_SIMULATED_YEARS - 1)
        if not (self.start_year < self.end_year <= last):
            raise ValueError(f"end_year must be in {self.start_year + 1}..{last} (got {self.end_year})")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @property
    def n_months(self) -> int:
        return 12 * len(self.years)


class CalibrationInfo(StrictModel):
    """What `simulator calibrate` knows of its fits: the standard error of each fitted parameter by its
    dotted path (economy.inflation.volatility_pa = 0.0095), for --parameter-uncertainty, and what the
    budget-deviation record gives without its prior."""

    standard_errors: dict[str, Annotated[float, Field(ge=0.0, le=1e3)]] = {}
    #: what a record gives alone where the fit weighs it against a judgment prior (the robustness table)
    without_prior: dict[str, Annotated[float, Field(ge=-1.0, le=1.0)]] = {}


class ReportText(StrictModel):
    """What the report calls the scenario for the committee (``[report]``): free text, shown as written
    (the HTML escapes it, the tables write it as text). ``title`` and ``description`` are Swedish, the
    report's default language; ``title_en`` and ``description_en`` are used by ``--lang en`` (else the
    Swedish ones). Without a title the report names the scenario by its ``name``."""

    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    title_en: str = Field(default="", max_length=200)
    description_en: str = Field(default="", max_length=2000)


class Scenario(StrictModel):
    """A whole scenario file."""

    name: Name  # the default output folder and the results' label: simulator.scenario.names
    description: str = ""
    report: ReportText = ReportText()
    opening: Opening
    simulation: Simulation
    economy: Economy
    accounts: Accounts
    pension: Pension
    policy: Policy
    stress: Stress | None = None
    known: Known | None = None
    calibration: CalibrationInfo = CalibrationInfo()
    goals: dict[str, Goal] = {}

    @field_validator("goals")
    @classmethod
    def _goal_names(cls, v: dict[str, Goal]) -> dict[str, Goal]:
        """A goal's name becomes an array (goal_<name>) and a key: one rule for names (scenario.names)."""
        for name in v:
            problem = name_problem(name)
            if problem is not None:
                raise ValueError(f"the goal name {name!r} {problem}")
        return v

    @model_validator(mode="after")
    def _path_years_inside_simulation(self) -> "Scenario":

        last = self.simulation.end_year
        if self.accounts.plan.years and self.accounts.plan.years[-1] > last:
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
            start = self.simulation.start_year
            first, end = month_index(item.start, False, start), month_index(item.end, True, start)
            if not (0 <= first <= end < self.simulation.n_months):
                raise ValueError(f"stress.set[{i}]: start {item.start} to end {item.end} must run forwards "
                                 f"within {start}-01..{last}-12")
        return self


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain data (stored with every result)."""
    return scenario.model_dump(mode="json")
