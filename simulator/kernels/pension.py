"""The pension portfolio (pensionsmedel) month by month under the dynamiska riskprincipen.

One path, one month (``portfolio_month``), on the path's state record ``s`` (fields pf_*, dq_*):
1. the equity and fixed-income sleeves earn the month's market returns, less the managers' fee;
2. the time-weighted unit index u moves with the portfolio's return; flows buy units at the current
   price, so deposits and withdrawals never move u: they create no cushion;
3. the 24-month high H of u is updated incrementally (a monotonic deque: amortised O(1) per month);
4. protection level (skyddsnivå) F = protection x H; a month-end u below F is a breach, of size 1 - u/F;
5. margin m = (u - F) / u, w_max = m / s clipped to [0, cap], target share = min(strategic, w_max);
   a month with w_max below the strategic share is a de-risking month (the rule wants less);
6. the rule is acted on at a rebalancing month (every ``rebalance_every`` months: 4 = per tertial),
   at once when the held share has drifted above the policy cap (a mandate limit), and, when
   ``immediate_trigger`` > 0, at once in a month where w_max is below the held share by more than that; the sleeves are then traded to the target share, and a sale realises the sleeve's gain
   in proportion to the amount sold (average cost basis);
7. depth and duration: months with the held share below 50 %, months with it 10 pp or more below the
   strategic share, and the current and longest spell of de-risking months.
Nothing but the market, the fee and the year-end flows changes the portfolio's value.
"""

import math

from simulator.kernels.jit import jit

DEQUE = 32  # ring-buffer size per path; must exceed the window (validated: window <= 30 months)
DEPTH_THRESHOLD = 0.10  # "10 pp or more below the strategic share"


@jit
def max_equity_share(margin, crash, cap):
    """w_max = margin / s, clipped to [0, cap] (DOMAIN.md: 18.9 % / 0.222 = 85 % before the cap)."""
    w = margin / crash if crash > 0.0 else (cap if margin > 0.0 else 0.0)
    return min(max(w, 0.0), cap)


@jit
def rolling_high(s, t, u, window):
    """Insert (t, u) into the path's monotonic deque and drop entries older than the window; return
    the maximum of u over months t - window + 1 .. t."""
    idx = s["dq_idx"]
    val = s["dq_val"]
    head = s["dq_head"]
    count = s["dq_count"]
    # drop from the back every value not above the new one: it can never be the maximum again
    while count > 0 and val[(head + count - 1) % DEQUE] <= u:
        count -= 1
    pos = (head + count) % DEQUE
    idx[pos] = t
    val[pos] = u
    count += 1
    # drop from the front what has left the window
    while idx[head] <= t - window:
        head = (head + 1) % DEQUE
        count -= 1
    s["dq_head"] = head
    s["dq_count"] = count
    return val[head]


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
    keep = 1.0 - p["fee_pa"] / 12.0
    s["pf_equity"] = s["pf_equity"] * (1.0 + eq_return) * keep
    s["pf_fixed"] = s["pf_fixed"] * (1.0 + fi_return) * keep
    after = s["pf_equity"] + s["pf_fixed"]
    s["yr_fees"] += after / keep * (1.0 - keep)  # the fee on the month-end value before it
    if before > 0.0:
        s["pf_unit"] = s["pf_unit"] * (after / before)
    u = s["pf_unit"]
    high = rolling_high(s, t, u, p["window"])
    floor = p["protection"] * high
    if u < floor:
        s["yr_breach_months"] += 1
        s["yr_breach_size"] = max(s["yr_breach_size"], 1.0 - u / floor)
    margin = (u - floor) / u if u > 0.0 else 0.0
    w_max = max_equity_share(margin, p["crash"], p["cap"])
    if w_max < p["strategic"]:
        s["yr_derisk"] += 1
        s["spell"] += 1
        s["longest_spell"] = max(s["longest_spell"], s["spell"])
    else:
        s["spell"] = 0
    held = s["pf_equity"] / after if after > 0.0 else 0.0
    scheduled = (t + 1) % p["rebalance_every"] == 0
    # the mandate's cap is a limit, not a follow-up: a share that drifts above it is traded at once
    urgent = held > p["cap"] or (p["immediate_trigger"] > 0.0 and held - w_max > p["immediate_trigger"])
    if (scheduled or urgent) and after > 0.0:
        s["yr_realised"] += trade_to(s, min(p["strategic"], w_max))
        held = s["pf_equity"] / (s["pf_equity"] + s["pf_fixed"])
    if held < 0.5:
        s["yr_below_half"] += 1
    if held <= p["strategic"] - DEPTH_THRESHOLD:
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
    value = p["portfolio_opening"]
    share = p["portfolio_equity_share"]
    basis = value - p["portfolio_unrealised"]
    s["pf_equity"] = value * share
    s["pf_fixed"] = value * (1.0 - share)
    s["pf_basis_eq"] = basis * share
    s["pf_basis_fi"] = basis * (1.0 - share)
    s["pf_unit"] = 1.0
    s["pf_yield"] = p["fi_yield_opening"]
    s["dq_head"] = 0
    if p["opening_high"] <= 1.0:  # the index itself is the high: keep it as the only entry
        s["dq_idx"][0] = -1
        s["dq_val"][0] = 1.0
        s["dq_count"] = 1
    else:
        s["dq_idx"][0] = -1 - p["opening_high_age"]
        s["dq_val"][0] = p["opening_high"]
        s["dq_idx"][1] = -1
        s["dq_val"][1] = 1.0
        s["dq_count"] = 2
    s["spell"] = 0
    s["longest_spell"] = 0


def portfolio_fields() -> list[tuple]:
    """The portfolio's part of the path state record (simulator.kernels.accounts.STATE)."""
    return [
        ("pf_equity", "f8"), ("pf_fixed", "f8"), ("pf_basis_eq", "f8"), ("pf_basis_fi", "f8"),
        ("pf_unit", "f8"), ("pf_yield", "f8"),
        ("dq_idx", "i8", (DEQUE,)), ("dq_val", "f8", (DEQUE,)), ("dq_head", "i8"), ("dq_count", "i8"),
        ("spell", "i8"), ("longest_spell", "i8"),
        # the year's accumulators, reset at the start of each year
        ("yr_realised", "f8"), ("yr_derisk", "i8"), ("yr_breach_months", "i8"), ("yr_breach_size", "f8"),
        ("yr_below_half", "i8"), ("yr_below_depth", "i8"), ("yr_fees", "f8"),
    ]


def portfolio_params() -> list[tuple]:
    """The portfolio's part of the accounts parameter record (simulator.kernels.accounts.PARAMS)."""
    return [
        ("portfolio_opening", "f8"), ("portfolio_equity_share", "f8"), ("portfolio_unrealised", "f8"),
        ("turnover", "f8"), ("fee_pa", "f8"), ("strategic", "f8"), ("cap", "f8"), ("protection", "f8"),
        ("window", "i8"), ("crash", "f8"), ("rebalance_every", "i8"), ("immediate_trigger", "f8"),
        ("duration", "f8"), ("opening_high", "f8"), ("opening_high_age", "i8"), ("fi_yield_opening", "f8"),
    ]

