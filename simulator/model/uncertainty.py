"""--parameter-uncertainty: each path draws the calibrated parameters from their sampling distribution.

The scenario's [calibration.standard_errors] (written by `simulator calibrate`) gives the standard error
of each fitted value; every path takes its own draw, so the spread of the results includes the
estimation error of the drivers as well as the simulation error. The draws are keyed by (seed,
STREAM_PARAMS, path), so they do not depend on chunks, workers or threads, and a policy variant sees
the same parameters on the same path.

Distributions: a parameter that must stay positive (a mean-reversion speed, a volatility) is lognormal
with the estimate as its mean and the standard error as its sd; a signed one (a drift, a mean) is
normal. Judgment parameters carry no standard error and stay fixed (their effect is in summary.json
``assumptions``). Correlations are not drawn: their standard errors are large (0.22-0.26) and a drawn
matrix need not stay positive definite.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from simulator.kernels.rng import STREAM_PARAMS, annual_normals
from simulator.model.drivers import per_path
from simulator.model.parameters import exact_ou_coefficients
from simulator.scenario.base import ScenarioError
from simulator.scenario.schema import Scenario

#: scenario path -> (record field it sets, how it is drawn and converted)
#: kinds: "ou_kappa:<driver>" / "ou_sigma:<driver>" (the exact OU coefficients <driver>_decay_per_month and
#: <driver>_sd_per_month are recomputed from the path's kappa and sigma), "positive:<field>",
#: "signed:<field>", "log1p:<field>" (a growth rate stored as a log rate), "shift"/"scale" for the budget
#: deviation, "slippage" for the plan slippage's unrealised share. The fields are simulator.kernels.records.ECONOMY_PARAMS's (simulator.model.parameters).
SUPPORTED: dict[str, str] = {
    "economy.inflation.mean_reversion_per_year": "ou_kappa:inflation",
    "economy.inflation.volatility_pa": "ou_sigma:inflation",
    "economy.short_rate.mean_reversion_per_year": "ou_kappa:short_rate",
    "economy.short_rate.volatility_pa": "ou_sigma:short_rate",
    "economy.term_spread.mean_reversion_per_year": "ou_kappa:term_spread",
    "economy.term_spread.volatility_pa": "ou_sigma:term_spread",
    "economy.term_spread.long_run_pa": "signed:term_spread_long_run_pa",
    "economy.tax_base.mean_reversion_per_year": "ou_kappa:tax_base",
    "economy.tax_base.volatility_pa": "ou_sigma:tax_base",
    "economy.tax_base.real_long_run_growth_pa": "log1p:tax_base_real_long_run_log_pa",
    "economy.short_rate.real_long_run_pa": "signed:short_rate_real_long_run_pa",
    "economy.short_rate.inflation_pass_through": "positive:short_rate_inflation_pass_through",
    "economy.equity.calm.sweden_log_drift_pa": "signed:calm_sweden_log_drift_pa",
    "economy.equity.calm.sweden_volatility_pa": "positive:calm_sweden_volatility_pa",
    "economy.equity.calm.global_log_drift_pa": "signed:calm_global_log_drift_pa",
    "economy.equity.calm.global_volatility_pa": "positive:calm_global_volatility_pa",
    "accounts.budget_deviation.mean_frac": "shift",
    "accounts.budget_deviation.volatility_frac": "scale",
    "accounts.plan_slippage.unrealised_frac": "slippage",
}
_OU = ("inflation", "short_rate", "term_spread", "tax_base")


class Uncertainty(NamedTuple):
    """What a chunk needs to draw its paths' parameters (picklable for dask)."""

    paths: tuple[str, ...]  # the scenario fields drawn, in draw order
    values: np.ndarray  # their point estimates
    se: np.ndarray  # their standard errors
    kappa_sigma: dict[str, tuple[float, float]]  # the point kappa and sigma of each OU driver


def _value(scenario: Scenario, dotted: str) -> float:
    node = scenario
    for key in dotted.split("."):
        node = getattr(node, key)
    return float(node)


def uncertainty_spec(scenario: Scenario) -> Uncertainty:
    """The draws --parameter-uncertainty makes for this scenario; ScenarioError when it has no
    standard errors or names one that cannot be drawn per path."""
    se = scenario.calibration.standard_errors
    if not se:
        raise ScenarioError("--parameter-uncertainty: the scenario has no [calibration.standard_errors] "
                            "(write them with `simulator calibrate` and include the file)")
    unknown = sorted(set(se) - set(SUPPORTED))
    if unknown:
        raise ScenarioError(f"calibration.standard_errors: {unknown[0]} cannot be drawn per path "
                            f"(supported: {', '.join(SUPPORTED)})")
    paths = tuple(se)
    kappa_sigma = {}
    for driver in _OU:
        model = getattr(scenario.economy, driver)
        kappa_sigma[driver] = (model.mean_reversion_per_year, model.volatility_pa)
    return Uncertainty(paths=paths, values=np.array([_value(scenario, p) for p in paths]),
                       se=np.array([se[p] for p in paths]), kappa_sigma=kappa_sigma)


def _lognormal(value: np.ndarray | float, se: float, z: np.ndarray) -> np.ndarray:
    """Lognormal draws with mean ``value`` and sd ``se`` (value itself where it is zero)."""
    if value <= 0.0:
        return np.maximum(value + se * z, 0.0)
    s = math.sqrt(math.log1p((se / value) ** 2))
    return value * np.exp(s * z - 0.5 * s * s)


def draw_parameters(params: np.ndarray, spec: Uncertainty, seed: int, path_start: int, n_paths: int) -> np.ndarray:
    """One ECONOMY_PARAMS record per path, with the spec's parameters drawn for each path."""
    records = per_path(params, n_paths)
    z = np.empty((n_paths, 1, len(spec.paths)))
    annual_normals(np.uint64(seed), STREAM_PARAMS, np.int64(path_start), z)
    kappa = {p: np.full(n_paths, ks[0]) for p, ks in spec.kappa_sigma.items()}
    sigma = {p: np.full(n_paths, ks[1]) for p, ks in spec.kappa_sigma.items()}
    touched = set()
    for j, path in enumerate(spec.paths):
        kind, _, field = SUPPORTED[path].partition(":")
        value, se, draw = spec.values[j], spec.se[j], z[:, 0, j]
        if kind == "ou_kappa":
            kappa[field] = _lognormal(value, se, draw)
            touched.add(field)
        elif kind == "ou_sigma":
            sigma[field] = _lognormal(value, se, draw)
            touched.add(field)
        elif kind == "positive":
            records[field] = _lognormal(value, se, draw)
        elif kind == "signed":
            records[field] = value + se * draw
        elif kind == "log1p":
            records[field] = np.log1p(np.maximum(value + se * draw, -0.99))
        elif kind == "shift":
            records["budget_deviation_mean_shift_frac"] = se * draw
        elif kind == "scale":
            records["budget_deviation_sd_scale"] = _lognormal(value, se, draw) / value if value > 0 else 1.0
        elif kind == "slippage":  # the kernel clips the path's share to 0..1
            records["plan_slippage_shift_frac"] = se * draw
    for prefix in touched:
        records[f"{prefix}_decay_per_month"], records[f"{prefix}_sd_per_month"] = exact_ou_coefficients(
            kappa[prefix], sigma[prefix])
    return records
