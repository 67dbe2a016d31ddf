"""tk.text on the demo study: the planted topic effect and the office's coding agreement.

The demo's datasheet (datasets/demo/README.md, *Texts*) plants a topic effect on whether a
filed proposal is adopted (logit P(采纳 | 立案) = −0.2 + effect[topic], 社区食堂 − 就业与营商环境
= 2.2 on the log-odds scale, 227 filed proposals) and codes 12 % of the submissions to a
neighbouring topic (the office's `category` agrees with the true topic on 0.880).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import toolkit as tk


@pytest.fixture(scope="module")
def coded(demo_study):
    return tk.text.code(demo_study, "concerns", text=["topic", "body"])


@pytest.fixture(scope="module")
def truth():
    return pd.read_csv(tk.datasets.data_path("demo") / "truth" / "texts.csv")


def test_office_categories_agree_with_the_truth_as_the_datasheet_states(demo_study, truth):
    book = tk.text.read_codebook("concerns")
    office = demo_study.table("submissions")[["submission_id", "category"]]
    keys = office["category"].map(book.key_of)
    assert keys.notna().all()  # every office category is a category of the codebook
    merged = truth[["submission_id", "topic"]].merge(office.assign(key=keys), on="submission_id")
    assert (merged["key"] == merged["topic"]).mean() == pytest.approx(0.880, abs=5e-4)


def test_dictionary_codes_recover_the_true_topics(coded, truth):
    a = tk.text.agreement(coded, truth[["submission_id", "topic"]], column="topic", n_boot=0)
    overall = a[a["category"] == "all"].iloc[0]
    assert overall["agreement"] >= 0.95  # measured 0.988
    assert overall["kappa"] >= 0.95


def test_dictionary_codes_against_the_office_give_the_stated_agreement(demo_study, coded):
    # codes close to the truth disagree with the office where the office miscoded: 12 %
    office = demo_study.table("submissions")[["submission_id", "category"]]
    a = tk.text.agreement(coded, office, n_boot=0)
    overall = a[a["category"] == "all"].iloc[0]
    assert overall["agreement"] == pytest.approx(0.880, abs=0.02)  # measured 0.870


def test_planted_topic_effect_on_adoption_is_recovered(demo_study, coded):
    spec = yaml.safe_load(
        (tk.datasets.data_path("demo") / "planted_effects.yaml").read_text("utf-8"))
    planted = {p["name"]: p for p in spec["effects"]}
    effect = planted["topic_adoption"]
    acts = demo_study.table("activities")
    filed = acts[(acts["kind"] == "提案（领衔）") & acts["outcome"].isin(["立案", "采纳"])]
    data = coded.join(demo_study.table("submissions")).merge(
        filed[["submission_id", "outcome"]], on="submission_id")
    data["adopted_after_filing"] = (data["outcome"] == "采纳").astype(int)
    assert len(data) == 227
    fit = tk.stats.regress("adopted_after_filing ~ C(category, Treatment('economy'))", data,
                           family="binomial")
    table = fit.to_frame()
    table["topic"] = table["term"].str.extract(r"\[T\.(\w+)\]")[0]
    row = table.set_index("topic").loc["canteen"]
    assert row["ci_low"] < effect["true_value"] < row["ci_high"]  # 2.2; estimated 2.42
    assert row["ci_low"] > 0
    true = pd.Series(effect["other_true_values"]["topic_logodds"])
    true = true - true["economy"]
    est = table.dropna(subset=["topic"]).set_index("topic")["estimate"]
    rho = np.corrcoef(est.rank(), true.reindex(est.index).rank())[0, 1]
    assert rho > 0.4


def test_personal_data_in_demo_texts_is_masked(demo_study):
    truth = pd.read_csv(tk.datasets.data_path("demo") / "truth" / "personal_in_text.csv")
    phones = set(truth.loc[(truth["table"] == "submissions") & (truth["kind"] == "phone"),
                           "value"].astype(str))
    toks = tk.text.tokens(demo_study, text="body", pos=False)
    assert phones
    assert not phones & set(toks["token"])


def test_repeated_proposals_are_found(demo_study, truth):
    # datasheet: 46 pairs within near-duplicate groups, each at character-4-gram Jaccard
    # >= 0.67; every other pair of proposals <= 0.54, one pair of opinion pieces 0.69
    pairs = tk.text.near_duplicates(demo_study, text="body", threshold=0.6, ngram=4)
    found = {frozenset(p) for p in zip(pairs["id_a"], pairs["id_b"], strict=True)}
    groups = truth.dropna(subset=["near_duplicate_group"]).groupby("near_duplicate_group")
    planted = {frozenset((a, b)) for _, g in groups for a in g["submission_id"]
               for b in g["submission_id"] if a < b}
    assert len(planted) == 46
    assert planted <= found
    assert len(found - planted) <= 3
