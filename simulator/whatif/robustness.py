"""Robustness: each contested modelling choice at the reading a sceptic would take, and all of them at
once (the sceptic's combination), with each headline goal's paired difference against the run on the
same random numbers (summary.json ``robustness``; docs/policy.md section 9).

A choice is declared here with the scenario fields its alternative sets (a function of the scenario, so
the alternative of a choice the scenario already reads the other way is said, not run). The variants
and the run's own scenario go through simulator.whatif.variants.run_variants together: they share one
economy per path, so a path meets or misses a goal under both readings on the same draws, and the
paired standard error (simulator.whatif.paired) is set by the paths the choice changed. The headline
goals are those the scenario declares as answers (``answer =``).

The same variants give the protection-breach risk of the dynamiska riskprincipen under both ways of
acting (per tertial only, and with the immediate trigger), labelled, for summary.json ``risks``.
"""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import numpy as np

from simulator.i18n import t as tr
from simulator.model.goals import answer_goals, share_statistics
from simulator.run.options import RunOptions
from simulator.scenario.base import ScenarioError
from simulator.scenario.loader import parse_scenario, with_values
from simulator.scenario.schema import Scenario, scenario_to_dict
from simulator.whatif.paired import paired_difference
from simulator.whatif.variants import run_variants

#: How many of the run's paths the table uses at most (the first ones: the run's random numbers).
DEFAULT_PATHS = 10_000
#: summary.json's key for the declared combination of every choice at its alternative
SCEPTIC = "sceptics_combination"
#: the immediate trigger the DRP choice switches on when a scenario has none (base.toml's default)
DEFAULT_TRIGGER_FRAC = 0.10


class Choice(NamedTuple):
    name: str  # its label is simulator.i18n's robustness.<name>
    alternative: Callable[[Scenario], dict[str, Any] | str]  # the fields it sets, or why it does not apply


def _slippage(sc: Scenario) -> dict[str, Any]:
    """The plan slips by one standard error more than the estimate (the revision on record that became a
    budget left 0.94 unrealised); without a standard error, fully (1.0)."""
    value = sc.accounts.plan_slippage.unrealised_frac
    se = sc.calibration.standard_errors.get("accounts.plan_slippage.unrealised_frac")
    return {"accounts.plan_slippage.unrealised_frac": min(value + se, 1.0) if se is not None else 1.0}


def _spending(sc: Scenario) -> dict[str, Any] | str:
    """Every surplus above the aim is spent: the band's upper edge at the aim itself."""
    if not (sc.policy.reaction.enabled and sc.policy.reaction.symmetric.enabled):
        return "the scenario spends no surplus (policy.reaction.symmetric.enabled = false)"
    return {"policy.reaction.symmetric.above_target_frac": 0.0}


def _no_tax(sc: Scenario) -> dict[str, Any] | str:
    """The reaction raises no taxes: savings only (the plan's own path, AR 3864-3870)."""
    order = sc.policy.reaction.order
    if not sc.policy.reaction.enabled or "tax" not in order:
        return "the scenario's reaction raises no taxes"
    return {"policy.reaction.order": [o for o in order if o != "tax"] or ["savings"]}


def _booked_cap(sc: Scenario) -> dict[str, Any] | str:
    """Deposits stop at the booked provision (the goal's wording) instead of the whole obligation."""
    if sc.pension.deposits.cap_measure == "booked":
        return "the scenario's deposits already stop at the booked provision"
    return {"pension.deposits.cap_measure": "booked"}


def _deposit_share(sc: Scenario) -> dict[str, Any] | str:
    """Half the deposit share: a quarter of the result above the threshold goes to the fund."""
    if sc.pension.deposits.policy != "share_of_surplus":
        return f"the scenario's deposits are not a share of the surplus (policy {sc.pension.deposits.policy!r})"
    return {"pension.deposits.surplus_share_frac": sc.pension.deposits.surplus_share_frac / 2}


def _record_alone(sc: Scenario) -> dict[str, Any] | str:
    """The budget deviation as the record alone gives it, without the judgment prior."""
    alone = sc.calibration.without_prior
    fields = ("accounts.budget_deviation.mean_frac", "accounts.budget_deviation.volatility_frac")
    if not all(f in alone for f in fields):
        return "the scenario's calibration gives no fit without the prior (calibration.without_prior)"
    return {f: alone[f] for f in fields}


def _drp(sc: Scenario) -> dict[str, Any]:
    """The other way of acting on the dynamiska riskprincipen: per tertial only when the scenario has the
    immediate trigger, with it (10 pp) when it has none."""
    trigger = sc.pension.risk_rule.immediate_trigger_frac
    return {"pension.risk_rule.immediate_trigger_frac": None if trigger is not None else DEFAULT_TRIGGER_FRAC}


CHOICES: tuple[Choice, ...] = (
    Choice("plan_slippage", _slippage),
    Choice("spending_band", _spending),
    Choice("no_tax_rises", _no_tax),
    Choice("deposit_cap_booked", _booked_cap),
    Choice("deposit_share", _deposit_share),
    Choice("budget_deviation_record_alone", _record_alone),
    Choice("drp_acting", _drp),
)


class Variant(NamedTuple):
    name: str
    fields: dict[str, Any]
    scenario: Scenario


def variants(scenario: Scenario) -> tuple[list[Variant], dict[str, str]]:
    """Each applicable choice's variant, then the sceptic's combination (every applicable alternative at
    once), and why the others were left out."""
    data = scenario_to_dict(scenario)
    out, skipped, combined = [], {}, {}
    for choice in CHOICES:
        fields = choice.alternative(scenario)
        if isinstance(fields, str):
            skipped[choice.name] = fields
            continue
        try:
            varied = parse_scenario(with_values(data, fields), f"robustness {choice.name}")
        except ScenarioError as exc:  # an alternative the scenario does not allow: say so, not fail
            skipped[choice.name] = str(exc)
            continue
        out.append(Variant(choice.name, fields, varied))
        combined.update(fields)
    if out:
        out.append(Variant(SCEPTIC, combined, parse_scenario(with_values(data, combined), f"robustness {SCEPTIC}")))
    return out, skipped


def _number(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _clean(x: Any) -> Any:
    return round(x, 10) if isinstance(x, float) else x


def _shown(fields: dict[str, Any]) -> Any:
    """An entry's ``value``: the single field's value, or every field's by its dotted path."""
    return _clean(next(iter(fields.values()))) if len(fields) == 1 else {k: _clean(v) for k, v in fields.items()}


class Robustness(NamedTuple):
    table: dict[str, Any]  # summary.json robustness
    paths: int  # the paths it used
    protection_breach: dict[str, Any]  # the breach risk under each way of acting (risks.protection_breach.by_rule)


def protection_rule(scenario: Scenario, lang: str = "sv") -> str:
    """How the scenario's managers act on the dynamiska riskprincipen, as a person says it."""
    rule = scenario.pension.risk_rule
    if rule.immediate_trigger_frac is None:
        return tr("robustness.rule.scheduled", lang, months=rule.rebalance_every_months)
    return tr("robustness.rule.trigger", lang, months=rule.rebalance_every_months,
              points=round(100 * rule.immediate_trigger_frac))


def _breach_entry(scenario: Scenario, breached: np.ndarray) -> dict[str, Any]:
    stats = share_statistics(int(breached.sum()), int(breached.size))
    return {"description": protection_rule(scenario), "probability_any_year": float(stats["probability"]),
            "ci95_any_year": [float(x) for x in stats["ci95"]], "paths": int(breached.size)}


def robustness_table(scenario: Scenario, options: RunOptions, max_paths: int = DEFAULT_PATHS,
                     keep: np.ndarray | None = None) -> Robustness:
    """summary.json ``robustness`` on the run's first paths (with ``keep``, a mask over the run's paths,
    only those of them that --condition kept), and the protection-breach risk under each way of acting."""
    n = 1 if options.deterministic else min(options.paths, max_paths)
    opts = options._replace(paths=n, keep_monthly=False)
    runs, skipped = variants(scenario)
    results = run_variants([scenario, *(v.scenario for v in runs)], opts, keep=("protection_breach",))
    mask = np.ones(n, dtype=bool) if keep is None else keep[:n]
    headline = [g for g in answer_goals(scenario.goals) if g in results.goals]
    table: dict[str, Any] = {}
    for i, v in enumerate(runs, start=1):
        goals = {}
        for g in headline:
            reference, varied = results.goals[g][0][mask], results.goals[g][i][mask]
            d = paired_difference(reference, varied)
            goals[g] = {"probability": float(varied.mean()), "diff": d["diff"], "stderr": _number(d["diff_stderr"])}
        table[v.name] = {"description": tr(f"robustness.{v.name}", "sv"), "value": _shown(v.fields),
                         "set": {k: _clean(x) for k, x in v.fields.items()}, "goals": goals}
    for name, reason in skipped.items():
        table[name] = {"description": tr(f"robustness.{name}", "sv"), "skipped": reason}
    breach = {}
    drp = next((i for i, v in enumerate(runs, start=1) if v.name == "drp_acting"), None)
    if drp is not None:
        for i, sc in ((0, scenario), (drp, runs[drp - 1].scenario)):
            key = "tertial_only" if sc.pension.risk_rule.immediate_trigger_frac is None else "with_immediate_trigger"
            breach[key] = _breach_entry(sc, (results.kept["protection_breach"][i][mask] > 0).any(axis=1))
    return Robustness(table=table, paths=int(mask.sum()), protection_breach=breach)


def add_to_summary(summary: dict[str, Any], scenario: Scenario, robustness: Robustness | None) -> None:
    """summary.json ``robustness`` and ``robustness_paths``, and the protection-breach risk labelled by the
    way the managers act (``risks.protection_breach.rule``), under both ways when the table was run
    (``by_rule``: on the table's paths)."""
    breach = summary.get("risks", {}).get("protection_breach")
    if breach is not None:
        breach["rule"] = protection_rule(scenario)
    if robustness is None:
        return
    summary["robustness"] = robustness.table
    summary["robustness_paths"] = robustness.paths
    if breach is not None and robustness.protection_breach:
        breach["by_rule"] = robustness.protection_breach
