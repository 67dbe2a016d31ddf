"""Root test configuration: headless matplotlib, closed figures, doctest namespace."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

# Property tests run the same examples on every machine: no random seed, no
# example database carried between runs, no timing deadline on slow CI workers,
# and a reproduction blob printed with any failure. Set HYPOTHESIS_PROFILE to
# the name of another registered profile to explore with random examples.
settings.register_profile(
    "ci", derandomize=True, deadline=None, database=None, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    import networkx as nx

    import toolkit as tk

    doctest_namespace.update({"tk": tk, "pd": pd, "np": np, "nx": nx})
