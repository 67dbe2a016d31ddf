"""The whole workflow: evaluate() on a study and on a table; the Evaluation result."""

from __future__ import annotations

import numpy as np
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError


def test_evaluate_a_study_dict(tables):
    system = tk.evaluate.IndexSystem({"indicators": [
        {"indicator": "P", "children": [
            {"indicator": "attended", "source": "count(attendance)"},
            {"indicator": "spoke", "source": "sum(attendance.speeches)"}]},
        {"indicator": "S", "children": [
            {"indicator": "proposals", "source": "count(submissions, channel=提案)"},
            {"indicator": "adopted", "source": "count(submissions, adopted=true)"}]}]})
    ev = tk.evaluate.evaluate(tables, system=system, n=50, seed=2)
    assert ev.id == "member_id"
    assert list(ev.raw["attended"]) == [3, 2, 2, 0]
    # by hand: min-max 0-100, equal weights. M1 attended 3 of max 3 (100) and spoke 3 of
    # max 4 (75): P = 87.5; 1 of max 2 proposals and adopted (50, 50): S = 50
    assert ev.scores.loc[0, "P"] == pytest.approx(87.5)
    assert ev.scores.loc[0, "index"] == pytest.approx((87.5 + 50.0) / 2)
    assert ev.ranks["rank"].tolist() == [2, 3, 1, 4]
    frame = ev.to_frame()
    assert {"member_id", "score", "rank", "median_rank", "rank_low", "rank_high", "width",
            "P", "S"} <= set(frame.columns)
    names = tables["participants"].rename(columns={"participant_id": "member_id"})
    published = ev.summary().as_text() + ev._repr_html_() + frame.to_string() + ev.league_table(
    ).to_string()
    assert not any(n in published for n in names["name"])  # pseudonymous ids only
    named = ev.league_table(names=names[["member_id", "name"]])
    assert named.loc[0, "name"] == "王五"  # M3 ranks first; names only when asked


def test_evaluate_a_table_defaults_and_choices(indicator_table, two_pillars):
    ev = tk.evaluate.evaluate(indicator_table, uncertainty=False)
    assert ev.id == "unit"
    assert ev.system.leaves == ["a1", "a2", "a3", "b1", "b2", "b3"]
    manual = tk.evaluate.aggregate(tk.evaluate.normalise(indicator_table))["index"]
    assert ev.ranks["score"].to_numpy() == pytest.approx(manual.to_numpy())
    topsis = tk.evaluate.evaluate(indicator_table, system=two_pillars, aggregation="topsis",
                                  uncertainty=False)
    ref = tk.evaluate.topsis(indicator_table, system=two_pillars)
    assert topsis.ranks["score"].to_numpy() == pytest.approx(ref["closeness"].to_numpy())
    ent = tk.evaluate.evaluate(indicator_table, system=two_pillars, weighting="entropy",
                               uncertainty=False)
    w = tk.evaluate.weights(indicator_table, method="entropy", system=two_pillars)
    assert ent.weights["global_weight"].to_numpy() == pytest.approx(
        w["global_weight"].to_numpy())
    ahp = tk.evaluate.ahp({("A", "B"): 2})
    given = tk.evaluate.evaluate(indicator_table, system=two_pillars.with_weights(ahp.weights),
                                 uncertainty=False)
    assert given.weights.set_index("indicator").loc["A", "weight"] == pytest.approx(2 / 3)


def test_missing_values_impute_or_rescale(indicator_table, two_pillars):
    gap = indicator_table.copy()
    gap.loc[0, "a1"] = np.nan
    none = tk.evaluate.evaluate(gap, system=two_pillars, uncertainty=False)
    assert np.isfinite(none.scores.loc[0, "A"])  # mean of the two indicators present
    mean = tk.evaluate.evaluate(gap, system=two_pillars, impute="mean", uncertainty=False)
    assert mean.data.loc[0, "a1"] == pytest.approx(gap["a1"].mean())
    with pytest.raises(ArgumentError, match="TOPSIS needs complete data"):
        tk.evaluate.evaluate(gap, system=two_pillars, aggregation="topsis", uncertainty=False)


def test_profile_and_correlations(indicator_table, two_pillars):
    ev = tk.evaluate.evaluate(indicator_table, system=two_pillars, uncertainty=False)
    p = ev.profile("U03")
    assert list(p["indicator"]) == ["A", "B"]
    assert p.loc[0, "median"] == pytest.approx(ev.scores["A"].median())
    with pytest.raises(ArgumentError, match=r"`U3` is not one of the evaluated units"):
        ev.profile("U3")
    assert ev.correlations().shape == (6, 6)


def test_bad_choices_are_refused(indicator_table):
    with pytest.raises(ArgumentError, match="`weighting` must be one of"):
        tk.evaluate.evaluate(indicator_table, weighting="entropi")
    with pytest.raises(ArgumentError, match="`level` must be one of"):
        tk.evaluate.evaluate(indicator_table, level="town")
    with pytest.raises(ArgumentError, match="`flat` have the same value"):
        tk.evaluate.evaluate(indicator_table.assign(flat=1.0), uncertainty=False)
