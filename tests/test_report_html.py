"""The HTML report: self-contained, Swedish by default, the sections in order and only with their data,
the three answers first, and the charts drawn from the runs' numbers."""

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
    assert interval(*g["ci95"]).replace("–", "–\u2060") in first  # kept on one line
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
    # the runs are named by their policy: the base's named rule, and the scenario without one
    assert summary["policy"]["name"] == "åtgärdsplan" and "Med reaktionsregel (åtgärdsplan)" in text
    assert "Oförändrad politik" in text
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
    np.testing.assert_allclose(savings.data["series"]["Medianbanan"], run.instruments[0].median)
    np.testing.assert_allclose(savings.data["series"]["Dåliga banor (90:e percentilen)"], run.instruments[0].bad)
    paused = sections["reaction"].chart("reaction.reaction_deposits_paused")
    np.testing.assert_allclose(paused.data["series"]["Andel banor"], run.instruments[2].share_used)
    tornado = sections["tornado"].chart("tornado.balance_2030")
    a = read_summary(runs["reaction"])["assumptions"]
    swings = {p: abs(v["high"]["goals"]["balance_2030"] - v["low"]["goals"]["balance_2030"]) for p, v in a.items()}
    widest = max(swings, key=swings.get)
    assert tornado.data["parameters"][0].startswith(setting_label(widest, "sv"))
    assert tornado.data["base"] == run.goal("balance_2030").probability
    # the answers' goals only (all goals are in the workbook)
    captions = {tb["caption"] for tb in sections["attribution"].tables}
    attributed = read_summary(runs["reaction"])["attribution"]
    answers = {"balance_2030", *(a.goal.name for a in report.consolidation_answers())}
    assert captions == {run.goal(g).label("sv") for g in answers if g in attributed}
    assert "balance_2030" in attributed
    paired = sections["paired"].chart("paired")
    d = next(x for x in report.others[0].goals if x.name == "balance_2030")
    k = paired.data["labels"].index(run.goal("balance_2030").label("sv"))
    assert paired.data["groups"]["Oförändrad politik"]["values"][k] == pytest.approx(
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
    assert "en enda bana utan slumpmässiga störningar" in text


def test_a_sweep_directory(rendered):
    report, sections, text = rendered("sweep")
    assert list(sections) == ["sweep", "scenario", "provenance"]
    sweep = sections["sweep"]
    heat = sweep.chart("heatmap.balance_2030.0")
    table = report.main.sweep.table
    np.testing.assert_allclose(heat.data["values"], table["balance_2030_probability"].to_numpy().reshape(2, 3))
    frontier = sweep.chart("frontier")
    np.testing.assert_allclose(frontier.data["x"], table["balance_2030_probability"])
    np.testing.assert_allclose(frontier.data["y"], table["consolidation_2040_probability"])
    assert_self_contained(text)
    reference = table["variant"].iloc[0]
    assert f"{reference} (referens)" in text and "Skattehöjning (kr)" in text
    assert "Sparprogram, andel av kostnaderna per år: 2026" in text
