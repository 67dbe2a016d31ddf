"""No personal value of the inputs reaches any output.

The demo study with personal data added where district offices put it: names,
ID-card and phone numbers in their own columns under canonical names and under
header words (负责人, 户主, 联系人, 受访者姓名, 联系电话, 身份证号码), and inside free
text (备注, 意见内容, the minutes of sessions, the bodies of submissions, the
titles of members' activities). The commissioned-study report is built on it
(``toolkit demo``'s layout: report.docx, report.html, every figure as PNG and
SVG), networks are exported for Gephi and yEd, and every file is searched
for every name, ID-card and phone number of the inputs: the XML of every part
of the .docx, the HTML, the text of the SVGs (matplotlib writes each text as a
comment beside its glyphs), and the text chunks of every PNG (files, images in
the .docx and in the HTML). None may be found.

The search (``leaks_in``, in conftest.py) is checked first: the same outputs
made with ``allow_personal=True`` are found to hold the values.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
import pytest

import toolkit as tk
from toolkit.report import demo

# ---------------------------------------------------------------------------
# the study


def _cycle(values: list[str], n: int) -> list[str]:
    return [values[i % len(values)] for i in range(n)]


def personal_study() -> tuple[tk.Study, pd.DataFrame, set[str]]:
    """The demo study with personal data wherever district offices put it, and those values."""
    study, panel = demo.load_demo()
    people = study.table("participants")
    names = people["name"].tolist()
    phones = people["phone"].astype(str).tolist()
    ids = people["id_card"].astype(str).tolist()
    members = study.table("activities")["member_name"].dropna().unique().tolist()

    participants = people.assign(
        备注=[f"本人手机{p}，身份证{i}" if k % 3 == 0 else "无"
              for k, (p, i) in enumerate(zip(phones, ids, strict=True))])
    sessions = study.table("sessions")
    n = len(sessions)
    who, tel, card = _cycle(names, n), _cycle(phones, n), _cycle(ids, n)
    sessions = sessions.assign(
        body=[f"{b}（主持人：{a}，联系电话：{t}）" for b, a, t in
              zip(sessions["body"].fillna(""), who, tel, strict=True)],
        负责人=who, 联系人电话=tel,
        备注=[f"记录人 {a} 身份证号 {c}" for a, c in zip(who[::-1], card, strict=True)])
    submissions = study.table("submissions")
    n = len(submissions)
    submissions = submissions.assign(
        body=[f"{b}提案人：{a}，手机 {t[:3]}-{t[3:7]}-{t[7:]}。" for b, a, t in
              zip(submissions["body"].fillna(""), _cycle(names[::-1], n),
                  _cycle(phones[::-1], n), strict=True)])
    survey = study.table("survey")
    n = len(survey)
    survey = survey.assign(
        受访者姓名=_cycle(names, n), 联系电话=_cycle(phones, n), 身份证号码=_cycle(ids, n),
        意见内容=[f"希望多开议事会，我的电话{t}" if k % 4 == 0 else "没有意见"
              for k, t in enumerate(_cycle(phones[::-1], n))])
    activities = study.table("activities")
    activities = activities.assign(title=[
        f"{m}走访联系群众，留电话{t}" for m, t in
        zip(activities["member_name"], _cycle(phones, len(activities)), strict=True)])
    units = study.table("units")
    n = len(units)
    units = units.assign(负责人=_cycle(names[::-1], n), 户主=_cycle(members, n),
                         联系电话=_cycle(phones[::-1], n))
    made = tk.Study(units=units, participants=participants, sessions=sessions,
                    attendance=study.table("attendance"), submissions=submissions,
                    survey=survey, activities=activities, name=study.name,
                    design=study.design_spec, scales=study.scales, lang=study.lang,
                    as_of=study.as_of)
    values = {str(v) for v in [*names, *phones, *ids, *members]
              if isinstance(v, str) and len(v) >= 2}
    return made, panel, values


def exported_networks(study: tk.Study, out: Path) -> list[Path]:
    """Every network the study gives, written for Gephi and yEd, and drawn."""
    out.mkdir()
    paths = []
    G = tk.net.two_mode(study)
    P = tk.net.project(G, on="actors")
    # the same attendance with the participants' names as actors: pseudonymised with key=
    named = study.table("attendance").merge(
        study.table("participants")[["participant_id", "name"]], on="participant_id")
    N = tk.net.two_mode(named.rename(columns={"name": "姓名"}), actor="姓名",
                        key="a long test secret 2024")
    for label, graph in (("two_mode", G), ("projection", P), ("named", N)):
        for suffix in ("gexf", "graphml"):
            paths.append(tk.net.write(graph, out / f"{label}.{suffix}"))
    small = nx.ego_graph(N, next(v for v, m in N.nodes(data="bipartite") if m == 1))
    ax = tk.plot.network(small, seed=1)
    for suffix in ("svg", "png"):
        path = out / f"named_network.{suffix}"
        ax.figure.savefig(path, metadata={"Title": "网络"} if suffix == "png" else None)
        paths.append(path)
    plt.close(ax.figure)
    return paths


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    study, panel, values = personal_study()
    out = tmp_path_factory.mktemp("个人信息")
    paths = demo.build_demo(out, "zh", study=study, panel=panel, progress=False)
    networks = exported_networks(study, out / "networks")
    return study, values, [*paths.values(), *networks]


# ---------------------------------------------------------------------------
# the search finds what is there


def test_the_search_finds_values_in_every_kind_of_output(tmp_path, leaks_in):
    people = pd.DataFrame({"participant_id": ["M1", "M2"], "name": ["王小明", "李小红"],
                           "phone": ["138 0013 8000", "13900139000"]})
    report = tk.report.Report("测试")
    report.table(tk.report.Table.from_frame(people, allow_personal=True), "名单")
    with tk.plot.style("zh"):
        fig, ax = plt.subplots()
        ax.set_title("李小红")
        report.figure(fig, "图")
        fig.savefig(tmp_path / "f.svg")
        fig.savefig(tmp_path / "f.png", metadata={"Author": "王小明"})
    files = [report.to_docx(tmp_path / "r.docx"), report.to_html(tmp_path / "r.html")]
    plt.close(fig)
    G = tk.net.two_mode(pd.DataFrame({"姓名": ["王小明"], "session_id": ["S1"]}), actor="姓名",
                        allow_personal=True)
    files += [tmp_path / "f.svg", tmp_path / "f.png",
              tk.net.write(G, tmp_path / "g.gexf", allow_personal=True)]
    found = leaks_in(files, {"王小明", "李小红", "13800138000"})
    where = {w.split(":")[0] for w, _ in found}
    assert where == {"r.docx", "r.html", "f.svg", "f.png", "g.gexf"}
    assert ("r.docx:word/document.xml", "13800138000") in found  # written 138 0013 8000
    assert ("f.png", "王小明") in found  # PNG metadata
    assert ("f.svg", "李小红") in found  # SVG text


def test_the_inputs_hold_personal_data_in_columns_and_free_text():
    study, _, values = personal_study()
    found = tk.io.find_personal(study)
    by = {(t, c): k for t, c, k in found[["table", "column", "kind"]].itertuples(index=False)}
    for where, kind in {("units", "负责人"): "name", ("units", "户主"): "name",
                        ("units", "联系电话"): "phone", ("sessions", "负责人"): "name",
                        ("sessions", "联系人电话"): "phone", ("sessions", "备注"): "free_text",
                        ("sessions", "body"): "free_text", ("submissions", "body"): "free_text",
                        ("survey", "受访者姓名"): "name", ("survey", "联系电话"): "phone",
                        ("survey", "身份证号码"): "id_card", ("survey", "意见内容"): "free_text",
                        ("participants", "备注"): "free_text",
                        ("activities", "title"): "free_text"}.items():
        assert by.get(where) == kind, where
    assert len(values) > 2 * len(study.table("participants"))  # every phone and ID number


@pytest.mark.slow  # builds the whole report on the demo study (about 20 s)
def test_no_name_id_or_phone_in_any_output(built, leaks_in):
    study, values, files = built
    kinds = {p.suffix for p in files}
    assert {".docx", ".html", ".svg", ".png", ".gexf", ".graphml"} <= kinds
    assert leaks_in(files, values) == []
    # the report is whole: the sections are there, the network exports hold the graph
    doc = zipfile.ZipFile(next(p for p in files if p.suffix == ".docx"))
    xml = doc.read("word/document.xml").decode("utf-8")
    assert "委员共同参与网络与中介者" in xml
    assert "居民调查" in xml
    named = study.table("attendance").merge(study.table("participants"), on="participant_id")
    G = nx.read_gexf(next(p for p in files if p.name == "named.gexf"))
    assert G.number_of_edges() == len(named[["name", "session_id"]].drop_duplicates())
    assert sum(str(v).startswith("P_") for v in G) == named["name"].nunique()
