"""Disclosure control: no hidden value of a published table can be recovered.

The attacker here is independent of the suppression code: it reads only what a
published table shows (its cells, the labels ``<5`` and ``—``, its n's and
percentages — ``Table.numbers`` holds the shown values unrounded, which only
helps the attacker — and, where the table does not print them, the margins a
report may state elsewhere) and solves the interval problem of every hidden
cell as an integer program (``scipy.optimize.milp``, HiGHS): the smallest and
largest value the cell can take. A hidden count must keep at least three
possible values (the default protection, 2, capped at what its label leaves);
a hidden mean or weighted percentage of a small cell must not be determined.
This is the audit τ-ARGUS and R ``sdcTable::attack()`` run on a suppressed
table, here with integrality, so it is at least as strong as theirs.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import LinearConstraint, milp

import toolkit as tk
from toolkit.report.disclosure import SuppressionRule

# the tables here are built from made-up columns (`y`, `budget`) that have no label: the
# warning listing them is expected and not what these tests are about
pytestmark = pytest.mark.filterwarnings(
    "ignore:In the .*without a label:toolkit.errors.ToolkitWarning")

K = 5
PROTECTION = 2
HIDDEN = {"<5", "—"}


# ---------------------------------------------------------------------------
# the attacker
# ---------------------------------------------------------------------------


class Attack:
    """Unknowns with bounds and linear equations; min and max of each unknown."""

    def __init__(self) -> None:
        self.bounds: dict = {}
        self.integer: dict = {}
        self.rows: list[tuple[dict, float]] = []

    def unknown(self, key, lo=0.0, hi=math.inf, *, integer=True) -> None:
        self.bounds[key] = (lo, hi)
        self.integer[key] = integer

    def label(self, key, text: str) -> None:
        """What a cell's text tells: ``<5`` is 1–4, ``—`` at least 5 (zeros are shown)."""
        self.unknown(key, *((1.0, K - 1.0) if text == "<5" else (float(K), math.inf)))

    def equation(self, terms: dict, rhs: float = 0.0) -> None:
        """sum(coef * x) = rhs, with known values already numbers in `terms`."""
        known = sum(c * v for v, c in terms.items() if not isinstance(v, Key))
        unknown = {v.key: c for v, c in terms.items() if isinstance(v, Key)}
        if unknown:
            self.rows.append((unknown, rhs - known))

    def interval(self, key) -> tuple[float, float]:
        names = list(self.bounds)
        pos = {n: i for i, n in enumerate(names)}
        a = np.zeros((len(self.rows), len(names)))
        b = np.zeros(len(self.rows))
        for r, (terms, rhs) in enumerate(self.rows):
            for n, c in terms.items():
                a[r, pos[n]] += c
            b[r] = rhs
        cons = [LinearConstraint(a, b - 1e-6, b + 1e-6)] if len(self.rows) else []
        lo = np.array([self.bounds[n][0] for n in names])
        hi = np.array([self.bounds[n][1] for n in names])
        integrality = np.array([1 if self.integer[n] else 0 for n in names])
        out = []
        from scipy.optimize import Bounds

        for sign in (1.0, -1.0):
            c = np.zeros(len(names))
            c[pos[key]] = sign
            res = milp(c, constraints=cons, integrality=integrality, bounds=Bounds(lo, hi))
            if res.status == 3 or (res.status != 0 and "unbounded" in str(res.message).lower()):
                out.append(-sign * math.inf)
                continue
            assert res.status == 0, res.message  # the true values are always feasible
            out.append(float(res.x[pos[key]]))
        return out[0], out[1]


class Key:
    """An unknown in an equation (a hidden cell)."""

    def __init__(self, key) -> None:
        self.key = key

    def __hash__(self) -> int:
        return hash(("key", self.key))

    def __eq__(self, other) -> bool:
        return isinstance(other, Key) and other.key == self.key


def _terms(*pairs) -> dict:
    """Equation terms from (value-or-Key, coefficient) pairs, adding repeated values."""
    out: dict = {}
    for i, (v, c) in enumerate(pairs):
        if not isinstance(v, Key):
            v = _Const(v, i)
        out[v] = out.get(v, 0.0) + c
    return out


class _Const(float):
    """A known number as a dict key that does not merge with equal numbers."""

    def __new__(cls, value, tag):
        obj = super().__new__(cls, value)
        obj.tag = tag
        return obj

    def __hash__(self) -> int:
        return hash(("const", self.tag))

    def __eq__(self, other) -> bool:
        return isinstance(other, _Const) and other.tag == self.tag


def _secret(table) -> set:
    """Unprinted totals the table's notes declare must stay unpublished."""
    audit = table.audit()
    secret = audit[~audit["printed"].astype(bool) & (audit["status"] == "secondary")]
    if len(secret):
        assert "不宜在他处公布" in table.note_text()
        for name in secret["label"]:
            assert name in table.note_text()
    return set(secret["cell"])


class Published:
    """What a table publishes: its cells as text, the numbers shown, the totals kept secret.

    ``secret`` is the set of unprinted totals the notes say must stay unpublished,
    or "all" (nothing but the table itself is known).
    """

    def __init__(self, out, numbers, secret) -> None:
        self.out, self.numbers, self.secret = out, numbers, secret

    @classmethod
    def of(cls, table):
        return cls(table.to_frame(), table.numbers, _secret(table))

    def is_secret(self, tag) -> bool:
        return self.secret == "all" or tag in self.secret


def _hide_all(text: str, n: float) -> str:
    """The text of a cell in the table with every non-zero count hidden."""
    if n == 0:
        return text
    return "<5" if n < K else "—"


def _assert_protected(attack: Attack, counts: list, sums: list = (), baseline=None) -> int:
    """Every hidden count keeps >= 3 possible values (fewer only if its label allows fewer).

    Where even hiding every cell of the table would leave fewer (the labels pin
    the cell: three ``<5`` levels of a group of ``<5``), `baseline` — the attack
    on that fully hidden table — says how wide the interval can be.
    """
    for key, text in counts:
        lo, hi = attack.interval(key)
        need = min(PROTECTION, K - 2) if text == "<5" else PROTECTION
        if hi - lo < need - 1e-6 and baseline is not None:
            blo, bhi = baseline.interval(key)
            need = min(need, bhi - blo)
        assert hi - lo >= need - 1e-6, f"hidden cell {key} ({text}) lies in [{lo}, {hi}]"
    for key in sums:
        lo, hi = attack.interval(key)
        if hi - lo <= 1e-6 and baseline is not None:
            blo, bhi = baseline.interval(key)
            if bhi - blo <= 1e-6:
                continue
        assert hi - lo > 1e-6, f"hidden mean {key} is determined ({lo})"
    return len(counts) + len(sums)


# ---------------------------------------------------------------------------
# random tables
# ---------------------------------------------------------------------------


def _small_or_large(rng, shape):
    """Counts where small ones are common: zeros, 1–4, around the threshold, larger."""
    pick = rng.choice(4, size=shape, p=[0.15, 0.35, 0.2, 0.3])
    return np.select([pick == 0, pick == 1, pick == 2],
                     [0, rng.integers(1, 5, shape), rng.integers(5, 9, shape)],
                     rng.integers(9, 40, shape))


def _microdata(rng, counts, rows, cols, weighted):
    frames = []
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            frames.append(pd.DataFrame({"town": [r] * int(counts[i, j]),
                                        "platform": [c] * int(counts[i, j])}))
    df = pd.concat(frames, ignore_index=True)
    df["w"] = rng.uniform(0.5, 3.0, len(df)) if weighted else 1.0
    return df


def _crosstab_case(seed):
    rng = np.random.default_rng(seed)
    nr, nc = rng.integers(2, 5), rng.integers(2, 5)
    rows = ["东街道", "西镇", "南镇", "北镇"][:nr]
    cols = ["微信群", "居民议事会", "项目听证会", "民情恳谈会"][:nc]
    counts = _small_or_large(rng, (nr, nc))
    counts[counts.sum(1) == 0, 0] = 7  # every row and column has someone
    counts[0, counts.sum(0) == 0] = 6
    weighted = bool(rng.random() < 0.4)
    percent = ["row", "col", "total", None][rng.integers(4)]
    df = _microdata(rng, counts, rows, cols, weighted)
    design = tk.stats.Design(df, weights="w") if weighted else tk.stats.Design(df)
    return design.crosstab("town", "platform"), percent, weighted


def _attack_crosstab(table, percent, weighted):
    text = table.to_frame().iloc[:, 1:].to_numpy()
    nums = table.numbers
    nr, nc = text.shape
    n = nums["n"].to_numpy(dtype=float).reshape(nr, nc)
    pct = nums["percent"].to_numpy(dtype=float).reshape(nr, nc)
    attack, hidden = Attack(), []
    cell = np.empty((nr, nc), dtype=object)
    for i in range(nr):
        for j in range(nc):
            if text[i, j] in HIDDEN:
                assert np.isnan(n[i, j])  # hidden numbers are not kept in .numbers
                assert np.isnan(pct[i, j])
                attack.label((i, j), text[i, j])
                cell[i, j] = Key((i, j))
                hidden.append(((i, j), text[i, j]))
            else:
                assert int(text[i, j].split(" ")[0].replace(",", "")) == n[i, j]
                cell[i, j] = n[i, j]
    for i in range(nr):  # every row and column adds up to its margin
        attack.equation(_terms((cell[i, -1], 1.0), *((cell[i, j], -1.0) for j in range(nc - 1))))
    for j in range(nc):
        attack.equation(_terms((cell[-1, j], 1.0), *((cell[i, j], -1.0) for i in range(nr - 1))))
    if percent is not None and not weighted:  # a count and its percentage give the base
        for i in range(nr):
            for j in range(nc):
                if not isinstance(cell[i, j], Key) and n[i, j] > 0:
                    base = {"row": (i, nc - 1), "col": (nr - 1, j), "total": (nr - 1, nc - 1)}
                    bi, bj = base[percent]
                    if (bi, bj) != (i, j):
                        attack.equation(_terms((cell[bi, bj], pct[i, j]), (n[i, j], -100.0)))
    return attack, hidden


def _attack_crosstab_shares(table, percent):
    """Weighted percentages of the hidden small cells: each line adds up to 100."""
    text = table.to_frame().iloc[:, 1:].to_numpy()
    nr, nc = text.shape
    pct = table.numbers["percent"].to_numpy(dtype=float).reshape(nr, nc)
    attack, hidden = Attack(), []
    share = np.empty((nr, nc), dtype=object)
    for i in range(nr):
        for j in range(nc):
            if text[i, j] in HIDDEN:
                attack.unknown(("s", i, j), 0.0, 100.0, integer=False)
                share[i, j] = Key(("s", i, j))
                if text[i, j] == "<5":
                    hidden.append(("s", i, j))
            else:
                share[i, j] = pct[i, j]
    lines = ([[(i, j) for j in range(nc - 1)] for i in range(nr)] if percent == "row" else
             [[(i, j) for i in range(nr - 1)] for j in range(nc)])
    for line in lines:
        attack.equation(_terms(*((share[x], 1.0) for x in line)), 100.0)
        nonzero = [x for x in line if text[x] in HIDDEN or pct[x] > 0]
        if len(nonzero) == 1:  # the one non-empty cell of its line holds 100%: no news
            hidden = [h for h in hidden if h[1:] != nonzero[0]]
    return attack, hidden


@pytest.mark.parametrize("seed", range(60))
def test_crosstab_hides_nothing_recoverable(seed):
    tab, percent, weighted = _crosstab_case(seed)
    table = tk.report.crosstab_table(tab, percent=percent, test=False)
    attack, hidden = _attack_crosstab(table, percent, weighted)
    _assert_protected(attack, hidden)
    if weighted and percent in ("row", "col"):
        shares, small = _attack_crosstab_shares(table, percent)
        _assert_protected(shares, [], small)
    assert bool(table.audit()["protected"].all())


def _describe_case(seed):
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(8, 60))
    df = pd.DataFrame({
        "gender": rng.choice(["男", "女", None], n, p=[0.6, 0.35, 0.05]),
        "age_band": rng.choice(["18-34", "35-59", "60+"], n, p=[0.2, 0.7, 0.1]),
        "party_member": rng.random(n) < 0.15,
        "age": np.where(rng.random(n) < 0.1, np.nan, rng.normal(45, 12, n).round()),
        "town": rng.choice(["东街道", "西镇", "南镇"], n, p=[0.6, 0.3, 0.1]),
        "w": rng.uniform(0.5, 2.5, n),
    })
    vars_ = ["gender", "age_band", "party_member", "age"]
    grouped = bool(rng.random() < 0.6)
    with_total = grouped and bool(rng.random() < 0.5)
    include_missing = bool(rng.random() < 0.7)
    design = tk.stats.Design(df, weights="w") if rng.random() < 0.3 else None
    kw = {"vars": vars_, "design": design, "include_missing": include_missing}
    res = tk.stats.describe(df, by="town" if grouped else None, **kw)
    total = tk.stats.describe(df, **kw) if with_total else None
    return df, res, total, grouped, include_missing, design is not None


_HEAD = re.compile(r"（n(=([\d,]+|—)|<5)）$")


def _describe_hidden_all(table, res_open):
    """The describe table with every non-zero count, n and mean hidden."""
    out = res_open.to_frame().copy()
    nums = res_open.numbers.copy()
    heads = []
    for head in out.columns[1:]:
        m = _HEAD.search(head)
        n = float(m.group(2).replace(",", ""))
        heads.append(head[:m.start()] + ("（n<5）" if 0 < n < K else "（n=—）" if n else
                                         head[m.start():]))
    out.columns = [out.columns[0], *heads]
    ncol = len(heads)
    for r in range(len(nums)):
        row = nums.iloc[r]
        g = r % ncol
        i = _line_of(out, nums, r)
        if pd.notna(row["percent"]) or row["variable"] != "age":
            text = _hide_all(out.iloc[i, g + 1], row["n"])
        else:
            text = "<5" if 0 < row["n"] < K else "—" if row["n"] else out.iloc[i, g + 1]
        out.iloc[i, g + 1] = text
        if text in HIDDEN:
            nums.iloc[r, nums.columns.get_indexer(["n", "percent", "mean", "sd"])] = np.nan
    return Published(out, nums, "all")


def _line_of(out, nums, r):
    """The line of the text table that shows row `r` of ``.numbers``."""
    row = nums.iloc[r]
    label = tk.schema.column_label(row["variable"], "zh")
    start = out.index[out.iloc[:, 0].str.startswith(label)][0]
    if row["variable"] == "age":
        return start
    part = nums[nums["variable"] == row["variable"]]
    levels = list(dict.fromkeys(part["level"].tolist()))
    return start + 1 + levels.index(row["level"])


def _attack_describe(df, table, grouped, with_total, include_missing, weighted):
    """Reads a describe table; unprinted totals of the grouped table are known unless small."""
    out = table.out
    heads = list(out.columns[1:])
    ncol = len(heads)
    towns = range(ncol - 1 if with_total else ncol) if grouped else []
    attack, hidden, sums = Attack(), [], []
    size = []
    for g, head in enumerate(heads):
        m = _HEAD.search(head)
        shown = m.group(2)
        if shown is None or shown == "—":
            t = "<5" if shown is None else "—"
            attack.label(("N", g), t)
            size.append(Key(("N", g)))
            hidden.append((("N", g), t))
        else:
            size.append(float(shown.replace(",", "")))
    cols = list(range(ncol))
    if grouped and not with_total:  # the ungrouped table, which may be published too
        if len(df) >= K and not table.is_secret(("n", ncol)):
            size.append(float(len(df)))
        else:
            attack.unknown(("N", "T"))
            size.append(Key(("N", "T")))
        cols.append(ncol)
    nums = table.numbers
    for b, var in enumerate(["gender", "age_band", "party_member"]):
        part = nums[nums["variable"] == var]
        levels = list(dict.fromkeys(part["level"].tolist()))
        cell = {}
        for lv_i, level in enumerate(levels):
            for g in range(ncol):
                row = part.iloc[lv_i * ncol + g]
                label = out.iloc[_row_of(out, var, lv_i), g + 1]
                if label in HIDDEN:
                    attack.label((var, lv_i, g), label)
                    cell[lv_i, g] = Key((var, lv_i, g))
                    hidden.append(((var, lv_i, g), label))
                else:
                    cell[lv_i, g] = float(row["n"])
                    if not weighted and row["n"] > 0:  # the percentage gives the base
                        base = [(size[g], row["percent"])]
                        if not include_missing:
                            base.append((Key((var, "missing", g)), -row["percent"]))
                        attack.equation(_terms(*base, (row["n"], -100.0)))
            if grouped and not with_total:
                value = float((df[var].astype(object) == level).sum()) if level is not None \
                    else float(df[var].isna().sum())
                if 0 < value < K or table.is_secret(("count", b, lv_i, ncol)):
                    attack.unknown((var, lv_i, "T"))
                    cell[lv_i, ncol] = Key((var, lv_i, "T"))
                else:
                    cell[lv_i, ncol] = value
        for g in cols:
            parts = [(cell[lv, g], -1.0) for lv in range(len(levels))]
            if not include_missing:
                attack.unknown((var, "missing", g))
                parts.append((Key((var, "missing", g)), -1.0))
            attack.equation(_terms((size[g], 1.0), *parts))
        if grouped:
            top = cols[-1]
            for lv in range(len(levels)):
                attack.equation(_terms((cell[lv, top], 1.0),
                                       *((cell[lv, g], -1.0) for g in range(len(towns)))))
            if not include_missing:
                attack.equation(_terms((Key((var, "missing", top)), 1.0),
                                       *((Key((var, "missing", g)), -1.0)
                                         for g in range(len(towns)))))
    if grouped:
        top = cols[-1]
        attack.equation(_terms((size[top], 1.0), *((size[g], -1.0) for g in range(len(towns)))))
    # means: n * mean adds up over the groups (n taken as known: the attacker's best case)
    part = nums[nums["variable"] == "age"]
    line = out.iloc[-1, 1:].tolist()
    total_sum = float(df["age"].sum())
    s = []
    for g in range(ncol):
        if line[g] in HIDDEN:
            attack.unknown(("S", g), -math.inf, math.inf, integer=False)
            s.append(Key(("S", g)))
            if line[g] == "<5":
                sums.append(("S", g))
        else:
            row = part.iloc[g]
            s.append(0.0 if pd.isna(row["mean"]) else float(row["mean"] * row["n"]))
    if grouped and not weighted:
        if with_total:
            s.append(s[-1])
        elif table.is_secret(("mean", 0, ncol)):
            attack.unknown(("S", "T"), -math.inf, math.inf, integer=False)
            s.append(Key(("S", "T")))
        else:
            s.append(total_sum)
        top = len(s) - 1 if not with_total else ncol - 1
        attack.equation(_terms((s[top], 1.0), *((s[g], -1.0) for g in range(len(towns)))))
    return attack, hidden, sums


def _row_of(out, var, lv_i):
    label = tk.schema.column_label(var, "zh")
    start = out.index[out.iloc[:, 0] == label][0]
    return start + 1 + lv_i


@pytest.mark.parametrize("seed", range(40))
def test_describe_hides_nothing_recoverable(seed):
    df, res, total, grouped, include_missing, weighted = _describe_case(seed)
    table = tk.report.describe_table(res, total=total)
    args = (grouped, total is not None, include_missing, weighted)
    attack, hidden, sums = _attack_describe(df, Published.of(table), *args)
    everything = _describe_hidden_all(table, tk.report.describe_table(res, total=total,
                                                                      suppress=False))
    baseline, _, _ = _attack_describe(df, everything, *args)
    _assert_protected(attack, hidden, sums, baseline)
    assert bool(table.audit()["protected"].all())


def _frame_case(seed):
    rng = np.random.default_rng(2000 + seed)
    two = bool(rng.random() < 0.5)
    towns = ["东街道", "西镇", "南镇", "北镇"][:rng.integers(2, 5)]
    kinds = ["居民", "党员", "政协委员"][:rng.integers(2, 4)] if two else [None]
    rows = []
    for town in towns:
        for kind in kinds:
            n = int(_small_or_large(rng, 1)[0])
            if n == 0 and rng.random() < 0.5:
                continue  # absent combinations, as groupby().size() leaves them out
            rows.append({"town": town, **({"type": kind} if two else {}), "人次": float(n)})
    frame = pd.DataFrame(rows)
    if frame["人次"].sum() == 0:
        frame.loc[0, "人次"] = 9.0
    printed_total = bool(rng.random() < 0.4)
    if printed_total:
        total = {"town": "合计", **({"type": "合计"} if two else {}),
                 "人次": frame["人次"].sum()}
        frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    return frame, two, printed_total


def _attack_frame(frame, table, two, printed_total):
    """Knows every margin over town / type (a report may state them), unless small."""
    text = table.to_frame().iloc[:, -1].tolist()
    attack, hidden, cells = Attack(), [], {}
    keys = ["town", "type"] if two else ["town"]
    inner = frame[frame["town"] != "合计"]
    for r, row in frame.iterrows():
        value = text[r]
        coord = tuple(row[k] for k in keys)
        if value in HIDDEN:
            attack.label(("c", r), value)
            cells[coord] = Key(("c", r))
            hidden.append((("c", r), value))
        else:
            cells[coord] = float(value.replace(",", ""))
    secret = _secret(table)
    margins = [(), *([(0,), (1,)] if two else [])]
    for keep in margins:
        groups = inner.groupby([keys[i] for i in keep]) if keep else [((), inner)]
        for name, part in groups:
            name = name if isinstance(name, tuple) else (name,)
            coord = tuple(name[keep.index(i)] if i in keep else "合计" for i in range(len(keys)))
            parts = [cells[tuple(row[k] for k in keys)] for _, row in part.iterrows()]
            if len(parts) < 2 and coord not in cells:
                continue
            if coord in cells:
                total = cells[coord]
            else:
                value = float(part["人次"].sum())
                tag = ("人次", "margin", tuple(None if x == "合计" else x for x in coord))
                if 0 < value < K or tag in secret:
                    attack.unknown(("m", coord))
                    total = Key(("m", coord))
                else:
                    total = value
            attack.equation(_terms((total, 1.0), *((p, -1.0) for p in parts)))
    return attack, hidden


@pytest.mark.parametrize("seed", range(40))
def test_from_frame_hides_nothing_recoverable(seed):
    frame, two, printed_total = _frame_case(seed)
    table = tk.report.Table.from_frame(frame)
    attack, hidden = _attack_frame(frame, table, two, printed_total)
    _assert_protected(attack, hidden)
    assert bool(table.audit()["protected"].all())


# ---------------------------------------------------------------------------
# the leaks the audit was built to close
# ---------------------------------------------------------------------------


def test_describe_no_longer_gives_a_small_count_away_as_n_minus_the_rest():
    # before: 女 <5 beside 男 6 and n = 9, so 女 = 9 - 6 = 3
    df = pd.DataFrame({"gender": ["男"] * 6 + ["女"] * 3, "age": range(30, 39)})
    table = tk.report.describe_table(tk.stats.describe(df, vars=["gender", "age"],
                                                       include_missing=True))
    cells = dict(zip(table.to_frame()["变量"], table.to_frame().iloc[:, 1], strict=True))
    assert cells["  女"] == "<5"
    assert cells["  男"] == "—"
    assert table.to_frame().columns[1] == "全部（n=9）"
    attack, hidden = Attack(), [("f", "<5"), ("m", "—")]
    attack.label("f", "<5")
    attack.label("m", "—")
    attack.equation(_terms((Key("f"), 1.0), (Key("m"), 1.0)), 9.0)
    assert attack.interval("f") == (1.0, 4.0)
    _assert_protected(attack, hidden)
    assert "经区间审计" in table.note_text()


def test_describe_hides_a_small_group_mean_that_the_total_would_give_away():
    # 南镇 has 3 people: its mean is hidden; with the other towns and the total shown it
    # would follow from n * mean adding up, so one more mean is hidden
    df = pd.DataFrame({"town": ["东街道"] * 20 + ["南镇"] * 3 + ["西镇"] * 15,
                       "age": np.arange(38) + 20.0})
    res = tk.stats.describe(df, vars=["age"], by="town")
    table = tk.report.describe_table(res, total=tk.stats.describe(df, vars=["age"]))
    means = table.to_frame().iloc[0, 1:].tolist()
    assert means[1] == "<5"
    assert means.count("—") >= 1
    assert np.isnan(table.numbers.set_index("group").loc["南镇", "mean"])
    attack = Attack()
    sums = []
    for g, (text, (_, row)) in enumerate(zip(means, table.numbers.iterrows(), strict=True)):
        if text in HIDDEN:
            attack.unknown(g, -math.inf, math.inf, integer=False)
            sums.append(Key(g))
        else:
            sums.append(row["mean"] * row["n"])
    attack.equation(_terms((sums[-1], 1.0), *((s, -1.0) for s in sums[:-1])))
    _assert_protected(attack, [], [g for g, t in enumerate(means) if t == "<5"])
    assert "不足5人的均值" in table.note_text()


def test_crosstab_secondary_suppression_counts_what_a_dash_says():
    # the old rule (no row or column with a single hidden cell) published
    # 居民议事会 8 | <5 and 微信群 7 | 5 as "— <5 / — —" with the margins: a "—" is at
    # least 5, so the <5 was exactly 1 (6 - 5)
    s = pd.DataFrame({"platform": ["微信群"] * 12 + ["居民议事会"] * 9,
                      "consensus": [True] * 7 + [False] * 5 + [True] * 8 + [False]})
    table = tk.report.crosstab_table(tk.stats.Design(s).crosstab("platform", "consensus"),
                                     test=False)
    attack, hidden = _attack_crosstab(table, "row", weighted=False)
    _assert_protected(attack, hidden)
    assert table.to_frame().iloc[0, 2] == "<5"


def test_from_frame_suppresses_float_counts_attendance_columns_and_size_output():
    people = pd.DataFrame({"platform": ["微信群"] * 30 + ["居民议事会"] * 3 + ["项目听证会"] * 12})
    size = people.groupby("platform", sort=False).size()
    for data in (size, size.reset_index(), people.groupby("platform", as_index=False,
                                                          sort=False).size()):
        shown = tk.report.Table.from_frame(data).to_frame().iloc[:, -1].tolist()
        assert shown == ["30", "<5", "—"], data
    counts = size.rename("人次").astype(float).reset_index()  # floats holding counts
    assert tk.report.Table.from_frame(counts).to_frame().iloc[:, -1].tolist() == \
        ["30", "<5", "—"]
    joined = size.rename("参与人数").reset_index().assign(
        percent=lambda d: 100 * d["参与人数"] / d["参与人数"].sum())
    table = tk.report.Table.from_frame(joined, digits=1)
    assert table.to_frame().iloc[1].tolist() == ["居民议事会", "<5", "—"]  # its % too
    assert pd.isna(table.numbers.loc[1, "percent"])
    assert tk.report.Table.from_frame(joined, suppress=False).to_frame().iloc[1, 1] == "3"


def test_from_frame_names_the_unprinted_totals_it_relies_on():
    frame = pd.DataFrame({"town": ["东街道", "东街道", "西镇", "西镇"],
                          "type": ["居民", "党员", "居民", "党员"],
                          "人次": [1.0, 2.0, 32.0, 22.0]})
    frame = pd.concat([frame, pd.DataFrame([{"town": "合计", "type": "合计", "人次": 57.0}])],
                      ignore_index=True)
    table = tk.report.Table.from_frame(frame)
    attack, hidden = _attack_frame(frame, table, two=True, printed_total=True)
    _assert_protected(attack, hidden)
    secret = table.audit().query("not printed and status == 'secondary'")
    for name in secret["label"]:
        assert name in table.note_text()


def test_rule_parameters():
    people = pd.DataFrame({"platform": ["微信群"] * 30 + ["居民议事会"] * 7 + ["项目听证会"] * 12})
    size = people.groupby("platform", sort=False).size()
    k10 = tk.report.Table.from_frame(size, suppress=SuppressionRule(k=10))
    assert k10.to_frame().iloc[:, -1].tolist() == ["30", "<10", "—"]
    assert "少于10的频数" in k10.note_text()
    zeros = pd.DataFrame({"platform": ["微信群", "居民议事会", "项目听证会"], "n": [30, 0, 12]})
    assert tk.report.Table.from_frame(zeros).to_frame().iloc[1, 1] == "0"
    hidden = tk.report.Table.from_frame(zeros, suppress=SuppressionRule(zeros="hide"))
    assert hidden.to_frame().iloc[:, 1].tolist() == ["30", "<5", "—"]
    assert "（含0）" in hidden.note_text()
    with pytest.raises(tk.errors.ArgumentError, match="`k`"):
        SuppressionRule(k=1)
    with pytest.raises(tk.errors.ArgumentError, match="`suppress`"):
        tk.report.Table.from_frame(zeros, suppress="yes")
    rows = pd.DataFrame({"scale": ["满意度", "信任"], "respondents": [1200, 3]})
    alone = tk.report.Table.from_frame(rows, by=[])  # rows are not parts of one whole
    assert alone.to_frame().iloc[:, 1].tolist() == ["1,200", "<5"]


def test_dominance_rule_on_magnitudes_with_their_contributions():
    micro = pd.DataFrame({"town": ["东街道"] * 8 + ["西镇"] * 6 + ["南镇"] * 7,
                          "budget": [2.0] * 8 + [100.0, 1, 1, 1, 1, 1] + [3.0] * 7})
    frame = micro.groupby("town", sort=False)["budget"].sum().reset_index()
    plain = tk.report.Table.from_frame(frame, contributions=micro)
    assert "—" not in plain.to_frame().to_string()
    rule = SuppressionRule(dominance=(1, 85))  # one contributor over 85% of its cell
    table = tk.report.Table.from_frame(frame, contributions=micro, suppress=rule)
    shown = table.to_frame().iloc[:, 1].tolist()
    assert shown[1] == "—"  # 西镇: 100 of 105
    assert shown.count("—") == 2  # and one more, or the total would give it away
    assert "少数贡献者主导" in table.note_text()
    audit = table.audit()
    assert bool(audit["protected"].all())
    hidden = audit[audit["status"] == "primary"].iloc[0]
    assert hidden["low"] <= 0.9 * 105  # the default protection: +-10% of the value
    assert hidden["high"] >= 1.1 * 105


# ---------------------------------------------------------------------------
# personal columns in published tables
# ---------------------------------------------------------------------------


@pytest.fixture
def named():
    rng = np.random.default_rng(7)
    return pd.DataFrame({"name": rng.choice(["张伟", "李娜", "王芳"], 60),
                         "phone": rng.choice(["13800138000", "13900139000"], 60),
                         "y": rng.normal(size=60), "age": rng.normal(45, 10, 60)})


def test_regression_table_refuses_levels_of_personal_columns(named):
    fit = tk.stats.regress("y ~ name + age", named)
    with pytest.raises(tk.errors.ArgumentError, match=r"`name`.*personal data.*allow_personal"):
        tk.report.regression_table(fit)
    with pytest.raises(ValueError, match="`备用`"):  # phone numbers, found by their form
        tk.report.regression_table(tk.stats.regress("y ~ C(备用)", named.rename(
            columns={"phone": "备用"})))
    frame = fit.to_frame()  # a coefficient frame: judged by its term levels
    with pytest.raises(ValueError, match="`name`"):
        tk.report.regression_table(frame)
    shown = tk.report.regression_table(fit, allow_personal=True).to_frame()
    assert "名称：李娜" in shown["变量"].tolist()
    plain = tk.report.regression_table(tk.stats.regress("y ~ age", named)).to_frame()
    assert "年龄（岁）" in plain["变量"].tolist()  # the label with its unit


@pytest.mark.parametrize("header", ["负责人", "户主", "联系人", "填报人"])
def test_regression_table_refuses_names_under_other_headers(named, header):
    data = named.rename(columns={"name": header})
    with pytest.raises(tk.errors.ArgumentError, match=f"`{header}` in `results`.*personal"):
        tk.report.regression_table(tk.stats.regress(f"y ~ C({header}) + age", data))
    shown = tk.report.regression_table(tk.stats.regress(f"y ~ C({header}) + age", data),
                                       allow_personal=True).to_frame()
    assert any("李娜" in str(v) for v in shown.iloc[:, 0])


def test_every_table_builder_refuses_personal_values_unless_allowed(named):
    res = tk.stats.describe(named, vars=["phone"])
    with pytest.raises(ValueError, match="`phone`"):
        tk.report.describe_table(res)
    shown = tk.report.describe_table(res, allow_personal=True, suppress=False).to_frame()
    assert "  13800138000" in shown.iloc[:, 0].tolist()
    tab = tk.stats.Design(named).crosstab("phone", "name")
    with pytest.raises(ValueError, match="personal data"):
        tk.report.crosstab_table(tab)
    assert "13900139000" in tk.report.crosstab_table(tab, allow_personal=True).to_frame() \
        .iloc[:, 0].tolist()
    dropped = tk.report.Table.from_frame(named.head(3))
    assert "phone" not in dropped.to_frame().columns
    assert "已删除含个人信息的列" in dropped.note_text()
    kept = tk.report.Table.from_frame(named.head(3)[["phone", "age"]], allow_personal=True)
    assert "13800138000" in kept.to_frame().to_string() or \
        "13900139000" in kept.to_frame().to_string()
