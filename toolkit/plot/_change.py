"""Change between two waves: the mean change with its confidence interval, or the two means.

The change is drawn on an axis centred on zero, so its size is read against no change
and its uncertainty; the two means, when drawn, sit on an axis that starts at the
scale's floor (zero by default), so a small change does not look large.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.transforms import blended_transform_factory

from toolkit._checks import Lang, check_choice, check_lang, refuse_large, require_columns
from toolkit._docs import doc
from toolkit.errors import ArgumentError
from toolkit.plot._common import apply_fonts, item_labels, legend_below, new_axes, word

__all__ = ["change"]


@doc
def change(
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    kind: Literal["change", "means"] | None = None,
    scale: tuple[float, float] | None = None,
    level: float = 0.95,
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Axes:
    """Change between two waves: mean change with its CI, or a dumbbell of the two means.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per item with columns ``item``, ``mean_before``, ``mean_after``
        and, for ``kind="change"``, ``change``, ``ci_low``, ``ci_high``, as
        ``tk.stats.change`` returns.
    items : list of str, optional
        Items to show, in this order (default: all rows, in their order).
    labels : dict, optional
        Item → label (default: the codebook or schema label, else the item name).
    kind : {"change", "means"}, optional
        ``"change"``: the mean change (after − before) of each item with its
        confidence interval, on an axis centred on zero, the two means written
        beside it. ``"means"``: the mean before and after joined by a line, on
        an axis from the scale's floor. Default: ``"change"`` when `data` has
        the interval columns, else ``"means"``.
    scale : (float, float), optional
        Range of the response scale (e.g. ``(1, 5)``) for ``kind="means"``; the
        axis spans it. Default: from 0 (or the lowest mean, if negative).
    level : float, default 0.95
        Confidence level of the intervals in `data`, for the axis label.
    {lang}
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        ``kind="change"``: one error-bar container (``ax.containers[0]``) and a
        dashed line at zero. ``kind="means"``: one line collection (the
        dumbbells) and two point collections (before, after) in
        ``ax.collections``, with a legend under the axis label.

    Raises
    ------
    KeyError
        When `data` lacks the columns of a change table, or an item is unknown.
    ArgumentError
        For ``kind="change"`` without ``change``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> ch = pd.DataFrame({"item": ["q1", "q2"], "mean_before": [2.8, 3.1],
    ...                    "mean_after": [3.4, 3.0], "change": [0.6, -0.1],
    ...                    "ci_low": [0.3, -0.4], "ci_high": [0.9, 0.2]})
    >>> ax = tk.plot.change(ch)
    >>> ax.get_xlabel()
    '变化（后测−前测）及其95%置信区间'
    >>> ax = tk.plot.change(ch, kind="means", scale=(1, 5))
    >>> len(ax.collections), [float(x) for x in ax.get_xlim()]
    (3, [1.0, 5.0])
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['前测', '后测']
    """
    check_lang(lang)
    refuse_large(data, where="tk.plot.change")
    require_columns(data, {"data": ["item", "mean_before", "mean_after"]},
                    where="`data` (give the table of `tk.stats.change(...)`: one row per item "
                          "with mean_before and mean_after)")
    interval = {"change", "ci_low", "ci_high"} <= set(data.columns)
    if kind is None:
        kind = "change" if interval else "means"
    check_choice(kind, ["change", "means"], param="kind")
    if kind == "change" and not interval:
        msg = ("`kind=\"change\"` needs columns `change`, `ci_low`, `ci_high` (as "
               "`tk.stats.change` returns); use `kind=\"means\"` to draw the two means only.")
        raise ArgumentError(msg)
    frame = data.assign(item=data["item"].astype(str))
    if items is not None:
        unknown = [i for i in items if i not in set(frame["item"])]
        if unknown:
            msg = f"Item(s) {unknown} are not in `data`. Items: {frame['item'].tolist()}."
            raise KeyError(msg)
        frame = frame.set_index("item").loc[list(items)].reset_index()
    names = item_labels(frame["item"], lang, frame=data, given=labels)
    y = np.arange(len(frame))[::-1].astype(float)
    before = frame["mean_before"].to_numpy(dtype="float64")
    after = frame["mean_after"].to_numpy(dtype="float64")
    ax = new_axes(ax, lang, figsize=(6.3, max(1.6, 0.35 * len(frame) + 1.0)))
    if kind == "change":
        _draw_change(ax, frame, y, before, after, level=level, lang=lang)
    else:
        _draw_means(ax, y, before, after, scale=scale, lang=lang)
    ax.set_yticks(y, names)
    ax.tick_params(axis="y", length=0)
    if len(frame):
        ax.set_ylim(y.min() - 0.6, y.max() + 0.6)
    apply_fonts(ax, lang)
    if kind == "means":
        ax.set_xlabel(word("mean", lang))
        legend_below(ax, lang, ncol=2)
    return ax


def _draw_change(ax: Axes, frame: pd.DataFrame, y: np.ndarray, before: np.ndarray,
                 after: np.ndarray, *, level: float, lang: Lang) -> None:
    est = frame["change"].to_numpy(dtype="float64")
    lo = frame["ci_low"].to_numpy(dtype="float64")
    hi = frame["ci_high"].to_numpy(dtype="float64")
    ax.axvline(0.0, color="#666666", linewidth=0.8, linestyle="--", zorder=1)
    ax.errorbar(est, y, xerr=np.vstack([est - lo, hi - est]), fmt="o", color="#0072B2",
                markersize=4.5, capsize=2.5, linewidth=1.3, zorder=2)
    reach = np.nanmax(np.abs(np.concatenate([lo, hi, est]))) if len(frame) else 1.0
    reach = float(reach) * 1.15 if np.isfinite(reach) and reach > 0 else 1.0
    ax.set_xlim(-reach, reach)  # centred on no change
    pct = f"{level * 100:g}%"
    ax.set_xlabel(f"{word('change', lang)}及其{pct}置信区间" if lang == "zh" else
                  f"{word('change', lang)} with {pct} confidence interval")
    where = blended_transform_factory(ax.transAxes, ax.transData)
    head = (f"{word('before', lang)} → {word('after', lang)}" if lang == "zh" else
            f"{word('mean', lang)}: {word('before', lang).lower()} → "
            f"{word('after', lang).lower()}")
    top = (y.max() if len(y) else 0.0) + 0.6
    ax.text(1.02, top, head, transform=where, ha="left", va="bottom", fontsize="small",
            color="#444444")
    for yi, b, a in zip(y, before, after, strict=True):
        ax.text(1.02, yi, f"{b:.2f} → {a:.2f}", transform=where, ha="left", va="center",
                fontsize="small")


def _draw_means(ax: Axes, y: np.ndarray, before: np.ndarray, after: np.ndarray, *,
                scale: tuple[float, float] | None, lang: Lang) -> None:
    ax.hlines(y, np.minimum(before, after), np.maximum(before, after), color="#BBBBBB",
              linewidth=2.5, zorder=1)
    ax.scatter(before, y, color="#56B4E9", s=30, zorder=2, label=word("before", lang))
    ax.scatter(after, y, color="#D55E00", s=30, zorder=3, label=word("after", lang))
    if scale is not None:
        ax.set_xlim(float(scale[0]), float(scale[1]))
    else:
        low = min(0.0, float(np.nanmin(np.concatenate([before, after])))) if len(y) else 0.0
        ax.set_xlim(left=low)
