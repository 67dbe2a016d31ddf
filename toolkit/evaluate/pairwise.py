r"""The analytic hierarchy process (AHP, 层次分析法): weights from pairwise comparisons.

An expert compares the elements of one level two at a time on Saaty's 1–9
scale (:math:`a_{ij} = 3`: *i* moderately more important than *j*) and the
matrix is completed with reciprocals (:math:`a_{ji} = 1/a_{ij}`). The weights
are its principal (Perron) eigenvector, scaled to sum to 1 (Saaty 1977), or
the normalised row geometric means (Crawford & Williams 1985). Consistency:
:math:`\lambda_{\max}` is the principal eigenvalue (for the geometric method
its estimate :math:`\frac{1}{n}\sum_i (A w)_i / w_i`),
:math:`CI = (\lambda_{\max} - n)/(n - 1)` and :math:`CR = CI / RI_n` with
Saaty's random index :data:`RANDOM_INDEX`. Judgements with :math:`CR > 0.1`
should be revised; the function refuses them unless asked to warn only.

Several experts are combined by the element-wise geometric mean of their
matrices (aggregation of individual judgements, Aczél & Saaty 1983), which
keeps the result reciprocal; each expert's CR is reported as well.

Examples
--------
>>> m = [[1, 3, 5], [1/3, 1, 2], [1/5, 1/2, 1]]
>>> r = tk.evaluate.ahp(m, labels=["会议", "提案", "调研"])
>>> r.weights.round(3)
  indicator  weight       method
0        会议   0.648  eigenvector
1        提案   0.230  eigenvector
2        调研   0.122  eigenvector
>>> round(r.lambda_max, 4), round(r.cr, 4)
(3.0037, 0.0032)
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from toolkit._checks import check_choice
from toolkit._summary import Summary
from toolkit.errors import ArgumentError, ToolkitWarning

__all__ = ["RANDOM_INDEX", "AHPResult", "ahp"]

#: Saaty's random consistency index RI by matrix size n (Saaty 1980; Saaty 1990,
#: "How to make a decision", EJOR 48, p. 15): 1–10.
RANDOM_INDEX: dict[str, dict[int, float]] = {
    "saaty": {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
              10: 1.49},
    # Saaty (2005), Theory and Applications of the Analytic Network Process, p. 31 (used by ahpy's
    # random_index="saaty").
    "saaty2005": {1: 0.0, 2: 0.0, 3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25, 7: 1.35, 8: 1.40, 9: 1.45,
                  10: 1.49, 11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59},
}
_RECIPROCAL_TOLERANCE = 0.02  # relative: 1/3 written as 0.33 is accepted


@dataclass
class AHPResult:
    """Weights and consistency of one (or an aggregated) pairwise-comparison matrix.

    Attributes
    ----------
    weights : pandas.DataFrame
        ``indicator, weight, method``; weights sum to 1.
    lambda_max, ci, cr, ri : float
        Principal eigenvalue, consistency index, ratio and the random index used.
    consistent : bool
        ``cr <= max_cr``.
    matrix : pandas.DataFrame
        The (aggregated) comparison matrix, labelled.
    experts : pandas.DataFrame or None
        With several experts: ``expert, lambda_max, ci, cr, consistent``.
    """

    weights: pd.DataFrame
    lambda_max: float
    ci: float
    cr: float
    ri: float
    consistent: bool
    matrix: pd.DataFrame
    method: str
    max_cr: float
    experts: pd.DataFrame | None = None
    worst: tuple[str, str, float, float] | None = field(default=None)

    def to_frame(self) -> pd.DataFrame:
        """The weights with the consistency figures repeated on each row."""
        out = self.weights.copy()
        for key in ("lambda_max", "ci", "cr"):
            out[key] = getattr(self, key)
        out["n"] = len(out)
        return out

    def summary(self) -> Summary:
        """Summary: weights, λmax, CI, CR and the verdict."""
        verdict = "acceptable" if self.consistent else "too inconsistent"
        lines = [f"AHP ({self.method}), n = {len(self.weights)}",
                 self.weights.round(4).to_string(index=False),
                 f"lambda_max = {self.lambda_max:.4f}, CI = {self.ci:.4f}, RI = {self.ri:.2f}, "
                 f"CR = {self.cr:.4f} ({verdict}, limit {self.max_cr:g})"]
        if self.experts is not None:
            lines.append(self.experts.round(4).to_string(index=False))
        info = [("Method", self.method), ("Indicators", str(len(self.weights))),
                ("lambda_max", f"{self.lambda_max:.4f}"), ("CI", f"{self.ci:.4f}"),
                ("RI", f"{self.ri:.2f}"), ("CR", f"{self.cr:.4f}"),
                ("Verdict", f"{verdict} (limit {self.max_cr:g})")]
        return Summary("AHP", info, self.weights, text="\n".join(lines), was="str")

    def _repr_html_(self) -> str:
        verdict = "≤" if self.consistent else ">"
        return (f"<div><b>AHP ({html.escape(self.method)})</b>"
                f"{self.weights.round(4).to_html(index=False)}"
                f"<p>λ<sub>max</sub> = {self.lambda_max:.4f}, CI = {self.ci:.4f}, "
                f"CR = {self.cr:.4f} {verdict} {self.max_cr:g}</p></div>")

    def __repr__(self) -> str:
        return (f"<AHPResult n={len(self.weights)} CR={self.cr:.4f} "
                f"{'consistent' if self.consistent else 'inconsistent'}>")


def _from_pairs(pairs: Mapping[tuple[str, str], float],
                labels: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    names = list(labels) if labels is not None else list(
        dict.fromkeys(k for pair in pairs for k in pair))
    index = {n: i for i, n in enumerate(names)}
    a = np.full((len(names), len(names)), np.nan)
    np.fill_diagonal(a, 1.0)
    for (i, j), v in pairs.items():
        if i not in index or j not in index:
            msg = f"Comparison ({i!r}, {j!r}) names an element not in `labels` {names}."
            raise ArgumentError(msg)
        a[index[i], index[j]] = float(v)
        if np.isnan(a[index[j], index[i]]):
            a[index[j], index[i]] = 1 / float(v)
    missing = [(names[i], names[j]) for i in range(len(names)) for j in range(i + 1, len(names))
               if np.isnan(a[i, j])]
    if missing:
        msg = (f"Pairwise comparisons are missing for {', '.join(map(str, missing))}; "
               "give every pair.")
        raise ArgumentError(msg)
    return a, names


def _as_matrix(data: Any, labels: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    if isinstance(data, Mapping):
        return _from_pairs(data, labels)
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns] if labels is None else list(labels)
        a = data.to_numpy(dtype=float)
    else:
        try:
            a = np.asarray(data, dtype=float)
        except (TypeError, ValueError):
            msg = "An AHP comparison matrix must hold numbers (e.g. 3, 1/3, 0.2)."
            raise ArgumentError(msg) from None
        names = list(labels) if labels is not None else [f"c{i + 1}" for i in range(len(a))]
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        msg = f"An AHP comparison matrix must be square, not of shape {a.shape}."
        raise ArgumentError(msg)
    if len(names) != a.shape[0]:
        msg = f"`labels` has {len(names)} names for a {a.shape[0]} × {a.shape[0]} matrix."
        raise ArgumentError(msg)
    return a, names


def _check(a: np.ndarray, names: Sequence[str], who: str) -> None:
    problems = []
    n = len(a)
    for i in range(n):
        for j in range(n):
            v = a[i, j]
            if not np.isfinite(v) or v <= 0:
                problems.append(f"({names[i]}, {names[j]}) = {v:g} is not positive")
            elif i == j and abs(v - 1) > 1e-9:
                problems.append(f"({names[i]}, {names[i]}) = {v:g} on the diagonal, not 1")
            elif i < j and np.isfinite(a[j, i]) and a[j, i] > 0:
                if abs(v * a[j, i] - 1) > _RECIPROCAL_TOLERANCE:
                    problems.append(f"({names[i]}, {names[j]}) = {v:g} but ({names[j]}, "
                                    f"{names[i]}) = {a[j, i]:g}, not its reciprocal {1 / v:.3g}")
    if problems:
        msg = (f"The comparison matrix{who} is not a positive reciprocal matrix: "
               f"{'; '.join(problems)}. Each entry a_ij > 0, a_ii = 1 and a_ji = 1/a_ij.")
        raise ArgumentError(msg)


def _ri(n: int, table: str) -> float:
    values = RANDOM_INDEX[table]
    if n not in values:
        msg = (f"The random index table {table!r} covers matrices of up to {max(values)} "
               f"elements, not {n}; split the level into groups.")
        raise ArgumentError(msg)
    return values[n]


def _solve(a: np.ndarray, method: str) -> tuple[np.ndarray, float]:
    n = len(a)
    if method == "eigenvector":
        values, vectors = np.linalg.eig(a)
        k = int(np.argmax(values.real))
        w = np.abs(vectors[:, k].real)
        w = w / w.sum()
        lam = float(values[k].real)
    else:
        g = np.exp(np.log(a).mean(axis=1))
        w = g / g.sum()
        lam = float(np.mean((a @ w) / w))
    return w, (lam if n > 2 else float(n))


def ahp(
    data: Any,
    *,
    method: Literal["eigenvector", "geometric"] = "eigenvector",
    labels: Sequence[str] | None = None,
    max_cr: float = 0.1,
    on_inconsistent: Literal["raise", "warn"] = "raise",
    random_index: Literal["saaty", "saaty2005"] = "saaty",
) -> AHPResult:
    """Weights, λmax, CI and CR of a pairwise-comparison matrix (or several experts').

    Parameters
    ----------
    data : array-like, DataFrame, dict, or list of these
        A square positive reciprocal matrix (a DataFrame's columns name the
        elements); a dict of comparisons ``{("a", "b"): 3, ...}`` with each
        pair once (reciprocals filled in); or a list of such matrices, one per
        expert, combined by the element-wise geometric mean.
    method : {"eigenvector", "geometric"}, default "eigenvector"
        Principal eigenvector (Saaty) or row geometric means.
    labels : list of str, optional
        Names of the elements (default the DataFrame's columns, else c1, c2 …).
    max_cr : float, default 0.1
        Largest acceptable consistency ratio (Saaty's 10 %).
    on_inconsistent : {"raise", "warn"}, default "raise"
        Above `max_cr`: refuse (the message names the judgement furthest from
        the weights), or warn and return the weights with ``consistent=False``.
    random_index : {"saaty", "saaty2005"}, default "saaty"
        Saaty's random index table (1980/1990, n ≤ 10) or his 2005 table (n ≤ 15).

    Returns
    -------
    AHPResult
        ``.weights`` (``indicator, weight, method``), ``.lambda_max``, ``.ci``,
        ``.cr``, ``.ri``, ``.consistent``, ``.matrix``, ``.experts`` (with
        several experts), ``.summary()``, ``.to_frame()``.

    Raises
    ------
    ArgumentError
        A non-square, non-positive or non-reciprocal matrix (naming the pair),
        missing comparisons, or CR above `max_cr` with ``on_inconsistent="raise"``.

    References
    ----------
    Saaty, T. L. (1977). A scaling method for priorities in hierarchical
    structures. *Journal of Mathematical Psychology* 15, 234–281. Saaty, T. L.
    (1990). How to make a decision: the analytic hierarchy process. *European
    Journal of Operational Research* 48, 9–26. Crawford, G. & Williams, C.
    (1985). A note on the analysis of subjective judgment matrices. *Journal of
    Mathematical Psychology* 29, 387–405. Aczél, J. & Saaty, T. L. (1983).
    Procedures for synthesizing ratio judgements. *Journal of Mathematical
    Psychology* 27, 93–102. Test values: Saaty's drinks-consumption example
    and ``ahpy.Compare`` on the same matrices.

    Examples
    --------
    >>> pairs = {("a", "b"): 2, ("a", "c"): 4, ("b", "c"): 2}
    >>> tk.evaluate.ahp(pairs, method="geometric").weights["weight"].round(4).tolist()
    [0.5714, 0.2857, 0.1429]
    >>> try:
    ...     tk.evaluate.ahp([[1, 9, 1/9], [1/9, 1, 9], [9, 1/9, 1]], labels=["x", "y", "z"])
    ... except ValueError as err:
    ...     print(str(err)[:60])
    The judgements are too inconsistent: CR = 6.13 > 0.1. The ju
    """
    check_choice(method, ["eigenvector", "geometric"], param="method")
    check_choice(on_inconsistent, ["raise", "warn"], param="on_inconsistent")
    check_choice(random_index, list(RANDOM_INDEX), param="random_index")
    several = isinstance(data, list | tuple) and len(data) > 0 and not np.isscalar(data[0]) and (
        isinstance(data[0], Mapping | pd.DataFrame) or np.asarray(data[0], dtype=object).ndim == 2)
    matrices = list(data) if several else [data]
    parsed = []
    names: list[str] | None = None
    for k, item in enumerate(matrices):
        a, these = _as_matrix(item, labels)
        who = f" of expert {k + 1}" if several else ""
        if names is not None and these != names:
            msg = (f"Expert {k + 1} compares {these}, expert 1 compares {names}; use the same "
                   "elements.")
            raise ArgumentError(msg)
        names = these
        _check(a, these, who)
        parsed.append(a)
    names = names or []
    n = len(names)
    ri = _ri(n, random_index)
    experts = None
    if several:
        rows = []
        for k, a in enumerate(parsed):
            _, lam = _solve(a, method)
            ci = (lam - n) / (n - 1) if n > 2 else 0.0
            cr = ci / ri if ri > 0 else 0.0
            rows.append({"expert": k + 1, "lambda_max": lam, "ci": ci, "cr": cr,
                         "consistent": cr <= max_cr})
        experts = pd.DataFrame(rows)
        a = np.exp(np.mean([np.log(m) for m in parsed], axis=0))
    else:
        a = parsed[0]
    w, lam = _solve(a, method)
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    cr = ci / ri if ri > 0 else 0.0
    ratio = a / np.outer(w, 1 / w)
    i, j = np.unravel_index(np.argmax(np.abs(np.log(ratio))), ratio.shape)
    worst = (names[i], names[j], float(a[i, j]), float(w[i] / w[j]))
    consistent = cr <= max_cr
    if not consistent:
        msg = (f"The judgements are too inconsistent: CR = {cr:.3g} > {max_cr:g}. The judgement "
               f"furthest from the weights is ({worst[0]}, {worst[1]}) = {worst[2]:.3g}, while "
               f"the weights imply {worst[3]:.3g}; revise it (or pass "
               "`on_inconsistent=\"warn\"` to keep the weights anyway).")
        if on_inconsistent == "raise":
            raise ArgumentError(msg)
        warnings.warn(msg, ToolkitWarning, stacklevel=2)
    frame = pd.DataFrame({"indicator": names, "weight": w, "method": method})
    return AHPResult(weights=frame, lambda_max=lam, ci=ci, cr=cr, ri=ri, consistent=consistent,
                     matrix=pd.DataFrame(a, index=names, columns=names), method=method,
                     max_cr=max_cr, experts=experts, worst=worst)
