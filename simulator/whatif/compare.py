"""`simulator compare DIR_A DIR_B ...`: goal probabilities, risks and medians side by side, and for runs
that share seed and paths the paired difference of each goal against DIR_A with its paired standard
error and the paths gained and lost (simulator.whatif.paired). Runs that share no paths are compared as
independent runs, and the output says so; ``--paired`` refuses them (exit 2). Each run's levers are
given in MSEK a year (summary.json ``lever_costs``, simulator.whatif.costs), and a stressed run that
raises a goal against the first says why (simulator.whatif.reasons)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from simulator.errors import InputError
from simulator.io.atomic import RESULTS_FILE, STORE_DIR, SUMMARY_FILE
from simulator.io.result_files import read_result_json
from simulator.io.results import open_results
from simulator.whatif import reasons as why
from simulator.whatif.costs import costs_from_summary
from simulator.whatif.paired import WHY_PAIRED, independent_difference, paired_difference

#: (label, year) medians shown side by side, from summary.json percentiles
MEDIANS = (("result_msek", 2030), ("equity_msek", 2030), ("equity_msek", 2040), ("loans_msek", 2030),
           ("consolidation_ratio", 2040), ("consolidation_ratio_booked", 2040))
RISKS = ("loan_limit_breach", "debt_ceiling_breach", "overdraft_used", "protection_breach")


class CompareError(InputError, ValueError):
    """Bad input for compare (exit 2, one line)."""


class Run:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        path = self.directory / SUMMARY_FILE
        if not path.is_file():
            raise CompareError(f"{self.directory}: not a run directory (no {SUMMARY_FILE}; write one with "
                               "simulator run)")
        self.summary = read_result_json(path)  # its schema: a wrong file is one line naming the field
        if self.summary.get("kind") == "sweep" or "goals" not in self.summary:
            raise CompareError(f"{self.directory}: a sweep directory, not a run (its sweep.csv already pairs "
                               "its variants)")
        self._hits: dict[str, np.ndarray] | None = None
        self._paths: np.ndarray | None = None

    @property
    def label(self) -> str:
        return self.directory.name

    def key(self) -> tuple:
        s = self.summary
        return (s.get("seed"), s.get("paths"), s.get("deterministic"), s.get("parameter_uncertainty", False),
                (s.get("condition") or {}).get("expression"))

    def hits(self) -> dict[str, np.ndarray]:
        """Each goal's outcome per path, as the run stored it (goal_<name>)."""
        if self._hits is None:

            if not ((self.directory / STORE_DIR).is_dir() or (self.directory / RESULTS_FILE).is_file()):
                raise CompareError(f"{self.directory}: no {STORE_DIR} (or {RESULTS_FILE}): the per-path goal "
                                   "outcomes pairing needs (a --summary-only run has none)")
            with open_results(self.directory) as ds:
                self._hits = {n[5:]: ds[n].values.astype(bool) for n in ds.data_vars if n.startswith("goal_")}
                self._paths = ds["path"].values
        return self._hits

    def path_index(self) -> np.ndarray:
        self.hits()
        return self._paths


def pairable(a: Run, b: Run) -> str | None:
    """None when the runs share seed and paths (path for path), else why not."""
    if a.key() != b.key():
        sa, sb = a.summary, b.summary
        return (f"seed {sa.get('seed')} and {sa.get('paths')} paths against seed {sb.get('seed')} and "
                f"{sb.get('paths')} paths" + ("" if a.key()[2:] == b.key()[2:] else
                                              " (or a different --deterministic, --parameter-uncertainty or --condition)"))
    if not np.array_equal(a.path_index(), b.path_index()):
        return "different paths kept"
    return None


def compare(directories: list[Path], paired: bool | None = None) -> dict[str, Any]:
    """The comparison of the runs against the first; ``paired`` True refuses unpairable runs, False
    never pairs, None pairs where it can."""
    if len(directories) < 2:
        raise CompareError("simulator compare: give at least two run directories")
    runs = [Run(d) for d in directories]
    ref = runs[0]
    goals = [g for g in ref.summary["goals"] if all(g in r.summary["goals"] for r in runs[1:])]
    if not goals:
        raise CompareError(f"{runs[1].directory}: shares no goal with {ref.directory}")
    out: dict[str, Any] = {"reference": ref.label, "runs": [], "goals": goals}
    for r in runs:
        entry: dict[str, Any] = {"label": r.label, "directory": str(r.directory), "scenario": r.summary.get("scenario"),
                                 "policy": (r.summary.get("policy") or {}).get("name"), "seed": r.summary.get("seed"),
                                 "paths": r.summary.get("paths"), "goals": {}, "risks": {}, "medians": {}}
        for g in goals:
            s = r.summary["goals"][g]
            entry["goals"][g] = {"probability": s["probability"], "ci95": s["ci95"]}
        for name in RISKS:
            risk = (r.summary.get("risks") or {}).get(name)
            if risk:
                entry["risks"][name] = risk["probability_any_year"]
        years = r.summary.get("years", [])
        for name, year in MEDIANS:
            table = (r.summary.get("percentiles") or {}).get(name)
            if table and year in years:
                entry["medians"][f"{name} {year}"] = table["p50"][years.index(year)]
        entry["costs"] = costs_from_summary(r.summary)
        entry["stressed"] = "stress" in r.summary
        if r is not ref:
            why_not = pairable(ref, r) if paired is not False else "not asked to pair"
            if why_not is not None and paired:
                raise CompareError(f"{r.directory}: cannot be paired with {ref.directory}: {why_not}; "
                                   "without --paired they are compared as independent runs")
            entry["paired"] = why_not is None
            entry["compared_as"] = ("paired: the same seed and paths" if why_not is None
                                    else f"independent runs ({why_not}): the difference's error adds both runs'")
            for g in goals:
                if why_not is None:
                    d = paired_difference(ref.hits()[g], r.hits()[g])
                else:
                    a, b = ref.summary["goals"][g], r.summary["goals"][g]
                    d = independent_difference(a["probability"], ref.summary["paths"], b["probability"],
                                               r.summary["paths"])
                entry["goals"][g].update(d)
            found = stress_reasons(ref.summary, r.summary, entry)
            if found:
                entry["reasons"] = found
        out["runs"].append(entry)
    out["why_paired"] = WHY_PAIRED
    return out


def stress_reasons(reference: dict[str, Any], run: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """For each goal a stressed run raises beyond its error against the reference: the attribution's
    reasons (simulator.whatif.reasons), from the two summaries (the reference's attribution, both runs'
    yearly means over the goal's years)."""
    if not entry["stressed"] or reference.get("stress") == run.get("stress"):  # not a stress of its own
        return {}
    years = [int(y) for y in reference.get("years", [])]
    out = {}
    for goal, d in entry["goals"].items():
        if not why.against_intuition(True, d.get("diff"), d.get("diff_stderr")):
            continue
        met, missed = why.summary_attribution(reference, goal)
        span = _span(reference, goal)
        if not met or not span:
            continue
        out[goal] = why.as_dicts(why.reasons(why.over_years(why.summary_means(reference), years, span),
                                             why.over_years(why.summary_means(run), years, span), met, missed))
    return out


def _span(summary: dict[str, Any], goal: str) -> list[int]:
    """The goal's years from the attribution's ``over`` ("2027-2030" or "2030")."""
    rows = (summary.get("attribution") or {}).get(goal) or []
    spans = [r.get("over", "") for r in rows if isinstance(r, dict) and "-" in str(r.get("over", ""))]
    if not spans:
        return []
    first, last = (int(x) for x in spans[0].split("-"))
    return list(range(first, last + 1))

