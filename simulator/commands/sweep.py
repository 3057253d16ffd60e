"""What a `simulator sweep` does: load the sweep file (bad input first, once), run every variant on the
same paths under --out's lock, and write sweep.csv, sweep.xlsx, sweep.nc and summary.json in one step."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from simulator.errors import InputError
from simulator.io.atomic import OutputExistsError, check_output_free, check_room, output_lock, write_directory
from simulator.io.results import write_json
from simulator.run.options import RunOptions
from simulator.run.progress import progress
from simulator.whatif import sweep as sw


def sweep_command(sweep_file: Path, values: dict[str, Any], options: RunOptions, out: Path | None, force: bool,
                  command: str) -> tuple[dict[str, Any], Path, str]:
    """Run the sweep and write its result; (summary.json's content, where it went, the closing line)."""
    loaded = sw.load_sweep(sweep_file, values)  # bad input first, and only once
    _, names, levers, scenarios, _ = loaded
    out = out if out is not None else Path("results") / sweep_file.stem
    lever_keys = list(dict.fromkeys(k for lv in levers for k in lv))
    started = time.perf_counter()
    written: dict[str, Any] = {}

    def files(staging: Path) -> None:
        result, summary = written["result"], written["summary"]
        sw.write_csv(staging / "sweep.csv", result["rows"], lever_keys)
        sw.write_xlsx(staging / "sweep.xlsx", result["rows"], lever_keys)
        sw.dataset(result, options, command).to_netcdf(staging / "sweep.nc", engine="h5netcdf")
        write_json(staging / "summary.json", summary)

    try:
        with output_lock(out):  # one writer at a time, from the checks to the final rename
            check_output_free(out, force)
            # sweep.nc holds each goal per variant and path and the kept percentiles per variant
            check_room(out, len(names) * options.paths * (len(scenarios[0].goals) + 64) + (4 << 20))
            total = options.paths * len(names)
            with progress(total, "path-variants", f"sweep {len(names)} variants") as advance:
                written["result"] = sw.run_sweep(sweep_file, options, advance, values, loaded)
            written["summary"] = sw.summary(written["result"], options, lever_keys, command)
            write_directory(out, files, force)
    except OutputExistsError as exc:
        raise InputError(f"--out: {exc}") from None
    elapsed = time.perf_counter() - started
    return written["summary"], out, f"{len(names)} variants x {options.paths} paths in {elapsed:.1f} s -> {out}"
