"""Headers and value labels of published tables: result columns, codebook, schema, vocabularies.

Every word a reader sees in a table comes from one of the owners: result
columns (:data:`RESULT_HEADERS`), the codebook of the data (``label`` /
``label_en``, ``value_labels`` / ``value_labels_en``), the schema and its
vocabularies (:mod:`toolkit.schema`). A name with no label is shown as it is,
and one warning per table lists those names (:class:`LabelLog`); so does an
English table that keeps Chinese text nobody translated.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ToolkitWarning
from toolkit.report._format import Lang, w
from toolkit.schema import (
    TABLES,
    VOCABULARIES,
    codebook_english,
    column_label,
    english_name,
    english_text,
    has_chinese,
    value_labels,
)

__all__ = ["PLACE_COLUMNS", "RESULT_HEADERS", "LabelLog", "display_order", "header_label",
           "value_text"]

#: Headers of common result columns.
RESULT_HEADERS = {
    "estimate": ("估计值", "Estimate"), "se": ("标准误", "SE"),
    "ci_low": ("95%CI下限", "95% CI low"), "ci_high": ("95%CI上限", "95% CI high"),
    "p_value": ("p值", "p"), "n": ("样本量", "n"), "size": ("样本量", "n"),
    "errors": ("错误", "Errors"), "warnings": ("警告", "Warnings"),
    "deff": ("设计效应", "Design effect"), "alpha": ("α系数", "Alpha"), "mean": ("均值", "Mean"),
    "sd": ("标准差", "SD"), "share": ("比例", "Share"), "rate": ("比率", "Rate"),
    "count": ("频数", "Count"), "percent": ("百分比（%）", "Percent"), "k": ("题项数", "Items"),
    "rows": ("行数", "Rows"), "columns": ("列数", "Columns"), "table": ("数据表", "Table"),
    "label": ("名称", "Label"), "file": ("文件", "File"), "term": ("变量", "Term"),
    "item": ("题项", "Item"), "level": ("取值", "Level"), "group": ("组别", "Group"),
    "z": ("z值", "z"), "t": ("t值", "t"), "odds_ratio": ("比值比", "Odds ratio"),
    "mean_before": ("前测均值", "Mean before"), "mean_after": ("后测均值", "Mean after"),
    "change": ("变化", "Change"), "omega": ("ω系数", "Omega"),
    "degree": ("度中心度", "Degree"), "betweenness": ("中介中心度", "Betweenness"),
    "closeness": ("接近中心度", "Closeness"), "eigenvector": ("特征向量中心度", "Eigenvector"),
    # tk.stats.change: the mean share of knowledge questions answered correctly (0 to 1)
    "knowledge_index": ("知识指数（答对比例，0–1）", "Knowledge index (share correct, 0–1)"),
    "n_pairs": ("配对数", "Pairs"), "n_unpaired": ("未配对", "Unpaired"),
    "sd_before": ("前测标准差", "SD before"), "sd_after": ("后测标准差", "SD after"),
    "respondents": ("有效样本", "Respondents"), "successes": ("次数", "Count"),
    "claimed": ("声称比例", "Claimed"), "measure": ("指标", "Measure"),
    "scale": ("量表", "Scale"), "rounds": ("轮次", "Rounds"), "p": ("p值", "p"),
    "town": ("镇街", "Town"), "community": ("村（社区）", "Community"),
    "parent_name": ("镇街", "Town/street"), "name_en": ("英文名称", "English name"),
}

#: Columns that hold place or unit names: in English tables they read in pinyin
#: (:func:`toolkit.schema.english_name`) unless the table gives an English name.
PLACE_COLUMNS = frozenset({"name", "parent_name", "town", "community", "unit_name",
                           "town_name", "community_name", "district"})

#: A column name that is no label: a lower-case identifier (``sat1``, ``values_changed``).
_RAW = re.compile(r"^[a-z][a-z0-9_]*$")


def _codebook(frame: Any, column: object) -> dict[str, Any]:
    return (((getattr(frame, "attrs", None) or {}).get("codebook") or {}).get(column) or {})


def header_label(column: object, lang: Lang = "zh", frame: Any = None) -> str:
    """Header of a column in a published table: result column, codebook, schema, or the name.

    Examples
    --------
    >>> from toolkit.report._labels import header_label
    >>> header_label("deff"), header_label("platform", "en"), header_label("sat1")
    ('设计效应', 'Platform', 'sat1')
    """
    key = str(column)
    if key in RESULT_HEADERS:
        return RESULT_HEADERS[key][0 if lang == "zh" else 1]
    return column_label(key, lang, frame)


def is_raw_name(column: object, label: str) -> bool:
    """Whether a header is a bare column name that has no label (``sat1``, ``attended``)."""
    key = str(column)
    return label == key and bool(_RAW.match(key)) and key not in RESULT_HEADERS


def value_text(column: str, value: object, lang: Lang, *, frame: Any = None,
               log: LabelLog | None = None, names: Mapping[str, str] | None = None) -> str:
    """A value as shown in a cell: vocabulary label, 是/否, or 缺失 for a missing value.

    In English, a value still in Chinese takes, in order: the English name given
    in `names`, the codebook's ``value_labels_en``, a common answer word, and for
    place columns (:data:`PLACE_COLUMNS`) its pinyin reading; what stays Chinese
    is noted in `log`.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return w("missing", lang)
    if isinstance(value, np.bool_):
        value = bool(value)
    text = value_labels(column, [value], lang)[0]
    if lang == "en" and has_chinese(text):
        english = codebook_english(frame, column)[1]
        codes = {str(v): str(k) for k, v in (_codebook(frame, column).get("value_labels")
                                             or {}).items()}
        found = ((names or {}).get(text) or english.get(codes.get(text, str(value)))
                 or english.get(text) or english_text(text))
        if found is None and column in PLACE_COLUMNS:
            found = english_name(text)
        if found is None:
            if log is not None and _is_label_column(column, frame):
                log.chinese.append(text)  # a label left in Chinese; free text is data
            return text
        return found
    return text


#: Result columns whose values are labels (of variables, scales, items, groups).
_LABEL_COLUMNS = frozenset({"variable", "level", "term", "item", "scale", "measure", "label",
                            "group", "table"})


def _is_label_column(column: str, frame: Any) -> bool:
    """Whether the values of `column` are labels (vocabulary, codebook), not free text."""
    return (column in _LABEL_COLUMNS or column in VOCABULARIES
            or bool(_codebook(frame, column).get("value_labels"))
            or any(t.get(column) is not None and t.get(column).vocabulary
                   for t in TABLES.values()))


def display_order(values: Iterable[Any]) -> list[Any]:
    """Levels in the order a table shows them: True before False, others as given."""
    values = list(values)
    if values and all(isinstance(v, bool | np.bool_) for v in values):
        return sorted(values, reverse=True)
    return values


class LabelLog:
    """What a table shows without a label: raw names, and Chinese text left in English.

    Collect while building a table, then :meth:`warn` once: one warning lists
    every name shown as it is and every Chinese text an English table keeps,
    and says where the labels go.
    """

    def __init__(self, lang: Lang, what: str = "table") -> None:
        self.lang = lang
        self.what = what
        self.raw: list[str] = []
        self.chinese: list[str] = []

    def header(self, column: object, label: str) -> str:
        """Note a header shown by its bare name; return the header."""
        if is_raw_name(column, label):
            self.raw.append(str(column))
        elif self.lang == "en" and has_chinese(label):
            self.chinese.append(label)
        return label

    def text(self, text: str) -> str:
        """Note a cell of text an English table keeps in Chinese; return it."""
        if self.lang == "en" and has_chinese(text):
            self.chinese.append(text)
        return text

    def warn(self, stacklevel: int | None = None) -> None:
        """One warning listing the raw names and the Chinese text kept (if any).

        The warning points at the first line outside the toolkit (the user's call).
        """
        parts = []
        raw = list(dict.fromkeys(self.raw))
        if raw:
            key = "`label_en`" if self.lang == "en" else "`label`"
            parts.append(f"{len(raw)} name(s) without a label are shown as they are: "
                         f"{_listing(raw)} (give {key} in the codebook, or `labels=`)")
        chinese = list(dict.fromkeys(self.chinese))
        if chinese:
            parts.append(f"{len(chinese)} Chinese text(s) have no English and stay Chinese: "
                         f"{_listing(chinese)} (give `label_en` / `value_labels_en` in the "
                         "codebook, English names in a `name_en` column, or `labels=`)")
        if parts:
            warnings.warn(f"In the {self.what}, " + "; ".join(parts) + ".", ToolkitWarning,
                          stacklevel=stacklevel or _outside_toolkit())


def _outside_toolkit() -> int:
    """Stack level of the first frame outside the toolkit package (for ``warnings.warn``)."""
    root = str(Path(__file__).resolve().parents[1])
    frame, level = sys._getframe(1), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(root):
        frame, level = frame.f_back, level + 1
    return level


def _listing(texts: list[str]) -> str:
    shown = ", ".join(texts[:12])
    return shown + (f" … ({len(texts)} in all)" if len(texts) > 12 else "")


def known_column(column: object) -> bool:
    """Whether the schema, a vocabulary or the result headers know a column."""
    key = str(column)
    return key in RESULT_HEADERS or key in VOCABULARIES or any(
        t.get(key) is not None for t in TABLES.values())
