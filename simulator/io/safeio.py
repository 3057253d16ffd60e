"""Reading the user's files without hanging or exhausting memory, and writing files all or nothing.

Every file a user names (scenario, include, judgment, calibration CSV) is read by :func:`read_text`:
it refuses what is not a regular file (a FIFO would block forever, ``/dev/zero`` never ends, a directory
or socket cannot be read) *before* opening it for a blocking read, caps the size, refuses a NUL byte in
the path and decodes UTF-8 strictly. :func:`read_toml` adds the TOML parser, mapping every way it can
fail (including ``RecursionError`` on 2 000 nested arrays) onto the same error. The one error type,
:class:`InputFileError`, carries one line: ``FILE: what is wrong (what is allowed)``.

:func:`atomic_write_text` replaces a file by writing a temporary file next to it, syncing it and
renaming it over the old one, so a full disk or a killed process leaves the old file as it was.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tomllib
from pathlib import Path
from typing import Any

from simulator.errors import InputError
from simulator.io.atomic import clean_stale_temps, pause, temp_name

#: Largest scenario, include or judgment file read (a real one is ~30 KB; 16 MiB is far past any).
MAX_TOML_BYTES = 16 * 2**20
#: Largest calibration CSV read: 10^6 annual rows are ~14 MB, so 256 MiB leaves room for long monthly
#: series with note columns while still refusing a runaway file before it is read.
MAX_CSV_BYTES = 256 * 2**20

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class InputFileError(InputError, ValueError):
    """A file the user named cannot be used: one line, ``FILE: what is wrong (what is allowed)``."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB"


def read_bytes(path: str | os.PathLike, what: str | None = None, limit: int = MAX_TOML_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    ``what`` is how the file is named in the message (default: the path), e.g.
    ``"base.toml: include 'x.toml'"``. Raises :class:`InputFileError`.
    """
    name = what if what is not None else str(path)
    raw = os.fspath(path)
    if "\0" in (raw if isinstance(raw, str) else raw.decode(errors="replace")):
        shown = name.replace("\0", "\\0")  # the message stays one printable line
        raise InputFileError(f"{shown}: the path contains a NUL byte (allowed: a file path without NUL "
                             "characters)")
    try:
        # stat before open: opening a FIFO for reading blocks until a writer appears
        st = os.stat(raw)
        if not stat.S_ISREG(st.st_mode):
            raise InputFileError(f"{name}: is {_kind(st.st_mode)} (allowed: a regular file)")
        # O_NONBLOCK: should the path have been swapped for a FIFO since the stat, open does not block
        fd = os.open(raw, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputFileError(f"{name}: file not found") from None
    except InputFileError:
        raise
    except (OSError, ValueError) as exc:  # ValueError: e.g. a path too long for the platform
        raise InputFileError(f"{name}: cannot be read ({_reason(exc)})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputFileError(f"{name}: is {_kind(st.st_mode)} (allowed: a regular file)")
        if st.st_size > limit:
            raise InputFileError(f"{name}: {st.st_size} bytes is too large (allowed: at most {_mib(limit)})")
        chunks, total = [], 0
        while True:  # read to the end, never more than the limit (the file may grow meanwhile)
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise InputFileError(f"{name}: larger than {_mib(limit)} (allowed: at most {_mib(limit)})")
        return b"".join(chunks)
    except OSError as exc:
        raise InputFileError(f"{name}: cannot be read ({_reason(exc)})") from None
    finally:
        os.close(fd)


def read_text(path: str | os.PathLike, what: str | None = None, limit: int = MAX_TOML_BYTES) -> str:
    """The text of a regular UTF-8 file (a leading byte-order mark is dropped, as Excel writes one).

    Checks as :func:`read_bytes`; bytes that are not UTF-8 are an :class:`InputFileError`.
    """
    data = read_bytes(path, what, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        name = what if what is not None else str(path)
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFileError(f"{name}: line {line}: byte 0x{data[exc.start]:02x} is not UTF-8 "
                             "(allowed: UTF-8 text; save the file as UTF-8)") from None


#: Deepest nesting of tables and arrays accepted (a scenario is 5 levels deep). Deeper data would make the
#: recursive merge of includes and the validator recurse without end.
MAX_TOML_NESTING = 64


def read_toml(path: str | os.PathLike, what: str | None = None, limit: int = MAX_TOML_BYTES) -> dict[str, Any]:
    """The TOML document in ``path`` as a dict; every read or parse failure is an :class:`InputFileError`."""
    text = read_text(path, what, limit)
    name = what if what is not None else str(path)
    too_deep = (f"{name}: not valid here: tables or arrays nested too deeply "
                f"(allowed: at most {MAX_TOML_NESTING} levels)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"{name}: not valid TOML: {_one_line(exc)}") from None
    except RecursionError:  # tomllib recurses once per level of nested arrays or inline tables
        raise InputFileError(too_deep) from None
    except (ValueError, TypeError, OverflowError, MemoryError) as exc:  # tomllib's own conversions
        raise InputFileError(f"{name}: not valid TOML: {_one_line(exc)}") from None
    if _depth(data) > MAX_TOML_NESTING:
        raise InputFileError(too_deep)
    return data


def _depth(data: Any) -> int:
    """Nesting depth of dicts and lists, without recursion (the data may be deeper than the stack)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if depth > MAX_TOML_NESTING:
                break
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or exc.__class__.__name__


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return _one_line(exc)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` all or nothing (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` all or nothing: a temporary file in the same directory, flushed and
    fsynced, then ``os.replace``d over ``path``. On any failure (a full disk, a file-size limit, an
    interrupt) the temporary file is removed and ``path`` is left as it was (one a killed writer left
    is removed by the next write there). A symlink at ``path`` is followed: its target is replaced,
    the link stays. Raises ``OSError`` (and whatever interrupted it).
    """
    target = Path(path)
    if target.is_symlink():
        target = target.resolve()

    clean_stale_temps(target.parent)  # what a killed writer (kill -9, a power cut) left beside it
    tmp = temp_name(target)
    # mode 0o666 minus the umask, as a new file gets; an existing file keeps its own permissions
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        try:
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        except FileNotFoundError:
            pass
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
        os.close(fd)
        fd = -1
        pause("replacing")  # the tests' fault hook: the new file is whole under its temporary name
        os.replace(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (best effort: not every platform or filesystem syncs a directory)."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)
