"""Figures of an evaluation: league table with rank intervals, one unit's profile, correlations.

These draw what ``tk.evaluate.evaluate`` returns (an ``Evaluation``); the numbers
come from it (``.to_frame()``, ``.profile()``, ``.correlations()``), nothing is
computed here but positions and colours. Units are shown by their ids unless
display names are given (``names=``): members are people.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from toolkit._checks import check_choice, check_lang
from toolkit._docs import doc
from toolkit.errors import ArgumentTypeError
from toolkit.plot._common import Lang, apply_fonts, new_axes
from toolkit.plot._style import OKABE_ITO, font_family

__all__ = ["correlations", "profile", "ranks"]

_WORDS = {
    "zh": {"rank": "排名", "median": "中位排名", "nominal": "基准排名", "interval": "{p}排名区间",
           "score": "得分", "all_median": "全体中位数", "unit": "本单位",
           "title_ranks": "排名及其不确定性", "corr": "相关系数"},
    "en": {"rank": "Rank", "median": "Median rank", "nominal": "Rank (nominal)",
           "interval": "{p} rank interval", "score": "Score", "all_median": "Median of all",
           "unit": "This unit", "title_ranks": "Ranks and their uncertainty",
           "corr": "Correlation"},
}


def _evaluation(data: Any, where: str) -> Any:
    if not all(hasattr(data, a) for a in ("ranks", "system", "to_frame", "profile")):
        msg = (f"`{where}` draws an evaluation: give the result of `tk.evaluate.evaluate(...)`, "
               f"not {type(data).__name__}.")
        raise ArgumentTypeError(msg)
    return data


@doc
def ranks(
    data: Any,
    *,
    top: int | None = 30,
    names: Any = None,
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Axes:
    """League table as a caterpillar plot: each unit's rank interval, median and nominal rank.

    Parameters
    ----------
    data : Evaluation
        The result of ``tk.evaluate.evaluate`` (with ``uncertainty``, the
        intervals are drawn; without, the nominal ranks only).
    top : int or None, default 30
        Show the first `top` units by nominal rank (None: all).
    names : dict, Series or DataFrame, optional
        Id → display name. By default units are shown by their ids.
    {lang}
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        One horizontal line per unit (the interval, ``ax.collections[0]``), the
        median ranks and the nominal ranks as point collections; y tick labels
        are the units, best at the top.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.random((12, 3)), columns=["a", "b", "c"])
    >>> df.insert(0, "id", [f"U{i:02d}" for i in range(12)])
    >>> ev = tk.evaluate.evaluate(df, n=100, seed=1)
    >>> ax = tk.plot.ranks(ev, top=5)
    >>> len(ax.get_yticklabels()), ax.get_xlabel()
    (5, '排名')
    """
    check_lang(lang)
    ev = _evaluation(data, "tk.plot.ranks")
    frame = ev.league_table(names=names, top=top)  # names mapped by the Evaluation, if asked
    frame = frame[frame["rank"].notna()]
    words = _WORDS[lang]
    y = np.arange(len(frame))[::-1].astype(float)
    ax = new_axes(ax, lang, figsize=(6.3, max(2.2, 0.22 * len(frame) + 1.2)))
    handles = []
    if "rank_low" in frame.columns:
        ax.hlines(y, frame["rank_low"], frame["rank_high"], color=OKABE_ITO[1], linewidth=2.2,
                  alpha=0.8, zorder=1)
        ax.scatter(frame["median_rank"], y, s=22, color=OKABE_ITO[4], zorder=3)
        share = f"{ev.uncertainty.interval:.0%}"
        handles += [Line2D([], [], color=OKABE_ITO[1], linewidth=2.2,
                           label=words["interval"].format(p=share)),
                    Line2D([], [], color=OKABE_ITO[4], marker="o", linestyle="",
                           label=words["median"])]
    ax.scatter(frame["rank"], y, s=26, marker="D", facecolor="white", edgecolor="black",
               zorder=4)
    handles.append(Line2D([], [], marker="D", color="black", markerfacecolor="white",
                          linestyle="", label=words["nominal"]))
    ids = frame[ev.id].astype(str)
    labels = frame["name"].astype("string").fillna(ids) if "name" in frame.columns else ids
    ax.set_yticks(y, labels.tolist())
    ax.set_xlabel(words["rank"])
    ax.set_xlim(left=0.5)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(handles=handles, loc="lower right", frameon=False, fontsize="small")
    return apply_fonts(ax, lang)


@doc
def profile(
    data: Any,
    *,
    unit: str,
    kind: Literal["bar", "radar"] = "bar",
    depth: int = 1,
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Axes:
    """One unit's pillar scores beside the median of all units, as bars or a radar.

    Parameters
    ----------
    data : Evaluation
        The result of ``tk.evaluate.evaluate``.
    unit : str
        Id of the unit (member) to show.
    kind : {"bar", "radar"}, default "bar"
        Paired horizontal bars, or a radar (needs polar axes when `ax` is given).
    depth : int, default 1
        Level of the index system shown (1: pillars, 一级指标).
    {lang}
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (polar for ``kind="radar"``); a new figure is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Bars: two bar containers (the unit, the median). Radar: two lines.

    Examples
    --------
    >>> df = pd.DataFrame({"id": ["a", "b", "c"], "x": [1.0, 2, 3], "y": [3.0, 1, 2]})
    >>> s = tk.evaluate.IndexSystem({"indicators": [
    ...     {"indicator": "X", "label_zh": "甲", "children": [{"indicator": "x"}]},
    ...     {"indicator": "Y", "label_zh": "乙", "children": [{"indicator": "y"}]}]})
    >>> ev = tk.evaluate.evaluate(df, system=s, uncertainty=False)
    >>> ax = tk.plot.profile(ev, unit="a")
    >>> [t.get_text() for t in ax.get_yticklabels()], len(ax.containers)
    (['甲', '乙'], 2)
    """
    check_lang(lang)
    check_choice(kind, ["bar", "radar"], param="kind")
    ev = _evaluation(data, "tk.plot.profile")
    table = ev.profile(unit, depth=depth)
    labels = table[f"label_{lang}"].tolist()
    words = _WORDS[lang]
    score, median = table["score"].to_numpy(float), table["median"].to_numpy(float)
    if kind == "bar":
        ax = new_axes(ax, lang, figsize=(6.3, max(2.0, 0.45 * len(table) + 1.0)))
        y = np.arange(len(table))[::-1].astype(float)
        ax.barh(y + 0.18, score, height=0.36, color=OKABE_ITO[4], label=f"{unit}")
        ax.barh(y - 0.18, median, height=0.36, color="#BBBBBB", label=words["all_median"])
        ax.set_yticks(y, labels)
        ax.set_xlabel(words["score"])
        ax.legend(frameon=False, fontsize="small", loc="lower right")
        return apply_fonts(ax, lang)
    if ax is None:
        import matplotlib.pyplot as plt

        from toolkit.plot._style import style

        with style(lang):
            _, ax = plt.subplots(figsize=(4.5, 4.5), subplot_kw={"projection": "polar"})
    elif ax.name != "polar":
        msg = ("`kind=\"radar\"` needs polar axes: make them with "
               "`plt.subplots(subplot_kw={\"projection\": \"polar\"})`, or omit `ax`.")
        raise ArgumentTypeError(msg)
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    angles = np.linspace(0, 2 * np.pi, len(table), endpoint=False)
    closed = np.r_[angles, angles[:1]]
    ax.plot(closed, np.r_[score, score[:1]], color=OKABE_ITO[4], linewidth=1.8, label=f"{unit}")
    ax.fill(closed, np.r_[score, score[:1]], color=OKABE_ITO[4], alpha=0.2)
    ax.plot(closed, np.r_[median, median[:1]], color="#888888", linewidth=1.2,
            linestyle="--", label=words["all_median"])
    ax.set_xticks(angles, labels)
    ax.legend(frameon=False, fontsize="small", loc="upper right", bbox_to_anchor=(1.25, 1.1))
    return apply_fonts(ax, lang)


@doc
def correlations(
    data: Any,
    *,
    annotate: bool | None = None,
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Axes:
    """Heatmap of the correlations between indicators (negative indicators reversed).

    Parameters
    ----------
    data : Evaluation, DataCheck or pandas.DataFrame
        An evaluation (its data checks' correlations), ``tk.evaluate.check(...)``,
        or a square correlation frame.
    annotate : bool, optional
        Write the coefficient in each cell (default: up to 15 indicators).
    lang : {"zh", "en"}, default "zh"
        Language of labels (indicator labels from the index system).
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        One image (``ax.images[0]``) holding the correlation matrix, colour scale −1 to 1.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 1, 4, 3], "c": [4.0, 3, 2, 1]})
    >>> ax = tk.plot.correlations(tk.evaluate.check(df))
    >>> ax.images[0].get_array().shape
    (3, 3)
    """
    check_lang(lang)
    system = getattr(data, "system", None)
    if isinstance(data, pd.DataFrame):
        corr = data
    elif hasattr(data, "correlations") and callable(data.correlations):
        corr = data.correlations()
    elif hasattr(data, "correlations"):
        corr = data.correlations
    else:
        msg = ("`tk.plot.correlations` draws an Evaluation, a DataCheck or a correlation "
               f"DataFrame, not {type(data).__name__}.")
        raise ArgumentTypeError(msg)
    names = [str(c) for c in corr.columns]
    labels = [system.label(c, lang) if system is not None and c in system.nodes else c
              for c in names]
    k = len(names)
    ax = new_axes(ax, lang, figsize=(6.3, max(3.0, 0.32 * k + 1.8)))
    image = ax.imshow(corr.to_numpy(float), cmap="RdBu_r", vmin=-1, vmax=1,
                      interpolation="nearest")
    ax.set_xticks(np.arange(k), labels, rotation=60, ha="right")
    ax.set_yticks(np.arange(k), labels)
    if annotate or (annotate is None and k <= 15):
        values = corr.to_numpy(float)
        for i in range(k):
            for j in range(k):
                if np.isfinite(values[i, j]):
                    ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center",
                            fontsize=6, color="white" if abs(values[i, j]) > 0.6 else "black")
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.03)
    bar.set_label(_WORDS[lang]["corr"], fontfamily=font_family(lang))
    return apply_fonts(ax, lang)
