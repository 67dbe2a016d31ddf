"""Regenerating the demo study with the same seed reproduces the bundled files."""

from __future__ import annotations

import pytest

import toolkit as tk
from toolkit.datasets.synth import DEFAULT_SEED, write_demo


@pytest.mark.slow  # generates the whole study (about 5 s): the only way to test this
def test_same_seed_same_bytes(tmp_path):
    # Every file is byte-identical: CSV and YAML by construction; the xlsx's docProps
    # timestamps and zip entry dates and the .sav header's creation stamp are fixed.
    paths = write_demo(tmp_path / "再生成", seed=DEFAULT_SEED)
    bundled = tk.datasets.data_path("demo")
    for kind, path in paths.items():
        assert path.read_bytes() == (bundled / path.name).read_bytes(), kind


def test_other_seed_other_data():
    import numpy as np

    from toolkit.datasets.synth import _units

    a = _units(np.random.default_rng(1))
    b = _units(np.random.default_rng(2))
    assert not a.equals(b)
