r"""How much do the ranks depend on the choices made? Monte Carlo, Sobol' indices, removal.

The Handbook's step 7 (Saisana, Saltelli & Tarantola 2005): the choices made
in building an index — how gaps are imputed, how indicators are normalised,
how they are weighted (and how precisely), how they are aggregated — are
treated as uncertain inputs and sampled together. Each replication recomputes
the whole index and the ranks of every unit, which gives for each unit its
**median rank and a rank interval** (by default the 5th to 95th percentile, a
90 % interval). Variance-based sensitivity indices (first-order and total
Sobol' indices, Saltelli et al. 2010) of the mean absolute rank shift
:math:`\bar R_S = \frac1M\sum_c |\mathrm{rank}_c - \mathrm{rank}^{nominal}_c|`
(Saisana et al. 2005), and of the ranks themselves (variance-weighted over
units), say which choice moves the ranks most. Removing one indicator at a
time (the other weights rescaled) shows which indicators the ranking leans on.

Everything is vectorised over replications: for each combination of discrete
choices the index of all its replications is one set of matrix products over
the tree, so 1,000 replications of a 30-indicator, 3-level system over 5,000
units take a few seconds (``benchmarks/bench_evaluate.py``).

The uncertain inputs (each a factor of the sensitivity analysis when it varies):

- ``imputation``: ``"none"``, ``"mean"``, ``"median"`` (within ``by`` groups if the
  evaluation used them);
- ``normalisation``: any of :data:`toolkit.evaluate.normalisation.METHODS`;
- ``weighting``: ``"nominal"`` (the evaluation's own weights), ``"equal"``,
  ``"entropy"``, ``"critic"``, ``"pca"`` (data-driven weights are computed on the
  imputed data; with ``"none"`` on the mean-imputed data);
- ``noise``: every local weight multiplied by an independent
  :math:`U(1-\text{noise}, 1+\text{noise})` and siblings rescaled to sum to 1;
- ``aggregation``: ``"arithmetic"``, ``"geometric"`` (values shifted so that each
  indicator's minimum is 1 when it is not positive), ``"topsis"`` (on vector-
  normalised data, with the global weights; normalisation does not enter).

References
----------
Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity
analysis techniques as tools for the quality assessment of composite
indicators. *Journal of the Royal Statistical Society A* 168(2), 307–323.
OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, step 7.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import check_choice
from toolkit._summary import Summary
from toolkit.errors import ArgumentError
from toolkit.evaluate import _sobol
from toolkit.evaluate.aggregation import ROOT, Plan, rank_scores, topsis_matrix, tree_scores
from toolkit.evaluate.normalisation import METHODS as NORMALISATIONS
from toolkit.evaluate.normalisation import normalise_matrix
from toolkit.evaluate.system import IndexSystem
from toolkit.evaluate.weighting import leaf_weights, local_from_global

__all__ = ["FACTORS", "Spec", "Uncertainty", "uncertainty"]

#: The uncertain inputs, in the order factors are reported.
FACTORS = ("imputation", "normalisation", "weighting", "noise", "aggregation")
IMPUTATIONS = ("none", "mean", "median")
WEIGHTINGS = ("nominal", "equal", "entropy", "critic", "pca")
AGGREGATIONS = ("arithmetic", "geometric", "topsis")
_CHUNK = 4_000_000  # elements of an n × R block processed at once


@dataclass
class Spec:
    """What an evaluation is made of, as arrays: the input of the Monte Carlo engine."""

    x: np.ndarray
    leaves: list[str]
    system: IndexSystem
    directions: np.ndarray
    nominal_local: dict[str, float]
    imputation: str = "none"
    normalisation: str = "minmax"
    aggregation: str = "arithmetic"
    groups: np.ndarray | None = None
    scale: tuple[float, float] = (0.0, 100.0)
    targets: np.ndarray | None = None
    goalposts: np.ndarray | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    # -- building blocks, cached --------------------------------------------

    def imputed(self, method: str) -> np.ndarray:
        """The indicators with gaps filled by `method` (cached)."""
        key = ("imp", method)
        if key not in self._cache:
            x = self.x.copy()
            if method != "none" and np.isnan(x).any():
                x = _fill(x, method, self.groups)
            self._cache[key] = x
        return self._cache[key]

    def normalised(self, imputation: str, method: str, *, positive: bool = False) -> np.ndarray:
        """The imputed indicators normalised by `method` (cached); `positive` shifts to >= 1."""
        key = ("norm", imputation, method, positive)
        if key not in self._cache:
            x = self.imputed(imputation)
            if method == "vector":
                out = normalise_matrix(x, self.directions, method="vector")
            else:
                out = normalise_matrix(x, self.directions, method=method, scale=self.scale,
                                       targets=self.targets, goalposts=self.goalposts)
            if positive:
                low = np.nanmin(out, axis=0)
                out = np.where(low <= 0, out - low + 1.0, out)
            self._cache[key] = out
        return self._cache[key]

    def base_local(self, imputation: str, weighting: str, plan: Plan) -> np.ndarray:
        """Local weight of every node (plan order) under a weighting method (cached)."""
        key = ("w", imputation, weighting)
        if key not in self._cache:
            if weighting == "nominal":
                local = self.nominal_local
            elif weighting == "equal":
                local = {c: 1 / len(self.system.children(n.parent))
                         for c, n in self.system.nodes.items()}
            else:
                x = self.imputed("mean" if imputation == "none" else imputation)
                g = leaf_weights(x, self.directions, method=weighting)
                local = local_from_global(self.system, dict(zip(self.leaves, g.tolist(),
                                                                strict=True)))
            self._cache[key] = np.array([local[c] for c in plan.nodes])
        return self._cache[key]


def _fill(x: np.ndarray, method: str, groups: np.ndarray | None) -> np.ndarray:
    frame = pd.DataFrame(x)
    overall = frame.mean() if method == "mean" else frame.median()
    if groups is not None:
        grouped = frame.groupby(groups).transform(method)
        frame = frame.fillna(grouped)
    return frame.fillna(overall).to_numpy(float)


def _siblings(plan: Plan, system: IndexSystem) -> np.ndarray:
    parents = [system.node(c).parent for c in plan.nodes]
    keys = {p: i for i, p in enumerate(dict.fromkeys(parents))}
    return np.array([keys[p] for p in parents])


def _renormalise(w: np.ndarray, sib: np.ndarray) -> np.ndarray:
    sums = np.zeros((sib.max() + 1, w.shape[1]))
    np.add.at(sums, sib, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sums[sib] > 0, w / sums[sib], 0.0)


def _global(w: np.ndarray, plan: Plan, system: IndexSystem) -> np.ndarray:
    g = plan.global_weights(w)
    total = g.sum(axis=0)
    return g / np.where(total > 0, total, 1.0)


def index_scores(spec: Spec, plan: Plan, *, imputation: str, normalisation: str,
                 aggregation: str, local: np.ndarray) -> np.ndarray:
    """Index scores (n × R) for R local-weight columns under one set of discrete choices."""
    if aggregation == "topsis":
        r = spec.normalised(imputation, "vector")
        if np.isnan(r).any():
            msg = ("TOPSIS needs complete data; choose an imputation other than \"none\" "
                   "when `aggregation` includes \"topsis\".")
            raise ArgumentError(msg)
        _, _, c = topsis_matrix(r, _global(local, plan, spec.system), spec.directions)
        return c
    x = spec.normalised(imputation, normalisation, positive=aggregation == "geometric")
    return tree_scores(x, plan, local, method=aggregation)[ROOT]


@dataclass
class _Design:
    imputation: np.ndarray
    normalisation: np.ndarray
    weighting: np.ndarray
    aggregation: np.ndarray
    noise: np.ndarray  # R × nodes, multipliers


def _decode(u: np.ndarray, options: dict[str, Sequence[str]], factors: list[str],
            n_nodes: int, noise: float) -> _Design:
    cols: dict[str, np.ndarray] = {}
    start = 0
    r = u.shape[0]
    for name in factors:
        if name == "noise":
            cols[name] = 1 - noise + 2 * noise * u[:, start:start + n_nodes]
            start += n_nodes
        else:
            k = len(options[name])
            cols[name] = np.minimum((u[:, start] * k).astype(int), k - 1)
            start += 1
    return _Design(
        imputation=cols.get("imputation", np.zeros(r, int)),
        normalisation=cols.get("normalisation", np.zeros(r, int)),
        weighting=cols.get("weighting", np.zeros(r, int)),
        aggregation=cols.get("aggregation", np.zeros(r, int)),
        noise=cols.get("noise", np.ones((r, n_nodes))),
    )


def _run(spec: Spec, plan: Plan, design: _Design, options: dict[str, Sequence[str]],
         sib: np.ndarray) -> np.ndarray:
    """Ranks (n × R) of every replication of `design`."""
    n = spec.x.shape[0]
    r = len(design.imputation)
    ranks = np.empty((n, r), dtype=np.float32)
    combos = np.stack([design.imputation, design.normalisation, design.weighting,
                       design.aggregation], axis=1)
    keys, inverse = np.unique(combos, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    step = max(1, _CHUNK // max(n, 1))
    for k, (i_imp, i_norm, i_w, i_agg) in enumerate(keys):
        cols = np.flatnonzero(inverse == k)
        imp, norm = options["imputation"][i_imp], options["normalisation"][i_norm]
        wname, agg = options["weighting"][i_w], options["aggregation"][i_agg]
        base = spec.base_local(imp, wname, plan)
        for start in range(0, len(cols), step):
            part = cols[start:start + step]
            local = _renormalise(base[:, None] * design.noise[part].T, sib)
            scores = index_scores(spec, plan, imputation=imp, normalisation=norm,
                                  aggregation=agg, local=local)
            ranks[:, part] = rank_scores(scores)
    return ranks


def nominal_scores(spec: Spec, plan: Plan) -> np.ndarray:
    """Index scores of the evaluation's own choices (n,)."""
    local = np.array([[spec.nominal_local[c]] for c in plan.nodes])
    return index_scores(spec, plan, imputation=spec.imputation,
                        normalisation=spec.normalisation, aggregation=spec.aggregation,
                        local=local)[:, 0]


def removal(spec: Spec, ids: pd.DataFrame) -> pd.DataFrame:
    """Rank shifts when each indicator is left out in turn (the others' weights rescaled).

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``indicator, mean_abs_shift, median_abs_shift,
        max_abs_shift, spearman`` (rank correlation with the full index).
    """
    plan = Plan.of(spec.system, spec.leaves)
    pos = {c: i for i, c in enumerate(plan.nodes)}
    base = np.array([spec.nominal_local[c] for c in plan.nodes])
    w = np.repeat(base[:, None], len(spec.leaves), axis=1)
    for q, leaf in enumerate(spec.leaves):
        w[pos[leaf], q] = 0.0
        node = leaf
        while True:
            parent = spec.system.node(node).parent
            siblings = spec.system.children(parent)
            if parent is None or any(w[pos[s], q] > 0 for s in siblings):
                break
            w[pos[parent], q] = 0.0
            node = parent
    sib = _siblings(plan, spec.system)
    w = _renormalise(w, sib)
    nominal = rank_scores(nominal_scores(spec, plan)[:, None])[:, 0]
    scores = index_scores(spec, plan, imputation=spec.imputation,
                          normalisation=spec.normalisation, aggregation=spec.aggregation,
                          local=w)
    ranks = rank_scores(scores)
    shift = np.abs(ranks - nominal[:, None])
    from scipy import stats

    rows = []
    for q, leaf in enumerate(spec.leaves):
        ok = ~np.isnan(ranks[:, q]) & ~np.isnan(nominal)
        rho = stats.spearmanr(ranks[ok, q], nominal[ok]).statistic if ok.sum() > 2 else np.nan
        rows.append({"indicator": leaf, "mean_abs_shift": float(np.nanmean(shift[:, q])),
                     "median_abs_shift": float(np.nanmedian(shift[:, q])),
                     "max_abs_shift": float(np.nanmax(shift[:, q])),
                     "spearman": float(rho)})
    return pd.DataFrame(rows)


@dataclass
class Uncertainty:
    """Rank intervals, sensitivity indices and removal shifts of an evaluation.

    Attributes
    ----------
    ranks : pandas.DataFrame
        One row per unit: the identifier columns, ``rank`` (nominal),
        ``median_rank``, ``mean_rank``, ``rank_low``, ``rank_high`` (the
        interval's ends), ``width`` (``rank_high - rank_low``).
    sensitivity : pandas.DataFrame or None
        ``factor, output, first_order, total`` for outputs ``mean_rank_shift``
        and ``ranks``.
    removal : pandas.DataFrame
        Leave-one-indicator-out shifts (see :func:`removal`).
    design : pandas.DataFrame
        The choices of every replication used for the intervals: ``run,
        imputation, normalisation, weighting, aggregation``.
    rank_matrix : numpy.ndarray
        Ranks, units × replications (float32).
    """

    ranks: pd.DataFrame
    sensitivity: pd.DataFrame | None
    removal: pd.DataFrame
    design: pd.DataFrame
    rank_matrix: np.ndarray
    interval: float
    n: int
    seed: Any
    options: dict[str, Any]

    @property
    def median_width(self) -> float:
        """Median width of the rank intervals, in ranks."""
        return float(np.nanmedian(self.ranks["width"]))

    def to_frame(self) -> pd.DataFrame:
        """The per-unit rank intervals."""
        return self.ranks.copy()

    def summary(self) -> Summary:
        """Summary: replications, median interval width, the factors that matter."""
        n_units = int(self.ranks["rank"].notna().sum())
        lines = [f"Monte Carlo: {self.rank_matrix.shape[1]:,} replications over {n_units} units; "
                 f"{self.interval:.0%} rank intervals, median width {self.median_width:.1f} ranks.",
                 "Varied: " + "; ".join(f"{k} = {v}" for k, v in self.options.items())]
        top = None
        if self.sensitivity is not None and len(self.sensitivity):
            top = self.sensitivity[self.sensitivity["output"] == "mean_rank_shift"]
            lines.append(top.round(3).to_string(index=False))
        info = [("Replications", f"{self.rank_matrix.shape[1]:,}"), ("Units", str(n_units)),
                ("Rank intervals", f"{self.interval:.0%}"),
                ("Median width", f"{self.median_width:.1f} ranks"),
                *((str(k), str(v)) for k, v in self.options.items())]
        return Summary("Rank uncertainty", info, top, text="\n".join(lines), was="str")

    def _repr_html_(self) -> str:
        sens = ("" if self.sensitivity is None else
                self.sensitivity.round(3).to_html(index=False))
        return (f"<div><b>Rank uncertainty</b>: {self.rank_matrix.shape[1]:,} replications, "
                f"{self.interval:.0%} intervals, median width {self.median_width:.1f} ranks"
                f"{self.ranks.head(10).round(1).to_html(index=False)}{sens}</div>")

    def __repr__(self) -> str:
        return (f"<Uncertainty: {self.rank_matrix.shape[1]} replications, median rank interval "
                f"width {self.median_width:.1f}>")


def _quantiles(ranks: np.ndarray, probs: Sequence[float]) -> np.ndarray:
    """Quantiles of each unit's ranks (rows), as R's type 1 (inverse of the empirical CDF)."""
    out = np.full((len(probs), ranks.shape[0]), np.nan)
    gaps = np.isnan(ranks)
    full = ~gaps.any(axis=1)
    if full.any():
        out[:, full] = np.quantile(ranks[full], probs, axis=1, method="inverted_cdf")
    partial = ~full & ~gaps.all(axis=1)
    if partial.any():
        out[:, partial] = np.nanquantile(ranks[partial], probs, axis=1, method="inverted_cdf")
    return out


def _options(spec: Spec, imputation: Any, normalisation: Any, weighting: Any,
             aggregation: Any) -> dict[str, tuple[str, ...]]:
    def as_tuple(value: Any, default: str, allowed: Sequence[str], param: str) -> tuple[str, ...]:
        values = (default,) if value is None else (
            (value,) if isinstance(value, str) else tuple(value))
        if not values:
            msg = f"`{param}` needs at least one choice."
            raise ArgumentError(msg)
        for v in values:
            check_choice(v, allowed, param=param)
        return tuple(dict.fromkeys(values))

    return {
        "imputation": as_tuple(imputation, spec.imputation, IMPUTATIONS, "imputation"),
        "normalisation": as_tuple(normalisation, spec.normalisation, NORMALISATIONS,
                                  "normalisation"),
        "weighting": as_tuple(weighting, "nominal", WEIGHTINGS, "weighting"),
        "aggregation": as_tuple(aggregation, spec.aggregation, AGGREGATIONS, "aggregation"),
    }


def run_uncertainty(
    spec: Spec,
    ids: pd.DataFrame,
    *,
    n: int = 1000,
    seed: Any = None,
    imputation: Any = None,
    normalisation: Any = ("minmax", "zscore", "rank"),
    weighting: Any = ("nominal", "equal", "entropy", "critic"),
    noise: float = 0.25,
    aggregation: Any = ("arithmetic", "geometric"),
    interval: float = 0.90,
    sensitivity: bool = True,
) -> Uncertainty:
    """The Monte Carlo engine behind :func:`uncertainty` (arrays in, result out)."""
    if not 0 < interval < 1:
        msg = f"`interval` must be between 0 and 1 (e.g. 0.90), not {interval!r}."
        raise ArgumentError(msg)
    if not 0 <= noise < 1:
        msg = f"`noise` must be in [0, 1) (e.g. 0.25 for ±25 %), not {noise!r}."
        raise ArgumentError(msg)
    if int(n) < 2:
        msg = f"`n` must be at least 2 replications, not {n!r}."
        raise ArgumentError(msg)
    n = int(n)
    options = _options(spec, imputation, normalisation, weighting, aggregation)
    if "pca" in options["weighting"] and spec.x.shape[0] <= len(spec.leaves):
        msg = "PCA weights need more units than indicators."
        raise ArgumentError(msg)
    plan = Plan.of(spec.system, spec.leaves)
    sib = _siblings(plan, spec.system)
    n_nodes = len(plan.nodes)
    factors = [f for f in FACTORS if (f == "noise" and noise > 0) or
               (f != "noise" and len(options[f]) > 1)]
    rng = np.random.default_rng(seed)
    sizes = [n_nodes if f == "noise" else 1 for f in factors]
    nominal = rank_scores(nominal_scores(spec, plan)[:, None])[:, 0]
    sens_frame = None
    if sensitivity and factors:
        a, b, abs_ = _sobol.sobol_design(rng, n, sizes)
        u_all = np.vstack([a, b, *abs_])
        design = _decode(u_all, options, factors, n_nodes, noise)
        ranks_all = _run(spec, plan, design, options, sib)
        shift = np.nanmean(np.abs(ranks_all - nominal[:, None]), axis=0)
        blocks = [slice(i * n, (i + 1) * n) for i in range(len(factors) + 2)]
        f_a, f_b = shift[blocks[0]], shift[blocks[1]]
        f_ab = [shift[blocks[i + 2]] for i in range(len(factors))]
        s1, st, _ = _sobol.sobol_indices(f_a, f_b, f_ab)
        ok = ~np.isnan(nominal)
        y = ranks_all[ok].T.astype(float)  # runs × units
        y_a, y_b = y[blocks[0]], y[blocks[1]]
        y_ab = [y[blocks[i + 2]] for i in range(len(factors))]
        first_u, total_u, var_u = _sobol.sobol_indices(y_a, y_b, y_ab)
        weight = var_u / var_u.sum() if var_u.sum() > 0 else np.zeros_like(var_u)
        first_w = np.nansum(first_u * weight, axis=1)
        total_w = np.nansum(total_u * weight, axis=1)
        rows = []
        for i, f in enumerate(factors):
            rows.append({"factor": f, "output": "mean_rank_shift", "first_order": float(s1[i]),
                         "total": float(st[i])})
        for i, f in enumerate(factors):
            rows.append({"factor": f, "output": "ranks", "first_order": float(first_w[i]),
                         "total": float(total_w[i])})
        sens_frame = pd.DataFrame(rows)
        used = slice(0, 2 * n)
        ranks = ranks_all[:, used]
        u_used = u_all[used]
    else:
        u_used = rng.random((n, int(sum(sizes))))
        design = _decode(u_used, options, factors, n_nodes, noise)
        ranks = _run(spec, plan, design, options, sib)
    used_design = _decode(u_used, options, factors, n_nodes, noise)
    lo_q, hi_q = (1 - interval) / 2, (1 + interval) / 2
    q = _quantiles(ranks, [lo_q, 0.5, hi_q])
    out = ids.copy()
    out["rank"] = nominal
    out["median_rank"] = q[1]
    out["mean_rank"] = np.nanmean(ranks, axis=1)
    out["rank_low"] = q[0]
    out["rank_high"] = q[2]
    out["width"] = q[2] - q[0]
    design_frame = pd.DataFrame({
        "run": np.arange(ranks.shape[1]) + 1,
        **{name: np.asarray(options[name], dtype=object)[getattr(used_design, name)]
           for name in ("imputation", "normalisation", "weighting", "aggregation")},
    })
    shown = {k: ", ".join(v) for k, v in options.items()}
    shown["noise"] = f"±{noise:.0%}"
    return Uncertainty(ranks=out, sensitivity=sens_frame, removal=removal(spec, ids),
                       design=design_frame, rank_matrix=ranks, interval=interval, n=n,
                       seed=seed, options=shown)


def uncertainty(
    data: Any,
    *,
    n: int = 1000,
    seed: int | None = None,
    imputation: Sequence[str] | str | None = None,
    normalisation: Sequence[str] | str | None = ("minmax", "zscore", "rank"),
    weighting: Sequence[str] | str | None = ("nominal", "equal", "entropy", "critic"),
    noise: float = 0.25,
    aggregation: Sequence[str] | str | None = ("arithmetic", "geometric"),
    interval: float = 0.90,
    sensitivity: bool = True,
) -> Uncertainty:
    """Monte Carlo rank intervals, Sobol' sensitivity and removal shifts of an evaluation.

    Parameters
    ----------
    data : Evaluation
        The result of :func:`toolkit.evaluate.evaluate`.
    n : int, default 1000
        Replications. With `sensitivity`, *n* is the size of each of the two
        Saltelli base samples, so the intervals rest on 2n replications and
        n·(F + 2) indices are computed for F varying factors.
    seed : int, optional
        Seed of the random number generator, for reproducible intervals.
    imputation, normalisation, weighting, aggregation : str or list of str
        The choices sampled (uniformly) for each; one value keeps it fixed;
        None keeps the evaluation's own. See the module notes for the values.
    noise : float, default 0.25
        Relative perturbation of every weight (±25 %); 0 for none.
    interval : float, default 0.90
        Probability of the rank intervals (0.90: 5th to 95th percentile).
    sensitivity : bool, default True
        Also estimate first-order and total Sobol' indices.

    Returns
    -------
    Uncertainty
        ``.ranks`` (per unit: nominal, median and mean rank, interval),
        ``.sensitivity``, ``.removal``, ``.design``, ``.rank_matrix``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.random((30, 4)), columns=list("abcd"))
    >>> df.insert(0, "id", [f"U{i:02d}" for i in range(30)])
    >>> ev = tk.evaluate.evaluate(df, uncertainty=False)
    >>> u = tk.evaluate.uncertainty(ev, n=200, seed=1)
    >>> list(u.ranks.columns)
    ['id', 'rank', 'median_rank', 'mean_rank', 'rank_low', 'rank_high', 'width']
    >>> sorted(u.sensitivity["factor"].unique())
    ['aggregation', 'noise', 'normalisation', 'weighting']
    """
    spec = data.spec
    return run_uncertainty(spec, data.ids, n=n, seed=seed, imputation=imputation,
                           normalisation=normalisation, weighting=weighting, noise=noise,
                           aggregation=aggregation, interval=interval, sensitivity=sensitivity)
