"""Monte Carlo engine for the long-term finances of Region Jämtland Härjedalen.

Layers (kept apart on purpose, as in xclim):
- ``simulator.rng`` and ``simulator.kernels``: numba kernels on plain arrays and NamedTuples, no I/O;
- ``simulator.scenario``: TOML scenario files validated by pydantic;
- ``simulator.drivers`` and ``simulator.engine``: turn a scenario into kernel inputs, run chunks of paths
  (in-process or on dask.distributed) and aggregate months into years;
- ``simulator.results``: xarray Dataset, summary.json, atomic writing;
- ``simulator.cli``: the ``simulator`` command, no logic of its own.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("simulator")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
