"""Root test configuration: headless matplotlib, closed figures, doctest namespace."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pandas as pd
import pytest


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
