"""Lazy namespaces: public names imported from their module on first use.

Each sub-namespace (``tk.io``, ``tk.net`` …) maps its public names to the modules
that define them, so ``import toolkit`` stays fast and a namespace imports only
what a notebook actually uses.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["attach"]


def attach(
    package: str,
    names: Mapping[str, str],
    public: Iterable[str],
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``__getattr__`` and ``__dir__`` for `package` (PEP 562).

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names : mapping
        Public name → module that defines it.
    public : iterable of str
        The package's ``__all__`` (shown by ``dir``).

    Examples
    --------
    >>> getattr_, dir_ = attach("toolkit.stats", {"alpha": "toolkit.stats.scales"},
    ...                         ["alpha"])
    >>> getattr_("alpha").__name__
    'alpha'
    """
    module = sys.modules[package]
    listed = set(public)

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(names[name]), name)
            setattr(module, name, value)
            return value
        msg = f"module `{package}` has no attribute `{name}`."
        raise AttributeError(msg)

    def __dir__() -> list[str]:
        return sorted(set(vars(module)) | listed)

    return __getattr__, __dir__
