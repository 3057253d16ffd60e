"""Calibration, stage 2: reading a data folder of tagged CSV files into :class:`Series` (fractions, not
percent), strictly: every malformed file is a :class:`CalibrationInputError`, one line naming the file and
the line (docs/calibration.md section 1 has the contract). The error lives here because the data files are
the first input it describes; the judgment file and the budget-deviation record raise it too.
Imports the base (``simulator.errors``), ``simulator.io.safeio`` and the month of :mod:`.estimators`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simulator.calibration.estimators import MONTHS
from simulator.errors import InputError
from simulator.io.series import SeriesFileError, read_tagged_csv

#: Words in a file name or header (upper case, as in ../shared/data) that make the file less reliable.
RELIABILITY_FLAGS = ("DERIVED", "SECONDARY", "PARTIAL")
#: A block of at least this many rows at the start or end of a file whose values are this many decades
#: smaller (geometric mean of |value|) than the rest's is reported as probably written in fractions.
SCALE_BLOCK_ROWS = 3
SCALE_GAP_DECADES = 1.5
#: A header line by which a file's author says a block flagged as a scale mix is right (a rate that truly
#: sat 30 times lower for years): the block is then a warning, not a refusal.
SCALE_CHECKED = re.compile(r"^#\s*scale\s*:\s*checked\s*$", re.IGNORECASE)

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


def read_series_file(path: Path) -> tuple[str, dict[str, Any]]:
    """Read one tagged CSV (simulator.io.series). Returns the series name and its parts (or ``none`` for
    reference files)."""
    try:
        series = read_tagged_csv(path)
    except SeriesFileError as exc:
        raise CalibrationInputError(str(exc)) from None
    if series.name == "none":
        return series.name, {}
    flags = sorted({f for f in RELIABILITY_FLAGS
                    if f in path.name or any(re.search(rf"\b{f}\b", h) for h in series.header_lines)})
    mixed = _scale_warnings(path, np.array(series.values), np.array(series.lines))
    checked = any(SCALE_CHECKED.match(h) for h in series.header_lines)
    if mixed and not checked:  # percent and fractions in one series: refused, a fit on it would be silent nonsense
        raise CalibrationInputError(f"{mixed[0]}; write every value in percent, or, if these values are right, "
                                    "add the line '# scale: checked' to the file's header")
    return series.name, {"monthly": series.monthly, "dates": series.dates, "values": series.values,
                         "file": str(path), "flags": flags, "price_index": series.return_type == "price",
                         "warnings": mixed}


def _scale_warnings(path: Path, values: np.ndarray, lines: np.ndarray) -> list[str]:
    """A warning when the rows at the start or the end of a file look like fractions among percent (or
    percent among fractions): a block of at least SCALE_BLOCK_ROWS nonzero values whose geometric mean
    magnitude differs from the rest's by SCALE_GAP_DECADES or more (written as fractions, 0.02 is 100
    times smaller than the 2 it means). The caller refuses the file unless its header says
    ``# scale: checked`` (a rate may really sit near zero for a decade: 30 times lower is the threshold,
    which the Riksbank's 2014-2021 does not reach); the line numbers say where to look."""
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
