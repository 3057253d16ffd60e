"""Monte Carlo engine for the long-term finances of Region Jämtland Härjedalen.

Layers, bottom to top; a module imports its own layer and those below it, never one above
(tests/test_layers.py checks every import, function-level ones included):

0. ``simulator`` (this module), ``errors``, ``i18n``, ``variables``: exit codes, labels, output names;
1. ``kernels``: numba kernels on plain arrays and records, one module per rule, no I/O;
2. ``io``: reading input safely, the atomic writer, the Zarr store, summary.json;
3. ``scenario``: the TOML schema by section and its loader;
4. ``model``: the scenario as kernel inputs (one table per record), one chunk of paths, goals on paths;
5. ``calibration``: the drivers fitted to history;
6. ``run``: chunks here or on dask, the streamed run and its exact summary;
7. ``whatif``: variants on common random numbers, sweeps, comparisons, the solver;
8. ``report``: HTML, PDF, workbook and terminal tables;
9. ``commands``: what each command does;
10. ``cli``: the ``simulator`` command, no logic of its own.
"""

import os
import subprocess
import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from simulator.errors import InputError

#: the source tree's root when the package runs from one (an editable install, a checkout)
SOURCE_ROOT = Path(__file__).resolve().parent.parent


def _version() -> str:
    """The version a result records: pyproject.toml's in a source tree (so a bump counts at once, with no
    reinstall), else the installed package's. CHANGELOG.md says what each version moved."""
    pyproject = SOURCE_ROOT / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        if project.get("name") == "simulator" and isinstance(project.get("version"), str):
            return project["version"]
    except (OSError, tomllib.TOMLDecodeError):
        pass
    try:
        return version("simulator")
    except PackageNotFoundError:
        return "unknown"


__version__ = _version()


@cache
def code_revision() -> str | None:
    """The code's commit as ``git describe --always --dirty`` gives it, when the package runs from a git
    checkout (None elsewhere): beside the version in every result's provenance, so a result can be cited."""
    if not (SOURCE_ROOT / ".git").exists():
        return None
    try:
        done = subprocess.run(["git", "-C", str(SOURCE_ROOT), "describe", "--always", "--dirty", "--tags"],
                              capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = done.stdout.strip()
    return text if done.returncode == 0 and text else None


__all__ = ["__version__", "code_revision", "NumbaSettingError", "check_numba_environment"]


class NumbaSettingError(InputError, ValueError):
    """An environment variable numba reads holds a value it cannot use: one line, exit 2."""


def check_numba_environment(environ=os.environ) -> None:
    """Refuse a ``NUMBA_NUM_THREADS`` numba cannot use, before numba reads it: ``0`` makes its import
    fail with a traceback and ``abc`` is silently replaced by the number of CPUs. Lives here, free of
    numba, so the command can check before anything imports numba."""
    raw = environ.get("NUMBA_NUM_THREADS")
    if raw is None or raw.strip() == "":
        return
    try:
        threads = int(raw.strip())
    except ValueError:
        threads = None
    if threads is None or threads < 1:
        raise NumbaSettingError(f"NUMBA_NUM_THREADS: {raw!r} is not a number of threads (allowed: a whole "
                                "number >= 1, or unset for one thread per CPU)")
