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
from toolkit.report._format import (
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
from toolkit.report.disclosure import (
    PRIMARY,
    SHOWN,
    SuppressionRule,
    as_rule,
    protect_grid,
    refuse_personal,
    refuse_personal_values,
    suppression_notes,
)
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


def _legacy_crosstab(data: Any, row: str, col: str, weights: str | None, *,
                     allow_personal: bool) -> pd.DataFrame:
    """``Design.crosstab`` of a raw table, as the old call style produced it."""
    from toolkit.stats import Design

    frame = as_table(data, "sessions", where="tk.report.crosstab_table")
    require_columns(frame, {"row": row, "col": col, "weights": weights})
    refuse_personal(frame, [row, col], "row" if row in personal_columns(frame) else "col",
                    allow_personal=allow_personal)
    return Design(frame, weights=weights).crosstab(row, col)


@renamed(weight="weights")
def crosstab_table(
    data: pd.DataFrame,
    *,
    percent: str | None = "row",
    digits: int = 1,
    suppress: bool | SuppressionRule = True,
    test: bool = True,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    lang: Lang = "zh",
    allow_personal: bool = False,
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
    suppress : bool or SuppressionRule, default True
        Disclosure control (``tk.report.SuppressionRule``; True is the default
        rule): counts of 1–4 shown as ``<5``, and further cells — inner cells
        first, margins only if need be — hidden as ``—`` until the audit of
        the table (the interval problem of every hidden cell, given the cells
        shown, the margins, the percentages and the labels) finds no hidden
        count narrower than the rule's protection and no hidden percentage
        derivable. ``False`` publishes every cell.
    test : bool, default True
        Put the test of ``data.attrs["test"]`` in the notes.
    labels : dict, optional
        Column → header label.
    caption : str, optional
        Title of the table.
    lang : {"zh", "en"}, default "zh"
        Language of labels and notes.
    allow_personal : bool, default False
        Print row or column values that ``tk.io.find_personal`` finds personal
        (names, ID-card or phone numbers); by default they are refused.
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
        When the row or column values are personal data (``ArgumentError``),
        or `percent` is unknown.

    Examples
    --------
    >>> s = pd.DataFrame({"platform": ["微信群"] * 30 + ["居民议事会"] * 25 + ["项目听证会"] * 22,
    ...                   "consensus": [True] * 20 + [False] * 10 + [True] * 22 + [False] * 3
    ...                   + [True] * 12 + [False] * 10})
    >>> tab = tk.stats.Design(s).crosstab("platform", "consensus")
    >>> t = tk.report.crosstab_table(tab, test=False)
    >>> t.to_frame()
        协商平台           是           否           合计
    0  居民议事会           —          <5  25 (100.0%)
    1    微信群           —           —  30 (100.0%)
    2  项目听证会  12 (54.5%)  10 (45.5%)  22 (100.0%)
    3     合计  54 (70.1%)  23 (29.9%)  77 (100.0%)

    The small cell (3) is shown as <5; three more are hidden (—), since with
    the totals any one of them would give it away. The audit solves, for each
    hidden count, the smallest and largest value the table allows:

    >>> t.audit()[["status", "low", "high"]]
          status   low  high
    0  secondary  21.0  24.0
    1    primary   1.0   4.0
    2  secondary  18.0  21.0
    3  secondary   9.0  12.0
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
        data = _legacy_crosstab(data, row, col, weights, allow_personal=allow_personal)
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
                           codebook=data.attrs.get("codebook"), allow_personal=allow_personal)
    grid = data.set_index([row, col])
    counts = np.array([[grid.loc[(r, c), "n"] for c in cl] for r in rl], dtype=float)
    wsum = np.array([[grid.loc[(r, c), "total"] for c in cl] for r in rl], dtype=float)
    return _table(data, row, col, rl, cl, counts, wsum, percent=percent, digits=digits,
                  rule=as_rule(suppress), test=test, labels=dict(labels or {}), caption=caption,
                  lang=lang)


def _with_totals(cells: np.ndarray) -> np.ndarray:
    full = np.zeros((cells.shape[0] + 1, cells.shape[1] + 1))
    full[:-1, :-1] = cells
    full[-1, :-1], full[:-1, -1], full[-1, -1] = cells.sum(0), cells.sum(1), cells.sum()
    return full


def _percentages(full: np.ndarray, percent: str | None) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        if percent == "row":
            return 100 * full / full[:, -1:]
        if percent == "col":
            return 100 * full / full[-1:, :]
        return 100 * full / full[-1, -1]


def _table(data: pd.DataFrame, row: str, col: str, rl: list[Any], cl: list[Any],
           counts: np.ndarray, wsum: np.ndarray, *, percent: str | None, digits: int,
           rule: SuppressionRule | None, test: bool, labels: dict[str, str],
           caption: str | None, lang: Lang) -> Table:
    full_n, full_w = _with_totals(counts), _with_totals(wsum)
    pct = _percentages(full_w, percent)
    problem = None
    if rule is None:
        status = np.full(full_n.shape, SHOWN)
    else:
        status, problem = protect_grid(full_n, rule, pct=pct if percent else None,
                                       percent=percent)
    log = LabelLog(lang, f"table{f' “{caption}”' if caption else ''}")
    head_r = labels.get(row) or log.header(row, header_label(row, lang, data))
    col_heads = [*[value_text(col, v, lang, frame=data, log=log) for v in cl], w("total", lang)]
    row_heads = [*[value_text(row, v, lang, frame=data, log=log) for v in rl], w("total", lang)]
    lines, numbers = [], []
    for i, rname in enumerate(row_heads):
        line = [rname]
        for j in range(len(col_heads)):
            n = full_n[i, j]
            if status[i, j] == PRIMARY:
                text = f"<{rule.k}"
            elif status[i, j] != SHOWN:
                text = "—"
            else:
                text = fmt_count(n) if percent is None else (
                    f"{fmt_count(n)} ({fmt_num(pct[i, j], digits)}%)")
            line.append(text)
            gone = status[i, j] != SHOWN
            numbers.append({"row": rl[i] if i < len(rl) else "total",
                            "col": cl[j] if j < len(cl) else "total",
                            "n": np.nan if gone else n,
                            "percent": np.nan if gone or percent is None else pct[i, j]})
        lines.append(line)
    out = pd.DataFrame(lines, columns=[head_r, *col_heads])
    notes = []
    if percent is not None and not np.allclose(wsum, counts):
        notes.append(w("weighted", lang))
    notes += suppression_notes(problem, lang)
    result = data.attrs.get("test")
    if test and isinstance(result, Mapping) and len(rl) > 1 and len(cl) > 1:
        p = fmt_p(result["p_value"])
        notes.append(w("rao_scott", lang, df=(len(rl) - 1) * (len(cl) - 1),
                       chi2=fmt_num(result["chisq"], 2), ndf=fmt_short(result["ndf"]),
                       ddf=fmt_short(result["ddf"]), f=fmt_num(result["f"], 2),
                       p=p if p.startswith("<") else f"= {p}"))
    log.warn()
    return Table(out, caption=caption, notes=notes, numbers=pd.DataFrame(numbers), lang=lang,
                 disclosure=problem, style="count" if percent is None else "percent")
