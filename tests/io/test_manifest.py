"""A study.yaml manifest reads a folder of office files into a validated Study."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ManifestError

WHERE = ["table", "row", "column", "value", "check"]

MANIFEST = """\
name: 高桥街道协商评估
language: zh
as_of: 2024-06-30
tables:
  sessions:
    file: 活动台账.xlsx
    sheet: 协商活动
    header_rows: 2
  participants:
    file: 参与者名单.csv
    encoding: gb18030
  attendance: 参与记录.csv
  survey:
    file: 居民调查.sav
    mapping: {id: respondent_id, wt: weight}
design:
  weights: weight
scales:
  satisfaction:
    items: [q1, q2]
    reverse: [q2]
    min: 1
    max: 5
    label: 满意度
"""


def write_sessions_xlsx(path: Path) -> None:
    """An office ledger: title banner, two merged header rows, data, a signature footer."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "协商活动"
    ws["A1"] = "高桥街道2023年基层协商活动台账"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["活动编号", "协商情况", None, None, "落实情况", None])
    ws.append([None, "协商日期", "协商平台", "单位编码", "是否落实", "落实日期"])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:D3")
    ws.merge_cells("E3:F3")
    for row in (["S01", "2023年11月8日", "居民议事会", "C01", "是", "2023/12/20"],
                ["S02", "2023.11.15", "居民议事会议", "C01", "否", None],
                ["S03", "2023/11/20", "微信群", "C02", "是", "2023年11月1日"],
                ["S02", "2023-12-01", "民主对话会", "C02", "否", None]):
        ws.append(row)
    ws.append([])
    ws.append(["填表人：王芳", None, "审核人：李强"])
    wb.save(path)


def write_folder(folder: Path, manifest: str = MANIFEST) -> Path:
    """Build the folder a district office would hand over (Chinese names throughout)."""
    import pyreadstat

    folder.mkdir(parents=True, exist_ok=True)
    write_sessions_xlsx(folder / "活动台账.xlsx")
    participants = ("参与者编号,姓名,类型,手机号,所在社区\n"
                    "P01,张伟,居民代表,13812345678,C01\n"
                    "P02,李娜,专家,13912345678,C02\n"
                    "P03,王强,政协委员,13700001111,C01\n")
    (folder / "参与者名单.csv").write_bytes(participants.encode("gb18030"))
    attendance = ("活动编号,参与者编号,角色\n"
                  "S01,P01,宣传员\nS01,P02,调查员\nS02,P03,联络员\nS03,P09,促进员\n")
    (folder / "参与记录.csv").write_bytes(b"\xef\xbb\xbf" + attendance.encode("utf-8"))
    survey = pd.DataFrame({"id": ["R1", "R2", "R3", "R4"], "wt": [1.5, 2.0, 1.0, 1.2],
                           "q1": [4.0, 5.0, 99.0, 2.0], "q2": [3.0, 6.0, 2.0, 98.0]})
    likert = {1: "非常不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "非常满意",
              98: "不知道", 99: "拒答"}
    pyreadstat.write_sav(
        survey, str(folder / "居民调查.sav"),
        column_labels={"id": "受访者编号", "wt": "权重", "q1": "满意度1", "q2": "满意度2"},
        variable_value_labels={"q1": likert, "q2": likert},
        missing_ranges={"q1": [98, 99], "q2": [98, 99]},
    )
    (folder / "study.yaml").write_text(manifest, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return write_folder(tmp_path_factory.mktemp("manifest") / "高桥街道数据")


@pytest.fixture(scope="module")
def study(folder):
    return tk.read_study(folder / "study.yaml")


def test_reads_every_table_with_its_load_record(study, folder):
    assert study.tables == ("participants", "sessions", "attendance", "survey")
    assert study.name == "高桥街道协商评估"
    assert {t: len(study.table(t)) for t in study.tables} == {
        "participants": 3, "sessions": 4, "attendance": 4, "survey": 4}
    records = study.records
    assert set(records) == set(study.tables)
    assert Path(records["sessions"].file) == folder / "活动台账.xlsx"
    assert records["sessions"].sheet == "协商活动"
    assert records["sessions"].rows_set_aside["row"].tolist() == [9, 10]  # blank, footer
    assert records["participants"].encoding == "gb18030"
    assert study.table("participants")["name"].tolist() == ["张伟", "李娜", "王强"]
    assert study.table("sessions")["date"].tolist() == list(
        pd.to_datetime(["2023-11-08", "2023-11-15", "2023-11-20", "2023-12-01"]))
    assert study.design_spec.weights == "weight"
    scale = study.scales["satisfaction"]
    assert (scale.items, scale.reverse, scale.min, scale.max, scale.label) == (
        ("q1", "q2"), ("q2",), 1, 5, "满意度")
    assert study.as_of == pd.Timestamp("2024-06-30")
    assert study.source == str(folder / "study.yaml")


def test_validation_of_the_folder_finds_every_planted_problem(study):
    report = study.validate()
    rows = [tuple(None if pd.isna(v) else v for v in r)
            for r in report.problems[WHERE].itertuples(index=False)]
    assert rows == [
        # 居民议事会议 is a near miss of 居民议事会 (reported by the reader, not twice)
        ("sessions", 6, "platform", "居民议事会议", "unknown_value"),
        # 2023年11月1日 is before the session of 2023/11/20
        ("sessions", 7, "implemented_date", "2023-11-01", "impossible_date"),
        # S02 used again in file row 8 (first in row 6)
        ("sessions", 8, "session_id", "S02", "duplicate_id"),
        # P09 is not in the participants file
        ("attendance", 5, "participant_id", "P09", "dangling_reference"),
        # 6 on a 1–5 item (98 and 99 are declared missing, so not reported)
        ("survey", 2, "q2", "6", "out_of_range"),
    ]
    assert report.problems["file"].map(lambda f: Path(f).name).tolist() == [
        "活动台账.xlsx", "活动台账.xlsx", "活动台账.xlsx", "参与记录.csv", "居民调查.sav"]
    assert report.problems["sheet"].tolist()[:3] == ["协商活动"] * 3
    assert "`居民议事会`" in report.problems.loc[0, "fix"]


def test_personal_columns_are_marked_in_the_codebook(study):
    book = study.codebook.set_index(["table", "column"])["personal"]
    assert book[("participants", "name")] == "name"
    assert book[("participants", "phone")] == "phone"
    assert pd.isna(book[("participants", "participant_id")])
    assert study.personal_columns["participants"] == ["name", "phone"]


def test_html_view_shows_tables_rows_period_and_problems(study):
    html = study._repr_html_()
    assert "高桥街道协商评估" in html
    assert "2023-11-08 – 2023-12-01" in html
    assert "5 error(s), 0 warning(s)" in html
    for name in study.tables:
        assert f"<td>{name}</td>" in html
    for secret in ("张伟", "13812345678"):
        assert secret not in html


def test_folder_path_and_file_path_give_the_same_study(folder, study):
    again = tk.read_study(str(folder))
    assert again.tables == study.tables


def write_manifest(tmp_path: Path, text: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "参与记录.csv").write_text("活动编号,参与者编号\nS1,P1\n", encoding="utf-8")
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ("tabels:\n  attendance: 参与记录.csv\n",
     r"unknown key `tabels` in the top level\. Did you mean `tables`\?"),
    ("tables:\n  attendence: 参与记录.csv\n",
     r"unknown table `attendence` in `tables`\. Did you mean `attendance`\?"),
    ("tables:\n  attendance:\n    file: 参与记录.csv\n    shet: 1\n",
     r"unknown key `shet` in `tables.attendance`\. Did you mean `sheet`\?"),
    ("tables:\n  attendance: 参与记录.csv\ndesign:\n  weight: w\n",
     r"unknown key `weight` in `design`\. Did you mean `weights`\?"),
    ("tables:\n  attendance: 参与记录.csv\nscales:\n  s:\n    items: [q1]\n    revers: [q1]\n",
     r"unknown key `revers` in `scales.s`\. Did you mean `reverse`\?"),
    ("tables:\n  attendance: 参与记录.csv\npersonal:\n  pseudonymize: true\n",
     r"unknown key `pseudonymize` in `personal`\. Did you mean `pseudonymise`\?"),
    ("tables:\n  attendance: 参与记录.csv\npersonal:\n  key: abc123\n",
     r"never write the key in the manifest"),
    ("tables:\n  attendance:\n    file: 参与记录.csv\n    mapping: {编号: sesion_id}\n",
     r"not a column of the attendance table\. Did you mean `session_id`\?"),
    ("tables:\n  attendance: 参与记录.csv\nscales:\n  s:\n    items: [q1]\n    reverse: [q2]\n",
     r"reverse-keyed item\(s\) \['q2'\] are not among its `items`"),
    ("tables:\n  attendance:\n    file: 参与记录.csv\n    header_rows: two\n",
     r"`header_rows` must be a whole number"),
    ("tables: {}\n", r"`tables` must list at least one table"),
    ("tables:\n  attendance: [a\n", r"not valid YAML \(line"),
    ("as_of: 2023-13-45\ntables:\n  attendance: 参与记录.csv\n", r"`as_of` must be a date"),
])
def test_manifest_errors_name_the_key_the_file_and_the_close_match(tmp_path, text, expected):
    path = write_manifest(tmp_path / "数据", text)
    with pytest.raises(ManifestError, match=expected) as info:
        tk.read_study(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_missing_files_are_named_with_a_close_match(tmp_path):
    path = write_manifest(tmp_path, "tables:\n  attendance: 参与纪录.csv\n")
    with pytest.raises(FileNotFoundError, match=r"Did you mean: 参与记录\.csv\?"):
        tk.read_study(path)
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=r"No study\.yaml"):
        tk.read_study(empty)
    with pytest.raises(FileNotFoundError, match=r"Did you mean: study\.yaml\?"):
        tk.read_study(tmp_path / "stduy.yaml")


def test_pseudonymise_needs_the_key_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("TOOLKIT_TEST_KEY", raising=False)
    path = write_manifest(tmp_path, "tables:\n  attendance: 参与记录.csv\npersonal:\n"
                                    "  pseudonymise: true\n  key_env: TOOLKIT_TEST_KEY\n")
    with pytest.raises(ManifestError, match=r"`TOOLKIT_TEST_KEY`.*is not set"):
        tk.read_study(path)


def test_pseudonymised_study_keeps_joins_and_hides_names(folder, tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_TEST_KEY", "a long test secret 2023")
    text = MANIFEST + "personal:\n  pseudonymise: true\n  key_env: TOOLKIT_TEST_KEY\n"
    copy = tmp_path / "副本"
    write_folder(copy, text)
    study = tk.read_study(copy)
    participants = study.table("participants")
    for secret in ("张伟", "13812345678"):
        assert secret not in participants.to_string()
    assert participants["participant_id"].tolist() == ["P01", "P02", "P03"]  # ids kept
    assert "load_record" in participants.attrs
    # the same key gives the same pseudonym on every read (joins across files still work)
    again = tk.read_study(copy)
    assert again.table("participants")["name"].tolist() == participants["name"].tolist()
