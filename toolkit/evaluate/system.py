"""Index systems (评价指标体系): a tree of pillars and indicators, kept as data.

An index system says what is measured and how it is combined: pillars
(一级指标), sub-pillars (二级指标) and indicators (三级指标), to any depth, each
with a direction (more or less is better), a unit, where its values come from
(a formula over the study's tables, see :mod:`toolkit.evaluate.formulas`),
an optional weight within its parent, and labels in Chinese and English.

It is built from a YAML file, a dict (nested ``children`` or flat ``parent``
entries) or a table with the columns ``indicator, parent, direction, unit,
source, weight, label_zh, label_en``. Every problem of the tree is reported at
once (unknown parents, cycles, duplicate codes, directions other than +/−,
weights of siblings that do not sum to 1) as a :class:`~toolkit.errors.ValidationError`
whose ``.problems`` name the indicator.

Examples
--------
>>> system = tk.evaluate.IndexSystem({"indicators": [
...     {"indicator": "meetings", "label_zh": "会议履职", "weight": 0.6, "children": [
...         {"indicator": "attended", "direction": "+", "source": "count(attendance)"},
...         {"indicator": "absent", "direction": "-"}]},
...     {"indicator": "proposals", "label_zh": "提案", "weight": 0.4, "children": [
...         {"indicator": "n_proposals", "source": "count(submissions, channel=提案)"}]}]})
>>> system.leaves
['attended', 'absent', 'n_proposals']
>>> system.to_frame()[["indicator", "parent", "level", "direction", "weight"]]
     indicator     parent  level direction  weight
0     meetings       <NA>      1         +     0.6
1     attended   meetings      2         +    <NA>
2       absent   meetings      2         -    <NA>
3    proposals       <NA>      1         +     0.4
4  n_proposals  proposals      2         +    <NA>
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import check_lang, close_matches
from toolkit._summary import Summary
from toolkit.errors import PROBLEM_COLUMNS, ArgumentError, ArgumentTypeError, ValidationError
from toolkit.evaluate._matrix import NEGATIVE, POSITIVE, as_direction

__all__ = ["FIELDS", "IndexSystem", "Node", "load_system"]

#: Columns of an index system given as a table (and of ``IndexSystem.to_frame()``).
FIELDS = ("indicator", "parent", "direction", "unit", "source", "weight", "label_zh",
          "label_en")
_KNOWN_KEYS = {*FIELDS, "children", "label", "code", "name", "target", "goalposts", "note"}
#: Names of the levels of a tree in Chinese (一级指标 …) and English.
LEVEL_NAMES = {"zh": ["一级指标", "二级指标", "三级指标", "四级指标", "五级指标"],
               "en": ["Pillar", "Sub-pillar", "Indicator", "Level 4", "Level 5"]}
_WEIGHT_TOLERANCE = 1e-3
_SYSTEMS = Path(__file__).resolve().parent / "systems"


@dataclass(frozen=True)
class Node:
    """One pillar or indicator of an index system.

    Parameters
    ----------
    indicator : str
        Its code (column name of the indicator table for a leaf).
    parent : str or None
        Code of the node it belongs to; None for a pillar (一级指标).
    direction : int
        +1 when more is better (正向), -1 when less is better (负向).
    unit : str or None
        Unit of measurement (次, 件, %, …).
    source : str or None
        Formula computing a leaf from the study's tables.
    weight : float or None
        Weight within its parent (siblings sum to 1), when the system fixes it.
    label_zh, label_en : str
        Labels for tables and figures.
    target : float or None
        Target value (for distance-to-target normalisation).
    goalposts : tuple of float or None
        Lower and upper goalposts (for goalpost normalisation).
    """

    indicator: str
    parent: str | None = None
    direction: int = 1
    unit: str | None = None
    source: str | None = None
    weight: float | None = None
    label_zh: str = ""
    label_en: str = ""
    target: float | None = None
    goalposts: tuple[float, float] | None = None

    def label(self, lang: str = "zh") -> str:
        """Label in `lang`, falling back to the other language and the code."""
        first, second = (self.label_zh, self.label_en) if lang == "zh" else (self.label_en,
                                                                              self.label_zh)
        return first or second or self.indicator


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return bool(isinstance(value, str) and not value.strip()) or value is pd.NA


def _problem(rows: list[dict], *, where: str, row: Any, column: str, value: Any,
             check: str, problem: str, fix: str, problem_zh: str, fix_zh: str) -> None:
    rows.append({"table": "index_system", "file": where, "sheet": None, "row": row,
                 "column": column, "value": None if _blank(value) else str(value),
                 "check": check, "severity": "error", "problem": problem, "fix": fix,
                 "problem_zh": problem_zh, "fix_zh": fix_zh})


def _flatten(entries: Iterable[Mapping[str, Any]], parent: str | None,
             out: list[dict]) -> None:
    for entry in entries:
        if not isinstance(entry, Mapping):
            msg = (f"Each entry of an index system must be a mapping with at least "
                   f"`indicator`, not {entry!r}.")
            raise ArgumentTypeError(msg)
        row = {k: v for k, v in entry.items() if k != "children"}
        if parent is not None and _blank(row.get("parent")):
            row["parent"] = parent
        out.append(row)
        children = entry.get("children") or []
        code = row.get("indicator", row.get("code"))
        _flatten(children, None if _blank(code) else str(code), out)


def _rows_of(data: Any) -> tuple[list[dict], dict[str, Any]]:
    """Flat rows and top-level metadata (name, name_en, level) from any accepted input."""
    meta: dict[str, Any] = {}
    if isinstance(data, pd.DataFrame):
        frame = data.astype(object).where(data.notna(), None)
        return [dict(r) for r in frame.to_dict("records")], meta
    if isinstance(data, Mapping):
        if "indicators" not in data:
            msg = ("An index system given as a dict needs an `indicators` list (each entry "
                   "with `indicator` and optionally `children`, `parent`, `direction`, "
                   "`unit`, `source`, `weight`, `label_zh`, `label_en`).")
            raise ArgumentError(msg)
        meta = {k: v for k, v in data.items() if k != "indicators"}
        rows: list[dict] = []
        _flatten(data["indicators"], None, rows)
        return rows, meta
    if isinstance(data, list | tuple):
        rows = []
        _flatten(data, None, rows)
        return rows, meta
    msg = (f"An index system is built from a YAML file, a dict, a list of entries or a "
           f"DataFrame, not {type(data).__name__}.")
    raise ArgumentTypeError(msg)


def _number(value: Any) -> float | None:
    if _blank(value):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            return float(text[:-1]) / 100
        return float(text)
    return float(value)


class IndexSystem:
    """A tree of pillars and indicators with directions, units, formulas and weights.

    Parameters
    ----------
    data : str, Path, dict, list or pandas.DataFrame
        A YAML file (or the name of a bundled system such as ``"member_default"``),
        a dict with an ``indicators`` list (entries nest ``children`` or name their
        ``parent``), or a table with the columns of :data:`FIELDS`.
    name : str, optional
        Title of the system (default: the file's ``name`` entry).

    Attributes
    ----------
    name, name_en : str
        Titles in Chinese and English.
    level : str or None
        What is evaluated (``"member"`` or ``"unit"``), when the file says so.
    nodes : dict of str to Node
        Every pillar and indicator, in file order.

    Raises
    ------
    ValidationError
        Listing every problem of the tree at once (``.problems``: the row, the
        field, the value, what is wrong and how to fix it, in English and
        Chinese): duplicate codes, unknown parents, cycles, directions other
        than +/−, negative weights, siblings of which only some have weights, or
        whose weights do not sum to 1 (or 100 %).

    Notes
    -----
    Weights may be written as fractions summing to 1 or percentages summing to
    100 (``"30%"`` or ``30`` with siblings summing to 100); they are stored as
    fractions. A parent without weights for its children weights them equally
    unless another weighting method is chosen.

    Examples
    --------
    >>> s = tk.evaluate.IndexSystem(pd.DataFrame({
    ...     "indicator": ["A", "a1", "a2"], "parent": [None, "A", "A"],
    ...     "direction": ["+", "+", "-"], "weight": [1.0, 70, 30]}))
    >>> s.leaves, s.direction("a2"), s.node("a1").weight
    (['a1', 'a2'], -1, 0.7)
    >>> try:
    ...     tk.evaluate.IndexSystem(pd.DataFrame({"indicator": ["a", "b"],
    ...                                           "parent": [None, "c"]}))
    ... except ValueError as err:
    ...     print(err.problems[["row", "column", "value", "check"]])
       row  column value           check
    0    3  parent     c  unknown_parent
    """

    def __init__(self, data: Any, *, name: str | None = None) -> None:
        where = "<memory>"
        if isinstance(data, IndexSystem):
            rows, meta = data.to_frame().to_dict("records"), {"name": data.name,
                                                               "name_en": data.name_en,
                                                               "level": data.level}
        else:
            if isinstance(data, str | Path):
                path = _resolve_path(data)
                where = str(path)
                data = _read_yaml(path)
            rows, meta = _rows_of(data)
        self.source_file = None if where == "<memory>" else where
        self.name = str(name or meta.get("name") or meta.get("name_zh") or "评价指标体系")
        self.name_en = str(meta.get("name_en") or name or "Index system")
        self.level = meta.get("level")
        self.nodes: dict[str, Node] = self._build(rows, where)

    # -- building and validation -------------------------------------------

    def _build(self, rows: list[dict], where: str) -> dict[str, Node]:
        problems: list[dict] = []
        nodes: dict[str, Node] = {}
        raw_weights: dict[str, float | None] = {}
        for i, row in enumerate(rows):
            line = i + 2 if where.endswith((".csv", ".xlsx")) or where == "<memory>" else i + 1
            unknown = sorted(set(row) - _KNOWN_KEYS)
            for key in unknown:
                close = close_matches(key, sorted(_KNOWN_KEYS), n=1)
                hint = f"did you mean `{close[0]}`?" if close else f"use {', '.join(FIELDS)}"
                _problem(problems, where=where, row=line, column=key, value=row[key],
                         check="unknown_key", problem=f"unknown field `{key}`",
                         fix=hint, problem_zh=f"未知字段“{key}”",
                         fix_zh=f"改为“{close[0]}”" if close else "删除该字段")
            code = row.get("indicator", row.get("code"))
            if _blank(code):
                _problem(problems, where=where, row=line, column="indicator", value=None,
                         check="missing_value", problem="an entry has no `indicator` code",
                         fix="give every pillar and indicator a code",
                         problem_zh="指标编码缺失", fix_zh="为每个指标填写编码")
                continue
            code = str(code).strip()
            if code in nodes:
                _problem(problems, where=where, row=line, column="indicator", value=code,
                         check="duplicate_id", problem=f"indicator `{code}` appears twice",
                         fix="give each indicator its own code",
                         problem_zh=f"指标“{code}”重复", fix_zh="每个指标使用唯一编码")
                continue
            parent = None if _blank(row.get("parent")) else str(row["parent"]).strip()
            direction = 1
            if not _blank(row.get("direction")):
                try:
                    direction = as_direction(row["direction"], indicator=code)
                except ArgumentError:
                    _problem(problems, where=where, row=line, column="direction",
                             value=row["direction"], check="unknown_value",
                             problem=f"indicator `{code}` has direction {row['direction']!r}",
                             fix="use `+` (more is better) or `-` (less is better)",
                             problem_zh=f"指标“{code}”的方向“{row['direction']}”无法识别",
                             fix_zh="填写“+”（正向）或“-”（负向）")
            weight = None
            try:
                weight = _number(row.get("weight"))
            except (TypeError, ValueError):
                _problem(problems, where=where, row=line, column="weight", value=row["weight"],
                         check="type", problem=f"indicator `{code}` has weight "
                         f"{row['weight']!r}, not a number", fix="write a number or leave blank",
                         problem_zh=f"指标“{code}”的权重不是数字", fix_zh="填写数字或留空")
            if weight is not None and (weight < 0 or not math.isfinite(weight)):
                _problem(problems, where=where, row=line, column="weight", value=weight,
                         check="out_of_range", problem=f"indicator `{code}` has a negative "
                         "weight", fix="weights are zero or positive",
                         problem_zh=f"指标“{code}”的权重为负", fix_zh="权重应为非负数")
                weight = None
            goalposts = row.get("goalposts")
            label = row.get("label")
            nodes[code] = Node(
                indicator=code, parent=parent, direction=direction,
                unit=None if _blank(row.get("unit")) else str(row["unit"]),
                source=None if _blank(row.get("source")) else str(row["source"]).strip(),
                weight=None,
                label_zh=str(row.get("label_zh") or label or ""),
                label_en=str(row.get("label_en") or ""),
                target=_number(row.get("target")) if not _blank(row.get("target")) else None,
                goalposts=(tuple(float(g) for g in goalposts)  # type: ignore[arg-type]
                           if isinstance(goalposts, list | tuple) else None),
            )
            raw_weights[code] = weight
            nodes[code] = replace(nodes[code], weight=weight)
        line_of = {str(r.get("indicator", r.get("code"))).strip(): i + 2
                   for i, r in enumerate(rows)}
        for code, node in nodes.items():
            if node.parent is not None and node.parent not in nodes:
                close = close_matches(node.parent, list(nodes), n=1)
                _problem(problems, where=where, row=line_of.get(code), column="parent",
                         value=node.parent, check="unknown_parent",
                         problem=f"indicator `{code}` names parent `{node.parent}`, which is "
                         "not in the system",
                         fix=f"did you mean `{close[0]}`?" if close else
                         "add the parent or correct the name",
                         problem_zh=f"指标“{code}”的上级指标“{node.parent}”不存在",
                         fix_zh=f"是否应为“{close[0]}”？" if close else "补充上级指标或更正名称")
        for code in self._cycles(nodes):
            _problem(problems, where=where, row=line_of.get(code), column="parent",
                     value=nodes[code].parent, check="cycle",
                     problem=f"indicator `{code}` is its own ancestor (the parents form a cycle)",
                     fix="make the tree go from pillars down to indicators",
                     problem_zh=f"指标“{code}”的上下级关系形成循环",
                     fix_zh="检查上级指标，使体系自上而下成树")
        if not problems:
            nodes = self._check_weights(nodes, problems, where, line_of)
        if problems:
            frame = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
            raise ValidationError(frame, f"The index system has {len(frame)} problem(s).")
        if not nodes:
            msg = "The index system has no indicators."
            raise ArgumentError(msg)
        return nodes

    @staticmethod
    def _cycles(nodes: Mapping[str, Node]) -> list[str]:
        bad = []
        for code in nodes:
            seen = {code}
            parent = nodes[code].parent
            while parent is not None and parent in nodes:
                if parent in seen:
                    bad.append(code)
                    break
                seen.add(parent)
                parent = nodes[parent].parent
        return bad

    @staticmethod
    def _check_weights(nodes: dict[str, Node], problems: list[dict], where: str,
                       line_of: Mapping[str, int]) -> dict[str, Node]:
        groups: dict[str | None, list[str]] = {}
        for code, node in nodes.items():
            groups.setdefault(node.parent, []).append(code)
        out = dict(nodes)
        for parent, codes in groups.items():
            given = [nodes[c].weight for c in codes]
            if all(w is None for w in given):
                continue
            whose = f"the children of `{parent}`" if parent else "the pillars"
            whose_zh = f"“{parent}”的下级指标" if parent else "一级指标"
            if any(w is None for w in given):
                missing = [c for c in codes if nodes[c].weight is None]
                _problem(problems, where=where, row=line_of.get(missing[0]), column="weight",
                         value=None, check="missing_value",
                         problem=f"{whose} have weights except {', '.join(missing)}",
                         fix="give every sibling a weight, or none of them",
                         problem_zh=f"{whose_zh}中{'、'.join(missing)}缺少权重",
                         fix_zh="同级指标要么都给权重，要么都不给")
                continue
            total = float(sum(given))  # type: ignore[arg-type]
            if len(codes) == 1 and total > 0:
                scale = total
            elif abs(total - 1) <= _WEIGHT_TOLERANCE:
                scale = total
            elif abs(total - 100) <= 100 * _WEIGHT_TOLERANCE:
                scale = total
            else:
                _problem(problems, where=where, row=line_of.get(codes[0]), column="weight",
                         value=f"{total:g}", check="weights_sum",
                         problem=f"the weights of {whose} sum to {total:g}, not 1 (or 100%)",
                         fix="correct the weights so that siblings sum to 1",
                         problem_zh=f"{whose_zh}的权重之和为{total:g}，不等于1（或100%）",
                         fix_zh="修改权重，使同级权重之和为1")
                continue
            for c in codes:
                out[c] = replace(out[c], weight=float(nodes[c].weight) / scale)  # type: ignore[arg-type]
        return out

    # -- structure -------------------------------------------------------

    @property
    def leaves(self) -> list[str]:
        """Codes of the indicators (nodes without children), in file order."""
        parents = {n.parent for n in self.nodes.values()}
        return [c for c in self.nodes if c not in parents]

    @property
    def pillars(self) -> list[str]:
        """Codes of the top-level nodes (一级指标)."""
        return [c for c, n in self.nodes.items() if n.parent is None]

    def node(self, code: str) -> Node:
        """The :class:`Node` called `code` (ArgumentError with close matches if unknown)."""
        if code not in self.nodes:
            close = close_matches(code, list(self.nodes))
            hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
            msg = f"`{code}` is not an indicator of the index system.{hint}"
            raise ArgumentError(msg)
        return self.nodes[code]

    def children(self, code: str | None) -> list[str]:
        """Codes of the nodes whose parent is `code` (None: the pillars)."""
        return [c for c, n in self.nodes.items() if n.parent == code]

    def path(self, code: str) -> list[str]:
        """Codes from the pillar down to `code`."""
        out = [code]
        parent = self.node(code).parent
        while parent is not None:
            out.append(parent)
            parent = self.nodes[parent].parent
        return out[::-1]

    def level_of(self, code: str) -> int:
        """1 for a pillar (一级指标), 2 for its children, and so on."""
        return len(self.path(code))

    @property
    def depth(self) -> int:
        """Number of levels of the deepest branch."""
        return max(self.level_of(c) for c in self.leaves)

    def direction(self, code: str) -> int:
        """+1 or -1 for indicator `code`."""
        return self.node(code).direction

    def label(self, code: str, lang: str = "zh") -> str:
        """Label of `code` in `lang` (``"index"`` gives the system's name)."""
        if code == "index":
            return self.name if lang == "zh" else self.name_en
        return self.node(code).label(lang)

    @property
    def has_weights(self) -> bool:
        """True when every node has a weight within its parent."""
        return all(n.weight is not None for n in self.nodes.values())

    def local_weights(self) -> dict[str, float]:
        """Weight of each node within its parent: the system's, else equal."""
        out: dict[str, float] = {}
        for parent in [None, *self.nodes]:
            kids = self.children(parent)
            if not kids:
                continue
            given = [self.nodes[c].weight for c in kids]
            if all(w is not None for w in given):
                total = float(sum(given))  # type: ignore[arg-type]
                for c, w in zip(kids, given, strict=True):
                    out[c] = float(w) / total if total > 0 else 1 / len(kids)  # type: ignore[arg-type]
            else:
                for c in kids:
                    out[c] = 1 / len(kids)
        return out

    # -- derived systems -------------------------------------------------

    def with_weights(self, weights: Any) -> IndexSystem:
        """A copy whose nodes carry `weights` (local, within each parent).

        `weights` is a dict or Series code → weight, or a frame with
        ``indicator`` and ``weight`` columns (as :func:`toolkit.evaluate.weights`
        and :func:`toolkit.evaluate.ahp` return). Siblings are rescaled to sum to
        1; nodes not named keep their weight.

        Examples
        --------
        >>> s = tk.evaluate.IndexSystem({"indicators": [{"indicator": "a"},
        ...                                             {"indicator": "b"}]})
        >>> s.with_weights({"a": 3, "b": 1}).local_weights()
        {'a': 0.75, 'b': 0.25}
        """
        if isinstance(weights, pd.DataFrame):
            weights = dict(zip(weights["indicator"].astype(str),
                               weights["weight"].astype(float), strict=True))
        mapping = {str(k): float(v) for k, v in dict(weights).items()}
        unknown = [k for k in mapping if k not in self.nodes]
        if unknown:
            close = {k: close_matches(k, list(self.nodes), n=1) for k in unknown}
            hints = "; ".join(f"`{k}`" + (f" (did you mean `{c[0]}`?)" if c else "")
                              for k, c in close.items())
            msg = f"`weights` name indicators that are not in the system: {hints}."
            raise ArgumentError(msg)
        frame = self.to_frame()
        frame["weight"] = [mapping.get(c, w) for c, w in zip(frame["indicator"],
                                                             frame["weight"], strict=True)]
        for parent in [None, *self.nodes]:
            kids = self.children(parent)
            mask = frame["indicator"].isin(kids)
            vals = pd.to_numeric(frame.loc[mask, "weight"], errors="coerce")
            if vals.notna().all() and vals.sum() > 0:
                frame.loc[mask, "weight"] = vals / vals.sum()
            elif vals.notna().any():
                missing = [k for k, v in zip(kids, vals, strict=True) if pd.isna(v)]
                msg = (f"`weights` give some children of `{parent or 'the index'}` a weight "
                       f"but not {', '.join(f'`{m}`' for m in missing)}; weight all siblings.")
                raise ArgumentError(msg)
        return IndexSystem({"name": self.name, "name_en": self.name_en, "level": self.level,
                            "indicators": _records(frame)})

    def without(self, indicators: str | Sequence[str]) -> IndexSystem:
        """A copy without the given indicators (and any parent left without children).

        Examples
        --------
        >>> s = tk.evaluate.IndexSystem({"indicators": [
        ...     {"indicator": "A", "children": [{"indicator": "a1"}, {"indicator": "a2"}]},
        ...     {"indicator": "B", "children": [{"indicator": "b1"}]}]})
        >>> s.without("b1").leaves
        ['a1', 'a2']
        """
        drop = {indicators} if isinstance(indicators, str) else set(indicators)
        for code in drop:
            self.node(code)
        keep = dict(self.nodes)
        for code in drop:
            for c in [c for c in keep if code in self.path(c)]:
                keep.pop(c, None)
        changed = True
        while changed:
            changed = False
            for code in list(keep):
                was_parent = any(n.parent == code for n in self.nodes.values())
                if was_parent and not any(n.parent == code for n in keep.values()):
                    keep.pop(code)
                    changed = True
        if not keep:
            msg = "Removing these indicators leaves the index system empty."
            raise ArgumentError(msg)
        frame = self.to_frame()
        frame = frame[frame["indicator"].isin(keep)].copy()
        weights = frame["weight"].astype(object)
        for _, group in frame.groupby(frame["parent"].fillna("\0"), sort=False):
            vals = pd.to_numeric(group["weight"], errors="coerce")
            if vals.notna().all() and vals.sum() > 0:
                weights.loc[group.index] = (vals / vals.sum()).tolist()
            else:
                weights.loc[group.index] = None
        frame["weight"] = weights
        return IndexSystem({"name": self.name, "name_en": self.name_en, "level": self.level,
                            "indicators": _records(frame)})

    @classmethod
    def flat(cls, indicators: Sequence[str], *, directions: Any = None,
             name: str = "综合指数") -> IndexSystem:
        """A one-level system: every indicator directly in the index.

        Examples
        --------
        >>> tk.evaluate.IndexSystem.flat(["a", "b"], directions={"b": "-"}).direction("b")
        -1
        """
        dirs = dict(directions or {})
        return cls({"name": name, "name_en": "Composite index", "indicators": [
            {"indicator": str(i), "direction": dirs.get(str(i), "+")} for i in indicators]})

    # -- output ------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """One row per node of the tree.

        Columns ``indicator, parent, level, direction`` (+/-), ``unit, source,
        weight, label_zh, label_en, is_leaf``.
        """
        leaves = set(self.leaves)
        rows = [{
            "indicator": c, "parent": n.parent, "level": self.level_of(c),
            "direction": "+" if n.direction > 0 else "-", "unit": n.unit, "source": n.source,
            "weight": n.weight, "label_zh": n.label_zh, "label_en": n.label_en,
            "is_leaf": c in leaves,
        } for c, n in self.nodes.items()]
        frame = pd.DataFrame(rows)
        frame["parent"] = frame["parent"].astype("string")
        frame["weight"] = frame["weight"].astype("Float64")
        return frame

    def to_wide(self, *, lang: str = "zh") -> pd.DataFrame:
        """One row per indicator with its ancestors as columns (一级指标, 二级指标 …).

        Returns
        -------
        pandas.DataFrame
            Columns ``level_1 … level_d`` (labels in `lang`; a branch shorter than
            the deepest leaves its last columns empty), ``indicator`` (code),
            ``direction``, ``unit``, ``source``.

        Examples
        --------
        >>> s = tk.evaluate.IndexSystem({"indicators": [
        ...     {"indicator": "A", "label_zh": "会议", "children": [
        ...         {"indicator": "a1", "label_zh": "出席", "unit": "次"}]}]})
        >>> s.to_wide()
          level_1 level_2 indicator direction unit source
        0      会议      出席        a1         +    次   None
        """
        check_lang(lang)
        depth = self.depth
        rows = []
        for leaf in self.leaves:
            path = self.path(leaf)
            row = {f"level_{i + 1}": (self.label(path[i], lang) if i < len(path) else None)
                   for i in range(depth)}
            node = self.nodes[leaf]
            row.update({"indicator": leaf, "direction": "+" if node.direction > 0 else "-",
                        "unit": node.unit, "source": node.source})
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> Summary:
        """Summary: the number of nodes at each level (``.to_frame()``: ``level, name, n``)."""
        frame = self.to_frame()
        counts = frame.groupby("level").size()
        table = pd.DataFrame({"level": counts.index.astype(int),
                              "name": [LEVEL_NAMES["zh"][min(i, 5) - 1] for i in counts.index],
                              "n": counts.to_numpy()})
        info = [("Name", self.name), ("Pillars", str(len(self.pillars))),
                ("Indicators", str(len(self.leaves))), ("Levels", str(self.depth))]
        return Summary("Index system", info, table, was="frame")

    def _repr_html_(self) -> str:
        head = (f"<p><b>{html.escape(self.name)}</b> — {len(self.pillars)} pillars, "
                f"{len(self.leaves)} indicators, {self.depth} levels</p>")
        return head + self.to_frame().drop(columns=["is_leaf"]).to_html(index=False,
                                                                        na_rep="")

    def __repr__(self) -> str:
        return (f"<IndexSystem {self.name!r}: {len(self.pillars)} pillars, "
                f"{len(self.leaves)} indicators, {self.depth} levels>")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IndexSystem) and self.nodes == other.nodes

    __hash__ = None  # type: ignore[assignment]


def _records(frame: pd.DataFrame, *, weights: bool = True) -> list[dict]:
    out = []
    for rec in frame.to_dict("records"):
        row = {k: rec.get(k) for k in FIELDS}
        row = {k: (None if (v is pd.NA or (isinstance(v, float) and np.isnan(v))) else v)
               for k, v in row.items()}
        if not weights:
            row["weight"] = None
        out.append(row)
    return out


def _resolve_path(data: str | Path) -> Path:
    path = Path(data)
    if path.suffix.lower() in {".yaml", ".yml"} and path.exists():
        return path
    bundled = _SYSTEMS / f"{data}.yaml"
    if bundled.exists():
        return bundled
    if path.exists():
        return path
    available = sorted(p.stem for p in _SYSTEMS.glob("*.yaml"))
    close = close_matches(str(data), available, n=1)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    msg = (f"No index system file `{data}`.{hint} Give a YAML path, or the name of a bundled "
           f"system: {', '.join(f'`{a}`' for a in available)}.")
    raise ArgumentError(msg)


def _read_yaml(path: Path) -> Any:
    import yaml

    if path.suffix.lower() in {".csv"}:
        return pd.read_csv(path)
    if path.suffix.lower() in {".xlsx", ".xls"}:
        return pd.read_excel(path)
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_system(name: str | Path) -> IndexSystem:
    """A bundled index system by name (``"member_default"``), or one read from a file.

    Parameters
    ----------
    name : str or Path
        ``"member_default"`` (委员履职, from attendance, submissions and, when the
        study has it, the activities ledger) or ``"unit_default"`` (基层协商工作,
        per community), or the path of a YAML, CSV or Excel file.

    Returns
    -------
    IndexSystem
        The system, as ``tk.evaluate.IndexSystem(name)`` builds it.

    Examples
    --------
    >>> s = tk.evaluate.load_system("member_default")
    >>> s.level, len(s.pillars) >= 3
    ('member', True)
    """
    return IndexSystem(name)


# Accepted direction spellings are documented with the system (one owner: _matrix).
DIRECTION_SPELLINGS = (sorted(POSITIVE), sorted(NEGATIVE))
