"""The base of every scenario model, the calendar constants, the field types the sections share (units and
ranges in the type's name) and :class:`ScenarioError`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo

from simulator.errors import InputError

#: A scenario opens at the year-end its ``[opening]`` declares (scenarios/openings/<year>.toml); years in
#: the schema are checked against it through pydantic's validation context (simulator.scenario.loader
#: passes ``{"opening_year": year}``). Without a context (a section validated on its own) the checks
#: assume the shipped opening, 31 Dec 2024.
OPENING_YEAR = 2024
FIRST_YEAR = OPENING_YEAR + 1
#: The year-ends a scenario may open at: back-tests from 2000, roll-forwards up to the 2040 horizon.
EARLIEST_OPENING, LATEST_OPENING = 2000, 2039
#: Far enough for any plan; with the validated volatility bounds it keeps 46-year indices finite.
LAST_YEAR_ALLOWED = 2070
#: The longest simulation (simulator.kernels.records.MAX_YEARS).
MAX_SIMULATED_YEARS = 46


def opening_year(info: ValidationInfo | None) -> int:
    """The opening year-end of the scenario being validated (its ``[opening] year``)."""
    context = info.context if info is not None else None
    return (context or {}).get("opening_year", OPENING_YEAR)


def first_year(info: ValidationInfo | None) -> int:
    """The first simulated year: January after the opening year-end."""
    return opening_year(info) + 1


class StrictModel(BaseModel):
    """Scenario models reject unknown keys (a typo is an error, never a silent default).

    ``strict``: TOML has distinct types, so a value of the wrong type is refused instead of coerced
    (``true`` is not the number 1.0, ``1`` is not ``true``, ``2040.0`` is not a year, ``"0.02"`` is not
    a rate). Strict mode still accepts an integer where a float is expected (``amount = 3100`` is how
    TOML writes a whole amount) and a TOML array for a list. ``allow_inf_nan=False``: TOML can spell
    ``inf`` and ``nan``, which no field means.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

class ScenarioError(InputError):
    """Bad scenario input: carries one line naming the file, the field and what is allowed."""
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Volatility = Annotated[float, Field(ge=0.0, le=2.0)]  # equity volatility [1/sqrt(year)]
RateVolatility = Annotated[float, Field(ge=0.0, le=0.2)]  # rates, inflation, tax-base growth
PassThrough = Annotated[float, Field(ge=0.0, le=2.0)]
RateLevel = Annotated[float, Field(ge=-0.5, le=1.0)]
MeanReversion = Annotated[float, Field(ge=0.0, le=50.0)]


def check_year_keys(v: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
    """Keys of a by-year table must be simulated years (a pydantic field validator)."""
    first = first_year(info)
    for key in v:
        if not (key.isdigit() and first <= int(key) <= LAST_YEAR_ALLOWED):
            raise ValueError(f"keys must be years {first}..{LAST_YEAR_ALLOWED} (got {key!r})")
    return v


def _simulated_year(v: int, info: ValidationInfo) -> int:
    first = first_year(info)
    if not first <= v <= LAST_YEAR_ALLOWED:
        raise ValueError(f"must be a year in {first}..{LAST_YEAR_ALLOWED} (got {v})")
    return v
PlanAmount = Annotated[float, Field(ge=0.0, le=100_000.0)]
Msek = Annotated[float, Field(ge=-100_000.0, le=100_000.0)]
Fraction = Annotated[float, Field(ge=-1.0, le=1.0)]
Year = Annotated[int, AfterValidator(_simulated_year)]  # a simulated year: after the opening year-end
