"""Reading a Polis conversation export into tidy tables.

Polis (compdemocracy.org/polis) is an open-source online consultation platform:
participants write short statements and vote agree / disagree / pass on other
participants' statements. Its export folder holds ``comments.csv`` (statements,
with agree/disagree counts), ``votes.csv`` (every vote event, with a timestamp),
``participants-votes.csv`` (one row per participant: the last vote on each
statement, plus Polis's opinion group), ``summary.csv`` (key, value rows) and
``stats-history.csv``.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from toolkit._checks import check_choice

__all__ = ["PolisConversation", "read_polis"]

_FILES = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")
VOTE_COLUMNS = ["participant_id", "statement_id", "vote", "timestamp"]
STATEMENT_COLUMNS = ["statement_id", "author_id", "text", "moderated", "timestamp",
                     "agrees", "disagrees"]
PARTICIPANT_COLUMNS = ["participant_id", "group_id", "n_comments", "n_votes", "n_agree",
                       "n_disagree"]


@dataclass
class PolisConversation:
    """One Polis conversation as tidy tables.

    Attributes
    ----------
    participants : pandas.DataFrame
        One row per participant who voted: ``participant_id`` (str), ``group_id``
        (Polis's opinion group, Int64, missing when unassigned), ``n_comments``,
        ``n_votes``, ``n_agree``, ``n_disagree`` (as exported).
    statements : pandas.DataFrame
        One row per statement: ``statement_id`` (str), ``author_id`` (str),
        ``text``, ``moderated`` (1 accepted, 0 unmoderated, -1 rejected),
        ``timestamp`` (UTC), ``agrees``, ``disagrees`` (as exported: counts of
        vote events).
    votes : pandas.DataFrame
        One row per vote: ``participant_id``, ``statement_id`` (str), ``vote``
        (int: agree = 1, disagree = -1, pass = 0) and ``timestamp`` (UTC).
    summary : dict
        ``summary.csv`` as a dict (numbers as int): topic, url, views, voters,
        voters-in-conv, commenters, comments, groups, conversation-description.
    votes_kind : {"events", "last"}
        Whether ``votes`` holds every vote event or each participant's last vote.
    source : str
        The export folder.
    notes : list of str
        What the reader found and did (sign convention, duplicates …).
    """

    participants: pd.DataFrame
    statements: pd.DataFrame
    votes: pd.DataFrame
    summary: dict[str, Any]
    votes_kind: str
    source: str
    notes: list[str] = field(default_factory=list)

    def vote_matrix(self) -> pd.DataFrame:
        """Participants × statements matrix of the last vote (NaN = not seen).

        Returns
        -------
        pandas.DataFrame
            Index ``participant_id``, one column per ``statement_id``, values
            1 / -1 / 0 / NaN.
        """
        last = self.votes.sort_values("timestamp", kind="stable").drop_duplicates(
            ["participant_id", "statement_id"], keep="last")
        return last.pivot(index="participant_id", columns="statement_id", values="vote")

    def to_frame(self) -> pd.DataFrame:
        """Per statement: ``statement_id, text, n, agree, disagree, pass, agree_share``.

        ``n`` counts the votes in ``votes`` (events or last votes); ``agree_share``
        is agree / n.
        """
        counts = (self.votes.assign(
            agree=self.votes["vote"].eq(1), disagree=self.votes["vote"].eq(-1),
            pass_=self.votes["vote"].eq(0))
            .groupby("statement_id")[["agree", "disagree", "pass_"]].sum()
            .rename(columns={"pass_": "pass"}))
        out = self.statements[["statement_id", "text"]].merge(
            counts, left_on="statement_id", right_index=True, how="left")
        out[["agree", "disagree", "pass"]] = out[["agree", "disagree", "pass"]].fillna(0).astype(
            "int64")
        out["n"] = out[["agree", "disagree", "pass"]].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["agree_share"] = out["agree"] / out["n"].where(out["n"] > 0)
        return out[["statement_id", "text", "n", "agree", "disagree", "pass", "agree_share"]]

    def __repr__(self) -> str:
        return (f"<PolisConversation {self.summary.get('topic', '')!r}: "
                f"{len(self.participants)} participants, {len(self.statements)} statements, "
                f"{len(self.votes)} votes ({self.votes_kind})>")

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>"
            for k, v in (("participants", len(self.participants)),
                         ("statements", len(self.statements)),
                         (f"votes ({self.votes_kind})", len(self.votes))))
        topic = html.escape(str(self.summary.get("topic", "")))
        return f"<h4>Polis: {topic}</h4><table>{rows}</table>"


def _summary(path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    frame = pd.read_csv(path, header=None, names=["key", "value"], dtype=str,
                        keep_default_na=False, encoding="utf-8")
    for key, value in zip(frame["key"], frame["value"], strict=True):
        text = value.strip()
        out[str(key)] = int(text) if text.lstrip("-").isdigit() else text
    return out


def _timestamp(ms: pd.Series) -> pd.Series:
    return pd.to_datetime(ms.astype("int64"), unit="ms", utc=True)


def _vote_sign(events: pd.DataFrame, comments: pd.DataFrame) -> tuple[int, str]:
    """Which stored value means *agree*, judged from comments.csv's counts."""
    plus = events[events["vote"] == 1].groupby("statement_id").size()
    minus = events[events["vote"] == -1].groupby("statement_id").size()
    agrees = comments.set_index("statement_id")["agrees"]
    disagrees = comments.set_index("statement_id")["disagrees"]
    plus, minus = plus.reindex(agrees.index, fill_value=0), minus.reindex(agrees.index,
                                                                          fill_value=0)
    same = int(((agrees == plus) & (disagrees == minus)).sum())
    flipped = int(((agrees == minus) & (disagrees == plus)).sum())
    n = len(agrees)
    if same >= flipped:
        return 1, (f"votes.csv uses 1 = agree, -1 = disagree: agree/disagree event counts "
                   f"match comments.csv for {same} of {n} statements.")
    return -1, (f"votes.csv uses -1 = agree (older Polis exports): counts match comments.csv "
                f"with the sign reversed for {flipped} of {n} statements; votes were negated "
                "so that agree = 1.")


def read_polis(
    path: str | os.PathLike[str],
    *,
    votes: Literal["events", "last"] = "events",
    agree: Literal[1, -1] | None = None,
) -> PolisConversation:
    r"""Read a Polis conversation export folder into tidy tables.

    Parameters
    ----------
    path : str or path-like
        The export folder (``comments.csv``, ``votes.csv``,
        ``participants-votes.csv``, ``summary.csv``).
    votes : {"events", "last"}, default "events"
        ``"events"``: every vote event of ``votes.csv`` (a participant may vote
        on a statement more than once); ``"last"``: each participant's last vote
        per statement, from ``participants-votes.csv`` (timestamps from the
        matching last event in ``votes.csv``).
    agree : {1, -1}, optional
        The value that means *agree* in ``votes.csv``. By default it is worked out
        from the data: the agree/disagree counts in ``comments.csv`` count vote
        events, so the sign whose counts match them is the export's convention
        (exports from 2014 on, including both conversations used in the tests,
        use 1 = agree). The output always uses agree = 1, disagree = -1, pass = 0.

    Returns
    -------
    PolisConversation
        ``.participants``, ``.statements``, ``.votes`` (columns ``participant_id,
        statement_id, vote, timestamp``), ``.summary`` (dict), ``.notes``; see
        :class:`PolisConversation`.

    Raises
    ------
    FileNotFoundError
        When the folder or one of its four files is missing.
    ValueError
        For a `votes` other than ``"events"``/``"last"`` or an `agree` other than
        1/-1.

    Notes
    -----
    Polis's ``participants-votes.csv`` writes 1 for agree and -1 for disagree;
    ``comments.csv`` counts every vote event (a changed vote counts twice), so
    its counts equal the event counts, not the last-vote counts. Participant and
    statement ids are Polis's own numbers (as strings); both count from 0, so the
    same id can name a participant and a statement — keep the columns apart (e.g.
    ``tk.net.two_mode(conv.votes, actor="participant_id", event="statement_id")``
    names the nodes by mode).

    References
    ----------
    Small, C., Bjorkegren, M., Erkkilä, T., Shaw, L. and Megill, C. (2021). Polis:
    Scaling deliberation by mapping high dimensional opinion spaces. *Recerca*,
    26(2). Test data: compdemocracy/openData (CC BY 4.0), conversations
    ``15-per-hour-seattle`` and ``london.youth.policing``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "comments.csv").write_text(
    ...     "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    ...     "1000,x,0,1,1,1,1,More buses\n", encoding="utf-8")
    >>> _ = (d / "votes.csv").write_text(
    ...     "timestamp,datetime,comment-id,voter-id,vote\n2000,x,0,1,1\n3000,x,0,2,-1\n",
    ...     encoding="utf-8")
    >>> _ = (d / "participants-votes.csv").write_text(
    ...     "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0\n"
    ...     "1,0,1,1,1,0,1\n2,1,0,1,0,1,-1\n", encoding="utf-8")
    >>> _ = (d / "summary.csv").write_text("topic,Buses\nvoters,2\n", encoding="utf-8")
    >>> conv = tk.io.read_polis(d)
    >>> conv.votes[["participant_id", "statement_id", "vote"]].to_numpy().tolist()
    [['1', '0', 1], ['2', '0', -1]]
    >>> conv.summary["voters"]
    2
    """
    folder = Path(path)
    check_choice(votes, ("events", "last"), param="votes")
    check_choice(agree, (1, -1, None), param="agree")
    if not folder.is_dir():
        msg = f"The Polis export folder {folder} does not exist."
        raise FileNotFoundError(msg)
    missing = [f for f in _FILES if not (folder / f).is_file()]
    if missing:
        msg = (f"The Polis export folder {folder} lacks {', '.join(missing)}. Download the "
               "full export (comments, votes, participants-votes, summary).")
        raise FileNotFoundError(msg)
    notes: list[str] = []

    raw_comments = pd.read_csv(folder / "comments.csv", encoding="utf-8")
    statements = pd.DataFrame({
        "statement_id": raw_comments["comment-id"].astype(str),
        "author_id": raw_comments["author-id"].astype(str),
        "text": raw_comments["comment-body"].astype(str),
        "moderated": raw_comments["moderated"].astype("int64"),
        "timestamp": _timestamp(raw_comments["timestamp"]),
        "agrees": raw_comments["agrees"].astype("int64"),
        "disagrees": raw_comments["disagrees"].astype("int64"),
    })
    statements["_order"] = raw_comments["comment-id"].astype("int64")
    statements = statements.sort_values("_order").drop(columns="_order").reset_index(drop=True)

    raw_votes = pd.read_csv(folder / "votes.csv", encoding="utf-8")
    events = pd.DataFrame({
        "participant_id": raw_votes["voter-id"].astype(str),
        "statement_id": raw_votes["comment-id"].astype(str),
        "vote": raw_votes["vote"].astype("int64"),
        "timestamp": _timestamp(raw_votes["timestamp"]),
    })
    if agree is None:
        agree, note = _vote_sign(events, statements)
        notes.append(note)
    else:
        notes.append(f"`agree={agree}` given: votes.csv read with {agree} = agree.")
    if agree == -1:
        events["vote"] = -events["vote"]
    events = events.sort_values("timestamp", kind="stable").reset_index(drop=True)
    repeats = int(events.duplicated(["participant_id", "statement_id"]).sum())
    if repeats:
        notes.append(f"{repeats} vote event(s) repeat an earlier participant-statement pair "
                     "(changed or repeated votes).")

    raw_pv = pd.read_csv(folder / "participants-votes.csv", encoding="utf-8")
    statement_cols = [c for c in raw_pv.columns if str(c).lstrip("-").isdigit()]
    participants = pd.DataFrame({
        "participant_id": raw_pv["participant"].astype(str),
        "group_id": pd.to_numeric(raw_pv["group-id"], errors="coerce").astype("Int64"),
        "n_comments": raw_pv["n-comments"].astype("int64"),
        "n_votes": raw_pv["n-votes"].astype("int64"),
        "n_agree": raw_pv["n-agree"].astype("int64"),
        "n_disagree": raw_pv["n-disagree"].astype("int64"),
    })

    if votes == "events":
        table = events[VOTE_COLUMNS]
    else:
        long = raw_pv.melt(id_vars=["participant"], value_vars=statement_cols,
                           var_name="statement_id", value_name="vote").dropna(subset=["vote"])
        long = pd.DataFrame({"participant_id": long["participant"].astype(str),
                             "statement_id": long["statement_id"].astype(str),
                             "vote": long["vote"].astype("int64")})
        last = events.drop_duplicates(["participant_id", "statement_id"], keep="last")
        table = long.merge(last[["participant_id", "statement_id", "timestamp"]],
                           on=["participant_id", "statement_id"], how="left")
        table = table.sort_values(["timestamp", "participant_id", "statement_id"],
                                  kind="stable", na_position="last")[VOTE_COLUMNS]
    return PolisConversation(
        participants=participants,
        statements=statements[STATEMENT_COLUMNS],
        votes=table.reset_index(drop=True),
        summary=_summary(folder / "summary.csv"),
        votes_kind=votes,
        source=str(folder),
        notes=notes,
    )
