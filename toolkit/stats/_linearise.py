r"""The one Taylor-linearisation variance engine of the survey design.

Every design-based variance of the toolkit is computed here: the estimators of
:class:`toolkit.stats.Design` (``mean``, ``total``, ``prop``, ``quantile``,
``crosstab`` and their ``.by(...)`` domains), ``Design.influence_vcov``, the
design-based models (``regress``/``ologit`` with ``design=``), ``change`` with a
design, and the large-data design (``_design_large``), which hands in weighted
sums computed inside DuckDB or Dask.

The formulas are R ``survey::svyrecvar`` (``multistage``/``onestage``/
``onestrat``, survey 4.1). With influence values :math:`u_i` (one column per
estimate), :math:`z_{hc}` their total over first-stage unit (PSU) :math:`c` of
stratum :math:`h`, :math:`n_h` PSUs sampled of :math:`N_h`,

.. math:: V_1 = \sum_h (1-\tfrac{n_h}{N_h})\tfrac{n_h}{n_h-1}
          \sum_c (z_{hc}-\bar z_h)(z_{hc}-\bar z_h)^T

and, with fpc at the second stage as well, every PSU adds
:math:`\tfrac{n_h}{N_h}(1-\tfrac{m_c}{M_c})\tfrac{m_c}{m_c-1}\sum_j
(z_{cj}-\bar z_c)(z_{cj}-\bar z_c)^T` over its :math:`m_c` sampled second-stage
units :math:`j` of :math:`M_c`.

Rules at every stage (R's):

- a group taken whole (:math:`n = N`, a *certainty* stratum or PSU) adds
  nothing and needs no option; under ``"average"`` it still counts as a stratum
  with a variance;
- a group with a single sampled unit out of more (*lonely*) follows
  ``lonely_psu`` (R ``options(survey.lonely.psu)``): ``"fail"`` raises,
  ``"certainty"``/``"remove"`` add nothing, ``"adjust"`` centres the unit at
  zero (the grand mean of influence values) instead of the stratum mean,
  ``"average"`` replaces the lonely strata by the average of the others:
  :math:`V \cdot S / S_{ok}` with :math:`S` the strata present in the
  estimation domain and :math:`S_{ok}` those of them that are not lonely. At the
  second stage ``"average"`` acts as ``"remove"`` (R returns NaN there);
- domains: rows outside the domain (or with a missing value) have
  :math:`u_i = 0` and the design is kept, which is R's domain estimation; under
  ``"average"`` the stratum counts :math:`S, S_{ok}` are those of the strata
  with rows in the domain (``present``), as R's subset designs count them.

Inputs come at three levels, so every caller aggregates as early as it can:

- rows: a dense ``(n, p)`` array (:meth:`Linearisation.vcov`) or triplets
  ``(row, column, value)`` for many estimates at once (:meth:`Linearisation.variance`);
- unit totals: totals over the finest sampled unit (the PSU, or the
  second-stage unit), dense or as triplets (:meth:`Linearisation.vcov_totals`,
  :meth:`Linearisation.variance_totals`): the estimators of ``Design`` compute
  these with one ``bincount`` over (unit x estimate) and never form the
  row-level influence matrix;
- stratum sums: per stratum and estimate the sum of the PSU totals and of their
  squares (:meth:`Stage.variance`), which is what the large-data kernel gets
  back from its ``GROUP BY``.

Calibration and replicate weights
---------------------------------
- *Calibration* (post-stratification, raking, GREG; :mod:`toolkit.stats._calibration`):
  the influence values are replaced by their calibration residuals
  :math:`u - B K C^T u` before they reach the stages, as R ``svyrecvar`` does with a
  design's ``postStrata``. A calibrated design's :class:`Linearisation` carries the
  ``residualise`` map (:meth:`Linearisation.calibrated`); its estimators then sum
  their influence values per *row* (``unit`` is the row), and the engine
  residualises and sums them to the sampled units: densely for :meth:`vcov_totals`,
  and from triplets without forming the residuals row by row for
  :meth:`variance_totals` (only the unit x estimate grid of the correction
  :math:`b_c^T\beta`). Under ``"average"`` a calibrated design's domains count every
  stratum (R keeps the rows outside a calibrated domain with weight zero).
- *Replicate weights* (:mod:`toolkit.stats.replicate`) need no linearisation: a
  replicate design's engine (``ReplicateVariance``) offers the same operators
  (``vcov``, ``vcov_totals``, ``variance_totals``, ``degf``, ``unit``, ...). The
  estimators pass ``denom=``, the unit totals of a ratio's denominator, with the
  influence totals; linearisation ignores it, the replicate engine needs it to turn
  influence totals into exact replicate estimates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from toolkit.errors import DesignError

__all__ = ["LONELY_PSU", "Z975", "Linearisation", "Stage", "check_lonely_psu", "factor_codes",
           "lonely_message", "pair_index", "stratum_fpc"]

#: The ``lonely_psu`` choices, as R ``options(survey.lonely.psu=)``.
LONELY_PSU = ("fail", "adjust", "average", "certainty", "remove")
#: Normal 97.5% quantile of the Wald intervals.
Z975 = float(sps.norm.ppf(0.975))
#: Largest (unit x estimate) grid summed densely; above it only the pairs present are summed.
DENSE_LIMIT = 4_000_000
#: A group whose 1 - n/N is below this was taken whole (R's threshold).
_CERTAIN = 1e-7


def check_lonely_psu(value: Any) -> str:
    """Return `value` when it is a ``lonely_psu`` choice, else raise DesignError."""
    if value not in LONELY_PSU:
        msg = (f"`lonely_psu` must be one of {', '.join(map(repr, LONELY_PSU))}, not "
               f"{value!r} (as R's options(survey.lonely.psu)).")
        raise DesignError(msg)
    return value


def lonely_message(count: int, labels: list[Any], *, stage: int = 1) -> str:
    """The message for strata (or PSUs) with a single sampled unit under ``"fail"``."""
    if stage == 1:
        what = f"{count} stratum/strata have a single PSU ({labels[:5]})"
    else:
        what = f"{count} first-stage cluster(s) have a single second-stage unit"
    return (f"{what} and more in the population: its variance cannot be estimated. Merge it "
            "with a similar stratum, or pass `lonely_psu=` \"adjust\" (centre at the grand "
            "mean, conservative), \"average\" (average of the other strata), or "
            "\"certainty\"/\"remove\" (no contribution), as R's options(survey.lonely.psu). "
            "A stratum sampled whole (fpc equal to the number of PSUs) needs no option.")


def stratum_fpc(values: np.ndarray, n_h: np.ndarray, *, fpc: str) -> tuple[np.ndarray, np.ndarray]:
    """Sampling fraction and population number of units per group from one fpc value each.

    Values all at most 1 are sampling fractions (as R ``svydesign`` reads them);
    otherwise they are population numbers of units.

    Examples
    --------
    >>> f, pop = stratum_fpc(np.array([0.1]), np.array([2.0]), fpc="fpc")
    >>> float(f[0]), float(pop[0])
    (0.1, 20.0)
    """
    values = np.asarray(values, dtype=float)
    if np.all(values <= 1):
        f_h = values.copy()
        return f_h, n_h / np.where(f_h > 0, f_h, np.nan)
    if np.any(values < n_h - 1e-9):
        msg = (f"fpc column `{fpc}` gives a population smaller than the number "
               "of sampled units in some stratum (or PSU); give the population number of "
               "units or the sampling fraction.")
        raise DesignError(msg)
    return n_h / values, values


def factor_codes(values: pd.Series | pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer codes (-1 for missing) and the frame of distinct keys in order."""
    if isinstance(values, pd.Series):
        values = values.to_frame()
    if values.shape[1] == 1:
        col = values.iloc[:, 0]
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes = col.cat.codes.to_numpy().astype(np.int64)
            ncat = len(col.cat.categories)
            used = np.flatnonzero(np.bincount(codes + 1, minlength=ncat + 1)[1:] > 0)
            remap = np.full(len(col.cat.categories) + 1, -1, dtype=np.int64)
            remap[used] = np.arange(len(used))
            codes = np.where(codes >= 0, remap[codes], -1)
            keys = pd.DataFrame({values.columns[0]: pd.Categorical.from_codes(
                used, dtype=col.dtype)})
            return codes, keys
        codes, uniques = pd.factorize(col, sort=True)
        return codes.astype(np.int64), pd.DataFrame({values.columns[0]: uniques})
    index = pd.MultiIndex.from_frame(values)
    codes, uniques = pd.factorize(index, sort=True)
    keys = uniques.to_frame(index=False) if len(uniques) else values.iloc[:0]
    keys.columns = values.columns  # factorize drops the level names of a MultiIndex
    return codes.astype(np.int64), keys.reset_index(drop=True)


class Stage:
    """Variance factors of one sampling stage, per group of units.

    At the first stage a group is a stratum and its units are PSUs; at the
    second stage a group is a PSU and its units are second-stage units.

    Parameters
    ----------
    n_sampled : ndarray
        Units sampled in each group.
    fraction : ndarray, optional
        Sampling fraction :math:`n/N` of each group (``None``: with replacement,
        no finite-population correction).
    multiplier : ndarray, optional
        Factor of each group's contribution (at the second stage: the
        first-stage sampling fraction of the PSU's stratum, as R).
    lonely_psu : str
        The rule for groups with a single sampled unit (see the module notes).
    stage : int, default 1
        1 or 2; at stage 2 ``"average"`` acts as ``"remove"``.

    Examples
    --------
    >>> st = Stage(np.array([2.0, 3.0]), None, lonely_psu="fail")
    >>> s1, s2 = np.array([[0.0], [0.0]]), np.array([[2.0], [3.0]])
    >>> float(st.variance(s1, s2)[0])  # 2/1 * 2 + 3/2 * 3
    8.5
    """

    def __init__(self, n_sampled: np.ndarray, fraction: np.ndarray | None, *,
                 multiplier: np.ndarray | None = None, lonely_psu: str = "fail",
                 stage: int = 1) -> None:
        n = np.asarray(n_sampled, dtype=float)
        factor = np.ones(len(n)) if fraction is None else 1.0 - np.asarray(fraction, float)
        self.n = n
        self.fpc_factor = factor
        self.certain = factor < _CERTAIN
        self.lonely = (n == 1) & ~self.certain
        self.lonely_psu = lonely_psu
        self.stage = stage
        scale = np.where(n > 1, factor * n / np.maximum(n - 1, 1), factor)
        scale[self.certain] = 0.0
        centre = np.where(n > 0, 1.0 / np.maximum(n, 1), 0.0)
        if lonely_psu == "adjust":
            centre = np.where(self.lonely, 0.0, centre)
        elif lonely_psu in ("certainty", "remove", "average"):
            scale = np.where(self.lonely, 0.0, scale)
        if multiplier is not None:
            scale = scale * np.asarray(multiplier, dtype=float)
        self.scale = scale
        self.centre = centre
        self.average = lonely_psu == "average" and stage == 1 and bool(self.lonely.any())

    def __len__(self) -> int:
        return len(self.n)

    def _average_factor(self, present: np.ndarray | None, ncol: int) -> np.ndarray | float:
        """S / S_ok per estimate under ``"average"``: strata present over present non-lonely."""
        if not self.average:
            return 1.0
        if present is None:
            return len(self.n) / max(int((~self.lonely).sum()), 1)
        present = np.asarray(present, dtype=bool).reshape(len(self.n), -1)
        s = present.sum(axis=0)
        s_ok = (present & ~self.lonely[:, None]).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = s / s_ok
        return np.broadcast_to(out, (ncol,)) if out.size == 1 else out

    def variance(self, s1: np.ndarray, s2: np.ndarray,
                 present: np.ndarray | None = None) -> np.ndarray:
        """Variance per estimate from per-group sums of unit totals and of their squares.

        Parameters
        ----------
        s1, s2 : ndarray, shape (n_groups, n_estimates)
            Sum over the group's sampled units of the unit totals :math:`z`, and
            of :math:`z^2` (units without rows count as :math:`z = 0`).
        present : ndarray of bool, shape (n_groups,) or (n_groups, n_estimates), optional
            Groups with rows in each estimate's domain (only ``"average"`` uses it).
        """
        contrib = s2 - self.centre[:, None] * s1 * s1
        total = self.scale @ contrib
        return total * self._average_factor(present, contrib.shape[1])

    def vcov(self, z: np.ndarray, group: np.ndarray,
             present: np.ndarray | None = None) -> np.ndarray:
        """Covariance matrix from dense unit totals `z` (units x p) of units in `group`."""
        p = z.shape[1]
        s = _column_sums(group, z, len(self.n))
        zc = z - self.centre[group][:, None] * s[group]
        vmat = (zc * self.scale[group][:, None]).T @ zc
        factor = self._average_factor(present, 1)
        return vmat * float(np.asarray(factor).reshape(-1)[0]) if p else vmat


def _column_sums(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sums of the columns of `values` (rows x p) by `index` (rows) into (size x p)."""
    p = values.shape[1]
    if p == 0:
        return np.zeros((size, 0))
    key = (index[:, None] * p + np.arange(p)[None, :]).ravel()
    return np.bincount(key, weights=values.ravel(), minlength=size * p).reshape(size, p)


def pair_index(a: np.ndarray, b: np.ndarray, nb: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index of each (a, b) pair among the pairs present, in (a, b) order.

    Returns the pair index per element and, per pair, its `a` and `b`.
    """
    key = a * nb + b
    size = (int(a.max()) + 1) * nb if len(a) else 0
    if size <= 8 * max(len(a), 1) and size < 200_000_000:
        seen = np.zeros(size, dtype=bool)
        seen[key] = True
        where = np.flatnonzero(seen)
        rank = np.cumsum(seen) - 1
        return rank[key], where // nb, where % nb
    codes, uniques = pd.factorize(key, sort=True)
    return codes.astype(np.int64), uniques // nb, uniques % nb


class Linearisation:
    """The sampling structure of a design and its variance operators.

    Parameters
    ----------
    psu : ndarray of int
        First-stage unit of each row (``0..n_psu-1``).
    psu_stratum : ndarray of int
        Stratum of each PSU.
    stage1 : Stage
        Factors of the strata.
    ssu : ndarray of int, optional
        Second-stage unit of each row (only with a second stage that enters the
        variance: fpc at both stages).
    ssu_psu : ndarray of int, optional
        PSU of each second-stage unit.
    stage2 : Stage, optional
        Factors of the PSUs at the second stage.
    rowwise : bool, default False
        Every row is its own PSU (no cluster): no aggregation to PSUs is needed.
    residualise : Residualiser, optional
        The calibration residuals of a calibrated design
        (:class:`toolkit.stats._calibration.Residualiser`); see the module notes.
        Its estimators then hand in totals per *row* (``unit`` is the row), which
        are residualised and summed to the sampled units here.

    Attributes
    ----------
    unit, n_unit : ndarray, int
        The unit per row over which estimators sum their influence values before
        calling :meth:`vcov_totals`/:meth:`variance_totals` (the finest sampled
        unit; the row itself for a calibrated design), and the number of units.
    """

    def __init__(self, psu: np.ndarray, psu_stratum: np.ndarray, stage1: Stage, *,
                 ssu: np.ndarray | None = None, ssu_psu: np.ndarray | None = None,
                 stage2: Stage | None = None, rowwise: bool = False,
                 residualise: Any = None) -> None:
        self.psu = psu
        self.psu_stratum = psu_stratum
        self.stage1 = stage1
        self.ssu, self.ssu_psu, self.stage2 = ssu, ssu_psu, stage2
        self._rowwise = rowwise and stage2 is None
        self.residualise = residualise
        self.n = len(psu)
        self.n_psu = len(psu_stratum)
        self.n_strata = len(stage1)
        # the finest sampled unit of each row and the PSU of each finest unit
        if stage2 is not None:
            self._unit, self._unit_psu, self._n_unit = ssu, ssu_psu, len(ssu_psu)
        else:
            self._unit, self._unit_psu, self._n_unit = psu, None, self.n_psu
        self._unit_stratum = (psu_stratum if self._unit_psu is None
                              else psu_stratum[self._unit_psu])
        self._row_stratum: np.ndarray | None = None
        if residualise is None:
            self.unit, self.n_unit, self.unit_stratum = (self._unit, self._n_unit,
                                                         self._unit_stratum)
            self.rowwise = self._rowwise
        else:
            self.unit, self.n_unit = np.arange(self.n), self.n
            self.unit_stratum = self.row_stratum
            self.rowwise = True

    def calibrated(self, residualise: Any) -> Linearisation:
        """The same sampling structure with calibration residuals `residualise`."""
        return Linearisation(self.psu, self.psu_stratum, self.stage1, ssu=self.ssu,
                             ssu_psu=self.ssu_psu, stage2=self.stage2, rowwise=self._rowwise,
                             residualise=residualise)

    @property
    def row_stratum(self) -> np.ndarray:
        """Stratum of each row."""
        if self._row_stratum is None:
            self._row_stratum = self.psu_stratum[self.psu]
        return self._row_stratum

    # -- degrees of freedom and presence -------------------------------------

    def degf(self, rows: np.ndarray | None = None) -> int:
        """PSUs minus strata among `rows` (a boolean mask; all rows by default), as R ``degf``."""
        if rows is None:
            return self.n_psu - self.n_strata
        psu = np.bincount(self.psu[rows], minlength=self.n_psu) > 0
        strata = np.bincount(self.psu_stratum[psu.nonzero()[0]], minlength=self.n_strata) > 0
        return int(psu.sum()) - int(strata.sum())

    def degf_by(self, unit: np.ndarray, group: np.ndarray, ngroup: int) -> np.ndarray:
        """:meth:`degf` of each group's domain, from (estimator unit, group) pairs.

        The pairs are those holding the domain's rows (:attr:`unit` numbering). On a
        calibrated design too, R ``degf`` of a subset counts the PSUs and strata of the
        rows with nonzero weight, i.e. of the domain (unlike ``svychisq``, which counts
        the whole design there: :meth:`Design._crosstab_ddf`).
        """
        if self.residualise is not None:  # the estimator unit is the row
            psu = self.psu[unit]
        else:
            psu = unit if self._unit_psu is None else self._unit_psu[unit]
        n_psu = np.bincount(np.unique(group * self.n_psu + psu) // self.n_psu,
                            minlength=ngroup)
        n_h = np.bincount(np.unique(group * self.n_strata + self.psu_stratum[psu])
                          // self.n_strata, minlength=ngroup)
        return (n_psu - n_h).astype(np.int64)

    def present(self, rows: np.ndarray | None = None) -> np.ndarray | None:
        """Strata with at least one of `rows` (``None`` when no rule needs it).

        A calibrated design keeps every stratum in its domains (R gives the rows
        outside a domain of a calibrated design zero weight instead of dropping
        them), so ``"average"`` counts all strata there.
        """
        if not self.stage1.average or rows is None or self.residualise is not None:
            return None
        return np.bincount(self.row_stratum[rows], minlength=self.n_strata) > 0

    def present_by(self, unit: np.ndarray, group: np.ndarray, ngroup: int,
                   count: np.ndarray | None = None) -> np.ndarray | None:
        """Strata present per group from (estimator unit, group) pairs holding rows.

        Returns shape ``(n_strata, ngroup)``, or ``None`` when no rule needs it.
        """
        if not self.stage1.average or self.residualise is not None:
            return None
        keep = slice(None) if count is None else count > 0
        h = self.unit_stratum[unit[keep]]
        hit = np.bincount(h * ngroup + group[keep], minlength=self.n_strata * ngroup)
        return hit.reshape(self.n_strata, ngroup) > 0

    # -- row level -------------------------------------------------------------

    def totals(self, u: np.ndarray) -> np.ndarray:
        """Totals of row-level values `u` (n x p) over the estimator unit (:attr:`unit`)."""
        if self.rowwise:
            return u
        return _column_sums(self.unit, u, self.n_unit)

    def vcov(self, u: np.ndarray, *, rows: np.ndarray | None = None) -> np.ndarray:
        """Covariance of the column totals of row-level influence values `u` (n x p).

        `rows` marks the estimation sample (for ``"average"``'s strata present).
        """
        u = np.asarray(u, dtype=float)
        if u.ndim == 1:
            u = u[:, None]
        return self.vcov_totals(self.totals(u), present=self.present(rows))

    def variance(self, cols: np.ndarray, vals: np.ndarray, ncol: int, *,
                 rows: np.ndarray | None = None,
                 present: np.ndarray | None = None) -> np.ndarray:
        """Variances of `ncol` estimates from row-level triplets (row, column, value).

        ``rows=None`` means triplet ``i`` belongs to row ``i``.
        """
        unit = self.unit if rows is None else self.unit[rows]
        if self.rowwise and rows is None:
            return self.variance_totals(unit, cols, vals, ncol, present=present)
        q, qa, qb = pair_index(unit, cols, ncol)
        z = np.bincount(q, weights=vals, minlength=len(qa))
        return self.variance_totals(qa, qb, z, ncol, present=present)

    def cell_variance(self, s1: np.ndarray, s2: np.ndarray, count: np.ndarray) -> np.ndarray:
        """Variances from per-(stratum, estimate) sums when every row is its own PSU.

        Parameters
        ----------
        s1, s2 : ndarray, shape (n_strata, n_estimates)
            Sum over the stratum's rows of each row's influence total, and of its square.
        count : ndarray, shape (n_strata, n_estimates)
            Rows in each estimate's domain (``"average"`` counts the strata present).
        """
        present = count > 0 if self.stage1.average else None
        return self.stage1.variance(s1, s2, present)

    # -- unit totals -------------------------------------------------------------

    def vcov_totals(self, z: np.ndarray, *, present: np.ndarray | None = None,
                    denom: np.ndarray | None = None) -> np.ndarray:
        """Covariance from dense totals `z` (n_unit x p) over the estimator unit.

        `denom` (the unit totals of the estimate's denominator, for ratios) is
        what a replicate-weight engine needs; linearisation evaluates the
        derivative at the full sample and does not use it.
        """
        if self.residualise is not None:
            z = self.residualise(z)
            if not self._rowwise:
                z = _column_sums(self._unit, z, self._n_unit)
        if self.stage2 is None:
            return self.stage1.vcov(z, self.psu_stratum, present)
        z1 = _column_sums(self._unit_psu, z, self.n_psu)
        return (self.stage1.vcov(z1, self.psu_stratum, present)
                + self.stage2.vcov(z, self._unit_psu))

    def variance_totals(self, unit: np.ndarray, cols: np.ndarray, z: np.ndarray, ncol: int, *,
                        present: np.ndarray | None = None,
                        denom: np.ndarray | None = None) -> np.ndarray:
        """Variances from unit totals given as triplets (estimator unit, column, total).

        Each (unit, column) pair appears once; pairs not given are 0. `denom` is
        as for :meth:`vcov_totals` (not used here).
        """
        if self.residualise is not None:
            return self._calibrated_variance(unit, cols, z, ncol, present)
        return self._unit_variance(unit, cols, z, ncol, present)

    def _unit_variance(self, unit: np.ndarray, cols: np.ndarray, z: np.ndarray, ncol: int,
                       present: np.ndarray | None) -> np.ndarray:
        """Variances from totals over the finest sampled unit, as triplets."""
        if self.stage2 is None:
            psu, pz = unit, z
        else:
            q, qa, qb = pair_index(self._unit_psu[unit], cols, ncol)
            pz = np.bincount(q, weights=z, minlength=len(qa))
            psu, cols1 = qa, qb
            var2 = self._group_variance(self.stage2, self._unit_psu[unit], cols, z, ncol,
                                        self.n_psu, None)
        h = self.psu_stratum[psu]
        var = self._group_variance(self.stage1, h, cols if self.stage2 is None else cols1,
                                   pz, ncol, self.n_strata, present)
        return var if self.stage2 is None else var + var2

    def _calibrated_variance(self, rows: np.ndarray, cols: np.ndarray, z: np.ndarray,
                             ncol: int, present: np.ndarray | None) -> np.ndarray:
        r"""Variances of calibration residuals from row-level triplets.

        The residual total of unit :math:`c` is :math:`a_c - b_c^T\beta` (:math:`a`
        the totals of `z`, :math:`b_c` the unit sums of :math:`B`,
        :math:`\beta = K C^T u` per estimate). While the (unit x estimate) grid
        is small these totals are formed; beyond it each group's sums of residual
        totals and of their squares follow from per-group moments of :math:`a`
        and :math:`b` (less precise when the residuals are tiny).
        """
        cal = self.residualise
        beta = cal.coef(rows, cols, z, ncol)
        unit = rows if self._rowwise else self._unit[rows]
        q, qa, qb = pair_index(unit, cols, ncol)
        a = np.bincount(q, weights=z, minlength=len(qa))
        b = cal.unit_sums(None if self._rowwise else self._unit, self._n_unit)
        if self._n_unit * ncol <= DENSE_LIMIT:
            res = np.bincount(qa * ncol + qb, weights=a, minlength=self._n_unit * ncol)
            res = res.reshape(self._n_unit, ncol) - b @ beta.T
            grid = np.arange(self._n_unit * ncol)
            return self._unit_variance(grid // ncol, grid % ncol, res.ravel(), ncol, present)
        if self.stage2 is None:
            return np.maximum(self._moment_variance(self.stage1, self.psu_stratum, qa, qb, a, b,
                                                    beta, ncol, present), 0.0)
        var2 = self._moment_variance(self.stage2, self._unit_psu, qa, qb, a, b, beta, ncol, None)
        q1, pa, pb = pair_index(self._unit_psu[qa], qb, ncol)
        a1 = np.bincount(q1, weights=a, minlength=len(pa))
        b1 = _column_sums(self._unit_psu, b, self.n_psu)
        var1 = self._moment_variance(self.stage1, self.psu_stratum, pa, pb, a1, b1, beta, ncol,
                                     present)
        return np.maximum(var1 + var2, 0.0)

    def _moment_variance(self, stage: Stage, group_of: np.ndarray, unit: np.ndarray,
                         cols: np.ndarray, a: np.ndarray, b: np.ndarray, beta: np.ndarray,
                         ncol: int, present: np.ndarray | None) -> np.ndarray:
        """Stage variance of residual totals ``a - b[unit] @ beta[col]`` per (unit, col) pair."""
        ngroup = len(stage)
        s_b, s_bb = self._group_moments(stage, group_of, b)
        key = group_of[unit] * ncol + cols
        size = ngroup * ncol
        s_a = np.bincount(key, weights=a, minlength=size).reshape(ngroup, ncol)
        s_aa = np.bincount(key, weights=a * a, minlength=size).reshape(ngroup, ncol)
        bu = b[unit]
        s_ab = np.stack([np.bincount(key, weights=a * bu[:, j], minlength=size)
                         for j in range(b.shape[1])], axis=1).reshape(ngroup, ncol, -1)
        s1 = s_a - s_b @ beta.T
        s2 = (s_aa - 2 * np.einsum("gcj,cj->gc", s_ab, beta)
              + np.einsum("cj,gjk,ck->gc", beta, s_bb, beta))
        return stage.variance(s1, s2, present)

    def _group_moments(self, stage: Stage, group_of: np.ndarray, b: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
        """Per group of units: the sum of their rows of `b` and of their outer products."""
        cache = self.__dict__.setdefault("_moments", {})
        if stage.stage not in cache:
            ngroup = len(stage)
            order = np.argsort(group_of, kind="stable")
            edges = np.searchsorted(group_of[order], np.arange(ngroup + 1))
            bs = b[order]
            s_bb = np.stack([bs[edges[g]:edges[g + 1]].T @ bs[edges[g]:edges[g + 1]]
                             for g in range(ngroup)])
            cache[stage.stage] = (_column_sums(group_of, b, ngroup), s_bb)
        return cache[stage.stage]

    @staticmethod
    def _group_variance(stage: Stage, group: np.ndarray, cols: np.ndarray, z: np.ndarray,
                        ncol: int, ngroup: int, present: np.ndarray | None) -> np.ndarray:
        size = ngroup * ncol
        if size <= DENSE_LIMIT:
            key = group * ncol + cols
            s1 = np.bincount(key, weights=z, minlength=size).reshape(ngroup, ncol)
            s2 = np.bincount(key, weights=z * z, minlength=size).reshape(ngroup, ncol)
            return stage.variance(s1, s2, present)
        # many groups and estimates: sum per pair present, then per estimate
        q, qa, qb = pair_index(group, cols, ncol)
        s1 = np.bincount(q, weights=z, minlength=len(qa))
        s2 = np.bincount(q, weights=z * z, minlength=len(qa))
        contrib = stage.scale[qa] * (s2 - stage.centre[qa] * s1 * s1)
        total = np.bincount(qb, weights=contrib, minlength=ncol)
        return total * stage._average_factor(present, ncol)
