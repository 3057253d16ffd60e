"""Stage 9 of a year: deposits to and withdrawals from the pension portfolio (avsättning till
pensionsmedel) at year end, from the room in the liquidity and up to the cap of the obligation.
"""

from __future__ import annotations

from simulator.kernels.jit import jit
from simulator.kernels.portfolio import portfolio_flow, realise_turnover
from simulator.kernels.records import DEPOSIT_FIXED, DEPOSIT_SHARE


@jit
def deposit_cap(p, o):
    """The most the portfolio may hold after a deposit: cap_frac of the obligation, on provision +
    ansvarsförbindelse or on the booked provision alone."""
    measure = o["pension_provision_msek"] if p["deposit_cap_booked_enabled"] else o["pension_obligation_msek"]
    return p["deposit_cap_frac"] * measure


@jit
def stage_deposits(p, s, year, o):
    """9. Deposits to the pension portfolio at year end (no effect on the result), from the room in
    the liquidity: cash above the minimum, not in a year with new loans or a drawn overdraft, not while
    the debt is above the capacity, not while the reaction rule pauses them, not before the policy's
    from_year, and never beyond the cap (deposit_cap). A withdrawal pays pensions: a share of the year's
    pension costs, or with withdraw_above_cap what the fund holds above the cap, at most the year's
    pension costs. The managers' turnover then realises a share of the unrealised gains."""
    room = (o["new_borrowing_msek"] <= 0.0 and s["overdraft"] <= 0.0
            and s["loans"] <= o["loan_capacity_msek"] + 1e-9 and not s["deposits_paused"])
    liquidity = max(s["cash"] - p["min_cash_msek"], 0.0) if room else 0.0
    if year < p["deposit_from_year"]:
        deposit = 0.0
    elif p["deposit_policy"] == DEPOSIT_FIXED:
        deposit = min(p["deposit_fixed_msek"], liquidity)
    elif p["deposit_policy"] == DEPOSIT_SHARE:
        surplus = max(o["result_msek"] - p["deposit_surplus_threshold_frac"] * o["tax_and_grants_msek"], 0.0)
        deposit = min(p["deposit_surplus_share_frac"] * surplus, liquidity)
    else:
        deposit = 0.0
    value = s["pf_equity"] + s["pf_fixed"]
    cap = deposit_cap(p, o)
    deposit = min(deposit, max(cap - value, 0.0))
    withdrawal = p["withdraw_share_of_pension_costs_frac"] * o["pension_costs_msek"]
    if p["withdraw_above_cap_enabled"] and value > cap:
        withdrawal = max(withdrawal, min(value - cap, o["pension_costs_msek"]))
    withdrawal = min(withdrawal, value + deposit)
    realised = s["yr_realised"] + portfolio_flow(s, deposit - withdrawal) + realise_turnover(s, p["turnover_frac"])
    s["cash"] = s["cash"] - deposit + withdrawal
    o["pension_deposits_msek"] = deposit
    o["pension_deposit_cap_msek"] = cap
    o["pension_withdrawals_msek"] = withdrawal
    o["realised_securities_gains_msek"] = realised
    o["reaction_deposits_paused"] = 1.0 if s["deposits_paused"] else 0.0
