"""Tagged CSV series files (the calibration data format, also what a scenario's ``[known]`` pins): a header of
``#`` lines with ``# series: NAME`` (and optionally ``# return_type: price``), then a CSV body with the
columns ``year,value`` (annual) or ``year,month,value`` (monthly), values in percent. Read strictly: every
malformed file is a :class:`SeriesFileError`, one line naming the file and the line (docs/calibration.md
section 1 has the contract). Imports the base and :mod:`simulator.io.safeio` only.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from typing import NamedTuple

from simulator.errors import InputError
from simulator.io.pxweb import looks_like_pxweb, to_tagged
from simulator.io.safeio import MAX_CSV_BYTES, InputFileError, read_text

#: Series names a data file may declare with ``# series: NAME`` (``none``: shipped for reference, not read).
SERIES_NAMES = ("inflation", "short_rate", "long_rate", "equity_sweden", "equity_global", "tax_base")
#: Values are percent; outside this range a value is a typo or a unit error (a return of -100 % or
#: less has no logarithm; 1000 % a year is no index, rate or price change this model describes).
VALUE_RANGE_PCT = (-100.0, 1000.0)
_TAG = re.compile(r"^#\s*series\s*:\s*(\S+)", re.IGNORECASE)
_RETURN_TYPE = re.compile(r"^#\s*return_type\s*:\s*(\S+)", re.IGNORECASE)




class SeriesFileError(InputError, ValueError):
    """A malformed series file: one line naming the file and the line."""


class TaggedSeries(NamedTuple):
    """One file's series: its name (``none`` for a reference file, with nothing else read), dates (year,
    month; month 12 for annual data), values as fractions (NaN: missing) and their line numbers."""

    name: str
    return_type: str
    header_lines: list[str]
    monthly: bool
    dates: list[tuple[int, int]]
    values: list[float]
    lines: list[int]


def read_tagged_csv(path: Path) -> TaggedSeries:
    """Read one tagged CSV file strictly."""
    try:
        text = read_text(path, str(path), limit=MAX_CSV_BYTES)
    except InputFileError as exc:
        raise SeriesFileError(str(exc)) from None
    if looks_like_pxweb(text.splitlines()):  # SCB's usual download, read as it is (simulator.io.pxweb)
        text = to_tagged(text, str(path), SeriesFileError)
    lines = text.splitlines()
    name, return_type, header_lines, body_start = read_header(path, lines)
    if name == "none":
        return TaggedSeries(name, return_type, header_lines, False, [], [], [])
    rows = csv_rows(path, lines, body_start)
    columns = columns_of(path, rows[0][1], body_start + 1)
    dates, values, lines_of = read_values(path, rows[1:], columns)
    return TaggedSeries(name, return_type, header_lines, columns.month is not None, dates, values, lines_of)


class Columns(NamedTuple):
    """A file's column header: where the year, the month (None: annual) and the value are."""

    names: list[str]
    year: int
    month: int | None
    value: int
    needed: int  # fields a row must have to reach all three
    header: str  # the names as written back in messages


def read_header(path: Path, lines: list[str]) -> tuple[str, str, list[str], int | None]:
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
        raise SeriesFileError(
            f"{path}, line 1: no '# series: NAME' header line; expected one of "
            f"{', '.join(SERIES_NAMES)} or none")
    if name == "none":
        return name, return_type, header_lines, body_start
    if name not in SERIES_NAMES:
        raise SeriesFileError(
            f"{path}: unknown series {name!r}; expected one of {', '.join(SERIES_NAMES)} or none")
    if return_type not in ("total", "price"):
        raise SeriesFileError(f"{path}: return_type {return_type!r}; expected total or price")
    if body_start is None:
        raise SeriesFileError(f"{path}: no column header; expected 'year,value' or 'year,month,value'")
    return name, return_type, header_lines, body_start


def csv_rows(path: Path, lines: list[str], body_start: int) -> list[tuple[int, list[str]]]:
    """The body's rows with their line numbers in the file, the column header first."""
    reader = csv.reader(lines[body_start:], strict=True)
    try:
        return [(body_start + reader.line_num, row) for row in reader]
    except csv.Error as exc:  # e.g. a NUL byte, an unclosed quote
        raise SeriesFileError(f"{path}, line {body_start + reader.line_num}: not valid CSV ({exc}); "
                                    "expected comma-separated fields") from None


def columns_of(path: Path, row: list[str], line: int) -> Columns:
    """The column header on ``line``: year and value are required, month makes the file monthly."""
    columns = [c.strip().lower() for c in row]
    if "year" not in columns or "value" not in columns:
        raise SeriesFileError(
            f"{path}, line {line}: columns {','.join(columns)}; expected 'year,value' "
            f"(annual) or 'year,month,value' (monthly), extra columns allowed")
    iy, iv = columns.index("year"), columns.index("value")
    im = columns.index("month") if "month" in columns else None
    return Columns(columns, year=iy, month=im, value=iv, needed=max(iy, iv, im or 0) + 1, header=",".join(columns))


def read_values(path: Path, rows: list[tuple[int, list[str]]], columns: Columns
                 ) -> tuple[list[tuple[int, int]], list[float], list[int]]:
    """Dates, values as fractions and line numbers of the data rows (blank and '#' rows skipped); each
    date once."""
    dates, values, lines_of, seen = [], [], [], {}
    for k, row in rows:
        if not row or all(not c.strip() for c in row) or row[0].startswith("#"):
            continue
        where = f"{path}, line {k}"
        year, month, value = parse_row(where, row, columns)
        if (year, month) in seen:
            raise SeriesFileError(
                f"{where}: {year}{'-%02d' % month if columns.month is not None else ''} appears twice "
                f"(first on line {seen[(year, month)]}); expected one row per date")
        seen[(year, month)] = k
        dates.append((year, month))
        values.append(value / 100.0)
        lines_of.append(k)
    if not dates:
        raise SeriesFileError(f"{path}: no data rows; expected 'year,value' rows")
    return dates, values, lines_of


def parse_row(where: str, row: list[str], columns: Columns) -> tuple[int, int, float]:
    """Year, month (12 for annual data) and value in percent (NaN: missing) of one data row."""
    if len(row) < columns.needed:
        # a row cut short (or one value lost) must not become a missing date silently
        raise SeriesFileError(
            f"{where}: {len(row)} field{'s' if len(row) > 1 else ''}; expected {len(columns.names)} "
            f"({columns.header}); a missing value is an empty field, e.g. '{row[0].strip()},'")
    if any(c.strip() for c in row[len(columns.names):]):
        # '2000,1,5' in a year,value file is 1.5 written with a decimal comma: it would read as 1
        raise SeriesFileError(
            f"{where}: {len(row)} fields but the header has {len(columns.names)} ({columns.header}); a decimal "
            "comma? write numbers with a decimal point (2.5) and quote text that contains commas")
    row = row + [""] * (len(columns.names) - len(row))  # trailing empty fields may be left out
    try:
        year = int(row[columns.year].strip())
    except ValueError:
        raise SeriesFileError(f"{where}: year {row[columns.year]!r} is not a whole number") from None
    month = 12
    if columns.month is not None:
        try:
            month = int(row[columns.month].strip())
        except ValueError:
            month = 0
        if not 1 <= month <= 12:
            raise SeriesFileError(f"{where}: month {row[columns.month]!r}; expected 1..12")
    return year, month, percent(where, row[columns.value].strip())


def percent(where: str, raw: str) -> float:
    """A value field in percent: empty is missing (NaN); otherwise a number in VALUE_RANGE_PCT."""
    if raw == "":
        return math.nan  # a missing year (or month)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        comma = " with a decimal point" if "," in raw else ""
        raise SeriesFileError(
            f"{where}: value {raw!r} is not a number; expected percent{comma}, e.g. 2.5, or "
            "empty if missing")
    lo, hi = VALUE_RANGE_PCT
    if not lo < value <= hi:
        raise SeriesFileError(
            f"{where}: value {raw} is outside the range of a percent change or rate; expected "
            f"percent above {lo:g} and at most {hi:g}")
    return value


