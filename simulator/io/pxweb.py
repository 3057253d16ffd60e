"""SCB's PX-Web CSV export (Statistikdatabasen's usual download) read as a calibration series.

A finance department downloads its series from SCB's Statistikdatabasen as "CSV" (comma or semicolon
and decimal comma, with or without the table's title as a first quoted line). Such a file is read as
it is once it carries the one line every calibration file carries, ``# series: NAME``, at the top;
without it the refusal says exactly that. What is read (docs/calibration.md, "Your own data"):

- the table's title line (one quoted cell) and blank lines are skipped;
- the header row names the time column (``år``, ``månad``, ``year``, ``month`` ...); in the long
  layout each row is a time and one value, in the wide layout the header holds the times and one row
  the values;
- times are ``2023`` (annual) or ``2023M01`` (monthly); quarters (``2023K1``) are refused;
- values use a decimal point or a decimal comma; SCB's ``..`` and ``-`` (no value) leave the time out.

The result is the tagged format's text (``year,value`` or ``year,month,value`` under the file's ``#``
lines), so one reader checks every file the same way (simulator.io.series).
"""

from __future__ import annotations

import csv
import re
from typing import Callable

#: A PX-Web time code: 2023 (year) or 2023M01 (month); 2023K1 is a quarter.
_TIME = re.compile(r"^(\d{4})(?:M(\d{2}))?$")
_QUARTER = re.compile(r"^\d{4}K\d$")
_MISSING = {"..", "...", "-", ""}
_TAG = re.compile(r"^#\s*series\s*:", re.IGNORECASE)


def looks_like_pxweb(lines: list[str]) -> bool:
    """A file whose body (after its '#' lines) is not ``year,...`` but quoted PX-Web cells with time
    codes such as 2023 or 2023M01."""
    body = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    if not body or body[0].replace(" ", "").lower().startswith(("year,", "year;")):
        return False
    rows = _rows(body[:40])
    return body[0].lstrip().startswith('"') and any(
        _TIME.match(cell) or _QUARTER.match(cell) for row in rows for cell in row)


def _delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most rows into the same number (> 1) of cells: a title holds
    commas and a decimal comma is a comma, so counting characters misleads."""
    def score(d: str) -> int:
        widths = [len(row) for row in csv.reader(lines[:40], delimiter=d) if len(row) > 1]
        return max((widths.count(w) for w in set(widths)), default=0)
    return max((";", "\t", ","), key=score)  # ties go to the first: semicolon, SCB's Swedish export


def _rows(lines: list[str]) -> list[list[str]]:
    delimiter = _delimiter(lines)
    return [[c.strip() for c in row] for row in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in row)]


def _number(text: str, fail: Callable[[str], Exception]) -> float | None:
    """A PX-Web value: decimal point or comma, a space or no-break space between thousands; None for
    SCB's no-value marks."""
    if text in _MISSING:
        return None
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        raise fail(f"value {text!r} is not a number") from None


def to_tagged(text: str, where: str, fail: Callable[[str], Exception]) -> str:
    """The PX-Web export ``text`` as the tagged format's text; ``fail(message)`` makes the error to raise
    (one line naming ``where``)."""
    lines = text.splitlines()
    comments = [ln for ln in lines if ln.startswith("#")]
    if not any(_TAG.match(ln) for ln in comments):
        raise fail(f"{where}, line 1: looks like an SCB PX-Web export (quoted cells, times such as 2023M01); "
                   "add a first line '# series: NAME' (inflation, short_rate, long_rate, equity_sweden, "
                   "equity_global or tax_base) and it is read as it is")
    rows = _rows([ln for ln in lines if ln.strip() and not ln.startswith("#")])
    rows = [r for r in rows if len(r) > 1]  # the table's title is one cell
    if len(rows) < 2:
        raise fail(f"{where}: a PX-Web export needs a header row and at least one row of values")
    header, body = rows[0], rows[1:]
    times_in_header = [i for i, c in enumerate(header) if _TIME.match(c) or _QUARTER.match(c)]
    if times_in_header:  # wide: the times across, one row of values
        if len(body) != 1:
            raise fail(f"{where}: a PX-Web export with the times across needs exactly one row of values "
                       f"(got {len(body)}); download one series per file")
        pairs = [(header[i], body[0][i] if i < len(body[0]) else "") for i in times_in_header]
    else:  # long: the time in a column, the value in the last
        column = next((i for i, _ in enumerate(header) if any(_TIME.match(r[i]) or _QUARTER.match(r[i])
                                                             for r in body if i < len(r))), None)
        if column is None:
            raise fail(f"{where}: no column of times such as 2023 or 2023M01")
        if len(header) - column != 2:
            raise fail(f"{where}: a PX-Web export needs one value column after the time (got "
                       f"{len(header) - column - 1}); download one series per file")
        pairs = [(r[column], r[-1]) for r in body if len(r) == len(header)]
    out, monthly = [], None
    for time, value in pairs:
        if _QUARTER.match(time):
            raise fail(f"{where}: time {time!r} is a quarter; download months (2023M01) or years (2023)")
        match = _TIME.match(time)
        if match is None:
            raise fail(f"{where}: time {time!r} is not a year (2023) or a month (2023M01)")
        is_month = match.group(2) is not None
        if monthly is None:
            monthly = is_month
        elif monthly != is_month:
            raise fail(f"{where}: years and months mixed ({time!r}); one frequency per file")
        number = _number(value, lambda m: fail(f"{where}: {time}: {m}"))
        if number is not None:
            out.append(f"{match.group(1)},{int(match.group(2))},{number!r}" if is_month
                       else f"{match.group(1)},{number!r}")
    if not out:
        raise fail(f"{where}: no values (every one is SCB's '..' or empty)")
    return "\n".join([*comments, "year,month,value" if monthly else "year,value", *out]) + "\n"
