"""Counts, TF-IDF, keyness, TextRank and collocations against R, scikit-learn and by hand."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import toolkit as tk
from toolkit.errors import ArgumentError
from toolkit.text.compare import keyness_statistic

REF_DATA = Path(__file__).resolve().parents[1] / "reference" / "data"


@pytest.fixture(scope="module")
def matrix(corpus):
    return tk.text.dtm(corpus, text="body")


def test_dtm_equals_sklearn_count_vectorizer(corpus, matrix):
    from sklearn.feature_extraction.text import CountVectorizer

    seg = tk.text.Segmenter()
    texts = corpus["body"].fillna("").tolist()
    vec = CountVectorizer(analyzer=seg.words)
    x = vec.fit_transform(texts)
    assert list(vec.get_feature_names_out()) == list(matrix.terms)
    assert (x != matrix.matrix).nnz == 0
    filtered = tk.text.dtm(corpus, text="body", min_docs=2, max_share=0.5)
    vec2 = CountVectorizer(analyzer=seg.words, min_df=2, max_df=0.5)
    x2 = vec2.fit_transform(texts)
    assert list(vec2.get_feature_names_out()) == list(filtered.terms)
    assert (x2 != filtered.matrix).nnz == 0


def test_every_document_is_a_row(corpus, matrix):
    assert list(matrix.documents) == corpus["submission_id"].tolist()
    row = list(matrix.documents).index("T048")  # no text
    assert matrix.matrix[row].sum() == 0
    assert matrix.summary().info[3] == ("Documents without tokens", "1")
    tidy = matrix.to_frame()
    assert tidy["count"].sum() == matrix.matrix.sum()
    assert "T048" not in set(tidy["submission_id"])


def test_frequencies_by_group_equal_a_count_of_the_tokens(corpus):
    toks = tk.text.tokens(corpus, text="body", pos=False).merge(
        corpus[["submission_id", "town"]], on="submission_id")
    freq = tk.text.frequencies(corpus, text="body", by="town")
    for town, sub in toks.groupby("town"):
        expected = Counter(sub["token"])
        got = freq[freq["town"] == town].set_index("term")["count"].to_dict()
        assert got == dict(expected)
        share = freq[freq["town"] == town]["share"]
        assert share.sum() == pytest.approx(1.0)
    n_docs = freq.groupby("town")["n_docs"].first()
    assert n_docs.to_dict() == corpus["town"].value_counts().to_dict()


def test_counts_behind_the_r_reference_are_unchanged(matrix):
    town = pd.read_csv(REF_DATA / "text_counts_town.csv")
    got = tk.text.frequencies(matrix, by="town")[["town", "term", "count"]]
    pd.testing.assert_frame_equal(got.rename(columns={"count": "n"}).reset_index(drop=True),
                                  town, check_dtype=False)


def test_tfidf_by_group_equals_r_tidytext(matrix, r_reference):
    # R: tidytext::bind_tf_idf(town, term, town, n) on the same counts; tolerance 1e-12
    ref = pd.DataFrame(r_reference("text")["tfidf_town"]["value"])
    kw = tk.text.keywords(matrix, by="town", method="tfidf", top=None)
    merged = kw.merge(ref, on=["town", "term"], how="outer", validate="one_to_one")
    assert len(merged) == len(ref) == len(kw)
    np.testing.assert_allclose(merged["score"], merged["tf_idf"], rtol=0, atol=1e-12)
    assert (merged["count"] == merged["n"]).all()


def test_tfidf_by_group_equals_scikit_learn(matrix):
    from sklearn.feature_extraction.text import TfidfTransformer

    keys, counts, _ = matrix.groups("town")
    sk = TfidfTransformer(norm=None, smooth_idf=False).fit_transform(counts).toarray()
    c = counts.toarray()
    totals = c.sum(axis=1, keepdims=True)
    expected = sk / totals - c / totals  # sklearn's idf is ln(G/G_t) + 1
    kw = tk.text.keywords(matrix, by="town", method="tfidf", top=None)
    terms = list(matrix.terms)
    for g, town in enumerate(keys["town"]):
        sub = kw[kw["town"] == town]
        cols = [terms.index(t) for t in sub["term"]]
        np.testing.assert_allclose(sub["score"], expected[g, cols], atol=1e-12)


def test_tfidf_by_hand():
    df = pd.DataFrame({"g": ["a", "a", "b"], "body": ["电梯 电梯 停车", "停车", "停车 充电桩"]})
    kw = tk.text.keywords(df, text="body", by="g", method="tfidf", top=None)
    got = kw.set_index(["g", "term"])["score"]
    # group a: 电梯 2 of 4 tokens, in 1 of 2 groups: 0.5 * ln 2; 停车 in both groups: 0
    assert got[("a", "电梯")] == pytest.approx(0.5 * np.log(2))
    assert got[("a", "停车")] == 0
    assert got[("b", "充电桩")] == pytest.approx(0.5 * np.log(2))


def test_tfidf_without_groups_ranks_each_document(corpus):
    kw = tk.text.keywords(corpus, text="body", top=3)
    assert set(kw["submission_id"]) == set(corpus["submission_id"]) - {"T048"}
    assert kw.groupby("submission_id")["rank"].max().max() == 3


@pytest.mark.parametrize(("measure", "correction"), [("chi2", "default"), ("chi2", "none"),
                                                     ("lr", "default"), ("lr", "none")])
def test_keyness_equals_r(matrix, r_reference, measure, correction):
    # R: chisq.test(correct = <quanteda's Yates rule>) per term, and the G2 formula;
    # tolerance 1e-9
    ref = pd.DataFrame(r_reference("text")[f"keyness_{measure}_{correction}"]["value"])
    got = tk.text.keyness(matrix, by="adopted", target=True, measure=measure,
                          correction=correction)
    merged = got.merge(ref, on="term", suffixes=("", "_r"), validate="one_to_one")
    assert len(merged) == len(ref) == len(got)
    np.testing.assert_allclose(merged["keyness"], merged["keyness_r"], rtol=1e-9, atol=1e-9)
    assert got["target"].eq(True).all()
    assert got["reference"].eq(False).all()
    assert got["keyness"].is_monotonic_decreasing


def test_keyness_by_hand_and_scipy():
    a, b, tt, tr = 10.0, 2.0, 100.0, 100.0
    table = np.array([[a, b], [tt - a, tr - b]])
    chi2, *_ = sps.chi2_contingency(table, correction=False)
    got = keyness_statistic(np.array([a]), np.array([b]), tt, tr, measure="chi2",
                            correction="none")[0]
    assert got == pytest.approx(chi2)
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    g2 = 2 * (table * np.log(table / expected)).sum()
    lr = keyness_statistic(np.array([a]), np.array([b]), tt, tr, measure="lr",
                           correction="none")[0]
    assert lr == pytest.approx(g2, rel=1e-7)  # quanteda's 1e-9 inside the log
    # fewer than expected in the target: negative sign
    assert keyness_statistic(np.array([2.0]), np.array([10.0]), tt, tr)[0] < 0


def test_keyness_every_group_against_the_rest(matrix):
    k = tk.text.keyness(matrix, by="town", top=5)
    assert set(k["target"]) == {"东街道", "西镇", "南街道", "北镇"}
    assert (k["reference"] == "其他").all()
    assert k.groupby("target").size().max() == 10


def test_keyness_errors(matrix):
    with pytest.raises(ArgumentError, match="Did you mean '东街道'"):
        tk.text.keyness(matrix, by="town", target="东街")
    one = tk.text.dtm(pd.DataFrame({"g": ["a", "a"], "body": ["停车", "电梯"]}), text="body")
    with pytest.raises(ArgumentError, match="at least two"):
        tk.text.keyness(one, by="g")
    with pytest.raises(ArgumentError, match="`measure`"):
        tk.text.keyness(matrix, by="town", measure="g2")


def test_textrank_ranks_the_hub_first():
    df = pd.DataFrame({"body": ["电梯 加装 电梯 审批 电梯 补贴 电梯 住户"]})
    seg = tk.text.Segmenter(stopwords=None)
    kw = tk.text.keywords(df, text="body", method="textrank", segmenter=seg, top=3)
    assert kw["term"].iloc[0] == "电梯"
    assert kw["score"].iloc[0] == 1.0


def test_textrank_by_group(corpus):
    kw = tk.text.keywords(corpus, text="body", by="category", method="textrank", top=5)
    top = kw[kw["rank"] == 1].set_index("category")["term"]
    assert top["traffic"] in {"停车难", "停车场", "停车位", "充电桩", "公交线路", "车辆"}
    with pytest.raises(ArgumentError, match="order of the words"):
        tk.text.keywords(tk.text.dtm(corpus, text="body"), method="textrank")


def test_collocations_by_hand():
    df = pd.DataFrame({"body": ["社区 食堂 开业", "社区 食堂 价格", "社区 活动", "食堂 卫生"]})
    c = tk.text.collocations(df, text="body", min_count=1).set_index("collocation")
    # 6 adjacent pairs; 社区食堂: a=2, b=社区·other=1, c=other·食堂=0, d=3
    a, b, cc, d = 2.0, 1.0, 0.0, 3.0
    n = a + b + cc + d
    obs = np.array([a, b, cc, d])
    exp = np.array([(a + b) * (a + cc), (a + b) * (b + d), (cc + d) * (a + cc),
                    (cc + d) * (b + d)]) / n
    g2 = 2 * np.sum(np.where(obs > 0, obs * np.log(np.where(obs > 0, obs, 1) / exp), 0))
    assert c.loc["社区食堂", "count"] == 2
    assert c.loc["社区食堂", "G2"] == pytest.approx(g2)
    assert c.loc["社区食堂", "pmi"] == pytest.approx(np.log2(a * n / ((a + b) * (a + cc))))
    assert c.index[0] == "社区食堂"


def test_collocations_do_not_bridge_dropped_words():
    df = pd.DataFrame({"body": ["停车，难", "停车，难"]})
    assert len(tk.text.collocations(df, text="body", min_count=1)) == 0
