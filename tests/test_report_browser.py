"""The report in a real browser: headless Chromium (Debian's package) opens it with no console error and
no network request, a screenshot is neither blank nor cut, and the printed PDF is A4 with a page break
before each section.

Requests and console messages are watched over the DevTools protocol on a pipe (``--remote-debugging-
pipe``): Chromium reports every request the page makes (``Network.requestWillBeSent``, data: URIs
included) and every console message and exception, so the check does not depend on log formats. A
negative control (a page that does fetch and does log) shows the watch would see a failure.
"""

import subprocess

import numpy as np
import pytest
from matplotlib.image import imread

from simulator.report import write_report
from simulator.report.formatting import percent
from simulator.report.pdf import chromium_command, run_chromium
from tests.test_report_support import (  # noqa: F401
    CHROMIUM, DevTools, copy_run, needs_chromium, needs_poppler, read_summary, rendered, runs,
)

pytestmark = needs_chromium
WIDTH, FIRST_SCREEN, TALL = 1280, 1000, 3200
NEW_PAGE = ("goals", "reaction", "fans", "equity", "sweep", "provenance")  # report.css: break-before


@pytest.fixture(scope="module")
def full_report(runs, tmp_path_factory):
    """The richest report (reaction rule, unchanged policy beside it, zero-shock path), with its PDF."""
    d = copy_run(runs["reaction"], tmp_path_factory.mktemp("browser") / "reaction")
    write_report([d, runs["unchanged"], runs["det"]], pdf=True)
    return d


@pytest.fixture(scope="module")
def browser():
    devtools = DevTools()
    yield devtools
    devtools.close()


def test_opens_with_no_console_error_and_no_network_request(full_report, browser):
    url = (full_report / "report.html").as_uri()
    browser.events.clear()
    browser.load(url)
    requests = browser.requests()
    assert requests and requests[0] == url
    assert [r[:40] for r in requests if r != url and not r.startswith("data:image/svg+xml;base64,")] == []
    assert len(requests) > 20  # the charts were loaded, from the file itself
    assert browser.errors() == []
    assert browser.evaluate("document.documentElement.lang") == "sv"
    assert browser.evaluate("document.querySelectorAll('section').length") == 11
    # every chart decoded: an image that failed would have naturalWidth 0
    assert browser.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)") is True


def test_the_watch_sees_requests_and_errors(tmp_path, browser):
    """Negative control: a page that loads from the network and logs an error is caught."""
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html><body><img src="http://report-test.invalid/x.png">'
                    '<script>console.error("broken")</script></body></html>')
    browser.events.clear()
    browser.load(page.as_uri())
    assert "http://report-test.invalid/x.png" in browser.requests()
    assert any("broken" in e for e in browser.errors())


def test_screenshot_is_neither_blank_nor_cut(full_report, tmp_path):
    shot = tmp_path / "shot.png"
    args = chromium_command(CHROMIUM, tmp_path / "profile", "--hide-scrollbars", f"--window-size={WIDTH},{TALL}",
                            f"--screenshot={shot}", (full_report / "report.html").as_uri())
    done = run_chromium(args, timeout=60)
    assert done.returncode == 0 and shot.exists(), done.stderr[-300:]
    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (TALL, WIDTH)
    ink = (pixels < 0.9).any(axis=2)  # anything not (near) white
    assert pixels.std() > 0.05 and ink.mean() > 0.02  # not one colour
    assert ink[:FIRST_SCREEN].mean() > 0.02  # the first screen has the three answers
    assert ink[FIRST_SCREEN:].mean() > 0.02 and ink[-400:].any()  # and the page goes on below it
    # the answer boxes' accent colour (#0072B2) is drawn: the CSS was applied
    accent = (np.abs(pixels - np.array([0x00, 0x72, 0xB2]) / 255).max(axis=2) < 0.05)
    assert accent[:FIRST_SCREEN].sum() > 500


def pdftotext(pdf, page=None):
    args = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    text = subprocess.run([*args, str(pdf), "-"], capture_output=True, check=True, timeout=60).stdout
    return text.decode("utf-8").replace("\u00a0", " ")


@needs_poppler
def test_pdf_is_a4_with_a_page_per_section(full_report, rendered):
    pdf = full_report / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, timeout=60).stdout.decode()
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    pages = int(fields["Pages"])
    assert "A4" in fields["Page size"]
    sections = list(rendered("reaction", "unchanged", "det")[1].values())  # the same report's sections
    assert pages <= 2 * len(sections)  # no half-empty pages of one chart each (issue 20, point 6)
    firsts = []
    for page in range(1, pages + 1):
        lines = [ln.strip() for ln in pdftotext(pdf, page).splitlines() if ln.strip()]
        firsts.append(lines[0] if lines else "")
    # page 1 opens with the masthead and the first section; the big sections open a page, in order, the
    # small ones follow on the page before them (report.css)
    assert firsts[0].startswith("REGION JÄMTLAND HÄRJEDALEN")
    opened = [s.title for s in sections if s.id in NEW_PAGE]
    assert [f for f in firsts if f in opened] == opened
    text = pdftotext(pdf)
    goal = read_summary(full_report)["goals"]["balance_2030"]
    assert "Tre svar" in text and percent(goal["probability"], word=True).replace("\u00a0", " ") in text
    assert "Har regionen ekonomi i balans 2030?" in text
