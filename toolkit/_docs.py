"""Shared wording of parameters, so that role words mean the same everywhere.

Docstrings format these fragments in at import time (``__doc__`` stays plain
text, readable through Jupyter's ``?``).
"""

from __future__ import annotations

PARAMS = {
    "data": ("data : pandas.DataFrame or Study",
             "The table to use, or a Study whose relevant table is used."),
    "by": ("by : str or list of str, optional",
           "Column(s) to group by; one result row per group."),
    "weight": ("weight : str, optional", "Column holding weights."),
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


def fill(doc: str | None) -> str | None:
    """Replace ``{name}`` placeholders in a docstring with the shared fragments.

    Examples
    --------
    >>> fill("{by}").splitlines()[0]
    'by : str or list of str, optional'
    """
    if doc is None:
        return None
    out = doc
    for key, (head, body) in PARAMS.items():
        out = out.replace("{" + key + "}", f"{head}\n        {body}")
    return out
