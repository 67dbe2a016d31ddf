"""Assembly of the commissioned-study report: which sections, in which order, from what data."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.report._format import Lang, check_lang
from toolkit.report.demo import activity, process, survey
from toolkit.report.demo._section import Context, Section, t
from toolkit.report.demo.data import data
from toolkit.report.document import Report

__all__ = ["SECTIONS", "DemoReport", "Plan", "build_demo", "build_study_report", "load_demo"]


@dataclass(frozen=True)
class Plan:
    """One section of the report: key, titles, the tables it needs, and its builder."""

    key: str
    zh: str
    en: str
    needs: tuple[str, ...]
    make: Callable[[Context], Section]


#: The sections after the data section, in report order.
SECTIONS: tuple[Plan, ...] = (
    Plan("coverage", "全覆盖情况", "Coverage", ("units",), activity.coverage),
    Plan("participation", "参与与包容", "Participation and inclusion",
         ("sessions", "attendance", "participants"), activity.participation),
    Plan("network", "利益相关者网络与中介者", "Stakeholder network and brokers",
         ("participants", "attendance"), activity.network),
    Plan("process", "协商过程", "Consultation process", ("sessions",), process.process),
    Plan("responsiveness", "提案与社情民意信息的回应性", "Responsiveness to submissions",
         ("submissions",), process.responsiveness),
    Plan("survey", "居民调查", "Residents' survey", ("survey",), survey.survey),
    Plan("change", "协商前后的变化", "Change before and after deliberation", ("panel",),
         survey.change),
)


@dataclass
class DemoReport:
    """What :func:`build_study_report` made.

    Attributes
    ----------
    report : Report
        The assembled report.
    figures : dict
        Figure name → matplotlib Figure, in report order.
    skipped : list of (str, str, str)
        Sections and parts left out because the study lacks the table or
        columns they need: key, title, reason.
    facts : dict
        Key numbers quoted in the text, for checking.
    """

    report: Report
    figures: dict[str, Any]
    skipped: list[tuple[str, str, str]]
    facts: dict[str, Any]


def _build(plan: Plan, ctx: Context) -> Section:
    try:
        return plan.make(ctx)
    except Exception as exc:  # the demo fails, naming the section that could not be computed
        exc.add_note(f"while building the report section {plan.key!r} ({plan.en})")
        raise


def build_study_report(study: Any, *, lang: Lang = "zh", title: str | None = None,
                       panel: pd.DataFrame | None = None,
                       progress: bool | None = None) -> DemoReport:
    """Build the commissioned-study report of a study (the demo's layout).

    A section (or part of one) whose table or columns the study does not have
    is left out, and the data section says which and why; a section that
    cannot be computed from data it has raises, naming the section.

    Parameters
    ----------
    study : Study
        The study (``tk.datasets.load_study("demo")`` for the demo).
    lang : {"zh", "en"}, default "zh"
        Language of the report.
    title : str, optional
        Report title (default: from the study name).
    panel : pandas.DataFrame, optional
        A before/after deliberation panel (long format, ``wave`` 前测/后测, as
        ``tk.datasets.load_dataset("demo", table="panel")``) for the section on
        change; without it that section is left out.
    progress : bool, optional
        Progress bar over the sections (default: only in a terminal).

    Returns
    -------
    DemoReport
        The report, its figures by name, the parts left out with the reason,
        and the key numbers quoted.

    Examples
    --------
    A study with only units and sessions: the sections that need other tables
    are left out, and the data section says so.

    >>> from toolkit.report.demo import build_study_report
    >>> units = pd.DataFrame({"unit_id": ["T1", "C1"], "name": ["东街道", "甲社区"],
    ...                       "level": ["镇街", "村社区"], "parent_id": [None, "T1"]})
    >>> sessions = pd.DataFrame({"session_id": ["S1"], "date": pd.to_datetime(["2023-05-01"]),
    ...                          "unit_id": ["C1"], "platform": ["微信群"]})
    >>> made = build_study_report(tk.Study(units=units, sessions=sessions, name="示例"))
    >>> made.report.headings[0]
    '1 数据与校验'
    >>> dict((key, reason) for key, _, reason in made.skipped)["survey"]
    '研究中没有“居民调查”表（survey）'
    """
    from tqdm import tqdm

    from toolkit.plot import style

    check_lang(lang)
    ctx = Context(study, lang, panel)
    skipped: list[tuple[str, str, str]] = []
    built: list[Section] = []
    bar = tqdm(SECTIONS, desc="report", unit="section",
               disable=None if progress is None else not progress, leave=False)
    with style(lang):
        for plan in bar:
            have = set(study.tables) | ({"panel"} if panel is not None else set())
            lacking = [name for name in plan.needs if name not in have]
            if lacking:
                skipped.append((plan.key, t(lang, plan.zh, plan.en), ctx.no_table(lacking[0])))
                continue
            section = _build(plan, ctx)
            skipped.extend(section.skipped)
            built.append(section)
        sections = [data(ctx, skipped), *built]
    report = Report(title or t(lang, f"{study.name}：分析报告", f"{study.name}: report"),
                    lang=lang, author=t(lang, "toolkit 示例报告", "toolkit demo report"))
    figures: dict[str, Any] = {}
    for section in sections:
        report.heading(section.title, level=1)
        for kind, value in section.items:
            if kind == "heading":
                report.heading(value[0], level=value[1])
            elif kind == "text":
                report.text(value)
            elif kind == "note":
                report.note(value)
            elif kind == "table":
                table, caption, kw = value
                report.table(table, caption, **kw)
            elif kind == "figure":
                fig, caption, name = value
                report.figure(fig, caption)
                figures[f"{len(figures) + 1:02d}_{name}"] = fig
    return DemoReport(report=report, figures=figures, skipped=skipped, facts=ctx.facts)


def load_demo() -> tuple[Any, pd.DataFrame]:
    """The bundled demo study and its before/after deliberation panel."""
    import toolkit as tk
    from toolkit.errors import ToolkitWarning

    with warnings.catch_warnings():
        # the missing-code warning points to the load record, which the report's
        # data section tabulates
        warnings.simplefilter("ignore", ToolkitWarning)
        study = tk.datasets.load_study("demo")
        panel = tk.datasets.load_dataset("demo", table="panel")
    return study, panel


def build_demo(out: Path | str = "toolkit-demo", lang: Lang = "zh", *,
               study: Any = None, panel: pd.DataFrame | None = None,
               progress: bool | None = None) -> dict[str, Path]:
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
    progress : bool, optional
        Progress bars (default: only in a terminal).

    Returns
    -------
    dict
        ``"docx"``, ``"html"``, then ``"figure <name>.png"``/``.svg`` → path,
        and ``"not included"`` (a text file listing the parts left out).

    Examples
    --------
    From the command line: ``toolkit demo --out 报告 --lang zh``.
    """
    import matplotlib.pyplot as plt

    out = Path(out)
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    if study is None:
        study, demo_panel = load_demo()
        panel = demo_panel if panel is None else panel
    made = build_study_report(study, lang=lang, panel=panel, progress=progress)
    paths: dict[str, Path] = {
        "docx": made.report.to_docx(out / "report.docx", progress=progress),
        "html": made.report.to_html(out / "report.html"),
    }
    rendered = [b.png for b in made.report.blocks if b.kind == "figure"]
    for (name, fig), png in zip(made.figures.items(), rendered, strict=True):
        target = figdir / f"{name}.png"
        target.write_bytes(png or b"")  # the 300-dpi rendering embedded in the report
        paths[f"figure {target.name}"] = target
        target = figdir / f"{name}.svg"
        fig.savefig(target, bbox_inches="tight", facecolor="white", metadata={"Date": None})
        paths[f"figure {target.name}"] = target
        plt.close(fig)
    paths_note = out / "not_included.txt"
    lines = [f"{key}\t{reason}" for key, _, reason in made.skipped]
    paths_note.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    paths["not included"] = paths_note
    return paths
