"""Fixtures of the text tests: a small corpus of submissions written for the tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def corpus() -> pd.DataFrame:
    """48 submissions of four towns, 2022–2023, with the office's category (human codes).

    Written for these tests in the genre of 提案 and 社情民意信息: housing, traffic,
    environment, care, services, governance, economy and other matters; T004 repeats
    T001 a year later with one clause added, T011 repeats T008; T047 holds a name and a
    phone number; T048 has no text.
    """
    frame = pd.read_csv(DATA / "corpus.csv", dtype={"year": "int64"})
    frame["adopted"] = frame["adopted"].map({"是": True, "否": False})
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


@pytest.fixture(scope="session")
def gold() -> list[list[str]]:
    """The hand-segmented reference sentences (one list of words per sentence)."""
    lines = (DATA / "gold_segmentation.txt").read_text(encoding="utf-8").splitlines()
    return [line.split() for line in lines if line.strip() and not line.startswith("#")]
