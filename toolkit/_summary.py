"""The one return type of every result object's ``summary()``: :class:`Summary`.

A summary holds a title, header facts (``info``: label → value), one table and
notes, and renders them as text, HTML and LaTeX with nothing that depends on the
date or time (statsmodels' ``iolib.summary.Summary`` without its timestamps).
Results that word their summary as a sentence give it as ``text``: that is then
the plain-text form, and the HTML form shows it above the facts and the table.

Before 0.2 some ``summary()`` methods returned a str and some a DataFrame. For
one release a Summary built with ``was="str"`` or ``was="frame"`` still answers
what that type answered (``"x" in s``, ``s.splitlines()``, ``s["column"]``,
``s.empty`` …) with a FutureWarning naming the new way (``str(s)``,
``s.to_frame()``).
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, Literal

import pandas as pd

__all__ = ["Summary"]

_REMOVED_IN = "0.3"


class Summary:
    """Printable summary of a result: title, header facts, one table and notes.

    ``as_text()``, ``as_html()`` and ``as_latex()`` give the same content;
    nothing in it depends on the date or time. ``to_frame()`` returns the table.

    Parameters
    ----------
    title : str
        What the result is (``"OLS regression"``, ``"Communities"``).
    info : list of (str, str), optional
        Header facts, label → value, shown above the table.
    table : pandas.DataFrame, optional
        The main table of the result.
    notes : list of str, optional
        Lines shown under the table.
    text : str, optional
        The result's own plain-text wording (a sentence); when given it is
        ``as_text()`` and ``str()``, and the HTML shows it under the title.
    was : {"str", "frame"}, optional
        The type ``summary()`` returned before 0.2; such a summary keeps answering
        that type's operations for one release, with a FutureWarning.

    Examples
    --------
    >>> s = Summary("Scale", [("Items", "3")], pd.DataFrame({"alpha": [0.81234]}))
    >>> print(s)
    Scale
    ========================================
    Items:                                 3
    ----------------------------------------
     alpha
    0.8123
    >>> s.to_frame()
         alpha
    0  0.81234
    >>> "<h4>Scale</h4>" in s.as_html()
    True
    """

    def __init__(
        self,
        title: str,
        info: Iterable[tuple[str, str]] = (),
        table: pd.DataFrame | None = None,
        notes: Iterable[str] = (),
        *,
        text: str | None = None,
        was: Literal["str", "frame"] | None = None,
    ) -> None:
        self.title = str(title)
        self.info = [(str(k), str(v)) for k, v in info]
        self.table = table
        self.notes = [str(n) for n in notes]
        self.text = text
        self._was = was

    # -- the forms -----------------------------------------------------------

    def _rounded(self) -> pd.DataFrame:
        return self.to_frame().round(4)

    def to_frame(self) -> pd.DataFrame:
        """The summary's table (a copy); the header facts as ``item, value`` when it has none.

        Examples
        --------
        >>> Summary("Fit", [("n", "5")]).to_frame()
          item value
        0    n     5
        """
        if self.table is not None:
            return self.table.copy()
        return pd.DataFrame(self.info, columns=["item", "value"])

    def as_text(self) -> str:
        """Plain-text summary.

        Examples
        --------
        >>> Summary("Fit", text="Three groups.").as_text()
        'Three groups.'
        """
        if self.text is not None:
            return self.text
        width = max([40, *(len(k) + len(v) + 3 for k, v in self.info)])
        lines = [self.title, "=" * width]
        lines += [f"{k}:{' ' * max(1, width - len(k) - len(v) - 1)}{v}" for k, v in self.info]
        if self.table is not None:
            lines.append("-" * width)
            lines.append(self._rounded().to_string(index=False, na_rep=""))
        lines += self.notes
        return "\n".join(lines)

    def as_html(self) -> str:
        """HTML summary: the title, the wording, a facts table, the table and the notes.

        Examples
        --------
        >>> Summary("Fit", text="Three groups.").as_html()
        '<div><h4>Fit</h4><p>Three groups.</p></div>'
        """
        lead = ""
        if self.text is not None:
            lead = "".join(f"<p>{html.escape(line)}</p>" for line in self.text.splitlines())
        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                       f"<td>{html.escape(v)}</td></tr>" for k, v in self.info)
        facts = f"<table>{rows}</table>" if rows else ""
        table = "" if self.table is None else self._rounded().to_html(index=False, na_rep="")
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return f"<div><h4>{html.escape(self.title)}</h4>{lead}{facts}{table}{notes}</div>"

    def as_latex(self) -> str:
        """LaTeX summary (tabular environments).

        Examples
        --------
        >>> Summary("Fit", [("n", "5")]).as_latex().splitlines()[0]
        '% Fit'
        """
        parts = [f"% {self.title}"]
        if self.text is not None:
            parts.append(self.text)
        if self.info:
            parts.append(pd.DataFrame(self.info, columns=["", " "]).to_latex(index=False))
        if self.table is not None:
            parts.append(self._rounded().to_latex(index=False, na_rep="", float_format="%.4f"))
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Summary):
            same_table = (self.table is None and other.table is None) or (
                self.table is not None and other.table is not None
                and self.table.equals(other.table))
            return (self.title, self.info, self.notes, self.text) == (
                other.title, other.info, other.notes, other.text) and same_table
        if self._was == "str" and isinstance(other, str):
            return self._legacy("==") == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        return True

    # -- what the old return types answered, for one release ------------------

    def _legacy(self, what: str) -> Any:
        if self._was == "str":
            new = "`str(result.summary())` or `.as_text()`"
            old, value = "a str", self.as_text()
        else:
            new = "`result.summary().to_frame()`"
            old, value = "a DataFrame", self.to_frame()
        warnings.warn(f"`summary()` returns a Summary, not {old}; `{what}` on it is deprecated "
                      f"and will stop working in {_REMOVED_IN}. Use {new}.",
                      FutureWarning, stacklevel=3)
        return value

    def _old_type(self) -> type | None:
        return {"str": str, "frame": pd.DataFrame}.get(self._was or "")

    def __getattr__(self, name: str) -> Any:
        # only reached for names a Summary does not have
        old = self.__dict__.get("_was") and self._old_type()
        if old is None or name.startswith("_") or not hasattr(old, name):
            msg = f"'Summary' object has no attribute {name!r}"
            raise AttributeError(msg)
        return getattr(self._legacy(f".{name}"), name)

    def _need_old(self, what: str) -> Any:
        if self._was is None:
            msg = f"'Summary' object does not support {what}; use `.to_frame()` or `str(...)`."
            raise TypeError(msg)
        return self._legacy(what)

    def __contains__(self, item: Any) -> bool:
        return item in self._need_old("in")

    def __getitem__(self, key: Any) -> Any:
        return self._need_old("[...]")[key]

    def __len__(self) -> int:
        return len(self._need_old("len()"))

    def __iter__(self) -> Iterator[Any]:
        return iter(self._need_old("iteration"))

    def __add__(self, other: Any) -> Any:
        if self._was != "str":
            return NotImplemented
        return self._legacy("+") + other

    def __radd__(self, other: Any) -> Any:
        if self._was != "str":
            return NotImplemented
        return other + self._legacy("+")
