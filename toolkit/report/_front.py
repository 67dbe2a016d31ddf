"""Front matter and page structure of a Word report: cover, contents, sections, page breaks.

:func:`toolkit.report._word.write_docx` calls these: the cover page and the
table of contents form a first section without page numbers; the body starts a
new section whose pages are numbered from 1 (第 1 页). The contents is a TOC
field whose cached entries carry the page numbers measured on the rendered PDF
(:mod:`toolkit.report._pdf`); when they could not be measured, Word is asked to
update the fields when the document opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx.enum.section import WD_SECTION
from docx.enum.text import (
    WD_ALIGN_PARAGRAPH,
    WD_BREAK,
    WD_COLOR_INDEX,
    WD_TAB_ALIGNMENT,
    WD_TAB_LEADER,
)
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from toolkit.report import _docx as dx
from toolkit.report._format import Lang

__all__ = ["cover", "footers", "page_break", "placeholder", "start_body", "toc",
           "update_fields_on_open"]

#: Width of the text block of an A4 page with 2.5 cm margins.
TEXT_WIDTH_CM = 16.0

_WORDS = {
    "zh": {"contents": "目录", "commissioner": "委托单位：", "team": "课题组：",
           "author": "", "page": ("第 ", " 页")},
    "en": {"contents": "Contents", "commissioner": "Commissioned by: ",
           "team": "Research team: ", "author": "", "page": ("Page ", "")},
}


def cover(doc: Any, *, title: str, lang: Lang, fonts: dict[str, str],
          subtitle: str | None = None, kind: str | None = None,
          commissioner: str | None = None, team: str | None = None,
          author: str | None = None, date: str | None = None, page: bool = True) -> None:
    """The title block: a cover page of its own when `page`, else a title line on page 1."""
    body, head, latin = fonts["body"], fonts["heading"], fonts["latin"]
    words = _WORDS[lang]
    if page and kind:
        para = dx.center(doc.add_paragraph())
        para.paragraph_format.space_before = Pt(120)
        dx.add_text(para, kind, head, latin, size=16)
    title_para = dx.center(doc.add_paragraph(style="Title"))
    if page:
        title_para.paragraph_format.space_before = Pt(24 if kind else 150)
        title_para.paragraph_format.space_after = Pt(12)
    dx.add_text(title_para, title, head, latin, size=22 if page else 18, bold=True)
    if subtitle:
        dx.add_text(dx.center(doc.add_paragraph()), subtitle, head, latin, size=15)
    lines = []
    if commissioner:
        lines.append(words["commissioner"] + commissioner)
    if team:
        lines.append(words["team"] + team)
    if author:
        lines.append(author)
    for i, line in enumerate(lines):
        para = dx.center(doc.add_paragraph())
        if page and i == 0:
            para.paragraph_format.space_before = Pt(150)
        dx.add_text(para, line, body, latin, size=15 if page else 12)
    if date:
        para = dx.center(doc.add_paragraph())
        para.paragraph_format.space_before = Pt(24 if lines else 150) if page else Pt(0)
        dx.add_text(para, date, body, latin, size=15 if page else 12)
    if page:
        page_break(doc, fonts)


def toc(doc: Any, entries: Sequence[tuple[int, str]], pages: Sequence[int | None] | None,
        *, lang: Lang, fonts: dict[str, str]) -> None:
    """The contents: a TOC field whose cached entries are the headings and their pages."""
    body, head, latin = fonts["body"], fonts["heading"], fonts["latin"]
    title = dx.center(doc.add_paragraph(style="TOC Heading"))
    title.paragraph_format.space_after = Pt(12)
    dx.add_text(title, _WORDS[lang]["contents"], head, latin, size=16, bold=True)
    rows = list(entries) or [(1, "")]
    for i, (level, text) in enumerate(rows):
        para = doc.add_paragraph()
        fmt = para.paragraph_format
        fmt.left_indent = Cm(0.75 * (level - 1))
        fmt.space_after = Pt(3)
        fmt.line_spacing = 1.25
        fmt.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        if i == 0:
            dx.field_begin(para, 'TOC \\o "1-3" \\h \\z \\u', body, latin)
        east = head if level == 1 else body
        dx.add_text(para, text, east, latin, size=12 if level == 1 else 11)
        number = pages[i] if pages is not None and i < len(pages) else None
        if number is not None:
            dx.add_text(para, f"\t{number}", body, latin, size=12 if level == 1 else 11)
        if i == len(rows) - 1:
            dx.field_end(para, body, latin)


def page_break(doc: Any, fonts: dict[str, str]) -> None:
    """A page break (a paragraph holding only the break, fonts set on its run)."""
    para = doc.add_paragraph()
    para.paragraph_format.space_after = Pt(0)
    run = dx.add_text(para, "", fonts["body"], fonts["latin"])
    run.add_break(WD_BREAK.PAGE)


def start_body(doc: Any) -> Any:
    """Start the body: a new section on a new page, its pages numbered from 1."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    number = OxmlElement("w:pgNumType")
    number.set(qn("w:start"), "1")
    section._sectPr.insert_element_before(  # schema order: before cols, titlePg, docGrid …
        number, "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg",
        "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings",
        "w:sectPrChange")
    return section


def footers(doc: Any, *, lang: Lang, fonts: dict[str, str]) -> None:
    """Page numbers (第 N 页 / Page N) in the footer of the last section; none before it."""
    body, latin = fonts["body"], fonts["latin"]
    sections = list(doc.sections)
    last = sections[-1]
    if len(sections) > 1:
        last.footer.is_linked_to_previous = False
    footer = last.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, after = _WORDS[lang]["page"]
    dx.add_text(footer, before, body, latin, size=9)
    dx.add_field(footer, "PAGE", "1", body, latin, size=9)
    if after:
        dx.add_text(footer, after, body, latin, size=9)


def placeholder(doc: Any, text: str, fonts: dict[str, str]) -> None:
    """An editable placeholder: highlighted text the authors replace before delivery."""
    para = doc.add_paragraph()
    para.paragraph_format.first_line_indent = None
    run = dx.add_text(para, text, fonts["body"], fonts["latin"])
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def update_fields_on_open(doc: Any) -> None:
    """Ask Word to update the fields (the contents' page numbers) when it opens the file."""
    settings = doc.settings.element
    el = settings.find(qn("w:updateFields"))
    if el is None:
        el = OxmlElement("w:updateFields")
        later = {qn(f"w:{t}") for t in _AFTER_UPDATE_FIELDS}
        successor = next((c for c in settings if c.tag in later), None)
        if successor is None:
            settings.append(el)
        else:  # keep the schema's order of settings (Word rejects files that break it)
            successor.addprevious(el)
    el.set(qn("w:val"), "true")


#: Elements of w:settings that the schema puts after w:updateFields.
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")
