"""Reports the pension committee and the finance department read (issue 10).

Layers:

- ``data``: result directory -> report model; the only module that knows file names and summary keys;
- ``i18n``: every visible string, Swedish and English; ``formatting``: Swedish numbers, run tables.
"""

from __future__ import annotations

from typing import Any

from simulator.report.data import ReportInputError, goals_from_summary
from simulator.report.formatting import goal_table


def run_table(summary: dict[str, Any], lang: str = "sv") -> str:
    """The goal table ``run`` prints, from its summary dict: descriptions, one decimal, and
    "uppfyllt / ej uppfyllt" for a deterministic run."""
    return goal_table(goals_from_summary(summary), lang)


__all__ = ["ReportInputError", "run_table"]
