"""Statistical disclosure control of published tables: suppression that cannot be undone.

Every table ``tk.report`` publishes (``describe_table``, ``crosstab_table``,
``Table.from_frame`` and the tables of the demo report) passes through this
module, the one owner of the rule:

1. **Primary suppression.** A count of people from 1 to ``k - 1`` (default
   ``k = 5``) is shown as ``<5``, with its percentage. Zero counts are shown
   by default (``zeros="show"``): a zero says that nobody has a combination,
   not who; ``zeros="hide"`` suppresses them too. A mean or SD of fewer than
   ``k`` people is hidden with it. For magnitude tables built with their
   contributions (``Table.from_frame(..., contributions=...)``) a cell with
   fewer than ``k`` contributors, or failing the optional ``(n, k)``
   dominance rule (its ``n`` largest contributions make up more than ``k``
   per cent of it), is hidden.
2. **Secondary suppression**, shown as ``—``: further cells are hidden until
   the table is *audited safe*. The audit solves the interval problem of
   every hidden cell, as τ-ARGUS and R ``sdcTable::attack()`` do: the
   smallest and largest value the cell can take given everything the table
   publishes — the cells shown, every total, row sum and margin, the
   percentages (in an unweighted table a percentage and a count give away
   their base), and what the labels themselves say (``<5`` is 1–4, ``—`` is
   at least ``k``, since zeros and small counts are never hidden as ``—``) —
   by linear programming (HiGHS, through ``highspy``).

A hidden count is protected when its interval is at least ``protection``
wide (default 2: at least three values remain possible; capped at the width
its label leaves, 3 for ``<5``); this is the *sliding* protection level of
cell-suppression theory (Fischetti & Salazar-González 2000), sdcTable's
``attack()`` calls a cell protected when the width exceeds 0. Where the labels
alone pin a cell closer (three ``<5`` levels of a group of ``<5``: the group has 3
or 4), the interval must be as wide as hiding every other cell would leave. A hidden
weighted percentage or mean must not be exactly derivable; a hidden
magnitude's interval must contain ``[x(1 - q), x(1 + q)]`` (``q =
magnitude_protection``, default 10%, τ-ARGUS's usual interval protection).

Margins that a table does not print are treated as known when they are not
small (a report usually states its totals in the text): the cells of a
grouped table must not be recoverable from the ungrouped one. If the audit
needs such a margin kept secret, the table says so in its notes.

Examples
--------
>>> from toolkit.report.disclosure import SuppressionRule
>>> rule = SuppressionRule()
>>> rule.k, rule.protection, rule.zeros
(5, 2, 'show')
>>> [rule.small(n) for n in (0, 1, 4, 5)]
[False, True, True, False]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from toolkit.errors import ArgumentError, DisclosureError
from toolkit.io.personal import personal_values
from toolkit.report._format import SMALL_CELL, Lang, personal_columns, w

__all__ = ["DisclosureError", "SuppressionRule", "as_rule", "refuse_found", "refuse_personal",
           "refuse_personal_values", "suppression_notes"]

#: Status of a cell: published, hidden by the rule, hidden to protect others,
#: unknown to the reader without a protection requirement of its own.
SHOWN, PRIMARY, SECONDARY, LATENT = 0, 1, 2, 3

_TOL = 1e-7

#: Columns of an audit (``Table.audit()``).
AUDIT_COLUMNS = ["cell", "label", "kind", "status", "printed", "low", "high", "protected"]


@dataclass(frozen=True)
class SuppressionRule:
    """The disclosure rule of published tables.

    Parameters
    ----------
    k : int, default 5
        Threshold: counts of people from 1 to ``k - 1`` are suppressed (shown
        as ``<k``), and means or SDs of fewer than ``k`` people.
    protection : int, default 2
        Width that the feasible interval of a hidden count must have (at least
        ``protection + 1`` integer values stay possible, given everything the
        table publishes); capped at the width its label leaves (``k - 2`` for
        ``<k`` when zeros are shown).
    zeros : {"show", "hide"}, default "show"
        Whether zero counts are published. With ``"hide"`` they are suppressed
        like small counts (``<k`` then means 0 to ``k - 1``).
    dominance : tuple (n, k), optional
        The (n, k) dominance rule of magnitude tables: a cell whose ``n``
        largest contributions exceed ``k`` per cent of its total is hidden.
        Used where the contributions are given
        (``Table.from_frame(..., contributions=...)``).
    magnitude_protection : float, default 0.10
        Protection of hidden magnitude cells: their interval must contain
        ``[x(1 - q), x(1 + q)]``.

    Examples
    --------
    >>> SuppressionRule(k=10).small(7)
    True
    >>> SuppressionRule(zeros="hide").small(0)
    True
    >>> SuppressionRule(dominance=(1, 85)).dominated([90, 5, 5])
    True
    """

    k: int = SMALL_CELL
    protection: int = 2
    zeros: Literal["show", "hide"] = "show"
    dominance: tuple[int, float] | None = None
    magnitude_protection: float = 0.10

    def __post_init__(self) -> None:
        if not isinstance(self.k, int | np.integer) or self.k < 2:
            msg = f"`k` must be an integer of at least 2, not {self.k!r}."
            raise ArgumentError(msg)
        if not isinstance(self.protection, int | np.integer) or self.protection < 1:
            msg = (f"`protection` must be a positive integer (the width of a hidden cell's "
                   f"feasible interval), not {self.protection!r}.")
            raise ArgumentError(msg)
        if self.zeros not in ("show", "hide"):
            msg = f'`zeros` must be "show" or "hide", not {self.zeros!r}.'
            raise ArgumentError(msg)
        if self.dominance is not None:
            n, share = self.dominance
            if int(n) < 1 or not 0 < float(share) < 100:
                msg = (f"`dominance` must be (n, k) with n >= 1 and 0 < k < 100 (per cent), "
                       f"not {self.dominance!r}.")
                raise ArgumentError(msg)
        if not 0 <= self.magnitude_protection < 1:
            msg = (f"`magnitude_protection` must be a share in [0, 1), not "
                   f"{self.magnitude_protection!r}.")
            raise ArgumentError(msg)

    @property
    def smallest_hidden(self) -> int:
        """Smallest value a ``<k`` cell can hold: 1, or 0 when zeros are hidden."""
        return 0 if self.zeros == "hide" else 1

    def small(self, n: Any) -> bool:
        """Whether count `n` is suppressed by the threshold rule."""
        if n is None or pd.isna(n):
            return False
        return self.smallest_hidden <= float(n) < self.k

    def dominated(self, contributions: Iterable[float]) -> bool:
        """Whether a magnitude cell fails the threshold or the (n, k) dominance rule."""
        values = np.sort(np.abs(np.asarray(
            [v for v in contributions if v is not None and not pd.isna(v)], dtype=float)))[::-1]
        if 0 < len(values) < self.k:
            return True
        if self.dominance is None or not len(values) or values.sum() == 0:
            return False
        n, share = self.dominance
        return bool(values[:int(n)].sum() > float(share) / 100 * values.sum())


def as_rule(suppress: bool | SuppressionRule | None, /) -> SuppressionRule | None:  # noqa: FBT001
    """The rule of a ``suppress=`` argument: True → the default rule, False/None → none."""
    if isinstance(suppress, SuppressionRule):
        return suppress
    if suppress is None or suppress is False:
        return None
    if suppress is True:
        return SuppressionRule()
    msg = (f"`suppress` must be True, False or a `tk.report.SuppressionRule`, not "
           f"{type(suppress).__name__}.")
    raise ArgumentError(msg)


# ---------------------------------------------------------------------------
# linear programs (HiGHS)
# ---------------------------------------------------------------------------

_HIGHS: list[Any] = []


def _highs() -> Any:
    """The process's HiGHS solver, made once (its banner, printed by C code, suppressed)."""
    if not _HIGHS:
        import os
        import sys

        import highspy

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        h.setOptionValue("output_flag", False)  # noqa: FBT003
        _HIGHS.append(h)
    return _HIGHS[0]


class _Program:
    """Equations ``a x = b`` with bounds, loaded once; min or max of any objective."""

    def __init__(self, a: np.ndarray, b: np.ndarray, bounds: list[tuple[float, float]]) -> None:
        import highspy

        self.h = h = _highs()
        h.clearModel()
        inf = highspy.kHighsInf
        n = a.shape[1]
        self.n = n
        self.cols = np.arange(n, dtype=np.int32)
        self.lo = np.array([-inf if math.isinf(lo) else lo for lo, _ in bounds])
        self.hi = np.array([inf if math.isinf(hi) else hi for _, hi in bounds])
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, a.shape[0]
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_, lp.col_upper_ = self.lo, self.hi
        lp.row_lower_, lp.row_upper_ = b, b
        cols, rows = np.nonzero(a.T)  # column-wise: entries of column 0, then 1 ...
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.searchsorted(cols, np.arange(n + 1)).astype(np.int32)
        lp.a_matrix_.index_ = rows.astype(np.int32)
        lp.a_matrix_.value_ = a.T[cols, rows]
        h.passModel(lp)
        self.status = highspy.HighsModelStatus

    def solve(self, obj: np.ndarray, box: tuple[np.ndarray, np.ndarray] | None = None,
              ) -> tuple[str, np.ndarray | None]:
        """Minimise ``obj @ x``: ("optimal", x), ("unbounded", None) or ("failed", None)."""
        h = self.h
        h.changeColsCost(self.n, self.cols, np.asarray(obj, dtype=float))
        if box is not None:
            h.changeColsBounds(self.n, self.cols, box[0], box[1])
        h.run()
        status = h.getModelStatus()
        x = np.array(h.getSolution().col_value) if status == self.status.kOptimal else None
        if box is not None:
            h.changeColsBounds(self.n, self.cols, self.lo, self.hi)
        if x is not None:
            return "optimal", x
        if status in (self.status.kUnbounded, self.status.kUnboundedOrInfeasible):
            return "unbounded", None
        return "failed", None


# ---------------------------------------------------------------------------
# the problem: cells, their sums and ratios, and the reader's knowledge
# ---------------------------------------------------------------------------


@dataclass
class _Cell:
    value: float
    kind: str            # "count", "share", "sum" or "magnitude"
    status: int
    printed: bool
    rank: int            # preference as a secondary suppression (lower first)
    hideable: bool
    tag: Any
    nonneg: bool = True
    label: str | None = None  # how the notes name an unprinted cell


class Problem:
    """The linear structure of one published table and its suppression pattern.

    Cells are counts (integers; labels ``<k`` / ``—`` tell the reader a range),
    shares (weighted percentages, 0–100), sums (of means: free) or magnitudes.
    ``total(t, parts)`` says ``t = sum(parts)``; ``ratio(carrier, ...)`` adds a
    linear equation the reader learns while `carrier` is shown (a percentage
    beside its count gives away the base); ``tie(a, b)`` hides cells together.
    """

    #: Up to this many hidden cells not yet shown protected, a candidate suppression is
    #: judged by auditing the whole table; beyond, by a cheaper estimate.
    LOOKAHEAD_CELLS = 40

    def __init__(self, rule: SuppressionRule) -> None:
        self.rule = rule
        self.cells: list[_Cell] = []
        self.sums: list[tuple[list[int], list[float], float]] = []
        self.ratios: list[tuple[int, list[int], list[float], float]] = []
        self._tie: list[int] = []
        self._groups: list[list[int]] | None = None
        self.added: list[int] = []  # secondary suppressions, in the order chosen
        self._baselines: dict[int, tuple[float, float]] = {}
        self._full: tuple | None = None  # the state with every hideable cell hidden

    # -- building -----------------------------------------------------------

    def add(self, value: float, kind: str = "count", *, printed: bool = True, rank: int = 0,
            tag: Any = None, status: int | None = None, hideable: bool | None = None,
            nonneg: bool = True, label: str | None = None) -> int:
        """Add a cell; counts get their primary status from the rule."""
        value = float(value)
        if status is None:
            if kind == "count":
                status = PRIMARY if self.rule.small(value) else SHOWN
            else:
                status = SHOWN
        if hideable is None:
            hideable = not (kind == "count" and value == 0 and self.rule.zeros == "show")
        self.cells.append(_Cell(value, kind, status, printed, rank, hideable, tag, nonneg,
                                label))
        self._tie.append(len(self.cells) - 1)
        return len(self.cells) - 1

    def total(self, total: int, parts: Sequence[int], *, remainder_rank: int = 3) -> None:
        """``total = sum(parts)``; a remainder cell takes any difference (unprinted)."""
        parts = list(parts)
        gap = self.cells[total].value - sum(self.cells[p].value for p in parts)
        if abs(gap) > 1e-6 * max(1.0, abs(self.cells[total].value)):
            kind = self.cells[total].kind
            status = (PRIMARY if kind == "count" and self.rule.small(gap) else LATENT)
            parts.append(self.add(gap, kind, printed=False, rank=remainder_rank, status=status,
                                  nonneg=self.cells[total].nonneg and gap >= 0,
                                  tag=("remainder", self.cells[total].tag)))
        self.sums.append(([int(total), *map(int, parts)], [1.0] + [-1.0] * len(parts), 0.0))

    def ratio(self, carrier: int, idx: Sequence[int], coef: Sequence[float],
              rhs: float = 0.0) -> None:
        """``sum(coef * x[idx]) = rhs``, known to the reader while `carrier` is shown."""
        self.ratios.append((int(carrier), [int(i) for i in idx], [float(c) for c in coef],
                            float(rhs)))

    def fixed(self, idx: Sequence[int], coef: Sequence[float], rhs: float) -> None:
        """A linear equation the reader always knows (e.g. shares of a row add to 100)."""
        self.sums.append(([int(i) for i in idx], [float(c) for c in coef], float(rhs)))

    def tie(self, *cells: int) -> None:
        """Hide these cells together (a count with its percentage or its row's statistics)."""
        roots = {self._root(c) for c in cells}
        first = min(roots)
        for r in roots:
            self._tie[r] = first
        self._groups = None

    def _root(self, c: int) -> int:
        while self._tie[c] != c:
            self._tie[c] = self._tie[self._tie[c]]
            c = self._tie[c]
        return c

    def group(self, c: int) -> list[int]:
        """The cells hidden together with `c` (itself included)."""
        if self._groups is None or len(self._groups) != len(self.cells):
            members: dict[int, list[int]] = {}
            for i in range(len(self.cells)):
                members.setdefault(self._root(i), []).append(i)
            self._groups = [members[self._root(i)] for i in range(len(self.cells))]
        return self._groups[c]

    # -- what the reader knows ----------------------------------------------

    def hidden(self, c: int) -> bool:
        return self.cells[c].status != SHOWN

    def bounds(self, c: int) -> tuple[float, float]:
        """What the published table says about hidden cell `c` by itself."""
        cell, rule = self.cells[c], self.rule
        if cell.kind == "count":
            if cell.printed and cell.status == PRIMARY:
                return float(rule.smallest_hidden), float(rule.k - 1)
            if cell.printed and cell.status == SECONDARY:
                return float(rule.k), math.inf
            return 0.0, math.inf
        if cell.kind == "share":
            return 0.0, 100.0
        if cell.kind == "magnitude" and cell.nonneg:
            return 0.0, math.inf
        return -math.inf, math.inf

    def _magnitude_span(self, c: int) -> tuple[float, float]:
        """The interval a hidden magnitude's feasible interval must cover."""
        x, q = self.cells[c].value, self.rule.magnitude_protection
        lo, _ = self.bounds(c)
        return max(lo, x - q * abs(x)), x + q * abs(x)

    def _protected(self, c: int, lo: float, hi: float) -> bool:
        """Whether hidden cell `c`'s interval [lo, hi] meets the rule.

        A requirement that no suppression could meet — the labels themselves
        pin the cell down, e.g. three ``<5`` levels of a group of ``<5`` say the
        group has 3 or 4 — asks only for the interval that hiding every other
        cell would leave.
        """
        if self._meets(c, lo, hi):
            return True
        cell = self.cells[c]
        if cell.status in (SHOWN, LATENT):
            return True
        blo, bhi = self._baseline(c)
        if cell.kind == "count":
            if any(map(math.isinf, (lo, hi, blo, bhi))):
                return hi - lo >= bhi - blo
            return (math.floor(hi + _TOL) - math.ceil(lo - _TOL)
                    >= math.floor(bhi + _TOL) - math.ceil(blo - _TOL))
        scale = _TOL * max(1.0, abs(cell.value))
        return lo <= blo + scale and hi >= bhi - scale

    def _required(self, c: int) -> bool:
        """Whether hidden cell `c` has a protection requirement of its own."""
        cell = self.cells[c]
        return cell.status == PRIMARY or (cell.status == SECONDARY and cell.kind != "share")

    def _meets(self, c: int, lo: float, hi: float) -> bool:
        cell = self.cells[c]
        if cell.status in (SHOWN, LATENT):
            return True
        if cell.kind == "count":
            blo, bhi = self.bounds(c)
            need = min(float(self.rule.protection), bhi - blo)
            if math.isinf(lo) or math.isinf(hi):
                return hi - lo >= need
            ilo, ihi = math.ceil(lo - _TOL), math.floor(hi + _TOL)
            return ihi - ilo >= need - _TOL
        if cell.kind == "magnitude":
            rlo, rhi = self._magnitude_span(c)
            scale = max(1.0, abs(cell.value))
            return lo <= rlo + _TOL * scale and hi >= rhi - _TOL * scale and hi - lo > 0
        if cell.kind == "share" and cell.status != PRIMARY:
            return True  # the weighted share of a cell of k or more people may be derived
        scale = max(1.0, abs(cell.value))
        return hi - lo > 1e-6 * scale

    def _baseline(self, c: int) -> tuple[float, float]:
        """Interval of `c` if every cell that may be hidden were hidden (cached).

        That state does not depend on the current pattern, so its equations
        and components are worked out once.
        """
        if c in self._baselines:
            return self._baselines[c]
        saved = [cell.status for cell in self.cells]
        if self._full is None:
            full = [SECONDARY if cell.status == SHOWN and self._can_hide(i) else cell.status
                    for i, cell in enumerate(self.cells)]
        else:
            full = self._full[0]
        for cell, status in zip(self.cells, full, strict=True):
            cell.status = status
        try:
            if self._full is None:
                eqs, fixed = self._determined(self._equations())
                where = {}
                for cells, eq_ids in self._components(eqs, skip=fixed):
                    part = (cells, [eqs[e] for e in eq_ids])
                    for i in cells:
                        where[i] = part
                self._full = (full, fixed, where)
            _, fixed, where = self._full
            x = self.cells[c].value
            if c in fixed or c not in where:
                found = (x, x) if c in fixed else self.bounds(c)
            else:
                cells, eqs = where[c]
                found = self._solve(cells, eqs, exact=True, only=c)[c]
        finally:
            for cell, status in zip(self.cells, saved, strict=True):
                cell.status = status
        self._baselines[c] = found
        return found

    # -- the interval problem -------------------------------------------------

    def _equations(self) -> list[tuple[list[int], list[float], float]]:
        """Equations over hidden cells, published cells moved to the right-hand side."""
        eqs = list(self.sums)
        eqs += [(idx, coef, rhs) for carrier, idx, coef, rhs in self.ratios
                if self.cells[carrier].status == SHOWN]
        cells = self.cells
        out = []
        for idx, coef, rhs in eqs:
            keep_i, keep_c = [], []
            for i, cf in zip(idx, coef, strict=True):
                if cells[i].status != SHOWN:
                    if cf:
                        keep_i.append(i)
                        keep_c.append(cf)
                else:
                    rhs -= cf * cells[i].value
            if keep_i:
                out.append((keep_i, keep_c, rhs))
        return out

    def _determined(self, eqs: list) -> tuple[list, set[int]]:
        """Hidden cells an equation pins as its only unknown (repeatedly), and what is left.

        Such a cell is determined (its true value); the equations are returned
        with the determined cells moved to the right-hand side.
        """
        fixed: set[int] = set()
        changed = True
        while changed:
            changed = False
            for idx, _, _ in eqs:
                left = [i for i in idx if i not in fixed]
                if len(left) == 1:
                    fixed.add(left[0])
                    changed = True
        if not fixed:
            return eqs, fixed
        out = []
        for idx, coef, rhs in eqs:
            keep_i, keep_c = [], []
            for i, cf in zip(idx, coef, strict=True):
                if i in fixed:
                    rhs -= cf * self.cells[i].value
                else:
                    keep_i.append(i)
                    keep_c.append(cf)
            if keep_i:
                out.append((keep_i, keep_c, rhs))
        return out, fixed

    def _components(self, eqs: list, skip: set[int] | frozenset = frozenset(),
                    ) -> list[tuple[list[int], list[int]]]:
        """Hidden cells joined by equations: (cells, equation indices) per component."""
        parent = {i: i for i in range(len(self.cells)) if self.hidden(i) and i not in skip}

        def find(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        for idx, _, _ in eqs:
            first = find(int(idx[0]))
            for j in idx[1:]:
                r = find(int(j))
                if r != first:
                    parent[r] = first
        comps: dict[int, tuple[list[int], list[int]]] = {}
        for i in parent:
            comps.setdefault(find(i), ([], []))[0].append(i)
        for e, (idx, _, _) in enumerate(eqs):
            comps[find(int(idx[0]))][1].append(e)
        return list(comps.values())

    def intervals(self, *, exact: bool = True, cache: dict | None = None,
                  known: set[int] | None = None) -> dict[int, tuple[float, float]]:
        """Feasible interval of every hidden cell (min and max by linear programming).

        With ``exact=False`` a cell whose protection is already shown by the
        solutions found for other cells is not solved for (its interval is then
        the span of those solutions, enough to decide it is protected), nor a
        cell in `known` (shown protected in a pattern with fewer hidden cells:
        hiding more only widens intervals); those get (-inf, inf).
        """
        eqs, fixed = self._determined(self._equations())
        out: dict[int, tuple[float, float]] = {c: (self.cells[c].value, self.cells[c].value)
                                               for c in fixed}
        known = known if not exact and known else set()
        for cells, eq_ids in self._components(eqs, skip=fixed):
            if known and all(c in known for c in cells):
                out.update({c: (-math.inf, math.inf) for c in cells})
                continue
            key = None
            if cache is not None:
                key = (exact, tuple(sorted(c for c in cells if c in known)), tuple(sorted(cells)),
                       tuple((tuple(eqs[e][0]), tuple(round(c, 9) for c in eqs[e][1]),
                              round(eqs[e][2], 7)) for e in eq_ids),
                       tuple(self.cells[c].status for c in sorted(cells)))
                if key in cache:
                    out.update(cache[key])
                    continue
            found = self._solve(cells, [eqs[e] for e in eq_ids], exact=exact, known=known)
            if cache is not None:
                cache[key] = found
            out.update(found)
        return out

    def _solve(self, cells: list[int], eqs: list, *, exact: bool, only: int | None = None,
               known: set[int] | frozenset = frozenset()) -> dict[int, tuple[float, float]]:
        pos = {c: i for i, c in enumerate(cells)}
        bounds = [self.bounds(c) for c in cells]
        if not eqs:
            return {c: bounds[pos[c]] for c in cells}
        if len(eqs) == 1:
            return self._solve_one(cells, eqs[0], bounds)
        a = np.zeros((len(eqs), len(cells)))
        b = np.zeros(len(eqs))
        for r, (idx, coef, rhs) in enumerate(eqs):
            for j, cf in zip(idx, coef, strict=True):
                a[r, pos[int(j)]] += cf
            b[r] = rhs
        program = _Program(a, b, bounds)
        seen_lo = {c: self.cells[c].value for c in cells}
        seen_hi = dict(seen_lo)

        def seen(x: np.ndarray) -> None:
            for other, i in pos.items():
                seen_lo[other] = min(seen_lo[other], float(x[i]))
                seen_hi[other] = max(seen_hi[other], float(x[i]))

        out: dict[int, tuple[float, float]] = {c: (-math.inf, math.inf) for c in cells
                                               if c in known}
        if not exact:
            self._push(cells, pos, program, bounds, seen, seen_lo, seen_hi, known)
        for c in cells if only is None else [only]:
            if c in out:
                continue
            if not exact and self._meets(c, seen_lo[c], seen_hi[c]):
                out[c] = (seen_lo[c], seen_hi[c])
                continue
            ends = []
            for sign in (1.0, -1.0):
                obj = np.zeros(len(cells))
                obj[pos[c]] = sign
                status, x = program.solve(obj)
                if status == "unbounded":
                    ends.append(-math.inf if sign > 0 else math.inf)
                elif x is None:  # numerically failed: trust only the true value
                    ends.append(self.cells[c].value)
                else:
                    ends.append(float(x[pos[c]]))
                    seen(x)
            out[c] = (ends[0], ends[1])
        return out

    def _push(self, cells: list[int], pos: dict[int, int], program: _Program,
              bounds: list[tuple[float, float]], seen: Any, seen_lo: dict,
              seen_hi: dict, known: set[int] | frozenset = frozenset(),
              rounds: int = 6) -> None:
        """Find feasible points that move many hidden cells at once (fewer programs to solve).

        Each round solves one program in a box around the true values, moving
        the cells not yet shown protected up or down together; the points
        found prove most cells protected, and only the rest are solved for one
        by one.
        """
        lo_box, hi_box = np.zeros(len(cells)), np.zeros(len(cells))
        for c in cells:
            lo, hi = bounds[pos[c]]
            x = self.cells[c].value
            reach = (self.rule.protection + 1.0 if self.cells[c].kind == "count"
                     else max(1.0, 2 * self.rule.magnitude_protection * abs(x)))
            lo_box[pos[c]], hi_box[pos[c]] = max(lo, x - reach), min(hi, x + reach)
        rng = np.random.default_rng(len(cells))
        for r in range(rounds):
            todo = [c for c in cells
                    if c not in known and not self._meets(c, seen_lo[c], seen_hi[c])]
            if len(todo) < 2:
                return
            obj = np.zeros(len(cells))
            signs = (np.full(len(todo), 1.0 if r % 2 == 0 else -1.0) if r < 2
                     else rng.choice([-1.0, 1.0], len(todo)))
            for c, sign in zip(todo, signs, strict=True):
                obj[pos[c]] = sign
            _, x = program.solve(obj, box=(lo_box, hi_box))
            if x is not None:
                seen(x)

    def _solve_one(self, cells: list[int], eq: tuple, bounds: list,
                   ) -> dict[int, tuple[float, float]]:
        """One equation ``sum(a x) = b``: each cell's range from the others' bounds."""
        idx, coef, rhs = eq
        pos = {c: i for i, c in enumerate(cells)}
        lo_terms = []
        hi_terms = []
        for j, cf in zip(idx, coef, strict=True):
            lo, hi = bounds[pos[int(j)]]
            lo_terms.append(min(cf * lo, cf * hi) if cf else 0.0)
            hi_terms.append(max(cf * lo, cf * hi) if cf else 0.0)
        out = {c: bounds[pos[c]] for c in cells}
        for k, (j, cf) in enumerate(zip(idx, coef, strict=True)):
            others_lo = sum(v for i, v in enumerate(lo_terms) if i != k)
            others_hi = sum(v for i, v in enumerate(hi_terms) if i != k)
            a, b = (rhs - others_hi) / cf, (rhs - others_lo) / cf
            lo, hi = (a, b) if cf > 0 else (b, a)
            blo, bhi = bounds[pos[int(j)]]
            out[int(j)] = (max(blo, lo if not math.isnan(lo) else -math.inf),
                           min(bhi, hi if not math.isnan(hi) else math.inf))
        return out

    def failing(self, cache: dict | None = None, *, capped: set[int] | None = None,
                known: set[int] | None = None) -> list[int]:
        """Hidden cells whose interval is narrower than the rule requires.

        With `capped` (cells known to be as wide as any suppression can make
        them), only the rule's requirement is checked, for the other cells.
        """
        found = self.intervals(exact=False, cache=cache, known=known)
        if capped is None:
            return [c for c, (lo, hi) in found.items() if not self._protected(c, lo, hi)]
        return [c for c, (lo, hi) in found.items()
                if c not in capped and not self._meets(c, lo, hi)]

    # -- secondary suppression ----------------------------------------------

    def _hide(self, c: int) -> list[int]:
        changed = []
        for g in self.group(c):
            if self.cells[g].status == SHOWN:
                self.cells[g].status = SECONDARY
                changed.append(g)
        return changed

    def _active(self) -> list[tuple[list[int], list[float], float]]:
        return list(self.sums) + [(idx, coef, rhs) for car, idx, coef, rhs in self.ratios
                                  if not self.hidden(car)]

    def _candidates(self, f: int) -> list[int]:
        """Published cells to hide next so that `f` is no longer pinned down.

        First the cells of the equations in which `f` is the only hidden cell
        (they pin it), then of any equation with `f`, then of its component.
        """
        group = set(self.group(f))
        eqs = self._active()
        carriers = [(car, {int(i) for i in idx}) for car, idx, _, _ in self.ratios
                    if not self.hidden(car)]

        def near(targets: set[int], *, pinning: bool) -> set[int]:
            got: set[int] = set()
            for idx, _, _ in eqs:
                members = {int(i) for i in idx}
                if not members & targets:
                    continue
                if pinning and any(self.hidden(i) and i not in targets for i in members):
                    continue
                got |= {i for i in members if not self.hidden(i)}
            for car, members in carriers:
                if members & targets:
                    got.add(car)
            return {g for g in got if self._can_hide(g)}

        for targets, pinning in ((group, True), (group, False)):
            got = near(targets, pinning=pinning)
            if got:
                return sorted(got)
        for cells, _ in self._components(self._equations()):
            if f in cells:
                got = near(set(cells), pinning=False)
                if got:
                    return sorted(got)
                break
        return [i for i in range(len(self.cells)) if not self.hidden(i) and self._can_hide(i)]

    def _pinned_cells(self) -> set[int]:
        """Cells that an equation holds (with their tied cells) as its only hidden cells."""
        out: set[int] = set()
        for idx, _, _ in self._active():
            hidden = [int(i) for i in idx if self.hidden(int(i))]
            if hidden and len({self._root(i) for i in hidden}) == 1:
                out.update(hidden)
        return out

    def _can_hide(self, c: int) -> bool:
        return all(self.cells[g].hideable or self.cells[g].status != SHOWN
                   for g in self.group(c))

    def _score(self, c: int) -> tuple:
        group = self.group(c)
        rank = max(self.cells[g].rank for g in group)
        counts = [self.cells[g].value for g in group if self.cells[g].kind == "count"]
        if not counts:
            return (rank, 0, 0.0, c)
        value = max(counts)
        roomy = value >= self.rule.k + self.rule.protection
        return (rank, 0 if roomy else 1, value if roomy else -value, c)

    def _interval(self, c: int) -> tuple[float, float]:
        """The feasible interval of one hidden cell, solved exactly."""
        eqs, fixed = self._determined(self._equations())
        x = self.cells[c].value
        if c in fixed:
            return x, x
        for cells, eq_ids in self._components(eqs, skip=fixed):
            if c in cells:
                return self._solve(cells, [eqs[e] for e in eq_ids], exact=True, only=c)[c]
        return self.bounds(c)

    def _ok(self, c: int) -> bool:
        return self._meets(c, *self._interval(c))

    def _best(self, f: int, candidates: list[int], cache: dict, capped: set[int],
              proven: set[int], look: int = 6) -> int:
        """The candidate that leaves fewest cells unprotected (of the best few by score).

        The candidates are ranked by score (inner cells before margins, then
        cells large enough to move); for a large table the count is estimated
        by the cells an equation determines, which takes no solving.
        """
        ranked = sorted(candidates, key=self._score)[:look]
        if len(ranked) == 1:
            return ranked[0]
        open_cells = sum(1 for c in range(len(self.cells))
                         if self.hidden(c) and c not in proven and c not in capped)
        best, best_key = ranked[0], None
        for c in ranked:
            changed = self._hide(c)
            if open_cells <= self.LOOKAHEAD_CELLS:
                left = len(self.failing(cache, capped=capped, known=proven))
                key = (left, self._score(c))
            else:
                _, fixed = self._determined(self._equations())
                key = (not self._ok(f), len(fixed), self._score(c))
            for g in changed:
                self.cells[g].status = SHOWN
            if best_key is None or key < best_key:
                best, best_key = c, key
        return best

    def protect(self) -> None:
        """Add secondary suppressions until the audit finds every hidden cell protected.

        The audit of the whole table gives the cells to protect; they are taken
        one at a time (those an equation pins first, small counts first), each
        getting suppressions until its own interval is wide enough; then the
        whole table is audited again. Cells shown protected stay so while
        cells are only added (hiding more only widens intervals).
        """
        for c in range(len(self.cells)):  # a hidden cell hides its tied cells
            if self.cells[c].status == PRIMARY:
                for g in self.group(c):
                    if self.cells[g].status == SHOWN:
                        self.cells[g].status = PRIMARY if self.cells[g].kind != "count" \
                            else SECONDARY
        cache: dict = {}
        capped: set[int] = set()  # as wide as hiding everything would make them
        proven: set[int] = set()  # protected already: hiding more cells keeps them so
        queue: list[int] = []
        limit = 4 * len(self.cells) + 4
        for _ in range(limit):
            if not queue:
                found = self.intervals(exact=False, cache=cache, known=proven)
                bad = [c for c, (lo, hi) in found.items()
                       if c not in capped and not self._meets(c, lo, hi)]
                proven |= {c for c in found if c not in bad}
                if not bad:
                    break
                pinned = self._pinned_cells()
                queue = sorted(bad, key=lambda c: (c not in pinned,
                                                   self.cells[c].status != PRIMARY, c))
            pinned = self._pinned_cells()  # definitely exposed (new ones too): fix these first
            queue += sorted(c for c in pinned - set(queue)
                            if c not in capped and c not in proven and self._required(c))
            f = next((c for c in queue if c in pinned), queue[0])
            lo, hi = self._interval(f)
            if self._meets(f, lo, hi):
                proven.add(f)
                queue.remove(f)
                continue
            if self._protected(f, lo, hi):
                capped.add(f)
                queue.remove(f)
                continue
            candidates = self._candidates(f)
            if not candidates:
                tag = self.cells[f].tag
                msg = (f"The table cannot be published without giving away a suppressed "
                       f"cell ({tag}): every cell that could protect it is hidden already. "
                       "Merge small categories, or publish it with `suppress=False` only if "
                       "its counts are not of people.")
                raise DisclosureError(msg)
            self.added.extend(self._hide(self._best(f, candidates, cache, capped, proven)))
        else:  # pragma: no cover - each round hides a cell or settles one
            msg = "Secondary suppression did not converge."
            raise DisclosureError(msg)
        self._publish_back(cache)

    def _publish_back(self, cache: dict, tries: int = 60) -> None:
        """Show again secondary cells that protect nothing (greedy choices made redundant).

        Margins are tried first, then the largest cells.
        """
        order = sorted(dict.fromkeys(self.added),
                       key=lambda c: (-self.cells[c].rank, -self.cells[c].value))
        if sum(1 for c in self.cells if c.status != SHOWN) > 4 * self.LOOKAHEAD_CELLS:
            tries = min(tries, 10)  # a large pattern: each try audits the whole table
        for c in order[:tries]:
            group = [g for g in self.group(c) if self.cells[g].status == SECONDARY]
            if not group or any(self.cells[g].status == PRIMARY for g in self.group(c)):
                continue
            for g in group:
                self.cells[g].status = SHOWN
            if self.failing(cache):
                for g in group:
                    self.cells[g].status = SECONDARY

    # -- results ---------------------------------------------------------------

    def status_of(self, c: int) -> int:
        return self.cells[c].status

    def secret_totals(self) -> list[str]:
        """Unprinted totals the protection relies on staying unpublished (their names)."""
        return list(dict.fromkeys(c.label or str(c.tag) for c in self.cells
                                  if not c.printed and c.status == SECONDARY))

    def audit(self) -> pd.DataFrame:
        """Every hidden cell with its feasible interval and whether it is protected."""
        found = self.intervals(exact=True)
        rows = []
        for c, (lo, hi) in sorted(found.items()):
            cell = self.cells[c]
            if cell.status == LATENT:
                continue
            rows.append({"cell": cell.tag, "label": cell.label, "kind": cell.kind,
                         "status": "primary" if cell.status == PRIMARY else "secondary",
                         "printed": cell.printed, "low": lo, "high": hi,
                         "protected": self._protected(c, lo, hi)})
        return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def suppression_notes(problem: Problem | None, lang: Lang) -> list[str]:
    """The notes that explain a table's suppressed cells (``<5``, ``—``)."""
    if problem is None:
        return []
    cells = problem.cells
    k = problem.rule.k
    notes = []
    if any(c.status == PRIMARY and c.printed and c.kind == "count" for c in cells):
        notes.append(w("suppressed_zeros" if problem.rule.zeros == "hide" else "suppressed",
                       lang, k=k))
    if any(c.status == PRIMARY and c.printed and c.kind == "sum" for c in cells):
        notes.append(w("mean_suppressed", lang, k=k))
    if any(c.status == SECONDARY and c.printed for c in cells):
        notes.append(w("secondary", lang))
    secret = problem.secret_totals()
    if secret:
        notes.append(w("unprinted", lang, cols=("、" if lang == "zh" else "; ").join(secret)))
    return notes


# ---------------------------------------------------------------------------
# personal data in published tables
# ---------------------------------------------------------------------------


def refuse_personal(frame: pd.DataFrame, columns: Sequence[str | None], param: str, *,
                    allow_personal: bool = False) -> None:
    """Raise ArgumentError when a named column of `frame` holds personal data.

    The detector is ``tk.io.find_personal`` (codebook, schema, header, values).
    """
    if allow_personal:
        return
    personal = personal_columns(frame)
    refuse_found({c: personal[c] for c in columns if c is not None and c in personal}, param)


def refuse_found(named: Mapping[str, str], param: str) -> None:
    """Raise ArgumentError naming the personal columns found (column → kind) in `param`."""
    if named:
        msg = (f"{', '.join(f'`{c}`' for c in named)} in `{param}` hold(s) personal data "
               f"({', '.join(named.values())}) and cannot go into a published "
               "table. Pseudonymise it first (`tk.io.pseudonymise`), leave it out, or pass "
               "`allow_personal=True` if the table is for internal use only.")
        raise ArgumentError(msg)


def refuse_personal_values(values: Mapping[str, Sequence[Any]], param: str, *,
                           codebook: Mapping[str, Any] | None = None,
                           allow_personal: bool = False) -> None:
    """Raise ArgumentError when the values shown for a variable are personal data.

    `values` maps each variable (or group column) of a result to the values
    that would be printed (levels, group values); they are judged by
    ``tk.io.personal_values`` (header, the `codebook`'s ``personal`` entries,
    content).
    """
    if allow_personal:
        return
    refuse_found(personal_values(values, codebook=codebook), param)


# ---------------------------------------------------------------------------
# the shapes of published tables
# ---------------------------------------------------------------------------


def protect_grid(counts: np.ndarray, rule: SuppressionRule, *, pct: np.ndarray | None = None,
                 percent: str | None = None) -> tuple[np.ndarray, Problem]:
    """Suppression pattern of a two-way table with its margins (last row and column).

    `counts` includes the margins; `pct` are the published percentages of the
    same cells (``percent`` = "row", "col" or "total"). Where a line's
    percentages are those of its counts (equal weights), a shown count and
    its percentage give away the line's base; otherwise they are weighted
    shares, audited as a table of their own (each line adds up to 100).

    Returns the status of every cell (``SHOWN``, ``PRIMARY``, ``SECONDARY``)
    and the audited problem.
    """
    counts = np.asarray(counts, dtype=float)
    p = Problem(rule)
    nr, nc = counts.shape
    r, c = nr - 1, nc - 1
    ids = np.empty(counts.shape, dtype=int)
    for i in range(nr):
        for j in range(nc):
            rank = 0 if i < r and j < c else 2 if (i, j) == (r, c) else 1
            ids[i, j] = p.add(counts[i, j], rank=rank, tag=("n", i, j))
    for i in range(nr):
        p.total(ids[i, c], ids[i, :c])
    for j in range(nc):
        p.total(ids[r, j], ids[:r, j])
    if pct is not None and percent is not None:
        pct = np.asarray(pct, dtype=float)
        base = {"row": lambda i, j: (i, c), "col": lambda i, j: (r, j),
                "total": lambda i, j: (r, c)}[percent]
        lines = ([[(i, j) for j in range(nc)] for i in range(nr)] if percent == "row" else
                 [[(i, j) for i in range(nr)] for j in range(nc)] if percent == "col" else
                 [[(i, j) for i in range(nr) for j in range(nc)]])
        weighted = []
        for line in lines:
            if _linked([counts[x] for x in line], [counts[base(*x)] for x in line],
                       [pct[x] for x in line]):
                for x in line:
                    den = ids[base(*x)]
                    if den != ids[x] and counts[x] > 0 and np.isfinite(pct[x]):
                        p.ratio(ids[x], [ids[x], den], [100.0, -float(pct[x])])
            else:
                weighted.append(line)
        if weighted:
            _grid_shares(p, ids, counts, pct, percent, weighted)
    p.protect()
    status = np.vectorize(p.status_of)(ids)
    return status, p


def _linked(counts: Sequence[float], bases: Sequence[float], pct: Sequence[float]) -> bool:
    """Whether percentages are those of the counts (so a count and its percentage give the base)."""
    for n, b, q in zip(counts, bases, pct, strict=True):
        if not np.isfinite(q) or b <= 0:
            continue
        if abs(100 * n / b - q) > 1e-6 * max(1.0, abs(q)):
            return False
    return True


def _grid_shares(p: Problem, ids: np.ndarray, counts: np.ndarray, pct: np.ndarray,
                 percent: str, lines: list[list[tuple[int, int]]]) -> None:
    """Weighted percentages of a two-way table: each line adds up to 100 (or to its margin)."""
    nr, nc = counts.shape
    r, c = nr - 1, nc - 1
    def eligible(x: tuple[int, int]) -> bool:
        constant = {"row": x[1] == c, "col": x[0] == r, "total": x == (r, c)}[percent]
        return not constant and counts[x] > 0 and bool(np.isfinite(pct[x]))

    # a line with one non-empty cell holds 100% there: no news, nothing to audit
    in_lines = {x for line in lines if percent == "total" or sum(map(eligible, line)) > 1
                for x in line}
    share = np.full(counts.shape, -1, dtype=int)
    for i in range(nr):
        for j in range(nc):
            if (i, j) in in_lines and eligible((i, j)):
                share[i, j] = p.add(pct[i, j], "share", rank=p.cells[ids[i, j]].rank,
                                    tag=("percent", i, j))
                p.tie(ids[i, j], share[i, j])

    def line(cells: np.ndarray, total: int | None) -> None:
        parts = [int(s) for s in cells if s >= 0]
        if not parts:
            return
        if total is None:
            p.fixed(parts, [1.0] * len(parts), 100.0)
        elif total >= 0:
            p.fixed([total, *parts], [1.0] + [-1.0] * len(parts), 0.0)

    if percent == "row":
        for i in range(nr):
            line(share[i, :c], None)
    elif percent == "col":
        for j in range(nc):
            line(share[:r, j], None)
    else:
        for i in range(r):
            line(share[i, :c], share[i, c])
        for j in range(c):
            line(share[:r, j], share[r, j])
        line(share[r, :c], None)
        line(share[:r, c], None)


@dataclass
class Block:
    """One categorical variable of a one-way table by column (group).

    ``counts`` is levels × columns; ``missing`` the unprinted missing counts
    per column (None when missing answers are a printed level); ``pct`` the
    published percentages, levels × columns.
    """

    counts: np.ndarray
    pct: np.ndarray
    missing: np.ndarray | None = None


@dataclass
class Means:
    """One numeric variable by column: respondents with a value and their sum."""

    n: np.ndarray
    sums: np.ndarray


def protect_blocks(heads: Sequence[float], blocks: Sequence[Block], means: Sequence[Means], *,
                   rule: SuppressionRule, total: bool, printed: Sequence[bool],
                   weighted: bool, names: Mapping[str, Any] | None = None,
                   ) -> tuple[dict[str, Any], Problem]:
    """Suppression pattern of a descriptive table: variables by group, with sizes on top.

    `heads` are the sizes (n) of the columns. With `total`, the last column
    is the total of the others (printed or not, as `printed` says): every
    count and sum of it adds up over the groups. The counts of a variable in a
    column add up to the column's n (with its unprinted missing answers).
    In an unweighted table a percentage beside its count gives away its base;
    weighted percentages of a variable add up to 100 in each column.

    `names` name the cells of an unprinted column in the notes: ``{"head":
    str, "blocks": [[str per level]], "means": [str]}``.

    Returns the statuses, as ``{"heads": array, "blocks": [levels x columns],
    "means": [columns]}``, and the audited problem.
    """
    p = Problem(rule)
    ncol = len(heads)
    names = dict(names or {})

    def label(g: int, part: str, *at: int) -> str | None:
        if printed[g] or part not in names:
            return None
        value = names[part]
        for i in at:
            value = value[i]
        return str(value)

    def rank(col: int, base: int) -> int:
        if not printed[col]:
            return 3
        return base + (1 if total and col == ncol - 1 else 0)

    head = [p.add(heads[g], printed=printed[g], rank=rank(g, 1), tag=("n", g),
                  label=label(g, "head")) for g in range(ncol)]
    if total:
        p.total(head[-1], head[:-1])
    block_ids = []
    for b, block in enumerate(blocks):
        ids = np.empty(block.counts.shape, dtype=int)
        for lv in range(block.counts.shape[0]):
            for g in range(ncol):
                ids[lv, g] = p.add(block.counts[lv, g], printed=printed[g], rank=rank(g, 0),
                                   tag=("count", b, lv, g), label=label(g, "blocks", b, lv))
        # missing answers not printed as a level: unknown to the reader, unless there are
        # none (taken as known then: with include_missing a variable without them shows
        # no missing row)
        miss: list[int | None] = [None] * ncol
        if block.missing is not None:
            miss = [p.add(block.missing[g], printed=False, rank=3,
                          status=PRIMARY if rule.small(block.missing[g]) else LATENT,
                          tag=("missing", b, g)) if block.missing[g] > 0 else None
                    for g in range(ncol)]
        for g in range(ncol):
            p.total(head[g], [*ids[:, g], *([miss[g]] if miss[g] is not None else [])])
        if total:
            for lv in range(block.counts.shape[0]):
                p.total(ids[lv, -1], ids[lv, :-1])
            if miss[-1] is not None:
                p.total(miss[-1], [m for m in miss[:-1] if m is not None])
        _block_percentages(p, block, ids, head, miss, weighted=weighted)
        block_ids.append(ids)
    mean_ids = []
    for m, mean in enumerate(means):
        ids = []
        for g in range(ncol):
            n = float(mean.n[g])
            status = PRIMARY if rule.small(n) and n > 0 else SHOWN
            ids.append(p.add(mean.sums[g] if n > 0 else 0.0, "sum", printed=printed[g],
                             rank=rank(g, 0), status=status, hideable=n > 0,
                             tag=("mean", m, g), label=label(g, "means", m)))
        if total:
            p.total(ids[-1], ids[:-1])
        mean_ids.append(ids)
    p.protect()
    status = {"heads": np.array([p.status_of(i) for i in head]),
              "blocks": [np.vectorize(p.status_of)(ids) for ids in block_ids],
              "means": [np.array([p.status_of(i) for i in ids]) for ids in mean_ids]}
    return status, p


def _block_percentages(p: Problem, block: Block, ids: np.ndarray, head: list[int],
                       miss: list[int | None], *, weighted: bool) -> None:
    """Percentages of a variable in each column: of its counts, or weighted shares."""
    levels, ncol = block.counts.shape
    for g in range(ncol):
        if not p.cells[head[g]].printed:
            continue  # an unprinted column publishes no percentages
        base = p.cells[head[g]].value - (block.missing[g] if block.missing is not None else 0)
        col = block.counts[:, g]
        if weighted and not _linked(col, [base] * levels, block.pct[:, g]):
            nonzero = [lv for lv in range(levels)
                       if col[lv] > 0 and np.isfinite(block.pct[lv, g])]
            if len(nonzero) < 2:
                continue  # one level holds everyone: its 100% is no news
            parts = []
            for lv in nonzero:
                s = p.add(block.pct[lv, g], "share", rank=p.cells[ids[lv, g]].rank,
                          tag=("percent", lv, g))
                p.tie(ids[lv, g], s)
                parts.append(s)
            p.fixed(parts, [1.0] * len(parts), 100.0)
            continue
        for lv in range(levels):
            value = block.pct[lv, g]
            if col[lv] > 0 and np.isfinite(value) and value > 0:
                known = miss[g] is None
                idx = [ids[lv, g], head[g], *([] if known else [miss[g]])]
                coef = [100.0, -float(value), *([] if known else [float(value)])]
                p.ratio(ids[lv, g], idx, coef)


#: Headers of count columns (after the toolkit's own labels): counts of people or
#: of their attendances, which the rule suppresses.
COUNT_NAMES = frozenset({
    "n", "count", "counts", "freq", "frequency", "size", "n_obs", "nobs", "respondents",
    "频数", "人数", "人次", "参与人数", "参与人次", "样本量", "样本数", "有效样本", "有效样本量",
    "计数", "个案数",
})
_COUNT_PREFIXES = ("n_", "count_", "num_", "number_")
_COUNT_SUFFIXES = ("_n", "_count", "人数", "人次", "频数")

#: Values of a key column that mark a row as a total (or subtotal) over that column.
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "总体", "全部", "全体", "共计", "total",
                         "subtotal", "all", "overall", "sum"})


def is_count_column(name: object, series: pd.Series) -> bool:
    """Whether a column holds counts: a count header and non-negative whole numbers.

    Headers: ``n``, ``count``, ``size`` (``groupby().size()``), ``n_*``,
    ``*_count``, 频数, 人数, 人次, 参与人数, 样本量 …; an unnamed column ``0``
    (``groupby().size().reset_index()``). Integer columns and floats holding
    whole numbers both count.

    Examples
    --------
    >>> from toolkit.report.disclosure import is_count_column
    >>> is_count_column("人次", pd.Series([3.0, 12.0]))
    True
    >>> is_count_column("mean", pd.Series([3, 12]))
    False
    """
    key = str(name).strip()
    lowered = key.lower()
    named = (lowered in COUNT_NAMES or lowered.startswith(_COUNT_PREFIXES)
             or lowered.endswith(_COUNT_SUFFIXES) or (isinstance(name, int) and name == 0))
    if not named or pd.api.types.is_bool_dtype(series.dtype):
        return False
    if not pd.api.types.is_numeric_dtype(series.dtype):
        return False
    values = pd.to_numeric(series, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(len(values) == 0 or ((values >= 0).all() and (values == np.round(values)).all()))


def size_column(counts: Sequence[Any]) -> Any:
    """The count column that is a row's size (``n``, ``count`` …, else the first).

    A row's other numbers (percentages, means, estimates) are statistics of
    that many people, and are hidden with it.
    """
    for c in counts:
        if str(c).strip().lower() in COUNT_NAMES or (isinstance(c, int) and c == 0):
            return c
    return counts[0]


def _is_total(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() in TOTAL_WORDS


@dataclass
class Breakdown:
    """Suppression of a frame of counts broken down by key columns."""

    status: dict[str, np.ndarray]  # count column → status per row
    rows_hidden: np.ndarray        # rows whose size is hidden (their statistics follow)
    magnitudes: dict[str, np.ndarray]
    problems: list[Problem]


def protect_breakdown(frame: pd.DataFrame, counts: Sequence[str], by: Sequence[str] | None,
                      rule: SuppressionRule, *,
                      contributions: pd.DataFrame | None = None,
                      magnitudes: Sequence[str] = (),
                      margin_name: Any = None) -> Breakdown:
    """Suppression pattern of a frame whose count columns break a whole down by `by`.

    The rows are the cells of the table of `by` (a row whose key says 合计 /
    Total is the margin over that key); every margin over a subset of the keys
    is treated as known, printed or not (unprinted ones are kept secret only as
    a last resort, and the notes then say so). ``by=[]`` treats the rows as
    unrelated (no margins). Rows whose keys do not identify them are one
    breakdown with a grand total. Combinations of keys absent from the frame
    are taken as known zeros.

    With `contributions` (the rows each magnitude in `magnitudes` sums, with
    the key columns), magnitude cells with fewer than ``k`` contributors or
    failing the dominance rule are hidden, and further magnitudes until each
    hidden one's interval covers ``x(1 ± q)``.

    `margin_name(column, [(key, value), ...])` names an unprinted margin in
    the notes (the pairs are empty for the grand total).
    """
    n_rows = len(frame)
    keys, coords = _coordinates(frame, by)

    def name(col: str, pairs: list) -> str:
        if margin_name is not None:
            return margin_name(col, pairs)
        where = ", ".join(f"{k}={v}" for k, v in pairs)
        return f"{col}: total of {where}" if where else f"{col}: grand total"

    count_problem = Problem(rule)
    ids = {col: _breakdown_cells(count_problem, frame[col].to_numpy(dtype=float), coords,
                                 keys, "count", col, name=name) for col in counts}
    count_problem.protect()
    status = {col: np.array([count_problem.status_of(i) for i in ids[col]]) for col in counts}
    hidden = np.zeros(n_rows, dtype=bool)
    if counts:
        hidden |= status[size_column(counts)] != SHOWN
    problems = [count_problem]
    mags: dict[str, np.ndarray] = {}
    for col in magnitudes:
        if contributions is None or col not in contributions.columns or keys == ["_row"]:
            continue
        groups = _contributions_by_row(frame, contributions, keys, col, coords)
        p = Problem(rule)
        sums = np.array([np.nansum(g) for g in groups], dtype=float)
        nonneg = bool((pd.to_numeric(contributions[col], errors="coerce").dropna() >= 0).all())
        cell_ids = _breakdown_cells(p, sums, coords, keys, "magnitude", col, nonneg=nonneg,
                                    name=name)
        for r, cid in enumerate(cell_ids):
            if rule.dominated(groups[r]):
                p.cells[cid].status = PRIMARY
            elif hidden[r]:
                p.cells[cid].status = LATENT
        p.protect()
        mags[col] = np.array([p.status_of(i) for i in cell_ids])
        problems.append(p)
    return Breakdown(status, hidden, mags, problems)


def _coordinates(frame: pd.DataFrame, by: Sequence[str] | None,
                 ) -> tuple[list[str], list[tuple | None]]:
    """Key columns and each row's coordinates (None for a total word), or flat rows."""
    if by is not None and not len(by):
        return [], [None] * len(frame)  # unrelated rows
    keys = list(by) if by is not None else [
        c for c in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[c].dtype)
        or pd.api.types.is_bool_dtype(frame[c].dtype)]
    coords = [tuple(None if _is_total(v) else v for v in row)
              for row in frame[keys].itertuples(index=False, name=None)] if keys else []
    inner = [c for c in coords if None not in c]
    if not keys or len(set(inner)) != len(inner):  # one whole, the rows its parts
        return ["_row"], [(None,) if c is not None and c and None in c else (i,)
                          for i, c in enumerate(coords or [None] * len(frame))]
    return keys, coords


def _breakdown_cells(p: Problem, values: np.ndarray, coords: list, keys: list[str],
                     kind: str, col: str, *, name: Any, nonneg: bool = True) -> list[int]:
    """Cells of one column (rows in order), their margins and the equations joining them."""
    kw = {"nonneg": nonneg} if kind == "magnitude" else {}
    ids = []
    inner: dict[tuple, int] = {}
    printed_margin: dict[tuple, int] = {}
    for r, v in enumerate(values):
        c = coords[r]
        if not np.isfinite(v):  # an empty cell publishes nothing
            ids.append(p.add(0.0, kind, tag=(col, r), status=SHOWN, hideable=False, **kw))
            continue
        if c is None:  # unrelated rows
            ids.append(p.add(v, kind, tag=(col, r), **kw))
            continue
        rank = 0 if None not in c else (2 if all(x is None for x in c) else 1)
        cid = p.add(v, kind, rank=rank, tag=(col, r), **kw)
        ids.append(cid)
        (inner if None not in c else printed_margin)[c] = cid
    if not keys:
        return ids
    for keep in _margin_subsets(len(keys)):
        groups: dict[tuple, list[int]] = {}
        for c, cid in inner.items():
            groups.setdefault(tuple(x if i in keep else None for i, x in enumerate(c)),
                              []).append(cid)
        for margin, parts in groups.items():
            if margin in printed_margin:
                p.total(printed_margin[margin], parts)
            elif len(parts) > 1:
                value = sum(p.cells[i].value for i in parts)
                pairs = [(keys[i], x) for i, x in enumerate(margin)
                         if x is not None and keys[i] != "_row"]
                m = p.add(value, kind, printed=False, rank=3, tag=(col, "margin", margin),
                          label=name(col, pairs), **kw)
                p.total(m, parts)
    return ids


def _margin_subsets(m: int) -> list[tuple[int, ...]]:
    """Subsets of the keys kept by a margin (all proper subsets; pairs at most past 3 keys)."""
    from itertools import combinations

    top = m - 1 if m <= 3 else min(2, m - 1)
    return [s for size in range(top + 1) for s in combinations(range(m), size)]


def _contributions_by_row(frame: pd.DataFrame, contributions: pd.DataFrame, keys: list[str],
                          col: str, coords: list) -> list[np.ndarray]:
    """The contributions summed in each row of `frame` (a total row: those of its keys)."""
    from toolkit._checks import require_columns

    real = [k for k in keys if k != "_row"]
    require_columns(contributions, {"contributions": [*real, col]})
    values = pd.to_numeric(contributions[col], errors="coerce").to_numpy(dtype=float)
    key_values = contributions[real].to_numpy(dtype=object) if real else None
    out = []
    for c in coords:
        mask = np.ones(len(contributions), dtype=bool)
        if real and c is not None:
            for i, x in enumerate(c):
                if x is not None:
                    mask &= key_values[:, i] == x
        out.append(values[mask & ~np.isnan(values)])
    return out
