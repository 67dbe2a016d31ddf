"""``toolkit validate PATH`` prints the report and exits non-zero on errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.cli import main

SESSIONS = ("活动编号,协商日期,单位编码,协商平台\n"
            "S01,2023年11月8日,C01,居民议事会\n"
            "S02,2023/11/15,C01,居民议事会议\n")
ATTENDANCE = "活动编号,参与者编号,角色\nS01,P01,宣传员\nS01,P02,调查员\n"


@pytest.fixture
def folder(tmp_path) -> Path:
    data = tmp_path / "协商数据"
    data.mkdir()
    (data / "活动台账.csv").write_bytes(SESSIONS.encode("gb18030"))
    (data / "参与记录.csv").write_bytes(b"\xef\xbb\xbf" + ATTENDANCE.encode("utf-8"))
    (data / "study.yaml").write_text(
        "name: 示例\nas_of: 2024-06-30\ntables:\n  sessions: 活动台账.csv\n"
        "  attendance: 参与记录.csv\n", encoding="utf-8")
    return data


def test_validate_a_manifest_prints_every_problem_and_fails(folder, capsys):
    assert main(["validate", str(folder / "study.yaml")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "校验结果：1 个错误，0 个警告。"
    assert out[1].startswith("[错误] sessions，")
    assert "第 3 行" in out[1]
    assert "居民议事会议" in out[1]
    assert "是否应为“居民议事会”" in out[1]


def test_validate_a_folder_in_english(folder, capsys):
    assert main(["validate", str(folder), "--lang", "en"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Validation: 1 error(s), 0 warning(s)."
    assert ", row 3, platform = '居民议事会议': " in out[1]
    assert "Did you mean `居民议事会`?" in out[1]


def test_validate_a_clean_file_succeeds(folder, capsys):
    assert main(["validate", str(folder / "参与记录.csv"), "--kind", "attendance"]) == 0
    assert capsys.readouterr().out.strip() == "校验结果：未发现问题。"


def test_the_kind_of_a_file_comes_from_its_headers(folder, capsys):
    assert main(["validate", str(folder / "参与记录.csv")]) == 0
    captured = capsys.readouterr()
    assert "read as `attendance`" in captured.err
    assert captured.out.strip() == "校验结果：未发现问题。"


def test_a_file_whose_kind_cannot_be_told_asks_for_it(tmp_path, capsys):
    path = tmp_path / "备注.csv"
    path.write_text("姓名,备注\n张三,无\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "--kind" in err
    assert "张三" not in err


def test_a_missing_file_is_an_error_message_not_a_traceback(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "没有.yaml")]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_the_installed_command_exits_non_zero(folder):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "validate", str(folder), "--lang", "en"],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0] == "Validation: 1 error(s), 0 warning(s)."


def test_personal_values_are_masked_in_the_printed_report(tmp_path, capsys):
    # participants identified by ID-card numbers (valid check characters), one repeated
    ids = ["11010519491231002X", "440301198511081238"]
    path = tmp_path / "参与者.csv"
    path.write_text("参与者编号,姓名,类型,手机号\n"
                    f"{ids[0]},张伟,居民代表,13812345678\n"
                    f"{ids[1]},李娜,专家,13912345678\n"
                    f"{ids[1]},李娜,专家,13912345670\n", encoding="utf-8")
    assert main(["validate", str(path), "--kind", "participants"]) == 1
    out = capsys.readouterr().out
    assert "第 4 行" in out
    assert "4403**********1238" in out
    for secret in [*ids, "张伟", "李娜", "13912345678"]:
        assert secret not in out


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("繁体.csv", "編號,姓名,社區\nR1,張偉,東城區\nR2,陳曉明,臺灣路\n".encode("big5"),
     'pass `encoding="big5"`'),
    ("引号.csv", '编号,社区\nR1,"东城\nR2,西城\n'.encode(), "quote that opens in row 2"),
    ("study.yaml", b"name: &a [*a]\n", "nested more than 20 levels"),
    ("study.yaml", b"name: [\n", "not valid YAML"),
    ("study.yaml", b"tables:\n  sessions: {file: 123}\n", "`file` must be the path of a file"),
    ("study.yaml", b"name: !!binary aGVsbG8=\n", "the tag `!!binary`"),
    ("study.yaml", b"tables:\n  sessions: a.csv\n  sessions: b.csv\n", "given twice"),
    ("空.xlsx", b"not a zip file", "as an Excel workbook"),
])
def test_bad_inputs_are_error_lines_with_exit_2_never_a_traceback(
        tmp_path, capsys, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["validate", str(path), "--kind", "sessions"]
                if not name.endswith(".yaml") else ["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert expected in err
    assert "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_is_an_error_not_a_hang(tmp_path, capsys):
    pipe = tmp_path / "管道.csv"
    os.mkfifo(pipe)
    assert main(["validate", str(pipe), "--kind", "sessions"]) == 2
    assert "named pipe" in capsys.readouterr().err


def test_notes_of_an_error_are_printed(tmp_path, capsys):
    (tmp_path / "活动.csv").write_bytes('活动编号,协商平台\nS1,"议事会\n'.encode())
    (tmp_path / "study.yaml").write_text("tables:\n  sessions: 活动.csv\n", encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "While reading `tables.sessions` of the manifest" in err


def test_an_unexpected_fault_is_one_line_too(monkeypatch, tmp_path, capsys):
    import toolkit.io.read as read

    def broken(*args, **kwargs):
        msg = "division by zero"
        raise ZeroDivisionError(msg)

    monkeypatch.setattr(read, "read_table", broken)
    monkeypatch.setattr("toolkit.io.read_table", broken, raising=False)
    path = tmp_path / "a.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    monkeypatch.delenv("TOOLKIT_TRACEBACK", raising=False)
    assert main(["validate", str(path), "--kind", "sessions"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unexpected ZeroDivisionError: division by zero")
    monkeypatch.setenv("TOOLKIT_TRACEBACK", "1")
    with pytest.raises(ZeroDivisionError):
        main(["validate", str(path), "--kind", "sessions"])
