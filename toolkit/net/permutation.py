"""QAP correlation and MRQAP regression with Dekker's double semi-partialling."""

from __future__ import annotations

import html
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from toolkit._docs import doc
from toolkit._summary import Summary
from toolkit.errors import ArgumentError
from toolkit.net._engine import check_dense

__all__ = ["QAPResult", "qap"]

Matrix = pd.DataFrame | np.ndarray | nx.Graph


@dataclass(frozen=True, repr=False)
class QAPResult:
    """Coefficients of a (MR)QAP regression with permutation p-values.

    Attributes
    ----------
    table : pandas.DataFrame
        ``term``, ``estimate``, ``se``, ``t``, ``p_value`` (two-sided),
        ``p_greater``, ``p_less``; the intercept has no permutation p-values.
    r2 : float
        R² of the OLS fit on the off-diagonal cells.
    n : int
        Number of cells (n(n − 1) for n nodes).
    n_perm : int
        Permutations per predictor.
    correlation : float or None
        QAP correlation of y and x when there is one predictor.
    nodes : list
        Node order used to align the matrices.
    """

    table: pd.DataFrame
    r2: float
    n: int
    n_perm: int
    correlation: float | None
    nodes: list
    seed: int | None = None

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table, with ``n`` and ``n_perm`` columns."""
        out = self.table.copy()
        out["n"] = self.n
        out["n_perm"] = self.n_perm
        return out

    def _head(self) -> str:
        if self.correlation is not None:
            return (f"QAP correlation r = {self.correlation:.3f}, {len(self.nodes)} nodes, "
                    f"{self.n_perm} permutations, R² = {self.r2:.3f}")
        return (f"MRQAP (double semi-partialling), {len(self.nodes)} nodes, {self.n} cells, "
                f"{self.n_perm} permutations, R² = {self.r2:.3f}")

    def summary(self) -> Summary:
        """Summary: nodes, cells, permutations, R² and the coefficient table."""
        info = [("Nodes", str(len(self.nodes))), ("Cells", str(self.n)),
                ("Permutations", str(self.n_perm)), ("Seed", str(self.seed)),
                ("R²", f"{self.r2:.3f}")]
        if self.correlation is not None:
            info.insert(0, ("QAP correlation", f"{self.correlation:.3f}"))
        text = self._head() + "\n" + self.table.round(4).to_string(index=False)
        title = "QAP correlation" if self.correlation is not None else "MRQAP regression"
        return Summary(title, info, self.table, text=text, was="str")

    def __repr__(self) -> str:
        terms = ", ".join(self.table["term"].iloc[1:])
        return f"QAPResult(terms=[{terms}], n={self.n}, n_perm={self.n_perm}, r2={self.r2:.3f})"

    def _repr_html_(self) -> str:
        head = html.escape(self._head())
        return f"<p>{head}</p>" + self.table.round(4).to_html(index=False)


def _order_of(y: Matrix) -> list:
    if isinstance(y, nx.Graph):
        return list(y)
    if isinstance(y, pd.DataFrame):
        if list(y.index) != list(y.columns):
            if set(y.index) == set(y.columns):
                return list(y.index)
            msg = ("`y` is a DataFrame whose index and columns hold different labels; a "
                   "network matrix needs the same nodes on both.")
            raise ArgumentError(msg)
        return list(y.index)
    arr = np.asarray(y)
    return list(range(arr.shape[0]))


def _as_matrix(m: Matrix, order: list, name: str, weight: str | None) -> np.ndarray:
    n = len(order)
    if isinstance(m, nx.Graph):
        missing = [v for v in order if v not in m]
        if missing:
            msg = (f"`{name}` lacks {len(missing)} node(s) of `y`, e.g. {missing[:3]}; add "
                   "them as isolates (`G.add_nodes_from(...)`) so the matrices align.")
            raise ArgumentError(msg)
        if m.number_of_nodes() != n:
            msg = (f"`{name}` has {m.number_of_nodes()} nodes but `y` has {n}; QAP needs "
                   "the same nodes in every matrix.")
            raise ArgumentError(msg)
        return nx.to_numpy_array(m, nodelist=order, weight=weight, dtype=float)
    if isinstance(m, pd.DataFrame):
        missing = [v for v in order if v not in m.index or v not in m.columns]
        if missing:
            msg = (f"`{name}` lacks rows or columns for {len(missing)} node(s) of `y`, e.g. "
                   f"{missing[:3]}.")
            raise ArgumentError(msg)
        return m.loc[order, order].to_numpy(dtype=float)
    arr = np.asarray(m, dtype=float)
    if arr.shape != (n, n):
        msg = f"`{name}` has shape {arr.shape}; expected ({n}, {n}) like `y`."
        raise ArgumentError(msg)
    return arr


def _progress(total: int, *, progress: bool | None) -> Any:
    """A tqdm bar (notebook-aware) or a no-op object."""
    if progress is None:
        interactive = bool(getattr(sys.stderr, "isatty", lambda: False)())
        in_kernel = "ipykernel" in sys.modules
        progress = (interactive or in_kernel) and total >= 2000
    if not progress:
        return _NoBar()
    try:
        if "ipykernel" in sys.modules:
            import ipywidgets  # noqa: F401  (tqdm.notebook needs it)
            from tqdm.notebook import tqdm
        else:
            from tqdm import tqdm
    except ImportError:
        from tqdm import tqdm
    return tqdm(total=total, desc="QAP permutations", leave=False)


class _NoBar:
    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


@doc
def qap(
    y: Matrix,
    x: Matrix | Sequence[Matrix] | Mapping[str, Matrix],
    *,
    n_perm: int = 1000,
    seed: int | None = None,
    weight: str | None = "weight",
    progress: bool | None = None,
) -> QAPResult:
    r"""QAP correlation (one predictor) or MRQAP regression (several) of network matrices.

    Regresses the ties of `y` on those of `x` over the off-diagonal cells by
    OLS, and tests each coefficient against permutations of node labels, which
    keep the dependence among ties of the same node (Krackhardt 1987/1988). With
    several predictors each is tested by Dekker, Krackhardt & Snijders' (2007)
    double semi-partialling (DSP).

    Parameters
    ----------
    y : pandas.DataFrame, numpy.ndarray or networkx.Graph
        The dependent n × n matrix. Its node order (DataFrame index, graph node
        order) aligns the others; the diagonal is ignored.
    x : matrix, list of matrices, or dict of name → matrix
        Predictors of the same kind (DataFrames and graphs are aligned by node
        label). Names come from the dict keys, else ``x1``, ``x2`` …
    n_perm : int, default 1000
        Permutations per predictor.
    {seed}
    weight : str or None, default "weight"
        Edge attribute read from graphs (missing = 1); None reads 0/1 ties.
    progress : bool, optional
        Show a tqdm progress bar; default: only for long runs in a terminal or
        notebook.

    Returns
    -------
    QAPResult
        ``.to_frame()``: ``term`` (``intercept`` and the predictors),
        ``estimate``, ``se``, ``t``, ``p_value`` (two-sided, share of permuted
        \|t\| ≥ observed \|t\|), ``p_greater``, ``p_less``, ``n`` (cells),
        ``n_perm``; ``.r2``; ``.correlation`` (one predictor).

    Raises
    ------
    ValueError
        When matrices differ in size or nodes.
    DataTooLargeError
        Beyond 20,000 nodes (the matrices are dense).

    Notes
    -----
    Cells are all ordered pairs :math:`i \ne j` (``sna::netlm``'s
    ``mode="digraph"``; a symmetric matrix enters twice, which leaves the
    estimates unchanged). For predictor :math:`x_k`, DSP regresses
    :math:`x_k` on the other predictors, permutes the rows and columns of the
    residual matrix together, and refits y on the other predictors plus the
    permuted residuals; the statistic is the t-value of the last term (by
    Frisch–Waugh–Lovell the observed one equals the t of :math:`x_k` in the full
    model). With one predictor this is the classical QAP test, and its p-value
    is also that of the QAP correlation. p-values are
    :math:`(1 + \#\{|t^*| \ge |t|\})/(1 + \text{n\_perm})` (Phipson & Smyth 2010).

    References
    ----------
    Krackhardt, D. (1988). Predicting with networks: nonparametric multiple
    regression analysis of dyadic data. *Social Networks* 10, 359–381.

    Dekker, D., Krackhardt, D., & Snijders, T. A. B. (2007). Sensitivity of MRQAP
    tests to collinearity and autocorrelation conditions. *Psychometrika* 72,
    563–581.

    Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be
    zero. *Statistical Applications in Genetics and Molecular Biology* 9(1).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = rng.random((12, 12))
    >>> y = 2 * x + rng.normal(0, 0.1, (12, 12))
    >>> res = tk.net.qap(y, x, n_perm=99, seed=1)
    >>> res.to_frame()[["term", "estimate", "p_value"]].round(2)
            term  estimate  p_value
    0  intercept     -0.03      NaN
    1         x1      2.03     0.01
    """
    order = _order_of(y)
    n = len(order)
    check_dense(n, what="QAP", alternative="a sample of nodes (`G.subgraph(nodes)`)")
    if n < 4:
        msg = f"QAP needs at least 4 nodes; `y` has {n}."
        raise ArgumentError(msg)
    if isinstance(x, Mapping):
        names, mats = list(x.keys()), list(x.values())
    elif isinstance(x, list | tuple):
        names, mats = [f"x{i + 1}" for i in range(len(x))], list(x)
    else:
        names, mats = ["x1"], [x]
    if not mats:
        msg = "`x` is empty; give at least one predictor matrix."
        raise ArgumentError(msg)
    if n_perm < 1:
        msg = f"`n_perm` must be a positive integer, not {n_perm}."
        raise ArgumentError(msg)
    Y = _as_matrix(y, order, "y", weight)
    Xs = [_as_matrix(m, order, f"x ({nm})", weight) for nm, m in zip(names, mats, strict=True)]
    off = ~np.eye(n, dtype=bool)
    yv = Y[off]
    X = np.column_stack([np.ones(off.sum()), *[m[off] for m in Xs]])
    N, p = X.shape
    if np.linalg.matrix_rank(X) < p:
        msg = ("The predictors are collinear (or one is constant off the diagonal); drop "
               "or combine them.")
        raise ArgumentError(msg)
    beta, *_ = np.linalg.lstsq(X, yv, rcond=None)
    resid = yv - X @ beta
    sse = float(resid @ resid)
    sigma2 = sse / (N - p)
    xtx_inv = np.linalg.inv(X.T @ X)
    se = np.sqrt(np.diag(xtx_inv) * sigma2)
    t_obs = beta / se
    sst = float(((yv - yv.mean()) ** 2).sum())
    r2 = 1 - sse / sst if sst > 0 else float("nan")

    rng = np.random.default_rng(seed)
    bar = _progress(n_perm * (p - 1), progress=progress)
    p_two, p_gt, p_lt = [np.nan], [np.nan], [np.nan]
    try:
        for j in range(1, p):
            Z = np.delete(X, j, axis=1)
            Q, _ = np.linalg.qr(Z)
            ey = yv - Q @ (Q.T @ yv)                      # y residualised on the others
            sse_z = float(ey @ ey)
            ex = X[:, j] - Q @ (Q.T @ X[:, j])            # x_j residualised on the others
            E = np.zeros((n, n))
            E[off] = ex
            t_perm = np.empty(n_perm)
            for b in range(n_perm):
                perm = rng.permutation(n)
                e = E[np.ix_(perm, perm)][off]
                e = e - Q @ (Q.T @ e)
                ee = float(e @ e)
                ey_e = float(e @ yv)
                coef = ey_e / ee
                s2 = (sse_z - ey_e**2 / ee) / (N - p)
                t_perm[b] = coef / np.sqrt(s2 / ee) if s2 > 0 else np.sign(coef) * np.inf
                bar.update(1)
            t = t_obs[j]
            p_two.append((1 + np.sum(np.abs(t_perm) >= abs(t) - 1e-12)) / (n_perm + 1))
            p_gt.append((1 + np.sum(t_perm >= t - 1e-12)) / (n_perm + 1))
            p_lt.append((1 + np.sum(t_perm <= t + 1e-12)) / (n_perm + 1))
    finally:
        bar.close()
    table = pd.DataFrame({"term": ["intercept", *names], "estimate": beta, "se": se,
                          "t": t_obs, "p_value": p_two, "p_greater": p_gt, "p_less": p_lt})
    corr = None
    if p == 2:
        corr = float(np.corrcoef(yv, X[:, 1])[0, 1])
    return QAPResult(table, float(r2), int(N), int(n_perm), corr, order, seed)
