"""Turning the columns of an export into the survey frame and its codebook.

:class:`Builder` reads the metadata columns, then each question by its kind
(single choice, multiple choice joined or over 0/1 columns, matrix, numbers,
free text, fill-in text), and writes every change, skip code and problem into
the export's load record under the final column names.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import check_choice, close_matches
from toolkit.errors import ArgumentError, ArgumentTypeError, ToolkitWarning
from toolkit.io.platforms import answers
from toolkit.io.platforms.answers import likert_order, option_order, split_fill
from toolkit.io.platforms.headers import METADATA, Header, is_other_label
from toolkit.io.platforms.layout import (
    MODES,
    SKIP_CODES,
    Export,
    Question,
    is_missing,
    is_number_skip,
)
from toolkit.io.record import LoadRecord

__all__ = ["KINDS", "Builder"]

#: Question kinds a caller may force with ``kinds=``.
KINDS = ("single", "multiple", "text")

#: Separators of options joined in one cell, by platform.
_JOINERS = {"wjx": ("┋",), "tencent": ("┋", "|", "；")}
_SENTENCE = frozenset("，。！？,.!?；;")
_META = {m.name: m for m in METADATA}


@dataclass
class _Out:
    """One column of the result and its codebook entry."""

    name: str
    data: Any
    entry: dict[str, Any]


class Builder:
    """Builds the survey frame of one export (see :func:`read_survey_export`)."""

    def __init__(self, export: Export, entries: list[tuple[str, Any]],
                 questions: list[Question], *, kinds: Any, value_labels: Any,
                 missing_codes: object, speeder_ratio: float | None) -> None:
        self.x = export
        self.entries = entries
        self.questions = questions
        self.kinds = self._by_question(kinds, "kinds", forced=True)
        self.labels = self._by_question(value_labels, "value_labels", forced=False)
        self.missing_codes = missing_codes
        self.speeder_ratio = speeder_ratio
        self.names: dict[int, list[str]] = {}   # file column → result columns
        self.used: set[str] = set()
        self.text_choice: list[str] = []         # questions answered with option texts
        self.text_scale: list[tuple[int, str]] = []  # … on a scale, or joined: text mode only
        self.norm: dict[int, pd.Series] = {}
        self.codes: dict[int, dict[Any, str | None]] = {}

    # -- arguments -----------------------------------------------------------
    def _by_question(self, given: Any, param: str, *, forced: bool) -> dict[str, Any]:
        if given is None:
            return {}
        if not isinstance(given, Mapping):
            example = '{"q9": "multiple"}' if forced else '{"q3": {1: "男", 2: "女"}}'
            msg = f"`{param}` must be a dict such as {example}, not {type(given).__name__}."
            raise ArgumentTypeError(msg)
        known = [q.name for q in self.questions]
        out: dict[str, Any] = {}
        for key, value in given.items():
            name = f"q{key}" if isinstance(key, int) and not isinstance(key, bool) else str(key)
            base = name.split("_")[0]
            if base not in known or (forced and name != base):
                close = close_matches(name, known)
                hint = f" Did you mean `{close[0]}`?" if close else ""
                msg = (f"`{param}` names `{key}`, which is not a question of "
                       f"`{self.x.record.file}`.{hint} Its questions: {', '.join(known)}.")
                raise ArgumentError(msg)
            if forced:
                check_choice(value, KINDS, param=f"{param}[{key!r}]")
            elif not isinstance(value, Mapping) or not value:
                msg = (f"`{param}[{key!r}]` must be a dict of code → option text, e.g. "
                       f"{{1: \"男\", 2: \"女\"}}, not {value!r}.")
                raise ArgumentTypeError(msg)
            out[name] = value
        return out

    # -- main ----------------------------------------------------------------
    def run(self) -> pd.DataFrame:
        """The survey frame, with ``attrs["codebook"]`` and ``attrs["load_record"]``."""
        x = self.x
        temp = self._normalise()
        outs: list[_Out] = []
        for kind, item in self.entries:
            if kind == "meta":
                outs.extend(self._meta(item))
            elif kind == "question":
                outs.extend(self._question(item))
            else:
                outs.append(self._unknown(item))
        self._finish_mode()
        self._transfer(temp)
        self._personal(outs)
        frame = pd.DataFrame({o.name: o.data for o in outs}, index=pd.RangeIndex(len(x.raw)))
        record = x.record
        record.rows_kept = len(frame)
        frame.attrs["load_record"] = record
        frame.attrs["codebook"] = {o.name: o.entry for o in outs}
        frame.attrs["survey_export"] = {
            "platform": x.platform, "mode": x.mode,
            "platform_detected": x.platform_detected, "mode_detected": x.mode_detected,
        }
        if len(record.missing):
            msg = (f"{len(record.missing)} cell(s) of `{x.path.name}` held skip codes or "
                   "declared missing codes and are now missing values; "
                   "`tk.io.load_record(df).missing` lists the code each held.")
            warnings.warn(msg, ToolkitWarning, stacklevel=4)
        return frame

    def _unique(self, name: str) -> str:
        final, k = name, 2
        while final in self.used:
            final, k = f"{name}_{k}", k + 1
        self.used.add(final)
        return final

    def _place(self, pos: int, h: Header, names: list[str], *, mapped: str | None = None) -> None:
        """Note the result columns a file column became (a skip code there applies to each)."""
        self.names[pos] = names
        self.x.record.header_map[h.raw] = mapped or (names[0] if names else "")

    # -- typing the answer columns -------------------------------------------
    def _normalise(self) -> LoadRecord:
        """Answer columns typed (numbers or text), skip and declared codes made missing.

        The work is done by :func:`toolkit.io.normalise.normalise_frame` on a
        scratch record, so that its changes, problems and missing-code cells can
        be written into the export's record under the final column names.
        """
        from toolkit.io.normalise import MissingCodes, normalise_frame, parse_missing_codes

        x = self.x
        question_of = {pos: q for q in self.questions for pos in q.positions}
        positions = sorted(question_of) + [pos for kind, pos in self.entries if kind == "unknown"]
        temp_names = {pos: f"c{pos}" for pos in positions}
        self.temp_names = temp_names
        keys = tuple(x.headers) + tuple(q.name for q in self.questions)
        declared = parse_missing_codes(self.missing_codes, columns=keys)
        by_column: dict[str, dict[Any, str | None]] = {}
        for pos in positions:
            q = question_of.get(pos)
            if q is None:
                codes: dict[Any, str | None] = {}
            else:
                own = declared.by_column.get(x.headers[pos], declared.by_column.get(q.name))
                codes = {**SKIP_CODES, **(own if own is not None else declared.common)}
            self.codes[pos] = codes
            by_column[temp_names[pos]] = codes
        data = pd.DataFrame({temp_names[p]: x.raw.iloc[:, p] for p in positions},
                            index=x.raw.index)
        temp = LoadRecord(file=x.record.file, sheet=x.record.sheet, table="survey")
        out, _ = normalise_frame(data, table=None, record=temp, rows=x.rows,
                                 missing_codes=MissingCodes(by_column=by_column),
                                 headers={temp_names[p]: x.headers[p] for p in positions})
        self.norm = {pos: out[temp_names[pos]] for pos in positions}
        return temp

    def _transfer(self, temp: LoadRecord) -> None:
        """Write the scratch record's entries into the export's, under the final names."""
        rename = {self.temp_names[pos]: names for pos, names in self.names.items()
                  if pos in self.temp_names}
        record = self.x.record
        for c in temp.coercions.to_dict("records"):
            name = (rename.get(c["column"]) or [c["column"]])[0]
            record.coerce(column=name, what=c["what"], before=c["before"], after=c["after"],
                          count=c["count"])
        problems = temp.problems
        if len(problems):
            problems = problems.assign(
                column=[(rename.get(c) or [c])[0] for c in problems["column"]])
            record.add_problems(problems)
        cells = temp.missing
        if len(cells):
            frames = [group.assign(column=name)
                      for column, group in cells.groupby("column", sort=False)
                      for name in (rename.get(column) or [column])]
            merged = pd.concat(frames, ignore_index=True)
            record.add_missing(merged.sort_values("row", kind="stable", ignore_index=True))

    # -- metadata --------------------------------------------------------------
    def _meta(self, pos: int) -> list[_Out]:
        x = self.x
        h = x.parsed[pos]
        meta = _META[str(h.meta)]
        raw = x.raw.iloc[:, pos]
        name = self._unique(meta.name)
        self._place(pos, h, [name])
        entry: dict[str, Any] = {"label": meta.label, "kind": "meta", "header": h.raw}
        if meta.personal:
            entry["personal"] = meta.personal
        entry.update(platform=x.platform, source=str(x.path))
        if meta.kind == "id":
            return [_Out(name, self._as_text(raw, name, id_like=True), entry)]
        if meta.kind == "datetime":
            return [_Out(name, self._as_datetime(raw, name), entry)]
        if meta.kind == "number":
            return [_Out(name, self._as_number(raw, name), entry)]
        if meta.kind == "duration":
            seconds = self._as_duration(raw, name)
            out = [_Out(name, seconds, entry)]
            if self.speeder_ratio is not None:
                out.append(self._speeders(seconds, raw, name))
            return out
        return [_Out(name, self._as_text(raw, name, id_like=False), entry)]

    def _as_text(self, raw: pd.Series, name: str, *, id_like: bool) -> pd.Series:
        cells = raw.astype(object).tolist()
        numbers = [i for i, v in enumerate(cells) if not is_missing(v) and
                   isinstance(v, int | float | np.integer | np.floating)
                   and not isinstance(v, bool)]
        if numbers and id_like:
            first = cells[numbers[0]]
            self.x.record.coerce(column=name, what="number → text", before=first,
                                 after=_number_text(first), count=len(numbers))
        is_number = set(numbers)
        out = [None if is_missing(v) else (_number_text(v) if i in is_number else
                                           str(v).strip()) for i, v in enumerate(cells)]
        return pd.Series(out, dtype="str")

    def _per_distinct(self, raw: pd.Series, name: str, parse: Any, *, check: str,
                      texts: tuple[str, str, str, str]) -> list[Any]:
        """Parse each distinct value once; note changes and the values that do not parse."""
        cache: dict[tuple[str, Any], tuple[Any, str | None]] = {}
        changes: dict[str, list[Any]] = {}
        out: list[Any] = []
        bad_rows: list[int] = []
        bad_values: list[Any] = []
        for i, v in enumerate(raw.tolist()):
            if is_missing(v) or (isinstance(v, str) and not v.strip()):
                out.append(None)
                continue
            key = (type(v).__name__, v)
            if key not in cache:
                cache[key] = parse(v)
            parsed, kind = cache[key]
            if parsed is None:
                bad_rows.append(int(self.x.rows[i]))
                bad_values.append(v)
                out.append(None)
                continue
            if kind:
                changes.setdefault(kind, [0, v, parsed])[0] += 1
            out.append(parsed)
        for kind, (count, before, after) in changes.items():
            self.x.record.coerce(column=name, what=kind, before=before, after=after,
                                 count=count)
        if bad_rows:
            problem, fix, problem_zh, fix_zh = texts
            self.x.record.add_problems(pd.DataFrame({
                "row": bad_rows, "column": name, "value": bad_values, "check": check,
                "severity": "error", "problem": problem, "fix": fix,
                "problem_zh": problem_zh, "fix_zh": fix_zh,
            }))
        return out

    def _as_datetime(self, raw: pd.Series, name: str) -> pd.Series:
        if pd.api.types.is_datetime64_any_dtype(raw.dtype):
            return pd.Series(raw.to_numpy(), dtype="datetime64[ns]")
        from toolkit.io.normalise import parse_date

        def parse(v: object) -> tuple[Any, str | None]:
            if isinstance(v, pd.Timestamp):
                return v, None
            if hasattr(v, "year") and hasattr(v, "month"):
                return pd.Timestamp(v), None  # an Excel date in a mixed column
            stamp, kind, _problem = parse_date(v)
            return stamp, kind

        out = self._per_distinct(raw, name, parse, check="not_a_date", texts=(
            "Not a date and time; the cell was read as missing.",
            "Correct the time in the export (e.g. 2023/11/8 10:23:45).",
            "不是日期时间，已按缺失读取。", "在导出文件中改正时间（如 2023/11/8 10:23:45）。"))
        return pd.Series(pd.to_datetime(pd.Series(out, dtype=object)), dtype="datetime64[ns]")

    def _as_duration(self, raw: pd.Series, name: str) -> pd.Series:
        def parse(v: object) -> tuple[Any, str | None]:
            seconds = answers.parse_duration(v)
            if seconds is None:
                return None, None
            plain = isinstance(v, int | float | np.integer | np.floating) or _is_number(str(v))
            return seconds, None if plain else "duration text → seconds"

        out = self._per_distinct(raw, name, parse, check="not_a_duration", texts=(
            "Not a duration; the cell was read as missing.",
            "Correct the time taken in the export (e.g. 125秒, 2分5秒 or 00:02:05).",
            "不是答题用时，已按缺失读取。",
            "在导出文件中改正用时（如 125秒、2分5秒 或 00:02:05）。"))
        return _numbers(out)

    def _as_number(self, raw: pd.Series, name: str) -> pd.Series:
        def parse(v: object) -> tuple[Any, str | None]:
            if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
                return float(v), None
            text = str(v).strip()
            return (float(text), None) if _is_number(text) else (None, None)

        out = self._per_distinct(raw, name, parse, check="not_a_number", texts=(
            "Not a number; the cell was read as missing.", "Correct the score in the export.",
            "不是数字，已按缺失读取。", "在导出文件中改正分数。"))
        return _numbers(out)

    def _speeders(self, seconds: pd.Series, raw: pd.Series, name: str) -> _Out:
        ratio = float(self.speeder_ratio)  # type: ignore[arg-type]
        arr = seconds.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        known = ~np.isnan(arr)
        entry: dict[str, Any] = {
            "label": f"答题过快（{name} 低于中位数的 {ratio:.3g} 倍）", "kind": "derived",
            "derived_from": name, "rule": f"{name} < {ratio:.6g} × median({name})",
            "platform": self.x.platform, "source": str(self.x.path)}
        out_name = self._unique("speeder")
        flags = pd.array([pd.NA] * len(arr), dtype="boolean")
        if not known.any():
            return _Out(out_name, flags, entry)
        median = float(np.median(arr[known]))
        threshold = ratio * median
        fast = known & (arr < threshold)
        flags = pd.array(fast, dtype="boolean")
        flags[~known] = pd.NA
        entry.update(median=median, threshold=threshold)
        self.x.record.notes.append(
            f"speeders: {int(fast.sum())} response(s) with {name} under {ratio:.3g} × the "
            f"median ({median:g} s), i.e. under {threshold:g} s; flagged in `{out_name}`, "
            "not dropped")
        if fast.any():
            idx = np.flatnonzero(fast)
            self.x.record.add_problems(pd.DataFrame({
                "row": self.x.rows[idx], "column": name, "value": [raw.iloc[i] for i in idx],
                "check": "speeder", "severity": "warning",
                "problem": [f"Answered in {arr[i]:g} s, under {ratio:.3g} × the median "
                            f"({median:g} s): possibly a speeder. The response is kept."
                            for i in idx],
                "fix": (f"Look at this response's answers; drop speeders explicitly if your "
                        f"protocol says so (e.g. `df[~df[\"{out_name}\"]]`)."),
                "problem_zh": [f"答题用时 {arr[i]:g} 秒，不足中位数（{median:g} 秒）的 "
                               f"{ratio:.3g} 倍，可能未认真作答；该答卷已保留。" for i in idx],
                "fix_zh": (f"检查该答卷；如研究方案要求，可明确剔除"
                           f"（如 `df[~df[\"{out_name}\"]]`）。"),
            }))
        return _Out(out_name, flags, entry)

    # -- columns that are neither ----------------------------------------------
    def _unknown(self, pos: int) -> _Out:
        h = self.x.parsed[pos]
        name = self._unique(h.raw)
        self._place(pos, h, [name])
        self.x.record.notes.append(
            f"column `{h.raw}` is neither a metadata column nor a question header; kept as "
            "it is")
        entry = {"label": h.raw, "kind": "unknown", "header": h.raw,
                 "platform": self.x.platform, "source": str(self.x.path)}
        return _Out(name, self.norm[pos].to_numpy(), entry)

    # -- questions -----------------------------------------------------------
    def _entry(self, q: Question, header: str, kind: str, label: str | None,
               **more: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {"label": label, "question": q.name, "number": q.number,
                                 "kind": kind, "header": header}
        entry.update({k: v for k, v in more.items() if v is not None})
        entry.update(platform=self.x.platform, source=str(self.x.path))
        return entry

    def _question(self, q: Question) -> list[_Out]:
        cols = list(q.columns)
        title = None
        first_pos, first = cols[0]
        if len(cols) > 1 and first.kind == "question" and _blank(self.x.raw.iloc[:, first_pos]) \
                and all(h.kind == "item" for _, h in cols[1:]):
            title = first.text
            self._place(first_pos, first, [], mapped=q.name)
            self.x.record.notes.append(
                f"column `{first.raw}` holds no answers: read as the text of question "
                f"{q.number}")
            cols = cols[1:]
        if len(cols) == 1 and cols[0][1].kind == "question":
            out = self._single(q, *cols[0])
            return out + self._extras(q, out, list(q.extras), title=cols[0][1].text)
        labels, title = _item_labels(cols, title)
        others = [(pos, h) for (pos, h), label in zip(cols, labels, strict=True)
                  if is_other_label(label) and _free_text(self.norm[pos])]
        keep = [i for i, c in enumerate(cols) if c not in others]
        options, labels = [cols[i] for i in keep], [labels[i] for i in keep]
        extras = others + list(q.extras)
        if len(options) == 1 and options[0][1].kind == "question":
            out = self._single(q, *options[0])
            return out + self._extras(q, out, extras, title=options[0][1].text)
        kind = self.kinds.get(q.name)
        if kind == "multiple" or (kind is None and _binary([self.norm[p] for p, _ in options])):
            out = self._indicators(q, options, labels, title)
        else:
            out = self._matrix(q, options, labels, title)
        return out + self._extras(q, out, extras, title=title)

    def _extras(self, q: Question, out: list[_Out], extras: list[tuple[int, Header]], *,
                title: str | None) -> list[_Out]:
        """Fill-in text columns written beside the question (``其他_____``)."""
        result = []
        for pos, h in extras:
            target = next((o for o in out if o.entry.get("kind") == "multiple" and
                           str(o.entry.get("option", "")).startswith(("其他", "其它"))), None)
            name = self._unique(f"{target.name if target else q.name}_other")
            self._place(pos, h, [name])
            option = target.entry["option"] if target else _clean_option(h.text or "其他")
            label = f"{title}：{option}（填写内容）" if title else f"{option}（填写内容）"
            result.append(_Out(name, self._text(pos), self._entry(
                q, h.raw, "other_text", label, option=option,
                missing_codes=self.codes.get(pos) or None)))
        return result

    def _text(self, pos: int) -> pd.Series:
        cells = self.norm[pos].astype(object).tolist()
        return pd.Series([None if is_missing(v) else str(v) for v in cells], dtype="str")

    # one column
    def _single(self, q: Question, pos: int, h: Header) -> list[_Out]:
        s = self.norm[pos]
        label = h.text or q.name
        kind = self.kinds.get(q.name)
        codes = self.codes.get(pos) or None
        nature = _nature(s)
        if nature == "text" and (kind == "multiple" or (kind is None and self._joined(s))):
            return self._joined_multiple(q, pos, h)
        if kind == "multiple":
            hit = self.x.first_cell(pos, lambda v: not is_number_skip(v))
            err = self.x.error(
                f"`kinds` says {q.name} is a multiple-choice question, but its cells hold one "
                "number each, not options joined in one cell",
                f"Leave {q.name} out of `kinds`, or read the answer-text export.",
                row=hit[0] if hit else None, column=h.raw, value=hit[1] if hit else None)
            raise err
        if nature == "number":
            name = self._unique(q.name)
            self._place(pos, h, [name])
            return [self._coded(q, name, h, s, label, codes, self.labels.get(q.name))]
        if nature == "empty" or kind == "text" or (kind is None and not _choice_like(s)):
            name = self._unique(q.name)
            self._place(pos, h, [name])
            return [_Out(name, self._text(pos),
                         self._entry(q, h.raw, "text", label, missing_codes=codes))]
        return self._single_choice(q, pos, h, label, codes)

    def _joined(self, s: pd.Series) -> bool:
        values = [str(v) for v in pd.unique(s.dropna())]
        if any("┋" in v for v in values):
            return True
        seps = [j for j in _JOINERS[str(self.x.platform)] if j != "┋"]
        if not any(sep in v for v in values for sep in seps):
            return False
        pieces = [split_fill(p)[0] for v in values for p in _split(v, seps)]
        distinct = set(pieces)
        return (len(distinct) <= 30 and len(distinct) < len(pieces)
                and all(len(p) <= 20 for p in distinct)
                and not any(ch in _SENTENCE for p in distinct for ch in p))

    def _single_choice(self, q: Question, pos: int, h: Header, label: str,
                       codes: dict | None) -> list[_Out]:
        split = _per_value(self.norm[pos], lambda v: split_fill(str(v)), missing=(None, None))
        bases = [b for b, _ in split]
        fills = [f for _, f in split]
        example = next((b for b, f in split if f is not None), None)
        name = self._unique(q.name)
        s = pd.Series(bases, dtype=object)
        if all(b is None or _is_int_text(b) for b in bases):
            coded = pd.Series(pd.array([None if b is None else int(b) for b in bases],
                                       dtype="Int64"))
            out = [self._coded(q, name, h, coded, label, codes, self.labels.get(q.name))]
        else:
            out = [self._categorical(q, name, h, s, label, codes, self.labels.get(q.name),
                                     pos=pos)]
        n_fills = sum(f is not None for f in fills)
        if example is not None:
            other = self._unique(f"{q.name}_other")
            self.x.record.coerce(
                column=name, what=f"text filled in beside the option (〖…〗) moved to `{other}`",
                before=f"{example}〖…〗", after=example, count=n_fills)
            out.append(_Out(other, pd.Series(fills, dtype="str"), self._entry(
                q, h.raw, "other_text", f"{label}：{example}（填写内容）", option=example)))
        self._place(pos, h, [name])
        return out

    def _categorical(self, q: Question, name: str, h: Header, s: pd.Series, label: str,
                     codes: dict | None, given: Mapping | None, *, pos: int,
                     shared: tuple[list[str], bool] | None = None, kind: str = "single",
                     **more: Any) -> _Out:
        """Option texts as a Categorical, ordered for a rating scale."""
        seen = [str(v) for v in pd.unique(s.dropna())]
        value_labels = None
        if given:
            order = sorted(given, key=_sort_key)
            categories = [str(given[c]) for c in order]
            value_labels = {_sort_code(c): str(given[c]) for c in order}
            ordered = likert_order(categories) is not None
            unknown = [v for v in seen if v not in categories]
            if unknown:
                self._unlabelled(name, s, unknown, categories)
                categories = categories + unknown
        elif shared is not None:
            categories, ordered = shared
            value_labels = {i + 1: c for i, c in enumerate(categories)} if ordered else None
        else:
            self._check_mixed(q, h, s, seen)
            scale = likert_order(seen)
            if scale is not None:
                categories, ordered = scale, True
                value_labels = {i + 1: c for i, c in enumerate(categories)}
                self.x.record.notes.append(
                    f"{name}: options {' < '.join(categories)} read as an ordered scale; codes "
                    "are their ranks among the options in the file")
            else:
                categories, ordered = seen, False
                self._note_off_scale(name, seen)
        self.text_choice.append(name)
        if ordered or kind == "matrix":
            self.text_scale.append((pos, name))
        values = pd.Categorical(s.astype(object).where(s.notna(), None), categories=categories,
                                ordered=ordered)
        entry = self._entry(q, h.raw, kind, label, value_labels=value_labels,
                            missing_codes=codes, **more)
        return _Out(name, values, entry)

    def _check_mixed(self, q: Question, h: Header, s: pd.Series, seen: list[str]) -> None:
        """Option numbers among the texts of a rating scale: the file mixes the two modes."""
        numbers = [v for v in seen if _is_int_text(v)]
        words = [v for v in seen if not _is_int_text(v)]
        if not numbers or likert_order(words) is None:
            return
        i = int(np.flatnonzero(s.astype(object).isin(numbers).to_numpy())[0])
        err = self.x.error(
            f"{q.name} holds option texts ({', '.join(words[:3])} …) and option numbers "
            f"({', '.join(numbers[:3])}): the file mixes an answer-text export with an "
            "answer-number export",
            "Download all answers again in one mode (按选项文本 or 按选项序号) instead of "
            "pasting exports together.",
            row=int(self.x.rows[i]), column=h.raw, value=s.iloc[i])
        raise err

    def _note_off_scale(self, name: str, seen: list[str]) -> None:
        off = [v for v in seen if v in answers.NON_SUBSTANTIVE]
        scale = likert_order([v for v in seen if v not in answers.NON_SUBSTANTIVE])
        if off and scale is not None:
            shown = ", ".join(repr(v) for v in off)
            self.x.record.notes.append(
                f"{name}: {shown} is not on the scale {' < '.join(scale)}; declare it with "
                f"`missing_codes=[{shown}]` to read {name} as an ordered scale")

    def _unlabelled(self, name: str, s: pd.Series, unknown: list, known: list) -> None:
        idx = np.flatnonzero(s.astype(object).isin(unknown).to_numpy())
        self.x.record.add_problems(pd.DataFrame({
            "row": self.x.rows[idx], "column": name, "value": s.iloc[idx].tolist(),
            "check": "unlabelled_value", "severity": "error",
            "problem": (f"Not one of the options given in `value_labels` "
                        f"({', '.join(map(str, known))})."),
            "fix": f"Add the option to `value_labels` for {name}, or correct the export.",
            "problem_zh": "不在 `value_labels` 给出的选项中。",
            "fix_zh": f"在 `value_labels` 中为 {name} 补充该选项，或改正导出文件。",
        }))

    def _coded(self, q: Question, name: str, h: Header, s: pd.Series, label: str,
               codes: dict | None, given: Mapping | None, *, kind: str | None = None,
               **more: Any) -> _Out:
        """Option numbers or numeric answers; a Categorical when `given` labels them all."""
        if not given:
            return _Out(name, s.array, self._entry(q, h.raw, kind or "number", label,
                                                    missing_codes=codes, **more))
        labels = {_sort_code(c): str(v) for c, v in given.items()}
        values = s.dropna().tolist()
        whole = all(float(v).is_integer() for v in values)
        unknown = sorted({int(v) if float(v).is_integer() else v for v in values} - set(labels))
        if unknown or not whole:
            self._unlabelled(name, s, unknown, list(labels))
            return _Out(name, s.array, self._entry(q, h.raw, kind or "single", label,
                                                    value_labels=labels, missing_codes=codes,
                                                    **more))
        order = sorted(labels, key=_sort_key)
        categories = [labels[c] for c in order]
        index = {float(c): i for i, c in enumerate(order)}
        arr = s.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        positions = np.array([-1 if np.isnan(v) else index[v] for v in arr], dtype=np.int64)
        ordered = likert_order(categories) is not None
        if values:
            first = int(values[0])
            self.x.record.coerce(column=name, what="option numbers → option texts "
                                 "(`value_labels`)", before=first, after=labels[first],
                                 count=len(values))
        return _Out(name, pd.Categorical.from_codes(positions, categories=categories,
                                                    ordered=ordered),
                    self._entry(q, h.raw, kind or "single", label,
                                value_labels={c: labels[c] for c in order}, missing_codes=codes,
                                **more))

    # multiple choice joined in one cell
    def _joined_multiple(self, q: Question, pos: int, h: Header) -> list[_Out]:
        s = self.norm[pos]
        seps = _JOINERS[str(self.x.platform)]
        codes_of_cells, distinct = pd.factorize(s.astype(object), use_na_sentinel=True)
        parsed = {str(v): [split_fill(p) for p in _split(str(v), seps)] for v in distinct}
        options = option_order([[o for o, _ in parts] for parts in parsed.values()])
        title = h.text or q.name
        codes = self.codes.get(pos) or None
        present = codes_of_cells >= 0
        out: list[_Out] = []
        names: list[str] = []
        for k, option in enumerate(options, start=1):
            parts = [parsed[str(v)] for v in distinct]
            chosen = np.array([any(o == option for o, _ in p) for p in parts] + [False])
            flags = pd.array(np.where(chosen[codes_of_cells], 1, 0), dtype="Int64")
            flags[~present] = pd.NA
            name = self._unique(f"{q.name}_{k}")
            names.append(name)
            out.append(_Out(name, flags, self._entry(
                q, h.raw, "multiple", f"{title}：{option}", option=option,
                question_text=h.text, missing_codes=codes)))
            texts = [next((f for o, f in p if o == option and f), None) for p in parts]
            fills = [texts[c] if c >= 0 else None for c in codes_of_cells]
            if any(f is not None for f in texts):
                other = self._unique(f"{name}_other")
                out.append(_Out(other, pd.Series(fills, dtype="str"), self._entry(
                    q, h.raw, "other_text", f"{title}：{option}（填写内容）", option=option)))
                self.x.record.coerce(
                    column=name, what=f"text filled in beside the option (〖…〗) moved to "
                                      f"`{other}`",
                    before=f"{option}〖…〗", after=1, count=sum(f is not None for f in fills))
        if parsed:
            example = next((v for v in parsed if len(parsed[v]) > 1), next(iter(parsed)))
            before = seps[0].join(f"{o}〖…〗" if f else o for o, f in parsed[example])
            after = ", ".join(f"{names[options.index(o)]}=1" for o, _ in parsed[example])
            self.x.record.coerce(
                column=names[0], what=f"options joined in one cell → one 0/1 column per option "
                                      f"({names[0]} … {names[-1]})",
                before=before, after=after, count=int(present.sum()))
        self.text_choice.append(q.name)
        self.text_scale.append((pos, q.name))
        self._place(pos, h, names, mapped=q.name)
        return out

    # multiple choice over 0/1 columns
    def _indicators(self, q: Question, options: list[tuple[int, Header]], labels: list[str],
                    title: str | None) -> list[_Out]:
        out: list[_Out] = []
        for k, ((pos, h), item_label) in enumerate(zip(options, labels, strict=True), start=1):
            option = _clean_option(item_label)
            name = self._unique(f"{q.name}_{h.item or k}")
            label = f"{title}：{option}" if title else option
            entry = self._entry(q, h.raw, "multiple", label, option=option,
                                question_text=title, missing_codes=self.codes.get(pos) or None)
            flagged = _per_value(self.norm[pos], _flag, missing=(None, None))
            flags, fills = [f for f, _ in flagged], [t for _, t in flagged]
            for (flag, _fill), v in zip(flagged, self.norm[pos].tolist(), strict=True):
                if flag is False:
                    err = self.x.error(
                        f"{q.name} is read as multiple choice, but the option column `{h.raw}` "
                        "holds a value other than 0 or 1",
                        f"Leave {q.name} out of `kinds` if it is not a multiple-choice "
                        "question, or correct the export.",
                        row=self._row_of(pos, v), column=h.raw, value=v)
                    raise err
            out.append(_Out(name, pd.array(flags, dtype="Int64"), entry))
            n_fills = sum(f is not None for f in fills)
            if n_fills:
                other = self._unique(f"{name}_other")
                self.x.record.coerce(column=name, what=f"text filled in beside the option "
                                     f"(〖…〗) moved to `{other}`", before="1〖…〗", after=1,
                                     count=n_fills)
                out.append(_Out(other, pd.Series(fills, dtype="str"), self._entry(
                    q, h.raw, "other_text", f"{label}（填写内容）", option=option)))
            self._place(pos, h, [name])
        return out

    def _row_of(self, pos: int, value: object) -> int | None:
        hit = self.x.first_cell(pos, lambda v: str(v) == str(value))
        return hit[0] if hit else None

    # matrix
    def _matrix(self, q: Question, options: list[tuple[int, Header]], labels: list[str],
                title: str | None) -> list[_Out]:
        series = [self.norm[p] for p, _ in options]
        natures = [_nature(s) for s in series]
        words = list(dict.fromkeys(str(v) for s, n in zip(series, natures, strict=True)
                                   if n == "text" for v in pd.unique(s.dropna())))
        shared = None
        if words:
            scale = likert_order(words)
            letters = [w for w in words if not _is_int_text(w)]
            if scale is None and ("number" in natures or len(letters) < len(words)) \
                    and likert_order(letters) is not None:
                i = natures.index("number") if "number" in natures else next(
                    i for i, s in enumerate(series)
                    if s.astype(object).map(lambda v: _is_int_text(str(v))).any())
                hit = self.x.first_cell(options[i][0], lambda v: _is_int_text(str(v)))
                err = self.x.error(
                    f"Matrix question {q.name} holds option texts in some cells and option "
                    "numbers in others: the file mixes an answer-text export with an "
                    "answer-number export",
                    "Download all answers again in one mode (按选项文本 or 按选项序号).",
                    row=hit[0] if hit else None, column=options[i][1].raw,
                    value=hit[1] if hit else None)
                raise err
            shared = (scale, True) if scale is not None else (words, False)
            if scale is not None:
                self.x.record.notes.append(
                    f"{q.name}: its rows share the scale {' < '.join(scale)}; codes are their "
                    "ranks among the options in the file")
        points = sorted({int(v) for s, n in zip(series, natures, strict=True) if n == "number"
                         for v in s.dropna().tolist() if float(v).is_integer()})
        out: list[_Out] = []
        for k, ((pos, h), s, nature, item) in enumerate(
                zip(options, series, natures, labels, strict=True), start=1):
            name = self._unique(f"{q.name}_{h.item or k}")
            self._place(pos, h, [name])
            label = f"{title}：{item}" if title else item
            given = self.labels.get(name) or self.labels.get(q.name)
            codes = self.codes.get(pos) or None
            more = {"item": item, "question_text": title}
            if nature == "text" or (nature == "empty" and shared is not None):
                assert shared is not None
                out.append(self._categorical(
                    q, name, h, s.astype(object), label, codes, given, pos=pos, shared=shared,
                    kind="matrix", scale=list(shared[0]) if not given else None, **more))
            else:
                out.append(self._coded(q, name, h, s, label, codes, given, kind="matrix",
                                       scale=points or None, **more))
        return out

    # -- mode ----------------------------------------------------------------
    def _finish_mode(self) -> None:
        """Refuse option texts in an answer-number export; decide an undecided mode."""
        x = self.x
        if x.mode == "number" and self.text_scale:
            pos, name = self.text_scale[0]
            hit = x.first_cell(pos, lambda v: not is_number_skip(v))
            why = ("`mode=\"number\"` was given" if not x.mode_detected
                   else "the file is an answer-number export (skip codes -3/-2)")
            err = x.error(
                f"{why}, but `{x.headers[pos]}` ({name}) holds option texts: the file mixes "
                "the two modes",
                "Download all answers again in one mode, or pass the right `mode`.",
                row=hit[0] if hit else None, column=x.headers[pos],
                value=hit[1] if hit else None)
            raise err
        if x.mode is None:
            x.mode = "text" if self.text_choice else "number"
            why = (f"answers given as option texts (first: {self.text_choice[0]})"
                   if self.text_choice else "answers given as numbers")
            x.record.notes.insert(1, f"mode: {MODES[x.mode]}, detected from {why}")

    # -- personal data in written answers --------------------------------------
    def _personal(self, outs: list[_Out]) -> None:
        """Written answers holding names, phone or ID-card numbers are marked personal."""
        from toolkit.io.personal import find_personal

        texts = [o for o in outs if o.entry.get("kind") in ("text", "other_text", "number")]
        if not texts:
            return
        by_header: dict[str, _Out] = {}
        for o in texts:
            header = _personal_header(str(o.entry.get("label") or o.name))
            while header in by_header:
                header += "_"
            by_header[header] = o
        frame = pd.DataFrame({h: pd.Series(o.data, dtype=object)
                              for h, o in by_header.items()})
        for found in find_personal(frame).to_dict("records"):
            o = by_header[found["column"]]
            o.entry["personal"] = found["kind"]
            self.x.record.notes.append(
                f"{o.name}: holds personal data ({found['kind']}; {found['reason']}); marked "
                "personal in the codebook")


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _per_value(s: pd.Series, func: Any, *, missing: Any) -> list[Any]:
    """``func`` of every cell, computed once per distinct value; `missing` for NA cells."""
    codes, distinct = pd.factorize(s.astype(object), use_na_sentinel=True)
    results = [func(v) for v in distinct]
    return [results[c] if c >= 0 else missing for c in codes]


def _blank(raw: pd.Series) -> bool:
    return all(is_missing(v) or (isinstance(v, str) and not v.strip()) for v in raw.tolist())


def _nature(s: pd.Series) -> str:
    """``"empty"``, ``"number"`` or ``"text"``."""
    if not s.notna().any():
        return "empty"
    return "number" if pd.api.types.is_numeric_dtype(s.dtype) else "text"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number_text(v: object) -> str:
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _numbers(values: list[Any]) -> pd.Series:
    """Whole numbers as ``Int64``, others as ``float64``."""
    arr = np.array([np.nan if v is None else v for v in values], dtype="float64")
    finite = arr[~np.isnan(arr)]
    if finite.size and np.all(finite == np.round(finite)):
        return pd.Series(pd.array([None if np.isnan(v) else int(v) for v in arr],
                                  dtype="Int64"))
    return pd.Series(arr)


def _is_int_text(text: str) -> bool:
    text = text.strip()
    return bool(text) and (text.isdigit() or (text[0] == "-" and text[1:].isdigit()))


def _sort_code(code: object) -> object:
    if isinstance(code, str) and _is_int_text(code):
        return int(code)
    if isinstance(code, float) and code.is_integer():
        return int(code)
    return code


def _sort_key(code: object) -> tuple[int, Any]:
    code = _sort_code(code)
    return (0, code) if isinstance(code, int | float) else (1, str(code))


def _split(value: str, seps: tuple[str, ...] | list[str]) -> list[str]:
    parts = [value]
    for sep in seps:
        parts = [p for part in parts for p in part.split(sep)]
    return [p.strip() for p in parts if p.strip()]


def _choice_like(s: pd.Series) -> bool:
    """Whether written answers look like chosen options rather than free text.

    Options are short, without sentence punctuation, and repeat: at most 30
    distinct answers of at most 20 characters, each answer given on average
    twice (or, in a small file, at least one repeated). An answer with fill-in
    text (``其他〖…〗``) or a rating scale always counts as options.
    """
    values = s.dropna().astype(str)
    n = len(values)
    if not n:
        return False
    if values.str.contains("〖", regex=False).any():
        return True
    distinct = list(pd.unique(values))
    if len(distinct) > 30:
        return False
    bases = [split_fill(v)[0] for v in distinct]
    if likert_order(bases) is not None:
        return True
    if max(len(b) for b in bases) > 20:
        return False
    if any(ch in _SENTENCE for b in bases for ch in b):
        return False
    return len(distinct) * 2 <= n or (n < 20 and len(distinct) < n)


def _free_text(s: pd.Series) -> bool:
    """A column of an option group holding written text, not 0/1 flags."""
    if _nature(s) != "text":
        return _nature(s) == "empty"
    return not all(_flag(v)[0] is not False for v in s.dropna().tolist())


def _flag(value: object) -> tuple[int | bool | None, str | None]:
    """(0/1, fill-in text) of an option cell; (None, None) when missing; False when not 0/1."""
    if is_missing(value):
        return None, None
    text = _number_text(value).strip()
    base, fill = split_fill(text)
    if fill is not None and base.strip() in ("", "1"):
        return 1, fill
    if text in ("0", "1"):
        return int(text), None
    return False, None


def _binary(series: list[pd.Series]) -> bool:
    """0/1 columns with at least one 0: the options of a multiple-choice question."""
    zero = False
    for s in series:
        for v in pd.unique(s.dropna()):
            flag, _ = _flag(v)
            if flag is False:
                return False
            zero = zero or flag == 0
    return zero


def _clean_option(label: str) -> str:
    text = split_fill(label)[0] if "〖" in label else label
    for mark in ("（请注明）", "(请注明)", "（请填写）", "(请填写)", "（请说明）", "(请说明)"):
        text = text.replace(mark, "")
    return text.strip(" _＿:：") or label


def _item_labels(cols: list[tuple[int, Header]],
                 title: str | None) -> tuple[list[str], str | None]:
    """Option/row labels of a group of columns, and the question text where it shows.

    Items (``7(居民议事会)``, ``5.1 社区议事会``) carry their label; question
    headers repeated with the option after the question text
    (``7.您参加过哪些活动？:居民议事会`` or ``…(居民议事会)``) give it after
    the text they share.
    """
    import re

    hs = [h for _, h in cols]
    if all(h.kind == "item" for h in hs):
        return [h.text or f"第{i + 1}项" for i, h in enumerate(hs)], title
    texts = [h.text or "" for h in hs]
    paren = [re.match(r"^(.*?)\s*[(（]([^()（）]+)[)）]$", t) for t in texts]
    if all(paren) and len({m.group(1) for m in paren if m}) == 1:
        return [m.group(2) for m in paren if m], paren[0].group(1) or title  # type: ignore[union-attr]
    prefix = _common_prefix(texts)
    labels = [(t[len(prefix):].strip(" :：-—_、") or t or f"第{i + 1}项")
              for i, t in enumerate(texts)]
    return labels, (prefix.strip(" :：-—_") or title)


def _common_prefix(texts: list[str]) -> str:
    if len(texts) < 2:
        return ""
    first, last = min(texts), max(texts)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _personal_header(label: str) -> str:
    """A header `find_personal` can judge: the question's words without 您的/请填写."""
    for lead in ("请填写您的", "请输入您的", "请留下您的", "请填写", "请输入", "您的"):
        if label.startswith(lead):
            label = label[len(lead):]
            break
    return label.strip(" ：:？?") or label
