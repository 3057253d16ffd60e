"""The fault matrix (issue 12, point 5): every command that writes (run in this process, run on a
local cluster, run --summary-only, sweep, compare, report, calibrate), stopped by a real signal at a
controlled moment (the writer's hook ``SIMULATOR_PAUSE_AT``: "streaming", "written", "committed",
"replacing"), must leave the old result byte for byte (exit 1, "interrupted; nothing was written") or,
past the final rename, the whole new one (exit 0); never a traceback, never a leftover beside it.
``kill -9`` leaves what it leaves; the next command to the same place must clean it and succeed.

tests/test_writer.py holds the first cases for run (SIGINT, SIGTERM, SIGHUP at "written" and
"streaming", SIGTERM at "committed"); this file covers the other commands and the cluster."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from simulator.io import atomic as writer
from tests.conftest import BASE_TOML, LIMIT_S, ROOT, finish, sample, simulator, snapshot, started, wait_for_line

RUN = ["run", str(BASE_TOML), "--paths", "20", "--no-assumptions"]
SWEEP_TOML = f"""scenario = "{BASE_TOML}"
reference = "a"
[[variants]]
name = "a"
[[variants]]
name = "b"
set = {{ "accounts.tax_rate_kr" = 12.2 }}
"""
JUDGMENT = ROOT / "calibration" / "judgment.toml"
DATA = ROOT / "calibration" / "data"


def _cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return simulator(*args, cwd=cwd, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """A folder of earlier results, made once: a run (with its report), a second run, a sweep, a
    compare and a calibrated economy.toml. Each test works on its own copy."""
    d = tmp_path_factory.mktemp("previous")
    (d / "sweep.toml").write_text(SWEEP_TOML)
    for args in ([*RUN, "--seed", "1", "--out", "run"], [*RUN, "--seed", "1", "--set", "accounts.tax_rate_kr=12.2",
                                                         "--out", "run2"],
                 ["report", "run"], ["sweep", "sweep.toml", "--paths", "20", "--seed", "1", "--out", "sweep"],
                 ["compare", "run", "run2", "--out", "cmp"],
                 ["calibrate", "--data", str(DATA), "--judgment", str(JUDGMENT), "--out", "economy.toml"]):
        done = _cli(*args, cwd=d)
        assert done.returncode == 0, (args, done.stderr)
    return d


def _processes_marked(mark: str) -> list[int]:
    """Live processes whose environment carries ``mark`` (the command and every worker it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if mark.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@contextlib.contextmanager
def _paused(args: list[str], stage: str, cwd: Path, mark: str):
    """The command in a process group of its own, once it has said it is paused at ``stage``; the group
    is killed when the test leaves, whatever its outcome (after the test's own checks)."""
    env = {**os.environ, writer.PAUSE_ENV: stage, "SIMULATOR_TEST_MARK": mark}
    with started([sys.executable, "-m", "simulator", *args], cwd=cwd, env=env) as proc:
        before = wait_for_line(proc, f"simulator: paused at {stage}")
        assert not [text for text in before if "Traceback" in text or text.startswith("error")], before
        yield proc


def _no_process_left(mark: str, within_s: float = LIMIT_S) -> bool:
    """Whether every process carrying ``mark`` has ended, waiting for that up to ``within_s`` (minutes:
    workers that are shutting down on a loaded machine are not left behind)."""
    deadline = time.monotonic() + within_s
    while _processes_marked(mark):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


# (id, command, the result it replaces, the stage to stop at)
CLUSTER_RUN = [*RUN[:3], "20000", "--chunk-size", "2000", "--no-assumptions", "--workers", "2"]
COMMANDS = {
    "run": ([*RUN, "--seed", "2", "--force", "--out", "run"], "run"),
    "run-cluster": ([*CLUSTER_RUN, "--seed", "2", "--force", "--out", "run"], "run"),
    "run-summary-only": ([*RUN[:3], "20000", "--chunk-size", "2000", "--no-assumptions", "--summary-only",
                          "--seed", "2", "--force", "--out", "run"], "run"),
    "sweep": (["sweep", "sweep.toml", "--paths", "20", "--seed", "2", "--force", "--out", "sweep"], "sweep"),
    "compare": (["compare", "run2", "run", "--force", "--out", "cmp"], "cmp"),
    "report": (["report", "run", "--xlsx", "--csv"], "run"),
    "calibrate": (["calibrate", "--data", str(DATA), "--judgment", str(JUDGMENT), "--out", "economy.toml"],
                  "economy.toml"),
}
STOPS = [  # (command, stage, signal)
    ("run-cluster", "streaming", signal.SIGHUP), ("run-cluster", "streaming", signal.SIGINT),
    ("run-cluster", "written", signal.SIGTERM), ("run-summary-only", "streaming", signal.SIGTERM),
    ("sweep", "written", signal.SIGINT), ("sweep", "written", signal.SIGTERM), ("sweep", "written", signal.SIGHUP),
    ("compare", "written", signal.SIGTERM), ("compare", "written", signal.SIGHUP),
    ("report", "written", signal.SIGINT), ("report", "written", signal.SIGTERM), ("report", "written", signal.SIGHUP),
    ("calibrate", "replacing", signal.SIGTERM), ("calibrate", "replacing", signal.SIGINT),
]
COMMITTED = ["run-cluster", "sweep", "compare", "report"]
KILLED = [("run-cluster", "streaming"), ("sweep", "written"), ("compare", "written"), ("report", "written"),
          ("calibrate", "replacing")]
#: The whole matrix as (test, command, stage, signal). ci mode keeps a seeded sample in which every
#: test, every command, every stage and every signal appears at least once (tests/conftest.sample).
MATRIX = sample("fault matrix (tests/test_faults.py)",
                [("signal", c, s, n) for c, s, n in STOPS] + [("committed", c, "committed", signal.SIGTERM)
                                                            for c in COMMITTED]
                + [("kill-9", c, s, signal.SIGKILL) for c, s in KILLED],
                ident=lambda row: f"{row[0]}-{row[1]}-{row[2]}-{row[3].name}",
                keys=(lambda row: row[0], lambda row: row[1], lambda row: row[2], lambda row: row[3]))
SAMPLED_STOPS = [(c, s, n) for test, c, s, n in MATRIX if test == "signal"]


@pytest.mark.parametrize("command,stage,signum", SAMPLED_STOPS,
                         ids=[f"{c}-{s}-{signal.Signals(n).name}" for c, s, n in SAMPLED_STOPS])
def test_a_signal_before_the_result_is_in_place_leaves_the_old_one(previous, tmp_path, command, stage, signum):
    work = tmp_path / "w"
    shutil.copytree(previous, work)
    before = snapshot(work)
    args, _ = COMMANDS[command]
    mark = uuid.uuid4().hex
    with _paused(args, stage, work, mark) as proc:
        proc.send_signal(signum)
        stdout, stderr = finish(proc, f"{command} to end after {signum.name}")
        assert proc.returncode == 1 and stderr == "error: interrupted; nothing was written\n", stderr
        assert "Traceback" not in stdout
        assert snapshot(work) == before  # byte for byte, and no staging, temporary or lock file beside it
        assert _no_process_left(mark), "a worker process outlived the command"


@pytest.mark.parametrize("command", [c for test, c, _, _ in MATRIX if test == "committed"])
def test_a_signal_after_the_final_rename_leaves_the_whole_new_result(previous, tmp_path, command):
    work = tmp_path / "w"
    shutil.copytree(previous, work)
    args, place = COMMANDS[command]
    with _paused(args, "committed", work, uuid.uuid4().hex) as proc:
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = finish(proc, f"{command} to end after SIGTERM")
    assert proc.returncode == 0, stderr
    assert stderr == f"interrupted after the result was complete in {work / place}\n", stderr
    expected = _reference(previous, tmp_path, args)
    assert _result_files(work / place) == _result_files(expected / place)
    assert sorted(p.name for p in work.iterdir()) == sorted(p.name for p in previous.iterdir())


def _reference(previous: Path, tmp_path: Path, args: list[str]) -> Path:
    """The same command run to the end without a signal, on another copy."""
    ref = tmp_path / "ref"
    shutil.copytree(previous, ref)
    done = _cli(*args, cwd=ref)
    assert done.returncode == 0, done.stderr
    return ref


def _result_files(place: Path) -> dict[str, str]:
    """What a result holds that must be the same bits whoever wrote it: the summaries and the tables
    (report.html and the xlsx carry the time they were made; the store's metadata its history line)."""
    keep = {".json", ".csv"}
    return {k: v for k, v in snapshot(place).items() if Path(k).suffix in keep}


SAMPLED_KILLS = [(c, s) for test, c, s, _ in MATRIX if test == "kill-9"]


@pytest.mark.parametrize("command,stage", SAMPLED_KILLS, ids=[f"{c}-{s}" for c, s in SAMPLED_KILLS])
def test_after_kill_9_the_next_command_cleans_up_and_succeeds(previous, tmp_path, command, stage):
    """kill -9 cannot be caught: the staging directory, temporary files or lock it left are removed by
    the next command to the same place, which then writes its whole result; its workers die with it."""
    work = tmp_path / "w"
    shutil.copytree(previous, work)
    before = sorted(p.name for p in work.iterdir())
    args, place = COMMANDS[command]
    mark = uuid.uuid4().hex
    with _paused(args, stage, work, mark) as proc:
        proc.kill()  # the command alone, as kill -9 PID does: its workers must end by themselves
        finish(proc, f"{command} to die of SIGKILL")
        assert _no_process_left(mark), "a worker process outlived the command"
    left = sorted(set(snapshot(work)) - set(snapshot(previous)))
    assert left, "kill -9 left nothing to clean: the case tests nothing"
    done = _cli(*args, cwd=work)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert sorted(p.name for p in work.iterdir()) == before
    assert not [name for name in snapshot(work) if ".partial-" in name or ".tmp-" in name or name.endswith(".lock")]
    if command == "report":  # the dead report's files did not make the run look like a user's folder
        again = _cli(*RUN, "--seed", "3", "--force", "--out", place, cwd=work)
        assert again.returncode == 0, again.stderr
