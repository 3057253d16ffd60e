"""The state a simulation starts from: the scenario's opening year-end as the kernels' records.

Two states per run: the paths' (``STATE`` for the accounts and the portfolio, ``ECONOMY_STATE`` for the
drivers) and the zero-shock reference path's, against which the plan years and the pension obligation
are measured. Both are derived from the declared opening (the balance sheet, the deficits, the
portfolio's position, the rates in force: the kernels' ``open_accounts`` and ``open_portfolio`` and
:func:`declared_economy_state`), then any field the scenario's ``[opening]`` carries (a path's whole
state, written by ``simulator year-end``) replaces the derived one.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simulator.kernels.accounts import open_accounts
from simulator.kernels.portfolio import open_portfolio
from simulator.kernels.records import ECONOMY_STATE, STATE
from simulator.scenario.schema import Scenario


def _apply(record: np.void, values: dict[str, Any]) -> None:
    """Set the record's fields the opening gives (validated against the record by the scenario)."""
    for name, value in values.items():
        record[name] = value


def declared_economy_state(economy_params: np.ndarray, pbb_known: np.ndarray) -> np.ndarray:
    """The economy at a declared opening: the rates in force, deviations and regimes at rest (normal
    inflation, calm markets), indices at 1, June's KPI six months back at the opening inflation rate, the
    opening year's prisbasbelopp as the rule's chain. A 1-record ECONOMY_STATE array."""
    p = economy_params[0]
    state = np.zeros(1, dtype=ECONOMY_STATE)
    s = state[0]
    s["inflation_log_pa"] = p["inflation_initial_log_pa"]
    s["short_rate_pa"] = p["short_rate_initial_pa"]
    s["term_spread_pa"] = p["term_spread_initial_pa"]
    s["lagged_inflation_log_pa"] = p["inflation_lagged_initial_log_pa"]
    s["log_kpi_june_before"] = -0.5 * p["inflation_initial_log_pa"]  # never used: the next amount is known
    s["log_kpi_june"] = -0.5 * p["inflation_initial_log_pa"]
    s["prisbasbelopp_chain_sek"] = pbb_known[0]
    s["inkomstbasbelopp_index"] = 1.0
    return state


def economy_opening(scenario: Scenario, economy_params: np.ndarray, pbb_known: np.ndarray,
                    reference: bool = False) -> np.ndarray:
    """The economy's opening state (the reference path's with ``reference``): declared, then the
    scenario's carried fields."""
    state = declared_economy_state(economy_params, pbb_known)
    opening = scenario.opening
    _apply(state[0], opening.reference_economy_state if reference else opening.economy_state)
    return state


def accounts_openings(scenario: Scenario, params: np.ndarray, reference: bool = False) -> np.ndarray:
    """One opening STATE per variant's PARAMS record (the reference path's with ``reference``)."""
    states = np.zeros(params.shape[0], dtype=STATE)
    carried = scenario.opening.reference_state if reference else scenario.opening.state
    for v in range(params.shape[0]):
        open_accounts(params[v], states[v])
        open_portfolio(params[v], states[v])
        _apply(states[v], carried)
    return states


def reference_tax_index(scenario: Scenario) -> float:
    """The zero-shock path's tax-base index at the opening year-end (1 at a declared opening): the plan's
    first year scales the income equalisation by the path's index over it."""
    return math.exp(float(scenario.opening.reference_economy_state.get("log_tax_base_index", 0.0)))
