"""Values that make the accounts meaningless are refused before anything runs (issue 22 point 3), and a
run whose numbers are not all finite never writes a result."""

from __future__ import annotations

import pytest

import simulator.commands.run as run_command
from simulator.cli import main
from tests.conftest import BASE_TOML


def _main(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return exc.value.code, capsys.readouterr().err


@pytest.mark.parametrize("table, field", [
    ("[accounts.plan]\noperating_costs_msek = [0, 6776, 6776]", "accounts.plan.operating_costs_msek[0]"),
    ("[accounts.opening]\ntax_base_msek = 0", "accounts.opening.tax_base_msek"),
    ("[accounts.costs.personnel]\nopening_amount_msek = 0\n[accounts.costs.pensions]\nopening_amount_msek = 0\n"
     "[accounts.costs.purchased_care]\nopening_amount_msek = 0\n[accounts.costs.drugs]\nopening_amount_msek = 0\n"
     "[accounts.costs.other]\nopening_amount_msek = 0", "accounts.costs"),
])
def test_a_zero_where_an_amount_belongs_is_refused_naming_the_field(tmp_path, capsys, table, field):
    scenario = tmp_path / "s.toml"
    scenario.write_text(f'include = ["{BASE_TOML}"]\n{table}\n')
    code, err = _main(["run", str(scenario), "--paths", "5", "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and f": {field}" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_run_with_non_finite_numbers_writes_nothing(tmp_path, capsys, monkeypatch):
    built = run_command.build_summary

    def with_a_hole(*args, **kwargs):  # as if a path had produced a NaN in one year
        summary = built(*args, **kwargs)
        summary["percentiles"]["result_msek"]["mean"][3] = None
        return summary

    monkeypatch.setattr(run_command, "build_summary", with_a_hole)
    code, err = _main(["run", str(BASE_TOML), "--paths", "5", "--no-assumptions", "--out", str(tmp_path / "out")],
                      capsys)
    assert code == 2 and "non-finite values (result_msek in 2028)" in err and "nothing was written" in err
    assert not (tmp_path / "out").exists()
