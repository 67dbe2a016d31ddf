"""Value normalisation: dates, yes/no, numbers, vocabularies, missing codes.

Expected values are written by hand from the spelling in each case.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from toolkit.io.normalise import halfwidth, normalise_frame, parse_date, parse_missing_codes
from toolkit.io.record import LoadRecord

NOV8 = pd.Timestamp("2023-11-08")


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("2023年11月8日", NOV8, "Chinese date → date"),
        ("2023 年 11 月 8 日", NOV8, "Chinese date → date"),
        ("2023年11月08号", NOV8, "Chinese date → date"),
        ("2023.11.8", NOV8, "dotted date → date"),
        ("２０２３／１１／８", NOV8, "full-width date → date"),
        ("2023/11/8", NOV8, "slash date → date"),
        ("2023-11-08", NOV8, None),
        ("2023-11-8", NOV8, "ISO date → date"),
        ("2023-11-08T14:30:05", pd.Timestamp("2023-11-08 14:30:05"), None),
        ("2023/11/8 14:30", pd.Timestamp("2023-11-08 14:30"), "slash date → date"),
        ("2023-11-08T06:30:00Z", pd.Timestamp("2023-11-08 06:30"),
         "date-time with time zone → UTC"),
        ("20231108", NOV8, "YYYYMMDD → date"),
        ("45238", NOV8, "Excel serial number → date"),
        (45238, NOV8, "Excel serial number → date"),
        (45238.5, pd.Timestamp("2023-11-08 12:00"), "Excel serial number → date"),
        (dt.date(2023, 11, 8), NOV8, None),
        (pd.Timestamp("2023-11-08"), NOV8, None),
    ],
)
def test_date_spellings(text, expected, kind):
    assert parse_date(text) == (expected, kind, None)


@pytest.mark.parametrize(
    ("value", "check"),
    [
        ("下周", "not_a_date"),
        ("2023年11月", "not_a_date"),  # no day: never guessed
        ("11/8/2023", "not_a_date"),  # month-first: ambiguous, never guessed
        ("2023年2月30日", "invalid_date"),
        ("2023-13-01", "invalid_date"),
        ("20231340", "invalid_date"),
        (3, "serial_out_of_range"),
        (99999, "serial_out_of_range"),
        (True, "not_a_date"),
    ],
)
def test_not_dates_are_errors(value, check):
    assert parse_date(value) == (None, None, check)


def test_halfwidth_only_touches_digits_letters_and_space():
    assert halfwidth("１２３ＡＢＣａｂｃ\u3000，（）") == "123ABCabc ，（）"


def _frame(table, columns, *, missing_codes=None, rows=None):
    data = pd.DataFrame(columns)
    rec = LoadRecord(file="f.csv", table=table, rows_read=len(data), rows_kept=len(data))
    rows = np.arange(2, 2 + len(data)) if rows is None else np.asarray(rows)
    out, book = normalise_frame(data, table=table, record=rec, rows=rows,
                                missing_codes=missing_codes)
    return out, rec, book


def test_yes_no_variants():
    yes = ["是", "有", "√", "✓", "Y", "yes", "TRUE", "1", "已", " 是 ", "ｙ"]
    no = ["否", "无", "×", "✗", "N", "no", "false", "0", "未"]
    out, rec, _ = _frame("sessions", {"consensus": yes + no + ["", "也许"]})
    assert out["consensus"].tolist()[:-2] == [True] * len(yes) + [False] * len(no)
    assert out["consensus"].isna().tolist()[-2:] == [True, True]
    assert str(out["consensus"].dtype) == "boolean"
    problems = rec.problems
    assert problems[["row", "column", "value", "check"]].values.tolist() == [
        [2 + len(yes) + len(no) + 1, "consensus", "也许", "not_yes_no"]]


def test_numbers_full_width_and_separators():
    out, rec, _ = _frame("sessions", {"round": ["１", "2", " 3 ", "4.0", "二", "2.5"],
                                      "n_participants": ["1,234", "５０", "7", "8", "9", "10"]})
    assert out["round"].tolist()[:4] == [1, 2, 3, 4]
    assert out["round"].isna().tolist() == [False] * 4 + [True, True]
    assert out["n_participants"].tolist() == [1234, 50, 7, 8, 9, 10]
    assert rec.problems[["row", "column", "value", "check"]].values.tolist() == [
        [6, "round", "二", "not_a_number"], [7, "round", "2.5", "not_an_integer"]]
    what = rec.coercions.set_index(["column", "what"])["count"].to_dict()
    assert what == {
        ("round", "full-width digits → half-width"): 1,
        ("round", "whitespace stripped"): 1,
        ("round", "decimal written for a whole number"): 1,
        ("n_participants", "thousands separator removed"): 1,
        ("n_participants", "full-width digits → half-width"): 1,
    }


def test_vocabulary_spellings_and_unknown_values():
    values = ["居民议事会 ", "Residents' council", "residents_council", "议事会", "ＷｅＣｈａｔ",
              "居民议事会议", "居民议事会议", None]
    out, rec, _ = _frame("sessions", {"platform": values})
    assert out["platform"].tolist()[:7] == ["居民议事会"] * 4 + ["微信群"] + ["居民议事会议"] * 2
    assert pd.isna(out["platform"].tolist()[7])
    cats = list(out["platform"].cat.categories)
    assert cats[-1] == "居民议事会议"
    assert "居民议事会" in cats
    problems = rec.problems
    assert problems[["row", "column", "value", "check", "severity"]].values.tolist() == [
        [7, "platform", "居民议事会议", "unknown_value", "error"],
        [8, "platform", "居民议事会议", "unknown_value", "error"],
    ]
    assert problems.loc[0, "fix"].startswith("Did you mean `居民议事会`?")
    coerced = rec.coercions.set_index("what")
    assert coerced.loc["whitespace stripped", "count"] == 1
    assert coerced.loc["spelling → vocabulary term", "count"] == 4
    assert coerced.loc["spelling → vocabulary term", "before"] == "Residents' council"


def test_ordered_vocabulary_stays_ordered():
    out, _, _ = _frame("sessions", {"stage": ["议事协商", "征集", "实施"]})
    assert out["stage"].cat.ordered
    assert out["stage"].tolist() == ["议事协商", "议题征集", "组织实施"]
    assert out["stage"].max() == "组织实施"


def test_identifiers_and_free_text():
    out, rec, _ = _frame("sessions", {
        "session_id": ["Ｓ００１", " S002", "S003"],
        "topic": ["加装电梯（第１期）", "  停车  ", "ＡＢＣ小区"],
    })
    assert out["session_id"].tolist() == ["S001", "S002", "S003"]
    # free text: only digits and Latin letters made half-width; Chinese brackets stay
    assert out["topic"].tolist() == ["加装电梯（第1期）", "停车", "ABC小区"]
    assert rec.problems.empty


def test_blank_cells_become_missing_and_are_counted():
    out, rec, _ = _frame("sessions", {"topic": ["议题", "   ", "\u3000"]})
    assert out["topic"].isna().tolist() == [False, True, True]
    assert rec.coercions.values.tolist() == [
        ["topic", "blank (spaces only) → missing", 2, "   ", None]]


def test_missing_codes_forms():
    assert parse_missing_codes([98, "99", 97.0]).common == {98: None, 99: None, 97: None}
    assert parse_missing_codes({98: "不知道"}).common == {98: "不知道"}
    assert parse_missing_codes(["不清楚"]).common == {"不清楚": None}
    assert parse_missing_codes({"q1": {9: "拒答"}}, columns=("q1",)).by_column == {
        "q1": {9: "拒答"}}
    with pytest.raises(TypeError, match="`missing_codes` must be"):
        parse_missing_codes(object())


def test_missing_codes_by_label_text_and_fullwidth():
    out, rec, book = _frame("survey", {"q1": ["1", "９８", "不知道", "拒答", "99"]},
                            missing_codes={98: "不知道", 99: "拒答"})
    assert out["q1"].tolist()[0] == 1
    assert out["q1"].isna().tolist() == [False, True, True, True, True]
    assert rec.missing.values.tolist() == [
        [3, "q1", 98, "不知道"], [4, "q1", 98, "不知道"], [5, "q1", 99, "拒答"],
        [6, "q1", 99, "拒答"]]
    assert book == {"q1": {"missing_codes": {98: "不知道", 99: "拒答"}}}


def test_global_codes_spare_identifiers_dates_and_measures():
    out, rec, book = _frame(
        "survey",
        {"respondent_id": ["98", "R2"], "age": ["98", "40"], "gender": ["男", "99"],
         "party_member": ["是", "98"]},
        missing_codes=[98, 99])
    assert out["respondent_id"].tolist() == ["98", "R2"]
    assert out["age"].tolist() == [98, 40]
    assert out["gender"].isna().tolist() == [False, True]
    assert out["party_member"].isna().tolist() == [False, True]
    assert set(book) == {"gender", "party_member"}
    assert rec.problems.empty


def test_excel_typed_cells():
    """Cells as an Excel reader gives them: numbers, datetimes, floats for ids."""
    out, rec, _ = _frame("sessions", {
        "session_id": pd.Series([1001.0, 1002.0]),
        "date": pd.Series([dt.datetime(2023, 11, 8), 45239], dtype=object),
        "round": pd.Series([1.0, np.nan]),
        "consensus": pd.Series([1, 0]),
    })
    assert out["session_id"].tolist() == ["1001", "1002"]
    assert out["date"].tolist() == [NOV8, pd.Timestamp("2023-11-09")]
    assert out["round"].tolist()[0] == 1
    assert out["round"].isna().tolist() == [False, True]
    assert out["consensus"].tolist() == [True, False]
    assert rec.problems.empty


def test_input_frame_is_not_modified():
    data = pd.DataFrame({"platform": ["议事会"], "date": ["2023年11月8日"]})
    before = data.copy()
    normalise_frame(data, table="sessions", record=LoadRecord(), rows=np.array([2]))
    pd.testing.assert_frame_equal(data, before)
