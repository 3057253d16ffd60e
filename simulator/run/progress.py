"""One progress bar per command, in the user's unit (paths), over every stage of the work, on stderr.

A run simulates its paths (once; a stage that reported its paths more than once would say so with
``passes``, and the bar would still count each path once), then the assumption variants and the robustness variants, each a
number of paths on the same random numbers. The command declares every stage's paths up front, so the
total is known from the start, the bar moves forward only, names the stage it is in and ends at 100 %
(and stays on screen). Work the command did not declare (a stage it could not count in advance) grows
the total rather than running past it.

Code deep inside a stage (simulator.whatif.variants) reports to the bar the command opened through
:func:`ambient`, so a stage needs no progress argument threaded through it.

Shown when stderr is a terminal, or always with SIMULATOR_PROGRESS=1 (and never with 0), so that batch
logs and tests stay clean. tqdm draws it: rate, elapsed and estimated time left come with it.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

_current: list["Progress"] = []  # the bars open in this process, innermost last


def _wanted() -> bool:
    flag = os.environ.get("SIMULATOR_PROGRESS")
    if flag is not None:
        return flag not in ("", "0")
    return sys.stderr.isatty()


class Progress:
    """Advances one bar: call it with a count of work done in the current stage. ``bar`` is a tqdm bar,
    or None when no bar is shown (then every call is a no-op, but the counts are still kept)."""

    def __init__(self, bar, stages: Sequence[tuple[str, int]] = ()):
        self.bar = bar
        self.stages = {name: paths for name, paths in stages}  # in the order they run
        self.done = 0.0
        self.total = float(sum(self.stages.values()))
        self.per_path = 1.0  # work units per path in the current stage (a stage reported in two passes: 2)

    def stage(self, name: str, passes: int = 1) -> None:
        """Enter a stage; ``passes``: how often its paths are reported (each path counts once). The
        stages declared before it are done by now, reported or not (a run kept in memory for
        --condition reports none): the bar moves to where they end."""
        self.per_path = float(max(1, passes))
        names = list(self.stages)
        if name in names:
            before = sum(self.stages[n] for n in names[:names.index(name)])
            if before > self.done:
                self._reach(before)
        if self.bar is not None:
            self.bar.set_description_str(name, refresh=False)

    def __call__(self, n: int) -> None:
        self._reach(self.done + n / self.per_path)

    def _reach(self, done: float) -> None:
        self.done = done
        if self.done > self.total:  # undeclared work: grow the total, never run past 100 %
            self.total = self.done
            if self.bar is not None:
                self.bar.total = int(round(self.total))
        if self.bar is not None:
            self.bar.update(int(round(self.done)) - self.bar.n)

    def finish(self) -> None:
        """Every stage is done: the bar ends at its total."""
        self._reach(self.total)


@contextmanager
def progress(total: int | Sequence[tuple[str, int]], unit: str, description: str) -> Iterator[Progress]:
    """A :class:`Progress` over ``total`` work (or the stages ``[(name, paths), ...]`` to come); it is
    the :func:`ambient` bar inside the block. The bar ends at 100 % when the block ends normally."""
    stages = [(description, int(total))] if isinstance(total, (int, float)) else list(total)
    count = sum(paths for _, paths in stages)
    bar = None
    if _wanted() and count > 0:
        from tqdm import tqdm

        bar = tqdm(total=count, unit=unit, unit_scale=True, desc=description, file=sys.stderr, leave=True,
                   mininterval=0.5)
    advance = Progress(bar, stages)
    _current.append(advance)
    try:
        yield advance
        advance.finish()
    finally:
        _current.remove(advance)
        if bar is not None:
            bar.close()


def ambient() -> Callable[[int], None]:
    """The bar the running command opened (innermost), or a no-op outside any."""
    return _current[-1] if _current else (lambda n: None)
