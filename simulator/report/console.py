"""The tables ``run``, ``sweep`` and ``compare`` print with ``--lang sv|en``: for a person, not a script.

Goal descriptions instead of keys, percentages with one decimal, Swedish number formats in Swedish,
"uppfyllt / ej uppfyllt" for a deterministic run. They read what the command has just written, through
the same data layer as the report, so the terminal, the HTML and the workbook cannot disagree. Without
``--lang`` the commands print their key-based tables (``key_run_table``, ``key_sweep_table``,
``key_compare_table``, ``key_solve_text``, below), which scripts may parse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.i18n import t
from simulator.model.goals import answer_goals
from simulator.report import formatting as fmt
from simulator.report.data import Report, Run, Sweep, load_report
from simulator.report.formatting import lever_label, lever_text
from simulator.report.parts import (
    cost_cells,
    cost_header,
    cost_note,
    interval_sentence,
    policy_label,
    reasons_text,
    run_labels,
    sweep_costs,
)
from simulator.whatif.compare import RISKS
from simulator.whatif.costs import COSTS


def run_text(directory: Path, lang: str) -> str:
    """One run: its policy, each goal's probability and interval (or met / not met), what the intervals
    cover."""
    run = load_report([directory]).main
    lines = [f"{t('console.policy', lang)}: {policy_label(run, lang) or fmt.DASH}"]
    if run.deterministic:
        lines.append(t("run.deterministic", lang))
    if run.condition:
        c = run.condition
        lines.append(t("console.condition", lang, expression=c.expression, kept=fmt.number(c.paths_kept, 0, lang),
                       total=fmt.number(c.paths_total, 0, lang)))
    lines += [fmt.goal_table(run.goals, lang), "", interval_sentence(run, lang)]
    if run.provenance.economy_files:
        lines.append(t("console.economy", lang, file=run.provenance.economy_files[0]))
    return "\n".join(lines)


def sweep_text(directory: Path, lang: str) -> str:
    """A sweep: a line per variant with its levers, the main goals' probabilities and paired differences
    (sweep.csv has every goal), and what its levers cost in MSEK a year; then why a stress raises a goal."""
    report = load_report([directory])
    sweep = report.main.sweep
    goals = answer_goals({g: {"answer": sweep.answers.get(g)} for g in sweep.goals})
    lines = [sweep_table(sweep, lang, goals)]
    if sweep.cost_columns:
        lines.append(cost_note(sweep.cost_years, None, lang))
    for i, by_goal in sorted(sweep.reasons.items()):
        for goal, found in by_goal.items():
            row = sweep.table.iloc[i]
            lines.append(reasons_text(report, _variant(sweep, i, lang, False), goal, float(row[f"{goal}_diff"]),
                                      float(row[f"{goal}_diff_stderr"]), found, lang))
    return "\n".join(lines)


def _variant(sweep: Sweep, i: int, lang: str, mark: bool = True) -> str:
    """A variant in the terminal: the sweep file's label, else its name (the levers are in the columns)."""
    label = sweep.variant_label(i)
    name = label or (str(sweep.table[sweep.label_column].iloc[i]) if sweep.label_column else str(i + 1))
    return name + (f" ({t('text.reference', lang)})" if mark and i == sweep.reference else "")


def sweep_table(sweep: Sweep, lang: str = "sv", goals: list[str] | None = None) -> str:
    """A line per variant: its name (the reference marked), the levers, per goal the probability with one
    decimal and, against the reference, the paired difference in percentage points ± 1.96 standard
    errors, then the levers' costs in MSEK a year. Goals are numbered in the header, their descriptions
    below: they are too long for headers."""
    goals = list(goals if goals is not None else sweep.goals)
    levers = [lv for lv in sweep.levers if lv != "scenario"]
    header = [t("col.variant", lang), *(lever_label(lv, lang, sweep.lever_labels) for lv in levers),
              *(f"[{k}]" for k in range(1, len(goals) + 1)), *(cost_header(lang) if sweep.cost_columns else [])]
    rows = []
    for i, (_, row) in enumerate(sweep.table.iterrows()):
        cells = [_variant(sweep, i, lang), *(lever_text(lv, row[lv], lang) for lv in levers)]
        for g in goals:
            cell = fmt.percent(row[f"{g}_probability"], 1, lang)
            if i != sweep.reference and f"{g}_diff" in row and f"{g}_diff_stderr" in row:
                diff, se = 100 * row[f"{g}_diff"], 100 * 1.96 * row[f"{g}_diff_stderr"]
                cell += f" ({fmt.number(diff, 1, lang, sign=True)} ± {fmt.number(se, 1, lang)})"
            cells.append(cell)
        if sweep.cost_columns:
            cells += cost_cells(sweep_costs(sweep, i), lang)
        rows.append(cells)
    notes = [f"[{k}] {sweep.goal_descriptions.get(g, g)}" for k, g in enumerate(goals, 1)]
    return "\n".join([fmt.text_table(header, rows), "", *notes, t("console.sweep_note", lang)])


def compare_text(result: dict[str, Any], lang: str) -> str:
    """``simulator compare``'s result for a person: the runs side by side (probabilities, or met / not
    met), then each other run's difference from the first, paired where the comparison paired them.
    The numbers are the comparison's (simulator.whatif.compare); the words come from the runs' directories."""
    runs: list[Run] = [load_report([Path(r["directory"])]).main for r in result["runs"]]
    labels = run_labels(runs, lang)
    main = runs[0]
    header = [t("col.goal", lang), *labels]
    rows = [[_goal_label(main, g, lang), *(fmt.outcome(r.goal(g), lang) if r.goal(g) else fmt.DASH for r in runs)]
            for g in result["goals"]]
    out = [fmt.text_table(header, rows), ""]
    diff_rows = []
    for run, label, entry in zip(runs[1:], labels[1:], result["runs"][1:]):
        if run.deterministic or main.deterministic:  # one path has no probability to differ by
            continue
        how = t("console.paired" if entry["paired"] else "console.independent", lang)
        for g in result["goals"]:
            d = entry["goals"][g]
            if "diff" not in d:
                continue
            diff_rows.append([_goal_label(main, g, lang), label, how, fmt.points(d["diff"], 1, lang),
                              fmt.number(100 * 1.96 * d["diff_stderr"], 1, lang),
                              str(d.get("gained", fmt.DASH)), str(d.get("lost", fmt.DASH))])
    if diff_rows:
        out.append(fmt.text_table([t("col.goal", lang), t("col.run", lang), t("console.compared_as", lang),
                                   t("col.difference", lang), t("console.plus_minus", lang), t("col.gained", lang),
                                   t("col.lost", lang)], diff_rows))
        if any(e["paired"] for e in result["runs"][1:]):
            out.append(t("text.paired_intro", lang))
    else:
        out.append(t("text.no_paired", lang))
    costs = [entry.get("costs") for entry in result["runs"]]
    if any(costs):
        first = next(c for c in costs if c)
        out += ["", t("console.costs_title", lang),
                fmt.text_table([t("col.run", lang), *cost_header(lang)],
                               [[label, *cost_cells(c, lang)] for label, c in zip(labels, costs)]),
                cost_note(first.get("years", []), first.get("base_tax_rate_kr"), lang)]
    report = Report(main=main, others=runs[1:], zero_shock_run=None)
    for label, entry in zip(labels[1:], result["runs"][1:]):
        for goal, found in (entry.get("reasons") or {}).items():
            d = entry["goals"][goal]
            out.append(reasons_text(report, label, goal, d["diff"], d["diff_stderr"], found, lang))
    return "\n".join(out)


def _goal_label(run: Run, name: str, lang: str) -> str:
    goal = run.goal(name)
    return goal.label(lang) if goal else name


def key_sweep_table(summary: dict) -> str:
    answers = summary.get("goal_answers", {})
    goals = answer_goals({g: {"answer": answers.get(g)} for g in summary["variants"][0]["goals"]})
    width = max(len(v["variant"]) for v in summary["variants"]) + 2
    with_costs = all(isinstance(v.get("costs"), dict) for v in summary["variants"])
    cost_heads = "".join(f"{c:>20}" for c in COSTS) if with_costs else ""
    lines = [f"{'variant':<{width}}" + "".join(f"{g[:32]:>36}" for g in goals) + cost_heads,
             f"{'':<{width}}" + "".join(f"{'P [95 %] diff ± 1.96 se':>36}" for _ in goals)
             + ("".join(f"{'per year':>20}" for _ in COSTS) if with_costs else "")]
    for v in summary["variants"]:
        cells = []
        for g in goals:
            s = v["goals"][g]
            cells.append(f"{s['probability']:.3f} [{s['ci95'][0]:.3f},{s['ci95'][1]:.3f}] "
                         f"{s['diff']:+.3f}±{1.96 * s['diff_stderr']:.3f}")
        costs = "".join(f"{v['costs'][c]:>20.1f}" for c in COSTS) if with_costs else ""
        lines.append(f"{v['variant'] + (' *' if v['reference'] else ''):<{width}}" + "".join(f"{c:>36}" for c in cells)
                     + costs)
    lines.append(f"* the reference; differences are paired (same paths): {summary['paired']}")
    if with_costs:
        lines.append(_cost_line(summary["variants"][0]["costs"]))
    lines += _reason_lines([(v["variant"], v) for v in summary["variants"]])
    return "\n".join(lines)


def _cost_line(costs: dict) -> str:
    years = costs.get("years") or []
    span = f"{years[0]}-{years[-1]}" if years else "the years"
    return (f"costs: mean over the paths and {span}; tax_raised_msek: tax revenue of the rate above "
            f"{costs.get('base_tax_rate_kr', float('nan')):.2f} kr; savings_msek: savings programmes and the "
            "reaction's savings in force; deposits_msek: deposits to the pension fund made; derisking_months: "
            "months a year the rule wants less equity than the strategic share (simulator.whatif.costs)")


def _reason_lines(entries: list[tuple[str, dict]]) -> list[str]:
    """Why a stress raises a goal: its reasons (simulator.whatif.reasons), one line each."""
    lines = []
    for name, entry in entries:
        for goal, found in (entry.get("reasons") or {}).items():
            d = entry["goals"][goal]
            moves = "; ".join(f"{r['variable']} {r['over']} {r['reference']:.4g} -> {r['variant']:.4g} (paths meeting "
                              f"the goal: {r['met']:.4g})" for r in found) or "none of the attribution's measures"
            lines.append(f"{name} raises {goal} by {d['diff']:+.3f} ± {1.96 * d['diff_stderr']:.3f} although it is "
                         f"a stress; the attribution's reason: {moves}")
    return lines


def key_solve_text(result: dict) -> str:
    def one(r: dict) -> str:
        if r["value"] is None:
            return r["note"]
        side = "smallest" if r["increasing"] else "largest"
        lo, hi = r["interval"]
        d = r.get("decimals", 6)
        text = (f"{side} {result['lever']} = {r.get('value_text', r['value'])}: P({result['goal']}) = "
                f"{r['probability']:.3f} >= {result['target']}; values {lo:.{d}f}..{hi:.{d}f} cannot be told apart "
                f"from the target ({result['paths']} paths, seed {result['seed']})")
        rates, shares = r.get("median_tax_rate_kr") or {}, r.get("median_result_share") or {}
        if rates:
            year = list(rates)[-1]
            text += f"\n  median tax rate in force {year}: {rates[year]:.2f} kr"
        if shares:
            text += "\n  median result share of taxes and grants: " + ", ".join(
                f"{y} {100 * v:.1f} %" for y, v in shares.items())
        costs = r.get("lever_costs")
        if costs:
            text += "\n  levers, MSEK a year: " + ", ".join(f"{c} {costs[c]:.1f}" for c in COSTS)
        return text
    if "rows" not in result:
        return one(result)
    return "\n".join(f"{result['frontier']} = {row[result['frontier']]}: {one(row)}" for row in result["rows"])


def solve_text(result: dict, lang: str) -> str:
    """``simulator solve`` for a person: the answer with the precision its interval supports, the tax rate
    and the result it leads to, and what the levers cost."""
    def one(r: dict) -> str:
        if r["value"] is None:
            return t("solve.none", lang, lo=fmt.number(result["range"][0], 2, lang),
                     hi=fmt.number(result["range"][1], 2, lang), target=fmt.percent(result["target"], 1, lang),
                     best=fmt.percent(r["probability"], 1, lang))
        d = r.get("decimals", 2)
        lines = [t("solve.answer" if r["increasing"] else "solve.answer_largest", lang,
                   lever=lever_label(result["lever"], lang), value=fmt.number(r["value"], d, lang),
                   target=fmt.percent(result["target"], 1, lang), goal=r.get("goal_description") or result["goal"],
                   p=fmt.percent(r["probability"], 1, lang), lo=fmt.number(r["interval"][0], d, lang),
                   hi=fmt.number(r["interval"][1], d, lang), paths=fmt.number(result["paths"], 0, lang),
                   seed=result["seed"])]
        rates, shares = r.get("median_tax_rate_kr") or {}, r.get("median_result_share") or {}
        if rates:
            year = list(rates)[-1]
            lines.append(t("solve.tax_rate", lang, year=year, rate=fmt.kronor(rates[year], 2, lang)))
        if shares:
            lines.append(t("solve.result_share", lang, shares=", ".join(
                f"{y}: {fmt.percent(v, 1, lang)}" for y, v in shares.items())))
        costs = r.get("lever_costs")
        if costs:
            lines.append(t("console.costs_title", lang) + ": " + ", ".join(
                f"{h} {c}" for h, c in zip(cost_header(lang), cost_cells(costs, lang))))
            lines.append(cost_note(costs.get("years", []), costs.get("base_tax_rate_kr"), lang))
        return "\n".join(lines)
    if "rows" not in result:
        return one(result)
    return "\n\n".join(f"{lever_label(result['frontier'], lang)} = {lever_text(result['frontier'], row[result['frontier']], lang)}:\n"
                       f"{one(row)}" for row in result["rows"])


def key_run_table(summary: dict) -> str:
    lines = [f"policy: {summary['policy']['name']}"
             + ("" if summary["policy"]["reaction"] != "none" else " (no reaction rule)")]
    lines += _provenance_lines(summary)
    if "stress" in summary:
        lines.append(f"stress: {summary['stress'].get('description') or 'as the scenario sets it'}")
    if "condition" in summary:
        c = summary["condition"]
        lines.append(f"condition: {c['expression']}: {c['paths_kept']} of {c['paths_total']} paths kept "
                     "(the answers below are given that)")
    goals = summary.get("goals", {})
    width = max([28] + [len(n) + 1 for n in goals])
    if goals and summary.get("deterministic"):
        lines.append(f"{'goal':<{width}} on the zero-shock path")
        for name, g in goals.items():
            lines.append(f"{name:<{width}} {'met' if g['probability'] == 1 else 'not met'}")
    elif goals:
        lines.append(f"{'goal':<{width}} {'probability':>11}  95 % interval")
        for name, g in goals.items():
            lo, hi = g["ci95"]
            lines.append(f"{name:<{width}} {g['probability']:>11.3f}  [{lo:.3f}, {hi:.3f}]")
        lines.append(f"intervals: {summary['interval_covers']}")
    else:
        lines.append("(the scenario declares no goals)")
    risks = summary.get("risks", {})
    if risks and not summary.get("deterministic"):
        lines.append("")
        lines.append(f"{'risk':<{width}} {'any year':>11}  95 % interval")
        for name, r in risks.items():
            lo, hi = r["ci95_any_year"]
            lines.append(f"{name:<{width}} {r['probability_any_year']:>11.3f}  [{lo:.3f}, {hi:.3f}]")
    table = summary.get("assumptions")
    if table and goals and not summary.get("deterministic"):
        lines.append("")
        lines += _assumption_lines(table, answer_goals(goals)[:2], summary["assumptions_paths"])
    balance = [g for g, entry in goals.items() if entry.get("answer") == "balance"]
    lines += _attribution_lines(summary.get("attribution", {}), balance[0] if balance else None)
    years = summary["years"]
    shown = [y for y in (years[0], 2030, years[-1]) if y in years]
    shown = list(dict.fromkeys(shown))
    lines.append("")
    lines.append(f"{'p5 / p50 / p95':<24}" + "".join(f"{y:>24}" for y in shown))
    rows = [("inflation", "{:>7.1%}"), ("short_rate", "{:>7.1%}"), ("long_rate", "{:>7.1%}"),
            ("equity_return", "{:>7.1%}"), ("tax_base_growth", "{:>7.1%}"),
            ("result_msek", "{:>7.0f}"), ("balance_requirement_result_msek", "{:>7.0f}"),
            ("equity_msek", "{:>7.0f}"), ("consolidation_ratio", "{:>7.1%}"), ("equity_share", "{:>7.1%}")]
    for name, pattern in rows:
        table = summary["percentiles"].get(name)
        if table is None:
            continue
        cells = []
        for y in shown:
            k = years.index(y)
            cells.append(" ".join(pattern.format(table[q][k]) for q in ("p5", "p50", "p95")))
        label = name.removesuffix("_msek").replace("balance_requirement_result", "balance_req_result")
        lines.append(f"{label:<24}" + "".join(f"{c:>24}" for c in cells))
    return "\n".join(lines)


def _provenance_lines(summary: dict) -> list[str]:
    """What the run was: the --set overrides (its name) and the files its economy came from."""
    lines = []
    if summary.get("overrides"):
        lines.append(f"overrides: {', '.join(f'{k}={v}' for k, v in summary['overrides'].items())} "
                     f"(run {summary.get('name')})")
    files = summary.get("economy_files") or []
    if files:
        lines.append(f"economy: {files[0]}" + (f" (values over it from {', '.join(files[1:])})" if files[1:] else ""))
    return lines


def _attribution_lines(table: dict, goal: str) -> list[str]:
    rows = table.get(goal)
    if not rows:
        return []
    lines = ["", f"why paths miss {goal}: means over the goal's years, paths that meet it / miss it"]
    for r in rows:
        lines.append(f"  {r['variable'] + ' (' + r['over'] + ')':<44} {r['met']:>12.4g} / {r['missed']:<12.4g}")
    return lines


def _assumption_lines(table: dict, shown: list[str], n_paths: int) -> list[str]:
    rows = []
    for name, entry in table.items():
        low, high = entry.get("low", {}), entry.get("high", {})
        if "goals" not in low or "goals" not in high:
            rows.append((name, f"(left out: {low.get('skipped') or high.get('skipped')})"))
            continue
        label = f"{name} ({low['value']:.4g} / {high['value']:.4g})"
        rows.append((label, "".join(f"{low['goals'][g]:>9.3f} / {high['goals'][g]:<7.3f}" for g in shown)))
    width = max(len(label) for label, _ in rows) + 1
    lines = [f"assumptions, on the first {n_paths} paths: probability at the low / high value",
             f"{'assumption (low / high value)':<{width}}" + "".join(f"{g[:19]:>19}" for g in shown)]
    return lines + [f"{label:<{width}}{cells}" for label, cells in rows]


def key_compare_table(result: dict[str, Any]) -> str:
    runs = result["runs"]
    width = max(len(g) for g in result["goals"]) + 2
    col = 26
    lines = [f"{'':<{width}}" + "".join(f"{r['label'][:col - 2]:>{col}}" for r in runs)]
    lines.append(f"{'policy':<{width}}" + "".join(f"{str(r['policy'])[:col - 2]:>{col}}" for r in runs))
    lines.append(f"{'goal probability':<{width}}" + "".join(f"{'P diff ± 1.96 se':>{col}}" for _ in runs))
    for g in result["goals"]:
        cells = []
        for r in runs:
            s = r["goals"][g]
            cell = f"{s['probability']:.3f}"
            if "diff" in s:
                cell += f" {s['diff']:+.3f}±{1.96 * s['diff_stderr']:.3f}"
            cells.append(f"{cell:>{col}}")
        lines.append(f"{g:<{width}}" + "".join(cells))
    lines.append("")
    for r in runs[1:]:
        lines.append(f"{r['label']} against {result['reference']}: {r['compared_as']}")
        if r["paired"]:
            for g in result["goals"]:
                s = r["goals"][g]
                lines.append(f"  {g:<{width}} paths gained {s['gained']}, lost {s['lost']}; "
                             f"paired standard error {s['diff_stderr']:.4f}")
    if any(r.get("paired") for r in runs[1:]):
        lines.append(result["why_paired"])
    lines.append("")
    names = sorted({k for r in runs for k in r["risks"]}, key=RISKS.index)
    for name in names:
        lines.append(f"{name + ' (any year)':<{width}}" + "".join(f"{r['risks'].get(name, float('nan')):>{col}.3f}" for r in runs))
    for key in dict.fromkeys(k for r in runs for k in r["medians"]):
        lines.append(f"{'median ' + key:<{width}}" + "".join(f"{r['medians'].get(key, float('nan')):>{col}.4g}" for r in runs))
    costs = [r.get("costs") for r in runs]
    if any(costs):
        for c in COSTS:
            lines.append(f"{c + ' per year':<{width}}" + "".join(
                f"{(x or {}).get(c, float('nan')):>{col}.1f}" for x in costs))
        lines.append(_cost_line(next(x for x in costs if x)))
    lines += _reason_lines([(r["label"], r) for r in runs[1:]])
    return "\n".join(lines)
