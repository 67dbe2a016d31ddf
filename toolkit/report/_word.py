"""Word output of a report: A4 pages, East Asian fonts on every run, three-line tables.

:func:`write_docx` writes a list of blocks (:class:`~toolkit.report._blocks.Block`)
as a ``.docx`` file; :class:`toolkit.report.Report` and
:meth:`toolkit.report.Table.to_docx` both call it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from tqdm import tqdm

from toolkit.report import _docx as dx
from toolkit.report import _front
from toolkit.report._blocks import Block
from toolkit.report._format import DEFAULT_FONTS, Lang, w

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
    for block in tqdm(blocks, desc="Word", unit="block", disable=quiet, leave=False):
        if block.kind == "heading":
            para = doc.add_paragraph(style=f"Heading {block.level}")
            dx.add_text(para, block.heading_text(), head, latin)
        elif block.kind == "text":
            para = doc.add_paragraph()
            para.paragraph_format.first_line_indent = Pt(24) if lang == "zh" else None
            dx.add_text(para, block.text, body, latin)
        elif block.kind == "pagebreak":
            _front.page_break(doc, fonts_used)
        elif block.kind == "placeholder":
            _front.placeholder(doc, block.text, fonts_used)
        elif block.kind == "note":
            para = doc.add_paragraph()
            para.paragraph_format.space_after = Pt(8)
            dx.add_text(para, block.text, body, latin, size=9)
        elif block.kind == "table":
            _table(doc, block, lang, body, head, latin)
        elif block.kind == "figure":
            doc.add_picture(io.BytesIO(block.png or b""), width=Cm(block.width_cm))
            pic = dx.center(doc.paragraphs[-1])
            pic.paragraph_format.keep_with_next = True
            for run in pic.runs:
                dx.set_run_font(run, body, latin)
            cap = dx.center(doc.add_paragraph(style="Caption"))
            _caption(cap, "figure", block, lang, head, latin)

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


def _table(doc: Any, block: Block, lang: Lang, body: str, head: str, latin: str) -> None:
    table = block.table
    cap = dx.center(doc.add_paragraph(style="Caption"))
    cap.paragraph_format.keep_with_next = True
    _caption(cap, "table", block, lang, head, latin)
    frame = table.frame
    grid = doc.add_table(rows=len(frame) + 1, cols=frame.shape[1])
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    dx.three_line(grid)
    dx.repeat_header(grid.rows[0])
    columns = [[str(name), *frame.iloc[:, j].tolist()] for j, name in enumerate(frame.columns)]
    numeric = [j > 0 and dx.is_numeric_column(col[1:]) for j, col in enumerate(columns)]
    widths, size = dx.table_layout(columns, numeric)
    keep_together = len(frame) <= 25
    for j, name in enumerate(frame.columns):
        grid.columns[j].width = Cm(widths[j])
        para = grid.rows[0].cells[j].paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.keep_with_next = True
        dx.add_text(para, str(name), body, latin, size=size, bold=True)
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=1):
        for j, value in enumerate(row):
            cell = grid.rows[i].cells[j]
            cell.width = Cm(widths[j])
            para = cell.paragraphs[0]
            para.paragraph_format.space_after = Pt(0)
            para.paragraph_format.keep_with_next = keep_together and i < len(frame)
            para.alignment = (WD_ALIGN_PARAGRAPH.RIGHT if numeric[j]
                              else WD_ALIGN_PARAGRAPH.LEFT)
            dx.add_text(para, str(value), body, latin, size=size)
    for j in range(frame.shape[1]):
        grid.rows[0].cells[j].width = Cm(widths[j])
    note = table.note_text()
    if note:
        para = doc.add_paragraph()
        para.paragraph_format.space_after = Pt(8)
        dx.add_text(para, note, body, latin, size=9)
    else:
        doc.add_paragraph().paragraph_format.space_after = Pt(2)
