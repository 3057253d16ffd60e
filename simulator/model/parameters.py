"""The scenario onto the kernels' parameter records, by one table per record (dotted path -> field).

Each :class:`Row` names the record field(s) it fills, the scenario fields it reads (dotted paths, as
``--set`` spells them; a path may name a whole table) and how it converts them. A field that copies one
scenario value carries that value's name and unit (``policy.reaction.strength_frac`` ->
``reaction_strength_frac``); a converted field says its new form in its name (``_log_pa``,
``_per_month``, ``_frac`` from a ``_pct``). tests/test_parameters.py walks every scenario field to a row
and every record field to exactly one row, so a new scenario field cannot be forgotten here.

Fields the tables do not fill come from elsewhere, named in :data:`READ_ELSEWHERE`, or are the
känslighetsanalys perturbations (:data:`PERTURBATION_FIELDS`, simulator.model.accounts.Perturbation).
"""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import numpy as np

from simulator.kernels.records import (
    COST_TYPES,
    DEPOSIT_FIXED,
    DEPOSIT_NONE,
    DEPOSIT_SHARE,
    ECONOMY_PARAMS,
    MAX_OPENING_DEFICITS,
    MAX_YEARS,
    ORDER_DEADLINE,
    ORDER_OLDEST,
    PARAMS,
)
from simulator.kernels.rng import EPOCH_YEAR
from simulator.model.accounts import Perturbation
from simulator.scenario.base import ScenarioError
from simulator.scenario.schema import Scenario

MONTHS_PER_YEAR = 12
DT = 1.0 / MONTHS_PER_YEAR


class Context(NamedTuple):
    """What a by-year conversion needs besides the scenario's values."""

    first_year: int
    n_years: int


class Row(NamedTuple):
    """Record field(s) <- scenario field(s), through ``convert(context, *values)`` (one value, or a tuple
    of one per field)."""

    fields: tuple[str, ...]
    sources: tuple[str, ...]
    convert: Callable[..., Any]


def _row(fields: str | tuple[str, ...], sources: str | tuple[str, ...], convert: Callable[..., Any]) -> Row:
    return Row(fields if isinstance(fields, tuple) else (fields,),
               sources if isinstance(sources, tuple) else (sources,), convert)


def same(ctx: Context, x: Any) -> Any:
    """The value unchanged: the field carries the scenario's name and unit."""
    return x


def copy(prefix: str, section: str, *names: str) -> list[Row]:
    """Rows copying ``section.name`` into ``prefix + name`` unchanged (name and unit kept)."""
    return [_row(prefix + name, f"{section}.{name}", same) for name in names]


# ------------------------------------------------------------------------------------------- conversions

def exact_ou_coefficients(kappa, sigma, dt: float = DT):
    """Decay exp(-kappa dt) and the shock standard deviation of the exact OU step over dt (scalars or
    arrays alike: --parameter-uncertainty computes them per path).

    Var = sigma^2 (1 - exp(-2 kappa dt)) / (2 kappa), written with expm1 so that it is accurate for small
    kappa and tends to sigma^2 dt (a random walk) as kappa -> 0 instead of dividing by zero.
    """
    kappa = np.asarray(kappa, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    kd = kappa * dt
    small = kd < 1e-12
    var = np.where(small, sigma * sigma * dt,
                   sigma * sigma * -np.expm1(-2.0 * kd) / (2.0 * np.where(small, 1.0, kappa)))
    decay, sd = np.exp(-kd), np.sqrt(var)
    return (float(decay), float(sd)) if decay.ndim == 0 else (decay, sd)


def correlation_factor(corr: np.ndarray) -> np.ndarray:
    """A matrix L with L L^T = corr: Cholesky where corr is positive definite, otherwise (positive
    semi-definite, e.g. two perfectly correlated drivers) the symmetric square root from eigh."""
    try:
        return np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(corr)
        return (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T


def stationary_crash_share(p_enter: float, p_exit: float) -> float:
    """Long-run share of months in the crash regime of a two-state Markov chain."""
    total = p_enter + p_exit
    return 0.0 if total == 0.0 else p_enter / total


def _log_rate(ctx: Context, x: float) -> float:
    """An annual effective rate as the annualised log rate the economy simulates: ln(1 + x)."""
    return math.log1p(x)


def _ou(ctx: Context, kappa: float, sigma: float) -> tuple[float, float]:
    return exact_ou_coefficients(kappa, sigma)


def _lag_weight(ctx: Context, lag_months: float) -> float:
    """An exponential average with weight w on the past has a mean lag of 1 / (1 - w) months."""
    return 1.0 - 1.0 / lag_months if lag_months >= 1.0 else 0.0


def _floor(ctx: Context, floor: float | None) -> float:
    return -math.inf if floor is None else floor


def _padded(ctx: Context, values: list[float] | np.ndarray) -> np.ndarray:
    """A per-plan-year list over the simulated years from the first, zero beyond."""
    out = np.zeros(MAX_YEARS)
    out[: len(values)] = values
    return out


def by_year(mapping: dict[str, float], first_year: int) -> np.ndarray:
    """A ``{"2026": x}`` table over the simulated years from ``first_year``, zero where not given."""
    out = np.zeros(MAX_YEARS)
    for key, value in mapping.items():
        k = int(key) - first_year
        if 0 <= k < MAX_YEARS:
            out[k] = value
    return out


def _by_year(ctx: Context, mapping: dict[str, float]) -> np.ndarray:
    return by_year(mapping, ctx.first_year)


def _percent(ctx: Context, x: float) -> float:
    return x / 100.0


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


def _projection(ctx: Context, projection: list[float]) -> np.ndarray:
    return _padded(ctx, extend_projection(projection, ctx.n_years))


def _tax_rate_by_year(ctx: Context, rate_kr: float, from_year: dict[str, float], rise_kr: float,
                      rise_from: int | None) -> np.ndarray:
    """The tax rate in force each year: the opening rate, changed from the years the scenario gives,
    plus a tax rise as a person says it (``kr`` from ``from_year``)."""
    rate = np.full(MAX_YEARS, rate_kr)
    for key, value in sorted(from_year.items()):
        rate[int(key) - ctx.first_year:] = value
    if rise_from is not None:
        rate[rise_from - ctx.first_year:] += rise_kr
    return rate


def _per_cost_type(field: str) -> Row:
    """One value per cost type (``accounts.costs.<type>.<field>``) as an array in COST_TYPES order."""
    return _row(f"cost_{field}", tuple(f"accounts.costs.{t}.{field}" for t in COST_TYPES), lambda ctx, *xs: list(xs))


def _cost_shares(ctx: Context, *amounts: float) -> np.ndarray:
    """Each cost type's share of the 2024 total: the plan's total is split in these shares."""
    values = np.array(amounts)
    return values / values.sum()


def _opening_deficits(ctx: Context, deficits: list) -> tuple[int, np.ndarray, np.ndarray]:
    if len(deficits) > MAX_OPENING_DEFICITS:
        raise ScenarioError(f"accounts.balance_requirement.opening_deficits: at most "
                            f"{MAX_OPENING_DEFICITS} deficits (got {len(deficits)})")
    amounts, deadlines = np.zeros(MAX_OPENING_DEFICITS), np.zeros(MAX_OPENING_DEFICITS, dtype=np.int64)
    amounts[: len(deficits)] = [d.amount_msek for d in deficits]
    deadlines[: len(deficits)] = [d.deadline_year for d in deficits]
    return len(deficits), amounts, deadlines


def _opening_high(ctx: Context, margin: float, protection: float) -> float:
    """The opening 24-month high relative to the unit index (u = 1 at the opening): the margin
    m = 1 - protection x H / u gives H = (1 - m) / protection."""
    return (1.0 - margin) / protection


def _opening_yield(ctx: Context, short: float, spread: float, duration: float) -> float:
    """The yield at the portfolio's duration on the opening curve (the long rate is the 10-year point),
    held above -90 % as a numerical guard."""
    return max(short + spread * duration / 10.0, -0.9)


def _opening_pbb(ctx: Context, known: dict[str, float], opening_year: int) -> float:
    return float(known[str(opening_year)])


_DEPOSIT_POLICIES = {"none": DEPOSIT_NONE, "fixed": DEPOSIT_FIXED, "share_of_surplus": DEPOSIT_SHARE}


# ------------------------------------------------------------------------------------------- the tables

ECONOMY_ROWS: tuple[Row, ...] = (
    _row("dt_years", (), lambda ctx: DT),
    # the random numbers are keyed by calendar month (simulator.kernels.rng)
    _row("rng_epoch_offset_months", "simulation.start_year", lambda ctx, year: 12 * (year - EPOCH_YEAR)),
    _row("inflation_initial_log_pa", "economy.inflation.initial_pa", _log_rate),
    _row("inflation_target_log_pa", "economy.inflation.target_pa", _log_rate),
    _row("inflation_shock_mean_log_pa", "economy.inflation.shock_regime.mean_pa", _log_rate),
    _row(("inflation_decay_per_month", "inflation_sd_per_month"),
         ("economy.inflation.mean_reversion_per_year", "economy.inflation.volatility_pa"), _ou),
    *copy("inflation_shock_", "economy.inflation.shock_regime", "entry_probability_per_month",
          "exit_probability_per_month"),
    _row("inflation_lag_weight_per_month", "economy.inflation.lag_months", _lag_weight),
    _row("inflation_lagged_initial_log_pa", "economy.inflation.lagged_initial_pa", _log_rate),
    *copy("short_rate_", "economy.short_rate", "initial_pa", "real_long_run_pa", "inflation_pass_through"),
    _row(("short_rate_decay_per_month", "short_rate_sd_per_month"),
         ("economy.short_rate.mean_reversion_per_year", "economy.short_rate.volatility_pa"), _ou),
    _row("short_rate_floor_pa", "economy.short_rate.floor_pa", _floor),
    *copy("term_spread_", "economy.term_spread", "initial_pa", "long_run_pa"),
    _row(("term_spread_decay_per_month", "term_spread_sd_per_month"),
         ("economy.term_spread.mean_reversion_per_year", "economy.term_spread.volatility_pa"), _ou),
    *copy("equity_", "economy.equity", "crash_entry_probability_per_month", "crash_exit_probability_per_month"),
    *copy("calm_", "economy.equity.calm", "sweden_log_drift_pa", "sweden_volatility_pa", "global_log_drift_pa",
          "global_volatility_pa"),
    *copy("crash_", "economy.equity.crash", "sweden_log_drift_pa", "sweden_volatility_pa", "global_log_drift_pa",
          "global_volatility_pa"),
    *copy("equity_", "economy.equity", "sweden_weight_frac"),
    _row("tax_base_real_long_run_log_pa", "economy.tax_base.real_long_run_growth_pa", _log_rate),
    *copy("tax_base_", "economy.tax_base", "inflation_pass_through"),
    _row(("tax_base_decay_per_month", "tax_base_sd_per_month"),
         ("economy.tax_base.mean_reversion_per_year", "economy.tax_base.volatility_pa"), _ou),
    _row("wage_real_growth_log_pa", "economy.wage.real_growth_pa", _log_rate),
    *copy("wage_", "economy.wage", "inflation_pass_through"),
    _row(("wage_decay_per_month", "wage_sd_per_month"),
         ("economy.wage.mean_reversion_per_year", "economy.wage.volatility_pa"), _ou),
    _row("correlation_factor", "economy.correlation", lambda ctx, c: correlation_factor(c.ordered())),
    # --parameter-uncertainty shifts and scales the budget deviation per path; the point estimate is the identity
    _row("budget_deviation_mean_shift_frac", (), lambda ctx: 0.0),
    _row("budget_deviation_sd_scale", (), lambda ctx: 1.0),
    _row("plan_slippage_shift_frac", (), lambda ctx: 0.0),
)

ACCOUNTS_ROWS: tuple[Row, ...] = (
    _row("n_years", "simulation", lambda ctx, sim: len(sim.years)),
    _row("start_year", "simulation.start_year", same),
    _row("n_plan_years", "accounts.plan.years", lambda ctx, years: len(years)),
    # revenues
    _row("tax_rate_kr", ("accounts.tax_rate_kr", "accounts.tax_rate_from_year_kr", "accounts.tax_rise.kr",
                         "accounts.tax_rise.from_year"), _tax_rate_by_year),
    *[_row(f"plan_{name}", f"accounts.plan.{name}", _padded) for name in (
        "fees_and_sales_msek", "targeted_grants_msek", "general_grants_msek", "drug_grant_msek",
        "operating_costs_msek", "depreciation_msek", "investments_msek", "financial_income_msek",
        "financial_costs_msek", "new_borrowing_msek")],
    *copy("", "accounts.after_plan", "general_grants_growth_pa", "general_grants_volatility_pa"),
    _row("income_equalisation_share_frac", "accounts.after_plan.income_equalisation_share_frac", same),
    _row("after_plan_investments_msek", "accounts.after_plan.investments_msek", same),
    # costs
    _row("cost_share_frac", tuple(f"accounts.costs.{t}.opening_amount_msek" for t in COST_TYPES), _cost_shares),
    *[_per_cost_type(f) for f in ("wage_weight", "kpi_weight", "pbb_weight", "real_trend_pa", "volume_growth_pa")],
    _row("savings_programme_msek", "accounts.savings_programme.msek_by_year", _by_year),
    _row("savings_programme_pct", "accounts.savings_programme",
         lambda ctx, sp: [sp.pct_in(ctx.first_year + k) for k in range(MAX_YEARS)]),
    *copy("budget_deviation_", "accounts.budget_deviation", "initial_frac", "mean_frac", "volatility_frac",
          "persistence"),
    *copy("plan_slippage_", "accounts.plan_slippage", "unrealised_frac"),
    *copy("depreciation_", "accounts.depreciation", "opening_stock_rate_frac", "useful_life_years"),
    # financing
    *copy("", "accounts.financing", "loan_limit_msek", "debt_ceiling_frac", "overdraft_msek", "overdraft_spread_pa",
          "min_cash_msek", "repay_above_cash_msek", "loan_spread_pa", "cash_rate_spread_pa",
          "other_financial_costs_msek"),
    _row("refix_share_frac", "accounts.financing.rate_fixing_years", lambda ctx, years: min(1.0, 1.0 / years)),
    _row("short_rate_floor_pa", "economy.short_rate.floor_pa", _floor),
    # the opening balance sheet (31 Dec of the opening year)
    *copy("opening_", "accounts.opening", "fixed_assets_msek", "financial_fixed_assets_msek",
          "other_current_assets_msek", "other_short_term_investments_msek", "cash_msek", "equity_msek",
          "short_term_debt_msek", "loans_msek", "leasing_debt_msek", "loan_rate_pa", "tax_base_msek"),
    # balanskrav and resultatreserv
    _row(("n_opening_deficits", "opening_deficit_amount_msek", "opening_deficit_deadline_year"),
         "accounts.balance_requirement.opening_deficits", _opening_deficits),
    *copy("", "accounts.balance_requirement", "restore_within_years"),
    _row("deadline_by_year", "accounts.balance_requirement.deadline_by_year",
         lambda ctx, m: by_year({k: float(v) for k, v in m.items()}, ctx.first_year)),
    _row("restore_order", "accounts.balance_requirement.restore_order",
         lambda ctx, order: ORDER_OLDEST if order == "oldest_first" else ORDER_DEADLINE),
    _row("synnerliga_skal_msek", "accounts.balance_requirement.synnerliga_skal_msek", _by_year),
    _row("realised_gains_msek", "accounts.balance_requirement.realised_gains_msek", _by_year),
    *copy("resultatreserv_", "accounts.resultatreserv", "opening_msek", "enabled", "threshold_frac",
          "threshold_positive_equity_frac", "cap_frac", "use_for_deficits", "use_below_tax_base_growth_pa"),
    # the pension obligation
    _row("provision_msek", "pension.obligation.provision_msek", _projection),
    _row("liability_msek", "pension.obligation.liability_msek", _projection),
    _row("opening_provision_msek", "pension.obligation.provision_msek", lambda ctx, xs: xs[0]),
    _row("opening_liability_msek", "pension.obligation.liability_msek", lambda ctx, xs: xs[0]),
    *copy("", "pension.obligation", "rips_real_rate_pa", "income_indexed_share_frac"),
    _row("opening_prisbasbelopp_sek", ("economy.prisbasbelopp.known_sek", "opening.year"), _opening_pbb),
    # the portfolio and the dynamiska riskprincipen
    _row("portfolio_opening_value_msek", "pension.portfolio.opening_value_msek", same),
    *copy("", "pension.portfolio", "opening_equity_share_frac", "opening_unrealised_gains_msek", "turnover_frac",
          "management_fee_pa", "strategic_equity_share_frac", "fixed_income_duration_years"),
    *copy("", "pension.risk_rule", "equity_cap_frac", "protection_frac", "window_months", "assumed_crash_frac",
          "rebalance_every_months", "opening_high_age_months"),
    _row("immediate_trigger_frac", "pension.risk_rule.immediate_trigger_frac",
         lambda ctx, x: 0.0 if x is None else x),
    _row("opening_high_index", ("pension.risk_rule.opening_margin_frac", "pension.risk_rule.protection_frac"),
         _opening_high),
    _row("opening_fixed_income_yield_pa", ("economy.short_rate.initial_pa", "economy.term_spread.initial_pa",
                                           "pension.portfolio.fixed_income_duration_years"), _opening_yield),
    # deposits
    _row("deposit_policy", "pension.deposits.policy", lambda ctx, name: _DEPOSIT_POLICIES[name]),
    _row("deposit_from_year", "pension.deposits.from_year", lambda ctx, year: year or 0),
    *copy("deposit_", "pension.deposits", "fixed_msek", "surplus_share_frac", "surplus_threshold_frac", "cap_frac"),
    _row("deposit_cap_booked_enabled", "pension.deposits.cap_measure", lambda ctx, measure: measure == "booked"),
    _row("withdraw_above_cap_enabled", "pension.deposits.withdraw_above_cap", lambda ctx, on: bool(on)),
    *copy("", "pension.deposits", "withdraw_share_of_pension_costs_frac"),
    # the reaction rule (åtgärdsplan)
    *copy("reaction_", "policy.reaction", "enabled", "strength_frac", "target_result_frac", "aim_result_frac",
          "on_deficit", "on_result_below_target", "on_debt_above_ceiling", "debt_correction_years",
          "pause_deposits"),
    _row(("reaction_uses_savings", "reaction_uses_tax", "reaction_tax_first"), "policy.reaction.order",
         lambda ctx, order: ("savings" in order, "tax" in order, bool(order) and order[0] == "tax")),
    _row("reaction_savings_max_per_year_frac", "policy.reaction.savings.max_per_year_pct", _percent),
    _row("reaction_savings_max_total_frac", "policy.reaction.savings.max_total_pct", _percent),
    *copy("reaction_tax_", "policy.reaction.tax", "max_per_year_kr", "max_total_kr", "step_kr"),
    _row("reaction_tax_floor_kr", "policy.reaction.tax.floor_kr", lambda ctx, x: math.nan if x is None else x),
    *copy("reaction_synnerliga_skal_", "policy.reaction.synnerliga_skal", "enabled", "pbb_growth_above_pa",
          "normal_pbb_growth_pa"),
    *copy("reaction_symmetric_", "policy.reaction.symmetric", "enabled", "above_target_frac", "strength_frac",
          "reverse_tax"),
    _row("reaction_symmetric_max_total_frac", "policy.reaction.symmetric.max_total_pct", _percent),
)

#: the accounts record's känslighetsanalys multipliers (:class:`Perturbation`), not the scenario's
PERTURBATION_FIELDS = ("tax_base_factor", "tax_rate_add_kr", "general_grants_factor", "drug_grant_factor",
                       "cost_factor")

#: scenario fields that reach the kernels other than through a record field, and where they go
READ_ELSEWHERE = {
    "economy.tax_base.expected_growth_pa": "the tax-base anchor per month (simulator.model.drivers)",
    "economy.prisbasbelopp.known_sek": "the known prisbasbelopp amounts (simulator.model.drivers)",
    "simulation": "the months simulated (simulator.model.drivers)",
    "pension.obligation.projection_years": "none: validated to run from the opening year, so the projection's "
                                           "values are read by position",
    "policy.name": "the policy's label in the outputs (simulator.run.summary)",
    "stress": "the stress table per month (simulator.model.stress)",
    "known": "the observed values the paths take (simulator.model.known)",
    "goals": "the goals' evaluation on paths (simulator.model.goals)",
    "calibration": "--parameter-uncertainty's draws (simulator.model.uncertainty)",
    "opening": "the opening year-end and the states carried from it (simulator.model.opening; the years' "
               "checks through the validation context)",
    "name": "the outputs' labels",
    "description": "the outputs' labels",
    "report": "the report's title and description (simulator.report)",
}


def value_at(scenario: Scenario, dotted: str) -> Any:
    """The scenario's value (or table) at a dotted path."""
    node: Any = scenario
    for key in dotted.split("."):
        node = getattr(node, key)
    return node


def fill(record: np.void, scenario: Scenario, rows: tuple[Row, ...]) -> None:
    """Set the record's fields from the scenario, row by row."""
    ctx = Context(first_year=scenario.simulation.start_year, n_years=len(scenario.simulation.years))
    for row in rows:
        value = row.convert(ctx, *(value_at(scenario, s) for s in row.sources))
        values = value if len(row.fields) > 1 else (value,)
        for field, v in zip(row.fields, values):
            record[field] = v


def economy_params(scenario: Scenario, deterministic: bool = False) -> np.ndarray:
    """The economy's kernel parameters as one ECONOMY_PARAMS record (a 1-element array).

    ``deterministic``: the zero-shock path keeps the regimes where they start (normal inflation, calm
    markets), so the calm equity drift is replaced by the regime average weighted by the chain's
    long-run shares: the path then earns the expected log return instead of a crash-free one."""
    rec = np.zeros(1, dtype=ECONOMY_PARAMS)
    r = rec[0]
    fill(r, scenario, ECONOMY_ROWS)
    if deterministic:
        eq = scenario.economy.equity
        crash = stationary_crash_share(eq.crash_entry_probability_per_month, eq.crash_exit_probability_per_month)
        r["calm_sweden_log_drift_pa"] = (1 - crash) * eq.calm.sweden_log_drift_pa + crash * eq.crash.sweden_log_drift_pa
        r["calm_global_log_drift_pa"] = (1 - crash) * eq.calm.global_log_drift_pa + crash * eq.crash.global_log_drift_pa
    return rec


def accounts_params(scenario: Scenario, perturbation: Perturbation = Perturbation()) -> np.ndarray:
    """The scenario's accounts, pension and policy figures as one PARAMS record (a 1-element array), with
    the känslighetsanalys ``perturbation`` (identity by default)."""
    rec = np.zeros(1, dtype=PARAMS)
    r = rec[0]
    fill(r, scenario, ACCOUNTS_ROWS)
    r["tax_base_factor"] = perturbation.tax_base_factor
    r["tax_rate_add_kr"] = perturbation.tax_rate_add_kr
    r["general_grants_factor"] = perturbation.general_grants_factor
    r["drug_grant_factor"] = perturbation.drug_grant_factor
    r["cost_factor"] = perturbation.cost_factors
    return rec
