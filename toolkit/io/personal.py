"""Personal data: find it, replace it with keyed pseudonyms, mask it for display.

Files from district offices carry names (姓名), mainland ID-card numbers
(公民身份号码) and mobile numbers. None of them may reach a published table or a
printed message:

- :func:`find_personal` lists the columns that hold them, by header, by the
  schema and codebook, and by the values themselves (ID-card numbers with a
  valid GB 11643 check character, mobile numbers ``1[3-9]xxxxxxxxx``);
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
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit import schema
from toolkit._checks import is_study, refuse_large, require_columns
from toolkit.errors import ArgumentTypeError
from toolkit.io.kinds import check_kind

__all__ = [
    "PERSONAL_COLUMNS",
    "find_personal",
    "is_id_card",
    "looks_personal",
    "mask",
    "pseudonymise",
    "schema_personal_columns",
]

Kind = Literal["name", "id_card", "phone"]

#: Columns of :func:`find_personal`'s result.
PERSONAL_COLUMNS = ["table", "column", "kind", "found_by", "n_values", "n_matching",
                    "share_matching", "reason"]

#: Share of a column's values that must match a pattern for the column to count.
MIN_SHARE = 0.5

#: Header words that mark a column as personal, by kind (besides the schema's own
#: spellings of its personal columns).
_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "名称姓名", "真实姓名", "受访者姓名", "参与者姓名", "委员姓名",
             "联系人", "联系人姓名", "填表人", "户主姓名", "full name", "person name",
             "respondent name"),
    "id_card": ("身份证号", "身份证号码", "身份证", "公民身份号码", "证件号码", "id card"),
    "phone": ("手机号", "手机号码", "手机", "联系电话", "电话", "电话号码", "mobile"),
}


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
    if kind is None and key.endswith("姓名"):
        kind = "name"
    if kind is not None:
        return kind, "header", f"header `{column}`"
    return None, "", ""


_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_ID18 = r"^[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]$"
_ID15 = r"^[1-9]\d{5}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}$"
_PHONE = r"^(\+?86)?1[3-9]\d{9}$"
_NAME = r"^([\p{Han}·]{2,5}|[A-Za-z][A-Za-z .'-]{1,40})$"


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


_FORMS = {"id_card": _id_card_ok, "phone": _phone_ok, "name": _name_ok}
_FORM_WORDS = {"id_card": "mainland ID-card numbers (check character verified)",
               "phone": "mobile phone numbers"}


def _table_rows(frame: pd.DataFrame, table: str | None) -> list[dict[str, object]]:
    """The rows of :func:`find_personal` for one table."""
    book = frame.attrs.get("codebook") or {}
    columns = {str(c) for c in frame.columns}
    rows = []
    for name in frame.columns:
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
            continue
        if n_matching is None and kind in _FORMS:
            n_matching = int(_FORMS[kind](arr).sum()) if n else 0
        share = (round(n_matching / n, 4) if n else 0.0) if n_matching is not None else np.nan
        rows.append({"table": table, "column": name, "kind": kind, "found_by": found_by,
                     "n_values": n, "n_matching": n_matching, "share_matching": share,
                     "reason": reason})
    return rows


def find_personal(data: pd.DataFrame | Any, *, kind: str | None = None) -> pd.DataFrame:
    """Columns that hold personal data: names, ID-card numbers, mobile numbers.

    The one detector of personal columns: validation (which masks their
    values), the study's codebook, pseudonymisation by the manifest and the
    guard of published tables all use its answer.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        Any table, e.g. as returned by ``tk.read_table``, or a Study (every
        table is searched).
    kind : str, optional
        Table kind of a DataFrame (``"participants"``, ``"survey"`` …), so that
        its canonical columns are judged by the schema. Defaults to the kind
        named by the frame's load record; not used with a Study.

    Returns
    -------
    pandas.DataFrame
        One row per personal column, in the order of the tables and of their
        columns (the columns of :data:`PERSONAL_COLUMNS`):

        - ``table`` — the table kind (from `kind`, the load record or the
          Study), or None when it is not known;
        - ``column`` — column name;
        - ``kind`` — ``"name"``, ``"id_card"`` or ``"phone"`` (or the kind a
          codebook declares, e.g. ``"email"``);
        - ``found_by`` — ``"codebook"`` (the codebook entry's ``personal``,
          which ``read_table(kind=...)`` fills from the schema), ``"schema"``
          (a canonical personal column), ``"header"`` (a header such as
          ``姓名``, ``身份证号``, ``联系电话``) or ``"content"`` (the values);
        - ``n_values`` — non-missing values in the column;
        - ``n_matching`` — how many of those have the form of the kind (a
          name of 2–5 Chinese characters or Latin words; an ID-card number
          with a valid check character; a mobile number); missing for kinds
          without a form;
        - ``share_matching`` — ``n_matching / n_values`` (rounded to 4 places);
        - ``reason`` — why the column was flagged, in words.

    Raises
    ------
    toolkit.errors.ArgumentError
        When `kind` is not a table kind.
    toolkit.errors.ArgumentTypeError
        When `data` is neither a DataFrame nor a Study.

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
       (``手机号码``, ``公民身份号码`` …) and other words for them (``户主姓名``,
       any header ending in ``姓名``, ``联系人``, ``电话号码`` …);
    4. the values: at least half of them are ID-card numbers with a valid
       GB 11643 check character (or 15-digit old numbers) or mobile numbers
       ``1[3-9]`` + 9 digits (with optional ``+86``/``86``, spaces and
       dashes). Names are not guessed from values alone: too many short
       Chinese words look like names.

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
    """
    if kind is not None:
        check_kind(kind)
    if is_study(data):
        rows = [row for name in data.tables for row in _table_rows(data.table(name), name)]
    else:
        frame = _frame(data)
        if kind is None:
            kind = getattr(frame.attrs.get("load_record"), "table", None)
            kind = kind if kind in schema.TABLES else None
        rows = _table_rows(frame, kind)
    out = pd.DataFrame(rows, columns=PERSONAL_COLUMNS)
    out["n_values"] = out["n_values"].astype("int64")
    out["n_matching"] = pd.array(out["n_matching"].tolist(), dtype="Int64")
    out["share_matching"] = out["share_matching"].astype("float64")
    return out


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


def pseudonymise(
    data: pd.DataFrame,
    columns: Sequence[str] | str | None = None,
    *,
    key: str | bytes,
    prefix: str = "P_",
    length: int = 16,
) -> pd.DataFrame:
    """Replace personal values with keyed pseudonyms, so that joins still work.

    Each value becomes ``prefix`` + the first `length` hex characters of
    HMAC-SHA256(`key`, value). The same value and key always give the same
    token, in this table and in any other, so ``merge`` on a pseudonymised id or
    phone number still matches; without the key the tokens cannot be recomputed
    from guesses (a plain hash of a phone number can: there are only 10⁹ of them).

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

    Returns
    -------
    pandas.DataFrame
        A copy of `data` with the columns replaced (text, missing stays
        missing) and their codebook entries marked ``"pseudonymised": True``.

    Raises
    ------
    ValueError
        When `key` is empty.
    toolkit.errors.ColumnNotFoundError
        When a column named is not in `data`.

    Notes
    -----
    Values are put in a standard form before hashing, so that differently
    written copies of the same value match: NFKC and stripped; phone numbers
    without spaces, dashes or the ``+86`` prefix; ID-card numbers upper case.

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
    """
    if key is None or (isinstance(key, str | bytes) and not key):
        msg = (
            "`key` is required and must not be empty: pseudonyms are keyed hashes, and "
            "without a secret key anyone could recompute them from guessed names or phone "
            "numbers. Choose a long random key once per study (e.g. `secrets.token_hex(16)`), "
            "keep it outside the notebook and the data folder (e.g. in an environment "
            "variable, then `key=os.environ[\"STUDY_KEY\"]`), and use the same key for every "
            "table that must be joined."
        )
        raise ValueError(msg)
    secret = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    found = find_personal(data)
    kinds = dict(zip(found["column"], found["kind"], strict=True))
    if columns is None:
        targets = list(found["column"])
    else:
        targets = [columns] if isinstance(columns, str) else list(columns)
        require_columns(data, {"columns": targets}, cutoff=0.5)
    out = data.copy()
    book = {k: dict(v) for k, v in (data.attrs.get("codebook") or {}).items()}
    for name in targets:
        kind = kinds.get(name)
        values = data[name]
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        tokens = []
        for u in uniques:
            text = str(int(u)) if isinstance(u, float) and float(u).is_integer() else str(u)
            tokens.append(_token(_canonical_value(text, kind), secret, prefix, length))
        uniq = pd.array(tokens, dtype="str") if tokens else pd.array([], dtype="str")
        out[name] = pd.Series(uniq.take(codes, allow_fill=True), index=data.index)
        entry = book.setdefault(name, {})
        entry["pseudonymised"] = True
        if kind:
            entry.setdefault("personal", kind)
    out.attrs["codebook"] = book
    return out


#: Personal values inside a text, for ``mask(text, "text")``: 18-character ID-card
#: numbers (whatever their check character: a mistyped one is still personal), mobile
#: numbers, and a name after a word that introduces one (``填表人：王小明``).
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<![\d+])(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
_ONE_NUMBER = re.compile(r"[\s\d+Xx()（）\-]+")
_NAME_WORDS = tuple(sorted(
    {w for w in _HEADER_WORDS["name"] if not w.isascii()}
    | {"填报人", "负责人", "户主", "经办人", "制表人", "审核人", "统计人", "联系人"},
    key=len, reverse=True))
_NAME_IN_TEXT = re.compile(
    "(?P<label>" + "|".join(map(re.escape, _NAME_WORDS)) + r")(?P<sep>\s*[:：]\s*)"
    r"(?P<name>[\u4e00-\u9fff·]{2,4})")


def _mask_in_text(text: str) -> str:
    """`text` with every personal value in it masked, the rest as it is."""
    if not any(ch.isdigit() for ch in text) and not any(w in text for w in _NAME_WORDS):
        return text
    whole = looks_personal(text) if _ONE_NUMBER.fullmatch(text) else None
    if whole is not None:
        return str(mask(text, whole))
    text = _ID_IN_TEXT.sub(lambda m: str(mask(m.group(), "id_card")), text)
    text = _PHONE_IN_TEXT.sub(lambda m: str(mask(m.group(), "phone")), text)
    return _NAME_IN_TEXT.sub(
        lambda m: m["label"] + m["sep"] + str(mask(m["name"], "name")), text)


def mask(value: object, kind: str | None = None) -> object:
    """A personal value with most of it hidden, safe to print.

    The one masking function: every message, report, load record and
    command-line line passes what it shows through it, a value of a personal
    column with its kind, any other value or text with ``kind="text"``.

    Parameters
    ----------
    value : object
        The value, or a text; missing values are returned as they are.
    kind : {"name", "id_card", "phone", "text"}, optional
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
        last 4 digits; anything else its first character.

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
