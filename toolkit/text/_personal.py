"""Personal data inside free text: find phone, ID-card and e-mail spans and mask them.

``tk.io.find_personal`` judges whole columns (a column of phone numbers); the texts
of submissions and minutes carry such values *inside* sentences ("联系电话
13812345678"). Until the io layer offers detection in free text, this module is the
one place where ``tk.text`` finds them: every text is normalised (NFKC) and masked
here before it is segmented, coded, shown or exported.

The patterns are deliberately broad (an 18-character ID-card number is masked even
when its check character is wrong: a mistyped number is still personal).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MASKS", "Masker"]

#: Placeholder written in place of each kind of personal value.
MASKS: dict[str, str] = {
    "id_card": "〔身份证号〕",
    "phone": "〔电话〕",
    "email": "〔邮箱〕",
    "name": "〔姓名〕",
}

_PATTERNS = {
    # 18-character numbers with a plausible birth date, and the old 15-digit numbers
    "id_card": (r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])"
                r"(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
                r"|(?<!\d)[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d)"),
    # mobile numbers (with +86, spaces or dashes) and landlines written with an area code
    "phone": (r"(?<![\d+])(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d){8}(?!\d)"
              r"|(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3}-)\s?\d{7,8}(?!\d)"),
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
}


class Masker:
    """Find personal values in a (normalised) text.

    Parameters
    ----------
    names : iterable of str, optional
        Names to mask wherever they occur (e.g. the ``name`` column of the
        participants table). Names cannot be told from other words by their
        form, so only names given here are masked.

    Examples
    --------
    >>> m = Masker(names=["张建国"])
    >>> m.mask("张建国反映：电话13812345678，邮箱zjg@example.com")
    '〔姓名〕反映：电话〔电话〕，邮箱〔邮箱〕'
    """

    def __init__(self, names: Iterable[str] | None = None) -> None:
        parts = [f"(?P<{kind}>{pattern})" for kind, pattern in _PATTERNS.items()]
        self.names = sorted({str(n).strip() for n in (names or ()) if str(n).strip()},
                            key=lambda n: (-len(n), n))
        if self.names:
            parts.append("(?P<name>" + "|".join(map(re.escape, self.names)) + ")")
        self._regex = re.compile("|".join(parts))
        # a fast test: every pattern needs a digit, an @ or one of the names
        self._quick = re.compile(r"[\d@]" + ("|" + "|".join(map(re.escape, self.names))
                                             if self.names else ""))

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, kind)`` of every personal value in `text`, in order."""
        if not self._quick.search(text):
            return []
        return [(m.start(), m.end(), m.lastgroup or "") for m in self._regex.finditer(text)]

    def mask(self, text: str) -> str:
        """`text` with every personal value replaced by its placeholder (:data:`MASKS`)."""
        if not self._quick.search(text):
            return text
        return self._regex.sub(lambda m: MASKS[m.lastgroup or "phone"], text)

    def __getstate__(self) -> dict:
        return {"names": self.names}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["names"])
