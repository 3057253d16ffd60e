"""Backtests against the annual report: the rank of reported outcomes among a run's paths, and the cost
model's growth on observed drivers beside the reported cost growth (docs/backtest.md).

**Ranks.** ``rank_table(run_dir, reported)`` opens a run's per-path results (results.zarr, dimension
``realization``; :func:`simulator.io.results.open_results`) and gives, for each reported value, its rank:
the share of paths whose simulated value lies below it, ties counted half,
``(#below + 0.5 #equal) / n``. A rank near 0.5 is what a calibrated model gives on average; a rank
below 0.05 or above 0.95 says the outcome lay in a tail of the model's distribution; 0 or 1 with no
spread (p5 = p95) says the model treated the quantity as known and the report differed. The reported
values are data (``scenarios/history/reported_2024.toml``: metric, value, label, source), read by
:func:`read_reported`; a metric is a variable of the run or one of :data:`DERIVED`.

**Cost growth.** ``cost_growth_table(inputs)`` computes, year by year, what the model's cost rule gives
on observed drivers: each cost type's price growth (the kernel's own ``stage_prices``: wage weight x wage
growth + KPI weight x inflation + pbb weight x prisbasbelopp growth + real trend) and its volume growth,
summed over the types in the opening year's shares, as the budget grows after the plan years
(docs/accounts.md section 4). Wage growth, which the data do not hold, is the model's wage equation on
the observed KPI with no wage shock (:func:`model_wage_growth`) unless the inputs give it.

``python -m simulator.whatif.backtest ranks RUN_DIR REPORTED.toml`` and ``python -m
simulator.whatif.backtest costs INPUTS.toml`` print the two tables as Markdown.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import xarray as xr

from simulator.io.results import open_results
from simulator.io.safeio import InputFileError, read_toml
from simulator.io.series import read_tagged_csv
from simulator.kernels.costs import stage_prices
from simulator.kernels.economy import D_INFLATION, D_PBB, D_WAGE_GROWTH, DRIVER_COLUMNS
from simulator.kernels.records import OUTPUT, STATE
from simulator.model.parameters import accounts_params
from simulator.scenario.base import ScenarioError
from simulator.scenario.loader import load_scenario
from simulator.scenario.schema import Scenario

# --- ranks ---------------------------------------------------------------------------------------------------

def _portfolio_start(ds: xr.Dataset) -> xr.DataArray:
    """The portfolio at the start of the year: the year-end value less the market change and the flows."""
    return (ds["pension_assets_msek"] - ds["portfolio_return_msek"] - ds["pension_deposits_msek"]
            + ds["pension_withdrawals_msek"])


def _net_operating_costs(ds: xr.Dataset) -> xr.DataArray:
    return ds["operating_costs_msek"] + ds["depreciation_msek"] - ds["fees_and_sales_msek"] - ds["targeted_grants_msek"]


#: Metrics the annual report states that the run stores as parts, each as a function of the run's Dataset.
#: Costs are positive amounts, as the model books them (the report prints them negative).
DERIVED: dict[str, Callable[[xr.Dataset], xr.DataArray]] = {
    # verksamhetens nettokostnader: costs + depreciation - fees and sales - targeted grants
    "net_operating_costs_msek": _net_operating_costs,
    # verksamhetens intäkter: fees and sales + targeted grants
    "operating_revenue_msek": lambda ds: ds["fees_and_sales_msek"] + ds["targeted_grants_msek"],
    # verksamhetens resultat: taxes and grants - net operating costs (before financial items)
    "operating_result_msek": lambda ds: ds["tax_and_grants_msek"] - _net_operating_costs(ds),
    # generella statsbidrag och utjämning as the income statement shows them: with the drug grant
    "general_grants_incl_drug_msek": lambda ds: ds["general_grants_msek"] + ds["drug_grant_msek"],
    # the pension portfolio's return over the year, after fees
    "portfolio_return_frac": lambda ds: ds["portfolio_return_msek"] / _portfolio_start(ds),
}


class Reported(NamedTuple):
    """One outcome the annual report states: the run's metric, the year, the value in the metric's unit."""

    metric: str
    year: int
    value: float
    label: str = ""
    source: str = ""
    main: bool = False


class RankRow(NamedTuple):
    """A reported value beside the model's paths: its rank and the paths' spread."""

    reported: Reported
    rank: float  # (#below + 0.5 #equal) / n
    below: int
    equal: int
    n: int
    p5: float
    p50: float
    p95: float
    mean: float


def rank_of(simulated: np.ndarray, value: float, rtol: float = 1e-9, atol: float = 1e-9) -> tuple[float, int, int]:
    """The rank of ``value`` among the simulated values: (share below with ties counted half, #below,
    #equal). Values within ``rtol``/``atol`` of ``value`` are ties; NaN paths are refused."""
    x = np.asarray(simulated, dtype=float).ravel()
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError("rank_of: needs at least one path and finite values")
    equal = np.isclose(x, value, rtol=rtol, atol=atol)
    below = int(np.count_nonzero((x < value) & ~equal))
    ties = int(np.count_nonzero(equal))
    return (below + 0.5 * ties) / x.size, below, ties


def metric_values(ds: xr.Dataset, metric: str, year: int) -> np.ndarray:
    """A metric's value on every path in ``year`` (a run variable, or one of DERIVED)."""
    if metric in DERIVED:
        values = DERIVED[metric](ds)
    elif metric in ds.data_vars:
        values = ds[metric]
    else:
        lean = " (the run kept the lean store: run it with --store all)" if ds.attrs.get("store") == "lean" else ""
        raise ScenarioError(f"metric {metric!r}: neither a variable of the run nor a derived metric "
                            f"({', '.join(DERIVED)}){lean}")
    if year not in ds["year"].values:
        raise ScenarioError(f"year {year}: not a simulated year of the run ({', '.join(map(str, ds['year'].values))})")
    return np.asarray(values.sel(year=year).values, dtype=float)


def read_reported(path: str | Path) -> list[Reported]:
    """The reported values of a TOML file: ``year`` and ``[[reported]]`` tables with ``metric``,
    ``value``, and optionally ``label``, ``source``, ``main`` (and a ``year`` of their own)."""
    try:
        data = read_toml(path)
    except InputFileError as exc:
        raise ScenarioError(str(exc)) from None
    entries = data.get("reported")
    if not isinstance(entries, list) or not entries:
        raise ScenarioError(f"{path}: reported: needs at least one [[reported]] table")
    out = []
    for i, entry in enumerate(entries):
        try:
            year = entry.get("year", data.get("year"))
            out.append(Reported(metric=str(entry["metric"]), year=int(year), value=float(entry["value"]),
                                label=str(entry.get("label", "")), source=str(entry.get("source", "")),
                                main=bool(entry.get("main", False))))
        except (KeyError, TypeError, ValueError) as exc:
            raise ScenarioError(f"{path}: reported[{i}]: needs metric, value and a year ({exc})") from None
    return out


def rank_table_of(ds: xr.Dataset, reported: list[Reported]) -> list[RankRow]:
    """Each reported value's rank among the paths of a results Dataset (dimension ``path``)."""
    rows = []
    for item in reported:
        x = metric_values(ds, item.metric, item.year)
        rank, below, equal = rank_of(x, item.value)
        p5, p50, p95 = np.percentile(x, [5, 50, 95])
        rows.append(RankRow(item, rank, below, equal, x.size, float(p5), float(p50), float(p95), float(x.mean())))
    return rows


def rank_table(run_dir: str | Path, reported: list[Reported]) -> list[RankRow]:
    """Each reported value's rank among the paths of the run in ``run_dir``."""
    with open_results(run_dir) as ds:
        return rank_table_of(ds.load(), reported)


def _number(x: float, metric: str) -> str:
    if metric.endswith("_frac") or "ratio" in metric or metric.endswith("share"):
        return f"{100 * x:.1f} %"
    return f"{x:,.1f}".replace(",", " ")


def rank_markdown(rows: list[RankRow]) -> str:
    """The rank table as Markdown: outcome, reported value and source, rank, the paths' p5 / p50 / p95."""
    lines = ["| outcome (metric) | reported | source | rank | p5 | p50 | p95 |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        m = r.reported.metric
        spread = "" if r.p95 > r.p5 else " (no spread)"
        lines.append(f"| {r.reported.label} (`{m}`) | {_number(r.reported.value, m)} | {r.reported.source} "
                     f"| {100 * r.rank:.1f} %{spread} | {_number(r.p5, m)} | {_number(r.p50, m)} | {_number(r.p95, m)} |")
    return "\n".join(lines)


# --- cost growth -------------------------------------------------------------------------------------------

def model_wage_growth(scenario: Scenario, kpi_dec_dec: dict[int, float], inflation_start: float | None = None,
                      lagged_start: float | None = None) -> dict[int, float]:
    """Annual wage growth by the model's wage equation (docs/model.md, simulator.kernels.months) on an
    observed KPI path and no wage shock: monthly log growth = real growth + pass-through x lagged
    inflation + (1 - pass-through) x target, the lag an exponential average of the monthly inflation
    (mean lag ``lag_months``). Each year's Dec/Dec KPI change is spread evenly over its months (monthly
    KPI is not in the data). The month before the first year has ``inflation_start`` and the lag
    ``lagged_start`` (both the first year's rate when not given: then give a decade or more before the
    years wanted). Fractions in, fractions out."""
    eco = scenario.economy
    real = math.log1p(eco.wage.real_growth_pa)
    through = eco.wage.inflation_pass_through
    target = math.log1p(eco.inflation.target_pa)
    w = 1.0 - 1.0 / eco.inflation.lag_months if eco.inflation.lag_months >= 1.0 else 0.0
    years = sorted(kpi_dec_dec)
    if years != list(range(years[0], years[-1] + 1)):
        raise ValueError(f"model_wage_growth: the KPI years must run without gaps (got {years})")
    infl = math.log1p(kpi_dec_dec[years[0]] if inflation_start is None else inflation_start)
    lagged = math.log1p(kpi_dec_dec[years[0]] if lagged_start is None else lagged_start)
    out = {}
    for year in years:
        total = 0.0
        for _ in range(12):
            lagged = w * lagged + (1.0 - w) * infl  # as months.month_step: last month's rate enters the lag
            infl = math.log1p(kpi_dec_dec[year])
            total += (real + through * lagged + (1.0 - through) * target) / 12.0
        out[year] = math.expm1(total)
    return out


class CostGrowth(NamedTuple):
    """The model's cost growth in one year on the given drivers (fractions)."""

    year: int
    inflation: float  # the KPI change used (Dec/Dec unless stated)
    pbb_growth: float
    wage_growth: float
    price_growth: float  # over the types, in the opening shares
    volume_growth: float
    total: float  # (1 + price)(1 + volume) - 1 by type, summed in the shares
    by_type: tuple[float, ...]  # each type's price growth


def model_cost_growth(scenario: Scenario, year: int, inflation: float, pbb: float, pbb_prev: float,
                      wage_growth: float) -> CostGrowth:
    """One year's cost growth by the model's rule after the plan: each type's budget grows by its price
    index (the kernel's stage_prices) and its volume; the types weighted by their opening shares."""
    p = accounts_params(scenario)[0]
    s = np.zeros(1, dtype=STATE)[0]
    s["index"][:] = 1.0
    s["pbb_prev"] = pbb_prev
    d = np.zeros(len(DRIVER_COLUMNS))
    d[D_INFLATION], d[D_PBB], d[D_WAGE_GROWTH] = inflation, pbb, wage_growth
    stage_prices(p, s, d, np.zeros(1, dtype=OUTPUT)[0])
    price = s["index"] - 1.0
    share = p["cost_share_frac"]
    volume = p["cost_volume_growth_pa"]
    return CostGrowth(year, inflation, pbb / pbb_prev - 1.0, wage_growth, float(share @ price),
                      float(share @ volume), float(share @ ((1.0 + price) * (1.0 + volume)) - 1.0),
                      tuple(float(x) for x in price))


class CostRow(NamedTuple):
    """Reported cost growth beside the model's on the observed drivers, and its variants."""

    year: int
    reported: float  # the five-year overview's kostnadsutveckling: costs incl. depreciation
    incl_depreciation: float | None  # the same recomputed from the amounts (a check of the measure)
    from_amounts: float | None  # verksamhetens kostnader excl. depreciation: the model's measure
    model: CostGrowth  # KPI Dec/Dec, the model's wage equation
    annual_average: CostGrowth | None  # KPI annual average instead of Dec/Dec
    observed_wage: CostGrowth | None  # the observed wage growth instead of the model's


def _by_year(table: Any, what: str) -> dict[int, float]:
    if not isinstance(table, dict):
        raise ScenarioError(f"{what}: must be a table by year")
    try:
        return {int(k): float(v) for k, v in table.items()}
    except (TypeError, ValueError):
        raise ScenarioError(f"{what}: keys must be years and values numbers") from None


def cost_growth_table(inputs_path: str | Path) -> list[CostRow]:
    """The cost-growth comparison of an inputs file (scenarios/history/cost_growth_2021_2024.toml):
    ``scenario`` (the cost weights), ``kpi_file`` (KPI Dec/Dec history, for the wage lag), ``years``,
    ``[reported]`` growth_pct, costs_msek and depreciation_msek, ``[drivers]`` prisbasbelopp_sek, kpi_annual_average_pct and
    wage_observed_pct (percent and SEK as the sources print them)."""
    path = Path(inputs_path)
    try:
        data = read_toml(path)
    except InputFileError as exc:
        raise ScenarioError(str(exc)) from None
    scenario = load_scenario(path.parent / data["scenario"])
    kpi_series = read_tagged_csv(path.parent / data["kpi_file"])
    kpi = {y: v for (y, _), v in zip(kpi_series.dates, kpi_series.values)}
    reported = _by_year(data["reported"]["growth_pct"], "reported.growth_pct")
    costs = _by_year(data["reported"].get("costs_msek", {}), "reported.costs_msek")
    dep = _by_year(data["reported"].get("depreciation_msek", {}), "reported.depreciation_msek")
    drivers = data["drivers"]
    pbb = _by_year(drivers["prisbasbelopp_sek"], "drivers.prisbasbelopp_sek")
    average = _by_year(drivers.get("kpi_annual_average_pct", {}), "drivers.kpi_annual_average_pct")
    wage_seen = _by_year(drivers.get("wage_observed_pct", {}), "drivers.wage_observed_pct")
    wage = model_wage_growth(scenario, kpi)
    rows = []
    for year in data["years"]:
        def growth(inflation: float, wage_growth: float) -> CostGrowth:
            return model_cost_growth(scenario, year, inflation, pbb[year], pbb[year - 1], wage_growth)

        both = all(y in costs and y in dep for y in (year, year - 1))
        rows.append(CostRow(
            year, reported[year] / 100.0,
            (costs[year] + dep[year]) / (costs[year - 1] + dep[year - 1]) - 1.0 if both else None,
            costs[year] / costs[year - 1] - 1.0 if year in costs and year - 1 in costs else None,
            growth(kpi[year], wage[year]),
            growth(average[year] / 100.0, wage[year]) if year in average else None,
            growth(kpi[year], wage_seen[year] / 100.0) if year in wage_seen else None))
    return rows


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}"


def cost_markdown(rows: list[CostRow]) -> str:
    """The cost-growth comparison as Markdown (percent)."""
    lines = ["| year | reported (incl. depreciation) | recomputed | excl. depreciation | KPI Dec/Dec | prisbasbelopp | wage (model) | "
             "model price | model volume | **model** | excl. depreciation − model | model, KPI annual average | "
             "model, observed wage |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        m = r.model
        gap = r.from_amounts if r.from_amounts is not None else r.reported
        lines.append(f"| {r.year} | {_pct(r.reported)} | {_pct(r.incl_depreciation)} | {_pct(r.from_amounts)} | "
                     f"{_pct(m.inflation)} | {_pct(m.pbb_growth)} | {_pct(m.wage_growth)} | {_pct(m.price_growth)} | "
                     f"{_pct(m.volume_growth)} | **{_pct(m.total)}** | {_pct(gap - m.total)} | "
                     f"{_pct(r.annual_average.total if r.annual_average else None)} | "
                     f"{_pct(r.observed_wage.total if r.observed_wage else None)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``ranks RUN_DIR REPORTED.toml`` or ``costs INPUTS.toml``: print the table as Markdown."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) == 3 and args[0] == "ranks":
        print(rank_markdown(rank_table(args[1], read_reported(args[2]))))
        return 0
    if len(args) == 2 and args[0] == "costs":
        print(cost_markdown(cost_growth_table(args[1])))
        return 0
    print("usage: python -m simulator.whatif.backtest ranks RUN_DIR REPORTED.toml | costs INPUTS.toml",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
