"""A sweep directory (sweep.csv beside its summary) -> the report's Sweep, and the sweep's grids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.report.data.model import ReportInputError, Sweep

SWEEP_FILE = "sweep.csv"
SWEEP_SUFFIXES = ("probability", "ci_low", "ci_high", "diff", "diff_stderr", "gained", "lost")
SWEEP_REFERENCE_COLUMN = "reference"  # 1 on the reference variant's row (simulator sweep writes it)
SWEEP_LABEL_COLUMNS = ("variant", "name", "label")


def load_sweep(directory: Path, summary: dict[str, Any]) -> Sweep | None:
    """The directory's sweep.csv (comma or semicolon with decimal comma) with its goals' descriptions;
    None without one."""
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
        answers = summary.get("goal_answers") if isinstance(summary.get("goal_answers"), dict) else {}
        goals_meta = {g: {"description": d, "answer": answers.get(g)} for g, d in descriptions.items()}
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
    answers = {g: str(m.get("answer")) for g, m in (goals_meta or {}).items()
               if isinstance(m, dict) and m.get("answer") in ("balance", "consolidation")}
    return Sweep(table=table.reset_index(drop=True), levers=levers, goals=goals, label_column=label,
                 reference=reference, goal_descriptions=descriptions, answers=answers)


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
