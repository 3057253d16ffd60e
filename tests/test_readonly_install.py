"""Issue 12 point 8: installed where the package folder is read-only (a shared site-packages, a cluster
image) and the home folder too, numba cannot cache next to the sources nor in ~/.cache; `run` must
still succeed, with the cache in a writable folder (or none).

The package is copied into a temporary folder that is then made read-only for real: as an unprivileged
user by chmod; as root (whom chmod does not stop) by a read-only bind mount in a private mount namespace
(``unshare -m``). Where neither is possible the test is skipped and says why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, full_only, run_command


def _read_only_runner(tree: Path) -> list[str] | None:
    """A command prefix that runs its argument with ``tree`` read-only, or None."""
    if os.geteuid() != 0:
        for p in [tree, *tree.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    probe = run_command(
        [unshare, "-m", "sh", "-c", f'mount --bind "{tree}" "{tree}" && mount -o remount,ro,bind "{tree}" '
         f'"{tree}" && ! touch "{tree}/probe" 2>/dev/null'], "the read-only probe to exit")
    if probe.returncode != 0:
        return None
    return [unshare, "-m", "sh", "-c",
            f'mount --bind "{tree}" "{tree}" && mount -o remount,ro,bind "{tree}" "{tree}" && exec "$@"', "sh"]


@pytest.fixture
def read_only_install():
    top = Path(tempfile.mkdtemp(prefix="simulator-ro-"))
    try:
        tree = top / "install"
        shutil.copytree(ROOT / "simulator", tree / "simulator", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "scenarios", tree / "scenarios")
        (tree / "calibration").mkdir()
        shutil.copy(ROOT / "calibration" / "economy.toml", tree / "calibration")
        (tree / "home").mkdir()  # the user's home, read-only with the rest
        work = top / "work"
        (work / "tmp").mkdir(parents=True)
        runner = _read_only_runner(tree)
        if runner is None:
            pytest.skip("cannot make a folder read-only here: running as root without a private mount "
                        "namespace (unshare -m) to bind-mount it read-only")
        yield tree, work, runner
    finally:
        for p in [top, *top.rglob("*")]:
            if not p.is_symlink():
                p.chmod(p.stat().st_mode | 0o700)
        shutil.rmtree(top)


def _run(tree: Path, work: Path, runner: list[str], **env_changes: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "XDG_"))}
    env.update(PYTHONPATH=str(tree), HOME=str(tree / "home"), TMPDIR=str(work / "tmp"))
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    code = ("import sys, simulator; assert simulator.__file__.startswith(sys.argv[1]), simulator.__file__; "
            "from simulator.cli import main; main(sys.argv[2:])")
    return run_command([*runner, sys.executable, "-c", code, str(tree), "run", str(tree / "scenarios" / "base.toml"),
                        "--paths", "20", "--out", str(work / "out")], "the run from the read-only install to exit",
                       limit_s=600, cwd=work, env=env)


def test_run_caches_in_a_writable_folder_when_the_install_is_read_only(read_only_install):
    tree, work, runner = read_only_install
    proc = _run(tree, work, runner)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and (work / "out" / "summary.json").exists()
    assert not list(tree.rglob("*.nbi")), "nothing can have been cached inside the read-only install"
    cached = list((work / "tmp" / f"simulator-numba-{os.getuid()}").rglob("*.nbi"))
    assert cached, "the compiled kernels are cached in <tmp>/simulator-numba-<uid>"


@full_only("a third compile of every kernel (~25 s); test_writer's unwritable cache covers a run without one")
def test_run_compiles_without_a_cache_when_nothing_is_writable(read_only_install):
    tree, work, runner = read_only_install
    proc = _run(tree, work, runner, TMPDIR=str(tree / "home"), XDG_CACHE_HOME=str(tree / "home"))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and (work / "out" / "summary.json").exists()
    assert not list(tree.rglob("*.nbi")) and not list((work / "tmp").rglob("*.nbi"))
