"""Shared fixtures and helpers for the report tests (no tests here).

Runs are small (300 paths) and made once per session. ``future_run`` adds to a real run what the model
is about to write (policy, interval_covers, assumptions, scenario_sha256, the booked konsolideringsgrad,
the reaction rule's instruments, per-path goal outcomes, a ``realization`` dimension), so the report is
tested on both today's outputs and tomorrow's.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w
import xarray as xr

from simulator.cli import main
from simulator.goals import evaluate_goals
from simulator.report.data import load_report
from simulator.results import percentile_table
from simulator.scenario import load_scenario
from tests.conftest import BASE_TOML, base_dict, set_in

PATHS, SEED = 300, 7
SAVINGS_LEVER = "accounts.savings_programme.pct_by_year.2026"

CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (/usr/bin/chromium missing): run .ci/install-chromium as root")
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="pdftotext/pdfinfo missing (Debian's poppler-utils): run .ci/install-chromium as root")


def simulate(out: Path, *args: str, scenario: Path = BASE_TOML) -> Path:
    try:
        main(["run", str(scenario), "--out", str(out), "--force", *args])
    except SystemExit as exc:  # main exits only on errors
        raise AssertionError(f"simulator run failed with exit {exc.code}") from None
    return out


def read_summary(directory: Path) -> dict:
    return json.loads((directory / "summary.json").read_text(encoding="utf-8"))


def write_summary(directory: Path, summary: dict) -> None:
    (directory / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")


def add_future_outputs(directory: Path, policy: str, store: str = "nc") -> Path:
    """Give a real run the outputs the model core is adding (see the module docstring)."""
    summary = read_summary(directory)
    with xr.open_dataset(directory / "results.nc", engine="h5netcdf") as ds:
        ds = ds.load()
    spec = load_scenario(BASE_TOML)
    years = ds["year"].values
    booked = ds["pension_assets_msek"] / ds["pension_provision_msek"]
    result = ds["result_msek"]
    added = {
        "consolidation_ratio_booked": (booked, "1", "pension assets over the pension provision (fraction)",
                                       "Konsolideringsgrad (avsättning)"),
        "reaction_savings_msek": (np.maximum(0.0, -result) * 0.3, "MSEK", "savings decided by the rule",
                                  "Besparingar"),
        "reaction_tax_kr": ((result < -300) * 0.25, "SEK", "tax rate increase", "Skattehöjning"),
        "reaction_deposits_paused": ((result < 0) * 1.0, "1", "1 when deposits are paused",
                                     "Pausade inbetalningar"),
        "reaction_synnerliga_skal_msek": (np.maximum(0.0, -result - 500) * 0.1, "MSEK",
                                          "exempted by synnerliga skäl", "Synnerliga skäl"),
    }
    for name, (values, units, long_name, swedish) in added.items():
        ds[name] = values.astype(float)
        ds[name].attrs = {"units": units, "long_name": long_name, "long_name_sv": swedish}
    metrics = {name: ds[name].values for name in ds.data_vars if ds[name].dims == ("path", "year")}
    outcomes = evaluate_goals(spec.goals, metrics, years)
    outcomes["consolidation_booked_2040"] = booked.sel(year=2040).values >= 1.0
    for name, met in outcomes.items():
        ds[f"goal_{name}"] = (("path",), met.astype(np.int8), {"units": "1", "long_name": f"goal {name} met",
                                                               "long_name_sv": f"mål {name} uppfyllt"})
    scenario = json.loads(ds.attrs["scenario"])
    scenario["goals"]["consolidation_booked_2040"] = {
        "metric": "consolidation_ratio_booked", "comparison": ">=", "threshold": 1.0, "years": [2040],
        "aggregate": "last", "description": "Konsolideringsgrad (avsättningen) ≥ 100 % vid utgången av 2040"}
    ds.attrs["scenario"] = json.dumps(scenario, ensure_ascii=False)
    ds = ds.rename({"path": "realization"})
    (directory / "results.nc").unlink()
    if store == "zarr":
        ds.to_zarr(directory / "results.zarr")
    else:
        ds.to_netcdf(directory / "results.nc", engine="h5netcdf")

    met = outcomes["consolidation_booked_2040"]
    p = float(met.mean())
    summary["goals"]["consolidation_booked_2040"] = {
        "probability": p, "stderr": (p * (1 - p) / met.size) ** 0.5, "ci95": [max(0, p - 0.05), min(1, p + 0.05)],
        "paths_meeting": int(met.sum()), "description": scenario["goals"]["consolidation_booked_2040"]["description"]}
    for name in added:
        summary["percentiles"][name] = percentile_table(ds[name].values)
    summary["policy"] = {"name": policy, "settings": {} if policy == "none" else
                         {"savings_max_frac": 0.03, "tax_step_kr": 0.25, "pause_deposits": True}}
    summary["interval_covers"] = "Intervallet täcker simuleringsfelet och drivarnas skattningsfel."
    summary["scenario_sha256"] = "ab" * 32
    b = summary["goals"]["balance_2030"]["probability"]
    c = summary["goals"]["consolidation_2040"]["probability"]
    summary["assumptions"] = {
        "accounts.cost_overrun.mean_frac": {"low": {"value": 0.0, "goals": {"balance_2030": b + 0.04,
                                                                            "consolidation_2040": c + 0.01}},
                                            "high": {"value": 0.04, "goals": {"balance_2030": max(0, b - 0.03),
                                                                              "consolidation_2040": c - 0.02}}},
        "economy.inflation.target_pa": {"low": {"value": 0.015, "goals": {"balance_2030": b + 0.01,
                                                                          "consolidation_2040": c + 0.05}},
                                        "high": {"value": 0.025, "goals": {"balance_2030": max(0, b - 0.005),
                                                                           "consolidation_2040": c - 0.06}}},
    }
    write_summary(directory, summary)
    return directory


def savings_scenario(path: Path, pct_2026: float = 2.0) -> Path:
    """The base scenario with a savings programme of ``pct_2026`` per cent of costs from 2026."""
    data = set_in(base_dict(), "accounts.savings_programme.pct_by_year", {"2026": pct_2026})
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def sweep_table() -> pd.DataFrame:
    """A 2 x 3 grid over two levers with two goals, the first variant the reference."""
    caps, savings = [0.6, 0.8], [0.0, 1.0, 2.0]
    rows = []
    for cap in caps:
        for s in savings:
            pb = 0.05 + 0.1 * s - 0.02 * (cap - 0.6)
            pc = 0.30 + 0.2 * (cap - 0.6) - 0.01 * s
            rows.append({"pension.risk_rule.equity_cap_frac": cap, SAVINGS_LEVER: s,
                         "balance_2030_probability": pb, "balance_2030_ci_low": pb - 0.01,
                         "balance_2030_ci_high": pb + 0.01, "consolidation_2040_probability": pc,
                         "consolidation_2040_ci_low": pc - 0.02, "consolidation_2040_ci_high": pc + 0.02})
    table = pd.DataFrame(rows)
    for g in ("balance_2030", "consolidation_2040"):
        table[f"{g}_diff"] = table[f"{g}_probability"] - table[f"{g}_probability"].iloc[0]
        table[f"{g}_diff_stderr"] = 0.004 * (table.index > 0)
    return table


def make_sweep_dir(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    sweep_table().to_csv(directory / "sweep.csv", index=False)
    write_summary(directory, {"kind": "sweep", "scenario": "base", "paths": 500, "seed": 3, "version": "0.1.0",
                              "goals": {"balance_2030": {"description": "Ekonomi i balans 2030"},
                                        "consolidation_2040": {"description": "Konsolideringsgrad ≥ 100 % 2040"}}})
    return directory


# The test modules import these fixtures, which makes each module's copy a fixture of its own: the
# caches below make the session's runs and rendered reports shared by all of them (conftest.py is not ours).
_RUNS: dict[str, Path] = {}
_RENDERED: dict[tuple, tuple] = {}


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> dict[str, Path]:
    """base: today's outputs; det: deterministic; reaction / unchanged: the same paths with a lever changed
    and the coming outputs added; sweep: a sweep directory."""
    if not _RUNS:
        _RUNS.update(_make_runs(tmp_path_factory.mktemp("report-runs")))
    return _RUNS


def _make_runs(root: Path) -> dict[str, Path]:
    out = {
        "base": simulate(root / "base", "--paths", str(PATHS), "--seed", str(SEED)),
        "det": simulate(root / "det", "--deterministic"),
    }
    reaction = simulate(root / "reaction", "--paths", str(PATHS), "--seed", str(SEED),
                        scenario=savings_scenario(root / "savings.toml"))
    unchanged = simulate(root / "unchanged", "--paths", str(PATHS), "--seed", str(SEED))
    out["reaction"] = add_future_outputs(reaction, policy="reaction_v1")
    out["unchanged"] = add_future_outputs(unchanged, policy="none")
    out["sweep"] = make_sweep_dir(root / "sweep")
    return out


@pytest.fixture(scope="session")
def rendered(runs):
    """``rendered("reaction", "unchanged", lang="sv")`` -> (report, {section id: Section}, html), built once:
    charts are the slow part (about 0.2 s each)."""
    from simulator.report.html import build_sections, render

    cache = _RENDERED

    def get(*names: str, lang: str = "sv"):
        key = (names, lang)
        if key not in cache:
            report = load_report([runs[n] for n in names])
            sections = build_sections(report, lang)
            cache[key] = (report, {s.id: s for s in sections}, render(report, lang, sections=sections))
        return cache[key]
    return get


def copy_run(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    for name in ("report.html", "report.pdf", "tables.xlsx"):
        (dst / name).unlink(missing_ok=True)
    shutil.rmtree(dst / "tables", ignore_errors=True)
    return dst


# ----------------------------------------------------------------------------------- Chromium (CDP)

class DevTools:
    """Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
    JSON messages separated by NUL bytes on file descriptors 3 and 4). No port, no websocket, no
    third-party client: the protocol's events tell every request the page makes and every console message.
    """

    def __init__(self, timeout: float = 30.0):
        from simulator.report.pdf import chromium_command

        self.timeout = timeout
        self.events: list[dict] = []
        self._buffer = b""
        self._id = 0
        commands_r, self._commands_w = os.pipe()
        self._events_r, events_w = os.pipe()

        def child_fds():  # Chromium reads commands on fd 3 and writes replies on fd 4
            a, b = os.dup(commands_r), os.dup(events_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self._profile = tempfile.mkdtemp(prefix="simulator-cdp-")
        args = chromium_command(CHROMIUM, self._profile, "--remote-debugging-pipe", "about:blank")
        self.proc = subprocess.Popen(args, preexec_fn=child_fds, pass_fds=(3, 4), start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_r)
        os.close(events_w)
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)

    def _receive(self, until, timeout: float) -> dict | None:
        end = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                self.events.append(message)
                if until(message):
                    return message
            left = end - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._events_r], [], [], left)
            if ready:
                chunk = os.read(self._events_r, 1 << 16)
                if not chunk:
                    raise EOFError("Chromium closed the DevTools pipe")
                self._buffer += chunk

    def call(self, method: str, params: dict | None = None, session: bool = False) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._commands_w, json.dumps(message).encode() + b"\0")
        reply = self._receive(lambda m, i=self._id: m.get("id") == i, self.timeout)
        if reply is None:
            raise TimeoutError(f"no reply to {method}")
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def load(self, url: str, settle: float = 0.5) -> None:
        """Navigate and wait for the load event, then a moment for late requests and messages."""
        self.call("Page.navigate", {"url": url}, session=True)
        if self._receive(lambda m: m.get("method") == "Page.loadEventFired", self.timeout) is None:
            raise TimeoutError(f"{url} did not load")
        self._receive(lambda m: False, settle)

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                         session=True)["result"].get("value")

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"]

    def errors(self) -> list[str]:
        out = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(" ".join(str(a.get("value")) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                out.append(params["entry"].get("text", ""))
        return out

    def close(self) -> None:
        try:
            self.call("Browser.close")
            self.proc.wait(10)
        except Exception:
            os.killpg(self.proc.pid, 9)
            self.proc.wait(10)
        finally:
            os.close(self._commands_w)
            os.close(self._events_r)
            shutil.rmtree(self._profile, ignore_errors=True)
