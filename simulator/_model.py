"""The base of every scenario model, and the calendar constants they share."""

from pydantic import BaseModel, ConfigDict

#: The opening balance is 31 Dec 2024 (annual report 2024), so every simulation starts in January 2025.
OPENING_YEAR = 2024
FIRST_YEAR = OPENING_YEAR + 1
#: Far enough for any plan; with the validated volatility bounds it keeps 46-year indices finite.
LAST_YEAR_ALLOWED = 2070


class _Model(BaseModel):
    """Scenario models reject unknown keys (a typo is an error, never a silent default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
