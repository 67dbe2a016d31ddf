"""``toolkit demo``: time to build the demo study's report, by step.

Target: the whole report (load the bundled study, every section, Word, HTML, each figure
as 300-dpi PNG and SVG) in under 60 s on a 2-core machine. Printed beside it: the time
to load the study, to compute and draw the sections, to write the Word and HTML files and
to save the figures, and the CPU time of the process (wall time grows when other work
shares the cores).

Run: ``python benchmarks/bench_report_demo.py``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import matplotlib as mpl

from toolkit.report import demo

mpl.use("Agg")

TARGET_S = 60.0


def main() -> None:
    cpu0, t0 = time.process_time(), time.perf_counter()
    study, panel = demo.load_demo()
    t_load = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        made = demo.build_study_report(study, lang="zh", panel=panel, progress=False)
        t_sections = time.perf_counter() - t1
        t2 = time.perf_counter()
        made.report.to_docx(Path(tmp) / "report.docx", progress=False)
        made.report.to_html(Path(tmp) / "report.html")
        t_write = time.perf_counter() - t2
        t3 = time.perf_counter()
        for name, fig in made.figures.items():
            fig.savefig(Path(tmp) / f"{name}.svg")
        t_svg = time.perf_counter() - t3
    total = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    rows = [("load study", t_load), ("sections (analyses, figures at 300 dpi)", t_sections),
            ("write docx + html", t_write), ("save figures as SVG", t_svg),
            ("total (wall)", total), ("total (CPU of this process)", cpu)]
    print(f"{'step':45s} {'seconds':>8s}")
    for name, value in rows:
        print(f"{name:45s} {value:8.1f}")
    print(f"{'target (wall, 2 cores)':45s} {TARGET_S:8.1f}   "
          f"{'met' if total < TARGET_S else 'NOT met'}")
    print(f"sections left out: {[key for key, _, _ in made.skipped] or 'none'}")


if __name__ == "__main__":
    main()
