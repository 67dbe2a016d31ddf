r"""Raw indicator values computed from the study's tables, with a record of how each was made.

Each leaf of an index system names its ``source``: a formula in a small,
closed vocabulary (nothing is evaluated as code). A formula is a function of
one table (or table column), optionally filtered by ``column=value`` pairs:

========================================  ===============================================
formula                                   value for one member (or unit)
========================================  ===============================================
``count(T, k=v, ...)``                    rows of table ``T`` (0 when none)
``distinct(T.c, ...)``                    distinct values of column ``c``
``sum(T.c, ...)``                         sum of column ``c`` (0 when no rows)
``mean(T.c, ...)``                        mean of ``c`` (missing when no rows)
``share(T.c, ...)``                       share of rows where ``c`` is true (missing
                                          when no rows): numerator and denominator kept
``rate(attendance, ...)``                 sessions attended ÷ sessions held (filters on
                                          the sessions' columns: platform, stage …)
``ratio(f1, f2)``                         formula ``f1`` ÷ formula ``f2`` (missing when
                                          ``f2`` is 0), e.g. speeches per session attended
========================================  ===============================================

Filters: ``k=v`` keeps rows whose column ``k`` equals ``v``; ``k=v1|v2`` any
of several values; ``true``/``false`` (是/否) for yes/no columns. Values of a
vocabulary column may be written in English or by code
(``channel=proposal`` is ``channel=提案``). Attendance rows carry the columns of
their session (date, platform, stage, unit). ``period=`` keeps rows dated in
the period (attendance by its session's date).

Who is counted. ``level="member"``: one row per CPPCC member (participants of
type 政协委员; ``members=`` to give others), matched by ``participant_id`` in
attendance, ``author_id`` in submissions and ``member_id`` (or
``participant_id``) in activities — members with no row get 0, never drop out.
``level="unit"``: one row per unit of ``unit_level`` (村社区 by default); a row
belongs to the unit where its session was held (attendance, sessions), or to
its author's unit (submissions, activities); rows of lower units roll up to
their parent town.

Examples
--------
>>> participants = pd.DataFrame({"participant_id": ["M1", "M2", "M3"],
...                              "type": ["政协委员"] * 3})
>>> submissions = pd.DataFrame({"submission_id": ["S1", "S2", "S3"],
...     "author_id": ["M1", "M1", "M2"], "channel": ["提案", "社情民意信息", "提案"],
...     "adopted": [True, False, False],
...     "date": pd.to_datetime(["2023-03-01", "2023-05-01", "2023-06-01"])})
>>> system = tk.evaluate.IndexSystem({"indicators": [
...     {"indicator": "proposals", "source": "count(submissions, channel=提案)"},
...     {"indicator": "adopted", "source": "share(submissions.adopted)"}]})
>>> tables = {"participants": participants, "submissions": submissions}
>>> tk.evaluate.indicators(tables, system)
  member_id  proposals  adopted
0        M1        1.0      0.5
1        M2        1.0      0.0
2        M3        0.0      NaN
>>> tk.evaluate.indicator_record(tk.evaluate.indicators(tables, system))[
...     ["indicator", "table", "rows_used", "n", "n_missing"]]
   indicator        table  rows_used  n  n_missing
0  proposals  submissions          2  3          0
1    adopted  submissions          3  3          1
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from toolkit import schema
from toolkit._checks import check_choice, close_matches, is_study, refuse_large
from toolkit.errors import ArgumentError, ArgumentTypeError, ColumnNotFoundError
from toolkit.evaluate.system import IndexSystem

__all__ = ["FUNCTIONS", "Formula", "indicator_record", "indicators", "parse_formula"]

#: The formula vocabulary: function → (argument kind, what it computes).
FUNCTIONS: dict[str, str] = {
    "count": "rows of the table",
    "distinct": "distinct values of a column",
    "sum": "sum of a column",
    "mean": "mean of a column",
    "share": "share of rows where a yes/no column is true",
    "rate": "sessions attended / sessions held",
    "ratio": "one formula divided by another",
}
#: Column identifying the member in each table (first present is used).
MEMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "attendance": ("participant_id",),
    "submissions": ("author_id",),
    "activities": ("member_id", "participant_id"),
    "participants": ("participant_id",),
}
#: Level of the units evaluated by default with ``level="unit"``.
DEFAULT_UNIT_LEVEL = "村社区"
MEMBER_TYPE = "政协委员"
_TRUE = {"true", "yes", "1", "是", "有", "√", "y"}
_FALSE = {"false", "no", "0", "否", "无", "×", "n"}

_TOKEN = re.compile(r"\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<comma>,)|(?P<eq>!?=)|(?P<text>[^(),=!]+))")


@dataclass
class Formula:
    """A parsed formula: a function of a table (or column, or two formulas) and filters."""

    function: str
    table: str | None = None
    column: str | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)
    parts: list[Formula] = field(default_factory=list)
    text: str = ""

    def tables(self) -> list[str]:
        """Tables the formula reads."""
        if self.parts:
            return [t for p in self.parts for t in p.tables()]
        return [self.table] if self.table else []


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            msg = f"Cannot read the formula {text!r} at {text[pos:]!r}."
            raise ArgumentError(msg)
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind).strip()))
        pos = m.end()
    return out


def parse_formula(text: str, *, indicator: str = "?") -> Formula:
    """Parse `text` into a :class:`Formula`, or raise ArgumentError naming the indicator.

    Examples
    --------
    >>> f = parse_formula("share(submissions.adopted, channel=提案|社情民意信息)")
    >>> f.function, f.table, f.column, f.filters
    ('share', 'submissions', 'adopted', {'channel': ['提案', '社情民意信息']})
    >>> parse_formula("ratio(sum(attendance.speeches), count(attendance))").parts[1].function
    'count'
    """
    try:
        tokens = _tokens(text)
        formula, rest = _parse(tokens, text)
    except ArgumentError as err:
        msg = f"Indicator `{indicator}`: {err} {_VOCABULARY_HINT}"
        raise ArgumentError(msg) from None
    if rest:
        msg = (f"Indicator `{indicator}`: unexpected text after the formula {text!r}. "
               f"{_VOCABULARY_HINT}")
        raise ArgumentError(msg)
    formula.text = text.strip()
    return formula


_VOCABULARY_HINT = ("Formulas are count(T, k=v), distinct(T.c), sum(T.c), mean(T.c), "
                    "share(T.c), rate(attendance) or ratio(f1, f2), with optional k=v filters.")


def _parse(tokens: list[tuple[str, str]], text: str) -> tuple[Formula, list[tuple[str, str]]]:
    if len(tokens) < 3 or tokens[0][0] != "text" or tokens[1][0] != "lp":
        msg = f"{text!r} is not of the form function(table, ...)."
        raise ArgumentError(msg)
    name = tokens[0][1].lower()
    if name not in FUNCTIONS:
        close = close_matches(name, list(FUNCTIONS), n=1)
        hint = f" Did you mean `{close[0]}`?" if close else ""
        msg = f"Unknown function `{name}` in {text!r}.{hint}"
        raise ArgumentError(msg)
    rest = tokens[2:]
    formula = Formula(function=name)
    first = True
    while rest:
        kind, value = rest[0]
        if kind == "rp":
            rest = rest[1:]
            break
        if kind == "comma":
            rest = rest[1:]
            continue
        if kind != "text":
            msg = f"Unexpected {value!r} in {text!r}."
            raise ArgumentError(msg)
        if len(rest) > 1 and rest[1][0] == "lp":
            part, rest = _parse(rest, text)
            formula.parts.append(part)
            first = False
            continue
        if len(rest) > 2 and rest[1][0] == "eq":
            key, op, val = value, rest[1][1], rest[2]
            if val[0] != "text":
                msg = f"Filter `{key}` has no value in {text!r}."
                raise ArgumentError(msg)
            target = formula.filters if op == "=" else formula.excluded
            target[key.strip()] = [v.strip() for v in val[1].split("|")]
            rest = rest[3:]
            continue
        if not first:
            msg = f"Unexpected argument {value!r} in {text!r}; filters are written k=v."
            raise ArgumentError(msg)
        table, _, column = value.partition(".")
        formula.table, formula.column = table.strip(), (column.strip() or None)
        first = False
        rest = rest[1:]
    else:
        msg = f"Missing `)` in {text!r}."
        raise ArgumentError(msg)
    if name == "ratio":
        if len(formula.parts) != 2 or formula.table:
            msg = f"ratio() takes two formulas, as in ratio(sum(T.c), count(T)), in {text!r}."
            raise ArgumentError(msg)
    elif formula.parts or formula.table is None:
        what = "table" if name in {"count", "rate"} else "table.column"
        msg = f"{name}() takes a {what}, in {text!r}."
        raise ArgumentError(msg)
    elif name in {"distinct", "sum", "mean", "share"} and formula.column is None:
        msg = f"{name}() needs a column, written table.column, in {text!r}."
        raise ArgumentError(msg)
    elif name == "rate" and formula.table != "attendance":
        msg = (f"rate() divides the sessions a member attended by the sessions held, so it "
               f"takes the attendance table, not `{formula.table}`; use ratio(...) otherwise, "
               f"in {text!r}.")
        raise ArgumentError(msg)
    return formula, rest


# ---------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------


def _tables_of(data: Any) -> dict[str, pd.DataFrame]:
    refuse_large(data, where=None)
    if is_study(data):
        out = {}
        for name in data.tables:
            out[name] = data.table(name)
        extra = getattr(data, "activities", None)
        if isinstance(extra, pd.DataFrame):
            out.setdefault("activities", extra)
        return out
    if isinstance(data, Mapping):
        bad = [k for k, v in data.items() if not isinstance(v, pd.DataFrame)]
        if bad:
            msg = f"Tables {bad} are not DataFrames; give a dict of table name → DataFrame."
            raise ArgumentTypeError(msg)
        return {str(k): v for k, v in data.items()}
    msg = (f"`study` must be a Study or a dict of table name → DataFrame, not "
           f"{type(data).__name__}. For a table of indicators already computed, call "
           "`tk.evaluate.evaluate(frame, ...)` directly.")
    raise ArgumentTypeError(msg)


def _period_bounds(period: Any) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    if period is None:
        return None
    if isinstance(period, tuple | list) and len(period) == 2:
        return pd.Timestamp(period[0]), pd.Timestamp(period[1])
    text = str(period)
    if "/" in text:
        lo, hi = text.split("/", 1)
        return pd.Timestamp(lo), pd.Timestamp(hi)
    try:
        p = pd.Period(text)
    except (ValueError, TypeError):
        msg = (f"`period` {period!r} is not a period: give a year (\"2023\"), a quarter "
               "(\"2023Q1\"), \"start/end\" dates or a (start, end) pair.")
        raise ArgumentError(msg) from None
    return p.start_time, p.end_time


def _member_column(table: str, frame: pd.DataFrame) -> str:
    for col in MEMBER_COLUMNS.get(table, ("participant_id", "member_id", "author_id")):
        if col in frame.columns:
            return col
    wanted = MEMBER_COLUMNS.get(table, ("participant_id",))
    close = close_matches(wanted[0], [str(c) for c in frame.columns])
    hint = f" Did you mean `{close[0]}`?" if close else ""
    msg = (f"The `{table}` table has no member column ({' or '.join(wanted)}).{hint} "
           f"Columns: {', '.join(map(str, frame.columns))}.")
    raise ColumnNotFoundError(msg)


@dataclass
class _Context:
    tables: dict[str, pd.DataFrame]
    level: str
    bounds: tuple[pd.Timestamp, pd.Timestamp] | None
    population: pd.Index
    unit_map: dict[str, str] | None = None
    author_unit: dict[str, str] | None = None
    cache: dict[str, pd.DataFrame] = field(default_factory=dict)

    def rows(self, table: str, indicator: str) -> pd.DataFrame:
        """Rows of `table` with the key column ``_id`` (and session columns for attendance)."""
        if table in self.cache:
            return self.cache[table]
        if table not in self.tables:
            held = ", ".join(self.tables) or "none"
            msg = (f"Indicator `{indicator}` reads the `{table}` table, which the study does "
                   f"not hold (it holds: {held}).")
            raise ArgumentError(msg)
        frame = self.tables[table].copy()
        if table == "attendance" and "sessions" in self.tables:
            sessions = self.tables["sessions"]
            extra = [c for c in sessions.columns if c not in frame.columns or c == "session_id"]
            frame = frame.merge(sessions[extra], on="session_id", how="left")
        if self.bounds is not None and "date" in frame.columns:
            dates = pd.to_datetime(frame["date"], errors="coerce")
            lo, hi = self.bounds
            frame = frame[(dates >= lo) & (dates <= hi)]
        if self.level == "member":
            frame["_id"] = frame[_member_column(table, frame)].astype("string")
        else:
            frame["_id"] = self._unit_ids(table, frame)
        self.cache[table] = frame
        return frame

    def _unit_ids(self, table: str, frame: pd.DataFrame) -> pd.Series:
        if table in {"attendance", "sessions"} and "unit_id" in frame.columns:
            units = frame["unit_id"].astype("string")
        else:
            # where the row says it happened, else the unit of the member who did it
            people = _member_column(table, frame)
            own = frame[people].astype("string").map(self.author_unit or {}).astype("string")
            units = (frame["unit_id"].astype("string").fillna(own) if "unit_id" in frame.columns
                     else own)
        if self.unit_map is not None:
            units = units.map(lambda u: self.unit_map.get(u) if pd.notna(u) else None)
        return units.astype("string")


def _parse_value(column: str, value: str, series: pd.Series) -> Any:
    dtype = series.dtype
    lowered = value.lower()
    if pd.api.types.is_bool_dtype(dtype) or str(dtype) == "boolean":
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        try:
            return float(value)
        except ValueError:
            return value
    for table in schema.TABLES.values():
        col = table.get(column)
        if col is not None and col.vocabulary:
            normalised = schema.VOCABULARIES[col.vocabulary].normalise(value)
            return normalised if normalised is not None else value
    if column in schema.VOCABULARIES:
        normalised = schema.VOCABULARIES[column].normalise(value)
        return normalised if normalised is not None else value
    return value


def _filter(frame: pd.DataFrame, formula: Formula, indicator: str) -> pd.DataFrame:
    for key in [*formula.filters, *formula.excluded]:
        if key not in frame.columns:
            cols = [c for c in frame.columns if c != "_id"]
            close = close_matches(key, cols, n=1)
            hint = f" Did you mean `{close[0]}`?" if close else ""
            msg = (f"Indicator `{indicator}` filters on `{key}`, which the `{formula.table}` "
                   f"table does not have.{hint} Columns: {', '.join(map(str, cols))}.")
            raise ColumnNotFoundError(msg)
    mask = pd.Series(data=True, index=frame.index)
    for key, values in formula.filters.items():
        wanted = [_parse_value(key, v, frame[key]) for v in values]
        mask &= frame[key].astype(object).isin(wanted).to_numpy()
    for key, values in formula.excluded.items():
        unwanted = [_parse_value(key, v, frame[key]) for v in values]
        mask &= ~frame[key].astype(object).isin(unwanted).to_numpy()
    return frame[mask.to_numpy()]


def _column(frame: pd.DataFrame, formula: Formula, indicator: str) -> pd.Series:
    col = formula.column
    if col not in frame.columns:
        cols = [c for c in frame.columns if c != "_id"]
        close = close_matches(col, cols, n=1)
        hint = f" Did you mean `{close[0]}`?" if close else ""
        msg = (f"Indicator `{indicator}` reads column `{col}`, which the `{formula.table}` "
               f"table does not have.{hint} Columns: {', '.join(map(str, cols))}.")
        raise ColumnNotFoundError(msg)
    return frame[col]


@dataclass
class _Value:
    value: pd.Series
    numerator: pd.Series
    denominator: pd.Series
    rows_used: int


def _compute(formula: Formula, ctx: _Context, indicator: str) -> _Value:
    pop = ctx.population
    nan = pd.Series(np.nan, index=pop)
    if formula.function == "ratio":
        top = _compute(formula.parts[0], ctx, indicator)
        bottom = _compute(formula.parts[1], ctx, indicator)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = top.value / bottom.value.where(bottom.value != 0)
        return _Value(value, top.value, bottom.value, top.rows_used + bottom.rows_used)
    frame = _filter(ctx.rows(formula.table, indicator), formula, indicator)  # type: ignore[arg-type]
    frame = frame[frame["_id"].isin(pop)]
    grouped = frame.groupby("_id", observed=True)
    if formula.function == "count":
        value = grouped.size().reindex(pop, fill_value=0).astype(float)
        return _Value(value, value, nan, len(frame))
    if formula.function == "rate":
        sessions = ctx.tables.get("sessions")
        held_rows = ctx.rows("attendance", indicator)
        held_rows = _filter(held_rows, formula, indicator)
        if sessions is not None:
            base = sessions.copy()
            if ctx.bounds is not None and "date" in base.columns:
                dates = pd.to_datetime(base["date"], errors="coerce")
                base = base[(dates >= ctx.bounds[0]) & (dates <= ctx.bounds[1])]
            base["_id"] = ""
            held = len(_filter(base, formula, indicator))
        else:
            held = held_rows["session_id"].nunique()
        attended = frame.groupby("_id")["session_id"].nunique().reindex(pop, fill_value=0)
        denominator = pd.Series(float(held), index=pop)
        value = attended / held if held else nan
        return _Value(value.astype(float), attended.astype(float), denominator, len(frame))
    series = _column(frame, formula, indicator)
    if formula.function == "distinct":
        value = series.groupby(frame["_id"]).nunique().reindex(pop, fill_value=0).astype(float)
        return _Value(value, value, nan, len(frame))
    if formula.function == "share":
        truth = _truth(series, formula, indicator)
        num = truth.groupby(frame["_id"]).sum().reindex(pop, fill_value=0).astype(float)
        den = truth.groupby(frame["_id"]).count().reindex(pop, fill_value=0).astype(float)
        value = num / den.where(den > 0)
        return _Value(value, num, den, len(frame))
    numbers = pd.to_numeric(series.astype(object), errors="coerce")
    bad = series.notna() & numbers.isna()
    if bad.any():
        example = series[bad].iloc[0]
        msg = (f"Indicator `{indicator}` sums column `{formula.column}` of `{formula.table}`, "
               f"which holds text such as {example!r}; use count(...) or share(...) instead.")
        raise ArgumentTypeError(msg)
    by = numbers.groupby(frame["_id"])
    if formula.function == "sum":
        value = by.sum().reindex(pop, fill_value=0).astype(float)
        return _Value(value, value, nan, len(frame))
    value = by.mean().reindex(pop).astype(float)
    count = by.count().reindex(pop, fill_value=0).astype(float)
    return _Value(value, by.sum().reindex(pop, fill_value=0).astype(float), count, len(frame))


def _truth(series: pd.Series, formula: Formula, indicator: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(series.dtype) or str(series.dtype) == "boolean":
        return series.astype("boolean").astype("Float64").astype(float)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = set(pd.unique(series.dropna()))
        if values <= {0, 1}:
            return series.astype(float)
    text = series.astype("string").str.strip().str.lower()
    mapped = text.map(lambda v: 1.0 if v in _TRUE else (0.0 if v in _FALSE else np.nan)
                      if pd.notna(v) else np.nan)
    bad = text.notna() & mapped.isna()
    if bad.any():
        msg = (f"Indicator `{indicator}` takes the share of `{formula.column}` in "
               f"`{formula.table}`, which is not a yes/no column (value {text[bad].iloc[0]!r}).")
        raise ArgumentTypeError(msg)
    return mapped.astype(float)


def _population(tables: Mapping[str, pd.DataFrame], level: str, members: Any,
                unit_level: str) -> tuple[pd.Index, str, dict | None, dict | None]:
    if level == "member":
        id_name = "member_id"
        if members is not None:
            chosen = pd.Index(pd.unique(pd.Series(list(members)).astype("string")))
            return chosen, id_name, None, None
        people = tables.get("participants")
        if people is not None and "type" in people.columns:
            ids = people.loc[people["type"].astype("string") == MEMBER_TYPE, "participant_id"]
            if len(ids):
                return pd.Index(ids.astype("string")), id_name, None, None
        seen: list[str] = []
        for name, frame in tables.items():
            if name in MEMBER_COLUMNS and name != "participants":
                try:
                    col = _member_column(name, frame)
                except ColumnNotFoundError:
                    continue
                seen.extend(frame[col].dropna().astype(str))
        if not seen:
            msg = ("No members to evaluate: give a participants table (members are those of "
                   "type 政协委员) or `members=`.")
            raise ArgumentError(msg)
        return pd.Index(sorted(set(seen)), dtype="string"), id_name, None, None
    units = tables.get("units")
    if units is None:
        msg = "`level=\"unit\"` needs the units table (unit_id, level, parent_id)."
        raise ArgumentError(msg)
    wanted = schema.VOCABULARIES["unit_level"].normalise(unit_level) or unit_level
    chosen = units.loc[units["level"].astype("string") == wanted, "unit_id"].astype("string")
    if chosen.empty:
        levels = sorted(units["level"].astype(str).unique())
        msg = f"No unit has level {unit_level!r}; levels in the units table: {levels}."
        raise ArgumentError(msg)
    parent = dict(zip(units["unit_id"].astype(str),
                      units.get("parent_id", pd.Series(None, index=units.index)), strict=True))
    keep = set(chosen)
    mapping: dict[str, str] = {}
    for uid in units["unit_id"].astype(str):
        node, steps = uid, 0
        while node is not None and node not in keep and steps < 20:
            nxt = parent.get(node)
            node = None if nxt is None or pd.isna(nxt) else str(nxt)
            steps += 1
        if node in keep:
            mapping[uid] = node
    author_unit = None
    people = tables.get("participants")
    if people is not None and "unit_id" in people.columns:
        author_unit = dict(zip(people["participant_id"].astype(str),
                               people["unit_id"].astype("string"), strict=True))
    return pd.Index(chosen), "unit_id", mapping, author_unit


def indicators(
    study: Any,
    system: IndexSystem | str | Mapping | pd.DataFrame,
    *,
    level: Literal["member", "unit"] = "member",
    period: Any = None,
    members: Sequence[str] | None = None,
    unit_level: str = DEFAULT_UNIT_LEVEL,
) -> pd.DataFrame:
    """Compute every indicator of `system` for each member (or unit) from the study's tables.

    Parameters
    ----------
    study : Study or dict of str to DataFrame
        The study, or its tables by name (``participants``, ``attendance``,
        ``submissions``, ``sessions``, ``units``, ``activities`` …).
    system : IndexSystem, str, dict or DataFrame
        The index system (or anything :class:`IndexSystem` accepts, such as
        ``"member_default"``); each leaf needs a ``source`` formula.
    level : {"member", "unit"}, default "member"
        Evaluate members (委员) or units (村社区, 镇街).
    period : str or (start, end), optional
        Keep rows dated in this period: ``"2023"``, ``"2023Q4"``,
        ``"2023-01-01/2023-06-30"``.
    members : list of str, optional
        Ids of the members to evaluate (default: participants of type 政协委员).
    unit_level : str, default "村社区"
        With ``level="unit"``: the level of the units evaluated (村社区 or 镇街).

    Returns
    -------
    pandas.DataFrame
        One row per member (``member_id``) or unit (``unit_id``), one float
        column per indicator, in the order of the system. ``attrs`` carries the
        record of how each value was made; read it with :func:`indicator_record`.

    Raises
    ------
    ArgumentError
        A leaf without a source, a formula outside the vocabulary, a table the
        study does not hold — naming the indicator.
    ColumnNotFoundError
        A column or filter the table does not have, naming the indicator.

    Examples
    --------
    >>> attendance = pd.DataFrame({"session_id": ["S1", "S2", "S2"],
    ...                            "participant_id": ["M1", "M1", "M2"], "speeches": [2, 0, 1]})
    >>> sessions = pd.DataFrame({"session_id": ["S1", "S2", "S3"],
    ...                          "date": pd.to_datetime(["2023-01-05", "2023-02-01", "2023-03-01"]),
    ...                          "platform": ["委员联络站", "委员联络站", "微信群"]})
    >>> system = tk.evaluate.IndexSystem({"indicators": [
    ...     {"indicator": "station_rate", "source": "rate(attendance, platform=委员联络站)"},
    ...     {"indicator": "speeches_per_session",
    ...      "source": "ratio(sum(attendance.speeches), count(attendance))"}]})
    >>> tk.evaluate.indicators({"attendance": attendance, "sessions": sessions}, system)
      member_id  station_rate  speeches_per_session
    0        M1           1.0                   1.0
    1        M2           0.5                   1.0
    """
    check_choice(level, ["member", "unit"], param="level")
    tables = _tables_of(study)
    if not isinstance(system, IndexSystem):
        system = IndexSystem(system)
    missing = [leaf for leaf in system.leaves if not system.node(leaf).source]
    if missing:
        msg = (f"Indicator(s) {', '.join(f'`{m}`' for m in missing)} have no `source` formula, "
               "so they cannot be computed from the study. Add a source (e.g. "
               "`count(submissions, channel=提案)`), or compute them yourself and call "
               "`tk.evaluate.evaluate(frame, system=...)`.")
        raise ArgumentError(msg)
    formulas = {leaf: parse_formula(system.node(leaf).source or "", indicator=leaf)
                for leaf in system.leaves}
    pop, id_name, unit_map, author_unit = _population(tables, level, members, unit_level)
    ctx = _Context(tables=tables, level=level, bounds=_period_bounds(period), population=pop,
                   unit_map=unit_map, author_unit=author_unit)
    out = pd.DataFrame({id_name: pop.astype("string")})
    summary_rows, value_rows = [], []
    for leaf, formula in formulas.items():
        result = _compute(formula, ctx, leaf)
        out[leaf] = result.value.to_numpy(dtype=float)
        filters = "; ".join(f"{k}={'|'.join(v)}" for k, v in formula.filters.items())
        summary_rows.append({
            "indicator": leaf, "formula": formula.text, "function": formula.function,
            "table": ", ".join(dict.fromkeys(formula.tables())), "filters": filters or None,
            "period": None if ctx.bounds is None else
            f"{ctx.bounds[0]:%Y-%m-%d} – {ctx.bounds[1]:%Y-%m-%d}",
            "rows_used": int(result.rows_used), "n": len(pop),
            "n_missing": int(np.isnan(out[leaf].to_numpy()).sum()),
            "n_zero": int((out[leaf].to_numpy() == 0).sum()),
        })
        value_rows.append(pd.DataFrame({
            id_name: pop.astype("string"), "indicator": leaf,
            "value": result.value.to_numpy(float),
            "numerator": result.numerator.to_numpy(float),
            "denominator": result.denominator.to_numpy(float), "formula": formula.text}))
    out.attrs["indicator_record"] = pd.DataFrame(summary_rows)
    out.attrs["indicator_values"] = pd.concat(value_rows, ignore_index=True)
    out.attrs["level"] = level
    out.attrs["id"] = id_name
    return out


def indicator_record(data: pd.DataFrame, *, values: bool = False) -> pd.DataFrame:
    """How each indicator value of :func:`indicators` was made.

    Parameters
    ----------
    data : pandas.DataFrame
        A table returned by :func:`indicators`.
    values : bool, default False
        False: one row per indicator. True: one row per member (unit) and
        indicator, with the numerator and denominator behind the value.

    Returns
    -------
    pandas.DataFrame
        Per indicator: ``indicator, formula, function, table, filters, period,
        rows_used`` (rows of the table counted), ``n`` (members or units),
        ``n_missing`` (values undefined, e.g. a share with no rows), ``n_zero``.
        Per value: the id column, ``indicator, value, numerator, denominator,
        formula``.

    Examples
    --------
    >>> subs = pd.DataFrame({"submission_id": ["S1", "S2"], "author_id": ["M1", "M1"],
    ...                      "adopted": [True, False]})
    >>> s = tk.evaluate.IndexSystem({"indicators": [
    ...     {"indicator": "adopt", "source": "share(submissions.adopted)"}]})
    >>> raw = tk.evaluate.indicators({"submissions": subs}, s)
    >>> tk.evaluate.indicator_record(raw, values=True)[["member_id", "numerator", "denominator"]]
      member_id  numerator  denominator
    0        M1        1.0          2.0
    """
    key = "indicator_values" if values else "indicator_record"
    record = data.attrs.get(key) if isinstance(data, pd.DataFrame) else None
    if record is None:
        msg = ("`data` carries no indicator record: it was not made by "
               "`tk.evaluate.indicators` (or the record was lost when the table was changed).")
        raise ArgumentError(msg)
    return record.copy()
