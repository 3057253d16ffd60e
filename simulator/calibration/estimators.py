"""Calibration, stage 1: the estimators, plain functions on arrays, no I/O (docs/calibration.md section 2).

``fit_ou_points`` (exact Gaussian transition likelihood of an OU/Vasicek process observed at arbitrary,
gappy times), ``fit_ou_annual_average`` (exact likelihood of calendar-year averages of the monthly OU,
e.g. Dec/Dec inflation), ``fit_log_returns`` (moments), ``equity_regime_mapping`` and
``residual_correlation``. The search and the standard errors are in :mod:`.likelihood`.
Imports numpy, the kernels' ``jit`` and :mod:`.likelihood`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simulator.calibration.likelihood import Fit, minimise, standard_errors
from simulator.kernels.jit import jit

#: The model's month: its drivers move monthly, a year is their average or their December state.
MONTHS = 12
DT = 1.0 / MONTHS


def _natural(q) -> np.ndarray:
    """The model's parameters from the search's (the last two, kappa and sigma, searched as logarithms)."""
    return np.array([*q[:-2], math.exp(q[-2]), math.exp(q[-1])])


def _transitions(t, x, max_gap_years: float) -> tuple[np.ndarray, ...]:
    """Consecutive observations (x0, x1, t0, t1) of every segment, steps longer than max_gap_years left
    out (a step is exact at any length, but a decade-long one says nothing about kappa and sigma)."""
    parts = []
    for ts, xs in _as_segments(t, x):
        keep = (ts[1:] - ts[:-1] <= max_gap_years + 1e-9) & (ts[1:] > ts[:-1])
        parts.append((xs[:-1][keep], xs[1:][keep], ts[:-1][keep], ts[1:][keep]))
    if not parts:
        return tuple(np.zeros(0) for _ in range(4))
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(4))


def _as_segments(t, x) -> list[tuple[np.ndarray, np.ndarray]]:
    """Independent segments: one array pair, or lists of them (e.g. many simulated paths)."""
    if isinstance(t, np.ndarray) and t.ndim == 1:
        t, x = [t], [x]
    segs = []
    for ti, xi in zip(t, x):
        ti, xi = np.asarray(ti, dtype=float), np.asarray(xi, dtype=float)
        keep = np.isfinite(xi)
        ti, xi = ti[keep], xi[keep]
        order = np.argsort(ti)
        segs.append((ti[order], xi[order]))
    return segs


def ou_transition_moments(kappa, sigma, h):
    """Decay exp(-kappa h) and variance sigma^2 (1 - exp(-2 kappa h)) / (2 kappa) of the exact OU step
    over h years (the random-walk limit sigma^2 h as kappa -> 0)."""
    kh = kappa * h
    decay = np.exp(-kh)
    small = kh < 1e-12
    var = np.where(small, sigma**2 * h, sigma**2 * -np.expm1(-2.0 * kh) / (2.0 * np.where(small, 1.0, kappa)))
    return decay, var


@dataclass
class _Steps:
    """The transitions a point fit uses, x0 at t0 to x1 at t1 (h = t1 - t0), and, with known mean offsets,
    the pieces of calendar years they span: piece k lies in [start[k], end[k]] of the step ``step[k]``
    and moves its mean by ``offset[k]``."""

    x0: np.ndarray
    x1: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    h: np.ndarray
    step: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    offset: np.ndarray = field(default_factory=lambda: np.zeros(0))
    start: np.ndarray = field(default_factory=lambda: np.zeros(0))
    end: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dropped: int = 0  # steps left out: no offset for a year they span

    def mean(self, theta: float, kappa: float, decay: np.ndarray) -> np.ndarray:
        """Mean of x1 given x0: the exact step towards theta plus each piece's offset, decayed to t1."""
        mean = self.x0 * decay + theta * (1.0 - decay)
        if self.step.size:
            w = np.exp(-kappa * (self.t1[self.step] - self.end)) - np.exp(-kappa * (self.t1[self.step] - self.start))
            mean = mean + np.bincount(self.step, weights=self.offset * w, minlength=self.x0.size)
        return mean


def _ou_steps(t, x, offset_by_year: dict[int, float] | None, max_gap_years: float) -> _Steps:
    """The transitions of :func:`fit_ou_points` with the calendar years each spans (the part of year Y
    is (Y-1, Y] in the time convention of ``data.period_end_times``); a step that needs an offset for a
    year without one is left out."""
    x0, x1, t0, t1 = _transitions(t, x, max_gap_years)
    h = t1 - t0
    if offset_by_year is None or not x0.size:
        return _Steps(x0, x1, t0, t1, h)
    first = np.floor(t0 + 1e-9).astype(np.int64) + 1
    count = np.maximum(np.ceil(t1 - 1e-9).astype(np.int64) - first + 1, 0)
    step = np.repeat(np.arange(x0.size), count)
    year = first[step] + np.arange(step.size) - np.repeat(np.cumsum(count) - count, count)
    known = np.array(sorted(offset_by_year), dtype=np.int64)
    pos = np.searchsorted(known, year)
    has = pos < known.size
    has[has] = known[pos[has]] == year[has]
    ok = np.ones(x0.size, dtype=bool)
    ok[step[~has]] = False
    keep_piece = ok[step]
    renumber = np.cumsum(ok) - 1
    x0, x1, t0, t1, h = x0[ok], x1[ok], t0[ok], t1[ok], h[ok]
    step, year = renumber[step[keep_piece]], year[keep_piece]
    return _Steps(x0, x1, t0, t1, h, step=step, offset=np.array([offset_by_year[int(y)] for y in year], dtype=float),
                  start=np.maximum(t0[step], year - 1.0), end=np.minimum(t1[step], year.astype(float)),
                  dropped=int((~ok).sum()))


def fit_ou_points(t, x, offset_by_year: dict[int, float] | None = None, fixed_mean: float | None = None,
                  max_gap_years: float = 10.0) -> Fit:
    """Exact maximum likelihood for dx = kappa (mu(s) - x) ds + sigma dW observed at times t [years].

    mu(s) = theta + offset_Y on calendar year Y (the interval (Y-1, Y] in the time convention of
    ``data.period_end_times``): ``offset_by_year`` holds known offsets (the short rate's inflation
    pass-through), theta is fitted (or ``fixed_mean``). Over a step from t0 to t1 (any gap h) the
    transition is exact for a piecewise-constant mean:
    x1 | x0 ~ N(x0 e^{-kappa h} + theta (1 - e^{-kappa h}) + sum_Y offset_Y (e^{-kappa (t1 - b_Y)} -
    e^{-kappa (t1 - a_Y)}), sigma^2 (1 - e^{-2 kappa h}) / (2 kappa)), with [a_Y, b_Y] the part of year
    Y inside (t0, t1]. A step that needs an offset for a year without one is left out (noted).
    ``t``, ``x``: arrays, or lists of arrays for independent segments (pooled likelihood).
    Returns theta, kappa [1/yr], sigma [1/sqrt(yr)] with standard errors.
    """
    steps = _ou_steps(t, x, offset_by_year, max_gap_years)
    n = steps.x0.size
    if n < 3:
        raise ValueError(f"only {n} usable transitions")

    def unpack(p):
        theta = fixed_mean if fixed_mean is not None else p[0]
        return theta, p[-2], p[-1]

    def nll_natural(p):
        theta, kappa, sigma = unpack(p)
        if kappa <= 0 or sigma <= 0:
            return 1e300
        decay, var = ou_transition_moments(kappa, sigma, steps.h)
        if not np.all(var > 0):
            return 1e300
        r = steps.x1 - steps.mean(theta, kappa, decay)
        return 0.5 * float(np.sum(np.log(2 * np.pi * var) + r * r / var))

    sd = float(np.std(steps.x1 - steps.x0)) / math.sqrt(float(np.mean(steps.h))) or 1e-3
    m0 = float(np.mean(np.concatenate([steps.x0, steps.x1])))
    starts = []
    for k in (0.1, 0.5, 2.0, 8.0):
        base = [math.log(k), math.log(sd)]
        starts.append(np.array(base if fixed_mean is not None else [m0, *base]))
    p = _natural(minimise(lambda q: nll_natural(_natural(q)), starts, n))
    theta, kappa, sigma = unpack(p)
    stat_sd = sigma / math.sqrt(2 * kappa)
    deltas = np.array(([1e-3 * stat_sd] if fixed_mean is None else []) + [1e-3 * kappa, 1e-3 * sigma])
    se, _ = standard_errors(nll_natural, p, deltas)
    names = ("kappa", "sigma") if fixed_mean is not None else ("mean", "kappa", "sigma")
    fit = Fit(names, p, se, n, -nll_natural(p))
    # standardised residuals of the one-year (or shorter) steps, keyed by the year the step ends in
    decay, var = ou_transition_moments(kappa, sigma, steps.h)
    with np.errstate(all="ignore"):
        z = (steps.x1 - steps.mean(theta, kappa, decay)) / np.sqrt(var)
    fit.residuals = _by_year(steps.t1, z, steps.h)
    if steps.dropped:
        fit.notes.append(f"{steps.dropped} step(s) left out: no inflation for a year they span")
    return fit


def _by_year(t_end: np.ndarray, z: np.ndarray, h: np.ndarray) -> dict[int, float]:
    """Standardised residuals of steps of at most a year, summed per calendar year and rescaled to unit
    variance (annual steps: one per year; monthly: the year's 12 residuals / sqrt(12))."""
    short = h <= 1.0 + 1e-9
    years = np.ceil(t_end[short] - 1e-9).astype(np.int64)
    if not years.size:
        return {}
    unique, where = np.unique(years, return_inverse=True)
    total = np.bincount(where, weights=z[short])
    count = np.bincount(where)
    # in the order the years first appear, as the steps run
    first = np.full(unique.size, years.size)
    np.minimum.at(first, where, np.arange(years.size))
    return {int(unique[k]): float(total[k] / math.sqrt(count[k])) for k in np.argsort(first, kind="stable")}


def annual_average_autocovariance(kappa: float, sigma: float, max_lag: int) -> np.ndarray:
    """Autocovariance at lags 0..max_lag years of calendar-year averages of the monthly exact OU.

    The monthly states are an AR(1) with phi = e^{-kappa/12} and stationary variance v = sigma^2/(2 kappa);
    Cov(A_Y, A_{Y+L}) = v/144 sum_{d=-11}^{11} (12 - |d|) phi^{|12 L + d|}.
    """
    phi = math.exp(-kappa * DT)
    v = sigma**2 / (2.0 * kappa)
    d = np.arange(-(MONTHS - 1), MONTHS)
    weights = MONTHS - np.abs(d)
    lags = np.arange(max_lag + 1)[:, None] * MONTHS + d[None, :]
    return v / MONTHS**2 * (weights[None, :] * phi ** np.abs(lags)).sum(axis=1)


def annual_average_step(kappa: float, sigma: float) -> tuple[float, float, float, float, float, float]:
    """One year of the monthly exact OU in terms of its December state x (deviation from the mean).

    With phi = e^{-kappa/12}, stationary variance v = sigma^2/(2 kappa) and monthly shocks e_k of
    variance q = v (1 - phi^2): x' = Phi x + u with Phi = phi^12, and the year's average of the 12
    monthly states A = a x + w with a = (1/12) sum_{j=1}^{12} phi^j, where u = sum_k phi^{12-k} e_k and
    w = sum_k b_k e_k, b_k = (1/12) sum_{j=k}^{12} phi^{j-k}. Returns Phi, a, v, Var u, Cov(u, w), Var w.
    """
    phi = math.exp(-kappa * DT)
    v = sigma**2 / (2.0 * kappa)
    q = v * -math.expm1(-2.0 * kappa * DT)
    powers = phi ** np.arange(MONTHS + 1)
    u = powers[MONTHS - 1::-1]  # phi^{12-k}, k = 1..12
    b = np.cumsum(powers[:MONTHS])[::-1] / MONTHS  # b_k, k = 1..12
    return (float(powers[MONTHS]), float(powers[1:].sum() / MONTHS), v, q * float(u @ u),
            q * float(u @ b), q * float(b @ b))


@jit
def annual_average_filter(years, values, starts, mean, big_phi, a, v, quu, quw, qww, z):
    """Exact negative log-likelihood of calendar-year averages by the Kalman filter on the December
    state; z receives the standardised innovations. O(number of years), whatever the gaps: the
    unobserved years between two observations move the state as an AR(1) with big_phi per year.
    A segment (starts[i]) begins from the stationary distribution. Returns 1e300 if the years do not
    increase within a segment or a variance is not positive. The year's parameters big_phi .. qww are
    :func:`annual_average_step`'s."""
    nll = 0.0
    mx = 0.0
    p = v
    for i in range(years.size):
        if starts[i]:
            mx, p, gap = 0.0, v, 1
        else:
            gap = years[i] - years[i - 1]
        if gap < 1:
            return 1e300
        if gap > 1:
            r = big_phi ** (gap - 1)
            mx = r * mx
            p = r * r * p + v * (1.0 - r * r)
        f = a * a * p + qww
        if not f > 0.0:
            return 1e300
        c = big_phi * a * p + quw
        e = values[i] - mean - a * mx
        nll += 0.5 * (math.log(2.0 * math.pi * f) + e * e / f)
        z[i] = e / math.sqrt(f)
        mx = big_phi * mx + c / f * e
        p = big_phi * big_phi * p + quu - c * c / f
    return nll


def fit_ou_annual_average(years, y, fixed_mean: float | None = None) -> Fit:
    """Exact maximum likelihood for calendar-year averages of a stationary monthly OU (normal regime).

    The model's annual Dec/Dec log inflation ln(1 + a_Y) is exactly the average of the year's 12 monthly
    states, and so is its annual log tax-base growth (around the anchor). The vector of the observed
    years' averages is Gaussian with mean m and covariance C_ij = c(|Y_i - Y_j|)
    (:func:`annual_average_autocovariance`), so missing years are simply left out of the vector. The
    likelihood is evaluated by the Kalman filter of :func:`annual_average_step` (linear in the number
    of years; the same value as the dense Cholesky form, which was cubic).
    ``years``, ``y``: arrays, or lists of arrays (independent segments, e.g. simulated paths).
    Returns mean (unless fixed), kappa, sigma with standard errors; residuals are the innovations
    (one-step prediction errors over the observed years, unit variance).
    """
    segs = [(t.astype(np.int64), v) for t, v in _as_segments(years, y) if len(t)]
    n = sum(len(v) for _, v in segs)
    if n < 3:
        raise ValueError(f"only {n} usable years")
    all_years = np.concatenate([t for t, _ in segs])
    allv = np.concatenate([v for _, v in segs])
    starts = np.zeros(n, dtype=np.bool_)
    starts[np.cumsum([0] + [len(v) for _, v in segs[:-1]])] = True
    z = np.empty(n)

    def nll_natural(p):
        m = fixed_mean if fixed_mean is not None else p[0]
        kappa, sigma = p[-2], p[-1]
        if kappa <= 0 or sigma <= 0:
            return 1e300
        return annual_average_filter(all_years, allv, starts, float(m), *annual_average_step(kappa, sigma), z)

    sd = float(np.std(allv)) or 1e-3
    starts_nm = []
    for k in (0.3, 1.0, 3.0, 10.0):
        base = [math.log(k), math.log(sd * math.sqrt(2 * k))]
        starts_nm.append(np.array(base if fixed_mean is not None else [float(np.mean(allv)), *base]))
    p = _natural(minimise(lambda q: nll_natural(_natural(q)), starts_nm, n))
    kappa, sigma = p[-2], p[-1]
    deltas = np.array(([1e-3 * sd] if fixed_mean is None else []) + [1e-3 * kappa, 1e-3 * sigma])
    se, _ = standard_errors(nll_natural, p, deltas)
    names = ("kappa", "sigma") if fixed_mean is not None else ("mean", "kappa", "sigma")
    fit = Fit(names, p, se, n, -nll_natural(p))  # leaves the innovations at the estimate in z
    for year, w in zip(all_years.tolist(), z.tolist()):
        fit.residuals[int(year)] = float(w)
    return fit


def fit_log_returns(log_returns, periods_per_year: int = 1) -> Fit:
    """Mean and standard deviation of annual log returns by moments, with their standard errors
    (se of the mean s/sqrt(n); se of the sd s/sqrt(2(n-1)), exact for normal data). Monthly log
    returns (``periods_per_year`` = 12) are scaled to a year: mean x 12, variance x 12."""
    r = np.asarray(log_returns, dtype=float)
    r = r[np.isfinite(r)]
    n = r.size
    if n < 3:
        raise ValueError(f"only {n} returns")
    k = periods_per_year
    mean, sd = float(r.mean()) * k, float(r.std(ddof=1)) * math.sqrt(k)
    se = np.array([sd / math.sqrt(n / k) if k > 1 else sd / math.sqrt(n), sd / math.sqrt(2 * (n - 1))])
    return Fit(("mean_log", "sd_log"), np.array([mean, sd]), se, n)


def regime_mixing_variance(mu_calm: float, mu_crash: float, p: float, q: float) -> float:
    """Variance of sum_{t=1..12} mu_{E_t} Delta for the stationary two-state chain (calm -> crash with
    p, crash -> calm with q per month): (mu_crash - mu_calm)^2 Delta^2 c (1 - c) sum_{s,t} lambda^{|s-t|},
    with c = p / (p + q) and lambda = 1 - p - q."""
    if p + q == 0:
        return 0.0
    c = p / (p + q)
    lam = 1.0 - p - q
    k = np.arange(MONTHS)
    total = float(np.sum((MONTHS - k) * lam**k * np.where(k == 0, 1.0, 2.0)))
    return (mu_crash - mu_calm) ** 2 * DT**2 * c * (1 - c) * total


def equity_regime_mapping(mean_log: tuple[float, float], sd_log: tuple[float, float], mu_crash: float,
                          sigma_crash: float, p: float, q: float) -> dict[str, tuple[float, float]]:
    """Calm-regime drift and volatility that reproduce a fitted annual mean and sd of log returns,
    keeping the crash regime (drift, volatility, p, q) as judgment.

    Mean: (1 - c) mu_calm + c mu_crash = mean  ->  mu_calm = (mean - c mu_crash) / (1 - c).
    Variance of a year's log return: (1 - c) sigma_calm^2 + c sigma_crash^2 + mixing(mu_calm) = sd^2
    (:func:`regime_mixing_variance`), solved for sigma_calm (NaN when no positive solution).
    Standard errors by the delta method (se(sd^2) = 2 sd se(sd)); the small dependence of the mixing
    term on mu_calm is ignored in the se.
    """
    c = p / (p + q) if p + q > 0 else 0.0
    (m, se_m), (s, se_s) = mean_log, sd_log
    mu_calm = (m - c * mu_crash) / (1 - c)
    var_calm = (s * s - c * sigma_crash**2 - regime_mixing_variance(mu_calm, mu_crash, p, q)) / (1 - c)
    sig_calm = math.sqrt(var_calm) if var_calm > 0 else float("nan")
    se_sig = (2 * s * se_s / (1 - c)) / (2 * sig_calm) if var_calm > 0 else float("nan")
    return {"log_drift": (mu_calm, se_m / (1 - c)), "volatility": (sig_calm, se_sig)}


def residual_correlation(res: dict[str, dict[int, float]], min_years: int
                         ) -> dict[tuple[str, str], tuple[float, float, int]]:
    """Pairwise correlation of standardised residuals over the years both have, for pairs with at least
    ``min_years`` common years: (r, se, n) with se = (1 - r^2) / sqrt(n - 3) (Fisher's z, delta method)."""
    out = {}
    names = list(res)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            years = sorted(set(res[a]) & set(res[b]))
            if len(years) < max(min_years, 4):
                continue
            u = np.array([res[a][y] for y in years])
            v = np.array([res[b][y] for y in years])
            r = float(np.corrcoef(u, v)[0, 1])
            out[(a, b)] = (r, (1 - r * r) / math.sqrt(len(years) - 3), len(years))
    return out
