"""Publication tables: regression, descriptive and cross tables, with Chinese conventions.

Each function returns a :class:`Table`: the formatted cells (``.to_frame()``),
the numbers behind them (``.numbers``, small cells already blanked), a caption
and notes; it writes itself as HTML, LaTeX, Markdown and Word, and a
:class:`toolkit.report.Report` numbers it (表1, 表2 … / Table 1 …).

Conventions: thousands separators, fixed decimals, notes under the table
(``注：* p<0.05 …``), small-cell suppression of counts on by default (counts of
1–4 shown as ``<5``; ``suppress=False`` turns it off), and personal columns
(names, ID-card and phone numbers) never printed.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ColumnNotFoundError
from toolkit.report._format import (
    SMALL_CELL,
    Lang,
    check_lang,
    fmt_count,
    fmt_num,
    fmt_p,
    personal_columns,
    stars,
    w,
)

__all__ = ["Table", "crosstab_table", "describe_table", "regression_table"]

#: Headers of common result columns.
_RESULT_HEADERS = {
    "estimate": ("估计值", "Estimate"), "se": ("标准误", "SE"), "ci_low": ("95%CI下限", "CI low"),
    "ci_high": ("95%CI上限", "CI high"), "p_value": ("p值", "p"), "n": ("样本量", "n"),
    "deff": ("设计效应", "Design effect"), "alpha": ("α系数", "Alpha"), "mean": ("均值", "Mean"),
    "sd": ("标准差", "SD"), "share": ("比例", "Share"), "rate": ("比率", "Rate"),
    "count": ("频数", "Count"), "percent": ("百分比（%）", "Percent"), "k": ("题项数", "Items"),
    "rows": ("行数", "Rows"), "columns": ("列数", "Columns"), "table": ("数据表", "Table"),
    "label": ("名称", "Label"), "file": ("文件", "File"), "term": ("变量", "Term"),
    "item": ("题项", "Item"), "level": ("取值", "Level"), "group": ("组别", "Group"),
    "z": ("z值", "z"), "t": ("t值", "t"), "odds_ratio": ("比值比", "Odds ratio"),
    "mean_before": ("前测均值", "Mean before"), "mean_after": ("后测均值", "Mean after"),
    "change": ("变化", "Change"), "omega": ("ω系数", "Omega"),
    "degree": ("度中心度", "Degree"), "betweenness": ("中介中心度", "Betweenness"),
    "closeness": ("接近中心度", "Closeness"), "eigenvector": ("特征向量中心度", "Eigenvector"),
    "knowledge_index": ("知识指数", "Knowledge index"),
}
_COUNT_NAMES = {"n", "count", "freq", "frequency", "频数", "人数"}


def header_label(column: object, lang: Lang = "zh") -> str:
    """Header of a column in a published table (schema or result-column label)."""
    key = str(column)
    if key in _RESULT_HEADERS:
        return _RESULT_HEADERS[key][0 if lang == "zh" else 1]
    from toolkit.schema import column_label

    return column_label(key, lang)


def _value_text(column: str, value: object, lang: Lang) -> str:
    from toolkit.schema import value_labels

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return w("missing", lang)
    return value_labels(column, [value], lang)[0]


def _is_count_column(name: object, series: pd.Series) -> bool:
    key = str(name)
    return (key in _COUNT_NAMES or key.startswith("n_")) and pd.api.types.is_integer_dtype(
        series.dtype)


def _suppress(n: Any, on: bool, /) -> bool:  # noqa: FBT001
    return on and not pd.isna(n) and 0 < float(n) < SMALL_CELL


class Table:
    """A formatted table ready to publish: cells, numbers, caption and notes.

    Parameters
    ----------
    frame : pandas.DataFrame
        The cells as text, with display headers.
    caption : str, optional
        Title shown after the number (表1 …).
    notes : list of str, optional
        Notes printed under the table after 注： / Note:.
    numbers : pandas.DataFrame, optional
        The numbers behind the cells (tidy; suppressed counts are missing).
    lang : {"zh", "en"}, default "zh"
        Language of the fixed words.

    Examples
    --------
    >>> t = tk.report.Table.from_frame(pd.DataFrame({"platform": ["微信群"], "n": [1234]}),
    ...                                caption="平台")
    >>> t.to_frame()
      协商平台      样本量
    0  微信群  1,234
    """

    def __init__(self, frame: pd.DataFrame, *, caption: str | None = None,
                 notes: Sequence[str] = (), numbers: pd.DataFrame | None = None,
                 lang: Lang = "zh") -> None:
        check_lang(lang)
        self.frame = frame.astype(object).where(frame.notna(), "").astype(str)
        self.caption = caption
        self.notes = [n for n in notes if n]
        self.numbers = numbers
        self.lang = lang

    @classmethod
    def from_frame(cls, data: pd.DataFrame, *, caption: str | None = None,
                   notes: Sequence[str] = (), digits: int = 2, suppress: bool = True,
                   labels: Mapping[str, str] | None = None, lang: Lang = "zh") -> Table:
        """Format any DataFrame for publication.

        Personal columns are removed (and a note says so); canonical column names
        become labels; vocabulary values are shown in `lang`; integers get
        thousands separators and floats `digits` decimals; count columns (``n``,
        ``count``, ``n_*``) have cells of 1–4 shown as ``<5`` unless `suppress`
        is False.
        """
        check_lang(lang)
        frame = data.reset_index() if not isinstance(data.index, pd.RangeIndex) else data
        notes = list(notes)
        personal = personal_columns(frame)
        if personal:
            frame = frame.drop(columns=list(personal))
            notes.append(w("personal_dropped", lang,
                           cols="、".join(map(str, personal)) if lang == "zh"
                           else ", ".join(map(str, personal))))
        labels = dict(labels or {})
        out = pd.DataFrame(index=range(len(frame)))
        numbers = frame.reset_index(drop=True).copy()
        any_suppressed = False
        for col in frame.columns:
            s = frame[col].reset_index(drop=True)
            head = labels.get(str(col), header_label(col, lang))
            if _is_count_column(col, s):
                hidden = s.map(lambda v: _suppress(v, suppress)).astype(bool)
                any_suppressed |= bool(hidden.any())
                out[head] = [f"<{SMALL_CELL}" if h else fmt_count(v)
                             for v, h in zip(s, hidden, strict=True)]
                numbers[col] = s.astype("Float64").mask(hidden)
            elif pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
                out[head] = [_value_text("", v, lang) if pd.isna(v) else
                             w("yes" if v else "no", lang) for v in s]
            elif pd.api.types.is_integer_dtype(s.dtype):
                out[head] = [fmt_count(v) for v in s]
            elif pd.api.types.is_float_dtype(s.dtype):
                p_like = str(col) in {"p_value", "p"}
                out[head] = [fmt_p(v) if p_like else fmt_num(v, digits) for v in s]
            elif pd.api.types.is_datetime64_any_dtype(s.dtype):
                out[head] = [f"{v:%Y-%m-%d}" if pd.notna(v) else "" for v in s]
            else:
                out[head] = ["" if (not isinstance(v, str) and pd.isna(v))
                             else _value_text(str(col), v, lang) for v in s]
        if any_suppressed:
            notes.append(w("suppressed", lang, k=SMALL_CELL))
        return cls(out, caption=caption, notes=notes, numbers=numbers, lang=lang)

    # -- output -------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """The cells as published (text), with display headers."""
        return self.frame.copy()

    def title(self, number: int | None = None) -> str:
        """Caption with its number: ``表1 样本构成`` / ``Table 1. Sample``."""
        cap = self.caption or ""
        if number is None:
            return cap
        if self.lang == "zh":
            return f"{w('table', 'zh')}{number} {cap}".rstrip()
        return f"{w('table', 'en')}{number}. {cap}".rstrip()

    def note_text(self) -> str:
        """All notes in one line, after 注： / Note:, or '' without notes."""
        if not self.notes:
            return ""
        joined = "".join(self.notes) if self.lang == "zh" else " ".join(
            n.strip() for n in self.notes)
        return f"{w('note', self.lang)}{joined}"

    def to_html(self, number: int | None = None) -> str:
        """An HTML ``<table>`` with caption and notes (no external resources)."""
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.frame.columns)
        body = "".join(
            "<tr>" + "".join(
                ("<td class='num'>" if j else "<td>") + f"{html.escape(v)}</td>"
                for j, v in enumerate(row)) + "</tr>"
            for row in self.frame.itertuples(index=False, name=None))
        cap = self.title(number)
        caption = f"<caption>{html.escape(cap)}</caption>" if cap else ""
        note = self.note_text()
        foot = (f"<tfoot><tr><td colspan='{self.frame.shape[1]}' class='note'>"
                f"{html.escape(note)}</td></tr></tfoot>") if note else ""
        return (f"<table class='tk-table'>{caption}<thead><tr>{head}</tr></thead>"
                f"{foot}<tbody>{body}</tbody></table>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_latex(self, number: int | None = None) -> str:
        """A LaTeX ``table`` with booktabs rules, caption and notes."""

        def esc(text: object) -> str:
            out = str(text)
            for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"),
                         ("$", r"\$"), ("#", r"\#"), ("_", r"\_"), ("{", r"\{"),
                         ("}", r"\}"), ("~", r"\textasciitilde{}"), ("^", r"\^{}")):
                out = out.replace(a, b) if a != "\\" else out.replace(a, "\0")
            return out.replace("\0", r"\textbackslash{}")

        cols = "l" + "r" * (self.frame.shape[1] - 1)
        lines = [r"\begin{table}[htbp]", r"\centering"]
        if self.caption:
            lines.append(rf"\caption{{{esc(self.caption)}}}")
        lines += [rf"\begin{{tabular}}{{{cols}}}", r"\toprule",
                  " & ".join(esc(c) for c in self.frame.columns) + r" \\", r"\midrule"]
        lines += [" & ".join(esc(v) for v in row) + r" \\"
                  for row in self.frame.itertuples(index=False, name=None)]
        lines += [r"\bottomrule", r"\end{tabular}"]
        if self.notes:
            lines.append(rf"\par\footnotesize {esc(self.note_text())}")
        lines.append(r"\end{table}")
        return "\n".join(lines)

    def to_markdown(self, number: int | None = None) -> str:
        """A Markdown pipe table with its caption above and notes below."""

        def cell(v: object) -> str:
            return str(v).replace("|", "\\|").replace("\n", " ")

        head = "| " + " | ".join(cell(c) for c in self.frame.columns) + " |"
        rule = "|" + "|".join([":---"] + ["---:"] * (self.frame.shape[1] - 1)) + "|"
        rows = ["| " + " | ".join(cell(v) for v in row) + " |"
                for row in self.frame.itertuples(index=False, name=None)]
        parts = []
        cap = self.title(number)
        if cap:
            parts.append(f"**{cap}**\n")
        parts += [head, rule, *rows]
        if self.notes:
            parts.append(f"\n{self.note_text()}")
        return "\n".join(parts)

    def to_docx(self, path: str | Path) -> Path:
        """Write a Word document holding this table (numbered 表1 / Table 1)."""
        from toolkit.report.document import Report

        report = Report(self.caption or "", lang=self.lang, toc=False)
        report.table(self)
        return report.to_docx(path)

    def __repr__(self) -> str:
        cap = f" {self.caption!r}" if self.caption else ""
        return f"<Table{cap}: {self.frame.shape[0]} rows x {self.frame.shape[1]} columns>"


# ---------------------------------------------------------------------------
# regression tables
# ---------------------------------------------------------------------------


def _fit_stat(result: Any, names: Sequence[str]) -> float | None:
    sources = [result]
    if isinstance(result, pd.DataFrame):
        sources = [result.attrs]
    else:
        raw = getattr(result, "_model_result", None) or (
            getattr(result, "model_result", None) if not hasattr(result, "params") else result)
        if raw is not None and raw is not result:
            sources.append(raw)
    for src in sources:
        for name in names:
            try:
                value = src.get(name) if isinstance(src, dict) else getattr(src, name)
            except Exception:
                continue
            if value is None or callable(value):
                continue
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue
            if np.isfinite(value):
                return value
    return None


def regression_table(
    results: Any,
    *,
    names: Sequence[str] | None = None,
    uncertainty: str = "se",
    digits: int = 3,
    exp: bool = False,
    intercept: bool = True,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    lang: Lang = "zh",
) -> Table:
    """Regression table of one or several models, side by side.

    Each term takes two rows: the estimate with significance stars, and under
    it the standard error in parentheses (``uncertainty="se"``) or the 95% confidence
    interval in brackets (``uncertainty="ci"``). Cut-points of ordered models follow the
    coefficients. The foot rows give N, the (pseudo) R² and the AIC.

    Parameters
    ----------
    results : model result, DataFrame, list or dict of them
        Results of ``tk.stats.regress`` / ``ologit`` / ``multilevel`` (anything
        with ``.to_frame()`` giving ``term, estimate, se, p_value, ci_low,
        ci_high``), raw statsmodels results, or such frames. A list is named
        模型1, 模型2 … (Model 1 …); a dict gives the names.
    names : list of str, optional
        Column names of the models (overrides the defaults).
    uncertainty : {"se", "ci"}, default "se"
        What goes under each estimate.
    digits : int, default 3
        Decimals of estimates and their uncertainty.
    exp : bool, default False
        Show exp(estimate) (odds ratios for logit models) for coefficient rows;
        the standard error then follows the delta method (OR x se).
    intercept : bool, default True
        Keep the intercept row.
    labels : dict, optional
        Term → row label (default: schema labels; ``x[T.a]`` shown as ``x：a``).
    caption : str, optional
        Title of the table.
    lang : {"zh", "en"}, default "zh"
        Language of labels and notes.

    Returns
    -------
    Table
        ``.numbers`` has one row per model and term with columns ``model, term,
        kind, estimate, se, p_value, ci_low, ci_high`` (exponentiated with `exp`).

    Raises
    ------
    ValueError
        For an unknown `uncertainty`, or `names` of the wrong length.

    Notes
    -----
    Stars: ``*`` p < 0.05, ``**`` p < 0.01, ``***`` p < 0.001 (two-sided).

    Examples
    --------
    >>> f = pd.DataFrame({"term": ["Intercept", "age"], "estimate": [1.2, 0.0312],
    ...                   "se": [0.4, 0.011], "p_value": [0.003, 0.0046]})
    >>> f.attrs["n"] = 3012
    >>> tk.report.regression_table(f, lang="en").to_frame()
      Variable    Model 1
    0  Intercept  1.200**
    1             (0.400)
    2        Age  0.031**
    3             (0.011)
    4          N    3,012
    """
    from toolkit.schema import term_label
    from toolkit.stats.results import coefficient_frames, is_threshold

    check_lang(lang)
    if uncertainty not in {"se", "ci"}:
        msg = f'`uncertainty` must be "se" or "ci", not {uncertainty!r}.'
        raise ValueError(msg)
    models = coefficient_frames(results, lang=lang)
    raw = (list(results.values()) if isinstance(results, Mapping)
           else list(results) if isinstance(results, list | tuple) else [results])
    if names is not None:
        if len(names) != len(models):
            msg = f"`names` has {len(names)} entries for {len(models)} model(s)."
            raise ValueError(msg)
        models = dict(zip(names, models.values(), strict=True))
    if list(models) == [""]:
        models = {w("model", lang).strip() + ("1" if lang == "zh" else " 1"): models[""]}
    labels = dict(labels or {})
    long_rows = []
    for name, frame in models.items():
        f = frame.copy()
        f["term"] = f["term"].astype(str)
        kind = f["kind"].astype(str) if "kind" in f.columns else pd.Series(
            np.where(is_threshold(f), "cut-point", "coefficient"), index=f.index)
        f["kind"] = np.where(is_threshold(f), "cut-point", kind)
        for col in ("se", "p_value", "ci_low", "ci_high"):
            if col not in f.columns:
                f[col] = np.nan
        if exp:
            coef = f["kind"].eq("coefficient")
            e = np.exp(f["estimate"].astype(float))
            f.loc[coef, "se"] = f.loc[coef, "se"] * e[coef]
            for col in ("estimate", "ci_low", "ci_high"):
                f.loc[coef, col] = np.exp(f.loc[coef, col].astype(float))
        if not intercept:
            f = f[~f["term"].str.lower().isin({"intercept", "const", "(intercept)"})]
        f.insert(0, "model", name)
        long_rows.append(f[["model", "term", "kind", "estimate", "se", "p_value", "ci_low",
                            "ci_high"]])
    numbers = pd.concat(long_rows, ignore_index=True)
    order_kind = {"coefficient": 0, "cut-point": 1, "variance": 2}
    terms = (numbers.drop_duplicates("term")
             .assign(_k=lambda d: d["kind"].map(order_kind).fillna(3))
             .sort_values("_k", kind="stable")["term"].tolist())
    var_head = w("variable", lang)
    rows: list[list[str]] = []
    for term in terms:
        label = labels.get(term, term_label(term, lang) if "|" not in term else term)
        top, under = [label], [""]
        for name in models:
            hit = numbers[(numbers["model"] == name) & (numbers["term"] == term)]
            if hit.empty:
                top.append("")
                under.append("")
                continue
            r = hit.iloc[0]
            top.append(f"{fmt_num(r['estimate'], digits)}{stars(r['p_value'])}")
            if uncertainty == "se":
                under.append(f"({fmt_num(r['se'], digits)})" if pd.notna(r["se"]) else "")
            else:
                under.append(f"[{fmt_num(r['ci_low'], digits)}, {fmt_num(r['ci_high'], digits)}]"
                             if pd.notna(r["ci_low"]) else "")
        rows += [top, under]
    stat_rows = [("n", ("n", "nobs"), fmt_count),
                 ("pseudo_r2", ("pseudo_r2", "prsquared"), lambda v: fmt_num(v, 3)),
                 ("r2", ("r2", "rsquared"), lambda v: fmt_num(v, 3)),
                 ("aic", ("aic",), lambda v: fmt_num(v, 1))]
    for key, attrs, fmt in stat_rows:
        values = [_fit_stat(r, attrs) for r in raw]
        if key == "r2" and any(_fit_stat(r, ("pseudo_r2", "prsquared")) is not None for r in raw):
            continue
        if all(v is None for v in values):
            continue
        rows.append([w(key, lang), *["" if v is None else fmt(v) for v in values]])
    frame = pd.DataFrame(rows, columns=[var_head, *models])
    notes = [w("se_note" if uncertainty == "se" else "ci_note", lang)]
    if exp:
        notes.append(w("odds", lang))
    notes.append(w("stars", lang))
    return Table(frame, caption=caption, notes=notes, numbers=numbers, lang=lang)


# ---------------------------------------------------------------------------
# descriptive tables
# ---------------------------------------------------------------------------


def _refuse_personal(frame: pd.DataFrame, columns: Sequence[str | None], param: str) -> None:
    personal = personal_columns(frame)
    named = [c for c in columns if c is not None and c in personal]
    if named:
        msg = (f"{', '.join(f'`{c}`' for c in named)} in `{param}` hold(s) personal data "
               f"({', '.join(personal[c] for c in named)}) and cannot go into a published "
               "table. Pseudonymise it first (`tk.io.pseudonymise`) or leave it out.")
        raise ValueError(msg)


def _check_columns(frame: pd.DataFrame, columns: Sequence[str | None]) -> None:
    import difflib

    for col in columns:
        if col is not None and col not in frame.columns:
            close = difflib.get_close_matches(str(col), [str(c) for c in frame.columns], n=3)
            hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
            msg = f"Column `{col}` is not in `data`.{hint}"
            raise ColumnNotFoundError(msg)


def _levels(s: pd.Series) -> list[Any]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.categories)
    if pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
        return [True, False]
    return sorted(s.dropna().unique().tolist(), key=str)


def _is_categorical(s: pd.Series) -> bool:
    return (isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(s.dtype)
            or str(s.dtype) == "boolean" or not pd.api.types.is_numeric_dtype(s.dtype))


def describe_table(
    data: pd.DataFrame,
    *,
    vars: Sequence[str],
    by: str | None = None,
    weight: str | None = None,
    digits: int = 1,
    suppress: bool = True,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    lang: Lang = "zh",
) -> Table:
    """Descriptive "Table 1": n (%) for categorical variables, mean (SD) for numeric ones.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        The table (a Study's ``survey`` table is used).
    vars : list of str
        Variables, in row order.
    by : str, optional
        Column to group by; one column per group and a total column.
    weight : str, optional
        Column of weights; percentages, means and SDs are weighted, counts are not.
    digits : int, default 1
        Decimals of percentages, means and SDs.
    suppress : bool, default True
        Show counts of 1–4 as ``<5`` (with their percentages hidden). Zero
        counts are shown.
    labels : dict, optional
        Variable → row label (default: codebook or schema label).
    caption : str, optional
        Title of the table.
    lang : {"zh", "en"}, default "zh"
        Language of labels and notes.

    Notes
    -----
    Percentages of a categorical variable are of all rows of the column (the
    missing row included, so a column adds up to 100%); means and SDs use the
    rows with a value (weighted SD with the n/(n-1) correction).

    Returns
    -------
    Table
        ``.numbers`` has columns ``variable, level, group, n, percent, mean, sd``
        (suppressed counts and their percentages missing).

    Raises
    ------
    ValueError
        When a variable (or `by`) holds personal data.
    ColumnNotFoundError
        When a column is missing.

    Examples
    --------
    >>> df = pd.DataFrame({"gender": ["男"] * 6 + ["女"] * 3, "age": range(30, 39)})
    >>> tk.report.describe_table(df, vars=["gender", "age"]).to_frame()
            变量     全部（n=9）
    0       性别
    1         女          <5
    2         男   6 (66.7%)
    3  年龄：均值（标准差）  34.0 (2.7)
    """
    check_lang(lang)
    frame = data.table("survey") if hasattr(data, "tables") else data
    _check_columns(frame, [*vars, by, weight])
    _refuse_personal(frame, [*vars, by], "vars" if by not in vars else "by")
    labels = dict(labels or {})
    wts = (pd.to_numeric(frame[weight], errors="coerce").astype("float64")
           if weight else pd.Series(1.0, index=frame.index))
    if by is None:
        groups: list[tuple[Any, pd.Index]] = [(None, frame.index)]
    else:
        groups = [(g, frame.index[(frame[by] == g).to_numpy(dtype=bool, na_value=False)])
                  for g in _levels(frame[by])]
        groups.append(("\0total", frame.index))
    heads = []
    for g, idx in groups:
        if g is None:
            name = w("all", lang)
        elif g == "\0total":
            name = w("total", lang)
        else:
            name = _value_text(by, g, lang)
        n = fmt_count(len(idx))
        heads.append(f"{name}（n={n}）" if lang == "zh" else f"{name} (n={n})")
    table_rows: list[list[str]] = []
    numbers: list[dict[str, Any]] = []
    any_suppressed = False
    sep = "：" if lang == "zh" else ": "
    for var in vars:
        s = frame[var]
        label = labels.get(var, header_label(var, lang))
        if _is_categorical(s):
            table_rows.append([label, *[""] * len(groups)])
            levels = _levels(s)
            has_missing = bool(s.isna().any())
            for level in [*levels, *([None] if has_missing else [])]:
                cells = []
                for g, idx in groups:
                    sub, ww = s.loc[idx], wts.loc[idx]
                    hit = sub.isna() if level is None else (sub == level)
                    hit = hit.to_numpy(dtype=bool, na_value=False)
                    n = int(hit.sum())
                    valid = ww.notna().to_numpy()
                    denom = ww.to_numpy()[valid].sum()
                    pct = 100 * ww.to_numpy()[hit & valid].sum() / denom if denom else np.nan
                    hide = _suppress(n, suppress)
                    any_suppressed |= hide
                    cells.append(f"<{SMALL_CELL}" if hide
                                 else f"{fmt_count(n)} ({fmt_num(pct, digits)}%)")
                    numbers.append({"variable": var, "level": level,
                                    "group": None if g in (None, "\0total") else g,
                                    "n": np.nan if hide else n,
                                    "percent": np.nan if hide else pct,
                                    "mean": np.nan, "sd": np.nan})
                name = w("missing", lang) if level is None else _value_text(var, level, lang)
                table_rows.append([f"  {name}", *cells])
        else:
            cells = []
            values = pd.to_numeric(s, errors="coerce").astype("float64")
            for g, idx in groups:
                x, ww = values.loc[idx].to_numpy(), wts.loc[idx].to_numpy()
                ok = ~np.isnan(x) & ~np.isnan(ww)
                n = int(ok.sum())
                if n == 0:
                    mean = sd = np.nan
                else:
                    mean = float(np.average(x[ok], weights=ww[ok]))
                    var_w = np.average((x[ok] - mean) ** 2, weights=ww[ok])
                    sd = float(np.sqrt(var_w * n / (n - 1))) if n > 1 else np.nan
                hide = _suppress(n, suppress)
                any_suppressed |= hide
                cells.append(f"<{SMALL_CELL}" if hide
                             else f"{fmt_num(mean, digits)} ({fmt_num(sd, digits)})")
                numbers.append({"variable": var, "level": None,
                                "group": None if g in (None, "\0total") else g,
                                "n": np.nan if hide else n, "percent": np.nan,
                                "mean": np.nan if hide else mean, "sd": np.nan if hide else sd})
            table_rows.append([f"{label}{sep}{w('mean_sd', lang)}", *cells])
    out = pd.DataFrame(table_rows, columns=[w("variable", lang), *heads])
    notes = []
    if weight:
        notes.append(w("weighted", lang))
    if any_suppressed:
        notes.append(w("suppressed", lang, k=SMALL_CELL))
    return Table(out, caption=caption, notes=notes,
                 numbers=pd.DataFrame(numbers, columns=["variable", "level", "group", "n",
                                                        "percent", "mean", "sd"]),
                 lang=lang)


# ---------------------------------------------------------------------------
# cross tables
# ---------------------------------------------------------------------------


def _secondary(hidden: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Hide further cells so that no row or column has exactly one hidden cell."""
    extra = np.zeros_like(hidden)
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            mask = hidden | extra
            lines = mask if axis == 1 else mask.T
            vals = counts if axis == 1 else counts.T
            for i in range(lines.shape[0]):
                if lines[i].sum() == 1:
                    candidates = [(vals[i, j], j) for j in range(lines.shape[1])
                                  if not lines[i, j] and vals[i, j] > 0]
                    if candidates:
                        _, j = min(candidates)
                        if axis == 1:
                            extra[i, j] = True
                        else:
                            extra[j, i] = True
                        changed = True
    return extra


def crosstab_table(
    data: pd.DataFrame,
    *,
    row: str,
    col: str,
    weight: str | None = None,
    percent: str | None = "row",
    digits: int = 1,
    suppress: bool = True,
    test: bool = True,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    lang: Lang = "zh",
) -> Table:
    """Cross table of two columns: counts with row, column or total percentages.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        The table (a Study's ``sessions`` table is used).
    row, col : str
        Columns for rows and columns (vocabulary values shown in `lang`).
    weight : str, optional
        Column of weights; percentages are weighted, counts are not.
    percent : {"row", "col", "total", None}, default "row"
        Which percentages to show beside the counts.
    digits : int, default 1
        Decimals of percentages.
    suppress : bool, default True
        Counts of 1–4 shown as ``<5``; where a row or column would then have a
        single hidden cell, its smallest other cell is hidden too (``—``), so the
        hidden count cannot be recovered from the totals.
    test : bool, default True
        Add Pearson's chi-square test to the notes (unweighted tables only; for
        survey data use ``tk.stats.Design.crosstab``, Rao–Scott adjusted).
    labels : dict, optional
        Column → header label.
    caption : str, optional
        Title of the table.
    lang : {"zh", "en"}, default "zh"
        Language of labels and notes.

    Returns
    -------
    Table
        ``.numbers`` has columns ``row, col, n, percent`` (hidden cells missing),
        totals included with ``row``/``col`` set to ``"total"``.

    Raises
    ------
    ValueError
        When `row` or `col` holds personal data, or `percent` is unknown.

    Examples
    --------
    >>> s = pd.DataFrame({"platform": ["微信群"] * 12 + ["居民议事会"] * 9,
    ...                   "consensus": [True] * 7 + [False] * 5 + [True] * 8 + [False]})
    >>> t = tk.report.crosstab_table(s, row="platform", col="consensus", test=False)
    >>> t.to_frame()
        协商平台           是          否           合计
    0  居民议事会           —         <5   9 (100.0%)
    1    微信群           —          —  12 (100.0%)
    2     合计  15 (71.4%)  6 (28.6%)  21 (100.0%)

    The one small cell (1) is shown as <5; the other inner cells are hidden
    too (—), since with the totals they would give it away.
    >>> t.numbers["n"].isna().tolist()[:3]
    [True, True, False]
    """
    check_lang(lang)
    if percent not in {"row", "col", "total", None}:
        msg = f'`percent` must be "row", "col", "total" or None, not {percent!r}.'
        raise ValueError(msg)
    frame = data.table("sessions") if hasattr(data, "tables") else data
    _check_columns(frame, [row, col, weight])
    _refuse_personal(frame, [row, col], "row" if row in personal_columns(frame) else "col")
    labels = dict(labels or {})
    r, c = frame[row], frame[col]
    ok = (r.notna() & c.notna()).to_numpy()
    rl = [v for v in _levels(r) if (r[ok] == v).any()]
    cl = [v for v in _levels(c) if (c[ok] == v).any()]
    ri = r[ok].map({v: i for i, v in enumerate(rl)}).to_numpy(dtype=int)
    ci = c[ok].map({v: i for i, v in enumerate(cl)}).to_numpy(dtype=int)
    counts = np.zeros((len(rl), len(cl)))
    np.add.at(counts, (ri, ci), 1)
    wv = (pd.to_numeric(frame[weight], errors="coerce").fillna(0).to_numpy()[ok]
          if weight else np.ones(int(ok.sum())))
    wsum = np.zeros_like(counts)
    np.add.at(wsum, (ri, ci), wv)
    full_n = np.zeros((len(rl) + 1, len(cl) + 1))
    full_n[:-1, :-1] = counts
    full_n[-1, :-1], full_n[:-1, -1], full_n[-1, -1] = counts.sum(0), counts.sum(1), counts.sum()
    full_w = np.zeros_like(full_n)
    full_w[:-1, :-1] = wsum
    full_w[-1, :-1], full_w[:-1, -1], full_w[-1, -1] = wsum.sum(0), wsum.sum(1), wsum.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        if percent == "row":
            pct = 100 * full_w / full_w[:, -1:]
        elif percent == "col":
            pct = 100 * full_w / full_w[-1:, :]
        else:
            pct = 100 * full_w / full_w[-1, -1]
    hidden = np.vectorize(lambda v: _suppress(v, suppress))(full_n).astype(bool)
    extra = np.zeros_like(hidden)
    if suppress and hidden[:-1, :-1].any():  # totals stay shown; inner cells protect each other
        extra[:-1, :-1] = _secondary(hidden[:-1, :-1], full_n[:-1, :-1])
    head_r = labels.get(row, header_label(row, lang))
    col_heads = [*[_value_text(col, v, lang) for v in cl], w("total", lang)]
    row_heads = [*[_value_text(row, v, lang) for v in rl], w("total", lang)]
    cells = []
    numbers = []
    for i, rname in enumerate(row_heads):
        line = [rname]
        for j, _cname in enumerate(col_heads):
            n = full_n[i, j]
            if hidden[i, j]:
                text = f"<{SMALL_CELL}"
            elif extra[i, j]:
                text = "—"
            else:
                text = fmt_count(n) if percent is None else (
                    f"{fmt_count(n)} ({fmt_num(pct[i, j], digits)}%)")
            line.append(text)
            gone = hidden[i, j] or extra[i, j]
            numbers.append({"row": rl[i] if i < len(rl) else "total",
                            "col": cl[j] if j < len(cl) else "total",
                            "n": np.nan if gone else n,
                            "percent": np.nan if gone or percent is None else pct[i, j]})
        cells.append(line)
    out = pd.DataFrame(cells, columns=[head_r, *col_heads])
    notes = []
    if weight and percent is not None:
        notes.append(w("weighted", lang))
    if hidden.any():
        notes.append(w("suppressed", lang, k=SMALL_CELL))
    if extra.any():
        notes.append(w("secondary", lang))
    if test and not weight and counts.shape[0] > 1 and counts.shape[1] > 1:
        from scipy.stats import chi2_contingency

        res = chi2_contingency(counts, correction=False)
        p = fmt_p(res.pvalue)
        notes.append(w("chi2", lang, df=int(res.dof), chi2=fmt_num(res.statistic, 2),
                       p=p if p.startswith("<") else f"= {p}"))
    return Table(out, caption=caption, notes=notes, numbers=pd.DataFrame(numbers), lang=lang)
