"""Shared fixtures: the base scenario as data, and helpers to derive test scenarios from it; the
processes a test starts (each in a process group of its own, killed whatever the outcome); and the
two tiers of the slow tests (``SIMULATOR_TESTS=ci``, the default, or ``full``: tests/README.md)."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import math
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

import pytest

from simulator.scenario.schema import Scenario
from simulator.scenario.loader import parse_scenario, resolve_scenario_data

ROOT = Path(__file__).resolve().parents[1]
BASE_TOML = ROOT / "scenarios" / "base.toml"


def base_dict() -> dict[str, Any]:
    """The base scenario as data, its ``include`` files resolved as load_scenario does (the calibrated
    economy in calibration/economy.toml, the scenario's own values laid over it)."""
    return copy.deepcopy(resolve_scenario_data(BASE_TOML)[0])


def snapshot(path: Path) -> dict[str, str] | None:
    """What is under ``path``, hidden entries too: relative names and content hashes ("dir" for a
    folder; None when nothing is there). The fault and hostile-input tests compare it before and after."""
    if not (path.exists() or path.is_symlink()):
        return None
    if path.is_file():
        return {".": hashlib.sha256(path.read_bytes()).hexdigest()}
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(path.rglob("*"))}


def set_in(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """Return a deep copy of ``data`` with the dotted field set (created if missing)."""
    out = copy.deepcopy(data)
    node = out
    *parents, leaf = dotted.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value
    return out


def scenario_with(**fields: Any) -> Scenario:
    """The base scenario with fields replaced, given as economy__inflation__volatility_pa=0.0."""
    data = base_dict()
    for key, value in fields.items():
        data = set_in(data, key.replace("__", "."), value)
    return parse_scenario(data, "test")


def no_regimes(**fields: Any) -> Scenario:
    """Base scenario with both regime chains switched off (single-regime OU / lognormal)."""
    return scenario_with(
        economy__inflation__shock_regime__entry_probability_per_month=0.0,
        economy__equity__crash_entry_probability_per_month=0.0,
        **fields,
    )


@pytest.fixture
def base_scenario() -> Scenario:
    return parse_scenario(base_dict(), str(BASE_TOML))


# --------------------------------------------------------------------- the tiers: ci (a sample) or full

MODE_ENV = "SIMULATOR_TESTS"
MODES = ("ci", "full")
MODE = os.environ.get(MODE_ENV, "").strip() or "ci"
FULL = MODE == "full"
#: The sample's seed: the same cases on every run and machine. Change it to draw another sample.
SEED = 17
#: What each sampled tier kept: name -> (kept, of), printed at the end of the run.
SAMPLED: dict[str, tuple[int, int]] = {}

T = TypeVar("T")


def sample(tier: str, items: Iterable[T], ident: Callable[[T], str], keys: tuple[Callable[[T], Any], ...] = (),
           fraction: float = 0.0) -> list[T]:
    """``items`` in full mode; in ci mode a seeded sample of them, in their own order.

    The items are ranked by a hash of the seed, the tier and their id (the same order on every run, and
    an item keeps its rank when others are added). Down that ranking, every item that shows a value of
    one of ``keys`` not yet shown is kept (so every value of every key is in the sample), then more items
    until ``fraction`` of them are kept. A kept case asserts what it asserts in full mode, under the same
    test id."""
    items = list(items)
    if FULL:
        SAMPLED[tier] = (len(items), len(items))
        return items
    ranked = sorted(items, key=lambda it: hashlib.sha256(f"{SEED}:{tier}:{ident(it)}".encode()).hexdigest())
    kept: set[str] = set()
    shown: set[tuple[int, Any]] = set()
    for it in ranked:
        new = {(k, key(it)) for k, key in enumerate(keys)} - shown
        if new:
            kept.add(ident(it))
            shown |= new
    for it in ranked:
        if len(kept) >= math.ceil(fraction * len(items)):
            break
        kept.add(ident(it))
    out = [it for it in items if ident(it) in kept]
    SAMPLED[tier] = (len(out), len(items))
    return out


def full_only(why: str) -> pytest.MarkDecorator:
    """A skip in ci mode that says what the test costs and how to run it."""
    return pytest.mark.skipif(not FULL, reason=f"{why}; ci mode skips it, {MODE_ENV}=full runs it "
                                                "(tests/README.md)")


def pytest_configure(config):
    if MODE not in MODES:
        raise pytest.UsageError(f"{MODE_ENV}={MODE!r}: expected one of {', '.join(MODES)} (tests/README.md)")


def pytest_report_header(config):
    what = ("every case of every tier" if FULL else
            f"a seeded sample of the slow tiers (seed {SEED}); {MODE_ENV}=full runs every case")
    return f"{MODE_ENV}={MODE}: {what}"


def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):  # a pytest-xdist worker: tell the controller
        session.config.workeroutput["sampled"] = {k: list(v) for k, v in SAMPLED.items()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # pytest-xdist's controller: what each worker sampled
    for tier, (kept, of) in getattr(node, "workeroutput", {}).get("sampled", {}).items():
        SAMPLED[tier] = (kept, of)


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def pytest_terminal_summary(terminalreporter):
    if not SAMPLED:
        return
    terminalreporter.section(f"tiers ({MODE_ENV}={MODE})")
    for tier, (kept, of) in sorted(SAMPLED.items()):
        terminalreporter.write_line(f"{tier}: {_count(kept)} of {_count(of)} cases")
    if not FULL:
        terminalreporter.write_line(f"the others run with {MODE_ENV}=full (tests/README.md)")


# --------------------------------------------------------------- processes a test starts, and ends

#: How long a test waits for an event of a process it started (its marker line, its exit) before it
#: fails and says what it waited for: minutes, so a loaded machine never fails a correct program.
LIMIT_S = 300.0


def kill_group(pgid: int) -> None:
    """SIGKILL to every process of the group (the command and every worker it started)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is left (a test may assert that nothing is)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def started(argv: list[str], **popen: Any) -> Iterator[subprocess.Popen]:
    """Start ``argv`` in a process group of its own (a new session); on leaving, whatever the outcome
    (a failed assertion, a time limit, an interrupt), kill the whole group and reap the process, so no
    test leaves a command or its workers behind. stdout and stderr are pipes of text unless given."""
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    popen.setdefault("text", True)
    proc = subprocess.Popen(argv, start_new_session=True, **popen)
    try:
        yield proc
    finally:
        kill_group(proc.pid)
        proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def wait_for_line(proc: subprocess.Popen, line: str, limit_s: float = LIMIT_S, stream=None) -> list[str]:
    """Read the process's stderr (or ``stream``) up to the line ``line`` (its marker), for up to
    ``limit_s``, and return the lines printed before it (on a shared machine, say, dask's "Port 8787 is
    already in use"). Fails, saying what it waited for and what came instead, when the limit passes or
    the process closes the stream first; the caller's ``started`` then kills the process."""
    stream = proc.stderr if stream is None else stream
    before: list[str] = []
    found = threading.Event()

    def read() -> None:
        for text in iter(stream.readline, ""):
            if text.rstrip("\n") == line:
                found.set()
                return
            before.append(text)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(limit_s)
    command = " ".join(map(str, proc.args))
    if reader.is_alive():
        pytest.fail(f"waited {limit_s:.0f} s for the line {line!r} from {command}; it printed "
                    f"{''.join(before)!r}", pytrace=False)
    if not found.is_set():
        pytest.fail(f"{command} ended its output without the line {line!r}; it printed {''.join(before)!r}",
                    pytrace=False)
    return before


def finish(proc: subprocess.Popen, what: str, limit_s: float = LIMIT_S, input: str | None = None
           ) -> tuple[str, str]:
    """Wait for the process to exit (up to ``limit_s``; ``input`` written to its stdin, which is then
    closed) and return its stdout and stderr; past the limit the test fails, saying what it waited for."""
    try:
        return proc.communicate(input, timeout=limit_s)
    except subprocess.TimeoutExpired:
        pytest.fail(f"waited {limit_s:.0f} s for {what}: {' '.join(map(str, proc.args))} did not exit",
                    pytrace=False)


def run_command(argv: list[str], what: str = "", limit_s: float = LIMIT_S, **popen: Any
                ) -> subprocess.CompletedProcess:
    """``subprocess.run`` for a test: the command in a group of its own, ended whatever the outcome, and a
    time limit that fails the test saying what hung."""
    with started(argv, **popen) as proc:
        stdout, stderr = finish(proc, what or "the command to exit", limit_s)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def simulator(*args: str, **popen: Any) -> subprocess.CompletedProcess:
    """``simulator ARGS`` in a fresh interpreter (``python -m simulator``), run as :func:`run_command`."""
    return run_command([sys.executable, "-m", "simulator", *args], f"simulator {' '.join(args[:1])} to exit",
                       **popen)
