"""Tokens and codes of a lazy table (tk.io.scan) and a Dask DataFrame equal the pandas ones."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError, ArgumentTypeError

pytest.importorskip("duckdb")


@pytest.fixture
def parquet(corpus, tmp_path):
    path = tmp_path / "texts.parquet"
    corpus[["submission_id", "town", "title", "body"]].to_parquet(path)
    return path


def test_lazy_table_tokens_written_as_parquet(corpus, parquet, tmp_path, monkeypatch):
    from toolkit.text import _large

    monkeypatch.setattr(_large, "BATCH", 10)  # several batches, several Parquet parts
    monkeypatch.setattr(_large, "CHUNK", 4)
    lazy = tk.io.scan(parquet)
    out = tk.text.tokens(lazy, text="body", id="submission_id", out=tmp_path / "tokens")
    got = out.to_pandas().sort_values(["submission_id", "position"]).reset_index(drop=True)
    expected = tk.text.tokens(corpus, text="body").sort_values(
        ["submission_id", "position"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert len(list((tmp_path / "tokens").glob("*.parquet"))) == 5
    more = tk.text.tokens(lazy, text="body", id="submission_id", out=tmp_path / "t2", n_jobs=2)
    assert more.count() == len(expected)
    with pytest.raises(ArgumentError, match="already holds Parquet"):
        tk.text.tokens(lazy, text="body", id="submission_id", out=tmp_path / "tokens")
    with pytest.raises(ArgumentError, match=r"give\s+`out=`"):
        tk.text.tokens(lazy, text="body", id="submission_id")


def test_lazy_table_coding_in_two_processes(corpus, parquet):
    lazy = tk.io.scan(parquet)
    got = tk.text.code(lazy, "topics", text=["title", "body"], id="submission_id", n_jobs=2)
    expected = tk.text.code(corpus, "topics", text=["title", "body"])
    pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame())
    pd.testing.assert_frame_equal(got.matches, expected.matches)


def test_dask_tokens_and_codes(corpus):
    dd = pytest.importorskip("dask.dataframe")
    ddf = dd.from_pandas(corpus[["submission_id", "title", "body"]], npartitions=3)
    toks = tk.text.tokens(ddf, text="body", id="submission_id").compute()
    expected = tk.text.tokens(corpus, text="body")
    pd.testing.assert_frame_equal(toks.reset_index(drop=True), expected, check_dtype=False)
    got = tk.text.code(ddf, "topics", text="body", id="submission_id")
    pd.testing.assert_frame_equal(got.to_frame(),
                                  tk.text.code(corpus, "topics", text="body").to_frame())


def test_large_data_needs_an_id_and_other_functions_refuse(parquet):
    lazy = tk.io.scan(parquet)
    with pytest.raises(ArgumentError, match="id="):
        tk.text.code(_without_ids(parquet), "topics", text="body")
    with pytest.raises(ArgumentTypeError, match=r"`tk\.text\.dtm` needs the data in memory"):
        tk.text.dtm(lazy, text="body")


def _without_ids(parquet):
    frame = pd.read_parquet(parquet).drop(columns=["submission_id"])
    path = parquet.with_name("noid.parquet")
    frame.to_parquet(path)
    return tk.io.scan(path)
