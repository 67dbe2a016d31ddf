"""Reading one 问卷星 or 腾讯问卷 export: :func:`read_survey_export`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit._checks import check_choice
from toolkit.errors import ArgumentError, ReadError
from toolkit.io.platforms import headers
from toolkit.io.platforms.build import Builder
from toolkit.io.platforms.headers import PLATFORMS
from toolkit.io.platforms.layout import MODES, Export, check_shape, decide_mode, group_columns
from toolkit.io.record import LoadRecord

__all__ = ["read_survey_export"]

_SUFFIXES = {".csv": "text", ".txt": "text", ".tsv": "text",
             ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel"}


def read_survey_export(
    path: str | Path,
    *,
    source: str | None = None,
    mode: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    kinds: Mapping[str | int, str] | None = None,
    value_labels: Mapping[str | int, Mapping[Any, str]] | None = None,
    missing_codes: object = None,
    speeder_ratio: float | None = 1 / 3,
) -> pd.DataFrame:
    r"""Read a 问卷星 (wjx) or 腾讯问卷 (Tencent) answer export into a survey frame.

    Both platforms export the answers as Excel or CSV, either as option texts
    (按选项文本) or as option numbers (按选项序号/分数). The reader recognises
    the metadata columns the platform adds, parses the numbered question
    headers, and turns each kind of question into tidy columns with a codebook:

    - metadata (``序号``, ``提交答卷时间``, ``所用时间``, ``来源``, ``来源详情``,
      ``来自IP``, ``填写设备`` …; Tencent's ``编号``, ``开始答题时间``,
      ``结束答题时间``, ``答题时长``, ``IP``, ``地理位置`` …) get canonical names
      (``respondent_id``, ``submitted_at``, ``duration`` in seconds, ``ip`` …);
      IP, device and location columns are marked ``personal`` in the codebook,
      so that published tables leave them out;
    - a single-choice question ``3、您的性别：`` becomes ``q3``: a Categorical of
      the option texts, ordered when they form a rating scale (``非常不满意`` …
      ``非常满意``, the ranks as codes in the codebook's ``value_labels``); in an
      answer-number export, the option numbers (``Int64``), or a Categorical
      with `value_labels`;
    - a multiple-choice question, whether spread over 0/1 columns
      (``7(居民议事会)``) or joined in one cell (``居民议事会┋微信群``; 腾讯问卷
      also ``|`` and ``；``), becomes one 0/1 column per option, ``q7_1`` …
      (``Int64``, missing where the question was skipped);
    - a matrix (``5(社区议事会)``, ``5.1 社区议事会``) becomes one item per row,
      ``q5_1`` …, all on one shared scale;
    - text filled in beside an option (``其他〖…〗``, a ``其他_____`` column) is
      kept beside the choice as a text column (``q3_other``, ``q7_4_other``);
    - skip codes (``(跳过)``, ``(空)``, ``-3``, ``-2``) and your `missing_codes`
      become missing values; which code each cell held is kept in
      ``tk.io.load_record(df).missing``;
    - responses much faster than the others (``duration`` under `speeder_ratio`
      times the median) are flagged, not dropped: a warning among the record's
      problems (row, column, value) and a ``speeder`` column.

    Parameters
    ----------
    path : str or Path
        The export: ``.xlsx``/``.xls`` or ``.csv`` (UTF-8, UTF-8 with BOM or
        GB18030/GBK, detected).
    source : {"wjx", "tencent"}, optional
        Platform that wrote the file; detected from the metadata headers when
        omitted (see :func:`detect_platform`).
    mode : {"text", "number"}, optional
        Export mode: option texts (按选项文本) or option numbers (按选项序号).
        Detected when omitted, from the skip codes (``(跳过)`` or ``-3``),
        answers joined with ``┋``, and whether the choices are answered with
        texts or numbers.
    sheet : str or int, optional
        Excel sheet (name or 0-based position); the first sheet by default.
    encoding : str, optional
        Encoding of a CSV file; detected when omitted.
    kinds : dict, optional
        Question (``"q9"`` or ``9``) → ``"single"``, ``"multiple"`` or
        ``"text"``, for a question whose kind the answers do not show (a
        multiple-choice question in which nobody chose two options, a free-text
        question whose answers repeat).
    value_labels : dict, optional
        Question or item (``"q3"``, ``3``, ``"q5"`` for every row of a matrix,
        ``"q5_1"``) → ``{code: option text}``: the options of an answer-number
        export (``{1: "男", 2: "女"}``), or the codes of an answer-text export's
        options.
    missing_codes : list or dict, optional
        Declared missing codes besides the skip codes (``[98, 99]``,
        ``["不知道"]``, ``{98: "不知道"}``, or ``{question or header: codes}``),
        as for :func:`toolkit.io.read_table`.
    speeder_ratio : float or None, default 1/3
        A response whose ``duration`` is under this share of the median is
        flagged as a speeder; None turns the check off.

    Returns
    -------
    pandas.DataFrame
        One row per response (RangeIndex): metadata columns first, then the
        questions in questionnaire order. ``df.attrs["codebook"][column]`` holds
        ``label`` (question text, or ``question：option``), ``question``
        (``"q7"``), ``number``, ``kind`` (``"meta"``, ``"single"``,
        ``"multiple"``, ``"matrix"``, ``"number"``, ``"text"``, ``"other_text"``,
        ``"derived"``, ``"unknown"``), ``header`` (as in the file), ``option``,
        ``item``, ``question_text`` and ``scale`` where they apply,
        ``value_labels``, ``missing_codes``, ``personal``, ``platform`` and
        ``source`` (the file). ``df.attrs["load_record"]`` is the
        :class:`~toolkit.io.LoadRecord`: rows read and kept, the platform and
        mode and how they were detected (``notes``), every change
        (``coercions``), skip-code cells (``missing``), speeders and unreadable
        values (``problems``). ``df.attrs["survey_export"]`` holds ``platform``,
        ``mode``, ``platform_detected`` and ``mode_detected``.

    Raises
    ------
    FileNotFoundError
        When `path` does not exist.
    toolkit.errors.ReadError
        When no header is a question header (``3、您的性别：``); when the
        platform cannot be told; when the file mixes both modes or contradicts
        `mode`; when a row has more or fewer fields than the header; when a
        question's columns are not together; or when the file cannot be read.
        The message names the file, sheet, row, column and value, and the fix.
    toolkit.errors.ArgumentError
        For an unknown `source`, `mode` or kind, a `speeder_ratio` outside
        (0, 1), or a question in `kinds`/`value_labels` that the file does not
        have.

    Warns
    -----
    toolkit.errors.ToolkitWarning
        Once per read, when skip codes or declared missing codes were turned
        into missing values; the warning points to the load record.

    See Also
    --------
    detect_platform : which platform wrote a file, from its headers.
    toolkit.io.read_table : other office files.
    toolkit.io.load_record : the record of the read.

    Notes
    -----
    An answer-text export holds only the options someone chose, so the codes
    of a scale's ``value_labels`` are the ranks of the options present (1, 2,
    …); pass `value_labels` when the questionnaire's codes matter. The options
    of a multiple-choice question joined in one cell are numbered in the order
    the answers list them, which is the questionnaire's order.

    Examples
    --------
    >>> import tempfile, pathlib, warnings
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "问卷星导出.csv"
    >>> pd.DataFrame({
    ...     "序号": [1, 2, 3, 4],
    ...     "提交答卷时间": ["2023/11/8 10:23:45", "2023/11/8 10:40:02",
    ...                "2023/11/8 11:02:13", "2023/11/9 09:15:00"],
    ...     "所用时间": ["125秒", "30秒", "140秒", "118秒"],
    ...     "来自IP": ["36.110.12.34(北京-北京)", "1.2.3.4(江西-南昌)",
    ...              "5.6.7.8(江西-九江)", "9.9.9.9(江西-赣州)"],
    ...     "1、您的性别：": ["男", "女", "女", "男"],
    ...     "2、您对社区协商议事是否满意：": ["满意", "一般", "(跳过)", "非常满意"],
    ...     "3、您参加过哪些协商活动？": ["居民议事会┋微信群", "微信群",
    ...                          "其他〖楼栋会〗", "居民议事会"],
    ... }).to_csv(path, index=False, encoding="gb18030")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     df = tk.io.read_survey_export(path)
    >>> print(caught[0].message)
    1 cell(s) of `问卷星导出.csv` held skip codes ... lists the code each held.
    >>> df[["respondent_id", "duration", "speeder", "q1", "q2"]]
      respondent_id  duration  speeder q1    q2
    0             1       125    False  男    满意
    1             2        30     True  女    一般
    2             3       140    False  女   NaN
    3             4       118    False  男  非常满意
    >>> df["q2"].cat.categories.tolist(), df.attrs["codebook"]["q2"]["value_labels"]
    (['一般', '满意', '非常满意'], {1: '一般', 2: '满意', 3: '非常满意'})
    >>> df[["q3_1", "q3_2", "q3_3", "q3_3_other"]]
       q3_1  q3_2  q3_3 q3_3_other
    0     1     1     0        NaN
    1     0     1     0        NaN
    2     0     0     1        楼栋会
    3     1     0     0        NaN
    >>> [df.attrs["codebook"][c]["label"] for c in ("q3_1", "q3_3")]
    ['您参加过哪些协商活动？：居民议事会', '您参加过哪些协商活动？：其他']
    >>> df.attrs["codebook"]["ip"]["personal"]
    'ip'
    >>> rec = tk.io.load_record(df)
    >>> rec.missing
       row column  code label
    0    4     q2  (跳过)    跳过
    >>> rec.problems[["row", "column", "value", "check", "severity"]]
       row    column value    check severity
    0    3  duration   30秒  speeder  warning
    >>> for note in rec.notes[:2]:
    ...     print(note)
    platform: 问卷星 (wjx), detected from the headers 提交答卷时间, 所用时间, 来自IP
    mode: answer text (按选项文本), detected from answers joined with ┋ at row 2, ...
    """
    check_choice(source, (None, *PLATFORMS), param="source")
    check_choice(mode, (None, *MODES), param="mode")
    if speeder_ratio is not None and (
            isinstance(speeder_ratio, bool) or not isinstance(speeder_ratio, int | float)
            or not 0 < speeder_ratio < 1):
        msg = (f"`speeder_ratio` must be a number between 0 and 1 (1/3 flags responses "
               "faster than a third of the median), or None to turn the check off; not "
               f"{speeder_ratio!r}.")
        raise ArgumentError(msg)
    path = Path(path)
    raw, record = _read_raw(path, sheet=sheet, encoding=encoding)
    export = Export(path, raw, record, platform=source, mode=mode)
    check_shape(export)
    entries, questions = group_columns(export)
    if not questions:
        shown = ", ".join(f"`{h}`" for h in export.headers[:12])
        more = " …" if len(export.headers) > 12 else ""
        err = export.error(
            "No column has a question header such as `3、您的性别：`, `Q3. 您的性别` or "
            "`7(居民议事会)`, so this is not a 问卷星/腾讯问卷 answer export (headers: "
            f"{shown}{more})",
            "Download the answers from the platform (问卷星: 下载答卷数据; 腾讯问卷: 导出数据) "
            "and keep its headers, or read other tables with `tk.io.read_table`.",
            row=export.header_row)
        raise err
    _decide_platform(export)
    decide_mode(export, questions)
    builder = Builder(export, entries, questions, kinds=kinds, value_labels=value_labels,
                      missing_codes=missing_codes, speeder_ratio=speeder_ratio)
    return builder.run()


def _read_raw(path: Path, *, sheet: str | int | None,
              encoding: str | None) -> tuple[pd.DataFrame, LoadRecord]:
    """The file's cells under its one header row, with the reader's load record."""
    if not path.exists():
        msg = (f"No file `{path}`. Check the folder and the name (suffix included) passed "
               "as `path`.")
        raise FileNotFoundError(msg)
    how = _SUFFIXES.get(path.suffix.lower())
    if how is None:
        msg = (f"Cannot read `{path.name}` as a survey export: 问卷星 and 腾讯问卷 export "
               f"Excel (.xlsx, .xls) or CSV (.csv) files, not `{path.suffix or '(none)'}`. "
               "Download the answers again as Excel or CSV.")
        raise ReadError(msg)
    if how == "excel":
        if encoding is not None:
            msg = (f"`encoding` applies to CSV files, not to the workbook `{path.name}`; "
                   "leave it out.")
            raise ReadError(msg)
        from toolkit.io.excel import read_excel_raw

        raw, record = read_excel_raw(path, sheet=sheet, header_rows=1)
    else:
        if sheet is not None:
            msg = f"`sheet` applies to Excel files, not to `{path.name}`; leave it out."
            raise ReadError(msg)
        from toolkit.io.delimited import read_csv_raw

        raw, record = read_csv_raw(path, header_rows=1, encoding=encoding)
    record.file = str(path)
    record.table = "survey"
    return raw, record


def _decide_platform(export: Export) -> None:
    """Set ``export.platform`` (detected unless given) and note how it was known."""
    record = export.record
    detected = headers.detect_platform(export.headers)
    if export.platform is None:
        if detected is None:
            err = export.error(
                "Cannot tell which platform wrote this export: its headers include none of "
                "问卷星's metadata columns (提交答卷时间, 所用时间, 来源详情, 来自IP) and none of "
                "腾讯问卷's (开始答题时间, 结束答题时间, 答题时长, 地理位置), or as many of each",
                "Pass `source=\"wjx\"` (问卷星) or `source=\"tencent\"` (腾讯问卷).",
                row=export.header_row)
            raise err
        export.platform = detected
        found = ", ".join(headers.platform_evidence(export.headers, detected))
        record.notes.insert(0, f"platform: {PLATFORMS[detected]}, detected from the headers "
                               f"{found}")
        return
    record.notes.insert(0, f"platform: {PLATFORMS[export.platform]} (given as `source`)")
    if detected is not None and detected != export.platform:
        found = ", ".join(headers.platform_evidence(export.headers, detected))
        record.notes.insert(1, f"the headers {found} are those of {PLATFORMS[detected]}, "
                               "not of the `source` given")
