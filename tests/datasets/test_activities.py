"""The demo's member-activity ledger (activities.xlsx) and its planted engagement.

The ground truth is the generator's: ``truth/member_engagement.csv`` (engagement, flags,
meetings expected and recorded, the planted indicators and their composite) and the
``member_engagement_composite`` entry of ``planted_effects.yaml``, both written by
``toolkit.datasets.synth`` from its model. These tests read the ledger as a user does
(through the manifest) and check it against that truth.
"""

from __future__ import annotations

import html
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
import yaml

import toolkit as tk
from toolkit.datasets.synth.activities import (
    COMPOSITE_INDICATORS,
    ENGAGEMENT,
    composite,
    member_indicators,
)
from toolkit.schema import VOCABULARIES

DEMO = tk.datasets.data_path("demo")


@pytest.fixture(scope="module")
def acts(demo_study):
    return demo_study.table("activities")


@pytest.fixture(scope="module")
def members(demo_study):
    people = demo_study.table("participants")
    return sorted(people.loc[people["type"] == "政协委员", "participant_id"])


@pytest.fixture(scope="module")
def truth():
    return pd.read_csv(DEMO / "truth" / "member_engagement.csv", dtype={"member_id": str})


@pytest.fixture(scope="module")
def planted():
    text = (DEMO / "planted_effects.yaml").read_text(encoding="utf-8")
    return {e["name"]: e for e in yaml.safe_load(text)["effects"]}


def test_file_is_an_office_ledger():
    with zipfile.ZipFile(DEMO / "activities.xlsx") as zf:
        book = zf.read("xl/workbook.xml").decode("utf-8")
        sheet = html.unescape(zf.read("xl/worksheets/sheet1.xml").decode("utf-8"))
    assert 'name="委员履职台账"' in book
    merged = set(re.findall(r'<mergeCell ref="([A-Z0-9:]+)"', sheet))
    # banner, note, 委员信息 over B:C, 履职情况 over D:H, single headers merged down
    assert {"A1:J1", "A2:J2", "B3:C3", "D3:H3", "A3:A4", "I3:I4", "J3:J4"} <= merged
    assert "政协委员履职台账" in sheet
    assert "填表人" in sheet


def test_ledger_covers_every_member_and_kind(demo_study, acts, members):
    assert set(acts["member_id"]) == set(members)
    assert set(acts["kind"].astype(str)) == set(VOCABULARIES["activity_kind"].categories)
    assert acts["activity_id"].is_unique
    assert (acts["count"] >= 1).all()
    assert acts["date"].between("2022-01-01", "2023-12-31").all()
    outcomes = acts.groupby(acts["kind"].astype(str))["outcome"].agg(
        lambda s: set(s.dropna().astype(str)))
    assert outcomes["全会出席"] == {"出席", "请假", "缺席"}
    assert outcomes["常委会出席"] == {"出席", "请假", "缺席"}
    assert outcomes["提案（领衔）"] == {"未立案", "立案", "采纳"}
    assert outcomes["社情民意信息"] == {"采纳", "未采用"}
    assert outcomes["培训"] == {"出席"}
    for kind in ("视察调研", "联系群众", "委员工作室接待"):
        assert outcomes[kind] == set(), kind
    # the member's name as office ledgers carry it, equal to the participants file
    people = demo_study.table("participants").set_index("participant_id")
    assert (acts["member_name"] == acts["member_id"].map(people["name"])).all()


def test_submissions_are_linked_not_repeated(demo_study, acts):
    subs = demo_study.table("submissions").set_index("submission_id")
    own = acts[acts["kind"].isin(["提案（领衔）", "社情民意信息", "大会发言"])]
    member_subs = subs[subs["author_id"].str.startswith("M")]
    # every member-authored submission appears once, as its author's row, on its date
    assert sorted(own["submission_id"]) == sorted(member_subs.index)
    linked = subs.loc[own["submission_id"]]
    assert (linked["author_id"].to_numpy() == own["member_id"].to_numpy()).all()
    assert (linked["date"].to_numpy() == own["date"].to_numpy()).all()
    channel = {"提案（领衔）": "提案", "社情民意信息": "社情民意信息", "大会发言": "大会发言"}
    assert (linked["channel"].astype(str).to_numpy()
            == own["kind"].astype(str).map(channel).to_numpy()).all()
    # a proposal is filed (立案, or adopted after filing: 采纳) exactly when the submission
    # was adopted; other pieces are 采纳 / 未采用 as the submission says
    lead = own[own["kind"] == "提案（领衔）"]
    filed = lead["outcome"].isin(["立案", "采纳"]).to_numpy()
    assert (filed == subs.loc[lead["submission_id"], "adopted"].to_numpy(dtype=bool)).all()
    rest = own[own["kind"] != "提案（领衔）"]
    assert ((rest["outcome"] == "采纳").to_numpy()
            == subs.loc[rest["submission_id"], "adopted"].to_numpy(dtype=bool)).all()
    # co-signers are other members, on the proposal's date, with its outcome
    cos = acts[acts["kind"] == "提案（联名）"]
    proposal = lead.set_index("submission_id")
    assert (cos["member_id"].to_numpy()
            != subs.loc[cos["submission_id"], "author_id"].to_numpy()).all()
    assert (cos["outcome"].astype(str).to_numpy()
            == proposal.loc[cos["submission_id"], "outcome"].astype(str).to_numpy()).all()
    assert not cos.duplicated(["member_id", "submission_id"]).any()


def test_meeting_records_and_the_standing_committee(acts, truth):
    plenary = acts[acts["kind"] == "全会出席"].groupby("member_id").size()
    recorded = truth.set_index("member_id")["plenary_recorded"]
    assert (plenary.reindex(recorded.index, fill_value=0) == recorded).all()
    assert (truth["plenary_expected"] == 10).all()
    # some records are missing: a member's rate is over the sittings recorded for them
    assert (recorded < 10).sum() > 30
    standing = acts[acts["kind"] == "常委会出席"]
    members = set(truth.loc[truth["standing_committee"], "member_id"])
    assert set(standing["member_id"]) == members
    assert len(members) == ENGAGEMENT["n_standing"]
    counts = standing.groupby("member_id").size()
    assert (counts == truth.set_index("member_id").loc[counts.index, "standing_recorded"]).all()


def test_indicators_from_the_ledger_equal_the_truth(acts, members, truth, planted):
    mine = member_indicators(acts, members)
    theirs = truth.set_index("member_id")[list(COMPOSITE_INDICATORS)]
    pd.testing.assert_frame_equal(mine.astype(float), theirs.astype(float), atol=1e-6)
    score = composite(mine)
    np.testing.assert_allclose(score.to_numpy(), truth["composite"].to_numpy(), atol=1e-6)
    r = np.corrcoef(truth["engagement"], score)[0, 1]
    effect = planted["member_engagement_composite"]
    assert r == pytest.approx(effect["true_value"], abs=1e-6)
    assert 0.8 < r < 0.95  # a strong but imperfect proxy, as the datasheet says
    for name, value in effect["other_true_values"]["indicator_correlations"].items():
        assert np.corrcoef(truth["engagement"], mine[name])[0, 1] == pytest.approx(
            value, abs=1e-6), name
        assert value > 0.4, name


def test_some_members_do_very_little(acts, truth):
    field = acts[acts["kind"].isin(["视察调研", "委员工作室接待", "提案（联名）"])]
    per_member = field.groupby("member_id").size().reindex(truth["member_id"], fill_value=0)
    assert (per_member == 0).sum() >= 5
    inactive = truth.set_index("member_id")["inactive"]
    assert inactive.sum() == ENGAGEMENT["n_inactive"]
    composite_score = truth.set_index("member_id")["composite"]
    assert composite_score[inactive].mean() < composite_score[~inactive].mean() - 0.5


def test_activities_validate_and_are_registered(demo_study):
    report = tk.validate(demo_study.table("activities"), kind="activities")
    assert report.ok, report.problems.head().to_string()
    per_table = tk.datasets.list_datasets("demo", by_table=True).set_index("table")["rows"]
    assert per_table["activities"] == len(demo_study.table("activities"))
