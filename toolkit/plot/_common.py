"""Helpers shared by the plot functions: axes creation, labels, fonts, checks."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, Literal

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from toolkit import schema
from toolkit.errors import ColumnNotFoundError
from toolkit.plot._style import font_family, style

Lang = Literal["zh", "en"]

#: Words used in figure labels, by language.
WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "percent": "百分比（%）", "sessions": "协商次数", "month": "月份", "estimate": "估计值",
        "odds_ratio": "比值比", "days": "天数", "survival": "尚未发生的比例",
        "before": "前测", "after": "后测", "mean": "均值", "other": "其他", "model": "模型",
        "count": "数量", "total": "合计", "town": "镇街", "community": "村社区",
        "quarter": "季度", "year": "年份", "all": "全部",
        "covered": "全覆盖", "no_member": "无委员联系", "no_room": "无议事室",
        "no_session": "无协商活动", "unknown": "不详",
    },
    "en": {
        "percent": "Percent", "sessions": "Sessions", "month": "Month", "estimate": "Estimate",
        "odds_ratio": "Odds ratio", "days": "Days", "survival": "Share without event",
        "before": "Before", "after": "After", "mean": "Mean", "other": "Other", "model": "Model",
        "count": "Count", "total": "Total", "town": "Town/street",
        "community": "Village/community", "quarter": "Quarter", "year": "Year", "all": "All",
        "covered": "Fully covered", "no_member": "No member", "no_room": "No room",
        "no_session": "No session", "unknown": "Unknown",
    },
}


def word(key: str, lang: Lang) -> str:
    """A fixed label in `lang`."""
    return WORDS[lang][key]


def check_lang(lang: str) -> None:
    """Raise for a language other than zh/en."""
    if lang not in ("zh", "en"):
        msg = f'`lang` must be "zh" or "en", not {lang!r}.'
        raise ValueError(msg)


def table_of(data: Any, name: str) -> pd.DataFrame:
    """The DataFrame to plot: `data` itself, or table `name` of a Study."""
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "table") and hasattr(data, "tables"):
        return data.table(name)
    msg = (f"`data` must be a pandas DataFrame or a Study, not {type(data).__name__}.")
    raise TypeError(msg)


def require(frame: pd.DataFrame, *columns: str | None, param: str = "data") -> None:
    """Raise ColumnNotFoundError naming the missing column and close matches."""
    for col in columns:
        if col is None or col in frame.columns:
            continue
        close = difflib.get_close_matches(str(col), [str(c) for c in frame.columns], n=3)
        hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
        msg = (f"Column `{col}` is not in `{param}`.{hint} Available columns: "
               f"{', '.join(map(str, frame.columns))}.")
        raise ColumnNotFoundError(msg)


def vocabulary_of(column: str) -> str | None:
    """Name of the vocabulary of a canonical column, or None."""
    for table in schema.TABLES.values():
        col = table.get(str(column))
        if col is not None and col.vocabulary:
            return col.vocabulary
    if column in schema.VOCABULARIES:
        return column
    return None


def column_label(column: str, lang: Lang, frame: pd.DataFrame | None = None) -> str:
    """Header of a column in `lang`: codebook label, schema header, or the name."""
    if frame is not None and lang == "zh":
        entry = ((frame.attrs.get("codebook") or {}).get(column) or {})
        if entry.get("label"):
            return str(entry["label"])
    for table in schema.TABLES.values():
        col = table.get(str(column))
        if col is not None:
            return col.label(lang)
    if column in schema.VOCABULARIES:
        vocab = schema.VOCABULARIES[column]
        return vocab.zh if lang == "zh" else vocab.en
    return str(column)


def value_labels(column: str, values: Iterable[object], lang: Lang) -> list[str]:
    """Labels of stored values of `column` in `lang` (vocabulary terms translated)."""
    vocab = vocabulary_of(column)
    out = []
    for v in values:
        if isinstance(v, bool):
            out.append(("是" if v else "否") if lang == "zh" else ("Yes" if v else "No"))
        elif vocab is not None:
            out.append(schema.label(vocab, v, lang=lang))
        else:
            out.append(str(v))
    return out


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
