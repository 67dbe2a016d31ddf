"""Coverage (全覆盖), per-period snapshots, and the demo study's planted broker effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import toolkit as tk


@pytest.fixture
def study():
    units = pd.DataFrame({
        "unit_id": ["T1", "C1", "C2", "C3"], "name": ["甲镇", "一社区", "二社区", "三社区"],
        "level": ["镇街", "村社区", "村社区", "村社区"], "parent_id": [None, "T1", "T1", "T1"],
        "has_room": pd.array([None, True, False, None], dtype="boolean")})
    participants = pd.DataFrame({
        "participant_id": ["M1", "M2", "M3", "R1"], "name": ["甲", "乙", "丙", "丁"],
        "type": ["政协委员", "人大代表", "政协委员", "居民代表"],
        "unit_id": ["C1", "C2", None, "C3"]})
    sessions = pd.DataFrame({
        "session_id": ["S1", "S2", "S3", "S4"], "unit_id": ["C1", "C1", "C2", "C3"],
        "date": pd.to_datetime(["2023-01-10", "2023-05-02", "2023-05-20", "2023-08-01"])})
    attendance = pd.DataFrame({
        "session_id": ["S1", "S1", "S2", "S3", "S3", "S4"],
        "participant_id": ["M1", "R1", "M1", "M2", "R1", "R1"]})
    return tk.Study(units=units, participants=participants, sessions=sessions,
                    attendance=attendance)


def test_coverage_flags_each_gap(study):
    cov = tk.net.coverage(study)
    c = cov.to_frame().set_index("unit_id")
    assert list(c.index) == ["C1", "C2", "C3"]
    assert c.loc["C1", "covered"]
    assert c.loc["C2", "no_room"]
    assert not c.loc["C2", "covered"]
    assert c.loc["C3", "no_member"]
    assert not c.loc["C3", "covered"]
    assert c["no_room"].isna()["C3"]  # has_room not recorded: stays missing
    assert cov.members_without_community["participant_id"].tolist() == ["M3"]
    assert "name" not in cov.members_without_community.columns  # personal data left out
    assert "without a room 1" in cov.summary().as_text()


def test_coverage_by_period(study):
    q2 = tk.net.coverage(study, period="2023Q2").to_frame().set_index("unit_id")
    assert q2["n_sessions"].to_dict() == {"C1": 1, "C2": 1, "C3": 0}
    assert q2.loc["C3", "no_session"]
    span = tk.net.coverage(study, period=("2023-01-01", "2023-01-31")).to_frame()
    assert span["n_sessions"].tolist() == [1, 0, 0]
    with pytest.raises(ValueError, match="2023Q4"):
        tk.net.coverage(study, period="last spring")


def test_by_period_metrics(study):
    snaps = tk.net.by_period(study, freq="Q")
    m = snaps.to_frame().set_index("period")
    assert list(m.index) == ["2023Q1", "2023Q2", "2023Q3"]
    assert m.loc["2023Q1", "n_ties"] == 1
    assert m.loc["2023Q1", "density"] == 1.0
    assert m.loc["2023Q2", "n_participants"] == 3
    assert m.loc["2023Q2", "n_new"] == 1  # M2; M1 and R1 were seen in Q1
    assert m.loc["2023Q2", "n_components"] == 2
    assert m.loc["2023Q3", "n_ties"] == 0
    G = snaps.graph("2023Q2")
    assert G.has_edge("M2", "R1")
    assert not G.has_edge("M1", "R1")


def test_demo_planted_broker_effect(demo_study):
    # datasets/demo/planted_effects.yaml, effect "broker_adoption": true value 0.5
    # (log-odds of adoption per SD of betweenness). Estimate as the datasheet says:
    # project attendance onto CPPCC members, networkx-normalised betweenness (isolates
    # 0), standardise (population SD), logit of `adopted` on the author's z. Tolerance:
    # 3 standard errors of the estimate.
    people = demo_study.table("participants")
    members = people.loc[people["type"].astype("string") == "政协委员", "participant_id"]
    att = demo_study.table("attendance")
    P = tk.net.project(att[att["participant_id"].isin(set(members))])
    P.add_nodes_from(set(members) - set(P))
    m = tk.net.measures(P, measures=["betweenness"])
    z = (m["betweenness"] - m["betweenness"].mean()) / m["betweenness"].std(ddof=0)
    subs = demo_study.table("submissions")
    subs = subs[subs["author_id"].isin(set(members))]
    x = subs["author_id"].map(dict(zip(m["node"], z, strict=True)))
    fit = sm.Logit(subs["adopted"].astype(float).to_numpy(),
                   sm.add_constant(x.to_numpy())).fit(disp=0)
    est, se = fit.params[1], fit.bse[1]
    assert abs(est - 0.5) < 3 * se
    assert est > 0
    assert fit.pvalues[1] < 0.001


def test_demo_coverage_and_organisation(demo_study):
    cov = tk.net.coverage(demo_study)
    units = demo_study.table("units")
    n_comm = int((units["level"].astype("string") == "村社区").sum())
    assert len(cov.to_frame()) == n_comm
    org = tk.net.organisation(demo_study)
    kinds = pd.Series(dict(org.nodes(data="kind")))
    assert (kinds == "member").sum() >= 245  # DOMAIN.md: 245 CPPCC members in Huichuan
    F = tk.net.submission_flow(demo_study)
    subs = demo_study.table("submissions")
    out_of_channels = sum(w for u, _, w in F.edges(data="weight")
                          if F.nodes[u]["kind"] == "channel")
    assert out_of_channels == subs["channel"].notna().sum()
    assert np.isfinite(tk.net.by_period(demo_study).to_frame()["density"]).any()


def test_coverage_status_and_counts_by_town(study):
    cov = tk.net.coverage(study)
    c = cov.to_frame().set_index("unit_id")
    # C1: member M1, room, sessions; C2: only an NPC deputy (人大代表), no room;
    # C3: a resident representative only (no member), room not recorded
    assert c["status"].to_dict() == {"C1": "covered", "C2": "no_room", "C3": "no_member"}
    assert (c["parent_name"] == "甲镇").all()
    # a deputy counts as a member, through schema.MEMBER_TYPES
    assert c.loc["C2", "n_members"] == 1
    assert set(tk.schema.MEMBER_TYPES) == {"政协委员", "人大代表"}
    towns = cov.by_town()
    assert towns.to_dict("records") == [{
        "parent_id": "T1", "parent_name": "甲镇", "n_communities": 3, "n_with_member": 2,
        "n_with_room": 1, "n_with_session": 3, "n_covered": 1}]


def test_gap_status_is_the_one_rule_for_a_status():
    from toolkit.net.overview import gap_status

    flags = pd.DataFrame({"has_member": [True, False, True, True],
                          "no_room": pd.array([False, True, None, None], dtype="boolean"),
                          "no_session": [False, False, False, True]})
    assert gap_status(flags).tolist() == ["covered", "several", "unknown", "no_session"]
    with pytest.raises(ValueError, match=r"tk\.net\.coverage"):
        gap_status(pd.DataFrame({"x": [1]}))
