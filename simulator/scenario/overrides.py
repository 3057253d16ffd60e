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


# --- traps and names ---------------------------------------------------------------------------------

#: A percent field below this is more likely a fraction written where a percent was meant (0.01 for 1 %).
PCT_TRAP_BELOW = 0.1
#: A fraction field above this is more likely a percent written where a fraction was meant (60 for 0.6).
FRAC_TRAP_ABOVE = 1.0


def _leaves(key: str, value: Any):
    """(dotted key, number) for a value and, for a table such as pct_by_year = {2026 = 1.0}, its entries."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(f"{key}.{k}", v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        yield key, float(value)


def unit_warnings(values: dict[str, Any]) -> list[str]:
    """Warnings for values that are probably in the wrong unit: a ``pct`` field (per cent) given less
    than 0.1 (but not 0), a ``_frac`` field (a fraction) given more than 1; each names the likely meaning."""
    out = []
    for key, value in values.items():
        for dotted, x in _leaves(key, value):
            parts = set(re.split(r"[._]", dotted))
            if "pct" in parts and 0 < abs(x) < PCT_TRAP_BELOW:
                out.append(f"warning: --set {dotted}={x:g} is {x:g} % (the field is in per cent); "
                           f"if you meant {100 * x:g} %, write {dotted}={100 * x:g}")
            elif dotted.rsplit(".", 1)[-1].endswith("_frac") and abs(x) > FRAC_TRAP_ABOVE:
                out.append(f"warning: --set {dotted}={x:g} is {100 * x:g} % (the field is a fraction, 1 = 100 %); "
                           f"if you meant {x:g} %, write {dotted}={x / 100:g}")
    return out


def run_name(name: str, values: dict[str, Any]) -> str:
    """The name of a run with overrides: the scenario's name and each override's last field and value
    (``base_kr-0.5_from_year-2026``), kept to what a name may hold (simulator.scenario.names), at most 100
    characters. Without overrides the scenario's name."""
    if not values:
        return name
    def short(key: str) -> str:  # the last field, with its table's for a by-year key (pct_by_year.2026)
        parts = key.split(".")
        return ".".join(parts[-2:]) if parts[-1].isdigit() else parts[-1]
    text = "_".join(f"{short(k)}-{toml_text(v)}" for k, v in values.items())
    text = re.sub(r"[^A-Za-z0-9_.\-]+", "", text).replace("..", ".")
    return f"{name}_{text}"[:100].rstrip(".")


def economy_files(path: str | Path) -> list[Path]:
    """The files of a scenario (itself and what it includes) that hold [economy] values, the one that
    holds most of them first (the calibrated drivers, e.g. calibration/economy.toml), then the others
    that set some over it (the plan's facts in the scenario, the opening's state): what a run's output
    names as the economy it used."""
    from simulator.io.safeio import read_toml

    def count(table: Any) -> int:
        return sum(count(v) for v in table.values()) if isinstance(table, dict) else 1

    _, files = resolve_scenario_data(path)
    sizes = {f: count(read_toml(f, str(f)).get("economy")) for f in files}
    held = [f for f in files if isinstance(read_toml(f, str(f)).get("economy"), dict)]
    return sorted(held, key=lambda f: -sizes[f])
