"""``run``, ``sweep`` and ``compare`` with ``--lang``: the table a person reads holds the numbers the
command wrote, with goal descriptions instead of keys and one decimal; a deterministic run says
"uppfyllt / ej uppfyllt". Also ``sweep --set``, which CONTRACT.md lists."""

import csv
import json
import re

import pytest

from simulator.scenario import overrides
from simulator.cli import main
from simulator.run.options import RunOptions
from simulator.run.engine import run
from simulator.model.goals import evaluate_goals
from simulator.report.formatting import NBSP, interval, percent
from simulator.i18n import t
from tests.conftest import BASE_TOML
from tests.test_report_support import PATHS, SAVINGS_LEVER, SEED, read_summary, runs  # noqa: F401


def _lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


def _cells(line: str) -> list[str]:
    return re.split(r" {2,}", line.strip())


def _line_of(lines: list[str], label: str) -> str:
    found = [line for line in lines if line.startswith(label)]
    assert len(found) == 1, (label, found)
    return found[0]


def test_run_in_swedish(tmp_path, capsys):
    out = tmp_path / "run"
    main(["run", str(BASE_TOML), "--paths", str(PATHS), "--seed", str(SEED), "--out", str(out),
          "--no-assumptions", "--lang", "sv"])
    lines = _lines(capsys)
    summary = read_summary(out)
    assert lines[0] == f"Politik: Med reaktionsregel ({summary['policy']['name']})"
    for name, g in summary["goals"].items():
        row = _line_of(lines, g["description"])  # the description, not the key, opens the line
        assert _cells(row)[1:] == [percent(g["probability"], 1), interval(*g["ci95"])]
        assert name not in row
    assert t("text.interval_covers_default", "sv") in lines


def test_a_deterministic_run_says_met_or_not_met(tmp_path, capsys):
    out = tmp_path / "det"
    main(["run", str(BASE_TOML), "--deterministic", "--out", str(out), "--no-assumptions", "--lang", "sv"])
    lines = _lines(capsys)
    summary = read_summary(out)
    assert lines[1] == "Planen utan störningar"
    outcomes = set()
    for g in summary["goals"].values():
        row = _line_of(lines, g["description"])
        word = "uppfyllt" if g["probability"] == 1.0 else "ej uppfyllt"
        assert row.endswith(f"  {word}") and "%" not in row[len(g["description"]):]
        outcomes.add(word)
    assert outcomes == {"uppfyllt", "ej uppfyllt"}  # the base plan meets the balance goals, not the pension's
    assert t("text.deterministic_note", "sv") in lines


def test_english_and_a_bad_language(tmp_path, capsys):
    main(["run", str(BASE_TOML), "--paths", "50", "--out", str(tmp_path / "en"), "--no-assumptions",
          "--lang", "en"])
    g = read_summary(tmp_path / "en")["goals"]["balance_2030"]
    row = _cells(_line_of(_lines(capsys), g["description"]))
    assert row[1] == f"{100 * g['probability']:.1f}%" and "–" in row[2] and "," not in row[1]
    with pytest.raises(SystemExit) as exc:
        main(["run", str(BASE_TOML), "--paths", "50", "--out", str(tmp_path / "x"), "--lang", "fi"])
    assert exc.value.code == 2 and "--lang" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_sweep_in_swedish_with_set(tmp_path, capsys):
    spec = tmp_path / "sweep.toml"
    spec.write_text(f'scenario = "{BASE_TOML}"\n[levers]\n"accounts.tax_rise.kr" = [0.0, 0.5]\n'
                    f'"{SAVINGS_LEVER}" = [0.0, 2.0]\n', encoding="utf-8")
    out = tmp_path / "sweep"
    main(["sweep", str(spec), "--paths", str(PATHS), "--seed", "3", "--out", str(out), "--lang", "sv",
          "--set", "accounts.tax_rise.from_year=2028"])
    lines = _lines(capsys)
    with open(out / "sweep.csv", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    summary = read_summary(out)
    assert summary["set"] == {"accounts.tax_rise.from_year": 2028}
    assert lines[0].startswith("Variant") and "Skattehöjning (kr)" in lines[0]
    for k, row in enumerate(table):
        line = _line_of(lines, row["variant"] + " ")
        p = [float(row[f"{g}_probability"]) for g in ("balance_2030", "consolidation_2040", "consolidation_booked_2040")]
        cells = [percent(x, 1) for x in p]
        assert all(c in line for c in cells)
        if k == 0:
            assert "(referens)" in line and "±" not in line
        else:
            d = 100 * float(row["balance_2030_diff"])
            se = 100 * 1.96 * float(row["balance_2030_diff_stderr"])
            assert f"{cells[0]} ({'+' if d > 0 else ''}{d:.1f} ± {se:.1f})".replace(".", ",") in line
    assert lines[lines.index("") + 1].startswith("[1] Ekonomi i balans 2030")

    # --set reached every variant: a variant equals the run of the scenario with both laid over it
    variant = next(v for v in summary["variants"] if v["variant"] == "kr-0.5_pct_by_year.2026-2.0")
    scenario = overrides.load(BASE_TOML, {"accounts.tax_rise.from_year": 2028, "accounts.tax_rise.kr": 0.5,
                                          SAVINGS_LEVER: 2.0})
    output = run(scenario, RunOptions(paths=PATHS, seed=3))
    met = evaluate_goals(scenario.goals, output.annual, output.years)
    assert {g: v["paths_meeting"] for g, v in variant["goals"].items()} == {g: int(m.sum()) for g, m in met.items()}
    # a lever the sweep sets itself wins over --set on the same field
    main(["sweep", str(spec), "--paths", "50", "--out", str(tmp_path / "s3"), "--set", "accounts.tax_rise.kr=2.0",
          "--set", "accounts.tax_rise.from_year=2027"])
    capsys.readouterr()
    assert [v["levers"]["accounts.tax_rise.kr"] for v in read_summary(tmp_path / "s3")["variants"]] == [0.0, 0.0, 0.5, 0.5]


def test_sweep_set_errors_name_the_field(tmp_path, capsys):
    spec = tmp_path / "sweep.toml"
    spec.write_text(f'scenario = "{BASE_TOML}"\n[levers]\n"accounts.tax_rise.kr" = [0.0, 0.5]\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["sweep", str(spec), "--paths", "50", "--out", str(tmp_path / "o"),
              "--set", "pension.risk_rule.equity_cap_frac=1.5"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "equity_cap_frac" in err and "--set" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_compare_in_swedish_holds_the_comparisons_numbers(runs, capsys):
    dirs = [str(runs["base"]), str(runs["unchanged"]), str(runs["det"])]
    main(["compare", *dirs, "--json"])
    result = json.loads(capsys.readouterr().out)
    main(["compare", *dirs, "--lang", "sv"])
    lines = _lines(capsys)
    side_by_side, paired_table = lines[:lines.index("")], lines[lines.index("") + 1:]
    assert _cells(lines[0])[0] == "Mål"
    assert "Basscenariot: Regionplan 2025–2027 med regionens åtgärdsplan" in lines[0]
    assert "Oförändrad politik: utan regionens åtgärdsplan" in lines[0]
    assert lines[0].endswith("Planen utan störningar")
    base, unchanged, det = result["runs"]
    g = base["goals"]["balance_2030"]
    desc = read_summary(runs["base"])["goals"]["balance_2030"]["description"]
    first = _line_of(side_by_side, desc)
    det_word = "uppfyllt" if det["goals"]["balance_2030"]["probability"] == 1 else "ej uppfyllt"
    assert first.endswith(det_word)
    assert f"{percent(g['probability'], 1)} ({interval(*g['ci95'])})" in first
    # the paired differences: the comparison's own numbers; none against the single deterministic path
    paired = [line for line in paired_table if line.startswith(desc)]
    assert len(paired) == 1 and "Planen utan störningar" not in paired[0]
    d = unchanged["goals"]["balance_2030"]
    sign = "+" if d["diff"] > 0 else "−" if d["diff"] < 0 else ""
    assert f"{sign}{abs(100 * d['diff']):.1f}{NBSP}procentenheter".replace(".", ",") in paired[0]
    assert paired[0].split()[-2:] == [str(d["gained"]), str(d["lost"])]
