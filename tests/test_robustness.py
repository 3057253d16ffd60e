"""The robustness table (summary.json ``robustness``): every contested choice at its sceptic's reading and
all of them at once, paired against the run's own outcomes on the same paths; and the protection-breach
risk under both ways of acting on the dynamiska riskprincipen."""

import json

import numpy as np
import pytest

from simulator.cli import main
from simulator.io.results import open_results
from simulator.model.goals import answer_goals
from simulator.run.options import RunOptions
from simulator.scenario.loader import load_scenario
from simulator.whatif.paired import paired_difference
from simulator.whatif.robustness import CHOICES, SCEPTIC, robustness_table, variants
from tests.conftest import BASE_TOML, scenario_with

N = 600


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("robust") / "base"
    main(["run", str(BASE_TOML), "--paths", str(N), "--seed", "4", "--out", str(out), "--no-assumptions"])
    return out


def test_the_table_has_every_choice_and_the_sceptics_combination_for_the_headline_goals(written):
    summary = json.loads((written / "summary.json").read_text())
    table = summary["robustness"]
    assert summary["robustness_paths"] == N
    assert list(table) == [c.name for c in CHOICES] + [SCEPTIC]
    headline = answer_goals(summary["goals"])
    assert set(headline) == {"balance_2030", "consolidation_2040", "consolidation_booked_2040"}
    combined = {}
    for name, entry in table.items():
        assert entry["description"] and set(entry["goals"]) == set(headline), name
        for goal, row in entry["goals"].items():
            assert row["probability"] == pytest.approx(summary["goals"][goal]["probability"] + row["diff"]), (name, goal)
            assert row["stderr"] >= 0.0
        if name != SCEPTIC:
            combined.update(entry["set"])
    # the sceptic's combination is every choice at its alternative at once
    assert table[SCEPTIC]["set"] == combined and len(combined) >= len(CHOICES)


def test_each_difference_is_paired_against_the_runs_own_outcomes(written):
    """The table's reference is the run itself: its outcomes per path equal the stored goal_<name>, and
    each difference and standard error is the paired one of simulator.whatif.paired."""
    sc = load_scenario(BASE_TOML)
    runs, _ = variants(sc)
    from simulator.whatif.variants import run_variants
    results = run_variants([sc, *(v.scenario for v in runs)], RunOptions(paths=N, seed=4))
    summary = json.loads((written / "summary.json").read_text())
    with open_results(written) as ds:
        for goal in ("balance_2030", "consolidation_2040"):
            np.testing.assert_array_equal(results.goals[goal][0], ds[f"goal_{goal}"].values.astype(bool))
            for i, v in enumerate(runs, start=1):
                d = paired_difference(results.goals[goal][0], results.goals[goal][i])
                row = summary["robustness"][v.name]["goals"][goal]
                assert row["diff"] == pytest.approx(d["diff"]) and row["stderr"] == pytest.approx(d["diff_stderr"])


def test_the_alternatives_move_the_answers_the_way_the_choice_says(written):
    """Monotone where the rule says so: deposits that stop lower or are smaller never raise the
    konsolideringsgrad on any path; a plan that slips more never raises P(balance)."""
    table = json.loads((written / "summary.json").read_text())["robustness"]
    for name in ("deposit_cap_booked", "deposit_share"):
        assert table[name]["goals"]["consolidation_2040"]["diff"] <= 0.0, name
    assert table["plan_slippage"]["goals"]["balance_2030"]["diff"] <= 0.0
    assert table[SCEPTIC]["goals"]["consolidation_2040"]["diff"] < 0.0


def test_the_protection_breach_risk_is_labelled_and_given_under_both_ways_of_acting(written):
    breach = json.loads((written / "summary.json").read_text())["risks"]["protection_breach"]
    assert "omedelbart" in breach["rule"] and "10 procentenheter" in breach["rule"]
    both = breach["by_rule"]
    assert set(both) == {"tertial_only", "with_immediate_trigger"}
    assert "omedelbart" not in both["tertial_only"]["description"]
    # acting at once when the limit is hit catches the falls a tertial lets through
    assert both["with_immediate_trigger"]["probability_any_year"] < both["tertial_only"]["probability_any_year"]
    assert both["with_immediate_trigger"]["paths"] == N
    with open_results(written) as ds:  # the run's own rule, on the same paths, is the run's count
        assert both["with_immediate_trigger"]["probability_any_year"] == pytest.approx(
            (ds["protection_breach"].values > 0).any(axis=1).mean())


def test_a_choice_the_scenario_already_reads_the_other_way_is_said_not_run():
    sc = scenario_with(pension__deposits__cap_measure="booked", policy__reaction__order=["savings"])
    robust = robustness_table(sc, RunOptions(paths=50, seed=1))
    assert "already stop at the booked provision" in robust.table["deposit_cap_booked"]["skipped"]
    assert "raises no taxes" in robust.table["no_tax_rises"]["skipped"]
    assert "pension.deposits.cap_measure" not in robust.table[SCEPTIC]["set"]
    # and a scenario without the immediate trigger gets it as the alternative
    tertial = robustness_table(scenario_with(pension__risk_rule__immediate_trigger_frac=None), RunOptions(paths=50, seed=1))
    assert tertial.table["drp_acting"]["value"] == 0.1


def test_no_robustness_leaves_it_out(tmp_path):
    out = tmp_path / "r"
    main(["run", str(BASE_TOML), "--paths", "40", "--seed", "4", "--out", str(out), "--no-assumptions",
          "--no-robustness"])
    summary = json.loads((out / "summary.json").read_text())
    assert "robustness" not in summary and "by_rule" not in summary["risks"]["protection_breach"]
    assert summary["risks"]["protection_breach"]["rule"]
