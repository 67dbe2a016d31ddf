"""Validation reports every problem of a table or a study at once, exactly located."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit as tk
from toolkit.errors import PROBLEM_COLUMNS, ValidationError
from toolkit.io.record import LoadRecord
from toolkit.io.validation import ValidationReport, table_schema, validate

WHERE = ["table", "row", "column", "value", "check"]


def located(report: ValidationReport) -> list[tuple]:
    """(table, row, column, value, check) of every problem, with None for empty cells."""
    out = []
    for rec in report.problems[WHERE].to_dict("records"):
        out.append(tuple(None if pd.isna(v) else v for v in rec.values()))
    return out


def id_card(prefix17: str) -> str:
    """A mainland ID-card number with a valid GB 11643 (ISO 7064 MOD 11-2) check digit."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(prefix17, weights, strict=True))
    return prefix17 + "10X98765432"[total % 11]


def with_record(frame: pd.DataFrame, **fields) -> pd.DataFrame:
    rec = LoadRecord(**fields)
    rec.rows_read = rec.rows_kept = len(frame)
    frame.attrs["load_record"] = rec
    return frame


@pytest.fixture
def bad_sessions() -> pd.DataFrame:
    """A session ledger as read from an Excel sheet whose data start in row 5."""
    frame = pd.DataFrame({
        "session_id": ["S01", "S02", "S03", "S02"],
        "date": pd.to_datetime(["2023-11-08", "2023-11-15", "2023-11-20", "2023-12-01"]),
        "platform": pd.Categorical(["居民议事会", "居民议事会议", "微信群", "民主对话会"]),
        "round": [1, 2, 6, 25],
        "implemented_date": pd.to_datetime([None, "2023-11-01", None, None]),
    })
    return with_record(frame, file="活动台账.xlsx", sheet="协商活动", table="sessions",
                       header_rows=2, first_data_row=5, row_numbers=[5, 6, 7, 9])


def test_every_problem_of_a_table_at_once(bad_sessions):
    report = validate(bad_sessions, as_of="2024-01-01")
    # unit_id is required and missing; S02 repeated; 居民议事会议 is a near miss; round 25
    # is above the schema's maximum of 20; implemented a week before the session
    assert located(report) == [
        ("sessions", None, "unit_id", None, "missing_column"),
        ("sessions", 6, "platform", "居民议事会议", "unknown_value"),
        ("sessions", 6, "implemented_date", "2023-11-01", "impossible_date"),
        ("sessions", 9, "session_id", "S02", "duplicate_id"),
        ("sessions", 9, "round", "25", "out_of_range"),
    ]
    assert list(report.problems.columns) == PROBLEM_COLUMNS
    assert set(report.problems["file"]) == {"活动台账.xlsx"}
    assert set(report.problems["sheet"]) == {"协商活动"}
    assert set(report.problems["severity"]) == {"error"}
    assert not report.ok
    platform = report.problems.iloc[1]
    assert "`居民议事会`" in platform["fix"]
    assert "“居民议事会”" in platform["fix_zh"]
    dup = report.problems.iloc[3]
    assert "first in row 6" in dup["problem"]
    assert "第 6 行" in dup["problem_zh"]


def test_every_problem_has_text_in_both_languages(bad_sessions):
    problems = validate(bad_sessions, as_of="2024-01-01").problems
    for column in ("problem", "fix", "problem_zh", "fix_zh"):
        assert problems[column].map(lambda t: isinstance(t, str) and len(t) > 10).all()
    assert problems["problem_zh"].str.contains(r"[\u4e00-\u9fff]").all()
    assert problems["fix_zh"].str.contains(r"[\u4e00-\u9fff]").all()


def test_row_numbers_without_a_load_record_count_one_header_row():
    frame = pd.DataFrame({"session_id": ["S1", "S2"], "participant_id": ["P1", None]})
    report = validate(frame, kind="attendance")
    assert located(report) == [("attendance", 3, "participant_id", None, "missing_value")]
    assert report.problems["file"].isna().all()


def test_rows_of_a_filtered_frame_keep_their_file_rows(bad_sessions):
    subset = bad_sessions[bad_sessions["round"] > 5]  # index labels 2 and 3
    report = validate(subset, as_of="2024-01-01")
    assert ("sessions", 9, "round", "25", "out_of_range") in located(report)


def test_duplicate_rows_keys_and_missing_ids_in_attendance():
    attendance = pd.DataFrame({
        "session_id": ["S1", "S1", "S1", "S2", "S2"],
        "participant_id": ["P1", "P2", "P2", "P1", "P1"],
        "role": ["宣传员", "调查员", "调查员", "联络员", "促进员"],
        "speeches": [2, 0, 0, 1, -1],
    })
    report = validate(attendance, kind="attendance")
    assert located(report) == [
        ("attendance", 4, None, None, "duplicate_row"),
        ("attendance", 6, None, None, "duplicate_key"),
        ("attendance", 6, "speeches", "-1", "out_of_range"),
    ]
    key = report.problems.iloc[1]
    assert "session_id=S2, participant_id=P1" in key["problem"]
    assert "first in row 5" in key["problem"]


def test_types_vocabulary_spelling_and_text_dates():
    units = pd.DataFrame({
        "unit_id": ["C01", "C02", "C03"],
        "name": ["甲社区", "乙社区", "丙社区"],
        "level": ["村社区", "Village/community", "小区"],
        "has_room": [True, "是", None],
        "population": ["1200", "约3000", 800],
    })
    report = validate(units, kind="units")
    assert located(report) == [
        ("units", 3, "level", "Village/community", "unknown_value"),
        ("units", 3, "has_room", "是", "type"),
        ("units", 3, "population", "约3000", "type"),
        ("units", 4, "level", "小区", "unknown_value"),
    ]
    spelling = report.problems.iloc[0]
    assert "`村社区`" in spelling["fix"]  # another spelling of a known term

    sessions = pd.DataFrame({"session_id": ["S1", "S2"], "date": ["2023-11-08", "2023-11-31"],
                             "unit_id": ["C1", "C1"], "platform": ["微信群", "微信群"]})
    report = validate(sessions, kind="sessions", as_of="2024-01-01")
    assert located(report) == [("sessions", 3, "date", "2023-11-31", "type")]
    sessions.loc[1, "date"] = "2023-11-30"
    report = validate(sessions, kind="sessions", as_of="2024-01-01")
    assert located(report) == [("sessions", None, "date", None, "type")]
    assert report.ok  # text dates that all read as dates: a warning
    assert report.problems["severity"].tolist() == ["warning"]


def build_study() -> tk.Study:
    units = with_record(pd.DataFrame({
        "unit_id": ["D01", "T01", "C01", "C02"],
        "name": ["汇川区", "高桥街道", "甲社区", "乙社区"],
        "level": ["区县", "镇街", "村社区", "村社区"],
        "parent_id": [None, "D01", "T01", "T09"],
    }), file="区划.csv", table="units")
    participants = with_record(pd.DataFrame({
        "participant_id": ["P01", "P02", "P03"],
        "type": ["居民代表", "专家", "政协委员"],
        "unit_id": ["C01", "C02", "C07"],
    }), file="参与者.csv", table="participants", row_numbers=[2, 3, 4])
    sessions = pd.DataFrame({
        "session_id": ["S01", "S02"],
        "date": pd.to_datetime(["2023-11-08", "2023-11-20"]),
        "unit_id": ["C01", "C05"],
        "platform": ["居民议事会", "社区恳谈会"],
        "implemented_date": pd.to_datetime(["2023-12-20", "2033-12-20"]),
    })
    attendance = pd.DataFrame({
        "session_id": ["S01", "S01", "S03", "S02"],
        "participant_id": ["P01", "P02", "P01", "P9"],
        "role": ["宣传员", "调查员", "联络员", "促进员"],
    })
    submissions = pd.DataFrame({
        "submission_id": ["X1", "X2"],
        "author_id": ["P03", "P04"],
        "date": pd.to_datetime(["2023-10-01", "2023-10-05"]),
        "channel": ["社情民意信息", "提案"],
        "response_date": pd.to_datetime(["2023-09-30", "2023-11-01"]),
    })
    survey = pd.DataFrame({
        "respondent_id": ["R1", "R2", "R3"],
        "unit_id": ["C01", "C02", "C08"],
        "weight": [1.5, 2.0, None],
        "q1": [4, 6, 2],
        "q2": pd.Categorical(["满意", "一般", None],
                             categories=["不满意", "一般", "满意"], ordered=True),
        "q3": [1, 99, 5],
    })
    return tk.Study(units=units, participants=participants, sessions=sessions,
                    attendance=attendance, submissions=submissions, survey=survey,
                    design={"weights": "weight"},
                    scales={"satisfaction": {"items": ["q1", "q2", "q3", "q4"], "min": 1,
                                             "max": 5}},
                    as_of="2024-06-30")


def test_a_study_reports_every_problem_across_tables():
    report = build_study().validate()
    assert located(report) == [
        ("units", 5, "parent_id", "T09", "dangling_reference"),
        ("participants", 4, "unit_id", "C07", "dangling_reference"),
        ("sessions", 3, "unit_id", "C05", "dangling_reference"),
        ("sessions", 3, "implemented_date", "2033-12-20", "future_date"),
        ("attendance", 4, "session_id", "S03", "dangling_reference"),
        ("attendance", 5, "participant_id", "P9", "dangling_reference"),
        ("submissions", 2, "response_date", "2023-09-30", "impossible_date"),
        ("submissions", 3, "author_id", "P04", "dangling_reference"),
        ("survey", None, "q4", None, "missing_column"),
        ("survey", 3, "q1", "6", "out_of_range"),
        ("survey", 3, "q3", "99", "out_of_range"),
        ("survey", 4, "unit_id", "C08", "dangling_reference"),
        ("survey", 4, "weight", None, "missing_value"),
    ]
    files = report.problems.groupby("table", sort=False)["file"].first()
    assert files["units"] == "区划.csv"
    assert pd.isna(files["sessions"])  # built in memory: no load record, no file
    unknown = report.problems[report.problems["value"] == "P9"].iloc[0]
    assert "Did you mean" not in unknown["fix"]  # no id is P9 written differently


def test_dangling_reference_suggests_the_same_id_written_differently():
    study = tk.Study(
        sessions=pd.DataFrame({"session_id": ["S001"], "date": pd.to_datetime(["2023-11-08"]),
                               "unit_id": ["C01"], "platform": ["微信群"]}),
        attendance=pd.DataFrame({"session_id": ["s-1"], "participant_id": ["P1"]}),
    )
    problem = study.validate(as_of="2024-01-01").problems.iloc[0]
    assert problem["check"] == "dangling_reference"
    assert "Did you mean `S001`?" in problem["fix"]


def test_out_of_range_advice_names_missing_codes():
    report = build_study().validate()
    q3 = report.problems[report.problems["column"] == "q3"].iloc[0]
    assert "1–5 scale of `satisfaction`" in q3["problem"]
    assert "missing_codes" in q3["fix"]


def test_strict_raises_one_error_listing_every_problem():
    study = build_study()
    with pytest.raises(ValidationError) as info:
        study.validate(strict=True)
    assert len(info.value.problems) == 13
    assert isinstance(info.value, ValueError)
    assert "13 error(s)" in str(info.value)
    with pytest.raises(ValidationError):
        validate(study, strict=True)


def test_warnings_do_not_fail_strict_validation():
    sessions = pd.DataFrame({"session_id": ["S1"], "date": ["2023-11-08"], "unit_id": ["C1"],
                             "platform": ["微信群"]})
    report = validate(sessions, kind="sessions", strict=True, as_of="2024-01-01")
    assert report.ok
    assert report.n_warnings == 1


def test_clean_study_is_ok():
    sessions = pd.DataFrame({"session_id": ["S1"], "date": pd.to_datetime(["2023-11-08"]),
                             "unit_id": ["C1"], "platform": ["微信群"]})
    report = tk.Study(sessions=sessions).validate(as_of="2024-01-01")
    assert report.ok
    assert report.problems.empty
    assert list(report.problems.columns) == PROBLEM_COLUMNS
    assert report.to_text(lang="en") == "Validation: no problems found."
    assert report.to_text() == "校验结果：未发现问题。"
    assert report.summary().to_frame().empty


def test_load_record_problems_and_lost_rows_are_reported():
    frame = pd.DataFrame({"session_id": ["S1"], "participant_id": ["P1"]})
    rec = LoadRecord(file="参与记录.csv", table="attendance", rows_read=3, rows_kept=1,
                     row_numbers=[2])
    rec.set_aside(row=3, reason="footer: 填表人")
    rec.problem(row=4, column="participant_id", value="P 2", check="unreadable",
                severity="error", problem="the row has 5 fields, the header 2",
                fix="remove the stray commas", problem_zh="该行有 5 个字段",
                fix_zh="删去多余的逗号")
    frame.attrs["load_record"] = rec
    report = validate(frame)  # the kind comes from the load record
    assert located(report) == [
        ("attendance", None, None, None, "rows_unaccounted"),
        ("attendance", 4, "participant_id", "P 2", "unreadable"),
    ]
    assert report.problems["file"].tolist() == ["参与记录.csv", "参与记录.csv"]
    assert "3 rows were read but only 1 kept and 1 set aside" in report.problems.iloc[0][
        "problem"]


def test_personal_values_never_appear_unmasked():
    ids = [id_card("11010519491231002"), id_card("44030119851108123"),
           id_card("32010219900101345")]
    participants = pd.DataFrame({
        "participant_id": [ids[0], ids[1], ids[1]],
        "name": ["张伟", "李娜", "李娜"],
        "type": ["居民代表", "专家", "专家"],
        "phone": ["13812345678", "13912345678", "13912345678"],
        "id_card": [*ids[:2], "1101051949"],
    })
    attendance = pd.DataFrame({"session_id": ["S1", "S1"], "participant_id": [ids[0], ids[2]]})
    sessions = pd.DataFrame({"session_id": ["S1"], "date": pd.to_datetime(["2023-11-08"]),
                             "unit_id": ["C1"], "platform": ["微信群"]})
    study = tk.Study(participants=participants, attendance=attendance, sessions=sessions)
    report = study.validate(as_of="2024-01-01")
    checks = report.problems["check"].tolist()
    assert checks == ["duplicate_id", "dangling_reference"]
    shown = "\n".join([report.problems.to_csv(), report.to_text(), report.to_text(lang="en"),
                       report._repr_html_(), study._repr_html_()])
    for secret in [*ids, "13912345678", "张伟", "李娜"]:
        assert secret not in shown
    assert report.problems.iloc[1]["value"]  # masked, not dropped
    with pytest.raises(ValidationError) as info:
        report.raise_if_errors()
    assert ids[2] not in str(info.value)


def test_dataframe_needs_a_kind():
    with pytest.raises(ValueError, match="kind="):
        validate(pd.DataFrame({"a": [1]}))
    with pytest.raises(ValueError, match=r"`kind` must be one of 'units', .*not 'session'\. "
                       r"Did you mean 'sessions'\?"):
        validate(pd.DataFrame({"a": [1]}), kind="session")
    with pytest.raises(TypeError, match="DataFrame or a Study"):
        validate([1, 2, 3])


def test_report_views(bad_sessions):
    report = validate(bad_sessions, as_of="2024-01-01")
    summary = report.summary().to_frame()
    assert list(summary.columns) == ["table", "check", "severity", "n"]
    assert int(summary["n"].sum()) == 5
    text = report.to_text(lang="en").splitlines()
    assert text[0] == "Validation: 5 error(s), 0 warning(s)."
    assert text[2].startswith("[error] sessions, 活动台账.xlsx [协商活动], row 6, "
                              "platform = '居民议事会议': ")
    zh = report.to_text().splitlines()
    assert zh[0] == "校验结果：5 个错误，0 个警告。"
    assert "第 6 行" in zh[2]
    assert "<table" in report._repr_html_()
    assert repr(report) == "<ValidationReport: 5 error(s), 0 warning(s)>"
    assert report.to_frame().equals(report.problems)


def test_html_escapes_values():
    units = pd.DataFrame({"unit_id": ["C1"], "name": ["x"], "level": ["<b>村</b>"]})
    html = validate(units, kind="units")._repr_html_()
    assert "<b>村</b>" not in html


def test_validate_reaches_the_function_through_every_name(bad_sessions):
    import toolkit.io.validation  # noqa: F401  (importing the module must not shadow the function)

    assert tk.validate(bad_sessions, as_of="2024-01-01").n_errors == 5
    assert tk.io.validate(bad_sessions, as_of="2024-01-01").n_errors == 5


@pytest.mark.parametrize("kind", tk.schema.TABLE_NAMES)
def test_schemas_are_generated_from_the_canonical_tables(kind):
    generated = table_schema(kind)
    table = tk.schema.TABLES[kind]
    assert list(generated.columns) == list(table.column_names)
    for column in table.columns:
        pandera_column = generated.columns[column.name]
        assert pandera_column.required == column.required
        assert pandera_column.unique == column.unique
        names = {c.name for c in pandera_column.checks}
        assert ("unknown_value" in names) == (column.vocabulary is not None)
        has_range = column.min_value is not None or column.max_value is not None
        assert ("out_of_range" in names) == has_range


def test_input_is_not_modified(bad_sessions):
    before = bad_sessions.copy()
    validate(bad_sessions, as_of="2024-01-01")
    pd.testing.assert_frame_equal(bad_sessions, before)


def test_scale_items_must_have_numeric_codes():
    survey = pd.DataFrame({
        "respondent_id": ["R1", "R2"],
        "q1": pd.Categorical(["满意", "很满意"]),  # unordered, no value labels
        "q2": pd.Categorical(["满意", "一般"], categories=["不满意", "一般", "满意"],
                             ordered=True),
    })
    study = tk.Study(survey=survey, scales={"s": {"items": ["q1", "q2"], "min": 1, "max": 3}})
    report = study.validate(as_of="2024-01-01")
    assert located(report) == [("survey", None, "q1", None, "type")]
    assert "cannot be scored" in report.problems.loc[0, "problem"]


PLATFORMS = ["居民议事会", "微信群", "居民议事会议", "议事会", "", None]


@st.composite
def session_tables(draw):
    n = draw(st.integers(min_value=0, max_value=12))
    ids = draw(st.lists(st.sampled_from(["S1", "S2", "S3", "S4", None]), min_size=n,
                        max_size=n))
    platforms = draw(st.lists(st.sampled_from(PLATFORMS), min_size=n, max_size=n))
    rounds = draw(st.lists(st.one_of(st.none(), st.integers(-2, 25)), min_size=n, max_size=n))
    return pd.DataFrame({
        "session_id": pd.array(ids, dtype="object"),
        "date": pd.to_datetime(["2023-11-08"] * n),
        "unit_id": ["C01"] * n,
        "platform": pd.array(platforms, dtype="object"),
        "round": pd.array(rounds, dtype="Int64"),
    })


@settings(max_examples=15, deadline=None)
@given(session_tables())
def test_every_bad_cell_is_reported_exactly_once(frame):
    report = validate(frame, kind="sessions", as_of="2024-01-01")
    counts = report.problems["check"].value_counts()
    known = set(tk.schema.VOCABULARIES["platform"].categories)
    platform = frame["platform"]
    unknown = int((platform.notna() & ~platform.isin(known)).sum())
    assert counts.get("unknown_value", 0) == unknown
    rounds = frame["round"]
    assert counts.get("out_of_range", 0) == int(((rounds < 1) | (rounds > 20)).sum())
    ids = frame["session_id"]
    assert counts.get("missing_value", 0) == int(ids.isna().sum() + platform.isna().sum())
    # every row after the first with the same id: reported as a repeated id or row
    repeats = int(ids.notna().sum() - ids.dropna().nunique())
    assert counts.get("duplicate_id", 0) + counts.get("duplicate_row", 0) == repeats + int(
        frame[ids.isna()].duplicated().sum())
    rows = report.problems["row"].dropna()
    assert rows.between(2, len(frame) + 1).all()


def test_numbers_that_look_personal_are_masked_in_any_column():
    # a phone number typed into the platform column of a session ledger
    sessions = pd.DataFrame({"session_id": ["S1"], "date": pd.to_datetime(["2023-11-08"]),
                             "unit_id": ["C1"], "platform": ["13812345678"]})
    report = validate(sessions, kind="sessions", as_of="2024-01-01")
    assert located(report) == [("sessions", 2, "platform", "138****5678", "unknown_value")]
    assert "13812345678" not in report.to_text() + report.to_text(lang="en")
