r"""Keywords, keyness and collocations: which words mark a group, a target, a phrase.

- :func:`keywords` — the top terms of each group by frequency, TF-IDF (each group
  taken as one document, as tidytext's ``bind_tf_idf``) or TextRank;
- :func:`keyness` — terms over- or under-represented in a target group against
  the rest (signed chi² or likelihood-ratio G², as quanteda's
  ``textstat_keyness``);
- :func:`collocations` — adjacent word pairs that occur together more often than
  chance (G², PMI).

Examples
--------
>>> df = pd.DataFrame({"town": ["东街道", "东街道", "西镇", "西镇"],
...                    "body": ["加装电梯", "加装电梯，停车难", "停车难", "垃圾分类，停车难"]})
>>> kw = tk.text.keywords(df, text="body", by="town", method="tfidf", top=1)
>>> kw[["town", "rank", "term", "count"]]
  town  rank  term  count
0  东街道     1  加装电梯      2
1   西镇     1  垃圾分类      1
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy import stats as sps

from toolkit._checks import check_choice, close_matches
from toolkit.errors import ArgumentError
from toolkit.text.matrix import DocumentTermMatrix, as_dtm
from toolkit.text.segment import Segmenter, _documents, _segmenter, text_doc

__all__ = ["collocations", "keyness", "keywords", "textrank_scores", "tfidf_by_group"]

#: Parts of speech TextRank keeps (jieba's default plus the domain dictionary's tags).
TEXTRANK_POS = ("n", "nr", "ns", "nt", "nz", "vn", "v", "l", "eng")

_EPS = 1e-9  # as quanteda's keyness: log(O/E + eps)


def _check_top(top: Any) -> int | None:
    if top is None:
        return None
    if not isinstance(top, int | np.integer) or isinstance(top, bool) or top < 1:
        msg = f"`top` must be a whole number of at least 1 (or None for all), not {top!r}."
        raise ArgumentError(msg)
    return int(top)


# ---------------------------------------------------------------------------
# TF-IDF by group
# ---------------------------------------------------------------------------


def tfidf_by_group(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    r"""TF-IDF of a group × term count matrix, each group one document.

    :math:`\mathrm{tf}_{gt} = n_{gt} / \sum_t n_{gt}`,
    :math:`\mathrm{idf}_t = \ln(G / G_t)` with :math:`G` groups and :math:`G_t`
    groups using term *t* (tidytext ``bind_tf_idf``; a term every group uses
    scores 0).

    Examples
    --------
    >>> from scipy import sparse
    >>> m = tfidf_by_group(sparse.csr_matrix([[2, 1], [0, 1]]))
    >>> m.toarray().round(4).tolist()
    [[0.4621, 0.0], [0.0, 0.0]]
    """
    counts = sparse.csr_matrix(counts, dtype=float)
    n_groups = counts.shape[0]
    totals = np.asarray(counts.sum(axis=1)).ravel()
    present = counts.copy()
    present.data = np.ones_like(present.data)
    df = np.asarray(present.sum(axis=0)).ravel()
    with np.errstate(divide="ignore"):
        idf = np.where(df > 0, np.log(n_groups / np.where(df > 0, df, 1)), 0.0)
    inv = sparse.diags(np.where(totals > 0, 1 / np.where(totals > 0, totals, 1), 0.0))
    return (inv @ counts @ sparse.diags(idf)).tocsr()


# ---------------------------------------------------------------------------
# TextRank
# ---------------------------------------------------------------------------


def textrank_scores(sequences: Sequence[Sequence[tuple[str, int, str | None]]], *,
                    window: int = 5, pos: Sequence[str] | None = TEXTRANK_POS
                    ) -> pd.Series:
    """TextRank score of every candidate word over token sequences (one per document).

    Candidates are kept tokens whose part of speech is in `pos`; two
    candidates are linked, with weight the number of times it happens, when
    their positions are less than `window` apart (jieba's ``textrank``
    co-occurrence rule). Scores are weighted PageRank (damping 0.85) of that
    graph, divided by the largest score.
    """
    import networkx as nx

    weights: dict[tuple[str, str], int] = {}
    for seq in sequences:
        cands = [(t, p) for t, p, tag in seq if pos is None or (tag or "") in pos]
        for i, (t, p) in enumerate(cands):
            for u, q in cands[i + 1:]:
                if q - p >= window:
                    break
                if u != t:
                    key = (t, u) if t < u else (u, t)
                    weights[key] = weights.get(key, 0) + 1
    G = nx.Graph()
    for seq in sequences:
        G.add_nodes_from(t for t, _, tag in seq if pos is None or (tag or "") in pos)
    G.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items())
    if not len(G):
        return pd.Series(dtype=float)
    ranks = pd.Series(nx.pagerank(G, alpha=0.85, weight="weight", tol=1e-10, max_iter=500))
    return ranks / ranks.max()


# ---------------------------------------------------------------------------
# keywords
# ---------------------------------------------------------------------------


@text_doc
def keywords(
    data: Any,
    *,
    text: str | Sequence[str] = "body",
    by: str | Sequence[str] | None = None,
    method: str = "tfidf",
    top: int | None = 10,
    id: str | None = None,
    window: int = 5,
    segmenter: Segmenter | None = None,
) -> pd.DataFrame:
    r"""The top terms of each group (or document): by frequency, TF-IDF or TextRank.

    Parameters
    ----------
    data : pandas.DataFrame, Study or DocumentTermMatrix
        The texts, or a matrix from :func:`dtm` (not for ``"textrank"``, which
        needs the order of the words).
    {text}
    by : str or list of str, optional
        Column(s) to group by (town, sector, year, adopted …). Without it,
        ``"count"`` and ``"textrank"`` rank the terms of all documents together
        and ``"tfidf"`` ranks the terms of each document (the id column then
        names the group).
    method : {"tfidf", "count", "textrank"}, default "tfidf"
        ``"count"``: most frequent; ``"tfidf"``: frequent in the group and rare
        in the others (each group one document); ``"textrank"``: central in the
        graph of words occurring near each other.
    top : int or None, default 10
        Terms kept per group (None: all).
    {id}
    window : int, default 5
        TextRank: positions within which two words are linked.
    {segmenter}

    Returns
    -------
    pandas.DataFrame
        The group columns, ``rank`` (1 = top), ``term``, ``score`` (the
        count, TF-IDF or TextRank score), ``count`` (occurrences in the group),
        ``docs`` (documents of the group using the term), ``n_docs``. Ties are
        broken by count, then by the term's code-point order.

    Notes
    -----
    TF-IDF by group as tidytext's ``bind_tf_idf`` (Silge & Robinson 2017):
    :math:`\mathrm{tf} = n_{gt}/n_g` (share of the group's counted tokens),
    :math:`\mathrm{idf} = \ln(G/G_t)`; a term used by every group scores 0.
    It equals scikit-learn's ``TfidfTransformer(norm=None, smooth_idf=False)``
    on the group counts divided by the group totals, minus the tf (sklearn adds 1
    to the idf). TextRank as Mihalcea & Tarau (2004) with jieba's defaults:
    nouns, verbal nouns, verbs and place names, window 5, damping 0.85.

    References
    ----------
    Silge, J. & Robinson, D. (2017). *Text Mining with R*, ch. 3. O'Reilly.
    Test values: R ``tidytext::bind_tf_idf`` (tests/reference/R/text.R).
    Mihalcea, R. & Tarau, P. (2004). TextRank: bringing order into texts. EMNLP.

    Examples
    --------
    >>> df = pd.DataFrame({"body": ["加装电梯，停车难", "停车难，停车位不足"]})
    >>> tk.text.keywords(df, text="body", method="count", top=2)[["rank", "term", "count"]]
       rank term  count
    0     1  停车难      2
    1     2   不足      1
    """
    check_choice(method, ("tfidf", "count", "textrank"), param="method")
    top = _check_top(top)
    if method == "textrank":
        return _textrank_keywords(data, text=text, by=by, id=id, top=top, window=window,
                                  segmenter=segmenter)
    m = as_dtm(data, text=text, id=id, segmenter=segmenter, where="tk.text.keywords")
    if by is None and method == "tfidf":
        by_cols = [m.id_name]
    else:
        by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if by_cols:
        keys, counts, n_docs = m.groups(by_cols)
        docs = m.doc_freq_by(by_cols)
    else:
        keys = pd.DataFrame(index=[0])
        counts = sparse.csr_matrix(m.matrix.sum(axis=0))
        present = m.matrix.copy()
        present.data = np.ones_like(present.data)
        docs = sparse.csr_matrix(present.sum(axis=0))
        n_docs = np.array([m.shape[0]])
    scores = tfidf_by_group(counts) if method == "tfidf" else sparse.csr_matrix(counts,
                                                                               dtype=float)
    return _ranked(keys, by_cols, counts, docs, n_docs, scores, m.terms, top=top)


def _ranked(keys: pd.DataFrame, by_cols: list[str], counts: sparse.csr_matrix,
            docs: sparse.csr_matrix, n_docs: np.ndarray, scores: sparse.csr_matrix,
            terms: pd.Index, *, top: int | None) -> pd.DataFrame:
    terms_arr = np.asarray(terms, dtype=object)
    counts, docs, scores = (sparse.csr_matrix(x) for x in (counts, docs, scores))
    blocks = []
    for g in range(counts.shape[0]):
        crow = counts.getrow(g)
        cols = crow.indices
        if not len(cols):
            continue
        cvals = crow.data.astype(np.int64)
        svals = scores.getrow(g).toarray().ravel()[cols]
        dvals = docs.getrow(g).toarray().ravel()[cols].astype(np.int64)
        order = np.lexsort((terms_arr[cols], -cvals, -svals))
        if top is not None:
            order = order[:top]
        block = pd.DataFrame({
            "rank": np.arange(1, len(order) + 1, dtype=np.int64),
            "term": terms_arr[cols][order], "score": svals[order], "count": cvals[order],
            "docs": dvals[order], "n_docs": np.full(len(order), int(n_docs[g]), np.int64)})
        for c in reversed(by_cols):
            block.insert(0, c, keys[c].iloc[g])
        blocks.append(block)
    out_cols = [*by_cols, "rank", "term", "score", "count", "docs", "n_docs"]
    return (pd.concat(blocks, ignore_index=True)[out_cols] if blocks
            else pd.DataFrame(columns=out_cols))


def _textrank_keywords(data: Any, *, text: Any, by: Any, id: str | None, top: int | None,
                       window: int, segmenter: Segmenter | None) -> pd.DataFrame:
    if isinstance(data, DocumentTermMatrix):
        msg = ("TextRank needs the order of the words, which a DocumentTermMatrix does not "
               "keep: pass the table with the texts.")
        raise ArgumentError(msg)
    if not isinstance(window, int) or window < 2:
        msg = f"`window` must be a whole number of at least 2, not {window!r}."
        raise ArgumentError(msg)
    from toolkit._checks import as_table
    from toolkit.text._large import map_texts
    from toolkit.text.segment import _token_rows

    seg = _segmenter(segmenter)
    docs = _documents(data, text, id, where="tk.text.keywords")
    seqs = map_texts(_token_rows, docs.texts, seg, options={"pos": True})
    frame = as_table(data, "submissions").reset_index(drop=True)
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    from toolkit._checks import require_columns

    require_columns(frame, {"by": by_cols})
    if by_cols:
        from toolkit.text.matrix import _factorize

        codes, keys = _factorize(frame[by_cols])
    else:
        codes, keys = np.zeros(len(seqs), dtype=np.int64), pd.DataFrame(index=[0])
    blocks = []
    for g in range(len(keys)):
        members = [seqs[i] for i in np.flatnonzero(codes == g)]
        ranks = textrank_scores(members, window=window)
        if not len(ranks):
            continue
        counts: dict[str, int] = {}
        doc_counts: dict[str, int] = {}
        for seq in members:
            seen = set()
            for t, _, _ in seq:
                counts[t] = counts.get(t, 0) + 1
                seen.add(t)
            for t in seen:
                doc_counts[t] = doc_counts.get(t, 0) + 1
        block = pd.DataFrame({"term": ranks.index.astype(object), "score": ranks.to_numpy()})
        block["count"] = [counts.get(t, 0) for t in block["term"]]
        block["docs"] = [doc_counts.get(t, 0) for t in block["term"]]
        block = block.sort_values(["score", "count", "term"], ascending=[False, False, True],
                                  kind="stable").reset_index(drop=True)
        if top is not None:
            block = block.head(top)
        block.insert(0, "rank", np.arange(1, len(block) + 1, dtype=np.int64))
        block["n_docs"] = len(members)
        for c in reversed(by_cols):
            block.insert(0, c, keys[c].iloc[g])
        blocks.append(block)
    out_cols = [*by_cols, "rank", "term", "score", "count", "docs", "n_docs"]
    return (pd.concat(blocks, ignore_index=True)[out_cols] if blocks
            else pd.DataFrame(columns=out_cols))


# ---------------------------------------------------------------------------
# keyness
# ---------------------------------------------------------------------------


def _yates(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    n = a + b + c + d
    small = (((a + b) * (a + c) / n < 5) | ((a + b) * (b + d) / n < 5)
             | ((a + c) * (c + d) / n < 5) | ((c + d) * (b + d) / n < 5))
    return np.where((np.abs(a * d - b * c) >= n / 2) & small, 0.5, 0.0)


def _williams(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    n = a + b + c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        q = 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)
    return np.where(a * b * c * d == 0, 1.0, q)


def keyness_statistic(a: np.ndarray, b: np.ndarray, total_target: float,
                      total_reference: float, *, measure: str = "chi2",
                      correction: str = "default") -> np.ndarray:
    r"""Signed keyness of terms counted `a` times in the target and `b` in the reference.

    The formulas of quanteda's ``textstat_keyness`` (C++ ``keyness.cpp``): for
    the 2 × 2 table :math:`a, b, c = T - a, d = R - b`, :math:`N`,
    :math:`E = (a+b)(a+c)/N`; the sign is + when :math:`a > E`.

    Examples
    --------
    >>> keyness_statistic(np.array([10.0]), np.array([2.0]), 100, 100,
    ...                   measure="chi2", correction="none").round(4)
    array([5.6738])
    """
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    c = total_target - a
    d = total_reference - b
    n = a + b + c + d
    e = (a + b) * (a + c) / n
    sign = np.where(a > e, 1.0, -1.0)
    if measure == "pmi":
        return np.log(a / e + _EPS)
    delta = _yates(a, b, c, d) if correction in ("default", "yates") else np.zeros_like(a)
    if measure == "chi2":
        stat = n * (np.abs(a * d - b * c) - n * delta) ** 2 / (
            (a + b) * (c + d) * (a + c) * (b + d))
        if correction == "williams":
            stat = stat / _williams(a, b, c, d)
        return stat * sign
    pos = (a * d - b * c) > 0
    aa = a + np.where(pos, -delta, delta)
    bb = b + np.where(pos, delta, -delta)
    cc = c + np.where(pos, delta, -delta)
    dd = d + np.where(pos, -delta, delta)
    with np.errstate(divide="ignore", invalid="ignore"):
        def term(o: np.ndarray, ex: np.ndarray) -> np.ndarray:
            return np.where(o > 0, o * np.log(o / ex + _EPS), 0.0)

        g2 = 2 * (term(aa, (aa + bb) * (aa + cc) / n) + term(bb, (aa + bb) * (bb + dd) / n)
                  + term(cc, (aa + cc) * (cc + dd) / n) + term(dd, (bb + dd) * (cc + dd) / n))
    if correction == "williams":
        g2 = g2 / _williams(a, b, c, d)
    return g2 * sign


@text_doc
def keyness(
    data: Any,
    *,
    by: str,
    target: Any = None,
    text: str | Sequence[str] = "body",
    measure: str = "chi2",
    correction: str = "default",
    top: int | None = None,
    id: str | None = None,
    segmenter: Segmenter | None = None,
) -> pd.DataFrame:
    r"""Terms that mark a target group against the rest (signed chi² or G²), as quanteda.

    Parameters
    ----------
    data : pandas.DataFrame, Study or DocumentTermMatrix
        The texts, or a matrix from :func:`dtm`.
    by : str
        Column whose values form the groups (town, adopted, year …).
    target : value of `by`, optional
        The target group (e.g. ``True`` for ``by="adopted"``), compared with
        all other documents. Without it, every group is compared with the rest
        in turn (one block per group).
    {text}
    measure : {"chi2", "lr", "pmi"}, default "chi2"
        Pearson's chi², the likelihood ratio G² (Dunning 1993), or pointwise
        mutual information.
    correction : {"default", "yates", "williams", "none"}, default "default"
        ``"default"``/``"yates"``: Yates' continuity correction where a cell's
        expected count is below 5 (as quanteda, for chi² and G²);
        ``"williams"``: Williams' correction (the statistic divided by
        :math:`q`); ``"none"``. Not used for ``"pmi"``.
    top : int, optional
        Keep the `top` most over-represented and the `top` most
        under-represented terms of each target.
    {id}
    {segmenter}

    Returns
    -------
    pandas.DataFrame
        ``target`` (the group), ``reference`` (the other group's name when there
        are two groups, else ``"其他"``), ``term``, ``keyness`` (positive: more
        frequent in the target than expected), ``p_value`` (chi-square with 1
        df of the absolute statistic; NaN for PMI), ``n_target``,
        ``n_reference`` (counts), ``measure``; sorted by keyness, highest
        first (ties by term).

    Raises
    ------
    toolkit.errors.ArgumentError
        For a `target` that is not a value of `by`, or fewer than two groups.

    Notes
    -----
    With :math:`a` the term's count in the target, :math:`b` in the reference,
    :math:`c, d` the other tokens, :math:`N` all, :math:`E = (a+b)(a+c)/N`:
    :math:`\chi^2 = N(|ad - bc| - N\delta)^2/((a+b)(c+d)(a+c)(b+d))` and
    :math:`G^2 = 2\sum O\ln(O/E)` over the four cells, with
    :math:`\delta = 0.5` (Yates) when :math:`|ad - bc| \ge N/2` and an expected
    count is below 5, else 0 (quanteda's rule; G² then uses the cells moved by
    :math:`\delta` towards independence). Chi² equals R's
    ``chisq.test(correct = ...)`` on each 2 × 2 table.

    References
    ----------
    Dunning, T. (1993). Accurate methods for the statistics of surprise and
    coincidence. *Computational Linguistics* 19, 61-74. Benoit, K. et al.
    (2018). quanteda: an R package for the quantitative analysis of textual
    data. *JOSS* 3, 774. Test values: R ``chisq.test`` and the G² formula in R
    (tests/reference/R/text.R).

    Examples
    --------
    >>> df = pd.DataFrame({"adopted": [True, True, False, False],
    ...                    "body": ["加装电梯", "加装电梯，停车难", "停车难", "垃圾分类"]})
    >>> k = tk.text.keyness(df, text="body", by="adopted", target=True, correction="none")
    >>> k[["term", "keyness", "n_target", "n_reference"]].round(3)
       term  keyness  n_target  n_reference
    0  加装电梯    2.222         2            0
    1   停车难   -0.139         1            1
    2  垃圾分类   -1.875         0            1
    """
    check_choice(measure, ("chi2", "lr", "pmi"), param="measure")
    check_choice(correction, ("default", "yates", "williams", "none"), param="correction")
    top = _check_top(top)
    if not isinstance(by, str):
        msg = "`by` names one column for keyness (the groups to compare), e.g. `by=\"town\"`."
        raise ArgumentError(msg)
    m = as_dtm(data, text=text, id=id, segmenter=segmenter, where="tk.text.keyness")
    keys, counts, _ = m.groups(by)
    values = keys[by].tolist()
    if len(values) < 2:
        msg = (f"Keyness compares groups, and `{by}` has {len(values)} group(s) "
               f"({values}); it needs at least two.")
        raise ArgumentError(msg)
    if target is None:
        targets = list(range(len(values)))
    else:
        matches = [i for i, v in enumerate(values) if v == target or str(v) == str(target)]
        if not matches:
            close = close_matches(target, [str(v) for v in values])
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            msg = (f"`target={target!r}` is not a value of `{by}`.{hint} Values: "
                   f"{', '.join(map(repr, values))}.")
            raise ArgumentError(msg)
        targets = matches[:1]
    counts = sparse.csr_matrix(counts).toarray().astype(float)
    totals = counts.sum(axis=1)
    all_counts = counts.sum(axis=0)
    terms = np.asarray(m.terms, dtype=object)
    blocks = []
    for t in targets:
        a = counts[t]
        b = all_counts - a
        used = (a + b) > 0
        a_, b_ = a[used], b[used]
        stat = keyness_statistic(a_, b_, totals[t], totals.sum() - totals[t], measure=measure,
                                 correction=correction)
        p = (sps.chi2.sf(np.abs(stat), 1) if measure != "pmi"
             else np.full(len(stat), np.nan))
        reference = values[1 - t] if len(values) == 2 else "其他"
        block = pd.DataFrame({"target": values[t], "reference": reference,
                              "term": terms[used], "keyness": stat, "p_value": p,
                              "n_target": a_.astype(np.int64), "n_reference": b_.astype(np.int64),
                              "measure": measure})
        block = block.sort_values(["keyness", "term"], ascending=[False, True],
                                  kind="stable").reset_index(drop=True)
        if top is not None and len(block) > 2 * top:
            block = pd.concat([block.head(top), block.tail(top)], ignore_index=True)
        blocks.append(block)
    return pd.concat(blocks, ignore_index=True)


# ---------------------------------------------------------------------------
# collocations
# ---------------------------------------------------------------------------


@text_doc
def collocations(
    data: Any,
    *,
    text: str | Sequence[str] = "body",
    id: str | None = None,
    min_count: int = 2,
    top: int | None = None,
    segmenter: Segmenter | None = None,
) -> pd.DataFrame:
    r"""Adjacent word pairs that occur together more often than chance.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        The texts.
    {text}
    {id}
    min_count : int, default 2
        Keep pairs seen at least this often.
    top : int, optional
        Keep the `top` pairs by G².
    segmenter : Segmenter, optional
        Dictionary, stop words and what is dropped. Two kept words count as a
        pair only when nothing was dropped between them (their positions are
        consecutive), so a stop word or a comma breaks a pair.

    Returns
    -------
    pandas.DataFrame
        ``collocation`` (the two words joined), ``first``, ``second``,
        ``count``, ``expected`` (count expected if the words were independent),
        ``G2`` (log-likelihood, Dunning 1993), ``pmi`` (log₂ of count over
        expected), ``p_value`` (chi-square, 1 df, of G²), ``docs``; sorted by
        G², highest first.

    Notes
    -----
    For a pair (w₁, w₂) among the :math:`N` adjacent pairs: :math:`a` pairs
    w₁ w₂, :math:`b` pairs w₁ ·, :math:`c` pairs · w₂, :math:`d` the rest;
    expected :math:`(a+b)(a+c)/N`; :math:`G^2 = 2\sum O\ln(O/E)` over the four
    cells (as NLTK's ``BigramAssocMeasures.likelihood_ratio``).

    Examples
    --------
    >>> df = pd.DataFrame({"body": ["社区 食堂 开业", "社区 食堂 价格", "社区 活动"]})
    >>> c = tk.text.collocations(df, text="body", min_count=2)
    >>> c[["collocation", "count"]]
      collocation  count
    0        社区食堂      2
    """
    if not isinstance(min_count, int | np.integer) or min_count < 1:
        msg = f"`min_count` must be a whole number of at least 1, not {min_count!r}."
        raise ArgumentError(msg)
    top = _check_top(top)
    from toolkit.text._large import map_texts
    from toolkit.text.segment import _token_rows

    seg = _segmenter(segmenter)
    docs = _documents(data, text, id, where="tk.text.collocations")
    seqs = map_texts(_token_rows, docs.texts, seg, options={"pos": False})
    pairs: dict[tuple[str, str], int] = {}
    pair_docs: dict[tuple[str, str], int] = {}
    for seq in seqs:
        seen = set()
        for (t1, p1, _), (t2, p2, _) in itertools.pairwise(seq):
            if p2 == p1 + 1:
                pairs[(t1, t2)] = pairs.get((t1, t2), 0) + 1
                seen.add((t1, t2))
        for key in seen:
            pair_docs[key] = pair_docs.get(key, 0) + 1
    cols = ["collocation", "first", "second", "count", "expected", "G2", "pmi", "p_value",
            "docs"]
    if not pairs:
        return pd.DataFrame(columns=cols)
    frame = pd.DataFrame([(k[0], k[1], v) for k, v in pairs.items()],
                         columns=["first", "second", "count"])
    n = float(frame["count"].sum())
    first_tot = frame.groupby("first")["count"].transform("sum").to_numpy(float)
    second_tot = frame.groupby("second")["count"].transform("sum").to_numpy(float)
    a = frame["count"].to_numpy(float)
    b = first_tot - a
    c = second_tot - a
    d = n - a - b - c
    g2 = keyness_statistic(a, c, a + b, c + d, measure="lr", correction="none")
    expected = (a + b) * (a + c) / n
    frame["expected"] = expected
    frame["G2"] = g2
    frame["pmi"] = np.log2(a / expected)
    frame["p_value"] = sps.chi2.sf(np.abs(g2), 1)
    frame["docs"] = [pair_docs[(f, s)] for f, s in zip(frame["first"], frame["second"],
                                                        strict=True)]
    frame["collocation"] = frame["first"] + frame["second"]
    frame = frame[frame["count"] >= min_count]
    frame = frame.sort_values(["G2", "count", "collocation"], ascending=[False, False, True],
                              kind="stable").reset_index(drop=True)
    if top is not None:
        frame = frame.head(top)
    return frame[cols]

