"""Sections on what consultation achieves: the process of sessions, responses to submissions."""

from __future__ import annotations

import math

import pandas as pd

import toolkit as tk
from toolkit import schema
from toolkit.report._format import fmt_count, fmt_p
from toolkit.report.demo._section import (
    Context,
    Section,
    measure,
    num,
    pct,
    pct_ci,
    rates_table,
    t,
)

__all__ = ["process", "responsiveness"]

#: The stage of sessions whose consensus the cross-table compares, online and offline.
CONSULTATION = schema.VOCABULARIES["stage"].normalise("consultation")


def _online(platforms: pd.Series, lang: str) -> list[str]:
    vocab = schema.VOCABULARIES["platform"]
    return [t(lang, "线上", "Online") if vocab.group_of(p) == "online" else t(lang, "线下",
                                                                               "Offline")
            for p in platforms.astype(str)]


def _p(p: float, lang: str) -> str:
    """'p = 0.037' / 'p < 0.001'."""
    text = fmt_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def _rate(ctx: Context, rates: pd.DataFrame, name: str, key: str) -> pd.Series | None:
    """The row of measure `name`, its estimate and interval kept as facts under `key`."""
    rows = rates[rates["measure"] == name]
    if not len(rows):
        return None
    row = rows.iloc[0]
    for col in ("estimate", "ci_low", "ci_high", "successes", "n"):
        ctx.fact(f"{key}_{col}", row[col])
    return row


def _finite(x: object) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _days(median: float, low: float, high: float, lang: str) -> str:
    """'109 天（95%置信区间 103–116 天）', allowing for limits the data cannot reach."""
    if not _finite(median):
        return t(lang, "尚未达到（数据截止时仍有一半以上未完成）",
                 "not reached (more than half were still waiting when the data end)")
    if _finite(low) and _finite(high):
        interval = t(lang, f"95%置信区间 {num(low, 0)}–{num(high, 0)} 天",
                     f"95% CI {num(low, 0)}–{num(high, 0)} days")
    elif _finite(low):
        interval = t(lang, f"95%置信区间下限 {num(low, 0)} 天，上限无法估计",
                     f"95% CI from {num(low, 0)} days, upper limit not estimable")
    else:
        interval = t(lang, "置信区间无法估计", "confidence interval not estimable")
    return t(lang, f"{num(median, 0)} 天（{interval}）", f"{num(median, 0)} days ({interval})")


def process(ctx: Context) -> Section:
    """Consensus, escalation and implementation rates, rounds, time to implementation."""
    lang, study = ctx.lang, ctx.study
    sec = Section("process", t(lang, "协商过程", "Consultation process"))
    sec.concepts |= {"ci"}
    res = tk.stats.sessions(study)
    rates = res.rates
    cons = _rate(ctx, rates, "consensus_rate", "consensus")
    impl = _rate(ctx, rates, "implementation_rate", "implementation")
    esc = _rate(ctx, rates, "escalation_rate", "escalation")
    parts_zh, parts_en = [], []
    if cons is not None:
        parts_zh.append(f"在 {fmt_count(cons['n'])} 场议事协商中，{pct(cons['estimate'])}"
                        f"达成共识（{pct_ci(cons['ci_low'], cons['ci_high'], 'zh')}）")
        parts_en.append(f"{pct(cons['estimate'])} of {fmt_count(cons['n'])} consultation "
                        f"sessions reached consensus "
                        f"({pct_ci(cons['ci_low'], cons['ci_high'], 'en')})")
    if impl is not None:
        parts_zh.append(f"达成共识的议题中 {pct(impl['estimate'])} 已经落实"
                        f"（{pct_ci(impl['ci_low'], impl['ci_high'], 'zh')}）")
        parts_en.append(f"{pct(impl['estimate'])} of the topics agreed were implemented "
                        f"({pct_ci(impl['ci_low'], impl['ci_high'], 'en')})")
    if esc is not None:
        parts_zh.append(f"{pct(esc['estimate'])} 的议题提交居民会议等上一级会议")
        parts_en.append(f"{pct(esc['estimate'])} of topics were referred to a residents' "
                        "meeting or a higher body")
    if parts_zh:
        sec.text(t(lang, "；".join(parts_zh) + "。比例按活动台账的登记计算；台账记录的“共识”"
                   "“落实”是基层的自我报告，未经独立核实。",
                   "; ".join(parts_en) + ". The shares are computed from the session ledgers; "
                   "“consensus” and “implemented” are as the ledgers report them, not "
                   "independently verified."))
    if cons is not None and impl is not None:
        sec.summary.append(t(
            lang,
            f"议事协商的共识率为 {pct(cons['estimate'])}"
            f"（{pct_ci(cons['ci_low'], cons['ci_high'], 'zh')}），"
            f"达成共识的议题落实率为 {pct(impl['estimate'])}"
            f"（{pct_ci(impl['ci_low'], impl['ci_high'], 'zh')}）。",
            f"{pct(cons['estimate'])} of consultation sessions reached consensus "
            f"({pct_ci(cons['ci_low'], cons['ci_high'], 'en')}) and {pct(impl['estimate'])} "
            f"of agreed topics were implemented "
            f"({pct_ci(impl['ci_low'], impl['ci_high'], 'en')}).",
        ))
        sec.findings.append(sec.summary[-1] + t(
            lang, "“共识”与“落实”依据台账自报。", " Consensus and implementation are as the "
            "ledgers report them."))
    sec.table(rates_table(rates, lang), t(lang, "协商过程指标", "Process measures"),
              digits=1, suppress=False,
              notes=[t(lang, "置信区间为 Wilson 区间。", "Wilson confidence intervals.")])
    if res.rounds is not None and len(res.rounds):
        r = res.rounds.assign(share=100 * res.rounds["share"]).rename(columns={
            "rounds": t(lang, "达成共识的轮次", "Round of consensus"),
            "n": t(lang, "议题数", "Topics"), "share": t(lang, "占比（%）", "Percent")})
        first = res.rounds.iloc[0]
        ctx.fact("first_round_share", first["share"])
        sec.text(t(lang, f"达成共识的议题中，{pct(first['share'])} 在第 {int(first['rounds'])} "
                         "轮协商即达成共识（下表）。",
                   f"Of the topics that reached consensus, {pct(first['share'])} did so in "
                   f"round {int(first['rounds'])} (table below)."))
        sec.table(r, t(lang, "议题达成共识所需轮次", "Rounds to consensus"), digits=1,
                  suppress=False)
    _platforms(ctx, sec)
    _implementation_time(ctx, sec, res)
    sec.methods.append(t(
        lang,
        "协商过程：共识率、落实率等为比例，置信区间用 Wilson 方法（tk.stats.sessions）；"
        "线上线下的比较用 Rao–Scott 校正的卡方检验；从协商到落实的时间用 Kaplan–Meier 估计，"
        "组间比较用 log-rank 检验（tk.stats.logrank，与 R survival::survdiff 一致）。",
        "Process: consensus and implementation rates are proportions with Wilson intervals "
        "(tk.stats.sessions); online and offline are compared with the Rao–Scott corrected "
        "chi-square test; time from consultation to implementation by Kaplan–Meier, groups "
        "compared by the log-rank test (tk.stats.logrank, as R's survival::survdiff)."))
    return sec


def _platforms(ctx: Context, sec: Section) -> None:
    lang = ctx.lang
    sessions = ctx.study.table("sessions")
    title = t(lang, "线上与线下平台的共识情况", "Consensus on online and offline platforms")
    needed = ["consensus", "platform", "stage"]
    if not set(needed) <= set(sessions.columns):
        sec.skip("process.platforms", title, ctx.no_column("sessions", *needed))
        return
    part = sessions[sessions["stage"].astype(str) == CONSULTATION].copy()
    part["platform_group"] = _online(part["platform"], lang)
    if part["platform_group"].nunique() < 2 or part["consensus"].nunique() < 2:
        sec.skip("process.platforms", title, t(lang, "只有一类平台或一种结果，无从比较",
                                               "only one kind of platform or outcome"))
        return
    sec.concepts |= {"pvalue", "association"}
    tab = tk.stats.Design(part).crosstab("platform_group", "consensus")
    test = tab.attrs.get("test") or {}
    cells = tab.pivot_table(index="platform_group", columns="consensus", values="total",
                            aggfunc="sum")
    share = (cells[True] / cells.sum(axis=1)).to_dict()
    on, off = t(lang, "线上", "Online"), t(lang, "线下", "Offline")
    if on in share and off in share and "p_value" in test:
        ctx.fact("consensus_online", share[on])
        ctx.fact("consensus_offline", share[off])
        ctx.fact("consensus_platform_p", test["p_value"])
        higher = share[off] > share[on]
        significant = test["p_value"] < 0.05
        sec.text(t(
            lang,
            f"线下平台议事的共识率为 {pct(share[off])}，线上为 {pct(share[on])}"
            + ("；差别在统计上显著" if significant else "；差别在统计上不显著")
            + f"（Rao–Scott 检验，{_p(test['p_value'], 'zh')}）。"
            + ("线上与线下所议的议题和参与者不同，这一差别不能归因于平台本身。"),
            f"{pct(share[off])} of offline and {pct(share[on])} of online consultation "
            "sessions reached consensus; the difference is "
            + ("statistically significant" if significant else "not statistically significant")
            + f" (Rao–Scott test, {_p(test['p_value'], 'en')}). Online and offline sessions "
            "deal with different topics and people, so the difference cannot be put down to "
            "the platform itself.",
        ))
        if significant:
            sec.findings.append(t(
                lang,
                f"{'线下' if higher else '线上'}议事的共识率较高（线下 {pct(share[off])}，线上 "
                f"{pct(share[on])}，{_p(test['p_value'], 'zh')}），但这是平台与议题、参与者共同"
                "作用下的关联。",
                f"{'Offline' if higher else 'Online'} sessions reach consensus more often "
                f"(offline {pct(share[off])}, online {pct(share[on])}, "
                f"{_p(test['p_value'], 'en')}), an association that also reflects the topics "
                "and people of each platform.",
            ))
    sec.table(tk.report.crosstab_table(tab, labels={"platform_group": t(lang, "平台类型",
                                                                        "Platform type")},
                                       lang=lang), title)


def _implementation_time(ctx: Context, sec: Section, res: object) -> None:
    lang = ctx.lang
    title = t(lang, "议题从协商到落实的时间（Kaplan–Meier估计）",
              "Time from consultation to implementation (Kaplan–Meier)")
    lags = res.lags
    if not len(res.km) or lags is None or not len(lags):
        sec.skip("process.km", title, t(lang, "没有可计算落实时间的议题",
                                        "no topic has a date of implementation to time"))
        return
    sec.concepts |= {"censoring"}
    row = lags.iloc[0]
    median = ctx.fact("implementation_median_days", row["median_days"])
    ctx.fact("implementation_median_low", row["ci_low"])
    ctx.fact("implementation_median_high", row["ci_high"])
    censored = ctx.fact("implementation_censored", row["n_censored"])
    text_zh = (f"在 {fmt_count(row['n'])} 个议题中，{fmt_count(row['n_events'])} 个在数据截止前"
               f"落实，{fmt_count(censored)} 个尚未落实（删失）。按 Kaplan–Meier 估计，议题从首次"
               f"协商到落实的中位时间为 {_days(median, row['ci_low'], row['ci_high'], 'zh')}。")
    text_en = (f"Of {fmt_count(row['n'])} topics, {fmt_count(row['n_events'])} were "
               f"implemented before the data end and {fmt_count(censored)} not yet (censored). "
               "By Kaplan–Meier, the median time from a topic's first session to its "
               f"implementation is {_days(median, row['ci_low'], row['ci_high'], 'en')}.")
    study = ctx.study
    if "platform" in study.table("sessions").columns:
        table = tk.stats.lag_table(study, kind="sessions", by=["platform"])
        table = table.assign(group=_online(table["platform"], lang))
        if table["group"].nunique() == 2:
            sec.concepts |= {"pvalue"}
            test = tk.stats.logrank(table, time="days", event="event", by="group")
            ctx.fact("implementation_logrank_p", test.p_value)
            significant = test.p_value < 0.05
            counts = test.table.set_index("group")
            faster = str((counts["observed"] - counts["expected"]).idxmax())
            text_zh += ("线上与线下议题的落实时间" + ("有" if significant else "没有")
                        + f"统计上可靠的差别（log-rank 检验 χ²({test.df}) = "
                        f"{num(test.statistic, 2)}，{_p(test.p_value, 'zh')}）"
                        + (f"，{faster}议题落实得较快（落实数多于两组无差别时的期望）。"
                           if significant else "。"))
            text_en += (" Online and offline topics " + ("differ" if significant else
                                                        "do not differ reliably")
                        + f" in time to implementation (log-rank test χ²({test.df}) = "
                        f"{num(test.statistic, 2)}, {_p(test.p_value, 'en')})"
                        + (f"; {faster.lower()} topics are implemented sooner (more "
                           "implementations than expected if the two did not differ)."
                           if significant else "."))
    sec.text(t(lang, text_zh, text_en))
    ax = tk.plot.survival(tk.stats.lag_table(study, kind="sessions"), time="days",
                          event="event", at_risk=True, lang=lang,
                          ylabel=t(lang, "尚未落实的比例", "Share not yet implemented"))
    sec.figure(ax, title, "km_implementation")


def responsiveness(ctx: Context) -> Section:
    """Adoption, instruction and response rates, the stated goals tested, time to response."""
    lang, study = ctx.lang, ctx.study
    sec = Section("responsiveness", t(lang, "提案与社情民意信息的回应性",
                                      "Responsiveness to submissions"))
    sec.concepts |= {"ci"}
    subs = study.table("submissions")
    claim = {k: 1.0 for k, col in (("instructed", "instructions"), ("responded", "responded"))
             if col in subs.columns}
    res = tk.stats.submissions(study, claim=claim or None)
    n = ctx.fact("submissions", len(subs))
    adopt = _rate(ctx, res.rates, "adoption_rate", "adoption")
    instr = _rate(ctx, res.rates, "instruction_rate", "instruction")
    resp = _rate(ctx, res.rates, "response_rate", "response")
    bits_zh, bits_en = [], []
    for row, zh, en in ((adopt, "被采用", "were adopted"),
                        (instr, "获得领导批示", "received a leader's instruction"),
                        (resp, "得到回应", "received a response")):
        if row is not None:
            bits_zh.append(f"{pct(row['estimate'])} {zh}"
                           f"（{pct_ci(row['ci_low'], row['ci_high'], 'zh')}）")
            bits_en.append(f"{pct(row['estimate'])} {en} "
                           f"({pct_ci(row['ci_low'], row['ci_high'], 'en')})")
    sec.text(t(lang, f"共 {fmt_count(n)} 件提案与社情民意信息，其中" + "，".join(bits_zh) + "。",
               f"Of {fmt_count(n)} proposals and public-opinion reports, " + ", ".join(bits_en)
               + "."))
    if resp is not None:
        sec.summary.append(t(
            lang,
            f"{fmt_count(n)} 件提案与信息的回应率为 {pct(resp['estimate'])}"
            f"（{pct_ci(resp['ci_low'], resp['ci_high'], 'zh')}）"
            + (f"，采用率为 {pct(adopt['estimate'])}" if adopt is not None else "") + "。",
            f"{pct(resp['estimate'])} of {fmt_count(n)} submissions received a response "
            f"({pct_ci(resp['ci_low'], resp['ci_high'], 'en')})"
            + (f" and {pct(adopt['estimate'])} were adopted" if adopt is not None else "")
            + ".",
        ))
        sec.findings.append(sec.summary[-1] + t(
            lang, "数据只记录正式的书面回应，不反映回应的质量。",
            " The data record formal written responses only, not their quality."))
    sec.table(rates_table(res.rates, lang), t(lang, "提案与信息的办理指标",
                                              "Handling of submissions"), digits=1,
              suppress=False,
              notes=[t(lang, "置信区间为 Wilson 区间。", "Wilson confidence intervals.")])
    if res.claims is not None and len(res.claims):
        _claims(ctx, sec, res.claims)
    _response_time(ctx, sec, res)
    sec.methods.append(t(
        lang,
        "回应性：采用率、批示率、回应率为比例，Wilson 置信区间；工作目标按 Clopper–Pearson "
        "精确区间与二项检验核对（tk.stats.submissions）；回应时间用 Kaplan–Meier 估计，数据"
        "截止时尚未回应的件作删失处理，渠道间比较用 log-rank 检验。",
        "Responsiveness: adoption, instruction and response rates are proportions with "
        "Wilson intervals; stated goals are checked with Clopper–Pearson exact intervals and "
        "the binomial test (tk.stats.submissions); time to response by Kaplan–Meier, pieces "
        "without a response when the data end being censored; channels compared by the "
        "log-rank test."))
    return sec


def _claims(ctx: Context, sec: Section, claims: pd.DataFrame) -> None:
    """The stated goals (件件有批示、事事有回应) checked honestly against the records."""
    lang = ctx.lang
    rows, sentences_zh, sentences_en = [], [], []
    for _, c in claims.iterrows():
        short = int(c["n"] - c["successes"])
        key = str(c["measure"])
        ctx.fact(f"claim_{key}_short", short)
        rows.append({
            "claim": measure(key, lang), "goal": pct(c["claimed"], 0),
            "observed": f"{fmt_count(c['successes'])}/{fmt_count(c['n'])}",
            "estimate": 100 * c["estimate"], "ci_low": 100 * c["ci_low"],
            "ci_high": 100 * c["ci_high"],
            "verdict": (t(lang, f"未达到：{fmt_count(short)} 件没有", f"not met: {short:,} "
                                                                    "pieces without")
                        if short else t(lang, "达到", "met"))})
        sentences_zh.append(f"{fmt_count(short)} 件没有{measure(key, 'zh')}记录")
        sentences_en.append(f"{fmt_count(short)} have no record of being "
                            f"{measure(key, 'en').lower()}")
    sec.text(t(
        lang,
        "“件件有批示、事事有回应”是工作目标。把它当作可以核对的说法，要看的是：是否每一件都有"
        "批示、每一件都有回应。数据中" + "，".join(sentences_zh) + "，因此按字面理解，这一目标在"
        "数据截止时尚未实现。目标定为100%时，只要有一件未达到就不成立，检验的p值不提供额外"
        "信息，下表只列比例及其精确置信区间。数据只记录正式的批示和书面回应，不能说明其余各件"
        "是否以其他方式得到处理，也不能说明回应的质量；临近数据截止日报送的件可能仍在办理中。",
        "“An instruction for every piece, a response to every matter” is a stated goal. "
        "Checked as a claim, the question is whether every piece got an instruction and "
        "every piece a response. In the data, " + "; ".join(sentences_en) + ", so taken "
        "literally the goal was not met when the data end. A goal of 100% fails as soon as "
        "one piece falls short, so a test's p-value adds nothing; the table gives the shares "
        "with exact confidence intervals. The data record formal instructions and written "
        "responses only: they cannot say whether the other pieces were dealt with in other "
        "ways, nor how good the responses were, and pieces submitted shortly before the data "
        "end may still be in hand.",
    ))
    frame = pd.DataFrame(rows).rename(columns={
        "claim": t(lang, "目标", "Goal"), "goal": t(lang, "目标值", "Target"),
        "observed": t(lang, "实际件数/基数", "Pieces/base"),
        "estimate": t(lang, "实际比例（%）", "Percent"),
        "ci_low": t(lang, "精确95%CI下限", "Exact CI low"),
        "ci_high": t(lang, "精确95%CI上限", "Exact CI high"),
        "verdict": t(lang, "核对结果", "Result")})
    sec.table(frame, t(lang, "工作目标与实际办理情况的核对", "Stated goals checked against the "
                       "records"), digits=1, suppress=False,
              notes=[t(lang, "置信区间为 Clopper–Pearson 精确区间。",
                       "Clopper–Pearson exact confidence intervals.")])


def _response_time(ctx: Context, sec: Section, res: object) -> None:
    lang, study = ctx.lang, ctx.study
    title = t(lang, "从报送到回应的时间（按渠道）", "Time to response by channel")
    subs = study.table("submissions")
    if "channel" not in subs.columns:
        sec.skip("responsiveness.km", title, ctx.no_column("submissions", "channel"))
        return
    by = tk.stats.submissions(study, by="channel")
    if not len(by.km):
        sec.skip("responsiveness.km", title, t(lang, "没有可计算回应时间的提案与信息",
                                               "no submission has a response date to time"))
        return
    sec.concepts |= {"censoring"}
    overall = res.lags.iloc[0]
    median = ctx.fact("response_median_days", overall["median_days"])
    ctx.fact("response_median_low", overall["ci_low"])
    ctx.fact("response_median_high", overall["ci_high"])
    censored = ctx.fact("response_censored", overall["n_censored"])
    per = by.lags
    channels_zh = "，".join(
        f"{schema.label('channel', r['channel'], lang='zh')} "
        f"{_days(r['median_days'], r['ci_low'], r['ci_high'], 'zh').split('（')[0]}"
        for _, r in per.iterrows())
    channels_en = ", ".join(
        f"{schema.label('channel', r['channel'], lang='en')} "
        f"{_days(r['median_days'], r['ci_low'], r['ci_high'], 'en').split(' (')[0]}"
        for _, r in per.iterrows())
    text_zh = (f"数据截止时有 {fmt_count(censored)} 件尚未得到回应（删失）。按 Kaplan–Meier "
               "估计，从报送到回应的中位时间为 "
               f"{_days(median, overall['ci_low'], overall['ci_high'], 'zh')}；"
               f"各渠道的中位时间为：{channels_zh}。")
    text_en = (f"When the data end, {fmt_count(censored)} pieces have no response yet "
               "(censored). By Kaplan–Meier, the median time from submission to response is "
               f"{_days(median, overall['ci_low'], overall['ci_high'], 'en')}; by channel: "
               f"{channels_en}.")
    table = tk.stats.lag_table(study)
    if table["channel"].nunique() >= 2:
        sec.concepts |= {"pvalue"}
        test = tk.stats.logrank(table, time="days", event="event", by="channel")
        p = ctx.fact("response_logrank_p", test.p_value)
        significant = p < 0.05
        text_zh += ("各渠道的回应时间" + ("有" if significant else "没有")
                    + f"统计上可靠的差别（log-rank 检验 χ²({test.df}) = "
                    f"{num(test.statistic, 2)}，{_p(p, 'zh')}）"
                    + ("。" if significant else "，上述中位时间的差异可能只是随机波动。"))
        text_en += (" The channels " + ("differ" if significant else "do not differ reliably")
                    + f" in time to response (log-rank test χ²({test.df}) = "
                    f"{num(test.statistic, 2)}, {_p(p, 'en')})"
                    + ("." if significant else "; the differences between the medians may be "
                       "chance."))
        sec.findings.append(t(
            lang,
            "从报送到回应的中位时间为 "
            f"{_days(median, overall['ci_low'], overall['ci_high'], 'zh')}，各渠道之间"
            + ("有" if significant else "没有") + f"可靠差别（{_p(p, 'zh')}）。",
            "The median time to response is "
            f"{_days(median, overall['ci_low'], overall['ci_high'], 'en')}; channels "
            + ("differ" if significant else "do not differ reliably") + f" ({_p(p, 'en')}).",
        ))
    sec.text(t(lang, text_zh, text_en))
    ax = tk.plot.survival(tk.stats.lag_table(study), time="days", event="event",
                          by="channel", at_risk=True, lang=lang,
                          ylabel=t(lang, "尚未回应的比例", "Share without response"))
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_text(schema.label("channel", text.get_text(), lang=lang))
        legend.set_title(t(lang, "报送渠道", "Channel"))
    sec.figure(ax, title, "km_response")
