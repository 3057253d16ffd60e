"""The backtest's machinery (docs/backtest.md): the 2023 opening is a valid scenario whose balance sheet
balances as the annual report's does, the replay pins what it says it pins, the rank function ranks, and
the cost-growth comparison computes the model's own rule (the wage equation against the economy kernel).
No number of the backtest run itself is asserted: the run is reported, not tested into shape.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from simulator.model.accounts import balance_sheet_gap
from simulator.model.drivers import economy_inputs, simulate_drivers
from simulator.model.known import known_pins
from simulator.model.simulate import model_inputs, simulate_chunk
from simulator.model.stress import stress_array
from simulator.kernels.known import AP_EQ_SE, AP_INFLATION
from simulator.kernels.records import OUTPUT
from simulator.scenario.loader import load_scenario, parse_scenario, resolve_scenario_data, with_values
from simulator.variables import ANNUAL
from simulator.whatif.backtest import (
    DERIVED,
    Reported,
    model_cost_growth,
    metric_values,
    model_wage_growth,
    rank_markdown,
    rank_of,
    rank_table,
    read_reported,
)
from tests.conftest import BASE_TOML, ROOT

HISTORY = ROOT / "scenarios" / "history"
BACKTEST = HISTORY / "backtest_2024.toml"


@pytest.fixture(scope="module")
def backtest():
    return load_scenario(BACKTEST)


def test_the_replay_opens_at_31_dec_2023_with_its_own_dated_tables(backtest):
    assert backtest.opening.year == 2023 and backtest.simulation.start_year == 2024
    assert backtest.accounts.plan.years == [2024]
    assert backtest.pension.obligation.projection_years[0] == 2023
    assert sorted(backtest.economy.prisbasbelopp.known_sek) == ["2023", "2024"]  # nothing decided after 2023
    assert [d.from_year for d in backtest.accounts.balance_requirement.opening_deficits] == [2023]
    assert all(min(g.resolved_years) >= 2024 for g in backtest.goals.values() if g.resolved_years)
    assert load_scenario(BASE_TOML).opening.year == 2024  # base.toml is left as it was


def test_the_2023_opening_balances_as_the_annual_report_does(backtest):
    """Total assets = equity + provision + debts at the opening, within the rounding of the AR's own
    figures (one decimal per line: a few tenths over a dozen lines)."""
    op = backtest.accounts.opening
    portfolio = backtest.pension.portfolio.opening_value_msek
    assets = (op.fixed_assets_msek + op.financial_fixed_assets_msek + op.other_current_assets_msek
              + op.other_short_term_investments_msek + portfolio + op.cash_msek)
    provision = backtest.pension.obligation.provision_msek[0]
    claims = op.equity_msek + provision + op.short_term_debt_msek + op.loans_msek + op.leasing_debt_msek
    assert assets == pytest.approx(claims, abs=0.3)
    assert op.tax_base_msek * backtest.accounts.tax_rate_kr / 100 > 0


def test_the_model_keeps_the_balance_sheet_identity_from_the_2023_opening(backtest):
    out, _, _ = simulate_chunk(model_inputs(backtest), 7, 0, 16, True, False)
    records = out[0]
    gap = balance_sheet_gap({name: records[name] for name in OUTPUT.names}, backtest)
    assert np.abs(gap).max() < 1e-6


def test_the_replay_pins_2024_inflation_and_swedish_equities_on_every_path(backtest):
    pins = known_pins(backtest)
    assert pins.annual_pins[0, AP_INFLATION] == pytest.approx(math.log1p(0.008))
    assert pins.annual_pins[0, AP_EQ_SE] == pytest.approx(math.log1p(0.0674))
    assert np.isnan(pins.annual_pins[1]).all()  # 2025 is drawn
    _, annual = simulate_drivers(economy_inputs(backtest, stress=stress_array(backtest), known=pins), 3, 0, 200)
    assert np.ptp(annual["inflation"][:, 0]) < 1e-12 and annual["inflation"][0, 0] == pytest.approx(0.008)
    assert np.std(annual["inflation"][:, 1]) > 0.001


# --- ranks -------------------------------------------------------------------------------------------------

def test_rank_counts_the_paths_below_and_ties_half():
    x = np.arange(100.0)
    assert rank_of(x, 49.5)[0] == 0.5
    assert rank_of(x, 10.0) == (0.105, 10, 1)  # ten below, one tie
    assert rank_of(x, -1.0)[0] == 0.0 and rank_of(x, 1e6)[0] == 1.0
    assert rank_of(np.full(5, 3.0), 3.0)[0] == 0.5  # a point mass at the value: the middle
    with pytest.raises(ValueError):
        rank_of(np.array([1.0, np.nan]), 0.0)


def _store(folder: Path) -> Path:
    """A run directory holding a hand-made results.zarr: 200 paths, two years, the dimension as runs
    write it (``realization``)."""
    n = 200
    ramp = np.linspace(-100.0, 99.0, n)
    year = np.array([2024, 2025])
    both = np.stack([ramp, ramp + 1000.0], axis=1)
    data = {
        "result_msek": both,
        "operating_costs_msek": 1000.0 + np.stack([ramp, ramp], axis=1),
        "depreciation_msek": np.full((n, 2), 50.0),
        "fees_and_sales_msek": np.full((n, 2), 100.0),
        "targeted_grants_msek": np.full((n, 2), 20.0),
    }
    ds = xr.Dataset({k: (("realization", "year"), v) for k, v in data.items()},
                    coords={"realization": np.arange(n), "year": year})
    run = folder / "run"
    run.mkdir()
    ds.to_zarr(run / "results.zarr", zarr_format=2, consolidated=True)
    return run


def test_the_rank_table_reads_a_run_and_a_reported_file(tmp_path):
    run = _store(tmp_path)
    reported = tmp_path / "reported.toml"
    reported.write_text('year = 2024\n'
                        '[[reported]]\nmetric = "result_msek"\nvalue = -0.5\nlabel = "r"\nmain = true\n'
                        '[[reported]]\nmetric = "result_msek"\nvalue = 1049.5\nyear = 2025\n'
                        '[[reported]]\nmetric = "net_operating_costs_msek"\nvalue = 930.0\n'
                        '[[reported]]\nmetric = "depreciation_msek"\nvalue = 60.0\n', encoding="utf-8")
    items = read_reported(reported)
    assert [i.year for i in items] == [2024, 2025, 2024, 2024] and items[0].main and not items[1].main
    rows = rank_table(run, items)
    assert rows[0].rank == 0.5 and rows[0].n == 200  # -0.5 sits between the 100th and 101st of 200
    assert rows[1].rank == pytest.approx(0.75)  # 1049.5 in 2025: 150 of the 200 below
    # net costs = costs + depreciation - fees - targeted = 930 + ramp: 930 ties path 100 (ramp 0)
    assert rows[2].below == 100 and rows[2].equal == 1
    assert rows[3].rank == 1.0 and rows[3].p5 == rows[3].p95 == 50.0  # no spread, the report above it
    table = rank_markdown(rows)
    assert "no spread" in table and table.count("\n") == len(rows) + 1


def test_a_metric_neither_stored_nor_derived_is_refused_in_one_line(tmp_path):
    run = _store(tmp_path)
    with pytest.raises(Exception, match="neither a variable of the run nor a derived metric"):
        rank_table(run, [Reported("no_such_metric", 2024, 0.0)])


def test_a_lean_store_missing_a_metric_says_to_keep_every_variable(tmp_path):
    """A run written with the default lean store lacks most of the report's metrics: the refusal says
    which option keeps them (and a store with every variable is not told so)."""
    ds = xr.open_zarr(_store(tmp_path) / "results.zarr")
    with pytest.raises(Exception, match="run it with --store all"):
        metric_values(ds.assign_attrs(store="lean"), "pension_withdrawals_msek", 2024)
    with pytest.raises(Exception) as refused:
        metric_values(ds.assign_attrs(store="all"), "pension_withdrawals_msek", 2024)
    assert "--store all" not in str(refused.value)


def test_every_reported_2024_outcome_is_a_run_variable_or_derived():
    items = read_reported(HISTORY / "reported_2024.toml")
    assert {i.year for i in items} == {2024}
    assert all(i.metric in ANNUAL or i.metric in DERIVED for i in items)
    assert sum(i.main for i in items) == 7


# --- cost growth -------------------------------------------------------------------------------------------

def test_the_wage_equation_is_the_kernels_on_a_stressed_inflation_path():
    data, _ = resolve_scenario_data(BASE_TOML)
    data = with_values(data, {"stress": {"set": [
        {"driver": "inflation", "start": "2025", "end": "2025", "value": 0.06},
        {"driver": "inflation", "start": "2026", "end": "2026", "value": 0.01}]}})
    scenario = parse_scenario(data)
    _, annual = simulate_drivers(economy_inputs(scenario, deterministic=True, stress=stress_array(scenario)),
                                 1, 0, 1, stochastic=False)
    ours = model_wage_growth(scenario, {2025: 0.06, 2026: 0.01}, inflation_start=scenario.economy.inflation.initial_pa,
                             lagged_start=scenario.economy.inflation.lagged_initial_pa)
    np.testing.assert_allclose([ours[2025], ours[2026]], annual["wage_growth"][0, :2], rtol=1e-12)


def test_cost_growth_is_the_weighted_price_and_volume_growth_of_the_types():
    scenario = load_scenario(BASE_TOML)
    g = 0.03
    result = model_cost_growth(scenario, 2030, g, 50000.0 * (1 + g), 50000.0, g)
    costs = scenario.accounts.costs
    types = [costs.personnel, costs.pensions, costs.purchased_care, costs.drugs, costs.other]
    total = sum(t.opening_amount_msek for t in types)
    expected = sum(t.opening_amount_msek / total * (1 + g + t.real_trend_pa) * (1 + t.volume_growth_pa)
                   for t in types) - 1.0
    assert result.total == pytest.approx(expected, rel=1e-12)
    assert result.by_type == pytest.approx(tuple(g + t.real_trend_pa for t in types), rel=1e-12)
