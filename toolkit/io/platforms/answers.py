r"""Answer values of survey exports: Likert scales, fill-in text, durations, option order.

- :func:`likert_order` tells whether option texts form a rating scale
  (``非常不满意 … 非常满意``, ``很差 … 很好``, ``从不 … 总是``) and orders them;
- :func:`split_fill` separates the fill-in text of an option (``其他〖在小区群里〗``);
- :func:`parse_duration` reads ``125秒``, ``2分5秒``, ``00:02:05`` as seconds;
- :func:`option_order` recovers the questionnaire's order of options from
  answers joined in that order (``居民议事会┋微信群``).

Examples
--------
>>> likert_order(["满意", "非常不满意", "一般", "非常满意", "不满意"])
['非常不满意', '不满意', '一般', '满意', '非常满意']
>>> split_fill("其他〖在小区群里〗")
('其他', '在小区群里')
>>> parse_duration("2分5秒")
125.0
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence

__all__ = ["NON_SUBSTANTIVE", "likert_order", "option_order", "parse_duration", "split_fill"]

#: Middle points of a rating scale.
_NEUTRAL = frozenset({
    "一般", "中立", "说不清", "不确定", "中等", "无所谓", "还行", "一般般", "不好说", "说不好",
    "介于两者之间", "普通", "尚可", "居中", "中间",
})
#: Answers that are not on the scale ("don't know", "refuse"): declare them missing.
NON_SUBSTANTIVE = frozenset({
    "不知道", "不清楚", "说不清楚", "无法回答", "无法判断", "不适用", "拒答", "拒绝回答",
    "不了解情况", "没听说过",
})
_STRONG = ("非常地", "非常", "十分", "特别", "极其", "极为", "相当", "完全", "很", "极", "最")
_MILD = ("比较", "较为", "较", "基本上", "基本", "还算", "有点", "有些", "稍微", "略微", "略")
_NEG_MILD = ("不是特别", "不是很", "不怎么", "不太", "不大", "不很", "没那么", "没有那么")
_NEG = ("没有", "不", "没", "未")
_ANTONYMS = {"差": "好", "低": "高", "弱": "强", "少": "多", "坏": "好", "慢": "快"}
_FREQUENCY = {
    "从不": 0, "从来没有": 0, "从未": 0, "从没有": 0, "从没": 0,
    "几乎不": 1, "很少": 1, "极少": 1,
    "偶尔": 2,
    "有时": 3, "有时候": 3,
    "经常": 4, "常常": 4, "较多": 4,
    "总是": 5, "每次都": 5, "一直": 5, "几乎总是": 5,
}
_POINTS = re.compile(r"^\s*(\d+)\s*分?\s*$")
#: No rating scale has more options than this (0–10 has 11).
_MAX_POINTS = 11


def _strip_prefix(text: str, prefixes: Sequence[str]) -> tuple[str | None, str]:
    for p in prefixes:
        if text.startswith(p) and len(text) > len(p):
            return p, text[len(p):]
    return None, text


def _score(label: str) -> tuple[str | None, int] | None:
    """(core word, position) of one scale label; None when it is not one."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(label)))
    text = text.rstrip("。.!！")
    if text in _NEUTRAL:
        return None, 0
    if text in NON_SUBSTANTIVE:
        return None
    strong, rest = _strip_prefix(text, _STRONG)
    mild = None
    if strong is None:
        mild, rest = _strip_prefix(text, _MILD)
    neg_mild, rest2 = _strip_prefix(rest, _NEG_MILD)
    if neg_mild is not None:
        score, rest = -1, rest2
    else:
        neg, rest2 = _strip_prefix(rest, _NEG)
        if neg is not None:
            rest = rest2
            score = -3 if strong else -1 if mild else -2
        else:
            score = 3 if strong else 1 if mild else 2
    core = rest
    if not core or len(core) > 4 or re.search(r"[不没未\d]", core):
        return None
    if core in _ANTONYMS:
        core, score = _ANTONYMS[core], -score
    return core, score


def likert_order(values: Iterable[object]) -> list[str] | None:
    """The options of a rating scale from lowest to highest, or None.

    Recognised scales have one core word with degrees (``非常不满意``,
    ``不太满意``, ``不满意``, ``一般``, ``比较满意``, ``满意``, ``非常满意``; the same
    with 同意, 重要, 了解, 信任, 符合 …), an antonym pair (``很差`` … ``很好``),
    frequencies (``从不``, ``很少``, ``偶尔``, ``有时``, ``经常``, ``总是``) or
    points (``1分`` … ``5分``). At least three distinct options are needed, and
    every one must sit on the scale: an answer such as ``不知道`` is not on it
    (declare it a missing code). A scale has at most 11 options.

    Parameters
    ----------
    values : iterable
        Option texts (repeats and missing values are ignored).

    Returns
    -------
    list of str or None
        The distinct options, lowest first; None when they are not one scale.

    Examples
    --------
    >>> likert_order(["比较满意", "很不满意", "一般", "很满意", "不太满意"])
    ['很不满意', '不太满意', '一般', '比较满意', '很满意']
    >>> likert_order(["较好", "很差", "一般"])
    ['很差', '一般', '较好']
    >>> likert_order(["满意", "一般", "不知道"]) is None
    True
    >>> likert_order(["男", "女"]) is None
    True
    """
    labels = list(dict.fromkeys(
        str(v) for v in values if not (v is None or (isinstance(v, float) and math.isnan(v)))))
    if not 3 <= len(labels) <= _MAX_POINTS:
        return None
    folded = [re.sub(r"\s+", "", unicodedata.normalize("NFKC", t)) for t in labels]
    if all(f in _FREQUENCY for f in folded):
        ranks = [_FREQUENCY[f] for f in folded]
    elif all(_POINTS.match(f) for f in folded):
        ranks = [int(_POINTS.match(f).group(1)) for f in folded]  # type: ignore[union-attr]
    else:
        scored = [_score(t) for t in labels]
        if any(s is None for s in scored):
            return None
        cores = {s[0] for s in scored if s is not None and s[0] is not None}
        if len(cores) != 1:
            return None
        ranks = [s[1] for s in scored if s is not None]
    if len(set(ranks)) != len(ranks):
        return None
    return [label for _, label in sorted(zip(ranks, labels, strict=True))]


_FILL = re.compile(r"^(.*?)\s*〖(.*)〗\s*$", re.S)


def split_fill(value: str) -> tuple[str, str | None]:
    """An answer and the text filled in beside it: ``其他〖…〗`` → ``("其他", "…")``.

    Examples
    --------
    >>> split_fill("居民议事会")
    ('居民议事会', None)
    >>> split_fill("4〖网格员上门〗")
    ('4', '网格员上门')
    """
    hit = _FILL.match(value)
    if not hit:
        return value, None
    return hit.group(1), hit.group(2).strip() or None


_HMS = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$")
_UNITS = re.compile(
    r"^(?:(\d+(?:\.\d+)?)\s*(?:天|d))?\s*(?:(\d+(?:\.\d+)?)\s*(?:小时|时|h))?\s*"
    r"(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|min|m))?\s*(?:(\d+(?:\.\d+)?)\s*(?:秒钟|秒|s))?$",
    re.I)


def parse_duration(value: object) -> float | None:
    """Seconds in a duration as the platforms write it; None when it is not one.

    Accepts ``125秒``, ``2分5秒``, ``1小时2分``, ``00:02:05``, ``2:05`` and plain
    numbers (seconds).

    Examples
    --------
    >>> parse_duration("125秒"), parse_duration("1小时2分3秒"), parse_duration("00:02:05")
    (125.0, 3723.0, 125.0)
    >>> parse_duration(90), parse_duration("很快") is None
    (90.0, True)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    hit = _HMS.match(text)
    if hit:
        h_or_m, m_or_s, s = hit.groups()
        if s is None:
            return float(h_or_m) * 60 + float(m_or_s)
        return float(h_or_m) * 3600 + float(m_or_s) * 60 + float(s)
    hit = _UNITS.match(text)
    if hit and any(hit.groups()):
        d, h, m, s = (float(g) if g else 0.0 for g in hit.groups())
        return d * 86400 + h * 3600 + m * 60 + s
    return None


def option_order(answers: Iterable[Sequence[str]]) -> list[str]:
    """Options in the order the answers list them (ties: first seen first).

    Platforms write the options chosen in a multiple-choice answer in the
    questionnaire's order, so the options that anyone chose can be put back in
    that order by merging the answers (a topological sort of "A came before B").

    Examples
    --------
    >>> option_order([["微信群"], ["居民议事会", "微信群"], ["居民议事会", "其他"]])
    ['居民议事会', '微信群', '其他']
    """
    first: dict[str, int] = {}
    after: dict[str, set[str]] = {}
    for answer in answers:
        for i, option in enumerate(answer):
            first.setdefault(option, len(first))
            after.setdefault(option, set())
            for earlier in answer[:i]:
                if earlier != option:
                    after[option].add(earlier)
    order: list[str] = []
    remaining = dict(after)
    while remaining:
        ready = [o for o, before in remaining.items() if not (before & remaining.keys())]
        if not ready:  # answers disagree on the order: fall back to first seen
            ready = list(remaining)
        pick = min(ready, key=first.__getitem__)
        order.append(pick)
        del remaining[pick]
    return order
