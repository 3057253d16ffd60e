"""Monte Carlo engine for the long-term finances of Region Jämtland Härjedalen.

Layers (kept apart on purpose, as in xclim):
- ``simulator.kernels.rng`` and ``simulator.kernels``: numba kernels on plain arrays and NamedTuples, no I/O;
- ``simulator.scenario.schema``: TOML scenario files validated by pydantic;
- ``simulator.model.drivers`` and ``simulator.run.engine``: turn a scenario into kernel inputs, run chunks of paths
  (in-process or on dask.distributed) and aggregate months into years;
- ``simulator.run.summary``: xarray Dataset, summary.json, atomic writing;
- ``simulator.cli``: the ``simulator`` command, no logic of its own.
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
