"""Figures never label with personal data unless told: groups, tick labels, legends, terms.

Every plot function that shows the values of a column (``by=`` groups, heatmap rows and
columns, curve legends, term labels ``负责人[T.张伟]`` of a forest plot) refuses a column that
``tk.io.personal_values`` finds personal, names it in an ArgumentError, and draws it with
``allow_personal=True``. Values of ordinary columns and pseudonymised ones are drawn as before.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.text import Text

import toolkit as tk
from toolkit.errors import ArgumentError

NAMES = ["张伟", "李娜", "王芳"]
PHONES = ["13800138000", "13912345678", "13698765432"]
SCALE = ["很不满意", "不满意", "一般", "满意", "很满意"]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _survey(group: str, values: list[str]) -> pd.DataFrame:
    answers = ["满意", "一般", "很满意", "不满意"] * 3
    return pd.DataFrame({"q1": pd.Categorical(answers, categories=SCALE, ordered=True),
                         group: (values * 4)[:12]})


def _sessions(group: str, values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime(["2023-01-05", "2023-01-20", "2023-03-02"]),
                         group: values, "platform": ["微信群", "居民议事会", "微信群"]})


def _cases(group: str, values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"days": [5, 10, 12, 20, 3, 8], "done": [1, 1, 0, 1, 1, 1],
                         group: [values[0]] * 3 + [values[1]] * 3})


DRAWINGS = {
    "likert": (lambda g, v, **kw: tk.plot.likert(_survey(g, v), items=["q1"], by=g, **kw)),
    "timeline": (lambda g, v, **kw: tk.plot.timeline(_sessions(g, v), by=g, **kw)),
    "heatmap": (lambda g, v, **kw: tk.plot.heatmap(_sessions(g, v), row=g, col="platform",
                                                   **kw)),
    "survival": (lambda g, v, **kw: tk.plot.survival(_cases(g, v), time="days", event="done",
                                                     by=g, **kw)),
}


def _texts(ax) -> str:
    fig = ax.figure
    fig.canvas.draw()
    return " ".join(t.get_text() for t in fig.findobj(Text))


@pytest.mark.parametrize("kind", sorted(DRAWINGS))
@pytest.mark.parametrize(("header", "values", "found"), [
    ("负责人", NAMES, "name"),      # a name by its header
    ("户主", NAMES, "name"),
    ("联系人", NAMES, "name"),
    ("填报人", NAMES, "name"),
    ("分组", PHONES, "phone"),      # a phone number by its content, under a neutral header
])
def test_a_personal_column_is_refused_as_labels_and_drawn_when_allowed(kind, header, values,
                                                                       found):
    draw = DRAWINGS[kind]
    with pytest.raises(ArgumentError, match=rf"tk\.plot\.{kind}: .*`{header}` \({found}\)"
                                           r".*allow_personal=True") as caught:
        draw(header, values)
    assert not any(v in str(caught.value) for v in values)  # the message shows no value
    ax = draw(header, values, allow_personal=True)
    assert values[0] in _texts(ax)


@pytest.mark.parametrize("kind", sorted(DRAWINGS))
def test_ordinary_and_pseudonymised_groups_are_drawn(kind):
    draw = DRAWINGS[kind]
    assert "微信群" in _texts(draw("渠道", ["微信群", "居民议事会", "微信群"]))
    frame = pd.DataFrame({"负责人": NAMES})
    tokens = tk.io.pseudonymise(frame, key="project-secret", columns=["负责人"])["负责人"]
    ax = draw("负责人_代码", tokens.tolist())
    text = _texts(ax)
    assert str(tokens.iloc[0]) in text
    assert not any(n in text for n in NAMES)


def test_a_column_pseudonymised_under_its_own_header_is_drawn():
    """The codebook entry ``pseudonymised`` (set by tk.io.pseudonymise) says it holds tokens."""
    data = tk.io.pseudonymise(_survey("负责人", NAMES), key="project-secret", columns=["负责人"])
    ax = tk.plot.likert(data, items=["q1"], by="负责人")
    text = _texts(ax)
    assert str(data["负责人"].iloc[0]) in text
    assert not any(n in text for n in NAMES)
    with pytest.raises(ArgumentError, match="`负责人` \\(name\\)"):
        tk.plot.likert(_survey("负责人", NAMES), items=["q1"], by="负责人")


def test_coefficients_refuses_levels_of_a_personal_column_as_term_labels():
    f = pd.DataFrame({"term": ["Intercept", "负责人[T.张伟]", "负责人[T.李娜]", "age"],
                      "estimate": [1.0, 0.5, 0.2, 0.1], "se": [0.1, 0.2, 0.2, 0.05]})
    with pytest.raises(ArgumentError, match=r"tk\.plot\.coefficients: .*`负责人` \(name\)"):
        tk.plot.coefficients(f)
    assert tk.stats.results.personal_terms(f) == {"负责人": "name"}
    # the same check refuses the regression table
    with pytest.raises(ArgumentError, match=r"`负责人` in `results`.*\(name\)"):
        tk.report.regression_table(f)
    # terms not shown, or shown under labels given by the caller, print no level
    ax = tk.plot.coefficients(f, terms=["age"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["年龄"]
    ax = tk.plot.coefficients(f, labels={"负责人[T.张伟]": "甲", "负责人[T.李娜]": "乙"})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["甲", "乙", "年龄"]
    ax = tk.plot.coefficients(f, allow_personal=True)
    assert "负责人：张伟" in [t.get_text() for t in ax.get_yticklabels()]


def test_coefficients_judges_a_fitted_variable_by_all_its_values():
    import statsmodels.formula.api as smf

    d = pd.DataFrame({"y": [1.0, 2.0, 1.5, 3.0, 2.5, 3.5, 2.0, 4.0],
                      "g": ["13800138000", "13912345678"] * 4,
                      "x": [1, 2, 3, 4, 5, 6, 7, 8]})
    fit = smf.ols("y ~ g + x", data=d).fit()
    assert tk.stats.results.personal_terms(fit) == {"g": "phone"}
    with pytest.raises(ArgumentError, match=r"`g` \(phone\)"):
        tk.plot.coefficients(fit)
