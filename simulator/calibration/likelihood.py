"""Calibration, stage 1a: the maximum-likelihood machinery the estimators share, on arrays, no I/O.

The ``Fit`` record (estimates, standard errors, residuals by year), the deterministic Nelder-Mead
search and the standard errors from the observed information: the inverse of a central finite-difference
Hessian of the negative log-likelihood in the model's own parameters.
Imports numpy and scipy only; nothing from ``simulator``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


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


def minimise(nll, starts: list[np.ndarray], n: int = 1) -> np.ndarray:
    """Best Nelder-Mead minimum over several starts (deterministic).

    The search minimises the negative log-likelihood per observation, nll / n: Nelder-Mead's moves
    depend only on the order of the values, so the path is the same, but its stopping test ``fatol`` is
    absolute, and the total of a long series (~1e6 for 10^6 points) cannot change by less than 1e-10
    in floating point: without the scaling a long series ran to maxiter from every start.
    """
    # scipy.optimize takes a few tenths of a second to import: a refused data or judgment file, which
    # never reaches a fit, does not wait for it
    from scipy.optimize import minimize

    best = None
    scaled = (lambda q: nll(q) / n) if n > 1 else nll
    for start in starts:
        res = minimize(scaled, start, method="Nelder-Mead",
                       options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 20_000, "maxfev": 20_000})
        if best is None or res.fun < best.fun:
            best = res
    return best.x
