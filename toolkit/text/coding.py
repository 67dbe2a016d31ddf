"""Coding texts with a codebook, and checking the codes against human coders.

A codebook (YAML) names categories, each with literal keywords, regular
expressions and excluded phrases. :func:`code` matches them in every text
(after NFKC normalisation, with personal data masked) and keeps every match for
audit: which term, where, in what context. :func:`agreement` compares the
automatic codes with human codes through ``tk.stats.cohen_kappa`` and
``tk.stats.krippendorff_alpha``.

Examples
--------
>>> book = tk.text.Codebook({"traffic": {"label": "交通与停车", "keywords": ["停车难", "车位"]},
...                          "care": {"label": "养老与托育", "keywords": ["养老"],
...                                   "exclude": ["养老保险"]}})
>>> df = pd.DataFrame({"submission_id": ["A", "B", "C"],
...                    "body": ["小区停车难，车位少", "缴纳养老保险", "社区养老服务"]})
>>> res = tk.text.code(df, book, text="body")
>>> res.to_frame()[["submission_id", "category", "traffic", "care"]]
  submission_id category  traffic  care
0             A  traffic        2     0
1             B      NaN        0     0
2             C     care        0     1
>>> res.matches[["submission_id", "term", "excluded"]]
  submission_id   term  excluded
0             A    停车难     False
1             A     车位     False
2             B     养老      True
3             C     养老     False
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from toolkit._checks import check_lang, close_matches
from toolkit.errors import ArgumentError, ArgumentTypeError, ReadError
from toolkit.text.segment import Segmenter, _documents, _segmenter, nfkc, text_doc

if TYPE_CHECKING:  # pragma: no cover
    from toolkit._summary import Summary

__all__ = ["Category", "Codebook", "CodingResult", "agreement", "code", "read_codebook"]

#: Codebooks shipped with the toolkit, by name.
BUNDLED = {"topics": "codebook_topics.yaml", "concerns": "codebook_concerns.yaml"}

_CATEGORY_KEYS = ("label", "label_en", "description", "keywords", "patterns", "exclude")
_BOOK_KEYS = ("name", "name_en", "version", "description", "fallback", "categories", "language")
_CONTEXT = 12  # characters of context kept on each side of a match


def _nfkc(text: str) -> str:
    return nfkc(text)


@dataclass(frozen=True)
class Category:
    """One category of a codebook."""

    key: str
    label: str
    label_en: str
    description: str
    keywords: tuple[str, ...]
    patterns: tuple[str, ...]
    exclude: tuple[str, ...]


class Codebook:
    """Categories with their keywords, patterns and exclusions.

    Parameters
    ----------
    categories : mapping
        Category key → ``{"label": ..., "label_en": ..., "description": ...,
        "keywords": [...], "patterns": [...], "exclude": [...]}``. Keys are
        short codes (``"housing"``); ``keywords`` are literal terms,
        ``patterns`` Python regular expressions, ``exclude`` phrases inside
        which a keyword does not count (``养老保险`` for ``养老``).
    name : str, optional
        Name of the codebook.
    name_en : str, optional
        Its English name (for English reports; `name` when omitted).
    fallback : str, optional
        Category given to documents that match nothing (e.g. ``"other"``);
        without it they have no category.
    source : str, optional
        The file it was read from (for messages).

    Raises
    ------
    toolkit.errors.ArgumentError
        Listing every problem at once: unknown keys, categories without
        keywords or patterns, regular expressions that do not compile, a
        fallback that is not a category.

    Examples
    --------
    >>> book = tk.text.read_codebook("topics")
    >>> book.keys[:3], book.label("care")
    (['housing', 'traffic', 'environment'], '养老与托育')
    """

    def __init__(self, categories: Mapping[str, Mapping[str, Any]], *, name: str | None = None,
                 fallback: str | None = None, source: str | None = None,
                 description: str | None = None, version: str | None = None,
                 name_en: str | None = None) -> None:
        where = f"codebook {source}" if source else "the codebook"
        problems: list[str] = []
        if not isinstance(categories, Mapping) or not categories:
            msg = (f"{where} has no categories: give `categories` as a mapping of category "
                   "key to its keywords (see tk.text.read_codebook('topics') for an example).")
            raise ArgumentError(msg)
        cats: dict[str, Category] = {}
        for key, spec in categories.items():
            key = str(key)
            spec = dict(spec or {})
            for k in spec:
                if k not in _CATEGORY_KEYS:
                    close = close_matches(k, _CATEGORY_KEYS, n=1)
                    hint = f" Did you mean `{close[0]}`?" if close else ""
                    problems.append(f"category `{key}`: unknown key `{k}`.{hint}")
            lists = {}
            for k in ("keywords", "patterns", "exclude"):
                value = spec.get(k) or []
                if isinstance(value, str):
                    value = [value]
                if not all(isinstance(v, str) and v.strip() for v in value):
                    problems.append(f"category `{key}`: `{k}` must be a list of non-empty texts.")
                    value = [v for v in value if isinstance(v, str) and v.strip()]
                lists[k] = tuple(dict.fromkeys(_nfkc(v.strip()) for v in value))
            for pattern in (*lists["patterns"], *lists["exclude"]):
                if pattern in lists["patterns"]:
                    try:
                        re.compile(pattern)
                    except re.error as err:
                        problems.append(f"category `{key}`: the pattern {pattern!r} is not a "
                                        f"valid regular expression ({err}).")
            if not lists["keywords"] and not lists["patterns"] and key != fallback:
                problems.append(f"category `{key}` has no keywords or patterns, so nothing can "
                                "be coded into it (only the `fallback` category may be empty).")
            label = str(spec.get("label") or key)
            cats[key] = Category(key, label, str(spec.get("label_en") or label),
                                 str(spec.get("description") or ""), lists["keywords"],
                                 lists["patterns"], lists["exclude"])
        if fallback is not None and fallback not in cats:
            close = close_matches(fallback, list(cats), n=1)
            hint = f" Did you mean `{close[0]}`?" if close else ""
            problems.append(f"`fallback: {fallback}` is not one of the categories.{hint}")
        labels = [c.label for c in cats.values()]
        for dup in sorted({x for x in labels if labels.count(x) > 1}):
            problems.append(f"the label {dup!r} is used by several categories.")
        if problems:
            msg = (f"{len(problems)} problem(s) in {where}: " + " ".join(
                f"({i}) {p}" for i, p in enumerate(problems, start=1)))
            raise ArgumentError(msg)
        self.categories = cats
        self.name = name
        self.name_en = name_en or name
        self.fallback = fallback
        self.source = source
        self.description = description
        self.version = version
        self._compiled: list[tuple[Any, list[Any], Any]] | None = None

    # -- description -------------------------------------------------------------

    @property
    def keys(self) -> list[str]:
        """Category keys, in codebook order."""
        return list(self.categories)

    def label(self, key: str, lang: str = "zh") -> str:
        """Label of a category in `lang`."""
        check_lang(lang)
        cat = self.categories[key]
        return cat.label if lang == "zh" else cat.label_en

    def key_of(self, value: Any) -> str | None:
        """The category key for a key, Chinese label or English label; None if unknown."""
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        text = _nfkc(str(value)).strip()
        for cat in self.categories.values():
            if text in (cat.key, cat.label, cat.label_en):
                return cat.key
        return None

    def suggest(self, value: Any) -> str | None:
        """The category label closest to an unknown `value` (or containing it), or None."""
        text = _nfkc(str(value)).strip()
        labels = [c.label for c in self.categories.values()]
        close = close_matches(text, labels + [c.label_en for c in self.categories.values()],
                              n=1)
        if close:
            return close[0]
        within = [lab for lab in labels if text and (text in lab or lab in text)]
        return within[0] if within else None

    def to_frame(self) -> pd.DataFrame:
        """One row per category, its keywords, patterns and exclusions joined with 、.

        Columns: ``category, label, label_en, description, keywords, patterns, exclude``.
        """
        return pd.DataFrame([{
            "category": c.key, "label": c.label, "label_en": c.label_en,
            "description": c.description, "keywords": "、".join(c.keywords),
            "patterns": "、".join(c.patterns), "exclude": "、".join(c.exclude)}
            for c in self.categories.values()])

    def __repr__(self) -> str:
        return f"<Codebook {self.name or ''!s}: {len(self.categories)} categories>"

    def _repr_html_(self) -> str:
        head = html.escape(self.name or "Codebook")
        return f"<h4>{head}</h4>" + self.to_frame().to_html(index=False)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_compiled"] = None
        return state

    # -- matching ------------------------------------------------------------------

    def compiled(self) -> list[tuple[Any, list[Any], Any, tuple[str, ...]]]:
        """Per category: keyword regex, pattern regexes, exclusion regex, keywords.

        The regexes are None where the category has none; the keywords allow a fast
        test before the regex runs.
        """
        if self._compiled is None:
            out = []
            for cat in self.categories.values():
                words = sorted(cat.keywords, key=lambda w: (-len(w), w))
                kw = re.compile("|".join(map(re.escape, words))) if words else None
                pats = [re.compile(p) for p in cat.patterns]
                ex_words = sorted(cat.exclude, key=lambda w: (-len(w), w))
                ex = re.compile("|".join(map(re.escape, ex_words))) if ex_words else None
                out.append((kw, pats, ex, tuple(words)))
            self._compiled = out
        return self._compiled

    def match(self, text: str) -> tuple[list[int], list[tuple]]:
        """Matches in an already normalised `text`: counts per category and the match list.

        Each match is ``(category index, term, matched text, start, end, excluded)``.
        """
        counts = []
        found: list[tuple] = []
        for i, (kw, pats, ex, words) in enumerate(self.compiled()):
            hits = []
            if kw is not None and any(w in text for w in words):  # `in` is fast; regex less
                hits.extend((m.group(), m.group(), m.start(), m.end()) for m in kw.finditer(text))
            for p in pats:
                hits.extend((p.pattern, m.group(), m.start(), m.end()) for m in p.finditer(text)
                            if m.end() > m.start())
            if not hits:
                counts.append(0)
                continue
            spans = [] if ex is None else [(m.start(), m.end()) for m in ex.finditer(text)]
            n = 0
            for term, matched, s, e in sorted(hits, key=lambda h: (h[2], -h[3])):
                excluded = any(s < b and a < e for a, b in spans)
                n += not excluded
                found.append((i, term, matched, s, e, excluded))
            counts.append(n)
        return counts, found


def read_codebook(path: str | Path = "topics") -> Codebook:
    """Read a codebook from a YAML file, or a bundled one by name.

    Parameters
    ----------
    path : str or Path, default "topics"
        A UTF-8 YAML file, or the name of a bundled codebook: ``"topics"``, the
        topic categories of the ``topic_category`` vocabulary (住房与小区,
        交通与停车, 环境卫生, 养老与托育, 公共服务, 社会治理, 经济发展, 其他),
        with keywords for this genre.

    Returns
    -------
    Codebook

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    toolkit.errors.ReadError
        When the file is not UTF-8 YAML or lacks ``categories``.
    toolkit.errors.ArgumentError
        For problems inside the categories (all listed at once).

    Notes
    -----
    The file holds ``name``, ``version``, ``description``, ``fallback`` (the
    category of documents matching nothing) and ``categories``; each category
    has ``label``, ``label_en``, ``description``, ``keywords``, ``patterns``
    and ``exclude``. Print the bundled file as a template:
    ``print(importlib.resources.files("toolkit.text").joinpath("data",
    "codebook_topics.yaml").read_text("utf-8"))``.

    Examples
    --------
    >>> book = tk.text.read_codebook("topics")
    >>> book.fallback, len(book.keys)
    ('other', 8)
    """
    import importlib.resources

    import yaml

    if isinstance(path, str) and path in BUNDLED:
        resource = importlib.resources.files("toolkit.text").joinpath("data", BUNDLED[path])
        raw, source = resource.read_text(encoding="utf-8"), f"{path!r} (bundled)"
    else:
        p = Path(path)
        if not p.is_file():
            msg = (f"No codebook file {str(p)!r}. Give the path of a YAML codebook, or "
                   f"a bundled one: {', '.join(map(repr, BUNDLED))}.")
            raise FileNotFoundError(msg)
        try:
            raw = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as err:
            msg = f"The codebook {p} is not UTF-8 text; save it as UTF-8."
            raise ReadError(msg) from err
        source = str(p)
    try:
        spec = yaml.safe_load(raw)
    except yaml.YAMLError as err:
        msg = f"The codebook {source} is not valid YAML: {err}"
        raise ReadError(msg) from err
    if not isinstance(spec, Mapping) or "categories" not in spec:
        msg = (f"The codebook {source} has no `categories:` section; see "
               "tk.text.read_codebook('topics') for the layout.")
        raise ReadError(msg)
    unknown = [k for k in spec if k not in _BOOK_KEYS]
    if unknown:
        parts = []
        for k in unknown:
            close = close_matches(k, _BOOK_KEYS, n=1)
            parts.append(f"`{k}`" + (f" (did you mean `{close[0]}`?)" if close else ""))
        msg = (f"Unknown key(s) in codebook {source}: {', '.join(parts)}. Known keys: "
               f"{', '.join(_BOOK_KEYS)}.")
        raise ReadError(msg)
    return Codebook(spec["categories"] or {}, name=spec.get("name"),
                    name_en=spec.get("name_en"), fallback=spec.get("fallback"), source=source,
                    description=spec.get("description"),
                    version=None if spec.get("version") is None else str(spec.get("version")))


def _as_codebook(codebook: Any) -> Codebook:
    if isinstance(codebook, Codebook):
        return codebook
    if isinstance(codebook, str | Path):
        return read_codebook(codebook)
    if isinstance(codebook, Mapping):
        return Codebook(codebook)
    msg = (f"`codebook` must be a tk.text.Codebook, the path of a YAML codebook or the name of "
           f"a bundled one ('topics'), not {type(codebook).__name__}.")
    raise ArgumentTypeError(msg)


# ---------------------------------------------------------------------------
# coding
# ---------------------------------------------------------------------------


def _code_rows(seg: Segmenter, texts: list[str], options: dict) -> list[tuple]:
    book: Codebook = options["codebook"]
    audit = options.get("audit", True)
    out = []
    for t in texts:
        if not t:
            out.append((None, []))
            continue
        norm = seg.normalise(t)
        counts, found = book.match(norm)
        if audit:
            found = [(i, term, matched, s, e, ex,
                      norm[max(0, s - _CONTEXT):e + _CONTEXT].replace("\n", " "))
                     for i, term, matched, s, e, ex in found]
        else:
            found = []
        out.append((counts, found))
    return out


class CodingResult:
    """Codes of every document, and every match behind them.

    Built by :func:`code`.

    Attributes
    ----------
    codebook : Codebook
    counts : pandas.DataFrame
        The id column and one column per category: matches counted (excluded
        matches not counted). Every input document is a row.
    matches : pandas.DataFrame
        One row per match, for audit: the id column, ``category``, ``label``,
        ``term`` (the keyword, or the pattern), ``matched`` (the text matched),
        ``start``, ``end`` (character offsets in the NFKC-normalised text),
        ``context`` (a few characters around it, personal data masked) and
        ``excluded`` (inside an excluded phrase, so not counted).
    docvars : pandas.DataFrame
        The other columns of the table (for ``shares(by=...)``).
    problems : pandas.DataFrame
        Problems of the texts (see :func:`tk.text.check`).
    """

    def __init__(self, codebook: Codebook, counts: pd.DataFrame, matches: pd.DataFrame,
                 id_name: str, *, docvars: pd.DataFrame | None = None,
                 problems: pd.DataFrame | None = None) -> None:
        self.codebook = codebook
        self.counts = counts
        self.matches = matches
        self.id_name = id_name
        self.docvars = docvars if docvars is not None else counts[[id_name]]
        self.problems = problems if problems is not None else pd.DataFrame()

    @property
    def primary(self) -> pd.Series:
        """The primary category of each document (most matches; ties in codebook order)."""
        keys = self.codebook.keys
        mat = self.counts[keys].to_numpy()
        best = np.argmax(mat, axis=1) if len(keys) else np.zeros(len(mat), int)
        has = mat.max(axis=1) > 0 if len(keys) else np.zeros(len(mat), bool)
        values = np.where(has, np.asarray(keys, dtype=object)[best], None)
        out = pd.Series(values, index=self.counts.index, name="category", dtype=object)
        if self.codebook.fallback is not None:
            out = out.where(has, self.codebook.fallback)
        return out.astype("str").where(out.notna(), pd.NA)

    @property
    def indicators(self) -> pd.DataFrame:
        """The id column and one True/False column per category (matched or not)."""
        out = self.counts.copy()
        for k in self.codebook.keys:
            out[k] = out[k] > 0
        return out

    def to_frame(self, lang: str = "zh") -> pd.DataFrame:
        """One row per document: id, primary category, label, then counts.

        Columns: the id column, ``category`` (primary), ``label``, ``n_categories``
        (categories matched), then the match counts per category.
        """
        check_lang(lang)
        cat = self.primary
        keys = self.codebook.keys
        out = pd.DataFrame({self.id_name: self.counts[self.id_name]})
        out["category"] = cat
        out["label"] = [None if pd.isna(c) else self.codebook.label(c, lang) for c in cat]
        out["n_categories"] = (self.counts[keys] > 0).sum(axis=1).astype(np.int64)
        for k in keys:
            out[k] = self.counts[k]
        return out

    def shares(self, *, by: str | Sequence[str] | None = None, lang: str = "zh"
               ) -> pd.DataFrame:
        """Documents per primary category (and their share), overall or by group.

        Returns ``[by…], category, label, docs, share, n_docs``; every category of
        the codebook appears, with 0 where no document has it.
        """
        check_lang(lang)
        frame = self.docvars.reset_index(drop=True).copy()
        frame["_cat"] = self.primary.reset_index(drop=True)
        by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
        from toolkit._checks import require_columns

        require_columns(frame, {"by": by_cols}, where="the coded table")
        rows = []
        groups = frame.groupby(by_cols, dropna=False, sort=True) if by_cols else [((), frame)]
        for key, sub in groups:
            key = key if isinstance(key, tuple) else (key,)
            n = len(sub)
            counts = sub["_cat"].value_counts()
            for k in self.codebook.keys:
                c = int(counts.get(k, 0))
                rows.append({**dict(zip(by_cols, key, strict=True)), "category": k,
                             "label": self.codebook.label(k, lang), "docs": c,
                             "share": c / n if n else np.nan, "n_docs": n})
            uncoded = int(sub["_cat"].isna().sum())
            if uncoded:
                rows.append({**dict(zip(by_cols, key, strict=True)), "category": None,
                             "label": "未编码" if lang == "zh" else "Not coded",
                             "docs": uncoded, "share": uncoded / n, "n_docs": n})
        return pd.DataFrame(rows, columns=[*by_cols, "category", "label", "docs", "share",
                                           "n_docs"])

    def join(self, data: pd.DataFrame) -> pd.DataFrame:
        """`data` with ``category``, ``label`` and ``n_categories`` added (a new frame)."""
        codes = self.to_frame()[[self.id_name, "category", "label", "n_categories"]]
        if self.id_name not in data.columns:
            msg = f"`data` has no column `{self.id_name}` to join the codes on."
            raise ArgumentError(msg)
        clash = [c for c in ("category", "label", "n_categories") if c in data.columns]
        return data.drop(columns=clash).merge(codes, on=self.id_name, how="left",
                                              validate="many_to_one")

    def agreement(self, human: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
        """Agreement of these codes with human codes; see :func:`tk.text.agreement`."""
        return agreement(self, human, **kwargs)

    def summary(self) -> Summary:
        """Documents coded into each category."""
        from toolkit._summary import Summary

        table = self.shares()
        n = len(self.counts)
        coded = int(self.primary.notna().sum())
        info = [("Codebook", str(self.codebook.name or "")), ("Documents", f"{n:,}"),
                ("With a category", f"{coded:,}"),
                ("Matches (counted)", f"{int(self.counts[self.codebook.keys].sum().sum()):,}"),
                ("Matches excluded", f"{int(self.matches['excluded'].sum()):,}")]
        return Summary("Dictionary coding", info, table[["category", "label", "docs", "share"]])

    def __repr__(self) -> str:
        return (f"<CodingResult: {len(self.counts):,} documents, "
                f"{len(self.codebook.keys)} categories>")

    def _repr_html_(self) -> str:
        return self.summary().as_html()


_MATCH_COLUMNS = ["category", "label", "term", "matched", "start", "end", "context", "excluded"]


def _result(book: Codebook, ids: Sequence[Any], rows: Sequence[tuple], id_name: str, *,
            docvars: pd.DataFrame | None, problems: pd.DataFrame | None) -> CodingResult:
    keys = book.keys
    zero = [0] * len(keys)
    mat = np.array([r[0] if r[0] is not None else zero for r in rows], dtype=np.int64)
    mat = mat.reshape(len(rows), len(keys))
    counts = pd.DataFrame(mat, columns=keys)
    counts.insert(0, id_name, list(ids))
    flat = [(doc, *m) for doc, (_, found) in zip(ids, rows, strict=True) for m in found]
    labels = [book.label(k) for k in keys]
    matches = pd.DataFrame({
        id_name: [f[0] for f in flat],
        "category": pd.array([keys[f[1]] for f in flat], dtype="str"),
        "label": pd.array([labels[f[1]] for f in flat], dtype="str"),
        "term": pd.array([f[2] for f in flat], dtype="str"),
        "matched": pd.array([f[3] for f in flat], dtype="str"),
        "start": np.array([f[4] for f in flat], dtype=np.int64),
        "end": np.array([f[5] for f in flat], dtype=np.int64),
        "context": pd.array([f[7] for f in flat], dtype="str"),
        "excluded": np.array([f[6] for f in flat], dtype=bool),
    })
    return CodingResult(book, counts, matches, id_name, docvars=docvars, problems=problems)


@text_doc
def code(
    data: Any,
    codebook: Codebook | str | Path = "topics",
    *,
    text: str | Sequence[str] = "body",
    id: str | None = None,
    segmenter: Segmenter | None = None,
    audit: bool = True,
    n_jobs: int = 1,
    progress: bool | None = None,
) -> CodingResult:
    """Code every document with a codebook: categories matched, and every match kept.

    Parameters
    ----------
    data : pandas.DataFrame, Study, LazyTable or Dask DataFrame
        The table with the texts (a Study's ``submissions`` table). Lazy tables
        (``tk.io.scan``) are read in batches, Dask DataFrames partition by
        partition; both need an id column.
    codebook : Codebook, path or name, default "topics"
        The codebook (:func:`read_codebook`); ``"topics"`` is the bundled
        topic-category codebook.
    {text}
    {id}
    segmenter : Segmenter, optional
        Its normalisation and personal-data masking are applied before
        matching (``Segmenter(names=participants["name"])`` also masks names).
    audit : bool, default True
        Keep every match in ``.matches`` (set False for very large data when
        only the codes are needed).
    n_jobs : int, default 1
        Processes to code with.
    progress : bool, optional
        Progress bar (default: only for large data, in a terminal or notebook).

    Returns
    -------
    CodingResult
        ``.to_frame()`` (id, primary ``category``, ``label``, ``n_categories``,
        counts per category), ``.indicators``, ``.matches`` (audit),
        ``.shares(by=...)``, ``.join(data)``, ``.agreement(human)``,
        ``.summary()``. Every input document is a row; documents without text
        or without a match have zero counts.

    Notes
    -----
    Matching is on the text after Unicode NFKC normalisation (full-width
    letters and digits made half-width) and masking of personal data, with
    keywords normalised the same way. Within a category, keywords are tried
    longest first and matches do not overlap; the categories are matched
    independently, so a text may count in several. A match inside an
    excluded phrase of its category is kept in ``.matches`` with
    ``excluded=True`` and not counted. The primary category is the one with
    most counted matches (ties: codebook order); documents matching nothing
    get the codebook's ``fallback`` category, or none.

    Examples
    --------
    >>> df = pd.DataFrame({"submission_id": ["A", "B"],
    ...                    "body": ["建议老旧小区加装电梯", "增设社区老年食堂"]})
    >>> tk.text.code(df, "topics", text="body").to_frame()[["submission_id", "category", "label"]]
      submission_id category   label
    0             A  housing  住房与小区
    1             B     care  养老与托育
    """
    from toolkit._engines import is_large

    book = _as_codebook(codebook)
    seg = _segmenter(segmenter)
    options = {"codebook": book, "audit": bool(audit)}
    if is_large(data):
        from toolkit.text import _large

        ids, rows, id_name = _large.code(data, book, text=text, id=id, segmenter=seg,
                                         audit=bool(audit), n_jobs=n_jobs, progress=progress,
                                         worker=_code_rows)
        return _result(book, ids, rows, id_name, docvars=None, problems=None)
    docs = _documents(data, text, id, where="tk.text.code")
    from toolkit._checks import as_table
    from toolkit.text._large import map_texts

    rows = map_texts(_code_rows, docs.texts, seg, n_jobs=n_jobs, progress=progress,
                     options=options, desc="coding")
    frame = as_table(data, "submissions")
    cols = [text] if isinstance(text, str) else list(text)
    docvars = frame.drop(columns=[c for c in cols if c in frame.columns]).reset_index(drop=True)
    if docs.id_name not in docvars.columns:
        docvars.insert(0, docs.id_name, list(docs.ids))
    return _result(book, list(docs.ids), rows, docs.id_name, docvars=docvars,
                   problems=docs.problems)


# ---------------------------------------------------------------------------
# agreement with human codes
# ---------------------------------------------------------------------------

AGREEMENT_COLUMNS = ["coder", "category", "label", "n", "agreement", "kappa", "ci_low",
                     "ci_high", "alpha", "precision", "recall", "f1", "n_human", "n_auto"]


def _human_keys(book: Codebook, values: pd.Series, rows: Iterable[Any], column: str) -> pd.Series:
    keys = values.map(book.key_of)
    bad = values.notna() & keys.isna()
    if bad.any():
        shown = []
        for value, n in values[bad].astype(str).value_counts().items():
            close = book.suggest(value)
            hint = f", did you mean {close!r}?" if close else ""
            shown.append(f"{value!r} ({n} document(s){hint})")
        msg = (f"The human codes in `{column}` hold {int(bad.sum())} value(s) that are not "
               f"categories of the codebook: {'; '.join(shown)}. Add the missing categories "
               "to the codebook, or recode those documents to one of: "
               f"{', '.join(c.label for c in book.categories.values())}.")
        raise ArgumentError(msg)
    return keys


def agreement(
    result: CodingResult,
    human: pd.DataFrame,
    *,
    column: str = "category",
    id: str | None = None,
    coder: str | None = "coder",
    n_boot: int = 1000,
    seed: int = 1,
    lang: str = "zh",
) -> pd.DataFrame:
    """How well the automatic codes agree with human coders, overall and per category.

    Parameters
    ----------
    result : CodingResult
        The automatic codes (:func:`code`).
    human : pandas.DataFrame
        Human codes: the document id column (as in `result`), the code in
        `column` (a category key, or its Chinese or English label) and,
        optionally, a `coder` column when several coders coded (e.g. the
        frame :func:`read_coding_sheet` returns). Missing codes are left out.
    column : str, default "category"
        Column of `human` with the codes.
    id : str, optional
        Id column of `human` (default: the id column of `result`).
    coder : str or None, default "coder"
        Column naming the coder; each coder is compared with the automatic
        codes separately.
    n_boot : int, default 1000
        Bootstrap replicates of Krippendorff's alpha interval (0 skips them).
    seed : int, default 1
        Seed of the bootstrap.
    lang : {"zh", "en"}, default "zh"
        Language of the labels.

    Returns
    -------
    pandas.DataFrame
        One row per coder and category, plus a row ``category="all"`` per
        coder for the primary category: ``coder``, ``category``, ``label``,
        ``n`` (documents compared), ``agreement`` (share coded alike),
        ``kappa``, ``ci_low``, ``ci_high`` (Cohen's kappa and its 95% interval,
        ``tk.stats.cohen_kappa``), ``alpha`` (Krippendorff's nominal alpha,
        ``tk.stats.krippendorff_alpha``; overall rows only), ``precision``,
        ``recall``, ``f1`` (the automatic codes judged against the human
        ones; per category), ``n_human``, ``n_auto`` (documents each put in
        the category).

    Raises
    ------
    toolkit.errors.ArgumentError
        When human codes name categories the codebook lacks (all listed, with
        suggestions), or documents unknown to `result`.

    Examples
    --------
    >>> df = pd.DataFrame({"submission_id": list("ABCD"),
    ...                    "body": ["加装电梯", "停车难", "老年食堂", "停车位不够"]})
    >>> res = tk.text.code(df, "topics", text="body")
    >>> human = pd.DataFrame({"submission_id": list("ABCD"),
    ...                       "category": ["住房与小区", "交通与停车", "养老与托育", "住房与小区"]})
    >>> a = tk.text.agreement(res, human, n_boot=0)
    >>> a.loc[a["category"] == "all", ["n", "agreement", "kappa"]].round(3)
       n  agreement  kappa
    0  4       0.75  0.636
    """
    from toolkit.stats import cohen_kappa, krippendorff_alpha

    check_lang(lang)
    if not isinstance(result, CodingResult):
        msg = f"`result` must be the CodingResult of tk.text.code, not {type(result).__name__}."
        raise ArgumentTypeError(msg)
    if not isinstance(human, pd.DataFrame):
        msg = f"`human` must be a DataFrame of human codes, not {type(human).__name__}."
        raise ArgumentTypeError(msg)
    book = result.codebook
    id_h = id or result.id_name
    from toolkit._checks import require_columns

    require_columns(human, {"id": id_h, "column": column}, where="`human`")
    auto = pd.Series(result.primary.to_numpy(), index=result.counts[result.id_name].to_numpy())
    unknown = [d for d in human[id_h].dropna().unique() if d not in auto.index]
    if unknown:
        msg = (f"{len(unknown)} document(s) in `human` are not in the coded texts: "
               f"{', '.join(map(str, unknown[:5]))}{' …' if len(unknown) > 5 else ''}. Compare "
               "codes of the same documents (check the id column).")
        raise ArgumentError(msg)
    keys = _human_keys(book, human[column], human.index, column)
    has_coder = coder is not None and coder in human.columns
    coders = (human[coder].astype(str) if has_coder
              else pd.Series("human", index=human.index))
    order = {k: i + 1 for i, k in enumerate(book.keys)}
    rows = []
    for who in pd.unique(coders):
        sel = (coders == who) & keys.notna()
        h = keys[sel].to_numpy(dtype=object)
        docs = human.loc[sel, id_h].to_numpy()
        if pd.Series(docs).duplicated().any():
            msg = (f"Coder {who!r} coded some documents twice in `human`; keep one code per "
                   "document and coder.")
            raise ArgumentError(msg)
        a = auto.reindex(docs).to_numpy(dtype=object)
        a = np.array(["" if (x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)))
                      else x for x in a], dtype=object)
        pair = pd.DataFrame({"auto": a, "human": h})
        n = len(pair)
        agree = float((pair["auto"] == pair["human"]).mean()) if n else np.nan
        kap = cohen_kappa(pair) if n else None
        codes = pd.DataFrame({"auto": [order.get(x, 0) for x in a],
                              "human": [order[x] for x in h]}).astype(float)
        alpha = (krippendorff_alpha(codes, n_boot=n_boot, seed=seed)["alpha"].iloc[0]
                 if n and len(np.unique(codes.to_numpy())) > 1 else np.nan)
        rows.append({"coder": who, "category": "all",
                     "label": "全部" if lang == "zh" else "All", "n": n, "agreement": agree,
                     "kappa": kap["kappa"].iloc[0] if kap is not None else np.nan,
                     "ci_low": kap["ci_low"].iloc[0] if kap is not None else np.nan,
                     "ci_high": kap["ci_high"].iloc[0] if kap is not None else np.nan,
                     "alpha": alpha, "precision": np.nan, "recall": np.nan, "f1": np.nan,
                     "n_human": n, "n_auto": int((a != "").sum())})
        for k in book.keys:
            hb = pair["human"] == k
            ab = pair["auto"] == k
            tp = int((hb & ab).sum())
            prec = tp / int(ab.sum()) if ab.any() else np.nan
            rec = tp / int(hb.sum()) if hb.any() else np.nan
            f1 = (2 * prec * rec / (prec + rec)
                  if not np.isnan(prec) and not np.isnan(rec) and prec + rec else np.nan)
            binary = pd.DataFrame({"auto": ab.astype(int), "human": hb.astype(int)})
            if n and (hb.any() or ab.any()) and not (hb.all() and ab.all()):
                kb = cohen_kappa(binary)
                kappa, lo, hi = (kb[c].iloc[0] for c in ("kappa", "ci_low", "ci_high"))
            else:
                kappa = lo = hi = np.nan
            rows.append({"coder": who, "category": k, "label": book.label(k, lang), "n": n,
                         "agreement": float((hb == ab).mean()) if n else np.nan,
                         "kappa": kappa, "ci_low": lo, "ci_high": hi, "alpha": np.nan,
                         "precision": prec, "recall": rec, "f1": f1,
                         "n_human": int(hb.sum()), "n_auto": int(ab.sum())})
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
