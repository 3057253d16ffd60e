"""What the terminal tells a person (issue 20): one progress bar in paths over every stage that ends at
100 %, and the traps of calibrate: a fit far from judgment is reported, SCB's PX-Web export is read (or the
refusal says how to convert it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from simulator.calibration.data import CalibrationInputError, read_series_file
from simulator.cli import main
from simulator.run.progress import Progress, ambient, progress
from simulator.whatif.assumptions import ASSUMPTIONS
from simulator.whatif.robustness import variants as robustness_variants
from simulator.scenario.loader import load_scenario
from tests.conftest import BASE_TOML, ROOT

DATA = ROOT / "calibration" / "data"


class Bar:
    """Stands in for tqdm: what a Progress asks it to show."""

    def __init__(self, total):
        self.total, self.n, self.descriptions = total, 0, []

    def update(self, k):
        assert k >= 0  # the bar never goes back
        self.n += k

    def set_description_str(self, text, refresh=False):
        self.descriptions.append(text)


def test_one_bar_counts_each_path_once_over_the_stages():
    bar = Bar(1000 + 1400)
    p = Progress(bar, [("simulating", 1000), ("assumption variants", 1400)])
    p.stage("simulating", passes=2)
    for _ in range(4):  # two passes of 500-path chunks
        p(500)
    assert bar.n == 1000 and p.done == 1000  # the user's 1000 paths, not 2000
    p.stage("assumption variants")
    p(700)
    assert bar.n == 1700
    p.finish()
    assert bar.n == bar.total == 2400 and bar.descriptions == ["simulating", "assumption variants"]


def test_a_stage_that_reports_nothing_still_moves_the_bar_and_undeclared_work_grows_it():
    bar = Bar(300)
    p = Progress(bar, [("simulating", 100), ("assumption variants", 200)])
    p.stage("simulating")  # e.g. --condition: the paths are simulated in memory, reported by nobody
    p.stage("assumption variants")
    assert bar.n == 100  # where the first stage ends
    p(250)  # more than declared (a stage the run did not count in advance)
    assert bar.total == 350 and bar.n == 350 <= bar.total


def test_the_ambient_bar_is_the_commands():
    assert callable(ambient()) and ambient()(5) is None  # outside any command: a no-op
    with progress([("x", 10)], "paths", "x") as advance:
        assert ambient() is advance
        ambient()(4)
        assert advance.done == 4
    assert ambient() is not advance


def test_a_run_shows_one_bar_in_paths_that_ends_at_100_percent(tmp_path):
    paths, assumption_paths = 400, 200
    env = {**os.environ, "SIMULATOR_PROGRESS": "1", "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-m", "simulator", "run", str(BASE_TOML), "--paths", str(paths),
                           "--assumption-paths", str(assumption_paths), "--out", str(tmp_path / "r")],
                          capture_output=True, text=True, env=env, timeout=600, check=True)
    readings = len(robustness_variants(load_scenario(BASE_TOML))[0])  # the run's scenario again, then each
    total = paths + 2 * len(ASSUMPTIONS) * assumption_paths + (1 + readings) * assumption_paths
    states = re.findall(r"([\w ]+):\s+(\d+)%\|[^|]*\|\s*([\d.]+k?)/([\d.]+k?) \[", done.stderr)
    assert states, done.stderr[-500:]
    to_number = lambda s: float(s[:-1]) * 1000 if s.endswith("k") else float(s)  # noqa: E731
    assert {to_number(t) for *_, t in states} == {total}  # one total, known from the start
    assert [int(p) for _, p, _, _ in states] == sorted(int(p) for _, p, _, _ in states)  # never backwards
    assert states[-1][1] == "100" and to_number(states[-1][2]) == total
    assert {name.strip() for name, *_ in states} <= {"simulating", "assumption variants", "robustness variants"}
    assert "paths/s" in done.stderr


# ----------------------------------------------------------------------------------- calibrate

def _data_with(tmp_path, name: str, text: str, drop: str | None = None):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    if drop:
        (folder / drop).unlink()
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_fit_far_from_judgment_is_reported(tmp_path, capsys):
    """A tax-base series with a 6 % spread moves the volatility from the judgment 0.012 more than 2x."""
    rng = np.random.default_rng(1)
    rows = "\n".join(f"{y},{4 + 6 * rng.standard_normal():.2f}" for y in range(1995, 2025))
    folder = _data_with(tmp_path, "tax_base.csv", f"# series: tax_base\nyear,value\n{rows}\n",
                        drop="skatteunderlag_growth_pct_PARTIAL.csv")
    main(["calibrate", "--data", str(folder), "--out", str(tmp_path / "economy.toml"),
          "--judgment", str(ROOT / "calibration" / "judgment.toml")])
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "economy.tax_base.volatility_pa" in ln and "warning" in ln)
    factor = float(re.search(r"moves it ([\d.]+)x", line).group(1))
    judged, fitted = (float(x) for x in re.search(r"from the judgment ([\d.]+) to ([\d.]+)", line).groups())
    assert judged == 0.012 and factor == pytest.approx(fitted / judged, rel=0.05) and factor > 2
    # the shipped data move nothing that far: no such warning
    main(["calibrate", "--data", str(DATA), "--out", str(tmp_path / "shipped.toml"),
          "--judgment", str(ROOT / "calibration" / "judgment.toml")])
    assert "from the judgment" not in capsys.readouterr().out


PXWEB = ('"Inflationstakt enligt KPI, procent efter månad"\n\n"månad";"KPI, 12-månadersförändring"\n'
         '"1999M12";1,2\n"2000M12";1,3\n"2001M12";..\n"2002M12";2,3\n')


def test_scbs_px_web_export_is_read_as_it_is(tmp_path):
    path = tmp_path / "kpi.csv"
    path.write_text("# series: inflation\n" + PXWEB, encoding="utf-8")
    name, parts = read_series_file(path)
    assert name == "inflation" and parts["monthly"]
    assert parts["dates"] == [(1999, 12), (2000, 12), (2002, 12)]  # SCB's '..' leaves the month out
    np.testing.assert_allclose(parts["values"], [0.012, 0.013, 0.023])
    wide = tmp_path / "wide.csv"  # the times across, one row of values, comma-separated with decimal commas
    wide.write_text('# series: tax_base\n"region","2019","2020","2021"\n"Jämtlands län","3,0","5,5","4,5"\n',
                    encoding="utf-8")
    name, parts = read_series_file(wide)
    assert name == "tax_base" and not parts["monthly"] and [d[0] for d in parts["dates"]] == [2019, 2020, 2021]
    np.testing.assert_allclose(parts["values"], [0.030, 0.055, 0.045])


def test_a_px_web_export_without_its_series_line_says_how_to_convert_it(tmp_path):
    path = tmp_path / "kpi.csv"
    path.write_text(PXWEB, encoding="utf-8")
    with pytest.raises(CalibrationInputError, match=r"looks like an SCB PX-Web export.*add a first line '# series: NAME'"):
        read_series_file(path)
    quarters = tmp_path / "q.csv"
    quarters.write_text('# series: tax_base\n"kvartal";"x"\n"2020K1";1,0\n', encoding="utf-8")
    with pytest.raises(CalibrationInputError, match="is a quarter"):
        read_series_file(quarters)
