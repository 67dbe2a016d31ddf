"""Helpers for checking Word and HTML output."""

from __future__ import annotations

import base64
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
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


# ---------------------------------------------------------------------------
# personal values in outputs


def png_text(data: bytes) -> str:
    """The text chunks (tEXt, zTXt, iTXt, eXIf) of a PNG, read by the PNG specification."""
    out, pos = [], 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"tEXt":
            out.append(body.decode("latin-1"))
        elif kind == b"zTXt":
            keyword, _, rest = body.partition(b"\0")
            out.append(keyword.decode("latin-1") + zlib.decompress(rest[1:]).decode("latin-1"))
        elif kind == b"iTXt":
            keyword, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _, _, rest = rest.partition(b"\0")  # language tag
            _, _, text = rest.partition(b"\0")  # translated keyword
            out.append(keyword.decode("latin-1")
                       + (zlib.decompress(text) if compressed else text).decode("utf-8"))
        elif kind == b"eXIf":
            out.append(body.decode("latin-1"))
        pos += 12 + length
    return "\n".join(out)


def output_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) of every readable part of an output file."""
    data = path.read_bytes()
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                part = z.read(name)
                text = png_text(part) if part.startswith(b"\x89PNG") else \
                    part.decode("utf-8", "replace")
                yield f"{path.name}:{name}", text
    elif data.startswith(b"\x89PNG"):
        yield path.name, png_text(data)
    else:
        text = data.decode("utf-8", "replace")
        yield path.name, text
        for i, b64 in enumerate(re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text)):
            yield f"{path.name}:image {i + 1}", png_text(base64.b64decode(b64))


def leaks(files: Iterable[Path], values: set[str]) -> list[tuple[str, str]]:
    """(where, value) for every value found in the files (numbers also without spaces or dashes).

    Every stretch of text that could hold a value (digits for numbers, the
    characters of the names for names) is searched for each value it is long
    enough to hold: a set look-up per position and length, so that thousands
    of values are searched at once.
    """
    numeric = {v for v in values if re.fullmatch(r"[\dXx]+", v)}
    shortest = min(len(v) for v in values - numeric)
    patterns = [(re.compile(r"\d[\d\s\-]{9,}[\dXx]"), numeric),
                (re.compile(f"[{re.escape(''.join({c for v in values - numeric for c in v}))}]"
                            f"{{{shortest},}}"), values - numeric)]
    found = set()
    for path in files:
        for where, text in output_texts(path):
            text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)  # read as PNG
            for pattern, wanted in patterns:
                lengths = sorted({len(v) for v in wanted})
                for run in pattern.findall(text):
                    run = re.sub(r"[\s\-]", "", run)
                    for n in lengths:
                        found |= {(where, run[i:i + n]) for i in range(len(run) - n + 1)
                                  if run[i:i + n] in wanted}
    return sorted(found)


@pytest.fixture
def leaks_in():
    """Function: (files, values) → (where, value) for every value found in the files."""
    return leaks
