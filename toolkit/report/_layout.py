"""Layout of published tables for print: widths from content, where cells may break, pages.

Pure computation, shared by the Word writer: how wide each column must be so
that no number and no word of a header is broken, which font size and page
orientation a table needs, how many lines each row takes, and how much of a
page the blocks before a table use (so a long table is split with 续表N).

Widths are measured with the metrics of Times New Roman (Liberation Serif, the
metric-compatible font LibreOffice uses for it): Latin characters take their
advance width, Chinese and full-width characters one em.
"""

from __future__ import annotations

import math
import re
import struct
import unicodedata
from dataclasses import dataclass

__all__ = ["PAGE", "Layout", "Page", "PageCursor", "is_numeric_cell", "is_numeric_column",
           "layout_table", "nowrap", "png_aspect", "text_em", "units"]

# Advance widths (1/1000 em) of Times New Roman, ASCII 32-126: regular and bold.
_REGULAR = (
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667,
    722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722,
    722, 944, 722, 722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500,
    500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500,
    444, 480, 200, 480, 541)
_BOLD = (
    250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722, 667, 722,
    722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722,
    722, 1000, 722, 722, 667, 333, 278, 333, 581, 500, 333, 500, 556, 444, 556, 444, 333, 500,
    556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500,
    444, 394, 220, 394, 520)
_OTHER = {"\u00a0": 250, "\u2212": 564, "\u2013": 500, "\u2014": 1000, "\u00b2": 300,
          "\u03b1": 524, "\u03c7": 444, "\u03c9": 658, "\u00d7": 564, "\u2264": 549,
          "\u2265": 549, "\u2019": 333, "\u2018": 333, "\u201c": 444, "\u201d": 444}

#: Measured widths are widened by this factor (other Latin fonts, rounding in the renderer).
SAFETY = 1.04


def _char_em(ch: str, *, bold: bool) -> float:
    code = ord(ch)
    if 32 <= code <= 126:
        return (_BOLD if bold else _REGULAR)[code - 32] / 1000
    if ch in _OTHER:
        return _OTHER[ch] / 1000
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    if unicodedata.combining(ch):
        return 0.0
    return 0.6


def text_em(text: str, *, bold: bool = False) -> float:
    """Width of `text` on one line, in ems (Chinese and full-width characters are 1 em).

    Examples
    --------
    >>> from toolkit.report._layout import text_em
    >>> text_em("设计效应"), text_em("0.05")
    (4.0, 1.75)
    """
    return sum(_char_em(ch, bold=bold) for ch in str(text))


# ---------------------------------------------------------------------------
# where a cell may break
# ---------------------------------------------------------------------------

#: A cell that holds a number: counts, decimals, %, CIs, stars, <5, —, n (%).
_NUMERIC = re.compile(r"^[\s\u00a0<>≤≥()\[\]0-9.,%*+\-−—–/:：]*$")
_HAS_DIGIT = re.compile(r"[0-9]")


def is_numeric_cell(text: str) -> bool:
    """Whether a cell holds a number (with its CI, %, stars) and nothing else.

    Examples
    --------
    >>> from toolkit.report._layout import is_numeric_cell
    >>> is_numeric_cell("84 (6.3%)"), is_numeric_cell("<0.001"), is_numeric_cell("M028")
    (True, True, False)
    """
    text = str(text)
    return bool(_NUMERIC.match(text)) and (bool(_HAS_DIGIT.search(text))
                                           or text.strip() in {"—", "–", "-", ""})


def is_numeric_column(values: list[str]) -> bool:
    """Whether every non-empty cell of a column is a number (counts, %, CIs, stars, <5, —)."""
    cells = [v for v in values if str(v).strip()]
    return bool(cells) and all(is_numeric_cell(v) for v in cells) and any(
        _HAS_DIGIT.search(str(v)) for v in cells)


def nowrap(text: str) -> str:
    """A number cell that no renderer may break: spaces become no-break spaces.

    ``84 (6.3%)`` and ``[-0.10, 0.15]`` stay on one line; a line break can only
    come from a column too narrow for them, which :func:`layout_table` prevents.
    """
    return str(text).replace(" ", "\u00a0")


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


#: Break after these (a header may wrap after a slash or a Chinese comma).
_BREAK_AFTER = set("/、，,;；")
#: Break before these (an opening bracket starts a unit: 比例（%） → 比例 | （%）).
_BREAK_BEFORE = set("（(［[")


def _spans(text: str, *, header: bool) -> list[tuple[int, int]]:
    """Start and end of each piece of `text` that must not be broken (see :func:`units`)."""
    if not header and is_numeric_cell(text):
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    current, start = "", 0
    run = 0  # characters of the current script (Chinese or not) at the end of `current`
    for i, ch in enumerate(text):
        if ch.isspace():
            if current:
                spans.append((start, i))
            current, run, start = "", 0, i + 1
            continue
        boundary = False
        if current:
            prev = current[-1]
            change = _is_cjk(prev) != _is_cjk(ch)
            if header:
                boundary = (ch in _BREAK_BEFORE or prev in _BREAK_AFTER
                            or (change and run >= 2 and prev not in _BREAK_BEFORE
                                and ch not in "）)" and (prev.isascii() or ch.isascii())))
            else:
                boundary = (ch in _BREAK_BEFORE or prev in _BREAK_AFTER or _is_cjk(ch)
                            or _is_cjk(prev))
            run = run + 1 if not change else 1
        else:
            run = 1
        if boundary:
            spans.append((start, i))
            current, run, start = "", 1, i
        current += ch
    if current:
        spans.append((start, len(text)))
    return spans


def units(text: str, *, header: bool = False) -> list[str]:
    """The pieces of a cell that must not be broken, in order.

    Numbers are one piece. In headers a Chinese word is never broken: a header
    may wrap only at a space, between a Chinese word and a Latin one of two
    letters or more (``95%CI`` | ``下限``), before an opening bracket or after a
    slash. Body text may wrap between Chinese characters, never inside a Latin
    word.

    Examples
    --------
    >>> from toolkit.report._layout import units
    >>> units("设计效应", header=True), units("95%CI下限", header=True)
    (['设计效应'], ['95%CI', '下限'])
    >>> units("比例（%）", header=True), units("Rows set aside", header=True)
    (['比例', '（%）'], ['Rows', 'set', 'aside'])
    >>> units("p值", header=True)
    ['p值']
    """
    text = str(text)
    return [text[a:b] for a, b in _spans(text, header=header)] or [""]


def wrap_header(text: str, width_em: float) -> list[str]:
    """A header as the lines it takes in a column `width_em` wide, broken only between words.

    The lines are set with explicit line breaks, so that no renderer breaks a
    Chinese word of the header on its own.

    Examples
    --------
    >>> from toolkit.report._layout import wrap_header
    >>> wrap_header("95%CI下限", 4.0), wrap_header("Rows set aside", 5.0)
    (['95%CI', '下限'], ['Rows set', 'aside'])
    """
    text = str(text)
    spans = _spans(text, header=True)
    if not spans:
        return [text]
    lines: list[tuple[int, int]] = []
    for a, b in spans:
        if lines and text_em(text[lines[-1][0]:b], bold=True) * SAFETY <= width_em:
            lines[-1] = (lines[-1][0], b)
        else:
            lines.append((a, b))
    return [text[a:b].strip() for a, b in lines]


def _lines(text: str, width_em: float) -> int:
    """Lines a body cell takes at `width_em` (greedy filling, pieces never broken)."""
    count = 0
    for para in str(text).split("\n"):
        pieces = units(para)
        lines, used = 1, 0.0
        for i, piece in enumerate(pieces):
            w = text_em(piece) * SAFETY
            gap = 0.25 if i and (piece[:1].isascii() or pieces[i - 1][-1:].isascii()) else 0.0
            if used and used + gap + w > width_em:
                lines += 1
                used = w
            else:
                used += (gap if used else 0.0) + w
            while used > width_em:  # a piece wider than the column (not a number: those fit)
                lines += 1
                used -= width_em
        count += lines
    return count


# ---------------------------------------------------------------------------
# the page and the table
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """An A4 page: text width and height (cm) in portrait or landscape."""

    width: float = 21.0
    height: float = 29.7
    side_margin: float = 2.5
    top_margin: float = 2.54

    def text_width(self, *, landscape: bool = False) -> float:
        return (self.height if landscape else self.width) - 2 * self.side_margin

    def text_height(self, *, landscape: bool = False) -> float:
        return (self.width if landscape else self.height) - 2 * self.top_margin


PAGE = Page()

#: Left plus right cell margin of table cells (cm); Word's default 0.19 cm each side.
CELL_PAD = 0.38

#: Font sizes a table may take: 五号 (10.5 pt), 小五 (9 pt), 六号 (7.5 pt).
SIZES = (10.5, 9.0, 7.5)

#: Line height of table text, as a multiple of the font size (1.17 measured in LibreOffice's
#: PDF; a little more, so that a page is never overfilled).
TABLE_LINE = 1.25

#: Space above and below the text of a table cell (pt).
CELL_AIR = 1.5


def em_cm(size: float) -> float:
    """One em at `size` points, in centimetres."""
    return size / 72 * 2.54


@dataclass
class Layout:
    """How a table is set: column widths (cm), font size (pt), orientation, row heights."""

    widths: list[float]
    size: float
    landscape: bool
    numeric: list[bool]
    headers: list[list[str]]  # each header as the lines it is set in
    row_lines: list[int]
    fits: bool = True
    inset: list[float] | None = None  # right inset (cm) that centres a number column's block

    @property
    def header_lines(self) -> int:
        return max((len(h) for h in self.headers), default=1)

    @property
    def line_cm(self) -> float:
        return em_cm(self.size) * TABLE_LINE

    def row_height(self, i: int) -> float:
        """Height of body row `i` (cm)."""
        return self.row_lines[i] * self.line_cm + 2 * CELL_AIR / 72 * 2.54

    @property
    def header_height(self) -> float:
        return self.header_lines * self.line_cm + 2 * CELL_AIR / 72 * 2.54


def _column_needs(header: str, cells: list[str], *, numeric: bool, size: float,
                  ) -> tuple[float, float, float]:
    """(natural, with the header wrapped, minimum) width in cm of one column at `size`."""
    unit = em_cm(size) * SAFETY
    head_full = text_em(header, bold=True)
    head_min = max((text_em(p, bold=True) for p in units(header, header=True)), default=0)
    lines = [line for c in cells for line in str(c).split("\n")]
    body = max((text_em(v) for v in lines), default=0.0)
    if numeric:
        minimum = max(head_min, body, 1.0)
    else:
        pieces = [text_em(p) for v in lines for p in units(v)]
        # a text cell may wrap, but not into slivers: keep at least six Chinese characters
        minimum = max(head_min, min(body, 6.0), max(pieces, default=0.0), 1.0)
    natural = max(head_full, body, 1.0)
    wrapped = max(head_min, body, 1.0)
    return (CELL_PAD + unit * natural, CELL_PAD + unit * wrapped, CELL_PAD + unit * minimum)


def _allocate(needs: list[tuple[float, float, float]], total: float) -> list[float] | None:
    """Widths within `total`: natural ones (spread out a little), else shrunk toward minima.

    Headers wrap first (between words); only if that is not enough do text
    cells wrap too. Numbers never do.
    """
    natural = [a for a, _, _ in needs]
    n = len(natural)
    if sum(c for _, _, c in needs) > total + 1e-9:
        return None
    if sum(natural) <= total:
        # a three-line table takes its natural width plus some air, at least 60% of the line
        target = min(total, max(sum(natural) + 0.6 * n, 0.6 * total))
        extra = (target - sum(natural)) / n
        return [w + extra for w in natural]
    widths = list(natural)
    for floor in ([b for _, b, _ in needs], [c for _, _, c in needs]):
        over = sum(widths) - total
        slack = [w - f for w, f in zip(widths, floor, strict=True)]
        if over <= 0 or not sum(slack):
            continue
        cut = min(1.0, over / sum(slack))
        widths = [w - s * cut for w, s in zip(widths, slack, strict=True)]
    return widths


def layout_table(header: list[str], rows: list[list[str]], *,
                 numeric: list[bool] | None = None, page: Page = PAGE) -> Layout:
    """Widths, font size and orientation of a table so that nothing needed is broken.

    Each column is as wide as its widest cell (number cells and header words
    are never broken; text cells may wrap). Tables that do not fit the line
    are set in 9 pt, then on a landscape page (10.5 pt, 9 pt, 7.5 pt); the
    first arrangement in which every number and every header word fits wins.

    Examples
    --------
    >>> from toolkit.report._layout import layout_table
    >>> lay = layout_table(["量表", "设计效应"], [["信任", "4.356"]])
    >>> lay.size, lay.landscape, lay.header_lines
    (10.5, False, 1)
    """
    columns = [[str(r[j]) for r in rows] for j in range(len(header))]
    if numeric is None:
        numeric = [j > 0 and is_numeric_column(col) for j, col in enumerate(columns)]
    chosen = None
    for landscape in (False, True):
        for size in SIZES[:2] if not landscape else SIZES:
            needs = [_column_needs(h, col, numeric=num, size=size)
                     for h, col, num in zip(header, columns, numeric, strict=True)]
            widths = _allocate(needs, page.text_width(landscape=landscape))
            if widths is not None:
                chosen = (widths, size, landscape, True)
                break
        if chosen:
            break
    if chosen is None:  # nothing fits: the smallest type on a landscape page, shrunk
        size, landscape = SIZES[-1], True
        needs = [_column_needs(h, col, numeric=num, size=size)
                 for h, col, num in zip(header, columns, numeric, strict=True)]
        total = page.text_width(landscape=True)
        widths = [c * total / sum(c for _, _, c in needs) for _, _, c in needs]
        chosen = (widths, size, landscape, False)
    widths, size, landscape, fits = chosen
    room = [(w - CELL_PAD) / em_cm(size) for w in widths]
    headers = [wrap_header(h, r) for h, r in zip(header, room, strict=True)]
    row_lines = [max([_lines(str(v), r) for v, r in zip(row, room, strict=True)] or [1])
                 for row in rows]
    inset = [max(0.0, (r - max((text_em(v) * SAFETY for v in col), default=0.0)) / 2)
             * em_cm(size) if num else 0.0
             for r, col, num in zip(room, columns, numeric, strict=True)]
    return Layout(widths, size, landscape, list(numeric), headers, row_lines, fits, inset)


# ---------------------------------------------------------------------------
# how much of the page is used: where a long table must be continued
# ---------------------------------------------------------------------------


def png_aspect(png: bytes | None) -> float:
    """Height / width of a PNG image (0.75 when unreadable)."""
    if png and png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) >= 24:
        w, h = struct.unpack(">II", png[16:24])
        if w:
            return h / w
    return 0.75


class PageCursor:
    """The height used on the current page, block by block: an estimate that knows its doubt.

    Word and LibreOffice paginate by themselves, with their own fonts. The
    cursor follows them closely (heights measured in LibreOffice's PDF); where
    a block comes within :data:`DOUBT` of the foot of the page, it keeps both
    outcomes (the block stays, or moves to the next page). A long table then
    starts with only the rows that fit in the *least* room left, so that its
    first part never runs over the page, and the rest goes to a new page under
    续表N.
    """

    def __init__(self, page: Page = PAGE, *, landscape: bool = False) -> None:
        self.page = page
        self.landscape = landscape
        self.states: list[tuple[float, int]] = [(0.0, 1)]  # (height used, page number)
        self.pending = 0.0  # headings and captions kept with what follows

    @property
    def height(self) -> float:
        return self.page.text_height(landscape=self.landscape)

    @property
    def used(self) -> float:
        """The most height the current page may have used (cm)."""
        return max(u for u, _ in self.states)

    @used.setter
    def used(self, value: float) -> None:
        self.states = [(value, max(p for _, p in self.states))]

    @property
    def pages(self) -> int:
        """The page the last block ended on, at the latest (1 = the first page counted)."""
        return max(p for _, p in self.states)

    @property
    def left(self) -> float:
        """The least room left on the page (cm), after what is kept with the next block."""
        return self.height - self.used - self.pending

    def new_page(self, *, landscape: bool | None = None) -> None:
        if landscape is not None:
            self.landscape = landscape
        self.states = [(0.0, self.pages + 1)]

    def keep(self, height: float) -> None:
        """A block that stays with the next one (a heading, a caption)."""
        self.pending += height

    def text(self, height: float, *, line: float) -> None:
        """A paragraph that may break across pages (by lines)."""
        self._place(2 * line, rest=height - 2 * line, line=line)

    def block(self, height: float) -> None:
        """A block that does not break (a figure, a short table): next page if it does not fit."""
        self._place(height, rest=0.0, line=0.0)

    def start(self) -> None:
        """Put what is kept with the next block on the page, moving it over if need be."""
        self._place(0.0, rest=0.0, line=0.0)

    def advance(self, height: float) -> None:
        """Content that flows on from the top of a page (the rest of a long table)."""
        self.states = [((u + height) % self.height, p + int((u + height) // self.height))
                       for u, p in self.states]

    def _place(self, first: float, *, rest: float, line: float) -> None:
        """Put `first` (with what is kept with it) where it fits, then let `rest` flow."""
        out = []
        need = self.pending + first
        for used, page in self.states:
            fits = used + need <= self.height
            near = abs(used + need - self.height) < DOUBT and used > 0
            outcomes = []
            if fits or near or used == 0:
                outcomes.append((used + need, page))
            if (not fits or near) and used > 0:
                outcomes.append((need, page + 1))
            for u, p in outcomes:
                u += rest
                while u > self.height:  # a paragraph runs on to the next page
                    u = u - self.height + line
                    p += 1
                out.append((u, p))
        self.pending = 0.0
        self.states = _fewest(out)


#: How close to the foot of a page (cm) the cursor is unsure whether a block still fits.
DOUBT = 1.2


def _fewest(states: list[tuple[float, int]], most: int = 6) -> list[tuple[float, int]]:
    """The distinct states (within 2 mm), at most `most`: the extremes are kept."""
    states = sorted(set(states))
    merged: list[tuple[float, int]] = []
    for u, p in sorted(states, key=lambda s: (s[1], s[0])):
        if merged and merged[-1][1] == p and abs(merged[-1][0] - u) < 0.2:
            continue
        merged.append((u, p))
    if len(merged) > most:
        merged = [*merged[: most // 2], *merged[-(most - most // 2):]]
    return merged


def text_lines(text: str, width_cm: float, size: float, *, indent_em: float = 0.0) -> int:
    """Lines a paragraph of body text takes at `size` points in `width_cm`."""
    width_em = width_cm / em_cm(size)
    total = text_em(text) + indent_em
    return max(1, math.ceil(total * 1.02 / width_em))
