r"""Headers of 问卷星 and 腾讯问卷 exports: metadata columns and question headers.

Both platforms write one header row. Its first columns are metadata the
platform adds to every answer sheet (:data:`METADATA`); the others are
questions, numbered as in the questionnaire:

==========================  ===========================================  ==============
header                      what it is                                   parsed as
==========================  ===========================================  ==============
``3、您的性别：``            question 3 (问卷星)                          question 3
``Q3. 您的性别``             question 3 (腾讯问卷)                        question 3
``3.您的年龄段``             question 3                                   question 3
``7(居民议事会)``            option or row of question 7 (问卷星)         item of 7
``第7题(居民议事会)``        the same, older 问卷星 exports               item of 7
``5.1 社区议事会``           row 1 of matrix question 5 (腾讯问卷)        item 1 of 5
``25、(其他（请补充）:)``    the fill-in text of question 25's 其他       item of 25
``其他_____``                fill-in text of the question before it       other text
==========================  ===========================================  ==============

Full-width digits and punctuation (``３、``, ``（``) are accepted.

Examples
--------
>>> parse_header("3、您的性别：")
Header(raw='3、您的性别：', kind='question', number=3, item=None, text='您的性别', meta=None)
>>> parse_header("5.1 社区议事会").kind, parse_header("5.1 社区议事会").item
('item', 1)
>>> parse_header("来自IP").meta
'ip'
>>> detect_platform(["序号", "提交答卷时间", "所用时间", "来自IP", "1、您的性别："])
'wjx'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from toolkit import schema

__all__ = ["METADATA", "PLATFORMS", "Header", "Meta", "detect_platform", "is_other_label",
           "parse_header"]

#: Platform code → its name, as the record and messages give it.
PLATFORMS = {"wjx": "问卷星 (wjx)", "tencent": "腾讯问卷 (Tencent)"}


@dataclass(frozen=True)
class Meta:
    """One metadata column a platform adds to every answer sheet.

    Attributes
    ----------
    name : str
        Canonical column name (``submitted_at``, ``duration``, ``ip`` …).
    kind : {"id", "datetime", "duration", "number", "text"}
        How its values are read.
    label : str
        Chinese variable label for the codebook.
    personal : str or None
        What personal data it holds (``"ip"``, ``"device"``, ``"location"``,
        ``"account"``, ``"name"``), or None.
    spellings : tuple of str
        Headers that mean this column.
    platforms : tuple of str
        Platforms whose exports have it; a header in :data:`DISTINCTIVE` of one
        platform is evidence for that platform.
    """

    name: str
    kind: str
    label: str
    personal: str | None
    spellings: tuple[str, ...]
    platforms: tuple[str, ...] = ("wjx", "tencent")


#: Every metadata column recognised, by canonical name.
METADATA: tuple[Meta, ...] = (
    Meta("respondent_id", "id", "答卷序号", None,
         ("序号", "编号", "答卷编号", "答卷序号", "答卷ID")),
    Meta("user_id", "id", "用户标识", "account",
         ("用户ID", "用户id", "用户标识", "openid", "微信openid", "OpenID", "QQ号", "答题者ID")),
    Meta("nickname", "text", "昵称", "name", ("昵称", "微信昵称", "用户昵称", "答题者昵称")),
    Meta("started_at", "datetime", "开始答题时间", None,
         ("开始答题时间", "开始时间", "答题开始时间")),
    Meta("submitted_at", "datetime", "提交答卷时间", None,
         ("提交答卷时间", "结束答题时间", "提交时间", "结束时间", "答题结束时间", "答卷提交时间")),
    Meta("duration", "duration", "所用时间（秒）", None,
         ("所用时间", "答题时长", "答题用时", "作答时长", "填写时长", "用时")),
    Meta("source", "text", "来源", None, ("来源", "来源渠道", "渠道", "答题渠道", "投放渠道")),
    Meta("source_detail", "text", "来源详情", None, ("来源详情", "渠道详情")),
    Meta("ip", "text", "IP地址", "ip", ("来自IP", "IP", "IP地址", "答题IP", "答题者IP", "IP属地")),
    Meta("location", "text", "地理位置", "location", ("地理位置", "所在地区", "定位", "位置")),
    Meta("country", "text", "地理位置（国家）", "location", ("地理位置（国家）", "国家")),
    Meta("province", "text", "地理位置（省）", "location",
         ("地理位置（省）", "地理位置（省份）", "省份", "省")),
    Meta("city", "text", "地理位置（市）", "location",
         ("地理位置（市）", "地理位置（城市）", "城市", "市")),
    Meta("device", "text", "填写设备", "device",
         ("填写设备", "答题设备", "设备", "设备类型", "终端")),
    Meta("os", "text", "操作系统", "device", ("操作系统", "系统")),
    Meta("browser", "text", "浏览器", "device", ("浏览器", "浏览器类型")),
    Meta("user_agent", "text", "浏览器标识（UA）", "device", ("UA", "User-Agent", "UserAgent")),
    Meta("total_score", "number", "总分", None, ("总分", "得分", "测评得分")),
    Meta("status", "text", "答卷状态", None, ("答卷状态", "答题状态", "状态", "审核状态")),
    Meta("custom_field", "text", "自定义字段", None, ("自定义字段", "自定义参数", "外部参数")),
)

#: Headers that only one platform writes (evidence for :func:`detect_platform`).
DISTINCTIVE: dict[str, tuple[str, ...]] = {
    "wjx": ("提交答卷时间", "所用时间", "来自IP", "来源详情"),
    "tencent": ("开始答题时间", "结束答题时间", "答题时长", "地理位置", "地理位置（国家）",
                "地理位置（省）", "地理位置（市）"),
}

_META_BY_KEY: dict[str, Meta] = {
    schema.clean_header(s): m for m in METADATA for s in (*m.spellings, m.name)
}
_DISTINCTIVE_KEYS = {p: {schema.clean_header(h) for h in hs} for p, hs in DISTINCTIVE.items()}

_D = r"[0-9０-９]+"
_SEP = r"[、.．:：]"
_ITEM_DOT = re.compile(
    rf"^\s*(?:[QqＱｑ]\s*)?({_D})\s*[.．_]\s*({_D})(?:(?:\s+|\s*[、:：.．]\s*)(.*?))?\s*$")
_ITEM_PAREN = re.compile(rf"^\s*(?:第\s*)?({_D})\s*(?:题)?\s*(?:[、.．])?\s*[(（](.*)[)）]\s*$")
_QUESTION = re.compile(
    rf"^\s*(?:[QqＱｑ]\s*|第\s*)?({_D})\s*(?:题)?\s*{_SEP}\s*(.*?)\s*$")
_QUESTION_Q_SPACE = re.compile(rf"^\s*[QqＱｑ]\s*({_D})\s+(.+?)\s*$")
_TRAILING = re.compile(r"[\s:：]+$")
_OTHER = re.compile(r"其他|其它")
_FILL_MARK = re.compile(r"_{2,}|＿{2,}|请注明|请说明|请填写|请补充|请输入|请具体|〖\s*〗|[:：]\s*$")


@dataclass(frozen=True)
class Header:
    """What one header of an export is.

    Attributes
    ----------
    raw : str
        The header as in the file.
    kind : {"meta", "question", "item", "other", "unknown"}
        A metadata column; a question (``3、您的性别：``); an option or matrix
        row of a question (``7(居民议事会)``, ``5.1 社区议事会``); the fill-in
        text of the question before it (``其他_____``); anything else.
    number : int or None
        Question number.
    item : int or None
        Row number written in the header (``5.1`` → 1), else None.
    text : str or None
        Question text (for a question) or option/row label (for an item),
        trailing colons removed.
    meta : str or None
        Canonical metadata name (see :data:`METADATA`).
    """

    raw: str
    kind: str
    number: int | None = None
    item: int | None = None
    text: str | None = None
    meta: str | None = None


def _int(text: str) -> int:
    return int(unicodedata.normalize("NFKC", text))


def _label(text: str | None) -> str | None:
    if text is None:
        return None
    text = _TRAILING.sub("", text.strip())
    return text or None


def is_other_label(text: object) -> bool:
    """Whether an option label is a fill-in 其他 (``其他_____``, ``其他（请注明）``).

    Examples
    --------
    >>> is_other_label("其他（请注明）"), is_other_label("其他_____"), is_other_label("其他")
    (True, True, False)
    """
    text = str(text or "")
    return bool(_OTHER.search(text) and _FILL_MARK.search(text))


def meta_column(header: object) -> Meta | None:
    """The metadata column a header names, or None.

    Examples
    --------
    >>> meta_column("答题时长").name, meta_column("您的性别") is None
    ('duration', True)
    """
    return _META_BY_KEY.get(schema.clean_header(header))


def parse_header(header: object) -> Header:
    """Parse one header of an export (see the module's table of forms).

    Examples
    --------
    >>> parse_header("Q3. 您的性别")
    Header(raw='Q3. 您的性别', kind='question', number=3, item=None, text='您的性别', meta=None)
    >>> parse_header("7(居民议事会)")
    Header(raw='7(居民议事会)', kind='item', number=7, item=None, text='居民议事会', meta=None)
    >>> parse_header("其他_____").kind
    'other'
    """
    raw = "" if header is None else str(header)
    meta = meta_column(raw)
    if meta is not None:
        return Header(raw, "meta", meta=meta.name)
    hit = _ITEM_DOT.match(raw)
    if hit:
        return Header(raw, "item", _int(hit.group(1)), _int(hit.group(2)), _label(hit.group(3)))
    hit = _ITEM_PAREN.match(raw)
    if hit:
        return Header(raw, "item", _int(hit.group(1)), None, _label(hit.group(2)))
    hit = _QUESTION.match(raw) or _QUESTION_Q_SPACE.match(raw)
    if hit:
        return Header(raw, "question", _int(hit.group(1)), None, _label(hit.group(2)))
    if is_other_label(raw):
        return Header(raw, "other", text=_label(raw))
    return Header(raw, "unknown", text=raw.strip() or None)


def _headers_of(data: Any) -> list[str]:
    columns = getattr(data, "columns", None)
    items = list(columns) if columns is not None else list(data)
    return [str(h) for h in items]


def detect_platform(data: Sequence[str] | Any) -> str | None:
    """Which platform wrote an export, from its headers: ``"wjx"``, ``"tencent"`` or None.

    Each platform writes metadata columns the other does not: 问卷星
    ``提交答卷时间``, ``所用时间``, ``来源详情``, ``来自IP``; 腾讯问卷
    ``开始答题时间``, ``结束答题时间``, ``答题时长``, ``地理位置…``. The platform
    with more of its own headers wins; none, or a tie, gives None.

    Parameters
    ----------
    data : sequence of str or pandas.DataFrame
        The headers of the file (or a frame read with its headers as columns).

    Returns
    -------
    str or None
        ``"wjx"`` (问卷星), ``"tencent"`` (腾讯问卷), or None when the headers
        do not tell.

    See Also
    --------
    toolkit.io.read_survey_export : reads the export.

    Examples
    --------
    >>> tk.io.detect_platform(["序号", "提交答卷时间", "所用时间", "来源", "来自IP",
    ...                        "1、您的性别："])
    'wjx'
    >>> tk.io.detect_platform(["编号", "开始答题时间", "结束答题时间", "答题时长",
    ...                        "Q1. 您的性别"])
    'tencent'
    >>> tk.io.detect_platform(["编号", "姓名", "性别"]) is None
    True
    """
    keys = {schema.clean_header(h) for h in _headers_of(data)}
    scores = {p: len(keys & wanted) for p, wanted in _DISTINCTIVE_KEYS.items()}
    best = max(scores, key=scores.get)
    if scores[best] == 0 or list(scores.values()).count(scores[best]) > 1:
        return None
    return best


def platform_evidence(data: Sequence[str] | Any, platform: str) -> list[str]:
    """The headers that point to `platform` (for the load record)."""
    wanted = _DISTINCTIVE_KEYS[platform]
    return [h for h in _headers_of(data) if schema.clean_header(h) in wanted]
