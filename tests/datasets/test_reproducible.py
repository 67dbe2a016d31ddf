"""Regenerating the demo study with the same seed reproduces the bundled files.

CSV and YAML files must be byte-identical. The .xlsx is compared entry by entry
(the uncompressed XML of every part, timestamps included: the generator fixes them),
so that a different zlib build cannot fail the test; the .sav files are compared by
their data and metadata as pyreadstat reads them, so that another ReadStat version's
header cannot. With the pinned environment all files are in fact byte-identical
(the generator fixes the xlsx docProps and zip dates and the .sav creation stamp).
"""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import toolkit as tk
from toolkit.datasets.synth import DEFAULT_SEED, write_demo
from toolkit.datasets.synth.district import draw_units


def _xlsx_parts(path):
    with zipfile.ZipFile(path) as zf:
        return {info.filename: (info.date_time, zf.read(info.filename))
                for info in zf.infolist()}


def _sav(path):
    frame, meta = pyreadstat.read_sav(path, user_missing=True)
    return frame, (meta.column_names_to_labels, meta.variable_value_labels,
                   meta.missing_ranges, meta.file_label, meta.creation_time)


@pytest.mark.slow  # generates and writes the whole study (about 10 s): the only way to test it
def test_same_seed_same_files(tmp_path):
    folder = tmp_path / "再生成"
    paths = write_demo(folder, seed=DEFAULT_SEED)
    bundled = tk.datasets.data_path("demo")
    assert {p.relative_to(bundled).as_posix() for p in bundled.rglob("*.*")
            if p.name != "README.md"} == {p.relative_to(folder).as_posix() for p in paths.values()}
    for kind, path in paths.items():
        mine, theirs = path, bundled / path.relative_to(folder)
        if path.suffix == ".xlsx":
            assert _xlsx_parts(mine) == _xlsx_parts(theirs), kind
        elif path.suffix == ".sav":
            (a, meta_a), (b, meta_b) = _sav(mine), _sav(theirs)
            pd.testing.assert_frame_equal(a, b)
            assert meta_a == meta_b, kind
        else:
            assert mine.read_bytes() == theirs.read_bytes(), kind


def test_other_seed_other_data():
    a = draw_units(np.random.default_rng(1))
    b = draw_units(np.random.default_rng(2))
    assert not a.equals(b)
    pd.testing.assert_frame_equal(draw_units(np.random.default_rng(1)), a)
