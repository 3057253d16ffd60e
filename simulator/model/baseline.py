"""The zero-shock baseline the plan years are measured against, and whether an override moves it (a
``--set`` or a sweep lever that changes the zero-shock drivers is then invisible in the plan years).
"""

from __future__ import annotations

import numpy as np

from simulator.model.parameters import accounts_params
from simulator.model.simulate import zero_shock_baseline
from simulator.scenario.schema import Scenario

#: the zero-shock drivers the plan years are scaled by (simulator.kernels.accounts, stages 2-4)
BASELINE_DRIVERS = ("kpi_index", "prisbasbelopp_sek", "inkomstbasbelopp_index", "tax_base_index", "wage_index",
                    "price_index_personnel", "price_index_pensions", "price_index_purchased_care",
                    "price_index_drugs", "price_index_other")


def baseline_moves(reference: Scenario, changed: Scenario) -> list[str]:
    """The zero-shock drivers that differ in the plan years between two scenarios (empty: none)."""

    years = len(reference.accounts.plan.years)
    a = zero_shock_baseline(reference, accounts_params(reference))[0]
    b = zero_shock_baseline(changed, accounts_params(changed))[0]
    return [name for name in BASELINE_DRIVERS if not np.allclose(a[name][:years], b[name][:years], rtol=1e-12)]
