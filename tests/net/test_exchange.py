"""Exchange with Gephi, GraphML, Pajek and UCINET (tk.net.write / tk.net.read)."""

from __future__ import annotations

import os

import networkx as nx
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import DataTooLargeError, ReadError


@pytest.fixture
def graph():
    att = pd.DataFrame({"participant_id": ["张三", "李四", "王五", "张三"],
                        "session_id": ["议事会 1", "议事会 1", "恳谈会2", "恳谈会2"],
                        "speeches": [1, 2, 3, 4]})
    G = tk.net.two_mode(att, weight="speeches")
    G.nodes["张三"].update(sector="教育界", party_member=True, age=52)
    G.nodes["议事会 1"]["date"] = pd.Timestamp("2023-11-08")
    return G


def _edges(G):
    return {frozenset((u, v)): w for u, v, w in G.edges(data="weight")}


@pytest.mark.parametrize("ext", ["gexf", "graphml"])
def test_xml_round_trip_keeps_attributes(tmp_path, graph, ext):
    folder = tmp_path / "中文目录"
    folder.mkdir()
    path = tk.net.write(graph, folder / f"网络.{ext}")
    H = tk.net.read(path)
    assert set(H) == set(graph)
    assert _edges(H) == _edges(graph)
    assert H.nodes["张三"]["sector"] == "教育界"
    assert H.nodes["张三"]["party_member"] is True
    assert H.nodes["张三"]["age"] == 52
    assert H.nodes["议事会 1"]["date"] == "2023-11-08T00:00:00"
    assert {H.nodes[v]["bipartite"] for v in H} == {0, 1}
    assert "<?xml" in path.read_text(encoding="utf-8")[:60]


def test_pajek_round_trip(tmp_path, graph):
    sub = tmp_path / "子目录"
    sub.mkdir()
    H = tk.net.read(tk.net.write(graph, sub / "网络.net"))
    assert set(H) == set(graph)
    assert _edges(H) == pytest.approx(_edges(graph))
    assert H.nodes["张三"]["sector"] == "教育界"   # text attributes survive
    assert H.nodes["张三"]["bipartite"] == 0
    D = nx.DiGraph([("a", "b", {"weight": 2.0}), ("b", "c")])
    back = tk.net.read(tk.net.write(D, tmp_path / "d.net"))
    assert back.is_directed()
    assert set(back.edges) == set(D.edges)


@pytest.mark.parametrize("layout", ["edgelist1", "fullmatrix"])
def test_dl_round_trip_one_mode(tmp_path, layout):
    G = nx.Graph([("张 三", "李四", {"weight": 2}), ("李四", "王五", {"weight": 1.5})])
    G.add_node("孤立")
    H = tk.net.read(tk.net.write(G, tmp_path / "g.dl", dl_format=layout))
    assert not H.is_directed()
    assert set(H) == set(G)
    assert _edges(H) == _edges(G)
    D = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b")])
    back = tk.net.read(tk.net.write(D, tmp_path / "d.dl", dl_format=layout))
    assert back.is_directed()
    assert set(back.edges) == set(D.edges)


def test_dl_two_mode_matrix(tmp_path, graph):
    path = tk.net.write(graph, tmp_path / "two.dl", dl_format="fullmatrix")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("DL NR=3 NC=2 FORMAT=FULLMATRIX")
    H = tk.net.read(path)
    assert _edges(H) == _edges(graph)
    assert {v for v, m in H.nodes(data="bipartite") if m == 1} == {"议事会 1", "恳谈会2"}


def test_dl_written_by_ucinet_with_embedded_labels(tmp_path):
    # The layouts of UCINET's own examples: labels embedded in a full matrix, and an
    # edge list with embedded labels; GB18030 as older Chinese Windows installs write.
    full = ("dl n=3\nformat = fullmatrix\nlabels embedded\ndata:\n"
            "    甲 乙 丙\n甲 0 1 0\n乙 1 0 1\n丙 0 1 0\n")
    (tmp_path / "full.dl").write_text(full, encoding="gb18030")
    G = tk.net.read(tmp_path / "full.dl", encoding="gb18030")
    assert not G.is_directed()
    assert set(map(frozenset, G.edges)) == {frozenset(("甲", "乙")), frozenset(("乙", "丙"))}
    el = 'DL N=3 FORMAT=EDGELIST1\nLABELS EMBEDDED\nDATA:\n"x y" z 2\nz w\n'
    (tmp_path / "el.dl").write_text(el, encoding="utf-8")
    E = tk.net.read(tmp_path / "el.dl")
    assert E.is_directed()
    assert E["x y"]["z"]["weight"] == 2
    assert E["z"]["w"]["weight"] == 1


def test_format_errors_and_guard(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="extension"):
        tk.net.write(nx.path_graph(2), tmp_path / "g.xlsx")
    (tmp_path / "bad.dl").write_text("nothing here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="starts with 'DL'"):
        tk.net.read(tmp_path / "bad.dl")
    (tmp_path / "nodata.dl").write_text("DL N=2\nLABELS:\na,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="DATA"):
        tk.net.read(tmp_path / "nodata.dl")
    import toolkit.net._engine as engine

    monkeypatch.setattr(engine, "MAX_DENSE_NODES", 2)
    with pytest.raises(DataTooLargeError, match="edgelist1"):
        tk.net.write(nx.path_graph(3), tmp_path / "g.dl", dl_format="fullmatrix")


@pytest.mark.parametrize(("name", "content", "message"), [
    # UCINET numbers nodes from 1: index 0 used to become a tie to the last node
    ("zero.dl", "DL N=3 FORMAT=EDGELIST1\nDATA:\n0 1\n2 3\n",
     r"data line 3 names node 0, but nodes are numbered 1 to 3"),
    ("beyond.dl", "DL N=3 FORMAT=EDGELIST1\nDATA:\n1 2\n2 4\n",
     r"data line 4 names node 4"),
    # 52 bytes declaring 10^8 nodes: refused before anything is built
    ("huge.dl", "DL N=100000000 FORMAT=EDGELIST1\nDATA:\n1 2\n2 3\n",
     r"declares N=100,000,000 nodes, but the file holds 2 tie\(s\)"),
    ("huge2.dl", "DL N=1e8 FORMAT=FULLMATRIX\nDATA:\n0 1\n1 0\n",
     r"DATA block has 4 values; a 100000000 × 100000000 matrix"),
    ("badn.dl", "DL N=abc\nDATA:\n0\n", r"`N=abc` in the header is not a whole number"),
    ("labels.dl", 'DL N=3 FORMAT=EDGELIST1\nLABELS:\n"a","b"\nDATA:\n1 2\n',
     r"declares N=3 but the file has 2 labels"),
    ("value.dl", "DL N=2 FORMAT=EDGELIST1\nDATA:\n1 2 x\n",
     r"data line 3: the tie value 'x' is not a number"),
    ("matrix.dl", "DL N=2\nDATA:\n0 1\n1 y\n", r"data line 4: 'y' is not a number"),
    ("bad.gexf", '<?xml version="1.0"?><gexf><graph><nodes><node id="a"></nodes>',
     r"as GEXF: the XML is malformed at line 1, column \d+"),
    ("bad.graphml", "<graphml><graph><node id='a'></graph>", r"as GraphML: the XML is malformed"),
    ("bad.net", "*Vertices 2\n1 \"a\"\n*Edges\n1 x\n", r"as a Pajek file"),
])
def test_malformed_network_files_raise_read_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReadError, match=message):
        tk.net.read(path)


def test_network_file_in_another_encoding_names_the_byte(tmp_path):
    path = tmp_path / "旧.dl"
    path.write_bytes('DL N=2 FORMAT=EDGELIST1\nLABELS:\n"张三","李四"\nDATA:\n1 2\n'.encode(
        "gb18030"))
    with pytest.raises(ReadError, match=r'byte 33 \(line 3\).*encoding="gb18030"'):
        tk.net.read(path)
    assert sorted(tk.net.read(path, encoding="gb18030").nodes()) == ["张三", "李四"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_named_pipe_is_refused(tmp_path):
    pipe = tmp_path / "g.dl"
    os.mkfifo(pipe)
    with pytest.raises(ReadError, match="named pipe"):
        tk.net.read(pipe)
