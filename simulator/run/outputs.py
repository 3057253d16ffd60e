"""What a run puts on disk besides summary.json: which variables results.zarr keeps and in what precision,
its metadata and coordinates (CF attributes, the resolved scenario, seed and command) and the room it
will take, checked before simulating.

The store is lean by default (:func:`stored_variables`): the annual variables something reads back from
it, as float32 (7 significant digits: 1 000 SEK of an amount of a billion, a hundred-millionth of a
fraction), the goals' outcomes per path and the monthly equity share. ``--store all`` keeps every
annual variable as float64, as the store did before. docs/scale.md lists the lean set and its size.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from simulator import __version__
from simulator.i18n import t as tr
from simulator.io.zarr_store import ROOM_RATIO, create_store
from simulator.kernels.months import MONTHLY_COLUMNS, N_MONTHLY
from simulator.run.options import RunOptions
from simulator.run.summary import scenario_sha256
from simulator.scenario.schema import Scenario, scenario_to_dict
from simulator.variables import ANNUAL, MONTHLY, STORED


#: ``--store`` choices: the lean set as float32, or every variable as float64
STORE_MODES = ("lean", "all")

#: The annual variables of the lean store, and who reads them back:
LEAN_VARIABLES = (
    # the headline variables of CONTRACT.md's percentiles, for scripts that read the store
    "result_msek", "balance_requirement_result_msek", "equity_msek", "pension_assets_msek",
    "pension_obligation_msek", "consolidation_ratio", "consolidation_ratio_booked", "equity_share",
    "tax_base_growth", "inflation", "short_rate", "equity_return",
    # the report's instruments of the reaction rule (simulator.report.data.run REACTION_VARIABLES)
    "reaction_savings_msek", "reaction_tax_kr", "reaction_deposits_paused", "reaction_synnerliga_skal_msek",
    # the savings as a share of the budget (what the rule caps) and the protection level's breach per path,
    # the risk the robustness table reports (simulator.whatif.robustness)
    "reaction_savings_frac", "protection_breach",
    # the failure attribution (simulator.run.attribution ATTRIBUTION_VARIABLES) and the report's own,
    # for a result without one (simulator.report.data.run ATTRIBUTION_VARIABLES)
    "wage_growth", "budget_deviation_msek", "portfolio_return_msek", "loans_msek", "general_grants_msek",
    # the base scenario's goal metrics (any scenario's own are added: stored_variables)
    "result_share_of_tax_and_grants", "opening_deficit_overdue_msek", "deficit_overdue_msek",
)


def stored_variables(scenario: Scenario, store: str = "lean") -> tuple[str, ...]:
    """The annual variables results.zarr keeps, in STORED order: every one with ``store="all"``, else
    LEAN_VARIABLES and the metric of every goal the scenario declares."""
    if store == "all":
        return STORED
    wanted = set(LEAN_VARIABLES) | {g.metric for g in scenario.goals.values() if getattr(g, "metric", None)}
    return tuple(name for name in STORED if name in wanted)


def store_dtype(store: str = "lean"):
    """The float arrays' dtype: float32 in the lean store, float64 with ``--store all``."""
    return np.float64 if store == "all" else np.float32


def store_attrs(scenario: Scenario, options: RunOptions, n_paths: int, command: str) -> dict[str, Any]:
    """The store's global attributes: CF's title, history and source, and what made the run."""
    return {
        "title": f"simulator results, scenario {scenario.name}",
        "institution": "Region Jämtland Härjedalen (model: simulator)",
        "source": f"simulator {__version__}, Monte Carlo of the region's accounts and pension fund",
        "scenario_name": scenario.name,
        "scenario": json.dumps(scenario_to_dict(scenario), ensure_ascii=False),
        "scenario_sha256": scenario_sha256(scenario),
        "seed": int(options.seed),
        "paths": int(n_paths),
        "deterministic": int(options.deterministic),
        "version": __version__,
        "command": command,
        "history": f"{datetime.now(timezone.utc).isoformat(timespec='seconds')} {command}",
        "money": "MSEK, nominal, unless a variable's units say otherwise",
    }


def create_result_store(path: Path, scenario: Scenario, options: RunOptions, n_rows: int, command: str,
                        realization: np.ndarray | None = None, store: str = "lean") -> None:
    """results.zarr's metadata and coordinates for ``n_rows`` paths (chunks follow, one per simulated
    chunk); ``realization``: the paths' indices when only some are kept (run --condition); ``store``:
    "lean" or "all" (STORE_MODES)."""

    years = np.asarray(scenario.simulation.years)
    variables = {name: {"units": ANNUAL[name].units, "long_name": ANNUAL[name].long_name,
                        "long_name_sv": tr(f"var.{name}", "sv")} for name in stored_variables(scenario, store)}
    kept_monthly = ("equity_share",) + (tuple(MONTHLY_COLUMNS) if options.keep_monthly else ())
    monthly = {name: {"units": MONTHLY[name].units, "long_name": MONTHLY[name].long_name,
                      "long_name_sv": tr(f"monthly.{name}", "sv")} for name in kept_monthly}
    goals = {name: g.description for name, g in scenario.goals.items()}
    attrs = {**store_attrs(scenario, options, n_rows, command), "store": store}
    create_store(path, n_rows, min(options.chunk_size, max(n_rows, 1)), years, 12 * years.size, variables,
                 goals, monthly, attrs, realization, dtype=store_dtype(store))


def expected_result_bytes(scenario: Scenario, options: RunOptions, summary_only: bool = False,
                          store: str = "lean") -> int:
    """About how large the result will be on disk (check_room, before simulating): the store holds the
    kept variables per path and year, the monthly equity share (and the monthly drivers with
    --monthly) and each goal per path, compressed to about ROOM_RATIO of the raw floats."""

    if summary_only:
        return 1 << 20
    n_years = len(scenario.simulation.years)
    n_paths = 1 if options.deterministic else options.paths
    size = np.dtype(store_dtype(store)).itemsize
    per_path = size * (len(stored_variables(scenario, store)) * n_years + 12 * n_years) + len(scenario.goals) + 16
    if options.keep_monthly:
        per_path += size * N_MONTHLY * 12 * n_years
    return int(n_paths * per_path * ROOM_RATIO) + (1 << 20)
