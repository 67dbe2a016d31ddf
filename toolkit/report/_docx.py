"""Low-level Word helpers: East Asian fonts on every run, fields, three-line tables."""

from __future__ import annotations

import math
import re
import unicodedata

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run


def set_run_font(run: Run, east: str, latin: str, *, size: float | None = None,
                 bold: bool | None = None) -> Run:
    """Set the Latin and East Asian font of one run (``w:rFonts`` ascii/hAnsi/eastAsia)."""
    run.font.name = latin
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:  # pragma: no cover - font.name always creates it
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east)
    fonts.set(qn("w:cs"), latin)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    return run


def set_style_font(style: object, east: str, latin: str, *, size: float | None = None,
                   bold: bool | None = None, black: bool = True) -> None:
    """Set the fonts of a paragraph style (so text typed later in Word gets them too)."""
    font = style.font  # type: ignore[attr-defined]
    font.name = latin
    r_pr = style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:  # pragma: no cover
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for key in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(key), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if black:
        font.color.rgb = RGBColor(0, 0, 0)
    font.italic = False


def add_text(paragraph: Paragraph, text: str, east: str, latin: str, *,
             size: float | None = None, bold: bool | None = None) -> Run:
    """Add a run of text with both fonts set."""
    return set_run_font(paragraph.add_run(text), east, latin, size=size, bold=bold)


def _fld_char(kind: str) -> OxmlElement:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    return el


def field_begin(paragraph: Paragraph, instr: str, east: str, latin: str,
                size: float | None = None) -> None:
    """Add the begin, instruction and separate parts of a complex field."""
    for part in ("begin", "instr", "separate"):
        run = set_run_font(paragraph.add_run(), east, latin, size=size)
        if part == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instr} "
            run._element.append(el)
        else:
            run._element.append(_fld_char(part))


def field_end(paragraph: Paragraph, east: str, latin: str, size: float | None = None) -> None:
    """Close a complex field."""
    run = set_run_font(paragraph.add_run(), east, latin, size=size)
    run._element.append(_fld_char("end"))


def add_field(paragraph: Paragraph, instr: str, result: str, east: str, latin: str, *,
              size: float | None = None, bold: bool | None = None) -> None:
    """Add a complex field (PAGE, SEQ …) with its cached result text."""
    field_begin(paragraph, instr, east, latin, size)
    add_text(paragraph, result, east, latin, size=size, bold=bold)
    field_end(paragraph, east, latin, size)


def _border(parent: OxmlElement, edge: str, size: int) -> None:
    el = OxmlElement(f"w:{edge}")
    if size:
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(size))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
    else:
        el.set(qn("w:val"), "nil")
    parent.append(el)


def three_line(table: object) -> None:
    """Three-line table (三线表): thick top and bottom rules, a thin rule under the header."""
    tbl = table._tbl  # type: ignore[attr-defined]
    tbl_pr = tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge, size in (("top", 12), ("left", 0), ("bottom", 12), ("right", 0),
                       ("insideH", 0), ("insideV", 0)):
        _border(borders, edge, size)
    # keep the schema's order of table properties (Word rejects files that break it)
    later = {qn(f"w:{t}") for t in ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption",
                                    "tblDescription")}
    successor = next((el for el in tbl_pr if el.tag in later), None)
    if successor is None:
        tbl_pr.append(borders)
    else:
        successor.addprevious(borders)
    header = table.rows[0]  # type: ignore[attr-defined]
    for cell in header.cells:
        tc_pr = cell._tc.get_or_add_tcPr()
        cell_borders = OxmlElement("w:tcBorders")
        _border(cell_borders, "bottom", 6)
        tc_pr.append(cell_borders)


_NUMERIC = re.compile(r"^[\s<>≤≥()\[\]0-9.,%*+\-−—–/:：]*$")


def is_numeric_column(values: list[str]) -> bool:
    """Whether every non-empty cell looks like a number (counts, %, CIs, stars, <5, —)."""
    cells = [v for v in values if v.strip()]
    return bool(cells) and all(_NUMERIC.match(v) for v in cells)


def text_width(text: str) -> int:
    """Display width of a string: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _header_units(text: str) -> float:
    """Width a bold header needs when it may wrap onto two lines.

    Latin words are not broken; Chinese may break between any two characters.
    """
    tokens = str(text).split() or [""]
    longest = max(text_width(t) if text_width(t) == len(t) else math.ceil(text_width(t) / 2)
                  for t in tokens)
    return 1.1 * max(longest, math.ceil(text_width(str(text)) / 2))


def column_widths(columns: list[list[str]], total_cm: float = 16.0,
                  numeric: list[bool] | None = None, size: float = 10.5) -> list[float]:
    """Column widths (cm) that fill `total_cm`, wrapping text columns before numbers.

    Each column's natural width is its widest cell, or half its header (headers
    may wrap onto two lines): half an em per Latin character and one em per
    Chinese character at `size` points, plus the cell margins (0.4 cm). When the
    natural widths fit, they are stretched to fill the line; when they do not,
    text columns are narrowed first (their cells wrap, down to 2 cm) and number
    columns keep their width; failing that, all shrink in proportion.
    """
    numeric = numeric or [False] * len(columns)
    unit = size / 72 * 2.54 / 2  # cm per half em
    natural = []
    for col in columns:
        cells = max([text_width(line) for v in col[1:] for line in str(v).split("\n")] + [2])
        natural.append(unit * max(cells, _header_units(col[0])) + 0.4)
    if sum(natural) <= total_cm:
        return [w * total_cm / sum(natural) for w in natural]
    fixed = sum(w for w, num in zip(natural, numeric, strict=True) if num)
    flexible = sum(w for w, num in zip(natural, numeric, strict=True) if not num)
    n_text = sum(not n for n in numeric)
    room = total_cm - fixed
    if flexible and room >= 2.0 * n_text:
        return [w if num else w * room / flexible
                for w, num in zip(natural, numeric, strict=True)]
    return [w * total_cm / sum(natural) for w in natural]


def table_layout(columns: list[list[str]], numeric: list[bool],
                 total_cm: float = 16.0) -> tuple[list[float], float]:
    """Widths and font size of a table: 10.5 pt (五号), or 9 pt (小五) when numbers would wrap."""
    for size in (10.5, 9.0):
        widths = column_widths(columns, total_cm, numeric, size)
        unit = size / 72 * 2.54 / 2
        need = [unit * max([text_width(v) for v in col[1:]] + [2]) + 0.4
                for col, num in zip(columns, numeric, strict=True) if num]
        have = [w for w, num in zip(widths, numeric, strict=True) if num]
        if all(h >= n - 1e-9 for h, n in zip(have, need, strict=True)):
            return widths, size
    return widths, 9.0


def repeat_header(row: object) -> None:
    """Repeat a table row at the top of each page (``w:tblHeader``)."""
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def remove_borders(style: object) -> None:
    """Remove paragraph borders of a style (the default Title style has a rule under it)."""
    p_pr = style.element.pPr  # type: ignore[attr-defined]
    if p_pr is not None:
        for el in p_pr.findall(qn("w:pBdr")):
            p_pr.remove(el)


def center(paragraph: Paragraph) -> Paragraph:
    """Centre a paragraph."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph
