"""Chinese word segmentation with the domain dictionary, stop words and masked personal data.

The segmenter is jieba's algorithm (prefix dictionary, maximum-probability path,
HMM for unknown words) as implemented in Rust by ``jieba-rs`` (``rjieba``): the
same dictionary and the same splits as the Python ``jieba`` package, more than
ten times faster, with the dictionary built into the library (nothing is cached
on disk, so parallel workers never race and nothing is downloaded).

On top of it the toolkit adds

- a bundled **domain dictionary** (``data/domain_words.txt``) plus every term of
  the vocabularies in :mod:`toolkit.schema`, so 居民议事会, 协商议事, 社情民意,
  委员工作室, 全过程人民民主 and the platform names stay whole;
- bundled **stop words**: general function words and the formulaic words of the
  genre (建议, 进一步, 加强 …), see :func:`stopwords`;
- **personal data masked** before anything else: phone, ID-card numbers,
  e-mail addresses, names marked by their context (``联系人：王小明``) and names
  you list become ``〔电话〕``, ``〔身份证号〕`` … and never become tokens (the
  detector is ``tk.io``'s, :class:`toolkit.io.personal.TextScanner`).

Examples
--------
>>> seg = tk.text.Segmenter()
>>> seg.cut("建议召开居民议事会协商议事，联系电话13812345678")
['建议', '召开', '居民议事会', '协商议事', ',', '联系电话', '〔电话〕']
"""

from __future__ import annotations

import importlib.resources
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import check_choice, require_columns
from toolkit.errors import ArgumentError, ArgumentTypeError, ToolkitWarning
from toolkit.io.personal import PLACEHOLDERS, TextScanner
from toolkit.text._large import ID_COLUMNS, map_texts
from toolkit.text._large import text_columns as _text_columns

__all__ = ["DROP", "Segmenter", "check", "domain_words", "stopwords", "tokens"]

#: What a segmenter leaves out of token tables, counts and keywords by default.
DROP: tuple[str, ...] = ("punctuation", "numbers", "stopwords", "personal")
_DROP_KINDS = ("punctuation", "numbers", "stopwords", "personal", "single")

#: Vocabularies of :mod:`toolkit.schema` whose terms join the domain dictionary.
_VOCABULARIES = ("platform", "participant_type", "stage", "role", "channel", "escalation",
                 "committee", "sector", "topic_category", "gate", "instruction_level")


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")
_NUMBER = re.compile(r"^[\d.,%+\-]+$|^[\d.]+[万亿千百]?$")
_PLACEHOLDERS = frozenset(PLACEHOLDERS.values())


#: Full-width ASCII and the ideographic space, mapped as NFKC maps them (a fast path).
_FULLWIDTH = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}


def nfkc(text: str) -> str:
    """`text` in Unicode NFKC form (fast for Chinese text that needs only full-width ASCII mapped).

    Examples
    --------
    >>> nfkc("电话：１３８，ＡＢ")
    '电话:138,AB'
    """
    text = text.translate(_FULLWIDTH)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC",
                                                                                        text)


def _data_file(name: str) -> Any:
    return importlib.resources.files("toolkit.text").joinpath("data", name)


def _read_lines(resource: Any) -> list[str]:
    text = resource.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


@lru_cache(maxsize=4)
def stopwords(kind: str = "default") -> frozenset[str]:
    """The bundled stop-word list.

    Parameters
    ----------
    kind : {"default", "general", "genre"}, default "default"
        ``"general"``: Chinese function words, pronouns, particles, measure
        words; ``"genre"``: the formulaic words of proposals and minutes
        (建议, 进一步, 加强, 有关部门 …); ``"default"``: both.

    Returns
    -------
    frozenset of str
        Extend it with ``|``: ``tk.text.stopwords() | {"小区"}``, and pass the
        result as ``Segmenter(stopwords=...)``.

    Examples
    --------
    >>> sw = tk.text.stopwords()
    >>> "的" in sw, "建议" in sw, "建议" in tk.text.stopwords("general")
    (True, True, False)
    """
    check_choice(kind, ("default", "general", "genre"), param="kind")
    words: set[str] = set()
    if kind in ("default", "general"):
        words |= set(_read_lines(_data_file("stopwords_general.txt")))
    if kind in ("default", "genre"):
        words |= set(_read_lines(_data_file("stopwords_genre.txt")))
    return frozenset(words)


_bundled_stopwords = stopwords


def _strip_quotes(term: str) -> str:
    return re.sub(r"[“”\"'‘’「」《》]", "", term)


@lru_cache(maxsize=1)
def _domain_entries() -> tuple[tuple[str, int, str], ...]:
    from toolkit import schema

    entries: dict[str, tuple[str, int, str]] = {}
    for line in _read_lines(_data_file("domain_words.txt")):
        parts = line.split()
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 else 2000
        tag = parts[2] if len(parts) > 2 else "nz"
        entries[word] = (word, freq, tag)
    for name in _VOCABULARIES:
        for term in schema.VOCABULARIES[name].terms:
            for spelling in (term.zh, *term.aliases):
                word = _strip_quotes(spelling)
                if len(word) >= 3 and _CJK.search(word) and word not in entries:
                    entries[word] = (word, 2000, "nz")
    return tuple(entries.values())


def domain_words() -> pd.DataFrame:
    """The domain dictionary: every word kept whole by the segmenter.

    Returns
    -------
    pandas.DataFrame
        ``word, freq, pos, source`` — ``source`` is ``"bundled"`` (the file
        ``toolkit/text/data/domain_words.txt``) or ``"schema"`` (a term or
        spelling of a vocabulary in :mod:`toolkit.schema`, such as the platform
        names).

    Examples
    --------
    >>> d = tk.text.domain_words()
    >>> {"居民议事会", "全过程人民民主", "实施方案协调会"} <= set(d["word"])
    True
    """
    bundled = {line.split()[0] for line in _read_lines(_data_file("domain_words.txt"))}
    rows = [{"word": w, "freq": f, "pos": t, "source": "bundled" if w in bundled else "schema"}
            for w, f, t in _domain_entries()]
    return pd.DataFrame(rows, columns=["word", "freq", "pos", "source"])


def _user_entries(words: Any) -> list[tuple[str, int | None, str | None]]:
    """User dictionary entries from a path (jieba format) or an iterable of words/lines."""
    if words is None:
        return []
    if isinstance(words, str | Path) and (isinstance(words, Path) or Path(words).is_file()):
        path = Path(words)
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError as err:
            msg = (f"The user dictionary {path} is not UTF-8 text. Save it as UTF-8 (one word a "
                   "line, optionally followed by a frequency and a part of speech).")
            raise ArgumentError(msg) from err
    elif isinstance(words, str):
        msg = (f"`words` must be a list of words or the path of a dictionary file; no file "
               f"{words!r} exists. For a single word use `words=[{words!r}]`.")
        raise ArgumentError(msg)
    else:
        lines = [str(w) for w in words]
    out = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        freq: int | None = None
        tag: str | None = None
        if len(parts) > 1:
            try:
                freq = int(parts[1])
            except ValueError:
                msg = (f"Line {number} of the user dictionary, {line!r}: the second field must "
                       "be a whole-number frequency (jieba's format `word freq pos`).")
                raise ArgumentError(msg) from None
        if len(parts) > 2:
            tag = parts[2]
        out.append((parts[0], freq, tag))
    return out


_ENGINES: dict[tuple, Any] = {}


def _engine(domain: bool, user: tuple, /) -> Any:  # noqa: FBT001
    """The rjieba tokenizer for a dictionary configuration (one per process)."""
    key = (domain, user)
    if key not in _ENGINES:
        import rjieba

        jb = rjieba.Jieba()
        entries = list(_domain_entries()) if domain else []
        for word, freq, tag in [*entries, *user]:
            jb.add_word(word, freq if freq is not None else max(jb.suggest_freq(word), 2000),
                        tag)
        _ENGINES[key] = jb
    return _ENGINES[key]


class Segmenter:
    """How texts are cut into words: dictionary, stop words, what is dropped, masking.

    Every text function takes ``segmenter=`` (default ``Segmenter()``), so the
    same settings give the same tokens in ``tokens``, ``dtm``, ``keywords``,
    ``topics`` and the figures.

    Parameters
    ----------
    words : list of str or path, optional
        Extra words to keep whole: a list (``["城市更新", "口袋公园 1000 n"]``)
        or a UTF-8 dictionary file in jieba's format (``word [freq [pos]]``,
        one a line). Words without a frequency get one high enough to be cut
        out whole.
    domain : bool, default True
        Use the bundled domain dictionary (:func:`domain_words`).
    stopwords : {"default", "general"}, collection of str, or None
        Stop words (see :func:`stopwords`); ``None`` for none.
    drop : sequence of str, default ("punctuation", "numbers", "stopwords", "personal")
        What token tables and counts leave out: ``"punctuation"`` (tokens
        without a letter, digit or Chinese character), ``"numbers"``,
        ``"stopwords"``, ``"personal"`` (the placeholders of masked values) and
        ``"single"`` (one-character tokens). Spaces are always dropped.
        Positions are counted before anything is dropped.
    hmm : bool, default True
        Guess words missing from the dictionary with jieba's HMM.
    personal : {"mask", "keep"}, default "mask"
        ``"mask"`` replaces phone numbers, ID-card numbers (check character
        verified), e-mail addresses, names marked by their context
        (``联系人：王小明``, ``王小明（电话…``) and the given `names` by
        ``〔电话〕``, ``〔身份证号〕``, ``〔邮箱〕``, ``〔姓名〕`` before segmentation, so
        they never become tokens and never reach a table, figure or export
        (``tk.io.mask_text`` is the same masking). ``"keep"`` leaves texts as
        they are (for data already pseudonymised).
    names : iterable of str, optional
        Person names to mask wherever they occur (e.g. ``participants["name"]``);
        elsewhere names are recognised only by their context.

    Notes
    -----
    Texts are normalised with Unicode NFKC first (full-width letters and digits
    become half-width, so ``１３８`` is read as ``138``). The rjieba tokenizer
    for a dictionary configuration is built once per process.

    Examples
    --------
    >>> seg = tk.text.Segmenter(words=["口袋公园"])
    >>> seg.cut("建设口袋公园")
    ['建设', '口袋公园']
    >>> [t for t, _, _ in seg.tokens("关于进一步加强垃圾分类的建议")]
    ['垃圾分类']
    """

    def __init__(
        self,
        *,
        words: Iterable[str] | str | Path | None = None,
        domain: bool = True,
        stopwords: str | Iterable[str] | None = "default",
        drop: Sequence[str] = DROP,
        hmm: bool = True,
        personal: str = "mask",
        names: Iterable[str] | None = None,
    ) -> None:
        check_choice(personal, ("mask", "keep"), param="personal")
        drop = (drop,) if isinstance(drop, str) else tuple(drop)
        for kind in drop:
            check_choice(kind, _DROP_KINDS, param="drop")
        self.domain = bool(domain)
        self.user = tuple(_user_entries(words))
        if stopwords is None:
            self.stopwords: frozenset[str] = frozenset()
        elif isinstance(stopwords, str):
            self.stopwords = _bundled_stopwords(stopwords)
        else:
            self.stopwords = frozenset(str(w) for w in stopwords)
        self.drop = drop
        self.hmm = bool(hmm)
        self.personal = personal
        self.masker = TextScanner(names) if personal == "mask" else None

    # -- configuration ------------------------------------------------------------

    def __repr__(self) -> str:
        return (f"Segmenter(domain={self.domain}, words={len(self.user)}, "
                f"stopwords={len(self.stopwords)}, drop={self.drop}, personal={self.personal!r})")

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_kept", None)
        return state

    @property
    def _jieba(self) -> Any:
        return _engine(self.domain, self.user)

    # -- text ---------------------------------------------------------------------

    def normalise(self, text: str) -> str:
        """`text` in NFKC form, with personal values masked (unless ``personal="keep"``)."""
        text = nfkc(text)
        return self.masker.mask(text) if self.masker is not None else text

    def _pieces(self, text: str) -> list[tuple[str, str | None]]:
        """The NFKC text cut at masked values: (piece, None) or (placeholder, kind)."""
        text = nfkc(text)
        if self.masker is None:
            return [(text, None)]
        spans = self.masker.spans(text)
        if not spans:
            return [(text, None)]
        out, last = [], 0
        for start, end, kind in spans:
            if start > last:
                out.append((text[last:start], None))
            out.append((PLACEHOLDERS[kind], kind))
            last = end
        if last < len(text):
            out.append((text[last:], None))
        return out

    def cut(self, text: str) -> list[str]:
        """Every token of `text`, in order (nothing dropped but spaces).

        Examples
        --------
        >>> tk.text.Segmenter().cut("践行全过程人民民主")
        ['践行', '全过程人民民主']
        """
        jb = self._jieba
        out: list[str] = []
        for piece, kind in self._pieces(text):
            if kind is not None:
                out.append(piece)
            else:
                out.extend(t for t in jb.cut(piece, self.hmm) if not t.isspace())
        return out

    def tag(self, text: str) -> list[tuple[str, str]]:
        """Every token of `text` with its part of speech (jieba's tag set).

        Masked values get the tag ``"personal"``; words of the domain
        dictionary its tag (``nz``, ``nt`` …).

        Examples
        --------
        >>> tk.text.Segmenter().tag("委员工作室接待群众")
        [('委员工作室', 'nz'), ('接待', 'v'), ('群众', 'n')]
        """
        jb = self._jieba
        out: list[tuple[str, str]] = []
        for piece, kind in self._pieces(text):
            if kind is not None:
                out.append((piece, "personal"))
            else:
                out.extend((t, p or "x") for t, p in jb.tag(piece, self.hmm) if not t.isspace())
        return out

    def keep(self, token: str) -> bool:
        """Whether `token` stays in token tables and counts under this segmenter's `drop`."""
        cache = self.__dict__.setdefault("_kept", {})
        hit = cache.get(token)
        if hit is None:
            hit = cache[token] = self._keep(token)
            if len(cache) > 500_000:
                cache.clear()
        return hit

    def _keep(self, token: str) -> bool:
        drop = self.drop
        if token in _PLACEHOLDERS:
            return "personal" not in drop
        if "punctuation" in drop and not _WORDLIKE.search(token):
            return False
        if "numbers" in drop and _NUMBER.match(token):
            return False
        if "stopwords" in drop and token in self.stopwords:
            return False
        return not ("single" in drop and len(token) == 1)

    def tokens(self, text: str, *, pos: bool = False) -> list[tuple[str, int, str | None]]:
        """Kept tokens of `text` as ``(token, position, pos)``; positions count every token.

        Positions are 1-based and counted before anything is dropped, so two
        kept tokens are adjacent in the text when their positions differ by 1.
        """
        pairs = self.tag(text) if pos else [(t, None) for t in self.cut(text)]
        keep = self.keep
        return [(t, i, p) for i, (t, p) in enumerate(pairs, start=1) if keep(t)]

    def words(self, text: str) -> list[str]:
        """Kept tokens of `text` (the words counted by ``dtm`` and ``keywords``)."""
        keep = self.keep
        return [t for t in self.cut(text) if keep(t)]


def _segmenter(segmenter: Segmenter | None) -> Segmenter:
    if segmenter is None:
        return _default_segmenter()
    if not isinstance(segmenter, Segmenter):
        msg = (f"`segmenter` must be a tk.text.Segmenter, not {type(segmenter).__name__}. "
               "Build one with tk.text.Segmenter(words=..., stopwords=...).")
        raise ArgumentTypeError(msg)
    return segmenter


@lru_cache(maxsize=1)
def _default_segmenter() -> Segmenter:
    return Segmenter()


# ---------------------------------------------------------------------------
# input checks: the text column and the problems of single documents
# ---------------------------------------------------------------------------

#: Columns of the problems table of :func:`check`.
CHECK_COLUMNS = ["row", "document", "column", "check", "severity", "problem", "fix"]


def _id_column(data: pd.DataFrame, id: str | None) -> str | None:
    if id is not None:
        require_columns(data, {"id": id})
        return id
    return next((c for c in ID_COLUMNS if c in data.columns), None)


def _common_share(text: str) -> float | None:
    """Share of the Chinese characters of `text` among the 3,755 common ones (GB2312 level 1).

    None when the text has fewer than 4 Chinese characters.
    """
    han = _CJK.findall(text)
    if len(han) < 4:
        return None
    common = _common_chars()
    return sum(ch in common for ch in han) / len(han)


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    """The 3,755 characters of GB2312 level 1 (rows 16–55)."""
    chars = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def _garbled(text: str) -> str | None:
    """Why `text` looks garbled (mojibake), or None."""
    if "\ufffd" in text or "锟斤拷" in text:
        return "replacement characters (bytes that could not be decoded)"
    if re.search(r"[\u00c0-\u00ff][\u0080-\u00bf]|[\u00c0-\u00ff]{3,}", text):
        for enc in ("cp1252", "latin-1"):
            try:
                raw = text.encode(enc)
            except UnicodeEncodeError:
                continue
            for source in ("utf-8", "gb18030"):
                try:
                    fixed = raw.decode(source)
                except UnicodeDecodeError:
                    continue
                if len(_CJK.findall(fixed)) >= 2:
                    return f"{source.upper()} text decoded as Latin-1"
    if _CJK.search(text):
        try:
            fixed = text.encode("gbk").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            fixed = None
        if fixed is not None and fixed != text and len(_CJK.findall(fixed)) >= 2:
            return "UTF-8 text decoded as GBK"
        # bytes lost on the way: mojibake is mostly rare characters, and re-decoding the
        # bytes it came from gives common ones
        common = _common_share(text[:32])
        if common is not None and common < 0.6:
            loose = text.encode("gbk", errors="ignore").decode("utf-8", errors="ignore")
            again = _common_share(loose)
            if again is not None and again > common + 0.25:
                return "UTF-8 text decoded as GBK"
    if "???" in text and not _CJK.search(text):
        return "question marks in place of characters (text saved in an encoding without them)"
    return None


def _problem_rows(values: pd.Series, ids: Sequence[Any], column: str) -> list[dict]:
    rows = []
    for i, (value, doc) in enumerate(zip(values.tolist(), ids, strict=True)):
        where = {"row": i, "document": doc, "column": column}
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            rows.append({**where, "check": "empty", "severity": "info",
                         "problem": "no text (missing)",
                         "fix": "nothing to do; the document is kept with zero counts"})
        elif not isinstance(value, str):
            rows.append({**where, "check": "not_text", "severity": "warning",
                         "problem": f"a {type(value).__name__} value, not text",
                         "fix": "check the column; the value is read as having no text"})
        elif not value.strip():
            rows.append({**where, "check": "empty", "severity": "info",
                         "problem": "empty text",
                         "fix": "nothing to do; the document is kept with zero counts"})
        else:
            why = _garbled(value)
            if why:
                rows.append({**where, "check": "garbled", "severity": "warning",
                             "problem": f"the text looks garbled: {why}",
                             "fix": "read the file again with the right encoding "
                                    "(tk.read_table detects it), or fix the rows by hand"})
    return rows


class _Docs:
    """The documents of a call: ids, texts (str, '' for none), the id column's name."""

    def __init__(self, ids: pd.Index, texts: list[str], id_name: str, problems: pd.DataFrame):
        self.ids = ids
        self.texts = texts
        self.id_name = id_name
        self.problems = problems


def _documents(data: Any, text: str | Sequence[str], id: str | None, *,
               where: str, warn: bool = True) -> _Docs:
    """Check `data` and its text column(s); return the documents to process."""
    from toolkit._checks import as_table

    frame = as_table(data, "submissions", where=where)
    cols = _text_columns(text)
    require_columns(frame, {"text": cols})
    for col in cols:
        dtype = frame[col].dtype
        if (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype)
                or pd.api.types.is_bool_dtype(dtype)) and len(frame):
            msg = (f"Column `{col}` given as `text` holds {dtype} values, not text. Name the "
                   "column with the words of the documents (e.g. `text=\"body\"` or "
                   "`text=[\"title\", \"body\"]`).")
            raise ArgumentTypeError(msg)
    id_name = _id_column(frame, id)
    if id_name is None:
        ids = pd.Index(frame.index, name=frame.index.name or "document")
        id_name = str(ids.name)
    else:
        ids = pd.Index(frame[id_name], name=id_name)
        bad = []
        if ids.hasnans:
            rows = np.flatnonzero(pd.isna(ids))[:5].tolist()
            bad.append(f"{int(pd.isna(ids).sum())} missing (rows {rows})")
        dup = ids[ids.duplicated() & ~pd.isna(ids)].unique()
        if len(dup):
            bad.append(f"{len(dup)} repeated ({', '.join(map(str, dup[:5]))}"
                       f"{' …' if len(dup) > 5 else ''})")
        if bad:
            msg = (f"The document ids in `{id_name}` must be unique and present: "
                   f"{'; '.join(bad)}. Give another id column with `id=`, or make the ids "
                   "unique.")
            raise ArgumentError(msg)
    problems = []
    for col in cols:
        problems.extend(_problem_rows(frame[col], list(ids), col))
    prob = pd.DataFrame(problems, columns=CHECK_COLUMNS)
    texts: list[str] = []
    for values in zip(*(frame[c].tolist() for c in cols), strict=True):
        parts = [v for v in values if isinstance(v, str) and v.strip()]
        texts.append("\n".join(parts))
    if warn:
        _warn_problems(prob, len(ids), cols)
    return _Docs(ids, texts, id_name, prob)


def _warn_problems(prob: pd.DataFrame, n: int, cols: list[str]) -> None:
    serious = prob[prob["severity"] == "warning"]
    if not len(serious):
        return
    counts = serious["check"].value_counts()
    what = {"garbled": "look garbled (mojibake)", "not_text": "are not text"}
    parts = [f"{k} {what.get(c, c)}" for c, k in counts.items()]
    docs = ", ".join(map(str, serious["document"].drop_duplicates().head(5)))
    more = " …" if serious["document"].nunique() > 5 else ""
    col_txt = ", ".join(f"`{c}`" for c in cols)
    msg = (f"{serious['document'].nunique()} of {n} documents in {col_txt} have problems "
           f"({'; '.join(parts)}): {docs}{more}. They are kept (with the tokens their text "
           f"gives, or none); `tk.text.check(data, text={cols[0]!r})` lists every problem.")
    warnings.warn(msg, ToolkitWarning, stacklevel=4)


#: Docstring wording of the parameters every text function shares (one owner).
TEXT_PARAMS: dict[str, tuple[str, str]] = {
    "text": ('text : str or list of str, default "body"',
             "Column(s) holding the text; several columns are joined, one per line."),
    "id": ("id : str, optional",
           "Column of document ids (default: the first of ``document_id, submission_id, "
           "session_id, activity_id, id`` present, else the index)."),
    "segmenter": ("segmenter : Segmenter, optional",
                  "Dictionary, stop words, what is dropped and personal-data masking "
                  "(default ``Segmenter()``)."),
}


def text_doc(func: Any) -> Any:
    """Decorator: fill ``{text}``, ``{id}``, ``{segmenter}`` (and the shared ``{lang}`` …).

    Examples
    --------
    >>> @text_doc
    ... def f(data, *, text="body"):
    ...     '''Do it.
    ...
    ...     Parameters
    ...     ----------
    ...     {text}
    ...     '''
    >>> "Column(s) holding the text" in f.__doc__
    True
    """
    from toolkit._docs import fill

    doc_ = func.__doc__ or ""
    for key, (head, body) in TEXT_PARAMS.items():
        doc_ = doc_.replace("{" + key + "}", f"{head}\n        {body}")
    func.__doc__ = fill(doc_)
    return func


@text_doc
def check(data: Any, *, text: str | Sequence[str] = "body", id: str | None = None
          ) -> pd.DataFrame:
    """Problems of the texts: missing or empty, not text, garbled by a wrong encoding.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        The table with the texts (a Study's ``submissions`` table).
    {text}
    {id}

    Returns
    -------
    pandas.DataFrame
        One row per problem: ``row`` (0-based position in `data`),
        ``document`` (its id), ``column``, ``check`` (``"empty"``,
        ``"not_text"``, ``"garbled"``), ``severity`` (``"info"`` or
        ``"warning"``), ``problem``, ``fix``. Nothing is dropped by the text
        functions: documents with problems stay in their outputs.

    Raises
    ------
    toolkit.errors.ColumnNotFoundError
        When a column is missing.
    toolkit.errors.ArgumentTypeError
        When the text column holds numbers or dates.
    toolkit.errors.ArgumentError
        When document ids are missing or repeated.

    Notes
    -----
    A text counts as garbled when it holds replacement characters (U+FFFD,
    锟斤拷), when its Latin-1 letters decode as UTF-8 or GB18030 Chinese, or when
    its Chinese characters re-encoded as GBK decode as UTF-8 (UTF-8 bytes read
    as GBK, e.g. 鍙戝睍 for 发展).

    Examples
    --------
    >>> df = pd.DataFrame({"submission_id": ["A", "B", "C"],
    ...                    "body": ["加装电梯", None, "鍙戝睍"]})
    >>> tk.text.check(df, text="body")[["document", "check"]]
      document    check
    0        B    empty
    1        C  garbled
    """
    return _documents(data, text, id, where="tk.text.check", warn=False).problems


# ---------------------------------------------------------------------------
# tokens
# ---------------------------------------------------------------------------


@text_doc
def tokens(
    data: Any,
    *,
    text: str | Sequence[str] = "body",
    id: str | None = None,
    pos: bool = True,
    segmenter: Segmenter | None = None,
    out: str | Path | None = None,
    n_jobs: int = 1,
    progress: bool | None = None,
) -> Any:
    """The words of each document as a tidy token table.

    Parameters
    ----------
    data : pandas.DataFrame, Study, LazyTable or Dask DataFrame
        The table with the texts (a Study's ``submissions`` table). A lazy table
        (``tk.io.scan``) is read in batches and needs `out`; a Dask DataFrame
        gives a Dask DataFrame of tokens.
    {text}
    {id}
    pos : bool, default True
        Add the part of speech of each token (jieba's tag set).
    {segmenter}
    out : str or Path, optional
        For a lazy table: the folder where the token table is written as
        Parquet files; the result is a lazy table over them.
    n_jobs : int, default 1
        Processes to segment with (pandas input and lazy tables).
    progress : bool, optional
        Progress bar (default: only in a terminal or notebook, for large data).

    Returns
    -------
    pandas.DataFrame
        One row per kept token: the id column, ``token``, ``position``
        (1-based, counted before stop words and punctuation were dropped) and
        ``pos`` (with ``pos=True``). Documents without any kept token have no
        row here; :func:`dtm` keeps them as rows of zeros.

    Raises
    ------
    toolkit.errors.ColumnNotFoundError
        When a column is missing.
    toolkit.errors.ArgumentTypeError
        When the text column holds numbers or dates.

    Warns
    -----
    ToolkitWarning
        When documents are garbled or not text (see :func:`check`).

    Examples
    --------
    >>> df = pd.DataFrame({"submission_id": ["S1", "S2"],
    ...                    "body": ["关于老旧小区加装电梯的建议", ""]})
    >>> tk.text.tokens(df, text="body")
      submission_id token  position pos
    0            S1  老旧小区         2   n
    1            S1  加装电梯         3  vn
    """
    from toolkit._engines import is_large

    seg = _segmenter(segmenter)
    if is_large(data):
        from toolkit.text import _large

        return _large.tokens(data, text=text, id=id, pos=pos, segmenter=seg, out=out,
                             n_jobs=n_jobs, progress=progress, rows=_token_rows,
                             frame=_token_frame, table=_token_table)
    docs = _documents(data, text, id, where="tk.text.tokens")

    rows = map_texts(_token_rows, docs.texts, seg, n_jobs=n_jobs, progress=progress,
                     options={"pos": pos})
    return _token_frame(docs.ids, rows, docs.id_name, pos=pos)


def _token_rows(seg: Segmenter, texts: list[str], options: dict) -> list[list[tuple]]:
    pos = options.get("pos", False)
    return [seg.tokens(t, pos=pos) if t else [] for t in texts]


def _token_table(seg: Segmenter, chunk: tuple[list, list], options: dict) -> Any:
    """The token table of a chunk of (ids, texts), as Arrow (cheap to send between processes)."""
    import pyarrow as pa

    ids, texts = chunk
    frame = _token_frame(ids, _token_rows(seg, texts, options), options["id"],
                         pos=options["pos"])
    return pa.Table.from_pandas(frame, preserve_index=False)


def _token_frame(ids: Sequence[Any], rows: list[list[tuple]], id_name: str, *,
                 pos: bool) -> pd.DataFrame:
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    flat = [t for r in rows for t in r]
    ids_arr = np.asarray(list(ids), dtype=object)
    frame = pd.DataFrame({
        id_name: pd.Series(np.repeat(ids_arr, lengths), dtype=_id_dtype(ids)),
        "token": pd.array([t[0] for t in flat], dtype="str"),
        "position": np.fromiter((t[1] for t in flat), dtype=np.int64, count=len(flat)),
    })
    if pos:
        frame["pos"] = pd.array([t[2] for t in flat], dtype="str")
    return frame


def _id_dtype(ids: Sequence[Any]) -> Any:
    dtype = getattr(ids, "dtype", None)
    if dtype is None or dtype is np.dtype(object):
        return object
    return dtype
