"""Regression tables: one or several models side by side, in the Chinese journal layout."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.report._format import Lang, check_lang, fmt_count, fmt_num, stars, w
from toolkit.report._labels import LabelLog
from toolkit.report.disclosure import refuse_found
from toolkit.report.table import Table
from toolkit.schema import (
    codebook_english,
    column_label,
    english_text,
    model_term_label,
)
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


def _is_logistic(result: Any, frame: pd.DataFrame) -> bool:
    """Whether a model is a logit (binary or ordered): its coefficients are log-odds."""
    if "odds_ratio" in frame.columns:
        return True
    model = str(getattr(result, "model", "") or "").lower()
    return "logit" in model or "logistic" in model


def _outcome(result: Any) -> str | None:
    formula = getattr(result, "formula", None)
    if isinstance(formula, str) and "~" in formula:
        return formula.split("~")[0].strip() or None
    return None


def _cut_label(term: str, outcome: str | None, lang: Lang, data: Any, log: LabelLog) -> str:
    """A cut-point ``a|b`` between two answers, in `lang`: ``非常不满意 | 不太满意``."""
    sides = [p.strip() for p in term.split("|")]
    if lang == "en":
        english = codebook_english(data, outcome)[1] if outcome else {}
        book = (((getattr(data, "attrs", None) or {}).get("codebook") or {}).get(outcome)
                or {}) if outcome else {}
        codes = {str(v): str(k) for k, v in (book.get("value_labels") or {}).items()}
        sides = [english.get(codes.get(p, p)) or english_text(p) or log.text(p)
                 for p in sides]
    return " | ".join(sides)


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
    data: pd.DataFrame | None = None,
    odds_ratios: bool | None = None,
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
        Term → row label. By default terms read as :func:`toolkit.schema.model_term_label`
        gives them: the codebook label of `data` (or the schema's), a yes/no
        variable with its reference category (是否党员（参照：否）), a factor
        level with its reference level, a numeric variable with its unit, the
        intercept as 常数项; a term with no label is shown by name and a warning
        lists it.
    caption : str, optional
        Title of the table.
    lang : {"zh", "en"}, default "zh"
        Language of labels and notes.
    data : pandas.DataFrame, optional
        The table the models were fitted on: its codebook gives the labels of
        terms, of the outcome (named in a note) and of cut-points, and its
        levels the reference categories.
    odds_ratios : bool, optional
        Put odds ratios (exp of the coefficient, with their 95% CI) in a column
        beside the log-odds. Default: for logit and ordered logit models when
        `exp` is False.
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
    0       Intercept    1.200**
    1                    (0.400)
    2     Age (years)    0.031**
    3                    (0.011)
    4               N      3,012
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
            f = f[~f["term"].map(_is_intercept)]
        f.insert(0, "model", name)
        long_rows.append(f[["model", "term", "kind", "estimate", "se", "p_value", "ci_low",
                            "ci_high"]])
    numbers = pd.concat(long_rows, ignore_index=True)
    order_kind = {"coefficient": 0, "cut-point": 1, "variance": 2}
    terms = (numbers.drop_duplicates("term")
             .assign(_k=lambda d: d["kind"].map(order_kind).fillna(3))
             .sort_values("_k", kind="stable")["term"].tolist())
    var_head = w("variable", lang)
    log = LabelLog(lang, f"regression table{f' “{caption}”' if caption else ''}")
    show_or = [(_is_logistic(r, f) and not exp) if odds_ratios is None else bool(odds_ratios)
               for r, f in zip(raw, models.values(), strict=True)]
    outcomes = [o for o in (_outcome(r) for r in raw) if o]
    outcome = outcomes[0] if outcomes and len(set(outcomes)) == 1 else None
    rows: list[list[str]] = []
    cut_head = False
    for term in terms:
        kind = numbers.loc[numbers["term"] == term, "kind"].iloc[0]
        if kind == "cut-point" and not cut_head:
            rows.append([w("cut_points", lang)] + [""] * sum(1 + o for o in show_or))
            cut_head = True
        if term in labels:
            label = labels[term]
        elif "|" in term:
            label = _cut_label(term, outcome, lang, data, log)
        else:
            label = model_term_label(term, lang, data)
            for var in _variables(term):
                log.header(var, column_label(var, lang, data))
        top, under = [f"  {label}" if kind == "cut-point" else label], [""]
        for name, with_or in zip(models, show_or, strict=True):
            hit = numbers[(numbers["model"] == name) & (numbers["term"] == term)]
            if hit.empty:
                top += [""] * (1 + with_or)
                under += [""] * (1 + with_or)
                continue
            r = hit.iloc[0]
            top.append(f"{fmt_num(r['estimate'], digits)}{stars(r['p_value'])}")
            if uncertainty == "se":
                under.append(f"({fmt_num(r['se'], digits)})" if pd.notna(r["se"]) else "")
            else:
                under.append(f"[{fmt_num(r['ci_low'], digits)}, {fmt_num(r['ci_high'], digits)}]"
                             if pd.notna(r["ci_low"]) else "")
            if with_or:
                coef = r["kind"] == "coefficient" and not _is_intercept(term)
                top.append(fmt_num(np.exp(float(r["estimate"])), digits) if coef else "")
                under.append(f"[{fmt_num(np.exp(float(r['ci_low'])), digits)}, "
                             f"{fmt_num(np.exp(float(r['ci_high'])), digits)}]"
                             if coef and pd.notna(r["ci_low"]) else "")
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
        cells = []
        for v, with_or in zip(values, show_or, strict=True):
            cells += ["" if v is None else fmt(v)] + [""] * with_or
        rows.append([w(key, lang), *cells])
    heads = []
    for name, with_or in zip(models, show_or, strict=True):
        if not with_or:
            heads.append(name)
        elif len(models) == 1:
            heads += [w("coef", lang), w("or", lang)]
        else:
            sep = "：" if lang == "zh" else ": "
            heads += [f"{name}{sep}{w('coef', lang)}", f"{name}{sep}OR"]
    frame = pd.DataFrame(rows, columns=[var_head, *heads])
    notes = []
    if outcome is not None:
        name = labels.get(outcome) or column_label(outcome, lang, data)
        if outcome not in labels:
            log.header(outcome, name)
        notes.append(w("outcome", lang, name=name))
    notes.append(w("se_note" if uncertainty == "se" else "ci_note", lang))
    if exp:
        notes.append(w("odds", lang))
    if any(show_or):
        notes.append(w("or_note", lang))
    notes.append(w("stars", lang))
    log.warn()
    return Table(frame, caption=caption, notes=notes, numbers=numbers, lang=lang)


def _variables(term: str) -> list[str]:
    """The variables a model term is made of: ``C(x)[T.a]:z`` → x, z (none for the intercept)."""
    if _is_intercept(term):
        return []
    out = []
    for part in term.split(":"):
        m = re.match(r"^(?:C\()?([^\[\(\),]+?)(?:,[^\)]*)?\)?(?:\[T\..+\])?$", part.strip())
        out.append(m.group(1).strip() if m else part.strip())
    return out


def _is_intercept(term: str) -> bool:
    return term.strip().lower() in {"intercept", "const", "(intercept)", "_cons"}
