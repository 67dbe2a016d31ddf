"""The commissioned-study report (``tk.report.study_report``, ``toolkit demo``).

Structure (cover, contents with page numbers, 摘要, 研究设计与数据, chapters,
主要发现与建议 with a marked placeholder, 附录), generated text (numbers traced to
results, no causal wording, statistics explained once, English without Chinese),
and the parts left out for a study that lacks data.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pandas as pd
import pytest
from docx.oxml.ns import qn

import toolkit as tk
from toolkit.report import _pdf, demo
from toolkit.report.demo._section import CONCEPTS
from toolkit.report.demo.summary import PLACEHOLDER

LIBREOFFICE = _pdf.find_soffice() is not None and shutil.which("pdftotext") is not None
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: Causal wording the generated text must never use for observational data.
CAUSAL = ("影响因素", "导致", "causes", "caused by", "leads to", "led to")
#: Instructions to the reader that must never reach the deliverable.
INSTRUCTIONS = ("右键", "更新域", "Update Field", "right-click")


def _generated(report) -> list[str]:
    """Every sentence the builder wrote: text, notes, headings, placeholders, captions."""
    out = [b.text for b in report.blocks if b.kind in {"text", "note", "placeholder"}]
    out += report.headings
    out += [b.table.caption or "" for b in report.blocks if b.kind == "table"]
    out += [b.text for b in report.blocks if b.kind == "figure"]
    return out


def _chapters(report) -> dict[str, list]:
    """Level-1 heading (number stripped) → the blocks under it."""
    out: dict[str, list] = {}
    current = None
    for b in report.blocks:
        if b.kind == "heading" and b.level == 1:
            current = b.text
            out[current] = []
        elif current is not None:
            out[current].append(b)
    return out


def _formatted(value) -> set[str]:
    """The ways a fact may be written in a sentence."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return set()
    v = float(value)
    forms = {f"{v:,.0f}", f"{v:,.1f}", f"{v:,.2f}", f"{v:,.3f}", f"{100 * v:.1f}",
             f"{100 * v:.0f}"}
    return forms


@pytest.fixture(scope="module")
def demo_data():
    return demo.load_demo()


@pytest.mark.slow  # builds the whole report (about 30 s) and renders it: the acceptance test
def test_study_report_zh(demo_data, tmp_path, monkeypatch, runs_without_east_asian_font):
    study, panel = demo_data
    made = tk.report.study_report(study, lang="zh", panel=panel, commissioner="某区政协",
                                  team="某大学课题组", date="2024年1月", progress=False)
    report = made.report
    assert made.skipped == []  # the demo study has every table

    # -- structure --------------------------------------------------------------------------
    chapters = _chapters(report)
    expected = ["摘要", "研究设计与数据", *[plan.zh for plan in demo.SECTIONS], "主要发现与建议",
                "附录"]
    assert list(chapters) == expected
    heads = report.headings
    assert heads[0] == "摘要"
    assert heads[1] == "1 研究设计与数据"
    assert "附录" in heads
    assert "附录A 变量说明" in heads
    assert "附录C 方法说明" in heads
    for sub in ("数据来源", "研究设计与样本", "数据校验", "读数说明"):
        assert any(h.endswith(sub) for h in heads if h.startswith("1."))
    for name, blocks in chapters.items():  # every chapter says something, not only tables
        assert any(b.kind == "text" for b in blocks), name
    # the findings are generated, the recommendations a marked placeholder
    findings = chapters["主要发现与建议"]
    numbered = [b.text for b in findings if b.kind == "text" and re.match(r"\d+．", b.text)]
    assert len(numbered) == len(made.findings) >= 8
    assert [b.text for b in findings if b.kind == "placeholder"] == [PLACEHOLDER["zh"]]
    # the appendix: variables, load and validation records, method notes
    captions = [b.table.caption for b in chapters["附录"] if b.kind == "table"]
    assert captions[:2] == ["变量说明", "数据读取记录"]
    assert len([b for b in chapters["附录"] if b.kind == "text"]) >= len(demo.SECTIONS)
    # the new chapters come from tk.report.evaluation_section and concerns_section
    assert "评价指标体系" in [b.table.caption for b in chapters["委员履职评价"]
                              if b.kind == "table"]
    assert "文本的议题类别" in [b.table.caption for b in chapters["民意关切"]
                              if b.kind == "table"]

    # -- generated text ---------------------------------------------------------------------
    text = "\n".join(_generated(report))
    for word in CAUSAL + INSTRUCTIONS:
        assert word not in text, word
    assert "原本互不往来" not in text
    assert "otherwise not meet" not in text
    body = [b.text for b in report.blocks if b.kind == "text"]
    for key, (zh, _) in CONCEPTS.items():  # each statistic explained once, in the design chapter
        assert body.count(zh) == 1, key
        assert zh in [b.text for b in chapters["研究设计与数据"] if b.kind == "text"]
    survey_text = " ".join(b.text for b in chapters["居民调查"] if b.kind == "text")
    assert "设计效应为 4.36" in survey_text
    assert "约 638 名" in survey_text
    assert "比值比" in survey_text
    assert "横截面数据中的关联" in survey_text
    network = chapters["委员共同参与网络与中介者"]
    brokerage = next(b.table for b in network if b.kind == "table"
                     and "经纪角色" in (b.table.caption or ""))
    assert {"观察路径数", "随机期望", "z≥1.96的委员数"} <= set(brokerage.frame.columns)
    goals = next(b.table for b in chapters["提案与社情民意信息的回应性"] if b.kind == "table"
                 and "工作目标" in (b.table.caption or ""))
    assert not any("p" in str(c) for c in goals.frame.columns)  # no p-value against a slogan
    responsiveness = " ".join(b.text for b in chapters["提案与社情民意信息的回应性"]
                              if b.kind == "text")
    assert "按字面理解" in responsiveness
    assert "log-rank 检验" in responsiveness
    assert "删失" in responsiveness

    # -- every number in the abstract is a fact the builder computed -------------------------
    facts = {k: v for k, v in made.facts.items() if isinstance(v, int | float)}
    forms = set().union(*(_formatted(v) for v in facts.values()))
    abstract = " ".join(made.abstract[:-1])  # the last paragraph is the keywords
    numbers = re.findall(r"\d[\d,]*(?:\.\d+)?", re.sub(r"\d{4}-\d\d-\d\d", "", abstract))
    numbers = [n for n in numbers if n not in {"95", "1", "5"}]  # 95% CI; the 1–5 scale
    assert numbers
    assert [n for n in numbers if n not in forms] == []
    # … and the facts are what the public API computes (same calls, recomputed here)
    cover = tk.net.coverage(study).to_frame()
    assert made.facts["covered"] == int((cover["status"] == "covered").sum())
    assert made.facts["communities"] == len(cover)
    resp = tk.stats.submissions(study).rates.set_index("measure").loc["response_rate"]
    assert made.facts["response_estimate"] == pytest.approx(resp["estimate"], abs=1e-12)
    assert made.facts["response_ci_low"] == pytest.approx(resp["ci_low"], abs=1e-12)
    scale = study.scales["satisfaction"]
    scored = study.table("survey").assign(satisfaction=tk.stats.scale_scores(
        study.table("survey"), scale))
    mean = tk.stats.Design(scored, **study.design_spec.as_dict()).mean("satisfaction").iloc[0]
    assert made.facts["mean_satisfaction"] == pytest.approx(mean["estimate"], abs=1e-12)
    assert made.facts["mean_satisfaction_ci_high"] == pytest.approx(mean["ci_high"], abs=1e-12)
    change = tk.stats.change(panel, items=["op1"], knowledge=[f"know{i}" for i in range(1, 7)])
    know = change.set_index("item").loc["knowledge_index"]
    assert made.facts["knowledge_after"] == pytest.approx(know["mean_after"], abs=1e-12)

    # -- Word: cover, contents, fonts -------------------------------------------------------
    measured: list = []
    read = _pdf.page_texts

    def spy(pdf):  # the pages LibreOffice laid out, from which the contents' numbers come
        measured.append(read(pdf))
        return measured[-1]

    monkeypatch.setattr(_pdf, "page_texts", spy)
    path = report.to_docx(tmp_path / "报告.docx")
    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    first_toc = paragraphs.index("目录")
    cover_text = "\n".join(paragraphs[:first_toc])
    for part in ("研究报告", report.title, "委托单位：某区政协", "课题组：某大学课题组",
                 "2024年1月"):
        assert part in cover_text
    assert len(document.sections) == 2  # cover and contents unnumbered; body from page 1
    assert "PAGE" in "".join(el.text for el in document.sections[-1].footer._element.iter(
        qn("w:instrText")))
    assert runs_without_east_asian_font(path) == []
    highlighted = [r.text for p in document.paragraphs for r in p.runs
                   if r.font.highlight_color is not None]
    assert highlighted == [PLACEHOLDER["zh"]]
    html = report.to_html_text()
    assert all(word not in html for word in INSTRUCTIONS)
    if not LIBREOFFICE:
        return
    # the contents has its own page, and its numbers are the pages the headings are on
    pages = measured[0]
    assert pages[1].split()[0] == "目录"
    assert "本报告受" not in pages[1]  # the 摘要 starts on the next page
    entries = paragraphs[first_toc + 1:first_toc + 1 + len(heads)]
    assert [e.rsplit("\t", 1)[0] for e in entries] == heads
    printed = [int(e.rsplit("\t", 1)[1]) for e in entries]
    assert printed == _pdf.heading_pages(pages, heads)
    assert printed[0] == 1  # 摘要 opens the body, numbered from 1
    assert printed == sorted(printed)


@pytest.mark.slow  # builds the whole report in English (about 20 s)
def test_study_report_en_speaks_english(demo_data):
    study, panel = demo_data
    made = tk.report.study_report(study, lang="en", panel=panel, progress=False)
    report = made.report
    assert list(_chapters(report))[:3] == ["Summary", "Design and data", "Coverage"]
    chinese = [s for s in _generated(report) if CJK.search(s)]
    assert chinese == []
    assert not CJK.search(report.title)
    text = "\n".join(_generated(report))
    for word in CAUSAL + INSTRUCTIONS:
        assert word not in text, word
    coverage = " ".join(b.text for b in _chapters(report)["Coverage"] if b.kind == "text")
    assert re.search(r"the lowest share is in [A-Z][a-z]+ (Town|Subdistrict)", coverage)
    assert [b.text for b in report.blocks if b.kind == "placeholder"] == [PLACEHOLDER["en"]]


def _small_study():
    units = pd.DataFrame({"unit_id": ["T1", "C1"], "name": ["东街道", "甲社区"],
                          "level": ["镇街", "村社区"], "parent_id": [None, "T1"]})
    sessions = pd.DataFrame({"session_id": ["S1"], "date": pd.to_datetime(["2023-05-01"]),
                             "unit_id": ["C1"], "platform": ["微信群"]})
    return tk.Study(units=units, sessions=sessions, name="小样本")


def test_left_out_sections_are_named_in_the_design_chapter():
    made = demo.study_report(_small_study(), lang="en", progress=False)
    reasons = dict((k, r) for k, _, r in made.skipped)
    # whole chapters: the table they need is not in the study, said so explicitly
    assert reasons["participation"] == "the study has no attendance table (attendance)"
    assert reasons["survey"] == "the study has no resident survey table (survey)"
    assert reasons["change"] == "no before/after panel was given (`panel=`)"
    assert reasons["evaluation"] == "the study has no members' activities table (activities)" \
        or reasons["evaluation"].startswith("the study has no ")
    # parts of a chapter: the columns they need are missing
    assert reasons["process.platforms"] == \
        "the sessions table has no column(s) `consensus`, `stage`"
    chapters = _chapters(made.report)
    assert list(chapters) == ["Summary", "Design and data", "Coverage", "Consultation process",
                              "Findings and recommendations", "Appendix"]
    text = " ".join(b.text for b in chapters["Design and data"] if b.kind == "text")
    assert "Not included in this report, for lack of the data they need: " in text
    assert "Change before and after deliberation (no before/after panel was given " in text
    # only the statistics shown are explained
    assert CONCEPTS["deff"][1] not in text
    assert CONCEPTS["ci"][1] in text


def test_period_and_cover_parameters():
    made = tk.report.study_report(_small_study(), period="2023-01-01/2023-12-31",
                                  commissioner="东街道办事处", team="课题组甲",
                                  date=pd.Timestamp("2024-03-05"), progress=False)
    assert "2023-01-01 – 2023-12-31" in made.abstract[0]
    assert made.abstract[0].startswith("本报告受东街道办事处委托")
    assert made.report.date == "2024年3月"
    assert (made.report.commissioner, made.report.team) == ("东街道办事处", "课题组甲")


def test_sections_can_be_chosen_and_are_checked():
    made = tk.report.study_report(_small_study(), sections=["coverage"], progress=False)
    assert list(_chapters(made.report))[2] == "全覆盖情况"
    assert "协商过程" not in _chapters(made.report)
    with pytest.raises(tk.errors.ArgumentError, match="did you mean `coverage`"):
        tk.report.study_report(_small_study(), sections=["coverag"])


def test_a_section_that_cannot_be_computed_fails_the_report(monkeypatch):
    def broken(study, **kw):
        msg = "the sessions table is inconsistent"
        raise ValueError(msg)

    monkeypatch.setattr(tk.stats, "sessions", broken)
    with pytest.raises(ValueError, match="inconsistent") as caught:
        demo.study_report(_small_study(), lang="en", progress=False)
    assert "while building the report section 'process'" in "\n".join(caught.value.__notes__)


def test_build_demo_writes_the_files(tmp_path, external_references):
    paths = demo.build_demo(tmp_path / "out", "zh", study=_small_study(), progress=False,
                            date="2024年1月")
    assert paths["docx"].is_file()
    assert paths["html"].is_file()
    html = paths["html"].read_text(encoding="utf-8")
    assert external_references(html) == []
    assert "<section class='cover'>" in html
    assert "class='placeholder'" in html
    listed = paths["not included"].read_text(encoding="utf-8")
    assert "survey\t研究中没有“居民调查”表（survey）" in listed


def test_demo_and_notebook_share_the_builder(monkeypatch, tmp_path):
    calls = []
    real = demo.app.study_report

    def spy(*args, **kw):
        calls.append(kw)
        return real(*args, **kw)

    monkeypatch.setattr(demo.app, "study_report", spy)
    demo.build_demo(tmp_path, "en", study=_small_study(), progress=False)
    assert len(calls) == 1
    assert calls[0]["lang"] == "en"
    import nbformat

    nb = nbformat.read(Path(__file__).resolve().parents[2] / "notebooks" /
                       "06_commissioned_report.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert code.count("tk.report.study_report(") == 1
    assert "tk.report.Report(" not in code
    assert ".heading(" not in code


def test_nothing_left_out_writes_no_not_included_file(monkeypatch, tmp_path):
    # an empty not_included.txt said nothing: with nothing left out there is no file,
    # and one left by an earlier run is removed
    real = demo.app.study_report

    def complete(*args, **kw):
        made = real(*args, **kw)
        made.skipped.clear()
        return made

    monkeypatch.setattr(demo.app, "study_report", complete)
    stale = tmp_path / "not_included.txt"
    stale.write_text("survey\t…\n", encoding="utf-8")
    paths = demo.build_demo(tmp_path, "en", study=_small_study(), progress=False)
    assert "not included" not in paths
    assert not stale.exists()
