"""The demo district study: its scale, its contents and the office formats of its files."""

from __future__ import annotations

import html
import re
import zipfile

import pandas as pd
import pyreadstat
import pytest
import yaml

import toolkit as tk
from toolkit.schema import VOCABULARIES

DEMO = tk.datasets.data_path("demo")


def _id_card_ok(number: str) -> bool:
    # GB 11643-1999: ISO 7064 MOD 11-2 check digit.
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(number[:17], weights, strict=True))
    return len(number) == 18 and "10X98765432"[total % 11] == number[17]


def test_units_have_the_scale_of_the_district(demo_study):
    units = demo_study.table("units")
    counts = units["level"].astype(str).value_counts().to_dict()
    # Huichuan district (DOMAIN.md): 14 towns/streets, 139 villages/communities, 13 stations.
    assert counts == {"村社区": 139, "镇街": 14, "委员联络站": 13, "区县": 1}
    comm = units[units["level"] == "村社区"]
    assert comm["has_room"].notna().all()
    assert 0 < comm["has_room"].sum() < 139
    assert set(comm["parent_id"]) == set(units.loc[units["level"] == "镇街", "unit_id"])


def test_participants(demo_study):
    people = demo_study.table("participants")
    members = people[people["type"] == "政协委员"]
    assert len(members) == 245
    # 5 special committees and 1 office.
    assert members["committee"].astype(str).nunique() == 6
    assert members["sector"].notna().all()
    # every community is covered by a member (全覆盖)
    comm = demo_study.table("units").query("level == '村社区'")["unit_id"]
    assert set(comm) <= set(members["unit_id"])
    for kind in ("人大代表", "政府部门", "专家", "居民代表", "辖区单位代表", "社会组织", "志愿者"):
        assert (people["type"] == kind).sum() > 0, kind


def test_personal_data_only_in_participants_and_valid(demo_study):
    """ID cards and phones are columns of participants only; the activity ledger carries
    the member's name (as office ledgers do); texts hold the values truth/ lists."""
    people = demo_study.table("participants")
    cards = people["id_card"].dropna()
    assert len(cards) > 1000
    assert all(_id_card_ok(c) for c in cards)
    assert cards.str[:4].eq("5299").all()  # an unassigned region code
    assert people["phone"].dropna().str.fullmatch(r"170\d{8}").all()
    for table in ("units", "sessions", "attendance", "submissions", "survey", "activities"):
        frame = demo_study.table(table)
        assert not {"id_card", "phone"} & set(frame.columns), table
    def personal(table):
        cols = {c.name for c in tk.schema.TABLES[table].columns if c.personal}
        return cols & set(demo_study.table(table).columns)

    for table in ("units", "sessions", "attendance", "submissions", "survey"):
        assert not personal(table), table
    assert personal("activities") == {"member_name"}


def test_sessions_cover_every_platform_and_stage(demo_study):
    sessions = demo_study.table("sessions")
    assert set(sessions["platform"].astype(str)) == set(VOCABULARIES["platform"].categories)
    assert set(sessions["stage"].astype(str)) == set(VOCABULARIES["stage"].categories)
    span = sessions["date"].max() - sessions["date"].min()
    assert span.days > 700
    consult = sessions[sessions["stage"] == "议事协商"]
    assert set(consult["round"].dropna().astype(int)) == {1, 2, 3}
    multi = consult.groupby("topic_id")["round"].max()
    assert (multi > 1).sum() > 50
    assert sessions["escalated_to"].notna().sum() > 10
    assert set(sessions["escalated_to"].dropna().astype(str)) == set(
        VOCABULARIES["escalation"].categories)
    done = sessions[sessions["implemented"] == True]  # noqa: E712
    assert (done["implemented_date"] > done["date"]).all()
    assert (sessions["implemented"] == False).sum() > 0  # noqa: E712 - some still open


def test_attendance(demo_study):
    att = demo_study.table("attendance")
    sessions = demo_study.table("sessions").set_index("session_id")
    assert set(att["session_id"]) <= set(sessions.index)
    assert not att.duplicated(["session_id", "participant_id"]).any()
    roles = set(att["role"].astype(str))
    assert {"宣传员", "调查员", "联络员", "促进员"} <= roles
    size = att.groupby("session_id").size()
    assert (size <= sessions.loc[size.index, "n_participants"]).all()
    # four-party composition of offline community consultation sessions
    people = demo_study.table("participants").set_index("participant_id")["type"].astype(str)
    offline = sessions[(sessions["stage"] == "议事协商")
                       & sessions["platform"].isin(["居民议事会", "四方交流平台"])].index
    types = att[att["session_id"].isin(offline)]["participant_id"].map(people)
    assert {"政府部门", "专家", "居民代表", "辖区单位代表"} <= set(types)


def test_submissions(demo_study):
    subs = demo_study.table("submissions")
    assert 1400 <= len(subs) <= 1600
    assert set(subs["channel"].astype(str)) == set(VOCABULARIES["channel"].categories)
    adopted = subs[subs["adopted"] == True]  # noqa: E712
    assert (adopted["gate_reached"].astype(str) == "文字关").all()
    answered = subs[subs["responded"] == True]  # noqa: E712
    assert (answered["response_date"] > answered["date"]).all()
    assert (subs.loc[subs["instructions"] > 0, "instruction_level"].notna()).all()


def test_survey_design_and_items(demo_study):
    survey = demo_study.table("survey")
    assert 2900 <= len(survey) <= 3100
    assert survey["stratum"].nunique() == 14
    assert survey["cluster"].nunique() == 56
    assert demo_study.design_spec.as_dict() == {"weights": "weight", "strata": "stratum",
                                                "cluster": "cluster", "fpc": "fpc"}
    units = demo_study.table("units").set_index("unit_id")
    # design weights: (communities in stratum / 4) x (adults in community / respondents)
    per_cluster = survey.groupby("cluster").agg(w=("weight", "sum"), fpc=("fpc", "first"))
    adults = (units.loc[per_cluster.index, "population"].astype(float) * 0.8).round()
    expected = per_cluster["fpc"] / 4 * adults
    assert per_cluster["w"].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-4)
    n_comm = units[units["level"] == "村社区"].groupby("parent_id").size()
    assert (survey.groupby("stratum")["fpc"].first() == n_comm.reindex(
        survey.groupby("stratum")["fpc"].first().index)).all()
    items = ([f"sat{k}" for k in range(1, 5)] + [f"trust{k}" for k in range(1, 4)]
             + [f"eff{k}" for k in range(1, 5)])
    for item in items:
        assert survey[item].isna().mean() < 0.06, item
    for code in (t.code for t in VOCABULARIES["platform"].terms):
        assert f"aware_{code}" in survey.columns
    eff = demo_study.scales["efficacy"]
    assert tuple(eff.reverse) == ("eff3", "eff4")


def test_panel_pre_post():
    panel = tk.datasets.load_dataset("demo", table="panel")
    waves = panel["wave"].astype(str).value_counts().to_dict()
    assert waves == {"前测": 300, "后测": 288}
    assert {f"know{k}" for k in range(1, 7)} | {f"op{k}" for k in range(1, 5)} <= set(
        panel.columns)


def test_files_are_in_office_formats():
    raw = (DEMO / "participants.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gb18030").startswith("参与者编号,姓名")
    assert (DEMO / "attendance.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    # the sheet's XML (faster than loading the workbook): banner, merged headers, footer
    with zipfile.ZipFile(DEMO / "sessions.xlsx") as zf:
        book = zf.read("xl/workbook.xml").decode("utf-8")
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    strings = html.unescape(sheet)  # openpyxl writes inline strings as character references
    assert 'name="协商活动台账"' in book
    merged = set(re.findall(r'<mergeCell ref="([A-Z0-9:]+)"', sheet))
    assert {"A1:Q1", "A3:A4", "D3:F3", "G3:M3", "N3:O3", "Q3:Q4"} <= merged
    assert "会议纪要" in strings
    assert "基层协商活动台账" in strings
    assert "填表人" in strings
    _, meta = pyreadstat.read_sav(DEMO / "survey.sav", metadataonly=True,
                                  user_missing=True)
    assert meta.missing_ranges["sat1"] == [{"lo": 98.0, "hi": 98.0}, {"lo": 99.0, "hi": 99.0}]
    assert meta.variable_value_labels["sat1"][5.0] == "非常满意"
    assert meta.column_names_to_labels["eff3"].endswith("（反向题）")


def test_manifest_and_planted_effects_files():
    manifest = yaml.safe_load((DEMO / "study.yaml").read_text(encoding="utf-8"))
    assert set(manifest["tables"]) == {"units", "participants", "sessions", "attendance",
                                       "submissions", "survey", "activities"}
    planted = yaml.safe_load((DEMO / "planted_effects.yaml").read_text(encoding="utf-8"))
    names = {e["name"] for e in planted["effects"]}
    assert {"attendance_satisfaction", "broker_adoption", "online_participants",
            "online_consensus", "room_sessions", "deliberation_knowledge",
            "deliberation_opinion_shift", "deliberation_opinion_dispersion",
            "member_engagement_composite", "topic_adoption", "topic_response_lag",
            "office_miscoding", "near_duplicate_proposals", "personal_in_text"} == names
    sheet = (DEMO / "README.md").read_text(encoding="utf-8")
    for effect in planted["effects"]:
        assert effect["name"] in sheet
        assert isinstance(effect["true_value"], float)


@pytest.mark.slow  # validates all six tables (about 5 s, most of it pandera on attendance)
def test_validates_without_errors(demo_study):
    report = demo_study.validate()
    errors = report.problems[report.problems["severity"] == "error"]
    assert errors.empty, errors.head().to_string()


def test_tables_are_canonical(demo_study):
    sessions = demo_study.table("sessions")
    assert isinstance(sessions["platform"].dtype, pd.CategoricalDtype)
    assert str(sessions["consensus"].dtype) == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(sessions["date"])
