r"""Weights: equal, the index system's, entropy (熵权法), CRITIC, PCA, and experts' scores.

Every method returns the same tidy frame, one row per node of the index
system: ``indicator, parent, level, weight`` (within its parent; siblings sum
to 1), ``global_weight`` (share of the whole index: the product of the weights
down the tree; leaves sum to 1), ``method`` and ``label_zh``. Without a system,
the indicators form one flat level.

Data-driven methods work on all indicators (leaves) at once, as the Chinese
literature and the Handbook apply them: the leaf's global weight is the
method's weight, a parent's global weight is the sum of its children's, and a
local weight is the ratio of the two.

- **entropy** (Shannon entropy weights): with :math:`r_{ij}` the indicators
  min–max normalised onto [0, 1] (direction-aware) and
  :math:`p_{ij} = r_{ij}/\sum_i r_{ij}`, the entropy
  :math:`e_j = -\frac{1}{\ln n}\sum_i p_{ij}\ln p_{ij}` (with
  :math:`0 \ln 0 = 0`), and :math:`w_j = (1-e_j)/\sum_k (1-e_k)`;
- **critic** (Diakoulaki, Mavrotas & Papayannakis 1995): with :math:`s_j` the
  SD of :math:`r_{ij}` and :math:`\rho_{jk}` their correlations,
  :math:`C_j = s_j\sum_k (1-\rho_{jk})`, :math:`w_j = C_j/\sum_k C_k`;
- **pca** (Nicoletti, Scarpetta & Boylaud 2000; the Handbook, section 6.1):
  principal components of the correlation matrix (negative indicators
  reversed), those with eigenvalue > 1 kept (``n_factors=`` to choose),
  varimax-rotated loadings (Kaiser normalisation, as R ``stats::varimax``);
  squared loadings scaled to unit sum within each factor; each indicator takes
  its largest scaled squared loading times its factor's share of the rotated
  explained variance; the weights are scaled to sum to 1.

Examples
--------
>>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 1.0, 1.0, 9.0]})
>>> tk.evaluate.weights(df, method="entropy")[["indicator", "weight", "method"]].round(3)
  indicator  weight   method
0         a   0.213  entropy
1         b   0.787  entropy
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from toolkit._checks import check_choice, refuse_large, require_columns
from toolkit.errors import ArgumentError
from toolkit.evaluate._matrix import as_matrix, match_weights, names_of, resolve_directions
from toolkit.evaluate.normalisation import _constant, normalise_matrix
from toolkit.evaluate.system import IndexSystem

__all__ = ["METHODS", "expert_weights", "weights", "weights_frame"]

#: Weighting methods of :func:`weights`.
METHODS = ("equal", "system", "entropy", "critic", "pca")
_DATA_DRIVEN = ("entropy", "critic", "pca")


def entropy_weights(r: np.ndarray) -> np.ndarray:
    """Entropy weights of the columns of a non-negative matrix (no missing values)."""
    n = r.shape[0]
    total = r.sum(axis=0)
    p = r / total
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(n)
    d = 1 - e
    return d / d.sum()


def critic_weights(r: np.ndarray) -> np.ndarray:
    """CRITIC weights of the columns of a matrix (no missing values)."""
    s = r.std(axis=0, ddof=1)
    rho = np.corrcoef(r, rowvar=False)
    c = s * (1 - rho).sum(axis=0)
    return c / c.sum()


def varimax(loadings: np.ndarray, *, normalize: bool = True, eps: float = 1e-5,
            max_iter: int = 1000) -> np.ndarray:
    """Varimax rotation of a loading matrix (Kaiser (1958); the algorithm of R ``stats::varimax``).

    Examples
    --------
    >>> a = np.array([[0.8, 0.3], [0.7, 0.4], [0.3, 0.8], [0.2, 0.9]])
    >>> np.round(np.abs(varimax(a)), 2)[0].tolist()
    [0.82, 0.25]
    """
    x = np.asarray(loadings, dtype=float)
    p, k = x.shape
    if k < 2:
        return x.copy()
    sc = np.sqrt((x**2).sum(axis=1)) if normalize else np.ones(p)
    x = x / sc[:, None]
    rot = np.eye(k)
    d = 0.0
    for _ in range(max_iter):
        z = x @ rot
        b = x.T @ (z**3 - z @ np.diag((z**2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(b)
        rot = u @ vt
        d_past, d = d, s.sum()
        if d < d_past * (1 + eps):
            break
    return (x @ rot) * sc[:, None]


def pca_weights(x: np.ndarray, *, n_factors: int | None = None) -> tuple[np.ndarray, dict]:
    """PCA weights (Nicoletti et al. 2000) of the columns of `x` (no missing values)."""
    corr = np.corrcoef(x, rowvar=False)
    eigval, eigvec = np.linalg.eigh(corr)
    order = np.argsort(eigval)[::-1]
    eigval, eigvec = eigval[order], eigvec[:, order]
    k = n_factors if n_factors is not None else max(1, int((eigval > 1).sum()))
    loadings = eigvec[:, :k] * np.sqrt(eigval[:k])
    rotated = varimax(loadings) if k > 1 else loadings
    sq = rotated**2
    explained = sq.sum(axis=0)
    scaled = sq / explained
    factor = scaled.argmax(axis=1)
    w = scaled[np.arange(len(factor)), factor] * (explained / explained.sum())[factor]
    info = {"eigenvalues": eigval, "n_factors": k, "loadings": rotated,
            "explained": explained, "factor": factor}
    return w / w.sum(), info


def weights_frame(system: IndexSystem, local: dict[str, float], method: str) -> pd.DataFrame:
    """The tidy weights frame from local weights of every node.

    Examples
    --------
    >>> s = tk.evaluate.IndexSystem.flat(["a", "b"])
    >>> weights_frame(s, {"a": 0.5, "b": 0.5}, "equal")["global_weight"].tolist()
    [0.5, 0.5]
    """
    rows = []
    for code, node in system.nodes.items():
        g = 1.0
        for step in system.path(code):
            g *= local[step]
        rows.append({"indicator": code, "parent": node.parent, "level": system.level_of(code),
                     "weight": local[code], "global_weight": g, "method": method,
                     "label_zh": node.label_zh or code})
    frame = pd.DataFrame(rows)
    frame["parent"] = frame["parent"].astype("string")
    return frame


def local_from_global(system: IndexSystem, leaf_global: dict[str, float]) -> dict[str, float]:
    """Local weights of every node from the global weights of the leaves."""
    total: dict[str, float] = {}
    for leaf, g in leaf_global.items():
        for step in system.path(leaf):
            total[step] = total.get(step, 0.0) + g
    local = {}
    for code, node in system.nodes.items():
        parent_total = 1.0 if node.parent is None else total[node.parent]
        siblings = system.children(node.parent)
        local[code] = (total[code] / parent_total if parent_total > 0
                       else 1 / len(siblings))
    return local


def leaf_weights(
    x: np.ndarray,
    directions: np.ndarray,
    *,
    method: str,
    normalise: str | None = "minmax",
    n_factors: int | None = None,
) -> np.ndarray:
    """Global leaf weights of a data-driven method on a complete ``n × k`` matrix."""
    if method == "pca":
        w, _ = pca_weights(x * directions, n_factors=n_factors)
        return w
    r = normalise_matrix(x, directions, method="minmax", scale=(0.0, 1.0)) if normalise else x
    return entropy_weights(r) if method == "entropy" else critic_weights(r)


def weights(
    data: pd.DataFrame | None,
    *,
    method: Literal["equal", "system", "entropy", "critic", "pca"] = "equal",
    system: IndexSystem | None = None,
    directions: Any = None,
    indicators: Sequence[str] | None = None,
    normalise: Literal["minmax"] | None = "minmax",
    n_factors: int | None = None,
) -> pd.DataFrame:
    """Weights of the indicators (and pillars) of an index system, by one method.

    Parameters
    ----------
    data : pandas.DataFrame or None
        Raw indicator table (one row per unit); needed by the data-driven
        methods (``entropy``, ``critic``, ``pca``), which refuse missing values
        (impute first with :func:`toolkit.evaluate.impute`).
    method : {"equal", "system", "entropy", "critic", "pca"}, default "equal"
        ``equal``: siblings weighted equally at every level (COINr's default);
        ``system``: the weights written in the index system (equal where none);
        ``entropy``, ``critic``, ``pca``: from the data (see the module notes).
    system : IndexSystem, optional
        The tree; default one flat level of the indicator columns.
    directions : dict, Series or list, optional
        ``+``/``-`` per indicator (default the system's, else all ``+``).
    indicators : list of str, optional
        Indicator columns (default the system's leaves, else every numeric column).
    normalise : {"minmax"} or None, default "minmax"
        Scaling before entropy and CRITIC: direction-aware min–max onto [0, 1]
        (the usual 熵权法 step). None uses the data as given (it must then be
        non-negative and already oriented so that more is better).
    n_factors : int, optional
        PCA: number of components kept (default: eigenvalues above 1).

    Returns
    -------
    pandas.DataFrame
        One row per node: ``indicator, parent, level, weight, global_weight,
        method, label_zh``.

    Raises
    ------
    ArgumentError
        An unknown method; missing values, or an indicator without variation,
        for a data-driven method — naming the indicators.

    References
    ----------
    Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining
    objective weights in multiple criteria problems: the CRITIC method.
    *Computers & Operations Research* 22(7), 763–770. Nicoletti, G.,
    Scarpetta, S. & Boylaud, O. (2000). Summary indicators of product market
    regulation. OECD Economics Department Working Paper 226. OECD/JRC (2008),
    *Handbook on Constructing Composite Indicators*, section 6. Test values:
    ``pymcdm.weights`` and ``skcriteria`` (entropy, CRITIC), R
    ``psych::principal(rotate="varimax")`` (PCA loadings).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 1.0, 4.0, 3.0],
    ...                    "c": [4.0, 3.0, 2.0, 2.5]})
    >>> tk.evaluate.weights(df, method="critic")[["indicator", "weight"]].round(3)
      indicator  weight
    0         a   0.286
    1         b   0.267
    2         c   0.447
    """
    check_choice(method, METHODS, param="method")
    if data is None:
        if system is None:
            msg = "Give `data` (the indicator table) or a `system`."
            raise ArgumentError(msg)
        if method in _DATA_DRIVEN:
            msg = f"`method=\"{method}\"` computes weights from the data; give `data`."
            raise ArgumentError(msg)
        leaves = system.leaves
    else:
        matrix = as_matrix(data, indicators=indicators, system=system)
        leaves = matrix.indicators
    if system is None:
        system = IndexSystem.flat(leaves, directions=None)
    if method == "equal":
        local = {c: 1 / len(system.children(n.parent)) for c, n in system.nodes.items()}
        return weights_frame(system, local, method)
    if method == "system":
        return weights_frame(system, system.local_weights(), method)
    x = matrix.x
    dirs = resolve_directions(leaves, directions=directions, system=system)
    missing = [i for i, j in zip(leaves, range(x.shape[1]), strict=True)
               if np.isnan(x[:, j]).any()]
    if missing:
        msg = (f"Indicator(s) {names_of(missing)} have missing values; `method=\"{method}\"` "
               "needs complete data. Impute them first (`tk.evaluate.impute`).")
        raise ArgumentError(msg)
    _constant(x, leaves)
    if normalise is None and method == "entropy" and (x < 0).any():
        neg = [i for j, i in enumerate(leaves) if (x[:, j] < 0).any()]
        msg = (f"Entropy weights need non-negative data; {names_of(neg)} have negative values. "
               "Use `normalise=\"minmax\"`.")
        raise ArgumentError(msg)
    if method == "pca" and len(x) <= len(leaves):
        msg = (f"PCA weights need more units ({len(x)}) than indicators ({len(leaves)}).")
        raise ArgumentError(msg)
    g = leaf_weights(x, dirs, method=method, normalise=normalise, n_factors=n_factors)
    local = local_from_global(system, dict(zip(leaves, g.tolist(), strict=True)))
    return weights_frame(system, local, method)


def expert_weights(
    data: pd.DataFrame,
    *,
    method: Literal["direct", "budget"] = "direct",
    expert: str | None = "expert",
    indicators: Sequence[str] | None = None,
    budget: float = 100.0,
) -> pd.DataFrame:
    """Weights from experts' scores, averaged across experts.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per expert, one column per indicator (and an `expert` column).
    method : {"direct", "budget"}, default "direct"
        ``direct``: each expert's scores (any positive scale, e.g. importance
        1–9) are divided by their sum; ``budget`` (budget allocation, the
        Handbook's BAP): each expert distributes `budget` points, which must add
        up (an expert whose points do not is named); points are divided by the
        budget.
    expert : str or None, default "expert"
        Column identifying the expert (None: rows are numbered).
    indicators : list of str, optional
        Indicator columns (default every numeric column).
    budget : float, default 100
        Points each expert distributes with ``method="budget"``.

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``indicator, weight`` (mean over experts; sums
        to 1), ``sd`` (between experts), ``min``, ``max``, ``n_experts``,
        ``method``.

    Examples
    --------
    >>> scores = pd.DataFrame({"expert": ["E1", "E2"], "a": [50, 30], "b": [30, 30],
    ...                        "c": [20, 40]})
    >>> tk.evaluate.expert_weights(scores, method="budget")[["indicator", "weight"]]
      indicator  weight
    0         a    0.40
    1         b    0.30
    2         c    0.30
    """
    check_choice(method, ["direct", "budget"], param="method")
    refuse_large(data, where="tk.evaluate.expert_weights")
    if expert is not None:
        require_columns(data, {"expert": expert})
    m = as_matrix(data.drop(columns=[expert]) if expert else data, indicators=indicators)
    who = (data[expert].astype(str).tolist() if expert else
           [str(i + 1) for i in range(len(data))])
    x = m.x
    bad = [f"{w} ({name})" for w, row in zip(who, x, strict=True)
           for name, v in zip(m.indicators, row, strict=True) if not (np.isfinite(v) and v >= 0)]
    if bad:
        msg = (f"Experts' scores must be non-negative numbers; not so for expert (indicator): "
               f"{', '.join(bad)}.")
        raise ArgumentError(msg)
    totals = x.sum(axis=1)
    if method == "budget":
        off = [f"{w} ({t:g})" for w, t in zip(who, totals, strict=True)
               if abs(t - budget) > 1e-6 * budget]
        if off:
            msg = (f"With `method=\"budget\"` each expert distributes {budget:g} points; these "
                   f"experts' points add up to something else: {', '.join(off)}.")
            raise ArgumentError(msg)
        shares = x / budget
    else:
        zero = [w for w, t in zip(who, totals, strict=True) if t <= 0]
        if zero:
            msg = f"Expert(s) {', '.join(zero)} gave every indicator 0."
            raise ArgumentError(msg)
        shares = x / totals[:, None]
    mean = match_weights(shares.mean(axis=0), m.indicators)
    return pd.DataFrame({
        "indicator": m.indicators, "weight": mean,
        "sd": shares.std(axis=0, ddof=1) if len(x) > 1 else np.nan,
        "min": shares.min(axis=0), "max": shares.max(axis=0),
        "n_experts": len(x), "method": f"expert_{method}",
    })
