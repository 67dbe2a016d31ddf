"""Shared fixtures of the test suite: seeded data and the published reference data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

#: Published reference data, read in place (never copied into the project).
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """Path inside ``../shared/data``; skips the test with a reason when absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not available: {path} (expected beside the project)")
    return path


@pytest.fixture
def shared():
    """Return a function giving paths inside ``../shared/data`` (skips when absent)."""
    return shared_path


@pytest.fixture
def rng():
    """Seeded random generator."""
    return np.random.default_rng(20231108)




@pytest.fixture(scope="session")
def demo_study():
    """The bundled demo study, loaded once per test session."""
    import toolkit as tk

    return tk.datasets.load_study("demo")


#: Expected values computed by R (tests/reference/make_reference.R), committed as JSON.
REFERENCE = Path(__file__).resolve().parent / "reference"


def load_reference(area: str) -> dict:
    """The cases of ``tests/reference/<area>.json``: name → {"call", "value", "note"}.

    The JSON is written by ``Rscript tests/reference/make_reference.R <area>``;
    each case names the R call that produced its value, so a failing test can
    say which R result it disagrees with.
    """
    import json

    path = REFERENCE / f"{area}.json"
    return json.loads(path.read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="session")
def r_reference():
    """Return ``load_reference``: ``r_reference("design")["case"]["value"]``."""
    return load_reference
