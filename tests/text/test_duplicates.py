"""Near-duplicates: MinHash candidates with exact Jaccard, cosine, groups."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError
from toolkit.text.duplicates import shingles


def _brute_force(texts, threshold, n=3):
    seg = tk.text.Segmenter()
    sets = [shingles(seg.normalise(t) if isinstance(t, str) else "", n) for t in texts]
    out = set()
    for i, j in itertools.combinations(range(len(sets)), 2):
        if sets[i] and sets[j]:
            jac = len(sets[i] & sets[j]) / len(sets[i] | sets[j])
            if jac >= threshold:
                out.add((i, j, round(jac, 12)))
    return out


def test_minhash_finds_the_repeated_proposals(corpus):
    pairs = tk.text.near_duplicates(corpus, text="body", threshold=0.5,
                                    keep=["year", "author_id"])
    found = set(zip(pairs["id_a"], pairs["id_b"], strict=True))
    assert {("T001", "T004"), ("T008", "T011")} <= found
    row = pairs[(pairs["id_a"] == "T001") & (pairs["id_b"] == "T004")].iloc[0]
    assert (row["year_a"], row["year_b"], row["author_id_a"]) == (2022, 2023, "M012")


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_minhash_pairs_equal_exact_jaccard(corpus, threshold):
    # every reported similarity is the exact Jaccard index, and on this corpus LSH misses
    # no pair above the threshold
    pairs = tk.text.near_duplicates(corpus, text="body", threshold=threshold, num_perm=256)
    ids = corpus["submission_id"].tolist()
    got = {(ids.index(a), ids.index(b), round(s, 12))
           for a, b, s in zip(pairs["id_a"], pairs["id_b"], pairs["similarity"], strict=True)}
    assert got == _brute_force(corpus["body"].tolist(), threshold)


def test_cosine_equals_scikit_learn(corpus):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    from toolkit.text.duplicates import _NOT_WORD

    seg = tk.text.Segmenter()
    clean = [_NOT_WORD.sub("", seg.normalise(t)) if isinstance(t, str) else ""
             for t in corpus["body"]]
    x = TfidfVectorizer(analyzer="char", ngram_range=(3, 3), lowercase=False).fit_transform(
        clean)
    sim = cosine_similarity(x)
    pairs = tk.text.near_duplicates(corpus, text="body", threshold=0.5, method="cosine")
    ids = corpus["submission_id"].tolist()
    expected = {(i, j) for i, j in zip(*np.nonzero(np.triu(sim, 1) >= 0.5), strict=True)}
    got = {(ids.index(a), ids.index(b)) for a, b in zip(pairs["id_a"], pairs["id_b"],
                                                         strict=True)}
    assert got == expected
    for a, b, s in zip(pairs["id_a"], pairs["id_b"], pairs["similarity"], strict=True):
        assert s == pytest.approx(sim[ids.index(a), ids.index(b)])


def test_masked_phone_numbers_do_not_hide_a_repeat():
    df = pd.DataFrame({"body": ["小区楼道杂物堆放，联系电话13812345678",
                                "小区楼道杂物堆放，联系电话13900001111"]})
    pairs = tk.text.near_duplicates(df, text="body", threshold=0.99)
    assert len(pairs) == 1
    assert pairs["similarity"].iloc[0] == 1.0


def test_groups():
    pairs = pd.DataFrame({"id_a": ["A", "B", "D"], "id_b": ["B", "C", "E"]})
    g = tk.text.duplicate_groups(pairs, ids=["A", "B", "C", "D", "E", "F"])
    assert g.set_index("id")["group"].to_dict() == {"A": 1, "B": 1, "C": 1, "D": 2, "E": 2,
                                                     "F": 3}
    assert g.set_index("id")["size"]["F"] == 1


def test_errors(corpus):
    with pytest.raises(ArgumentError, match="`threshold`"):
        tk.text.near_duplicates(corpus, text="body", threshold=1.5)
    with pytest.raises(ArgumentError, match="`method`"):
        tk.text.near_duplicates(corpus, text="body", method="simhash")
