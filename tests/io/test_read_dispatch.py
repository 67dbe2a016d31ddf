"""``read_table`` end to end on Excel and SPSS files: the readers' contract.

The files are built in the test (openpyxl, pyreadstat); expected values are
written by hand from the cells.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ToolkitWarning
from toolkit.io import load_record


def test_excel_ledger_with_banner_merged_header_and_footer(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "活动"
    ws.append(["XX社区协商活动台账"])
    ws.merge_cells("A1:E1")
    ws.append(["基本信息", None, "协商情况", None, None])
    ws.merge_cells("A2:B2")
    ws.merge_cells("C2:E2")
    ws.append(["活动编号", "所在社区", "协商平台", "日期", "是否达成共识"])
    ws.append(["S1", "C01", "居民议事会 ", dt.datetime(2023, 11, 8), "是"])
    ws.append(["S2", "C01", "居民议事会议", "2023年11月9日", "否"])
    ws.append([1003, "C02", "微信群", 45240, "√"])
    ws.append(["填表人：张三", None, "审核人：李四"])
    path = tmp_path / "台账.xlsx"
    wb.save(path)

    df = tk.read_table(path, kind="sessions")
    assert list(df.columns) == ["session_id", "unit_id", "platform", "date", "consensus"]
    assert df["session_id"].tolist() == ["S1", "S2", "1003"]
    assert df["platform"].tolist() == ["居民议事会", "居民议事会议", "微信群"]
    # 45240 is the Excel serial number of 2023-11-10
    assert df["date"].tolist() == [pd.Timestamp("2023-11-08"), pd.Timestamp("2023-11-09"),
                                   pd.Timestamp("2023-11-10")]
    assert df["consensus"].tolist() == [True, False, True]
    rec = load_record(df)
    assert list(rec.row_numbers) == [4, 5, 6]
    assert rec.rows_set_aside["row"].tolist() == [7]
    assert rec.accounts_for_every_row()
    assert rec.problems[["sheet", "row", "column", "value", "check"]].values.tolist() == [
        ["活动", 5, "platform", "居民议事会议", "unknown_value"]]


def test_spss_survey_with_labels_and_missing_codes(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    raw = pd.DataFrame({"问卷编号": ["R1", "R2", "R3"], "性别": [1.0, 2.0, 1.0],
                        "q1": [4.0, 98.0, 5.0], "q2": [1.0, 2.0, 97.0]})
    path = tmp_path / "问卷.sav"
    pyreadstat.write_sav(raw, str(path),
                         variable_value_labels={"性别": {1: "男", 2: "女"}},
                         missing_ranges={"q1": [98, 99]},
                         column_labels={"q1": "对协商的满意度"})
    with pytest.warns(ToolkitWarning, match="missing codes"):
        df = tk.read_table(path, kind="survey", missing_codes={97: "不适用"})
    assert list(df.columns) == ["respondent_id", "gender", "q1", "q2"]
    assert df["gender"].tolist() == ["男", "女", "男"]
    assert df["q1"].isna().tolist() == [False, True, False]
    assert df["q2"].isna().tolist() == [False, False, True]
    # 98 declared in the file, 97 declared by the user: both kept with their code;
    # rows of an SPSS file are its case numbers (no header row)
    assert load_record(df).missing[["row", "column", "code"]].values.tolist() == [
        [2, "q1", 98], [3, "q2", 97]]
    book = df.attrs["codebook"]
    assert book["q1"]["label"] == "对协商的满意度"
    assert book["gender"]["label"] == "性别"
    assert book["q2"]["missing_codes"] == {97: "不适用"}
