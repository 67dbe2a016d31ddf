"""Tables laid out for print (issue 17): widths from content, unbroken headers and numbers,
续表 on continuation pages, 注 under the bottom rule, one number style, HTML alignment."""

from __future__ import annotations

import re

import docx
import numpy as np
import pandas as pd
import pytest
from docx.oxml.ns import qn

import toolkit as tk
from toolkit.errors import ArgumentError
from toolkit.report._layout import (
    PAGE,
    _column_needs,
    em_cm,
    layout_table,
    text_em,
    units,
    wrap_header,
)

#: Headers the old fixed layout broke mid-word (剔除行/数, 参与者编/号, 设计效/应).
BROKEN_BEFORE = ["剔除行数", "参与者编号", "设计效应", "95%CI下限", "前测标准差"]


def _change_table() -> pd.DataFrame:
    """The shape of the pre/post table whose numbers the old layout broke (28/8, -/0.06)."""
    return pd.DataFrame({
        "题项": ["老旧小区加装电梯应由受益住户按楼层分摊费用", "知识指数（答对比例，0–1）"],
        "配对数": ["288", "288"], "前测均值": ["28.8", "0.47"], "后测均值": ["3.46", "0.66"],
        "变化": ["-0.06", "0.19"], "95%CI下限": ["-0.10", "0.16"], "95%CI上限": ["0.15", "0.22"],
        "p值": ["<0.001", "0.699"], "前测标准差": ["1.27", "0.21"], "后测标准差": ["0.87", "0.20"],
        "未配对": ["12", "12"], "设计效应": ["4.356", "0.521"], "剔除行数": ["2", "0"],
    })


def _docx_tables(path):
    """Each table of a .docx: (the paragraph before it, rows of cell texts, the element)."""
    doc = docx.Document(str(path))
    out, before = [], None
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            before = el
        elif el.tag == qn("w:tbl"):
            table = docx.table.Table(el, doc)
            out.append((before, [[c.text for c in r.cells] for r in table.rows], el))
    return doc, out


def _next_paragraph(el):
    nxt = el.getnext()
    return "".join(t.text or "" for t in nxt.iter(qn("w:t"))) if nxt is not None else ""


# -- widths, headers, numbers ---------------------------------------------------


def test_column_widths_come_from_content_with_chinese_counted_double():
    assert text_em("设计效应") == 2 * text_em("0000") == 4.0  # a digit half an em, CJK one
    cjk, _, _ = _column_needs("变量", ["对协商议事的满意度", "信任"], numeric=False, size=10.5)
    latin, _, _ = _column_needs("变量", ["123456789", "12"], numeric=False, size=10.5)
    # the Chinese stub (9 characters) needs twice the room of nine digits
    assert cjk - 0.38 == pytest.approx(2 * (latin - 0.38))
    lay = layout_table(["变量", "n"], [["对协商议事的满意度", "3"], ["信任", "12"]])
    # a narrow table is not stretched across the page: about its natural width
    assert sum(lay.widths) < 0.7 * PAGE.text_width()
    # the number column is as wide as its widest number plus the cell margins, not a share
    assert lay.widths[1] < lay.widths[0]


def test_header_words_are_never_broken():
    for head in BROKEN_BEFORE:
        assert all(piece in units(head, header=True) or head.startswith(piece)
                   or piece in head for piece in units(head, header=True))
    assert units("剔除行数", header=True) == ["剔除行数"]
    assert wrap_header("95%CI下限", 3.0) == ["95%CI", "下限"]  # between the words only
    assert wrap_header("设计效应", 1.0) == ["设计效应"]  # too narrow: still one word
    lay = layout_table(list(_change_table().columns), _change_table().to_numpy().tolist())
    room = [(w - 0.38) / em_cm(lay.size) for w in lay.widths]
    for head, lines, r in zip(_change_table().columns, lay.headers, room, strict=True):
        assert "".join(lines).replace(" ", "") == head.replace(" ", "")
        for line in lines:  # every line is whole words, and fits its column
            assert text_em(line, bold=True) <= r + 1e-9 or len(units(line, header=True)) == 1
        for word in ("剔除行数", "参与者编号", "设计效应", "标准差"):
            if word in head:
                assert any(word in line for line in lines)


def test_numbers_fit_their_column_so_nothing_wraps_them():
    frame = _change_table()
    lay = layout_table(list(frame.columns), frame.to_numpy().tolist())
    assert lay.fits
    for j, col in enumerate(frame.columns):
        if not lay.numeric[j]:
            continue
        room = (lay.widths[j] - 0.38) / em_cm(lay.size)
        assert max(text_em(v) for v in frame[col]) <= room, col
    # 13 columns do not fit a portrait page in 10.5 pt: smaller type, or a landscape page
    assert lay.size < 10.5 or lay.landscape


def test_word_table_is_fixed_with_unbreakable_numbers(tmp_path):
    rep = tk.report.Report("排版", toc=False)
    rep.table(tk.report.Table(_change_table(), caption="协商前后的变化"))
    path = rep.to_docx(tmp_path / "t.docx")
    doc, tables = _docx_tables(path)
    _, rows, el = tables[0]
    layout = el.find(f"{qn('w:tblPr')}/{qn('w:tblLayout')}")
    assert layout is not None
    assert layout.get(qn("w:type")) == "fixed"
    assert rows[1][4] == "-0.06"
    assert "84\u00a0(6.3%)" == tk.report._layout.nowrap("84 (6.3%)")
    # wide: the table sits in a landscape section of its own
    orientations = [s.orientation for s in doc.sections]
    assert len(orientations) >= 2
    assert any(o == 1 for o in orientations)
    assert orientations[-1] == 0  # the document ends in portrait again


# -- pages: 续表 and 注 -------------------------------------------------------------


def _long_report(tmp_path, rows=90, lang="zh"):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"unit_id": [f"C{i:03d}" for i in range(rows)],
                       "population": rng.integers(1000, 9000, rows)})
    rep = tk.report.Report("长表", toc=False, lang=lang)
    rep.heading("数据").text("下表列出各村（社区）人口。")
    rep.table(df, "各村（社区）人口", suppress=False)
    rep.note("人口为常住人口。")
    return rep, rep.to_docx(tmp_path / "long.docx")


def test_long_table_continues_under_xubiao_with_its_header(tmp_path):
    _, path = _long_report(tmp_path)
    _, tables = _docx_tables(path)
    assert len(tables) >= 2  # split where the page ends
    first, rest = tables[0], tables[1:]
    header = first[1][0]
    body = first[1][1:]
    for before, rows, el in rest:
        assert rows[0][0] == "续表1"  # continued: 续表N above the repeated header
        assert rows[1] == header
        trs = el.findall(qn("w:tr"))
        for tr in trs[:2]:  # both rows repeat at the top of every further page
            assert tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        p_pr = before.find(qn("w:pPr"))
        assert p_pr.find(qn("w:pageBreakBefore")) is not None  # starts on a new page
        body += rows[2:]
    assert len(body) == 90  # no row lost or repeated
    assert [r[0] for r in body] == [f"C{i:03d}" for i in range(90)]
    # the first part repeats its header too, and no row breaks across pages
    first_trs = first[2].findall(qn("w:tr"))
    assert first_trs[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    assert all(tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for tr in first_trs)


def test_english_continuation_reads_table_n_continued(tmp_path):
    _, path = _long_report(tmp_path, lang="en")
    _, tables = _docx_tables(path)
    assert tables[1][1][0][0] == "Table 1 (continued)"


def test_note_sits_directly_under_the_bottom_rule(tmp_path):
    rep, path = _long_report(tmp_path)
    _, tables = _docx_tables(path)
    last = tables[-1][2]
    # the note written after the table is the table's 注, right under its last part
    assert _next_paragraph(last) == "注：人口为常住人口。"
    last_row = last.findall(qn("w:tr"))[-1]
    keep = [p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") for p in last_row.iter(qn("w:p"))]
    assert all(k is not None for k in keep)  # the last row never parts from its note
    html = rep.to_html_text()
    assert "<p class='tk-note'>注：人口为常住人口。</p></div>" in html
    assert "class='note'" not in html  # not a loose paragraph after the table
    assert rep.to_markdown_text().count("注：") == 1


def test_three_line_rules(tmp_path):
    rep = tk.report.Report("三线表", toc=False)
    rep.table(pd.DataFrame({"platform": ["微信群", "居民议事会"], "n": [120, 30]}), "平台")
    _, tables = _docx_tables(rep.to_docx(tmp_path / "r.docx"))
    el = tables[0][2]
    borders = el.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
    size = {b.tag.split('}')[1]: (b.get(qn("w:val")), b.get(qn("w:sz"))) for b in borders}
    assert size["top"] == ("single", "12")
    assert size["bottom"] == ("single", "12")
    for edge in ("left", "right", "insideH", "insideV"):  # no vertical or inner rules
        assert size[edge][0] == "nil"
    head = el.findall(qn("w:tr"))[0]
    rules = [c.find(f"{qn('w:tcPr')}/{qn('w:tcBorders')}/{qn('w:bottom')}")
             for c in head.iter(qn("w:tc"))]
    assert all(r is not None and r.get(qn("w:sz")) == "6" for r in rules)  # thin under header


# -- one number style per table ----------------------------------------------------


def test_one_number_style_per_table():
    df = pd.DataFrame({"measure": ["a", "b"], "estimate": [0.1234, 0.5], "ci_low": [0.1, 0.4],
                       "ci_high": [0.15, 0.6], "share": [0.2, 0.8], "percent": [20.0, 80.0]})
    t = tk.report.Table.from_frame(df, shares=["estimate", "ci_low", "ci_high"])
    frame = t.to_frame()
    assert t.style == "percent"
    assert frame.iloc[0].tolist()[1:] == ["12.3", "10.0", "15.0", "20.0", "20.0"]
    assert [c for c in frame.columns if "%" in c] == list(frame.columns[1:])
    p = tk.report.Table.from_frame(df.drop(columns="share"),
                                   shares=["estimate", "ci_low", "ci_high"], style="proportion")
    assert p.to_frame().iloc[0].tolist()[1:] == ["0.123", "0.100", "0.150", "0.200"]
    assert not any(c.endswith("（%）") for c in p.to_frame().columns)
    with pytest.raises(ArgumentError, match="style='count'"):
        tk.report.Table.from_frame(df, style="count")
    with pytest.raises(ArgumentError, match="`shares`"):
        tk.report.Table.from_frame(df, shares=["nope"])
    # the tables built from results declare their style
    s = pd.DataFrame({"platform": ["微信群"] * 12 + ["居民议事会"] * 9,
                      "consensus": [True] * 7 + [False] * 5 + [True] * 8 + [False]})
    tab = tk.stats.Design(s).crosstab("platform", "consensus")
    assert tk.report.crosstab_table(tab, test=False, suppress=False).style == "percent"
    assert tk.report.crosstab_table(tab, percent=None, test=False,
                                    suppress=False).style == "count"
    res = tk.stats.describe(s, vars=["platform"])
    assert tk.report.describe_table(res, suppress=False).style == "percent"


# -- HTML -------------------------------------------------------------------------


def test_html_text_left_numbers_right_on_their_digits():
    frame = pd.DataFrame({"变量": ["年龄", "", "样本量"],
                          "模型1": ["0.569***", "(0.063)", "2,926"]})
    t = tk.report.Table(frame, caption="模型", notes=["括号内为标准误。"])
    html = t.to_html(1)
    assert "<th class='text'>变量</th><th class='num'>模型1</th>" in html
    assert "<td class='text'>年龄</td>" in html
    # the digits line up: stars and brackets hang in a box of one width
    assert re.search(r"0\.569<span class='tail' style='width:([\d.]+)em'>\*\*\*</span>", html)
    widths = set(re.findall(r"class='tail' style='width:([\d.]+)em'", html))
    assert len(widths) == 1
    assert "(0.063<span class='tail'" in html
    css = tk.report.table.TABLE_CSS
    assert "td.text{text-align:left}" in css.replace("table.tk-table th.text,table.tk-table ",
                                                     "")
    assert "td.num{text-align:right;white-space:nowrap}" in css
    assert "tabular-nums" in css
    # the note is a caption of the table box: under the bottom rule, as wide as the table
    assert "display:table-caption;caption-side:bottom" in css
    assert html.endswith("<p class='tk-note'>注：括号内为标准误。</p></div>")
    md = t.to_markdown(1)
    assert "|:---|---:|" in md
