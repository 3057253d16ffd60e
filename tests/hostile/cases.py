"""The table of hostile inputs. To add one, append a ``Case`` to CASES (or to one of the lists it is built
from): an id, a ``make(tmp)`` that writes the files it needs under ``tmp`` and returns the arguments after
``simulator``, the expected exit code, and the words the one line on stderr must contain (``{tmp}`` is
replaced by the folder). By default a case must leave ``tmp/out`` exactly as it was (absent unless
``make`` created it); ``warns=True`` is a case that succeeds (exit 0) with a warning line that holds
the words instead. ``xfail`` marks a check that is owed by someone, with the reason. ``process`` says why
a case must run in a fresh interpreter (a case with ``env`` always does: numba reads NUMBA_* once, when it
is first imported); the others run in process, and again in a fresh process in full mode or sampled
(tests/hostile/test_corpus.py).

Scenario cases use ``validate`` where the check is the same as ``run``'s (it is faster); run options use
``run`` with few paths. Cases run from ``tmp`` as the working directory.
"""

from __future__ import annotations

import copy
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import tomli_w

from simulator.io.safeio import MAX_CSV_BYTES, MAX_TOML_BYTES
from tests.conftest import BASE_TOML, ROOT, base_dict, set_in

JUDGMENT = ROOT / "calibration" / "judgment.toml"
DATA = ROOT / "calibration" / "data"


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path], list[str]]
    code: int = 2
    says: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    warns: bool = False
    xfail: str | None = None
    process: str = ""


# --- helpers that write inputs --------------------------------------------------------------------


def _scenario(tmp: Path, changes: dict[str, Any] | None = None, name: str = "s.toml", drop: str | None = None,
              extra: dict[str, Any] | None = None) -> Path:
    """The base scenario (its include resolved) with dotted fields changed, written to tmp/name."""
    data = base_dict()
    for dotted, value in (changes or {}).items():
        data = set_in(data, dotted, value)
    if drop:
        *parents, leaf = drop.split(".")
        node = data
        for key in parents:
            node = node[key]
        del node[leaf]
    data.update(extra or {})
    path = tmp / name
    path.write_bytes(tomli_w.dumps(data).encode())
    return path


def _with_include(tmp: Path, include_name: str) -> Path:
    """A valid scenario whose economy comes from an include named include_name (relative or absolute)."""
    data = base_dict()
    data.pop("economy")
    path = tmp / "s.toml"
    path.write_text(tomli_w.dumps({"include": [include_name]}) + tomli_w.dumps(data))  # tomli_w escapes a NUL
    return path


def _validate(make_path: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    return lambda tmp: ["validate", str(make_path(tmp))]


def _changed(field_values: dict[str, Any], **kwargs) -> Callable[[Path], list[str]]:
    return _validate(lambda tmp: _scenario(tmp, field_values, **kwargs))


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as f:  # no disk used: never read
        f.truncate(size)
    return path


def _socket(path: Path) -> Path:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()  # the socket file stays
    return path


def _deep_include(tmp: Path) -> Path:
    (tmp / "deep.toml").write_text("x = " + "[" * 2000 + "]" * 2000 + "\n")
    return _with_include(tmp, "deep.toml")


def _include_cycle(tmp: Path) -> Path:
    """s.toml includes e.toml, which includes s.toml again."""
    economy = {"economy": base_dict()["economy"]}
    (tmp / "e.toml").write_text('include = ["s.toml"]\n' + tomli_w.dumps(economy))
    return _with_include(tmp, "e.toml")


def _include_chain(tmp: Path, depth: int = 12) -> Path:
    """s.toml -> i1.toml -> ... -> i12.toml: deeper than simulator.scenario.schema.MAX_INCLUDE_DEPTH."""
    for k in range(1, depth + 1):
        nxt = f'include = ["i{k + 1}.toml"]\n' if k < depth else ""
        (tmp / f"i{k}.toml").write_text(nxt)
    return _with_include(tmp, "i1.toml")


def _opening_deficit(**fields) -> dict[str, Any]:
    deficits = copy.deepcopy(base_dict()["accounts"]["balance_requirement"]["opening_deficits"])
    deficits[0].update(fields)
    return {"accounts.balance_requirement.opening_deficits": deficits}


def _run(*options: str) -> Callable[[Path], list[str]]:
    return lambda tmp: ["run", str(BASE_TOML), "--paths", "50", "--out", str(tmp / "out"), *options]


def _existing_out(tmp: Path) -> list[str]:
    (tmp / "out").mkdir()
    (tmp / "out" / "notes.txt").write_text("the user's own file\n")
    return ["run", str(BASE_TOML), "--paths", "50", "--out", str(tmp / "out")]


def _calibrate(data: Callable[[Path], Path] | Path = DATA, judgment: Callable[[Path], Path] | Path = JUDGMENT
               ) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        d = data(tmp) if callable(data) else data
        j = judgment(tmp) if callable(judgment) else judgment
        return ["calibrate", "--data", str(d), "--out", str(tmp / "out"), "--judgment", str(j)]
    return make


def _data(text: str | bytes, name: str = "bad.csv") -> Callable[[Path], Path]:
    """A data folder holding the shipped inflation file and one more file."""
    def make(tmp: Path) -> Path:
        d = tmp / "data"
        d.mkdir()
        (d / "kpi.csv").write_bytes((DATA / "kpi_december_12m_change_pct.csv").read_bytes())
        path = d / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        return d
    return make


def _data_special(make_file: Callable[[Path], Path]) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        d = tmp / "data"
        d.mkdir()
        make_file(d / "bad.csv")
        return d
    return make


def _fractions(tmp: Path) -> Path:
    d = tmp / "data"
    d.mkdir()
    rows = (DATA / "kpi_december_12m_change_pct.csv").read_text().splitlines()
    body = [r for r in rows if r and not r.startswith("#")][1:]
    mixed = [r if i < 13 else f"{r.split(',')[0]},{float(r.split(',')[1]) / 100:g}" for i, r in enumerate(body)]
    (d / "kpi.csv").write_text("# series: inflation\nyear,value\n" + "\n".join(mixed) + "\n")
    return d


def _judgment(old: str, new: str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        text = JUDGMENT.read_text(encoding="utf-8")
        assert old in text, old
        path = tmp / "judgment.toml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path
    return make


def _raw(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(content)
        return path
    return make


S = "{tmp}/s.toml"

# --- scenario files: reading and parsing (issue 12 point 2) ----------------------------------------

READING = [
    Case("toml-nested-2000-arrays", _validate(_raw("s.toml", b"x = " + b"[" * 2000 + b"]" * 2000)),
         says=(S, "nested too deeply")),
    Case("toml-nested-2000-inline-tables", _validate(_raw("s.toml", b"x = " + b"{a = " * 2000 + b"1" + b"}" * 2000)),
         says=(S, "nested too deeply")),
    Case("include-nested-2000", _validate(_deep_include), says=(S, "include 'deep.toml'", "nested too deeply")),
    Case("include-path-with-nul", _validate(lambda tmp: _with_include(tmp, "e\0.toml")),
         says=(S, "include", "NUL byte")),
    Case("scenario-is-fifo", _validate(lambda tmp: _fifo(tmp / "s.toml")), says=(S, "FIFO", "regular file")),
    Case("include-is-fifo", _validate(lambda tmp: (_fifo(tmp / "e.toml"), _with_include(tmp, "e.toml"))[1]),
         says=(S, "include 'e.toml'", "FIFO")),
    Case("scenario-is-dev-zero", lambda tmp: ["validate", "/dev/zero"], says=("/dev/zero", "character device")),
    Case("include-is-dev-zero", _validate(lambda tmp: _with_include(tmp, "/dev/zero")),
         says=(S, "include '/dev/zero'", "character device")),
    Case("scenario-symlink-to-dev-zero", _validate(lambda tmp: (tmp / "s.toml").symlink_to("/dev/zero") or tmp / "s.toml"),
         says=(S, "character device")),
    Case("scenario-is-directory", lambda tmp: ["validate", str(tmp)], says=("{tmp}", "directory")),
    Case("scenario-is-socket", _validate(lambda tmp: _socket(tmp / "s.toml")), says=(S, "socket")),
    Case("scenario-huge", _validate(lambda tmp: _sparse(tmp / "s.toml", MAX_TOML_BYTES + 1)),
         says=(S, "too large", "16 MiB")),
    Case("include-huge", _validate(lambda tmp: (_sparse(tmp / "e.toml", 10 * MAX_TOML_BYTES), _with_include(tmp, "e.toml"))[1]),
         says=(S, "include 'e.toml'", "too large")),
    Case("scenario-not-utf8", _validate(_raw("s.toml", "name = 'Östersund'\n".encode("latin-1"))),
         says=(S, "line 1", "not UTF-8")),
    Case("scenario-missing", lambda tmp: ["validate", str(tmp / "nope.toml")], says=("{tmp}/nope.toml", "file not found")),
    Case("toml-broken", _validate(_raw("s.toml", b"name = 'x'\n[simulation\n")), says=(S, "not valid TOML", "line 2")),
    Case("include-missing", _validate(lambda tmp: _with_include(tmp, "missing.toml")),
         says=(S, "include 'missing.toml'", "file not found")),
    Case("include-cycle", _validate(_include_cycle), says=(S, "include", "cycle")),
    Case("include-chain-too-deep", _validate(_include_chain), says=("{tmp}/i8.toml", "include 'i9.toml'",
                                                                     "nested more than 8")),
    Case("include-not-a-list", _validate(_raw("s.toml", b'include = "e.toml"\n')), says=(S, "include", "list")),
]

# --- scenario values: strict types (point 1) and meaningless values (point 3) ---------------------

TYPES = [
    Case(f"type-{field.rsplit('.', 1)[-1]}={value!r}"[:60], _changed({field: value}), says=(S, field, words))
    for field, value, words in [
        ("economy.inflation.volatility_pa", True, "a TOML boolean"),
        ("accounts.tax_rate_kr", False, "a TOML boolean"),
        ("accounts.opening.cash_msek", True, "valid number"),
        ("economy.prisbasbelopp.known_sek.2024", True, "valid number"),
        ("economy.tax_base.expected_growth_pa.2025", True, "valid number"),
        ("goals.result_target_2027_2030.threshold", True, "valid number"),
        ("accounts.resultatreserv.enabled", 1, "valid boolean (got 1, a TOML integer)"),
        ("simulation.end_year", 2040.0, "valid integer (got 2040.0, a TOML float)"),
        ("pension.risk_rule.window_months", True, "valid integer"),
        ("economy.inflation.target_pa", "0.02", "a TOML string"),
        ("economy.inflation.volatility_pa", float("nan"), "finite number"),
        ("economy.inflation.target_pa", float("inf"), "finite number"),
    ]
] + [
    Case("type-matrix-element-true", _changed({"economy.correlation.matrix": [[True] * 7] * 7}),
         says=(S, "economy.correlation.matrix[0][0]", "a TOML boolean")),
    Case("type-plan-list-element-true", _changed({"accounts.plan.operating_costs_msek": [True] * 6}),
         says=(S, "accounts.plan.operating_costs_msek[0]", "a TOML boolean")),
    Case("goal-threshold-1e308", _changed({"goals.result_target_2027_2030.threshold": 1e308}),
         says=(S, "goals.result_target_2027_2030.threshold", "less than or equal to 1000000000")),
    Case("goal-threshold-minus-1e308", _changed({"goals.consolidation_2040.threshold": -1e308}),
         says=(S, "goals.consolidation_2040.threshold", "greater than or equal to -1000000000")),
]

# --- meaningless values in the scenario model (issue 12 point 3) -----------------------------------

MEANINGLESS = [
    Case("name-dot", _changed({"name": "."}), says=(S, "name")),
    Case("name-dotdot", _changed({"name": ".."}), says=(S, "name")),
    Case("opening-deficit-long-past", _changed(_opening_deficit(from_year=1900, deadline_year=1903)),
         says=(S, "accounts.balance_requirement.opening_deficits[0]")),
    Case("opening-deficit-deadline-before-origin", _changed(_opening_deficit(from_year=2024, deadline_year=2020)),
         says=(S, "accounts.balance_requirement.opening_deficits[0]")),
    Case("opening-deficit-after-opening-balance", _changed(_opening_deficit(from_year=2027, deadline_year=2030)),
         says=(S, "accounts.balance_requirement.opening_deficits[0].from_year")),
    Case("opening-deficit-beyond-int64", _changed(_opening_deficit(deadline_year=2**63)),
         says=(S, "accounts.balance_requirement.opening_deficits[0].deadline_year")),
]

# --- the bad-input cases of tests/test_scenario.py, through the command ----------------------------

_M = base_dict()["economy"]["correlation"]["matrix"]


def _matrix(i, j, value, symmetric=True):
    m = [row[:] for row in _M]
    m[i][j] = value
    if symmetric:
        m[j][i] = value
    return m


EXISTING_SCENARIO = [
    Case(f"existing-{field.rsplit('.', 1)[-1]}-{k}", _changed({field: value}), says=(S, *words))
    for k, (field, value, words) in enumerate([
        ("economy.inflation.volatilty_pa", 0.01, ["economy.inflation.volatilty_pa", "unknown field"]),
        ("economy.inflation.volatility_pa", -0.01, ["economy.inflation.volatility_pa", "greater than or equal to 0"]),
        ("economy.equity.calm.sweden_volatility_pa", "high", ["sweden_volatility_pa", "number"]),
        ("economy.inflation.shock_regime.entry_probability_per_month", 1.5, ["entry_probability_per_month"]),
        ("simulation.start_year", 2024, ["simulation.start_year", "must be 2025"]),
        ("simulation.end_year", 2025, ["simulation", "end_year must be in 2026..2070"]),
        ("simulation.end_year", 2200, ["end_year must be in 2026..2070"]),
        ("economy.short_rate.volatility_pa", 0.5, ["short_rate.volatility_pa", "less than or equal to 0.2"]),
        ("economy.tax_base.expected_growth_pa", {"2025": 0.04, "2027": 0.04}, ["expected_growth_pa", "without gaps"]),
        ("economy.tax_base.expected_growth_pa", {"1999": 0.04}, ["expected_growth_pa", "years 2025"]),
        ("economy.correlation.matrix", _matrix(0, 1, 0.5, symmetric=False), ["economy.correlation", "symmetric"]),
        ("economy.correlation.matrix", _matrix(2, 2, 0.9), ["economy.correlation", "unit diagonal"]),
        ("economy.correlation.matrix", _matrix(3, 4, -0.9), ["economy.correlation", "positive semi-definite"]),
        ("economy.correlation.matrix", _matrix(0, 1, 1.5), ["economy.correlation", "within [-1, 1]"]),
        ("economy.correlation.matrix", [row[:6] for row in _M[:6]], ["economy.correlation", "must be 7x7"]),
        ("economy.correlation.drivers", ["inflation"] * 7, ["economy.correlation", "drivers must name each of"]),
        ("economy.prisbasbelopp.known_sek", {"2025": 58800}, ["known_sek", "2024, 2025"]),
        ("name", "has spaces", ["name", "must hold only letters", "has spaces"]),
    ])
] + [
    Case("existing-missing-field", _changed({}, drop="economy.term_spread.volatility_pa"),
         says=(S, "economy.term_spread.volatility_pa: required field is missing")),
    Case("existing-run-bad-value", lambda tmp: ["run", str(_scenario(tmp, {"economy.short_rate.volatility_pa": -1})),
                                                "--paths", "50", "--out", str(tmp / "out")],
         says=(S, "economy.short_rate.volatility_pa")),
]

# --- run options and the environment (issue 12 point 7, and tests/test_cli_run.py) ----------------

RUN = [
    Case("run-paths-0", _run("--paths", "0"), says=("simulator run", "--paths", ">= 1")),
    Case("run-chunk-size-negative", _run("--chunk-size", "-3"), says=("simulator run", "--chunk-size")),
    Case("run-seed-negative", _run("--seed", "-1"), says=("simulator run", "--seed")),
    Case("run-paths-not-a-number", _run("--paths", "many"), says=("simulator run", "--paths", "many")),
    Case("run-unknown-option", _run("--no-such-option"), says=("simulator run", "--no-such-option")),
    Case("run-workers-0", _run("--workers", "0"), says=("simulator run", "--workers", ">= 1")),
    Case("run-scheduler-empty", _run("--scheduler", ""), says=("simulator run", "--scheduler", "address")),
    Case("run-scheduler-blank", _run("--scheduler", "   "), says=("simulator run", "--scheduler", "address")),
    Case("run-scheduler-unreachable", _run("--scheduler", "tcp://127.0.0.1:1"), says=("--scheduler", "127.0.0.1:1"),
         process="a dask client: its threads and event loop stay out of the test process"),
    Case("run-out-holds-other-files", _existing_out, says=("--out", "{tmp}/out", "--force")),
    Case("run-workers-1000-capped", _run("--workers", "1000"), code=0, warns=True,
         says=("warning: --workers 1000 is more than the", "CPUs here; using"),
         process="a local cluster of worker processes"),
    Case("env-numba-threads-0", _run(), env={"NUMBA_NUM_THREADS": "0"},
         says=("NUMBA_NUM_THREADS", "'0'", "whole number >= 1")),
    Case("env-numba-threads-abc", _run(), env={"NUMBA_NUM_THREADS": "abc"},
         says=("NUMBA_NUM_THREADS", "'abc'", "whole number >= 1")),
    Case("env-numba-threads-negative-validate", _validate(lambda tmp: BASE_TOML), env={"NUMBA_NUM_THREADS": "-4"},
         says=("NUMBA_NUM_THREADS", "'-4'")),
]

# --- calibration input (issue 12 points 3 and 9, and tests/test_calibration.py) -------------------

D = "{tmp}/data/bad.csv"
J = "{tmp}/judgment.toml"

CALIBRATE = [
    Case("csv-value-1e308", _calibrate(_data("# series: short_rate\nyear,value\n2001,1.0\n2002,1e308\n")),
         says=(D, "line 4", "1e308", "at most 1000")),
    Case("csv-row-with-one-field", _calibrate(_data("# series: short_rate\nyear,value\n2001,1.0\n2002\n2003,2.0\n")),
         says=(D, "line 4", "1 field", "'2002,'")),
    Case("csv-decimal-comma", _calibrate(_data("# series: short_rate\nyear,value\n2000,1,0\n2001,1,5\n")),
         says=(D, "line 3", "decimal comma")),
    Case("csv-half-in-fractions", _calibrate(_fractions),
         says=("{tmp}/data/kpi.csv, lines 16-28", "fractions instead of percent", "# scale: checked")),
    Case("csv-is-fifo", _calibrate(_data_special(_fifo)), says=(D, "FIFO")),
    Case("csv-symlink-to-dev-zero", _calibrate(_data_special(lambda p: p.symlink_to("/dev/zero"))),
         says=(D, "character device")),
    Case("csv-huge", _calibrate(_data_special(lambda p: _sparse(p, MAX_CSV_BYTES + 1))), says=(D, "too large")),
    Case("csv-not-utf8", _calibrate(_data("# series: inflation\nyear,value\n2001,1.0 Ö\n".encode("latin-1"))),
         says=(D, "line 3", "not UTF-8")),
    Case("csv-nul-byte", _calibrate(_data(b"# series: inflation\nyear,value\n2001,1\x00\n")),
         says=(D, "line 3", "not a number")),
    Case("data-missing", lambda tmp: _calibrate(tmp / "nope")(tmp), says=("{tmp}/nope", "not a directory")),
    Case("data-is-a-file", lambda tmp: _calibrate(BASE_TOML)(tmp), says=(str(BASE_TOML), "not a directory")),
    Case("judgment-value-not-a-number", _calibrate(judgment=_judgment("volatility_pa = { value = 0.018,",
                                                                      'volatility_pa = { value = "abc",')),
         says=(J, "economy.inflation.volatility_pa", "valid number")),
    Case("judgment-value-boolean", _calibrate(judgment=_judgment("target_pa = { value = 0.02,", "target_pa = { value = true,")),
         says=(J, "economy.inflation.target_pa", "a TOML boolean")),
    Case("judgment-option-wrong-type", _calibrate(judgment=_judgment("min_years_warning = 20", "min_years_warning = '20'")),
         says=(J, "options.min_years_warning", "valid integer")),
    Case("judgment-keep-unknown", _calibrate(judgment=_judgment('keep_judgment = ["equity.calm.sweden_log_drift_pa"',
                                                                'keep_judgment = ["equity.sweden"')),
         says=(J, "options.keep_judgment", "'equity.sweden'")),
    Case("judgment-is-fifo", _calibrate(judgment=lambda tmp: _fifo(tmp / "judgment.toml")), says=(J, "FIFO")),
    Case("judgment-is-dev-zero", _calibrate(judgment=Path("/dev/zero")), says=("/dev/zero", "character device")),
    Case("judgment-nested-2000", _calibrate(judgment=_raw("judgment.toml", b"x = " + b"[" * 2000 + b"]" * 2000)),
         says=(J, "nested too deeply")),
    Case("judgment-missing", _calibrate(judgment=lambda tmp: tmp / "nope.toml"),
         says=("{tmp}/nope.toml", "judgment file not found")),
]

EXISTING_CALIBRATE = [
    Case(f"existing-csv-{k}", _calibrate(_data(text)), says=(D, *words))
    for k, (text, words) in enumerate([
        ("# series: inflation\nyear,rate\n2001,1.0\n", ["line 2", "expected 'year,value'"]),
        ("# series: inflation\nyear,value\n2001,1.0\n2002,abc\n", ["line 4", "'abc' is not a number"]),
        ("# series: inflation\nyear,value\n2001,1.0\n2001,1.2\n", ["line 4", "appears twice"]),
        ("# series: inflaton\nyear,value\n2001,1.0\n", ["unknown series 'inflaton'"]),
        ("# source: x\nyear,value\n2001,1.0\n", ["no '# series: NAME' header line"]),
        ("# series: short_rate\nyear,month,value\n2001,13,1.0\n", ["line 3", "month '13'", "1..12"]),
        ("# series: short_rate\nyear,value\n20x1,1.0\n", ["line 3", "year '20x1'"]),
        ("# series: tax_base\nyear,month,value\n2001,1,1.0\n", ["tax_base must be annual"]),
        ("# series: short_rate\nyear,month,value\n2001\n", ["line 3", "1 field; expected 3"]),
    ])
]

# --- what-if commands: --set, sweep, compare, solve, stress, --condition (issue 9) ---------------------------


def _sweep(text: str) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        (tmp / "sw.toml").write_text(f'scenario = "{BASE_TOML}"\n' + text)
        return ["sweep", str(tmp / "sw.toml"), "--paths", "20", "--out", str(tmp / "out")]
    return make


def _stress(settings: list[dict[str, Any]]) -> Callable[[Path], list[str]]:
    return _changed({}, extra={"stress": {"set": settings}})


def _two_runs(seed_b: str) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        import contextlib
        import io

        from simulator.cli import main

        for name, seed in (("a", "1"), ("b", seed_b)):  # the inputs, made in process (what is tested is compare)
            with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
                main(["run", str(BASE_TOML), "--paths", "20", "--seed", seed, "--out", str(tmp / name),
                      "--no-assumptions"])
            assert (tmp / name / "summary.json").is_file(), name
        return ["compare", str(tmp / "a"), str(tmp / "b"), "--paired"]
    return make


def _solve(*options: str) -> Callable[[Path], list[str]]:
    base = ["solve", str(BASE_TOML), "--goal", "balance_2030", "--at-least", "0.5", "--lever",
            "accounts.savings_programme.pct_by_year.2026", "--range", "0:3", "--paths", "20"]
    return lambda tmp: base + list(options)  # a repeated option: the last one counts


WHATIF = [
    Case("set-without-equals", _run("--set", "policy.reaction.strength_frac"), says=("--set", "KEY=VALUE")),
    Case("set-bad-key", _run("--set", "policy..strength=1"), says=("--set", "KEY=VALUE")),
    Case("set-unknown-field", _run("--set", "policy.reaction.strenght_frac=1"),
         says=("--set", "policy.reaction.strenght_frac", "unknown field")),
    Case("set-boolean-for-number", _run("--set", "policy.reaction.strength_frac=true"),
         says=("policy.reaction.strength_frac", "a TOML boolean")),
    Case("set-out-of-range", _run("--set", "policy.reaction.strength_frac=2"),
         says=("policy.reaction.strength_frac", "less than or equal to 1")),
    Case("set-not-toml", _run("--set", "accounts.tax_rate_kr=12,2"), says=("--set accounts.tax_rate_kr", "TOML value")),
    Case("set-on-validate", lambda tmp: ["validate", str(BASE_TOML), "--set", "simulation.end_year=2099"],
         says=("simulation", "end_year must be in")),
    Case("sweep-missing-file", lambda tmp: ["sweep", str(tmp / "none.toml"), "--out", str(tmp / "out")],
         says=("none.toml", "file not found")),
    Case("sweep-unknown-key", _sweep("[levers]\n\"policy.reaction.strength_frac\" = [0.5]\n[extra]\n"),
         says=("sw.toml", "extra", "unknown field")),
    Case("sweep-empty-lever", _sweep('[levers]\n"policy.reaction.strength_frac" = []\n'),
         says=("sw.toml", "levers", "at least one value")),
    Case("sweep-lever-not-a-list", _sweep('[levers]\n"policy.reaction.strength_frac" = 0.5\n'),
         says=("sw.toml", "levers", "list")),
    Case("sweep-lever-invalid-value", _sweep('[levers]\n"policy.reaction.strength_frac" = [0.5, 7]\n'),
         says=("sw.toml", "variant 'strength_frac-7'", "policy.reaction.strength_frac")),
    Case("sweep-lever-unknown-field", _sweep('[levers]\n"policy.reaction.nope" = [1]\n'),
         says=("sw.toml", "policy.reaction.nope", "unknown field")),
    Case("sweep-bad-reference", _sweep('reference = "nobody"\n[levers]\n"policy.reaction.strength_frac" = [0.5]\n'),
         says=("sw.toml", "reference", "nobody")),
    Case("sweep-unknown-percentile", _sweep('percentiles = ["nope"]\n'), says=("sw.toml", "percentiles", "nope")),
    Case("sweep-duplicate-names", _sweep('[[variants]]\nname = "a"\n[[variants]]\nname = "a"\n'),
         says=("sw.toml", "'a'", "twice")),
    Case("sweep-scenario-missing", lambda tmp: ((tmp / "sw.toml").write_text('scenario = "nope.toml"\n'),
                                                ["sweep", str(tmp / "sw.toml"), "--out", str(tmp / "out")])[1],
         says=("nope.toml", "file not found")),
    Case("compare-one-directory", lambda tmp: ["compare", str(tmp)], says=("compare", "at least two")),
    Case("compare-not-a-run", lambda tmp: ["compare", str(tmp), str(tmp)], says=("{tmp}", "not a run directory")),
    Case("compare-paired-different-seeds", _two_runs("2"), says=("cannot be paired", "seed 1", "seed 2")),
    Case("solve-bad-range", _solve("--range", "3:0"), says=("--range", "LO below HI")),
    Case("solve-range-not-numbers", _solve("--range", "a:b"), says=("--range", "LO:HI")),
    Case("solve-unknown-goal", lambda tmp: ["solve", str(BASE_TOML), "--goal", "nope", "--at-least", "0.5", "--lever",
                                            "accounts.tax_rise.kr", "--range", "0:1", "--given",
                                            "accounts.tax_rise.from_year=2026", "--paths", "20"],
         says=("--goal", "nope")),
    Case("solve-target-above-one", _solve("--at-least", "1.5"), says=("--at-least", "between 0 and 1")),
    Case("solve-unknown-lever", lambda tmp: ["solve", str(BASE_TOML), "--goal", "balance_2030", "--at-least", "0.5",
                                             "--lever", "accounts.nope", "--range", "0:1", "--paths", "20"],
         says=("--lever", "accounts.nope")),
    Case("solve-bad-frontier", _solve("--frontier", "accounts.tax_rise.kr"), says=("--frontier", "KEY=V1,V2")),
    Case("stress-unknown-driver", _stress([{"driver": "gold", "start": "2026", "end": "2026", "value": 0.1}]),
         says=(S, "stress.set[0].driver")),
    Case("stress-value-and-total", _stress([{"driver": "equity_return", "start": "2026", "end": "2026",
                                             "value": -0.3, "total": -0.3}]),
         says=(S, "stress.set[0]", "either value")),
    Case("stress-bad-month", _stress([{"driver": "inflation", "start": "2026-13", "end": "2026", "value": 0.06}]),
         says=(S, "stress.set[0].start")),
    Case("stress-backwards", _stress([{"driver": "inflation", "start": "2027", "end": "2026", "value": 0.06}]),
         says=(S, "stress.set[0]", "run forwards")),
    Case("stress-after-the-horizon", _stress([{"driver": "inflation", "start": "2041", "end": "2041", "value": 0.06}]),
         says=(S, "stress.set[0]", "2040-12")),
    Case("stress-regime-value", _stress([{"driver": "equity_regime", "start": "2026", "end": "2026", "value": 1.0}]),
         says=(S, "stress.set[0]", "regime")),
    Case("stress-empty", _changed({}, extra={"stress": {"set": []}}), says=(S, "stress.set", "at least 1")),
    Case("condition-unknown-variable", _run("--condition", "gold[2026] > 1"), says=("--condition", "gold")),
    Case("condition-bad-syntax", _run("--condition", "inflation > 0.02"), says=("--condition", "VARIABLE[YEAR]")),
    Case("condition-year-outside", _run("--condition", "inflation[2050] > 0.02"), says=("--condition", "2050")),
    Case("condition-meets-no-path", _run("--condition", "inflation[2026] > 5"), says=("--condition", "none of")),
]

CASES: list[Case] = (READING + TYPES + MEANINGLESS + EXISTING_SCENARIO + RUN + CALIBRATE + EXISTING_CALIBRATE
                     + WHATIF)
