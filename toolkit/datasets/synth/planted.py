"""The planted effects of the demo study: true values of the generating model.

Every model parameter that a research question touches lives here, so that the
generator, the manifest text (``planted_effects.yaml``) and the tests read one
source.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_SEED", "DISTRICT_NAME", "END", "OP1_POST", "OP1_PRE", "OP_OTHER", "PLANTED",
           "START", "moments"]

#: Seed of the bundled demo study.
DEFAULT_SEED = 20231108

START = pd.Timestamp("2022-01-01")
END = pd.Timestamp("2023-12-31")
DISTRICT_NAME = "云溪区"

#: True values of the planted effects (the generator's model parameters).
PLANTED: dict[str, float] = {
    # survey: ordered logit of sat1 on attended + party_member + age
    "sat_attended_logodds": 0.60,
    "sat_party_logodds": 0.30,
    "sat_age_logodds": 0.010,
    "sat_cut1": -1.75,
    "sat_cut2": -0.55,
    "sat_cut3": 0.75,
    "sat_cut4": 2.25,
    # submissions: logit of adopted on the author's standardised betweenness
    "adopt_intercept": -0.30,
    "adopt_broker_logodds": 0.50,
    # sessions: participants and consensus by platform group
    "participants_offline_mean": 14.0,
    "participants_online_mean": 35.0,
    "consensus_offline": 0.70,
    "consensus_online": 0.45,
    # sessions per community: rate ratio room vs no room
    "topics_no_room_mean": 2.6,
    "room_rate_ratio": 1.8,
    # deliberation panel
    "know_pre_p": 0.45,
    "know_post_p": 0.65,
    "n_know_items": 6,
}

#: Pre and post distributions of opinion item op1 (codes 1–5).
OP1_PRE = (0.15, 0.20, 0.30, 0.20, 0.15)
OP1_POST = (0.03, 0.09, 0.35, 0.41, 0.12)
#: Distribution of op2–op4 (unchanged by deliberation).
OP_OTHER = (0.10, 0.20, 0.35, 0.25, 0.10)


def moments(probs: Sequence[float]) -> tuple[float, float]:
    """Mean and population SD of codes 1..k with probabilities `probs`."""
    codes = np.arange(1, len(probs) + 1)
    p = np.asarray(probs)
    mean = float((codes * p).sum())
    sd = float(np.sqrt((p * (codes - mean) ** 2).sum()))
    return mean, sd
