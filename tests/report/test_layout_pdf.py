"""The demo report's tables as a reader sees them (issue 17): converted to PDF by LibreOffice
(when installed), no number cell wraps and no header breaks mid-word; every table keeps one
number style; the English report's tables are in English."""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings

import matplotlib.pyplot as plt
import pytest

from toolkit.errors import ToolkitWarning
from toolkit.report._layout import units
from toolkit.schema import has_chinese

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")


pytestmark = pytest.mark.slow  # builds the demo report twice (about 20 s)


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory):
    """The demo report in Chinese and in English (one build each), and the warnings of each."""
    from toolkit.report.demo import build_study_report, load_demo

    study, panel = load_demo()
    out = {}
    for lang in ("zh", "en"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ToolkitWarning)
            made = build_study_report(study, lang=lang, panel=panel, progress=False)
        path = made.report.to_docx(tmp_path_factory.mktemp(lang) / "report.docx",
                                   progress=False)
        plt.close("all")  # the study report keeps its figures open (for SVG files)
        out[lang] = (made.report, path, [str(w.message) for w in caught
                                          if issubclass(w.category, ToolkitWarning)])
    return out


def _tables(report):
    return [b for b in report.blocks if b.kind == "table"]


def test_demo_tables_keep_one_number_style(demo_reports):
    report, _, _ = demo_reports["zh"]
    for block in _tables(report):
        t = block.table
        assert t.style in {None, "percent", "count"}, t.caption  # never proportions
        for col in t.frame.columns:
            if re.search(r"比例|率$", str(col)):  # a share column says it is in percent
                assert "%" in str(col), (t.caption, col)
            if "%" in str(col) and "CI" not in str(col):
                values = [v for v in t.frame[col] if v]
                assert all(not re.fullmatch(r"0\.\d{3}", v) for v in values), (t.caption, col)


def test_english_demo_tables_are_in_english(demo_reports):
    report, _, messages = demo_reports["en"]
    kept = " ".join(messages)
    for block in _tables(report):
        t = block.table
        texts = [*map(str, t.frame.columns), *t.frame.to_numpy().ravel().tolist(),
                 t.caption or "", t.note_text()]
        if "quoted as written" in t.note_text():  # words of the texts themselves
            texts = [*map(str, t.frame.columns), t.caption or ""]
        chinese = [x for x in texts if has_chinese(x)]
        # what stays Chinese is only what a warning listed (labels the data lack in English)
        assert all(x in kept for x in chinese), (t.caption, chinese)
    # the panel's items have no English label in the data: the report names them in words,
    # never by their raw names
    shown = " ".join(" ".join(map(str, [*b.table.frame.columns,
                                        *b.table.frame.to_numpy().ravel()]))
                     for b in _tables(report))
    assert not re.search(r"\bop[1-4]\b", shown)


def _layout_text(path, tmp_path):
    profile = tmp_path / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / path.with_suffix(".pdf").name
    return subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout


def _regions(text, report):
    """Lines of the PDF from each table's caption to the next caption, with its Table."""
    lines = text.replace("\f", "\n").splitlines()
    starts = []
    for block in _tables(report):
        title = block.table.title(block.number)
        key = re.sub(r"\s+", "", title)
        at = next(i for i, line in enumerate(lines) if re.sub(r"\s+", "", line) == key)
        starts.append((at, block.table))
    caption = re.compile(r"^\s*(表|图|续表)\s?\d+")
    out = []
    for at, table in starts:
        end = next((i for i in range(at + 1, len(lines)) if caption.match(lines[i])
                    and not lines[i].strip().startswith("续表")), len(lines))
        out.append((table, lines[at + 1:end]))
    return out


@pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None,
                    reason="LibreOffice and pdftotext are needed to look at the pages")
def test_pdf_of_the_demo_has_no_wrapped_number_and_no_broken_header(demo_reports, tmp_path):
    report, path, _ = demo_reports["zh"]
    text = _layout_text(path, tmp_path)
    for table, lines in _regions(text, report):
        numeric = table.numeric_columns()
        first = re.sub(r"\s+", "", next(v for v in table.frame.iloc[:, 0] if v.strip()))[:4]
        head_end = next(i for i, line in enumerate(lines) if first in re.sub(r"\s+", "", line))
        head = [re.sub(r"\s+", "", line) for line in lines[:head_end]]
        for name in table.frame.columns:  # each word of a header stays on one line
            for word in units(str(name), header=True):
                assert any(word.replace(" ", "") in line for line in head), (
                    table.caption, name, word, lines[:head_end])
        tokens: dict[str, int] = {}
        for line in lines:
            for tok in re.split(r"\s+", line.strip()):
                tokens[tok] = tokens.get(tok, 0) + 1
        for j, col in enumerate(table.frame.columns):
            if not numeric[j]:
                continue
            want: dict[str, int] = {}
            for cell in table.frame[col]:
                for tok in cell.split():
                    want[tok] = want.get(tok, 0) + 1
            for tok, n in want.items():  # a wrapped number would be two tokens on two lines
                assert tokens.get(tok, 0) >= n, (table.caption, col, tok)
    # a table that runs over a page goes on under 续表N, with its header
    assert re.search(r"^\s*续表\s?\d+\s*$", text, re.M)
