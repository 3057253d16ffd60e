"""The writer under faults (issue 12, item 5): one run at a time per --out, dead runs' staging cleaned
and a set-aside result put back, no room found out before simulating, a full disk is one line and exit 1."""

import contextlib
import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

import simulator.io.atomic as writer
from simulator.cli import main
from simulator.io.atomic import SUMMARY_FILE, clean_stale, output_lock
from tests.conftest import BASE_TOML, ROOT, finish, run_command, sample, started, wait_for_line


def _run(*args):
    try:
        main(["run", str(BASE_TOML), "--paths", "10", "--no-assumptions", *args])
        return 0
    except SystemExit as exc:
        return exc.code


def _listing(root):
    return sorted(p.name for p in root.iterdir())


def test_a_second_run_to_the_same_place_exits_2_while_the_first_writes(tmp_path, capsys):
    out = tmp_path / "r"
    with started([sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from simulator.io.atomic import output_lock
            with output_lock({str(out)!r}):
                print("holding", flush=True)
                sys.stdin.read()  # until the test closes it
            """)], stdin=subprocess.PIPE, cwd=ROOT) as holder:
        assert wait_for_line(holder, "holding", stream=holder.stdout) == []
        assert _run("--out", str(out)) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "another run is writing there" in err
        assert not out.exists()
        finish(holder, "the lock holder to let go when its stdin closed", input="")
    assert _run("--out", str(out)) == 0  # released: the next run goes ahead
    assert _listing(tmp_path) == ["r"]  # and the lock file is gone


def test_the_lock_is_reentrant_in_one_process(tmp_path):
    with output_lock(tmp_path / "r"):
        with output_lock(tmp_path / "r"):
            pass
        assert (tmp_path / ".r.lock").exists()
    assert not (tmp_path / ".r.lock").exists()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_runs_staging_is_removed_by_the_next_run(tmp_path):
    out = tmp_path / "r"
    host = writer._host()
    dead = tmp_path / f".r.partial-{_dead_pid()}-0123abcd-{host}"
    dead.mkdir()
    (dead / "results.nc").write_bytes(b"x" * 1000)  # what kill -9 mid-write leaves
    other_host = tmp_path / f".r.partial-{_dead_pid()}-0123abcd-elsewhere"
    other_host.mkdir()  # another machine's run on shared storage: not ours to judge
    alive = tmp_path / f".r.partial-{os.getppid()}-0123abcd-{host}"
    alive.mkdir()  # a live process's (our parent's): left alone
    assert _run("--out", str(out)) == 0
    assert _listing(tmp_path) == sorted(["r", other_host.name, alive.name])


def test_a_result_set_aside_by_a_dead_run_is_put_back(tmp_path):
    out = tmp_path / "r"
    assert _run("--out", str(out), "--seed", "1") == 0
    # a run died between moving the old result aside and renaming its own into place
    aside = tmp_path / f".r.old-{_dead_pid()}-0123abcd-{writer._host()}"
    out.rename(aside)
    with output_lock(out):
        assert out.is_dir() and json.loads((out / SUMMARY_FILE).read_text())["seed"] == 1
    assert _listing(tmp_path) == ["r"]
    assert clean_stale(out) == []


def test_no_room_is_found_out_before_simulating(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r"
    simulated = []
    monkeypatch.setattr("simulator.commands.run.run_job", lambda job: simulated.append(job))
    monkeypatch.setattr(writer.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(1 << 30, 0, 1 << 20))
    assert _run("--out", str(out)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "MiB free" in err and "nothing was simulated" in err
    assert simulated == [] and _listing(tmp_path) == []


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="no file-size limit on this system")
def test_a_file_size_limit_is_found_out_before_simulating(tmp_path):
    out = tmp_path / "r"

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, resource.RLIM_INFINITY))
    proc = run_command([sys.executable, "-m", "simulator", "run", str(BASE_TOML), "--paths", "5000",
                        "--no-assumptions", "--out", str(out)], "the run to refuse", preexec_fn=limit, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("\n") == 1 and "file-size limit" in proc.stderr and "Traceback" not in proc.stderr
    assert _listing(tmp_path) == []


def test_a_full_disk_while_writing_is_one_line_and_exit_1(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r"
    assert _run("--out", str(out), "--seed", "1") == 0
    before = (out / SUMMARY_FILE).read_text()

    import simulator.io.zarr_store as store

    def full(path, data):
        open(path, "wb").write(data[:10])
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(store, "_put", full)
    capsys.readouterr()
    assert _run("--out", str(out), "--seed", "2", "--force") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "disk is full" in err and "nothing was written" in err
    assert (out / SUMMARY_FILE).read_text() == before and _listing(tmp_path) == ["r"]


def test_a_cache_that_cannot_be_written_does_not_fail_the_run(tmp_path):
    """A full disk or a file-size limit while numba writes its cache: the kernels run compiled in memory
    (a cold, empty cache folder and a 4 kB file-size limit: every cache file is too large)."""
    cache = tmp_path / "numba-cache"
    cache.mkdir()

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    proc = run_command([sys.executable, "-m", "simulator", "sensitivity", str(BASE_TOML), "--json"],
                       "sensitivity to finish without a cache", limit_s=900, preexec_fn=limit, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr
    from simulator.whatif.sensitivity import sensitivity
    from simulator.scenario.loader import load_scenario
    expected = {k: round(v, 6) for k, v in sensitivity(load_scenario(BASE_TOML)).items()}
    assert json.loads(proc.stdout) == expected  # the same numbers as with a cache
    leftovers = [p.name for p in cache.rglob("*") if p.is_file() and p.stat().st_size >= 4096]
    assert leftovers == []  # nothing half-written is left for a later run to load


@contextlib.contextmanager
def _run_until_paused(out, stage, *extra):
    """The run in a process (group) of its own, once it has said it is paused at ``stage``; ended,
    workers and all, whatever the test's outcome."""
    env = {**os.environ, writer.PAUSE_ENV: stage}
    with started([sys.executable, "-m", "simulator", "run", str(BASE_TOML), "--paths", "20", "--no-assumptions",
                  "--out", str(out), *extra], cwd=ROOT, env=env) as proc:
        before = wait_for_line(proc, f"simulator: paused at {stage}")
        assert not [text for text in before if "Traceback" in text or text.startswith("error")], before
        yield proc


#: The fault matrix of `run` in process: (stage, signal); ci mode keeps each stage and each signal.
STOPS = sample("fault matrix: run (tests/test_writer.py)",
               [("written", s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]
               + [("streaming", s) for s in (signal.SIGINT, signal.SIGTERM)],
               ident=lambda stop: f"{stop[0]}-{stop[1].name}", keys=(lambda stop: stop[0], lambda stop: stop[1]))


@pytest.mark.parametrize("signum", [s for stage, s in STOPS if stage == "written"])
def test_a_signal_before_the_final_rename_leaves_the_old_result(tmp_path, signum):
    out = tmp_path / "r"
    assert _run("--out", str(out), "--seed", "1") == 0
    before = (out / SUMMARY_FILE).read_bytes()
    with _run_until_paused(out, "written", "--seed", "2", "--force") as proc:
        assert any(p.name.startswith(".r.partial-") for p in tmp_path.iterdir())  # the new files are staged
        proc.send_signal(signum)
        stdout, stderr = finish(proc, f"the run to end after {signum.name}")
    assert proc.returncode == 1 and stderr == "error: interrupted; nothing was written\n"
    assert (out / SUMMARY_FILE).read_bytes() == before and _listing(tmp_path) == ["r"]


@pytest.mark.parametrize("signum", [s for stage, s in STOPS if stage == "streaming"])
def test_a_signal_while_streaming_leaves_the_old_result(tmp_path, signum):
    """Mid-run (chunks of the new store already staged), a signal stops the run at once: exit 1, no
    traceback, the staged store removed, the previous result untouched."""
    out = tmp_path / "r"
    assert _run("--out", str(out), "--seed", "1") == 0
    before = (out / SUMMARY_FILE).read_bytes()
    with _run_until_paused(out, "streaming", "--seed", "2", "--force", "--chunk-size", "2000",
                           "--paths", "20000") as proc:
        staged = [p for p in tmp_path.iterdir() if p.name.startswith(".r.partial-")]
        assert staged and (staged[0] / "results.zarr" / "result_msek" / "0.0").is_file()
        proc.send_signal(signum)
        stdout, stderr = finish(proc, f"the run to end after {signum.name}")
    assert proc.returncode == 1 and stderr == "error: interrupted; nothing was written\n"
    assert (out / SUMMARY_FILE).read_bytes() == before and _listing(tmp_path) == ["r"]


def test_a_signal_after_the_final_rename_leaves_the_new_result_and_exit_0(tmp_path):
    out = tmp_path / "r"
    assert _run("--out", str(out), "--seed", "1") == 0
    with _run_until_paused(out, "committed", "--seed", "2", "--force") as proc:
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = finish(proc, "the run to end after SIGTERM")
    assert proc.returncode == 0 and stderr == f"interrupted after the result was complete in {out}\n"
    assert json.loads((out / SUMMARY_FILE).read_text())["seed"] == 2 and _listing(tmp_path) == ["r"]


@pytest.mark.parametrize("where", ["under_a_file", "read_only_file_system"])
def test_an_out_that_cannot_be_written_is_refused_before_simulating(tmp_path, capsys, monkeypatch, where):
    simulated = []
    monkeypatch.setattr("simulator.commands.run.run_job", lambda job: simulated.append(job))
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "r" if where == "under_a_file" else "/sys/simulator-test/r"  # sysfs: read-only
    assert _run("--out", str(out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot be created or written" in err and str(out) in err
    assert simulated == [] and _listing(tmp_path) == ["file"]


# --- the fault hook's handshake (issue 17): the handler is in place before the marker is printed ---------

MARKER = "simulator: paused at written"


class _Stderr:
    """A stderr that calls ``on_marker`` the moment the pause marker is written: inside ``print``, before
    the hook can wait (the moment a test that signals on the marker can hit)."""

    def __init__(self, on_marker):
        self.on_marker, self.text = on_marker, ""

    def write(self, text):
        before, self.text = self.text, self.text + text
        if MARKER in self.text and MARKER not in before:  # once (print writes the newline apart)
            self.on_marker()
        return len(text)

    def flush(self):
        pass


def _pause_with(monkeypatch, on_marker) -> None:
    monkeypatch.setenv(writer.PAUSE_ENV, "written")
    monkeypatch.setattr(sys, "stderr", _Stderr(on_marker))
    writer.pause("written")


@pytest.fixture
def watchdog():
    """A second signal if the hook has missed the first (what the old hook needed: it waited for ever),
    sent long after any correct wait has ended. A test that needed it sees the signal twice and fails."""
    timers = []

    def arm(signum, after_s=60.0):
        timer = threading.Timer(after_s, os.kill, (os.getpid(), signum))
        timer.start()
        timers.append(timer)
    yield arm
    for timer in timers:
        timer.cancel()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_on_the_marker_is_never_lost_while_signals_are_held(monkeypatch, watchdog, signum):
    """The worst moment, every time: the signal lands while the marker is being printed. Under
    _deferred_signals (the "written" and "committed" stages) the hook returns and the signal is noted
    once; the handlers in force before are back."""
    for _ in range(50):
        with writer._deferred_signals() as caught:
            held = signal.getsignal(signum)
            watchdog(signum)
            _pause_with(monkeypatch, lambda: os.kill(os.getpid(), signum))
            assert caught == [signum], "the hook missed the signal sent on its marker and waited for another"
            assert signal.getsignal(signum) is held


def test_a_signal_from_another_thread_on_the_marker_is_never_lost(monkeypatch, watchdog):
    """The same from a thread that signals as soon as it sees the marker, as a test process does: 200
    times, in process, with whatever timing the threads fall into."""
    for k in range(200):
        signum = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)[k % 3]
        printed = threading.Event()
        sender = threading.Thread(target=lambda: printed.wait() and os.kill(os.getpid(), signum))
        sender.start()
        with writer._deferred_signals() as caught:
            watchdog(signum)
            _pause_with(monkeypatch, printed.set)
        sender.join()
        assert caught == [signum], (k, caught)


def test_the_signal_goes_to_the_handler_that_was_in_force(monkeypatch, watchdog):
    """Outside _deferred_signals (the "streaming" stage, under main's handlers) the signal raises
    Interrupted from the hook, as it would have from anywhere else in the run."""
    previous = signal.signal(signal.SIGTERM, writer.raise_interrupted)
    try:
        watchdog(signal.SIGTERM)
        with pytest.raises(writer.Interrupted) as stopped:
            _pause_with(monkeypatch, lambda: os.kill(os.getpid(), signal.SIGTERM))
        assert stopped.value.args == (signal.SIGTERM,)
        assert signal.getsignal(signal.SIGTERM) is writer.raise_interrupted
    finally:
        signal.signal(signal.SIGTERM, previous)


PAUSED_CHILD = """
import signal, sys
from simulator.io import atomic
if sys.argv[1] == "held":
    with atomic._deferred_signals() as caught:
        atomic.pause("written")
    print("caught", *caught, flush=True)
else:  # the default action
    atomic.pause("written")
    print("survived", flush=True)
"""


@pytest.mark.parametrize("how", ["held", "default"])
def test_a_process_signalled_the_moment_it_prints_the_marker_stops(tmp_path, how):
    """A real process, signalled with no delay as soon as its marker line is read (what the fault tests
    do), 20 times: it never waits for a second signal. Held: it notes the signal and goes on; default
    action: it ends by the signal."""
    for k in range(20):
        signum = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)[k % 3]
        if how == "default" and signum == signal.SIGINT:
            continue  # Python's own SIGINT handler raises KeyboardInterrupt: not a default action
        with started([sys.executable, "-c", PAUSED_CHILD, how], env={**os.environ, writer.PAUSE_ENV: "written"},
                     cwd=ROOT) as proc:
            assert wait_for_line(proc, MARKER) == []
            proc.send_signal(signum)
            stdout, _ = finish(proc, f"the paused child to end after {signal.Signals(signum).name}")
            if how == "held":
                assert proc.returncode == 0 and stdout.split() == ["caught", str(int(signum))], stdout
            else:
                assert proc.returncode == -signum and stdout == ""
