"""One result directory (summary.json, results.zarr or results.nc) -> a Run.

The summary gives the answers; the per-path results, when present, give what the summary does not:
the goals per path, the monthly equity share, the reaction's instruments and the provenance.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from simulator.report.data.model import (
    FLAG_VARIABLES,
    AttributionRow,
    DepthShare,
    EquityShareMonthly,
    Fan,
    Goal,
    Instrument,
    KnownOutcome,
    Provenance,
    ReportInputError,
    Run,
    Variable,
)
from simulator.report.data.summary import (
    SUMMARY_FILE,
    as_array,
    as_int,
    as_number,
    as_text,
    read_assumptions,
    read_attribution,
    read_condition,
    read_fans,
    read_goals,
    read_lever_costs,
    read_policy,
    read_risks,
    read_robustness,
    read_summary,
    read_zero_shock,
)
from simulator.report.data.sweep import SWEEP_FILE, load_sweep

RESULTS_STORES = ("results.zarr", "results.nc")  # the first that exists is read
PATH_DIMS = ("path", "realization")
#: The reaction rule's instruments (åtgärder), annual per path.
REACTION_VARIABLES = ("reaction_savings_msek", "reaction_tax_kr", "reaction_deposits_paused",
                      "reaction_synnerliga_skal_msek")
#: Drivers compared between paths that meet and miss a goal when the summary has no attribution.
ATTRIBUTION_VARIABLES = ("inflation", "equity_return", "tax_base_growth", "short_rate",
                         "budget_deviation_msek", "general_grants_msek")
#: De-risking depth bands (percentage points below the share the portfolio holds when the rule is slack).
DEPTH_BANDS = ((0.0, 0.10), (0.10, 0.25), (0.25, 0.50), (0.50, math.inf))
DEPTH_TOLERANCE = 1e-6
BAD_QUANTILE = 90  # "the bad paths": one path in ten needs at least this much of an instrument
#: how the table gives each instrument per simulated outcome: the most in force in any year, the years it
#: is used, or the total; and the rule's cap on that figure (its key in the policy's settings, how to read it)
PER_PATH = {"reaction_savings_msek": "max", "reaction_tax_kr": "max", "reaction_deposits_paused": "years",
            "reaction_synnerliga_skal_msek": "sum"}
#: the rebalancing interval when the scenario does not say (per tertial, as the region follows the rule up)
DEFAULT_REBALANCE_MONTHS = 4


def load_run(directory: str | Path) -> Run:
    """One result directory -> a Run: its summary.json, then the per-path results when it holds them."""
    directory = Path(directory)
    summary = _directory_summary(directory)
    with _open_results(directory) as results:
        run = _run_from(directory, summary, results)
    if run.kind == "run" and not run.goals and not run.fans and run.sweep is None:
        raise ReportInputError(f"{directory / SUMMARY_FILE}: holds neither goals nor percentiles: not a result")
    return run


def _directory_summary(directory: Path) -> dict[str, Any]:
    """The directory's summary.json; a missing directory or summary is bad input."""
    if not directory.exists():
        raise ReportInputError(f"{directory}: no such directory")
    if not directory.is_dir():
        raise ReportInputError(f"{directory}: not a directory")
    summary_path = directory / SUMMARY_FILE
    if not summary_path.is_file():
        raise ReportInputError(f"{directory}: not a result directory (no {SUMMARY_FILE}); give what "
                               "`simulator run`, `sweep` or `compare` wrote")
    return read_summary(summary_path)


def _run_from(directory: Path, summary: dict[str, Any], results) -> Run:
    """The Run from the summary and the open results store (or its stand-in)."""
    kind = str(summary.get("kind", "sweep" if (directory / SWEEP_FILE).is_file() else "run"))
    deterministic = bool(summary.get("deterministic", False))
    scenario = _scenario(results)
    variables = _variables(results)
    goals = read_goals(summary, scenario, deterministic)
    outcomes = _goal_outcomes(results, [g.name for g in goals])
    attribution = read_attribution(summary.get("attribution")) or _attribution_from_paths(
        results, outcomes, goals)
    return Run(
        directory=directory,
        kind=kind,
        provenance=_provenance(directory, summary, results, scenario),
        deterministic=deterministic,
        goals=goals,
        interval_covers=as_text(summary.get("interval_covers")),
        parameter_uncertainty=bool(summary.get("parameter_uncertainty", False)),
        risks=read_risks(summary.get("risks")),
        years=[int(y) for y in summary.get("years") or []],
        fans=read_fans(summary),
        variables=variables,
        equity_monthly=_equity_monthly(results, scenario),
        policy=read_policy(summary.get("policy")),
        assumptions=read_assumptions(summary.get("assumptions")),
        attribution=attribution,
        instruments=_instruments(results, summary, scenario),
        scenario=scenario,
        goal_outcomes=outcomes,
        sweep=load_sweep(directory, summary),
        zero_shock=read_zero_shock(summary),
        condition=read_condition(summary.get("condition")),
        name=as_text(summary.get("name")),
        lever_costs=read_lever_costs(summary.get("lever_costs")),
        robustness=read_robustness(summary.get("robustness")),
        stressed=isinstance(summary.get("stress"), dict) or bool((scenario or {}).get("stress")),
        stress=summary.get("stress") or (scenario or {}).get("stress"),
        report_text=summary.get("report") if isinstance(summary.get("report"), dict) else {},
        known=read_known(summary.get("known")),
    )


# ------------------------------------------------------------------------------------- results store

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


def _scenario(results) -> dict[str, Any] | None:
    text = results.attrs.get("scenario")
    if not isinstance(text, str):
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _variables(results) -> dict[str, Variable]:
    out = {}
    for name, var in results.data_vars.items():
        attrs = var.attrs
        out[name] = Variable(name, str(attrs.get("units", "")), str(attrs.get("long_name", "")),
                             str(attrs.get("long_name_sv", "")))
    return out


# ---------------------------------------------------------------------------------------- the parts

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
    cap = as_number((pension.get("risk_rule") or {}).get("equity_cap_frac"))
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
    every = as_int(((scenario or {}).get("pension") or {}).get("risk_rule", {}).get("rebalance_every_months"))
    return EquityShareMonthly(fan=fan, depth=depth_share(values, months, _slack_share(scenario),
                                                         every or DEFAULT_REBALANCE_MONTHS))


def decisions_in_force(values: np.ndarray, every: int) -> np.ndarray:
    """The share the rule decided at its last rebalancing, per path and month (NaN before the first).

    At a rebalancing month (the ``every``-th month, counted from January of the first year: for a
    tertial April, August, December) the rule trades to its target min(strategic, w_max), so the share
    held after that month's trading is the rule's own decision; between rebalancings the held share
    drifts with the markets, and the decision in force is the last one."""
    n_months = values.shape[1]
    decided = np.full_like(values, np.nan)
    last = np.full(values.shape[0], np.nan)
    for t in range(n_months):
        if (t + 1) % every == 0:
            last = values[:, t]
        decided[:, t] = last
    return decided


def depth_share(values: np.ndarray, months: np.ndarray, reference: float | None,
                every: int = DEFAULT_REBALANCE_MONTHS) -> DepthShare | None:
    """Share of paths (paths x months ``values``, the share held) whose rule decision in force sets the
    equity share below ``reference`` (the share held when the rule does not bind), by depth band: a cut
    is the rule's own decision at a rebalancing, not the drift between two of them."""
    if reference is None:
        return None
    depth = reference - decisions_in_force(values, every)  # NaN before the first decision: no cut
    with np.errstate(invalid="ignore"):
        # the tolerance keeps rounding noise at the slack share out of the shallowest band
        shares = np.array([((depth > max(lo, DEPTH_TOLERANCE)) & (depth <= hi)).mean(axis=0)
                           for lo, hi in DEPTH_BANDS])
    return DepthShare(months=months, reference_share=reference, bands=DEPTH_BANDS, shares=shares, every=every)


def _rule_caps(reaction: Any, n_years: int) -> dict[str, float | None]:
    """What the reaction rule allows of each instrument's per-path figure: the savings at most the total
    share of the budget (a fraction: checked against the savings over the budget), the tax rise at most
    its total in kr, paused deposits at most every year; synnerliga skäl have no cap of their own."""
    reaction = reaction if isinstance(reaction, dict) else {}
    savings = as_number((reaction.get("savings") or {}).get("max_total_pct"))
    return {"reaction_savings_msek": savings / 100.0 if savings is not None else None,
            "reaction_tax_kr": as_number((reaction.get("tax") or {}).get("max_total_kr")),
            "reaction_deposits_paused": float(n_years), "reaction_synnerliga_skal_msek": None}


def _per_path(values: np.ndarray, how: str) -> np.ndarray:
    """One figure per path (paths x years ``values``): the most in force in any year, the years used,
    or the total."""
    if how == "max":
        return values.max(axis=1)
    if how == "years":
        return (values > 0.5).sum(axis=1).astype(float)
    return values.sum(axis=1)


def _instruments(results, summary: dict[str, Any], scenario: dict[str, Any] | None) -> list[Instrument]:
    out = []
    years_summary = np.array(summary.get("years") or [], dtype=int)
    tables = summary.get("percentiles") if isinstance(summary.get("percentiles"), dict) else {}
    policy = summary.get("policy") if isinstance(summary.get("policy"), dict) else {}
    reaction = ((scenario or {}).get("policy") or {}).get("reaction") or policy.get("reaction")
    caps = _rule_caps(reaction, years_summary.size)
    for var in REACTION_VARIABLES:
        how = PER_PATH[var]
        if _has(results, var) and "year" in results[var].dims:
            da = results[var].transpose("path", "year")
            values = np.asarray(da.values, dtype=float)
            figure = _per_path(values, how)
            out.append(Instrument(
                var, np.asarray(da["year"].values, dtype=int),
                median=np.median(values, axis=0), bad=np.percentile(values, BAD_QUANTILE, axis=0),
                bad_quantile=BAD_QUANTILE, share_used=(values != 0).mean(axis=0), per_path=how,
                total_median=float(np.median(figure)), total_bad=float(np.percentile(figure, BAD_QUANTILE)),
                cap=caps[var]))
        elif isinstance(tables.get(var), dict) and all(tables[var].get(k) for k in ("p50", "p95")):
            # no per-path results (--summary-only): the year's median and 95th percentile stand in
            mean = tables[var].get("mean")
            p50, p95 = as_array(tables[var]["p50"]), as_array(tables[var]["p95"])
            out.append(Instrument(
                var, years_summary, median=p50, bad=p95, bad_quantile=95,
                share_used=as_array(mean) if var in FLAG_VARIABLES and isinstance(mean, list) else None,
                per_path=how, total_median=float(np.nanmax(p50)) if how == "max" else None,
                total_bad=float(np.nanmax(p95)) if how == "max" else None, cap=caps[var]))
    return out


# ----------------------------------------------------------------------------------------- provenance

def _provenance(directory: Path, summary: dict[str, Any], results,
                scenario: dict[str, Any] | None) -> Provenance:
    attrs = results.attrs
    sha = as_text(summary.get("scenario_sha256"))
    computed = False
    if sha is None and isinstance(attrs.get("scenario"), str):
        sha, computed = scenario_sha256(attrs["scenario"]), True
    name = summary.get("scenario")
    return Provenance(
        directory=directory,
        scenario=name if isinstance(name, str) else (scenario or {}).get("name"),
        scenario_sha256=sha, sha256_computed=computed,
        seed=as_int(summary.get("seed", attrs.get("seed"))),
        paths=as_int(summary.get("paths", attrs.get("paths"))),
        version=as_text(summary.get("version")) or as_text(attrs.get("version")),
        date=_run_date(summary, attrs, directory / SUMMARY_FILE),
        command=as_text(summary.get("command")) or as_text(attrs.get("command")),
        code=as_text(summary.get("code")),
        economy_files=tuple(f for f in summary.get("economy_files") or () if isinstance(f, str)),
        overrides=summary.get("overrides") if isinstance(summary.get("overrides"), dict) else {})


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


def read_known(entries: Any) -> list[KnownOutcome]:
    """summary.json ``known`` (simulator.model.known): the series pinned, skipping what is not an entry."""
    out = []
    for e in entries if isinstance(entries, list) else []:
        if isinstance(e, dict) and isinstance(e.get("series"), str) and e.get("periods") is not None:
            out.append(KnownOutcome(series=e["series"], monthly=e.get("frequency") == "monthly",
                                    periods=str(e["periods"]), file=str(e.get("file", ""))))
    return out
