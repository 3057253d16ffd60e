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

from simulator.kernels.model import simulate_paths
from simulator.kernels.months import N_MONTHLY
from simulator.kernels.records import ECONOMY_STATE, OUTPUT, STATE
from simulator.model.accounts import Perturbation
from simulator.model.drivers import EconomyInputs, economy_inputs, per_path
from simulator.model.known import known_pins
from simulator.model.opening import accounts_openings, reference_tax_index
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
    openings: np.ndarray  # (variants,) STATE records: each variant's paths start there
    baseline: np.ndarray  # (variants, years) OUTPUT records of each variant's zero-shock run
    has_baseline: bool  # False for a deterministic run that is the zero-shock run itself
    baseline_tax_opening: np.ndarray  # (variants,) the zero-shock path's tax-base index at the opening
    uncertainty: Uncertainty | None = None  # --parameter-uncertainty: what each path draws


class EndStates(NamedTuple):
    """Each path's state after the last simulated year (simulator year-end)."""

    accounts: np.ndarray  # (variants, paths) STATE
    economy: np.ndarray  # (paths,) ECONOMY_STATE


def simulate_records(economy: EconomyInputs, econ: np.ndarray, params: np.ndarray, openings: np.ndarray,
                     baseline: np.ndarray, has_baseline: bool, baseline_tax_opening: np.ndarray, seed: int,
                     path_start: int, n_paths: int, stochastic: bool, keep_monthly: bool, keep_end: bool = False):
    """The kernel on one chunk: (OUTPUT records variants x paths x years, monthly equity share variants x
    paths x months, monthly drivers or None, the paths' end states or None)."""
    n_var = params.shape[0]
    n_years = economy.years.size
    out = np.zeros((n_var, n_paths, n_years), dtype=OUTPUT)
    share = np.zeros((n_var, n_paths, economy.n_months))
    monthly = np.zeros((n_paths if keep_monthly else 0, economy.n_months, N_MONTHLY))
    states = np.zeros(n_paths, dtype=STATE)
    end = EndStates(np.zeros((n_var, n_paths if keep_end else 0), dtype=STATE),
                    np.zeros(n_paths if keep_end else 0, dtype=ECONOMY_STATE))
    simulate_paths(econ, economy.opening, economy.tax_anchor, economy.stress, economy.pins, economy.annual_pins,
                   economy.pbb_known, np.uint64(seed),
                   np.int64(path_start), stochastic, params, openings, baseline, has_baseline,
                   np.asarray(baseline_tax_opening, dtype=float), states, out, share, monthly, end.accounts,
                   end.economy)
    return out, share, (monthly if keep_monthly else None), (end if keep_end else None)


def _zero_shock(scenario: Scenario, params: np.ndarray, keep_end: bool):
    zero = economy_inputs(scenario, deterministic=True, reference=True)
    dummy = np.zeros((params.shape[0], zero.years.size), dtype=OUTPUT)
    openings = accounts_openings(scenario, params, reference=True)
    return simulate_records(zero, per_path(zero.params, 1), params, openings, dummy, False,
                            np.ones(params.shape[0]), 0, 0, 1, False, False, keep_end)


def zero_shock_baseline(scenario: Scenario, params: np.ndarray) -> np.ndarray:
    """Each variant's zero-shock run (variants x years) from the reference path's opening state: what the
    plan years and the pension obligation are measured against."""
    return _zero_shock(scenario, params, False)[0][:, 0, :]


class PathStates(NamedTuple):
    """A path's whole state at a year-end, and the zero-shock reference path's there (1 record each)."""

    accounts: np.ndarray  # STATE
    economy: np.ndarray  # ECONOMY_STATE
    reference_accounts: np.ndarray  # STATE
    reference_economy: np.ndarray  # ECONOMY_STATE


def states_after(scenario: Scenario, seed: int, path: int, deterministic: bool = False,
                 parameter_uncertainty: bool = False) -> PathStates:
    """Path ``path`` of a run of ``scenario`` (its last simulated year the year-end wanted), simulated again
    from the seed, and its state after the last year; the zero-shock path's beside it. The numbers are
    the run's: every draw is keyed by (seed, path, calendar month), never by what ran before."""
    inputs = model_inputs(scenario, deterministic=deterministic, parameter_uncertainty=parameter_uncertainty)
    if inputs.uncertainty is not None and not deterministic:
        econ = draw_parameters(inputs.economy.params, inputs.uncertainty, seed, path, 1)
    else:
        econ = per_path(inputs.economy.params, 1)
    end = simulate_records(inputs.economy, econ, inputs.params, inputs.openings, inputs.baseline,
                           inputs.has_baseline, inputs.baseline_tax_opening, seed, path, 1, not deterministic,
                           False, keep_end=True)[3]
    reference = _zero_shock(scenario, inputs.params, True)[3]
    return PathStates(end.accounts[0], end.economy, reference.accounts[0], reference.economy)


def model_inputs(scenario: Scenario, deterministic: bool = False, variants: list[Scenario] | None = None,
                 perturbations: list[Perturbation] | None = None,
                 parameter_uncertainty: bool = False) -> ModelInputs:
    """Kernel inputs for the scenario (or for each of ``variants``, which must share its economy, or
    for each känslighetsanalys perturbation), and their zero-shock baselines (at the point estimates:
    the plan is measured against them even when each path draws its own parameters)."""
    if perturbations is not None:
        params = np.concatenate([accounts_params(scenario, q) for q in perturbations])
        openings = accounts_openings(scenario, params)
    else:
        members = variants or [scenario]
        params = np.concatenate([accounts_params(v) for v in members])
        openings = np.concatenate([accounts_openings(v, params[i:i + 1]) for i, v in enumerate(members)])
    baseline = zero_shock_baseline(scenario, params)
    stress = stress_array(scenario)  # on the paths, never on the zero-shock baseline
    known = known_pins(scenario)  # likewise: the plan years show the surprise of what was observed
    economy = economy_inputs(scenario, deterministic=deterministic, stress=stress, known=known)
    spec = uncertainty_spec(scenario) if parameter_uncertainty else None
    # a deterministic run is its own baseline, unless a stress or an observed series moves it away from the
    # zero-shock path or the plan slips (the zero-shock path is the plan as adopted: the slippage is
    # measured against it)
    slips = bool(np.any(params["plan_slippage_unrealised_frac"] > 0.0))
    return ModelInputs(economy=economy, params=params, openings=openings, baseline=baseline,
                       has_baseline=not deterministic or stress is not None or known is not None or slips,
                       baseline_tax_opening=np.full(params.shape[0], reference_tax_index(scenario)),
                       uncertainty=spec)


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
    return simulate_records(inputs.economy, econ, inputs.params, inputs.openings, inputs.baseline,
                            inputs.has_baseline, inputs.baseline_tax_opening, seed, path_start, n_paths, stochastic,
                            keep_monthly)[:3]
