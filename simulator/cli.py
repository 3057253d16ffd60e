"""The ``simulator`` command. No model logic here: options map onto the library, errors onto exit codes.

Exit codes (CONTRACT.md): 0 success; 2 bad input, with one line naming the file and the field; 1 anything
else. Set SIMULATOR_DEBUG=1 to see the traceback of an unexpected error.
"""

from __future__ import annotations

import errno
import os
import shlex
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import click

from simulator import __version__, check_numba_environment
from simulator.errors import InputError, SimulatorError, one_line


def _positive(name: str):
    def check(ctx, param, value):
        if value is not None and value < 1:
            raise click.BadParameter(f"must be a whole number >= 1 (got {value})", param_hint=name)
        return value
    return check


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _workers(ctx, param, value):
    value = _positive("--workers")(ctx, param, value)
    cpus = _cpus()
    if value > cpus:  # each worker is a process with its own numba threads: more only oversubscribe
        click.echo(f"warning: --workers {value} is more than the {cpus} CPUs here; using {cpus}", err=True)
        return cpus
    return value


def _scheduler(ctx, param, value):
    if value is not None and not value.strip():
        raise click.BadParameter("must be the address of a dask scheduler, e.g. tcp://10.0.0.5:8786 (got "
                                 "an empty value); leave the option out to run here", param_hint="--scheduler")
    return value


def _seed(ctx, param, value):
    if not (0 <= value < 2**64):
        raise click.BadParameter(f"must be in 0..2^64-1 (got {value})", param_hint="--seed")
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="simulator")
def cli() -> None:
    """Monte Carlo engine for the long-term finances of Region Jämtland Härjedalen."""


def _lang_option(fn):
    return click.option("--lang", type=click.Choice(["sv", "en"]), default=None,
                        help="Print the table for a person, in Swedish (sv) or English (en): goal descriptions, "
                             "percentages with one decimal. Without it: the key-based table scripts read.")(fn)


def _person_table(kind: str, where, lang: str) -> str:
    """The --lang table, read back from what the command wrote (the report's data layer)."""
    from simulator.report import console

    if kind == "compare":
        return console.compare_text(where, lang)  # where: simulator compare's result
    return (console.sweep_text if kind == "sweep" else console.run_text)(where, lang)


def _command_line(ctx) -> str:
    """The command as the user typed it (the results' provenance)."""
    argv = (ctx.obj or {}).get("argv", sys.argv[1:])
    return "simulator " + " ".join(shlex.quote(a) for a in argv)


def _set_option(fn):
    return click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                        help="Override one scenario field by its dotted path (repeatable), validated like "
                             "the file, e.g. --set pension.risk_rule.equity_cap_frac=0.6")(fn)


@contextmanager
def _unit_hints(values: dict):
    """A --set value probably in the wrong unit (simulator.scenario.overrides.unit_warnings): a warning
    on stderr when the field accepts it, part of the one error line when it refuses it."""
    from simulator.scenario import overrides

    hints = overrides.unit_warnings(values)
    try:
        yield
    except InputError as exc:
        if hints:  # one line still: the refusal, then what the value probably meant
            raise InputError(f"{exc}; {'; '.join(h.removeprefix('warning: ') for h in hints)}") from None
        raise
    for line in hints:
        click.echo(line, err=True)


def _load(scenario: Path, sets: tuple[str, ...]):
    """The scenario with its --set overrides, a warning for a value in the wrong unit, and one when they
    move the zero-shock baseline."""
    from simulator.scenario import overrides
    values = overrides.parse_sets(sets)
    with _unit_hints(values):
        spec = overrides.load(scenario, values)
    if values:
        from simulator.model.baseline import baseline_moves

        moved = baseline_moves(overrides.load(scenario), spec)
        if moved:
            click.echo(f"warning: --set {overrides.describe(values)} moves the zero-shock path the plan years "
                       f"are measured against ({', '.join(moved)}): in the plan years the plan's lines do not "
                       "show it; a [stress] section changes the paths and not the baseline", err=True)
    return spec


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@_set_option
def validate(scenario: Path, sets) -> None:
    """Check a scenario file; prints "ok" when it is valid."""
    from simulator.model.known import known_pins

    known_pins(_load(scenario, sets))  # the [known] files' values too: each one the model can take
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
@click.option("--workers", default=1, show_default=True, callback=_workers,
              help="1: run here on all cores; >1: a local dask cluster with that many processes, at most "
                   "one per CPU (more are capped to the CPU count, with a warning).")
@click.option("--scheduler", default=None, metavar="ADDRESS", callback=_scheduler,
              help="Run on an existing dask.distributed cluster, e.g. tcp://10.0.0.5:8786.")
@click.option("--monthly/--no-monthly", default=False, show_default=True,
              help="Also store every path's monthly driver values (large for many paths).")
@click.option("--parameter-uncertainty", is_flag=True,
              help="Each path draws the calibrated parameters from their estimated sampling distribution "
                   "([calibration.standard_errors]), so the intervals include the drivers' estimation error.")
@click.option("--assumptions/--no-assumptions", default=True, show_default=True,
              help="Also run every goal with each main judgment parameter at its low and high value "
                   "(summary.json assumptions), on the run's first --assumption-paths paths.")
@click.option("--robustness/--no-robustness", default=True, show_default=True,
              help="Also run every headline goal with each contested modelling choice at a sceptic's reading "
                   "and all of them at once (summary.json robustness), paired against the run on its first "
                   "--assumption-paths paths.")
@click.option("--assumption-paths", default=10_000, show_default=True, callback=_positive("--assumption-paths"),
              help="At most this many of the run's paths for the assumption and robustness tables.")
@click.option("--condition", default=None, metavar="EXPR",
              help="Keep only the paths meeting EXPR (VARIABLE[YEAR] OP NUMBER joined by and/or, e.g. "
                   "\"equity_return[2026] < -0.2\"): the answers given that; says how many paths it kept.")
@click.option("--summary-only", is_flag=True,
              help="Write summary.json alone, no results.zarr (for batches and very many paths: the same "
                   "summary, nothing per path).")
@click.option("--store", "store", type=click.Choice(["lean", "all"]), default="lean", show_default=True,
              help="What results.zarr keeps: lean = the variables the goals, report, compare and attribution "
                   "read, as float32 (docs/scale.md); all = every annual variable as float64.")
@click.option("--force", is_flag=True, help="Replace an existing result in --out.")
@_set_option
@_lang_option
@click.pass_context
def run(ctx, scenario, paths, seed, out, deterministic, chunk_size, workers, scheduler, monthly,
        parameter_uncertainty, assumptions, robustness, assumption_paths, condition, summary_only, store, force,
        sets, lang):
    """Simulate SCENARIO and write results.zarr and summary.json to --out, chunk by chunk."""
    from simulator.commands.run import RunJob, run_command
    from simulator.report import console
    from simulator.run.options import RunOptions
    from simulator.scenario import overrides

    spec = _load(scenario, sets)
    values = overrides.parse_sets(sets)
    name = overrides.run_name(spec.name, values)
    out = out if out is not None else Path("results") / name
    economy = tuple(os.path.normpath(f) for f in overrides.economy_files(scenario))
    options = RunOptions(paths=paths, seed=seed, chunk_size=chunk_size, workers=workers,
                         scheduler=scheduler, deterministic=deterministic, keep_monthly=monthly,
                         parameter_uncertainty=parameter_uncertainty)
    started = time.perf_counter()
    summary = run_command(RunJob(spec, options, out, force, assumptions, assumption_paths, condition,
                                 _command_line(ctx), summary_only, str(scenario.resolve()), robustness, values, name,
                                 economy, store=store))
    elapsed = time.perf_counter() - started
    click.echo(_person_table("run", out, lang) if lang else console.key_run_table(summary))
    n = summary["paths"]
    click.echo(f"{n} {'path' if n == 1 else 'paths'} in {elapsed:.1f} s -> {out}")


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object: item -> effect in MSEK.")
@_set_option
def sensitivity(scenario, as_json, sets):
    """Känslighetsanalys: effect on the first plan year's result of a change in each driver."""
    import json

    from simulator.i18n import t
    from simulator.whatif.sensitivity import ITEMS
    from simulator.whatif.sensitivity import sensitivity as compute

    spec = _load(scenario, sets)
    effects = compute(spec)
    if as_json:
        click.echo(json.dumps({k: round(v, 6) for k, v in effects.items()}, indent=2))
        return
    year = spec.simulation.start_year  # the first simulated year: the first plan year of a fresh plan
    click.echo(t("sensitivity.title", "sv", year=year))
    for name, value in effects.items():
        click.echo(f"  {t('sensitivity.' + name, 'sv'):<44} {value:>+8.1f}   ({ITEMS[name].annual_report_msek:+.0f})")


@cli.command()
@click.argument("sweep_file", type=click.Path(path_type=Path))
@click.option("--paths", "-n", default=10_000, show_default=True, callback=_positive("--paths"),
              help="Paths, the same for every variant (common random numbers).")
@click.option("--seed", "-s", default=42, show_default=True, type=int, callback=_seed, help="Random seed.")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Output directory [default: results/<sweep file name>].")
@click.option("--chunk-size", default=2000, show_default=True, callback=_positive("--chunk-size"),
              help="Paths per kernel call (memory: about 27 kB per path and variant of a batch of 16).")
@click.option("--force", is_flag=True, help="Replace an existing result in --out.")
@_set_option
@_lang_option
@click.pass_context
def sweep(ctx, sweep_file, paths, seed, out, chunk_size, force, sets, lang):
    """Every variant of a grid or list of levers on the same paths; sweep.csv, sweep.xlsx, sweep.nc."""
    from simulator.commands.sweep import sweep_command
    from simulator.report import console
    from simulator.run.options import RunOptions
    from simulator.scenario import overrides

    options = RunOptions(paths=paths, seed=seed, chunk_size=chunk_size)
    values = overrides.parse_sets(sets)
    with _unit_hints(values):
        summary, out, closing = sweep_command(sweep_file, values, options, out, force, _command_line(ctx))
    click.echo(_person_table("sweep", out, lang) if lang else console.key_sweep_table(summary))
    click.echo(closing)


@cli.command()
@click.argument("directories", nargs=-1, type=click.Path(path_type=Path))
@click.option("--paired/--independent", "paired", default=None,
              help="--paired: refuse (exit 2) runs that do not share seed and paths; --independent: never pair. "
                   "Default: pair where the runs share seed and paths.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Also write DIR/compare.json (for simulator report).")
@click.option("--force", is_flag=True, help="Replace an existing comparison in --out.")
@_lang_option
def compare(directories, paired, as_json, out, force, lang):
    """Goal probabilities, risks and medians of runs side by side, paired against the first."""
    import json

    from simulator.commands.compare import compare_command
    from simulator.report import console

    result = compare_command(list(directories), paired, out, force)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(_person_table("compare", result, lang) if lang else console.key_compare_table(result))


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--goal", required=True, help="The goal whose probability must reach the target.")
@click.option("--at-least", "target", required=True, type=float, help="The target probability, e.g. 0.8.")
@click.option("--lever", required=True, metavar="KEY", help="The lever's dotted field path.")
@click.option("--range", "range_text", required=True, metavar="LO:HI", help="The lever values searched.")
@click.option("--given", multiple=True, metavar="KEY=VALUE", help="Other levers held at a value (repeatable).")
@click.option("--frontier", default=None, metavar="KEY=V1,V2,...",
              help="Solve once for each value of a second lever: the frontier of the two.")
@click.option("--paths", "-n", default=10_000, show_default=True, callback=_positive("--paths"))
@click.option("--seed", "-s", default=42, show_default=True, type=int, callback=_seed)
@click.option("--json", "as_json", is_flag=True,
              help='Print {"goal", "target", "lever", "value", "interval": [lo, hi], "probability", ...}: also '
                   '"value_text" (the precision the interval supports), "median_tax_rate_kr", '
                   '"median_result_share", "lever_costs".')
@_set_option
@_lang_option
def solve(scenario, goal, target, lever, range_text, given, frontier, paths, seed, as_json, sets, lang):
    """The smallest LEVER value in LO:HI whose GOAL probability is at least the target."""
    import json

    from simulator.report import console
    from simulator.run.options import RunOptions
    from simulator.run.progress import progress
    from simulator.scenario import overrides
    from simulator.scenario.loader import resolve_scenario_data, scenario_source, with_values
    from simulator.whatif.solve import solve_command

    values = {**overrides.parse_sets(sets), **overrides.parse_sets(given, "--given")}
    with _unit_hints(values):
        overrides.load(scenario, values)  # the scenario and the held levers are valid before searching
    data, files = resolve_scenario_data(scenario)
    data = with_values(data, values)
    source = scenario_source(scenario, files) + (f" --set {overrides.describe(values)}" if values else "")
    front = None
    if frontier is not None:
        key, sep, listed = frontier.partition("=")
        if not sep or not listed:
            raise InputError(f"--frontier: {frontier!r} is not KEY=V1,V2,...")
        front = (key.strip(), [overrides.parse_value(v.strip()) for v in listed.split(",")])
    options = RunOptions(paths=paths, seed=seed, chunk_size=2000)
    # the search's evaluations are not known in advance: about two ends, three rounds of 9, the interval's
    # two grids and the answer, per frontier value; more grows the bar's total
    estimate = (2 + 3 * 9 + 2 * 9 + 1) * paths * (len(front[1]) if front else 1)
    with progress(estimate, "paths", "solve") as advance:
        result = solve_command(data, source, goal, target, lever, range_text, options, front, advance)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(console.solve_text(result, lang) if lang else console.key_solve_text(result))


@cli.command("year-end")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--path", "path", required=True, type=int, help="The path to continue (0-based, as realization).")
@click.option("--year", required=True, type=int, help="The year-end to open at (31 Dec YEAR).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="The scenario file to write.")
def year_end(run_dir, path, year, out):
    """Write a scenario that opens at 31 Dec YEAR with path PATH's whole state; run it with the run's seed
    to continue that path."""
    from simulator.commands.year_end import year_end_command

    click.echo(year_end_command(run_dir, path, year, out))


@cli.command()
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path),
              help="Folder of CSV files, each tagged '# series: NAME' (docs/calibration.md).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="TOML file to write: a complete [economy] a scenario can include.")
@click.option("--judgment", type=click.Path(path_type=Path), default=Path("calibration/judgment.toml"),
              show_default=True, help="Values and reasons for what the data cannot fit.")
def calibrate(data_dir, out, judgment):
    """Fit the economic drivers to historical series; print estimates, standard errors and warnings."""
    from simulator.commands.calibrate import calibrate_command

    for table in calibrate_command(data_dir, out, judgment):
        click.echo(table)
    click.echo(f"-> {out}")


@cli.command()
@click.argument("dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--lang", default="sv", show_default=True, help="Language of the report: sv or en.")
@click.option("--pdf", is_flag=True, help="Also print DIR/report.pdf (A4, needs Debian's chromium).")
@click.option("--xlsx", is_flag=True, help="Also write DIR/tables.xlsx, one sheet per topic.")
@click.option("--csv", "as_csv", is_flag=True, help="Also write DIR/tables/*.csv (semicolon, decimal comma).")
def report(dirs, lang, pdf, xlsx, as_csv):
    """Write DIR/report.html from what run, sweep or compare wrote; DIR2 ... are shown beside it."""
    from simulator.report import write_report

    # a busy or unlockable folder is an InputError, a full disk or a browser that cannot print a RunFailure
    written = write_report(dirs, lang=lang, pdf=pdf, xlsx=xlsx, csv=as_csv)
    for path in written:
        click.echo(f"-> {path}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the click group and map every error onto one line and an exit code."""
    from simulator.io.atomic import committed, raise_interrupted

    committed.clear()  # what this invocation put in place (main may be called many times in a process)
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # so a stopped run still cleans its staging dir
            if hasattr(signal, name):
                previous[name] = signal.signal(getattr(signal, name), raise_interrupted)
    try:
        _main(argv)
    finally:  # a caller that embeds main (the tests) gets its own handlers back
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


def _main(argv: list[str] | None) -> None:
    from simulator.io.atomic import Interrupted, committed

    try:
        check_numba_environment()  # before any command imports numba, which reads it once
        args = list(sys.argv[1:] if argv is None else argv)
        cli.main(args=args, prog_name="simulator", standalone_mode=False, obj={"argv": args})
    except SimulatorError as exc:  # InputError: exit 2; RunFailure: exit 1 (simulator.errors)
        click.echo(one_line(f"error: {exc}"), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click.UsageError as exc:
        where = f"simulator {exc.ctx.command.name}" if exc.ctx and exc.ctx.command.name != "cli" else "simulator"
        click.echo(one_line(f"error: {where}: {exc.format_message()}"), err=True)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except (Interrupted, KeyboardInterrupt, click.exceptions.Abort):
        if committed:  # the signal came after the final rename: the new result is whole
            click.echo(f"interrupted after the result was complete in {committed[-1]}", err=True)
            sys.exit(0)
        click.echo("error: interrupted; nothing was written", err=True)
        sys.exit(1)
    except Exception as exc:  # anything else is our fault: one line, exit 1
        if os.environ.get("SIMULATOR_DEBUG"):
            raise
        if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:  # a path the user gave: bad input
            click.echo(one_line(f"error: {exc.filename}: a name in this path is too long (allowed: at most "
                                "255 bytes per name, 4096 in all)"), err=True)
            sys.exit(2)
        click.echo(one_line(f"error: {exc.__class__.__name__}: {exc} (set SIMULATOR_DEBUG=1 for the traceback)"),
                   err=True)
        sys.exit(1)
