"""The fourteen text topics of the demo's submissions, with their vocabulary and planted effects.

A submission's title was drawn from one of the 30 title templates of
:data:`~toolkit.datasets.synth.names.TOPICS` (e.g. ``加装电梯``); each template belongs
to exactly one *text topic* below, which is the submission's true topic. The topic
decides the sentences its text is built from (problems, situations, suggestions) and
the planted effect on adoption of a filed proposal (:data:`ADOPTION_LOGODDS`).

Examples
--------
>>> from toolkit.datasets.synth.topics import TOPIC_OF_TEMPLATE, TOPICS_TEXT
>>> TOPIC_OF_TEMPLATE["加装电梯"]
'elevator'
>>> TOPICS_TEXT["canteen"].zh
'社区食堂'
>>> len(TOPICS_TEXT)
14
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.datasets.synth.names import TOPICS

__all__ = ["ADOPTION_INTERCEPT", "ADOPTION_LOGODDS", "TOPICS_TEXT", "TOPIC_OF_TEMPLATE",
           "TextTopic", "template_of_title"]


@dataclass(frozen=True)
class TextTopic:
    """One text topic: labels, title templates, sentence pools and confusable neighbours."""

    code: str
    zh: str
    en: str
    templates: tuple[str, ...]
    problems: tuple[str, ...]
    situations: tuple[str, ...]
    suggestions: tuple[str, ...]
    neighbours: tuple[str, ...]


_T = TextTopic

#: The topics, in a fixed order (the order of codes in the truth files and the datasheet).
TOPICS_TEXT: dict[str, TextTopic] = {t.code: t for t in (
    _T("elevator", "老旧小区加装电梯", "Elevators for old estates", ("加装电梯",),
       ("老旧小区加装电梯推进缓慢", "加装电梯费用分摊难以达成一致", "多层住宅老年住户上下楼困难"),
       ("{place}共有{n}栋无电梯的多层住宅，60岁以上住户占比约{pct}%",
        "部分楼栋因低层住户反对、费用分摊意见不一，加装电梯工作迟迟无法启动",
        "已加装电梯的楼栋存在后期维保费用无人承担的问题",
        "加装电梯涉及规划审批、管线迁改等多个环节，办理周期长"),
       ("简化加装电梯审批流程，推行“一站式”联合审批",
        "制定按楼层分摊费用的指导标准，引导业主协商一致",
        "加大财政补贴力度，探索提取住房公积金用于加装电梯",
        "明确电梯建成后的维保责任主体和资金来源",
        "发挥居民议事会作用，组织低层与高层住户充分协商"),
       ("estate_renovation",)),
    _T("estate_renovation", "老旧小区改造", "Renovation of old estates",
       ("老旧小区改造", "屋顶防水维修"),
       ("老旧小区基础设施老化", "老旧小区改造项目居民参与不足", "屋面渗漏和管网老化问题突出"),
       ("{place}有{n}个建成于2000年以前的老旧小区，雨污管网、屋面防水普遍老化",
        "部分改造项目在设计阶段未充分征求居民意见，施工中矛盾较多",
        "改造后缺乏长效管理机制，部分设施很快又出现损坏",
        "屋顶防水维修资金来源不明确，维修基金使用手续繁琐"),
       ("改造方案在实施前通过居民议事会公示并征求意见",
        "统筹推进雨污分流、屋面防水和外墙保温改造",
        "简化住宅专项维修资金的申请和使用程序",
        "建立改造后的长效管护机制，明确管理责任",
        "将老旧小区改造与完整社区建设结合起来"),
       ("elevator", "property", "back_streets")),
    _T("property", "物业管理", "Property management", ("物业收费标准调整", "楼道杂物清理"),
       ("物业服务质量与收费标准不匹配", "老旧小区物业管理缺位", "楼道杂物堆放存在消防隐患"),
       ("{place}居民对物业服务满意度不高，收费标准多年未调整而服务质量下降",
        "部分小区物业企业退出后长期处于无人管理状态",
        "楼道内堆放杂物、电动车违规充电现象较为普遍，存在消防安全隐患",
        "业主委员会成立率低，业主与物业企业之间缺少沟通平台"),
       ("建立物业服务质量评价与收费标准联动机制",
        "推动成立业主委员会，规范业主大会议事规则",
        "对无物业小区实行社区托管或引入国有物业企业兜底",
        "开展楼道杂物集中清理，落实消防安全责任",
        "将物业管理纳入社区协商议事的重点议题"),
       ("estate_renovation", "governance")),
    _T("parking", "停车难", "Parking shortage", ("停车位规划", "电动车充电桩建设"),
       ("小区停车位严重不足", "电动汽车充电桩建设滞后", "占道停车影响通行和消防通道"),
       ("{place}现有停车位约{n}0个，车位缺口超过{pct}%",
        "夜间车辆占用消防通道和人行道现象突出",
        "居民安装私人充电桩受物业和电力报装限制",
        "周边公共停车场利用率不高，错时共享机制尚未建立"),
       ("挖潜利用边角地块建设立体停车设施",
        "推动机关企事业单位停车场夜间向居民错时开放",
        "统一规划建设公共充电桩，简化私人充电桩报装手续",
        "划定临时停车泊位，加强对占用消防通道行为的管理",
        "通过居民议事会协商制定车位分配办法"),
       ("traffic_safety", "property")),
    _T("back_streets", "背街小巷改造", "Back-street renovation", ("小区道路改造", "小区绿化提升"),
       ("背街小巷路面破损、照明不足", "小区道路和绿化设施年久失修", "背街小巷环境脏乱差"),
       ("{place}内多条背街小巷路面坑洼不平，雨天积水严重",
        "部分路段路灯损坏，夜间出行存在安全隐患",
        "小区绿地被占用种菜、堆物，绿化景观差",
        "架空线缆杂乱，影响街巷环境和安全"),
       ("将背街小巷改造纳入年度城市更新计划",
        "同步实施路面修复、路灯补装和雨水管网改造",
        "推行架空线缆入地或规整",
        "改造方案充分征求沿街居民和商户意见",
        "建立街巷长制，落实日常维护责任"),
       ("estate_renovation", "rural_environment")),
    _T("waste", "垃圾分类", "Waste sorting", ("垃圾分类投放点设置",),
       ("垃圾分类投放点设置不合理", "居民垃圾分类参与率不高", "垃圾分类收运衔接不畅"),
       ("{place}垃圾分类投放点距离部分楼栋较远，定时定点投放执行困难",
        "居民对垃圾分类知晓率较高，但准确投放率仅约{pct}%",
        "存在“前端分类、后端混运”现象，影响居民分类积极性",
        "投放点周边异味和蚊蝇问题引发居民投诉"),
       ("通过居民协商优化投放点布局和投放时间",
        "配备垃圾分类督导员，开展入户宣传指导",
        "规范分类收运，杜绝混装混运",
        "对投放点进行提质改造，配套洗手池和除臭设施",
        "建立垃圾分类积分激励机制"),
       ("rural_environment", "property")),
    _T("rural_environment", "农村人居环境", "Rural living environment", ("河道环境整治",),
       ("农村河道水质变差", "农村生活污水直排问题突出", "村庄环境整治长效机制不健全"),
       ("{place}境内河道沿岸存在生活垃圾堆放和养殖污水直排现象",
        "部分村组生活污水处理设施建成后运行不正常",
        "村庄保洁经费不足，保洁人员配备不到位",
        "河道清淤和岸坡整治需要多个部门协同推进"),
       ("落实河长制，开展河道清淤和岸坡整治",
        "加快村组生活污水收集管网建设，确保设施正常运行",
        "将人居环境整治纳入村规民约，发挥村民议事会作用",
        "保障村庄保洁经费，建立考核评比机制",
        "推进畜禽养殖污染治理"),
       ("waste", "economy")),
    _T("elderly_care", "养老服务", "Elderly care services", ("居家养老服务", "老年活动中心改造"),
       ("居家养老服务供给不足", "老年活动场所设施陈旧", "高龄、独居老人照护困难"),
       ("{place}60岁以上老年人约占常住人口的{pct}%，独居和空巢老人较多",
        "社区养老服务站服务项目少，专业护理人员缺乏",
        "老年活动中心面积小、设施陈旧，难以满足老年人需求",
        "部分高龄老人缺少日常探访和应急救助"),
       ("扩大居家养老上门服务覆盖面，推行助餐、助洁、助医服务",
        "改造提升老年活动中心，增加适老化设施",
        "建立独居高龄老人定期探访制度",
        "引入专业社会组织运营社区养老服务站",
        "探索“时间银行”等互助养老模式"),
       ("canteen", "health")),
    _T("canteen", "社区食堂", "Community canteens", ("养老食堂建设",),
       ("老年人就餐难", "社区食堂运营可持续性差", "社区助餐点覆盖不足"),
       ("{place}尚无社区食堂，行动不便的老人日常就餐主要依靠子女或外卖",
        "已建成的社区食堂因就餐人数少、成本高，运营困难",
        "助餐服务主要集中在街道驻地，偏远小区覆盖不足",
        "部分社区食堂菜品单一，价格对低收入老人偏高"),
       ("利用社区闲置用房建设社区食堂或助餐点",
        "对老年人就餐给予分档补贴",
        "引入餐饮企业连锁运营，提高食堂的可持续性",
        "提供送餐上门服务，覆盖高龄和失能老人",
        "通过居民议事会征求菜品和价格意见"),
       ("elderly_care",)),
    _T("preschool", "学前教育", "Preschool education and childcare", ("社区托育点设置",),
       ("普惠性托育服务供给不足", "学前教育学位紧张", "社区托育点设置不足"),
       ("{place}3岁以下婴幼儿入托率低，普惠托位缺口较大",
        "新建小区配套幼儿园建设滞后，适龄儿童就近入园困难",
        "民办托育机构收费偏高，双职工家庭负担较重",
        "社区托育点场地和师资不足"),
       ("在社区新建或改建普惠性托育点",
        "落实新建小区配套幼儿园同步规划、同步建设、同步交付",
        "对普惠托育机构给予运营补贴",
        "加强托育从业人员培训和监管",
        "鼓励有条件的幼儿园开设托班"),
       ("health", "elderly_care")),
    _T("health", "基层医疗与便民服务", "Primary care and local services",
       ("社区卫生服务站建设", "便民服务点设置"),
       ("社区卫生服务能力不足", "居民看病就医不便", "便民服务网点不足"),
       ("{place}社区卫生服务站医务人员仅{n}名，难以满足居民需求",
        "慢性病老人需要到区级医院开药，往返不便",
        "家庭医生签约服务“签而不约”现象仍然存在",
        "小区周边缺少便民服务点，居民办事需跑多个地方"),
       ("充实社区卫生服务站医务人员和常用药品",
        "推进慢性病长处方和药品配送服务",
        "提升家庭医生签约服务质量",
        "设置社区便民服务点，推行“一站式”办理",
        "推动区级医院专家定期下沉社区坐诊"),
       ("elderly_care",)),
    _T("traffic_safety", "交通出行安全", "Traffic and school-route safety",
       ("公交站点调整", "学校周边交通安全"),
       ("学校周边交通秩序混乱", "公交站点设置不合理", "居民出行存在安全隐患"),
       ("{place}学校上下学时段接送车辆拥堵，学生过马路存在安全隐患",
        "部分公交站点距离居民区较远，线路班次少",
        "部分路口缺少信号灯和减速设施",
        "早晚高峰时段交通拥堵，缺乏有效疏导"),
       ("在学校周边设置护学岗和临时停车区",
        "优化公交线路和站点设置，加密高峰时段班次",
        "增设信号灯、斑马线和减速带",
        "深入开展交通安全宣传教育",
        "组织交警、学校和家长协商解决接送问题"),
       ("parking",)),
    _T("governance", "矛盾纠纷与社会治安", "Disputes and public order",
       ("邻里纠纷调解机制", "夜间治安巡逻", "群租房管理", "噪声扰民治理", "居民公约修订"),
       ("邻里纠纷调解机制不健全", "群租房管理存在安全隐患", "夜间噪声扰民问题突出"),
       ("{place}邻里之间因漏水、噪声、占道等问题引发的纠纷时有发生",
        "部分群租房人员流动性大，存在消防和治安隐患",
        "夜间烧烤、广场舞噪声扰民引发居民投诉",
        "居民公约内容陈旧，约束力不强"),
       ("完善人民调解、行政调解和司法调解联动机制",
        "建立群租房登记和定期检查制度",
        "加强夜间巡逻，依法治理噪声扰民",
        "通过居民议事会修订居民公约",
        "发挥“两代表一委员”工作室作用，及时化解矛盾纠纷"),
       ("property",)),
    _T("economy", "就业与营商环境", "Jobs and business environment",
       ("农贸市场改造", "就业技能培训", "特色产业发展", "营商环境优化"),
       ("农贸市场设施落后", "就业技能培训针对性不强", "中小企业经营困难"),
       ("{place}农贸市场建成多年，排水、通风条件差，周边占道经营严重",
        "就业技能培训与企业用工需求衔接不够",
        "特色产业规模小、链条短，带动农民增收能力有限",
        "企业反映部分审批事项办理时间长、环节多"),
       ("对农贸市场进行标准化改造",
        "围绕企业用工需求开展订单式技能培训",
        "培育特色产业龙头企业，延长产业链条",
        "深化“放管服”改革，压缩审批时限",
        "建立政企常态化沟通机制"),
       ("rural_environment",)),
)}

#: Title template → text topic code (every template of ``names.TOPICS`` has one).
TOPIC_OF_TEMPLATE: dict[str, str] = {tpl: t.code for t in TOPICS_TEXT.values()
                                     for tpl in t.templates}

#: Planted effect of the true topic on adoption (采纳) of a filed (立案) proposal, in
#: log-odds relative to the intercept: logit P(采纳 | 立案) = intercept + effect[topic].
ADOPTION_INTERCEPT = -0.2
ADOPTION_LOGODDS: dict[str, float] = {
    "elevator": 1.0, "estate_renovation": 0.4, "property": -0.8, "parking": -0.6,
    "back_streets": 0.3, "waste": 0.0, "rural_environment": 0.2, "elderly_care": 0.8,
    "canteen": 1.2, "preschool": 0.5, "health": 0.0, "traffic_safety": -0.3,
    "governance": -0.4, "economy": -1.0,
}


def template_of_title(title: str) -> str:
    """The title template inside a submission title (``关于加装电梯的提案`` → ``加装电梯``).

    Examples
    --------
    >>> template_of_title("关于垃圾分类投放点设置问题的情况反映")
    '垃圾分类投放点设置'
    >>> template_of_title("推进居家养老服务的大会发言")
    '居家养老服务'
    """
    for prefix, suffix in (("关于", "问题的情况反映"), ("关于", "的提案"), ("推进", "的大会发言")):
        if title.startswith(prefix) and title.endswith(suffix):
            return title[len(prefix):-len(suffix)]
    msg = f"Not a demo submission title: {title!r}."
    raise ValueError(msg)


def _check() -> None:
    known = {tpl for tpls in TOPICS.values() for tpl in tpls}
    if set(TOPIC_OF_TEMPLATE) != known:
        msg = "Every title template needs exactly one text topic."
        raise RuntimeError(msg)


_check()
