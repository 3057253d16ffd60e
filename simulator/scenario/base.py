"""The base of every scenario model, the calendar constants, the field types the sections share (units and
ranges in the type's name) and :class:`ScenarioError`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from simulator.errors import InputError

#: The opening balance is 31 Dec 2024 (annual report 2024), so every simulation starts in January 2025.
OPENING_YEAR = 2024
FIRST_YEAR = OPENING_YEAR + 1
#: Far enough for any plan; with the validated volatility bounds it keeps 46-year indices finite.
LAST_YEAR_ALLOWED = 2070


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


def check_year_keys(v: dict[str, Any], what: str = "keys") -> dict[str, Any]:
    """Keys of a by-year table must be simulated years (a pydantic field validator)."""
    for key in v:
        if not (key.isdigit() and FIRST_YEAR <= int(key) <= LAST_YEAR_ALLOWED):
            raise ValueError(f"{what} must be years {FIRST_YEAR}..{LAST_YEAR_ALLOWED} (got {key!r})")
    return v
PlanAmount = Annotated[float, Field(ge=0.0, le=100_000.0)]
Msek = Annotated[float, Field(ge=-100_000.0, le=100_000.0)]
Fraction = Annotated[float, Field(ge=-1.0, le=1.0)]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR_ALLOWED)]
