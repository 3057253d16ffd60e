"""Issue 12 point 1: TOML has distinct types, and the scenario models take each value only in its own
type. A boolean is no number, 1 is no boolean, 2040.0 is no year, "0.02" is no rate; an integer amount is
still a float (``amount = 3100``). Every refusal is one line naming the field and the type given."""

import pytest

from simulator.scenario.goals import THRESHOLD_LIMIT, Goal
from simulator.scenario.base import ScenarioError
from simulator.scenario.loader import parse_scenario
from tests.conftest import base_dict, set_in

REFUSED = [
    # (dotted field, value, the end of the one-line message)
    ("economy.inflation.volatility_pa", True, "Input should be a valid number (got true, a TOML boolean)"),
    ("accounts.tax_rate_kr", False, "Input should be a valid number (got false, a TOML boolean)"),
    ("accounts.plan.operating_costs_msek", [True] * 6, "valid number (got true, a TOML boolean)"),
    ("economy.correlation.matrix", [[True] * 6] * 6, "valid number (got true, a TOML boolean)"),
    ("economy.prisbasbelopp.known_sek.2024", True, "valid number (got true, a TOML boolean)"),
    ("economy.tax_base.expected_growth_pa.2025", True, "valid number (got true, a TOML boolean)"),
    ("goals.result_target_2027_2030.threshold", True, "valid number (got true, a TOML boolean)"),
    ("accounts.resultatreserv.enabled", 1, "Input should be a valid boolean (got 1, a TOML integer)"),
    ("accounts.resultatreserv.use_for_deficits", "yes", "valid boolean (got 'yes', a TOML string)"),
    ("simulation.end_year", 2040.0, "Input should be a valid integer (got 2040.0, a TOML float)"),
    ("pension.risk_rule.window_months", True, "valid integer (got true, a TOML boolean)"),
    ("accounts.plan.years", [2025.0], "valid integer (got 2025.0, a TOML float)"),
    ("economy.inflation.target_pa", "0.02", "Input should be a valid number (got '0.02', a TOML string)"),
    ("name", 5, "Input should be a valid string (got 5, a TOML integer)"),
    ("economy.inflation.volatility_pa", float("nan"), "Input should be a finite number (got nan)"),
    ("economy.inflation.target_pa", float("inf"), "Input should be a finite number (got inf)"),
]


@pytest.mark.parametrize("field, value, message", REFUSED, ids=[f"{r[0]}={r[1]!r}"[:50] for r in REFUSED])
def test_wrong_toml_type_is_refused_in_one_line(field, value, message):
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(set_in(base_dict(), field, value), "s.toml")
    text = str(exc.value)
    assert "\n" not in text
    # the field is named as the user wrote it (a list element by its index)
    assert text.startswith(f"s.toml: {field}") and message in text, text


def test_integers_are_still_numbers():
    # TOML writes a whole amount without a point: 3100 is a float field's 3100.0
    data = set_in(base_dict(), "accounts.tax_rate_kr", 11)
    data = set_in(data, "economy.inflation.volatility_pa", 0)
    sc = parse_scenario(data, "s.toml")
    assert sc.accounts.tax_rate_kr == 11.0 and isinstance(sc.accounts.tax_rate_kr, float)
    assert sc.economy.inflation.volatility_pa == 0.0


@pytest.mark.parametrize("threshold", [1e308, -1e308, 2 * THRESHOLD_LIMIT])
def test_goal_threshold_beyond_the_limit_is_refused(threshold):
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(set_in(base_dict(), "goals.result_target_2027_2030.threshold", threshold), "s.toml")
    assert str(exc.value).startswith("s.toml: goals.result_target_2027_2030.threshold: Input should be ")
    assert f"{THRESHOLD_LIMIT:.0f}" in str(exc.value)


def test_goal_threshold_at_the_limit_is_accepted():
    goal = Goal(metric="equity_msek", comparison=">", threshold=THRESHOLD_LIMIT, years=[2030], aggregate="last")
    assert goal.threshold == THRESHOLD_LIMIT
