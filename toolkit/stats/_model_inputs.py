"""Inputs of the model functions: the frame, the design, the formula's columns.

Shared by :func:`~toolkit.stats.regress` (``glm``), :func:`~toolkit.stats.ologit`
(``ordinal``) and :func:`~toolkit.stats.multilevel` (``mixed``), together with the
design-based covariance of an estimating equation (the linearisation engine,
:mod:`toolkit.stats._linearise`, through ``Design.influence_vcov``).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import as_table, close_matches, is_study
from toolkit._values import as_numeric
from toolkit.errors import ColumnNotFoundError, DesignError

__all__ = ["alias_message", "aliased_columns", "caller_env", "design_vcov", "design_weights",
           "formula_names", "frame_and_design", "level_notes", "prepare"]


def caller_env() -> dict[str, Any]:
    """Namespace of the code calling a public model function (functions used in formulas)."""
    import sys

    frame = sys._getframe(2)
    while frame.f_back is not None and frame.f_globals.get("__name__") == "toolkit._docs":
        frame = frame.f_back  # the wrapper keeping an old keyword working (`renamed`)
    env = dict(frame.f_globals)
    env.update(frame.f_locals)
    return env


def formula_names(formula: str, re_formula: str | None, frame: pd.DataFrame) -> set[str]:
    """Columns of `frame` named in the formulas (whole-word matches)."""
    text = formula + " " + (re_formula or "")
    return {c for c in frame.columns if re.search(rf"(?<![\w.]){re.escape(str(c))}(?![\w.])",
                                                   text)}


def frame_and_design(data: Any, design: Any, *, where: str | None = None,
                     ) -> tuple[pd.DataFrame, Any]:
    """The survey frame and the Design object (``design=True`` takes ``study.design``)."""
    frame = as_table(data, "survey", where=where)
    if design is True:
        if not is_study(data):
            msg = ("`design=True` needs a Study (it uses `study.design`); with a DataFrame "
                   "pass `design=tk.stats.Design(data, weights=..., strata=..., cluster=...)`.")
            raise DesignError(msg)
        design = data.design
    if design is False:
        design = None
    return frame, design


def _names_in(formula: str, columns: pd.Index) -> list[str]:
    """Columns of the frame whose names occur as identifiers in `formula`."""
    tokens = set(re.findall(r"[^\W\d][\w.]*", formula)) | set(re.findall(r"Q\(['\"](.+?)['\"]\)",
                                                                       formula))
    return [c for c in columns if str(c) in tokens]


def prepare(frame: pd.DataFrame, formula: str, *, outcome_numeric: bool) -> pd.DataFrame:
    """Copy of the formula's columns in types patsy understands.

    Nullable booleans become 0/1 floats, pandas string columns object, and (when
    `outcome_numeric`) a categorical outcome its numeric codes via ``as_numeric``.
    """
    if "~" not in formula:
        msg = f"`formula` must have an outcome, e.g. 'y ~ x'; got {formula!r}."
        raise ValueError(msg)
    lhs = formula.split("~", 1)[0].strip()
    used = _names_in(formula, frame.columns)
    if lhs and lhs not in frame.columns and not re.search(r"\W", lhs):
        close = close_matches(lhs, frame.columns)
        hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
        msg = (f"The outcome `{lhs}` of `formula` is not a column of `data`.{hint} "
               f"Available: {list(frame.columns)}.")
        raise ColumnNotFoundError(msg)
    out = {}
    for col in used:
        s = frame[col]
        if col == lhs and outcome_numeric and (
            isinstance(s.dtype, pd.CategoricalDtype) or str(s.dtype) == "boolean"
            or pd.api.types.is_bool_dtype(s.dtype)
        ):
            s = as_numeric(s)
        elif str(s.dtype) == "boolean" or pd.api.types.is_bool_dtype(s.dtype):
            s = s.astype("Float64").astype("float64")
        elif isinstance(s.dtype, pd.CategoricalDtype):
            pass
        elif pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
            s = s.astype(object).where(s.notna(), None)
        elif (isinstance(s.dtype, pd.api.extensions.ExtensionDtype)
              and pd.api.types.is_numeric_dtype(s.dtype)):
            s = s.astype("float64")
        out[col] = s
    prepared = pd.DataFrame(out, index=frame.index)
    return _drop_unused_levels(prepared, lhs)


def _drop_unused_levels(prepared: pd.DataFrame, lhs: str) -> pd.DataFrame:
    """Categories of the predictors that no complete row holds are removed, as R's model frame.

    R (``model.frame(drop.unused.levels = TRUE)`` in ``lm``/``glm``/``svyglm``)
    drops them, so an absent first category does not become the baseline. Text
    columns become categoricals of their levels present (in sorted order, as
    the formula engine orders them). ``attrs["dropped_levels"]`` maps each
    column to the categories removed.
    """
    complete = prepared.notna().all(axis=1).to_numpy()
    dropped: dict[str, list[str]] = {}
    for col in prepared.columns:
        s = prepared[col]
        if col == lhs:
            continue
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = s.cat.codes.to_numpy()[complete]
            used = np.bincount(codes[codes >= 0], minlength=len(s.cat.categories)) > 0
            if used.all():
                continue
            dropped[col] = [str(c) for c in s.cat.categories[~used]]
            prepared[col] = s.cat.remove_categories(list(s.cat.categories[~used]))
        elif pd.api.types.is_object_dtype(s.dtype) and not complete.all():
            values = s[s.notna()]
            if values.map(type).eq(str).all():
                present = set(s[complete].dropna())
                absent = sorted(set(values) - present)
                if absent:
                    dropped[col] = absent
                    prepared[col] = s.where(s.isin(present), None)
    prepared.attrs["dropped_levels"] = dropped
    return prepared


def level_notes(prepared: pd.DataFrame) -> list[str]:
    """The summary note naming the unused categories removed by :func:`prepare`."""
    dropped = prepared.attrs.get("dropped_levels") or {}
    if not dropped:
        return []
    parts = "; ".join(f"{col}: {', '.join(levels)}" for col, levels in dropped.items())
    return [f"Categories without respondents in the estimation sample dropped (as R): {parts}."]


def aliased_columns(exog: np.ndarray, *, weights: np.ndarray | None = None,
                    intercept: bool = False, tol: float = 1e-7) -> list[int]:
    """Columns of `exog` that are constant or linear combinations of earlier ones.

    R's rule (``lm``/``glm`` via LINPACK ``dqrdc2``, ``tol = 1e-7``): taken in
    order, a column is aliased when its residual on the columns kept before it
    is below `tol` times its own norm. With `intercept` (ordered models, whose
    cut-points play its part) a column of ones comes first and is kept.
    `weights` scale the rows by their square root, as a weighted fit does.
    """
    x = np.asarray(exog, dtype=float)
    if weights is not None:
        x = x * np.sqrt(np.asarray(weights, dtype=float))[:, None]
    basis: list[np.ndarray] = []
    if intercept:
        one = np.ones(len(x)) if weights is None else np.sqrt(np.asarray(weights, float))
        basis.append(one / np.linalg.norm(one))
    out = []
    for j in range(x.shape[1]):
        col = x[:, j]
        norm = np.linalg.norm(col)
        resid = col.copy()
        for _ in range(2):  # twice: Gram-Schmidt with re-orthogonalisation
            for b in basis:
                resid -= (b @ resid) * b
        rnorm = np.linalg.norm(resid)
        if norm == 0 or rnorm < tol * norm:
            out.append(j)
        else:
            basis.append(resid / rnorm)
    return out


def alias_message(names: list[str]) -> str:
    """The warning and note for predictors dropped as constant or collinear."""
    return (f"Dropped {', '.join(f'`{n}`' for n in names)}: constant, or a linear combination "
            "of the terms before it in the formula, so its coefficient cannot be estimated "
            "(R reports it as NA, 'not defined because of singularities'). Remove it from "
            "the formula.")



def design_vcov(design: Any, index: pd.Index, rows: pd.Index, u: np.ndarray, *,
                refit: Any = None, estimate: np.ndarray | None = None
                ) -> tuple[np.ndarray, int]:
    """Design covariance of estimating-equation totals and the design's degrees of freedom.

    `u` holds the influence values (score times bread) of the model rows `rows`
    of the design's data (index `index`); the other respondents get 0 and stay in
    the design (R ``svyglm``/``svyolr`` on the design without the rows with
    missing values). Returns the covariance and ``degf`` of that sub-design.

    A replicate-weight design (``ReplicateDesign``) refits the model with each
    replicate's weights instead: `refit` maps the weights of the model rows to the
    estimates, `estimate` is the full-sample fit; the degrees of freedom are then
    the design's (R ``svyglm``/``svyolr`` on a ``svyrep.design``).
    """
    pos = index.get_indexer(rows)
    replicate = getattr(design, "replicate_vcov", None)
    if replicate is not None and refit is not None:
        return replicate(refit, pos, estimate=estimate), design.degf
    full = np.zeros((len(index), u.shape[1]))
    full[pos] = u
    used = np.zeros(len(index), dtype=bool)
    used[pos] = True
    return design.influence_vcov(full, rows=used), design._degf(used)


def design_weights(design: Any, index: pd.Index) -> np.ndarray:
    """The sampling weights of `design`, checked to belong to the rows `index`."""
    ddata = getattr(design, "data", None)
    if ddata is None or not hasattr(design, "influence_vcov"):
        msg = "`design` must be a tk.stats.Design (or True with a Study)."
        raise DesignError(msg)
    if not isinstance(ddata, pd.DataFrame) or not ddata.index.equals(index):
        msg = ("The rows of `data` are not the rows of the design's data. Pass the design's "
               "own data frame, or a Study with `design=True`.")
        raise DesignError(msg)
    return np.asarray(design._w, dtype=float)
