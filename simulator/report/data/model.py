"""The report model: what the report shows about a result directory, as dataclasses.

Everything after the loaders (charts, HTML, tables, the console) reads these classes; the loaders
(``summary``, ``run``, ``sweep``, ``compare``) fill them. Also the goal and variable names the model's
answers rest on, and the one error of bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.i18n import has, t
from simulator.variables import ANNUAL

#: the konsolideringsgrad's two measures: the goals on them answer the second question, found by metric
CONSOLIDATION_METRICS = {"consolidation_ratio": "total", "consolidation_ratio_booked": "booked"}
FLAG_VARIABLES = {"loan_limit_breach", "derisking", "protection_breach", "reaction_deposits_paused"}


class ReportInputError(InputError):
    """The directory is missing or holds no result: bad input (exit 2)."""


# ----------------------------------------------------------------------------------------------- model

@dataclass(frozen=True)
class Variable:
    """A variable's unit and names (from the results' attrs, else simulator.variables)."""

    name: str
    units: str = ""
    long_name: str = ""
    long_name_sv: str = ""

    @property
    def kind(self) -> str:
        return value_kind(self.name, self.units)

    def label(self, lang: str) -> str:
        """The variable's title in ``lang``: simulator.i18n's for every variable the model knows, else the
        names a result of another version stored."""
        if has(f"var.{self.name}"):
            return t(f"var.{self.name}", lang)
        return (self.long_name_sv if lang == "sv" else self.long_name) or self.long_name_sv or self.name


@dataclass(frozen=True)
class GoalDefinition:
    """How a goal (mål) is declared in the scenario: metric, comparison, threshold, years, aggregate."""

    metric: str | None
    comparison: str | None
    threshold: float | None
    years: tuple[int, ...]
    aggregate: str | None  # "all" every year, "any" some year, "last" the last year
    all_of: tuple[str, ...] = ()
    answer: str | None = None  # "balance" or "consolidation": which of the committee's questions it answers


@dataclass(frozen=True)
class Goal:
    """One goal's answer: the probability with its Wilson 95 % interval, or met / not met."""

    name: str
    description: str
    probability: float | None
    stderr: float | None
    ci_low: float | None
    ci_high: float | None
    paths_meeting: int | None
    met: bool | None = None  # only for a deterministic run (one path, no shocks)
    definition: GoalDefinition | None = None

    def label(self, lang: str) -> str:
        # the description is the scenario's own text (Swedish in the base scenario), in either language
        return self.description or self.name


@dataclass(frozen=True)
class Fan:
    """Percentiles across paths per step (year or month): the bands of a fan chart."""

    variable: str
    x: np.ndarray
    p5: np.ndarray
    p25: np.ndarray
    p50: np.ndarray
    p75: np.ndarray
    p95: np.ndarray
    mean: np.ndarray | None = None


@dataclass(frozen=True)
class Risk:
    """An event the rules record (låneram överskriden, riskminskning, skyddsnivån underskriden)."""

    name: str
    description: str
    by_year: np.ndarray | None
    any_year: float | None
    ci_low: float | None
    ci_high: float | None
    details: dict[str, Any] = field(default_factory=dict)  # further figures, as the summary gives them


@dataclass(frozen=True)
class DepthShare:
    """Share of paths whose rule decision in force (at its last rebalancing) is below the slack share
    min(strategic, cap), per month, by depth band."""

    months: np.ndarray
    reference_share: float
    bands: tuple[tuple[float, float], ...]
    shares: np.ndarray  # bands x months
    every: int = 4  # the rule decides at every this many months (rebalancing)


@dataclass(frozen=True)
class EquityShareMonthly:
    """The monthly aktieandel (equity share after rebalancing) across paths."""

    fan: Fan  # x: months (datetime64)
    depth: DepthShare | None


@dataclass(frozen=True)
class Instrument:
    """One instrument of the reaction rule as used: the median path and the bad paths per year, and per
    simulated outcome one figure a reader can name (``per_path``: the most in force in any year, or the
    years used), its median and bad value, and the rule's cap on it (None: the rule sets none)."""

    variable: str
    years: np.ndarray
    median: np.ndarray
    bad: np.ndarray
    bad_quantile: int
    share_used: np.ndarray | None  # share of paths using it per year
    per_path: str  # "max": the most in force in any year; "years": the years it is used; "sum": the total
    total_median: float | None  # the per-path figure's median
    total_bad: float | None  # ... and its bad paths' value
    cap: float | None = None  # what the rule allows of the per-path figure (same unit)


@dataclass(frozen=True)
class Policy:
    """The policy in force: its name and the reaction rule's settings; no rule is oförändrad politik."""

    name: str
    settings: dict[str, Any]
    no_reaction: bool = False

    @property
    def unchanged(self) -> bool:
        return self.no_reaction or self.name == "none"


@dataclass(frozen=True)
class Assumption:
    """One judgment parameter at its low and high value, with each goal's probability (tornado)."""

    parameter: str
    low_value: float | None
    high_value: float | None
    low: dict[str, float]
    high: dict[str, float]


@dataclass(frozen=True)
class AttributionRow:
    """A variable's mean among the paths that meet a goal and among those that miss it."""

    variable: str
    met: float | None
    missed: float | None


@dataclass(frozen=True)
class Sweep:
    """A sweep's grid: one row per variant, the levers then per goal probability, interval, difference."""

    table: pd.DataFrame
    levers: list[str]
    goals: list[str]
    label_column: str | None
    reference: int | None  # row position of the reference variant
    goal_descriptions: dict[str, str]
    answers: dict[str, str] = field(default_factory=dict)  # goal -> "balance" / "consolidation"
    lever_labels: dict[str, str] = field(default_factory=dict)  # the sweep file's labels (free text)
    cost_columns: dict[str, str] = field(default_factory=dict)  # cost (simulator.whatif.costs) -> its column
    cost_years: list[int] = field(default_factory=list)  # the years the costs are averaged over
    reasons: dict[int, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)  # row -> goal -> reasons
    description: str = ""  # the sweep file's description (free text)

    def variant_label(self, i: int) -> str | None:
        """The sweep file's label of variant ``i``, when it gave one."""
        if "label" in self.table.columns:
            value = self.table["label"].iloc[i]
            if isinstance(value, str) and value.strip():
                return value
        return None


@dataclass(frozen=True)
class Provenance:
    """Where a result came from: scenario and its hash, seed, paths, version, date, command."""

    directory: Path
    scenario: str | None
    scenario_sha256: str | None
    sha256_computed: bool  # True: hashed here from the stored resolved scenario (the summary has none)
    seed: int | None
    paths: int | None
    version: str | None
    date: str | None
    command: str | None
    code: str | None = None  # the code's commit (git describe) when the run knew it
    economy_files: tuple[str, ...] = ()  # where the [economy] came from, the main file first
    overrides: dict[str, Any] = field(default_factory=dict)  # the run's --set values


@dataclass(frozen=True)
class KnownOutcome:
    """A series every path took as observed (känt utfall, summary.json ``known``): no spread there."""

    series: str  # a calibration series name (inflation, short_rate, ...)
    monthly: bool
    periods: str  # "2025-01..2025-06" or one period
    file: str


@dataclass(frozen=True)
class Condition:
    """``run --condition``: the paths kept, and so what every answer of the run is conditional on."""

    expression: str
    paths_kept: int
    paths_total: int


@dataclass
class Run:
    """Everything the report shows about one result directory."""

    directory: Path
    kind: str  # "run", "sweep" or "compare"
    provenance: Provenance
    deterministic: bool
    goals: list[Goal]
    interval_covers: str | None
    parameter_uncertainty: bool
    risks: dict[str, Risk]
    years: list[int]
    fans: dict[str, Fan]
    variables: dict[str, Variable]
    equity_monthly: EquityShareMonthly | None
    policy: Policy | None
    assumptions: list[Assumption]
    attribution: dict[str, list[AttributionRow]]
    instruments: list[Instrument]
    scenario: dict[str, Any] | None
    goal_outcomes: dict[str, np.ndarray]  # per path, True where the goal is met
    sweep: Sweep | None
    zero_shock: dict[str, np.ndarray]  # a zero-shock path the summary carries, per variable
    condition: Condition | None = None  # run --condition: the answers are given it
    name: str | None = None  # the run's name (the scenario's, with its --set overrides)
    lever_costs: dict[str, Any] | None = None  # simulator.whatif.costs, from summary.json
    robustness: list["RobustnessChoice"] = field(default_factory=list)
    stressed: bool = False  # the scenario has a [stress]
    stress: Any = None  # summary.json "stress": what the stress sets (two runs share a stress when equal)
    report_text: dict[str, Any] = field(default_factory=dict)  # summary.json "report": the scenario's [report]
    known: list[KnownOutcome] = field(default_factory=list)  # känt utfall: what every path took as observed

    def text(self, field_name: str, lang: str) -> str:
        """The scenario's [report] title or description in ``lang`` (the Swedish one when there is no
        English one); empty when the scenario gives none. From the stored scenario, else the summary (a
        sweep, --summary-only)."""
        table = (self.scenario or {}).get("report") or self.report_text or {}
        if not isinstance(table, dict):
            return ""
        en = table.get(f"{field_name}_en") if lang == "en" else None
        value = en or table.get(field_name)
        return value.strip() if isinstance(value, str) else ""

    def goal(self, name: str) -> Goal | None:
        return next((g for g in self.goals if g.name == name), None)

    def variable(self, name: str) -> Variable:
        return self.variables.get(name) or _known_variable(name)


@dataclass(frozen=True)
class RobustnessChoice:
    """One contested modelling choice at its alternative (or the sceptic's combination), on the run's
    random numbers: each goal's difference from the run and its standard error (summary.json
    ``robustness``)."""

    name: str
    value: Any
    differences: dict[str, tuple[float, float | None]]  # goal -> (diff, stderr)
    sceptic: bool = False


@dataclass(frozen=True)
class PairedDifference:
    """A goal's probability in another run minus the first, on the same paths (same seed and paths)."""

    goal: str
    goal_label: str
    run_label: str
    difference: float
    stderr: float
    gained: int  # paths meeting the goal in the other run only
    lost: int


@dataclass(frozen=True)
class ConsolidationAnswer:
    measure: str  # "total": provision + ansvarsförbindelse; "booked": the provision alone
    when: str  # "end": at the end of the goal's last year; "reached": in some year up to it
    goal: Goal


@dataclass
class Report:
    """The first directory's run, the runs beside it, and the zero-shock run when one is given."""

    main: Run
    others: list[Run]
    zero_shock_run: Run | None

    def zero_shock_path(self, variable: str) -> np.ndarray | None:
        """The zero-shock (deterministic) path of a variable, from a deterministic run or the summary."""
        if self.zero_shock_run is not None:
            fan = self.zero_shock_run.fans.get(variable)
            if fan is not None and list(self.zero_shock_run.years) == list(self.main.years):
                return fan.p50
        return self.main.zero_shock.get(variable)

    def balance_goal(self) -> Goal | None:
        """The goal the scenario declares as the answer to ekonomi i balans (``answer = "balance"``)."""
        return next((g for g in self.main.goals if g.definition and g.definition.answer == "balance"), None)

    def balance_parts(self) -> list[Goal]:
        goal = self.balance_goal()
        if goal is None or goal.definition is None:
            return []
        return [g for g in (self.main.goal(n) for n in goal.definition.all_of) if g is not None]

    def consolidation_answers(self) -> list[ConsolidationAnswer]:
        return consolidation_answers(self.main.goals)


# ------------------------------------------------------------------------------------ reading the model

def _known_variable(name: str) -> Variable:
    meta = ANNUAL.get(name)
    if meta is None:
        return Variable(name)
    return Variable(name, meta.units, meta.long_name, t(f"var.{name}", "sv"))


def value_kind(name: str, units: str) -> str:
    """How a variable's values read: fraction (shown as %), msek, kr, index, count, flag or number."""
    if name in FLAG_VARIABLES or name.startswith("goal_"):
        return "flag"
    if units == "MSEK" or name.endswith("_msek"):
        return "msek"
    if units == "SEK" or name.endswith("_kr") or name.endswith("_sek"):
        return "kr"
    if name.endswith("_index"):
        return "index"
    if name.endswith("_months"):
        return "count"
    if units in ("1", "1/year") or name.endswith(("_frac", "_pa", "_ratio", "_share")):
        return "fraction"
    return "number"


def consolidation_answers(goals: Iterable[Goal]) -> list[ConsolidationAnswer]:
    """Goals on the konsolideringsgrad, by measure (total / booked) and by when (end / reached)."""
    out = []
    for g in goals:
        d = g.definition
        if d is not None and d.metric in CONSOLIDATION_METRICS:
            when = "reached" if d.aggregate == "any" else "end"
            out.append(ConsolidationAnswer(CONSOLIDATION_METRICS[d.metric], when, g))
    order = {("total", "end"): 0, ("booked", "end"): 1, ("total", "reached"): 2, ("booked", "reached"): 3}
    return sorted(out, key=lambda a: order[(a.measure, a.when)])


def scenario_value(scenario: dict[str, Any] | None, dotted: str):
    """A field of the resolved scenario by its dotted path (as ``--set`` names it); None when absent."""
    node: Any = scenario
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node
