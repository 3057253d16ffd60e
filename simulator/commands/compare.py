"""What a `simulator compare` does: read the runs, pair them where they share seed and paths, and with
--out write compare.json (for ``simulator report``) in one step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.errors import InputError
from simulator.io.atomic import OutputExistsError, write_directory
from simulator.io.results import write_json
from simulator.whatif.compare import compare


def compare_command(directories: list[Path], paired: bool | None, out: Path | None, force: bool) -> dict[str, Any]:
    result = compare(directories, paired)
    if out is not None:
        try:
            write_directory(out, lambda staging: write_json(staging / "compare.json", result), force)
        except OutputExistsError as exc:
            raise InputError(f"--out: {exc}") from None
    return result
