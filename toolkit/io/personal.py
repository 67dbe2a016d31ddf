"""Personal data: find it, replace it with keyed pseudonyms, mask it for display.

Files from district offices carry names (姓名, 负责人, 户主, 联系人 …), mainland
ID-card numbers (公民身份号码), mobile numbers and e-mail addresses, in their own
columns and inside free text (备注, 意见内容, the body of a submission, the minutes
of a session). None of them may reach a published table, a figure, an export or a
printed message. This module is the one owner of finding them:

- :func:`find_personal` lists the columns that hold them, by header, by the
  schema and codebook, and by the values themselves (ID-card numbers with a
  valid GB 11643 check character, mobile numbers ``1[3-9]xxxxxxxxx``), and the
  free-text columns with personal values inside their texts;
- :class:`TextScanner` finds the values inside a text; :func:`personal_spans`
  says where they are and :func:`mask_text` replaces them — the one function
  every message, table and text analysis that shows a text calls;
- :func:`pseudonymise` replaces them with keyed hashes (HMAC-SHA256), so that
  tables pseudonymised with the same key still join on the token;
- :func:`mask` shows a value with most of it hidden (``张*``, ``138****5678``).

Examples
--------
>>> df = pd.DataFrame({"姓名": ["张伟", "李娜"],
...                    "电话": ["138 0013 8000", "+86 139-0013-9000"],
...                    "得分": [3, 4]})
>>> tk.io.find_personal(df)[["column", "kind", "n_values", "share_matching"]]
  column   kind  n_values  share_matching
0     姓名   name         2             1.0
1     电话  phone         2             1.0
>>> tk.io.pseudonymise(df, key="课题组的密钥")["电话"].str.len().tolist()
[18, 18]
>>> tk.io.mask("13800138000", "phone")
'138****8000'
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit import schema
from toolkit._checks import check_choice, is_study, refuse_large, require_columns
from toolkit.errors import ArgumentError, ArgumentTypeError
from toolkit.io.kinds import check_kind

__all__ = [
    "FREE_TEXT_LENGTH",
    "PERSONAL_COLUMNS",
    "PLACEHOLDERS",
    "SPAN_COLUMNS",
    "TextScanner",
    "find_personal",
    "free_text_columns",
    "is_id_card",
    "looks_personal",
    "mask",
    "mask_text",
    "personal_spans",
    "personal_values",
    "pseudonymise",
    "schema_personal_columns",
]

Kind = Literal["name", "id_card", "phone", "email"]

#: Columns of :func:`find_personal`'s result.
PERSONAL_COLUMNS = ["table", "column", "kind", "found_by", "n_values", "n_matching",
                    "share_matching", "reason"]

#: Share of a column's values that must match a pattern for the column to count.
MIN_SHARE = 0.5

#: Header words that mark a column as personal, by kind (besides the schema's own
#: spellings of its personal columns).
_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "名称姓名", "真实姓名", "受访者姓名", "参与者姓名", "委员姓名",
             "联系人", "联系人姓名", "填表人", "填报人", "户主", "户主姓名", "负责人", "经办人",
             "申请人", "签名", "签字", "法定代表人", "法人代表", "监护人", "紧急联系人",
             "full name", "person name", "respondent name", "contact person", "contact name"),
    "id_card": ("身份证号", "身份证号码", "身份证", "公民身份号码", "证件号", "证件号码",
                "身份证件号码", "id card", "id number"),
    "phone": ("手机号", "手机号码", "手机", "联系电话", "电话", "电话号码", "联系方式", "座机",
              "固定电话", "办公电话", "mobile", "telephone", "tel", "phone number",
              "mobile phone", "cell phone"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "邮件地址", "email", "e-mail", "email address"),
}

#: Header endings that mark a column as personal (``社区负责人``, ``联系人电话``), tried
#: in this order; headers starting with ``是否``/``有无`` (yes/no questions) are exempt.
_HEADER_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id_card", ("身份证号", "身份证号码", "身份证", "证件号", "证件号码")),
    ("phone", ("电话", "手机", "手机号", "手机号码", "联系方式", "电话号码", "座机")),
    ("email", ("邮箱", "电子邮箱", "电子邮件")),
    ("name", ("姓名", "负责人", "联系人", "填表人", "填报人", "经办人", "申请人")),
)


def schema_personal_columns(kind: str | None = None) -> dict[str, str]:
    """Canonical columns that hold personal data, with what they hold.

    The one reading of ``personal`` in :data:`toolkit.schema.TABLES`: every
    function that needs "the schema's personal columns" calls this.

    Parameters
    ----------
    kind : str, optional
        A table kind (``"participants"`` …): that table's personal columns. By
        default, every canonical column that is personal in at least one table
        (``name`` is personal in participants and survey, a place in units).

    Returns
    -------
    dict of str to str
        Canonical column → ``"name"``, ``"id_card"`` or ``"phone"``.

    Examples
    --------
    >>> schema_personal_columns("survey")
    {'name': 'name', 'phone': 'phone'}
    >>> sorted(schema_personal_columns())
    ['id_card', 'member_name', 'name', 'phone']
    """
    tables = [check_kind(kind)] if kind is not None else list(schema.TABLES.values())
    out: dict[str, str] = {}
    for table in tables:
        for col in table.columns:
            if col.personal:
                out.setdefault(col.name, col.personal)
    return out


def _spellings(col: schema.Column) -> set[str]:
    return {schema.clean_header(s) for s in (col.name, col.zh, col.en, *col.aliases)}


@cache
def _vocabulary() -> tuple[dict[str, dict[str, str | None]], dict[str, str],
                           dict[str, dict[str, str | None]]]:
    """The schema's and the header words' knowledge of personal columns, built once.

    Returns canonical name → {table: kind or None} for every canonical column;
    folded header → kind for header words that always mean personal data; and
    folded header → {table: kind or None} for spellings shared by a personal and
    a non-personal column (``name``: a person in participants, a place in units).
    """
    canonical: dict[str, dict[str, str | None]] = {}
    spelled: dict[str, dict[str, str | None]] = {}
    for table in schema.TABLES.values():
        for col in table.columns:
            canonical.setdefault(col.name, {})[table.name] = col.personal
            for key in _spellings(col):
                spelled.setdefault(key, {})[table.name] = col.personal
    words = {schema.clean_header(w): kind for kind, ws in _HEADER_WORDS.items() for w in ws}
    for key, kinds in spelled.items():
        found = {k for k in kinds.values() if k}
        if found and all(kinds.values()):
            words.setdefault(key, found.pop())
    shared = {key: kinds for key, kinds in spelled.items()
              if any(kinds.values()) and not all(kinds.values())}
    for key in shared:
        words.pop(key, None)
    return canonical, words, shared


def _in_context(kinds: Mapping[str, str | None], columns: set[str]) -> str | None:
    """A column personal in some tables only: decided by the table the frame is.

    The frame is taken to be every table (among those defining the column) whose
    identifier it holds (``participant_id``, ``respondent_id``, ``unit_id`` …);
    when it holds none, the column counts as personal (the safe side).
    """
    personal = [k for k in kinds.values() if k]
    if not personal:
        return None
    candidates = [t for t in kinds if schema.TABLES[t].key[0] in columns]
    if candidates and not any(kinds[t] for t in candidates):
        return None
    return next((kinds[t] for t in candidates if kinds[t]), personal[0])


def _classify(column: str, *, table: str | None, columns: set[str],
              declared: object) -> tuple[str | None, str, str]:
    """(kind, found_by, reason) from the codebook, the schema and the header."""
    if declared:
        kind = declared if isinstance(declared, str) else "personal"
        return kind, "codebook", "the codebook marks it personal"
    canonical, words, shared = _vocabulary()
    if table is not None:
        spec = schema.TABLES[table].get(column)
        if spec is not None:
            if spec.personal:
                return spec.personal, "schema", f"schema column `{table}.{column}`"
            return None, "", ""  # canonical and not personal, e.g. units.name (a place)
    elif column in canonical:
        kind = _in_context(canonical[column], columns)
        if kind is not None:
            return kind, "schema", f"schema column `{column}`"
        return None, "", ""  # canonical and not personal here
    key = schema.clean_header(column)
    kind = words.get(key) or (_in_context(shared[key], columns) if key in shared else None)
    if kind is None and not key.startswith(("是否", "有无")):
        kind = next((k for k, ends in _HEADER_ENDINGS if key.endswith(ends)), None)
    if kind is not None:
        return kind, "header", f"header `{column}`"
    return None, "", ""


_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK_CHARS = "10X98765432"
_CHECK = np.frombuffer(_CHECK_CHARS.encode("ascii"), dtype=np.uint8)
_ID18 = r"^[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]$"
_ID15 = r"^[1-9]\d{5}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}$"
_PHONE = r"^(\+?86)?1[3-9]\d{9}$"
_NAME = r"^([\p{Han}·]{2,5}|[A-Za-z][A-Za-z .'-]{1,40})$"
_EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"


def _text_array(values: pd.Series) -> pa.Array:
    """Non-missing values as Arrow text (numbers written without decimals)."""
    values = values.dropna()
    if pd.api.types.is_float_dtype(values.dtype):
        whole = values[np.isfinite(values) & (values == np.round(values))]
        values = whole.astype("int64").astype(str) if len(whole) == len(values) else \
            values.astype(str)
    elif not (isinstance(values.dtype, pd.StringDtype) or values.dtype == "str"):
        values = values.astype(str)
    arr = pa.array(values.to_numpy(dtype=object), type=pa.string()) \
        if values.dtype == object else pa.array(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.utf8_normalize(arr, form="NFKC")
    return pc.utf8_trim_whitespace(arr)


def _id_card_ok(arr: pa.Array) -> np.ndarray:
    """Which values are mainland ID-card numbers (18 with valid check, or 15 digits)."""
    ok = np.zeros(len(arr), dtype=bool)
    if not len(arr):
        return ok
    is18 = pc.match_substring_regex(arr, _ID18).to_numpy(zero_copy_only=False)
    is15 = pc.match_substring_regex(arr, _ID15).to_numpy(zero_copy_only=False)
    ok |= np.asarray(is15, dtype=bool)
    idx = np.flatnonzero(np.asarray(is18, dtype=bool))
    if len(idx):
        picked = pc.utf8_upper(arr.take(pa.array(idx)))
        joined = "".join(picked.to_pylist()).encode("ascii")
        grid = np.frombuffer(joined, dtype=np.uint8).reshape(-1, 18)
        digits = grid[:, :17].astype(np.int64) - 48
        expected = _CHECK[(digits @ _WEIGHTS) % 11]
        ok[idx[grid[:, 17] == expected]] = True
    return ok


def _check_character_ok(text: str) -> bool:
    """Whether an 18-character number of the ID-card shape carries its GB 11643 check character."""
    total = sum(int(d) * w for d, w in zip(text[:17], _WEIGHTS.tolist(), strict=True))
    return _CHECK_CHARS[total % 11] == text[17].upper()


def is_id_card(value: object) -> bool:
    """Whether `value` is a mainland ID-card number (GB 11643 check verified).

    18-character numbers must carry the right check character (``X`` for 10);
    the old 15-digit numbers (before 1999) have none, and are recognised by
    their shape and birth date.

    Examples
    --------
    >>> is_id_card("11010519491231002X")
    True
    >>> is_id_card("110105194912310021")  # wrong check character
    False
    >>> is_id_card("110105491231002")
    True
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    arr = _text_array(pd.Series([value], dtype=object))
    return bool(_id_card_ok(arr)[0])


def _phone_digits(arr: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(arr, r"[\s\-()（）]", "")


def _phone_ok(arr: pa.Array) -> np.ndarray:
    if not len(arr):
        return np.zeros(0, dtype=bool)
    hit = pc.match_substring_regex(_phone_digits(arr), _PHONE)
    return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)


def _name_ok(arr: pa.Array) -> np.ndarray:
    if not len(arr):
        return np.zeros(0, dtype=bool)
    hit = pc.match_substring_regex(arr, _NAME)
    return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)


def _email_ok(arr: pa.Array) -> np.ndarray:
    if not len(arr):
        return np.zeros(0, dtype=bool)
    hit = pc.match_substring_regex(arr, _EMAIL)
    return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)


def _content_eligible(values: pd.Series) -> bool:
    """Whether a column's values may be ID-card or phone numbers (text, long whole numbers)."""
    if isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(
            values.dtype) or pd.api.types.is_datetime64_any_dtype(values.dtype):
        return False
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = np.nan_to_num(values.to_numpy(dtype="float64", na_value=np.nan))
        # the shortest form is an 11-digit mobile number (1.3e10 and up)
        return bool(np.all(numbers % 1 == 0)) and bool(len(numbers)) and \
            float(np.abs(numbers).max()) >= 1e10
    return True


_FORMS = {"id_card": _id_card_ok, "phone": _phone_ok, "email": _email_ok, "name": _name_ok}
_FORM_WORDS = {"id_card": "mainland ID-card numbers (check character verified)",
               "phone": "mobile phone numbers", "email": "e-mail addresses"}
_SPAN_WORDS = {"phone": "phone number", "id_card": "ID-card number", "email": "e-mail address",
               "name": "name"}
_ORDER = {k: i for i, k in enumerate(_SPAN_WORDS)}


def _column_rows(frame: pd.DataFrame, table: str | None
                 ) -> tuple[list[dict[str, object]], list[tuple[int, Any, pa.Array]]]:
    """Rows of :func:`find_personal` for the personal columns of one table.

    Also returns its other free-text columns (position, name, values), to be
    searched inside.
    """
    book = frame.attrs.get("codebook") or {}
    columns = {str(c) for c in frame.columns}
    rows: list[dict[str, object]] = []
    texts: list[tuple[int, Any, pa.Array]] = []
    for pos, name in enumerate(frame.columns):
        values = frame[name]
        entry = book.get(name)
        declared = entry.get("personal") if isinstance(entry, Mapping) else None
        kind, found_by, reason = _classify(str(name), table=table, columns=columns,
                                           declared=declared)
        arr = _text_array(values) if kind is not None or _content_eligible(values) else None
        n = 0 if arr is None else len(arr)
        n_matching: int | None = None
        if kind is None and n:
            counts = {k: int(_FORMS[k](arr).sum()) for k in _FORM_WORDS}
            best = max(counts, key=counts.get)
            if counts[best] / n >= MIN_SHARE:
                kind, found_by, n_matching = best, "content", counts[best]
                reason = f"{counts[best] / n:.0%} of values are {_FORM_WORDS[best]}"
        if kind is None:
            if n and _is_free_text(name, values, arr, table=table):
                texts.append((pos, name, arr))
            continue
        if n_matching is None and kind in _FORMS:
            n_matching = int(_FORMS[kind](arr).sum()) if n else 0
        share = (round(n_matching / n, 4) if n else 0.0) if n_matching is not None else np.nan
        rows.append({"table": table, "column": name, "kind": kind, "found_by": found_by,
                     "n_values": n, "n_matching": n_matching, "share_matching": share,
                     "reason": reason, "_pos": pos, "_values": arr})
    return rows, texts


def _text_row(table: str | None, name: Any, pos: int, arr: pa.Array,
              scan: TextScanner) -> dict[str, object] | None:
    """The row of a free-text column holding personal values, or None."""
    n_texts, counts = _text_counts(arr, scan)
    if not n_texts:
        return None
    found = ", ".join(f"{c} {_SPAN_WORDS[k]}{'s' if c > 1 else ''}"
                      for k, c in sorted(counts.items(), key=lambda kc: (-kc[1], _ORDER[kc[0]])))
    return {"table": table, "column": name, "kind": "free_text", "found_by": "content",
            "n_values": len(arr), "n_matching": n_texts,
            "share_matching": round(n_texts / len(arr), 4),
            "reason": f"free text: {n_texts} of {len(arr)} texts hold personal values ({found})",
            "_pos": pos}


def _names_of(rows: list[dict[str, object]]) -> list[str]:
    """The values of the name columns among `rows` that have the form of a name."""
    out: list[str] = []
    for row in rows:
        arr = row.get("_values")
        if row["kind"] == "name" and arr is not None and len(arr):
            out += arr.filter(pa.array(_name_ok(arr))).to_pylist()
    return out


def _search(tables: list[tuple[str | None, pd.DataFrame]], names: Iterable[Any] | None
            ) -> tuple[list[dict[str, object]], TextScanner]:
    """Every row of :func:`find_personal` for `tables`, and the scanner of their texts.

    Names are looked for in free text when they are given, or held by a name
    column of any of the tables (``participants.name`` for a Study).
    """
    found = [(table, *_column_rows(frame, table)) for table, frame in tables]
    listed = list(_name_list(names))
    for _, rows, _ in found:
        listed += _names_of(rows)
    scan = _scanner(listed)
    out: list[dict[str, object]] = []
    for table, rows, texts in found:
        rows = rows + [r for pos, name, arr in texts
                       if (r := _text_row(table, name, pos, arr, scan)) is not None]
        out += sorted(rows, key=lambda r: r["_pos"])
    return out, scan


def _kind_of(frame: pd.DataFrame) -> str | None:
    """The table kind named by a frame's load record, if any."""
    kind = getattr(frame.attrs.get("load_record"), "table", None)
    return kind if kind in schema.TABLES else None


def find_personal(data: pd.DataFrame | Any, *, kind: str | None = None,
                  names: Iterable[str] | None = None) -> pd.DataFrame:
    """Columns that hold personal data: names, ID-card and phone numbers, e-mail, free text.

    The one detector of personal columns: validation (which masks their
    values), the study's codebook, pseudonymisation by the manifest, the
    guard of published tables and the node attributes of networks all use its
    answer.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        Any table, e.g. as returned by ``tk.read_table``, or a Study (every
        table is searched).
    kind : str, optional
        Table kind of a DataFrame (``"participants"``, ``"survey"`` …), so that
        its canonical columns are judged by the schema. Defaults to the kind
        named by the frame's load record; not used with a Study.
    names : iterable of str, optional
        Names of people to look for inside free text (e.g. the participants'
        names). The names held by the name columns found are always looked
        for (in a Study: those of every table, so the participants' names are
        found in the texts of submissions and minutes).

    Returns
    -------
    pandas.DataFrame
        One row per personal column, in the order of the tables and of their
        columns (the columns of :data:`PERSONAL_COLUMNS`):

        - ``table`` — the table kind (from `kind`, the load record or the
          Study), or None when it is not known;
        - ``column`` — column name;
        - ``kind`` — ``"name"``, ``"id_card"``, ``"phone"`` or ``"email"`` (or
          the kind a codebook declares); ``"free_text"`` for a column of free
          text (:func:`free_text_columns`) with personal values inside some
          of its texts;
        - ``found_by`` — ``"codebook"`` (the codebook entry's ``personal``,
          which ``read_table(kind=...)`` fills from the schema), ``"schema"``
          (a canonical personal column), ``"header"`` (a header such as
          ``姓名``, ``负责人``, ``身份证号``, ``联系方式``) or ``"content"`` (the
          values);
        - ``n_values`` — non-missing values in the column;
        - ``n_matching`` — how many of those have the form of the kind (a
          name of 2–5 Chinese characters or Latin words; an ID-card number
          with a valid check character; a mobile number; an e-mail address);
          for free text, how many texts hold at least one personal value;
          missing for kinds without a form;
        - ``share_matching`` — ``n_matching / n_values`` (rounded to 4 places);
        - ``reason`` — why the column was flagged, in words (for free text,
          the values found by kind, e.g. ``free text: 2 of 40 texts hold
          personal values (2 phone numbers, 1 name)``).

    Raises
    ------
    toolkit.errors.ArgumentError
        When `kind` is not a table kind.
    toolkit.errors.ArgumentTypeError
        When `data` is neither a DataFrame nor a Study.

    See Also
    --------
    personal_spans : where the personal values inside a text are.

    Notes
    -----
    The first rule that applies decides:

    1. the codebook (``attrs["codebook"][column]["personal"]``);
    2. the schema: a canonical column that is personal in the table
       (``participants.phone``); a canonical column that is not
       (``units.name``, a place) is not personal by its header. When the
       table is not known, ``name`` counts as a person's name unless the
       frame holds the identifier of a table where it is not (``unit_id``
       without ``participant_id`` or ``respondent_id``);
    3. the header: the schema's spellings of its personal columns
       (``手机号码``, ``公民身份号码`` …), other words for them (``户主``,
       ``负责人``, ``联系人``, ``填报人``, ``经办人``, ``联系方式``, ``邮箱`` …) and
       headers ending in one (``户主姓名``, ``社区负责人``, ``联系人电话``), but not
       yes/no questions (``是否户主``);
    4. the values: at least half of them are ID-card numbers with a valid
       GB 11643 check character (or 15-digit old numbers), mobile numbers
       ``1[3-9]`` + 9 digits (with optional ``+86``/``86``, spaces and
       dashes) or e-mail addresses. Names are not guessed from values alone:
       too many short Chinese words look like names;
    5. free text: a free-text column (``备注``, ``意见内容``, ``body`` …) any of
       whose texts holds a phone, ID-card number, e-mail address, one of the
       names, or a name marked by its context (``联系人：王小明``), as
       :class:`TextScanner` finds them.

    References
    ----------
    GB 11643-1999, Citizen identification number (check character: ISO 7064
    MOD 11-2).

    Examples
    --------
    >>> df = pd.DataFrame({"编号": ["P1", "P2"],
    ...                    "证件": ["11010519491231002X", "110105491231002"]})
    >>> found = tk.io.find_personal(df)
    >>> found[["column", "kind", "found_by", "n_matching", "share_matching"]]
      column     kind found_by  n_matching  share_matching
    0     证件  id_card  content           2             1.0
    >>> found.loc[0, "reason"]
    '100% of values are mainland ID-card numbers (check character verified)'
    >>> people = pd.DataFrame({"participant_id": ["P1"], "name": ["张伟"]})
    >>> tk.io.find_personal(people, kind="participants")[["table", "column", "found_by"]]
              table column found_by
    0  participants   name   schema

    Personal values inside free text:

    >>> notes = pd.DataFrame({"户号": ["A1", "A2"], "负责人": ["张伟", "李娜"],
    ...                       "备注": ["张伟的邻居，电话13800138000", "无"]})
    >>> found = tk.io.find_personal(notes)
    >>> found[["column", "kind", "found_by", "n_matching"]]
      column       kind found_by  n_matching
    0    负责人       name   header           2
    1     备注  free_text  content           1
    >>> found.loc[1, "reason"]
    'free text: 1 of 2 texts hold personal values (1 phone number, 1 name)'
    """
    if kind is not None:
        check_kind(kind)
    if is_study(data):
        tables = [(name, data.table(name)) for name in data.tables]
    else:
        frame = _frame(data)
        tables = [(kind if kind is not None else _kind_of(frame), frame)]
    rows, _ = _search(tables, names)
    out = pd.DataFrame([{k: r[k] for k in PERSONAL_COLUMNS} for r in rows],
                       columns=PERSONAL_COLUMNS)
    out["n_values"] = out["n_values"].astype("int64")
    out["n_matching"] = pd.array(out["n_matching"].tolist(), dtype="Int64")
    out["share_matching"] = out["share_matching"].astype("float64")
    return out


def personal_values(values: Mapping[Any, Iterable[Any]], *,
                    codebook: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Which of the value lists a table or figure would print are personal data.

    `values` maps a column (a variable, a grouping) to the values that would
    be shown (levels, group labels); each list is judged as one column, by its
    header, by the `codebook`'s ``personal`` entries and by its content. The
    check of every published table and figure that prints values of a column.
    A column the codebook marks ``pseudonymised`` (by :func:`pseudonymise`)
    holds tokens, not personal data.

    Parameters
    ----------
    values : mapping
        Column (a variable, a grouping) → the values that would be shown.
    codebook : mapping, optional
        The table's codebook (``df.attrs["codebook"]``): its ``personal`` and
        ``pseudonymised`` entries are used.

    Returns
    -------
    dict
        Column → kind (``"name"``, ``"phone"`` …) of the personal ones.

    Examples
    --------
    >>> personal_values({"负责人": ["张伟", "李娜"], "platform": ["微信群"]})
    {'负责人': 'name'}
    >>> done = pseudonymise(pd.DataFrame({"负责人": ["张伟", "李娜"]}), key="k")
    >>> personal_values({"负责人": done["负责人"]}, codebook=done.attrs["codebook"])
    {}
    """
    lists = {str(k): list(v) for k, v in values.items()}
    width = max((len(v) for v in lists.values()), default=0)
    if not width:
        return {}
    frame = pd.DataFrame({k: pd.Series(v + [None] * (width - len(v)), dtype=object)
                          for k, v in lists.items()})
    frame.attrs["codebook"] = dict(codebook or {})
    found = find_personal(frame)
    done = {k for k, v in (codebook or {}).items()
            if isinstance(v, Mapping) and v.get("pseudonymised")}
    return {c: k for c, k in zip(found["column"], found["kind"], strict=True)
            if c not in done}


def _frame(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    refuse_large(data, where="tk.io.find_personal")
    msg = f"`data` must be a pandas DataFrame or a Study, not {type(data).__name__}."
    raise ArgumentTypeError(msg)


def looks_personal(value: object) -> str | None:
    """``"id_card"`` or ``"phone"`` when one value has that form, wherever it was typed.

    Used to mask such values in messages even in columns not found personal.

    Examples
    --------
    >>> looks_personal("138-0013-8000"), looks_personal("C01")
    ('phone', None)
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    compact = re.sub(r"[\s\-()（）]", "", text)
    if len(compact) not in (11, 13, 14, 15, 18):
        return None
    if re.fullmatch(_PHONE, compact):
        return "phone"
    return "id_card" if is_id_card(compact) else None


# ---------------------------------------------------------------------------
# personal values inside free text
# ---------------------------------------------------------------------------

#: Placeholder :func:`mask_text` writes in place of each kind of value found in a text.
PLACEHOLDERS: dict[str, str] = {
    "id_card": "〔身份证号〕",
    "phone": "〔电话〕",
    "email": "〔邮箱〕",
    "name": "〔姓名〕",
}

#: Columns of :func:`personal_spans`'s result.
SPAN_COLUMNS = ["row", "start", "end", "kind"]

#: Median length (characters) from which a text column of no known kind counts as free text.
FREE_TEXT_LENGTH = 20

# Full-width ASCII (digits, letters, ＠, ＋, （）…) and the ideographic space folded
# one character for one, so that offsets in the folded text are offsets in the text.
_FOLD = str.maketrans({chr(0xFF01 + i): chr(0x21 + i) for i in range(94)} | {"\u3000": " "})

_HAN = "\u4e00-\u9fff"
# Single-character surnames (the common ones of the 百家姓, without characters that
# are mostly ordinary words) and compound surnames: a name found by its context
# must start with one.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申"
    "欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴"
    "蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫"
    "米柏宗瞿桂佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝官封谈"
    "匡鞠惠荆乐冀郁胥班储栗燕楚鄢劳谌奚皮粟冼蔺闻厉伊仝郜阚权帅屠豆朴廉禹井祖漆巴丰卿"
    "狄晋容敬扈晁芮阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况宿鲜印逯隆茹诸战慕危亢嵇湛宾戎"
    "勾茅揭尉冶束檀昝幸奉植衡富尧闭"
)
_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
             "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "呼延")
# Words that name the person who follows them (``联系人：张三``, ``主持人 李四``); the
# generic ones need a colon.
_PERSON_LABELS = ("联系人", "主持人", "负责人", "填表人", "填报人", "经办人", "记录人", "审核人",
                  "审批人", "签发人", "核稿人", "申请人", "反映人", "来信人", "来访人", "提案人",
                  "领衔人", "报送人", "承办人", "发言人", "召集人", "当事人", "被访人", "受访人",
                  "受访者", "联络员", "网格员", "记录员", "信息员", "调解员")
_COLON_LABELS = ("姓名", "户主", "签字", "签名", "委员", "代表", "居民", "群众", "业主", "村民")
# What may follow a name found by its context.
_AFTER_NAME = ("联系", "电话", "手机", "身份", "同志", "先生", "女士", "老师", "书记", "主任",
               "反映", "表示", "提出", "建议", "认为", "介绍", "说", "等", "和", "及", "与")

_PATTERNS: dict[str, str] = {
    # 18 characters with a birth date (the check character is verified after the
    # match), and the old 15-digit numbers
    "id_card": (r"(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])"
                r"(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dXx])"
                r"|(?<!\d)[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d)"),
    # mobile numbers (with +86, spaces or dashes) and landlines written with an area code
    "phone": (r"(?<![\d+])(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d){8}(?!\d)"
              r"|(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3}-)\s?\d{7,8}(?!\d)"),
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
}
# An Arrow (RE2) test that every text holding a value above passes (no look-arounds).
_CANDIDATE = r"1[3-9]\d|\d{6}(?:18|19|20)\d\d|\d{8}[01]\d[0-3]\d{4}|0\d{2,3}[-)]|@"


def _alternation(words: Iterable[str]) -> str:
    """A regular expression matching any of `words` (longest first), as a character trie."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and len(branches[0]) == 1 else \
            "(?:" + "|".join(branches) + ")"
        return f"{body}?" if ends else body

    return build(trie)


def _context_pattern() -> str:
    surname = "(?:" + "|".join(_COMPOUND) + f"|[{_SURNAMES}])"
    after = "|".join(_AFTER_NAME)
    name = rf"{surname}[{_HAN}]{{1,2}}?(?=[^{_HAN}·]|$|{after})"
    person = "|".join(_PERSON_LABELS)
    generic = "|".join(_COLON_LABELS)
    note = r"(?:[(（][^)）]{0,6}[)）])?"
    labelled = (rf"(?:(?:{person}){note}\s*[:：]?|(?:{generic}){note}\s*[:：])\s*"
                rf"(?P<labelled>{name}(?:、{name})*)")
    # a name right before its phone number, at the start of a clause or after a
    # word for people: 王小明（电话 138…）, 居民王小明，手机：138…
    start = "|".join(f"(?<={w})" for w in (*_COLON_LABELS, "同志"))
    before = (rf"(?:(?<![{_HAN}·])|{start})(?P<before>{surname}[{_HAN}]{{1,2}})"
              rf"(?=\s*[(（,，]?\s*(?:联系)?(?:电话|手机|手机号码?|联系方式|身份证号?码?)"
              rf"\s*[:：]?\s*[\d+])")
    return f"{labelled}|{before}"


_CONTEXT = re.compile(_context_pattern())
_FIXED = re.compile("|".join(f"(?P<{kind}>{p})" for kind, p in _PATTERNS.items()))
_FIXED_QUICK = re.compile(r"\d{7}|\d[-\s]\d|@")


def _name_list(names: Iterable[Any] | None) -> tuple[str, ...]:
    """Distinct names of two characters or more (NFKC, stripped), longest first."""
    if names is None:
        return ()
    if isinstance(names, str):
        names = [names]
    found = set()
    for name in names:
        if name is None or name is pd.NA or (isinstance(name, float) and np.isnan(name)):
            continue
        text = unicodedata.normalize("NFKC", str(name)).strip()
        if len(text) >= 2 and not text.startswith("P_"):
            found.add(text)
    return tuple(sorted(found, key=lambda n: (-len(n), n)))


class TextScanner:
    """Finds personal values inside free text: the one detector of them.

    Finds mobile and landline phone numbers (with ``+86``, spaces or dashes),
    mainland ID-card numbers whose GB 11643 check character is right (and the
    old 15-digit numbers), e-mail addresses, the `names` it is given wherever
    they occur, and names that their context marks as names: after a word such
    as ``联系人``, ``主持人``, ``负责人``, ``填表人``, ``户主`` (``联系人：王小明``,
    ``主持人 李四、赵六``) or right before a phone number (``王小明（电话…``); such a
    name must start with a common surname. Full-width digits and letters count as
    their ASCII forms. :func:`personal_spans`, :func:`mask_text`,
    :func:`find_personal` (free-text columns), :func:`pseudonymise` and the
    masking of ``tk.text`` all use it.

    Parameters
    ----------
    names : iterable of str, optional
        Names to find wherever they occur, e.g. the ``name`` column of the
        participants table (names of one character are ignored).
    context : bool, default True
        Also find names by their context (after 联系人 … or before a phone).

    Examples
    --------
    >>> scan = TextScanner(names=["张建国"])
    >>> scan.spans("张建国反映：电话13812345678，邮箱zjg@example.com")
    [(0, 3, 'name'), (8, 19, 'phone'), (22, 37, 'email')]
    >>> scan.mask("（联系人：王小明，联系电话：13800138000）")
    '（联系人：〔姓名〕，联系电话：〔电话〕）'
    """

    def __init__(self, names: Iterable[str] | None = None, *, context: bool = True) -> None:
        self.names = _name_list(names)
        self.context = bool(context)
        self._names = re.compile(_alternation(self.names)) if self.names else None

    def __repr__(self) -> str:
        return f"TextScanner(names={len(self.names)}, context={self.context})"

    def __getstate__(self) -> dict:
        return {"names": self.names, "context": self.context}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["names"], context=state.get("context", True))

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, kind)`` of every personal value in `text`, in order, not overlapping.

        `kind` is ``"phone"``, ``"id_card"``, ``"email"`` or ``"name"``; offsets
        are those of `text` as given.
        """
        if not isinstance(text, str) or not text:
            return []
        folded = text.translate(_FOLD)
        found: list[tuple[int, int, str]] = []
        if _FIXED_QUICK.search(folded):
            for m in _FIXED.finditer(folded):
                kind = m.lastgroup or ""
                if kind == "id_card" and len(m.group()) == 18 and \
                        not _check_character_ok(m.group()):
                    continue
                found.append((m.start(), m.end(), kind))
        if self._names is not None:
            found += [(m.start(), m.end(), "name") for m in self._names.finditer(folded)]
        if self.context:
            for m in _CONTEXT.finditer(folded):
                if m.group("labelled") is not None:
                    start = m.start("labelled")
                    for part in m.group("labelled").split("、"):
                        found.append((start, start + len(part), "name"))
                        start += len(part) + 1
                else:
                    found.append((m.start("before"), m.end("before"), "name"))
        if len(found) > 1:
            found.sort(key=lambda s: (s[0], -s[1]))
            kept = [found[0]]
            for span in found[1:]:
                if span[0] >= kept[-1][1]:
                    kept.append(span)
            found = kept
        return found

    def sub(self, text: str,
            replace: Literal["placeholder", "mask"] | Callable[[str, str], str] = "placeholder"
            ) -> str:
        """`text` with every personal value replaced (see :func:`mask_text`)."""
        spans = self.spans(text)
        if not spans:
            return text
        if replace == "placeholder":
            def repl(value: str, kind: str) -> str:
                return PLACEHOLDERS[kind]
        elif replace == "mask":
            def repl(value: str, kind: str) -> str:
                return str(mask(value, kind))
        elif callable(replace):
            repl = replace
        else:
            check_choice(replace, ("placeholder", "mask"), param="replace")
        out, last = [], 0
        for start, end, kind in spans:
            out += [text[last:start], repl(text[start:end], kind)]
            last = end
        out.append(text[last:])
        return "".join(out)

    def mask(self, text: str) -> str:
        """`text` with every personal value replaced by its placeholder (:data:`PLACEHOLDERS`)."""
        return self.sub(text, "placeholder")

    def candidates(self, texts: pa.Array) -> np.ndarray:
        """Which of `texts` (Arrow strings, NFKC) may hold a personal value: a fast test."""
        if not len(texts):
            return np.zeros(0, dtype=bool)
        parts = [_CANDIDATE]
        if self.context:
            parts += [*_PERSON_LABELS, *_COLON_LABELS, "电话", "手机", "联系方式", "身份证"]
        if self.names:
            parts.append(_alternation(self.names))
        hit = pc.match_substring_regex(texts, "|".join(parts))
        return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)


@cache
def _default_scanner() -> TextScanner:
    return TextScanner()


def _scanner(names: Iterable[str] | TextScanner | None) -> TextScanner:
    if isinstance(names, TextScanner):
        return names
    listed = _name_list(names)
    return TextScanner(listed) if listed else _default_scanner()


def personal_spans(
    texts: str | Iterable[Any] | pd.Series,
    *,
    names: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Where personal values sit inside free text: one row per value found.

    The free-text detector (:class:`TextScanner`): phone numbers, ID-card
    numbers (GB 11643 check character verified), e-mail addresses, the `names`
    given, and names marked by their context (``联系人：王小明``, ``王小明（电话…``).

    Parameters
    ----------
    texts : str, list of str or pandas.Series
        One text or many; missing values hold nothing.
    names : iterable of str, optional
        Names to find wherever they occur (e.g. ``participants["name"]``).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`SPAN_COLUMNS`: ``row`` (position of the text in
        `texts`, from 0), ``start`` and ``end`` (character offsets in that
        text, ``text[start:end]`` is the value), ``kind`` (``"phone"``,
        ``"id_card"``, ``"email"`` or ``"name"``). The values themselves are
        not copied into the result.

    Examples
    --------
    >>> texts = ["主持人：李某华。议题：加装电梯", None, "电话 138-0013-8000，无其他"]
    >>> tk.io.personal_spans(texts)
       row  start  end   kind
    0    0      4    7   name
    1    2      3   16  phone
    """
    values = [texts] if isinstance(texts, str) else list(texts)
    scan = _scanner(names)
    rows = [(i, s, e, k) for i, text in enumerate(values) if isinstance(text, str)
            for s, e, k in scan.spans(text)]
    out = pd.DataFrame(rows, columns=SPAN_COLUMNS)
    return out.astype({"row": "int64", "start": "int64", "end": "int64", "kind": "str"})


def mask_text(
    text: Any,
    *,
    names: Iterable[str] | None = None,
    replace: Literal["placeholder", "mask"] | Callable[[str, str], str] = "placeholder",
) -> Any:
    """A text with every personal value inside it replaced: safe to print or publish.

    The one masking of free text: messages and problem texts that quote what a
    file holds, tables and exports of text columns, and ``tk.text`` call it.
    Values are found by :class:`TextScanner` (see :func:`personal_spans`).

    Parameters
    ----------
    text : str
        The text; anything else (None, missing) is returned as it is.
    names : iterable of str, optional
        Names to find wherever they occur (e.g. ``participants["name"]``).
    replace : {"placeholder", "mask"} or callable, default "placeholder"
        ``"placeholder"`` writes ``〔电话〕``, ``〔身份证号〕``, ``〔邮箱〕`` or
        ``〔姓名〕`` (:data:`PLACEHOLDERS`); ``"mask"`` hides most of each value
        as :func:`mask` does (``138****8000``, ``王**``); a function
        ``(value, kind) -> str`` writes what it returns.

    Returns
    -------
    str
        The text with the values replaced (the rest unchanged).

    Examples
    --------
    >>> tk.io.mask_text("填表人：王小明 联系电话：13800138000")
    '填表人：〔姓名〕 联系电话：〔电话〕'
    >>> tk.io.mask_text("填表人：王小明 联系电话：13800138000", replace="mask")
    '填表人：王** 联系电话：138****8000'
    >>> tk.io.mask_text("张伟说好", names=["张伟"])
    '〔姓名〕说好'
    """
    if not isinstance(text, str):
        return text
    return _scanner(names).sub(text, replace)


def _free_text_word(column: str) -> bool:
    key = schema.clean_header(column)
    if any(key.endswith(w) for w in _TEXT_WORDS) or key.startswith(("备注", "其他")):
        return True
    return bool(set(re.findall(r"[a-z]+", unicodedata.normalize("NFKC", column).lower()))
                & _TEXT_WORDS_EN)


_TEXT_WORDS = ("备注", "说明", "意见", "建议", "内容", "正文", "描述", "诉求", "留言", "评论",
               "回复", "答复", "反馈", "纪要", "全文", "摘要", "原因", "问题", "情况说明", "其他")
_TEXT_WORDS_EN = {"note", "notes", "remark", "remarks", "comment", "comments", "text", "body",
                  "description", "content", "message", "feedback", "reply", "answer",
                  "minutes", "summary", "other"}


def _is_free_text(column: Any, values: pd.Series, arr: pa.Array | None, *,
                  table: str | None) -> bool:
    """Whether a column holds free text (by the schema, its header or its values)."""
    if not (values.dtype == object or isinstance(values.dtype, pd.StringDtype)
            or values.dtype == "str"):
        return False
    name = str(column)
    specs = [schema.TABLES[table].get(name)] if table is not None else \
        [t.get(name) for t in schema.TABLES.values()]
    specs = [s for s in specs if s is not None]
    if specs:
        if any(s.name == "body" for s in specs):
            return True
        if any(s.dtype != "string" or s.vocabulary or s.unique or s.references or s.personal
               or s.name.endswith("_id") for s in specs):
            return False
    elif _free_text_word(name):
        return True
    if arr is None or not len(arr):
        return False
    lengths = pc.utf8_length(arr).to_numpy(zero_copy_only=False)
    return float(np.median(lengths)) >= FREE_TEXT_LENGTH


def free_text_columns(data: pd.DataFrame, *, kind: str | None = None) -> list[str]:
    """Columns of `data` that hold free text (remarks, opinions, minutes, bodies of texts).

    Free text may name people or quote their phone numbers anywhere, so such
    columns are scanned by :func:`find_personal` and never copied onto network
    nodes by default. A column counts as free text when the schema says so
    (``body``), when its header is a word for text (``备注``, ``意见内容``,
    ``情况说明``, ``note`` …), or when its values are long (median of at least
    :data:`FREE_TEXT_LENGTH` characters); canonical columns of other kinds
    (ids, vocabularies, dates, ``topic``) are judged by their values only.

    Parameters
    ----------
    data : pandas.DataFrame
    kind : str, optional
        Table kind, so that canonical columns are judged by the schema.

    Returns
    -------
    list of str
        The free-text columns, in the order of `data`.

    Examples
    --------
    >>> df = pd.DataFrame({"编号": ["A"], "备注": ["无"], "body": ["……"],
    ...                    "地址": ["云溪区青云街道幸福小区3栋2单元501室旁边的门面房"]})
    >>> tk.io.free_text_columns(df)
    ['备注', 'body', '地址']
    """
    frame = _frame(data)
    if kind is None:
        kind = _kind_of(frame)
    else:
        kind = check_kind(kind)
    out = []
    for name in frame.columns:
        values = frame[name]
        arr = _text_array(values) if _content_eligible(values) else None
        if _is_free_text(name, values, arr, table=kind):
            out.append(name)
    return out


def _text_counts(arr: pa.Array, scan: TextScanner) -> tuple[int, dict[str, int]]:
    """Texts holding personal values, and the values found by kind."""
    hit = np.flatnonzero(scan.candidates(arr))
    counts: dict[str, int] = {}
    n = 0
    for text in arr.take(pa.array(hit)).to_pylist() if len(hit) else []:
        spans = scan.spans(text)
        if spans:
            n += 1
            for _, _, k in spans:
                counts[k] = counts.get(k, 0) + 1
    return n, counts


def _canonical_value(value: str, kind: str | None) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    if kind == "phone":
        text = re.sub(r"[\s\-()（）]", "", text)
        text = re.sub(r"^\+?86(?=1[3-9]\d{9}$)", "", text)
    elif kind == "id_card":
        text = text.upper()
    return text


def _token(value: str, key: bytes, prefix: str, length: int) -> str:
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return prefix + digest[:length]


def _secret(key: object) -> bytes:
    """The key as bytes, or a clear error: a non-empty str or bytes, not only spaces."""
    advice = ("Choose a long random key once per study (e.g. `secrets.token_hex(16)`), keep "
              "it outside the notebook and the data folder (e.g. in an environment variable, "
              "then `key=os.environ[\"STUDY_KEY\"]`), and use the same key for every table "
              "that must be joined.")
    if key is None:
        msg = ("`key` is required: pseudonyms are keyed hashes, and without a secret key "
               "anyone could recompute them from guessed names or phone numbers. " + advice)
        raise ArgumentError(msg)
    if not isinstance(key, str | bytes):
        msg = (f"`key` must be a secret text (str) or bytes, not {type(key).__name__} "
               f"({key!r} would hash with no secret at all). " + advice)
        raise ArgumentTypeError(msg)
    if not key.strip():
        msg = ("`key` is required and must not be empty or only spaces: without a secret "
               "key anyone could recompute the pseudonyms from guessed names or phone "
               "numbers. " + advice)
        raise ArgumentError(msg)
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def pseudonymise(
    data: pd.DataFrame,
    columns: Sequence[str] | str | None = None,
    *,
    key: str | bytes,
    prefix: str = "P_",
    length: int = 16,
    names: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Replace personal values with keyed pseudonyms, so that joins still work.

    Each value becomes ``prefix`` + the first `length` hex characters of
    HMAC-SHA256(`key`, value). The same value and key always give the same
    token, in this table and in any other, so ``merge`` on a pseudonymised id or
    phone number still matches; without the key the tokens cannot be recomputed
    from guesses (a plain hash of a phone number can: there are only 10⁹ of them).
    In free-text columns (remarks, opinions, minutes) only the personal values
    inside each text are replaced, by the same tokens (``联系人：P_…，电话 P_…``).

    Parameters
    ----------
    data : pandas.DataFrame
        The table; it is not modified.
    columns : str or list of str, optional
        Columns to replace; by default those :func:`find_personal` reports.
    key : str or bytes
        Secret key of the study. Keep it outside the notebook and the data
        folder (e.g. ``key=os.environ["STUDY_KEY"]``), and keep it as long as
        tables must be joined: the same key is needed for every table.
    prefix : str, default "P_"
        Tag that marks a value as a pseudonym.
    length : int, default 16
        Hex characters kept (16 = 64 bits: collisions are negligible below
        10⁸ distinct values).
    names : iterable of str, optional
        Names to replace inside free text, besides those of the table's own
        name columns (e.g. the participants' names for a table of submissions).

    Returns
    -------
    pandas.DataFrame
        A copy of `data` with the columns replaced (text, missing stays
        missing) and their codebook entries marked ``"pseudonymised": True``.

    Raises
    ------
    toolkit.errors.ArgumentError
        When `key` is missing, empty or only spaces (a ``ValueError``).
    toolkit.errors.ArgumentTypeError
        When `key` is neither str nor bytes (``0``, ``True``, a number: they
        would hash with no secret).
    toolkit.errors.ColumnNotFoundError
        When a column named is not in `data`.

    Notes
    -----
    Values are put in a standard form before hashing, so that differently
    written copies of the same value match: NFKC and stripped; phone numbers
    without spaces, dashes or the ``+86`` prefix; ID-card numbers upper case.
    Values inside free text are found by :class:`TextScanner`.

    References
    ----------
    RFC 2104, HMAC: Keyed-Hashing for Message Authentication.

    Examples
    --------
    >>> a = pd.DataFrame({"手机号": ["138 0013 8000", None]})
    >>> b = pd.DataFrame({"手机号": ["+86 13800138000"]})
    >>> pa_, pb = (tk.io.pseudonymise(t, key="密钥") for t in (a, b))
    >>> pa_["手机号"][0] == pb["手机号"][0], pa_["手机号"][0][:2], pd.isna(pa_["手机号"][1])
    (True, 'P_', True)

    Inside free text, the values get the tokens they get in their own columns:

    >>> notes = pd.DataFrame({"备注": ["联系人：王小明，电话13800138000", "无"]})
    >>> tk.io.pseudonymise(notes, key="密钥", length=6)["备注"].tolist()
    ['联系人：P_080c53，电话P_dfc638', '无']
    >>> tk.io.pseudonymise(a, key="密钥", length=6)["手机号"][0]
    'P_dfc638'
    """
    secret = _secret(key)
    frame = _frame(data)
    rows, scan = _search([(_kind_of(frame), frame)], names)
    kinds = {r["column"]: r["kind"] for r in rows}
    if columns is None:
        targets = [r["column"] for r in rows]
    else:
        targets = [columns] if isinstance(columns, str) else list(columns)
        require_columns(data, {"columns": targets}, cutoff=0.5)
    texts = set(free_text_columns(frame)) if any(c not in kinds for c in targets) else set()
    out = data.copy()
    book = {k: dict(v) for k, v in (data.attrs.get("codebook") or {}).items()}

    def token(value: str, kind: str | None) -> str:
        return _token(_canonical_value(value, kind), secret, prefix, length)

    for name in targets:
        kind = kinds.get(name)
        values = data[name]
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if kind == "free_text" or (kind is None and name in texts):
            tokens = [scan.sub(u, token) if isinstance(u, str) else u for u in uniques]
            uniq = pd.array(tokens, dtype=object)
            replaced = pd.Series(uniq.take(codes, allow_fill=True), index=data.index)
            out[name] = replaced.astype(values.dtype) if values.dtype != object else replaced
            kind = "free_text"
        else:
            tokens = []
            for u in uniques:
                text = str(int(u)) if isinstance(u, float) and float(u).is_integer() else str(u)
                tokens.append(token(text, kind))
            uniq = pd.array(tokens, dtype="str") if tokens else pd.array([], dtype="str")
            out[name] = pd.Series(uniq.take(codes, allow_fill=True), index=data.index)
        entry = book.setdefault(name, {})
        entry["pseudonymised"] = True
        if kind:
            entry.setdefault("personal", kind)
    out.attrs["codebook"] = book
    return out


#: A value that is one number and nothing else (``138 0013 8000``): masked by its kind.
_ONE_NUMBER = re.compile(r"[\s\d+Xx()（）\-]+")


def _mask_in_text(text: str) -> str:
    """`text` with every personal value in it masked (by :func:`mask_text`), the rest as it is."""
    whole = looks_personal(text) if _ONE_NUMBER.fullmatch(text) else None
    if whole is not None:
        return str(mask(text, whole))
    return mask_text(text, replace="mask")


def mask(value: object, kind: str | None = None) -> object:
    """A personal value with most of it hidden, safe to print.

    The one masking function: every message, report, load record and
    command-line line passes what it shows through it, a value of a personal
    column with its kind, any other value or text with ``kind="text"``.

    Parameters
    ----------
    value : object
        The value, or a text; missing values are returned as they are.
    kind : {"name", "id_card", "phone", "email", "text"}, optional
        What the value is; guessed from its form when omitted (ID-card number,
        mobile number, else treated as a name). ``"text"``: a message, a cell
        of a column not known to be personal or a row's text, shown as it is
        except for the ID-card and mobile numbers in it and a name after a
        word that introduces one (``填表人：王小明`` → ``填表人：王**``).

    Returns
    -------
    str
        Names keep their first character (``张*``, ``欧***``); ID-card numbers
        their first 4 and last 4 characters; mobile numbers their first 3 and
        last 4 digits; e-mail addresses the first character and the domain;
        free text stays as written but for the personal values inside it,
        masked each by its kind (:func:`mask_text` with ``replace="mask"``);
        anything else its first character.

    Examples
    --------
    >>> mask("张伟", "name")
    '张*'
    >>> mask("11010519491231123X", "id_card")
    '1101**********123X'
    >>> mask("+86 138-0013-5678")
    '138****5678'
    >>> mask("填表人：王小明 联系电话：13812345678", "text")
    '填表人：王** 联系电话：138****5678'
    >>> mask("`11010519491231002X` is not a date.", "text"), mask("C01", "text")
    ('`1101**********002X` is not a date.', 'C01')
    >>> mask(None) is None
    True
    """
    if value is None or value is pd.NA or value is pd.NaT or (
            isinstance(value, float) and np.isnan(value)):
        return value
    if kind == "text":
        return _mask_in_text(str(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if kind == "email" and "@" in text[1:]:
        return text[0] + "***" + text[text.rindex("@"):]
    if kind is None:
        kind = looks_personal(text) or "name"
    if kind == "phone":
        digits = _canonical_value(text, "phone")
        if len(digits) >= 7:
            return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if kind == "id_card" and len(text) >= 9:
        return text[:4] + "*" * (len(text) - 8) + text[-4:]
    if not text:
        return text
    return text[0] + "*" * max(len(text) - 1, 1)
