"""`simulator report`: what it writes, and one line with exit 2 for bad input."""

import pytest

from simulator.cli import main
from tests.test_report_support import copy_run, runs  # noqa: F401


def report(args):
    try:
        main(["report", *args])
        return 0
    except SystemExit as exc:
        return exc.code


def test_writes_the_report_beside_the_results(tmp_path, runs, capsys):
    d = copy_run(runs["det"], tmp_path / "det")
    assert report([str(d), "--lang", "en", "--csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"-> {d / 'report.html'}" and all(line.startswith("-> ") for line in out)
    html = (d / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "not met" in html
    assert (d / "tables" / "goals.csv").exists() and not (d / "tables.xlsx").exists()


@pytest.mark.parametrize("make, args, message", [
    (lambda p: p / "nowhere", [], "no such directory"),
    (lambda p: p, [], "not a result directory (no summary.json)"),
    (None, ["--lang", "de"], "--lang: unknown language 'de' (choose sv or en)"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, runs, capsys, make, args, message):
    target = make(tmp_path) if make else runs["base"]
    assert report([str(target), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert not (runs["base"] / "report.html").exists()


def test_pdf_without_chromium_is_exit_1_and_writes_nothing(tmp_path, runs, capsys, monkeypatch):
    monkeypatch.setenv("SIMULATOR_CHROMIUM", str(tmp_path / "no-chromium"))
    d = copy_run(runs["det"], tmp_path / "det")
    assert report([str(d), "--pdf"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Chromium not found" in err and "nothing was written" in err
    assert not (d / "report.html").exists() and not (d / "report.pdf").exists()
