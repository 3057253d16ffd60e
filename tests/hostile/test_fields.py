"""The generated corpus (fields.py): every field of the base scenario given a value of the wrong TOML
type, a value that is not finite or beyond any range, and every table an unknown key. Each must be
refused by ``simulator validate`` with exit 2 and one line ``error: FILE: FIELD...``, with no traceback
(an unexpected exception is exit 1 in main) and nothing written. In process: ~7 000 cases in half a
minute; the command's process-level behaviour (exit codes, stderr) is covered by test_corpus.py's cases.

``SIMULATOR_TESTS=ci`` (the default) runs a seeded sample of each surface (the scenario file, --set, the
judgment file, the sweep file): every kind of mutation and every top-level table at least once, and
10 % in all; ``SIMULATOR_TESTS=full`` runs every case (tests/README.md)."""

from __future__ import annotations

import pytest
import tomli_w

from simulator.cli import main
from simulator.scenario.overrides import toml_text
from simulator.scenario.schema import Scenario
from simulator.whatif.sweep import SweepFile
from tests.conftest import BASE_TOML, ROOT, base_dict, sample
from tests.hostile.fields import Mutation, mutated, mutations

BASE = base_dict()
JUDGMENT = ROOT / "calibration" / "judgment.toml"
DATA = ROOT / "calibration" / "data"
SCENARIO_MUTATIONS = list(mutations(BASE, Scenario))
SHARE = 0.10  # of each surface's cases in ci mode


def _sampled(surface: str, cases: list, mutation=lambda case: case, where=lambda case: "") -> list:
    """The cases of one surface that this mode runs: all (full), or a seeded sample in which every kind of
    mutation and every top-level table appears (ci)."""
    return sample(f"field corpus: {surface}", cases, ident=lambda c: f"{where(c)}{mutation(c).id}",
                  keys=(lambda c: mutation(c).kind, lambda c: str(mutation(c).path[0])), fraction=SHARE)


def test_the_generated_corpus_covers_every_kind_of_field():
    """The walker found the schema's fields: a few thousand cases, every kind represented."""
    kinds = {m.kind for m in SCENARIO_MUTATIONS}
    assert len(SCENARIO_MUTATIONS) > 2500
    assert {"bool", "nan", "1e308", "fraction", "int-1", "unknown-key", "table", "array"} <= kinds


def _validate(path) -> int:
    try:
        main(["validate", str(path)])
    except SystemExit as exc:
        return exc.code
    return 0


def _named(mutation: Mutation) -> list[str]:
    """How the refusal may name the field: dotted (``economy.inflation.volatility_pa: ...``), or, from a
    check of the table that holds it, ``economy.correlation: matrix ...``."""
    (dotted,) = mutation.named
    parent, _, leaf = dotted.rpartition(".")
    return [dotted, f"{parent}: {leaf}"] if parent else [dotted]


@pytest.mark.parametrize("mutation", _sampled("scenario file", SCENARIO_MUTATIONS), ids=lambda m: m.id)
def test_every_wrong_field_is_refused_in_one_line(mutation: Mutation, tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text(tomli_w.dumps(mutated(BASE, mutation)))
    code = _validate(path)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith(f"error: {path}: "), err
    assert any(words in err for words in _named(mutation)), (mutation.named, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


SET_MUTATIONS = [m for m in SCENARIO_MUTATIONS
                 if not any(isinstance(key, int) for key in m.path) and m.kind != "unknown-key"]


@pytest.mark.parametrize("mutation", _sampled("--set", SET_MUTATIONS), ids=lambda m: m.id)
def test_every_wrong_set_is_refused_before_simulating(mutation: Mutation, tmp_path, capsys, monkeypatch):
    """The same values given on the command line (``run --set FIELD=VALUE``, the what-if users type):
    one line naming the override and the field, exit 2, and nothing simulated or written."""
    simulated = []
    monkeypatch.setattr("simulator.commands.run.run_job", lambda job: simulated.append(job))
    dotted = ".".join(map(str, mutation.path))
    setting = f"{dotted}={toml_text(mutation.value)}"
    try:
        main(["run", str(BASE_TOML), "--set", setting, "--out", str(tmp_path / "out")])
        code = 0
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: ") and f"--set {setting}" in err, err
    assert any(words in err for words in _named(mutation)), (mutation.named, err)
    assert simulated == [] and list(tmp_path.iterdir()) == []


def _judgment_mutations() -> list[tuple[Mutation, dict]]:
    """The judgment file's values (each ``{ value = ..., reason = "..." }`` under [economy]) and its
    [options], mutated by the schema they are validated against, each mapped back into the file."""
    import tomllib

    from simulator.calibration.judgment import JudgmentFile

    raw = tomllib.loads(JUDGMENT.read_text())
    leaves = {}

    def find(node, path):
        for key, value in node.items():
            if isinstance(value, dict) and "value" in value:
                leaves[path + (key,)] = value["value"]
            elif isinstance(value, dict):
                find(value, path + (key,))
    find(raw["economy"], ("economy",))
    values: dict = {}
    for path, value in leaves.items():
        node = values
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    out = []
    for m in mutations({**values, "options": raw["options"]}, JudgmentFile):
        if m.path[0] == "economy":
            leaf = next((p for p in leaves if m.path[:len(p)] == p), None)
            if leaf is None or m.kind == "unknown-key":
                continue  # a table of the reduced file: the judgment file's own shape is checked apart
            in_file = Mutation(leaf + ("value",) + m.path[len(leaf):], m.value, m.kind, m.named)
        else:
            in_file = m
        out.append((in_file, raw))
    return out


JUDGMENT_MUTATIONS = _judgment_mutations()


@pytest.mark.parametrize("mutation,raw", _sampled("judgment file", JUDGMENT_MUTATIONS, mutation=lambda c: c[0]),
                         ids=lambda m: m.id if isinstance(m, Mutation) else "")
def test_every_wrong_judgment_value_is_refused_before_fitting(mutation: Mutation, raw, tmp_path, capsys):
    """The calibration's judgment file: a wrong value is one line naming the file and the field, exit 2,
    and the calibrated file is not written (the fit never starts)."""
    path = tmp_path / "judgment.toml"
    path.write_text(tomli_w.dumps(mutated(raw, mutation)))
    out = tmp_path / "economy.toml"
    try:
        main(["calibrate", "--data", str(DATA), "--judgment", str(path), "--out", str(out)])
        code = 0
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith(f"error: {path}: "), err
    assert any(words in err for words in _named(mutation)), (mutation.named, err)
    assert not out.exists()


SWEEP = {"scenario": str(BASE_TOML), "description": "generated", "reference": "a",
         "levers": {"accounts.tax_rate_kr": [11.7, 12.2]},
         "variants": [{"name": "a"}, {"name": "b", "set": {"pension.deposits.policy": "none"}}],
         "percentiles": ["result_msek"]}
SWEEP_MUTATIONS = [("file", m) for m in mutations(SWEEP, SweepFile)] + [
    ("lever", m) for m in SET_MUTATIONS if m.kind in ("bool", "nan", "text", "int-1", "1e308")]


def _sweep_case(where: str, m: Mutation) -> dict:
    """The sweep file with the mutation: in the file's own fields, or as a variant's lever."""
    if where == "file":
        return mutated(SWEEP, m)
    return {**SWEEP, "variants": [{"name": "a"}, {"name": "b", "set": {".".join(map(str, m.path)): m.value}}]}


@pytest.mark.parametrize("where,mutation", _sampled("sweep file", SWEEP_MUTATIONS, mutation=lambda c: c[1],
                                                     where=lambda c: f"{c[0]}:"),
                         ids=lambda x: x.id if isinstance(x, Mutation) else x)
def test_every_wrong_sweep_field_is_refused_before_simulating(where, mutation, tmp_path, capsys, monkeypatch):
    """A sweep file's own fields, and a variant's lever set to a wrong value: one line naming the sweep
    file and the field, exit 2, nothing simulated or written."""
    simulated = []
    monkeypatch.setattr("simulator.whatif.sweep.run_variants", lambda *a, **k: simulated.append(a))
    data = _sweep_case(where, mutation)
    path = tmp_path / "sweep.toml"
    path.write_text(tomli_w.dumps(data))
    try:
        main(["sweep", str(path), "--paths", "10", "--out", str(tmp_path / "out")])
        code = 0
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: ") and str(path) in err, err
    assert any(words in err for words in _named(mutation)), (mutation.named, err)
    assert simulated == [] and sorted(p.name for p in tmp_path.iterdir()) == ["sweep.toml"]


def test_the_unmutated_files_are_accepted(tmp_path, capsys, monkeypatch):
    """The controls: without a mutation, the scenario validates and the sweep reaches its simulation
    (so every refusal above is the mutation's doing)."""
    path = tmp_path / "s.toml"
    path.write_text(tomli_w.dumps(BASE))
    assert _validate(path) == 0

    def reached(*args, **kwargs):
        raise SystemExit(99)
    monkeypatch.setattr("simulator.whatif.sweep.run_variants", reached)
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(tomli_w.dumps(SWEEP))
    with pytest.raises(SystemExit) as stopped:
        main(["sweep", str(sweep), "--paths", "10", "--out", str(tmp_path / "out")])
    assert stopped.value.code == 99, capsys.readouterr().err
