r"""Normalisation: bringing indicators onto a common scale, direction-aware.

Every method first reverses a negative indicator (less is better) by
multiplying it by −1, as COINr's ``Normalise()`` does, so that after
normalisation a higher value is always better. The formulas are COINr's
(``n_minmax``, ``n_zscore``, ``n_rank``, ``n_dist2targ``, ``n_goalposts``;
Becker et al., COINr 1.1) and the OECD/JRC Handbook's (2008, section 5):

=============  ==============================================================
method         value of unit *c* on indicator *q* (:math:`x' = d\,x`, *d* = ±1)
=============  ==============================================================
``minmax``     :math:`(x' - \min x')/(\max x' - \min x')\,(u - l) + l`, onto
               ``scale=(l, u)`` (default 0–100)
``zscore``     :math:`(x' - \bar x')/s_{x'}` (sample SD; mean 0, SD 1)
``rank``       rank of :math:`x'`, ties given the lowest rank (R ``rank(ties="min")``)
``target``     :math:`1 - (t' - x')/(t' - \min x')` with the target :math:`t' = d\,t`
               (COINr ``n_dist2targ``; ``cap=True`` caps at 1)
``goalposts``  :math:`(x - g_l)/(g_u - g_l)` for a positive and
               :math:`(g_u - x)/(g_u - g_l)` for a negative indicator, truncated to
               [0, 1], then onto ``scale`` (COINr ``n_goalposts``)
``ratio``      ratio to the mean ×100, :math:`100\,x/\bar x`; a negative indicator
               is reflected about the mean, :math:`200 - 100\,x/\bar x`
=============  ==============================================================

Missing values stay missing and are left out of the minimum, maximum, mean
and SD. An indicator with the same value for every unit cannot be normalised
(it carries no information) and is refused, by name.

Examples
--------
>>> df = pd.DataFrame({"id": ["a", "b", "c"], "x": [1.0, 2.0, 4.0], "y": [10, 30, 20]})
>>> tk.evaluate.normalise(df, directions={"x": "+", "y": "-"})
  id           x     y
0  a    0.000000  100.0
1  b   33.333333    0.0
2  c  100.000000   50.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from toolkit._checks import check_choice
from toolkit.errors import ArgumentError
from toolkit.evaluate._matrix import as_matrix, names_of, resolve_directions
from toolkit.evaluate.system import IndexSystem

__all__ = ["METHODS", "normalise", "normalise_matrix"]

#: Normalisation methods, in the order the documentation lists them.
METHODS = ("minmax", "zscore", "rank", "target", "goalposts", "ratio")


def _constant(x: np.ndarray, indicators: Sequence[str]) -> None:
    with np.errstate(invalid="ignore"):
        lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
    flat = [i for i, a, b in zip(indicators, lo, hi, strict=True) if not a < b]
    if flat:
        msg = (f"Indicator(s) {names_of(flat)} have the same value for every unit (or no "
               "values), so they carry no information and cannot be normalised. Leave them "
               "out of the index system.")
        raise ArgumentError(msg)


def _per_indicator(values: Any, indicators: Sequence[str], system: IndexSystem | None,
                   attr: str, param: str) -> list[Any]:
    given = dict(values.items()) if isinstance(values, Mapping | pd.Series) else {}
    if values is not None and not given:
        seq = list(values)
        if len(seq) != len(indicators):
            msg = (f"`{param}` has {len(seq)} values for {len(indicators)} indicators "
                   f"({names_of(indicators)}).")
            raise ArgumentError(msg)
        given = dict(zip(indicators, seq, strict=True))
    out, missing = [], []
    for name in indicators:
        value = given.get(name)
        if value is None and system is not None and name in system.nodes:
            value = getattr(system.node(name), attr)
        if value is None:
            missing.append(name)
        out.append(value)
    if missing:
        msg = (f"`{param}` gives no value for {names_of(missing)}; give one per indicator "
               f"(a dict keyed by indicator) or set `{attr}` in the index system.")
        raise ArgumentError(msg)
    return out


def normalise_matrix(
    x: np.ndarray,
    directions: np.ndarray,
    *,
    method: str = "minmax",
    scale: tuple[float, float] = (0.0, 100.0),
    targets: np.ndarray | None = None,
    goalposts: np.ndarray | None = None,
    cap: bool = False,
) -> np.ndarray:
    """Normalise the columns of an ``n × k`` float matrix (NaN for missing).

    The numerical kernel behind :func:`normalise`, shared with the Monte Carlo
    analysis; it does not check its input.

    Examples
    --------
    >>> normalise_matrix(np.array([[1.0], [3.0]]), np.array([-1])).ravel().tolist()
    [100.0, 0.0]
    """
    xd = x * directions
    lo, hi = scale
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "minmax":
            mn, mx = np.nanmin(xd, axis=0), np.nanmax(xd, axis=0)
            return (xd - mn) / (mx - mn) * (hi - lo) + lo
        if method == "zscore":
            return (xd - np.nanmean(xd, axis=0)) / np.nanstd(xd, axis=0, ddof=1)
        if method == "rank":
            return stats.rankdata(xd, axis=0, method="min", nan_policy="omit").astype(float)
        if method == "target":
            t = np.asarray(targets, dtype=float) * directions
            out = 1 - (t - xd) / (t - np.nanmin(xd, axis=0))
            return np.minimum(out, 1.0) if cap else out
        if method == "goalposts":
            gp = np.asarray(goalposts, dtype=float)
            gl, gu = gp[:, 0], gp[:, 1]
            pos = (x - gl) / (gu - gl)
            neg = (gu - x) / (gu - gl)
            out = np.where(directions > 0, pos, neg)
            out = np.clip(out, 0.0, 1.0)
            return np.where(np.isnan(x), np.nan, out * (hi - lo) + lo)
        if method == "ratio":
            ratio = 100 * x / np.nanmean(x, axis=0)
            return np.where(directions > 0, ratio, 200 - ratio)
        if method == "vector":
            return x / np.sqrt(np.nansum(x**2, axis=0))
    msg = f"Unknown normalisation {method!r}."
    raise ArgumentError(msg)


def normalise(
    data: pd.DataFrame,
    *,
    method: Literal["minmax", "zscore", "rank", "target", "goalposts", "ratio"] = "minmax",
    directions: Any = None,
    system: IndexSystem | None = None,
    indicators: Sequence[str] | None = None,
    scale: tuple[float, float] = (0.0, 100.0),
    targets: Mapping[str, float] | Sequence[float] | None = None,
    goalposts: Mapping[str, tuple[float, float]] | None = None,
    cap: bool = False,
) -> pd.DataFrame:
    r"""Normalise indicators onto a common scale, reversing negative ones.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit: identifier columns (kept as they are) and indicator
        columns.
    method : {"minmax", "zscore", "rank", "target", "goalposts", "ratio"}, default "minmax"
        See the table in the module documentation (COINr's definitions).
    directions : dict, Series or list, optional
        ``+``/``-`` (or 1/−1) per indicator; default the system's, else all ``+``.
    system : IndexSystem, optional
        Gives the indicators (its leaves), their directions, targets and goalposts.
    indicators : list of str, optional
        Indicator columns (default: the system's leaves, else every numeric column).
    scale : (float, float), default (0, 100)
        Lower and upper end for ``minmax`` and ``goalposts``.
    targets : dict or list, optional
        Target per indicator for ``method="target"`` (on the indicator's own
        scale; default the system's ``target`` entries).
    goalposts : dict of (low, high), optional
        Goalposts per indicator for ``method="goalposts"`` (default the system's).
    cap : bool, default False
        With ``method="target"``: cap scores above the target at 1.

    Returns
    -------
    pandas.DataFrame
        Same rows and columns; indicator columns normalised (floats).
        ``attrs["normalisation"]`` records the method and the directions.

    Raises
    ------
    ArgumentError
        An unknown method, a direction other than +/−, an indicator with no
        variation, or a missing target/goalpost — naming the indicator.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators:
    Methodology and User Guide*, section 5. Becker, W. et al. (2022). COINr:
    An R package for developing composite indicators. *Journal of Open Source
    Software* 7(78), 4567 (functions ``n_minmax``, ``n_zscore``, ``n_rank``,
    ``n_dist2targ``, ``n_goalposts``).

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 6.0]})
    >>> tk.evaluate.normalise(df, method="zscore").round(3)["x"].tolist()
    [-0.926, -0.463, 0.0, 1.389]
    >>> tk.evaluate.normalise(df, method="goalposts", goalposts={"x": (2, 4)})["x"].tolist()
    [0.0, 0.0, 50.0, 100.0]
    """
    check_choice(method, METHODS, param="method")
    m = as_matrix(data, indicators=indicators, system=system)
    dirs = resolve_directions(m.indicators, directions=directions, system=system)
    kwargs: dict[str, Any] = {}
    if method == "target":
        kwargs["targets"] = np.array(_per_indicator(targets, m.indicators, system, "target",
                                                    "targets"), dtype=float)
    elif method == "goalposts":
        posts = _per_indicator(goalposts, m.indicators, system, "goalposts", "goalposts")
        arr = np.array([tuple(map(float, p)) for p in posts], dtype=float)
        bad = [i for i, (a, b) in zip(m.indicators, arr, strict=True) if not a < b]
        if bad:
            msg = f"Goalposts must be (low, high) with low < high; not so for {names_of(bad)}."
            raise ArgumentError(msg)
        kwargs["goalposts"] = arr
    if method not in {"goalposts"}:
        _constant(m.x, m.indicators)
    out = normalise_matrix(m.x, dirs, method=method, scale=scale, cap=cap, **kwargs)
    frame = data.copy()
    for j, name in enumerate(m.indicators):
        frame[name] = out[:, j]
    frame.attrs["normalisation"] = {"method": method, "scale": tuple(scale),
                                    "directions": dict(zip(m.indicators, dirs.tolist(),
                                                           strict=True))}
    return frame
