"""Descriptive "Table 1": the output of ``tk.stats.describe`` as a publication table."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import as_table, require_columns
from toolkit._docs import REMOVED_IN, renamed
from toolkit.errors import ArgumentError
from toolkit.report._format import Lang, check_lang, fmt_count, fmt_num, w
from toolkit.report._labels import LabelLog, display_order, header_label, value_text
from toolkit.report.disclosure import (
    PRIMARY,
    SHOWN,
    Block,
    Means,
    SuppressionRule,
    as_rule,
    protect_blocks,
    refuse_personal,
    refuse_personal_values,
    suppression_notes,
)
from toolkit.report.table import Table

__all__ = ["describe_table"]

#: Columns of ``tk.stats.describe`` output, before and after its group columns.
_DESCRIBE_HEAD = ("variable", "level")
_DESCRIBE_TAIL = ("n", "missing", "percent", "mean", "sd")


def _describe_parts(result: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """Group columns of a ``tk.stats.describe`` result and the kind of each variable."""
    require_columns(result, {"data": [*_DESCRIBE_HEAD, *_DESCRIBE_TAIL]},
                    where="`data` (the output of `tk.stats.describe`)")
    cols = list(result.columns)
    groups = cols[cols.index("level") + 1:cols.index("n")]
    kinds = dict(result.attrs.get("kinds") or {})
    for var, part in result.groupby("variable", sort=False):
        if var not in kinds:  # without the attrs: a variable with levels is categorical
            kinds[str(var)] = "categorical" if part["level"].notna().any() else "numeric"
    return groups, kinds


def _legacy_describe(data: Any, vars: Sequence[str], by: str | None, weights: str | None, *,
                     allow_personal: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``tk.stats.describe`` of a raw table, as the old call style produced it."""
    from toolkit.stats import Design, describe

    frame = as_table(data, "survey", where="tk.report.describe_table")
    require_columns(frame, {"vars": list(vars), "by": by, "weights": weights})
    refuse_personal(frame, [*vars, by], "vars" if by not in vars else "by",
                    allow_personal=allow_personal)
    design = Design(frame, weights=weights) if weights is not None else None
    overall = describe(frame, vars=list(vars), design=design, include_missing=True)
    if by is None:
        return overall, None
    return describe(frame, vars=list(vars), by=by, design=design, include_missing=True), overall


@renamed(weight="weights")
def describe_table(
    data: pd.DataFrame,
    *,
    total: pd.DataFrame | None = None,
    digits: int = 1,
    suppress: bool | SuppressionRule = True,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    lang: Lang = "zh",
    allow_personal: bool = False,
    vars: Sequence[str] | None = None,
    by: str | None = None,
    weights: str | None = None,
) -> Table:
    """Descriptive "Table 1" of ``tk.stats.describe``: n (%) by level, or mean (SD).

    The table shows what ``tk.stats.describe`` computed and computes nothing of
    its own: one row per level of a categorical variable (``n (percent%)``),
    one row per numeric variable (``mean (sd)``), one column per group of its
    `by` columns and, with `total`, a column for everyone.

    Parameters
    ----------
    data : pandas.DataFrame
        The output of ``tk.stats.describe`` (grouped or not). With
        ``include_missing=True`` it has a row for the missing answers and
        percentages of all respondents (columns add up to 100%).
    total : pandas.DataFrame, optional
        The ungrouped ``tk.stats.describe`` output of the same variables, shown
        as a last column 合计 / Total.
    digits : int, default 1
        Decimals of percentages, means and SDs.
    suppress : bool or SuppressionRule, default True
        Disclosure control (``tk.report.SuppressionRule``; True is the default
        rule): counts of 1–4 shown as ``<5`` with their percentages, means
        (SD) of fewer than 5 respondents as ``<5``; then further cells (and,
        if need be, a group's n) hidden as ``—`` until the audit finds no
        hidden value derivable from the n's, the other levels, the
        percentages, the other groups or the total column — printed or not:
        the ungrouped table may be published too. Zero counts are shown.
        ``False`` publishes every cell.
    labels : dict, optional
        Variable → row label (default: codebook or schema label).
    caption : str, optional
        Title of the table.
    lang : {"zh", "en"}, default "zh"
        Language of labels and notes.
    allow_personal : bool, default False
        Print levels or groups that ``tk.io.find_personal`` finds personal
        (names, ID-card or phone numbers); by default they are refused.
    vars, by, weights : optional
        Deprecated: the old call style on a raw table (``describe_table(df,
        vars=[...], by=..., weights=...)``), kept for one release with a
        FutureWarning; it runs ``tk.stats.describe(..., include_missing=True)``
        (weighted through ``tk.stats.Design(df, weights=...)``) and adds the
        total column, as before. ``weight=`` is the older spelling of `weights`.

    Returns
    -------
    Table
        ``.numbers`` has columns ``variable, level, group, n, percent, mean, sd``
        (suppressed counts and their percentages missing).

    Raises
    ------
    ValueError
        When a variable's values (or a group's) are personal data
        (``ArgumentError``).
    ColumnNotFoundError
        When `data` is not a ``tk.stats.describe`` output (or, in the old call
        style, a column is missing).

    Examples
    --------
    >>> df = pd.DataFrame({"gender": ["男"] * 6 + ["女"] * 3, "age": range(30, 39)})
    >>> res = tk.stats.describe(df, vars=["gender", "age"], include_missing=True)
    >>> tk.report.describe_table(res).to_frame()
            变量     全部（n=9）
    0       性别
    1         女          <5
    2         男           —
    3  年龄：均值（标准差）  34.0 (2.7)

    The 3 women are shown as <5, and the 6 men hidden too (—): with n = 9
    printed, 9 − 6 would give the 3 away.
    """
    check_lang(lang)
    if vars is not None:
        warnings.warn(
            "`describe_table(data, vars=..., by=..., weights=...)` on a raw table is "
            f"deprecated and will be removed in {REMOVED_IN}; pass the output of "
            "`tk.stats.describe(data, vars=..., by=..., design=tk.stats.Design(data, "
            "weights=...), include_missing=True)`, and its ungrouped output as `total=`.",
            FutureWarning, stacklevel=3)
        if total is not None:
            msg = "Give `total=` only with the output of `tk.stats.describe`, not with `vars=`."
            raise ArgumentError(msg)
        data, total = _legacy_describe(data, vars, by, weights, allow_personal=allow_personal)
    elif by is not None or weights is not None:
        msg = ("`by=` and `weights=` go to `tk.stats.describe`; `describe_table` takes its "
               "output.")
        raise ArgumentError(msg)
    if not isinstance(data, pd.DataFrame):
        msg = (f"`data` must be the output of `tk.stats.describe` (a DataFrame), not "
               f"{type(data).__name__}.")
        raise ArgumentError(msg)
    groups, kinds = _describe_parts(data)
    if total is not None:
        total_groups, _ = _describe_parts(total)
        if total_groups:
            msg = "`total` must be the ungrouped output of `tk.stats.describe` (no `by=`)."
            raise ArgumentError(msg)
    shown = {v: part["level"].dropna().tolist() for v, part in data.groupby("variable", sort=False)}
    shown.update({g: data[g].dropna().unique().tolist() for g in groups})
    refuse_personal_values(shown, "vars" if not groups else "vars/by",
                           codebook=data.attrs.get("codebook"), allow_personal=allow_personal)
    return _table(data, total, groups, kinds, digits=digits, rule=as_rule(suppress),
                  labels=dict(labels or {}), caption=caption, lang=lang)


def _group_keys(data: pd.DataFrame, groups: list[str]) -> list[tuple[Any, ...]]:
    """The groups of a describe result, in its order (True before False for yes/no)."""
    if not groups:
        return [()]
    keys = list(dict.fromkeys(data[groups].itertuples(index=False, name=None)))
    if len(groups) == 1:
        return [(k,) for k in display_order([k[0] for k in keys])]
    return keys


def _rows_of(data: pd.DataFrame, groups: list[str], key: tuple[Any, ...]) -> pd.DataFrame:
    if not groups:
        return data
    mask = np.ones(len(data), dtype=bool)
    for col, value in zip(groups, key, strict=True):
        mask &= (data[col] == value).to_numpy(dtype=bool, na_value=False)
    return data[mask]


def _size(rows: pd.DataFrame, kinds: dict[str, str]) -> int:
    """Respondents in a group: answers of the first variable plus its missing ones."""
    first = rows[rows["variable"] == rows["variable"].iloc[0]]
    answered = first[first["level"].notna()] if kinds[str(first["variable"].iloc[0])] == \
        "categorical" else first
    return int(answered["n"].sum() + first["missing"].iloc[0])


Index = dict[tuple[Any, Any], dict[str, Any]]


def _index(rows: pd.DataFrame) -> Index:
    """The rows of a describe result by (variable, level); level None for missing/numeric."""
    index: Index = {}
    for rec in rows[["variable", "level", *_DESCRIBE_TAIL]].to_dict("records"):
        key = (rec["variable"], None if pd.isna(rec["level"]) else rec["level"])
        index.setdefault(key, rec)
    return index


def _hit(index: Index, var: Any, level: Any) -> dict[str, Any] | None:
    """The row of `var` at `level` (None: the missing answers, or a numeric variable)."""
    return index.get((var, level))


def _variables(data: pd.DataFrame, kinds: dict[str, str]) -> list[tuple[Any, list[Any]]]:
    """Each variable with the levels it shows (None last: the missing answers)."""
    out = []
    for var in pd.unique(data["variable"]):
        if kinds[str(var)] != "categorical":
            out.append((var, []))
            continue
        levels = display_order(pd.unique(data.loc[(data["variable"] == var)
                                                  & data["level"].notna(), "level"]))
        with_missing = bool((data["variable"].eq(var) & data["level"].isna()).any())
        out.append((var, [*levels, *([None] if with_missing else [])]))
    return out


def _model(columns: list[Index], variables: list[tuple[Any, list[Any]]],
           kinds: dict[str, str]) -> tuple[list[Block], list[Means]]:
    """Counts, percentages and sums of every variable in every column, for the audit."""
    blocks, means = [], []
    for var, levels in variables:
        if kinds[str(var)] != "categorical":
            n, sums = [], []
            for rows in columns:
                hit = _hit(rows, var, None)
                count = 0.0 if hit is None else float(hit["n"])
                mean = np.nan if hit is None else float(hit["mean"])
                n.append(count)
                sums.append(count * mean if count and np.isfinite(mean) else 0.0)
            means.append(Means(np.array(n), np.array(sums)))
            continue
        counts = np.zeros((len(levels), len(columns)))
        pct = np.full((len(levels), len(columns)), np.nan)
        missing = np.zeros(len(columns))
        for g, rows in enumerate(columns):
            for lv, level in enumerate(levels):
                hit = _hit(rows, var, level)
                if hit is not None:
                    counts[lv, g], pct[lv, g] = float(hit["n"]), float(hit["percent"])
            first = next((rec for (v, _), rec in rows.items() if v == var), None)
            missing[g] = float(first["missing"]) if first is not None else 0.0
        blocks.append(Block(counts, pct, None if None in levels else missing))
    return blocks, means


def _table(data: pd.DataFrame, total: pd.DataFrame | None, groups: list[str],
           kinds: dict[str, str], *, digits: int, rule: SuppressionRule | None,
           labels: dict[str, str], caption: str | None, lang: Lang) -> Table:
    columns: list[tuple[Any, pd.DataFrame]] = []  # (group value for .numbers, rows)
    names = []
    log = LabelLog(lang, f"table{f' “{caption}”' if caption else ''}")
    for key in _group_keys(data, groups):
        rows = _rows_of(data, groups, key)
        if not groups:
            names.append(w("all", lang))
        else:
            names.append("／".join(value_text(g, k, lang, frame=data, log=log)
                                  for g, k in zip(groups, key, strict=True)))
        columns.append((key[0] if len(key) == 1 else (key or None), rows))
    if total is not None:
        columns.append((None, total))
        names.append(w("total", lang))
    sizes = [_size(rows, kinds) if len(rows) else 0 for _, rows in columns]
    variables = _variables(data, kinds)
    ncol = len(columns)
    status: dict[str, Any] = {"heads": np.full(ncol, SHOWN),
                              "blocks": [], "means": []}
    problem = None
    indexes = [_index(rows) for _, rows in columns]
    if rule is not None:
        frames = list(indexes)
        printed = [True] * ncol
        sums_of = list(sizes)
        if groups and total is None:  # the ungrouped table, which may be published too
            frames.append({})  # filled with the sums of the groups below
            printed.append(False)
            sums_of.append(sum(sizes))
        blocks, means = _model(frames, variables, kinds)
        if groups and total is None:
            for b in blocks:
                b.counts[:, -1] = b.counts[:, :-1].sum(1)
                if b.missing is not None:
                    b.missing[-1] = b.missing[:-1].sum()
            for m in means:
                m.n[-1], m.sums[-1] = m.n[:-1].sum(), m.sums[:-1].sum()
        sep = "：" if lang == "zh" else ": "
        cat = [(v, lv) for v, lv in variables if kinds[str(v)] == "categorical"]
        unprinted = {"head": f"{w('total', lang)} n",
                 "blocks": [[f"{w('total', lang)}{sep}{labels.get(v, header_label(v, lang))}"
                             f"{sep}{w('missing', lang) if x is None else value_text(v, x, lang)}"
                             for x in lv] for v, lv in cat],
                 "means": [f"{w('total', lang)}{sep}{labels.get(v, header_label(v, lang))}"
                           f"{sep}{w('mean_sd', lang)}"
                           for v, _ in variables if kinds[str(v)] != "categorical"]}
        status, problem = protect_blocks(sums_of, blocks, means, rule=rule,
                                         total=bool(groups), printed=printed,
                                         weighted=bool(data.attrs.get("weighted")),
                                         names=unprinted)
    k = rule.k if rule is not None else 0

    def gone(st: int) -> bool:
        return st != SHOWN

    def hidden_text(st: int) -> str:
        return f"<{k}" if st == PRIMARY else "—"

    head_text = []
    for g, (name, n) in enumerate(zip(names, sizes, strict=True)):
        st = status["heads"][g]
        size = fmt_count(n) if not gone(st) else None
        if lang == "zh":
            head_text.append(f"{name}（n={size}）" if size is not None else
                             f"{name}（n<{k}）" if st == PRIMARY else f"{name}（n=—）")
        else:
            head_text.append(f"{name} (n={size})" if size is not None else
                             f"{name} (n<{k})" if st == PRIMARY else f"{name} (n=—)")
    table_rows: list[list[str]] = []
    numbers: list[dict[str, Any]] = []
    sep = "：" if lang == "zh" else ": "
    b_i = m_i = 0
    for var, levels in variables:
        label = labels.get(var) or log.header(var, header_label(var, lang, data))
        categorical = kinds[str(var)] == "categorical"
        if categorical:
            st_block = status["blocks"][b_i] if rule is not None else None
            b_i += 1
            table_rows.append([label, *[""] * ncol])
            for lv, level in enumerate(levels):
                cells = []
                for g, (group, _) in enumerate(columns):
                    hit = _hit(indexes[g], var, level)
                    n = 0 if hit is None else int(hit["n"])
                    pct = np.nan if hit is None else float(hit["percent"])
                    st = SHOWN if st_block is None else st_block[lv, g]
                    if gone(st):
                        cells.append(hidden_text(st))
                        n, pct = np.nan, np.nan
                    else:
                        cells.append(f"{fmt_count(n)} ({fmt_num(pct, digits)}%)")
                    numbers.append({"variable": var, "level": level, "group": group, "n": n,
                                    "percent": pct, "mean": np.nan, "sd": np.nan})
                name = w("missing", lang) if level is None else value_text(
                    var, level, lang, frame=data, log=log)
                table_rows.append([f"  {name}", *cells])
            continue
        st_means = status["means"][m_i] if rule is not None else None
        m_i += 1
        cells = []
        for g, (group, _) in enumerate(columns):
            hit = _hit(indexes[g], var, None)
            n = 0 if hit is None else int(hit["n"])
            mean = np.nan if hit is None else float(hit["mean"])
            sd = np.nan if hit is None else float(hit["sd"])
            st = SHOWN if st_means is None else st_means[g]
            if gone(st):
                cells.append(hidden_text(st))
                n, mean, sd = np.nan, np.nan, np.nan
            elif pd.isna(mean):
                cells.append("")
            else:
                cells.append(f"{fmt_num(mean, digits)} ({fmt_num(sd, digits)})")
            numbers.append({"variable": var, "level": None, "group": group, "n": n,
                            "percent": np.nan, "mean": mean, "sd": sd})
        table_rows.append([f"{label}{sep}{w('mean_sd', lang)}", *cells])
    out = pd.DataFrame(table_rows, columns=[w("variable", lang), *head_text])
    notes = []
    if data.attrs.get("weighted"):
        notes.append(w("weighted", lang))
    notes += suppression_notes(problem, lang)
    log.warn()
    return Table(out, caption=caption, notes=notes,
                 numbers=pd.DataFrame(numbers, columns=["variable", "level", "group", "n",
                                                        "percent", "mean", "sd"]),
                 lang=lang, disclosure=problem, style="percent")
