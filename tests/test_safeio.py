"""simulator.io.safeio: files that are not regular, too large, not UTF-8 or not TOML are refused in one line
without blocking; atomic_write_text leaves the old file whole whatever happens during the write."""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
import threading

import pytest

from simulator.io import safeio
from simulator.io.safeio import InputFileError, atomic_write_text, read_text, read_toml


def _refused(path, *words, **kwargs):
    with pytest.raises(InputFileError) as exc:
        read_text(path, **kwargs)
    message = str(exc.value)
    assert "\n" not in message, message
    for word in words:
        assert word in message, (word, message)
    return message


def test_reads_a_regular_utf8_file_and_drops_a_byte_order_mark(tmp_path):
    path = tmp_path / "a.toml"
    path.write_bytes("\ufeffname = 'Östersund'\n".encode())
    assert read_text(path) == "name = 'Östersund'\n"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    result = {}
    reader = threading.Thread(target=lambda: result.setdefault("message", _refused(fifo, "FIFO")))
    reader.start()
    reader.join(timeout=5)
    if reader.is_alive():  # unblock the reader before failing, so the test run does not hang
        with open(fifo, "w"):
            pass
        pytest.fail("read_text blocked on a FIFO")
    assert result["message"] == f"{fifo}: is a FIFO (named pipe) (allowed: a regular file)"


def test_devices_directories_and_sockets_are_refused(tmp_path):
    _refused("/dev/zero", "/dev/zero: is a character device", "allowed: a regular file")
    _refused(tmp_path, "is a directory")
    sock_path = tmp_path / "s.toml"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        _refused(sock_path, "is a socket")


def test_a_symlink_to_a_device_is_judged_by_its_target(tmp_path):
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    _refused(link, "zero.csv: is a character device")


def test_missing_file_nul_in_path_and_the_name_shown(tmp_path):
    assert _refused(tmp_path / "nope.toml") == f"{tmp_path / 'nope.toml'}: file not found"
    message = _refused(str(tmp_path / "a\0b.toml"), "NUL byte")
    assert "\0" not in message and "a\\0b.toml" in message
    assert _refused(tmp_path / "nope.toml", what="base.toml: include 'nope.toml'") == \
        "base.toml: include 'nope.toml': file not found"


def test_size_is_capped_before_reading(tmp_path):
    big = tmp_path / "big.toml"
    with open(big, "wb") as f:  # sparse: no disk used, and never read
        f.truncate(safeio.MAX_TOML_BYTES + 1)
    _refused(big, f"{safeio.MAX_TOML_BYTES + 1} bytes is too large", "at most 16 MiB")
    small = tmp_path / "small.csv"
    small.write_text("x" * 11)
    _refused(small, "too large", limit=10)
    assert read_text(small, limit=11) == "x" * 11
    assert safeio.MAX_CSV_BYTES > safeio.MAX_TOML_BYTES


def test_bytes_that_are_not_utf8_name_the_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes("a = 1\nname = 'Östersund'\n".encode("latin-1"))
    assert _refused(path) == (f"{path}: line 2: byte 0xd6 is not UTF-8 (allowed: UTF-8 text; save the "
                              "file as UTF-8)")


@pytest.mark.parametrize("text", [
    "x = " + "[" * 2000 + "]" * 2000,               # RecursionError inside tomllib
    "x = " + "{a = " * 2000 + "1" + "}" * 2000,     # inline tables
    "[" + ".".join(["a"] * 200) + "]\nx = 1\n",     # parsed, but deeper than anything may recurse over
    "x = " + "[" * 70 + "]" * 70,
], ids=["arrays-2000", "inline-tables-2000", "dotted-table-200", "arrays-70"])
def test_deep_nesting_is_one_line(tmp_path, text):
    path = tmp_path / "deep.toml"
    path.write_text(text)
    with pytest.raises(InputFileError) as exc:
        read_toml(path)
    assert str(exc.value) == (f"{path}: not valid here: tables or arrays nested too deeply (allowed: at "
                              f"most {safeio.MAX_TOML_NESTING} levels)")


def test_nesting_up_to_the_limit_is_read(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text("x = " + "[" * (safeio.MAX_TOML_NESTING - 1) + "]" * (safeio.MAX_TOML_NESTING - 1))
    assert "x" in read_toml(path)


def test_invalid_toml_is_one_line_with_its_position(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("a = 1\nb = = 2\n")
    with pytest.raises(InputFileError) as exc:
        read_toml(path, "scenario.toml")
    assert str(exc.value).startswith("scenario.toml: not valid TOML: ") and "\n" not in str(exc.value)
    assert "line" in str(exc.value)


# --- atomic_write_text ----------------------------------------------------------------------------


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path):
    path = tmp_path / "economy.toml"
    path.write_text("old\n")
    path.chmod(0o640)
    atomic_write_text(path, "new\n")
    assert path.read_text() == "new\n" and stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["economy.toml"]


def test_atomic_write_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "new.toml", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.toml").stat().st_mode) == 0o640


def test_atomic_write_through_a_symlink_replaces_the_target(tmp_path):
    target = tmp_path / "shared" / "economy.toml"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "economy.toml"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


@pytest.mark.parametrize("fail_at", ["write", "fsync", "replace"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, fail_at):
    path = tmp_path / "economy.toml"
    path.write_text("calibrated parameters\n")

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safeio.os, fail_at, full_disk)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(path, "new text " * 1000)
    monkeypatch.undo()
    assert path.read_text() == "calibrated parameters\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["economy.toml"]


def test_an_interrupt_during_the_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "economy.toml"
    path.write_text("old")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(safeio.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(path, "new")
    monkeypatch.undo()
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["economy.toml"]


def test_a_file_size_limit_does_not_truncate_the_old_file(tmp_path):
    # the real fault of issue 12 point 5: a write that hits RLIMIT_FSIZE (EFBIG) in a child process
    path = tmp_path / "economy.toml"
    old = "x = 1  # calibrated\n" * 400  # 8 000 bytes, more than the limit below
    path.write_text(old)
    code = ("import resource, sys; from simulator.io.safeio import atomic_write_text\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
            "try:\n    atomic_write_text(sys.argv[1], 'y = 2\\n' * 5000)\n"
            "except OSError as exc:\n    print(exc.errno); sys.exit(3)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3 and proc.stdout.strip() == str(errno.EFBIG), (proc.stdout, proc.stderr)
    assert path.read_text() == old
    assert [p.name for p in tmp_path.iterdir()] == ["economy.toml"]


def test_calibrate_out_on_a_file_size_limit_keeps_the_old_economy(tmp_path):
    # issue 12 point 5: `calibrate --out` over an existing economy.toml on a full disk truncated it to
    # 4 096 bytes; now the write fails whole, with one line and exit 1, and the old file stays
    from tests.conftest import ROOT

    out = tmp_path / "economy.toml"
    old = (ROOT / "calibration" / "economy.toml").read_text()
    out.write_text(old)
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)); "
            "from simulator.cli import main; main(sys.argv[1:])")
    proc = subprocess.run([sys.executable, "-c", code, "calibrate", "--data", "calibration/data", "--out",
                           str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert len(old.encode()) > 4096
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == (f"error: --out: {out}: cannot be written (File too large); the file there "
                           "before is unchanged\n")
    assert "Traceback" not in proc.stdout and out.read_text() == old
    assert [p.name for p in tmp_path.iterdir()] == ["economy.toml"]
