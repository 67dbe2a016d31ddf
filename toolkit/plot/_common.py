"""Helpers shared by the plot functions: the fixed words of labels, axes creation, fonts.

Input checks come from :mod:`toolkit._checks`, labels of columns and values from
:mod:`toolkit.schema`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from toolkit._checks import Lang, require_columns
from toolkit.plot._style import font_family, style

#: Words used in figure labels, by language.
WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "percent": "百分比（%）", "sessions": "协商次数", "month": "月份", "estimate": "估计值",
        "odds_ratio": "比值比", "days": "天数", "survival": "尚未发生的比例",
        "before": "前测", "after": "后测", "mean": "均值", "other": "其他", "model": "模型",
        "count": "数量", "total": "合计", "town": "镇街", "community": "村社区",
        "quarter": "季度", "year": "年份", "all": "全部",
        "covered": "全覆盖", "no_member": "无代表委员联系", "no_room": "无议事室",
        "no_session": "无协商活动", "several": "多项缺失", "unknown": "不详",
    },
    "en": {
        "percent": "Percent", "sessions": "Sessions", "month": "Month", "estimate": "Estimate",
        "odds_ratio": "Odds ratio", "days": "Days", "survival": "Share without event",
        "before": "Before", "after": "After", "mean": "Mean", "other": "Other", "model": "Model",
        "count": "Count", "total": "Total", "town": "Town/street",
        "community": "Village/community", "quarter": "Quarter", "year": "Year", "all": "All",
        "covered": "Fully covered", "no_member": "No member or deputy", "no_room": "No room",
        "no_session": "No session", "several": "Several gaps", "unknown": "Unknown",
    },
}


def word(key: str, lang: Lang) -> str:
    """A fixed label in `lang`."""
    return WORDS[lang][key]


def require(frame: pd.DataFrame, *columns: str | None, param: str = "data") -> None:
    """Columns of `frame` exist: :func:`toolkit._checks.require_columns` for positional names."""
    require_columns(frame, {param: [c for c in columns if c is not None]})


def new_axes(ax: Axes | None, lang: Lang, *, figsize: tuple[float, float] | None = None) -> Axes:
    """Return `ax`, or the Axes of a new figure made in the toolkit style."""
    if ax is not None:
        return ax
    with style(lang):
        _, new = plt.subplots(figsize=figsize)
    return new


def apply_fonts(ax: Axes, lang: Lang) -> Axes:
    """Give every text of `ax` the CJK-capable font family (titles, labels, ticks, legend)."""
    family = font_family(lang)
    ax.tick_params(axis="both", which="both", labelfontfamily=family)
    for text in (ax.title, ax._left_title, ax._right_title,
                 ax.xaxis.label, ax.yaxis.label, *ax.texts):
        text.set_fontfamily(family)
    legend = ax.get_legend()
    if legend is not None:
        for text in [*legend.get_texts(), legend.get_title()]:
            text.set_fontfamily(family)
    return ax


def top_levels(values: pd.Series, keep: int, other: str) -> pd.Series:
    """Keep the `keep` most frequent values, the rest become `other`."""
    counts = values.value_counts()
    if len(counts) <= keep:
        return values
    top = set(counts.index[: keep - 1])
    return values.astype(object).where(values.isin(top) | values.isna(), other)
