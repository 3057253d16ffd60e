"""What the program reads back, as hostile as what it reads in (issue 22, point 6): summary.json of a run
and of a sweep, compare.json and sweep.csv, each field of their schemas (simulator/io/result_files.py)
given a value of the wrong JSON type, null, a number beyond its range, or removed; then read by what
reads it (`compare`, the report's loader, `year-end`). Each case must end in one line and exit 2 naming
the file, or be read as it is where the field is not one the readers use; never a traceback, never exit 1.

The generated part is sampled in ci mode (every kind of mutation and every file at least once, 15 %);
SIMULATOR_TESTS=full runs every case (tests/README.md)."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from simulator.cli import main
from simulator.io.result_files import SCHEMAS
from simulator.report.data import load_report
from simulator.report.data.model import ReportInputError
from tests.conftest import BASE_TOML, sample

SHARE = 0.15
#: percentile rows and goals kept per file (the rest are the same shape: walked in full mode only)
FIRST = 3


def _declared(annotation: Any) -> tuple[Any, bool]:
    """(the type behind Annotated and ``| None``, whether null is allowed)."""
    nullable = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = typing.get_args(annotation)
            nullable = nullable or type(None) in args
            rest = [a for a in args if a is not type(None)]
            annotation = rest[0] if len(rest) == 1 else Any
        else:
            return annotation, nullable


def _bounds(annotation: Any) -> tuple[float | None, float | None]:
    """ge/le of an Annotated number (the first Field's), else (None, None)."""
    for inner in [annotation, *typing.get_args(annotation)]:
        if typing.get_origin(inner) is typing.Annotated:
            for meta in typing.get_args(inner)[1:]:
                lo = next((getattr(m, "ge", None) for m in getattr(meta, "metadata", []) if hasattr(m, "ge")), None)
                hi = next((getattr(m, "le", None) for m in getattr(meta, "metadata", []) if hasattr(m, "le")), None)
                if lo is not None or hi is not None:
                    return lo, hi
    return None, None


def _wrong(annotation: Any, value: Any) -> list[tuple[str, Any]]:
    """Values a checked field must refuse: the wrong JSON type, null where not allowed, beyond its range."""
    kind, nullable = _declared(annotation)
    out = [] if nullable else [("null", None)]
    if kind in (int, float):
        out += [("text", str(value)), ("bool", True), ("array", [value])]
        lo, hi = _bounds(annotation)
        out += [("below", lo - 1)] if lo is not None else []
        out += [("above", hi + 1)] if hi is not None else []
    elif kind is str:
        out += [("number", 1), ("array", [value])]
    elif kind is bool:
        out += [("int", 1), ("text", "true")]
    elif typing.get_origin(kind) is list:
        out += [("text", "x"), ("object", {"x": 1})]
    elif typing.get_origin(kind) is dict or (isinstance(kind, type) and issubclass(kind, BaseModel)):
        out += [("text", "x"), ("array", [1])]
    return out


def _walk(value: Any, annotation: Any, path: tuple) -> typing.Iterator[tuple[tuple, str, Any]]:
    """(path, kind, wrong value) for every declared field of a result file's data, and 'missing' for a
    required field removed."""
    kind, _ = _declared(annotation)
    if kind is Any:
        return
    if path:
        for what, wrong in _wrong(annotation, value):
            yield path, what, wrong
    if isinstance(kind, type) and issubclass(kind, BaseModel) and isinstance(value, dict):
        for name, field in kind.model_fields.items():
            if name in value:
                if field.is_required():
                    yield path + (name,), "missing", KeyError
                yield from _walk(value[name], field.annotation, path + (name,))
    elif typing.get_origin(kind) is dict and isinstance(value, dict):
        item = typing.get_args(kind)[1]
        for key in list(value)[:FIRST]:
            yield from _walk(value[key], item, path + (key,))
    elif typing.get_origin(kind) is list and isinstance(value, list) and value:
        yield from _walk(value[0], typing.get_args(kind)[0], path + (0,))


def _apply(data: dict, path: tuple, wrong: Any) -> dict:
    out = json.loads(json.dumps(data))
    node = out
    for key in path[:-1]:
        node = node[key]
    if wrong is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = wrong
    return out


def _place(directory: Path, where: Path) -> Path:
    """A copy of a result directory whose large parts are links to the original's (only its JSON files
    and sweep.csv are written by the cases)."""
    where.mkdir()
    for item in directory.iterdir():
        if item.suffix in (".json", ".csv"):
            shutil.copy(item, where / item.name)
        elif item.name in ("results.zarr", "results.nc", "sweep.nc"):
            os.symlink(item, where / item.name)
    return where


@pytest.fixture(scope="module")
def results():
    """The run, sweep and compare directories the cases were generated from."""
    if not _EXAMPLES:
        _EXAMPLES.update(_examples())
    return _DIRS


FILES = {"run": "summary.json", "sweep": "summary.json", "compare": "compare.json"}
KIND_KEYS = {("kind", "missing"), ("kind", "null"), ("runs", "missing")}


def _cases() -> list[tuple[str, tuple, str, Any]]:
    """The generated cases: the schemas walked over the files a 40-path run, a sweep and a compare wrote
    (the shapes are what matter, not the values)."""
    return [(kind, path, what, wrong)
            for kind in FILES for path, what, wrong in _walk(_EXAMPLES[kind], SCHEMAS[kind], ())]


def _examples() -> dict[str, dict]:
    """A run's, a sweep's and a compare's JSON as this program writes them, made once at collection."""
    root = Path(tempfile.mkdtemp(prefix="readback-"))  # collection comes before any fixture's tmp_path
    atexit.register(shutil.rmtree, root, True)
    run, other, sw, cmp = root / "run", root / "other", root / "sweep", root / "cmp"
    opts = ["--paths", "40", "--seed", "5", "--assumption-paths", "20", "--no-robustness"]
    main(["run", str(BASE_TOML), *opts, "--out", str(run)])
    main(["run", str(BASE_TOML.parent / "unchanged_policy.toml"), *opts, "--out", str(other)])
    spec = root / "s.toml"
    spec.write_text(f'scenario = "{BASE_TOML}"\n[levers]\n"accounts.tax_rise.kr" = [0.0, 0.5]\n'
                    '"accounts.tax_rise.from_year" = [2026]\n', encoding="utf-8")
    main(["sweep", str(spec), "--paths", "40", "--seed", "5", "--out", str(sw)])
    main(["compare", str(run), str(other), "--out", str(cmp)])
    _DIRS.update(run=run, other=other, sweep=sw, compare=cmp)
    return {"run": json.loads((run / "summary.json").read_text()),
            "sweep": json.loads((sw / "summary.json").read_text()),
            "compare": json.loads((cmp / "compare.json").read_text())}


_EXAMPLES: dict[str, dict] = {}
_DIRS: dict[str, Path] = {}


def _generated() -> list:
    if not _EXAMPLES:
        _EXAMPLES.update(_examples())
    cases = _cases()
    return sample("read-back corpus", cases, ident=_id, keys=(lambda c: c[0], lambda c: c[2]), fraction=SHARE)


def _id(case) -> str:
    kind, path, what, _ = case
    return f"{kind}:{'.'.join(map(str, path))}={what}"


def _read(kind: str, directory: Path, results: dict, capsys) -> tuple[int, str]:
    """What reads the file back: compare (a run's summary), the report's loader (all three)."""
    code = 0
    try:
        if kind == "run":
            main(["compare", str(directory), str(results["other"])])
        load_report([directory])
    except SystemExit as exc:
        code = exc.code
    except ReportInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 2
    captured = capsys.readouterr()
    return code, captured.err


@pytest.mark.parametrize("case", _generated(), ids=_id)
def test_a_wrong_field_in_a_file_read_back_is_one_line(case, results, tmp_path, capsys):
    kind, path, what, wrong = case
    where = _place(results[kind], tmp_path / kind)
    file = where / FILES[kind]
    data = json.loads(file.read_text(encoding="utf-8"))
    file.write_text(json.dumps(_apply(data, path, wrong)), encoding="utf-8")
    code, err = _read(kind, where, results, capsys)
    assert "Traceback" not in err
    # every field the schema declares is checked: the wrong value is refused, naming the file and field
    assert code == 2, (code, err)
    assert err.count("\n") == 1 and err.startswith("error: ") and str(file) in err, err
    # the field is named; a file that lost what tells its kind (a sweep's "kind", compare's "runs") is
    # read as the other kind and refused for that kind's first missing field
    assert str(path[0]) in err or (path[0], what) in KIND_KEYS, err


@pytest.mark.parametrize("text, says", [
    ("[1, 2]", "not a result (a JSON object was expected, got a JSON list)"),
    ('{"goals": null}', "scenario: Field required"),
    ("{not json", "not valid JSON"),
    ('{"a": NaN}', "NaN is not a JSON number"),
])
def test_a_summary_that_is_not_one(text, says, results, tmp_path, capsys):
    where = _place(results["run"], tmp_path / "run")
    (where / "summary.json").write_text(text, encoding="utf-8")
    code, err = _read("run", where, results, capsys)
    assert code == 2 and err.count("\n") == 1 and says in err, err


@pytest.mark.parametrize("change, says", [
    (lambda s: s["goals"]["balance_2030"].pop("probability"), "goals.balance_2030.probability: Field required"),
    (lambda s: s["goals"]["balance_2030"].update(probability="0.3"), "goals.balance_2030.probability"),
    (lambda s: s.update(paths="4000"), "paths: Input should be a valid integer"),
    (lambda s: s.update(years="2025-2040"), "years: Input should be a valid list"),
    (lambda s: s["goals"]["balance_2030"].update(probability=1.5), "less than or equal to 1"),
])
def test_the_issues_cases_each_one_line(change, says, results, tmp_path, capsys):
    """The cases issue 22 found (each was a bare AttributeError, TypeError, KeyError or ValueError)."""
    where = _place(results["run"], tmp_path / "run")
    data = json.loads((where / "summary.json").read_text(encoding="utf-8"))
    change(data)
    (where / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    code, err = _read("run", where, results, capsys)
    assert code == 2 and err.count("\n") == 1 and says in err, err


def test_a_summary_too_large_is_refused_before_it_is_read(results, tmp_path, capsys):
    """A 4 GB summary.json (sparse: no disk used) is refused by its size, not read into memory."""
    where = _place(results["run"], tmp_path / "run")
    with open(where / "summary.json", "r+b") as f:
        f.truncate(4 * 2**30)
    code, err = _read("run", where, results, capsys)
    assert code == 2 and err.count("\n") == 1 and "summary.json" in err and "too large" in err, err


def _cell(text: str, suffix: str, value: str) -> str:
    """sweep.csv with the first row's first column ending in ``suffix`` set to ``value``."""
    lines = text.splitlines()
    header, row = lines[0].split(","), lines[1].split(",")
    row[next(i for i, c in enumerate(header) if c.endswith(suffix))] = value
    return "\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n"


@pytest.mark.parametrize("edit, says", [
    (lambda t: _cell(t, "_probability", "x"), "expected a number in 0..1"),
    (lambda t: _cell(t, "_ci_high", "1.5"), "expected a number in 0..1"),
    (lambda t: _cell(t, "_diff_stderr", "-0.1"), "expected a number in 0..1"),
    (lambda t: t.splitlines()[0] + "\n", "no variants"),
])
def test_a_sweep_csv_that_is_wrong_is_one_line(edit, says, results, tmp_path, capsys):
    where = _place(results["sweep"], tmp_path / "sweep")
    csv = where / "sweep.csv"
    csv.write_text(edit(csv.read_text(encoding="utf-8")), encoding="utf-8")
    code, err = _read("sweep", where, results, capsys)
    assert code == 2 and err.count("\n") == 1 and "sweep.csv" in err and says in err, err


def test_a_grid_is_counted_before_it_is_built(tmp_path, capsys):
    """12 levers of 10 values: 10^12 variants are refused at once, by count (was a MemoryError)."""
    fields = ["accounts.tax_rise.kr", "economy.inflation.volatility_pa", "economy.short_rate.volatility_pa",
              "economy.equity_sweden.volatility_pa", "economy.equity_global.volatility_pa",
              "economy.tax_base.volatility_pa", "economy.long_rate.volatility_pa", "economy.term_spread.volatility_pa",
              "pension.risk_rule.equity_cap_frac", "policy.reaction.strength_frac", "accounts.tax_rise.from_year",
              "pension.deposits.share_of_result_frac"]
    levers = "\n".join(f'"{f}" = [{", ".join(str(0.01 * (i + 1)) for i in range(10))}]' for f in fields)
    spec = tmp_path / "grid.toml"
    spec.write_text(f'scenario = "{BASE_TOML}"\n[levers]\n{levers}\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["sweep", str(spec), "--paths", "10", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and "1000000000000 variants; at most 10000" in err, err
    assert not (tmp_path / "out").exists()
