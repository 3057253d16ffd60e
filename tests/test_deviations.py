"""The budget-deviation fit: the record read strictly, the estimator against a hand computation."""

import math

import numpy as np
import pytest
from scipy.optimize import minimize

from simulator.calibration.data import CalibrationInputError
from simulator.calibration.deviations import find_record, fit_record, read_persistence
from tests.conftest import ROOT

RECORD = ROOT / "calibration" / "data" / "budget_deviation_record.csv"
JUDGMENT = ROOT / "calibration" / "judgment.toml"
#: the record by hand (the CSV's rows): outcome minus budget plus the adjustment, over taxes and grants
SHARES = {2020: 223 / 4683, 2021: 289 / 4896, 2023: (-563.1 + 164.0) / 5408, 2024: -399.6 / 5691}


def test_the_shipped_record_is_found_and_read():
    assert find_record(ROOT / "calibration" / "data") == RECORD
    fit = fit_record(RECORD, 0.0)
    assert fit.years == [2020, 2021, 2023, 2024]
    np.testing.assert_allclose(fit.shares, list(SHARES.values()), rtol=1e-12)


def test_without_persistence_the_fit_is_the_sample_mean_and_sd():
    x = np.array(list(SHARES.values()))
    fit = fit_record(RECORD, 0.0)
    assert fit.mean == pytest.approx(x.mean(), rel=1e-12)  # -0.93 %
    assert fit.sd == pytest.approx(x.std(ddof=1), rel=1e-12)  # 7.25 %
    assert fit.se_mean == pytest.approx(x.std(ddof=1) / 2, rel=1e-12)
    assert fit.se_sd == pytest.approx(x.std(ddof=1) / math.sqrt(6), rel=1e-12)


def test_with_persistence_the_mean_maximises_the_correlated_likelihood():
    years = np.array(list(SHARES), dtype=float)
    x = np.array(list(SHARES.values()))
    phi = 0.8
    corr = phi ** np.abs(years[:, None] - years[None, :])

    def nll(theta):  # the Gaussian likelihood of the four years, corr(L_s, L_t) = phi^|s-t|
        mean, log_sd = theta
        cov = np.exp(2 * log_sd) * corr
        r = x - mean
        return 0.5 * (np.linalg.slogdet(cov)[1] + r @ np.linalg.solve(cov, r))

    best = minimize(nll, [0.0, math.log(0.07)], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14})
    fit = fit_record(RECORD, phi)
    assert fit.mean == pytest.approx(best.x[0], abs=1e-6)
    # the maximum-likelihood sd divides by n, the fit by n - 1
    assert fit.sd * math.sqrt(3 / 4) == pytest.approx(math.exp(best.x[1]), rel=1e-5)
    # correlated years carry less information: a larger sd and a less certain mean than the sample's
    independent = fit_record(RECORD, 0.0)
    assert fit.sd > independent.sd and fit.se_mean > independent.se_mean


def test_the_persistence_comes_from_the_judgment_file(tmp_path):
    value, reason = read_persistence(JUDGMENT)
    assert value == 0.8 and "adjacent years" in reason
    bad = tmp_path / "j.toml"
    bad.write_text('[accounts.budget_deviation]\npersistence = { value = 1.5, reason = "x" }\n')
    with pytest.raises(CalibrationInputError, match="persistence.value: must be a number in 0..0.99"):
        read_persistence(bad)


@pytest.mark.parametrize("row, words", [
    ("2025,12,5000,0,x", "outside 1990..2100"),
    ("2019,abc,5000,0,x", "deviation_msek 'abc' is not a number"),
    ("2019,12,-5,0,x", "tax_and_grants_msek must be positive"),
    ("2019,12", "2 fields"),
    ("2020,1,5000,0,x", "appears twice"),
])
def test_a_malformed_record_is_refused_with_its_line(tmp_path, row, words):
    text = RECORD.read_text(encoding="utf-8").rstrip("\n") + "\n" + row.replace("2025", "2150") + "\n"
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalibrationInputError) as exc:
        fit_record(path, 0.8)
    assert words.replace("2025", "2150") in str(exc.value) and "line 11" in str(exc.value), str(exc.value)
