"""Descriptive "Table 1": the output of ``tk.stats.describe`` as a publication table."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import as_table, require_columns
from toolkit._docs import REMOVED_IN, renamed
from toolkit.errors import ArgumentError
from toolkit.report._disclosure import hidden, refuse_personal, refuse_personal_values
from toolkit.report._format import SMALL_CELL, Lang, check_lang, fmt_count, fmt_num, w
from toolkit.report._labels import LabelLog, display_order, header_label, value_text
from toolkit.report.table import Table

__all__ = ["describe_table"]

#: Columns of ``tk.stats.describe`` output, before and after its group columns.
_DESCRIBE_HEAD = ("variable", "level")
_DESCRIBE_TAIL = ("n", "missing", "percent", "mean", "sd")


def _describe_parts(result: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """Group columns of a ``tk.stats.describe`` result and the kind of each variable."""
    require_columns(result, {"data": [*_DESCRIBE_HEAD, *_DESCRIBE_TAIL]},
                    where="`data` (the output of `tk.stats.describe`)")
    cols = list(result.columns)
    groups = cols[cols.index("level") + 1:cols.index("n")]
    kinds = dict(result.attrs.get("kinds") or {})
    for var, part in result.groupby("variable", sort=False):
        if var not in kinds:  # without the attrs: a variable with levels is categorical
            kinds[str(var)] = "categorical" if part["level"].notna().any() else "numeric"
    return groups, kinds


def _legacy_describe(data: Any, vars: Sequence[str], by: str | None, weights: str | None,
                     ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``tk.stats.describe`` of a raw table, as the old call style produced it."""
    from toolkit.stats import Design, describe

    frame = as_table(data, "survey", where="tk.report.describe_table")
    require_columns(frame, {"vars": list(vars), "by": by, "weights": weights})
    refuse_personal(frame, [*vars, by], "vars" if by not in vars else "by")
    design = Design(frame, weights=weights) if weights is not None else None
    overall = describe(frame, vars=list(vars), design=design, include_missing=True)
    if by is None:
        return overall, None
    return describe(frame, vars=list(vars), by=by, design=design, include_missing=True), overall


@renamed(weight="weights")
def describe_table(
    data: pd.DataFrame,
    *,
    total: pd.DataFrame | None = None,
    digits: int = 1,
    suppress: bool = True,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    lang: Lang = "zh",
    vars: Sequence[str] | None = None,
    by: str | None = None,
    weights: str | None = None,
) -> Table:
    """Descriptive "Table 1" of ``tk.stats.describe``: n (%) by level, or mean (SD).

    The table shows what ``tk.stats.describe`` computed and computes nothing of
    its own: one row per level of a categorical variable (``n (percent%)``),
    one row per numeric variable (``mean (sd)``), one column per group of its
    `by` columns and, with `total`, a column for everyone.

    Parameters
    ----------
    data : pandas.DataFrame
        The output of ``tk.stats.describe`` (grouped or not). With
        ``include_missing=True`` it has a row for the missing answers and
        percentages of all respondents (columns add up to 100%).
    total : pandas.DataFrame, optional
        The ungrouped ``tk.stats.describe`` output of the same variables, shown
        as a last column 合计 / Total.
    digits : int, default 1
        Decimals of percentages, means and SDs.
    suppress : bool, default True
        Show counts of 1–4 as ``<5`` (with their percentages hidden). Zero
        counts are shown.
    labels : dict, optional
        Variable → row label (default: codebook or schema label).
    caption : str, optional
        Title of the table.
    lang : {"zh", "en"}, default "zh"
        Language of labels and notes.
    vars, by, weights : optional
        Deprecated: the old call style on a raw table (``describe_table(df,
        vars=[...], by=..., weights=...)``), kept for one release with a
        FutureWarning; it runs ``tk.stats.describe(..., include_missing=True)``
        (weighted through ``tk.stats.Design(df, weights=...)``) and adds the
        total column, as before. ``weight=`` is the older spelling of `weights`.

    Returns
    -------
    Table
        ``.numbers`` has columns ``variable, level, group, n, percent, mean, sd``
        (suppressed counts and their percentages missing).

    Raises
    ------
    ValueError
        When a variable's values (or a group's) are personal data.
    ColumnNotFoundError
        When `data` is not a ``tk.stats.describe`` output (or, in the old call
        style, a column is missing).

    Examples
    --------
    >>> df = pd.DataFrame({"gender": ["男"] * 6 + ["女"] * 3, "age": range(30, 39)})
    >>> res = tk.stats.describe(df, vars=["gender", "age"], include_missing=True)
    >>> tk.report.describe_table(res).to_frame()
            变量     全部（n=9）
    0       性别
    1         女          <5
    2         男   6 (66.7%)
    3  年龄：均值（标准差）  34.0 (2.7)
    """
    check_lang(lang)
    if vars is not None:
        warnings.warn(
            "`describe_table(data, vars=..., by=..., weights=...)` on a raw table is "
            f"deprecated and will be removed in {REMOVED_IN}; pass the output of "
            "`tk.stats.describe(data, vars=..., by=..., design=tk.stats.Design(data, "
            "weights=...), include_missing=True)`, and its ungrouped output as `total=`.",
            FutureWarning, stacklevel=3)
        if total is not None:
            msg = "Give `total=` only with the output of `tk.stats.describe`, not with `vars=`."
            raise ArgumentError(msg)
        data, total = _legacy_describe(data, vars, by, weights)
    elif by is not None or weights is not None:
        msg = ("`by=` and `weights=` go to `tk.stats.describe`; `describe_table` takes its "
               "output.")
        raise ArgumentError(msg)
    if not isinstance(data, pd.DataFrame):
        msg = (f"`data` must be the output of `tk.stats.describe` (a DataFrame), not "
               f"{type(data).__name__}.")
        raise ArgumentError(msg)
    groups, kinds = _describe_parts(data)
    if total is not None:
        total_groups, _ = _describe_parts(total)
        if total_groups:
            msg = "`total` must be the ungrouped output of `tk.stats.describe` (no `by=`)."
            raise ArgumentError(msg)
    shown = {v: part["level"].dropna().tolist() for v, part in data.groupby("variable", sort=False)}
    shown.update({g: data[g].dropna().unique().tolist() for g in groups})
    refuse_personal_values(shown, "vars" if not groups else "vars/by",
                           codebook=data.attrs.get("codebook"))
    return _table(data, total, groups, kinds, digits=digits, suppress=suppress,
                  labels=dict(labels or {}), caption=caption, lang=lang)


def _group_keys(data: pd.DataFrame, groups: list[str]) -> list[tuple[Any, ...]]:
    """The groups of a describe result, in its order (True before False for yes/no)."""
    if not groups:
        return [()]
    keys = list(dict.fromkeys(data[groups].itertuples(index=False, name=None)))
    if len(groups) == 1:
        return [(k,) for k in display_order([k[0] for k in keys])]
    return keys


def _rows_of(data: pd.DataFrame, groups: list[str], key: tuple[Any, ...]) -> pd.DataFrame:
    if not groups:
        return data
    mask = np.ones(len(data), dtype=bool)
    for col, value in zip(groups, key, strict=True):
        mask &= (data[col] == value).to_numpy(dtype=bool, na_value=False)
    return data[mask]


def _size(rows: pd.DataFrame, kinds: dict[str, str]) -> int:
    """Respondents in a group: answers of the first variable plus its missing ones."""
    first = rows[rows["variable"] == rows["variable"].iloc[0]]
    answered = first[first["level"].notna()] if kinds[str(first["variable"].iloc[0])] == \
        "categorical" else first
    return int(answered["n"].sum() + first["missing"].iloc[0])


def _cell(hit: pd.DataFrame, *, categorical: bool, digits: int, suppress: bool,
          ) -> tuple[str, dict[str, float]]:
    """Text of one cell (``n (pct%)`` or ``mean (sd)``, ``<5`` when small) and its numbers."""
    row = hit.iloc[0] if len(hit) else pd.Series({"n": 0, "percent": np.nan, "mean": np.nan,
                                                  "sd": np.nan})
    n = int(row["n"])
    values = {"n": n, "percent": float(row["percent"]) if categorical else np.nan,
              "mean": np.nan if categorical else float(row["mean"]),
              "sd": np.nan if categorical else float(row["sd"])}
    if hidden(n, suppress):
        return f"<{SMALL_CELL}", dict.fromkeys(values, np.nan)
    if categorical:
        return f"{fmt_count(n)} ({fmt_num(values['percent'], digits)}%)", values
    return f"{fmt_num(values['mean'], digits)} ({fmt_num(values['sd'], digits)})", values


def _table(data: pd.DataFrame, total: pd.DataFrame | None, groups: list[str],
           kinds: dict[str, str], *, digits: int, suppress: bool, labels: dict[str, str],
           caption: str | None, lang: Lang) -> Table:
    columns: list[tuple[Any, pd.DataFrame]] = []  # (group value for .numbers, rows)
    heads = []
    log = LabelLog(lang, f"table{f' “{caption}”' if caption else ''}")
    for key in _group_keys(data, groups):
        rows = _rows_of(data, groups, key)
        if not groups:
            name = w("all", lang)
        else:
            name = "／".join(value_text(g, k, lang, frame=data, log=log)
                            for g, k in zip(groups, key, strict=True))
        columns.append((key[0] if len(key) == 1 else (key or None), rows))
        heads.append((name, _size(rows, kinds) if len(rows) else 0))
    if total is not None:
        columns.append((None, total))
        heads.append((w("total", lang), _size(total, kinds) if len(total) else 0))
    head_text = [f"{name}（n={fmt_count(n)}）" if lang == "zh" else f"{name} (n={fmt_count(n)})"
                 for name, n in heads]
    table_rows: list[list[str]] = []
    numbers: list[dict[str, Any]] = []
    sep = "：" if lang == "zh" else ": "
    for var in pd.unique(data["variable"]):
        label = labels.get(var) or log.header(var, header_label(var, lang, data))
        if kinds[str(var)] == "categorical":
            levels = display_order(pd.unique(data.loc[(data["variable"] == var)
                                                      & data["level"].notna(), "level"]))
            with_missing = bool((data["variable"].eq(var) & data["level"].isna()).any())
            table_rows.append([label, *[""] * len(columns)])
            for level in [*levels, *([None] if with_missing else [])]:
                cells = []
                for group, rows in columns:
                    hit = rows[(rows["variable"] == var) & (
                        rows["level"].isna() if level is None else rows["level"].eq(level))]
                    text, number = _cell(hit, categorical=True, digits=digits,
                                         suppress=suppress)
                    cells.append(text)
                    numbers.append({"variable": var, "level": level, "group": group, **number})
                name = w("missing", lang) if level is None else value_text(
                    var, level, lang, frame=data, log=log)
                table_rows.append([f"  {name}", *cells])
        else:
            cells = []
            for group, rows in columns:
                text, number = _cell(rows[rows["variable"] == var], categorical=False,
                                     digits=digits, suppress=suppress)
                cells.append(text)
                numbers.append({"variable": var, "level": None, "group": group, **number})
            table_rows.append([f"{label}{sep}{w('mean_sd', lang)}", *cells])
    out = pd.DataFrame(table_rows, columns=[w("variable", lang), *head_text])
    notes = []
    if data.attrs.get("weighted"):
        notes.append(w("weighted", lang))
    if any(pd.isna(r["n"]) for r in numbers):
        notes.append(w("suppressed", lang, k=SMALL_CELL))
    log.warn()
    return Table(out, caption=caption, notes=notes,
                 numbers=pd.DataFrame(numbers, columns=["variable", "level", "group", "n",
                                                        "percent", "mean", "sd"]),
                 lang=lang, style="percent")
