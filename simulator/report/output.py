"""``simulator report``: read the directories, render everything in memory, then put the files in place.

All or nothing: under the result directory's lock (the one run, sweep and compare take, so no
``run --force`` replaces the directory meanwhile and two reports do not interleave), each file is first
written under a hidden temporary name in its final directory (:func:`simulator.io.atomic.temp_name`) and
renamed over the old one only when every requested file was made, all renames in one step with signals
held (:func:`simulator.io.atomic.replace_files`). A failure (Chromium missing, a full disk, a signal) leaves
the previous report as it was; the files a killed report left are removed by the next writer there.
A report replaces or removes every report file it owns: run again without ``--pdf``, it removes the old
report.pdf, so the folder never holds two different reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from simulator.errors import InputError
from simulator.i18n import UnknownLanguage, check_language
from simulator.io.atomic import no_room, output_lock, replace_files, temp_name
from simulator.report.data import ReportInputError, load_report
from simulator.report.html import render
from simulator.report.pdf import PdfError, print_pdf
from simulator.report.tables import TABLE_KEYS, build_tables, csv_text, workbook_bytes

HTML_FILE, PDF_FILE, XLSX_FILE, CSV_DIR = "report.html", "report.pdf", "tables.xlsx", "tables"


class ReportOutputError(InputError):
    """A report file cannot be written where it belongs."""


def write_report(directories: Sequence[str | Path], lang: str = "sv", pdf: bool = False, xlsx: bool = False,
                 csv: bool = False) -> list[Path]:
    """Write report.html (and report.pdf, tables.xlsx, tables/*.csv) into the first directory."""
    try:
        check_language(lang)
    except UnknownLanguage as exc:
        raise ReportInputError(str(exc)) from None
    first = Path(directories[0]) if directories else None
    if first is None or not first.is_dir():
        load_report(directories)  # the one-line refusal, before any lock file is made beside it
        raise ReportInputError(f"{first}: not a directory")
    with output_lock(first):
        report = load_report(directories)  # read under the lock: what is shown is what is there
        out = report.main.directory
        files = _render(report, lang, xlsx, csv)
        try:
            _put_in_place(out, files, pdf)
        except PdfError as exc:  # the environment, not the input: exit 1, and the folder as it was
            raise PdfError(f"{exc}; nothing was written") from None
        _remove_stale(out, written={*files, *([out / PDF_FILE] if pdf else [])})
    return sorted([*files, *([out / PDF_FILE] if pdf else [])])


def _render(report, lang: str, xlsx: bool, csv: bool) -> dict[Path, bytes]:
    """Every requested file's bytes, in memory (nothing is written yet)."""
    out = report.main.directory
    files: dict[Path, bytes] = {out / HTML_FILE: render(report, lang).encode("utf-8")}
    tables = build_tables(report, lang) if (xlsx or csv) else []
    if xlsx:
        files[out / XLSX_FILE] = workbook_bytes(tables)
    if csv:
        for table in tables:
            # BOM: Excel reads the file as UTF-8 (å, ä, ö) only with it
            files[out / CSV_DIR / f"{table.key}.csv"] = csv_text(table).encode("utf-8-sig")
    return files


def _put_in_place(out: Path, files: dict[Path, bytes], pdf: bool) -> None:
    """Stage every file (and the PDF printed from the staged HTML), then rename them all in one step."""
    staged: dict[Path, Path] = {}
    made: list[Path] = []  # folders this report creates (tables/): removed again while still empty
    try:
        for final, content in files.items():
            if not final.parent.is_dir():
                final.parent.mkdir()
                made.append(final.parent)
            staged[final] = temp_name(final)
            staged[final].write_bytes(content)
        if pdf:
            final = out / PDF_FILE
            staged[final] = temp_name(final)
            print_pdf(staged[out / HTML_FILE], staged[final])
        replace_files(out, staged)
    except OSError as exc:
        failure = no_room(out, exc, "the report")  # the machine, not the input: exit 1
        if failure is not None:
            raise failure from None
        raise ReportOutputError(f"{out}: cannot write the report ({exc.strerror or exc})") from None
    finally:
        for temp in staged.values():
            temp.unlink(missing_ok=True)
        for folder in made:
            if not any(folder.iterdir()):  # nothing was put in place there
                folder.rmdir()


def owned_files(out: Path) -> list[Path]:
    """Every file a report may write into ``out``: the HTML, the PDF, the workbook, each table's CSV."""
    return [out / HTML_FILE, out / PDF_FILE, out / XLSX_FILE, *(out / CSV_DIR / f"{key}.csv" for key in TABLE_KEYS)]


def _remove_stale(out: Path, written: set[Path]) -> None:
    """A folder never holds two reports: what this report did not write of the files a report owns (a
    PDF of an earlier report run with --pdf, its workbook, a table it no longer has) is removed, and
    tables/ when that leaves it empty."""
    for path in owned_files(out):
        if path not in written:
            path.unlink(missing_ok=True)
    folder = out / CSV_DIR
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
