"""Compiled one-pass sums over the rows of a survey, for the design estimators.

A design estimate reads each row once: its weight, its value and the entry it
falls in, an (estimator unit, group) pair or, when every row is its own PSU, a
(stratum, group) cell. numpy needs a separate pass (and a full-length
temporary) for each product and each grouped sum; these kernels, compiled by
numba, do all of them in one pass, so a domain mean costs about one weighted
``np.bincount``. Rows are summed in row order, as ``np.bincount`` does, so the
per-pair sums equal the numpy ones exactly.

The kernels are compiled on first use and cached on disk (numba ``cache=True``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit


def _read_only(a: np.ndarray) -> np.ndarray:
    """`a` as a read-only C-contiguous array (a view when it already is contiguous).

    numba compiles one version per argument type, and an array's type includes
    whether it is writeable; pandas hands out both kinds. One kind, one compile.
    """
    a = np.ascontiguousarray(a)
    if a.flags.writeable:
        a = a.view()
        a.flags.writeable = False
    return a


def _kernel(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Compile `fn` with numba (cached on disk); arrays are passed read-only."""
    compiled = njit(cache=True, nogil=True)(fn)

    @functools.wraps(fn)
    def run(*args: Any) -> Any:
        return compiled(*(_read_only(a) if isinstance(a, np.ndarray) else a for a in args))

    run.compiled = compiled  # type: ignore[attr-defined]
    return run


@_kernel
def pair_moments(q: np.ndarray, w: np.ndarray, y: np.ndarray, size: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per entry (a (unit, group) pair or a (stratum, group) cell): rows, Σw, Σwy, Σwy².

    Rows with ``q < 0`` (outside every group) or a missing ``y`` are left out.

    Examples
    --------
    >>> q = np.array([0, 1, 1, -1]); w = np.array([1.0, 2.0, 2.0, 9.0])
    >>> y = np.array([3.0, 1.0, np.nan, 5.0])
    >>> cnt, sw, swy, swy2 = pair_moments(q, w, y, 2)
    >>> cnt.tolist(), sw.tolist(), swy.tolist(), swy2.tolist()
    ([1.0, 1.0], [1.0, 2.0], [3.0, 2.0], [9.0, 2.0])
    """
    cnt = np.zeros(size)
    sw = np.zeros(size)
    swy = np.zeros(size)
    swy2 = np.zeros(size)
    for i in range(q.shape[0]):
        k = q[i]
        yi = y[i]
        if k < 0 or yi != yi:
            continue
        wi = w[i]
        wy = wi * yi
        cnt[k] += 1.0
        sw[k] += wi
        swy[k] += wy
        swy2[k] += wy * yi
    return cnt, sw, swy, swy2


@_kernel
def centred_squares(q: np.ndarray, w: np.ndarray, y: np.ndarray, centre: np.ndarray,
                    size: int) -> np.ndarray:
    """Per entry: Σ (w (y - c))², with `c` the entry's value of `centre`.

    The rows' own squared influence totals, summed per (stratum, group) cell for a
    design whose unit is the row. Rows with ``q < 0`` or a missing ``y`` are left out.

    Examples
    --------
    >>> q = np.array([0, 0, 1]); w = np.array([1.0, 2.0, 1.0])
    >>> centred_squares(q, w, np.array([1.0, 3.0, 5.0]), np.array([2.0, 0.0]), 2).tolist()
    [5.0, 25.0]
    """
    out = np.zeros(size)
    for i in range(q.shape[0]):
        k = q[i]
        yi = y[i]
        if k < 0 or yi != yi:
            continue
        d = w[i] * (yi - centre[k])
        out[k] += d * d
    return out


@_kernel
def cell_weights(q: np.ndarray, level: np.ndarray, w: np.ndarray, nlev: int, size: int,
                 nsum: int) -> np.ndarray:
    """Σw and the number of rows (and Σw² when `nsum` is 3) per entry and level.

    An entry is a (unit, group) pair or a (stratum, group) cell. Rows with
    ``q < 0`` (outside every group) or ``level < 0`` (missing) are left out.
    Returns shape ``(size * nlev, nsum)``: row ``entry * nlev + level`` holds
    (Σw, rows[, Σw²]). The sums of a cell sit side by side, so a row touches
    one cache line.

    Examples
    --------
    >>> q = np.array([0, 0, 1, 1]); level = np.array([0, 1, 1, -1], dtype=np.int8)
    >>> cell_weights(q, level, np.array([1.0, 2.0, 3.0, 4.0]), 2, 2, 3).tolist()
    [[1.0, 1.0, 1.0], [2.0, 1.0, 4.0], [0.0, 0.0, 0.0], [3.0, 1.0, 9.0]]
    """
    out = np.zeros((size * nlev, nsum))
    for i in range(q.shape[0]):
        k = q[i]
        j = level[i]
        if k < 0 or j < 0:
            continue
        cell = k * nlev + j
        wi = w[i]
        out[cell, 0] += wi
        out[cell, 1] += 1.0
        if nsum > 2:
            out[cell, 2] += wi * wi
    return out
