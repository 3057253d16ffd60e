"""The files the program reads back, checked like what it reads in: summary.json (of a run or a sweep) and
compare.json, each against one pydantic schema, and sweep.csv against its columns' ranges, with a size limit
applied before a byte is read.

A wrong file is one line naming the file and the field, exit 2 (:class:`ResultFileError`), never a bare
exception. The schemas type and range-check every field the readers use (a probability is a number in
0..1, a count a whole number, a year list whole and increasing, a percentile row one value per year);
keys a later version adds are let through, so an older program still reads a newer result's known part.
``compare``, ``report`` and ``year-end`` read through :func:`read_result_json`.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulator.errors import InputError
from simulator.io.safeio import InputFileError, read_bytes

#: A summary of 10^7 paths is a few MB and a sweep of 10 000 variants some tens: 256 MB is far beyond any
#: result this program writes, and small enough to refuse a runaway file before reading it.
MAX_RESULT_JSON_BYTES = 256 * 2**20

Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=10**12)]


class ResultFileError(InputError, ValueError):
    """A result file that cannot be read back: one line naming the file and the field."""


class _Checked(BaseModel):
    """Strict types (no "0.3" for 0.3, no true for 1), finite numbers; later versions' extra keys allowed."""

    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False)


def _interval(v: list[float]) -> list[float]:
    if len(v) != 2 or v[0] > v[1]:
        raise ValueError(f"must be [low, high] with low <= high (got {v})")
    return v


class GoalEntry(_Checked):
    """One goal's answer in a run's summary."""

    probability: Probability
    stderr: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    ci95: list[Probability]
    paths_meeting: Count | None = None
    description: str = ""
    definition: dict[str, Any] | None = None
    answer: Literal["balance", "consolidation"] | None = None

    _ci = field_validator("ci95")(_interval)


class PercentileRow(_Checked):
    """A variable's percentiles per year (null where a statistic does not exist)."""

    p5: list[float | None]
    p25: list[float | None]
    p50: list[float | None]
    p75: list[float | None]
    p95: list[float | None]
    mean: list[float | None] | None = None


class RunSummary(_Checked):
    """summary.json of ``simulator run`` (../shared/CONTRACT.md)."""

    scenario: str = Field(min_length=1)
    paths: Annotated[int, Field(ge=1, le=10**12)]
    seed: Annotated[int, Field(ge=0, lt=2**64)]
    version: str
    goals: dict[str, GoalEntry]
    years: list[Annotated[int, Field(ge=1900, le=2200)]] = Field(min_length=1)
    percentiles: dict[str, PercentileRow]
    scenario_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    deterministic: bool = False
    parameter_uncertainty: bool = False
    interval_covers: str | None = None
    policy: dict[str, Any] | None = None
    risks: dict[str, dict[str, Any]] = {}
    attribution: dict[str, Any] = {}  # two shapes over the versions; the readers take either and skip junk
    zero_shock: dict[str, list[float | None]] = {}
    assumptions: dict[str, dict[str, Any]] | None = None
    assumptions_paths: Count | None = None
    scenario_file: str | None = None
    overrides: dict[str, Any] = {}
    known: list[dict[str, Any]] = []

    @model_validator(mode="after")
    def _consistent(self) -> "RunSummary":
        if self.years != sorted(set(self.years)):
            raise ValueError(f"years: must increase without repeats (got {self.years[:5]}...)")
        n = len(self.years)
        for name, row in self.percentiles.items():
            for stat in ("p5", "p25", "p50", "p75", "p95", "mean"):
                values = getattr(row, stat)
                if values is not None and len(values) != n:
                    raise ValueError(f"percentiles.{name}.{stat}: must have one value per year ({n}, got {len(values)})")
        for name, goal in self.goals.items():
            if goal.paths_meeting is not None and goal.paths_meeting > self.paths:
                raise ValueError(f"goals.{name}.paths_meeting: {goal.paths_meeting} is more than the {self.paths} paths")
        return self


class SweepGoal(_Checked):
    probability: Probability
    ci95: list[Probability]
    diff: Annotated[float, Field(ge=-1.0, le=1.0)] | None = None
    diff_stderr: Annotated[float, Field(ge=0.0, le=1.0)] | None = None

    _ci = field_validator("ci95")(_interval)


class SweepVariant(_Checked):
    variant: str
    reference: bool = False
    levers: dict[str, Any] = {}
    goals: dict[str, SweepGoal]


class SweepSummary(_Checked):
    """summary.json of ``simulator sweep``."""

    kind: Literal["sweep"]
    scenario: str
    paths: Annotated[int, Field(ge=1, le=10**12)]
    seed: Annotated[int, Field(ge=0, lt=2**64)]
    version: str
    reference: str
    levers: list[str]
    variants: list[SweepVariant] = Field(min_length=1)
    goal_descriptions: dict[str, str] = {}


class CompareRun(_Checked):
    label: str
    directory: str
    seed: Annotated[int, Field(ge=0, lt=2**64)] | None = None
    paths: Annotated[int, Field(ge=1, le=10**12)] | None = None
    goals: dict[str, SweepGoal]


class CompareFile(_Checked):
    """compare.json of ``simulator compare --out``."""

    reference: str
    runs: list[CompareRun] = Field(min_length=1)
    goals: list[str]


SCHEMAS = {"run": RunSummary, "sweep": SweepSummary, "compare": CompareFile}


def _field(loc: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else ("." if i else "") + str(p) for i, p in enumerate(loc)) \
        or "(top level)"


def check_result(data: Any, where: str, kind: str | None = None) -> dict[str, Any]:
    """``data`` checked against the schema of its kind (``kind`` None: told by its content); the data
    itself on success, ResultFileError naming the first wrong field otherwise."""
    if not isinstance(data, dict):
        raise ResultFileError(f"{where}: not a result (a JSON object was expected, got a JSON "
                              f"{type(data).__name__.replace('NoneType', 'null')})")
    if kind is None:
        kind = "sweep" if data.get("kind") == "sweep" else "compare" if "runs" in data else "run"
    try:
        SCHEMAS[kind].model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        shown = error.get("input")
        got = "" if isinstance(shown, (dict, list)) else f" (got {json.dumps(shown)[:40]})"
        message = str(error["msg"]).removeprefix("Value error, ")
        loc = _field(tuple(error["loc"]))
        raise ResultFileError(f"{where}: {loc}: {message}{got}" if error["loc"] else f"{where}: {message}") from None
    return data


def read_result_json(path: Path, kind: str | None = None, limit: int = MAX_RESULT_JSON_BYTES) -> dict[str, Any]:
    """A result file read safely (size checked before reading, one line for any failure) and checked."""
    try:
        raw = read_bytes(path, str(path), limit=limit)
    except InputFileError as exc:
        raise ResultFileError(str(exc)) from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ResultFileError(f"{path}: not valid JSON ({str(exc).splitlines()[0][:120]})") from None
    return check_result(data, str(path), kind)


def _no_constant(name: str) -> float:
    """JSON has no NaN or Infinity: a file that spells them was not written by this program."""
    raise ValueError(f"{name} is not a JSON number")



# --- sweep.csv -----------------------------------------------------------------------------------------

#: sweep.csv of 10 000 variants with a few goals is a few MB.
MAX_SWEEP_CSV_BYTES = 64 * 2**20
#: a goal's column suffix -> the range its values must lie in (empty cells allowed: a statistic that does
#: not exist, e.g. the reference's difference from itself in an older file)
SWEEP_RANGES = {"probability": (0.0, 1.0), "ci_low": (0.0, 1.0), "ci_high": (0.0, 1.0), "diff": (-1.0, 1.0),
                "diff_stderr": (0.0, 1.0), "gained": (0.0, 1e12), "lost": (0.0, 1e12)}


def read_sweep_csv(path: Path, limit: int = MAX_SWEEP_CSV_BYTES):
    """sweep.csv (comma, or semicolon with decimal comma) read safely and checked: a variant column of
    text, a reference column of 0/1 where present, and every goal column a finite number in its range.
    Returns the pandas table; ResultFileError naming the file, column and row otherwise."""
    try:
        raw = read_bytes(path, str(path), limit=limit)
    except InputFileError as exc:
        raise ResultFileError(str(exc)) from None
    try:
        text = raw.decode("utf-8")
        table = pd.read_csv(io.StringIO(text))
        if table.shape[1] == 1:  # written with semicolons
            table = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        raise ResultFileError(f"{path}: not a readable CSV table ({str(exc).splitlines()[0][:120]})") from None
    if table.empty:
        raise ResultFileError(f"{path}: no variants (a row per variant was expected)")
    for column in table.columns:
        suffix = next((s for s in SWEEP_RANGES if str(column).endswith(f"_{s}")), None)
        if suffix is None:
            continue
        values = pd.to_numeric(table[column], errors="coerce")
        lo, hi = SWEEP_RANGES[suffix]
        bad = (table[column].notna() & values.isna()) | ~np.isfinite(values.fillna(lo)) | (values < lo) | (values > hi)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ResultFileError(f"{path}: {column}, row {row + 2}: {table[column].iloc[row]!r}; expected a number "
                                  f"in {lo:g}..{hi:g}")
        table[column] = values
    if "reference" in table.columns and not table["reference"].isin([0, 1]).all():
        raise ResultFileError(f"{path}: reference: expected 1 on the reference variant's row and 0 elsewhere")
    return table
