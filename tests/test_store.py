"""results.zarr: streamed chunk by chunk, readable as CF data by xarray, lean (float32, the variables read
back) by default and whole with --store all, the same bits whatever the chunks and workers, and the same
summary with --summary-only; a lost dask worker changes nothing."""

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


@pytest.fixture(scope="module")
def stored_all(tmp_path_factory):
    out = tmp_path_factory.mktemp("store") / "all"
    assert _run(["--paths", "300", "--seed", "7", "--chunk-size", "128", "--store", "all", "--out", str(out)]) == 0
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
    assert meta["dtype"] == "<f4" and meta["fill_value"] == "NaN"
    assert json.loads((stored / "results.zarr" / "monthly_equity_share" / ".zarray").read_text())["fill_value"] == "NaN"
    assert sorted(os.listdir(stored / "results.zarr" / "result_msek"))[:3] == [".zarray", ".zattrs", "0.0"]
    assert set(np.unique(ds["goal_balance_2030"].values)) <= {0, 1}


def test_the_lean_store_keeps_what_is_read_back_and_all_keeps_everything(stored, stored_all):
    """Lean: the goals' metrics, what the report, compare and the attribution read; --store all: every
    annual variable as float64 (every variable, each goal and the monthly equity share)."""
    from simulator.report.data.run import ATTRIBUTION_VARIABLES as REPORT_ATTRIBUTION
    from simulator.report.data.run import REACTION_VARIABLES
    from simulator.run.attribution import ATTRIBUTION_VARIABLES
    from simulator.run.outputs import stored_variables
    from simulator.variables import STORED

    scenario = load_scenario(BASE)
    lean = set(stored_variables(scenario))
    metrics = {g.metric for g in scenario.goals.values() if g.metric}
    assert metrics | set(REACTION_VARIABLES) | set(REPORT_ATTRIBUTION) | {v for v, _ in ATTRIBUTION_VARIABLES} <= lean
    with xr.open_zarr(stored / "results.zarr") as ds:
        annual = {n for n in ds.data_vars if "year" in ds[n].dims}
        assert annual == lean and len(lean) < len(STORED) / 3
        assert {n for n in ds.data_vars if n.startswith("goal_")} == {f"goal_{g}" for g in scenario.goals}
        assert all(ds[n].dtype == np.float32 for n in annual) and ds["monthly_equity_share"].dtype == np.float32
    with xr.open_zarr(stored_all / "results.zarr") as ds:
        assert len(ds.data_vars) == len(STORED) + len(scenario.goals) + 1
        assert all(ds[n].dtype == np.float64 for n in STORED)


def test_the_store_holds_what_the_in_memory_reference_simulates(stored, stored_all):
    output = run_engine(load_scenario(BASE), RunOptions(paths=300, seed=7))
    with open_results(stored) as lean, open_results(stored_all) as whole:
        for name in ("result_msek", "equity_msek", "consolidation_ratio", "inflation", "equity_share"):
            assert np.array_equal(lean[name].values, output.annual[name].astype(np.float32)), name
            assert np.array_equal(whole[name].values, output.annual[name]), name
        assert np.array_equal(lean["monthly_equity_share"].values, output.monthly["equity_share"].astype(np.float32))
        assert np.array_equal(whole["monthly_equity_share"].values, output.monthly["equity_share"])
        assert np.array_equal(lean["path"].values, np.arange(300))


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


def test_summary_percentiles_are_numpy_on_the_store_within_their_intervals(stored_all):
    """At 300 paths the summary's percentiles are np.percentile of the stored values to well within
    their Monte Carlo error; each lies in its 95 % interval, which summary.json says how it took."""
    s = _summary(stored_all)
    assert "one pass" in s["percentile_method"].lower()
    with open_results(stored_all) as ds:
        for name in ("result_msek", "pension_assets_msek", "equity_share", "reaction_savings_msek"):
            values = ds[name].values
            q = np.percentile(values, (5, 25, 50, 75, 95), axis=0)
            for k, p in enumerate((5, 25, 50, 75, 95)):
                got = np.array(s["percentiles"][name][f"p{p}"], dtype=float)
                ci = np.array(s["percentiles"][name][f"p{p}_ci95"], dtype=float)
                assert np.all(ci[:, 0] <= got + 1e-9) and np.all(got <= ci[:, 1] + 1e-9), (name, p)
                width = ci[:, 1] - ci[:, 0]
                assert np.all(np.abs(got - q[k]) <= 0.1 * width / 3.92 + 1e-9 * np.abs(q[k])), (name, p)


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
    original = pipeline.reference_bins

    def kill_a_worker_soon(job):
        def kill():
            time.sleep(0.3)
            with Client(cluster) as client:
                pids = client.run(os.getpid)
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        threading.Thread(target=kill, daemon=True).start()
        return original(job)

    pipeline.reference_bins = kill_a_worker_soon
    try:
        out = tmp_path / "lost"
        code = _run(["--paths", "300", "--seed", "7", "--chunk-size", "10", "--scheduler", cluster.scheduler_address,
                     "--out", str(out)])
    finally:
        pipeline.reference_bins = original
        cluster.close()
    assert code == 0 and killed
    assert _summary(out) == _summary(stored)
    with open_results(stored) as a, open_results(out) as b:
        for name in ("result_msek", "goal_balance_2030", "monthly_equity_share"):
            assert np.array_equal(a[name].values, b[name].values), name
