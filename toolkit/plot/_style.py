"""Figure style: a Chinese font that works everywhere, A4 sizes, a colour-blind-safe palette.

Matplotlib's default font (DejaVu Sans) has no Chinese glyphs, so Chinese labels come
out as empty boxes. :func:`style` picks the system's CJK font where there is one
(Microsoft YaHei or SimHei on Windows, PingFang or Heiti on macOS, Noto Sans CJK on
Linux) and otherwise registers the Noto Sans CJK SC font shipped inside the
``mplfonts`` package (a declared dependency). Registration is in memory only
(``fontManager.addfont``); the user's ``matplotlibrc`` is never touched.
"""

from __future__ import annotations

import importlib.resources
import sys
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Literal

import matplotlib as mpl
from cycler import cycler
from matplotlib import font_manager

__all__ = ["CATEGORICAL", "OKABE_ITO", "OTHER_COLOUR", "Style", "cjk_font", "font_family",
           "palette", "style"]

Lang = Literal["zh", "en"]

#: Okabe & Ito (2008) colour-blind-safe palette (black left out of the cycle; grey last).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#999999",  # grey
)

#: Twenty colours for up to twenty categories (界别, committees …): the eight Okabe–Ito
#: colours first, then twelve print-safe colours from Paul Tol's muted/bright palettes and
#: matplotlib's tab20/tab20b, each picked in turn as the candidate farthest (CIELAB ΔE*76)
#: from the colours already chosen and from white, mid grey and :data:`OTHER_COLOUR`.
#: Any two differ by ΔE*76 > 26 (the smallest gap is Okabe–Ito's own, sky blue to blue);
#: ``tests/plot/test_style.py`` checks it. Beyond twenty, colours stop being told apart and
#: figures fold the smallest categories into 其他 / Other.
CATEGORICAL: tuple[str, ...] = (
    *OKABE_ITO,
    "#332288", "#843C39", "#2CA02C", "#999933", "#225522", "#FFBB78",
    "#98DF8A", "#EE6677", "#9467BD", "#D62728", "#882255", "#393B79",
)

#: Colour of the 其他 / Other category and of missing values: a light grey no
#: :data:`CATEGORICAL` colour is close to.
OTHER_COLOUR = "#D9D9D9"


def palette(n: int) -> list[str]:
    """`n` distinguishable colours for categories: Okabe–Ito up to 8, :data:`CATEGORICAL` to 20.

    Parameters
    ----------
    n : int
        Number of categories, at most 20.

    Returns
    -------
    list of str
        Hex colours, the first `n` of :data:`CATEGORICAL`.

    Raises
    ------
    ArgumentError
        For more than 20 categories: fold the smallest into 其他 / Other first
        (the figures do this themselves).

    Examples
    --------
    >>> tk.plot.palette(3)
    ['#0072B2', '#E69F00', '#009E73']
    """
    if n > len(CATEGORICAL):
        from toolkit.errors import ArgumentError

        msg = (f"{n} categories cannot be told apart by colour; at most {len(CATEGORICAL)} "
               "can. Fold the smallest into 其他 / Other, or label them directly.")
        raise ArgumentError(msg)
    return list(CATEGORICAL[:max(n, 0)])


#: System CJK fonts by platform, most preferred first (Simplified Chinese forms).
_SYSTEM_FONTS: dict[str, tuple[str, ...]] = {
    "win32": ("Microsoft YaHei", "SimHei", "DengXian", "SimSun"),
    "darwin": ("PingFang SC", "Heiti SC", "Hiragino Sans GB", "STHeiti", "Songti SC"),
    "linux": ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC",
              "WenQuanYi Zen Hei", "WenQuanYi Micro Hei"),
}

#: The font file shipped inside ``mplfonts`` and the family name it registers.
PACKAGED_FONT = ("fonts", "NotoSansCJKsc-Regular.otf")
PACKAGED_FAMILY = "Noto Sans CJK SC"


def _installed_families() -> set[str]:
    return {f.name for f in font_manager.fontManager.ttflist}


def _platform_key() -> str:
    if sys.platform.startswith("win"):
        return "win32"
    if sys.platform == "darwin":
        return "darwin"
    return "linux"


def register_packaged_font() -> str:
    """Register the Noto Sans CJK SC font of ``mplfonts`` with matplotlib (in memory).

    Returns
    -------
    str
        The family name to use (``"Noto Sans CJK SC"``).

    Raises
    ------
    FileNotFoundError
        When the ``mplfonts`` package or its font file is missing.
    """
    try:
        root = importlib.resources.files("mplfonts")
    except ModuleNotFoundError as exc:
        msg = ("No Chinese font found: the system has none and the `mplfonts` package is "
               "not installed. Install it with `pip install mplfonts`.")
        raise FileNotFoundError(msg) from exc
    resource = root.joinpath(*PACKAGED_FONT)
    with importlib.resources.as_file(resource) as path:
        if not path.is_file():
            msg = f"The font file {path} of `mplfonts` is missing; reinstall `mplfonts`."
            raise FileNotFoundError(msg)
        known = {f.fname for f in font_manager.fontManager.ttflist}
        if str(path) not in known:
            font_manager.fontManager.addfont(str(path))
    return PACKAGED_FAMILY


@lru_cache(maxsize=4)
def cjk_font(*, packaged: bool = False) -> str:
    """Family name of the Chinese font the figures use.

    Parameters
    ----------
    packaged : bool, default False
        Skip the system fonts and use the font shipped with ``mplfonts``.

    Returns
    -------
    str
        A family name registered with matplotlib's font manager.

    Examples
    --------
    >>> tk.plot.cjk_font(packaged=True)
    'Noto Sans CJK SC'
    """
    if not packaged:
        installed = _installed_families()
        for name in _SYSTEM_FONTS[_platform_key()]:
            if name in installed:
                return name
    return register_packaged_font()


def font_family(lang: Lang = "zh", font: str | None = None) -> list[str]:
    """Font families, in fallback order, for text in `lang`.

    Chinese text gets the CJK font first and DejaVu Sans as a fallback for the few
    symbols CJK fonts lack; English text gets DejaVu Sans first and the CJK font
    as a fallback, so Chinese names in English figures still render.

    Examples
    --------
    >>> tk.plot.font_family("zh", font="Noto Sans CJK SC")
    ['Noto Sans CJK SC', 'DejaVu Sans']
    """
    cjk = font or cjk_font()
    if font is not None and font not in _installed_families():
        cjk = cjk_font()
    return [cjk, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", cjk]


def _rc(lang: Lang, font: str | None, base_size: float) -> dict[str, Any]:
    family = font_family(lang, font)
    small = base_size - 1
    return {
        # concrete names, not "sans-serif": text keeps its font after the style ends
        # (a generic family is only resolved when the figure is drawn)
        "font.family": family,
        "font.sans-serif": [*family, *[f for f in mpl.rcParams["font.sans-serif"]
                                       if f not in family]],
        "axes.unicode_minus": False,
        "font.size": base_size,
        "axes.titlesize": base_size + 1,
        "axes.labelsize": base_size,
        "xtick.labelsize": small,
        "ytick.labelsize": small,
        "legend.fontsize": small,
        "legend.title_fontsize": base_size,
        "legend.frameon": False,
        "figure.titlesize": base_size + 2,
        # 16 cm wide: the text width of an A4 Word page with 2.5 cm margins
        "figure.figsize": (6.3, 3.9),
        "figure.dpi": 100,
        "savefig.dpi": 300,
        "savefig.bbox": "tight",
        "savefig.pad_inches": 0.05,
        "svg.fonttype": "path",
        # SVG ids come from a hash of the content salted with a random number unless
        # a salt is set: a fixed salt makes the same figure the same file every run
        "svg.hashsalt": "toolkit",
        "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": False,
        "axes.titlelocation": "left",
        "image.cmap": "cividis",
        "lines.linewidth": 1.5,
    }


class Style:
    """A figure style that is active from the moment it is created.

    Created by :func:`style`. Used in a ``with`` block it restores the previous
    settings on exit; called without ``with`` it stays active (a global switch)
    until :meth:`restore`.

    Attributes
    ----------
    lang : {"zh", "en"}
        Language of the labels the style is meant for.
    font : str
        The Chinese font family chosen.
    rc : dict
        The matplotlib settings it applies.
    """

    def __init__(self, lang: Lang = "zh", *, font: str | None = None,
                 base_size: float = 9.0, rc: Mapping[str, Any] | None = None) -> None:
        if lang not in ("zh", "en"):
            msg = f'`lang` must be "zh" or "en", not {lang!r}.'
            raise ValueError(msg)
        self.lang = lang
        self.rc = _rc(lang, font, base_size)
        self.rc.update(rc or {})
        self.font = font_family("zh", font)[0]
        self._saved: dict[str, Any] | None = None
        self.apply()

    def apply(self) -> Style:
        """Apply the settings (again); returns the style, for chaining."""
        if self._saved is None:
            saved = dict(mpl.rcParams.copy())
            saved.pop("backend", None)
            saved.pop("interactive", None)  # Jupyter turns it on; restoring would hide figures
            self._saved = saved
        mpl.rcParams.update(self.rc)
        return self

    def restore(self) -> None:
        """Put back the settings that were active before the style was applied."""
        if self._saved is not None:
            dict.update(mpl.rcParams, self._saved)
            self._saved = None

    def __enter__(self) -> Style:
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()

    def __repr__(self) -> str:
        return f"<Style lang={self.lang!r} font={self.font!r}>"


def style(lang: Lang = "zh", *, font: str | None = None, base_size: float = 9.0,
          rc: Mapping[str, Any] | None = None) -> Style:
    """Apply the toolkit's figure style: Chinese font, A4 sizes, 300 dpi, Okabe–Ito colours.

    Calling it switches the style on for the whole session (a global switch);
    used as a context manager, it is switched off again at the end of the block
    and the previous settings come back.

    Parameters
    ----------
    lang : {"zh", "en"}, default "zh"
        Language of the labels. Chinese puts the CJK font first; English puts
        DejaVu Sans first and keeps the CJK font as a fallback.
    font : str, optional
        A font family to use instead of the automatic choice (e.g. ``"SimHei"``).
        Ignored, with the automatic choice used, when matplotlib does not know it.
    base_size : float, default 9
        Body text size in points; titles are 1 pt larger, ticks 1 pt smaller.
    rc : dict, optional
        Further matplotlib settings, applied last.

    Returns
    -------
    Style
        The active style; ``.restore()`` switches it off, ``.apply()`` on again.

    Notes
    -----
    The font is the system's CJK font where one is installed (Microsoft YaHei or
    SimHei on Windows; PingFang SC or Heiti SC on macOS; Noto Sans CJK SC on
    Linux), else the Noto Sans CJK SC file shipped in the ``mplfonts`` package,
    registered in memory with ``matplotlib.font_manager.fontManager.addfont``.
    The user's ``matplotlibrc`` is not changed. ``font.family`` is set to the
    font names themselves rather than ``"sans-serif"``, so text made inside the
    style keeps the Chinese font when the figure is drawn or saved after the
    ``with`` block has ended. Other settings:
    ``axes.unicode_minus=False`` (the CJK fonts lack U+2212), figures 16 cm wide
    (the text width of an A4 page), ``savefig.dpi=300``, and the Okabe–Ito
    colour cycle, readable with every common colour-vision deficiency;
    ``svg.hashsalt`` is fixed, so the same figure saves to the same SVG bytes
    (pass ``metadata={"Date": None}`` to ``savefig`` to leave out the date).

    References
    ----------
    Okabe, M. & Ito, K. (2008). Color Universal Design (CUD): how to make figures
    and presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/

    Examples
    --------
    As a context manager:

    >>> import matplotlib.pyplot as plt
    >>> with tk.plot.style("zh"):
    ...     fig, ax = plt.subplots()
    ...     _ = ax.set_title("协商次数")
    >>> plt.rcParams["axes.unicode_minus"]
    True

    As a global switch:

    >>> s = tk.plot.style("zh")
    >>> plt.rcParams["savefig.dpi"]
    300.0
    >>> s.restore()
    """
    return Style(lang, font=font, base_size=base_size, rc=rc)
