"""The report section 民意关切 built from tk.text results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit.report.texts import concerns_section

CORPUS = Path(__file__).resolve().parents[1] / "text" / "data" / "corpus.csv"


@pytest.fixture(scope="module")
def corpus():
    frame = pd.read_csv(CORPUS)
    frame["adopted"] = frame["adopted"].map({"是": True, "否": False})
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_section_in_a_report(corpus, tmp_path):
    sec = concerns_section(corpus, text=["title", "body"], by="town", k=[4, 6], seed=1)
    assert sec.title == "民意关切"
    assert set(sec.figures) == {"concerns_categories", "concerns_keywords", "concerns_keyness",
                                "concerns_topics", "concerns_wordcloud"}
    first = sec.tables[0].to_frame()
    assert list(first.columns) == ["类别", "件数", "占比（%）"]
    assert first["类别"].tolist()[:2] == ["住房与小区", "交通与停车"]
    adoption = sec.tables[2].to_frame()
    assert "采用率（%）" in adoption.columns
    rep = tk.report.Report("测试报告")
    sec.add_to(rep)
    html = rep.to_html_text()
    assert "民意关切" in html
    assert "方法说明" in html
    assert "13812345678" not in html
    assert "张建国" not in html
    path = rep.to_docx(tmp_path / "r.docx")
    assert path.stat().st_size > 10_000


def test_section_in_english_without_adoption(corpus):
    sec = concerns_section(corpus.drop(columns=["adopted"]), text="body", date=None, k=4,
                           lang="en")
    assert sec.title == "What residents raise"
    assert "concerns_keyness" not in sec.figures
    assert "concerns_topics" not in sec.figures
    assert sec.facts["documents"] == len(corpus)
