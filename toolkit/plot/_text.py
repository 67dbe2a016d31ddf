"""Figures of texts: top terms by group, keyness, topic shares over time, word clouds.

Each function draws a frame that ``tk.text`` returns (``keywords``/``frequencies``,
``keyness``, ``TopicModel.shares``) and computes nothing but what is visual; the
word cloud's layout is visual, its frequencies come from ``tk.text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from toolkit._checks import Lang, check_lang, refuse_large
from toolkit._docs import doc
from toolkit.plot._common import apply_fonts, new_axes, require
from toolkit.plot._style import OKABE_ITO, font_family
from toolkit.schema import column_label, value_labels

__all__ = ["keyness", "terms", "topic_shares", "wordcloud"]

_WORDS = {
    "zh": {"count": "频数", "score": "得分", "share": "比例", "keyness": "关键性",
           "target": "目标组", "reference": "参照组", "topic": "主题", "period": "时期"},
    "en": {"count": "Count", "score": "Score", "share": "Share", "keyness": "Keyness",
           "target": "Target", "reference": "Reference", "topic": "Topic", "period": "Period"},
}


def _w(key: str, lang: Lang) -> str:
    return _WORDS[lang][key]


@doc
def terms(
    data: pd.DataFrame,
    *,
    term: str = "term",
    value: str = "count",
    by: str | None = None,
    top: int = 10,
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of the top terms, one block of bars per group.

    Parameters
    ----------
    data : pandas.DataFrame
        Terms with a value, e.g. ``tk.text.keywords(...)`` or
        ``tk.text.frequencies(...)``.
    term : str, default "term"
        Column of the terms.
    value : str, default "count"
        Column of the bar lengths (``"count"``, ``"score"``, ``"share"`` …).
    by : str, optional
        Column of the groups; each group gets its own block and colour.
    top : int, default 10
        Bars per group (the largest values).
    {lang}
    {ax}

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> kw = pd.DataFrame({"town": ["东街道", "东街道", "西镇"],
    ...                    "term": ["加装电梯", "停车难", "垃圾分类"], "count": [5, 3, 4]})
    >>> ax = tk.plot.terms(kw, by="town")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['加装电梯', '停车难', '垃圾分类']
    """
    check_lang(lang)
    refuse_large(data, where="tk.plot.terms")
    require(data, term, value, by)
    groups = [(None, data)] if by is None else list(data.groupby(by, sort=False))
    labels, values, colours, heads = [], [], [], []
    for i, (key, sub) in enumerate(groups):
        sub = sub.sort_values(value, ascending=False, kind="stable").head(top)
        if by is not None:
            heads.append((len(labels), value_labels(by, [key], lang)[0]))
        labels += sub[term].astype(str).tolist()
        values += sub[value].astype(float).tolist()
        colours += [OKABE_ITO[i % len(OKABE_ITO)]] * len(sub)
    height = max(2.0, 0.22 * (len(labels) + 1.2 * len(heads)) + 0.8)
    ax = new_axes(ax, lang, figsize=(6.3, min(height, 9.5)))
    gap = 1.4 if by is not None else 0.0
    y, pos = [], 0.0
    starts = {start for start, _ in heads}
    for i in range(len(labels)):
        if i in starts:
            pos += gap
        y.append(pos)
        pos += 1
    ax.barh(y, values, color=colours, height=0.75)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    xlabel = {"count": _w("count", lang), "score": _w("score", lang),
              "share": _w("share", lang)}.get(value, column_label(value, lang))
    ax.set_xlabel(xlabel)
    for start, name in heads:  # the group's name on a line of its own above its bars
        ax.annotate(name, xy=(0.005, y[start] - 0.95), xycoords=("axes fraction", "data"),
                    ha="left", va="center", fontweight="bold",
                    color=colours[start], fontfamily=font_family(lang))
    return apply_fonts(ax, lang)


@doc
def keyness(
    data: pd.DataFrame,
    *,
    top: int = 10,
    target: Any = None,
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Axes:
    """Diverging bars of keyness: terms of the target to the right, of the reference to the left.

    Parameters
    ----------
    data : pandas.DataFrame
        The frame of ``tk.text.keyness`` (``target, reference, term, keyness``).
    top : int, default 10
        Terms shown on each side.
    target : value, optional
        Which target to draw when `data` holds several (default: the first).
    {lang}
    {ax}

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> k = pd.DataFrame({"target": ["已采用"] * 3, "reference": ["未采用"] * 3,
    ...                   "term": ["加装电梯", "停车难", "垃圾分类"], "keyness": [4.0, 0.5, -2.0],
    ...                   "measure": ["chi2"] * 3})
    >>> ax = tk.plot.keyness(k)
    >>> len(ax.patches), ax.get_legend().get_texts()[0].get_text()
    (3, '已采用')
    """
    check_lang(lang)
    refuse_large(data, where="tk.plot.keyness")
    require(data, "term", "keyness")
    frame = data
    if "target" in frame.columns:
        pick = frame["target"].iloc[0] if target is None else target
        frame = frame[frame["target"] == pick]
    frame = frame.sort_values("keyness", ascending=False, kind="stable")
    pos = frame[frame["keyness"] > 0].head(top)
    neg = frame[frame["keyness"] < 0].tail(top)
    shown = pd.concat([pos, neg])
    ax = new_axes(ax, lang, figsize=(6.3, max(2.0, 0.22 * len(shown) + 0.8)))
    y = np.arange(len(shown))
    colours = [OKABE_ITO[0] if v > 0 else OKABE_ITO[7] for v in shown["keyness"]]
    ax.barh(y, shown["keyness"], color=colours, height=0.75)
    ax.set_yticks(y, shown["term"].astype(str))
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    measure = str(frame["measure"].iloc[0]) if "measure" in frame.columns and len(frame) else ""
    name = {"chi2": "χ²", "lr": "G²", "pmi": "PMI"}.get(measure, "")
    ax.set_xlabel(f"{_w('keyness', lang)}{f'（{name}）' if lang == 'zh' and name else ''}"
                  f"{f' ({name})' if lang == 'en' and name else ''}")
    tgt = str(frame["target"].iloc[0]) if "target" in frame.columns and len(frame) else \
        _w("target", lang)
    ref = str(frame["reference"].iloc[0]) if "reference" in frame.columns and len(frame) else \
        _w("reference", lang)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=OKABE_ITO[0], label=tgt), Patch(color=OKABE_ITO[7],
                                                                   label=ref)],
              loc="lower right")
    return apply_fonts(ax, lang)


@doc
def topic_shares(
    data: pd.DataFrame,
    *,
    x: str = "period",
    topic: str = "topic",
    share: str = "share",
    label: str | None = "label",
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Axes:
    """Stacked areas of topic shares over time (or over any ordered groups).

    Parameters
    ----------
    data : pandas.DataFrame
        Shares by period, e.g. ``TopicModel.shares(date="date")`` or
        ``CodingResult.shares(by="year")`` (then ``topic="category"``).
    x : str, default "period"
        Column of the periods (sorted).
    topic : str, default "topic"
        Column of the topics (or categories).
    share : str, default "share"
        Column of the shares.
    label : str or None, default "label"
        Column of the legend labels (the topics' top terms); None uses `topic`.
    {lang}
    {ax}

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> s = pd.DataFrame({"period": ["2022", "2022", "2023", "2023"], "topic": [1, 2, 1, 2],
    ...                   "label": ["加装电梯·老旧小区", "停车难·停车位"] * 2,
    ...                   "share": [0.6, 0.4, 0.3, 0.7]})
    >>> ax = tk.plot.topic_shares(s)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['加装电梯·老旧小区', '停车难·停车位']
    """
    check_lang(lang)
    refuse_large(data, where="tk.plot.topic_shares")
    label = label if label is not None and label in data.columns else None
    require(data, x, topic, share)
    wide = data.pivot_table(index=x, columns=topic, values=share, aggfunc="sum",
                            sort=True).fillna(0.0)
    names = (data.drop_duplicates(topic).set_index(topic)[label].reindex(wide.columns)
             .astype(str).tolist() if label else [str(c) for c in wide.columns])
    ax = new_axes(ax, lang)
    positions = np.arange(len(wide))
    colours = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(wide.shape[1])]
    ax.stackplot(positions, wide.to_numpy().T, labels=names, colors=colours, alpha=0.9)
    ax.set_xticks(positions, [str(v) for v in wide.index])
    ax.set_xlim(positions[0] - 0.02, positions[-1] + 0.02) if len(positions) > 1 else None
    ax.set_ylim(0, max(1.0, float(wide.sum(axis=1).max())))
    ax.set_ylabel(_w("share", lang))
    ax.set_xlabel(_w("period", lang) if x == "period" else column_label(x, lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title=_w("topic", lang))
    return apply_fonts(ax, lang)


def _font_file(lang: Lang) -> str:
    from matplotlib import font_manager

    return font_manager.findfont(font_manager.FontProperties(family=font_family(lang)[0]))


@doc
def wordcloud(
    data: pd.DataFrame,
    *,
    term: str = "term",
    value: str = "count",
    top: int = 100,
    seed: int = 1,
    colors: Sequence[str] | None = None,
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Axes:
    """A word cloud of term frequencies, in the toolkit's Chinese font.

    Parameters
    ----------
    data : pandas.DataFrame
        Terms and their weights (``tk.text.frequencies`` or ``keywords``).
    term : str, default "term"
        Column of the terms.
    value : str, default "count"
        Column of the weights (word sizes).
    top : int, default 100
        Largest number of words drawn.
    seed : int, default 1
        Seed of the layout (the same seed gives the same picture).
    colors : list of str, optional
        Colours of the words (default: the Okabe–Ito palette).
    lang : {"zh", "en"}, default "zh"
        Language (the font: the CJK font for both, so Chinese words render).
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        The cloud as an image; the words drawn and their sizes are in
        ``ax.wordcloud_words`` (term → relative size).

    Examples
    --------
    >>> f = pd.DataFrame({"term": ["加装电梯", "停车难", "垃圾分类"], "count": [9, 5, 3]})
    >>> ax = tk.plot.wordcloud(f)
    >>> sorted(ax.wordcloud_words)
    ['停车难', '加装电梯', '垃圾分类']
    """
    from wordcloud import WordCloud

    check_lang(lang)
    refuse_large(data, where="tk.plot.wordcloud")
    require(data, term, value)
    freqs = (data.groupby(term, sort=False)[value].sum().astype(float)
             .sort_values(ascending=False).head(top))
    freqs = freqs[freqs > 0]
    palette = list(colors or OKABE_ITO[:6])
    shade = {w: palette[i % len(palette)] for i, w in enumerate(sorted(freqs.index))}

    ax = new_axes(ax, lang)
    fig = ax.figure
    width, height = (int(v * 100) for v in fig.get_size_inches())
    cloud = WordCloud(font_path=_font_file("zh"), width=max(width * 2, 200),
                      height=max(height * 2, 120), background_color="white",
                      random_state=seed, max_words=top, prefer_horizontal=0.95,
                      color_func=lambda word, **_: shade.get(word, palette[0]),
                      collocations=False)
    if len(freqs):
        cloud.generate_from_frequencies(freqs.to_dict())
        ax.imshow(cloud.to_array(), interpolation="bilinear")
        words = {w: float(s) for (w, s) in cloud.words_.items()}
    else:
        words = {}
    ax.set_axis_off()
    ax.wordcloud_words = words
    return ax
