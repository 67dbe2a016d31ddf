"""Raw Excel reading: banners, merged two-row headers, footers, merged data cells.

Every workbook is built here with openpyxl (or xlwt for ``.xls``) so the exact cells,
row numbers and merges are known; expected values are written out by hand from the
cells written.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import ReadError, ToolkitError
from toolkit.io.excel import read_excel_raw


def build_ledger(path):
    """A district ledger as offices send it (rows numbered as Excel shows them).

    1  banner, merged A1:H1
    2  填报单位 … 日期 … (two cells)
    3-4  header: 活动编号/镇街/活动日期/参与人数/备注 merged down over rows 3-4;
         协商情况 merged across C3:E3 over 协商平台 | 协商轮次 | 是否达成共识
    5-7  data; 镇街 东城街道 merged down B5:B7
    8  blank
    9  data
    10 合计
    11 blank
    12 填表人：张三 | 审核人：李四
    13 制表日期：2024年1月5日
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "活动台账"
    ws.append(["XX街道2023年基层协商活动台账"])
    ws.merge_cells("A1:H1")
    ws.append(["填报单位：XX街道", None, None, None, "日期：2023年12月31日"])
    ws.append(["活动编号", "镇街", "协商情况", None, None, "活动日期", "参与人数", "备注"])
    ws.append([None, None, "协商平台", "协商轮次", "是否达成\n共识", None, None, None])
    for col in "ABFGH":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("C3:E3")
    ws.append(["S001", "东城街道", "居民议事会", 1, "是", dt.date(2023, 11, 8), 12, None])
    ws.append(["S002", None, "民主恳谈会", 2, "否", "2023年11月9日", 8, None])
    ws.append([3, None, "居民议事会 ", 1, "是", 45240, "１５", None])
    ws.merge_cells("B5:B7")
    ws.append([])
    ws.append(["S004", "西城街道", "听证会", 1, "是", dt.datetime(2023, 12, 1, 9, 30), 20, "补录"])
    ws.append(["合计", None, None, None, None, None, 55, None])
    ws.append([])
    ws.append(["填表人：张三", None, None, "审核人：李四"])
    ws.append(["制表日期：2024年1月5日"])
    wb.save(path)
    return path


def test_ledger_with_banner_two_row_header_footer_and_merged_towns(tmp_path):
    path = build_ledger(tmp_path / "协商台账.xlsx")  # Chinese file name
    df, rec = read_excel_raw(path)

    assert list(df.columns) == [
        "活动编号", "镇街", "协商情况_协商平台", "协商情况_协商轮次", "协商情况_是否达成共识",
        "活动日期", "参与人数", "备注",
    ]
    assert isinstance(df.index, pd.RangeIndex)
    assert df["活动编号"].tolist() == ["S001", "S002", 3, "S004"]
    # the merged town is filled down into rows 6 and 7, and recorded
    assert df["镇街"].tolist() == ["东城街道", "东城街道", "东城街道", "西城街道"]
    assert df["协商情况_协商平台"].tolist() == ["居民议事会", "民主恳谈会", "居民议事会 ", "听证会"]
    assert df["协商情况_协商轮次"].tolist() == [1, 2, 1, 1]
    assert df["协商情况_协商轮次"].dtype == "int64"
    assert df["协商情况_是否达成共识"].tolist() == ["是", "否", "是", "是"]
    # Excel dates stay dates, the serial number stays a number, text stays text
    assert df["活动日期"].tolist() == [
        dt.datetime(2023, 11, 8), "2023年11月9日", 45240, dt.datetime(2023, 12, 1, 9, 30)
    ]
    assert df["参与人数"].tolist() == [12, 8, "１５", 20]
    assert df["备注"].isna().tolist() == [True, True, True, False]
    assert df["备注"].iloc[3] == "补录"

    assert rec.file == str(path)
    assert rec.sheet == "活动台账"
    assert rec.header_rows == 2
    assert rec.first_data_row == 5
    assert rec.rows_read == 9  # rows 5..13
    assert rec.rows_kept == 4
    assert rec.row_numbers == [5, 6, 7, 9]
    expected_aside = pd.DataFrame({
        "row": [8, 10, 11, 12, 13],
        "reason": ["blank row", "total row: 合计", "blank row", "footer: 填表人",
                   "footer: 制表日期"],
        "values": ["", "合计 | 55", "", "填表人：张* | 审核人：李*", "制表日期：2024年1月5日"],
    })
    pd.testing.assert_frame_equal(rec.rows_set_aside, expected_aside)
    assert rec.accounts_for_every_row()
    coercions = rec.coercions
    assert coercions[["column", "count", "after"]].to_dict("records") == [
        {"column": "镇街", "count": 2, "after": "东城街道"}
    ]
    assert rec.notes[:3] == [
        "banner (row 1): XX街道2023年基层协商活动台账",
        "banner (row 2): 填报单位：XX街道 | 日期：2023年12月31日",
        "header: rows 3–4",
    ]


def test_one_row_header_types(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "人数", "得分", "日期", "是否党员", "说明"])
    ws.append(["P1", 3, 1.5, dt.date(2023, 1, 2), True, "甲"])
    ws.append(["P2", None, 2.0, dt.date(2023, 1, 3), False, None])
    ws.append(["P3", 5, 2.25, None, None, "丙"])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    df, rec = read_excel_raw(path)
    assert list(df.columns) == ["编号", "人数", "得分", "日期", "是否党员", "说明"]
    assert rec.header_rows == 1
    assert rec.first_data_row == 2
    assert rec.row_numbers == [2, 3, 4]
    assert rec.rows_set_aside.empty
    assert [n for n in rec.notes if n.startswith("banner")] == []
    assert df["人数"].dtype == "Int64"
    assert df["人数"].tolist() == [3, pd.NA, 5]
    assert df["得分"].dtype == "float64"
    assert df["得分"].tolist() == [1.5, 2.0, 2.25]
    assert df["日期"].dtype.kind == "M"
    assert df["日期"].tolist()[:2] == [pd.Timestamp("2023-01-02"), pd.Timestamp("2023-01-03")]
    assert pd.isna(df["日期"].iloc[2])
    assert df["是否党员"].dtype == "boolean"
    assert df["是否党员"].tolist() == [True, False, pd.NA]
    assert df["说明"].tolist()[0] == "甲"
    assert pd.isna(df["说明"].iloc[1])


def test_sheet_by_name_index_and_unknown(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "说明"
    ws.append(["本表由XX街道填报"])
    ws2 = wb.create_sheet("参与者名单")
    ws2.append(["参与者编号", "姓名"])
    ws2.append(["P001", "张三"])
    path = tmp_path / "b.xlsx"
    wb.save(path)

    by_name, rec = read_excel_raw(path, sheet="参与者名单")
    assert rec.sheet == "参与者名单"
    assert by_name.to_dict("list") == {"参与者编号": ["P001"], "姓名": ["张三"]}
    by_index, rec2 = read_excel_raw(path, sheet=1)
    assert rec2.sheet == "参与者名单"
    pd.testing.assert_frame_equal(by_index, by_name)

    with pytest.raises(ReadError) as err:
        read_excel_raw(path, sheet="参与者")
    msg = str(err.value)
    assert "Sheet '参与者' not found in 'b.xlsx'" in msg
    assert "Did you mean '参与者名单'?" in msg
    assert "'说明', '参与者名单'" in msg
    assert "`sheet=`" in msg
    assert isinstance(err.value, ToolkitError)
    assert isinstance(err.value, ValueError)
    with pytest.raises(ReadError, match="index 5 is out of range"):
        read_excel_raw(path, sheet=5)


def test_unmerged_two_row_header_and_forced_header_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    # a two-row header typed without merging the parent cell
    ws.append(["编号", "协商情况", None, "落实"])
    ws.append([None, "平台", "轮次", None])
    ws.append(["S1", "议事会", 2, "是"])
    path = tmp_path / "c.xlsx"
    wb.save(path)
    df, rec = read_excel_raw(path)
    assert rec.header_rows == 2
    assert list(df.columns) == ["编号", "协商情况_平台", "协商情况_轮次", "落实"]
    assert rec.row_numbers == [3]

    # forcing one header row turns row 2 into data
    df1, rec1 = read_excel_raw(path, header_rows=1)
    assert rec1.header_rows == 1
    assert list(df1.columns) == ["编号", "协商情况", "column_C", "落实"]
    assert rec1.row_numbers == [2, 3]
    assert df1["column_C"].tolist() == ["轮次", 2]
    assert "column(s) with data but no header named: column_C" in rec1.notes


def test_merged_two_row_header_forced_to_two(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位", "2023年", None])
    ws.append([None, "上半年", "下半年"])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:C1")
    ws.append(["东城", 3, 4])
    path = tmp_path / "d.xlsx"
    wb.save(path)
    auto, _ = read_excel_raw(path)
    forced, rec = read_excel_raw(path, header_rows=2)
    assert list(auto.columns) == list(forced.columns) == ["单位", "2023年_上半年", "2023年_下半年"]
    assert forced.to_dict("list") == {"单位": ["东城"], "2023年_上半年": [3], "2023年_下半年": [4]}
    assert rec.first_data_row == 3


def test_blank_columns_subtotals_repeated_headers_and_sparse_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    # table starts at B2 with an empty column D between its columns
    ws["B2"], ws["C2"], ws["E2"] = "编号", "镇街", "人数"
    rows = [
        ("P1", "东城", 3),
        ("小计", None, 3),
        ("编号", "镇街", "人数"),  # header repeated (a second printed page)
        ("P2", "西城", None),  # sparse last data row: stays data
        (None, None, None),
        ("备注：人数为到会人数", None, None),  # footer word
        ("XX街道办事处（盖章）", None, None),  # sparse text below a footer
    ]
    for i, (b, c, e) in enumerate(rows, start=3):
        ws[f"B{i}"], ws[f"C{i}"], ws[f"E{i}"] = b, c, e
    path = tmp_path / "e.xlsx"
    wb.save(path)
    df, rec = read_excel_raw(path)
    assert list(df.columns) == ["编号", "镇街", "人数"]
    assert df["编号"].tolist() == ["P1", "P2"]
    assert df["镇街"].tolist() == ["东城", "西城"]
    assert df["人数"].dtype == "Int64"
    assert df["人数"].tolist() == [3, pd.NA]
    assert rec.row_numbers == [3, 6]
    assert rec.rows_set_aside[["row", "reason"]].to_dict("records") == [
        {"row": 4, "reason": "subtotal row: 小计"},
        {"row": 5, "reason": "repeated header row"},
        {"row": 7, "reason": "blank row"},
        {"row": 8, "reason": "footer: 备注"},
        {"row": 9, "reason": "footer: text below the table"},
    ]
    assert "blank column(s) dropped: A, D" in rec.notes
    assert rec.accounts_for_every_row()


def test_empty_sheet_and_bad_arguments(tmp_path):
    wb = openpyxl.Workbook()
    path = tmp_path / "empty.xlsx"
    wb.save(path)
    df, rec = read_excel_raw(path)
    assert df.shape == (0, 0)
    assert rec.rows_read == rec.rows_kept == 0
    assert "the sheet is empty" in rec.notes
    with pytest.raises(ValueError, match="`header_rows` must be a positive integer"):
        read_excel_raw(path, header_rows=0)
    with pytest.raises(FileNotFoundError, match="No such file"):
        read_excel_raw(tmp_path / "缺失.xlsx")
    not_excel = tmp_path / "x.xlsx"
    not_excel.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ReadError, match=r"Cannot read 'x\.xlsx' as an Excel workbook"):
        read_excel_raw(not_excel)


def test_xls_with_banner_and_merged_header(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("台账")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    ws.write_merge(0, 0, 0, 3, "2023年协商台账")  # banner A1:D1
    ws.write_merge(1, 2, 0, 0, "编号")  # merged down over both header rows
    ws.write_merge(1, 1, 1, 2, "协商情况")  # parent across B2:C2
    ws.write(2, 1, "平台")
    ws.write(2, 2, "轮次")
    ws.write_merge(1, 2, 3, 3, "日期")
    ws.write(3, 0, "S1")
    ws.write_merge(3, 4, 1, 1, "议事会")  # merged data cell B4:B5
    ws.write(3, 2, 1)
    ws.write(3, 3, dt.datetime(2023, 11, 8), date_style)
    ws.write(4, 0, "S2")
    ws.write(4, 2, 2)
    ws.write(6, 0, "填表人：王五")
    path = tmp_path / "台账.xls"
    wb.save(str(path))
    df, rec = read_excel_raw(path)
    assert list(df.columns) == ["编号", "协商情况_平台", "协商情况_轮次", "日期"]
    assert df["协商情况_平台"].tolist() == ["议事会", "议事会"]
    assert df["协商情况_轮次"].tolist() == [1, 2]
    assert df["日期"].iloc[0] == pd.Timestamp("2023-11-08")
    assert pd.isna(df["日期"].iloc[1])
    assert rec.row_numbers == [4, 5]
    assert rec.rows_set_aside[["row", "reason"]].to_dict("records") == [
        {"row": 6, "reason": "blank row"}, {"row": 7, "reason": "footer: 填表人"}
    ]
    assert rec.notes[0] == "banner (row 1): 2023年协商台账"


def test_large_integer_codes_and_whole_floats(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "值"])
    ws.append([20230001, 1.0])
    ws.append(["A2", np.float64(2.5).item()])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    df, _ = read_excel_raw(path)
    # whole numbers in a mixed column become ints, so that str() never gives "20230001.0"
    assert df["编号"].tolist() == [20230001, "A2"]
    assert isinstance(df["编号"].iloc[0], int)
    assert df["值"].tolist() == [1.0, 2.5]


def test_text_row_with_gaps_is_not_a_second_header(tmp_path):
    # header with an unnamed column; the first data row fills it and leaves 备注 empty
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "姓名", None, "备注"])
    ws.append(["P1", "张三", "男", None])
    ws.append(["P2", "李四", "女", "代表"])
    path = tmp_path / "g.xlsx"
    wb.save(path)
    df, rec = read_excel_raw(path)
    assert rec.header_rows == 1
    assert list(df.columns) == ["编号", "姓名", "column_C", "备注"]
    assert df["column_C"].tolist() == ["男", "女"]
    assert rec.row_numbers == [2, 3]


def test_duplicate_headers_spaces_rows_and_merged_across(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "得分", "得分", "说明", None])
    ws.append(["A", 1, 2, "跨列说明", None])
    ws.merge_cells("D2:E2")  # text merged across columns in a data row
    ws.append(["  ", " ", None, None, None])  # only spaces: blank
    ws.append(["B", 3, 4, None, None])
    ws.append([None])
    ws.append([dt.datetime(2024, 1, 5)])  # a lone signature date below the table
    path = tmp_path / "h.xlsx"
    wb.save(path)
    df, rec = read_excel_raw(path)
    assert list(df.columns) == ["编号", "得分", "得分_2", "说明"]
    assert df["说明"].iloc[0] == "跨列说明"
    assert pd.isna(df["说明"].iloc[1])
    assert rec.row_numbers == [2, 4]
    assert rec.rows_set_aside[["row", "reason"]].to_dict("records") == [
        {"row": 3, "reason": "blank row"},
        {"row": 5, "reason": "blank row"},
        {"row": 6, "reason": "footer: text below the table"},
    ]
    assert rec.rows_set_aside["values"].iloc[2] == "2024-01-05"
    assert "duplicate header '得分' in column C renamed '得分_2'" in rec.notes
    assert any(n.startswith("cells merged across columns in data rows keep their value "
                            "in the first column only: D2:E2") for n in rec.notes)


def test_section_heading_rows_inside_the_data(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "社区", "人数"])
    ws.append(["一、东城街道"])
    ws.merge_cells("A2:C2")
    ws.append(["S1", "和平社区", 10])
    ws.append(["二、西城街道"])
    ws.merge_cells("A4:C4")
    ws.append(["S2", "友谊社区", 12])
    path = tmp_path / "i.xlsx"
    wb.save(path)
    df, rec = read_excel_raw(path)
    assert df["编号"].tolist() == ["S1", "S2"]
    assert rec.row_numbers == [3, 5]
    assert rec.rows_set_aside[["row", "reason"]].to_dict("records") == [
        {"row": 2, "reason": "section heading: 一、东城街道"},
        {"row": 4, "reason": "section heading: 二、西城街道"},
    ]


_CELLS = st.one_of(
    st.just(""), st.just("  "), st.sampled_from(
        ["合计", "小计", "填表人：张三", "注：无", "编号", "一、东城", "居民议事会", "是"]),
    st.text(alphabet="街道社区ABC12 ", max_size=4),
    st.integers(-5, 100).map(float),
    st.floats(-10, 10, allow_nan=False),
    st.dates(dt.date(2020, 1, 1), dt.date(2025, 1, 1)),
    st.booleans(),
)


@settings(max_examples=40, deadline=None)
@given(grid=st.integers(1, 6).flatmap(
    lambda w: st.lists(st.lists(_CELLS, min_size=w, max_size=w), min_size=0, max_size=12)),
    header_rows=st.sampled_from([None, 1, 2]), data=st.data())
def test_every_row_below_the_header_is_kept_or_set_aside(grid, header_rows, data):
    """Property: no row is lost, whatever the layout of the sheet and its merges."""
    from toolkit.io.excel import _Sheet
    from toolkit.io.record import LoadRecord

    merges = []
    if grid:
        n_rows, width = len(grid), len(grid[0])
        for r0, c0, h, w in data.draw(st.lists(st.tuples(
                st.integers(0, n_rows - 1), st.integers(0, width - 1),
                st.integers(0, 3), st.integers(0, 2)), max_size=3)):
            merges.append(((r0, c0), (min(r0 + h, n_rows - 1), min(c0 + w, width - 1))))
    record = LoadRecord(file="x.xlsx", sheet="s")
    df = _Sheet([list(r) for r in grid], merges).parse(record, header_rows=header_rows)
    assert record.accounts_for_every_row()
    assert len(df) == record.rows_kept == len(record.row_numbers)
    area = set(range(record.first_data_row, record.first_data_row + record.rows_read))
    aside = set(record.rows_set_aside["row"])
    assert set(record.row_numbers) | aside == area
    assert not set(record.row_numbers) & aside
    assert isinstance(df.index, pd.RangeIndex)
    assert all(isinstance(c, str) for c in df.columns)


def test_excel_error_cells_are_noted_and_reported(tmp_path):
    import re
    import zipfile

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "人数", "比例"])
    ws.append(["S1", 10, "=B2/0"])
    ws.append(["S2", "=VLOOKUP(A3,X:Y,2,0)", 0.5])
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    # openpyxl stores no computed values; write the ones Excel would have stored
    path = tmp_path / "errors.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<c r="C2"><f>(.*?)</f><v\s*/?>(</v>)?',
                              rb'<c r="C2" t="e"><f>\1</f><v>#DIV/0!</v>', data)
                data = re.sub(rb'<c r="B3"><f>(.*?)</f><v\s*/?>(</v>)?',
                              rb'<c r="B3" t="e"><f>\1</f><v>#N/A</v>', data)
            dst.writestr(item, data)
    df, rec = read_excel_raw(path)
    assert df["人数"].tolist() == [10, pd.NA]
    assert df["比例"].isna().tolist() == [True, False]
    assert "2 Excel error cell(s) read as empty: C2 #DIV/0!, B3 #N/A" in rec.notes
    problems = rec.problems
    assert problems[["row", "column", "value", "check", "severity"]].to_dict("records") == [
        {"row": 2, "column": "比例", "value": "#DIV/0!", "check": "excel_error",
         "severity": "warning"},
        {"row": 3, "column": "人数", "value": "#N/A", "check": "excel_error",
         "severity": "warning"},
    ]
    assert problems["sheet"].tolist() == ["Sheet", "Sheet"]
