"""Calibration, stage 2: reading a data folder of tagged CSV files into :class:`Series` (fractions, not
percent), strictly: every malformed file is a :class:`CalibrationInputError`, one line naming the file and
the line (docs/calibration.md section 1 has the contract). The error lives here because the data files are
the first input it describes; the judgment file and the budget-deviation record raise it too.
Imports the base (``simulator.errors``), ``simulator.io.safeio`` and the month of :mod:`.estimators`.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from simulator.calibration import pxweb
from simulator.calibration.estimators import MONTHS
from simulator.errors import InputError
from simulator.io.safeio import MAX_CSV_BYTES, InputFileError, read_text

#: Series names a data file may declare with ``# series: NAME`` (``none``: shipped for reference, not read).
SERIES_NAMES = ("inflation", "short_rate", "long_rate", "equity_sweden", "equity_global", "tax_base")
#: Words in a file name or header (upper case, as in ../shared/data) that make the file less reliable.
RELIABILITY_FLAGS = ("DERIVED", "SECONDARY", "PARTIAL")
#: Values are percent; outside this range a value is a typo or a unit error (a return of -100 % or
#: less has no logarithm; 1000 % a year is no index, rate or price change this model describes).
VALUE_RANGE_PCT = (-100.0, 1000.0)
#: A block of at least this many rows at the start or end of a file whose values are this many decades
#: smaller (geometric mean of |value|) than the rest's is reported as probably written in fractions.
SCALE_BLOCK_ROWS = 3
SCALE_GAP_DECADES = 1.5

_TAG = re.compile(r"^#\s*series\s*:\s*(\S+)", re.IGNORECASE)
_RETURN_TYPE = re.compile(r"^#\s*return_type\s*:\s*(\S+)", re.IGNORECASE)


class CalibrationInputError(InputError, ValueError):
    """Bad calibration input (a data file or the judgment file): one line naming the file and line."""


def period_end_times(dates) -> np.ndarray:
    """The time convention of every fit: the end of each period in years, end of year Y = Y.0, end of
    month m of Y = Y - 1 + m/12 (so calendar year Y is the interval (Y-1, Y])."""
    return np.array([y - 1 + m / MONTHS for y, m in dates])


def year_ranges(years: list[int]) -> str:
    """Sorted years as runs, e.g. [2005, 2006, 2007, 2010] -> '2005-2007, 2010'."""
    parts, start = [], None
    for i, y in enumerate(years):
        if start is None:
            start = y
        if i + 1 == len(years) or years[i + 1] != y + 1:
            parts.append(str(start) if start == y else f"{start}-{y}")
            start = None
    return ", ".join(parts)


@dataclass
class Series:
    """One series from one or more files: values as fractions (percent / 100) by date."""

    name: str
    monthly: bool
    dates: list[tuple[int, int]]  # (year, month); month 12 for annual data
    values: np.ndarray  # fraction; NaN = missing
    files: list[str]
    flags: list[str]  # e.g. "omxs30_..._SECONDARY.csv: SECONDARY"
    price_index: bool = False  # equity: price returns (dividends to be added)
    warnings: list[str] = field(default_factory=list)  # from reading, e.g. a block in fractions

    @property
    def times(self) -> np.ndarray:
        """End of each period in years (:func:`period_end_times`)."""
        return period_end_times(self.dates)

    def observed(self) -> tuple[np.ndarray, np.ndarray]:
        """Times and values of the dates that have a value."""
        keep = np.isfinite(self.values)
        return self.times[keep], self.values[keep]

    def years_text(self) -> str:
        """The years with a value, e.g. '1996-2024 without 2005-2013'."""
        t = [d for d, v in zip(self.dates, self.values) if np.isfinite(v)]
        if not t:
            return "no values"
        present = {y for y, _ in t}
        years = sorted(present)
        missing = [y for y in range(years[0], years[-1] + 1) if y not in present]
        text = f"{years[0]}-{years[-1]}"
        if missing:
            text += " without " + year_ranges(missing)
        return text

    def n_observed(self) -> int:
        """How many dates have a value."""
        return int(np.isfinite(self.values).sum())


# --- one file ------------------------------------------------------------------------------------


class _Columns(NamedTuple):
    """A file's column header: where the year, the month (None: annual) and the value are."""

    names: list[str]
    year: int
    month: int | None
    value: int
    needed: int  # fields a row must have to reach all three
    header: str  # the names as written back in messages


def read_series_file(path: Path) -> tuple[str, dict[str, Any]]:
    """Read one tagged CSV. Returns the series name and its parts (or ``none`` for reference files)."""
    try:
        text = read_text(path, str(path), limit=MAX_CSV_BYTES)
    except InputFileError as exc:
        raise CalibrationInputError(str(exc)) from None
    if pxweb.looks_like_pxweb(text.splitlines()):  # SCB's usual download, read as it is
        text = pxweb.to_tagged(text, str(path), CalibrationInputError)
    lines = text.splitlines()
    name, return_type, header_lines, body_start = _read_header(path, lines)
    if name == "none":
        return name, {}
    rows = _csv_rows(path, lines, body_start)
    columns = _columns(path, rows[0][1], body_start + 1)
    dates, values, lines_of = _read_values(path, rows[1:], columns)
    flags = sorted({f for f in RELIABILITY_FLAGS
                    if f in path.name or any(re.search(rf"\b{f}\b", h) for h in header_lines)})
    return name, {"monthly": columns.month is not None, "dates": dates, "values": values, "file": str(path),
                  "flags": flags, "price_index": return_type == "price",
                  "warnings": _scale_warnings(path, np.array(values), np.array(lines_of))}


def _read_header(path: Path, lines: list[str]) -> tuple[str, str, list[str], int | None]:
    """The '#' lines before the body: the series name, the return type, the lines themselves (their
    reliability flags) and the index of the column header. A reference file (``none``) is not checked."""
    name, return_type, header_lines = None, "total", []
    body_start = None
    for i, line in enumerate(lines):
        if line.startswith("#"):
            header_lines.append(line)
            if (m := _TAG.match(line)) and name is None:
                name = m.group(1).lower()
            if m := _RETURN_TYPE.match(line):
                return_type = m.group(1).lower()
            continue
        if line.strip():
            body_start = i
            break
    if name is None:
        raise CalibrationInputError(
            f"{path}, line 1: no '# series: NAME' header line; expected one of "
            f"{', '.join(SERIES_NAMES)} or none")
    if name == "none":
        return name, return_type, header_lines, body_start
    if name not in SERIES_NAMES:
        raise CalibrationInputError(
            f"{path}: unknown series {name!r}; expected one of {', '.join(SERIES_NAMES)} or none")
    if return_type not in ("total", "price"):
        raise CalibrationInputError(f"{path}: return_type {return_type!r}; expected total or price")
    if body_start is None:
        raise CalibrationInputError(f"{path}: no column header; expected 'year,value' or 'year,month,value'")
    return name, return_type, header_lines, body_start


def _csv_rows(path: Path, lines: list[str], body_start: int) -> list[tuple[int, list[str]]]:
    """The body's rows with their line numbers in the file, the column header first."""
    reader = csv.reader(lines[body_start:], strict=True)
    try:
        return [(body_start + reader.line_num, row) for row in reader]
    except csv.Error as exc:  # e.g. a NUL byte, an unclosed quote
        raise CalibrationInputError(f"{path}, line {body_start + reader.line_num}: not valid CSV ({exc}); "
                                    "expected comma-separated fields") from None


def _columns(path: Path, row: list[str], line: int) -> _Columns:
    """The column header on ``line``: year and value are required, month makes the file monthly."""
    columns = [c.strip().lower() for c in row]
    if "year" not in columns or "value" not in columns:
        raise CalibrationInputError(
            f"{path}, line {line}: columns {','.join(columns)}; expected 'year,value' "
            f"(annual) or 'year,month,value' (monthly), extra columns allowed")
    iy, iv = columns.index("year"), columns.index("value")
    im = columns.index("month") if "month" in columns else None
    return _Columns(columns, year=iy, month=im, value=iv, needed=max(iy, iv, im or 0) + 1, header=",".join(columns))


def _read_values(path: Path, rows: list[tuple[int, list[str]]], columns: _Columns
                 ) -> tuple[list[tuple[int, int]], list[float], list[int]]:
    """Dates, values as fractions and line numbers of the data rows (blank and '#' rows skipped); each
    date once."""
    dates, values, lines_of, seen = [], [], [], {}
    for k, row in rows:
        if not row or all(not c.strip() for c in row) or row[0].startswith("#"):
            continue
        where = f"{path}, line {k}"
        year, month, value = _parse_row(where, row, columns)
        if (year, month) in seen:
            raise CalibrationInputError(
                f"{where}: {year}{'-%02d' % month if columns.month is not None else ''} appears twice "
                f"(first on line {seen[(year, month)]}); expected one row per date")
        seen[(year, month)] = k
        dates.append((year, month))
        values.append(value / 100.0)
        lines_of.append(k)
    if not dates:
        raise CalibrationInputError(f"{path}: no data rows; expected 'year,value' rows")
    return dates, values, lines_of


def _parse_row(where: str, row: list[str], columns: _Columns) -> tuple[int, int, float]:
    """Year, month (12 for annual data) and value in percent (NaN: missing) of one data row."""
    if len(row) < columns.needed:
        # a row cut short (or one value lost) must not become a missing date silently
        raise CalibrationInputError(
            f"{where}: {len(row)} field{'s' if len(row) > 1 else ''}; expected {len(columns.names)} "
            f"({columns.header}); a missing value is an empty field, e.g. '{row[0].strip()},'")
    if any(c.strip() for c in row[len(columns.names):]):
        # '2000,1,5' in a year,value file is 1.5 written with a decimal comma: it would read as 1
        raise CalibrationInputError(
            f"{where}: {len(row)} fields but the header has {len(columns.names)} ({columns.header}); a decimal "
            "comma? write numbers with a decimal point (2.5) and quote text that contains commas")
    row = row + [""] * (len(columns.names) - len(row))  # trailing empty fields may be left out
    try:
        year = int(row[columns.year].strip())
    except ValueError:
        raise CalibrationInputError(f"{where}: year {row[columns.year]!r} is not a whole number") from None
    month = 12
    if columns.month is not None:
        try:
            month = int(row[columns.month].strip())
        except ValueError:
            month = 0
        if not 1 <= month <= 12:
            raise CalibrationInputError(f"{where}: month {row[columns.month]!r}; expected 1..12")
    return year, month, _percent(where, row[columns.value].strip())


def _percent(where: str, raw: str) -> float:
    """A value field in percent: empty is missing (NaN); otherwise a number in VALUE_RANGE_PCT."""
    if raw == "":
        return math.nan  # a missing year (or month)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        comma = " with a decimal point" if "," in raw else ""
        raise CalibrationInputError(
            f"{where}: value {raw!r} is not a number; expected percent{comma}, e.g. 2.5, or "
            "empty if missing")
    lo, hi = VALUE_RANGE_PCT
    if not lo < value <= hi:
        raise CalibrationInputError(
            f"{where}: value {raw} is outside the range of a percent change or rate; expected "
            f"percent above {lo:g} and at most {hi:g}")
    return value


def _scale_warnings(path: Path, values: np.ndarray, lines: np.ndarray) -> list[str]:
    """A warning when the rows at the start or the end of a file look like fractions among percent (or
    percent among fractions): a block of at least SCALE_BLOCK_ROWS nonzero values whose geometric mean
    magnitude differs from the rest's by SCALE_GAP_DECADES or more (written as fractions, 0.02 is 100
    times smaller than the 2 it means). A warning, not an error: a rate may really sit near zero for a
    decade; the line numbers say where to look."""
    keep = np.isfinite(values) & (values != 0.0)
    logs, where = np.log10(np.abs(values[keep])), lines[keep]
    n, m = logs.size, SCALE_BLOCK_ROWS
    if n < 2 * m:
        return []
    cum = np.concatenate([[0.0], np.cumsum(logs)])
    split = np.arange(m, n - m + 1)  # the block is rows [0, split) or [split, n)
    gap = cum[split] / split - (cum[n] - cum[split]) / (n - split)
    k = int(np.argmax(np.abs(gap)))
    if abs(gap[k]) < SCALE_GAP_DECADES:
        return []
    cut = int(split[k])
    rows = where[:cut] if gap[k] < 0 else where[cut:]  # the block of smaller values
    return [f"{path}, lines {rows[0]}-{rows[-1]}: values {10 ** abs(gap[k]):.0f} times smaller than in "
            f"the rest of the file (fractions instead of percent? 2.5 means 2.5 %)"]


# --- the folder ----------------------------------------------------------------------------------


def read_data_dir(directory: Path) -> dict[str, Series]:
    """Every ``*.csv`` in ``directory`` (not recursive), by the series its ``# series:`` line names.
    Several files may feed one series if they do not share a date (e.g. two periods of OMXS30)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CalibrationInputError(f"{directory}: not a directory (--data expects a folder of CSV files)")
    parts: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.csv")):
        name, part = read_series_file(path)
        if name != "none":
            parts.setdefault(name, []).append(part)
    if not parts:
        raise CalibrationInputError(f"{directory}: no CSV file with a '# series: NAME' line")
    out = {}
    for name, items in parts.items():
        if len({p["monthly"] for p in items}) > 1:
            raise CalibrationInputError(
                f"{items[0]['file']}: series {name} mixes annual and monthly files "
                f"({', '.join(p['file'] for p in items)}); expected one frequency per series")
        if len({p["price_index"] for p in items}) > 1:
            raise CalibrationInputError(f"{items[0]['file']}: series {name} mixes price and total returns")
        owner: dict[tuple[int, int], str] = {}
        for p in items:
            for d in p["dates"]:
                if d in owner:
                    raise CalibrationInputError(
                        f"{p['file']}: {d[0]} of series {name} is also in {owner[d]}; expected each date once")
                owner[d] = p["file"]
        merged = sorted((d, v) for p in items for d, v in zip(p["dates"], p["values"]))
        if name == "tax_base" and items[0]["monthly"]:
            raise CalibrationInputError(f"{items[0]['file']}: tax_base must be annual (year,value)")
        out[name] = Series(
            name=name, monthly=items[0]["monthly"], dates=[d for d, _ in merged],
            values=np.array([v for _, v in merged]), files=[p["file"] for p in items],
            flags=[f"{Path(p['file']).name}: {f}" for p in items for f in p["flags"]],
            price_index=items[0]["price_index"], warnings=[w for p in items for w in p["warnings"]])
    return out
