"""`simulator run`: what it writes, and that it never overwrites or half-writes a result."""

import json

import numpy as np
import pytest

from simulator import __version__
from simulator.cli import main
from simulator.io.results import open_results
from simulator.io.atomic import STORE_DIR as RESULTS_FILE, SUMMARY_FILE
from simulator.variables import ANNUAL, STORED
from tests.conftest import BASE_TOML


def _run(args, capsys=None):
    try:
        main(["run", str(BASE_TOML), *args])
        return 0
    except SystemExit as exc:
        return exc.code


def test_run_writes_dataset_and_summary_per_contract(tmp_path, capsys):
    out = tmp_path / "base"
    assert _run(["--paths", "200", "--seed", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "200 paths" in printed and "inflation" in printed

    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert summary["scenario"] == "base" and summary["paths"] == 200 and summary["seed"] == 3
    assert summary["version"] == __version__
    assert set(summary["goals"]) >= {"result_target_2027_2030", "deficit_restored", "balance_2030",
                                      "consolidation_2040", "positive_equity_2030"}
    for goal in summary["goals"].values():
        p = goal["probability"]
        assert goal["ci95"][0] <= p <= goal["ci95"][1]
        assert goal["stderr"] == pytest.approx((p * (1 - p) / 200) ** 0.5)
    assert summary["years"] == list(range(2025, 2041))
    for name in ("inflation", "short_rate", "equity_return", "tax_base_growth"):
        table = summary["percentiles"][name]
        assert set(table) >= {"p5", "p25", "p50", "p75", "p95"}
        assert all(len(v) == 16 for v in table.values())
        # percentiles are ordered
        for k in range(16):
            assert table["p5"][k] <= table["p25"][k] <= table["p50"][k] <= table["p75"][k] <= table["p95"][k]

    with open_results(out) as ds:
        assert ds.sizes["path"] == 200 and ds.sizes["year"] == 16
        kept = [name for name in STORED if name in ds.data_vars]  # the lean store (simulator.run.outputs)
        assert {"result_msek", "equity_msek", "consolidation_ratio", "inflation"} <= set(kept)
        for name in kept:
            assert ds[name].attrs["units"] == ANNUAL[name].units and ds[name].attrs["long_name"]
        assert ds.attrs["seed"] == 3 and ds.attrs["version"] == __version__
        assert "simulator run" in ds.attrs["command"]
        assert json.loads(ds.attrs["scenario"])["economy"]["inflation"]["target_pa"] == 0.02
        # summary percentiles are those of the stored paths, within their binning error (a tenth of the
        # Monte Carlo error: tests/test_streaming.py) and the store's float32 (7 digits)
        p50 = np.percentile(ds["inflation"].values.astype(float), 50, axis=0)
        ci = np.array(summary["percentiles"]["inflation"]["p50_ci95"])
        assert np.all(np.abs(np.array(summary["percentiles"]["inflation"]["p50"]) - p50)
                      <= 0.1 * (ci[:, 1] - ci[:, 0]) / 3.92 + 1e-7 * np.abs(p50))
        for name in ("result_msek", "balance_requirement_result_msek", "equity_msek",
                     "pension_assets_msek", "pension_obligation_msek", "consolidation_ratio"):
            assert name in summary["percentiles"] and ds[name].attrs["units"]
        # goal probabilities are the share of stored paths meeting them
        equity_2030 = ds["equity_msek"].sel(year=2030).values
        assert summary["goals"]["positive_equity_2030"]["probability"] == pytest.approx(np.mean(equity_2030 > 0))
        share = ds["result_share_of_tax_and_grants"].sel(year=slice(2027, 2030)).values
        target = (share >= 0.02).all(axis=1)
        overdue = ds["opening_deficit_overdue_msek"].sel(year=slice(2028, 2030)).values
        restored = (overdue <= 0).all(axis=1)
        assert summary["goals"]["balance_2030"]["probability"] == pytest.approx(np.mean(target & restored))


def test_monthly_values_are_stored_on_request(tmp_path):
    out = tmp_path / "m"
    assert _run(["--paths", "5", "--monthly", "--out", str(out)]) == 0
    with open_results(out) as ds:
        assert ds["monthly_short_rate"].shape == (5, 192)
        assert str(ds["month"].values[0])[:7] == "2025-01" and str(ds["month"].values[-1])[:7] == "2040-12"
        # the annual average is the mean of the months (both stored as float32 in the lean store: 7 digits)
        assert ds["monthly_short_rate"].dtype == np.float32
        np.testing.assert_allclose(ds["short_rate"].values.astype(float),
                                   ds["monthly_short_rate"].values.astype(float).reshape(5, 16, 12).mean(axis=2),
                                   rtol=5e-7)


def test_deterministic_run_is_one_path(tmp_path):
    out = tmp_path / "det"
    assert _run(["--deterministic", "--out", str(out)]) == 0
    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert summary["paths"] == 1 and summary["deterministic"] is True
    growth = summary["percentiles"]["tax_base_growth"]
    assert growth["p5"] == growth["p95"]
    assert growth["p50"][:3] == pytest.approx([0.045150, 0.036837, 0.036273], abs=1e-12)


def test_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "r"
    assert _run(["--paths", "10", "--seed", "1", "--out", str(out)]) == 0
    before = (out / SUMMARY_FILE).read_text()
    capsys.readouterr()
    assert _run(["--paths", "10", "--seed", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force" in err and str(out) in err
    assert (out / SUMMARY_FILE).read_text() == before
    assert _run(["--paths", "10", "--seed", "2", "--out", str(out), "--force"]) == 0
    assert json.loads((out / SUMMARY_FILE).read_text())["seed"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no staging or retired dirs left


def _tree(root):
    return sorted((str(p.relative_to(root)), p.read_bytes() if p.is_file() else None) for p in root.rglob("*"))


@pytest.mark.parametrize("where", ["own_files", "results_parent", "scenario_folder", "working_directory"])
def test_force_never_deletes_what_it_did_not_write(tmp_path, capsys, monkeypatch, where):
    """--force replaces a previous result only: pointed at the scenario's folder, results/ itself (the
    parent of other results) or the working directory, it refuses with exit 2 and touches nothing."""
    results = tmp_path / "results"
    assert _run(["--paths", "10", "--out", str(results / "a")]) == 0
    scenario_folder = tmp_path / "my_scenarios"
    scenario_folder.mkdir()
    (scenario_folder / "mine.toml").write_text(BASE_TOML.read_text(encoding="utf-8"), encoding="utf-8")
    own = tmp_path / "own"
    own.mkdir()
    (own / "summary.json").write_text("{}")  # a result's file name beside a file of the user's
    (own / "notes.txt").write_text("mine")
    target = {"own_files": own, "results_parent": results, "scenario_folder": scenario_folder,
              "working_directory": tmp_path}[where]
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    capsys.readouterr()
    out = "." if where == "working_directory" else str(target)
    assert _run(["--paths", "10", "--out", out, "--force"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a previous result" in err and "--force" in err
    assert _tree(tmp_path) == before  # nothing deleted, nothing staged


def test_force_through_a_symlink_replaces_the_result_it_points_to(tmp_path, capsys):
    real = tmp_path / "store" / "r"
    assert _run(["--paths", "10", "--seed", "1", "--out", str(real)]) == 0
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    assert _run(["--paths", "10", "--seed", "2", "--out", str(link), "--force"]) == 0
    assert json.loads((link / SUMMARY_FILE).read_text())["seed"] == 2 and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "store"]
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == ["r"]  # no staging left beside it


@pytest.mark.parametrize("existing", [False, True])
def test_failure_while_writing_leaves_nothing_half_written(tmp_path, monkeypatch, capsys, existing):
    out = tmp_path / "r"
    if existing:
        assert _run(["--paths", "10", "--out", str(out)]) == 0
        before = (out / SUMMARY_FILE).read_text()

    import simulator.run.pipeline as pipeline

    written = pipeline.write_chunk

    def explode(path, index, arrays):
        # the first chunk is written, then the process is interrupted
        written(path, index, arrays)
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "write_chunk", explode)
    code = _run(["--paths", "10", "--out", str(out), "--force"])
    assert code == 1
    assert "interrupted" in capsys.readouterr().err
    if existing:
        assert (out / SUMMARY_FILE).read_text() == before  # the old result is back, untouched
        assert (out / RESULTS_FILE / "result_msek" / "0.0").is_file()
    else:
        assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == (["r"] if existing else [])


@pytest.mark.parametrize("args, words", [
    (["--paths", "0"], ["--paths", ">= 1"]),
    (["--chunk-size", "-3"], ["--chunk-size"]),
    (["--seed", "-1"], ["--seed"]),
    (["--paths", "many"], ["--paths", "many"]),
    (["--no-such-option"], ["--no-such-option"]),
])
def test_bad_options_exit_2_with_one_line(tmp_path, capsys, args, words):
    assert _run([*args, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: simulator run:"), err
    for word in words:
        assert word in err
    assert not (tmp_path / "x").exists()
