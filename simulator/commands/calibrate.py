"""What a `simulator calibrate` does: fit the economic drivers (and the budget-deviation and plan-revision
records, when the folder holds them), render the [economy] TOML, check that it is a valid scenario section, and write
it all or nothing."""

from __future__ import annotations

import errno
import tomllib
from pathlib import Path

from simulator import __version__
from simulator.calibration import calibrate, deviations, read_data_dir, read_judgment, render_table, render_toml, slippage
from simulator.errors import InputError, RunFailure
from simulator.io.safeio import atomic_write_text
from simulator.scenario.economy import Economy


def calibrate_command(data_dir: Path, out: Path, judgment: Path) -> list[str]:
    """Fit, write ``out`` and return the tables to print (estimates, and the records' fits)."""
    leaves, options = read_judgment(judgment)
    result = calibrate(read_data_dir(data_dir), leaves, options)
    record = deviations.find_record(data_dir)
    deviation, reason = None, ""
    if record is not None:
        prior = deviations.read_prior(judgment)
        reason = prior.reasons["persistence"]
        deviation = deviations.fit_record(record, prior.persistence, prior)
    revisions = slippage.find_record(data_dir)
    slip = slippage.fit_record(revisions) if revisions is not None else None
    header = (f"Economic drivers calibrated by `simulator calibrate --data {data_dir} --out {out}`\n"
              f"(judgment: {judgment}; simulator {__version__}). Do not edit by hand: rerun the command.\n"
              "Every value says whether it was fitted (data, years, standard error) or set by judgment.\n"
              "A scenario uses it with include = [\"<path to this file>\"] and overrides single values.")
    tables = (deviations.render_toml(deviation, reason) if deviation else []) + (slippage.render_toml(slip) if slip else [])
    se = {**(deviations.standard_errors(deviation) if deviation else {}), **(slippage.standard_errors(slip) if slip else {})}
    text = render_toml(result, header, tables, se)
    if deviation is not None:
        text += "\n".join(["# what the budget-deviation record gives alone, without the prior (the robustness table's",
                           "# alternative, docs/policy.md)", "[calibration.without_prior]",
                           *(f'"{k}" = {v:.4g}' for k, v in deviations.without_prior(deviation).items()), ""])
    # what is written must be a valid [economy] on its own; a failure here is a bug (exit 1)
    Economy.model_validate(tomllib.loads(text)["economy"])
    _write(out, text)
    return [render_table(result), *([deviations.render_table(deviation)] if deviation is not None else []),
            *([slippage.render_table(slip)] if slip is not None else [])]


def _write(out: Path, text: str) -> None:
    """All or nothing: a full disk must not truncate the economy.toml already there."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, text)
    except OSError as exc:
        reason = f"--out: {out}: cannot be written ({exc.strerror or exc})"
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
            raise RunFailure(f"{reason}; the file there before is unchanged") from None
        raise InputError(reason) from None
