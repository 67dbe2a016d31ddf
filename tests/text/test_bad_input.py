"""Bad input: empty and non-text columns, garbled text, documents without tokens kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError, ArgumentTypeError, ToolkitWarning

GARBLED_GBK = "发展社区养老服务".encode().decode("gbk", errors="ignore")  # UTF-8 read as GBK
GARBLED_LATIN = "加装电梯".encode().decode("latin-1")  # UTF-8 read as Latin-1


@pytest.fixture
def messy():
    return pd.DataFrame({
        "submission_id": ["A", "B", "C", "D", "E", "F"],
        "body": ["加装电梯，停车难", None, "   ", GARBLED_GBK, GARBLED_LATIN, 12345],
    })


def test_check_lists_every_problem(messy):
    problems = tk.text.check(messy, text="body")
    assert problems["document"].tolist() == ["B", "C", "D", "E", "F"]
    assert problems["check"].tolist() == ["empty", "empty", "garbled", "garbled", "not_text"]
    assert "UTF-8 text decoded as GBK" in problems["problem"].iloc[2]
    assert "Latin-1" in problems["problem"].iloc[3]
    assert set(problems["row"]) == {1, 2, 3, 4, 5}


def test_garbled_texts_warn_and_stay(messy):
    with pytest.warns(ToolkitWarning, match=r"3 of 6 documents .* D, E, F"):
        m = tk.text.dtm(messy, text="body")
    assert list(m.documents) == ["A", "B", "C", "D", "E", "F"]
    zero = np.asarray(m.matrix.sum(axis=1)).ravel()
    assert (zero[[1, 2, 5]] == 0).all()  # no text: a row of zeros
    with pytest.warns(ToolkitWarning):
        coded = tk.text.code(messy, "topics", text="body")
    assert len(coded.to_frame()) == 6


def test_clean_texts_do_not_warn(corpus):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tk.text.dtm(corpus, text="body")


def test_no_texts_at_all():
    empty = pd.DataFrame({"submission_id": pd.Series([], dtype=str),
                          "body": pd.Series([], dtype=str)})
    m = tk.text.dtm(empty, text="body")
    assert m.shape == (0, 0)
    assert tk.text.tokens(empty, text="body").empty
    assert tk.text.code(empty, "topics", text="body").to_frame().empty
    blank = pd.DataFrame({"submission_id": ["A"], "body": [""]})
    assert tk.text.frequencies(blank, text="body").empty
    assert tk.text.keywords(blank, text="body").empty


def test_non_text_column_and_wrong_data():
    df = pd.DataFrame({"submission_id": ["A"], "date": pd.to_datetime(["2023-01-01"])})
    with pytest.raises(ArgumentTypeError, match="not text"):
        tk.text.code(df, "topics", text="date")
    with pytest.raises(ArgumentTypeError, match="DataFrame or a Study"):
        tk.text.tokens(["加装电梯"], text="body")
    with pytest.raises(ArgumentError, match="missing"):
        tk.text.dtm(pd.DataFrame({"submission_id": ["A", None], "body": ["x", "y"]}),
                    text="body")
    with pytest.raises(ArgumentError, match="`text` names no column"):
        tk.text.dtm(pd.DataFrame({"body": ["x"]}), text=[])


def test_a_study_gives_its_submissions(corpus):
    study = tk.Study(submissions=corpus[["submission_id", "author_id", "date", "channel",
                                         "body"]], name="测试")
    m = tk.text.dtm(study, text="body")
    assert list(m.documents) == corpus["submission_id"].tolist()
