"""The region's accounts beside their parameter record: the känslighetsanalys perturbations of a
record, and the balance-sheet identity a consistent path keeps.

The rules themselves are the kernels' stages (simulator.kernels: one module per rule); the scenario's
figures reach them through one table (simulator.model.parameters). docs/accounts.md describes every
rule and docs/policy.md the reaction rule.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simulator.kernels.records import COST_TYPES
from simulator.scenario.schema import Scenario


class Perturbation(NamedTuple):
    """Multipliers for the känslighetsanalys (all years); identity by default."""

    tax_base_factor: float = 1.0
    tax_rate_add_kr: float = 0.0
    general_grants_factor: float = 1.0
    drug_grant_factor: float = 1.0
    cost_factors: tuple[float, ...] = (1.0,) * len(COST_TYPES)


def balance_sheet_gap(out: dict[str, np.ndarray], scenario: Scenario) -> np.ndarray:
    """Total assets minus (equity + provision + loans + overdraft + leasing + short-term debt), paths x
    years. Zero up to rounding on every path when the accounts are consistent."""
    op = scenario.accounts.opening
    return out["total_assets_msek"] - (out["equity_msek"] + out["pension_provision_msek"] + out["loans_msek"]
                                       + out["overdraft_msek"] + op.leasing_debt_msek + op.short_term_debt_msek)
