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
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from toolkit.errors import ReadError
from toolkit.io.encoding import BOMS, check_decodes, detect_encoding, normalise_encoding_name
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


def _guess_encoding(start: bytes, *, whole: bool, path: Path) -> str:
    """Encoding from the beginning of the file: BOM, else strict UTF-8, else GB18030.

    The rest of the file is checked as it is parsed (strictly): when it turns
    out not to be UTF-8 after all, the whole file is examined again.
    """
    for bom, name in BOMS:
        if start.startswith(bom):
            return name
    try:
        codecs.getincrementaldecoder("utf-8")(errors="strict").decode(start, final=whole)
    except UnicodeDecodeError:
        return "gb18030" if not whole else detect_encoding(start, file=path)
    return "utf-8"


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


def _parse_arrow(
    path: Path, *, encoding: str, delimiter: str, skip_lines: int, width: int,
    types: dict[int, pa.DataType] | None = None, quoted: bool = True,
) -> pa.Table | None:
    """Parse the data rows with pyarrow; None when the rows are irregular.

    Columns in `types` are parsed as that type; when a value does not convert,
    the column is parsed as text instead (the error names the column).
    """
    names = [f"f{i}" for i in range(width)]
    arrow_encoding = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    column_types = {name: pa.string() for name in names}
    for i, kind in (types or {}).items():
        if i < width:
            column_types[names[i]] = kind
    while True:
        try:
            return pacsv.read_csv(
                path,
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
            column_types[name] = pa.string()


def _has_quote(path: Path) -> bool:
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            if b'"' in chunk:
                return True
    return False


def _parse_python(
    text: str, *, delimiter: str, skip_records: int, width: int
) -> tuple[list[list[str | None]], int]:
    """Parse the data rows with :mod:`csv`; rows padded to a common width."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    for i, rec in enumerate(reader):
        if i < skip_records:
            continue
        rows.append(rec)
    full = max([width, *(len(r) for r in rows)]) if rows else width
    out = [[(v if v != "" else None) for v in r] + [None] * (full - len(r)) for r in rows]
    return out, full


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
        Text encoding; detected when omitted (BOM, strict UTF-8, GB18030).
        ``"gbk"`` and ``"gb2312"`` are read as their superset GB18030.
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
        and ``row_numbers`` (file row of each kept row).

    Raises
    ------
    toolkit.errors.ReadError
        When the file does not decode in the detected or given encoding.
    """
    path = Path(path)
    with path.open("rb") as handle:
        start_bytes = handle.read(_HEAD_BYTES)
        whole = len(start_bytes) < _HEAD_BYTES or not handle.read(1)
    record = LoadRecord(file=str(path))
    given = encoding is not None
    if encoding is None:
        enc = _guess_encoding(start_bytes, whole=whole, path=path)
    else:
        try:
            enc = normalise_encoding_name(encoding)
        except LookupError:
            msg = f"Unknown encoding `encoding={encoding!r}`. Try \"utf-8\" or \"gb18030\"."
            raise ReadError(msg) from None
        if enc == "utf-8" and start_bytes.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
    record.encoding = enc
    tried = ("UTF-8", "GB18030/GBK") if not given and enc == "gb18030" else None
    try:
        head = _head_text(start_bytes, enc, whole=whole)
    except UnicodeDecodeError:
        check_decodes(path.read_bytes(), enc, file=path, tried=tried)
        raise  # pragma: no cover - check_decodes raised
    if head and head[0].startswith("\ufeff"):
        head[0] = head[0][1:]

    if delimiter is None:
        default = "\t" if path.suffix.lower() == ".tsv" else ","
        delimiter = sniff_delimiter(head[:200], default=default)
    record.delimiter = delimiter

    reader = csv.reader(io.StringIO("".join(head), newline=""), delimiter=delimiter)
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

    table = None
    if skip_lines is not None:
        try:
            types = plan(_unique_headers(headers)[0], head_records[skip_records:]) \
                if plan is not None else None
            table = _parse_arrow(path, encoding=enc, delimiter=delimiter,
                                 skip_lines=skip_lines, width=width, types=types,
                                 quoted=b'"' in start_bytes or _has_quote(path))
        except UnicodeDecodeError:
            check_decodes(path.read_bytes(), enc, file=path, tried=tried)
            raise  # pragma: no cover
        except _NotUtf8:
            raw = path.read_bytes()
            if given:
                check_decodes(raw, enc, file=path)
            detected = detect_encoding(raw, file=path)  # raises when nothing decodes
            del raw
            return read_csv_raw(path, header_rows=header_rows, encoding=detected,
                                delimiter=delimiter, plan=plan)
    if table is not None:
        columns = {f"c{i}": table.column(i) for i in range(table.num_columns)}
        n = table.num_rows
    else:
        raw = path.read_bytes()
        try:
            text = codecs.decode(raw, enc, "strict")
        except UnicodeDecodeError:
            if not given and enc == "utf-8":
                detected = detect_encoding(raw, file=path)
                return read_csv_raw(path, header_rows=header_rows, encoding=detected,
                                    delimiter=delimiter, plan=plan)
            check_decodes(raw, enc, file=path, tried=tried)
            raise  # pragma: no cover
        del raw
        if text.startswith("\ufeff"):
            text = text[1:]
        rows, full = _parse_python(text, delimiter=delimiter, skip_records=skip_records,
                                   width=width)
        n = len(rows)
        columns = {
            f"c{i}": pa.array([r[i] for r in rows], type=pa.string()) for i in range(full)
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
    drop = _rows_to_set_aside([arrays[i] for i in keep_cols], record, file_rows)

    frame = pa.table({names[i]: arrays[i] for i in keep_cols}) if keep_cols else None
    if drop is not None and drop.any():
        keep_mask = ~drop
        frame = frame.filter(pa.array(keep_mask)) if frame is not None else None
        file_rows = file_rows[keep_mask]
    if frame is not None and frame.num_rows == 0:
        df = pd.DataFrame({c: pd.Series([], dtype="str") for c in frame.column_names})
    elif frame is not None:
        del arrays, columns, table  # let the conversion free each column as it goes
        df = frame.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get,
                             self_destruct=True, split_blocks=True)
    else:
        df = pd.DataFrame(index=range(len(file_rows)))
    record.rows_kept = len(df)
    record.row_numbers = file_rows
    return df, record


def _cell_text(value: object) -> str | None:
    return None if value is None else str(value)


def _rows_to_set_aside(
    arrays: list[pa.ChunkedArray | pa.Array], record: LoadRecord, file_rows: np.ndarray
) -> np.ndarray | None:
    """Mark empty rows (anywhere) and footer rows (at the end); note each in `record`."""
    n = len(file_rows)
    if n == 0 or not arrays:
        return None
    # empty rows: rows whose first cell is empty are checked across the other columns
    first = pc.is_valid(arrays[0])
    if isinstance(first, pa.ChunkedArray):
        first = first.combine_chunks()
    candidates = np.flatnonzero(~np.asarray(first.to_numpy(zero_copy_only=False), dtype=bool))
    drop = np.zeros(n, dtype=bool)
    if len(candidates):
        empty = np.ones(len(candidates), dtype=bool)
        picks = pa.array(candidates)
        for arr in arrays[1:]:
            valid = pc.is_valid(arr.take(picks))
            if isinstance(valid, pa.ChunkedArray):
                valid = valid.combine_chunks()
            empty &= ~np.asarray(valid.to_numpy(zero_copy_only=False), dtype=bool)
        drop[candidates[empty]] = True
    width = len(arrays)
    # footer rows: walk back from the end over empty and footer-like rows
    tail_start = max(n - _TAIL_ROWS, 0)
    tail = [[_cell_text(arr[i].as_py()) for arr in arrays] for i in range(tail_start, n)]
    footer = np.zeros(n, dtype=bool)
    for pos in range(n - 1, tail_start - 1, -1):
        values = [v for v in tail[pos - tail_start] if v is not None and v.strip()]
        if not values:
            continue
        if FOOTER_PATTERN.match(values[0]) and len(values) <= max(3, width // 2):
            footer[pos] = True
            continue
        break
    for pos in np.flatnonzero(drop | footer):
        if footer[pos]:
            values = [v.strip() for v in (_cell_text(arr[int(pos)].as_py()) for arr in arrays)
                      if v is not None and v.strip()]
            text = " ".join(values)
            kind = "total row" if re.match(r"\s*(合计|总计|小计)", values[0]) else "footer row"
            record.set_aside(row=int(file_rows[pos]), reason=f"{kind} ({text})", values=text)
        else:
            record.set_aside(row=int(file_rows[pos]), reason="empty row", values=None)
    return drop | footer
