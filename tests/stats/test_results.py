"""Tests of the model result objects: tables, summaries, marginal effects."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.stats.results import Summary, coefficient_table


@pytest.fixture
def logit_data(rng):
    n = 300
    d = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    d["y"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-(0.2 + 0.8 * d["x"] - 0.5 * d["z"])))
              ).astype(int)
    return d


def test_to_frame_columns_and_odds_ratios(logit_data):
    fit = tk.stats.regress("y ~ x + z", logit_data, family="binomial")
    t = fit.to_frame()
    assert list(t.columns) == ["term", "kind", "estimate", "se", "z", "p_value", "ci_low",
                               "ci_high", "odds_ratio", "or_ci_low", "or_ci_high"]
    np.testing.assert_allclose(t["odds_ratio"], np.exp(t["estimate"]))
    np.testing.assert_allclose(t["or_ci_low"], np.exp(t["ci_low"]))
    # Wald limits, reference: statsmodels conf_int of the same fit
    np.testing.assert_allclose(t[["ci_low", "ci_high"]], fit.model_result.conf_int())
    assert fit.n == 300
    assert np.isfinite([fit.llf, fit.aic, fit.bic, fit.pseudo_r2]).all()
    assert np.isnan(fit.r2)


def test_summary_text_html_latex_have_no_timestamps(logit_data):
    fit = tk.stats.regress("y ~ x + z", logit_data, family="binomial")
    s = fit.summary()
    assert isinstance(s, Summary)
    for text in (s.as_text(), s.as_html(), s.as_latex(), fit._repr_html_()):
        assert "x" in text
        assert not re.search(r"\d{2}:\d{2}:\d{2}|Date|Time:", text)
    assert s.as_latex().count(r"\begin{tabular}") == 2
    assert repr(fit) == "<ModelResult Logit: y ~ x + z, n=300>"
    assert len(repr(fit)) < 80


def test_marginal_effects_match_statsmodels(logit_data):
    # Reference: statsmodels Logit.get_margeff(at="overall", method="dydx"),
    # an independent implementation (tolerance 1e-5 relative).
    import statsmodels.formula.api as smf

    fit = tk.stats.regress("y ~ x + z", logit_data, family="binomial")
    ame = fit.marginal_effects()
    ref = smf.logit("y ~ x + z", logit_data).fit(disp=0).get_margeff(at="overall")
    np.testing.assert_allclose(ame["estimate"], ref.margeff, rtol=1e-5)
    np.testing.assert_allclose(ame["se"], ref.margeff_se, rtol=1e-4)
    assert list(ame["term"]) == ["x", "z"]


def test_poisson_marginal_effects_match_statsmodels(rng):
    import statsmodels.formula.api as smf

    d = pd.DataFrame({"x": rng.normal(size=200)})
    d["c"] = rng.poisson(np.exp(0.5 + 0.3 * d["x"]))
    ame = tk.stats.regress("c ~ x", d, family="poisson").marginal_effects()
    ref = smf.poisson("c ~ x", d).fit(disp=0).get_margeff(at="overall")
    np.testing.assert_allclose(ame["estimate"], ref.margeff, rtol=1e-5)
    np.testing.assert_allclose(ame["se"], ref.margeff_se, rtol=1e-4)


def test_ordered_marginal_effects_sum_to_zero(rng):
    # Probabilities of the categories sum to one, so their AMEs sum to zero per term;
    # each AME equals the numerical derivative of the mean predicted probability.
    n = 300
    x = rng.normal(size=n)
    y = pd.Categorical(np.digitize(x + rng.logistic(size=n), [-1, 0.5, 2]), ordered=True)
    d = pd.DataFrame({"y": y, "x": x})
    fit = tk.stats.ologit("y ~ x", d)
    ame = fit.marginal_effects()
    assert set(ame.columns) >= {"outcome", "term", "estimate", "se"}
    assert ame["estimate"].sum() == pytest.approx(0, abs=1e-10)
    est = fit.to_frame()["estimate"].to_numpy()
    beta, cuts = est[0], est[1:]

    def mean_probs(shift: float) -> np.ndarray:
        eta = beta * (x + shift)
        cdf = 1 / (1 + np.exp(-(np.r_[cuts, np.inf][:, None] - eta)))
        cdf = np.vstack([np.zeros(n), cdf])
        return np.diff(cdf, axis=0).mean(axis=1)

    h = 1e-6
    numeric = (mean_probs(h) - mean_probs(-h)) / (2 * h)
    np.testing.assert_allclose(ame["estimate"], numeric, rtol=1e-5, atol=1e-8)


def test_coefficient_table_t_reference():
    # Student t with 10 df: two-sided p for t = 2.228139 is 0.05 (t table).
    t = coefficient_table(pd.Series({"b": 2.228139}), np.array([[1.0]]), df=10)
    assert t["p_value"].iloc[0] == pytest.approx(0.05, abs=1e-6)
    assert t["ci_low"].iloc[0] == pytest.approx(0.0, abs=1e-6)


def test_marginal_effects_unavailable_message():
    from toolkit.stats.results import ModelResult

    r = ModelResult(None, params=pd.Series({"a": 1.0}), cov=pd.DataFrame([[1.0]]), n=1,
                    model="Custom", formula="y ~ a")
    with pytest.raises(NotImplementedError, match="Custom"):
        r.marginal_effects()
