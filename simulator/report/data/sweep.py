"""A sweep directory (sweep.csv beside its summary) -> the report's Sweep, and the sweep's grids."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.io.result_files import ResultFileError, read_sweep_csv
from simulator.report.data.model import ReportInputError, Sweep

SWEEP_FILE = "sweep.csv"
SWEEP_SUFFIXES = ("probability", "ci_low", "ci_high", "diff", "diff_stderr", "gained", "lost")
SWEEP_REFERENCE_COLUMN = "reference"  # 1 on the reference variant's row (simulator sweep writes it)
SWEEP_LABEL_COLUMNS = ("variant", "name")
SWEEP_TEXT_COLUMNS = ("label",)  # the sweep file's label of a variant (free text)
#: the levers' costs (simulator.whatif.costs): cost -> sweep.csv's column
SWEEP_COST_COLUMNS = {c: f"cost_{c}_per_year" for c in
                      ("tax_raised_msek", "savings_msek", "deposits_msek", "derisking_months")}


def load_sweep(directory: Path, summary: dict[str, Any]) -> Sweep | None:
    """The directory's sweep.csv (comma or semicolon with decimal comma) with its goals' descriptions;
    None without one."""
    path = directory / SWEEP_FILE
    if not path.is_file():
        return None
    try:
        table = read_sweep_csv(path)  # size limit, then each goal column a number in its range
    except ResultFileError as exc:
        raise ReportInputError(str(exc)) from None
    descriptions = summary.get("goal_descriptions")
    if isinstance(descriptions, dict):  # simulator sweep's summary
        answers = summary.get("goal_answers") if isinstance(summary.get("goal_answers"), dict) else {}
        goals_meta = {g: {"description": d, "answer": answers.get(g)} for g, d in descriptions.items()}
    else:
        goals_meta = summary.get("goals") if isinstance(summary.get("goals"), dict) else {}
    sweep = sweep_from_table(table, goals_meta)
    if sweep is None:
        return None
    return _with_summary(sweep, summary)


def _with_summary(sweep: Sweep, summary: dict[str, Any]) -> Sweep:
    """What sweep.csv does not hold: the levers' labels, the costs' years, the stresses' reasons."""
    labels = summary.get("lever_labels") if isinstance(summary.get("lever_labels"), dict) else {}
    variants = summary.get("variants") if isinstance(summary.get("variants"), list) else []
    reasons, years = {}, []
    for i, v in enumerate(variants):
        if not isinstance(v, dict):
            continue
        if isinstance(v.get("reasons"), dict) and v["reasons"]:
            reasons[i] = v["reasons"]
        costs = v.get("costs")
        if not years and isinstance(costs, dict) and isinstance(costs.get("years"), list):
            years = [int(y) for y in costs["years"]]
    description = summary.get("description") if isinstance(summary.get("description"), str) else ""
    return replace(sweep, lever_labels={str(k): str(t) for k, t in labels.items()}, cost_years=years,
                   reasons=reasons if len(variants) == len(sweep.table) else {}, description=description)


def sweep_from_table(table: pd.DataFrame, goals_meta: dict[str, Any] | None = None) -> Sweep | None:
    """Split a sweep grid's columns into levers and goals (``<goal>_probability`` and its companions)."""
    goals = [c.removesuffix("_probability") for c in table.columns if c.endswith("_probability")]
    if not goals:
        return None
    goal_columns = {f"{g}_{s}" for g in goals for s in SWEEP_SUFFIXES}
    label = next((c for c in table.columns if c in SWEEP_LABEL_COLUMNS), None)
    costs = {c: col for c, col in SWEEP_COST_COLUMNS.items() if col in table.columns}
    other = {label, SWEEP_REFERENCE_COLUMN, *SWEEP_TEXT_COLUMNS, *costs.values()}
    levers = [c for c in table.columns if c not in goal_columns and c not in other]
    reference = None
    diff_cols = [f"{g}_diff" for g in goals if f"{g}_diff" in table.columns]
    if SWEEP_REFERENCE_COLUMN in table.columns and (table[SWEEP_REFERENCE_COLUMN] == 1).any():
        reference = int(np.flatnonzero((table[SWEEP_REFERENCE_COLUMN] == 1).values)[0])
    elif diff_cols:
        zero = (table[diff_cols].abs() < 1e-12).all(axis=1)
        reference = int(np.flatnonzero(zero.values)[0]) if zero.any() else None
    descriptions = {g: str(m.get("description")) for g, m in (goals_meta or {}).items()
                    if isinstance(m, dict) and m.get("description")}
    answers = {g: str(m.get("answer")) for g, m in (goals_meta or {}).items()
               if isinstance(m, dict) and m.get("answer") in ("balance", "consolidation")}
    return Sweep(table=table.reset_index(drop=True), levers=levers, goals=goals, label_column=label,
                 reference=reference, goal_descriptions=descriptions, answers=answers, cost_columns=costs)


def varying_levers(sweep: Sweep) -> list[str]:
    """The levers that take more than one value in the sweep (a fixed one names every grid instead)."""
    table = sweep.table
    return [lv for lv in sweep.levers if table[lv].nunique(dropna=False) > 1]


def sweep_grids(sweep: Sweep, column: str) -> list[tuple[dict[str, Any], pd.DataFrame, str | None, str]]:
    """A sweep column (e.g. ``balance_2030_probability``) as grids: rows the first lever that varies,
    columns the second, one grid per value combination of any further levers (``({lever: value},
    grid, row lever, column lever)``); levers with one value in the whole sweep are held fixed and named
    in every grid's key. One varying lever: one row (row lever None); none: one cell."""
    if not sweep.levers or column not in sweep.table.columns:
        return []
    table = sweep.table
    varying = varying_levers(sweep) or sweep.levers[:1]
    constant = {lv: table[lv].iloc[0] for lv in sweep.levers if lv not in varying}
    if len(varying) == 1:
        grid = table.pivot_table(index=lambda _: "", columns=varying[0], values=column, aggfunc="first",
                                 dropna=False)
        return [(constant, grid, None, varying[0])]
    rows, cols, rest = varying[0], varying[1], varying[2:]
    groups = table.groupby(rest, sort=False) if rest else [((), table)]
    out = []
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        grid = part.pivot_table(index=rows, columns=cols, values=column, aggfunc="first", dropna=False)
        out.append(({**constant, **dict(zip(rest, key))}, grid, rows, cols))
    return out
