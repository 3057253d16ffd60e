"""Reports the pension committee and the finance department read (issue 10).

``simulator report DIR [DIR2 ...]`` -> ``DIR/report.html`` (self-contained, Swedish by default), and on
request ``report.pdf`` (headless Chromium), ``tables.xlsx`` and ``tables/*.csv``. Layers:

- ``data``: result directory -> report model; the only module that knows file names and summary keys;
- ``i18n``: every visible string, Swedish and English; ``formatting``: Swedish numbers, run tables;
- ``charts``: matplotlib SVG charts that return the data they drew;
- ``html`` (jinja2 templates), ``pdf``, ``tables`` (xlsx, csv), ``output`` (atomic writing).
"""

from __future__ import annotations

from typing import Any

from simulator.report.data import ReportInputError, goals_from_summary
from simulator.report.formatting import goal_table
from simulator.report.output import ReportOutputError, write_report
from simulator.report.pdf import PdfError


def run_table(summary: dict[str, Any], lang: str = "sv") -> str:
    """The goal table ``run`` prints, from its summary dict: descriptions, one decimal, and
    "uppfyllt / ej uppfyllt" for a deterministic run."""
    return goal_table(goals_from_summary(summary), lang)


__all__ = ["PdfError", "ReportInputError", "ReportOutputError", "run_table", "write_report"]
