"""One word per role: the parameter names of the public API, their wording, and old spellings.

:data:`ROLES` is the list the conventions test checks every public signature
against: a role has one spelling everywhere; :data:`OLD_SPELLINGS` are the
spellings it replaced, and :data:`ROLE_EXCEPTIONS` the few signatures where a
word rightly means something else, each with its reason. :data:`PARAMS` holds the shared
docstring text, which :func:`fill` (or the :func:`doc` decorator) formats into
``__doc__`` at import time, so ``__doc__`` stays plain text readable through
Jupyter's ``?``. :func:`renamed` keeps an old spelling working for one release
with a ``FutureWarning`` naming the new one; :data:`RENAMED` lists what it wraps.

The role words: row weights ``weights=``; edge attribute ``weight=`` (tk.net and
tk.plot.network only); grouping ``by=``; confidence level ``level=`` (a float);
language ``lang=``; axes ``ax=``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["OLD_SPELLINGS", "PARAMS", "REMOVED_IN", "RENAMED", "ROLES", "ROLE_EXCEPTIONS", "doc",
           "fill", "renamed"]

F = TypeVar("F", bound=Callable[..., Any])

#: Release in which the old spellings stop working.
REMOVED_IN = "0.3"

#: Every function wrapped by :func:`renamed`, in the order they were defined
#: (each carries ``__renamed__``: old keyword → new keyword).
RENAMED: list[Callable[..., Any]] = []

#: Role word → what it means wherever it appears.
ROLES: dict[str, str] = {
    "data": "the table (DataFrame) or Study to work on",
    "weights": "column of sampling or frequency weights, one value per row",
    "weight": "edge attribute holding tie strength (networkx's word), in tk.net and "
              "tk.plot.network only",
    "by": "column(s) defining groups; one result row per group (a node attribute in tk.net)",
    "level": "confidence level of intervals, a float, e.g. 0.95",
    "lang": 'language of labels and generated text, "zh" or "en"',
    "ax": "matplotlib Axes to draw on",
    "seed": "seed of the random number generator",
    "design": "a survey design (tk.stats.Design)",
    "items": "columns holding the items of a scale",
    "actor": "column identifying actors (people, organisations) of a two-mode network",
    "event": "column identifying events (sessions) of a two-mode network",
    "respondent": "column identifying respondents across survey waves",
    "wave": "column holding the survey wave",
    "time": "column holding a duration (survival analysis)",
    "targets": "column identifying what is rated (tk.stats.icc)",
    "raters": "column(s) identifying who rates (tk.stats.icc)",
    "coders": "columns holding each coder's codes, one row per unit (agreement of coding)",
    "text": "column(s) holding the text of documents (tk.text)",
    "id": "column of document or unit identifiers",
    "heading_level": "depth of the heading a section is added under (1 = chapter)",
}

#: Old spelling → the role word that replaces it (kept working for one release).
OLD_SPELLINGS: dict[str, str] = {
    "group": "by",
    "groups": "by",
    "group_by": "by",
    "groupby": "by",
    "ci": "level",
    "alpha": "level",
    "conf_level": "level",
    "ci_level": "level",
    "language": "lang",
    "axes": "ax",
}

#: Where a role word, or an old spelling, rightly means something else in one public
#: signature: (public name, parameter) → the reason. The conventions test reads this
#: list: an old spelling, a ``level`` that is not a confidence level, or a ``weight``
#: outside tk.net is an error unless it is listed here.
ROLE_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("tk.evaluate.evaluate", "level"):
        'what is evaluated, "member" (委员) or "unit" (单位), the public names of '
        "the evaluation issue; not a confidence level",
    ("tk.evaluate.indicators", "level"):
        'what the indicators describe, "member" or "unit", as tk.evaluate.evaluate',
    ("tk.report.Report.heading", "level"):
        "heading depth 1-3, python-docx's `add_heading(text, level=)`",
    ("tk.stats.km_curve", "event"):
        "the event indicator of survival analysis (R `survival::Surv(time, event)`), "
        "not the events of a network",
    ("tk.stats.logrank", "event"): "the event indicator, as tk.stats.km_curve",
    ("tk.plot.survival", "event"): "the event indicator, as tk.stats.km_curve",
    ("tk.stats.cohen_kappa", "weights"):
        'the weighting scheme of weighted kappa ("linear", "quadratic"), as '
        "scikit-learn `cohen_kappa_score(weights=)`; not row weights",
    ("tk.evaluate.aggregate", "weights"):
        "indicator weights, one per indicator (composite-indicator usage, OECD/JRC "
        "handbook); not row weights",
    ("tk.evaluate.topsis", "weights"): "indicator weights, as tk.evaluate.aggregate",
    ("tk.evaluate.IndexSystem.with_weights", "weights"):
        "indicator weights, as tk.evaluate.aggregate",
}

PARAMS = {
    "data": ("data : pandas.DataFrame or Study",
             "The table to use, or a Study whose relevant table is used."),
    "by": ("by : str or list of str, optional",
           "Column(s) to group by; one result row per group."),
    "weights": ("weights : str, optional",
                "Column of sampling or frequency weights (one value per row)."),
    "weight": ("weight : str, optional", "Edge attribute holding tie strength."),
    "level": ("level : float, default 0.95", "Confidence level of the intervals."),
    "items": ("items : list of str", "Columns holding the items (e.g. Likert questions)."),
    "actor": ('actor : str, default "participant_id"',
              "Column identifying actors (people, organisations)."),
    "event": ('event : str, default "session_id"', "Column identifying events (sessions)."),
    "respondent": ('respondent : str, default "respondent_id"',
                   "Column identifying respondents."),
    "design": ("design : Design, optional",
               "A survey design (``tk.stats.Design``); estimates then use its weights, "
               "strata and clusters."),
    "lang": ('lang : {"zh", "en"}, default "zh"', "Language of labels."),
    "ax": ("ax : matplotlib.axes.Axes, optional",
           "Axes to draw on; a new figure is made when omitted."),
    "seed": ("seed : int, optional",
             "Seed of the random number generator, for reproducible results."),
}


def fill(text: str | None) -> str | None:
    """Replace ``{name}`` placeholders in a docstring with the shared fragments.

    Examples
    --------
    >>> fill("{by}").splitlines()[0]
    'by : str or list of str, optional'
    """
    if text is None:
        return None
    out = text
    for key, (head, body) in PARAMS.items():
        out = out.replace("{" + key + "}", f"{head}\n        {body}")
    return out


def doc(func: F) -> F:
    """Decorator: fill the shared parameter wording (``{by}``, ``{seed}`` …) into a docstring.

    Examples
    --------
    >>> @doc
    ... def f(data, *, seed=None):
    ...     '''Do it.
    ...
    ...     Parameters
    ...     ----------
    ...     {seed}
    ...     '''
    >>> "Seed of the random number generator" in f.__doc__
    True
    """
    func.__doc__ = fill(func.__doc__)
    return func


def renamed(**old_to_new: str) -> Callable[[F], F]:
    """Decorator: accept old keyword spellings for one release, with a FutureWarning.

    The signature seen by ``inspect.signature`` and Jupyter's ``?`` is the new one.

    Parameters
    ----------
    **old_to_new : str
        Old keyword → new keyword.

    Examples
    --------
    >>> @renamed(weight="weights")
    ... def f(data, *, weights=None):
    ...     return weights
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     f(None, weight="w")
    'w'
    >>> print(caught[0].message)
    `weight=` is deprecated and will be removed in 0.3; use `weights=`.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    from toolkit.errors import ArgumentError

                    msg = f"Give `{new}=` only; `{old}=` is its deprecated spelling."
                    raise ArgumentError(msg)
                warnings.warn(f"`{old}=` is deprecated and will be removed in {REMOVED_IN}; "
                              f"use `{new}=`.", FutureWarning, stacklevel=2)
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        wrapper.__renamed__ = dict(old_to_new)  # type: ignore[attr-defined]
        RENAMED.append(wrapper)
        return wrapper  # type: ignore[return-value]

    return decorate
