"""Validation output that helps: no cascades, summarised repeats, one message per cell."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit as tk
from toolkit.cli import main
from toolkit.io.validation import validate


def _attendance(n_sessions: int = 30, per_session: int = 6) -> pd.DataFrame:
    return pd.DataFrame({
        "session_id": [f"S{s:02d}" for s in range(n_sessions) for _ in range(per_session)],
        "participant_id": [f"P{i:03d}" for i in range(n_sessions * per_session)],
        "role": ["发言人"] * (n_sessions * per_session),
    })


def _study(attendance: pd.DataFrame, participants: pd.DataFrame | None = None) -> tk.Study:
    sessions = pd.DataFrame({"session_id": [f"S{s:02d}" for s in range(30)],
                             "date": pd.to_datetime(["2023-11-08"] * 30),
                             "unit_id": ["C01"] * 30, "platform": ["微信群"] * 30})
    if participants is None:
        participants = pd.DataFrame({"participant_id": [f"P{i:03d}" for i in range(180)],
                                     "type": ["居民代表"] * 180})
    return tk.Study(sessions=sessions, participants=participants, attendance=attendance)


def test_a_missing_key_column_skips_what_depends_on_it_and_says_so_once():
    # without participant_id, every row of a session would "repeat" its key and many
    # rows would repeat each other: none of that is reported
    report = _study(_attendance().drop(columns="participant_id")).validate(as_of="2024-01-01")
    assert report.summary().to_frame()[["table", "check", "severity", "n"]].values.tolist() == [
        ["attendance", "missing_column", "error", 1],
        ["attendance", "skipped", "warning", 1],
    ]
    skipped = report.problems.iloc[1]
    assert skipped["column"] == "participant_id"
    assert "repeated keys; repeated rows; its references to the participants table" \
        in skipped["problem"]
    assert skipped["problem_zh"] == ("缺少列“参与者编号”（participant_id），以下检查未进行："
                                     "重复的组合键；重复的行；对参与者表（participants）的引用。")


def test_the_demo_study_without_a_key_column_reports_it_once():
    # the published demo: deleting attendance.participant_id once gave 13,617 errors
    # (10,153 repeated keys and 3,459 repeated rows burying the real problem)
    demo = tk.datasets.load_study("demo")
    tables = {name: demo.table(name) for name in demo.tables}
    assert demo.validate().problems.empty
    tables["attendance"] = tables["attendance"].drop(columns="participant_id")
    report = tk.Study(**tables, as_of=demo.as_of).validate()
    assert (report.n_errors, report.n_warnings) == (1, 1)
    assert report.problems[["table", "column", "check"]].values.tolist() == [
        ["attendance", "participant_id", "missing_column"],
        ["attendance", "participant_id", "skipped"]]
    assert report.problems.iloc[1]["problem_zh"].endswith(
        "以下检查未进行：重复的组合键；重复的行；对参与者表（participants）的引用。")
    assert report.to_text().startswith("校验结果：1 个错误，1 个警告。")


def test_a_missing_referenced_column_skips_the_references_to_it():
    participants = pd.DataFrame({"type": ["居民代表", "专家"]})
    report = _study(_attendance(), participants).validate(as_of="2024-01-01")
    assert "dangling_reference" not in set(report.problems["check"])
    skipped = report.problems[report.problems["check"] == "skipped"]
    assert skipped[["table", "column"]].values.tolist() == [["participants", "participant_id"]]
    assert "references from `attendance.participant_id`" in skipped.iloc[0]["problem"]


def test_a_missing_earlier_date_skips_the_date_order_check():
    sessions = pd.DataFrame({"session_id": ["S1"], "unit_id": ["C01"], "platform": ["微信群"],
                             "implemented_date": pd.to_datetime(["2023-01-01"])})
    report = validate(sessions, kind="sessions", as_of="2024-01-01")
    assert report.problems["check"].tolist() == ["missing_column", "skipped"]
    assert "`implemented_date` not before `date`" in report.problems.iloc[1]["problem"]


def test_an_optional_column_absent_is_not_a_skipped_check():
    att = _attendance(2, 2)[["session_id", "participant_id"]]
    assert validate(att, kind="attendance").problems.empty


def test_repeats_are_summarised_in_text_but_kept_in_problems():
    att = _attendance()
    att["speeches"] = -1  # 180 out-of-range cells
    report = validate(att, kind="attendance")
    assert len(report.problems) == 180
    zh = report.to_text().splitlines()
    assert zh[0] == "校验结果：180 个错误，0 个警告。"
    assert zh[1] == ("[错误] attendance，发言次数（out_of_range）：180 处同类问题，前 5 处如下"
                     "（全部见 .problems）：")
    assert len(zh) == 2 + 5
    assert all(line.startswith("  [错误] attendance，第 ") for line in zh[2:])
    en = report.to_text(lang="en").splitlines()
    assert en[1] == ("[error] attendance, speeches (out_of_range): 180 similar problems; "
                     "the first 5 (all of them in .problems):")
    assert len(report.to_text(limit=None).splitlines()) == 181
    html = report._repr_html_()
    assert "180 similar problems; the first 5" in html
    assert html.count("<tr") == 1 + 5  # header row and the five shown


def test_few_repeats_keep_their_place():
    att = _attendance(1, 3)
    att["speeches"] = [-1, 2, -1]
    lines = validate(att, kind="attendance").to_text(lang="en").splitlines()
    assert [line.split(",")[1].strip() for line in lines[1:]] == ["row 2", "row 4"]


def test_thousands_are_separated_in_the_heading():
    att = _attendance(200, 6)
    att["speeches"] = -1
    assert validate(att, kind="attendance").to_text().startswith(
        "校验结果：1,200 个错误，0 个警告。\n[错误] attendance，发言次数（out_of_range）：1,200 处")


def test_a_date_the_reader_could_not_read_is_reported_once(tmp_path):
    path = tmp_path / "活动台账.csv"
    path.write_text("活动编号,协商日期,单位编码,协商平台\nS01,2023/11/55,C01,居民议事会\n",
                    encoding="utf-8")
    report = validate(tk.io.read_table(path, kind="sessions"), as_of="2024-01-01")
    assert report.problems[["row", "column", "check"]].values.tolist() == [
        [2, "date", "invalid_date"]]


def test_chinese_messages_name_columns_by_their_chinese_labels():
    sessions = pd.DataFrame({
        "session_id": ["S1", "S2"], "date": pd.to_datetime(["2023-11-08", "2023-11-10"]),
        "unit_id": ["C01", "C01"], "platform": ["居民议事会议", "微信群"],
        "implemented_date": pd.to_datetime(["2023-11-09", "2025-01-01"]),
    })
    report = validate(sessions, kind="sessions", as_of="2024-01-01")
    zh = report.to_text()
    assert "协商平台＝“居民议事会议”：“协商平台”（platform）中的“居民议事会议”不是已知的" in zh
    assert "落实日期＝“2025-01-01”：“落实日期”（implemented_date）的日期 2025-01-01" in zh
    for english in ("，platform", "，implemented_date＝", "“platform”中", "“implemented_date”的"):
        assert english not in zh
    att = pd.DataFrame({"session_id": ["S1", "S1"], "participant_id": ["P1", "P1"],
                        "role": ["发言人", "记录员"]})
    key = validate(att, kind="attendance").problems.iloc[0]
    assert key["problem_zh"] == "组合 活动编号＝S1，参与者编号＝P1 重复出现（首次出现在第 2 行）。"


@pytest.fixture
def ledger(tmp_path):
    path = tmp_path / "活动台账.csv"
    path.write_text("活动编号,协商日期,单位编码,协商平台\nS01,2024-03-01,C01,居民议事会\n",
                    encoding="utf-8")
    return path


def test_validate_a_single_file_as_of_a_date(ledger, capsys):
    assert main(["validate", str(ledger), "--kind", "sessions", "--as-of", "2023-12-31"]) == 1
    out = capsys.readouterr().out
    assert "晚于数据截止日期 2023-12-31" in out
    assert main(["validate", str(ledger), "--kind", "sessions", "--as-of", "2024-06-30"]) == 0


def test_validate_a_study_as_of_a_date(ledger, capsys):
    (ledger.parent / "study.yaml").write_text(
        "name: 示例\nas_of: 2024-06-30\ntables:\n  sessions: 活动台账.csv\n", encoding="utf-8")
    assert main(["validate", str(ledger.parent)]) == 0
    assert main(["validate", str(ledger.parent), "--as-of", "2023-12-31", "--lang", "en"]) == 1
    assert "is after 2023-12-31" in capsys.readouterr().out


def test_the_command_lists_every_problem_on_request(tmp_path, capsys):
    rows = "\n".join(f"S01,P{i:02d},发言人,-1" for i in range(8))
    path = tmp_path / "参与记录.csv"
    path.write_text(f"活动编号,参与者编号,角色,发言次数\n{rows}\n", encoding="utf-8")
    assert main(["validate", str(path), "--kind", "attendance"]) == 1
    assert len(capsys.readouterr().out.splitlines()) == 2 + 5
    assert main(["validate", str(path), "--kind", "attendance", "--all"]) == 1
    assert len(capsys.readouterr().out.splitlines()) == 1 + 8
