"""Shared fixtures: the base scenario as data, and helpers to derive test scenarios from it."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import pytest

from simulator.scenario.schema import Scenario
from simulator.scenario.loader import parse_scenario, resolve_scenario_data

ROOT = Path(__file__).resolve().parents[1]
BASE_TOML = ROOT / "scenarios" / "base.toml"


def base_dict() -> dict[str, Any]:
    """The base scenario as data, its ``include`` files resolved as load_scenario does (the calibrated
    economy in calibration/economy.toml, the scenario's own values laid over it)."""
    return copy.deepcopy(resolve_scenario_data(BASE_TOML)[0])


def snapshot(path: Path) -> dict[str, str] | None:
    """What is under ``path``, hidden entries too: relative names and content hashes ("dir" for a
    folder; None when nothing is there). The fault and hostile-input tests compare it before and after."""
    if not (path.exists() or path.is_symlink()):
        return None
    if path.is_file():
        return {".": hashlib.sha256(path.read_bytes()).hexdigest()}
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(path.rglob("*"))}


def set_in(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """Return a deep copy of ``data`` with the dotted field set (created if missing)."""
    out = copy.deepcopy(data)
    node = out
    *parents, leaf = dotted.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value
    return out


def scenario_with(**fields: Any) -> Scenario:
    """The base scenario with fields replaced, given as economy__inflation__volatility_pa=0.0."""
    data = base_dict()
    for key, value in fields.items():
        data = set_in(data, key.replace("__", "."), value)
    return parse_scenario(data, "test")


def no_regimes(**fields: Any) -> Scenario:
    """Base scenario with both regime chains switched off (single-regime OU / lognormal)."""
    return scenario_with(
        economy__inflation__shock_regime__entry_probability_per_month=0.0,
        economy__equity__crash_entry_probability_per_month=0.0,
        **fields,
    )


@pytest.fixture
def base_scenario() -> Scenario:
    return parse_scenario(base_dict(), str(BASE_TOML))
