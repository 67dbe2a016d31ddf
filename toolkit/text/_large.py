"""Texts in batches: parallel segmentation and coding, lazy tables and Dask DataFrames.

A city hotline has millions of texts. :func:`map_texts` cuts a list of texts into
chunks and runs a worker function over them, in this process or in a pool of
processes (``n_jobs``), with at most two chunks per process in flight so memory
stays bounded, and a tqdm progress bar. A LazyTable (``tk.io.scan``) is read in
Arrow batches of its id and text columns only; a Dask DataFrame is processed
partition by partition on the active scheduler.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.errors import ArgumentError

__all__ = ["CHUNK", "code", "map_texts", "tokens"]

#: Texts per chunk sent to a worker process.
CHUNK = 5000
#: Rows per Arrow batch read from a lazy table.
BATCH = 50_000

Worker = Callable[[Any, list[str], dict], list[Any]]

#: Columns tried, in order, as the document id when `id` is not given.
ID_COLUMNS = ("document_id", "submission_id", "session_id", "activity_id", "id")


def text_columns(text: str | Sequence[str]) -> list[str]:
    """The text column(s) named by `text`, as a list."""
    cols = [text] if isinstance(text, str) else list(text)
    if not cols:
        msg = "`text` names no column; give the text column, e.g. `text=\"body\"`."
        raise ArgumentError(msg)
    return cols


def _run(fn: Worker, seg: Any, texts: list[str], options: dict) -> list[Any]:
    return fn(seg, texts, options)


def _context() -> Any:
    # forkserver: no fork of a process that runs threads (Jupyter, DuckDB); spawn elsewhere
    method = "forkserver" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def _check_jobs(n_jobs: int) -> int:
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs == 0 or n_jobs < -1:
        msg = f"`n_jobs` must be a positive whole number or -1 (every core), not {n_jobs!r}."
        raise ArgumentError(msg)
    return (os.cpu_count() or 1) if n_jobs == -1 else n_jobs


def _bar(total: int | None, progress: bool | None, desc: str, /) -> Any:  # noqa: FBT001
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="text", leave=False, mininterval=0.5,
                disable=None if progress is None else not progress)


def _chunks(texts: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(texts), size):
        yield list(texts[start:start + size])


def _pool(n_jobs: int) -> Any:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=n_jobs, mp_context=_context())


def iter_results(fn: Worker, chunks: Iterator[Any], seg: Any, *, n_jobs: int,
                 options: dict, bar: Any, pool: Any = None) -> Iterator[Any]:
    """Results of `fn` per chunk, in order; at most ``2 * n_jobs`` chunks in flight.

    A chunk is a list of texts, or an ``(ids, texts)`` pair; `pool` (a process pool
    kept open across calls) avoids starting the workers again for every batch.
    """
    def size(chunk: Any) -> int:
        return len(chunk[1]) if isinstance(chunk, tuple) else len(chunk)

    if n_jobs == 1:
        for chunk in chunks:
            result = fn(seg, chunk, options)
            bar.update(size(chunk))
            yield result
        return
    own = pool is None
    pool = _pool(n_jobs) if own else pool
    try:
        pending: list[tuple[Any, int]] = []
        for chunk in chunks:
            pending.append((pool.submit(_run, fn, seg, chunk, options), size(chunk)))
            while len(pending) >= 2 * n_jobs:
                future, k = pending.pop(0)
                result = future.result()
                bar.update(k)
                yield result
        for future, k in pending:
            result = future.result()
            bar.update(k)
            yield result
    finally:
        if own:
            pool.shutdown()


def map_texts(fn: Worker, texts: Sequence[str], seg: Any, *, n_jobs: int = 1,
              progress: bool | None = None, options: dict | None = None,
              desc: str = "texts") -> list[Any]:
    """``fn(seg, chunk, options)`` over chunks of `texts`; one result per text, in order."""
    n_jobs = _check_jobs(n_jobs)
    size = CHUNK if n_jobs == 1 else max(200, min(CHUNK, len(texts) // (4 * n_jobs) or 1))
    show = progress if progress is not None else (False if len(texts) < 20_000 else None)
    out: list[Any] = []
    with _bar(len(texts), show, desc) as bar:
        for result in iter_results(fn, _chunks(texts, size), seg, n_jobs=n_jobs,
                                   options=options or {}, bar=bar):
            out.extend(result)
    return out


# ---------------------------------------------------------------------------
# lazy tables and Dask DataFrames
# ---------------------------------------------------------------------------


def _columns(data: Any, text: str | Sequence[str], id: str | None) -> tuple[list[str], str]:
    from toolkit._checks import require_columns

    cols = text_columns(text)
    require_columns(data, {"text": cols, "id": id})
    if id is None:
        id = next((c for c in ID_COLUMNS if c in [str(c) for c in data.columns]), None)
    if id is None:
        msg = ("Large tables need a document id column: give it with `id=` (e.g. "
               "`id=\"submission_id\"`); lazy tables and Dask DataFrames have no usable index.")
        raise ArgumentError(msg)
    return cols, id


def _frame_docs(frame: pd.DataFrame, cols: list[str], id: str) -> tuple[list[Any], list[str]]:
    texts = []
    for values in zip(*(frame[c].tolist() for c in cols), strict=True):
        texts.append("\n".join(v for v in values if isinstance(v, str) and v.strip()))
    return frame[id].tolist(), texts


def _id_chunks(ids: list[Any], texts: list[str], size: int) -> Iterator[tuple[list, list]]:
    for start in range(0, len(texts), size):
        yield ids[start:start + size], texts[start:start + size]


def _lazy_batches(data: Any, cols: list[str], id: str) -> Iterator[pd.DataFrame]:
    from toolkit._engines import quote

    rel = data.relation.project(", ".join(quote(c) for c in dict.fromkeys([id, *cols])))
    reader = (rel.to_arrow_reader(BATCH) if hasattr(rel, "to_arrow_reader")
              else rel.fetch_arrow_reader(BATCH))
    for batch in reader:
        yield batch.to_pandas()


def tokens(data: Any, *, text: Any, id: str | None, pos: bool, segmenter: Any,
           out: str | Path | None, n_jobs: int, progress: bool | None,
           rows: Worker, frame: Callable[..., pd.DataFrame], table: Worker) -> Any:
    """Token tables of a LazyTable (Parquet files in `out`) or a Dask DataFrame.

    `rows` gives the token rows of texts, `frame` the token table of ids and rows,
    `table` the Arrow token table of an ``(ids, texts)`` chunk (run in the workers).
    """
    from toolkit._engines import engine

    _token_rows, _token_frame = rows, frame

    cols, id = _columns(data, text, id)
    kind = engine(data)
    if kind == "dask":
        def part(chunk: pd.DataFrame) -> pd.DataFrame:
            ids, texts = _frame_docs(chunk, cols, id)
            return _token_frame(ids, _token_rows(segmenter, texts, {"pos": pos}), id, pos=pos)

        meta = _token_frame([], [], id, pos=pos)
        result = data[list(dict.fromkeys([id, *cols]))].map_partitions(part, meta=meta)
        if out is not None:
            result.to_parquet(str(out))
        return result
    if out is None:
        msg = ("The tokens of a lazy table (tk.io.scan) can be far larger than memory: give "
               "`out=` (a folder) and they are written there as Parquet files, returned as a "
               "lazy table over them.")
        raise ArgumentError(msg)
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.glob("*.parquet")):
        msg = f"The folder {folder} given as `out` already holds Parquet files; give an empty one."
        raise ArgumentError(msg)
    n_jobs = _check_jobs(n_jobs)
    total = data.count()
    options = {"pos": pos, "id": id}
    pool = _pool(n_jobs) if n_jobs > 1 else None
    try:
        with _bar(total, progress, "tokens") as bar:
            for i, batch in enumerate(_lazy_batches(data, cols, id)):
                ids, texts = _frame_docs(batch, cols, id)
                parts = list(iter_results(table, _id_chunks(ids, texts, CHUNK),
                                          segmenter, n_jobs=n_jobs, options=options, bar=bar,
                                          pool=pool))
                arrow = pa.concat_tables(parts) if parts else pa.Table.from_pandas(
                    _token_frame([], [], id, pos=pos), preserve_index=False)
                pq.write_table(arrow, folder / f"part-{i:05d}.parquet")
    finally:
        if pool is not None:
            pool.shutdown()
    if not any(folder.glob("*.parquet")):
        pq.write_table(pa.Table.from_pandas(_token_frame([], [], id, pos=pos),
                                            preserve_index=False), folder / "part-00000.parquet")
    from toolkit.io import scan

    return scan(folder / "*.parquet")


def code(data: Any, codebook: Any, *, text: Any, id: str | None, segmenter: Any,
         audit: bool, n_jobs: int, progress: bool | None, worker: Worker
         ) -> tuple[list[Any], list[Any], str]:
    """Per-document coding results of a LazyTable or Dask DataFrame: ids, results, id name.

    `worker` codes a list of texts (run in the worker processes).
    """
    from toolkit._engines import dask_parts, engine

    _code_rows = worker

    cols, id = _columns(data, text, id)
    options = {"codebook": codebook, "audit": audit}
    ids: list[Any] = []
    rows: list[Any] = []
    if engine(data) == "dask":
        def part(frame: pd.DataFrame) -> tuple[list[Any], list[Any]]:
            pids, texts = _frame_docs(frame, cols, id)
            return pids, _code_rows(segmenter, texts, options)

        for pids, prow in dask_parts(data, part, columns=[id, *cols]):
            ids.extend(pids)
            rows.extend(prow)
        return ids, rows, id
    n_jobs = _check_jobs(n_jobs)
    pool = _pool(n_jobs) if n_jobs > 1 else None
    try:
        with _bar(data.count(), progress, "coding") as bar:
            for batch in _lazy_batches(data, cols, id):
                bids, texts = _frame_docs(batch, cols, id)
                ids.extend(bids)
                for result in iter_results(_code_rows, _chunks(texts, CHUNK), segmenter,
                                           n_jobs=n_jobs, options=options, bar=bar,
                                           pool=pool):
                    rows.extend(result)
    finally:
        if pool is not None:
            pool.shutdown()
    return ids, rows, id
