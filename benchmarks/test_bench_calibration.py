"""Speed of `simulator calibrate` on long series (issue 12 point 10): reading and every fit, end to end.

Before the likelihoods were made linear, 10 000 monthly rows with an annual tax base over the same
833 years took 51 s (94 s of CPU) and 10^6 annual rows did not finish in 300 s; docs/hardening.md has the
figures after. Run with ``python3 -m pytest benchmarks/test_bench_calibration.py --benchmark-enable``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from simulator.calibration import calibrate, read_data_dir, read_judgment
from tests.conftest import ROOT

JUDGMENT = ROOT / "calibration" / "judgment.toml"


def _ou(n: int, kappa: float, sigma: float, mean: float, dt: float, rng) -> np.ndarray:
    """n exact OU steps of dt years, started from the stationary distribution."""
    from scipy.signal import lfilter

    phi = math.exp(-kappa * dt)
    shocks = rng.standard_normal(n) * sigma * math.sqrt((1 - phi**2) / (2 * kappa))
    shocks[0] = rng.standard_normal() * sigma / math.sqrt(2 * kappa)
    return mean + lfilter([1.0], [1.0, -phi], shocks)


def _write(path: Path, series: str, header: str, rows) -> None:
    path.write_text(f"# series: {series}\n{header}\n" + "\n".join(rows) + "\n")


def monthly_files(folder: Path, n_months: int = 10_000, seed: int = 1) -> Path:
    """Monthly inflation (m/m, seasonally adjusted), short and long rate and equity returns, in percent,
    and the annual tax base over the same years: every estimator on a long series."""
    rng = np.random.default_rng(seed)
    dates = [(1000 + k // 12, k % 12 + 1) for k in range(n_months)]
    infl = np.expm1(_ou(n_months, 1.2, 0.018, math.log(1.02), 1 / 12, rng) / 12) * 100
    rate = _ou(n_months, 0.5, 0.008, 0.025, 1 / 12, rng) * 100
    long = rate + _ou(n_months, 0.4, 0.006, 0.01, 1 / 12, rng) * 100
    equity = np.expm1(rng.normal(0.08 / 12, 0.16 / math.sqrt(12), n_months)) * 100
    for name, series, values in (("kpi", "inflation", infl), ("rate", "short_rate", rate),
                                 ("long", "long_rate", long), ("omx", "equity_sweden", equity)):
        _write(folder / f"{name}.csv", series, "year,month,value",
               (f"{y},{m},{v:.6f}" for (y, m), v in zip(dates, values)))
    years = n_months // 12
    deviation = _ou(12 * years, 0.7, 0.012, 0.0, 1 / 12, rng).reshape(years, 12).mean(axis=1)
    growth = np.expm1(math.log(1.02 * 1.012) + deviation) * 100
    _write(folder / "tax.csv", "tax_base", "year,value", (f"{1000 + k},{v:.4f}" for k, v in enumerate(growth)))
    return folder


def annual_file(folder: Path, n_years: int, seed: int = 2) -> Path:
    """Dec/Dec inflation as the model makes it: ln(1 + a_Y) is the year's average of the monthly OU."""
    rng = np.random.default_rng(seed)
    states = _ou(12 * n_years, 1.2, 0.02, math.log(1.02), 1 / 12, rng)
    values = np.expm1(states.reshape(n_years, 12).mean(axis=1)) * 100
    _write(folder / "kpi.csv", "inflation", "year,value", (f"{1000 + k},{v:.4f}" for k, v in enumerate(values)))
    return folder


def _calibrate(folder: Path):
    leaves, options = read_judgment(JUDGMENT)
    return calibrate(read_data_dir(folder), leaves, options)


@pytest.fixture(scope="module")
def judgment_compiled():
    _calibrate(ROOT / "calibration" / "data")  # compile the likelihood outside the timing


def test_calibrate_10k_monthly_rows(benchmark, tmp_path, judgment_compiled):
    folder = monthly_files(tmp_path)
    cal = benchmark.pedantic(_calibrate, args=(folder,), rounds=3, iterations=1)
    for path in ("inflation.mean_reversion_per_year", "short_rate.volatility_pa", "term_spread.long_run_pa",
                 "tax_base.mean_reversion_per_year"):
        assert cal.estimates[path].source == "fitted", path


def test_calibrate_100k_annual_rows(benchmark, tmp_path, judgment_compiled):
    folder = annual_file(tmp_path, 100_000)
    cal = benchmark.pedantic(_calibrate, args=(folder,), rounds=1, iterations=1)
    kappa = cal.estimates["inflation.mean_reversion_per_year"]
    assert kappa.source == "fitted" and abs(kappa.value - 1.2) < 4 * kappa.se, (kappa.value, kappa.se)
