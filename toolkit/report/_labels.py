"""Headers and value labels of published tables: result columns, schema columns, vocabularies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from toolkit.report._format import Lang, w
from toolkit.schema import column_label, value_labels

__all__ = ["RESULT_HEADERS", "display_order", "header_label", "value_text"]

#: Headers of common result columns.
RESULT_HEADERS = {
    "estimate": ("估计值", "Estimate"), "se": ("标准误", "SE"), "ci_low": ("95%CI下限", "CI low"),
    "ci_high": ("95%CI上限", "CI high"), "p_value": ("p值", "p"), "n": ("样本量", "n"),
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
    "knowledge_index": ("知识指数", "Knowledge index"),
}


def header_label(column: object, lang: Lang = "zh") -> str:
    """Header of a column in a published table (result-column or schema label)."""
    key = str(column)
    if key in RESULT_HEADERS:
        return RESULT_HEADERS[key][0 if lang == "zh" else 1]
    return column_label(key, lang)


def value_text(column: str, value: object, lang: Lang) -> str:
    """A value as shown in a cell: vocabulary label, 是/否, or 缺失 for a missing value."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return w("missing", lang)
    if isinstance(value, np.bool_):
        value = bool(value)
    return value_labels(column, [value], lang)[0]


def display_order(values: Iterable[Any]) -> list[Any]:
    """Levels in the order a table shows them: True before False, others as given."""
    values = list(values)
    if values and all(isinstance(v, bool | np.bool_) for v in values):
        return sorted(values, reverse=True)
    return values
