"""The report's sections after page 1, each built from the report model, each only when its data exist:
the goals, the runs side by side, the reaction rule's measures, the outcomes per year, the equity share,
the assumptions and modelling choices, why outcomes miss, the scenario, the provenance. (The sweep and
the paired differences are in ``sweep_section``.)"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.i18n import has, t
from simulator.report import charts
from simulator.report import formatting as fmt
from simulator.report.data import Report, Run, scenario_value, value_kind
from simulator.report.formatting import lever_label, lever_text, setting_label, setting_text
from simulator.report.parts import (
    FAN_VARIABLES,
    MAIN_ASSUMPTIONS,
    Section,
    cost_cells,
    cost_header,
    cost_note,
    denominator,
    describe_goal,
    fan_labels,
    paired,
    probability_cells,
    reasons_text,
    run_labels,
    table,
    unit_label,
)
from simulator.whatif.reasons import as_dicts, over_years, reasons

#: summary.json's further figures of the de-risking and the breaches: (key, how its values read)
RISK_DETAILS = (("total_months_percentiles", "count"), ("longest_spell_months_percentiles", "count"),
                ("months_below_half_equity_percentiles", "count"), ("share_of_months_far_below_strategic", "fraction"),
                ("share_of_months_below_half_equity", "fraction"), ("size_percentiles_when_breached", "fraction"))


def risk_label(run: Run, name: str, lang: str) -> str:
    risk = run.risks.get(name)
    return t(f"risk.{name}", lang) if has(f"risk.{name}") else (risk.description if risk else name)


def goals(report: Report, lang: str) -> Section | None:
    run = report.main
    if not run.goals:
        return None
    rows = []
    for g in run.goals:
        denom = denominator(g, lang)
        meeting = (t("text.paths_meeting", lang, n=fmt.number(g.paths_meeting, 0, lang),
                     of=fmt.number(run.provenance.paths, 0, lang))
                   if g.paths_meeting is not None and run.provenance.paths and g.met is None else fmt.DASH)
        rows.append([g.label(lang), describe_goal(g, run, lang) + (f" {denom}" if denom else ""),
                     *probability_cells(g, lang), meeting])
    header = [t("col.goal", lang), t("col.definition", lang), t("col.probability", lang),
              t("col.interval95", lang), t("col.paths_meeting", lang)]
    tables = [table(header, rows, note=t("text.interval_covers_short", lang), wide=False)]
    risk_rows = [[risk_label(run, name, lang), fmt.percent(r.any_year, 1, lang), fmt.interval(r.ci_low, r.ci_high, lang)]
                 for name, r in run.risks.items() if r.any_year is not None]
    if risk_rows and not run.deterministic:
        tables.append(table([t("col.risk", lang), t("col.any_year", lang), t("col.interval95", lang)], risk_rows,
                            caption=t("table.risks", lang)))
    return Section("goals", t("section.goals", lang), intro=t("text.goals_intro", lang), tables=tables)


def comparison(report: Report, lang: str) -> Section | None:
    runs = [report.main, *[r for r in report.others if r.goals]]
    if len(runs) < 2 or not report.main.goals:
        return None
    labels = run_labels(runs, lang)
    rows, groups = [], {lab: ([], [], []) for lab in labels}
    goal_labels = []
    for g in report.main.goals:
        rows.append([g.label(lang), *(fmt.outcome(r.goal(g.name), lang) if r.goal(g.name) else fmt.DASH
                                      for r in runs)])
        if all(r.goal(g.name) is not None and r.goal(g.name).met is None for r in runs):
            goal_labels.append(g.label(lang))
            for run, lab in zip(runs, labels):
                o = run.goal(g.name)
                groups[lab][0].append(o.probability)
                groups[lab][1].append(o.ci_low)
                groups[lab][2].append(o.ci_high)
    section = Section("comparison", t("section.comparison", lang), intro=t("text.comparison_intro", lang),
                      tables=[table([t("col.goal", lang), *labels], rows)])
    with_costs = [r for r in runs if r.lever_costs]
    if with_costs:
        first = with_costs[0].lever_costs
        section.tables.append(table([t("col.run", lang), *cost_header(lang)],
                                    [[lab, *cost_cells(r.lever_costs, lang)] for r, lab in zip(runs, labels)],
                                    caption=t("table.costs", lang),
                                    note=cost_note(first.get("years", []), first.get("base_tax_rate_kr"), lang)))
    section.notes += stress_notes(report, runs, labels, lang)
    if goal_labels:
        section.add("comparison", charts.interval_chart(
            goal_labels, groups, title=t("chart.comparison", lang), xlabel=t("col.probability", lang), lang=lang))
    return section


def stress_notes(report: Report, runs: list[Run], labels: list[str], lang: str) -> list[str]:
    """For a stressed run that raises a goal against the first (paired, beyond its error): why."""
    main = runs[0]
    notes = []
    for d in paired(report, lang):
        other = next((r for r, lab in zip(runs, labels) if lab == d.run_label), None)
        if other is None or not other.stressed or other.stress == main.stress or d.difference - 1.96 * d.stderr <= 0:
            continue  # a stress of its own that raises the goal beyond its error
        found = stress_reasons_between(main, other, d.goal)
        notes.append(reasons_text(report, d.run_label, d.goal, d.difference, d.stderr, found, lang))
    return notes


def stress_reasons_between(main: Run, other: Run, goal: str) -> list[dict[str, Any]]:
    """The attribution's reasons (simulator.whatif.reasons) from the two runs' summaries."""
    rows = main.attribution.get(goal) or []
    met = {r.variable: r.met for r in rows if r.met is not None}
    missed = {r.variable: r.missed for r in rows if r.missed is not None}
    span = _goal_span(main, goal)
    if not met or not span:
        return []
    means = {name: fan.mean for name, fan in main.fans.items() if fan.mean is not None}
    other_means = {name: fan.mean for name, fan in other.fans.items() if fan.mean is not None}
    return as_dicts(reasons(over_years(means, main.years, span), over_years(other_means, other.years, span),
                            met, missed))


def _goal_span(run: Run, name: str) -> list[int]:
    goal = run.goal(name)
    if goal is None or goal.definition is None:
        return []
    if goal.definition.years:
        return list(goal.definition.years)
    years: set[int] = set()
    for part in goal.definition.all_of:
        years |= set(_goal_span(run, part))
    return sorted(years)


def reaction(report: Report, lang: str) -> Section | None:
    run = report.main
    if run.policy is None and not run.instruments:
        return None
    section = Section("reaction", t("section.reaction", lang))
    if run.policy is not None:
        section.intro = (t("text.policy_none", lang) if run.policy.unchanged
                         else t("text.policy_named", lang, name=run.policy.name))
        shown = {k: v for k, v in run.policy.settings.items() if has(f"param.{k}")}
        if shown:
            section.tables.append(table([t("col.setting", lang), t("col.value", lang)],
                                        [[setting_label(k, lang), setting_text(k, v, lang)] for k, v in shown.items()],
                                        caption=t("table.policy_settings", lang)))
    rows = []
    for ins in run.instruments:
        kind = value_kind(ins.variable, run.variable(ins.variable).units)
        title = run.variable(ins.variable).label(lang)
        series = {t("chart.median_path", lang): ins.median, t("chart.bad_paths", lang, q=ins.bad_quantile): ins.bad}
        kind_axis = kind
        if kind == "flag" and ins.share_used is not None:
            series, kind_axis = {t("chart.share_paths_used", lang): ins.share_used}, "fraction"
        section.add(f"reaction.{ins.variable}", charts.lines_chart(
            ins.years, series, title=t(f"instrument.chart.{ins.variable}", lang), ylabel=unit_label(kind_axis, lang),
            kind=kind_axis, lang=lang, xlabel=t("axis.year", lang), half=True))
        rows.append(instrument_row(ins, title, kind, lang, list(run.years)))
    if rows:
        years = fmt.year_span(list(run.years)) if run.years else ""
        section.tables.append(table(
            [t("col.instrument", lang), t("col.measure", lang), t("col.total_median", lang),
             t("col.total_bad", lang, q=run.instruments[0].bad_quantile), t("col.rule_cap", lang)],
            rows, caption=t("table.instruments", lang, years=years), note=t("text.instruments_note", lang,
                                                                          q=run.instruments[0].bad_quantile)))
    return section


def instrument_row(ins, title: str, kind: str, lang: str, years: list[int]) -> list[str]:
    """One instrument as a reader names it: what is counted per simulated outcome, with its unit."""
    def show(x: float | None) -> str:
        if x is None:
            return fmt.DASH
        if ins.per_path == "years":
            return t("unit.years_count", lang, n=fmt.number(x, 0 if float(x).is_integer() else 1, lang))
        return fmt.value(x, kind, lang)
    if ins.cap is None:
        cap = fmt.DASH
    elif ins.variable == "reaction_savings_msek":
        cap = t("text.cap_share_of_costs", lang, share=fmt.percent(ins.cap, 0, lang))
    else:
        cap = show(ins.cap)
    measure = t(f"instrument.{ins.per_path}", lang, years=fmt.year_span(years) if years else "")
    return [title, measure, show(ins.total_median), show(ins.total_bad), cap]


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


def fans(report: Report, lang: str) -> Section | None:
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
            title=t(f"var.{name}", lang), ylabel=unit_label(kind, lang), kind=kind, lang=lang,
            labels=fan_labels(lang), overlay=overlay, reference=_reference(report, name, source),
            reference_label=t(f"chart.reference.{source}", lang) if source else None,
            xlabel=t("axis.year", lang), half=True))
    if run.known:  # känt utfall: the periods every path took as observed
        section.paragraphs.append(t("known.fans_note", lang, items="; ".join(known_item(k, lang) for k in run.known)))
    return section if section.charts else None


def known_item(known, lang: str) -> str:
    """One pinned series as a reader names it: "Inflation (KPI), månadsvärden 2025-01–2025-06"."""
    return t("known.item", lang, series=t(f"known.series.{known.series}", lang),
             freq=t("known.monthly" if known.monthly else "known.annual", lang),
             periods=known.periods.replace("..", "–"))


def equity(report: Report, lang: str) -> Section | None:
    run = report.main
    section = Section("equity", t("section.equity", lang), intro=t("text.equity_intro", lang))
    monthly = run.equity_monthly
    if monthly is not None:
        fan = monthly.fan
        section.add("equity.monthly", charts.fan_chart(
            fan.x, {q: getattr(fan, q) for q in ("p5", "p25", "p50", "p75", "p95")},
            title=t("chart.equity_monthly", lang), ylabel=unit_label("fraction", lang), kind="fraction",
            lang=lang, labels=fan_labels(lang), xlabel=t("axis.month", lang),
            reference=monthly.depth.reference_share if monthly.depth is not None else None,
            reference_label=t("chart.reference.slack_share", lang) if monthly.depth is not None else None))
        if monthly.depth is not None:
            bands = [t("chart.depth_band", lang, lo=fmt.number(100 * lo, 0, lang), hi=fmt.number(100 * hi, 0, lang))
                     if np.isfinite(hi) else t("chart.depth_band_open", lang, lo=fmt.number(100 * lo, 0, lang))
                     for lo, hi in monthly.depth.bands]
            section.add("equity.depth", charts.stacked_share_chart(
                monthly.depth.months, monthly.depth.shares, bands, xlabel=t("axis.month", lang),
                title=t("chart.depth", lang, share=fmt.percent(monthly.depth.reference_share, 1, lang)),
                ylabel=t("unit.axis_share_paths", lang), lang=lang))
            section.notes.append(t("text.depth_caption", lang, every=monthly.depth.every))
    elif "equity_share" in run.fans:
        fan = run.fans["equity_share"]
        section.add("equity.annual", charts.fan_chart(
            fan.x, {q: getattr(fan, q) for q in ("p5", "p25", "p50", "p75", "p95")},
            title=t("var.equity_share", lang), ylabel=unit_label("fraction", lang), kind="fraction",
            lang=lang, labels=fan_labels(lang), xlabel=t("axis.year", lang)))
    derisk, breach = run.risks.get("derisking"), run.risks.get("protection_breach")
    months = derisk.details.get("mean_months_by_year") if derisk else None
    if isinstance(months, list) and len(months) == len(run.years):
        section.add("equity.derisk_months", charts.bar_chart(
            run.years, months, title=t("chart.derisk_months", lang), ylabel=t("unit.axis_months", lang),
            kind="count", lang=lang, xlabel=t("axis.year", lang), half=True))
    if breach is not None and breach.by_year is not None and len(breach.by_year) == len(run.years):
        section.add("equity.breach", charts.bar_chart(
            run.years, breach.by_year, title=t("chart.breach_by_year", lang),
            ylabel=t("unit.axis_share_paths", lang), kind="fraction", lang=lang, xlabel=t("axis.year", lang),
            half=True))
    rows = risk_detail_rows(run, lang)
    if rows and not run.deterministic:
        section.tables.append(table([t("col.risk", lang), t("col.measure", lang), t("col.value", lang)], rows,
                                    caption=t("table.equity_risks", lang)))
    return section if (section.charts or section.tables) else None


def risk_detail_rows(run: Run, lang: str) -> list[list[str]]:
    """The de-risking's and the breaches' figures, each named with its unit; percentiles as the median
    and the 5-95 % range."""
    years = fmt.year_span(run.years) if run.years else ""
    rows = []
    for name in ("derisking", "protection_breach"):
        risk = run.risks.get(name)
        if risk is None:
            continue
        label = risk_label(run, name, lang)
        rows.append([label, t("col.any_year", lang), fmt.percent(risk.any_year, 1, lang)])
        for key, kind in RISK_DETAILS:
            detail = risk.details.get(key)
            if detail is None:
                continue
            text = _detail_text(detail, kind, lang)
            if text:
                rows.append([label, t(f"risk_detail.{key}", lang, years=years), text])
    return rows


def _detail_text(detail: Any, kind: str, lang: str) -> str:
    """A figure: a share as per cent; percentiles as "median 95 (5–95 %: 61–131)"."""
    if isinstance(detail, dict):
        values = {k: v for k, v in detail.items() if isinstance(v, (int, float))}
        if not {"p5", "p50", "p95"} <= set(values):
            return ""
        return t("text.percentiles", lang, median=fmt.value(values["p50"], kind, lang),
                 low=fmt.value(values["p5"], kind, lang), high=fmt.value(values["p95"], kind, lang))
    if isinstance(detail, (int, float)) and not isinstance(detail, bool):
        return fmt.value(detail, kind, lang)
    return ""


def tornado(report: Report, lang: str) -> Section | None:
    run = report.main
    if not run.assumptions and not run.robustness:
        return None
    section = Section("tornado", t("section.tornado", lang), intro=t("text.tornado_intro", lang))
    balance = report.balance_goal()
    preferred = [*([balance.name] if balance else []), *(a.goal.name for a in report.consolidation_answers()
                                                         if a.when == "end")]
    named = [n for n in preferred if any(n in a.low or n in a.high for a in run.assumptions)]
    fallback = [next(iter(run.assumptions[0].low or run.assumptions[0].high))] if run.assumptions else []
    for goal_name in named or fallback:
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
    _robustness_table(report, section, preferred, lang)
    return section if (section.charts or section.tables) else None


def _robustness_table(report: Report, section: Section, goal_names: list[str], lang: str) -> None:
    """The modelling choices (summary.json ``robustness``): each goal's probability at the alternative,
    with the paired difference from the run."""
    run = report.main
    shown = [g for g in goal_names if run.goal(g) is not None and run.goal(g).probability is not None]
    if not run.robustness or not shown:
        return
    rows = []
    for choice in run.robustness:
        label = t(f"robustness.{choice.name}", lang) if has(f"robustness.{choice.name}") else (
            t("robustness.sceptic", lang) if choice.sceptic else setting_label(choice.name, lang))
        cells = []
        for g in shown:
            d = choice.differences.get(g)
            if d is None:
                cells.append(fmt.DASH)
                continue
            diff, se = d
            cells.append(f"{fmt.percent(run.goal(g).probability + diff, 1, lang)} ({fmt.points(diff, 1, lang)}"
                         + (f" ± {fmt.number(196 * se, 1, lang)}" if se is not None else "") + ")")
        rows.append([label, *cells])
    section.tables.append(table([t("col.choice", lang), *(run.goal(g).label(lang) for g in shown)], rows,
                                caption=t("table.robustness", lang), note=t("text.robustness_note", lang)))


def attribution(report: Report, lang: str) -> Section | None:
    run = report.main
    if not run.attribution:
        return None
    section = Section("attribution", t("section.attribution", lang), intro=t("text.attribution_intro", lang))
    balance = report.balance_goal()
    answer_goals = {*([balance.name] if balance else []),
                    *(a.goal.name for a in report.consolidation_answers() if a.when == "end")}
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
        section.tables.append(table([t("col.variable", lang), t("col.mean_met", lang), t("col.mean_missed", lang),
                                     t("col.difference", lang)], body, caption=goal.label(lang) if goal else goal_name))
    return section


def _difference(diff: float | None, kind: str, lang: str) -> str:
    if diff is None:
        return fmt.DASH
    if kind == "fraction":
        return fmt.points(diff, 1, lang)
    if kind == "msek":
        return fmt.msek(diff, 1, lang, sign=True)
    return fmt.number(diff, 2, lang, sign=True)


def scenario(report: Report, lang: str) -> Section | None:
    run = report.main
    rows = [[setting_label(p, lang), setting_text(p, scenario_value(run.scenario, p), lang)]
            for p in MAIN_ASSUMPTIONS if scenario_value(run.scenario, p) is not None]
    section = Section("scenario", t("section.scenario", lang), intro=run.text("description", lang))
    if rows:
        section.tables.append(table([t("col.setting", lang), t("col.value", lang)], rows,
                                    caption=t("table.assumptions", lang), note=t("text.assumptions_note", lang)))
    sweep = run.sweep
    if sweep is not None and sweep.levers:
        lever_rows = [[lever_label(lv, lang, sweep.lever_labels),
                       ", ".join(lever_text(lv, v, lang) for v in dict.fromkeys(sweep.table[lv].tolist()))]
                      for lv in sweep.levers if lv != "scenario"]
        if lever_rows:
            section.tables.append(table([t("col.lever", lang), t("col.values", lang)], lever_rows,
                                        caption=t("table.levers", lang)))
    return section if section.tables else None


def provenance(report: Report, lang: str) -> Section:
    runs = [report.main, *report.others, *([report.zero_shock_run] if report.zero_shock_run else [])]
    labels = run_labels(runs, lang)
    items = (
        ("prov.scenario", lambda r: r.provenance.scenario or fmt.DASH),
        ("prov.name", lambda r: r.name or fmt.DASH),
        ("prov.overrides", lambda r: ", ".join(f"{k}={v}" for k, v in r.provenance.overrides.items()) or fmt.DASH),
        ("prov.sha256", lambda r: (r.provenance.scenario_sha256 or fmt.DASH)
         + (f" ({t('prov.sha256_computed', lang)})" if r.provenance.sha256_computed else "")),
        ("prov.economy", lambda r: ", ".join(r.provenance.economy_files) or fmt.DASH),
        ("prov.known", lambda r: "; ".join(f"{known_item(k, lang)} ({k.file})" for k in r.known) or fmt.DASH),
        ("prov.seed", lambda r: fmt.DASH if r.provenance.seed is None else str(r.provenance.seed)),
        ("prov.paths", lambda r: fmt.number(r.provenance.paths, 0, lang) if r.provenance.paths is not None else fmt.DASH),
        ("prov.version", lambda r: r.provenance.version or fmt.DASH),
        ("prov.code", lambda r: r.provenance.code or fmt.DASH),
        ("prov.date", lambda r: r.provenance.date or fmt.DASH),
        ("prov.command", lambda r: r.provenance.command or fmt.DASH),
        ("prov.directory", lambda r: str(r.provenance.directory)),
    )
    rows = [[t(key, lang), *(get(r) for r in runs)] for key, get in items]
    tables = [table([t("col.item", lang), *labels], rows, code=True, wide=False)]
    other = {k: v for k, v in (report.main.policy.settings if report.main.policy else {}).items()
             if not has(f"param.{k}")}
    if other:  # settings the report has no words for yet: as the scenario names them
        tables.append(table([t("col.setting", lang), t("col.value", lang)],
                            [[k, str(v)] for k, v in other.items()], caption=t("table.other_settings", lang),
                            code=True, wide=False))
    return Section("provenance", t("section.provenance", lang), intro=t("text.provenance_intro", lang),
                   tables=tables)
