"""SPSS/Stata reading with value labels and declared missing codes; Parquet reading.

Each file is written here with pyreadstat (``write_sav``, ``write_dta``) from values
chosen by hand, so the expected categories, codes and missing cells are known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from toolkit._values import as_numeric
from toolkit.errors import ReadError, ToolkitError
from toolkit.io.labelled import read_labelled, read_parquet_raw

LIKERT = {1: "非常不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "非常满意"}


def write_survey_sav(path, *, compress=False):
    raw = pd.DataFrame({
        "rid": ["R1", "R2", "R3", "R4", "R5", "R6"],
        "q1": [1.0, 2.0, 5.0, 98.0, 99.0, np.nan],
        "gender": [1.0, 2.0, 1.0, 2.0, 1.0, 2.0],
        "age": [30.0, 41.0, 97.0, 55.0, 99.0, 62.0],
        "q2": [1.0, 3.0, 5.0, 4.0, 2.0, 1.0],
        "w": [1.5, 0.5, 1.0, 1.0, 2.0, 1.25],
    })
    pyreadstat.write_sav(
        raw, path, compress=compress,
        column_labels={"rid": "受访者编号", "q1": "对协商结果的满意度", "gender": "性别",
                       "age": "年龄"},
        variable_value_labels={
            "q1": {**LIKERT, 98: "不知道", 99: "拒答"},
            "gender": {1: "男", 2: "女"},
            "q2": {1: "很低", 5: "很高"},  # labelled at the ends only
        },
        missing_ranges={"q1": [98, 99], "age": [{"lo": 97, "hi": 99}]},
    )
    return path


def test_sav_value_labels_missing_codes_and_codebook(tmp_path):
    df, rec = read_labelled(write_survey_sav(tmp_path / "居民问卷.sav"))
    assert list(df.columns) == ["rid", "q1", "gender", "age", "q2", "w"]
    assert isinstance(df.index, pd.RangeIndex)

    # q1: ordered categorical of the five labels in code order; 98/99 → NA
    assert isinstance(df["q1"].dtype, pd.CategoricalDtype)
    assert df["q1"].cat.ordered
    assert list(df["q1"].cat.categories) == ["非常不满意", "不满意", "一般", "满意", "非常满意"]
    assert df["q1"].tolist()[:3] == ["非常不满意", "不满意", "非常满意"]
    assert df["q1"].isna().tolist() == [False, False, False, True, True, True]
    # gender: two labelled codes → unordered categorical
    assert not df["gender"].cat.ordered
    assert df["gender"].tolist() == ["男", "女", "男", "女", "男", "女"]
    # age: range 97–99 declared missing; whole numbers → Int64
    assert df["age"].dtype == "Int64"
    assert df["age"].tolist() == [30, 41, pd.NA, 55, pd.NA, 62]
    # q2 has unlabelled codes 2, 3, 4 → kept as numbers, labels in the codebook
    assert df["q2"].dtype == "int64"
    assert df["q2"].tolist() == [1, 3, 5, 4, 2, 1]
    assert "q2: value(s) 2, 3, 4 have no value label; kept as codes (labels in the codebook)" \
        in rec.notes
    assert df["w"].tolist() == [1.5, 0.5, 1.0, 1.0, 2.0, 1.25]
    assert df["rid"].tolist() == ["R1", "R2", "R3", "R4", "R5", "R6"]

    book = df.attrs["codebook"]
    assert book["q1"] == {"label": "对协商结果的满意度", "value_labels": LIKERT,
                          "missing_codes": {98: "不知道", 99: "拒答"}, "source": "sav"}
    assert book["gender"] == {"label": "性别", "value_labels": {1: "男", 2: "女"},
                              "missing_codes": {}, "source": "sav"}
    assert book["age"] == {"label": "年龄", "value_labels": {},
                           "missing_codes": {97: None, 99: None}, "source": "sav"}
    assert book["q2"]["value_labels"] == {1: "很低", 5: "很高"}
    assert book["w"]["label"] is None

    assert rec.missing.to_dict("list") == {
        "row": [4, 5, 3, 5],
        "column": ["q1", "q1", "age", "age"],
        "code": [98, 99, 97, 99],
        "label": ["不知道", "拒答", None, None],
    }
    assert rec.rows_read == rec.rows_kept == 6
    assert rec.row_numbers == [1, 2, 3, 4, 5, 6]
    assert rec.accounts_for_every_row()


def test_categories_give_back_codes_through_as_numeric(tmp_path):
    df, _ = read_labelled(write_survey_sav(tmp_path / "s.sav"))
    # the column carries the frame's codebook in its attrs
    assert as_numeric(df["q1"]).tolist()[:3] == [1.0, 2.0, 5.0]
    assert np.isnan(as_numeric(df["q1"]).tolist()[3:]).all()
    assert as_numeric(df["gender"]).tolist() == [1.0, 2.0, 1.0, 2.0, 1.0, 2.0]
    assert as_numeric(df["q2"]).tolist() == [1.0, 3.0, 5.0, 4.0, 2.0, 1.0]


def test_zsav_and_measure_level(tmp_path):
    raw = pd.DataFrame({"party": [1.0, 2.0, 3.0], "edu": [1.0, 3.0, 2.0]})
    path = tmp_path / "m.zsav"
    pyreadstat.write_sav(
        raw, path, compress=True,
        variable_value_labels={"party": {1: "中共党员", 2: "共青团员", 3: "群众"},
                               "edu": {1: "初中", 2: "高中", 3: "大学"}},
        variable_measure={"party": "nominal", "edu": "ordinal"},
    )
    df, _ = read_labelled(path)
    # consecutive codes, but declared nominal → unordered
    assert not df["party"].cat.ordered
    assert df["party"].tolist() == ["中共党员", "共青团员", "群众"]
    assert df["edu"].cat.ordered
    assert list(df["edu"].cat.categories) == ["初中", "高中", "大学"]
    assert df.attrs["codebook"]["party"]["measure"] == "nominal"


def test_dta_value_labels_and_extended_missing(tmp_path):
    raw = pd.DataFrame({
        "rid": ["R1", "R2", "R3", "R4"],
        "q1": pd.Series([1, 4, "a", "b"], dtype=object),  # .a / .b extended missing
        "town": [1, 2, 2, 1],
    })
    path = tmp_path / "问卷.dta"
    pyreadstat.write_dta(
        raw, path, column_labels={"q1": "满意度", "town": "镇街"},
        variable_value_labels={"q1": {**LIKERT, "a": "不知道", "b": "拒答"},
                               "town": {1: "东城街道", 2: "西城街道"}},
        missing_user_values={"q1": ["a", "b"]},
    )
    df, rec = read_labelled(path)
    assert df["q1"].cat.ordered
    assert df["q1"].tolist()[:2] == ["非常不满意", "满意"]
    assert df["q1"].isna().tolist() == [False, False, True, True]
    assert df["town"].tolist() == ["东城街道", "西城街道", "西城街道", "东城街道"]
    assert df.attrs["codebook"]["q1"] == {
        "label": "满意度", "value_labels": LIKERT,
        "missing_codes": {".a": "不知道", ".b": "拒答"}, "source": "dta",
    }
    assert rec.missing.to_dict("list") == {
        "row": [3, 4], "column": ["q1", "q1"], "code": [".a", ".b"], "label": ["不知道", "拒答"]
    }
    assert as_numeric(df["q1"]).tolist()[:2] == [1.0, 4.0]


def test_unsupported_and_missing_files(tmp_path):
    other = tmp_path / "a.csv"
    other.write_text("x\n1\n", encoding="utf-8")
    with pytest.raises(ReadError, match="not an SPSS"):
        read_labelled(other)
    with pytest.raises(FileNotFoundError):
        read_labelled(tmp_path / "nope.sav")
    broken = tmp_path / "broken.sav"
    broken.write_bytes(b"not a sav file at all")
    with pytest.raises(ReadError, match=r"Cannot read 'broken\.sav' as an SPSS file") as err:
        read_labelled(broken)
    assert isinstance(err.value, ToolkitError)


def test_parquet_keeps_codebook_and_turns_index_into_column(tmp_path):
    frame = pd.DataFrame({"session_id": ["S1", "S2"], "round": [1, 2]})
    frame.attrs["codebook"] = {"round": {"label": "协商轮次"}}
    path = tmp_path / "会议.parquet"
    frame.to_parquet(path)
    df, rec = read_parquet_raw(path)
    pd.testing.assert_frame_equal(df, frame)
    assert df.attrs["codebook"] == {"round": {"label": "协商轮次"}}
    assert (rec.rows_read, rec.rows_kept, rec.row_numbers) == (2, 2, [1, 2])

    indexed = tmp_path / "indexed.parquet"
    frame.set_index("session_id").to_parquet(indexed)
    df2, rec2 = read_parquet_raw(indexed)
    assert list(df2.columns) == ["session_id", "round"]
    assert isinstance(df2.index, pd.RangeIndex)
    assert rec2.notes == ["stored index turned into column(s): session_id"]

    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"nope")
    with pytest.raises(ReadError, match="as a Parquet file"):
        read_parquet_raw(bad)


def test_sav_string_variables_labels_blanks_and_missing(tmp_path):
    raw = pd.DataFrame({"sex": ["M", "F", "X", ""], "town": ["东城", "", "西城", "东城"]})
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(raw, path, variable_value_labels={"sex": {"M": "男", "F": "女"}},
                         missing_ranges={"town": [""], "sex": ["X"]})
    df, rec = read_labelled(path)
    assert not df["sex"].cat.ordered
    assert df["sex"].tolist()[:2] == ["男", "女"]
    assert df["sex"].isna().tolist() == [False, False, True, True]
    assert df["town"].isna().tolist() == [False, True, False, False]
    assert rec.missing.to_dict("list") == {
        "row": [3, 2], "column": ["sex", "town"], "code": ["X", ""], "label": [None, None]
    }
    # the blank sex (not declared missing) is recorded as a change
    assert rec.coercions[["column", "what", "count"]].to_dict("records") == [
        {"column": "sex", "what": "blank text → missing", "count": 1}
    ]


def test_value_outside_the_labelled_range_is_reported_and_type_kept(tmp_path):
    """A 6 on a 1–5 labelled item: reported at its case, the item stays a Categorical."""
    likert = {1: "很不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "很满意"}
    raw = pd.DataFrame({"q1": [1.0, 5.0, 3.0], "q2": [2.0, 6.0, 4.0]})
    path = tmp_path / "问卷.sav"
    pyreadstat.write_sav(raw, path, variable_value_labels={"q1": likert, "q2": likert})
    df, rec = read_labelled(path)
    assert isinstance(df["q2"].dtype, pd.CategoricalDtype)
    assert df["q2"].dtype == df["q1"].dtype  # the same type as its sibling
    assert df["q2"].tolist()[0] == "不满意"
    assert pd.isna(df["q2"].iloc[1])
    problems = rec.problems
    assert problems[["row", "column", "value", "check", "severity"]].values.tolist() == [
        [2, "q2", "6", "out_of_range", "error"]]
    assert "outside the labelled range 1–5" in problems.loc[0, "problem"]
    assert rec.coercions[["column", "count"]].values.tolist() == [["q2", 1]]
