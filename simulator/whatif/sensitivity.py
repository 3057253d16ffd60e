"""Känslighetsanalys: the effect on the first plan year's result of a change in each driver.

Deterministic: the zero-shock path is run once as it stands and once per item with that item changed
(in every year); the effect is the difference in the first plan year's årets resultat, in MSEK. In the
first year the financial items cannot react (they depend on the opening balances), so each effect is
the direct one: e.g. +1 % personnel costs = -1 % of the year's personnel costs.
"""

from __future__ import annotations

from typing import NamedTuple

from simulator.kernels.records import COST_TYPES
from simulator.model.accounts import Perturbation
from simulator.model.simulate import model_inputs
from simulator.run.engine import run_variants
from simulator.run.options import RunOptions
from simulator.scenario.schema import Scenario


class Item(NamedTuple):
    """One känslighetsanalys item (its label is simulator.i18n's sensitivity.<key>)."""

    perturbation: Perturbation
    annual_report_msek: float  # Årsredovisning 2024, känslighetsanalys (lines 2733-2770), signed


def _costs(name: str) -> tuple[float, ...]:
    return tuple(1.01 if t == name else 1.0 for t in COST_TYPES)


ITEMS: dict[str, Item] = {
    "tax_base_plus_1pct": Item(Perturbation(tax_base_factor=1.01), 37),
    "tax_rate_plus_1kr": Item(Perturbation(tax_rate_add_kr=1.0), 317),
    "general_grants_plus_1pct": Item(Perturbation(general_grants_factor=1.01), 15),
    "drug_grant_plus_1pct": Item(Perturbation(drug_grant_factor=1.01), 5),
    "personnel_costs_plus_1pct": Item(Perturbation(cost_factors=_costs("personnel")), -31),
    "pension_costs_plus_1pct": Item(Perturbation(cost_factors=_costs("pensions")), -6),
    "purchased_services_plus_1pct": Item(Perturbation(cost_factors=_costs("purchased_care")), -16),
    "drug_costs_plus_1pct": Item(Perturbation(cost_factors=_costs("drugs")), -6),
}


def sensitivity(scenario: Scenario) -> dict[str, float]:
    """Effect of each item on the first simulated year's result [MSEK] (the first plan year, after the opening);
    positive improves the result."""
    perturbations = [Perturbation()] + [item.perturbation for item in ITEMS.values()]
    inputs = model_inputs(scenario, deterministic=True, perturbations=perturbations)
    out, _, _ = run_variants(inputs, RunOptions(paths=1, seed=0, deterministic=True))
    result = out["result_msek"][:, 0, 0]  # variants x paths x years
    return {name: float(result[v + 1] - result[0]) for v, name in enumerate(ITEMS)}
