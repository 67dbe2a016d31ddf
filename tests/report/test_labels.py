"""Labels from the codebook in every table (issue 17): no raw names, reference categories,
units, odds ratios; English tables in English only, with a warning for what stays Chinese."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ToolkitWarning
from toolkit.schema import has_chinese, model_term_label, term_label

SCALE = {1: "非常不满意", 2: "不太满意", 3: "一般", 4: "比较满意", 5: "非常满意"}


@pytest.fixture
def survey():
    """A survey as read from a .sav: 0/1 items labelled 否/是, a Likert outcome, a codebook."""
    rng = np.random.default_rng(17)
    n = 400
    attended = rng.random(n) < 0.4
    party = rng.random(n) < 0.3
    age = rng.integers(18, 80, n)
    latent = 0.6 * attended + 0.3 * party + 0.01 * age + rng.logistic(size=n)
    sat = np.digitize(latent, [-0.5, 0.5, 1.5, 2.5]) + 1
    df = pd.DataFrame({
        "attended": pd.Categorical(np.where(attended, "是", "否"), categories=["否", "是"]),
        "party_member": pd.array(party, dtype="boolean"),
        "age": age,
        "sat1": pd.Categorical([SCALE[v] for v in sat], categories=list(SCALE.values()),
                               ordered=True),
    })
    df.attrs["codebook"] = {
        "attended": {"label": "过去12个月是否参加过协商议事活动",
                     "value_labels": {0: "否", 1: "是"}},
        "party_member": {"label": "是否中共党员", "value_labels": {0: "否", 1: "是"}},
        "age": {"label": "年龄（周岁）"},
        "sat1": {"label": "对协商议事的总体满意度", "value_labels": SCALE},
    }
    return df


def test_model_terms_read_with_reference_category_and_unit(survey):
    # R/statsmodels names; the reader sees the codebook label and the reference category
    assert model_term_label("attended[T.是]", "zh", survey) == \
        "过去12个月是否参加过协商议事活动（参照：否）"
    assert model_term_label("party_member[T.True]") == "是否党员（参照：否）"
    assert model_term_label("party_member", "zh", survey) == "是否中共党员（参照：否）"
    assert model_term_label("age") == "年龄（岁）"
    assert model_term_label("age", "zh", survey) == "年龄（周岁）"  # the codebook has the unit
    assert model_term_label("Intercept") == term_label("const") == "常数项"
    assert model_term_label("Intercept", "en") == "Intercept"
    units = pd.DataFrame({"platform": pd.Categorical(["居民议事会", "微信群", "议事协商会"])})
    assert model_term_label("platform[T.微信群]", "zh", units) == \
        "协商平台：微信群（参照：居民议事会）"
    assert model_term_label("C(platform)[T.微信群]", "en", units) == \
        "Platform: WeChat group (ref.: Residents' council)"


def test_regression_table_has_no_raw_names_and_odds_ratios_beside_log_odds(survey):
    fit = tk.stats.ologit("sat1 ~ attended + party_member + age", survey)
    t = tk.report.regression_table(fit, data=survey)
    frame = t.to_frame()
    shown = " ".join(frame.to_numpy().ravel().tolist() + list(frame.columns))
    for raw in ("attended", "party_member", "sat1", "True", "：是", "Intercept"):
        assert raw not in shown
    labels = frame["变量"].tolist()
    assert "过去12个月是否参加过协商议事活动（参照：否）" in labels
    assert "是否中共党员（参照：否）" in labels
    assert "年龄（周岁）" in labels
    assert list(frame.columns) == ["变量", "系数", "比值比（OR）"]
    coef = fit.to_frame().set_index("term").loc["party_member"]
    row = labels.index("是否中共党员（参照：否）")
    assert frame.iloc[row, 2] == f"{coef['odds_ratio']:.3f}"  # exp(b), as tk.stats reports it
    assert labels[labels.index("切点") + 1].strip() == "非常不满意 | 不太满意"
    assert "因变量：对协商议事的总体满意度。" in t.note_text()
    assert "比值比（OR）为系数的指数" in t.note_text()
    # an OLS table: no odds ratios, and the intercept reads 常数项
    ols = tk.stats.regress("age ~ attended", survey)
    frame = tk.report.regression_table(ols, data=survey).to_frame()
    assert list(frame.columns) == ["变量", "模型1"]
    assert frame["变量"].iloc[0] == "常数项"


def test_regression_table_in_english_has_no_chinese(survey):
    book = survey.attrs["codebook"]
    book["attended"]["label_en"] = "Attended a session in the past 12 months"
    book["party_member"]["label_en"] = "Party member"
    book["age"]["label_en"] = "Age (years)"
    book["sat1"]["label_en"] = "Overall satisfaction"
    fit = tk.stats.ologit("sat1 ~ attended + party_member + age", survey)
    t = tk.report.regression_table(fit, data=survey, lang="en")
    cells = t.to_frame().to_numpy().ravel().tolist() + list(t.to_frame().columns)
    assert [c for c in cells if has_chinese(c)] == []
    assert not has_chinese(t.note_text())
    labels = t.to_frame()["Variable"].str.strip().tolist()
    assert "Attended a session in the past 12 months (ref.: No)" in labels
    assert "Very dissatisfied | Fairly dissatisfied" in labels  # cut-points in English
    assert "Outcome: Overall satisfaction." in t.note_text()


def test_a_name_without_a_label_is_shown_and_listed_in_one_warning(survey):
    survey = survey.rename(columns={"age": "yrs_x"})
    fit = tk.stats.ologit("sat1 ~ yrs_x", survey)
    with pytest.warns(ToolkitWarning, match=r"shown as they are: yrs_x \(give `label`") as rec:
        frame = tk.report.regression_table(fit, data=survey).to_frame()
    assert len(rec) == 1
    assert "yrs_x" in frame["变量"].tolist()
    with pytest.warns(ToolkitWarning, match="sat9, n_visits"):
        tk.report.Table.from_frame(pd.DataFrame({"sat9": [1.5], "n_visits": [2.0]}))


def test_change_table_shows_item_labels_and_the_knowledge_index_range():
    rng = np.random.default_rng(4)
    ids = [f"R{i}" for i in range(40)]
    panel = pd.DataFrame({"respondent_id": ids * 2, "wave": ["前测"] * 40 + ["后测"] * 40,
                          "op1": rng.integers(1, 6, 80),
                          **{f"know{k}": rng.integers(0, 2, 80) for k in range(1, 7)}})
    book = {"op1": {"label": "老旧小区加装电梯应由受益住户按楼层分摊费用"}}
    ch = tk.stats.change(panel, items=["op1"], knowledge=[f"know{k}" for k in range(1, 7)])
    # the index is a share of the six questions answered correctly: it lies in 0–1
    index = ch.set_index("item").loc["knowledge_index"]
    assert 0 <= index["mean_before"] <= 1
    assert 0 <= index["mean_after"] <= 1
    table = ch[["item", "n_pairs", "mean_before", "mean_after", "change"]].copy()
    table.attrs["codebook"] = book
    frame = tk.report.Table.from_frame(table, suppress=False).to_frame()
    assert frame["题项"].tolist() == ["老旧小区加装电梯应由受益住户按楼层分摊费用",
                                    "知识指数（答对比例，0–1）"]
    assert "0–6" not in frame.to_string()


def test_data_section_shows_no_bookkeeping_columns():
    from toolkit.report.demo._section import Context
    from toolkit.report.demo.data import load_table

    study = tk.Study(units=pd.DataFrame({"unit_id": ["T1", "C1"], "name": ["东街道", "甲社区"],
                                         "level": ["镇街", "村社区"], "parent_id": [None, "T1"]}),
                     name="示例")
    columns = list(load_table(Context(study, "zh")).columns)
    assert columns == ["数据表", "读取行数", "保留行数", "剔除的非数据行", "转为缺失的代码"]
    assert "values_changed" not in columns
    assert "规范化取值" not in " ".join(map(str, columns))


def test_english_tables_use_codebook_english_answer_words_and_pinyin():
    units = pd.DataFrame({"parent_name": ["青云街道", "松林镇", "西园"],
                          "platform": ["微信群", "居民议事会", "临时平台"], "n": [12, 30, 7]})
    with pytest.warns(ToolkitWarning, match="stay Chinese: 临时平台") as rec:
        t = tk.report.Table.from_frame(units, suppress=False, lang="en")
    assert len(rec) == 1
    frame = t.to_frame()
    assert list(frame.columns) == ["Town/street", "Platform", "n"]
    assert frame["Town/street"].tolist() == ["Qingyun Subdistrict", "Songlin Town", "Xiyuan"]
    assert frame["Platform"].tolist()[:2] == ["WeChat group", "Residents' council"]
    # a given English name wins over pinyin
    named = units.assign(unit_id=["T1", "T2", "T3"], name=units["parent_name"],
                         name_en=["Green Cloud", None, None])
    frame = tk.report.Table.from_frame(named.drop(columns=["parent_name", "platform"]),
                                       suppress=False, lang="en").to_frame()
    assert frame.iloc[0].tolist() == ["12", "T1", "Green Cloud"]
    assert frame.iloc[1, 2] == "Songlin Town"
    # describe: English labels and value labels from the codebook
    df = pd.DataFrame({"q1": pd.Categorical(["满意", "不满意", "满意"] * 4)})
    df.attrs["codebook"] = {"q1": {"label": "满意度", "label_en": "Satisfaction",
                                   "value_labels": {1: "不满意", 2: "满意"},
                                   "value_labels_en": {1: "Unhappy", 2: "Happy"}}}
    res = tk.stats.describe(df, vars=["q1"])
    frame = tk.report.describe_table(res, suppress=False, lang="en").to_frame()
    cells = frame.to_numpy().ravel().tolist() + list(frame.columns)
    assert [c for c in cells if has_chinese(c)] == []
    assert frame["Variable"].str.strip().tolist() == ["Satisfaction", "Unhappy", "Happy"]
