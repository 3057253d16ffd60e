"""What a variant's levers cost, in MSEK a year: the tax revenue raised, the savings in force, the
deposits actually paid into the pension fund, and the months the drawdown rule de-risks. A strategist
compares "+30 öre" with "1 % savings" in money, not by their names (issue 20, point 10).

Each figure is a mean over the paths and over the years that decide ekonomi i balans (the years of the
goal the scenario declares as ``answer = "balance"``, 2027–2030 in the base scenario; all years without
one), from the yearly means of the model's own outputs:

- tax revenue raised: skatteintäkter minus what the scenario's tax rate (accounts.tax_rate_kr, 11,70 kr
  in 2024) would raise on the same tax base, i.e. every rise in force: the plan's, a ``tax_rise``
  lever's and the reaction rule's (mean(tax revenue) - rate / 100 x mean(tax base): exact, linear);
- savings in force: every savings programme's cut so far, each grown with the budget since the year it
  was made (a cut is permanent: the budget is lowered from then on), plus the reaction rule's savings
  in effect (negative where it spends a surplus). The growth uses the yearly means of the budget, which
  is exact for the programme's share of a path's budget up to the spread of the budget's growth;
- deposits: the deposits to the pension portfolio actually made (only from room in the liquidity, and
  paused while the reaction rule is triggered);
- de-risking months: months per year in which the rule's maximum equity share is below the strategic
  share.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np

from simulator.run.attribution import goal_years_of_parts

#: the outputs whose yearly means the costs are made of
COST_VARIABLES = ("tax_revenue_msek", "tax_base_msek", "savings_programme_msek", "budgeted_costs_msek",
                  "reaction_savings_msek", "pension_deposits_msek", "derisking_months")
#: the figures, in the order shown; all but the months are MSEK a year
COSTS = ("tax_raised_msek", "savings_msek", "deposits_msek", "derisking_months")


def cost_years(goals: Mapping[str, Any], years: Iterable[int]) -> list[int]:
    """The years the costs are averaged over: those of the goal answering ekonomi i balans (its parts'
    for a combined goal), else every simulated year. ``goals``: name -> Goal (the scenario's)."""
    years = [int(y) for y in years]
    balance = next((name for name, g in goals.items() if getattr(g, "answer", None) == "balance"), None)
    if balance is None:
        return years
    chosen = goals[balance].resolved_years or goal_years_of_parts(goals, balance)
    return [y for y in chosen if y in years] or years


def savings_in_force(cuts: np.ndarray, budget: np.ndarray) -> np.ndarray:
    """Per year, the savings programme's cuts so far, each grown with the budget since its year:
    sum over k <= Y of cut_k x budget_Y / budget_k."""
    cuts, budget = np.asarray(cuts, dtype=float), np.asarray(budget, dtype=float)
    out = np.zeros_like(budget)
    for k in range(budget.size):
        if cuts[k] != 0.0 and budget[k] > 0.0:
            out[k:] += cuts[k] * budget[k:] / budget[k]
    return out


def lever_costs(means: Mapping[str, np.ndarray], years: Iterable[int], base_rate_kr: float,
                over: Iterable[int]) -> dict[str, Any]:
    """The costs from the yearly means of COST_VARIABLES (each one value per year of ``years``),
    averaged over the years ``over``; with the years and the tax rate they are measured from."""
    years = [int(y) for y in years]
    cols = [years.index(y) for y in over if y in years]
    m = {k: np.asarray(means[k], dtype=float) for k in COST_VARIABLES}
    per_year = {
        "tax_raised_msek": m["tax_revenue_msek"] - base_rate_kr / 100.0 * m["tax_base_msek"],
        "savings_msek": savings_in_force(m["savings_programme_msek"], m["budgeted_costs_msek"])
        + m["reaction_savings_msek"],
        "deposits_msek": m["pension_deposits_msek"],
        "derisking_months": m["derisking_months"],
    }
    out: dict[str, Any] = {k: float(np.mean(v[cols])) for k, v in per_year.items()}
    out["years"] = [years[c] for c in cols]
    out["base_tax_rate_kr"] = float(base_rate_kr)
    return out


def costs_from_summary(summary: Mapping[str, Any]) -> dict[str, Any] | None:
    """A run's costs: summary.json ``lever_costs`` (simulator run writes it); None for a result of an
    older version (the report and compare then show a dash)."""
    costs = summary.get("lever_costs")
    if isinstance(costs, dict) and all(isinstance(costs.get(k), (int, float)) for k in COSTS):
        return costs
    return None
