"""Page 1: the three answers in plain Swedish, what the report holds, and how far the answers move with
other reasonable modelling choices (summary.json ``robustness``, when the run has it)."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.i18n import t
from simulator.report import formatting as fmt
from simulator.report.data import Goal, Report, Run
from simulator.report.parts import (
    ANSWER_YEARS,
    Section,
    describe_goal,
    goal_year,
    interval_sentence,
    overrides_phrase,
    run_labels,
)


def answers(report: Report, lang: str) -> Section | None:
    run = report.main
    found = [a for a in (_balance(report, lang), _consolidation(report, lang), _equity(report, lang))
             if a is not None]
    if not found:
        return None
    paragraphs = [p for p in (_description(run, lang), holds(report, lang)) if p]
    return Section("answers", t("section.answers", lang), answers=found, paragraphs=paragraphs,
                   notes=[interval_sentence(run, lang)])


def _description(run: Run, lang: str) -> str:
    """The scenario's own description ([report]), and the --set values the run changed it by."""
    text = run.text("description", lang)
    if run.provenance.overrides:
        text = " ".join(x for x in (text, t("report.overrides", lang,
                                                overrides=overrides_phrase(run.provenance.overrides, lang))) if x)
    return text


def holds(report: Report, lang: str) -> str:
    """Which runs the report holds: each by its name, with its simulated outcomes and seed."""
    runs = [report.main, *report.others, *([report.zero_shock_run] if report.zero_shock_run else [])]
    labels = run_labels(runs, lang)
    items = []
    for run, label in zip(runs, labels):
        p = run.provenance
        if run.deterministic:
            items.append(t("report.holds_deterministic", lang, run=label))
        elif run is not report.main and (p.seed, p.paths) == (report.main.provenance.seed, report.main.provenance.paths):
            items.append(t("report.holds_same", lang, run=label))
        else:
            items.append(t("report.holds_run", lang, run=label, paths=fmt.number(p.paths, 0, lang),
                           seed=fmt.DASH if p.seed is None else p.seed))
    return t("report.holds", lang, runs="; ".join(items))


def _headline(goal: Goal, lang: str) -> str:
    return fmt.outcome(goal, lang) if goal.met is not None else fmt.percent(goal.probability, 1, lang)


def _sentence(goal: Goal, key: str, lang: str, **kw) -> str:
    if goal.met is not None:
        return t(f"{key}_deterministic", lang, outcome=fmt.outcome(goal, lang), **kw)
    return t(key, lang, p=fmt.percent(goal.probability, 1, lang, word=True),
             interval=fmt.interval(goal.ci_low, goal.ci_high, lang), **kw)


def robustness_sentence(run: Run, goal: Goal, lang: str) -> str:
    """The answer's range across the other reasonable modelling choices, on the same outcomes: the run's
    probability plus each choice's difference; and the sceptic's combination on its own."""
    if goal.probability is None or goal.met is not None:
        return ""
    moved = [(c, goal.probability + c.differences[goal.name][0]) for c in run.robustness
             if goal.name in c.differences]
    if not moved:
        return ""
    values = [p for c, p in moved if not c.sceptic]
    text = ""
    if values:
        low, high = min([goal.probability, *values]), max([goal.probability, *values])
        text = t("answer.robustness", lang, n=len(values), low=fmt.percent(low, 1, lang),
                 high=fmt.percent(high, 1, lang))
    sceptic = [p for c, p in moved if c.sceptic]
    if sceptic:
        text = " ".join(x for x in (text, t("answer.sceptic", lang, p=fmt.percent(sceptic[0], 1, lang))) if x)
    return text


def _balance(report: Report, lang: str) -> dict[str, Any] | None:
    goal = report.balance_goal()
    if goal is None:
        return None
    run = report.main
    details = [f"{g.label(lang)}: {fmt.outcome(g, lang)}" for g in report.balance_parts()]
    equity = next((g for g in run.goals if g.definition and g.definition.metric == "equity_msek"), None)
    if equity is not None:
        details.append(f"{equity.label(lang)}: {fmt.outcome(equity, lang)}")
    sentence = " ".join(x for x in (_sentence(goal, "answer.balance", lang, year=goal_year(goal)),
                                    robustness_sentence(run, goal, lang)) if x)
    return {"question": t("answer.balance.question", lang, year=goal_year(goal)),
            "headline": _headline(goal, lang),
            "note": t("answer.note.deterministic" if goal.met is not None else "answer.note.probability", lang),
            "sentence": sentence, "definition": describe_goal(goal, run, lang), "details": details}


def _consolidation(report: Report, lang: str) -> dict[str, Any] | None:
    found = report.consolidation_answers()
    if not found:
        return None
    first = found[0]
    year = goal_year(first.goal)
    sentences = [_sentence(a.goal, f"answer.consolidation.{a.measure}.{a.when}", lang, year=goal_year(a.goal))
                 for a in found]
    if not any(a.measure == "booked" for a in found):
        sentences.append(t("answer.consolidation.booked_missing", lang))
    sentences += [s for s in (robustness_sentence(report.main, a.goal, lang) for a in found if a.when == "end") if s][:1]
    details = []
    for name in ("consolidation_ratio", "consolidation_ratio_booked"):
        fan = report.main.fans.get(name)
        if fan is not None and fan.x.size:
            details.append(t(f"answer.consolidation.median.{name}", lang,
                             first_year=int(fan.x[0]), first=fmt.percent(fan.p50[0], 0, lang),
                             last_year=int(fan.x[-1]), last=fmt.percent(fan.p50[-1], 0, lang)))
    shown = [a for a in found if a.when == "end"] or [first]
    measures = " / ".join(t(f"answer.note.{a.measure}", lang) for a in shown)
    return {"question": t("answer.consolidation.question", lang, year=year),
            "headline": " / ".join(_headline(a.goal, lang) for a in shown),
            "note": t("answer.note.consolidation", lang, measures=measures, year=goal_year(shown[0].goal)),
            "sentence": " ".join(sentences), "definition": "", "details": details}


def _equity(report: Report, lang: str) -> dict[str, Any] | None:
    run = report.main
    fan = run.fans.get("equity_share")
    if fan is None or fan.x.size == 0:
        return None
    years = [int(y) for y in fan.x]
    shown = list(dict.fromkeys([years[0], *(y for y in ANSWER_YEARS if y in years), years[-1]]))
    medians = ", ".join(f"{fmt.percent(fan.p50[years.index(y)], 1, lang)} ({y})" for y in shown)
    sentences = [t("answer.equity.medians", lang, medians=medians)]
    if not run.deterministic:
        sentences.append(t("answer.equity.low", lang, year=years[-1], p5=fmt.percent(fan.p5[-1], 1, lang)))
    derisk, breach = run.risks.get("derisking"), run.risks.get("protection_breach")
    if derisk is not None and derisk.any_year is not None:
        months = derisk.details.get("mean_months_by_year")
        mean_months = float(np.mean(months)) if isinstance(months, list) and months else None
        sentences.append(t("answer.equity.derisking", lang, p=fmt.percent(derisk.any_year, 1, lang, word=True),
                           months=fmt.number(mean_months, 1, lang)))
    if breach is not None and breach.any_year is not None:
        sentences.append(t("answer.equity.breach", lang, p=fmt.percent(breach.any_year, 1, lang, word=True),
                           interval=fmt.interval(breach.ci_low, breach.ci_high, lang)))
    return {"question": t("answer.equity.question", lang), "headline": fmt.percent(fan.p50[-1], 1, lang),
            "note": t("answer.note.equity", lang, year=years[-1]),
            "sentence": " ".join(sentences), "definition": "", "details": []}
