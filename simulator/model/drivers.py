"""Economic drivers: from a validated scenario to kernel inputs; the economy alone, for tests and checks.

Conventions (docs/model.md has the equations):
- inflation, the tax base's growth and equity returns are simulated as continuously compounded (log)
  rates; scenario levels are annual effective rates and are converted with ln(1 + x), so a deterministic
  run reproduces e.g. SKR's 4.52 % tax-base growth exactly as an annual figure;
- interest rates are annual rates (fractions, nominal) and are not converted;
- all money and indices are nominal.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from simulator.kernels.economy import DRIVER_COLUMNS, N_DRIVERS, economy_paths
from simulator.kernels.known import N_ANNUAL_PINS, N_PINS
from simulator.kernels.months import MONTHLY_COLUMNS, N_MONTHLY
from simulator.model.known import KnownPins
from simulator.model.opening import economy_opening
from simulator.model.parameters import MONTHS_PER_YEAR, economy_params
from simulator.scenario.schema import Scenario


def tax_anchor_by_month(scenario: Scenario) -> np.ndarray:
    """SKR's expected tax-base growth as an annualised log rate per month; NaN after the path ends."""
    sim = scenario.simulation
    anchor = np.full(sim.n_months, np.nan)
    for year, growth in scenario.economy.tax_base.expected_growth_pa.items():
        k = int(year) - sim.start_year
        anchor[k * MONTHS_PER_YEAR : (k + 1) * MONTHS_PER_YEAR] = math.log1p(growth)
    return anchor


class EconomyInputs(NamedTuple):
    """Everything the economy needs besides the seed and the paths (picklable for dask)."""

    params: np.ndarray  # one ECONOMY_PARAMS record
    tax_anchor: np.ndarray  # (months,)
    stress: np.ndarray  # (months, N_MONTHLY) of NaN = the model's own value, or (0, N_MONTHLY)
    pbb_known: np.ndarray  # prisbasbelopp [SEK] for the opening year, the next, ...
    n_months: int
    years: np.ndarray
    opening: np.ndarray  # the ECONOMY_STATE every path starts from (1 record)
    pins: np.ndarray  # (months, N_PINS) known monthly values, NaN where none, or 0 rows (simulator.kernels.known)
    annual_pins: np.ndarray  # (years, N_ANNUAL_PINS) known annual totals, or 0 rows


def economy_inputs(scenario: Scenario, deterministic: bool = False, stress: np.ndarray | None = None,
                   reference: bool = False, known: KnownPins | None = None) -> EconomyInputs:
    """The economy's kernel inputs; ``reference``: opening at the zero-shock reference path's state;
    ``known``: the observed values the paths take (none for the zero-shock reference path)."""
    amounts = scenario.economy.prisbasbelopp.known_sek
    params = economy_params(scenario, deterministic)
    pbb_known = np.asarray([amounts[str(y)] for y in sorted(int(k) for k in amounts)], dtype=float)
    return EconomyInputs(
        params=params,
        tax_anchor=tax_anchor_by_month(scenario),
        stress=np.empty((0, N_MONTHLY)) if stress is None else stress,
        pbb_known=pbb_known,
        n_months=scenario.simulation.n_months,
        years=np.asarray(scenario.simulation.years, dtype=np.int64),
        opening=economy_opening(scenario, params, pbb_known, reference),
        pins=np.empty((0, N_PINS)) if known is None else known.pins,
        annual_pins=np.empty((0, N_ANNUAL_PINS)) if known is None else known.annual_pins,
    )


def per_path(params: np.ndarray, n_paths: int) -> np.ndarray:
    """One copy of the economy's parameter record per path (the kernels take them per path)."""
    return np.repeat(params[:1], n_paths)


def simulate_drivers(
    inputs: EconomyInputs, seed: int, path_start: int, n_paths: int, stochastic: bool = True,
    params: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The economy alone: monthly driver paths (paths x months) and calendar years (paths x years) for
    paths path_start .. path_start + n_paths - 1, by the very functions the model kernel calls.

    Calendar years: inflation is the KPI December-to-December change (the KPI index is exp of the
    cumulated monthly log inflation); short_rate, long_rate the year's averages; equity returns
    compound the months (``equity_return`` is the pension benchmark's mix, Swedish weight
    ``sweden_weight_frac``, rebalanced monthly); tax base and wages their growth and index (1 at the opening);
    prisbasbelopp_sek the known amounts, then the legal rule (KPI June Y-1 over June Y-2, rounded to
    100 SEK); inkomstbasbelopp_index follows the previous year's wage growth.
    """
    n_years = inputs.n_months // MONTHS_PER_YEAR
    monthly = np.empty((n_paths, inputs.n_months, N_MONTHLY))
    annual = np.empty((n_paths, n_years, N_DRIVERS))
    params = per_path(inputs.params, n_paths) if params is None else params
    economy_paths(params, inputs.opening, inputs.tax_anchor, inputs.stress, inputs.pins, inputs.annual_pins,
                  inputs.pbb_known, np.uint64(seed),
                  np.int64(path_start), stochastic, monthly, annual)
    return ({name: monthly[:, :, c] for c, name in enumerate(MONTHLY_COLUMNS)},
            {name: annual[:, :, c] for c, name in enumerate(DRIVER_COLUMNS)})


def simulate_monthly(inputs: EconomyInputs, seed: int, path_start: int, n_paths: int,
                     stochastic: bool = True) -> dict[str, np.ndarray]:
    """Monthly driver paths for paths path_start .. path_start + n_paths - 1 (arrays paths x months)."""
    return simulate_drivers(inputs, seed, path_start, n_paths, stochastic)[0]


def zero_shock_path(inputs: EconomyInputs) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The one path with every shock zero: its monthly values and its calendar years."""
    return simulate_drivers(inputs, 0, 0, 1, stochastic=False)
