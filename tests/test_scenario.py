"""Scenario validation: every kind of bad input gives one line naming the file, the field and what is
allowed, exit code 2 and no traceback."""

import subprocess
import sys

import pytest
import tomli_w

from simulator.cli import main
from simulator.scenario.loader import load_scenario
from tests.conftest import BASE_TOML, base_dict, set_in


def _write(tmp_path, data, name="bad.toml"):
    path = tmp_path / name
    path.write_bytes(tomli_w.dumps(data).encode())
    return path


def test_base_scenario_is_valid(capsys):
    assert load_scenario(BASE_TOML).name == "base"
    main(["validate", str(BASE_TOML)])  # returns normally: exit code 0
    assert capsys.readouterr().out == f"ok: {BASE_TOML}\n"


M = base_dict()["economy"]["correlation"]["matrix"]


def _with_matrix(i, j, value, symmetric=True):
    m = [row[:] for row in M]
    m[i][j] = value
    if symmetric:
        m[j][i] = value
    return m


BAD = [
    # (dotted field, value, words the message must contain)
    ("economy.inflation.volatilty_pa", 0.01, ["economy.inflation.volatilty_pa", "unknown field",
                                              "volatility_pa"]),
    ("economy.inflation.volatility_pa", -0.01, ["economy.inflation.volatility_pa",
                                                "greater than or equal to 0"]),
    ("economy.equity.calm.sweden_volatility_pa", "high", ["sweden_volatility_pa", "number"]),
    ("economy.inflation.shock_regime.entry_probability_per_month", 1.5,
     ["entry_probability_per_month", "less than or equal to 1"]),
    ("simulation.start_year", 2024, ["simulation.start_year", "must be 2025"]),
    ("simulation.end_year", 2025, ["simulation", "end_year must be in 2026..2070"]),
    ("simulation.end_year", 2200, ["end_year must be in 2026..2070"]),
    ("economy.short_rate.volatility_pa", 0.5, ["short_rate.volatility_pa", "less than or equal to 0.2"]),
    ("economy.tax_base.expected_growth_pa", {"2025": 0.04, "2027": 0.04},
     ["expected_growth_pa", "without gaps"]),
    ("economy.tax_base.expected_growth_pa", {"1999": 0.04}, ["expected_growth_pa", "years 2025"]),
    ("economy.correlation.matrix", _with_matrix(0, 1, 0.5, symmetric=False),
     ["economy.correlation", "symmetric", "row 0 column 1"]),
    ("economy.correlation.matrix", _with_matrix(2, 2, 0.9), ["economy.correlation", "unit diagonal"]),
    ("economy.correlation.matrix", _with_matrix(3, 4, -0.9), ["economy.correlation",
                                                              "positive semi-definite"]),
    ("economy.correlation.matrix", _with_matrix(0, 1, 1.5), ["within [-1, 1]"]),
    ("economy.correlation.matrix", [row[:6] for row in M[:6]], ["must be 7x7"]),
    ("economy.correlation.drivers", ["inflation"] * 7, ["drivers must name each of"]),
    ("economy.prisbasbelopp.known_sek", {"2025": 58800}, ["known_sek", "2024, 2025"]),
    ("name", "has spaces", ["name", "must hold only letters"]),
]


@pytest.mark.parametrize("field, value, words", BAD, ids=[f"{b[0]}={b[1]!r}"[:60] for b in BAD])
def test_bad_field_gives_one_line_naming_file_and_field(tmp_path, capsys, field, value, words):
    path = _write(tmp_path, set_in(base_dict(), field, value))
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"error: {path}: "), err
    for word in words:
        assert word in err, (word, err)


def test_missing_field_is_named(tmp_path, capsys):
    data = base_dict()
    del data["economy"]["term_spread"]["volatility_pa"]
    path = _write(tmp_path, data)
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(path)])
    assert exc.value.code == 2
    assert "economy.term_spread.volatility_pa: required field is missing" in capsys.readouterr().err


def test_broken_toml_and_missing_file(tmp_path, capsys):
    path = tmp_path / "broken.toml"
    path.write_text("name = 'x'\n[simulation\n")
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(path)])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and f"{path}: not valid TOML" in err and "line 2" in err
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(tmp_path / "nope.toml")])
    assert exc.value.code == 2 and "nope.toml: file not found" in capsys.readouterr().err


def test_console_script_exits_2_without_traceback(tmp_path):
    path = _write(tmp_path, set_in(base_dict(), "economy.short_rate.volatility_pa", -1))
    proc = subprocess.run([sys.executable, "-m", "simulator", "run", str(path), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert "economy.short_rate.volatility_pa" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_include_lays_the_scenario_over_the_included_file(tmp_path, capsys):
    data = base_dict()
    economy = {"economy": data.pop("economy")}
    (tmp_path / "calib").mkdir()
    (tmp_path / "calib" / "economy.toml").write_bytes(tomli_w.dumps(economy).encode())
    data["include"] = ["calib/economy.toml"]
    data = set_in(data, "economy.inflation.target_pa", 0.025)  # override one value only
    path = _write(tmp_path, data, "with_include.toml")
    sc = load_scenario(path)
    assert sc.economy.inflation.target_pa == 0.025
    assert sc.economy.inflation.volatility_pa == economy["economy"]["inflation"]["volatility_pa"]
    assert sc.economy.short_rate == load_scenario(BASE_TOML).economy.short_rate


def test_include_errors_name_the_files(tmp_path, capsys):
    data = base_dict()
    data["include"] = ["missing.toml"]
    path = _write(tmp_path, data)
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(path)])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "include 'missing.toml': file not found" in err and str(path) in err
    bad = base_dict()
    economy = {"economy": bad.pop("economy")}
    economy["economy"]["inflation"]["volatility_pa"] = -1
    (tmp_path / "e.toml").write_bytes(tomli_w.dumps(economy).encode())
    bad["include"] = ["e.toml"]
    path = _write(tmp_path, bad, "b.toml")
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(path)])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "(with e.toml)" in err and "economy.inflation.volatility_pa" in err
