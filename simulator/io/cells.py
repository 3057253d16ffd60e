"""Cells of a CSV file or a workbook written from text a person or a file supplied (CWE-1236).

Scenario and sweep files travel between departments, consultants and committees, so their text
(descriptions, labels, names, a variant's scenario path) is untrusted. A spreadsheet opening a CSV or
workbook runs a cell that starts a formula: ``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``, ``@SUM(...)``,
``+1-1``. The OWASP rule: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'``, so the spreadsheet shows it as text. Every tabular writer (the report's
tables, sweep.csv and sweep.xlsx) writes text through these functions; numbers stay numbers.
"""

from __future__ import annotations

from typing import Any

#: what a spreadsheet reads as the start of a formula (OWASP, "CSV Injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """Text that no spreadsheet reads as a formula: a leading ``'`` when it starts like one."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> Any:
    """A CSV cell: text made safe, anything else (numbers, written by the caller) as it is."""
    return safe_text(value) if isinstance(value, str) else value


def xlsx_cell(cell, value: Any) -> None:
    """Set an openpyxl cell: text as a string cell, made safe (openpyxl would store text starting with
    ``=`` as a formula), anything else as it is."""
    if isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"  # a string, whatever the text looks like
    else:
        cell.value = value
