"""[known]: observed series the paths take (känt utfall), e.g. the months of the current year already seen.

    [known]
    files = ["known/kpi_2026.csv", "known/policy_rate_2026.csv"]   # relative to the scenario file

Each file is in the calibration data format (simulator.io.series: a ``# series: NAME`` header line, then
``year,value`` or ``year,month,value``, values in percent); simulator.model.known reads them, checks
that the model can take each value, and lays them out for the kernels (simulator.kernels.known).
"""

from __future__ import annotations

from pydantic import Field

from simulator.scenario.base import StrictModel


class Known(StrictModel):
    """Observed series, by their files (paths relative to the scenario file that names them)."""

    files: list[str] = Field(min_length=1, max_length=64)
