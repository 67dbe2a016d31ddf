"""Texts of the demo: submission bodies, office categories, near-duplicates, minutes.

The planted quantities are the generator's (``planted_effects.yaml`` and
``truth/texts.csv``, ``truth/personal_in_text.csv``); the tests read the texts as a
user does, through the manifest, and check them against that truth.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import yaml

import toolkit as tk
from toolkit.datasets.synth.topics import TOPICS_TEXT

DEMO = tk.datasets.data_path("demo")


@pytest.fixture(scope="module")
def planted():
    text = (DEMO / "planted_effects.yaml").read_text(encoding="utf-8")
    return {e["name"]: e for e in yaml.safe_load(text)["effects"]}


@pytest.fixture(scope="module")
def truth():
    return pd.read_csv(DEMO / "truth" / "texts.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def personal():
    return pd.read_csv(DEMO / "truth" / "personal_in_text.csv", dtype=str)


def _jaccard_matrix(texts: list[str], k: int = 4) -> np.ndarray:
    """Jaccard similarity of the character k-gram sets of every pair of texts."""
    from scipy import sparse

    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, text in enumerate(texts):
        grams = {text[j:j + k] for j in range(len(text) - k + 1)}
        cols += [vocab.setdefault(g, len(vocab)) for g in grams]
        rows += [i] * len(grams)
    x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(vocab)))
    inter = (x @ x.T).toarray()
    size = np.asarray(x.sum(axis=1)).ravel()
    return inter / (size[:, None] + size[None, :] - inter)


def test_every_submission_and_session_has_a_text(demo_study):
    subs = demo_study.table("submissions")
    assert subs["body"].notna().all()
    assert subs["body"].str.len().between(40, 400).all()
    sessions = demo_study.table("sessions")
    assert sessions["body"].notna().all()
    assert sessions["body"].str.contains("“").all()  # each names its topic
    zh = {t.zh for t in TOPICS_TEXT.values()}
    assert set(subs["category"]) == zh
    # the texts speak of their topic: the key words of a few topics
    topics = dict(zip(subs["submission_id"], subs["topic"], strict=True))
    body = dict(zip(subs["submission_id"], subs["body"], strict=True))
    for sid, title in topics.items():
        if "加装电梯" in title:
            assert "电梯" in body[sid], sid
        if "垃圾分类" in title:
            assert "垃圾" in body[sid] or "投放" in body[sid], sid


def test_office_categories_disagree_at_the_planted_rate(demo_study, truth, planted):
    subs = demo_study.table("submissions").set_index("submission_id")
    t = truth.set_index("submission_id")
    assert (subs.loc[t.index, "category"] == t["category"]).all()
    disagree = (t["category"] != t["topic_zh"]).mean()
    effect = planted["office_miscoding"]
    assert disagree == pytest.approx(effect["true_value"], abs=0.5 / len(t))
    # a misfiled text goes to a neighbouring topic, never to an unrelated one
    zh_to_code = {v.zh: k for k, v in TOPICS_TEXT.items()}
    wrong = t[t["category"] != t["topic_zh"]]
    for topic, category in zip(wrong["topic"], wrong["category"], strict=True):
        assert zh_to_code[category] in TOPICS_TEXT[topic].neighbours


def test_near_duplicates_repeat_an_earlier_proposal(demo_study, truth, planted):
    subs = demo_study.table("submissions").set_index("submission_id")
    pairs = truth[truth["near_duplicate_of"] != ""]
    other = planted["near_duplicate_proposals"]["other_true_values"]
    assert len(pairs) == other["n_pairs_bundled"]
    assert len(pairs) == round(0.15 * other["n_eligible_2023"])
    assert (pairs["same_author"] == "True").sum() == other["n_same_author_bundled"] > 0
    for sid, orig in zip(pairs["submission_id"], pairs["near_duplicate_of"], strict=True):
        a, b = subs.loc[sid], subs.loc[orig]
        assert a["channel"] == b["channel"] == "提案"
        assert (a["date"].year, b["date"].year) == (2023, 2022)
        assert a["topic"] == b["topic"]
    # every pair within a group is alike, every other pair of proposals much less so
    # (the separation the datasheet states: 4-gram Jaccard >= 0.6 within, < 0.6 across)
    props = subs[subs["channel"] == "提案"]
    group = truth.set_index("submission_id")["near_duplicate_group"].reindex(props.index)
    sim = _jaccard_matrix(props["body"].tolist())
    upper = np.triu(np.ones_like(sim, dtype=bool), 1)
    g = group.to_numpy()
    same = (g[:, None] == g[None, :]) & (g[:, None] != "") & upper
    assert same.sum() == other["n_pairs_within_groups_bundled"]
    assert sim[same].min() > 0.6 > sim[upper & ~same].max()


def test_personal_values_in_text_are_all_listed(demo_study, personal, planted):
    bodies = {"submissions": demo_study.table("submissions").set_index("submission_id")["body"],
              "sessions": demo_study.table("sessions").set_index("session_id")["body"]}
    for row in personal.itertuples():
        assert row.value in bodies[row.table][row.document_id]
    # no phone number in any text that the truth does not list
    listed = set(personal.loc[personal["kind"] == "phone", "value"])
    found = {m for texts in bodies.values() for t in texts for m in re.findall(r"1\d{10}", t)}
    assert found == listed
    assert len(personal) == planted["personal_in_text"]["true_value"]


def test_topic_effect_on_adoption_is_recovered(demo_study, truth, planted):
    """Logit of 采纳 among filed proposals on the planted log-odds of their topic.

    Source: the generator's model, logit P(采纳 | 立案) = -0.2 + effect[topic]; the 95 %
    confidence intervals of the intercept and of the slope (true value 1) cover the truth.
    """
    acts = demo_study.table("activities")
    effect = planted["topic_adoption"]["other_true_values"]
    filed = acts[(acts["kind"] == "提案（领衔）") & acts["outcome"].isin(["立案", "采纳"])]
    filed = filed.merge(truth[["submission_id", "topic"]], on="submission_id")
    x = sm.add_constant(filed["topic"].map(effect["topic_logodds"]).astype(float))
    fit = sm.Logit((filed["outcome"] == "采纳").astype(float), x).fit(disp=0)
    ci = fit.conf_int()
    assert ci.iloc[0, 0] <= effect["intercept"] <= ci.iloc[0, 1]
    assert ci.iloc[1, 0] <= 1.0 <= ci.iloc[1, 1]
    counts = filed.groupby("topic").size()
    realised = effect["filed_and_adopted_by_topic"]
    assert all(counts.get(k, 0) == v["filed"] for k, v in realised.items())
