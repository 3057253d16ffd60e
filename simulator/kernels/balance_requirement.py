"""Stage 10 of a year: the balanskrav. Balanskravsresultat, synnerliga skäl, deficit vintages with their
deadlines and their restoration, and the resultatreserv (kommunallagen 11 kap.).
"""

from __future__ import annotations

from simulator.kernels.economy import D_PBB, D_TAX_GROWTH
from simulator.kernels.jit import jit
from simulator.kernels.records import I_PENSIONS, ORDER_OLDEST


@jit
def balance_requirement_result(result, realised_gains, unrealised_change, reversal):
    """Balanskravsresultat before the resultatreserv: årets resultat less realised gains (on fixed
    assets), less the year's market-value change of the securities, plus the gains realised on them
    this year (AR 2024: -493.7 - 1.2 - 183.1 + 10.3 = -667.7)."""
    return result - realised_gains - unrealised_change + reversal


@jit
def reserve_allocation(bkr, available, tax_and_grants, reserve, threshold, cap):
    """Resultatreserv: the part of this year's balanskravsresultat above ``threshold`` x taxes and
    grants (and not used to restore deficits) may be reserved, up to a balance of ``cap`` x taxes and
    grants."""
    above = max(min(available, bkr - threshold * tax_and_grants), 0.0)
    room = max(cap * tax_and_grants - reserve, 0.0)
    return min(above, room)


@jit
def deficit_pace(vintage, deadline, n_vintages, year):
    """The balanskravsresultat a year needs to restore every outstanding deficit by its deadline at
    an even pace: the sum of each vintage over the years left to its deadline (at least one)."""
    pace = 0.0
    for v in range(n_vintages):
        if vintage[v] > 0.0:
            pace += vintage[v] / max(deadline[v] - year, 1)
    return pace


@jit
def restore_deficits(vintage, deadline, n_vintages, available, order):
    """Restore deficit vintages from ``available`` (>= 0), oldest first (ORDER_OLDEST: index order) or
    earliest deadline first (ORDER_DEADLINE, ties oldest first). Returns what is left of available."""
    if order == ORDER_OLDEST:
        for v in range(n_vintages):
            restored = min(available, vintage[v])
            vintage[v] -= restored
            available -= restored
        return available
    while available > 0.0:
        best = -1
        for v in range(n_vintages):
            if vintage[v] > 0.0 and (best < 0 or deadline[v] < deadline[best]):
                best = v
        if best < 0:
            break
        restored = min(available, vintage[best])
        vintage[best] -= restored
        available -= restored
    return available


@jit
def inflation_pension_costs(p, s, o, pbb_growth):
    """Pension costs caused by inflation (for synnerliga skäl, as the region reckoned them for 2023-24):
    the prisbasbelopp's growth above normal, on the provision at the start of the year (its räntedel)
    and on the prisbasbelopp-indexed share of the operating pension costs."""
    excess = max(pbb_growth - p["reaction_synnerliga_skal_normal_pbb_growth_pa"], 0.0)
    return excess * (s["provision_prev"] + p["cost_pbb_weight"][I_PENSIONS] * o["pension_costs_msek"])


@jit
def stage_balance_requirement(p, s, d, k, year, o):
    """10. Balanskrav. Balanskravsresultat = result - realised gains on fixed assets - the portfolio's
    market change + the gains realised in it. In a downturn the resultatreserv may cover a deficit. A
    deficit, less synnerliga skäl (the scenario's, and under the reaction rule the inflation-driven
    pension costs when the prisbasbelopp rose more than its threshold), becomes a vintage due in
    restore_within years (or by the year's extended deadline). Positive results restore vintages in
    the chosen order; a surplus beyond that may go to the resultatreserv."""
    bkr = balance_requirement_result(o["result_msek"], p["realised_gains_msek"][k], o["portfolio_return_msek"],
                                     o["realised_securities_gains_msek"])
    o["balance_requirement_result_before_reserve_msek"] = bkr
    tax_and_grants = o["tax_and_grants_msek"]
    if p["resultatreserv_use_for_deficits"] and bkr < 0.0 and d[D_TAX_GROWTH] < p["resultatreserv_use_below_tax_base_growth_pa"]:
        use = min(-bkr, s["reserve"])
        s["reserve"] -= use
        bkr += use
    deficit = max(-bkr, 0.0)
    exempt = min(deficit, p["synnerliga_skal_msek"][k])
    reaction_ss = 0.0
    pbb_growth = d[D_PBB] / s["pbb_prev"] - 1.0
    if p["reaction_enabled"] and p["reaction_synnerliga_skal_enabled"] and pbb_growth > p["reaction_synnerliga_skal_pbb_growth_above_pa"]:
        reaction_ss = min(deficit - exempt, inflation_pension_costs(p, s, o, pbb_growth))
    slot = s["vintage_base"] + k
    s["vintage"][slot] = deficit - exempt - reaction_ss
    extended = p["deadline_by_year"][k]
    s["deadline"][slot] = extended if extended > 0 else year + p["restore_within_years"]
    n_vintages = slot + 1
    available = restore_deficits(s["vintage"], s["deadline"], n_vintages, max(bkr, 0.0), p["restore_order"])
    outstanding = 0.0
    for v in range(n_vintages):
        outstanding += s["vintage"][v]
    if p["resultatreserv_enabled"] and outstanding <= 0.0:
        # above 2 % of taxes and grants while equity incl. the pension liability is negative, above
        # 1 % otherwise (kommunallagen 11 kap. 14 §), once no deficit is left to restore
        negative = s["equity"] - o["pension_liability_msek"] < 0.0
        threshold = p["resultatreserv_threshold_frac"] if negative else p["resultatreserv_threshold_positive_equity_frac"]
        put = reserve_allocation(bkr, available, tax_and_grants, s["reserve"], threshold, p["resultatreserv_cap_frac"])
        s["reserve"] += put
        bkr -= put
    overdue = 0.0
    opening_overdue = 0.0
    for v in range(n_vintages):
        if s["deadline"][v] <= year:
            overdue += s["vintage"][v]
            if v < s["opening_vintages"]:
                opening_overdue += s["vintage"][v]
    o["balance_requirement_result_msek"] = bkr
    o["synnerliga_skal_msek"] = exempt + reaction_ss
    o["reaction_synnerliga_skal_msek"] = reaction_ss
    o["resultatreserv_msek"] = s["reserve"]
    o["deficit_outstanding_msek"] = outstanding
    o["deficit_overdue_msek"] = overdue
    o["opening_deficit_overdue_msek"] = opening_overdue
    o["deficit_pace_msek"] = deficit_pace(s["vintage"], s["deadline"], n_vintages, year)
