"""Axes-level plot functions: artists, labels and the numbers behind them."""

from __future__ import annotations

import inspect
import math

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from matplotlib.axes import Axes

import toolkit as tk
from toolkit.plot import _process

CATS = ["很不满意", "不满意", "一般", "满意", "很满意"]


def _draw(ax: Axes) -> None:
    """Draw (warnings are errors in the test run, so a missing glyph fails here)."""
    ax.figure.canvas.draw()


def _ticks(ax: Axes, axis: str = "y") -> list[str]:
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in labels]


@pytest.fixture
def survey(rng):
    n = 120
    return pd.DataFrame({
        "q1": pd.Categorical(rng.choice(CATS, n), categories=CATS, ordered=True),
        "q2": pd.Categorical(rng.choice(CATS, n), categories=CATS, ordered=True),
        "wave": pd.Categorical(rng.choice(["前测", "后测"], n), categories=["前测", "后测"],
                               ordered=True),
        "weight": rng.uniform(0.5, 2.0, n),
    })


# -- conventions ---------------------------------------------------------------

PLOTS = ["likert", "coefficients", "timeline", "heatmap", "survival", "change", "coverage"]


@pytest.mark.parametrize("name", PLOTS)
def test_plot_function_conventions(name):
    f = getattr(tk.plot, name)
    params = inspect.signature(f).parameters
    positional = [p for p in params.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert [p.name for p in positional] == ["data"]
    assert "ax" in params
    assert params["ax"].default is None
    assert "lang" in params
    assert not {"show", "save"} & set(params)
    assert "Examples" in f.__doc__


# -- likert --------------------------------------------------------------------


def test_likert_bars_per_level_and_row(survey):
    ax = tk.plot.likert(survey, items=["q1", "q2"], by="wave")
    _draw(ax)
    assert len(ax.containers) == 5  # one container per response level
    assert all(len(c) == 4 for c in ax.containers)  # 2 items x 2 waves
    assert _ticks(ax) == ["q1（前测）", "q1（后测）", "q2（前测）", "q2（后测）"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == CATS


def test_likert_english_group_labels_come_from_the_schema(survey):
    ax = tk.plot.likert(survey, items=["q1"], by="wave", lang="en")
    assert _ticks(ax) == ["q1 (Before)", "q1 (After)"]


def test_likert_weighted_shares_match_hand_computation():
    df = pd.DataFrame({"q": pd.Categorical(["一般", "满意", "满意"], categories=CATS,
                                           ordered=True), "w": [3.0, 1.0, 0.5]})
    ax = tk.plot.likert(df, items=["q"], weights="w")
    neutral = ax.containers[2][0]
    # weighted share of 一般: 3 / (3 + 1 + 0.5)
    assert neutral.get_width() == pytest.approx(100 * 3 / 4.5)
    # the neutral bar straddles zero: half of it on each side
    assert neutral.get_x() == pytest.approx(-50 * 3 / 4.5)


def test_likert_draws_the_shares_of_stats_likert(survey):
    # one owner: the bars are tk.stats.likert's p_<code> shares (ordered categories 1..5)
    design = tk.stats.Design(survey, weights="weight")
    summary = tk.stats.likert(survey, items=["q1", "q2"], by="wave", design=design)
    ax = tk.plot.likert(survey, items=["q1", "q2"], by="wave", weights="weight")
    widths = np.array([[bar.get_width() for bar in c] for c in ax.containers]).T
    expected = summary[[f"p_{k}" for k in range(1, 6)]].to_numpy() * 100
    np.testing.assert_allclose(widths, expected, rtol=1e-12)
    # the summary itself can be drawn, with the same bars
    again = tk.plot.likert(summary, by="wave")
    np.testing.assert_allclose(
        np.array([[bar.get_width() for bar in c] for c in again.containers]).T, expected)
    assert _ticks(again) == _ticks(ax)


def test_likert_old_spellings_warn_and_give_the_same_numbers(survey):
    new = tk.plot.likert(survey, items=["q1"], weights="weight")
    with pytest.warns(FutureWarning, match="`weights=`"):
        old = tk.plot.likert(survey, items=["q1"], weight="weight")
    assert [b.get_width() for c in old.containers for b in c] == \
        [b.get_width() for c in new.containers for b in c]
    with pytest.warns(FutureWarning, match=r"tk\.stats\.likert"):
        shares = tk.plot.likert_shares(survey, items=["q1"], weights="weight")
    assert shares["share"].tolist() == pytest.approx(
        [b.get_width() / 100 for c in new.containers for b in c])


def test_likert_numeric_codes_take_codebook_labels():
    df = pd.DataFrame({"q": [1, 2, 2, 3, np.nan]})
    df.attrs["codebook"] = {"q": {"label": "总体满意度",
                                  "value_labels": {1: "不满意", 2: "一般", 3: "满意"}}}
    ax = tk.plot.likert(df, items=["q"])
    _draw(ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["不满意", "一般", "满意"]
    assert _ticks(ax) == ["总体满意度"]


def test_likert_refuses_codes_outside_the_scale():
    df = pd.DataFrame({"q": [1, 2, 98]})
    df.attrs["codebook"] = {"q": {"value_labels": {1: "否", 2: "是"}}}
    with pytest.raises(ValueError, match="98"):
        tk.plot.likert(df, items=["q"])


def test_likert_refuses_items_on_different_scales(survey):
    other = survey.assign(q3=pd.Categorical(["是"] * len(survey), categories=["否", "是"],
                                            ordered=True))
    with pytest.raises(ValueError, match="one response scale"):
        tk.plot.likert(other, items=["q1", "q3"])


def test_likert_uses_given_axes_and_leaves_data_alone(survey):
    copy = survey.copy()
    _, ax = plt.subplots()
    assert tk.plot.likert(survey, items=["q1"], ax=ax) is ax
    pd.testing.assert_frame_equal(survey, copy)


def test_likert_unknown_column_suggests_a_close_match(survey):
    with pytest.raises(KeyError, match="`q1`"):
        tk.plot.likert(survey, items=["q_1"])


# -- coefficients --------------------------------------------------------------


def _ols(rng):
    x = rng.normal(size=200)
    df = pd.DataFrame({"y": 1 + 0.5 * x + rng.normal(size=200), "age": x,
                       "gender": rng.choice(["男", "女"], 200)})
    return sm.formula.ols("y ~ age + gender", df).fit()


def test_coefficients_several_models(rng):
    first = _ols(rng)
    second = first.params.rename("estimate").rename_axis("term").reset_index()
    second["se"] = first.bse.to_numpy()
    ax = tk.plot.coefficients([first, second])
    _draw(ax)
    assert len(ax.containers) == 2  # one error-bar container per model
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["模型1", "模型2"]
    assert _ticks(ax) == ["性别：男", "年龄"]  # intercept left out, factor labelled
    points = ax.containers[0].lines[0].get_xdata()
    np.testing.assert_allclose(sorted(points), sorted(first.params[["age", "gender[T.男]"]]))


def test_coefficients_exp_and_cutpoints():
    frame = pd.DataFrame({"term": ["attended", "1|2", "2|3"], "estimate": [0.6, -1.0, 1.0],
                          "ci_low": [0.4, -1.2, 0.8], "ci_high": [0.8, -0.8, 1.2]})
    ax = tk.plot.coefficients(frame, exp=True, lang="en")
    assert _ticks(ax) == ["attended"]
    assert ax.get_xscale() == "log"
    assert ax.containers[0].lines[0].get_xdata()[0] == pytest.approx(math.exp(0.6))
    assert "Odds ratio" in ax.get_xlabel()


def test_coefficients_refuses_unknown_terms():
    frame = pd.DataFrame({"term": ["x"], "estimate": [1.0], "se": [0.1]})
    with pytest.raises(KeyError, match="none of the models"):
        tk.plot.coefficients(frame, terms=["z"])


# -- timeline, heatmap -----------------------------------------------------------


@pytest.fixture
def small_study():
    units = pd.DataFrame({
        "unit_id": ["D", "T1", "T2", "C1", "C2", "C3"],
        "name": ["云溪区", "东街道", "西镇", "甲社区", "乙社区", "丙村"],
        "level": ["区县", "镇街", "镇街", "村社区", "村社区", "村社区"],
        "parent_id": [None, "D", "D", "T1", "T1", "T2"],
        "has_room": pd.array([None, None, None, True, False, True], dtype="boolean"),
    })
    sessions = pd.DataFrame({
        "session_id": ["S1", "S2", "S3", "S4", "S5"],
        "date": pd.to_datetime(["2023-01-05", "2023-01-20", "2023-03-02", "2023-04-10",
                                "2023-04-11"]),
        "unit_id": ["C1", "C1", "C3", "T1", "D"],
        "platform": ["微信群", "居民议事会", "微信群", "项目听证会", "微信群"],
    })
    participants = pd.DataFrame({"participant_id": ["P1", "P2"], "type": ["政协委员", "居民代表"],
                                 "unit_id": ["C3", "C2"]})
    attendance = pd.DataFrame({"session_id": ["S1", "S1", "S3"],
                               "participant_id": ["P1", "P2", "P2"]})
    return tk.Study(units=units, sessions=sessions, participants=participants,
                    attendance=attendance)


def test_timeline_counts_per_month(small_study):
    ax = tk.plot.timeline(small_study, lang="en")
    _draw(ax)
    assert len(ax.containers) == 3  # platforms
    heights = np.sum([[b.get_height() for b in c] for c in ax.containers], axis=0)
    assert heights.tolist() == [2, 0, 1, 2]  # Jan, Feb (empty), Mar, Apr 2023
    assert _ticks(ax, "x") == ["2023-01", "2023-02", "2023-03", "2023-04"]
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert labels == {"WeChat group", "Residents' council", "Project hearing"}


def test_heatmap_towns_by_platform(small_study):
    ax = tk.plot.heatmap(small_study, row="town", col="platform")
    _draw(ax)
    # a session held by a town counts for that town; one held by the district for the district
    assert _ticks(ax) == ["东街道", "云溪区", "西镇"]
    assert _ticks(ax, "x") == ["居民议事会", "微信群", "项目听证会"]
    grid = ax.images[0].get_array()
    assert grid.tolist() == [[1, 1, 1], [0, 1, 0], [0, 1, 0]]


def test_heatmap_communities_by_quarter(small_study):
    ax = tk.plot.heatmap(small_study, row="community", col="quarter")
    assert _ticks(ax, "x") == ["2023Q1", "2023Q2"]
    assert ax.images[0].get_array().sum() == 5


# -- change, coverage --------------------------------------------------------------


def test_change_dumbbells():
    ch = pd.DataFrame({"item": ["q1", "q2", "age"], "mean_before": [2.8, 3.1, 40.0],
                       "mean_after": [3.4, 3.0, 41.0]})
    ax = tk.plot.change(ch, items=["q2", "age"])
    _draw(ax)
    assert _ticks(ax) == ["q2", "年龄"]
    before, after = ax.collections[1].get_offsets(), ax.collections[2].get_offsets()
    assert before[:, 0].tolist() == [3.1, 40.0]
    assert after[:, 0].tolist() == [3.0, 41.0]
    with pytest.raises(KeyError, match=r"tk\.stats\.change"):
        tk.plot.change(pd.DataFrame({"item": ["q1"]}))


def test_coverage_from_a_study(small_study):
    status = tk.plot.coverage_status(small_study).set_index("unit_id")
    # tk.net.coverage decides: a member counts for the community they are assigned to (P1,
    # a CPPCC member of C3); attending a session elsewhere (S1, held in C1) does not
    assert status.loc["C1", "status"] == "no_member"
    assert status.loc["C2", "status"] == "several"  # no room, no session, no member
    assert status.loc["C3", "status"] == "covered"  # room, session S3, member P1 assigned there
    ax = tk.plot.coverage(small_study, lang="en")
    _draw(ax)
    assert len(ax.patches) == 3
    assert _ticks(ax) == ["Dong Subdistrict", "Xi Town"]  # place names in pinyin in English
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {
        "Fully covered", "No member or deputy", "Several gaps"}


def _every_member_type_study():
    """Communities each covered by one member type of the schema, and one of each gap."""
    types = list(tk.schema.MEMBER_TYPES)
    assert {"政协委员", "人大代表"} <= set(types)
    plan = [(f"M{i}", t, True) for i, t in enumerate(types)]  # (community, member type, room)
    plan += [("BOTH", types[0], True), ("RESIDENT", "居民代表", True), ("NOROOM", types[-1], False),
             ("NOSESSION", types[0], True), ("UNKNOWN", types[-1], None), ("EMPTY", None, False)]
    ids = [c for c, _, _ in plan]
    units = pd.DataFrame({
        "unit_id": ["T1", *ids], "name": ["东街道", *[f"{c}社区" for c in ids]],
        "level": ["镇街"] + ["村社区"] * len(ids), "parent_id": [None] + ["T1"] * len(ids),
        "has_room": pd.array([None, *[room for _, _, room in plan]], dtype="boolean")})
    people = [(f"P{i}", t, c) for i, (c, t, _) in enumerate(plan) if t is not None]
    people.append(("P_both", types[-1], "BOTH"))
    participants = pd.DataFrame(people, columns=["participant_id", "type", "unit_id"])
    held = [c for c in ids if c not in {"NOSESSION", "EMPTY"}]
    sessions = pd.DataFrame({"session_id": [f"S{i}" for i in range(len(held))],
                             "unit_id": held, "date": pd.Timestamp("2023-11-08")})
    return tk.Study(units=units, participants=participants, sessions=sessions)


def test_coverage_figure_agrees_with_net_coverage_for_every_member_type():
    study = _every_member_type_study()
    decided = tk.net.coverage(study).to_frame().set_index("unit_id")["status"]
    # a community whose only member is an NPC deputy (人大代表) is covered
    deputy = next(c for c, t in zip(study.participants["unit_id"], study.participants["type"],
                                    strict=True) if t == "人大代表")
    assert decided[deputy] == "covered"
    assert decided["RESIDENT"] == "no_member"
    assert decided["NOROOM"] == "no_room"
    assert decided["NOSESSION"] == "no_session"
    assert decided["UNKNOWN"] == "unknown"  # room not recorded: coverage undecided
    assert decided["EMPTY"] == "several"
    colour_status = {mpl.colors.to_hex(c): s for s, c in _process._STATUS_COLOURS.items()}
    for source in (study, tk.net.coverage(study)):
        ax = tk.plot.coverage(source, lang="en")
        _draw(ax)
        drawn = {p.get_gid(): colour_status[mpl.colors.to_hex(p.get_facecolor())]
                 for p in ax.patches}
        assert drawn == decided.to_dict()
        legend = {t.get_text() for t in ax.get_legend().get_texts()}
        assert legend == {"Fully covered", "No member or deputy", "No room", "No session",
                          "Several gaps", "Unknown"}


def test_coverage_from_a_coverage_frame_with_town_ids(small_study):
    frame = pd.DataFrame({"unit_id": ["C1", "C2"], "parent_id": ["T1", "T1"],
                          "no_member": [False, False], "no_room": [False, True],
                          "no_session": [False, False]})
    status = tk.plot.coverage_status(frame, units=small_study.table("units"))
    assert status["status"].tolist() == ["covered", "no_room"]
    assert status["town"].tolist() == ["东街道", "东街道"]
