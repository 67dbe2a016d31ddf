"""English figures (issue 17): every word in English, place names in pinyin, a warning otherwise."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import toolkit as tk
from toolkit.schema import english_name, english_text, has_chinese


def _words(fig: Figure) -> list[str]:
    """Every text drawn in a figure: titles, axis and tick labels, legends, colour bars."""
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def _chinese(fig: Figure) -> list[str]:
    return [w for w in _words(fig) if has_chinese(w)]


@pytest.fixture
def survey():
    rng = np.random.default_rng(8)
    codes = rng.integers(1, 6, size=(80, 2)).astype(float)
    df = pd.DataFrame({"sat1": codes[:, 0], "sat2": codes[:, 1],
                       "attended": rng.choice([True, False], 80)})
    scale = {1: "非常不满意", 2: "不太满意", 3: "一般", 4: "比较满意", 5: "非常满意"}
    df.attrs["codebook"] = {
        "sat1": {"label": "对协商议事的总体满意度", "label_en": "Overall satisfaction",
                 "value_labels": scale},
        "sat2": {"label": "对议题选择的满意度", "label_en": "Choice of topics",
                 "value_labels": scale},
    }
    return df


def test_pinyin_place_names():
    assert english_name("青云街道") == "Qingyun Subdistrict"
    assert english_name("松林镇") == "Songlin Town"
    assert english_name("西安村") == "Xi'an Village"  # syllable break marked
    assert english_name("绿园社区") == "Lüyuan Community"
    assert english_name("云溪区") == "Yunxi District"
    assert english_name("长园社区") == "Changyuan Community"  # 长 in a place name: chang
    assert english_name("甲社区", names={"甲社区": "Jia Neighbourhood"}) == "Jia Neighbourhood"
    assert english_name("Qingyun") == "Qingyun"
    assert english_text("非常满意") == "Very satisfied"
    assert english_text("东街道") is None  # not known to be a place: no guessing
    assert english_text("东街道", place=True) == "Dong Subdistrict"


def test_english_figures_of_a_study_have_no_chinese(demo_study):
    figures = [
        tk.plot.timeline(demo_study, lang="en").figure,
        tk.plot.heatmap(demo_study, row="town", col="platform", lang="en").figure,
        tk.plot.heatmap(demo_study, row="community", col="quarter", lang="en").figure,
        tk.plot.coverage(demo_study, lang="en").figure,
    ]
    for fig in figures:
        assert _chinese(fig) == []
        plt.close(fig)
    ticks = [t.get_text() for t in figures[1].axes[0].get_yticklabels()]
    assert "Qingyun Subdistrict" in ticks
    assert "Songlin Town" in ticks


def test_english_network_and_survival_have_no_chinese():
    G = nx.Graph()
    sectors = ["中国共产党", "经济界", "教育界", "妇联"]
    for i in range(200):
        G.add_node(f"M{i:03d}", sector=sectors[i % 4])
    for i in range(200):
        G.add_edge(f"M{i:03d}", f"M{(i * 7 + 3) % 200:03d}", weight=1 + i % 3)
    for kind in ("blocks", "full", "backbone"):
        fig = tk.plot.network(G, kind=kind, color="sector", lang="en", seed=1).figure
        assert _chinese(fig) == [], kind
    d = pd.DataFrame({"days": [5, 10, 12, 20, 3, 8], "done": [1, 1, 0, 1, 1, 1],
                      "channel": ["提案"] * 3 + ["社情民意信息"] * 3})
    fig = tk.plot.survival(d, time="days", event="done", by="channel", at_risk=True,
                           lang="en").figure
    assert _chinese(fig) == []
    assert "Number at risk" in _words(fig)


def test_english_likert_takes_the_codebooks_english_labels(survey):
    ax = tk.plot.likert(survey, items=["sat1", "sat2"], by="attended", lang="en")
    assert _chinese(ax.figure) == []  # and no warning: warnings are errors in the test run
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Very dissatisfied", "Fairly dissatisfied", "Neutral", "Fairly satisfied",
        "Very satisfied"]
    assert "Overall satisfaction (Yes)" in [t.get_text() for t in ax.get_yticklabels()]
    # value labels in English from the codebook win over the built-in answer words
    survey.attrs["codebook"]["sat1"]["value_labels_en"] = {1: "1 lowest", 5: "5 highest"}
    ax = tk.plot.likert(survey, items=["sat1"], lang="en")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0] == "1 lowest"
    assert texts[-1] == "5 highest"


def test_english_figure_warns_listing_what_stays_chinese(survey):
    scale = {1: "挺差", 2: "差", 3: "中", 4: "好", 5: "挺好"}  # no English anywhere
    for item in ("sat1", "sat2"):
        survey.attrs["codebook"][item] = {"label": "满意度", "value_labels": scale}
    with pytest.warns(UserWarning, match="English figure keeps") as caught:
        ax = tk.plot.likert(survey, items=["sat1", "sat2"], lang="en")
    messages = [str(w.message) for w in caught]
    assert any("sat1, sat2" in m and "label_en" in m for m in messages)  # shown by name
    assert any("挺差, 差, 中, 好, 挺好" in m and "value_labels_en" in m for m in messages)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["sat1", "sat2"]
    assert caught[0].filename == __file__  # the warning points at the user's line


def test_english_coefficients_translate_yes_no_levels():
    f = pd.DataFrame({"term": ["attended[T.是]", "party_member"], "estimate": [0.5, 0.2],
                      "ci_low": [0.3, 0.1], "ci_high": [0.7, 0.3]})
    ax = tk.plot.coefficients(f, lang="en")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["attended: Yes", "Party member"]
    assert _chinese(ax.figure) == []


def test_chinese_figures_stay_chinese(survey):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = tk.plot.likert(survey, items=["sat1"], lang="zh")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["对协商议事的总体满意度"]
    assert ax.get_legend().get_texts()[0].get_text() == "非常不满意"


def test_given_english_place_names_win_over_pinyin():
    f = pd.DataFrame({"unit_id": ["C1", "C2"], "town": ["T1", "T2"],
                      "has_room": [True, False]})
    units = pd.DataFrame({"unit_id": ["T1", "T2"], "name": ["东街道", "西镇"],
                          "name_en": ["East Street", None]})
    ax = tk.plot.coverage(f, units=units, lang="en")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["East Street", "Xi Town"]
    ax = tk.plot.coverage(f, units=units)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["东街道", "西镇"]
