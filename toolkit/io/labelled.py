"""Raw reading of labelled survey files (SPSS, Stata) and of Parquet files.

Survey firms deliver SPSS ``.sav``/``.zsav`` or Stata ``.dta`` files whose numeric
codes carry value labels (``1 = 非常不满意`` … ``5 = 非常满意``), whose variables
carry labels (``q1 = 对协商结果的满意度``), and whose "don't know/refused" answers
are declared missing codes (SPSS ``98``/``99`` or ranges; Stata ``.a``/``.b``).
:func:`read_labelled` turns labelled codes into pandas Categoricals, declared missing
codes into NA (keeping which code each cell held, in the load record), and keeps the
labels in ``df.attrs["codebook"]``. :func:`read_parquet_raw` reads Parquet with the
same kind of record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ReadError
from toolkit.io.record import LoadRecord

__all__ = ["read_labelled", "read_parquet_raw"]

_SUFFIXES = {".sav": "sav", ".zsav": "sav", ".dta": "dta"}


def read_labelled(path: str | Path) -> tuple[pd.DataFrame, LoadRecord]:
    """Read an SPSS or Stata file with its value labels, variable labels and missing codes.

    Parameters
    ----------
    path : str or pathlib.Path
        An SPSS ``.sav``/``.zsav`` or Stata ``.dta`` file.

    Returns
    -------
    data : pandas.DataFrame
        One row per case, columns named as the file's variables, RangeIndex.
        Labelled variables are Categoricals whose categories are the value labels in
        code order (ordered for Likert-type items, see Notes); declared missing codes
        are NA; whole-number variables are ``int64`` (``Int64`` when some are
        missing), other numbers ``float64``, dates ``datetime64``, text ``str``.
        ``data.attrs["codebook"][column]`` holds ``label`` (variable label),
        ``value_labels`` (code → label, missing codes excluded), ``missing_codes``
        (declared missing code → label or None; Stata codes are written ``".a"``),
        ``measure`` (SPSS measurement level, when set) and ``source`` (``"sav"`` or
        ``"dta"``).
    record : LoadRecord
        ``rows_read`` = ``rows_kept`` = number of cases (none are set aside),
        ``row_numbers`` (case numbers 1, 2, …), ``missing`` (``row, column, code,
        label`` of every cell that held a declared missing code), ``encoding`` and
        ``notes`` (labelled variables kept as numbers, and why).

    Raises
    ------
    FileNotFoundError
        When `path` does not exist.
    toolkit.errors.ReadError
        When the suffix is not ``.sav``, ``.zsav`` or ``.dta``, or the file cannot
        be read.

    Notes
    -----
    A labelled variable becomes a Categorical only when every value present has a
    label; otherwise (e.g. a 1–5 scale labelled at its ends only) it stays numeric
    and the labels stay in the codebook, with a note. A value outside the range
    its labels span (a 6 on an item labelled 1–5) is reported in
    ``record.problems`` (check ``out_of_range``) at its case; when it is the only
    unlabelled value, it is read as missing so that the variable is a Categorical
    like the other items labelled the same way. The Categorical is ordered
    when SPSS declares the variable ordinal, or when its measure is not declared
    nominal and its labelled codes are three or more consecutive integers (1–5,
    0–10): the layout of Likert-type items. Codes with a value label that are not
    declared missing stay categories. :func:`toolkit._values.as_numeric` turns the
    categories back into their codes using the codebook.

    SPSS missing values and ranges come from the file's dictionary; every Stata
    extended missing value (``.a`` … ``.z``) is a declared missing code, while
    system missing (``.``) is plain NA and not listed in ``record.missing``.

    Examples
    --------
    >>> import tempfile, pyreadstat
    >>> from pathlib import Path
    >>> raw = pd.DataFrame({"q1": [1.0, 5.0, 98.0]})
    >>> path = Path(tempfile.mkdtemp()) / "问卷.sav"
    >>> pyreadstat.write_sav(raw, path, column_labels={"q1": "满意度"},
    ...     variable_value_labels={"q1": {1: "很不满意", 2: "不满意", 3: "一般",
    ...                                   4: "满意", 5: "很满意", 98: "不知道"}},
    ...     missing_ranges={"q1": [98]})
    >>> df, rec = read_labelled(path)
    >>> df["q1"].tolist()
    ['很不满意', '很满意', nan]
    >>> df["q1"].cat.ordered, df.attrs["codebook"]["q1"]["missing_codes"]
    (True, {98: '不知道'})
    >>> rec.missing
       row column  code label
    0    3     q1    98   不知道
    """
    file = Path(path)
    if not file.exists():
        msg = f"No such file: {str(path)!r}. Check the path passed as `path`."
        raise FileNotFoundError(msg)
    source = _SUFFIXES.get(file.suffix.lower())
    if source is None:
        msg = (f"{file.name!r} is not an SPSS (.sav, .zsav) or Stata (.dta) file. Use "
               "`tk.io.read_table` for other formats.")
        raise ReadError(msg)
    raw, meta, encoding = _read_pyreadstat(file, source)
    record = LoadRecord(file=str(path), rows_read=len(raw), rows_kept=len(raw),
                        header_rows=0, first_data_row=1,
                        row_numbers=list(range(1, len(raw) + 1)), encoding=encoding)
    if encoding and encoding.upper() == "GB18030":
        record.notes.append("text decoded as GB18030 (the file declares no usable encoding)")
    labels = dict(zip(meta.column_names, meta.column_labels or [], strict=False))
    value_labels = meta.variable_value_labels or {}
    measures = getattr(meta, "variable_measure", None) or {}
    types = getattr(meta, "readstat_variable_types", None) or {}
    missing_cells: list[pd.DataFrame] = []
    columns: dict[str, pd.Series] = {}
    codebook: dict[str, dict[str, Any]] = {}
    for name in raw.columns:
        values = raw[name]
        all_labels = {_code(k, source): v for k, v in value_labels.get(name, {}).items()}
        ranges = (meta.missing_ranges or {}).get(name, []) if source == "sav" else []
        if source == "sav":
            values, found = _sav_missing(values, ranges)
            declared = {_code(r["lo"], source) for r in ranges if r["lo"] == r["hi"]}
            declared |= {c for c in all_labels if _in_ranges(c, ranges)}
        else:
            values, found = _dta_missing(values, types.get(name))
            declared = {c for c in all_labels if _is_stata_missing(c)}
        declared |= set(found.tolist())
        missing_codes = {c: all_labels.get(c) for c in sorted(declared, key=_sort_key)}
        vl = {c: lab for c, lab in all_labels.items() if c not in missing_codes}
        if len(found):
            missing_cells.append(pd.DataFrame({
                "row": found.index.to_numpy() + 1,
                "column": name,
                "code": found.to_numpy(dtype=object),
                "label": [all_labels.get(c) for c in found.tolist()],
            }))
        measure = measures.get(name)
        measure = None if measure in (None, "unknown") else measure
        values = _labelled(values, vl, measure, name, record) if vl else _tidy(values)
        columns[name] = values
        entry: dict[str, Any] = {"label": labels.get(name) or None, "value_labels": vl,
                                 "missing_codes": missing_codes, "source": source}
        if measure:
            entry["measure"] = measure
        codebook[name] = entry
    data = pd.DataFrame(columns, index=pd.RangeIndex(len(raw)))
    data.attrs["codebook"] = codebook
    if missing_cells:
        cells = pd.concat(missing_cells, ignore_index=True)
        record.add_missing(cells)
    return data, record


def _read_pyreadstat(file: Path, source: str) -> tuple[pd.DataFrame, Any, str | None]:
    import pyreadstat

    reader = pyreadstat.read_sav if source == "sav" else pyreadstat.read_dta
    options = {"user_missing": True, "dates_as_pandas_datetime": True}
    errors = (pyreadstat.ReadstatError, pyreadstat.PyreadstatError)
    try:
        raw, meta = reader(str(file), **options)
    except errors as exc:
        # Old Chinese files often store GBK text without saying so.
        try:
            raw, meta = reader(str(file), encoding="GB18030", **options)
        except errors:
            kind = "an SPSS" if source == "sav" else "a Stata"
            msg = (f"Cannot read {file.name!r} as {kind} file ({exc}). Check that the file "
                   "is complete and was saved by SPSS/Stata (or re-save it there).")
            raise ReadError(msg) from exc
        return raw, meta, "GB18030"
    return raw, meta, getattr(meta, "file_encoding", None)


def _code(value: object, source: str = "sav") -> object:
    """A code as the codebook shows it: 98.0 → 98, Stata ``a`` → ``".a"``."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    if source == "dta" and isinstance(value, str) and len(value) == 1 and value.isalpha():
        return "." + value
    return value


def _is_stata_missing(code: object) -> bool:
    return isinstance(code, str) and len(code) == 2 and code[0] == "." and code[1].isalpha()


def _sort_key(code: object) -> tuple[int, Any]:
    return (0, code) if isinstance(code, int | float) else (1, str(code))


def _in_ranges(code: object, ranges: list[dict]) -> bool:
    for r in ranges:
        lo, hi = r["lo"], r["hi"]
        if isinstance(lo, str) or isinstance(code, str):
            if code == lo:
                return True
        elif lo <= code <= hi:
            return True
    return False


def _sav_missing(values: pd.Series, ranges: list[dict]) -> tuple[pd.Series, pd.Series]:
    """Set SPSS user-missing values to NA; return them with the codes found."""
    if not ranges:
        return values, pd.Series([], dtype=object)
    if pd.api.types.is_numeric_dtype(values.dtype):
        arr = values.to_numpy(dtype="float64")
        mask = np.zeros(len(arr), dtype=bool)
        for r in ranges:
            mask |= (arr >= float(r["lo"])) & (arr <= float(r["hi"]))
    else:
        wanted = {r["lo"] for r in ranges}
        mask = values.isin(wanted).to_numpy()
    found = _codes_of(values[mask])
    return values.mask(mask), found


def _codes_of(values: pd.Series) -> pd.Series:
    """Codes as the codebook shows them (whole numbers as int), same index."""
    if pd.api.types.is_float_dtype(values.dtype):
        arr = values.to_numpy()
        if np.all(arr == np.round(arr)):
            return pd.Series(arr.astype("int64").tolist(), index=values.index, dtype=object)
    return values.map(_code).astype(object)


def _dta_missing(values: pd.Series, kind: str | None) -> tuple[pd.Series, pd.Series]:
    """Stata extended missing (.a–.z) come as letters with ``user_missing=True``."""
    if kind == "string" or values.dtype != object:
        return values, pd.Series([], dtype=object)
    is_code = values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if not is_code.any():
        return pd.to_numeric(values), pd.Series([], dtype=object)
    found = values[is_code].map(lambda v: "." + v).astype(object)
    return pd.to_numeric(values.mask(is_code)), found


def _labelled(
    values: pd.Series, labels: dict, measure: str | None, name: str, record: LoadRecord
) -> pd.Series:
    """Codes → Categorical of labels (code order), unless some value has no label."""
    is_text = not pd.api.types.is_numeric_dtype(values.dtype)
    if is_text:  # an SPSS blank string is no answer, not a code
        blank = values.notna() & (values.astype(object) == "")
        if blank.any():
            record.coerce(column=name, what="blank text → missing", before="", after=None,
                          count=int(blank.sum()))
            values = values.mask(blank)
    present = {_code(v) for v in pd.unique(values.dropna())}
    unlabelled = sorted(present - set(labels), key=_sort_key)
    texts = [str(v) for v in labels.values()]
    outside = _outside_labels(unlabelled, labels)
    if outside:
        to_missing = len(outside) == len(unlabelled) and len(set(texts)) == len(texts)
        values = _report_outside(values, outside, labels, name, record, to_missing=to_missing)
        if to_missing:
            unlabelled = []
    if unlabelled or len(set(texts)) < len(texts):
        shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in unlabelled[:5])
        why = (f"value(s) {shown} have no value label"
               if unlabelled else "two codes share one label")
        record.notes.append(f"{name}: {why}; kept as codes (labels in the codebook)")
        return _tidy(values)
    codes = sorted(labels, key=_sort_key)
    numeric = all(isinstance(c, int) for c in codes)
    consecutive = numeric and len(codes) >= 3 and codes == list(range(codes[0], codes[-1] + 1))
    ordered = measure == "ordinal" or (measure != "nominal" and consecutive)
    position = {c: i for i, c in enumerate(codes)}
    if numeric:
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        keys = np.array(codes, dtype="float64")
        pos = np.searchsorted(keys, arr).clip(0, len(keys) - 1)
        pos = np.where(keys[pos] == arr, pos, -1)
    else:
        pos = values.map(position).fillna(-1).to_numpy(dtype="int64")
    cats = pd.Categorical.from_codes(pos, categories=[str(labels[c]) for c in codes],
                                     ordered=ordered)
    return pd.Series(cats, index=values.index, name=name)


def _outside_labels(unlabelled: list, labels: dict) -> list:
    """Unlabelled numeric codes outside the range the value labels span (6 on a 1–5 item)."""
    codes = [c for c in labels if isinstance(c, int | float) and not isinstance(c, bool)]
    if len(codes) < 2:
        return []
    low, high = min(codes), max(codes)
    return [v for v in unlabelled if isinstance(v, int | float) and not isinstance(v, bool)
            and not low <= v <= high]


def _report_outside(
    values: pd.Series, outside: list, labels: dict, name: str, record: LoadRecord, *,
    to_missing: bool,
) -> pd.Series:
    """Report every cell outside the labelled range; set them missing when `to_missing`.

    They are set missing only when every other value has a label, so that the
    variable becomes a Categorical like the items labelled as it is; the code
    each cell held stays in the problems.
    """
    codes = sorted(c for c in labels if isinstance(c, int | float))
    low, high = codes[0], codes[-1]
    ends = f"{low} = {labels[low]} … {high} = {labels[high]}"
    mask = values.isin(outside).to_numpy()
    fate = "read as missing" if to_missing else "kept as a code"
    for pos in np.flatnonzero(mask):
        code = _code(values.iloc[pos])
        record.problem(
            row=int(pos) + 1, column=name, value=str(code), check="out_of_range",
            severity="error",
            problem=(f"Value {code} is outside the labelled range {low}–{high} of `{name}` "
                     f"({ends}) and has no value label; {fate}."),
            fix=(f"Correct the value in the source file, or declare {code} as a missing "
                 "code or give it a value label in SPSS/Stata, and read the file again."),
            problem_zh=(f"取值 {code} 超出 `{name}` 的值标签范围 {low}–{high}（{ends}），"
                        f"且没有值标签；{'按缺失读取' if to_missing else '按代码保留'}。"),
            fix_zh=(f"在原文件中改正该值，或在 SPSS/Stata 中将 {code} 声明为缺失值或为其"
                    "加上值标签，然后重新读取。"),
        )
    if not to_missing:
        return values
    record.coerce(column=name, what="value outside the labelled range → missing",
                  before=_code(values[mask].iloc[0]), after=None, count=int(mask.sum()))
    return values.mask(mask)


def _tidy(values: pd.Series) -> pd.Series:
    """Whole-number floats as integers (``Int64`` when some are missing)."""
    if values.dtype.kind != "f":
        return values
    arr = values.to_numpy()
    finite = arr[~np.isnan(arr)]
    if finite.size and np.all(np.abs(finite) < 2**53) and np.all(finite == np.round(finite)):
        return values.astype("Int64" if finite.size < arr.size else "int64")
    return values


def read_parquet_raw(path: str | Path) -> tuple[pd.DataFrame, LoadRecord]:
    """Read a Parquet file, keeping the codebook it carries.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.parquet`` file.

    Returns
    -------
    data : pandas.DataFrame
        The table with a RangeIndex (a stored index is turned back into columns,
        noted); ``attrs["codebook"]`` restored when pandas stored it with the file.
    record : LoadRecord
        ``rows_read`` = ``rows_kept``, ``row_numbers`` (1, 2, …), ``notes``.

    Raises
    ------
    FileNotFoundError
        When `path` does not exist.
    toolkit.errors.ReadError
        When the file is not a readable Parquet file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "台账.parquet"
    >>> pd.DataFrame({"session_id": ["S1", "S2"], "round": [1, 2]}).to_parquet(path)
    >>> df, rec = read_parquet_raw(path)
    >>> df.shape, rec.rows_kept, rec.row_numbers
    ((2, 2), 2, [1, 2])
    """
    file = Path(path)
    if not file.exists():
        msg = f"No such file: {str(path)!r}. Check the path passed as `path`."
        raise FileNotFoundError(msg)
    import pyarrow as pa

    try:
        data = pd.read_parquet(file, engine="pyarrow")
    except (pa.ArrowException, OSError) as exc:
        msg = f"Cannot read {file.name!r} as a Parquet file ({exc})."
        raise ReadError(msg) from exc
    record = LoadRecord(file=str(path), rows_read=len(data), rows_kept=len(data),
                        header_rows=0, first_data_row=1,
                        row_numbers=list(range(1, len(data) + 1)))
    attrs = {k: v for k, v in data.attrs.items() if k == "codebook"}
    if not isinstance(data.index, pd.RangeIndex) or data.index.name is not None:
        names = [n for n in data.index.names if n is not None]
        record.notes.append(
            f"stored index turned into column(s): {', '.join(map(str, names))}" if names
            else "stored index dropped (it had no name)"
        )
        data = data.reset_index(drop=not names)
    elif not data.index.equals(pd.RangeIndex(len(data))):
        data = data.reset_index(drop=True)
    data.attrs = attrs
    return data, record
