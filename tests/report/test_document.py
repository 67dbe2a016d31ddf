"""Report: Word output with East Asian fonts, numbering, fields; self-contained HTML; Markdown."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import docx
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from docx.oxml.ns import qn

import toolkit as tk
from toolkit.report import _pdf


@pytest.fixture
def report():
    rep = tk.report.Report("基层协商情况报告", author="课题组")
    rep.heading("数据概况").text("本报告使用示例数据。\n\n第二段说明。")
    # the total of the counts may be stated anywhere in a report, so the one small
    # count takes a second, hidden one with it (the smaller of the others)
    frame = pd.DataFrame({"platform": ["微信群", "居民议事会", "项目听证会"],
                          "n": pd.array([1520, 3, 48], dtype="Int64")})
    rep.table(frame, "各平台协商次数")
    rep.heading("满意度", level=2)
    with tk.plot.style("zh"):
        _, ax = plt.subplots()
        ax.bar(["很满意", "满意"], [3, 5])
        ax.set_title("居民满意度")
    rep.figure(ax, "居民满意度分布")
    rep.heading("结论")
    rep.table(pd.DataFrame({"term": ["age"], "estimate": [0.1234]}), "模型")
    rep.note("数据为虚构。")
    return rep


def _instr(doc) -> list[str]:
    return [el.text for el in doc.element.body.iter(qn("w:instrText"))]


def test_docx_structure(tmp_path, report, runs_without_east_asian_font):
    path = report.to_docx(tmp_path / "中文路径" / "报告.docx", page_numbers=False)
    doc = docx.Document(str(path))
    headings = [(p.style.name, p.text) for p in doc.paragraphs
                if p.style.name.startswith("Heading")]
    assert headings == [("Heading 1", "1 数据概况"), ("Heading 2", "1.1 满意度"),
                        ("Heading 1", "2 结论")]
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions == ["表1 各平台协商次数", "图1 居民满意度分布", "表2 模型"]
    instr = " ".join(_instr(doc))
    assert "SEQ 表" in instr
    assert "SEQ 图" in instr
    assert "TOC" in instr
    assert len(doc.sections) == 2  # cover and contents, then the body numbered from 1
    footer = doc.sections[-1].footer._element
    assert "PAGE" in "".join(el.text for el in footer.iter(qn("w:instrText")))
    assert "第 " in "".join(t.text for t in footer.iter(qn("w:t")))
    assert len(doc.inline_shapes) == 1
    table = doc.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells == [["协商平台", "样本量"], ["微信群", "1,520"], ["居民议事会", "<5"],
                     ["项目听证会", "—"]]
    notes = [p.text for p in doc.paragraphs if p.text.startswith("注：")]
    assert any("少于5的频数" in n for n in notes)
    assert "注：数据为虚构。" in notes
    assert runs_without_east_asian_font(path) == []


def test_docx_fonts_default_and_configurable(tmp_path, report):
    path = report.to_docx(tmp_path / "a.docx", page_numbers=False)
    doc = docx.Document(str(path))
    heading = next(p for p in doc.paragraphs if p.style.name == "Heading 1")
    body = next(p for p in doc.paragraphs if p.text == "本报告使用示例数据。")

    def east(paragraph):
        return paragraph.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))

    assert east(heading) == "黑体"
    assert east(body) == "宋体"
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体"
    custom = tk.report.Report("T", fonts={"body": "仿宋", "heading": "微软雅黑"})
    custom.heading("一").text("正文")
    doc2 = docx.Document(str(custom.to_docx(tmp_path / "b.docx", page_numbers=False)))
    assert east(next(p for p in doc2.paragraphs if p.text == "正文")) == "仿宋"
    with pytest.raises(ValueError, match="font role"):
        tk.report.Report("T", fonts={"title": "楷体"})


def test_html_is_self_contained(tmp_path, report, external_references):
    path = report.to_html(tmp_path / "报告.html")
    text = path.read_text(encoding="utf-8")
    assert external_references(text) == []
    assert "data:image/png;base64," in text
    assert "<caption>表1 各平台协商次数</caption>" in text
    assert "<figcaption>图1 居民满意度分布</figcaption>" in text
    assert "<a href='#h0'>1 数据概况</a>" in text
    assert "data:image/png;base64," in report._repr_html_()


def test_markdown_writes_images_next_to_it(tmp_path, report):
    path = report.to_markdown(tmp_path / "report.md")
    text = path.read_text(encoding="utf-8")
    assert "![图1 居民满意度分布](report_files/figure1.png)" in text
    assert (tmp_path / "report_files" / "figure1.png").read_bytes()[:4] == b"\x89PNG"
    assert "| 微信群 | 1,520 |" in text


def test_single_table_to_word(tmp_path, runs_without_east_asian_font):
    people = pd.DataFrame({"gender": ["男", "女"] * 10, "party_member": [True] * 12 + [False] * 8})
    t = tk.report.crosstab_table(tk.stats.Design(people).crosstab("gender", "party_member"),
                                 caption="性别与党员身份")
    path = t.to_docx(tmp_path / "表.docx")
    doc = docx.Document(str(path))
    assert [p.text for p in doc.paragraphs if p.style.name == "Caption"] == ["表1 性别与党员身份"]
    assert [c.text for c in doc.tables[0].rows[0].cells] == ["性别", "是", "否", "合计"]
    assert runs_without_east_asian_font(path) == []


def test_english_report(tmp_path):
    rep = tk.report.Report("Consultation", lang="en", number_headings=False)
    rep.heading("Data").table(pd.DataFrame({"platform": ["微信群"], "share": [0.5]}), "Platforms")
    doc = docx.Document(str(rep.to_docx(tmp_path / "en.docx", page_numbers=False)))
    assert [p.text for p in doc.paragraphs if p.style.name == "Caption"] == ["Table 1. Platforms"]
    assert doc.tables[0].rows[1].cells[0].text == "WeChat group"
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == ["Data"]


def test_bad_inputs():
    rep = tk.report.Report("T")
    with pytest.raises(TypeError, match="Figure or Axes"):
        rep.figure(42)
    with pytest.raises(ValueError, match="`level`"):
        rep.heading("x", level=4)
    with pytest.raises(TypeError, match=r"tk\.report\.Table"):
        rep.table([1, 2])


LIBREOFFICE = _pdf.find_soffice() is not None and shutil.which("pdftotext") is not None


def _front_report(**kw):
    rep = tk.report.Report("基层协商情况研究报告", commissioner="某区政协", team="某大学课题组",
                           date=dt.date(2024, 1, 5), kind="研究报告", **kw)
    rep.heading("摘要", numbered=False).text("本报告分析示例数据。" * 20)
    rep.page_break()
    for i in range(3):
        rep.heading(f"第{i + 1}部分").text("正文。" * 400)
        rep.heading("小节", level=2).text("正文。" * 200)
    rep.heading("主要发现与建议").placeholder("【待课题组撰写】建议。")
    rep.heading("附录", numbered=False)
    return rep


def test_cover_contents_and_body(tmp_path, runs_without_east_asian_font):
    rep = _front_report()
    assert rep.headings[:3] == ["摘要", "1 第1部分", "1.1 小节"]
    assert rep.headings[-1] == "附录"  # unnumbered headings do not advance the numbers
    path = rep.to_docx(tmp_path / "r.docx", page_numbers=False)
    doc = docx.Document(str(path))
    text = [p.text for p in doc.paragraphs]
    cover = text[:text.index("目录")]
    assert [t for t in cover if t] == ["研究报告", "基层协商情况研究报告", "委托单位：某区政协",
                                       "课题组：某大学课题组", "2024年1月"]
    assert not any("右键" in t or "更新域" in t for t in text)  # no instructions to the reader
    # without measured pages, Word is asked to fill them in when it opens the file
    assert doc.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    breaks = doc.element.body.findall(f".//{qn('w:br')}")
    assert sum(b.get(qn("w:type")) == "page" for b in breaks) >= 2  # cover; after the 摘要
    highlighted = [r.text for p in doc.paragraphs for r in p.runs if r.font.highlight_color]
    assert highlighted == ["【待课题组撰写】建议。"]
    assert runs_without_east_asian_font(path) == []
    html = rep.to_html_text()
    assert "委托单位：某区政协" in html
    assert "<p class='placeholder'>" in html
    assert "**【待课题组撰写】建议。**" in rep.to_markdown_text()
    en = tk.report.Report("Study", lang="en", date=dt.date(2024, 1, 5), commissioner="X")
    assert en.date == "January 2024"
    assert "Commissioned by: X" in en.to_html_text()
    with pytest.raises(TypeError, match="`date`"):
        tk.report.Report("T", date=20240105)


@pytest.mark.skipif(not LIBREOFFICE, reason="needs LibreOffice and pdftotext")
def test_contents_has_the_real_page_numbers(tmp_path):
    rep = _front_report()
    pdf = rep.to_pdf(tmp_path / "r.pdf")
    pages = _pdf.page_texts(pdf)
    assert pages[1].split()[0] == "目录"  # the contents has a page of its own
    printed = [int(m) for m in re.findall(r"\.{3,}\s*(\d+)\s*$", pages[1], flags=re.M)]
    assert printed == _pdf.heading_pages(pages, rep.headings)
    assert printed[0] == 1
    assert printed == sorted(printed)
    assert printed[-1] > 3
    doc = docx.Document(str(tmp_path / "r.docx"))
    assert doc.settings.element.find(qn("w:updateFields")) is None


def test_heading_pages_reads_the_printed_numbers():
    pages = ["封面", "目录\n1 数据 ........ 1", "1 数据\n正文\n第 1 页",
             "正文\n1.1 一个很长的\n标题\n第 2 页", "2 结论\nPage 3"]
    assert _pdf.heading_pages(pages, ["1 数据", "1.1 一个很长的标题", "2 结论", "3 无"]) == \
        [1, 2, 3, None]


def test_page_numbers_required_without_libreoffice(monkeypatch, tmp_path):
    monkeypatch.setattr(_pdf, "find_soffice", lambda: None)
    rep = _front_report()
    with pytest.raises(tk.errors.ToolkitError, match="LibreOffice"):
        rep.to_docx(tmp_path / "r.docx", page_numbers=True)
    assert rep.to_docx(tmp_path / "r.docx").is_file()  # default: falls back quietly
    with pytest.raises(tk.errors.ToolkitError, match="LibreOffice"):
        rep.to_pdf(tmp_path / "r.pdf")
