"""Manifests that used to hang, crash or mislead: each test writes the painful study.yaml.

A 410-byte "billion laughs" manifest, ``!!binary``/``!!set`` tags, deep nesting,
a table listed twice, ``file: 123``, a manifest saved in GBK by Notepad, a named
pipe, and table files outside the study folder.
"""

from __future__ import annotations

import os

import pytest

import toolkit as tk
from toolkit.errors import ManifestError, ReadError, ToolkitWarning
from toolkit.io import load_record

ATTENDANCE = "活动编号,参与者编号\nS1,P1\nS1,P2\n"


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "研究"
    out.mkdir()
    (out / "参与记录.csv").write_text(ATTENDANCE, encoding="utf-8")
    return out


def _write(folder, text, encoding="utf-8"):
    path = folder / "study.yaml"
    path.write_bytes(text.encode(encoding))
    return path


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_refused_with_a_size_limit(folder):
    assert len(BILLION_LAUGHS) < 420
    with pytest.raises(ManifestError, match=r"expands to more than 10,000 values \(YAML "
                                            r"aliases .*line \d+"):
        tk.read_study(_write(folder, BILLION_LAUGHS))


def test_a_few_aliases_are_fine(folder):
    text = ("name: 示例\ntables:\n  attendance:\n    file: 参与记录.csv\n"
            "    mapping: &m {活动编号: session_id}\n")
    study = tk.read_study(_write(folder, text))
    assert len(study.table("attendance")) == 2


@pytest.mark.parametrize(("value", "tag"), [
    ("!!binary aGVsbG8=", "!!binary"),
    ("!!set {a, b}", "!!set"),
    ("!!python/object:os.system ls", "!!python/object:os.system"),
])
def test_foreign_tags_are_refused(folder, value, tag):
    text = f"name: {value}\ntables:\n  attendance: 参与记录.csv\n"
    with pytest.raises(ManifestError, match=rf"the tag `{tag}` \(line 1, column 7\) is not "
                                            "allowed"):
        tk.read_study(_write(folder, text))


def test_deep_nesting_is_refused(folder):
    with pytest.raises(ManifestError, match="nested"):
        tk.read_study(_write(folder, "name: " + "[" * 30 + "]" * 30 + "\n"))
    with pytest.raises(ManifestError, match="nested too deeply"):
        tk.read_study(_write(folder, "name: " + "[" * 5000 + "]" * 5000 + "\n"))


def test_table_listed_twice_is_refused(folder):
    text = ("tables:\n  attendance: 参与记录.csv\n  sessions: 活动.csv\n"
            "  attendance: 其他.csv\n")
    with pytest.raises(ManifestError, match=r"`attendance` is given twice \(line 2, column 3 "
                                            r"and line 4, column 3\)"):
        tk.read_study(_write(folder, text))


@pytest.mark.parametrize("entry", ["{file: 123}", "123", "[a.csv]", "{file: 参与记录.csv, "
                                                                   "sheet: [1]}"])
def test_wrong_types_in_a_table_entry(folder, entry):
    with pytest.raises(ManifestError, match=r"`tables\.attendance`"):
        tk.read_study(_write(folder, f"tables:\n  attendance: {entry}\n"))


def test_manifest_saved_in_gbk_by_notepad(folder):
    path = _write(folder, "name: 某区协商评估\ntables:\n  attendance: 参与记录.csv\n",
                  encoding="gbk")
    with pytest.warns(ToolkitWarning, match="saved in GBK"):
        study = tk.read_study(path)
    assert study.name == "某区协商评估"


def test_manifest_in_another_encoding_names_the_byte(folder):
    path = _write(folder, "name: 協商評估 編號 姓名 社區 滿意度 張偉 陳曉明 臺灣路\n"
                          "tables:\n  attendance: x.csv\n", encoding="big5")
    with pytest.raises(ManifestError, match=r"study\.yaml"):
        tk.read_study(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_named_pipes_are_refused(folder):
    os.mkfifo(folder / "管道.csv")
    with pytest.raises(ReadError, match="named pipe"):
        tk.read_study(_write(folder, "tables:\n  attendance: 管道.csv\n"))
    pipe = folder / "pipe.yaml"
    os.mkfifo(pipe)
    with pytest.raises(ReadError, match="named pipe"):
        tk.read_study(pipe)


def test_files_outside_the_study_folder_are_recorded(folder, tmp_path):
    outside = tmp_path / "别处.csv"
    outside.write_text(ATTENDANCE, encoding="utf-8")
    link = folder / "链接.csv"
    link.symlink_to(outside)
    for given, how in (("../别处.csv", "a path with `..`"), (str(outside), "an absolute path"),
                       ("链接.csv", "a symbolic link")):
        study = tk.read_study(_write(folder, f"tables:\n  attendance: '{given}'\n"))
        problems = load_record(study.table("attendance")).problems
        assert problems[["check", "severity"]].values.tolist() == [
            ["outside_study_folder", "warning"]]
        assert how in problems.loc[0, "problem"]
    inside = tk.read_study(_write(folder, "tables:\n  attendance: 参与记录.csv\n"))
    assert load_record(inside.table("attendance")).problems.empty
