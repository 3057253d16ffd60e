"""Shared fixtures and helpers for the report tests (no tests here).

Runs are small (300 paths) and made once per session by the real commands: the base scenario (with
its reaction rule, assumptions, attribution and per-path goal outcomes), oförändrad politik on the
same paths, a deterministic run and a sweep.
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
from simulator.model.goals import evaluate_goals
from simulator.report.data import load_report
from simulator.run.summary import percentile_table
from simulator.scenario.loader import load_scenario
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


SWEEP_FILE_TEXT = f"""scenario = "{BASE_TOML}"
[levers]
"accounts.tax_rise.kr" = [0.0, 0.5]
"accounts.tax_rise.from_year" = [2026]
"{SAVINGS_LEVER}" = [0.0, 1.0, 2.0]
"""


def make_sweep_dir(directory: Path) -> Path:
    """A real sweep: +0/+50 öre from 2026 x 0/1/2 % savings in 2026, 300 paths."""
    spec = directory.parent / "sweep.toml"
    spec.write_text(SWEEP_FILE_TEXT, encoding="utf-8")
    main(["sweep", str(spec), "--paths", str(PATHS), "--seed", "3", "--out", str(directory), "--force"])
    return directory


# The test modules import these fixtures, which makes each module's copy a fixture of its own: the
# caches below make the session's runs and rendered reports shared by all of them (conftest.py is not ours).
_RUNS: dict[str, Path] = {}
_RENDERED: dict[tuple, tuple] = {}


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> dict[str, Path]:
    """base: the base scenario (it has the rule); reaction: the same with --store all; unchanged:
    oförändrad politik on the same paths; det: deterministic; sweep: a sweep directory."""
    if not _RUNS:
        _RUNS.update(_make_runs(tmp_path_factory.mktemp("report-runs")))
    return _RUNS


def _make_runs(root: Path) -> dict[str, Path]:
    out = {
        "base": simulate(root / "base", "--paths", str(PATHS), "--seed", str(SEED)),
        "det": simulate(root / "det", "--deterministic"),
        "unchanged": simulate(root / "unchanged", "--paths", str(PATHS), "--seed", str(SEED),
                              scenario=BASE_TOML.parent / "unchanged_policy.toml"),
    }
    # the base again, keeping every variable as float64 (--store all): the tests check the report's
    # figures against the rule's caps and the budget on every path, which the lean store does not keep
    out["reaction"] = simulate(root / "reaction", "--paths", str(PATHS), "--seed", str(SEED), "--store", "all")
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
