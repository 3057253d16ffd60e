"""The pension portfolio (pensionsmedel) month by month under the dynamiska riskprincipen.

Per path and month t (state carried across calls, one call per year):
1. the equity and fixed-income sleeves earn their month's returns (plus ``adjustment``, see
   simulator.accounts: in plan years the zero-shock path books what the plan books);
2. the time-weighted unit index u moves with the portfolio's market return, without the adjustment (an
   accounting tilt must not move the drawdown rule), and flows buy units at the current price, so
   deposits and withdrawals never move u: they create no cushion;
3. the 24-month high H of u is updated incrementally (a monotonic deque: amortised O(1) per month);
4. protection level (skyddsnivå) F = protection x H; a month-end u below F is a breach, of size 1 - u/F;
5. margin m = (u - F) / u, w_max = m / s clipped to [0, cap], target share = min(strategic, w_max);
   a month with w_max below the strategic share is a de-risking month;
6. at a rebalancing month the sleeves are traded to the target share; a sale realises the sleeve's
   gain in proportion to the amount sold (average cost basis).
"""

from typing import NamedTuple

import numpy as np
from numba import prange

from simulator._jit import jit, jit_parallel

DEQUE = 32  # ring-buffer size per path; must exceed the window (validated: window <= 30 months)


class RuleParams(NamedTuple):
    """Dynamiska riskprincipen and portfolio parameters (fractions; months)."""

    protection: float  # skyddsnivå as a fraction of the high, 0.80
    window: int  # months in the rolling high, 24
    crash: float  # assumed equity crash s, 0.222
    cap: float  # policy cap on the equity share, 0.80
    strategic: float  # strategic equity share
    rebalance_every: int  # months between rebalancings, 1 = monthly
    duration: float  # fixed-income duration [years]


@jit
def max_equity_share(margin, crash, cap):
    """w_max = margin / s, clipped to [0, cap] (DOMAIN.md: 18.9 % / 0.222 = 85 % before the cap)."""
    w = margin / crash if crash > 0.0 else (cap if margin > 0.0 else 0.0)
    return min(max(w, 0.0), cap)


@jit
def _deque_push(idx, val, head, count, t, u, window):
    """Insert (t, u) into one path's monotonic deque and drop entries older than the window; return
    (head, count, high) where high is the maximum of u over months t - window + 1 .. t."""
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
    return head, count, val[head]


def portfolio_months_py(
    rp, first_month, eq_return, fi_return, adjustment,
    equity, fixed, basis_eq, basis_fi, unit, dq_idx, dq_val, dq_head, dq_count,
    share_out, realised_out, derisk_out, breach_out, breach_size_out,
):
    """Advance every path through the months of ``eq_return`` (paths x months, simple returns).

    State arrays (per path) are updated in place; ``share_out`` (paths x months) receives the equity
    share after any rebalancing; the per-path sums for the period go to realised_out (realised gains,
    MSEK), derisk_out (de-risking months), breach_out (breach months) and breach_size_out (largest
    1 - u/F).
    """
    n_paths, n_months = eq_return.shape
    for i in prange(n_paths):
        e = equity[i]
        f = fixed[i]
        be = basis_eq[i]
        bf = basis_fi[i]
        u = unit[i]
        head = dq_head[i]
        count = dq_count[i]
        realised = 0.0
        derisk = 0
        breaches = 0
        worst = 0.0
        for m in range(n_months):
            t = first_month + m
            before = e + f
            market = e * (1.0 + eq_return[i, m]) + f * (1.0 + fi_return[i, m])
            e = e * (1.0 + eq_return[i, m] + adjustment)
            f = f * (1.0 + fi_return[i, m] + adjustment)
            after = e + f
            if before > 0.0:
                u = u * (market / before)
            head, count, high = _deque_push(dq_idx[i], dq_val[i], head, count, t, u, rp.window)
            floor = rp.protection * high
            if u < floor:
                breaches += 1
                worst = max(worst, 1.0 - u / floor)
            margin = (u - floor) / u if u > 0.0 else 0.0
            w_max = max_equity_share(margin, rp.crash, rp.cap)
            if w_max < rp.strategic:
                derisk += 1
            target = min(rp.strategic, w_max)
            if (t + 1) % rp.rebalance_every == 0 and after > 0.0:
                wanted = target * after
                if e > wanted:  # sell equities
                    sold = e - wanted
                    realised += sold * (e - be) / e
                    be = be * (1.0 - sold / e)
                    e = wanted
                    f = f + sold
                    bf = bf + sold
                elif f > 0.0 and wanted > e:  # sell fixed income
                    sold = min(wanted - e, f)
                    realised += sold * (f - bf) / f
                    bf = bf * (1.0 - sold / f)
                    f = f - sold
                    e = e + sold
                    be = be + sold
            share_out[i, m] = e / (e + f) if e + f > 0.0 else 0.0
        equity[i] = e
        fixed[i] = f
        basis_eq[i] = be
        basis_fi[i] = bf
        unit[i] = u
        dq_head[i] = head
        dq_count[i] = count
        realised_out[i] = realised
        derisk_out[i] = derisk
        breach_out[i] = breaches
        breach_size_out[i] = worst


portfolio_months = jit_parallel(portfolio_months_py)


class PortfolioState(NamedTuple):
    """Per-path state of the portfolio between calls (arrays over paths)."""

    equity: np.ndarray
    fixed: np.ndarray
    basis_eq: np.ndarray
    basis_fi: np.ndarray
    unit: np.ndarray
    dq_idx: np.ndarray  # (paths, DEQUE) months
    dq_val: np.ndarray  # (paths, DEQUE) unit-index values
    dq_head: np.ndarray
    dq_count: np.ndarray

    @property
    def value(self) -> np.ndarray:
        return self.equity + self.fixed


def opening_state(n_paths, value, equity_share, unrealised, opening_high, high_age_months) -> PortfolioState:
    """The portfolio at the end of the opening year: month index -1 is December of that year.

    The unit index starts at 1; the rolling high starts as ``opening_high`` (relative to the index)
    recorded ``high_age_months`` before the opening month, so it leaves the window on time.
    """
    basis = value - unrealised
    dq_idx = np.zeros((n_paths, DEQUE), dtype=np.int64)
    dq_val = np.zeros((n_paths, DEQUE))
    dq_idx[:, 0] = -1 - high_age_months
    dq_val[:, 0] = opening_high
    head = np.zeros(n_paths, dtype=np.int64)
    count = np.ones(n_paths, dtype=np.int64)
    if opening_high <= 1.0:  # the index itself is the high: keep it as the only entry
        dq_idx[:, 0] = -1
        dq_val[:, 0] = 1.0
    else:
        dq_idx[:, 1] = -1
        dq_val[:, 1] = 1.0
        count[:] = 2
    return PortfolioState(
        equity=np.full(n_paths, value * equity_share),
        fixed=np.full(n_paths, value * (1.0 - equity_share)),
        basis_eq=np.full(n_paths, basis * equity_share),
        basis_fi=np.full(n_paths, basis * (1.0 - equity_share)),
        unit=np.ones(n_paths),
        dq_idx=dq_idx,
        dq_val=dq_val,
        dq_head=head,
        dq_count=count,
    )


def fixed_income_returns(short_rate, term_spread, rate_floor, duration, y0):
    """Monthly return of a bond portfolio of the given duration (modified duration D in log terms):
    r = exp(y_{t-1}/12 - D [ln(1 + y_t) - ln(1 + y_{t-1})]) - 1, i.e. carry minus D x the change in
    yield for small changes, and never below -100 % for large ones. The yield sits on the curve at the
    duration, y = short + spread x D/10 (the long rate is the 10-year point), floored like the market
    rates, and held above -90 % as a numerical guard. Arrays paths x months."""
    y = np.maximum(np.maximum(short_rate + term_spread * (duration / 10.0), rate_floor), -0.9)
    previous = np.concatenate([np.full((y.shape[0], 1), max(y0, -0.9)), y[:, :-1]], axis=1)
    return np.expm1(previous / 12.0 - duration * (np.log1p(y) - np.log1p(previous)))


def flow(state: PortfolioState, amount: np.ndarray) -> np.ndarray:
    """Deposit (amount > 0) or withdraw (< 0) pro rata across the sleeves, at market value; the unit
    index is untouched. Returns the gains realised by a withdrawal."""
    value = state.value
    share_eq = np.divide(state.equity, value, out=np.zeros_like(value), where=value > 0)
    deposit = np.maximum(amount, 0.0)
    withdraw = np.minimum(np.maximum(-amount, 0.0), value)
    realised = np.zeros_like(value)
    for sleeve, basis, share in ((state.equity, state.basis_eq, share_eq),
                                 (state.fixed, state.basis_fi, 1.0 - share_eq)):
        out = withdraw * share
        frac = np.divide(out, sleeve, out=np.zeros_like(sleeve), where=sleeve > 0)
        realised += out - basis * frac
        basis *= 1.0 - frac
        basis += deposit * share
        sleeve *= 1.0 - frac
        sleeve += deposit * share
    return realised
