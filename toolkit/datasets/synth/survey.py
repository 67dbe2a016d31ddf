"""The resident survey (stratified cluster sample) and the deliberation panel.

Planted effects: the ordered logit of ``sat1`` on attendance, party membership and
age, and the knowledge and opinion changes of the before/after panel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit.datasets.synth.planted import OP1_POST, OP1_PRE, OP_OTHER, PLANTED

__all__ = ["AWARE_P", "draw_panel", "draw_survey"]

AWARE_P = {
    "studio": 0.45, "residents_council": 0.60, "project_hearing": 0.30,
    "community_dialogue": 0.40, "democratic_dialogue": 0.25, "plan_coordination": 0.20,
    "evaluation_meeting": 0.20, "four_party_platform": 0.35, "consultation_room": 0.50,
    "liaison_station": 0.40, "wechat_group": 0.80, "cloud_forum": 0.35, "online_form": 0.45,
    "email": 0.15, "hotline": 0.55, "voting_app": 0.30, "online_platform": 0.25,
}


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _ordinal(rng: np.random.Generator, latent: np.ndarray, cuts: Sequence[float]) -> np.ndarray:
    return 1 + np.searchsorted(np.asarray(cuts), latent)


def draw_survey(rng: np.random.Generator, units: pd.DataFrame) -> pd.DataFrame:
    """The resident survey: 14 strata, 4 communities each, 50-58 adults each."""
    p = PLANTED
    comms = units[units["level"] == "村社区"]
    rows = []
    rid = 0
    for town, group in comms.groupby("parent_id", sort=True):
        m_h = 4
        chosen = group.iloc[np.sort(rng.choice(len(group), m_h, replace=False))]
        for c in chosen.itertuples():
            adults = round(c.population * 0.8)
            n_c = int(rng.integers(50, 59))
            weight = (len(group) / m_h) * (adults / n_c)
            for _ in range(n_c):
                rid += 1
                rows.append({"respondent_id": f"Y{rid:05d}", "unit_id": c.unit_id,
                             "stratum": town, "cluster": c.unit_id, "fpc": float(len(group)),
                             "weight": round(weight, 4)})
    svy = pd.DataFrame(rows)
    n = len(svy)
    female = rng.random(n) < 0.52
    age = np.clip(np.round(rng.normal(46, 15, n)), 18, 85).astype(int)
    party = rng.random(n) < 0.22
    educ = rng.choice([1, 2, 3, 4, 5], n, p=[0.12, 0.28, 0.27, 0.15, 0.18])
    attended = rng.random(n) < _logistic(-1.2 + 0.8 * party + 0.02 * (age - 45))
    svy["gender"] = np.where(female, 2, 1)
    svy["age"] = age
    svy["age_band"] = np.select([age < 30, age < 45, age < 60], [1, 2, 3], 4)
    svy["education"] = educ
    svy["party_member"] = party.astype(int)
    svy["attended"] = attended.astype(int)
    svy["n_sessions"] = np.where(attended, 1 + rng.poisson(1.5, n), 0)
    svy["part_online"] = (rng.random(n) < np.where(attended, 0.45, 0.12)).astype(int)
    # satisfaction: ordered logit (the planted effect is on sat1)
    eta = (p["sat_attended_logodds"] * attended + p["sat_party_logodds"] * party
           + p["sat_age_logodds"] * age)
    latent = eta + rng.logistic(0, 1, n)
    cuts = [p["sat_cut1"], p["sat_cut2"], p["sat_cut3"], p["sat_cut4"]]
    svy["sat1"] = _ordinal(rng, latent, cuts)
    for k in (2, 3, 4):
        svy[f"sat{k}"] = _ordinal(rng, latent + rng.normal(0, 1.6, n), cuts)
    # trust: community random intercept (ICC about 0.10) plus satisfaction
    comm_ids = svy["unit_id"].unique()
    u = dict(zip(comm_ids, rng.normal(0, 0.35, len(comm_ids)), strict=True))
    trust_latent = (0.35 * (latent - latent.mean()) + svy["unit_id"].map(u).to_numpy()
                    + rng.normal(0, 1.0, n))
    for k in (1, 2, 3):
        svy[f"trust{k}"] = _ordinal(rng, trust_latent + rng.normal(0, 0.9, n),
                                    [-1.8, -0.8, 0.5, 1.7])
    # political efficacy; eff3 and eff4 are reverse-keyed
    eff_latent = 0.3 * party + 0.25 * (educ - 3) + 0.3 * attended + rng.normal(0, 1.0, n)
    for k in (1, 2, 3, 4):
        item_latent = eff_latent + rng.normal(0, 0.7, n)
        if k >= 3:
            item_latent = -item_latent
        svy[f"eff{k}"] = _ordinal(rng, item_latent, [-1.6, -0.6, 0.5, 1.5])
    for code, prob in AWARE_P.items():
        logit = np.log(prob / (1 - prob)) + 0.8 * attended
        svy[f"aware_{code}"] = (rng.random(n) < _logistic(logit)).astype(int)
    # 98 / 99 codes on the attitude items
    for col in [*(f"sat{k}" for k in range(1, 5)), *(f"trust{k}" for k in (1, 2, 3)),
                *(f"eff{k}" for k in range(1, 5))]:
        draw = rng.random(n)
        values = svy[col].to_numpy().copy()
        values[draw < 0.03] = 98
        values[draw < 0.01] = 99
        svy[col] = values
    return svy


def _copula_pair(rng: np.random.Generator, n: int, pre: Sequence[float], post: Sequence[float],
                 rho: float) -> tuple[np.ndarray, np.ndarray]:
    """Paired categorical codes with exact marginals ``pre``/``post`` (Gaussian copula)."""
    from scipy.special import ndtr  # the standard normal CDF; lighter than scipy.stats

    z1 = rng.standard_normal(n)
    z2 = rho * z1 + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    u1, u2 = ndtr(z1), ndtr(z2)
    c1 = 1 + np.searchsorted(np.cumsum(pre)[:-1], u1)
    c2 = 1 + np.searchsorted(np.cumsum(post)[:-1], u2)
    return c1, c2


def draw_panel(rng: np.random.Generator, survey: pd.DataFrame) -> pd.DataFrame:
    """The before/after deliberation panel of 300 survey respondents (long format)."""
    p = PLANTED
    chosen = survey.iloc[np.sort(rng.choice(len(survey), 300, replace=False))]
    n = len(chosen)
    pre = chosen[["respondent_id", "unit_id", "gender", "age"]].copy()
    pre["wave"] = 1
    post = pre.copy()
    post["wave"] = 2
    op1_pre, op1_post = _copula_pair(rng, n, OP1_PRE, OP1_POST, 0.5)
    pre["op1"], post["op1"] = op1_pre, op1_post
    for k in (2, 3, 4):
        a, b = _copula_pair(rng, n, OP_OTHER, OP_OTHER, 0.6)
        pre[f"op{k}"], post[f"op{k}"] = a, b
    for k in range(1, p["n_know_items"] + 1):
        a, b = _copula_pair(rng, n, (1 - p["know_pre_p"], p["know_pre_p"]),
                            (1 - p["know_post_p"], p["know_post_p"]), 0.4)
        pre[f"know{k}"], post[f"know{k}"] = a - 1, b - 1
    # twelve respondents did not return for the second interview
    dropped = set(rng.choice(pre["respondent_id"].to_numpy(), 12, replace=False))
    post = post[~post["respondent_id"].isin(dropped)]
    panel = pd.concat([pre, post], ignore_index=True)
    panel = panel.sort_values(["respondent_id", "wave"], kind="stable").reset_index(drop=True)
    return panel[["respondent_id", "wave", "unit_id", "gender", "age",
                  *(f"op{k}" for k in range(1, 5)),
                  *(f"know{k}" for k in range(1, p["n_know_items"] + 1))]]
