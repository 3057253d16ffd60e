"""Calibration, stage 3: the judgment file (``calibration/judgment.toml``), the value and reason of every
``[economy]`` parameter before any fit, and the ``[options]`` of the run (docs/calibration.md section 3).
Every value is validated as the scenario schema validates it. :class:`Estimate`, one parameter with its
source, is defined here: the judgment gives the first of each, a fit may replace it.
Imports the scenario (its schema and error formatting), ``simulator.io.safeio`` and :mod:`.data`'s error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError

from simulator.calibration.data import CalibrationInputError
from simulator.io.safeio import InputFileError, read_toml
from simulator.scenario.base import StrictModel
from simulator.scenario.economy import Economy
from simulator.scenario.loader import format_validation_error


@dataclass
class Estimate:
    """One ``[economy]`` value with where it came from."""

    path: str  # dotted field under [economy]
    value: Any
    se: float | None
    source: str  # "fitted" or "judgment"
    note: str  # data and years, or the reason


def economy_values(estimates: dict[str, Estimate]) -> dict[str, Any]:
    """The values by dotted path as the nested tables of ``[economy]``."""
    out: dict[str, Any] = {}
    for path, est in estimates.items():
        node = out
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = est.value
    return out


class JudgmentOptions(StrictModel):
    """``[options]`` of the judgment file (docs/calibration.md, section 3)."""

    min_years_warning: int = Field(20, ge=0, le=10_000)  # warn when a series has fewer annual observations
    min_fit_observations: int = Field(10, ge=3, le=10_000)  # fewer: the parameter stays judgment
    min_correlation_years: int = Field(15, ge=4, le=10_000)  # fewer common years: the correlation stays judgment
    # excluded from the normal-regime inflation fit; years a Swedish price series can hold
    inflation_shock_years: list[Annotated[int, Field(ge=1800, le=2200)]] = [2022, 2023]
    price_index_dividend_yield_pa: float = Field(0.03, ge=0.0, le=0.2)  # added to price-index equity returns
    keep_judgment: list[str] = []  # parameters reported from the data but kept at their judgment value


DEFAULT_OPTIONS = JudgmentOptions().model_dump()


class JudgmentFile(StrictModel):
    """What a judgment file must hold once its leaves are reduced to their values: a complete, valid
    [economy] (the values a fit does not replace are written as they are) and valid [options]. Public
    for the hostile tests, which mutate every field it validates."""

    economy: Economy
    options: JudgmentOptions = JudgmentOptions()
    accounts: dict[str, Any] = {}  # the budget-deviation fit's judgment (simulator.calibration.deviations checks it)


def read_judgment(path: Path) -> tuple[dict[str, Estimate], dict[str, Any]]:
    """The judgment file: ``[economy...]`` leaves ``{ value = ..., reason = "..." }`` and ``[options]``.
    Every value is validated as the scenario schema validates it, so a bad judgment value is refused
    here, with its field, and never reaches the written file."""
    if not os.path.lexists(path):
        raise CalibrationInputError(f"{path}: judgment file not found (--judgment, relative to the "
                                    "current directory)")
    try:
        data = read_toml(path, str(path))
    except InputFileError as exc:
        raise CalibrationInputError(str(exc)) from None
    if not isinstance(data.get("economy"), dict):
        raise CalibrationInputError(f"{path}: no [economy] table")
    leaves = _leaves(path, data["economy"])
    try:
        checked = JudgmentFile.model_validate({**data, "economy": economy_values(leaves)})
    except ValidationError as exc:
        raise CalibrationInputError(format_validation_error(str(path), exc)) from None
    unknown = [name for name in checked.options.keep_judgment if name not in leaves]
    if unknown:
        raise CalibrationInputError(f"{path}: options.keep_judgment: unknown parameter {unknown[0]!r} "
                                    "(allowed: dotted names under [economy], e.g. short_rate.real_long_run_pa)")
    return leaves, checked.options.model_dump()


def _leaves(path: Path, economy: dict[str, Any]) -> dict[str, Estimate]:
    """Every ``{ value = ..., reason = "..." }`` under [economy] as a judgment estimate, by dotted path;
    anything else where a leaf belongs is refused."""
    leaves: dict[str, Estimate] = {}
    shape = 'expected { value = ..., reason = "..." }'

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            dotted = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict) and "value" in value:
                if set(value) != {"value", "reason"}:
                    raise CalibrationInputError(f"{path}: economy.{dotted}: {shape}")
                if not isinstance(value["reason"], str):
                    raise CalibrationInputError(f"{path}: economy.{dotted}.reason: {shape} (got "
                                                f"{value['reason']!r})")
                leaves[dotted] = Estimate(dotted, value["value"], None, "judgment", value["reason"])
            elif isinstance(value, dict):
                walk(value, dotted)
            else:
                raise CalibrationInputError(f"{path}: economy.{dotted}: {shape}")

    walk(economy, "")
    return leaves
