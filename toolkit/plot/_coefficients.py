"""Forest plot of model coefficients."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from toolkit.plot._common import Lang, apply_fonts, check_lang, column_label, new_axes, word
from toolkit.plot._common import value_labels as _value_labels

__all__ = ["coefficient_frames", "coefficients", "term_label"]

_INTERCEPTS = {"intercept", "const", "(intercept)", "截距"}
_FACTOR = re.compile(r"^(?:C\()?(?P<var>[^\[\(\),]+?)(?:,[^\)]*)?\)?\[T\.(?P<level>.+)\]$")


def _frame_of(result: Any) -> pd.DataFrame:
    if isinstance(result, pd.DataFrame):
        frame = result
    elif hasattr(result, "to_frame"):
        frame = result.to_frame()
    elif hasattr(result, "params") and hasattr(result, "bse"):  # a raw statsmodels result
        ci = result.conf_int()
        ci = pd.DataFrame(np.asarray(ci), index=result.params.index)
        frame = pd.DataFrame({
            "term": list(result.params.index), "estimate": np.asarray(result.params),
            "se": np.asarray(result.bse), "p_value": np.asarray(result.pvalues),
            "ci_low": ci.iloc[:, 0].to_numpy(), "ci_high": ci.iloc[:, 1].to_numpy(),
        })
    else:
        msg = (f"Cannot read coefficients from a {type(result).__name__}. Give a model result "
               "with `.to_frame()` (e.g. from `tk.stats.ologit`) or a DataFrame with columns "
               "term, estimate, ci_low, ci_high.")
        raise TypeError(msg)
    if "term" not in frame.columns:
        frame = frame.reset_index().rename(columns={"index": "term"})
    missing = [c for c in ("term", "estimate") if c not in frame.columns]
    if missing:
        msg = (f"The coefficient table has no column(s) {missing}; it needs term, estimate "
               "and either ci_low/ci_high or se.")
        raise KeyError(msg)
    frame = frame.copy()
    if "ci_low" not in frame.columns or "ci_high" not in frame.columns:
        if "se" not in frame.columns:
            msg = "The coefficient table needs ci_low and ci_high, or se."
            raise KeyError(msg)
        frame["ci_low"] = frame["estimate"] - 1.959964 * frame["se"]
        frame["ci_high"] = frame["estimate"] + 1.959964 * frame["se"]
    return frame


def is_threshold(frame: pd.DataFrame) -> pd.Series:
    """Rows of a coefficient table that are cut-points of an ordered model."""
    mask = frame["term"].astype(str).str.contains("|", regex=False)
    for col in ("kind", "type", "term_type", "component"):
        if col in frame.columns:
            mask |= frame[col].astype(str).str.lower().isin(
                {"cutpoint", "cut-point", "threshold", "thresholds", "cut"})
    return mask


def coefficient_frames(results: Any, *, lang: Lang = "zh") -> dict[str, pd.DataFrame]:
    """Coefficient tables of one or several models, keyed by model name.

    `results` is one result (anything with ``.to_frame()``, a raw statsmodels
    result, or a DataFrame with ``term, estimate, ci_low, ci_high``), a list of
    them (named 模型1, 模型2 … / Model 1 …) or a dict name → result.

    Examples
    --------
    >>> f = pd.DataFrame({"term": ["x"], "estimate": [0.5], "se": [0.1]})
    >>> list(tk.plot.coefficient_frames([f, f], lang="en"))
    ['Model 1', 'Model 2']
    """
    if isinstance(results, Mapping):
        return {str(k): _frame_of(v) for k, v in results.items()}
    if isinstance(results, Sequence) and not isinstance(results, str | pd.DataFrame):
        sep = "" if lang == "zh" else " "
        return {f"{word('model', lang)}{sep}{i}": _frame_of(r)
                for i, r in enumerate(results, start=1)}
    return {"": _frame_of(results)}


def term_label(term: str, lang: Lang = "zh") -> str:
    """Readable label of a model term: ``platform[T.微信群]`` → ``协商平台：微信群``.

    Examples
    --------
    >>> tk.plot.term_label("platform[T.微信群]", lang="en")
    'Platform: WeChat group'
    >>> tk.plot.term_label("age")
    '年龄'
    """
    text = str(term)
    m = _FACTOR.match(text)
    if m:
        var, level = m.group("var").strip(), m.group("level")
        sep = "：" if lang == "zh" else ": "
        return f"{column_label(var, lang)}{sep}{_value_labels(var, [level], lang)[0]}"
    if ":" in text:
        return " × ".join(term_label(p, lang) for p in text.split(":"))
    return column_label(text, lang)


def coefficients(
    data: Any,
    *,
    terms: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    exp: bool = False,
    intercept: bool = False,
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Axes:
    """Forest plot: point estimates with confidence intervals of one or several models.

    Parameters
    ----------
    data : model result, DataFrame, list or dict of them
        A result with ``.to_frame()`` (``tk.stats.regress``, ``ologit`` …), a raw
        statsmodels result, or a frame with ``term, estimate, ci_low, ci_high``
        (``se`` is enough: a normal 95% interval is used). Several models are
        drawn side by side with a legend.
    terms : list of str, optional
        Terms to show, in this order (default: all but the intercept and the
        cut-points of ordered models).
    labels : dict, optional
        Term → label (default: schema labels, ``x[T.level]`` shown as ``x：level``).
    exp : bool, default False
        Show exp(estimate), e.g. odds ratios, on a log axis with the reference at 1.
    intercept : bool, default False
        Keep the intercept.
    lang : {"zh", "en"}, default "zh"
        Language of labels.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        One error-bar container per model.

    Raises
    ------
    TypeError
        When a result has no coefficient table.
    KeyError
        When a named term is in none of the models.

    Examples
    --------
    >>> f = pd.DataFrame({"term": ["Intercept", "age", "gender[T.女]"],
    ...                   "estimate": [1.0, 0.2, -0.3], "ci_low": [0.5, 0.1, -0.6],
    ...                   "ci_high": [1.5, 0.3, 0.0]})
    >>> ax = tk.plot.coefficients(f)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['年龄', '性别：女']
    """
    check_lang(lang)
    models = coefficient_frames(data, lang=lang)
    keep: list[str] = []
    for frame in models.values():
        mask = ~is_threshold(frame)
        if not intercept:
            mask &= ~frame["term"].astype(str).str.lower().isin(_INTERCEPTS)
        for t in frame.loc[mask, "term"].astype(str):
            if t not in keep:
                keep.append(t)
    if terms is not None:
        known = {str(t) for f in models.values() for t in f["term"]}
        unknown = [t for t in terms if t not in known]
        if unknown:
            msg = f"Term(s) {unknown} are in none of the models. Terms: {sorted(known)}."
            raise KeyError(msg)
        keep = list(terms)
    labels = dict(labels or {})
    names = [labels.get(t, term_label(t, lang)) for t in keep]
    n_models = len(models)
    height = max(1.8, 0.32 * len(keep) * max(1, n_models * 0.7) + 1.0)
    ax = new_axes(ax, lang, figsize=(6.3, height))
    base = np.arange(len(keep))[::-1].astype(float)
    step = 0.7 / max(n_models, 1)
    for i, (name, frame) in enumerate(models.items()):
        sub = frame.assign(term=frame["term"].astype(str)).set_index("term").reindex(keep)
        est, lo, hi = (sub[c].to_numpy(dtype="float64") for c in ("estimate", "ci_low", "ci_high"))
        if exp:
            est, lo, hi = np.exp(est), np.exp(lo), np.exp(hi)
        offset = (i - (n_models - 1) / 2) * step if n_models > 1 else 0.0
        ax.errorbar(est, base - offset, xerr=np.vstack([est - lo, hi - est]), fmt="o",
                    markersize=4, capsize=2, linewidth=1.2, label=name or None)
    ax.axvline(1.0 if exp else 0.0, color="#666666", linewidth=0.8, linestyle="--")
    if exp:
        ax.set_xscale("log")
    ax.set_yticks(base, names)
    ax.set_xlabel(word("odds_ratio" if exp else "estimate", lang) + "（95% CI）"
                  if lang == "zh" else
                  word("odds_ratio" if exp else "estimate", lang) + " (95% CI)")
    if n_models > 1:
        ax.legend(loc="best")
    return apply_fonts(ax, lang)
