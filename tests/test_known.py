"""[known]: observed values every path takes, the rest of the year drawn conditionally on them.

What is proven here: a pinned period has no spread at all (monthly pins exactly, annual totals to
rounding); the year after it is still spread; the conditioning reaches the unpinned drivers through the
correlation (pinning a Swedish equity crash lowers the global return); history before the opening is left
out; summary.json lists the pins; every value the model cannot take is refused in one line naming the
file and the line.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from simulator.cli import main
from simulator.model.drivers import economy_inputs, simulate_drivers
from simulator.model.known import known_pins
from simulator.model.stress import stress_array
from simulator.scenario.base import ScenarioError
from simulator.scenario.loader import load_scenario
from tests.conftest import BASE_TOML

MONTHLY_2025 = [0.2, 0.3, 0.1, 0.2, 0.2, 0.1, 0.0, 0.2, 0.2, 0.1, 0.2, 0.2]  # percent, month on month


def _file(folder, name: str, series: str, rows: list[str]) -> str:
    header = "year,month,value" if rows and rows[0].count(",") == 2 else "year,value"
    (folder / name).write_text(f"# series: {series}\n{header}\n" + "\n".join(rows) + "\n")
    return name


def _scenario(folder, files: list[str], extra: str = ""):
    path = folder / "s.toml"
    path.write_text(f'include = ["{BASE_TOML}"]\n{extra}\n[known]\nfiles = {json.dumps(files)}\n')
    return load_scenario(path)


def _drivers(scenario, n: int = 2000):
    inputs = economy_inputs(scenario, stress=stress_array(scenario), known=known_pins(scenario))
    return simulate_drivers(inputs, 42, 0, n)


def test_a_year_of_monthly_inflation_pins_that_year_and_leaves_the_next_spread(tmp_path):
    name = _file(tmp_path, "kpi.csv", "inflation", [f"2025,{m + 1},{v}" for m, v in enumerate(MONTHLY_2025)])
    monthly, annual = _drivers(_scenario(tmp_path, [name]))
    expected = [12 * math.log1p(v / 100) for v in MONTHLY_2025]
    np.testing.assert_array_equal(monthly["inflation"][:, :12], np.tile(expected, (2000, 1)))  # exactly
    dec_dec = math.prod(1 + v / 100 for v in MONTHLY_2025) - 1
    assert annual["inflation"][:, 0] == pytest.approx(dec_dec, rel=1e-12)
    assert np.ptp(annual["inflation"][:, 0]) == 0.0  # p5 equals p95: no spread at all
    assert np.std(annual["inflation"][:, 1]) > 0.005  # 2026 still spread


def test_an_annual_total_is_met_on_every_path_with_its_months_drawn_around_it(tmp_path):
    name = _file(tmp_path, "omx.csv", "equity_sweden", ["2026,-20"])
    monthly, annual = _drivers(_scenario(tmp_path, [name]))
    np.testing.assert_allclose(annual["equity_return_sweden"][:, 1], -0.20, rtol=1e-12)
    months = monthly["equity_sweden_log"][:, 12:24]
    assert np.std(months[:, 0]) > 0.01  # the months differ between paths, their sum does not
    assert np.std(annual["equity_return_sweden"][:, 0]) > 0.05 and np.std(annual["equity_return_sweden"][:, 2]) > 0.05


def test_the_conditioning_reaches_the_correlated_drivers(tmp_path):
    base = load_scenario(BASE_TOML)
    _, free = _drivers(base)
    name = _file(tmp_path, "omx.csv", "equity_sweden", ["2026,-30"])
    _, pinned = _drivers(_scenario(tmp_path, [name]))
    rho = base.economy.correlation.ordered()[3, 4]  # Swedish and global equity shocks
    assert rho > 0.5
    # a Swedish crash year drags the global return down with it, through the shocks' correlation
    assert np.mean(pinned["equity_return_global"][:, 1]) < np.mean(free["equity_return_global"][:, 1]) - 0.05


def test_monthly_rates_pin_the_month_end(tmp_path):
    name = _file(tmp_path, "rate.csv", "short_rate", ["2025,3,2.25", "2025,6,2.0"])
    monthly, _ = _drivers(_scenario(tmp_path, [name]))
    np.testing.assert_array_equal(monthly["short_rate"][:, 2], 0.0225)
    np.testing.assert_array_equal(monthly["short_rate"][:, 5], 0.02)
    assert np.std(monthly["short_rate"][:, 4]) > 0  # an unpinned month in between stays random


def test_history_before_the_opening_is_left_out_and_summary_lists_the_pins(tmp_path, capsys):
    name = _file(tmp_path, "kpi.csv", "inflation", ["2023,12,0.5", "2024,12,0.4"]
                 + [f"2025,{m + 1},{v}" for m, v in enumerate(MONTHLY_2025)])
    scenario = _scenario(tmp_path, [name])
    pinned = known_pins(scenario)
    assert pinned.listed[0]["periods"] == "2025-01..2025-12" and pinned.listed[0]["values"] == 12
    main(["run", str(tmp_path / "s.toml"), "--paths", "50", "--seed", "3", "--no-assumptions", "--summary-only",
          "--out", str(tmp_path / "out")])
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    [entry] = summary["known"]
    assert entry["series"] == "inflation" and len(entry["sha256"]) == 64
    assert summary["percentiles"]["inflation"]["p5"][0] == summary["percentiles"]["inflation"]["p95"][0]


@pytest.mark.parametrize("series, rows, extra, says", [
    ("tax_base", ["2025,1,0.3"], "", "tax_base cannot be pinned monthly"),
    ("inflation", ["2041,1,0.3"], "", "line 3: 2041 is after the last simulated year 2040"),
    ("inflation", ["2025,1,9"], "", "line 3: inflation 9 % is outside what the model takes"),
    ("short_rate", ["2025,1,0.5"], "[economy.short_rate]\nfloor_pa = 0.01", "at or below the model's floor"),
    ("inflation", ["2026,3,0.5"], '[stress]\nset = [{ driver = "inflation", start = "2026", end = "2026", value = 0.06 }]',
     "the scenario's [stress] sets inflation in this month too"),
])
def test_what_the_model_cannot_take_is_refused_naming_the_file_and_line(tmp_path, series, rows, extra, says):
    name = _file(tmp_path, "k.csv", series, rows)
    with pytest.raises(ScenarioError, match=".*") as exc:
        known_pins(_scenario(tmp_path, [name], extra))
    assert says in str(exc.value) and "k.csv" in str(exc.value)


def test_monthly_and_annual_values_of_one_year_are_refused(tmp_path):
    a = _file(tmp_path, "m.csv", "inflation", ["2025,1,0.2"])
    b = _file(tmp_path, "y.csv", "inflation", ["2025,2.0"])
    with pytest.raises(ScenarioError, match="2025 has both monthly and annual inflation"):
        known_pins(_scenario(tmp_path, [a, b]))


def test_validate_checks_the_known_files(tmp_path, capsys):
    name = _file(tmp_path, "k.csv", "inflation", ["2025,1,abc"])
    (tmp_path / "s.toml").write_text(f'include = ["{BASE_TOML}"]\n[known]\nfiles = ["{name}"]\n')
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(tmp_path / "s.toml")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "k.csv, line 3" in err and len(err.strip().splitlines()) == 1


def test_the_report_says_known_outcome_for_the_pinned_periods(tmp_path):
    """The report names what was pinned, "känt utfall", beside the fans and in the provenance table."""
    from simulator.report.data import load_report
    from simulator.report.html import build_sections

    name = _file(tmp_path, "kpi.csv", "inflation", [f"2025,{m + 1},{v}" for m, v in enumerate(MONTHLY_2025[:6])])
    _scenario(tmp_path, [name])
    main(["run", str(tmp_path / "s.toml"), "--paths", "60", "--seed", "3", "--no-assumptions", "--no-robustness",
          "--out", str(tmp_path / "out")])
    sections = {s.id: s for s in build_sections(load_report([tmp_path / "out"]), "sv")}
    note = "Känt utfall: Inflation (KPI), månadsvärden 2025-01–2025-06."
    assert any(p.startswith(note) for p in sections["fans"].paragraphs), sections["fans"].paragraphs
    rows = {r[0]: r[1] for r in sections["provenance"].tables[0]["rows"]}
    assert rows["Känt utfall (fil)"] == f"Inflation (KPI), månadsvärden 2025-01–2025-06 ({tmp_path / 'kpi.csv'})"
    english = {s.id: s for s in build_sections(load_report([tmp_path / "out"]), "en")}
    assert any(p.startswith("Known outcome: Inflation (CPI), monthly values 2025-01–2025-06.")
               for p in english["fans"].paragraphs)
