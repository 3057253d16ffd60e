"""The sweep (a grid or list of policy variants on common random numbers) and the paired differences
between runs: heat maps whose axes are the levers they show, each answer's probability against what the
levers cost in MSEK a year, the variants in tables narrow enough for the page, and why a stress raises a
goal where it does."""

from __future__ import annotations

import numpy as np

from simulator.i18n import t
from simulator.report import charts
from simulator.report import formatting as fmt
from simulator.report.data import Report, Sweep, sweep_grids
from simulator.report.formatting import lever_label, lever_text
from simulator.report.parts import (
    Section,
    cost_cells,
    cost_header,
    cost_note,
    goal_label,
    paired,
    reasons_text,
    sweep_costs,
    table,
    variant_name,
)

#: goals per table of variants: a variant's name and three goals fit the A4 width
GOALS_PER_TABLE = 3


def answer_goals(sweep: Sweep) -> list[str]:
    """The goals the committee's questions rest on (``answer =``), balance first; else the first two."""
    chosen = [g for g in sweep.goals if sweep.answers.get(g) == "balance"]
    chosen += [g for g in sweep.goals if sweep.answers.get(g) == "consolidation"]
    return chosen or sweep.goals[:2]


def sweep(report: Report, lang: str) -> Section | None:
    sw = report.main.sweep
    if sw is None:
        return None
    intro = t("text.sweep_intro", lang, n=fmt.number(len(sw.table), 0, lang),
              paths=fmt.number(report.main.provenance.paths, 0, lang))
    section = Section("sweep", t("section.sweep", lang), intro=sw.description, paragraphs=[intro], charts_first=True)
    shown = answer_goals(sw)
    _heatmaps(report, sw, shown, section, lang)
    _cost_frontiers(report, sw, shown, section, lang)
    names = [variant_name(sw, i, lang) for i in range(len(sw.table))]
    for k in range(0, len(sw.goals), GOALS_PER_TABLE):
        goals = sw.goals[k:k + GOALS_PER_TABLE]
        rows = [[names[i], *(_cell(row, g, lang) for g in goals)] for i, (_, row) in enumerate(sw.table.iterrows())]
        section.tables.append(table([t("col.variant", lang), *(goal_label(report, g, lang) for g in goals)], rows,
                                    caption=t("table.sweep_part", lang, k=k // GOALS_PER_TABLE + 1,
                                              n=-(-len(sw.goals) // GOALS_PER_TABLE)),
                                    note=t("text.sweep_note", lang), wide=False))
    if sw.cost_columns:
        costs = [sweep_costs(sw, i) for i in range(len(sw.table))]
        section.tables.append(table([t("col.variant", lang), *cost_header(lang)],
                                    [[names[i], *cost_cells(c, lang)] for i, c in enumerate(costs)],
                                    caption=t("table.costs", lang), note=cost_note(sw.cost_years, None, lang)))
    for i, by_goal in sorted(sw.reasons.items()):
        for goal, found in by_goal.items():
            row = sw.table.iloc[i]
            diff, se = row.get(f"{goal}_diff"), row.get(f"{goal}_diff_stderr")
            section.notes.append(reasons_text(report, variant_name(sw, i, lang, False), goal, float(diff),
                                              float(se) if se is not None and se == se else None, found, lang))
    return section


def _cell(row, goal: str, lang: str) -> str:
    """Probability (interval) and the difference from the reference ± 1.96 paired standard errors, in
    percentage points (the table's note says so)."""
    text = fmt.percent(row[f"{goal}_probability"], 1, lang)
    if f"{goal}_ci_low" in row and f"{goal}_ci_high" in row:
        text += f" ({fmt.interval(row[f'{goal}_ci_low'], row[f'{goal}_ci_high'], lang)})"
    diff = row.get(f"{goal}_diff")
    if diff is not None and diff == diff and diff != 0:
        text += f" {fmt.number(100 * diff, 1, lang, sign=True)}"
        se = row.get(f"{goal}_diff_stderr")
        if se is not None and se == se:
            text += f" ± {fmt.number(196 * se, 1, lang)}"
    return text


def _heatmaps(report: Report, sw: Sweep, goals: list[str], section: Section, lang: str) -> None:
    """A heat map per answer goal and value of any further lever; the axes are the levers they show."""
    for g in goals:
        for k, (fixed, grid, rows_lever, cols_lever) in enumerate(sweep_grids(sw, f"{g}_probability")):
            if grid.size < 2:
                continue  # one variant is no map: the tables have it
            suffix = "; ".join(f"{lever_label(lv, lang, sw.lever_labels)} = {lever_text(lv, v, lang)}"
                               for lv, v in fixed.items() if lv != "scenario")
            section.add(f"heatmap.{g}.{k}", charts.heatmap_chart(
                grid, title=goal_label(report, g, lang) + (f" ({suffix})" if suffix else ""),
                row_label=lever_label(rows_lever, lang, sw.lever_labels) if rows_lever else "",
                col_label=lever_label(cols_lever, lang, sw.lever_labels), lang=lang,
                row_text=lambda v, lv=rows_lever: lever_text(lv, v, lang) if lv else "",
                col_text=lambda v, lv=cols_lever: lever_text(lv, v, lang)))


def _cost_frontiers(report: Report, sw: Sweep, goals: list[str], section: Section, lang: str) -> None:
    """Each answer goal's probability against what the variant's levers cost (tax raised and savings,
    MSEK a year): what each level of cost buys. Only when the sweep's costs differ between variants."""
    if not {"tax_raised_msek", "savings_msek"} <= set(sw.cost_columns):
        return
    cost = np.array([c["tax_raised_msek"] + c["savings_msek"] for c in
                     (sweep_costs(sw, i) for i in range(len(sw.table)))], dtype=float)
    if len(cost) < 2 or np.nanmax(cost) - np.nanmin(cost) < 1e-9:
        return
    names = [variant_name(sw, i, lang, False) for i in range(len(sw.table))]
    years = fmt.year_span(sw.cost_years) if sw.cost_years else fmt.DASH
    for g in goals:
        section.add(f"frontier.{g}", charts.cost_frontier_chart(
            cost, sw.table[f"{g}_probability"].to_numpy(dtype=float), names,
            title=t("chart.cost_frontier", lang, goal=goal_label(report, g, lang)),
            xlabel=t("axis.cost", lang, years=years), ylabel=t("col.probability", lang),
            front_label=t("chart.cost_frontier_line", lang), lang=lang))


def paired_section(report: Report, lang: str) -> Section | None:
    diffs = paired(report, lang)
    if not diffs:
        return None
    section = Section("paired", t("section.paired", lang), intro=t("text.paired_intro", lang))
    for run_label in dict.fromkeys(d.run_label for d in diffs):  # a table per run against the first
        rows = [[d.goal_label, fmt.number(100 * d.difference, 1, lang, sign=True),
                 t("text.points_interval", lang, low=fmt.number(100 * (d.difference - 1.96 * d.stderr), 1, lang),
                   high=fmt.number(100 * (d.difference + 1.96 * d.stderr), 1, lang)),
                 fmt.number(100 * d.stderr, 1, lang), fmt.number(d.gained, 0, lang), fmt.number(d.lost, 0, lang)]
                for d in diffs if d.run_label == run_label]
        section.tables.append(table([t("col.goal", lang), t("col.difference_points", lang),
                                     t("col.interval95_points", lang), t("col.stderr_points", lang),
                                     t("col.gained", lang), t("col.lost", lang)], rows,
                                    caption=t("table.paired_against", lang, run=run_label), wide=False))
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
