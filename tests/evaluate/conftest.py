"""Small seeded studies and indicator tables for the evaluation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def tables():
    """A tiny study as a dict of tables: 4 members, 5 sessions, 6 submissions, 2 towns."""
    units = pd.DataFrame({
        "unit_id": ["Q", "T1", "T2", "C1", "C2", "C3"],
        "name": ["区", "东镇", "西镇", "甲村", "乙村", "丙村"],
        "level": ["区县", "镇街", "镇街", "村社区", "村社区", "村社区"],
        "parent_id": [None, "Q", "Q", "T1", "T1", "T2"],
    })
    participants = pd.DataFrame({
        "participant_id": ["M1", "M2", "M3", "M4", "R1"],
        "name": ["张三", "李四", "王五", "赵六", "居民"],
        "type": ["政协委员"] * 4 + ["居民代表"],
        "committee": ["提案委员会", "提案委员会", "经济委员会", "经济委员会", None],
        "unit_id": ["C1", "C2", "C3", "C3", "C1"],
    })
    sessions = pd.DataFrame({
        "session_id": ["S1", "S2", "S3", "S4", "S5"],
        "date": pd.to_datetime(["2022-12-20", "2023-02-01", "2023-03-01", "2023-05-01",
                                "2023-06-01"]),
        "unit_id": ["C1", "C1", "C2", "C3", "T2"],
        "platform": ["委员联络站", "居民议事会", "委员联络站", "微信群", "委员联络站"],
        "consensus": [True, False, True, True, False],
        "round": [1, 2, 1, 1, 3],
    })
    attendance = pd.DataFrame({
        "session_id": ["S1", "S1", "S2", "S2", "S3", "S4", "S4", "S5", "S5"],
        "participant_id": ["M1", "R1", "M1", "M2", "M2", "M3", "R1", "M3", "M1"],
        "speeches": [2, 1, 0, 3, 1, 0, 2, 4, 1],
    })
    submissions = pd.DataFrame({
        "submission_id": [f"X{i}" for i in range(1, 7)],
        "author_id": ["M1", "M1", "M2", "M3", "M3", "M3"],
        "date": pd.to_datetime(["2023-01-10", "2023-04-01", "2023-02-02", "2023-03-03",
                                "2023-07-07", "2022-11-11"]),
        "channel": ["提案", "社情民意信息", "提案", "提案", "提案", "大会发言"],
        "adopted": [True, False, True, False, True, True],
        "instructions": [1, 0, 2, 0, 1, 0],
    })
    return {"units": units, "participants": participants, "sessions": sessions,
            "attendance": attendance, "submissions": submissions}


@pytest.fixture
def indicator_table():
    """30 units x 6 indicators in two pillars, seeded, with a negative indicator."""
    rng = np.random.default_rng(20231108)
    n = 30
    latent = rng.normal(size=n)
    return pd.DataFrame({
        "unit": [f"U{i:02d}" for i in range(1, n + 1)],
        "a1": rng.poisson(np.exp(2 + 0.3 * latent)).astype(float),
        "a2": np.round(1 / (1 + np.exp(-latent - rng.normal(0, 0.5, n))), 3),
        "a3": rng.poisson(np.exp(1 + 0.4 * latent)).astype(float),
        "b1": rng.gamma(2.0, np.exp(0.3 * latent)),
        "b2": rng.poisson(np.exp(0.8 - 0.4 * latent)).astype(float),  # negative: less is better
        "b3": rng.normal(50 + 5 * latent, 10),
    })


@pytest.fixture
def two_pillars():
    """Index system for `indicator_table`: pillars A (a1-a3) and B (b1-b3), b2 negative."""
    import toolkit as tk

    return tk.evaluate.IndexSystem({"name": "测试指标体系", "indicators": [
        {"indicator": "A", "label_zh": "参与", "label_en": "Participation", "weight": 0.6,
         "children": [{"indicator": "a1", "label_zh": "出席"}, {"indicator": "a2"},
                      {"indicator": "a3"}]},
        {"indicator": "B", "label_zh": "成效", "label_en": "Results", "weight": 0.4,
         "children": [{"indicator": "b1"}, {"indicator": "b2", "direction": "-"},
                      {"indicator": "b3"}]},
    ]})
