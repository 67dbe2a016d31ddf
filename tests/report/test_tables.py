"""Publication tables: numbers, stars, suppression, personal data, output formats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

import toolkit as tk
from toolkit.errors import ToolkitWarning


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
    row = frame.index[frame["变量"] == "年龄（岁）"][0]  # the unit of age from the schema
    p = second.pvalues["age"]
    assert frame.loc[row, "加党员"] == f"{second.params['age']:.3f}{_stars(p)}"
    assert frame.loc[row + 1, "加党员"] == f"({second.bse['age']:.3f})"
    n_row = frame[frame["变量"] == "样本量"].iloc[0]
    assert n_row["基准"] == "1,200"  # thousands separator
    r2 = frame[frame["变量"] == "R²"].iloc[0]
    assert r2["加党员"] == f"{second.rsquared:.3f}"
    aic = frame[frame["变量"] == "AIC"].iloc[0]
    assert aic["基准"] == f"{first.aic:,.1f}"
    # a term missing from a model leaves its cells empty; a yes/no term names its reference
    pm = frame.index[frame["变量"] == "是否党员（参照：否）"][0]
    assert frame.loc[pm, "基准"] == ""
    note = t.note_text()
    assert note.startswith("注：括号内为标准误。")
    assert "* p<0.05，** p<0.01，*** p<0.001" in note


def test_regression_table_ci_and_english(fits):
    first, _ = fits
    t = tk.report.regression_table(first, uncertainty="ci", lang="en", digits=2)
    frame = t.to_frame()
    lo, hi = first.conf_int().loc["age"]
    row = frame.index[frame["Variable"] == "Age (years)"][0]
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
    labels = {"x": "x", "y": "满意度"}
    frame = tk.report.regression_table(fit, exp=True, labels=labels).to_frame()
    coef = fit.to_frame().set_index("term")
    row = frame.index[frame["变量"] == "x"][0]
    assert frame.loc[row, "模型1"].rstrip("*") == f"{np.exp(coef.loc['x', 'estimate']):.3f}"
    assert "伪R²" in frame["变量"].tolist()
    # cut-points come after the coefficients, under their own heading, not exponentiated
    cut = next(t for t in coef.index if "|" in t)
    crow = frame.index[frame["变量"].str.strip() == cut.replace("|", " | ")][0]
    assert crow > row
    assert frame.loc[crow, "模型1"].rstrip("*") == f"{coef.loc[cut, 'estimate']:.3f}"
    assert "切点" in frame["变量"].tolist()
    # log-odds: the odds ratio and its CI stand beside the coefficient (exp of both)
    t = tk.report.regression_table(fit, labels=labels)
    frame = t.to_frame()
    assert list(frame.columns) == ["变量", "系数", "比值比（OR）"]
    est, lo, hi = coef.loc["x", ["estimate", "ci_low", "ci_high"]]
    row = frame.index[frame["变量"] == "x"][0]
    assert frame.loc[row, "系数"].rstrip("*") == f"{est:.3f}"
    assert frame.loc[row, "比值比（OR）"] == f"{np.exp(est):.3f}"
    assert frame.loc[row + 1, "比值比（OR）"] == f"[{np.exp(lo):.3f}, {np.exp(hi):.3f}]"
    assert frame.loc[crow, "比值比（OR）"] == ""  # cut-points have no odds ratio
    assert "因变量：满意度。" in t.note_text()


@pytest.fixture
def people():
    return pd.DataFrame({
        "gender": ["男"] * 12 + ["女"] * 3 + [None],
        "age": [30, 40, 50, 60] * 4,
        "wave": ["前测"] * 8 + ["后测"] * 8,
        "w": [1.0] * 8 + [2.0] * 8,
    })


def test_describe_table_counts_percentages_and_suppression(people):
    res = tk.stats.describe(people, vars=["gender", "age"], include_missing=True)
    t = tk.report.describe_table(res)
    cells = dict(zip(t.to_frame()["变量"], t.to_frame().iloc[:, 1], strict=True))
    assert cells["  男"] == "12 (75.0%)"
    assert cells["  女"] == "<5"  # 3 people: suppressed
    assert cells["  缺失"] == "<5"
    assert cells["年龄：均值（标准差）"] == f"45.0 ({people['age'].std():.1f})"
    assert "少于5的频数显示为“<5”" in t.note_text()
    shown = tk.report.describe_table(res[res["variable"] == "gender"], suppress=False).to_frame()
    assert shown.iloc[1, 1] == "3 (18.8%)"  # 女 sorts before 男; % of all 16 rows
    numbers = t.numbers.set_index("level")
    assert np.isnan(numbers.loc["女", "n"])  # suppressed numbers are not kept either
    # without include_missing: percentages of those with a value, no missing row
    valid = tk.report.describe_table(tk.stats.describe(people, vars=["gender"]), suppress=False)
    assert valid.to_frame().iloc[:, 1].tolist() == ["", "3 (20.0%)", "12 (80.0%)"]


def test_describe_table_weighted_by_group(people):
    design = tk.stats.Design(people, weights="w")
    res = tk.stats.describe(people, vars=["age"], by="wave", design=design)
    t = tk.report.describe_table(res, total=tk.stats.describe(people, vars=["age"],
                                                              design=design), lang="en")
    frame = t.to_frame()
    assert list(frame.columns) == ["Variable", "Before (n=8)", "After (n=8)", "Total (n=16)"]
    total = np.average(people["age"], weights=people["w"])
    assert frame.iloc[0, 3].startswith(f"{total:.1f} (")
    assert "Percentages are weighted" in t.note_text()


def test_describe_table_old_call_style_warns_and_gives_the_same_table(people):
    design = tk.stats.Design(people, weights="w")
    kw = {"vars": ["gender", "age"], "by": "wave", "design": design, "include_missing": True}
    new = tk.report.describe_table(
        tk.stats.describe(people, **kw),
        total=tk.stats.describe(people, **{**kw, "by": None}))
    with pytest.warns(FutureWarning, match=r"tk\.stats\.describe"):
        old = tk.report.describe_table(people, vars=["gender", "age"], by="wave", weights="w")
    pd.testing.assert_frame_equal(old.to_frame(), new.to_frame())
    pd.testing.assert_frame_equal(old.numbers, new.numbers)
    assert old.notes == new.notes
    with pytest.warns(FutureWarning, match="`weights=`"), \
            pytest.warns(FutureWarning, match=r"tk\.stats\.describe"):
        older = tk.report.describe_table(people, vars=["gender", "age"], by="wave", weight="w")
    pd.testing.assert_frame_equal(older.to_frame(), new.to_frame())


def test_describe_table_refuses_personal_columns(people):
    df = people.assign(phone="13800138000")
    with pytest.raises(ValueError, match="personal data"):
        tk.report.describe_table(tk.stats.describe(df, vars=["phone"]))
    marked = people.assign(who="张三")
    marked.attrs["codebook"] = {"who": {"personal": "name"}}
    with pytest.raises(ValueError, match="`who`"):
        tk.report.describe_table(tk.stats.describe(marked, vars=["who"]))
    with pytest.warns(FutureWarning), pytest.raises(ValueError, match="`who`"):
        tk.report.describe_table(marked, vars=["who"])


def _short(x):
    """Degrees of freedom as printed: two decimals, trailing zeros dropped."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _api_band(frame):
    """acs_band as the R script builds it: class size band of acs.k3, missing stays missing."""
    band = np.where(frame["acs.k3"] >= 20, "20+", "<20").astype(object)
    band[frame["acs.k3"].isna().to_numpy()] = None
    return frame.assign(acs_band=band)


API_DESIGNS = {  # tests/reference/R/report.R, same designs
    "strat": ("apistrat.csv", {"weights": "pw", "strata": "stype", "fpc": "fpc"}),
    "clus2": ("apiclus2.csv", {"cluster": ["dnum", "snum"], "fpc": ["fpc1", "fpc2"]}),
}


@pytest.mark.parametrize("name", list(API_DESIGNS))
def test_describe_table_of_a_design_prints_r_survey_values(name, shared, r_reference):
    file, spec = API_DESIGNS[name]
    api = _api_band(pd.read_csv(shared("reference", "survey_api", file)))
    ref = r_reference("report")
    design = tk.stats.Design(api, **spec)
    res = tk.stats.describe(api, vars=["api00", "acs.k3", "acs_band"], design=design,
                            include_missing=True)
    with pytest.warns(ToolkitWarning, match="shown as they are: api00, acs_band"):
        t = tk.report.describe_table(res, digits=3, suppress=False, lang="en")
    cells = dict(zip(t.to_frame()["Variable"], t.to_frame().iloc[:, 1], strict=True))
    # svymean(~api00, design), sqrt(svyvar(~api00, design)); printed to 3 decimals
    mean, sd = ref[f"{name}_mean_api00"]["value"], ref[f"{name}_sd_api00"]["value"]
    assert cells["api00: Mean (SD)"] == f"{mean:,.3f} ({sd:,.3f})"
    # svymean(~acs.k3, design, na.rm=TRUE), svyvar on subset(design, !is.na(acs.k3))
    mean, sd = ref[f"{name}_mean_acs"]["value"], ref[f"{name}_sd_acs"]["value"]
    assert cells["acs.k3: Mean (SD)"] == f"{mean:,.3f} ({sd:,.3f})"
    # 100 * svymean(~addNA(factor(acs_band)), design): shares of all, missing as a level
    shares = ref[f"{name}_band_percent_of_all"]["value"]
    numbers = t.numbers[t.numbers["variable"] == "acs_band"]
    got = dict(zip(numbers["level"].fillna("missing"), numbers["percent"], strict=True))
    assert got == pytest.approx(shares, rel=1e-10)
    assert "Percentages are weighted" in t.note_text()


def test_crosstab_counts_suppression_and_chi_square():
    s = pd.DataFrame({
        "platform": ["微信群"] * 30 + ["居民议事会"] * 25 + ["项目听证会"] * 22,
        "consensus": [True] * 20 + [False] * 10 + [True] * 22 + [False] * 3 + [True] * 12
        + [False] * 10,
    })
    tab = tk.stats.Design(s).crosstab("platform", "consensus")
    t = tk.report.crosstab_table(tab)
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
    # Pearson chi-square by hand: sum (O - E)^2 / E over the 3 x 2 table …
    observed = pd.crosstab(s["platform"], s["consensus"]).to_numpy(dtype=float)
    expected = observed.sum(1, keepdims=True) * observed.sum(0, keepdims=True) / observed.sum()
    chi2 = ((observed - expected) ** 2 / expected).sum()
    note = t.note_text()
    assert f"χ²(2) = {chi2:.2f}" in note
    # … and the design-based test is the one Design.crosstab computed (Rao–Scott F, p)
    test = tab.attrs["test"]
    assert f"Rao–Scott 校正 F({_short(test['ndf'])}, {_short(test['ddf'])}) = " \
        f"{test['f']:.2f}，p = {test['p_value']:.3f}。" in note
    open_ = tk.report.crosstab_table(tab, suppress=False)
    assert open_.to_frame().set_index("协商平台").loc["居民议事会", "否"] == "3 (12.0%)"


@pytest.mark.parametrize("name", list(API_DESIGNS))
def test_crosstab_table_of_a_design_prints_r_survey_values(name, shared, r_reference):
    file, spec = API_DESIGNS[name]
    api = pd.read_csv(shared("reference", "survey_api", file))
    ref = r_reference("report")
    tab = tk.stats.Design(api, **spec).crosstab("stype", "awards")
    t = tk.report.crosstab_table(tab, digits=3, suppress=False, lang="en",
                                 labels={"stype": "School type"})
    # 100 * prop.table(svytable(~stype + awards, design), 1): weighted row percentages
    r = pd.DataFrame(ref[f"{name}_row_percent"]["value"])
    numbers = t.numbers.merge(r, left_on=["row", "col"], right_on=["stype", "awards"])
    assert len(numbers) == 6
    np.testing.assert_allclose(numbers["percent_x"], numbers["percent_y"], rtol=1e-10)
    # counts are of respondents, not weighted
    counts = pd.crosstab(api["stype"], api["awards"])
    assert t.numbers.set_index(["row", "col"]).loc[("E", "Yes"), "n"] == counts.loc["E", "Yes"]
    # svychisq(~stype + awards, design, statistic="F") and the Pearson X^2 of the table
    f = ref[f"{name}_chisq_F"]["value"]
    chisq = ref[f"{name}_pearson"]["value"]
    note = t.note_text()
    assert f"χ²(2) = {chisq:.2f}; Rao–Scott F(" in note
    assert f"F({_short(f['ndf'])}, {_short(f['ddf'])}) = {f['f']:.2f}, p <0.001." in note
    assert "Percentages are weighted" in note


def test_crosstab_table_old_call_style_warns_and_gives_the_same_table():
    s = pd.DataFrame({"gender": ["男", "女"] * 15, "party_member": [True] * 18 + [False] * 12,
                      "w": np.linspace(0.5, 2.0, 30)})
    new = tk.report.crosstab_table(tk.stats.Design(s, weights="w").crosstab("gender",
                                                                           "party_member"))
    with pytest.warns(FutureWarning, match=r"tk\.stats\.Design"):
        old = tk.report.crosstab_table(s, row="gender", col="party_member", weights="w")
    pd.testing.assert_frame_equal(old.to_frame(), new.to_frame())
    assert old.notes == new.notes
    assert "百分比为加权百分比" in old.note_text()  # weighted now carries its design-based test
    assert "Rao–Scott" in old.note_text()


def test_from_frame_drops_personal_columns_with_a_note():
    df = pd.DataFrame({"participant_id": ["P1"], "name": ["张三"], "phone": ["13800138000"],
                       "n_sessions": pd.array([12345], dtype="Int64"), "share": [0.12345]})
    t = tk.report.Table.from_frame(df, digits=3, labels={"n_sessions": "参与场次"})
    frame = t.to_frame()
    assert "张三" not in frame.to_string()
    assert "13800138000" not in frame.to_string()
    assert list(frame.iloc[0]) == ["P1", "12,345", "12.3"]  # a share, shown as a percentage
    assert list(frame.columns) == ["参与者编号", "参与场次", "比例（%）"]
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
    # the percentage beside a hidden count would give it away: hidden with it
    assert "| 微信群 | — | <5 |" in md
