"""Goals: validation of the declarations, per-path evaluation and the Wilson interval."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from simulator.scenario.goals import Goal, validate_goal_references
from simulator.model.goals import evaluate_goal, evaluate_goals, goal_statistics

NAN = float("nan")
YEARS = np.array([2025, 2026, 2027])
# 6 paths x 3 years; path 1 has a NaN in the middle year, path 3 is all NaN
VALUES = np.array([
    [1.0, 2.0, 3.0],
    [2.0, NAN, 2.0],
    [3.0, 4.0, 3.0],
    [NAN, NAN, NAN],
    [2.0, 2.0, 2.0],
    [0.0, 0.0, 0.0],
])
T, F = True, False

# hand-computed against threshold 2 over all three years: comparison -> aggregate -> per path
EXPECTED = {
    ">=": {"all": [F, F, T, F, T, F], "any": [T, T, T, F, T, F], "last": [T, T, T, F, T, F]},
    ">": {"all": [F, F, T, F, F, F], "any": [T, F, T, F, F, F], "last": [T, F, T, F, F, F]},
    "<=": {"all": [F, F, F, F, T, T], "any": [T, T, F, F, T, T], "last": [F, T, F, F, T, T]},
    "<": {"all": [F, F, F, F, F, T], "any": [T, F, F, F, F, T], "last": [F, F, F, F, F, T]},
    "==": {"all": [F, F, F, F, T, F], "any": [T, T, F, F, T, F], "last": [F, T, F, F, T, F]},
}


def metric_goal(**kw) -> Goal:
    fields = {"metric": "x", "comparison": ">=", "threshold": 2.0, "years": [2025, 2026, 2027],
              "aggregate": "all"} | kw
    return Goal.model_validate({k: v for k, v in fields.items() if v is not None})


# --------------------------------------------------------------------------------------------------
# evaluation


@pytest.mark.parametrize("comparison", list(EXPECTED))
@pytest.mark.parametrize("aggregate", ["all", "any", "last"])
def test_metric_goal_matches_hand_computed(comparison, aggregate):
    goal = metric_goal(comparison=comparison, aggregate=aggregate)
    got = evaluate_goal(goal, {"x": VALUES}, YEARS, {})
    assert got.dtype == bool
    assert got.tolist() == EXPECTED[comparison][aggregate]


def test_last_means_last_listed_year_not_last_simulated_year():
    goal = metric_goal(years=[2025, 2026], aggregate="last")
    # column 2026: [2, nan, 4, nan, 2, 0] >= 2
    assert evaluate_goal(goal, {"x": VALUES}, YEARS, {}).tolist() == [T, F, T, F, T, F]


def test_only_listed_years_count():
    goal = metric_goal(years=[2025, 2027], aggregate="all")  # skips the NaN of path 1 in 2026
    assert evaluate_goal(goal, {"x": VALUES}, YEARS, {}).tolist() == [F, T, T, F, T, F]


def test_from_to_equals_explicit_years():
    span = metric_goal(years=None, from_year=2026, to_year=2027)
    listed = metric_goal(years=[2026, 2027])
    assert span.resolved_years == listed.resolved_years == [2026, 2027]
    rng = np.random.default_rng(1)
    x = rng.normal(2.0, 1.0, size=(200, 3))
    for aggregate in ("all", "any", "last"):
        a = evaluate_goal(span.model_copy(update={"aggregate": aggregate}), {"x": x}, YEARS, {})
        b = evaluate_goal(listed.model_copy(update={"aggregate": aggregate}), {"x": x}, YEARS, {})
        assert np.array_equal(a, b)
    # and it is not simply all years: path 0 fails 2025 only
    assert evaluate_goal(span, {"x": VALUES}, YEARS, {})[0]


def test_all_of_is_logical_and_including_nested():
    rng = np.random.default_rng(7)
    metrics = {"a": rng.normal(size=(500, 3)), "b": rng.normal(size=(500, 3))}
    goals = {
        # declared before its parts: evaluation must follow the dependencies
        "outer": Goal(all_of=["inner", "c"]),
        "inner": Goal(all_of=["a_pos", "b_pos"]),
        "a_pos": Goal(metric="a", comparison=">", threshold=0.0, years=[2027], aggregate="last"),
        "b_pos": Goal(metric="b", comparison=">", threshold=-0.5, from_year=2025, to_year=2026,
                      aggregate="any"),
        "c": Goal(metric="a", comparison="<", threshold=1.0, years=[2025, 2026, 2027], aggregate="all"),
    }
    res = evaluate_goals(goals, metrics, YEARS)
    assert list(res) == list(goals)
    a_pos = metrics["a"][:, 2] > 0.0
    b_pos = (metrics["b"][:, :2] > -0.5).any(axis=1)
    c = (metrics["a"] < 1.0).all(axis=1)
    assert np.array_equal(res["a_pos"], a_pos)
    assert np.array_equal(res["b_pos"], b_pos)
    assert np.array_equal(res["c"], c)
    assert np.array_equal(res["inner"], a_pos & b_pos)
    assert np.array_equal(res["outer"], a_pos & b_pos & c)
    # the combination is a strict restriction here, so AND is not confused with OR or a single part
    assert res["outer"].sum() < min(a_pos.sum(), b_pos.sum(), c.sum())
    assert 0 < res["outer"].sum()


def test_evaluate_goals_reports_unknown_metric_with_goal_name():
    with pytest.raises(ValueError, match=r"goals\.g: unknown metric 'y'"):
        evaluate_goals({"g": metric_goal(metric="y")}, {"x": VALUES}, YEARS)


# --------------------------------------------------------------------------------------------------
# statistics


def hits(k: int, n: int) -> np.ndarray:
    h = np.zeros(n, dtype=bool)
    h[:k] = True
    return h


def test_wilson_hand_computed():
    s = goal_statistics(hits(3, 10))
    assert s["probability"] == 0.3
    assert s["paths_meeting"] == 3 and s["paths"] == 10
    assert s["stderr"] == pytest.approx(math.sqrt(0.3 * 0.7 / 10), rel=1e-12)
    assert s["ci95"] == pytest.approx([0.1077912, 0.6032219], abs=1e-7)


def test_wilson_at_zero_and_one():
    # k = 0: [0, z^2 / (n + z^2)];  k = n: [n / (n + z^2), 1];  z^2 = 3.841458820694124
    s0 = goal_statistics(hits(0, 10))
    assert s0["probability"] == 0.0 and s0["stderr"] == 0.0
    assert s0["ci95"][0] == 0.0
    assert s0["ci95"][1] == pytest.approx(0.2775328, abs=1e-7)
    s1 = goal_statistics(hits(10, 10))
    assert s1["probability"] == 1.0 and s1["stderr"] == 0.0
    assert s1["ci95"][1] == 1.0
    assert s1["ci95"][0] == pytest.approx(0.7224672, abs=1e-7)
    one = goal_statistics(hits(0, 1))
    assert one["ci95"] == pytest.approx([0.0, 0.7934507], abs=1e-7)


def test_wilson_large_n():
    s = goal_statistics(hits(3100, 10_000))
    assert s["probability"] == 0.31
    assert s["stderr"] == pytest.approx(0.0046249324, abs=1e-10)
    assert s["ci95"] == pytest.approx([0.3010097, 0.3191362], abs=1e-7)


def test_statistics_reject_non_bool_or_empty():
    with pytest.raises(ValueError):
        goal_statistics(np.array([], dtype=bool))
    with pytest.raises(ValueError):
        goal_statistics(np.array([0.0, 1.0]))


@given(st.integers(1, 100_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_properties(kn):
    k, n = kn
    s = goal_statistics(hits(k, n))
    p = s["probability"]
    lo, hi = s["ci95"]
    assert p == k / n
    assert 0.0 <= lo <= p <= hi <= 1.0
    assert lo < hi


# --------------------------------------------------------------------------------------------------
# validation of a goal declaration


def invalid(data: dict) -> str:
    with pytest.raises(ValidationError) as err:
        Goal.model_validate(data)
    return str(err.value)


BASE = {"metric": "equity_msek", "comparison": ">", "threshold": 0.0, "years": [2030], "aggregate": "last"}


def test_valid_forms_accepted():
    assert Goal.model_validate(BASE).resolved_years == [2030]
    assert Goal.model_validate({"all_of": ["a", "b"], "description": "ekonomi i balans"}).all_of == ["a", "b"]


def test_extra_key_rejected():
    assert "extra" in invalid(BASE | {"treshold": 1.0}).lower()


def test_all_of_mixed_with_metric_rejected():
    msg = invalid({"all_of": ["a"], "metric": "equity_msek"})
    assert "only all_of and description" in msg and "metric" in msg


def test_missing_comparison_rejected():
    data = dict(BASE)
    del data["comparison"]
    assert "missing: comparison" in invalid(data)


def test_empty_goal_rejected():
    assert "either" in invalid({"description": "nothing"})


@pytest.mark.parametrize("years", [[], [2030, 2027], [2027, 2027], [2024], [2101]])
def test_bad_years_rejected(years):
    assert "years" in invalid(BASE | {"years": years})


def test_years_and_from_year_rejected():
    assert "not both" in invalid(BASE | {"from_year": 2027, "to_year": 2030})


def test_half_a_span_or_reversed_span_rejected():
    data = {k: v for k, v in BASE.items() if k != "years"}
    assert "both from_year and to_year" in invalid(data | {"from_year": 2027})
    assert "from_year must not be after to_year" in invalid(data | {"from_year": 2031, "to_year": 2030})


def test_non_finite_threshold_rejected():
    invalid(BASE | {"threshold": NAN})


def test_empty_all_of_rejected():
    invalid({"all_of": []})


# --------------------------------------------------------------------------------------------------
# references between goals, metrics and years


KNOWN = {"equity_msek", "consolidation_ratio"}
SIM_YEARS = list(range(2025, 2041))


def test_valid_references_pass():
    goals = {
        "eq": Goal.model_validate(BASE),
        "cons": Goal(metric="consolidation_ratio", comparison=">=", threshold=1.0, from_year=2025,
                     to_year=2040, aggregate="any"),
        "both": Goal(all_of=["eq", "cons"]),
    }
    validate_goal_references(goals, KNOWN, SIM_YEARS)


def test_unknown_metric_rejected_listing_known():
    goals = {"g": Goal.model_validate(BASE | {"metric": "equity"})}
    with pytest.raises(ValueError, match=r"goals\.g: unknown metric 'equity'") as err:
        validate_goal_references(goals, KNOWN, SIM_YEARS)
    assert "consolidation_ratio, equity_msek" in str(err.value)
    assert "\n" not in str(err.value)


def test_year_outside_simulation_rejected():
    goals = {"late": Goal.model_validate(BASE | {"years": [2040, 2041]})}
    with pytest.raises(ValueError, match=r"goals\.late: year 2041 is outside the simulated years 2025\.\.2040"):
        validate_goal_references(goals, KNOWN, SIM_YEARS)


def test_unknown_goal_in_all_of_rejected():
    goals = {"eq": Goal.model_validate(BASE), "both": Goal(all_of=["eq", "nope"])}
    with pytest.raises(ValueError, match=r"goals\.both: all_of names unknown goal 'nope'"):
        validate_goal_references(goals, KNOWN, SIM_YEARS)


@pytest.mark.parametrize("goals, name", [
    ({"a": Goal(all_of=["b"]), "b": Goal(all_of=["a"])}, "a"),
    ({"s": Goal(all_of=["s"])}, "s"),
    ({"x": Goal(all_of=["y"]), "y": Goal(all_of=["z"]), "z": Goal(all_of=["x"])}, "x"),
])
def test_cycle_rejected(goals, name):
    with pytest.raises(ValueError, match=rf"goals\.{name}: all_of references form a cycle") as err:
        validate_goal_references(goals, KNOWN, SIM_YEARS)
    assert "->" in str(err.value)
    with pytest.raises(ValueError, match="cycle"):
        evaluate_goals(goals, {}, YEARS)
