"""When the CSV reader splits its column work over two threads."""

from __future__ import annotations

import os

#: Rows from which converting and normalising columns pays for a second thread.
PARALLEL_ROWS = 100_000


def two_threads(n_rows: int) -> bool:
    """Whether work on `n_rows` rows runs on two threads: enough rows and two cores.

    Examples
    --------
    >>> two_threads(10)
    False
    """
    return n_rows >= PARALLEL_ROWS and (os.cpu_count() or 1) >= 2
