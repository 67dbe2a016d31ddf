"""``read_table(..., source=...)`` hands survey-platform exports to ``read_survey_export``.

Each test writes a small export laid out as the platform lays out its download
(问卷星: 序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP, then ``1、…``
questions; 腾讯问卷: 编号, 开始/结束答题时间, 答题时长, IP, then ``Q1. …``) and
asserts that ``read_table`` gives exactly the frame, codebook and record of
``toolkit.io.platforms.read_survey_export`` on the same file, and that ``source=None`` reads
the file as an ordinary table, as before.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError, ToolkitWarning

platforms = pytest.importorskip("toolkit.io.platforms")

GENDER = ["男", "女", "女", "男"]
SATISFIED = ["满意", "非常满意", "(跳过)", "一般"]


def _wjx(path):
    frame = pd.DataFrame({
        "序号": [1, 2, 3, 4],
        "提交答卷时间": ["2023/11/8 09:03:30", "2023/11/8 09:10:05", "2023/11/8 09:12:00",
                   "2023/11/8 10:21:20"],
        "所用时间": ["210秒", "185秒", "190秒", "260秒"],
        "来源": ["微信", "手机提交", "手机提交", "链接"],
        "来源详情": ["N/A", "直接访问", "直接访问", "N/A"],
        "来自IP": ["36.110.12.34(北京-北京)", "117.44.2.8(江西-南昌)", "117.44.9.1(江西-南昌)",
                 "59.52.3.3(江西-九江)"],
        "1、您的性别：": GENDER,
        "2、总体而言，您对本社区协商议事工作是否满意：": SATISFIED,
    })
    path.write_bytes(frame.to_csv(index=False, lineterminator="\r\n").encode("gb18030"))
    return path


def _tencent(path):
    frame = pd.DataFrame({
        "编号": ["101", "102", "103", "104"],
        "开始答题时间": ["2023-11-08 09:00:00", "2023-11-08 09:07:00", "2023-11-08 09:09:00",
                   "2023-11-08 10:17:00"],
        "结束答题时间": ["2023-11-08 09:03:30", "2023-11-08 09:10:05", "2023-11-08 09:12:10",
                   "2023-11-08 10:21:20"],
        "答题时长": ["3分30秒", "3分5秒", "3分10秒", "4分20秒"],
        "IP": ["36.110.12.34", "117.44.2.8", "117.44.9.1", "59.52.3.3"],
        "Q1. 您的性别": GENDER,
        "Q2. 总体而言，您对本社区协商议事工作是否满意": SATISFIED,
    })
    path.write_bytes(frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"))
    return path


def _quiet(read, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ToolkitWarning)
        return read(*args, **kwargs)


@pytest.mark.parametrize(("source", "write"), [("wjx", _wjx), ("tencent", _tencent)])
def test_source_reads_the_platform_export(tmp_path, source, write):
    path = write(tmp_path / f"{source}.csv")
    df = _quiet(tk.read_table, path, kind="survey", source=source)
    expected = _quiet(platforms.read_survey_export, path, source=source)
    pd.testing.assert_frame_equal(df, expected)
    assert df.attrs["codebook"] == expected.attrs["codebook"]
    assert df["q1"].tolist() == GENDER
    assert df["q2"].isna().tolist() == [False, False, True, False]  # (跳过) is missing
    assert df.attrs["codebook"]["ip"]["personal"]
    assert tk.io.load_record(df).rows_kept == 4
    # without `kind` too, and `source=None` keeps the ordinary reading (headers as they are)
    pd.testing.assert_frame_equal(_quiet(tk.read_table, path, source=source), expected)
    plain = _quiet(tk.read_table, path)
    assert "1、您的性别：" in plain.columns or "Q1. 您的性别" in plain.columns


def test_unknown_source_and_arguments_that_do_not_apply(tmp_path):
    path = _wjx(tmp_path / "wjx.csv")
    with pytest.raises(ArgumentError,
                       match=r"`source` must be one of 'wjx', 'tencent', not 'wj'\. "
                             r"Did you mean 'wjx'\?"):
        tk.read_table(path, source="wj")
    with pytest.raises(ArgumentError, match=r"not `kind='sessions'`"):
        tk.read_table(path, kind="sessions", source="wjx")
    with pytest.raises(ArgumentError, match=r"`header_rows` and `mapping` do not apply"):
        tk.read_table(path, source="wjx", header_rows=1, mapping={"序号": "respondent_id"})
