"""Loading benchmark: a 1,000,000-row x 40-column survey CSV, UTF-8 and GB18030.

Run on demand: ``python benchmarks/bench_io.py [--rows N]``. Prints, for each
encoding, the time and peak memory of the fastest bare readers (``pyarrow.csv``
into an Arrow table; pandas' C engine) beside ``tk.read_table(kind="survey")``
with normalisation (and ``tk.validate`` when available), measured in the same
run, each in its own process so that peak memory is its own.

Targets (issue 14): ``read_table(kind="survey")`` at most 2x the fastest bare
reader measured in the same run, for UTF-8 and GB18030, and peak memory at most
2.5x the final DataFrame. The machine is shared, so the readers run in
alternating rounds and the ratio is the median of the per-round ratios (each
round's toolkit time over that round's fastest bare reader). The cost of the
structural pre-scan the reader makes to catch unterminated quotes and NUL bytes
is printed on its own.

The data are generated (seeded) into a temporary folder and never committed:
Likert items q1..q28 (1-5 with 98/99 codes in 2% of cells), Chinese categorical
strings (community, stratum, education, gender, age band, wave, party member
是/否), interview dates written as ``2023/11/8``, float weights.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
N_ITEMS = 28


def _reset_peak() -> None:
    """Reset the peak-RSS mark of this process (Linux), so the peak is the read's own."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        pass


def _peak_rss_mb() -> float | None:
    """Peak resident memory of this process in MB (VmHWM; ru_maxrss elsewhere)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    try:
        import resource
    except ImportError:  # Windows: no resource module
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float | None:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return _peak_rss_mb()


def make_files(rows: int, folder: Path) -> dict[str, Path]:
    """Write the seeded survey CSV in UTF-8 and GB18030 (once per size)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    utf8 = folder / f"survey_{rows}_utf8.csv"
    gb = folder / f"survey_{rows}_gb18030.csv"
    if utf8.exists() and gb.exists():
        return {"UTF-8": utf8, "GB18030": gb}
    rng = np.random.default_rng(20231108)
    towns = np.array(["东城街道", "西城街道", "南湖镇", "北山镇", "高新区街道", "滨江街道"])
    education = np.array(["小学及以下", "初中", "高中/中专", "大专", "本科", "研究生"])
    bands = np.array(["18-29岁", "30-44岁", "45-59岁", "60岁及以上"])
    days = np.array([f"2023/{m}/{d}" for m in range(9, 13) for d in range(1, 29)])
    age = rng.integers(18, 90, rows)
    cols = {
        "问卷编号": np.char.add("R", np.char.zfill(np.arange(1, rows + 1).astype(str), 7)),
        "社区编码": np.char.add("C", np.char.zfill(rng.integers(1, 140, rows).astype(str), 3)),
        "测量波次": np.where(rng.random(rows) < 0.5, "前测", "后测"),
        "权重": np.round(rng.uniform(0.5, 3.0, rows), 4),
        "层": towns[rng.integers(0, len(towns), rows)],
        "群": np.char.add("G", rng.integers(1, 400, rows).astype(str)),
        "性别": np.where(rng.random(rows) < 0.52, "女", "男"),
        "年龄": age,
        "年龄段": bands[np.digitize(age, [30, 45, 60])],
        "文化程度": education[rng.integers(0, len(education), rows)],
        "是否党员": np.where(rng.random(rows) < 0.3, "是", "否"),
        "调查日期": days[rng.integers(0, len(days), rows)],
    }
    for i in range(1, N_ITEMS + 1):
        item = rng.integers(1, 6, rows)
        codes = rng.random(rows)
        item[codes < 0.01] = 98
        item[(codes >= 0.01) & (codes < 0.02)] = 99
        cols[f"q{i}"] = item
    table = pa.table(cols)
    pacsv.write_csv(table, utf8, write_options=pacsv.WriteOptions(quoting_style="none"))
    gb.write_bytes(utf8.read_text(encoding="utf-8").encode("gb18030"))
    return {"UTF-8": utf8, "GB18030": gb}


def run_one(method: str, path: Path, encoding: str, repeat: int) -> dict:
    """Time one reader on one file (in this process); report time and memory."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    import toolkit as tk

    tk.read_table  # noqa: B018 - import the reader before measuring
    if method.endswith("validate"):  # import the validation engine before measuring
        tk.validate(pd.DataFrame({"respondent_id": ["R1"]}), kind="survey")
    _reset_peak()
    base = _rss_mb()
    times, size = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        if method == "pyarrow.csv":
            enc = "utf8" if encoding == "UTF-8" else "gb18030"
            table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding=enc))
            size = table.nbytes
        elif method == "pandas C engine":
            df = pd.read_csv(path, encoding="utf-8" if encoding == "UTF-8" else "gb18030",
                             engine="c")
            size = int(df.memory_usage(deep=True).sum())
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", tk.errors.ToolkitWarning)
                df = tk.read_table(path, kind="survey", missing_codes=[98, 99])
            if method.endswith("validate"):
                report = tk.validate(df, kind="survey")
                _ = report.problems
            size = int(df.memory_usage(deep=True).sum())
        times.append(time.perf_counter() - start)
        table = df = None  # free before the next repetition
    peak = _peak_rss_mb()
    return {"method": method, "encoding": encoding, "seconds": min(times),
            "peak_mb": None if peak is None or base is None else peak - base,
            "frame_mb": size / 2**20 if size else None, "arrow_mb": pa.total_allocated_bytes()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5,
                        help="alternating rounds of every reader (the ratio is their median)")
    parser.add_argument("--one", nargs=3, metavar=("METHOD", "PATH", "ENCODING"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        method, path, encoding = args.one
        print(json.dumps(run_one(method, Path(path), encoding, args.repeat)))
        return

    folder = Path(tempfile.gettempdir()) / "toolkit-bench"
    folder.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    files = make_files(args.rows, folder)
    print(f"data: {args.rows:,} rows x 40 columns, generated/found in "
          f"{time.perf_counter() - t0:.1f} s; UTF-8 {files['UTF-8'].stat().st_size / 2**20:.0f} "
          f"MB, GB18030 {files['GB18030'].stat().st_size / 2**20:.0f} MB")
    try:
        import toolkit.io.validation  # noqa: F401
        ours = ["read_table(kind='survey')", "read_table + validate"]
    except ImportError:
        ours = ["read_table(kind='survey')"]
    methods = ["pyarrow.csv", "pandas C engine", *ours]
    results = []
    for encoding, path in files.items():
        for rnd in range(args.rounds):
            for method in methods:
                out = subprocess.run(
                    [sys.executable, str(HERE), "--repeat", "1", "--one", method,
                     str(path), encoding],
                    capture_output=True, text=True, check=True, encoding="utf-8")
                row = json.loads(out.stdout.strip().splitlines()[-1])
                row["round"] = rnd
                results.append(row)

    header = (f"{'encoding':<8} {'method':<28} {'seconds':>8} {'ratio':>6} "
              f"{'peak MB':>8} {'frame MB':>9} {'peak/frame':>10}")
    print(header)
    print("-" * len(header))
    summary = []
    for encoding in files:
        rows = [r for r in results if r["encoding"] == encoding]
        fastest = {rnd: min(r["seconds"] for r in rows
                            if r["round"] == rnd and r["method"] in methods[:2])
                   for rnd in range(args.rounds)}
        for method in methods:
            mine = [r for r in rows if r["method"] == method]
            seconds = float(np.median([r["seconds"] for r in mine]))
            ratio = float(np.median([r["seconds"] / fastest[r["round"]] for r in mine]))
            peaks = [r["peak_mb"] for r in mine if r["peak_mb"] is not None]
            peak = float(np.median(peaks)) if peaks else None
            frame = mine[0]["frame_mb"]
            per = None if peak is None or not frame else peak / frame
            print(f"{encoding:<8} {method:<28} {seconds:>8.2f} {ratio:>6.2f} "
                  f"{'n/a' if peak is None else f'{peak:.0f}':>8} "
                  f"{'n/a' if not frame else f'{frame:.0f}':>9} "
                  f"{'n/a' if per is None else f'{per:.2f}':>10}")
            if method == ours[0]:
                summary.append((encoding, seconds, ratio, per))
        best = min(methods[:2], key=lambda m: float(np.median(
            [r["seconds"] for r in rows if r["method"] == m])))
        print(f"{encoding:<8} fastest bare reader here: {best}")
    for encoding, path in files.items():
        print(f"{encoding:<8} structural pre-scan (quotes, NUL bytes): "
              f"{_prescan_seconds(path, encoding):.3f} s")
    print("targets: read_table(kind='survey') <= 2.00 x the fastest bare reader (median of "
          "per-round ratios); peak/frame <= 2.50")
    for encoding, seconds, ratio, per in summary:
        ok = ratio <= 2.0 and (per is None or per <= 2.5)
        print(f"{encoding:<8} toolkit {seconds:.2f} s, ratio {ratio:.2f} (target 2.00), "
              f"peak/frame {'n/a' if per is None else f'{per:.2f}'} (target 2.50): "
              f"{'met' if ok else 'NOT met'}")


def _prescan_seconds(path: Path, encoding: str) -> float:
    """Time of the reader's scan for quotes and NUL bytes over the data rows (best of 3)."""
    from toolkit.io.delimited import _Source

    enc = "utf-8" if encoding == "UTF-8" else "gb18030"
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        _Source(path).scan(enc, start=1024)
        best = min(best, time.perf_counter() - start)
    return best


if __name__ == "__main__":
    main()
