"""Regenerate the page previews of the demo report: ``docs/report-preview/{zh,en}/page-NN.png``.

Builds the demo report in Chinese and in English (``toolkit demo --pdf``, with a
fixed cover date so that the pages do not change from one month to the next),
converts it to PDF with LibreOffice and renders every page as a small PNG with
poppler's ``pdftoppm``. Reviewers look at these pages in the repository without
building anything.

Run from the repository root::

    python docs/report-preview/make_preview.py            # both languages
    python docs/report-preview/make_preview.py --lang en  # one
    python docs/report-preview/make_preview.py --dpi 50   # another resolution

Needs LibreOffice (``soffice``) and poppler-utils (``pdftoppm``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATES = {"zh": "2024年1月", "en": "January 2024"}


def render(lang: str, dpi: int) -> list[Path]:
    """Build the demo report in `lang`, convert it to PDF and write its pages as PNG."""
    from toolkit.report.demo import build_demo

    target = HERE / lang
    with tempfile.TemporaryDirectory(prefix=f"toolkit-preview-{lang}-") as tmp:
        paths = build_demo(Path(tmp) / "demo", lang, date=DATES[lang], pdf=True,
                           progress=False)
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(paths["pdf"]),
                        str(target / "page")], check=True)
    pages = sorted(target.glob("page-*.png"))
    width = len(str(len(pages)))
    renamed = []
    for i, page in enumerate(pages, 1):  # pdftoppm pads to the page count; fix two digits
        new = page.with_name(f"page-{i:0{max(width, 2)}d}.png")
        page.rename(new)
        renamed.append(new)
    return renamed


def main(argv: list[str] | None = None) -> int:
    """Render the previews; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["zh", "en"], action="append")
    parser.add_argument("--dpi", type=int, default=40, help="resolution of the pages")
    args = parser.parse_args(argv)
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"error: {tool} is not installed (LibreOffice, poppler-utils)",
                  file=sys.stderr)
            return 2
    for lang in args.lang or ["zh", "en"]:
        pages = render(lang, args.dpi)
        print(f"{lang}: {len(pages)} pages in {HERE / lang}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
