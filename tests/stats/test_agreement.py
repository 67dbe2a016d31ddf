"""Coding reliability against R ``irr``, SAS PROC FREQ and Krippendorff's worked examples.

Reference values and sources:
- R ``irr`` 0.84 ``kappa2(anxiety[,2:3])``: unweighted -0.006289308 (z -0.0604067,
  p 0.9518317); ``"equal"`` 0.1459075 (z 1.282472, p 0.1996772); ``"squared"`` 0.2520325
  (z 1.437451, p 0.1505898) — printed with R in statsmodels' ``test_inter_rater.py``.
- SAS PROC FREQ for the 3x3 table ``[[0,4,1],[0,8,0],[0,1,5]]``: simple kappa 0.4842,
  ASE 0.1380, 95% CI 0.2137-0.7547, ASE under H0 0.1484, Z 3.2626, two-sided p 0.0011;
  weighted (linear) kappa 0.4701, ASE 0.1457, CI 0.1845-0.7558, ASE0 0.1426, Z 3.2971
  (same statsmodels test file).
- R ``irr`` ``kappam.fleiss(diagnoses)``: 0.4302445, z 17.65183 (same file; README 0.430).
- Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 coders x 12 units:
  nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
- Wikipedia "Krippendorff's alpha" 3 coders x 15 units: nominal 0.691, interval 0.811.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentTypeError, ColumnNotFoundError


@pytest.fixture
def anxiety(shared):
    return pd.read_csv(shared("reference", "intercoder_agreement", "irr_anxiety.csv"))


@pytest.mark.parametrize(("weights", "kappa", "z", "p"), [
    (None, -0.006289308, -0.0604067, 0.9518317),
    ("linear", 0.1459075, 1.282472, 0.1996772),
    ("quadratic", 0.2520325, 1.437451, 0.1505898),
])
def test_cohen_kappa_matches_irr(anxiety, weights, kappa, z, p):
    res = tk.stats.cohen_kappa(anxiety, coders=["rater2", "rater3"], weights=weights).iloc[0]
    assert res["kappa"] == pytest.approx(kappa, abs=5e-7)
    assert res["z"] == pytest.approx(z, abs=5e-6)
    assert res["p_value"] == pytest.approx(p, abs=5e-7)
    assert res["n"] == 20


@pytest.fixture
def sas_table(shared):
    tab = pd.read_csv(shared("reference", "intercoder_agreement", "sas_cohen_table10.csv"))
    rows = []
    for rec in tab.itertuples(index=False):
        for j, count in enumerate(rec[1:], start=1):
            rows += [(rec[0], j)] * int(count)
    return pd.DataFrame(rows, columns=["a", "b"])


@pytest.mark.parametrize(("weights", "expected"), [
    (None, (0.4842, 0.1380, 0.2137, 0.7547, 3.2626, 0.0011)),
    ("linear", (0.4701, 0.1457, 0.1845, 0.7558, 3.2971, 0.0010)),
])
def test_cohen_kappa_matches_sas(sas_table, weights, expected):
    res = tk.stats.cohen_kappa(sas_table, weights=weights).iloc[0]
    got = (res["kappa"], res["se"], res["ci_low"], res["ci_high"], res["z"], res["p_value"])
    np.testing.assert_allclose(got, expected, atol=5e-5)  # SAS prints 4 decimals


def test_fleiss_kappa_matches_irr(shared):
    dx = pd.read_csv(shared("reference", "intercoder_agreement", "irr_diagnoses.csv"))
    res = tk.stats.fleiss_kappa(dx).iloc[0]
    assert res["kappa"] == pytest.approx(0.4302445, abs=5e-8)
    assert res["z"] == pytest.approx(17.65183, abs=5e-6)
    assert res["n"] == 30
    assert res["coders"] == 6


@pytest.fixture
def kripp2011(shared):
    m = pd.read_csv(shared("reference", "intercoder_agreement",
                           "krippendorff2011_4coders_12units.csv"))
    return m.set_index("coder").T  # units as rows, coders as columns (irr layout)


@pytest.mark.parametrize(("level", "alpha"), [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797),
])
def test_krippendorff_2011_example(kripp2011, level, alpha):
    res = tk.stats.krippendorff_alpha(kripp2011, measurement=level, n_boot=200, seed=3).iloc[0]
    assert res["alpha"] == pytest.approx(alpha, abs=5e-4)  # published to 3 decimals
    assert res["n"] == 11  # unit 12 has a single value and is not pairable
    assert res["n_pairable"] == 40
    assert res["ci_low"] < res["alpha"] < res["ci_high"]


@pytest.mark.parametrize(("level", "alpha"), [("nominal", 0.691), ("interval", 0.811)])
def test_krippendorff_wikipedia_example(shared, level, alpha):
    m = pd.read_csv(shared("reference", "intercoder_agreement",
                           "krippendorff_wikipedia_3coders_15units.csv")).set_index("coder").T
    res = tk.stats.krippendorff_alpha(m, measurement=level, n_boot=0).iloc[0]
    assert res["alpha"] == pytest.approx(alpha, abs=5e-4)
    assert np.isnan(res["ci_low"])


def test_krippendorff_bootstrap_centres_on_alpha_and_is_reproducible(kripp2011):
    a = tk.stats.krippendorff_alpha(kripp2011, measurement="interval", n_boot=2000, seed=11)
    b = tk.stats.krippendorff_alpha(kripp2011, measurement="interval", n_boot=2000, seed=11)
    pd.testing.assert_frame_equal(a, b)
    # D_o resampled with D_e fixed: the bootstrap distribution is centred on alpha
    lo, hi, est = a.loc[0, "ci_low"], a.loc[0, "ci_high"], a.loc[0, "alpha"]
    assert abs((lo + hi) / 2 - est) < 0.1
    assert 0.02 < a.loc[0, "se"] < 0.2


def test_perfect_agreement_and_errors():
    codes = pd.DataFrame({"a": [1, 2, 3, 1], "b": [1, 2, 3, 1]})
    assert tk.stats.cohen_kappa(codes)["kappa"].item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="weights"):
        tk.stats.cohen_kappa(codes, weights="cubic")
    with pytest.raises(ColumnNotFoundError, match="coders"):
        tk.stats.cohen_kappa(codes, coders=["a", "c"])
    with pytest.raises(ValueError, match=r"`measurement` must be one of.*Did you mean 'nominal'"):
        tk.stats.krippendorff_alpha(codes, measurement="nominl")
    with pytest.raises(ArgumentTypeError, match="2-D"):
        tk.stats.cohen_kappa([1, 2, 3])


def test_krippendorff_old_level_spelling_still_works(kripp2011):
    new = tk.stats.krippendorff_alpha(kripp2011, measurement="ordinal", n_boot=0)
    with pytest.warns(FutureWarning, match="`level=` is deprecated.*`measurement=`"):
        old = tk.stats.krippendorff_alpha(kripp2011, level="ordinal", n_boot=0)
    pd.testing.assert_frame_equal(new, old)


def test_ordered_categorical_codes():
    cats = ["低", "中", "高"]
    df = pd.DataFrame({
        "a": pd.Categorical(["低", "中", "高", "高"], categories=cats, ordered=True),
        "b": pd.Categorical(["低", "中", "中", "高"], categories=cats, ordered=True),
    })
    num = pd.DataFrame({"a": [1, 2, 3, 3], "b": [1, 2, 2, 3]})
    for level in ("nominal", "ordinal"):
        got = tk.stats.krippendorff_alpha(df, measurement=level, n_boot=0)["alpha"].item()
        ref = tk.stats.krippendorff_alpha(num, measurement=level, n_boot=0)["alpha"].item()
        assert got == pytest.approx(ref)
    assert tk.stats.cohen_kappa(df)["kappa"].item() == pytest.approx(
        tk.stats.cohen_kappa(num)["kappa"].item())
