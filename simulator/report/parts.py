"""What every section of the report is built from: the Section, and how runs, goals, variants, levers and
their costs are named in the report's language. The section builders (``page_one``, ``sections``,
``sweep_section``) and the terminal (``console``) import these; ``html`` puts the sections in a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np

from simulator.i18n import has, t
from simulator.report import charts
from simulator.report import formatting as fmt
from simulator.report.data import Goal, PairedDifference, Report, Run, Sweep, paired_differences, value_kind

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
#: the levers' costs in the order shown (simulator.whatif.costs) and how each reads
COSTS = (("tax_raised_msek", "msek"), ("savings_msek", "msek"), ("deposits_msek", "msek"),
         ("derisking_months", "months"))


@dataclass
class Section:
    id: str
    title: str
    intro: str = ""
    paragraphs: list[str] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)  # {"caption", "header", "rows", "note", "wide"}
    charts: list[charts.Chart] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)  # only the first section
    notes: list[str] = field(default_factory=list)  # after the charts: what a chart or a number means
    charts_first: bool = False  # the charts before the tables (a sweep: the maps, then the variants)

    def add(self, key: str, chart: charts.Chart) -> None:
        self.charts.append(replace(chart, key=key))

    def chart(self, key: str) -> charts.Chart | None:
        return next((c for c in self.charts if c.key == key), None)


def table(header: list[str], rows: list[list[str]], caption: str = "", note: str = "", **extra) -> dict[str, Any]:
    """A table of a section; ``wide``: many columns, set smaller (and never cut: the page wraps it)."""
    return {"caption": caption, "header": header, "rows": rows, "note": note,
            "wide": extra.get("wide", len(header) > 6), "code": extra.get("code", False)}


# ------------------------------------------------------------------------------------ naming runs

def scenario_title(run: Run, lang: str) -> str:
    """The scenario's title ([report] title), else its name."""
    return run.text("title", lang) or run.provenance.scenario or run.directory.name


def overrides_phrase(overrides: dict[str, Any], lang: str) -> str:
    """A run's --set values in words ("sparprogram 1,0 % per år; skatt +0,50 kr")."""
    return "; ".join(fmt.lever_phrase(k, v, lang) for k, v in overrides.items())


def run_label(run: Run, lang: str) -> str:
    """How a run is named beside others: the zero-shock plan, else its scenario's title with its
    overrides, else its reaction rule, else its scenario's name."""
    if run.deterministic:
        return t("run.deterministic", lang)
    title = run.text("title", lang)
    if title:
        return title + (f" ({overrides_phrase(run.provenance.overrides, lang)})" if run.provenance.overrides else "")
    return policy_label(run, lang) or run.provenance.scenario or run.directory.name


def policy_label(run: Run, lang: str) -> str | None:
    """"Oförändrad politik" or "Med reaktionsregel (name)"; None when the summary names no policy."""
    if run.policy is None:
        return None
    return t("run.unchanged", lang) if run.policy.unchanged else t("run.policy", lang, name=run.policy.name)


def run_labels(runs: Sequence[Run], lang: str) -> list[str]:
    labels = [run_label(r, lang) for r in runs]
    return [f"{lab} ({r.directory.name})" if labels.count(lab) > 1 else lab for lab, r in zip(labels, runs)]


def report_title(report: Report, lang: str) -> str:
    """The report's title: what the first run is (its scenario's title and any --set overrides)."""
    run = report.main
    if run.sweep is not None and run.sweep.description:
        return t("report.title_sweep", lang, title=run.sweep.description)
    own = run.text("title", lang)
    title = own or t("report.title", lang, scenario=scenario_title(run, lang))
    if run.provenance.overrides:
        title = t("report.title_overrides", lang, title=title, overrides=overrides_phrase(run.provenance.overrides, lang))
    return title


def paired(report: Report, lang: str) -> list[PairedDifference]:
    labels = run_labels([report.main, *report.others], lang)[1:]
    return paired_differences(report.main, report.others, labels, lang)


# ------------------------------------------------------------------------------------ naming goals

def goal_year(goal: Goal) -> str:
    if goal.definition is not None and goal.definition.years:
        return str(goal.definition.years[-1])
    match = re.search(r"(19|20)\d\d", goal.name)
    return match.group(0) if match else ""


def describe_goal(goal: Goal, run: Run, lang: str) -> str:
    """The goal's definition in words: measure, comparison, threshold and years, or its parts."""
    d = goal.definition
    if d is None:
        return goal.description or goal.name
    if d.all_of:
        parts = [(run.goal(n).label(lang) if run.goal(n) else n) for n in d.all_of]
        return t("def.all_of", lang, parts="; ".join(parts))
    kind = run.variable(d.metric).kind if d.metric else "number"
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


def goal_label(report: Report, name: str, lang: str) -> str:
    """A goal's description (the scenario's text) wherever the report finds it, else its name."""
    goal = report.main.goal(name)
    if goal is not None:
        return goal.label(lang)
    sweep = report.main.sweep
    return (sweep.goal_descriptions.get(name) if sweep is not None else None) or name


def fan_labels(lang: str, overlay: str = "overlay.zero_shock") -> dict[str, str]:
    return {"band_90": t("chart.band_90", lang), "band_50": t("chart.band_50", lang),
            "median": t("chart.median", lang), "overlay": t(overlay, lang)}


def unit_label(kind: str, lang: str) -> str:
    return t(f"unit.axis_{kind}", lang) if has(f"unit.axis_{kind}") else ""


def probability_cells(goal: Goal, lang: str) -> list[str]:
    if goal.met is not None:
        return [t("word.met" if goal.met else "word.not_met", lang), fmt.DASH]
    return [fmt.percent(goal.probability, 1, lang), fmt.interval(goal.ci_low, goal.ci_high, lang)]


def interval_sentence(run: Run, lang: str) -> str:
    """What the intervals cover, in the report's language (summary.json's ``interval_covers`` is the
    English sentence of the same fact)."""
    if run.deterministic:
        return t("text.deterministic_note", lang)
    return t("text.interval_covers_parameters" if run.parameter_uncertainty else "text.interval_covers_default", lang)


# ------------------------------------------------------------------------------- variants and costs

def variant_name(sweep: Sweep, i: int, lang: str, mark_reference: bool = True) -> str:
    """A variant as a person names it: the sweep file's label, else its levers in words (the levers
    that vary), else its name; the reference marked."""
    label = sweep.variant_label(i)
    if label is None:
        row = sweep.table.iloc[i]
        varying = [lv for lv in sweep.levers if sweep.table[lv].nunique(dropna=False) > 1]
        shown = [lv for lv in varying if lv != "scenario" and row[lv] == row[lv]]
        label = "; ".join(fmt.lever_phrase(lv, row[lv], lang, sweep.lever_labels) for lv in shown)
    if not label:
        label = str(sweep.table[sweep.label_column].iloc[i]) if sweep.label_column else str(i + 1)
    if mark_reference and sweep.reference == i:
        label += f" ({t('text.reference', lang)})"
    return label


def cost_cells(costs: dict[str, Any] | None, lang: str) -> list[str]:
    """The levers' costs as table cells: MSEK a year with no decimals, months with one."""
    if not costs:
        return [fmt.DASH] * len(COSTS)
    return [fmt.number(costs.get(key), 0 if kind == "msek" else 1, lang) for key, kind in COSTS]


def cost_header(lang: str) -> list[str]:
    return [t(f"col.cost_{key}", lang) for key, _ in COSTS]


def cost_note(years: Sequence[int], base_rate: float | None, lang: str) -> str:
    """What the cost columns measure, and over which years."""
    return t("text.costs_note", lang, years=fmt.year_span(list(years)) if years else fmt.DASH,
             rate=fmt.kronor(base_rate, 2, lang) if base_rate is not None else fmt.DASH)


def sweep_costs(sweep: Sweep, i: int) -> dict[str, Any] | None:
    """A variant's costs from sweep.csv's cost columns (None for a sweep of an older version)."""
    if not sweep.cost_columns:
        return None
    row = sweep.table.iloc[i]
    return {cost: float(row[column]) for cost, column in sweep.cost_columns.items()}


# ------------------------------------------------------------------------------------- the reasons

def reasons_text(report: Report, who: str, goal: str, diff: float, stderr: float | None,
                 found: list[dict[str, Any]], lang: str) -> str:
    """Why a stress raises a goal (simulator.whatif.reasons) in a sentence: what it moved, from what to
    what over which years, and what the paths meeting the goal have."""
    parts = []
    for r in found:
        variable = report.main.variable(r["variable"])
        kind = value_kind(r["variable"], variable.units)
        def show(x: float) -> str:
            return fmt.value(float(x), kind, lang)
        parts.append(t("reason.move", lang, variable=variable.label(lang), over=r["over"].replace("-", fmt.EN_DASH),
                       reference=show(r["reference"]), variant=show(r["variant"]), met=show(r["met"])))
    change = fmt.points(diff, 1, lang) + (f" ± {fmt.number(196 * stderr, 1, lang)}" if stderr is not None else "")
    return t("reason.sentence", lang, who=who, goal=goal_label(report, goal, lang), change=change,
             moves="; ".join(parts) if parts else t("reason.none", lang))


def finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and bool(np.isfinite(x))
