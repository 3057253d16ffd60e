"""The region's accounts: from a validated scenario to the kernel's parameter record.

The rules themselves are the stages in ``simulator.kernels.accounts`` (one jitted function each, one
place for each rule); this module only lays the scenario's figures out for them, one record per
policy variant. docs/accounts.md describes every rule and docs/policy.md the reaction rule.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from simulator.kernels.accounts import (
    COST_TYPES,
    DEPOSIT_FIXED,
    DEPOSIT_NONE,
    DEPOSIT_SHARE,
    MAX_OPENING_DEFICITS,
    MAX_YEARS,
    ORDER_DEADLINE,
    ORDER_OLDEST,
    PARAMS,
)
from simulator.scenario.base import ScenarioError
from simulator.scenario.schema import OPENING_YEAR, Scenario


class Perturbation(NamedTuple):
    """Multipliers for the känslighetsanalys (all years); identity by default."""

    tax_base_factor: float = 1.0
    tax_rate_add_kr: float = 0.0
    general_grants_factor: float = 1.0
    drug_grant_factor: float = 1.0
    cost_factors: tuple[float, ...] = (1.0,) * len(COST_TYPES)


def _by_year(mapping: dict[str, float], first_year: int) -> np.ndarray:
    out = np.zeros(MAX_YEARS)
    for key, value in mapping.items():
        k = int(key) - first_year
        if 0 <= k < MAX_YEARS:
            out[k] = value
    return out


def _padded(values: list[float] | np.ndarray) -> np.ndarray:
    out = np.zeros(MAX_YEARS)
    out[: len(values)] = values
    return out


def extend_projection(projection: list[float], n_years: int) -> np.ndarray:
    """The projection for the simulated years (its first entry is the opening year), continued after
    its last year at its own average log growth over its simulated years (docs/accounts.md)."""
    proj = np.asarray(projection, dtype=float)
    known = proj[1:]  # simulated years covered by the projection
    growth = math.log(proj[-1] / proj[1]) / (proj.size - 2) if proj.size > 2 else 0.0
    out = np.empty(n_years)
    m = min(known.size, n_years)
    out[:m] = known[:m]
    for k in range(m, n_years):
        out[k] = proj[-1] * math.exp(growth * (k - known.size + 1))
    return out


def accounts_params(scenario: Scenario, perturbation: Perturbation = Perturbation()) -> np.ndarray:
    """The scenario's accounts, pension and policy figures as one PARAMS record (a 1-element array)."""
    rec = np.zeros(1, dtype=PARAMS)
    r = rec[0]
    first = scenario.simulation.start_year
    n = len(scenario.simulation.years)
    r["n_years"] = n
    r["first_year"] = first
    _revenues_and_costs(scenario, r, first)
    _financing_and_balance(scenario, r, first, n)
    _pension(scenario, r, n)
    _reaction(scenario, r)
    r["tax_base_factor"] = perturbation.tax_base_factor
    r["tax_rate_add"] = perturbation.tax_rate_add_kr
    r["general_grants_factor"] = perturbation.general_grants_factor
    r["drug_grant_factor"] = perturbation.drug_grant_factor
    r["cost_factor"] = perturbation.cost_factors
    return rec


def _revenues_and_costs(scenario: Scenario, r, first: int) -> None:
    acc = scenario.accounts
    plan = acc.plan
    r["n_plan"] = len(plan.years)
    rate = np.full(MAX_YEARS, acc.tax_rate_kr)
    for key, value in sorted(acc.tax_rate_from_year_kr.items()):
        rate[int(key) - first:] = value
    if acc.tax_rise.from_year is not None:
        rate[acc.tax_rise.from_year - first:] += acc.tax_rise.kr
    r["tax_rate_kr"] = rate
    r["plan_fees"] = _padded(plan.fees_and_sales_msek)
    r["plan_targeted"] = _padded(plan.targeted_grants_msek)
    r["plan_general_grants"] = _padded(plan.general_grants_msek)
    r["plan_drug_grant"] = _padded(plan.drug_grant_msek)
    r["plan_costs"] = _padded(plan.operating_costs_msek)
    r["plan_depreciation"] = _padded(plan.depreciation_msek)
    r["plan_investments"] = _padded(plan.investments_msek)
    r["plan_fin_income"] = _padded(plan.financial_income_msek)
    r["plan_fin_costs"] = _padded(plan.financial_costs_msek)
    r["plan_borrowing"] = _padded(plan.new_borrowing_msek)
    after = acc.after_plan
    r["grants_growth"] = after.general_grants_growth_pa
    r["grants_volatility"] = after.general_grants_volatility_pa
    r["equalisation_share"] = after.income_equalisation_share_frac
    r["investments_after_plan"] = after.investments_msek
    r["tax_base"] = acc.opening.tax_base_msek
    types = [getattr(acc.costs, t) for t in COST_TYPES]
    amounts = np.array([t.amount_2024_msek for t in types])
    r["cost_share"] = amounts / amounts.sum()
    r["wage_w"] = [t.wage_weight for t in types]
    r["kpi_w"] = [t.kpi_weight for t in types]
    r["pbb_w"] = [t.pbb_weight for t in types]
    r["real_trend"] = [t.real_trend_pa for t in types]
    r["volume_growth"] = [t.volume_growth_pa for t in types]
    r["savings_msek"] = _by_year(acc.savings_programme.msek_by_year, first)
    r["savings_pct"] = [acc.savings_programme.pct_in(first + k) for k in range(MAX_YEARS)]
    dev = acc.budget_deviation
    r["dev_initial"] = dev.initial_frac
    r["dev_mean"] = dev.mean_frac
    r["dev_sd"] = dev.volatility_frac
    r["dev_persistence"] = dev.persistence
    r["dep_open_rate"] = acc.depreciation.opening_stock_rate_frac
    r["dep_life"] = acc.depreciation.useful_life_years


def _financing_and_balance(scenario: Scenario, r, first: int, n: int) -> None:
    acc = scenario.accounts
    fin, op, br, res = acc.financing, acc.opening, acc.balance_requirement, acc.resultatreserv
    r["loan_limit"] = fin.loan_limit_msek
    r["debt_ceiling"] = fin.debt_ceiling_frac
    r["overdraft_limit"] = fin.overdraft_msek
    r["overdraft_spread"] = fin.overdraft_spread_pa
    r["min_cash"] = fin.min_cash_msek
    r["repay_above_cash"] = fin.repay_above_cash_msek
    r["loan_spread"] = fin.loan_spread_pa
    r["refix_share"] = min(1.0, 1.0 / fin.rate_fixing_years)
    r["cash_rate_spread"] = fin.cash_rate_spread_pa
    r["other_fin_costs"] = fin.other_financial_costs_msek
    floor = scenario.economy.short_rate.floor_pa
    r["rate_floor"] = -math.inf if floor is None else floor
    for name in ("fixed_assets", "financial_fixed_assets", "other_current_assets",
                 "other_short_term_investments", "cash", "equity", "short_term_debt", "loans",
                 "leasing_debt"):
        r[name] = getattr(op, f"{name}_msek")
    r["loan_rate"] = op.loan_rate_pa
    if len(br.opening_deficits) > MAX_OPENING_DEFICITS:
        raise ScenarioError(f"accounts.balance_requirement.opening_deficits: at most "
                            f"{MAX_OPENING_DEFICITS} deficits (got {len(br.opening_deficits)})")
    r["n_open"] = len(br.opening_deficits)
    r["open_amount"][: r["n_open"]] = [d.amount_msek for d in br.opening_deficits]
    r["open_deadline"][: r["n_open"]] = [d.deadline_year for d in br.opening_deficits]
    r["restore_within"] = br.restore_within_years
    r["deadline_by_year"] = _by_year({k: float(v) for k, v in br.deadline_by_year.items()}, first)
    r["restore_order"] = ORDER_OLDEST if br.restore_order == "oldest_first" else ORDER_DEADLINE
    r["synnerliga_skal"] = _by_year(br.synnerliga_skal_msek, first)
    r["realised_gains"] = _by_year(br.realised_gains_msek, first)
    r["reserve_enabled"] = res.enabled
    r["reserve_threshold"] = res.threshold_frac
    r["reserve_threshold_positive"] = res.threshold_positive_equity_frac
    r["reserve_cap"] = res.cap_frac
    r["reserve_use"] = res.use_for_deficits
    r["reserve_downturn_growth"] = res.use_below_tax_base_growth_pa


def _pension(scenario: Scenario, r, n: int) -> None:
    pen = scenario.pension
    ob, pf, rule, dep = pen.obligation, pen.portfolio, pen.risk_rule, pen.deposits
    r["provision_path"] = _padded(extend_projection(ob.provision_msek, n))
    r["liability_path"] = _padded(extend_projection(ob.liability_msek, n))
    r["provision_opening"] = ob.provision_msek[0]
    r["liability_opening"] = ob.liability_msek[0]
    r["rips_real_rate"] = ob.rips_real_rate_pa
    r["income_indexed_share"] = ob.income_indexed_share_frac
    r["pbb_opening"] = float(scenario.economy.prisbasbelopp.known_sek[str(OPENING_YEAR)])
    r["portfolio_opening"] = pf.opening_value_msek
    r["portfolio_equity_share"] = pf.opening_equity_share_frac
    r["portfolio_unrealised"] = pf.opening_unrealised_gains_msek
    r["turnover"] = pf.turnover_frac
    r["fee_pa"] = pf.management_fee_pa
    r["strategic"] = pf.strategic_equity_share_frac
    r["duration"] = pf.fixed_income_duration_years
    r["cap"] = rule.equity_cap_frac
    r["protection"] = rule.protection_frac
    r["window"] = rule.window_months
    r["crash"] = rule.assumed_crash_frac
    r["rebalance_every"] = rule.rebalance_every_months
    r["immediate_trigger"] = 0.0 if rule.immediate_trigger_frac is None else rule.immediate_trigger_frac
    # margin m = 1 - protection x H / u with u = 1 at the opening: H = (1 - m) / protection
    r["opening_high"] = (1.0 - rule.opening_margin_frac) / rule.protection_frac
    r["opening_high_age"] = rule.opening_high_age_months
    eco = scenario.economy
    r["fi_yield_opening"] = max(eco.short_rate.initial_pa
                                + eco.term_spread.initial_pa * pf.fixed_income_duration_years / 10.0, -0.9)
    r["deposit_policy"] = {"none": DEPOSIT_NONE, "fixed": DEPOSIT_FIXED,
                           "share_of_surplus": DEPOSIT_SHARE}[dep.policy]
    r["deposit_from_year"] = dep.from_year or 0
    r["deposit_fixed"] = dep.fixed_msek
    r["deposit_share"] = dep.surplus_share_frac
    r["deposit_threshold"] = dep.surplus_threshold_frac
    r["withdraw_share"] = dep.withdraw_share_of_pension_costs_frac


def _reaction(scenario: Scenario, r) -> None:
    rx = scenario.policy.reaction
    r["react_enabled"] = rx.enabled
    r["react_strength"] = rx.strength_frac
    r["react_target"] = rx.target_result_frac
    r["react_aim"] = rx.aim_result_frac
    r["react_on_deficit"] = rx.on_deficit
    r["react_on_result"] = rx.on_result_below_target
    r["react_on_debt"] = rx.on_debt_above_ceiling
    r["react_debt_years"] = rx.debt_correction_years
    r["react_use_savings"] = "savings" in rx.order
    r["react_use_tax"] = "tax" in rx.order
    r["react_tax_first"] = bool(rx.order) and rx.order[0] == "tax"
    r["react_pause_deposits"] = rx.pause_deposits
    r["react_savings_year"] = rx.savings.max_per_year_pct / 100.0
    r["react_savings_total"] = rx.savings.max_total_pct / 100.0
    r["react_tax_year"] = rx.tax.max_per_year_kr
    r["react_tax_total"] = rx.tax.max_total_kr
    r["react_tax_step"] = rx.tax.step_kr
    r["react_ss_enabled"] = rx.synnerliga_skal.enabled
    r["react_ss_pbb_above"] = rx.synnerliga_skal.pbb_growth_above_pa
    r["react_ss_normal"] = rx.synnerliga_skal.normal_pbb_growth_pa
    r["react_sym_enabled"] = rx.symmetric.enabled
    r["react_sym_above"] = rx.symmetric.above_target_frac
    r["react_sym_strength"] = rx.symmetric.strength_frac
    r["react_sym_total"] = rx.symmetric.max_total_pct / 100.0


def balance_sheet_gap(out: dict[str, np.ndarray], scenario: Scenario) -> np.ndarray:
    """Total assets minus (equity + provision + loans + overdraft + leasing + short-term debt), paths x
    years. Zero up to rounding on every path when the accounts are consistent."""
    op = scenario.accounts.opening
    return out["total_assets_msek"] - (out["equity_msek"] + out["pension_provision_msek"] + out["loans_msek"]
                                       + out["overdraft_msek"] + op.leasing_debt_msek + op.short_term_debt_msek)
