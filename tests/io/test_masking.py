"""Every value shown anywhere is masked, by one function (toolkit.io.personal.mask).

A phone number typed into a checked column, an ID-card number in a date column and
a signature footer with a name and a phone must not reach a problem text, a printed
report, the HTML view, the strict-mode exception, the command line or the load
record, also after the manifest pseudonymises the tables.
"""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit as tk
from toolkit.cli import main
from toolkit.errors import ValidationError
from toolkit.io.personal import mask
from toolkit.io.record import LoadRecord

PHONE, ID_CARD, NAME, FOOTER_PHONE = "13812345678", "11010519491231002X", "王小明", "13912345678"
RAW = (PHONE, ID_CARD, NAME, FOOTER_PHONE, "小明", "12345678", "1231002")
MASKED_PHONE, MASKED_ID = "138****5678", "1101**********002X"
WIDE_PHONE = PHONE.translate(str.maketrans("0123456789", "０１２３４５６７８９"))  # full width


@pytest.fixture
def ledger(tmp_path):
    path = tmp_path / "活动台账.csv"
    path.write_text(
        "活动编号,协商日期,单位编码,协商平台\n"
        f"S01,{ID_CARD},C01,{PHONE}\n"
        "S02,2023-11-08,C01,居民议事会\n"
        f"填表人：{NAME} 联系电话：{FOOTER_PHONE},,,\n", encoding="utf-8")
    return path


def _leaks(text: str) -> list[str]:
    return [raw for raw in RAW if raw in text]


@pytest.mark.parametrize(("text", "expected"), [
    (f"填表人：{NAME} 联系电话：{PHONE}", f"填表人：王** 联系电话：{MASKED_PHONE}"),
    (f"`{ID_CARD}` is not a date.", f"`{MASKED_ID}` is not a date."),
    ("审核人：李四", "审核人：李*"),
    ("+86 138-1234-5678", MASKED_PHONE),  # the whole text is one phone number
    ("C01 居民议事会 2023-11-08 12", "C01 居民议事会 2023-11-08 12"),
])
def test_mask_text_hides_personal_values_inside_a_text(text, expected):
    assert mask(text, "text") == expected


def test_mask_text_keeps_missing_values():
    assert mask(None, "text") is None
    assert pd.isna(mask(float("nan"), "text"))


def test_validation_output_masks_the_values_everywhere(ledger):
    report = tk.io.validate(tk.io.read_table(ledger, kind="sessions"), as_of="2024-01-01")
    problems = report.problems
    assert problems[["row", "column", "value"]].values.tolist() == [
        [2, "date", MASKED_ID], [2, "platform", MASKED_PHONE]]
    for name in ("problem", "fix", "problem_zh", "fix_zh"):
        assert not _leaks(" ".join(problems[name].astype(str))), name
    assert MASKED_PHONE in problems.loc[1, "problem_zh"]  # the message still quotes the cell
    for shown in (report.to_text(), report.to_text(lang="en"), report._repr_html_()):
        assert MASKED_ID in shown
        assert not _leaks(shown)
    with pytest.raises(ValidationError) as caught:
        report.raise_if_errors()
    assert MASKED_PHONE in str(caught.value)
    assert not _leaks(str(caught.value))
    assert not _leaks(caught.value.problems.to_string())


def test_a_report_built_by_hand_is_masked_before_it_is_shown():
    from toolkit.errors import PROBLEM_COLUMNS
    from toolkit.io.validation.report import ValidationReport

    rows = pd.DataFrame([{"table": "sessions", "row": 2, "column": "note", "value": PHONE,
                          "check": "x", "severity": "error",
                          "problem": f"`{PHONE}` is wrong", "fix": f"联系人：{NAME}"}],
                        columns=PROBLEM_COLUMNS)
    report = ValidationReport(rows)
    assert MASKED_PHONE in report.to_text(lang="en")
    assert not _leaks(report.to_text(lang="en") + report._repr_html_())
    with pytest.raises(ValidationError) as caught:
        report.raise_if_errors()
    assert PHONE not in str(caught.value)


def test_the_command_line_masks_problems_and_errors(ledger, capsys):
    assert main(["validate", str(ledger), "--kind", "sessions", "--as-of", "2024-01-01"]) == 1
    out = capsys.readouterr().out
    assert MASKED_PHONE in out
    assert not _leaks(out)
    missing = ledger.parent / f"{NAME}{PHONE}.csv"
    assert main(["validate", str(missing), "--kind", "sessions"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert MASKED_PHONE in err
    assert PHONE not in err


def test_the_load_record_masks_footers_examples_and_problems(ledger, tmp_path):
    rec = tk.io.load_record(tk.io.read_table(ledger, kind="sessions"))
    assert rec.rows_set_aside["values"].tolist() == ["填表人：王** 联系电话：139****5678"]
    assert "填表人：王** 联系电话：139****5678" in rec.rows_set_aside["reason"].iloc[0]
    assert rec.problems["value"].tolist() == [MASKED_ID, MASKED_PHONE]
    assert not _leaks(rec._repr_html_() + rec.problems.to_string())
    people = tmp_path / "参与者.csv"
    people.write_text("参与者编号,姓名,联系电话,类型\n"
                      f"P1, {NAME} ,{WIDE_PHONE},"
                      "居民代表\n", encoding="utf-8")
    record = tk.io.load_record(tk.io.read_table(people, kind="participants"))
    examples = record.coercions.set_index("column")[["before", "after"]]
    assert examples.loc["name"].tolist() == ["王**", "王**"]
    assert examples.loc["phone"].tolist() == [MASKED_PHONE, MASKED_PHONE]


def test_pseudonymised_columns_leave_no_value_in_the_record():
    rec = LoadRecord(file="a.csv", table="participants")
    rec.coerce(column="受理人", what="whitespace stripped", before=f" {NAME} ", after=NAME)
    rec.problem(row=2, column="受理人", value=NAME, check="x",
                problem=f"`{NAME}` is odd", fix="check it")
    rec.add_problems(pd.DataFrame({"row": [3], "column": ["受理人"], "value": ["李四"],
                                   "problem": ["`李四` is odd"]}))
    assert rec.coercions.loc[0, "after"] == NAME  # not personal by its header
    rec.mask_columns({"受理人": "name"})  # what pseudonymise: true does for its columns
    assert rec.coercions[["before", "after"]].values.tolist() == [["王**", "王**"]]
    assert rec.problems[["value", "problem"]].values.tolist() == [
        ["王**", "`王**` is odd"], ["李*", "`李*` is odd"]]


def test_a_pseudonymised_study_keeps_no_raw_value_in_its_records(ledger, monkeypatch):
    folder = ledger.parent
    (folder / "参与者.csv").write_text(
        "参与者编号,姓名,联系电话,类型\n"
        f"P1, {NAME} ,{WIDE_PHONE},"
        "居民代表\n", encoding="utf-8")
    (folder / "study.yaml").write_text(
        "name: 示例\nas_of: 2024-06-30\npersonal:\n  pseudonymise: true\n"
        "  key_env: TK_MASK_TEST_KEY\ntables:\n  sessions: 活动台账.csv\n"
        "  participants: 参与者.csv\n", encoding="utf-8")
    monkeypatch.setenv("TK_MASK_TEST_KEY", "a-long-test-key-0123456789")
    study = tk.read_study(folder)
    assert study.table("participants")["name"].iloc[0].startswith("P_")
    for name in study.tables:
        rec = tk.io.load_record(study.table(name))
        shown = "\n".join([rec._repr_html_(), rec.coercions.to_string(),
                           rec.rows_set_aside.to_string(), rec.problems.to_string()])
        assert not _leaks(shown), name
    assert not _leaks(study.validate().to_text())
