"""Stage 3 of a year: the pension obligation (pensionsskuld): the administrator's projection of the
avsättning and the ansvarsförbindelse, indexed by the path's basbelopp; and the räntedel.
"""

from __future__ import annotations

from simulator.kernels.economy import D_IBB, D_PBB
from simulator.kernels.jit import jit


@jit
def pension_interest(provision_prev, rips_real_rate, pbb, pbb_prev):
    """Räntedel: (RIPS real discount rate + change in prisbasbelopp) x the provision at the start of
    the year (AR 2024: 1 % + 9.1 % = 10.1 %, 245 MSEK)."""
    return (rips_real_rate + pbb / pbb_prev - 1.0) * provision_prev


@jit
def stage_pension(p, s, d, k, has_baseline, b, o):
    """3. The pension obligation: the administrator's projection, the ansvarsförbindelse indexed by the
    path's prisbasbelopp over the zero-shock one, the provision likewise except its income-indexed
    share (active members' benefits) by the inkomstbasbelopp. The change of the provision's
    income-indexed part above its prisbasbelopp value is booked as a pension cost (stage 4), so that
    the provision's change stays a cost and not a cash windfall."""
    pbb_ratio = d[D_PBB] / b["prisbasbelopp_sek"] if has_baseline else 1.0
    ibb_ratio = d[D_IBB] / b["inkomstbasbelopp_index"] if has_baseline else 1.0
    share = p["income_indexed_share_frac"]
    projected = p["provision_msek"][k]
    provision = projected * ((1.0 - share) * pbb_ratio + share * ibb_ratio)
    liability = p["liability_msek"][k] * pbb_ratio
    income_part = projected * share * (ibb_ratio - pbb_ratio)
    o["pension_income_indexation_msek"] = income_part - s["income_part_prev"]
    s["income_part_prev"] = income_part
    o["pension_provision_msek"] = provision
    o["pension_liability_msek"] = liability
    o["pension_obligation_msek"] = provision + liability
