"""One reading of yes/no words and one Kaplan-Meier estimate on every path.

Sources: the yes/no vocabulary is ``toolkit.schema.YES_WORDS``/``NO_WORDS``;
the Kaplan-Meier reference is ``tk.stats.km_curve`` (checked against the
per-group statsmodels fits in tests/stats/test_process_kernel.py and against R
``survfit`` in tests/stats/test_survival.py). Tolerance: exactly equal (every
path feeds the same counts to the same kernel).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit import schema

dd = pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def records(make_records):
    return make_records(1500, seed=3)


def _words_table() -> pd.DataFrame:
    words = sorted(schema.YES_WORDS) + sorted(schema.NO_WORDS) + ["ＹＥＳ", " 是 ", "No", ""]
    truth = ([True] * len(schema.YES_WORDS) + [False] * len(schema.NO_WORDS)
             + [True, True, False, None])
    return pd.DataFrame({
        "submission_id": [f"W{i:03d}" for i in range(len(words))],
        "date": "2024-01-01",
        "word_id": [f"w{i:03d}" for i in range(len(words))],
        "responded": words,
        "adopted": words,
        "_truth": truth,
    })


def _by_row(result) -> pd.Series:
    rates = result.rates[result.rates["measure"] == "response_rate"].set_index("word_id")
    return rates["estimate"].map(lambda v: None if pd.isna(v) else bool(v))


def test_yes_no_words_same_on_every_path(tmp_path):
    table = _words_table()
    truth = pd.Series(table["_truth"].to_numpy(), index=table["word_id"], dtype=object)
    raw = table.drop(columns="_truth")
    raw.to_csv(tmp_path / "words.csv", index=False, encoding="utf-8")
    # tk.io: the reader's normalisation
    read = tk.io.read_table(tmp_path / "words.csv", kind="submissions")
    via_io = pd.Series([None if pd.isna(v) else bool(v) for v in read["responded"]],
                       index=read["word_id"], dtype=object)
    assert via_io.to_dict() == truth.to_dict()
    # tk.stats on the raw words, in memory, DuckDB (CSV scan, text column) and Dask
    for source in (raw, tk.io.scan(tmp_path / "words.csv"), dd.from_pandas(raw, npartitions=3)):
        got = _by_row(tk.stats.submissions(source, by="word_id"))
        assert got.to_dict() == truth.to_dict(), type(source).__name__
    # sessions read the same words
    ses = pd.DataFrame({"session_id": raw["submission_id"], "date": pd.Timestamp("2024-01-01"),
                        "topic_id": raw["word_id"], "consensus": raw["responded"]})
    rates = tk.stats.sessions(ses, by="topic_id").rates
    rates = rates[rates["measure"] == "consensus_rate"].set_index("topic_id")["estimate"]
    assert rates.map(lambda v: None if pd.isna(v) else bool(v)).to_dict() == truth.to_dict()


def test_unknown_word_is_an_error_on_every_path(tmp_path):
    raw = _words_table().drop(columns="_truth")
    raw.loc[3, "responded"] = "待定"
    raw.to_csv(tmp_path / "bad.csv", index=False, encoding="utf-8")
    for source in (raw, tk.io.scan(tmp_path / "bad.csv"), dd.from_pandas(raw, npartitions=2)):
        with pytest.raises(tk.errors.ValidationError, match="待定") as err:
            tk.stats.submissions(source)
        assert "responded" in str(err.value)
    with pytest.raises(tk.errors.ValidationError) as err:
        tk.stats.submissions(raw)
    problems = err.value.problems
    assert problems[["row", "column", "value"]].values.tolist() == [[3, "responded", "待定"]]


def _rows(records: pd.DataFrame) -> pd.DataFrame:
    """Days to response (or to the end of the data, censored) computed by hand."""
    end = max(records["date"].max(), records["response_date"].max())
    done = records["responded"].fillna(value=False).astype(bool)
    stop = records["response_date"].where(done, end)
    days = (stop - records["date"]).dt.days
    keep = days.notna() & (days >= 0) & ~(done & records["response_date"].isna())
    return pd.DataFrame({"days": days[keep].astype(float), "done": done[keep],
                         "street": records.loc[keep, "street"]})


def test_km_same_from_km_curve_plot_and_large_paths(records, tmp_path):
    rows = _rows(records)
    ref = tk.stats.km_curve(rows, time="days", event="done", by="street")
    records.to_parquet(tmp_path / "r.parquet", index=False)
    for source in (records, tk.io.scan(tmp_path / "r.parquet"),
                   dd.from_pandas(records, npartitions=3)):
        km = tk.stats.submissions(source, by="street").km
        pd.testing.assert_frame_equal(km.reset_index(drop=True), ref, check_dtype=False,
                                      check_exact=True)
    # what tk.plot.survival draws: the points of km_curve, one step line per group
    for ax in (tk.plot.survival(rows, time="days", event="done", by="street"),
               tk.plot.survival(ref)):
        assert len(ax.lines) == ref["group"].nunique()
        for line, (_, part) in zip(ax.lines, ref.groupby("group", sort=True), strict=True):
            np.testing.assert_array_equal(line.get_xdata(), part["time"].to_numpy())
            np.testing.assert_array_equal(line.get_ydata(), part["survival"].to_numpy())
        ax.figure.clf()
