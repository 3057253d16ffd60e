"""Speed of the economic scenario generator, the model kernel and a whole run (warm: compiled first)."""

import pytest

from simulator.drivers import economy_inputs, simulate_drivers
from simulator.engine import RunOptions, model_inputs, run, simulate_chunk
from simulator.results import build_summary
from simulator.scenario import load_scenario
from tests.conftest import BASE_TOML

PATHS = 10_000


@pytest.fixture(scope="module")
def scenario():
    sc = load_scenario(BASE_TOML)
    simulate_drivers(economy_inputs(sc), 1, 0, 4)  # compile outside the timing
    simulate_chunk(model_inputs(sc), 1, 0, 4, True, False)
    return sc


def test_economy_kernel(benchmark, report_ratio, scenario):
    inputs = economy_inputs(scenario)
    benchmark.pedantic(simulate_drivers, args=(inputs, 42, 0, PATHS), rounds=5, iterations=1)
    report_ratio(PATHS)


def test_model_kernel(benchmark, report_ratio, scenario):
    inputs = model_inputs(scenario)
    benchmark.pedantic(simulate_chunk, args=(inputs, 42, 0, PATHS, True, False), rounds=3, iterations=1)
    report_ratio(PATHS)


def test_run_with_summary(benchmark, report_ratio, scenario):
    def whole():
        options = RunOptions(paths=PATHS, seed=42)
        return build_summary(scenario, options, run(scenario, options))

    benchmark.pedantic(whole, rounds=3, iterations=1)
    report_ratio(PATHS)
