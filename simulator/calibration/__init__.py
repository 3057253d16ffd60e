"""Layer 5, calibration: the economic drivers fitted to historical series (estimators, the data files,
the judgment, the run, the TOML it writes) and the budget-deviation record. Imports the scenario
(to validate what it writes), io, the kernels and the base."""
