"""The demo report (``toolkit demo``): structure, numbers, fonts, left-out sections."""

from __future__ import annotations

import re

import docx
import pandas as pd
import pytest
from docx.oxml.ns import qn
from docx.table import Table as DocxTable

import toolkit as tk
from toolkit.report import demo


def _tables_by_caption(doc) -> dict[str, list[list[str]]]:
    """Caption text → cells of the table that follows it."""
    out, caption = {}, None
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            text = "".join(t.text or "" for t in el.iter(qn("w:t")))
            style = el.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            if style is not None and style.get(qn("w:val")) == "Caption" and text.startswith("表"):
                caption = text
        elif el.tag == qn("w:tbl") and caption:
            table = DocxTable(el, doc)
            out[caption] = [[c.text for c in row.cells] for row in table.rows]
            caption = None
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    study, _ = demo.load_demo()
    out = tmp_path_factory.mktemp("演示")
    paths = tk.report.demo.build_demo(out, "zh")
    return study, out, paths


@pytest.mark.slow  # builds the whole demo report (about 20 s): the acceptance test of the report
def test_demo_report(built, runs_without_east_asian_font, external_references):
    study, out, paths = built
    assert paths["docx"] == out / "report.docx"
    # the demo study has every table: nothing is left out
    assert (out / "not_included.txt").read_text(encoding="utf-8") == ""
    doc = docx.Document(str(paths["docx"]))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    expected = ["数据与校验"] + [plan.zh for plan in demo.SECTIONS]
    assert [re.sub(r"^\d+ ", "", h) for h in headings] == expected
    assert headings[0] == "1 数据与校验"
    # numbered captions, consecutive; one embedded image per figure, saved as PNG and SVG
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    tables = [int(re.match(r"表(\d+) ", c).group(1)) for c in captions if c.startswith("表")]
    figures = [int(re.match(r"图(\d+) ", c).group(1)) for c in captions if c.startswith("图")]
    assert tables == list(range(1, len(tables) + 1))
    assert figures == list(range(1, len(figures) + 1))
    assert len(doc.inline_shapes) == len(figures) >= 3
    pngs = sorted((out / "figures").glob("*.png"))
    assert len(pngs) == len(figures)
    assert len(list((out / "figures").glob("*.svg"))) == len(figures)
    assert runs_without_east_asian_font(paths["docx"]) == []
    html = paths["html"].read_text(encoding="utf-8")
    assert external_references(html) == []
    assert html.count("data:image/png;base64,") == len(figures)

    # numbers in the tables, recomputed through the public API
    found = _tables_by_caption(doc)
    loads = next(v for k, v in found.items() if "数据表与读取记录" in k)
    row = next(r for r in loads if r[0] == "协商活动")
    assert row[3] == f"{len(study.table('sessions')):,}"
    alphas = next(v for k, v in found.items() if "Cronbach" in k)
    scale = study.scales["satisfaction"]
    alpha = tk.stats.alpha(study.table("survey"), items=scale)["alpha"].iloc[0]
    row = next(r for r in alphas if r[0] == scale.label)
    assert row[2] == f"{alpha:.3f}"
    # coverage: the text and the table by town report tk.net.coverage
    cover = tk.net.coverage(study)
    communities = cover.communities
    text = "\n".join(p.text for p in doc.paragraphs)
    covered = int(communities["covered"].sum())
    assert f"全区共有 {len(communities)} 个村（社区），其中 {covered} 个" in text
    by_town = next(v for k, v in found.items() if "各镇街村（社区）覆盖情况" in k)
    expected_rows = cover.by_town()
    assert [r[0] for r in by_town[1:]] == expected_rows["parent_name"].tolist()
    assert [r[-1] for r in by_town[1:]] == [str(n) for n in expected_rows["n_covered"]]
    # the cross-table of consensus carries the design-based test of Design.crosstab
    consensus = next(k for k in found if "线上与线下平台的共识情况" in k)
    assert consensus
    assert "Rao–Scott 校正 F(" in text


@pytest.mark.slow  # uses the demo report built above
def test_demo_outputs_hold_no_name_id_or_phone(built, leaks_in):
    """Every file ``toolkit demo`` writes, searched for every personal value of the demo study."""
    study, out, paths = built
    people = study.table("participants")
    values = {str(v) for v in [*people["name"], *people["id_card"], *people["phone"],
                               *study.table("activities")["member_name"]] if isinstance(v, str)}
    assert len(values) > 2 * len(people)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert set(paths.values()) <= set(files)
    assert leaks_in(files, values) == []


def _small_study():
    units = pd.DataFrame({"unit_id": ["T1", "C1"], "name": ["东街道", "甲社区"],
                          "level": ["镇街", "村社区"], "parent_id": [None, "T1"]})
    sessions = pd.DataFrame({"session_id": ["S1"], "date": pd.to_datetime(["2023-05-01"]),
                             "unit_id": ["C1"], "platform": ["微信群"]})
    return tk.Study(units=units, sessions=sessions, name="小样本")


def test_left_out_sections_are_named_in_the_data_section():
    made = demo.build_study_report(_small_study(), lang="en", progress=False)
    reasons = dict((k, r) for k, _, r in made.skipped)
    # whole sections: the table they need is not in the study, said so explicitly
    assert reasons["participation"] == "the study has no attendance table (attendance)"
    assert reasons["survey"] == "the study has no resident survey table (survey)"
    assert reasons["change"] == "no before/after panel was given (`panel=`)"
    # parts of a section: the columns they need are missing
    assert reasons["process.platforms"] == \
        "the sessions table has no column(s) `consensus`, `stage`"
    headings = made.report.headings
    assert headings == ["1 Data and validation", "2 Coverage (全覆盖)", "3 Consultation process"]
    text = " ".join(b.text for b in made.report.blocks if b.kind == "text")
    assert "Not included in this report: " in text
    assert "Change before and after deliberation (no before/after panel was given " in text


def test_a_section_that_cannot_be_computed_fails_the_report(monkeypatch):
    def broken(study, **kw):
        msg = "the sessions table is inconsistent"
        raise ValueError(msg)

    monkeypatch.setattr(tk.stats, "sessions", broken)
    with pytest.raises(ValueError, match="inconsistent") as caught:
        demo.build_study_report(_small_study(), lang="en", progress=False)
    assert "while building the report section 'process'" in "\n".join(caught.value.__notes__)
