"""Table kinds (``kind=``): the one check of a table kind for every reader and checker.

``tk.io.read_table``, ``tk.io.scan``, ``tk.io.validate``, ``tk.io.find_personal``
and ``Study.table`` all name a canonical table by its kind (``"sessions"`` …) and
all refuse an unknown one with the same message.
"""

from __future__ import annotations

from toolkit import schema
from toolkit._checks import check_choice
from toolkit.errors import ArgumentError, UnknownKindError

__all__ = ["UnknownKindError", "check_kind"]


def check_kind(kind: object, *, param: str = "kind") -> schema.Table:
    """The canonical table `kind`, or UnknownKindError naming the kinds there are.

    Parameters
    ----------
    kind : str
        A table kind, one of ``tk.schema.TABLE_NAMES``.
    param : str, default "kind"
        The parameter that named it, for the message.

    Returns
    -------
    toolkit.schema.Table

    Raises
    ------
    UnknownKindError
        Also a ``ValueError`` and a ``KeyError``, so either ``except`` works.

    Examples
    --------
    >>> check_kind("sessions").key
    ('session_id',)
    >>> try:
    ...     check_kind("session")
    ... except KeyError as err:
    ...     print(err)
    `kind` must be one of 'units', 'participants', 'sessions', 'attendance', 'submissions', \
'survey', 'activities', not 'session'. Did you mean 'sessions'?
    """
    try:
        check_choice(kind, schema.TABLE_NAMES, param=param)
    except ArgumentError as err:
        raise UnknownKindError(str(err)) from None
    return schema.TABLES[str(kind)]
