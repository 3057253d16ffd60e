"""Layer 5, calibration: the economic drivers fitted to historical series (estimators, the data files,
the judgment, the run, the TOML it writes) and the budget-deviation record. Imports the scenario
(to validate what it writes), io, the kernels and the base."""

from simulator.calibration.data import CalibrationInputError, read_data_dir
from simulator.calibration.fit import calibrate
from simulator.calibration.judgment import read_judgment
from simulator.calibration.render import render_table, render_toml

__all__ = ["CalibrationInputError", "calibrate", "read_data_dir", "read_judgment", "render_table", "render_toml"]
