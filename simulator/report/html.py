"""The HTML report: the report model -> sections of formatted text, tables and charts -> one
self-contained file (jinja2 templates in ``templates/``; CSS inline, charts as ``data:`` URIs, no script).

Sections appear in a fixed order, each only when its data exist (see docs/report.md): page 1
(``page_one``), the sections after it (``sections``), the sweep and the paired differences
(``sweep_section``). Text is escaped by jinja2's autoescaping; a range such as "3,6–5,4 %" or
"2027–2030" is kept on one line by a span the CSS does not break (no invisible character in the text, so
what a reader copies is what they see).
"""

from __future__ import annotations

import re
from datetime import date

import jinja2
from markupsafe import Markup, escape

from simulator import __version__, code_revision
from simulator.i18n import t
from simulator.report import formatting as fmt
from simulator.report import page_one, sections, sweep_section
from simulator.report.data import Report, Run
from simulator.report.parts import (  # noqa: F401  (the names the tests and the terminal read from here)
    FAN_VARIABLES,
    MAIN_ASSUMPTIONS,
    Section,
    interval_sentence,
    policy_label,
    report_title,
    run_labels,
)

#: a number range or a year span ("3,6–5,4", "2027–2030"): a word holding a digit before an en dash
_RANGE = re.compile(r"\d" + fmt.EN_DASH)


def _keep_ranges_whole(value):
    """Text escaped, each word holding a range inside a span that does not break ("3,6–5,4 %",
    "2027–2030"); text without a range (a chart's data URI) as it is. Linear in the text's length."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    escaped = str(escape(value))
    if fmt.EN_DASH not in escaped:
        return Markup(escaped)
    words = re.split(r"(\s+)", escaped)
    return Markup("".join(f'<span class="nw">{w}</span>' if _RANGE.search(w) else w for w in words))


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("simulator.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]), finalize=_keep_ranges_whole,
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def render(report: Report, lang: str = "sv", today: date | None = None,
           sections: list[Section] | None = None) -> str:
    """The whole report as one HTML document (``sections``: already built ones, else built here)."""
    sections = build_sections(report, lang) if sections is None else sections
    template = _env().get_template("report.html.j2")
    return template.render(
        lang=lang, t=lambda key, **kw: t(key, lang, **kw), sections=sections,
        title=report_title(report, lang), subtitle=_subtitle(report.main, lang),
        generated=t("report.generated", lang, date=(today or date.today()).isoformat(), version=__version__,
                    code=code_revision() or fmt.DASH))


def _subtitle(run: Run, lang: str) -> str:
    p = run.provenance
    if run.deterministic:
        return t("report.subtitle_deterministic", lang, date=p.date or fmt.DASH)
    return t("report.subtitle", lang, paths=fmt.number(p.paths, 0, lang), seed=p.seed, date=p.date or fmt.DASH)


def build_sections(report: Report, lang: str) -> list[Section]:
    builders = (page_one.answers, sections.goals, sections.comparison, sections.reaction, sections.fans,
                sections.equity, sections.tornado, sections.attribution, sweep_section.sweep,
                sweep_section.paired_section, sections.scenario, sections.provenance)
    return [s for s in (b(report, lang) for b in builders) if s is not None]
