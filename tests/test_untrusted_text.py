"""Text from a scenario or a sweep file is untrusted (issue 23): it is only ever written as text.

Every text field of a scenario and of a sweep file (found by walking their schemas: a field added to
either is covered the day it exists) gets a value that starts a spreadsheet formula. The commands that
write tables (run, sweep, compare --json --out, report --csv --xlsx on a run, a comparison and a sweep)
then run, and every CSV and workbook they wrote is reopened: no cell's text starts a formula, no cell is
a formula, and the hostile text is there, neutralised (so the check saw it). Names that become keys,
arrays or files are refused at validation, and a report renders whatever a valid sweep holds.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import typing
import warnings
from pathlib import Path
from typing import Any, Iterator

import pytest
import tomli_w
from openpyxl import load_workbook
from pydantic import BaseModel

from simulator.cli import main
from simulator.io.cells import FORMULA_STARTS, safe_text
from simulator.scenario.loader import parse_scenario, resolve_scenario_data
from simulator.scenario.names import check_name
from simulator.scenario.schema import Scenario
from simulator.whatif.sweep import SweepFile, load_sweep
from tests.conftest import ROOT
from tests.hostile.fields import strip_optional

#: what a hostile author writes (issue 23): each starts a formula in Excel or LibreOffice
HOSTILE = ('=HYPERLINK("http://evil.invalid","g")', "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1-1", "-2+3",
           "\tx=1", "\rx=1")
STRESSED = ROOT / "scenarios" / "stress_crash_2026.toml"  # the base with a [stress]: its description too


def _is_name(field) -> bool:
    return any(getattr(m, "func", None) is check_name for m in field.metadata)


def text_paths(model: type[BaseModel], data: dict[str, Any], path: tuple = ()) -> Iterator[tuple]:
    """Every text field (plain ``str``, not a name) of ``data`` by the model's schema: the fields the data
    holds and the optional text fields it could hold; inside tables of models, every entry."""
    for key, field in model.model_fields.items():
        annotation = strip_optional(field.annotation, other_unions="keep")
        here = path + (key,)
        if annotation is str and not _is_name(field):
            yield here
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(data.get(key), dict):
            yield from text_paths(annotation, data[key], here)
        elif typing.get_origin(annotation) in (dict, list) and key in data:
            item = strip_optional(typing.get_args(annotation)[-1], other_unions="keep")
            entries = data[key].items() if isinstance(data[key], dict) else enumerate(data[key])
            for k, value in entries:
                if isinstance(item, type) and issubclass(item, BaseModel) and isinstance(value, dict):
                    yield from text_paths(item, value, here + (k,))
                elif item is str and isinstance(data[key], dict):
                    yield here + (k,)


def _set(data: dict[str, Any], path: tuple, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def hostile(data: dict[str, Any], model: type[BaseModel], accepts) -> tuple[dict[str, Any], list[str]]:
    """``data`` with every text field it accepts as free text set to a hostile value (fields that refuse
    one, e.g. a metric's name, stay: a refused value never reaches an output); and the fields set."""
    out, used = data, []
    for k, path in enumerate(list(text_paths(model, data))):
        for j in range(len(HOSTILE)):  # each field its own prefix, the next one a field refuses (a tab in a label)
            candidate = _set(out, path, HOSTILE[(k + j) % len(HOSTILE)] + f" {'.'.join(map(str, path))}")
            if accepts(candidate):
                out, used = candidate, used + [".".join(map(str, path))]
                break
    return out, used


def _sweep_accepts(data: dict[str, Any], where: Path) -> bool:
    """What `simulator sweep` accepts: the file's model, the scenarios it names, the variants' levers."""
    path = where / "candidate.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    try:
        load_sweep(path)
    except Exception:
        return False
    return True


def _scenario_accepts(data: dict[str, Any]) -> bool:
    try:
        parse_scenario(data, "hostile")
    except Exception:
        return False
    return True


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Any]:
    """Run every command that writes tables on the hostile scenario and sweep; what they wrote."""
    root = tmp_path_factory.mktemp("hostile")
    data = resolve_scenario_data(STRESSED)[0]
    data.pop("include", None)
    scenario, fields = hostile(data, Scenario, _scenario_accepts)
    scenario_file = root / "hostile.toml"
    scenario_file.write_text(tomli_w.dumps(scenario), encoding="utf-8")
    sweep_data = {"scenario": str(scenario_file), "description": "",
                  "levers": {"accounts.tax_rise.kr": [0.0, 0.5], "accounts.tax_rise.from_year": [2026]},
                  "labels": {"accounts.tax_rise.kr": "", "accounts.tax_rise.from_year": ""},
                  "variants": [{"name": "named", "label": "", "set": {"accounts.savings_programme.pct_by_year": {"2026": 1.0}}}]}
    sweep, sweep_fields = hostile(sweep_data, SweepFile, lambda d: _sweep_accepts(d, root))
    sweep_file = root / "hostile_sweep.toml"
    sweep_file.write_text(tomli_w.dumps(sweep), encoding="utf-8")
    a, b, cmp, sw = root / "a", root / "b", root / "cmp", root / "sweep"
    small = ["--paths", "200", "--seed", "5", "--assumption-paths", "200"]
    for args in (["run", str(scenario_file), "--out", str(a), *small],
                 ["run", str(scenario_file), "--out", str(b), *small, "--set", "accounts.tax_rise.kr=0.5",
                  "--set", "accounts.tax_rise.from_year=2026"],
                 ["compare", str(a), str(b), "--json", "--out", str(cmp)],
                 ["sweep", str(sweep_file), "--paths", "200", "--seed", "5", "--out", str(sw)],
                 ["report", str(a), str(b), "--csv", "--xlsx"],
                 ["report", str(cmp), "--csv", "--xlsx"],
                 ["report", str(sw), "--csv", "--xlsx"]):
        main(args)
    return {"root": root, "fields": fields, "sweep_fields": sweep_fields}


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def csv_cells(path: Path) -> Iterator[str]:
    text = path.read_text(encoding="utf-8-sig")
    dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=dialect):
        yield from row


def test_the_walk_found_the_free_text(written):
    """Not vacuous: the fields the issue names are among those set, and the sweep's labels too."""
    fields = set(written["fields"])
    assert {"description", "report.title", "report.description", "policy.name", "stress.description",
            "opening.source"} <= fields
    assert any(f.startswith("goals.") and f.endswith(".description") for f in fields)
    assert {"description", "labels.accounts.tax_rise.kr", "variants.0.label"} <= set(written["sweep_fields"])


def test_no_cell_of_any_csv_or_workbook_starts_a_formula(written):
    root = written["root"]
    csvs, books = sorted(root.rglob("*.csv")), sorted(root.rglob("*.xlsx"))
    # report --csv of the runs (and of the comparison, into the first run's folder) and of the sweep, and
    # sweep.csv; the workbooks beside them and sweep.xlsx
    assert {p.relative_to(root).parts[0] for p in csvs} == {"a", "sweep"} and len(csvs) >= 12
    assert sorted(str(p.relative_to(root)) for p in books) == ["a/tables.xlsx", "sweep/sweep.xlsx",
                                                               "sweep/tables.xlsx"]
    seen = []
    for path in csvs:
        for cell in csv_cells(path):
            assert not (cell.startswith(FORMULA_STARTS) and not _is_number(cell)), (path.name, cell)
            seen.append(cell)
    for path in books:
        for sheet in load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(FORMULA_STARTS), (path.name, sheet.title, cell.value)
                        seen.append(cell.value)
    # the hostile text reached the files, made safe: a quote before it, the rest as written (a carriage
    # return read back as a line feed: XML and text mode both normalise it)
    seen = [c.replace("\r", "\n") for c in seen]
    for text in HOSTILE:
        assert any(c.startswith(safe_text(text).replace("\r", "\n")) for c in seen), repr(text)


def test_numbers_stay_numbers(written):
    book = load_workbook(written["root"] / "a" / "tables.xlsx")
    goals = book.worksheets[0]
    probabilities = [row[2].value for row in goals.iter_rows(min_row=2)]
    assert probabilities and all(isinstance(p, float) and 0 <= p <= 1 for p in probabilities)
    sweep = load_workbook(written["root"] / "sweep" / "sweep.xlsx").active
    header = [c.value for c in sweep[1]]
    assert header[:2] == ["variant", "reference"]
    costs = [c.value for c in sweep[2][-4:]]
    assert all(isinstance(x, float) for x in costs)


def test_compare_json_holds_the_text_as_it_was(written):
    """JSON is no spreadsheet: compare --json and compare.json keep the text as written (a script reads it)."""
    result = json.loads((written["root"] / "cmp" / "compare.json").read_text(encoding="utf-8"))
    assert result["runs"][0]["policy"].startswith(HOSTILE[written["fields"].index("policy.name") % len(HOSTILE)])


@pytest.mark.parametrize("name", ["a/b", "../../x", "a..b", "=HYPERLINK(1)", "@x", ".hidden", "a b", ""])
def test_a_goal_name_that_would_escape_is_refused(tmp_path, capsys, name):
    data = resolve_scenario_data(ROOT / "scenarios" / "base.toml")[0]
    data.pop("include", None)
    data["goals"][name] = copy.deepcopy(data["goals"]["positive_equity_2030"])
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["run", str(path), "--paths", "10", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and f"{path}: goals:" in err and repr(name) in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["a/b", "../x", "=cmd|' /C calc'!A0", "cap 80 %"])
def test_a_variant_name_that_would_escape_is_refused(tmp_path, capsys, name):
    path = tmp_path / "sweep.toml"
    path.write_text(tomli_w.dumps({"scenario": str(ROOT / "scenarios" / "base.toml"),
                                   "variants": [{"name": name}]}), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["sweep", str(path), "--paths", "10", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and "variants[0].name" in err
    assert not (tmp_path / "out").exists()


def test_a_report_renders_a_sweep_of_one_value_per_lever(tmp_path, capsys):
    """A single-value axis gets a range: no "identical low and high xlims", exit 0 (issue 23)."""
    path = tmp_path / "one.toml"
    path.write_text(tomli_w.dumps({"scenario": str(ROOT / "scenarios" / "base.toml"), "description": "=1+1",
                                   "levers": {"accounts.tax_rise.kr": [0.5], "accounts.tax_rise.from_year": [2026]},
                                   "labels": {"accounts.tax_rise.kr": "@SUM(1)"}}), encoding="utf-8")
    out = tmp_path / "out"
    main(["sweep", str(path), "--paths", "50", "--out", str(out)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's UserWarning would fail here
        main(["report", str(out), "--csv", "--xlsx"])
    assert (out / "report.html").is_file() and (out / "tables.xlsx").is_file()
    assert "identical" not in capsys.readouterr().err
