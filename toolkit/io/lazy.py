"""Lazy tables over files larger than memory (DuckDB), for the same toolkit functions.

:func:`scan` opens Parquet or CSV files (one path or a glob) as a :class:`LazyTable`:
nothing is read until a result is asked for. ``tk.stats.submissions``,
``tk.stats.Design`` (means and totals), ``tk.net.two_mode`` and ``tk.net.project``
accept a LazyTable and run their aggregations inside DuckDB, bringing only the
aggregated result into pandas.

DuckDB is an optional dependency: ``pip install "toolkit[large]"``.
"""

from __future__ import annotations

import glob as _glob
import shutil
import tempfile
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit._checks import large_data_list
from toolkit.errors import DataTooLargeError, ReadError
from toolkit.io.kinds import check_kind

__all__ = ["MAX_PANDAS_BYTES", "LazyTable", "scan"]

#: Largest estimated size of a pandas frame that :meth:`LazyTable.to_pandas` builds
#: (2 GiB). Beyond it the call raises :class:`toolkit.errors.DataTooLargeError`.
MAX_PANDAS_BYTES = 2 * 1024**3

_INSTALL = 'pip install "toolkit[large]"'


def import_duckdb() -> Any:
    """Import DuckDB, or raise ImportError saying how to install it."""
    try:
        import duckdb
    except ImportError as err:  # pragma: no cover - duckdb is installed in the dev extras
        msg = (f"Large-data tables need DuckDB, which is not installed. Install it with "
               f"`{_INSTALL}`.")
        raise ImportError(msg) from err
    return duckdb


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _literal(path: str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class LazyTable:
    """A table kept in DuckDB: columns, row count and a preview without reading it all.

    Build one with :func:`scan`. The toolkit functions that accept it run their
    aggregations inside DuckDB.

    Attributes
    ----------
    relation : duckdb.DuckDBPyRelation
        The underlying DuckDB relation (for queries the toolkit does not offer).
    header_map : dict
        Header in the file → column name in the table.
    source : str
        The path or glob that was scanned.
    """

    def __init__(self, relation: Any, *, connection: Any, source: str,
                 header_map: Mapping[str, str] | None = None, _keep: Any = None) -> None:
        self.relation = relation
        self.connection = connection
        self.source = source
        self.header_map = dict(header_map or {})
        self._keep = _keep  # a temporary directory of transcoded files, kept alive

    # -- description ---------------------------------------------------------

    @property
    def columns(self) -> list[str]:
        """Column names (canonical where the header was recognised)."""
        return list(self.relation.columns)

    @property
    def dtypes(self) -> dict[str, str]:
        """DuckDB type of each column."""
        return {c: str(t) for c, t in zip(self.relation.columns, self.relation.types,
                                          strict=True)}

    def count(self) -> int:
        """Number of rows (DuckDB reads only what it needs, e.g. Parquet metadata)."""
        return int(self.relation.aggregate("count(*)").fetchall()[0][0])

    def head(self, n: int = 5) -> pd.DataFrame:
        """The first `n` rows as a pandas DataFrame."""
        return self.relation.limit(int(n)).df()

    def __len__(self) -> int:
        return self.count()

    def __repr__(self) -> str:
        return f"<LazyTable {self.source!r}: {len(self.columns)} columns>"

    # -- derived tables ------------------------------------------------------

    def _derive(self, relation: Any) -> LazyTable:
        return LazyTable(relation, connection=self.connection, source=self.source,
                         header_map=self.header_map, _keep=self._keep)

    def assign(self, **columns: Any) -> LazyTable:
        """A new LazyTable with added or replaced columns, given as SQL expressions.

        Parameters
        ----------
        **columns : str or number
            Column name → DuckDB SQL expression (a string) or a constant number,
            e.g. ``month="strftime(date, '%Y-%m')"``, ``n=1``.

        Returns
        -------
        LazyTable
        """
        exprs = []
        names = set(columns)
        for c in self.columns:
            if c not in names:
                exprs.append(_quote(c))
        for name, expr in columns.items():
            sql = repr(expr) if isinstance(expr, int | float) and not isinstance(expr, bool) \
                else str(expr)
            exprs.append(f"{sql} AS {_quote(name)}")
        return self._derive(self.relation.project(", ".join(exprs)))

    def filter(self, condition: str) -> LazyTable:
        """A new LazyTable with the rows where the SQL `condition` holds."""
        return self._derive(self.relation.filter(condition))

    # -- materialise ---------------------------------------------------------

    def estimated_bytes(self) -> int:
        """Rough size of the whole table as a pandas DataFrame (bytes)."""
        per_row = 0
        for t in self.relation.types:
            name = str(t).upper()
            if name in {"BOOLEAN", "TINYINT", "UTINYINT"}:
                per_row += 1
            elif name in {"SMALLINT", "USMALLINT"}:
                per_row += 2
            elif name in {"INTEGER", "UINTEGER", "FLOAT", "DATE"}:
                per_row += 8
            elif name.startswith(("VARCHAR", "BLOB")) or "[]" in name or "STRUCT" in name:
                per_row += 60  # a Python string object and its pointer
            else:
                per_row += 8
        return per_row * self.count()

    def to_pandas(self, *, max_bytes: int | None = None) -> pd.DataFrame:
        """The whole table as a pandas DataFrame, after checking its size.

        Parameters
        ----------
        max_bytes : int, optional
            Largest estimated size allowed (default :data:`MAX_PANDAS_BYTES`,
            2 GiB).

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        DataTooLargeError
            When the estimated size exceeds `max_bytes`.
        """
        limit = MAX_PANDAS_BYTES if max_bytes is None else int(max_bytes)
        size = self.estimated_bytes()
        if size > limit:
            msg = (f"The table {self.source!r} would take about {size / 1024**3:,.1f} GiB as a "
                   f"pandas DataFrame (limit {limit / 1024**3:,.1f} GiB, "
                   "toolkit.io.lazy.MAX_PANDAS_BYTES). Pass the LazyTable itself to "
                   "tk.stats.submissions, tk.stats.Design, tk.net.two_mode or tk.net.project "
                   "(they aggregate inside DuckDB), keep fewer rows or columns with "
                   "`.filter(...)`, or preview with `.head(n)`; raise `max_bytes=` if the "
                   "machine has the memory.")
            raise DataTooLargeError(msg)
        return self.relation.df()


class _TempFolder:
    """A temporary folder removed when the last table using it is garbage-collected."""

    def __init__(self) -> None:
        self.name = tempfile.mkdtemp(prefix="toolkit-scan-")
        weakref.finalize(self, shutil.rmtree, self.name, ignore_errors=True)


def _expand(path_or_glob: str | Path) -> list[Path]:
    text = str(path_or_glob)
    if any(ch in text for ch in "*?["):
        files = sorted(Path(p) for p in _glob.glob(text, recursive=True))
    else:
        p = Path(text)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.suffix.lower() in
                           {".parquet", ".pq", ".csv", ".txt"})
        else:
            files = [p] if p.exists() else []
    if not files:
        msg = (f"No file matches {text!r}. Give a Parquet or CSV file, a folder of them, "
               "or a glob such as 'data/*.parquet'.")
        raise FileNotFoundError(msg)
    return files


def _csv_encoding(path: Path) -> str:
    from toolkit.io.encoding import detect_encoding

    with path.open("rb") as fh:
        raw = fh.read(1 << 20)
    more = len(raw) == 1 << 20
    if more:  # cut at the last line break so no character is split
        cut = raw.rfind(b"\n")
        raw = raw[: cut + 1] if cut > 0 else raw
    return detect_encoding(raw, file=path)


def _transcode(files: list[Path], encoding: str, folder: Path) -> list[Path]:
    """Re-write CSV files in `encoding` as Parquet (pyarrow, streaming)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out = []
    for i, f in enumerate(files):
        target = folder / f"part-{i:05d}.parquet"
        reader = pacsv.open_csv(f, read_options=pacsv.ReadOptions(encoding=encoding,
                                                                    block_size=1 << 24))
        writer = None
        try:
            for batch in reader:
                if writer is None:
                    writer = pq.ParquetWriter(target, batch.schema)
                writer.write_batch(batch)
        finally:
            if writer is not None:
                writer.close()
        out.append(target)
    return out


def _map(headers: list[str], kind: str | None, mapping: Mapping[str, str] | None,
         source: str) -> dict[str, str]:
    from toolkit import schema
    from toolkit.io.read import check_mapping_headers, clean_header_text

    mapping = dict(mapping or {})
    check_mapping_headers(mapping, headers, where=f"the headers of `{source}`")
    proposed = {}
    for h in headers:
        if kind is None:
            hit = next((v for k, v in mapping.items()
                        if schema.clean_header(k) == schema.clean_header(h)), None)
        else:
            hit = schema.canonical_column(h, table=kind, mapping=mapping)
        proposed[h] = hit
    targets: dict[str, list[str]] = {}
    for h, t in proposed.items():
        if t is not None:
            targets.setdefault(t, []).append(h)
    for t, sources in targets.items():
        if len(sources) > 1:
            msg = (f"Headers {sources} of {source!r} all mean `{t}`. Choose one with "
                   f"`mapping={{{sources[0]!r}: {t!r}}}`, or rename the others in the file.")
            raise ReadError(msg)
    final, used = {}, set()
    for h in headers:
        name = proposed[h] or clean_header_text(h) or h
        base, k = name, 2
        while name in used:
            name = f"{base}_{k}"
            k += 1
        used.add(name)
        final[h] = name
    return final


def scan(
    path: str | Path,
    *,
    kind: str | None = None,
    mapping: Mapping[str, str] | None = None,
    memory_limit: str | None = None,
) -> LazyTable:
    """Open Parquet or CSV files as a lazy table, for data larger than memory.

    Parameters
    ----------
    path : str or Path
        A Parquet or CSV file, a folder of them (searched recursively), or a glob
        such as ``"dispatch/*.parquet"`` (all files must share their columns).
    kind : {"units", "participants", "sessions", "attendance", "submissions", "survey"}, optional
        Canonical table of the files: headers are mapped to canonical column
        names as :func:`toolkit.io.read_table` maps them (``schema.canonical_column``).
    mapping : dict, optional
        Header → column name, winning over the built-in aliases.
    memory_limit : str, optional
        DuckDB's memory limit for this table's queries (e.g. ``"4GB"``); DuckDB
        spills to disk beyond it. Default: DuckDB's (80% of RAM).

    Returns
    -------
    LazyTable
        ``.columns``, ``.count()``, ``.head(n)``, ``.to_pandas()`` (refuses beyond
        2 GiB), ``.assign(name=sql)``, ``.filter(sql)`` and ``.relation`` (the
        DuckDB relation). These functions accept it (every other public function
        given a lazy table raises an ArgumentTypeError saying so):

        {large_data_functions}

    Raises
    ------
    FileNotFoundError
        When nothing matches `path`.
    ColumnNotFoundError
        When `mapping` names a header the files do not have.
    ReadError
        For an unsupported file type, or several headers meaning the same column.
    toolkit.io.kinds.UnknownKindError
        For an unknown `kind` (a ValueError and a KeyError).
    ImportError
        When DuckDB is not installed (``pip install "toolkit[large]"``).

    Notes
    -----
    CSV files are read as UTF-8 (with or without BOM) by DuckDB. DuckDB cannot
    read GB18030/GBK here (its ``encodings`` extension would have to be
    downloaded), so such files are first transcoded with pyarrow, in a streaming
    pass, to temporary Parquet files that live as long as the table. Values are
    not normalised as ``read_table`` normalises them (vocabulary terms, 是/否):
    the functions that use yes/no columns accept booleans, 0/1 and 是/否 text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"提交日期": pd.to_datetime(["2024-01-02", "2024-01-05"]),
    ...               "是否答复": [True, False]}).to_parquet(folder / "part-0.parquet")
    >>> t = tk.io.scan(folder / "*.parquet", kind="submissions")
    >>> t.columns, t.count()
    (['date', 'responded'], 2)
    """
    duckdb = import_duckdb()
    if kind is not None:
        check_kind(kind)
    source = str(path)
    files = _expand(path)
    suffixes = {f.suffix.lower() for f in files}
    con = duckdb.connect()
    if memory_limit is not None:
        con.execute(f"SET memory_limit = {_literal(memory_limit)}")
    keep = None
    if suffixes <= {".parquet", ".pq"}:
        listing = ", ".join(_literal(f.as_posix()) for f in files)
        rel = con.sql(f"SELECT * FROM read_parquet([{listing}], union_by_name = true)")
    elif suffixes <= {".csv", ".txt"}:
        encodings = {_csv_encoding(f) for f in files}
        if encodings <= {"utf-8", "utf-8-sig"}:
            listing = ", ".join(_literal(f.as_posix()) for f in files)
            rel = con.sql(f"SELECT * FROM read_csv([{listing}], header = true, "
                          "union_by_name = true)")
        else:
            if len(encodings) > 1:
                msg = (f"The files of {source!r} have different encodings ({sorted(encodings)}); "
                       "scan them separately.")
                raise ReadError(msg)
            keep = _TempFolder()
            parts = _transcode(files, encodings.pop(), Path(keep.name))
            listing = ", ".join(_literal(f.as_posix()) for f in parts)
            rel = con.sql(f"SELECT * FROM read_parquet([{listing}])")
    else:
        msg = (f"`scan` reads Parquet and CSV files, not {sorted(suffixes)} ({source!r}). "
               "Read other formats with `tk.read_table` and save them as Parquet.")
        raise ReadError(msg)
    headers = list(rel.columns)
    final = _map(headers, kind, mapping, source)
    if any(final[h] != h for h in headers):
        rel = rel.project(", ".join(f"{_quote(h)} AS {_quote(final[h])}" for h in headers))
    return LazyTable(rel, connection=con, source=source, header_map=final, _keep=keep)


# the list of functions that accept a lazy table has one owner: toolkit._checks
scan.__doc__ = (scan.__doc__ or "").replace("        {large_data_functions}",
                                            large_data_list(" " * 8))
