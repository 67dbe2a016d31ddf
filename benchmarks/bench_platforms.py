"""Survey-platform export benchmark: a 问卷星 answer-text export as GB18030 CSV.

Run on demand: ``python benchmarks/bench_platforms.py [--rows N]``. Prints the time
of the bare reader (pandas' C engine, every field as text), of
``tk.read_table(path, missing_codes=[...])`` (the same parsing and value
normalisation, without the export's structure), and of
``tk.io.read_survey_export`` (platform and mode detection, multiple-choice
expansion, rating scales, speeders), measured in the same run.

Target: ``read_survey_export`` at most 3x ``read_table`` with missing codes.

The data are generated (seeded) into a temporary folder and never committed:
six metadata columns, 20 single-choice rating items with ``(跳过)`` in 5% of
cells, a five-option 0/1 group, a ┋-joined multiple choice with ``其他〖…〗``,
a 3-row matrix and a free-text question.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

SCALE = ["非常不满意", "不满意", "一般", "满意", "非常满意"]


def make_file(rows: int, folder: Path) -> Path:
    """Write the seeded export (once per size)."""
    path = folder / f"wjx_{rows}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(20231108)
    frame = pd.DataFrame({
        "序号": np.arange(1, rows + 1),
        "提交答卷时间": [f"2023/11/{d} 09:{m:02d}:00" for d, m in
                   zip(rng.integers(1, 29, rows), rng.integers(0, 60, rows), strict=True)],
        "所用时间": [f"{s}秒" for s in rng.integers(30, 900, rows)],
        "来源": rng.choice(["微信", "手机提交", "链接"], rows),
        "来源详情": "N/A",
        "来自IP": [f"117.44.{a}.{b}(江西-南昌)" for a, b in
                 zip(rng.integers(0, 255, rows), rng.integers(0, 255, rows), strict=True)],
    })
    for q in range(1, 21):
        answers = rng.choice(SCALE, rows).astype(object)
        answers[rng.random(rows) < 0.05] = "(跳过)"
        frame[f"{q}、问题{q}的满意度："] = answers
    for option in ["居民议事会", "微信群", "听证会", "恳谈会", "其他"]:
        frame[f"21({option})"] = rng.integers(0, 2, rows)
    picks = ["居民议事会", "微信群议事", "项目听证会", "其他〖楼栋会〗"]
    frame["22、您参加过哪些协商活动？"] = [
        "┋".join(sorted(rng.choice(picks, k, replace=False), key=picks.index))
        for k in rng.integers(1, 4, rows)]
    for row in ["社区议事会", "居民说事点", "线上议事群"]:
        frame[f"23({row})"] = rng.choice(SCALE, rows)
    frame["24、您的建议："] = [f"建议第{i}条，希望多开会" for i in range(rows)]
    path.write_bytes(frame.to_csv(index=False, lineterminator="\r\n").encode("gb18030"))
    return path


def _time(func, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Run the benchmark and print the times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    import toolkit as tk

    folder = Path(tempfile.gettempdir()) / "toolkit_bench_platforms"
    folder.mkdir(exist_ok=True)
    path = make_file(args.rows, folder)
    warnings.simplefilter("ignore")
    bare = _time(lambda: pd.read_csv(path, encoding="gb18030", dtype=str))
    peer = _time(lambda: tk.read_table(path, missing_codes=["(跳过)", "(空)"]))
    ours = _time(lambda: tk.io.read_survey_export(path))
    print(f"{args.rows:,} rows x 35 columns, GB18030 CSV ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"  pandas read_csv (text, floor)        {bare:7.2f} s")
    print(f"  tk.read_table + missing codes (peer) {peer:7.2f} s   {peer / bare:5.1f}x floor")
    print(f"  tk.io.read_survey_export             {ours:7.2f} s   {ours / bare:5.1f}x floor, "
          f"{ours / peer:4.1f}x peer (target <= 3x peer)")


if __name__ == "__main__":
    main()
