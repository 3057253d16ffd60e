"""The tables ``run``, ``sweep`` and ``compare`` print with ``--lang sv|en``: for a person, not a script.

Goal descriptions instead of keys, percentages with one decimal, Swedish number formats in Swedish,
"uppfyllt / ej uppfyllt" for a deterministic run. They read what the command has just written, through
the same data layer as the report, so the terminal, the HTML and the workbook cannot disagree. Without
``--lang`` the commands print their key-based tables (simulator.cli), which scripts may parse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.scenario.goals import answer_goals
from simulator.report import formatting as fmt
from simulator.report.data import Run, load_report
from simulator.report.html import interval_sentence, policy_label, run_labels
from simulator.i18n import t



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
    return "\n".join(lines)


def sweep_text(directory: Path, lang: str) -> str:
    """A sweep: a line per variant with its levers and the main goals' probabilities and paired
    differences (sweep.csv has every goal)."""
    sweep = load_report([directory]).main.sweep
    return fmt.sweep_table(sweep, lang, answer_goals(sweep.goals))


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
                              fmt.number(100 * d["diff_stderr"], 1, lang),
                              str(d.get("gained", fmt.DASH)), str(d.get("lost", fmt.DASH))])
    if diff_rows:
        out.append(fmt.text_table([t("col.goal", lang), t("col.run", lang), t("console.compared_as", lang),
                                   t("col.difference", lang), t("col.stderr_points", lang), t("col.gained", lang),
                                   t("col.lost", lang)], diff_rows))
        if any(e["paired"] for e in result["runs"][1:]):
            out.append(t("text.paired_intro", lang))
    else:
        out.append(t("text.no_paired", lang))
    return "\n".join(out)


def _goal_label(run: Run, name: str, lang: str) -> str:
    goal = run.goal(name)
    return goal.label(lang) if goal else name
