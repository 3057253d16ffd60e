"""The ``simulator`` command. No model logic here: options map onto the library, errors onto exit codes.

Exit codes (CONTRACT.md): 0 success; 2 bad input, with one line naming the file and the field; 1 anything
else. Set SIMULATOR_DEBUG=1 to see the traceback of an unexpected error.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
import time
from pathlib import Path

import click

from simulator import __version__
from simulator.scenario import ScenarioError, load_scenario


class InputError(Exception):
    """Bad input found outside the scenario file (e.g. the output directory): exit 2."""


def _positive(name: str):
    def check(ctx, param, value):
        if value is not None and value < 1:
            raise click.BadParameter(f"must be a whole number >= 1 (got {value})", param_hint=name)
        return value
    return check


def _seed(ctx, param, value):
    if not (0 <= value < 2**64):
        raise click.BadParameter(f"must be in 0..2^64-1 (got {value})", param_hint="--seed")
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="simulator")
def cli() -> None:
    """Monte Carlo engine for the long-term finances of Region Jämtland Härjedalen."""


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
def validate(scenario: Path) -> None:
    """Check a scenario file; prints "ok" when it is valid."""
    load_scenario(scenario)
    click.echo(f"ok: {scenario}")


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--paths", "-n", default=10_000, show_default=True, callback=_positive("--paths"),
              help="Number of simulated paths.")
@click.option("--seed", "-s", default=42, show_default=True, type=int, callback=_seed,
              help="Random seed; the same seed gives the same numbers.")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Output directory [default: results/<scenario name>].")
@click.option("--deterministic", is_flag=True,
              help="One path with every random shock set to zero (the plan as the scenario states it).")
@click.option("--chunk-size", default=5000, show_default=True, callback=_positive("--chunk-size"),
              help="Paths per chunk (memory per task); the results do not depend on it.")
@click.option("--workers", default=1, show_default=True, callback=_positive("--workers"),
              help="1: run here on all cores; >1: a local dask cluster with that many processes.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on an existing dask.distributed cluster, e.g. tcp://10.0.0.5:8786.")
@click.option("--monthly/--no-monthly", default=False, show_default=True,
              help="Also store every path's monthly driver values (large for many paths).")
@click.option("--force", is_flag=True, help="Replace an existing result in --out.")
@click.pass_context
def run(ctx, scenario, paths, seed, out, deterministic, chunk_size, workers, scheduler, monthly, force):
    """Simulate SCENARIO and write results.nc and summary.json to --out."""
    from simulator.engine import RunOptions, SchedulerUnreachable
    from simulator.engine import run as run_engine
    from simulator.results import (
        OutputExistsError, build_dataset, build_summary, check_output_free, write_results,
    )

    spec = load_scenario(scenario)
    out = out if out is not None else Path("results") / spec.name
    try:
        check_output_free(out, force)
    except OutputExistsError as exc:
        raise InputError(f"--out: {exc}") from None
    options = RunOptions(paths=paths, seed=seed, chunk_size=chunk_size, workers=workers,
                         scheduler=scheduler, deterministic=deterministic, keep_monthly=monthly)
    started = time.perf_counter()
    try:
        output = run_engine(spec, options)
    except SchedulerUnreachable as exc:
        raise InputError(f"--scheduler: {exc}") from None
    argv = (ctx.obj or {}).get("argv", sys.argv[1:])
    command = "simulator " + " ".join(shlex.quote(a) for a in argv)
    dataset = build_dataset(spec, options, output, command)
    summary = build_summary(spec, options, output)
    try:
        write_results(out, dataset, summary, force)
    except OutputExistsError as exc:
        raise InputError(f"--out: {exc}") from None
    elapsed = time.perf_counter() - started
    click.echo(_summary_table(summary))
    click.echo(f"{summary['paths']} paths in {elapsed:.1f} s -> {out}")


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object: item -> effect in MSEK.")
def sensitivity(scenario, as_json):
    """Känslighetsanalys: effect on the first plan year's result of a change in each driver."""
    import json

    from simulator.sensitivity import ITEMS
    from simulator.sensitivity import sensitivity as compute

    spec = load_scenario(scenario)
    effects = compute(spec)
    if as_json:
        click.echo(json.dumps({k: round(v, 6) for k, v in effects.items()}, indent=2))
        return
    year = spec.accounts.plan.years[0]
    click.echo(f"Känslighetsanalys {year}: effekt på årets resultat, MSEK (årsredovisningen 2024 inom parentes)")
    for name, value in effects.items():
        item = ITEMS[name]
        click.echo(f"  {item.swedish:<44} {value:>+8.1f}   ({item.annual_report_msek:+.0f})")


@cli.command()
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path),
              help="Folder of CSV files, each tagged '# series: NAME' (docs/calibration.md).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="TOML file to write: a complete [economy] a scenario can include.")
@click.option("--judgment", type=click.Path(path_type=Path), default=Path("calibration/judgment.toml"),
              show_default=True, help="Values and reasons for what the data cannot fit.")
def calibrate(data_dir, out, judgment):
    """Fit the economic drivers to historical series; print estimates, standard errors and warnings."""
    import tomllib

    from simulator.calibration import (
        CalibrationInputError, calibrate as fit, read_data_dir, read_judgment, render_table,
        render_toml,
    )
    from simulator.scenario import Economy

    try:
        leaves, options = read_judgment(judgment)
        result = fit(read_data_dir(data_dir), leaves, options)
    except CalibrationInputError as exc:
        raise InputError(str(exc)) from None
    header = (f"Economic drivers calibrated by `simulator calibrate --data {data_dir} --out {out}`\n"
              f"(judgment: {judgment}; simulator {__version__}). Do not edit by hand: rerun the command.\n"
              "Every value says whether it was fitted (data, years, standard error) or set by judgment.\n"
              "A scenario uses it with include = [\"<path to this file>\"] and overrides single values.")
    text = render_toml(result, header)
    # what is written must be a valid [economy] on its own; a failure here is a bug (exit 1)
    Economy.model_validate(tomllib.loads(text)["economy"])
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--out: {out}: cannot be written ({exc.strerror or exc})") from None
    click.echo(render_table(result))
    click.echo(f"-> {out}")


@cli.command()
@click.argument("dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--lang", default="sv", show_default=True, help="Language of the report: sv or en.")
@click.option("--pdf", is_flag=True, help="Also print DIR/report.pdf (A4, needs Debian's chromium).")
@click.option("--xlsx", is_flag=True, help="Also write DIR/tables.xlsx, one sheet per topic.")
@click.option("--csv", "as_csv", is_flag=True, help="Also write DIR/tables/*.csv (semicolon, decimal comma).")
def report(dirs, lang, pdf, xlsx, as_csv):
    """Write DIR/report.html from what run, sweep or compare wrote; DIR2 ... are shown beside it."""
    from simulator.report import PdfError, ReportInputError, ReportOutputError, write_report

    try:
        written = write_report(dirs, lang=lang, pdf=pdf, xlsx=xlsx, csv=as_csv)
    except (ReportInputError, ReportOutputError) as exc:
        raise InputError(str(exc)) from None
    except PdfError as exc:  # the environment, not the input: exit 1, one line, nothing written
        click.echo(f"error: {exc}; nothing was written", err=True)
        sys.exit(1)  # click.exceptions.Exit would be swallowed by main's standalone_mode=False
    for path in written:
        click.echo(f"-> {path}")


def _summary_table(summary: dict) -> str:
    lines = []
    goals = summary.get("goals", {})
    if goals:
        lines.append(f"{'goal':<28} {'probability':>11}  95 % interval")
        for name, g in goals.items():
            lo, hi = g["ci95"]
            lines.append(f"{name:<28} {g['probability']:>11.3f}  [{lo:.3f}, {hi:.3f}]")
    else:
        lines.append("(the scenario declares no goals)")
    risks = summary.get("risks", {})
    if risks:
        lines.append("")
        lines.append(f"{'risk':<28} {'any year':>11}  95 % interval")
        for name, r in risks.items():
            lo, hi = r["ci95_any_year"]
            lines.append(f"{name:<28} {r['probability_any_year']:>11.3f}  [{lo:.3f}, {hi:.3f}]")
    years = summary["years"]
    shown = [y for y in (years[0], 2030, years[-1]) if y in years]
    shown = list(dict.fromkeys(shown))
    lines.append("")
    lines.append(f"{'p5 / p50 / p95':<24}" + "".join(f"{y:>24}" for y in shown))
    rows = [("inflation", "{:>7.1%}"), ("short_rate", "{:>7.1%}"), ("long_rate", "{:>7.1%}"),
            ("equity_return", "{:>7.1%}"), ("tax_base_growth", "{:>7.1%}"),
            ("result_msek", "{:>7.0f}"), ("balance_requirement_result_msek", "{:>7.0f}"),
            ("equity_msek", "{:>7.0f}"), ("consolidation_ratio", "{:>7.1%}"), ("equity_share", "{:>7.1%}")]
    for name, fmt in rows:
        table = summary["percentiles"].get(name)
        if table is None:
            continue
        cells = []
        for y in shown:
            k = years.index(y)
            cells.append(" ".join(fmt.format(table[q][k]) for q in ("p5", "p50", "p95")))
        label = name.removesuffix("_msek").replace("balance_requirement_result", "balance_req_result")
        lines.append(f"{label:<24}" + "".join(f"{c:>24}" for c in cells))
    return "\n".join(lines)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the click group and map every error onto one line and an exit code."""
    signal.signal(signal.SIGTERM, _raise_interrupt)  # so a killed run still cleans its staging dir
    try:
        args = list(sys.argv[1:] if argv is None else argv)
        cli.main(args=args, prog_name="simulator", standalone_mode=False, obj={"argv": args})
    except ScenarioError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except InputError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click.UsageError as exc:
        where = f"simulator {exc.ctx.command.name}" if exc.ctx and exc.ctx.command.name != "cli" else "simulator"
        click.echo(f"error: {where}: {exc.format_message()}", err=True)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("error: interrupted; nothing was written", err=True)
        sys.exit(1)
    except Exception as exc:  # anything else is our fault: one line, exit 1
        if os.environ.get("SIMULATOR_DEBUG"):
            raise
        click.echo(f"error: {exc.__class__.__name__}: {exc} (set SIMULATOR_DEBUG=1 for the traceback)",
                   err=True)
        sys.exit(1)
