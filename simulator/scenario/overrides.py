"""``--set KEY=VALUE``: one scenario field overridden by its dotted path, validated like the file.

The value is read as a TOML value (``0.6``, ``true``, ``"share_of_surplus"``, ``[2026, 2027]``,
``{ 2026 = 12.2 }``), so it has the type the file would give it and the same strict validation; a bare
word that is not TOML (``share_of_surplus``) is taken as the string it is. The key is a dotted path
into the resolved scenario (after its includes): ``pension.risk_rule.equity_cap_frac``,
``accounts.savings_programme.pct_by_year.2026``.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

from simulator.scenario.base import ScenarioError
from simulator.scenario.loader import parse_scenario, resolve_scenario_data, scenario_source, with_values
from simulator.scenario.schema import Scenario

_KEY = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")


def parse_value(text: str) -> Any:
    """A --set value as TOML would read it; a bare word that TOML cannot read is a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", text):
            return text
        raise ScenarioError(f"--set: value {text!r} is not a TOML value (a number, true/false, a quoted "
                            "string, [list] or { table })") from None


def parse_sets(items: tuple[str, ...] | list[str], option: str = "--set") -> dict[str, Any]:
    """KEY=VALUE items as {dotted key: value}, in order (a later one wins); one-line ScenarioError."""
    values: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not _KEY.match(key):
            raise ScenarioError(f"{option}: {item!r} is not KEY=VALUE with KEY a dotted field path "
                                "(e.g. pension.risk_rule.equity_cap_frac=0.6)")
        try:
            values[key] = parse_value(text.strip())
        except ScenarioError as exc:
            raise ScenarioError(str(exc).replace("--set", f"{option} {key}", 1)) from None
    return values


def describe(values: dict[str, Any]) -> str:
    """The overrides as the user writes them: KEY=VALUE, the value in TOML (true, "text", [1, 2])."""
    return ", ".join(f"{k}={toml_text(v)}" for k, v in values.items())


def toml_text(value: Any) -> str:
    """A value --set parsed, written back in TOML's inline syntax (on one line, for the error line)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string has JSON's escapes
    if isinstance(value, list):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_text(v)}" for k, v in value.items()) + "}"
    return repr(value)


def load(path: str | Path, values: dict[str, Any] | None = None) -> Scenario:
    """The scenario file with its includes, the overrides laid over it, validated; the error line names
    the file, the overrides and the field."""
    data, files = resolve_scenario_data(path)
    shown = scenario_source(path, files)
    if values:
        data = with_values(data, values)
        shown = f"{shown} --set {describe(values)}"
    return parse_scenario(data, shown)
