"""The data layer: a result directory (what ``run``, ``sweep`` or ``compare`` wrote) -> the report model.

This is the only module of the report that knows file names and summary.json keys; everything after it
(charts, HTML, tables) reads the dataclasses below. When the outputs change, this module changes.

Every part is optional: a missing key or file gives an empty part (None, [] or {}), and the report shows
a section only when its data exist. Read today: ``summary.json`` and ``results.nc``; read when present:
``results.zarr`` (path dimension ``path`` or ``realization``), ``sweep.csv``, and the summary keys
``policy``, ``interval_covers``, ``assumptions``, ``scenario_sha256``, ``attribution``, ``zero_shock``.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.whatif.paired import paired_difference

SUMMARY_FILE = "summary.json"
RESULTS_STORES = ("results.zarr", "results.nc")  # the first that exists is read
SWEEP_FILE = "sweep.csv"
PATH_DIMS = ("path", "realization")
QUANTILES = ("p5", "p25", "p50", "p75", "p95")
SWEEP_SUFFIXES = ("probability", "ci_low", "ci_high", "diff", "diff_stderr", "gained", "lost")
SWEEP_REFERENCE_COLUMN = "reference"  # 1 on the reference variant's row (simulator sweep writes it)
COMPARE_FILE = "compare.json"  # simulator compare --out: the runs it compared
SWEEP_LABEL_COLUMNS = ("variant", "name", "label")

#: Goals behind the three answers (CONTRACT.md names); consolidation goals are also found by metric.
BALANCE_GOAL = "balance_2030"
CONSOLIDATION_METRICS = {"consolidation_ratio": "total", "consolidation_ratio_booked": "booked"}
CONSOLIDATION_GOALS = {  # when the run carries no goal definitions (no results file)
    "consolidation_2040": ("total", "end"),
    "consolidation_booked_2040": ("booked", "end"),
    "consolidation_reached_by_2040": ("total", "reached"),
    "consolidation_booked_reached_by_2040": ("booked", "reached"),
}

#: The reaction rule's instruments (åtgärder), annual per path.
REACTION_VARIABLES = ("reaction_savings_msek", "reaction_tax_kr", "reaction_deposits_paused",
                      "reaction_synnerliga_skal_msek")
#: Drivers compared between paths that meet and miss a goal when the summary has no attribution.
ATTRIBUTION_VARIABLES = ("inflation", "equity_return", "tax_base_growth", "short_rate",
                         "budget_deviation_msek", "general_grants_msek")
FLAG_VARIABLES = {"loan_limit_breach", "derisking", "protection_breach", "reaction_deposits_paused"}
#: De-risking depth bands (percentage points below the share the portfolio holds when the rule is slack).
DEPTH_BANDS = ((0.0, 0.10), (0.10, 0.25), (0.25, 0.50), (0.50, math.inf))
DEPTH_TOLERANCE = 1e-6
BAD_QUANTILE = 90  # "the bad paths": one path in ten needs at least this much of an instrument


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
    """Share of paths de-risked per month, by depth band below the slack share min(strategic, cap)."""

    months: np.ndarray
    reference_share: float
    bands: tuple[tuple[float, float], ...]
    shares: np.ndarray  # bands x months


@dataclass(frozen=True)
class EquityShareMonthly:
    """The monthly aktieandel (equity share after rebalancing) across paths."""

    fan: Fan  # x: months (datetime64)
    depth: DepthShare | None


@dataclass(frozen=True)
class Instrument:
    """One instrument of the reaction rule as used: the median path and the bad paths per year."""

    variable: str
    years: np.ndarray
    median: np.ndarray
    bad: np.ndarray
    bad_quantile: int
    share_used: np.ndarray | None  # share of paths using it per year
    total_median: float | None  # over all years, per path
    total_bad: float | None


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

    def goal(self, name: str) -> Goal | None:
        return next((g for g in self.goals if g.name == name), None)

    def variable(self, name: str) -> Variable:
        return self.variables.get(name) or _known_variable(name)


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
        return self.main.goal(BALANCE_GOAL)

    def balance_parts(self) -> list[Goal]:
        goal = self.balance_goal()
        if goal is None or goal.definition is None:
            return []
        return [g for g in (self.main.goal(n) for n in goal.definition.all_of) if g is not None]

    def consolidation_answers(self) -> list[ConsolidationAnswer]:
        return consolidation_answers(self.main.goals)


# -------------------------------------------------------------------------------------------- loading

def load_report(directories: Sequence[str | Path]) -> Report:
    """Read every directory; the first is the report's subject, deterministic ones give the zero-shock
    path, the rest are shown beside it (e.g. "oförändrad politik" beside the base). A directory that
    `simulator compare --out` wrote stands for the runs it compared."""
    if not directories:
        raise ReportInputError("give at least one result directory")
    expanded: list[Path] = []
    for d in directories:
        expanded += compared_runs(Path(d)) or [Path(d)]
    runs = [load_run(d) for d in expanded]
    main, rest = runs[0], runs[1:]
    zero = next((r for r in rest if r.deterministic and not main.deterministic), None)
    return Report(main=main, others=[r for r in rest if r is not zero], zero_shock_run=zero)


def compared_runs(directory: Path) -> list[Path]:
    """The run directories a compare.json lists (empty when the directory holds none)."""
    path = directory / COMPARE_FILE
    if not path.is_file() or (directory / SUMMARY_FILE).is_file():
        return []
    data = _read_summary(path)
    runs = data.get("runs") if isinstance(data, dict) else None
    if not isinstance(runs, list) or not all(isinstance(r, dict) and r.get("directory") for r in runs):
        raise ReportInputError(f"{path}: not what simulator compare writes (no runs with their directories)")
    return [Path(r["directory"]) for r in runs]


def load_run(directory: str | Path) -> Run:
    directory = Path(directory)
    if not directory.exists():
        raise ReportInputError(f"{directory}: no such directory")
    if not directory.is_dir():
        raise ReportInputError(f"{directory}: not a directory")
    summary_path = directory / SUMMARY_FILE
    if not summary_path.is_file():
        raise ReportInputError(f"{directory}: not a result directory (no {SUMMARY_FILE}); give what "
                               "`simulator run`, `sweep` or `compare` wrote")
    summary = _read_summary(summary_path)
    kind = str(summary.get("kind", "sweep" if (directory / SWEEP_FILE).is_file() else "run"))
    deterministic = bool(summary.get("deterministic", False))
    with _open_results(directory) as results:
        scenario = _scenario(results)
        variables = _variables(results)
        goals = _goals(summary, scenario, deterministic)
        outcomes = _goal_outcomes(results, [g.name for g in goals])
        attribution = _attribution(summary.get("attribution")) or _attribution_from_paths(
            results, outcomes, goals)
        run = Run(
            directory=directory,
            kind=kind,
            provenance=_provenance(directory, summary, results, scenario),
            deterministic=deterministic,
            goals=goals,
            interval_covers=_text(summary.get("interval_covers")),
            parameter_uncertainty=bool(summary.get("parameter_uncertainty", False)),
            risks=_risks(summary.get("risks")),
            years=[int(y) for y in summary.get("years") or []],
            fans=_fans(summary),
            variables=variables,
            equity_monthly=_equity_monthly(results, scenario),
            policy=_policy(summary.get("policy")),
            assumptions=_assumptions(summary.get("assumptions")),
            attribution=attribution,
            instruments=_instruments(results, summary),
            scenario=scenario,
            goal_outcomes=outcomes,
            sweep=_sweep(directory, summary),
            zero_shock=_zero_shock(summary),
            condition=_condition(summary.get("condition")),
        )
    if kind == "run" and not run.goals and not run.fans and run.sweep is None:
        raise ReportInputError(f"{summary_path}: holds neither goals nor percentiles: not a result")
    return run


def _condition(spec: Any) -> Condition | None:
    if not isinstance(spec, dict) or not isinstance(spec.get("expression"), str):
        return None
    kept, total = spec.get("paths_kept"), spec.get("paths_total")
    if not (isinstance(kept, int) and isinstance(total, int)):
        return None
    return Condition(spec["expression"], kept, total)


def _read_summary(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReportInputError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportInputError(f"{path}: cannot be read ({exc})") from None
    if not isinstance(data, dict):
        raise ReportInputError(f"{path}: not a summary (a JSON object was expected)")
    return data


class _NoResults:
    """Stands in for a missing results store: every lookup finds nothing."""

    attrs: dict[str, Any] = {}
    data_vars: dict[str, Any] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _open_results(directory: Path):
    """The per-path results as an xarray Dataset with dimension ``path`` (or a stand-in when absent)."""
    import xarray as xr

    for name in RESULTS_STORES:
        store = directory / name
        if not store.exists():
            continue
        try:
            ds = xr.open_zarr(store) if name.endswith(".zarr") else xr.open_dataset(store, engine="h5netcdf")
        except Exception as exc:  # unreadable store: report from the summary alone, but say why
            raise ReportInputError(f"{store}: cannot be read ({exc.__class__.__name__}: {exc})") from None
        for dim in PATH_DIMS[1:]:
            if dim in ds.dims and "path" not in ds.dims:
                ds = ds.rename({dim: "path"})
        return ds
    return _NoResults()


def _has(results, name: str) -> bool:
    return name in results.data_vars and "path" in results[name].dims


def _text(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _number(value) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _array(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


# ---------------------------------------------------------------------------------------- the parts

def _scenario(results) -> dict[str, Any] | None:
    text = results.attrs.get("scenario")
    if not isinstance(text, str):
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _known_variable(name: str) -> Variable:
    from simulator.variables import ANNUAL

    meta = ANNUAL.get(name)
    if meta is None:
        return Variable(name)
    return Variable(name, meta.units, meta.long_name, meta.swedish)


def _variables(results) -> dict[str, Variable]:
    out = {}
    for name, var in results.data_vars.items():
        attrs = var.attrs
        out[name] = Variable(name, str(attrs.get("units", "")), str(attrs.get("long_name", "")),
                             str(attrs.get("long_name_sv", "")))
    return out


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


def _definition(spec: dict[str, Any] | None) -> GoalDefinition | None:
    if not isinstance(spec, dict):
        return None
    years = spec.get("years")
    if not years and spec.get("from_year") is not None and spec.get("to_year") is not None:
        years = range(int(spec["from_year"]), int(spec["to_year"]) + 1)
    return GoalDefinition(
        metric=spec.get("metric"), comparison=spec.get("comparison"),
        threshold=_number(spec.get("threshold")), years=tuple(int(y) for y in years or ()),
        aggregate=spec.get("aggregate"), all_of=tuple(spec.get("all_of") or ()))


def _goals(summary: dict[str, Any], scenario: dict[str, Any] | None, deterministic: bool) -> list[Goal]:
    raw = summary.get("goals")
    if not isinstance(raw, dict):
        return []
    specs = (scenario or {}).get("goals") or {}
    goals = []
    for name, g in raw.items():
        if not isinstance(g, dict) or _number(g.get("probability")) is None:
            continue
        p = _number(g["probability"])
        ci = g.get("ci95") or [None, None]
        paths_meeting = g.get("paths_meeting")
        goals.append(Goal(
            name=name,
            description=str(g.get("description") or (specs.get(name) or {}).get("description") or ""),
            probability=p, stderr=_number(g.get("stderr")),
            ci_low=_number(ci[0]) if len(ci) > 0 else None, ci_high=_number(ci[1]) if len(ci) > 1 else None,
            paths_meeting=int(paths_meeting) if paths_meeting is not None else None,
            met=(p >= 0.5) if deterministic else None,
            definition=_definition(specs.get(name))))
    return goals


def consolidation_answers(goals: Iterable[Goal]) -> list[ConsolidationAnswer]:
    """Goals on the konsolideringsgrad, by measure (total / booked) and by when (end / reached)."""
    out = []
    for g in goals:
        d = g.definition
        if d is not None and d.metric in CONSOLIDATION_METRICS:
            when = "reached" if d.aggregate == "any" else "end"
            out.append(ConsolidationAnswer(CONSOLIDATION_METRICS[d.metric], when, g))
        elif d is None and g.name in CONSOLIDATION_GOALS:
            measure, when = CONSOLIDATION_GOALS[g.name]
            out.append(ConsolidationAnswer(measure, when, g))
    order = {("total", "end"): 0, ("booked", "end"): 1, ("total", "reached"): 2, ("booked", "reached"): 3}
    return sorted(out, key=lambda a: order[(a.measure, a.when)])


def _risks(raw) -> dict[str, Risk]:
    if not isinstance(raw, dict):
        return {}
    known = {"description", "probability_by_year", "probability_any_year", "ci95_any_year"}
    out = {}
    for name, r in raw.items():
        if not isinstance(r, dict):
            continue
        ci = r.get("ci95_any_year") or [None, None]
        by_year = r.get("probability_by_year")
        out[name] = Risk(
            name=name, description=str(r.get("description") or ""),
            by_year=_array(by_year) if isinstance(by_year, list) else None,
            any_year=_number(r.get("probability_any_year")),
            ci_low=_number(ci[0]) if len(ci) > 0 else None, ci_high=_number(ci[1]) if len(ci) > 1 else None,
            details={k: v for k, v in r.items() if k not in known and v is not None})
    return out


def _fans(summary: dict[str, Any]) -> dict[str, Fan]:
    years = np.array(summary.get("years") or [], dtype=int)
    raw = summary.get("percentiles")
    if not isinstance(raw, dict) or years.size == 0:
        return {}
    out = {}
    for name, table in raw.items():
        if not isinstance(table, dict) or not all(len(table.get(q) or []) == years.size for q in QUANTILES):
            continue
        mean = table.get("mean")
        out[name] = Fan(name, years, *(_array(table[q]) for q in QUANTILES),
                        mean=_array(mean) if isinstance(mean, list) and len(mean) == years.size else None)
    return out


def _zero_shock(summary: dict[str, Any]) -> dict[str, np.ndarray]:
    raw = summary.get("zero_shock")
    n = len(summary.get("years") or [])
    if not isinstance(raw, dict):
        return {}
    return {k: _array(v) for k, v in raw.items() if isinstance(v, list) and len(v) == n}


def _policy(raw) -> Policy | None:
    """summary.json ``policy``: {"name", "reaction": {settings} or "none"} (simulator run)."""
    if isinstance(raw, str):
        return Policy(raw, {})
    if isinstance(raw, dict) and raw.get("name"):
        reaction = raw.get("reaction", raw.get("settings"))
        settings = _flat(reaction, "policy.reaction.") if isinstance(reaction, dict) else {}
        return Policy(str(raw["name"]), settings, no_reaction=reaction == "none")
    return None


def _flat(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested settings as the dotted paths --set names them (policy.reaction.savings.max_per_year_pct)."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _assumptions(raw) -> list[Assumption]:
    if not isinstance(raw, dict):
        return []
    out = []
    for param, sides in raw.items():
        if not isinstance(sides, dict):
            continue
        low, high = sides.get("low") or {}, sides.get("high") or {}
        goals_low = {g: p for g, p in (low.get("goals") or {}).items() if _number(p) is not None}
        goals_high = {g: p for g, p in (high.get("goals") or {}).items() if _number(p) is not None}
        if goals_low or goals_high:
            out.append(Assumption(param, _number(low.get("value")), _number(high.get("value")),
                                  goals_low, goals_high))
    return out


_MET_KEYS, _MISSED_KEYS = ("met", "mean_met"), ("missed", "mean_missed")


def _attribution(raw) -> dict[str, list[AttributionRow]]:
    """Accepts per goal either ``{variable: {"met": x, "missed": y}}`` or a list of
    ``{"variable": v, "met": x, "missed": y}`` (``mean_met`` / ``mean_missed`` also read)."""
    if not isinstance(raw, dict):
        return {}
    out = {}
    for goal, table in raw.items():
        if isinstance(table, dict) and isinstance(table.get("variables"), (dict, list)):
            table = table["variables"]
        if isinstance(table, dict):
            items = list(table.items())
        elif isinstance(table, list):
            items = [(r.get("variable"), r) for r in table if isinstance(r, dict)]
        else:
            continue
        rows = []
        for var, r in items:
            if not var or not isinstance(r, dict):
                continue
            met = next((_number(r[k]) for k in _MET_KEYS if k in r), None)
            missed = next((_number(r[k]) for k in _MISSED_KEYS if k in r), None)
            if met is not None or missed is not None:
                rows.append(AttributionRow(str(var), met, missed))
        if rows:
            out[goal] = rows
    return out


def _goal_outcomes(results, names: Iterable[str]) -> dict[str, np.ndarray]:
    out = {}
    for name in names:
        var = f"goal_{name}"
        if _has(results, var):
            out[name] = np.asarray(results[var].values).reshape(-1) > 0.5
    return out


def _attribution_from_paths(results, outcomes: dict[str, np.ndarray],
                            goals: list[Goal]) -> dict[str, list[AttributionRow]]:
    """Mean of each driver over the goal's horizon, among paths that meet it and among those that miss."""
    out = {}
    by_name = {g.name: g for g in goals}
    for g in goals:
        met = outcomes.get(g.name)
        if met is None or met.all() or not met.any():
            continue
        last = _last_year(g, by_name)
        rows = []
        for var in ATTRIBUTION_VARIABLES:
            if not _has(results, var) or "year" not in results[var].dims:
                continue
            da = results[var].transpose("path", "year")
            if last is not None:
                da = da.sel(year=da["year"] <= last)
            per_path = np.asarray(da.values, dtype=float).mean(axis=1)
            rows.append(AttributionRow(var, float(per_path[met].mean()), float(per_path[~met].mean())))
        if rows:
            out[g.name] = rows
    return out


def _last_year(goal: Goal, goals: dict[str, Goal], seen: frozenset = frozenset()) -> int | None:
    """The last year a goal looks at (for a combined goal, the latest of its parts)."""
    d = goal.definition
    if d is None or goal.name in seen:
        return None
    if d.years:
        return max(d.years)
    parts = [_last_year(goals[n], goals, seen | {goal.name}) for n in d.all_of if n in goals]
    return max((y for y in parts if y is not None), default=None)


def _slack_share(scenario: dict[str, Any] | None) -> float | None:
    """The equity share held when the rule does not bind: min(strategic share, policy cap)."""
    try:
        pension = scenario["pension"]
        strategic = float(pension["portfolio"]["strategic_equity_share_frac"])
    except (TypeError, KeyError, ValueError):
        return None
    cap = _number((pension.get("risk_rule") or {}).get("equity_cap_frac"))
    return min(strategic, cap) if cap is not None else strategic


def _equity_monthly(results, scenario: dict[str, Any] | None) -> EquityShareMonthly | None:
    name = "monthly_equity_share"
    if not _has(results, name) or "month" not in results[name].dims:
        return None
    da = results[name].transpose("path", "month")
    values = np.asarray(da.values, dtype=float)
    months = np.asarray(da["month"].values)
    q = np.percentile(values, [5, 25, 50, 75, 95], axis=0)
    fan = Fan(name, months, *q, mean=values.mean(axis=0))
    return EquityShareMonthly(fan=fan, depth=depth_share(values, months, _slack_share(scenario)))


def depth_share(values: np.ndarray, months: np.ndarray, reference: float | None) -> DepthShare | None:
    """Share of paths (paths x months ``values``) whose equity share is below ``reference`` by each band."""
    if reference is None:
        return None
    depth = reference - values
    # the tolerance keeps rounding noise at the slack share out of the shallowest band
    shares = np.array([((depth > max(lo, DEPTH_TOLERANCE)) & (depth <= hi)).mean(axis=0)
                       for lo, hi in DEPTH_BANDS])
    return DepthShare(months=months, reference_share=reference, bands=DEPTH_BANDS, shares=shares)


def _instruments(results, summary: dict[str, Any]) -> list[Instrument]:
    out = []
    years_summary = np.array(summary.get("years") or [], dtype=int)
    tables = summary.get("percentiles") if isinstance(summary.get("percentiles"), dict) else {}
    for var in REACTION_VARIABLES:
        if _has(results, var) and "year" in results[var].dims:
            da = results[var].transpose("path", "year")
            values = np.asarray(da.values, dtype=float)
            totals = values.sum(axis=1)
            out.append(Instrument(
                var, np.asarray(da["year"].values, dtype=int),
                median=np.median(values, axis=0), bad=np.percentile(values, BAD_QUANTILE, axis=0),
                bad_quantile=BAD_QUANTILE, share_used=(values != 0).mean(axis=0),
                total_median=float(np.median(totals)), total_bad=float(np.percentile(totals, BAD_QUANTILE))))
        elif isinstance(tables.get(var), dict) and all(tables[var].get(k) for k in ("p50", "p95")):
            mean = tables[var].get("mean")
            out.append(Instrument(
                var, years_summary, median=_array(tables[var]["p50"]), bad=_array(tables[var]["p95"]),
                bad_quantile=95,
                share_used=_array(mean) if var in FLAG_VARIABLES and isinstance(mean, list) else None,
                total_median=None, total_bad=None))
    return out


def _sweep(directory: Path, summary: dict[str, Any]) -> Sweep | None:
    path = directory / SWEEP_FILE
    if not path.is_file():
        return None
    try:
        table = pd.read_csv(path)
        if table.shape[1] == 1:  # written with semicolons
            table = pd.read_csv(path, sep=";", decimal=",")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ReportInputError(f"{path}: cannot be read ({exc})") from None
    descriptions = summary.get("goal_descriptions")
    if isinstance(descriptions, dict):  # simulator sweep's summary
        goals_meta = {g: {"description": d} for g, d in descriptions.items()}
    else:
        goals_meta = summary.get("goals") if isinstance(summary.get("goals"), dict) else {}
    return sweep_from_table(table, goals_meta)


def sweep_from_table(table: pd.DataFrame, goals_meta: dict[str, Any] | None = None) -> Sweep | None:
    """Split a sweep grid's columns into levers and goals (``<goal>_probability`` and its companions)."""
    goals = [c.removesuffix("_probability") for c in table.columns if c.endswith("_probability")]
    if not goals:
        return None
    goal_columns = {f"{g}_{s}" for g in goals for s in SWEEP_SUFFIXES}
    label = next((c for c in table.columns if c in SWEEP_LABEL_COLUMNS), None)
    levers = [c for c in table.columns if c not in goal_columns and c not in (label, SWEEP_REFERENCE_COLUMN)]
    reference = None
    diff_cols = [f"{g}_diff" for g in goals if f"{g}_diff" in table.columns]
    if SWEEP_REFERENCE_COLUMN in table.columns and (table[SWEEP_REFERENCE_COLUMN] == 1).any():
        reference = int(np.flatnonzero((table[SWEEP_REFERENCE_COLUMN] == 1).values)[0])
    elif diff_cols:
        zero = (table[diff_cols].abs() < 1e-12).all(axis=1)
        reference = int(np.flatnonzero(zero.values)[0]) if zero.any() else None
    descriptions = {g: str(m.get("description")) for g, m in (goals_meta or {}).items()
                    if isinstance(m, dict) and m.get("description")}
    return Sweep(table=table.reset_index(drop=True), levers=levers, goals=goals, label_column=label,
                 reference=reference, goal_descriptions=descriptions)


def sweep_grids(sweep: Sweep, column: str) -> list[tuple[dict[str, Any], pd.DataFrame]]:
    """A sweep column (e.g. ``balance_2030_probability``) as grids: rows the first lever that varies,
    columns the second, one grid per value combination of any further levers (``({lever: value},
    grid)``); levers with one value in the whole sweep are held fixed and named in every grid's key."""
    if not sweep.levers or column not in sweep.table.columns:
        return []
    table = sweep.table
    varying = [lv for lv in sweep.levers if table[lv].nunique(dropna=False) > 1] or sweep.levers[:1]
    constant = {lv: table[lv].iloc[0] for lv in sweep.levers if lv not in varying}
    if len(varying) == 1:
        grid = table.pivot_table(index=lambda _: "", columns=varying[0], values=column, aggfunc="first")
        return [(constant, grid)]
    rows, cols, rest = varying[0], varying[1], varying[2:]
    groups = table.groupby(rest, sort=False) if rest else [((), table)]
    out = []
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        grid = part.pivot_table(index=rows, columns=cols, values=column, aggfunc="first")
        out.append(({**constant, **dict(zip(rest, key))}, grid))
    return out


def _provenance(directory: Path, summary: dict[str, Any], results,
                scenario: dict[str, Any] | None) -> Provenance:
    attrs = results.attrs
    sha = _text(summary.get("scenario_sha256"))
    computed = False
    if sha is None and isinstance(attrs.get("scenario"), str):
        sha, computed = scenario_sha256(attrs["scenario"]), True
    name = summary.get("scenario")
    return Provenance(
        directory=directory,
        scenario=name if isinstance(name, str) else (scenario or {}).get("name"),
        scenario_sha256=sha, sha256_computed=computed,
        seed=_int(summary.get("seed", attrs.get("seed"))),
        paths=_int(summary.get("paths", attrs.get("paths"))),
        version=_text(summary.get("version")) or _text(attrs.get("version")),
        date=_run_date(summary, attrs, directory / SUMMARY_FILE),
        command=_text(summary.get("command")) or _text(attrs.get("command")))


def _int(value) -> int | None:
    x = _number(value)
    return int(x) if x is not None else None


def scenario_sha256(text: str) -> str:
    """SHA-256 of the resolved scenario in canonical JSON (sorted keys), so key order does not matter."""
    try:
        canonical = json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except json.JSONDecodeError:
        canonical = text
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _run_date(summary: dict[str, Any], attrs, summary_path: Path) -> str | None:
    """The run's date (ISO): the summary's, else the results' history line, else the summary's mtime."""
    for text in (summary.get("created"), summary.get("date"), attrs.get("history")):
        if isinstance(text, str) and text.strip():
            try:
                return datetime.fromisoformat(text.split()[0]).date().isoformat()
            except ValueError:
                continue
    try:
        return datetime.fromtimestamp(summary_path.stat().st_mtime, timezone.utc).date().isoformat()
    except OSError:
        return None


# --------------------------------------------------------------------------------------- comparisons

def paired_differences(main: Run, others: Sequence[Run], run_labels: Sequence[str] | None = None,
                       lang: str = "sv") -> list[PairedDifference]:
    """Each goal in each other run minus the main run, paired path by path (common random numbers,
    ``simulator.whatif.paired``). Only for runs sharing seed and paths whose per-path goal outcomes are stored."""
    out = []
    for k, other in enumerate(others):
        same_paths = (other.provenance.seed == main.provenance.seed
                      and other.provenance.paths == main.provenance.paths)
        if not same_paths or other.deterministic or main.deterministic:
            continue
        label = run_labels[k] if run_labels else other.directory.name
        for goal in main.goals:
            a, b = main.goal_outcomes.get(goal.name), other.goal_outcomes.get(goal.name)
            if a is None or b is None or a.shape != b.shape or a.size < 2:
                continue
            d = paired_difference(a, b)  # the one rule, shared with simulator compare and sweep
            out.append(PairedDifference(
                goal=goal.name, goal_label=goal.label(lang), run_label=label, difference=d["diff"],
                stderr=d["diff_stderr"], gained=d["gained"], lost=d["lost"]))
    return out


def scenario_value(scenario: dict[str, Any] | None, dotted: str):
    """A field of the resolved scenario by its dotted path (as ``--set`` names it); None when absent."""
    node: Any = scenario
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node
