"""Report: headings, text, tables and figures, written to Word, HTML and Markdown."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.errors import ToolkitError
from toolkit.report._blocks import Block, fold_notes
from toolkit.report._format import DEFAULT_FONTS, Lang, check_lang, w
from toolkit.report.table import TABLE_CSS, Table

__all__ = ["DEFAULT_FONTS", "Report"]

_CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","Source Han Sans SC",
"SimSun",sans-serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.6;color:#222}
h1.title{text-align:center}p.author{text-align:center;color:#555}
section.cover{text-align:center;margin:3em 0 4em}section.cover p{margin:.3em}
section.cover .kind{font-size:1.2em;color:#333}section.cover .date{margin-top:2em}
div.pagebreak{break-after:page;height:0}
p.placeholder{background:#fff3a8;border-left:4px solid #e0b000;padding:.4em .8em}
nav.toc ul{list-style:none;padding-left:1em}
p.note{font-size:.85em;color:#444;text-align:left;white-space:normal}
figure{text-align:center;margin:1.2em 0}figure img{max-width:100%}
figcaption{font-weight:bold}
""" + TABLE_CSS


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _date_text(date: Any, lang: Lang) -> str | None:
    """The cover's date: text as given; a date as 2024年1月 / January 2024."""
    if date is None or isinstance(date, str):
        return date
    if not isinstance(date, dt.date):
        msg = f"`date` takes text or a date, not {type(date).__name__}."
        raise TypeError(msg)
    if lang == "zh":
        return f"{date.year}年{date.month}月"
    return f"{_MONTHS[date.month - 1]} {date.year}"


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
    commissioner : str, optional
        Commissioning body (委托单位), on the cover page.
    team : str, optional
        Research team (课题组), on the cover page.
    date : str or date, optional
        Date on the cover page; a date is written 2024年1月 / January 2024.
    subtitle : str, optional
        Subtitle under the title.
    kind : str, optional
        Kind of document above the title on the cover (e.g. 委托课题研究报告).
    cover : bool, optional
        Put the title on a cover page of its own (default: when there is a
        table of contents). The body then starts on a new page, numbered 1.
    fonts : dict, optional
        Word fonts: ``body`` (default 宋体), ``heading`` (黑体) and ``latin``
        (Times New Roman).
    toc : bool, default True
        Put a table of contents on its own page after the cover; its page
        numbers are measured on the document rendered by LibreOffice when it is
        installed (see :meth:`to_docx`).
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
                 commissioner: str | None = None, team: str | None = None,
                 date: str | dt.date | None = None, subtitle: str | None = None,
                 kind: str | None = None, cover: bool | None = None,
                 fonts: Mapping[str, str] | None = None, toc: bool = True,
                 number_headings: bool = True, dpi: int = 300) -> None:
        check_lang(lang)
        self.title = title
        self.lang = lang
        self.author = author
        self.commissioner = commissioner
        self.team = team
        self.date = _date_text(date, lang)
        self.subtitle = subtitle
        self.kind = kind
        self.cover = toc if cover is None else bool(cover)
        self.fonts = {**DEFAULT_FONTS, **dict(fonts or {})}
        unknown = set(self.fonts) - set(DEFAULT_FONTS)
        if unknown:
            msg = f"Unknown font role(s) {sorted(unknown)} in `fonts`; use body, heading, latin."
            raise ValueError(msg)
        self.toc = toc
        self.number_headings = number_headings
        self.dpi = dpi
        self.blocks: list[Block] = []
        self._counters = {"table": 0, "figure": 0}
        self._heading_numbers = [0, 0, 0, 0]

    # -- building -----------------------------------------------------------

    def heading(self, text: str, level: int = 1, *, numbered: bool = True) -> Report:
        """Add a heading (level 1–3); numbered 1, 1.1, 1.1.1 when `number_headings`.

        ``numbered=False`` leaves this heading unnumbered (摘要, 附录) without
        advancing the numbers; it still appears in the table of contents.
        """
        if level not in (1, 2, 3):
            msg = f"`level` must be 1, 2 or 3, not {level!r}."
            raise ValueError(msg)
        number = ""
        if numbered:
            self._heading_numbers[level - 1] += 1
            for i in range(level, len(self._heading_numbers)):
                self._heading_numbers[i] = 0
            number = ".".join(str(n) for n in self._heading_numbers[:level])
        self.blocks.append(Block("heading", text=text, level=level,
                                  heading_number=number if self.number_headings else ""))
        return self

    def page_break(self) -> Report:
        """Start a new page here (Word; a page break when the HTML is printed)."""
        self.blocks.append(Block("pagebreak"))
        return self

    def placeholder(self, text: str) -> Report:
        """Add an editable placeholder: text the authors replace before delivery.

        It is highlighted in Word and HTML so that it cannot be missed, and
        kept apart from the generated text (``kind == "placeholder"``).
        """
        self.blocks.append(Block("placeholder", text=str(text).strip()))
        return self

    def text(self, text: str) -> Report:
        """Add body text; blank lines separate paragraphs."""
        for para in re.split(r"\n\s*\n", str(text).strip()):
            if para.strip():
                self.blocks.append(Block("text", text=" ".join(para.split("\n"))))
        return self

    def note(self, text: str) -> Report:
        """Add a note in small type (注：… / Note: … is prefixed unless already there)."""
        prefix = w("note", self.lang)
        body = str(text).strip()
        if not body.startswith(prefix.strip()):
            body = prefix + body
        self.blocks.append(Block("note", text=body))
        return self

    def table(self, table: Table | pd.DataFrame, caption: str | None = None, *,
              notes: Sequence[str] = (), suppress: bool = True, digits: int = 2,
              labels: Mapping[str, str] | None = None, shares: Sequence[str] = (),
              style: str | None = None) -> Report:
        """Add a numbered table (表1 … / Table 1 …).

        A DataFrame is formatted with :meth:`Table.from_frame`: personal
        columns are removed (noted under the table), counts of 1–4 in count
        columns are shown as ``<5`` unless ``suppress=False``, shares (`shares`,
        and columns named ``share``) follow the table's one number `style`.
        """
        if isinstance(table, pd.DataFrame):
            table = Table.from_frame(table, caption=caption, notes=notes, digits=digits,
                                     suppress=suppress, labels=labels, lang=self.lang,
                                     shares=shares, style=style)
        elif isinstance(table, Table):
            if caption is not None or notes:
                table = table.with_notes(notes, caption=caption)
        else:
            msg = (f"`table` takes a tk.report.Table or a DataFrame, not "
                   f"{type(table).__name__}.")
            raise TypeError(msg)
        self._counters["table"] += 1
        self.blocks.append(Block("table", table=table, number=self._counters["table"]))
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
        self.blocks.append(Block("figure", text=caption or "", png=png, width_cm=width_cm,
                                  number=self._counters["figure"]))
        return self

    # -- numbering ----------------------------------------------------------

    def _figure_title(self, block: Block) -> str:
        return block.figure_title(self.lang)

    def _heading_text(self, block: Block) -> str:
        return block.heading_text()

    @property
    def headings(self) -> list[str]:
        """Heading texts with their numbers, in order."""
        return [self._heading_text(b) for b in self.blocks if b.kind == "heading"]

    # -- Word ---------------------------------------------------------------

    def to_docx(self, path: str | Path, *, progress: bool | None = None,
                page_numbers: bool | None = None) -> Path:
        """Write the report as a Word document.

        East Asian and Latin fonts are set on every run and on the styles (so
        Chinese shows in Word and LibreOffice); headings use the Heading 1–3
        styles; tables are three-line tables with numbered captions above them,
        figures have numbered captions below (SEQ fields, so Word can insert
        cross-references). The cover page and the contents come first, without
        page numbers; the body starts on a new page, numbered from 1 in the
        footer (第 1 页 / Page 1).

        The contents is a TOC field whose entries carry real page numbers: the
        document is rendered once with LibreOffice (when it is installed) and
        the page of each heading read from the PDF. Without LibreOffice the
        entries are written without numbers and Word is asked to update the
        field when it opens the file.

        Parameters
        ----------
        path : str or Path
            The ``.docx`` file to write (folders are created).
        progress : bool, optional
            Show a progress bar (default: only in an interactive terminal or notebook).
        page_numbers : bool, optional
            Measure the contents' page numbers with LibreOffice: None (default)
            when it is installed, True to require it, False never.

        Returns
        -------
        Path
            The file written.

        Raises
        ------
        ToolkitError
            With ``page_numbers=True`` when LibreOffice or pdftotext is missing.
        """
        from toolkit.report._word import write_docx

        def write(pages: list[int | None] | None) -> Path:
            return write_docx(path, title=self.title, blocks=self.blocks, lang=self.lang,
                              author=self.author, fonts=self.fonts, toc=self.toc,
                              progress=progress, cover=self._cover_fields(),
                              toc_pages=pages)

        written = write(None)
        if not self.toc or page_numbers is False or not self.headings:
            return written
        pages = self._measure_pages(written)
        if pages is None:
            if page_numbers:
                msg = ("`page_numbers=True` needs LibreOffice (soffice) and poppler's "
                       "pdftotext to measure the pages; install them (e.g. `apt-get install "
                       "libreoffice-writer-nogui poppler-utils`) or pass page_numbers=None.")
                raise ToolkitError(msg)
            return written
        return write(pages)

    def _cover_fields(self) -> dict[str, Any] | None:
        if not self.cover:
            return None
        return {"commissioner": self.commissioner, "team": self.team, "date": self.date,
                "subtitle": self.subtitle, "kind": self.kind}

    def _measure_pages(self, docx: Path) -> list[int | None] | None:
        """Page of each heading in `docx` as LibreOffice lays it out, or None without it."""
        import tempfile

        from toolkit.report import _pdf

        if _pdf.find_soffice() is None:
            return None
        with tempfile.TemporaryDirectory(prefix="toolkit-pages-") as tmp:
            pdf = _pdf.to_pdf(docx, tmp)
            pages = _pdf.page_texts(pdf) if pdf is not None else None
            if pages is None:
                return None
            return _pdf.heading_pages(pages, self.headings)

    def to_pdf(self, path: str | Path, *, progress: bool | None = None) -> Path:
        """Write the report as PDF through LibreOffice (the ``.docx`` is written beside it).

        Raises
        ------
        ToolkitError
            When LibreOffice is not installed.
        """
        from toolkit.report import _pdf

        path = Path(path)
        if _pdf.find_soffice() is None:
            msg = ("Writing PDF needs LibreOffice (soffice); install it (e.g. `apt-get install "
                   "libreoffice-writer-nogui`) or write Word with `to_docx`.")
            raise ToolkitError(msg)
        docx = self.to_docx(path.with_suffix(".docx"), progress=progress)
        made = _pdf.to_pdf(docx, path.parent)
        if made is not None and made != path:
            made.replace(path)
        return path

    # -- HTML ---------------------------------------------------------------

    def _cover_lines(self) -> list[tuple[str, str]]:
        """(css class, text) of the lines under the title: 委托单位, 课题组, author, date."""
        zh = self.lang == "zh"
        lines = []
        if self.commissioner:
            lines.append(("author", ("委托单位：" if zh else "Commissioned by: ")
                          + self.commissioner))
        if self.team:
            lines.append(("author", ("课题组：" if zh else "Research team: ") + self.team))
        if self.author:
            lines.append(("author", self.author))
        if self.date:
            lines.append(("author date", self.date))
        return lines

    def _html_body(self) -> str:
        parts = []
        if self.cover and self.kind:
            parts.append(f"<p class='kind'>{html.escape(self.kind)}</p>")
        parts.append(f"<h1 class='title'>{html.escape(self.title)}</h1>")
        if self.subtitle:
            parts.append(f"<p class='author'>{html.escape(self.subtitle)}</p>")
        parts += [f"<p class='{cls}'>{html.escape(text)}</p>" for cls, text in self._cover_lines()]
        if self.cover:
            parts = ["<section class='cover'>", *parts, "</section>",
                     "<div class='pagebreak'></div>"]
        blocks = fold_notes(self.blocks, self.lang)
        heads = [(i, b) for i, b in enumerate(blocks) if b.kind == "heading"]
        if self.toc and heads:
            items = "".join(
                f"<li style='margin-left:{(b.level - 1) * 1.2}em'><a href='#h{i}'>"
                f"{html.escape(self._heading_text(b))}</a></li>" for i, b in heads)
            parts.append(f"<nav class='toc'><h2>{w('contents', self.lang)}</h2>"
                         f"<ul>{items}</ul></nav>")
        for i, block in enumerate(blocks):
            if block.kind == "heading":
                tag = f"h{block.level + 1}"
                parts.append(f"<{tag} id='h{i}'>{html.escape(self._heading_text(block))}</{tag}>")
            elif block.kind == "text":
                parts.append(f"<p>{html.escape(block.text)}</p>")
            elif block.kind == "note":
                parts.append(f"<p class='note'>{html.escape(block.text)}</p>")
            elif block.kind == "placeholder":
                parts.append(f"<p class='placeholder'>{html.escape(block.text)}</p>")
            elif block.kind == "pagebreak":
                parts.append("<div class='pagebreak'></div>")
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
        if self.subtitle:
            parts += [self.subtitle, ""]
        for _, line in self._cover_lines():
            parts += [line, ""]
        for block in fold_notes(self.blocks, self.lang):
            if block.kind == "heading":
                parts += [f"{'#' * (block.level + 1)} {self._heading_text(block)}", ""]
            elif block.kind in {"text", "note"}:
                parts += [block.text, ""]
            elif block.kind == "placeholder":
                parts += [f"> **{block.text}**", ""]
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

