"""Writing a result directory so that a fault leaves the old result or a whole new one (issue 12).

A result is written into a hidden staging directory beside ``--out`` and renamed into place at the end;
around that:

- ``--force`` replaces only a previous result, recognised by its files (:func:`check_output_free`);
- one run at a time writes to a place: an ``flock`` on a hidden lock file beside it, taken before the
  simulation (:func:`output_lock`), so a second run exits 2 at once instead of both "succeeding";
- staging directories of runs that died (``kill -9``, a power cut) are removed by the next run to the
  same place, and a previous result a dead run had set aside is put back (:func:`clean_stale`);
- the free space and the file-size limit are checked against the expected size before simulating, and
  a write that fails for lack of room is one line and exit 1 (:class:`WriteFailure`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import resource
import shutil
import signal
import socket
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Iterator

from simulator.errors import InputError, RunFailure

RESULTS_FILE = "results.nc"  # what runs wrote before the streamed store (still read)
STORE_DIR = "results.zarr"
SUMMARY_FILE = "summary.json"

#: What this program writes into a result directory (run, sweep, compare, report): ``--force`` replaces
#: a directory only when it holds nothing else, so it can never delete a user's own files.
RESULT_ENTRIES = frozenset({
    SUMMARY_FILE, RESULTS_FILE, STORE_DIR, "sweep.csv", "sweep.xlsx", "sweep.nc", "compare.json",
    "report.html", "report.pdf", "tables.xlsx", "tables",
})
RESULT_MARKERS = (SUMMARY_FILE, "compare.json")  # a result has at least one of these
#: A file being replaced inside a result (report.html, tables.xlsx, ...) is first written as
#: ``.<stem>.tmp-<pid>-<tag>-<host><suffix>`` beside it (:func:`temp_name`); a dead writer's are removed
#: by the next writer there (:func:`clean_stale`).
TEMP_NAME = re.compile(r"^\.(?P<stem>.+)\.tmp-(?P<pid>\d+)-(?P<tag>[0-9a-f]{8})-(?P<host>[^/]+?)(?P<suffix>\.[^.]*)?$")
ROOM_MARGIN = 1.10  # free space asked for beyond the expected size (metadata, summary, report)


class OutputExistsError(InputError):
    """The output directory holds a result and --force was not given, or holds something else."""


class OutputNotWritable(OutputExistsError):
    """--out cannot be created or written (under a regular file, a read-only folder): exit 2."""


class OutputBusyError(OutputExistsError):
    """Another run is writing to the same output directory (exit 2)."""


class Interrupted(BaseException):
    """A signal (SIGINT, SIGTERM, SIGHUP) ended the run: a BaseException, so no ``except Exception`` in a
    library swallows it, and not KeyboardInterrupt, which click answers with a stray blank line."""


def raise_interrupted(signum, frame):
    raise Interrupted(signum)


class WriteFailure(RunFailure):
    """Writing failed or cannot fit for a reason of the machine (full disk, a file-size limit): exit 1."""


def _host() -> str:
    return (socket.gethostname().replace("/", "_") or "host")[:64]  # HOST_NAME_MAX; staging names stay short


# ----------------------------------------------------------------------------------- what may be replaced

def foreign_entries(out: Path) -> list[str]:
    """The entries of ``out`` this program would not have written (empty for a previous result)."""
    names = sorted(p.name for p in out.iterdir() if not TEMP_NAME.match(p.name))  # ours, replaced with it
    foreign = [n for n in names if n not in RESULT_ENTRIES]
    if not foreign and names and not any((out / m).is_file() for m in RESULT_MARKERS):
        foreign = names  # our file names but no summary: not something a finished run left
    return foreign


def check_output_free(out: Path, force: bool) -> None:
    """Refuse to overwrite an existing result (or a file) unless forced, and refuse even with --force a
    directory that is not a previous result (the project folder, results/ itself, a scenario folder):
    called before simulating."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out}: exists and is not a directory")
    if not out.is_dir() or not any(out.iterdir()):
        return
    foreign = foreign_entries(out)
    if foreign:
        shown = ", ".join(repr(n) for n in foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise OutputExistsError(
            f"{out}: is not a previous result (it holds {shown}); --force replaces only a directory this "
            "program wrote: choose a new or empty --out")
    if not force:
        raise OutputExistsError(f"{out}: already holds a result; pass --force to replace it")


def _place(out: Path) -> Path:
    """The directory a result goes to: a symlinked --out is resolved, so staging sits beside the real
    directory and the rename stays atomic."""
    out = Path(out)
    return out.resolve() if out.is_symlink() else Path(os.path.abspath(out))


#: What the staging and retired directories add to --out's name (".NAME.partial-PID-8HEX-HOST"), host cut
#: to 64: the name itself must leave room for it within a file system's 255 bytes.
STAGING_NAME_BYTES = len(".") + len(".partial-") + 10 + 1 + 8 + 1 + 64
NAME_MAX = 255


def check_output_place(place: Path) -> None:
    """--out must be a place a directory can be renamed into: a name short enough for its staging
    directory beside it, and not a mount point (a mount point cannot be replaced by a rename: EBUSY)."""
    room = NAME_MAX - STAGING_NAME_BYTES
    if len(os.fsencode(place.name)) > room:
        raise OutputNotWritable(f"{place.name[:40]}...: --out: the name is {len(os.fsencode(place.name))} bytes; "
                                f"allowed: at most {room} (the staging directory beside it adds to it)")
    if place.exists() and os.path.ismount(place):
        raise OutputNotWritable(f"{place}: --out: is a mount point, which a finished result cannot be renamed onto; "
                                f"give a directory inside it, e.g. {place / 'result'}")


# ----------------------------------------------------------------------------------- one writer at a time

_HELD: dict[Path, int] = {}  # place -> depth, for the locks this process holds


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold the lock of ``out`` (re-entrant within this process); OutputBusyError when another process
    holds it. The lock file ``.<name>.lock`` beside ``out`` is removed on release."""
    place = _place(out)
    if place in _HELD:
        _HELD[place] += 1
        try:
            yield
        finally:
            _HELD[place] -= 1
        return
    path = place.parent / f".{place.name}.lock"
    try:  # the first write beside --out: a folder that cannot take it is found out before any work
        place.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
    except OSError as exc:
        raise OutputNotWritable(f"{out}: cannot be created or written there ({exc.strerror or exc}); "
                                "choose a folder you can write to") from None
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise OutputBusyError(f"{out}: another run is writing there (its lock is {path}); wait for "
                                      "it or choose another --out") from None
            raise
        try:  # the holder before us may have removed the file after we opened it: lock the current one
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    _HELD[place] = 1
    try:
        clean_stale(place)
        yield
    finally:
        del _HELD[place]
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(place: Path) -> list[Path]:
    """Remove the staging directories that dead runs of this host left beside ``place`` (put back a
    previous result a dead run had set aside while ``place`` is missing); called under the lock, so no
    live run of ours is writing there. Returns what it removed or restored."""
    done = []
    if not place.parent.is_dir():
        return done
    host = _host()
    for kind in ("old", "partial"):  # a set-aside result first: it may have to be restored
        prefix = f".{place.name}.{kind}-"
        for entry in sorted(place.parent.glob(f"{prefix}*")):
            pid, _, rest = entry.name[len(prefix):].partition("-")
            tag, _, entry_host = rest.partition("-")
            if not pid.isdigit() or entry_host != host or _alive(int(pid)) and int(pid) != os.getpid():
                continue
            if kind == "old" and not place.exists():
                entry.rename(place)  # the dead run had moved the previous result aside: it is the result
            else:
                shutil.rmtree(entry, ignore_errors=True)
            done.append(entry)
    for folder in (place, place / "tables"):
        done += clean_stale_temps(folder, host)
    return done


def temp_name(final: Path) -> Path:
    """Where ``final`` (a file inside a result) is written before it is renamed over the old one; the
    suffix is kept (Chromium decides how to open a file by its extension)."""
    return final.with_name(f".{final.stem}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}-{_host()}{final.suffix}")


def clean_stale_temps(folder: Path, host: str | None = None) -> list[Path]:
    """Remove the temporary files (:data:`TEMP_NAME`) that dead writers of this host left in ``folder``."""
    host = host or _host()
    if not folder.is_dir():
        return []
    done = []
    for entry in sorted(folder.iterdir()):
        found = TEMP_NAME.match(entry.name)
        if found and found["host"] == host and entry.is_file() and not _alive(int(found["pid"])):
            entry.unlink(missing_ok=True)
            done.append(entry)
    return done


# ----------------------------------------------------------------------------------- room on the disk

def check_room(out: Path, needed_bytes: int, largest_file_bytes: int | None = None) -> None:
    """WriteFailure (exit 1, before simulating) when the file system of ``out`` has less free space
    than the expected size (with a margin), or the process's file-size limit is below its largest file."""
    place = _place(out)
    probe = place.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    want = int(needed_bytes * ROOM_MARGIN) + (16 << 20)
    if free < want:
        raise WriteFailure(f"{out}: needs about {want / 2**20:,.0f} MiB and {probe} has "
                           f"{free / 2**20:,.0f} MiB free; nothing was simulated or written")
    limit, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    largest = largest_file_bytes if largest_file_bytes is not None else needed_bytes
    if limit != resource.RLIM_INFINITY and largest > limit:
        raise WriteFailure(f"{out}: the results file would be about {largest / 2**20:,.0f} MiB and the file-size "
                           f"limit (ulimit -f) is {limit / 2**20:,.0f} MiB; nothing was simulated or written")


# ----------------------------------------------------------------------------------- the write itself

ROOM_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))
PAUSE_ENV = "SIMULATOR_PAUSE_AT"  # the tests' fault hook (see pause for its stages)

#: results this process has put in place: a signal after the final rename still leaves a whole result
committed: list[Path] = []


@contextlib.contextmanager
def _deferred_signals() -> Iterator[list[int]]:
    """Hold SIGINT, SIGTERM and SIGHUP while files are written and renamed: the handler only notes the
    signal, so no library sees an exception mid-write (h5py would print "Exception ignored" and carry
    on); the caller decides at a safe point. Python runs handlers in the main thread whichever thread
    the signal reached, so this holds while numba's threads run too. Outside the main thread: a no-op."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    previous = {s: signal.getsignal(s) for s in _SIGNALS}
    for s in _SIGNALS:
        signal.signal(s, lambda signum, frame: caught.append(signum))
    try:
        yield caught
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _announce_and_wait(marker: str) -> list[tuple[int, object]]:
    """Install a handler that notes SIGINT, SIGTERM and SIGHUP, then print ``marker`` on stderr, then
    wait until one has come, and put the previous handlers back. Returns each signal that came with the
    handler that was in force for it. The handler is in place before the marker is printed, so a signal
    sent the moment the marker is read is seen whenever it lands (``signal.pause()`` after the print
    missed one that landed in between and waited for ever). An ignored signal stays ignored."""
    seen: list[int] = []
    previous = {}
    try:
        for s in _SIGNALS:
            handler = signal.getsignal(s)
            if handler is None or handler == signal.SIG_IGN:
                continue  # installed outside Python (cannot be put back) or ignored: left as it is
            previous[s] = signal.signal(s, lambda signum, frame: seen.append(signum))
        print(marker, file=sys.stderr, flush=True)
        while not seen:  # the handler runs in this thread (Python's rule) whichever thread the signal hit
            time.sleep(0.01)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return [(s, previous[s]) for s in seen]


def pause(stage: str) -> None:
    """Fault injection for the tests: with SIMULATOR_PAUSE_AT=<stage>, say so on stderr and wait for a
    signal (stages: "streaming", a streamed run past its pilot with chunks in the staged store;
    "written", the staged files complete; "committed", renamed into place; "replacing", a single file
    (calibrate --out) whole under its temporary name). The signal then goes to the handler that was in
    force: it raises Interrupted, or is noted by _deferred_signals, or takes its default action."""
    if os.environ.get(PAUSE_ENV) != stage:
        return
    marker = f"simulator: paused at {stage}"
    if threading.current_thread() is not threading.main_thread():  # no handler can be installed here
        print(marker, file=sys.stderr, flush=True)
        signal.pause()
        return
    for signum, handler in _announce_and_wait(marker):
        if callable(handler):
            handler(signum, sys._getframe())
        elif handler == signal.SIG_DFL:
            signal.raise_signal(signum)  # the default action: for these three, the end of the process


def write_directory(out: Path, write_files: Callable[[Path], None], force: bool,
                    defer_signals: bool = True) -> None:
    """Write a result directory into a hidden staging directory beside ``out`` and rename it into place
    at the end, under ``out``'s lock.

    A failure or an interrupt before the rename leaves ``out`` as it was (the staging directory is
    removed); the rename itself is atomic on one file system. A write that fails for lack of room
    becomes WriteFailure. ``defer_signals=False`` lets a signal interrupt ``write_files`` at once (a
    streamed run writes for minutes; its chunk files are plain files, each put in place by a rename):
    signals are then held only from the end of the write to the final rename.
    """
    place = _place(out)
    check_output_place(place)
    with output_lock(place):
        check_output_free(place, force)
        tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}-{_host()}"
        staging = place.parent / f".{place.name}.partial-{tag}"
        retired = place.parent / f".{place.name}.old-{tag}"
        if not defer_signals:
            try:
                staging.mkdir()
                _write(out, staging, write_files)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        with _deferred_signals() as caught:
            try:
                if defer_signals:
                    staging.mkdir()
                    _write(out, staging, write_files)
                pause("written")
                if caught:  # a signal while writing: nothing new is put in place
                    raise Interrupted(caught[0])
                if place.exists():
                    place.rename(retired)
                staging.rename(place)
                committed.append(place)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                if retired.exists() and not place.exists():
                    retired.rename(place)  # put the previous result back
                raise
            shutil.rmtree(retired, ignore_errors=True)
            pause("committed")
        if caught:  # past the final rename: the new result is whole; main says so and exits 0
            raise Interrupted(caught[0])


def replace_files(place: Path, staged: dict[Path, Path]) -> None:
    """Rename each staged file (:func:`temp_name`) over its final name, as one step: signals are held
    from the end of the writing to the last rename, so an interrupt leaves every old file (exit 1) or
    every new one (exit 0), never a mix; the tests' hooks "written" and "committed" sit on either side.
    The caller holds ``place``'s lock and removes what is left staged when this raises."""
    with _deferred_signals() as caught:
        pause("written")
        if caught:
            raise Interrupted(caught[0])
        for final, temp in staged.items():
            os.replace(temp, final)
        committed.append(_place(place))
        pause("committed")
    if caught:
        raise Interrupted(caught[0])


def no_room(out: Path, exc: OSError, what: str = "") -> WriteFailure | None:
    """The WriteFailure (exit 1) for a write that failed for lack of room (a full disk, a quota, a
    file-size limit), or None when ``exc`` is something else."""
    if exc.errno in ROOM_ERRNOS or "No space left" in str(exc) or "File too large" in str(exc):
        return WriteFailure(f"{out}: the disk is full or a file-size limit was reached while writing"
                            f"{' ' + what if what else ''} ({exc.strerror or exc}); nothing was written")
    return None


def _write(out: Path, staging: Path, write_files: Callable[[Path], None]) -> None:
    try:
        write_files(staging)
    except OSError as exc:
        failure = no_room(out, exc)
        if failure is not None:
            raise failure from None
        raise
