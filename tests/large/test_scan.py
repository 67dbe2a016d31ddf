"""tk.io.scan: lazy DuckDB tables over Parquet and CSV, header mapping, memory guard."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ColumnNotFoundError, DataTooLargeError, ReadError


@pytest.fixture(scope="module")
def records(make_records):
    return make_records(500, seed=3)


@pytest.fixture(scope="module")
def parquet_dir(records, tmp_path_factory):
    folder = tmp_path_factory.mktemp("scan_parquet")
    for i, (_, part) in enumerate(records.groupby("month")):
        part.to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder


def test_scan_parquet_glob_and_folder(records, parquet_dir):
    by_glob = tk.io.scan(parquet_dir / "*.parquet")
    by_folder = tk.io.scan(parquet_dir)
    assert by_glob.columns == list(records.columns)
    assert by_glob.count() == by_folder.count() == len(records)
    assert len(by_glob.head(7)) == 7
    back = by_glob.to_pandas().sort_values("request_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(back[["request_id", "street", "satisfaction"]],
                                  records[["request_id", "street", "satisfaction"]],
                                  check_dtype=False)
    assert "LazyTable" in repr(by_glob)


def test_headers_mapped_as_read_table_maps_them(tmp_path):
    frame = pd.DataFrame({"提交日期": pd.to_datetime(["2024-01-02", "2024-01-05"]),
                          "是否答复": [True, False], "街道": ["甲", "乙"]})
    frame.to_parquet(tmp_path / "a.parquet", index=False)
    t = tk.io.scan(tmp_path / "a.parquet", kind="submissions", mapping={"街道": "street"})
    assert t.columns == ["date", "responded", "street"]
    assert t.header_map["是否答复"] == "responded"
    with pytest.raises(ColumnNotFoundError, match="街到"):
        tk.io.scan(tmp_path / "a.parquet", kind="submissions", mapping={"街到": "street"})
    with pytest.raises(ValueError, match="submissions"):
        tk.io.scan(tmp_path / "a.parquet", kind="submission")


def test_ambiguous_headers_refused(tmp_path):
    pd.DataFrame({"提交日期": ["2024-01-01"], "日期": ["2024-01-02"]}).to_parquet(
        tmp_path / "a.parquet", index=False)
    with pytest.raises(ReadError, match="mapping="):
        tk.io.scan(tmp_path / "a.parquet", kind="submissions")


def test_utf8_and_gb18030_csv_give_the_same_table(records, tmp_path):
    part = records[["request_id", "street", "department", "satisfaction"]].head(200)
    part.to_csv(tmp_path / "utf8.csv", index=False, encoding="utf-8")
    (tmp_path / "gb").mkdir()
    part.to_csv(tmp_path / "gb" / "gb.csv", index=False, encoding="gb18030")
    a = tk.io.scan(tmp_path / "utf8.csv").to_pandas()
    b = tk.io.scan(tmp_path / "gb" / "gb.csv").to_pandas()
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert b["street"].tolist() == part["street"].tolist()


def test_to_pandas_refuses_beyond_the_limit(parquet_dir):
    t = tk.io.scan(parquet_dir)
    with pytest.raises(DataTooLargeError, match=r"\.filter"):
        t.to_pandas(max_bytes=1000)
    assert t.estimated_bytes() > 1000


def test_assign_and_filter(parquet_dir, records):
    t = tk.io.scan(parquet_dir).assign(n=1, quarter="quarter(date)")
    assert {"n", "quarter"} <= set(t.columns)
    kept = t.filter("street = '街道01'")
    assert kept.count() == int((records["street"] == "街道01").sum())


def test_bad_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="No file matches"):
        tk.io.scan(tmp_path / "nothing-*.parquet")
    (tmp_path / "a.xlsx").write_bytes(b"")
    with pytest.raises(ReadError, match="Parquet and CSV"):
        tk.io.scan(tmp_path / "a.xlsx")


def test_core_modules_do_not_import_the_engines():
    code = ("import sys, toolkit.io.lazy, toolkit._engines, toolkit.stats._design_large, "
            "toolkit.stats.process, toolkit.stats.design, toolkit.net.build; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('duckdb', 'dask', "
            "'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         encoding="utf-8", check=True)
    assert out.stdout.strip() == "[]"


def test_missing_duckdb_named_with_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(ImportError, match=r"toolkit\[large\]"):
        tk.io.scan(tmp_path / "a.parquet")
