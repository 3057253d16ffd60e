"""Speed of the economic scenario generator and of a whole run (warm: compiled before timing)."""

import pytest

from benchmarks.conftest import floor_seconds
from simulator.drivers import annual_from_monthly, economy_inputs, simulate_monthly
from simulator.engine import RunOptions, run
from simulator.results import build_summary
from simulator.scenario import load_scenario
from tests.conftest import BASE_TOML

PATHS = 10_000


@pytest.fixture(scope="module")
def scenario():
    sc = load_scenario(BASE_TOML)
    simulate_monthly(economy_inputs(sc), 1, 0, 4)  # compile outside the timing
    return sc


def test_economy_kernel(benchmark, report_ratio, scenario):
    inputs = economy_inputs(scenario)
    benchmark.pedantic(simulate_monthly, args=(inputs, 42, 0, PATHS), rounds=5, iterations=1)
    report_ratio(floor_seconds(PATHS))


def test_annual_aggregation(benchmark, report_ratio, scenario):
    inputs = economy_inputs(scenario)
    monthly = simulate_monthly(inputs, 42, 0, PATHS)
    benchmark.pedantic(annual_from_monthly, args=(inputs, monthly), rounds=5, iterations=1)
    report_ratio(floor_seconds(PATHS))


def test_run_with_summary(benchmark, report_ratio, scenario):
    def whole():
        options = RunOptions(paths=PATHS, seed=42)
        return build_summary(scenario, options, run(scenario, options))

    benchmark.pedantic(whole, rounds=3, iterations=1)
    report_ratio(floor_seconds(PATHS))


def test_accounts_and_pension(benchmark, report_ratio, scenario):
    from simulator.accounts import N_ACCOUNT_SHOCKS, simulate_accounts
    from simulator.engine import model_inputs

    import numpy as np

    inputs = model_inputs(scenario)
    monthly = simulate_monthly(inputs.economy, 42, 0, PATHS)
    annual = annual_from_monthly(inputs.economy, monthly)
    shocks = np.random.default_rng(0).standard_normal((PATHS, annual["inflation"].shape[1], N_ACCOUNT_SHOCKS))
    benchmark.pedantic(simulate_accounts, args=(inputs.accounts, annual, monthly, shocks, inputs.baseline),
                       rounds=3, iterations=1)
    report_ratio(floor_seconds(PATHS))
