"""Many policy variants on common random numbers: the machinery under sweep, solve and the assumption table.

Every variant sees the same random numbers path by path (draws are keyed by seed and path, never by
the variant). Variants whose economy is the same (levers of the accounts, the pension, the policy) run
together: the model kernel draws each path's economy once and runs every variant's accounts on it.
Variants that change the economy (a driver's parameter) form their own groups, on the same seed.
Memory is bounded by ``chunk_size`` x ``batch`` path-variants at a time, whatever the counts; what is
kept is each goal's outcome per path and the chosen variables (float32) for percentiles.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from simulator.model.drivers import economy_inputs
from simulator.model.goals import evaluate_goals
from simulator.model.simulate import model_inputs, simulate_chunk
from simulator.model.stress import stress_array
from simulator.run.options import RunOptions, chunk_bounds
from simulator.run.progress import ambient
from simulator.scenario.schema import Scenario

#: path-variants per kernel call: 16 variants of 2 000 paths is ~430 MB of annual outputs at once
DEFAULT_BATCH = 16


class VariantResults(NamedTuple):
    goals: dict[str, np.ndarray]  # goal -> (variants, paths) bool
    kept: dict[str, np.ndarray]  # variable -> (variants, paths, years) float32
    years: np.ndarray
    means: dict[str, np.ndarray] = {}  # variable -> (variants, years): the mean over all paths
    means_met: dict[str, dict[str, np.ndarray]] = {}  # goal -> variable -> (variants, years): over the paths meeting it


def economy_key(scenario: Scenario) -> bytes:
    """What a variant's economy is made of: variants with the same key can share one kernel call."""

    e = economy_inputs(scenario, stress=stress_array(scenario))
    return e.params.tobytes() + e.tax_anchor.tobytes() + e.stress.tobytes() + e.pbb_known.tobytes()


def groups(variants: list[Scenario]) -> list[list[int]]:
    """Indices of the variants, grouped by economy, each group in the variants' order."""
    by_key: dict[bytes, list[int]] = {}
    for i, v in enumerate(variants):
        by_key.setdefault(economy_key(v), []).append(i)
    return list(by_key.values())


def run_variants(variants: list[Scenario], options: RunOptions, keep: tuple[str, ...] = (),
                 batch: int = DEFAULT_BATCH, progress: Callable[[int], None] | None = None,
                 means: tuple[str, ...] = ()) -> VariantResults:
    """Each goal's outcome per path and the chosen variables, for every variant, on the same paths.
    All variants must declare the same goals (the first's are evaluated). ``progress`` is called with
    the number of path-variants done after each kernel call (default: the bar the command shows,
    simulator.run.progress). ``means``: variables whose mean per year is kept per variant, over all
    paths and over the paths meeting each goal (what a lever costs, and why a goal moved)."""
    progress = progress if progress is not None else ambient()
    n_paths = 1 if options.deterministic else options.paths
    goals = variants[0].goals
    years = np.asarray(variants[0].simulation.years)
    met = {g: np.zeros((len(variants), n_paths), dtype=bool) for g in goals}
    kept = {k: np.zeros((len(variants), n_paths, years.size), dtype=np.float32) for k in keep}
    sums = {k: np.zeros((len(variants), years.size)) for k in means}
    sums_met = {g: {k: np.zeros((len(variants), years.size)) for k in means} for g in goals}
    stochastic = not options.deterministic
    for group in groups(variants):
        for b in range(0, len(group), batch):
            members = group[b:b + batch]
            inputs = model_inputs(variants[members[0]], deterministic=options.deterministic,
                                  variants=[variants[i] for i in members])
            for start, size in chunk_bounds(n_paths, options.chunk_size):
                out, _, _ = simulate_chunk(inputs, options.seed, start, size, stochastic, False)
                for v, i in enumerate(members):
                    annual = {name: out[v][name] for name in out.dtype.names}
                    for g, hits in evaluate_goals(goals, annual, years).items():
                        met[g][i, start:start + size] = hits
                        for k in means:
                            sums_met[g][k][i] += annual[k][hits].sum(axis=0)
                    for k in keep:
                        kept[k][i, start:start + size] = annual[k]
                    for k in means:
                        sums[k][i] += annual[k].sum(axis=0)
                progress(size * len(members))
    meeting = {g: hits.sum(axis=1)[:, None] for g, hits in met.items()}  # none meeting: the mean is NaN
    with np.errstate(invalid="ignore", divide="ignore"):
        return VariantResults(goals=met, kept=kept, years=years, means={k: v / n_paths for k, v in sums.items()},
                              means_met={g: {k: v / meeting[g] for k, v in by.items()}
                                         for g, by in sums_met.items()})
