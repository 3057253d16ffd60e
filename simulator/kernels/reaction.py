"""Stage 11 of a year: the reaction rule (åtgärdsplan, kommunallagen 11 kap. 12 §), decided at the year
end and in effect from the next. Two-sided around a band on årets resultat: below the target, savings
and tax rises sized to a gap, deposits paused; above the band's upper edge, the surplus is spent: the
reaction's savings released, then its tax rise lowered (skattesänkning, never below the floor), then new
commitments.
docs/policy.md gives the rule and its evidence.
"""

from __future__ import annotations

import math

from simulator.kernels.balance_requirement import deficit_pace
from simulator.kernels.jit import jit
from simulator.kernels.records import MAX_YEARS


@jit
def round_up_to_step(x, step):
    """x rounded up to a whole number of steps (tax rises are decided in öre steps)."""
    return math.ceil(x / step - 1e-9) * step if x > 0.0 else 0.0


@jit
def round_down_to_step(x, step):
    """x rounded down to a whole number of steps (a tax cut never spends more than the surplus)."""
    return math.floor(x / step + 1e-9) * step if x > 0.0 else 0.0


@jit
def reaction_gap(p, s, k, year, has_baseline, b, o):
    """The improvement of next year's balanskravsresultat the reaction rule aims at. Deciding for a
    plan year, the region follows its plan: the gap is the path's shortfall against the zero-shock
    plan path this year. Deciding for a later year: the larger of the result aimed at (the target plus
    a planning margin) and the pace that restores every deficit by its deadline (deficit_pace), less
    this year's balanskravsresultat before the reserve, taken to persist. A debt above the capacity
    adds its excess over debt_correction_years. Returns (gap x strength, triggered)."""
    bkr = o["balance_requirement_result_before_reserve_msek"]
    tax_and_grants = o["tax_and_grants_msek"]
    below_target = o["result_msek"] < p["reaction_target_result_frac"] * tax_and_grants
    deficit = o["deficit_outstanding_msek"] > 1e-9
    debt = o["loans_msek"] + p["opening_leasing_debt_msek"] + o["overdraft_msek"]
    excess_debt = max(debt - p["debt_ceiling_frac"] * tax_and_grants, o["loans_msek"] - p["loan_limit_msek"], 0.0)
    triggered = ((p["reaction_on_deficit"] and deficit) or (p["reaction_on_result_below_target"] and below_target)
                 or (p["reaction_on_debt_above_ceiling"] and excess_debt > 1e-9))
    if not triggered:
        return 0.0, False
    if k + 1 < p["n_plan_years"]:
        gap = (b["balance_requirement_result_before_reserve_msek"] - bkr) if has_baseline else 0.0
    else:
        vintage_pace = deficit_pace(s["vintage"], s["deadline"], s["vintage_base"] + k + 1, year)
        gap = max(p["reaction_aim_result_frac"] * tax_and_grants, vintage_pace) - bkr
    if p["reaction_on_debt_above_ceiling"]:
        gap += excess_debt / p["reaction_debt_correction_years"]
    return max(gap, 0.0) * p["reaction_strength_frac"], True


@jit
def lowest_reaction_tax(p, k):
    """The lowest reaction tax change next year: a cut never takes the rate below the floor (tax.floor_kr,
    or without one the scenario's own rate that year: the rule then only takes back its own rises)."""
    if math.isnan(p["reaction_tax_floor_kr"]):
        return 0.0
    return p["reaction_tax_floor_kr"] - p["tax_rate_kr"][min(k + 1, MAX_YEARS - 1)]


@jit
def close_gap(p, s, gap, budget, tax_base):
    """Below the band: savings (a share of the budget) and tax rises (in steps, rounded up) close the
    gap in the declared order, each within its cap per year and in total."""
    for step in range(2):
        use_tax = (step == 0) == p["reaction_tax_first"]
        if use_tax and p["reaction_uses_tax"]:
            room = max(min(p["reaction_tax_max_per_year_kr"], p["reaction_tax_max_total_kr"] - s["react_tax_kr"]), 0.0)
            wanted = round_up_to_step(gap / (tax_base / 100.0), p["reaction_tax_step_kr"])
            add = min(wanted, math.floor(room / p["reaction_tax_step_kr"] + 1e-9) * p["reaction_tax_step_kr"])
            s["react_tax_kr"] += add
            gap = max(gap - add * tax_base / 100.0, 0.0)
        elif not use_tax and p["reaction_uses_savings"]:
            room = max(min(p["reaction_savings_max_per_year_frac"], p["reaction_savings_max_total_frac"] - s["react_savings_frac"]), 0.0)
            add = min(gap / budget, room)
            s["react_savings_frac"] += add
            gap -= add * budget


@jit
def spend_surplus(p, s, k, spend, budget, tax_base):
    """Above the band: spend ``spend`` MSEK next year. First the reaction's savings in force are released,
    then its tax rise is lowered (in steps, rounded down, at most the yearly cap, never below the floor),
    then the rest becomes new commitments (negative savings) up to the total cap."""
    release = min(spend / budget, max(s["react_savings_frac"], 0.0))
    s["react_savings_frac"] -= release
    spend -= release * budget
    if spend > 0.0 and p["reaction_symmetric_reverse_tax"] and p["reaction_uses_tax"]:
        room = max(min(s["react_tax_kr"] - lowest_reaction_tax(p, k), p["reaction_tax_max_per_year_kr"]), 0.0)
        cut = min(round_down_to_step(spend / (tax_base / 100.0), p["reaction_tax_step_kr"]), room)
        s["react_tax_kr"] -= cut
        spend -= cut * tax_base / 100.0
    if spend > 0.0:
        s["react_savings_frac"] -= min(spend / budget, max(s["react_savings_frac"] + p["reaction_symmetric_max_total_frac"], 0.0))


@jit
def stage_reaction(p, s, k, year, has_baseline, b, o):
    """11. The reaction rule (åtgärdsplan): decided at this year end, in effect from the next year.
    Triggered (a deficit, a result below the target, debt above the ceiling): the gap is closed by
    savings and tax (close_gap) and deposits are paused. With the spending side on (``symmetric``), a
    result (årets resultat) above (aim + above_target) x taxes and grants with no deficit left is spent,
    strength x the excess (spend_surplus). Between the two nothing is decided: the band."""
    o["reaction_gap_msek"] = 0.0
    o["reaction_triggered"] = 0.0
    o["reaction_tax_kr"] = s["react_tax_kr"]
    if not p["reaction_enabled"]:
        return
    gap, triggered = reaction_gap(p, s, k, year, has_baseline, b, o)
    budget = o["budgeted_costs_msek"]
    tax_base = o["tax_base_msek"]
    o["reaction_gap_msek"] = gap
    o["reaction_triggered"] = 1.0 if triggered else 0.0
    s["deposits_paused"] = triggered and p["reaction_pause_deposits"]
    if triggered:
        close_gap(p, s, gap, budget, tax_base)
    elif p["reaction_symmetric_enabled"] and o["deficit_outstanding_msek"] <= 1e-9:
        # the band is on årets resultat, as the trigger below it: the surpluses regions spend are the ones
        # they report (2020-21's 6.9 % and 7.4 % carried the portfolio's gains, AR 340-347)
        excess = (o["result_msek"]
                  - (p["reaction_aim_result_frac"] + p["reaction_symmetric_above_target_frac"]) * o["tax_and_grants_msek"])
        if excess > 0.0:
            spend_surplus(p, s, k, excess * p["reaction_symmetric_strength_frac"], budget, tax_base)
