"""Running parameterised notebooks and exporting them as HTML and Word."""

from __future__ import annotations

import ast
import base64
import copy
import re
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from toolkit._checks import close_matches
from toolkit.errors import ToolkitError
from toolkit.report._format import Lang, check_lang

__all__ = ["inject_parameters", "notebook_report", "run_notebook"]

_FORMATS = {"html", "docx", "ipynb", "md"}
_HIDE = {"remove-cell", "remove-output", "hide-output", "remove_cell", "hide"}


def _parameter_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        for t in targets:
            if isinstance(t, ast.Name):
                names.add(t.id)
    return names


def inject_parameters(nb: Any, parameters: Mapping[str, Any]) -> Any:
    r"""A copy of notebook `nb` with a cell setting `parameters` (papermill convention).

    The new cell (tagged ``injected-parameters``) goes right after the cell
    tagged ``parameters``, or first when there is none. Values are written with
    ``repr``, so they must be Python literals (numbers, strings, bools, None,
    lists, dicts).

    Raises
    ------
    ValueError
        When a parameter is not assigned in the ``parameters`` cell (a typo
        would otherwise run the notebook with its default value), or a value
        has no literal form.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("town = '全区'", metadata={"tags": ["parameters"]}),
    ...     nbformat.v4.new_code_cell("print(town)")])
    >>> new = tk.report.inject_parameters(nb, {"town": "东街道"})
    >>> new.cells[1].source
    "# Parameters\ntown = '东街道'"
    """
    import nbformat

    nb = copy.deepcopy(nb)
    index = next((i for i, c in enumerate(nb.cells)
                  if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if index is not None:
        known = _parameter_names(nb.cells[index].source)
        unknown = [k for k in parameters if k not in known]
        if unknown:
            hints = []
            for k in unknown:
                close = close_matches(k, sorted(known), n=1)
                hints.append(f"`{k}`" + (f" (did you mean `{close[0]}`?)" if close else ""))
            msg = (f"Parameter(s) {', '.join(hints)} are not set in the notebook's "
                   f"`parameters` cell, which defines: {', '.join(sorted(known)) or 'nothing'}.")
            raise ValueError(msg)
    lines = ["# Parameters"]
    for key, value in parameters.items():
        text = repr(value)
        try:
            ast.literal_eval(text)
        except (ValueError, SyntaxError) as exc:
            msg = (f"Parameter `{key}` = {text} is not a Python literal; pass numbers, "
                   "text, booleans, None, lists or dicts.")
            raise ValueError(msg) from exc
        lines.append(f"{key} = {text}")
    cell = nbformat.v4.new_code_cell("\n".join(lines),
                                     metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(0 if index is None else index + 1, cell)
    return nb


class _TableParser(HTMLParser):
    """Collect the cells of the first ``<table>`` in an HTML fragment (pandas' repr)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.header_rows = 0
        self._cell: list[str] | None = None
        self._in_head = False
        self._done = False
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._done:
            return
        if tag == "table":
            self._depth += 1
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._depth:
            self.rows.append([])
            if self._in_head:
                self.header_rows += 1
        elif tag in {"td", "th"} and self._depth:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if self._done:
            return
        if tag in {"td", "th"} and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table":
            self._depth -= 1
            self._done = self._depth == 0

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_table(fragment: str) -> pd.DataFrame | None:
    """The first HTML table of a notebook output as a DataFrame of text, or None."""
    parser = _TableParser()
    parser.feed(fragment)
    rows = [r for r in parser.rows if r]
    if not rows:
        return None
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    n_head = max(parser.header_rows, 1)
    header = [" ".join(filter(None, col)).strip() for col in zip(*rows[:n_head], strict=True)]
    header = [h or ("" if i == 0 else f"{i}") for i, h in enumerate(header)]
    seen: dict[str, int] = {}
    unique = []
    for h in header:
        seen[h] = seen.get(h, 0) + 1
        unique.append(h if seen[h] == 1 else f"{h}.{seen[h] - 1}")
    return pd.DataFrame(rows[n_head:], columns=unique)


def _markdown_blocks(source: str) -> list[tuple[str, str, int]]:
    """Split Markdown into ("heading", text, level) and ("text", text, 0) blocks."""
    out: list[tuple[str, str, int]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            text = " ".join(para)
            text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
            text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
            text = re.sub(r"(\*\*|__|`)", "", text)
            if text.strip():
                out.append(("text", text.strip(), 0))
            para.clear()

    for line in source.splitlines():
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m:
            flush()
            out.append(("heading", m.group(2).strip(), len(m.group(1))))
        elif not line.strip():
            flush()
        else:
            para.append(re.sub(r"^\s*([-*+]|\d+\.)\s+", "", line).strip())
    flush()
    return out


def notebook_report(nb: Any, *, title: str | None = None, lang: Lang = "zh") -> Any:
    r"""Build a :class:`Report` from an executed notebook: its Markdown and its outputs.

    Markdown headings become headings (the first level-1 heading is the title),
    Markdown paragraphs text; PNG outputs become numbered figures and HTML
    tables (DataFrames) numbered tables. Code is left out, and cells tagged
    ``remove-cell``/``remove-output`` are skipped.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("# 镇街报告\n\n## 数据\n\n本节说明数据来源。")])
    >>> rep = tk.report.notebook_report(nb)
    >>> rep.title, rep.headings
    ('镇街报告', ['1 数据'])
    """
    from toolkit.report.document import Report

    blocks: list[tuple[str, Any, int]] = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & _HIDE or "injected-parameters" in tags or "parameters" in tags:
            continue
        if cell.cell_type == "markdown":
            blocks.extend(_markdown_blocks(cell.source))
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "image/png" in data:
                    blocks.append(("figure", base64.b64decode(data["image/png"]), 0))
                elif "text/html" in data and "<table" in data["text/html"]:
                    frame = html_table(data["text/html"])
                    if frame is not None:
                        blocks.append(("table", frame, 0))
                elif output.get("output_type") == "stream" and output.get("name") == "stdout":
                    text = output.get("text", "").strip()
                    if text:
                        blocks.append(("text", text, 0))
    if title is None:
        first = next((i for i, b in enumerate(blocks) if b[0] == "heading" and b[2] == 1), None)
        if first is not None:
            title = str(blocks.pop(first)[1])
    report = Report(title or "Notebook", lang=lang)
    for kind, value, level in blocks:
        if kind == "heading":
            report.heading(str(value), level=min(max(level - 1, 1), 3))
        elif kind == "text":
            report.text(str(value))
        elif kind == "figure":
            report.figure(value)
        elif kind == "table":
            report.table(value, suppress=False)
    return report


def run_notebook(
    path: str | Path,
    *,
    parameters: Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    formats: Sequence[str] = ("html", "docx"),
    kernel_name: str | None = None,
    timeout: int = 600,
    lang: Lang = "zh",
    progress: bool | None = None,
) -> dict[str, Path]:
    r"""Execute a parameterised notebook and export it as HTML and Word.

    Parameters are injected as papermill does: a cell setting them is put right
    after the cell tagged ``parameters``. The notebook runs with nbclient in
    its own folder (so relative paths in it work); the executed notebook is
    always written, then each format asked for.

    Parameters
    ----------
    path : str or Path
        The ``.ipynb`` file.
    parameters : dict, optional
        Name → value (Python literals), e.g. ``{"town": "东街道", "year": 2023}``.
    out : str or Path, optional
        Output folder (default: ``<notebook name>-report`` beside the notebook).
    formats : sequence of {"html", "docx", "md", "ipynb"}, default ("html", "docx")
        Exports: HTML through nbconvert (outputs embedded), Word and Markdown
        through :class:`Report` built from the Markdown cells and the outputs
        (figures and tables; code left out).
    kernel_name : str, optional
        Jupyter kernel (default: the notebook's own, else ``python3``).
    timeout : int, default 600
        Seconds allowed per cell.
    lang : {"zh", "en"}, default "zh"
        Language of the Word/Markdown report's fixed words.
    progress : bool, optional
        Progress bar over the cells (default: only in a terminal or notebook).

    Returns
    -------
    dict
        Format → path written (``"ipynb"`` always included).

    Raises
    ------
    FileNotFoundError
        When the notebook does not exist.
    ValueError
        For an unknown format or a parameter the notebook does not define.
    ToolkitError
        When a cell fails; the partly executed notebook is written first and
        the message names the cell.

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("# 示例"),
    ...     nbformat.v4.new_code_cell("n = 1", metadata={"tags": ["parameters"]}),
    ...     nbformat.v4.new_code_cell("print(n * 2)")])
    >>> nbformat.write(nb, folder / "示例.ipynb")
    >>> paths = tk.report.run_notebook(folder / "示例.ipynb", parameters={"n": 21},
    ...                                out=folder / "out", formats=["ipynb"])
    >>> nbformat.read(paths["ipynb"], as_version=4).cells[-1].outputs[0]["text"]
    '42\n'
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    check_lang(lang)
    path = Path(path)
    if not path.is_file():
        msg = f"Notebook not found: {path}."
        raise FileNotFoundError(msg)
    unknown = set(formats) - _FORMATS
    if unknown:
        msg = f"Unknown format(s) {sorted(unknown)} in `formats`; use {sorted(_FORMATS)}."
        raise ValueError(msg)
    out = Path(out) if out is not None else path.with_name(f"{path.stem}-report")
    out.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(path, as_version=4)
    nb = inject_parameters(nb, dict(parameters or {}))
    kernel = kernel_name or nb.metadata.get("kernelspec", {}).get("name") or "python3"
    code_cells = sum(c.cell_type == "code" for c in nb.cells)
    bar = tqdm(total=code_cells, desc=path.name, unit="cell", disable=(
        None if progress is None else not progress), leave=False)

    def _advance(**_: Any) -> None:
        bar.update(1)

    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel,
                            resources={"metadata": {"path": str(path.parent.resolve())}},
                            on_cell_executed=_advance)
    written: dict[str, Path] = {}
    executed = out / f"{path.stem}.ipynb"
    try:
        client.execute()
    except CellExecutionError as exc:
        nbformat.write(nb, executed)
        msg = (f"Notebook {path.name} failed while running; the partly executed notebook is "
               f"in {executed}.\n{exc}")
        raise ToolkitError(msg) from exc
    finally:
        bar.close()
    nbformat.write(nb, executed)
    written["ipynb"] = executed
    if "html" in formats:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter(embed_images=True).from_notebook_node(nb)
        target = out / f"{path.stem}.html"
        target.write_text(body, encoding="utf-8")
        written["html"] = target
    if "docx" in formats or "md" in formats:
        report = notebook_report(nb, lang=lang)
        if "docx" in formats:
            written["docx"] = report.to_docx(out / f"{path.stem}.docx", progress=progress)
        if "md" in formats:
            written["md"] = report.to_markdown(out / f"{path.stem}.md")
    return written
