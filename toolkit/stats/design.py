"""Survey design: weighted estimates with design-based standard errors.

:class:`Design` is the Python counterpart of R ``survey::svydesign`` for
stratified, clustered samples with finite-population correction. Variances use
Taylor linearisation with first-stage ("ultimate") clusters, as R ``svyrecvar``
does for a one-stage design.
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from toolkit._values import as_numeric
from toolkit.errors import ColumnNotFoundError, DesignError

__all__ = ["Design"]

_LONELY = ("fail", "adjust", "average", "certainty", "remove")
_Z975 = float(sps.norm.ppf(0.975))
#: Largest PSU x estimate grid held densely (else a hashed sparse path is used).
_DENSE_LIMIT = 4_000_000


def _column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        close = difflib.get_close_matches(str(name), [str(c) for c in frame.columns], n=3)
        hint = f" Did you mean {close}?" if close else ""
        msg = (f"Column `{name}` given as `{role}` is not in the data.{hint} "
               f"Available: {list(frame.columns)}.")
        raise ColumnNotFoundError(msg)
    return frame[name]


def _codes(values: pd.Series | pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
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


def stratum_fpc(values: np.ndarray, n_h: np.ndarray, *, fpc: str) -> tuple[np.ndarray, np.ndarray]:
    """Sampling fraction and population number of PSUs per stratum from one fpc value each.

    Values all at most 1 are sampling fractions (as R ``svydesign`` reads them);
    otherwise they are population numbers of PSUs.

    Examples
    --------
    >>> f, pop = stratum_fpc(np.array([0.1]), np.array([2.0]), fpc="fpc")
    >>> float(f[0]), float(pop[0])
    (0.1, 20.0)
    """
    if np.all(values <= 1):
        f_h = values.copy()
        return f_h, n_h / np.where(f_h > 0, f_h, np.nan)
    if np.any(values < n_h - 1e-9):
        msg = (f"fpc column `{fpc}` gives a population smaller than the number "
               "of sampled PSUs in some stratum; give the population number of "
               "PSUs per stratum or the sampling fraction.")
        raise DesignError(msg)
    return n_h / values, values


class Design:
    r"""A survey sample with its design: weights, strata, clusters and fpc.

    Estimates are weighted; standard errors use Taylor linearisation with
    first-stage clusters, stratification and the finite-population correction,
    as R ``survey::svydesign(ids=~cluster, strata=~strata, weights=~weights,
    fpc=~fpc)`` with ``nest=TRUE``.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        One row per respondent. A Study gives its ``survey`` table and its
        design columns (``study.design_spec``) for those not given here.
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
        each PSU's population (or the sampling fraction within the PSU).
    lonely_psu : {"fail", "adjust", "average", "certainty", "remove"}, default "fail"
        What to do with a stratum that has a single PSU, as R's
        ``options(survey.lonely.psu=)``: ``"fail"`` raises :class:`DesignError`;
        ``"adjust"`` centres the stratum's PSU at the grand mean instead of the
        stratum mean (conservative); ``"average"`` replaces its contribution by
        the average over the other strata; ``"certainty"`` and ``"remove"`` give
        it no variance contribution (right when the PSU was taken with
        certainty). The same choice applies to a PSU with a single sampled
        second-stage unit (where ``"average"`` acts as ``"remove"``).

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

    References
    ----------
    Lumley, T. (2004). Analysis of complex survey samples. *Journal of
    Statistical Software* 9(8). R package ``survey`` 4.x: published values on the
    ``api`` data (``svymean``, ``svytotal``, ``svyby``, ``svychisq``,
    ``svyquantile``) and the ``fpc`` example are the test references.

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

    def __new__(cls, data: Any = None, **kwargs: Any) -> Any:
        """A Design, or for a LazyTable (tk.io.scan) or Dask DataFrame its large-data twin."""
        from toolkit._engines import is_large

        if is_large(data):
            from toolkit.stats._design_large import LargeDesign

            return LargeDesign(data, **kwargs)
        return super().__new__(cls)

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
        if hasattr(data, "table") and hasattr(data, "design_spec"):
            spec = data.design_spec
            weights = weights if weights is not None else spec.weights
            strata = strata if strata is not None else spec.strata
            cluster = cluster if cluster is not None else spec.cluster
            fpc = fpc if fpc is not None else spec.fpc
            data = data.table("survey")
        if not isinstance(data, pd.DataFrame):
            msg = f"`data` must be a pandas DataFrame or a Study, not {type(data).__name__}."
            raise TypeError(msg)
        if lonely_psu not in _LONELY:
            msg = f"`lonely_psu` must be one of {list(_LONELY)}, not {lonely_psu!r}."
            raise DesignError(msg)
        self.data = data
        self.weights, self.strata, self.cluster, self.fpc = weights, strata, cluster, fpc
        clusters = [cluster] if isinstance(cluster, str) or cluster is None else list(cluster)
        fpcs = [fpc] if isinstance(fpc, str) or fpc is None else list(fpc)
        if len(clusters) > 2 or len(fpcs) > 2 or (len(fpcs) == 2 and len(clusters) < 2):
            msg = ("`cluster` takes one column, or two for a two-stage sample "
                   "(e.g. [\"village\", \"household\"]); `fpc` one column per stage.")
            raise DesignError(msg)
        cluster, fpc = clusters[0], fpcs[0]
        cluster2 = clusters[1] if len(clusters) == 2 else None
        fpc2 = fpcs[1] if len(fpcs) == 2 else None
        self.lonely_psu = lonely_psu
        n = len(data)
        self._n = n

        if strata is not None:
            s = _column(data, strata, "strata")
            if s.isna().any():
                msg = (f"Strata column `{strata}` has {int(s.isna().sum())} missing value(s); "
                       "every respondent needs a stratum.")
                raise DesignError(msg)
            h_codes, _ = _codes(s)
        else:
            h_codes = np.zeros(n, dtype=np.int64)
        n_strata = int(h_codes.max()) + 1 if n else 0
        if cluster is not None:
            c = _column(data, cluster, "cluster")
            if c.isna().any():
                msg = (f"Cluster column `{cluster}` has {int(c.isna().sum())} missing "
                       "value(s); every respondent needs a PSU.")
                raise DesignError(msg)
            c_codes, _ = _codes(c)
            key = h_codes * (int(c_codes.max()) + 1) + c_codes
            if int(key.max()) < 50_000_000:
                present = np.bincount(key) > 0
                psu = (np.cumsum(present) - 1)[key]
            else:
                psu, _ = pd.factorize(key, sort=True)
            psu = psu.astype(np.int64)
        else:
            psu = np.arange(n, dtype=np.int64)
        n_psu = int(psu.max()) + 1 if n else 0
        psu_stratum = np.zeros(n_psu, dtype=np.int64)
        psu_stratum[psu] = h_codes
        n_h = np.bincount(psu_stratum, minlength=n_strata).astype(float)

        # finite-population correction per stratum
        f_h = np.zeros(n_strata)
        pop_h = None
        if fpc is not None:
            fv = pd.to_numeric(_column(data, fpc, "fpc"), errors="coerce").to_numpy(float)
            if np.isnan(fv).any():
                msg = f"fpc column `{fpc}` has missing or non-numeric values."
                raise DesignError(msg)
            first = np.zeros(n_strata, dtype=np.int64)
            first[h_codes[::-1]] = np.arange(n - 1, -1, -1)
            lo = fv[first]
            differ = np.flatnonzero(fv != lo[h_codes])
            if len(differ) and np.any(np.abs(fv[differ] - lo[h_codes[differ]])
                                      > 1e-9 * np.maximum(1.0, np.abs(fv[differ]))):
                msg = (f"fpc column `{fpc}` varies within a stratum; it must hold one value "
                       "per stratum (population number of PSUs, or the sampling fraction).")
                raise DesignError(msg)
            f_h, pop_h = stratum_fpc(lo, n_h, fpc=fpc)
        if weights is not None:
            wv = pd.to_numeric(_column(data, weights, "weights"), errors="coerce").to_numpy(float)
            if np.isnan(wv).any() or np.any(wv <= 0):
                msg = (f"Weights column `{weights}` has missing, zero or negative values; "
                       "drop those respondents or fix the weights.")
                raise DesignError(msg)
        elif pop_h is not None:
            wv = (pop_h / n_h)[h_codes]
        else:
            wv = np.ones(n)

        lonely = n_h == 1
        if lonely.any() and lonely_psu == "fail":
            labels = (pd.Series(data[strata]).iloc[np.flatnonzero(np.isin(h_codes,
                      np.flatnonzero(lonely)))].unique().tolist() if strata else ["(all)"])
            msg = (f"{int(lonely.sum())} stratum/strata have a single PSU ({labels[:5]}); its "
                   "variance cannot be estimated. Merge it with a similar stratum, or pass "
                   "`lonely_psu=` \"adjust\" (centre at the grand mean, conservative), "
                   "\"average\" (average of the other strata), or \"certainty\"/\"remove\" "
                   "(no contribution), as R's options(survey.lonely.psu).")
            raise DesignError(msg)
        scale = np.where(n_h > 1, (1 - f_h) * n_h / np.maximum(n_h - 1, 1), 0.0)
        centre = np.where(n_h > 1, 1.0 / n_h, 0.0)
        if lonely_psu == "adjust":
            scale = np.where(lonely, 1 - f_h, scale)
        self._w = wv
        self._h = h_codes
        self._psu = psu
        self._psu_stratum = psu_stratum
        self._n_psu = n_psu
        self._n_strata = n_strata
        self._scale = scale
        self._centre = centre
        self._lonely = lonely
        self._stage2 = None
        if cluster2 is not None and fpc2 is not None:
            if fpc is None:
                msg = "A second-stage `fpc` needs the first-stage fpc as well."
                raise DesignError(msg)
            self._stage2 = self._second_stage(cluster2, fpc2, f_h)
            if weights is None:  # inverse inclusion probability of both stages
                self._w = self._w / self._stage2["f2"][psu]
        self._group_cache: dict[tuple[str, ...], tuple[np.ndarray, pd.DataFrame]] = {}

    def _second_stage(self, cluster2: str, fpc2: str, f_h: np.ndarray) -> dict[str, Any]:
        """Units, coefficients and centring of the second sampling stage."""
        c2 = _column(self.data, cluster2, "cluster")
        if c2.isna().any():
            msg = f"Second-stage cluster column `{cluster2}` has missing values."
            raise DesignError(msg)
        c2_codes, _ = _codes(c2)
        unit, _ = pd.factorize(self._psu * (int(c2_codes.max()) + 1) + c2_codes, sort=True)
        unit = unit.astype(np.int64)
        n_unit = int(unit.max()) + 1
        unit_psu = np.zeros(n_unit, dtype=np.int64)
        unit_psu[unit] = self._psu
        m = np.bincount(unit_psu, minlength=self._n_psu).astype(float)
        fv = pd.to_numeric(_column(self.data, fpc2, "fpc"), errors="coerce").to_numpy(float)
        if np.isnan(fv).any():
            msg = f"fpc column `{fpc2}` has missing or non-numeric values."
            raise DesignError(msg)
        per_psu = np.zeros(self._n_psu)
        per_psu[self._psu] = fv
        if np.any(np.abs(fv - per_psu[self._psu]) > 1e-9 * np.maximum(1.0, np.abs(fv))):
            msg = (f"fpc column `{fpc2}` varies within a first-stage cluster; give one value "
                   "per PSU.")
            raise DesignError(msg)
        f2 = per_psu if np.all(fv <= 1) else m / per_psu
        if np.any(f2 > 1 + 1e-9):
            msg = (f"fpc column `{fpc2}` is smaller than the number of sampled second-stage "
                   "units in some PSU.")
            raise DesignError(msg)
        f1 = f_h[self._psu_stratum]
        lonely = (m == 1) & (f2 < 1 - 1e-12)
        if lonely.any() and self.lonely_psu == "fail":
            msg = (f"{int(lonely.sum())} first-stage cluster(s) have a single second-stage "
                   "unit; pass `lonely_psu=` as for single-PSU strata.")
            raise DesignError(msg)
        coef = np.where(m > 1, f1 * (1 - f2) * m / np.maximum(m - 1, 1), 0.0)
        centre = np.where(m > 1, 1.0 / m, 0.0)
        if self.lonely_psu == "adjust":
            coef = np.where(lonely, f1 * (1 - f2), coef)
        return {"unit": unit, "unit_psu": unit_psu, "n_unit": n_unit, "coef": coef,
                "centre": centre, "f2": f2}

    def _variance2(self, cols: np.ndarray, vals: np.ndarray, ncol: int,
                   rows: np.ndarray | None) -> np.ndarray:
        """Second-stage variance term (R ``svyrecvar`` with fpc at both stages)."""
        st = self._stage2
        unit = st["unit"] if rows is None else st["unit"][rows]
        key = unit * ncol + cols
        if st["n_unit"] * ncol <= _DENSE_LIMIT:
            z = np.bincount(key, weights=vals, minlength=st["n_unit"] * ncol)
            cell = np.repeat(st["unit_psu"], ncol) * ncol + np.tile(np.arange(ncol),
                                                                    st["n_unit"])
        else:
            inv, uniq = pd.factorize(key)
            z = np.bincount(inv, weights=vals, minlength=len(uniq))
            cell = st["unit_psu"][uniq // ncol] * ncol + uniq % ncol
        size = self._n_psu * ncol
        ss = np.bincount(cell, weights=z * z, minlength=size).reshape(self._n_psu, ncol)
        s = np.bincount(cell, weights=z, minlength=size).reshape(self._n_psu, ncol)
        return (st["coef"][:, None] * (ss - st["centre"][:, None] * s * s)).sum(axis=0)

    # -- core ----------------------------------------------------------------

    @property
    def degf(self) -> int:
        """Design degrees of freedom: number of PSUs minus number of strata."""
        return self._n_psu - self._n_strata

    def _variance(self, cols: np.ndarray, vals: np.ndarray, ncol: int,
                  rows: np.ndarray | None = None) -> np.ndarray:
        """Linearised variance of `ncol` estimates with influence `vals` at (rows, cols)."""
        psu = self._psu if rows is None else self._psu[rows]
        n_psu, n_str = self._n_psu, self._n_strata
        if n_psu * ncol <= _DENSE_LIMIT:
            key = np.multiply(psu, ncol)
            np.add(key, cols, out=key)
            z = np.bincount(key, weights=vals, minlength=n_psu * ncol)
            cell_h = np.repeat(self._psu_stratum, ncol) * ncol + np.tile(np.arange(ncol), n_psu)
        else:
            key = psu * ncol + cols
            inv, uniq = pd.factorize(key)
            z = np.bincount(inv, weights=vals, minlength=len(uniq))
            cell_h = self._psu_stratum[uniq // ncol] * ncol + uniq % ncol
        ss = np.bincount(cell_h, weights=z * z, minlength=n_str * ncol).reshape(n_str, ncol)
        s = np.bincount(cell_h, weights=z, minlength=n_str * ncol).reshape(n_str, ncol)
        contrib = ss - self._centre[:, None] * s * s
        if self.lonely_psu == "average" and self._lonely.any():
            ok = ~self._lonely
            total = (self._scale[ok, None] * contrib[ok]).sum(axis=0)
            total = total * n_str / max(int(ok.sum()), 1)
        else:
            total = (self._scale[:, None] * contrib).sum(axis=0)
        if self._stage2 is not None:
            total = total + self._variance2(cols, vals, ncol, rows)
        return total

    def influence_vcov(self, u: np.ndarray) -> np.ndarray:
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

        Returns
        -------
        numpy.ndarray
            ``(p, p)`` covariance matrix (``(1, 1)`` for a vector).

        Notes
        -----
        :math:`\widehat V = \sum_h (1-f_h)\frac{n_h}{n_h-1}\sum_i
        (z_{hi}-\bar z_h)(z_{hi}-\bar z_h)'` with :math:`z_{hi}` the PSU totals
        of :math:`u`, plus the second-stage term of a two-stage design.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "c": ["a", "a", "b", "b"]})
        >>> d = tk.stats.Design(df, cluster="c")
        >>> u = (df["y"] - df["y"].mean()).to_numpy() / len(df)
        >>> float(np.sqrt(d.influence_vcov(u)[0, 0])) == d.mean("y")["se"].item()
        True
        """
        u = np.asarray(u, dtype=float)
        if u.ndim == 1:
            u = u[:, None]
        if u.shape[0] != self._n:
            msg = f"`u` has {u.shape[0]} rows; the design has {self._n} respondents."
            raise ValueError(msg)
        p = u.shape[1]

        def sums(index: np.ndarray, size: int, values: np.ndarray) -> np.ndarray:
            return np.column_stack([np.bincount(index, weights=values[:, j], minlength=size)
                                    for j in range(p)])

        z = sums(self._psu, self._n_psu, u)
        hs = self._psu_stratum
        zc = z - self._centre[hs][:, None] * sums(hs, self._n_strata, z)[hs]
        vmat = (zc * self._scale[hs][:, None]).T @ zc
        if self.lonely_psu == "average" and self._lonely.any():
            vmat *= self._n_strata / max(int((~self._lonely).sum()), 1)
        if self._stage2 is not None:
            st = self._stage2
            up = st["unit_psu"]
            z2 = sums(st["unit"], st["n_unit"], u)
            zc2 = z2 - st["centre"][up][:, None] * sums(up, self._n_psu, z2)[up]
            vmat += (zc2 * st["coef"][up][:, None]).T @ zc2
        return vmat

    def _numeric(self, var: str) -> np.ndarray:
        s = _column(self.data, var, "var")
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

    def _groups(self, by: Sequence[str] | None,
                domain: np.ndarray | None) -> tuple[np.ndarray, pd.DataFrame]:
        if not by:
            g = np.zeros(self._n, dtype=np.int64)
            keys = pd.DataFrame(index=[0])
        elif tuple(by) in self._group_cache:
            g, keys = self._group_cache[tuple(by)]
        else:
            frame = pd.concat([_column(self.data, b, "by") for b in by], axis=1)
            g, keys = _codes(frame)
            self._group_cache[tuple(by)] = (g, keys)
        if domain is not None:
            g = np.where(domain, g, -1)
        return g, keys

    def _ratio(self, num: np.ndarray, ok: np.ndarray, g: np.ndarray, ngroup: int,
               *, total: bool) -> dict[str, np.ndarray]:
        """Domain means (or totals) of `num` for groups `g` (rows with g<0 excluded)."""
        use = ok & (g >= 0)
        if use.all():
            gi, w, y = g, self._w, num
        else:
            gi = np.where(use, g, 0)
            w = np.where(use, self._w, 0.0)
            y = np.where(use, num, 0.0)
        wsum = np.bincount(gi, weights=w, minlength=ngroup)
        wy_row = w * y
        wy = np.bincount(gi, weights=wy_row, minlength=ngroup)
        n = np.bincount(gi[use] if gi is not g else gi, minlength=ngroup).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = wy / wsum
            # in-place work on one buffer: fewer 8 MB temporaries on large samples
            buf = np.take(np.nan_to_num(mean), gi)
            np.subtract(y, buf, out=buf)
            if gi is not g:
                buf[~use] = 0.0
            wres = w * buf
            np.multiply(wres, buf, out=buf)
            wss = np.bincount(gi, weights=buf, minlength=ngroup)
            svar = wss / wsum * n / (n - 1)
            vsrs_mean = np.where(wsum > n, svar * (wsum - n) / (wsum * n), svar / n)
            if total:
                est = wy
                u = wy_row
                vsrs = vsrs_mean * wsum**2
            else:
                est = mean
                inv = 1.0 / np.where(wsum > 0, wsum, 1.0)
                np.take(inv, gi, out=buf)
                np.multiply(buf, wres, out=buf)
                u = buf
                vsrs = vsrs_mean
            var = self._variance(gi, u, ngroup)
            deff = var / vsrs
        return {"estimate": est, "var": var, "deff": deff, "n": n.astype(np.int64)}

    @staticmethod
    def _frame(lead: pd.DataFrame, res: dict[str, np.ndarray]) -> pd.DataFrame:
        se = np.sqrt(res["var"])
        out = lead.reset_index(drop=True).copy()
        out["estimate"] = res["estimate"]
        out["se"] = se
        out["ci_low"] = res["estimate"] - _Z975 * se
        out["ci_high"] = res["estimate"] + _Z975 * se
        out["deff"] = res["deff"]
        out["n"] = res["n"]
        return out

    def _lead(self, var: str, keys: pd.DataFrame, by: Sequence[str] | None) -> pd.DataFrame:
        lead = pd.DataFrame({"variable": [var] * len(keys)})
        if by:
            lead = pd.concat([lead, keys.reset_index(drop=True)], axis=1)
        return lead

    # -- public estimators ---------------------------------------------------

    def _mean_total(self, var: str | Sequence[str], by: Sequence[str] | None,
                    domain: np.ndarray | None, *, total: bool) -> pd.DataFrame:
        if not isinstance(var, str):
            return pd.concat([self._mean_total(v, by, domain, total=total) for v in var],
                             ignore_index=True)
        y = self._numeric(var)
        g, keys = self._groups(by, domain)
        res = self._ratio(y, ~np.isnan(y), g, len(keys), total=total)
        keep = res["n"] > 0 if by else np.ones(len(keys), bool)
        out = self._frame(self._lead(var, keys, by), res)
        return out[keep].reset_index(drop=True)

    def mean(self, var: str | Sequence[str]) -> pd.DataFrame:
        """Weighted mean of `var` with its design-based standard error (R ``svymean``).

        Parameters
        ----------
        var : str or list of str
            Numeric column(s) (ordered categoricals and booleans are used as their
            codes, see ``toolkit._values.as_numeric``); one row per column.
            Missing values are left out, the design kept (R ``na.rm=TRUE``),
            separately for each column.

        Returns
        -------
        pandas.DataFrame
            One row: ``variable, estimate, se, ci_low, ci_high, deff, n``
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

        Returns
        -------
        pandas.DataFrame
            ``variable, estimate, se, ci_low, ci_high, deff, n``.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "w": [10, 10, 20]})
        >>> tk.stats.Design(df, weights="w").total("y")["estimate"].item()
        90.0
        """
        return self._mean_total(var, None, None, total=True)

    def _prop(self, var: str | Sequence[str], by: Sequence[str] | None,
              domain: np.ndarray | None) -> pd.DataFrame:
        if not isinstance(var, str):
            return pd.concat([self._prop(v, by, domain) for v in var], ignore_index=True)
        s = _column(self.data, var, "var")
        lv, levels = _codes(s)
        if isinstance(s.dtype, pd.CategoricalDtype):
            levels = pd.DataFrame({var: s.cat.categories})
            lv = s.cat.codes.to_numpy().astype(np.int64)
        nlev = len(levels)
        g, keys = self._groups(by, domain)
        ngroup = len(keys)
        ok = (lv >= 0) & (g >= 0)
        gi = np.where(ok, g, 0)
        li = np.where(ok, lv, 0)
        w = np.where(ok, self._w, 0.0)
        wsum = np.bincount(gi, weights=w, minlength=ngroup)
        n = np.bincount(gi, weights=ok.astype(float), minlength=ngroup)
        cell = gi * nlev + li
        wl = np.bincount(cell, weights=w, minlength=ngroup * nlev)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = wl / np.repeat(wsum, nlev)
            # influence: w (1{y=l} - p_gl) / W_g for every level l of the row's group
            rows = np.repeat(np.arange(self._n), nlev)
            cols = np.repeat(gi * nlev, nlev) + np.tile(np.arange(nlev), self._n)
            ind = (np.repeat(li, nlev) == np.tile(np.arange(nlev), self._n)).astype(float)
            denom = np.where(wsum > 0, wsum, 1.0)
            vals = np.repeat(w / denom[gi], nlev) * (ind - p[cols])
            var_ = self._variance(cols, vals, ngroup * nlev, rows=rows)
            nn = np.repeat(n, nlev)
            ww = np.repeat(wsum, nlev)
            svar = p * (1 - p) * nn / (nn - 1)
            vsrs = np.where(ww > nn, svar * (ww - nn) / (ww * nn), svar / nn)
            deff = var_ / vsrs
        lead = pd.DataFrame({"variable": [var] * (ngroup * nlev)})
        if by:
            lead = pd.concat([lead, keys.loc[keys.index.repeat(nlev)].reset_index(drop=True)],
                             axis=1)
        lead["level"] = np.tile(levels.iloc[:, 0].to_numpy(dtype=object), ngroup)
        out = self._frame(lead, {"estimate": p, "var": var_, "deff": deff,
                                 "n": nn.astype(np.int64)})
        if by:
            out = out[nn > 0]
        return out.reset_index(drop=True)

    def prop(self, var: str | Sequence[str]) -> pd.DataFrame:
        """Share of each level of categorical `var` (R ``svymean`` of a factor).

        Every category of a Categorical is reported, unused ones with 0; other
        columns report their distinct values in sorted order.

        Parameters
        ----------
        var : str or list of str
            Column(s); missing values are left out (design kept).

        Returns
        -------
        pandas.DataFrame
            One row per level (of each column): ``variable, level, estimate, se, ci_low, ci_high,
            deff, n`` (``n`` respondents with a value).

        Examples
        --------
        >>> df = pd.DataFrame({"sex": ["m", "f", "f", "m"], "w": [1, 1, 2, 4]})
        >>> tk.stats.Design(df, weights="w").prop("sex")[["level", "estimate"]]
          level  estimate
        0     f     0.375
        1     m     0.625
        """
        return self._prop(var, None, None)

    def _quantile(self, var: str, q: float | Sequence[float],
                  domain: np.ndarray | None) -> pd.DataFrame:
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

        inset = ok if domain is None else domain
        df = len(np.unique(self._psu[inset])) - len(np.unique(self._h[inset]))
        tq = float(sps.t.ppf(0.975, df)) if df > 0 else np.nan
        rows = []
        for p in qs:
            est = qrule(p)
            ind = np.where(ok, (y <= est).astype(float), np.nan)
            g = np.zeros(self._n, dtype=np.int64) if domain is None else np.where(domain, 0, -1)
            res = self._ratio(ind, ok, g, 1, total=False)
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
        is the design degrees of freedom (PSUs minus strata). ``se`` is the interval length over
        :math:`2t_{0.975,df}`.

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
        return self._quantile(var, q, None)

    def _crosstab(self, row: str, col: str, domain: np.ndarray | None,
                  ) -> tuple[pd.DataFrame, dict[str, float]]:
        r = _column(self.data, row, "row")
        c = _column(self.data, col, "col")
        rc, rkeys = _codes(r)
        cc, ckeys = _codes(c)
        nr, nc = len(rkeys), len(ckeys)
        ok = (rc >= 0) & (cc >= 0)
        if domain is not None:
            ok &= domain
        cell = np.where(ok, rc + nr * cc, 0)  # rows vary fastest, as R interaction()
        k = nr * nc
        w = np.where(ok, self._w, 0.0)
        wsum = w.sum()
        p = np.bincount(cell, weights=w, minlength=k) / wsum
        # covariance matrix of the cell proportions: influence matrix per PSU
        wn = w / wsum

        def influence_sums(index: np.ndarray, size: int) -> np.ndarray:
            # sums over `index` groups of w/W (1{cell} - p): the influence of each share
            a = np.bincount(index * k + cell, weights=wn, minlength=size * k).reshape(size, k)
            b = np.bincount(index, weights=wn, minlength=size)
            return a - b[:, None] * p[None, :]

        def group_sums(z: np.ndarray, index: np.ndarray, size: int) -> np.ndarray:
            keys = (index[:, None] * k + np.arange(k)[None, :]).ravel()
            return np.bincount(keys, weights=z.ravel(), minlength=size * k).reshape(size, k)

        z = influence_sums(self._psu, self._n_psu)
        hs = self._psu_stratum
        s_h = group_sums(z, hs, self._n_strata)
        zc = z - self._centre[hs][:, None] * s_h[hs]
        vmat = (zc * self._scale[hs][:, None]).T @ zc
        if self.lonely_psu == "average" and self._lonely.any():
            vmat *= self._n_strata / max(int((~self._lonely).sum()), 1)
        if self._stage2 is not None:
            st = self._stage2
            z2 = influence_sums(st["unit"], st["n_unit"])
            up = st["unit_psu"]
            s2 = group_sums(z2, up, self._n_psu)
            zc2 = z2 - st["centre"][up][:, None] * s2[up]
            vmat += (zc2 * st["coef"][up][:, None]).T @ zc2
        n = int(ok.sum())
        # Rao-Scott second-order correction, as svychisq(statistic="F")
        mf_r = np.tile(np.arange(nr), nc)
        mf_c = np.repeat(np.arange(nc), nr)
        x1 = np.column_stack([np.ones(k)] + [(mf_r == i).astype(float) for i in range(1, nr)]
                             + [(mf_c == j).astype(float) for j in range(1, nc)])
        x12 = np.column_stack([((mf_r == i) & (mf_c == j)).astype(float)
                               for j in range(1, nc) for i in range(1, nr)])
        beta, *_ = np.linalg.lstsq(x1, x12, rcond=None)
        cmat = x12 - x1 @ beta
        idm = np.diag(np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0))
        denom = cmat.T @ (idm / n) @ cmat
        numr = cmat.T @ idm @ vmat @ idm @ cmat
        delta = np.linalg.solve(denom, numr)
        tr = float(np.trace(delta))
        d0 = tr**2 / float(np.trace(delta @ delta))
        nu = self.degf
        obs = (p * n).reshape(nc, nr).T
        expct = obs.sum(axis=1, keepdims=True) * obs.sum(axis=0, keepdims=True) / n
        with np.errstate(invalid="ignore", divide="ignore"):
            chisq = float(np.nansum((obs - expct) ** 2 / expct))
        fstat = chisq / tr
        test = {"chisq": chisq, "f": fstat, "ndf": d0, "ddf": d0 * nu,
                "p_value": float(sps.f.sf(fstat, d0, d0 * nu)), "n": n}
        # table: weighted totals and proportions of each cell
        tot = self._ratio(np.ones(self._n), ok, np.where(ok, cell, -1), k, total=True)
        counts = np.bincount(cell, weights=ok.astype(float), minlength=k)
        se_p = np.sqrt(np.diag(vmat))
        with np.errstate(invalid="ignore", divide="ignore"):
            svar = p * (1 - p) * n / (n - 1)
            vsrs = svar * (wsum - n) / (wsum * n) if wsum > n else svar / n
            deff = se_p**2 / vsrs
        table = pd.DataFrame({
            "variable": f"{row}:{col}",
            row: np.tile(rkeys.iloc[:, 0].to_numpy(dtype=object), nc),
            col: np.repeat(ckeys.iloc[:, 0].to_numpy(dtype=object), nr),
            "total": tot["estimate"],
            "estimate": p,
            "se": se_p,
            "ci_low": p - _Z975 * se_p,
            "ci_high": p + _Z975 * se_p,
            "deff": deff,
            "n": counts.astype(np.int64),
        })
        return table, test

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
        :math:`d \cdot df_{design}` degrees of freedom.

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
        table, test = self._crosstab(row, col, None)
        table.attrs["test"] = test
        return table

    def crosstab_test(self, row: str, col: str) -> pd.DataFrame:
        """The Rao-Scott test of :meth:`crosstab` as a one-row frame.

        Returns
        -------
        pandas.DataFrame
            ``row, col, chisq, f, ndf, ddf, p_value, n``.

        Examples
        --------
        >>> df = pd.DataFrame({"a": list("xxyyxyxy"), "b": list("pqpqppqq")})
        >>> list(tk.stats.Design(df).crosstab_test("a", "b").columns)
        ['row', 'col', 'chisq', 'f', 'ndf', 'ddf', 'p_value', 'n']
        """
        _, test = self._crosstab(row, col, None)
        return pd.DataFrame([{"row": row, "col": col, **test}])

    def by(self, group: str | Sequence[str]) -> _ByDesign:
        """Estimates per group (domain estimation, as R ``svyby``).

        Parameters
        ----------
        group : str or list of str
            Column(s) defining the domains. Respondents with a missing group
            belong to no domain but stay in the design.

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
        groups = [group] if isinstance(group, str) else list(group)
        for gname in groups:
            _column(self.data, gname, "group")
        return _ByDesign(self, groups)

    def __repr__(self) -> str:
        parts = [f"n={self._n}", f"strata={self._n_strata}", f"psu={self._n_psu}"]
        if self.fpc:
            parts.append("fpc")
        return f"<Design {', '.join(parts)}>"

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{k}</td><td>{html.escape(str(v))}</td></tr>" for k, v in {
            "respondents": self._n, "weights": self.weights, "strata": self.strata,
            "cluster": self.cluster, "fpc": self.fpc, "PSUs": self._n_psu,
            "degrees of freedom": self.degf}.items())
        return f"<table><caption>Survey design</caption>{rows}</table>"


class _ByDesign:
    """Domain estimates of a :class:`Design`, one row per group."""

    def __init__(self, design: Design, groups: list[str]) -> None:
        self.design = design
        self.groups = groups

    def mean(self, var: str | Sequence[str]) -> pd.DataFrame:
        """Mean of `var` per group (R ``svyby(~var, ~group, design, svymean)``)."""
        return self.design._mean_total(var, self.groups, None, total=False)

    def total(self, var: str | Sequence[str]) -> pd.DataFrame:
        """Total of `var` per group (R ``svyby(..., svytotal)``)."""
        return self.design._mean_total(var, self.groups, None, total=True)

    def prop(self, var: str | Sequence[str]) -> pd.DataFrame:
        """Share of each level of `var` per group."""
        return self.design._prop(var, self.groups, None)

    def _domains(self) -> list[tuple[dict[str, Any], np.ndarray]]:
        g, keys = self.design._groups(self.groups, None)
        out = []
        for i, key in enumerate(keys.to_dict("records")):
            out.append((key, g == i))
        return out

    def quantile(self, var: str, q: float | Sequence[float] = 0.5) -> pd.DataFrame:
        """Quantile(s) of `var` per group (Woodruff intervals, domain design)."""
        frames = []
        for key, dom in self._domains():
            f = self.design._quantile(var, q, dom)
            for j, (k, v) in enumerate(key.items()):
                f.insert(1 + j, k, v)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def crosstab(self, row: str, col: str) -> pd.DataFrame:
        """Cross-table per group; ``attrs["test"]`` maps each group to its test."""
        frames, tests = [], []
        for key, dom in self._domains():
            tab, test = self.design._crosstab(row, col, dom)
            for j, (k, v) in enumerate(key.items()):
                tab.insert(1 + j, k, v)
            frames.append(tab)
            tests.append({**key, **test})
        out = pd.concat(frames, ignore_index=True)
        out.attrs["test"] = pd.DataFrame(tests)
        return out

    def __repr__(self) -> str:
        return f"<Design by {self.groups}>"
