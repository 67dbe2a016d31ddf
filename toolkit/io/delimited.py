r"""Reading delimited text files (CSV, TSV, TXT) as an office saved them.

:func:`read_csv_raw` returns the data rows of a file as text columns plus a
:class:`~toolkit.io.record.LoadRecord`; :func:`toolkit.io.read_table` then maps
headers and normalises values. What it handles:

- the encoding (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16 with BOM), detected
  strictly (see :mod:`toolkit.io.encoding`);
- the delimiter (comma, tab, semicolon or ``|``), sniffed from the first lines;
- title rows above the header ("banner", e.g. ``XX社区协商活动台账``), kept out
  of the data and noted;
- a two-row header (a merged upper row such as ``基本信息,,协商情况,,``),
  flattened as ``上级_下级``;
- empty rows anywhere, and footer rows at the end (``填表人：``, ``审核人：``,
  ``制表日期：``, ``合计`` …), set aside with the reason;
- rows with more or fewer fields than the header (padded; extra non-empty fields
  kept in ``unnamed_N`` columns, never dropped).

Row numbers are those a spreadsheet shows when it opens the file: the header is
row 1 (after any banner rows), the first data row is row 2. A field with a line
break inside quotes counts as one row, as in Excel.

Well-formed files are parsed by ``pyarrow.csv`` (multi-threaded, every field
read as text); irregular ones fall back to Python's :mod:`csv` module, with the
same result.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = folder / "活动.csv"
>>> _ = path.write_bytes("编号,平台\nS1,居民议事会\n\n填表人：张三,\n".encode("gb18030"))
>>> df, rec = read_csv_raw(path)
>>> df
   编号     平台
0  S1  居民议事会
>>> rec.encoding, rec.delimiter, rec.rows_read, rec.rows_kept
('gb18030', ',', 3, 1)
>>> rec.rows_set_aside[["row", "reason"]]
   row                reason
0    3             empty row
1    4  footer row (填表人：张*)
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from toolkit.errors import ReadError
from toolkit.io._threads import two_threads
from toolkit.io.digits import LOST_DIGITS_FIX, LOST_DIGITS_FIX_ZH, lost_digits, shown_number
from toolkit.io.encoding import (
    check_decodes,
    decide,
    normalise_encoding_name,
    repair_utf8,
    utf8_damage,
)
from toolkit.io.files import require_regular_file
from toolkit.io.layout import total_kind
from toolkit.io.personal import looks_personal, mask
from toolkit.io.record import LoadRecord

__all__ = ["FOOTER_PATTERN", "read_csv_raw", "sniff_delimiter"]

#: Delimiters tried when sniffing, in order of preference on ties.
DELIMITERS = (",", "\t", ";", "|")

#: First cell of a footer row (signatures, dates of the form, totals, notes).
FOOTER_PATTERN = re.compile(
    r"^\s*(填表人|填报人|制表人|审核人|审核|审批人|复核人|制表日期|填表日期|填报日期|"
    r"制表时间|填表时间|统计人|负责人|单位负责人|经办人|联系人|签字|签名|盖章|"
    r"报送单位|填报单位|合计|总计|小计|备注[:：]|注[:：]|说明[:：])"
)

_HEAD_BYTES = 256 * 1024
_HEAD_RECORDS = 40
_SAMPLE_RECORDS = 1000
#: Longest cell the Python parser accepts (its default is 131,072 characters).
_FIELD_LIMIT = 2**31 - 1

#: ``plan(headers, sample_rows) -> {column position: Arrow type}``: types to parse
#: columns as, decided from the header and the first rows (text when omitted).
Plan = Callable[[list[str], list[list[str]]], dict[int, pa.DataType]]
_TAIL_ROWS = 50


# ---------------------------------------------------------------------------
# Sniffing
# ---------------------------------------------------------------------------


def sniff_delimiter(lines: list[str], *, default: str = ",") -> str:
    r"""The delimiter that splits `lines` into the most consistent number of fields.

    Parameters
    ----------
    lines : list of str
        The first lines of the file.
    default : str, default ","
        Returned when no candidate splits any line.

    Returns
    -------
    str
        One of ``","``, ``"\t"``, ``";"``, ``"|"``.

    Examples
    --------
    >>> sniff_delimiter(["编号;平台;日期", "S1;议事会;2023/11/8"])
    ';'
    >>> sniff_delimiter(["只有一列", "值"])
    ','
    """
    best, best_score = None, (0.0, 0, False)
    first_line = next((line for line in lines if line.strip()), "")
    for delim in DELIMITERS:
        reader = csv.reader(io.StringIO("".join(lines), newline=""), delimiter=delim)
        # blank records (empty, or only spaces) say nothing about the delimiter
        widths = [len(r) for r in reader if _n_filled(r)]
        if not widths or max(widths) < 2:
            continue
        values, counts = np.unique(widths, return_counts=True)
        wide = values >= 2
        top = counts[wide].max()
        mode = int(values[wide][counts[wide] == top].max())  # ties: the wider split
        consistency = top / len(widths)
        score = (round(float(consistency), 2), mode, delim in first_line)
        if score > best_score:
            best, best_score = delim, score
    if best is None:
        # one column: split on a character that does not occur, if there is one
        text = "".join(lines)
        counts = {d: text.count(d) for d in (default, *DELIMITERS)}
        best = min(counts, key=lambda d: (counts[d], d != default))
    return best


def _guess_encoding(start: bytes, *, whole: bool, path: Path) -> tuple[str, bool]:
    """Encoding from the beginning of the file, and whether it is UTF-8 with stray bytes.

    BOM, strict UTF-8, UTF-8 with a few stray bytes, plausible GB18030 (see
    :func:`toolkit.io.encoding.decide`). The rest of the file is checked as it
    is parsed (strictly): when it turns out not to be UTF-8 after all, the
    whole file is examined again.
    """
    if not whole:  # cut at the last line break, so that no character is split
        cut = start.rfind(b"\n")
        start = start[: cut + 1] if cut > 0 else start
    return decide(start, file=path, final=True)


def _head_text(start: bytes, encoding: str, *, whole: bool) -> list[str]:
    """Complete lines of the beginning of the file, decoded."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    text = decoder.decode(start, final=whole)
    # only CR, LF and CRLF end a line in CSV (not the other breaks str.splitlines knows)
    lines = io.StringIO(text, newline="").readlines()
    if not whole and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    return lines


def _n_filled(record: list[str]) -> int:
    return sum(1 for v in record if v.strip())


def _find_header(records: list[list[str]]) -> int:
    """Index of the header record: the first with at least half the file's width."""
    filled = [_n_filled(r) for r in records]
    if not filled or max(filled) == 0:
        return 0
    width = max(filled)
    need = max(min(2, width), (width + 1) // 2)
    for i, n in enumerate(filled):
        if n >= need:
            if i > 0 and filled[i - 1] >= 2 and _is_two_row_header(records, i - 1):
                return i - 1  # the merged upper row of a two-row header
            return i
    return 0  # pragma: no cover - max(filled) >= need


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[-+]?[\d０-９.,，．/／\-年月日:：]+\s*", text))


def _is_two_row_header(records: list[list[str]], start: int) -> bool:
    """Whether records[start:start + 2] form a merged two-row header.

    The upper row has gaps (merged cells saved as empty fields) that the lower
    row fills, and the lower row holds text labels, not numbers or dates.
    """
    if start + 2 >= len(records):
        return False
    upper, lower = records[start], records[start + 1]
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    gaps = [i for i, v in enumerate(upper) if not v.strip()]
    last_filled = max((i for i, v in enumerate(upper) if v.strip()), default=-1)
    inner_gaps = [i for i in gaps if i < last_filled or (i > 0 and upper[i - 1].strip())]
    if not inner_gaps:
        return False
    if not all(lower[i].strip() for i in range(width) if i <= max(last_filled, *gaps)):
        return False
    return not any(_looks_numeric(v) for v in lower if v.strip())


def flatten_headers(upper: list[str], lower: list[str]) -> list[str]:
    """Flatten a two-row header: merged upper cells carried right, joined by ``_``.

    Examples
    --------
    >>> flatten_headers(["编号", "协商情况", ""], ["", "协商平台", "日期"])
    ['编号', '协商情况_协商平台', '协商情况_日期']
    """
    out, carried = [], ""
    for i in range(max(len(upper), len(lower))):
        top = upper[i].strip() if i < len(upper) else ""
        bottom = lower[i].strip() if i < len(lower) else ""
        if top:
            carried = top
        elif not bottom:
            carried = ""
        top = top or carried
        if top and bottom and top != bottom:
            out.append(f"{top}_{bottom}")
        else:
            out.append(bottom or top)
    return out


def _unique_headers(headers: list[str]) -> tuple[list[str], list[str]]:
    """Headers made unique and non-empty; notes on what was renamed."""
    seen: dict[str, int] = {}
    out, notes = [], []
    for i, raw_header in enumerate(headers, start=1):
        name = raw_header.strip() or f"unnamed_{i}"
        if not raw_header.strip():
            notes.append(f"column {i} has no header; named `{name}`")
        if name in seen:
            seen[name] += 1
            new = f"{name}_{seen[name]}"
            notes.append(f"header `{name}` repeated; column {i} named `{new}`")
            name = new
        seen.setdefault(name, 1)
        out.append(name)
    return out, notes


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


class _NotUtf8(Exception):
    """The data rows are not valid UTF-8 although the beginning of the file was."""


class _Source:
    """The bytes to parse: the file itself, or its text with stray bytes marked."""

    def __init__(self, path: Path, data: bytes | None = None) -> None:
        self.path = path
        self.data = data

    def head(self) -> tuple[bytes, bool]:
        if self.data is not None:
            return self.data[:_HEAD_BYTES], len(self.data) <= _HEAD_BYTES
        with self.path.open("rb") as handle:
            start = handle.read(_HEAD_BYTES)
            whole = len(start) < _HEAD_BYTES or not handle.read(1)
        return start, whole

    def arrow_input(self) -> Path | pa.BufferReader:
        return self.path if self.data is None else pa.BufferReader(self.data)

    def read_all(self) -> bytes:
        return self.path.read_bytes() if self.data is None else self.data

    def scan(self, encoding: str, *, start: int = 0) -> tuple[int, bool, bool]:
        """Quote characters, and whether NUL or ``+`` occurs, from byte `start`.

        `start` is the first data row; a ``+`` may be a number in scientific
        notation (``1.10105E+17``, an ID Excel mangled), whose check is skipped
        without one. One ``memchr``-speed pass each (``mmap.find``) over a file
        without quotes, the usual case; quotes are counted only when there are some.
        """
        if encoding.startswith("utf-16"):  # a byte 0x22 may be half of another character
            text = codecs.decode(self.read_all(), encoding, "replace")
            # (the caller subtracts the quotes of the header)
            return text.count('"'), "\x00" in text, "+" in text
        if self.data is not None:
            view = self.data
            quotes = view.count(b'"', start) if view.find(b'"', start) >= 0 else 0
            return quotes, view.find(b"\x00", start) >= 0, view.find(b"+", start) >= 0
        size = self.path.stat().st_size
        if size == 0:
            return 0, False, False
        with self.path.open("rb") as handle, \
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            first = view.find(b'"', start)
            nul = view.find(b"\x00", start) >= 0
            scientific = view.find(b"+", start) >= 0
            quotes = 0
            at = first if first >= 0 else size
            while at < size:  # count in pieces, without copying the whole file
                piece = view[at:at + (1 << 24)]
                quotes += piece.count(b'"')
                at += len(piece)
            return quotes, nul, scientific


def _parse_arrow(
    source: _Source, *, encoding: str, delimiter: str, skip_lines: int, width: int,
    types: dict[int, pa.DataType] | None = None, quoted: bool = True,
) -> pa.Table | None:
    """Parse the data rows with pyarrow; None when the rows are irregular.

    Columns in `types` are parsed as that type; when a value does not convert,
    the column is parsed as text instead (the error names the column). A
    narrow integer type (``int16``/``int32``, planned from a sample) is widened
    to ``int64`` when a later value is a whole number out of its range, or when
    the column holds a negative number: a hexadecimal value such as ``0xFFFF``
    wraps round to a negative number in a narrow type, so only a column without
    negative numbers is known to read as it would as ``int64``.
    """
    names = [f"f{i}" for i in range(width)]
    arrow_encoding = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    column_types = {name: pa.string() for name in names}
    for i, kind in (types or {}).items():
        if i < width:
            column_types[names[i]] = kind
    while True:
        try:
            table = pacsv.read_csv(
                source.arrow_input(),
                read_options=pacsv.ReadOptions(
                    skip_rows=skip_lines, column_names=names, encoding=arrow_encoding,
                    block_size=1 << 22,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, ignore_empty_lines=False, newlines_in_values=quoted,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=column_types, strings_can_be_null=True,
                    quoted_strings_can_be_null=True, null_values=[""],
                ),
            )
        except pa.ArrowInvalid as err:
            text = str(err)
            if "invalid UTF8" in text:
                raise _NotUtf8(text) from err
            failed = re.search(r"In CSV column #(\d+): CSV conversion error", text)
            if failed is None:
                return None
            name = names[int(failed.group(1))]
            if column_types[name] == pa.string():
                return None
            column_types[name] = _wider(column_types[name], text)
            continue
        negative = [name for i, name in enumerate(names) if column_types[name] in _NARROW
                    and (pc.min(table.column(i)).as_py() or 0) < 0]
        if not negative:
            return table
        for name in negative:
            column_types[name] = pa.int64()


#: Integer types a plan may choose for small whole numbers (see `_parse_arrow`).
_NARROW = (pa.int16(), pa.int32())


def _wider(kind: pa.DataType, error: str) -> pa.DataType:
    """The type to parse a column as after a value failed to convert to `kind`.

    A narrow integer column becomes ``int64`` unless the value that failed holds
    a character no integer has (so that a column of text is not parsed twice
    more); ``int64`` and floats become text.
    """
    if kind not in _NARROW:
        return pa.string()
    value = re.search(r"invalid value '(.*)'$", error, flags=re.S)
    if value is not None and not re.fullmatch(r"[\s0-9a-fA-FxX+-]*", value.group(1)):
        return pa.string()
    return pa.int64()


def _csv_reader(text: str, delimiter: str, **options: object) -> Any:
    # a cell may be as long as the file (Python's csv refuses more than 131,072
    # characters by default)
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, **options)


def _parse_python(
    text: str, *, delimiter: str, skip_records: int
) -> tuple[list[list[str]], int]:
    """Parse the data rows with :mod:`csv`; also the line where the last record starts."""
    reader = _csv_reader(text, delimiter)
    rows = []
    last_start = line = 0
    for i, rec in enumerate(reader):
        last_start = line + 1
        line = reader.line_num
        if i >= skip_records:
            rows.append(rec)
    return rows, last_start


def _unclosed_quote(text: str, delimiter: str, last_start: int) -> bool:
    """Whether the file ends inside a quoted field (the last record starts at `last_start`)."""
    lines = io.StringIO(text, newline="").readlines()
    tail = "".join(lines[max(last_start - 1, 0):])
    try:
        for _ in _csv_reader(tail, delimiter, strict=True):
            pass
    except csv.Error as err:
        return "unexpected end of data" in str(err)
    return False


def _shown(value: str | None, limit: int = 30) -> str:
    """A cell as a message shows it: ID and phone numbers masked, long text cut."""
    if value is None:
        return ""
    text = value if looks_personal(value) is None else str(mask(value))
    return text if len(text) <= limit else text[:limit] + "…"


def _named_encoding(encoding: str) -> str:
    try:
        return normalise_encoding_name(encoding)
    except LookupError:
        msg = f"Unknown encoding `encoding={encoding!r}`. Try \"utf-8\" or \"gb18030\"."
        raise ReadError(msg) from None


def read_csv_raw(
    path: str | Path,
    *,
    header_rows: int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    plan: Plan | None = None,
) -> tuple[pd.DataFrame, LoadRecord]:
    """Read the data rows of a delimited text file as text, with a load record.

    Parameters
    ----------
    path : str or Path
        The file (``.csv``, ``.tsv``, ``.txt``).
    header_rows : {1, 2}, optional
        Rows the header occupies; detected when omitted (a merged upper row
        with gaps and a lower row of text labels is a two-row header).
    encoding : str, optional
        Text encoding; detected when omitted (BOM, strict UTF-8, plausible
        GB18030; see :mod:`toolkit.io.encoding`). ``"gbk"`` and ``"gb2312"``
        are read as their superset GB18030, ``"big5"`` and ``"shift_jis"`` as
        their Windows supersets.
    delimiter : str, optional
        Field delimiter; sniffed when omitted.
    plan : callable, optional
        ``plan(headers, sample_rows) -> {position: pyarrow type}``: columns to
        parse straight into numbers (``int64``/``float64``) or dictionary-encoded
        text, decided from the header and the first 1,000 rows. A column whose
        values do not all convert is read as text after all. Without it every
        column is text.

    Returns
    -------
    df : pandas.DataFrame
        One text column (``str`` dtype, missing as NaN) per header, data rows only,
        RangeIndex.
    record : LoadRecord
        Encoding, delimiter, rows read/kept, rows set aside with their reason,
        ``row_numbers`` (file row of each kept row) and ``problems``: stray
        bytes of a UTF-8 file (``bad_bytes``), rows with more fields than the
        header (``extra_fields``), NUL bytes (``nul_byte``), cells that look
        like several rows swallowed by a quote (``swallowed_rows``).

    Raises
    ------
    toolkit.errors.ReadError
        When the file does not decode in the detected or given encoding, no
        encoding reads it plausibly (the message lists those tried), it looks
        like UTF-16 without a byte-order mark, a quote opened in some row is
        never closed (the message names the row and column where it opens), or
        the path is not a regular file (a named pipe, a folder).
    """
    file = require_regular_file(path)
    given = encoding is not None
    source = _Source(file)
    start_bytes, whole = source.head()
    damaged = False
    if given:
        enc = _named_encoding(str(encoding))
        if enc == "utf-8" and start_bytes.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
    else:
        _refuse_utf16_without_bom(start_bytes, file)
        enc, damaged = _guess_encoding(start_bytes, whole=whole, path=file)
    return _read(source, path=path, enc=enc, given=given, damaged=damaged,
                 header_rows=header_rows, delimiter=delimiter, plan=plan)


def _refuse_utf16_without_bom(start: bytes, path: Path) -> None:
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    if len(start) >= 8 and start.count(b"\x00") >= len(start) // 4:
        nul = start.count(b"\x00")
        msg = (f"Cannot read `{path}` as text: {nul} of its first "
               f"{len(start)} bytes are NUL, as in UTF-16 text saved without a byte-order "
               "mark. Pass `encoding=\"utf-16-le\"` (or \"utf-16-be\"), or save it again as "
               "\"CSV UTF-8\".")
        raise ReadError(msg)


def _read(
    source: _Source, *, path: str | Path, enc: str, given: bool, damaged: bool,
    header_rows: int | None, delimiter: str | None, plan: Plan | None,
) -> tuple[pd.DataFrame, LoadRecord]:
    file = source.path
    spans: list[tuple[int, int]] = []
    if damaged and source.data is None:
        raw = file.read_bytes()
        repaired, spans = repair_utf8(raw)
        del raw
        source = _Source(file, repaired)
        enc = "utf-8-sig" if repaired.startswith(codecs.BOM_UTF8) else "utf-8"
    start_bytes, whole = source.head()
    record = LoadRecord(file=str(path))
    record.encoding = enc
    if spans:
        record.notes.append(f"UTF-8 with {len(spans)} stray byte sequence(s) that are not "
                            "UTF-8: each is reported at its row (check `bad_bytes`)")
    tried = ("UTF-8", "GB18030/GBK") if not given and enc == "gb18030" else None
    try:
        head = _head_text(start_bytes, enc, whole=whole)
    except UnicodeDecodeError:
        check_decodes(source.read_all(), enc, file=file, tried=tried)
        raise  # pragma: no cover - check_decodes raised
    if head and head[0].startswith("\ufeff"):
        head[0] = head[0][1:]

    if delimiter is None:
        default = "\t" if file.suffix.lower() == ".tsv" else ","
        delimiter = sniff_delimiter(head[:200], default=default)
    record.delimiter = delimiter

    reader = _csv_reader("".join(head), delimiter)
    head_records, line_after = [], []
    for rec in reader:
        head_records.append(rec)
        line_after.append(reader.line_num)
        if len(head_records) >= _SAMPLE_RECORDS:
            break
    if not head_records:
        record.notes.append("the file is empty")
        return pd.DataFrame(), record

    start = _find_header(head_records[:_HEAD_RECORDS])
    for i in range(start):
        text = delimiter.join(v for v in head_records[i] if v.strip())
        if text:
            record.notes.append(f"row {i + 1} above the header kept out of the data: {text}")
    if header_rows is None:
        header_rows = 2 if _is_two_row_header(head_records, start) else 1
    if header_rows not in (1, 2):
        msg = f"`header_rows` must be 1 or 2, not {header_rows!r}."
        raise ReadError(msg)
    if header_rows == 2 and start + 1 < len(head_records):
        headers = flatten_headers(head_records[start], head_records[start + 1])
    else:
        headers = list(head_records[start])
    record.header_rows = header_rows
    skip_records = start + header_rows
    record.first_data_row = skip_records + 1
    width = len(headers)
    skip_lines = line_after[skip_records - 1] if skip_records <= len(line_after) else None
    header_text = "".join(head[:skip_lines or 0])
    if whole and skip_lines is not None and skip_lines >= len(head) and \
            header_text.count('"') % 2 and _unclosed_quote(header_text, delimiter, 1):
        col = len(headers) - 1
        raise _unclosed_error(file, row=start + 1, column=f"field {col + 1}",
                              value=headers[col] if headers else None,
                              line=line_after[start - 1] + 1 if start else 1)
    if enc.startswith("utf-16"):
        n_quotes, n_nul, scientific = source.scan(enc)
        n_quotes -= header_text.count('"')
    else:  # count from the first data row: quotes around header names do not matter
        data_start = len(header_text.encode("utf-8" if enc == "utf-8-sig" else enc)) + \
            (3 if enc == "utf-8-sig" else 0)
        n_quotes, n_nul, scientific = source.scan(enc, start=data_start)
    header_spans = sum(c.count("\ufffd") for r in head_records[:skip_records] for c in r)
    if header_spans and spans:
        _report_header_bytes(record, spans[:header_spans], header_row=skip_records)
        spans = spans[header_spans:]

    table = None
    if skip_lines is not None:
        try:
            types = plan(_unique_headers(headers)[0], head_records[skip_records:]) \
                if plan is not None else None
            table = _parse_arrow(source, encoding=enc, delimiter=delimiter,
                                 skip_lines=skip_lines, width=width, types=types,
                                 quoted=n_quotes > 0)
        except UnicodeDecodeError:
            check_decodes(source.read_all(), enc, file=file, tried=tried)
            raise  # pragma: no cover
        except _NotUtf8:
            return _reread(source, path=path, enc=enc, given=given, header_rows=header_rows,
                           delimiter=delimiter, plan=plan)
    text = None
    if table is None or n_quotes % 2:
        raw = source.read_all()
        try:
            text = codecs.decode(raw, enc, "strict")
        except UnicodeDecodeError:
            if enc in ("utf-8", "utf-8-sig") and source.data is None:
                return _reread(source, path=path, enc=enc, given=given,
                               header_rows=header_rows, delimiter=delimiter, plan=plan)
            check_decodes(raw, enc, file=file, tried=tried)
            raise  # pragma: no cover
        del raw
        if text.startswith("\ufeff"):
            text = text[1:]
    shifted: dict[int, tuple[str, str]] = {}
    if table is not None:
        columns = {f"c{i}": table.column(i) for i in range(table.num_columns)}
        n = table.num_rows
        if n_quotes % 2:
            _, last_start = _parse_python(text, delimiter=delimiter, skip_records=skip_records)
            if _unclosed_quote(text, delimiter, last_start):
                last = table.slice(n - 1).to_pylist()[0] if n else {}
                filled = [k for k, v in last.items() if v is not None]
                col = int(filled[-1][1:]) if filled else 0
                raise _unclosed_error(file, row=skip_records + n, column=headers[col]
                                      if col < width else f"field {col + 1}",
                                      value=last.get(f"f{col}"), line=last_start)
    else:
        rows, last_start = _parse_python(text, delimiter=delimiter, skip_records=skip_records)
        if n_quotes % 2 and rows and _unclosed_quote(text, delimiter, last_start):
            last = rows[-1]
            col = len(last) - 1
            raise _unclosed_error(file, row=skip_records + len(rows),
                                  column=headers[col] if col < width else f"field {col + 1}",
                                  value=last[col] if last else None, line=last_start)
        del text
        n = len(rows)
        rows, full, shifted = _extra_fields(rows, width=width, headers=headers,
                                            delimiter=delimiter, first_row=skip_records + 1,
                                            record=record)
        columns = {
            f"c{i}": pa.array([(r[i] or None) if i < len(r) else None for r in rows],
                              type=pa.string())
            for i in range(full)
        }
        record.notes.append("rows of uneven length: parsed with Python's csv module")

    # Extra fields beyond the header: dropped when empty, kept when they hold data.
    names, _notes = _unique_headers(headers + [""] * (len(columns) - width))
    record.notes.extend(_notes[:20])
    arrays = list(columns.values())
    keep_cols = []
    for i, arr in enumerate(arrays):
        if i >= width and arr.null_count == len(arr):
            continue
        if i >= width:
            record.notes.append(f"fields beyond the header kept as `{names[i]}`")
        keep_cols.append(i)

    record.rows_read = n
    file_rows = np.arange(skip_records + 1, skip_records + 1 + n, dtype=np.int64)
    kept_arrays = [arrays[i] for i in keep_cols]
    kept_names = [names[i] for i in keep_cols]
    if spans:
        _report_bad_bytes(kept_arrays, kept_names, spans, record, file_rows)
    if n_nul:
        kept_arrays = _report_nul(kept_arrays, kept_names, record, file_rows)
    if scientific:
        _report_lost_digits(kept_arrays, kept_names, record, file_rows)
    if n_quotes:
        _report_swallowed(kept_arrays, kept_names, record, file_rows, delimiter=delimiter,
                          width=width)
    drop = _rows_to_set_aside(kept_arrays, record, file_rows, shifted=shifted)

    frame = pa.table(dict(zip(kept_names, kept_arrays, strict=True))) if keep_cols else None
    if drop is not None and drop.any():
        keep_mask = ~drop
        frame = frame.filter(pa.array(keep_mask)) if frame is not None else None
        file_rows = file_rows[keep_mask]
    if frame is not None and frame.num_rows == 0:
        df = pd.DataFrame({c: pd.Series([], dtype="str") for c in frame.column_names})
    elif frame is not None:
        del arrays, columns, table, kept_arrays  # let the conversion free each column
        df = _to_pandas(frame)
    else:
        df = pd.DataFrame(index=range(len(file_rows)))
    record.rows_kept = len(df)
    record.row_numbers = file_rows
    return df, record


def _to_pandas(frame: pa.Table) -> pd.DataFrame:
    """The table as a frame; whole-number columns as ``int64``, or ``Int64`` with gaps.

    Integer columns (parsed as ``int16``/``int32``/``int64``) are copied once,
    chunk by chunk, into their final 64-bit array: pyarrow's own conversion to
    ``Int64`` copies each column several times. Columns without gaps stay
    ``int64`` (the value normaliser makes them ``Int64`` with the mask it needs
    anyway). The other columns are converted by pyarrow (views of the text, or
    small codes) beside them: on a large table, on a second thread.
    """
    names = frame.column_names
    positions = [i for i, column in enumerate(frame.columns)
                 if pa.types.is_integer(column.type)]
    if not positions:
        return frame.to_pandas(self_destruct=True, split_blocks=True, use_threads=False)
    integer = set(positions)
    rest = frame.select([i for i in range(len(names)) if i not in integer])
    whole = [frame.column(i) for i in positions]
    del frame

    def convert() -> pd.DataFrame:
        return rest.to_pandas(self_destruct=True, split_blocks=True, use_threads=False)

    if not two_threads(len(whole[0])):
        ints = dict(zip(positions, map(_whole_numbers, whole), strict=True))
        converted = convert()
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:
            pending = pool.submit(convert)
            ints = dict(zip(positions, pool.map(_whole_numbers, whole), strict=True))
            converted = pending.result()
    del whole
    others = iter(converted[name] for name in converted.columns)
    columns = {name: ints[i] if i in ints else next(others) for i, name in enumerate(names)}
    return pd.DataFrame(columns, copy=False)


def _whole_numbers(column: pa.ChunkedArray) -> np.ndarray | pd.arrays.IntegerArray:
    """An integer column as ``int64`` values (and a mask of the gaps, when it has some)."""
    data = np.empty(len(column), dtype=np.int64)
    missing = np.zeros(len(column), dtype=bool) if column.null_count else None
    at = 0
    for chunk in column.chunks:
        end = at + len(chunk)
        if chunk.null_count:
            data[at:end] = pc.fill_null(chunk, 0).to_numpy()
            missing[at:end] = pc.is_null(chunk).to_numpy(zero_copy_only=False)
        else:
            data[at:end] = chunk.to_numpy()
        at = end
    return data if missing is None else pd.arrays.IntegerArray(data, missing)


def _reread(
    source: _Source, *, path: str | Path, enc: str, given: bool, header_rows: int | None,
    delimiter: str, plan: Plan | None,
) -> tuple[pd.DataFrame, LoadRecord]:
    """The beginning was UTF-8 but a later byte is not: decide again on the whole file."""
    raw = source.read_all()
    file = source.path
    if given:
        if not utf8_damage(raw).mostly_utf8:
            check_decodes(raw, enc, file=file)
        detected, damaged = enc, True
    else:
        detected, damaged = decide(raw, file=file)
    del raw
    return _read(_Source(file), path=path, enc=detected, given=given, damaged=damaged,
                 header_rows=header_rows, delimiter=delimiter, plan=plan)


def _unclosed_error(file: Path, *, row: int, column: str, value: str | None,
                    line: int) -> ReadError:
    opened = _shown(value, 20).replace("\n", "⏎")
    msg = (f"Cannot read `{file}`: the quote that opens in row {row}, column `{column}` "
           f"(line {line} of the file: `\"{opened}`) is never closed, so every line after it "
           "would be read into that one cell. Close the quote (a `\"` inside a quoted value "
           "is written `\"\"`) or remove it in the file, then read it again.")
    return ReadError(msg)


def _extra_fields(
    rows: list[list[str]], *, width: int, headers: list[str], delimiter: str, first_row: int,
    record: LoadRecord,
) -> tuple[list[list[str]], int, dict[int, tuple[str, str]]]:
    """Rows with more non-empty fields than the header.

    When they are a minority of the data rows they are shifted rows (a value
    holding the delimiter without quotes, such as ``1,234``): each is set aside
    and reported, never passed with its values in the wrong columns. When most
    rows have them, the header lacks names: the fields are kept as ``unnamed_N``.
    """
    longer = [i for i, r in enumerate(rows)
              if len(r) > width and any(v.strip() for v in r[width:])]
    full = max([width, *(len(r) for r in rows)]) if rows else width
    if not longer:
        return rows, width, {}
    filled = sum(1 for r in rows if any(v.strip() for v in r))
    if 2 * len(longer) > filled:
        record.problem(
            row=first_row - 1, column=None, value=None, check="extra_fields",
            severity="warning",
            problem=(f"{len(longer)} of {filled} rows have more fields than the header "
                     f"({width}); the extra fields were kept as unnamed columns."),
            fix="Give the extra columns a header in the file, and read it again.",
            problem_zh=(f"{filled} 行中有 {len(longer)} 行的字段多于表头（{width} 列），"
                        "多出的字段已作为未命名列保留。"),
            fix_zh="在文件中为多出的列补上表头后重新读取。",
        )
        return rows, full, {}
    shifted: dict[int, tuple[str, str]] = {}
    for i in longer:
        row = rows[i]
        text = delimiter.join(_shown(v, 12) for v in row)
        n = len(row)
        reason = (f"row has {n} fields, the header {width}: a value holding `{delimiter}` "
                  "without quotes (such as 1,234) shifts the fields after it")
        shifted[i] = (reason, text)
        record.problem(
            row=first_row + i, column=None, value=text, check="extra_fields",
            severity="error",
            problem=(f"Row {first_row + i} has {n} fields but the header has {width} "
                     f"({', '.join(headers[:4])}{' …' if width > 4 else ''}): a value that "
                     f"holds `{delimiter}` without quotes (such as 1,234) shifts every field "
                     "after it. The row was set aside, not read."),
            fix=(f"In the file, put that value in quotes (\"1,234\") or remove the "
                 f"`{delimiter}` from it, then read the file again."),
            problem_zh=(f"第 {first_row + i} 行有 {n} 个字段，表头只有 {width} 列："
                        f"某个值含有未加引号的“{delimiter}”（如 1,234），其后各字段错位。"
                        "该行已搁置，未读入。"),
            fix_zh=(f"在文件中给该值加上引号（\"1,234\"）或去掉其中的“{delimiter}”，"
                    "然后重新读取。"),
        )
    rows = [r[:width] if i in shifted else r for i, r in enumerate(rows)]
    return rows, width, shifted


def _find(
    arrays: list[Any], pattern: str, *, ignore_case: bool = False
) -> Iterator[tuple[int, np.ndarray, pa.ChunkedArray]]:
    """(column position, row positions, text column) of text cells containing `pattern`.

    Dictionary-encoded columns are searched in their distinct values first, so
    a column without a match costs one pass over its few distinct values.
    """
    for i, arr in enumerate(arrays):
        chunked = arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])
        kind = chunked.type
        if pa.types.is_dictionary(kind):
            if not pa.types.is_string(kind.value_type):
                continue
            if not any(pc.any(pc.match_substring(c.dictionary, pattern,
                                                 ignore_case=ignore_case)).as_py()
                       for c in chunked.chunks if len(c.dictionary)):
                continue
            chunked = chunked.cast(kind.value_type)
        elif not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            continue
        found = pc.fill_null(pc.match_substring(chunked, pattern, ignore_case=ignore_case),
                             fill_value=False)
        positions = np.flatnonzero(found.to_numpy(zero_copy_only=False))
        if len(positions):
            yield i, positions, chunked


def _report_header_bytes(record: LoadRecord, spans: list[tuple[int, int]], *,
                         header_row: int) -> None:
    where = ", ".join(str(s) for s, _ in spans[:5])
    record.problem(
        row=header_row, column=None, value=None, check="bad_bytes", severity="error",
        problem=(f"The header holds {len(spans)} byte sequence(s) that are not UTF-8 (at "
                 f"byte {where} of the file); they are shown as �."),
        fix="Correct the header in the file and read it again.",
        problem_zh=f"表头中有 {len(spans)} 处字节不是 UTF-8（文件第 {where} 字节），显示为 �。",
        fix_zh="在文件中改正表头后重新读取。",
    )


def _report_bad_bytes(
    arrays: list[Any], names: list[str], spans: list[tuple[int, int]], record: LoadRecord,
    file_rows: np.ndarray,
) -> None:
    """Report each cell holding a stray byte (marked U+FFFD), in file order."""
    cells = []
    for i, positions, arr in _find(arrays, "\ufffd"):
        for pos in positions:
            cells.append((int(pos), i, arr[int(pos)].as_py()))
    cells.sort()
    at = 0
    for pos, i, value in cells:
        k = value.count("\ufffd")
        mine = spans[at:at + k]
        at += k
        where = ", ".join(f"{start}" for start, _ in mine[:3]) or "?"
        record.problem(
            row=int(file_rows[pos]), column=names[i], value=_shown(value),
            check="bad_bytes", severity="error",
            problem=(f"{k} byte sequence(s) in this cell are not UTF-8 (at byte {where} of the "
                     "file), although the rest of the file is; shown as �."),
            fix=("Correct the cell in the file (it was probably pasted from a program using "
                 "another encoding) and read it again."),
            problem_zh=(f"此单元格有 {k} 处字节不是 UTF-8（文件第 {where} 字节），"
                        "文件其余部分是 UTF-8；显示为 �。"),
            fix_zh="在文件中改正该单元格（多半是从使用其他编码的程序粘贴而来）后重新读取。",
        )


def _report_nul(
    arrays: list[Any], names: list[str], record: LoadRecord, file_rows: np.ndarray
) -> list[Any]:
    """Remove NUL bytes from cells, reporting each cell (Excel shows nothing there)."""
    arrays = list(arrays)
    for i, hits, arr in _find(arrays, "\x00"):
        for pos in hits[:1000]:
            value = arr[int(pos)].as_py()
            record.problem(
                row=int(file_rows[pos]), column=names[i],
                value=_shown(value.replace("\x00", "\\x00")), check="nul_byte",
                severity="warning",
                problem="The cell holds NUL bytes (\\x00), a sign of a damaged file; they "
                        "were removed.",
                fix="Check the cell against the source and correct the file.",
                problem_zh="此单元格含有 NUL 字节（\\x00），文件可能已损坏；已删除这些字节。",
                fix_zh="对照原始资料核对该单元格并改正文件。",
            )
        cleaned = pc.replace_substring(arr, "\x00", "")
        record.coerce(column=names[i], what="NUL bytes removed",
                      before=arr[int(hits[0])].as_py().replace("\x00", "\\x00")[:30],
                      after=cleaned[int(hits[0])].as_py()[:30], count=len(hits))
        arrays[i] = cleaned
    return arrays


def _report_lost_digits(
    arrays: list[Any], names: list[str], record: LoadRecord, file_rows: np.ndarray
) -> None:
    """Report ID numbers Excel wrote in scientific notation (``1.10105E+17``)."""
    for i, positions, arr in _find(arrays, "E+", ignore_case=True):
        for pos in positions[:10_000]:
            value = arr[int(pos)].as_py()
            lost = lost_digits(value)
            if lost is None:
                continue
            severity, problem, problem_zh = lost
            record.problem(
                row=int(file_rows[pos]), column=names[i], value=shown_number(value),
                check="lost_digits", severity=severity, problem=problem[0].upper() + problem[1:],
                fix=LOST_DIGITS_FIX, problem_zh=problem_zh, fix_zh=LOST_DIGITS_FIX_ZH)


def _report_swallowed(
    arrays: list[Any], names: list[str], record: LoadRecord, file_rows: np.ndarray, *,
    delimiter: str, width: int,
) -> None:
    """Warn about cells whose lines look like rows: a quote that closes far too late."""
    if width < 3:
        return
    for i, positions, arr in _find(arrays, "\n"):
        for pos in positions[:10_000]:
            value = arr[int(pos)].as_py()
            lines = value.splitlines()[1:]
            looks = [ln for ln in lines if ln.count(delimiter) >= width - 1]
            if len(looks) < 2:
                continue
            record.problem(
                row=int(file_rows[pos]), column=names[i], value=_shown(value),
                check="swallowed_rows", severity="warning",
                problem=(f"This cell spans {len(lines) + 1} lines, {len(looks)} of which look "
                         "like rows of the table: a quote opened here may close only in a "
                         "later row, which would read those rows into this cell."),
                fix="Check the quotes in this row of the file (a `\"` inside a value is "
                    "written `\"\"`).",
                problem_zh=(f"此单元格跨 {len(lines) + 1} 行，其中 {len(looks)} 行像是表格的行："
                            "此处的引号可能到后面某行才闭合，把那些行读进了这个单元格。"),
                fix_zh="检查文件中这一行的引号（值中的 `\"` 应写作 `\"\"`）。",
            )


def _cell_text(value: object) -> str | None:
    return None if value is None else str(value)


def _blank_or_total(arr: Any) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose cell in `arr` is missing or only spaces, and rows whose cell is a total word."""
    chunked = arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])
    if pa.types.is_dictionary(chunked.type):
        chunked = chunked.cast(chunked.type.value_type)
    if not (pa.types.is_string(chunked.type) or pa.types.is_large_string(chunked.type)):
        missing = pc.is_null(chunked).to_numpy(zero_copy_only=False)
        return np.asarray(missing, dtype=bool), np.zeros(len(chunked), dtype=bool)
    blank = pc.fill_null(pc.or_(pc.equal(chunked, ""), pc.utf8_is_space(chunked)),
                         fill_value=True)
    if pc.any(pc.match_substring(chunked, "计")).as_py():
        total = pc.fill_null(pc.match_substring_regex(chunked, _TOTAL_START),
                             fill_value=False)
    else:
        total = pa.chunked_array([pa.array(np.zeros(len(chunked), dtype=bool))])
    return (np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool),
            np.asarray(total.to_numpy(zero_copy_only=False), dtype=bool))


#: Quick test for a first cell that may be a total word (confirmed by `total_kind`).
_TOTAL_START = r"^\s*(合|总|小|累|共)\s*计"


def _rows_to_set_aside(
    arrays: list[pa.ChunkedArray | pa.Array], record: LoadRecord, file_rows: np.ndarray,
    *, shifted: dict[int, tuple[str, str]] | None = None,
) -> np.ndarray | None:
    """Mark rows that are not data and note each in `record`, in file order.

    Empty rows and rows of only spaces (anywhere), total and subtotal rows
    (``合计``/``小计`` … as the first filled cell, anywhere), footer rows (at the
    end) and the `shifted` rows found by the parser (position → reason, text).
    """
    n = len(file_rows)
    shifted = shifted or {}
    if n == 0 or not arrays:
        for pos, (reason, text) in sorted(shifted.items()):
            record.set_aside(row=int(file_rows[pos]), reason=reason, values=text)
        return None
    # blank rows: rows whose first cell is blank are checked across the other columns
    first_blank, first_total = _blank_or_total(arrays[0])
    candidates = np.flatnonzero(first_blank)
    blank = np.zeros(n, dtype=bool)
    if len(candidates):
        empty = np.ones(len(candidates), dtype=bool)
        picks = pa.array(candidates)
        for arr in arrays[1:]:
            cell_blank, _ = _blank_or_total(arr.take(picks))
            empty &= cell_blank
        blank[candidates[empty]] = True
    reasons: dict[int, tuple[str, str | None]] = {}
    for pos in np.flatnonzero(blank):
        values = [_cell_text(arr[int(pos)].as_py()) for arr in arrays]
        spaces = any(v is not None and v != "" for v in values)
        reasons[int(pos)] = ("blank row (only spaces)" if spaces else "empty row", None)
    # total rows anywhere: the first filled cell is 合计, 小计 …
    for pos in np.flatnonzero(first_total | (first_blank & ~blank)):
        if int(pos) in shifted:
            continue
        values = [v.strip() for v in (_cell_text(arr[int(pos)].as_py()) for arr in arrays)
                  if v is not None and v.strip()]
        kind = total_kind(values[0]) if values else None
        if kind is not None:
            word = kind.split(": ")[0]
            text = " ".join(values)
            reasons[int(pos)] = (f"{word} ({text})", text)
    width = len(arrays)
    # footer rows: walk back from the end over empty and footer-like rows
    tail_start = max(n - _TAIL_ROWS, 0)
    tail = [[_cell_text(arr[i].as_py()) for arr in arrays] for i in range(tail_start, n)]
    for pos in range(n - 1, tail_start - 1, -1):
        values = [v for v in tail[pos - tail_start] if v is not None and v.strip()]
        if not values:
            continue
        if pos in reasons:
            continue
        if pos not in shifted and FOOTER_PATTERN.match(values[0]) and \
                len(values) <= max(3, width // 2):
            text = " ".join(v.strip() for v in values)
            kind = "total row" if re.match(r"\s*(合计|总计|小计)", values[0]) else "footer row"
            reasons[pos] = (f"{kind} ({text})", text)
            continue
        break
    for pos, (reason, text) in shifted.items():
        reasons[pos] = (reason, text)
    drop = np.zeros(n, dtype=bool)
    for pos in sorted(reasons):
        reason, text = reasons[pos]
        record.set_aside(row=int(file_rows[pos]), reason=reason, values=text)
        drop[pos] = True
    return drop
