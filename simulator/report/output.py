"""``simulator report``: read the directories, render everything in memory, then put the files in place.

All or nothing: each file is first written under a hidden temporary name in its final directory and
renamed over the old one (``os.replace``, atomic on one file system) only when every requested file was
made, so a failure (Chromium missing, a full disk, an interrupt) leaves the previous report as it was.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Sequence

from simulator.report.data import ReportInputError, load_report
from simulator.report.html import render
from simulator.report.i18n import UnknownLanguage, check_language
from simulator.report.pdf import print_pdf
from simulator.report.tables import TABLE_KEYS, build_tables, csv_text, workbook_bytes

HTML_FILE, PDF_FILE, XLSX_FILE, CSV_DIR = "report.html", "report.pdf", "tables.xlsx", "tables"


class ReportOutputError(Exception):
    """A report file cannot be written where it belongs."""


def _temp_name(final: Path) -> Path:
    # keep the suffix: Chromium decides how to open a file by its extension
    return final.with_name(f".{final.stem}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}{final.suffix}")


def write_report(directories: Sequence[str | Path], lang: str = "sv", pdf: bool = False, xlsx: bool = False,
                 csv: bool = False) -> list[Path]:
    """Write report.html (and report.pdf, tables.xlsx, tables/*.csv) into the first directory."""
    try:
        check_language(lang)
    except UnknownLanguage as exc:
        raise ReportInputError(str(exc)) from None
    report = load_report(directories)
    out = report.main.directory
    files: dict[Path, bytes] = {out / HTML_FILE: render(report, lang).encode("utf-8")}
    tables = build_tables(report, lang) if (xlsx or csv) else []
    if xlsx:
        files[out / XLSX_FILE] = workbook_bytes(tables)
    if csv:
        for table in tables:
            # BOM: Excel reads the file as UTF-8 (å, ä, ö) only with it
            files[out / CSV_DIR / f"{table.key}.csv"] = csv_text(table).encode("utf-8-sig")
    staged: dict[Path, Path] = {}
    try:
        for final, content in files.items():
            final.parent.mkdir(exist_ok=True)
            staged[final] = _temp_name(final)
            staged[final].write_bytes(content)
        if pdf:
            final = out / PDF_FILE
            staged[final] = _temp_name(final)
            print_pdf(staged[out / HTML_FILE], staged[final])
        for final, temp in staged.items():
            os.replace(temp, final)
    except OSError as exc:
        raise ReportOutputError(f"{out}: cannot write the report ({exc.strerror or exc})") from None
    finally:
        for temp in staged.values():
            temp.unlink(missing_ok=True)
    if csv:
        _remove_stale_csv(out / CSV_DIR, {f"{tb.key}.csv" for tb in tables})
    return sorted(staged)


def _remove_stale_csv(folder: Path, written: set[str]) -> None:
    """A table this run no longer has (e.g. no sweep now) must not linger from an earlier report."""
    for key in TABLE_KEYS:
        name = f"{key}.csv"
        if name not in written:
            (folder / name).unlink(missing_ok=True)
