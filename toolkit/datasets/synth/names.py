"""Name pools and vocabularies of the demo district (places, people, topics, sectors).

Everything here is invented; the draws that use these pools live in the model
modules (:mod:`.district`, :mod:`.consultation`, :mod:`.survey`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from toolkit.schema import VOCABULARIES

STREETS = ["青云街道", "白鹭街道", "金桥街道", "翠湖街道", "望江街道", "新城街道"]
TOWNS = ["松林镇", "石门镇", "桃源镇", "柳溪镇", "龙泉镇", "梅岭镇", "杏花镇", "云台镇"]
COMMUNITIES_PER_TOWN = [12, 11, 10, 10, 9, 9, 10, 10, 11, 9, 10, 9, 10, 9]
NAME_FIRST = "东西南北新红长光和幸团胜向丰荷桂杨竹清石马凤金银玉春秋"
NAME_SECOND = "风星福平明华园林泉桥山湖岭坪湾塘"

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
             "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹")
GIVEN = "华明芳军敏静丽强磊洋艳勇娟涛杰秀霞平刚桂英玉兰红梅建国文斌志华"

DEPARTMENTS = {
    "住房与小区": ["区住房和城乡建设局", "区房屋征收服务中心"],
    "交通与停车": ["区交通运输局", "区城市管理局"],
    "环境卫生": ["区生态环境分局", "区城市管理局"],
    "养老与托育": ["区民政局", "区卫生健康局"],
    "公共服务": ["区教育局", "区卫生健康局", "区人力资源和社会保障局"],
    "社会治理": ["区司法局", "区公安分局", "区信访局"],
    "经济发展": ["区发展和改革局", "区商务局", "区农业农村局"],
}

TOPICS = {
    "住房与小区": ["加装电梯", "老旧小区改造", "物业收费标准调整", "楼道杂物清理", "屋顶防水维修"],
    "交通与停车": ["停车位规划", "电动车充电桩建设", "小区道路改造", "公交站点调整"],
    "环境卫生": ["垃圾分类投放点设置", "河道环境整治", "小区绿化提升", "噪声扰民治理"],
    "养老与托育": ["养老食堂建设", "社区托育点设置", "居家养老服务", "老年活动中心改造"],
    "公共服务": ["社区卫生服务站建设", "学校周边交通安全", "便民服务点设置"],
    "社会治理": ["邻里纠纷调解机制", "夜间治安巡逻", "群租房管理", "居民公约修订"],
    "经济发展": ["农贸市场改造", "就业技能培训", "特色产业发展", "营商环境优化"],
}
TOPIC_CATEGORY_P = [0.26, 0.18, 0.16, 0.14, 0.10, 0.10, 0.06]

OFFLINE_CONSULT = {  # offline platforms of consultation rounds in a community
    "居民议事会": 0.35, "协商议事室": 0.20, "社区恳谈会": 0.15, "项目听证会": 0.10,
    "四方交流平台": 0.15, "民主对话会": 0.05,
}
ONLINE_CONSULT = {
    "微信群": 0.35, "小区云论坛": 0.20, "居民投票小程序": 0.15, "网络议政平台": 0.15,
    "在线表单": 0.10, "邮件反馈": 0.03, "客服热线": 0.02,
}
ONLINE = frozenset(t.zh for t in VOCABULARIES["platform"].terms if t.group == "online")

SECTOR_P = {
    "中国共产党": 0.16, "民主党派": 0.12, "无党派人士": 0.04, "共青团": 0.03, "工会": 0.04,
    "妇联": 0.04, "工商联": 0.08, "科技界": 0.05, "教育界": 0.07, "文化艺术界": 0.05,
    "医药卫生界": 0.07, "经济界": 0.08, "农业界": 0.06, "社会福利和社会保障界": 0.03,
    "少数民族界": 0.02, "宗教界": 0.01, "特邀人士": 0.01,
}
COMMITTEE_SIZES = {
    "提案委员会": 50, "经济委员会": 48, "社会和法制委员会": 47, "文化文史和学习委员会": 45,
    "农业农村委员会": 45, "办公室": 10,
}
ORG_BY_SECTOR = {
    "教育界": "区第{}中学", "医药卫生界": "区第{}人民医院", "科技界": "云溪科技园{}号企业",
    "经济界": "云溪{}号商贸公司", "工商联": "云溪{}号民营企业", "农业界": "云溪第{}农业合作社",
    "文化艺术界": "区第{}文化馆", "社会福利和社会保障界": "区第{}社会福利院",
}

AGE_BANDS = VOCABULARIES["age_band"].categories
EDUCATION = {1: "小学及以下", 2: "初中", 3: "高中/中专", 4: "大专", 5: "本科及以上"}
LIKERT_SAT = {1: "非常不满意", 2: "不太满意", 3: "一般", 4: "比较满意", 5: "非常满意"}
LIKERT_AGREE = {1: "非常不同意", 2: "不太同意", 3: "一般", 4: "比较同意", 5: "非常同意"}
LIKERT_TRUST = {1: "非常不信任", 2: "不太信任", 3: "一般", 4: "比较信任", 5: "非常信任"}
MISSING_CODES = {98: "不知道", 99: "拒答"}
YESNO = {0: "否", 1: "是"}


def fake_name(rng: np.random.Generator) -> str:
    """An invented name of the anonymised form 王某华 (surname + 某 + one character)."""
    return rng.choice(list(SURNAMES)) + "某" + rng.choice(list(GIVEN))


def id_card_number(region: str, birth: dt.date, seq: int, *, male: bool) -> str:
    """An 18-character mainland ID-card number with a valid ISO 7064 MOD 11-2 check digit."""
    sex_digit = seq * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{sex_digit % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def draw_choice(rng: np.random.Generator, probs: dict[str, float], size: int | None = None) -> Any:
    """Draw key(s) of `probs` with probabilities proportional to its values."""
    keys = list(probs)
    p = np.asarray(list(probs.values()), dtype=float)
    return rng.choice(keys, size=size, p=p / p.sum())
