"""The fast paths of the survey CSV reader change no dtype and no value.

Small whole numbers are parsed as int16/int32 and widened; large frames are
converted and normalised two columns at a time; plain ASCII ids are checked on
the Arrow bytes. Each test reads a generated file both ways, with the fast
paths forced on and with them off (every whole number parsed as int64, one
column at a time, as before), and requires the same frame and load record.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import toolkit as tk
from toolkit.io import _threads, read
from toolkit.io.normalise import _plain_ascii

HEADER = ("问卷编号,社区编码,测量波次,权重,层,性别,年龄,文化程度,是否党员,调查日期,"
          "q1,q2,q3,q4,q5,q6,q7,q8")
TOWNS = ["东城街道", "西城街道", "南湖镇", "北山镇"]
EDUCATION = ["小学及以下", "初中", "高中/中专", "本科"]


def _rows(n: int, seed: int = 8) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        items = [str(v) for v in rng.integers(1, 6, 8)]
        draw = rng.random()
        if draw < 0.05:
            items[0] = "98"
        elif draw < 0.10:
            items[1] = "99"
        elif draw < 0.13:
            items[2] = ""  # a gap
        rows.append([
            f"R{i + 1:05d}", f"C{int(rng.integers(1, 30)):02d}",
            "前测" if rng.random() < 0.5 else "后测", f"{rng.uniform(0.5, 3):.3f}",
            TOWNS[int(rng.integers(0, 4))], "女" if rng.random() < 0.5 else "男",
            str(int(rng.integers(18, 90))), EDUCATION[int(rng.integers(0, 4))],
            "是" if rng.random() < 0.3 else "否",
            f"2023/{int(rng.integers(9, 13))}/{int(rng.integers(1, 29))}", *items,
        ])
    return rows


def _text(rows: list[list[str]]) -> str:
    return "\n".join([HEADER, *(",".join(r) for r in rows)]) + "\n"


def _read(path, monkeypatch, *, fast: bool) -> pd.DataFrame:
    with monkeypatch.context() as patch:
        if fast:  # threads even on a small file
            patch.setattr(_threads, "PARALLEL_ROWS", 0)
        else:  # as before: every whole number parsed as int64, one column at a time
            patch.setattr(read, "_int_type", lambda sample: pa.int64())
            patch.setattr(_threads, "PARALLEL_ROWS", 10**12)
        with pytest.warns(tk.errors.ToolkitWarning, match="missing codes"):
            return tk.read_table(path, kind="survey", missing_codes={98: "不知道", 99: "拒答"})


def _assert_same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert fast.attrs["codebook"] == slow.attrs["codebook"]
    a, b = tk.io.load_record(fast), tk.io.load_record(slow)
    for table in ("rows_set_aside", "coercions", "problems", "missing"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_exact=True)
    assert (a.notes, a.encoding, a.rows_read, a.rows_kept) == \
        (b.notes, b.encoding, b.rows_read, b.rows_kept)
    assert np.array_equal(a.row_numbers, b.row_numbers)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_each_column_kind_keeps_its_dtype_and_values(write_file, monkeypatch, encoding):
    rows = _rows(60)
    rows[3][6] = ""  # a gap in the ages
    path = write_file("问卷.csv", _text(rows), encoding=encoding)
    fast = _read(path, monkeypatch, fast=True)
    _assert_same(fast, _read(path, monkeypatch, fast=False))
    dtypes = {name: str(dtype) for name, dtype in fast.dtypes.items()}
    assert dtypes["respondent_id"] == "str"
    assert dtypes["weight"] == "float64"
    assert dtypes["gender"] == "category"
    assert dtypes["age"] == "Int64"
    assert dtypes["party_member"] == "boolean"
    assert dtypes["date"] == "datetime64[ns]"
    assert all(dtypes[f"q{i}"] == "Int64" for i in range(1, 9))
    assert fast["stratum"].tolist() == [r[4] for r in rows]
    assert fast["education"].tolist() == [r[7] for r in rows]
    assert fast["date"].iloc[0] == pd.Timestamp(rows[0][9].replace("/", "-"))
    assert fast["weight"].tolist() == [float(r[3]) for r in rows]
    assert fast["age"].isna().tolist() == [i == 3 for i in range(60)]
    for item in ("q1", "q2", "q3"):
        column = int(item[1:]) + 9
        held = [r[column] for r in rows]
        assert fast[item].isna().tolist() == [v in ("", "98", "99") for v in held]
        assert fast[item].dropna().tolist() == [int(v) for v in held
                                                if v not in ("", "98", "99")]
    missing = tk.io.load_record(fast).missing
    assert sorted(set(missing["code"])) == [98, 99]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_values_past_the_sample_that_do_not_fit_a_narrow_type(write_file, monkeypatch,
                                                               encoding):
    rows = _rows(1500)
    late = {10: "40000", 11: "-3", 12: "0xFFFF", 13: "不知道", 14: "99999999999",
            15: "3.5", 16: " 4 ", 6: "100"}
    for column, value in late.items():
        rows[1200 + column][column] = value
    rows[1300][0] = " R01301"  # a space before an id
    rows.insert(1400, ["小计"] + [""] * 17)
    path = write_file("问卷.csv", _text(rows), encoding=encoding)
    fast = _read(path, monkeypatch, fast=True)
    _assert_same(fast, _read(path, monkeypatch, fast=False))
    assert fast["q1"].max() == 40000
    assert fast["q2"].min() == -3
    assert fast["q5"].max() == 99999999999
    assert fast["age"].max() == 100
    assert tk.io.load_record(fast).rows_set_aside["reason"].tolist() == ["subtotal row (小计)"]


def test_plain_ascii_never_passes_a_value_the_expression_would_catch():
    pattern = r"^\s|\s$|^$|[^\x00-\x7f]"
    alphabet = ["a", "Z", "1", " ", "\t", "\n", "\x0b", "\r", "é", "中", "\u3000"]
    rng = random.Random(3)
    for _ in range(2000):
        values = [None if rng.random() < 0.1 else
                  "".join(rng.choice(alphabet if rng.random() < 0.3 else alphabet[:3])
                          for _ in range(rng.randint(0, 3)))
                  for _ in range(rng.randint(1, 5))]
        arr = pa.array(values, type=rng.choice([pa.string(), pa.large_string()]))
        cut = rng.randint(0, len(values) - 1)
        for case in (arr, arr.slice(cut), pa.chunked_array([arr.slice(0, cut), arr.slice(cut)])):
            if _plain_ascii(case):
                assert not pc.any(pc.match_substring_regex(case, pattern)).as_py(), values
