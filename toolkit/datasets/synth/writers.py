"""Writers of the office-format files of the demo study.

CSV in UTF-8, UTF-8 with BOM and GB18030, an xlsx ledger with a banner, two merged
header rows and a footer, and SPSS files with value labels and user-missing codes.

Every writer fixes its timestamps (xlsx docProps and zip dates, the .sav header's creation
stamp), so the same tables give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.datasets.synth.names import (
    AGE_BANDS,
    EDUCATION,
    LIKERT_AGREE,
    LIKERT_SAT,
    LIKERT_TRUST,
    MISSING_CODES,
    YESNO,
)
from toolkit.datasets.synth.planted import DISTRICT_NAME
from toolkit.datasets.synth.survey import AWARE_P
from toolkit.schema import VOCABULARIES

__all__ = ["ACTIVITIES_SHEET", "ACTIVITY_LAYOUT", "SESSIONS_SHEET", "SESSION_LAYOUT",
           "write_activities_xlsx", "write_attendance", "write_ledger_xlsx", "write_panel_sav",
           "write_participants", "write_sessions_xlsx", "write_submissions", "write_survey_sav",
           "write_truth", "write_units"]

_FIXED_TIME = dt.datetime(2024, 1, 10, 9, 0, 0)  # a fixed stamp, no time zone


def _yes_no(values: pd.Series) -> pd.Series:
    return values.map(lambda v: None if pd.isna(v) else ("是" if v else "否"))


def write_units(units: pd.DataFrame, path: Path) -> None:
    """``units.csv``: UTF-8, Chinese headers."""
    out = pd.DataFrame({
        "编码": units["unit_id"], "名称": units["name"], "层级": units["level"],
        "上级编码": units["parent_id"], "是否有议事室": _yes_no(units["has_room"]),
        "常住人口": units["population"], "是否城市社区": _yes_no(units["urban"]),
    })
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def write_participants(people: pd.DataFrame, path: Path) -> None:
    """``participants.csv``: GB18030 with CRLF, as Excel on Chinese Windows saves it."""
    out = pd.DataFrame({
        "参与者编号": people["participant_id"], "姓名": people["name"],
        "参与者类型": people["type"], "界别": people["sector"], "专委会": people["committee"],
        "是否党员": _yes_no(people["party_member"]), "性别": people["gender"],
        "年龄段": people["age_band"], "出生年份": people["birth_year"],
        "所在单位编码": people["unit_id"], "工作单位": people["organisation"],
        "身份证号": people["id_card"], "手机号": people["phone"],
    })
    # Excel on Chinese Windows saves "CSV" in the ANSI code page: GB18030/GBK, CRLF
    out.to_csv(path, index=False, encoding="gb18030", lineterminator="\r\n")


def write_attendance(att: pd.DataFrame, path: Path) -> None:
    """``attendance.csv``: UTF-8 with BOM, CRLF."""
    out = pd.DataFrame({"活动编号": att["session_id"], "参与者编号": att["participant_id"],
                        "角色": att["role"], "发言次数": att["speeches"]})
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def write_submissions(subs: pd.DataFrame, path: Path) -> None:
    """``submissions.csv``: UTF-8, dates ``YYYY-MM-DD``."""
    def day(col: pd.Series) -> pd.Series:
        return col.dt.strftime("%Y-%m-%d")

    out = pd.DataFrame({
        "编号": subs["submission_id"], "提交人编号": subs["author_id"],
        "提交日期": day(subs["date"]), "报送渠道": subs["channel"], "标题": subs["topic"],
        "议题类别": subs["topic_category"], "通过关口": subs["gate_reached"],
        "是否采用": _yes_no(subs["adopted"]), "批示数": subs["instructions"],
        "批示层级": subs["instruction_level"], "是否回应": _yes_no(subs["responded"]),
        "回应日期": day(subs["response_date"]), "承办部门": subs["department"],
        "正文": subs["body"], "内容分类": subs["category"],
    })
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


#: Layout of sessions.xlsx: (group header or None, column header, canonical column).
SESSION_LAYOUT: list[tuple[str | None, str, str]] = [
    (None, "活动编号", "session_id"),
    (None, "协商日期", "date"),
    (None, "单位编码", "unit_id"),
    ("议题信息", "议题编号", "topic_id"),
    ("议题信息", "议题", "topic"),
    ("议题信息", "议题类别", "topic_category"),
    ("协商情况", "协商平台", "platform"),
    ("协商情况", "协商阶段", "stage"),
    ("协商情况", "协商轮次", "round"),
    ("协商情况", "参与人数", "n_participants"),
    ("协商情况", "是否达成共识", "consensus"),
    ("协商情况", "提交会议", "escalated_to"),
    ("协商情况", "协商结果", "outcome"),
    ("实施情况", "是否落实", "implemented"),
    ("实施情况", "落实日期", "implemented_date"),
    (None, "组织单位", "organiser"),
    (None, "会议纪要", "body"),
]
SESSIONS_SHEET = "协商活动台账"

#: Layout of activities.xlsx (as :data:`SESSION_LAYOUT`).
ACTIVITY_LAYOUT: list[tuple[str | None, str, str]] = [
    (None, "记录编号", "activity_id"),
    ("委员信息", "委员编号", "member_id"),
    ("委员信息", "委员姓名", "member_name"),
    ("履职情况", "日期", "date"),
    ("履职情况", "履职类型", "kind"),
    ("履职情况", "活动名称", "title"),
    ("履职情况", "次数", "count"),
    ("履职情况", "结果", "outcome"),
    (None, "关联编号", "submission_id"),
    (None, "地点编码", "unit_id"),
]
ACTIVITIES_SHEET = "委员履职台账"


def write_sessions_xlsx(sessions: pd.DataFrame, path: Path) -> None:
    """``sessions.xlsx``: a banner, two merged header rows, data, a blank row and a footer."""
    write_ledger_xlsx(
        sessions, path, layout=SESSION_LAYOUT, sheet=SESSIONS_SHEET,
        title=f"{DISTRICT_NAME}基层协商活动台账（2022年1月—2023年12月）",
        bools=("consensus", "implemented"), dates=("date", "implemented_date"),
        widths={"议题": 28, "协商结果": 26, "组织单位": 20, "协商平台": 18, "会议纪要": 60})


def write_activities_xlsx(activities: pd.DataFrame, path: Path) -> None:
    """``activities.xlsx``: the members' ledger, laid out as the sessions ledger."""
    write_ledger_xlsx(
        activities, path, layout=ACTIVITY_LAYOUT, sheet=ACTIVITIES_SHEET,
        title=f"{DISTRICT_NAME}政协委员履职台账（2022年1月—2023年12月）",
        dates=("date",), widths={"活动名称": 36, "履职类型": 14, "委员姓名": 10})


def write_truth(frame: pd.DataFrame, path: Path) -> None:
    """A hidden-truth table (``truth/*.csv``): UTF-8, canonical column names, 6 decimals."""
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n",
                 float_format="%.6f")


def write_ledger_xlsx(frame: pd.DataFrame, path: Path, *,
                      layout: list[tuple[str | None, str, str]], sheet: str, title: str,
                      bools: tuple[str, ...] = (), dates: tuple[str, ...] = (),
                      widths: dict[str, int] | None = None) -> None:
    """An office ledger: banner (row 1), note (row 2), two merged header rows, data, footer.

    `layout` lists (group header or None, column header, column of `frame`): columns of
    one group share a header merged across row 3; the others are merged down rows 3–4.
    Columns in `bools` are written 是/否, those in `dates` as Excel dates.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ncol = len(layout)
    last = get_column_letter(ncol)
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = f"填报单位：{DISTRICT_NAME}政协办公室（虚构示例数据）"
    ws.merge_cells(f"A2:{last}2")
    bold = Font(bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    col = 1
    while col <= ncol:
        group, header, _ = layout[col - 1]
        if group is None:
            ws.cell(3, col, header)
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
            col += 1
            continue
        span = sum(1 for g, _, _ in layout if g == group)
        ws.cell(3, col, group)
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + span - 1)
        for k in range(span):
            ws.cell(4, col + k, layout[col - 1 + k][1])
        col += span
    for row in ws.iter_rows(min_row=3, max_row=4):
        for cell in row:
            cell.font = bold
            cell.alignment = centre
    r = 5
    for rec in frame.to_dict("records"):
        for c, (_, _, name) in enumerate(layout, start=1):
            value = rec[name]
            if name in bools:
                value = None if pd.isna(value) else ("是" if value else "否")
            elif name in dates:
                value = None if pd.isna(value) else value.date()
            elif pd.isna(value) if not isinstance(value, str) else False:
                value = None
            elif isinstance(value, np.integer):
                value = int(value)
            cell = ws.cell(r, c, value)
            if name in dates and value is not None:
                cell.number_format = "yyyy-mm-dd"
        r += 1
    r += 1
    ws.cell(r, 1, "填表人：王某某　　审核人：李某某　　填报日期：2024年1月10日")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
    widths = widths or {}
    for c, (_, header, _) in enumerate(layout, start=1):
        ws.column_dimensions[get_column_letter(c)].width = widths.get(header, 12)
    ws.freeze_panes = "B5"
    wb.properties.creator = f"{DISTRICT_NAME}政协办公室"
    wb.properties.created = _FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_normalise_zip(buffer.getvalue()))


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite an xlsx with fixed timestamps, so the same content gives the same bytes."""
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                              rf"\g<1>{stamp}\g<2>", text)
                content = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 10, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, content)
    return out.getvalue()


def _likert_items() -> dict[str, tuple[str, dict[int, str]]]:
    items: dict[str, tuple[str, dict[int, str]]] = {
        "sat1": ("总体而言，您对本社区（村）协商议事工作是否满意", LIKERT_SAT),
        "sat2": ("您对协商议题的选择是否满意", LIKERT_SAT),
        "sat3": ("您对协商过程的公开程度是否满意", LIKERT_SAT),
        "sat4": ("您对协商结果的落实情况是否满意", LIKERT_SAT),
        "trust1": ("您对社区（村）党组织的信任程度", LIKERT_TRUST),
        "trust2": ("您对街道（镇）政府的信任程度", LIKERT_TRUST),
        "trust3": ("您对政协委员和人大代表的信任程度", LIKERT_TRUST),
        "eff1": ("像我这样的人的意见能够影响社区的决定", LIKERT_AGREE),
        "eff2": ("我有能力参与社区公共事务的讨论", LIKERT_AGREE),
        "eff3": ("社区的事情太复杂，像我这样的人搞不懂（反向题）", LIKERT_AGREE),
        "eff4": ("干部不太在乎像我这样的人怎么想（反向题）", LIKERT_AGREE),
    }
    return items


def write_survey_sav(survey: pd.DataFrame, path: Path) -> None:
    """``survey.sav``: value labels, variable labels, 98/99 user-missing."""
    import pyreadstat

    labels = {
        "respondent_id": "受访者编号", "unit_id": "社区编码", "stratum": "抽样层（镇街）",
        "cluster": "初级抽样单元（社区）", "fpc": "层内社区总数（有限总体校正）",
        "weight": "设计权重", "gender": "性别", "age": "年龄（周岁）", "age_band": "年龄段",
        "education": "文化程度", "party_member": "是否中共党员",
        "attended": "过去12个月是否参加过协商议事活动",
        "n_sessions": "过去12个月参加协商议事活动次数",
        "part_online": "过去12个月是否通过网络渠道参与协商",
    }
    value_labels: dict[str, dict[int | float, str]] = {
        "gender": {1: "男", 2: "女"},
        "age_band": {i + 1: b for i, b in enumerate(AGE_BANDS)},
        "education": dict(EDUCATION),
        "party_member": dict(YESNO), "attended": dict(YESNO), "part_online": dict(YESNO),
    }
    missing: dict[str, list[int | float | str]] = {}
    for name, (label, codes) in _likert_items().items():
        labels[name] = label
        value_labels[name] = {**codes, **MISSING_CODES}
        missing[name] = [98, 99]
    platforms = {t.code: t.zh for t in VOCABULARIES["platform"].terms}
    for code in AWARE_P:
        col = f"aware_{code}"
        labels[col] = f"是否听说过“{platforms[code]}”"
        value_labels[col] = {0: "没听说过", 1: "听说过"}
    frame = survey.copy()
    for col in frame.columns:
        if col not in {"respondent_id", "unit_id", "stratum", "cluster"}:
            frame[col] = frame[col].astype("float64")
    measure = {c: ("scale" if c in {"fpc", "weight", "age", "n_sessions"} else
                   "nominal" if c in {"respondent_id", "unit_id", "stratum", "cluster",
                                      "gender", "party_member", "attended", "part_online"}
                   or c.startswith("aware_") else "ordinal") for c in frame.columns}
    pyreadstat.write_sav(frame, str(path), file_label=f"{DISTRICT_NAME}居民协商参与调查（虚构）",
                         column_labels=[labels[c] for c in frame.columns],
                         variable_value_labels=value_labels, missing_ranges=missing,
                         variable_measure=measure)
    _fix_sav_timestamp(path)


def write_panel_sav(panel: pd.DataFrame, path: Path) -> None:
    """``panel.sav``: the deliberation panel with value labels."""
    import pyreadstat

    labels = {"respondent_id": "受访者编号", "wave": "测量波次", "unit_id": "社区编码",
              "gender": "性别", "age": "年龄（周岁）"}
    opinions = {
        "op1": "老旧小区加装电梯应由受益住户按楼层分摊费用",
        "op2": "社区公共停车位应优先分配给本小区业主",
        "op3": "垃圾分类应实行定时定点投放",
        "op4": "物业费应随服务质量评价上下浮动",
    }
    quiz = {
        "know1": "居民议事会的议题由谁提出（知识题）",
        "know2": "协商结果是否需要公示（知识题）",
        "know3": "未达成共识的议题可提交哪类会议表决（知识题）",
        "know4": "加装电梯需要多大比例业主同意（知识题）",
        "know5": "“两代表一委员”指哪些人（知识题）",
        "know6": "本社区议事室的开放时间（知识题）",
    }
    value_labels: dict[str, dict[int | float, str]] = {
        "wave": {1: VOCABULARIES["wave"].categories[0], 2: VOCABULARIES["wave"].categories[1]},
        "gender": {1: "男", 2: "女"},
    }
    for col, label in opinions.items():
        labels[col] = label
        value_labels[col] = dict(LIKERT_AGREE)
    for col, label in quiz.items():
        labels[col] = label
        value_labels[col] = {0: "答错", 1: "答对"}
    frame = panel.copy()
    for col in frame.columns:
        if col not in {"respondent_id", "unit_id"}:
            frame[col] = frame[col].astype("float64")
    pyreadstat.write_sav(frame, str(path), file_label=f"{DISTRICT_NAME}协商前后测问卷（虚构）",
                         column_labels=[labels[c] for c in frame.columns],
                         variable_value_labels=value_labels)
    _fix_sav_timestamp(path)


def _fix_sav_timestamp(path: Path) -> None:
    """Overwrite the creation date and time in a .sav header with a fixed stamp.

    The SPSS header holds ``creation_date`` (9 bytes, ``dd mmm yy``) at byte 92
    and ``creation_time`` (8 bytes, ``hh:mm:ss``) right after it.
    """
    data = bytearray(path.read_bytes())
    offset = 4 + 60 + 4 + 4 + 4 + 4 + 4 + 8
    data[offset:offset + 17] = b"10 Jan 2409:00:00"
    path.write_bytes(bytes(data))
