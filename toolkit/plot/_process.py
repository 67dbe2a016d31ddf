"""Figures of the consultation process: timeline, heatmap, coverage grid.

Kaplan–Meier curves are drawn by :mod:`toolkit.plot._survival`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch, Rectangle

from toolkit._checks import Lang, as_table, check_lang, is_study, refuse_large, require_columns
from toolkit._docs import doc
from toolkit.plot._common import (
    apply_fonts,
    display_labels,
    item_labels,
    legend_below,
    new_axes,
    refuse_personal_labels,
    top_levels,
    word,
)
from toolkit.plot._style import OKABE_ITO, font_family
from toolkit.schema import column_label

__all__ = ["coverage", "coverage_status", "heatmap", "timeline"]

_DERIVED = {"town", "community", "quarter", "month", "year"}
#: Columns holding place names, shown in pinyin in English figures.
_PLACES = {"town", "community", "town_name", "parent_name", "community_name"}


# ---------------------------------------------------------------------------
# timeline
# ---------------------------------------------------------------------------


@doc
def timeline(
    data: Any,
    *,
    date: str = "date",
    by: str | None = "platform",
    freq: str = "M",
    max_groups: int = 8,
    lang: Lang = "zh",
    ax: Axes | None = None,
    allow_personal: bool = False,
) -> Axes:
    """Sessions per month (or quarter, year) as stacked bars by platform.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        Sessions (a Study's ``sessions`` table is used).
    date : str, default "date"
        Column holding the session date.
    by : str or None, default "platform"
        Column whose values stack; None for one bar per period.
    freq : {"M", "Q", "Y"}, default "M"
        Period length.
    max_groups : int, default 8
        Largest number of stacked groups; the least frequent values are merged
        into 其他 / Other.
    {lang}
    {ax}
    allow_personal : bool, default False
        Label the stacked groups (the legend) with values of a column that
        holds personal data (names, phone or ID-card numbers, as
        ``tk.io.find_personal`` finds them), for a figure that stays inside the
        project. Refused by default.

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per group, one bar per period (empty periods included).

    Raises
    ------
    ArgumentError
        When the groups of `by` would show values of a personal column (unless
        ``allow_personal=True``).

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2023-01-05", "2023-01-20", "2023-03-02"]),
    ...                   "platform": ["微信群", "居民议事会", "微信群"]})
    >>> ax = tk.plot.timeline(s, lang="en")
    >>> len(ax.containers), len(ax.patches)
    (2, 6)
    >>> sorted(t.get_text() for t in ax.get_legend().get_texts())
    ["Residents' council", 'WeChat group']
    """
    check_lang(lang)
    frame = as_table(data, "sessions", where="tk.plot.timeline")
    require_columns(frame, {"date": date, "by": by})
    when = pd.to_datetime(frame[date], errors="coerce")
    periods = when.dt.to_period(freq)
    full = pd.period_range(periods.min(), periods.max(), freq=freq) if periods.notna().any() \
        else pd.PeriodIndex([], freq=freq)
    if by is None:
        counts = periods.value_counts().reindex(full, fill_value=0).to_frame("n")
        group_labels = [word("sessions", lang)]
    else:
        groups = frame[by]
        if isinstance(groups.dtype, pd.CategoricalDtype):
            groups = groups.astype(object)
        groups = top_levels(groups, max_groups, "\0other")
        counts = pd.crosstab(periods, groups).reindex(full, fill_value=0)
        order = counts.sum().sort_values(ascending=False).index.tolist()
        if "\0other" in order:
            order.remove("\0other")
            order.append("\0other")
        counts = counts[order]
        refuse_personal_labels({by: [g for g in order if g != "\0other"]}, param="by",
                               where="tk.plot.timeline", frame=frame,
                               allow_personal=allow_personal)
        named = display_labels(by, [g for g in order if g != "\0other"], lang, frame=frame,
                               place=by in _PLACES)
        group_labels = named + ([word("other", lang)] if "\0other" in order else [])
    ax = new_axes(ax, lang)
    x = np.arange(len(counts))
    bottom = np.zeros(len(counts))
    for j, label in enumerate(group_labels):
        heights = counts.iloc[:, j].to_numpy(dtype="float64")
        ax.bar(x, heights, bottom=bottom, width=0.85, label=label,
               color=OKABE_ITO[j % len(OKABE_ITO)], linewidth=0)
        bottom = bottom + heights
    step = max(1, int(np.ceil(len(x) / 12)))
    ax.set_xticks(x[::step], [str(p) for p in counts.index[::step]], rotation=45, ha="right")
    ax.set_ylabel(word("sessions", lang))
    ax.set_ylim(bottom=0)  # counts: bars start at zero
    if by is not None:
        ax.legend(title=column_label(by, lang), loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return apply_fonts(ax, lang)


# ---------------------------------------------------------------------------
# heatmap
# ---------------------------------------------------------------------------


def _units_of(data: Any, units: pd.DataFrame | None) -> pd.DataFrame | None:
    if units is not None:
        return units
    if is_study(data) and "units" in data.tables:
        return data.table("units")
    return None


def _english_names(units: pd.DataFrame | None, lang: Lang) -> dict[str, str]:
    """Place name → its English name from a ``name_en`` column of the units table (English only).

    Names without one are written in pinyin (:func:`toolkit.schema.english_name`).
    """
    if lang != "en" or units is None or not {"name", "name_en"} <= set(units.columns):
        return {}
    return {str(n): str(e) for n, e in zip(units["name"], units["name_en"], strict=True)
            if pd.notna(e) and str(e).strip()}


def _derive(frame: pd.DataFrame, column: str, units: pd.DataFrame | None,
            unit: str) -> pd.Series:
    """Values of a real or derived column (town, community, quarter, month, year)."""
    if column in frame.columns:
        return frame[column]
    if column in {"quarter", "month", "year"}:
        require_columns(frame, {column: "date"})
        freq = {"quarter": "Q", "month": "M", "year": "Y"}[column]
        return pd.to_datetime(frame["date"], errors="coerce").dt.to_period(freq).astype(str)
    if column in {"town", "community"}:
        require_columns(frame, {column: unit})
        if units is None:
            msg = (f"`{column}` needs the units table to look up names: pass a Study as "
                   "`data` or the table as `units=`.")
            raise ValueError(msg)
        indexed = units.set_index("unit_id")
        names = indexed["name"].astype(str)
        ids = frame[unit].astype(str)
        if column == "community":
            return ids.map(names).fillna(ids)
        return ids.map(_town_of(indexed)).map(names)
    require_columns(frame, {"row/col": column})
    return frame[column]  # pragma: no cover


def _town_of(units: pd.DataFrame) -> dict[str, str]:
    """Unit id → id of its town/street.

    A town maps to itself, a community or liaison station to its parent, a unit
    above the towns (sessions held at district level) to itself.
    """
    levels = units["level"].astype(str) if "level" in units.columns else None
    parents = units["parent_id"] if "parent_id" in units.columns else pd.Series(
        index=units.index, dtype=object)
    out = {}
    for uid in units.index:
        level = levels[uid] if levels is not None else None
        parent = parents[uid]
        if level == "镇街" or pd.isna(parent):
            out[str(uid)] = str(uid)
        elif level in {"村社区", "委员联络站"} or levels is None:
            out[str(uid)] = str(parent)
        else:
            out[str(uid)] = str(uid)
    return out


@doc
def heatmap(
    data: Any,
    *,
    row: str = "town",
    col: str = "platform",
    value: str | None = None,
    agg: str = "count",
    table: str = "sessions",
    units: pd.DataFrame | None = None,
    annotate: bool | None = None,
    lang: Lang = "zh",
    ax: Axes | None = None,
    allow_personal: bool = False,
) -> Axes:
    """Heatmap of counts (or a summary of `value`) by two columns.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        A table (a Study's `table` is used).
    row, col : str
        Columns for rows and columns. Besides real columns, ``"town"`` and
        ``"community"`` (names looked up from ``unit_id`` in the units table) and
        ``"quarter"``, ``"month"``, ``"year"`` (from ``date``) are understood:
        towns x platforms is ``row="town", col="platform"``, communities x
        quarters is ``row="community", col="quarter"``.
    value : str, optional
        Column to summarise; required unless ``agg="count"``.
    agg : {"count", "sum", "mean"}, default "count"
        Summary of each cell.
    table : str, default "sessions"
        Table of a Study to use.
    units : pandas.DataFrame, optional
        Units table, when `data` is a DataFrame and town/community names are needed.
    annotate : bool, optional
        Write the value in each cell (default: when there are at most 300 cells).
    lang : {"zh", "en"}, default "zh"
        Language of every word. In English, town and community names are the
        units table's ``name_en`` where given, else pinyin (``tk.schema.english_name``).
    {ax}
    allow_personal : bool, default False
        Label the rows or columns with values of a column that holds personal data (names,
        phone or ID-card numbers, as ``tk.io.find_personal`` finds them), for a
        figure that stays inside the project. Refused by default.

    Returns
    -------
    matplotlib.axes.Axes
        Holding one image (``ax.images[0]``) with the cell values as its array.

    Raises
    ------
    ArgumentError
        When the rows or columns would show values of a personal column (unless
        ``allow_personal=True``).

    Examples
    --------
    >>> s = pd.DataFrame({"unit_id": ["C1", "C1", "C2"],
    ...                   "platform": ["微信群", "微信群", "听证会"]})
    >>> u = pd.DataFrame({"unit_id": ["T1", "C1", "C2"], "name": ["东街道", "甲社区", "乙社区"],
    ...                   "parent_id": [None, "T1", "T1"]})
    >>> ax = tk.plot.heatmap(s, row="community", col="platform", units=u)
    >>> ax.images[0].get_array().tolist()
    [[1.0, 0.0], [0.0, 2.0]]
    """
    check_lang(lang)
    if agg not in {"count", "sum", "mean"}:
        msg = f'`agg` must be "count", "sum" or "mean", not {agg!r}.'
        raise ValueError(msg)
    frame = as_table(data, table, where="tk.plot.heatmap")
    units_frame = _units_of(data, units)
    r = _derive(frame, row, units_frame, "unit_id")
    c = _derive(frame, col, units_frame, "unit_id")
    if agg == "count":
        grid = pd.crosstab(r.astype(object), c.astype(object))
    else:
        if value is None:
            msg = f'`value` is needed with agg="{agg}".'
            raise ValueError(msg)
        require_columns(frame, {"value": value})
        vals = pd.to_numeric(frame[value].astype("Float64"), errors="coerce")
        grid = pd.crosstab(r.astype(object), c.astype(object), values=vals, aggfunc=agg)
    for axis in (0, 1):
        src = r if axis == 0 else c
        if isinstance(src.dtype, pd.CategoricalDtype):
            order = [v for v in src.cat.categories if v in grid.axes[axis]]
            grid = grid.reindex(order, axis=axis)
    grid = grid.astype("float64")
    refuse_personal_labels({name: list(labels) for name, labels in
                            ((row, grid.index), (col, grid.columns)) if name not in _DERIVED},
                           param="row/col", where="tk.plot.heatmap", frame=frame,
                           allow_personal=allow_personal)
    ax = new_axes(ax, lang, figsize=(6.3, max(2.5, 0.22 * len(grid) + 1.5)))
    image = ax.imshow(grid.to_numpy(), aspect="auto", cmap="cividis", interpolation="nearest")
    english = _english_names(units_frame, lang)
    ax.set_xticks(np.arange(grid.shape[1]),
                  display_labels(col, grid.columns, lang, place=col in _PLACES, given=english),
                  rotation=45, ha="right")
    ax.set_yticks(np.arange(grid.shape[0]),
                  display_labels(row, grid.index, lang, place=row in _PLACES, given=english))
    ax.set_xlabel(column_label(col, lang) if col not in _DERIVED else word(col, lang))
    ax.set_ylabel(column_label(row, lang) if row not in _DERIVED else word(row, lang))
    for spine in ax.spines.values():
        spine.set_visible(False)
    if annotate is None:
        annotate = grid.size <= 300
    if annotate:
        top = np.nanmax(grid.to_numpy()) if grid.size else 0
        for (i, j), v in np.ndenumerate(grid.to_numpy()):
            if np.isnan(v):
                continue
            text = f"{v:,.0f}" if agg != "mean" else f"{v:.2f}"
            ax.text(j, i, text, ha="center", va="center", fontsize=6.5,
                    color="black" if top and v > top * 0.6 else "white")
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(_cell_meaning(frame, table, agg, value, lang))
    bar.ax.tick_params(labelsize=7)
    bar.ax.yaxis.label.set_fontfamily(font_family(lang))
    return apply_fonts(ax, lang)


def _cell_meaning(frame: pd.DataFrame, table: str, agg: str, value: str | None,
                  lang: Lang) -> str:
    """What the colour of a heatmap cell means: 协商次数, 数量, or the sum or mean of `value`."""
    if agg == "count":
        return word("sessions" if table == "sessions" else "count", lang)
    name = item_labels([str(value)], lang, frame=frame)[0]
    key = "total" if agg == "sum" else "mean"
    return f"{name}{word(key, lang)}" if lang == "zh" else f"{word(key, lang)} {name}"


# ---------------------------------------------------------------------------
# coverage grid
# ---------------------------------------------------------------------------

_STATUS_COLOURS = {"covered": "#009E73", "no_member": "#D55E00", "no_room": "#E69F00",
                   "no_session": "#CC79A7", "several": "#000000", "unknown": "#BBBBBB"}
_TOWN_COLUMNS = ("town", "town_name", "parent_name", "parent_id", "town_id")


def coverage_status(data: Any, *, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """The communities drawn by :func:`coverage`: town label and status of each.

    Coverage is decided by :func:`toolkit.net.coverage`; this only reads its
    result (or a frame of the same flags) and names the row of each tile.

    Parameters
    ----------
    data : Study, Coverage or pandas.DataFrame
        A Study (``tk.net.coverage(study)`` is used), its result, or a frame
        with ``unit_id``, a town column (``town``, ``town_name``,
        ``parent_name``, ``parent_id`` or ``town_id``) and a ``status`` column
        or the gap flags ``no_member``, ``no_room``, ``no_session`` (or
        ``has_member`` …), whose status :func:`toolkit.net.overview.gap_status`
        gives.
    units : pandas.DataFrame, optional
        Units table, to show town ids by name.

    Returns
    -------
    pandas.DataFrame
        ``unit_id``, ``town``, the flags given, and ``status`` (``covered``,
        ``no_member``, ``no_room``, ``no_session``, ``several`` or
        ``unknown``: a flag not recorded leaves coverage undecided).

    Examples
    --------
    >>> f = pd.DataFrame({"unit_id": ["C1", "C2"], "town": ["东街道"] * 2,
    ...                   "has_room": [True, False], "has_session": [True, True]})
    >>> tk.plot.coverage_status(f)["status"].tolist()
    ['covered', 'no_room']
    """
    from toolkit.net.overview import GAPS, gap_status

    if is_study(data):
        from toolkit.net import coverage as net_coverage

        frame = net_coverage(data).to_frame()
    elif isinstance(data, pd.DataFrame):
        frame = data.copy()
    elif hasattr(data, "to_frame"):
        frame = data.to_frame()
    else:
        msg = (f"`data` must be a Study, the result of `tk.net.coverage` or a DataFrame, not "
               f"{type(data).__name__}.")
        raise TypeError(msg)
    require_columns(frame, {"data": "unit_id"}, where="the coverage table")
    flags = [c for c in (*GAPS, *("has_" + g.removeprefix("no_") for g in GAPS))
             if c in frame.columns]
    if "status" not in frame.columns:
        frame["status"] = gap_status(frame).to_numpy()
    town = next((c for c in _TOWN_COLUMNS if c in frame.columns), None)
    frame["town"] = frame[town].astype(str) if town else ""
    if units is not None and {"unit_id", "name"} <= set(units.columns):
        names = dict(zip(units["unit_id"].astype(str), units["name"].astype(str), strict=False))
        frame["town"] = frame["town"].map(lambda t: names.get(t, t))
    return frame[["unit_id", "town", *flags, "status"]].reset_index(drop=True)


@doc
def coverage(
    data: Any,
    *,
    units: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Axes:
    """Tile grid of communities by town, coloured by coverage (全覆盖).

    Each row is a town or street, each tile one of its villages/communities;
    green tiles are fully covered (a member or deputy assigned, a consultation
    room, at least one session), the other colours name the gap. What counts as
    covered is decided by :func:`toolkit.net.coverage`; the figure draws its
    result.

    Parameters
    ----------
    data : Study, Coverage or pandas.DataFrame
        A Study (drawn from ``tk.net.coverage(study)``), that result, or a
        coverage frame (see :func:`coverage_status`).
    units : pandas.DataFrame, optional
        Units table, to show town names instead of ids.
    labels : dict, optional
        Status → legend label.
    lang : {"zh", "en"}, default "zh"
        Language of every word. In English, town and community names are the
        units table's ``name_en`` where given, else pinyin (``tk.schema.english_name``).
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        One rectangle patch per community (its ``gid`` is the ``unit_id``);
        towns as y tick labels.

    Examples
    --------
    >>> f = pd.DataFrame({"unit_id": ["C1", "C2", "C3"], "town": ["东街道", "东街道", "西镇"],
    ...                   "has_room": [True, False, True]})
    >>> ax = tk.plot.coverage(f)
    >>> len(ax.patches), [t.get_text() for t in ax.get_yticklabels()]
    (3, ['东街道', '西镇'])
    """
    check_lang(lang)
    refuse_large(data, where="tk.plot.coverage")
    frame = coverage_status(data, units=units)
    towns = sorted(frame["town"].unique().tolist())
    widest = int(frame.groupby("town").size().max()) if len(frame) else 1
    ax = new_axes(ax, lang, figsize=(6.3, max(1.6, 0.28 * len(towns) + 1.1)))
    for i, town in enumerate(towns):
        part = frame[frame["town"] == town].sort_values("unit_id")
        for j, (unit, status) in enumerate(zip(part["unit_id"], part["status"], strict=True)):
            ax.add_patch(Rectangle((j, i - 0.42), 0.86, 0.84, facecolor=_STATUS_COLOURS[status],
                                   edgecolor="none", gid=str(unit)))
    ax.set_xlim(-0.3, widest + 0.2)
    ax.set_ylim(len(towns) - 0.5, -0.5)
    english = _english_names(_units_of(data, units), lang)
    ax.set_yticks(np.arange(len(towns)),
                  display_labels("town", towns, lang, place=True, given=english))
    ax.set_xticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(axis="y", length=0)
    labels = dict(labels or {})
    present = [s for s in _STATUS_COLOURS if s in set(frame["status"])]
    handles = [Patch(facecolor=_STATUS_COLOURS[s], label=labels.get(s, word(s, lang)))
               for s in present]
    legend_below(ax, lang, handles=handles, ncol=min(len(handles), 3), pad=2.0)
    return ax
