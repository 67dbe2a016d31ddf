"""问卷星 (wjx) and 腾讯问卷 (Tencent) answer exports: ``tk.io.read_survey_export``.

Every test writes the export it reads, laid out as the platforms lay out their
downloads: the metadata columns first (问卷星: 序号, 提交答卷时间, 所用时间, 来源,
来源详情, 来自IP; 腾讯问卷: 编号, 开始答题时间, 结束答题时间, 答题时长, IP,
地理位置), then one column per question, per option of a multiple-choice
question spread over 0/1 columns, or per row of a matrix.

The same eight responses are written in both platforms' layouts and both
modes (answer text 按选项文本, answer numbers 按选项序号), as Excel and as CSV
(GB18030, UTF-8 with BOM); the expected frame is written out by hand below.
Respondent 3 answered in 40 s (the median is 202 s), skipped questions 3 and 5
and wrote nothing for question 4.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError, ArgumentTypeError, ReadError, ToolkitWarning
from toolkit.io.platforms import answers, headers

# ---------------------------------------------------------------------------
# The eight responses
# ---------------------------------------------------------------------------

SCALE = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
CODE = {label: i + 1 for i, label in enumerate(SCALE)}
SKIP = None  # skipped by the questionnaire's logic: (跳过) / -3

SUBMITTED = ["2023/11/8 09:03:30", "2023/11/8 09:10:05", "2023/11/8 09:12:00",
             "2023/11/8 10:21:20", "2023/11/8 11:00:19", "2023/11/9 08:45:50",
             "2023/11/9 09:02:55", "2023/11/9 20:13:25"]
SECONDS = [210, 185, 40, 260, 199, 230, 175, 205]
IPS = ["36.110.12.34(北京-北京)", "117.44.2.8(江西-南昌)", "117.44.9.1(江西-南昌)",
       "59.52.3.3(江西-九江)", "59.63.1.200(江西-赣州)", "182.98.7.7(江西-上饶)",
       "117.44.2.9(江西-南昌)", "223.84.1.1(江西-宜春)"]
GENDER = ["男", "女", "女", "男", "女", "男", "女", "男"]
AGE = ["36-59岁", "18-35岁", "18-35岁", "60岁及以上", "36-59岁", "60岁及以上", "36-59岁",
       "18-35岁"]
Q3 = ["满意", "非常满意", SKIP, "一般", "不满意", "非常不满意", "满意", "非常满意"]
OPTIONS = ["居民议事会", "微信群议事", "项目听证会", "其他"]
# options chosen, in questionnaire order, and the text filled in beside 其他
Q4 = [["居民议事会", "微信群议事"], ["微信群议事"], SKIP, ["项目听证会"],
      ["居民议事会", "项目听证会", "其他"], ["微信群议事", "其他"], ["居民议事会"],
      ["居民议事会", "微信群议事", "项目听证会"]]
Q4_OTHER = [None, None, None, None, "楼栋长会议", "网格员上门", None, None]
ROWS = ["社区议事会", "居民说事点", "线上议事群"]
Q5 = [["满意", "一般", "满意"], ["非常满意", "满意", "一般"], [SKIP, SKIP, SKIP],
      ["一般", "不满意", "一般"], ["不满意", "非常不满意", "不满意"],
      ["非常满意", "满意", "非常满意"], ["满意", "满意", "一般"], ["非常满意", "一般", "满意"]]
Q6 = ["希望多开居民议事会", None, "议事结果要公示，及时反馈", None, "无",
      "楼道灯坏了很久，请尽快修", None, "议事会时间放在周末"]
PHONES = ["13800138000", "13912345678", None, "13700001111", "15011112222",
          "18622223333", None, "13344445555"]

Q3_HEADER = "3、总体而言，您对本社区协商议事工作是否满意："
Q4_TEXT = "您参加过哪些协商活动？"
Q5_TEXT = "您对以下议事平台的满意度"
Q6_TEXT = "您对社区协商还有什么建议？"


def _wjx(mode: str) -> pd.DataFrame:
    """The responses as 问卷星 exports them, in answer-text or answer-number mode."""
    text = mode == "text"
    skip = "(跳过)" if text else -3

    def code(label):
        if label is SKIP:
            return skip
        return label if text else CODE[label]

    cols = {
        "序号": list(range(1, 9)),
        "提交答卷时间": SUBMITTED,
        "所用时间": [f"{s}秒" for s in SECONDS],
        "来源": ["微信", "手机提交", "手机提交", "链接", "微信", "微信", "链接", "手机提交"],
        "来源详情": ["N/A", "直接访问", "直接访问", "N/A", "N/A", "N/A", "直接访问", "N/A"],
        "来自IP": IPS,
        "1、您的性别：": GENDER if text else [1 if g == "男" else 2 for g in GENDER],
        "2、您的年龄段：": AGE if text else [["18-35岁", "36-59岁", "60岁及以上"].index(a) + 1
                                          for a in AGE],
        Q3_HEADER: [code(v) for v in Q3],
    }
    if text:
        cols[f"4、{Q4_TEXT}"] = [
            skip if chosen is SKIP else "┋".join(
                f"其他〖{fill}〗" if o == "其他" else o for o in chosen)
            for chosen, fill in zip(Q4, Q4_OTHER, strict=True)]
    else:
        for option in OPTIONS:
            cols[f"4({option})"] = [
                skip if chosen is SKIP else
                (f"1〖{fill}〗" if option == "其他" and option in chosen else int(option in chosen))
                for chosen, fill in zip(Q4, Q4_OTHER, strict=True)]
    for k, row in enumerate(ROWS):
        cols[f"5({row})"] = [code(answer[k]) for answer in Q5]
    cols[f"6、{Q6_TEXT}"] = [v if v is not None else "(空)" for v in Q6]
    cols["7、您的手机号码（选填）："] = [v if v is not None else "(空)" for v in PHONES]
    frame = pd.DataFrame(cols)
    if not text:  # an Excel number export: whole-number columns stay numbers
        frame = frame.astype({c: object for c in frame.columns})
    return frame


def _tencent(mode: str) -> pd.DataFrame:
    """The responses as 腾讯问卷 exports them."""
    text = mode == "text"
    skip = "(跳过)" if text else -3
    start = pd.to_datetime(SUBMITTED) - pd.to_timedelta(SECONDS, unit="s")

    def code(label):
        if label is SKIP:
            return skip
        return label if text else CODE[label]

    cols = {
        "编号": [f"{100 + i}" for i in range(1, 9)],
        "开始答题时间": start.strftime("%Y-%m-%d %H:%M:%S").tolist(),
        "结束答题时间": pd.to_datetime(SUBMITTED).strftime("%Y-%m-%d %H:%M:%S").tolist(),
        "答题时长": [f"{s // 60}分{s % 60}秒" if s >= 60 else f"{s}秒" for s in SECONDS],
        "IP": [ip.split("(")[0] for ip in IPS],
        "地理位置（省）": [ip.split("(")[1].split("-")[0] for ip in IPS],
        "地理位置（市）": [ip.split("-")[1].rstrip(")") for ip in IPS],
        "Q1. 您的性别": GENDER if text else [1 if g == "男" else 2 for g in GENDER],
        "Q2. 您的年龄段": AGE if text else [["18-35岁", "36-59岁", "60岁及以上"].index(a) + 1
                                       for a in AGE],
        "Q3. 总体而言，您对本社区协商议事工作是否满意": [code(v) for v in Q3],
    }
    if text:
        cols[f"Q4. {Q4_TEXT}"] = [
            skip if chosen is SKIP else "|".join(chosen) for chosen in Q4]
        cols["其他_____"] = [fill or "" for fill in Q4_OTHER]
    else:
        for k, option in enumerate(OPTIONS, start=1):
            cols[f"4.{k} {option}"] = [skip if chosen is SKIP else int(option in chosen)
                                       for chosen in Q4]
        cols["其他_____"] = [fill or "" for fill in Q4_OTHER]
    for k, row in enumerate(ROWS, start=1):
        cols[f"5.{k} {row}"] = [code(answer[k - 1]) for answer in Q5]
    cols[f"Q6. {Q6_TEXT}"] = [v or "" for v in Q6]
    cols["Q7. 您的手机号码（选填）"] = [v or "" for v in PHONES]
    frame = pd.DataFrame(cols)
    return frame.astype({c: object for c in frame.columns}) if not text else frame


def _csv(frame: pd.DataFrame, path, encoding: str):
    path.write_bytes(frame.to_csv(index=False, lineterminator="\r\n").encode(encoding))
    return path


def _read(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ToolkitWarning)
        return tk.io.read_survey_export(path, **kwargs)


# ---------------------------------------------------------------------------
# The frame every export of the responses must give
# ---------------------------------------------------------------------------


def _cat(values, categories, *, ordered=False):
    return pd.Series(pd.Categorical(values, categories=categories, ordered=ordered))


def _int(values):
    return pd.Series(pd.array(values, dtype="Int64"))


def _text(values):
    return pd.Series(values, dtype="str")


def _answers(*, labelled_choices: bool = True) -> dict[str, pd.Series]:
    """Question columns; option texts, or numbers where the export gives only numbers."""
    out: dict[str, pd.Series] = {}
    if labelled_choices:
        out["q1"] = _cat(GENDER, ["男", "女"])
        out["q2"] = _cat(AGE, ["36-59岁", "18-35岁", "60岁及以上"])
        out["q3"] = _cat(Q3, SCALE, ordered=True)
    else:
        out["q1"] = _int([1 if g == "男" else 2 for g in GENDER])
        out["q2"] = _int([["18-35岁", "36-59岁", "60岁及以上"].index(a) + 1 for a in AGE])
        out["q3"] = _int([None if v is None else CODE[v] for v in Q3])
    for k, option in enumerate(OPTIONS, start=1):
        out[f"q4_{k}"] = _int([None if c is None else int(option in c) for c in Q4])
    out["q4_4_other"] = _text(Q4_OTHER)
    for k in range(3):
        values = [row[k] for row in Q5]
        out[f"q5_{k + 1}"] = _cat(values, SCALE, ordered=True) if labelled_choices else \
            _int([None if v is None else CODE[v] for v in values])
    out["q6"] = _text(Q6)
    out["q7"] = _int([None if p is None else int(p) for p in PHONES])
    return out


def _expected_wjx(*, labelled_choices: bool = True) -> pd.DataFrame:
    meta = {
        "respondent_id": _text([str(i) for i in range(1, 9)]),
        "submitted_at": pd.Series(pd.to_datetime(SUBMITTED), dtype="datetime64[ns]"),
        "duration": _int(SECONDS),
        "speeder": pd.Series(pd.array([s == 40 for s in SECONDS], dtype="boolean")),
        "source": _text(["微信", "手机提交", "手机提交", "链接", "微信", "微信", "链接",
                         "手机提交"]),
        "source_detail": _text(["N/A", "直接访问", "直接访问", "N/A", "N/A", "N/A", "直接访问",
                                "N/A"]),
        "ip": _text(IPS),
    }
    return pd.DataFrame({**meta, **_answers(labelled_choices=labelled_choices)})


def _expected_tencent(*, labelled_choices: bool = True) -> pd.DataFrame:
    submitted = pd.to_datetime(SUBMITTED)
    meta = {
        "respondent_id": _text([f"{100 + i}" for i in range(1, 9)]),
        "started_at": pd.Series(submitted - pd.to_timedelta(SECONDS, unit="s"),
                                dtype="datetime64[ns]"),
        "submitted_at": pd.Series(submitted, dtype="datetime64[ns]"),
        "duration": _int(SECONDS),
        "speeder": pd.Series(pd.array([s == 40 for s in SECONDS], dtype="boolean")),
        "ip": _text([ip.split("(")[0] for ip in IPS]),
        "province": _text([ip.split("(")[1].split("-")[0] for ip in IPS]),
        "city": _text([ip.split("-")[1].rstrip(")") for ip in IPS]),
    }
    return pd.DataFrame({**meta, **_answers(labelled_choices=labelled_choices)})


def _same_frame(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got, expected, check_dtype=True, check_categorical=True)


# ---------------------------------------------------------------------------
# 问卷星, answer text
# ---------------------------------------------------------------------------


@pytest.fixture
def wjx_text_xlsx(tmp_path):
    path = tmp_path / "调研资料" / "社区协商满意度调查_按选项文本.xlsx"
    path.parent.mkdir()
    _wjx("text").to_excel(path, index=False)
    return path


def test_wjx_text_xlsx_frame(wjx_text_xlsx):
    with pytest.warns(ToolkitWarning, match=r"load_record\(df\)\.missing"):
        df = tk.io.read_survey_export(wjx_text_xlsx)
    _same_frame(df, _expected_wjx())
    assert df.attrs["survey_export"] == {"platform": "wjx", "mode": "text",
                                         "platform_detected": True, "mode_detected": True}


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_wjx_text_csv_gives_the_same_frame(tmp_path, encoding):
    path = _csv(_wjx("text"), tmp_path / f"问卷星_{encoding}.csv", encoding)
    df = _read(path)
    _same_frame(df, _expected_wjx())
    rec = tk.io.load_record(df)
    assert rec.encoding == encoding


def test_wjx_text_codebook(wjx_text_xlsx):
    book = _read(wjx_text_xlsx).attrs["codebook"]
    assert book["q3"]["label"] == "总体而言，您对本社区协商议事工作是否满意"
    assert book["q3"]["kind"] == "single"
    assert book["q3"]["header"] == Q3_HEADER
    assert book["q3"]["value_labels"] == {1: "非常不满意", 2: "不满意", 3: "一般", 4: "满意",
                                          5: "非常满意"}
    assert book["q3"]["missing_codes"] == {"(跳过)": "跳过", "(空)": "空", -3: "跳过", -2: "空"}
    assert book["q1"]["label"] == "您的性别"
    assert "value_labels" not in book["q1"]  # options without a scale get no invented codes
    assert [book[f"q4_{k}"]["option"] for k in range(1, 5)] == OPTIONS
    assert book["q4_2"]["label"] == "您参加过哪些协商活动？：微信群议事"
    assert book["q4_2"]["kind"] == "multiple"
    assert book["q4_4_other"]["kind"] == "other_text"
    assert book["q4_4_other"]["option"] == "其他"
    assert [book[f"q5_{k}"]["item"] for k in (1, 2, 3)] == ROWS
    assert book["q5_2"]["kind"] == "matrix"
    assert book["q5_2"]["label"] == "居民说事点"
    assert book["q5_2"]["scale"] == SCALE
    assert book["q6"]["kind"] == "text"
    assert book["q6"]["label"] == Q6_TEXT
    assert book["duration"]["label"] == "所用时间（秒）"
    assert book["speeder"]["kind"] == "derived"
    assert book["speeder"]["median"] == 202.0
    assert book["respondent_id"]["header"] == "序号"
    assert {c for c, e in book.items() if e.get("personal")} == {"ip", "q7"}
    assert book["ip"]["personal"] == "ip"
    assert book["q7"]["personal"] == "phone"
    assert all(e["platform"] == "wjx" and e["source"] == str(wjx_text_xlsx)
               for e in book.values())


def test_wjx_text_record(wjx_text_xlsx):
    rec = tk.io.load_record(_read(wjx_text_xlsx))
    assert (rec.rows_read, rec.rows_kept) == (8, 8)
    assert rec.accounts_for_every_row()
    assert list(rec.row_numbers) == list(range(2, 10))
    assert rec.table == "survey"
    assert rec.notes[0] == ("platform: 问卷星 (wjx), detected from the headers 提交答卷时间, "
                            "所用时间, 来源详情, 来自IP")
    assert rec.notes[1] == ("mode: answer text (按选项文本), detected from answers joined with ┋ "
                            f"at row 2, column `4、{Q4_TEXT}`")
    # every skip-code cell, under the column it now is missing in
    missing = rec.missing
    expected = pd.DataFrame({
        "row": [4] * 8 + [3, 5, 8, 4, 8],
        "column": ["q3", "q4_1", "q4_2", "q4_3", "q4_4", "q5_1", "q5_2", "q5_3",
                   "q6", "q6", "q6", "q7", "q7"],
        "code": ["(跳过)"] * 8 + ["(空)"] * 5,
        "label": ["跳过"] * 8 + ["空"] * 5,
    })
    got = missing.sort_values(["row", "column"], ignore_index=True)
    want = expected.sort_values(["row", "column"], ignore_index=True)
    pd.testing.assert_frame_equal(got.astype(object), want.astype(object))
    # the speeder, as a validation-style warning
    problems = rec.problems
    assert problems[["row", "column", "value", "check", "severity"]].to_dict("records") == [
        {"row": 4, "column": "duration", "value": "40秒", "check": "speeder",
         "severity": "warning"}]
    assert problems.loc[0, "problem"] == ("Answered in 40 s, under 0.333 × the median (202 s): "
                                          "possibly a speeder. The response is kept.")
    assert problems.loc[0, "file"] == str(wjx_text_xlsx)
    assert problems.loc[0, "sheet"] == "Sheet1"
    # the changes made, each with an example
    coerced = rec.coercions.set_index(["column", "what"])["count"].to_dict()
    assert coerced[("duration", "duration text → seconds")] == 8
    assert coerced[("submitted_at", "slash date → date")] == 8
    assert coerced[("q4_1", "options joined in one cell → one 0/1 column per option "
                            "(q4_1 … q4_4)")] == 7
    assert coerced[("q4_4", "text filled in beside the option (〖…〗) moved to `q4_4_other`")] \
        == 2
    assert rec.header_map["来自IP"] == "ip"
    assert rec.header_map[f"4、{Q4_TEXT}"] == "q4"
    assert rec.header_map["5(居民说事点)"] == "q5_2"


def test_personal_values_stay_out_of_the_record(wjx_text_xlsx):
    df = _read(wjx_text_xlsx)
    rec = tk.io.load_record(df)
    shown = " ".join([rec.summary().as_text(), rec._repr_html_(), rec.problems.to_string(),
                      rec.coercions.to_string(), " ".join(rec.notes)])
    for ip in IPS:
        assert ip.split("(")[0] not in shown
    for phone in PHONES:
        if phone:
            assert phone not in shown
    assert "楼栋长会议" not in rec.coercions.to_string()  # fill-in text is not copied


def test_published_tables_leave_personal_columns_out(wjx_text_xlsx):
    df = _read(wjx_text_xlsx)
    table = tk.report.Table.from_frame(df).to_frame()
    assert "ip" not in table.columns
    assert "q7" not in table.columns
    assert not table.astype(str).apply(lambda c: c.str.contains("36.110.12.34")).any().any()


# ---------------------------------------------------------------------------
# 问卷星, answer numbers
# ---------------------------------------------------------------------------


@pytest.fixture
def wjx_number_xlsx(tmp_path):
    path = tmp_path / "社区协商满意度调查_按选项序号.xlsx"
    _wjx("number").to_excel(path, index=False)
    return path


def test_wjx_number_xlsx_frame(wjx_number_xlsx):
    df = _read(wjx_number_xlsx)
    _same_frame(df, _expected_wjx(labelled_choices=False))
    book = df.attrs["codebook"]
    assert book["q3"]["kind"] == "number"
    assert book["q5_1"]["scale"] == [1, 2, 3, 4, 5]
    assert book["q4_4"]["option"] == "其他"
    rec = tk.io.load_record(df)
    assert rec.notes[1] == ("mode: answer numbers (按选项序号), detected from the skip code of "
                            f"an answer-number export at row 4, column `{Q3_HEADER}`")
    cells = rec.missing
    assert cells[cells["column"] == "q3"].to_dict("records") == [
        {"row": 4, "column": "q3", "code": -3, "label": "跳过"}]
    assert sorted(cells.loc[cells["code"] == -3, "column"]) == [
        "q3", "q4_1", "q4_2", "q4_3", "q4_4", "q5_1", "q5_2", "q5_3"]


def test_wjx_number_with_value_labels_gives_the_text_frame(wjx_number_xlsx):
    df = _read(wjx_number_xlsx, value_labels={
        "q1": {1: "男", 2: "女"},
        2: {1: "18-35岁", 2: "36-59岁", 3: "60岁及以上"},
        "q3": dict(enumerate(SCALE, start=1)),
        "q5": dict(enumerate(SCALE, start=1)),
    })
    expected = _expected_wjx()
    expected["q2"] = _cat(AGE, ["18-35岁", "36-59岁", "60岁及以上"])  # in code order
    _same_frame(df, expected)
    book = df.attrs["codebook"]
    assert book["q3"]["value_labels"] == dict(enumerate(SCALE, start=1))
    assert book["q3"]["kind"] == "single"
    assert book["q5_3"]["value_labels"] == dict(enumerate(SCALE, start=1))
    rec = tk.io.load_record(df)
    coerced = rec.coercions.set_index(["column", "what"])
    row = coerced.loc[("q1", "option numbers → option texts (`value_labels`)")]
    assert (row["before"], row["after"], row["count"]) == (1, "男", 8)


def test_value_labels_missing_a_code_are_reported(wjx_number_xlsx):
    df = _read(wjx_number_xlsx, value_labels={"q1": {1: "男"}})
    assert df["q1"].dtype == "Int64"  # codes kept: nothing is guessed
    problems = tk.io.load_record(df).problems
    unlabelled = problems[problems["check"] == "unlabelled_value"]
    assert unlabelled[["row", "column", "value"]].to_dict("records") == [
        {"row": r, "column": "q1", "value": 2} for r in (3, 4, 6, 8)]


# ---------------------------------------------------------------------------
# 腾讯问卷
# ---------------------------------------------------------------------------


def test_tencent_text_csv_frame(tmp_path):
    path = _csv(_tencent("text"), tmp_path / "腾讯问卷导出.csv", "utf-8-sig")
    df = _read(path)
    _same_frame(df, _expected_tencent())
    rec = tk.io.load_record(df)
    assert rec.notes[0].startswith("platform: 腾讯问卷 (Tencent), detected from the headers "
                                   "开始答题时间, 结束答题时间, 答题时长, 地理位置（省）")
    book = df.attrs["codebook"]
    assert book["q4_1"]["label"] == "您参加过哪些协商活动？：居民议事会"
    assert book["q5_1"]["label"] == "社区议事会"
    assert book["q5_1"]["item"] == "社区议事会"
    assert {c for c, e in book.items() if e.get("personal")} == {"ip", "province", "city",
                                                                  "q7"}
    assert book["province"]["personal"] == "location"
    coerced = rec.coercions.set_index(["column", "what"])
    row = coerced.loc[("duration", "duration text → seconds")]
    assert (row["before"], row["after"], row["count"]) == ("3分30秒", 210.0, 8)
    assert rec.header_map["其他_____"] == "q4_4_other"


def test_tencent_number_xlsx_frame(tmp_path):
    path = tmp_path / "腾讯问卷_按序号.xlsx"
    _tencent("number").to_excel(path, index=False)
    df = _read(path)
    _same_frame(df, _expected_tencent(labelled_choices=False))
    assert df.attrs["survey_export"]["mode"] == "number"
    assert df.attrs["codebook"]["q4_3"]["label"] == "项目听证会"


def test_tencent_semicolon_joined_answers(tmp_path):
    frame = _tencent("text")
    frame[f"Q4. {Q4_TEXT}"] = frame[f"Q4. {Q4_TEXT}"].str.replace("|", "；")
    df = _read(_csv(frame, tmp_path / "腾讯问卷.csv", "utf-8"))
    _same_frame(df, _expected_tencent())


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------


def test_source_and_mode_given(tmp_path, wjx_text_xlsx):
    df = _read(wjx_text_xlsx, source="wjx", mode="text")
    _same_frame(df, _expected_wjx())
    rec = tk.io.load_record(df)
    assert rec.notes[:2] == ["platform: 问卷星 (wjx) (given as `source`)",
                             "mode: answer text (按选项文本) (given as `mode`)"]
    assert df.attrs["survey_export"]["platform_detected"] is False
    assert df.attrs["survey_export"]["mode_detected"] is False


def test_speeder_ratio(wjx_text_xlsx):
    df = _read(wjx_text_xlsx, speeder_ratio=0.9)  # under 181.8 s
    assert df["speeder"].tolist() == [False, False, True, False, False, False, True, False]
    problems = tk.io.load_record(df).problems
    assert problems[["row", "value"]].to_dict("records") == [
        {"row": 4, "value": "40秒"}, {"row": 8, "value": "175秒"}]
    df = _read(wjx_text_xlsx, speeder_ratio=None)
    assert "speeder" not in df.columns
    assert tk.io.load_record(df).problems.empty


@pytest.mark.parametrize("ratio", [0, 1, 1.5, -0.2, "1/3", True])
def test_speeder_ratio_must_be_a_share(wjx_text_xlsx, ratio):
    with pytest.raises(ArgumentError, match="`speeder_ratio` must be a number between 0 and 1"):
        tk.io.read_survey_export(wjx_text_xlsx, speeder_ratio=ratio)


def test_kinds_make_a_single_answer_multiple_choice(tmp_path):
    frame = _wjx("text")
    # nobody chose two options: the answers alone look like single choice
    frame[f"4、{Q4_TEXT}"] = ["居民议事会", "微信群议事", "(跳过)", "项目听证会", "居民议事会",
                             "微信群议事", "居民议事会", "项目听证会"]
    path = tmp_path / "问卷星.xlsx"
    frame.to_excel(path, index=False)
    assert _read(path)["q4"].dtype == "category"
    df = _read(path, kinds={4: "multiple"})
    assert df["q4_1"].tolist() == [1, 0, pd.NA, 0, 1, 0, 1, 0]
    assert df.attrs["codebook"]["q4_3"]["option"] == "项目听证会"
    assert _read(path, kinds={"q4": "text"})["q4"].dtype == "str"


def test_kinds_and_value_labels_name_known_questions(wjx_text_xlsx):
    with pytest.raises(ArgumentError, match=r"`kinds` names `q44`.*Did you mean `q4`"):
        tk.io.read_survey_export(wjx_text_xlsx, kinds={"q44": "multiple"})
    with pytest.raises(ArgumentError, match=r"must be one of 'single', 'multiple', 'text'"):
        tk.io.read_survey_export(wjx_text_xlsx, kinds={"q4": "checkbox"})
    with pytest.raises(ArgumentTypeError, match=r"`value_labels\['q1'\]` must be a dict"):
        tk.io.read_survey_export(wjx_text_xlsx, value_labels={"q1": ["男", "女"]})
    with pytest.raises(ArgumentError, match="`source` must be one of None, 'wjx', 'tencent'"):
        tk.io.read_survey_export(wjx_text_xlsx, source="问卷星")
    with pytest.raises(ArgumentError, match="Did you mean 'text'"):
        tk.io.read_survey_export(wjx_text_xlsx, mode="texts")


def test_declared_missing_codes_order_the_scale(tmp_path):
    frame = _wjx("text")
    frame[Q3_HEADER] = ["满意", "不知道", "(跳过)", "一般", "不满意", "非常不满意", "满意",
                        "非常满意"]
    path = tmp_path / "问卷星.xlsx"
    frame.to_excel(path, index=False)
    df = _read(path)
    assert not df["q3"].cat.ordered  # 不知道 is not on the scale …
    notes = tk.io.load_record(df).notes
    assert ("q3: '不知道' is not on the scale 非常不满意 < 不满意 < 一般 < 满意 < 非常满意; "
            "declare it with `missing_codes=['不知道']` to read q3 as an ordered scale") in notes
    df = _read(path, missing_codes={"不知道": "不知道"})  # … until it is declared missing
    assert df["q3"].cat.ordered
    assert df["q3"].cat.categories.tolist() == SCALE
    cells = tk.io.load_record(df).missing
    assert cells[cells["column"] == "q3"].to_dict("records") == [
        {"row": 3, "column": "q3", "code": "不知道", "label": "不知道"},
        {"row": 4, "column": "q3", "code": "(跳过)", "label": "跳过"}]
    assert df.attrs["codebook"]["q3"]["missing_codes"]["不知道"] == "不知道"


def test_missing_codes_for_one_question(tmp_path):
    frame = _wjx("number")
    frame["2、您的年龄段："] = [1, 2, 99, 3, 1, 99, 2, 1]
    path = tmp_path / "问卷星.xlsx"
    frame.to_excel(path, index=False)
    df = _read(path, missing_codes={"q2": {99: "拒答"}})
    assert df["q2"].tolist() == [1, 2, pd.NA, 3, 1, pd.NA, 2, 1]
    cells = tk.io.load_record(df).missing
    assert cells[cells["column"] == "q2"][["row", "code", "label"]].to_dict("records") == [
        {"row": 4, "code": 99, "label": "拒答"}, {"row": 7, "code": 99, "label": "拒答"}]
    assert 99 not in df.attrs["codebook"]["q1"]["missing_codes"]


def test_other_text_in_its_own_column(tmp_path):
    frame = _wjx("text")
    header = "1、您的性别："
    frame = frame.drop(columns=[f"4、{Q4_TEXT}"])
    frame.insert(frame.columns.get_loc(header) + 1, "8、您的职业：",
                 ["退休", "个体", "其他", "退休", "其他", "务农", "个体", "退休"])
    frame.insert(frame.columns.get_loc("8、您的职业：") + 1, "8、(其他（请注明）:)",
                 [None, None, "社区网格员", None, "物业", None, None, None])
    path = tmp_path / "问卷星.xlsx"
    frame.to_excel(path, index=False)
    df = _read(path)
    assert df["q8"].tolist() == ["退休", "个体", "其他", "退休", "其他", "务农", "个体", "退休"]
    assert df["q8_other"].fillna("").tolist()[2:5] == ["社区网格员", "", "物业"]
    assert list(df.columns).index("q8_other") == list(df.columns).index("q8") + 1
    entry = df.attrs["codebook"]["q8_other"]
    assert (entry["kind"], entry["label"]) == ("other_text", "您的职业：其他（填写内容）")


def test_single_choice_fill_in_text(tmp_path):
    frame = _wjx("text")
    frame["1、您的性别："] = GENDER
    frame["2、您的年龄段："] = ["36-59岁", "18-35岁", "其他〖未填写年龄〗", "60岁及以上", "36-59岁",
                            "60岁及以上", "36-59岁", "18-35岁"]
    path = tmp_path / "问卷星.xlsx"
    frame.to_excel(path, index=False)
    df = _read(path)
    assert df["q2"].tolist()[1:4] == ["18-35岁", "其他", "60岁及以上"]
    assert df["q2_other"].fillna("").tolist()[1:4] == ["", "未填写年龄", ""]
    coerced = tk.io.load_record(df).coercions.set_index(["column", "what"])
    row = coerced.loc[("q2", "text filled in beside the option (〖…〗) moved to `q2_other`")]
    assert (row["before"], row["after"], row["count"]) == ("其他〖…〗", "其他", 1)


def test_matrix_title_column_and_unknown_columns(tmp_path):
    frame = _wjx("text")
    position = frame.columns.get_loc("5(社区议事会)")
    frame.insert(position, f"5、{Q5_TEXT}：", [None] * 8)
    frame["所在社区"] = ["东城社区", "东城社区", "西湖社区", "西湖社区", "东城社区", "南门社区",
                     "南门社区", "西湖社区"]
    path = tmp_path / "问卷星.xlsx"
    frame.to_excel(path, index=False)
    df = _read(path)
    book = df.attrs["codebook"]
    assert book["q5_1"]["label"] == f"{Q5_TEXT}：社区议事会"
    assert book["q5_1"]["question_text"] == Q5_TEXT
    assert f"5、{Q5_TEXT}：" not in df.columns
    assert df["所在社区"].tolist()[:3] == ["东城社区", "东城社区", "西湖社区"]
    notes = tk.io.load_record(df).notes
    assert "column `所在社区` is neither a metadata column nor a question header; kept as it is" \
        in notes
    assert f"column `5、{Q5_TEXT}：` holds no answers: read as the text of question 5" in notes


def test_rows_set_aside_are_accounted_for(tmp_path):
    text = _wjx("text").to_csv(index=False, lineterminator="\r\n")
    lines = text.split("\r\n")
    lines.insert(4, ",,,,,,,,,,,,,,,,")  # an empty row between responses
    path = tmp_path / "问卷星.csv"
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    df = _read(path)
    rec = tk.io.load_record(df)
    assert (rec.rows_read, rec.rows_kept) == (9, 8)
    assert rec.rows_set_aside.to_dict("records") == [
        {"row": 5, "reason": "empty row", "values": None}]
    assert rec.accounts_for_every_row()
    assert df["respondent_id"].tolist() == [str(i) for i in range(1, 9)]
    assert rec.problems.loc[0, "row"] == 4  # the speeder keeps its file row


# ---------------------------------------------------------------------------
# Malformed exports
# ---------------------------------------------------------------------------


def test_no_question_header(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("编号,姓名,性别\r\n1,张伟,男\r\n", encoding="utf-8")
    with pytest.raises(ReadError) as err:
        tk.io.read_survey_export(path)
    text = str(err.value)
    assert text.startswith("No column has a question header such as `3、您的性别：`")
    assert f"file `{path}`, row 1" in text
    assert "Fix: Download the answers from the platform" in text


def test_platform_cannot_be_told(tmp_path):
    frame = _wjx("text").drop(columns=["提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"])
    path = tmp_path / "问卷.xlsx"
    frame.to_excel(path, index=False)
    with pytest.raises(ReadError, match=r"Cannot tell which platform.*sheet `Sheet1`, row 1\)"
                                        r"\. Fix: Pass `source=\"wjx\"`"):
        tk.io.read_survey_export(path)
    df = _read(path, source="wjx")
    assert df.columns[:2].tolist() == ["respondent_id", "q1"]


def test_mixed_modes_skip_codes(tmp_path):
    frame = _wjx("text")
    frame = frame.astype({"5(居民说事点)": object})
    frame.loc[5, "5(居民说事点)"] = -3  # pasted from an answer-number export
    path = tmp_path / "问卷星.xlsx"
    frame.to_excel(path, index=False)
    with pytest.raises(ReadError) as err:
        tk.io.read_survey_export(path)
    text = str(err.value)
    assert text.startswith("The file mixes an answer-text export and an answer-number export: "
                           f"row 2, column `4、{Q4_TEXT}` holds '居民议事会┋微信群议事' (answers "
                           "joined with ┋)")
    assert "row 7, column `5(居民说事点)` holds '-3'" in text
    assert "sheet `Sheet1`, row 7, column `5(居民说事点)`, value '-3')" in text
    assert "Fix: Download all answers again in one mode" in text


def test_mixed_modes_numbers_among_scale_texts(tmp_path):
    frame = _wjx("text")
    frame[Q3_HEADER] = ["满意", "非常满意", "满意", "一般", "2", "1", "满意", "5"]
    path = _csv(frame.drop(columns=[f"4、{Q4_TEXT}"]), tmp_path / "问卷星.csv", "gb18030")
    with pytest.raises(ReadError, match=r"q3 holds option texts \(满意, 非常满意, 一般 …\) and "
                                        r"option numbers \(2, 1, 5\).*row 6, column "):
        tk.io.read_survey_export(path)


def test_mode_given_contradicts_the_file(wjx_text_xlsx, wjx_number_xlsx):
    with pytest.raises(ReadError, match=r"`mode='number'` was given, but row 2, column "
                                        r".* holds '居民议事会┋微信群议事', answers joined with ┋"
                                        r".*Fix: Pass `mode='text'`"):
        tk.io.read_survey_export(wjx_text_xlsx, mode="number")
    with pytest.raises(ReadError, match=r"`mode='text'` was given, but row 4.* holds '-3', "
                                        r"the skip code"):
        tk.io.read_survey_export(wjx_number_xlsx, mode="text")


def test_option_texts_in_a_number_export(tmp_path):
    frame = _tencent("text")
    frame[f"Q4. {Q4_TEXT}"] = ["居民议事会", "微信群议事", "", "项目听证会", "居民议事会",
                                "微信群议事", "居民议事会", "项目听证会"]
    frame["Q3. 总体而言，您对本社区协商议事工作是否满意"] = [
        "满意", "非常满意", "", "一般", "不满意", "非常不满意", "满意", "非常满意"]
    for k in (1, 2, 3):
        frame[f"5.{k} {ROWS[k - 1]}"] = frame[f"5.{k} {ROWS[k - 1]}"].replace("(跳过)", "")
    path = _csv(frame, tmp_path / "腾讯.csv", "utf-8")
    with pytest.raises(ReadError, match=r"`mode=\"number\"` was given, but `Q3\. 总体而言.*"
                                        r"holds option texts.*row 2.*value '满意'"):
        tk.io.read_survey_export(path, mode="number")


def test_row_longer_than_the_header(tmp_path):
    frame = _wjx("text")
    text = frame.to_csv(index=False, lineterminator="\r\n")
    # an answer with an unquoted comma: the fields after it shift right
    text = text.replace("无,", "无,还好,", 1)
    path = tmp_path / "问卷星.csv"
    path.write_bytes(text.encode("gb18030"))
    with pytest.raises(ReadError) as err:
        tk.io.read_survey_export(path)
    message = str(err.value)
    assert message.startswith("Row 6 has 16 fields but the header has 15")
    assert "row 6, column `field 16`" in message
    assert "value '150****2222'" in message  # the shifted phone number, masked
    assert "15011112222" not in message


def test_row_shorter_than_the_header(tmp_path):
    text = _wjx("text").to_csv(index=False, lineterminator="\r\n")
    lines = text.split("\r\n")
    lines[3] = ",".join(lines[3].split(",")[:10])
    path = tmp_path / "问卷星.csv"
    path.write_bytes("\r\n".join(lines).encode("utf-8-sig"))
    with pytest.raises(ReadError, match=r"^Row 4 has 10 fields but the header has 15: the row "
                                        r"is cut short.*row 4, column `5\(社区议事会\)`"):
        tk.io.read_survey_export(path)


def test_excel_column_without_header(tmp_path):
    frame = _wjx("text")
    frame[""] = [None] * 7 + ["多出的一格"]
    path = tmp_path / "问卷星.xlsx"
    frame.to_excel(path, index=False)
    with pytest.raises(ReadError, match=r"A column without a header holds answers.*row 9, "
                                        r"column `column_P`, value '多出的一格'"):
        tk.io.read_survey_export(path)


def test_question_columns_apart(tmp_path):
    frame = _wjx("number")
    frame.insert(7, "5(社区议事会)", frame.pop("5(社区议事会)"))
    path = tmp_path / "问卷星.xlsx"
    frame.to_excel(path, index=False)
    with pytest.raises(ReadError, match=r"Question 5 appears in two places, `5\(社区议事会\)` "
                                        r"and `5\(居民说事点\)`"):
        tk.io.read_survey_export(path)


def test_unreadable_metadata_is_reported(tmp_path):
    frame = _wjx("text")
    frame.loc[1, "所用时间"] = "很快"
    frame.loc[2, "提交答卷时间"] = "昨天"
    path = tmp_path / "问卷星.xlsx"
    frame.to_excel(path, index=False)
    df = _read(path)
    assert df["duration"].isna().tolist() == [False, True] + [False] * 6
    problems = tk.io.load_record(df).problems
    assert problems[["row", "column", "value", "check"]].to_dict("records")[:2] == [
        {"row": 4, "column": "submitted_at", "value": "昨天", "check": "not_a_date"},
        {"row": 3, "column": "duration", "value": "很快", "check": "not_a_duration"}]


def test_suffix_and_arguments(tmp_path, wjx_text_xlsx):
    path = tmp_path / "问卷.sav"
    path.write_bytes(b"")
    with pytest.raises(ReadError, match=r"Cannot read `问卷.sav` as a survey export"):
        tk.io.read_survey_export(path)
    with pytest.raises(FileNotFoundError, match="No file"):
        tk.io.read_survey_export(tmp_path / "没有.xlsx")
    with pytest.raises(ReadError, match="`encoding` applies to CSV files"):
        tk.io.read_survey_export(wjx_text_xlsx, encoding="gbk")


# ---------------------------------------------------------------------------
# Detection and parsing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("names", "platform"), [
    (["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的性别："], "wjx"),
    (["编号", "开始答题时间", "结束答题时间", "答题时长", "IP", "Q1. 您的性别"], "tencent"),
    (["编号", "地理位置（省）", "Q1. 您的性别"], "tencent"),
    (["编号", "姓名", "1、您的性别："], None),
    (["所用时间", "答题时长"], None),  # one header of each: no telling
])
def test_detect_platform(names, platform):
    assert tk.io.detect_platform(names) == platform
    assert tk.io.detect_platform(pd.DataFrame(columns=names)) == platform


@pytest.mark.parametrize(("header", "kind", "number", "item", "text"), [
    ("3、您的性别：", "question", 3, None, "您的性别"),
    ("Q3. 您的性别", "question", 3, None, "您的性别"),
    ("3.您的年龄段", "question", 3, None, "您的年龄段"),
    ("Q3：您的年龄段", "question", 3, None, "您的年龄段"),
    ("３、您的性别：", "question", 3, None, "您的性别"),
    ("Q12 您所在的社区", "question", 12, None, "您所在的社区"),
    ("3. 5年来您参加过几次议事会", "question", 3, None, "5年来您参加过几次议事会"),
    ("7(居民议事会)", "item", 7, None, "居民议事会"),
    ("7（居民议事会）", "item", 7, None, "居民议事会"),
    ("第7题(居民议事会)", "item", 7, None, "居民议事会"),
    ("5.1 社区议事会", "item", 5, 1, "社区议事会"),
    ("Q5.2：居民说事点", "item", 5, 2, "居民说事点"),
    ("25、(其他（请补充）:)", "item", 25, None, "其他（请补充）"),
    ("其他_____", "other", None, None, "其他_____"),
    ("所在社区", "unknown", None, None, "所在社区"),
])
def test_parse_header(header, kind, number, item, text):
    parsed = headers.parse_header(header)
    assert (parsed.kind, parsed.number, parsed.item, parsed.text) == (kind, number, item, text)


@pytest.mark.parametrize(("header", "name"), [
    ("来自IP", "ip"), ("IP", "ip"), ("所用时间", "duration"), ("答题时长", "duration"),
    ("地理位置（市）", "city"), ("地理位置(市)", "city"), ("填写设备", "device"),
    ("操作系统", "os"), ("浏览器", "browser"), ("总分", "total_score"), ("编号", "respondent_id"),
])
def test_metadata_headers(header, name):
    parsed = headers.parse_header(header)
    assert (parsed.kind, parsed.meta) == ("meta", name)


@pytest.mark.parametrize(("labels", "order"), [
    (["满意", "非常满意", "一般", "不满意", "非常不满意"], SCALE),
    (["比较满意", "很不满意", "一般", "很满意", "不太满意"],
     ["很不满意", "不太满意", "一般", "比较满意", "很满意"]),
    (["同意", "中立", "非常同意", "不同意", "非常不同意"],
     ["非常不同意", "不同意", "中立", "同意", "非常同意"]),
    (["比较了解", "完全不了解", "非常了解", "不太了解"],
     ["完全不了解", "不太了解", "比较了解", "非常了解"]),
    (["较好", "很差", "一般", "很好", "较差"], ["很差", "较差", "一般", "较好", "很好"]),
    (["经常", "从不", "偶尔", "有时"], ["从不", "偶尔", "有时", "经常"]),
    (["3分", "1分", "5分"], ["1分", "3分", "5分"]),
    (["男", "女"], None),
    (["居民议事会", "微信群", "项目听证会"], None),
    (["满意", "一般", "不知道"], None),
    (["18-35岁", "36-59岁", "60岁及以上"], None),
    (["非常满意", "十分满意", "一般"], None),  # two labels for one degree
])
def test_likert_order(labels, order):
    assert answers.likert_order(labels) == order


@pytest.mark.parametrize(("text", "seconds"), [
    ("125秒", 125.0), ("2分5秒", 125.0), ("1小时2分3秒", 3723.0), ("00:02:05", 125.0),
    ("2:05", 125.0), ("90", 90.0), (90, 90.0), ("3分钟", 180.0), ("很快", None), ("", None),
])
def test_parse_duration(text, seconds):
    assert answers.parse_duration(text) == seconds


def test_option_order_merges_the_answers():
    assert answers.option_order([["B", "C"], ["A", "B"], ["C", "D"], ["A"]]) == \
        ["A", "B", "C", "D"]


def test_large_export_reads_quickly(tmp_path):
    """A realistic size (3,000 responses × 40 columns) reads in a few seconds."""
    import time

    rng = np.random.default_rng(7)
    n = 3000
    frame = pd.DataFrame({
        "序号": np.arange(1, n + 1),
        "提交答卷时间": "2023/11/8 09:03:30",
        "所用时间": [f"{s}秒" for s in rng.integers(30, 600, n)],
        "来源": "微信", "来源详情": "N/A", "来自IP": "1.2.3.4(江西-南昌)",
    })
    for q in range(1, 21):
        frame[f"{q}、问题{q}："] = rng.choice([*SCALE, "(跳过)"], n)
    for option in ["甲", "乙", "丙", "丁", "戊"]:
        frame[f"21({option})"] = rng.integers(0, 2, n)
    frame["22、您参加过哪些活动？"] = ["┋".join(rng.choice(OPTIONS[:3], 2, replace=False))
                                for _ in range(n)]
    path = _csv(frame, tmp_path / "问卷星.csv", "gb18030")
    start = time.perf_counter()
    df = _read(path)
    assert time.perf_counter() - start < 10
    assert len(df) == n
    assert tk.io.load_record(df).accounts_for_every_row()
