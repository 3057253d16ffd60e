"""Roll forward: a scenario opens at any year-end, and `simulator year-end` writes one from a path of a run.

The consistency test is the point (issue 19): for many paths K and two year-ends Y, the scenario that
year-end writes, simulated with the run's seed, continues path K exactly: every annual output after Y
and the monthly equity share equal the original run's path K to rounding (1e-9 relative). A state the
file forgets shows up as a difference, so this test is what proves the state complete.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulator.cli import main
from simulator.kernels.records import OUTPUT
from simulator.model.simulate import model_inputs, simulate_chunk
from simulator.scenario.base import ScenarioError
from simulator.scenario.loader import load_scenario
from tests.conftest import BASE_TOML

SEED = 11
PATHS = 40
YEAR_ENDS = (2026, 2030)  # inside the plan (2025-2027: the zero-shock reference path matters) and after it
CONTINUED = range(0, PATHS, 2)  # 20 paths


def _run(argv: list[str]) -> None:
    try:
        main(argv)
    except SystemExit as exc:  # main exits only on an error
        raise AssertionError(f"{argv}: exit {exc.code}") from None


def _paths(scenario, start: int, n: int):
    """Annual OUTPUT records (paths x years) and the monthly equity share, by the model itself."""
    out, share, _ = simulate_chunk(model_inputs(scenario), SEED, start, n, True, False)
    return out[0], share[0]


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    _run(["run", str(BASE_TOML), "--paths", str(PATHS), "--seed", str(SEED), "--no-assumptions", "--summary-only",
          "--out", str(folder / "run")])
    out, share = _paths(load_scenario(BASE_TOML), 0, PATHS)
    return folder / "run", out, share


@pytest.mark.parametrize("year", YEAR_ENDS)
def test_a_year_end_continues_each_path_exactly(original, tmp_path, year):
    run_dir, out, share = original
    years = load_scenario(BASE_TOML).simulation.years
    after = [k for k, y in enumerate(years) if y > year]
    for path in CONTINUED:
        written = tmp_path / f"path{path}.toml"
        _run(["year-end", str(run_dir), "--path", str(path), "--year", str(year), "--out", str(written)])
        continued = load_scenario(written)
        assert continued.simulation.start_year == year + 1 and continued.opening.year == year
        again, again_share = _paths(continued, path, 1)
        for name in OUTPUT.names:
            np.testing.assert_allclose(again[0][name], out[path][name][after], rtol=1e-9, atol=1e-9,
                                       err_msg=f"path {path}, year-end {year}: {name}")
        np.testing.assert_allclose(again_share[0], share[path][12 * after[0]:], rtol=1e-9, atol=1e-12)


def test_validate_accepts_a_scenario_opening_at_31_dec_2026(original, tmp_path, capsys):
    run_dir, _, _ = original
    written = tmp_path / "open2026.toml"
    _run(["year-end", str(run_dir), "--path", "3", "--year", "2026", "--out", str(written)])
    _run(["validate", str(written)])
    assert capsys.readouterr().out.strip().endswith(f"ok: {written}")
    text = written.read_text()
    assert text.startswith("# Written by `simulator year-end") and f"--seed {SEED}" in text


def test_the_continuation_keeps_only_what_lies_ahead(original, tmp_path):
    run_dir, _, _ = original
    written = tmp_path / "open2028.toml"
    _run(["year-end", str(run_dir), "--path", "0", "--year", "2028", "--out", str(written)])
    continued = load_scenario(written)
    assert continued.accounts.plan.years == []  # the plan 2025-2027 is history
    assert all(min(g.resolved_years) > 2028 for g in continued.goals.values() if g.resolved_years)
    assert "consolidation_2040" in continued.goals and "balance_2030" not in continued.goals
    assert continued.accounts.balance_requirement.opening_deficits == []  # carried in the state instead
    assert sorted(continued.economy.prisbasbelopp.known_sek) == ["2028"]


@pytest.mark.parametrize("argv, says", [
    (["--path", "40", "--year", "2026"], "--path: 40 is not a path of the run"),
    (["--path", "-1", "--year", "2026"], "--path: -1 is not a path of the run"),
    (["--path", "0", "--year", "2040"], "--year: must be in 2025..2039"),
    (["--path", "0", "--year", "2024"], "--year: must be in 2025..2039"),
])
def test_bad_requests_are_one_line_and_exit_2(original, tmp_path, capsys, argv, says):
    run_dir, _, _ = original
    with pytest.raises(SystemExit) as exc:
        main(["year-end", str(run_dir), *argv, "--out", str(tmp_path / "x.toml")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and says in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.toml").exists()


def test_a_changed_scenario_file_is_refused(tmp_path, capsys):
    scenario = tmp_path / "mine.toml"
    scenario.write_text(f'include = ["{BASE_TOML}"]\n')
    _run(["run", str(scenario), "--paths", "3", "--seed", "1", "--no-assumptions", "--summary-only",
          "--out", str(tmp_path / "r")])
    scenario.write_text(f'include = ["{BASE_TOML}"]\n[accounts]\ntax_rate_kr = 12.0\n')
    with pytest.raises(SystemExit) as exc:
        main(["year-end", str(tmp_path / "r"), "--path", "0", "--year", "2026", "--out", str(tmp_path / "x.toml")])
    assert exc.value.code == 2 and "changed since the run" in capsys.readouterr().err


def test_a_scenario_opens_at_any_year_end(tmp_path):
    """The opening year moves every year the schema checks: a 2026 opening with a 2027-2029 plan is valid;
    a table that still names a year before 2027 is refused, naming the field."""
    assert "openings/2024.toml" in BASE_TOML.read_text()
    opening = tmp_path / "openings_2026.toml"
    opening.write_text((BASE_TOML.parent / "openings" / "2024.toml").read_text()
                       .replace("year = 2024", "year = 2026")
                       .replace("known_sek = { 2024 = 57300, 2025 = 58800, 2026 = 59200 }",
                                "known_sek = { 2026 = 59200, 2027 = 60000 }")
                       .replace("projection_years = [2024, 2025, 2026, 2027, 2028, 2029]",
                                "projection_years = [2026, 2027, 2028, 2029, 2030, 2031]")
                       .replace("from_year = 2023, amount_msek = 464.1, deadline_year = 2028",
                                "from_year = 2025, amount_msek = 464.1, deadline_year = 2028")
                       .replace("from_year = 2024, amount_msek = 211.0, deadline_year = 2030",
                                "from_year = 2026, amount_msek = 211.0, deadline_year = 2030"))
    tables = ("[simulation]\nstart_year = 2027\n[accounts.plan]\nyears = [2027, 2028, 2029]\n"
              "[economy.tax_base]\nexpected_growth_pa = { 2027 = 0.04 }\n")
    scenario = tmp_path / "s.toml"
    # the overlay is the new opening over base.toml: its prisbasbelopp replaces the 2024 opening's
    header = f'include = ["{BASE_TOML}"]\nreplace = ["economy.prisbasbelopp.known_sek", "accounts.balance_requirement.deadline_by_year"'
    scenario.write_text(header + ']\n' + opening.read_text() + tables)
    with pytest.raises(ScenarioError, match="economy.tax_base.expected_growth_pa"):  # 2025-26 still there
        load_scenario(scenario)
    scenario.write_text(header + ', "economy.tax_base.expected_growth_pa", "goals"]\n' + opening.read_text() + tables)
    loaded = load_scenario(scenario)
    assert loaded.opening.year == 2026 and loaded.simulation.years[0] == 2027
    assert [d.from_year for d in loaded.accounts.balance_requirement.opening_deficits] == [2025, 2026]
