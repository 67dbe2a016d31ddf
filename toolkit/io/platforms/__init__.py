"""Survey-platform exports: 问卷星 (wjx) and 腾讯问卷 (Tencent).

Most Chinese surveys are collected online, and the answers arrive as the
platform's Excel or CSV export. :func:`read_survey_export` reads one into a
survey frame with a codebook; :func:`detect_platform` tells which platform
wrote a file from its headers (``tk.io.read_table`` uses it too).

- :mod:`~toolkit.io.platforms.headers` — metadata columns and question headers;
- :mod:`~toolkit.io.platforms.answers` — rating scales, fill-in text, durations;
- :mod:`~toolkit.io.platforms.layout` — columns per question, row shape, mode;
- :mod:`~toolkit.io.platforms.build` — the frame and its codebook.

Examples
--------
>>> tk.io.detect_platform(["序号", "提交答卷时间", "所用时间", "来自IP", "1、您的性别："])
'wjx'
"""

from __future__ import annotations

from toolkit.io.platforms.answers import likert_order
from toolkit.io.platforms.headers import PLATFORMS, detect_platform, parse_header
from toolkit.io.platforms.layout import MODES, SKIP_CODES
from toolkit.io.platforms.reader import read_survey_export

__all__ = [
    "MODES",
    "PLATFORMS",
    "SKIP_CODES",
    "detect_platform",
    "likert_order",
    "parse_header",
    "read_survey_export",
]
