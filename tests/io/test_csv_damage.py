"""Damaged and misleading text files: each test builds the painful file.

Big5 and Shift-JIS files that decode as GB18030 into nonsense, a UTF-8 file
with one stray byte, an unterminated quote, an unquoted ``1,234``, subtotal rows
in the middle of a ledger, NUL bytes, rows of spaces, very long lines, and paths
that are not regular files. Expected rows, columns and messages are written by
hand from the bytes of each file.
"""

from __future__ import annotations

import os

import pytest

import toolkit as tk
from toolkit.errors import ReadError
from toolkit.io import load_record
from toolkit.io.delimited import read_csv_raw
from toolkit.io.encoding import detect_encoding, implausible

TRADITIONAL = "編號,姓名,社區,滿意度\nR1,張偉,東城區,5\nR2,陳曉明,臺灣路,4\n"
JAPANESE = "番号,名前,地域\nR1,田中,東京\nR2,鈴木,大阪\n"


def test_big5_file_is_not_read_as_garbled_gb18030(write_file):
    path = write_file("繁体.csv", TRADITIONAL, encoding="big5")
    with pytest.raises(ReadError) as err:
        tk.read_table(path)
    text = str(err.value)
    # which encodings were tried, why GB18030 was rejected, and the fix
    assert "Tried: UTF-8" in text
    assert "gb18030 (decodes, but" in text
    assert "traditional-only" in text
    assert "big5 (decodes: '編號,姓名,社區,滿意度')" in text
    assert 'pass `encoding="big5"`' in text
    # the fix works
    df = tk.read_table(path, encoding="big5")
    assert df["姓名"].tolist() == ["張偉", "陳曉明"]
    assert load_record(df).encoding == "cp950"


def test_shift_jis_file_is_not_read_as_garbled_gb18030(write_file):
    path = write_file("日本.csv", JAPANESE, encoding="shift_jis")
    with pytest.raises(ReadError, match=r'big5 \(invalid at byte \d+\).*shift_jis \(decodes: '
                                        r"'番号,名前,地域'\).*`encoding=\"shift_jis\"`"):
        tk.read_table(path)
    assert tk.read_table(path, encoding="shift_jis")["名前"].tolist() == ["田中", "鈴木"]


def test_traditional_text_saved_in_gbk_is_read_when_asked(write_file):
    # a GBK file of traditional characters is implausible for a simplified
    # corpus: detection refuses, the explicit encoding reads it
    path = write_file("繁体gbk.csv", TRADITIONAL, encoding="gbk")
    with pytest.raises(ReadError, match="traditional-only"):
        tk.read_table(path)
    assert tk.read_table(path, encoding="gbk")["社區"].tolist() == ["東城區", "臺灣路"]


def test_plausibility_tolerates_rare_name_characters():
    # 堃 and 喆 are outside GB2312: a few in a real ledger are fine
    ledger = "姓名,社区\n" + "".join(f"王{c}{i},东城社区\n" for i, c in
                                   enumerate("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平堃喆"))
    assert implausible(ledger) is None
    assert detect_encoding(ledger.encode("gbk")) == "gb18030"


def test_one_stray_byte_in_utf8_is_reported_at_its_row_not_used_to_switch_codec(write_file):
    # 0xB2 0xE2 is also a valid GB18030 character: the old reader re-read the
    # whole file as GB18030 and garbled every header
    raw = ("编号,社区,满意度\nR1,东城,5\n".encode() + b"R2,\xb2\xe2\xca\xd4,4\n"
           + "R3,西城,3\n".encode())
    df = tk.read_table(write_file("一个坏字节.csv", raw))
    rec = load_record(df)
    assert rec.encoding == "utf-8"
    assert list(df.columns) == ["编号", "社区", "满意度"]
    assert df["社区"].tolist() == ["东城", "\ufffd" * 4, "西城"]
    problems = rec.problems
    assert problems[["row", "column", "check"]].values.tolist() == [[3, "社区", "bad_bytes"]]
    assert "at byte 39" in problems.loc[0, "problem"]


def test_unterminated_quote_names_the_row_where_it_opens(write_file):
    text = '编号,社区,满意度\nR1,东城,5\nR2,"西城,4\nR3,南湖,3\nR4,北山,2\n'
    with pytest.raises(ReadError, match=r"quote that opens in row 3, column `社区` "
                                        r"\(line 3 of the file"):
        tk.read_table(write_file("引号.csv", text))


def test_unterminated_quote_in_the_last_column(write_file):
    # the swallowed rows happen to leave every row as wide as the header
    text = '编号,社区,备注\nR1,东城,"好\nR2,西城,4\n'
    with pytest.raises(ReadError, match=r"row 2, column `备注`"):
        read_csv_raw(write_file("引号2.csv", text, newline="\n"))


def test_quote_closing_rows_later_is_reported(write_file):
    text = ('编号,社区,满意度\nR1,"东城,5\nR2,西城,4\nR3,南湖,3\nR4,北"山,2\n'
            'R5,东风,1\n')
    _df, rec = read_csv_raw(write_file("引号3.csv", text, newline="\n"))
    problems = rec.problems
    assert problems[["row", "column", "check"]].values.tolist() == [
        [2, "社区", "swallowed_rows"]]


def test_unquoted_thousands_separator_shifts_the_row_and_is_set_aside(write_file):
    text = ("编号,社区,金额,备注\nR1,东城,1,234,无\nR2,西城,567,无\nR3,南湖,89,无\n"
            "R4,北山,12,无\n")
    df = tk.read_table(write_file("金额.csv", text))
    rec = load_record(df)
    assert df["编号"].tolist() == ["R2", "R3", "R4"]  # never the shifted values
    assert df["金额"].tolist() == [567, 89, 12]
    aside = rec.rows_set_aside
    assert aside["row"].tolist() == [2]
    assert aside.loc[0, "reason"].startswith("row has 5 fields, the header 4")
    problems = rec.problems
    assert problems[["row", "check", "severity"]].values.tolist() == [
        [2, "extra_fields", "error"]]
    assert problems.loc[0, "value"] == "R1,东城,1,234,无"
    assert rec.accounts_for_every_row()


def test_subtotal_rows_in_the_middle_are_set_aside_as_in_excel(write_file):
    text = ("社区,人数\n幸福,10\n和平,20\n小计,30\n东风,5\n合 计（3个社区）,35\n"
            "南湖,7\n")
    df = tk.read_table(write_file("小计.csv", text))
    rec = load_record(df)
    assert df["社区"].tolist() == ["幸福", "和平", "东风", "南湖"]
    assert rec.rows_set_aside[["row", "reason"]].values.tolist() == [
        [4, "subtotal row (小计 30)"], [6, "total row (合 计（3个社区） 35)"]]
    # a community whose name starts like a total word is data
    kept = tk.read_table(write_file("小计2.csv", "社区,人数\n合计村,3\n东风,5\n"))
    assert kept["社区"].tolist() == ["合计村", "东风"]


def test_nul_bytes_and_rows_of_spaces_are_reported(write_file):
    raw = "编号,社区,人数\nR1,东\x00城,1\n   ,  ,  \nR2,西城,2\n".encode()
    df = tk.read_table(write_file("nul.csv", raw))
    rec = load_record(df)
    assert df["社区"].tolist() == ["东城", "西城"]
    assert rec.problems[["row", "column", "value", "check"]].values.tolist() == [
        [2, "社区", "东\\x00城", "nul_byte"]]
    assert rec.rows_set_aside[["row", "reason"]].values.tolist() == [
        [3, "blank row (only spaces)"]]
    assert ("社区", "NUL bytes removed", 1) in {
        tuple(r) for r in rec.coercions[["column", "what", "count"]].values.tolist()}


def test_utf16_without_bom_is_refused_with_the_fix(write_file):
    path = write_file("u16.csv", "编号,名称\nC01,幸福社区\n", encoding="utf-16-le")
    with pytest.raises(ReadError, match=r'NUL.*encoding="utf-16-le"'):
        tk.read_table(path)
    assert tk.read_table(path, encoding="utf-16-le")["名称"].tolist() == ["幸福社区"]


@pytest.mark.parametrize("length", [140_000, 15 * 2**20])
def test_very_long_lines_and_fields(write_file, length):
    # Python's csv refuses fields over 131,072 characters by default
    long = "意" * length
    text = f'编号,意见\nR1,"{long}"\nR2,短\nR3,{long[:10]}\n'
    df = tk.read_table(write_file("长.csv", text, newline="\n"))
    assert df["编号"].tolist() == ["R1", "R2", "R3"]
    assert len(df.loc[0, "意见"]) == length


def test_unquoted_long_line(write_file):
    text = "编号,意见\nR1," + "x" * 200_000 + "\nR2,短\n"
    df = tk.read_table(write_file("长2.csv", text, newline="\n"))
    assert df["编号"].tolist() == ["R1", "R2"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_named_pipe_is_refused_instead_of_blocking(tmp_path):
    pipe = tmp_path / "管道.csv"
    os.mkfifo(pipe)
    with pytest.raises(ReadError, match="named pipe"):
        tk.read_table(pipe)


def test_folder_is_refused(tmp_path):
    folder = tmp_path / "数据.csv"
    folder.mkdir()
    with pytest.raises(ReadError, match="it is a folder, not a file"):
        tk.read_table(folder)


def test_headers_that_map_to_nothing_and_read_oddly_are_refused(write_file):
    # body plain ASCII, header in Big5: the header alone shows the misreading
    text = "編號,姓名,類型\n" + "".join(f"P{i:03d},name{i},x\n" for i in range(300))
    path = write_file("表头.csv", text, encoding="big5")
    with pytest.raises(ReadError, match=r"encoding"):
        tk.read_table(path, kind="participants")
