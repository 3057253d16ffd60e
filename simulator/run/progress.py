"""A progress bar on long runs (paths done, time left), on stderr, where a person is watching.

Shown when stderr is a terminal, or always with SIMULATOR_PROGRESS=1 (and never with 0), so that batch
logs and tests stay clean. tqdm draws it: rate, elapsed and estimated time left come with it.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Callable, Iterator


def _wanted() -> bool:
    flag = os.environ.get("SIMULATOR_PROGRESS")
    if flag is not None:
        return flag not in ("", "0")
    return sys.stderr.isatty()


@contextmanager
def progress(total: int, unit: str, description: str) -> Iterator[Callable[[int], None]]:
    """A callable that advances the bar by n (a no-op when no bar is shown)."""
    if not _wanted() or total <= 0:
        yield lambda n: None
        return
    from tqdm import tqdm

    with tqdm(total=total, unit=unit, unit_scale=True, desc=description, file=sys.stderr, leave=False,
              mininterval=0.5) as bar:
        yield bar.update
