"""--out names and messages a terminal can show (issue 22, point 5): a name too long for its staging
directory, a path with a component past the file system's limit, a mount point, and a scenario key with a
newline and an ANSI escape. Each is one line, exit 2, and nothing is written."""

from __future__ import annotations

import os

import pytest

from simulator.cli import main
from simulator.io import atomic
from tests.conftest import BASE_TOML


def _run(argv: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return exc.value.code, capsys.readouterr().err


@pytest.mark.parametrize("length", [300, 200])
def test_an_out_name_too_long_is_bad_input(tmp_path, capsys, length):
    """300 bytes is past any file system's 255; 200 leaves no room for the staging suffix beside it."""
    out = tmp_path / ("r" * length)
    code, err = _run(["run", str(BASE_TOML), "--paths", "10", "--out", str(out)], capsys)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert ("too long" in err) if length > 255 else (f"--out: the name is {length} bytes" in err), err
    assert list(tmp_path.iterdir()) == []


def test_a_component_too_long_above_out_is_bad_input(tmp_path, capsys):
    out = tmp_path / ("d" * 300) / "result"
    code, err = _run(["run", str(BASE_TOML), "--paths", "10", "--out", str(out)], capsys)
    assert code == 2 and err.count("\n") == 1 and "too long" in err and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []


def test_a_mount_point_is_refused_up_front(tmp_path, capsys, monkeypatch):
    """A mount point cannot be renamed onto (EBUSY at the end of a run): refused before any work."""
    out = tmp_path / "mnt"
    out.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(atomic.os.path, "ismount", lambda p: os.fspath(p) == os.fspath(out) or real(p))
    code, err = _run(["run", str(BASE_TOML), "--paths", "10", "--out", str(out)], capsys)
    assert code == 2 and err.count("\n") == 1 and "is a mount point" in err and str(out / "result") in err, err
    assert list(out.iterdir()) == []


def test_control_characters_in_a_message_are_escaped(tmp_path, capsys):
    """A key with a newline and an ANSI escape: the refusal stays one printable line."""
    scenario = tmp_path / "s.toml"
    scenario.write_text(f'include = ["{BASE_TOML}"]\n"bad\\u001b[31mkey\\nnext" = 1\n', encoding="utf-8")
    code, err = _run(["validate", str(scenario)], capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert "\x1b" not in err and "\\x1b[31mkey\\nnext" in err, err
