"""How a run is split and where it runs: the options every runner takes, and the chunks of paths.
"""

from __future__ import annotations

from typing import NamedTuple


class RunOptions(NamedTuple):
    paths: int
    seed: int
    chunk_size: int = 5000
    workers: int = 1
    scheduler: str | None = None
    deterministic: bool = False
    keep_monthly: bool = False
    parameter_uncertainty: bool = False


def chunk_bounds(n_paths: int, chunk_size: int) -> list[tuple[int, int]]:
    """(start, size) of each chunk, in path order."""
    return [(s, min(chunk_size, n_paths - s)) for s in range(0, n_paths, chunk_size)]
