"""Builders of real-looking text files for the reading tests.

Each test writes the bytes it needs (Excel's GB18030 CSV with CRLF line ends,
UTF-8 with BOM, GBK, UTF-16 …) into a temporary folder whose name has Chinese
characters, as users' folders do.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def write_file(tmp_path):
    """Return ``write(name, text, encoding="utf-8", newline="\\r\\n") -> Path``.

    ``text`` is written with its ``\\n`` line ends replaced by `newline` (Excel
    writes CRLF) in `encoding`; ``encoding="utf-8-sig"`` adds the BOM as Excel's
    "CSV UTF-8" does. Bytes are written as given.
    """
    folder = tmp_path / "调研资料"
    folder.mkdir()

    def write(name: str, text: str | bytes, encoding: str = "utf-8",
              newline: str = "\r\n") -> Path:
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_bytes(text.replace("\n", newline).encode(encoding))
        return path

    return write
