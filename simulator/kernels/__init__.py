"""numba kernels: plain arrays, scalars and NamedTuples in, arrays out; no xarray, pydantic or I/O."""
