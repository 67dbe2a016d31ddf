"""Large-data kernel of ``tk.stats.Design``: weighted sums by stratum, PSU and domain.

The sums are computed inside DuckDB (a LazyTable) or per Dask partition; the
variance is then computed from them by the linearisation engine
(:mod:`toolkit.stats._linearise`), with the same strata, fpc, certainty and
lonely-PSU rules as in memory. ``tk.stats.Design`` builds a :class:`LargeKernel`
when it is given a LazyTable or a Dask DataFrame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import require_columns
from toolkit._engines import columns, dask_parts, duck_type, engine, quote, sort_keys, sql
from toolkit.errors import DesignError
from toolkit.stats._linearise import Z975, Stage, lonely_message, stratum_fpc

__all__ = ["LargeKernel"]

_NUMERIC_SQL = ("BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "REAL")


def _stages(cluster: str | Sequence[str] | None, fpc: str | Sequence[str] | None
            ) -> tuple[str | None, str | None]:
    """First-stage cluster and fpc; a second stage counts only with both fpcs (as in memory)."""
    clusters = [cluster] if cluster is None or isinstance(cluster, str) else list(cluster)
    fpcs = [fpc] if fpc is None or isinstance(fpc, str) else list(fpc)
    if len(clusters) > 2 or len(fpcs) > 2 or (len(fpcs) == 2 and len(clusters) < 2):
        msg = ("`cluster` takes one column, or two for a two-stage sample "
               "(e.g. [\"village\", \"household\"]); `fpc` one column per stage.")
        raise DesignError(msg)
    if len(fpcs) == 2:
        msg = ("A design with two stages (fpc at both) is not available for large data "
               "(LazyTable or Dask); the first-stage (ultimate cluster) design is. Give one "
               "`fpc` column, or bring the needed columns into pandas for the two-stage "
               "variance.")
        raise DesignError(msg)
    return clusters[0], fpcs[0]


def _strata_partial(part: pd.DataFrame, strata: str | None, cluster: str | None,
                    fpc: str | None, weights: str | None
                    ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    h = part[strata] if strata else pd.Series(0, index=part.index)
    out = pd.DataFrame({"_h": h.to_numpy()}, index=part.index)
    out["_rows"] = 1
    out["_cnull"] = part[cluster].isna().astype(np.int64) if cluster else 0
    if fpc:
        f = pd.to_numeric(part[fpc], errors="coerce")
        out["_fmin"], out["_fmax"], out["_fnull"] = f, f, f.isna().astype(np.int64)
    if weights:
        w = pd.to_numeric(part[weights], errors="coerce")
        out["_wbad"] = (w.isna() | (w <= 0)).astype(np.int64)
    aggs = {c: ("min" if c == "_fmin" else "max" if c == "_fmax" else "sum")
            for c in out.columns if c != "_h"}
    res = out.groupby("_h", dropna=False, sort=False).agg(aggs).reset_index()
    pairs = None
    if cluster:
        pairs = pd.DataFrame({"_h": h.to_numpy(), "_c": part[cluster].to_numpy()})
        pairs = pairs.dropna().drop_duplicates()
    return res, pairs


def _design_partial(part: pd.DataFrame, var: str, keys: list[str], by: list[str],
                    weights: str | None, *, rowwise: bool) -> pd.DataFrame:
    from toolkit._values import as_numeric

    y = as_numeric(part[var]).to_numpy(float)
    w = (pd.to_numeric(part[weights], errors="coerce").to_numpy(float) if weights
         else np.ones(len(part)))
    ok = ~np.isnan(y)
    for b in by:
        ok &= part[b].notna().to_numpy()
    frame = pd.DataFrame({k: part[src].to_numpy()[ok] for k, src in keys_map(keys).items()
                          if src is not None}, index=pd.RangeIndex(int(ok.sum())))
    if "_h" not in frame.columns:
        frame["_h"] = 0
    yy, ww = y[ok], w[ok]
    frame["_n"] = 1
    frame["_sw"], frame["_swy"], frame["_swy2"] = ww, ww * yy, ww * yy * yy
    if rowwise:
        frame["_sw2"], frame["_sw2y"], frame["_sw2y2"] = ww * ww, ww * ww * yy, ww * ww * yy * yy
    group = [c for c in frame.columns if not c.startswith(("_n", "_s"))]
    return frame.groupby(group, sort=False, dropna=False).sum().reset_index()


def keys_map(keys: list[str]) -> dict[str, str | None]:
    """Output name → source column of the grouping keys (``_h``, ``_c``, then by)."""
    return dict(zip(["_h", "_c", *keys[2:]], keys, strict=True))


class LargeKernel:
    """Means and totals (overall and by domain) of a design over a LazyTable or Dask frame.

    Weighted sums by stratum, PSU and domain are computed in the engine; the
    Taylor-linearised variance is then computed from them exactly as in memory
    (first-stage clusters, strata, fpc, the same ``lonely_psu`` rules).
    """

    def __init__(self, data: Any, *, weights: str | None = None, strata: str | None = None,
                 cluster: str | Sequence[str] | None = None,
                 fpc: str | Sequence[str] | None = None, lonely_psu: str = "fail") -> None:
        cluster, fpc = _stages(cluster, fpc)
        require_columns(data, {"weights": weights, "strata": strata, "cluster": cluster,
                               "fpc": fpc}, where="the survey data")
        self.data = data
        self.weights, self.strata, self.cluster, self.fpc = weights, strata, cluster, fpc
        self.lonely_psu = lonely_psu
        self.engine = engine(data)
        self._setup()

    # -- design ----------------------------------------------------------------

    def _strata_info(self) -> pd.DataFrame:
        strata, cluster, fpc, weights = self.strata, self.cluster, self.fpc, self.weights
        if self.engine == "duckdb":
            h = quote(strata) if strata else "0"
            sel = [f"{h} AS _h", "count(*) AS _rows"]
            sel.append(f"count(DISTINCT {quote(cluster)}) AS _npsu" if cluster
                       else "count(*) AS _npsu")
            sel.append(f"count(*) - count({quote(cluster)}) AS _cnull" if cluster
                       else "0 AS _cnull")
            if fpc:
                f = f"TRY_CAST({quote(fpc)} AS DOUBLE)"
                sel += [f"min({f}) AS _fmin", f"max({f}) AS _fmax",
                        f"count(*) - count({f}) AS _fnull"]
            if weights:
                w = f"TRY_CAST({quote(weights)} AS DOUBLE)"
                sel.append(f"count(*) FILTER (WHERE {w} IS NULL OR isnan({w}) OR {w} <= 0) "
                           "AS _wbad")
            return sql(self.data, f"SELECT {', '.join(sel)} FROM {{t}} GROUP BY 1")
        parts = dask_parts(self.data, lambda p: _strata_partial(p, strata, cluster, fpc,
                                                                 weights),
                            [strata, cluster, fpc, weights, columns(self.data)[0]])
        raw = pd.concat([p[0] for p in parts], ignore_index=True)
        aggs = {c: ("min" if c == "_fmin" else "max" if c == "_fmax" else "sum")
                for c in raw.columns if c != "_h"}
        info = raw.groupby("_h", dropna=False, sort=False).agg(aggs).reset_index()
        if cluster:
            pairs = pd.concat([p[1] for p in parts], ignore_index=True).drop_duplicates()
            npsu = pairs.groupby("_h", sort=False).size()
            info["_npsu"] = info["_h"].map(npsu).fillna(0).astype(np.int64)
        else:
            info["_npsu"] = info["_rows"]
        return info

    def _setup(self) -> None:
        info = self._strata_info()
        strata, cluster, fpc, weights = self.strata, self.cluster, self.fpc, self.weights
        if strata and info["_h"].isna().any():
            k = int(info.loc[info["_h"].isna(), "_rows"].sum())
            msg = (f"Strata column `{strata}` has {k} missing value(s); every respondent needs "
                   "a stratum.")
            raise DesignError(msg)
        if cluster and info["_cnull"].sum():
            msg = (f"Cluster column `{cluster}` has {int(info['_cnull'].sum())} missing "
                   "value(s); every respondent needs a PSU.")
            raise DesignError(msg)
        info = info.sort_values("_h", kind="stable").reset_index(drop=True)
        n_h = info["_npsu"].to_numpy(float)
        f_h = pop_h = None
        if fpc:
            fmin, fmax = info["_fmin"].to_numpy(float), info["_fmax"].to_numpy(float)
            if info["_fnull"].sum():
                msg = f"fpc column `{fpc}` has missing or non-numeric values."
                raise DesignError(msg)
            if np.any(np.abs(fmax - fmin) > 1e-9 * np.maximum(1.0, np.abs(fmax))):
                msg = (f"fpc column `{fpc}` varies within a stratum; it must hold one value "
                       "per stratum (population number of units, or the sampling fraction).")
                raise DesignError(msg)
            f_h, pop_h = stratum_fpc(fmin, n_h, fpc=fpc)
        if weights and info["_wbad"].sum():
            msg = (f"Weights column `{weights}` has missing, zero or negative values; drop "
                   "those respondents or fix the weights.")
            raise DesignError(msg)
        w_h = pop_h / n_h if (weights is None and pop_h is not None) else np.ones(len(info))
        self.stage = Stage(n_h, f_h, lonely_psu=self.lonely_psu)
        lonely = self.stage.lonely
        if lonely.any() and self.lonely_psu == "fail":
            labels = info.loc[lonely, "_h"].tolist() if strata else ["(all)"]
            raise DesignError(lonely_message(int(lonely.sum()), labels))
        self._info = pd.DataFrame({"_h": info["_h"], "_hi": np.arange(len(info)), "_wh": w_h})
        self.n = int(info["_rows"].sum())
        self.n_psu = int(n_h.sum())
        self.n_strata = len(info)

    # -- estimation ------------------------------------------------------------

    def _sums(self, var: str, by: list[str]) -> pd.DataFrame:
        """Weighted sums of the analysed rows by stratum, (PSU) and domain."""
        rowwise = self.cluster is None
        keys = [self.strata, self.cluster, *by]
        if self.engine == "duckdb":
            t = duck_type(self.data, var)
            if not t.startswith(_NUMERIC_SQL) and not t.startswith("DECIMAL"):
                msg = (f"`{var}` is not numeric ({t}); use a numeric or yes/no column, or "
                       "cast it with `.assign(...)`.")
                raise TypeError(msg)
            y = f"CAST({quote(var)} AS DOUBLE)"
            w = f"TRY_CAST({quote(self.weights)} AS DOUBLE)" if self.weights else "1.0"
            cond = [f"{y} IS NOT NULL", f"NOT isnan({y})", *(f"{quote(b)} IS NOT NULL" for b in by)]
            names = keys_map(keys)
            sel = [f"{quote(src) if src else '0'} AS {quote(name)}" for name, src in names.items()
                   if src is not None or name == "_h"]
            group = ", ".join(str(i + 1) for i in range(len(sel)))
            sums = ["count(*) AS _n", f"sum({w}) AS _sw", f"sum({w} * {y}) AS _swy",
                    f"sum({w} * {y} * {y}) AS _swy2"]
            if rowwise:
                sums += [f"sum({w} * {w}) AS _sw2", f"sum({w} * {w} * {y}) AS _sw2y",
                         f"sum({w} * {w} * {y} * {y}) AS _sw2y2"]
            query = (f"SELECT {', '.join(sel + sums)} FROM {{t}} WHERE {' AND '.join(cond)} "
                     f"GROUP BY {group}")
            return sql(self.data, query)
        weights = self.weights
        parts = dask_parts(self.data, lambda p: _design_partial(p, var, keys, by, weights,
                                                                 rowwise=rowwise),
                            [var, weights, *keys])
        raw = pd.concat(parts, ignore_index=True)
        group = [c for c in raw.columns if not c.startswith(("_n", "_s"))]
        return raw.groupby(group, sort=False, dropna=False).sum().reset_index()

    def estimate(self, var: str | Sequence[str], by: list[str], *, total: bool
                 ) -> pd.DataFrame:
        """Means (or totals) of `var` overall or per domain of `by`, as ``Design.mean``."""
        if not isinstance(var, str):
            return pd.concat([self.estimate(v, by, total=total) for v in var],
                             ignore_index=True)
        require_columns(self.data, {"var": var, "by": by}, where="the survey data")
        s = self._sums(var, by).merge(self._info, on="_h", how="left")
        wh = s["_wh"].to_numpy(float)
        for c, power in (("_sw", 1), ("_swy", 1), ("_swy2", 1), ("_sw2", 2), ("_sw2y", 2),
                         ("_sw2y2", 2)):
            if c in s.columns:
                s[c] = s[c].to_numpy(float) * wh**power
        dkeys = by if by else []
        s["_d"] = 0 if not by else pd.MultiIndex.from_frame(s[by]).factorize()[0] \
            if len(by) > 1 else pd.factorize(s[by[0]])[0]
        g = s.groupby("_d", sort=True)
        G = g[["_n", "_sw", "_swy", "_swy2"]].sum()
        if by:
            G = G.join(g[by].first())
        m = G["_swy"] / G["_sw"]
        W = G["_sw"]
        md, Wd = s["_d"].map(m).to_numpy(float), s["_d"].map(W).to_numpy(float)
        if self.cluster is not None:
            z1 = s["_swy"].to_numpy(float) if total else \
                (s["_swy"].to_numpy(float) - md * s["_sw"].to_numpy(float)) / Wd
            z2 = z1 * z1
        elif total:
            z1, z2 = s["_swy"].to_numpy(float), s["_sw2y2"].to_numpy(float)
        else:
            z1 = (s["_swy"].to_numpy(float) - md * s["_sw"].to_numpy(float)) / Wd
            z2 = (s["_sw2y2"].to_numpy(float) - 2 * md * s["_sw2y"].to_numpy(float)
                  + md * md * s["_sw2"].to_numpy(float)) / (Wd * Wd)
        # per (stratum, domain): sums of the PSU totals and of their squares -> the engine
        nd = len(G)
        key = s["_hi"].to_numpy(np.int64) * nd + s["_d"].to_numpy(np.int64)
        size = self.n_strata * nd
        s1 = np.bincount(key, weights=z1, minlength=size).reshape(self.n_strata, nd)
        s2 = np.bincount(key, weights=z2, minlength=size).reshape(self.n_strata, nd)
        present = np.bincount(key, weights=s["_n"].to_numpy(float),
                              minlength=size).reshape(self.n_strata, nd) > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            var_d = self.stage.variance(s1, s2, present)
        n = G["_n"].to_numpy(float)
        Wv, WY, WY2 = W.to_numpy(float), G["_swy"].to_numpy(float), G["_swy2"].to_numpy(float)
        mv = m.to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            wss = WY2 - 2 * mv * WY + mv * mv * Wv
            svar = wss / Wv * n / (n - 1)
            vsrs_mean = np.where(Wv > n, svar * (Wv - n) / (Wv * n), svar / n)
            est = WY if total else mv
            vsrs = vsrs_mean * Wv**2 if total else vsrs_mean
            deff = var_d / vsrs
        se = np.sqrt(var_d)
        out = pd.DataFrame({"variable": var}, index=range(len(G)))
        for b in dkeys:
            out[b] = G[b].to_numpy()
        out["estimate"] = est
        out["se"] = se
        out["ci_low"] = est - Z975 * se
        out["ci_high"] = est + Z975 * se
        out["deff"] = deff
        out["n"] = n.astype(np.int64)
        if not by and not len(out):
            out = pd.DataFrame({"variable": [var], "estimate": [np.nan], "se": [np.nan],
                                "ci_low": [np.nan], "ci_high": [np.nan], "deff": [np.nan],
                                "n": [0]})
        return sort_keys(out, dkeys) if by else out
