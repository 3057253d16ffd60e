"""The HTML report: self-contained, Swedish by default, the sections in order and only with their data,
the three answers first, and the charts drawn from the runs' numbers."""

import re
from html.parser import HTMLParser

import numpy as np
import pytest

from simulator.report.formatting import NBSP, interval, percent, setting_label
from simulator.i18n import t
from tests.test_report_support import read_summary, rendered, runs  # noqa: F401

# the base scenario's run: the reaction rule, assumptions and attribution are in every run today
TODAY = ["answers", "goals", "reaction", "fans", "equity", "tornado", "attribution", "scenario", "provenance"]
FULL = ["answers", "goals", "comparison", "reaction", "fans", "equity", "tornado", "attribution", "paired",
        "scenario", "provenance"]


class Resources(HTMLParser):
    """Collects what a browser would fetch or run: sources, links, scripts, styles, sections."""

    def __init__(self):
        super().__init__()
        self.tags, self.urls, self.sections, self.lang = [], [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "section":
            self.sections.append(attrs["id"])
        for name in ("src", "href", "srcset", "data", "poster", "action"):
            if attrs.get(name):
                self.urls.append((tag, attrs[name]))


def parse(text: str) -> Resources:
    r = Resources()
    r.feed(text)
    return r


def assert_self_contained(text: str) -> Resources:
    r = parse(text)
    assert not {"script", "link", "iframe", "object", "embed", "base"} & set(r.tags)
    for tag, url in r.urls:
        assert (tag == "img" and url.startswith("data:image/svg+xml;base64,")) or \
               (tag == "a" and url.startswith("#")), (tag, url[:60])
    style = text.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    return r


def visible(text: str) -> str:
    """The page's text as a reader sees it: the spans that keep ranges on one line taken out."""
    return re.sub(r'<span class="nw">(.*?)</span>', r"\1", text)


def test_todays_run_in_swedish(runs, rendered):
    _, _, text = rendered("base")
    r = assert_self_contained(text)
    assert r.lang == "sv" and r.sections == TODAY
    assert "Tre svar" in text and "Ekonomi i balans" in text and "konfidensintervall" in text
    summary = read_summary(runs["base"])
    g = summary["goals"]["balance_2030"]
    # the first answer is the balance goal's probability, in words, with its interval
    first = text.split('<article class="answer">', 2)[1]
    assert percent(g["probability"], word=True) in first
    lo, hi = interval(*g["ci95"]).split(NBSP)[0].split("–")
    assert f'<span class="nw">{lo}–{hi}</span>' in first  # kept on one line by the CSS
    assert "\u2060" not in text  # no invisible character: what a reader copies is what they see
    assert "Har regionen ekonomi i balans 2030?" in first
    # both measures of the pension goal are answered, the booked one with its own probability
    booked = summary["goals"]["consolidation_booked_2040"]
    assert percent(booked["probability"], word=True) in text and "bokförda avsättningen enbart" in text
    # what the interval covers, in Swedish (summary.json's interval_covers is the English sentence)
    assert summary["interval_covers"].startswith("Simulation error only")
    assert t("text.interval_covers_default", "sv") in text
    assert t("text.interval_covers_parameters", "sv") not in text


def test_english(rendered):
    _, _, text = rendered("base", lang="en")
    r = assert_self_contained(text)
    assert r.lang == "en" and "Three answers" in text and "Tre svar" not in text
    assert "Sannolikhet" not in text.split("<main>", 1)[1].split('id="goals"', 1)[0]


def test_everything_the_coming_outputs_allow(runs, rendered):
    _, _, text = rendered("reaction", "unchanged", "det")
    r = assert_self_contained(text)
    assert r.sections == FULL
    summary = read_summary(runs["reaction"])
    assert t("text.interval_covers_default", "sv") in text
    assert "inte måttet på den bokförda" not in text
    # the runs are named by their scenarios' titles ([report]), the policy in force in the reaction section
    assert summary["policy"]["name"] == "åtgärdsplan" and "Reaktionsregel i kraft: åtgärdsplan" in text
    assert "Basscenariot: Regionplan 2025–2027 med regionens åtgärdsplan" in visible(text)
    assert "Oförändrad politik: utan regionens åtgärdsplan" in text
    # page 1 says which runs the report holds
    first = visible(text).split('<section id="answers"', 1)[1].split("</section>", 1)[0]
    assert "Rapporten visar:" in first and "Oförändrad politik" in first and "Planen utan störningar" in first
    assert summary["scenario_sha256"] in text


def test_fan_charts_hold_the_summary_and_the_zero_shock_path(runs, rendered):
    _, sections, _ = rendered("reaction", "unchanged", "det")
    summary, det = read_summary(runs["reaction"]), read_summary(runs["det"])
    fans = sections["fans"]
    for name in ("result_msek", "balance_requirement_result_msek", "equity_msek", "loans_msek",
                 "consolidation_ratio", "consolidation_ratio_booked", "inflation", "short_rate", "long_rate",
                 "equity_return", "tax_base_growth"):
        chart = fans.chart(f"fan.{name}")
        assert chart is not None, name
        for q in ("p5", "p25", "p50", "p75", "p95"):
            np.testing.assert_allclose(chart.data[q], summary["percentiles"][name][q])
        if name in det["percentiles"]:
            np.testing.assert_allclose(chart.data["overlay"], det["percentiles"][name]["p50"])
        else:  # the deterministic run of today has no booked measure: no line rather than a wrong one
            assert chart.data["overlay"] is None
    assert fans.chart("fan.consolidation_ratio").data["reference"] == 1.0
    assert fans.chart("fan.loans_msek").data["reference"] == 700.0  # the loan limit from the scenario
    assert fans.chart("fan.result_share_of_tax_and_grants").data["reference"] == 0.02  # the goal's threshold


def test_the_reaction_rule_the_tornado_and_the_attribution(runs, rendered):
    report, sections, _ = rendered("reaction", "unchanged", "det")
    run = report.main
    savings = sections["reaction"].chart("reaction.reaction_savings_msek")
    np.testing.assert_allclose(savings.data["series"]["Medianutfallet"], run.instruments[0].median)
    np.testing.assert_allclose(savings.data["series"]["Dåliga utfall (90:e percentilen)"], run.instruments[0].bad)
    paused = sections["reaction"].chart("reaction.reaction_deposits_paused")
    np.testing.assert_allclose(paused.data["series"]["Andel utfall"], run.instruments[2].share_used)
    tornado = sections["tornado"].chart("tornado.balance_2030")
    a = read_summary(runs["reaction"])["assumptions"]
    swings = {p: abs(v["high"]["goals"]["balance_2030"] - v["low"]["goals"]["balance_2030"]) for p, v in a.items()}
    widest = max(swings, key=swings.get)
    assert tornado.data["parameters"][0].startswith(setting_label(widest, "sv"))
    assert tornado.data["base"] == run.goal("balance_2030").probability
    # the answers' goals only (all goals are in the workbook)
    captions = {tb["caption"] for tb in sections["attribution"].tables}
    attributed = read_summary(runs["reaction"])["attribution"]
    answers = {"balance_2030", *(a.goal.name for a in report.consolidation_answers() if a.when == "end")}
    assert captions == {run.goal(g).label("sv") for g in answers if g in attributed}
    assert "balance_2030" in attributed
    paired = sections["paired"].chart("paired")
    d = next(x for x in report.others[0].goals if x.name == "balance_2030")
    k = paired.data["labels"].index(run.goal("balance_2030").label("sv"))
    assert paired.data["groups"]["Oförändrad politik: utan regionens åtgärdsplan"]["values"][k] == pytest.approx(
        d.probability - run.goal("balance_2030").probability)


def test_equity_share_section(runs, rendered):
    report, sections, _ = rendered("base")
    section = sections["equity"]
    monthly = section.chart("equity.monthly")
    np.testing.assert_allclose(monthly.data["p50"], report.main.equity_monthly.fan.p50)
    assert monthly.data["reference"] == pytest.approx(0.761)
    depth = section.chart("equity.depth")
    np.testing.assert_allclose(depth.data["shares"], report.main.equity_monthly.depth.shares)
    breach = section.chart("equity.breach")
    summary = read_summary(runs["base"])
    np.testing.assert_allclose(breach.data["values"], summary["risks"]["protection_breach"]["probability_by_year"])
    months = section.chart("equity.derisk_months")
    np.testing.assert_allclose(months.data["values"], summary["risks"]["derisking"]["mean_months_by_year"])


def test_a_deterministic_run_says_met_or_not_met(runs, rendered):
    _, _, text = rendered("det")
    assert_self_contained(text)
    summary = read_summary(runs["det"])
    first = text.split('<article class="answer">', 2)[1]
    met = summary["goals"]["balance_2030"]["probability"] == 1.0
    assert ("uppfyllt" if met else "ej uppfyllt") in first
    assert "konfidensintervall" not in first and f"100,0{NBSP}procent" not in text
    assert "ett enda utfall utan slumpmässiga störningar" in text


def test_a_sweep_directory(rendered):
    report, sections, text = rendered("sweep")
    assert list(sections) == ["sweep", "scenario", "provenance"]
    sweep = sections["sweep"]
    heat = sweep.chart("heatmap.balance_2030.0")
    table = report.main.sweep.table
    np.testing.assert_allclose(heat.data["values"], table["balance_2030_probability"].to_numpy().reshape(2, 3))
    # the heat map's axes are the levers it shows (issue 20, point 3): rows the tax rise, columns the savings
    assert heat.data["row_label"] == "Skattehöjning (kr)"
    assert heat.data["col_label"] == "Sparprogram, andel av kostnaderna per år: 2026"
    assert heat.data["axes"][0]["xlabel"] == heat.data["col_label"]
    assert heat.data["axes"][0]["xticks"] == ["0,0\u00a0%", "1,0\u00a0%", "2,0\u00a0%"]
    # each answer's probability against what the levers cost (MSEK a year), not against the other goal
    frontier = sweep.chart("frontier.balance_2030")
    costs = table["cost_tax_raised_msek_per_year"] + table["cost_savings_msek_per_year"]
    np.testing.assert_allclose(frontier.data["x"], costs)
    np.testing.assert_allclose(frontier.data["y"], table["balance_2030_probability"])
    assert "mnkr per år" in frontier.data["axes"][0]["xlabel"]
    assert_self_contained(text)
    assert "(referens)" in text and "skatt +0,00" in text and "Skattehöjning (kr)" in text
    assert "Sparprogram, andel av kostnaderna per år: 2026" in text


def test_a_short_table_is_kept_whole_on_a_printed_page(rendered):
    """A table of at most 12 rows is marked short, and the print CSS keeps it whole: the PDF once ended page
    2 with the risk table's caption and header alone (its rows on page 3)."""
    _, _, text = rendered("base")
    tables = re.findall(r'<table class="([^"]*)">(.*?)</table>', text, flags=re.S)
    assert tables
    for classes, body in tables:
        rows = body.split("<tbody>", 1)[1].count("<tr>")
        assert ("short" in classes.split()) == (rows <= 12), (classes, rows)
    assert re.search(r"@media print \{.*table\.short[^{]*\{ break-inside: avoid; \}", text, flags=re.S)
