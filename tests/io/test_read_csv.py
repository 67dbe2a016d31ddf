"""Reading CSV files as offices save them: encodings, delimiters, banners, footers.

Every file is built in the test; expected values are written by hand from the
file's content.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ColumnNotFoundError, ReadError, ToolkitWarning
from toolkit.io import load_record
from toolkit.io.delimited import read_csv_raw
from toolkit.io.encoding import detect_encoding

PARTICIPANTS_GB = (
    "参与者编号,姓名,类型,性别,是否党员,身份证号,手机号\n"
    "P001,张伟,政协委员,男,是,11010519491231002X,138 0013 8000\n"
    "P002,李娜,居民代表 ,女,否,110105194912310037,+86 139-0013-9000\n"
    "Ｐ００３,王芳,专家,女,√,,\n"
    ",,,,,,\n"
    "填表人：赵六,,,,,,\n"
)


def test_gb18030_csv_saved_by_excel(write_file):
    path = write_file("参与者.csv", PARTICIPANTS_GB, encoding="gb18030")
    df = tk.read_table(path, kind="participants")
    rec = load_record(df)
    assert rec.encoding == "gb18030"
    assert rec.delimiter == ","
    assert list(df.columns) == ["participant_id", "name", "type", "gender", "party_member",
                                "id_card", "phone"]
    assert df["participant_id"].tolist() == ["P001", "P002", "P003"]
    assert df["name"].tolist() == ["张伟", "李娜", "王芳"]
    assert df["type"].tolist() == ["政协委员", "居民代表", "专家"]
    assert df["party_member"].tolist() == [True, False, True]
    assert str(df["party_member"].dtype) == "boolean"
    assert df["id_card"].tolist()[:2] == ["11010519491231002X", "110105194912310037"]
    assert df["id_card"].isna().tolist() == [False, False, True]
    # rows 5 (empty) and 6 (footer) set aside; header is row 1
    assert rec.rows_read == 5
    assert rec.rows_kept == 3
    assert list(rec.row_numbers) == [2, 3, 4]
    aside = rec.rows_set_aside
    assert aside["row"].tolist() == [5, 6]
    assert aside["reason"].tolist() == ["empty row", "footer row (填表人：赵*)"]  # the name masked
    assert rec.accounts_for_every_row()
    coercions = rec.coercions.set_index(["column", "what"])
    nfkc = ("participant_id", "full-width → half-width (NFKC)")
    assert coercions.loc[nfkc, "before"] == "Ｐ００３"
    assert coercions.loc[nfkc, "after"] == "P003"
    assert coercions.loc[("type", "whitespace stripped"), "count"] == 1
    assert coercions.loc[("party_member", "yes/no word → boolean"), "count"] == 3
    book = df.attrs["codebook"]
    assert book["id_card"]["personal"] == "id_card"
    assert book["name"]["label"] == "姓名"
    assert rec.problems.empty


def test_gbk_and_gb18030_only_characters(write_file):
    # 𠮷 (U+20BB7) exists in GB18030 (four bytes) but not in GBK
    gbk = write_file("gbk.csv", "编号,名称\nC01,幸福社区\n", encoding="gbk")
    gb = write_file("gb.csv", "编号,名称\nC01,𠮷祥社区\n", encoding="gb18030")
    assert tk.read_table(gbk)["名称"].tolist() == ["幸福社区"]
    df = tk.read_table(gb)
    assert df["名称"].tolist() == ["𠮷祥社区"]
    assert load_record(df).encoding == "gb18030"


def test_utf8_bom_attendance(write_file):
    path = write_file("参与记录.csv", "活动编号,参与者编号,角色,发言次数\nS1,P1,宣传员,2\n"
                      "S1,P2,联络,0\n", encoding="utf-8-sig")
    df = tk.read_table(path, kind="attendance")
    rec = load_record(df)
    assert rec.encoding == "utf-8-sig"
    assert list(df.columns) == ["session_id", "participant_id", "role", "speeches"]
    assert df["role"].tolist() == ["宣传员", "联络员"]
    assert df["speeches"].tolist() == [2, 0]
    assert str(df["speeches"].dtype) == "Int64"


def test_utf16_unicode_text_from_excel(write_file):
    path = write_file("导出.txt", "\ufeff编号\t名称\nC01\t幸福社区\n", encoding="utf-16-le")
    df = tk.read_table(path)
    assert load_record(df).encoding == "utf-16"
    assert load_record(df).delimiter == "\t"
    assert df.to_dict("list") == {"编号": ["C01"], "名称": ["幸福社区"]}


def test_plain_utf8_is_not_mistaken_for_gbk(write_file):
    # These UTF-8 bytes would also decode (wrongly) as GB18030; UTF-8 wins.
    path = write_file("u.csv", "议题\n加装电梯\n", encoding="utf-8")
    df = tk.read_table(path)
    assert df["议题"].tolist() == ["加装电梯"]
    assert load_record(df).encoding == "utf-8"


def test_stray_bytes_in_a_utf8_file_are_reported_at_their_cell(write_file):
    # three bytes that are not UTF-8 in an otherwise UTF-8 file: the file stays
    # UTF-8 (headers intact) and the cell is reported, never re-read as GB18030
    raw = "编号,名称\n".encode() + b"C01,\xff\xfe\xfd\n" + "C02,和平社区\n".encode()
    path = write_file("坏.csv", raw)
    df = tk.read_table(path)
    rec = load_record(df)
    assert rec.encoding == "utf-8"
    assert list(df.columns) == ["编号", "名称"]
    assert df["名称"].tolist() == ["\ufffd\ufffd\ufffd", "和平社区"]
    problems = rec.problems
    assert problems[["row", "column", "check", "severity"]].values.tolist() == [
        [2, "名称", "bad_bytes", "error"]]
    assert "byte 18" in problems.loc[0, "problem"]
    # detect_encoding on such bytes names the first stray byte
    with pytest.raises(ValueError, match="byte 18"):  # ReadError is also a ValueError
        detect_encoding(raw, file="坏.csv")


def test_wrong_encoding_given_is_refused(write_file):
    path = write_file("gbk.csv", "编号,名称\nC01,幸福社区\n", encoding="gbk")
    with pytest.raises(ReadError, match=r"byte 0 .*utf-8"):
        tk.read_table(path, encoding="utf-8")
    assert tk.read_table(path, encoding="GBK")["名称"].tolist() == ["幸福社区"]


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_delimiter_is_sniffed(write_file, delimiter):
    text = delimiter.join(["编号", "名称", "人口"]) + "\n" + delimiter.join(
        ["C01", "幸福社区", "3200"]) + "\n" + delimiter.join(["C02", "和平社区", "4100"]) + "\n"
    df = tk.read_table(write_file("d.csv", text))
    assert load_record(df).delimiter == delimiter
    assert df["人口"].tolist() == [3200, 4100]


def test_banner_and_two_row_header(write_file):
    text = ("XX街道协商活动台账（2023年）,,,,\n"
            "基本信息,,协商情况,,\n"
            "活动编号,所在社区,协商平台,日期,是否达成共识\n"
            "S1,C01,居民议事会,2023/11/8,是\n")
    df = tk.read_table(write_file("台账.csv", text, encoding="gb18030"))
    rec = load_record(df)
    assert list(df.columns) == ["基本信息_活动编号", "基本信息_所在社区", "协商情况_协商平台",
                                "协商情况_日期", "协商情况_是否达成共识"]
    assert rec.header_rows == 2
    assert list(rec.row_numbers) == [4]
    assert rec.notes[0] == (
        "row 1 above the header kept out of the data: XX街道协商活动台账（2023年）")
    mapped = tk.read_table(write_file("台账2.csv", text), kind="sessions")
    assert list(mapped.columns) == ["session_id", "unit_id", "platform", "date", "consensus"]
    assert mapped["date"].tolist() == [pd.Timestamp("2023-11-08")]


def test_ragged_rows_are_padded_and_extra_fields_kept(write_file):
    # a short row is padded; fields beyond the header in most rows are kept as
    # unnamed columns (the header lacks names)
    text = ("编号,名称,人口\nC01,幸福社区\nC02,和平社区,4100,多写的备注\n"
            "C03,东风社区,2100,备注二\n")
    df = tk.read_table(write_file("r.csv", text, newline="\n"))
    rec = load_record(df)
    assert list(df.columns) == ["编号", "名称", "人口", "unnamed_4"]
    assert df["人口"].isna().tolist() == [True, False, False]
    assert df["unnamed_4"].tolist()[1:] == ["多写的备注", "备注二"]
    assert list(rec.row_numbers) == [2, 3, 4]
    assert rec.accounts_for_every_row()
    assert rec.problems[["row", "check", "severity"]].values.tolist() == [
        [1, "extra_fields", "warning"]]


def test_quoted_line_breaks_count_as_one_row(write_file):
    text = '编号,议题\nS1,"加装电梯\n第二期"\nS2,停车\n\n'
    df = tk.read_table(write_file("q.csv", text, newline="\n"))
    rec = load_record(df)
    assert df["议题"].tolist() == ["加装电梯\n第二期", "停车"]
    assert list(rec.row_numbers) == [2, 3]
    assert rec.rows_set_aside["row"].tolist() == [4]


def test_empty_rows_in_the_middle_and_totals(write_file):
    text = "社区,人数\n幸福,10\n,\n和平,20\n合计,30\n制表日期：2023年11月8日,\n"
    df = tk.read_table(write_file("t.csv", text))
    rec = load_record(df)
    assert df.to_dict("list") == {"社区": ["幸福", "和平"], "人数": [10, 20]}
    assert rec.rows_set_aside[["row", "reason"]].values.tolist() == [
        [3, "empty row"], [5, "total row (合计 30)"], [6, "footer row (制表日期：2023年11月8日)"]]


def test_rows_of_full_width_spaces_are_blank_rows(write_file):
    # U+3000 is what a Chinese input method types for a space; Excel's reader
    # treats such a row as blank too
    df = tk.read_table(write_file("s.csv", "社区,人数\n幸福,10\n\u3000,\u3000 \n和平,20\n"))
    rec = load_record(df)
    assert df.to_dict("list") == {"社区": ["幸福", "和平"], "人数": [10, 20]}
    assert rec.rows_set_aside[["row", "reason"]].values.tolist() == [
        [3, "blank row (only spaces)"]]


def test_whole_numbers_with_gaps_keep_their_rows_across_chunks():
    import pyarrow as pa

    from toolkit.io.delimited import _to_pandas

    table = pa.table({
        "n": pa.chunked_array([[1, None, 3], [None, 5, 6]]),
        "t": pa.chunked_array([["a", "b", "c"], ["d", None, "f"]]),
        "m": pa.chunked_array([[7, 8, 9], [None, 11, 12]]),
        "k": pa.chunked_array([[1, 2, 3], [4, 5, 6]]),
    }).slice(1, 4)  # an offset into the first chunk
    df = _to_pandas(table)
    assert list(df.columns) == ["n", "t", "m", "k"]
    assert df["n"].dtype == "Int64"
    assert df["m"].dtype == "Int64"
    assert df["n"].tolist() == [pd.NA, 3, pd.NA, 5]
    assert df["m"].tolist() == [8, 9, pd.NA, 11]
    assert df["t"].tolist()[:3] == ["b", "c", "d"]
    assert df["t"].isna().tolist() == [False, False, False, True]
    assert df["k"].tolist() == [2, 3, 4, 5]  # no gaps: plain int64, made Int64 later


def test_without_kind_only_clean_numbers_are_typed(write_file):
    text = "编号,得分,比例,备注\n001,3,0.5,好\n002,4,1.25,１２\n"
    df = tk.read_table(write_file("n.csv", text))
    assert df["编号"].tolist() == ["001", "002"]  # leading zeros: stays text
    assert df["得分"].tolist() == [3, 4]
    assert df["比例"].tolist() == [0.5, 1.25]
    assert df["备注"].tolist() == ["好", "１２"]  # no normalisation without kind
    assert load_record(df).coercions.empty


SESSIONS = (
    "活动编号,协商日期,协商平台,是否达成共识,协商轮次,落实日期\n"
    "S001,2023年11月8日,居民议事会 ,是,１,2023.11.8\n"
    "S002,２０２３／１１／８,居民议事会议,×,2,45238\n"
    "S003,2023/11/8,微信群,Y,3,下周\n"
    "S004,2023-11-08T10:30,Residents' council,无,2,\n"
)


def test_sessions_normalised_and_problems_located(write_file):
    df = tk.read_table(write_file("活动.csv", SESSIONS, encoding="gb18030"), kind="sessions")
    assert df["date"].tolist() == [pd.Timestamp("2023-11-08")] * 3 + [
        pd.Timestamp("2023-11-08 10:30")]
    assert df["platform"].tolist() == ["居民议事会", "居民议事会议", "微信群", "居民议事会"]
    # unknown value kept as an extra category after the vocabulary's terms
    assert df["platform"].cat.categories[-1] == "居民议事会议"
    assert df["consensus"].tolist() == [True, False, True, False]
    assert df["round"].tolist() == [1, 2, 3, 2]
    assert df["implemented_date"].tolist()[:2] == [pd.Timestamp("2023-11-08")] * 2
    assert df["implemented_date"].isna().tolist() == [False, False, True, True]
    problems = load_record(df).problems
    assert problems[["row", "column", "value", "check", "severity"]].values.tolist() == [
        [3, "platform", "居民议事会议", "unknown_value", "error"],
        [4, "implemented_date", "下周", "not_a_date", "error"],
    ]
    assert "Did you mean `居民议事会`?" in problems.loc[0, "fix"]
    assert "是否应为“居民议事会”" in problems.loc[0, "fix_zh"]
    assert problems["file"].str.endswith("活动.csv").all()
    assert problems["table"].eq("sessions").all()
    assert problems[["problem", "fix", "problem_zh", "fix_zh"]].notna().all().all()
    what = load_record(df).coercions.set_index(["column", "what"])["count"].to_dict()
    assert what == {
        ("date", "Chinese date → date"): 1,
        ("date", "full-width date → date"): 1,
        ("date", "slash date → date"): 1,
        ("platform", "whitespace stripped"): 1,
        ("platform", "spelling → vocabulary term"): 1,
        ("consensus", "yes/no word → boolean"): 4,
        ("round", "full-width digits → half-width"): 1,
        ("implemented_date", "dotted date → date"): 1,
        ("implemented_date", "Excel serial number → date"): 1,
    }


SURVEY = (
    "问卷编号,性别,年龄,权重,q1,q2,q3,满意度_服务\n"
    "R1,男,34,1.5,4,98,5,不知道\n"
    "R2,女,61,2.0,99,3,不知道,4\n"
    "R3,女,98,1.0,5,2,4,拒答\n"
)


def test_survey_missing_codes_kept_with_their_code(write_file):
    path = write_file("问卷.csv", SURVEY, encoding="utf-8-sig")
    with pytest.warns(ToolkitWarning, match=r"load_record\(df\)\.missing"):
        df = tk.read_table(path, kind="survey", missing_codes={98: "不知道", 99: "拒答"})
    assert list(df.columns) == ["respondent_id", "gender", "age", "weight", "q1", "q2", "q3",
                                "满意度_服务"]
    assert df["q1"].tolist()[0] == 4
    assert df["q1"].isna().tolist() == [False, True, False]
    assert df["q2"].isna().tolist() == [True, False, False]
    assert df["q3"].isna().tolist() == [False, True, False]
    assert str(df["q3"].dtype) == "Int64"
    assert df["满意度_服务"].isna().tolist() == [True, False, True]
    assert df["满意度_服务"].tolist()[1] == 4
    assert df["age"].tolist() == [34, 61, 98]  # a measured age is never a missing code
    assert df["weight"].tolist() == [1.5, 2.0, 1.0]
    missing = load_record(df).missing
    assert missing.values.tolist() == [
        [3, "q1", 99, "拒答"],
        [2, "q2", 98, "不知道"],
        [3, "q3", 98, "不知道"],
        [2, "满意度_服务", 98, "不知道"],
        [4, "满意度_服务", 99, "拒答"],
    ]
    book = df.attrs["codebook"]
    assert book["q1"]["missing_codes"] == {98: "不知道", 99: "拒答"}
    assert "missing_codes" not in book["age"]


def test_missing_codes_per_column_and_text_codes(write_file):
    path = write_file("s.csv", "编号,q1,q2\nR1,9,不清楚\nR2,2,3\n")
    with pytest.warns(ToolkitWarning):
        df = tk.read_table(path, kind="survey", missing_codes={"q1": [9], "q2": ["不清楚"]})
    assert df["q1"].isna().tolist() == [True, False]
    assert df["q2"].tolist()[1] == 3
    assert df["q2"].isna().tolist() == [True, False]
    assert load_record(df).missing[["row", "column", "code"]].values.tolist() == [
        [2, "q1", 9], [2, "q2", "不清楚"]]


def test_stray_text_in_item_column_keeps_it_as_text_and_warns(write_file):
    text = "编号,q1\nR1,1\nR2,2\nR3,3\nR4,不知道\n"
    df = tk.read_table(write_file("s.csv", text), kind="survey")
    assert df["q1"].tolist() == ["1", "2", "3", "不知道"]
    problems = load_record(df).problems
    assert problems[["row", "column", "value", "check", "severity"]].values.tolist() == [
        [5, "q1", "不知道", "mixed_types", "warning"]]


def test_mapping_wins_and_ambiguous_headers_are_not_merged(write_file):
    text = "编号,村名,单位编码,区划代码,层级\nA,幸福村,C01,C01x,村\n"
    path = write_file("u.csv", text)
    df = tk.read_table(path, kind="units", mapping={"村名": "name"})
    assert list(df.columns) == ["编号", "name", "单位编码", "区划代码", "level"]
    problems = load_record(df).problems
    assert problems[["row", "column", "value", "check"]].values.tolist() == [
        [1, "unit_id", "单位编码 | 区划代码", "ambiguous_column"]]
    chosen = tk.read_table(path, kind="units", mapping={"村名": "name", "单位编码": "unit_id"})
    assert list(chosen.columns) == ["编号", "name", "unit_id", "区划代码", "level"]
    assert load_record(chosen).problems.empty


def test_mapping_naming_an_absent_header(write_file):
    path = write_file("u.csv", "编号,名称\nC01,幸福\n")
    with pytest.raises(ColumnNotFoundError, match=r"u\.csv`: `名字` \(given as `mapping`; did you "
                       r"mean `名称`\?\)\. Columns available: `编号`, `名称`\."):
        tk.read_table(path, kind="units", mapping={"名字": "name"})


def test_argument_errors(write_file, tmp_path):
    path = write_file("u.csv", "编号,名称\nC01,幸福\n")
    with pytest.raises(KeyError, match=r"`kind` must be one of 'units', .*not 'session'\. "
                       r"Did you mean 'sessions'\?"):
        tk.read_table(path, kind="session")
    with pytest.raises(FileNotFoundError, match=r"Did you mean `u\.csv`"):
        tk.read_table(path.with_name("u.cvs"))
    with pytest.raises(ReadError, match="`sheet` applies to Excel"):
        tk.read_table(path, sheet="Sheet1")
    doc = path.with_name("报告.docx")
    doc.write_bytes(b"PK")
    with pytest.raises(ReadError, match=r"\.docx.*not supported"):
        tk.read_table(doc)


def test_dispatch_to_excel_reader_contract(write_file, monkeypatch):
    """A raw frame as the Excel reader returns it (typed cells, Excel row numbers)."""
    from toolkit.io import excel
    from toolkit.io.record import LoadRecord

    raw = pd.DataFrame({
        "活动编号": pd.Series([1001, 1002], dtype="int64"),
        "协商情况_日期": pd.Series([45238, "2023年11月9日"], dtype=object),
        "协商情况_协商平台": ["微信群", "议事会"],
        "是否达成共识": pd.array([True, None], dtype="boolean"),
    })
    calls = {}

    def fake(path, *, sheet, header_rows):
        calls.update(sheet=sheet, header_rows=header_rows)
        rec = LoadRecord(file=str(path), sheet="活动", rows_read=3, rows_kept=2,
                         header_rows=2, first_data_row=5, row_numbers=[5, 7])
        rec.set_aside(row=6, reason="empty row")
        return raw, rec

    monkeypatch.setattr(excel, "read_excel_raw", fake)
    path = write_file("台账.xlsx", b"not read")
    df = tk.read_table(path, kind="sessions", sheet="活动")
    assert calls == {"sheet": "活动", "header_rows": None}
    assert df["session_id"].tolist() == ["1001", "1002"]
    assert df["date"].tolist() == [pd.Timestamp("2023-11-08"), pd.Timestamp("2023-11-09")]
    assert df["platform"].tolist() == ["微信群", "居民议事会"]
    assert df["consensus"].tolist()[0] is True
    assert df["consensus"].isna().tolist()[1]
    rec = load_record(df)
    assert rec.sheet == "活动"
    assert rec.table == "sessions"
    assert rec.accounts_for_every_row()
    assert rec.coercions.set_index(["column", "what"])["count"].to_dict() == {
        ("session_id", "number → text"): 2,
        ("date", "Excel serial number → date"): 1,
        ("date", "Chinese date → date"): 1,
        ("platform", "spelling → vocabulary term"): 1,
    }
    assert raw["活动编号"].tolist() == [1001, 1002]  # input not modified


def test_parquet_round_trip(write_file, tmp_path):
    frame = pd.DataFrame({"编号": ["R1", "R2"], "q1": [1.0, 98.0]})
    path = tmp_path / "s.parquet"
    frame.to_parquet(path)
    with pytest.warns(ToolkitWarning):
        df = tk.read_table(path, kind="survey", missing_codes=[98])
    assert df["respondent_id"].tolist() == ["R1", "R2"]
    assert df["q1"].tolist()[0] == 1
    assert df["q1"].isna().tolist() == [False, True]
    assert load_record(df).missing.values.tolist() == [[2, "q1", 98, None]]


def test_large_clean_file_takes_the_fast_path(write_file):
    rng = np.random.default_rng(7)
    n = 5000
    lines = ["受访者编号,性别,q1,q2,权重"] + [
        f"R{i:05d},{'男' if i % 2 else '女'},{rng.integers(1, 6)},{rng.integers(1, 6)},"
        f"{rng.uniform(0.5, 2):.3f}" for i in range(n)]
    df = tk.read_table(write_file("big.csv", "\n".join(lines) + "\n"), kind="survey")
    rec = load_record(df)
    assert rec.rows_kept == n
    assert rec.notes == []
    assert str(df["q1"].dtype) == "Int64"
    assert df["weight"].dtype == "float64"
    assert df["gender"].value_counts().to_dict() == {"男": 2500, "女": 2500}


def test_file_whose_beginning_is_ascii_but_rest_is_gb18030(write_file):
    """The first 256 KB decide the guess; the rest is still decoded strictly."""
    rows = "".join(f"R{i:06d},1\n" for i in range(30_000))  # ~300 KB of ASCII
    path = write_file("late.csv", "编号,q1\n" + rows + "R999999,满意\n", encoding="gb18030",
                      newline="\n")
    df = tk.read_table(path)
    assert load_record(df).encoding == "gb18030"
    assert df["q1"].tolist()[-1] == "满意"
    assert len(df) == 30_001


def test_value_after_the_sampled_rows_that_breaks_a_number_column(write_file):
    """Columns typed from their first rows fall back to text: no value is lost."""
    lines = "".join(f"R{i},{i % 5 + 1}\n" for i in range(1500))
    path = write_file("s.csv", "编号,q1\n" + lines + "R1500,不知道\n", newline="\n")
    df = tk.read_table(path, kind="survey")
    assert df["q1"].tolist()[-2:] == ["5", "不知道"]  # 1499 % 5 + 1 = 5
    problems = load_record(df).problems
    assert problems[["row", "column", "value", "check"]].values.tolist() == [
        [1502, "q1", "不知道", "mixed_types"]]
    with pytest.warns(ToolkitWarning):
        coded = tk.read_table(path, kind="survey", missing_codes={98: "不知道"})
    assert str(coded["q1"].dtype) == "Int64"
    assert load_record(coded).missing.values.tolist() == [[1502, "q1", 98, "不知道"]]


def test_rows_of_spaces_and_quoted_line_breaks_do_not_change_the_delimiter(tmp_path):
    # a table that once lost a row: the delimiter was sniffed as a tab
    path = tmp_path / "表.csv"
    path.write_bytes(b'10,11,12\r\n,,"\n"\r\n   \r\n   \r\n')
    df, rec = read_csv_raw(path)
    assert rec.delimiter == ","
    assert rec.rows_read == 3
    # a quoted line break alone and rows of spaces are blank rows, as in Excel
    assert len(df) == 0
    assert rec.rows_set_aside[["row", "reason"]].values.tolist() == [
        [2, "blank row (only spaces)"], [3, "blank row (only spaces)"],
        [4, "blank row (only spaces)"]]
    assert rec.accounts_for_every_row()
