r"""Calibration of survey weights: post-stratification, raking, GREG and trimming.

The weights follow R ``survey`` 4.1 step by step (``postStratify``, ``rake``,
``calibrate`` with ``grake``, ``trimWeights``); the variance of a calibrated
design uses the *calibration residuals* of the influence values, as R
``svyrecvar`` does with a design's ``postStrata``. Every calibration step gives a
linear map of the row-level influence values :math:`u` (``n x p``)

.. math:: r = u - B\,K\,C^T u

with :math:`B, C` of shape ``n x q`` and :math:`K` of shape ``q x q``
(:class:`Residualiser`):

- post-stratification into cells :math:`c` with indicator :math:`E`, weights
  :math:`w^0` before and :math:`w` after: :math:`B = w\circ E`,
  :math:`C = (w^0/w)\circ E`, :math:`K = \mathrm{diag}(1/\sum_{c} w^0)` (R's
  ``psmeans``);
- raking: R applies ten sweeps of ``x - psw * ave(x / psw, margin)`` over the
  margins, with ``psw`` the weights after each margin's post-stratification in
  the last raking iteration. The sweeps are linear in :math:`C^T u` with
  :math:`C_m = E_m/psw_m`, :math:`B_m = psw_m\circ E_m`; :math:`K` is found by
  running the same sweeps on the identity;
- GREG (``calibrate``, any calibration function) with model matrix :math:`X`,
  weights :math:`w^0` before, :math:`g` the calibration factors and
  :math:`w = g w^0`: ``qr.resid(qr(X * sqrt(w0)), u / (g sqrt(w0))) * g sqrt(w0)``,
  that is :math:`B = w\circ X`, :math:`C = X/g`,
  :math:`K = (X^T \mathrm{diag}(w^0) X)^{+}`.

Successive steps compose into one map of the same form (:meth:`Residualiser.then`),
which is what R's sequential loop over ``postStrata`` computes. Trimming changes
the weights and keeps the residualiser, as R's ``trimWeights`` keeps ``postStrata``.

The weight functions take a weight matrix (``n`` or ``n x m``): column 0 is the
full sample, further columns are replicate weights, calibrated the way R's
``svyrep.design`` methods calibrate them (each replicate to the same totals).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from toolkit._checks import check_choice, require_columns
from toolkit._values import as_numeric
from toolkit.errors import ArgumentTypeError, DesignError, ToolkitWarning
from toolkit.stats._linearise import factor_codes

__all__ = ["METHODS", "Residualiser", "Step", "apply_step", "calibrate_weights",
           "calibration_matrix", "cell_index", "poststratify_weights", "rake_weights",
           "trim_factors", "trim_weights"]

#: Calibration functions of ``Design.calibrate`` (R ``calfun``).
METHODS = ("linear", "raking", "logit")
#: R grake: weights are rescaled first when every total is this many times the sample's.
_RESCALE = 20.0


# -- the residual map -----------------------------------------------------------

class Residualiser:
    r"""The calibration residuals :math:`r = u - B K C^T u` of row-level influence values.

    Parameters
    ----------
    B, C : sparse matrix or ndarray, shape (n, q)
    K : ndarray, shape (q, q)

    Examples
    --------
    >>> E = np.array([[1.0, 0], [1, 0], [0, 1]])
    >>> w = np.array([2.0, 2.0, 4.0])
    >>> r = Residualiser(w[:, None] * E, E, np.diag(1 / (E.T @ w)))
    >>> r(np.array([[1.0], [3.0], [5.0]])).ravel().tolist()  # centred within each cell
    [-1.0, 1.0, 0.0]
    """

    def __init__(self, B: Any, C: Any, K: np.ndarray) -> None:
        self.B = sparse.csr_matrix(B) if sparse.issparse(B) else np.asarray(B, dtype=float)
        self.C = sparse.csr_matrix(C) if sparse.issparse(C) else np.asarray(C, dtype=float)
        self.K = np.asarray(K, dtype=float)
        self._unit_sums: dict[int, np.ndarray] = {}

    @property
    def q(self) -> int:
        """Number of calibration constraints."""
        return self.K.shape[0]

    def __call__(self, u: np.ndarray) -> np.ndarray:
        """Residuals of a dense ``(n, p)`` array."""
        t = np.asarray(self.C.T @ u)
        return u - np.asarray(self.B @ (self.K @ t))

    def coef(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, ncol: int) -> np.ndarray:
        """:math:`(K C^T u)^T`, shape ``(ncol, q)``, of `u` given as (row, column, value)."""
        n = self.B.shape[0]
        if n * ncol <= 20_000_000:
            u = np.bincount(rows * ncol + cols, weights=vals, minlength=n * ncol).reshape(n, ncol)
            t = np.asarray(self.C.T @ u)
        else:
            u = sparse.csc_matrix((vals, (rows, cols)), shape=(n, ncol))
            t = np.asarray((u.T @ self.C).T) if not sparse.issparse(self.C) else (
                self.C.T @ u).toarray()
        return (self.K @ t).T

    def unit_sums(self, unit: np.ndarray | None, n_unit: int) -> np.ndarray:
        """Column sums of :math:`B` over units (``unit=None``: rows are the units), dense."""
        key = id(unit)
        if key not in self._unit_sums:
            if unit is None:
                out = self.B.toarray() if sparse.issparse(self.B) else self.B
            elif sparse.issparse(self.B):
                coo = self.B.tocoo()
                q = self.B.shape[1]
                out = np.bincount(unit[coo.row] * q + coo.col, weights=coo.data,
                                  minlength=n_unit * q).reshape(n_unit, q)
            else:
                out = np.stack([np.bincount(unit, weights=self.B[:, j], minlength=n_unit)
                                for j in range(self.B.shape[1])], axis=1)
            self._unit_sums[key] = out
        return self._unit_sums[key]

    def then(self, other: Residualiser) -> Residualiser:
        """The map of applying `self`, then `other` (R's loop over ``postStrata``)."""
        k1, k2 = self.K, other.K
        cross = other.C.T @ self.B
        cross = cross.toarray() if sparse.issparse(cross) else np.asarray(cross)
        K = np.block([[k1, np.zeros((k1.shape[0], k2.shape[0]))],
                      [-k2 @ cross @ k1, k2]])
        return Residualiser(_hstack(self.B, other.B), _hstack(self.C, other.C), K)


def _hstack(a: Any, b: Any) -> Any:
    if sparse.issparse(a) or sparse.issparse(b):
        return sparse.hstack([sparse.csr_matrix(a), sparse.csr_matrix(b)]).tocsr()
    return np.hstack([a, b])


# -- populations and cells ---------------------------------------------------------

def _frame_of(population: Any, *, what: str) -> tuple[list[str], pd.DataFrame, np.ndarray, Any]:
    """Cell columns, cell keys and counts of a population table (frame or Series)."""
    if isinstance(population, pd.Series):
        names = [n for n in population.index.names]
        if any(n is None for n in names):
            msg = (f"{what}: the Series of population counts needs a named index (the "
                   "column(s) of the cells), e.g. `pop.rename_axis('sex')`.")
            raise DesignError(msg)
        frame = population.rename("_count").reset_index()
        return names, frame[names], frame["_count"].to_numpy(), "_count"
    if not isinstance(population, pd.DataFrame):
        msg = (f"{what} must be a DataFrame of cells with one column of population counts, or a "
               f"Series of counts indexed by the cells; not {type(population).__name__}.")
        raise ArgumentTypeError(msg)
    return [], population, np.array([]), None


def population_table(population: Any, data: pd.DataFrame, *, what: str
                     ) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    """The cell columns, the cells (one row each) and their population counts.

    A frame holds the cell columns (columns of `data`) and exactly one other
    column of counts, as R ``postStratify`` reads its population table.
    """
    names, frame, counts, _ = _frame_of(population, what=what)
    if not names:
        names = [c for c in frame.columns if c in data.columns]
        other = [c for c in frame.columns if c not in data.columns]
        if len(other) != 1 or not names:
            msg = (f"{what} must hold the cell column(s), which are columns of the data, and "
                   f"exactly one column of population counts; it has cell columns {names} "
                   f"and other columns {other}.")
            raise DesignError(msg)
        counts = frame[other[0]].to_numpy()
        frame = frame[names]
    require_columns(data, {"cells": names}, where="the survey data")
    counts = pd.to_numeric(pd.Series(counts), errors="coerce").to_numpy(float)
    bad = np.flatnonzero(~np.isfinite(counts) | (counts < 0))
    if len(bad):
        cells = [_cell_label(names, frame.iloc[i].tolist()) for i in bad[:5]]
        msg = (f"{what}: population counts must be numbers of at least 0; {len(bad)} are not "
               f"({'; '.join(cells)}).")
        raise DesignError(msg)
    if frame.duplicated().any():
        dup = frame[frame.duplicated()].iloc[0].tolist()
        msg = f"{what}: the cell {_cell_label(names, dup)} appears more than once."
        raise DesignError(msg)
    return names, frame.reset_index(drop=True), counts


def _cell_label(names: Sequence[str], values: Sequence[Any]) -> str:
    return ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))


def _sample_cells(data: pd.DataFrame, names: list[str], *, what: str
                  ) -> tuple[np.ndarray, pd.DataFrame]:
    sub = data[names]
    miss = sub.isna().any(axis=1)
    if miss.any():
        cols = [c for c in names if sub[c].isna().any()]
        msg = (f"{what}: {int(miss.sum())} respondent(s) have no value of {cols}; every "
               "respondent needs a cell. Give them a category (e.g. 'unknown') with its "
               "population count.")
        raise DesignError(msg)
    return cross_codes(sub)


def cross_codes(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes of the crossed cells of the columns of `frame` and the cells, in sorted order.

    As ``factor_codes`` of several columns, without building a MultiIndex of every row.
    """
    if frame.shape[1] == 1:
        return factor_codes(frame)
    parts = [factor_codes(frame[c]) for c in frame.columns]
    key = np.zeros(len(frame), dtype=np.int64)
    size = 1
    for codes, keys in parts:
        key = key * len(keys) + codes
        size *= len(keys)
    if size <= 8 * max(len(key), 1) and size < 200_000_000:  # no sort: mark the cells seen
        seen = np.zeros(size, dtype=bool)
        seen[key] = True
        uniq = np.flatnonzero(seen)
        inverse = (np.cumsum(seen) - 1)[key]
    else:
        uniq, inverse = np.unique(key, return_inverse=True)
    cols = {}
    rest = uniq.copy()
    for c, (_, keys) in zip(reversed(frame.columns), reversed(parts), strict=True):
        cols[c] = keys.iloc[rest % len(keys), 0].to_numpy()
        rest //= len(keys)
    cells = pd.DataFrame({c: cols[c] for c in frame.columns})
    return inverse.reshape(-1).astype(np.int64), cells


def _key(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(v.item() if isinstance(v, np.generic) else v for v in values)


def cell_index(data: pd.DataFrame, names: list[str], cells: pd.DataFrame, counts: np.ndarray,
               *, what: str, partial: bool = False) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Cell of each respondent among the population cells kept, and their counts.

    Refuses (naming them) sample cells without a population count and population
    cells with a positive count but no respondents (unless `partial`, which drops
    them with a warning, as R's ``partial=TRUE``); cells empty in both are dropped.
    """
    codes, keys = _sample_cells(data, names, what=what)
    pop = {_key(r): i for i, r in enumerate(cells.itertuples(index=False, name=None))}
    sample_keys = [_key(r) for r in keys.itertuples(index=False, name=None)]
    to_pop = np.array([pop.get(k, -1) for k in sample_keys], dtype=np.int64)
    problems = []
    absent = [k for k, j in zip(sample_keys, to_pop, strict=True) if j < 0 or counts[j] == 0]
    if absent:
        problems.append(f"{len(absent)} cell(s) with respondents have no population count "
                        f"(or 0): {'; '.join(_cell_label(names, k) for k in absent[:5])}")
    in_sample = np.zeros(len(cells), dtype=bool)
    in_sample[to_pop[to_pop >= 0]] = True
    empty = np.flatnonzero(~in_sample & (counts > 0))
    if len(empty) and not partial:
        labels = [_cell_label(names, cells.iloc[i].tolist()) for i in empty[:5]]
        problems.append(f"{len(empty)} population cell(s) have no respondents in the sample: "
                        f"{'; '.join(labels)} (merge them with a neighbouring cell, or pass "
                        "`partial=True` to leave them out, as R's partial=TRUE)")
    if problems:
        msg = f"{what} does not match the sample: " + ". ".join(problems) + "."
        hint = _type_hint(data, names, cells)
        raise DesignError(msg + hint)
    if len(empty):
        warnings.warn(f"{what}: {len(empty)} population cell(s) without respondents were left "
                      "out (partial=True); the weights do not add up to the population.",
                      ToolkitWarning, stacklevel=4)
    used = np.flatnonzero(in_sample)
    remap = np.full(len(cells), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    labels = [_cell_label(names, cells.iloc[i].tolist()) for i in used]
    return remap[to_pop[codes]], counts[used], labels


def _type_hint(data: pd.DataFrame, names: list[str], cells: pd.DataFrame) -> str:
    for n in names:
        a, b = data[n].dropna(), cells[n].dropna()
        if len(a) and len(b) and (pd.api.types.is_numeric_dtype(a) !=
                                  pd.api.types.is_numeric_dtype(b)):
            return (f" Column `{n}` holds {a.dtype} values in the data but {b.dtype} values in "
                    "the population table: give the categories as they appear in the data.")
    return ""


def _as_matrix(W: np.ndarray) -> tuple[np.ndarray, bool]:
    W = np.asarray(W, dtype=float)
    return (W[:, None], True) if W.ndim == 1 else (W, False)


def _cell_sums(idx: np.ndarray, ncell: int, W: np.ndarray) -> np.ndarray:
    """Sums of the columns of `W` (n x m) per cell, shape (ncell, m)."""
    if W.shape[1] == 1:
        return np.bincount(idx, weights=W[:, 0], minlength=ncell)[:, None]
    E = sparse.csr_matrix((np.ones(len(idx)), (idx, np.arange(len(idx)))), shape=(ncell, len(idx)))
    return np.asarray(E @ W)


def _indicator(idx: np.ndarray, ncell: int, values: np.ndarray) -> sparse.csr_matrix:
    """The n x ncell matrix with `values` at (row, idx[row]): one entry per row."""
    n = len(idx)
    return sparse.csr_matrix((np.asarray(values, dtype=float), idx, np.arange(n + 1)),
                             shape=(n, ncell))


# -- post-stratification and raking ----------------------------------------------------

def poststratify_weights(W: np.ndarray, idx: np.ndarray, counts: np.ndarray
                         ) -> tuple[np.ndarray, Residualiser]:
    """Post-stratified weights (each column to the cell counts) and the residualiser of column 0.

    As R ``postStratify``: each cell's weights are multiplied by population count
    over weighted sample count (for replicate columns, by their own weighted count,
    as ``postStratify.svyrep.design`` with combined weights).
    """
    Wm, vec = _as_matrix(W)
    ncell = len(counts)
    totals = _cell_sums(idx, ncell, Wm)
    ratio = counts[:, None] / totals
    new = Wm * ratio[idx]
    w0, w1 = Wm[:, 0], new[:, 0]
    res = Residualiser(_indicator(idx, ncell, w1), _indicator(idx, ncell, w0 / w1),
                       np.diag(1.0 / totals[:, 0]))
    return (new[:, 0] if vec else new), res


@dataclass
class Margin:
    """One raking margin: the cell of each respondent, the cell counts and labels."""

    names: list[str]
    idx: np.ndarray
    counts: np.ndarray
    labels: list[str]


def rake_weights(W: np.ndarray, margins: list[Margin], joint: np.ndarray, *, max_iter: int,
                 tol: float) -> tuple[np.ndarray, Residualiser, int, bool]:
    """Raked weights, the residualiser, the iterations run and whether they converged.

    R ``rake``: each iteration post-stratifies to every margin in turn; it stops
    when no cell of the joint table of the margins' columns (`joint`: the cell of
    each respondent) changes by `tol` or more (weighted count; a `tol` below 1 is
    a fraction of the total weight), after at most `max_iter` iterations.
    Replicate columns are post-stratified alongside; convergence is judged on
    column 0.
    """
    Wm, vec = _as_matrix(W)
    eps = tol * Wm[:, 0].sum() if tol < 1 else tol
    njoint = int(joint.max()) + 1
    old = np.bincount(joint, weights=Wm[:, 0], minlength=njoint)
    it, converged = 0, False
    psw: list[np.ndarray] = []
    while it < max_iter:
        psw = []
        for m in margins:
            totals = _cell_sums(m.idx, len(m.counts), Wm)
            Wm = Wm * (m.counts[:, None] / totals)[m.idx]
            psw.append(Wm[:, 0].copy())
        new = np.bincount(joint, weights=Wm[:, 0], minlength=njoint)
        if np.max(np.abs(old - new)) < eps:
            converged = True
            break
        old = new
        it += 1
    if not psw:  # max_iter < 1
        msg = "`max_iter` must be at least 1."
        raise DesignError(msg)
    return (Wm[:, 0] if vec else Wm), _rake_residualiser(margins, psw), it, converged


def _rake_residualiser(margins: list[Margin], psw: list[np.ndarray]) -> Residualiser:
    """R's ten sweeps of ``x - psw * ave(x / psw, margin)`` as one linear map."""
    B = sparse.hstack([_indicator(m.idx, len(m.counts), p) for m, p in zip(margins, psw,
                                                                          strict=True)]).tocsr()
    C = sparse.hstack([_indicator(m.idx, len(m.counts), 1.0 / p) for m, p in zip(margins, psw,
                                                                                strict=True)]).tocsr()
    G = np.asarray((C.T @ B).todense())
    sizes = [len(m.counts) for m in margins]
    starts = np.cumsum([0, *sizes])
    counts = np.concatenate([np.bincount(m.idx, minlength=len(m.counts)) for m in margins])
    q = starts[-1]
    alpha = np.zeros((q, q))
    t = np.eye(q)
    for _ in range(10):  # R svyrecvar: for (iterations in 1:10)
        for k in range(len(margins)):
            sl = slice(starts[k], starts[k + 1])
            alpha[sl] += (t[sl] - G[sl] @ alpha) / counts[sl, None]
    return Residualiser(B, C, alpha)


# -- GREG ---------------------------------------------------------------------------------

@dataclass
class Totals:
    """Model matrix of the calibration variables, their population totals and labels."""

    X: np.ndarray
    population: np.ndarray
    labels: list[str]


def calibration_matrix(data: pd.DataFrame, totals: Mapping[Any, Any]) -> Totals:
    """The calibration model matrix of `totals` (see ``Design.calibrate``)."""
    if isinstance(totals, pd.Series):
        totals = totals.to_dict()
    if not isinstance(totals, Mapping) or not totals:
        msg = ("`totals` must be a dict: a column name to its population total (numeric "
               "column), or to a dict/Series of the population count of each category "
               "(categorical column; a tuple of columns for crossed categories), and optionally "
               "'(Intercept)' to the population size.")
        raise ArgumentTypeError(msg)
    size = totals.get("(Intercept)")
    cols: list[np.ndarray] = []
    pop: list[float] = []
    labels: list[str] = []
    problems: list[str] = []
    first_cat = None
    n = len(data)
    for key, value in totals.items():
        if key == "(Intercept)":
            continue
        names = list(key) if isinstance(key, tuple) else [key]
        require_columns(data, {"totals": names}, where="the survey data")
        if isinstance(value, Mapping | pd.Series):
            levels = dict(value.items()) if isinstance(value, pd.Series) else dict(value)
            what = f"`totals[{key!r}]`"
            cells = pd.DataFrame([k if isinstance(k, tuple) else (k,) for k in levels],
                                 columns=names)
            counts = np.array(list(levels.values()), dtype=float)
            try:
                idx, kept, cell_labels = cell_index(data, names, cells, counts, what=what)
            except DesignError as err:
                problems.append(str(err))
                continue
            if first_cat is None:
                first_cat = (key, float(kept.sum()))
                drop = 0
            else:
                if abs(kept.sum() - first_cat[1]) > 1e-9 * max(1.0, first_cat[1]):
                    problems.append(
                        f"the counts of {key!r} add up to {kept.sum():,.6g} but those of "
                        f"{first_cat[0]!r} to {first_cat[1]:,.6g}; every categorical margin "
                        "must add up to the same population size")
                drop = 1
            for j in range(drop, len(kept)):
                cols.append((idx == j).astype(float))
                pop.append(float(kept[j]))
                labels.append(cell_labels[j])
        elif isinstance(value, Real) and not isinstance(value, bool):
            if len(names) != 1:
                msg = f"A numeric total belongs to one column, not to {key!r}."
                raise DesignError(msg)
            x = as_numeric(data[names[0]]).to_numpy(float)
            if np.isnan(x).any():
                problems.append(f"`{names[0]}` has {int(np.isnan(x).sum())} missing value(s); "
                                "every respondent needs a value of a calibration variable")
                continue
            cols.append(x)
            pop.append(float(value))
            labels.append(str(names[0]))
        else:
            msg = (f"`totals[{key!r}]` must be a number (numeric column) or a dict/Series of "
                   f"category counts, not {type(value).__name__}.")
            raise ArgumentTypeError(msg)
    if size is not None:
        if first_cat is not None:
            if abs(first_cat[1] - float(size)) > 1e-9 * max(1.0, float(size)):
                problems.append(f"'(Intercept)' gives a population of {float(size):,.6g} but the "
                                f"counts of {first_cat[0]!r} add up to {first_cat[1]:,.6g}")
        else:
            cols.insert(0, np.ones(n))
            pop.insert(0, float(size))
            labels.insert(0, "(Intercept)")
    if problems:
        msg = "The calibration totals do not match the sample: " + "; ".join(problems) + "."
        raise DesignError(msg)
    return Totals(np.column_stack(cols), np.asarray(pop), labels)


def _calfun(method: str, bounds: tuple[float, float]):
    lo, up = bounds
    if method == "linear":
        def fm1(u: np.ndarray) -> np.ndarray:
            return np.clip(u + 1, lo, up) - 1

        def df(u: np.ndarray) -> np.ndarray:
            return ((u < up - 1) & (u > lo - 1)).astype(float)
    elif method == "raking":
        def fm1(u: np.ndarray) -> np.ndarray:
            return np.clip(np.exp(u), lo, up) - 1

        def df(u: np.ndarray) -> np.ndarray:
            e = np.exp(u)
            return np.where((e < up) & (e > lo), e, 0.0)
    else:
        a = (up - lo) / ((up - 1) * (1 - lo))

        def fm1(u: np.ndarray) -> np.ndarray:
            e = np.exp(a * u)
            return (lo * (up - 1) + up * (1 - lo) * e) / (up - 1 + (1 - lo) * e) - 1

        def df(u: np.ndarray) -> np.ndarray:
            e = np.exp(a * u)
            den = up - 1 + (1 - lo) * e
            return (up * (1 - lo) * e * a / den
                    - (lo * (up - 1) + up * (1 - lo) * e) * ((1 - lo) * e * a) / den**2)
    return fm1, df


def _grake(X: np.ndarray, ww: np.ndarray, method: str, bounds: tuple[float, float],
           population: np.ndarray, *, max_iter: int, tol: float
           ) -> tuple[np.ndarray, np.ndarray, bool]:
    """Calibration factors g by Newton's method, as R ``grake``; also the misfit and success."""
    fm1, dF = _calfun(method, bounds)
    sample_total = X.T @ ww
    with np.errstate(divide="ignore", invalid="ignore"):
        scales = population / sample_total
    scale = None
    if np.min(scales) > _RESCALE:  # R: weights rescaled, bounds read after rescaling
        scale = float(np.mean(scales))
        ww = ww * scale
        sample_total = sample_total * scale
    eta = np.zeros(X.shape[1])
    xeta = X @ eta
    deriv = dF(xeta)
    it = 1
    rcond = 256 * np.finfo(float).eps
    ok = True
    while True:
        T = (X * (ww * deriv)[:, None]).T @ X
        misfit = population - sample_total - X.T @ (ww * fm1(xeta))
        deta = np.linalg.pinv(T, rcond=rcond) @ misfit
        eta = eta + deta
        xeta = X @ eta
        with np.errstate(over="ignore", invalid="ignore"):
            g = 1 + fm1(xeta)
            deriv = dF(xeta)
            while it < max_iter and not (np.isfinite(g).all() and np.isfinite(deriv).all()):
                it += 1
                deta = deta / 2
                eta = eta - deta
                xeta = X @ eta
                g = 1 + fm1(xeta)
                deriv = dF(xeta)
        misfit = population - sample_total - X.T @ (ww * fm1(xeta))
        if np.all(np.abs(misfit) / (1 + np.abs(population)) < tol):
            break
        it += 1
        if it > max_iter:
            ok = False
            break
    if scale is not None:
        g = g * scale
    return g, misfit, ok


def trim_factors(g: np.ndarray, ww: np.ndarray, trim: tuple[float, float]) -> tuple[np.ndarray,
                                                                                     int]:
    """Calibration factors clipped to `trim`, the excess spread over the others (R ``trim=``)."""
    lo, up = trim
    new = np.clip(g, lo, up)
    outside = (g < lo) | (g > up)
    if outside.any():
        trimmings = (g - new) * ww
        new[~outside] += trimmings.sum() / ww[~outside].sum()
        return new, int(outside.sum())
    return g, 0


def _check_bounds(bounds: Any, method: str, name: str) -> tuple[float, float]:
    if bounds is None:
        if method == "logit":
            msg = ("Logit calibration needs finite `bounds` on the weight ratios, e.g. "
                   "bounds=(0.5, 2).")
            raise DesignError(msg)
        return (-np.inf, np.inf)
    try:
        lo, up = (float(b) for b in bounds)
    except (TypeError, ValueError) as err:
        msg = f"`{name}` must be a pair (lower, upper) of numbers, not {bounds!r}."
        raise ArgumentTypeError(msg) from err
    if not lo < 1 < up:
        msg = (f"`{name}` = {bounds!r} must contain 1 (lower < 1 < upper): the ratio of a "
               "calibrated to the original weight.")
        raise DesignError(msg)
    return lo, up


def calibrate_weights(W: np.ndarray, totals: Totals, *, method: str, bounds: Any, trim: Any,
                      max_iter: int, tol: float) -> tuple[np.ndarray, Residualiser]:
    """GREG-calibrated weights (each column) and the residualiser of column 0, as R ``calibrate``.

    ``method="linear"`` without bounds is the closed-form regression estimator
    (R ``regcalibrate``); otherwise R's ``grake`` Newton iterations with the
    calibration function and bounds on g. `trim` clips g and spreads the excess
    weight over the untrimmed respondents. Replicate columns are calibrated to the
    same totals, each on its own weights (R ``calibrate.svyrep.design``).
    """
    check_choice(method, METHODS, param="method")
    lo_up = _check_bounds(bounds, method, "bounds")
    trim_b = None if trim is None else _check_bounds(trim, "linear", "trim")
    Wm, vec = _as_matrix(W)
    X, pop = totals.X, totals.population
    closed = method == "linear" and bounds is None
    out = np.empty_like(Wm)
    g0 = None
    T0 = X.T @ (X * Wm[:, :1])  # X' W X of the full sample: also the residuals' K
    for j in range(Wm.shape[1]):
        ww = Wm[:, j]
        if closed:
            T = T0 if j == 0 else X.T @ (X * ww[:, None])
            try:
                tt = np.linalg.solve(T, pop - X.T @ ww)
            except np.linalg.LinAlgError as err:
                msg = (f"The calibration variables {totals.labels} are collinear in the sample; "
                       "leave out one of the redundant totals.")
                raise DesignError(msg) from err
            g = 1 + X @ tt
        else:
            g, misfit, ok = _grake(X, ww, method, lo_up, pop, max_iter=max_iter, tol=tol)
            if trim_b is not None:
                g, count = trim_factors(g, ww, trim_b)
                ok = ok or count > 0
            if not ok and j == 0:
                raise DesignError(_failure(totals, misfit, method, bounds, max_iter))
        if trim_b is not None and closed:
            g, _ = trim_factors(g, ww, trim_b)
        out[:, j] = ww * g
        if j == 0:
            g0 = g
    w1 = out[:, 0]
    if np.any(w1 <= 0):
        warnings.warn(f"{int((w1 <= 0).sum())} calibrated weight(s) are zero or negative; give "
                      "`bounds=` (e.g. (0.2, 5)) to keep the weights positive.",
                      ToolkitWarning, stacklevel=3)
    res = Residualiser(X * w1[:, None], X / g0[:, None], np.linalg.pinv(T0))
    return (out[:, 0] if vec else out), res


def _failure(totals: Totals, misfit: np.ndarray, method: str, bounds: Any, max_iter: int) -> str:
    rel = np.abs(misfit) / (1 + np.abs(totals.population))
    worst = np.argsort(-rel)[:3]
    parts = [f"{totals.labels[i]} (population {totals.population[i]:,.6g}, calibrated weights "
             f"reach {totals.population[i] - misfit[i]:,.6g})" for i in worst if rel[i] > 0]
    return (f"The {method} calibration could not meet the totals within bounds {bounds!r} in "
            f"{max_iter} iterations: {'; '.join(parts)}. Widen `bounds`, merge sparse "
            "categories, or check the totals.")


# -- trimming ----------------------------------------------------------------------------------

def trim_weights(W: np.ndarray, *, lower: float, upper: float, strict: bool) -> np.ndarray:
    """Weights clipped to [lower, upper], the excess shared equally (R ``trimWeights``).

    Each column is trimmed on its own; with `strict` the step is repeated until no
    weight lies outside the bounds.
    """
    Wm, vec = _as_matrix(W)
    out = Wm.copy()
    for j in range(out.shape[1]):
        w = out[:, j]
        for _ in range(1000):
            outside = (w < lower) | (w > upper)
            if not outside.any():
                break
            if outside.all():
                msg = (f"Every weight lies outside [{lower}, {upper}]; nothing is left to "
                       "take up the trimmed weight.")
                raise DesignError(msg)
            new = np.clip(w, lower, upper)
            new[~outside] += (w - new).sum() / (~outside).sum()
            w = new
            if not strict:
                break
        out[:, j] = w
    return out[:, 0] if vec else out


# -- one calibration step of a design ------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """A calibration step as the user asked for it (re-applied to replicate weights)."""

    kind: str
    args: tuple[tuple[str, Any], ...]

    def get(self, name: str) -> Any:
        """The argument `name`."""
        return dict(self.args)[name]

    def describe(self) -> str:
        """A short description for reprs."""
        return self.kind


def apply_step(W: np.ndarray, data: pd.DataFrame, step: Step
               ) -> tuple[np.ndarray, Residualiser | None]:
    """The weights after `step` (each column of `W`) and the residualiser of column 0."""
    if step.kind == "poststratify":
        what = "`population`"
        names, cells, counts = population_table(step.get("population"), data, what=what)
        idx, kept, _ = cell_index(data, names, cells, counts, what=what,
                                  partial=step.get("partial"))
        return poststratify_weights(W, idx, kept)
    if step.kind == "rake":
        margins = step.get("margins")
        if isinstance(margins, pd.DataFrame | pd.Series) or not isinstance(margins, Sequence):
            msg = ("`margins` must be a list of population tables (one DataFrame or Series of "
                   "counts per margin), e.g. [pop_sex, pop_region].")
            raise ArgumentTypeError(msg)
        parsed, problems, columns = [], [], []
        for i, table in enumerate(margins):
            what = f"`margins[{i}]`"
            names, cells, counts = population_table(table, data, what=what)
            try:
                idx, kept, labels = cell_index(data, names, cells, counts, what=what)
            except DesignError as err:
                problems.append(str(err))
                continue
            parsed.append(Margin(names, idx, kept, labels))
            columns += [c for c in names if c not in columns]
        if problems:
            raise DesignError(" ".join(problems))
        joint, _ = cross_codes(data[columns])
        new, res, it, converged = rake_weights(W, parsed, joint, max_iter=step.get("max_iter"),
                                               tol=step.get("tol"))
        if not converged:
            warnings.warn(f"Raking did not converge in {it} iterations (`max_iter`): some "
                          "margins are not met to `tol`. Raise `max_iter`, or check that the "
                          "margins add up to the same population.", ToolkitWarning,
                          stacklevel=4)
        return new, res
    if step.kind == "calibrate":
        totals = calibration_matrix(data, step.get("totals"))
        return calibrate_weights(W, totals, method=step.get("method"), bounds=step.get("bounds"),
                                 trim=step.get("trim"), max_iter=step.get("max_iter"),
                                 tol=step.get("tol"))
    lower, upper = step.get("lower"), step.get("upper")
    return trim_weights(W, lower=-np.inf if lower is None else float(lower),
                        upper=np.inf if upper is None else float(upper),
                        strict=step.get("strict")), None
