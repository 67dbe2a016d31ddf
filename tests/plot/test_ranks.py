"""tk.plot.ranks, profile and correlations: artists, labels in Chinese and English, privacy."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentTypeError


@pytest.fixture
def evaluation():
    rng = np.random.default_rng(7)
    df = pd.DataFrame(rng.random((20, 4)), columns=["a1", "a2", "b1", "b2"])
    df.insert(0, "member_id", [f"M{i:03d}" for i in range(1, 21)])
    system = tk.evaluate.IndexSystem({"indicators": [
        {"indicator": "A", "label_zh": "参与协商", "label_en": "Taking part",
         "children": [{"indicator": "a1", "label_zh": "出席"}, {"indicator": "a2"}]},
        {"indicator": "B", "label_zh": "履职成效", "label_en": "Results",
         "children": [{"indicator": "b1"}, {"indicator": "b2", "direction": "-"}]}]})
    return tk.evaluate.evaluate(df, system=system, n=100, seed=3)


def test_ranks_draws_intervals_in_rank_order(evaluation):
    ax = tk.plot.ranks(evaluation, top=8)
    frame = evaluation.to_frame().sort_values("rank").head(8)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == frame["member_id"].tolist()  # in rank order, the best at the top
    top_y = max(t.get_position()[1] for t in ax.get_yticklabels())
    assert ax.get_yticklabels()[0].get_position()[1] == top_y
    segments = ax.collections[0].get_segments()
    assert len(segments) == 8
    lows = sorted(s[0][0] for s in segments)
    assert lows == sorted(frame["rank_low"].tolist())
    assert ax.get_xlabel() == "排名"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["90%排名区间", "中位排名", "基准排名"]
    en = tk.plot.ranks(evaluation, top=8, lang="en", ax=plt.subplots()[1])
    assert en.get_xlabel() == "Rank"


def test_ranks_names_only_when_given(evaluation):
    ax = tk.plot.ranks(evaluation, top=3, names={"M001": "张三"})
    labels = {t.get_text() for t in ax.get_yticklabels()}
    first = evaluation.to_frame().sort_values("rank").head(3)["member_id"].tolist()
    assert labels == {("张三" if m == "M001" else m) for m in first}
    no_names = tk.plot.ranks(evaluation, top=20, ax=plt.subplots()[1])
    assert "张三" not in {t.get_text() for t in no_names.get_yticklabels()}


def test_ranks_without_uncertainty(evaluation):
    ev = tk.evaluate.evaluate(evaluation.raw, system=evaluation.system, uncertainty=False)
    ax = tk.plot.ranks(ev, top=None)
    assert len(ax.get_yticklabels()) == 20
    assert len(ax.collections) == 1


def test_profile_bar_and_radar(evaluation):
    ax = tk.plot.profile(evaluation, unit="M005")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["参与协商", "履职成效"]
    unit_bars = [b.get_width() for b in ax.containers[0]]
    assert unit_bars == pytest.approx(evaluation.profile("M005")["score"].tolist())
    radar = tk.plot.profile(evaluation, unit="M005", kind="radar", lang="en")
    assert radar.name == "polar"
    assert len(radar.get_lines()) == 2
    assert [t.get_text() for t in radar.get_xticklabels()] == ["Taking part", "Results"]
    with pytest.raises(ArgumentTypeError, match="polar axes"):
        tk.plot.profile(evaluation, unit="M005", kind="radar", ax=plt.subplots()[1])


def test_correlations_heatmap(evaluation):
    ax = tk.plot.correlations(evaluation)
    assert ax.images[0].get_array().shape == (4, 4)
    assert next(t.get_text() for t in ax.get_yticklabels()) == "出席"
    assert len(ax.texts) == 16
    with pytest.raises(ArgumentTypeError, match="draws an Evaluation"):
        tk.plot.correlations([1, 2])
    with pytest.raises(ArgumentTypeError, match="give the result of"):
        tk.plot.ranks(pd.DataFrame())
