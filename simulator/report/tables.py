"""The report's tables for a strategist: an Excel workbook (one sheet per topic) and CSV files.

Text from a scenario or a sweep file is untrusted (docs/hardening.md): every text cell, the headers
included, is written so that no spreadsheet reads it as a formula (simulator.io.cells: a leading ``'``
before ``=``, ``+``, ``-``, ``@``, a tab or a carriage return; in the workbook a string cell, never a
formula); numbers stay numbers.

Workbook (openpyxl): numbers are stored as numbers, fractions as fractions, with display formats
("0.0 %", "#,##0.0"); Excel shows these in the reader's locale, so a Swedish Excel shows "4,6 %" and
"1 234,5". CSV: semicolon-separated with decimal comma and no thousands separator (what a Swedish Excel
opens directly), UTF-8 with a byte-order mark so å, ä, ö survive; fractions are written in percent, as
the headers say. Units are in the headers, or in a unit column where the rows differ.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from simulator.i18n import t
from simulator.io.cells import csv_cell, xlsx_cell
from simulator.report import formatting as fmt
from simulator.report.data import SWEEP_COST_COLUMNS, SWEEP_REFERENCE_COLUMN, Report, Run, value_kind
from simulator.report.parts import paired, run_labels

#: Excel display formats (format codes are locale-independent; Excel localises the separators).
EXCEL_FORMATS = {
    "fraction": "0.0 %", "points": "+0.0;-0.0;0.0", "msek": "#,##0.0", "kr": "#,##0.00", "int": "#,##0",
    "count": "#,##0.0", "flag": "0.000", "year": "0", "index": "0.000", "number": "#,##0.00",
}
NUMERIC = set(EXCEL_FORMATS)
#: Every table key this module may write (old CSVs of these names are replaced or removed).
TABLE_KEYS = ("goals", "risks", "percentiles", "equity_share_monthly", "instruments", "assumptions",
              "attribution", "sweep", "comparison", "paired", "provenance")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # "text", or a key of EXCEL_FORMATS, or "row" (the row's own kind, see Table.row_kinds)


@dataclass
class Table:
    key: str  # file name of the CSV
    title: str  # sheet name (at most 31 characters)
    columns: list[Column]
    rows: list[list[Any]]
    row_kinds: list[str] = field(default_factory=list)

    def kind(self, row: int, col: int) -> str:
        kind = self.columns[col].kind
        return self.row_kinds[row] if kind == "row" else kind


def _unit(kind: str, lang: str) -> str:
    return t(f"xl.unit_{kind}", lang)


def _head(label_key: str, kind: str, lang: str, **kw) -> Column:
    return Column(f"{t(label_key, lang, **kw)} ({_unit(kind, lang)})", kind)


def build_tables(report: Report, lang: str = "sv") -> list[Table]:
    builders = (_goals, _risks, _percentiles, _equity_monthly, _instruments, _assumptions, _attribution,
                _sweep, _comparison, _paired, _provenance)
    return [tb for tb in (b(report, lang) for b in builders) if tb is not None and tb.rows]


def _goals(report: Report, lang: str) -> Table | None:
    run = report.main
    if not run.goals:
        return None
    if run.deterministic:
        return Table("goals", t("xl.sheet_goals", lang),
                     [Column(t("xl.key", lang), "text"), Column(t("col.goal", lang), "text"),
                      Column(t("col.outcome", lang), "text")],
                     [[g.name, g.description, fmt.outcome(g, lang)] for g in run.goals])
    cols = [Column(t("xl.key", lang), "text"), Column(t("col.goal", lang), "text"),
            _head("col.probability", "fraction", lang), _head("xl.stderr", "fraction", lang),
            _head("xl.ci_low", "fraction", lang), _head("xl.ci_high", "fraction", lang),
            _head("col.paths_meeting", "int", lang), _head("prov.paths", "int", lang)]
    rows = [[g.name, g.description, g.probability, g.stderr, g.ci_low, g.ci_high, g.paths_meeting,
             run.provenance.paths] for g in run.goals]
    return Table("goals", t("xl.sheet_goals", lang), cols, rows)


def _risks(report: Report, lang: str) -> Table | None:
    run = report.main
    if not run.risks or run.deterministic:
        return None
    years = run.years
    cols = [Column(t("xl.key", lang), "text"), Column(t("col.risk", lang), "text"),
            _head("col.any_year", "fraction", lang), _head("xl.ci_low", "fraction", lang),
            _head("xl.ci_high", "fraction", lang),
            *(Column(f"{y} ({_unit('fraction', lang)})", "fraction") for y in years)]
    rows = []
    for r in run.risks.values():
        by_year = list(r.by_year) if r.by_year is not None and len(r.by_year) == len(years) else [None] * len(years)
        rows.append([r.name, r.description, r.any_year, r.ci_low, r.ci_high, *by_year])
    return Table("risks", t("xl.sheet_risks", lang), cols, rows)


def _percentiles(report: Report, lang: str) -> Table | None:
    run = report.main
    if not run.fans:
        return None
    cols = [Column(t("xl.key", lang), "text"), Column(t("col.variable", lang), "text"),
            Column(t("xl.unit", lang), "text"), Column(t("xl.statistic", lang), "text"),
            *(Column(str(y), "row") for y in run.years)]
    rows, kinds = [], []
    for name, fan in run.fans.items():
        var = run.variable(name)
        kind = var.kind
        stats = [("p5", fan.p5), ("p25", fan.p25), ("p50", fan.p50), ("p75", fan.p75), ("p95", fan.p95)]
        if fan.mean is not None:
            stats.append((t("xl.mean", lang), fan.mean))
        for stat, values in stats:
            rows.append([name, var.label(lang), _unit(kind, lang), stat, *values])
            kinds.append(kind)
    return Table("percentiles", t("xl.sheet_percentiles", lang), cols, rows, kinds)


def _equity_monthly(report: Report, lang: str) -> Table | None:
    monthly = report.main.equity_monthly
    if monthly is None:
        return None
    fan = monthly.fan
    cols = [Column(t("xl.month", lang), "text"),
            *(Column(f"{q} ({_unit('fraction', lang)})", "fraction") for q in ("p5", "p25", "p50", "p75", "p95"))]
    series = [fan.p5, fan.p25, fan.p50, fan.p75, fan.p95]
    if monthly.depth is not None:
        for lo, hi in monthly.depth.bands:
            label = (t("xl.depth_band", lang, lo=fmt.number(100 * lo, 0, lang), hi=fmt.number(100 * hi, 0, lang))
                     if math.isfinite(hi) else t("xl.depth_band_open", lang, lo=fmt.number(100 * lo, 0, lang)))
            cols.append(Column(f"{label} ({_unit('fraction', lang)})", "fraction"))
        series += list(monthly.depth.shares)
    months = [str(np.datetime_as_string(np.datetime64(m, "M"))) for m in fan.x]
    rows = [[m, *(s[k] for s in series)] for k, m in enumerate(months)]
    return Table("equity_share_monthly", t("xl.sheet_equity_monthly", lang), cols, rows)


def _instruments(report: Report, lang: str) -> Table | None:
    run = report.main
    if not run.instruments:
        return None
    cols = [Column(t("xl.key", lang), "text"), Column(t("col.instrument", lang), "text"),
            Column(t("xl.unit", lang), "text"), Column(t("xl.year", lang), "year"),
            Column(t("chart.median_path", lang), "row"), Column(t("xl.bad_paths", lang), "row"),
            Column(t("xl.bad_quantile", lang), "int"), _head("chart.share_paths_used", "fraction", lang)]
    rows, kinds = [], []
    for ins in run.instruments:
        kind = value_kind(ins.variable, run.variable(ins.variable).units)
        for k, year in enumerate(ins.years):
            share = ins.share_used[k] if ins.share_used is not None else None
            rows.append([ins.variable, run.variable(ins.variable).label(lang), _unit(kind, lang), int(year),
                         ins.median[k], ins.bad[k], ins.bad_quantile, share])
            kinds.append(kind)
    return Table("instruments", t("xl.sheet_instruments", lang), cols, rows, kinds)


def _assumptions(report: Report, lang: str) -> Table | None:
    run = report.main
    if not run.assumptions:
        return None
    cols = [Column(t("xl.parameter", lang), "text"), Column(t("col.setting", lang), "text"),
            Column(t("chart.low_value", lang), "row"), Column(t("chart.high_value", lang), "row"),
            Column(t("xl.key", lang), "text"), _head("xl.p_low", "fraction", lang),
            _head("xl.p_high", "fraction", lang), _head("xl.p_run", "fraction", lang)]
    rows, kinds = [], []
    for a in run.assumptions:
        leaf = a.parameter.rsplit(".", 1)[-1]
        kind = "fraction" if leaf.endswith(("_frac", "_pa")) else value_kind(leaf, "")
        for goal in dict.fromkeys([*a.low, *a.high]):
            g = run.goal(goal)
            rows.append([a.parameter, fmt.setting_label(a.parameter, lang), a.low_value, a.high_value, goal,
                         a.low.get(goal), a.high.get(goal), g.probability if g else None])
            kinds.append(kind)
    return Table("assumptions", t("xl.sheet_assumptions", lang), cols, rows, kinds)


def _attribution(report: Report, lang: str) -> Table | None:
    run = report.main
    if not run.attribution:
        return None
    cols = [Column(t("xl.key", lang), "text"), Column(t("xl.variable_key", lang), "text"),
            Column(t("col.variable", lang), "text"), Column(t("xl.unit", lang), "text"),
            Column(t("col.mean_met", lang), "row"), Column(t("col.mean_missed", lang), "row")]
    rows, kinds = [], []
    for goal, items in run.attribution.items():
        for r in items:
            var = run.variable(r.variable)
            rows.append([goal, r.variable, var.label(lang), _unit(var.kind, lang), r.met, r.missed])
            kinds.append(var.kind)
    return Table("attribution", t("xl.sheet_attribution", lang), cols, rows, kinds)


_SWEEP_KINDS = {"probability": "fraction", "ci_low": "fraction", "ci_high": "fraction", "diff": "fraction",
                "diff_stderr": "fraction", "gained": "int", "lost": "int"}


def _lever_kind(lever: str) -> str:
    """A sweep lever's cell format from its name: a year, kronor, a fraction, or a plain number (the
    savings programme's ``pct_*`` settings are given in per cent, so they stay numbers)."""
    leaf = lever.rsplit(".", 1)[-1]
    if leaf.endswith("year") or (leaf.isdigit() and len(leaf) == 4 and "pct" not in lever):
        return "year"
    if leaf == "kr" or leaf.endswith("_kr"):
        return "kr"
    if leaf.endswith(("_frac", "_pa")):
        return "fraction"
    return "number" if "pct" in lever else value_kind(leaf, "")


def _sweep(report: Report, lang: str) -> Table | None:
    sweep = report.main.sweep
    if sweep is None:
        return None
    cols = []
    for c in sweep.table.columns:
        suffix = next((s for s in _SWEEP_KINDS if any(c == f"{g}_{s}" for g in sweep.goals)), None)
        if suffix is not None:
            kind = _SWEEP_KINDS[suffix]
            cols.append(Column(f"{c} ({_unit(kind, lang)})", kind))
        elif c == SWEEP_REFERENCE_COLUMN:
            cols.append(Column(c, "int"))
        elif c in SWEEP_COST_COLUMNS.values():
            kind = "count" if "months" in c else "msek"
            cols.append(Column(f"{c} ({_unit(kind, lang)})", kind))
        elif c in sweep.levers and pd.api.types.is_numeric_dtype(sweep.table[c].dtype):
            kind = _lever_kind(c)
            unit = t("xl.unit_percent", lang) if "pct" in c else _unit(kind, lang)
            cols.append(Column(f"{c} ({unit})", kind))
        else:
            cols.append(Column(c, "text"))
    rows = [list(r) for r in sweep.table.itertuples(index=False)]
    return Table("sweep", t("xl.sheet_sweep", lang), cols, rows)


def _comparison(report: Report, lang: str) -> Table | None:
    runs: list[Run] = [report.main, *[r for r in report.others if r.goals]]
    if len(runs) < 2:
        return None
    labels = run_labels(runs, lang)
    cols = [Column(t("xl.key", lang), "text"), Column(t("col.goal", lang), "text")]
    for lab in labels:
        cols += [Column(f"{lab}: {t('col.probability', lang)} ({_unit('fraction', lang)})", "fraction"),
                 Column(f"{lab}: {t('xl.ci_low', lang)} ({_unit('fraction', lang)})", "fraction"),
                 Column(f"{lab}: {t('xl.ci_high', lang)} ({_unit('fraction', lang)})", "fraction")]
    rows = []
    for g in report.main.goals:
        row = [g.name, g.description]
        for run in runs:
            o = run.goal(g.name)
            row += [o.probability, o.ci_low, o.ci_high] if o is not None else [None] * 3
        rows.append(row)
    return Table("comparison", t("xl.sheet_comparison", lang), cols, rows)


def _paired(report: Report, lang: str) -> Table | None:
    diffs = paired(report, lang)
    if not diffs:
        return None
    cols = [Column(t("xl.key", lang), "text"), Column(t("col.run", lang), "text"),
            _head("col.difference", "points", lang), _head("xl.ci_low", "points", lang),
            _head("xl.ci_high", "points", lang), _head("xl.stderr", "points", lang),
            _head("col.gained", "int", lang), _head("col.lost", "int", lang)]
    rows = [[d.goal, d.run_label, 100 * d.difference, 100 * (d.difference - 1.96 * d.stderr),
             100 * (d.difference + 1.96 * d.stderr), 100 * d.stderr, d.gained, d.lost] for d in diffs]
    return Table("paired", t("xl.sheet_paired", lang), cols, rows)


def _provenance(report: Report, lang: str) -> Table:
    runs = [report.main, *report.others, *([report.zero_shock_run] if report.zero_shock_run else [])]
    labels = run_labels(runs, lang)
    cols = [Column(t("col.item", lang), "text"), *(Column(lab, "text") for lab in labels)]
    fields = (("prov.scenario", "scenario"), ("prov.sha256", "scenario_sha256"), ("prov.seed", "seed"),
              ("prov.paths", "paths"), ("prov.version", "version"), ("prov.date", "date"),
              ("prov.command", "command"), ("prov.directory", "directory"), ("prov.code", "code"),
              ("prov.economy", "economy_files"), ("prov.overrides", "overrides"))

    def text(value) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{k}={v}" for k, v in value.items())
        if isinstance(value, tuple):
            return ", ".join(value)
        return "" if value is None else str(value)
    rows = [[t(key, lang), *(text(getattr(r.provenance, attr)) for r in runs)] for key, attr in fields]
    return Table("provenance", t("xl.sheet_provenance", lang), cols, rows)


# ------------------------------------------------------------------------------------------- writing

def _cell(value: Any, kind: str) -> Any:
    """A cell's stored value: numbers as floats (None for NaN), text as text."""
    if kind == "text":
        return "" if value is None else str(value)
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        return None if not isinstance(value, str) else value
    return int(value) if kind in ("int", "year") else float(value)


def _sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "-", title)[:31]
    base, k = name, 2
    while name in used:
        name = f"{base[:28]} {k}"
        k += 1
    used.add(name)
    return name


def workbook_bytes(tables: Sequence[Table]) -> bytes:
    """The tables as an .xlsx workbook, one sheet each, header row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, used))
        for j, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=j)
            xlsx_cell(cell, column.header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, row in enumerate(table.rows):
            for j, v in enumerate(row):
                kind = table.kind(i, j)
                cell = sheet.cell(row=i + 2, column=j + 1)
                xlsx_cell(cell, _cell(v, kind))  # text: a string cell that cannot start a formula
                if kind in NUMERIC and not isinstance(cell.value, str):
                    cell.number_format = EXCEL_FORMATS[kind]
        sheet.freeze_panes = "A2"
        for j, col in enumerate(table.columns, start=1):
            width = 40 if col.kind == "text" and j > 1 else 14
            sheet.column_dimensions[get_column_letter(j)].width = max(10, min(width, len(col.header) + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_number(value: Any, kind: str) -> str:
    """A number for a Swedish CSV: decimal comma, no grouping; fractions and points in percent."""
    v = _cell(value, kind)
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if kind == "fraction":
        v = 100 * v
    text = str(v) if isinstance(v, int) else format(v, ".10g")
    return text.replace(".", ",")


def _csv_value(value: Any, kind: str) -> str:
    """A CSV cell: a number as a Swedish number, text (also text in a number column) made safe."""
    if kind == "text" or isinstance(value, str):
        return csv_cell(_cell(value, "text"))
    return csv_number(value, kind)


def csv_text(table: Table) -> str:
    """One table as semicolon-separated text (csv quoting where a cell holds a semicolon or quote)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(c.header) for c in table.columns])
    for i, row in enumerate(table.rows):
        writer.writerow([_csv_value(v, table.kind(i, j)) for j, v in enumerate(row)])
    return out.getvalue()
