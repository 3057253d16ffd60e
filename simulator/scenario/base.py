"""The base of every scenario model, and the calendar constants they share."""

from pydantic import BaseModel, ConfigDict

#: The opening balance is 31 Dec 2024 (annual report 2024), so every simulation starts in January 2025.
OPENING_YEAR = 2024
FIRST_YEAR = OPENING_YEAR + 1
#: Far enough for any plan; with the validated volatility bounds it keeps 46-year indices finite.
LAST_YEAR_ALLOWED = 2070


class _Model(BaseModel):
    """Scenario models reject unknown keys (a typo is an error, never a silent default).

    ``strict``: TOML has distinct types, so a value of the wrong type is refused instead of coerced
    (``true`` is not the number 1.0, ``1`` is not ``true``, ``2040.0`` is not a year, ``"0.02"`` is not
    a rate). Strict mode still accepts an integer where a float is expected (``amount = 3100`` is how
    TOML writes a whole amount) and a TOML array for a list. ``allow_inf_nan=False``: TOML can spell
    ``inf`` and ``nan``, which no field means.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
