r"""Near-duplicate texts: proposals that come back every year, pieces sent by several authors.

:func:`near_duplicates` compares documents by their character n-grams (no
segmentation needed, robust to small edits): MinHash with locality-sensitive
hashing (``datasketch``) finds candidate pairs fast, and each candidate's exact
Jaccard similarity decides; ``method="cosine"`` uses TF-IDF weighted n-grams
(scikit-learn) instead. :func:`duplicate_groups` joins the pairs into groups of
repeated texts (connected components), ready for ``tk.net.two_mode`` (authors ×
repeated topics).

Examples
--------
>>> df = pd.DataFrame({"submission_id": ["2022-01", "2023-07", "2023-09"],
...                    "body": ["关于在东街道老旧小区加装电梯的建议",
...                             "关于在东街道老旧小区加装电梯的建议（再次提出）",
...                             "关于增设社区老年食堂的建议"]})
>>> pairs = tk.text.near_duplicates(df, text="body", threshold=0.6)
>>> pairs[["id_a", "id_b"]].values.tolist(), round(float(pairs["similarity"].iloc[0]), 3)
([['2022-01', '2023-07']], 0.789)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from toolkit._checks import check_choice, require_columns
from toolkit.errors import ArgumentError, ArgumentTypeError
from toolkit.text.segment import Segmenter, _documents, _segmenter, text_doc

__all__ = ["duplicate_groups", "near_duplicates", "shingles"]

_NOT_WORD = re.compile(r"[^\w\u3400-\u9fff]+")


def shingles(text: str, n: int = 3) -> set[str]:
    """The set of character `n`-grams of `text`, spaces and punctuation removed.

    Examples
    --------
    >>> sorted(shingles("加装 电梯！", 3))
    ['加装电', '装电梯']
    """
    clean = _NOT_WORD.sub("", text)
    if len(clean) < n:
        return {clean} if clean else set()
    return {clean[i:i + n] for i in range(len(clean) - n + 1)}


def _pairs_minhash(sets: list[set[str]], threshold: float, num_perm: int, seed: int
                   ) -> list[tuple[int, int, float]]:
    from datasketch import MinHash, MinHashLSH

    # LSH tuned for recall (few missed pairs; candidates are checked exactly below), and
    # capped at 0.9: above it the banding has too few bands to be tuned
    lsh = MinHashLSH(threshold=min(threshold, 0.9), num_perm=num_perm, weights=(0.05, 0.95))
    hashes: list[Any] = []
    nonempty = [i for i, s in enumerate(sets) if s]
    encoded = [[g.encode("utf-8") for g in sets[i]] for i in nonempty]
    for i, mh in zip(nonempty, MinHash.bulk(encoded, num_perm=num_perm, seed=seed),
                     strict=True):
        lsh.insert(str(i), mh)
        hashes.append((i, mh))
    out = []
    for i, mh in hashes:
        for key in lsh.query(mh):
            j = int(key)
            if j <= i:
                continue
            a, b = sets[i], sets[j]
            jac = len(a & b) / len(a | b)
            if jac >= threshold:
                out.append((i, j, jac))
    return out


def _pairs_cosine(texts: list[str], threshold: float, n: int, block: int = 2000
                  ) -> list[tuple[int, int, float]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    clean = [_NOT_WORD.sub("", t) for t in texts]
    if not any(len(c) >= n for c in clean):
        return []
    vec = TfidfVectorizer(analyzer="char", ngram_range=(n, n), lowercase=False)
    x = sparse.csr_matrix(vec.fit_transform(clean))
    out = []
    for start in range(0, x.shape[0], block):
        sims = (x[start:start + block] @ x.T).tocoo()
        rows = sims.row + start
        keep = (sims.col > rows) & (sims.data >= threshold - 1e-12)
        out.extend(zip(rows[keep].tolist(), sims.col[keep].tolist(),
                       np.minimum(sims.data[keep], 1.0).tolist(), strict=True))
    return out


@text_doc
def near_duplicates(
    data: Any,
    *,
    text: str | Sequence[str] = "body",
    threshold: float = 0.8,
    id: str | None = None,
    method: str = "minhash",
    ngram: int = 3,
    keep: Sequence[str] = (),
    num_perm: int = 128,
    seed: int = 1,
    segmenter: Segmenter | None = None,
) -> pd.DataFrame:
    r"""Pairs of documents whose texts are nearly the same.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        The table with the texts.
    {text}
    threshold : float, default 0.8
        Smallest similarity reported (0–1).
    {id}
    method : {"minhash", "cosine"}, default "minhash"
        ``"minhash"``: Jaccard similarity of the sets of character n-grams,
        candidates found by MinHash LSH (``datasketch``; scales to millions);
        ``"cosine"``: cosine similarity of TF-IDF weighted n-grams
        (scikit-learn), all pairs compared in blocks.
    ngram : int, default 3
        Length of the character n-grams (shingles).
    keep : list of str, optional
        Columns to show for both documents of a pair (``["date",
        "author_id"]`` become ``date_a, date_b, author_id_a, author_id_b``).
    num_perm : int, default 128
        MinHash permutations (more: fewer missed pairs, slower).
    seed : int, default 1
        Seed of the MinHash functions.
    segmenter : Segmenter, optional
        Its normalisation (NFKC) and masking of personal data are applied first,
        so two copies differing only in a phone number still match.

    Returns
    -------
    pandas.DataFrame
        ``id_a, id_b`` (``id_a`` the earlier row of the table), ``similarity``
        (exact Jaccard for ``"minhash"``, cosine for ``"cosine"``), then the
        `keep` columns; most similar first.

    Notes
    -----
    Spaces and punctuation are removed before shingling. With MinHash the
    reported similarity is the exact Jaccard index of the candidates, so no
    pair below the threshold is reported; a pair just above it may be missed
    with a small probability (LSH; raise `num_perm` to lower it).

    References
    ----------
    Broder, A. Z. (1997). On the resemblance and containment of documents.
    *Compression and Complexity of Sequences*, 21-29.

    Examples
    --------
    >>> df = pd.DataFrame({"body": ["加装电梯问题亟待解决", "加装电梯问题亟待解决。", "停车难"]})
    >>> tk.text.near_duplicates(df, text="body", method="cosine")[["id_a", "id_b"]]
       id_a  id_b
    0     0     1
    """
    check_choice(method, ("minhash", "cosine"), param="method")
    if not 0 < float(threshold) <= 1:
        msg = f"`threshold` must be a similarity in (0, 1], not {threshold!r}."
        raise ArgumentError(msg)
    if not isinstance(ngram, int) or ngram < 1:
        msg = f"`ngram` must be a whole number of at least 1, not {ngram!r}."
        raise ArgumentError(msg)
    seg = _segmenter(segmenter)
    docs = _documents(data, text, id, where="tk.text.near_duplicates")
    keep = [keep] if isinstance(keep, str) else list(keep)
    frame = None
    if keep:
        from toolkit._checks import as_table

        frame = as_table(data, "submissions").reset_index(drop=True)
        require_columns(frame, {"keep": keep})
    texts = [seg.normalise(t) if t else "" for t in docs.texts]
    if method == "minhash":
        pairs = _pairs_minhash([shingles(t, ngram) for t in texts], float(threshold),
                               num_perm, seed)
    else:
        pairs = _pairs_cosine(texts, float(threshold), ngram)
    ids = np.asarray(list(docs.ids), dtype=object)
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    out = pd.DataFrame({"id_a": ids[a], "id_b": ids[b],
                        "similarity": np.array([p[2] for p in pairs], dtype=float)})
    if frame is not None:
        for col in keep:
            out[f"{col}_a"] = frame[col].to_numpy()[a]
            out[f"{col}_b"] = frame[col].to_numpy()[b]
    order = np.lexsort((b, a, -out["similarity"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


def duplicate_groups(data: pd.DataFrame, *, ids: Sequence[Any] | None = None) -> pd.DataFrame:
    """Groups of repeated texts: documents linked, directly or through others, by pairs.

    Parameters
    ----------
    data : pandas.DataFrame
        Pairs from :func:`near_duplicates` (columns ``id_a``, ``id_b``).
    ids : list, optional
        All document ids; those in no pair become groups of one. By default
        only documents in some pair are listed.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``group`` (1, 2, … in order of first appearance), ``size``
        (documents in the group).

    Examples
    --------
    >>> pairs = pd.DataFrame({"id_a": ["A", "B", "D"], "id_b": ["B", "C", "E"]})
    >>> tk.text.duplicate_groups(pairs)
      id  group  size
    0  A      1     3
    1  B      1     3
    2  C      1     3
    3  D      2     2
    4  E      2     2
    """
    if not isinstance(data, pd.DataFrame):
        msg = f"`data` must be the pairs of tk.text.near_duplicates, not {type(data).__name__}."
        raise ArgumentTypeError(msg)
    require_columns(data, {"pairs": ["id_a", "id_b"]})
    from scipy.sparse.csgraph import connected_components

    nodes = list(dict.fromkeys([*data["id_a"], *data["id_b"]] if ids is None
                               else [*ids, *data["id_a"], *data["id_b"]]))
    order = {doc: i for i, doc in enumerate(dict.fromkeys(
        x for pair in zip(data["id_a"], data["id_b"], strict=True) for x in pair))}
    if ids is not None:
        nodes = list(dict.fromkeys(ids))
        missing = [x for x in order if x not in set(nodes)]
        nodes += missing
    index = {doc: i for i, doc in enumerate(nodes)}
    rows = [index[x] for x in data["id_a"]]
    cols = [index[x] for x in data["id_b"]]
    graph = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(nodes),) * 2)
    _, labels = connected_components(graph, directed=False)
    first: dict[int, int] = {}
    for lab in labels:
        first.setdefault(int(lab), len(first) + 1)
    group = np.array([first[int(lab)] for lab in labels], dtype=np.int64)
    sizes = np.bincount(group)[group]
    out = pd.DataFrame({"id": nodes, "group": group, "size": sizes.astype(np.int64)})
    return out.sort_values(["group", "id"], kind="stable").reset_index(drop=True)
