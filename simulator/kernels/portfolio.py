"""The pension portfolio (pensionsmedel) month by month, on the path's state record ``s`` (fields pf_*).

One month (``portfolio_month``):
1. the equity and fixed-income sleeves earn the month's market returns, less the managers' fee;
2. the time-weighted unit index u moves with the portfolio's return; flows buy units at the current
   price, so deposits and withdrawals never move u: they create no cushion;
3. the dynamiska riskprincipen (simulator.kernels.risk_rule) gives w_max and says whether to act; the
   sleeves are then traded to min(strategic, w_max), and a sale realises the sleeve's gain in proportion
   to the amount sold (average cost basis);
4. depth: months with the held share below 50 %, and 10 pp or more below the strategic share.
Nothing but the market, the fee and the year-end flows (``portfolio_flow``) changes the portfolio's value."""

from __future__ import annotations

import math

from simulator.kernels.jit import jit
from simulator.kernels.risk_rule import DEPTH_THRESHOLD, rule_acts, rule_limit


@jit
def fixed_income_return(y_prev, y, duration):
    """Monthly return of a bond portfolio of the given duration (modified duration D in log terms):
    exp(y_{t-1}/12 - D [ln(1 + y_t) - ln(1 + y_{t-1})]) - 1: carry minus D x the change in yield for
    small changes, and never below -100 % for large ones."""
    return math.expm1(y_prev / 12.0 - duration * (math.log1p(y) - math.log1p(y_prev)))


@jit
def fixed_income_yield(short_rate, term_spread, rate_floor, duration):
    """The yield at the duration on the curve: short + spread x D/10 (the long rate is the 10-year
    point), floored like the market rates, and held above -90 % as a numerical guard."""
    return max(max(short_rate + term_spread * (duration / 10.0), rate_floor), -0.9)


@jit
def trade_to(s, target):
    """Trade the sleeves to the target equity share at market value; return the gain realised by the
    sale (average cost basis)."""
    e = s["pf_equity"]
    f = s["pf_fixed"]
    value = e + f
    wanted = target * value
    realised = 0.0
    if e > wanted:  # sell equities
        sold = e - wanted
        realised = sold * (e - s["pf_basis_eq"]) / e
        s["pf_basis_eq"] = s["pf_basis_eq"] * (1.0 - sold / e)
        s["pf_basis_fi"] = s["pf_basis_fi"] + sold
        s["pf_equity"] = wanted
        s["pf_fixed"] = f + sold
    elif f > 0.0 and wanted > e:  # sell fixed income
        sold = min(wanted - e, f)
        realised = sold * (f - s["pf_basis_fi"]) / f
        s["pf_basis_fi"] = s["pf_basis_fi"] * (1.0 - sold / f)
        s["pf_basis_eq"] = s["pf_basis_eq"] + sold
        s["pf_fixed"] = f - sold
        s["pf_equity"] = e + sold
    return realised


@jit
def portfolio_month(p, s, t, eq_return, fi_return):
    """Advance the path's portfolio by month t (simple returns of the two sleeves); add the month's
    figures to the year's accumulators in ``s`` and return the equity share held after any trading."""
    before = s["pf_equity"] + s["pf_fixed"]
    keep = 1.0 - p["management_fee_pa"] / 12.0
    s["pf_equity"] = s["pf_equity"] * (1.0 + eq_return) * keep
    s["pf_fixed"] = s["pf_fixed"] * (1.0 + fi_return) * keep
    after = s["pf_equity"] + s["pf_fixed"]
    s["yr_fees"] += after / keep * (1.0 - keep)  # the fee on the month-end value before it
    if before > 0.0:
        s["pf_unit"] = s["pf_unit"] * (after / before)
    w_max = rule_limit(p, s, t, s["pf_unit"])
    held = s["pf_equity"] / after if after > 0.0 else 0.0
    if rule_acts(p, 12 * s["years_before"] + t, held, w_max) and after > 0.0:
        s["yr_realised"] += trade_to(s, min(p["strategic_equity_share_frac"], w_max))
        held = s["pf_equity"] / (s["pf_equity"] + s["pf_fixed"])
    if held < 0.5:
        s["yr_below_half"] += 1
    if held <= p["strategic_equity_share_frac"] - DEPTH_THRESHOLD:
        s["yr_below_depth"] += 1
    return held


@jit
def portfolio_flow(s, amount):
    """Deposit (amount > 0) or withdraw (< 0) pro rata across the sleeves, at market value; the unit
    index is untouched. Returns the gains realised by a withdrawal."""
    value = s["pf_equity"] + s["pf_fixed"]
    share_eq = s["pf_equity"] / value if value > 0.0 else 0.0
    deposit = max(amount, 0.0)
    withdraw = min(max(-amount, 0.0), value)
    out_eq = withdraw * share_eq
    out_fi = withdraw - out_eq
    frac_eq = out_eq / s["pf_equity"] if s["pf_equity"] > 0.0 else 0.0
    frac_fi = out_fi / s["pf_fixed"] if s["pf_fixed"] > 0.0 else 0.0
    realised = (out_eq - s["pf_basis_eq"] * frac_eq) + (out_fi - s["pf_basis_fi"] * frac_fi)
    s["pf_basis_eq"] = s["pf_basis_eq"] * (1.0 - frac_eq) + deposit * share_eq
    s["pf_basis_fi"] = s["pf_basis_fi"] * (1.0 - frac_fi) + deposit * (1.0 - share_eq)
    s["pf_equity"] = s["pf_equity"] * (1.0 - frac_eq) + deposit * share_eq
    s["pf_fixed"] = s["pf_fixed"] * (1.0 - frac_fi) + deposit * (1.0 - share_eq)
    return realised


@jit
def realise_turnover(s, turnover):
    """The managers' trading within the sleeves realises a share of the unrealised gains (or losses)
    a year: the cost basis moves that share of the way to market value. Returns the gains realised."""
    step_eq = turnover * (s["pf_equity"] - s["pf_basis_eq"])
    step_fi = turnover * (s["pf_fixed"] - s["pf_basis_fi"])
    s["pf_basis_eq"] += step_eq
    s["pf_basis_fi"] += step_fi
    return step_eq + step_fi


@jit
def open_portfolio(p, s):
    """The portfolio at the end of the opening year: month index -1 is December of that year.

    The unit index starts at 1; the rolling high starts as ``opening_high`` (relative to the index)
    recorded ``opening_high_age`` months before the opening month, so it leaves the window on time.
    """
    value = p["portfolio_opening_value_msek"]
    share = p["opening_equity_share_frac"]
    basis = value - p["opening_unrealised_gains_msek"]
    s["pf_equity"] = value * share
    s["pf_fixed"] = value * (1.0 - share)
    s["pf_basis_eq"] = basis * share
    s["pf_basis_fi"] = basis * (1.0 - share)
    s["pf_unit"] = 1.0
    s["pf_yield"] = p["opening_fixed_income_yield_pa"]
    s["dq_head"] = 0
    if p["opening_high_index"] <= 1.0:  # the index itself is the high: keep it as the only entry
        s["dq_idx"][0] = -1
        s["dq_val"][0] = 1.0
        s["dq_count"] = 1
    else:
        s["dq_idx"][0] = -1 - p["opening_high_age_months"]
        s["dq_val"][0] = p["opening_high_index"]
        s["dq_idx"][1] = -1
        s["dq_val"][1] = 1.0
        s["dq_count"] = 2
    s["spell"] = 0
    s["longest_spell"] = 0
