r"""Detecting the text encoding of a file without ever corrupting its text.

Offices save CSV files in UTF-8 (often with a byte-order mark, as Excel's
"CSV UTF-8" does), in GBK or GB18030 (Excel's plain "CSV" on a Chinese
Windows), and sometimes in UTF-16 (Excel's "Unicode text"). The order of trial
matters: UTF-8 is tried first and *strictly*, because almost no GBK text is
valid UTF-8 by accident, while nearly any byte string decodes as *something*
in a legacy code page. GB18030 is a superset of GBK and GB2312, so one trial
covers all three.

Decoding without an error is not enough: a Big5 (traditional Chinese) or
Shift-JIS (Japanese) file decodes as GB18030 too, into nonsense such as
``絪腹,﹎跋``. A GB18030 reading is therefore accepted only when its text is
plausible for this domain (:func:`implausible`): almost every character of
simplified-Chinese office data is an ASCII character, a GB2312 character or
common punctuation, while such a misreading is full of private-use
characters, kana, rare and traditional-only characters. When it is not
plausible, the error names the encodings tried and those that read the file
plausibly, with ``encoding=`` as the fix.

A UTF-8 file with a few stray bytes (a cell pasted from another program) is
still UTF-8: :func:`utf8_damage` finds those bytes, and the CSV reader reports
each at its row and column instead of switching the codec for the whole file.
Nothing is decoded with ``errors="replace"`` silently.

Examples
--------
>>> detect_encoding("日期".encode("utf-8"))
'utf-8'
>>> detect_encoding(b"\xef\xbb\xbf" + "日期".encode("utf-8"))
'utf-8-sig'
>>> detect_encoding("日期".encode("gb18030"))
'gb18030'
>>> implausible("编号,社区\nR1,东城")  # plausible: None
>>> print(implausible("絪腹,﹎\ue6bd,\ue01f跋"))
4 of 6 non-ASCII characters are private-use, rare or traditional-only (e.g. '絪', ...)
"""

from __future__ import annotations

import codecs
import re
import threading
from collections import Counter
from dataclasses import dataclass

import pyarrow as pa

from toolkit.errors import ReadError

__all__ = [
    "BOMS",
    "CANDIDATES",
    "check_decodes",
    "detect_encoding",
    "implausible",
    "normalise_encoding_name",
    "repair_utf8",
    "strip_bom",
    "utf8_damage",
]

#: Byte-order marks and the encoding each announces.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Legacy encodings tried, in order, with the name a user would pass as ``encoding=``.
#: Big5 and Shift-JIS are read through their Windows supersets (cp950, cp932).
CANDIDATES: tuple[tuple[str, str], ...] = (
    ("gb18030", "gb18030"),
    ("cp950", "big5"),
    ("cp932", "shift_jis"),
)

_ALIASES = {
    "utf8": "utf-8", "utf-8": "utf-8", "utf_8": "utf-8",
    "utf-8-sig": "utf-8-sig", "utf8-sig": "utf-8-sig", "utf_8_sig": "utf-8-sig",
    "gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "gb18030": "gb18030",
    "936": "gb18030", "ms936": "gb18030",
    "big5": "cp950", "cp950": "cp950", "ms950": "cp950",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "cp932": "cp932",
    "ms932": "cp932",
}

#: Share of non-ASCII characters that may be odd (private-use, kana, rare or
#: traditional-only) before a legacy decoding is judged a misreading.
ODD_SHARE = 0.1


def normalise_encoding_name(encoding: str) -> str:
    """Canonical codec name; GBK and GB2312 are read as their superset GB18030.

    Examples
    --------
    >>> normalise_encoding_name("GBK")
    'gb18030'
    >>> normalise_encoding_name("Big5")
    'cp950'
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


# ---------------------------------------------------------------------------
# Plausibility of a decoded text
# ---------------------------------------------------------------------------

_CLASS: dict[str, str] = {}


def _char_class(char: str) -> str:
    """``ascii``, ``ok`` (GB2312 character or common punctuation) or ``odd``."""
    found = _CLASS.get(char)
    if found is not None:
        return found
    code = ord(char)
    if code < 0x80:
        kind = "ascii"
    elif 0xE000 <= code <= 0xF8FF or code >= 0xF0000:
        kind = "odd"  # private use: what a misread lead byte becomes
    else:
        try:
            raw = char.encode("gb2312")
        except UnicodeEncodeError:
            # outside GB2312: rare and traditional-only characters of GBK's
            # two-byte range are odd; characters GB18030 writes in four bytes
            # (CJK extensions, other scripts) never come from a misreading,
            # whose bytes are never an ASCII digit in second position
            try:
                char.encode("gbk")
            except UnicodeEncodeError:
                kind = "ok"
            else:
                kind = "odd" if code != 0x20AC else "ok"  # the euro sign is common
        else:
            # GB2312 rows 4-7 and 9 (kana, Greek, Cyrillic, box drawing) are odd
            kind = "odd" if raw[0] in (0xA4, 0xA5, 0xA6, 0xA7, 0xA9) else "ok"
    _CLASS[char] = kind
    return kind


@dataclass(frozen=True)
class _Profile:
    non_ascii: int
    odd: int
    examples: tuple[str, ...]


def _profile(text: str) -> _Profile:
    counts = Counter(text)
    non_ascii = odd = 0
    examples: list[tuple[int, str]] = []
    for char, n in counts.items():
        kind = _char_class(char)
        if kind == "ascii":
            continue
        non_ascii += n
        if kind == "odd":
            odd += n
            examples.append((-n, char))
    shown = tuple(c for _, c in sorted(examples)[:5])
    return _Profile(non_ascii, odd, shown)


def implausible(text: str) -> str | None:
    r"""Why `text` is not plausible as simplified-Chinese office data, or None.

    A text is implausible when at least 10% of its non-ASCII characters (and
    at least three, or every one) are private-use characters, kana, Greek or
    Cyrillic letters, box drawing, or Chinese characters outside GB2312 that
    GBK writes in two bytes (rare and traditional-only characters). Real
    ledgers, even with a rare character in some names, stay far below that;
    a Big5, Shift-JIS or UTF-8 file read as GB18030 lies far above it.

    Parameters
    ----------
    text : str
        Decoded text (a sample is enough).

    Returns
    -------
    str or None
        A sentence giving the counts and example characters, or None when the
        text is plausible.

    Examples
    --------
    >>> implausible("姓名,面积（㎡）\n张伟,80\n李娜,95") is None
    True
    >>> print(implausible("斣崋,柤慜"))
    4 of 4 non-ASCII characters are private-use, rare or traditional-only (e.g. '崋', ...)
    """
    prof = _profile(text)
    if not prof.odd:
        return None
    if prof.odd < ODD_SHARE * prof.non_ascii or (prof.odd < 3 and prof.odd < prof.non_ascii):
        return None
    shown = ", ".join(repr(c) for c in prof.examples)
    return (f"{prof.odd} of {prof.non_ascii} non-ASCII characters are private-use, rare or "
            f"traditional-only (e.g. {shown})")


# ---------------------------------------------------------------------------
# UTF-8 with a few stray bytes
# ---------------------------------------------------------------------------

_SURROGATE = re.compile("[\udc80-\udcff]+")
_MULTIBYTE = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")


@dataclass(frozen=True)
class Utf8Damage:
    """Where a mostly-UTF-8 text has bytes that are not UTF-8.

    Attributes
    ----------
    spans : list of (int, int)
        Byte offsets ``[start, end)`` of each invalid sequence, in file order.
    multibyte : int
        Number of valid non-ASCII characters (evidence that the file is UTF-8).
    """

    spans: list[tuple[int, int]]
    multibyte: int

    @property
    def mostly_utf8(self) -> bool:
        """True when valid UTF-8 characters outnumber the runs of stray bytes 5 to 1.

        In a GBK or Big5 file the few byte pairs that happen to be valid UTF-8
        split the invalid runs, so such a file never comes near that ratio.
        """
        return bool(self.spans) and 5 * len(self.spans) <= self.multibyte

    @property
    def n_bytes(self) -> int:
        """Number of stray bytes."""
        return sum(end - start for start, end in self.spans)


def utf8_damage(data: bytes) -> Utf8Damage:
    r"""The byte spans of `data` that are not valid UTF-8, and the valid characters.

    Examples
    --------
    >>> d = utf8_damage("编号,社区\n".encode() + b"R1,\xff\n")
    >>> d.spans, d.multibyte
    ([(17, 18)], 4)
    """
    text = data.decode("utf-8", "surrogateescape")
    multibyte = len(_MULTIBYTE.findall(text))
    spans: list[tuple[int, int]] = []
    if not _SURROGATE.search(text):
        return Utf8Damage(spans, multibyte)
    # map character positions back to byte offsets, one run of stray bytes at a time
    byte_at = 0
    char_at = 0
    for match in _SURROGATE.finditer(text):
        byte_at += len(text[char_at:match.start()].encode("utf-8", "surrogateescape"))
        for _ in range(match.end() - match.start()):
            spans.append((byte_at, byte_at + 1))
            byte_at += 1
        char_at = match.end()
    return Utf8Damage(_merge(spans), multibyte)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


_REPAIRED: list[tuple[int, int]] = []
_REPAIR_LOCK = threading.Lock()


def _mark(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeDecodeError):  # pragma: no cover - decoding only
        raise err
    _REPAIRED.append((err.start, err.end))
    return "\ufffd", err.end


codecs.register_error("toolkit.mark", _mark)


def repair_utf8(data: bytes) -> tuple[bytes, list[tuple[int, int]]]:
    r"""`data` with each invalid UTF-8 sequence replaced by U+FFFD, and their byte spans.

    The caller reports every span at its row: nothing is replaced silently.

    Examples
    --------
    >>> repair_utf8(b"a,\xff\n")
    (b'a,\xef\xbf\xbd\n', [(2, 3)])
    """
    with _REPAIR_LOCK:
        _REPAIRED.clear()
        text = data.decode("utf-8", "toolkit.mark")
        spans = list(_REPAIRED)
        _REPAIRED.clear()
    return text.encode("utf-8"), spans


# ---------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------


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


def _first_line(text: str) -> str:
    line = text.split("\n", 1)[0].strip("\r\ufeff")
    return line[:60] + ("…" if len(line) > 60 else "")


def _trial(data: bytes, codec: str) -> tuple[str | None, str]:
    """Decode `data` strictly; (text, what happened) — text None when it fails."""
    try:
        text = codecs.decode(data, codec, "strict")
    except UnicodeDecodeError as err:
        return None, f"invalid at byte {err.start}"
    return text, "decodes"


def _legacy(data: bytes, *, final: bool = True) -> tuple[str | None, list[str], list[str]]:
    """First legacy encoding reading `data` plausibly, else (None, what was tried, offers).

    GB18030 is accepted when plausible; Big5 and Shift-JIS are never chosen
    silently, only offered (with the first line as it reads) for ``encoding=``.
    """
    tried, offers = [], []
    for codec, shown in CANDIDATES:
        decoder = codecs.getincrementaldecoder(codec)(errors="strict")
        try:
            text = decoder.decode(data, final=final)
        except UnicodeDecodeError as err:
            tried.append(f"{shown} (invalid at byte {err.start})")
            continue
        if codec == "gb18030":
            why = implausible(text)
            if why is None:
                return codec, tried, offers
            tried.append(f"{shown} (decodes, but {why})")
            continue
        tried.append(f"{shown} (decodes: {_first_line(text)!r})")
        if _offered(text):
            offers.append(shown)
    return None, tried, offers


def _offered(text: str) -> bool:
    """Whether a Big5/Shift-JIS reading is worth offering: few odd characters.

    Odd there: private use, replacement characters and half-width katakana
    (what Big5 bytes become in Shift-JIS).
    """
    non_ascii = odd = 0
    for char, n in Counter(text).items():
        code = ord(char)
        if code < 0x80:
            continue
        non_ascii += n
        if 0xE000 <= code <= 0xF8FF or 0xFF61 <= code <= 0xFF9F or code == 0xFFFD:
            odd += n
    return non_ascii > 0 and odd < ODD_SHARE * non_ascii


def not_plausible_error(
    file: object, *, tried: list[str], offers: list[str], first: str = "UTF-8 (invalid)"
) -> ReadError:
    """The error for a file that no encoding reads plausibly (what was tried, the fix)."""
    fix = (f"If the line shown reads right, pass `encoding=\"{offers[0]}\"`; "
           if offers else "Pass the encoding the file was saved in as `encoding=`; ")
    msg = (f"Cannot tell the encoding of `{file}`: no encoding tried reads it as plausible "
           f"text. Tried: {first}; {'; '.join(tried)}. {fix}or open it in the program that "
           "wrote it and save it again as \"CSV UTF-8\". If it really is GBK/GB18030, pass "
           "`encoding=\"gb18030\"`.")
    return ReadError(msg)


def decide(data: bytes, *, file: object = None, final: bool = True) -> tuple[str, bool]:
    """The encoding of `data` and whether it is UTF-8 with stray bytes to report.

    BOM, strict UTF-8, UTF-8 with stray bytes (valid characters outnumber them
    5 to 1), plausible GB18030, then UTF-8 with at most 20 runs of stray bytes
    making up at most 2% of the bytes;
    otherwise :class:`ReadError` naming every encoding tried. `final` is False
    when `data` is only the beginning of a file (a character may be cut).
    """
    for bom, name in BOMS:
        if data.startswith(bom):
            return name, False
    try:
        codecs.getincrementaldecoder("utf-8")(errors="strict").decode(data, final=final)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", False
    damage = utf8_damage(data if final else data[: max(len(data) - 3, 0)])
    if damage.mostly_utf8:
        return "utf-8", True
    codec, tried, offers = _legacy(data, final=final)
    if codec is not None:
        return codec, False
    if damage.spans and len(damage.spans) <= 20 and 50 * damage.n_bytes <= len(data) \
            and not offers:
        return "utf-8", True  # an ASCII file with a stray byte or two
    first = (f"UTF-8 ({len(damage.spans)} invalid byte sequence(s), the first at byte "
             f"{damage.spans[0][0]})" if damage.spans else "UTF-8 (invalid)")
    raise not_plausible_error(file, tried=tried, offers=offers, first=first)


def detect_encoding(data: bytes, *, file: object = None, verify: bool = True) -> str:
    r"""Detect the encoding of `data`: BOM, then strict UTF-8, then plausible GB18030.

    Parameters
    ----------
    data : bytes
        The whole content of the file (or its beginning, cut at a line break).
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
        When the bytes are neither valid UTF-8 nor plausible GB18030 (a Big5 or
        Shift-JIS file, for instance): the message names the file, the
        encodings tried (with the byte where each failed, or why its text is
        implausible), those that read it, and asks for ``encoding=``. Also for
        a UTF-8 file with stray bytes: :func:`toolkit.io.read_table` reads
        such a file and reports each stray byte at its row.

    Examples
    --------
    >>> detect_encoding(b"\xff\xfe" + "编号".encode("utf-16-le"))
    'utf-16'
    >>> detect_encoding(b"a,b\n\xff\xff\xff", file="bad.csv")
    Traceback (most recent call last):
    ...
    toolkit.errors.ReadError: Cannot read `bad.csv` as text: byte 4 ...
    >>> detect_encoding("編號,姓名\n張偉,陳曉明".encode("big5"), file="big5.csv")
    Traceback (most recent call last):
    ...
    toolkit.errors.ReadError: Cannot tell the encoding of `big5.csv`: ... `encoding="big5"`...
    """
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    if _is_utf8(data):
        return "utf-8"
    try:
        name, damaged = decide(data, file=file)
    except ReadError:
        if verify:
            # a byte no encoding accepts: name it (the usual message for damage)
            codec, _, offers = _legacy(data)
            if codec is None and not offers:
                check_decodes(data, "gb18030", file=file, tried=("UTF-8", "GB18030/GBK"))
        raise
    if damaged:
        spans = utf8_damage(data).spans
        start, end = spans[0]
        msg = (f"Cannot read `{file}` as text: byte {start} ({data[start:end]!r}) is not "
               f"valid UTF-8, although the rest of the file is UTF-8 ({len(spans)} stray "
               "byte sequence(s) in all). Correct those bytes, pass `encoding=` if the file "
               "is in another encoding, or read it with `tk.io.read_table`, which reports "
               "each stray byte at its row and column.")
        raise ReadError(msg)
    return name
