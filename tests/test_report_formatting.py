"""Swedish number formats and the plain-text run, sweep and compare tables, by hand-worked cases."""

import numpy as np
import pytest

from simulator.report.data import Goal, sweep_from_table
from simulator.report.console import sweep_table
from simulator.report.formatting import (
    MINUS, NBSP, goal_table, interval, msek, number, outcome, percent, points, setting_label, setting_text,
    year_span,
)
from tests.test_report_support import sweep_table as synthetic_sweep


@pytest.mark.parametrize("x, decimals, lang, expected", [
    (1234567.891, 1, "sv", f"1{NBSP}234{NBSP}567,9"),
    (1234567.891, 1, "en", "1,234,567.9"),
    (-493.7, 1, "sv", f"{MINUS}493,7"),
    (-0.04, 1, "sv", "0,0"),  # no "−0,0"
    (999.95, 1, "sv", f"1{NBSP}000,0"),
    (12, 0, "sv", "12"),
    (None, 1, "sv", "—"),
    (float("nan"), 1, "sv", "—"),
    (np.int64(2000), 0, "sv", f"2{NBSP}000"),  # numpy scalars are numbers too
])
def test_number(x, decimals, lang, expected):
    assert number(x, decimals, lang) == expected


def test_percent_and_points():
    assert percent(0.0456) == f"4,6{NBSP}%"
    assert percent(0.0456, lang="en") == "4.6%"
    assert percent(0.0456, word=True) == f"4,6{NBSP}procent"
    assert percent(1.0) == f"100,0{NBSP}%"
    assert percent(-0.012, sign=True) == f"{MINUS}1,2{NBSP}%"
    assert points(0.012) == f"+1,2{NBSP}procentenheter"
    assert points(-0.012, lang="en") == f"{MINUS}1.2{NBSP}percentage points"


def test_money_intervals_and_years():
    assert msek(-493.7) == f"{MINUS}494{NBSP}mnkr"
    assert msek(1234.5, 1, "en") == f"1,234.5{NBSP}MSEK"
    assert interval(0.0363, 0.0544) == f"3,6–5,4{NBSP}%"
    assert interval(0.0363, 0.0544, "en") == "3.6–5.4%"
    assert year_span([2027, 2028, 2029, 2030]) == "2027–2030"
    assert year_span([2030]) == "2030"
    assert year_span([2028, 2030]) == "2028, 2030"


def test_settings_are_formatted_by_their_unit_suffix():
    assert setting_text("pension.risk_rule.equity_cap_frac", 0.8) == f"80,0{NBSP}%"
    assert setting_text("economy.inflation.target_pa", 0.02) == f"2,00{NBSP}%"
    assert setting_text("accounts.financing.loan_limit_msek", 700) == f"700,0{NBSP}mnkr"
    assert setting_text("accounts.tax_rate_kr", 11.7) == f"11,70{NBSP}kr"
    assert setting_text("accounts.savings_programme.pct_by_year", {2026: 1.0}) == f"2026: 1,0{NBSP}%"
    assert setting_text("accounts.savings_programme.pct_by_year.2026", 2.0) == f"2,0{NBSP}%"
    assert setting_text("accounts.tax_rate_from_year_kr", {}) == "—"
    assert setting_text("pension.deposits.policy", "share_of_surplus") == "andel av överskottet"  # in words
    assert setting_text("policy.reaction.order", ["savings", "tax"]) == "besparingar, skattehöjning"
    assert setting_text("accounts.tax_rise.kr", 0.5) == f"0,50{NBSP}kr"
    assert setting_label("pension.risk_rule.equity_cap_frac") == "Tak för aktieandelen"
    assert setting_label("accounts.savings_programme.pct_by_year.2026") == \
        "Sparprogram, andel av kostnaderna per år: 2026"
    assert setting_label("some.unknown_lever") == "some.unknown_lever"


def _goal(name, p, lo, hi, description="", met=None):
    return Goal(name, description, p, 0.01, lo, hi, None, met=met)


def test_goal_table_reads_like_a_sentence():
    goals = [_goal("balance_2030", 0.0445, 0.0363, 0.0544, "Ekonomi i balans 2030"),
             _goal("consolidation_2040", 0.2875, 0.2681, 0.3077)]
    text = goal_table(goals)
    lines = text.splitlines()
    assert lines[0].split() == ["Mål", "Sannolikhet", "95", "%", "intervall"]
    assert "Ekonomi i balans 2030" in lines[1] and f"4,5{NBSP}%" in lines[1] and f"3,6–5,4{NBSP}%" in lines[1]
    assert lines[2].startswith("consolidation_2040")  # no description: the key
    assert "0.0445" not in text and "0,045" not in text  # one decimal, in percent


def test_deterministic_goals_are_met_or_not_met():
    goals = [_goal("a", 1.0, 0.2, 1.0, "Resultatmålet", met=True), _goal("b", 0.0, 0.0, 0.8, "Balanskravet", met=False)]
    text = goal_table(goals)
    assert "uppfyllt" in text and "ej uppfyllt" in text and "%" not in text
    assert outcome(goals[0], "en") == "met" and outcome(goals[1], "en") == "not met"


def test_sweep_table():
    sweep = sweep_from_table(synthetic_sweep(),
                             {"balance_2030": {"description": "Ekonomi i balans 2030"}})
    lines = sweep_table(sweep, goals=["balance_2030"]).splitlines()
    header, rows, notes = lines[0], lines[1:7], lines[8:]
    assert "Tak för aktieandelen" in header and header.split()[-1] == "[1]"
    assert notes[0] == "[1] Ekonomi i balans 2030"
    assert rows[0].endswith(f"5,0{NBSP}%") and "(referens)" in rows[0]  # no difference against itself
    # the second variant: 15 %, 10 points above the reference; paired se 0.004 -> ± 1.96 * 0.4 = 0,8 points
    assert rows[1].endswith(f"15,0{NBSP}% (+10,0 ± 0,8)")
