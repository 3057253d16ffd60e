"""The reaction rule (åtgärdsplan), oförändrad politik, and what summary.json says of the policy and its
assumptions: caps and lags on constructed paths, decisions by hand, monotonicity where theory says so."""

import json

import numpy as np
import pytest

from simulator.whatif.assumptions import assumption_table
from simulator.cli import main
from simulator.run.options import RunOptions
from simulator.run.engine import run
from simulator.io.results import open_results
from simulator.scenario.loader import load_scenario, resolve_scenario_data
from simulator.model.uncertainty import draw_parameters, uncertainty_spec
from simulator.model.drivers import economy_inputs
from tests.conftest import BASE_TOML, ROOT, scenario_with

UNCHANGED = ROOT / "scenarios" / "unchanged_policy.toml"


def _det(**fields):
    return run(scenario_with(**fields), RunOptions(paths=1, seed=1, deterministic=True)).annual


@pytest.fixture(scope="module")
def shocked():
    """The zero-shock path with a permanent 600 MSEK cost increase from 2028: the rule must react."""
    return _det(accounts__savings_programme__msek_by_year={"2028": -600.0})


def test_a_decision_takes_effect_the_next_year(shocked):
    a = {k: v[0] for k, v in shocked.items()}
    first = 3  # 2028: the cost increase makes the balanskravsresultat negative
    assert a["balance_requirement_result_before_reserve_msek"][first] < 0
    assert a["reaction_gap_msek"][first] > 0
    # what 2028's decision adds is in effect from 2029, not in 2028
    assert a["reaction_savings_frac"][first + 1] > a["reaction_savings_frac"][first]
    np.testing.assert_allclose(a["reaction_savings_msek"], a["reaction_savings_frac"] * a["budgeted_costs_msek"])
    assert a["reaction_tax_kr"][first] == 0 and a["reaction_tax_kr"][first + 1] > 0
    np.testing.assert_allclose(a["tax_rate_kr"], 11.7 + a["reaction_tax_kr"])


def test_the_2028_decision_by_hand(shocked):
    a = {k: v[0] for k, v in shocked.items()}
    k = 3
    # gap = strength 0.5 x (max(aim 3 % of taxes and grants, the pace that restores every deficit in
    # time) - this year's balanskravsresultat); no debt term (debt ratio below 15 %, loans below 700)
    assert a["debt_ratio"][k] < 0.15 and a["loans_msek"][k] <= 700
    aim = 0.03 * a["tax_and_grants_msek"][k]
    gap = 0.5 * (max(aim, a["deficit_pace_msek"][k]) - a["balance_requirement_result_before_reserve_msek"][k])
    assert a["reaction_gap_msek"][k] == pytest.approx(gap)
    # savings first, capped at 3 % of the budget a year; the rest as tax in 5-öre steps, at most 50 öre
    added = a["reaction_savings_frac"][k + 1] - a["reaction_savings_frac"][k]
    assert added == pytest.approx(0.03)
    rest = gap - 0.03 * a["budgeted_costs_msek"][k]
    wanted = np.ceil(rest / (a["tax_base_msek"][k] / 100) / 0.05 - 1e-9) * 0.05
    assert a["reaction_tax_kr"][k + 1] == pytest.approx(min(wanted, 0.5))


def test_caps_per_year_and_in_total_are_never_exceeded():
    # a cost shock no cap can close: 1 500 MSEK more from 2028
    a = {k: v[0] for k, v in _det(accounts__savings_programme__msek_by_year={"2028": -1500.0}).items()}
    savings, tax = a["reaction_savings_frac"], a["reaction_tax_kr"]
    assert np.all(np.diff(savings) <= 0.03 + 1e-12) and savings.max() == pytest.approx(0.15)
    assert np.all(np.diff(tax) <= 0.5 + 1e-12) and tax.max() == pytest.approx(2.0)
    steps = tax / 0.05
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-9)


def test_tax_first_when_the_order_says_so():
    a = _det(accounts__savings_programme__msek_by_year={"2028": -600.0},
             policy__reaction__order=["tax", "savings"])
    # 2028's decision takes the full 50 öre a year first, then savings for the rest
    assert a["reaction_tax_kr"][0, 4] - a["reaction_tax_kr"][0, 3] == pytest.approx(0.5)
    assert a["reaction_savings_frac"][0, 4] > a["reaction_savings_frac"][0, 3] == 0.0
    only_tax = _det(accounts__savings_programme__msek_by_year={"2028": -600.0}, policy__reaction__order=["tax"])
    np.testing.assert_array_equal(only_tax["reaction_savings_frac"], 0.0)


def test_deposits_are_paused_the_year_after_a_trigger(shocked):
    triggered, paused = shocked["reaction_triggered"][0], shocked["reaction_deposits_paused"][0]
    np.testing.assert_array_equal(paused[1:], triggered[:-1])
    assert np.all(shocked["pension_deposits_msek"][0][paused > 0] == 0)


def test_a_symmetric_rule_spends_a_windfall_and_an_asymmetric_one_banks_it():
    windfall = {"accounts__savings_programme__msek_by_year": {"2028": 1200.0}}
    spent = {k: v[0] for k, v in _det(**windfall).items()}  # base.toml: symmetric, above 3 % + 4 pp
    banked = {k: v[0] for k, v in _det(**windfall, policy__reaction__symmetric__enabled=False).items()}
    assert banked["reaction_savings_frac"].min() >= 0.0
    # the first year above 7 % of taxes and grants with no deficit left: half the excess is spent the
    # next year (earlier savings undone first, then negative savings: spending)
    bkr = spent["balance_requirement_result_before_reserve_msek"]
    k = int(np.argmax((bkr > 0.07 * spent["tax_and_grants_msek"]) & (spent["deficit_outstanding_msek"] <= 0)))
    excess = bkr[k] - 0.07 * spent["tax_and_grants_msek"][k]
    assert excess > 0
    change = (spent["reaction_savings_frac"][k + 1] - spent["reaction_savings_frac"][k]) * spent["budgeted_costs_msek"][k]
    assert change == pytest.approx(-0.5 * excess)
    assert spent["reaction_savings_frac"].min() < 0.0
    assert spent["result_msek"][k + 2] < banked["result_msek"][k + 2]


def test_synnerliga_skal_for_inflation_driven_pension_costs():
    # the prisbasbelopp 2027 jumps 8 %: the pension costs above a normal 2 % are exempt from restoration
    pbb = {"2024": 57300, "2025": 58800, "2026": 59200, "2027": 63936}
    costly = {"accounts__savings_programme__msek_by_year": {"2027": -800.0},
              "economy__prisbasbelopp__known_sek": pbb}
    a = {k: v[0] for k, v in _det(**costly).items()}
    k = 2
    excess = 63936 / 59200 - 1 - 0.02
    provision_2026 = a["pension_provision_msek"][k - 1]
    expected = excess * (provision_2026 + 0.5 * a["pension_costs_msek"][k])
    deficit = -a["balance_requirement_result_msek"][k]
    assert deficit > expected > 0
    assert a["reaction_synnerliga_skal_msek"][k] == pytest.approx(expected)
    off = _det(**costly, policy__reaction__synnerliga_skal__enabled=False)
    assert off["reaction_synnerliga_skal_msek"][0, k] == 0.0
    # the exemption is not restored: the deficit outstanding is lower by it
    assert off["deficit_outstanding_msek"][0, k] - a["deficit_outstanding_msek"][k] == pytest.approx(expected)


# --- oförändrad politik ---------------------------------------------------------------------------------
def test_unchanged_policy_is_base_without_the_reaction_rule():
    base, _ = resolve_scenario_data(BASE_TOML)
    unchanged, files = resolve_scenario_data(UNCHANGED)
    assert [f.name for f in files] == ["unchanged_policy.toml", "base.toml", "economy.toml", "2024.toml"]
    assert unchanged["policy"]["reaction"]["enabled"] is False
    for data in (base, unchanged):
        data.pop("name"), data.pop("description"), data["policy"].pop("name")
        data["policy"]["reaction"].pop("enabled")
    assert base == unchanged  # nothing else differs


def test_unchanged_policy_gives_the_same_accounts_until_a_measure_takes_effect():
    options = RunOptions(paths=400, seed=9)
    with_rule = run(load_scenario(BASE_TOML), options).annual
    without = run(load_scenario(UNCHANGED), options).annual
    for name in ("reaction_savings_msek", "reaction_tax_kr", "reaction_deposits_paused",
                 "reaction_synnerliga_skal_msek", "reaction_gap_msek"):
        np.testing.assert_array_equal(without[name], 0.0)
    # a path's accounts are the same bit for bit until the first year a decision is in effect
    acting = ((with_rule["reaction_savings_msek"] != 0) | (with_rule["reaction_tax_kr"] != 0)
              | (with_rule["reaction_deposits_paused"] != 0) | (with_rule["reaction_synnerliga_skal_msek"] != 0))
    first = np.where(acting.any(axis=1), acting.argmax(axis=1), acting.shape[1])
    assert 0 < first.min() and first.max() <= acting.shape[1]
    for name in ("result_msek", "equity_msek", "loans_msek", "pension_assets_msek", "tax_revenue_msek"):
        for i in range(400):
            np.testing.assert_array_equal(with_rule[name][i, :first[i]], without[name][i, :first[i]], err_msg=name)


# --- summary.json: the policy, what the intervals cover, the assumptions ---------------------------------
@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "base"
    main(["run", str(BASE_TOML), "--paths", "300", "--seed", "4", "--out", str(out), "--assumption-paths", "300"])
    return out


def test_summary_names_the_policy_and_what_the_intervals_cover(written):
    summary = json.loads((written / "summary.json").read_text())
    assert summary["policy"]["name"] == "åtgärdsplan"
    assert summary["policy"]["reaction"]["strength_frac"] == 0.5
    assert "Simulation error only" in summary["interval_covers"] and "300 paths" in summary["interval_covers"]
    assert len(summary["scenario_sha256"]) == 64
    assert summary["assumptions_paths"] == 300
    for name, entry in summary["assumptions"].items():
        for side in ("low", "high"):
            assert set(entry[side]["goals"]) == set(summary["goals"]), name
    mean = summary["assumptions"]["accounts.budget_deviation.mean_frac"]
    sc = load_scenario(BASE_TOML)
    fitted, se = sc.accounts.budget_deviation.mean_frac, sc.calibration.standard_errors["accounts.budget_deviation.mean_frac"]
    assert mean["low"]["value"] == pytest.approx(fitted - se) and mean["high"]["value"] == pytest.approx(fitted + se)


def test_each_goals_outcome_per_path_is_stored(written):

    summary = json.loads((written / "summary.json").read_text())
    with open_results(written) as ds:
        for name, goal in summary["goals"].items():
            hits = ds[f"goal_{name}"].values
            assert hits.dtype == np.int8 and hits.sum() == goal["paths_meeting"]
        assert ds.attrs["scenario_sha256"] == summary["scenario_sha256"]


def test_unchanged_policy_is_named_none_in_summary(tmp_path):
    out = tmp_path / "unchanged"
    main(["run", str(UNCHANGED), "--paths", "50", "--seed", "4", "--out", str(out), "--no-assumptions"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["policy"] == {"name": "oförändrad politik", "reaction": "none"}
    assert "assumptions" not in summary


def test_assumptions_move_the_answers_the_way_theory_says():
    sc = load_scenario(BASE_TOML)
    table, n = assumption_table(sc, RunOptions(paths=1500, seed=2))
    base = run(sc, RunOptions(paths=1500, seed=2)).annual
    from simulator.model.goals import evaluate_goals

    p = {g: float(v.mean()) for g, v in evaluate_goals(sc.goals, base, np.arange(2025, 2041)).items()}
    def probs(name, goal):
        return table[name]["low"]["goals"][goal], table[name]["high"]["goals"][goal]
    # a larger overrun (a lower deviation mean) never raises P(balance); a stronger reaction never lowers it
    low, high = probs("accounts.budget_deviation.mean_frac", "balance_2030")
    assert low <= p["balance_2030"] <= high
    low, high = probs("policy.reaction.strength_frac", "balance_2030")
    assert low <= p["balance_2030"] <= high
    # a higher equity premium raises the konsolideringsgrad; faster real wage growth costs the balance
    low, high = probs("economy.equity.calm.log_drift_pa", "consolidation_2040")
    assert low <= p["consolidation_2040"] <= high
    low, high = probs("economy.wage.real_growth_pa", "balance_2030")
    assert low >= p["balance_2030"] >= high


# --- --parameter-uncertainty ---------------------------------------------------------------------------
def test_parameter_draws_are_per_path_reproducible_and_centred():
    sc = load_scenario(BASE_TOML)
    spec = uncertainty_spec(sc)
    params = economy_inputs(sc).params
    whole = draw_parameters(params, spec, 7, 0, 20_000)
    split = np.concatenate([draw_parameters(params, spec, 7, 0, 8_000), draw_parameters(params, spec, 7, 8_000, 12_000)])
    np.testing.assert_array_equal(whole, split)  # chunking does not change a path's draw
    kappa = -np.log(whole["inflation_decay_per_month"]) * 12  # back out each path's mean-reversion speed
    se = sc.calibration.standard_errors["economy.inflation.mean_reversion_per_year"]
    assert kappa.std() == pytest.approx(se, rel=0.05)
    assert kappa.mean() == pytest.approx(sc.economy.inflation.mean_reversion_per_year, abs=4 * se / np.sqrt(20_000))
    assert kappa.min() > 0  # lognormal: a speed stays positive
    shift = whole["budget_deviation_mean_shift_frac"]
    assert shift.std() == pytest.approx(sc.calibration.standard_errors["accounts.budget_deviation.mean_frac"], rel=0.05)


def test_parameter_uncertainty_is_refused_where_it_cannot_work(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(BASE_TOML), "--deterministic", "--parameter-uncertainty", "--out", str(tmp_path / "x")])
    assert exc.value.code == 2 and "--parameter-uncertainty" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
