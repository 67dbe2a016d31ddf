"""The figure style: Chinese renders without missing glyphs, settings come and go cleanly."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest

import toolkit as tk
from toolkit.plot._style import OKABE_ITO, PACKAGED_FAMILY


def _draw_chinese(path: Path) -> None:
    fig, ax = plt.subplots()
    ax.plot([-2, -1, 0, 1], [3, -1, 2, 0], label="微信群（线上）")
    ax.bar(["居民议事会", "项目听证会"], [3, 5], label="线下平台")
    ax.set_title("各平台协商次数：−1 与 -1")
    ax.set_xlabel("协商平台")
    ax.set_ylabel("次数")
    ax.legend(title="图例")
    fig.canvas.draw()
    fig.savefig(path.with_suffix(".png"))
    fig.savefig(path.with_suffix(".svg"))


@pytest.mark.parametrize("packaged", [True, False], ids=["mplfonts-font", "auto-font"])
def test_chinese_labels_render_without_missing_glyphs(tmp_path, packaged):
    font = tk.plot.cjk_font(packaged=packaged)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")
        with tk.plot.style("zh", font=font):
            _draw_chinese(tmp_path / "中文图")
    assert not [w for w in caught if "Glyph" in str(w.message)]
    assert (tmp_path / "中文图.png").stat().st_size > 1000
    assert "<svg" in (tmp_path / "中文图.svg").read_text(encoding="utf-8")[:500]


def test_figure_made_in_the_style_can_be_saved_after_it(tmp_path):
    with tk.plot.style("zh"):
        fig, ax = plt.subplots()
        ax.bar(["居民议事会", "微信群"], [1, 2])
        ax.set_title("协商次数")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(tmp_path / "after.png")


def test_without_the_style_chinese_is_reported_missing(tmp_path):
    # proves that the test above would catch empty boxes
    with mpl.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        with pytest.warns(UserWarning, match="Glyph .* missing"):
            _draw_chinese(tmp_path / "plain")


def test_packaged_font_comes_from_mplfonts():
    family = tk.plot.cjk_font(packaged=True)
    assert family == PACKAGED_FAMILY
    files = [f.fname for f in mpl.font_manager.fontManager.ttflist if f.name == family]
    assert any("mplfonts" in Path(f).parts for f in files)


def test_context_manager_restores_settings():
    before = dict(mpl.rcParams)
    with tk.plot.style("zh") as s:
        assert mpl.rcParams["axes.unicode_minus"] is False
        assert mpl.rcParams["savefig.dpi"] == 300
        assert mpl.rcParams["font.sans-serif"][0] == s.font
        assert mpl.rcParams["font.family"][0] == s.font
        colours = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
        assert colours == list(OKABE_ITO)
    after = dict(mpl.rcParams)
    assert {k: v for k, v in after.items() if k != "backend"} == {
        k: v for k, v in before.items() if k != "backend"}


def test_global_switch_stays_until_restored():
    before = mpl.rcParams["savefig.dpi"]
    s = tk.plot.style("en")
    try:
        assert mpl.rcParams["savefig.dpi"] == 300
        assert mpl.rcParams["font.sans-serif"][0] == "DejaVu Sans"  # Latin first in English
        mpl.rcParams["savefig.dpi"] = 72
        s.apply()
        assert mpl.rcParams["savefig.dpi"] == 300
    finally:
        s.restore()
    assert mpl.rcParams["savefig.dpi"] == before


def test_user_matplotlibrc_is_not_written():
    rc = Path(mpl.get_configdir()) / "matplotlibrc"
    existed = rc.exists()
    content = rc.read_text(encoding="utf-8") if existed else None
    with tk.plot.style("zh", font=tk.plot.cjk_font(packaged=True)):
        pass
    assert rc.exists() == existed
    if existed:
        assert rc.read_text(encoding="utf-8") == content


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="`lang`"):
        tk.plot.style("fr")


def test_style_leaves_interactive_mode_as_jupyter_set_it():
    """Jupyter's inline backend switches ``interactive`` on after the style saved rcParams;
    ending the style must not switch it off again, or figures stop being displayed."""
    before = mpl.rcParams["interactive"]
    try:
        with tk.plot.style("zh"):
            mpl.rcParams["interactive"] = True
        assert mpl.rcParams["interactive"] is True
    finally:
        mpl.rcParams["interactive"] = before
