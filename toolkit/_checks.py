"""Checks of user input shared by every namespace, each with one message shape.

- :func:`require_columns` — columns named by the caller exist (every missing one
  is named at once, with close matches and the columns available);
- :func:`close_matches` — the "did you mean" suggestions used by every message;
- :func:`check_choice` and :func:`check_lang` — a parameter takes one of a few values;
- :func:`is_study` and :func:`as_table` — "is this a Study, or a DataFrame?".

Nothing here imports pandas-heavy submodules of the toolkit, so every layer may
call it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from toolkit.errors import ArgumentError, ArgumentTypeError, ColumnNotFoundError

__all__ = [
    "LANGS",
    "LARGE_DATA_FUNCTIONS",
    "Lang",
    "as_table",
    "check_choice",
    "check_lang",
    "close_matches",
    "is_study",
    "large_data_list",
    "refuse_large",
    "require_columns",
]

#: Languages of labels and generated text.
Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")


def close_matches(name: Any, options: Iterable[Any], *, n: int = 3,
                  cutoff: float = 0.6) -> list[str]:
    """The options closest to `name` (``difflib``), best first.

    `cutoff` is difflib's similarity threshold; short Chinese headers that differ
    by one character (``名字``/``名称``) score 0.5.

    Examples
    --------
    >>> close_matches("wieght", ["weight", "wave", "town"])
    ['weight']
    """
    return difflib.get_close_matches(str(name), [str(o) for o in options], n=n, cutoff=cutoff)


def _quoted(names: Iterable[Any]) -> str:
    return ", ".join(f"`{c}`" for c in names)


def require_columns(
    data: Any,
    columns: Mapping[str, str | Iterable[str] | None],
    *,
    where: str = "`data`",
    cutoff: float = 0.6,
) -> None:
    """Raise one ColumnNotFoundError naming every column of `columns` not in `data`.

    Parameters
    ----------
    data : pandas.DataFrame or any object with ``.columns``
        The table (a DataFrame, a LazyTable, a Dask DataFrame).
    columns : mapping of str to str, list of str or None
        Role (the parameter that named the column, e.g. ``"weights"``) → column
        name(s). ``None`` entries are skipped.
    where : str, default "`data`"
        What the table is, for the message (``"the survey table"``).
    cutoff : float, default 0.6
        Similarity a column needs to be suggested (see :func:`close_matches`).

    Raises
    ------
    ColumnNotFoundError
        Listing, for each missing column, its role and close matches, then the
        columns available.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"weight": [1.0], "town": ["A"]})
    >>> require_columns(df, {"weights": "weight", "by": "town"})
    >>> try:
    ...     require_columns(df, {"weights": "wieght", "by": ["town", "wave"]})
    ... except KeyError as err:
    ...     print(err)
    Could not find 2 columns in `data`: `wieght` (given as `weights`; did you mean `weight`?), \
`wave` (given as `by`). Columns available: `weight`, `town`.
    """
    given = [(role, name) for role, names in columns.items() if names is not None
             for name in ([names] if isinstance(names, str) else list(names))
             if name is not None]
    try:  # the common case, every column there: no list of the table's columns
        if all(name in data.columns for _, name in given):
            return
    except TypeError:  # an unhashable name: the full check reports it
        pass
    have = [str(c) for c in data.columns]
    present = set(have)
    missing: list[str] = []
    for role, name in given:
        if str(name) in present:
            continue
        close = close_matches(name, have, cutoff=cutoff)
        hint = f"; did you mean {_quoted(close)}?" if close else ""
        missing.append(f"`{name}` (given as `{role}`{hint})")
    if not missing:
        return
    what = "column" if len(missing) == 1 else f"{len(missing)} columns"
    msg = (f"Could not find {what} in {where}: {', '.join(missing)}. "
           f"Columns available: {_quoted(have)}.")
    raise ColumnNotFoundError(msg)


def check_choice(value: Any, choices: Iterable[Any], *, param: str) -> None:
    """Raise ArgumentError when `value` is not one of `choices`.

    Examples
    --------
    >>> check_choice("wilson", ["wilson", "beta"], param="method")
    >>> try:
    ...     check_choice("wilsen", ["wilson", "beta"], param="method")
    ... except ValueError as err:
    ...     print(err)
    `method` must be one of 'wilson', 'beta', not 'wilsen'. Did you mean 'wilson'?
    """
    options = list(choices)
    if value in options:
        return
    close = close_matches(value, [str(o) for o in options], n=1) if isinstance(value, str) else []
    hint = f" Did you mean {close[0]!r}?" if close else ""
    msg = (f"`{param}` must be one of {', '.join(repr(o) for o in options)}, "
           f"not {value!r}.{hint}")
    raise ArgumentError(msg)


def check_lang(lang: Any) -> None:
    """Raise ArgumentError for a language other than ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> check_lang("zh")
    >>> try:
    ...     check_lang("cn")
    ... except ValueError as err:
    ...     print(err)
    `lang` must be one of 'zh', 'en', not 'cn'.
    """
    check_choice(lang, LANGS, param="lang")


def is_study(obj: Any) -> bool:
    """True when `obj` is a :class:`toolkit.Study` (or marks itself as one).

    Examples
    --------
    >>> import pandas as pd
    >>> is_study(pd.DataFrame())
    False
    """
    return bool(getattr(type(obj), "_is_toolkit_study", False))


def as_table(data: Any, name: str, *, where: str | None = None) -> Any:
    """The DataFrame to work on: `data` itself, or table `name` of a Study.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        A table, or a Study holding table `name`.
    name : str
        Which table of a Study to use (``"survey"``, ``"sessions"`` …).
    where : str, optional
        The public function asking (``"tk.stats.describe"``), for the message
        given to a lazy table or a Dask DataFrame.

    Raises
    ------
    ArgumentTypeError
        For anything else, including a lazy table (``tk.io.scan``) or a Dask
        DataFrame given to a function that needs the data in memory.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1]})
    >>> as_table(df, "survey") is df
    True
    """
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if is_study(data):
        return data.table(name)
    refuse_large(data, where=where)
    msg = (f"`data` must be a pandas DataFrame or a Study (its `{name}` table is used), "
           f"not {type(data).__name__}.")
    raise ArgumentTypeError(msg)


#: Public functions that accept a lazy table (``tk.io.scan``) or a Dask DataFrame, with
#: what they do with it. Every other public function given one refuses it
#: (:func:`refuse_large`); ``tk.io.scan``'s docstring lists these (:func:`large_data_list`).
LARGE_DATA_FUNCTIONS: dict[str, str] = {
    "tk.stats.Design": "weighted means and totals, also by domain (`.mean`, `.total`, `.by`)",
    "tk.stats.submissions": "response rates and days to response, by groups",
    "tk.net.two_mode": "the actor × event network, ties counted or summed in the engine",
    "tk.net.project": "the one-mode projection (`output=\"edges\"` or `\"sparse\"`)",
    "tk.text.tokens": "tokens streamed in batches to Parquet files (`out=`)",
    "tk.text.code": "dictionary coding streamed in batches (`id=` needed)",
    "tk.io.detect_platform": "reads the headers only",
}


def large_data_list(indent: str = "    ") -> str:
    """The functions that accept a lazy table, one per line, for a docstring.

    Examples
    --------
    >>> large_data_list("").splitlines()[0]
    '- ``tk.stats.Design``: weighted means and totals, also by domain (`.mean`, `.total`, `.by`)'
    """
    return "\n".join(f"{indent}- ``{name}``: {what}"
                     for name, what in LARGE_DATA_FUNCTIONS.items())


def refuse_large(data: Any, *, where: str | None) -> None:
    """Raise ArgumentTypeError when `data` is a lazy table or a Dask DataFrame.

    The one message every public function outside :data:`LARGE_DATA_FUNCTIONS`
    gives for large data: what it was given, which functions accept large data,
    and how to bring the rows needed into pandas.

    Examples
    --------
    >>> import pandas as pd
    >>> refuse_large(pd.DataFrame(), where="tk.stats.describe")
    """
    from toolkit._engines import engine

    kind = engine(data)
    if kind is None:
        return
    what = "a lazy DuckDB table (tk.io.scan)" if kind == "duckdb" else "a Dask DataFrame"
    who = f"`{where}`" if where else "This function"
    msg = (f"{who} needs the data in memory and was given {what}. Functions that accept "
           f"large data: {', '.join(LARGE_DATA_FUNCTIONS)}. Otherwise select the rows and "
           "columns you need and bring them into pandas (`.to_pandas()` for a lazy table, "
           "`.compute()` for Dask).")
    raise ArgumentTypeError(msg)
