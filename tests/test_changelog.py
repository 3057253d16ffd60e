"""The version follows the numbers (issue 20, point 7): pyproject.toml's version has its CHANGELOG.md entry,
on top, with the headlines it moved; and every result says which version and which commit made it."""

import json
import re
import tomllib

from simulator import __version__, code_revision
from simulator.cli import main
from tests.conftest import ROOT

ENTRY = re.compile(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$", re.M)


def test_the_version_has_its_entry_on_top_of_the_changelog():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    entries = ENTRY.findall(text)
    assert entries and entries[0][0] == version == __version__
    numbers = [tuple(int(x) for x in v.split(".")) for v, _ in entries]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == len(numbers)  # newest first
    for v, _ in entries:  # each entry gives the headlines: a result can be placed against it
        body = text.split(f"## {v} — ", 1)[1].split("\n## ", 1)[0]
        assert "balance_2030" in body and "consolidation_2040" in body, v
        assert re.search(r"\d+\.\d %", body), v


def test_a_result_names_its_version_and_commit(tmp_path):
    main(["run", str(ROOT / "scenarios" / "base.toml"), "--paths", "20", "--no-assumptions", "--summary-only",
          "--out", str(tmp_path / "r")])
    summary = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["version"] == __version__
    assert summary["code"] == code_revision()  # git describe in a checkout, None in an installed copy
    if (ROOT / ".git").exists():
        assert summary["code"] and re.match(r"^[\w.\-]+$", summary["code"])
