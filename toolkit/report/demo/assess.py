"""Sections that call the report sections of other namespaces: members' evaluation, texts.

:func:`evaluation` runs ``tk.evaluate.evaluate`` on the members' activity
ledger with the bundled ``member_default`` index system and lays out
``tk.report.evaluation_section``; :func:`concerns` lays out
``tk.report.concerns_section`` (民意关切) on the submitted texts. Both only add
the sentences that read their results.
"""

from __future__ import annotations

import pandas as pd

import toolkit as tk
from toolkit.report._format import fmt_count
from toolkit.report.demo._section import Context, Section, num, pct, t

__all__ = ["SYSTEM", "concerns", "evaluation"]

#: The bundled index system of the members' evaluation.
SYSTEM = "member_default"
#: Seed of the Monte Carlo replications of the ranks and of the topic model.
SEED = 20231108


def evaluation(ctx: Context) -> Section:
    """Members' evaluation (委员履职评价) from the activity ledger, with rank uncertainty."""
    lang = ctx.lang
    ev = tk.evaluate.evaluate(ctx.study, system=SYSTEM, seed=SEED)
    made = tk.report.evaluation_section(ev, lang=lang, top=10)
    sec = Section("evaluation", made.title)
    sec.text(made.intro)
    league = ev.league_table()
    league = league[league["rank"].notna()]
    n = ctx.fact("evaluated", len(league))
    u = ev.uncertainty
    if u is not None and len(league):
        first = league.iloc[0]
        width = ctx.fact("rank_interval_median_width", u.median_width)
        ctx.fact("top_rank_low", first["rank_low"])
        ctx.fact("top_rank_high", first["rank_high"])
        share = f"{100 * ctx.fact('rank_interval_level', u.interval):.0f}%"
        sec.text(t(
            lang,
            f"综合得分最高的委员为 {first[ev.id]}（{num(first['score'], 1)} 分），其 {share}排名"
            f"区间为第 {int(first['rank_low'])}–{int(first['rank_high'])} 位。全部 {fmt_count(n)} "
            f"名委员排名区间的中位宽度为 {num(width, 0)} 位：换一种合理的标准化、赋权或合成方法，"
            "多数委员的名次会移动几十位。因此名次相近的委员之间不宜比较高低，排名更适合用来"
            "发现明显靠前或靠后的群体，而不是排定每个人的先后。",
            f"The highest-scoring member is {first[ev.id]} ({num(first['score'], 1)} points), "
            f"with a {share} rank interval of {int(first['rank_low'])}–"
            f"{int(first['rank_high'])}. The median width of the rank intervals of all "
            f"{fmt_count(n)} members is {num(width, 0)} ranks: with another reasonable choice of "
            "normalisation, weights or aggregation, most members move by dozens of places. "
            "Members with close ranks should therefore not be compared; the ranks serve to find "
            "clearly leading or trailing groups, not to order every individual.",
        ))
        sec.summary.append(t(
            lang,
            f"{fmt_count(n)} 名委员履职综合得分的 {share}排名区间中位宽度为 {num(width, 0)} 位。",
            f"The {share} rank intervals of the {fmt_count(n)} members' performance scores "
            f"have a median width of {num(width, 0)} ranks."))
        sec.findings.append(t(
            lang,
            f"{fmt_count(n)} 名委员的履职综合得分排名不确定性较大：{share}排名区间的中位宽度为 "
            f"{num(width, 0)} 位，名次相近者之间的差别不可靠。",
            f"The ranks of the {fmt_count(n)} members' performance scores are uncertain: the "
            f"median width of the {share} rank intervals is {num(width, 0)} ranks, so close "
            "ranks do not differ reliably.",
        ))
    for table in made.tables:
        sec.table(table, None)
    sec.heading(t(lang, "评价方法", "How the index was built"))
    sec.text(made.method_note)
    sec.methods.append(t(
        lang,
        f"委员履职评价：指标体系为内置的 {SYSTEM}，指标取自履职台账、参与记录和提案"
        "（tk.evaluate.indicators），标准化、赋权与合成方法及排名的蒙特卡洛不确定性分析见第"
        "“委员履职评价”节的评价方法。",
        f"Members' evaluation: the bundled index system {SYSTEM}, indicators from the activity "
        "ledger, attendance and submissions (tk.evaluate.indicators); normalisation, weights, "
        "aggregation and the Monte Carlo analysis of the ranks are described in the section's "
        "own method paragraph."))
    return sec


def _number(text: object) -> float:
    return float(str(text).replace(",", "").replace("%", "") or "nan")


def concerns(ctx: Context) -> Section:
    """What residents and members raise (民意关切): categories, keywords, topics, adoption."""
    lang = ctx.lang
    made = tk.report.concerns_section(ctx.study, lang=lang, seed=1)
    sec = Section("concerns", made.title)
    documents = ctx.fact("texts", made.facts.get("documents", 0))
    ctx.fact("texts_coded", made.facts.get("coded", 0))
    first = True
    for kind, value in made.items:
        if kind == "table":
            table, caption = value
            sec.table(table, caption)
            if first:
                first = False
                _largest_category(ctx, sec, table, documents)
        elif kind == "figure":
            sec.figure(*value)
        elif kind == "heading":
            sec.heading(value[0], value[1] + 1)
        else:
            sec.items.append((kind, value))
    sec.methods.append(t(
        lang, "民意关切：文本分词、编码与主题模型见“民意关切”一节末尾的方法说明"
              "（tk.text.code、tk.text.topics）。",
        "Texts: segmentation, coding and topics as described at the end of the section on "
        "what residents raise (tk.text.code, tk.text.topics)."))
    return sec


def _largest_category(ctx: Context, sec: Section, table: object, documents: int) -> None:
    """The sentence on the most frequent category, read from the category table."""
    frame = table.to_frame() if hasattr(table, "to_frame") else pd.DataFrame(table)
    if frame.shape[1] < 3 or not len(frame):
        return
    counts = frame.iloc[:, 1].map(_number)
    top = frame.loc[counts.idxmax()]
    share = ctx.fact("top_category_share", _number(top.iloc[2]) / 100)
    lang = ctx.lang
    sec.text(t(
        lang,
        f"最常见的类别是“{top.iloc[0]}”，占全部文本的 {pct(share)}。归类依据编码表的关键词，"
        "一件文本可以属于多个类别；件数多说明这类问题被反映得多，不等于它最严重。",
        f"The most frequent category is “{top.iloc[0]}”, {pct(share)} of all texts. "
        "Categories follow the codebook's keywords and a text may fall in several; a "
        "frequent category is raised often, which does not make it the most serious.",
    ))
    sec.summary.append(t(
        lang,
        f"{fmt_count(documents)} 件提案与信息文本中，反映最多的是“{top.iloc[0]}”（{pct(share)}）。",
        f"Among {fmt_count(documents)} submitted texts, the most frequent concern is "
        f"“{top.iloc[0]}” ({pct(share)}).",
    ))
    sec.findings.append(sec.summary[-1] + t(
        lang, "归类依据关键词，件数反映被提出的频率而非问题的严重程度。",
        " Categories follow keywords; counts show how often a concern is raised, not how "
        "serious it is."))
