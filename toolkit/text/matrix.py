"""Document–term matrices and term frequencies by group.

:func:`dtm` segments every document once and keeps the counts as a
``scipy.sparse`` matrix with its vocabulary and the other columns of the table
(as quanteda's dfm keeps its docvars), so keywords, keyness and topics by town,
sector or year need no second segmentation: pass the
:class:`DocumentTermMatrix` where a table is expected.

Examples
--------
>>> df = pd.DataFrame({"submission_id": ["S1", "S2", "S3"],
...                    "town": ["东街道", "东街道", "西镇"],
...                    "body": ["加装电梯，加装电梯", "停车难", "垃圾分类和停车难"]})
>>> m = tk.text.dtm(df, text="body")
>>> m.shape, list(m.terms)
((3, 3), ['停车难', '加装电梯', '垃圾分类'])
>>> tk.text.frequencies(m, by="town")[["town", "term", "count", "share", "docs"]]
  town  term  count     share  docs
0  东街道  加装电梯      2  0.666667     1
1  东街道   停车难      1  0.333333     1
2   西镇   停车难      1  0.500000     1
3   西镇  垃圾分类      1  0.500000     1
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from toolkit._checks import require_columns
from toolkit.errors import ArgumentError
from toolkit.text.segment import Segmenter, _documents, _segmenter, text_doc

if TYPE_CHECKING:  # pragma: no cover
    from toolkit._summary import Summary

__all__ = ["DocumentTermMatrix", "dtm", "frequencies"]


class DocumentTermMatrix:
    """Counts of every term in every document, with the documents' other columns.

    Built by :func:`dtm`. Every input document is a row, in the input order —
    documents without tokens are rows of zeros.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Documents × terms, integer counts.
    terms : pandas.Index
        The vocabulary, in code-point order (column order of `matrix`).
    documents : pandas.Index
        Document ids (row order of `matrix`), named after the id column.
    docvars : pandas.DataFrame
        The other columns of the table (one row per document), for ``by=``.
    segmenter : Segmenter
        The segmenter that made the tokens.
    problems : pandas.DataFrame
        Problems of the texts (see :func:`tk.text.check`).
    """

    def __init__(self, matrix: sparse.csr_matrix, terms: Sequence[str], documents: pd.Index, *,
                 docvars: pd.DataFrame | None = None, segmenter: Segmenter | None = None,
                 problems: pd.DataFrame | None = None) -> None:
        self.matrix = sparse.csr_matrix(matrix)
        self.terms = pd.Index(list(terms), name="term", dtype=object)
        self.documents = documents
        self.docvars = (docvars if docvars is not None
                        else pd.DataFrame(index=range(len(documents))))
        self.segmenter = segmenter
        self.problems = problems if problems is not None else pd.DataFrame()

    @property
    def id_name(self) -> str:
        """Name of the document id column."""
        return str(self.documents.name or "document")

    @property
    def shape(self) -> tuple[int, int]:
        """(documents, terms)."""
        return self.matrix.shape

    def __len__(self) -> int:
        return self.matrix.shape[0]

    def to_frame(self) -> pd.DataFrame:
        """Tidy counts: the id column, ``term``, ``count`` (non-zero cells only)."""
        coo = self.matrix.tocoo()
        order = np.lexsort((coo.col, coo.row))
        rows, cols, vals = coo.row[order], coo.col[order], coo.data[order]
        return pd.DataFrame({
            self.id_name: np.asarray(self.documents, dtype=object)[rows],
            "term": np.asarray(self.terms, dtype=object)[cols],
            "count": vals.astype(np.int64),
        })

    def term_counts(self) -> pd.DataFrame:
        """``term, count, docs`` over all documents, most frequent first."""
        counts = np.asarray(self.matrix.sum(axis=0)).ravel()
        docs = np.diff(self.matrix.tocsc().indptr)
        frame = pd.DataFrame({"term": self.terms.to_numpy(), "count": counts.astype(np.int64),
                              "docs": docs.astype(np.int64)})
        return frame.sort_values(["count", "term"], ascending=[False, True],
                                 kind="stable").reset_index(drop=True)

    def summary(self) -> Summary:
        """Documents, terms, tokens, empty documents and the most frequent terms."""
        from toolkit._summary import Summary

        n_docs, n_terms = self.shape
        lengths = np.asarray(self.matrix.sum(axis=1)).ravel()
        info = [("Documents", f"{n_docs:,}"), ("Terms", f"{n_terms:,}"),
                ("Tokens", f"{int(lengths.sum()):,}"),
                ("Documents without tokens", f"{int((lengths == 0).sum()):,}")]
        return Summary("Document-term matrix", info, self.term_counts().head(10))

    def __repr__(self) -> str:
        n_docs, n_terms = self.shape
        return f"<DocumentTermMatrix: {n_docs:,} documents x {n_terms:,} terms>"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + self.summary().as_html()

    # -- grouping -------------------------------------------------------------------

    def groups(self, by: str | Sequence[str]) -> tuple[pd.DataFrame, sparse.csr_matrix,
                                                       np.ndarray]:
        """Group keys (a frame), group × term counts, and documents per group.

        Groups are in sorted order; documents with a missing key form no group.
        """
        cols = [by] if isinstance(by, str) else list(by)
        require_columns(self.docvars, {"by": cols}, where="the table of the texts")
        keys = self.docvars[cols].reset_index(drop=True)
        codes, uniques = _factorize(keys)
        ok = codes >= 0
        n_groups = len(uniques)
        indicator = sparse.csr_matrix(
            (np.ones(int(ok.sum())), (codes[ok], np.flatnonzero(ok))),
            shape=(n_groups, len(keys)))
        counts = (indicator @ self.matrix).tocsr()
        n_docs = np.bincount(codes[ok], minlength=n_groups)
        return uniques, counts, n_docs

    def doc_freq_by(self, by: str | Sequence[str]) -> sparse.csr_matrix:
        """Group × term matrix of the number of documents containing each term."""
        cols = [by] if isinstance(by, str) else list(by)
        keys = self.docvars[cols].reset_index(drop=True)
        codes, uniques = _factorize(keys)
        ok = codes >= 0
        indicator = sparse.csr_matrix(
            (np.ones(int(ok.sum())), (codes[ok], np.flatnonzero(ok))),
            shape=(len(uniques), len(keys)))
        present = self.matrix.copy()
        present.data = np.ones_like(present.data)
        return (indicator @ present).tocsr()


def _factorize(keys: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes (−1 for a missing key) and the unique keys in sorted order."""
    complete = keys.notna().all(axis=1).to_numpy()
    sub = keys[complete]
    if sub.shape[1] == 1:
        col = sub.columns[0]
        uniq = pd.Series(sub[col].unique())
        try:
            uniq = uniq.sort_values(kind="stable")
        except TypeError:
            uniq = uniq.astype(str).sort_values(kind="stable")
        uniques = pd.DataFrame({col: uniq.to_numpy()})
    else:
        uniques = sub.drop_duplicates().sort_values(list(sub.columns), kind="stable")
    uniques = uniques.reset_index(drop=True)
    lookup = {tuple(r): i for i, r in enumerate(uniques.itertuples(index=False, name=None))}
    codes = np.full(len(keys), -1, dtype=np.int64)
    for i, row in zip(np.flatnonzero(complete), sub.itertuples(index=False, name=None),
                      strict=True):
        codes[i] = lookup[tuple(row)]
    return codes, uniques


def _word_rows(seg: Segmenter, texts: list[str], options: dict) -> list[list[str]]:
    return [seg.words(t) if t else [] for t in texts]


def build_matrix(words: Sequence[Sequence[str]], *, vocabulary: Sequence[str] | None = None,
                 min_count: int = 1, min_docs: int = 1, max_share: float = 1.0
                 ) -> tuple[sparse.csr_matrix, list[str]]:
    """Counts matrix of token lists, and its vocabulary (code-point order)."""
    n_docs = len(words)
    if vocabulary is None:
        index: dict[str, int] = {}
        for doc in words:
            for w in doc:
                if w not in index:
                    index[w] = len(index)
    else:
        index = {w: i for i, w in enumerate(dict.fromkeys(vocabulary))}
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for i, doc in enumerate(words):
        ids = np.fromiter((index[w] for w in doc if w in index), dtype=np.int64)
        if len(ids):
            u, c = np.unique(ids, return_counts=True)
            cols.append(u)
            vals.append(c)
            indptr[i + 1] = indptr[i] + len(u)
        else:
            indptr[i + 1] = indptr[i]
    col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    val = np.concatenate(vals) if vals else np.zeros(0, dtype=np.int64)
    terms = list(index)
    mat = sparse.csr_matrix((val, col, indptr), shape=(n_docs, len(terms)), dtype=np.int64)
    if vocabulary is None:
        totals = np.asarray(mat.sum(axis=0)).ravel()
        docs = np.diff(mat.tocsc().indptr)
        keep = (totals >= min_count) & (docs >= min_docs) & (docs <= max_share * n_docs)
        order = sorted(np.flatnonzero(keep), key=lambda j: terms[j])
        mat = mat[:, order].tocsr()
        terms = [terms[j] for j in order]
    mat.sort_indices()
    return mat, terms


@text_doc
def dtm(
    data: Any,
    *,
    text: str | Sequence[str] = "body",
    id: str | None = None,
    segmenter: Segmenter | None = None,
    min_count: int = 1,
    min_docs: int = 1,
    max_share: float = 1.0,
    vocabulary: Sequence[str] | None = None,
    n_jobs: int = 1,
    progress: bool | None = None,
) -> DocumentTermMatrix:
    """Document–term matrix: every document a row, every kept term a column.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        The table with the texts (a Study's ``submissions`` table).
    {text}
    {id}
    {segmenter}
    min_count : int, default 1
        Keep terms occurring at least this often in all.
    min_docs : int, default 1
        Keep terms occurring in at least this many documents.
    max_share : float, default 1.0
        Keep terms occurring in at most this share of the documents.
    vocabulary : list of str, optional
        Use exactly these terms as columns, in this order (other tokens are
        not counted; the filters above do not apply).
    n_jobs : int, default 1
        Processes to segment with.
    progress : bool, optional
        Progress bar (default: only for 20,000 texts or more, in a terminal or
        notebook).

    Returns
    -------
    DocumentTermMatrix
        ``.matrix`` (``scipy.sparse.csr_matrix`` of counts), ``.terms``,
        ``.documents``, ``.docvars`` (the other columns), ``.to_frame()``
        (id, term, count), ``.term_counts()``, ``.summary()``.

    Notes
    -----
    Counts equal scikit-learn's ``CountVectorizer(analyzer=segmenter.words)``
    with the same filters (``min_df=min_docs``, ``max_df=max_share``).

    Examples
    --------
    >>> df = pd.DataFrame({"submission_id": ["S1", "S2"], "body": ["停车难，停车难", None]})
    >>> m = tk.text.dtm(df, text="body")
    >>> m.matrix.toarray().tolist(), list(m.documents)
    ([[2], [0]], ['S1', 'S2'])
    """
    for name, value in (("min_count", min_count), ("min_docs", min_docs)):
        if not isinstance(value, int | np.integer) or value < 1:
            msg = f"`{name}` must be a whole number of at least 1, not {value!r}."
            raise ArgumentError(msg)
    if not 0 < float(max_share) <= 1:
        msg = f"`max_share` must be in (0, 1], not {max_share!r}."
        raise ArgumentError(msg)
    seg = _segmenter(segmenter)
    docs = _documents(data, text, id, where="tk.text.dtm")
    from toolkit._checks import as_table
    from toolkit.text._large import map_texts

    words = map_texts(_word_rows, docs.texts, seg, n_jobs=n_jobs, progress=progress)
    mat, terms = build_matrix(words, vocabulary=vocabulary, min_count=min_count,
                              min_docs=min_docs, max_share=float(max_share))
    frame = as_table(data, "submissions")
    cols = [text] if isinstance(text, str) else list(text)
    docvars = frame.drop(columns=[c for c in cols if c in frame.columns]).reset_index(drop=True)
    if docs.id_name not in docvars.columns:
        docvars.insert(0, docs.id_name, list(docs.ids))
    return DocumentTermMatrix(mat, terms, docs.ids, docvars=docvars, segmenter=seg,
                              problems=docs.problems)


def as_dtm(data: Any, *, text: Any, id: str | None, segmenter: Segmenter | None,
           where: str, n_jobs: int = 1, progress: bool | None = None) -> DocumentTermMatrix:
    """`data` itself when it is a DocumentTermMatrix, else :func:`dtm` of it."""
    if isinstance(data, DocumentTermMatrix):
        if segmenter is not None:
            msg = (f"`{where}` was given a DocumentTermMatrix, which was segmented already: "
                   "leave out `segmenter=` (or pass the table instead).")
            raise ArgumentError(msg)
        return data
    return dtm(data, text=text, id=id, segmenter=segmenter, n_jobs=n_jobs, progress=progress)


@text_doc
def frequencies(
    data: Any,
    *,
    text: str | Sequence[str] = "body",
    by: str | Sequence[str] | None = None,
    id: str | None = None,
    top: int | None = None,
    segmenter: Segmenter | None = None,
) -> pd.DataFrame:
    """How often each term occurs, overall or by group.

    Parameters
    ----------
    data : pandas.DataFrame, Study or DocumentTermMatrix
        The texts, or a matrix from :func:`dtm` (then `text` and `segmenter`
        are not used).
    {text}
    by : str or list of str, optional
        Column(s) to group by (town, sector, year, adopted …); one block of
        rows per group.
    {id}
    top : int, optional
        Keep the `top` most frequent terms of each group.
    {segmenter}

    Returns
    -------
    pandas.DataFrame
        The `by` columns, ``term``, ``count``, ``share`` (count over all
        counted tokens of the group), ``docs`` (documents of the group with
        the term), ``n_docs`` (documents in the group); most frequent first
        within each group (ties in code-point order of the term).

    Examples
    --------
    >>> df = pd.DataFrame({"body": ["停车难", "停车难，加装电梯"]})
    >>> tk.text.frequencies(df, text="body")[["term", "count", "docs", "n_docs"]]
       term  count  docs  n_docs
    0   停车难      2     2       2
    1  加装电梯      1     1       2
    """
    m = as_dtm(data, text=text, id=id, segmenter=segmenter, where="tk.text.frequencies")
    if by is None:
        keys = pd.DataFrame(index=[0])
        counts = sparse.csr_matrix(m.matrix.sum(axis=0))
        present = m.matrix.copy()
        present.data = np.ones_like(present.data)
        docs = sparse.csr_matrix(present.sum(axis=0))
        n_docs = np.array([m.shape[0]])
        by_cols: list[str] = []
    else:
        by_cols = [by] if isinstance(by, str) else list(by)
        keys, counts, n_docs = m.groups(by_cols)
        docs = m.doc_freq_by(by_cols)
    return _tidy_counts(keys, by_cols, counts, docs, n_docs, m.terms, top=top)


def _tidy_counts(keys: pd.DataFrame, by_cols: list[str], counts: sparse.csr_matrix,
                 docs: sparse.csr_matrix, n_docs: np.ndarray, terms: pd.Index, *,
                 top: int | None) -> pd.DataFrame:
    terms_arr = np.asarray(terms, dtype=object)
    blocks = []
    counts = sparse.csr_matrix(counts)
    docs = sparse.csr_matrix(docs)
    for g in range(counts.shape[0]):
        row = counts.getrow(g)
        cols, vals = row.indices, row.data.astype(np.int64)
        total = vals.sum()
        drow = docs.getrow(g).toarray().ravel()
        order = np.lexsort((terms_arr[cols], -vals)) if len(cols) else np.zeros(0, int)
        if top is not None:
            order = order[:top]
        block = pd.DataFrame({
            "term": terms_arr[cols][order],
            "count": vals[order],
            "share": vals[order] / total if total else np.zeros(len(order)),
            "docs": drow[cols][order].astype(np.int64),
            "n_docs": np.full(len(order), int(n_docs[g]), dtype=np.int64),
        })
        for c in reversed(by_cols):
            block.insert(0, c, keys[c].iloc[g])
        blocks.append(block)
    cols_out = [*by_cols, "term", "count", "share", "docs", "n_docs"]
    if not blocks:
        return pd.DataFrame(columns=cols_out)
    return pd.concat(blocks, ignore_index=True)[cols_out]
