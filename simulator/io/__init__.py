"""Layer 2, files: safe reading of input files, the atomic writer (staging directory, lock, rename),
the Zarr result store. Knows nothing of the model; imports only the base."""
