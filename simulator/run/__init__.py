"""Layer 6, running: chunks of paths in this process or on dask, the streamed run into the store and
the exact streamed summary, summary.json's content. Imports every layer below it."""
