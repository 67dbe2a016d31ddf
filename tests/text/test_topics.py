"""Topic models: reproducible with a seed, the number of topics by coherence, shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

import toolkit as tk
from toolkit.errors import ArgumentError
from toolkit.text.topicmodel import coherence


@pytest.fixture(scope="module")
def planted():
    """Three clearly separated themes, 12 documents each, with shared filler words."""
    rng = np.random.default_rng(5)
    themes = {"housing": ["加装电梯", "老旧小区", "物业管理", "楼道", "业委会"],
              "traffic": ["停车难", "停车位", "充电桩", "公交线路", "交通拥堵"],
              "care": ["老年食堂", "助餐点", "居家养老", "托育服务", "独居老人"]}
    filler = ["居民", "社区", "街道", "群众"]
    rows = []
    for theme, words in themes.items():
        for i in range(12):
            picked = list(rng.choice(words, size=4, replace=False)) + list(
                rng.choice(filler, size=2, replace=False))
            rows.append({"document_id": f"{theme}-{i}", "theme": theme,
                         "year": 2022 + i % 2, "body": "，".join(picked)})
    return pd.DataFrame(rows)


def test_planted_themes_are_recovered_and_their_number_chosen(planted):
    tm = tk.text.topics(planted, text="body", k=[2, 3, 4, 5], seed=1)
    assert tm.k == 3
    assert tm.coherence.set_index("k")["coherence"].idxmax() == 3
    main = tm.document_topics.merge(planted, on="document_id")
    assert main.groupby("theme")["topic"].nunique().eq(1).all()
    assert main.groupby("topic")["theme"].nunique().eq(1).all()


def test_lda_recovers_the_planted_themes(planted):
    tm = tk.text.topics(planted, text="body", k=3, method="lda", seed=1)
    main = tm.document_topics.merge(planted, on="document_id")
    purity = main.groupby("theme")["topic"].agg(lambda s: s.value_counts().iloc[0] / len(s))
    assert (purity >= 0.9).all()


def test_same_seed_same_topics(planted):
    a = tk.text.topics(planted, text="body", k=3, seed=11)
    b = tk.text.topics(planted, text="body", k=3, seed=11)
    pd.testing.assert_frame_equal(a.terms, b.terms)
    pd.testing.assert_frame_equal(a.document_topics, b.document_topics)
    lda1 = tk.text.topics(planted, text="body", k=3, method="lda", seed=11)
    lda2 = tk.text.topics(planted, text="body", k=3, method="lda", seed=11)
    pd.testing.assert_frame_equal(lda1.document_topics, lda2.document_topics)


def test_coherence_by_hand():
    m = sparse.csr_matrix([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]])
    # terms 0, 1: together in 2 of 4 documents; P0 = 0.5, P1 = 0.75
    npmi = np.log(0.5 / (0.5 * 0.75)) / -np.log(0.5)
    assert coherence(m, [[0, 1]])[0] == pytest.approx(npmi)
    assert coherence(m, [[0, 2]])[0] == -1.0  # never together
    # UMass: log((D(w1, w0) + 1) / D(w0)) for term 1 ranked below term 0
    assert coherence(m, [[0, 1]], measure="umass")[0] == pytest.approx(np.log(3 / 2))


def test_document_shares_sum_to_one_and_empty_documents_have_no_topic(planted):
    df = pd.concat([planted, pd.DataFrame({"document_id": ["empty"], "theme": ["none"],
                                           "year": [2023], "body": [""]})],
                   ignore_index=True)
    tm = tk.text.topics(df, text="body", k=3)
    shares = tm.document_topics[[f"topic_{i}" for i in (1, 2, 3)]]
    last = tm.document_topics.iloc[-1]
    assert pd.isna(last["topic"])
    assert shares.iloc[-1].isna().all()
    np.testing.assert_allclose(shares.iloc[:-1].sum(axis=1), 1.0)
    assert len(tm.document_topics) == len(df)


def test_shares_over_time_and_by_group(planted):
    tm = tk.text.topics(planted, text="body", k=3)
    by_year = tm.shares(by="year")
    np.testing.assert_allclose(by_year.groupby("year")["share"].sum(), 1.0)
    assert by_year.groupby("year")["docs"].sum().tolist() == [18, 18]
    dated = planted.assign(date=pd.to_datetime(planted["year"].astype(str) + "-06-01"))
    per = tk.text.topics(dated, text="body", k=3).shares(date="date", freq="Y")
    assert sorted(per["period"].unique()) == ["2022", "2023"]


def test_representatives_labels_join_and_summary(planted):
    tm = tk.text.topics(planted, text="body", k=3)
    rep = tm.representative(2)
    assert len(rep) == 6
    assert rep["excerpt"].notna().all()
    assert set(tm.labels) == {1, 2, 3}
    joined = tm.join(planted)
    assert {"topic", "topic_label", "topic_share"} <= set(joined.columns)
    assert "Topic model" in tm.summary().as_text()
    assert tm.to_frame()["docs"].sum() == len(planted)


def test_topics_from_a_document_term_matrix(planted):
    m = tk.text.dtm(planted, text="body")
    tm = tk.text.topics(m, k=3)
    assert tm.k == 3
    assert tm.representative(1)["excerpt"].isna().all()


def test_topic_errors(planted):
    with pytest.raises(ArgumentError, match="between 2"):
        tk.text.topics(planted, text="body", k=1)
    with pytest.raises(ArgumentError, match="No term is left"):
        tk.text.topics(planted, text="body", k=2, min_docs=100)
    with pytest.raises(ArgumentError, match="`method`"):
        tk.text.topics(planted, text="body", method="lsa")
