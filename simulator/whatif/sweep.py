"""`simulator sweep SWEEP.toml`: a grid or a list of policy variants on common random numbers.

A sweep file names its scenario (relative to the sweep file) and the levers, by the same dotted paths
as --set; the grid is the product of the lists, and the first grid point is the reference variant
unless ``reference`` names another. Named variants may be listed too, each with ``set`` (levers) and/or
its own ``scenario`` file (which must keep the base's goals)::

    scenario = "../scenarios/base.toml"
    reference = "base"                       # optional: a variant's name
    percentiles = ["result_msek", "equity_msek", "consolidation_ratio"]   # kept per variant

    [levers]
    "accounts.savings_programme.pct_by_year.2026" = [0.0, 1.0, 2.0]
    "accounts.tax_rise.kr" = [0.0, 0.5]

    [[variants]]
    name = "cap60"
    scenario = "../scenarios/equity_cap_60.toml"

The table (sweep.csv and sweep.xlsx) has a row per variant: its levers, then for each goal its
probability, Wilson interval, and the paired difference from the reference with its paired standard
error and the paths gained and lost. sweep.nc holds every goal's outcome per path and the chosen
percentiles with a ``variant`` dimension.

Each row also says what the variant's levers cost in MSEK a year (simulator.whatif.costs) and, for a
stressed variant that raises a goal's probability, why (simulator.whatif.reasons).

Names and text are untrusted (docs/hardening.md): a variant's ``name`` is a name (it becomes a key of
summary.json and a coordinate of sweep.nc: simulator.scenario.names), its ``label`` and the sweep's
``labels`` of the levers are free text, written into sweep.csv and sweep.xlsx as text that cannot start a
spreadsheet formula (simulator.io.cells).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path
from typing import Any, Callable

import numpy as np
from pydantic import Field, ValidationError, field_validator

from simulator import __version__, code_revision
from simulator.io import safeio
from simulator.io.cells import csv_cell, xlsx_cell
from simulator.run.attribution import ATTRIBUTION_VARIABLES
from simulator.run.options import RunOptions
from simulator.run.summary import interval_covers
from simulator.scenario.base import ScenarioError, StrictModel
from simulator.scenario.loader import (
    format_validation_error,
    parse_scenario,
    read_scenario_toml,
    resolve_scenario_data,
    scenario_source,
    with_values,
)
from simulator.scenario.names import Name
from simulator.scenario.overrides import describe, toml_text
from simulator.scenario.schema import Scenario
from simulator.variables import ANNUAL, PERCENTILES
from simulator.whatif import reasons as why
from simulator.whatif.costs import COST_VARIABLES, COSTS, cost_years, lever_costs
from simulator.whatif.paired import WHY_PAIRED, goal_row, paired_difference
from simulator.whatif.variants import run_variants

MAX_VARIANTS = 10_000
DEFAULT_PERCENTILES = ("result_msek", "balance_requirement_result_msek", "equity_msek", "consolidation_ratio",
                       "consolidation_ratio_booked", "pension_deposits_msek", "derisking_months")


#: free text shown to a person (a variant's label, a lever's): no control characters
LABEL = Field(default="", max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")


class VariantSpec(StrictModel):
    """A named variant: levers over the sweep's scenario, or another scenario file (and levers).
    ``name`` is a name (a key: simulator.scenario.names); ``label`` what the report calls it."""

    name: Name
    label: str = LABEL
    scenario: str | None = None
    set: dict[str, Any] = {}


class SweepFile(StrictModel):
    scenario: str = Field(min_length=1)
    reference: str | None = None
    description: str = ""
    levers: dict[str, list[Any]] = {}
    labels: dict[str, str] = {}  # a lever's label for the report (free text), by its dotted key
    variants: list[VariantSpec] = []
    percentiles: list[str] = list(DEFAULT_PERCENTILES)

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: dict[str, str]) -> dict[str, str]:
        for key, text in v.items():
            if len(text) > 200 or any(ord(c) < 32 or ord(c) == 127 for c in text):
                raise ValueError(f"{key}: a label is at most 200 characters, without control characters")
        return v

    @field_validator("levers")
    @classmethod
    def _lists(cls, v: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, values in v.items():
            if not values:
                raise ValueError(f"{key}: needs at least one value")
        return v

    @field_validator("percentiles")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        unknown = [name for name in v if name not in ANNUAL or ANNUAL[name].internal]
        if unknown:
            raise ValueError(f"unknown variable {unknown[0]!r} (any annual output, simulator/variables.py)")
        return v


def _short(key: str) -> str:
    """A lever's short name for variant names: its last field, with the year for a by-year map."""
    parts = key.split(".")
    return ".".join(parts[-2:]) if parts[-1].isdigit() else parts[-1]


def _grid_name(point: dict[str, Any]) -> str:
    """A grid point's name, a name (simulator.scenario.names): ``pct_per_year-3.0_kr-1.0``."""
    text = "_".join(f"{_short(k)}-{toml_text(v)}" for k, v in point.items())
    return re.sub(r"[^A-Za-z0-9_.\-]+", "", text).replace("..", ".")[:100] or "base"


def load_sweep(path: Path, sets: dict[str, Any] | None = None
               ) -> tuple[SweepFile, list[str], list[dict[str, Any]], list[Scenario], int]:
    """The sweep file, its variants' names, levers and scenarios (validated), and the reference's index.
    ``sets`` (the command's --set) are laid over every variant's scenario first, so the sweep's own
    levers win where both name a field. Every error is one line naming the sweep file (or the scenario)
    and the field."""
    path = Path(path)
    data = read_scenario_toml(path, str(path))
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(str(path), exc)) from None
    base_path = path.parent / spec.scenario
    base_data, files = resolve_scenario_data(base_path)
    sets = dict(sets or {})
    base_data = with_values(base_data, sets)
    given = f" --set {describe(sets)}" if sets else ""
    names, levers, scenarios = [], [], []
    keys = list(spec.levers)
    grid = math.prod(len(spec.levers[k]) for k in keys) if keys else 0  # counted before a point is built
    total = max(grid + len(spec.variants), 1)
    if total > MAX_VARIANTS:
        raise ScenarioError(f"{path}: levers: {total} variants; at most {MAX_VARIANTS} in one sweep")
    points = [dict(zip(keys, combo)) for combo in itertools.product(*(spec.levers[k] for k in keys))] if keys else []
    if not points and not spec.variants:
        points = [{}]  # the scenario alone
    varied = [k for k in keys if len(spec.levers[k]) > 1] or keys  # names show what differs
    for point in points:
        name = _grid_name({k: point[k] for k in varied})
        source = f"{path} variant {name!r} ({scenario_source(base_path, files)}{given} --set {describe(point)})"
        scenarios.append(parse_scenario(with_values(base_data, point), source))
        names.append(name)
        levers.append(point)
    for v in spec.variants:
        v_path = path.parent / v.scenario if v.scenario else base_path
        v_data = with_values(resolve_scenario_data(v_path)[0], sets) if v.scenario else base_data
        values = dict(v.set)
        source = f"{path} variant {v.name!r} ({v_path}{given}{' --set ' + describe(values) if values else ''})"
        scenarios.append(parse_scenario(with_values(v_data, values), source))
        names.append(v.name)
        levers.append({**({"scenario": v.scenario} if v.scenario else {}), **values})
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ScenarioError(f"{path}: variants: the name {dup!r} is used twice")
    reference = 0 if spec.reference is None else (names.index(spec.reference) if spec.reference in names else -1)
    if reference < 0:
        raise ScenarioError(f"{path}: reference: no variant is named {spec.reference!r} "
                            f"(variants: {', '.join(names[:8])}{', ...' if len(names) > 8 else ''})")
    goals = scenarios[0].goals
    for name, sc in zip(names, scenarios):
        if sc.goals != goals or sc.simulation != scenarios[0].simulation:
            raise ScenarioError(f"{path}: variant {name!r}: its scenario declares other goals or years than "
                                "the sweep's scenario; a sweep compares the same goals")
    return spec, names, levers, scenarios, reference


def sweep_table(names: list[str], levers: list[dict[str, Any]], goals: dict[str, np.ndarray], reference: int,
                labels: list[str] | None = None, costs: list[dict[str, Any]] | None = None,
                notes: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """A row per variant: its levers, then per goal the probability, interval and paired difference;
    its label, what its levers cost (MSEK a year) and, for a stress that raises a goal, why."""
    rows = []
    for i, name in enumerate(names):
        row: dict[str, Any] = {"variant": name, "reference": i == reference, "levers": levers[i], "goals": {}}
        for goal, hits in goals.items():
            row["goals"][goal] = {**goal_row(hits[i]), **paired_difference(hits[reference], hits[i])}
        row["label"] = labels[i] if labels else ""
        if costs is not None:
            row["costs"] = costs[i]
        if notes is not None and notes[i]:
            row["reasons"] = notes[i]
        rows.append(row)
    return rows


def _header(rows: list[dict[str, Any]], lever_keys: list[str]) -> tuple[list[str], list[str]]:
    """sweep.csv's columns (CONTRACT.md: variant, reference, the levers, then per goal its columns), then
    the label and the levers' costs; and the goals."""
    goals = list(rows[0]["goals"])
    header = ["variant", "reference", *lever_keys]
    for g in goals:
        header += [f"{g}_probability", f"{g}_ci_low", f"{g}_ci_high", f"{g}_diff", f"{g}_diff_stderr",
                   f"{g}_gained", f"{g}_lost"]
    header += ["label", *(f"cost_{c}_per_year" for c in COSTS)]
    return header, goals


def _cells(r: dict[str, Any], lever_keys: list[str], goals: list[str]) -> list[Any]:
    def lever(value: Any) -> Any:  # a table or list of values (pct_by_year = {2026 = 1.0}) as its TOML text
        return toml_text(value) if isinstance(value, (dict, list)) else value
    cells = [r["variant"], int(r["reference"]), *[lever(r["levers"].get(k)) for k in lever_keys]]
    for g in goals:
        s = r["goals"][g]
        cells += [s["probability"], s["ci95"][0], s["ci95"][1], s["diff"], s["diff_stderr"], s["gained"], s["lost"]]
    costs = r.get("costs") or {}
    return cells + [r.get("label", ""), *(costs.get(c) for c in COSTS)]


def write_csv(path: Path, rows: list[dict[str, Any]], lever_keys: list[str]) -> None:
    """sweep.csv (CONTRACT.md): the levers, then for each goal <goal>_probability, _ci_low, _ci_high,
    _diff, _diff_stderr (and _gained, _lost); then the label and the costs. Text cells are made safe
    for a spreadsheet (simulator.io.cells); numbers are written in full (repr)."""
    import csv
    import io

    header, goals = _header(rows, lever_keys)
    buffer = io.StringIO()
    w = csv.writer(buffer, lineterminator="\n")
    w.writerow([csv_cell(h) for h in header])
    for r in rows:
        w.writerow([csv_cell(c) if isinstance(c, str) else ("" if c is None else repr(c) if isinstance(c, float) else c)
                    for c in _cells(r, lever_keys, goals)])
    safeio.atomic_write_text(path, buffer.getvalue())


def write_xlsx(path: Path, rows: list[dict[str, Any]], lever_keys: list[str]) -> None:
    """The same table as a workbook: numbers as numbers, probabilities formatted as per cent, text as
    string cells that cannot start a formula (simulator.io.cells)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "sweep"
    header, goals = _header(rows, lever_keys)
    first_goal, costs_from = 3 + len(lever_keys), len(header) - len(COSTS) + 1
    for i, r in enumerate([header, *(_cells(r, lever_keys, goals) for r in rows)], start=1):
        for j, value in enumerate(r, start=1):
            cell = ws.cell(row=i, column=j)
            xlsx_cell(cell, bool(value) if (i > 1 and j == 2) else value)
            if i > 1 and first_goal <= j < costs_from - 1 and isinstance(value, float):
                cell.number_format = "0.0%"
            elif i > 1 and j >= costs_from and isinstance(value, float):
                cell.number_format = "#,##0.0"
    safeio.atomic_write_bytes(path, _workbook_bytes(wb))


def _workbook_bytes(wb) -> bytes:
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def percentile_cube(kept: dict[str, np.ndarray]) -> tuple[list[str], np.ndarray]:
    """(variables, array variant x variable x quantile x year) of the kept variables' percentiles."""
    names = list(kept)
    cube = np.stack([np.percentile(kept[n], PERCENTILES, axis=1).transpose(1, 0, 2) for n in names], axis=1)
    return names, cube


#: the outputs whose yearly means each variant keeps: what its levers cost, and the attribution's
MEANS = tuple(dict.fromkeys([*COST_VARIABLES, *(v for v, _ in ATTRIBUTION_VARIABLES)]))


def run_sweep(path: Path, options: RunOptions, progress: Callable[[int], None] | None = None,
              sets: dict[str, Any] | None = None, loaded: tuple | None = None) -> dict[str, Any]:
    """Run a sweep: (spec, names, levers, the table rows, the variant results) in a dict. ``loaded`` is
    what :func:`load_sweep` returned for (path, sets), when the caller has it already."""
    spec, names, levers, scenarios, reference = loaded if loaded is not None else load_sweep(path, sets)
    results = run_variants(scenarios, options, keep=tuple(spec.percentiles), progress=progress, means=MEANS)
    labels = [""] * (len(names) - len(spec.variants)) + [v.label for v in spec.variants]
    rows = sweep_table(names, levers, results.goals, reference, labels, variant_costs(scenarios, results),
                       stress_reasons(scenarios, results, reference))
    return {"spec": spec, "names": names, "levers": levers, "scenarios": scenarios, "reference": reference,
            "rows": rows, "results": results, "sets": dict(sets or {})}


def variant_costs(scenarios: list[Scenario], results) -> list[dict[str, Any]]:
    """What each variant's levers cost, MSEK a year (simulator.whatif.costs)."""
    years = [int(y) for y in results.years]
    over = cost_years(scenarios[0].goals, years)
    return [lever_costs({k: results.means[k][i] for k in COST_VARIABLES}, years, sc.accounts.tax_rate_kr, over)
            for i, sc in enumerate(scenarios)]


def stress_reasons(scenarios: list[Scenario], results, reference: int) -> list[dict[str, list[dict[str, Any]]]]:
    """Per variant, for each goal a stress raises beyond its error, the attribution's reasons
    (simulator.whatif.reasons); an empty dict for the others."""
    years = [int(y) for y in results.years]
    goals = scenarios[0].goals
    n = next(iter(results.goals.values())).shape[1]
    out: list[dict[str, list[dict[str, Any]]]] = []
    for i, sc in enumerate(scenarios):
        found: dict[str, list[dict[str, Any]]] = {}
        for goal, hits in results.goals.items():
            d = paired_difference(hits[reference], hits[i])
            stressed = sc.stress is not None and sc.stress != scenarios[reference].stress  # a stress of its own
            if i == reference or not why.against_intuition(stressed, d["diff"], d["diff_stderr"]):
                continue
            span = why.goal_span(goals, goal)
            k = int(hits[reference].sum())
            every = {v: results.means[v][reference] for v in MEANS}
            met = {v: results.means_met[goal][v][reference] for v in MEANS}
            missed = {v: (n * every[v] - k * met[v]) / max(n - k, 1) for v in MEANS}
            ref_over = why.over_years(every, years, span)
            found[goal] = why.as_dicts(why.reasons(
                ref_over, why.over_years({v: results.means[v][i] for v in MEANS}, years, span),
                {v: x for v, (x, _) in why.over_years(met, years, span).items()},
                {v: x for v, (x, _) in why.over_years(missed, years, span).items()}))
        out.append(found)
    return out


def summary(sweep: dict[str, Any], options: RunOptions, lever_keys: list[str], command: str = "") -> dict[str, Any]:
    """The sweep's summary.json: what was swept, the goals, every variant's row."""
    first = sweep["scenarios"][0]
    n = next(iter(sweep["results"].goals.values())).shape[1]
    return {
        "kind": "sweep", "scenario": first.name, "paths": n, "seed": int(options.seed), "version": __version__,
        "code": code_revision(),
        "reference": sweep["names"][sweep["reference"]], "levers": lever_keys, "set": sweep.get("sets", {}),
        "description": sweep["spec"].description, "lever_labels": dict(sweep["spec"].labels),
        "report": first.report.model_dump(mode="json"), "command": command,
        "goal_descriptions": {g: first.goals[g].description for g in first.goals},
        "goal_answers": {g: first.goals[g].answer for g in first.goals if first.goals[g].answer},
        "interval_covers": interval_covers(n, False),
        "paired": WHY_PAIRED,
        "variants": sweep["rows"],
    }


def dataset(sweep: dict[str, Any], options: RunOptions, command: str):
    """sweep.nc: goal outcomes (variant, path) and percentiles (variant, variable, quantile, year)."""
    import xarray as xr

    res = sweep["results"]
    names, cube = percentile_cube(res.kept)
    n = next(iter(res.goals.values())).shape[1]
    data_vars = {f"goal_{g}": (("variant", "path"), hits.astype(np.int8),
                               {"units": "1", "long_name": f"1 when the path meets goal {g}"})
                 for g, hits in res.goals.items()}
    data_vars["percentile"] = (("variant", "variable", "quantile", "year"), cube,
                               {"long_name": "percentiles over paths of the kept variables (float32 values)"})
    return xr.Dataset(
        data_vars=data_vars,
        coords={"variant": ("variant", np.array(sweep["names"], dtype=object)),
                "path": ("path", np.arange(n, dtype=np.int64)), "variable": ("variable", np.array(names, dtype=object)),
                "quantile": ("quantile", np.array(PERCENTILES, dtype=np.int64)), "year": ("year", res.years)},
        attrs={"title": "simulator sweep", "seed": int(options.seed), "command": command,
               "levers": json.dumps([{k: v for k, v in lv.items()} for lv in sweep["levers"]], ensure_ascii=False),
               "reference": sweep["names"][sweep["reference"]]},
    )
