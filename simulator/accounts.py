"""The region's annual accounts along every path (räkenskaper): income statement, balanskrav, balance
sheet, cash and borrowing, from the opening position of 31 Dec 2024.

Plain numpy, vectorised over paths, one loop over years; no I/O. Every rule is in docs/accounts.md.
Two ideas carry the design:

- **Plan years are the plan plus the path's surprise.** In the plan's years (2025-2027) each line is
  the plan's figure, scaled (revenues and costs: by the path's price index over the zero-shock index)
  or shifted (financial items: by the path's model value minus the zero-shock model value). A
  deterministic run therefore reproduces the plan exactly, and a path with more inflation costs more.
  After the plan, the lines follow their drivers.
- **Cash is derived, not solved for.** Cash moves with the result plus the non-cash items, so
  assets = equity + liabilities holds on every path by construction (a test checks it).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from simulator.kernels.pension import (
    PortfolioState, RuleParams, fixed_income_returns, flow, opening_state, portfolio_months,
)
from simulator.scenario import OPENING_YEAR, Scenario
from simulator.variables import ACCOUNTS_ANNUAL

COST_TYPES = ("personnel", "pensions", "purchased_care", "drugs", "other")
I_PERSONNEL, I_PENSIONS, I_PURCHASED, I_DRUGS, I_OTHER = range(len(COST_TYPES))
#: accounts shocks per path and year (simulator.rng stream STREAM_ACCOUNTS)
SHOCK_OVERRUN, SHOCK_GRANTS = 0, 1
N_ACCOUNT_SHOCKS = 2


_OUTPUTS = tuple(ACCOUNTS_ANNUAL)  # the output names live in one place


class Perturbation(NamedTuple):
    """Multipliers for the känslighetsanalys (all years); identity by default."""

    tax_base_factor: float = 1.0
    tax_rate_add_kr: float = 0.0
    general_grants_factor: float = 1.0
    drug_grant_factor: float = 1.0
    cost_factors: tuple[float, ...] = (1.0,) * len(COST_TYPES)


class AccountsInputs(NamedTuple):
    """Scenario figures as arrays over years (index k = year - first year); picklable for dask."""

    years: np.ndarray
    n_plan: int
    tax_rate_kr: np.ndarray
    plan_fees: np.ndarray
    plan_targeted: np.ndarray
    plan_costs: np.ndarray
    plan_depreciation: np.ndarray
    plan_general_grants: np.ndarray
    plan_drug_grant: np.ndarray
    plan_fin_income: np.ndarray
    plan_fin_costs: np.ndarray
    plan_investments: np.ndarray
    plan_borrowing: np.ndarray
    investments_after_plan: float
    grants_growth: float
    grants_volatility: float
    cost_shares: np.ndarray  # (types,)
    wage_w: np.ndarray
    kpi_w: np.ndarray
    pbb_w: np.ndarray
    real_trend: np.ndarray
    volume_growth: np.ndarray
    employment_growth: float
    savings_msek: np.ndarray  # (years,)
    savings_pct: np.ndarray
    overrun_initial: float
    overrun_mean: float
    overrun_persistence: float
    overrun_volatility: float
    opening_deficits: np.ndarray  # (n_opening,) amounts
    opening_deadlines: np.ndarray
    restore_within: int
    synnerliga_skal: np.ndarray  # (years,)
    realised_gains: np.ndarray  # (years,)
    reserve_enabled: bool
    reserve_threshold: float
    reserve_threshold_positive: float
    reserve_cap: float
    reserve_use: bool
    reserve_downturn_growth: float
    fixed_assets: float
    financial_fixed_assets: float
    other_current_assets: float
    other_short_term_investments: float
    cash: float
    equity: float
    short_term_debt: float
    loans: float
    leasing_debt: float
    tax_base: float
    loan_rate: float
    loan_limit: float
    min_cash: float
    repay_above_cash: float
    loan_spread: float
    refix_share: float  # share of loans whose rate is reset each year = min(1, 1 / fixing years)
    cash_rate_spread: float
    other_fin_costs: float
    depreciation_rate: float
    provision_path: np.ndarray  # (years,) in the projection's own prisbasbelopp terms
    liability_path: np.ndarray
    provision_opening: float
    liability_opening: float
    rips_real_rate: float
    portfolio_opening: float
    portfolio_equity_share: float
    portfolio_unrealised: float
    turnover: float
    rule: RuleParams
    opening_high: float  # the rolling high relative to the unit index at the opening
    opening_high_age: int
    sweden_weight: float
    rate_floor: float
    fi_yield_opening: float
    deposit_policy: int  # 0 none, 1 fixed, 2 share of surplus
    deposit_fixed: float
    deposit_share: float
    deposit_threshold: float
    withdraw_share: float
    pbb_opening: float


def _by_year(mapping: dict[str, float], years: np.ndarray) -> np.ndarray:
    out = np.zeros(years.size)
    for key, value in mapping.items():
        k = int(key) - int(years[0])
        if 0 <= k < years.size:
            out[k] = value
    return out


def _extend(projection: list[float], n_years: int) -> np.ndarray:
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


def accounts_inputs(scenario: Scenario) -> AccountsInputs:
    acc, pen, eco = scenario.accounts, scenario.pension, scenario.economy
    rule = pen.risk_rule
    years = np.asarray(scenario.simulation.years, dtype=np.int64)
    n = years.size
    plan = acc.plan
    n_plan = len(plan.years)

    def plan_array(values: list[float]) -> np.ndarray:
        out = np.zeros(n)
        out[:n_plan] = values
        return out

    rate = np.full(n, acc.tax_rate_kr)
    for key, value in sorted(acc.tax_rate_from_year_kr.items()):
        rate[int(key) - int(years[0]):] = value
    types = [getattr(acc.costs, t) for t in COST_TYPES]
    amounts = np.array([t.amount_2024_msek for t in types])
    op = acc.opening
    return AccountsInputs(
        years=years,
        n_plan=n_plan,
        tax_rate_kr=rate,
        plan_fees=plan_array(plan.fees_and_sales_msek),
        plan_targeted=plan_array(plan.targeted_grants_msek),
        plan_costs=plan_array(plan.operating_costs_msek),
        plan_depreciation=plan_array(plan.depreciation_msek),
        plan_general_grants=plan_array(plan.general_grants_msek),
        plan_drug_grant=plan_array(plan.drug_grant_msek),
        plan_fin_income=plan_array(plan.financial_income_msek),
        plan_fin_costs=plan_array(plan.financial_costs_msek),
        plan_investments=plan_array(plan.investments_msek),
        plan_borrowing=plan_array(plan.new_borrowing_msek),
        investments_after_plan=acc.after_plan.investments_msek,
        grants_growth=acc.after_plan.general_grants_growth_pa,
        grants_volatility=acc.after_plan.general_grants_volatility_pa,
        cost_shares=amounts / amounts.sum(),
        wage_w=np.array([t.wage_weight for t in types]),
        kpi_w=np.array([t.kpi_weight for t in types]),
        pbb_w=np.array([t.pbb_weight for t in types]),
        real_trend=np.array([t.real_trend_pa for t in types]),
        volume_growth=np.array([t.volume_growth_pa for t in types]),
        employment_growth=acc.costs.employment_growth_pa,
        savings_msek=_by_year(acc.savings_programme.msek_by_year, years),
        savings_pct=_by_year(acc.savings_programme.pct_by_year, years),
        overrun_initial=acc.cost_overrun.initial_frac,
        overrun_mean=acc.cost_overrun.mean_frac,
        overrun_persistence=acc.cost_overrun.persistence,
        overrun_volatility=acc.cost_overrun.volatility_frac,
        opening_deficits=np.array([d.amount_msek for d in acc.balance_requirement.opening_deficits]),
        opening_deadlines=np.array([d.deadline_year for d in acc.balance_requirement.opening_deficits]),
        restore_within=acc.balance_requirement.restore_within_years,
        synnerliga_skal=_by_year(acc.balance_requirement.synnerliga_skal_msek, years),
        realised_gains=_by_year(acc.balance_requirement.realised_gains_msek, years),
        reserve_enabled=acc.resultatreserv.enabled,
        reserve_threshold=acc.resultatreserv.threshold_frac,
        reserve_threshold_positive=acc.resultatreserv.threshold_positive_equity_frac,
        reserve_cap=acc.resultatreserv.cap_frac,
        reserve_use=acc.resultatreserv.use_for_deficits,
        reserve_downturn_growth=acc.resultatreserv.use_below_tax_base_growth_pa,
        fixed_assets=op.fixed_assets_msek,
        financial_fixed_assets=op.financial_fixed_assets_msek,
        other_current_assets=op.other_current_assets_msek,
        other_short_term_investments=op.other_short_term_investments_msek,
        cash=op.cash_msek,
        equity=op.equity_msek,
        short_term_debt=op.short_term_debt_msek,
        loans=op.loans_msek,
        leasing_debt=op.leasing_debt_msek,
        tax_base=op.tax_base_msek,
        loan_rate=op.loan_rate_pa,
        loan_limit=acc.financing.loan_limit_msek,
        min_cash=acc.financing.min_cash_msek,
        repay_above_cash=acc.financing.repay_above_cash_msek,
        loan_spread=acc.financing.loan_spread_pa,
        refix_share=min(1.0, 1.0 / acc.financing.rate_fixing_years),
        cash_rate_spread=acc.financing.cash_rate_spread_pa,
        other_fin_costs=acc.financing.other_financial_costs_msek,
        depreciation_rate=acc.financing.depreciation_rate_frac,
        provision_path=_extend(pen.obligation.provision_msek, n),
        liability_path=_extend(pen.obligation.liability_msek, n),
        provision_opening=pen.obligation.provision_msek[0],
        liability_opening=pen.obligation.liability_msek[0],
        rips_real_rate=pen.obligation.rips_real_rate_pa,
        portfolio_opening=pen.portfolio.opening_value_msek,
        portfolio_equity_share=pen.portfolio.opening_equity_share_frac,
        portfolio_unrealised=pen.portfolio.opening_unrealised_gains_msek,
        turnover=pen.portfolio.turnover_frac,
        rule=RuleParams(
            protection=rule.protection_frac, window=rule.window_months, crash=rule.assumed_crash_frac,
            cap=rule.equity_cap_frac, strategic=pen.portfolio.strategic_equity_share_frac,
            rebalance_every=rule.rebalance_every_months, duration=pen.portfolio.fixed_income_duration_years,
        ),
        # margin m = 1 - protection x H / u with u = 1 at the opening: H = (1 - m) / protection
        opening_high=(1.0 - rule.opening_margin_frac) / rule.protection_frac,
        opening_high_age=rule.opening_high_age_months,
        sweden_weight=scenario.economy.equity.sweden_weight_frac,
        rate_floor=-math.inf if eco.short_rate.floor_pa is None else eco.short_rate.floor_pa,
        fi_yield_opening=(eco.short_rate.initial_pa
                          + eco.term_spread.initial_pa * pen.portfolio.fixed_income_duration_years / 10.0),
        deposit_policy=("none", "fixed", "share_of_surplus").index(pen.deposits.policy),
        deposit_fixed=pen.deposits.fixed_msek,
        deposit_share=pen.deposits.surplus_share_frac,
        deposit_threshold=pen.deposits.surplus_threshold_frac,
        withdraw_share=pen.deposits.withdraw_share_of_pension_costs_frac,
        pbb_opening=float(scenario.economy.prisbasbelopp.known_sek[str(OPENING_YEAR)]),
    )


class Baseline(NamedTuple):
    """The zero-shock path's drivers and model values, per year (1-D arrays): what plan-year lines are
    measured against."""

    kpi_index: np.ndarray
    price_index: np.ndarray  # (types, years)
    pbb: np.ndarray
    cash_interest: np.ndarray
    pension_interest: np.ndarray
    loan_interest_opening: np.ndarray
    loan_interest: np.ndarray
    adjustment: np.ndarray  # monthly return added in plan years so the zero-shock path books the plan


def price_growth(p: AccountsInputs, drivers: dict[str, np.ndarray], k: int, pbb_growth: np.ndarray) -> np.ndarray:
    """Price growth of each cost type in year k, shape (types, paths)."""
    wage = drivers["tax_base_growth"][:, k] - p.employment_growth
    infl = drivers["inflation"][:, k]
    return (p.wage_w[:, None] * wage + p.kpi_w[:, None] * infl + p.pbb_w[:, None] * pbb_growth
            + p.real_trend[:, None])


# --------------------------------------------------------------------------------------------------
# the accounting rules, one small function each (arrays over paths; tests give each a hand value)


def balance_requirement_result(result, realised_gains, unrealised_change, reversal):
    """Balanskravsresultat before the resultatreserv: årets resultat less realised gains (on fixed
    assets), less the year's unrealised change in the securities' value, plus the reversal of earlier
    unrealised gains now realised (AR 2024: -493.7 - 1.2 - 183.1 + 10.3 = -667.7)."""
    return result - realised_gains - unrealised_change + reversal


def restore_deficits(vintages, available):
    """Restore deficit vintages oldest first (columns in age order) from ``available`` (>= 0).
    Returns the remaining vintages and what is left of ``available``."""
    vintages = vintages.copy()
    for v in range(vintages.shape[1]):
        restored = np.minimum(available, vintages[:, v])
        vintages[:, v] = vintages[:, v] - restored
        available = available - restored
    return vintages, available


def reserve_allocation(bkr, available, tax_and_grants, reserve, eligible, threshold, cap):
    """Resultatreserv: the part of this year's balanskravsresultat above ``threshold`` x taxes and
    grants (and not used to restore deficits) may be reserved while ``eligible``, up to a balance of
    ``cap`` x taxes and grants."""
    above = np.maximum(np.minimum(available, bkr - threshold * tax_and_grants), 0.0)
    room = np.maximum(cap * tax_and_grants - reserve, 0.0)
    return np.where(eligible, np.minimum(above, room), 0.0)


def pension_interest(provision_prev, rips_real_rate, pbb, pbb_prev):
    """Räntedel: (RIPS real discount rate + change in prisbasbelopp) x the provision at the start of
    the year (AR 2024: 1 % + 9.1 % = 10.1 %, 245 MSEK)."""
    return (rips_real_rate + pbb / pbb_prev - 1.0) * provision_prev


def refixed_loan_rate(previous, short_rate, spread, refix_share):
    """Average loan rate: the share of loans whose rate is reset this year moves to short rate +
    spread; the rest keeps its rate (refix_share = 1 / average rate fixing in years, at most 1)."""
    return (1.0 - refix_share) * previous + refix_share * (short_rate + spread)


def borrowing(cash_before, loans, planned, min_cash, limit, repay_above, allow_repay):
    """Borrowing rule (upplåning): borrow what the plan says, and more when cash would fall below
    ``min_cash``; repay loans with cash above ``repay_above``. A need beyond the loan limit is still
    borrowed (a region cannot run out of cash: fullmäktige would have to raise the limit) and is
    returned as ``above_limit`` > 0, the breach the rule records.
    Returns (borrowed, repaid, above_limit) where above_limit is the year-end debt above the limit."""
    need = np.maximum(min_cash - (cash_before + planned), 0.0)
    borrowed = planned + need
    if allow_repay:
        repaid = np.minimum(np.maximum(cash_before + borrowed - repay_above, 0.0), loans + borrowed)
    else:
        repaid = np.zeros_like(borrowed)
    above_limit = np.maximum(loans + borrowed - repaid - limit, 0.0)
    return borrowed, repaid, above_limit


def realise_turnover(state: PortfolioState, turnover: float) -> np.ndarray:
    """The managers' trading within the sleeves realises a share of the unrealised gains (or losses)
    a year: the cost basis moves that share of the way to market value. Returns the gains realised."""
    realised = np.zeros_like(state.equity)
    for sleeve, basis in ((state.equity, state.basis_eq), (state.fixed, state.basis_fi)):
        step = turnover * (sleeve - basis)
        realised += step
        basis += step
    return realised


def _solve_plan_adjustment(p, state, first_month, eq, fi, target_gain):
    """The monthly return a that, added to both sleeves over the year, makes the (one) zero-shock path
    gain exactly ``target_gain``: the plan's booked financial income. Fixed-point on log growth."""
    value = state.value.copy()
    adjustment = 0.0
    for _ in range(100):
        trial = PortfolioState(*(np.copy(a) for a in state))
        _run_months(p, trial, first_month, eq, fi, adjustment, np.zeros(eq.shape))
        gain = trial.value - value
        if abs(gain[0] - target_gain) < 1e-10:
            break
        achieved = max(gain[0] / value[0], -0.999999)  # guard: a wiped-out year in an absurd scenario
        adjustment += (math.log1p(target_gain / value[0]) - math.log1p(achieved)) / eq.shape[1]
    return adjustment


def _run_months(p, state, first_month, eq, fi, adjustment, share_out):
    n = eq.shape[0]
    realised, derisk, breach, size = np.zeros(n), np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n)
    portfolio_months(p.rule, first_month, eq, fi, adjustment, state.equity, state.fixed, state.basis_eq,
                     state.basis_fi, state.unit, state.dq_idx, state.dq_val, state.dq_head, state.dq_count,
                     share_out, realised, derisk, breach, size)
    return realised, derisk, breach, size


def simulate_accounts(
    p: AccountsInputs,
    drivers: dict[str, np.ndarray],
    monthly: dict[str, np.ndarray],
    shocks: np.ndarray | None,
    baseline: Baseline | None,
    perturbation: Perturbation = Perturbation(),
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], Baseline]:
    """Run the accounts along every path.

    drivers: annual economy outputs (paths x years); monthly: the economy's monthly outputs (equity
    log returns, short rate, term spread) for the pension portfolio. shocks: (paths, years, N_ACCOUNT_SHOCKS) standard
    normals, or None for the zero-shock run (no overrun, no political grant shocks). baseline: the
    zero-shock run's values; None *is* the zero-shock baseline run, whose plan-year lines equal the plan.
    Returns the annual outputs (paths x years), the monthly equity share (paths x months) and this
    run's own model values as a Baseline.
    """
    n_paths, n_years = drivers["inflation"].shape
    years = p.years
    out = {name: np.zeros((n_paths, n_years)) for name in _OUTPUTS}
    model = {name: np.zeros((n_paths, n_years)) for name in Baseline._fields if name not in
             ("kpi_index", "price_index", "pbb", "adjustment")}
    price_index = np.zeros((len(COST_TYPES), n_paths, n_years))

    cost_factors = np.asarray(perturbation.cost_factors)[:, None]
    index = np.ones((len(COST_TYPES), n_paths))
    budget = np.zeros((len(COST_TYPES), n_paths))
    plan_savings_factor = np.ones(n_paths)
    overrun = np.full(n_paths, p.overrun_initial)
    grants_walk = np.zeros(n_paths)
    grants_level = np.zeros(n_paths)
    fees = targeted = drug_grant = np.zeros(n_paths)
    fixed_assets = np.full(n_paths, p.fixed_assets)
    state = opening_state(n_paths, p.portfolio_opening, p.portfolio_equity_share, p.portfolio_unrealised,
                          p.opening_high, p.opening_high_age)
    w = p.sweden_weight
    eq_month = w * np.expm1(monthly["equity_sweden_log"]) + (1.0 - w) * np.expm1(monthly["equity_global_log"])
    fi_month = fixed_income_returns(monthly["short_rate"], monthly["term_spread"], p.rate_floor,
                                    p.rule.duration, p.fi_yield_opening)
    equity_share_month = np.zeros(eq_month.shape)
    adjustments = np.zeros(n_years)
    cash = np.full(n_paths, p.cash)
    loans = np.full(n_paths, p.loans)
    equity = np.full(n_paths, p.equity)
    loan_rate = np.full(n_paths, p.loan_rate)
    provision_prev = np.full(n_paths, p.provision_opening)
    reserve = np.zeros(n_paths)
    # deficit vintages, oldest first: the opening ones, then one slot per simulated year
    n_open = p.opening_deficits.size
    vintages = np.zeros((n_paths, n_open + n_years))
    vintages[:, :n_open] = p.opening_deficits
    deadlines = np.concatenate([p.opening_deadlines, years + p.restore_within])
    is_opening = np.arange(n_open + n_years) < n_open

    for k in range(n_years):
        plan_year = k < p.n_plan
        infl = drivers["inflation"][:, k]
        short = drivers["short_rate"][:, k]
        kpi = drivers["kpi_index"][:, k]
        pbb = drivers["prisbasbelopp_sek"][:, k]
        pbb_prev = drivers["prisbasbelopp_sek"][:, k - 1] if k > 0 else np.full(n_paths, p.pbb_opening)
        growth = price_growth(p, drivers, k, pbb / pbb_prev - 1.0)
        index_prev = index
        index = index * (1.0 + growth)
        price_index[:, :, k] = index

        # --- revenues ------------------------------------------------------------------------------
        tax_base = p.tax_base * drivers["tax_base_index"][:, k] * perturbation.tax_base_factor
        tax_revenue = (p.tax_rate_kr[k] + perturbation.tax_rate_add_kr) / 100.0 * tax_base
        if plan_year:
            kpi_ratio = kpi / (baseline.kpi_index[k] if baseline is not None else kpi)
            fees = p.plan_fees[k] * kpi_ratio
            targeted = p.plan_targeted[k] * kpi_ratio
            grants_level = np.full(n_paths, p.plan_general_grants[k])
            drug_grant = np.full(n_paths, p.plan_drug_grant[k])
        else:
            fees = fees * (1.0 + infl)
            targeted = targeted * (1.0 + infl)
            grants_level = grants_level * (1.0 + p.grants_growth)
            drug_grant = drug_grant * (index[I_DRUGS] / index_prev[I_DRUGS]) * (1.0 + p.volume_growth[I_DRUGS])
        if shocks is not None and k > 0:  # this year's grants are decided; later ones are political
            grants_walk = grants_walk + p.grants_volatility * shocks[:, k, SHOCK_GRANTS]
        # exp(walk - var/2): the expected grant stays on the path (the walk has k shocks by year k)
        walk_variance = p.grants_volatility**2 * k if shocks is not None else 0.0
        general_grants = (grants_level * np.exp(grants_walk - 0.5 * walk_variance)
                          * perturbation.general_grants_factor)
        drug_grant_booked = drug_grant * perturbation.drug_grant_factor
        tax_and_grants = tax_revenue + general_grants + drug_grant_booked

        # --- costs: budget by type, savings, overrun ---------------------------------------------------
        if plan_year:
            ratio = index / (baseline.price_index[:, k][:, None] if baseline is not None else index)
            budget = p.plan_costs[k] * p.cost_shares[:, None] * ratio * plan_savings_factor
        else:
            budget = budget * (index / index_prev) * (1.0 + p.volume_growth[:, None])
        total_budget = budget.sum(axis=0)
        cut = p.savings_msek[k] + p.savings_pct[k] / 100.0 * total_budget
        keep = 1.0 - cut / total_budget
        budget = budget * keep
        plan_savings_factor = plan_savings_factor * keep
        if shocks is not None:
            overrun = (p.overrun_mean + p.overrun_persistence * (overrun - p.overrun_mean)
                       + p.overrun_volatility * shocks[:, k, SHOCK_OVERRUN])
            costs = budget * (1.0 + overrun) * cost_factors
        else:
            overrun = np.zeros(n_paths)
            costs = budget * cost_factors
        operating_costs = costs.sum(axis=0)

        # --- investments and depreciation ------------------------------------------------------------
        if plan_year:
            investments = np.full(n_paths, p.plan_investments[k])
            depreciation = np.full(n_paths, p.plan_depreciation[k])
        else:
            last_plan_kpi = drivers["kpi_index"][:, p.n_plan - 1]
            investments = p.investments_after_plan * kpi / last_plan_kpi
            depreciation = p.depreciation_rate * fixed_assets
        fixed_assets = fixed_assets + investments - depreciation

        # --- pension obligation, indexed by the path's prisbasbelopp ---------------------------------
        pbb_ratio = pbb / (baseline.pbb[k] if baseline is not None else pbb)
        provision = p.provision_path[k] * pbb_ratio
        liability = p.liability_path[k] * pbb_ratio

        # --- the pension portfolio, month by month under the dynamiska riskprincipen ------------------
        months = slice(12 * k, 12 * k + 12)
        if plan_year and baseline is None:
            adjustments[k] = _solve_plan_adjustment(p, state, 12 * k, eq_month[:, months], fi_month[:, months],
                                                    p.plan_fin_income[k])
        elif plan_year:
            adjustments[k] = baseline.adjustment[k]
        value_start = state.value
        realised_sec, derisk, breach_months, breach_size = _run_months(
            p, state, 12 * k, eq_month[:, months], fi_month[:, months], adjustments[k],
            equity_share_month[:, months])
        gain_model = state.value - value_start  # market-value change (plus the plan adjustment)

        # --- financial items (model values) ----------------------------------------------------------
        cash_interest_model = cash * (short + p.cash_rate_spread)
        pension_interest_model = pension_interest(provision_prev, p.rips_real_rate, pbb, pbb_prev)
        loan_rate = refixed_loan_rate(loan_rate, short, p.loan_spread, p.refix_share)
        loan_interest_opening_model = loans * loan_rate
        model["cash_interest"][:, k] = cash_interest_model
        model["pension_interest"][:, k] = pension_interest_model
        model["loan_interest_opening"][:, k] = loan_interest_opening_model

        gain = gain_model  # at market value in every year (LKBR); plan years carry the adjustment
        if plan_year:  # the plan's figure plus the path's surprise against the zero-shock path
            if baseline is None:
                fin_income_other = np.zeros(n_paths)
                fin_costs_before_new_loans = np.full(n_paths, p.plan_fin_costs[k])
            else:
                fin_income_other = cash_interest_model - baseline.cash_interest[k]
                fin_costs_before_new_loans = (p.plan_fin_costs[k]
                                              + pension_interest_model - baseline.pension_interest[k]
                                              + loan_interest_opening_model - baseline.loan_interest_opening[k])
        else:
            fin_income_other = cash_interest_model
            fin_costs_before_new_loans = pension_interest_model + loan_interest_opening_model + p.other_fin_costs
        financial_income = gain + fin_income_other

        revenue = tax_and_grants + fees + targeted + p.realised_gains[k]  # realisationsvinster on fixed assets
        result_before_new_loans = revenue - operating_costs - depreciation + financial_income - fin_costs_before_new_loans

        # --- cash flow and the borrowing rule ------------------------------------------------------------
        # non-cash: depreciation, the change in the pension provision, the portfolio's booked return
        cash_before = (cash + result_before_new_loans + depreciation + (provision - provision_prev)
                       - gain - investments)
        planned = p.plan_borrowing[k] if plan_year else 0.0
        borrow, repay, shortfall = borrowing(cash_before, loans, planned, p.min_cash, p.loan_limit,
                                             p.repay_above_cash, allow_repay=not plan_year)
        net_borrowing = borrow - repay
        new_loan_interest = 0.5 * net_borrowing * loan_rate  # new loans and repayments at mid-year
        loan_interest_model = loan_interest_opening_model + new_loan_interest
        model["loan_interest"][:, k] = loan_interest_model
        if plan_year and baseline is not None:
            new_loan_interest = loan_interest_model - baseline.loan_interest[k] - (
                loan_interest_opening_model - baseline.loan_interest_opening[k])
        elif plan_year:
            new_loan_interest = np.zeros(n_paths)
        financial_costs = fin_costs_before_new_loans + new_loan_interest
        result = result_before_new_loans - new_loan_interest
        cash = cash_before + net_borrowing - new_loan_interest
        loans = loans + net_borrowing
        breach = shortfall > 1e-9

        equity = equity + result

        # --- deposits to / withdrawals from the portfolio at year end (no effect on the result) -------
        # from the room in the liquidity: cash above the minimum, not in a year that needed new loans,
        # and not while the debt is above the loan limit
        liquidity = np.where((net_borrowing > 0.0) | (loans > p.loan_limit), 0.0, np.maximum(cash - p.min_cash, 0.0))
        if p.deposit_policy == 1:
            deposit = np.minimum(p.deposit_fixed, liquidity)
        elif p.deposit_policy == 2:
            surplus = np.maximum(result - p.deposit_threshold * tax_and_grants, 0.0)
            deposit = np.minimum(p.deposit_share * surplus, liquidity)
        else:
            deposit = np.zeros(n_paths)
        withdrawal = np.minimum(p.withdraw_share * costs[I_PENSIONS], state.value + deposit)
        realised_sec = realised_sec + flow(state, deposit - withdrawal) + realise_turnover(state, p.turnover)
        cash = cash - deposit + withdrawal

        # --- balanskrav: result less realised gains, adjusted for unrealised securities gains ----------
        # the year's market-value change is taken out; the part of it (and of earlier years' gains)
        # realised by sales this year is put back (AR: "återföring av orealiserade vinster")
        bkr = balance_requirement_result(result, p.realised_gains[k], gain, realised_sec)
        if p.reserve_use:  # only in a downturn: the tax base grows slower than its normal pace
            downturn = drivers["tax_base_growth"][:, k] < p.reserve_downturn_growth
            use = np.where((bkr < 0.0) & downturn, np.minimum(-bkr, reserve), 0.0)
            reserve = reserve - use
            bkr = bkr + use
        deficit = np.maximum(-bkr, 0.0)
        exempt = np.minimum(deficit, p.synnerliga_skal[k])
        vintages[:, n_open + k] = deficit - exempt
        vintages, available = restore_deficits(vintages, np.maximum(bkr, 0.0))
        if p.reserve_enabled:
            # above 2 % of taxes and grants while equity incl. the pension liability is negative,
            # above 1 % otherwise (kommunallagen 11 kap. 14 §), once no deficit is left to restore
            threshold = np.where(equity - liability < 0.0, p.reserve_threshold, p.reserve_threshold_positive)
            eligible = vintages.sum(axis=1) <= 0.0
            put = reserve_allocation(bkr, available, tax_and_grants, reserve, eligible, threshold, p.reserve_cap)
            reserve = reserve + put
            bkr = bkr - put
        overdue = vintages * (deadlines <= years[k])

        portfolio = state.value
        total_assets = (fixed_assets + p.financial_fixed_assets + p.other_current_assets
                        + p.other_short_term_investments + portfolio + cash)
        o = out
        o["tax_revenue_msek"][:, k] = tax_revenue
        o["general_grants_msek"][:, k] = general_grants
        o["drug_grant_msek"][:, k] = drug_grant_booked
        o["fees_and_sales_msek"][:, k] = fees
        o["targeted_grants_msek"][:, k] = targeted
        for name, i in (("personnel", I_PERSONNEL), ("pension", I_PENSIONS), ("purchased_care", I_PURCHASED),
                        ("drug", I_DRUGS), ("other", I_OTHER)):
            o[f"{name}_costs_msek"][:, k] = costs[i]
        o["cost_overrun_msek"][:, k] = total_budget * keep * overrun
        o["operating_costs_msek"][:, k] = operating_costs
        o["depreciation_msek"][:, k] = depreciation
        o["portfolio_return_msek"][:, k] = gain
        o["financial_income_msek"][:, k] = financial_income
        o["pension_interest_msek"][:, k] = pension_interest_model
        o["loan_interest_msek"][:, k] = loan_interest_model
        o["financial_costs_msek"][:, k] = financial_costs
        o["result_msek"][:, k] = result
        o["tax_and_grants_msek"][:, k] = tax_and_grants
        o["result_share_of_tax_and_grants"][:, k] = result / tax_and_grants
        o["balance_requirement_result_msek"][:, k] = bkr
        o["resultatreserv_msek"][:, k] = reserve
        o["deficit_outstanding_msek"][:, k] = vintages.sum(axis=1)
        o["deficit_overdue_msek"][:, k] = overdue.sum(axis=1)
        o["opening_deficit_overdue_msek"][:, k] = overdue[:, is_opening].sum(axis=1)
        o["equity_msek"][:, k] = equity
        o["equity_incl_pension_liability_msek"][:, k] = equity - liability
        o["total_assets_msek"][:, k] = total_assets
        o["solidity"][:, k] = equity / total_assets
        o["solidity_incl_pension_liability"][:, k] = (equity - liability) / total_assets
        o["cash_msek"][:, k] = cash
        o["loans_msek"][:, k] = loans
        o["new_borrowing_msek"][:, k] = net_borrowing
        o["loan_limit_breach"][:, k] = breach
        o["borrowing_shortfall_msek"][:, k] = shortfall
        o["loan_rate"][:, k] = loan_rate
        o["investments_msek"][:, k] = investments
        o["pension_assets_msek"][:, k] = portfolio
        o["pension_provision_msek"][:, k] = provision
        o["pension_liability_msek"][:, k] = liability
        o["pension_obligation_msek"][:, k] = provision + liability
        o["consolidation_ratio"][:, k] = portfolio / (provision + liability)
        o["equity_share"][:, k] = np.divide(state.equity, portfolio, out=np.zeros(n_paths), where=portfolio > 0)
        o["derisking_months"][:, k] = derisk
        o["derisking"][:, k] = derisk > 0
        o["protection_breach"][:, k] = breach_months > 0
        o["protection_breach_size"][:, k] = breach_size
        o["pension_deposits_msek"][:, k] = deposit
        o["pension_withdrawals_msek"][:, k] = withdrawal
        o["realised_securities_gains_msek"][:, k] = realised_sec
        o["unrealised_gains_msek"][:, k] = portfolio - state.basis_eq - state.basis_fi
        provision_prev = provision

    own = Baseline(
        kpi_index=drivers["kpi_index"][0].copy(),
        price_index=price_index[:, 0, :].copy(),
        pbb=drivers["prisbasbelopp_sek"][0].copy(),
        adjustment=adjustments,
        **{name: values[0].copy() for name, values in model.items()},
    )
    return out, {"equity_share": equity_share_month}, own


def balance_sheet_gap(p: AccountsInputs, out: dict[str, np.ndarray]) -> np.ndarray:
    """Total assets minus (equity + provision + loans + leasing + short-term debt), paths x years.
    Zero up to rounding on every path when the accounts are consistent."""
    return out["total_assets_msek"] - (out["equity_msek"] + out["pension_provision_msek"] + out["loans_msek"]
                                       + p.leasing_debt + p.short_term_debt)

