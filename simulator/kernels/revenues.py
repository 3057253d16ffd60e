"""Stage 2 of a year: revenues (skatteintäkter, generella statsbidrag och utjämning, läkemedelsbidrag,
avgifter, riktade statsbidrag).
"""

from __future__ import annotations

import math

from simulator.kernels.economy import D_INFLATION, D_KPI, D_TAX_INDEX
from simulator.kernels.jit import jit
from simulator.kernels.records import I_DRUGS


@jit
def stage_revenues(p, s, d, k, plan_year, has_baseline, b, b_tax_index_prev, z_grants, stochastic, o):
    """2. Revenues. Tax revenue = rate / 100 x tax base (the path's index). General grants: the income
    equalisation share follows the tax base one year late, the politically set rest grows at its rate
    with a mean-preserving political random walk from the second year (the first year's grants are
    decided). In plan years fees and targeted grants are the plan's scaled by KPI over the zero-shock
    KPI, the grants and the drug grant the plan's; after the plan fees follow KPI and the drug grant
    the drug costs' price and volume."""
    rate = p["tax_rate_kr"][k] + s["react_tax_kr"] + p["tax_rate_add_kr"]
    tax_base = p["opening_tax_base_msek"] * d[D_TAX_INDEX] * p["tax_base_factor"]
    tax_revenue = rate / 100.0 * tax_base
    if plan_year:
        kpi_ratio = d[D_KPI] / b["kpi_index"] if has_baseline else 1.0
        eq_ratio = s["tax_index_prev"] / b_tax_index_prev if has_baseline else 1.0
        s["fees"] = p["plan_fees_and_sales_msek"][k] * kpi_ratio
        s["targeted"] = p["plan_targeted_grants_msek"][k] * kpi_ratio
        s["grants_eq"] = p["plan_general_grants_msek"][k] * p["income_equalisation_share_frac"] * eq_ratio
        s["grants_pol"] = p["plan_general_grants_msek"][k] * (1.0 - p["income_equalisation_share_frac"])
        s["drug_grant"] = p["plan_drug_grant_msek"][k]
    else:
        infl = d[D_INFLATION]
        s["fees"] = s["fees"] * (1.0 + infl)
        s["targeted"] = s["targeted"] * (1.0 + infl)
        s["grants_eq"] = s["grants_eq"] * (s["tax_index_prev"] / s["tax_index_prev2"])
        s["grants_pol"] = s["grants_pol"] * (1.0 + p["general_grants_growth_pa"])
        s["drug_grant"] = (s["drug_grant"] * (s["index"][I_DRUGS] / s["index_prev"][I_DRUGS])
                           * (1.0 + p["cost_volume_growth_pa"][I_DRUGS]))
    walk_variance = 0.0
    kk = s["years_before"] + k  # years since the walk's origin (a run opened at a path's year-end goes on)
    if stochastic and kk > 0:
        s["grants_walk"] = s["grants_walk"] + p["general_grants_volatility_pa"] * z_grants
        walk_variance = p["general_grants_volatility_pa"] ** 2 * kk
    political = s["grants_pol"] * math.exp(s["grants_walk"] - 0.5 * walk_variance)
    general_grants = (s["grants_eq"] + political) * p["general_grants_factor"]
    drug_grant = s["drug_grant"] * p["drug_grant_factor"]
    o["tax_rate_kr"] = rate
    o["tax_base_msek"] = tax_base
    o["tax_revenue_msek"] = tax_revenue
    o["general_grants_msek"] = general_grants
    o["income_equalisation_msek"] = s["grants_eq"] * p["general_grants_factor"]
    o["drug_grant_msek"] = drug_grant
    o["fees_and_sales_msek"] = s["fees"]
    o["targeted_grants_msek"] = s["targeted"]
    o["tax_and_grants_msek"] = tax_revenue + general_grants + drug_grant
