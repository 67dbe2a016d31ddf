"""Running a parameterised notebook and exporting it; the ``toolkit report`` command."""

from __future__ import annotations

import docx
import nbformat
import pytest

import toolkit as tk
from toolkit.cli import main


def _notebook(path, *, fail=False):
    cells = [
        nbformat.v4.new_markdown_cell("# 镇街协商报告\n\n本报告由参数化笔记本生成。"),
        nbformat.v4.new_code_cell("town = '全区'\nn = 3", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("## 平台"),
        nbformat.v4.new_code_cell(
            "%matplotlib inline\nimport pandas as pd\n"
            "import matplotlib.pyplot as plt\nimport toolkit as tk\n"
            "from IPython.display import display\n"
            "with tk.plot.style('zh'):\n"
            "    fig, ax = plt.subplots(figsize=(3, 2))\n"
            "    ax.bar(['微信群', '议事会'], [n, 2]); ax.set_title(town)\n"
            "    display(fig)\n"
            "plt.close(fig)\n"
            "display(pd.DataFrame({'镇街': [town], '次数': [n]}))"),
    ]
    if fail:
        cells.append(nbformat.v4.new_code_cell("1 / 0"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.slow  # starts a Jupyter kernel (about 3 s)
def test_cli_report_runs_and_exports(tmp_path, capsys):
    nb = _notebook(tmp_path / "报告.ipynb")
    out = tmp_path / "输出"
    assert main(["report", str(nb), "-p", "town", "东街道", "-p", "n", "1234",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "docx:" in printed
    executed = nbformat.read(out / "报告.ipynb", as_version=4)
    assert executed.cells[2].source == "# Parameters\ntown = '东街道'\nn = 1234"
    html = (out / "报告.html").read_text(encoding="utf-8")
    assert "东街道" in html
    doc = docx.Document(str(out / "报告.docx"))
    assert doc.core_properties.title == "镇街协商报告"
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == ["1 平台"]
    assert len(doc.inline_shapes) == 1
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[1][1:] == ["东街道", "1234"]


def test_unknown_parameter_is_refused_before_running(tmp_path):
    nb = _notebook(tmp_path / "a.ipynb")
    with pytest.raises(ValueError, match=r"`twon` \(did you mean `town`\?\)"):
        tk.report.run_notebook(nb, parameters={"twon": "东街道"}, out=tmp_path / "o")


@pytest.mark.slow  # starts a Jupyter kernel (about 3 s)
def test_failing_cell_keeps_the_partial_notebook(tmp_path):
    nb = _notebook(tmp_path / "b.ipynb", fail=True)
    with pytest.raises(tk.ToolkitError, match="ZeroDivisionError"):
        tk.report.run_notebook(nb, out=tmp_path / "o", formats=["html"])
    assert (tmp_path / "o" / "b.ipynb").exists()
