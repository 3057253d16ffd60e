"""The report read as the committee reads it (issue 20): the visible text of the Swedish HTML and of the
printed PDF (pdftotext) holds no identifier and no English word outside the provenance section, names
every goal (no table cut off in print), carries no invisible character, and page 1 says which runs it
holds and gives its amounts with their units."""

import html
import re
import subprocess

import pytest

from simulator.report import write_report
from simulator.report.data import load_report
from tests.test_report_support import copy_run, needs_chromium, needs_poppler, runs  # noqa: F401

pytestmark = [needs_chromium, needs_poppler]

#: English words a Swedish reader must not meet (the words of the earlier report's slips among them)
ENGLISH = {"the", "and", "of", "with", "without", "savings", "tax", "share", "surplus", "none", "fixed",
           "base", "rule", "probability", "paths", "path", "report", "run", "goal", "goals", "year", "years",
           "months", "reference", "policy", "order", "deposits", "equity", "interval", "variants", "unchanged"}
IDENTIFIER = re.compile(r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b")  # snake_case: a key, not a word
KEY_VALUE = re.compile(r"\b[\w.]+=[\w.\-]+")  # pct_per_year=3.0


def offending(text: str) -> dict[str, set[str]]:
    words = {w for w in re.findall(r"[^\W\d_]+", text) if w.lower() in ENGLISH}
    return {k: v for k, v in (("identifiers", set(IDENTIFIER.findall(text))), ("key=value", set(KEY_VALUE.findall(text))),
                              ("english", words)) if v}


def visible_html(path) -> str:
    """What a reader sees of the page before the provenance section: no tags, styles or images."""
    text = path.read_text(encoding="utf-8").split('<section id="provenance"', 1)[0]
    text = re.sub(r"<style>.*?</style>|<title>.*?</title>", " ", text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def pdf_pages(path) -> list[str]:
    # -raw: the text in the order the page holds it (a table's header cell whole, however it wraps)
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                         timeout=60).stdout.decode("utf-8")
    return out.replace("\u00a0", " ").split("\f")


def before_provenance(pages: list[str]) -> str:
    """The PDF's text up to the page the provenance section opens (it starts a page)."""
    end = next((i for i, p in enumerate(pages) if p.lstrip().startswith("Ursprung")), len(pages))
    return "\n".join(pages[:end])


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def printed(runs, tmp_path_factory):
    """The full Swedish report (the base, oförändrad politik, the zero-shock plan) and the sweep's, printed."""
    root = tmp_path_factory.mktemp("words")
    full = copy_run(runs["reaction"], root / "reaction")
    write_report([full, runs["unchanged"], runs["det"]], pdf=True)
    sweep = copy_run(runs["sweep"], root / "sweep")
    write_report([sweep], pdf=True)
    return {"full": full, "sweep": sweep}


@pytest.mark.parametrize("which", ["full", "sweep"])
def test_the_swedish_report_holds_no_identifier_and_no_english_word(printed, which):
    d = printed[which]
    assert offending(visible_html(d / "report.html")) == {}
    assert offending(before_provenance(pdf_pages(d / "report.pdf"))) == {}


def test_the_check_sees_what_the_earlier_report_printed():
    """Negative control: the slips issue 20 found are caught."""
    earlier = ("Ordning mellan åtgärderna: savings, tax; regel: share_of_surplus; Rapport: scenario base; "
               "longest_spell_months_percentiles; pct_per_year=3.0,kr=1.0")
    found = offending(earlier)
    assert found["identifiers"] == {"share_of_surplus", "longest_spell_months_percentiles", "pct_per_year"}
    assert "pct_per_year=3.0" in found["key=value"] and {"savings", "tax", "base"} <= found["english"]


@pytest.mark.parametrize("which", ["full", "sweep"])
def test_every_goal_is_named_in_the_pdf(printed, which):
    """No table is cut in print: every goal's description is in the PDF's text (issue 20, point 4)."""
    report = load_report([printed[which]])
    run = report.main
    descriptions = ([g.description for g in run.goals] if run.goals
                    else list(run.sweep.goal_descriptions.values()))
    assert len(descriptions) >= 6
    text = flat(before_provenance(pdf_pages(printed[which] / "report.pdf")))
    assert [d for d in descriptions if flat(d) not in text] == []


def test_the_konsolideringsgrad_is_on_the_first_pages(printed):
    pages = pdf_pages(printed["full"] / "report.pdf")
    assert any("Konsoliderings" in p for p in pages[:4])


def test_page_one_says_what_the_report_holds_with_units(printed):
    first = flat(pdf_pages(printed["full"] / "report.pdf")[0])
    assert "Rapporten visar:" in first
    for run in ("Basscenariot", "Oförändrad politik", "Planen utan störningar"):
        assert run in first
    assert "464,1 mnkr senast 2028" in first  # an amount with its unit
    assert "simulerade utfall" in first and " banor" not in first  # a politician reads outcomes, not paths
    assert "frö 42" not in first or "startvärde" in first  # the seed explained once


@pytest.mark.parametrize("which", ["full", "sweep"])
def test_no_invisible_character_in_what_a_reader_copies(printed, which):
    d = printed[which]
    assert "\u2060" not in (d / "report.html").read_text(encoding="utf-8")
    assert not any("\u2060" in p for p in pdf_pages(d / "report.pdf"))


def test_a_report_run_again_without_pdf_removes_the_old_pdf(printed, tmp_path, runs):
    """A folder never holds two different reports (issue 20, point 9)."""
    d = copy_run(runs["reaction"], tmp_path / "r")
    write_report([d], pdf=True, xlsx=True, csv=True)
    assert (d / "report.pdf").is_file() and (d / "tables.xlsx").is_file() and (d / "tables" / "goals.csv").is_file()
    write_report([d])
    assert (d / "report.html").is_file()
    assert not (d / "report.pdf").exists() and not (d / "tables.xlsx").exists() and not (d / "tables").exists()
