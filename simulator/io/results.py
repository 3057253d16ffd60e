"""Reading and writing result files: summary.json as UTF-8 JSON, and a run's per-path results as an xarray
Dataset (results.zarr, or the results.nc that runs before the streamed store wrote).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import xarray as xr

from simulator.io.atomic import RESULTS_FILE
from simulator.io.zarr_store import PATH_DIM, STORE


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def open_results(out: str | Path) -> xr.Dataset:
    """A run's per-path results as a Dataset with dimension ``path``: results.zarr, or results.nc as
    runs before the streamed store wrote (both stay readable)."""
    out = Path(out)
    if (out / STORE).exists():
        return xr.open_zarr(out / STORE).rename({PATH_DIM: "path"})
    return xr.open_dataset(out / RESULTS_FILE, engine="h5netcdf")
