"""Texts of the demo: the body of every submission and the minutes of every session.

Each text is built from the sentence pools of its true topic (:mod:`.topics`), with
place names of the district and numbers drawn at random, so that segmentation,
keywords, topic models and dictionary coding have realistic material. Planted in
the texts (true values in ``planted_effects.yaml`` and the ``truth/`` files):

- **office categories** (``category``): the office codes each submission into one of
  the fourteen topics; a share :data:`TEXTS["miscode_p"]` of the submissions (drawn
  without replacement, so the share is exact) get a neighbouring topic instead of the
  true one (for intercoder checks);
- **near-duplicate proposals**: a share :data:`TEXTS["near_duplicate_p"]` of the 2023
  proposals whose title template had a 2022 proposal (exact, drawn without
  replacement) repeat one of those — a share :data:`TEXTS["same_author_share"]` of the
  repeats the author's own earlier proposal, the others another member's — with a new
  place, new numbers and one suggestion changed;
- **personal data in free text**: the author's name and phone number appended as a
  contact line (probability :data:`TEXTS["contact_p"]`), or a resident's invented name
  and phone number at the start (:data:`TEXTS["resident_p"]`); the minutes of some
  sessions name their chair (:data:`TEXTS["minutes_chair_p"]`).

Submission texts draw from ``default_rng([seed, 2])``, minutes from
``default_rng([seed, 3])``; the tables drawn before are untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from toolkit.datasets.synth.names import DEPARTMENTS, fake_name
from toolkit.datasets.synth.topics import (
    TOPIC_OF_TEMPLATE,
    TOPICS_TEXT,
    template_of_title,
)

__all__ = ["MINUTES_STREAM", "STREAM", "TEXTS", "draw_minutes", "draw_submission_texts"]

#: Stream ids: ``default_rng([seed, STREAM])`` for submissions, ``MINUTES_STREAM`` for minutes.
STREAM = 2
MINUTES_STREAM = 3

#: Planted rates of the texts.
TEXTS: dict[str, float] = {
    "miscode_p": 0.12,          # office category is a neighbouring topic, not the true one
    "near_duplicate_p": 0.15,   # a 2023 proposal repeats a 2022 one on the same template
    "same_author_share": 0.25,  # ... of these, repeats of the author's own 2022 proposal
    "contact_p": 0.03,          # author's name and phone appended
    "resident_p": 0.02,         # a resident's name and phone at the start
    "minutes_chair_p": 0.05,    # the minutes name the chair
}


@dataclass(frozen=True)
class _Recipe:
    """What a body is made of: its sentences (indices into the pools) and slot values."""

    channel: str
    topic: str
    opener: int
    problem: int
    situations: tuple[int, ...]
    details: tuple[int, ...]
    connector: int
    suggestions: tuple[int, ...]
    general: tuple[int, ...]
    closing: int
    slots: dict[str, Any] = field(default_factory=dict)


#: Opening sentences by channel ({problem}, {place}).
_OPENERS = {
    "提案": ("当前，{problem}，群众反映较为强烈。", "{problem}，已成为群众关心的突出问题。",
             "近年来，{problem}，亟待研究解决。", "{place}{problem}，影响群众生活质量。"),
    "社情民意信息": ("近期，{place}居民反映{problem}。",
                     "据了解，{place}{problem}，群众意见较大。",
                     "{place}部分群众反映，{problem}。"),
    "大会发言": ("{problem}，事关群众切身利益。", "{problem}，是基层治理中的难点。",
                 "围绕{problem}这一问题，我们开展了专题调研。"),
}
#: Sentences any topic can use, with numbers and places that differ from text to text.
_DETAILS = (
    "据初步统计，{place}涉及此类问题的居民约{n}00户",
    "{year}年以来，相关部门共收到此类投诉{k}件",
    "社区曾多次组织协调，但问题至今未得到根本解决",
    "部分居民反映，这一问题已持续{k}年之久",
    "不少群众通过{channel}反映此事，诉求较为集中",
    "笔者在{place}走访了{k}户居民，多数受访者希望尽快解决",
    "{place}居民代表在议事会上多次提出这一问题",
    "从周边{k}个村（社区）的情况看，类似问题较为普遍",
    "{year}年{place}曾开展过专项整治，但效果未能持续",
    "有关部门之间职责交叉，存在推诿扯皮现象",
    "相关政策宣传不到位，不少居民对办理程序不了解",
    "据抽样调查，约{pct}%的受访居民对现状表示不满意",
)
#: Suggestions any topic can end with.
_GENERAL = (
    "建立问题台账，明确责任单位和完成时限",
    "加大财政投入，统筹整合相关资金",
    "加强宣传引导，营造共建共治共享的良好氛围",
    "引入第三方机构开展评估，及时改进工作",
    "定期通报办理进展，接受群众监督",
    "发挥政协委员联络站作用，持续跟踪问效",
    "将相关工作纳入年度绩效考核",
    "把该事项列为“两代表一委员”工作室重点督办事项",
)
_CHANNELS = ("12345热线", "社区微信群", "居民议事会", "委员工作室", "区长信箱")
_CONNECTORS = {"提案": ("为此建议：", "对此，提出如下建议：", "建议如下："),
               "社情民意信息": ("群众建议：", "对此，建议："),
               "大会发言": ("为此，建议：", "我们建议：")}
_CLOSINGS = ("", "以上建议，请有关部门研究办理。", "建议由{dept}牵头，会同有关部门研究落实。",
             "恳请有关部门予以重视并尽快解决。")
#: Sentences per text: (situations, details, topic suggestions, general suggestions).
_SIZES = {"提案": (2, 2, 2, 1), "社情民意信息": (1, 2, 1, 1), "大会发言": (2, 1, 2, 1)}


def _slots(rng: np.random.Generator, place: str, dept: str) -> dict[str, Any]:
    return {"place": place, "dept": dept, "n": int(rng.integers(3, 41)),
            "pct": int(rng.integers(12, 46)), "k": int(rng.integers(2, 16)),
            "year": int(rng.integers(2019, 2022)),
            "channel": _CHANNELS[int(rng.integers(len(_CHANNELS)))]}


def _pick(rng: np.random.Generator, n: int, k: int) -> tuple[int, ...]:
    return tuple(int(i) for i in rng.choice(n, k, replace=False))


def _recipe(rng: np.random.Generator, channel: str, topic: str, place: str,
            dept: str) -> _Recipe:
    t = TOPICS_TEXT[topic]
    n_sit, n_det, n_sug, n_gen = _SIZES[channel]
    return _Recipe(
        channel, topic, opener=int(rng.integers(len(_OPENERS[channel]))),
        problem=int(rng.integers(len(t.problems))),
        situations=_pick(rng, len(t.situations), n_sit),
        details=_pick(rng, len(_DETAILS), n_det),
        connector=int(rng.integers(len(_CONNECTORS[channel]))),
        suggestions=_pick(rng, len(t.suggestions), n_sug),
        general=_pick(rng, len(_GENERAL), n_gen),
        closing=int(rng.integers(len(_CLOSINGS))), slots=_slots(rng, place, dept))


def _render(r: _Recipe) -> str:
    t = TOPICS_TEXT[r.topic]
    opener = _OPENERS[r.channel][r.opener].format(problem=t.problems[r.problem], **r.slots)
    facts = [t.situations[i].format(**r.slots) for i in r.situations]
    facts += [_DETAILS[i].format(**r.slots) for i in r.details]
    sugs = [t.suggestions[i] for i in r.suggestions] + [_GENERAL[i] for i in r.general]
    if r.channel == "提案":
        sugs = [f"{k}是{s}" for k, s in zip("一二三四", sugs, strict=False)]
    lead = "调研发现，" if r.channel == "大会发言" else ""
    closing = _CLOSINGS[r.closing].format(**r.slots)
    return (f"{opener}{lead}{'；'.join(facts)}。{_CONNECTORS[r.channel][r.connector]}"
            f"{'；'.join(sugs)}。{closing}")


def _near_copy(rng: np.random.Generator, original: _Recipe, place: str) -> _Recipe:
    """The same sentences with a new place and new numbers, the suggestions reordered."""
    sugs = list(original.suggestions)
    sugs.reverse()
    return replace(original, suggestions=tuple(sugs),
                   slots=_slots(rng, place, original.slots["dept"]))


def _phone(rng: np.random.Generator) -> str:
    return f"170{int(rng.integers(0, 10**8)):08d}"


def draw_submission_texts(seed: int, *, submissions: pd.DataFrame, participants: pd.DataFrame,
                          units: pd.DataFrame
                          ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Body and office category of every submission, with the hidden truth.

    Returns
    -------
    (texts, truth, personal) : tuple of pandas.DataFrame
        ``texts``: ``submission_id, body, category``; ``truth``: ``submission_id, topic,
        topic_zh, category, category_agrees, near_duplicate_of, same_author,
        near_duplicate_group``;
        ``personal``: ``table, document_id, kind, value`` for every personal value
        written into a body.
    """
    rng = np.random.default_rng([seed, STREAM])
    p = TEXTS
    people = participants.set_index("participant_id")
    names = dict(zip(units["unit_id"], units["name"], strict=True))
    parent = dict(zip(units["unit_id"], units["parent_id"], strict=True))
    communities = units.loc[units["level"] == "村社区", "unit_id"].tolist()
    is_community = set(communities)
    recipes: dict[str, _Recipe] = {}
    earlier: dict[str, list[tuple[str, str]]] = {}  # template -> [(submission, author)] 2022
    rows, truth, personal = [], [], []
    ordered = submissions.sort_values("submission_id")
    template_of = {sid: template_of_title(title)
                   for sid, title in zip(ordered["submission_id"], ordered["topic"], strict=True)}
    proposal = ordered["channel"] == "提案"
    year = ordered["date"].dt.year
    seen = {template_of[sid] for sid in ordered.loc[proposal & (year == 2022), "submission_id"]}
    author_of = dict(zip(ordered["submission_id"], ordered["author_id"], strict=True))
    own_pairs = {(template_of[sid], author_of[sid])
                 for sid in ordered.loc[proposal & (year == 2022), "submission_id"]}
    eligible = [sid for sid in ordered.loc[proposal & (year == 2023), "submission_id"]
                if template_of[sid] in seen]
    n_repeat = round(p["near_duplicate_p"] * len(eligible))
    own_eligible = [sid for sid in eligible if (template_of[sid], author_of[sid]) in own_pairs]
    n_own = min(len(own_eligible), round(p["same_author_share"] * n_repeat))
    repeat_own = set(rng.choice(own_eligible, n_own, replace=False).tolist())
    others = [sid for sid in eligible if sid not in repeat_own]
    repeat_other = set(rng.choice(others, n_repeat - n_own, replace=False).tolist())
    miscoded = set(rng.choice(ordered["submission_id"].to_numpy(),
                              round(p["miscode_p"] * len(ordered)), replace=False).tolist())
    for s in ordered.itertuples():
        template = template_of_title(s.topic)
        topic = TOPIC_OF_TEMPLATE[template]
        unit = people.loc[s.author_id, "unit_id"]
        if unit not in is_community:  # informants belong to the district
            unit = communities[int(rng.integers(len(communities)))]
        place = names[unit] if rng.random() < 0.6 else names[parent[unit]]
        original, same = None, None
        pool = earlier.get(template, [])
        if s.submission_id in repeat_own or s.submission_id in repeat_other:
            mine = s.submission_id in repeat_own
            candidates = ([sid for sid, author in pool if (author == s.author_id) == mine]
                          or [sid for sid, _ in pool])
            original = candidates[int(rng.integers(len(candidates)))]
            same = author_of[original] == s.author_id
            recipe = _near_copy(rng, recipes[original], place)
        else:
            depts = DEPARTMENTS[s.topic_category]
            recipe = _recipe(rng, s.channel, topic, place, depts[int(rng.integers(len(depts)))])
        recipes[s.submission_id] = recipe
        if s.channel == "提案" and s.date.year == 2022:
            earlier.setdefault(template, []).append((s.submission_id, s.author_id))
        body = _render(recipe)
        if rng.random() < p["resident_p"]:
            name, phone = fake_name(rng), _phone(rng)
            body = f"{name}（电话{phone}）等居民反映，{body}"
            personal += [("submissions", s.submission_id, "name", name),
                         ("submissions", s.submission_id, "phone", phone)]
        if rng.random() < p["contact_p"]:
            name, phone = people.loc[s.author_id, "name"], people.loc[s.author_id, "phone"]
            body = f"{body}（联系人：{name}，联系电话：{phone}）"
            personal += [("submissions", s.submission_id, "name", name),
                         ("submissions", s.submission_id, "phone", phone)]
        coded = topic
        if s.submission_id in miscoded:
            options = TOPICS_TEXT[topic].neighbours
            coded = options[int(rng.integers(len(options)))]
        rows.append((s.submission_id, body, TOPICS_TEXT[coded].zh))
        truth.append((s.submission_id, topic, TOPICS_TEXT[topic].zh, TOPICS_TEXT[coded].zh,
                      coded == topic, original, same))
    texts = pd.DataFrame(rows, columns=["submission_id", "body", "category"])
    truth_frame = pd.DataFrame(truth, columns=["submission_id", "topic", "topic_zh", "category",
                                               "category_agrees", "near_duplicate_of",
                                               "same_author"])
    truth_frame["same_author"] = truth_frame["same_author"].astype("boolean")
    # a repeat and the proposal it copies form a group; copies of one original are each
    # other's near-duplicates too
    originals = set(truth_frame["near_duplicate_of"].dropna())
    truth_frame["near_duplicate_group"] = truth_frame["near_duplicate_of"].where(
        truth_frame["near_duplicate_of"].notna(),
        truth_frame["submission_id"].where(truth_frame["submission_id"].isin(originals)))
    personal_frame = pd.DataFrame(personal, columns=["table", "document_id", "kind", "value"])
    return texts, truth_frame, personal_frame


_STAGE_VERB = {"议题征集": "开展议题征集", "议题筛选": "进行议题筛选", "议题确定": "确定协商议题",
               "议事协商": "开展议事协商", "结果公示": "公示协商结果", "组织实施": "组织实施"}
_STAGE_TEXT = {
    "议题征集": "通过{platform}征集居民意见建议{k}条，经梳理形成候选议题。",
    "议题筛选": "会议对征集到的候选议题逐一讨论，筛选后列入协商议题。",
    "议题确定": "会议确定将该事项作为本轮协商议题，并明确参与协商的各方代表。",
    "结果公示": "协商结果在{platform}进行公示，公示期为{k}天，居民无异议。",
}


def draw_minutes(seed: int, *, sessions: pd.DataFrame, attendance: pd.DataFrame,
                 participants: pd.DataFrame, units: pd.DataFrame
                 ) -> tuple[pd.Series, pd.DataFrame]:
    """Short minutes (会议纪要) of every session, and the personal values written in them.

    Returns
    -------
    (minutes, personal) : tuple
        ``minutes``: a Series of texts aligned with `sessions`; ``personal``: ``table,
        document_id, kind, value`` for every chair named in the minutes.
    """
    rng = np.random.default_rng([seed, MINUTES_STREAM])
    names = dict(zip(units["unit_id"], units["name"], strict=True))
    person = dict(zip(participants["participant_id"], participants["name"], strict=True))
    chairs = attendance[attendance["role"] == "主持人"].drop_duplicates("session_id")
    chair_of = dict(zip(chairs["session_id"], chairs["participant_id"], strict=True))
    templates = sorted(TOPIC_OF_TEMPLATE, key=len, reverse=True)
    texts, personal = [], []
    for s in sessions.itertuples():
        template = next(t for t in templates if str(s.topic).endswith(t))
        topic = TOPICS_TEXT[TOPIC_OF_TEMPLATE[template]]
        date = f"{s.date.year}年{s.date.month}月{s.date.day}日"
        verb = _STAGE_VERB[s.stage]
        head = f"{date}，{names[s.unit_id]}通过{s.platform}就“{s.topic}”{verb}。"
        if s.stage == "议事协商":
            sit = topic.situations[int(rng.integers(len(topic.situations)))]
            sit = sit.format(place=names[s.unit_id], n=int(rng.integers(3, 41)),
                             pct=int(rng.integers(12, 46)))
            body = (f"本次为第{int(s.round)}轮协商，参加{int(s.n_participants)}人。"
                    f"会上，与会代表反映{sit}。")
            if s.consensus:
                sug = topic.suggestions[int(rng.integers(len(topic.suggestions)))]
                body += f"经充分讨论，各方达成共识：{sug}。"
            elif isinstance(s.escalated_to, str):
                body += f"各方意见分歧较大，未能达成共识，议题提交{s.escalated_to}。"
            else:
                body += "各方意见尚未统一，决定下一轮继续协商。"
        elif s.stage in _STAGE_TEXT:
            body = _STAGE_TEXT[s.stage].format(platform=s.platform, k=int(rng.integers(5, 31)))
        elif s.platform == "实施效果评议会":
            body = "会议听取实施情况汇报，组织居民代表对实施效果进行评议。"
        else:
            body = "会议研究制定实施方案，明确责任单位、完成时限和资金来源。"
        text = head + body
        chair = chair_of.get(s.session_id)
        if chair is not None and rng.random() < TEXTS["minutes_chair_p"]:
            text += f"（主持人：{person[chair]}）"
            personal.append(("sessions", s.session_id, "name", person[chair]))
        texts.append(text)
    return (pd.Series(texts, index=sessions.index, name="body"),
            pd.DataFrame(personal, columns=["table", "document_id", "kind", "value"]))
