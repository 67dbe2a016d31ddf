"""Helpers shared by the plot functions: the fixed words of labels, axes creation, fonts.

Input checks come from :mod:`toolkit._checks`, labels of columns and values from
:mod:`toolkit.schema`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.legend import Legend
from matplotlib.transforms import offset_copy

from toolkit._checks import Lang, require_columns
from toolkit.errors import ArgumentError
from toolkit.plot._style import font_family, style
from toolkit.schema import codebook_english, column_label, english_text, has_chinese, value_labels

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
        "change": "变化（后测−前测）", "at_risk": "在险数", "members": "人数",
        "ties": "联系数", "degree": "度中心度", "betweenness": "中介中心度",
        "closeness": "接近中心度", "eigenvector": "特征向量中心度", "pagerank": "PageRank",
        "cluster": "社群", "share": "比例",
    },
    "en": {
        "percent": "Percent", "sessions": "Sessions", "month": "Month", "estimate": "Estimate",
        "odds_ratio": "Odds ratio", "days": "Days", "survival": "Share without event",
        "before": "Before", "after": "After", "mean": "Mean", "other": "Other", "model": "Model",
        "count": "Count", "total": "Total", "town": "Town/street",
        "community": "Village/community", "quarter": "Quarter", "year": "Year", "all": "All",
        "covered": "Fully covered", "no_member": "No member or deputy", "no_room": "No room",
        "no_session": "No session", "several": "Several gaps", "unknown": "Unknown",
        "change": "Change (after − before)", "at_risk": "Number at risk", "members": "members",
        "ties": "Ties", "degree": "Degree", "betweenness": "Betweenness",
        "closeness": "Closeness", "eigenvector": "Eigenvector", "pagerank": "PageRank",
        "cluster": "Community", "share": "Share",
    },
}


def word(key: str, lang: Lang) -> str:
    """A fixed label in `lang`."""
    return WORDS[lang][key]


def has_word(key: str) -> bool:
    """Whether `key` is one of the fixed words of :data:`WORDS`."""
    return key in WORDS["zh"]


def display_labels(column: object, values: Iterable[Any], lang: Lang, *,
                   frame: Any = None, place: bool = False,
                   given: Mapping[Any, str] | None = None) -> list[str]:
    """Labels of `values` of `column` as a figure shows them, in `lang` only.

    Given labels first, then vocabulary terms (:func:`toolkit.schema.value_labels`).
    In English figures, a label still in Chinese takes the English codebook
    entry (``attrs["codebook"][column]["value_labels_en"]`` of `frame`), a
    common answer word, or — for place names (``place=True``) — pinyin
    (:func:`toolkit.schema.english_text`); what stays Chinese is listed in one
    warning.
    """
    values = [bool(v) if isinstance(v, np.bool_) else v for v in values]  # 是/否, Yes/No
    given = dict(given or {})
    out = [given[v] if v in given else lab
           for v, lab in zip(values, value_labels(column, values, lang), strict=True)]
    if lang != "en":
        return out
    book = ((getattr(frame, "attrs", None) or {}).get("codebook") or {}).get(column) or {}
    english = codebook_english(frame, column)[1]
    codes = {str(v): str(k) for k, v in (book.get("value_labels") or {}).items()}
    left = []
    for i, (value, text) in enumerate(zip(values, out, strict=True)):
        if not has_chinese(text):
            continue
        code = codes.get(text, str(value))
        found = english.get(code) or english.get(text) or english_text(text, place=place)
        if found is None:
            left.append(text)
        else:
            out[i] = found
    if left:
        warn_chinese(left, what=f"label(s) of `{column}`",
                     fix="give English labels as `value_labels_en` in the codebook or "
                         "as `labels=`")
    return out


def refuse_personal_labels(shown: Mapping[Any, Iterable[Any]], *, param: str, where: str,
                           frame: Any = None, allow_personal: bool = False) -> None:
    """Raise ArgumentError when a figure would label with values of a personal column.

    `shown` maps each column whose values become labels (groups, legend
    entries, tick labels) to the values shown; a column of `frame` is judged by
    all its values. The detector is :func:`toolkit.io.personal_values` (header,
    codebook ``personal`` entries, content), the one check of tables and figures.
    """
    if allow_personal:
        return
    from toolkit.io.personal import personal_values  # the detector loads only when drawing

    columns = getattr(frame, "columns", ())
    values = {col: (frame[col].dropna().tolist() if col in columns else list(vals))
              for col, vals in shown.items() if col is not None}
    codebook = (getattr(frame, "attrs", None) or {}).get("codebook")
    refuse_personal_found(personal_values(values, codebook=codebook), param=param, where=where)


def refuse_personal_found(found: Mapping[Any, str], *, param: str, where: str) -> None:
    """Raise ArgumentError naming the personal columns (column → kind) a figure would show."""
    if found:
        cols = ", ".join(f"`{c}` ({kind})" for c, kind in found.items())
        msg = (f"{where}: `{param}` would label the figure with personal data: {cols}. "
               "Pseudonymise the column first (`tk.io.pseudonymise`), leave it out of the "
               "figure, or pass `allow_personal=True` if the figure is for internal use only.")
        raise ArgumentError(msg)


def item_labels(items: Iterable[str], lang: Lang, *, frame: Any = None,
                given: Mapping[str, str] | None = None) -> list[str]:
    """Labels of columns (survey items, model variables) as a figure shows them.

    Given labels first, then the codebook's (``label``; ``label_en`` in English,
    :func:`toolkit.schema.codebook_english`) or the schema's. An English figure
    never shows a Chinese label: it falls back to the column name and one
    warning lists the columns shown by name.
    """
    given = dict(given or {})
    out, named = [], []
    for item in items:
        if item in given:
            out.append(given[item])
            continue
        english = codebook_english(frame, item)[0] if lang == "en" else None
        text = english or column_label(item, lang, frame)
        if lang == "en" and english is None:
            zh = column_label(item, "zh", frame)
            if has_chinese(text) or (text == str(item) and zh != text):
                named.append(str(item))  # a Chinese label exists, an English one does not
                text = str(item)
        out.append(text)
    if named:
        warn_chinese(named, what="variable label(s) (shown by column name)",
                     fix="give English labels as `label_en` in the codebook or as `labels=`")
    return out


def warn_chinese(texts: Iterable[str], *, what: str, fix: str) -> None:
    """One warning listing the Chinese texts an English figure keeps."""
    texts = list(dict.fromkeys(texts))
    shown = ", ".join(texts[:10]) + (f" … ({len(texts)} in all)" if len(texts) > 10 else "")
    warnings.warn(f"The English figure keeps {len(texts)} Chinese {what}: {shown}. To show "
                  f"them in English, {fix}.", UserWarning, stacklevel=_outside_toolkit())


def _outside_toolkit() -> int:
    """Stack level of the first caller outside the toolkit package (the user's line)."""
    import sys
    from pathlib import Path

    package = str(Path(__file__).resolve().parents[1])
    frame, level = sys._getframe(1), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(
            package):
        frame, level = frame.f_back, level + 1
    return level


def legend_below(ax: Axes, lang: Lang, *, pad: float = 4.0, **kwargs: Any) -> Legend:
    """A legend centred under everything drawn below the axes (tick labels, axis label).

    The gap is measured in points from the drawn decorations, so the legend
    never covers the x-axis label whatever the height of the axes. Fonts are
    applied first (:func:`apply_fonts`), so Chinese text is measured as drawn.
    """
    apply_fonts(ax, lang)
    fig = ax.figure
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") \
        else fig._get_renderer()  # pragma: no cover - non-Agg canvases
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    below = ax.get_tightbbox(renderer)
    frame = ax.get_window_extent(renderer)
    gap = max(0.0, frame.y0 - below.y0) * 72 / fig.dpi + pad
    kwargs.setdefault("frameon", False)
    legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0),
                       bbox_transform=offset_copy(ax.transAxes, fig=fig, y=-gap, units="points"),
                       **kwargs)
    apply_fonts(ax, lang)
    return legend


def wrap_label(text: str, width: int = 16) -> str:
    """Break a long label (e.g. a question's wording) onto lines of about `width` characters."""
    import textwrap
    import unicodedata

    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text) > len(text) / 2
    if len(text) <= (width if wide else 2 * width):
        return text
    if wide:
        return "\n".join(text[i:i + width] for i in range(0, len(text), width))
    return "\n".join(textwrap.wrap(text, 2 * width))


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
    """Keep the `keep` most frequent values, the rest become `other`.

    Ties in frequency are broken by the values' sorted order, so the same data
    always keeps the same values.
    """
    counts = values.value_counts()
    if len(counts) <= keep:
        return values
    order = sorted(counts.index, key=lambda v: (-counts[v], str(v)))
    top = set(order[: keep - 1])
    return values.astype(object).where(values.isin(top) | values.isna(), other)
