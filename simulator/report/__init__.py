"""Reports the pension committee and the finance department read (issue 10).

``simulator report DIR [DIR2 ...]`` -> ``DIR/report.html`` (self-contained, Swedish by default), and on
request ``report.pdf`` (headless Chromium), ``tables.xlsx`` and ``tables/*.csv``. Layers:

- ``data``: result directory -> report model; the only module that knows file names and summary keys;
- ``i18n``: every visible string, Swedish and English; ``formatting``: Swedish numbers, text tables;
- ``console``: the tables ``run``, ``sweep`` and ``compare`` print with ``--lang``;
- ``charts``: matplotlib SVG charts that return the data they drew;
- ``html`` (jinja2 templates), ``pdf``, ``tables`` (xlsx, csv), ``output`` (atomic writing).
"""

from __future__ import annotations

from simulator.report.data import ReportInputError
from simulator.report.output import ReportOutputError, write_report
from simulator.report.pdf import PdfError

__all__ = ["PdfError", "ReportInputError", "ReportOutputError", "write_report"]
