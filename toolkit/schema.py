"""Canonical tables, columns and vocabularies of a consultation study.

One place holds what every other module agrees on: the tables of a study (units,
participants, sessions, attendance, submissions, survey responses and the optional
member-activity ledger ``activities``), their columns with types and whether they are
required, the controlled vocabularies (platform kinds, participant types, stages, roles,
channels, activity kinds and outcomes …) with Chinese and English labels, and the header
aliases that real office files use.

Texts are optional columns: ``body`` (the minutes of a session, the text of a submission
or of an activity such as a proposal), ``category`` (the office's own coding of a
submission or activity, kept as written) and ``title`` (of an activity; a submission's
title is its ``topic``, header 标题). Texts may hold names and phone numbers.

The ``activities`` table (委员履职记录) holds one row per thing a member did for the
performance assessment: ``member_id``, ``date``, ``kind`` (vocabulary
``activity_kind``: 全会出席, 常委会出席, 提案（领衔）, 提案（联名）, 社情民意信息, 大会发言,
视察调研, 联系群众, 委员工作室接待, 培训), ``count`` (times, default one), ``outcome``
(vocabulary ``activity_outcome``: 出席/请假/缺席 for meetings, 未立案/立案/采纳 for
proposals, 采纳/未采用 for opinion information and speeches). A proposal, opinion piece
or speech that is also a row of ``submissions`` carries its ``submission_id`` instead of
repeating its text.

Values of a vocabulary column are stored as the Chinese term (what offices write,
e.g. ``居民议事会``); :func:`label` gives the English label for English output.
Canonical column names are English snake_case.

Examples
--------
>>> from toolkit import schema
>>> schema.VOCABULARIES["platform"].normalise("Residents' council")
'居民议事会'
>>> schema.label("platform", "居民议事会", lang="en")
"Residents' council"
>>> schema.canonical_column("活动编号", table="sessions")
'session_id'
>>> schema.TABLES["attendance"].required
('session_id', 'participant_id')
>>> schema.canonical_column("履职类型", table="activities")
'kind'
>>> schema.VOCABULARIES["activity_kind"].normalise("联名提案")
'提案（联名）'
>>> schema.label("activity_kind", "视察调研", lang="en")
'Inspection or research visit'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ANSWER_WORDS",
    "MEMBER_TYPES",
    "NO_WORDS",
    "TABLES",
    "TABLE_NAMES",
    "UNITS",
    "UNIT_WORDS",
    "VOCABULARIES",
    "YES_WORDS",
    "Column",
    "Table",
    "Term",
    "Vocabulary",
    "canonical_column",
    "clean_header",
    "codebook_english",
    "column_label",
    "english_name",
    "english_text",
    "has_chinese",
    "label",
    "labels",
    "model_term_label",
    "term_label",
    "term_levels",
    "value_labels",
    "vocabulary_of",
    "yes_no",
]

Lang = Literal["zh", "en"]
DType = Literal["string", "int", "float", "date", "bool", "category", "ordered"]


# ---------------------------------------------------------------------------
# Yes/no answers
# ---------------------------------------------------------------------------

#: Spellings read as True in a yes/no column (after NFKC, stripped, lower case).
YES_WORDS: frozenset[str] = frozenset(
    {"是", "有", "√", "✓", "✔", "☑", "y", "yes", "true", "t", "1", "已", "对", "是的", "有的",
     "已落实"}
)
#: Spellings read as False in a yes/no column (after NFKC, stripped, lower case).
NO_WORDS: frozenset[str] = frozenset(
    {"否", "无", "×", "✗", "✘", "☒", "n", "no", "false", "f", "0", "未", "错", "没有",
     "不是", "非", "未落实"}
)


def yes_no(value: object) -> bool | None:
    """The boolean a yes/no answer stands for; None for a blank cell.

    Booleans are themselves, the numbers 0 and 1 are False and True, and text
    is matched against :data:`YES_WORDS` / :data:`NO_WORDS` after NFKC folding
    (full-width → half-width), stripping and lower-casing. This is the one
    reading of yes/no answers: ``tk.io`` (reading tables), ``tk.stats``
    (process measures) and the large-data engines all use it.

    Raises
    ------
    ValueError
        For any other value (a number other than 0/1, an unknown word); the
        callers turn it into a message naming the table, column and rows.

    Examples
    --------
    >>> [yes_no(v) for v in ["是", "无", "√", "ＹＥＳ", " 已落实 ", 0, 1.0, True, None, ""]]
    [True, False, True, True, True, False, True, True, None, None]
    >>> yes_no("待定")
    Traceback (most recent call last):
    ...
    ValueError: '待定' is not a yes/no answer
    """
    if value is None or value is True or value is False:
        return value  # type: ignore[return-value]
    if type(value).__name__ in ("bool_", "bool"):
        return bool(value)
    if isinstance(value, str):
        folded = unicodedata.normalize("NFKC", value).strip().lower()
        if not folded:
            return None
        if folded in YES_WORDS:
            return True
        if folded in NO_WORDS:
            return False
        msg = f"{value!r} is not a yes/no answer"
        raise ValueError(msg)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = None
    if number is not None:
        if number != number:  # NaN, pd.NA-like floats
            return None
        if number in (0.0, 1.0):
            return number == 1.0
    elif str(value) in ("<NA>", "NaT"):
        return None
    msg = f"{value!r} is not a yes/no answer"
    raise ValueError(msg)


# ---------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------


def _key(text: object) -> str:
    """Fold a value for matching: NFKC (full-width → half-width), no spaces, lower case."""
    folded = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"[\s_\-·•“”\"'‘’()（）]+", "", folded).lower()


@dataclass(frozen=True)
class Term:
    """One term of a vocabulary.

    Parameters
    ----------
    zh : str
        The Chinese term, which is the stored value.
    en : str
        The English label.
    code : str
        A short ASCII code (stable identifier, also accepted on input).
    aliases : tuple of str
        Other spellings accepted on input (abbreviations, older names).
    group : str, optional
        A grouping, e.g. ``"offline"`` / ``"online"`` for platforms or
        ``"four_party"`` for participant types.
    """

    zh: str
    en: str
    code: str
    aliases: tuple[str, ...] = ()
    group: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """A controlled vocabulary with Chinese and English labels.

    Parameters
    ----------
    name : str
        Name of the vocabulary (``"platform"``, ``"stage"`` …).
    zh, en : str
        Its name in Chinese and English, for axis titles and headers.
    terms : tuple of Term
        The terms, in their natural order (the order of a process for stages).
    ordered : bool
        Whether the order is meaningful (stages, Likert points).

    Examples
    --------
    >>> v = VOCABULARIES["role"]
    >>> v.normalise(" 宣传员 ")
    '宣传员'
    >>> v.normalise("publicist")
    '宣传员'
    >>> v.normalise("宣传人员") is None
    True
    >>> v.suggest("宣传人员")
    '宣传员'
    """

    name: str
    zh: str
    en: str
    terms: tuple[Term, ...]
    ordered: bool = False
    _lookup: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for term in self.terms:
            for spelling in (term.zh, term.en, term.code, *term.aliases):
                self._lookup.setdefault(_key(spelling), term.zh)

    @property
    def categories(self) -> list[str]:
        """The stored values (Chinese terms) in vocabulary order."""
        return [t.zh for t in self.terms]

    def normalise(self, value: object) -> str | None:
        """Return the stored term for `value`, or None when it is not a known spelling."""
        return self._lookup.get(_key(value))

    def suggest(self, value: object) -> str | None:
        """Return the closest known term to an unknown `value`, or None if nothing is close."""
        keys = list(self._lookup)
        match = difflib.get_close_matches(_key(value), keys, n=1, cutoff=0.6)
        return self._lookup[match[0]] if match else None

    def label(self, value: object, lang: Lang = "zh") -> str:
        """Label of a stored value in `lang`; unknown values are returned as given."""
        term = self.term(value)
        if term is None:
            return str(value)
        return term.zh if lang == "zh" else term.en

    def term(self, value: object) -> Term | None:
        """The :class:`Term` for a value in any accepted spelling, or None."""
        zh = self.normalise(value)
        return next((t for t in self.terms if t.zh == zh), None)

    def group_of(self, value: object) -> str | None:
        """The group of a value (e.g. ``"online"`` for a platform), or None."""
        term = self.term(value)
        return term.group if term else None


def _vocab(
    name: str,
    zh: str,
    en: str,
    rows: Iterable[tuple],
    *,
    ordered: bool = False,
) -> Vocabulary:
    terms = []
    for row in rows:
        zh_term, en_term, code, *rest = row
        aliases = tuple(rest[0]) if rest else ()
        group = rest[1] if len(rest) > 1 else None
        terms.append(Term(zh_term, en_term, code, aliases, group))
    return Vocabulary(name, zh, en, tuple(terms), ordered)


_PLATFORMS = [
    # offline platforms
    ("“两代表一委员”工作室", "Studio of two deputies and one member", "studio",
     ["两代表一委员工作室", "委员工作室", "代表委员工作室", "两代表一委员"], "offline"),
    ("居民议事会", "Residents' council", "residents_council",
     ["议事会", "村民议事会", "居民议事"], "offline"),
    ("项目听证会", "Project hearing", "project_hearing", ["听证会"], "offline"),
    ("社区恳谈会", "Community dialogue", "community_dialogue", ["恳谈会"], "offline"),
    ("民主对话会", "Democratic dialogue", "democratic_dialogue", ["对话会"], "offline"),
    ("实施方案协调会", "Implementation-plan coordination meeting", "plan_coordination",
     ["方案协调会", "协调会"], "offline"),
    ("实施效果评议会", "Implementation-evaluation meeting", "evaluation_meeting",
     ["效果评议会", "评议会"], "offline"),
    ("四方交流平台", "Four-party platform", "four_party_platform",
     ["四方平台", "四方交流会"], "offline"),
    ("协商议事室", "Consultation room", "consultation_room",
     ["议事室", "协商室"], "offline"),
    ("委员联络站", "Member liaison station", "liaison_station",
     ["联络站", "政协委员联络站"], "offline"),
    # online channels
    ("微信群", "WeChat group", "wechat_group", ["微信", "wechat"], "online"),
    ("小区云论坛", "Community cloud forum", "cloud_forum", ["云论坛", "社区云论坛"], "online"),
    ("在线表单", "Online form", "online_form", ["网络表单", "问卷表单"], "online"),
    ("邮件反馈", "Email feedback", "email", ["电子邮件", "邮件", "e-mail"], "online"),
    ("客服热线", "Service hotline", "hotline", ["热线", "服务热线"], "online"),
    ("居民投票小程序", "Resident voting mini-program", "voting_app",
     ["投票小程序", "小程序"], "online"),
    ("网络议政平台", "Online consultation platform", "online_platform",
     ["网上议政平台", "网络协商平台", "秦商量", "Polis"], "online"),
]

_PARTICIPANT_TYPES = [
    # the four parties of the four-party platform
    ("政府部门", "Government department", "government",
     ["政府部门代表", "部门", "机关干部", "official"], "four_party"),
    ("专家", "Expert", "expert", ["专家学者", "专业人士"], "four_party"),
    ("居民代表", "Resident representative", "resident_rep",
     ["居民", "村民代表", "resident representative"], "four_party"),
    ("辖区单位代表", "Unit representative", "unit_rep",
     ["单位代表", "辖区单位"], "four_party"),
    # deputies and members
    ("政协委员", "CPPCC member", "cppcc_member", ["委员", "政协", "CPPCC"], "deputy_member"),
    ("人大代表", "NPC deputy", "npc_deputy", ["代表", "人大"], "deputy_member"),
    # the others named in the articles
    ("群团组织", "Mass organisation", "mass_org", ["群团"], "other"),
    ("社会组织", "Social organisation", "social_org", ["社团", "NGO"], "other"),
    ("经营主体", "Business entity", "business", ["企业", "商户", "市场主体"], "other"),
    ("新社会阶层", "New social strata", "new_strata", ["新阶层"], "other"),
    ("社会工作者", "Social worker", "social_worker", ["社工"], "other"),
    ("志愿者", "Volunteer", "volunteer", ["义工"], "other"),
    ("专业技术人员", "Technical expert", "technician", ["技术人员"], "other"),
    ("第三方机构", "Third-party agency", "third_party", ["第三方"], "other"),
    ("特邀信息员", "Special informant", "informant", ["信息员"], "other"),
]

_STAGES = [
    ("议题征集", "Topic collection", "collection", ["征集议题", "征集"]),
    ("议题筛选", "Screening", "screening", ["筛选"]),
    ("议题确定", "Determination", "determination", ["确定议题", "确定"]),
    ("议事协商", "Consultation", "consultation", ["协商", "协商议事"]),
    ("结果公示", "Publication of result", "publication", ["协商结果公示", "公示"]),
    ("组织实施", "Implementation", "implementation", ["实施", "落实"]),
]

_ROLES = [
    ("宣传员", "Publicist", "publicist", ["宣传"], "member_role"),
    ("调查员", "Investigator", "investigator", ["调查"], "member_role"),
    ("联络员", "Liaison", "liaison", ["联络"], "member_role"),
    ("促进员", "Promoter", "promoter", ["促进"], "member_role"),
    ("主持人", "Chair", "chair", ["主持"], "other"),
    ("发言人", "Speaker", "speaker", ["发言", "发言者"], "other"),
    ("列席", "Observer", "observer", ["旁听", "观察员"], "other"),
    ("参与者", "Participant", "participant", ["参加", "参会"], "other"),
]

_CHANNELS = [
    ("提案", "Proposal", "proposal", ["政协提案"]),
    ("社情民意信息", "Opinion information", "opinion_info", ["社情民意", "信息"]),
    ("大会发言", "Conference speech", "speech", ["发言材料"]),
]

_GATES = [
    ("政治关", "Political gate", "political", ["政治"]),
    ("事实关", "Facts gate", "facts", ["事实"]),
    ("选题关", "Topic gate", "topic", ["选题"]),
    ("内容关", "Content gate", "content", ["内容"]),
    ("文字关", "Writing gate", "writing", ["文字"]),
]

_ESCALATIONS = [
    ("居民会议", "Residents' meeting", "residents_meeting", ["村民会议"]),
    ("居民代表会议", "Residents' representatives meeting", "representatives_meeting",
     ["村民代表会议"]),
    ("业主大会", "Owners' assembly", "owners_assembly", ["业主委员会"]),
]

_UNIT_LEVELS = [
    ("省", "Province", "province", ["省级"]),
    ("市", "City", "city", ["市级", "地级市"]),
    ("区县", "District/county", "district", ["区", "县", "区级", "县级", "县区"]),
    ("镇街", "Town/street", "town", ["镇", "街道", "乡镇", "乡", "镇/街道", "乡镇街道"]),
    ("村社区", "Village/community", "community", ["村", "社区", "村/社区", "居委会"]),
    ("委员联络站", "Member liaison station", "station", ["联络站"]),
]

_TOPIC_CATEGORIES = [
    ("住房与小区", "Housing and estates", "housing",
     ["加装电梯", "老旧小区改造", "物业", "物业收费"]),
    ("交通与停车", "Traffic and parking", "traffic", ["停车", "交通"]),
    ("环境卫生", "Environment and sanitation", "environment", ["垃圾分类", "环境"]),
    ("养老与托育", "Elderly care and childcare", "care", ["养老", "养老食堂", "托育"]),
    ("公共服务", "Public services", "services", ["教育", "医疗"]),
    ("社会治理", "Social governance", "governance", ["治安", "矛盾调解"]),
    ("经济发展", "Economic development", "economy", ["营商环境", "就业"]),
    ("其他", "Other", "other", []),
]

_GENDER = [
    ("男", "Male", "male", ["m", "男性"]),
    ("女", "Female", "female", ["f", "女性"]),
]

_AGE_BANDS = [
    ("18-29岁", "18-29", "18_29", ["18-29", "18～29岁", "30岁以下"]),
    ("30-44岁", "30-44", "30_44", ["30-44"]),
    ("45-59岁", "45-59", "45_59", ["45-59"]),
    ("60岁及以上", "60+", "60_plus", ["60+", "60岁以上", "60及以上"]),
]

_WAVES = [
    ("前测", "Before", "pre", ["协商前", "前", "before", "t0"]),
    ("后测", "After", "post", ["协商后", "后", "after", "t1"]),
]

_COMMITTEES = [
    ("提案委员会", "Proposals committee", "proposals", ["提案委"]),
    ("经济委员会", "Economic committee", "economic", ["经济委", "经济科技委员会"]),
    ("社会和法制委员会", "Social and legal affairs committee", "social_legal",
     ["社法委", "社会法制委员会"]),
    ("文化文史和学习委员会", "Culture, history and study committee", "culture",
     ["文史委", "文化文史委员会", "学习委"]),
    ("农业农村委员会", "Agriculture and rural affairs committee", "agriculture",
     ["农业委", "农村委"]),
    ("办公室", "General office", "office", ["政协办公室"]),
]

_SECTORS = [
    ("中国共产党", "Communist Party of China", "cpc", ["中共"]),
    ("民主党派", "Democratic parties", "democratic_parties", ["民革", "民盟", "民建", "民进"]),
    ("无党派人士", "Non-party personages", "non_party", ["无党派"]),
    ("共青团", "Communist Youth League", "youth_league", ["团委"]),
    ("工会", "Trade unions", "trade_union", []),
    ("妇联", "Women's federation", "womens_federation", []),
    ("工商联", "Federation of industry and commerce", "business_federation", []),
    ("科技界", "Science and technology", "science", ["科协", "科学技术界"]),
    ("教育界", "Education", "education", []),
    ("文化艺术界", "Culture and arts", "culture_arts", ["文艺界"]),
    ("医药卫生界", "Medicine and health", "health", ["医卫界"]),
    ("经济界", "Economy", "economy", []),
    ("农业界", "Agriculture", "agriculture", []),
    ("社会福利和社会保障界", "Social welfare", "welfare", ["社会福利界"]),
    ("少数民族界", "Ethnic minorities", "ethnic", ["民族界"]),
    ("宗教界", "Religion", "religion", []),
    ("特邀人士", "Specially invited", "invited", ["特邀"]),
]

_INSTRUCTION_LEVELS = [
    ("区县领导", "District leader", "district", ["区领导", "县领导"]),
    ("市领导", "City leader", "city", []),
    ("省领导", "Provincial leader", "province", []),
]

# Member activities (履职): what a member's performance assessment counts. Proposals, opinion
# information and speeches that are also rows of `submissions` are linked by submission_id.
_ACTIVITY_KINDS = [
    ("全会出席", "Plenary session attendance", "plenary",
     ["出席全会", "全会", "全体会议", "政协全会", "出席全体会议", "全会出勤"], "meeting"),
    ("常委会出席", "Standing committee attendance", "standing_committee",
     ["出席常委会", "常委会", "常委会议", "常委会会议", "常委会出勤"], "meeting"),
    ("提案（领衔）", "Proposal (lead author)", "proposal_lead",
     ["领衔提案", "提案领衔", "个人提案", "提交提案", "提案"], "proposal"),
    ("提案（联名）", "Proposal (co-signed)", "proposal_cosigned",
     ["联名提案", "提案联名", "附议提案", "附议", "联名"], "proposal"),
    ("社情民意信息", "Opinion information", "opinion_info",
     ["社情民意", "反映社情民意", "报送社情民意信息"], "submission"),
    ("大会发言", "Conference speech", "speech", ["会议发言", "大会发言材料"], "submission"),
    ("视察调研", "Inspection or research visit", "inspection",
     ["视察", "调研", "专题调研", "视察考察", "考察调研", "专题视察"], "field"),
    ("联系群众", "Contact with the public", "public_contact",
     ["联系界别群众", "联系服务群众", "走访群众", "走访"], "field"),
    ("委员工作室接待", "Studio reception", "studio_reception",
     ["工作室接待", "委员工作室", "接待群众", "接待来访"], "field"),
    ("培训", "Training", "training",
     ["学习培训", "履职培训", "参加培训", "岗前培训", "专题讲座"], "training"),
]

_ACTIVITY_OUTCOMES = [
    ("出席", "Attended", "attended", ["已出席", "到会", "出勤", "参加"], "meeting"),
    ("请假", "Excused absence", "excused", ["因事请假", "因病请假", "请假未出席"], "meeting"),
    ("缺席", "Absent", "absent", ["未出席", "无故缺席", "未到会"], "meeting"),
    ("未立案", "Not filed", "not_filed", ["不予立案", "不立案", "未予立案"], "proposal"),
    ("立案", "Filed", "filed", ["已立案", "予以立案", "立案办理"], "proposal"),
    ("采纳", "Adopted", "adopted",
     ["已采纳", "采用", "已采用", "被采用", "被采纳", "采纳落实"], "proposal"),
    ("未采用", "Not adopted", "not_adopted", ["未采纳", "不予采用", "未被采用"], "submission"),
]

# Gould-Fernandez brokerage roles of tk.net.brokerage (a broker B between A and C).
_BROKERAGE_ROLES = [
    ("协调者", "Coordinator", "coordinator", ["内部协调者"]),
    ("顾问者", "Itinerant broker", "itinerant", ["巡回经纪人", "顾问"]),
    ("代表者", "Representative", "representative", ["代表人"]),
    ("守门人", "Gatekeeper", "gatekeeper", []),
    ("联络者", "Liaison", "liaison", ["联络人"]),
    ("合计", "Total", "total", []),
]

VOCABULARIES: dict[str, Vocabulary] = {
    v.name: v
    for v in (
        _vocab("platform", "协商平台", "Platform", _PLATFORMS),
        _vocab("participant_type", "参与者类型", "Participant type", _PARTICIPANT_TYPES),
        _vocab("stage", "协商阶段", "Stage", _STAGES, ordered=True),
        _vocab("role", "角色", "Role", _ROLES),
        _vocab("channel", "报送渠道", "Channel", _CHANNELS),
        _vocab("gate", "审核关口", "Gate reached", _GATES, ordered=True),
        _vocab("escalation", "提交会议", "Escalated to", _ESCALATIONS),
        _vocab("unit_level", "层级", "Level", _UNIT_LEVELS),
        _vocab("topic_category", "议题类别", "Topic category", _TOPIC_CATEGORIES),
        _vocab("gender", "性别", "Gender", _GENDER),
        _vocab("age_band", "年龄段", "Age band", _AGE_BANDS, ordered=True),
        _vocab("wave", "测量波次", "Wave", _WAVES, ordered=True),
        _vocab("committee", "专委会", "Special committee", _COMMITTEES),
        _vocab("sector", "界别", "Sector", _SECTORS),
        _vocab("instruction_level", "批示层级", "Instruction level", _INSTRUCTION_LEVELS,
               ordered=True),
        _vocab("activity_kind", "履职类型", "Activity kind", _ACTIVITY_KINDS),
        _vocab("activity_outcome", "结果", "Outcome", _ACTIVITY_OUTCOMES),
        _vocab("brokerage_role", "经纪角色", "Brokerage role", _BROKERAGE_ROLES),
    )
}


def label(vocabulary: str, value: object, lang: Lang = "zh") -> str:
    """Label of one stored value of `vocabulary` in `lang`.

    Examples
    --------
    >>> label("stage", "议事协商", lang="en")
    'Consultation'
    """
    return VOCABULARIES[vocabulary].label(value, lang)


def labels(vocabulary: str, values: Iterable[object], lang: Lang = "zh") -> list[str]:
    """Labels of several stored values of `vocabulary` in `lang`.

    Examples
    --------
    >>> labels("wave", ["前测", "后测"], lang="en")
    ['Before', 'After']
    """
    vocab = VOCABULARIES[vocabulary]
    return [vocab.label(v, lang) for v in values]


# ---------------------------------------------------------------------------
# English readings of Chinese names and answer words (one owner for figures and reports)
# ---------------------------------------------------------------------------

#: CJK ideographs, CJK punctuation and full-width forms: text a reader of English cannot read.
_CHINESE = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff"
                      r"\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")

#: Generic parts of place and unit names (longest first), translated; the specific part
#: before them is written in pinyin (GB/T 16159, as official English place names are).
_GENERICS: tuple[tuple[str, str], ...] = (
    ("政协委员联络站", "CPPCC Members' Liaison Station"),
    ("委员联络站", "Members' Liaison Station"),
    ("委员工作室", "Members' Studio"), ("党群服务中心", "Party-Masses Service Centre"),
    ("街道办事处", "Subdistrict"), ("居民委员会", "Residents' Committee"),
    ("村民委员会", "Villagers' Committee"), ("居委会", "Residents' Committee"),
    ("村委会", "Villagers' Committee"), ("街道", "Subdistrict"), ("社区", "Community"),
    ("小区", "Estate"), ("开发区", "Development Zone"), ("新区", "New Area"),
    ("自治县", "Autonomous County"), ("自治州", "Autonomous Prefecture"),
    ("村", "Village"), ("镇", "Town"), ("乡", "Township"), ("区", "District"),
    ("县", "County"), ("市", "City"), ("省", "Province"),
)

#: Characters read differently in place names than pypinyin's everyday reading.
_PLACE_READINGS = {"长": "chang"}

#: Answer words of survey scales and yes/no items, in English (Likert legends, cut-points).
ANSWER_WORDS: dict[str, str] = {
    "非常满意": "Very satisfied", "比较满意": "Fairly satisfied", "满意": "Satisfied",
    "很满意": "Very satisfied", "一般": "Neutral", "不太满意": "Fairly dissatisfied",
    "不满意": "Dissatisfied", "很不满意": "Very dissatisfied",
    "非常不满意": "Very dissatisfied",
    "非常信任": "Trust completely", "比较信任": "Trust fairly", "信任": "Trust",
    "不太信任": "Distrust somewhat", "不信任": "Distrust",
    "非常不信任": "Distrust completely",
    "非常同意": "Strongly agree", "比较同意": "Agree", "同意": "Agree",
    "不太同意": "Disagree", "不同意": "Disagree", "非常不同意": "Strongly disagree",
    "说不清": "Cannot say", "不知道": "Don't know", "拒答": "Refused",
    "是": "Yes", "否": "No", "有": "Yes", "无": "None", "听说过": "Heard of it",
    "没听说过": "Never heard of it", "缺失": "Missing", "其他": "Other",
}


#: Units of counted indicators (evaluation index systems, tables), in English.
UNIT_WORDS: dict[str, str] = {
    "次": "times", "次/场": "per session", "件": "pieces", "篇": "pieces", "个": "items",
    "人": "persons", "人次": "person-times", "轮": "rounds", "场": "sessions",
    "天": "days", "小时": "hours", "分": "points", "岁": "years", "元": "yuan",
}

def has_chinese(text: object) -> bool:
    """Whether `text` holds Chinese characters or full-width punctuation.

    Examples
    --------
    >>> has_chinese("Qingyun Subdistrict"), has_chinese("满意"), has_chinese("(n = 3)")
    (False, True, False)
    """
    return bool(_CHINESE.search(str(text)))


def _pinyin_word(text: str) -> str:
    """Chinese characters as one capitalised pinyin word (``西安`` → ``Xi'an``)."""
    from pypinyin import Style, lazy_pinyin

    out = ""
    for char, syllable in zip(text, lazy_pinyin(text, style=Style.NORMAL, v_to_u=True,
                                                errors=lambda x: list(x)), strict=False):
        syllable = _PLACE_READINGS.get(char, syllable)
        if out and out[-1].isalpha() and syllable[:1] in {"a", "o", "e"}:
            out += "'"  # syllable boundary before a, o, e: Xi'an, not Xian
        out += syllable
    return out[:1].upper() + out[1:]


def english_name(text: object, *, names: Mapping[str, str] | None = None) -> str:
    """How a Chinese place or unit name reads in English: given, else pinyin.

    The name given in `names` wins; otherwise the generic part (街道, 社区, 村,
    镇 …) is translated and the specific part before it written in pinyin, with
    tone marks left out and a syllable break marked before a, o, e (``Xi'an``),
    as official English place names are written. Text without Chinese is
    returned unchanged.

    Parameters
    ----------
    text : str
        The name.
    names : dict, optional
        Chinese name → English name (e.g. the ``name_en`` column of a units table).

    Returns
    -------
    str
        The English name.

    Examples
    --------
    >>> from toolkit.schema import english_name
    >>> english_name("青云街道"), english_name("长园社区"), english_name("云溪区")
    ('Qingyun Subdistrict', 'Changyuan Community', 'Yunxi District')
    >>> english_name("西园社区", names={"西园社区": "West Garden"})
    'West Garden'
    >>> english_name("政协委员联络站（第1站）")
    "CPPCC Members' Liaison Station (No. 1)"
    """
    value = str(text)
    if names and value in names:
        return str(names[value])
    if not has_chinese(value):
        return value
    folded = unicodedata.normalize("NFKC", value).strip()  # full-width brackets, digits
    suffix = ""
    bracket = re.search(r"\((.*)\)$", folded)
    if bracket:
        inner = bracket.group(1)
        number = re.fullmatch(r"第\s*(\d+)\s*\w?", inner)
        suffix = f" (No. {number.group(1)})" if number else f" ({english_name(inner)})"
        folded = folded[:bracket.start()].strip()
    for generic, english in _GENERICS:
        if folded.endswith(generic) and (folded != generic or len(generic) > 1):
            specific = folded[: -len(generic)]
            head = _pinyin_word(specific) if specific else ""
            return (f"{head} {english}".strip()) + suffix
    return _pinyin_word(folded) + suffix


def codebook_english(frame: Any, column: object) -> tuple[str | None, dict[str, str]]:
    """English variable label and value labels that a table's codebook gives a column.

    A codebook entry (``frame.attrs["codebook"][column]``) may carry, beside
    ``label`` and ``value_labels``, their English versions ``label_en`` and
    ``value_labels_en`` (code → English label); English figures and reports use them.

    Returns
    -------
    tuple
        The English label (None when absent) and the English value labels keyed
        by the code as text (empty when absent).

    Examples
    --------
    >>> from toolkit.schema import codebook_english
    >>> df = pd.DataFrame({"q1": [1, 2]})
    >>> df.attrs["codebook"] = {"q1": {"label": "满意度", "label_en": "Satisfaction",
    ...                                "value_labels_en": {1: "Low", 2: "High"}}}
    >>> codebook_english(df, "q1")
    ('Satisfaction', {'1': 'Low', '2': 'High'})
    """
    book = ((getattr(frame, "attrs", None) or {}).get("codebook") or {}).get(column) or {}
    label = book.get("label_en")
    values = {str(k): str(v) for k, v in (book.get("value_labels_en") or {}).items()}
    return (str(label) if label else None), values


def english_text(text: object, *, names: Mapping[str, str] | None = None,
                 place: bool = False) -> str | None:
    """English of a Chinese label shown to readers, or None when there is none.

    In order: text without Chinese as it is; the name given in `names`; a
    common answer word (:data:`ANSWER_WORDS`: 非常满意 → Very satisfied …); with
    ``place=True``, the pinyin reading of :func:`english_name`. Vocabulary
    terms are translated by :func:`label` / :func:`value_labels` before this.

    Examples
    --------
    >>> from toolkit.schema import english_text
    >>> english_text("比较满意"), english_text("青云街道", place=True), english_text("青云街道")
    ('Fairly satisfied', 'Qingyun Subdistrict', None)
    """
    value = str(text)
    if not has_chinese(value):
        return value
    if names and value in names:
        return str(names[value])
    folded = unicodedata.normalize("NFKC", value).strip()
    if folded in ANSWER_WORDS:
        return ANSWER_WORDS[folded]
    return english_name(folded) if place else None


# ---------------------------------------------------------------------------
# Tables and columns
# ---------------------------------------------------------------------------

PersonalKind = Literal["name", "id_card", "phone"]


@dataclass(frozen=True)
class Column:
    """One canonical column.

    Parameters
    ----------
    name : str
        Canonical snake_case name.
    dtype : {"string", "int", "float", "date", "bool", "category", "ordered"}
        Stored type. ``category``/``ordered`` columns take their categories from
        `vocabulary`.
    zh, en : str
        Header in Chinese and English (used for output tables).
    required : bool
        Whether a table of this kind must have the column.
    vocabulary : str, optional
        Name of the vocabulary in :data:`VOCABULARIES` for its values.
    aliases : tuple of str
        Headers that mean this column in real files.
    unique : bool
        Values must be unique (identifiers).
    references : str, optional
        ``"table.column"`` this column points to.
    personal : {"name", "id_card", "phone"}, optional
        The column holds personal data of this kind.
    min_value, max_value : float, optional
        Inclusive range of valid values.
    """

    name: str
    dtype: DType
    zh: str
    en: str
    required: bool = False
    vocabulary: str | None = None
    aliases: tuple[str, ...] = ()
    unique: bool = False
    references: str | None = None
    personal: PersonalKind | None = None
    min_value: float | None = None
    max_value: float | None = None

    def label(self, lang: Lang = "zh") -> str:
        """Header of the column in `lang`."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns and its identifier.

    Parameters
    ----------
    name : str
        ``"units"``, ``"participants"``, ``"sessions"``, ``"attendance"``,
        ``"submissions"``, ``"survey"`` or ``"activities"``.
    zh, en : str
        Name of the table in Chinese and English.
    columns : tuple of Column
        Known columns. Other columns are kept as they are (e.g. survey items).
    key : tuple of str
        Columns that identify a row.
    """

    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the required columns."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of all known columns, in order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The :class:`Column` called `name` (raises KeyError if unknown)."""
        for col in self.columns:
            if col.name == name:
                return col
        msg = f"Table `{self.name}` has no canonical column `{name}`."
        raise KeyError(msg)

    def get(self, name: str) -> Column | None:
        """The :class:`Column` called `name`, or None."""
        return next((c for c in self.columns if c.name == name), None)


def _c(name: str, dtype: DType, zh: str, en: str, *aliases: str, **kw) -> Column:
    return Column(name, dtype, zh, en, aliases=aliases, **kw)


_UNIT_ID = ("单位编码", "区划代码", "区划编码", "单位代码", "行政区划代码", "unit code", "unit")

UNITS = Table(
    "units", "区划与单位", "Units",
    (
        _c("unit_id", "string", "编码", "Code", *_UNIT_ID, "编码", "代码", "code",
           required=True, unique=True),
        _c("name", "string", "名称", "Name", "单位名称", "区划名称", "名称", "村社区名称",
           required=True),
        _c("level", "category", "层级", "Level", "级别", "层级", "区划层级",
           vocabulary="unit_level", required=True),
        _c("parent_id", "string", "上级编码", "Parent code", "上级", "上级单位", "上级代码",
           "所属镇街", "parent", references="units.unit_id"),
        _c("has_room", "bool", "是否有议事室", "Has consultation room", "议事室", "有无议事室",
           "是否建有议事室", "协商议事室"),
        _c("population", "int", "人口", "Population", "常住人口", "户籍人口", min_value=0),
        _c("urban", "bool", "是否城市社区", "Urban", "城乡", "是否社区"),
    ),
    key=("unit_id",),
)

PARTICIPANTS = Table(
    "participants", "参与者", "Participants",
    (
        _c("participant_id", "string", "参与者编号", "Participant ID", "参与者编号",
           "人员编号", "编号", "委员编号", "参与人编号", "participant", "id",
           required=True, unique=True),
        _c("name", "string", "姓名", "Name", "姓名", "名字", "参与者姓名", "委员姓名",
           personal="name"),
        _c("type", "category", "参与者类型", "Participant type", "类型", "身份", "人员类别",
           "参与者类别", "参与主体", vocabulary="participant_type", required=True),
        _c("sector", "category", "界别", "Sector", "所属界别", vocabulary="sector"),
        _c("committee", "category", "专委会", "Special committee", "专门委员会", "所属专委会",
           vocabulary="committee"),
        _c("party_member", "bool", "是否党员", "Party member", "党员", "政治面貌是否党员"),
        _c("gender", "category", "性别", "Gender", vocabulary="gender"),
        _c("age_band", "ordered", "年龄段", "Age band", "年龄组", "年龄分组",
           vocabulary="age_band"),
        _c("birth_year", "int", "出生年份", "Birth year", "出生年", min_value=1900,
           max_value=2020),
        _c("unit_id", "string", "所在单位编码", "Unit", "所在社区", "所属社区", "所在村社区",
           "社区编码", references="units.unit_id"),
        _c("organisation", "string", "工作单位", "Organisation", "单位", "所在单位名称",
           "工作单位及职务"),
        _c("id_card", "string", "身份证号", "ID-card number", "身份证号码", "身份证",
           "公民身份号码", personal="id_card"),
        _c("phone", "string", "手机号", "Phone", "手机号码", "联系电话", "电话", "手机",
           personal="phone"),
    ),
    key=("participant_id",),
)

SESSIONS = Table(
    "sessions", "协商活动", "Sessions",
    (
        _c("session_id", "string", "活动编号", "Session ID", "活动编号", "协商编号",
           "会议编号", "编号", "session", required=True, unique=True),
        _c("date", "date", "日期", "Date", "协商日期", "活动日期", "会议日期", "时间",
           "协商时间", required=True),
        _c("unit_id", "string", "单位编码", "Unit", "所在社区", "社区编码", "协商单位",
           "所属单位", "举办单位编码", required=True, references="units.unit_id"),
        _c("platform", "category", "协商平台", "Platform", "平台", "协商形式", "载体",
           vocabulary="platform", required=True),
        _c("topic_id", "string", "议题编号", "Topic ID", "议题代码"),
        _c("topic", "string", "议题", "Topic", "协商议题", "议题名称", "协商内容"),
        _c("topic_category", "category", "议题类别", "Topic category", "议题类型", "类别",
           vocabulary="topic_category"),
        _c("organiser", "string", "组织者", "Organiser", "组织单位", "牵头单位", "主办单位"),
        _c("stage", "ordered", "协商阶段", "Stage", "阶段", "所处阶段", "环节",
           vocabulary="stage"),
        _c("round", "int", "协商轮次", "Round", "轮次", "第几轮", min_value=1, max_value=20),
        _c("n_participants", "int", "参与人数", "Participants", "参加人数", "人数",
           min_value=0),
        _c("consensus", "bool", "是否达成共识", "Consensus reached", "达成共识", "共识",
           "是否共识"),
        _c("escalated_to", "category", "提交会议", "Escalated to", "提交", "提交至",
           "提请会议", vocabulary="escalation"),
        _c("outcome", "string", "协商结果", "Outcome", "结果", "协商成果"),
        _c("implemented", "bool", "是否落实", "Implemented", "落实情况", "已落实"),
        _c("implemented_date", "date", "落实日期", "Date implemented", "落实时间",
           "完成日期", "办结日期"),
        _c("body", "string", "会议纪要", "Minutes", "纪要", "会议记录", "协商纪要",
           "议事记录", "会议纪要内容"),
    ),
    key=("session_id",),
)

ATTENDANCE = Table(
    "attendance", "参与记录", "Attendance",
    (
        _c("session_id", "string", "活动编号", "Session ID", "活动编号", "协商编号",
           "会议编号", required=True, references="sessions.session_id"),
        _c("participant_id", "string", "参与者编号", "Participant ID", "参与者编号",
           "人员编号", "委员编号", required=True, references="participants.participant_id"),
        _c("role", "category", "角色", "Role", "身份角色", "担任角色", "职责",
           vocabulary="role"),
        _c("speeches", "int", "发言次数", "Speeches", "发言", "发言数", min_value=0),
    ),
    key=("session_id", "participant_id"),
)

SUBMISSIONS = Table(
    "submissions", "提案与信息", "Submissions",
    (
        _c("submission_id", "string", "编号", "Submission ID", "提案编号", "信息编号",
           "案号", "编号", required=True, unique=True),
        _c("author_id", "string", "提交人编号", "Author ID", "作者编号", "提案人编号",
           "报送人编号", "委员编号", required=True, references="participants.participant_id"),
        _c("date", "date", "提交日期", "Date submitted", "报送日期", "日期", "提交时间",
           required=True),
        _c("channel", "category", "报送渠道", "Channel", "类型", "渠道", "类别",
           vocabulary="channel", required=True),
        _c("topic", "string", "标题", "Topic", "题目", "议题", "主题"),
        _c("topic_category", "category", "议题类别", "Topic category", "议题类型",
           vocabulary="topic_category"),
        _c("gate_reached", "ordered", "通过关口", "Gate reached", "审核关口", "审核情况",
           vocabulary="gate"),
        _c("adopted", "bool", "是否采用", "Adopted", "采用", "采纳", "是否采纳", "立案"),
        _c("instructions", "int", "批示数", "Instructions", "批示次数", "领导批示",
           min_value=0),
        _c("instruction_level", "ordered", "批示层级", "Instruction level", "批示级别",
           vocabulary="instruction_level"),
        _c("responded", "bool", "是否回应", "Responded", "回应", "是否答复", "答复"),
        _c("response_date", "date", "回应日期", "Response date", "答复日期", "回复日期"),
        _c("department", "string", "承办部门", "Responding department", "答复部门", "承办单位",
           "办理单位"),
        _c("body", "string", "正文", "Text", "内容", "正文内容", "主要内容", "信息内容",
           "提案内容", "全文"),
        _c("category", "string", "内容分类", "Office category", "分类", "办公室分类", "归类",
           "所属分类", "内容类别"),
    ),
    key=("submission_id",),
)

SURVEY = Table(
    "survey", "居民调查", "Resident survey",
    (
        _c("respondent_id", "string", "受访者编号", "Respondent ID", "问卷编号", "样本编号",
           "编号", "ID", required=True),
        _c("unit_id", "string", "社区编码", "Community", "所在社区", "社区", "村居编码",
           references="units.unit_id"),
        _c("wave", "ordered", "测量波次", "Wave", "波次", "轮次", vocabulary="wave"),
        _c("weight", "float", "权重", "Weight", "设计权重", "样本权重", "wt", min_value=0),
        _c("stratum", "string", "层", "Stratum", "分层", "抽样层", "strata"),
        _c("cluster", "string", "群", "Cluster", "初级抽样单元", "PSU", "psu"),
        _c("fpc", "float", "有限总体校正", "Finite population", "总体数", min_value=0),
        _c("gender", "category", "性别", "Gender", vocabulary="gender"),
        _c("age", "int", "年龄", "Age", "周岁", min_value=0, max_value=120),
        _c("age_band", "ordered", "年龄段", "Age band", "年龄组", vocabulary="age_band"),
        _c("education", "string", "文化程度", "Education", "学历", "受教育程度"),
        _c("date", "date", "调查日期", "Interview date", "访问日期", "访谈日期", "填答日期",
           "调查时间", "日期"),
        _c("party_member", "bool", "是否党员", "Party member", "党员"),
        _c("name", "string", "姓名", "Name", "受访者姓名", personal="name"),
        _c("phone", "string", "手机号", "Phone", "联系电话", "手机号码", "电话",
           personal="phone"),
    ),
    key=("respondent_id", "wave"),
)

ACTIVITIES = Table(
    "activities", "委员履职记录", "Member activities",
    (
        _c("activity_id", "string", "记录编号", "Record ID", "履职记录编号", "活动记录编号",
           "序号", "record", unique=True),
        _c("member_id", "string", "委员编号", "Member ID", "委员代码", "参与者编号",
           "人员编号", "member", required=True, references="participants.participant_id"),
        _c("member_name", "string", "委员姓名", "Member name", "姓名", "委员", "名字",
           personal="name"),
        _c("date", "date", "日期", "Date", "时间", "活动日期", "履职日期", "活动时间",
           "提交日期", "会议日期", required=True),
        _c("kind", "category", "履职类型", "Activity kind", "活动类型", "类型", "履职事项",
           "履职项目", "活动类别", "履职类别", vocabulary="activity_kind", required=True),
        _c("count", "int", "次数", "Count", "数量", "次", "履职次数", min_value=0),
        _c("outcome", "category", "结果", "Outcome", "办理结果", "出席情况", "立案情况",
           "采用情况", "结果情况", vocabulary="activity_outcome"),
        _c("submission_id", "string", "关联编号", "Submission ID", "提案编号", "信息编号",
           "关联提案编号", "submission", references="submissions.submission_id"),
        _c("unit_id", "string", "单位编码", "Unit", "地点编码", "活动地点编码",
           references="units.unit_id"),
        _c("title", "string", "活动名称", "Title", "标题", "题目", "会议名称", "活动主题",
           "事项"),
        _c("body", "string", "内容", "Text", "正文", "主要内容", "活动内容", "提案内容"),
        _c("category", "string", "内容分类", "Office category", "分类", "办公室分类", "归类"),
    ),
    key=("activity_id",),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (UNITS, PARTICIPANTS, SESSIONS, ATTENDANCE, SUBMISSIONS, SURVEY,
                        ACTIVITIES)
}
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)

# Headers whose meaning does not depend on the table.
_COMMON_ALIASES: dict[str, str] = {}


def clean_header(header: object) -> str:
    """Fold a header for matching: NFKC, no spaces or punctuation, lower case.

    Examples
    --------
    >>> clean_header(" 活动 编号（必填） ")
    '活动编号'
    >>> clean_header("Session_ID")
    'sessionid'
    """
    text = unicodedata.normalize("NFKC", str(header))
    text = re.sub(r"[（(][^）)]*(必填|选填|可选|required|optional)[^）)]*[）)]", "", text)
    text = re.sub(r"[*＊]", "", text)
    return _key(text)


def canonical_column(
    header: object,
    *,
    table: str,
    mapping: Mapping[str, str] | None = None,
) -> str | None:
    """Canonical column name for a header in a file of `table`, or None.

    A user's `mapping` (header → canonical name) wins over the built-in aliases.
    For multi-row headers flattened as ``"上级_下级"``, the last part is tried too.

    Examples
    --------
    >>> canonical_column("是否达成共识", table="sessions")
    'consensus'
    >>> canonical_column("协商情况_协商平台", table="sessions")
    'platform'
    >>> canonical_column("村名", table="units", mapping={"村名": "name"})
    'name'
    >>> canonical_column("q1", table="survey") is None
    True
    """
    if mapping:
        folded = {clean_header(k): v for k, v in mapping.items()}
        hit = folded.get(clean_header(header))
        if hit is not None:
            return hit
    lookup = _alias_lookup(table)
    key = clean_header(header)
    if key in lookup:
        return lookup[key]
    text = str(header)
    if "_" in text:
        return canonical_column(text.rsplit("_", 1)[1], table=table)
    return None


_ALIAS_CACHE: dict[str, dict[str, str]] = {}


def _alias_lookup(table: str) -> dict[str, str]:
    if table not in TABLES:
        msg = (
            f"Unknown table kind `{table}`. Use one of: {', '.join(TABLE_NAMES)}."
        )
        raise KeyError(msg)
    if table not in _ALIAS_CACHE:
        lookup: dict[str, str] = {}
        for col in TABLES[table].columns:
            for spelling in (col.name, col.zh, col.en, *col.aliases):
                lookup.setdefault(clean_header(spelling), col.name)
        for alias, name in _COMMON_ALIASES.items():
            lookup.setdefault(clean_header(alias), name)
        _ALIAS_CACHE[table] = lookup
    return _ALIAS_CACHE[table]


# ---------------------------------------------------------------------------
# Named sets of terms
# ---------------------------------------------------------------------------

#: Participant types that are members or deputies (政协委员, 人大代表): the people whose
#: assignment to a community counts for coverage (全覆盖), in vocabulary order.
MEMBER_TYPES: tuple[str, ...] = tuple(
    t.zh for t in VOCABULARIES["participant_type"].terms if t.group == "deputy_member")


# ---------------------------------------------------------------------------
# Labels of columns, values and model terms in output (tables, figures)
# ---------------------------------------------------------------------------

#: A factor level in a model term: ``platform[T.微信群]``, ``C(platform)[T.微信群]``.
_FACTOR_TERM = re.compile(r"^(?:C\()?(?P<var>[^\[\(\),]+?)(?:,[^\)]*)?\)?\[T\.(?P<level>.+)\]$")


def vocabulary_of(column: object) -> str | None:
    """Name of the vocabulary of a canonical column (or of a vocabulary's own name), or None.

    Examples
    --------
    >>> vocabulary_of("platform"), vocabulary_of("type"), vocabulary_of("q1")
    ('platform', 'participant_type', None)
    """
    for table in TABLES.values():
        col = table.get(str(column))
        if col is not None and col.vocabulary:
            return col.vocabulary
    if column in VOCABULARIES:
        return str(column)
    return None


def column_label(column: object, lang: Lang = "zh", frame: Any = None) -> str:
    """Header of a column in `lang`: codebook label, schema header, or the name itself.

    Parameters
    ----------
    column : str
        Column name.
    lang : {"zh", "en"}, default "zh"
        Language of the label.
    frame : pandas.DataFrame, optional
        Table whose codebook (``attrs["codebook"][column]``) gives the label of a
        column: ``label`` in Chinese, ``label_en`` in English (e.g. a survey item).

    Examples
    --------
    >>> column_label("platform"), column_label("platform", "en"), column_label("q1")
    ('协商平台', 'Platform', 'q1')
    """
    if frame is not None:
        attrs = getattr(frame, "attrs", {}) or {}
        entry = (attrs.get("codebook") or {}).get(column) or {}
        key = "label" if lang == "zh" else "label_en"
        if entry.get(key):
            return str(entry[key])
    for table in TABLES.values():
        col = table.get(str(column))
        if col is not None:
            return col.label(lang)
    if column in VOCABULARIES:
        vocab = VOCABULARIES[str(column)]
        return vocab.zh if lang == "zh" else vocab.en
    return str(column)


def value_labels(column: object, values: Iterable[object], lang: Lang = "zh") -> list[str]:
    """Labels of stored values of `column` in `lang` (vocabulary terms translated).

    Booleans read 是/否 (Yes/No); values of a column without a vocabulary are
    shown as they are.

    Examples
    --------
    >>> value_labels("platform", ["微信群", "其他"], "en")
    ['WeChat group', '其他']
    >>> value_labels("consensus", [True, False])
    ['是', '否']
    """
    vocab = vocabulary_of(column)
    out = []
    for v in values:
        if isinstance(v, bool):
            out.append(("是" if v else "否") if lang == "zh" else ("Yes" if v else "No"))
        elif vocab is not None:
            out.append(label(vocab, v, lang=lang))
        else:
            out.append(str(v))
    return out


def term_levels(term: object) -> list[tuple[str, str]]:
    """The (column, level) pairs a model term prints: ``a[T.x]:b`` → ``[("a", "x")]``.

    Examples
    --------
    >>> term_levels("C(platform)[T.微信群]:age")
    [('platform', '微信群')]
    """
    out = []
    for part in str(term).split(":"):
        m = _FACTOR_TERM.match(part)
        if m:
            out.append((m.group("var").strip(), m.group("level")))
    return out


#: Names of the intercept in model tables (statsmodels, R, patsy).
_INTERCEPTS = frozenset({"intercept", "const", "(intercept)", "_cons"})

#: Units of canonical numeric columns, shown after their label in model tables.
UNITS: dict[str, tuple[str, str]] = {
    "age": ("岁", "years"), "population": ("人", "persons"), "birth_year": ("年", "year"),
    "n_participants": ("人", "persons"), "duration": ("分钟", "minutes"),
}


def term_label(term: object, lang: Lang = "zh", frame: Any = None) -> str:
    """Readable label of a model term: ``platform[T.微信群]`` → ``协商平台：微信群``.

    Interactions (``a:b``) are joined with ×; the intercept reads 常数项
    (Intercept); other terms take the column label (from the codebook of
    `frame` when given, see :func:`column_label`).

    Examples
    --------
    >>> term_label("platform[T.微信群]", lang="en")
    'Platform: WeChat group'
    >>> term_label("age"), term_label("Intercept")
    ('年龄', '常数项')
    """
    text = str(term)
    if text.strip().lower() in _INTERCEPTS:
        return "常数项" if lang == "zh" else "Intercept"
    m = _FACTOR_TERM.match(text)
    if m:
        var, level = m.group("var").strip(), m.group("level")
        sep = "：" if lang == "zh" else ": "
        return f"{column_label(var, lang, frame)}{sep}{_level_label(var, level, lang, frame)}"
    if ":" in text:
        return " × ".join(term_label(p, lang, frame) for p in text.split(":"))
    return column_label(text, lang, frame)


def _level_label(var: str, level: object, lang: Lang, frame: Any) -> str:
    """Label of one level of a factor: codebook English, vocabulary, yes/no word."""
    flag = _strict_yes_no(level)
    if flag is not None:
        return ("是" if flag else "否") if lang == "zh" else ("Yes" if flag else "No")
    text = value_labels(var, [level], lang)[0]
    if lang == "en" and has_chinese(text):
        english = codebook_english(frame, var)[1]
        book = (((getattr(frame, "attrs", None) or {}).get("codebook") or {}).get(var) or {})
        codes = {str(v): str(k) for k, v in (book.get("value_labels") or {}).items()}
        text = english.get(codes.get(text, text)) or english_text(text) or text
    return text


def _strict_yes_no(value: object) -> bool | None:
    """True/False for 是/否, yes/no and booleans (as a level of a model term); else None."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    folded = unicodedata.normalize("NFKC", str(value)).strip().lower()
    return {"是": True, "否": False, "true": True, "false": False, "yes": True,
            "no": False}.get(folded)


def _levels_of(var: str, frame: Any) -> list[Any] | None:
    """The levels of `var` in `frame` in model order (categories, or sorted values)."""
    if frame is None or var not in getattr(frame, "columns", ()):
        return None
    col = frame[var]
    if hasattr(col, "cat"):
        return list(col.cat.categories)
    values = col.dropna().unique().tolist()
    try:
        return sorted(values)
    except TypeError:
        return values


def _is_yes_no(var: str, frame: Any) -> bool:
    """Whether `var` is a yes/no variable (boolean, 是/否 levels, or 0/1 labelled 否/是)."""
    if frame is not None and var in getattr(frame, "columns", ()):
        col = frame[var]
        if str(col.dtype) in {"bool", "boolean"}:
            return True
        levels = _levels_of(var, frame) or []
        if len(levels) == 2 and {_strict_yes_no(v) for v in levels} == {True, False}:
            return True
    book = (((getattr(frame, "attrs", None) or {}).get("codebook") or {}).get(var) or {})
    labels = {str(v) for v in (book.get("value_labels") or {}).values()}
    if len(labels) == 2 and {_strict_yes_no(v) for v in labels} == {True, False}:
        return True
    for table in TABLES.values():
        column = table.get(var)
        if column is not None:
            return column.dtype == "bool"
    return False


def model_term_label(term: object, lang: Lang = "zh", frame: Any = None) -> str:
    """Label of a model term as a regression table shows it: reference category and unit.

    A yes/no variable reads with its reference category
    (``party_member`` → 是否党员（参照：否）); a level of a factor names the
    reference level when `frame` tells it (``协商平台：微信群（参照：居民议事会）``);
    a numeric variable carries its unit (年龄（岁）) unless its label has one.
    Labels come from the codebook of `frame`, then the schema (see
    :func:`term_label`).

    Parameters
    ----------
    term : str
        The term as the model names it (``x``, ``x[T.a]``, ``C(x)[T.a]``, ``a:b``).
    lang : {"zh", "en"}, default "zh"
        Language of the label.
    frame : pandas.DataFrame, optional
        The table the model was fitted on: its codebook labels and its levels.

    Examples
    --------
    >>> model_term_label("party_member"), model_term_label("party_member", "en")
    ('是否党员（参照：否）', 'Party member (ref.: No)')
    >>> model_term_label("age"), model_term_label("Intercept", "en")
    ('年龄（岁）', 'Intercept')
    >>> d = pd.DataFrame({"platform": pd.Categorical(["居民议事会", "微信群"])})
    >>> model_term_label("platform[T.微信群]", frame=d)
    '协商平台：微信群（参照：居民议事会）'
    """
    text = str(term)
    zh = lang == "zh"

    def ref(word: str) -> str:
        return f"（参照：{word}）" if zh else f" (ref.: {word})"

    if text.strip().lower() in _INTERCEPTS:
        return term_label(text, lang)
    m = _FACTOR_TERM.match(text)
    if m:
        var, level = m.group("var").strip(), m.group("level")
        name = column_label(var, lang, frame)
        levels = _levels_of(var, frame)
        if _strict_yes_no(level) is True and (levels is None or _is_yes_no(var, frame)):
            return name + ref("否" if zh else "No")
        base = None
        if levels:
            base = _level_label(var, levels[0], lang, frame)
        label = term_label(text, lang, frame)
        return label + (ref(base) if base is not None else "")
    if ":" in text:
        return " × ".join(model_term_label(p, lang, frame) for p in text.split(":"))
    name = column_label(text, lang, frame)
    if _is_yes_no(text, frame):
        return name + ref("否" if zh else "No")
    book = (((getattr(frame, "attrs", None) or {}).get("codebook") or {}).get(text) or {})
    unit = book.get("unit" if zh else "unit_en") or UNITS.get(text, ("", ""))[0 if zh else 1]
    if unit and not re.search(r"[（(]", name):
        return f"{name}（{unit}）" if zh else f"{name} ({unit})"
    return name
