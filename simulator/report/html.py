"""The HTML report: the report model -> sections of formatted text, tables and charts -> one
self-contained file (jinja2 templates in ``templates/``; CSS inline, charts as ``data:`` URIs, no script).

Sections appear in a fixed order, each only when its data exist (see docs/report.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Sequence

import jinja2
import numpy as np

from simulator import __version__
from simulator.i18n import has, t
from simulator.report import charts
from simulator.report import formatting as fmt
from simulator.report.data import (
    Goal,
    PairedDifference,
    Report,
    Run,
    paired_differences,
    scenario_value,
    sweep_grids,
    value_kind,
)
from simulator.report.formatting import lever_text, setting_label, setting_text

#: Fan charts per year, in this order: (variable, where its reference line comes from).
FAN_VARIABLES = (
    ("result_msek", None), ("result_share_of_tax_and_grants", "goal"),
    ("balance_requirement_result_msek", "zero"), ("equity_msek", "zero"), ("loans_msek", "loan_limit"),
    ("consolidation_ratio", "one"), ("consolidation_ratio_booked", "one"),
    ("inflation", "inflation_target"), ("short_rate", None), ("long_rate", None), ("equity_return", None),
    ("tax_base_growth", None),
)
#: The scenario's main assumptions and levers, by dotted path (as ``--set`` names them).
MAIN_ASSUMPTIONS = (
    "accounts.tax_rate_kr", "accounts.tax_rate_from_year_kr", "accounts.tax_rise.kr", "accounts.tax_rise.from_year",
    "accounts.savings_programme.pct_by_year", "accounts.savings_programme.msek_by_year",
    "accounts.savings_programme.pct_per_year", "accounts.savings_programme.from_year",
    "accounts.savings_programme.to_year", "accounts.budget_deviation.mean_frac",
    "accounts.budget_deviation.volatility_frac", "accounts.budget_deviation.persistence",
    "accounts.after_plan.general_grants_growth_pa", "accounts.after_plan.investments_msek",
    "accounts.financing.loan_limit_msek", "accounts.financing.debt_ceiling_frac", "economy.inflation.target_pa",
    "economy.wage.real_growth_pa", "economy.equity.calm.sweden_log_drift_pa", "economy.equity.calm.global_log_drift_pa",
    "economy.tax_base.real_long_run_growth_pa", "pension.obligation.rips_real_rate_pa",
    "pension.portfolio.strategic_equity_share_frac", "pension.risk_rule.equity_cap_frac",
    "pension.risk_rule.protection_frac", "pension.risk_rule.window_months",
    "pension.risk_rule.rebalance_every_months", "pension.deposits.policy",
    "pension.deposits.surplus_share_frac",
)
COMPARISON = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
ANSWER_YEARS = (2030,)


@dataclass
class Section:
    id: str
    title: str
    intro: str = ""
    paragraphs: list[str] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)  # {"caption", "header", "rows", "note"}
    charts: list[charts.Chart] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)  # only the first section

    def add(self, key: str, chart: charts.Chart) -> None:
        self.charts.append(replace(chart, key=key))

    def chart(self, key: str) -> charts.Chart | None:
        return next((c for c in self.charts if c.key == key), None)


WORD_JOINER = "\u2060"


def _keep_ranges_whole(value: Any) -> Any:
    """No line break inside "3,6–5,4 %" or "2027–2030": a word joiner after each en dash."""
    return value.replace(fmt.EN_DASH, fmt.EN_DASH + WORD_JOINER) if isinstance(value, str) else value


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("simulator.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]), finalize=_keep_ranges_whole,
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def render(report: Report, lang: str = "sv", today: date | None = None,
           sections: list[Section] | None = None) -> str:
    """The whole report as one HTML document (``sections``: already built ones, else built here)."""
    sections = build_sections(report, lang) if sections is None else sections
    run = report.main
    template = _env().get_template("report.html.j2")
    return template.render(
        lang=lang, t=lambda key, **kw: t(key, lang, **kw), sections=sections,
        title=t("report.title", lang, scenario=run.provenance.scenario or run.directory.name),
        subtitle=_subtitle(run, lang),
        generated=t("report.generated", lang, date=(today or date.today()).isoformat(), version=__version__))


def _subtitle(run: Run, lang: str) -> str:
    p = run.provenance
    if run.deterministic:
        return t("report.subtitle_deterministic", lang, date=p.date or fmt.DASH)
    return t("report.subtitle", lang, paths=fmt.number(p.paths, 0, lang), seed=p.seed, date=p.date or fmt.DASH)


def build_sections(report: Report, lang: str) -> list[Section]:
    builders = (_answers, _goals, _comparison, _reaction, _fans, _equity, _tornado, _attribution,
                _sweep, _paired, _scenario, _provenance)
    return [s for s in (b(report, lang) for b in builders) if s is not None]


# ---------------------------------------------------------------------------------------- helpers

def run_label(run: Run, lang: str) -> str:
    """How a run is named beside others: the zero-shock plan, else its reaction rule, else its scenario."""
    if run.deterministic:
        return t("run.deterministic", lang)
    return policy_label(run, lang) or run.provenance.scenario or run.directory.name


def policy_label(run: Run, lang: str) -> str | None:
    """"Oförändrad politik" or "Med reaktionsregel (name)"; None when the summary names no policy."""
    if run.policy is None:
        return None
    return t("run.unchanged", lang) if run.policy.unchanged else t("run.policy", lang, name=run.policy.name)


def run_labels(runs: Sequence[Run], lang: str) -> list[str]:
    labels = [run_label(r, lang) for r in runs]
    return [f"{lab} ({r.directory.name})" if labels.count(lab) > 1 else lab for lab, r in zip(labels, runs)]


def paired(report: Report, lang: str) -> list[PairedDifference]:
    labels = run_labels([report.main, *report.others], lang)[1:]
    return paired_differences(report.main, report.others, labels, lang)


def goal_year(goal: Goal) -> str:
    if goal.definition is not None and goal.definition.years:
        return str(goal.definition.years[-1])
    match = re.search(r"(19|20)\d\d", goal.name)
    return match.group(0) if match else ""


def _metric_kind(run: Run, metric: str | None) -> str:
    if metric is None:
        return "number"
    return run.variable(metric).kind


def describe_goal(goal: Goal, run: Run, lang: str) -> str:
    """The goal's definition in words: measure, comparison, threshold and years, or its parts."""
    d = goal.definition
    if d is None:
        return goal.description or goal.name
    if d.all_of:
        parts = [(run.goal(n).label(lang) if run.goal(n) else n) for n in d.all_of]
        return t("def.all_of", lang, parts="; ".join(parts))
    kind = _metric_kind(run, d.metric)
    threshold = fmt.value(d.threshold, kind, lang) if d.threshold is not None else ""
    years = list(d.years)
    when = {"all": "def.when_all", "any": "def.when_any", "last": "def.when_last"}.get(d.aggregate or "")
    when_text = t(when, lang, years=fmt.year_span(years), year=years[-1] if years else "") if when else ""
    metric = run.variable(d.metric).label(lang) if d.metric else ""
    return t("def.metric", lang, metric=metric, comparison=COMPARISON.get(d.comparison or "", d.comparison or ""),
             threshold=threshold, when=when_text)


def denominator(goal: Goal, lang: str) -> str:
    metric = goal.definition.metric if goal.definition else None
    return t(f"denominator.{metric}", lang) if metric and has(f"denominator.{metric}") else ""


def _fan_labels(lang: str, overlay: str = "overlay.zero_shock") -> dict[str, str]:
    return {"band_90": t("chart.band_90", lang), "band_50": t("chart.band_50", lang),
            "median": t("chart.median", lang), "overlay": t(overlay, lang)}


def _unit_label(kind: str, lang: str) -> str:
    return t(f"unit.axis_{kind}", lang) if has(f"unit.axis_{kind}") else ""


def _probability_cells(goal: Goal, lang: str) -> list[str]:
    if goal.met is not None:
        return [t("word.met" if goal.met else "word.not_met", lang), fmt.DASH]
    return [fmt.percent(goal.probability, 1, lang), fmt.interval(goal.ci_low, goal.ci_high, lang)]


def interval_sentence(run: Run, lang: str) -> str:
    """What the intervals cover, in the report's language (summary.json's ``interval_covers`` is the
    English sentence of the same fact)."""
    if run.deterministic:
        return t("text.deterministic_note", lang)
    return t("text.interval_covers_parameters" if run.parameter_uncertainty else "text.interval_covers_default", lang)


# ---------------------------------------------------------------------------------------- sections

def _answers(report: Report, lang: str) -> Section | None:
    run = report.main
    answers = [a for a in (_answer_balance(report, lang), _answer_consolidation(report, lang),
                           _answer_equity(report, lang)) if a is not None]
    if not answers:
        return None
    return Section("answers", t("section.answers", lang), intro=interval_sentence(run, lang), answers=answers)


def _headline(goal: Goal, lang: str) -> str:
    return fmt.outcome(goal, lang) if goal.met is not None else fmt.percent(goal.probability, 1, lang)


def _answer_sentence(goal: Goal, key: str, lang: str, **kw) -> str:
    if goal.met is not None:
        return t(f"{key}_deterministic", lang, outcome=fmt.outcome(goal, lang), **kw)
    return t(key, lang, p=fmt.percent(goal.probability, 1, lang, word=True),
             interval=fmt.interval(goal.ci_low, goal.ci_high, lang), **kw)


def _answer_balance(report: Report, lang: str) -> dict[str, Any] | None:
    goal = report.balance_goal()
    if goal is None:
        return None
    run = report.main
    details = [f"{g.label(lang)}: {fmt.outcome(g, lang)}" for g in report.balance_parts()]
    equity = next((g for g in run.goals if g.name.startswith("positive_equity")), None)
    if equity is not None:
        details.append(f"{equity.label(lang)}: {fmt.outcome(equity, lang)}")
    return {"question": t("answer.balance.question", lang, year=goal_year(goal)),
            "headline": _headline(goal, lang),
            "note": t("answer.note.deterministic" if goal.met is not None else "answer.note.probability", lang),
            "sentence": _answer_sentence(goal, "answer.balance", lang, year=goal_year(goal)),
            "definition": describe_goal(goal, run, lang), "details": details}


def _answer_consolidation(report: Report, lang: str) -> dict[str, Any] | None:
    answers = report.consolidation_answers()
    if not answers:
        return None
    first = answers[0]
    year = goal_year(first.goal)
    sentences = [_answer_sentence(a.goal, f"answer.consolidation.{a.measure}.{a.when}", lang,
                                  year=goal_year(a.goal)) for a in answers]
    if not any(a.measure == "booked" for a in answers):
        sentences.append(t("answer.consolidation.booked_missing", lang))
    details = []
    for name in ("consolidation_ratio", "consolidation_ratio_booked"):
        fan = report.main.fans.get(name)
        if fan is not None and fan.x.size:
            details.append(t(f"answer.consolidation.median.{name}", lang,
                             first_year=int(fan.x[0]), first=fmt.percent(fan.p50[0], 0, lang),
                             last_year=int(fan.x[-1]), last=fmt.percent(fan.p50[-1], 0, lang)))
    shown = [a for a in answers if a.when == "end"] or [first]
    measures = " / ".join(t(f"answer.note.{a.measure}", lang) for a in shown)
    return {"question": t("answer.consolidation.question", lang, year=year),
            "headline": " / ".join(_headline(a.goal, lang) for a in shown),
            "note": t("answer.note.consolidation", lang, measures=measures, year=goal_year(shown[0].goal)),
            "sentence": " ".join(sentences), "definition": "", "details": details}


def _answer_equity(report: Report, lang: str) -> dict[str, Any] | None:
    run = report.main
    fan = run.fans.get("equity_share")
    if fan is None or fan.x.size == 0:
        return None
    years = [int(y) for y in fan.x]
    shown = list(dict.fromkeys([years[0], *(y for y in ANSWER_YEARS if y in years), years[-1]]))
    medians = ", ".join(f"{fmt.percent(fan.p50[years.index(y)], 1, lang)} ({y})" for y in shown)
    sentences = [t("answer.equity.medians", lang, medians=medians)]
    if not run.deterministic:
        sentences.append(t("answer.equity.low", lang, year=years[-1],
                           p5=fmt.percent(fan.p5[-1], 1, lang)))
    derisk, breach = run.risks.get("derisking"), run.risks.get("protection_breach")
    if derisk is not None and derisk.any_year is not None:
        months = derisk.details.get("mean_months_by_year")
        mean_months = float(np.mean(months)) if isinstance(months, list) and months else None
        sentences.append(t("answer.equity.derisking", lang, p=fmt.percent(derisk.any_year, 1, lang, word=True),
                           months=fmt.number(mean_months, 1, lang)))
    if breach is not None and breach.any_year is not None:
        sentences.append(t("answer.equity.breach", lang, p=fmt.percent(breach.any_year, 1, lang, word=True),
                           interval=fmt.interval(breach.ci_low, breach.ci_high, lang)))
    headline = fmt.percent(fan.p50[-1], 1, lang)
    return {"question": t("answer.equity.question", lang), "headline": headline,
            "note": t("answer.note.equity", lang, year=years[-1]),
            "sentence": " ".join(sentences), "definition": "", "details": []}


def _goals(report: Report, lang: str) -> Section | None:
    run = report.main
    if not run.goals:
        return None
    rows = []
    for g in run.goals:
        definition = describe_goal(g, run, lang)
        denom = denominator(g, lang)
        meeting = (t("text.paths_meeting", lang, n=fmt.number(g.paths_meeting, 0, lang),
                     of=fmt.number(run.provenance.paths, 0, lang))
                   if g.paths_meeting is not None and run.provenance.paths and g.met is None else fmt.DASH)
        rows.append([g.label(lang), definition + (f" {denom}" if denom else ""),
                     *_probability_cells(g, lang), meeting])
    header = [t("col.goal", lang), t("col.definition", lang), t("col.probability", lang),
              t("col.interval95", lang), t("col.paths_meeting", lang)]
    tables = [{"caption": "", "header": header, "rows": rows, "note": interval_sentence(run, lang)}]
    risk_rows = [[r.description or r.name, fmt.percent(r.any_year, 1, lang),
                  fmt.interval(r.ci_low, r.ci_high, lang)] for r in run.risks.values() if r.any_year is not None]
    if risk_rows and not run.deterministic:
        tables.append({"caption": t("table.risks", lang), "note": "",
                       "header": [t("col.risk", lang), t("col.any_year", lang), t("col.interval95", lang)],
                       "rows": risk_rows})
    return Section("goals", t("section.goals", lang), intro=t("text.goals_intro", lang), tables=tables)


def _comparison(report: Report, lang: str) -> Section | None:
    runs = [report.main, *[r for r in report.others if r.goals]]
    if len(runs) < 2 or not report.main.goals:
        return None
    labels = run_labels(runs, lang)
    header = [t("col.goal", lang), *labels]
    rows, groups = [], {lab: ([], [], []) for lab in labels}
    goal_labels = []
    for g in report.main.goals:
        cells = [g.label(lang)]
        for run in runs:
            other = run.goal(g.name)
            cells.append(fmt.outcome(other, lang) if other is not None else fmt.DASH)
        rows.append(cells)
        if all(r.goal(g.name) is not None and r.goal(g.name).met is None for r in runs):
            goal_labels.append(g.label(lang))
            for run, lab in zip(runs, labels):
                o = run.goal(g.name)
                groups[lab][0].append(o.probability)
                groups[lab][1].append(o.ci_low)
                groups[lab][2].append(o.ci_high)
    section = Section("comparison", t("section.comparison", lang), intro=t("text.comparison_intro", lang),
                      tables=[{"caption": "", "header": header, "rows": rows, "note": ""}])
    if goal_labels:
        section.add("comparison", charts.interval_chart(
            goal_labels, groups, title=t("chart.comparison", lang), xlabel=t("col.probability", lang),
            lang=lang))
    return section


def _reaction(report: Report, lang: str) -> Section | None:
    run = report.main
    if run.policy is None and not run.instruments:
        return None
    section = Section("reaction", t("section.reaction", lang))
    if run.policy is not None:
        section.intro = (t("text.policy_none", lang) if run.policy.unchanged
                         else t("text.policy_named", lang, name=run.policy.name))
        if run.policy.settings:
            section.tables.append({
                "caption": t("table.policy_settings", lang), "note": "",
                "header": [t("col.setting", lang), t("col.value", lang)],
                "rows": [[setting_label(k, lang), setting_text(k, v, lang)] for k, v in run.policy.settings.items()]})
    rows = []
    for ins in run.instruments:
        kind = value_kind(ins.variable, run.variable(ins.variable).units)
        title = run.variable(ins.variable).label(lang)
        series = {t("chart.median_path", lang): ins.median,
                  t("chart.bad_paths", lang, q=ins.bad_quantile): ins.bad}
        if kind == "flag" and ins.share_used is not None:
            series = {t("chart.share_paths_used", lang): ins.share_used}
            kind_axis = "fraction"
        else:
            kind_axis = kind
        section.add(f"reaction.{ins.variable}", charts.lines_chart(ins.years, series, title=title,
                                                 ylabel=_unit_label(kind_axis, lang), kind=kind_axis, lang=lang))
        total_kind = "count" if kind == "flag" else kind
        rows.append([title, fmt.value(ins.total_median, total_kind, lang) if ins.total_median is not None else fmt.DASH,
                     fmt.value(ins.total_bad, total_kind, lang) if ins.total_bad is not None else fmt.DASH])
    if rows:
        section.tables.append({
            "caption": t("table.instruments", lang), "note": t("text.instruments_note", lang, q=90),
            "header": [t("col.instrument", lang), t("col.total_median", lang), t("col.total_bad", lang, q=90)],
            "rows": rows})
    return section


def _reference(report: Report, name: str, source: str | None) -> float | None:
    run = report.main
    if source == "zero":
        return 0.0
    if source == "one":
        return 1.0
    if source == "goal":
        goal = next((g for g in run.goals if g.definition and g.definition.metric == name), None)
        return goal.definition.threshold if goal else None
    if source == "loan_limit":
        return _float(scenario_value(run.scenario, "accounts.financing.loan_limit_msek"))
    if source == "inflation_target":
        return _float(scenario_value(run.scenario, "economy.inflation.target_pa"))
    return None


def _float(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _fans(report: Report, lang: str) -> Section | None:
    run = report.main
    section = Section("fans", t("section.fans", lang), intro=t("text.fans_intro", lang))
    for name, source in FAN_VARIABLES:
        fan = run.fans.get(name)
        if fan is None:
            continue
        kind = run.variable(name).kind
        overlay = report.zero_shock_path(name) if not run.deterministic else None
        section.add(f"fan.{name}", charts.fan_chart(
            fan.x, {q: getattr(fan, q) for q in ("p5", "p25", "p50", "p75", "p95")},
            title=t(f"var.{name}", lang), ylabel=_unit_label(kind, lang), kind=kind, lang=lang,
            labels=_fan_labels(lang), overlay=overlay, reference=_reference(report, name, source),
            reference_label=t(f"chart.reference.{source}", lang) if source else None))
    return section if section.charts else None


def _equity(report: Report, lang: str) -> Section | None:
    run = report.main
    section = Section("equity", t("section.equity", lang), intro=t("text.equity_intro", lang))
    monthly = run.equity_monthly
    if monthly is not None:
        fan = monthly.fan
        section.add("equity.monthly", charts.fan_chart(
            fan.x, {q: getattr(fan, q) for q in ("p5", "p25", "p50", "p75", "p95")},
            title=t("chart.equity_monthly", lang), ylabel=_unit_label("fraction", lang), kind="fraction",
            lang=lang, labels=_fan_labels(lang),
            reference=monthly.depth.reference_share if monthly.depth is not None else None))
        if monthly.depth is not None:
            bands = [t("chart.depth_band", lang, lo=fmt.number(100 * lo, 0, lang),
                       hi=fmt.number(100 * hi, 0, lang)) if np.isfinite(hi)
                     else t("chart.depth_band_open", lang, lo=fmt.number(100 * lo, 0, lang))
                     for lo, hi in monthly.depth.bands]
            section.add("equity.depth", charts.stacked_share_chart(
                monthly.depth.months, monthly.depth.shares, bands,
                title=t("chart.depth", lang, share=fmt.percent(monthly.depth.reference_share, 1, lang)),
                ylabel=t("unit.axis_share_paths", lang), lang=lang))
    elif "equity_share" in run.fans:
        fan = run.fans["equity_share"]
        section.add("equity.annual", charts.fan_chart(
            fan.x, {q: getattr(fan, q) for q in ("p5", "p25", "p50", "p75", "p95")},
            title=t("var.equity_share", lang), ylabel=_unit_label("fraction", lang), kind="fraction",
            lang=lang, labels=_fan_labels(lang)))
    derisk, breach = run.risks.get("derisking"), run.risks.get("protection_breach")
    months = derisk.details.get("mean_months_by_year") if derisk else None
    if isinstance(months, list) and len(months) == len(run.years):
        section.add("equity.derisk_months", charts.bar_chart(
            run.years, months, title=t("chart.derisk_months", lang), ylabel=t("unit.axis_months", lang),
            kind="count", lang=lang))
    if breach is not None and breach.by_year is not None and len(breach.by_year) == len(run.years):
        section.add("equity.breach", charts.bar_chart(
            run.years, breach.by_year, title=t("chart.breach_by_year", lang),
            ylabel=t("unit.axis_share_paths", lang), kind="fraction", lang=lang))
    rows = []
    for risk in (r for r in (derisk, breach) if r is not None):
        rows.append([risk.description or risk.name, t("col.any_year", lang), fmt.percent(risk.any_year, 1, lang)])
        for key, detail in risk.details.items():
            if key == "mean_months_by_year" or isinstance(detail, list):
                continue
            label = t(f"risk.{key}", lang) if has(f"risk.{key}") else key
            kind = "fraction" if "size" in key or "depth" in key else "count"
            rows.append([risk.description or risk.name, label, _detail_text(detail, kind, lang)])
    if rows and not run.deterministic:
        section.tables.append({"caption": t("table.equity_risks", lang), "note": "",
                               "header": [t("col.risk", lang), t("col.measure", lang), t("col.value", lang)],
                               "rows": rows})
    return section if (section.charts or section.tables) else None


def _detail_text(detail: Any, kind: str, lang: str) -> str:
    if isinstance(detail, dict):
        return ", ".join(f"{k}: {fmt.value(v, kind, lang)}" for k, v in detail.items()
                         if isinstance(v, (int, float)))
    if isinstance(detail, (int, float)):
        return fmt.value(detail, kind, lang)
    return str(detail)


def _tornado(report: Report, lang: str) -> Section | None:
    run = report.main
    if not run.assumptions:
        return None
    section = Section("tornado", t("section.tornado", lang), intro=t("text.tornado_intro", lang))
    balance = report.balance_goal()
    preferred = [*([balance.name] if balance else []), *(a.goal.name for a in report.consolidation_answers())]
    named = [n for n in preferred if any(n in a.low or n in a.high for a in run.assumptions)]
    for goal_name in named or [next(iter(run.assumptions[0].low or run.assumptions[0].high))]:
        goal = run.goal(goal_name)
        if goal is None or goal.probability is None:
            continue
        rows = [a for a in run.assumptions if goal_name in a.low and goal_name in a.high]
        if not rows:
            continue
        labels = [f"{setting_label(a.parameter, lang)} ({setting_text(a.parameter, a.low_value, lang)} / "
                  f"{setting_text(a.parameter, a.high_value, lang)})" for a in rows]
        section.add(f"tornado.{goal_name}", charts.tornado_chart(
            labels, [a.low[goal_name] for a in rows], [a.high[goal_name] for a in rows], goal.probability,
            title=goal.label(lang), xlabel=t("col.probability", lang),
            legend=(t("chart.low_value", lang), t("chart.high_value", lang)), lang=lang))
    return section if section.charts else None


def _attribution(report: Report, lang: str) -> Section | None:
    run = report.main
    if not run.attribution:
        return None
    section = Section("attribution", t("section.attribution", lang), intro=t("text.attribution_intro", lang))
    # the answers' goals when the table covers them (every goal is in the workbook)
    balance = report.balance_goal()
    answer_goals = {*([balance.name] if balance else []), *(a.goal.name for a in report.consolidation_answers())}
    shown = {g: rows for g, rows in run.attribution.items() if g in answer_goals} or run.attribution
    for goal_name, rows in shown.items():
        goal = run.goal(goal_name)
        body = []
        for r in rows:
            var = run.variable(r.variable)
            diff = (r.missed - r.met) if (r.met is not None and r.missed is not None) else None
            body.append([var.label(lang), fmt.value(r.met, var.kind, lang) if r.met is not None else fmt.DASH,
                         fmt.value(r.missed, var.kind, lang) if r.missed is not None else fmt.DASH,
                         _difference(diff, var.kind, lang)])
        section.tables.append({"caption": goal.label(lang) if goal else goal_name, "note": "",
                               "header": [t("col.variable", lang), t("col.mean_met", lang),
                                          t("col.mean_missed", lang), t("col.difference", lang)],
                               "rows": body})
    return section


def _difference(diff: float | None, kind: str, lang: str) -> str:
    if diff is None:
        return fmt.DASH
    if kind == "fraction":
        return fmt.points(diff, 1, lang)
    if kind == "msek":
        return fmt.msek(diff, 1, lang, sign=True)
    return fmt.number(diff, 2, lang, sign=True)


def _sweep(report: Report, lang: str) -> Section | None:
    sweep = report.main.sweep
    if sweep is None:
        return None
    section = Section("sweep", t("section.sweep", lang), intro=t("text.sweep_intro", lang))

    def goal_label(g: str) -> str:
        goal = report.main.goal(g)
        return goal.label(lang) if goal else sweep.goal_descriptions.get(g, g)
    rows_lever = sweep.levers[0] if sweep.levers else ""
    cols_lever = sweep.levers[1] if len(sweep.levers) > 1 else sweep.levers[0] if sweep.levers else ""
    for g in sweep.goals:
        for k, (fixed, grid) in enumerate(sweep_grids(sweep, f"{g}_probability")):
            suffix = "; ".join(f"{setting_label(lv, lang)} = {lever_text(lv, v, lang)}" for lv, v in fixed.items())
            section.add(f"heatmap.{g}.{k}", charts.heatmap_chart(
                grid, title=goal_label(g) + (f" ({suffix})" if suffix else ""),
                row_label=setting_label(rows_lever, lang) if len(sweep.levers) > 1 else "",
                col_label=setting_label(cols_lever, lang), lang=lang,
                row_text=lambda v: lever_text(rows_lever, v, lang),
                col_text=lambda v: lever_text(cols_lever, v, lang)))
    if len(sweep.goals) >= 2:
        gx, gy = _frontier_goals(sweep)
        table = sweep.table
        labels = [_variant_label(sweep, i, lang) for i in range(len(table))]
        section.add("frontier", charts.frontier_chart(
            table[f"{gx}_probability"], table[f"{gy}_probability"], labels, title=t("chart.frontier", lang),
            xlabel=goal_label(gx), ylabel=goal_label(gy), front_label=t("chart.frontier_line", lang),
            lang=lang))
    header = [t("col.variant", lang), *(setting_label(lv, lang) for lv in sweep.levers),
              *(f"{goal_label(g)}" for g in sweep.goals)]
    rows = []
    for i, row in sweep.table.iterrows():
        rows.append([_variant_label(sweep, i, lang), *(lever_text(lv, row[lv], lang) for lv in sweep.levers),
                     *(_sweep_cell(row, g, lang) for g in sweep.goals)])
    section.tables.append({"caption": t("table.sweep", lang), "header": header, "rows": rows,
                           "note": t("text.sweep_note", lang)})
    return section


def _frontier_goals(sweep) -> tuple[str, str]:
    """The two goals the frontier trades off: the scenario's answer to ekonomi i balans against its answer
    on the konsolideringsgrad when both are in the grid, else the first two."""
    goals = sweep.goals
    balance = next((g for g in goals if sweep.answers.get(g) == "balance"), goals[0])
    other = next((g for g in goals if sweep.answers.get(g) == "consolidation" and g != balance),
                 next(g for g in goals if g != balance))
    return balance, other


def _variant_label(sweep, i: int, lang: str) -> str:
    label = str(sweep.table[sweep.label_column].iloc[i]) if sweep.label_column else str(i + 1)
    return label + (f" ({t('text.reference', lang)})" if sweep.reference == i else "")


def _sweep_cell(row, goal: str, lang: str) -> str:
    text = fmt.percent(row[f"{goal}_probability"], 1, lang)
    if f"{goal}_ci_low" in row and f"{goal}_ci_high" in row:
        text += f" ({fmt.interval(row[f'{goal}_ci_low'], row[f'{goal}_ci_high'], lang)})"
    if f"{goal}_diff" in row and row[f"{goal}_diff"] == row[f"{goal}_diff"] and row[f"{goal}_diff"] != 0:
        text += f"; {fmt.points(row[f'{goal}_diff'], 1, lang)}"
    return text


def _paired(report: Report, lang: str) -> Section | None:
    diffs = paired(report, lang)
    if not diffs:
        return None
    section = Section("paired", t("section.paired", lang), intro=t("text.paired_intro", lang))
    rows = [[d.goal_label, d.run_label, fmt.points(d.difference, 1, lang), fmt.number(100 * d.stderr, 1, lang),
             fmt.number(d.gained, 0, lang), fmt.number(d.lost, 0, lang)] for d in diffs]
    section.tables.append({"caption": "", "note": "", "rows": rows, "header": [
        t("col.goal", lang), t("col.run", lang), t("col.difference", lang), t("col.stderr_points", lang),
        t("col.gained", lang), t("col.lost", lang)]})
    goal_order = list(dict.fromkeys(d.goal_label for d in diffs))
    n = len(goal_order)
    groups: dict[str, tuple[list, list, list]] = {}
    for d in diffs:
        values, low, high = groups.setdefault(d.run_label, ([np.nan] * n, [np.nan] * n, [np.nan] * n))
        k = goal_order.index(d.goal_label)
        values[k], low[k], high[k] = d.difference, d.difference - 1.96 * d.stderr, d.difference + 1.96 * d.stderr
    section.add("paired", charts.interval_chart(goal_order, groups, title=t("chart.paired", lang),
                                                xlabel=t("col.stderr_axis", lang), lang=lang, kind="points",
                                                zero_line=True))
    return section


def _scenario(report: Report, lang: str) -> Section | None:
    run = report.main
    rows = [[setting_label(p, lang), setting_text(p, scenario_value(run.scenario, p), lang)]
            for p in MAIN_ASSUMPTIONS if scenario_value(run.scenario, p) is not None]
    section = Section("scenario", t("section.scenario", lang))
    if run.scenario is not None and run.scenario.get("description"):
        section.intro = str(run.scenario["description"])
    if rows:
        section.tables.append({"caption": t("table.assumptions", lang), "note": t("text.assumptions_note", lang),
                               "header": [t("col.setting", lang), t("col.value", lang)], "rows": rows})
    if run.sweep is not None and run.sweep.levers:
        lever_rows = [[setting_label(lv, lang),
                       ", ".join(lever_text(lv, v, lang) for v in dict.fromkeys(run.sweep.table[lv].tolist()))]
                      for lv in run.sweep.levers]
        section.tables.append({"caption": t("table.levers", lang), "note": "",
                               "header": [t("col.lever", lang), t("col.values", lang)], "rows": lever_rows})
    return section if section.tables else None


def _provenance(report: Report, lang: str) -> Section:
    runs = [report.main, *report.others, *([report.zero_shock_run] if report.zero_shock_run else [])]
    labels = run_labels(runs, lang)
    header = [t("col.item", lang), *labels]
    items = (
        ("prov.scenario", lambda p: p.scenario or fmt.DASH),
        ("prov.sha256", lambda p: (p.scenario_sha256 or fmt.DASH)
         + (f" ({t('prov.sha256_computed', lang)})" if p.sha256_computed else "")),
        ("prov.seed", lambda p: fmt.DASH if p.seed is None else str(p.seed)),
        ("prov.paths", lambda p: fmt.number(p.paths, 0, lang) if p.paths is not None else fmt.DASH),
        ("prov.version", lambda p: p.version or fmt.DASH),
        ("prov.date", lambda p: p.date or fmt.DASH),
        ("prov.command", lambda p: p.command or fmt.DASH),
        ("prov.directory", lambda p: str(p.directory)),
    )
    rows = [[t(key, lang), *(get(r.provenance) for r in runs)] for key, get in items]
    return Section("provenance", t("section.provenance", lang), intro=t("text.provenance_intro", lang),
                   tables=[{"caption": "", "header": header, "rows": rows, "note": "", "code": True}])
