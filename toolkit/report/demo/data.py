"""The data section: tables used, what loading changed, what validation found, what is left out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit import schema
from toolkit.report.demo._section import Context, Section, t

__all__ = ["data"]


def data(ctx: Context, skipped: list[tuple[str, str, str]]) -> Section:
    """Tables and load records, validation problems, and the parts left out (`skipped`)."""
    lang, study = ctx.lang, ctx.study
    sec = Section("data", t(lang, "数据与校验", "Data and validation"))
    period = study.period
    span = (f"{period[0]:%Y-%m-%d} – {period[1]:%Y-%m-%d}" if period else "—")
    sec.text(t(
        lang,
        f"本报告使用“{study.name}”的 {len(study.tables)} 张数据表，时间范围为 {span}。"
        "数据为虚构示例，用于演示分析流程。",
        f"This report uses the {len(study.tables)} tables of “{study.name}”, covering {span}. "
        "The data are fictional and serve to demonstrate the workflow.",
    ))
    rows = []
    for name in study.tables:
        frame = study.table(name)
        rec = frame.attrs.get("load_record")
        rows.append({
            "table": schema.TABLES[name].zh if lang == "zh" else schema.TABLES[name].en,
            "file": Path(rec.file).name if rec is not None and rec.file else "",
            "rows_read": rec.rows_read if rec is not None else len(frame),
            "rows_kept": len(frame),
            "set_aside": len(rec.rows_set_aside) if rec is not None else 0,
            "missing_codes": len(rec.missing) if rec is not None else 0,
        })
    ctx.facts["table_rows"] = {r["table"]: r["rows_kept"] for r in rows}
    frame = pd.DataFrame(rows).astype({c: "int64" for c in ("rows_read", "rows_kept",
                                                            "set_aside", "missing_codes")})
    names = {"table": t(lang, "数据表", "Table"), "file": t(lang, "文件", "File"),
             "rows_read": t(lang, "读取行数", "Rows read"),
             "rows_kept": t(lang, "保留行数", "Rows kept"),
             "set_aside": t(lang, "剔除行数", "Rows set aside"),
             "missing_codes": t(lang, "缺失代码", "Missing codes")}
    sec.table(frame.rename(columns=names), t(lang, "数据表与读取记录", "Tables and load records"),
              suppress=False)
    sec.note(t(lang, "“缺失代码”指问卷中 98（不知道）、99（拒答）等声明为缺失的取值，"
                     "已转为缺失值并逐一记录。",
               "“Missing codes” are answers such as 98 (don't know) and 99 (refused), declared "
               "missing and set to missing, each one recorded."))
    report = study.validate()
    n_err, n_warn = int(report.n_errors), int(report.n_warnings)
    ctx.facts.update(validation_errors=n_err, validation_warnings=n_warn)
    sec.text(t(lang, f"数据校验发现错误 {n_err} 项、警告 {n_warn} 项。",
               f"Validation found {n_err} error(s) and {n_warn} warning(s)."))
    if len(report.problems):
        counts = (report.problems.groupby(["table", "check", "severity"], dropna=False).size()
                  .rename("problems").reset_index())
        sec.table(counts, t(lang, "数据校验发现的问题", "Problems found by validation"),
                  suppress=False)
    if skipped:
        lines = [f"{title}（{reason}）" if lang == "zh" else f"{title} ({reason})"
                 for _, title, reason in skipped]
        sec.text(t(lang, "以下分析未纳入本报告：" + "；".join(lines) + "。",
                   "Not included in this report: " + "; ".join(lines) + "."))
    else:
        sec.text(t(lang, "所有计划的分析均已纳入本报告。",
                   "Every planned analysis is included in this report."))
    return sec
