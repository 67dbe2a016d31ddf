"""Checks every reader makes before it opens a file.

A path that names a named pipe (FIFO), a device or a socket would make a reader
wait forever for data, or read without end; a folder cannot be read as a table.
:func:`require_regular_file` refuses them at once with a message that says what
the path is.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> require_regular_file(folder)
Traceback (most recent call last):
...
toolkit.errors.ReadError: Cannot read `...`: it is a folder, not a file. ...
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from toolkit.errors import ReadError

__all__ = ["require_regular_file"]

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO), which would make the read wait forever"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def require_regular_file(path: str | os.PathLike[str], *, what: str = "file") -> Path:
    """Return `path` as a Path when it is a regular file (symbolic links followed).

    Parameters
    ----------
    path : str or path-like
        The path to be read.
    what : str, default "file"
        What the file should be, for the message (``"manifest"``, ``"network file"``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        When nothing exists at `path`.
    toolkit.errors.ReadError
        When `path` is a folder, a named pipe, a device or a socket.
    """
    file = Path(path)
    try:
        mode = file.stat().st_mode
    except FileNotFoundError:
        msg = f"No {what} `{file}`. Check the folder and the name (suffix included)."
        raise FileNotFoundError(msg) from None
    except OSError as err:
        msg = f"Cannot read `{file}`: {err.strerror or err}. Check the path and its permissions."
        raise ReadError(msg) from None
    if stat.S_ISREG(mode):
        return file
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    msg = (f"Cannot read `{file}`: it is {kind}, not a file. Pass the path of the {what} "
           "itself (save the data to a file first if it comes from a program).")
    raise ReadError(msg)
