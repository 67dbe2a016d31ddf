"""Assembly of the commissioned-study report: which sections, in which order, from what data.

One builder, :func:`study_report` (``tk.report.study_report``), makes the
report of any study; ``toolkit demo`` (:func:`build_demo`) and the
commissioned-report notebook both call it. The report reads like a 研究报告:
cover page, contents, 摘要, 研究设计与数据, one chapter per analysis, 主要发现与建议
(findings generated, recommendations an editable placeholder), 附录.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit._checks import check_lang, refuse_large
from toolkit.report._format import Lang
from toolkit.report.demo import activity, assess, process, survey
from toolkit.report.demo._section import Context, Section, place_name, t
from toolkit.report.demo.data import design
from toolkit.report.demo.summary import abstract, appendix, findings
from toolkit.report.document import Report

__all__ = ["SECTIONS", "DemoReport", "Plan", "StudyReport", "build_demo", "build_study_report",
           "load_demo", "study_report"]


@dataclass(frozen=True)
class Plan:
    """One chapter of the report: key, titles, the tables and columns it needs, its builder."""

    key: str
    zh: str
    en: str
    needs: tuple[str, ...]
    make: Callable[[Context], Section]
    columns: tuple[tuple[str, str], ...] = ()


#: The chapters after 研究设计与数据, in report order.
SECTIONS: tuple[Plan, ...] = (
    Plan("coverage", "全覆盖情况", "Coverage", ("units",), activity.coverage),
    Plan("participation", "参与与包容", "Participation and inclusion",
         ("sessions", "attendance", "participants"), activity.participation),
    Plan("network", "委员共同参与网络与中介者", "Members' co-attendance network and brokers",
         ("participants", "attendance"), activity.network),
    Plan("process", "协商过程", "Consultation process", ("sessions",), process.process),
    Plan("responsiveness", "提案与社情民意信息的回应性", "Responsiveness to submissions",
         ("submissions",), process.responsiveness),
    Plan("survey", "居民调查", "Residents' survey", ("survey",), survey.survey),
    Plan("change", "协商前后的变化", "Change before and after deliberation", ("panel",),
         survey.change),
    Plan("evaluation", "委员履职评价", "Member performance evaluation",
         ("participants", "activities"), assess.evaluation),
    Plan("concerns", "民意关切", "What residents raise", ("submissions",), assess.concerns,
         columns=(("submissions", "body"),)),
)


@dataclass
class StudyReport:
    """What :func:`study_report` made.

    Attributes
    ----------
    report : Report
        The assembled report (``.to_docx``, ``.to_html``, ``.to_pdf``).
    figures : dict
        Figure name → matplotlib Figure, in report order.
    skipped : list of (str, str, str)
        Chapters and parts left out because the study lacks the table or
        columns they need: key, title, reason.
    facts : dict
        Every number the generated sentences quote, by key, as computed.
    abstract : list of str
        The paragraphs of the abstract (摘要).
    findings : list of str
        The findings (主要发现), in order.
    """

    report: Report
    figures: dict[str, Any]
    skipped: list[tuple[str, str, str]]
    facts: dict[str, Any]
    abstract: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


#: The former name of :class:`StudyReport`.
DemoReport = StudyReport


def _build(plan: Plan, ctx: Context) -> Section:
    try:
        return plan.make(ctx)
    except Exception as exc:  # the report fails, naming the section that could not be computed
        exc.add_note(f"while building the report section {plan.key!r} ({plan.en})")
        raise


def _lacking(plan: Plan, ctx: Context, have: set[str]) -> str | None:
    missing = [name for name in plan.needs if name not in have]
    if missing:
        return ctx.no_table(missing[0])
    for table, column in plan.columns:
        if column not in ctx.study.table(table).columns:
            return ctx.no_column(table, column)
    return None


def _span(study: Any, period: str | Sequence[Any] | None) -> str:
    """The period as the report states it: 2023-01-01 – 2023-12-31."""
    if period is None:
        period = study.period
        if not period:
            return "—"
    elif isinstance(period, str):
        period = period.split("/")
    if len(period) != 2:
        from toolkit.errors import ArgumentError

        msg = f"`period` takes 'start/end' or two dates, not {period!r}."
        raise ArgumentError(msg)
    start, end = (pd.Timestamp(day) for day in period)
    return f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"


_PLACE = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:自治区|街道|社区|省|市|区|县|镇|乡|村)")


def _default_title(study: Any, lang: Lang) -> str:
    name = str(study.name)
    if lang == "zh":
        return f"{name}研究报告"
    places = [place_name(p, lang) for p in _PLACE.findall(name)]
    return ("Grassroots consultation in " + ", ".join(places) + ": study report" if places
            else "Grassroots consultation: study report")


def _add(report: Report, items: Sequence[tuple[str, Any]], figures: dict[str, Any]) -> None:
    for kind, value in items:
        if kind == "heading":
            report.heading(value[0], level=value[1], numbered=not value[0].startswith(
                ("附录", "Appendix")))
        elif kind == "text":
            report.text(value)
        elif kind == "note":
            report.note(value)
        elif kind == "placeholder":
            report.placeholder(value)
        elif kind == "table":
            table, caption, kw = value
            report.table(table, caption, **kw)
        elif kind == "figure":
            fig, caption, name = value
            report.figure(fig, caption)
            figures[f"{len(figures) + 1:02d}_{name}"] = fig


def study_report(study: Any, *, lang: Lang = "zh", title: str | None = None,
                 commissioner: str | None = None, team: str | None = None,
                 date: str | dt.date | None = None, subtitle: str | None = None,
                 panel: pd.DataFrame | None = None, sections: Sequence[str] | None = None,
                 period: str | Sequence[Any] | None = None,
                 progress: bool | None = None) -> StudyReport:
    """Build the commissioned-study report (研究报告) of a study.

    The report has a cover page (title, 委托单位, 课题组, date), a contents page,
    an abstract (摘要) with the key numbers and their uncertainty, a chapter on
    design and data (sources, design, sample, weights, what was validated, how
    to read the statistics), one chapter per analysis whose sentences state the
    finding, its uncertainty and its limits, a chapter of findings with the
    recommendations left as a marked placeholder, and an appendix (variables,
    load and validation records, methods). Every number in the text is taken
    from the results (``.facts``); nothing is written by hand.

    A chapter (or part of one) whose table or columns the study does not have
    is left out, and the design chapter says which and why; a chapter that
    cannot be computed from data it has raises, naming the chapter.

    Parameters
    ----------
    study : Study
        The study (``tk.datasets.load_study("demo")`` for the demo).
    lang : {"zh", "en"}, default "zh"
        Language of the report; in English place names are romanised.
    title : str, optional
        Report title (default: from the study name).
    commissioner, team : str, optional
        The commissioning body (委托单位) and the research team (课题组), on the cover.
    date : str or date, optional
        Date on the cover (a date is written 2024年1月 / January 2024).
    subtitle : str, optional
        Subtitle on the cover.
    panel : pandas.DataFrame, optional
        A before/after deliberation panel (long format, ``wave`` 前测/后测, as
        ``tk.datasets.load_dataset("demo", table="panel")``) for the chapter on
        change; without it that chapter is left out.
    sections : list of str, optional
        Keys of the chapters to include (default: all of ``SECTIONS``):
        coverage, participation, network, process, responsiveness, survey,
        change, evaluation, concerns.
    period : str or (start, end), optional
        The period the study covers, as the report states it
        (``"2023-01-01/2023-12-31"`` or two dates; default: the first and last
        date in the data).
    progress : bool, optional
        Progress bar over the chapters (default: only in a terminal).

    Returns
    -------
    StudyReport
        ``.report``, ``.figures``, ``.skipped`` (parts left out, with the
        reason), ``.facts`` (the numbers quoted), ``.abstract``, ``.findings``.

    Examples
    --------
    A study with only units and sessions: the chapters that need other tables
    are left out, and the design chapter says so.

    >>> units = pd.DataFrame({"unit_id": ["T1", "C1"], "name": ["东街道", "甲社区"],
    ...                       "level": ["镇街", "村社区"], "parent_id": [None, "T1"]})
    >>> sessions = pd.DataFrame({"session_id": ["S1"], "date": pd.to_datetime(["2023-05-01"]),
    ...                          "unit_id": ["C1"], "platform": ["微信群"]})
    >>> made = tk.report.study_report(tk.Study(units=units, sessions=sessions, name="示例"),
    ...                               commissioner="某区政协", progress=False)
    >>> made.report.headings[:2]
    ['摘要', '1 研究设计与数据']
    >>> dict((key, reason) for key, _, reason in made.skipped)["survey"]
    '研究中没有“居民调查”表（survey）'
    """
    from tqdm import tqdm

    from toolkit._checks import close_matches
    from toolkit.errors import ArgumentError
    from toolkit.plot import style

    check_lang(lang)
    refuse_large(study, where="tk.report.study_report")
    keys = [p.key for p in SECTIONS]
    if sections is not None:
        unknown = [s for s in sections if s not in keys]
        if unknown:
            hints = [f"`{s}`" + (f" (did you mean `{c[0]}`?)" if (c := close_matches(
                s, keys, n=1)) else "") for s in unknown]
            msg = f"Unknown section(s) {', '.join(hints)} in `sections`; use {', '.join(keys)}."
            raise ArgumentError(msg)
    plans = [p for p in SECTIONS if sections is None or p.key in sections]
    ctx = Context(study, lang, panel, span=_span(study, period))
    skipped: list[tuple[str, str, str]] = []
    built: list[Section] = []
    have = set(study.tables) | ({"panel"} if panel is not None else set())
    bar = tqdm(plans, desc="report", unit="section",
               disable=None if progress is None else not progress, leave=False)
    with style(lang):
        for plan in bar:
            reason = _lacking(plan, ctx, have)
            if reason is not None:
                skipped.append((plan.key, t(lang, plan.zh, plan.en), reason))
                continue
            section = _build(plan, ctx)
            skipped.extend(section.skipped)
            built.append(section)
        concepts = set().union(*(s.concepts for s in built)) if built else set()
        chapter = design(ctx, skipped, concepts, panel=any(s.key == "change" for s in built))
    span = _span(study, period)
    report = Report(title or _default_title(study, lang), lang=lang,
                    commissioner=commissioner, team=team, date=date, subtitle=subtitle,
                    kind=t(lang, "研究报告", "Research report"))
    figures: dict[str, Any] = {}
    summary = abstract(ctx, built, commissioner=commissioner, span=span)
    report.heading(t(lang, "摘要", "Summary"), numbered=False)
    for _, text in summary:
        report.text(text)
    report.page_break()
    for section in (chapter, *built):
        report.heading(section.title, level=1)
        _add(report, section.items, figures)
    found = findings(ctx, built)
    report.page_break()
    report.heading(found.title, level=1)
    _add(report, found.items, figures)
    report.page_break()
    report.heading(t(lang, "附录", "Appendix"), numbered=False)
    _add(report, appendix(ctx, [chapter, *built]), figures)
    return StudyReport(report=report, figures=figures, skipped=skipped, facts=ctx.facts,
                       abstract=[text for _, text in summary],
                       findings=[f for s in built for f in s.findings])


def build_study_report(study: Any, *, lang: Lang = "zh", title: str | None = None,
                       panel: pd.DataFrame | None = None,
                       progress: bool | None = None, **kw: Any) -> StudyReport:
    """The former name of :func:`study_report` (same parameters)."""
    return study_report(study, lang=lang, title=title, panel=panel, progress=progress, **kw)


def load_demo() -> tuple[Any, pd.DataFrame]:
    """The bundled demo study and its before/after deliberation panel."""
    import toolkit as tk
    from toolkit.errors import ToolkitWarning

    with warnings.catch_warnings():
        # the missing-code warning points to the load record, which the report's
        # appendix tabulates
        warnings.simplefilter("ignore", ToolkitWarning)
        study = tk.datasets.load_study("demo")
        panel = tk.datasets.load_dataset("demo", table="panel")
    return study, panel


#: Cover of the demo report (the study is fictional; so are the commissioner and team).
DEMO_COVER = {
    "zh": {"title": "云溪区基层协商工作评估研究报告", "subtitle": "（虚构示例数据）",
           "commissioner": "云溪区政协（示例）", "team": "toolkit 示例课题组"},
    "en": {"title": "Grassroots Consultation in Yunxi District: Evaluation Study",
           "subtitle": "(fictional demonstration data)",
           "commissioner": "Yunxi District CPPCC (example)",
           "team": "toolkit demonstration team"},
}


def build_demo(out: Path | str = "toolkit-demo", lang: Lang = "zh", *,
               study: Any = None, panel: pd.DataFrame | None = None,
               title: str | None = None, commissioner: str | None = None,
               team: str | None = None, date: str | dt.date | None = None,
               pdf: bool = False, progress: bool | None = None) -> dict[str, Path]:
    """Write the demo study's report: ``report.docx``, ``report.html`` and the figures.

    Parameters
    ----------
    out : Path or str, default "toolkit-demo"
        Output folder (created). Figures go to ``out/figures`` as PNG (300 dpi)
        and SVG.
    lang : {"zh", "en"}, default "zh"
        Language of the report.
    study : Study, optional
        A study to report on instead of the bundled demo.
    panel : pandas.DataFrame, optional
        The before/after panel of `study` (default: the demo's, when `study`
        is not given).
    title, commissioner, team : str, optional
        Cover of the report (default: the demo's fictional ones).
    date : str or date, optional
        Date on the cover (default: today).
    pdf : bool, default False
        Also write ``report.pdf`` through LibreOffice.
    progress : bool, optional
        Progress bars (default: only in a terminal).

    Returns
    -------
    dict
        ``"docx"``, ``"html"`` (and ``"pdf"``), then ``"figure <name>.png"``/
        ``.svg`` → path, and ``"not included"`` when some part was left out
        (a text file listing them with the reason).

    Examples
    --------
    From the command line: ``toolkit demo --out 报告 --lang zh``.
    """
    import matplotlib.pyplot as plt

    out = Path(out)
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    cover = dict(DEMO_COVER[lang]) if study is None else {}
    if study is None:
        study, demo_panel = load_demo()
        panel = demo_panel if panel is None else panel
    made = study_report(study, lang=lang, panel=panel, progress=progress,
                        title=title or cover.get("title"),
                        subtitle=cover.get("subtitle") if title is None else None,
                        commissioner=commissioner or cover.get("commissioner"),
                        team=team or cover.get("team"),
                        date=date if date is not None else dt.date.today())
    paths: dict[str, Path] = {}
    if pdf:
        paths["pdf"] = made.report.to_pdf(out / "report.pdf", progress=progress)
        paths["docx"] = out / "report.docx"
    else:
        paths["docx"] = made.report.to_docx(out / "report.docx", progress=progress)
    paths["html"] = made.report.to_html(out / "report.html")
    rendered = [b.png for b in made.report.blocks if b.kind == "figure"]
    for (name, fig), png in zip(made.figures.items(), rendered, strict=True):
        target = figdir / f"{name}.png"
        target.write_bytes(png or b"")  # the 300-dpi rendering embedded in the report
        paths[f"figure {target.name}"] = target
        target = figdir / f"{name}.svg"
        fig.savefig(target, bbox_inches="tight", facecolor="white", metadata={"Date": None})
        paths[f"figure {target.name}"] = target
        plt.close(fig)
    note = out / "not_included.txt"
    if made.skipped:
        lines = [f"{key}\t{reason}" for key, _, reason in made.skipped]
        note.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths["not included"] = note
    elif note.exists():
        note.unlink()
    return paths
