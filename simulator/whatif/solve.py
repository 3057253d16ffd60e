"""`simulator solve`: the smallest lever value whose goal probability reaches a target, on common random
numbers, with the range of values the Monte Carlo error cannot tell apart from the target.

On one sample of paths, a lever that helps a goal (a savings programme, a tax rise) can only turn paths
from missing it to meeting it, so the sample's probability is monotone in the lever and a search on it
converges; the random numbers are the same at every value (simulator.whatif.variants), so two values differ
only by the lever. The search evaluates a grid of ``points`` values at once (one kernel call shares the
economy), keeps the bracket where the probability crosses the target and repeats ``rounds`` times. A
lever that hurts the goal is searched the other way: the answer is then the largest value that still
reaches the target. The interval is every evaluated value whose 95 % interval of the probability
contains the target, found on a grid around the answer widened until both ends are clear of it.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from simulator.model.goals import Z95
from simulator.run.options import RunOptions
from simulator.scenario.base import ScenarioError
from simulator.scenario.loader import parse_scenario, with_values
from simulator.scenario.overrides import describe
from simulator.scenario.schema import Scenario
from simulator.whatif.costs import COST_VARIABLES, cost_years, lever_costs
from simulator.whatif.reasons import goal_span
from simulator.whatif.variants import run_variants

#: what solve says of its answer besides the probability: the tax rate in force and the result as a
#: share of taxes and grants (their medians over the paths, per year of the goal)
OUTCOME_VARIABLES = ("tax_rate_kr", "result_share_of_tax_and_grants")


class Searcher:
    """Evaluates P(goal) at lever values on the same paths, remembering every evaluation."""

    def __init__(self, data: dict[str, Any], source: str, goal: str, lever: str, integer: bool,
                 options: RunOptions, progress: Callable[[int], None] | None = None):
        self.data, self.source, self.goal, self.lever, self.integer = data, source, goal, lever, integer
        self.options, self.progress = options, progress
        self.seen: dict[float, float] = {}
        self.n = 1 if options.deterministic else options.paths

    def scenario(self, value: float) -> Scenario:
        v = int(round(value)) if self.integer else float(value)
        return parse_scenario(with_values(self.data, {self.lever: v}), f"{self.source} --set {self.lever}={v}")

    def evaluate(self, values: list[float]) -> None:
        new = [v for v in dict.fromkeys(values) if v not in self.seen]
        if not new:
            return
        scenarios = [self.scenario(v) for v in new]
        if self.goal not in scenarios[0].goals:
            raise ScenarioError(f"--goal: the scenario has no goal {self.goal!r} (goals: {', '.join(scenarios[0].goals)})")
        result = run_variants(scenarios, self.options, progress=self.progress)
        for v, hits in zip(new, result.goals[self.goal]):
            self.seen[v] = float(hits.mean())

    def grid(self, lo: float, hi: float, points: int) -> list[float]:
        if self.integer:
            return sorted({int(round(x)) for x in np.linspace(lo, hi, points)})
        return [float(x) for x in np.linspace(lo, hi, points)]

    def se(self, p: float) -> float:
        return (p * (1 - p) / self.n) ** 0.5


def solve(searcher: Searcher, target: float, lo: float, hi: float, points: int = 9, rounds: int = 3) -> dict[str, Any]:
    s = searcher
    s.evaluate([lo, hi])
    increasing = s.seen[hi] >= s.seen[lo]
    meets = (lambda v: s.seen[v] >= target)
    a, b = lo, hi
    for _ in range(rounds):
        grid = s.grid(a, b, points)
        s.evaluate(grid)
        hits = [v for v in grid if meets(v)]
        if not hits:
            break
        if increasing:
            j = grid.index(min(hits))
            a, b = (grid[j - 1] if j > 0 else grid[0]), grid[j]
        else:
            j = grid.index(max(hits))
            a, b = grid[j], (grid[j + 1] if j + 1 < len(grid) else grid[j])
        if a == b or (s.integer and b - a <= 1):
            break
    reached = [v for v in s.seen if meets(v)]
    if not reached:
        best = max(s.seen, key=s.seen.get)
        return {"value": None, "interval": None, "probability": s.seen[best], "increasing": increasing,
                "note": f"no value in {lo}..{hi} reaches {target:.3f}; the highest probability is "
                        f"{s.seen[best]:.3f} at {best}"}
    value = min(reached) if increasing else max(reached)
    interval = _indistinguishable(s, target, value, lo, hi, points)
    decimals = shown_decimals(interval, s.integer, (hi - lo) / (points - 1) ** rounds)
    return {"value": value, "interval": interval, "probability": s.seen[value], "increasing": increasing,
            "decimals": decimals, "value_text": f"{value:.{decimals}f}", **outcome(s, value)}


def shown_decimals(interval: list[float], integer: bool, resolution: float) -> int:
    """The decimals the answer deserves: the first that the interval of values the simulation cannot
    tell apart resolves (an interval 3.71-3.95 supports 3.8, not 3.8214); an integer lever none. An
    interval of one value falls back on the search's resolution."""
    if integer:
        return 0
    width = interval[1] - interval[0] if interval else 0.0
    width = width if width > 0 else resolution
    return max(0, math.ceil(-math.log10(width))) if width > 0 else 2


def outcome(s: Searcher, value: float) -> dict[str, Any]:
    """At the answer: the median tax rate and result share per year of the goal, and what the levers
    cost in MSEK a year (simulator.whatif.costs); on the same paths as the search."""
    scenario = s.scenario(value)
    result = run_variants([scenario], s.options, keep=OUTCOME_VARIABLES, means=COST_VARIABLES, progress=s.progress)
    years = [int(y) for y in result.years]
    span = [y for y in goal_span(scenario.goals, s.goal) if y in years]
    medians = {name: {str(y): float(np.median(result.kept[name][0][:, years.index(y)])) for y in span}
               for name in OUTCOME_VARIABLES}
    costs = lever_costs({k: result.means[k][0] for k in COST_VARIABLES}, years, scenario.accounts.tax_rate_kr,
                        cost_years(scenario.goals, years))
    return {"median_tax_rate_kr": medians["tax_rate_kr"],
            "median_result_share": medians["result_share_of_tax_and_grants"], "lever_costs": costs,
            "goal_description": scenario.goals[s.goal].description}


def _indistinguishable(s: Searcher, target: float, value: float, lo: float, hi: float, points: int) -> list[float]:
    """The evaluated values whose 95 % interval contains the target, on a grid around the answer
    widened until its ends are clear of the target (or hit the range)."""
    close = (lambda v: abs(s.seen[v] - target) <= Z95 * s.se(s.seen[v]))
    width = max((hi - lo) / (points - 1) ** 2, 1 if s.integer else 0.0)
    for _ in range(8):
        a, b = max(lo, value - width), min(hi, value + width)
        grid = s.grid(a, b, points)
        s.evaluate(grid)
        inside = [v for v in grid if close(v)]
        ends_clear = (not close(grid[0]) or grid[0] == lo) and (not close(grid[-1]) or grid[-1] == hi)
        if inside and ends_clear:
            break
        width *= 2
    inside = sorted(v for v in s.seen if close(v))
    return [inside[0], inside[-1]] if inside else [value, value]


def parse_range(text: str) -> tuple[float, float]:
    lo_text, sep, hi_text = text.partition(":")
    try:
        lo, hi = float(lo_text), float(hi_text)
    except ValueError:
        raise ScenarioError(f"--range: {text!r} is not LO:HI (two numbers, e.g. 0:3)") from None
    if not sep or not lo < hi:
        raise ScenarioError(f"--range: {text!r} must be LO:HI with LO below HI")
    return lo, hi


def integer_lever(lever: str) -> bool:
    """Whether the lever's field holds whole numbers (a year): then the search runs on integers. Walks
    the scenario models by the dotted path (a by-year map's key selects its values' type)."""
    import typing

    from pydantic import BaseModel


    annotation: Any = Scenario
    for key in lever.split("."):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(key)
            if field is None:
                raise ScenarioError(f"--lever: {lever!r} is not a scenario field ({key!r} unknown)")
            annotation = field.annotation
        elif typing.get_origin(annotation) is dict:
            annotation = typing.get_args(annotation)[1]
        elif args:  # Optional[...] / Annotated[...]: look inside
            annotation = args[0]
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                field = annotation.model_fields.get(key)
                if field is None:
                    raise ScenarioError(f"--lever: {lever!r} is not a scenario field ({key!r} unknown)")
                annotation = field.annotation
        else:
            raise ScenarioError(f"--lever: {lever!r} is not a scenario field ({key!r} has no subfields)")
    while typing.get_origin(annotation) in (typing.Union, typing.Annotated) or (
            hasattr(typing, "UnionType") and isinstance(annotation, __import__("types").UnionType)):
        annotation = [a for a in typing.get_args(annotation) if a is not type(None)][0]
    return annotation is int


def solve_command(data: dict[str, Any], source: str, goal: str, target: float, lever: str, range_text: str,
                  options: RunOptions, frontier: tuple[str, list[Any]] | None = None,
                  progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """One answer, or one per value of the frontier lever (a row each)."""
    if not 0.0 < target < 1.0:
        raise ScenarioError(f"--at-least: must be a probability between 0 and 1 (got {target})")
    lo, hi = parse_range(range_text)
    integer = integer_lever(lever)
    base = {"goal": goal, "target": target, "lever": lever, "range": [lo, hi], "paths": options.paths,
            "seed": options.seed}
    if frontier is None:
        searcher = Searcher(data, source, goal, lever, integer, options, progress)
        return {**base, **solve(searcher, target, lo, hi)}
    key, values = frontier
    rows = []
    for v in values:
        fixed = with_values(data, {key: v})
        searcher = Searcher(fixed, f"{source} --set {describe({key: v})}", goal, lever, integer, options, progress)
        rows.append({key: v, **solve(searcher, target, lo, hi)})
    return {**base, "frontier": key, "rows": rows}
