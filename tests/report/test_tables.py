"""Publication tables: numbers, stars, suppression, personal data, output formats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

import toolkit as tk


@pytest.fixture
def fits(rng):
    n = 1200
    df = pd.DataFrame({"age": rng.normal(45, 12, n), "party_member": rng.random(n) < 0.4})
    df["y"] = 1 + 0.02 * df["age"] + 0.3 * df["party_member"] + rng.normal(size=n)
    return smf.ols("y ~ age", df).fit(), smf.ols("y ~ age + party_member", df).fit()


def _stars(p):
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def test_regression_table_cells(fits):
    first, second = fits
    t = tk.report.regression_table({"基准": first, "加党员": second})
    frame = t.to_frame()
    assert list(frame.columns) == ["变量", "基准", "加党员"]
    row = frame.index[frame["变量"] == "年龄"][0]
    p = second.pvalues["age"]
    assert frame.loc[row, "加党员"] == f"{second.params['age']:.3f}{_stars(p)}"
    assert frame.loc[row + 1, "加党员"] == f"({second.bse['age']:.3f})"
    n_row = frame[frame["变量"] == "样本量"].iloc[0]
    assert n_row["基准"] == "1,200"  # thousands separator
    r2 = frame[frame["变量"] == "R²"].iloc[0]
    assert r2["加党员"] == f"{second.rsquared:.3f}"
    aic = frame[frame["变量"] == "AIC"].iloc[0]
    assert aic["基准"] == f"{first.aic:,.1f}"
    # a term missing from a model leaves its cells empty
    pm = frame.index[frame["变量"] == "是否党员：True"][0]
    assert frame.loc[pm, "基准"] == ""
    note = t.note_text()
    assert note.startswith("注：括号内为标准误。")
    assert "* p<0.05，** p<0.01，*** p<0.001" in note


def test_regression_table_ci_and_english(fits):
    first, _ = fits
    t = tk.report.regression_table(first, uncertainty="ci", lang="en", digits=2)
    frame = t.to_frame()
    lo, hi = first.conf_int().loc["age"]
    row = frame.index[frame["Variable"] == "Age"][0]
    assert frame.loc[row + 1, "Model 1"] == f"[{lo:.2f}, {hi:.2f}]"
    assert t.note_text().startswith("Note: 95% confidence intervals in brackets.")


def test_regression_table_of_an_ordered_model():
    ologit = pytest.importorskip("toolkit.stats.models").ologit
    rng = np.random.default_rng(3)
    x = rng.normal(size=400)
    latent = 0.8 * x + rng.logistic(size=400)
    y = pd.Categorical(np.digitize(latent, [-1, 0, 1]) + 1, categories=[1, 2, 3, 4],
                       ordered=True)
    fit = ologit("y ~ x", pd.DataFrame({"y": y, "x": x}))
    frame = tk.report.regression_table(fit, exp=True).to_frame()
    coef = fit.to_frame().set_index("term")
    row = frame.index[frame["变量"] == "x"][0]
    assert frame.loc[row, "模型1"].rstrip("*") == f"{np.exp(coef.loc['x', 'estimate']):.3f}"
    assert "伪R²" in frame["变量"].tolist()
    # cut-points come after the coefficients, not exponentiated
    cut = next(t for t in coef.index if "|" in t)
    crow = frame.index[frame["变量"] == cut][0]
    assert crow > row
    assert frame.loc[crow, "模型1"].rstrip("*") == f"{coef.loc[cut, 'estimate']:.3f}"


@pytest.fixture
def people():
    return pd.DataFrame({
        "gender": ["男"] * 12 + ["女"] * 3 + [None],
        "age": [30, 40, 50, 60] * 4,
        "wave": ["前测"] * 8 + ["后测"] * 8,
        "w": [1.0] * 8 + [2.0] * 8,
    })


def test_describe_table_counts_percentages_and_suppression(people):
    t = tk.report.describe_table(people, vars=["gender", "age"])
    cells = dict(zip(t.to_frame()["变量"], t.to_frame().iloc[:, 1], strict=True))
    assert cells["  男"] == "12 (75.0%)"
    assert cells["  女"] == "<5"  # 3 people: suppressed
    assert cells["  缺失"] == "<5"
    assert cells["年龄：均值（标准差）"] == f"45.0 ({people['age'].std():.1f})"
    assert "少于5的频数显示为“<5”" in t.note_text()
    shown = tk.report.describe_table(people, vars=["gender"], suppress=False).to_frame()
    assert shown.iloc[1, 1] == "3 (18.8%)"  # 女 sorts before 男; % of all 16 rows
    numbers = t.numbers.set_index("level")
    assert np.isnan(numbers.loc["女", "n"])  # suppressed numbers are not kept either


def test_describe_table_weighted_by_group(people):
    t = tk.report.describe_table(people, vars=["age"], by="wave", weight="w", lang="en")
    frame = t.to_frame()
    assert list(frame.columns) == ["Variable", "Before (n=8)", "After (n=8)", "Total (n=16)"]
    total = np.average(people["age"], weights=people["w"])
    assert frame.iloc[0, 3].startswith(f"{total:.1f} (")
    assert "Percentages are weighted" in t.note_text()


def test_describe_table_refuses_personal_columns(people):
    df = people.assign(phone="13800138000")
    with pytest.raises(ValueError, match="personal data"):
        tk.report.describe_table(df, vars=["phone"])
    marked = people.assign(who="张三")
    marked.attrs["codebook"] = {"who": {"personal": "name"}}
    with pytest.raises(ValueError, match="`who`"):
        tk.report.describe_table(marked, vars=["who"])


def test_crosstab_counts_suppression_and_chi_square():
    s = pd.DataFrame({
        "platform": ["微信群"] * 30 + ["居民议事会"] * 25 + ["项目听证会"] * 22,
        "consensus": [True] * 20 + [False] * 10 + [True] * 22 + [False] * 3 + [True] * 12
        + [False] * 10,
    })
    t = tk.report.crosstab_table(s, row="platform", col="consensus")
    frame = t.to_frame().set_index("协商平台")
    assert frame.loc["居民议事会", "否"] == "<5"
    # secondary suppression: no row or column keeps exactly one hidden cell …
    hidden = frame.isin(["<5", "—"]).to_numpy()[:-1, :-1]
    assert all(row.sum() != 1 for row in hidden)
    assert all(col.sum() != 1 for col in hidden.T)
    # … every cell shown holds the true count and row percentage, totals always shown
    counts = pd.crosstab(s["platform"], s["consensus"])
    for platform in counts.index:
        for value, label in ((True, "是"), (False, "否")):
            cell = frame.loc[platform, label]
            n = counts.loc[platform, value]
            if cell not in {"<5", "—"}:
                assert cell == f"{n} ({100 * n / counts.loc[platform].sum():.1f}%)"
    assert frame.loc["合计", "合计"] == "77 (100.0%)"
    assert frame.loc["微信群", "合计"] == "30 (100.0%)"
    # Pearson chi-square by hand: sum (O - E)^2 / E over the 3 x 2 table
    observed = pd.crosstab(s["platform"], s["consensus"]).to_numpy(dtype=float)
    expected = observed.sum(1, keepdims=True) * observed.sum(0, keepdims=True) / observed.sum()
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert f"χ²(2) = {chi2:.2f}" in t.note_text()
    open_ = tk.report.crosstab_table(s, row="platform", col="consensus", suppress=False)
    assert open_.to_frame().set_index("协商平台").loc["居民议事会", "否"] == "3 (12.0%)"


def test_from_frame_drops_personal_columns_with_a_note():
    df = pd.DataFrame({"participant_id": ["P1"], "name": ["张三"], "phone": ["13800138000"],
                       "n_sessions": pd.array([12345], dtype="Int64"), "share": [0.12345]})
    t = tk.report.Table.from_frame(df, digits=3)
    frame = t.to_frame()
    assert "张三" not in frame.to_string()
    assert "13800138000" not in frame.to_string()
    assert list(frame.iloc[0]) == ["P1", "12,345", "0.123"]
    assert "已删除含个人信息的列：name、phone" in t.note_text()
    # a unit's name is not personal
    units = tk.report.Table.from_frame(pd.DataFrame({"unit_id": ["C1"], "name": ["甲社区"]}))
    assert "甲社区" in units.to_frame().to_string()


def test_table_formats():
    t = tk.report.Table.from_frame(pd.DataFrame({"platform": ["微信群"], "percent": [12.5],
                                                 "n": pd.array([3], dtype="Int64")}),
                                   caption="平台 & 占比")
    html = t.to_html(number=2)
    assert "<caption>表2 平台 &amp; 占比</caption>" in html
    assert "&lt;5" in html
    latex = t.to_latex()
    assert r"\toprule" in latex
    assert r"平台 \& 占比" in latex
    assert r"百分比（\%）" in latex
    md = t.to_markdown(1)
    assert md.splitlines()[0] == "**表1 平台 & 占比**"
    assert "| 微信群 | 12.50 | <5 |" in md
