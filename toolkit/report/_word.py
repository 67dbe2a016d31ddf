"""Word output of a report: A4 pages, East Asian fonts on every run, three-line tables.

:func:`write_docx` writes a list of blocks (:class:`~toolkit.report._blocks.Block`)
as a ``.docx`` file; :class:`toolkit.report.Report` and
:meth:`toolkit.report.Table.to_docx` both call it.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from tqdm import tqdm

from toolkit.errors import ToolkitWarning
from toolkit.report import _docx as dx
from toolkit.report import _front
from toolkit.report._blocks import Block, fold_notes
from toolkit.report._format import DEFAULT_FONTS, Lang, w
from toolkit.report._layout import (
    CELL_AIR,
    PAGE,
    Layout,
    PageCursor,
    em_cm,
    layout_table,
    nowrap,
    png_aspect,
    text_lines,
)

__all__ = ["Block", "write_docx"]


def write_docx(path: str | Path, *, title: str, blocks: Sequence[Block], lang: Lang = "zh",
               author: str | None = None, fonts: Mapping[str, str] | None = None,
               toc: bool = True, progress: bool | None = None,
               cover: Mapping[str, Any] | None = None,
               toc_pages: Sequence[int | None] | None = None) -> Path:
    """Write `blocks` as a Word document at `path` (folders are created); return the path.

    See :meth:`toolkit.report.Report.to_docx` for what the document holds.
    `cover` (keyword arguments of :func:`toolkit.report._front.cover`) puts the
    title on a cover page of its own; `toc_pages` are the page numbers of the
    headings shown in the contents (None: Word fills them in when it opens the file).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fonts = {**DEFAULT_FONTS, **dict(fonts or {})}
    body, head, latin = fonts["body"], fonts["heading"], fonts["latin"]
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.5))
    section.top_margin = section.bottom_margin = Cm(2.54)
    styles = doc.styles
    dx.set_style_font(styles["Normal"], body, latin, size=12, black=False)
    styles["Normal"].paragraph_format.space_after = Pt(4)
    styles["Normal"].paragraph_format.line_spacing = 1.25
    for name, size in (("Title", 18), ("Heading 1", 16), ("Heading 2", 14),
                       ("Heading 3", 12), ("TOC Heading", 14)):
        dx.set_style_font(styles[name], head, latin, size=size, bold=name != "Title")
    dx.set_style_font(styles["Caption"], head, latin, size=10.5, bold=False)
    dx.remove_borders(styles["Title"])
    for name in ("Footer", "Header"):
        dx.set_style_font(styles[name], body, latin, size=9, black=False)
    doc.core_properties.title = title
    if author:
        doc.core_properties.author = author

    fonts_used = {"body": body, "heading": head, "latin": latin}
    _front.cover(doc, title=title, lang=lang, fonts=fonts_used, author=author,
                 page=cover is not None, **dict(cover or {}))
    if toc:
        entries = [(b.level, b.heading_text()) for b in blocks if b.kind == "heading"]
        _front.toc(doc, entries, toc_pages, lang=lang, fonts=fonts_used)
        if toc_pages is None:
            _front.update_fields_on_open(doc)
    if cover is not None or toc:
        _front.start_body(doc)

    quiet = None if progress is None else not progress  # None: tqdm decides (on in a terminal)
    # the body starts on a new page after a cover or contents, else under the title
    writer = _Body(doc, lang, body, head, latin,
                   used=0.0 if cover is not None or toc else 2.5 if author else 1.5)
    for block in tqdm(fold_notes(blocks, lang), desc="Word", unit="block", disable=quiet,
                      leave=False):
        writer.add(block)
    writer.finish()

    _front.footers(doc, lang=lang, fonts=fonts_used)
    doc.save(str(path))
    return path


def _caption(para: Any, kind: str, block: Block, lang: Lang, east: str, latin: str) -> None:
    word = w(kind, lang)
    seq = word.strip() if lang == "zh" else word.strip().capitalize()
    dx.add_text(para, word, east, latin, size=10.5, bold=True)
    dx.add_field(para, f"SEQ {seq} \\* ARABIC", str(block.number), east, latin, size=10.5,
                 bold=True)
    caption = block.table.caption if kind == "table" and block.table else block.text
    sep = " " if lang == "zh" else ". "
    if caption:
        dx.add_text(para, f"{sep}{caption}", east, latin, size=10.5, bold=True)


class _Body:
    """Writes the blocks after the title page, following the page they fall on."""

    def __init__(self, doc: Any, lang: Lang, body: str, head: str, latin: str, *,
                 used: float = 0.0) -> None:
        self.doc, self.lang, self.body, self.head, self.latin = doc, lang, body, head, latin
        self.cursor = PageCursor()
        self.cursor.used = used
        self.landscape = False
        self.fonts = {"body": body, "heading": head, "latin": latin}

    # -- pages -------------------------------------------------------------

    def _orientation(self, *, landscape: bool) -> None:
        """Start a new section (on a new page) in landscape or portrait."""
        if landscape == self.landscape:
            return
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        for restart in section._sectPr.findall(qn("w:pgNumType")):  # copied: numbers go on
            section._sectPr.remove(restart)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        long, short = Cm(PAGE.height), Cm(PAGE.width)
        section.page_width, section.page_height = (long, short) if landscape else (short, long)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(PAGE.side_margin))
        section.top_margin = section.bottom_margin = Cm(PAGE.top_margin)
        self.landscape = landscape
        self.cursor.new_page(landscape=landscape)

    # -- blocks ------------------------------------------------------------

    def add(self, block: Block) -> None:
        if block.kind == "table":
            self.table(block)
            return
        self._orientation(landscape=False)
        doc, body, head, latin, cur = self.doc, self.body, self.head, self.latin, self.cursor
        width = PAGE.text_width(landscape=self.landscape)
        if block.kind == "heading":
            para = doc.add_paragraph(style=f"Heading {block.level}")
            dx.add_text(para, block.heading_text(), head, latin)
            style = doc.styles[f"Heading {block.level}"]
            size = style.font.size.pt if style.font.size else 12
            before = style.paragraph_format.space_before
            lines = text_lines(block.heading_text(), width, size)
            cur.keep(lines * em_cm(size) * 1.3 + (before.cm if before and cur.used else 0))
        elif block.kind == "text":
            para = doc.add_paragraph()
            para.paragraph_format.first_line_indent = Pt(24) if self.lang == "zh" else None
            dx.add_text(para, block.text, body, latin)
            line = em_cm(12) * _BODY_LINE
            lines = text_lines(block.text, width, 12, indent_em=2 if self.lang == "zh" else 0)
            cur.text(lines * line + Pt(4).cm, line=line)
        elif block.kind == "pagebreak":
            _front.page_break(doc, self.fonts)
            cur.new_page()
        elif block.kind == "placeholder":
            _front.placeholder(doc, block.text, self.fonts)
            line = em_cm(12) * _BODY_LINE
            cur.text(text_lines(block.text, width, 12) * line + Pt(12).cm, line=line)
        elif block.kind == "note":
            para = doc.add_paragraph()
            para.paragraph_format.space_after = Pt(8)
            dx.add_text(para, block.text, body, latin, size=9)
            line = em_cm(9) * _BODY_LINE
            cur.text(text_lines(block.text, width, 9) * line + Pt(8).cm, line=line)
        elif block.kind == "figure":
            doc.add_picture(io.BytesIO(block.png or b""), width=Cm(block.width_cm))
            pic = dx.center(doc.paragraphs[-1])
            pic.paragraph_format.keep_with_next = True
            for run in pic.runs:
                dx.set_run_font(run, body, latin)
            cap = dx.center(doc.add_paragraph(style="Caption"))
            _caption(cap, "figure", block, self.lang, head, latin)
            cur.block(block.width_cm * png_aspect(block.png) + 0.2
                      + em_cm(10.5) * 1.3 + Pt(4).cm)

    def finish(self) -> None:
        """Close the document in portrait, so that its last section is like its first."""
        self._orientation(landscape=False)

    # -- tables ------------------------------------------------------------

    def table(self, block: Block) -> None:
        """A three-line table, continued under 续表N on the following pages when long."""
        table = block.table
        frame = table.frame
        header = [str(c) for c in frame.columns]
        rows = [[str(v) for v in r] for r in frame.itertuples(index=False, name=None)]
        lay = layout_table(header, rows, numeric=table.numeric_columns())
        if not lay.fits:
            warnings.warn(f"Table {block.number} ({table.caption or ''}) is too wide for a "
                          "landscape page even in 7.5 pt; some cells will wrap. Split it "
                          "into narrower tables.", ToolkitWarning, stacklevel=4)
        self._orientation(landscape=lay.landscape)
        cur = self.cursor
        caption_h = em_cm(10.5) * 1.3 + Pt(4).cm
        note = table.note_text()
        width = PAGE.text_width(landscape=self.landscape)
        note_h = (text_lines(note, width, 9) * em_cm(9) * 1.25 + Pt(12).cm) if note else 0.4
        heights = [lay.row_height(i) for i in range(len(rows))]
        whole = caption_h + lay.header_height + sum(heights) + note_h
        safety = 2 * lay.line_cm + 0.5
        cur.start()
        room = cur.left - caption_h - lay.header_height - safety
        if whole <= cur.left or (whole <= 0.5 * cur.height and room < 0.5 * cur.height) \
                or _rows_within(heights, room) >= len(rows) - 2:
            # one piece: kept together on this page, or (a short table) moved to the next
            self._table_caption(block, page_break=False)
            self._grid(header, rows, lay, keep=True, continued=None)
            self._note(note, lay)
            cur.block(whole)
            return
        # a long table: the rows that fit here, then the rest under 续表N
        first = _rows_within(heights, room)
        page_break = first < 3
        if page_break:
            cur.new_page()
            first = _rows_within(heights, cur.height - caption_h - lay.header_height - safety)
        self._table_caption(block, page_break=page_break)
        rest = rows[first:]
        if not rest:  # on a page of its own it fits
            self._grid(header, rows, lay, keep=True, continued=None)
            self._note(note, lay)
            cur.block(whole)
            return
        self._grid(header, rows[:first], lay, keep=False, continued=None)
        spacer = self.doc.add_paragraph()
        spacer.paragraph_format.page_break_before = True
        _tiny(spacer)
        cur.new_page()
        self._grid(header, rest, lay, keep=False, continued=self._continued(block))
        self._note(note, lay)
        cur.advance(caption_h + lay.header_height + sum(heights[first:]) + note_h)

    def _continued(self, block: Block) -> str:
        number = block.number if block.number is not None else ""
        return (f"{w('continued', 'zh')}{number}" if self.lang == "zh"
                else f"{w('table', 'en')}{number} {w('continued', 'en')}")

    def _table_caption(self, block: Block, *, page_break: bool) -> None:
        cap = dx.center(self.doc.add_paragraph(style="Caption"))
        cap.paragraph_format.keep_with_next = True
        cap.paragraph_format.page_break_before = page_break or None
        cap.paragraph_format.space_after = Pt(3)
        _caption(cap, "table", block, self.lang, self.head, self.latin)

    def _grid(self, header: list[str], rows: list[list[str]], lay: Layout, *, keep: bool,
              continued: str | None) -> None:
        doc, body, latin = self.doc, self.body, self.latin
        lead = 1 if continued else 0
        grid = doc.add_table(rows=len(rows) + 1 + lead, cols=len(header))
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        dx.fixed_widths(grid, [Cm(x) for x in lay.widths])
        dx.three_line(grid, header_row=lead, top=not continued)
        size = lay.size
        if continued:
            row = grid.rows[0]
            cell = row.cells[0].merge(row.cells[-1])
            para = dx.center(cell.paragraphs[0])
            _tight(para)
            dx.add_text(para, continued, self.head, latin, size=10.5, bold=True)
            dx.rule_below(row, 12)
            dx.repeat_header(row)
            dx.cant_split(row)
        head_row = grid.rows[lead]
        dx.repeat_header(head_row)
        dx.cant_split(head_row)
        for j in range(len(header)):
            cell = head_row.cells[j]
            dx.valign(cell, "bottom")
            para = cell.paragraphs[0]
            para.alignment = (WD_ALIGN_PARAGRAPH.CENTER if lay.numeric[j]
                              else WD_ALIGN_PARAGRAPH.LEFT)
            _tight(para)
            para.paragraph_format.keep_with_next = True
            lines = lay.headers[j]
            for k, line in enumerate(lines):
                run = dx.add_text(para, line, body, latin, size=size, bold=True)
                if k < len(lines) - 1:
                    run.add_break()
        for i, values in enumerate(rows):
            row = grid.rows[i + 1 + lead]
            dx.cant_split(row)
            last = i == len(rows) - 1
            for j, value in enumerate(values):
                para = row.cells[j].paragraphs[0]
                _tight(para)
                # kept together: every row with the next; always: the last row with the note
                para.paragraph_format.keep_with_next = keep or last
                if lay.numeric[j]:  # right-aligned, the block of numbers under its header
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                    para.paragraph_format.right_indent = Cm(lay.inset[j]) if lay.inset else None
                    value = nowrap(value)
                else:
                    para.alignment = WD_ALIGN_PARAGRAPH.LEFT
                lines = value.split("\n")
                for k, line in enumerate(lines):
                    run = dx.add_text(para, line, body, latin, size=size)
                    if k < len(lines) - 1:
                        run.add_break()

    def _note(self, note: str, lay: Layout) -> None:
        """The table's 注, directly under its bottom rule and as wide as the table."""
        para = self.doc.add_paragraph()
        fmt = para.paragraph_format
        side = max(0.0, (PAGE.text_width(landscape=self.landscape) - sum(lay.widths)) / 2)
        if note and side > 0.05:
            fmt.left_indent = fmt.right_indent = Cm(side)
        fmt.space_before = Pt(2)
        fmt.space_after = Pt(10)
        fmt.line_spacing = 1.15
        if note:
            dx.add_text(para, note, self.body, self.latin, size=9)
        else:
            _tiny(para)
            fmt.space_after = Pt(8)


#: Line height of body text (1.25 line spacing) in ems: 1.46 measured in LibreOffice's PDF.
_BODY_LINE = 1.5


def _rows_within(heights: list[float], room: float) -> int:
    """How many rows (from the first) fit in `room` cm."""
    used, count = 0.0, 0
    for h in heights:
        if used + h > room:
            break
        used += h
        count += 1
    return count


def _tight(para: Any) -> None:
    """A table-cell paragraph: single line spacing, a little air above and below."""
    fmt = para.paragraph_format
    fmt.space_before = fmt.space_after = Pt(CELL_AIR)
    fmt.line_spacing = 1.0
    fmt.first_line_indent = None


def _tiny(para: Any) -> None:
    """A paragraph that takes (almost) no height: the separator Word needs between tables."""
    fmt = para.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(1)
    mark = para._p.get_or_add_pPr()
    dx.paragraph_mark_size(mark, 1)
