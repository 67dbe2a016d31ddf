"""Index systems: building from YAML/dict/frame, validation of the tree, derived systems."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError, ValidationError


def test_nested_and_flat_forms_agree():
    nested = tk.evaluate.IndexSystem({"indicators": [
        {"indicator": "A", "weight": 0.5, "children": [
            {"indicator": "A1", "weight": 0.5, "children": [{"indicator": "a"},
                                                            {"indicator": "b"}]},
            {"indicator": "A2", "weight": 0.5, "children": [{"indicator": "c"}]}]},
        {"indicator": "B", "weight": 0.5, "children": [{"indicator": "d", "direction": "-"}]},
    ]})
    flat = tk.evaluate.IndexSystem(pd.DataFrame({
        "indicator": ["A", "A1", "a", "b", "A2", "c", "B", "d"],
        "parent": [None, "A", "A1", "A1", "A", "A2", None, "B"],
        "direction": ["+", "+", "+", "+", "+", "+", "+", "负向"],
        "weight": ["50%", "50%", None, None, "50%", None, "50%", None]}))
    assert nested == flat
    assert nested.leaves == ["a", "b", "c", "d"]
    assert nested.depth == 3
    assert nested.level_of("a") == 3
    assert nested.level_of("d") == 2
    assert nested.path("b") == ["A", "A1", "b"]
    assert nested.direction("d") == -1


def test_every_problem_reported_at_once():
    frame = pd.DataFrame({
        "indicator": ["A", "a1", "a1", "a2", "B", "b1", "x", "y"],
        "parent": [None, "A", "A", "Aa", None, "B", "y", "x"],
        "direction": ["+", "up", "+", "+", "+", "+", "+", "+"],
        "weight": [0.5, None, None, None, 0.6, None, None, None]})
    with pytest.raises(ValidationError) as info:
        tk.evaluate.IndexSystem(frame)
    problems = info.value.problems
    checks = set(problems["check"])
    assert {"unknown_value", "duplicate_id", "unknown_parent", "cycle"} <= checks
    # the direction problem names its indicator and value
    row = problems[problems["check"] == "unknown_value"].iloc[0]
    assert row["column"] == "direction"
    assert row["value"] == "up"
    assert "a1" in row["problem"]
    unknown = problems[problems["check"] == "unknown_parent"].iloc[0]
    assert "did you mean `A`" in unknown["fix"]
    assert set(problems["problem_zh"].str.len() > 0) == {True}


def test_weights_must_sum_and_be_complete():
    with pytest.raises(ValidationError, match=r"sum to 0.9"):
        tk.evaluate.IndexSystem({"indicators": [{"indicator": "a", "weight": 0.5},
                                                {"indicator": "b", "weight": 0.4}]})
    with pytest.raises(ValidationError, match="except b"):
        tk.evaluate.IndexSystem({"indicators": [{"indicator": "a", "weight": 1},
                                                {"indicator": "b"}]})
    s = tk.evaluate.IndexSystem({"indicators": [{"indicator": "a", "weight": 30},
                                                {"indicator": "b", "weight": 70}]})
    assert s.local_weights() == pytest.approx({"a": 0.3, "b": 0.7})


def test_unknown_key_and_bad_input():
    with pytest.raises(ValidationError, match="did you mean `direction`"):
        tk.evaluate.IndexSystem({"indicators": [{"indicator": "a", "dirction": "+"}]})
    with pytest.raises(ArgumentError, match="indicators"):
        tk.evaluate.IndexSystem({"items": []})
    with pytest.raises(ArgumentError, match="member_default"):
        tk.evaluate.IndexSystem("member_defualt")


def test_with_weights_and_without(two_pillars):
    s = two_pillars.with_weights({"A": 1, "B": 3, "a1": 2, "a2": 1, "a3": 1})
    w = s.local_weights()
    assert w["A"] == pytest.approx(0.25)
    assert w["a1"] == pytest.approx(0.5)
    assert w["b1"] == pytest.approx(1 / 3)  # untouched siblings stay equal
    with pytest.raises(ArgumentError, match="did you mean `a1`"):
        two_pillars.with_weights({"a_1": 1})
    smaller = two_pillars.without(["b1", "b2", "b3"])
    assert smaller.leaves == ["a1", "a2", "a3"]
    assert smaller.pillars == ["A"]
    assert smaller.local_weights()["A"] == pytest.approx(1.0)


def test_to_wide_labels(two_pillars):
    wide = two_pillars.to_wide(lang="zh")
    assert list(wide.columns) == ["level_1", "level_2", "indicator", "direction", "unit",
                                  "source"]
    assert wide.loc[0, "level_1"] == "参与"
    assert wide.loc[0, "level_2"] == "出席"
    assert wide.loc[4, "direction"] == "-"
    assert two_pillars.to_wide(lang="en").loc[3, "level_1"] == "Results"


@pytest.mark.parametrize("name", ["member_default", "member_basic", "unit_default"])
def test_bundled_systems_load(name):
    s = tk.evaluate.load_system(name)
    assert s.level in {"member", "unit"}
    assert all(s.node(leaf).source for leaf in s.leaves)
    assert all(s.node(c).label_zh and s.node(c).label_en for c in s.nodes)
    from toolkit.evaluate.formulas import parse_formula

    for leaf in s.leaves:
        parse_formula(s.node(leaf).source, indicator=leaf)
