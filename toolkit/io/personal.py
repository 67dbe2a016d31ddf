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

import difflib
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit import schema
from toolkit.errors import ColumnNotFoundError

__all__ = ["PERSONAL_COLUMNS", "find_personal", "is_id_card", "mask", "pseudonymise"]

Kind = Literal["name", "id_card", "phone"]

#: Columns of :func:`find_personal`'s result.
PERSONAL_COLUMNS = ["column", "kind", "n_values", "share_matching", "reason"]

#: Share of a column's values that must match a pattern for the column to count.
MIN_SHARE = 0.5

_NAME_HEADERS = {
    schema.clean_header(h)
    for h in ("姓名", "名字", "名称姓名", "真实姓名", "受访者姓名", "参与者姓名", "委员姓名",
              "联系人", "联系人姓名", "填表人", "户主姓名", "name", "full name", "姓 名",
              "person name", "respondent name")
}
_ID_HEADERS = {schema.clean_header(h) for h in ("身份证号", "身份证号码", "身份证", "公民身份号码",
                                                "证件号码", "id card", "id_card")}
_PHONE_HEADERS = {schema.clean_header(h) for h in ("手机号", "手机号码", "手机", "联系电话",
                                                   "电话", "电话号码", "phone", "mobile")}

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


def _header_kind(name: str) -> Kind | None:
    key = schema.clean_header(name)
    if key in _NAME_HEADERS or key.endswith("姓名"):
        return "name"
    if key in _ID_HEADERS:
        return "id_card"
    if key in _PHONE_HEADERS:
        return "phone"
    return None


def find_personal(data: pd.DataFrame) -> pd.DataFrame:
    """Columns that hold personal data: names, ID-card numbers, mobile numbers.

    Parameters
    ----------
    data : pandas.DataFrame
        Any table, e.g. as returned by ``tk.read_table``.

    Returns
    -------
    pandas.DataFrame
        One row per personal column, in the order of `data`:

        - ``column`` — column name;
        - ``kind`` — ``"name"``, ``"id_card"`` or ``"phone"``;
        - ``n_values`` — non-missing values in the column;
        - ``share_matching`` — share of those values that have the form of the
          kind (a name of 2–5 Chinese characters or Latin words; an ID-card
          number with a valid check character; a mobile number);
        - ``reason`` — why the column was flagged (header, codebook, or values).

    Notes
    -----
    A column counts by its header (``姓名``, ``名字``, ``身份证号``, ``手机号`` …),
    by its codebook entry (``attrs["codebook"][column]["personal"]``, which
    ``read_table(kind=...)`` fills from the schema), or by its values, when at
    least half of them are ID-card numbers with a valid GB 11643 check
    character (or 15-digit old numbers) or mobile numbers ``1[3-9]`` + 9 digits
    (with optional ``+86``/``86``, spaces and dashes). Names are not guessed from
    values alone: too many short Chinese words look like names.

    References
    ----------
    GB 11643-1999, Citizen identification number (check character: ISO 7064
    MOD 11-2).

    Examples
    --------
    >>> df = pd.DataFrame({"编号": ["P1", "P2"],
    ...                    "证件": ["11010519491231002X", "110105491231002"]})
    >>> found = tk.io.find_personal(df)
    >>> found[["column", "kind", "share_matching"]]
      column     kind  share_matching
    0     证件  id_card             1.0
    >>> found.loc[0, "reason"]
    '100% of values are mainland ID-card numbers (check character verified)'
    """
    book = data.attrs.get("codebook") or {}
    record = data.attrs.get("load_record")
    table = schema.TABLES.get(getattr(record, "table", None) or "")
    rows = []
    for name in data.columns:
        values = data[name]
        if isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(
                values.dtype) or pd.api.types.is_datetime64_any_dtype(values.dtype):
            continue
        if pd.api.types.is_float_dtype(values.dtype) and not np.all(
                np.nan_to_num(values.to_numpy(dtype="float64")) % 1 == 0):
            continue
        arr = _text_array(values)
        n = len(arr)
        declared = (book.get(name) or {}).get("personal")
        by_header = _header_kind(str(name))
        known = table.get(str(name)) if table is not None else None
        if known is not None and known.personal is None:
            by_header = None  # a canonical non-personal column, e.g. units.name (a place)
        checks = {"id_card": _id_card_ok, "phone": _phone_ok, "name": _name_ok}
        kind, reason = None, ""
        if declared in checks:
            kind, reason = declared, "the codebook marks it personal"
        elif by_header is not None:
            kind, reason = by_header, f"header `{name}`"
        share = {}
        if kind is None and n:
            for candidate in ("id_card", "phone"):
                share[candidate] = float(checks[candidate](arr).mean())
            best = max(share, key=share.get)
            if share[best] >= MIN_SHARE:
                kind = best
                what = ("mainland ID-card numbers (check character verified)"
                        if best == "id_card" else "mobile phone numbers")
                reason = f"{share[best]:.0%} of values are {what}"
        if kind is None:
            continue
        matching = share.get(kind)
        if matching is None:
            matching = float(checks[kind](arr).mean()) if n else 0.0
        rows.append({"column": name, "kind": kind, "n_values": n,
                     "share_matching": round(matching, 4), "reason": reason})
    return pd.DataFrame(rows, columns=PERSONAL_COLUMNS)


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
        for name in targets:
            if name not in data.columns:
                close = difflib.get_close_matches(str(name), list(map(str, data.columns)), n=3,
                                                    cutoff=0.5)
                hint = (" Did you mean " + ", ".join(f"`{c}`" for c in close) + "?") if close \
                    else ""
                msg = (f"Column `{name}` named in `columns` is not in `data`.{hint} Columns: "
                       f"{', '.join(map(str, data.columns))}.")
                raise ColumnNotFoundError(msg)
    out = data.copy()
    book = {k: dict(v) for k, v in (data.attrs.get("codebook") or {}).items()}
    for name in targets:
        kind = kinds.get(name) or _header_kind(str(name))
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


def mask(value: object, kind: str | None = None) -> object:
    """A personal value with most of it hidden, safe to print.

    Parameters
    ----------
    value : object
        The value; missing values are returned as they are.
    kind : {"name", "id_card", "phone"}, optional
        What the value is; guessed from its form when omitted (ID-card number,
        mobile number, else treated as a name).

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
    >>> mask(None) is None
    True
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if kind is None:
        if is_id_card(text):
            kind = "id_card"
        elif re.fullmatch(_PHONE, re.sub(r"[\s\-()（）]", "", text)):
            kind = "phone"
        else:
            kind = "name"
    if kind == "phone":
        digits = _canonical_value(text, "phone")
        if len(digits) >= 7:
            return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if kind == "id_card" and len(text) >= 9:
        return text[:4] + "*" * (len(text) - 8) + text[-4:]
    if not text:
        return text
    return text[0] + "*" * max(len(text) - 1, 1)
