"""The one place where numba flags are set.

Every kernel is written as a plain Python function and compiled here, so ``NUMBA_DISABLE_JIT=1`` runs
the very same code in the interpreter (the reproducibility tests compare the two bit for bit).
``cache=True`` writes the compiled code beside the sources (``__pycache__/kernels-<key>``, keyed
by the kernels' sources: :func:`source_key`), so dask worker processes and later runs load it
instead of compiling again, and a changed kernel is never served stale. ``error_model="numpy"`` makes
a division by zero give inf/nan as numpy does rather than raise inside a parallel loop; the kernels
avoid such divisions anyway.

Installed where the package folder is read-only (a shared site-packages, a cluster image), numba cannot
cache next to the sources; its own fallback, ``~/.cache/numba``, fails too where the home folder is
read-only or missing ("cannot cache function ...: no locator available"). :func:`cache_dir` then picks a
writable folder for ``NUMBA_CACHE_DIR``, or none: the kernels compile without a cache, and run.
"""

import errno
import hashlib
import os
import tempfile
from pathlib import Path

from simulator import check_numba_environment

check_numba_environment()  # numba reads NUMBA_NUM_THREADS once, when it is first imported

import numba  # noqa: E402  (after the check, on purpose)

_PACKAGE = Path(__file__).resolve().parent


def _writable(folder: Path) -> bool:
    """Whether files can be created in ``folder`` (made if missing): tried, since os.access ignores
    read-only mounts for root and says nothing of quotas."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
        return True
    except OSError:
        return False


def cache_dir(environ=os.environ) -> str | None:
    """Where numba's cache goes: "" for numba's own choice (``NUMBA_CACHE_DIR`` if the user set it, else
    next to the sources when the package folder is writable); else the first writable of
    ``$XDG_CACHE_HOME/simulator/numba``, ``~/.cache/simulator/numba`` and ``<tmp>/simulator-numba-<uid>``;
    None when there is none (compile without caching)."""
    if environ.get("NUMBA_CACHE_DIR") or _writable(_PACKAGE / "__pycache__"):
        return ""
    candidates = []
    if environ.get("XDG_CACHE_HOME"):
        candidates.append(Path(environ["XDG_CACHE_HOME"]) / "simulator" / "numba")
    if environ.get("HOME"):
        candidates.append(Path(environ["HOME"]) / ".cache" / "simulator" / "numba")
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    candidates.append(Path(tempfile.gettempdir()) / f"simulator-numba-{uid}")
    return next((str(c) for c in candidates if _writable(c)), None)


def source_key(package: Path = _PACKAGE) -> str:
    """A key of the kernels' sources and numba's version. numba checks a cached function against its own
    file only, not the files of the functions it inlines: after an upgrade that changed rng.py, the
    model kernel in model.py would load from the cache with the old random numbers (seen: 0.5.0's normals
    ran as 0.4.0's Box-Muller in a checkout that had run 0.4.0). The cache lives in a folder named by
    this key, so changed sources never meet old compiled code."""
    digest = hashlib.sha256(numba.__version__.encode())
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def keyed_cache(base: str, key: str) -> str:
    """The cache folder for sources of ``key`` under ``base``; a base that is that folder already (a
    worker or child process inherits NUMBA_CACHE_DIR) is kept as it is."""
    name = f"kernels-{key}"
    return base if Path(base).name == name else str(Path(base) / name)


_CACHE = cache_dir()
if _CACHE is not None:
    # numba reads the folder when a function is first cached, and dask workers inherit the environment
    _CACHE = keyed_cache(_CACHE or os.environ.get("NUMBA_CACHE_DIR") or str(_PACKAGE / "__pycache__"), source_key())
    os.environ["NUMBA_CACHE_DIR"] = _CACHE
    numba.config.CACHE_DIR = _CACHE

_FLAGS = dict(cache=_CACHE is not None, nogil=True, error_model="numpy")


def _save_or_skip(save):
    """numba's cache write, made optional: on a full disk or under a file-size limit (ENOSPC, EFBIG,
    EDQUOT) a kernel that cannot be cached still runs, compiled in memory, instead of failing the run
    (numba removes its own temporary file)."""
    def save_overload(self, sig, data):
        try:
            save(self, sig, data)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EACCES):
                raise
    return save_overload


from numba.core import caching  # noqa: E402

caching.Cache.save_overload = _save_or_skip(caching.Cache.save_overload)


def jit(fn):
    """Compile a serial kernel (the pure-Python original stays reachable as ``.py_func``)."""
    return numba.njit(**_FLAGS)(fn)


def jit_parallel(fn):
    """Compile a kernel whose outer ``numba.prange`` loop runs over paths on all threads."""
    return numba.njit(parallel=True, **_FLAGS)(fn)
