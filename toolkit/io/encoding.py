r"""Detecting the text encoding of a file without ever corrupting its text.

Offices save CSV files in UTF-8 (often with a byte-order mark, as Excel's
"CSV UTF-8" does), in GBK or GB18030 (Excel's plain "CSV" on a Chinese
Windows), and sometimes in UTF-16 (Excel's "Unicode text"). The order of trial
matters: UTF-8 is tried first and *strictly*, because almost no GBK text is
valid UTF-8 by accident, while nearly any byte string decodes as *something*
in a legacy code page. GB18030 is a superset of GBK and GB2312, so one trial
covers all three. Nothing is decoded with ``errors="replace"``: when neither
decodes, :func:`detect_encoding` raises and says at which byte.

Examples
--------
>>> detect_encoding("日期".encode("utf-8"))
'utf-8'
>>> detect_encoding(b"\xef\xbb\xbf" + "日期".encode("utf-8"))
'utf-8-sig'
>>> detect_encoding("日期".encode("gb18030"))
'gb18030'
"""

from __future__ import annotations

import codecs

import pyarrow as pa

from toolkit.errors import ReadError

__all__ = ["BOMS", "check_decodes", "detect_encoding", "normalise_encoding_name", "strip_bom"]

#: Byte-order marks and the encoding each announces.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_ALIASES = {
    "utf8": "utf-8", "utf-8": "utf-8", "utf_8": "utf-8",
    "utf-8-sig": "utf-8-sig", "utf8-sig": "utf-8-sig", "utf_8_sig": "utf-8-sig",
    "gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "gb18030": "gb18030",
    "936": "gb18030", "ms936": "gb18030",
}


def normalise_encoding_name(encoding: str) -> str:
    """Canonical codec name; GBK and GB2312 are read as their superset GB18030.

    Examples
    --------
    >>> normalise_encoding_name("GBK")
    'gb18030'
    """
    name = codecs.lookup(encoding).name  # raises LookupError for unknown names
    return _ALIASES.get(encoding.lower(), _ALIASES.get(name, name))


def _is_utf8(raw: bytes) -> bool:
    """Strict UTF-8 validity, checked by Arrow without building a Python string."""
    try:
        pa.array([raw], type=pa.large_binary()).cast(pa.large_string())
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return False
    return True


def strip_bom(raw: bytes, encoding: str) -> bytes:
    """Remove a UTF-8 byte-order mark the encoding name announces."""
    if encoding == "utf-8-sig" and raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):]
    return raw


def check_decodes(
    raw: bytes, encoding: str, *, file: object = None, tried: tuple[str, ...] | None = None
) -> None:
    """Raise :class:`ReadError` when `raw` does not decode strictly as `encoding`.

    The message names the file, the byte offset of the first undecodable byte,
    and tells the user to pass ``encoding=``.
    """
    if encoding in ("utf-8", "utf-8-sig"):
        if _is_utf8(strip_bom(raw, encoding)):
            return
    try:
        codecs.decode(raw, encoding, "strict")
    except UnicodeDecodeError as err:
        raise _decode_error(raw, file=file, tried=tried or (encoding,), err=err) from None


def _decode_error(
    raw: bytes, *, file: object, tried: tuple[str, ...], err: UnicodeDecodeError
) -> ReadError:
    start = max(err.start - 8, 0)
    around = raw[start:err.start + 8]
    msg = (
        f"Cannot read `{file}` as text: byte {err.start} ({raw[err.start:err.start + 1]!r}, "
        f"near {around!r}) is not valid in {' or '.join(tried)}. The file may be in another "
        "encoding, or damaged. Pass the encoding it was saved in, e.g. "
        "`encoding=\"big5\"` or `encoding=\"utf-16\"`, or open it in Excel and save it again "
        "as \"CSV UTF-8\"."
    )
    return ReadError(msg)


def detect_encoding(data: bytes, *, file: object = None, verify: bool = True) -> str:
    r"""Detect the encoding of `data`: BOM, then strict UTF-8, then GB18030.

    Parameters
    ----------
    data : bytes
        The whole content of the file.
    file : str or Path, optional
        Name used in the error message.
    verify : bool, default True
        Check that the whole of `data` decodes strictly as GB18030 before
        answering ``"gb18030"``. Readers that decode strictly anyway pass
        False and call :func:`check_decodes` when their decoding fails.

    Returns
    -------
    str
        ``"utf-8-sig"`` or ``"utf-16"`` (announced by a byte-order mark),
        ``"utf-8"``, or ``"gb18030"`` (also covers GBK and GB2312).

    Raises
    ------
    toolkit.errors.ReadError
        When the bytes are neither valid UTF-8 nor valid GB18030; the message
        names the file and the byte offset and asks for ``encoding=``.

    Examples
    --------
    >>> detect_encoding(b"\xff\xfe" + "编号".encode("utf-16-le"))
    'utf-16'
    >>> detect_encoding(b"a,b\n\xff\xff\xff", file="bad.csv")
    Traceback (most recent call last):
    ...
    toolkit.errors.ReadError: Cannot read `bad.csv` as text: byte 4 ...
    """
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    if _is_utf8(data):
        return "utf-8"
    if verify:
        check_decodes(data, "gb18030", file=file, tried=("UTF-8", "GB18030/GBK"))
    return "gb18030"
