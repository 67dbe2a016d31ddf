"""Seeded dispatch records (12345 hotline style) and the engines that read them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("duckdb")


def dispatch_records(n: int = 3000, seed: int = 7) -> pd.DataFrame:
    """Dispatch records: request id, date, street, community, category, department, outcome."""
    rng = np.random.default_rng(seed)
    streets = [f"街道{i:02d}" for i in range(12)]
    departments = ["城管委", "住建委", "水务局", "交通委", "市场监管局", "环保局"]
    categories = ["噪音", "供暖", "物业", "道路", "垃圾"]
    street = rng.choice(streets, n)
    date = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 180, n), unit="D")
    responded = rng.random(n) < 0.8
    days = np.where(responded, rng.integers(0, 15, n), -1)
    frame = pd.DataFrame({
        "request_id": [f"R{i:07d}" for i in range(n)],
        "date": date,
        "street": street,
        "community": [f"{s}社区{k}" for s, k in zip(street, rng.integers(0, 4, n), strict=True)],
        "category": rng.choice(categories, n),
        "department": rng.choice(departments, n),
        "responded": pd.array(responded, dtype="boolean"),
        "resolved": pd.array(responded & (rng.random(n) < 0.7), dtype="boolean"),
        "satisfaction": rng.integers(1, 6, n).astype(float),
        "days_to_response": pd.array(np.where(responded, days, -1), dtype="Int64"),
    })
    frame.loc[~responded, "days_to_response"] = pd.NA
    frame.loc[rng.random(n) < 0.05, "satisfaction"] = np.nan
    frame.loc[rng.random(n) < 0.02, "responded"] = pd.NA
    frame["response_date"] = frame["date"] + pd.to_timedelta(
        frame["days_to_response"].astype("float"), unit="D")
    frame.loc[frame["responded"].isna(), "response_date"] = pd.NaT
    frame["month"] = frame["date"].dt.strftime("%Y-%m")
    # survey-style design columns for design-based estimates
    frame["stratum"] = frame["street"].str[-2:].astype(int) % 4
    frame["cluster"] = frame["community"]
    frame["weight"] = 1.0 + rng.integers(0, 5, n) / 2
    return frame


@pytest.fixture(scope="session")
def make_records():
    """The seeded generator of dispatch records, ``make_records(n, seed)``."""
    return dispatch_records
