"""The planted effects of the demo study are recovered from the bundled files.

Each true value is read from ``planted_effects.yaml`` (written by the generator from
its model parameters, not from the data). Estimates use statsmodels directly on the
tables as loaded through the manifest; each test checks that the 95 % confidence
interval covers the true value (the bundled seed was checked to do so; the datasheet
lists the estimates).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import yaml

import toolkit as tk
from toolkit._values import as_numeric
from toolkit.datasets.synth import member_betweenness
from toolkit.schema import VOCABULARIES

ONLINE = [t.zh for t in VOCABULARIES["platform"].terms if t.group == "online"]


@pytest.fixture(scope="module")
def truth():
    text = (tk.datasets.data_path("demo") / "planted_effects.yaml").read_text(encoding="utf-8")
    return {e["name"]: e for e in yaml.safe_load(text)["effects"]}


def test_planted_effects_table_matches_the_yaml(truth):
    frame = tk.datasets.planted_effects("demo")
    assert frame["name"].tolist() == list(truth)
    assert frame["true_value"].tolist() == [truth[n]["true_value"] for n in truth]
    with pytest.raises(KeyError, match="no planted effects"):
        tk.datasets.planted_effects("karate_club")


def _covers(ci_low, ci_high, value):
    return ci_low <= value <= ci_high


def test_attendance_raises_satisfaction(demo_study, truth):
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    survey = demo_study.table("survey")
    data = pd.DataFrame({
        "sat1": as_numeric(survey["sat1"]),
        "attended": as_numeric(survey["attended"]),
        "party_member": as_numeric(survey["party_member"]),
        "age": survey["age"].astype(float),
    }).dropna()
    fit = OrderedModel(data["sat1"], data[["attended", "party_member", "age"]],
                       distr="logit").fit(method="bfgs", disp=False)
    low, high = fit.conf_int().loc["attended"]
    assert _covers(low, high, truth["attendance_satisfaction"]["true_value"])


def test_brokers_have_higher_adoption(demo_study, truth):
    b = member_betweenness(demo_study.table("attendance"), demo_study.table("participants"))
    z = (b - b.mean()) / b.std(ddof=0)
    subs = demo_study.table("submissions")
    subs = subs[subs["author_id"].isin(z.index)]
    x = sm.add_constant(subs["author_id"].map(z).rename("z").to_numpy())
    fit = sm.Logit(subs["adopted"].astype(float).to_numpy(), x).fit(disp=False)
    low, high = fit.conf_int()[1]
    assert _covers(low, high, truth["broker_adoption"]["true_value"])


def test_online_draws_more_participants_but_less_consensus(demo_study, truth):
    sessions = demo_study.table("sessions")
    online = sessions["platform"].isin(ONLINE).astype(float).to_numpy()
    fit = sm.GLM(sessions["n_participants"].astype(float).to_numpy(), sm.add_constant(online),
                 family=sm.families.Poisson()).fit(cov_type="HC0")
    low, high = np.exp(fit.conf_int()[1])
    assert _covers(low, high, truth["online_participants"]["true_value"])
    consult = sessions[sessions["stage"] == "议事协商"]
    is_online = consult["platform"].isin(ONLINE)
    rates = {}
    for group, rows in consult.groupby(is_online):
        y = rows["consensus"].astype(float)
        rates[bool(group)] = (y.mean(), y.var(ddof=1) / len(y))
    diff = rates[True][0] - rates[False][0]
    se = np.sqrt(rates[True][1] + rates[False][1])
    assert _covers(diff - 1.96 * se, diff + 1.96 * se, truth["online_consensus"]["true_value"])


def test_rooms_bring_more_sessions(demo_study, truth):
    units = demo_study.table("units")
    comm = units[units["level"] == "村社区"].set_index("unit_id")
    counts = demo_study.table("sessions").groupby("unit_id").size()
    y = counts.reindex(comm.index, fill_value=0).astype(float).to_numpy()
    x = sm.add_constant(comm["has_room"].astype(float).to_numpy())
    fit = sm.GLM(y, x, family=sm.families.Poisson()).fit(cov_type="HC0")
    low, high = np.exp(fit.conf_int()[1])
    assert _covers(low, high, truth["room_sessions"]["true_value"])


def test_deliberation_changes_knowledge_and_opinion(truth):
    panel = tk.datasets.load_dataset("demo", table="panel")
    know = [f"know{k}" for k in range(1, 7)]
    numeric = pd.DataFrame({c: as_numeric(panel[c]) for c in [*know, "op1"]})
    numeric["respondent_id"] = panel["respondent_id"]
    numeric["wave"] = as_numeric(panel["wave"])
    numeric["knowledge"] = numeric[know].sum(axis=1)
    wide = numeric.pivot(index="respondent_id", columns="wave",
                         values=["knowledge", "op1"]).dropna()
    for name, col in (("deliberation_knowledge", "knowledge"),
                      ("deliberation_opinion_shift", "op1")):
        change = wide[(col, 2.0)] - wide[(col, 1.0)]
        half = 1.96 * change.std(ddof=1) / np.sqrt(len(change))
        assert _covers(change.mean() - half, change.mean() + half, truth[name]["true_value"])
    # dispersion: bootstrap CI of the change in SD (seeded)
    rng = np.random.default_rng(7)
    before, after = wide[("op1", 1.0)].to_numpy(), wide[("op1", 2.0)].to_numpy()
    draws = []
    for _ in range(400):
        idx = rng.integers(0, len(before), len(before))
        draws.append(after[idx].std() - before[idx].std())
    low, high = np.percentile(draws, [2.5, 97.5])
    assert _covers(low, high, truth["deliberation_opinion_dispersion"]["true_value"])
