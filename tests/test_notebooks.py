"""The notebooks in ``notebooks/`` run from top to bottom without error.

Every notebook is executed with nbclient in its own folder (kernel ``python3``),
writing its files into a temporary folder (environment variable
``TOOLKIT_NOTEBOOK_OUTPUT``, or the ``output_dir`` parameter of a parameterised
notebook). Cells that show an error on purpose carry the tag
``raises-exception``. The commissioned-report notebook is run a second time
with non-default parameters through ``toolkit report`` (which calls
``tk.report.run_notebook``); one teaching notebook is converted to a slide deck.

Each notebook takes several seconds (a kernel start plus loading the demo
study), hence the ``slow`` marks; all of them together stay within about four
minutes on two cores.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ALL = sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
TEACHING = [p for p in ALL if p.parent.name == "teaching"]
REPORT = NOTEBOOKS / "06_commissioned_report.ipynb"
CELL_TIMEOUT = 300  # seconds per cell; the slowest cell takes a few seconds
OUTPUT_ENV = "TOOLKIT_NOTEBOOK_OUTPUT"


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(NOTEBOOKS).as_posix() for p in paths]


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _has_parameters(nb) -> bool:
    return any("parameters" in _tags(c) for c in nb.cells)


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if ".ipynb_checkpoints" not in p.parts}


def _docx_text(path: Path) -> tuple[list[str], str]:
    import docx

    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs
                if p.style is not None and p.style.name.startswith(("Heading", "Title"))]
    return headings, "\n".join(p.text for p in document.paragraphs)


def test_notebooks_found():
    names = _ids(ALL)
    for expected in ("00_quickstart.ipynb", "01_your_own_files.ipynb",
                     "02_residents_survey.ipynb", "03_stakeholder_networks.ipynb",
                     "04_sessions_and_responsiveness.ipynb", "05_deliberation_change.ipynb",
                     "06_commissioned_report.ipynb"):
        assert expected in names
    assert len(TEACHING) >= 4


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_stored_without_outputs(path):
    nb = _read(path)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has stored outputs"
            assert cell.execution_count is None, f"{path.name}: execution count stored"
    assert nb.metadata["kernelspec"]["name"] == "python3"


_DRAWS = re.compile(r"\btk\.plot\.(?!style\b)[a-z]\w*\(")
_PRIVATE = re.compile(r"\b(?:tk|toolkit)(?:\.\w+)*\._\w")


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_public_api_only(path):
    for cell in _read(path).cells:
        if cell.cell_type == "code":
            assert not _PRIVATE.search(cell.source), f"{path.name}: private name in\n{cell.source}"
            assert "from toolkit." not in cell.source, f"{path.name}: import a namespace via tk"


@pytest.mark.parametrize("path", TEACHING, ids=_ids(TEACHING))
def test_teaching_notebook_layout(path):
    nb = _read(path)
    assert all("slide_type" in c.metadata.get("slideshow", {}) for c in nb.cells)
    assert any("solution" in _tags(c) for c in nb.cells), "solutions are tagged `solution`"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for part in ("学习目标", "术语", "练习"):
        assert part in text, f"{path.name} lacks a {part} section"


@pytest.mark.slow
@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_notebook_runs(path, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv(OUTPUT_ENV, str(tmp_path))  # the kernel inherits it
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline figures, as in Jupyter
    nb = _read(path)
    if _has_parameters(nb):
        import toolkit as tk

        nb = tk.report.inject_parameters(nb, {"output_dir": str(tmp_path)})
    before = _files(path.parent)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on an error in an untagged cell
    errors = [c for c in nb.cells if c.cell_type == "code"
              and any(o.get("output_type") == "error" for o in c.outputs)]
    assert all("raises-exception" in _tags(c) for c in errors)
    for cell in nb.cells:  # every cell that draws shows its figure
        if cell.cell_type == "code" and _DRAWS.search(cell.source):
            assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source
    assert _files(path.parent) == before, "the notebook wrote into the repository"
    if path == REPORT:
        headings, _ = _docx_text(tmp_path / "report.docx")
        assert any(h.endswith("居民对协商议事的满意度") for h in headings), headings


@pytest.mark.slow
def test_commissioned_report_with_parameters(tmp_path, capsys, monkeypatch):
    # `toolkit report` runs the notebook through tk.report.run_notebook, which
    # injects the parameters papermill-style after the cell tagged `parameters`
    from toolkit.cli import main

    monkeypatch.delenv("MPLBACKEND", raising=False)  # figures go into the exported notebook
    out = tmp_path / "out"
    status = main(["report", str(REPORT), "-p", "unit", "T03",
                   "-p", "period", "2023-01-01/2023-12-31", "-p", "lang", "en",
                   "-p", "output_dir", str(tmp_path / "report"),
                   "--out", str(out), "--format", "docx"])
    assert status == 0, capsys.readouterr().err
    headings, text = _docx_text(tmp_path / "report" / "report.docx")
    assert any(h.endswith("Residents' satisfaction with consultation") for h in headings)
    assert "2023-01-01 – 2023-12-31" in text  # the period parameter took effect
    assert "2022-" not in text
    import docx

    exported = docx.Document(str(out / "06_commissioned_report.docx"))  # the notebook as Word
    assert len(exported.inline_shapes) >= 2  # its figures (timeline, Likert) are embedded


def test_teaching_notebook_converts_to_slides():
    from nbconvert import SlidesExporter

    nb = _read(TEACHING[0])
    body, _ = SlidesExporter().from_notebook_node(nb)
    n_slides = sum(c.metadata["slideshow"]["slide_type"] == "slide" for c in nb.cells)
    assert n_slides >= 5
    assert body.count("<section") >= n_slides
    assert "reveal" in body.lower()
