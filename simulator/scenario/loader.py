"""Reading a scenario: TOML files with their includes (nested, merged key by key), --set values laid over
them, and pydantic's errors as one line ``FILE: FIELD: what is allowed`` (:class:`ScenarioError`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from simulator.io.safeio import InputFileError, read_toml
from simulator.scenario.base import EARLIEST_OPENING, LATEST_OPENING, ScenarioError
from simulator.scenario.schema import Scenario


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _allowed_fields(loc: tuple[Any, ...]) -> list[str]:
    """The field names a model accepts at the parent of ``loc`` (for 'unknown field' messages)."""
    model: Any = Scenario
    for item in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(item)
        if field is None:
            return []
        ann = field.annotation
        candidates = [ann, *getattr(ann, "__args__", ())]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return []
    return sorted(getattr(model, "model_fields", {}))


_TOML_TYPES = {bool: "boolean", int: "integer", float: "float", str: "string"}


def _describe(error: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_fields(loc)
        hint = f" (allowed here: {', '.join(allowed)})" if allowed else ""
        return f"{_field_path(loc)}: unknown field{hint}"
    if kind == "missing":
        return f"{_field_path(loc)}: required field is missing"
    msg = str(error["msg"]).removeprefix("Value error, ")
    if kind != "value_error" and "input" in error and not isinstance(error["input"], dict | list):
        value = error["input"]
        shown = ("true" if value else "false") if isinstance(value, bool) else repr(value)
        if kind.endswith("_type"):  # strict types: say which TOML type was given instead
            shown += f", a TOML {_TOML_TYPES.get(type(value), type(value).__name__)}"
        msg = f"{msg} (got {shown})"
    elif kind.endswith("_type") and isinstance(error.get("input"), dict | list):  # not shown: may be long
        msg = f"{msg} (got a TOML {'table' if isinstance(error['input'], dict) else 'array'})"
    # model-level validators report at the model's location; their message names the field itself
    return f"{_field_path(loc)}: {msg}" if loc else msg


def format_validation_error(source: str, exc: ValidationError) -> str:
    errors = exc.errors()
    line = f"{source}: {_describe(errors[0])}"
    if len(errors) > 1:
        line += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return line


def validation_context(data: dict[str, Any]) -> dict[str, Any]:
    """What the schema's year checks read (simulator.scenario.base.opening_year): the opening year-end the
    data declares, when it declares a usable one (else the [opening] table's own error comes first), and
    whether the opening carries the economy's state."""
    opening = data.get("opening") if isinstance(data, dict) else None
    if not isinstance(opening, dict):
        return {}
    year = opening.get("year")
    context: dict[str, Any] = {"economy_state_given": bool(opening.get("economy_state"))}
    if isinstance(year, int) and not isinstance(year, bool) and EARLIEST_OPENING <= year <= LATEST_OPENING:
        context["opening_year"] = year
    return context


def parse_scenario(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    try:
        return Scenario.model_validate(data, context=validation_context(data))
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(source, exc)) from None


def read_scenario_toml(path: Path, named: str) -> dict[str, Any]:
    # safeio refuses FIFOs, devices, huge files and NUL bytes in the path before reading, and maps
    # every parse failure (deep nesting included) onto one line

    try:
        return read_toml(path, named)
    except InputFileError as exc:
        raise ScenarioError(str(exc)) from None


def merge_tables(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value in ``override`` replaces the one in ``base``."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_tables(out[key], value)
        else:
            out[key] = value
    return out


def with_values(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of scenario data with fields set by their dotted paths
    (``{"policy.reaction.strength_frac": 0.25}``), laid over it key by key like an included file."""
    out = data
    for dotted, value in values.items():
        node: Any = value
        for key in reversed(dotted.split(".")):
            node = {key: node}
        out = merge_tables(out, node)
    return out


#: How deep includes may nest (a variant over base.toml over the calibrated economy is depth 2).
MAX_INCLUDE_DEPTH = 8


def _included(path: Path, named: str, trail: tuple[Path, ...]) -> tuple[dict[str, Any], list[Path]]:
    """The file's tables with its includes resolved (depth first, in order, each laid under the file's
    own tables), and every file read. Cycles and nesting deeper than MAX_INCLUDE_DEPTH are errors."""
    data = read_scenario_toml(path, named)  # first: it refuses what is not a readable file (a NUL, a FIFO)
    here = path.resolve()
    if here in trail:
        cycle = " -> ".join(str(p) for p in (*trail[trail.index(here):], here))
        raise ScenarioError(f"{named}: include: the files include each other in a cycle ({cycle})")
    if len(trail) > MAX_INCLUDE_DEPTH:
        raise ScenarioError(f"{named}: include: nested more than {MAX_INCLUDE_DEPTH} files deep")
    includes = data.pop("include", [])
    if not isinstance(includes, list) or not all(isinstance(i, str) and i for i in includes):
        raise ScenarioError(f"{named}: include: must be a list of file paths (got {includes!r})")
    replace = data.pop("replace", [])
    _check_replace(replace, named)
    _known_files_from(path, data)
    merged: dict[str, Any] = {}
    files = [path]
    for name in includes:
        part, read = _included(path.parent / name, f"{path}: include {name!r}", (*trail, here))
        merged = merge_tables(merged, part)
        files += read
    for dotted in replace:  # stated whole by this file: what the includes said there is dropped
        merged = _without(merged, dotted.split("."))
    return merge_tables(merged, data), files


_DOTTED = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")


def _known_files_from(path: Path, data: dict[str, Any]) -> None:
    """[known] files are named relative to the file that names them: make them so before merging."""
    known = data.get("known")
    if isinstance(known, dict) and isinstance(known.get("files"), list):
        known["files"] = [os.path.normpath(path.parent / f) if isinstance(f, str) and f else f
                          for f in known["files"]]


def _check_replace(replace: Any, named: str) -> None:
    if not isinstance(replace, list) or not all(isinstance(r, str) and _DOTTED.match(r) for r in replace):
        raise ScenarioError(f"{named}: replace: must be a list of dotted field paths, e.g. [\"goals\", "
                            f"\"accounts.plan\"] (got {replace!r})")


def _without(data: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """A copy of ``data`` without the table or value at ``keys``."""
    if not keys or keys[0] not in data:
        return data
    out = dict(data)
    if len(keys) == 1:
        del out[keys[0]]
    elif isinstance(out[keys[0]], dict):
        out[keys[0]] = _without(out[keys[0]], keys[1:])
    return out


def resolve_scenario_data(path: str | Path) -> tuple[dict[str, Any], list[Path]]:
    """The scenario's data with every include resolved, and the files it was read from."""
    path = Path(path)
    return _included(path, str(path), ())


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise :class:`ScenarioError` with a one-line message.

    ``include = ["base.toml"]`` at the top of a scenario reads those files first (paths relative to the
    including file, in order; an included file may include others) and lays the scenario's own tables
    over them, key by key: a scenario takes its calibrated economy from one file, a policy variant
    takes everything from base.toml, and each overrides single values. ``replace = ["goals",
    "accounts.plan"]`` states those tables whole: what the included files hold there is dropped first
    (``simulator year-end`` writes a scenario that keeps only the goals and plan years still ahead).
    """
    data, files = resolve_scenario_data(path)
    return parse_scenario(data, scenario_source(path, files))


def scenario_source(path: str | Path, files: list[Path]) -> str:
    """How error lines name a scenario: the file, and the files it includes as it names them."""
    shown = [os.path.relpath(f, Path(path).parent) for f in files[1:]]
    return str(path) if len(files) == 1 else f"{path} (with {', '.join(shown)})"
