"""Cross tables: the output of ``tk.stats.Design.crosstab`` as a publication table."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import as_table, check_choice, require_columns
from toolkit._docs import REMOVED_IN, renamed
from toolkit.errors import ArgumentError
from toolkit.report._disclosure import hidden, refuse_personal, refuse_personal_values, secondary
from toolkit.report._format import (
    SMALL_CELL,
    Lang,
    check_lang,
    fmt_count,
    fmt_num,
    fmt_p,
    fmt_short,
    personal_columns,
    w,
)
from toolkit.report._labels import LabelLog, display_order, header_label, value_text
from toolkit.report.table import Table

__all__ = ["crosstab_table"]

#: Columns of ``Design.crosstab`` output after its row and column variables.
_CROSSTAB_TAIL = ("total", "n")


def _parts(result: pd.DataFrame) -> tuple[str, str]:
    """Row and column variables of a ``Design.crosstab`` result."""
    require_columns(result, {"data": ["variable", *_CROSSTAB_TAIL]},
                    where="`data` (the output of `tk.stats.Design(...).crosstab(row, col)`)")
    cols = list(result.columns)
    between = cols[cols.index("variable") + 1:cols.index("total")]
    if len(between) != 2:
        msg = (f"`data` has {len(between)} columns before `total` ({between}); give the "
               "cross-table of one design (`design.crosstab(row, col)`), or one group's rows "
               "of `design.by(group).crosstab(row, col)`, without the group column.")
        raise ArgumentError(msg)
    return between[0], between[1]


def _legacy_crosstab(data: Any, row: str, col: str, weights: str | None) -> pd.DataFrame:
    """``Design.crosstab`` of a raw table, as the old call style produced it."""
    from toolkit.stats import Design

    frame = as_table(data, "sessions", where="tk.report.crosstab_table")
    require_columns(frame, {"row": row, "col": col, "weights": weights})
    refuse_personal(frame, [row, col], "row" if row in personal_columns(frame) else "col")
    return Design(frame, weights=weights).crosstab(row, col)


@renamed(weight="weights")
def crosstab_table(
    data: pd.DataFrame,
    *,
    percent: str | None = "row",
    digits: int = 1,
    suppress: bool = True,
    test: bool = True,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    lang: Lang = "zh",
    row: str | None = None,
    col: str | None = None,
    weights: str | None = None,
) -> Table:
    """Cross table of ``Design.crosstab``: counts with row, column or total percentages.

    The table shows what ``tk.stats.Design(...).crosstab(row, col)`` computed:
    counts of respondents in each cell (unweighted), percentages of the
    weighted totals, and in the notes its design-based test (Pearson's χ² of
    the table and the Rao–Scott adjusted F with its p-value, as R
    ``svychisq``). It computes no statistic of its own.

    Parameters
    ----------
    data : pandas.DataFrame
        The output of ``tk.stats.Design(...).crosstab(row, col)`` (an unweighted
        ``tk.stats.Design(df)`` for plain counts).
    percent : {"row", "col", "total", None}, default "row"
        Which percentages of the weighted totals to show beside the counts.
    digits : int, default 1
        Decimals of percentages.
    suppress : bool, default True
        Counts of 1–4 shown as ``<5``; where a row or column would then have a
        single hidden cell, its smallest other cell is hidden too (``—``), so the
        hidden count cannot be recovered from the totals.
    test : bool, default True
        Put the test of ``data.attrs["test"]`` in the notes.
    labels : dict, optional
        Column → header label.
    caption : str, optional
        Title of the table.
    lang : {"zh", "en"}, default "zh"
        Language of labels and notes.
    row, col, weights : optional
        Deprecated: the old call style on a raw table (``crosstab_table(df,
        row=..., col=..., weights=...)``), kept for one release with a
        FutureWarning; it runs ``tk.stats.Design(df, weights=...).crosstab(row,
        col)``. ``weight=`` is the older spelling of `weights`.

    Returns
    -------
    Table
        ``.numbers`` has columns ``row, col, n, percent`` (hidden cells missing),
        totals included with ``row``/``col`` set to ``"total"``.

    Raises
    ------
    ValueError
        When the row or column values are personal data, or `percent` is unknown.

    Examples
    --------
    >>> s = pd.DataFrame({"platform": ["微信群"] * 12 + ["居民议事会"] * 9,
    ...                   "consensus": [True] * 7 + [False] * 5 + [True] * 8 + [False]})
    >>> tab = tk.stats.Design(s).crosstab("platform", "consensus")
    >>> t = tk.report.crosstab_table(tab, test=False)
    >>> t.to_frame()
        协商平台           是          否           合计
    0  居民议事会           —         <5   9 (100.0%)
    1    微信群           —          —  12 (100.0%)
    2     合计  15 (71.4%)  6 (28.6%)  21 (100.0%)

    The one small cell (1) is shown as <5; the other inner cells are hidden
    too (—), since with the totals they would give it away.

    >>> t.numbers["n"].isna().tolist()[:3]
    [True, True, False]
    """
    check_lang(lang)
    check_choice(percent, ["row", "col", "total", None], param="percent")
    if row is not None or col is not None:
        warnings.warn(
            "`crosstab_table(data, row=..., col=..., weights=...)` on a raw table is "
            f"deprecated and will be removed in {REMOVED_IN}; pass the output of "
            "`tk.stats.Design(data, weights=...).crosstab(row, col)`, which carries the "
            "design-based (Rao–Scott) test.", FutureWarning, stacklevel=3)
        if row is None or col is None:
            msg = "The old call style needs both `row=` and `col=`."
            raise ArgumentError(msg)
        data = _legacy_crosstab(data, row, col, weights)
    elif weights is not None:
        msg = "`weights=` goes to `tk.stats.Design`; `crosstab_table` takes its crosstab."
        raise ArgumentError(msg)
    if not isinstance(data, pd.DataFrame):
        msg = (f"`data` must be the output of `tk.stats.Design(...).crosstab(row, col)` (a "
               f"DataFrame), not {type(data).__name__}.")
        raise ArgumentError(msg)
    row, col = _parts(data)
    cells = data[(data["n"] > 0).to_numpy()]
    rl = display_order(pd.unique(data.loc[data[row].isin(cells[row]), row]))
    cl = display_order(pd.unique(data.loc[data[col].isin(cells[col]), col]))
    refuse_personal_values({row: rl, col: cl}, "row/col",
                           codebook=data.attrs.get("codebook"))
    grid = data.set_index([row, col])
    counts = np.array([[grid.loc[(r, c), "n"] for c in cl] for r in rl], dtype=float)
    wsum = np.array([[grid.loc[(r, c), "total"] for c in cl] for r in rl], dtype=float)
    return _table(data, row, col, rl, cl, counts, wsum, percent=percent, digits=digits,
                  suppress=suppress, test=test, labels=dict(labels or {}), caption=caption,
                  lang=lang)


def _with_totals(cells: np.ndarray) -> np.ndarray:
    full = np.zeros((cells.shape[0] + 1, cells.shape[1] + 1))
    full[:-1, :-1] = cells
    full[-1, :-1], full[:-1, -1], full[-1, -1] = cells.sum(0), cells.sum(1), cells.sum()
    return full


def _table(data: pd.DataFrame, row: str, col: str, rl: list[Any], cl: list[Any],
           counts: np.ndarray, wsum: np.ndarray, *, percent: str | None, digits: int,
           suppress: bool, test: bool, labels: dict[str, str], caption: str | None,
           lang: Lang) -> Table:
    full_n, full_w = _with_totals(counts), _with_totals(wsum)
    with np.errstate(invalid="ignore", divide="ignore"):
        if percent == "row":
            pct = 100 * full_w / full_w[:, -1:]
        elif percent == "col":
            pct = 100 * full_w / full_w[-1:, :]
        else:
            pct = 100 * full_w / full_w[-1, -1]
    small = np.vectorize(lambda v: hidden(v, suppress))(full_n).astype(bool)
    extra = np.zeros_like(small)
    if suppress and small[:-1, :-1].any():  # totals stay shown; inner cells protect each other
        extra[:-1, :-1] = secondary(small[:-1, :-1], full_n[:-1, :-1])
    log = LabelLog(lang, f"table{f' “{caption}”' if caption else ''}")
    head_r = labels.get(row) or log.header(row, header_label(row, lang, data))
    col_heads = [*[value_text(col, v, lang, frame=data, log=log) for v in cl], w("total", lang)]
    row_heads = [*[value_text(row, v, lang, frame=data, log=log) for v in rl], w("total", lang)]
    lines, numbers = [], []
    for i, rname in enumerate(row_heads):
        line = [rname]
        for j in range(len(col_heads)):
            n = full_n[i, j]
            if small[i, j]:
                text = f"<{SMALL_CELL}"
            elif extra[i, j]:
                text = "—"
            else:
                text = fmt_count(n) if percent is None else (
                    f"{fmt_count(n)} ({fmt_num(pct[i, j], digits)}%)")
            line.append(text)
            gone = small[i, j] or extra[i, j]
            numbers.append({"row": rl[i] if i < len(rl) else "total",
                            "col": cl[j] if j < len(cl) else "total",
                            "n": np.nan if gone else n,
                            "percent": np.nan if gone or percent is None else pct[i, j]})
        lines.append(line)
    out = pd.DataFrame(lines, columns=[head_r, *col_heads])
    notes = []
    if percent is not None and not np.allclose(wsum, counts):
        notes.append(w("weighted", lang))
    if small.any():
        notes.append(w("suppressed", lang, k=SMALL_CELL))
    if extra.any():
        notes.append(w("secondary", lang))
    result = data.attrs.get("test")
    if test and isinstance(result, Mapping) and len(rl) > 1 and len(cl) > 1:
        p = fmt_p(result["p_value"])
        notes.append(w("rao_scott", lang, df=(len(rl) - 1) * (len(cl) - 1),
                       chi2=fmt_num(result["chisq"], 2), ndf=fmt_short(result["ndf"]),
                       ddf=fmt_short(result["ddf"]), f=fmt_num(result["f"], 2),
                       p=p if p.startswith("<") else f"= {p}"))
    log.warn()
    return Table(out, caption=caption, notes=notes, numbers=pd.DataFrame(numbers), lang=lang,
                 style="count" if percent is None else "percent")
