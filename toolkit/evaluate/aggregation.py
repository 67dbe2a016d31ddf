r"""Aggregation: weighted arithmetic and geometric means up the tree, and TOPSIS.

Hierarchical aggregation (COINr ``Aggregate``) scores every node from its
children, level by level (indicators → sub-pillars → pillars → index), with
the children's weights :math:`w_c` (siblings sum to 1):

- arithmetic (COINr ``a_amean``): :math:`s = \sum_c w_c s_c / \sum_{c\,\text{avail}} w_c`;
- geometric (COINr ``a_gmean``):
  :math:`s = \exp\big(\sum_c w_c \ln s_c / \sum_{c\,\text{avail}} w_c\big)`,
  which needs positive values (normalise onto e.g. ``scale=(1, 100)``).

A missing child is left out and the weights of the others are rescaled
(COINr's ``na.rm``); a node with no child available is missing.

TOPSIS (Hwang & Yoon 1981) ranks by the relative closeness
:math:`C_i = D_i^- / (D_i^+ + D_i^-)` to the ideal solution, where
:math:`D_i^{\pm} = \sqrt{\sum_j (v_{ij} - v_j^{\pm})^2}` and
:math:`v_{ij} = w_j r_{ij}` with :math:`r_{ij} = x_{ij}/\sqrt{\sum_i x_{ij}^2}`
(vector normalisation); the ideal :math:`v_j^+` is the best value
(largest for a positive, smallest for a negative indicator), :math:`v_j^-` the
worst.

Examples
--------
>>> df = pd.DataFrame({"id": ["a", "b"], "x": [20.0, 80.0], "y": [60.0, 40.0]})
>>> tk.evaluate.aggregate(df, weights={"x": 0.25, "y": 0.75})
  id  index
0  a   50.0
1  b   50.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from toolkit._checks import check_choice
from toolkit.errors import ArgumentError
from toolkit.evaluate._matrix import as_matrix, match_weights, names_of, resolve_directions
from toolkit.evaluate.system import IndexSystem
from toolkit.evaluate.weighting import local_from_global

__all__ = ["METHODS", "Plan", "aggregate", "rank_scores", "topsis"]

#: Aggregation methods of :func:`aggregate` (TOPSIS is :func:`topsis`).
METHODS = ("arithmetic", "geometric")
ROOT = "index"


@dataclass
class Plan:
    """The tree as arrays: node order, children of each node, leaf columns."""

    nodes: list[str]
    leaves: list[str]
    children: dict[str, list[str]]
    paths: list[list[int]]

    @classmethod
    def of(cls, system: IndexSystem, leaves: Sequence[str]) -> Plan:
        """Plan of `system` whose leaves are the columns `leaves` (in that order)."""
        children = {ROOT: system.children(None)}
        for code in system.nodes:
            kids = system.children(code)
            if kids:
                children[code] = kids
        nodes = list(system.nodes)
        pos = {c: i for i, c in enumerate(nodes)}
        paths = [[pos[c] for c in system.path(leaf)] for leaf in leaves]
        return cls(nodes=nodes, leaves=list(leaves), children=children, paths=paths)

    def global_weights(self, local: np.ndarray) -> np.ndarray:
        """Leaf weights in the whole index (k × R): products of local weights down the tree."""
        g = np.ones((len(self.leaves), local.shape[1]))
        for j, path in enumerate(self.paths):
            for i in path:
                g[j] *= local[i]
        return g

    def internal(self) -> list[str]:
        """Internal nodes (and the index) in post-order: children before parents."""
        out: list[str] = []

        def visit(code: str) -> None:
            for c in self.children.get(code, []):
                visit(c)
            if code in self.children:
                out.append(code)

        visit(ROOT)
        return out


def local_weight_vector(system: IndexSystem, weights: Any) -> dict[str, float]:
    """Local weight of every node from what the caller gave.

    `weights`: None (the system's, equal where none); a frame from
    :func:`toolkit.evaluate.weights` (its ``weight`` column) or any frame with
    ``indicator, weight``; a dict or Series. Naming every node gives local
    weights; naming exactly the leaves gives global leaf weights (they are
    scaled to sum to 1 and passed up the tree).
    """
    if weights is None:
        return system.local_weights()
    if isinstance(weights, pd.DataFrame):
        if "indicator" not in weights.columns or "weight" not in weights.columns:
            msg = "`weights` as a table needs the columns `indicator` and `weight`."
            raise ArgumentError(msg)
        if set(weights["indicator"].astype(str)) >= set(system.nodes):
            frame = weights[weights["indicator"].astype(str).isin(set(system.nodes))]
            mapping = dict(zip(frame["indicator"].astype(str), frame["weight"].astype(float),
                               strict=True))
            return system.with_weights(mapping).local_weights()
        weights = pd.Series(weights["weight"].to_numpy(float),
                            index=weights["indicator"].astype(str))
    if isinstance(weights, Mapping | pd.Series):
        keys = {str(k) for k in (weights.keys() if isinstance(weights, Mapping)
                                 else weights.index)}
        if keys >= set(system.nodes) and len(system.nodes) > len(system.leaves):
            mapping = {str(k): float(v) for k, v in dict(weights).items()
                       if str(k) in system.nodes}
            return system.with_weights(mapping).local_weights()
    g = match_weights(weights, system.leaves)
    return local_from_global(system, dict(zip(system.leaves, g.tolist(), strict=True)))


def tree_scores(
    x: np.ndarray,
    plan: Plan,
    local: np.ndarray,
    *,
    method: str = "arithmetic",
    keep: bool = False,
) -> dict[str, np.ndarray]:
    """Scores of the internal nodes for ``R`` weight vectors at once.

    Parameters
    ----------
    x : ndarray, n × k
        Normalised leaf values (NaN missing), columns in ``plan.leaves`` order.
    local : ndarray, nodes × R
        Local weight of every node (rows in ``plan.nodes`` order) for each of the
        R weightings.
    method : {"arithmetic", "geometric"}
    keep : bool
        Return every internal node's scores (else only the index).

    Returns
    -------
    dict of str to ndarray (n × R)
    """
    index = {c: i for i, c in enumerate(plan.nodes)}
    col = {c: j for j, c in enumerate(plan.leaves)}
    geometric = method == "geometric"
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.log(x) if geometric else x
    avail = ~np.isnan(base)
    if not keep and avail.all():
        # Complete data: siblings' weights sum to 1, so the tree is linear in the leaves
        # (in their logs for the geometric mean): one product with the global weights.
        score = base @ plan.global_weights(local)
        return {ROOT: np.exp(score) if geometric else score}
    filled = np.where(avail, base, 0.0)
    done: dict[str, np.ndarray] = {}
    out: dict[str, np.ndarray] = {}
    for node in plan.internal():
        kids = plan.children[node]
        leaf_kids = [c for c in kids if c in col]
        inner = [c for c in kids if c not in col]
        r = local.shape[1]
        num = np.zeros((x.shape[0], r))
        den = np.zeros((x.shape[0], r))
        if leaf_kids:
            cols = [col[c] for c in leaf_kids]
            w = local[[index[c] for c in leaf_kids]]
            num += filled[:, cols] @ w
            den += avail[:, cols].astype(float) @ w
        for c in inner:
            s = done.pop(c)
            w = local[index[c]]
            ok = ~np.isnan(s)
            num += np.where(ok, s, 0.0) * w
            den += ok * w
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(den > 0, num / den, np.nan)
        done[node] = score
        if keep:
            out[node] = np.exp(score) if geometric else score
    if not keep:
        out[ROOT] = np.exp(done[ROOT]) if geometric else done[ROOT]
    return out


def rank_scores(scores: np.ndarray) -> np.ndarray:
    """Ranks (1 = highest score; ties share the best rank; missing stays missing) per column.

    Examples
    --------
    >>> rank_scores(np.array([[3.0], [5.0], [3.0], [np.nan]])).ravel().tolist()
    [2.0, 1.0, 2.0, nan]
    """
    values = np.asarray(scores, dtype=float)
    neg = np.ascontiguousarray(-values.T)  # replications × units: sort along rows
    missing = np.isnan(neg)
    neg[missing] = np.inf
    order = np.argsort(neg, axis=1)  # ties get the same (lowest) rank below: no need for stable
    ordered = np.take_along_axis(neg, order, axis=1)
    first = np.ones(ordered.shape, dtype=bool)
    first[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    position = np.where(first, np.arange(1, neg.shape[1] + 1), 0)
    np.maximum.accumulate(position, axis=1, out=position)
    ranks = np.empty(neg.shape, dtype=float)
    np.put_along_axis(ranks, order, position.astype(float), axis=1)
    ranks[missing] = np.nan
    return ranks.T


def _positive(x: np.ndarray, indicators: Sequence[str]) -> None:
    bad = [i for j, i in enumerate(indicators) if (x[:, j] <= 0).any()]
    if bad:
        msg = (f"Geometric aggregation needs positive values; {names_of(bad)} have values of 0 "
               "or below. Normalise onto a positive scale, e.g. "
               "`tk.evaluate.normalise(data, scale=(1, 100))`.")
        raise ArgumentError(msg)


def aggregate(
    data: pd.DataFrame,
    *,
    system: IndexSystem | None = None,
    weights: Any = None,
    method: Literal["arithmetic", "geometric"] = "arithmetic",
    indicators: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Aggregate normalised indicators up the index system into pillar scores and the index.

    Parameters
    ----------
    data : pandas.DataFrame
        Normalised indicators (:func:`toolkit.evaluate.normalise`), one row per unit.
    system : IndexSystem, optional
        The tree (default one flat level of the indicator columns).
    weights : DataFrame, dict or list, optional
        Weights from :func:`toolkit.evaluate.weights` (or :func:`ahp`,
        :func:`expert_weights`), or a dict/list: local weights of every node, or
        global weights of the leaves. Default: the system's (equal where none).
    method : {"arithmetic", "geometric"}, default "arithmetic"
        Weighted arithmetic or geometric mean at every level.
    indicators : list of str, optional
        Indicator columns (default the system's leaves, else every numeric column).

    Returns
    -------
    pandas.DataFrame
        The identifier columns, one column per internal node of the tree
        (sub-pillars, pillars) and ``index``.

    Raises
    ------
    ArgumentError
        Weights of the wrong length or naming unknown indicators; non-positive
        values with ``method="geometric"`` — naming the indicators.

    References
    ----------
    Becker, W. et al. (2022), COINr (``a_amean``, ``a_gmean``); OECD/JRC (2008),
    *Handbook on Constructing Composite Indicators*, section 6.2.

    Examples
    --------
    >>> s = tk.evaluate.IndexSystem({"indicators": [
    ...     {"indicator": "A", "weight": 0.5, "children": [{"indicator": "a1"},
    ...                                                   {"indicator": "a2"}]},
    ...     {"indicator": "B", "weight": 0.5, "children": [{"indicator": "b1"}]}]})
    >>> df = pd.DataFrame({"id": ["u1", "u2"], "a1": [10.0, 90.0], "a2": [30.0, np.nan],
    ...                    "b1": [100.0, 20.0]})
    >>> tk.evaluate.aggregate(df, system=s)
       id     A      B  index
    0  u1  20.0  100.0   60.0
    1  u2  90.0   20.0   55.0
    """
    check_choice(method, METHODS, param="method")
    m = as_matrix(data, indicators=indicators, system=system)
    if system is None:
        system = IndexSystem.flat(m.indicators)
    if method == "geometric":
        _positive(np.nan_to_num(m.x, nan=1.0), m.indicators)
    local = local_weight_vector(system, weights)
    plan = Plan.of(system, m.indicators)
    w = np.array([[local[c]] for c in plan.nodes])
    scores = tree_scores(m.x, plan, w, method=method, keep=True)
    out = m.ids.copy()
    for node in [c for c in system.nodes if c in scores] + [ROOT]:
        out[node] = scores[node][:, 0]
    out.attrs["aggregation"] = {"method": method, "weights": local}
    return out


def topsis_matrix(
    r: np.ndarray,
    g: np.ndarray,
    directions: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TOPSIS distances and closeness for ``R`` weight vectors at once.

    `r` is the normalised n × k matrix (no missing values), `g` the k × R
    weights, `directions` ±1 per column. Returns D+, D− and C (each n × R).
    """
    best = np.where(directions > 0, r.max(axis=0), r.min(axis=0))
    worst = np.where(directions > 0, r.min(axis=0), r.max(axis=0))
    d_plus = np.sqrt(((r - best) ** 2) @ (g**2))
    d_minus = np.sqrt(((r - worst) ** 2) @ (g**2))
    with np.errstate(invalid="ignore", divide="ignore"):
        closeness = d_minus / (d_plus + d_minus)
    return d_plus, d_minus, closeness


def topsis(
    data: pd.DataFrame,
    *,
    weights: Any = None,
    directions: Any = None,
    system: IndexSystem | None = None,
    indicators: Sequence[str] | None = None,
    normalisation: Literal["vector", "minmax"] | None = "vector",
) -> pd.DataFrame:
    r"""Rank units by TOPSIS: relative closeness to the ideal solution (Hwang & Yoon 1981).

    Parameters
    ----------
    data : pandas.DataFrame
        Raw indicators, one row per unit (no missing values: impute first).
    weights : list, dict, Series or DataFrame, optional
        A weight per indicator (scaled to sum to 1), or a frame from
        :func:`toolkit.evaluate.weights` (its global weights). Default: the
        system's global weights, else equal.
    directions : dict, Series or list, optional
        ``+``/``-`` per indicator (default the system's, else all ``+``).
    system : IndexSystem, optional
        Gives the indicators, directions and weights.
    indicators : list of str, optional
        Indicator columns (default the system's leaves, else every numeric column).
    normalisation : {"vector", "minmax"} or None, default "vector"
        ``vector``: :math:`x/\sqrt{\sum x^2}` (Hwang & Yoon); ``minmax``:
        direction-aware min–max onto [0, 1] (every indicator then positive);
        None: the data as given.

    Returns
    -------
    pandas.DataFrame
        The identifier columns and ``d_plus`` (distance to the ideal),
        ``d_minus`` (to the anti-ideal), ``closeness`` (0–1, higher is better),
        ``rank`` (1 = best).

    Raises
    ------
    ArgumentError
        Missing values, weights of the wrong length, a direction other than +/−.

    References
    ----------
    Hwang, C. L. & Yoon, K. (1981). *Multiple Attribute Decision Making:
    Methods and Applications*. Springer. Test values: ``skcriteria`` TOPSIS
    after ``VectorScaler`` and ``pymcdm.methods.TOPSIS``.

    Examples
    --------
    >>> cars = pd.DataFrame({"car": ["A", "B", "C"], "price": [250.0, 200.0, 300.0],
    ...                      "power": [16.0, 16.0, 32.0]})
    >>> tk.evaluate.topsis(cars, weights=[0.5, 0.5], directions={"price": "-", "power": "+"}
    ...                    ).round(3)
      car  d_plus  d_minus  closeness  rank
    0   A   0.212    0.057      0.212     3
    1   B   0.204    0.114      0.358     2
    2   C   0.114    0.204      0.642     1
    """
    m = as_matrix(data, indicators=indicators, system=system)
    if normalisation is not None:
        check_choice(normalisation, ["vector", "minmax"], param="normalisation")
    dirs = resolve_directions(m.indicators, directions=directions, system=system)
    missing = [i for j, i in enumerate(m.indicators) if np.isnan(m.x[:, j]).any()]
    if missing:
        msg = (f"TOPSIS needs complete data; {names_of(missing)} have missing values. Impute "
               "them first (`tk.evaluate.impute`).")
        raise ArgumentError(msg)
    if weights is None:
        if system is not None:
            local = system.local_weights()
            g = np.array([np.prod([local[s] for s in system.path(c)]) for c in m.indicators])
            g = g / g.sum()
        else:
            g = np.full(len(m.indicators), 1 / len(m.indicators))
    else:
        g = match_weights(weights, m.indicators)
    from toolkit.evaluate.normalisation import normalise_matrix

    if normalisation == "vector":
        r = normalise_matrix(m.x, dirs, method="vector")
        use_dirs = dirs
    elif normalisation == "minmax":
        r = normalise_matrix(m.x, dirs, method="minmax", scale=(0.0, 1.0))
        use_dirs = np.ones_like(dirs)
    else:
        r, use_dirs = m.x, dirs
    d_plus, d_minus, c = topsis_matrix(r, g[:, None], use_dirs)
    out = m.ids.copy()
    out["d_plus"] = d_plus[:, 0]
    out["d_minus"] = d_minus[:, 0]
    out["closeness"] = c[:, 0]
    out["rank"] = rank_scores(c)[:, 0].astype(int)
    return out
