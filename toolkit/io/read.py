"""Reading one table from an office file: :func:`read_table`."""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit import schema
from toolkit._checks import check_choice, close_matches, require_columns
from toolkit.errors import ArgumentError, ReadError, ToolkitWarning
from toolkit.io.files import require_regular_file
from toolkit.io.kinds import check_kind
from toolkit.io.normalise import normalise_frame
from toolkit.io.record import LoadRecord

__all__ = ["SUFFIXES", "read_table"]

#: File suffixes :func:`read_table` reads, by reader.
SUFFIXES = {
    "text": (".csv", ".txt", ".tsv"),
    "excel": (".xlsx", ".xlsm", ".xls"),
    "labelled": (".sav", ".zsav", ".dta"),
    "parquet": (".parquet",),
}


def read_table(
    path: str | Path,
    *,
    kind: str | None = None,
    sheet: str | int | None = None,
    header_rows: int | None = None,
    mapping: Mapping[str, str] | None = None,
    missing_codes: object = None,
    encoding: str | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    r"""Read one table from a CSV, Excel, SPSS, Stata or Parquet file.

    The reader is chosen by the file's suffix. Title rows above the header,
    footer rows (``填表人``, ``审核人`` …) and empty rows are kept out of the
    data and noted. With `kind`, headers are mapped to canonical column names
    and values are normalised to the canonical types (dates, yes/no, numbers,
    vocabulary terms), every change being recorded.

    Parameters
    ----------
    path : str or Path
        The file: ``.csv``/``.tsv``/``.txt`` (UTF-8, UTF-8 with BOM, GBK,
        GB18030 or UTF-16), ``.xlsx``/``.xlsm``/``.xls``, ``.sav``/``.zsav``
        (SPSS), ``.dta`` (Stata) or ``.parquet``.
    kind : {"units", "participants", "sessions", "attendance", "submissions", "survey"}, optional
        Canonical table the file holds. Without it, headers are kept as they
        are and only text files get their clean numbers typed.
    sheet : str or int, optional
        Excel sheet (name or 0-based position); the first sheet by default.
    header_rows : {1, 2}, optional
        Rows the header occupies; detected when omitted. Two-row headers are
        flattened as ``上级_下级`` (e.g. ``协商情况_协商平台``).
    mapping : dict, optional
        Header → column name, winning over the built-in aliases (e.g.
        ``{"村名": "name"}``). Every header named must be in the file.
    missing_codes : list or dict, optional
        Declared missing codes: ``[98, 99]``, ``{98: "不知道", 99: "拒答"}``,
        text codes (``["不清楚"]``), or ``{column: codes}``. Cells holding them
        become missing; which code each held is kept in
        ``tk.io.load_record(df).missing``.
    encoding : str, optional
        Encoding of a text file; detected when omitted (see Notes).
    source : {"wjx", "tencent"}, optional
        The survey platform that exported the file: 问卷星 (``"wjx"``) or
        腾讯问卷 (``"tencent"``). The file is then read by
        :func:`toolkit.io.read_survey_export` (metadata columns, numbered
        question headers, multiple choice and matrix questions, skip codes),
        with `sheet`, `encoding` and `missing_codes` passed on; `kind` may be
        only ``"survey"`` and `header_rows` and `mapping` do not apply. By
        default (``None``) the file is read as an ordinary table.

    Returns
    -------
    pandas.DataFrame
        One row per data row of the file (RangeIndex). With `kind`, canonical
        column names (see :mod:`toolkit.schema`): ids as text, dates as
        ``datetime64[ns]``, yes/no as ``boolean``, whole numbers as ``Int64``,
        vocabulary columns as Categoricals of the Chinese terms; columns the
        table does not know (survey items ``q1`` …) keep their header and become
        numbers when every value is a number. ``df.attrs["load_record"]`` holds
        the :class:`~toolkit.io.record.LoadRecord` (rows read, kept, set aside
        with reasons, every change, problems, missing-code cells);
        ``df.attrs["codebook"]`` holds per-column metadata (``label``,
        ``value_labels``, ``missing_codes``, ``personal``, ``source``).

    Raises
    ------
    FileNotFoundError
        When `path` does not exist (close file names are suggested).
    toolkit.errors.ReadError
        For an unsupported suffix, a text file that does not decode in any
        encoding tried (the message gives the byte offset), or a parameter that
        does not apply to the format.
    toolkit.errors.ArgumentError
        For a `source` other than ``"wjx"`` or ``"tencent"``, or with a `kind`,
        `header_rows` or `mapping` that does not apply to a platform export.
    toolkit.errors.ColumnNotFoundError
        When `mapping` names a header the file does not have.
    toolkit.io.kinds.UnknownKindError
        For an unknown `kind` (a KeyError and a ValueError).

    Warns
    -----
    toolkit.errors.ToolkitWarning
        Once per read, when declared missing codes were turned into missing
        values (a legal but lossy step); the warning points to the load record.

    See Also
    --------
    toolkit.io.load_record : the record of the read.
    toolkit.io.validation.validate : every problem of a table at once.

    Notes
    -----
    Text files are decoded strictly: a byte-order mark decides; otherwise UTF-8
    is tried, then GB18030 (a superset of GBK and GB2312). Nothing is ever
    decoded with replacement characters. The delimiter (comma, tab, semicolon,
    ``|``) is sniffed from the first lines.

    Row numbers in the record and in problems are those the spreadsheet (or a
    text editor, for CSV) shows: the header is row 1 unless title rows sit
    above it.

    For speed, a CSV read with `kind` parses a number column straight into
    numbers when its first 1,000 values are plain numbers (no leading zeros),
    and vocabulary, yes/no and date columns as distinct values that are
    normalised once each. When a later value does not fit, the column is read
    as text and normalised value by value, so the result is the same.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "活动台账.csv"
    >>> text = ("活动编号,日期,协商平台,是否达成共识,协商轮次\n"
    ...         "S001,2023年11月8日,居民议事会 ,是,１\n"
    ...         "S002,2023.11.20,微信群,否,2\n"
    ...         "填表人：张三,,,,\n")
    >>> _ = path.write_bytes(text.encode("gb18030"))
    >>> df = tk.read_table(path, kind="sessions")
    >>> df
      session_id       date platform  consensus  round
    0       S001 2023-11-08    居民议事会       True      1
    1       S002 2023-11-20      微信群      False      2
    >>> rec = tk.io.load_record(df)
    >>> str(rec.summary())
    '...活动台账.csv: 3 rows read, 2 kept, 1 set aside; 6 value(s) changed in 4 column(s).'
    >>> rec.coercions[["column", "what", "before", "after"]].head(2)
      column                what        before       after
    0   date  Chinese date → date  2023年11月8日  2023-11-08
    1   date   dotted date → date    2023.11.20  2023-11-20
    """
    if source is not None:
        return _read_platform_export(path, source=source, kind=kind, sheet=sheet,
                                     header_rows=header_rows, mapping=mapping,
                                     missing_codes=missing_codes, encoding=encoding)
    path = Path(path)
    if not path.exists():
        raise _not_found(path)
    require_regular_file(path)
    if kind is not None:
        check_kind(kind)
    suffix = path.suffix.lower()
    if suffix not in sum(SUFFIXES.values(), ()):
        known = ", ".join(sum(SUFFIXES.values(), ()))
        msg = (f"Cannot read `{path.name}`: files ending in `{suffix or '(none)'}` are not "
               f"supported. Supported: {known}. Save the file as .xlsx or .csv.")
        raise ReadError(msg)

    plan = _csv_plan(kind, mapping) if kind is not None else None
    df, record = _read_raw(path, suffix=suffix, sheet=sheet, header_rows=header_rows,
                           encoding=encoding, plan=plan)
    record.file = record.file or str(path)
    codebook: dict[str, dict[str, Any]] = {
        str(k): dict(v) for k, v in (df.attrs.get("codebook") or {}).items()
    }
    rows = (np.asarray(record.row_numbers, dtype=np.int64) if len(record.row_numbers)
            else np.arange(len(df), dtype=np.int64) + record.first_data_row)
    n_missing_before = record.n_missing

    if kind is not None:
        record.table = kind
        df, headers = _map_headers(df, record, kind=kind, mapping=mapping)
        if encoding is None and suffix in SUFFIXES["text"]:
            _refuse_unmapped_implausible(headers, record, kind=kind, path=path)
        codebook = {headers.get(k, k): v for k, v in codebook.items()}
        original = {new: old for old, new in headers.items()}
        df, extra = normalise_frame(df, table=kind, record=record, rows=rows,
                                    missing_codes=missing_codes, headers=original)
        spec = schema.TABLES[kind]
        for name in df.columns:
            entry = codebook.setdefault(name, {})
            if not entry.get("label"):
                entry["label"] = original.get(name, name)
            entry.setdefault("source", str(path))
            if name in extra:
                entry["missing_codes"] = {**(entry.get("missing_codes") or {}),
                                          **extra[name]["missing_codes"]}
            column = spec.get(name)
            if column is not None and column.personal:
                entry["personal"] = column.personal
    else:
        if mapping:
            df, _ = _map_headers(df, record, kind=None, mapping=mapping)
        if missing_codes is not None:
            df, extra = normalise_frame(df, table=None, record=record, rows=rows,
                                        missing_codes=missing_codes)
            for name, entry in extra.items():
                book = codebook.setdefault(name, {})
                book["missing_codes"] = {**(book.get("missing_codes") or {}),
                                         **entry["missing_codes"]}
        elif suffix in SUFFIXES["text"]:
            df = _type_clean_numbers(df)
        for name in df.columns:
            codebook.setdefault(name, {}).setdefault("label", name)
            codebook[name].setdefault("source", str(path))

    df = df.reset_index(drop=True)
    record.rows_kept = len(df)
    df.attrs["load_record"] = record
    df.attrs["codebook"] = codebook
    n_missing = record.n_missing - n_missing_before
    if n_missing:
        msg = (f"{n_missing} cell(s) of `{path.name}` held declared missing codes and are "
               "now missing values; `tk.io.load_record(df).missing` lists the code each held.")
        warnings.warn(msg, ToolkitWarning, stacklevel=2)
    return df


def _refuse_unmapped_implausible(
    headers: Mapping[str, str], record: LoadRecord, *, kind: str, path: Path
) -> None:
    """A detected legacy encoding whose headers map to nothing and read oddly is refused.

    Garbled headers (a Big5 or Shift-JIS file read as GB18030) match no header
    alias; together with characters that are implausible in a simplified-Chinese
    header, that is evidence enough that the encoding guess was wrong.
    """
    from toolkit.io.encoding import implausible

    if record.encoding in (None, "utf-8", "utf-8-sig", "utf-16"):
        return
    names = set(schema.TABLES[kind].column_names)
    if any(new in names for new in headers.values()):
        return
    why = implausible(" ".join(headers))
    if why is None:
        return
    msg = (f"Cannot tell the encoding of `{path}`: read as {record.encoding}, none of its "
           f"headers names a column of the {kind} table and {why}. Pass the encoding the "
           "file was saved in, e.g. `encoding=\"big5\"`, or save it again as \"CSV UTF-8\".")
    raise ReadError(msg)


def _read_platform_export(
    path: str | Path, *, source: str, kind: str | None, sheet: str | int | None,
    header_rows: int | None, mapping: Mapping[str, str] | None, missing_codes: object,
    encoding: str | None,
) -> pd.DataFrame:
    """``read_table(..., source=...)``: the platform reader, after checking what applies."""
    from toolkit.io.platforms import PLATFORMS, read_survey_export

    check_choice(source, PLATFORMS, param="source")
    if kind is not None and kind != "survey":
        msg = (f"`source={source!r}` reads a survey-platform export, which is a survey "
               f"table: pass `kind=\"survey\"` or leave `kind` out, not `kind={kind!r}`.")
        raise ArgumentError(msg)
    given = [name for name, value in (("header_rows", header_rows), ("mapping", mapping))
             if value is not None]
    if given:
        msg = (f"{' and '.join(f'`{g}`' for g in given)} do not apply to a survey-platform "
               f"export (`source={source!r}`): the platform's headers are recognised as "
               "they are. Leave them out, or leave `source` out to read the file as an "
               "ordinary table.")
        raise ArgumentError(msg)
    return read_survey_export(path, source=source, sheet=sheet, encoding=encoding,
                              missing_codes=missing_codes)


def _not_found(path: Path) -> FileNotFoundError:
    hint = ""
    folder = path.parent if str(path.parent) else Path()
    if folder.is_dir():
        names = [p.name for p in folder.iterdir()]
        close = close_matches(path.name, names, n=3)
        if close:
            hint = " Did you mean " + ", ".join(f"`{c}`" for c in close) + "?"
    msg = f"No file `{path}`.{hint} Check the folder and the name (suffix included)."
    return FileNotFoundError(msg)


def _read_raw(
    path: Path, *, suffix: str, sheet: str | int | None, header_rows: int | None,
    encoding: str | None, plan: Any = None,
) -> tuple[pd.DataFrame, LoadRecord]:
    if suffix not in SUFFIXES["text"] and encoding is not None:
        msg = (f"`encoding` applies to text files (.csv, .tsv, .txt), not to `{path.name}`; "
               "leave it out.")
        raise ReadError(msg)
    if suffix not in SUFFIXES["excel"] and sheet is not None:
        msg = f"`sheet` applies to Excel files, not to `{path.name}`; leave it out."
        raise ReadError(msg)
    if suffix in SUFFIXES["text"]:
        from toolkit.io.delimited import read_csv_raw

        return read_csv_raw(path, header_rows=header_rows, encoding=encoding, plan=plan)
    if header_rows is not None and suffix not in SUFFIXES["excel"]:
        msg = f"`header_rows` applies to CSV and Excel files, not to `{path.name}`."
        raise ReadError(msg)
    try:
        if suffix in SUFFIXES["excel"]:
            from toolkit.io.excel import read_excel_raw

            return read_excel_raw(path, sheet=sheet, header_rows=header_rows)
        from toolkit.io import labelled

        if suffix in SUFFIXES["parquet"]:
            return labelled.read_parquet_raw(path)
        return labelled.read_labelled(path)
    except ImportError as err:  # pragma: no cover - readers ship with the package
        msg = f"Reading `{path.suffix}` files is not available in this installation: {err}"
        raise ReadError(msg) from err


_INT_TEXT = re.compile(r"-?(0|[1-9]\d{0,17})")
_FLOAT_TEXT = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def _csv_plan(kind: str, mapping: Mapping[str, str] | None):
    """How to parse each CSV column, from its header and the first rows.

    Vocabulary, yes/no and date columns are parsed as dictionary-encoded text
    (normalised once per distinct value); numbers whose sampled values are all
    plain numbers (no leading zeros, blanks allowed) straight into int64 or
    float64; everything else as text. A column that then fails to convert is
    read as text after all, so no value is lost to the plan.
    """
    from toolkit.io.normalise import _kind_of

    spec = schema.TABLES[kind]

    def plan(headers: list[str], sample: list[list[str]]) -> dict[int, pa.DataType]:
        types: dict[int, pa.DataType] = {}
        for i, header in enumerate(headers):
            name = schema.canonical_column(header, table=kind, mapping=mapping)
            column = spec.get(name) if name else None
            how = _kind_of(column)
            if how in ("category", "ordered", "bool", "date"):
                types[i] = pa.dictionary(pa.int32(), pa.string())
                continue
            if how in ("id", "text"):
                values = [r[i] for r in sample if i < len(r)]
                if len(values) >= 20 and len(set(values)) <= len(values) // 4:
                    types[i] = pa.dictionary(pa.int32(), pa.string())  # few distinct
                continue
            # (a declared text code such as 不知道 fails the conversion, so the
            # column is then read as text and the code matched there)
            values = {r[i] for r in sample if i < len(r) and r[i] != ""}
            if not values:
                continue
            if how != "float" and all(_INT_TEXT.fullmatch(v) for v in values):
                types[i] = _int_type(values)
            elif how != "int" and all(_FLOAT_TEXT.fullmatch(v) for v in values):
                types[i] = pa.float64()
        return types

    return plan


def _int_type(sample: set[str]) -> pa.DataType:
    """The integer type to parse a column as, from its sampled whole numbers.

    Small non-negative numbers (Likert codes, counts, ages) are parsed narrow,
    which cuts the memory the parser writes to a quarter or a half; the parser widens the column to
    ``int64`` when a later value does not fit or is negative, and the reader
    makes every integer column 64-bit, so the result is the same.
    """
    if any(v.startswith("-") for v in sample):
        return pa.int64()
    digits = max(len(v) for v in sample)
    return pa.int16() if digits <= 4 else pa.int32() if digits <= 9 else pa.int64()


def clean_header_text(header: object) -> str:
    r"""A header as a column name: NFKC, line breaks and stray spaces removed.

    Examples
    --------
    >>> clean_header_text(" 是否\n达成共识 ")
    '是否达成共识'
    >>> clean_header_text("Ｑ１  满意度")
    'Q1 满意度'
    """
    text = unicodedata.normalize("NFKC", str(header))
    text = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])",
                  "", text)
    return re.sub(r"\s+", " ", text).strip()


def check_mapping_headers(mapping: Mapping[str, str], headers: list[str], *, where: str) -> None:
    """Raise ColumnNotFoundError naming every header of `mapping` the file does not have.

    Headers match as :func:`toolkit.schema.clean_header` folds them (spaces,
    full-width forms and ``（必填）`` notes do not count).

    Examples
    --------
    >>> check_mapping_headers({"名称 ": "name"}, ["编号", "名称"], where="`u.csv`")
    >>> try:
    ...     check_mapping_headers({"名字": "name"}, ["编号", "名称"], where="`u.csv`")
    ... except KeyError as err:
    ...     print(err)
    Could not find column in `u.csv`: `名字` (given as `mapping`; did you mean `名称`?). \
Columns available: `编号`, `名称`.
    """
    folded = {schema.clean_header(h) for h in headers}
    absent = [k for k in mapping if k not in headers and schema.clean_header(k) not in folded]
    require_columns(pd.DataFrame(columns=headers), {"mapping": absent}, where=where, cutoff=0.5)


def _map_headers(
    df: pd.DataFrame, record: LoadRecord, *, kind: str | None,
    mapping: Mapping[str, str] | None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename columns to canonical names; returns the frame and header → name."""
    headers = [str(c) for c in df.columns]
    mapping = dict(mapping or {})
    check_mapping_headers(mapping, headers, where=f"the headers of `{record.file}`")
    user_keys = {schema.clean_header(k) for k in mapping}
    proposed: dict[str, str | None] = {}
    for h in headers:
        if kind is None:
            hit = mapping.get(h) or next(
                (v for k, v in mapping.items() if schema.clean_header(k) ==
                 schema.clean_header(h)), None)
        else:
            hit = schema.canonical_column(h, table=kind, mapping=mapping)
        proposed[h] = hit
    by_target: dict[str, list[str]] = {}
    for h, target in proposed.items():
        if target is not None:
            by_target.setdefault(target, []).append(h)
    header_row = max(record.first_data_row - 1, 1)
    for target, sources in by_target.items():
        if len(sources) < 2:
            continue
        chosen = [h for h in sources if schema.clean_header(h) in user_keys]
        if len(chosen) == 1:
            for h in sources:
                if h != chosen[0]:
                    proposed[h] = None
            record.notes.append(
                f"headers {', '.join(sources)} all mean `{target}`; `mapping` chose "
                f"`{chosen[0]}`")
            continue
        for h in sources:
            proposed[h] = None
        others = "、".join(sources)
        record.problem(
            row=header_row, column=target, value=" | ".join(sources),
            check="ambiguous_column", severity="error",
            problem=(f"Headers {', '.join(f'`{s}`' for s in sources)} all mean `{target}`; "
                     "none was used for it, and each column was kept under its own header."),
            fix=(f"Rename or delete the extra column(s) in the file, or pass "
                 f"`mapping={{{sources[0]!r}: {target!r}}}` to choose one."),
            problem_zh=f"表头 {others} 都对应“{target}”，均未采用，各列按原表头保留。",
            fix_zh=(f"在文件中改名或删去多余的列，或用 `mapping={{{sources[0]!r}: "
                    f"{target!r}}}` 指定其中一列。"),
        )
    final: dict[str, str] = {}
    used: set[str] = set()
    for h in headers:
        name = proposed[h] or clean_header_text(h) or h
        if name in used:
            k = 2
            while f"{name}_{k}" in used:
                k += 1
            name = f"{name}_{k}"
        used.add(name)
        final[h] = name
    record.header_map = dict(final)
    out = df.copy(deep=False)
    out.columns = [final[h] for h in headers]
    return out, final


def _type_clean_numbers(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns whose every value is a plain number become numbers (as pandas does).

    Values are not rewritten: a column with any non-number, or a leading zero
    (``001``), stays text.
    """
    out = {}
    for name in df.columns:
        values = df[name]
        out[name] = values
        if not (isinstance(values.dtype, pd.StringDtype) or values.dtype == "str"):
            continue
        arr = pa.array(values)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if arr.null_count == len(arr):
            continue
        zeros = pc.and_(pc.starts_with(arr, "0"), pc.greater(pc.utf8_length(arr), 1))
        if pc.any(pc.and_(zeros, pc.invert(pc.starts_with(arr, "0.")))).as_py():
            continue
        for target in (pa.int64(), pa.float64()):
            try:
                cast = pc.cast(arr, target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
            if target == pa.int64():
                data = pc.fill_null(cast, 0).to_numpy(zero_copy_only=False)
                mask = pc.is_null(cast).to_numpy(zero_copy_only=False)
                out[name] = pd.Series(pd.arrays.IntegerArray(data, mask.copy()),
                                      index=values.index)
            else:
                out[name] = pd.Series(cast.to_numpy(zero_copy_only=False), index=values.index)
            break
    return pd.DataFrame(out, index=df.index)
