"""Every case of cases.py through the `simulator` command in a fresh process, with a timeout (a hang is a
failure, not a stuck test run): the exit code; for a refusal exactly one line on stderr, ``error: ...``
with the file and the field; never a traceback; and nothing written under ``out``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tests.hostile.cases import CASES, Case

#: Longer than any case takes (the slowest, a capped --workers run, takes ~10 s); a hang ends here.
TIMEOUT_S = 120


PARAMS = [pytest.param(case, id=case.id,
                       marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [])
          for case in CASES]


@pytest.mark.parametrize("case", PARAMS)
def test_hostile_input(case: Case, tmp_path: Path):
    argv = case.make(tmp_path)
    out = tmp_path / "out"
    before = snapshot(out)
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_NUM_THREADS"}
    env.update(case.env)
    try:
        proc = subprocess.run([sys.executable, "-m", "simulator", *argv], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung: no exit within {TIMEOUT_S} s")
    says = [w.replace("{tmp}", str(tmp_path)) for w in case.says]
    printed = proc.stdout + proc.stderr
    assert "Traceback" not in printed, printed
    assert proc.returncode == case.code, printed
    if case.warns:
        lines = [line for line in printed.splitlines() if all(w in line for w in says)]
        assert lines, (says, printed)
        return
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: "), proc.stderr
    for word in says:
        assert word in proc.stderr, (word, proc.stderr)
    assert snapshot(out) == before, "something was written under --out"
