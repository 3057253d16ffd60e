"""One vocabulary from TOML to kernel: every scenario field reaches a record field through one table row
(simulator.model.parameters), every record field is filled by exactly one row, and a field that copies a
scenario value carries that value's name and unit."""

import typing

import numpy as np
import pytest
from pydantic import BaseModel

from simulator.kernels.records import ECONOMY_PARAMS, PARAMS
from simulator.model.parameters import (
    ACCOUNTS_ROWS, ECONOMY_ROWS, PERTURBATION_FIELDS, READ_ELSEWHERE, accounts_params, economy_params, same,
    value_at,
)
from simulator.scenario.schema import Scenario

#: how a record field's name ends: the unit or the kind of value it holds
SUFFIXES = ("_msek", "_sek", "_kr", "_frac", "_pa", "_per_month", "_months", "_years", "_year", "_weight",
            "_through", "_persistence", "_pct", "_index", "_enabled", "_deficit", "_target", "_ceiling",
            "_deposits", "_savings", "_tax", "_first", "_policy", "_order", "_factor", "_scale", "_deficits")


def _model_of(annotation) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def leaves(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every leaf field of a scenario model by its dotted path (a dict, list or value is a leaf)."""
    out = []
    for name, field in model.model_fields.items():
        sub = _model_of(field.annotation)
        path = f"{prefix}{name}"
        out += leaves(sub, path + ".") if sub is not None else [path]
    return out


def _covered(path: str, sources: set[str]) -> bool:
    """A leaf is read when a row reads it or a table above it (``accounts.savings_programme``)."""
    parts = path.split(".")
    return any(".".join(parts[:k]) in sources for k in range(1, len(parts) + 1))


def test_every_scenario_field_reaches_a_record_field():
    sources = {s for row in ECONOMY_ROWS + ACCOUNTS_ROWS for s in row.sources} | set(READ_ELSEWHERE)
    missing = [p for p in leaves(Scenario) if not _covered(p, sources)]
    assert missing == [], f"scenario fields no table row reads: {missing}"


def test_every_row_names_a_scenario_field():
    known = set(leaves(Scenario))
    for row in ECONOMY_ROWS + ACCOUNTS_ROWS:
        for source in row.sources:
            assert source in known or any(k.startswith(source + ".") for k in known), (row.fields, source)


@pytest.mark.parametrize("dtype, rows, extra", [(ECONOMY_PARAMS, ECONOMY_ROWS, ()),
                                                (PARAMS, ACCOUNTS_ROWS, PERTURBATION_FIELDS)])
def test_every_record_field_is_filled_by_exactly_one_row(dtype, rows, extra):
    filled = [f for row in rows for f in row.fields] + list(extra)
    assert sorted(filled) == sorted(dtype.names), (
        f"filled twice: {sorted({f for f in filled if filled.count(f) > 1})}; "
        f"never filled: {sorted(set(dtype.names) - set(filled))}; unknown: {sorted(set(filled) - set(dtype.names))}")


def test_a_copied_value_keeps_its_name_and_unit():
    copies = [row for row in ECONOMY_ROWS + ACCOUNTS_ROWS if row.convert is same]
    assert len(copies) > 80
    for row in copies:
        assert row.fields[0].endswith(row.sources[0].rsplit(".", 1)[-1]), (row.fields[0], row.sources[0])


@pytest.mark.parametrize("dtype", [ECONOMY_PARAMS, PARAMS])
def test_every_record_field_says_its_unit_or_kind(dtype):
    counts = {"n_years", "n_plan_years", "start_year", "n_opening_deficits", "correlation_factor"}
    vague = [n for n in dtype.names if n not in counts and not n.endswith(SUFFIXES)]
    assert vague == []


def test_the_table_fills_the_values_the_scenario_states(base_scenario):
    base = base_scenario
    """A hand check of a few rows: copies, a percent, a log rate, an OU step and the opening high."""
    r = accounts_params(base)[0]
    assert r["reaction_strength_frac"] == base.policy.reaction.strength_frac
    assert r["window_months"] == base.pension.risk_rule.window_months == 24
    assert r["equity_cap_frac"] == base.pension.risk_rule.equity_cap_frac == 0.8
    assert r["reaction_savings_max_per_year_frac"] == base.policy.reaction.savings.max_per_year_pct / 100
    # the opening margin 18.9 % (AR 2024) at protection 0.8: H = (1 - 0.189) / 0.8 of the unit index
    assert r["opening_high_index"] == pytest.approx((1 - 0.189) / 0.8)
    assert r["n_plan_years"] == len(base.accounts.plan.years)
    np.testing.assert_array_equal(r["plan_operating_costs_msek"][:3], base.accounts.plan.operating_costs_msek)
    e = economy_params(base)[0]
    assert e["inflation_target_log_pa"] == pytest.approx(np.log(1.02))
    kappa = base.economy.inflation.mean_reversion_per_year
    assert e["inflation_decay_per_month"] == pytest.approx(np.exp(-kappa / 12))
    assert value_at(base, "policy.reaction.strength_frac") == base.policy.reaction.strength_frac
