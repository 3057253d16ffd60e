"""results.zarr: streamed chunk by chunk, readable as CF data by xarray, the same bits whatever the
chunks and workers, and the same summary with --summary-only; a lost dask worker changes nothing."""

import json
import os
import signal
import threading
import time

import numpy as np
import pytest
import xarray as xr

from simulator.cli import main
from simulator.run.options import RunOptions
from simulator.run.engine import run as run_engine
from simulator.io.results import open_results
from simulator.scenario.loader import load_scenario

BASE = "scenarios/base.toml"


def _run(args):
    try:
        main(["run", BASE, "--no-assumptions", *args])
    except SystemExit as exc:
        return exc.code
    return 0


def _summary(d):
    s = json.loads((d / "summary.json").read_text())
    s.pop("version", None)
    return s


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    out = tmp_path_factory.mktemp("store") / "r"
    assert _run(["--paths", "300", "--seed", "7", "--chunk-size", "128", "--out", str(out)]) == 0
    return out


def test_the_store_is_cf_and_chunked_along_realizations(stored):
    ds = xr.open_zarr(stored / "results.zarr")
    assert ds.attrs["Conventions"] == "CF-1.10" and ds.attrs["seed"] == 7 and ds.attrs["paths"] == 300
    assert ds["realization"].attrs["standard_name"] == "realization"
    assert ds["time"].attrs["standard_name"] == "time" and str(ds["time"].values[0])[:10] == "2025-12-31"
    assert ds["result_msek"].dims == ("realization", "year") and ds["result_msek"].attrs["units"] == "MSEK"
    assert ds["result_msek"].attrs["long_name_sv"] == "Årets resultat"
    meta = json.loads((stored / "results.zarr" / "result_msek" / ".zarray").read_text())
    assert meta["chunks"] == [128, 16] and meta["compressor"]["id"] == "blosc"
    assert sorted(os.listdir(stored / "results.zarr" / "result_msek"))[:3] == [".zarray", ".zattrs", "0.0"]
    assert set(np.unique(ds["goal_balance_2030"].values)) <= {0, 1}


def test_the_store_holds_what_the_in_memory_reference_simulates(stored):
    output = run_engine(load_scenario(BASE), RunOptions(paths=300, seed=7))
    with open_results(stored) as ds:
        for name in ("result_msek", "equity_msek", "consolidation_ratio", "inflation", "equity_share"):
            assert np.array_equal(ds[name].values, output.annual[name]), name
        assert np.array_equal(ds["monthly_equity_share"].values, output.monthly["equity_share"])
        assert np.array_equal(ds["path"].values, np.arange(300))


def test_chunks_workers_and_summary_only_change_no_number(stored, tmp_path):
    other = tmp_path / "other"
    assert _run(["--paths", "300", "--seed", "7", "--chunk-size", "77", "--workers", "2", "--out", str(other)]) == 0
    only = tmp_path / "only"
    assert _run(["--paths", "300", "--seed", "7", "--chunk-size", "300", "--summary-only", "--out", str(only)]) == 0
    assert not (only / "results.zarr").exists()
    reference = _summary(stored)
    assert _summary(other) == reference and _summary(only) == reference
    with open_results(stored) as a, open_results(other) as b:
        for name in a.data_vars:
            assert np.array_equal(a[name].values, b[name].values), name


def test_summary_percentiles_are_numpy_on_the_store(stored):
    s = _summary(stored)
    with open_results(stored) as ds:
        for name in ("result_msek", "pension_assets_msek", "equity_share", "reaction_savings_msek"):
            q = np.percentile(ds[name].values, (5, 25, 50, 75, 95), axis=0)
            for k, p in enumerate((5, 25, 50, 75, 95)):
                assert s["percentiles"][name][f"p{p}"] == [round(float(v), 10) for v in q[k]], (name, p)


def test_a_result_before_the_store_is_still_read(stored, tmp_path):
    """Runs before results.zarr wrote results.nc: compare, report and open_results read both."""
    old = tmp_path / "old"
    old.mkdir()
    (old / "summary.json").write_text((stored / "summary.json").read_text())
    with open_results(stored) as ds:
        ds.load().to_netcdf(old / "results.nc", engine="h5netcdf")
    with open_results(old) as a, open_results(stored) as b:
        assert np.array_equal(a["goal_balance_2030"].values, b["goal_balance_2030"].values)
    from simulator.whatif.compare import Run

    assert set(Run(old).hits()) == set(Run(stored).hits())


def test_a_lost_worker_changes_no_number(tmp_path, stored):
    """A worker killed mid-run: dask runs its tasks again on the others (and on the one the nanny
    restarts); the store and the summary are the same bits."""
    from distributed import Client, LocalCluster

    import simulator.run.pipeline as pipeline

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    killed = []
    original = pipeline.pilot_bins

    def kill_a_worker_soon(pilot):
        def kill():
            time.sleep(0.3)
            with Client(cluster) as client:
                pids = client.run(os.getpid)
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        threading.Thread(target=kill, daemon=True).start()
        return original(pilot)

    pipeline.pilot_bins = kill_a_worker_soon
    try:
        out = tmp_path / "lost"
        code = _run(["--paths", "300", "--seed", "7", "--chunk-size", "10", "--scheduler", cluster.scheduler_address,
                     "--out", str(out)])
    finally:
        pipeline.pilot_bins = original
        cluster.close()
    assert code == 0 and killed
    assert _summary(out) == _summary(stored)
    with open_results(stored) as a, open_results(out) as b:
        for name in ("result_msek", "goal_balance_2030", "monthly_equity_share"):
            assert np.array_equal(a[name].values, b[name].values), name
