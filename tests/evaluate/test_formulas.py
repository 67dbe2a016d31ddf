"""Indicators computed from a study's tables by the formula vocabulary, checked by hand.

Every expected value below is counted by hand from the `tables` fixture (tests/evaluate/
conftest.py): e.g. M1 attended S1, S2 and S5, of which S1 and S5 at a liaison station.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError, ColumnNotFoundError


def _system(**sources):
    return tk.evaluate.IndexSystem({"indicators": [
        {"indicator": k, "source": v} for k, v in sources.items()]})


def _values(frame, column):
    return dict(zip(frame.iloc[:, 0], frame[column], strict=True))


def test_member_formulas_by_hand(tables):
    system = _system(
        attended="count(attendance)",
        station="count(attendance, platform=委员联络站)",
        station_rate="rate(attendance, platform=委员联络站)",
        places="distinct(attendance.unit_id)",
        per_session="ratio(sum(attendance.speeches), count(attendance))",
        proposals="count(submissions, channel=提案)",
        adoption="share(submissions.adopted)",
        instructions="sum(submissions.instructions)",
        not_proposals="count(submissions, channel!=提案)",
    )
    out = tk.evaluate.indicators(tables, system)
    assert list(out["member_id"]) == ["M1", "M2", "M3", "M4"]  # R1 is not a member
    assert _values(out, "attended") == {"M1": 3, "M2": 2, "M3": 2, "M4": 0}
    assert _values(out, "station") == {"M1": 2, "M2": 1, "M3": 1, "M4": 0}
    assert out["station_rate"].tolist() == pytest.approx([2 / 3, 1 / 3, 1 / 3, 0])
    assert _values(out, "places") == {"M1": 2, "M2": 2, "M3": 2, "M4": 0}
    assert out["per_session"].tolist()[:3] == [1.0, 2.0, 2.0]
    assert np.isnan(out.loc[3, "per_session"])  # no session attended: undefined, not 0
    assert _values(out, "proposals") == {"M1": 1, "M2": 1, "M3": 2, "M4": 0}
    assert out["adoption"].tolist()[:3] == pytest.approx([0.5, 1.0, 2 / 3])
    assert np.isnan(out.loc[3, "adoption"])
    assert _values(out, "instructions") == {"M1": 1, "M2": 2, "M3": 1, "M4": 0}
    assert _values(out, "not_proposals") == {"M1": 1, "M2": 0, "M3": 1, "M4": 0}
    record = tk.evaluate.indicator_record(out).set_index("indicator")
    assert record.loc["adoption", "n_missing"] == 1
    assert record.loc["station", "rows_used"] == 4  # S1(M1), S3(M2), S5(M3), S5(M1)
    values = tk.evaluate.indicator_record(out, values=True)
    m3 = values[(values["member_id"] == "M3") & (values["indicator"] == "adoption")].iloc[0]
    assert (m3["numerator"], m3["denominator"]) == (2.0, 3.0)


def test_period_filters_by_date_and_session_date(tables):
    system = _system(attended="count(attendance)", submitted="count(submissions)",
                     station_rate="rate(attendance, platform=委员联络站)")
    out = tk.evaluate.indicators(tables, system, period="2023")
    assert _values(out, "attended") == {"M1": 2, "M2": 2, "M3": 2, "M4": 0}  # S1 is 2022
    assert _values(out, "submitted") == {"M1": 2, "M2": 1, "M3": 2, "M4": 0}  # X6 is 2022
    assert out["station_rate"].tolist() == pytest.approx([0.5, 0.5, 0.5, 0.0])  # S3, S5 held
    record = tk.evaluate.indicator_record(out)
    assert record["period"].iloc[0].startswith("2023-01-01")
    same = tk.evaluate.indicators(tables, system, period="2023-01-01/2023-12-31")
    pd.testing.assert_frame_equal(out, same)


def test_filter_values_accept_english_codes_and_yes_no(tables):
    a = tk.evaluate.indicators(tables, _system(x="count(submissions, channel=proposal)",
                                               y="count(submissions, adopted=是)"))
    b = tk.evaluate.indicators(tables, _system(x="count(submissions, channel=提案)",
                                               y="count(submissions, adopted=true)"))
    pd.testing.assert_frame_equal(a, b)
    assert _values(a, "y") == {"M1": 1, "M2": 1, "M3": 2, "M4": 0}


def test_unit_level_and_roll_up(tables):
    system = _system(sessions="count(sessions)", consensus="share(sessions.consensus)",
                     rounds="mean(sessions.round)", people="distinct(attendance.participant_id)",
                     submitted="count(submissions)")
    out = tk.evaluate.indicators(tables, system, level="unit")
    assert list(out["unit_id"]) == ["C1", "C2", "C3"]
    assert _values(out, "sessions") == {"C1": 2, "C2": 1, "C3": 1}  # S5 is held at a town
    assert out["consensus"].tolist() == [0.5, 1.0, 1.0]
    assert out["rounds"].tolist() == [1.5, 1.0, 1.0]
    assert _values(out, "people") == {"C1": 3, "C2": 1, "C3": 2}
    assert _values(out, "submitted") == {"C1": 2, "C2": 1, "C3": 3}  # by the author's unit
    towns = tk.evaluate.indicators(tables, system, level="unit", unit_level="镇街")
    assert _values(towns, "sessions") == {"T1": 3, "T2": 2}


def test_members_without_participants_table(tables):
    small = {"submissions": tables["submissions"]}
    out = tk.evaluate.indicators(small, _system(n="count(submissions)"))
    assert list(out["member_id"]) == ["M1", "M2", "M3"]
    out = tk.evaluate.indicators(small, _system(n="count(submissions)"),
                                 members=["M1", "M9"])
    assert _values(out, "n") == {"M1": 2, "M9": 0}


@pytest.mark.parametrize(("source", "error", "match"), [
    ("cnt(attendance)", ArgumentError, "Indicator `x`.*Did you mean `count`"),
    ("count(activities)", ArgumentError, "Indicator `x` reads the `activities` table"),
    ("sum(submissions.instruction)", ColumnNotFoundError,
     "Indicator `x`.*`instruction`.*Did you mean `instructions`"),
    ("count(submissions, chanel=提案)", ColumnNotFoundError,
     "Indicator `x` filters on `chanel`.*Did you mean `channel`"),
    ("rate(submissions)", ArgumentError, "Indicator `x`: rate\\(\\) divides"),
    ("share(submissions)", ArgumentError, "Indicator `x`: share\\(\\) needs a column"),
    ("count(submissions", ArgumentError, "Indicator `x`: Missing `\\)`"),
    ("__import__('os')", ArgumentError, "Indicator `x`"),
])
def test_bad_formulas_name_the_indicator(tables, source, error, match):
    with pytest.raises(error, match=match):
        tk.evaluate.indicators(tables, _system(x=source))


def test_leaf_without_source_is_refused(tables):
    system = tk.evaluate.IndexSystem({"indicators": [{"indicator": "a", "source": "count(x)"},
                                                     {"indicator": "b"}]})
    with pytest.raises(ArgumentError, match="`b` have no `source`"):
        tk.evaluate.indicators(tables, system)


def test_share_of_a_text_column_is_refused(tables):
    with pytest.raises(TypeError, match="not a yes/no column"):
        tk.evaluate.indicators(tables, _system(x="share(submissions.channel)"))


def test_names_never_reach_the_indicator_table(tables):
    out = tk.evaluate.indicators(tables, _system(x="count(attendance)"))
    text = out.to_string() + tk.evaluate.indicator_record(out, values=True).to_string()
    assert not any(name in text for name in tables["participants"]["name"])
