"""Policy questions in one command: overlays and --set, dated levers, sweep, compare, solve, stress,
--condition and the failure attribution."""

import csv
import json

import numpy as np
import pytest
import tomli_w

from simulator.scenario import overrides
from simulator.cli import main
from simulator.run.options import RunOptions
from simulator.run.engine import run
from simulator.model.goals import evaluate_goals
from simulator.whatif.paired import paired_difference
from simulator.scenario.base import ScenarioError
from simulator.scenario.loader import load_scenario, resolve_scenario_data, with_values
from tests.conftest import BASE_TOML, ROOT

SCENARIOS = ROOT / "scenarios"
BOTH = {"accounts.tax_rise.kr": 0.5, "accounts.tax_rise.from_year": 2026,
        "accounts.savings_programme.pct_per_year": 1.0, "accounts.savings_programme.from_year": 2026,
        "accounts.savings_programme.to_year": 2028}


def _goals(scenario, paths=300, seed=3):
    out = run(scenario, RunOptions(paths=paths, seed=seed))
    return out, evaluate_goals(scenario.goals, out.annual, out.years)


# --- overlays and --set -------------------------------------------------------------------------------------
def test_an_overlay_equals_the_flat_file_it_stands_for():
    overlay, files = resolve_scenario_data(SCENARIOS / "tax_50_ore_and_savings_1pct.toml")
    assert [f.name for f in files] == ["tax_50_ore_and_savings_1pct.toml", "tax_plus_50_ore_2026.toml",
                                       "base.toml", "economy.toml", "2024.toml", "savings_1pct_2026_2028.toml",
                                       "base.toml", "economy.toml", "2024.toml"]
    flat = with_values(resolve_scenario_data(BASE_TOML)[0], BOTH)
    for data in (overlay, flat):
        data.pop("name"), data.pop("description"), data.pop("report")  # what the outputs call it
    assert overlay == flat
    a = run(load_scenario(SCENARIOS / "tax_50_ore_and_savings_1pct.toml"), RunOptions(paths=200, seed=5)).annual
    b = run(overrides.load(BASE_TOML, BOTH), RunOptions(paths=200, seed=5)).annual
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])


def test_set_is_read_as_toml_and_validated_like_the_file():
    assert overrides.parse_sets(["a.b=0.6", "c=true", "d=[1, 2]", "e=share_of_surplus", 'f="x y"']) == {
        "a.b": 0.6, "c": True, "d": [1, 2], "e": "share_of_surplus", "f": "x y"}
    sc = overrides.load(BASE_TOML, overrides.parse_sets(["pension.risk_rule.equity_cap_frac=0.8",
                                                         "accounts.savings_programme.pct_by_year.2026=1.0"]))
    assert sc.accounts.savings_programme.pct_by_year == {"2026": 1.0}
    with pytest.raises(ScenarioError, match="equity_cap_frac: Input should be a valid number"):
        overrides.load(BASE_TOML, overrides.parse_sets(["pension.risk_rule.equity_cap_frac=true"]))
    with pytest.raises(ScenarioError, match="unknown field"):
        overrides.load(BASE_TOML, overrides.parse_sets(["pension.risk_rule.equity_cap=0.6"]))
    with pytest.raises(ScenarioError, match="is not KEY=VALUE"):
        overrides.parse_sets(["pension.risk_rule.equity_cap_frac"])


def test_dated_levers_as_a_person_says_them():
    a = {k: v[0] for k, v in run(overrides.load(BASE_TOML, {**BOTH, "pension.deposits.from_year": 2033}),
                                 RunOptions(paths=1, seed=1, deterministic=True)).annual.items()}
    np.testing.assert_allclose(a["tax_rate_kr"][:1], 11.7)
    assert np.all(a["tax_rate_kr"][1:] >= 12.2 - 1e-9)  # +50 öre from 2026 (plus the reaction's)
    # 1 % of the budget cut in each of 2026, 2027 and 2028, kept afterwards
    np.testing.assert_allclose(a["savings_programme_msek"][1:4] / (a["budgeted_costs_msek"][1:4] / 0.99), 0.01)
    assert a["savings_programme_msek"][0] == 0 and a["savings_programme_msek"][4] == 0
    assert np.all(a["pension_deposits_msek"][:8] == 0)  # deposits only from 2033


def test_a_warning_when_an_override_moves_the_zero_shock_baseline(tmp_path, capsys):
    main(["validate", str(BASE_TOML), "--set", "economy.inflation.initial_pa=0.06"])
    err = capsys.readouterr().err
    assert err.startswith("warning: --set") and "kpi_index" in err and "[stress]" in err
    main(["validate", str(BASE_TOML), "--set", "policy.reaction.strength_frac=0.9"])
    assert capsys.readouterr().err == ""  # a policy lever does not move it


# --- sweep ----------------------------------------------------------------------------------------------
def _sweep_file(tmp_path, extra=""):
    path = tmp_path / "s.toml"
    path.write_text(f'scenario = "{BASE_TOML}"\n{extra}\n[levers]\n'
                    '"accounts.tax_rise.kr" = [0.0, 0.5]\n"accounts.tax_rise.from_year" = [2026]\n'
                    '"pension.risk_rule.equity_cap_frac" = [0.8, 0.77]\n')
    return path


def test_sweep_rows_equal_separate_runs_bit_for_bit(tmp_path, capsys):
    path = _sweep_file(tmp_path, '[[variants]]\nname = "cap60"\nscenario = "' + str(SCENARIOS / "equity_cap_60.toml") + '"\n')
    out = tmp_path / "out"
    main(["sweep", str(path), "--paths", "300", "--seed", "3", "--out", str(out), "--chunk-size", "128"])
    summary = json.loads((out / "summary.json").read_text())
    rows = {r["variant"]: r for r in summary["variants"]}
    assert len(rows) == 5 and summary["reference"] == "kr-0.0_equity_cap_frac-0.8"  # the levers that vary
    checks = {"kr-0.5_equity_cap_frac-0.77": overrides.load(BASE_TOML, {
                  "accounts.tax_rise.kr": 0.5, "accounts.tax_rise.from_year": 2026,
                  "pension.risk_rule.equity_cap_frac": 0.77}),
              "cap60": load_scenario(SCENARIOS / "equity_cap_60.toml")}
    _, reference = _goals(overrides.load(BASE_TOML, {"accounts.tax_rise.from_year": 2026}))
    for name, scenario in checks.items():
        _, met = _goals(scenario)
        for goal, hits in met.items():
            row = rows[name]["goals"][goal]
            assert row["paths_meeting"] == int(hits.sum()) and row["probability"] == hits.mean()
            assert row["diff"] == paired_difference(reference[goal], hits)["diff"]
    with open(out / "sweep.csv") as f:
        table = list(csv.DictReader(f))
    assert [t["variant"] for t in table] == list(rows)
    assert float(table[1]["balance_2030_diff_stderr"]) == pytest.approx(rows[table[1]["variant"]]["goals"]["balance_2030"]["diff_stderr"])
    import openpyxl
    import xarray as xr
    assert openpyxl.load_workbook(out / "sweep.xlsx")["sweep"].max_row == 6
    with xr.open_dataset(out / "sweep.nc", engine="h5netcdf") as ds:
        assert ds["goal_balance_2030"].shape == (5, 300) and ds["percentile"].sizes["variant"] == 5


def test_the_paired_standard_error_by_hand():
    x = np.array([1, 0, 1, 1, 0, 0], dtype=bool)
    y = np.array([1, 1, 1, 0, 1, 0], dtype=bool)
    d = paired_difference(x, y)
    # d = 0, 1, 0, -1, 1, 0: mean 1/6, sample variance (3 * (1 - 1/6)^2... ) by hand:
    diffs = [0, 1, 0, -1, 1, 0]
    mean = 1 / 6
    var = sum((v - mean) ** 2 for v in diffs) / 5
    assert d["diff"] == pytest.approx(mean) and d["diff_stderr"] == pytest.approx((var / 6) ** 0.5)
    assert (d["gained"], d["lost"]) == (2, 1)


# --- compare ----------------------------------------------------------------------------------------------
def test_compare_pairs_runs_on_the_same_paths_and_refuses_to_pair_others(tmp_path, capsys):
    def go(scenario, out, seed="4"):
        main(["run", str(scenario), "--paths", "300", "--seed", seed, "--out", str(tmp_path / out), "--no-assumptions"])
    go(BASE_TOML, "a")
    go(SCENARIOS / "tax_plus_50_ore_2026.toml", "b")
    go(BASE_TOML, "c", seed="5")
    capsys.readouterr()
    main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "c"), "--json"])
    result = json.loads(capsys.readouterr().out)
    b, c = result["runs"][1], result["runs"][2]
    assert b["paired"] and not c["paired"] and "independent" in c["compared_as"]
    _, ref = _goals(load_scenario(BASE_TOML), seed=4)
    _, tax = _goals(load_scenario(SCENARIOS / "tax_plus_50_ore_2026.toml"), seed=4)
    expected = paired_difference(ref["balance_2030"], tax["balance_2030"])
    assert b["goals"]["balance_2030"]["diff_stderr"] == pytest.approx(expected["diff_stderr"])
    assert b["goals"]["balance_2030"]["gained"] == expected["gained"]
    with pytest.raises(SystemExit) as exc:
        main(["compare", str(tmp_path / "a"), str(tmp_path / "c"), "--paired"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and "cannot be paired" in err and "independent" in err


# --- solve --------------------------------------------------------------------------------------------------
def test_solve_answer_is_checked_by_a_run_at_it_and_one_step_below(capsys):
    args = ["solve", str(BASE_TOML), "--goal", "balance_2030", "--at-least", "0.3", "--lever",
            "accounts.savings_programme.pct_by_year.2026", "--range", "0:6", "--paths", "400", "--seed", "2", "--json"]
    main(args)
    answer = json.loads(capsys.readouterr().out)
    value = answer["value"]
    assert answer["increasing"] and 0 < value < 6
    lo, hi = answer["interval"]
    assert lo <= value <= hi
    at = overrides.load(BASE_TOML, {"accounts.savings_programme.pct_by_year.2026": value})
    step = 6 / 8 ** 3  # the search's last grid step
    below = overrides.load(BASE_TOML, {"accounts.savings_programme.pct_by_year.2026": value - step})
    _, met_at = _goals(at, paths=400, seed=2)
    _, met_below = _goals(below, paths=400, seed=2)
    assert met_at["balance_2030"].mean() >= 0.3 > met_below["balance_2030"].mean()
    assert answer["probability"] == met_at["balance_2030"].mean()


# --- stress, --condition, attribution ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def stressed():
    options = RunOptions(paths=300, seed=8)
    return {name: run(load_scenario(SCENARIOS / f"{name}.toml"), options).annual
            for name in ("base", "stress_crash_2026", "stress_inflation_2026_2027", "stress_stagflation")}


def test_inflation_stress_reaches_costs_prisbasbelopp_rates_and_later_the_tax_base(stressed):
    base, hot = stressed["base"], stressed["stress_inflation_2026_2027"]
    np.testing.assert_allclose(hot["inflation"][:, 1:3], 0.06, rtol=1e-12)  # KPI Dec/Dec 6 % in 2026-27
    mean = lambda a, name, k: a[name][:, k].mean()
    assert mean(hot, "operating_costs_msek", 1) > mean(base, "operating_costs_msek", 1)
    assert mean(hot, "prisbasbelopp_sek", 2) > mean(base, "prisbasbelopp_sek", 2)  # June-to-June, a year late
    assert mean(hot, "pension_obligation_msek", 2) > mean(base, "pension_obligation_msek", 2)
    assert mean(hot, "short_rate", 2) > mean(base, "short_rate", 2)  # the policy rate follows inflation
    assert mean(hot, "tax_revenue_msek", 3) > mean(base, "tax_revenue_msek", 3)  # the tax base follows late
    assert mean(hot, "wage_growth", 3) > mean(base, "wage_growth", 3)


def test_a_crash_stress_hits_the_portfolio_and_stagflation_the_revenues(stressed):
    base, crash, stag = stressed["base"], stressed["stress_crash_2026"], stressed["stress_stagflation"]
    np.testing.assert_allclose(crash["equity_return"][:, 1], -0.39, rtol=1e-9)
    assert crash["portfolio_return_msek"][:, 1].mean() < base["portfolio_return_msek"][:, 1].mean() - 300
    assert crash["pension_assets_msek"][:, 1].mean() < base["pension_assets_msek"][:, 1].mean()
    np.testing.assert_allclose(stag["tax_base_growth"][:, 1:3], 0.02, rtol=1e-9)
    assert stag["tax_revenue_msek"][:, 2].mean() < base["tax_revenue_msek"][:, 2].mean()
    assert stag["operating_costs_msek"][:, 2].mean() > base["operating_costs_msek"][:, 2].mean()


def test_condition_keeps_the_paths_that_meet_it(tmp_path, capsys):
    out = tmp_path / "c"
    main(["run", str(BASE_TOML), "--paths", "400", "--seed", "4", "--out", str(out), "--no-assumptions",
          "--condition", "equity_return[2026] < -0.1 or inflation[2027] > 0.04"])
    summary = json.loads((out / "summary.json").read_text())
    full = run(load_scenario(BASE_TOML), RunOptions(paths=400, seed=4)).annual
    keep = (full["equity_return"][:, 1] < -0.1) | (full["inflation"][:, 2] > 0.04)
    assert summary["condition"]["paths_kept"] == keep.sum() and summary["paths"] == keep.sum()
    met = evaluate_goals(load_scenario(BASE_TOML).goals, {k: v[keep] for k, v in full.items()}, np.arange(2025, 2041))
    assert summary["goals"]["balance_2030"]["paths_meeting"] == met["balance_2030"].sum()
    assert f"{keep.sum()} of 400 paths kept" in capsys.readouterr().out


def test_failure_attribution_by_hand(stressed):
    from simulator.model.simulate import SimulationOutput
    from simulator.run.pipeline import summarise_output
    from simulator.run.summary import attribution_summary

    sc = load_scenario(BASE_TOML)
    base = stressed["base"]
    met = evaluate_goals(sc.goals, base, np.arange(2025, 2041))
    output = SimulationOutput(years=np.arange(2025, 2041), annual=base, monthly={})
    table = attribution_summary(summarise_output(sc, output, chunk_size=97))
    row = next(r for r in table["balance_2030"] if r["variable"] == "budget_deviation_msek")
    hits = met["balance_2030"]
    assert row["over"] == "2027-2030"
    assert row["met"] == pytest.approx(base["budget_deviation_msek"][hits, 2:6].mean(axis=1).mean())
    assert row["missed"] == pytest.approx(base["budget_deviation_msek"][~hits, 2:6].mean(axis=1).mean())
    assert row["missed"] < row["met"]  # the paths that miss had the worse deviations
