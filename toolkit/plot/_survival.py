"""Kaplan–Meier figures: the curves ``tk.stats.km_curve`` estimates, with numbers at risk."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from toolkit._checks import Lang, check_lang, refuse_large, require_columns
from toolkit._docs import REMOVED_IN, doc, renamed
from toolkit.errors import ArgumentError
from toolkit.plot._common import (
    apply_fonts,
    display_labels,
    new_axes,
    refuse_personal_labels,
    word,
)
from toolkit.plot._style import OKABE_ITO
from toolkit.schema import column_label

__all__ = ["km_frame", "survival"]


def km_frame(data: pd.DataFrame, *, time: str, event: str, by: str | None = None,
             level: float = 0.95, alpha: float | None = None) -> pd.DataFrame:
    """Deprecated: use :func:`toolkit.stats.km_curve`, whose output this is.

    Kept for one release with the old layout: columns ``group`` (None without
    `by`), ``time``, ``survival``, ``ci_low``, ``ci_high``, ``at_risk``, ``n``
    (the group's size). ``alpha=`` is the old spelling of ``level = 1 - alpha``.

    Examples
    --------
    >>> import warnings
    >>> d = pd.DataFrame({"days": [5, 10, 10, 20], "done": [1, 1, 0, 1]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FutureWarning)
    ...     tk.plot.km_frame(d, time="days", event="done")["survival"].round(3).tolist()
    [1.0, 0.75, 0.5, 0.0]
    """
    from toolkit.stats.survival import km_curve

    warnings.warn(f"`tk.plot.km_frame` is deprecated and will be removed in {REMOVED_IN}; "
                  "use `tk.stats.km_curve(data, time=, event=, by=, level=)`.",
                  FutureWarning, stacklevel=2)
    if alpha is not None:
        warnings.warn(f"`alpha=` is deprecated and will be removed in {REMOVED_IN}; use "
                      f"`level=` (level = 1 - alpha = {1 - alpha:g}).", FutureWarning,
                      stacklevel=2)
        level = 1 - alpha
    km = km_curve(data, time=time, event=event, by=by, level=level)
    size = km.loc[km["time"].eq(0) & km["events"].eq(0)].drop_duplicates("group")
    km = km.assign(n=km["group"].map(dict(zip(size["group"], size["at_risk"], strict=True))))
    if by is None:
        km["group"] = None
    return km[["group", "time", "survival", "ci_low", "ci_high", "at_risk", "n"]]


@renamed(ci="band")
@doc
def survival(
    data: pd.DataFrame,
    *,
    time: str = "time",
    event: str | None = None,
    by: str | None = None,
    level: float = 0.95,
    band: bool = True,
    at_risk: bool | Sequence[float] = False,
    ylabel: str | None = None,
    lang: Lang = "zh",
    ax: Axes | None = None,
    allow_personal: bool = False,
) -> Axes:
    """Kaplan–Meier curves, e.g. days from session to implementation or from submission to response.

    Parameters
    ----------
    data : pandas.DataFrame
        Either curves estimated by ``tk.stats.km_curve`` (columns ``time,
        survival`` and optionally ``ci_low, ci_high, group``; the ``.km`` of
        ``tk.stats.sessions``/``submissions``), or one row per case with a
        duration column `time` and an `event` column (1/True = the event
        happened, 0/False = still open, censored), which are then given to
        ``tk.stats.km_curve``.
    time : str, default "time"
        Column of times (days).
    event : str, optional
        Column of event indicators; needed for one-row-per-case data.
    by : str, optional
        Column of groups, one curve each (``group`` is used for curve frames).
    level : float, default 0.95
        Confidence level of the band, for one-row-per-case data (curve frames
        carry their own limits).
    band : bool, default True
        Shade the pointwise confidence band (``ci=`` is the old spelling).
    at_risk : bool or list of float, default False
        Print the numbers at risk under the axes, at the x ticks (True) or at
        the given times; needs one-row-per-case data, as a curve frame lists
        the numbers at risk at event times only.
    ylabel : str, optional
        Label of the y axis (default: share without the event).
    {lang}
    {ax}
    allow_personal : bool, default False
        Label the curves (the legend) with values of a column that holds personal data (names,
        phone or ID-card numbers, as ``tk.io.find_personal`` finds them), for a
        figure that stays inside the project. Refused by default.

    Returns
    -------
    matplotlib.axes.Axes
        One step line per group (``ax.lines``), drawn through the points of
        ``tk.stats.km_curve``.

    Raises
    ------
    ArgumentError
        When the groups of `by` would show values of a personal column (unless
        ``allow_personal=True``).

    See Also
    --------
    toolkit.stats.km_curve : the estimates drawn.

    Examples
    --------
    >>> d = pd.DataFrame({"days": [5, 10, 12, 20, 3, 8], "done": [1, 1, 0, 1, 1, 1],
    ...                   "platform": ["微信群"] * 3 + ["居民议事会"] * 3})
    >>> ax = tk.plot.survival(d, time="days", event="done", by="platform", at_risk=True)
    >>> len(ax.lines)
    2
    """
    from toolkit.stats.survival import km_curve

    check_lang(lang)
    refuse_large(data, where="tk.plot.survival")
    rows = None
    if "survival" in data.columns:
        require_columns(data, {"time": time, "by": by})
        curves = data.rename(columns={time: "time"})
        group_col = by or ("group" if "group" in curves.columns else None)
        if at_risk is not False:
            msg = ("`at_risk=` needs one row per case (a `time` and an `event` column): a "
                   "curve frame holds the numbers at risk at event times only.")
            raise ArgumentError(msg)
    else:
        if event is None:
            msg = ("`event` is needed: `data` has no `survival` column, so it is read as one "
                   "row per case with a duration (`time`) and an event indicator (`event`).")
            raise ArgumentError(msg)
        curves = km_curve(data, time=time, event=event, by=by, level=level)
        group_col = "group" if by is not None else None
        rows = data
    ax = new_axes(ax, lang)
    parts = [(None, curves)] if group_col is None else list(
        curves.groupby(group_col, observed=True, sort=True))
    label_col = by or group_col
    if label_col is not None:
        refuse_personal_labels({label_col: [g for g, _ in parts]}, param="by",
                               where="tk.plot.survival", frame=rows if by else None,
                               allow_personal=allow_personal)
    colours = []
    for i, (g, part) in enumerate(parts):
        part = part.sort_values("time", kind="stable")
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        colours.append(colour)
        label = None if g is None else display_labels(label_col or "", [g], lang,
                                                      frame=rows)[0]
        ax.step(part["time"].to_numpy(dtype="float64"),
                part["survival"].to_numpy(dtype="float64"), where="post", color=colour,
                label=label)
        if band and {"ci_low", "ci_high"} <= set(part.columns):
            ax.fill_between(part["time"].to_numpy(dtype="float64"),
                            part["ci_low"].to_numpy(dtype="float64"),
                            part["ci_high"].to_numpy(dtype="float64"),
                            step="post", color=colour, alpha=0.18, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel(word("days", lang))
    ax.set_ylabel(ylabel or word("survival", lang))
    if group_col is not None and len(parts) > 1:
        ax.legend(title=column_label(label_col, lang) if label_col != "group" else None)
    apply_fonts(ax, lang)
    if rows is not None and at_risk is not False:
        _risk_table(ax, rows, time=time, event=event, by=by, groups=[g for g, _ in parts],
                    colours=colours, at=None if at_risk is True else at_risk, lang=lang)
    return apply_fonts(ax, lang)


def _risk_table(ax: Axes, rows: pd.DataFrame, *, time: str, event: str, by: str | None,
                groups: list, colours: list[str], at: Sequence[float] | None,
                lang: Lang) -> None:
    """Numbers still at risk (time >= t) at each tick, one line per group, under the axes."""
    frame = rows[[time, event] + ([by] if by else [])].dropna(subset=[time, event])
    ticks = np.asarray(at if at is not None else
                       [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]],
                       dtype=float)
    ax.set_xticks(ticks)
    # start under everything already drawn below the axes (tick labels, axis label)
    fig = ax.figure
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") \
        else fig._get_renderer()  # pragma: no cover - non-Agg canvases
    below = ax.get_window_extent(renderer).y0 - ax.get_tightbbox(renderer).y0
    first = -(max(0.0, below) * 72 / fig.dpi + 6)
    ax.annotate(word("at_risk", lang), xy=(0, 0), xycoords="axes fraction",
                xytext=(0, first), textcoords="offset points", ha="left", va="top",
                fontsize="small", annotation_clip=False, gid="at_risk_title")
    names = display_labels(by, groups, lang, frame=rows) if by is not None else []
    for i, (g, colour) in enumerate(zip(groups, colours, strict=True)):
        t = frame[time] if g is None else frame.loc[frame[by] == g, time]
        times = t.to_numpy(dtype="float64")
        if len(groups) > 1:  # which row is which group, left of the first number
            ax.annotate(names[i], xy=(0, 0), xycoords="axes fraction",
                        xytext=(-16, first - 12 - 11 * i), textcoords="offset points",
                        ha="right", va="top", color=colour, fontsize="small",
                        annotation_clip=False, gid="at_risk_group")
        for x in ticks:
            ax.annotate(str(int((times >= x).sum())), xy=(x, 0),
                        xycoords=("data", "axes fraction"), xytext=(0, first - 12 - 11 * i),
                        textcoords="offset points", ha="center", va="top", color=colour,
                        fontsize="small", annotation_clip=False, gid="at_risk")
