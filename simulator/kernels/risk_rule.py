"""Dynamiska riskprincipen (the pension portfolio's drawdown rule), month by month on one path.

The portfolio may fall at most 1 - protection from the highest value of its time-weighted unit index
in the last ``window_months`` (the skyddsnivå F = protection x H). Margin m = (u - F) / u; the largest
equity share the rule allows is w_max = m / assumed crash, clipped to [0, cap]; the target share is
min(strategic, w_max). DOMAIN.md: 18.9 % margin / 0.222 = 85 % before the 80 % cap.
"""

from __future__ import annotations

from simulator.kernels.jit import jit
from simulator.kernels.records import DEQUE

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
def rule_limit(p, s, t, u):
    """The rule's evaluation in month t at unit index u: update the rolling high H, record a breach of
    the protection level F = protection x H (of size 1 - u / F), and return w_max from the margin
    (u - F) / u. A month with w_max below the strategic share is a de-risking month (the rule wants
    less), and lengthens the current spell of them."""
    high = rolling_high(s, t, u, p["window_months"])
    floor = p["protection_frac"] * high
    if u < floor:
        s["yr_breach_months"] += 1
        s["yr_breach_size"] = max(s["yr_breach_size"], 1.0 - u / floor)
    margin = (u - floor) / u if u > 0.0 else 0.0
    w_max = max_equity_share(margin, p["assumed_crash_frac"], p["equity_cap_frac"])
    if w_max < p["strategic_equity_share_frac"]:
        s["yr_derisk"] += 1
        s["spell"] += 1
        s["longest_spell"] = max(s["longest_spell"], s["spell"])
    else:
        s["spell"] = 0
    return w_max


@jit
def rule_acts(p, t, held, w_max):
    """Whether the sleeves are traded to min(strategic, w_max) in month t (counted from the state's
    origin, so the tertials keep their calendar months in a run opened at a later year-end): at each
    rebalancing month
    (every ``rebalance_every_months``; 4 = per tertial, as the region follows the rule up), at once when
    the held share has drifted above the cap (the mandate's cap is a limit, not a follow-up), and at
    once when w_max is below the held share by more than ``immediate_trigger_frac`` (when set)."""
    scheduled = (t + 1) % p["rebalance_every_months"] == 0
    urgent = held > p["equity_cap_frac"] or (p["immediate_trigger_frac"] > 0.0
                                             and held - w_max > p["immediate_trigger_frac"])
    return scheduled or urgent
