"""Study: tables, codebook, design, scales, and the same validation for frames and files."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ColumnNotFoundError, DesignError, ValidationError
from toolkit.io.record import LoadRecord
from toolkit.study import CODEBOOK_COLUMNS, Scale


def frames() -> dict[str, pd.DataFrame]:
    sessions = pd.DataFrame({
        "session_id": ["S1", "S2", "S3"],
        "date": pd.to_datetime(["2023-11-08", "2023-11-20", "2024-01-05"]),
        "unit_id": ["C01", "C01", "C02"],
        "platform": ["居民议事会", "微信群", "社区恳谈会"],
    })
    attendance = pd.DataFrame({"session_id": ["S1", "S1", "S2", "S4"],
                               "participant_id": ["P1", "P2", "P1", "P2"]})
    participants = pd.DataFrame({"participant_id": ["P1", "P2"], "type": ["居民代表", "专家"],
                                 "name": ["张伟", "李娜"]})
    return {"sessions": sessions, "attendance": attendance, "participants": participants}


def test_tables_period_and_require():
    study = tk.Study(**frames(), name="示例")
    assert study.tables == ("participants", "sessions", "attendance")
    assert study.period == (pd.Timestamp("2023-11-08"), pd.Timestamp("2024-01-05"))
    assert study.require("sessions", "platform") is study.table("sessions")
    with pytest.raises(ColumnNotFoundError, match=r"Could not find column in the `sessions` "
                       r"table: `topic` \(given as `columns`\)\. Columns available: "
                       r"`session_id`, `date`, `unit_id`, `platform`\."):
        study.require("sessions", "topic")
    with pytest.raises(KeyError, match="no `survey` table"):
        study.table("survey")
    assert repr(study) == "<Study '示例': participants=2, sessions=3, attendance=4>"


def test_frames_in_memory_get_the_same_validation():
    study = tk.Study(**frames())
    report = study.validate(as_of="2024-06-30")
    assert report.problems[["table", "row", "column", "value", "check"]].values.tolist() == [
        ["attendance", 5, "session_id", "S4", "dangling_reference"]]
    assert report.problems["file"].isna().all()  # no load record: no file
    assert study.problems.equals(report.problems)
    with pytest.raises(ValidationError):
        study.validate(strict=True, as_of="2024-06-30")


def test_as_of_of_the_study_is_used_for_future_dates():
    study = tk.Study(**frames(), as_of="2023-12-31")
    checks = study.validate().problems["check"].tolist()
    assert checks == ["future_date", "dangling_reference"]  # S3 is dated 2024-01-05
    assert study.validate(as_of="2024-06-30").problems["check"].tolist() == [
        "dangling_reference"]


def test_html_view_counts_problems_and_follows_changes():
    data = frames()
    study = tk.Study(**data)
    html = study._repr_html_()
    assert "Period covered: 2023-11-08 – 2024-01-05" in html
    assert "1 error(s), 0 warning(s)" in html
    assert "<th>errors</th>" in html
    study.attendance = data["attendance"].iloc[:3]  # a new frame: validated afresh
    assert "no problems found" in study._repr_html_()


def test_codebook_marks_personal_columns_and_keeps_reader_entries():
    data = frames()
    data["participants"]["contact"] = ["13812345678", "13912345678"]  # detected by content
    data["participants"].attrs["codebook"] = {"name": {"label": "姓名", "source": "名单.csv"}}
    study = tk.Study(**data)
    book = study.codebook
    assert list(book.columns) == CODEBOOK_COLUMNS
    marked = book.set_index(["table", "column"])["personal"]
    assert marked[("participants", "name")] == "name"
    assert marked[("participants", "contact")] == "phone"
    assert pd.isna(marked[("participants", "participant_id")])
    assert book.set_index(["table", "column"]).loc[("participants", "name"), "source"] == \
        "名单.csv"


def test_design_and_scales():
    study = tk.Study(survey=pd.DataFrame({"respondent_id": ["R1"], "w": [1.0], "q1": [3]}),
                     design={"weights": "w"},
                     scales={"s": {"items": ["q1"], "reverse": [], "min": 1, "max": 5},
                             "t": ["q1"]})
    assert study.design_spec.weights == "w"
    assert study.scales["t"] == Scale("t", ("q1",))
    with pytest.raises(DesignError, match="weight"):
        tk.Study(design={"weight": "w"})
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        tk.Study(sessions=[1, 2])


def test_records_come_from_the_frames():
    data = frames()
    data["sessions"].attrs["load_record"] = LoadRecord(file="活动.xlsx", table="sessions",
                                                       rows_read=3, rows_kept=3)
    study = tk.Study(**data)
    assert list(study.records) == ["sessions"]
    files = study.summary().to_frame()["file"]
    assert files[1] == "活动.xlsx"
    assert files[[0, 2]].isna().all()
