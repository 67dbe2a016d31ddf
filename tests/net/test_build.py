"""Two-mode graphs and projections (tk.net.two_mode, project, organisation, submission_flow)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from networkx.algorithms import bipartite

import toolkit as tk
from toolkit.errors import ColumnNotFoundError, DataTooLargeError, ToolkitWarning


@pytest.fixture
def small_study():
    units = pd.DataFrame({"unit_id": ["D1", "T1", "C1", "C2", "L1"],
                          "name": ["区", "甲镇", "一社区", "二社区", "联络站"],
                          "level": ["区县", "镇街", "村社区", "村社区", "委员联络站"],
                          "parent_id": [None, "D1", "T1", "T1", "T1"],
                          "has_room": pd.array([None, None, True, False, None], dtype="boolean")})
    participants = pd.DataFrame({
        "participant_id": ["P1", "P2", "P3", "P4"],
        "name": ["张三", "李四", "王五", "赵六"],
        "phone": ["13800000000"] * 4,
        "type": ["政协委员", "居民代表", "专家", "政协委员"],
        "sector": ["教育界", None, None, "经济界"],
        "committee": ["提案委员会", None, None, None],
        "unit_id": ["C1", "C1", "C2", None]})
    sessions = pd.DataFrame({"session_id": ["S1", "S2"],
                             "date": pd.to_datetime(["2023-11-08", "2024-01-10"]),
                             "unit_id": ["C1", "C2"], "platform": ["居民议事会", "微信群"]})
    attendance = pd.DataFrame({"session_id": ["S1", "S1", "S2", "S2", "S2"],
                               "participant_id": ["P1", "P2", "P2", "P3", "P4"],
                               "speeches": [1, 0, 2, 1, 3]})
    submissions = pd.DataFrame({
        "submission_id": ["A", "B", "C", "D"], "author_id": ["P1", "P1", "P4", "P4"],
        "date": pd.to_datetime(["2023-01-01"] * 4),
        "channel": ["提案", "提案", "社情民意信息", "提案"],
        "adopted": pd.array([True, True, False, True], dtype="boolean"),
        "instructions": [1, 0, 0, 2], "department": ["民政局", "住建局", None, "民政局"],
        "responded": pd.array([True, True, None, True], dtype="boolean")})
    return tk.Study(units=units, participants=participants, sessions=sessions,
                    attendance=attendance, submissions=submissions)


def test_two_mode_from_study_carries_attributes_but_no_personal_data(small_study):
    G = tk.net.two_mode(small_study)
    assert nx.is_bipartite(G)
    assert {v for v, m in G.nodes(data="bipartite") if m == 0} == {"P1", "P2", "P3", "P4"}
    assert {v for v, m in G.nodes(data="bipartite") if m == 1} == {"S1", "S2"}
    assert G.nodes["P1"]["type"] == "政协委员"
    assert G.nodes["P1"]["sector"] == "教育界"
    assert "sector" not in G.nodes["P2"]  # missing values are left out, not stored as NaN
    assert G.nodes["S2"]["platform"] == "微信群"
    assert G.nodes["S1"]["date"] == "2023-11-08"
    for _, d in G.nodes(data=True):
        assert not {"name", "phone", "id_card"} & set(d)
    assert G.number_of_edges() == 5


def test_two_mode_weight_and_aggregation():
    att = pd.DataFrame({"a": ["x", "x", "y"], "e": ["E", "E", "E"], "w": [1, -1, 1]})
    assert tk.net.two_mode(att, actor="a", event="e", weight="w")["x"]["E"]["weight"] == 0
    last = tk.net.two_mode(att, actor="a", event="e", weight="w", agg="last")
    assert last["x"]["E"]["weight"] == -1


def test_two_mode_prefixes_ids_only_when_modes_collide():
    att = pd.DataFrame({"participant_id": ["1", "2"], "session_id": ["1", "3"]})
    with pytest.warns(ToolkitWarning, match="actor:<id>"):
        G = tk.net.two_mode(att)
    assert set(G) == {"actor:1", "actor:2", "event:1", "event:3"}
    assert G.nodes["actor:1"]["label"] == "1"
    assert G.graph["id_prefix"] == {"actors": "actor:", "events": "event:"}
    plain = tk.net.two_mode(pd.DataFrame({"participant_id": ["1"], "session_id": ["S"]}))
    assert set(plain) == {"1", "S"}
    assert plain.graph["id_prefix"] is None


def test_two_mode_errors():
    att = pd.DataFrame({"participant_id": ["P1", None], "session_id": ["S1", "S1"]})
    with pytest.raises(ValueError, match="row"):
        tk.net.two_mode(att)
    with pytest.raises(ColumnNotFoundError, match="session_id"):
        tk.net.two_mode(att, event="sesion_id")


def test_two_mode_polis_votes(shared):
    # Polis export convention (shared/data/README.md): 1 agree, -1 disagree, 0 pass
    votes = pd.read_csv(shared("polis", "seattle-15-per-hour", "votes.csv"), encoding="utf-8")
    votes = votes.sort_values("timestamp")
    # voter ids and comment ids are both small integers, so the modes collide
    with pytest.warns(ToolkitWarning, match="collide|both an actor"):
        G = tk.net.two_mode(votes, actor="voter-id", event="comment-id", weight="vote",
                            agg="last")
    pairs = votes.drop_duplicates(["voter-id", "comment-id"], keep="last")
    assert G.number_of_edges() == len(pairs)
    assert sum(1 for _, m in G.nodes(data="bipartite") if m == 0) == votes["voter-id"].nunique()
    row = pairs.iloc[len(pairs) // 2]
    voter, comment = f"actor:{row['voter-id']}", f"event:{row['comment-id']}"
    assert G[voter][comment]["weight"] == row["vote"]


# --- projections ---------------------------------------------------------------------

def _davis_from_shared(shared):
    path = shared("reference", "networks_classic", "davis_southern_women_biadjacency.csv")
    return pd.read_csv(path, encoding="utf-8", index_col=0)


@pytest.mark.parametrize(("scheme", "reference"), [
    ("count", bipartite.weighted_projected_graph),
    ("newman", bipartite.collaboration_weighted_projected_graph),
    ("jaccard", lambda B, nodes: bipartite.overlap_weighted_projected_graph(B, nodes,
                                                                            jaccard=True)),
])
@pytest.mark.parametrize("on", ["actors", "events"])
def test_projection_matches_networkx_on_davis(shared, scheme, reference, on):
    # Reference software: networkx 3.6 bipartite projections on Davis Southern Women
    # (Davis, Gardner & Gardner 1941); tolerance 1e-12.
    bi = _davis_from_shared(shared)
    att = bi.stack().rename("x").reset_index()
    att.columns = ["participant_id", "session_id", "x"]
    att = att[att["x"] > 0]
    B = tk.net.two_mode(att)
    ours = tk.net.project(B, on=on, weight=scheme)
    mode = 0 if on == "actors" else 1
    nodes = [v for v, m in B.nodes(data="bipartite") if m == mode]
    ref = reference(B, nodes)
    assert set(ours.nodes) == set(ref.nodes)
    assert {frozenset(e) for e in ours.edges} == {frozenset(e) for e in ref.edges}
    for u, v, w in ref.edges(data="weight"):
        assert ours[u][v]["weight"] == pytest.approx(w, abs=1e-12)
    # same from the biadjacency frame and from the edge list
    if on == "actors":
        from_matrix = tk.net.project(bi, weight=scheme, output="edges")
        from_edges = tk.net.project(att, weight=scheme, output="edges")
        assert len(from_matrix) == len(from_edges) == ref.number_of_edges()
        assert from_matrix["weight"].sum() == pytest.approx(from_edges["weight"].sum())


def test_projection_reproduces_breiger_counts(shared):
    # Breiger (1974), "The duality of persons and groups", woman-by-woman matrix of
    # Davis's data: Evelyn & Theresa attended 7 events together, Evelyn & Laura 6;
    # Evelyn attended 8 events (diagonal). Exact integers.
    bi = _davis_from_shared(shared)
    P = tk.net.project(bi, output="sparse")
    i = {v: k for k, v in enumerate(P.nodes)}
    M = P.matrix.toarray()
    assert M[i["Evelyn Jefferson"], i["Theresa Anderson"]] == 7
    assert M[i["Evelyn Jefferson"], i["Laura Mandeville"]] == 6
    assert M[i["Evelyn Jefferson"], i["Evelyn Jefferson"]] == 8
    assert "nodes=18" in repr(P)
    assert len(P.to_frame()) == int((np.triu(M, 1) > 0).sum())


def test_projection_keeps_attributes_and_isolates(small_study):
    P = tk.net.project(small_study)
    assert set(P) == {"P1", "P2", "P3", "P4"}
    assert P.nodes["P1"]["type"] == "政协委员"
    assert "bipartite" not in P.nodes["P1"]
    assert P["P2"]["P3"]["weight"] == 1
    assert not P.has_edge("P1", "P3")


def test_projection_refuses_huge_graph_and_names_alternative(monkeypatch):
    import toolkit.net.build as build

    monkeypatch.setattr(build, "MAX_GRAPH_EDGES", 2)
    att = pd.DataFrame({"participant_id": list("abcd"), "session_id": ["S"] * 4})
    with pytest.raises(DataTooLargeError, match="output=\"edges\""):
        tk.net.project(att)
    assert len(tk.net.project(att, output="edges")) == 6


def test_projection_rejects_one_mode_edges():
    B = nx.Graph([("a", "E"), ("a", "b")])
    nx.set_node_attributes(B, {"a": 0, "b": 0, "E": 1}, "bipartite")
    with pytest.raises(ValueError, match="same mode"):
        tk.net.project(B)
    with pytest.raises(ValueError, match="Did you mean 'newman'"):
        tk.net.project(B, weight="newmann")


# --- organisation and submission flow ------------------------------------------------

def test_organisation_structure(small_study):
    org = tk.net.organisation(small_study)
    kinds = dict(org.nodes(data="kind"))
    assert kinds["P1"] == "member"
    assert kinds["P4"] == "member"
    assert "P2" not in org  # a resident representative is not a member
    assert kinds["C1"] == "community"
    assert kinds["T1"] == "town"
    assert kinds["L1"] == "station"
    assert org["P1"]["提案委员会"]["relation"] == "committee"
    assert org["P1"]["C1"]["relation"] == "assigned"
    assert org["C1"]["T1"]["relation"] == "parent"
    assert org.has_edge("C1", "议事室:C1")
    assert "议事室:C2" not in org
    assert "phone" not in org.nodes["P1"]


def test_submission_flow_counts(small_study):
    F = tk.net.submission_flow(small_study)
    assert F["P1"]["提案"]["weight"] == 2
    assert F["提案"]["采用"]["weight"] == 3
    assert F["社情民意信息"]["未采用"]["weight"] == 1
    assert F["采用"]["批示"]["weight"] == 2
    assert F["批示"]["民政局"]["weight"] == 2
    assert F["采用"]["住建局"]["weight"] == 1
    assert F.nodes["P1"]["type"] == "政协委员"


# ---------------------------------------------------------------------------
# personal data as node ids and attributes


def _named_attendance() -> pd.DataFrame:
    return pd.DataFrame({"姓名": ["张伟", "李娜", "李娜", "王芳"],
                         "session_id": ["S1", "S1", "S2", "S2"]})


def test_two_mode_refuses_names_as_node_ids():
    with pytest.raises(tk.errors.ArgumentError,
                       match=r"tk.net.two_mode: `actor` = `姓名` \(name\) hold\(s\) personal "
                             r"data.*pass `key=`.*allow_personal=True"):
        tk.net.two_mode(_named_attendance(), actor="姓名")
    phones = pd.DataFrame({"号码": ["13800138000", "13900139000"], "session_id": ["S1", "S1"]})
    with pytest.raises(tk.errors.ArgumentError, match=r"`号码` \(phone\)"):
        tk.net.two_mode(phones, actor="号码")


def test_two_mode_with_a_key_uses_the_pseudonyms_of_tk_io(tmp_path):
    att = _named_attendance()
    G = tk.net.two_mode(att, actor="姓名", key="k")
    tokens = tk.io.pseudonymise(att, ["姓名"], key="k")["姓名"]
    assert {v for v, m in G.nodes(data="bipartite") if m == 0} == set(tokens)
    assert G.graph["pseudonymised"] == ["actors"]
    assert G.number_of_edges() == 4
    for fmt in ("gexf", "graphml"):
        text = tk.net.write(G, tmp_path / f"g.{fmt}").read_text(encoding="utf-8")
        assert not {"张伟", "李娜", "王芳"} & set(re.findall(r"[\u4e00-\u9fff]+", text))
        assert tokens[0] in text


def test_graphs_of_names_are_written_and_drawn_only_when_allowed(tmp_path):
    G = tk.net.two_mode(_named_attendance(), actor="姓名", allow_personal=True)
    assert G.graph["personal"] == {"actors": "name"}
    with pytest.raises(tk.errors.ArgumentError,
                       match=r"tk.net.write\('g.gexf'\): the node ids \(name\)"):
        tk.net.write(G, tmp_path / "g.gexf")
    assert not (tmp_path / "g.gexf").exists()
    path = tk.net.write(G, tmp_path / "g.gexf", allow_personal=True)
    assert "张伟" in path.read_text(encoding="utf-8")
    # drawn: no id labels by default, refused when asked for, drawn when allowed
    ax = tk.plot.network(G, seed=1)
    assert [t.get_text() for t in ax.texts] == []
    with pytest.raises(tk.errors.ArgumentError, match=r"tk\.plot\.network: the node ids"):
        tk.plot.network(G, label=True, seed=1)
    ax = tk.plot.network(G, label=True, allow_personal=True, seed=1)
    assert {"张伟", "李娜", "王芳"} <= {t.get_text() for t in ax.texts}
    plt.close("all")


def test_free_text_is_never_a_node_attribute(small_study, tmp_path):
    participants = small_study.participants.assign(
        备注=["电话13912345678，找王小明", "无", "无", "身份证号另附"],
        organisation=["区第1中学", "甲社区居委会", "区民政局", "区第2中学"])
    sessions = small_study.sessions.assign(body=["主持人：李某华。议题：加装电梯", "议题：停车"])
    study = tk.Study(participants=participants, sessions=sessions,
                     attendance=small_study.attendance)
    G = tk.net.two_mode(study)
    attributes = {k for _, d in G.nodes(data=True) for k in d}
    assert "organisation" in attributes
    assert not {"备注", "body", "name", "phone"} & attributes
    text = tk.net.write(G, tmp_path / "g.graphml").read_text(encoding="utf-8")
    assert "13912345678" not in text
    assert "李某华" not in text
    # a free-text attribute set by hand is refused at export
    nx.set_node_attributes(G, {"S1": "联系人：王小明，13800138000"}, "备注")
    with pytest.raises(tk.errors.ArgumentError, match=r"node attribute `备注` \(free_text\)"):
        tk.net.write(G, tmp_path / "h.gexf")
