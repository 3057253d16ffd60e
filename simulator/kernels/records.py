"""The records the kernels read and write, in one place: a variant's accounts parameters (``PARAMS``), a
path's state carried across years (``STATE``), the economy's parameters per path (``ECONOMY_PARAMS``) and
a path-year's outputs (``OUTPUT``, one float64 per annual variable of simulator.variables).

Parameter fields carry the scenario's names and units (``window_months``, ``equity_cap_frac``,
``reaction_strength_frac``); where the kernel needs another form the name says so (``_log_pa`` an
annualised log rate, ``_per_month`` an exact one-month step, ``_frac`` from a scenario's ``_pct``). One
table, simulator.model.parameters, fills them from a scenario. State fields are the kernels' own.
"""

from __future__ import annotations

import numpy as np

from simulator.variables import ANNUAL

COST_TYPES = ("personnel", "pensions", "purchased_care", "drugs", "other")
I_PERSONNEL, I_PENSIONS, I_PURCHASED, I_DRUGS, I_OTHER = range(len(COST_TYPES))
N_COST = len(COST_TYPES)
MAX_YEARS = 46  # simulator.scenario.base: LAST_YEAR_ALLOWED - OPENING_YEAR
MAX_OPENING_DEFICITS = 8
MAX_VINTAGES = MAX_OPENING_DEFICITS + MAX_YEARS
DEPOSIT_NONE, DEPOSIT_FIXED, DEPOSIT_SHARE = 0, 1, 2
ORDER_OLDEST, ORDER_DEADLINE = 0, 1
DEQUE = 32  # the rolling high's ring buffer per path; must exceed the window (validated: window <= 30 months)
N_SHOCKS = 7  # the economy's correlated shocks (simulator.scenario.economy.SHOCKS)


def _by_year(name: str, kind: str = "f8") -> tuple:
    """A per-year array over the simulated years from index 0 (= the first year), zero beyond them."""
    return (name, kind, (MAX_YEARS,))


def _by_cost_type(name: str) -> tuple:
    return (name, "f8", (N_COST,))


#: a variant's parameters; per-year arrays run over the simulated years from index 0 and are zero beyond
PARAMS = np.dtype([
    ("n_years", "i8"), ("n_plan_years", "i8"), ("start_year", "i8"),
    # revenues
    _by_year("tax_rate_kr"), _by_year("plan_fees_and_sales_msek"), _by_year("plan_targeted_grants_msek"),
    _by_year("plan_general_grants_msek"), _by_year("plan_drug_grant_msek"), ("general_grants_growth_pa", "f8"),
    ("general_grants_volatility_pa", "f8"), ("income_equalisation_share_frac", "f8"), ("opening_tax_base_msek", "f8"),
    # costs
    _by_year("plan_operating_costs_msek"), _by_cost_type("cost_share_frac"), _by_cost_type("cost_wage_weight"),
    _by_cost_type("cost_kpi_weight"), _by_cost_type("cost_pbb_weight"), _by_cost_type("cost_real_trend_pa"),
    _by_cost_type("cost_volume_growth_pa"), _by_year("savings_programme_msek"), _by_year("savings_programme_pct"),
    ("plan_slippage_unrealised_frac", "f8"),
    ("budget_deviation_initial_frac", "f8"), ("budget_deviation_mean_frac", "f8"),
    ("budget_deviation_volatility_frac", "f8"), ("budget_deviation_persistence", "f8"),
    # investments and depreciation
    _by_year("plan_investments_msek"), _by_year("plan_depreciation_msek"), ("after_plan_investments_msek", "f8"),
    ("depreciation_opening_stock_rate_frac", "f8"), ("depreciation_useful_life_years", "i8"),
    # financial items and financing
    _by_year("plan_financial_income_msek"), _by_year("plan_financial_costs_msek"), _by_year("plan_new_borrowing_msek"),
    ("loan_limit_msek", "f8"), ("debt_ceiling_frac", "f8"), ("overdraft_msek", "f8"), ("overdraft_spread_pa", "f8"),
    ("min_cash_msek", "f8"), ("repay_above_cash_msek", "f8"), ("loan_spread_pa", "f8"), ("refix_share_frac", "f8"),
    ("cash_rate_spread_pa", "f8"), ("other_financial_costs_msek", "f8"), ("short_rate_floor_pa", "f8"),
    # opening balance sheet
    ("opening_fixed_assets_msek", "f8"), ("opening_financial_fixed_assets_msek", "f8"),
    ("opening_other_current_assets_msek", "f8"), ("opening_other_short_term_investments_msek", "f8"),
    ("opening_cash_msek", "f8"), ("opening_equity_msek", "f8"), ("opening_short_term_debt_msek", "f8"),
    ("opening_loans_msek", "f8"), ("opening_leasing_debt_msek", "f8"), ("opening_loan_rate_pa", "f8"),
    # balanskrav and resultatreserv
    ("n_opening_deficits", "i8"), ("opening_deficit_amount_msek", "f8", (MAX_OPENING_DEFICITS,)),
    ("opening_deficit_deadline_year", "i8", (MAX_OPENING_DEFICITS,)), ("restore_within_years", "i8"),
    _by_year("deadline_by_year", "i8"), ("restore_order", "i8"), _by_year("synnerliga_skal_msek"),
    _by_year("realised_gains_msek"), ("resultatreserv_opening_msek", "f8"), ("resultatreserv_enabled", "b1"), ("resultatreserv_threshold_frac", "f8"),
    ("resultatreserv_threshold_positive_equity_frac", "f8"), ("resultatreserv_cap_frac", "f8"),
    ("resultatreserv_use_for_deficits", "b1"), ("resultatreserv_use_below_tax_base_growth_pa", "f8"),
    # pension obligation
    _by_year("provision_msek"), _by_year("liability_msek"), ("opening_provision_msek", "f8"),
    ("opening_liability_msek", "f8"), ("rips_real_rate_pa", "f8"), ("income_indexed_share_frac", "f8"),
    ("opening_prisbasbelopp_sek", "f8"),
    # the portfolio and the dynamiska riskprincipen
    ("portfolio_opening_value_msek", "f8"), ("opening_equity_share_frac", "f8"), ("opening_unrealised_gains_msek", "f8"),
    ("turnover_frac", "f8"), ("management_fee_pa", "f8"), ("strategic_equity_share_frac", "f8"),
    ("equity_cap_frac", "f8"), ("protection_frac", "f8"), ("window_months", "i8"), ("assumed_crash_frac", "f8"),
    ("rebalance_every_months", "i8"), ("immediate_trigger_frac", "f8"), ("fixed_income_duration_years", "f8"),
    ("opening_high_index", "f8"), ("opening_high_age_months", "i8"), ("opening_fixed_income_yield_pa", "f8"),
    # deposits
    ("deposit_policy", "i8"), ("deposit_from_year", "i8"), ("deposit_fixed_msek", "f8"),
    ("deposit_surplus_share_frac", "f8"), ("deposit_surplus_threshold_frac", "f8"), ("deposit_cap_frac", "f8"),
    ("deposit_cap_booked_enabled", "b1"), ("withdraw_above_cap_enabled", "b1"),
    ("withdraw_share_of_pension_costs_frac", "f8"),
    # the reaction rule (åtgärdsplan)
    ("reaction_enabled", "b1"), ("reaction_strength_frac", "f8"), ("reaction_target_result_frac", "f8"),
    ("reaction_aim_result_frac", "f8"), ("reaction_on_deficit", "b1"), ("reaction_on_result_below_target", "b1"),
    ("reaction_on_debt_above_ceiling", "b1"), ("reaction_debt_correction_years", "f8"), ("reaction_tax_first", "b1"),
    ("reaction_uses_savings", "b1"), ("reaction_uses_tax", "b1"), ("reaction_pause_deposits", "b1"),
    ("reaction_savings_max_per_year_frac", "f8"), ("reaction_savings_max_total_frac", "f8"),
    ("reaction_tax_max_per_year_kr", "f8"), ("reaction_tax_max_total_kr", "f8"), ("reaction_tax_step_kr", "f8"),
    ("reaction_tax_floor_kr", "f8"),  # NaN: no floor of its own (the scenario's rate that year)
    ("reaction_synnerliga_skal_enabled", "b1"), ("reaction_synnerliga_skal_pbb_growth_above_pa", "f8"),
    ("reaction_synnerliga_skal_normal_pbb_growth_pa", "f8"), ("reaction_symmetric_enabled", "b1"),
    ("reaction_symmetric_above_target_frac", "f8"), ("reaction_symmetric_strength_frac", "f8"),
    ("reaction_symmetric_max_total_frac", "f8"), ("reaction_symmetric_reverse_tax", "b1"),
    # känslighetsanalys perturbations (identity by default; simulator.model.accounts.Perturbation)
    ("tax_base_factor", "f8"), ("tax_rate_add_kr", "f8"), ("general_grants_factor", "f8"),
    ("drug_grant_factor", "f8"), _by_cost_type("cost_factor"),
])

#: a path's state carried from one year to the next (and, pf_* / dq_*, from one month to the next)
STATE = np.dtype([
    ("index", "f8", (N_COST,)), ("index_prev", "f8", (N_COST,)), ("budget", "f8", (N_COST,)),
    ("plan_savings_factor", "f8"), ("plan_first_costs_msek", "f8"), ("plan_first_index", "f8", (N_COST,)), ("dev_level", "f8"), ("grants_walk", "f8"), ("grants_eq", "f8"),
    ("grants_pol", "f8"), ("fees", "f8"), ("targeted", "f8"), ("drug_grant", "f8"),
    ("tax_index_prev", "f8"), ("tax_index_prev2", "f8"), ("pbb_prev", "f8"), ("kpi_last_plan", "f8"),
    ("fixed_assets", "f8"), ("open_stock", "f8"), ("investments", "f8", (MAX_YEARS,)),
    ("cash", "f8"), ("loans", "f8"), ("overdraft", "f8"), ("equity", "f8"), ("loan_rate", "f8"),
    ("provision_prev", "f8"), ("income_part_prev", "f8"), ("reserve", "f8"),
    ("vintage", "f8", (MAX_VINTAGES,)), ("deadline", "i8", (MAX_VINTAGES,)),
    ("react_savings_frac", "f8"), ("react_tax_kr", "f8"), ("deposits_paused", "b1"),
    # where this state stands since the origin of its arrays: a run opened at a year-end a path reached
    # (simulator year-end) continues the path's year count, deficit vintages and investment vintages
    ("years_before", "i8"), ("vintage_base", "i8"), ("opening_vintages", "i8"),
    # the pension portfolio: sleeves at market value and cost basis, the unit index, the yield held
    ("pf_equity", "f8"), ("pf_fixed", "f8"), ("pf_basis_eq", "f8"), ("pf_basis_fi", "f8"),
    ("pf_unit", "f8"), ("pf_yield", "f8"),
    # the risk rule's rolling high (a monotonic deque) and its de-risking spells
    ("dq_idx", "i8", (DEQUE,)), ("dq_val", "f8", (DEQUE,)), ("dq_head", "i8"), ("dq_count", "i8"),
    ("spell", "i8"), ("longest_spell", "i8"),
    # the year's accumulators, reset at the start of each year
    ("yr_realised", "f8"), ("yr_derisk", "i8"), ("yr_breach_months", "i8"), ("yr_breach_size", "f8"),
    ("yr_below_half", "i8"), ("yr_below_depth", "i8"), ("yr_fees", "f8"),
])

#: the economy's parameters, one record per path (--parameter-uncertainty draws some per path)
ECONOMY_PARAMS = np.dtype([
    ("dt_years", "f8"), ("rng_epoch_offset_months", "i8"),  # the first simulated month from January of EPOCH_YEAR
    # inflation: OU on the annualised log rate; regime 1 is the shock regime
    ("inflation_initial_log_pa", "f8"), ("inflation_target_log_pa", "f8"), ("inflation_shock_mean_log_pa", "f8"),
    ("inflation_decay_per_month", "f8"), ("inflation_sd_per_month", "f8"),
    ("inflation_shock_entry_probability_per_month", "f8"), ("inflation_shock_exit_probability_per_month", "f8"),
    ("inflation_lag_weight_per_month", "f8"), ("inflation_lagged_initial_log_pa", "f8"),
    # short rate: Vasicek towards real + pass * inflation + (1 - pass) * target (a level, not log)
    ("short_rate_initial_pa", "f8"), ("short_rate_real_long_run_pa", "f8"), ("short_rate_inflation_pass_through", "f8"),
    ("short_rate_decay_per_month", "f8"), ("short_rate_sd_per_month", "f8"), ("short_rate_floor_pa", "f8"),
    # term spread: OU
    ("term_spread_initial_pa", "f8"), ("term_spread_long_run_pa", "f8"), ("term_spread_decay_per_month", "f8"),
    ("term_spread_sd_per_month", "f8"),
    # equity: regime-switching lognormal, calm and crash
    ("equity_crash_entry_probability_per_month", "f8"), ("equity_crash_exit_probability_per_month", "f8"),
    ("calm_sweden_log_drift_pa", "f8"), ("crash_sweden_log_drift_pa", "f8"), ("calm_sweden_volatility_pa", "f8"),
    ("crash_sweden_volatility_pa", "f8"), ("calm_global_log_drift_pa", "f8"), ("crash_global_log_drift_pa", "f8"),
    ("calm_global_volatility_pa", "f8"), ("crash_global_volatility_pa", "f8"), ("equity_sweden_weight_frac", "f8"),
    # tax base and wages: growth = anchor (real + pass x lagged inflation) + OU deviation
    ("tax_base_real_long_run_log_pa", "f8"), ("tax_base_inflation_pass_through", "f8"),
    ("tax_base_decay_per_month", "f8"), ("tax_base_sd_per_month", "f8"),
    ("wage_real_growth_log_pa", "f8"), ("wage_inflation_pass_through", "f8"), ("wage_decay_per_month", "f8"),
    ("wage_sd_per_month", "f8"),
    ("correlation_factor", "f8", (N_SHOCKS, N_SHOCKS)),
    # the budget deviation process of the accounts, shifted per path by --parameter-uncertainty
    ("budget_deviation_mean_shift_frac", "f8"), ("budget_deviation_sd_scale", "f8"),
    # the plan slippage's unrealised share, shifted per path by --parameter-uncertainty
    ("plan_slippage_shift_frac", "f8"),
])

#: the economy's state at a year-end: what the next month and the next calendar year start from. The
#: opening file declares it (from the annual report: the rates in force, the rest at rest) or carries a
#: path's whole state (simulator year-end). Log values are annualised log rates, or logs of indices
#: whose base is the scenario's origin (1 at its opening).
ECONOMY_STATE = np.dtype([
    # the months: the OU states (the short rate unfloored: a shadow rate), the lag, the regimes
    ("inflation_log_pa", "f8"), ("short_rate_pa", "f8"), ("term_spread_pa", "f8"), ("tax_base_deviation_pa", "f8"),
    ("wage_deviation_pa", "f8"), ("lagged_inflation_log_pa", "f8"), ("inflation_regime", "i8"),
    ("equity_regime", "i8"),
    # the calendar years: log KPI at December, at June of the year before and of this year, the
    # prisbasbelopp's unrounded chain, log tax-base and wage indices, the inkomstbasbelopp index and the
    # year's wage growth (the next year's inkomstbasbelopp follows it)
    ("log_kpi_december", "f8"), ("log_kpi_june_before", "f8"), ("log_kpi_june", "f8"),
    ("prisbasbelopp_chain_sek", "f8"), ("log_tax_base_index", "f8"), ("log_wage_index", "f8"),
    ("inkomstbasbelopp_index", "f8"), ("wage_growth_last_year_frac", "f8"),
])

#: a path-year's outputs: every annual variable, a float64 each, written by the stages by name
OUTPUT = np.dtype([(name, "f8") for name in ANNUAL])
