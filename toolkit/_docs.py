"""Shared wording of parameters, so that role words mean the same everywhere.
# ruff: noqa: E501

Docstrings format these fragments in at import time (``__doc__`` stays plain
text, readable through Jupyter's ``?``).
"""

from __future__ import annotations

PARAMS = {

    "data": "data : pandas.DataFrame or Study\n    The table to use, or a Study whose relevant table is used.",
    "by": "by : str or list of str, optional\n    Column(s) to group by; one result row per group.",
    "weight": "weight : str, optional\n    Column holding weights.",
    "items": "items : list of str\n    Columns holding the items (e.g. Likert questions).",
    "actor": "actor : str, default \"participant_id\"\n    Column identifying actors (people, organisations).",
    "event": "event : str, default \"session_id\"\n    Column identifying events (sessions).",
    "respondent": "respondent : str, default \"respondent_id\"\n    Column identifying respondents.",
    "design": "design : Design, optional\n    A survey design (``tk.stats.Design``); estimates then use its weights, strata and clusters.",
    "lang": "lang : {\"zh\", \"en\"}, default \"zh\"\n    Language of labels.",
    "ax": "ax : matplotlib.axes.Axes, optional\n    Axes to draw on; a new figure is made when omitted.",
    "seed": "seed : int, optional\n    Seed of the random number generator, for reproducible results.",
}


def fill(doc: str | None) -> str | None:
    """Replace ``{name}`` placeholders in a docstring with the shared fragments."""
    if doc is None:
        return None
    out = doc
    for key, text in PARAMS.items():
        out = out.replace("{" + key + "}", text.replace("\n", "\n    "))
    return out
