"""Answers given a condition: ``run --condition "equity_return[2026] < -0.2 and inflation[2027] > 0.04"``
keeps the paths meeting it (``and`` binds before ``or``), and says how many it kept.
"""

from __future__ import annotations

import re

import numpy as np

from simulator.scenario.base import ScenarioError

# --- conditions -------------------------------------------------------------------------------------------
_TERM = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*\[\s*(\d{4})\s*\]\s*(<=|>=|<|>|==|!=)\s*([-+]?[0-9.]+(?:e[-+]?\d+)?)\s*$")


_OPS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal,
        "!=": np.not_equal}


def parse_condition(text: str, variables: set[str], years: list[int]) -> list[list[tuple[str, int, str, float]]]:
    """``VAR[YEAR] OP NUMBER`` terms joined by ``and`` / ``or`` (``and`` binds first), as a list of
    and-groups; ScenarioError (one line) naming what is wrong."""
    if not text.strip():
        raise ScenarioError("--condition: empty; expected e.g. \"equity_return[2026] < -0.2\"")
    groups = []
    for group in re.split(r"\s+or\s+", text.strip()):
        terms = []
        for term in re.split(r"\s+and\s+", group):
            m = _TERM.match(term)
            if not m:
                raise ScenarioError(f"--condition: {term.strip()!r} is not VARIABLE[YEAR] OP NUMBER "
                                    "(OP one of < <= > >= == !=), e.g. equity_return[2026] < -0.2")
            name, year, op, number = m.group(1), int(m.group(2)), m.group(3), float(m.group(4))
            if name not in variables:
                raise ScenarioError(f"--condition: unknown variable {name!r} (any annual output, e.g. "
                                    "inflation, equity_return, tax_base_growth, result_msek)")
            if year not in years:
                raise ScenarioError(f"--condition: year {year} is outside the simulated years {years[0]}..{years[-1]}")
            terms.append((name, year, op, number))
        groups.append(terms)
    return groups


def condition_mask(groups, annual: dict[str, np.ndarray], years: list[int]) -> np.ndarray:
    """Per path, whether the parsed condition holds."""
    n = next(iter(annual.values())).shape[0]
    mask = np.zeros(n, dtype=bool)
    for terms in groups:
        group = np.ones(n, dtype=bool)
        for name, year, op, number in terms:
            group &= _OPS[op](annual[name][:, years.index(year)], number)
        mask |= group
    return mask
