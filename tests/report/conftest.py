"""Helpers for checking Word and HTML output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx.oxml.ns import qn


def _runs_without_east_asian_font(path: Path) -> list[str]:
    """Text of every run (body, tables, headers, footers) whose rFonts lacks w:eastAsia."""
    import docx

    doc = docx.Document(str(path))
    parts = [doc.element.body]
    for section in doc.sections:
        parts += [section.footer._element, section.header._element]
    bad = []
    for part in parts:
        for run in part.iter(qn("w:r")):
            fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            if fonts is None or not fonts.get(qn("w:eastAsia")):
                bad.append("".join(t.text or "" for t in run.iter(qn("w:t"))))
    return bad


def _external_references(text: str) -> list[str]:
    """src/href values that point outside the HTML file (not data: URIs or #anchors)."""
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", text)
    return [r for r in refs if not (r.startswith(("data:", "#")))]


@pytest.fixture
def runs_without_east_asian_font():
    """Function: .docx path → runs missing the East Asian font."""
    return _runs_without_east_asian_font


@pytest.fixture
def external_references():
    """Function: HTML text → references to outside files."""
    return _external_references
