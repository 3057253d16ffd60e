"""Calibration of the economic drivers from history (``simulator calibrate``).

Three layers, kept apart (docs/calibration.md gives the equations and the input contract):

1. Estimators: plain functions on arrays, no I/O. ``fit_ou_points`` (exact Gaussian transition
   likelihood of an OU/Vasicek process observed at arbitrary, gappy times), ``fit_ou_annual_average``
   (exact likelihood of calendar-year averages of the monthly OU, e.g. Dec/Dec inflation),
   ``fit_log_returns`` (moments), ``equity_regime_mapping`` and ``residual_correlation``.
   Standard errors come from the observed information: the inverse of a central finite-difference
   Hessian of the negative log-likelihood in the model's own parameters.
2. Reading: ``read_data_dir`` turns tagged CSV files into :class:`Series` (fractions, not percent).
3. ``calibrate`` combines fits with the judgment file into :class:`Calibration`, which renders the
   ``[economy]`` TOML (every value commented ``fitted: ...`` or ``judgment: ...``) and a table.
"""

from __future__ import annotations

import csv
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import Field

from simulator.errors import InputError
from simulator.kernels.jit import jit
from simulator.scenario.base import StrictModel
from simulator.scenario.economy import Economy
from simulator.scenario.loader import format_validation_error

MONTHS = 12
DT = 1.0 / MONTHS

#: Series names a data file may declare with ``# series: NAME`` (``none``: shipped for reference, not read).
SERIES_NAMES = ("inflation", "short_rate", "long_rate", "equity_sweden", "equity_global", "tax_base")
#: Words in a file name or header (upper case, as in ../shared/data) that make the file less reliable.
RELIABILITY_FLAGS = ("DERIVED", "SECONDARY", "PARTIAL")


class CalibrationInputError(InputError, ValueError):
    """Bad calibration input (a data file or the judgment file): one line naming the file and line."""


# ==================================================================================================
# 1. Estimators (arrays in, numbers out)


def numerical_hessian(f, x: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Central finite-difference Hessian of the scalar function f at x with per-coordinate steps."""
    x = np.asarray(x, dtype=float)
    n = x.size
    h = np.zeros((n, n))
    f0 = f(x)
    for i in range(n):
        ei = np.zeros(n)
        ei[i] = steps[i]
        h[i, i] = (f(x + ei) - 2.0 * f0 + f(x - ei)) / steps[i] ** 2
        for j in range(i):
            ej = np.zeros(n)
            ej[j] = steps[j]
            h[i, j] = h[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4.0 * steps[i] * steps[j]
            )
    return h


def standard_errors(f, x: np.ndarray, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standard errors and covariance from the observed information (inverse Hessian of the negative
    log-likelihood f at its minimum x). NaN where the Hessian is not positive definite."""
    steps = np.asarray(steps, dtype=float)
    if not np.all(np.isfinite(steps) & (steps > 0)):  # a degenerate fit (e.g. sigma -> 0)
        nan = np.full(x.size, np.nan)
        return nan, np.full((x.size, x.size), np.nan)
    with np.errstate(all="ignore"):
        hess = numerical_hessian(f, x, steps)
    if not np.all(np.isfinite(hess)):
        nan = np.full(x.size, np.nan)
        return nan, np.full((x.size, x.size), np.nan)
    try:
        np.linalg.cholesky(hess)
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        nan = np.full(x.size, np.nan)
        return nan, np.full((x.size, x.size), np.nan)
    return np.sqrt(np.diag(cov)), cov


def _minimise(nll, starts: list[np.ndarray], n: int = 1) -> np.ndarray:
    """Best Nelder-Mead minimum over several starts (deterministic).

    The search minimises the negative log-likelihood per observation, nll / n: Nelder-Mead's moves
    depend only on the order of the values, so the path is the same, but its stopping test ``fatol`` is
    absolute, and the total of a long series (~1e6 for 10^6 points) cannot change by less than 1e-10
    in floating point: without the scaling a long series ran to maxiter from every start.
    """
    from scipy.optimize import minimize

    best = None
    scaled = (lambda q: nll(q) / n) if n > 1 else nll
    for start in starts:
        res = minimize(scaled, start, method="Nelder-Mead",
                       options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 20_000, "maxfev": 20_000})
        if best is None or res.fun < best.fun:
            best = res
    return best.x


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


@dataclass
class Fit:
    """Estimates (in the model's parameters), their standard errors and the residuals by year."""

    names: tuple[str, ...]
    values: np.ndarray
    se: np.ndarray
    n: int  # observations (transitions, years) that entered the likelihood
    loglik: float = float("nan")  # maximised log-likelihood (moments fits: NaN)
    residuals: dict[int, float] = field(default_factory=dict)  # standardised, keyed by year
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> tuple[float, float]:
        i = self.names.index(name)
        return float(self.values[i]), float(self.se[i])


def ou_transition_moments(kappa, sigma, h):
    """Decay exp(-kappa h) and variance sigma^2 (1 - exp(-2 kappa h)) / (2 kappa) of the exact OU step
    over h years (the random-walk limit sigma^2 h as kappa -> 0)."""
    kh = kappa * h
    decay = np.exp(-kh)
    small = kh < 1e-12
    var = np.where(small, sigma**2 * h, sigma**2 * -np.expm1(-2.0 * kh) / (2.0 * np.where(small, 1.0, kappa)))
    return decay, var


def fit_ou_points(t, x, offset_by_year: dict[int, float] | None = None, fixed_mean: float | None = None,
                  max_gap_years: float = 10.0) -> Fit:
    """Exact maximum likelihood for dx = kappa (mu(s) - x) ds + sigma dW observed at times t [years].

    mu(s) = theta + offset_Y on calendar year Y (the interval (Y-1, Y] in the time convention of
    :func:`series_times`): ``offset_by_year`` holds known offsets (the short rate's inflation
    pass-through), theta is fitted (or ``fixed_mean``). Over a step from t0 to t1 (any gap h) the
    transition is exact for a piecewise-constant mean:
    x1 | x0 ~ N(x0 e^{-kappa h} + theta (1 - e^{-kappa h}) + sum_Y offset_Y (e^{-kappa (t1 - b_Y)} -
    e^{-kappa (t1 - a_Y)}), sigma^2 (1 - e^{-2 kappa h}) / (2 kappa)), with [a_Y, b_Y] the part of year
    Y inside (t0, t1]. A step that needs an offset for a year without one is left out (noted).
    ``t``, ``x``: arrays, or lists of arrays for independent segments (pooled likelihood).
    Returns theta, kappa [1/yr], sigma [1/sqrt(yr)] with standard errors.
    """
    x0, x1, t0, t1 = _transitions(t, x, max_gap_years)
    h = t1 - t0
    # the calendar years each step spans (the part of year Y is (Y-1, Y] in series_times' convention)
    idx = np.zeros(0, dtype=int)
    off = pa = pb = np.zeros(0)
    dropped = 0
    if offset_by_year is not None and x0.size:
        first = np.floor(t0 + 1e-9).astype(np.int64) + 1
        count = np.maximum(np.ceil(t1 - 1e-9).astype(np.int64) - first + 1, 0)
        step = np.repeat(np.arange(x0.size), count)
        year = first[step] + np.arange(step.size) - np.repeat(np.cumsum(count) - count, count)
        known = np.array(sorted(offset_by_year), dtype=np.int64)
        pos = np.searchsorted(known, year)
        has = pos < known.size
        has[has] = known[pos[has]] == year[has]
        # a step that needs an offset for a year without one is left out
        ok = np.ones(x0.size, dtype=bool)
        ok[step[~has]] = False
        dropped = int((~ok).sum())
        keep_piece = ok[step]
        renumber = np.cumsum(ok) - 1
        x0, x1, t0, t1, h = x0[ok], x1[ok], t0[ok], t1[ok], h[ok]
        step, year = step[keep_piece], year[keep_piece]
        idx = renumber[step]
        off = np.array([offset_by_year[int(y)] for y in year], dtype=float)
        pa = np.maximum(t0[idx], year - 1.0)
        pb = np.minimum(t1[idx], year.astype(float))
    n = x0.size
    if n < 3:
        raise ValueError(f"only {n} usable transitions")

    def unpack(p):
        theta = fixed_mean if fixed_mean is not None else p[0]
        return theta, p[-2], p[-1]

    def nll_natural(p):
        theta, kappa, sigma = unpack(p)
        if kappa <= 0 or sigma <= 0:
            return 1e300
        decay, var = ou_transition_moments(kappa, sigma, h)
        if not np.all(var > 0):
            return 1e300
        mean = x0 * decay + theta * (1.0 - decay)
        if idx.size:
            w = np.exp(-kappa * (t1[idx] - pb)) - np.exp(-kappa * (t1[idx] - pa))
            mean = mean + np.bincount(idx, weights=off * w, minlength=n)
        r = x1 - mean
        return 0.5 * float(np.sum(np.log(2 * np.pi * var) + r * r / var))

    def nll_search(q):  # log kappa, log sigma for the search
        p = np.array([*q[:-2], math.exp(q[-2]), math.exp(q[-1])])
        return nll_natural(p)

    sd = float(np.std(x1 - x0)) / math.sqrt(float(np.mean(h))) or 1e-3
    m0 = float(np.mean(np.concatenate([x0, x1])))
    starts = []
    for k in (0.1, 0.5, 2.0, 8.0):
        base = [math.log(k), math.log(sd)]
        starts.append(np.array(base if fixed_mean is not None else [m0, *base]))
    q = _minimise(nll_search, starts, n)
    p = np.array([*q[:-2], math.exp(q[-2]), math.exp(q[-1])])
    theta, kappa, sigma = unpack(p)
    stat_sd = sigma / math.sqrt(2 * kappa)
    steps = np.array(([1e-3 * stat_sd] if fixed_mean is None else []) + [1e-3 * kappa, 1e-3 * sigma])
    se, _ = standard_errors(nll_natural, p, steps)
    names = ("kappa", "sigma") if fixed_mean is not None else ("mean", "kappa", "sigma")
    fit = Fit(names, p, se, n, -nll_natural(p))
    # standardised residuals of the one-year (or shorter) steps, keyed by the year the step ends in
    decay, var = ou_transition_moments(kappa, sigma, h)
    mean = x0 * decay + theta * (1.0 - decay)
    if idx.size:
        w = np.exp(-kappa * (t1[idx] - pb)) - np.exp(-kappa * (t1[idx] - pa))
        mean = mean + np.bincount(idx, weights=off * w, minlength=n)
    with np.errstate(all="ignore"):
        z = (x1 - mean) / np.sqrt(var)
    fit.residuals = _by_year(t1, z, h)
    if dropped:
        fit.notes.append(f"{dropped} step(s) left out: no inflation for a year they span")
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
def _annual_average_filter(years, values, starts, mean, big_phi, a, v, quu, quw, qww, z):
    """Exact negative log-likelihood of calendar-year averages by the Kalman filter on the December
    state; z receives the standardised innovations. O(number of years), whatever the gaps: the
    unobserved years between two observations move the state as an AR(1) with big_phi per year.
    A segment (starts[i]) begins from the stationary distribution. Returns 1e300 if the years do not
    increase within a segment or a variance is not positive."""
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
        return _annual_average_filter(all_years, allv, starts, float(m),
                                      *annual_average_step(kappa, sigma), z)

    def nll_search(q):
        return nll_natural(np.array([*q[:-2], math.exp(q[-2]), math.exp(q[-1])]))

    sd = float(np.std(allv)) or 1e-3
    starts_nm = []
    for k in (0.3, 1.0, 3.0, 10.0):
        base = [math.log(k), math.log(sd * math.sqrt(2 * k))]
        starts_nm.append(np.array(base if fixed_mean is not None else [float(np.mean(allv)), *base]))
    q = _minimise(nll_search, starts_nm, n)
    p = np.array([*q[:-2], math.exp(q[-2]), math.exp(q[-1])])
    kappa, sigma = p[-2], p[-1]
    steps = np.array(([1e-3 * sd] if fixed_mean is None else []) + [1e-3 * kappa, 1e-3 * sigma])
    se, _ = standard_errors(nll_natural, p, steps)
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


# ==================================================================================================
# 2. Reading the data files


@dataclass
class Series:
    """One series from one or more files: values as fractions (percent / 100) by date."""

    name: str
    monthly: bool
    dates: list[tuple[int, int]]  # (year, month); month 12 for annual data
    values: np.ndarray  # fraction; NaN = missing
    files: list[str]
    flags: list[str]  # e.g. "omxs30_..._SECONDARY.csv: SECONDARY"
    price_index: bool = False  # equity: price returns (dividends to be added)
    warnings: list[str] = field(default_factory=list)  # from reading, e.g. a block in fractions

    @property
    def times(self) -> np.ndarray:
        """End of each period in years: end of year Y = Y.0, end of month m of Y = Y - 1 + m/12."""
        return np.array([y - 1 + m / MONTHS for y, m in self.dates])

    def observed(self) -> tuple[np.ndarray, np.ndarray]:
        keep = np.isfinite(self.values)
        return self.times[keep], self.values[keep]

    def years_text(self) -> str:
        t = [d for d, v in zip(self.dates, self.values) if np.isfinite(v)]
        if not t:
            return "no values"
        present = {y for y, _ in t}
        years = sorted(present)
        missing = [y for y in range(years[0], years[-1] + 1) if y not in present]
        text = f"{years[0]}-{years[-1]}"
        if missing:
            text += " without " + _ranges(missing)
        return text

    def n_observed(self) -> int:
        return int(np.isfinite(self.values).sum())


def _ranges(years: list[int]) -> str:
    parts, start = [], None
    for i, y in enumerate(years):
        if start is None:
            start = y
        if i + 1 == len(years) or years[i + 1] != y + 1:
            parts.append(str(start) if start == y else f"{start}-{y}")
            start = None
    return ", ".join(parts)


_TAG = re.compile(r"^#\s*series\s*:\s*(\S+)", re.IGNORECASE)
_RETURN_TYPE = re.compile(r"^#\s*return_type\s*:\s*(\S+)", re.IGNORECASE)


#: Values are percent; outside this range a value is a typo or a unit error (a return of -100 % or
#: less has no logarithm; 1000 % a year is no index, rate or price change this model describes).
VALUE_RANGE_PCT = (-100.0, 1000.0)
#: A block of at least this many rows at the start or end of a file whose values are this many decades
#: smaller (geometric mean of |value|) than the rest's is reported as probably written in fractions.
SCALE_BLOCK_ROWS = 3
SCALE_GAP_DECADES = 1.5


def read_series_file(path: Path) -> tuple[str, dict[str, Any]]:
    """Read one tagged CSV. Returns the series name and its parts (or ``none`` for reference files)."""
    from simulator.io.safeio import MAX_CSV_BYTES, InputFileError, read_text

    try:
        text = read_text(path, str(path), limit=MAX_CSV_BYTES)
    except InputFileError as exc:
        raise CalibrationInputError(str(exc)) from None
    lines = text.splitlines()
    name, return_type, header_lines = None, "total", []
    body_start = None
    for i, line in enumerate(lines):
        if line.startswith("#"):
            header_lines.append(line)
            if (m := _TAG.match(line)) and name is None:
                name = m.group(1).lower()
            if m := _RETURN_TYPE.match(line):
                return_type = m.group(1).lower()
            continue
        if line.strip():
            body_start = i
            break
    if name is None:
        raise CalibrationInputError(
            f"{path}, line 1: no '# series: NAME' header line; expected one of "
            f"{', '.join(SERIES_NAMES)} or none")
    if name == "none":
        return name, {}
    if name not in SERIES_NAMES:
        raise CalibrationInputError(
            f"{path}: unknown series {name!r}; expected one of {', '.join(SERIES_NAMES)} or none")
    if return_type not in ("total", "price"):
        raise CalibrationInputError(f"{path}: return_type {return_type!r}; expected total or price")
    if body_start is None:
        raise CalibrationInputError(f"{path}: no column header; expected 'year,value' or 'year,month,value'")
    reader = csv.reader(lines[body_start:], strict=True)
    try:
        rows = [(body_start + reader.line_num, row) for row in reader]
    except csv.Error as exc:  # e.g. a NUL byte, an unclosed quote
        raise CalibrationInputError(f"{path}, line {body_start + reader.line_num}: not valid CSV ({exc}); "
                                    "expected comma-separated fields") from None
    columns = [c.strip().lower() for c in rows[0][1]]
    if "year" not in columns or "value" not in columns:
        raise CalibrationInputError(
            f"{path}, line {body_start + 1}: columns {','.join(columns)}; expected 'year,value' "
            f"(annual) or 'year,month,value' (monthly), extra columns allowed")
    iy, iv = columns.index("year"), columns.index("value")
    im = columns.index("month") if "month" in columns else None
    needed = max(iy, iv, im or 0) + 1
    header = ",".join(columns)
    lo, hi = VALUE_RANGE_PCT
    dates, values, lines_of, seen = [], [], [], {}
    for k, row in rows[1:]:
        if not row or all(not c.strip() for c in row) or row[0].startswith("#"):
            continue
        where = f"{path}, line {k}"
        if len(row) < needed:
            # a row cut short (or one value lost) must not become a missing date silently
            raise CalibrationInputError(
                f"{where}: {len(row)} field{'s' if len(row) > 1 else ''}; expected {len(columns)} "
                f"({header}); a missing value is an empty field, e.g. '{row[0].strip()},'")
        if any(c.strip() for c in row[len(columns):]):
            # '2000,1,5' in a year,value file is 1.5 written with a decimal comma: it would read as 1
            raise CalibrationInputError(
                f"{where}: {len(row)} fields but the header has {len(columns)} ({header}); a decimal "
                "comma? write numbers with a decimal point (2.5) and quote text that contains commas")
        row = row + [""] * (len(columns) - len(row))  # trailing empty fields may be left out
        try:
            year = int(row[iy].strip())
        except ValueError:
            raise CalibrationInputError(f"{where}: year {row[iy]!r} is not a whole number") from None
        month = 12
        if im is not None:
            try:
                month = int(row[im].strip())
            except ValueError:
                month = 0
            if not 1 <= month <= 12:
                raise CalibrationInputError(f"{where}: month {row[im]!r}; expected 1..12")
        raw = row[iv].strip()
        if raw == "":
            value = math.nan  # a missing year (or month)
        else:
            try:
                value = float(raw)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                comma = " with a decimal point" if "," in raw else ""
                raise CalibrationInputError(
                    f"{where}: value {raw!r} is not a number; expected percent{comma}, e.g. 2.5, or "
                    "empty if missing")
            if not lo < value <= hi:
                raise CalibrationInputError(
                    f"{where}: value {raw} is outside the range of a percent change or rate; expected "
                    f"percent above {lo:g} and at most {hi:g}")
        if (year, month) in seen:
            raise CalibrationInputError(
                f"{where}: {year}{'-%02d' % month if im is not None else ''} appears twice "
                f"(first on line {seen[(year, month)]}); expected one row per date")
        seen[(year, month)] = k
        dates.append((year, month))
        values.append(value / 100.0)
        lines_of.append(k)
    if not dates:
        raise CalibrationInputError(f"{path}: no data rows; expected 'year,value' rows")
    flags = sorted({f for f in RELIABILITY_FLAGS
                    if f in path.name or any(re.search(rf"\b{f}\b", h) for h in header_lines)})
    return name, {"monthly": im is not None, "dates": dates, "values": values, "file": str(path),
                  "flags": flags, "price_index": return_type == "price",
                  "warnings": _scale_warnings(path, np.array(values), np.array(lines_of))}


def _scale_warnings(path: Path, values: np.ndarray, lines: np.ndarray) -> list[str]:
    """A warning when the rows at the start or the end of a file look like fractions among percent (or
    percent among fractions): a block of at least SCALE_BLOCK_ROWS nonzero values whose geometric mean
    magnitude differs from the rest's by SCALE_GAP_DECADES or more (written as fractions, 0.02 is 100
    times smaller than the 2 it means). A warning, not an error: a rate may really sit near zero for a
    decade; the line numbers say where to look."""
    keep = np.isfinite(values) & (values != 0.0)
    logs, where = np.log10(np.abs(values[keep])), lines[keep]
    n, m = logs.size, SCALE_BLOCK_ROWS
    if n < 2 * m:
        return []
    cum = np.concatenate([[0.0], np.cumsum(logs)])
    split = np.arange(m, n - m + 1)  # the block is rows [0, split) or [split, n)
    gap = cum[split] / split - (cum[n] - cum[split]) / (n - split)
    k = int(np.argmax(np.abs(gap)))
    if abs(gap[k]) < SCALE_GAP_DECADES:
        return []
    cut = int(split[k])
    rows = where[:cut] if gap[k] < 0 else where[cut:]  # the block of smaller values
    return [f"{path}, lines {rows[0]}-{rows[-1]}: values {10 ** abs(gap[k]):.0f} times smaller than in "
            f"the rest of the file (fractions instead of percent? 2.5 means 2.5 %)"]


def read_data_dir(directory: Path) -> dict[str, Series]:
    """Every ``*.csv`` in ``directory`` (not recursive), by the series its ``# series:`` line names.
    Several files may feed one series if they do not share a date (e.g. two periods of OMXS30)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CalibrationInputError(f"{directory}: not a directory (--data expects a folder of CSV files)")
    parts: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.csv")):
        name, part = read_series_file(path)
        if name != "none":
            parts.setdefault(name, []).append(part)
    if not parts:
        raise CalibrationInputError(f"{directory}: no CSV file with a '# series: NAME' line")
    out = {}
    for name, items in parts.items():
        if len({p["monthly"] for p in items}) > 1:
            raise CalibrationInputError(
                f"{items[0]['file']}: series {name} mixes annual and monthly files "
                f"({', '.join(p['file'] for p in items)}); expected one frequency per series")
        if len({p["price_index"] for p in items}) > 1:
            raise CalibrationInputError(f"{items[0]['file']}: series {name} mixes price and total returns")
        owner: dict[tuple[int, int], str] = {}
        for p in items:
            for d in p["dates"]:
                if d in owner:
                    raise CalibrationInputError(
                        f"{p['file']}: {d[0]} of series {name} is also in {owner[d]}; expected each date once")
                owner[d] = p["file"]
        merged = sorted((d, v) for p in items for d, v in zip(p["dates"], p["values"]))
        if name == "tax_base" and items[0]["monthly"]:
            raise CalibrationInputError(f"{items[0]['file']}: tax_base must be annual (year,value)")
        out[name] = Series(
            name=name, monthly=items[0]["monthly"], dates=[d for d, _ in merged],
            values=np.array([v for _, v in merged]), files=[p["file"] for p in items],
            flags=[f"{Path(p['file']).name}: {f}" for p in items for f in p["flags"]],
            price_index=items[0]["price_index"], warnings=[w for p in items for w in p["warnings"]])
    return out


# ==================================================================================================
# 3. Judgment file, calibration, output


@dataclass
class Estimate:
    path: str  # dotted field under [economy]
    value: Any
    se: float | None
    source: str  # "fitted" or "judgment"
    note: str  # data and years, or the reason


@dataclass
class Calibration:
    estimates: dict[str, Estimate]
    warnings: list[str]
    correlations: dict[tuple[str, str], tuple[float, float, int]] = field(default_factory=dict)

    def economy(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for path, est in self.estimates.items():
            node = out
            *parents, leaf = path.split(".")
            for key in parents:
                node = node.setdefault(key, {})
            node[leaf] = est.value
        return out


class JudgmentOptions(StrictModel):
    """``[options]`` of the judgment file (docs/calibration.md, section 3)."""

    min_years_warning: int = Field(20, ge=0, le=10_000)  # warn when a series has fewer annual observations
    min_fit_observations: int = Field(10, ge=3, le=10_000)  # fewer: the parameter stays judgment
    min_correlation_years: int = Field(15, ge=4, le=10_000)  # fewer common years: the correlation stays judgment
    # excluded from the normal-regime inflation fit; years a Swedish price series can hold
    inflation_shock_years: list[Annotated[int, Field(ge=1800, le=2200)]] = [2022, 2023]
    price_index_dividend_yield_pa: float = Field(0.03, ge=0.0, le=0.2)  # added to price-index equity returns
    keep_judgment: list[str] = []  # parameters reported from the data but kept at their judgment value


DEFAULT_OPTIONS = JudgmentOptions().model_dump()


class _JudgmentFile(StrictModel):
    """What a judgment file must hold once its leaves are reduced to their values: a complete, valid
    [economy] (the values a fit does not replace are written as they are) and valid [options]."""

    economy: Economy
    options: JudgmentOptions = JudgmentOptions()
    accounts: dict[str, Any] = {}  # the budget-deviation fit's judgment (simulator.calibration.deviations checks it)


def read_judgment(path: Path) -> tuple[dict[str, Estimate], dict[str, Any]]:
    """The judgment file: ``[economy...]`` leaves ``{ value = ..., reason = "..." }`` and ``[options]``.
    Every value is validated as the scenario schema validates it, so a bad judgment value is refused
    here, with its field, and never reaches the written file."""
    from pydantic import ValidationError

    from simulator.io.safeio import InputFileError, read_toml

    if not os.path.lexists(path):
        raise CalibrationInputError(f"{path}: judgment file not found (--judgment, relative to the "
                                    "current directory)")
    try:
        data = read_toml(path, str(path))
    except InputFileError as exc:
        raise CalibrationInputError(str(exc)) from None
    leaves: dict[str, Estimate] = {}
    shape = 'expected { value = ..., reason = "..." }'

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            dotted = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict) and "value" in value:
                if set(value) != {"value", "reason"}:
                    raise CalibrationInputError(f"{path}: economy.{dotted}: {shape}")
                if not isinstance(value["reason"], str):
                    raise CalibrationInputError(f"{path}: economy.{dotted}.reason: {shape} (got "
                                                f"{value['reason']!r})")
                leaves[dotted] = Estimate(dotted, value["value"], None, "judgment", value["reason"])
            elif isinstance(value, dict):
                walk(value, dotted)
            else:
                raise CalibrationInputError(f"{path}: economy.{dotted}: {shape}")

    if not isinstance(data.get("economy"), dict):
        raise CalibrationInputError(f"{path}: no [economy] table")
    walk(data["economy"], "")
    values = Calibration(leaves, []).economy()
    try:
        checked = _JudgmentFile.model_validate({**data, "economy": values})
    except ValidationError as exc:
        raise CalibrationInputError(format_validation_error(str(path), exc)) from None
    unknown = [name for name in checked.options.keep_judgment if name not in leaves]
    if unknown:
        raise CalibrationInputError(f"{path}: options.keep_judgment: unknown parameter {unknown[0]!r} "
                                    "(allowed: dotted names under [economy], e.g. short_rate.real_long_run_pa)")
    return leaves, checked.options.model_dump()


def _ok_ou(fit: Fit, opts) -> str | None:
    """Why an OU fit is unusable (None when it is usable)."""
    kappa, se_k = fit["kappa"]
    sigma, _ = fit["sigma"]
    if fit.n < opts["min_fit_observations"]:
        return f"only {fit.n} observations (< {opts['min_fit_observations']})"
    if not np.all(np.isfinite(fit.se)):
        return "the likelihood is flat (no standard error)"
    if not 0.01 <= kappa <= 50.0:
        return f"mean reversion {kappa:.3g}/yr at or beyond the allowed 0.01..50"
    if not 0.0 < sigma <= 0.2:
        return f"volatility {sigma:.3g} outside (0, 0.2]"
    if se_k > 2.0 * kappa + 1.0:
        return f"mean reversion {kappa:.3g} with se {se_k:.3g}: not identified"
    return None


def annual_log_inflation(series: Series) -> dict[int, float]:
    """ln(1 + Dec/Dec inflation) by year: annual data directly; monthly m/m changes summed over complete years."""
    out: dict[int, float] = {}
    if not series.monthly:
        for (y, _), v in zip(series.dates, series.values):
            if np.isfinite(v):
                out[y] = math.log1p(v)
        return out
    by_year: dict[int, list[float]] = {}
    for (y, _), v in zip(series.dates, series.values):
        if np.isfinite(v):
            by_year.setdefault(y, []).append(math.log1p(v))
    return {y: sum(v) for y, v in by_year.items() if len(v) == MONTHS}


def _describe(s: Series, years_note: str = "") -> str:
    files = ", ".join(Path(f).name for f in s.files)
    return f"{files}, {s.years_text()}{years_note}"


class _Run:
    """One calibration: the estimates so far (judgment first), warnings and residuals by driver.
    Each driver's method fits what its data supports and leaves the judgment value otherwise."""

    def __init__(self, judgment: dict[str, Estimate], options: dict[str, Any]) -> None:
        self.opts = {**DEFAULT_OPTIONS, **options}
        self.est = {k: Estimate(v.path, v.value, v.se, v.source, v.note) for k, v in judgment.items()}
        self.warnings: list[str] = []
        self.residuals: dict[str, dict[int, float]] = {}
        self.m0 = math.log1p(self.jv("inflation.target_pa"))
        self.infl_by_year: dict[int, float] = {}  # ln(1 + Dec/Dec inflation), the covariate of others

    def jv(self, path: str) -> Any:
        if path not in self.est:
            raise CalibrationInputError(f"judgment file: economy.{path} is missing")
        return self.est[path].value

    def fitted(self, path: str, value: float, se: float, note: str) -> None:
        if path in self.opts["keep_judgment"]:  # a forward-looking anchor: report history, keep judgment
            kept = self.est[path]
            self.est[path] = Estimate(path, kept.value, kept.se, "judgment",
                                      f"{kept.note}; history gives {value:.4g} (se {se:.2g}) from {note}, "
                                      "not used (options.keep_judgment)")
            return
        self.est[path] = Estimate(path, float(value), float(se), "fitted", note)

    def unusable(self, what: str, why: str) -> None:
        self.warnings.append(f"{what}: fit not used ({why}); judgment values kept")

    def check_data(self, s: Series) -> None:
        self.warnings.extend(f"{s.name}: {w}" for w in s.warnings)
        for flag in s.flags:
            self.warnings.append(f"{s.name}: {flag} (less reliable data, see its header)")
        n_years = len({y for (y, _), v in zip(s.dates, s.values) if np.isfinite(v)})
        if n_years < self.opts["min_years_warning"]:
            self.warnings.append(f"{s.name}: short series, {n_years} years ({s.years_text()}); "
                                 f"estimates are uncertain (< {self.opts['min_years_warning']} years)")
        if s.n_observed() < len(s.values) or "without" in s.years_text():
            self.warnings.append(f"{s.name}: missing dates ({s.years_text()}); handled by the likelihood")

    def ou(self, what: str, fitter, *args, **kwargs) -> Fit | None:
        """Run an OU fit; None (with a warning) when it fails or is unusable (:func:`_ok_ou`)."""
        try:
            fit = fitter(*args, **kwargs)
        except ValueError as exc:
            self.unusable(what, str(exc))
            return None
        why = _ok_ou(fit, self.opts)
        if why:
            self.unusable(what, why)
            return None
        return fit

    def inflation(self, s: Series) -> None:
        """Normal regime: kappa and sigma, mean fixed at the target, shock years left out."""
        self.infl_by_year = annual_log_inflation(s)
        shock = set(self.opts["inflation_shock_years"])
        if s.monthly:
            t, v = s.observed()
            keep = np.array([math.ceil(x - 1e-9) not in shock for x in t], dtype=bool)
            fit = self.ou("inflation", fit_ou_points, t[keep], MONTHS * np.log1p(v[keep]), fixed_mean=self.m0)
        else:
            years = np.array(sorted(y for y in self.infl_by_year if y not in shock))
            fit = self.ou("inflation", fit_ou_annual_average, years,
                          np.array([self.infl_by_year[y] for y in years]), fixed_mean=self.m0)
        if fit is None:
            return
        note = _describe(s, f", excl. shock years {_ranges(sorted(shock))}" if shock else "")
        self.fitted("inflation.mean_reversion_per_year", *fit["kappa"], note)
        self.fitted("inflation.volatility_pa", *fit["sigma"], note)
        self.residuals["inflation"] = fit.residuals

    def short_rate(self, s: Series) -> None:
        """Vasicek towards real + pass-through x inflation (pass-through judgment)."""
        beta = self.jv("short_rate.inflation_pass_through")
        offsets = {y: beta * (v - self.m0) for y, v in self.infl_by_year.items()} if beta else None
        if offsets is not None and not offsets:
            self.unusable("short_rate", "the pass-through needs an inflation series")
            return
        t, v = s.observed()
        fit = self.ou("short_rate", fit_ou_points, t, v, offset_by_year=offsets)
        if fit is None:
            return
        mean, se_mean = fit["mean"]
        real = mean - self.m0
        if not -0.5 <= real <= 1.0:
            self.unusable("short_rate", f"real rate {real:.3g} outside -0.5..1")
            return
        note = _describe(s, f", pass-through {beta:g} (judgment)")
        self.fitted("short_rate.real_long_run_pa", real, se_mean, note)
        self.fitted("short_rate.mean_reversion_per_year", *fit["kappa"], note)
        self.fitted("short_rate.volatility_pa", *fit["sigma"], note)
        self.residuals["short_rate"] = fit.residuals
        self.warnings.extend(f"short_rate: {x}" for x in fit.notes)

    def term_spread(self, lr: Series, sr: Series | None) -> None:
        """Long minus short rate on the dates both have, a plain OU."""
        common = {}
        if sr is not None and sr.monthly == lr.monthly:
            short = {d: v for d, v in zip(sr.dates, sr.values) if np.isfinite(v)}
            common = {d: v - short[d] for d, v in zip(lr.dates, lr.values) if np.isfinite(v) and d in short}
        if len(common) < 3:
            self.unusable("long_rate", "the term spread needs short and long rates on common dates")
            return
        dates = sorted(common)
        t = np.array([y - 1 + m / MONTHS for y, m in dates])
        fit = self.ou("term_spread", fit_ou_points, t, np.array([common[d] for d in dates]))
        if fit is None:
            return
        note = (f"long - short: {_describe(lr)} with {', '.join(Path(f).name for f in sr.files)}, "
                f"{len(dates)} common dates")
        self.fitted("term_spread.long_run_pa", *fit["mean"], note)
        self.fitted("term_spread.mean_reversion_per_year", *fit["kappa"], note)
        self.fitted("term_spread.volatility_pa", *fit["sigma"], note)
        self.residuals["term_spread"] = fit.residuals

    def equity(self, market: str, s: Series) -> None:
        """Moments of the log returns, mapped onto the calm regime (crash regime judgment)."""
        name = f"equity_{market}"
        _, v = s.observed()
        logs = np.log1p(v)
        note_div = ""
        if s.price_index:
            d = self.opts["price_index_dividend_yield_pa"]
            logs = logs + (math.log1p(d) / MONTHS if s.monthly else math.log1p(d))
            note_div = f", price index + {d:.1%} dividends (judgment)"
        per_year = MONTHS if s.monthly else 1
        if logs.size < max(3, self.opts["min_fit_observations"] * per_year):
            self.unusable(name, f"only {logs.size} returns")
            return
        fit = fit_log_returns(logs, per_year)
        mapped = equity_regime_mapping(
            fit["mean_log"], fit["sd_log"], self.jv(f"equity.crash.{market}_log_drift_pa"),
            self.jv(f"equity.crash.{market}_volatility_pa"),
            self.jv("equity.crash_entry_probability_per_month"),
            self.jv("equity.crash_exit_probability_per_month"))
        mu, se_mu = mapped["log_drift"]
        sig, se_sig = mapped["volatility"]
        (mean, se_mean), (sd, _) = fit["mean_log"], fit["sd_log"]
        if not -3.0 <= mu <= 3.0:
            self.unusable(name, f"calm drift {mu:.3g} outside -3..3")
            return
        note = (f"{_describe(s, note_div)}: mean log return {mean:.4f} (se {se_mean:.4f}), sd "
                f"{sd:.4f}, crash regime judgment")
        self.fitted(f"equity.calm.{market}_log_drift_pa", mu, se_mu, note)
        if math.isfinite(sig) and 0 < sig <= 2.0:
            self.fitted(f"equity.calm.{market}_volatility_pa", sig, se_sig, note)
        else:
            self.unusable(f"{name} volatility", "the crash regime alone explains the variance")
        if not s.monthly:
            years = [y for (y, _), x in zip(s.dates, s.values) if np.isfinite(x)]
            self.residuals[name] = {y: (lv - mean) / sd for y, lv in zip(years, logs)}

    def tax_base(self, s: Series) -> None:
        """Real growth and the OU deviation from annual growth net of inflation (pass-through judgment).

        The model's tax base follows lagged inflation (mean lag economy.inflation.lag_months); on annual
        data a lag of six months or more is taken as the previous year's inflation, a shorter one as
        the same year's (an approximation: the exponential lag spreads over earlier years too)."""
        beta = self.jv("tax_base.inflation_pass_through")
        lag = 1 if float(self.jv("inflation.lag_months")) >= 6 else 0
        growth = {y: math.log1p(v) for (y, _), v in zip(s.dates, s.values) if np.isfinite(v)}
        years = sorted(y for y in growth if y - lag in self.infl_by_year)
        if len(years) < self.opts["min_fit_observations"]:
            self.unusable("tax_base", f"only {len(years)} years with inflation data "
                                      f"(< {self.opts['min_fit_observations']})")
            return
        dev = np.array([growth[y] - beta * self.infl_by_year[y - lag] - (1 - beta) * self.m0 for y in years])
        fit = self.ou("tax_base", fit_ou_annual_average, np.array(years), dev)
        if fit is None:
            return
        mean, se_mean = fit["mean"]
        note = _describe(s, f", pass-through {beta:g} (judgment)")
        self.fitted("tax_base.real_long_run_growth_pa", math.expm1(mean), math.exp(mean) * se_mean, note)
        self.fitted("tax_base.mean_reversion_per_year", *fit["kappa"], note)
        self.fitted("tax_base.volatility_pa", *fit["sigma"], note)
        self.residuals["tax_base"] = fit.residuals

    def correlation(self) -> dict[tuple[str, str], tuple[float, float, int]]:
        """Fitted pairs replace judgment ones when the result stays positive definite."""
        drivers = list(self.jv("correlation.drivers"))
        new = np.array(self.jv("correlation.matrix"), dtype=float)
        minimum = self.opts["min_correlation_years"]
        corr = residual_correlation(self.residuals, minimum)
        names = list(self.residuals)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if (a, b) not in corr:
                    n = len(set(self.residuals[a]) & set(self.residuals[b]))
                    self.warnings.append(f"correlation {a}-{b}: {n} common years (< {minimum}); "
                                         "judgment value kept")
        if not corr:
            return {}
        for (a, b), (r, _, _) in corr.items():
            i, j = drivers.index(a), drivers.index(b)
            new[i, j] = new[j, i] = round(r, 4)
        if float(np.linalg.eigvalsh(new).min()) < 1e-6:
            self.warnings.append("correlation: fitted pairs with the judgment ones are not positive "
                                 "definite; judgment matrix kept")
            return {}
        pairs = "; ".join(f"{a}-{b} {r:+.2f} (se {se:.2f}, {n} years)" for (a, b), (r, se, n) in corr.items())
        reason = self.est["correlation.matrix"].note
        self.est["correlation.matrix"] = Estimate(
            "correlation.matrix", new.tolist(), None, "fitted",
            f"residuals of the fitted models over common years: {pairs}. Other pairs: judgment ({reason})")
        return corr


def calibrate(data: dict[str, Series], judgment: dict[str, Estimate], options: dict[str, Any]) -> Calibration:
    """Fit what the data supports; everything else comes from the judgment file. Inflation comes
    first: the short rate and the tax base use its annual values."""
    run = _Run(judgment, options)
    for s in data.values():
        run.check_data(s)
    if "inflation" in data:
        run.inflation(data["inflation"])
    if "short_rate" in data:
        run.short_rate(data["short_rate"])
    if "long_rate" in data:
        run.term_spread(data["long_rate"], data.get("short_rate"))
    for market in ("sweden", "global"):
        if f"equity_{market}" in data:
            run.equity(market, data[f"equity_{market}"])
    if "tax_base" in data:
        run.tax_base(data["tax_base"])
    corr = run.correlation()
    return Calibration(run.est, run.warnings, corr)


# --- rendering -----------------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(type(value))


def _round(value: Any, se: float | None) -> Any:
    """Fitted values to 4 significant digits (more would claim precision the se denies)."""
    if isinstance(value, float) and se is not None:
        return float(f"{value:.4g}")
    return value


def _comment(e: Estimate) -> str:
    if e.source == "fitted" and e.se is not None:
        return f"fitted: {e.note}, se {e.se:.2g}"
    return f"{e.source}: {e.note}"


def render_toml(cal: Calibration, header: str, extra_tables: list[str] = (),
                extra_se: dict[str, float] | None = None) -> str:
    """The ``[economy]`` tables with a comment on every value (tomli_w cannot write comments), then
    ``extra_tables`` (lines: the budget-deviation fit) and the standard errors of every fitted value."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()] + [""]
    tables: dict[str, list[Estimate]] = {}
    for path, e in cal.estimates.items():
        table, _, _ = path.rpartition(".")
        tables.setdefault(table, []).append(e)
    for table in sorted(tables, key=lambda t: list(cal.estimates).index(tables[t][0].path)):
        lines.append(f"[economy.{table}]")
        for e in tables[table]:
            key = e.path.rpartition(".")[2]
            if key == "matrix" and isinstance(e.value, list):
                lines.append(f"# {_comment(e)}")
                lines.append("matrix = [")
                lines += ["  [" + ", ".join(f"{x:6.3f}" for x in row) + "]," for row in e.value]
                lines.append("]")
                continue
            lines.append(f"{key} = {_toml_value(_round(e.value, e.se))}  # {_comment(e)}")
        lines.append("")
    lines += list(extra_tables)
    lines += render_standard_errors({**{f"economy.{e.path}": e.se for e in cal.estimates.values()
                                        if e.source == "fitted" and e.se is not None
                                        and isinstance(e.value, float)}, **(extra_se or {})})
    return "\n".join(lines)


def render_standard_errors(se: dict[str, float]) -> list[str]:
    """The fitted parameters' standard errors, by dotted path, for --parameter-uncertainty."""
    lines = ["# standard errors of the fitted values above (for --parameter-uncertainty)",
             "[calibration.standard_errors]"]
    lines += [f'"{path}" = {value:.4g}  # fitted: standard error of {path}' for path, value in se.items()]
    return lines + [""]


def render_table(cal: Calibration) -> str:
    rows = [f"{'parameter':<46} {'estimate':>10} {'std.err.':>9}  source"]
    for path, e in cal.estimates.items():
        if isinstance(e.value, (list, dict)):
            shown = "(table)"
        else:
            shown = f"{e.value:.4g}"
        se = f"{e.se:.2g}" if e.se is not None else "-"
        rows.append(f"{path:<46} {shown:>10} {se:>9}  {e.source}")
        if path == "correlation.matrix":
            for (a, b), (r, se_r, n) in cal.correlations.items():
                rows.append(f"{'  ' + a + ' / ' + b:<46} {r:>10.3f} {se_r:>9.2g}  fitted ({n} years)")
    if cal.warnings:
        rows.append("")
        rows += [f"warning: {w}" for w in cal.warnings]
    return "\n".join(rows)
