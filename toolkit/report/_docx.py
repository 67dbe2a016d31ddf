"""Low-level Word helpers: East Asian fonts on every run, fields, three-line tables."""

from __future__ import annotations

from typing import Any

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


def _table_property(tbl_pr: OxmlElement, el: OxmlElement) -> None:
    """Insert a table property in the schema's order (Word rejects files that break it)."""
    order = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
             "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
             "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription"]
    name = el.tag.split("}")[1]
    for old in tbl_pr.findall(qn(f"w:{name}")):
        tbl_pr.remove(old)
    later = {qn(f"w:{t}") for t in order[order.index(name) + 1:]}
    successor = next((c for c in tbl_pr if c.tag in later), None)
    if successor is None:
        tbl_pr.append(el)
    else:
        successor.addprevious(el)


def _cell_borders(cell: object) -> OxmlElement:
    tc_pr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        # tcBorders comes after tcW, gridSpan, vMerge and before shd, noWrap, vAlign …
        later = {qn(f"w:{t}") for t in ("shd", "noWrap", "tcMar", "textDirection",
                                         "tcFitText", "vAlign", "hideMark")}
        successor = next((c for c in tc_pr if c.tag in later), None)
        if successor is None:
            tc_pr.append(borders)
        else:
            successor.addprevious(borders)
    return borders


def rule_below(row: object, size: int) -> None:
    """A rule under every cell of a row (``size`` in eighths of a point)."""
    for cell in row.cells:  # type: ignore[attr-defined]
        borders = _cell_borders(cell)
        for old in borders.findall(qn("w:bottom")):
            borders.remove(old)
        _border(borders, "bottom", size)


def three_line(table: object, *, header_row: int = 0, top: bool = True) -> None:
    """Three-line table (三线表): thick top and bottom rules, a thin rule under the header.

    No vertical rules and no rules between body rows. With ``top=False`` the
    table has no top rule of its own (a continued table draws it under its
    续表 line, see :func:`rule_below`).
    """
    tbl_pr = table._tbl.tblPr  # type: ignore[attr-defined]
    borders = OxmlElement("w:tblBorders")
    for edge, size in (("top", 12 if top else 0), ("left", 0), ("bottom", 12), ("right", 0),
                       ("insideH", 0), ("insideV", 0)):
        _border(borders, edge, size)
    _table_property(tbl_pr, borders)
    rule_below(table.rows[header_row], 6)  # type: ignore[attr-defined]


def fixed_widths(table: object, widths: list[Any]) -> None:
    """Fixed layout with the given column widths (grid, every cell, the table width).

    Cell margins are set to Word's default (0.19 cm each side) so that the
    widths computed for the content hold in Word and LibreOffice alike.
    """
    tbl = table._tbl  # type: ignore[attr-defined]
    tbl_pr = tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    _table_property(tbl_pr, layout)
    total = OxmlElement("w:tblW")
    total.set(qn("w:w"), str(sum(int(x.twips) for x in widths)))
    total.set(qn("w:type"), "dxa")
    _table_property(tbl_pr, total)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), "108")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    _table_property(tbl_pr, margins)
    for j, width in enumerate(widths):
        table.columns[j].width = width  # type: ignore[attr-defined]
    for row in table.rows:  # type: ignore[attr-defined]
        for j, cell in enumerate(row.cells):
            cell.width = widths[min(j, len(widths) - 1)]


def cant_split(row: object) -> None:
    """A row that never breaks across pages (``w:cantSplit``)."""
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:cantSplit")
    tr_pr.insert(0, el)


def valign(cell: object, where: str) -> None:
    """Vertical alignment of a cell: ``"top"``, ``"center"`` or ``"bottom"``."""
    tc_pr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:vAlign")
    el.set(qn("w:val"), where)
    tc_pr.append(el)


def paragraph_mark_size(p_pr: OxmlElement, points: float) -> None:
    """Font size of a paragraph mark (an empty paragraph is as tall as its mark)."""
    r_pr = p_pr.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        p_pr.append(r_pr)
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(round(points * 2)))
        r_pr.append(el)


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
