"""Diverging stacked bars of Likert items, drawn from the shares ``tk.stats.likert`` computes."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from toolkit._checks import Lang, as_table, check_lang, refuse_large, require_columns
from toolkit._docs import doc, renamed
from toolkit.errors import ArgumentError
from toolkit.plot._common import (
    display_labels,
    item_labels,
    legend_below,
    new_axes,
    refuse_personal_labels,
    word,
    wrap_label,
)

__all__ = ["likert", "likert_shares"]


def _diverging_colours(k: int) -> list[str]:
    """Colour-blind-safe diverging colours: vermillion/orange … grey … sky blue/blue."""
    neg = ["#D55E00", "#E69F00", "#F3C98B", "#F8E0BE"]
    pos = ["#0072B2", "#56B4E9", "#A6D3F0", "#CFE6F6"]
    half = k // 2
    if half > len(neg):  # long scales: interpolate between the strongest and weakest colours
        import matplotlib.colors as mcolors

        def ramp(a: str, b: str) -> list[str]:
            ca, cb = np.array(mcolors.to_rgb(a)), np.array(mcolors.to_rgb(b))
            return [mcolors.to_hex(ca + (cb - ca) * t) for t in np.linspace(0, 1, half)]

        left, right = ramp(neg[0], neg[-1]), ramp(pos[0], pos[-1])[::-1]
    else:
        left, right = neg[:half], pos[:half][::-1]
    middle = ["#BBBBBB"] if k % 2 else []
    return left + middle + right


def _scale(result: pd.DataFrame, items: Sequence[str]) -> tuple[list[float], list[str]]:
    """Response codes shared by `items` in a ``tk.stats.likert`` result, and their labels.

    Items with labels (value labels, categories) must have the same ones; items of
    bare numeric codes are drawn on the union of their codes.
    """
    levels = result.attrs.get("levels") or {}
    missing = [i for i in items if i not in levels]
    if missing:
        msg = (f"The Likert result has no response levels for {missing}; give the frame "
               "returned by `tk.stats.likert` (its `attrs['levels']` lists them).")
        raise ValueError(msg)
    scales = [([float(c) for c in levels[i]["codes"]], [_text(x) for x in levels[i]["labels"]])
              for i in items]
    first_codes, first_labels = scales[0]
    if all(codes == first_codes and lab == first_labels for codes, lab in scales):
        return first_codes, first_labels
    if all(lab == [_text(c) for c in codes] for codes, lab in scales):
        union = sorted({c for codes, _ in scales for c in codes})
        return union, [_text(c) for c in union]
    detail = "; ".join(f"`{it}`: {', '.join(lab)}" for it, (_, lab) in zip(items, scales,
                                                                           strict=True))
    msg = ("The items do not share one response scale, so they cannot be drawn on one "
           f"axis: {detail}. Plot them separately.")
    raise ValueError(msg)


def _text(value: Any) -> str:
    """A level label as shown: codes without a trailing ``.0``."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return f"{value:g}"
    return str(value)


def _share_column(code: float) -> str:
    """Column of ``tk.stats.likert`` holding the share of response `code`."""
    return f"p_{int(code)}" if float(code).is_integer() else f"p_{code}"


def _points(frame: pd.DataFrame, items: Sequence[str]) -> list[float] | None:
    """Response codes of the codebook's value labels, when every item has the same ones.

    Passed to ``tk.stats.likert`` so that a code outside the labelled scale (an
    undeclared 98) is refused rather than drawn as a response.
    """
    book = frame.attrs.get("codebook") or {}
    found = set()
    for item in items:
        entry = book.get(item) or {}
        labels, missing = entry.get("value_labels") or {}, entry.get("missing_codes") or {}
        if not labels or not pd.api.types.is_numeric_dtype(frame[item].dtype):
            return None
        found.add(tuple(sorted(float(c) for c in labels if c not in missing)))
    return list(found.pop()) if len(found) == 1 else None


def _is_likert_result(data: Any) -> bool:
    return (isinstance(data, pd.DataFrame) and "item" in data.columns
            and isinstance(data.attrs.get("levels"), dict))


def _likert_result(data: Any, items: Sequence[str] | None, by: str | None,
                   weights: str | None) -> tuple[pd.DataFrame, list[str], pd.DataFrame | None]:
    """The ``tk.stats.likert`` result to draw, its items, and the survey table (if given)."""
    if _is_likert_result(data):
        order = list(pd.unique(data["item"]))
        chosen = list(items) if items is not None else order
        unknown = [i for i in chosen if i not in order]
        if unknown:
            msg = f"Item(s) {unknown} are not in the Likert result; it holds {order}."
            raise KeyError(msg)
        return data[data["item"].isin(chosen)], chosen, None
    if items is None:
        msg = "`items` is needed: name the columns holding the Likert items."
        raise ArgumentError(msg)
    from toolkit.stats import Design
    from toolkit.stats import likert as likert_summary

    frame = as_table(data, "survey", where="tk.plot.likert")
    require_columns(frame, {"items": list(items), "by": by, "weights": weights})
    design = Design(frame, weights=weights) if weights is not None else None
    result = likert_summary(frame, items=list(items), by=by, design=design,
                            points=_points(frame, items))
    return result, list(items), frame


@renamed(weight="weights")
def likert_shares(data: Any, *, items: Sequence[str], by: str | None = None,
                  weights: str | None = None) -> pd.DataFrame:
    """Weighted share of each response level per item (and group), one row per level.

    .. deprecated:: 0.2
        Use :func:`toolkit.stats.likert`, which computes these shares (its
        ``p_<code>`` columns) with the mean, top-box shares and agreement
        indices; this function only reshapes its result and will be removed in 0.3.

    Returns a frame with columns ``item``, ``group`` (when `by` is given),
    ``level``, ``share`` (0–1 of the non-missing answers) and ``n`` (non-missing
    answers, unweighted). The levels keep the scale order.

    Examples
    --------
    >>> import warnings
    >>> df = pd.DataFrame({"q1": [1, 2, 2, 5], "q2": [5, 5, 4, np.nan]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FutureWarning)
    ...     shares = tk.plot.likert_shares(df, items=["q1", "q2"])
    >>> shares.query("item == 'q1'")["share"].tolist()
    [0.25, 0.5, 0.0, 0.0, 0.25]
    """
    warnings.warn("`tk.plot.likert_shares` is deprecated and will be removed in 0.3; use "
                  "`tk.stats.likert(data, items=..., by=..., design=tk.stats.Design(data, "
                  "weights=...))`, whose `p_<code>` columns hold the shares.", FutureWarning,
                  stacklevel=2)
    result, items, _ = _likert_result(data, items, by, weights)
    levels = result.attrs["levels"]
    rows = []
    for record in result.to_dict("records"):
        item = record["item"]
        for code, label in zip(levels[item]["codes"], levels[item]["labels"], strict=True):
            row = {"item": item, "level": label, "share": float(record[_share_column(code)]),
                   "n": int(record["n"])}
            if by is not None:
                row["group"] = record[by]
            rows.append(row)
    cols = ["item", "group", "level", "share", "n"] if by else ["item", "level", "share", "n"]
    return pd.DataFrame(rows, columns=cols)


@renamed(weight="weights")
@doc
def likert(
    data: Any,
    *,
    items: Sequence[str] | None = None,
    by: str | None = None,
    weights: str | None = None,
    labels: Mapping[str, str] | None = None,
    lang: Lang = "zh",
    ax: Axes | None = None,
    allow_personal: bool = False,
) -> Axes:
    r"""Diverging stacked bars of Likert items, centred on the neutral answer.

    One bar per item (per item and group with `by`); the disagreeing levels
    extend to the left of zero and the agreeing ones to the right, the neutral
    level (odd scales) straddles zero. The shares drawn are those of
    :func:`toolkit.stats.likert`.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        Survey responses (a Study's ``survey`` table is used), or the result of
        ``tk.stats.likert`` (drawn as it is; `by` then names its group column).
    items : list of str
        Columns holding the items, all on one response scale: ordered
        Categoricals (categories in scale order) or numeric codes (labels from
        the codebook's ``value_labels``). Optional for a ``tk.stats.likert``
        result (default: all its items).
    by : str, optional
        Column to group by; one bar per item and group.
    weights : str, optional
        Column of sampling weights; shares are weighted (through
        ``tk.stats.Design(data, weights=weights)``). ``weight=`` is the
        deprecated spelling.
    labels : dict, optional
        Item → label shown on the axis (default: the codebook label, else the
        column name).
    {lang}
    {ax}
    allow_personal : bool, default False
        Label the bars (groups of `by`) with values of a column that holds personal data (names,
        phone or ID-card numbers, as ``tk.io.find_personal`` finds them), for a
        figure that stays inside the project. Refused by default.

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per response level, each with one bar per row.

    Raises
    ------
    ColumnNotFoundError
        When a named column is missing.
    ValueError
        When items do not share a scale, or hold codes outside it.
    DesignError
        When `weights` has missing, zero or negative values.
    ArgumentError
        When the groups of `by` would show values of a personal column (unless
        ``allow_personal=True``).

    See Also
    --------
    toolkit.stats.likert : the shares drawn, with means and top-box shares.

    Notes
    -----
    Share of level :math:`j` in a row is :math:`\sum_i w_i [x_i = j] / \sum_i w_i`
    over non-missing answers (``tk.stats.likert``).

    References
    ----------
    Robbins, N. B. & Heiberger, R. M. (2011). Plotting Likert and other rating
    scales. Proceedings of the Survey Research Methods Section, ASA.

    Examples
    --------
    >>> cats = ["很不满意", "不满意", "一般", "满意", "很满意"]
    >>> def item(values):
    ...     return pd.Categorical(values, categories=cats, ordered=True)
    >>> df = pd.DataFrame({"q1": item(["满意", "一般", "很满意", "不满意"]),
    ...                    "q2": item(["满意", "满意", "一般", "很不满意"])})
    >>> ax = tk.plot.likert(df, items=["q1", "q2"])
    >>> len(ax.containers), len(ax.patches)
    (5, 10)

    The same figure from the summary of ``tk.stats.likert``:

    >>> ax = tk.plot.likert(tk.stats.likert(df, items=["q1", "q2"]))
    >>> len(ax.patches)
    10
    """
    check_lang(lang)
    refuse_large(data, where="tk.plot.likert")
    result, items, frame = _likert_result(data, items, by, weights)
    codes, level_labels = _scale(result, items)
    k = len(codes)
    share_cols = [_share_column(c) for c in codes]
    rows = result.reindex(columns=["item", *([by] if by else []), *share_cols])
    rows = pd.concat([rows[rows["item"] == i] for i in items], ignore_index=True)
    matrix = rows[share_cols].to_numpy(dtype="float64") * 100
    if not len(rows):
        matrix = np.zeros((0, k))

    item_names = dict(zip(items, item_labels(items, lang, frame=frame, given=labels),
                          strict=True))
    groups = {}
    if by is not None:
        values = list(pd.unique(rows[by]))
        refuse_personal_labels({by: values}, param="by", where="tk.plot.likert",
                               frame=frame, allow_personal=allow_personal)
        groups = dict(zip(values, display_labels(by, values, lang, frame=frame), strict=True))
    names = []
    for row in rows.to_dict("records"):
        name = item_names[row["item"]]
        if by is not None:
            g = groups[row[by]]
            name = f"{name}（{g}）" if lang == "zh" else f"{name} ({g})"
        names.append(name)
    level_labels = display_labels(items[0], level_labels, lang, frame=frame)
    names = [wrap_label(n) for n in names]
    half = k // 2
    neg = matrix[:, :half].sum(axis=1)
    mid = matrix[:, half] / 2 if k % 2 else np.zeros(len(rows))
    left = -(neg + mid)
    y = np.arange(len(rows))[::-1].astype(float)

    ax = new_axes(ax, lang, figsize=(6.3, max(1.6, 0.35 * len(rows) + 1.2)))
    colours = _diverging_colours(k)
    start = np.nan_to_num(left)
    for j in range(k):
        width = np.nan_to_num(matrix[:, j])
        ax.barh(y, width, left=start, height=0.7, color=colours[j], label=level_labels[j],
                edgecolor="white", linewidth=0.5)
        start = start + width
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(y, names)
    ax.set_xlabel(word("percent", lang))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0f}"))
    lim = float(np.nanmax(np.abs(np.concatenate([left, left + matrix.sum(axis=1)])))) \
        if len(rows) else 50.0
    ax.set_xlim(-max(lim, 5) * 1.05, max(lim, 5) * 1.05)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    legend_below(ax, lang, ncol=min(k, 7 if lang == "zh" else 3), handlelength=1.0,
                 columnspacing=1.0)
    return ax
