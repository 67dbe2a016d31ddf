"""Survey design: weighted estimates with design-based standard errors.

:class:`Design` is the Python counterpart of R ``survey::svydesign`` for
stratified, clustered samples with one or two stages and finite-population
corrections. Every variance is computed by the one Taylor-linearisation engine,
:mod:`toolkit.stats._linearise`; the cross-table and its Rao-Scott test live in
:mod:`toolkit.stats._rao_scott`, domains (``.by``) in :mod:`toolkit.stats._domains`.

Calibration (``poststratify``, ``rake``, ``calibrate``, ``trim_weights``;
:mod:`toolkit.stats._calibration`) returns a new :class:`Design` whose variances use
the calibration residuals. :class:`ReplicateDesign` is a :class:`Design` with
replicate weights (``Design.replicate``, or supplied by a survey firm) whose variance
engine is :class:`toolkit.stats.replicate.ReplicateVariance`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from toolkit._checks import is_study, refuse_large, require_columns
from toolkit._docs import renamed
from toolkit._values import as_numeric
from toolkit.errors import (
    ArgumentError,
    ArgumentTypeError,
    DataTooLargeError,
    DesignError,
    LargeDataUnavailableError,
)
from toolkit.stats._kernels import cell_weights, centred_squares, pair_moments
from toolkit.stats._linearise import (
    LONELY_PSU,
    Z975,
    Linearisation,
    Stage,
    check_lonely_psu,
    factor_codes,
    lonely_message,
    pair_index,
    stratum_fpc,
)

__all__ = ["LONELY_PSU", "Design", "ReplicateDesign"]

def _one_per_group(values: np.ndarray, group: np.ndarray, ngroup: int, *, name: str,
                   within: str) -> np.ndarray:
    """The value of each group, refusing values that vary within a group."""
    first = np.zeros(ngroup, dtype=np.int64)
    first[group[::-1]] = np.arange(len(group) - 1, -1, -1)
    per = values[first]
    differ = np.flatnonzero(values != per[group])
    if len(differ) and np.any(np.abs(values[differ] - per[group[differ]])
                              > 1e-9 * np.maximum(1.0, np.abs(values[differ]))):
        msg = (f"fpc column `{name}` varies within a {within}; it must hold one value per "
               f"{within} (population number of units, or the sampling fraction).")
        raise DesignError(msg)
    return per


def _drop_empty(out: pd.DataFrame, n: np.ndarray) -> pd.DataFrame:
    """The rows of groups with respondents (a group may have none in a domain)."""
    if (n > 0).all():
        return out
    return out[n > 0].reset_index(drop=True)


def _pairs(unit: np.ndarray, g: np.ndarray, ngroup: int, n_unit: int) -> dict[str, Any]:
    """(finest unit, group) pairs of the rows: index per row, and unit and group per pair."""
    if ngroup == 1:
        q, pu, pg = unit, np.arange(n_unit), np.zeros(n_unit, dtype=np.int64)
    else:
        q, pu, pg = pair_index(unit, g, ngroup)
    return {"q": q, "unit": pu, "group": pg, "size": len(pu)}


class Design:
    r"""A survey sample with its design: weights, strata, clusters and fpc.

    Estimates are weighted; standard errors use Taylor linearisation with
    strata, clusters (one or two stages) and the finite-population correction,
    as R ``survey::svydesign(ids=~cluster, strata=~strata, weights=~weights,
    fpc=~fpc, nest=TRUE)``.

    Parameters
    ----------
    data : pandas.DataFrame, Study, LazyTable or Dask DataFrame
        One row per respondent. A Study gives its ``survey`` table and its
        design (``study.design_spec``) for the arguments not given here. A
        LazyTable (``tk.io.scan``) or Dask DataFrame is summed in its engine:
        ``mean``, ``total`` and ``.by(...).mean/total`` with a one-stage design
        (other estimators raise :class:`~toolkit.errors.LargeDataUnavailableError`).
    weights : str, optional
        Column of sampling weights (inverse inclusion probabilities). Without it,
        weights come from `fpc` (population size / sample size per stratum,
        times the same ratio within each PSU for a second stage), or all equal 1.
    strata : str, optional
        Column of strata. Clusters are taken as nested within strata.
    cluster : str or list of two str, optional
        Column of first-stage sampling units (PSUs, e.g. communities). Without it
        every respondent is its own PSU. For a two-stage sample give two columns
        (PSU, then second-stage unit, e.g. ``["village", "household"]``); the
        second stage enters the variance only when `fpc` is given for both
        stages (as R).
    fpc : str or list of two str, optional
        Finite-population correction, constant within a stratum: either the
        population number of PSUs in the stratum (values above 1) or the
        sampling fraction (all values at most 1), as R accepts both. For two
        stages, the second column gives the number of second-stage units in
        each PSU's population (or the sampling fraction within the PSU). A
        stratum sampled whole (fpc equal to its number of PSUs, a *certainty*
        stratum) adds no first-stage variance and needs no `lonely_psu`.
    lonely_psu : {"fail", "adjust", "average", "certainty", "remove"}, default "fail"
        What to do with a stratum that has a single PSU out of more in its
        population, as R's ``options(survey.lonely.psu=)``: ``"fail"`` raises
        :class:`DesignError`; ``"adjust"`` centres the stratum's PSU at the
        grand mean instead of the stratum mean (conservative); ``"average"``
        replaces its contribution by the average over the other strata (inside
        a domain: over the strata with respondents in the domain);
        ``"certainty"`` and ``"remove"`` give it no variance contribution. The
        same choice applies to a PSU with a single sampled second-stage unit
        (where ``"average"`` acts as ``"remove"``; R returns NaN there).

    Raises
    ------
    ColumnNotFoundError
        When a named column is missing (with close matches).
    DesignError
        For missing or non-positive weights, missing strata/clusters, fpc that
        varies within a stratum or is smaller than the sample, and single-PSU
        strata under ``lonely_psu="fail"``.

    Notes
    -----
    Every estimator is a ratio or total :math:`\hat\theta` with an influence
    value :math:`u_i` per respondent (for a mean in domain :math:`d`,
    :math:`u_i = w_i 1_d(i)(y_i-\hat\theta)/\sum_{j\in d} w_j`). With
    :math:`z_{hi}` the sum of :math:`u` over PSU :math:`i` of stratum :math:`h`,
    :math:`n_h` PSUs and sampling fraction :math:`f_h`,

    .. math:: \widehat{V}(\hat\theta) = \sum_h (1-f_h)\frac{n_h}{n_h-1}
              \sum_i (z_{hi}-\bar z_h)^2 .

    Domains (``.by(...)``) are estimated as R ``svyby`` does: respondents
    outside the domain stay in the design with :math:`u_i=0`, so strata and PSUs
    without domain members still count. Missing values of the analysed variable
    are handled the same way (available cases, full design kept), which is R's
    ``na.rm=TRUE``; ``n`` reports the respondents used. Confidence intervals of
    means, totals and proportions are Wald intervals with the normal quantile
    (R ``confint`` on a ``svystat``). ``deff`` is the design variance over the
    variance under simple random sampling without replacement of the same
    number of respondents from a population of size :math:`\sum w`, as R's
    ``deff=TRUE``; when the weights sum to no more than the sample size (for
    instance normalised weights) the with-replacement SRS variance is used
    (R's ``deff="replace"``).

    With one cluster column (or no second-stage fpc) only the first stage
    enters the variance (ultimate-cluster approximation, with replacement at
    later stages). With two stages and both fpcs, the second stage adds
    :math:`\sum_{i} f_{1} (1-f_{2i})\frac{m_i}{m_i-1}\sum_j (z_{ij}-\bar z_i)^2`
    over PSUs :math:`i` with :math:`m_i` sampled units, as R ``svyrecvar``.
    The estimators sum weights per (PSU or second-stage unit, domain, level)
    with one ``bincount`` and compute the influence totals from those sums: no
    respondent-by-estimate array is formed.

    References
    ----------
    Lumley, T. (2004). Analysis of complex survey samples. *Journal of
    Statistical Software* 9(8). R package ``survey`` 4.1: the ``api`` data
    (``svymean``, ``svytotal``, ``svyby``, ``svychisq``, ``svyquantile``), the
    ``fpc`` example and a two-stage fixture generated with R
    (``tests/reference/R/design.R``) are the test references.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [3.0, 4.0, 5.0, 6.0, 8.0, 2.0],
    ...                    "w": [10, 10, 20, 20, 30, 30],
    ...                    "town": ["A", "A", "B", "B", "C", "C"]})
    >>> d = tk.stats.Design(df, weights="w", cluster="town")
    >>> d.mean("y")[["variable", "estimate", "se", "n"]].round(3)
      variable  estimate     se  n
    0        y     4.917  0.378  6
    """

    def __init__(
        self,
        data: Any,
        *,
        weights: str | None = None,
        strata: str | None = None,
        cluster: str | Sequence[str] | None = None,
        fpc: str | Sequence[str] | None = None,
        lonely_psu: str = "fail",
    ) -> None:
        from toolkit._engines import is_large

        if is_study(data):
            spec = data.design_spec
            weights = weights if weights is not None else spec.weights
            strata = strata if strata is not None else spec.strata
            cluster = cluster if cluster is not None else spec.cluster
            fpc = fpc if fpc is not None else spec.fpc
            if lonely_psu == "fail":
                lonely_psu = getattr(spec, "lonely_psu", "fail")
            data = data.table("survey")
        check_lonely_psu(lonely_psu)
        self.data = data
        self.weights, self.strata, self.cluster, self.fpc = weights, strata, cluster, fpc
        self.lonely_psu = lonely_psu
        self._large = None
        if is_large(data):
            from toolkit.stats._design_large import LargeKernel

            self._large = LargeKernel(data, weights=weights, strata=strata, cluster=cluster,
                                      fpc=fpc, lonely_psu=lonely_psu)
            self._n = self._large.n
            self._n_psu, self._n_strata = self._large.n_psu, self._large.n_strata
            return
        if not isinstance(data, pd.DataFrame):
            msg = (f"`data` must be a pandas DataFrame, a Study, a LazyTable (tk.io.scan) or "
                   f"a Dask DataFrame, not {type(data).__name__}.")
            raise ArgumentTypeError(msg)
        self._build()

    # -- structure -------------------------------------------------------------

    def _build(self) -> None:
        data, strata, weights = self.data, self.strata, self.weights
        cluster, fpc = self.cluster, self.fpc
        clusters = [cluster] if isinstance(cluster, str) or cluster is None else list(cluster)
        fpcs = [fpc] if isinstance(fpc, str) or fpc is None else list(fpc)
        if len(clusters) > 2 or len(fpcs) > 2 or (len(fpcs) == 2 and len(clusters) < 2):
            msg = ("`cluster` takes one column, or two for a two-stage sample "
                   "(e.g. [\"village\", \"household\"]); `fpc` one column per stage.")
            raise DesignError(msg)
        cluster1, fpc1 = clusters[0], fpcs[0]
        cluster2 = clusters[1] if len(clusters) == 2 else None
        fpc2 = fpcs[1] if len(fpcs) == 2 else None
        require_columns(data, {"weights": weights, "strata": strata, "cluster": clusters,
                               "fpc": fpcs}, where="the survey data")
        n = len(data)
        self._n = n
        if strata is not None:
            s = data[strata]
            if s.isna().any():
                msg = (f"Strata column `{strata}` has {int(s.isna().sum())} missing value(s); "
                       "every respondent needs a stratum.")
                raise DesignError(msg)
            h_codes, _ = factor_codes(s)
        else:
            h_codes = np.zeros(n, dtype=np.int64)
        n_strata = int(h_codes.max()) + 1 if n else 0
        if cluster1 is not None:
            c = data[cluster1]
            if c.isna().any():
                msg = (f"Cluster column `{cluster1}` has {int(c.isna().sum())} missing "
                       "value(s); every respondent needs a PSU.")
                raise DesignError(msg)
            c_codes, _ = factor_codes(c)
            psu, _, _ = pair_index(h_codes, c_codes, int(c_codes.max()) + 1)
        else:
            psu = np.arange(n, dtype=np.int64)
        n_psu = int(psu.max()) + 1 if n else 0
        psu_stratum = np.zeros(n_psu, dtype=np.int64)
        psu_stratum[psu] = h_codes
        n_h = np.bincount(psu_stratum, minlength=n_strata).astype(float)
        f_h = pop_h = None
        if fpc1 is not None:
            fv = pd.to_numeric(data[fpc1], errors="coerce").to_numpy(float)
            if np.isnan(fv).any():
                msg = f"fpc column `{fpc1}` has missing or non-numeric values."
                raise DesignError(msg)
            f_h, pop_h = stratum_fpc(_one_per_group(fv, h_codes, n_strata, name=fpc1,
                                                    within="stratum"), n_h, fpc=fpc1)
        if weights is not None:
            wv = pd.to_numeric(data[weights], errors="coerce").to_numpy(float)
            if np.isnan(wv).any() or np.any(wv <= 0):
                msg = (f"Weights column `{weights}` has missing, zero or negative values; "
                       "drop those respondents or fix the weights.")
                raise DesignError(msg)
        elif pop_h is not None:
            wv = (pop_h / n_h)[h_codes]
        else:
            wv = np.ones(n)
        stage1 = Stage(n_h, f_h, lonely_psu=self.lonely_psu)
        if stage1.lonely.any() and self.lonely_psu == "fail":
            bad = np.flatnonzero(stage1.lonely)
            labels = (pd.Series(data[strata]).iloc[np.flatnonzero(np.isin(h_codes, bad))]
                      .unique().tolist() if strata else ["(all)"])
            raise DesignError(lonely_message(len(bad), labels))
        self._w = wv
        self._h = h_codes
        self._psu = psu
        self._psu_stratum = psu_stratum
        self._n_psu = n_psu
        self._n_strata = n_strata
        self._lonely = stage1.lonely
        stage2 = ssu = ssu_psu = None
        if cluster2 is not None and fpc2 is not None:
            if fpc1 is None:
                msg = "A second-stage `fpc` needs the first-stage fpc as well."
                raise DesignError(msg)
            ssu, ssu_psu, stage2, f2 = self._second_stage(cluster2, fpc2, f_h)
            if weights is None:  # inverse inclusion probability of both stages
                self._w = self._w / f2[psu]
        self._lin = Linearisation(psu, psu_stratum, stage1, ssu=ssu, ssu_psu=ssu_psu,
                                  stage2=stage2, rowwise=cluster1 is None)
        self._group_cache: dict[tuple[str, ...], dict[str, Any]] = {}
        self._level_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _second_stage(self, cluster2: str, fpc2: str, f_h: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, Stage, np.ndarray]:
        """Units and variance factors of the second sampling stage."""
        c2 = self.data[cluster2]
        if c2.isna().any():
            msg = f"Second-stage cluster column `{cluster2}` has missing values."
            raise DesignError(msg)
        c2_codes, _ = factor_codes(c2)
        unit, unit_psu, _ = pair_index(self._psu, c2_codes, int(c2_codes.max()) + 1)
        m = np.bincount(unit_psu, minlength=self._n_psu).astype(float)
        fv = pd.to_numeric(self.data[fpc2], errors="coerce").to_numpy(float)
        if np.isnan(fv).any():
            msg = f"fpc column `{fpc2}` has missing or non-numeric values."
            raise DesignError(msg)
        per_psu = _one_per_group(fv, self._psu, self._n_psu, name=fpc2,
                                 within="first-stage cluster")
        f2 = per_psu if np.all(fv <= 1) else m / per_psu
        if np.any(f2 > 1 + 1e-9):
            msg = (f"fpc column `{fpc2}` is smaller than the number of sampled second-stage "
                   "units in some PSU.")
            raise DesignError(msg)
        stage2 = Stage(m, f2, multiplier=f_h[self._psu_stratum], lonely_psu=self.lonely_psu,
                       stage=2)
        if stage2.lonely.any() and self.lonely_psu == "fail":
            raise DesignError(lonely_message(int(stage2.lonely.sum()), [], stage=2))
        return unit, unit_psu, stage2, f2

    def _in_memory(self, name: str) -> None:
        if self._large is not None:
            msg = (f"`Design.{name}` is not available for large data (LazyTable or Dask). Use "
                   "`.mean`/`.total` (a share is the mean of a yes/no column) or their "
                   "`.by(...)` forms, or bring the needed columns into pandas "
                   "(`.to_pandas()` on a filtered LazyTable, `.compute()` for Dask).")
            raise LargeDataUnavailableError(msg)

    # -- core ------------------------------------------------------------------

    @property
    def degf(self) -> int:
        """Design degrees of freedom: number of PSUs minus number of strata."""
        return self._n_psu - self._n_strata

    def _degf(self, rows: np.ndarray | None) -> int:
        """Degrees of freedom of the sub-design of `rows` (R ``degf`` of a subset)."""
        return self._lin.degf(rows)

    def _crosstab_ddf(self, domain: np.ndarray | None) -> int:
        """Design df of a Rao-Scott test in `domain` (R ``svychisq``).

        R counts the PSUs and strata of the subset design; a calibrated design's
        subset keeps every row (with weight zero), so R counts the whole design.
        """
        if domain is None or self._lin.residualise is not None:
            return self.degf
        return self._degf(domain)

    def _variance(self, cols: np.ndarray, vals: np.ndarray, ncol: int,
                  rows: np.ndarray | None = None) -> np.ndarray:
        """Linearised variance of `ncol` estimates with influence `vals` at (rows, cols)."""
        return self._lin.variance(cols, vals, ncol, rows=rows)

    def influence_vcov(self, u: np.ndarray, *, rows: np.ndarray | None = None) -> np.ndarray:
        r"""Design-based covariance matrix of estimates from their influence values.

        For estimators not built in (e.g. regression coefficients), give the
        linearised influence value of each respondent; the covariance follows
        the same strata, clusters, fpc, lonely-PSU rule and second stage as
        :meth:`mean`.

        Parameters
        ----------
        u : numpy.ndarray
            Shape ``(n,)`` or ``(n, p)``, one row per row of the design's data
            (0 for respondents outside a domain or with missing values).
        rows : numpy.ndarray of bool, optional
            The respondents of the estimation sample; under
            ``lonely_psu="average"`` the strata holding them are those averaged
            over (as R on a subset design). Default: all.

        Returns
        -------
        numpy.ndarray
            ``(p, p)`` covariance matrix (``(1, 1)`` for a vector).

        Notes
        -----
        :math:`\widehat V = \sum_h (1-f_h)\frac{n_h}{n_h-1}\sum_i
        (z_{hi}-\bar z_h)(z_{hi}-\bar z_h)'` with :math:`z_{hi}` the PSU totals
        of :math:`u`, plus the second-stage term of a two-stage design
        (:mod:`toolkit.stats._linearise`).

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "c": ["a", "a", "b", "b"]})
        >>> d = tk.stats.Design(df, cluster="c")
        >>> u = (df["y"] - df["y"].mean()).to_numpy() / len(df)
        >>> float(np.sqrt(d.influence_vcov(u)[0, 0])) == d.mean("y")["se"].item()
        True
        """
        self._in_memory("influence_vcov")
        u = np.asarray(u, dtype=float)
        if u.ndim == 1:
            u = u[:, None]
        if u.shape[0] != self._n:
            msg = f"`u` has {u.shape[0]} rows; the design has {self._n} respondents."
            raise ValueError(msg)
        return self._lin.vcov(u, rows=rows)

    def _numeric(self, var: str) -> np.ndarray:
        s = self.data[var]
        if s.dtype == np.float64:  # already the codes (as_numeric would return them as is)
            return s.to_numpy()
        try:
            if isinstance(s.dtype, pd.CategoricalDtype) and len(s.cat.categories):
                # codes of the categories (codebook value labels, else 1..k), then expand
                cats = pd.Series(pd.Categorical(s.cat.categories, dtype=s.dtype), name=s.name)
                cats.attrs = s.attrs
                per_cat = np.r_[as_numeric(cats).to_numpy(float), np.nan]
                return per_cat[s.cat.codes.to_numpy()]
            return as_numeric(s).to_numpy(float)
        except TypeError as err:
            msg = (f"`{var}` is not numeric ({s.dtype}); use `.prop(\"{var}\")` for the "
                   "share in each category.")
            raise TypeError(msg) from err

    def _is_factor(self, var: str) -> bool:
        """A column estimated per category (R factor): unordered categorical or text."""
        dtype = self.data[var].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            return not dtype.ordered and not self.data[var].attrs.get("value_labels")
        return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)

    def _levels(self, var: str) -> tuple[np.ndarray, np.ndarray]:
        """Level codes (-1 missing) and levels (object array); a Categorical's every category."""
        s = self.data[var]
        if isinstance(s.dtype, pd.CategoricalDtype):
            return s.array.codes, s.dtype.categories.to_numpy(dtype=object)
        if var not in self._level_cache:
            codes, keys = factor_codes(s)
            self._level_cache[var] = codes, keys.iloc[:, 0].to_numpy(dtype=object)
        return self._level_cache[var]

    def _codes(self, by: Sequence[str] | None) -> dict[str, Any]:
        """Group code per row (-1 for a missing group value) and the group keys, cached."""
        key = tuple(by or ())
        if key not in self._group_cache:
            if by:
                g, keys = factor_codes(pd.concat([self.data[b] for b in by], axis=1))
            else:
                g, keys = np.zeros(self._n, dtype=np.int64), pd.DataFrame(index=[0])
            self._group_cache[key] = {"g": g, "keys": keys}
        return self._group_cache[key]

    @property
    def _by_cells(self) -> bool:
        """Whether sums go to (stratum, group) cells rather than (unit, group) pairs.

        When every row is its own PSU (no clusters) and the variance is the plain
        linearised one, a stratum's sum of squared unit totals is a sum over its
        rows, so per-cell sums of the rows give the variance without a total per row.
        """
        lin = self._lin
        return type(lin) is Linearisation and lin.rowwise and lin.residualise is None

    def _index_of(self, g: np.ndarray, ngroup: int, *, cells: bool = False) -> dict[str, Any]:
        """Where each row's sums go, for group codes `g` per row (-1: in no group).

        Returns ``q`` (the entry of each row, -1 for none), ``group`` (the group of
        each entry) and ``size`` (the number of entries). The entries are
        (stratum, group) cells (``cells: True``) when `cells` (only where
        :attr:`_by_cells`), else (estimator unit, group) pairs, with ``unit`` the
        unit of each.
        """
        use = g >= 0
        lin = self._lin
        if cells:
            q = lin.row_stratum * ngroup + g
            q[~use] = -1
            return {"q": q, "group": np.tile(np.arange(ngroup), lin.n_strata),
                    "size": lin.n_strata * ngroup, "cells": True}
        if use.all():
            return _pairs(lin.unit, g, ngroup, lin.n_unit)
        pairs = _pairs(lin.unit[use], g[use], ngroup, lin.n_unit)
        q = np.full(self._n, -1, dtype=np.int64)
        q[use] = pairs["q"]
        pairs["q"] = q
        return pairs

    def _groups(self, by: Sequence[str] | None, domain: np.ndarray | None, *,
                cells: bool = False) -> tuple[np.ndarray, pd.DataFrame, dict[str, Any]]:
        """Group code per row (-1 outside), the group keys and where the rows' sums go.

        Without a domain the entries (:meth:`_index_of`) are cached with the rows
        (``count``) and their weights (``sw``) per entry.
        """
        entry = self._codes(by)
        g, keys = entry["g"], entry["keys"]
        if domain is not None:
            g = np.where(domain, g, -1)
            return g, keys, self._index_of(g, len(keys), cells=cells)
        name = "cells" if cells else "pairs"
        if name not in entry:
            index = self._index_of(g, len(keys), cells=cells)
            q, w = index["q"], self._w
            if (g < 0).any():  # rows with a missing group value are in no entry
                q, w = q[g >= 0], w[g >= 0]
            index["count"] = np.bincount(q, minlength=index["size"]).astype(float)
            index["sw"] = np.bincount(q, weights=w, minlength=index["size"])
            entry[name] = index
        return g, keys, entry[name]

    def _ratio(self, y: np.ndarray, keys: pd.DataFrame, pairs: dict[str, Any], *,
               total: bool) -> dict[str, np.ndarray]:
        """Domain means (or totals) of `y` per group with their variances and deffs.

        Rows outside every group (``pairs["q"] < 0``) and rows where `y` is
        missing are left out.
        """
        ngroup = len(keys)
        pg = pairs["group"]
        y = np.ascontiguousarray(y, float)
        cnt, sw, swy, swy2 = pair_moments(pairs["q"], self._w, y, pairs["size"])
        n, wsum, wysum, wy2 = (np.bincount(pg, weights=s, minlength=ngroup)
                               for s in (cnt, sw, swy, swy2))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = wysum / wsum
            centre = np.zeros(ngroup) if total else np.nan_to_num(mean)
            denom = np.ones(ngroup) if total else np.where(wsum > 0, wsum, 1.0)
            z = (swy - centre[pg] * sw) / denom[pg]  # the entries' influence totals
            if pairs.get("cells"):  # each row a PSU: the rows' own squared totals
                squares = centred_squares(pairs["q"], self._w, y, centre[pg], pairs["size"])
                shape = (self._lin.n_strata, ngroup)
                var = self._lin.cell_variance(z.reshape(shape),
                                              (squares / denom[pg] ** 2).reshape(shape),
                                              cnt.reshape(shape))
            else:
                present = self._lin.present_by(pairs["unit"], pg, ngroup, cnt)
                var = self._lin.variance_totals(pairs["unit"], pg, z, ngroup, present=present,
                                                denom=None if total else sw)
            svar = (wy2 - mean * wysum) / wsum * n / (n - 1)
            vsrs_mean = np.where(wsum > n, svar * (wsum - n) / (wsum * n), svar / n)
            vsrs = vsrs_mean * wsum**2 if total else vsrs_mean
            deff = var / vsrs
        return {"estimate": wysum if total else mean, "var": var, "deff": deff,
                "n": n.astype(np.int64)}

    @staticmethod
    def _frame(lead: pd.DataFrame | dict[str, Any], res: dict[str, np.ndarray]) -> pd.DataFrame:
        """The result frame, built in one construction (no column-by-column inserts)."""
        se = np.sqrt(res["var"])
        est = res["estimate"]
        cols = ({c: lead[c].to_numpy() if isinstance(lead[c].dtype, np.dtype) else lead[c].array
                 for c in lead.columns} if isinstance(lead, pd.DataFrame) else dict(lead))
        if "ci_low" in res:
            low, high = res["ci_low"], res["ci_high"]
        else:
            low, high = est - Z975 * se, est + Z975 * se
        cols.update({"estimate": est, "se": se, "ci_low": low, "ci_high": high,
                     "deff": res["deff"], "n": res["n"]})
        return pd.DataFrame(cols)

    @staticmethod
    def _lead(var: str, keys: pd.DataFrame, by: Sequence[str] | None) -> dict[str, Any]:
        """The leading columns: the variable's name, then the group keys."""
        # an object array: quicker for pandas to take as its str column than a list
        lead: dict[str, Any] = {"variable": np.full(len(keys), var, dtype=object)}
        if by:
            lead.update({c: keys[c].array for c in keys.columns})
        return lead

    # -- public estimators -----------------------------------------------------

    def _mean_total(self, var: str | Sequence[str], by: Sequence[str] | None,
                    domain: np.ndarray | None, *, total: bool) -> pd.DataFrame:
        if self._large is not None:
            return self._large.estimate(var, list(by or []), total=total)
        if not isinstance(var, str):
            return pd.concat([self._mean_total(v, by, domain, total=total) for v in var],
                             ignore_index=True)
        require_columns(self.data, {"var": var}, where="the survey data")
        if self._is_factor(var):
            return self._prop(var, by, domain, total=total)
        y = self._numeric(var)
        _, keys, pairs = self._groups(by, domain, cells=self._by_cells)
        res = self._ratio(y, keys, pairs, total=total)
        out = self._frame(self._lead(var, keys, by), res)
        return _drop_empty(out, res["n"]) if by else out

    def mean(self, var: str | Sequence[str]) -> pd.DataFrame:
        """Weighted mean of `var` with its design-based standard error (R ``svymean``).

        Parameters
        ----------
        var : str or list of str
            Column(s); one row per numeric column. Ordered categoricals and
            booleans are used as their codes (see ``toolkit._values.as_numeric``);
            an unordered categorical or text column gives the share of each
            category, with a ``level`` column, as R ``svymean(~factor)`` (the
            same as :meth:`prop`). Missing values are left out, the design kept
            (R ``na.rm=TRUE``), separately for each column.

        Returns
        -------
        pandas.DataFrame
            ``variable, [level,] estimate, se, ci_low, ci_high, deff, n``
            (95% normal interval; ``n`` respondents with a value).

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, None], "w": [1, 1, 2, 2]})
        >>> tk.stats.Design(df, weights="w").mean("y")["estimate"].round(3).item()
        2.25
        """
        return self._mean_total(var, None, None, total=False)

    def total(self, var: str | Sequence[str]) -> pd.DataFrame:
        """Weighted total of `var` with its standard error (R ``svytotal``).

        Parameters
        ----------
        var : str or list of str
            Numeric column(s); missing values count as absent (R ``na.rm=TRUE``).
            An unordered categorical or text column gives the estimated
            population count of each category (R ``svytotal(~factor)``), with a
            ``level`` column.

        Returns
        -------
        pandas.DataFrame
            ``variable, [level,] estimate, se, ci_low, ci_high, deff, n``.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "w": [10, 10, 20]})
        >>> tk.stats.Design(df, weights="w").total("y")["estimate"].item()
        90.0
        """
        return self._mean_total(var, None, None, total=True)

    def _prop(self, var: str | Sequence[str], by: Sequence[str] | None,
              domain: np.ndarray | None, *, total: bool = False, method: str = "wald",
              level: float = 0.95) -> pd.DataFrame:
        if not isinstance(var, str):
            return pd.concat([self._prop(v, by, domain, total=total, method=method,
                                         level=level) for v in var], ignore_index=True)
        require_columns(self.data, {"var": var}, where="the survey data")
        if method == "likelihood" and hasattr(self._lin, "deviations_totals"):
            msg = ("`method=\"likelihood\"` needs a linearised design: R's svyciprop gives no "
                   "likelihood interval on replicate weights. Use \"logit\" (the default), "
                   "\"beta\", \"mean\", \"xlogit\", \"asin\" or \"wald\".")
            raise ArgumentError(msg)
        _, keys, pairs = self._groups(by, domain, cells=self._by_cells)
        ngroup, size, pg = len(keys), pairs["size"], pairs["group"]
        lv, levels = self._levels(var)
        nlev = len(levels)
        cells = cell_weights(pairs["q"], lv, self._w, nlev, size, 3 if pairs.get("cells") else 2)
        wl = cells[:, 0].reshape(size, nlev)
        cnt = cells[:, 1].reshape(size, nlev).sum(axis=1)
        sw = wl.sum(axis=1)
        n = np.bincount(pg, weights=cnt, minlength=ngroup)
        wsum = np.bincount(pg, weights=sw, minlength=ngroup)
        wlev = np.stack([np.bincount(pg, weights=wl[:, j], minlength=ngroup)
                         for j in range(nlev)], axis=1).reshape(-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = wlev / np.repeat(wsum, nlev)
            share = (np.zeros((ngroup, nlev)) if total
                     else np.nan_to_num(p).reshape(ngroup, nlev))[pg]
            denom = (np.ones(ngroup) if total else np.where(wsum > 0, wsum, 1.0))[pg][:, None]
            z = (wl - share * sw[:, None]) / denom  # influence totals per entry and level
            cols = (pg[:, None] * nlev + np.arange(nlev)[None, :]).ravel()
            if pairs.get("cells"):  # each row a PSU: Σ over a cell's rows of w²(1[level] - p)²
                w2l = cells[:, 2].reshape(size, nlev)
                squares = w2l * (1 - share) ** 2 + (w2l.sum(axis=1)[:, None] - w2l) * share**2
                shape = (self._lin.n_strata, ngroup * nlev)
                var_ = self._lin.cell_variance(
                    z.reshape(shape), (squares / denom**2).reshape(shape),
                    np.repeat(cnt.reshape(self._lin.n_strata, ngroup), nlev, axis=1))
            else:
                present = self._lin.present_by(pairs["unit"], pg, ngroup, cnt)
                if present is not None:
                    present = np.repeat(present, nlev, axis=1)
                var_ = self._lin.variance_totals(np.repeat(pairs["unit"], nlev), cols,
                                                 z.ravel(), ngroup * nlev, present=present,
                                                 denom=None if total else np.repeat(sw, nlev))
            nn = np.repeat(n, nlev)
            ww = np.repeat(wsum, nlev)
            svar = p * (1 - p) * nn / (nn - 1)
            vsrs = np.where(ww > nn, svar * (ww - nn) / (ww * nn), svar / nn)
            if total:
                vsrs = vsrs * ww**2
            deff = var_ / vsrs
        lead: dict[str, Any] = {"variable": np.full(ngroup * nlev, var, dtype=object)}
        if by:
            lead.update({c: keys[c].array.take(np.repeat(np.arange(ngroup), nlev))
                         for c in keys.columns})
        lead["level"] = np.tile(levels, ngroup)
        res = {"estimate": wlev if total else p, "var": var_, "deff": deff,
               "n": nn.astype(np.int64)}
        if method != "wald" or level != 0.95:
            from toolkit.stats._share_ci import share_interval

            inputs = self._share_inputs(method, pairs, cnt, nlev, ngroup, wsum)
            deviations = getattr(self._lin, "deviations_totals", None)
            if method == "logit" and deviations is not None and not total:
                # R svyciprop(method="logit") on replicate weights refits svyglm(quasibinomial)
                # per replicate: the variance of logit(p_r), not the delta method
                dev = deviations(np.repeat(pairs["unit"], nlev), cols, z.ravel(), ngroup * nlev,
                                 denom=np.repeat(sw, nlev))
                with np.errstate(invalid="ignore", divide="ignore"):
                    inputs["logit_var"] = self._lin.variances(
                        special.logit(p + dev) - special.logit(p))
            res["ci_low"], res["ci_high"] = share_interval(p, var_, method=method, level=level,
                                                           **inputs)
        out = self._frame(lead, res)
        return _drop_empty(out, nn) if by else out

    def _share_inputs(self, method: str, pairs: dict[str, Any], cnt: np.ndarray, nlev: int,
                      ngroup: int, wsum: np.ndarray) -> dict[str, Any]:
        """Degrees of freedom, rows and weight sums per (group, level) for the share CIs.

        `cnt` counts the rows with a value per (unit, group) pair, `wsum` their
        weights per group.
        """
        pg, size = pairs["group"], pairs["size"]
        rows_pair = (pairs["count"] if "count" in pairs
                     else np.bincount(pairs["q"][pairs["q"] >= 0], minlength=size))
        if ngroup == 1 and rows_pair.sum() == self._n:
            df = np.full(ngroup, float(self.degf))
        elif pairs.get("cells"):  # R svyby: the domain's rows (its PSUs) minus its strata
            rows_cell = np.asarray(rows_pair).reshape(self._lin.n_strata, ngroup)
            df = (rows_cell.sum(axis=0) - (rows_cell > 0).sum(axis=0)).astype(float)
        else:  # R svyby: degf of each domain's design
            hit = rows_pair > 0
            df = self._lin.degf_by(pairs["unit"][hit], pg[hit], ngroup).astype(float)
        rows = np.bincount(pg, weights=rows_pair, minlength=ngroup)
        if self._lin.residualise is not None:  # R nrow() of a calibrated subset: all rows
            rows = np.full(ngroup, float(self._n))
        out: dict[str, Any] = {"df": np.repeat(df, nlev), "rows": np.repeat(rows, nlev)}
        if method == "likelihood":
            valid = pairs["q"] >= 0
            rw = np.bincount(pg, weights=pairs["sw"] if "sw" in pairs else np.bincount(
                pairs["q"][valid], weights=self._w[valid], minlength=size), minlength=ngroup)
            n_ok = np.bincount(pg, weights=cnt, minlength=ngroup)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean_w = rw / rows
            out["likelihood"] = {"n": np.repeat(n_ok, nlev), "sw": np.repeat(wsum, nlev),
                                 "mean_w": np.repeat(mean_w, nlev)}
        return out

    def prop(self, var: str | Sequence[str], *, method: str = "logit",
             level: float = 0.95) -> pd.DataFrame:
        r"""Share of each level of categorical `var` with its interval (R ``svyciprop``).

        Every category of a Categorical is reported, unused ones with 0; other
        columns report their distinct values in sorted order. Estimates and
        standard errors are R ``svymean`` of the factor; the interval of each
        level's share is R ``svyciprop(~I(var == level), design, method=)``.

        Parameters
        ----------
        var : str or list of str
            Column(s); missing values are left out (design kept).
        method : {"logit", "wald", "mean", "xlogit", "asin", "beta", "likelihood"}, default "logit"
            The interval (see Notes); ``"logit"`` (R's default) stays inside
            [0, 1], ``"wald"`` is the normal interval of :meth:`mean`.
        level : float, default 0.95
            Confidence level.

        Returns
        -------
        pandas.DataFrame
            One row per level (of each column): ``variable, level, estimate, se, ci_low, ci_high,
            deff, n`` (``n`` respondents with a value).

        Notes
        -----
        With :math:`t` the :math:`1-\alpha/2` quantile of Student t on the design
        degrees of freedom (PSUs minus strata; in a domain, of the domain's
        design, as ``svyby(..., svyciprop)``): ``"mean"`` is
        :math:`\hat p \pm t\,se`; ``"logit"`` and ``"xlogit"``
        :math:`\mathrm{expit}(\mathrm{logit}\,\hat p \pm t\,se/(\hat p(1-\hat p)))`;
        ``"asin"`` the same on :math:`\arcsin\sqrt p`; ``"beta"`` the
        Korn-Graubard (Clopper-Pearson with effective sample size) interval;
        ``"likelihood"`` the design-scaled profile-likelihood interval of the
        intercept of a quasi-binomial ``svyglm``, computed on R's grid with
        R's spline interpolation (:mod:`toolkit.stats._share_ci`). ``"wald"``
        is :math:`\hat p \pm z\,se` (R ``confint(svymean(...))``). A share of
        exactly 0 or 1 has no logit, asin or likelihood interval (NaN); use
        ``"beta"`` there.

        References
        ----------
        Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions
        with small expected number of positive counts estimated from survey
        data. *Survey Methodology* 24, 193-201. Test values: R ``survey`` 4.1.1
        ``svyciprop`` with every method on the two-stage fixture
        (``tests/reference/R/svytests.R``).

        Examples
        --------
        >>> df = pd.DataFrame({"sex": ["m", "f", "f", "m"], "w": [1, 1, 2, 4]})
        >>> tk.stats.Design(df, weights="w").prop("sex")[["level", "estimate"]]
          level  estimate
        0     f     0.375
        1     m     0.625
        """
        from toolkit._checks import check_choice
        from toolkit.stats._share_ci import SHARE_METHODS

        self._in_memory("prop")
        check_choice(method, SHARE_METHODS, param="method")
        return self._prop(var, None, None, method=method, level=level)

    def _ratio_of(self, numerator: str | Sequence[str], denominator: str,
                  by: Sequence[str] | None) -> pd.DataFrame:
        if not isinstance(numerator, str):
            return pd.concat([self._ratio_of(v, denominator, by) for v in numerator],
                             ignore_index=True)
        if not isinstance(denominator, str):
            msg = (f"`denominator` must be one column name, not "
                   f"{denominator.__class__.__name__}.")
            raise ArgumentTypeError(msg)
        require_columns(self.data, {"numerator": numerator, "denominator": denominator},
                        where="the survey data")
        y, x = self._numeric(numerator), self._numeric(denominator)
        _, keys, pairs = self._groups(by, None)
        ngroup, size, pg = len(keys), pairs["size"], pairs["group"]
        # R na.rm=TRUE: a row missing either value leaves both sums (design kept)
        use = (pairs["q"] >= 0) & ~(np.isnan(y) | np.isnan(x))
        q, w = pairs["q"][use], self._w[use]
        cnt = np.bincount(q, minlength=size).astype(float)
        swy = np.bincount(q, weights=w * y[use], minlength=size)
        swx = np.bincount(q, weights=w * x[use], minlength=size)
        n = np.bincount(pg, weights=cnt, minlength=ngroup)
        ysum = np.bincount(pg, weights=swy, minlength=ngroup)
        xsum = np.bincount(pg, weights=swx, minlength=ngroup)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(n > 0, ysum / xsum, np.nan)
            z = (swy - np.nan_to_num(r)[pg] * swx) / np.where(xsum != 0, xsum, 1.0)[pg]
            present = self._lin.present_by(pairs["unit"], pg, ngroup, cnt)
            var_ = self._lin.variance_totals(pairs["unit"], pg, z, ngroup, present=present,
                                             denom=swx)
        lead = pd.DataFrame(self._lead(numerator, keys, by))
        lead.insert(1, "denominator", denominator)
        out = self._frame(lead, {"estimate": r, "var": var_, "deff": np.full(ngroup, np.nan),
                                 "n": n.astype(np.int64)})
        return out[n > 0].reset_index(drop=True) if by else out

    def ratio(self, numerator: str | Sequence[str], denominator: str) -> pd.DataFrame:
        r"""Ratio of the weighted totals of two columns (R ``svyratio``).

        Parameters
        ----------
        numerator : str or list of str
            Numeric column(s); one row per column.
        denominator : str
            Numeric column.

        Returns
        -------
        pandas.DataFrame
            ``variable, denominator, estimate, se, ci_low, ci_high, deff, n``
            (``deff`` is NaN, as R without ``deff=TRUE``; ``n`` respondents with
            both values).

        Notes
        -----
        :math:`\hat R = \sum_i w_i y_i / \sum_i w_i x_i`, linearised with the
        influence values :math:`w_i (y_i - \hat R x_i) / \sum_i w_i x_i` (the
        calibration residuals of these on a calibrated design); on a replicate
        design the ratio of each replicate's totals. A respondent missing either
        value is left out of both totals, the design kept (R ``na.rm=TRUE``).
        Per domain: ``design.by(group).ratio(...)`` (R ``svyby(~y, ~group,
        denominator=~x, design, svyratio)``). Test values: R ``survey`` 4.1,
        ``tests/reference/R/calibrate.R``.

        Examples
        --------
        >>> df = pd.DataFrame({"spent": [2.0, 3, 5, 4], "income": [10.0, 10, 20, 20],
        ...                    "w": [1.0, 1, 2, 2]})
        >>> tk.stats.Design(df, weights="w").ratio("spent", "income")["estimate"].round(4).item()
        0.23
        """
        self._in_memory("ratio")
        return self._ratio_of(numerator, denominator, None)

    def _quantile(self, var: str, q: float | Sequence[float],
                  domain: np.ndarray | None) -> pd.DataFrame:
        require_columns(self.data, {"var": var}, where="the survey data")
        y = self._numeric(var)
        qs = np.atleast_1d(np.asarray(q, dtype=float))
        if np.any((qs < 0) | (qs > 1)):
            msg = f"`q` must be between 0 and 1, not {q!r}."
            raise ValueError(msg)
        ok = ~np.isnan(y)
        if domain is not None:
            ok &= domain
        yy, ww = y[ok], self._w[ok]
        order = np.argsort(yy, kind="stable")
        ys, cw = yy[order], np.cumsum(ww[order])
        uniq_last = np.r_[ys[1:] != ys[:-1], True] if len(ys) else np.array([], bool)
        xv, cdf = ys[uniq_last], cw[uniq_last] / (cw[-1] if len(cw) else 1.0)
        if len(cdf):
            cdf[-1] = 1.0

        def qrule(p: float) -> float:
            if not len(xv):
                return np.nan
            i = int(np.searchsorted(cdf, min(max(p, 0.0), 1.0) - 1e-12, side="left"))
            return float(xv[min(i, len(xv) - 1)])

        # R: the sub-design of the domain's rows with a value (svyquantile, na.rm=TRUE)
        from scipy import stats as sps

        df = self._degf(ok)
        tq = float(sps.t.ppf(0.975, df)) if df > 0 else np.nan
        pairs = self._index_of(np.where(ok, 0, -1), 1, cells=self._by_cells)
        keys = pd.DataFrame(index=[0])
        rows = []
        for p in qs:
            est = qrule(p)
            ind = np.where(ok, (y <= est).astype(float), 0.0)
            res = self._ratio(ind, keys, pairs, total=False)
            f_hat, se_p = float(res["estimate"][0]), float(np.sqrt(res["var"][0]))
            lo, hi = qrule(f_hat - tq * se_p), qrule(f_hat + tq * se_p)
            rows.append({"variable": var, "q": float(p), "estimate": est,
                         "se": (hi - lo) / (2 * tq), "ci_low": lo, "ci_high": hi,
                         "deff": np.nan, "n": int(ok.sum())})
        return pd.DataFrame(rows)

    def quantile(self, var: str, q: float | Sequence[float] = 0.5) -> pd.DataFrame:
        r"""Weighted quantile(s) of `var` with Woodruff confidence intervals.

        Parameters
        ----------
        var : str
            Numeric column; missing values left out (design kept).
        q : float or sequence of float, default 0.5
            Probabilities.

        Returns
        -------
        pandas.DataFrame
            One row per probability: ``variable, q, estimate, se, ci_low,
            ci_high, deff, n``; ``deff`` is NaN (not defined).

        Notes
        -----
        As R ``svyquantile`` (survey >= 4.1) with its defaults
        ``qrule="math"`` and ``interval.type="mean"``: the quantile is the
        smallest observed value whose weighted CDF reaches :math:`p`. The 95%
        interval (Woodruff 1952) maps :math:`\hat F \pm t_{0.975,df}\,SE(\hat F)`
        through the same rule, where :math:`\hat F` is the weighted share at or
        below the estimate and :math:`SE(\hat F)` its design SE; :math:`df`
        is the design degrees of freedom (PSUs minus strata) of the respondents
        with a value (in the domain, for ``.by``), as R's ``degf`` of the
        subset design. ``se`` is the interval length over :math:`2t_{0.975,df}`.

        References
        ----------
        Woodruff, R. S. (1952). Confidence intervals for medians and other
        position measures. *JASA* 47, 635-646. Test values: survey package
        vignette, ``svyquantile(~api00, dclus1, c(.25,.5,.75), ci=TRUE)``.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6, 7, 8]})
        >>> tk.stats.Design(df).quantile("y", 0.5)["estimate"].item()
        4.0
        """
        self._in_memory("quantile")
        return self._quantile(var, q, None)

    def crosstab(self, row: str, col: str) -> pd.DataFrame:
        r"""Weighted cross-table with a Rao-Scott adjusted chi-square test.

        Parameters
        ----------
        row, col : str
            Categorical columns. Respondents missing either are left out (design
            kept, as R ``svychisq(na.rm=TRUE)``).

        Returns
        -------
        pandas.DataFrame
            One row per cell: ``variable`` (``"row:col"``), `row`, `col`,
            ``total`` (weighted count), ``estimate`` (share of the weighted
            total), ``se``, ``ci_low``, ``ci_high``, ``deff`` (as for
            :meth:`prop`), ``n`` (respondents in the cell). ``attrs["test"]`` holds the test as a
            dict: ``chisq`` (Pearson statistic of the table scaled to n),
            ``f`` (= chisq / trace of the design-effect matrix), ``ndf``,
            ``ddf``, ``p_value``, ``n``; :meth:`crosstab_test` returns it as a frame.

        Notes
        -----
        Second-order Rao-Scott correction with a Satterthwaite F reference
        distribution, exactly as R ``svychisq(~row+col, design, statistic="F")``:
        with :math:`\Delta` the generalised design-effect matrix of the
        interaction contrasts, :math:`F = X^2/\mathrm{tr}\,\Delta` on
        :math:`d = (\mathrm{tr}\,\Delta)^2/\mathrm{tr}\,\Delta^2` and
        :math:`d \cdot df_{design}` degrees of freedom; in a domain
        (``.by(...).crosstab``) :math:`df_{design}` counts the domain's PSUs
        and strata, as ``svychisq(~row+col, subset(design, ...))``.

        References
        ----------
        Rao, J. N. K., & Scott, A. J. (1984). On chi-squared tests for multiway
        contingency tables with cell proportions estimated from survey data.
        *Annals of Statistics* 12, 46-60.

        Examples
        --------
        >>> df = pd.DataFrame({"a": list("xxyyxyxy"), "b": list("pqpqppqq"),
        ...                    "w": [1, 2, 1, 2, 1, 2, 1, 2]})
        >>> tab = tk.stats.Design(df, weights="w").crosstab("a", "b")
        >>> tab[["a", "b", "total"]]
           a  b  total
        0  x  p    2.0
        1  y  p    3.0
        2  x  q    3.0
        3  y  q    4.0
        """
        from toolkit.stats._rao_scott import crosstab

        self._in_memory("crosstab")
        table, test = crosstab(self, row, col, None)
        table.attrs["test"] = test
        return table

    def crosstab_test(self, row: str, col: str, *, statistic: str = "F") -> pd.DataFrame:
        r"""A design-based test of independence of `row` and `col` (R ``svychisq``).

        Parameters
        ----------
        row, col : str
            Categorical columns (respondents missing either are left out, the
            design kept).
        statistic : {"F", "Chisq", "Wald", "adjWald", "lincom", "saddlepoint"}, default "F"
            As R ``svychisq(statistic=)``: ``"F"`` the second-order Rao-Scott
            F test of :meth:`crosstab`; ``"Chisq"`` the first-order correction,
            :math:`X^2/ar\delta` on :math:`(r-1)(c-1)` df; ``"Wald"`` the
            design-based Wald test of the interaction contrasts of the cell
            totals, :math:`W/((r-1)(c-1))` on :math:`((r-1)(c-1),\ df)`;
            ``"adjWald"`` the same scaled by :math:`(df - (r-1)(c-1) + 1)/df`
            on :math:`((r-1)(c-1),\ df-(r-1)(c-1)+1)`; ``"lincom"`` Pearson's
            :math:`X^2` against its exact asymptotic distribution,
            :math:`\sum_j\delta_j\chi^2_1` over :math:`\chi^2_{d\,df}/(d\,df)`,
            by numerical integration (Imhof); ``"saddlepoint"`` the same
            distribution by R's saddlepoint approximation. :math:`df` is the
            design degrees of freedom, :math:`\delta_j` the eigenvalues of the
            design-effect matrix and :math:`d` the Rao-Scott ndf.

        Returns
        -------
        pandas.DataFrame
            One row: ``row, col, statistic, chisq`` (Pearson :math:`X^2` scaled
            to n; NaN for the Wald tests), ``f`` (the F statistic; NaN for
            ``"Chisq"``, ``"lincom"``, ``"saddlepoint"``), ``ndf, ddf, p_value, n``
            (``ddf`` is inf for ``"Chisq"``; ``ndf`` NaN where R reports none).

        Notes
        -----
        R computes ``"lincom"`` with Davies' algorithm (``CompQuadForm``, to
        1e-7); the test values of ``"lincom"`` come from Imhof's integral in R.

        References
        ----------
        Rao, J. N. K. & Scott, A. J. (1984), *Annals of Statistics* 12, 46-60;
        Koch, G. G., Freeman, D. H. & Freeman, J. L. (1975). Strategies in the
        multivariate analysis of data from complex surveys. *International
        Statistical Review* 43, 59-78. Test values: R ``survey`` 4.1.1
        ``svychisq`` on the two-stage fixture (``tests/reference/R/svytests.R``).

        Examples
        --------
        >>> df = pd.DataFrame({"a": list("xxyyxyxy"), "b": list("pqpqppqq")})
        >>> list(tk.stats.Design(df).crosstab_test("a", "b").columns)
        ['row', 'col', 'statistic', 'chisq', 'f', 'ndf', 'ddf', 'p_value', 'n']
        """
        from toolkit.stats._rao_scott import crosstab

        self._in_memory("crosstab_test")
        _, test = crosstab(self, row, col, None, statistic=statistic)
        return pd.DataFrame([{"row": row, "col": col, "statistic": statistic, **test}])

    @renamed(group="by")
    def by(self, by: str | Sequence[str]) -> Any:
        """Estimates per group (domain estimation, as R ``svyby``).

        Parameters
        ----------
        by : str or list of str
            Column(s) defining the domains (``group=`` is its deprecated
            spelling). Respondents with a missing group belong to no domain but
            stay in the design.

        Returns
        -------
        object
            With the methods ``mean``, ``total``, ``prop``, ``quantile``,
            ``crosstab``, each returning one row per group (group columns after
            ``variable``).

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "g": ["a", "a", "b", "b"]})
        >>> tk.stats.Design(df).by("g").mean("y")[["g", "estimate"]]
           g  estimate
        0  a       1.5
        1  b       3.5
        """
        from toolkit.stats._domains import ByDesign

        groups = [by] if isinstance(by, str) else list(by)
        require_columns(self.data, {"by": groups}, where="the survey data")
        return ByDesign(self, groups)

    # -- calibration and replicate weights ---------------------------------------

    #: Calibration steps applied so far, and the design before the first one.
    _steps: tuple = ()
    _base: Design | None = None

    def _calibrate_step(self, step: Any) -> Design:
        """A new design with the weights (and calibration residuals) after `step`."""
        import copy

        from toolkit.stats._calibration import apply_step

        self._in_memory(step.kind)
        w, res = apply_step(self._w, self.data, step)
        new = copy.copy(self)
        new._w = w
        if res is not None:
            old = self._lin.residualise
            new._lin = self._lin.calibrated(res if old is None else old.then(res))
        new._group_cache, new._level_cache = {}, {}
        new._steps = (*self._steps, step)
        new._base = self if self._base is None else self._base
        return new

    def poststratify(self, population: Any, *, partial: bool = False) -> Design:
        r"""Post-stratify the weights to population counts of cells (R ``postStratify``).

        Parameters
        ----------
        population : pandas.DataFrame or pandas.Series
            The cells and their population counts: a frame with the cell
            column(s) (columns of the data; several columns cross) and one column
            of counts, or a Series of counts indexed by the cells (its index
            names are the columns).
        partial : bool, default False
            Leave out population cells without respondents (with a warning)
            instead of refusing them (R ``partial=TRUE``).

        Returns
        -------
        Design
            A new design whose weights add up to the count of every cell; its
            standard errors use the residuals of the influence values within the
            cells, as R.

        Raises
        ------
        DesignError
            For a cell with respondents but no population count, a population
            cell without respondents (naming them), a respondent without a cell
            value, or a negative count.

        Notes
        -----
        Each cell's weights are multiplied by its population count over its
        weighted sample count. The variance is that of the residuals
        :math:`u_i - w_i \bar u_{c(i)}` with :math:`\bar u_c` the cell's
        influence total over its weight total (R ``svyrecvar``, ``postStrata``).

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "sex": ["f", "f", "m", "m"],
        ...                    "w": [1.0, 1, 1, 1]})
        >>> pop = pd.DataFrame({"sex": ["f", "m"], "count": [30, 70]})
        >>> ps = tk.stats.Design(df, weights="w").poststratify(pop)  # R postStratify
        >>> ps.total("y")["estimate"].item()
        290.0
        """
        from toolkit.stats._calibration import Step

        return self._calibrate_step(Step("poststratify", (("population", population),
                                                          ("partial", bool(partial)))))

    def rake(self, margins: Sequence[Any], *, max_iter: int = 10, tol: float = 1.0) -> Design:
        """Rake the weights to several population margins (R ``rake``).

        Parameters
        ----------
        margins : list of DataFrame or Series
            One population table per margin, each as for :meth:`poststratify`
            (e.g. counts by sex, and counts by region).
        max_iter : int, default 10
            Most iterations (each post-stratifies to every margin in turn), R's
            ``control$maxit``.
        tol : float, default 1
            Stop when no cell of the joint table of the margins' columns changes
            by this much (a weighted count); below 1 it is a fraction of the total
            weight. R's ``control$epsilon``.

        Returns
        -------
        Design
            A new design; its standard errors use R's raking residuals.

        Raises
        ------
        DesignError
            As :meth:`poststratify`, for each margin (every problem at once).

        Warns
        -----
        ToolkitWarning
            When raking has not converged after `max_iter` iterations (the
            weights of the last iteration are kept, as R).

        Notes
        -----
        Iterative proportional fitting; the variance uses the residuals of ten
        sweeps of ``u - psw * ave(u / psw, margin)`` over the margins, with
        ``psw`` the weights after each margin in the last iteration, exactly as R
        ``svyrecvar`` treats a raked design.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6],
        ...                    "sex": list("ffmmfm"), "age": list("aabbba")})
        >>> pop_sex = pd.Series({"f": 50.0, "m": 50.0}).rename_axis("sex")
        >>> pop_age = pd.Series({"a": 40.0, "b": 60.0}).rename_axis("age")
        >>> raked = tk.stats.Design(df).rake([pop_sex, pop_age])  # R rake
        >>> raked.total("y")["estimate"].round(2).item()
        357.27
        """
        from toolkit.stats._calibration import Step

        if isinstance(margins, list | tuple):
            margins = tuple(margins)
        return self._calibrate_step(Step("rake", (("margins", margins),
                                                  ("max_iter", int(max_iter)),
                                                  ("tol", float(tol)))))

    def calibrate(self, totals: Any, *, method: str = "linear", bounds: Any = None,
                  trim: Any = None, max_iter: int = 50, tol: float = 1e-7) -> Design:
        r"""Calibrate the weights to population totals (GREG; R ``calibrate``).

        Parameters
        ----------
        totals : dict
            Population totals of the calibration variables: a numeric column
            name maps to its total; a categorical column maps to a dict (or
            Series) of the count of every category; a tuple of columns maps to
            counts of their crossed categories (keys are tuples); the key
            ``"(Intercept)"`` gives the population size (needed when no
            categorical margin gives it). Every categorical margin must add up
            to the same population.
        method : {"linear", "raking", "logit"}, default "linear"
            Calibration function (R ``calfun``): linear (GREG), raking
            (exponential, keeps weights positive) or logit (needs `bounds`).
        bounds : (float, float), optional
            Lower and upper bound on the ratio of calibrated to original weight,
            e.g. ``(0.5, 2)``.
        trim : (float, float), optional
            Clip the ratios to these bounds after calibrating and spread the
            trimmed weight over the other respondents (R ``trim=``; R ignores it
            for unbounded linear calibration, the toolkit applies it).
        max_iter : int, default 50
            Most Newton iterations (R ``maxit``).
        tol : float, default 1e-7
            Convergence: every total met to ``tol * (1 + |total|)`` (R ``epsilon``).

        Returns
        -------
        Design
            A new design with the calibrated weights; its standard errors use
            the residuals of the influence values on the calibration variables.

        Raises
        ------
        DesignError
            For a category without respondents or respondents in a category
            without a total (naming them), margins that disagree on the
            population size, a missing value of a calibration variable, and
            totals that cannot be met within `bounds` (naming the totals missed).

        Warns
        -----
        ToolkitWarning
            When a calibrated weight is zero or negative (possible with
            unbounded linear calibration).

        Notes
        -----
        The weights are :math:`w_i g_i` with :math:`g_i = F(x_i^T\lambda)` such
        that :math:`\sum_i w_i g_i x_i` equals the totals: :math:`F(u) = 1 + u`
        (linear; without bounds the closed-form regression estimator),
        :math:`e^u` (raking), or the bounded logistic function (logit), found by
        Newton's method as R ``grake`` (when every total exceeds the sample's by
        more than 20 times, R rescales the weights first and reads the bounds
        after rescaling; so does the toolkit). Variances use
        :math:`u - \mathrm{diag}(w g) X (X^T W X)^{+} X^T (u/g)` (R
        ``svyrecvar`` for a ``greg_calibration``).

        References
        ----------
        Deville, J.-C. & Särndal, C.-E. (1992). Calibration estimators in survey
        sampling. *JASA* 87, 376-382.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "sex": ["f", "f", "m", "m"],
        ...                    "x": [1.0, 2, 2, 3]})
        >>> cal = tk.stats.Design(df).calibrate({"sex": {"f": 40, "m": 60}, "x": 210})
        >>> cal.total("x")["estimate"].round(6).item()  # R calibrate(design, ~sex + x, ...)
        210.0
        """
        from toolkit.stats._calibration import Step

        return self._calibrate_step(Step("calibrate", (
            ("totals", totals), ("method", method),
            ("bounds", None if bounds is None else tuple(bounds)),
            ("trim", None if trim is None else tuple(trim)),
            ("max_iter", int(max_iter)), ("tol", float(tol)))))

    def trim_weights(self, *, lower: float | None = None, upper: float | None = None,
                     strict: bool = False) -> Design:
        """Trim the weights to [lower, upper] (R ``trimWeights``).

        Parameters
        ----------
        lower, upper : float, optional
            Bounds on the weights (not ratios).
        strict : bool, default False
            Repeat until no weight lies outside the bounds (the shared excess can
            push weights over again).

        Returns
        -------
        Design
            A new design; the trimmed weight is shared equally by the untrimmed
            respondents, so the total weight is kept. A calibrated design keeps
            its calibration residuals, as R.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 2, 3, 10]})
        >>> t = tk.stats.Design(df, weights="w").trim_weights(upper=6)
        >>> t.total("y")["estimate"].round(6).item()  # R trimWeights(design, upper = 6)
        46.0
        """
        from toolkit.stats._calibration import Step

        return self._calibrate_step(Step("trim", (("lower", lower), ("upper", upper),
                                                  ("strict", bool(strict)))))

    def replicate(self, type: str = "auto", *, replicates: int | None = None,
                  rho: float | None = None, seed: Any = None, mse: bool = False) -> Any:
        r"""Replicate weights of this design (R ``as.svrepdesign``).

        Parameters
        ----------
        type : {"auto", "JK1", "JKn", "BRR", "Fay", "bootstrap"}, default "auto"
            ``"JK1"`` deletes one PSU at a time (unstratified designs);
            ``"JKn"`` one PSU within its stratum; ``"BRR"`` balanced half-samples
            of two PSUs per stratum (R's Hadamard matrices); ``"Fay"`` BRR with
            Fay's factor `rho`; ``"bootstrap"`` resamples PSUs within strata
            (random: give `seed`). ``"auto"``: JK1 without strata, else JKn.
        replicates : int, optional
            Number of bootstrap replicates (default 50, as R).
        rho : float, optional
            Fay's factor (``type="Fay"``), between 0 and 1.
        seed : int or numpy.random.Generator, optional
            Seed of the bootstrap.
        mse : bool, default False
            Centre replicates at the full-sample estimate (R ``mse=TRUE``).

        Returns
        -------
        ReplicateDesign
            With the same estimators. A calibrated design's replicates are each
            calibrated the same way (as calibrating R's replicate design).

        Raises
        ------
        DesignError
            For JK1 with strata, JKn/BRR/Fay without, BRR with a stratum of one
            or an odd number of PSUs, a lonely PSU under ``lonely_psu="fail"``.

        Notes
        -----
        As R: JKn gives replicate factors :math:`n_h/(n_h-1)` to the other PSUs
        of the deleted PSU's stratum with ``rscales`` :math:`(1-f_h)(n_h-1)/n_h`;
        a stratum sampled whole gets no replicates; a lonely PSU follows
        `lonely_psu` (``"adjust"``: one replicate deleting it, the other strata
        scaled by :math:`H/(H-1)`; ``"average"``: scale = PSUs / replicates). BRR
        and Fay drop the fpc, as does the bootstrap's second stage (warnings).
        The bootstrap is R's (Canty-Davison counts, scale
        :math:`\bar n/((\bar n - 1)(R-1))`), with numpy's random numbers.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2, 4, 3, 5, 6], "st": list("aabbcc"),
        ...                    "psu": list("pqrstu")})
        >>> rep = tk.stats.Design(df, strata="st", cluster="psu").replicate("JKn")
        >>> rep.mean("y")[["estimate", "se"]].round(4)  # R as.svrepdesign(d, "JKn")
           estimate      se
        0       3.5  0.2887
        """
        from toolkit.stats.replicate import design_replicates

        self._in_memory("replicate")
        if self._base is not None:
            rep = self._base.replicate(type, replicates=replicates, rho=rho, seed=seed, mse=mse)
            for step in self._steps:
                rep = rep._calibrate_step(step)
            return rep
        parts = design_replicates(self, type, replicates=replicates, rho=rho, seed=seed, mse=mse)
        return ReplicateDesign._from_factors(self.data, self._w, weights=self.weights,
                                             source=f"Design.replicate(type={type!r})",
                                             **parts)

    def __repr__(self) -> str:
        if self._large is not None:
            return (f"<Design ({self._large.engine}): {self._n:,} respondents, "
                    f"{self._n_psu:,} PSUs, {self._n_strata} strata>")
        parts = [f"n={self._n}", f"strata={self._n_strata}", f"psu={self._n_psu}"]
        if self.fpc:
            parts.append("fpc")
        return f"<Design {', '.join(parts)}>"

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{k}</td><td>{html.escape(str(v))}</td></tr>" for k, v in {
            "respondents": self._n, "weights": self.weights, "strata": self.strata,
            "cluster": self.cluster, "fpc": self.fpc, "lonely PSU": self.lonely_psu,
            "PSUs": self._n_psu, "degrees of freedom": self.degf}.items())
        return f"<table><caption>Survey design</caption>{rows}</table>"



class ReplicateDesign(Design):
    r"""A survey sample with replicate weights, as R ``survey::svrepdesign``.

    For replicate weights supplied with the data (a survey firm's jackknife or
    bootstrap columns). ``Design.replicate(...)`` builds them from a design's
    strata and PSUs instead (R ``as.svrepdesign``). The estimators are those of
    :class:`~toolkit.stats.Design` (``mean``, ``total``, ``prop``, ``quantile``,
    ``crosstab``, ``crosstab_test``, ``by``, ``poststratify``/``rake``/
    ``calibrate``/``trim_weights``, and ``design=`` of ``regress``/``ologit``);
    their standard errors come from the replicates.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, with the replicate weight columns.
    weights : str, optional
        Column of full-sample weights (without it all weights are 1, with a
        warning, as R).
    repweights : list of str or str
        Replicate weight columns, or a regular expression matching their names
        (R's ``repweights="wt[0-9]+"``); the `weights` column is never one of them.
    type : {"BRR", "Fay", "JK1", "JKn", "bootstrap", "ACS", "successive-difference", "JK2", "other"}
        How the replicates were made; it fixes `scale` and `rscales` where R does:
        BRR :math:`1/R`; Fay :math:`1/(R(1-\rho)^2)`; bootstrap :math:`1/(R-1)`;
        ACS and successive-difference :math:`4/R`; JK2 1; JK1 :math:`(R-1)/R` when
        `scale` is not given (with a warning, R's guess); JKn needs `rscales`.
    scale : float, optional
        Overall multiplier of the replicate variance.
    rscales : float or sequence of float, optional
        Multiplier of each replicate (e.g. :math:`(n_h-1)/n_h` of its stratum for JKn).
    mse : bool, default False
        Centre the replicates at the full-sample estimate rather than at their
        mean (R ``mse=TRUE``).
    rho : float, optional
        Fay's factor for ``type="Fay"``.
    combined_weights : bool, default True
        The replicate columns are the full weights of each replicate (R's
        default); ``False``: they are multipliers of `weights`.

    Raises
    ------
    ColumnNotFoundError
        For a named column that is missing.
    DesignError
        For missing or negative replicate weights, missing or non-positive full
        weights, a pattern that matches no column, or a type without the scales it
        needs.

    Notes
    -----
    The variance of :math:`\hat\theta` is
    :math:`s\sum_r c_r(\hat\theta_r-\bar\theta)^2` (R ``svrVar``), with
    :math:`\hat\theta_r` the estimate under replicate :math:`r`'s weights. Means,
    totals, shares and cross-table cells are ratios of weighted sums, whose
    replicate estimates follow exactly from their influence totals (see
    :mod:`toolkit.stats.replicate`); ``regress`` and ``ologit`` refit the model
    with each replicate's weights (R ``svyglm``, ``svyolr``), tests using
    ``degf`` = rank of the replicate weights minus 1 (R ``degf``). A domain keeps
    the design (R ``svyby``); its quantile and Rao-Scott tests use the rank of
    the domain's replicate weights. ``influence_vcov`` is the replicate variance
    of a linear statistic with the given influence values. A replicate that
    leaves a domain without weight gives no estimate and is left out, with a
    warning (R's ``na.omit`` of replicates).

    References
    ----------
    Lumley, T. (2010). *Complex Surveys*, chapter 2.8. Wolter, K. (2007).
    *Introduction to Variance Estimation*, 2nd ed. Test values: R ``survey`` 4.1,
    ``svrepdesign`` and ``as.svrepdesign`` (``tests/reference/R/calibrate.R``).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2, 4, 3], "w": [1.0, 1, 2, 2],
    ...                    "r1": [0.0, 2, 2, 2], "r2": [2.0, 0, 2, 2],
    ...                    "r3": [1.0, 1, 0, 4], "r4": [1.0, 1, 4, 0]})
    >>> rep = tk.stats.ReplicateDesign(df, weights="w", repweights="^r[0-9]$",
    ...                                type="JKn", rscales=0.5)
    >>> rep.mean("y")[["estimate", "se"]].round(4)
       estimate      se
    0    2.8333  0.3727
    """

    _steps: tuple = ()
    _base = None

    def __init__(self, data: Any, *, weights: str | None = None,
                 repweights: str | Sequence[str], type: str,
                 scale: float | None = None, rscales: Any = None, mse: bool = False,
                 rho: float | None = None, combined_weights: bool = True) -> None:
        from toolkit.stats.replicate import supplied

        if is_study(data):
            data = data.table("survey")
        refuse_large(data, where="tk.stats.ReplicateDesign")
        if not isinstance(data, pd.DataFrame):
            msg = f"`data` must be a pandas DataFrame, not {data.__class__.__name__}."
            raise ArgumentTypeError(msg)
        parts = supplied(data, weights=weights, repweights=repweights, type=type, scale=scale,
                         rscales=rscales, rho=rho, combined_weights=combined_weights)
        self._setup(data, parts["w"], parts["unit"], parts["factors"], type=type,
                    scale=parts["scale"], rscales=parts["rscales"], mse=mse, rho=rho,
                    weights=weights, source="ReplicateDesign(...)", names=parts["names"])

    @classmethod
    def _from_factors(cls, data: pd.DataFrame, w: np.ndarray, unit: np.ndarray,
                      factors: np.ndarray, **kw: Any) -> ReplicateDesign:
        obj = cls.__new__(cls)
        obj._setup(data, w, unit, factors, **kw)
        return obj

    def _setup(self, data: pd.DataFrame, w: np.ndarray, unit: np.ndarray, factors: np.ndarray,
               *, type: str, scale: float, rscales: np.ndarray, mse: bool,
               rho: float | None, weights: str | None, source: str,
               names: list[str] | None = None, fixed: np.ndarray | None = None) -> None:
        self.data = data
        self.weights = weights
        self.strata = self.cluster = self.fpc = None
        self.lonely_psu = "fail"
        self._large = None
        self._n = len(data)
        self._w = np.asarray(w, dtype=float)
        from toolkit.stats.replicate import ReplicateVariance

        self._lin = ReplicateVariance(unit, factors, scale, rscales, mse=mse, fixed=fixed)
        self._group_cache: dict[tuple[str, ...], dict[str, Any]] = {}
        self._level_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.type = type
        self.rho = rho
        self.mse = mse
        self._source = source
        self._names = names or [f"rep{r + 1}" for r in range(factors.shape[1])]

    # -- properties -----------------------------------------------------------------

    #: degf kept through a calibration that R does not recompute it after
    _degf_kept: int | None = None

    @property
    def degf(self) -> int:
        """Design degrees of freedom: rank of the replicate weights minus 1 (R ``degf``).

        As R, the rank is taken again after ``poststratify``, ``rake`` and an
        unbounded linear ``calibrate``, while a bounded or nonlinear ``calibrate``
        and ``trim_weights`` keep the degrees of freedom of the design before.
        """
        if self._degf_kept is not None:
            return self._degf_kept
        return self._lin.degf()

    @property
    def replicates(self) -> int:
        """Number of replicates."""
        return self._lin.factors.shape[1]

    @property
    def scale(self) -> float:
        """Overall multiplier of the replicate variance."""
        return self._lin.scale

    @property
    def rscales(self) -> np.ndarray:
        """Multiplier of each replicate."""
        return self._lin.rscales.copy()

    @property
    def repweights(self) -> pd.DataFrame:
        """The replicate weights, one column per replicate (R ``weights(design, "analysis")``)."""
        lin = self._lin
        return pd.DataFrame(self._w[:, None] * lin.factors[lin.unit], index=self.data.index,
                            columns=self._names)

    @property
    def variance_note(self) -> str:
        """How standard errors are computed (shown by model results)."""
        return f"{self.replicates} {self.type} replicate weights (R svrepdesign)"

    # -- models ------------------------------------------------------------------------

    def replicate_vcov(self, refit: Callable[[np.ndarray], np.ndarray], pos: np.ndarray, *,
                       estimate: np.ndarray) -> np.ndarray:
        """Covariance of a model's estimates by refitting it with each replicate's weights.

        Parameters
        ----------
        refit : callable
            Weights of the model's rows -> the estimates (as `estimate`).
        pos : ndarray of int
            Positions of the model's rows in the design's data.
        estimate : ndarray
            The full-sample estimates (the centre under ``mse=True``).
        """
        lin = self._lin
        base = self._w[pos]
        unit = lin.unit[pos]
        estimate = np.asarray(estimate, dtype=float)
        dev = np.empty((self.replicates, len(estimate)))
        for r in range(self.replicates):
            try:
                dev[r] = np.asarray(refit(base * lin.factors[unit, r]), dtype=float) - estimate
            except (np.linalg.LinAlgError, RuntimeError, FloatingPointError):
                dev[r] = np.nan
        return lin.covariance(dev)

    # -- calibration of every replicate ---------------------------------------------------

    def _calibrate_step(self, step: Any) -> ReplicateDesign:
        """Calibrate the full-sample and every replicate's weights (R on a ``svyrep.design``)."""
        import copy

        from toolkit.stats import replicate
        from toolkit.stats._calibration import apply_step

        lin = self._lin
        size = self._n * (self.replicates + 1)
        if size > replicate.GRID_LIMIT:
            msg = (f"Calibrating {self.replicates} replicates of {self._n:,} respondents forms "
                   f"{size:,} weights, more than {replicate.GRID_LIMIT:,}: calibrate the design "
                   "before making replicates with fewer of them, or on fewer rows.")
            raise DataTooLargeError(msg)
        W = np.column_stack([self._w, self._w[:, None] * lin.factors[lin.unit]])
        new, _ = apply_step(W, self.data, step)
        out = copy.copy(self)
        out._w, out._lin = replicate.recalibrated(lin, new)
        out._group_cache, out._level_cache = {}, {}
        out._steps = (*self._steps, step)
        keeps = step.kind == "trim" or (step.kind == "calibrate" and (
            step.get("method") != "linear" or step.get("bounds") is not None))
        out._degf_kept = self.degf if keeps else None
        return out

    def replicate(self, type: str = "auto", *, replicates: int | None = None,
                  rho: float | None = None, seed: Any = None,
                  mse: bool = False) -> ReplicateDesign:
        """Not available: this design already has replicate weights."""
        msg = "This design already has replicate weights; `replicate` builds them for a Design."
        raise DesignError(msg)

    def __repr__(self) -> str:
        return (f"<ReplicateDesign {self.type}: n={self._n}, {self.replicates} replicates, "
                f"degf={self.degf}>")

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{k}</td><td>{html.escape(str(v))}</td></tr>" for k, v in {
            "respondents": self._n, "weights": self.weights, "type": self.type,
            "replicates": self.replicates, "scale": f"{self.scale:.6g}",
            "mse": self.mse, "degrees of freedom": self.degf,
            "calibrated": ", ".join(s.kind for s in self._steps) or "no"}.items())
        return f"<table><caption>Replicate-weight survey design</caption>{rows}</table>"
