"""Word to PDF through LibreOffice, and the page each heading lands on.

Used by :meth:`toolkit.report.Report.to_docx` to put real page numbers into the
table of contents, and by :meth:`toolkit.report.Report.to_pdf`. LibreOffice
(``soffice``) and poppler's ``pdftotext`` are optional: without them the
functions here return ``None`` and the caller falls back.

Each Python process gets its own LibreOffice profile (two processes sharing one
would hand their conversions to each other or fail); it is removed at exit.
"""

from __future__ import annotations

import atexit
import itertools
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path

__all__ = ["find_soffice", "heading_pages", "page_texts", "to_pdf"]

_PROFILE: Path | None = None
#: Seconds allowed for one conversion.
TIMEOUT = 180


def find_soffice() -> str | None:
    """Path of the LibreOffice program (``soffice``/``libreoffice``), or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _profile() -> Path:
    global _PROFILE
    if _PROFILE is None:
        _PROFILE = Path(tempfile.mkdtemp(prefix=f"toolkit-lo-{os.getpid()}-"))
        atexit.register(shutil.rmtree, _PROFILE, ignore_errors=True)
    return _PROFILE


def to_pdf(docx: str | Path, outdir: str | Path | None = None) -> Path | None:
    """Convert a ``.docx`` file to PDF with LibreOffice; None when it is not installed.

    The PDF is written to `outdir` (default: beside the file) under the same stem.

    Raises
    ------
    RuntimeError
        When LibreOffice is installed but the conversion fails.
    """
    soffice = find_soffice()
    if soffice is None:
        return None
    docx = Path(docx).resolve()
    outdir = Path(outdir).resolve() if outdir is not None else docx.parent
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [soffice, "--headless", "--norestore", "--nologo",
           f"-env:UserInstallation={_profile().as_uri()}",
           "--convert-to", "pdf", "--outdir", str(outdir), str(docx)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    target = outdir / f"{docx.stem}.pdf"
    if done.returncode != 0 or not target.is_file():
        msg = (f"LibreOffice could not convert {docx.name} to PDF (exit status "
               f"{done.returncode}): {(done.stderr or done.stdout).strip()[:500]}")
        raise RuntimeError(msg)
    return target


def page_texts(pdf: str | Path) -> list[str] | None:
    """The text of each page of a PDF (poppler's ``pdftotext``), or None without it."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    done = subprocess.run([tool, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          timeout=TIMEOUT, check=True)
    pages = done.stdout.decode("utf-8", errors="replace").split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return pages


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


_FOOTER = re.compile(r"^(?:第\s*(\d+)\s*页|Page\s+(\d+))$")


def _displayed_number(page: str) -> int | None:
    """The arabic page number the footer prints on a page (第 3 页 / Page 3), or None."""
    for line in reversed([ln.strip() for ln in page.splitlines() if ln.strip()]):
        m = _FOOTER.match(line)
        if m:
            return int(m.group(1) or m.group(2))
    return None


def heading_pages(pages: Sequence[str], headings: Sequence[str]) -> list[int | None]:
    """The printed page number of each heading, in order.

    Only pages whose footer prints an arabic page number (the body of the
    report, not the cover or the contents) are searched. A heading is a line
    equal to its text (whitespace ignored; a heading wrapped over two lines is
    found too); headings are found in order, each on or after the page of the
    one before. A heading not found gets None.
    """
    body = [(n, [_norm(ln) for ln in text.splitlines() if ln.strip()])
            for text in pages if (n := _displayed_number(text)) is not None]
    out: list[int | None] = []
    start = 0
    for heading in headings:
        want = _norm(heading)
        found = None
        for i in range(start, len(body)):
            lines = body[i][1]
            pairs = (a + b for a, b in itertools.pairwise(lines))
            if want in lines or any(p == want for p in pairs):
                found = i
                break
        out.append(body[found][0] if found is not None else None)
        if found is not None:
            start = found
    return out
