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


#: the plan at face value: the reaction rule's own tests start from the plan path, without its slippage
FACE_VALUE = {"accounts__plan_slippage__unrealised_frac": 0.0}


def _det(**fields):
    return run(scenario_with(**{**FACE_VALUE, **fields}), RunOptions(paths=1, seed=1, deterministic=True)).annual


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


def test_above_the_band_a_windfall_is_spent_and_without_the_spending_side_banked():
    windfall = {"accounts__savings_programme__msek_by_year": {"2028": 1200.0}}
    spent = {k: v[0] for k, v in _det(**windfall).items()}  # base.toml: spent above 3 % + 1 pp
    banked = {k: v[0] for k, v in _det(**windfall, policy__reaction__symmetric__enabled=False).items()}
    assert banked["reaction_savings_frac"].min() >= 0.0
    # the first year årets resultat is above 4 % of taxes and grants with no deficit left: half the
    # excess is spent the next year, the savings in force released first, then new commitments
    result, tg = spent["result_msek"], spent["tax_and_grants_msek"]
    k = int(np.argmax((result > 0.04 * tg) & (spent["deficit_outstanding_msek"] <= 0)))
    excess = result[k] - 0.04 * tg[k]
    assert excess > 0 and spent["reaction_savings_frac"][k] > 0.0  # savings taken in the plan years
    savings_change = (spent["reaction_savings_frac"][k + 1] - spent["reaction_savings_frac"][k]) * spent["budgeted_costs_msek"][k]
    tax_change = (spent["reaction_tax_kr"][k + 1] - spent["reaction_tax_kr"][k]) * spent["tax_base_msek"][k] / 100
    assert savings_change + tax_change == pytest.approx(-0.5 * excess)
    assert spent["reaction_savings_frac"][k + 1] < 0.0 and spent["reaction_tax_kr"][k + 1] == 0.0
    assert spent["result_msek"][k + 2] < banked["result_msek"][k + 2]


def _spend(react_savings, react_tax, spend, floor=np.nan, scheduled=11.7, reverse=True, uses_tax=True):
    """spend_surplus on a hand-made record: budget 8 000, tax base 40 000 (1 kr = 400 MSEK)."""
    from simulator.kernels.reaction import spend_surplus
    from simulator.kernels.records import PARAMS, STATE
    p = np.zeros(1, PARAMS)[0]
    p["tax_rate_kr"][:] = scheduled
    p["reaction_tax_floor_kr"], p["reaction_tax_max_per_year_kr"], p["reaction_tax_step_kr"] = floor, 0.5, 0.05
    p["reaction_symmetric_reverse_tax"], p["reaction_uses_tax"], p["reaction_symmetric_max_total_frac"] = reverse, uses_tax, 0.15
    s = np.zeros(1, STATE)[0]
    s["react_savings_frac"], s["react_tax_kr"] = react_savings, react_tax
    spend_surplus(p, s, 5, spend, 8000.0, 40000.0)
    return s["react_savings_frac"], s["react_tax_kr"]


def test_spending_releases_savings_then_lowers_the_tax_rise_then_raises_costs():
    # 400 MSEK to spend, 2 % savings in force (160 MSEK) and a 0.60 kr rise: the savings go first (160),
    # then the tax rise by 240 / 400 = 0.60 kr, capped at 0.50 kr a year (200), then 40 of new costs
    savings, tax = _spend(0.02, 0.60, 400.0)
    assert tax == pytest.approx(0.10)
    assert savings == pytest.approx(-40.0 / 8000)
    # a cut is rounded down to whole 5-öre steps: 130 / 400 = 0.325 kr -> 0.30 kr, the rest to costs
    savings, tax = _spend(0.0, 0.60, 130.0)
    assert tax == pytest.approx(0.30) and savings == pytest.approx(-10.0 / 8000)
    # never reversed (reverse_tax = false) or no tax in the rule: straight to costs
    for kwargs in ({"reverse": False}, {"uses_tax": False}):
        savings, tax = _spend(0.0, 0.60, 130.0, **kwargs)
        assert tax == 0.60 and savings == pytest.approx(-130.0 / 8000)


def test_a_tax_cut_never_takes_the_rate_below_the_floor():
    # without a floor of its own the rule only takes back its rises: never below the scheduled rate
    for held in (0.0, 0.05, 0.35):
        _, tax = _spend(0.0, held, 10_000.0)
        assert tax >= 0.0 and tax == pytest.approx(max(held - 0.5, 0.0))
    # with floor_kr 11.50 under a scheduled 11.70 the rule may cut 0.20 kr below the scheduled rate
    _, tax = _spend(0.0, 0.0, 10_000.0, floor=11.5)
    assert 11.7 + tax == pytest.approx(11.5)
    _, tax = _spend(0.0, 0.1, 10_000.0, floor=11.5)
    assert 11.7 + tax == pytest.approx(11.5)  # 0.30 kr in one year, within the 0.50 cap
    # a floor above the scheduled rate holds a rise in force above it
    _, tax = _spend(0.0, 0.5, 10_000.0, floor=12.0)
    assert 11.7 + tax == pytest.approx(12.0)


def test_on_paths_tax_rises_are_reversed_and_never_cut_below_the_floor():
    """Base, 1 500 paths: some reaction tax rises are taken back, by at most 50 öre a year, in 5-öre steps,
    and the rate never falls below the scheduled rate; with floor_kr 11.50 never below that."""
    for fields, lowest in (({}, 11.7), ({"policy__reaction__tax__floor_kr": 11.5}, 11.5)):
        a = run(scenario_with(**fields), RunOptions(paths=1500, seed=21)).annual
        tax, rate = a["reaction_tax_kr"], a["tax_rate_kr"]
        step = np.diff(tax, axis=1)
        cut = step < -1e-9
        assert cut.any(axis=1).mean() > 0.05  # reversed on some paths
        assert np.all(step >= -0.5 - 1e-9) and np.all(step <= 0.5 + 1e-9)
        np.testing.assert_allclose(tax / 0.05, np.round(tax / 0.05), atol=1e-6)
        assert rate.min() >= lowest - 1e-9
        np.testing.assert_allclose(rate, 11.7 + tax, atol=1e-12)


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
    # oförändrad politik keeps the plan slippage: the plan's unnamed savings come true only as far as it says
    assert unchanged["accounts"]["plan_slippage"]["unrealised_frac"] == base["accounts"]["plan_slippage"]["unrealised_frac"] > 0.5
    for data in (base, unchanged):
        data.pop("name"), data.pop("description"), data.pop("report"), data["policy"].pop("name")  # the texts
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
    # the plan slips alike in both: the same costs left unsaved in 2026 and 2027, on every path
    np.testing.assert_array_equal(without["plan_slippage_msek"][:, 1], with_rule["plan_slippage_msek"][:, 1])
    assert np.all(without["plan_slippage_msek"][:, 1:3] > 0)


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
    # the deviation's mean over a plausible ±1.5 pp, its spread from normal years (3 %) to the record alone;
    # the plan slippage, which the record identifies, one standard error either side
    sc = load_scenario(BASE_TOML)
    mean = summary["assumptions"]["accounts.budget_deviation.mean_frac"]
    fitted = sc.accounts.budget_deviation.mean_frac
    assert mean["low"]["value"] == pytest.approx(fitted - 0.015) and mean["high"]["value"] == pytest.approx(fitted + 0.015)
    spread = summary["assumptions"]["accounts.budget_deviation.volatility_frac"]
    alone = sc.calibration.without_prior["accounts.budget_deviation.volatility_frac"]
    assert spread["low"]["value"] == 0.03 and spread["high"]["value"] == pytest.approx(alone)
    slip = summary["assumptions"]["accounts.plan_slippage.unrealised_frac"]
    f, se = sc.accounts.plan_slippage.unrealised_frac, sc.calibration.standard_errors["accounts.plan_slippage.unrealised_frac"]
    assert slip["low"]["value"] == pytest.approx(f - se) and slip["high"]["value"] == pytest.approx(f + se)


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
