"""Workbooks that used to lose data silently: each test builds the painful file.

An 18-digit ID-card number stored as a number, ids Excel turned into
``1.10105E+17``, formulas never calculated, a hidden first sheet, a notes sheet
before the data, header cells merged past the table. Expected cells are written
by hand from the workbook each test builds.
"""

from __future__ import annotations

import openpyxl
import pytest

import toolkit as tk
from toolkit.errors import ReadError
from toolkit.io import load_record
from toolkit.io.excel import read_excel_raw

# a valid ID-card number (GB 11643 check character 1) …
ID_OK = "110105194912310021"
# … which a double turns into 110105194912310016 (check character fails)
ID_AS_NUMBER = 110105194912310021


def _save(wb: openpyxl.Workbook, tmp_path, name="表.xlsx"):
    path = tmp_path / name
    wb.save(path)
    return path


def test_id_number_stored_as_number_is_reported_unrecoverable(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "姓名", "身份证号"])
    ws.append(["P1", "张伟", ID_AS_NUMBER])
    ws.append(["P2", "李娜", ID_OK])  # typed as text: fine
    df = tk.read_table(_save(wb, tmp_path), kind="participants")
    problems = load_record(df).problems
    lost = problems[problems["check"] == "lost_digits"]
    # the header as the file shows it; the value masked (an ID number)
    assert lost[["row", "column", "severity"]].values.tolist() == [[2, "身份证号", "error"]]
    assert lost["value"].iloc[0].startswith("1101**********")
    assert "Cell C2" in lost["problem"].iloc[0]
    assert "check character fails" in lost["problem"].iloc[0]
    assert "Re-export the column as text" in lost["fix"].iloc[0]


def test_id_in_scientific_notation_is_reported(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "身份证号"])
    ws.append(["P1", "1.10105E+17"])
    ws.append(["P2", ID_OK])
    _, rec = read_excel_raw(_save(wb, tmp_path))
    # the value is shown masked, as every value of a personal column is (tk.io.mask)
    assert rec.problems[["row", "column", "value", "check", "severity"]].values.tolist() == [
        [2, "身份证号", "1.10***E+17", "lost_digits", "error"]]


def test_id_in_scientific_notation_in_a_csv_saved_by_excel(write_file):
    path = write_file("名单.csv", f"编号,身份证号\nP1,1.10105E+17\nP2,{ID_OK}\n")
    rec = load_record(tk.read_table(path))
    assert rec.problems[["row", "column", "check", "severity"]].values.tolist() == [
        [2, "身份证号", "lost_digits", "error"]]


def test_formula_without_a_cached_value_is_reported(tmp_path):
    # openpyxl writes formulas without computing them, as many export tools do
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["社区", "人数", "占比"])
    ws.append(["幸福", 10, "=B2/SUM(B2:B3)"])
    ws.append(["和平", 30, 0.75])
    df, rec = read_excel_raw(_save(wb, tmp_path))
    assert df["占比"].isna().tolist() == [True, False]
    problems = rec.problems
    assert problems[["row", "column", "value", "check", "severity"]].values.tolist() == [
        [2, "占比", "=B2/SUM(B2:B3)", "formula_no_value", "error"]]
    assert "calculate" in problems.loc[0, "fix"]


def test_hidden_first_sheet_is_not_read_by_default(tmp_path):
    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "旧数据"
    old.append(["编号", "值"])
    old.append(["OLD", 1])
    old.sheet_state = "hidden"
    ws = wb.create_sheet("活动台账")
    ws.append(["编号", "值"])
    ws.append(["NEW", 2])
    wb.active = 1
    df, rec = read_excel_raw(_save(wb, tmp_path))
    assert df["编号"].tolist() == ["NEW"]
    assert rec.sheet == "活动台账"
    assert rec.sheets == ["旧数据", "活动台账"]
    assert any("'旧数据' (hidden)" in n and "first visible sheet" in n for n in rec.notes)
    # asked for by name, the hidden sheet is read
    df2, rec2 = read_excel_raw(_save(wb, tmp_path, "2.xlsx"), sheet="旧数据")
    assert df2["编号"].tolist() == ["OLD"]
    assert any("sheet '旧数据' (hidden) read (given as `sheet`)" in n for n in rec2.notes)


def test_notes_sheet_before_the_data_is_skipped(tmp_path):
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "填表说明"
    notes.append(["1. 每个社区填写一行；"])
    notes.append(["2. 日期格式为 2023-11-08。"])
    ws = wb.create_sheet("数据")
    ws.append(["社区", "人数"])
    ws.append(["幸福", 10])
    df = tk.read_table(_save(wb, tmp_path))
    rec = load_record(df)
    assert df.to_dict("list") == {"社区": ["幸福"], "人数": [10]}
    assert rec.sheet == "数据"
    assert any("skipped '填表说明' (its name says it holds notes)" in n for n in rec.notes)


def test_workbook_with_no_table_names_its_sheets(tmp_path):
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "封面"
    notes.append(["XX区基层协商调查"])
    other = wb.create_sheet("Sheet2")
    other.append(["只有一列"])
    other.append(["文字"])
    with pytest.raises(ReadError, match=r"No sheet of '表.xlsx' holds a table: '封面' \(its "
                                        r"name says.*'Sheet2' \(it holds one column of text\)"
                                        r".*`sheet=`"):
        tk.read_table(_save(wb, tmp_path))


def test_header_merged_past_the_table_is_read(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["XX街道协商台账"])
    ws.merge_cells("A1:H1")  # the banner reaches columns that hold nothing
    ws.append(["编号", "基本信息", None])
    ws.merge_cells("B2:G2")  # a header cell merged far past the last column
    ws.append(["编号", "社区", "人数"])
    ws.merge_cells("A2:A3")
    ws.append(["S1", "幸福", 10])
    df, rec = read_excel_raw(_save(wb, tmp_path))
    assert list(df.columns) == ["编号", "基本信息_社区", "基本信息_人数"]
    assert df.values.tolist() == [["S1", "幸福", 10]]
    assert rec.accounts_for_every_row()
