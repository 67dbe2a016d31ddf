"""Dumbbell chart of change between two waves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from toolkit._checks import Lang, check_lang, require_columns
from toolkit.plot._common import apply_fonts, new_axes, word
from toolkit.schema import column_label

__all__ = ["change"]


def change(
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Axes:
    """Dumbbell chart: mean before and after for each item, joined by a line.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per item with columns ``item``, ``mean_before``, ``mean_after``,
        as ``tk.stats.change`` returns.
    items : list of str, optional
        Items to show, in this order (default: all rows, in their order).
    labels : dict, optional
        Item → label (default: the item name, or its schema label).
    lang : {"zh", "en"}, default "zh"
        Language of labels.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        One line collection (the dumbbells) and two point collections (before,
        after) in ``ax.collections``.

    Raises
    ------
    KeyError
        When `data` lacks the columns of a change table, or an item is unknown.

    Examples
    --------
    >>> ch = pd.DataFrame({"item": ["q1", "q2"], "mean_before": [2.8, 3.1],
    ...                    "mean_after": [3.4, 3.0]})
    >>> ax = tk.plot.change(ch)
    >>> len(ax.collections), [t.get_text() for t in ax.get_legend().get_texts()]
    (3, ['前测', '后测'])
    """
    check_lang(lang)
    require_columns(data, {"data": ["item", "mean_before", "mean_after"]},
                    where="`data` (give the table of `tk.stats.change(...)`: one row per item "
                          "with mean_before and mean_after)")
    frame = data.assign(item=data["item"].astype(str))
    if items is not None:
        unknown = [i for i in items if i not in set(frame["item"])]
        if unknown:
            msg = f"Item(s) {unknown} are not in `data`. Items: {frame['item'].tolist()}."
            raise KeyError(msg)
        frame = frame.set_index("item").loc[list(items)].reset_index()
    labels = dict(labels or {})
    names = [labels.get(i, column_label(i, lang)) for i in frame["item"]]
    y = np.arange(len(frame))[::-1].astype(float)
    before = frame["mean_before"].to_numpy(dtype="float64")
    after = frame["mean_after"].to_numpy(dtype="float64")
    ax = new_axes(ax, lang, figsize=(6.3, max(1.6, 0.35 * len(frame) + 1.0)))
    ax.hlines(y, np.minimum(before, after), np.maximum(before, after), color="#BBBBBB",
              linewidth=2.5, zorder=1)
    ax.scatter(before, y, color="#56B4E9", s=30, zorder=2, label=word("before", lang))
    ax.scatter(after, y, color="#D55E00", s=30, zorder=3, label=word("after", lang))
    ax.set_yticks(y, names)
    ax.set_xlabel(word("mean", lang))
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    return apply_fonts(ax, lang)
