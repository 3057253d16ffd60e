"""The data layer: a result directory (what ``run``, ``sweep`` or ``compare`` wrote) -> the report model.

This package is the only part of the report that knows file names and summary.json keys; everything
after it (charts, HTML, tables, the console) reads the dataclasses of ``model``. When the outputs
change, this package changes.

- ``model``: the dataclasses (Run, Goal, Fan, Risk, Sweep, Report, ...), the goal names the answers rest
  on, and ``ReportInputError``;
- ``summary``: summary.json -> goals, risks, percentiles, policy, assumptions, attribution, condition;
- ``run``: one result directory (summary.json, results.zarr or results.nc) -> a Run;
- ``sweep``: sweep.csv -> a Sweep, and its grids (``sweep_from_table``, ``sweep_grids``);
- ``compare``: directories -> a Report (compare.json stands for the runs it compared), and
  ``paired_differences``.

Every part is optional: a missing key or file gives an empty part (None, [] or {}), and the report shows
a section only when its data exist. Read today: ``summary.json`` and ``results.nc``; read when present:
``results.zarr`` (path dimension ``path`` or ``realization``), ``sweep.csv``, and the summary keys
``policy``, ``interval_covers``, ``assumptions``, ``scenario_sha256``, ``attribution``, ``zero_shock``.

The names below are the package's interface: import them from here, not from the modules.
"""

from __future__ import annotations

from simulator.report.data.compare import COMPARE_FILE, compared_runs, load_report, paired_differences
from simulator.report.data.model import (
    CONSOLIDATION_METRICS,
    FLAG_VARIABLES,
    Assumption,
    AttributionRow,
    Condition,
    ConsolidationAnswer,
    DepthShare,
    EquityShareMonthly,
    Fan,
    Goal,
    GoalDefinition,
    Instrument,
    PairedDifference,
    Policy,
    Provenance,
    Report,
    ReportInputError,
    Risk,
    RobustnessChoice,
    Run,
    Sweep,
    Variable,
    consolidation_answers,
    scenario_value,
    value_kind,
)
from simulator.report.data.run import (
    ATTRIBUTION_VARIABLES,
    BAD_QUANTILE,
    DEPTH_BANDS,
    DEPTH_TOLERANCE,
    PATH_DIMS,
    REACTION_VARIABLES,
    RESULTS_STORES,
    depth_share,
    load_run,
    scenario_sha256,
)
from simulator.report.data.summary import QUANTILES, SUMMARY_FILE
from simulator.report.data.sweep import (
    SWEEP_COST_COLUMNS,
    SWEEP_FILE,
    SWEEP_LABEL_COLUMNS,
    SWEEP_REFERENCE_COLUMN,
    SWEEP_SUFFIXES,
    SWEEP_TEXT_COLUMNS,
    sweep_from_table,
    sweep_grids,
    varying_levers,
)

__all__ = [
    # files and keys
    "SUMMARY_FILE", "RESULTS_STORES", "SWEEP_FILE", "COMPARE_FILE", "PATH_DIMS", "QUANTILES",
    "SWEEP_SUFFIXES", "SWEEP_REFERENCE_COLUMN", "SWEEP_LABEL_COLUMNS", "SWEEP_TEXT_COLUMNS", "SWEEP_COST_COLUMNS",
    # goals and variables
    "CONSOLIDATION_METRICS", "REACTION_VARIABLES",
    "ATTRIBUTION_VARIABLES", "FLAG_VARIABLES", "DEPTH_BANDS", "DEPTH_TOLERANCE", "BAD_QUANTILE",
    # the model
    "ReportInputError", "Variable", "GoalDefinition", "Goal", "Fan", "Risk", "DepthShare",
    "EquityShareMonthly", "Instrument", "Policy", "Assumption", "AttributionRow", "Sweep", "Provenance",
    "Condition", "Run", "PairedDifference", "ConsolidationAnswer", "Report", "RobustnessChoice",
    "value_kind", "consolidation_answers", "scenario_value",
    # loading
    "load_report", "compared_runs", "load_run", "depth_share", "scenario_sha256", "sweep_from_table",
    "sweep_grids", "varying_levers", "paired_differences",
]
