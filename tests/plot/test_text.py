"""Text figures: bars, keyness, topic shares and the word cloud, with Chinese labels."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import toolkit as tk


@pytest.fixture
def kw():
    return pd.DataFrame({"town": ["东街道"] * 3 + ["西镇"] * 2,
                         "term": ["加装电梯", "停车难", "物业", "垃圾分类", "充电桩"],
                         "count": [9, 4, 2, 5, 3]})


def _draw(ax):
    """Render the figure (missing glyphs would warn, and warnings are errors here)."""
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png")
    return buf.getvalue()


def test_terms_blocks_per_group(kw):
    ax = tk.plot.terms(kw, by="town", top=2)
    assert len(ax.patches) == 4
    assert [t.get_text() for t in ax.get_yticklabels()] == ["加装电梯", "停车难", "垃圾分类",
                                                            "充电桩"]
    assert {t.get_text() for t in ax.texts} == {"东街道", "西镇"}
    assert ax.get_xlabel() == "频数"
    widths = [p.get_width() for p in ax.patches]
    assert widths == [9, 4, 5, 3]
    _draw(ax)


def test_terms_on_given_axes_in_english(kw):
    _, axes = plt.subplots(1, 2)
    ax = tk.plot.terms(kw, value="count", lang="en", ax=axes[1])
    assert ax is axes[1]
    assert ax.get_xlabel() == "Count"


def test_keyness_diverging():
    k = pd.DataFrame({"target": ["已采用"] * 4, "reference": ["未采用"] * 4,
                      "term": ["加装电梯", "停车难", "物业", "垃圾分类"],
                      "keyness": [5.0, 2.0, -1.0, -3.0], "measure": ["lr"] * 4})
    ax = tk.plot.keyness(k, top=1)
    assert [p.get_width() for p in ax.patches] == [5.0, -3.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["已采用", "未采用"]
    assert "G²" in ax.get_xlabel()
    _draw(ax)


def test_topic_shares_stack_to_one():
    s = pd.DataFrame({"period": ["2022", "2022", "2023", "2023"], "topic": [1, 2, 1, 2],
                      "label": ["加装电梯·老旧小区", "停车难·停车位"] * 2,
                      "share": [0.6, 0.4, 0.3, 0.7]})
    ax = tk.plot.topic_shares(s)
    assert len(ax.collections) == 2
    top = ax.collections[-1].get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx(1.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2022", "2023"]
    _draw(ax)


def test_topic_shares_of_a_fitted_model():
    texts = ["加装电梯 老旧小区", "老旧小区 加装电梯 物业", "停车难 停车位", "停车位 停车难 充电桩"]
    df = pd.DataFrame({"body": texts, "year": [2022, 2023, 2022, 2023]})
    tm = tk.text.topics(df, text="body", k=2, min_docs=1, max_share=1.0)
    ax = tk.plot.topic_shares(tm.shares(by="year"), x="year")
    assert len(ax.get_legend().get_texts()) == 2


def test_wordcloud_uses_the_frequencies_and_a_cjk_font(kw):
    ax = tk.plot.wordcloud(kw, seed=3)
    assert set(ax.wordcloud_words) == set(kw["term"])
    assert ax.wordcloud_words["加装电梯"] == 1.0  # the most frequent word is the largest
    image = ax.get_images()[0].get_array()
    assert image.shape[2] == 3
    assert (np.asarray(image) < 250).any()  # words were drawn (not a blank image)
    again = tk.plot.wordcloud(kw, seed=3)
    assert np.array_equal(np.asarray(again.get_images()[0].get_array()), np.asarray(image))
    from toolkit.plot._text import _font_file

    assert "CJK" in _font_file("zh") or "Noto" in _font_file("zh")


def test_missing_column(kw):
    with pytest.raises(KeyError, match=r"`score`"):
        tk.plot.terms(kw, value="score")
