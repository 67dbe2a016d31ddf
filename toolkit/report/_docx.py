"""Low-level Word helpers: East Asian fonts on every run, fields, three-line tables."""

from __future__ import annotations

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
    tbl_pr.append(borders)
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


def column_widths(columns: list[list[str]], total_cm: float = 16.0) -> list[float]:
    """Column widths (cm) proportional to content, summing to `total_cm`."""
    natural = [max([text_width(line) for v in col for line in str(v).split("\n")] + [4]) + 2
               for col in columns]
    natural = [min(n, 40) for n in natural]
    widths = [total_cm * n / sum(natural) for n in natural]
    small = [max(w, 1.3) for w in widths]
    return [w * total_cm / sum(small) for w in small]


def repeat_header(row: object) -> None:
    """Repeat a table row at the top of each page (``w:tblHeader``)."""
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def center(paragraph: Paragraph) -> Paragraph:
    """Centre a paragraph."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph
