"""Every path that must know which columns are personal gives the same answer.

``tk.io.find_personal`` is the one detector; validation (masking), the study's
codebook, pseudonymisation by the manifest, the guard of published tables and
the node attributes of networks all use it. One frame holds personal columns
under canonical names (``name``, ``phone``), under header words (``户主姓名``)
and under headers that say nothing (``联系方式``, ``证件``, found by their
values); every path must classify each of them the same way.

ID-card numbers carry check characters computed in ``test_personal.py`` by an
independent ISO 7064 MOD 11-2 implementation (GB 11643-1999).
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

import toolkit as tk
from toolkit.io.personal import PERSONAL_COLUMNS, mask, schema_personal_columns
from toolkit.io.record import LoadRecord
from toolkit.io.validation.problems import Collector
from toolkit.net.build import _PERSONAL
from toolkit.report._format import personal_columns

from .test_personal import valid_id

IDS = [valid_id("11010519491231002"), valid_id("44052418800101001"),
       valid_id("32010619851203121")]

#: What every path must find: column → kind.
EXPECTED = {"name": "name", "phone": "phone", "户主姓名": "name", "联系方式": "phone",
            "证件": "id_card"}


def people() -> pd.DataFrame:
    return pd.DataFrame({
        "participant_id": ["P1", "P2", "P3"],
        "name": ["张伟", "李娜", "王芳"],                                 # schema
        "type": ["居民代表", "专家", "政协委员"],
        "phone": ["13800138000", "13900139000", None],                     # schema
        "户主姓名": ["张大山", "李小河", "王一"],                          # header word
        "联系方式": ["138-0013-8001", "+86 139 0013 9001", "15900001111"],  # values
        "证件": IDS,                                                         # values
        "unit_id": ["C01", "C01", "C02"],
        "备注": ["无", "有", "无"],
    })


def test_find_personal_has_one_documented_shape():
    found = tk.io.find_personal(people(), kind="participants")
    assert list(found.columns) == PERSONAL_COLUMNS
    assert dict(zip(found["column"], found["kind"], strict=True)) == EXPECTED
    assert found.set_index("column")["found_by"].to_dict() == {
        "name": "schema", "phone": "schema", "户主姓名": "header", "联系方式": "content",
        "证件": "content"}
    assert found["table"].eq("participants").all()
    # counts: phone has 2 values (one missing), all of them of the form
    by = found.set_index("column")
    assert by.loc["phone", "n_values"] == 2
    assert by.loc["phone", "n_matching"] == 2
    assert by.loc["证件", "n_matching"] == 3
    assert by.loc["证件", "share_matching"] == 1.0
    # the table need not be named: its identifier says the frame is about people
    bare = tk.io.find_personal(people())
    assert dict(zip(bare["column"], bare["kind"], strict=True)) == EXPECTED
    assert bare["table"].isna().all()


def test_every_path_classifies_the_same_columns():
    frame = people()
    # the guard of published tables
    assert personal_columns(frame) == EXPECTED
    shown = tk.report.Table.from_frame(frame).to_frame()
    assert len(shown.columns) == 4  # participant_id, type, unit_id, 备注 (labelled)
    text = shown.to_string()
    for column in EXPECTED:
        assert not any(str(v) in text for v in frame[column].dropna()), column
    assert "居民代表" in text
    assert "C02" in text
    # the study's codebook
    study = tk.Study(participants=frame)
    book = study.codebook.query("table == 'participants'").set_index("column")["personal"]
    assert book.dropna().to_dict() == EXPECTED
    assert study.personal_columns == {"participants": list(EXPECTED)}
    assert tk.io.find_personal(study)[["table", "column", "kind"]].values.tolist() == [
        ["participants", c, k] for c, k in EXPECTED.items()]
    # validation: the columns whose values it masks
    col = Collector()
    col.add_table("participants", frame)
    assert col.personal("participants") == EXPECTED
    # networks: no personal column becomes a node attribute
    attendance = pd.DataFrame({"session_id": ["S1", "S1", "S2"],
                               "participant_id": ["P1", "P2", "P3"]})
    G = tk.net.two_mode(tk.Study(participants=frame, attendance=attendance))
    attributes = {k for _, d in G.nodes(data=True) for k in d}
    assert "type" in attributes
    assert "备注" in attributes
    assert not set(EXPECTED) & attributes
    assert _PERSONAL == set(schema_personal_columns())
    assert _PERSONAL == {"name", "phone", "id_card", "member_name"}
    assert nx.is_bipartite(G)


def test_validation_masks_each_personal_column_by_its_kind():
    frame = people()
    rec = LoadRecord(file="名单.csv", table="participants")
    rec.rows_read = rec.rows_kept = len(frame)
    raw = {c: frame[c].iloc[0] for c in frame.columns}
    for column in frame.columns:  # a reader's problem quoting the first value of each column
        rec.problem(row=2, column=column, value=raw[column], check="read",
                    problem="note", fix="none", problem_zh="注", fix_zh="无")
    frame.attrs["load_record"] = rec
    shown = tk.validate(frame).problems.set_index("column")["value"]
    for column in frame.columns:
        expected = mask(raw[column], EXPECTED[column]) if column in EXPECTED else raw[column]
        assert shown[column] == expected, column
    assert shown["证件"] == IDS[0][:4] + "*" * 10 + IDS[0][-4:]


def test_manifest_pseudonymises_exactly_these_columns(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_TEST_KEY", "a long test secret 2024")
    people().to_csv(tmp_path / "参与者.csv", index=False, encoding="utf-8-sig")
    (tmp_path / "study.yaml").write_text(
        "tables:\n  participants: 参与者.csv\npersonal:\n  pseudonymise: true\n"
        "  key_env: TOOLKIT_TEST_KEY\n", encoding="utf-8")
    read = tk.read_study(tmp_path).table("participants")
    original = people()
    changed = {c for c in original.columns
               if not read[c].astype(str).equals(original[c].astype(str))}
    assert changed == set(EXPECTED)
    for column in EXPECTED:
        assert read[column].dropna().str.fullmatch(r"P_[0-9a-f]{16}").all(), column


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"unit_id": ["C01"], "name": ["东街社区"]}),                # a place
    pd.DataFrame({"unit_id": ["C01"], "Name": ["东街社区"], "level": ["村社区"]}),
])
def test_place_names_are_not_personal_on_any_path(frame):
    assert tk.io.find_personal(frame).empty
    assert personal_columns(frame) == {}
    assert tk.Study(units=frame.rename(columns={"Name": "name"})).personal_columns == {}
