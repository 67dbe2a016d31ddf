r"""Topic models of submissions and minutes: NMF or LDA, the number of topics by coherence.

:func:`topics` fits scikit-learn's NMF (on TF-IDF weights) or LDA (on counts) to the
document–term matrix, for one number of topics or for several, keeping the number
whose topics are most coherent (NPMI of their top words over documents). Seeded:
the same data and seed give the same topics.

Examples
--------
>>> texts = ["加装电梯 老旧小区 电梯", "老旧小区 加装电梯 物业", "停车难 停车位 车位",
...          "停车位 停车难 充电桩", "养老服务 老年食堂", "老年食堂 助餐点 养老服务"]
>>> df = pd.DataFrame({"submission_id": [f"S{i}" for i in range(6)], "body": texts})
>>> tm = tk.text.topics(df, text="body", k=3, seed=1, min_docs=1)
>>> tm.k, tm.document_topics["topic"].tolist()
(3, [3, 3, 2, 2, 1, 1])
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from toolkit._checks import check_choice, check_lang, require_columns
from toolkit.errors import ArgumentError
from toolkit.text.matrix import DocumentTermMatrix
from toolkit.text.segment import Segmenter, _documents, _segmenter, text_doc

if TYPE_CHECKING:  # pragma: no cover
    from toolkit._summary import Summary

__all__ = ["TopicModel", "coherence", "topics"]

_EXCERPT = 80


def coherence(matrix: sparse.spmatrix, top_terms: Sequence[Sequence[int]], *,
              measure: str = "npmi") -> np.ndarray:
    r"""Coherence of each topic from document co-occurrence of its top terms.

    Parameters
    ----------
    matrix : scipy.sparse matrix
        Documents × terms counts (only presence is used).
    top_terms : list of list of int
        Column indices of each topic's top terms, best first.
    measure : {"npmi", "umass"}, default "npmi"
        ``"npmi"``: mean normalised PMI of all pairs,
        :math:`\log\frac{P(w_i,w_j)}{P(w_i)P(w_j)} / -\log P(w_i,w_j)`, −1 for
        pairs never together (Bouma 2009; Aletras & Stevenson 2013);
        ``"umass"``: mean :math:`\log\frac{D(w_i,w_j)+1}{D(w_j)}` over pairs
        with :math:`w_j` ranked above :math:`w_i` (Mimno et al. 2011).

    Returns
    -------
    numpy.ndarray
        One value per topic.

    Examples
    --------
    >>> from scipy import sparse
    >>> m = sparse.csr_matrix([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]])
    >>> coherence(m, [[0, 1], [0, 2]]).round(3).tolist()
    [0.415, -1.0]
    """
    check_choice(measure, ("npmi", "umass"), param="measure")
    present = sparse.csr_matrix(matrix, dtype=float)
    present.data = np.ones_like(present.data)
    n = present.shape[0]
    out = []
    for terms in top_terms:
        terms = list(terms)
        sub = present[:, terms]
        co = (sub.T @ sub).toarray()
        df = np.diag(co)
        vals = []
        for i in range(len(terms)):
            for j in range(i):
                if measure == "umass":
                    vals.append(np.log((co[i, j] + 1) / df[j]) if df[j] else np.nan)
                    continue
                pij = co[i, j] / n
                if pij == 0:
                    vals.append(-1.0)
                elif pij == 1:
                    vals.append(1.0)
                else:
                    pmi = np.log(pij / ((df[i] / n) * (df[j] / n)))
                    vals.append(pmi / -np.log(pij))
        out.append(float(np.nanmean(vals)) if vals else np.nan)
    return np.asarray(out)


class TopicModel:
    """A fitted topic model: top terms, document shares, coherence, representatives.

    Built by :func:`topics`.

    Attributes
    ----------
    k : int
        Number of topics; topics are numbered 1…k by their share of documents,
        largest first.
    method : str
        ``"nmf"`` or ``"lda"``.
    seed : int
        The seed used.
    terms : pandas.DataFrame
        ``topic, rank, term, weight`` (top terms of each topic).
    document_topics : pandas.DataFrame
        The id column, ``topic`` (the topic with the largest share; missing for
        documents without counted words), ``share`` (its share), then
        ``topic_1 … topic_k`` (shares summing to 1).
    coherence : pandas.DataFrame
        ``k, coherence, chosen`` for every number of topics tried.
    topic_coherence : pandas.DataFrame
        ``topic, coherence`` of the fitted model.
    model : sklearn estimator
        The scikit-learn NMF or LatentDirichletAllocation.
    dtm : DocumentTermMatrix
        The matrix the model was fitted to.
    notes : list of str
        What to know (e.g. the fit stopped before converging).
    """

    def __init__(self, *, k: int, method: str, seed: int, model: Any, weights: np.ndarray,
                 components: np.ndarray, dtm: DocumentTermMatrix, coherence_table: pd.DataFrame,
                 topic_coherence: np.ndarray, top: int, excerpts: list[str] | None,
                 notes: list[str]) -> None:
        self.k = k
        self.method = method
        self.seed = seed
        self.model = model
        self.dtm = dtm
        self.coherence = coherence_table
        self.notes = notes
        self._excerpts = excerpts
        terms = np.asarray(dtm.terms, dtype=object)
        rows = []
        for t in range(k):
            order = _top_terms(components[t], top)
            for r, j in enumerate(order, start=1):
                rows.append({"topic": t + 1, "rank": r, "term": terms[j],
                             "weight": float(components[t, j])})
        self.terms = pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])
        self.topic_coherence = pd.DataFrame({"topic": np.arange(1, k + 1),
                                             "coherence": topic_coherence})
        totals = weights.sum(axis=1)
        shares = np.divide(weights, totals[:, None], out=np.full_like(weights, np.nan),
                           where=totals[:, None] > 0)
        self._shares = shares
        frame = pd.DataFrame({dtm.id_name: list(dtm.documents)})
        has = totals > 0
        best = np.argmax(np.nan_to_num(shares, nan=-1), axis=1) + 1
        frame["topic"] = pd.array(np.where(has, best, 0), dtype="Int64").astype("Int64")
        frame.loc[~has, "topic"] = pd.NA
        frame["share"] = np.where(has, np.nanmax(np.nan_to_num(shares, nan=0), axis=1), np.nan)
        for t in range(k):
            frame[f"topic_{t + 1}"] = shares[:, t]
        self.document_topics = frame

    @property
    def labels(self) -> dict[int, str]:
        """Topic number → its three top terms joined with ·."""
        out = {}
        for t, sub in self.terms.groupby("topic", sort=True):
            out[int(t)] = "·".join(sub.sort_values("rank")["term"].head(3))
        return out

    def representative(self, n: int = 3) -> pd.DataFrame:
        """The `n` documents with the largest share of each topic.

        Returns ``topic, label, rank, <id>, share, excerpt`` — the excerpt is the
        start of the text (NFKC, personal data masked), or missing when the
        model was fitted to a DocumentTermMatrix.
        """
        rows = []
        ids = list(self.dtm.documents)
        for t in range(self.k):
            col = np.nan_to_num(self._shares[:, t], nan=-1)
            order = np.argsort(-col, kind="stable")[:n]
            for r, i in enumerate(order, start=1):
                if col[i] < 0:
                    continue
                rows.append({"topic": t + 1, "label": self.labels[t + 1], "rank": r,
                             self.dtm.id_name: ids[i], "share": float(col[i]),
                             "excerpt": None if self._excerpts is None else self._excerpts[i]})
        return pd.DataFrame(rows, columns=["topic", "label", "rank", self.dtm.id_name, "share",
                                           "excerpt"])

    def shares(self, *, by: str | Sequence[str] | None = None, date: str | None = None,
               freq: str = "Y") -> pd.DataFrame:
        """Mean topic shares, overall, by group, or by period.

        Parameters
        ----------
        by : str or list of str, optional
            Column(s) of the texts' table to group by (town, sector, adopted …).
        date : str, optional
            A date column: shares by period of it (``freq``), e.g. topic shares
            over time.
        freq : {"Y", "Q", "M"}, default "Y"
            Length of the periods for `date`.

        Returns
        -------
        pandas.DataFrame
            The group columns (``period`` for `date`), ``topic``, ``label``,
            ``share`` (mean share of the topic among the group's documents with
            counted words; the shares of a group sum to 1), ``docs`` (documents
            whose main topic it is), ``n_docs`` (documents with counted words).
        """
        check_choice(freq, ("Y", "Q", "M"), param="freq")
        frame = self.dtm.docvars.reset_index(drop=True).copy()
        by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
        require_columns(frame, {"by": by_cols, "date": date}, where="the table of the texts")
        if date is not None:
            dates = pd.to_datetime(frame[date], errors="coerce")
            frame["period"] = dates.dt.to_period(freq).astype("str").where(dates.notna(), None)
            by_cols = [*by_cols, "period"]
        has = ~np.isnan(self._shares).any(axis=1)
        labels = self.labels
        rows = []
        keys = frame[by_cols] if by_cols else pd.DataFrame(index=frame.index)
        if by_cols:
            grouper = by_cols[0] if len(by_cols) == 1 else by_cols
            groups = keys[has].groupby(grouper, sort=True, dropna=True).groups.items()
        else:
            groups = [((), keys.index[has])]
        main = self.document_topics["topic"].to_numpy()
        for key, idx in groups:
            key = key if isinstance(key, tuple) else (key,)
            idx = np.asarray(idx)
            mean = self._shares[idx].mean(axis=0)
            for t in range(self.k):
                rows.append({**dict(zip(by_cols, key, strict=True)), "topic": t + 1,
                             "label": labels[t + 1], "share": float(mean[t]),
                             "docs": int((main[idx] == t + 1).sum()), "n_docs": len(idx)})
        return pd.DataFrame(rows, columns=[*by_cols, "topic", "label", "share", "docs",
                                           "n_docs"])

    def join(self, data: pd.DataFrame) -> pd.DataFrame:
        """`data` with ``topic``, ``topic_label`` and ``topic_share`` added (a new frame)."""
        key = self.dtm.id_name
        if key not in data.columns:
            msg = f"`data` has no column `{key}` to join the topics on."
            raise ArgumentError(msg)
        doc = self.document_topics[[key, "topic", "share"]].rename(
            columns={"share": "topic_share"})
        labels = self.labels
        doc["topic_label"] = [None if pd.isna(t) else labels[int(t)] for t in doc["topic"]]
        clash = [c for c in ("topic", "topic_label", "topic_share") if c in data.columns]
        return data.drop(columns=clash).merge(doc, on=key, how="left", validate="many_to_one")

    def to_frame(self, lang: str = "zh") -> pd.DataFrame:
        """One row per topic: its label, top terms, documents, share and coherence.

        Columns: ``topic, label, terms`` (top terms joined with 、), ``docs``,
        ``share``, ``coherence``.
        """
        check_lang(lang)
        overall = self.shares()
        rows = []
        for t in range(1, self.k + 1):
            sub = self.terms[self.terms["topic"] == t].sort_values("rank")
            o = overall[overall["topic"] == t]
            rows.append({"topic": t, "label": self.labels[t], "terms": "、".join(sub["term"]),
                         "docs": int(o["docs"].iloc[0]) if len(o) else 0,
                         "share": float(o["share"].iloc[0]) if len(o) else np.nan,
                         "coherence": float(self.topic_coherence["coherence"].iloc[t - 1])})
        return pd.DataFrame(rows)

    def summary(self) -> Summary:
        """Method, number of topics, coherence, and the topics with their top terms."""
        from toolkit._summary import Summary

        info = [("Method", self.method.upper()), ("Topics", str(self.k)),
                ("Seed", str(self.seed)), ("Documents", f"{self.dtm.shape[0]:,}"),
                ("Terms", f"{self.dtm.shape[1]:,}"),
                ("Coherence (NPMI)", f"{np.nanmean(self.topic_coherence['coherence']):.3f}")]
        return Summary("Topic model", info, self.to_frame(), notes=list(self.notes))

    def __repr__(self) -> str:
        return (f"<TopicModel {self.method.upper()}: {self.k} topics, "
                f"{self.dtm.shape[0]:,} documents>")

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _top_terms(weights: np.ndarray, top: int) -> np.ndarray:
    """Indices of the `top` largest positive weights, largest first."""
    order = np.argsort(-weights, kind="stable")[:top]
    return order[weights[order] > 0]


def _fit(method: str, counts: sparse.csr_matrix, k: int, seed: int, notes: list[str]
         ) -> tuple[Any, np.ndarray, np.ndarray]:
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        if method == "nmf":
            from sklearn.decomposition import NMF
            from sklearn.feature_extraction.text import TfidfTransformer

            x = TfidfTransformer().fit_transform(counts)
            model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=1000)
            weights = model.fit_transform(x)
        else:
            from sklearn.decomposition import LatentDirichletAllocation

            model = LatentDirichletAllocation(n_components=k, random_state=seed,
                                              learning_method="batch", max_iter=100)
            weights = model.fit_transform(counts)
            empty = np.asarray(counts.sum(axis=1)).ravel() == 0
            weights[empty] = 0.0
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        notes.append(f"The {method.upper()} fit with k={k} stopped at its iteration limit "
                     "before converging; the topics may change slightly with another seed.")
    return model, np.asarray(weights, dtype=float), np.asarray(model.components_, dtype=float)


@text_doc
def topics(
    data: Any,
    *,
    text: str | Sequence[str] = "body",
    k: int | Sequence[int] | None = None,
    method: str = "nmf",
    seed: int = 1,
    top: int = 10,
    min_docs: int = 2,
    max_share: float = 0.5,
    id: str | None = None,
    segmenter: Segmenter | None = None,
) -> TopicModel:
    """Topics of a set of texts: NMF or LDA, with the number of topics chosen by coherence.

    Parameters
    ----------
    data : pandas.DataFrame, Study or DocumentTermMatrix
        The texts, or a matrix from :func:`dtm` (then `text` and `segmenter`
        are not used).
    {text}
    k : int, list of int or None, default None
        Number of topics; a list tries each and keeps the most coherent;
        None tries 3 to 10 (fewer for small corpora).
    method : {"nmf", "lda"}, default "nmf"
        Non-negative matrix factorisation of TF-IDF weights (good for short
        texts), or latent Dirichlet allocation of counts.
    seed : int, default 1
        Seed of the initialisation: the same data and seed give the same
        topics.
    top : int, default 10
        Top terms kept per topic (and used for coherence).
    min_docs : int, default 2
        Leave out terms found in fewer documents.
    max_share : float, default 0.5
        Leave out terms found in more than this share of the documents.
    {id}
    {segmenter}

    Returns
    -------
    TopicModel
        ``.terms``, ``.document_topics``, ``.labels``, ``.representative()``,
        ``.shares(by=..., date=...)``, ``.join(data)``, ``.coherence`` (each
        k tried), ``.to_frame()``, ``.summary()``, ``.model`` (scikit-learn).

    Raises
    ------
    toolkit.errors.ArgumentError
        For a `k` below 2 or above the number of documents or terms, or a
        corpus left without terms by the filters.

    Notes
    -----
    NMF: ``TfidfTransformer()`` then ``NMF(init="nndsvda",
    random_state=seed)``; LDA: ``LatentDirichletAllocation(learning_method=
    "batch", random_state=seed)``. Document shares are the rows of the
    document–topic weights divided by their sum; documents without counted
    words have no topic. Coherence is the mean NPMI of the top terms' pairs
    over documents (:func:`coherence`); topics are numbered by their share
    of documents.

    References
    ----------
    Lee, D. D. & Seung, H. S. (1999). Learning the parts of objects by
    non-negative matrix factorization. *Nature* 401, 788-791. Blei, D. M.,
    Ng, A. Y. & Jordan, M. I. (2003). Latent Dirichlet allocation. *JMLR* 3,
    993-1022. Aletras, N. & Stevenson, M. (2013). Evaluating topic coherence
    using distributional semantics. *IWCS*.

    Examples
    --------
    >>> texts = ["加装电梯 老旧小区", "老旧小区 加装电梯 物业", "停车难 停车位",
    ...          "停车位 停车难 充电桩", "养老服务 老年食堂", "老年食堂 养老服务 助餐点"]
    >>> tm = tk.text.topics(pd.DataFrame({"body": texts}), text="body", k=[2, 3], min_docs=2)
    >>> tm.k, tm.coherence["chosen"].tolist()
    (3, [False, True])
    """
    check_choice(method, ("nmf", "lda"), param="method")
    if not isinstance(top, int) or top < 2:
        msg = f"`top` must be a whole number of at least 2, not {top!r}."
        raise ArgumentError(msg)
    excerpts = None
    if isinstance(data, DocumentTermMatrix):
        base = data
    else:
        from toolkit.text.matrix import dtm

        seg = _segmenter(segmenter)
        base = dtm(data, text=text, id=id, segmenter=seg)
        docs = _documents(data, text, id, where="tk.text.topics", warn=False)
        excerpts = [seg.normalise(t)[:_EXCERPT] for t in docs.texts]
    counts = base.matrix
    n_docs = counts.shape[0]
    present = counts.copy()
    present.data = np.ones_like(present.data)
    dfreq = np.asarray(present.sum(axis=0)).ravel()
    keep = np.flatnonzero((dfreq >= min_docs) & (dfreq <= max_share * n_docs))
    if not len(keep):
        msg = (f"No term is left after keeping those in at least {min_docs} document(s) and "
               f"at most {max_share:.0%} of them; lower `min_docs` or raise `max_share`.")
        raise ArgumentError(msg)
    sub = DocumentTermMatrix(counts[:, keep], [base.terms[j] for j in keep], base.documents,
                             docvars=base.docvars, segmenter=base.segmenter,
                             problems=base.problems)
    n_terms = len(keep)
    if k is None:
        candidates = [c for c in range(3, 11) if c < min(n_docs, n_terms)] or \
            [min(2, n_docs, n_terms)]
    else:
        candidates = [k] if isinstance(k, int | np.integer) else list(k)
    for c in candidates:
        if not isinstance(c, int | np.integer) or c < 2 or c > min(n_docs, n_terms):
            msg = (f"The number of topics must be between 2 and the number of documents "
                   f"({n_docs}) and of terms kept ({n_terms}); got {c!r}.")
            raise ArgumentError(msg)
    notes: list[str] = []
    tried = []
    best = None
    for c in candidates:
        model, weights, comps = _fit(method, sub.matrix, int(c), seed, notes)
        top_idx = [_top_terms(comps[t], top) for t in range(int(c))]
        coh = coherence(sub.matrix, top_idx)
        score = float(np.nanmean(coh))
        tried.append((int(c), score))
        if best is None or score > best[1] + 1e-12:
            best = (int(c), score, model, weights, comps, coh)
    k_best, _, model, weights, comps, coh = best
    # number the topics by their share of documents, largest first
    totals = weights.sum(axis=1, keepdims=True)
    shares = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    order = np.argsort(-shares.sum(axis=0), kind="stable")
    weights, comps, coh = weights[:, order], comps[order], coh[order]
    table = pd.DataFrame(tried, columns=["k", "coherence"])
    table["chosen"] = table["k"] == k_best
    if len(candidates) > 1 and k_best in (min(candidates), max(candidates)):
        notes.append(f"The most coherent number of topics, {k_best}, is at the edge of those "
                     f"tried ({min(candidates)}–{max(candidates)}); try a wider range of `k`.")
    return TopicModel(k=k_best, method=method, seed=seed, model=model, weights=weights,
                      components=comps, dtm=sub, coherence_table=table, topic_coherence=coh,
                      top=top, excerpts=excerpts, notes=notes)

