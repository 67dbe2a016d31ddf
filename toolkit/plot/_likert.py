"""Diverging stacked bars of Likert items."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from toolkit.plot._common import (
    Lang,
    apply_fonts,
    check_lang,
    column_label,
    new_axes,
    require,
    table_of,
    value_labels,
    word,
)

__all__ = ["likert", "likert_levels", "likert_shares"]


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


def _wrap(text: str, width: int = 16) -> str:
    """Break a long label (e.g. a question's wording) onto lines of about `width` characters."""
    import textwrap
    import unicodedata

    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text) > len(text) / 2
    if len(text) <= (width if wide else 2 * width):
        return text
    if wide:
        return "\n".join(text[i:i + width] for i in range(0, len(text), width))
    return "\n".join(textwrap.wrap(text, 2 * width))


def likert_levels(frame: pd.DataFrame, items: Sequence[str]) -> tuple[list[Any], list[str]]:
    """Response levels shared by `items`, in scale order, and their labels.

    Ordered Categoricals give their categories; numeric codes take their labels
    from the codebook (``attrs["codebook"][item]["value_labels"]``), else the
    sorted codes themselves.

    Raises
    ------
    ValueError
        When the items do not share one response scale.
    TypeError
        For an unordered categorical without value labels, or a text column.
    """
    found: list[tuple[list[Any], list[str]]] = []
    book = frame.attrs.get("codebook") or {}
    for item in items:
        s = frame[item]
        if isinstance(s.dtype, pd.CategoricalDtype):
            if not s.cat.ordered:
                msg = (f"Item `{item}` is an unordered categorical, so its response order is "
                       "unknown. Make it ordered (`s.cat.as_ordered()`) with the categories "
                       "in scale order.")
                raise TypeError(msg)
            cats = list(s.cat.categories)
            found.append((cats, [str(c) for c in cats]))
        elif pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            labels = (book.get(item) or {}).get("value_labels") or {}
            if labels:
                codes = sorted(labels, key=float)
                found.append((codes, [str(labels[c]) for c in codes]))
            else:
                codes = sorted(pd.unique(s.dropna()).tolist())
                found.append((codes, [f"{c:g}" if isinstance(c, float) else str(c)
                                      for c in codes]))
        else:
            msg = (f"Item `{item}` holds {s.dtype} values; Likert items must be ordered "
                   "categoricals or numeric codes.")
            raise TypeError(msg)
    labels_seen = {tuple(lab) for _, lab in found}
    if len(labels_seen) > 1:
        if all(isinstance(c, int | float | np.integer | np.floating)
               for codes, _ in found for c in codes):
            union = sorted({c for codes, _ in found for c in codes})
            return union, [f"{c:g}" if isinstance(c, float) else str(c) for c in union]
        detail = "; ".join(f"`{it}`: {', '.join(lab)}" for it, (_, lab) in zip(items, found,
                                                                               strict=True))
        msg = ("The items do not share one response scale, so they cannot be drawn on one "
               f"axis: {detail}. Plot them separately.")
        raise ValueError(msg)
    return found[0]


def _positions(s: pd.Series, levels: list[Any], item: str,
               missing_codes: Mapping[Any, Any]) -> np.ndarray:
    """Position of each response among `levels` (float, NaN for missing)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        lookup = {v: i for i, v in enumerate(levels)}
        pos = s.astype(object).map(lambda v: lookup.get(v, np.nan) if pd.notna(v) else np.nan)
        return pos.to_numpy(dtype="float64")
    values = pd.to_numeric(s, errors="coerce").astype("float64")
    keyed = {float(v): i for i, v in enumerate(levels)}
    missing = {float(c) for c in missing_codes}
    unknown = sorted({v for v in values.dropna().unique() if v not in keyed and v not in missing})
    if unknown:
        msg = (f"Item `{item}` has codes {unknown} outside its response scale "
               f"{[float(v) for v in levels]}. Declare them as missing codes when reading "
               "(`missing_codes=`) or recode them.")
        raise ValueError(msg)
    return values.map(lambda v: keyed.get(v, np.nan)).to_numpy(dtype="float64")


def likert_shares(data: pd.DataFrame, *, items: Sequence[str], by: str | None = None,
                  weight: str | None = None) -> pd.DataFrame:
    """Weighted share of each response level per item (and group).

    Returns a frame with columns ``item``, ``group`` (when `by` is given),
    ``level``, ``share`` (0–1 of the non-missing answers) and ``n`` (non-missing
    answers, unweighted). The levels keep the scale order.

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 2, 2, 5], "q2": [5, 5, 4, np.nan]})
    >>> tk.plot.likert_shares(df, items=["q1", "q2"]).query("item == 'q1'")["share"].tolist()
    [0.25, 0.5, 0.0, 0.25]
    """
    frame = table_of(data, "survey")
    require(frame, *items, by, weight)
    levels, _ = likert_levels(frame, items)
    book = frame.attrs.get("codebook") or {}
    w_all = (pd.to_numeric(frame[weight], errors="coerce").to_numpy(dtype="float64")
             if weight else np.ones(len(frame)))
    if by is None:
        groups: list[tuple[Any, np.ndarray]] = [(None, np.arange(len(frame)))]
    else:
        key = frame[by]
        order = (list(key.cat.categories) if isinstance(key.dtype, pd.CategoricalDtype)
                 else sorted(key.dropna().unique().tolist()))
        groups = [(g, np.flatnonzero((key == g).to_numpy(dtype=bool, na_value=False)))
                  for g in order]
    rows = []
    for item in items:
        missing_codes = (book.get(item) or {}).get("missing_codes") or {}
        pos = _positions(frame[item], levels, item, missing_codes)
        for g, idx in groups:
            p, w = pos[idx], w_all[idx]
            ok = ~np.isnan(p) & ~np.isnan(w)
            counts = np.bincount(p[ok].astype(int), weights=w[ok], minlength=len(levels))
            total = counts.sum()
            shares = counts / total if total > 0 else np.full(len(levels), np.nan)
            for level, share in zip(levels, shares, strict=True):
                row = {"item": item, "level": level, "share": float(share), "n": int(ok.sum())}
                if by is not None:
                    row["group"] = g
                rows.append(row)
    cols = ["item", "group", "level", "share", "n"] if by else ["item", "level", "share", "n"]
    return pd.DataFrame(rows, columns=cols)


def likert(
    data: Any,
    *,
    items: Sequence[str],
    by: str | None = None,
    weight: str | None = None,
    labels: Mapping[str, str] | None = None,
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Axes:
    r"""Diverging stacked bars of Likert items, centred on the neutral answer.

    One bar per item (per item and group with `by`); the disagreeing levels
    extend to the left of zero and the agreeing ones to the right, the neutral
    level (odd scales) straddles zero.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        Survey responses (a Study's ``survey`` table is used).
    items : list of str
        Columns holding the items, all on one response scale: ordered
        Categoricals (categories in scale order) or numeric codes (labels from
        the codebook's ``value_labels``).
    by : str, optional
        Column to group by; one bar per item and group.
    weight : str, optional
        Column holding weights; shares are weighted.
    labels : dict, optional
        Item → label shown on the axis (default: the codebook label, else the
        column name).
    lang : {"zh", "en"}, default "zh"
        Language of labels.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.

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

    See Also
    --------
    likert_shares : the numbers drawn.

    Notes
    -----
    Share of level :math:`j` in a row is :math:`\sum_i w_i [x_i = j] / \sum_i w_i`
    over non-missing answers. Declared missing codes (codebook
    ``missing_codes``) are left out.

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
    """
    check_lang(lang)
    frame = table_of(data, "survey")
    shares = likert_shares(frame, items=items, by=by, weight=weight)
    levels, level_labels = likert_levels(frame, items)
    k = len(levels)
    keys = ["item", "group"] if by else ["item"]
    rows = shares.drop_duplicates(keys)[keys].to_dict("records")
    matrix = shares["share"].to_numpy(dtype="float64").reshape(len(rows), k) * 100

    labels = dict(labels or {})
    names = []
    for row in rows:
        name = labels.get(row["item"], column_label(row["item"], lang, frame))
        if by is not None:
            g = value_labels(by, [row["group"]], lang)[0]
            name = f"{name}（{g}）" if lang == "zh" else f"{name} ({g})"
        names.append(name)

    names = [_wrap(n) for n in names]
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
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=min(k, 7),
              frameon=False, handlelength=1.0, columnspacing=1.0)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return apply_fonts(ax, lang)
