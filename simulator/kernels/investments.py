"""Stage 5 of a year: investments and depreciation (avskrivningar) by vintage.
"""

from __future__ import annotations

from simulator.kernels.economy import D_KPI
from simulator.kernels.jit import jit


@jit
def stage_investments(p, s, d, k, plan_year, o):
    """5. Investments and depreciation. Plan years book the plan's; after the plan investments are the
    after-plan amount in the last plan year's prices (the path's KPI) and depreciation is the model's:
    the opening stock declining at its rate, plus each vintage straight-line over its useful life from
    the year after (computed in plan years too, so there is no jump when the plan ends)."""
    if plan_year:
        investments = p["plan_investments_msek"][k]
        if k == p["n_plan_years"] - 1:
            s["kpi_last_plan"] = d[D_KPI]
    else:
        investments = p["after_plan_investments_msek"] * d[D_KPI] / s["kpi_last_plan"]
    opening_part = p["depreciation_opening_stock_rate_frac"] * s["open_stock"]
    s["open_stock"] -= opening_part
    vintages = 0.0
    life = p["depreciation_useful_life_years"]
    kk = s["years_before"] + k  # the investment vintages run from the state's origin (simulator year-end)
    for v in range(max(0, kk - life), kk):
        vintages += s["investments"][v] / life
    s["investments"][kk] = investments
    model = opening_part + vintages
    depreciation = p["plan_depreciation_msek"][k] if plan_year else model
    s["fixed_assets"] = s["fixed_assets"] + investments - depreciation
    o["investments_msek"] = investments
    o["depreciation_msek"] = depreciation
    o["depreciation_model_msek"] = model
    o["fixed_assets_msek"] = s["fixed_assets"]
