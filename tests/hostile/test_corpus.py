"""Every case of cases.py through the `simulator` command, with a time limit (a hang is a failure, not a
stuck test run): the exit code; for a refusal exactly one line on stderr, ``error: ...`` with the file
and the field; never a traceback; and nothing written under ``out``.

Each case runs in process (``simulator.cli.main``, as the command's entry point calls it, stdout and
stderr captured, the warnings a fresh interpreter would print added to stderr) unless it needs an
interpreter of its own (``Case.process``, or an ``env`` that numba reads once at import): those run in a
fresh process. The process boundary itself (the interpreter's exit code, what reaches the real stderr)
is checked by running cases again in a fresh process: every case with ``SIMULATOR_TESTS=full``, a
seeded sample of them (every group of cases.py, every exit code) by default (tests/README.md)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import warnings
from pathlib import Path

import pytest

from simulator.cli import main
from tests.conftest import run_command, sample, snapshot
from tests.hostile import cases as corpus
from tests.hostile.cases import CASES, Case

#: Longer than any case takes (the slowest, a capped --workers run, takes ~10 s idle); a hang ends here.
TIMEOUT_S = 300
#: What a fresh interpreter does not show (Python's default warning filters): not added to stderr.
HIDDEN = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)
GROUP = {case.id: name for name in ("READING", "TYPES", "MEANINGLESS", "EXISTING_SCENARIO", "RUN", "CALIBRATE",
                                    "EXISTING_CALIBRATE", "WHATIF") for case in getattr(corpus, name)}


def _params(cases: list[Case]) -> list:
    return [pytest.param(case, id=case.id,
                         marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [])
            for case in cases]


def _own_process(case: Case) -> bool:
    return bool(case.process or case.env)


class Hung(BaseException):
    """The in-process command ran past TIMEOUT_S (a BaseException: main's handlers do not catch it)."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """SIGALRM after ``seconds`` raises Hung in the command (a read that blocks is interrupted by it)."""
    def expire(signum, frame):
        raise Hung
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _in_process(argv: list[str], capsys) -> tuple[int, str, str]:
    """``simulator ARGV`` through main in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()  # what making the inputs printed
    with warnings.catch_warnings(record=True) as caught:  # the filters in force (pytest.ini's errors too)
        try:
            with _time_limit(TIMEOUT_S):
                main(argv)
            code = 0
        except SystemExit as exc:
            code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
        except Hung:
            pytest.fail(f"hung: no exit within {TIMEOUT_S} s", pytrace=False)
        except BaseException as exc:  # in a fresh process: a traceback
            pytest.fail(f"Traceback: {exc.__class__.__name__} escaped main: {exc}", pytrace=False)
    out = capsys.readouterr()
    shown = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line)
                    for w in caught if not issubclass(w.category, HIDDEN))
    return code, out.out, out.err + shown


def _fresh_process(case: Case, argv: list[str], tmp_path: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_NUM_THREADS"}
    env.update(case.env)
    done = run_command([sys.executable, "-m", "simulator", *argv], f"`simulator {argv[0]}` on {case.id} to exit "
                       "(a hang)", limit_s=TIMEOUT_S, cwd=tmp_path, env=env)
    return done.returncode, done.stdout, done.stderr


def _check(case: Case, tmp_path: Path, code: int, stdout: str, stderr: str, before) -> None:
    says = [w.replace("{tmp}", str(tmp_path)) for w in case.says]
    printed = stdout + stderr
    assert "Traceback" not in printed, printed
    assert code == case.code, printed
    if case.warns:
        lines = [line for line in printed.splitlines() if all(w in line for w in says)]
        assert lines, (says, printed)
        return
    assert stderr.count("\n") == 1 and stderr.startswith("error: "), stderr
    for word in says:
        assert word in stderr, (word, stderr)
    assert snapshot(tmp_path / "out") == before, "something was written under --out"


@pytest.mark.parametrize("case", _params(CASES))
def test_hostile_input(case: Case, tmp_path: Path, capsys, monkeypatch):
    argv = case.make(tmp_path)
    before = snapshot(tmp_path / "out")
    if _own_process(case):
        code, stdout, stderr = _fresh_process(case, argv, tmp_path)
    else:
        monkeypatch.chdir(tmp_path)  # as the command is run from tmp
        code, stdout, stderr = _in_process(argv, capsys)
    _check(case, tmp_path, code, stdout, stderr, before)


#: The in-process cases, again in a fresh interpreter: all in full mode; in ci mode a seeded sample with
#: every group of cases.py and every exit code, 10 % in all.
FRESH = sample("hostile corpus, again in a fresh process", [c for c in CASES if not _own_process(c)],
               ident=lambda c: c.id, keys=(lambda c: GROUP[c.id], lambda c: c.code), fraction=0.10)


@pytest.mark.parametrize("case", _params(FRESH))
def test_hostile_input_in_a_fresh_process(case: Case, tmp_path: Path):
    argv = case.make(tmp_path)
    before = snapshot(tmp_path / "out")
    code, stdout, stderr = _fresh_process(case, argv, tmp_path)
    _check(case, tmp_path, code, stdout, stderr, before)
