"""Segmentation and dictionary coding of many short texts, beside bare jieba.

    python benchmarks/bench_text.py            # 1,000,000 texts of about 80 characters
    python benchmarks/bench_text.py --n 100000

Seeded texts in the genre of a city hotline (12345) are written as Parquet under
``benchmarks/_data/`` (never committed). Timed, in one run:

- floor: bare ``jieba.lcut`` over the texts, one process (the Python jieba package);
- engine: bare ``rjieba.cut`` (the segmenter tk.text uses), one process;
- toolkit: ``tk.text.tokens`` (tokens written to Parquet) and ``tk.text.code`` (the
  bundled codebook) over ``tk.io.scan`` of the file, ``n_jobs=2``.

Target: toolkit at most 1.3x the jieba floor; memory bounded (peak RSS printed).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PARTS = {
    "who": ["居民反映", "市民来电反映", "网友留言称", "业主投诉", "群众来电", "商户反映"],
    "where": ["东街道幸福里小区", "西镇老街", "南街道南苑小区", "北镇中心路", "东街道建设路口",
              "南街道实验小学附近", "西镇农贸市场", "北镇新村"],
    "what": ["加装电梯协调难，一楼住户不同意", "停车位严重不足，车辆乱停乱放",
             "垃圾清运不及时，夏季异味明显", "物业服务不到位，物业费收取不透明",
             "老年食堂价格偏高，独居老人吃饭难", "夜间施工噪音扰民", "充电桩太少，有人飞线充电",
             "路灯损坏多日无人维修", "雨后道路积水严重", "消防通道被杂物占用"],
    "since": ["这个问题已经持续了两个多月，", "周边居民意见很大，多次反映没有结果，",
              "老人和孩子出行很不方便，", "晚上和周末尤其严重，", "去年也反映过类似情况，"],
    "extra": ["据了解，该小区共有住户三百余户，老年人占比较高。",
              "附近还有一所学校和一个农贸市场。", "社区网格员已到现场查看并登记。",
              "物业表示需要业主大会同意后才能处理。", "来电人表示愿意配合社区工作。"],
    "ask": ["希望有关部门尽快处理。", "请街道协调解决。", "建议召开居民议事会协商。",
            "要求物业整改。", "希望纳入民生实事。", "请城管局现场查看。"],
}


def make_texts(n: int, seed: int = 20231108) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {k: np.asarray(v, dtype=object)[rng.integers(0, len(v), n)] for k, v in PARTS.items()}
    body = [f"{a}，{b}{c}，{e}{x}{d}" for a, b, c, d, e, x in zip(
        cols["who"], cols["where"], cols["what"], cols["ask"], cols["since"], cols["extra"],
        strict=True)]
    return pd.DataFrame({"ticket_id": [f"R{i:08d}" for i in range(n)], "body": body})


def peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=float, default=1e6)
    args = parser.parse_args()
    n = int(args.n)
    data = ROOT / "benchmarks" / "_data"
    data.mkdir(parents=True, exist_ok=True)
    path = data / f"texts_{n}.parquet"
    if not path.exists():
        make_texts(n).to_parquet(path)
    frame = pd.read_parquet(path)
    texts = frame["body"].tolist()
    print(f"{n:,} texts, mean length {np.mean([len(t) for t in texts]):.1f} characters")

    import jieba
    import rjieba

    jieba.setLogLevel(60)
    jieba.initialize()
    start = time.perf_counter()
    for t in texts:
        jieba.lcut(t)
    floor = time.perf_counter() - start
    print(f"floor   bare jieba.lcut, 1 process      {floor:8.1f} s")
    start = time.perf_counter()
    for t in texts:
        rjieba.cut(t)
    engine = time.perf_counter() - start
    print(f"engine  bare rjieba.cut, 1 process      {engine:8.1f} s")
    del texts, frame

    import toolkit as tk

    out = Path(tempfile.mkdtemp(prefix="bench-text-"))
    try:
        lazy = tk.io.scan(path)
        start = time.perf_counter()
        tk.text.tokens(lazy, text="body", id="ticket_id", pos=False, out=out / "tokens",
                       n_jobs=2, progress=False)
        seg = time.perf_counter() - start
        start = time.perf_counter()
        coded = tk.text.code(lazy, "topics", text="body", id="ticket_id", audit=False,
                             n_jobs=2, progress=False)
        coding = time.perf_counter() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)
    total = seg + coding
    print(f"toolkit tokens (Parquet), 2 processes   {seg:8.1f} s")
    print(f"toolkit code (codebook), 2 processes    {coding:8.1f} s")
    print(f"toolkit segmented and coded             {total:8.1f} s")
    print(f"ratio toolkit / jieba floor             {total / floor:8.2f}   (target <= 1.30)")
    print(f"ratio toolkit / rjieba engine           {total / engine:8.2f}")
    print(f"documents coded {len(coded.counts):,}; peak memory {peak_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
