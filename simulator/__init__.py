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
from importlib.metadata import PackageNotFoundError, version

from simulator.errors import InputError

try:
    __version__ = version("simulator")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.1.0"

__all__ = ["__version__", "NumbaSettingError", "check_numba_environment"]


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
