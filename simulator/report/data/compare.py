"""Several directories -> one Report; what ``simulator compare --out`` wrote (compare.json) stands for
the runs it compared; and the paired differences between the runs."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from simulator.report.data.model import PairedDifference, Report, ReportInputError, Run
from simulator.report.data.run import load_run
from simulator.report.data.summary import SUMMARY_FILE, read_summary
from simulator.whatif.paired import paired_difference

COMPARE_FILE = "compare.json"  # simulator compare --out: the runs it compared


def load_report(directories: Sequence[str | Path]) -> Report:
    """Read every directory; the first is the report's subject, deterministic ones give the zero-shock
    path, the rest are shown beside it (e.g. "oförändrad politik" beside the base). A directory that
    `simulator compare --out` wrote stands for the runs it compared."""
    if not directories:
        raise ReportInputError("give at least one result directory")
    expanded: list[Path] = []
    for d in directories:
        expanded += compared_runs(Path(d)) or [Path(d)]
    runs = [load_run(d) for d in expanded]
    main, rest = runs[0], runs[1:]
    zero = next((r for r in rest if r.deterministic and not main.deterministic), None)
    return Report(main=main, others=[r for r in rest if r is not zero], zero_shock_run=zero)


def compared_runs(directory: Path) -> list[Path]:
    """The run directories a compare.json lists (empty when the directory holds none)."""
    path = directory / COMPARE_FILE
    if not path.is_file() or (directory / SUMMARY_FILE).is_file():
        return []
    data = read_summary(path)
    runs = data.get("runs") if isinstance(data, dict) else None
    if not isinstance(runs, list) or not all(isinstance(r, dict) and r.get("directory") for r in runs):
        raise ReportInputError(f"{path}: not what simulator compare writes (no runs with their directories)")
    return [Path(r["directory"]) for r in runs]


def paired_differences(main: Run, others: Sequence[Run], run_labels: Sequence[str] | None = None,
                       lang: str = "sv") -> list[PairedDifference]:
    """Each goal in each other run minus the main run, paired path by path (common random numbers,
    ``simulator.whatif.paired``). Only for runs sharing seed and paths whose per-path goal outcomes are stored."""
    out = []
    for k, other in enumerate(others):
        same_paths = (other.provenance.seed == main.provenance.seed
                      and other.provenance.paths == main.provenance.paths)
        if not same_paths or other.deterministic or main.deterministic:
            continue
        label = run_labels[k] if run_labels else other.directory.name
        for goal in main.goals:
            a, b = main.goal_outcomes.get(goal.name), other.goal_outcomes.get(goal.name)
            if a is None or b is None or a.shape != b.shape or a.size < 2:
                continue
            d = paired_difference(a, b)  # the one rule, shared with simulator compare and sweep
            out.append(PairedDifference(
                goal=goal.name, goal_label=goal.label(lang), run_label=label, difference=d["diff"],
                stderr=d["diff_stderr"], gained=d["gained"], lost=d["lost"]))
    return out
