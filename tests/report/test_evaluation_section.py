"""The evaluation section of a report: tables, privacy of names, method note in zh/en."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.report.evaluation import evaluation_section


@pytest.fixture(scope="module")
def evaluation():
    rng = np.random.default_rng(5)
    df = pd.DataFrame(rng.random((15, 4)), columns=["a1", "a2", "b1", "b2"])
    df.insert(0, "member_id", [f"M{i:03d}" for i in range(1, 16)])
    system = tk.evaluate.IndexSystem({"name": "委员履职指标", "name_en": "Member index",
                                      "indicators": [
        {"indicator": "A", "label_zh": "参与协商", "label_en": "Taking part", "weight": 0.6,
         "children": [{"indicator": "a1", "label_zh": "出席次数", "unit": "次",
                       "source": "count(attendance)"},
                      {"indicator": "a2", "label_zh": "发言次数", "direction": "-"}]},
        {"indicator": "B", "label_zh": "履职成效", "label_en": "Results", "weight": 0.4,
         "children": [{"indicator": "b1"}, {"indicator": "b2"}]}]})
    return tk.evaluate.evaluate(df, system=system, n=60, seed=2)


def test_tables_and_numbers_come_from_the_evaluation(evaluation):
    s = evaluation_section(evaluation)
    system, _weights, league, sens = (t.to_frame() for t in s.tables)
    assert list(system.columns) == ["一级指标", "二级指标", "方向", "单位", "综合权重"]
    assert system["一级指标"].tolist() == ["参与协商", "", "履职成效", ""]  # merged look
    assert system.loc[0, "综合权重"] == "30.0%"  # 0.6 x 0.5
    assert system.loc[1, "方向"] == "负向"
    first = evaluation.league_table().iloc[0]
    assert league.loc[0, "编号"] == first["member_id"]
    assert league.loc[0, "90%排名区间"] == f"{int(first['rank_low'])}–{int(first['rank_high'])}"
    assert "姓名" not in league.columns
    assert len(sens) == 4
    with_sources = evaluation_section(evaluation, sources=True).tables[0].to_frame()
    assert with_sources.loc[0, "计算口径"] == "count(attendance)"


def test_names_only_when_asked(evaluation):
    names = {"M001": "张三", "M002": "李四"}
    plain = evaluation_section(evaluation)
    text = "".join(t.to_markdown() for t in plain.tables) + plain.method_note
    assert "张三" not in text
    named = evaluation_section(evaluation, names=names, top=15).tables[2]
    assert "张三" in named.to_frame()["姓名"].tolist()
    assert any("委托方要求" in n for n in named.notes)


def test_method_note_and_report_in_both_languages(evaluation, tmp_path):
    zh = evaluation_section(evaluation)
    width = evaluation.uncertainty.median_width
    assert f"中位宽度为{width:.0f}位" in zh.method_note
    assert "蒙特卡洛" in zh.method_note
    en = evaluation_section(evaluation, lang="en", top=5)
    assert f"median width of the 90% rank intervals is {width:.0f} ranks" in en.method_note
    assert en.tables[2].to_frame().shape[0] == 5
    rep = tk.report.Report("Evaluation", lang="en")
    evaluation.to_report(rep, top=5)
    assert rep.headings == ["1 Member performance evaluation", "1.1 Method"]
    path = rep.to_docx(tmp_path / "evaluation.docx")
    import docx

    document = docx.Document(str(path))
    assert len(document.tables) == 4
