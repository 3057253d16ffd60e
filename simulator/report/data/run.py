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
    read_policy,
    read_risks,
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
        instruments=_instruments(results, summary),
        scenario=scenario,
        goal_outcomes=outcomes,
        sweep=load_sweep(directory, summary),
        zero_shock=read_zero_shock(summary),
        condition=read_condition(summary.get("condition")),
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
                var, years_summary, median=as_array(tables[var]["p50"]), bad=as_array(tables[var]["p95"]),
                bad_quantile=95,
                share_used=as_array(mean) if var in FLAG_VARIABLES and isinstance(mean, list) else None,
                total_median=None, total_bad=None))
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
        command=as_text(summary.get("command")) or as_text(attrs.get("command")))


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
