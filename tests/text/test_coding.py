"""Dictionary coding, the codebook's checks, agreement with human coders, coding sheets."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError, ReadError, ValidationError


@pytest.fixture(scope="module")
def coded(corpus):
    return tk.text.code(corpus, "topics", text=["title", "body"])


def test_bundled_codebook_matches_the_schema_vocabulary():
    book = tk.text.read_codebook("topics")
    vocab = tk.schema.VOCABULARIES["topic_category"]
    assert book.keys == [t.code for t in vocab.terms]
    assert [book.label(k) for k in book.keys] == vocab.categories
    assert book.fallback == "other"


def test_concerns_codebook_reads():
    book = tk.text.read_codebook("concerns")
    assert len(book.keys) == 14
    assert book.fallback is None
    assert book.label("canteen") == "社区食堂"


def test_every_document_is_coded_and_every_match_kept(corpus, coded):
    frame = coded.to_frame()
    assert frame["submission_id"].tolist() == corpus["submission_id"].tolist()
    empty = frame.set_index("submission_id").loc["T048"]
    assert empty["category"] == "other"
    assert empty["n_categories"] == 0
    counted = coded.matches[~coded.matches["excluded"]]
    per_doc = counted.groupby(["submission_id", "category"]).size().unstack(fill_value=0)
    for key in coded.codebook.keys:
        col = per_doc[key] if key in per_doc else 0
        expected = pd.Series(col).reindex(frame["submission_id"], fill_value=0).to_numpy()
        assert (frame[key].to_numpy() == expected).all(), key
    assert (coded.matches["start"] < coded.matches["end"]).all()
    assert not coded.matches["context"].str.contains("13812345678").any()  # masked


def test_codes_agree_with_the_office_categories(corpus, coded):
    # the bundled codebook agrees with the hand coding on 47 of the 48 test documents; the
    # one left is T048, which has no text (so the fallback category) but a human code
    differ = corpus.loc[coded.primary.to_numpy() != corpus["category"].to_numpy(),
                        "submission_id"]
    assert differ.tolist() == ["T048"]


def test_exclusion_and_patterns():
    book = tk.text.Codebook({
        "care": {"label": "养老", "keywords": ["养老"], "exclude": ["养老保险"]},
        "housing": {"label": "住房", "keywords": ["电梯"], "patterns": [r"屋顶.{0,2}漏水"]},
    })
    df = pd.DataFrame({"id": [1, 2, 3], "body": ["缴纳养老保险，发展养老", "屋顶严重漏水", "无"]})
    res = tk.text.code(df, book, text="body")
    assert res.counts["care"].tolist() == [1, 0, 0]
    assert res.matches.loc[res.matches["category"] == "care", "excluded"].tolist() == [True,
                                                                                      False]
    hit = res.matches[res.matches["category"] == "housing"].iloc[0]
    assert hit["term"] == r"屋顶.{0,2}漏水"
    assert hit["matched"] == "屋顶严重漏水"
    assert pd.isna(res.primary.iloc[2])  # no fallback: no category


def test_full_width_text_matches_after_nfkc():
    book = tk.text.Codebook({"x": {"keywords": ["12345热线"]}})
    res = tk.text.code(pd.DataFrame({"body": ["拨打１２３４５热线"]}), book, text="body")
    assert res.counts["x"].tolist() == [1]


def test_codebook_problems_are_listed_at_once(tmp_path):
    with pytest.raises(ArgumentError) as err:
        tk.text.Codebook({"a": {"keywrods": ["x"]}, "b": {"patterns": ["(unclosed"]},
                          "c": {"label": "重复"}, "d": {"label": "重复", "keywords": ["y"]}},
                         fallback="e")
    text = str(err.value)
    for part in ("`keywrods`", "Did you mean `keywords`", "(unclosed", "category `c` has no",
                 "`fallback: e`", "'重复'"):
        assert part in text
    path = tmp_path / "book.yaml"
    path.write_text("name: x\ncatgories: {}\n", encoding="utf-8")
    with pytest.raises(ReadError, match="no `categories:`"):
        tk.text.read_codebook(path)
    path.write_text("name: x\nversoin: 1\ncategories: {a: {keywords: [b]}}\n", encoding="utf-8")
    with pytest.raises(ReadError, match="did you mean `version`"):
        tk.text.read_codebook(path)
    with pytest.raises(FileNotFoundError, match="bundled one"):
        tk.text.read_codebook("no_such_book.yaml")


def test_agreement_uses_the_stats_functions(corpus, coded):
    human = corpus[["submission_id", "category"]]
    a = tk.text.agreement(coded, human, n_boot=200, seed=3)
    overall = a[a["category"] == "all"].iloc[0]
    pair = pd.DataFrame({"auto": coded.primary.to_numpy(), "human": human["category"]})
    kappa = tk.stats.cohen_kappa(pair)
    assert overall["kappa"] == pytest.approx(kappa["kappa"].iloc[0])
    assert overall["agreement"] == pytest.approx((pair["auto"] == pair["human"]).mean())
    order = {k: i + 1 for i, k in enumerate(coded.codebook.keys)}
    alpha = tk.stats.krippendorff_alpha(pair.replace(order).astype(float), n_boot=0)
    assert overall["alpha"] == pytest.approx(alpha["alpha"].iloc[0])
    care = a[a["category"] == "care"].iloc[0]
    hb, ab = human["category"] == "care", pair["auto"] == "care"
    assert care["precision"] == pytest.approx((hb & ab).sum() / ab.sum())
    assert care["recall"] == pytest.approx((hb & ab).sum() / hb.sum())
    binary = pd.DataFrame({"a": ab.astype(int), "h": hb.astype(int)})
    assert care["kappa"] == pytest.approx(tk.stats.cohen_kappa(binary)["kappa"].iloc[0])


def test_agreement_names_categories_missing_from_the_codebook(corpus, coded):
    human = corpus[["submission_id", "category"]].copy()
    human.loc[0, "category"] = "住房"
    human.loc[1, "category"] = "文化教育"
    with pytest.raises(ArgumentError) as err:
        tk.text.agreement(coded, human)
    assert "'住房' (1 document(s), did you mean '住房与小区'?)" in str(err.value)
    assert "'文化教育'" in str(err.value)
    assert "Add the missing categories" in str(err.value)
    stranger = pd.DataFrame({"submission_id": ["X9"], "category": ["housing"]})
    with pytest.raises(ArgumentError, match="not in the coded texts"):
        tk.text.agreement(coded, stranger)


def test_shares_by_group_and_join(corpus, coded):
    shares = coded.shares(by="town")
    assert set(shares["town"]) == set(corpus["town"])
    assert shares.groupby("town")["share"].sum().round(12).eq(1).all()
    joined = coded.join(corpus)
    assert len(joined) == len(corpus)
    assert {"category", "label"} <= set(joined.columns)
    assert "category" in corpus.columns  # the office's column was replaced in the copy only


def test_coding_sheet_round_trip(corpus, coded, tmp_path):
    path = tk.text.write_coding_sheet(corpus, tmp_path / "编码表_A.xlsx", text="body",
                                      title="title", coder="A", seed=7)
    wb = openpyxl.load_workbook(path)
    ws = wb["编码"]
    header = [c.value for c in ws[1]]
    assert header == ["编号", "标题", "文本", "类别", "备注"]
    texts = " ".join(str(c.value) for c in ws["C"][1:])
    assert "13812345678" not in texts
    assert "〔电话〕" in texts
    ids = [c.value for c in ws["A"][1:]]
    assert sorted(ids) == sorted(corpus["submission_id"])
    assert ids != corpus["submission_id"].tolist()
    assert ws.data_validations.dataValidation[0].formula1 == "'编码表'!$B$2:$B$9"
    truth = corpus.set_index("submission_id")["category"]
    book = tk.text.read_codebook("topics")
    for row in ws.iter_rows(min_row=2):
        row[3].value = book.label(truth[row[0].value])
    wb.save(path)
    codes = tk.text.read_coding_sheet(path)
    assert (codes["coder"] == "A").all()
    back = codes.set_index("submission_id")["category"]
    assert (back.reindex(truth.index) == truth).all()
    a = tk.text.agreement(coded, codes, n_boot=0)
    assert set(a["coder"]) == {"A"}


def test_coding_sheet_problems_listed_with_excel_rows(corpus, tmp_path):
    path = tk.text.write_coding_sheet(corpus.head(4), tmp_path / "s.xlsx", text="body",
                                      seed=None)
    wb = openpyxl.load_workbook(path)
    ws = wb["编码"]
    ws["C2"] = "住房"
    ws["C4"] = "交通"
    ws["A5"] = ws["A3"].value
    wb.save(path)
    with pytest.raises(ValidationError) as err:
        tk.text.read_coding_sheet(path)
    problems = err.value.problems
    assert problems["row"].tolist() == [2, 4, 3, 5]
    assert problems["check"].tolist() == ["unknown_value"] * 2 + ["duplicate_id"] * 2
    assert "e.g. '住房与小区'" in problems["fix"].iloc[0]
    assert "'交通与停车'" in problems["fix"].iloc[1]


def test_coding_sheet_sample_and_errors(corpus, tmp_path):
    path = tk.text.write_coding_sheet(corpus, tmp_path / "s.xlsx", text="body", sample=10)
    assert len(tk.text.read_coding_sheet(path)) == 10
    with pytest.raises(ArgumentError, match="`sample`"):
        tk.text.write_coding_sheet(corpus, tmp_path / "t.xlsx", text="body", sample=1000)
    other = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(other)
    with pytest.raises(ReadError, match="not a coding sheet"):
        tk.text.read_coding_sheet(other)


def test_summary_and_html(coded):
    assert "Dictionary coding" in coded.summary().as_text()
    assert "<table" in coded._repr_html_()
    assert np.isclose(coded.shares()["share"].sum(), 1.0)
