"""Compiled one-pass sums over the rows of a survey, for the design estimators.

A design estimate reads each row once: its weight, its value and the (estimator
unit, group) pair it falls in. numpy needs a separate pass (and a full-length
temporary) for each product and each grouped sum; these kernels, compiled by
numba, do all of them in one pass, so a domain mean costs about one weighted
``np.bincount``. Rows are summed in row order, as ``np.bincount`` does, so the
per-pair sums equal the numpy ones exactly.

The kernels are compiled on first use and cached on disk (numba ``cache=True``).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def pair_moments(q: np.ndarray, w: np.ndarray, y: np.ndarray, size: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per (unit, group) pair: rows, Σw, Σwy and Σwy².

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


@njit(cache=True, nogil=True)
def cell_weights(q: np.ndarray, level: np.ndarray, w: np.ndarray, nlev: int, size: int
                 ) -> np.ndarray:
    """Σw and the number of rows per (unit, group) pair and level.

    Rows with ``q < 0`` (outside every group) or ``level < 0`` (missing) are
    left out. Returns shape ``(size * nlev, 2)``: row ``pair * nlev + level``
    holds (Σw, rows). The two sums of a cell sit side by side, so a row
    touches one cache line.

    Examples
    --------
    >>> q = np.array([0, 0, 1, 1]); level = np.array([0, 1, 1, -1], dtype=np.int8)
    >>> cell_weights(q, level, np.array([1.0, 2.0, 3.0, 4.0]), 2, 2).tolist()
    [[1.0, 1.0], [2.0, 1.0], [0.0, 0.0], [3.0, 1.0]]
    """
    out = np.zeros((size * nlev, 2))
    for i in range(q.shape[0]):
        k = q[i]
        j = level[i]
        if k < 0 or j < 0:
            continue
        cell = k * nlev + j
        out[cell, 0] += w[i]
        out[cell, 1] += 1.0
    return out
