"""The result store: ``DIR/results.zarr``, written chunk by chunk, so memory is bounded by the chunk.

Layout (Zarr format 2 with consolidated metadata, which xarray, zarr-python, R and netCDF-C read; CF-1.10
attributes): dimensions ``realization`` (a path; its index is what draws its random numbers), ``year``
(with a CF ``time`` coordinate at each year's end) and ``month``; every stored annual variable is
(realization, year) float32 (the lean default) or float64 (``--store all``), every goal's outcome
``goal_<name>`` (realization) int8, the monthly equity share (and the drivers with --monthly)
(realization, month). Float arrays have NaN as their fill value. Arrays are chunked along realization
only, one store chunk per simulated chunk, and compressed with Blosc (lz4, byte shuffle).

xarray writes the metadata and the coordinates (:func:`create_store`); each simulated chunk then writes
its own chunk files (:func:`write_chunk`): encoded with the codec the metadata names and put in place by
a rename, so chunks written by many processes or machines into shared storage never touch each other,
and a chunk written twice (a lost worker's task run again) is simply replaced by the same bytes.
:func:`write_chunk` and :func:`read_chunk` are the only places chunk files are written and read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from simulator.io.atomic import STORE_DIR, temp_name

STORE = STORE_DIR  # one place for the name: simulator.io.atomic
PATH_DIM = "realization"
COMPRESSOR = {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}
#: measured on the base scenario: the full store (--store all, float64) is 0.69 of the uncompressed
#: doubles and the lean one (float32) 0.6 of its uncompressed floats at 10^4, 10^5 and 10^6 paths (simulated
#: mantissas barely compress; flags, zeros, plan years and floors do); check_room asks for ROOM_RATIO of
#: them (and writer.ROOM_MARGIN on top)
ROOM_RATIO = 0.75


def _codec():
    import numcodecs

    return numcodecs.get_codec(dict(COMPRESSOR))


def create_store(path: Path, n_rows: int, chunk: int, years: np.ndarray, n_months: int,
                 variables: dict[str, dict[str, str]], goals: dict[str, str], monthly: dict[str, dict[str, str]],
                 attrs: dict[str, Any], realization: np.ndarray | None = None, dtype=np.float64) -> None:
    """Write the store's metadata and coordinates (data chunks come from :func:`write_chunk`).
    variables / monthly: name -> attributes; goals: name -> description; ``dtype`` the float arrays'
    (float32 or float64; NaN their fill value)."""
    import dask.array as da
    import numcodecs
    import pandas as pd
    import xarray as xr

    index = np.arange(n_rows, dtype=np.int64) if realization is None else realization.astype(np.int64)
    year_end = pd.to_datetime([f"{int(y)}-12-31" for y in years]).values
    months = pd.date_range(f"{int(years[0])}-01-01", periods=n_months, freq="MS").values
    coords = {
        PATH_DIM: (PATH_DIM, index, {"standard_name": "realization", "long_name": "path index (its random "
                                     "numbers are keyed by seed and this index)", "units": "1"}),
        "year": ("year", np.asarray(years, dtype=np.int64), {"long_name": "calendar year (räkenskapsår)",
                                                             "units": "1"}),
        "time": ("year", year_end, {"standard_name": "time", "long_name": "end of the year (balance date)"}),
        "month": ("month", months, {"standard_name": "time", "long_name": "first day of the month"}),
    }
    compressor = numcodecs.get_codec(dict(COMPRESSOR))
    lazy = {}
    encoding = {}
    for name, a in variables.items():
        lazy[name] = ((PATH_DIM, "year"), da.zeros((n_rows, len(years)), dtype=dtype, chunks=(chunk, len(years))), a)
        encoding[name] = {"chunks": (chunk, len(years)), "_FillValue": np.nan}
    for name, description in goals.items():
        lazy[f"goal_{name}"] = ((PATH_DIM,), da.zeros(n_rows, dtype=np.int8, chunks=chunk),
                                {"units": "1", "long_name": f"1 when the path meets goal {name}",
                                 "long_name_sv": description or name, "flag_values": [0, 1],
                                 "flag_meanings": "missed met"})
        encoding[f"goal_{name}"] = {"chunks": (chunk,)}
    for name, a in monthly.items():
        lazy[f"monthly_{name}"] = ((PATH_DIM, "month"), da.zeros((n_rows, n_months), dtype=dtype, chunks=(chunk, n_months)),
                                   a)
        encoding[f"monthly_{name}"] = {"chunks": (chunk, n_months), "_FillValue": np.nan}
    for e in encoding.values():
        e["compressors"] = [compressor]
    encoding[PATH_DIM] = {"chunks": (max(chunk, 1 << 20),)}
    encoding["time"] = {"units": f"days since {int(years[0])}-01-01", "calendar": "proleptic_gregorian"}
    encoding["month"] = {"units": f"days since {int(years[0])}-01-01", "calendar": "proleptic_gregorian"}
    ds = xr.Dataset(data_vars=lazy, coords=coords, attrs={"Conventions": "CF-1.10", **attrs})
    ds = ds.set_coords("time")
    _SHAPES.pop(Path(path), None)
    ds.to_zarr(path, mode="w-", compute=False, encoding=encoding, consolidated=True, zarr_format=2)


def _put(path: Path, data: bytes) -> None:
    """One chunk file, put in place by a rename (never seen half-written)."""
    tmp = temp_name(path)
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _key(index: int, ndim: int) -> str:
    """Chunk ``index`` along realization, in Zarr v2's key ("." separator; one chunk across the rest)."""
    return f"{index}.0" if ndim == 2 else f"{index}"


def write_chunk(path: Path, index: int, arrays: dict[str, np.ndarray]) -> None:
    """Write store chunk ``index`` (rows index*chunk ...) of each named array (its Zarr v2 key
    ``<name>/<index>.0`` or ``<name>/<index>`` for a 1-d array), encoded with the store's codec. The
    last chunk may be short: it is padded to the chunk's shape, as Zarr stores a partial edge chunk."""
    codec = _codec()
    meta = _chunk_shapes(path)
    for name, values in arrays.items():
        shape, dtype = meta[name]
        values = np.asarray(values, dtype=dtype)
        if values.shape != shape:
            full = np.zeros(shape, dtype=dtype)
            full[:values.shape[0]] = values
            values = full
        _put(path / name / _key(index, values.ndim), codec.encode(np.ascontiguousarray(values)))


def read_chunk(path: Path, index: int, names: list[str], rows: int) -> dict[str, np.ndarray]:
    """The first ``rows`` rows of store chunk ``index`` of each named array (as write_chunk wrote it)."""
    codec = _codec()
    meta = _chunk_shapes(path)
    out = {}
    for name in names:
        shape, dtype = meta[name]
        raw = (path / name / _key(index, len(shape))).read_bytes()
        out[name] = np.frombuffer(codec.decode(raw), dtype=dtype).reshape(shape)[:rows]
    return out


_SHAPES: dict[Path, dict[str, tuple[tuple[int, ...], np.dtype]]] = {}


def _chunk_shapes(path: Path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Each array's chunk shape and dtype, from the store's own metadata (checked to be the codec this
    module writes with)."""
    path = Path(path)
    if path not in _SHAPES:
        meta = json.loads((path / ".zmetadata").read_text())["metadata"]
        shapes = {}
        for key, value in meta.items():
            if key.endswith("/.zarray"):
                if value["compressor"] != COMPRESSOR or value["dimension_separator"] != ".":
                    raise ValueError(f"{path}: {key} is not written with the store's codec")
                shapes[key[:-len("/.zarray")]] = (tuple(value["chunks"]), np.dtype(value["dtype"]))
        _SHAPES.clear()
        _SHAPES[path] = shapes
    return _SHAPES[path]
