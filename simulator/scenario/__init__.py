"""Layer 3, the scenario: TOML files validated by pydantic (one model per section) and their loader
(includes, ``--set`` overrides, one-line errors). Imports the base, kernels' constants and io only."""
