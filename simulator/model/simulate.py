"""One chunk of paths through the model kernel: the scenario's kernel inputs (:class:`ModelInputs`), the
zero-shock baseline the plan years are measured against, and :func:`simulate_chunk`, a pure function of
(inputs, seed, paths) that runs here or on a dask worker.

Policy variants share a chunk's economy: the model kernel draws each path's random numbers once and
runs every variant's accounts on them (common random numbers), so a lever never changes what a path
sees.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simulator.kernels.economy import N_MONTHLY
from simulator.kernels.model import simulate_paths
from simulator.kernels.records import OUTPUT, STATE
from simulator.model.accounts import Perturbation
from simulator.model.drivers import EconomyInputs, economy_inputs, per_path
from simulator.model.parameters import accounts_params
from simulator.model.stress import stress_array
from simulator.model.uncertainty import Uncertainty, draw_parameters, uncertainty_spec
from simulator.scenario.schema import Scenario


class SimulationOutput(NamedTuple):
    years: np.ndarray
    annual: dict[str, np.ndarray]  # name -> (paths, years)
    monthly: dict[str, np.ndarray]  # name -> (paths, months): the equity share, the drivers on request
    paths: np.ndarray | None = None  # the paths' indices when only some are kept (run --condition)


class ModelInputs(NamedTuple):
    """Everything a chunk needs besides the seed and its paths (picklable for dask)."""

    economy: EconomyInputs
    params: np.ndarray  # (variants,) accounts PARAMS records
    baseline: np.ndarray  # (variants, years) OUTPUT records of each variant's zero-shock run
    has_baseline: bool  # False for a deterministic run that is the zero-shock run itself
    uncertainty: Uncertainty | None = None  # --parameter-uncertainty: what each path draws


def simulate_records(economy: EconomyInputs, econ: np.ndarray, params: np.ndarray, baseline: np.ndarray,
            has_baseline: bool, seed: int, path_start: int, n_paths: int, stochastic: bool,
            keep_monthly: bool):
    n_var = params.shape[0]
    n_years = economy.years.size
    out = np.zeros((n_var, n_paths, n_years), dtype=OUTPUT)
    share = np.zeros((n_var, n_paths, economy.n_months))
    monthly = np.zeros((n_paths if keep_monthly else 0, economy.n_months, N_MONTHLY))
    states = np.zeros(n_paths, dtype=STATE)
    simulate_paths(econ, economy.tax_anchor, economy.stress, economy.pbb_known, np.uint64(seed),
                   np.int64(path_start), stochastic, params, baseline, has_baseline, states, out, share,
                   monthly)
    return out, share, (monthly if keep_monthly else None)


def zero_shock_baseline(scenario: Scenario, params: np.ndarray) -> np.ndarray:
    """Each variant's zero-shock run (variants x years): what plan-year lines are measured against."""
    zero = economy_inputs(scenario, deterministic=True)
    dummy = np.zeros((params.shape[0], zero.years.size), dtype=OUTPUT)
    out, _, _ = simulate_records(zero, per_path(zero.params, 1), params, dummy, False, 0, 0, 1, False, False)
    return out[:, 0, :]


def model_inputs(scenario: Scenario, deterministic: bool = False, variants: list[Scenario] | None = None,
                 perturbations: list[Perturbation] | None = None,
                 parameter_uncertainty: bool = False) -> ModelInputs:
    """Kernel inputs for the scenario (or for each of ``variants``, which must share its economy, or
    for each känslighetsanalys perturbation), and their zero-shock baselines (at the point estimates:
    the plan is measured against them even when each path draws its own parameters)."""
    if perturbations is not None:
        params = np.concatenate([accounts_params(scenario, q) for q in perturbations])
    else:
        params = np.concatenate([accounts_params(v) for v in (variants or [scenario])])
    baseline = zero_shock_baseline(scenario, params)
    stress = stress_array(scenario)  # on the paths, never on the zero-shock baseline
    economy = economy_inputs(scenario, deterministic=deterministic, stress=stress)
    spec = uncertainty_spec(scenario) if parameter_uncertainty else None
    # a deterministic run is its own baseline, unless a stress moves it away from the zero-shock path or
    # the plan slips (the zero-shock path is the plan as adopted: the slippage is measured against it)
    slips = bool(np.any(params["plan_slippage_unrealised_frac"] > 0.0))
    return ModelInputs(economy=economy, params=params, baseline=baseline,
                       has_baseline=not deterministic or stress is not None or slips, uncertainty=spec)


def simulate_chunk(inputs: ModelInputs, seed: int, path_start: int, n_paths: int, stochastic: bool,
                   keep_monthly: bool, numba_threads: int | None = None):
    """Simulate one chunk of paths for every variant; a pure function of its arguments (it runs on dask
    workers too). Returns (annual OUTPUT records variants x paths x years, monthly equity share
    variants x paths x months, the monthly drivers paths x months x N_MONTHLY or None)."""
    if numba_threads is not None:
        import numba

        numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))
    if inputs.uncertainty is not None and stochastic:
        econ = draw_parameters(inputs.economy.params, inputs.uncertainty, seed, path_start, n_paths)
    else:
        econ = per_path(inputs.economy.params, n_paths)
    return simulate_records(inputs.economy, econ, inputs.params, inputs.baseline, inputs.has_baseline, seed,
                   path_start, n_paths, stochastic, keep_monthly)
