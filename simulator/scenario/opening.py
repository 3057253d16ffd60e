"""[opening]: the year-end a scenario opens at (31 Dec ``year``), and, when a run wrote it, a path's whole
state there.

A scenario opens at one year-end, declared in one file (scenarios/openings/<year>.toml, which base.toml
includes): ``[opening] year``, with that year-end's balance sheet (``[accounts.opening]``), its deficits
still to restore, the pension projection from that year, the portfolio and the risk rule's opening
position, the known prisbasbelopp and the rates in force (docs/rollforward.md says where each value is
found in an annual report). ``simulation.start_year`` is ``year + 1``.

``simulator year-end RUN --path K --year Y`` writes a scenario opening at 31 Dec Y with path K's whole
state: ``state`` (every field of the accounts' path state, simulator.kernels.records.STATE),
``economy_state`` (the drivers' levels, lags, regimes and indices, ECONOMY_STATE) and the same two for the
zero-shock path the plan years and the pension obligation are measured against (``reference_state``,
``reference_economy_state``). Fields not given are derived from the declared opening, as for an opening
written from an annual report.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import Field, field_validator

from simulator.kernels.records import ECONOMY_STATE, STATE
from simulator.scenario.base import EARLIEST_OPENING, LATEST_OPENING, StrictModel

StateValue = bool | int | float | list[bool] | list[int] | list[float]


def _check_record(values: dict[str, Any], dtype: np.dtype, what: str) -> dict[str, Any]:
    """Each key a field of the record, each value of the field's kind and shape, and finite."""
    for name, value in values.items():
        if name not in dtype.names:
            raise ValueError(f"{name!r} is not a field of the {what} (fields: {', '.join(dtype.names)})")
        base, shape = dtype.fields[name][0].base, dtype.fields[name][0].shape
        items = value if isinstance(value, list) else [value]
        if shape and len(items) != shape[0] or not shape and isinstance(value, list):
            size = f"a list of {shape[0]} values" if shape else "one value"
            raise ValueError(f"{name}: must be {size}")
        for item in items:
            if base.kind == "b" and not isinstance(item, bool):
                raise ValueError(f"{name}: must be true or false (got {item!r})")
            if base.kind == "i" and (isinstance(item, bool) or not isinstance(item, int)):
                raise ValueError(f"{name}: must be a whole number (got {item!r})")
            if base.kind == "f" and (isinstance(item, bool) or not math.isfinite(item)):
                raise ValueError(f"{name}: must be a finite number (got {item!r})")
    return values


class Opening(StrictModel):
    """The opening year-end (31 Dec ``year``), where its figures come from, and a path's exact state."""

    year: int = Field(ge=EARLIEST_OPENING, le=LATEST_OPENING)
    source: str = ""
    state: dict[str, StateValue] = {}
    economy_state: dict[str, int | float] = {}
    reference_state: dict[str, StateValue] = {}
    reference_economy_state: dict[str, int | float] = {}

    @field_validator("state", "reference_state")
    @classmethod
    def _accounts_state(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _check_record(v, STATE, "accounts' path state")

    @field_validator("economy_state", "reference_economy_state")
    @classmethod
    def _economy_state(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _check_record(v, ECONOMY_STATE, "economy's state")
