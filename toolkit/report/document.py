"""Report: headings, text, tables and figures, written to Word, HTML and Markdown."""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from toolkit.report._format import Lang, check_lang, w
from toolkit.report.tables import Table

__all__ = ["DEFAULT_FONTS", "Report"]

#: Default fonts of Word output: 宋体 body, 黑体 headings, Times New Roman for Latin text.
DEFAULT_FONTS = {"body": "宋体", "heading": "黑体", "latin": "Times New Roman"}

_CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","Source Han Sans SC",
"SimSun",sans-serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.6;color:#222}
h1.title{text-align:center}p.author{text-align:center;color:#555}
nav.toc ul{list-style:none;padding-left:1em}
table.tk-table{border-collapse:collapse;margin:1em auto;border-top:2px solid #000;
border-bottom:2px solid #000}
table.tk-table caption{font-weight:bold;padding:.3em;caption-side:top}
table.tk-table thead th{border-bottom:1px solid #000;padding:.25em .7em}
table.tk-table td{padding:.2em .7em;white-space:pre}
table.tk-table td.num{text-align:right}
table.tk-table td.note,p.note{font-size:.85em;color:#444;text-align:left;white-space:normal}
figure{text-align:center;margin:1.2em 0}figure img{max-width:100%}
figcaption{font-weight:bold}
"""


@dataclass
class _Block:
    kind: str  # heading | text | table | figure | note
    text: str = ""
    level: int = 1
    table: Table | None = None
    png: bytes | None = None
    width_cm: float = 15.0
    number: int | None = None
    heading_number: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _figure_png(fig: Any, dpi: int) -> bytes:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(fig, Axes):
        fig = fig.figure
    if isinstance(fig, bytes):
        return fig
    if isinstance(fig, str | Path):
        return Path(fig).read_bytes()
    if not isinstance(fig, Figure):
        msg = (f"`figure` takes a matplotlib Figure or Axes (or PNG bytes or a PNG file path), not "
               f"{type(fig).__name__}.")
        raise TypeError(msg)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.05,
                facecolor="white")
    return buf.getvalue()


class Report:
    """A report of headings, text, tables and figures, numbered automatically.

    Build it in order, then write it as Word (:meth:`to_docx`), one self-contained
    HTML file (:meth:`to_html`) or Markdown (:meth:`to_markdown`); in Jupyter it
    shows itself as HTML.

    Parameters
    ----------
    title : str
        Title of the report.
    lang : {"zh", "en"}, default "zh"
        Language of the fixed words (表1/Table 1, 注：/Note:, 目录/Contents).
    author : str, optional
        Author line under the title.
    fonts : dict, optional
        Word fonts: ``body`` (default 宋体), ``heading`` (黑体) and ``latin``
        (Times New Roman).
    toc : bool, default True
        Put a table of contents after the title.
    number_headings : bool, default True
        Number headings 1, 1.1, 1.1.1.
    dpi : int, default 300
        Resolution of embedded figures.

    Examples
    --------
    >>> rep = tk.report.Report("协商情况报告", author="课题组")
    >>> rep.heading("数据概况")
    <Report '协商情况报告': 1 headings, 0 tables, 0 figures>
    >>> t = pd.DataFrame({"platform": ["微信群", "居民议事会"], "n": [120, 3]})
    >>> _ = rep.table(t, caption="各平台协商次数").note("数据截至2023年底。")
    >>> rep.to_markdown_text().splitlines()[6]
    '**表1 各平台协商次数**'
    """

    def __init__(self, title: str, *, lang: Lang = "zh", author: str | None = None,
                 fonts: Mapping[str, str] | None = None, toc: bool = True,
                 number_headings: bool = True, dpi: int = 300) -> None:
        check_lang(lang)
        self.title = title
        self.lang = lang
        self.author = author
        self.fonts = {**DEFAULT_FONTS, **dict(fonts or {})}
        unknown = set(self.fonts) - set(DEFAULT_FONTS)
        if unknown:
            msg = f"Unknown font role(s) {sorted(unknown)} in `fonts`; use body, heading, latin."
            raise ValueError(msg)
        self.toc = toc
        self.number_headings = number_headings
        self.dpi = dpi
        self.blocks: list[_Block] = []
        self._counters = {"table": 0, "figure": 0}
        self._heading_numbers = [0, 0, 0, 0]

    # -- building -----------------------------------------------------------

    def heading(self, text: str, level: int = 1) -> Report:
        """Add a heading (level 1–3); numbered 1, 1.1, 1.1.1 when `number_headings`."""
        if level not in (1, 2, 3):
            msg = f"`level` must be 1, 2 or 3, not {level!r}."
            raise ValueError(msg)
        self._heading_numbers[level - 1] += 1
        for i in range(level, len(self._heading_numbers)):
            self._heading_numbers[i] = 0
        number = ".".join(str(n) for n in self._heading_numbers[:level])
        self.blocks.append(_Block("heading", text=text, level=level,
                                  heading_number=number if self.number_headings else ""))
        return self

    def text(self, text: str) -> Report:
        """Add body text; blank lines separate paragraphs."""
        for para in re.split(r"\n\s*\n", str(text).strip()):
            if para.strip():
                self.blocks.append(_Block("text", text=" ".join(para.split("\n"))))
        return self

    def note(self, text: str) -> Report:
        """Add a note in small type (注：… / Note: … is prefixed unless already there)."""
        prefix = w("note", self.lang)
        body = str(text).strip()
        if not body.startswith(prefix.strip()):
            body = prefix + body
        self.blocks.append(_Block("note", text=body))
        return self

    def table(self, table: Table | pd.DataFrame, caption: str | None = None, *,
              notes: Sequence[str] = (), suppress: bool = True, digits: int = 2,
              labels: Mapping[str, str] | None = None) -> Report:
        """Add a numbered table (表1 … / Table 1 …).

        A DataFrame is formatted with :meth:`Table.from_frame`: personal
        columns are removed (noted under the table), counts of 1–4 in count
        columns are shown as ``<5`` unless ``suppress=False``.
        """
        if isinstance(table, pd.DataFrame):
            table = Table.from_frame(table, caption=caption, notes=notes, digits=digits,
                                     suppress=suppress, labels=labels, lang=self.lang)
        elif isinstance(table, Table):
            if caption is not None or notes:
                table = Table(table.frame, caption=caption or table.caption,
                              notes=[*table.notes, *notes], numbers=table.numbers,
                              lang=table.lang)
        else:
            msg = (f"`table` takes a tk.report.Table or a DataFrame, not "
                   f"{type(table).__name__}.")
            raise TypeError(msg)
        self._counters["table"] += 1
        self.blocks.append(_Block("table", table=table, number=self._counters["table"]))
        return self

    def figure(self, figure: Any, caption: str | None = None, *,
               width_cm: float = 15.0) -> Report:
        """Add a numbered figure (图1 … / Figure 1 …) from a Figure, an Axes, PNG bytes or file.

        The figure is rendered (PNG, `dpi`) when added; later changes to it are
        not picked up.
        """
        from toolkit.plot import style

        with style(self.lang):  # generic font families resolve to the CJK font
            png = _figure_png(figure, self.dpi)
        self._counters["figure"] += 1
        self.blocks.append(_Block("figure", text=caption or "", png=png, width_cm=width_cm,
                                  number=self._counters["figure"]))
        return self

    # -- numbering ----------------------------------------------------------

    def _figure_title(self, block: _Block) -> str:
        if self.lang == "zh":
            return f"{w('figure', 'zh')}{block.number} {block.text}".rstrip()
        return f"{w('figure', 'en')}{block.number}. {block.text}".rstrip()

    def _heading_text(self, block: _Block) -> str:
        return f"{block.heading_number} {block.text}" if block.heading_number else block.text

    @property
    def headings(self) -> list[str]:
        """Heading texts with their numbers, in order."""
        return [self._heading_text(b) for b in self.blocks if b.kind == "heading"]

    # -- Word ---------------------------------------------------------------

    def to_docx(self, path: str | Path, *, progress: bool | None = None) -> Path:
        """Write the report as a Word document.

        East Asian and Latin fonts are set on every run and on the styles (so
        Chinese shows in Word and LibreOffice); headings use the Heading 1–3
        styles; tables are three-line tables with numbered captions above them,
        figures have numbered captions below (SEQ fields, so Word can insert
        cross-references); the footer holds a PAGE field; the table of contents
        is a TOC field whose cached entries are the headings (Word refreshes
        the page numbers on "Update field").

        Parameters
        ----------
        path : str or Path
            The ``.docx`` file to write (folders are created).
        progress : bool, optional
            Show a progress bar (default: only in an interactive terminal or notebook).

        Returns
        -------
        Path
            The file written.
        """
        from docx import Document
        from docx.enum.section import WD_ORIENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt

        from toolkit.report import _docx as dx

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        body, head, latin = self.fonts["body"], self.fonts["heading"], self.fonts["latin"]
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
        doc.core_properties.title = self.title
        if self.author:
            doc.core_properties.author = self.author

        title = doc.add_paragraph(style="Title")
        dx.center(title)
        dx.add_text(title, self.title, head, latin, size=18, bold=True)
        if self.author:
            dx.add_text(dx.center(doc.add_paragraph()), self.author, body, latin, size=12)

        if self.toc:
            toc_head = doc.add_paragraph(style="TOC Heading")
            dx.add_text(toc_head, w("contents", self.lang), head, latin, size=14, bold=True)
            entries = [(b.level, self._heading_text(b))
                       for b in self.blocks if b.kind == "heading"] or [(1, "")]
            for i, (level, text) in enumerate(entries):
                para = doc.add_paragraph()
                para.paragraph_format.left_indent = Cm(0.75 * (level - 1))
                para.paragraph_format.space_after = Pt(0)
                if i == 0:
                    dx.field_begin(para, 'TOC \\o "1-3" \\h \\z \\u', body, latin)
                dx.add_text(para, text, body, latin, size=11)
                if i == len(entries) - 1:
                    dx.field_end(para, body, latin)
            hint = doc.add_paragraph()
            dx.add_text(hint, w("toc_hint", self.lang), body, latin, size=9)
            doc.add_page_break()
            for run in doc.paragraphs[-1].runs:
                dx.set_run_font(run, body, latin)

        blocks = tqdm(self.blocks, desc="Word", unit="block", disable=_quiet(progress),
                      leave=False)
        for block in blocks:
            if block.kind == "heading":
                para = doc.add_paragraph(style=f"Heading {block.level}")
                dx.add_text(para, self._heading_text(block), head, latin)
            elif block.kind == "text":
                para = doc.add_paragraph()
                para.paragraph_format.first_line_indent = Pt(24) if self.lang == "zh" else None
                dx.add_text(para, block.text, body, latin)
            elif block.kind == "note":
                para = doc.add_paragraph()
                para.paragraph_format.space_after = Pt(8)
                dx.add_text(para, block.text, body, latin, size=9)
            elif block.kind == "table":
                self._docx_table(doc, block, body, head, latin)
            elif block.kind == "figure":
                doc.add_picture(io.BytesIO(block.png or b""), width=Cm(block.width_cm))
                pic = dx.center(doc.paragraphs[-1])
                pic.paragraph_format.keep_with_next = True
                for run in pic.runs:
                    dx.set_run_font(run, body, latin)
                cap = dx.center(doc.add_paragraph(style="Caption"))
                self._docx_caption(cap, "figure", block, head, latin)

        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if self.lang == "zh":
            dx.add_text(footer, "第 ", body, latin, size=9)
            dx.add_field(footer, "PAGE", "1", body, latin, size=9)
            dx.add_text(footer, " 页", body, latin, size=9)
        else:
            dx.add_text(footer, "Page ", body, latin, size=9)
            dx.add_field(footer, "PAGE", "1", body, latin, size=9)
        doc.save(str(path))
        return path

    def _docx_caption(self, para: Any, kind: str, block: _Block, east: str, latin: str) -> None:
        from toolkit.report import _docx as dx

        word = w(kind, self.lang)
        seq = word.strip() if self.lang == "zh" else word.strip().capitalize()
        dx.add_text(para, word, east, latin, size=10.5, bold=True)
        dx.add_field(para, f"SEQ {seq} \\* ARABIC", str(block.number), east, latin, size=10.5,
                     bold=True)
        caption = block.table.caption if kind == "table" and block.table else block.text
        sep = " " if self.lang == "zh" else ". "
        if caption:
            dx.add_text(para, f"{sep}{caption}", east, latin, size=10.5, bold=True)

    def _docx_table(self, doc: Any, block: _Block, body: str, head: str, latin: str) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt

        from toolkit.report import _docx as dx

        table = block.table
        assert table is not None
        cap = dx.center(doc.add_paragraph(style="Caption"))
        cap.paragraph_format.keep_with_next = True
        self._docx_caption(cap, "table", block, head, latin)
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

    # -- HTML ---------------------------------------------------------------

    def _html_body(self) -> str:
        parts = [f"<h1 class='title'>{html.escape(self.title)}</h1>"]
        if self.author:
            parts.append(f"<p class='author'>{html.escape(self.author)}</p>")
        heads = [(i, b) for i, b in enumerate(self.blocks) if b.kind == "heading"]
        if self.toc and heads:
            items = "".join(
                f"<li style='margin-left:{(b.level - 1) * 1.2}em'><a href='#h{i}'>"
                f"{html.escape(self._heading_text(b))}</a></li>" for i, b in heads)
            parts.append(f"<nav class='toc'><h2>{w('contents', self.lang)}</h2>"
                         f"<ul>{items}</ul></nav>")
        for i, block in enumerate(self.blocks):
            if block.kind == "heading":
                tag = f"h{block.level + 1}"
                parts.append(f"<{tag} id='h{i}'>{html.escape(self._heading_text(block))}</{tag}>")
            elif block.kind == "text":
                parts.append(f"<p>{html.escape(block.text)}</p>")
            elif block.kind == "note":
                parts.append(f"<p class='note'>{html.escape(block.text)}</p>")
            elif block.kind == "table" and block.table is not None:
                parts.append(block.table.to_html(block.number))
            elif block.kind == "figure":
                data = base64.b64encode(block.png or b"").decode("ascii")
                cap = html.escape(self._figure_title(block))
                parts.append(f"<figure><img src='data:image/png;base64,{data}' alt='{cap}'>"
                             f"<figcaption>{cap}</figcaption></figure>")
        return "\n".join(parts)

    def to_html_text(self) -> str:
        """The whole report as one HTML document (images embedded as base64)."""
        lang = "zh-CN" if self.lang == "zh" else "en"
        return (f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'>"
                f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head>"
                f"<body>\n{self._html_body()}\n</body></html>\n")

    def to_html(self, path: str | Path) -> Path:
        """Write one self-contained HTML file (styles inline, images embedded)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_html_text(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return f"<div class='tk-report'><style>{_CSS}</style>{self._html_body()}</div>"

    # -- Markdown -----------------------------------------------------------

    def to_markdown_text(self, image_dir: str = "") -> str:
        """The report as Markdown; figures refer to ``{image_dir}/figure{n}.png``."""
        parts = [f"# {self.title}", ""]
        if self.author:
            parts += [self.author, ""]
        for block in self.blocks:
            if block.kind == "heading":
                parts += [f"{'#' * (block.level + 1)} {self._heading_text(block)}", ""]
            elif block.kind in {"text", "note"}:
                parts += [block.text, ""]
            elif block.kind == "table" and block.table is not None:
                parts += [block.table.to_markdown(block.number), ""]
            elif block.kind == "figure":
                src = f"{image_dir}/figure{block.number}.png" if image_dir else \
                    f"figure{block.number}.png"
                cap = self._figure_title(block)
                parts += [f"![{cap}]({src})", "", f"**{cap}**", ""]
        return "\n".join(parts)

    def to_markdown(self, path: str | Path) -> Path:
        """Write Markdown; figures go as PNG files into ``<name>_files/`` next to it."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        folder = path.with_name(f"{path.stem}_files")
        figures = [b for b in self.blocks if b.kind == "figure"]
        if figures:
            folder.mkdir(exist_ok=True)
            for block in figures:
                (folder / f"figure{block.number}.png").write_bytes(block.png or b"")
        path.write_text(self.to_markdown_text(folder.name if figures else ""), encoding="utf-8")
        return path

    def __repr__(self) -> str:
        counts = {k: sum(b.kind == k for b in self.blocks) for k in ("heading", "table", "figure")}
        return (f"<Report {self.title!r}: {counts['heading']} headings, {counts['table']} "
                f"tables, {counts['figure']} figures>")


def _quiet(progress: bool | None, /) -> bool | None:  # noqa: FBT001
    """Value of tqdm's `disable`: None lets tqdm decide (on in a terminal, off in pipes)."""
    return None if progress is None else not progress
