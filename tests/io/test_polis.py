"""Reading Polis exports (compdemocracy/openData, CC BY 4.0; read in place, never copied)."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit as tk

CONVERSATIONS = ["seattle-15-per-hour", "london-youth-policing"]


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_vote_events_match_comment_counts(shared, name):
    # Source: comments.csv of the same export; its agrees/disagrees count every vote event.
    conv = tk.io.read_polis(shared("polis", name))
    assert list(conv.votes.columns) == ["participant_id", "statement_id", "vote", "timestamp"]
    assert set(conv.votes["vote"]) <= {1, -1, 0}
    counts = conv.to_frame().set_index("statement_id")
    expected = conv.statements.set_index("statement_id")
    assert (counts["agree"] == expected["agrees"]).all()
    assert (counts["disagree"] == expected["disagrees"]).all()
    assert conv.votes_kind == "events"
    assert "1 = agree" in conv.notes[0]


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_participant_counts_match_summary(shared, name):
    # Source: summary.csv of the same export (voters, comments).
    conv = tk.io.read_polis(shared("polis", name))
    assert conv.participants["participant_id"].nunique() == conv.summary["voters"]
    assert conv.votes["participant_id"].nunique() == conv.summary["voters"]
    assert len(conv.participants) == conv.summary["voters"]


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_last_votes_match_participants_votes(shared, name):
    events = tk.io.read_polis(shared("polis", name))
    last = tk.io.read_polis(shared("polis", name), votes="last")
    assert last.votes_kind == "last"
    assert not last.votes.duplicated(["participant_id", "statement_id"]).any()
    # participants-votes.csv n-votes = number of statements each participant voted on
    per = last.votes.groupby("participant_id").size()
    n_votes = last.participants.set_index("participant_id")["n_votes"]
    assert (per.reindex(n_votes.index, fill_value=0) == n_votes).all()
    # the last vote equals the last event of votes.csv for every pair
    final = events.votes.drop_duplicates(["participant_id", "statement_id"], keep="last")
    merged = last.votes.merge(final, on=["participant_id", "statement_id"])
    assert len(merged) == len(last.votes)
    assert (merged["vote_x"] == merged["vote_y"]).all()
    assert last.votes["timestamp"].notna().all()


def test_seattle_known_sizes(shared):
    # summary.csv of 15-per-hour-seattle: 339 voters, 54 comments; votes.csv: 2,995 events.
    conv = tk.io.read_polis(shared("polis", "seattle-15-per-hour"))
    assert (len(conv.participants), len(conv.statements), len(conv.votes)) == (339, 54, 2995)
    matrix = conv.vote_matrix()
    assert matrix.shape == (339, 54)
    assert int(matrix.notna().sum().sum()) == 2872


def _write_export(folder, *, agree_sign):
    folder.mkdir()
    (folder / "comments.csv").write_text(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        "1000,x,0,1,2,1,1,More buses\n1000,x,1,2,0,1,1,Fewer cars\n", encoding="utf-8")
    a, d = agree_sign, -agree_sign
    (folder / "votes.csv").write_text(
        "timestamp,datetime,comment-id,voter-id,vote\n"
        f"2000,x,0,1,{a}\n2001,x,0,2,{a}\n2002,x,0,3,{d}\n2003,x,1,1,{d}\n2004,x,1,2,0\n",
        encoding="utf-8")
    (folder / "participants-votes.csv").write_text(
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n"
        "1,0,1,2,1,1,1,-1\n2,0,1,2,1,0,1,0\n3,1,0,1,0,1,-1,\n", encoding="utf-8")
    (folder / "summary.csv").write_text("topic,Buses\nvoters,3\n", encoding="utf-8")
    return folder


def test_reversed_sign_is_detected_and_undone(tmp_path):
    # An export that wrote -1 for agree: comments.csv counts reveal it.
    folder = _write_export(tmp_path / "导出", agree_sign=-1)
    conv = tk.io.read_polis(folder)
    assert conv.votes["vote"].tolist() == [1, 1, -1, -1, 0]
    assert "-1 = agree" in conv.notes[0]
    plain = tk.io.read_polis(_write_export(tmp_path / "plain", agree_sign=1))
    pd.testing.assert_frame_equal(conv.votes, plain.votes)
    forced = tk.io.read_polis(folder, agree=1)
    assert forced.votes["vote"].tolist() == [-1, -1, 1, 1, 0]


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        tk.io.read_polis(tmp_path / "missing")
    folder = tmp_path / "partial"
    folder.mkdir()
    (folder / "votes.csv").write_text("timestamp\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match=r"comments\.csv"):
        tk.io.read_polis(folder)
    with pytest.raises(ValueError, match="`votes`"):
        tk.io.read_polis(folder, votes="all")


def test_votes_feed_a_two_mode_network(shared):
    # participant x statement network from the last votes: 26 + 36 nodes, one edge per vote
    conv = tk.io.read_polis(shared("polis", "london-youth-policing"), votes="last")
    # Polis numbers participants and statements from 0 each, so ids overlap; the network
    # builder keeps the two modes apart and says so.
    with pytest.warns(tk.errors.ToolkitWarning, match="both an actor"):
        B = tk.net.two_mode(conv.votes, actor="participant_id", event="statement_id")
    assert B.number_of_edges() == len(conv.votes) == 638
    assert B.number_of_nodes() == conv.summary["voters"] + conv.votes["statement_id"].nunique()


@pytest.mark.parametrize(("file", "edit", "message"), [
    ("votes.csv", lambda t: t.replace("2004,x,1,2,0", "2004,x,1,2,2"),
     r"votes\.csv`: column `vote` must hold one of -1, 0, 1, but has row 6 \('2'\)"),
    ("votes.csv", lambda t: t.replace("2004,x,1,2,0", "2004,x,7,2,0"),
     r"votes on statements that comments\.csv does not have: row 6 \('7'\)"),
    ("votes.csv", lambda t: t.replace("2002,x,0,3", "2002,x,0,"),
     r"column `voter-id` must hold a whole number, but has row 4 \(''\)"),
    ("comments.csv", lambda t: "", r"comments\.csv`: the file is empty"),
    ("comments.csv", lambda t: t.replace("comment-id", "id"),
     r"lacks the column\(s\) `comment-id`"),
    ("comments.csv", lambda t: t.replace("1000,x,1,2", "1000,x,0,2"),
     r"statement ids repeat: row 2 \('0'\), row 3 \('0'\)"),
    ("participants-votes.csv", lambda t: t.replace("3,1,0,1,0,1,-1,", "3,1,0,1,0,1,-1,5"),
     r"column `1` must hold one of -1, 0, 1, but has row 4 \('5'\)"),
    ("participants-votes.csv", lambda t: t.replace(",0,1\n", ",0,9\n", 1),
     r"vote columns for statements that comments\.csv does not have: 9"),
    ("summary.csv", lambda t: "a,b,c\n", r"summary\.csv`: it has 3 columns"),
])
def test_malformed_exports_raise_read_errors_naming_file_column_and_row(
        tmp_path, file, edit, message):
    folder = _write_export(tmp_path / "导出", agree_sign=1)
    path = folder / file
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(tk.errors.ReadError, match=message):
        tk.io.read_polis(folder, votes="last")
