"""Regression tables: one or several models side by side, in the Chinese journal layout."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.report._format import Lang, check_lang, fmt_count, fmt_num, stars, w
from toolkit.report.disclosure import refuse_found
from toolkit.report.table import Table
from toolkit.schema import term_label
from toolkit.stats.results import coefficient_frames, is_threshold, personal_terms

__all__ = ["regression_table"]


def _fit_stat(result: Any, names: Sequence[str]) -> float | None:
    sources = [result]
    if isinstance(result, pd.DataFrame):
        sources = [result.attrs]
    else:
        raw = getattr(result, "_model_result", None) or (
            getattr(result, "model_result", None) if not hasattr(result, "params") else result)
        if raw is not None and raw is not result:
            sources.append(raw)
    for src in sources:
        for name in names:
            try:
                value = src.get(name) if isinstance(src, dict) else getattr(src, name)
            except Exception:
                continue
            if value is None or callable(value):
                continue
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue
            if np.isfinite(value):
                return value
    return None


def regression_table(
    results: Any,
    *,
    names: Sequence[str] | None = None,
    uncertainty: str = "se",
    digits: int = 3,
    exp: bool = False,
    intercept: bool = True,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    lang: Lang = "zh",
    allow_personal: bool = False,
) -> Table:
    """Regression table of one or several models, side by side.

    Each term takes two rows: the estimate with significance stars, and under
    it the standard error in parentheses (``uncertainty="se"``) or the 95% confidence
    interval in brackets (``uncertainty="ci"``). Cut-points of ordered models follow the
    coefficients. The foot rows give N, the (pseudo) R² and the AIC.

    Parameters
    ----------
    results : model result, DataFrame, list or dict of them
        Results of ``tk.stats.regress`` / ``ologit`` / ``multilevel`` (anything
        with ``.to_frame()`` giving ``term, estimate, se, p_value, ci_low,
        ci_high``), raw statsmodels results, or such frames. A list is named
        模型1, 模型2 … (Model 1 …); a dict gives the names.
    names : list of str, optional
        Column names of the models (overrides the defaults).
    uncertainty : {"se", "ci"}, default "se"
        What goes under each estimate.
    digits : int, default 3
        Decimals of estimates and their uncertainty.
    exp : bool, default False
        Show exp(estimate) (odds ratios for logit models) for coefficient rows;
        the standard error then follows the delta method (OR x se).
    intercept : bool, default True
        Keep the intercept row.
    labels : dict, optional
        Term → row label (default: schema labels; ``x[T.a]`` shown as ``x：a``).
    caption : str, optional
        Title of the table.
    lang : {"zh", "en"}, default "zh"
        Language of labels and notes.
    allow_personal : bool, default False
        Print terms whose labels are levels of a personal column. By default
        a categorical predictor that ``tk.io.find_personal`` finds personal
        (a ``name`` column, 姓名, ID-card or phone numbers — judged by the
        printed levels, the codebook of a coefficient frame and the data the
        model was fitted on) is refused: its levels would print names.

    Returns
    -------
    Table
        ``.numbers`` has one row per model and term with columns ``model, term,
        kind, estimate, se, p_value, ci_low, ci_high`` (exponentiated with `exp`).

    Raises
    ------
    ValueError
        For an unknown `uncertainty`, `names` of the wrong length, or terms
        that print levels of a personal column (``ArgumentError``, naming it).

    Notes
    -----
    Stars: ``*`` p < 0.05, ``**`` p < 0.01, ``***`` p < 0.001 (two-sided).

    Examples
    --------
    >>> f = pd.DataFrame({"term": ["Intercept", "age"], "estimate": [1.2, 0.0312],
    ...                   "se": [0.4, 0.011], "p_value": [0.003, 0.0046]})
    >>> f.attrs["n"] = 3012
    >>> tk.report.regression_table(f, lang="en").to_frame()
      Variable    Model 1
    0  Intercept  1.200**
    1             (0.400)
    2        Age  0.031**
    3             (0.011)
    4          N    3,012
    """
    check_lang(lang)
    if uncertainty not in {"se", "ci"}:
        msg = f'`uncertainty` must be "se" or "ci", not {uncertainty!r}.'
        raise ValueError(msg)
    models = coefficient_frames(results, lang=lang)
    raw = (list(results.values()) if isinstance(results, Mapping)
           else list(results) if isinstance(results, list | tuple) else [results])
    if names is not None:
        if len(names) != len(models):
            msg = f"`names` has {len(names)} entries for {len(models)} model(s)."
            raise ValueError(msg)
        models = dict(zip(names, models.values(), strict=True))
    if not allow_personal:
        refuse_found(personal_terms(raw, models=models), "results")
    if list(models) == [""]:
        models = {w("model", lang).strip() + ("1" if lang == "zh" else " 1"): models[""]}
    labels = dict(labels or {})
    long_rows = []
    for name, frame in models.items():
        f = frame.copy()
        f["term"] = f["term"].astype(str)
        kind = f["kind"].astype(str) if "kind" in f.columns else pd.Series(
            np.where(is_threshold(f), "cut-point", "coefficient"), index=f.index)
        f["kind"] = np.where(is_threshold(f), "cut-point", kind)
        for col in ("se", "p_value", "ci_low", "ci_high"):
            if col not in f.columns:
                f[col] = np.nan
        if exp:
            coef = f["kind"].eq("coefficient")
            e = np.exp(f["estimate"].astype(float))
            f.loc[coef, "se"] = f.loc[coef, "se"] * e[coef]
            for col in ("estimate", "ci_low", "ci_high"):
                f.loc[coef, col] = np.exp(f.loc[coef, col].astype(float))
        if not intercept:
            f = f[~f["term"].str.lower().isin({"intercept", "const", "(intercept)"})]
        f.insert(0, "model", name)
        long_rows.append(f[["model", "term", "kind", "estimate", "se", "p_value", "ci_low",
                            "ci_high"]])
    numbers = pd.concat(long_rows, ignore_index=True)
    order_kind = {"coefficient": 0, "cut-point": 1, "variance": 2}
    terms = (numbers.drop_duplicates("term")
             .assign(_k=lambda d: d["kind"].map(order_kind).fillna(3))
             .sort_values("_k", kind="stable")["term"].tolist())
    var_head = w("variable", lang)
    rows: list[list[str]] = []
    for term in terms:
        label = labels.get(term, term_label(term, lang) if "|" not in term else term)
        top, under = [label], [""]
        for name in models:
            hit = numbers[(numbers["model"] == name) & (numbers["term"] == term)]
            if hit.empty:
                top.append("")
                under.append("")
                continue
            r = hit.iloc[0]
            top.append(f"{fmt_num(r['estimate'], digits)}{stars(r['p_value'])}")
            if uncertainty == "se":
                under.append(f"({fmt_num(r['se'], digits)})" if pd.notna(r["se"]) else "")
            else:
                under.append(f"[{fmt_num(r['ci_low'], digits)}, {fmt_num(r['ci_high'], digits)}]"
                             if pd.notna(r["ci_low"]) else "")
        rows += [top, under]
    stat_rows = [("n", ("n", "nobs"), fmt_count),
                 ("pseudo_r2", ("pseudo_r2", "prsquared"), lambda v: fmt_num(v, 3)),
                 ("r2", ("r2", "rsquared"), lambda v: fmt_num(v, 3)),
                 ("aic", ("aic",), lambda v: fmt_num(v, 1))]
    for key, attrs, fmt in stat_rows:
        values = [_fit_stat(r, attrs) for r in raw]
        if key == "r2" and any(_fit_stat(r, ("pseudo_r2", "prsquared")) is not None for r in raw):
            continue
        if all(v is None for v in values):
            continue
        rows.append([w(key, lang), *["" if v is None else fmt(v) for v in values]])
    frame = pd.DataFrame(rows, columns=[var_head, *models])
    notes = [w("se_note" if uncertainty == "se" else "ci_note", lang)]
    if exp:
        notes.append(w("odds", lang))
    notes.append(w("stars", lang))
    return Table(frame, caption=caption, notes=notes, numbers=numbers, lang=lang)
