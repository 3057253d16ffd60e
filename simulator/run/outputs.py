"""What a run puts on disk besides summary.json: results.zarr's metadata and coordinates (CF attributes,
the resolved scenario, seed and command) and the room it will take, checked before simulating.
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
                        realization: np.ndarray | None = None) -> None:
    """results.zarr's metadata and coordinates for ``n_rows`` paths (chunks follow, one per simulated
    chunk); ``realization``: the paths' indices when only some are kept (run --condition)."""

    years = np.asarray(scenario.simulation.years)
    variables = {name: {"units": ANNUAL[name].units, "long_name": ANNUAL[name].long_name,
                        "long_name_sv": tr(f"var.{name}", "sv")} for name in STORED}
    kept_monthly = ("equity_share",) + (tuple(MONTHLY_COLUMNS) if options.keep_monthly else ())
    monthly = {name: {"units": MONTHLY[name].units, "long_name": MONTHLY[name].long_name,
                      "long_name_sv": tr(f"monthly.{name}", "sv")} for name in kept_monthly}
    goals = {name: g.description for name, g in scenario.goals.items()}
    create_store(path, n_rows, min(options.chunk_size, max(n_rows, 1)), years, 12 * years.size, variables,
                 goals, monthly, store_attrs(scenario, options, n_rows, command), realization)


def expected_result_bytes(scenario: Scenario, options: RunOptions, summary_only: bool = False) -> int:
    """About how large the result will be on disk (check_room, before simulating): the store holds every
    stored variable per path and year, the monthly equity share (and the monthly drivers with
    --monthly) and each goal per path, compressed to about ROOM_RATIO of the doubles."""

    if summary_only:
        return 1 << 20
    n_years = len(scenario.simulation.years)
    n_paths = 1 if options.deterministic else options.paths
    per_path = 8 * (len(STORED) * n_years + 12 * n_years) + len(scenario.goals) + 16
    if options.keep_monthly:
        per_path += 8 * N_MONTHLY * 12 * n_years
    return int(n_paths * per_path * ROOM_RATIO) + (1 << 20)
