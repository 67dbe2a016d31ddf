"""The whole evaluation in one call: indicators → checks → scores → ranks with intervals.

:func:`evaluate` runs the steps of the OECD/JRC Handbook on a Study (the
indicators computed from its tables by the index system's formulas) or on a
table of indicators already computed, and returns an :class:`Evaluation`:
``.scores`` (every pillar and the index), ``.ranks``, ``.weights``,
``.uncertainty`` (median rank and rank interval of every unit, Sobol' indices,
leave-one-indicator-out shifts), ``.checks``, ``.to_frame()``,
``.summary()`` and an HTML view. Members are people: results carry their
pseudonymous ids (``M001``), never names, unless a table is asked for with
``names=``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from toolkit._checks import check_choice, check_lang, close_matches, is_study, require_columns
from toolkit._summary import Summary
from toolkit.errors import ArgumentError, ArgumentTypeError
from toolkit.evaluate import checks as _checks_mod
from toolkit.evaluate._matrix import as_matrix, resolve_directions
from toolkit.evaluate.aggregation import ROOT, Plan, local_weight_vector, rank_scores
from toolkit.evaluate.montecarlo import Spec, Uncertainty, index_scores, run_uncertainty
from toolkit.evaluate.normalisation import METHODS as NORMALISATIONS
from toolkit.evaluate.normalisation import _constant, _per_indicator, normalise_matrix
from toolkit.evaluate.system import IndexSystem
from toolkit.evaluate.weighting import METHODS as WEIGHTINGS
from toolkit.evaluate.weighting import weights as weights_of
from toolkit.evaluate.weighting import weights_frame

__all__ = ["Evaluation", "evaluate"]

AGGREGATIONS = ("arithmetic", "geometric", "topsis")
DEFAULT_SYSTEMS = {"member": "member_default", "unit": "unit_default"}


@dataclass
class Evaluation:
    """Result of :func:`evaluate`.

    Attributes
    ----------
    system : IndexSystem
        The index system used.
    id : str
        Name of the identifier column (``member_id``, ``unit_id`` …).
    raw : pandas.DataFrame
        The indicators as computed or given.
    data : pandas.DataFrame
        The indicators after outlier treatment and imputation.
    normalised : pandas.DataFrame
        The normalised indicators.
    scores : pandas.DataFrame
        Identifier columns, one column per pillar/sub-pillar and ``index``.
    ranks : pandas.DataFrame
        Identifier columns, ``score`` (the index), ``rank`` (1 = best).
    weights : pandas.DataFrame
        ``indicator, parent, level, weight, global_weight, method, label_zh``.
    checks : DataCheck
        Data checks of the raw indicators (:func:`toolkit.evaluate.check`).
    uncertainty : Uncertainty or None
        Rank intervals and sensitivity (:func:`toolkit.evaluate.uncertainty`).
    options : dict
        The choices made (level, period, imputation, treatment, normalisation,
        weighting, aggregation).
    """

    system: IndexSystem
    id: str
    ids: pd.DataFrame
    raw: pd.DataFrame
    data: pd.DataFrame
    normalised: pd.DataFrame
    scores: pd.DataFrame
    ranks: pd.DataFrame
    weights: pd.DataFrame
    checks: Any
    uncertainty: Uncertainty | None
    options: dict[str, Any]
    spec: Spec

    # -- tables ----------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: ids, ``score``, ``rank``, the interval columns, pillar scores."""
        out = self.ranks.copy()
        if self.uncertainty is not None:
            extra = self.uncertainty.ranks[["median_rank", "rank_low", "rank_high", "width"]]
            out = pd.concat([out, extra.reset_index(drop=True)], axis=1)
        pillars = [c for c in self.scores.columns if c in self.system.nodes]
        return pd.concat([out, self.scores[pillars].reset_index(drop=True)], axis=1)

    def league_table(self, *, names: Any = None, top: int | None = None) -> pd.DataFrame:
        """The units in rank order (best first), optionally with display names.

        Parameters
        ----------
        names : dict, Series or DataFrame, optional
            Id → display name (a DataFrame needs the id column and ``name``).
            Only when asked: by default units are shown by their ids.
        top : int, optional
            Keep the first `top` units.
        """
        out = self.to_frame().sort_values(["rank", self.id], kind="stable")
        if names is not None:
            out.insert(1, "name", out[self.id].map(_names_map(names, self.id)))
        return (out.head(top) if top else out).reset_index(drop=True)

    def profile(self, unit: str, *, depth: int = 1) -> pd.DataFrame:
        """One unit's scores on the pillars (level `depth`) beside the median of all units.

        Returns
        -------
        pandas.DataFrame
            ``indicator, label_zh, label_en, score, median, rank`` (rank of the unit
            on that pillar among all units).
        """
        ids = self.scores[self.id].astype(str)
        if str(unit) not in set(ids):
            close = close_matches(str(unit), list(ids))
            hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
            msg = f"`{unit}` is not one of the evaluated units.{hint}"
            raise ArgumentError(msg)
        codes = [c for c in self.system.nodes if self.system.level_of(c) == depth
                 and c in self.scores.columns]
        if not codes:
            codes = [c for c in self.system.leaves if self.system.level_of(c) == depth]
            source = self.normalised
        else:
            source = self.scores
        row = source[source[self.id].astype(str) == str(unit)].iloc[0]
        rows = []
        for c in codes:
            col = source[c].astype(float)
            rank = rank_scores(col.to_numpy()[:, None])[:, 0]
            node = self.system.node(c)
            rows.append({"indicator": c, "label_zh": node.label("zh"),
                         "label_en": node.label("en"), "score": float(row[c]),
                         "median": float(col.median()),
                         "rank": float(rank[(source[self.id].astype(str) == str(unit))
                                            .to_numpy()][0])})
        return pd.DataFrame(rows)

    def correlations(self) -> pd.DataFrame:
        """Correlations of the indicators (negative ones reversed), from the data checks."""
        return self.checks.correlations.copy()

    # -- display -----------------------------------------------------------

    def summary(self, *, lang: str = "en") -> Summary:
        """Summary: what was evaluated, how, how certain the ranks are; the top ten."""
        check_lang(lang)
        n = int(self.ranks["rank"].notna().sum())
        o = self.options
        if lang == "zh":
            lines = [f"评价对象 {n} 个，指标 {len(self.system.leaves)} 项"
                     f"（{len(self.system.pillars)} 个一级指标）；标准化：{o['normalisation']}；"
                     f"赋权：{o['weighting']}；"
                     f"合成：{o['aggregation']}；缺失值：{o['imputation']}。"]
        else:
            lines = [f"{n} units, {len(self.system.leaves)} indicators in "
                     f"{len(self.system.pillars)} pillars; normalisation {o['normalisation']}, "
                     f"weights {o['weighting']}, aggregation {o['aggregation']}, "
                     f"imputation {o['imputation']}."]
        if self.uncertainty is not None:
            u = self.uncertainty
            lines.append(u.summary().as_text())
        top = self.league_table(top=10)
        lines.append(top.round(2).to_string(index=False))
        info = [("Units", str(n)), ("Indicators", str(len(self.system.leaves))),
                ("Pillars", str(len(self.system.pillars))),
                *((key, str(o[key])) for key in ("normalisation", "weighting", "aggregation",
                                                 "imputation"))]
        return Summary("Evaluation", info, top, text="\n".join(lines), was="str")

    def _repr_html_(self) -> str:
        n = int(self.ranks["rank"].notna().sum())
        o = self.options
        head = (f"<p><b>Evaluation</b> of {n} units on {len(self.system.leaves)} indicators "
                f"({html.escape(self.system.name)}): {html.escape(str(o['normalisation']))}, "
                f"{html.escape(str(o['weighting']))} weights, "
                f"{html.escape(str(o['aggregation']))}.")
        if self.uncertainty is not None:
            head += (f" {self.uncertainty.interval:.0%} rank intervals from "
                     f"{self.uncertainty.rank_matrix.shape[1]:,} replications, median width "
                     f"{self.uncertainty.median_width:.1f} ranks.")
        return head + "</p>" + self.league_table(top=10).round(2).to_html(index=False,
                                                                            na_rep="")

    def __repr__(self) -> str:
        width = ("" if self.uncertainty is None else
                 f", median rank interval width {self.uncertainty.median_width:.1f}")
        return (f"<Evaluation: {len(self.ranks)} units, {len(self.system.leaves)} "
                f"indicators{width}>")

    def to_report(self, report: Any, *, lang: str | None = None, names: Any = None,
                  top: int | None = None, heading_level: int = 1,
                  sources: bool = False) -> Any:
        """Add the evaluation section (指标体系表, weights, league table, method note) to a Report.

        The tables are formatted by ``toolkit.report.evaluation.evaluation_section``
        (personal names only with `names`); returns the report.
        """
        from toolkit.report.evaluation import evaluation_section

        section = evaluation_section(self, lang=lang or getattr(report, "lang", "zh"),
                                     names=names, top=top, sources=sources)
        return section.add_to(report, heading_level=heading_level)


def _names_map(names: Any, id_col: str) -> dict[str, str]:
    if isinstance(names, pd.DataFrame):
        require_columns(names, {"names": [id_col, "name"]}, where="`names`")
        return dict(zip(names[id_col].astype(str), names["name"].astype(str), strict=True))
    if isinstance(names, Mapping | pd.Series):
        return {str(k): str(v) for k, v in dict(names).items()}
    msg = "`names` must be a dict, a Series or a DataFrame with the id column and `name`."
    raise ArgumentTypeError(msg)


def _ids_of(frame: pd.DataFrame, indicators: Sequence[str], id_col: str | None) -> str:
    if id_col is not None:
        require_columns(frame, {"id": id_col})
        return id_col
    others = [c for c in frame.columns if c not in set(indicators)]
    if not others:
        return ""
    for c in others:
        if frame[c].is_unique:
            return str(c)
    return str(others[0])


def _group_values(data: Any, raw: pd.DataFrame, by: str | None, id_col: str,
                  level: str) -> np.ndarray | None:
    if by is None:
        return None
    if by in raw.columns:
        return raw[by].astype(str).to_numpy()
    table = "participants" if level == "member" else "units"
    key = "participant_id" if level == "member" else "unit_id"
    if is_study(data) and table in data.tables:
        frame = data.table(table)
        require_columns(frame, {"by": by}, where=f"the {table} table")
        mapping = dict(zip(frame[key].astype(str), frame[by].astype(str), strict=True))
        return raw[id_col].astype(str).map(mapping).to_numpy()
    require_columns(raw, {"by": by})
    return None  # pragma: no cover


def evaluate(
    data: Any,
    *,
    system: IndexSystem | str | Mapping | pd.DataFrame | None = None,
    level: Literal["member", "unit"] = "member",
    period: Any = None,
    id: str | None = None,
    by: str | None = None,
    impute: Literal["none", "mean", "median"] = "none",
    treat: Literal["auto", "winsorise", "log"] | None = None,
    normalisation: str = "minmax",
    weighting: str | pd.DataFrame | Mapping[str, float] = "system",
    aggregation: Literal["arithmetic", "geometric", "topsis"] = "arithmetic",
    scale: tuple[float, float] = (0.0, 100.0),
    uncertainty: bool | Mapping[str, Any] = True,
    n: int = 1000,
    seed: int | None = None,
    interval: float = 0.90,
    members: Sequence[str] | None = None,
    unit_level: str = "村社区",
) -> Evaluation:
    """Evaluate members (or units): indicators, checks, normalisation, weights, ranks, intervals.

    Parameters
    ----------
    data : Study, dict of DataFrames, or DataFrame
        A study (its indicators are computed by the index system's formulas,
        :func:`toolkit.evaluate.indicators`), or a table of indicators already
        computed (one row per unit, an identifier column and one column per
        indicator).
    system : IndexSystem, str, dict or DataFrame, optional
        The index system. Default with a study: the bundled
        ``"member_default"`` (``level="member"``) or ``"unit_default"``; with a
        table: one flat level of its numeric columns, all positive.
    level : {"member", "unit"}, default "member"
        What is evaluated (members 委员 or units 村社区/镇街), with a study.
    period : str or (start, end), optional
        Period of the rows counted, with a study (``"2023"``).
    id : str, optional
        Identifier column of a table (default its first unique non-indicator column).
    by : str, optional
        Groups for imputation within groups (a column of the table, or of the
        study's participants/units table, e.g. ``committee``, ``parent_id``).
    impute : {"none", "mean", "median"}, default "none"
        Missing values: left out (weights rescaled over the indicators present,
        COINr's default) or filled.
    treat : {"auto", "winsorise", "log"}, optional
        Outlier treatment of skewed indicators before normalising
        (:func:`toolkit.evaluate.treat`); default none.
    normalisation : str, default "minmax"
        One of :data:`toolkit.evaluate.normalisation.METHODS`.
    weighting : str, DataFrame or dict, default "system"
        ``"system"`` (the index system's weights, equal where none), ``"equal"``,
        ``"entropy"``, ``"critic"``, ``"pca"``; or weights from
        :func:`toolkit.evaluate.ahp`/:func:`expert_weights`/:func:`weights`.
    aggregation : {"arithmetic", "geometric", "topsis"}, default "arithmetic"
        Weighted arithmetic or geometric means up the tree, or TOPSIS closeness
        over the leaves with their global weights (pillar scores are then
        arithmetic).
    scale : (float, float), default (0, 100)
        Range of min–max normalisation (geometric aggregation shifts values to
        start at 1).
    uncertainty : bool or dict, default True
        Run the Monte Carlo analysis (:func:`toolkit.evaluate.uncertainty`); a
        dict passes its options (``normalisation=``, ``weighting=``, ``noise=``,
        ``aggregation=``, ``imputation=``, ``sensitivity=``).
    n : int, default 1000
        Monte Carlo replications.
    seed : int, optional
        Seed of the Monte Carlo sample.
    interval : float, default 0.90
        Probability of the rank intervals.
    members : list of str, optional
        Ids of the members evaluated (default: participants of type 政协委员).
    unit_level : str, default "村社区"
        With ``level="unit"``: the units evaluated (村社区 or 镇街).

    Returns
    -------
    Evaluation

    Raises
    ------
    ArgumentError
        Bad choices, weights that do not match the indicators, indicators
        without variation — naming the indicator.

    Notes
    -----
    ``level`` names what is evaluated, as in :func:`indicators`; the
    probability of the rank intervals is ``interval``.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators:
    Methodology and User Guide*. Saisana, M., Saltelli, A. & Tarantola, S.
    (2005), *JRSS A* 168, 307–323.

    Examples
    --------
    >>> df = pd.DataFrame({"member_id": ["M1", "M2", "M3", "M4"],
    ...                    "meetings": [10, 6, 8, 2], "proposals": [1, 4, 2, 0],
    ...                    "absences": [0, 3, 1, 6]})
    >>> ev = tk.evaluate.evaluate(df, system=tk.evaluate.IndexSystem.flat(
    ...     ["meetings", "proposals", "absences"], directions={"absences": "-"}),
    ...     uncertainty=False)
    >>> ev.ranks.round(1)
      member_id  score  rank
    0        M1   75.0     1
    1        M2   66.7     3
    2        M3   69.4     2
    3        M4    0.0     4
    """
    check_choice(level, ["member", "unit"], param="level")
    check_choice(impute, ["none", "mean", "median"], param="impute")
    check_choice(normalisation, NORMALISATIONS, param="normalisation")
    check_choice(aggregation, AGGREGATIONS, param="aggregation")
    if treat is not None:
        check_choice(treat, ["auto", "winsorise", "log"], param="treat")
    if isinstance(data, pd.DataFrame):
        if system is None:
            raw = data
            matrix = as_matrix(data)
            id_col = _ids_of(data, matrix.indicators, id)
            indicators = [c for c in matrix.indicators if c != id_col]
            system_obj = IndexSystem.flat(indicators)
        else:
            system_obj = system if isinstance(system, IndexSystem) else IndexSystem(system)
            raw = data
            id_col = _ids_of(data, system_obj.leaves, id)
    else:
        from toolkit.evaluate.formulas import indicators as compute

        system_obj = (system if isinstance(system, IndexSystem) else
                      IndexSystem(system if system is not None else DEFAULT_SYSTEMS[level]))
        raw = compute(data, system_obj, level=level, period=period, members=members,
                      unit_level=unit_level)
        id_col = raw.attrs.get("id", "member_id" if level == "member" else "unit_id")
    if not id_col:
        raw = raw.reset_index(drop=True).copy()
        raw.insert(0, "row", np.arange(1, len(raw) + 1))
        id_col = "row"
    groups = _group_values(data, raw, by, id_col, level)
    work = raw
    treatment = None
    if treat is not None:
        work = _checks_mod.treat(raw, method=treat, system=system_obj)
        treatment = work.attrs.get("treatment")
    m = as_matrix(work, system=system_obj)
    dirs = resolve_directions(m.indicators, system=system_obj)
    data_check = _checks_mod.check(raw, system=system_obj)
    _constant(m.x, m.indicators)
    targets = goalposts = None
    if normalisation == "target":
        targets = np.array(_per_indicator(None, m.indicators, system_obj, "target", "targets"),
                           dtype=float)
    if normalisation == "goalposts":
        goalposts = np.array(_per_indicator(None, m.indicators, system_obj, "goalposts",
                                            "goalposts"), dtype=float)
    spec = Spec(x=m.x, leaves=m.indicators, system=system_obj, directions=dirs,
                nominal_local={}, imputation=impute, normalisation=normalisation,
                aggregation=aggregation, groups=groups, scale=tuple(scale),
                targets=targets, goalposts=goalposts)
    imputed = spec.imputed(impute)
    if aggregation == "topsis" and np.isnan(imputed).any():
        msg = "TOPSIS needs complete data: use `impute=\"mean\"` or `\"median\"`."
        raise ArgumentError(msg)
    if isinstance(weighting, str):
        check_choice(weighting, WEIGHTINGS, param="weighting")
        complete = spec.imputed("mean" if impute == "none" else impute)
        frame = pd.DataFrame(complete, columns=m.indicators)
        wframe = weights_of(frame, method=weighting, system=system_obj)
        local = dict(zip(wframe["indicator"], wframe["weight"].astype(float), strict=True))
        weighting_name = ("equal" if weighting == "system" and not any(
            n.weight is not None for n in system_obj.nodes.values()) else weighting)
    else:
        local = local_weight_vector(system_obj, weighting)
        method = (str(weighting["method"].iloc[0]) if isinstance(weighting, pd.DataFrame)
                  and "method" in weighting.columns and len(weighting) else "given")
        wframe = weights_frame(system_obj, local, method)
        weighting_name = method
    spec.nominal_local = local
    plan = Plan.of(system_obj, m.indicators)
    norm = normalise_matrix(imputed, dirs, method=normalisation, scale=tuple(scale),
                            targets=targets, goalposts=goalposts)
    normalised = m.frame(norm)
    w = np.array([[local[c]] for c in plan.nodes])
    from toolkit.evaluate.aggregation import tree_scores

    pillar_method = "arithmetic" if aggregation == "topsis" else aggregation
    shown = spec.normalised(impute, normalisation, positive=pillar_method == "geometric")
    tree = tree_scores(shown, plan, w, method=pillar_method, keep=True)
    index = index_scores(spec, plan, imputation=impute, normalisation=normalisation,
                         aggregation=aggregation, local=w)[:, 0]
    scores = m.ids.copy()
    for node in [c for c in system_obj.nodes if c in tree]:
        scores[node] = tree[node][:, 0]
    scores[ROOT] = index
    ranks = m.ids.copy()
    ranks["score"] = index
    rank = rank_scores(index[:, None])[:, 0]
    ranks["rank"] = pd.array(np.where(np.isnan(rank), pd.NA, rank), dtype="Int64") \
        if np.isnan(rank).any() else rank.astype(int)
    options = {"level": level if not isinstance(data, pd.DataFrame) else None,
               "period": period, "imputation": impute, "by": by, "treatment": treat,
               "normalisation": normalisation, "scale": tuple(scale),
               "weighting": weighting_name, "aggregation": aggregation,
               "treatment_record": treatment}
    result = Evaluation(system=system_obj, id=id_col, ids=m.ids, raw=raw,
                        data=m.frame(imputed), normalised=normalised, scores=scores,
                        ranks=ranks, weights=wframe, checks=data_check, uncertainty=None,
                        options=options, spec=spec)
    if uncertainty:
        opts = dict(uncertainty) if isinstance(uncertainty, Mapping) else {}
        unknown = set(opts) - {"imputation", "normalisation", "weighting", "noise",
                               "aggregation", "sensitivity"}
        if unknown:
            msg = (f"Unknown `uncertainty` option(s) {sorted(unknown)}; use imputation, "
                   "normalisation, weighting, noise, aggregation, sensitivity.")
            raise ArgumentError(msg)
        if "weighting" not in opts and m.x.shape[0] <= len(m.indicators):
            opts["weighting"] = ("nominal", "equal")
        result.uncertainty = run_uncertainty(spec, m.ids, n=n, seed=seed, interval=interval,
                                             **opts)
    return result
