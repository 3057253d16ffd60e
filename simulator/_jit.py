"""The one place where numba flags are set.

Every kernel is written as a plain Python function and compiled here, so ``NUMBA_DISABLE_JIT=1`` runs
the very same code in the interpreter (the reproducibility tests compare the two bit for bit).
``cache=True`` writes the compiled code next to the sources, so dask worker processes and later runs
load it instead of compiling again. ``error_model="numpy"`` makes a division by zero give inf/nan as
numpy does rather than raise inside a parallel loop; the kernels avoid such divisions anyway.
"""

import numba

_FLAGS = dict(cache=True, nogil=True, error_model="numpy")


def jit(fn):
    """Compile a serial kernel (the pure-Python original stays reachable as ``.py_func``)."""
    return numba.njit(**_FLAGS)(fn)


def jit_parallel(fn):
    """Compile a kernel whose outer ``numba.prange`` loop runs over paths on all threads."""
    return numba.njit(parallel=True, **_FLAGS)(fn)
