"""Calibration, stage 5: the output. ``render_toml`` writes the ``[economy]`` tables with a comment on every
value (``fitted: ...`` or ``judgment: ...``) and the standard errors; ``render_table`` the printed table.
Text only: the command writes the file. Imports :mod:`.fit`'s result and :mod:`.judgment`'s estimate.
"""

from __future__ import annotations

from typing import Any

from simulator.calibration.fit import Calibration
from simulator.calibration.judgment import Estimate


def _toml_value(value: Any) -> str:
    """A value as TOML text (inline tables and arrays for the judgment's tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(type(value))


def _round(value: Any, se: float | None) -> Any:
    """Fitted values to 4 significant digits (more would claim precision the se denies)."""
    if isinstance(value, float) and se is not None:
        return float(f"{value:.4g}")
    return value


def _comment(e: Estimate) -> str:
    """The comment after a value: its source, what it was fitted to or why it was set, and the se."""
    if e.source == "fitted" and e.se is not None:
        return f"fitted: {e.note}, se {e.se:.2g}"
    return f"{e.source}: {e.note}"


def render_toml(cal: Calibration, header: str, extra_tables: list[str] = (),
                extra_se: dict[str, float] | None = None) -> str:
    """The ``[economy]`` tables with a comment on every value (tomli_w cannot write comments), then
    ``extra_tables`` (lines: the budget-deviation fit) and the standard errors of every fitted value."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()] + [""]
    tables: dict[str, list[Estimate]] = {}
    for path, e in cal.estimates.items():
        table, _, _ = path.rpartition(".")
        tables.setdefault(table, []).append(e)
    for table in sorted(tables, key=lambda t: list(cal.estimates).index(tables[t][0].path)):
        lines.append(f"[economy.{table}]")
        for e in tables[table]:
            key = e.path.rpartition(".")[2]
            if key == "matrix" and isinstance(e.value, list):
                lines.append(f"# {_comment(e)}")
                lines.append("matrix = [")
                lines += ["  [" + ", ".join(f"{x:6.3f}" for x in row) + "]," for row in e.value]
                lines.append("]")
                continue
            lines.append(f"{key} = {_toml_value(_round(e.value, e.se))}  # {_comment(e)}")
        lines.append("")
    lines += list(extra_tables)
    lines += render_standard_errors({**{f"economy.{e.path}": e.se for e in cal.estimates.values()
                                        if e.source == "fitted" and e.se is not None
                                        and isinstance(e.value, float)}, **(extra_se or {})})
    return "\n".join(lines)


def render_standard_errors(se: dict[str, float]) -> list[str]:
    """The fitted parameters' standard errors, by dotted path, for --parameter-uncertainty."""
    lines = ["# standard errors of the fitted values above (for --parameter-uncertainty)",
             "[calibration.standard_errors]"]
    lines += [f'"{path}" = {value:.4g}  # fitted: standard error of {path}' for path, value in se.items()]
    return lines + [""]


def render_table(cal: Calibration) -> str:
    """The printed table: every parameter with its estimate, standard error and source, then the warnings."""
    rows = [f"{'parameter':<46} {'estimate':>10} {'std.err.':>9}  source"]
    for path, e in cal.estimates.items():
        if isinstance(e.value, (list, dict)):
            shown = "(table)"
        else:
            shown = f"{e.value:.4g}"
        se = f"{e.se:.2g}" if e.se is not None else "-"
        rows.append(f"{path:<46} {shown:>10} {se:>9}  {e.source}")
        if path == "correlation.matrix":
            for (a, b), (r, se_r, n) in cal.correlations.items():
                rows.append(f"{'  ' + a + ' / ' + b:<46} {r:>10.3f} {se_r:>9.2g}  fitted ({n} years)")
    if cal.warnings:
        rows.append("")
        rows += [f"warning: {w}" for w in cal.warnings]
    return "\n".join(rows)
