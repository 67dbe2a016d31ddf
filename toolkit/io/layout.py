"""Words that mark rows of a ledger that are not data, shared by the CSV and Excel readers.

Examples
--------
>>> bool(TOTAL_PATTERN.match("合计（12场）")), bool(TOTAL_PATTERN.match("合计人数"))
(True, False)
"""

from __future__ import annotations

import re

__all__ = ["TOTAL_PATTERN", "total_kind"]

#: A total row's first cell: ``合计``, ``小计`` … alone or followed by ``：``/a bracket
#: (``合计（12场）``), spaces removed.
TOTAL_PATTERN = re.compile(r"^(合计|总计|小计|累计|共计)([:：（(].*)?$")


def total_kind(text: str) -> str | None:
    """``"subtotal row: 小计"``, ``"total row: 合计"`` … for a total row's first cell, else None.

    Examples
    --------
    >>> total_kind(" 小 计 "), total_kind("合计："), total_kind("东城")
    ('subtotal row: 小计', 'total row: 合计', None)
    """
    match = TOTAL_PATTERN.match(re.sub(r"\s", "", text))
    if match is None:
        return None
    word = match.group(1)
    return f"subtotal row: {word}" if word == "小计" else f"total row: {word}"
