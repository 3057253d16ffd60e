"""The PDF: the HTML report printed by headless Chromium (Debian's ``chromium``), A4 from the report's CSS
(``@page``), a page break before each section.

Chromium is started with the flags the closed network needs (no background connections, no component
updates, no sync, no QUIC), a new empty profile and a timeout; it is killed with its whole process group
when the timeout passes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from simulator.errors import RunFailure

CHROMIUM_ENV = "SIMULATOR_CHROMIUM"  # a Chromium binary to use instead of the first one found
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")
PDF_TIMEOUT_S = 120.0


class PdfError(RunFailure):
    """Chromium is missing or did not print the report."""


def find_chromium() -> str | None:
    explicit = os.environ.get(CHROMIUM_ENV)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(chromium: str, profile_dir: str | Path, *args: str) -> list[str]:
    """Chromium with the closed-network flags and a profile of its own."""
    return [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", *args]


def run_chromium(args: list[str], timeout: float, **popen) -> subprocess.CompletedProcess:
    """Run Chromium in its own process group so a timeout ends its helpers too (the Debian launcher is
    a shell script that starts the browser as a child)."""
    proc = subprocess.Popen(args, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            **popen)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def print_pdf(html_path: Path, pdf_path: Path, timeout: float = PDF_TIMEOUT_S,
              chromium: str | None = None) -> None:
    """Print ``html_path`` to ``pdf_path`` (page size and breaks come from the report's print CSS)."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise PdfError("--pdf: Chromium not found (install Debian's chromium, e.g. with .ci/install-chromium, "
                       f"or set {CHROMIUM_ENV})")
    with tempfile.TemporaryDirectory(prefix="simulator-chromium-") as profile:
        args = chromium_command(chromium, profile, "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}",
                                Path(html_path).resolve().as_uri())
        try:
            done = run_chromium(args, timeout)
        except subprocess.TimeoutExpired:
            raise PdfError(f"--pdf: Chromium did not finish within {timeout:.0f} s") from None
        except OSError as exc:
            raise PdfError(f"--pdf: cannot start {chromium} ({exc.strerror or exc})") from None
    pdf_path = Path(pdf_path)
    if done.returncode != 0 or not pdf_path.is_file() or pdf_path.read_bytes()[:5] != b"%PDF-":
        last = (done.stderr or b"").decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise PdfError(f"--pdf: Chromium did not print the report (exit {done.returncode}: {last[0]})")
