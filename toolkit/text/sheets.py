"""Coding sheets for human coders: an Excel workbook out, the codes back in.

:func:`write_coding_sheet` writes the documents (personal data masked) with a
drop-down of the codebook's categories, the codebook itself and instructions;
coders fill in the category column in Excel or WPS. :func:`read_coding_sheet`
reads the codes back, checking every one against the codebook and reporting all
problems at once (the Excel row, the value, the closest category).

Examples
--------
>>> import tempfile, pathlib
>>> df = pd.DataFrame({"submission_id": ["A", "B"],
...                    "body": ["建议加装电梯，电话13812345678", "停车难"]})
>>> path = pathlib.Path(tempfile.mkdtemp()) / "编码表_A.xlsx"
>>> _ = tk.text.write_coding_sheet(df, path, text="body", coder="A", seed=None)
>>> codes = tk.text.read_coding_sheet(path)
>>> codes.columns.tolist(), len(codes), bool(codes["category"].isna().all())
(['submission_id', 'coder', 'category', 'label', 'note', 'row'], 2, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import check_lang
from toolkit.errors import PROBLEM_COLUMNS, ArgumentError, ReadError, ValidationError
from toolkit.text.coding import Codebook, _as_codebook
from toolkit.text.segment import Segmenter, _documents, _segmenter, text_doc

__all__ = ["read_coding_sheet", "write_coding_sheet"]

_SHEETS = {"zh": ("编码", "编码表", "说明"), "en": ("Coding", "Codebook", "About")}
_HEAD = {
    "zh": {"id": "编号", "title": "标题", "text": "文本", "code": "类别", "note": "备注"},
    "en": {"id": "ID", "title": "Title", "text": "Text", "code": "Category", "note": "Note"},
}
_BOOK_HEAD = {"zh": ["类别代码", "类别", "说明", "关键词"],
              "en": ["Key", "Category", "Description", "Keywords"]}
_ABOUT = {
    "zh": ["请在“类别”一列为每条文本选择一个类别（下拉列表，见“编码表”）。",
           "不确定时可留空，并在“备注”中说明。不要改动“编号”和“文本”两列。",
           "文本中的电话、身份证号等个人信息已用〔电话〕等替代。"],
    "en": ["Choose one category for each text in the Category column (drop-down list; see the "
           "Codebook sheet).", "Leave it empty when unsure and say why in Note. Do not edit "
           "the ID and Text columns.", "Phone and ID-card numbers in the texts are masked."],
}


def _display_text(seg: Segmenter, text: str) -> str:
    """The text as coders see it: as written, or NFKC with personal data masked."""
    if seg.masker is None:
        return text
    norm = seg.normalise(text)
    import unicodedata

    return text if norm == unicodedata.normalize("NFKC", text) else norm


@text_doc
def write_coding_sheet(
    data: Any,
    path: str | Path,
    *,
    codebook: Codebook | str | Path = "topics",
    text: str | Sequence[str] = "body",
    id: str | None = None,
    title: str | None = None,
    coder: str | None = None,
    sample: int | None = None,
    seed: int | None = 1,
    segmenter: Segmenter | None = None,
    lang: str = "zh",
) -> Path:
    """Write an Excel coding sheet for a human coder.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        The table with the texts.
    path : str or Path
        The ``.xlsx`` file to write.
    codebook : Codebook, path or name, default "topics"
        Categories offered in the drop-down list.
    {text}
    {id}
    title : str, optional
        A column shown beside the text (e.g. ``"title"``).
    coder : str, optional
        A code for the coder (``"A"``; not a name), written into the sheet and
        read back by :func:`read_coding_sheet`.
    sample : int, optional
        Code only a random sample of this many documents.
    seed : int or None, default 1
        Seed of the sample and of the order of the rows (each coder can get
        another order); ``None`` keeps the order of `data`.
    segmenter : Segmenter, optional
        Its masking of personal data is applied to the texts shown
        (``Segmenter(names=...)`` masks names too).
    lang : {"zh", "en"}, default "zh"
        Language of the sheet.

    Returns
    -------
    Path
        The file written: sheet 编码 (one row per document: id, text, an empty
        category cell with the codebook's labels as a drop-down, a note
        cell), sheet 编码表 (the codebook) and sheet 说明 (instructions, the
        coder, the id column and the codebook's name).

    Raises
    ------
    toolkit.errors.ArgumentError
        For a `sample` larger than the number of documents.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> df = pd.DataFrame({"submission_id": ["A"], "body": ["停车难"]})
    >>> p = tk.text.write_coding_sheet(df, pathlib.Path(tempfile.mkdtemp()) / "s.xlsx",
    ...                                text="body")
    >>> openpyxl.load_workbook(p).sheetnames
    ['编码', '编码表', '说明']
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    check_lang(lang)
    book = _as_codebook(codebook)
    seg = _segmenter(segmenter)
    docs = _documents(data, text, id, where="tk.text.write_coding_sheet")
    order = np.arange(len(docs.ids))
    if sample is not None:
        if not isinstance(sample, int) or sample < 1 or sample > len(order):
            msg = (f"`sample` must be a whole number between 1 and the number of documents "
                   f"({len(order)}), not {sample!r}.")
            raise ArgumentError(msg)
        order = np.sort(np.random.default_rng(seed).choice(order, size=sample, replace=False))
    if seed is not None:
        order = np.random.default_rng(seed).permutation(order)
    titles = None
    if title is not None:
        from toolkit._checks import as_table, require_columns

        frame = as_table(data, "submissions")
        require_columns(frame, {"title": title})
        titles = frame[title].tolist()
    head = _HEAD[lang]
    coding, book_name, about = _SHEETS[lang]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = coding
    columns = [head["id"], *([head["title"]] if titles is not None else []), head["text"],
               head["code"], head["note"]]
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i in order:
        row = [str(docs.ids[i])]
        if titles is not None:
            t = titles[i]
            row.append(_display_text(seg, t) if isinstance(t, str) else "")
        row += [_display_text(seg, docs.texts[i]), None, None]
        ws.append(row)
    widths = {head["id"]: 14, head["title"]: 30, head["text"]: 80, head["code"]: 16,
              head["note"]: 30}
    for j, name in enumerate(columns, start=1):
        letter = openpyxl.utils.get_column_letter(j)
        ws.column_dimensions[letter].width = widths[name]
        if name in (head["text"], head["title"]):
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    wb_book = wb.create_sheet(book_name)
    wb_book.append(_BOOK_HEAD[lang])
    for cell in wb_book[1]:
        cell.font = Font(bold=True)
    for cat in book.categories.values():
        wb_book.append([cat.key, cat.label if lang == "zh" else cat.label_en, cat.description,
                        "、".join(cat.keywords)])
    for letter, width in zip("ABCD", (12, 16, 40, 60), strict=True):
        wb_book.column_dimensions[letter].width = width
    code_letter = openpyxl.utils.get_column_letter(columns.index(head["code"]) + 1)
    last = len(book.keys) + 1
    dv = DataValidation(type="list", formula1=f"'{book_name}'!$B$2:$B${last}",
                        allow_blank=True, showErrorMessage=True)
    dv.error = ("请从下拉列表中选择类别" if lang == "zh" else "Choose a category from the list")
    ws.add_data_validation(dv)
    if len(order):
        dv.add(f"{code_letter}2:{code_letter}{len(order) + 1}")
    info = wb.create_sheet(about)
    for line in _ABOUT[lang]:
        info.append([line])
    info.append([])
    meta = [("coder", coder or ""), ("id_column", docs.id_name),
            ("codebook", book.name or ""), ("documents", len(order)),
            ("seed", "" if seed is None else seed)]
    for key, value in meta:
        info.append([key, value])
    info.column_dimensions["A"].width = 60
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def read_coding_sheet(
    path: str | Path,
    *,
    codebook: Codebook | str | Path = "topics",
    coder: str | None = None,
) -> pd.DataFrame:
    """Read the codes of a coding sheet written by :func:`write_coding_sheet`.

    Parameters
    ----------
    path : str or Path
        The filled-in ``.xlsx`` file.
    codebook : Codebook, path or name, default "topics"
        The codebook the sheet was written with.
    coder : str, optional
        The coder's code; by default the one written in the sheet (else the
        file name).

    Returns
    -------
    pandas.DataFrame
        One row per document in the sheet, in the sheet's order: the id column
        (named as in the data the sheet was written from), ``coder``,
        ``category`` (the codebook key; missing when left empty), ``label``,
        ``note``, ``row`` (the Excel row). Pass it to :func:`tk.text.agreement`.

    Raises
    ------
    toolkit.errors.ReadError
        When the file is not a coding sheet (sheet or columns missing).
    toolkit.errors.ValidationError
        Listing every cell whose category is not in the codebook (file, sheet,
        Excel row, value, the closest category), and repeated ids.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> df = pd.DataFrame({"submission_id": ["A", "B"], "body": ["停车难", "加装电梯"]})
    >>> p = tk.text.write_coding_sheet(df, pathlib.Path(tempfile.mkdtemp()) / "s.xlsx",
    ...                                text="body", seed=None)
    >>> wb = openpyxl.load_workbook(p)
    >>> wb["编码"]["C2"] = "交通与停车"
    >>> wb["编码"]["C3"] = "住房"
    >>> wb.save(p)
    >>> try:
    ...     tk.text.read_coding_sheet(p)
    ... except ValueError as err:
    ...     print(err.problems[["row", "value", "fix"]].to_string(index=False))
     row value                          fix
       3    住房 use a category of the codebook, e.g. '住房与小区'
    """
    import openpyxl

    book = _as_codebook(codebook)
    p = Path(path)
    if not p.is_file():
        msg = f"No coding sheet {str(p)!r}."
        raise FileNotFoundError(msg)
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises several kinds for a file that is not xlsx
        msg = f"{p} cannot be read as an Excel workbook ({type(err).__name__}: {err})."
        raise ReadError(msg) from err
    lang = next((lg for lg, names in _SHEETS.items() if names[0] in wb.sheetnames), None)
    if lang is None:
        msg = (f"{p} is not a coding sheet: it has no sheet named "
               f"{' or '.join(repr(n[0]) for n in _SHEETS.values())} (sheets: {wb.sheetnames}).")
        raise ReadError(msg)
    coding, _, about = _SHEETS[lang]
    meta: dict[str, Any] = {}
    if about in wb.sheetnames:
        for row in wb[about].iter_rows(values_only=True):
            if row and len(row) > 1 and row[0] in ("coder", "id_column", "codebook"):
                meta[str(row[0])] = row[1]
    rows = list(wb[coding].iter_rows(values_only=True))
    wb.close()
    if not rows:
        msg = f"The sheet {coding!r} of {p} is empty."
        raise ReadError(msg)
    header = [str(h) if h is not None else "" for h in rows[0]]
    head = _HEAD[lang]
    missing = [head[k] for k in ("id", "code") if head[k] not in header]
    if missing:
        msg = (f"The sheet {coding!r} of {p} lacks the column(s) {missing} (columns: {header}); "
               "was it written by tk.text.write_coding_sheet?")
        raise ReadError(msg)
    i_id, i_code = header.index(head["id"]), header.index(head["code"])
    i_note = header.index(head["note"]) if head["note"] in header else None
    who = coder or (str(meta["coder"]) if meta.get("coder") else p.stem)
    id_name = str(meta.get("id_column") or "document")
    records, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        if row is None or all(v is None or str(v).strip() == "" for v in row):
            continue
        doc = row[i_id] if i_id < len(row) else None
        value = row[i_code] if i_code < len(row) else None
        note = row[i_note] if i_note is not None and i_note < len(row) else None
        key = None
        if value is not None and str(value).strip():
            key = book.key_of(value)
            if key is None:
                close = book.suggest(value)
                hint = f", e.g. {close!r}" if close else ""
                problems.append({
                    "table": "coding", "file": str(p), "sheet": coding, "row": number,
                    "column": head["code"], "value": str(value), "check": "unknown_value",
                    "severity": "error",
                    "problem": "not a category of the codebook",
                    "fix": f"use a category of the codebook{hint}",
                    "problem_zh": "不是编码表中的类别",
                    "fix_zh": f"改为编码表中的类别{('，如 ' + close) if close else ''}"})
        records.append({id_name: None if doc is None else str(doc), "coder": who,
                        "category": key, "label": None if key is None else book.label(key),
                        "note": note, "row": number})
    frame = pd.DataFrame(records, columns=[id_name, "coder", "category", "label", "note", "row"])
    dup = frame[id_name].duplicated(keep=False) & frame[id_name].notna()
    for _, r in frame[dup].iterrows():
        problems.append({
            "table": "coding", "file": str(p), "sheet": coding, "row": int(r["row"]),
            "column": head["id"], "value": r[id_name], "check": "duplicate_id",
            "severity": "error", "problem": "the same document appears twice",
            "fix": "keep one row per document", "problem_zh": "同一文本出现两次",
            "fix_zh": "每条文本只保留一行"})
    if problems:
        raise ValidationError(pd.DataFrame(problems, columns=PROBLEM_COLUMNS),
                              f"{len(problems)} problem(s) in the coding sheet {p}.")
    frame["category"] = frame["category"].astype("str").where(frame["category"].notna(), pd.NA)
    return frame
