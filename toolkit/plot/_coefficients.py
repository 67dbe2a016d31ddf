"""Forest plot of model coefficients.

The coefficient tables come from :func:`toolkit.stats.results.coefficient_frames`,
the term labels from :func:`toolkit.schema.term_label`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from toolkit._checks import Lang, check_lang
from toolkit._docs import doc
from toolkit.plot._common import (
    apply_fonts,
    new_axes,
    refuse_personal_found,
    warn_chinese,
    word,
)
from toolkit.schema import english_text, has_chinese, term_label
from toolkit.stats.results import coefficient_frames, is_threshold, personal_terms

__all__ = ["coefficients"]

_INTERCEPTS = {"intercept", "const", "(intercept)", "截距"}


def _in_english(names: list[str]) -> list[str]:
    """Term labels with Chinese levels (``attended: 是``) put in English where known.

    What stays Chinese is listed in one warning.
    """
    out, left = [], []
    for name in names:
        parts = re.split(r"(: | × )", name)
        parts = [english_text(p) or p if has_chinese(p) else p for p in parts]
        text = "".join(parts)
        if has_chinese(text):
            left.append(text)
        out.append(text)
    if left:
        warn_chinese(left, what="term labels", fix="give them as `labels=`")
    return out


@doc
def coefficients(
    data: Any,
    *,
    terms: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    exp: bool = False,
    intercept: bool = False,
    lang: Lang = "zh",
    ax: Axes | None = None,
    allow_personal: bool = False,
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
    {lang}
    {ax}
    allow_personal : bool, default False
        Print term labels that are levels of a column holding personal data
        (names, phone or ID-card numbers), for a figure that stays inside the
        project. Refused by default.

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
    ArgumentError
        When a term label would print a level of a personal column
        (``负责人[T.张伟]``; ``tk.stats.results.personal_terms``), unless
        ``allow_personal=True`` or the term has a label in `labels`.

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
    if not allow_personal:
        shown = {name: frame[frame["term"].astype(str).isin(set(keep) - set(labels))]
                 for name, frame in models.items()}
        refuse_personal_found(personal_terms(data, models=shown), param="data",
                              where="tk.plot.coefficients")
    names = [labels.get(t, term_label(t, lang)) for t in keep]
    if lang == "en":
        names = _in_english(names)
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
