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
from toolkit.errors import ReadError
from toolkit.io.files import require_regular_file

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


_COLUMNS = {
    "comments.csv": ("timestamp", "comment-id", "author-id", "agrees", "disagrees",
                     "moderated", "comment-body"),
    "votes.csv": ("timestamp", "comment-id", "voter-id", "vote"),
    "participants-votes.csv": ("participant", "group-id", "n-comments", "n-votes",
                               "n-agree", "n-disagree"),
}


def _bad(file: Path, what: str, fix: str) -> ReadError:
    return ReadError(f"Cannot read the Polis export file `{file}`: {what}. {fix}")


def _csv(folder: Path, name: str) -> pd.DataFrame:
    """One export file as text columns, with the columns Polis writes checked."""
    file = require_regular_file(folder / name)
    try:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise _bad(file, "the file is empty",
                   "Download the export again from the conversation's report page.") from None
    except UnicodeDecodeError as err:
        raise _bad(file, f"byte {err.start} is not UTF-8, as Polis writes",
                   "Download the export again; do not open and save it in Excel.") from None
    except pd.errors.ParserError as err:
        raise _bad(file, f"its rows do not parse as CSV ({err})",
                   "Download the export again; do not edit it by hand.") from None
    missing = [c for c in _COLUMNS.get(name, ()) if c not in frame.columns]
    if missing:
        found = ", ".join(f"`{c}`" for c in frame.columns[:10])
        raise _bad(file, f"it lacks the column(s) {', '.join(f'`{c}`' for c in missing)} "
                         f"(found: {found or 'none'})",
                   "Check that the folder holds a Polis export (comments, votes, "
                   "participants-votes, summary), not files of another program.")
    return frame


def _rows(bad: pd.Series) -> str:
    """"row 3 ('x'), row 7 ('')" for the first few bad cells (file rows: header is row 1)."""
    shown = [f"row {i + 2} ({v!r})" for i, v in bad.head(5).items()]
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    return ", ".join(shown) + more


def _integers(frame: pd.DataFrame, column: str, file: Path, *,
              allowed: set[int] | None = None, blank_ok: bool = False) -> pd.Series:
    """A column of whole numbers (Int64), every other value reported at its row."""
    text = frame[column].astype(str).str.strip()
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = numbers.isna() & ((text != "") | (not blank_ok))
    bad |= numbers.notna() & (numbers != numbers.round())
    if allowed is not None:
        bad |= numbers.notna() & ~numbers.isin(list(allowed))
    if bad.any():
        want = (f"one of {', '.join(str(a) for a in sorted(allowed))}" if allowed
                else "a whole number")
        raise _bad(file, f"column `{column}` must hold {want}, but has {_rows(text[bad])}",
                   "Download the export again; a changed file cannot be read safely.")
    return numbers.astype("Int64")


def _summary(folder: Path) -> dict[str, Any]:
    file = require_regular_file(folder / "summary.csv")
    out: dict[str, Any] = {}
    try:
        frame = pd.read_csv(file, header=None, dtype=str, keep_default_na=False,
                            encoding="utf-8")
    except pd.errors.EmptyDataError:
        return out
    except (UnicodeDecodeError, pd.errors.ParserError) as err:
        raise _bad(file, f"it does not parse as key,value rows ({err})",
                   "Download the export again.") from None
    if frame.shape[1] != 2:
        raise _bad(file, f"it has {frame.shape[1]} columns, not the two of key,value rows",
                   "Download the export again.")
    for key, value in zip(frame[0], frame[1], strict=True):
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
    toolkit.errors.ReadError
        For a malformed export (an empty or unparsable file, a missing column, a
        value that is not a whole number, a vote other than 1/0/-1, a vote on a
        statement ``comments.csv`` does not have): the message names the file,
        the column and the rows.

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

    comments_file, votes_file = folder / "comments.csv", folder / "votes.csv"
    raw_comments = _csv(folder, "comments.csv")
    ids = _integers(raw_comments, "comment-id", comments_file)
    duplicated = raw_comments["comment-id"][ids.duplicated(keep=False)]
    if len(duplicated):
        raise _bad(comments_file, f"statement ids repeat: {_rows(duplicated)}",
                   "Download the export again.")
    statements = pd.DataFrame({
        "statement_id": ids.astype(str),
        "author_id": _integers(raw_comments, "author-id", comments_file).astype(str),
        "text": raw_comments["comment-body"].astype(str),
        "moderated": _integers(raw_comments, "moderated", comments_file,
                               allowed={-1, 0, 1}).astype("int64"),
        "timestamp": _timestamp(_integers(raw_comments, "timestamp", comments_file)),
        "agrees": _integers(raw_comments, "agrees", comments_file).astype("int64"),
        "disagrees": _integers(raw_comments, "disagrees", comments_file).astype("int64"),
    })
    statements["_order"] = ids.astype("int64")
    statements = statements.sort_values("_order").drop(columns="_order").reset_index(drop=True)
    known = set(statements["statement_id"])

    raw_votes = _csv(folder, "votes.csv")
    events = pd.DataFrame({
        "participant_id": _integers(raw_votes, "voter-id", votes_file).astype(str),
        "statement_id": _integers(raw_votes, "comment-id", votes_file).astype(str),
        "vote": _integers(raw_votes, "vote", votes_file, allowed={-1, 0, 1}).astype("int64"),
        "timestamp": _timestamp(_integers(raw_votes, "timestamp", votes_file)),
    })
    unknown = raw_votes["comment-id"][~events["statement_id"].isin(known)]
    if len(unknown):
        raise _bad(votes_file, f"votes on statements that comments.csv does not have: "
                               f"{_rows(unknown)}",
                   "Download the whole export again (comments.csv and votes.csv together).")
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

    pv_file = folder / "participants-votes.csv"
    raw_pv = _csv(folder, "participants-votes.csv")
    statement_cols = [c for c in raw_pv.columns if str(c).lstrip("-").isdigit()]
    stray = [c for c in statement_cols if str(int(c)) not in known]
    if stray:
        raise _bad(pv_file, f"it has vote columns for statements that comments.csv does not "
                            f"have: {', '.join(stray[:5])}",
                   "Download the whole export again.")
    participants = pd.DataFrame({
        "participant_id": _integers(raw_pv, "participant", pv_file).astype(str),
        "group_id": _integers(raw_pv, "group-id", pv_file, blank_ok=True),
        "n_comments": _integers(raw_pv, "n-comments", pv_file).astype("int64"),
        "n_votes": _integers(raw_pv, "n-votes", pv_file).astype("int64"),
        "n_agree": _integers(raw_pv, "n-agree", pv_file).astype("int64"),
        "n_disagree": _integers(raw_pv, "n-disagree", pv_file).astype("int64"),
    })
    last_votes = {c: _integers(raw_pv, c, pv_file, allowed={-1, 0, 1}, blank_ok=True)
                  for c in statement_cols}

    if votes == "events":
        table = events[VOTE_COLUMNS]
    else:
        wide = pd.DataFrame({"participant": participants["participant_id"], **last_votes})
        long = wide.melt(id_vars=["participant"], value_vars=statement_cols,
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
        summary=_summary(folder),
        votes_kind=votes,
        source=str(folder),
        notes=notes,
    )
