"""What one chunk of paths contributes to summary.json, and how chunks add up (the same bits in any order).

:func:`chunk_columns` lays a chunk's results out as the column sets the summary needs; a
:class:`ChunkStats` reduces them (sums, bin counts, event and goal counts) and merges with others;
:func:`finish` turns the stats of all paths into the numbers :mod:`simulator.run.summary` puts into
summary.json (:func:`finish_exact` the same from paths kept in memory). The rules (which events, which attribution
variables) live in :mod:`simulator.run.summary` and :mod:`simulator.model.stress`; this module only adds up.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from simulator.kernels.records import OUTPUT
from simulator.kernels.summary import records_to_columns
from simulator.model.goals import evaluate_goals
from simulator.run.attribution import attribution_columns
from simulator.run.streaming import (
    EXACT_METHOD,
    PERCENTILE_METHOD,
    Bins,
    ColumnStats,
    bins_from_sample,
    exact_percentiles,
    percentiles,
)
from simulator.variables import PERCENTILES, STORED

#: events counted per year and over all years: name -> (variable, what makes it happen)
EVENTS = {
    "loan_limit_breach": "loan_limit_breach",
    "debt_ceiling_breach": "debt_ceiling_breach",
    "overdraft_used": "overdraft_msek",
    "derisking": "derisking_months",
    "protection_breach": "protection_breach",
}
#: per-path totals whose percentiles summary.json reports under risks.derisking
RISK_TOTALS = ("total_months", "longest_spell_months", "months_below_half_equity")


class SummarySpec(NamedTuple):
    """What the summary is taken over: the goals (pydantic models), the years, the attribution columns."""

    goals: Any
    years: tuple[int, ...]
    attribution: tuple[tuple[str, str, str], ...]  # (goal, variable, over)


class Columns(NamedTuple):
    """One chunk laid out for the summary: each set is (rows, columns) float64."""

    annual: np.ndarray  # (paths, variable x year), variable-major in STORED order
    risk: np.ndarray  # (paths, 3): RISK_TOTALS
    breach: np.ndarray  # (paths x years, 1): the protection breach's size where breached, else NaN
    attribution: np.ndarray  # (paths, 2 x attribution columns): value where met | where missed, else NaN
    events: np.ndarray  # (events, years + 1) int64: paths with the event in each year, and in any year
    goals: dict[str, np.ndarray]  # goal -> per path bool


def summary_spec(scenario) -> SummarySpec:

    years = [int(y) for y in scenario.simulation.years]
    n = len(years)
    probe = {name: np.zeros((1, n)) for name in STORED}
    met = {g: np.zeros(1, dtype=bool) for g in scenario.goals}
    columns = tuple((g, v, over) for g, v, over, _ in attribution_columns(scenario.goals, met, probe, years))
    return SummarySpec(goals=scenario.goals, years=tuple(years), attribution=columns)


def _annual_columns(annual: dict[str, np.ndarray], n_years: int, records: np.ndarray | None) -> np.ndarray:
    """The stored variables as (paths, variable x year), each column contiguous (Fortran order): from
    the kernel's OUTPUT records (paths x years) by a transposing kernel when given, else copied in."""
    n = annual[STORED[0]].shape[0]
    if records is not None:
        columns = np.empty((len(STORED) * n_years, n))
        records_to_columns(records_as_doubles(records), STORED_FIELDS, columns)
        return columns.T
    flat = np.empty((n, len(STORED) * n_years), order="F")
    for s, name in enumerate(STORED):
        flat[:, s * n_years:(s + 1) * n_years] = annual[name]
    return flat


STORED_FIELDS = np.array([OUTPUT.names.index(name) for name in STORED], dtype=np.int64)


def records_as_doubles(records: np.ndarray) -> np.ndarray:
    """The kernel's OUTPUT records (paths x years) as paths x years x field float64, for the kernels
    that lay them out (every OUTPUT field is a float64)."""
    n, n_years = records.shape
    return np.ascontiguousarray(records).view(np.float64).reshape(n, n_years, len(records.dtype.names))


def percentile_columns(spec: SummarySpec, annual: dict[str, np.ndarray],
                       records: np.ndarray | None = None) -> list[np.ndarray]:
    """The column sets whose percentiles the summary takes (annual, risk totals, breach sizes): what the
    bins count of a chunk. ``records``: the same values as the kernel's OUTPUT records."""
    years = np.asarray(spec.years)
    flat = _annual_columns(annual, years.size, records)
    months = annual["derisking_months"]
    risk = np.column_stack([months.sum(axis=1), annual["derisking_longest_spell_months"][:, -1],
                            annual["months_below_half_equity"].sum(axis=1)])
    breach = np.where(annual["protection_breach"] > 0, annual["protection_breach_size"], np.nan).reshape(-1, 1)
    return [flat, risk, breach]


def chunk_columns(spec: SummarySpec, annual: dict[str, np.ndarray], records: np.ndarray | None = None) -> Columns:
    """A chunk's annual results (name -> paths x years; ``records``: the same as OUTPUT records) as the
    summary's column sets."""

    years = np.asarray(spec.years)
    n = annual[STORED[0]].shape[0]
    flat, risk, breach = percentile_columns(spec, annual, records)
    met = evaluate_goals(spec.goals, annual, years)
    per_path = attribution_columns(spec.goals, met, annual, list(spec.years))
    attribution = np.empty((n, 2 * len(per_path)))
    for j, (goal, _, _, values) in enumerate(per_path):
        attribution[:, 2 * j] = np.where(met[goal], values, np.nan)
        attribution[:, 2 * j + 1] = np.where(met[goal], np.nan, values)
    events = np.empty((len(EVENTS), years.size + 1), dtype=np.int64)
    for e, variable in enumerate(EVENTS.values()):
        happened = annual[variable] > 0
        events[e, :-1] = happened.sum(axis=0)
        events[e, -1] = happened.any(axis=1).sum()
    return Columns(annual=flat, risk=risk, breach=breach, attribution=attribution, events=events, goals=met)


class AllBins(NamedTuple):
    annual: Bins
    risk: Bins
    breach: Bins


def sample_bins(sample: Columns) -> AllBins:
    """The bins of every column set from the reference sample's columns (simulator.run.streaming)."""
    return AllBins(*(bins_from_sample(getattr(sample, k).T) for k in ("annual", "risk", "breach")))


class ChunkStats:
    """The summary's statistics of the chunks added so far (picklable: dask tasks return them)."""

    def __init__(self, spec: SummarySpec, bins: AllBins | None):
        """``bins`` None: sums, events and goals only (percentiles taken from the values themselves)."""
        bins = bins or AllBins(None, None, None)
        self.annual = ColumnStats(len(STORED) * len(spec.years), bins.annual)
        self.risk = ColumnStats(len(RISK_TOTALS), bins.risk)
        self.breach = ColumnStats(1, bins.breach)
        self.attribution = ColumnStats(2 * len(spec.attribution))
        self.events = np.zeros((len(EVENTS), len(spec.years) + 1), dtype=np.int64)
        self.goals = {g: 0 for g in spec.goals}
        self.paths = 0

    def add(self, columns: Columns) -> ChunkStats:
        self.paths += columns.annual.shape[0]
        for name in ("annual", "risk", "breach", "attribution"):
            getattr(self, name).add(getattr(columns, name))
        self.events += columns.events
        for g, hits in columns.goals.items():
            self.goals[g] += int(np.count_nonzero(hits))
        return self

    def merge(self, other: ChunkStats) -> ChunkStats:
        self.paths += other.paths
        for name in ("annual", "risk", "breach", "attribution"):
            getattr(self, name).merge(getattr(other, name))
        self.events += other.events
        for g, k in other.goals.items():
            self.goals[g] += k
        return self


class Finished(NamedTuple):
    """The numbers summary.json is made of, over all paths."""

    paths: int
    years: tuple[int, ...]
    goals: dict[str, int]  # paths meeting each goal
    percentiles: dict[str, np.ndarray]  # variable -> (percentiles, years)
    intervals: dict[str, np.ndarray]  # variable -> (percentiles, years, 2): each percentile's 95 % interval
    means: dict[str, np.ndarray]  # variable -> (years,)
    sums: dict[str, np.ndarray]  # variable -> (years,), correctly rounded
    events: dict[str, np.ndarray]  # event -> (years + 1,) paths with it per year and in any year
    risk_percentiles: dict[str, np.ndarray]  # RISK_TOTALS -> (percentiles,)
    breach_percentiles: np.ndarray | None  # (percentiles,), None when no path breached
    attribution: dict[tuple[str, str, str], tuple[float, float]]  # -> (mean where met, where missed)
    method: str  # how the percentiles and their intervals were computed


def finish(spec: SummarySpec, stats: ChunkStats) -> Finished:
    """The summary's numbers from the stats of every path (one pass: the counts decide)."""
    annual = percentiles(stats.annual, PERCENTILES)
    risk_q, _ = percentiles(stats.risk, PERCENTILES)
    breach_q, _ = percentiles(stats.breach, PERCENTILES, omit_nan=True)
    return _finished(spec, stats, annual, risk_q, breach_q, PERCENTILE_METHOD)


def finish_exact(spec: SummarySpec, stats: ChunkStats, columns: list[Columns]) -> Finished:
    """The same with exact percentiles, from the columns of every path kept in memory (run --condition);
    ``stats`` are those columns' statistics (sums, events, goals)."""
    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(c, name) for c in columns], axis=0)
    annual = exact_percentiles(joined("annual"), PERCENTILES)
    risk_q, _ = exact_percentiles(joined("risk"), PERCENTILES)
    breach_q, _ = exact_percentiles(joined("breach"), PERCENTILES, omit_nan=True)
    return _finished(spec, stats, annual, risk_q, breach_q, EXACT_METHOD)


def _finished(spec: SummarySpec, stats: ChunkStats, annual: tuple[np.ndarray, np.ndarray], risk_q: np.ndarray,
              breach_q: np.ndarray, method: str) -> Finished:
    annual_q, annual_ci = annual
    n_years = len(spec.years)
    means = stats.annual.means()
    sums = stats.annual.sums()
    attribution_means = stats.attribution.means(omit_nan=True)

    def by_variable(values: np.ndarray) -> dict[str, np.ndarray]:
        return {name: values[s * n_years:(s + 1) * n_years] for s, name in enumerate(STORED)}
    return Finished(
        paths=stats.paths, years=spec.years, goals=dict(stats.goals),
        percentiles={k: v.T for k, v in by_variable(annual_q).items()},
        intervals={k: v.transpose(1, 0, 2) for k, v in by_variable(annual_ci).items()},
        means=by_variable(means), sums=by_variable(sums),
        events={e: stats.events[i] for i, e in enumerate(EVENTS)},
        risk_percentiles={name: risk_q[i] for i, name in enumerate(RISK_TOTALS)},
        breach_percentiles=None if stats.breach.rows == stats.breach.nans[0] else breach_q[0],
        attribution={col: (float(attribution_means[2 * j]), float(attribution_means[2 * j + 1]))
                     for j, col in enumerate(spec.attribution)},
        method=method,
    )
