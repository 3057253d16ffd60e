"""Issue 12 point 7 (and the cache folder of point 8): settings from the environment and the machine.
NUMBA_NUM_THREADS that numba cannot use is refused before numba reads it; --workers is capped to the
CPUs with a warning; an empty --scheduler is refused; the JIT cache falls back to a writable folder."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

import simulator.commands.run
import simulator.kernels.jit as jit_mod
import simulator.run.engine
from simulator import NumbaSettingError, check_numba_environment
from simulator.cli import _cpus, main
from tests.conftest import BASE_TOML, run_command


@pytest.mark.parametrize("raw", ["0", "-2", "abc", "1.5", " "])
def test_numba_threads_that_numba_cannot_use_are_refused(raw):
    if not raw.strip():
        check_numba_environment({"NUMBA_NUM_THREADS": raw})  # blank: as if unset
        return
    with pytest.raises(NumbaSettingError) as exc:
        check_numba_environment({"NUMBA_NUM_THREADS": raw})
    assert str(exc.value) == (f"NUMBA_NUM_THREADS: {raw!r} is not a number of threads (allowed: a whole "
                              "number >= 1, or unset for one thread per CPU)")


def test_numba_threads_that_numba_can_use_pass():
    for raw in ("1", "2", " 64 "):
        check_numba_environment({"NUMBA_NUM_THREADS": raw})
    check_numba_environment({})


@pytest.mark.parametrize("raw", ["0", "abc"])
def test_the_command_refuses_bad_numba_threads_in_one_line(tmp_path, raw):
    # a fresh process: numba reads the variable when it is first imported
    env = dict(os.environ, NUMBA_NUM_THREADS=raw)
    proc = run_command([sys.executable, "-m", "simulator", "run", str(BASE_TOML), "--paths", "5", "--out",
                        str(tmp_path / "out")], "the run to refuse", env=env)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"error: NUMBA_NUM_THREADS: {raw!r}")
    assert "Traceback" not in proc.stderr + proc.stdout and not (tmp_path / "out").exists()


def _workers_given_to_the_engine(monkeypatch, tmp_path, workers: str) -> int:
    seen = {}

    def fake_stream(job, options, progress=None):  # the cap is the command's; the engine is not tested here
        seen["workers"] = options.workers
        raise KeyboardInterrupt

    monkeypatch.setattr(simulator.commands.run, "stream", fake_stream)
    with pytest.raises(SystemExit):
        main(["run", str(BASE_TOML), "--paths", "5", "--workers", workers, "--out", str(tmp_path / "o")])
    return seen["workers"]


def test_more_workers_than_cpus_are_capped_with_a_warning(tmp_path, monkeypatch, capsys):
    cpus = _cpus()
    assert _workers_given_to_the_engine(monkeypatch, tmp_path, "1000") == cpus
    assert capsys.readouterr().err.splitlines()[0] == (
        f"warning: --workers 1000 is more than the {cpus} CPUs here; using {cpus}")


def test_workers_within_the_cpus_are_kept(tmp_path, monkeypatch, capsys):
    assert _workers_given_to_the_engine(monkeypatch, tmp_path, "1") == 1
    assert "warning" not in capsys.readouterr().err


def test_help_states_the_cap(capsys):
    main(["run", "--help"])
    assert "at most one per CPU" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("address", ["", "   "])
def test_an_empty_scheduler_is_refused(tmp_path, capsys, address):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(BASE_TOML), "--paths", "5", "--scheduler", address, "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1
    assert err.startswith("error: simulator run: Invalid value for --scheduler: must be the address of a "
                          "dask scheduler"), err
    assert not (tmp_path / "o").exists()


# --- the JIT cache folder -------------------------------------------------------------------------


def test_cache_stays_numbas_choice_when_the_package_is_writable_or_the_user_chose(monkeypatch, tmp_path):
    monkeypatch.setattr(jit_mod, "_writable", lambda folder: True)
    assert jit_mod.cache_dir({}) == ""
    monkeypatch.setattr(jit_mod, "_writable", lambda folder: False)
    assert jit_mod.cache_dir({"NUMBA_CACHE_DIR": str(tmp_path)}) == ""


def test_cache_falls_back_in_order_to_writable_folders(monkeypatch, tmp_path):
    package = jit_mod._PACKAGE
    writable = {tmp_path / "xdg" / "simulator" / "numba": False, tmp_path / "home" / ".cache" / "simulator" / "numba": True}
    monkeypatch.setattr(jit_mod, "_writable", lambda folder: folder != package / "__pycache__" and writable.get(folder, True))
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}
    assert jit_mod.cache_dir(env) == str(tmp_path / "home" / ".cache" / "simulator" / "numba")
    writable[tmp_path / "xdg" / "simulator" / "numba"] = True
    assert jit_mod.cache_dir(env) == str(tmp_path / "xdg" / "simulator" / "numba")
    monkeypatch.setattr(jit_mod, "_writable", lambda folder: False)
    assert jit_mod.cache_dir(env) is None  # compile without a cache


def test_writable_is_tried_not_assumed(tmp_path):
    assert jit_mod._writable(tmp_path / "new" / "folder") and (tmp_path / "new" / "folder").is_dir()
    (tmp_path / "file").write_text("")
    assert not jit_mod._writable(tmp_path / "file" / "below")
    assert not jit_mod._writable(Path("/proc/no-such-dir"))


def test_the_cache_is_keyed_by_every_kernel_source(tmp_path):
    """numba checks a cached kernel against its own file only: a change in a file it inlines (rng.py into
    model.py) must still reach a new cache folder, or an upgrade runs the old random numbers."""
    package = tmp_path / "kernels"
    shutil.copytree(Path(jit_mod.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = jit_mod.source_key(package)
    assert before == jit_mod.source_key(package)  # the same sources, the same folder
    rng = package / "rng.py"
    rng.write_text(rng.read_text() + "\n# a change in a file the model kernel inlines\n")
    assert jit_mod.source_key(package) != before
    base = str(tmp_path / "cache")
    keyed = jit_mod.keyed_cache(base, before)
    assert keyed == str(tmp_path / "cache" / f"kernels-{before}")
    assert jit_mod.keyed_cache(keyed, before) == keyed  # a child process inherits it as it is
    assert os.environ["NUMBA_CACHE_DIR"].endswith(f"kernels-{jit_mod.source_key()}")  # this process's

