"""Property tests: no NaN or inf for any parameter set the scenario validation accepts."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.model.drivers import economy_inputs, simulate_drivers
from simulator.model.simulate import model_inputs, simulate_chunk
from simulator.scenario.loader import parse_scenario
from tests.conftest import base_dict, set_in

prob = st.floats(0.0, 1.0)
vol = st.floats(0.0, 2.0)
level = st.floats(-0.5, 1.0)
kappa = st.floats(0.0, 50.0)
drift = st.floats(-3.0, 3.0)
passthrough = st.floats(0.0, 2.0)
rate_vol = st.floats(0.0, 0.2)

FIELDS = {
    "economy.inflation.initial_pa": level,
    "economy.inflation.target_pa": level,
    "economy.inflation.mean_reversion_per_year": kappa,
    "economy.inflation.volatility_pa": rate_vol,
    "economy.inflation.shock_regime.mean_pa": level,
    "economy.inflation.shock_regime.entry_probability_per_month": prob,
    "economy.inflation.shock_regime.exit_probability_per_month": prob,
    "economy.short_rate.initial_pa": level,
    "economy.short_rate.real_long_run_pa": level,
    "economy.short_rate.inflation_pass_through": passthrough,
    "economy.short_rate.mean_reversion_per_year": kappa,
    "economy.short_rate.volatility_pa": rate_vol,
    "economy.term_spread.volatility_pa": rate_vol,
    "economy.term_spread.mean_reversion_per_year": kappa,
    "economy.equity.calm.sweden_log_drift_pa": drift,
    "economy.equity.calm.sweden_volatility_pa": vol,
    "economy.equity.crash.global_log_drift_pa": drift,
    "economy.equity.crash.global_volatility_pa": vol,
    "economy.equity.crash_entry_probability_per_month": prob,
    "economy.equity.crash_exit_probability_per_month": prob,
    "economy.equity.sweden_weight_frac": prob,
    "economy.tax_base.real_long_run_growth_pa": level,
    "economy.tax_base.inflation_pass_through": passthrough,
    "economy.tax_base.mean_reversion_per_year": kappa,
    "economy.tax_base.volatility_pa": rate_vol,
    "economy.inflation.lag_months": st.floats(0.0, 60.0),
    "economy.wage.real_growth_pa": level,
    "economy.wage.inflation_pass_through": passthrough,
    "economy.wage.mean_reversion_per_year": kappa,
    "economy.wage.volatility_pa": rate_vol,
    "accounts.budget_deviation.mean_frac": st.floats(-1.0, 1.0),
    "accounts.budget_deviation.volatility_frac": st.floats(0.0, 0.5),
    "accounts.budget_deviation.persistence": st.floats(0.0, 0.99),
    "policy.reaction.strength_frac": prob,
    "policy.reaction.symmetric.enabled": st.booleans(),
}


@st.composite
def scenarios(draw):
    data = set_in(base_dict(), "simulation.end_year", draw(st.sampled_from([2027, 2040, 2070])))
    data["goals"] = {}  # the base goals name years up to 2040
    for field, strategy in FIELDS.items():
        data = set_in(data, field, draw(strategy))
    rho = draw(st.floats(-1.0, 1.0))  # a perfectly correlated pair makes the matrix singular
    m = np.eye(7)
    m[3, 4] = m[4, 3] = rho
    data = set_in(data, "economy.correlation.matrix", m.tolist())
    return parse_scenario(data, "hypothesis")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**64 - 1))
def test_every_valid_scenario_gives_finite_numbers(scenario, seed):
    monthly, annual = simulate_drivers(economy_inputs(scenario), seed, 0, 50)
    for name, values in {**monthly, **annual}.items():
        assert np.all(np.isfinite(values)), name
    assert np.all(annual["prisbasbelopp_sek"] >= 0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**64 - 1))
def test_accounts_stay_finite_for_any_valid_economy(scenario, seed):
    out, share, _ = simulate_chunk(model_inputs(scenario), seed, 0, 30, True, False)
    for name in out.dtype.names:
        assert np.all(np.isfinite(out[name])), name
    assert np.all(np.isfinite(share))
