"""The data layer: today's run directories, the coming outputs, and bad input."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from simulator.io.results import open_results

from simulator.report.data import (
    DEPTH_BANDS, ReportInputError, depth_share, load_report, load_run, paired_differences, scenario_sha256,
    sweep_from_table, sweep_grids,
)
from tests.test_report_support import (  # noqa: F401
    PATHS, SAVINGS_LEVER, SEED, copy_run, read_summary, runs, sweep_table, write_summary,
)


def test_a_run(runs):
    run = load_run(runs["base"])
    summary = read_summary(runs["base"])
    assert run.kind == "run" and not run.deterministic and run.years == summary["years"]
    assert [g.name for g in run.goals] == list(summary["goals"])
    g = run.goal("balance_2030")
    assert g.probability == summary["goals"]["balance_2030"]["probability"]
    assert (g.ci_low, g.ci_high) == tuple(summary["goals"]["balance_2030"]["ci95"])
    assert g.definition.all_of == ("result_target_2027_2030", "deficit_restored")
    assert run.goal("result_target_2027_2030").definition.years == (2027, 2028, 2029, 2030)
    np.testing.assert_array_equal(run.fans["equity_msek"].p95, summary["percentiles"]["equity_msek"]["p95"])
    assert run.variable("equity_msek").label("sv") == "Eget kapital" and run.variable("equity_msek").kind == "msek"
    # the policy, what the intervals cover, the assumptions, the reaction's instruments, each goal per path
    assert run.policy.name == "åtgärdsplan" and not run.policy.unchanged
    assert run.policy.settings["policy.reaction.savings.max_per_year_pct"] == 3.0  # the scenario's own keys
    assert run.interval_covers == summary["interval_covers"]
    assert {a.parameter for a in run.assumptions} == set(summary["assumptions"])
    assert [i.variable for i in run.instruments] == ["reaction_savings_msek", "reaction_tax_kr",
                                                     "reaction_deposits_paused", "reaction_synnerliga_skal_msek"]
    assert set(run.goal_outcomes) == {g.name for g in run.goals}
    assert run.goal_outcomes["balance_2030"].mean() == pytest.approx(g.probability)
    np.testing.assert_allclose(run.zero_shock["result_excl_portfolio_change_msek"][:3], [-230.2, -15.0, 203.0],
                               atol=0.01)  # the plan, drawn into the fans
    assert run.sweep is None
    p = run.provenance
    assert (p.seed, p.paths, p.scenario) == (SEED, PATHS, "base") and not p.sha256_computed
    assert p.scenario_sha256 == summary["scenario_sha256"] and "simulator run" in p.command and p.date[:2] == "20"


def test_monthly_equity_share_fan_and_depth(runs):
    run = load_run(runs["base"])
    with open_results(runs["base"]) as ds:
        monthly = ds["monthly_equity_share"].values
    fan = run.equity_monthly.fan
    assert fan.x.size == 192
    np.testing.assert_allclose(fan.p50, np.percentile(monthly, 50, axis=0))
    np.testing.assert_allclose(fan.p5, np.percentile(monthly, 5, axis=0))
    depth = run.equity_monthly.depth
    assert depth.reference_share == pytest.approx(0.761)  # min(strategic 76.1 %, cap 80 %)
    assert depth.every == 4  # per tertial, the base scenario's rebalancing
    # a cut is the rule's decision at a rebalancing (April, August, December), in force until the next:
    # the share held after that month's trade; the drift between two rebalancings is no cut
    decided = np.full_like(monthly, np.nan)
    for t in range(monthly.shape[1]):
        last = max((m for m in range(t + 1) if m % 4 == 3), default=None)
        if last is not None:
            decided[:, t] = monthly[:, last]
    below = np.nan_to_num(0.761 - decided, nan=0.0) > 1e-6
    np.testing.assert_allclose(depth.shares.sum(axis=0), below.mean(axis=0))
    assert depth.shares[:, :3].sum() == 0  # January to March 2025: the rule has not decided yet
    drift = (0.761 - monthly) > 1e-6  # what the old chart counted: every month below the share
    assert (drift.mean(axis=0) != below.mean(axis=0)).any()


def test_depth_bands_by_hand():
    values = np.array([[0.76, 0.70], [0.60, 0.40], [0.20, 0.76]])  # 3 paths x 2 months
    d = depth_share(values, np.array([0, 1]), 0.76, every=1)  # the rule decides every month
    # depths: month 0: 0, 0.16, 0.56; month 1: 0.06, 0.36, 0
    assert [b for b in d.bands] == list(DEPTH_BANDS)
    np.testing.assert_allclose(d.shares[:, 0], [0, 1 / 3, 0, 1 / 3])
    np.testing.assert_allclose(d.shares[:, 1], [1 / 3, 0, 1 / 3, 0])
    assert depth_share(values, np.array([0, 1]), None) is None


def test_a_cut_is_the_rules_decision_not_the_drift_between_two():
    # one path, rebalanced every 2nd month (months 1 and 3): held 0.76, 0.50 (decided), 0.45 (drift),
    # 0.76 (decided: back to the strategic share)
    values = np.array([[0.74, 0.50, 0.45, 0.76]])
    d = depth_share(values, np.arange(4), 0.76, every=2)
    # month 0: no decision yet; months 1-2: the decision 0.50 (26 pp: the 25-50 band), whatever the drift;
    # month 3: no cut
    np.testing.assert_allclose(d.shares.sum(axis=0), [0, 1, 1, 0])
    np.testing.assert_allclose(d.shares[2], [0, 1, 1, 0])


def test_a_deterministic_run_is_met_or_not(runs):
    run = load_run(runs["det"])
    summary = read_summary(runs["det"])
    assert run.deterministic
    for g in run.goals:
        assert g.met == (summary["goals"][g.name]["probability"] == 1.0)


def test_both_konsolideringsgrad_measures_and_the_reaction_instruments(runs):
    run = load_run(runs["base"])
    booked = run.goal("consolidation_booked_2040")
    assert booked.definition.metric == "consolidation_ratio_booked"
    answers = [(a.measure, a.when) for a in load_report([runs["base"]]).consolidation_answers()]
    assert answers == [("total", "end"), ("booked", "end"), ("total", "reached"), ("booked", "reached")]
    with open_results(runs["base"]) as ds:
        savings = ds["reaction_savings_msek"].values
        paused = ds["reaction_deposits_paused"].values
    ins = run.instruments[0]
    np.testing.assert_allclose(ins.median, np.median(savings, axis=0))
    np.testing.assert_allclose(ins.bad, np.percentile(savings, 90, axis=0))
    # per simulated outcome, a figure a reader can name: the savings most in force in any year, the years
    # deposits were paused (not a sum over years of the amounts in force)
    assert ins.per_path == "max" and ins.total_bad == pytest.approx(np.percentile(savings.max(axis=1), 90))
    np.testing.assert_allclose(run.instruments[2].share_used, paused.mean(axis=0))
    assert run.instruments[2].total_median == np.median((paused > 0.5).sum(axis=1))
    # the attribution comes from the summary (simulator run writes it)
    summary = read_summary(runs["base"])
    row = next(r for r in run.attribution["balance_2030"] if r.variable == "inflation")
    written = next(r for r in summary["attribution"]["balance_2030"] if r["variable"] == "inflation")
    assert (row.met, row.missed) == (written["met"], written["missed"])
    # oförändrad politik: no rule
    unchanged = load_run(runs["unchanged"])
    assert unchanged.policy.unchanged and unchanged.policy.settings == {}


def test_attribution_from_the_summary_in_either_shape(tmp_path, runs):
    d = copy_run(runs["base"], tmp_path / "run")
    summary = read_summary(d)
    summary["attribution"] = {
        "balance_2030": {"inflation": {"met": 0.019, "missed": 0.027}},
        "consolidation_2040": [{"variable": "equity_return", "mean_met": 0.09, "mean_missed": 0.05}],
        "junk": "not a table"}
    write_summary(d, summary)
    att = load_run(d).attribution
    assert set(att) == {"balance_2030", "consolidation_2040"}
    assert (att["balance_2030"][0].met, att["balance_2030"][0].missed) == (0.019, 0.027)
    assert att["consolidation_2040"][0].variable == "equity_return" and att["consolidation_2040"][0].missed == 0.05


def test_a_results_nc_of_an_earlier_run_is_read(tmp_path, runs):
    """Runs before the streamed store wrote results.nc (dimension path): still reported."""
    d = copy_run(runs["base"], tmp_path / "nc")
    with open_results(d) as ds:
        ds = ds.load()
    shutil.rmtree(d / "results.zarr")
    ds.to_netcdf(d / "results.nc", engine="h5netcdf")
    run = load_run(d)
    assert run.equity_monthly is not None and run.equity_monthly.fan.x.size == 192
    np.testing.assert_allclose(run.equity_monthly.fan.p50, load_run(runs["base"]).equity_monthly.fan.p50)


def test_summary_alone_is_enough(tmp_path, runs):
    d = tmp_path / "only-summary"
    d.mkdir()
    shutil.copy(runs["base"] / "summary.json", d)
    run = load_run(d)
    assert run.goals and run.fans and run.equity_monthly is None and run.scenario is None
    # summary.json carries each goal's declaration: the answers are found without the store's scenario
    assert run.goal("balance_2030").definition.all_of == ("result_target_2027_2030", "deficit_restored")
    assert load_report([d]).balance_goal().name == "balance_2030"
    answers = load_report([d]).consolidation_answers()
    assert [(a.measure, a.when) for a in answers] == [("total", "end"), ("booked", "end"), ("total", "reached"),
                                                      ("booked", "reached")]
    assert run.provenance.scenario_sha256 == read_summary(runs["base"])["scenario_sha256"]


def test_paired_differences_by_hand(runs):
    main, other = load_run(runs["reaction"]), load_run(runs["unchanged"])
    diffs = paired_differences(main, [other], ["Oförändrad politik"])
    d = next(x for x in diffs if x.goal == "balance_2030")
    a, b = main.goal_outcomes["balance_2030"], other.goal_outcomes["balance_2030"]
    assert d.difference == pytest.approx(b.mean() - a.mean())
    assert d.stderr == pytest.approx(np.std(b * 1.0 - a, ddof=1) / np.sqrt(PATHS))
    assert (d.gained, d.lost) == (int((b & ~a).sum()), int((a & ~b).sum()))
    assert d.run_label == "Oförändrad politik"
    # runs that do not share seed and paths are not paired; runs without per-path outcomes neither
    assert paired_differences(main, [load_run(runs["det"])]) == []
    summary_only = copy_run(runs["unchanged"], runs["unchanged"].parent / "unchanged-summary-only")
    shutil.rmtree(summary_only / "results.zarr")
    assert paired_differences(main, [load_run(summary_only)]) == []


def test_sweep_columns_and_grids():
    table = sweep_table()
    sweep = sweep_from_table(table)
    assert sweep.levers == ["pension.risk_rule.equity_cap_frac", "accounts.savings_programme.pct_by_year.2026"]
    assert sweep.goals == ["balance_2030", "consolidation_2040"] and sweep.reference == 0
    [(fixed, grid, rows, cols)] = sweep_grids(sweep, "balance_2030_probability")
    assert fixed == {} and list(grid.index) == [0.6, 0.8] and list(grid.columns) == [0.0, 1.0, 2.0]
    assert (rows, cols) == ("pension.risk_rule.equity_cap_frac", SAVINGS_LEVER)  # the levers the axes show
    assert grid.loc[0.8, 2.0] == pytest.approx(table.iloc[5]["balance_2030_probability"])
    one = sweep_from_table(table[table["pension.risk_rule.equity_cap_frac"] == 0.6]
                           .drop(columns="pension.risk_rule.equity_cap_frac"))
    [(_, row, rows, cols)] = sweep_grids(one, "consolidation_2040_probability")
    assert row.shape == (1, 3) and (rows, cols) == (None, SAVINGS_LEVER)
    three = sweep_from_table(table.assign(extra=[1, 1, 1, 2, 2, 2]))
    assert [f for f, *_ in sweep_grids(three, "balance_2030_probability")] == [{"extra": 1}, {"extra": 2}]
    assert sweep_from_table(pd.DataFrame({"a": [1]})) is None


def test_a_sweep_directory(runs):
    run = load_run(runs["sweep"])
    assert run.kind == "sweep" and run.goals == [] and run.fans == {}
    assert run.sweep.goal_descriptions["balance_2030"].startswith("Ekonomi i balans 2030")
    assert len(run.sweep.table) == 6 and run.sweep.reference == 0 and run.sweep.label_column == "variant"
    assert run.sweep.levers == ["accounts.tax_rise.kr", "accounts.tax_rise.from_year", SAVINGS_LEVER]
    [(fixed, grid, rows, cols)] = sweep_grids(run.sweep, "balance_2030_probability")
    assert fixed == {"accounts.tax_rise.from_year": 2026} and grid.shape == (2, 3)
    # the columns are the savings, not the fixed year that comes second in the file (issue 20, point 3)
    assert (rows, cols) == ("accounts.tax_rise.kr", SAVINGS_LEVER)
    assert set(run.sweep.cost_columns) == {"tax_raised_msek", "savings_msek", "deposits_msek", "derisking_months"}


def test_a_compare_directory_stands_for_its_runs(tmp_path, runs):
    from simulator.cli import main as cli

    out = tmp_path / "cmp"
    cli(["compare", str(runs["base"]), str(runs["unchanged"]), "--out", str(out)])
    report = load_report([out])
    assert report.main.directory == runs["base"] and [r.directory for r in report.others] == [runs["unchanged"]]


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing", "no such directory"),
    (lambda d: d, "not a result directory (no summary.json)"),
    (lambda d: (d / "summary.json").write_text("{not json") and d, "summary.json: not valid JSON"),
    (lambda d: (d / "summary.json").write_text("[1, 2]") and d, "not a result .a JSON object was expected, got a JSON list"),
    (lambda d: (d / "summary.json").write_text(json.dumps({"paths": 3})) and d, "summary.json: scenario: Field required"),
])
def test_bad_directories(tmp_path, make, message):
    with pytest.raises(ReportInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_run(make(tmp_path))


def test_scenario_hash_ignores_key_order():
    assert scenario_sha256('{"a": 1, "b": 2}') == scenario_sha256('{"b": 2, "a": 1}')
    assert scenario_sha256('{"a": 1}') != scenario_sha256('{"a": 2}')
