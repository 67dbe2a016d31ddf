"""tk.plot.survival draws tk.stats.km_curve; km_frame is its deprecated alias."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import toolkit as tk


def test_km_frame_is_a_deprecated_alias_of_km_curve():
    d = pd.DataFrame({"days": [5, 10, 10, 20], "done": [1, 1, 0, 1]})
    with pytest.warns(FutureWarning, match="km_curve"):
        km = tk.plot.km_frame(d, time="days", event="done")
    # Kaplan-Meier by hand: 4 at risk, 1 event at 5 -> 3/4; 3 at risk, 1 event at 10 -> 1/2;
    # 1 at risk, 1 event at 20 -> 0
    assert km["survival"].tolist() == pytest.approx([1.0, 0.75, 0.5, 0.0])
    assert km["n"].tolist() == [4, 4, 4, 4]
    # Greenwood variance at t=5: S^2 * d / (n (n - d)) = 0.75^2 / 12; log-log limits
    s, se = 0.75, math.sqrt(0.75**2 / 12)
    theta, se_t = math.log(-math.log(s)), se / (s * abs(math.log(s)))
    low = math.exp(-math.exp(theta + 1.959964 * se_t))
    high = math.exp(-math.exp(theta - 1.959964 * se_t))
    row = km.iloc[1]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-6)
    ref = tk.stats.km_curve(d, time="days", event="done", level=0.9)
    with pytest.warns(FutureWarning) as caught:
        old = tk.plot.km_frame(d, time="days", event="done", alpha=0.1)
    assert any("level = 1 - alpha = 0.9" in str(w.message) for w in caught)
    pd.testing.assert_series_equal(old["ci_low"], ref["ci_low"])


def test_survival_one_line_per_group_and_curve_frames():
    d = pd.DataFrame({"days": [5, 10, 12, 20, 3, 8], "done": [1, 1, 0, 1, 1, 1],
                      "platform": ["微信群"] * 3 + ["居民议事会"] * 3})
    ax = tk.plot.survival(d, time="days", event="done", by="platform", lang="en")
    ax.figure.canvas.draw()
    assert len(ax.lines) == 2
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"WeChat group",
                                                                  "Residents' council"}
    curves = tk.stats.km_curve(d, time="days", event="done")
    ax2 = tk.plot.survival(curves)
    assert len(ax2.lines) == 1
    assert ax2.get_legend() is None
    with pytest.raises(ValueError, match="`event`"):
        tk.plot.survival(d, time="days")
    with pytest.warns(FutureWarning, match="band="):
        tk.plot.survival(curves, ci=False)


def test_numbers_at_risk_under_the_curves():
    d = pd.DataFrame({"days": [5, 10, 12, 20, 3, 8], "done": [1, 1, 0, 1, 1, 1],
                      "platform": ["微信群"] * 3 + ["居民议事会"] * 3})
    ax = tk.plot.survival(d, time="days", event="done", by="platform", at_risk=[0, 6, 11])
    ax.figure.canvas.draw()
    texts = [t.get_text() for t in ax.texts]
    # 居民议事会 (3, 8, 20): at risk at 0, 6, 11 -> 3, 2, 1; 微信群 (5, 10, 12) -> 3, 2, 1
    assert texts[0] == "在险数"
    numbers = [t.get_text() for t in ax.texts if t.get_gid() == "at_risk"]
    assert numbers == ["3", "2", "1", "3", "2", "1"]
    # each row is named by its group, left of the numbers
    assert [t.get_text() for t in ax.texts if t.get_gid() == "at_risk_group"] == \
        ["居民议事会", "微信群"]
    with pytest.raises(ValueError, match="one row per case"):
        tk.plot.survival(tk.stats.km_curve(d, time="days", event="done"), at_risk=True)
