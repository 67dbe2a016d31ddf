"""The report section "民意关切" (what residents and members raise), from ``tk.text`` results.

:func:`concerns_section` assembles tables, figures and a method note from the
public functions of ``tk.text``, ``tk.stats`` and ``tk.plot``; it computes nothing
of its own. Add it to a :class:`toolkit.report.Report` with ``.add_to(report)``.
No excerpt of a text is printed (texts may name people); the tables hold
categories, terms and rates only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit._checks import Lang, check_lang, refuse_large
from toolkit._docs import renamed
from toolkit.errors import ToolkitError
from toolkit.report._format import fmt_count
from toolkit.report._labels import header_label
from toolkit.report.table import Table
from toolkit.schema import has_chinese

__all__ = ["TextSection", "concerns_section"]


def _t(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


@dataclass
class TextSection:
    """A report section: a title and its blocks (heading, text, note, table, figure).

    Attributes
    ----------
    title : str
    items : list of (str, object)
        ``("text", str)``, ``("note", str)``, ``("heading", (str, level))``,
        ``("table", (Table, caption))``, ``("figure", (Figure, caption, name))``.
    facts : dict
        The numbers quoted in the text.
    """

    title: str
    items: list[tuple[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def figures(self) -> dict[str, Any]:
        """Figure name → matplotlib Figure."""
        return {v[2]: v[0] for k, v in self.items if k == "figure"}

    @property
    def tables(self) -> list[Table]:
        """The tables, in order."""
        return [v[0] for k, v in self.items if k == "table"]

    @renamed(level="heading_level")
    def add_to(self, report: Any, *, heading_level: int = 1) -> Any:
        """Append the section to a :class:`toolkit.report.Report`; returns the report.

        `heading_level` is the depth of the section's heading (``level=`` is its
        deprecated spelling), as :meth:`EvaluationSection.add_to` takes it.
        """
        report.heading(self.title, level=heading_level)
        for kind, value in self.items:
            if kind == "text":
                report.text(value)
            elif kind == "note":
                report.note(value)
            elif kind == "heading":
                report.heading(value[0], level=heading_level + value[1] - 1)
            elif kind == "table":
                report.table(value[0], value[1])
            elif kind == "figure":
                report.figure(value[0], value[1])
        return report


def concerns_section(
    data: Any,
    *,
    text: str | Sequence[str] = "body",
    codebook: Any = "topics",
    by: str | None = None,
    date: str | None = "date",
    k: int | Sequence[int] | None = None,
    seed: int = 1,
    segmenter: Any = None,
    lang: Lang = "zh",
) -> TextSection:
    """The section "民意关切": categories, keywords, topics and their handling.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        Submissions (or minutes) with a text column; a Study's ``submissions``.
    text : str or list of str, default "body"
        Column(s) holding the text.
    codebook : Codebook, path or name, default "topics"
        Codebook of the categories (``tk.text.read_codebook``).
    by : str, optional
        A grouping column (town, sector …) for the categories and keywords.
    date : str or None, default "date"
        Date column, for topic shares by year (skipped when absent).
    k : int or list of int, optional
        Number(s) of topics (default: chosen by coherence from 3 to 10).
    seed : int, default 1
        Seed of the topic model.
    segmenter : tk.text.Segmenter, optional
        Dictionary, stop words and masking.
    lang : {"zh", "en"}, default "zh"
        Language of the section.

    Returns
    -------
    TextSection
        ``.add_to(report)``, ``.items``, ``.figures``, ``.tables``, ``.facts``.

    Examples
    --------
    >>> from toolkit.report.texts import concerns_section
    >>> df = pd.DataFrame({
    ...     "submission_id": [f"S{i}" for i in range(8)],
    ...     "date": pd.to_datetime(["2022-03-01", "2022-06-01", "2023-03-01", "2023-06-01"] * 2),
    ...     "adopted": [True, False] * 4,
    ...     "body": ["老旧小区加装电梯", "物业管理混乱", "停车难，停车位不足", "充电桩太少",
    ...              "老年食堂价格高", "助餐点太远", "垃圾分类投放点", "加装电梯补贴"]})
    >>> sec = concerns_section(df, text="body", k=2)
    >>> sec.title, len(sec.tables) >= 2, "concerns_wordcloud" in sec.figures
    ('民意关切', True, True)
    """
    import toolkit as tk

    check_lang(lang)
    refuse_large(data, where="tk.report.concerns_section")
    sec = TextSection(_t(lang, "民意关切", "What residents raise"))
    frame = data.table("submissions") if hasattr(data, "table") and hasattr(
        data, "tables") else data
    coded = tk.text.code(frame, codebook, text=text, segmenter=segmenter)
    book = coded.codebook
    n = len(coded.counts)
    coded_n = int((coded.to_frame()["n_categories"] > 0).sum())
    sec.facts.update(documents=n, coded=coded_n)
    sec.items.append(("text", _t(
        lang,
        f"共分析 {fmt_count(n)} 件文本，其中 {fmt_count(coded_n)} 件至少匹配编码表的一个类别"
        "（未匹配的归入兜底类别）。下表为各类别的件数与占比。",
        f"{fmt_count(n)} texts were analysed; {fmt_count(coded_n)} matched at least one "
        "category of the codebook (the others fall in the fallback category).")))
    shares = coded.shares(lang=lang)
    table = shares[["label", "docs", "share"]].assign(share=lambda d: 100 * d["share"])
    sec.items.append(("table", (Table.from_frame(
        table.rename(columns={"label": _t(lang, "类别", "Category"),
                              "docs": _t(lang, "件数", "Texts"),
                              "share": _t(lang, "占比（%）", "Percent")}),
        digits=1, suppress=False, lang=lang), _t(lang, "文本的议题类别", "Topic categories"))))
    ax = tk.plot.terms(shares.rename(columns={"label": "term"}), value="docs", lang=lang)
    ax.set_xlabel(_t(lang, "件数", "Texts"))
    sec.items.append(("figure", (ax.figure, _t(lang, "各议题类别的文本件数",
                                               "Texts per category"), "concerns_categories")))
    if by is not None:
        by_shares = coded.shares(by=by, lang=lang)
        wide = by_shares.pivot_table(index=by, columns="label", values="docs",
                                     aggfunc="sum", sort=False).reset_index()
        sec.items.append(("table", (Table.from_frame(wide, suppress=False, lang=lang),
                                    _t(lang, f"各{header_label(by, lang)}的议题类别",
                                       f"Categories by {header_label(by, lang)}"))))
    m = tk.text.dtm(frame, text=text, segmenter=segmenter)
    kw = tk.text.keywords(m, by=by, method="tfidf" if by else "count", top=8)
    ax = tk.plot.terms(kw, by=by, value="score" if by else "count", lang=lang)
    sec.items.append(("figure", (ax.figure, _t(lang, "高频与特征词", "Top terms"),
                                 "concerns_keywords")))
    docvars = m.docvars
    if "adopted" in docvars.columns and docvars["adopted"].notna().any():
        joined = coded.join(frame)
        if "date" in joined.columns:
            res = tk.stats.submissions(joined, by="category")
            rates = res.rates[res.rates["measure"] == "adoption_rate"].copy()
            rates["category"] = [book.label(c, lang) if c in book.keys else c
                                 for c in rates["category"]]
            rates = rates[["category", "successes", "n", "estimate", "ci_low", "ci_high"]]
            for c in ("estimate", "ci_low", "ci_high"):
                rates[c] = 100 * rates[c].astype(float)
            sec.items.append(("table", (Table.from_frame(
                rates.rename(columns={"category": _t(lang, "类别", "Category"),
                                      "successes": _t(lang, "采用件数", "Adopted"),
                                      "estimate": _t(lang, "采用率（%）", "Adoption (%)")}),
                digits=1, suppress=False, lang=lang),
                _t(lang, "各议题类别的采用率", "Adoption by category"))))
        try:
            key = tk.text.keyness(m, by="adopted", target=True, measure="lr")
        except ToolkitError:  # a single group: no comparison to make
            key = None
        if key is not None and len(key):
            groups = {True: _t(lang, "被采用", "Adopted"),
                      False: _t(lang, "未被采用", "Not adopted")}
            key = key.assign(**{c: key[c].map(lambda v: groups.get(v, v))
                                for c in ("target", "reference") if c in key.columns})
            ax = tk.plot.keyness(key, top=8, lang=lang)
            sec.items.append(("figure", (ax.figure, _t(lang, "被采用与未被采用文本的关键性词语",
                                                       "Keyness: adopted against not adopted"),
                                         "concerns_keyness")))
    topic_note = ""
    try:
        tm = tk.text.topics(m, k=k, seed=seed)
    except ToolkitError as exc:  # too few documents or terms for a topic model
        topic_note = _t(lang, f"文本过少，未建立主题模型（{exc}）。",
                        f"Too few texts for a topic model ({exc}).")
    else:
        sec.facts.update(topics=tm.k)
        topics = tm.to_frame(lang)[["topic", "terms", "docs", "share", "coherence"]]
        topics["share"] = 100 * topics["share"]
        sec.items.append(("table", (Table.from_frame(
            topics.rename(columns={"topic": _t(lang, "主题", "Topic"),
                                   "terms": _t(lang, "主要词语", "Top terms"),
                                   "docs": _t(lang, "件数", "Texts"),
                                   "share": _t(lang, "平均占比（%）", "Mean share (%)"),
                                   "coherence": _t(lang, "一致性", "Coherence")}),
            digits=2, suppress=False, lang=lang,
            notes=[] if lang == "zh" else ["The top terms are the words of the submissions, "
                                           "quoted as written (in Chinese)."]),
            _t(lang, "主题模型", "Topics"))))
        if date is not None and date in docvars.columns:
            ax = tk.plot.topic_shares(tm.shares(date=date, freq="Y"), lang=lang)
            sec.items.append(("figure", (ax.figure, _t(lang, "各年度的主题占比",
                                                       "Topic shares by year"),
                                         "concerns_topics")))
        topic_note = _t(
            lang,
            f"主题模型为 {tm.method.upper()}，主题数 {tm.k}（按词语共现一致性 NPMI 选取），"
            f"随机种子 {seed}。",
            f"Topics: {tm.method.upper()}, {tm.k} topics (chosen by NPMI coherence), "
            f"seed {seed}.")
    ax = tk.plot.wordcloud(tk.text.frequencies(m), lang=lang, seed=seed)
    sec.items.append(("figure", (ax.figure, _t(lang, "词云", "Word cloud"),
                                 "concerns_wordcloud")))
    sec.items.append(("note", _t(
        lang,
        "方法说明：文本经 Unicode NFKC 规范化，电话、身份证号、电子邮箱等个人信息先行遮蔽；"
        "用结巴分词算法（jieba-rs）加内置基层协商领域词典分词，去除停用词与公文套话；"
        f"按编码表“{book.name or ''}”的关键词匹配归类，每处匹配均保留以备核查。{topic_note}",
        "Method: texts were NFKC-normalised and personal data (phone, ID-card numbers, e-mail) "
        "masked; segmented with jieba's algorithm (jieba-rs) and the bundled dictionary of "
        "consultation terms, stop words and formulaic words removed; coded by the keywords of "
        f"the codebook{_english_name(book)}, every match kept for audit. {topic_note}")))
    return sec


def _english_name(book: Any) -> str:
    """The codebook's name for an English sentence: its English name, quoted."""
    name = getattr(book, "name_en", None) or getattr(book, "name", None)
    if not name:
        return ""
    return f" “{name}”" if not has_chinese(name) else f" “{name}” (its name as written)"
