"""The assumptions the answers hang on: each goal's probability with one judgment parameter at a
documented low and high value, on the same random numbers as the run (summary.json ``assumptions``).

Each entry moves one scenario field (or a pair that is one assumption, like the equity drift of both
markets) from the scenario's value by a documented step; docs/policy.md and docs/calibration.md give
the reasoning. A fitted parameter the record identifies steps by one standard error (from the
scenario's [calibration.standard_errors]); the budget deviation's mean (which four correlated crisis
years cannot identify) and the judgment parameters move over a stated plausible range with its source. Variants that only
change the accounts share one economy (the model kernel runs them together); those that change the
economy run on their own, with the same seed and paths.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from simulator.i18n import t as tr
from simulator.run.options import RunOptions
from simulator.scenario.base import ScenarioError
from simulator.scenario.loader import parse_scenario, with_values
from simulator.scenario.schema import Scenario, scenario_to_dict
from simulator.whatif.variants import run_variants

#: How many paths the assumption table uses at most: the first paths of the run, i.e. its random numbers.
DEFAULT_PATHS = 10_000


class Assumption(NamedTuple):
    name: str  # its label is simulator.i18n's assumption.<name>
    fields: tuple[str, ...]  # the dotted fields it moves (together)
    step: Callable[[Scenario, float], tuple[float, float]]  # (current value) -> (low, high)
    economy: bool  # whether it changes the economy (then it cannot share the run's economy)


def _fitted_step(path: str, fallback: float) -> Callable[[Scenario, float], tuple[float, float]]:
    """One standard error either side (the calibrated one, else a stated fallback)."""
    def step(scenario: Scenario, value: float) -> tuple[float, float]:
        se = scenario.calibration.standard_errors.get(path, fallback)
        return value - se, value + se
    return step


def _range(low: float, high: float) -> Callable[[Scenario, float], tuple[float, float]]:
    return lambda scenario, value: (low, high)


def _shift(by: float) -> Callable[[Scenario, float], tuple[float, float]]:
    return lambda scenario, value: (value - by, value + by)


def _record_spread(low: float, fallback: float) -> Callable[[Scenario, float], tuple[float, float]]:
    """The budget deviation's spread from the prior's normal years (``low``) to what the crisis record
    gives alone (calibration.without_prior; the value + ``fallback`` without it)."""
    def step(scenario: Scenario, value: float) -> tuple[float, float]:
        alone = scenario.calibration.without_prior.get("accounts.budget_deviation.volatility_frac")
        return low, alone if alone is not None else value + fallback
    return step


ASSUMPTIONS: tuple[Assumption, ...] = (
    # a plausible range, not one standard error of a mean the record cannot identify (docs/policy.md 4)
    Assumption("accounts.budget_deviation.mean_frac",
               ("accounts.budget_deviation.mean_frac",), _shift(0.015), False),
    Assumption("accounts.budget_deviation.volatility_frac",
               ("accounts.budget_deviation.volatility_frac",), _record_spread(0.03, 0.02), False),
    Assumption("accounts.budget_deviation.persistence",
               ("accounts.budget_deviation.persistence",), _range(0.6, 0.95), False),
    Assumption("accounts.plan_slippage.unrealised_frac",
               ("accounts.plan_slippage.unrealised_frac",),
               _fitted_step("accounts.plan_slippage.unrealised_frac", 0.2), False),
    Assumption("policy.reaction.strength_frac",
               ("policy.reaction.strength_frac",), _range(0.25, 1.0), False),
    Assumption("policy.reaction.symmetric.above_target_frac",
               ("policy.reaction.symmetric.above_target_frac",), _range(0.0, 0.04), False),
    Assumption("pension.deposits.surplus_share_frac",
               ("pension.deposits.surplus_share_frac",), _range(0.25, 0.75), False),
    Assumption("economy.wage.real_growth_pa",
               ("economy.wage.real_growth_pa",), _shift(0.006), True),
    Assumption("economy.equity.calm.log_drift_pa",
               ("economy.equity.calm.sweden_log_drift_pa", "economy.equity.calm.global_log_drift_pa"),
               _shift(0.02), True),
    Assumption("accounts.after_plan.general_grants_growth_pa",
               ("accounts.after_plan.general_grants_growth_pa",), _range(0.01, 0.03), False),
)


def _get(data: dict[str, Any], dotted: str) -> Any:
    node: Any = data
    for key in dotted.split("."):
        node = node[key]
    return node


def variants(scenario: Scenario) -> tuple[list[tuple[Assumption, str, float, Scenario]], dict[str, str]]:
    """(assumption, "low"/"high", displayed value, the scenario with it) for every entry whose value
    the scenario allows, and why the others were left out; the displayed value is the first field's
    (a pair moves together by the same step)."""
    data = scenario_to_dict(scenario)
    out, skipped = [], {}
    for a in ASSUMPTIONS:
        values = [_get(data, f) for f in a.fields]
        steps = [a.step(scenario, v) for v in values]
        for side in (0, 1):
            changed = with_values(data, {f: s[side] for f, s in zip(a.fields, steps)})
            try:
                varied = parse_scenario(changed, f"assumption {a.name}")
            except ScenarioError as exc:  # a step outside what the scenario allows: say so, not fail
                skipped[f"{a.name}.{('low', 'high')[side]}"] = str(exc)
                continue
            out.append((a, ("low", "high")[side], steps[0][side], varied))
    return out, skipped


def assumption_table(scenario: Scenario, options: RunOptions, max_paths: int = DEFAULT_PATHS,
                     keep: np.ndarray | None = None) -> tuple[dict[str, Any], int]:
    """summary.json ``assumptions`` and the number of paths it used (the run's first paths; with
    ``keep``, a mask over the run's paths, only those of them that --condition kept)."""
    n = 1 if options.deterministic else min(options.paths, max_paths)
    opts = options._replace(paths=n, keep_monthly=False)
    runs, skipped = variants(scenario)
    # memory bounded by chunk x batch path-variants (simulator.whatif.variants), not by paths x variants:
    # only each goal's outcome per path is kept
    results = run_variants([v for *_rest, v in runs], opts)
    probabilities: list[dict[str, float]] = []
    for i in range(len(runs)):
        probabilities.append({goal: float(np.mean(hits[i] if keep is None else hits[i][keep[:n]]))
                              for goal, hits in results.goals.items()})
    table: dict[str, Any] = {}
    for (a, side, value, _), probs in zip(runs, probabilities):
        entry = table.setdefault(a.name, {"description": tr(f"assumption.{a.name}", "sv")})
        entry[side] = {"value": float(value), "goals": probs}
    for key, reason in skipped.items():
        name, side = key.rsplit(".", 1)
        table.setdefault(name, {})[side] = {"skipped": reason}
    return table, (n if keep is None else int(keep[:n].sum()))
