"""Speed of tk.net and tk.plot.network at realistic sizes, beside baselines run here.

Run: ``python benchmarks/bench_net.py`` (about 3–5 minutes on 2 cores; ``--quick`` for
a tenth of the sizes). Every dataset is generated from a fixed seed; nothing is
stored. Each row prints the toolkit's time, the baseline's time measured in the same
run, their ratio and the target from the specification.

Targets:
- ``project`` within 1.5x of the bare scipy.sparse product, and at least 50x faster
  than networkx's ``weighted_projected_graph`` on the largest size networkx finishes
  quickly;
- ``measures`` (degree, sampled betweenness, eigenvector) and ``communities``
  (Louvain, and Leiden with igraph's default iterations) on a 100,000-node,
  1,000,000-edge graph within 1.3x of calling igraph directly, conversion included;
- ``tk.plot.network`` of 2,000 nodes / 20,000 edges, layout included, under 2 s.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
import warnings

os.environ.setdefault("MPLBACKEND", "Agg")

import igraph as ig
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from networkx.algorithms import bipartite

import toolkit as tk
from toolkit.net._engine import igraph_seed, to_igraph

ROWS: list[dict] = []


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def report(task: str, ours: float, base_name: str, base: float, target: str) -> None:
    ratio = ours / base if base else float("nan")
    ROWS.append({"task": task, "toolkit_s": round(ours, 3), "baseline": base_name,
                 "baseline_s": round(base, 3), "ratio": round(ratio, 3), "target": target})
    print(f"{task:<46} {ours:8.3f} s | {base_name:<36} {base:8.3f} s | x{ratio:7.3f} "
          f"| {target}", flush=True)


# --- data ----------------------------------------------------------------------------

def attendance(n_rows: int, n_people: int, n_sessions: int, seed: int = 1) -> pd.DataFrame:
    """Power-law participation: person weights ~ Pareto(1.2); sessions uniform."""
    rng = np.random.default_rng(seed)
    w = rng.pareto(1.2, n_people) + 1
    people = rng.choice(n_people, size=n_rows, p=w / w.sum())
    sessions = rng.integers(0, n_sessions, size=n_rows)
    frame = pd.DataFrame({"participant_id": people, "session_id": sessions})
    frame = frame.drop_duplicates(ignore_index=True)
    frame["participant_id"] = "P" + frame["participant_id"].astype(str)
    frame["session_id"] = "S" + frame["session_id"].astype(str)
    return frame


def big_graph(n: int, m: int, seed: int = 2) -> nx.Graph:
    """Heavy-tailed random graph: endpoints drawn with Pareto(2) weights."""
    rng = np.random.default_rng(seed)
    w = rng.pareto(2.0, n) + 1
    p = w / w.sum()
    edges: set = set()
    while len(edges) < m:
        k = int((m - len(edges)) * 1.1) + 10
        u = rng.choice(n, size=k, p=p)
        v = rng.choice(n, size=k, p=p)
        keep = u != v
        lo, hi = np.minimum(u[keep], v[keep]), np.maximum(u[keep], v[keep])
        edges.update(zip(lo.tolist(), hi.tolist(), strict=True))
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(list(edges)[:m])
    return G


# --- benchmarks ----------------------------------------------------------------------

def bench_projection(scale: float, repeat: int) -> None:
    n_rows, n_people, n_sessions = int(1_000_000 * scale), int(100_000 * scale), \
        int(20_000 * scale)
    att = attendance(n_rows, n_people, n_sessions)

    def bare():
        rc, ru = pd.factorize(att["participant_id"])
        cc, cu = pd.factorize(att["session_id"])
        R = sp.csr_array((np.ones(len(rc)), (rc, cc)), shape=(len(ru), len(cu)))
        return R @ R.T

    t_bare, W = timed(bare, repeat)
    ties = (W.nnz - np.count_nonzero(W.diagonal())) // 2
    print(f"\n{len(att):,} attendance rows, {att.participant_id.nunique():,} participants, "
          f"{att.session_id.nunique():,} sessions -> {ties:,} weighted ties\n")
    t_sparse, _ = timed(lambda: tk.net.project(att, output="sparse"), repeat)
    report("project(..., output='sparse')", t_sparse, "bare scipy.sparse R @ R.T", t_bare,
           "<= 1.5x")
    t_edges, _ = timed(lambda: tk.net.project(att, output="edges"), 1)
    report("project(..., output='edges') (tidy frame)", t_edges, "bare scipy.sparse R @ R.T",
           t_bare, "(info)")

    # networkx on the largest size it finishes quickly: the same generator at 5 %
    # (50,000 rows, 5,000 participants, 1,000 sessions)
    f = 0.05 * scale
    small = attendance(int(1_000_000 * f), int(100_000 * f), int(20_000 * f), seed=4)
    B = tk.net.two_mode(small)
    people = [v for v, d in B.nodes(data="bipartite") if d == 0]
    t_nx, _ = timed(lambda: bipartite.weighted_projected_graph(B, people), 1)
    t_ours_graph, P = timed(lambda: tk.net.project(B), repeat)
    t_ours_sparse, _ = timed(lambda: tk.net.project(small, output="sparse"), repeat)
    print(f"\nnetworkx size: {len(small):,} rows -> {P.number_of_edges():,} ties")
    report(f"project({len(small):,} rows, output='sparse')", t_ours_sparse,
           "networkx weighted_projected_graph", t_nx, ">= 50x faster (ratio <= 0.02)")
    report(f"project(two_mode graph, {len(small):,} rows) -> nx.Graph", t_ours_graph,
           "networkx weighted_projected_graph", t_nx, "(info: output is a networkx graph)")


def bench_projection_scaling(repeat: int) -> None:
    """``project`` at 10^5, 10^6 and 10^7 attendance rows beside the bare product."""
    print("\nscaling of project(..., output='sparse') (seconds, median of "
          f"{repeat}; rows are distinct person-session pairs):")
    print("(the product's cost follows the ties it creates, which grow faster than the rows "
          "under heavy-tailed participation; the bare product shows the same growth)")
    print(f"{'rows':>12} {'ties':>14} {'toolkit':>9} {'bare':>9} {'ratio':>7} "
          f"{'s per 1e6 rows':>15} {'s per 1e7 ties':>15}")
    for n_rows in (10**5, 10**6, 10**7):
        att = attendance(n_rows, n_rows // 10, n_rows // 50, seed=5)

        def bare(att=att):
            rc, ru = pd.factorize(att["participant_id"])
            cc, cu = pd.factorize(att["session_id"])
            R = sp.csr_array((np.ones(len(rc)), (rc, cc)), shape=(len(ru), len(cu)))
            return R @ R.T

        t_bare, W = timed(bare, repeat)
        ties = (W.nnz - np.count_nonzero(W.diagonal())) // 2
        del W
        t_ours, _ = timed(lambda att=att: tk.net.project(att, output="sparse"), repeat)
        print(f"{len(att):>12,} {ties:>14,} {t_ours:>9.3f} {t_bare:>9.3f} "
              f"{t_ours / t_bare:>7.2f} {t_ours / len(att) * 1e6:>15.3f} "
              f"{t_ours / ties * 1e7:>15.3f}", flush=True)
        report(f"project scaling, {len(att):,} rows", t_ours, "bare scipy.sparse R @ R.T",
               t_bare, "<= 1.5x; linear growth")
        del att


def bench_measures(scale: float, repeat: int) -> None:
    n, m = int(100_000 * scale), int(1_000_000 * scale)
    t = time.perf_counter()
    G = big_graph(n, m)
    print(f"\ngraph {n:,} nodes, {G.number_of_edges():,} edges (built in "
          f"{time.perf_counter() - t:.1f} s)\n")
    k = 200

    t_conv_ig, g = timed(lambda: ig.Graph.from_networkx(G), 1)
    t_conv_tk, _ = timed(lambda: to_igraph(G), 1)
    report("conversion networkx -> igraph (tk.net)", t_conv_tk, "ig.Graph.from_networkx",
           t_conv_ig, "(info)")

    def ig_measures(graph):
        graph.degree()
        sources = np.random.default_rng(1).choice(graph.vcount(), k, replace=False).tolist()
        graph.betweenness(directed=False, sources=sources)
        graph.eigenvector_centrality()

    t_ig_only, _ = timed(lambda: ig_measures(g), repeat)
    t_ig_conv, _ = timed(lambda: ig_measures(ig.Graph.from_networkx(G)), 1)
    t_tk, _ = timed(lambda: tk.net.measures(G, measures=["degree", "betweenness",
                                                         "eigenvector"], sample=k, seed=1),
                    repeat)
    report("measures(degree, betweenness k=200, eigenvector)", t_tk,
           "igraph, from_networkx + measures", t_ig_conv, "<= 1.3x")
    report("measures(...) [same]", t_tk, "igraph measures, graph prebuilt", t_ig_only,
           "(info: no conversion)")

    def ig_louvain(graph):
        with igraph_seed(1):
            return graph.community_multilevel()

    t_lv_only, _ = timed(lambda: ig_louvain(g), repeat)
    t_lv_conv, _ = timed(lambda: ig_louvain(ig.Graph.from_networkx(G)), 1)
    t_lv_tk, res = timed(lambda: tk.net.communities(G, seed=1, weight=None), repeat)
    report("communities(method='louvain')", t_lv_tk, "igraph, from_networkx + multilevel",
           t_lv_conv, "<= 1.3x")
    report("communities(...) [same]", t_lv_tk, "igraph multilevel, graph prebuilt",
           t_lv_only, "(info: no conversion)")
    print(f"  ({res.n_communities} communities, modularity {res.modularity:.3f})")

    # Leiden with igraph's defaults (n_iterations=2) and the modularity objective, as
    # tk.net.communities(method="leiden") runs it; before, the toolkit iterated to
    # convergence (n_iterations=-1), which does not finish at this size.
    def ig_leiden(graph):
        with igraph_seed(1):
            return graph.community_leiden(objective_function="modularity")

    t_ld_only, ref = timed(lambda: ig_leiden(g), repeat)
    t_ld_conv, _ = timed(lambda: ig_leiden(ig.Graph.from_networkx(G)), repeat)
    t_ld_tk, res = timed(lambda: tk.net.communities(G, method="leiden", seed=1, weight=None),
                         repeat)
    report("communities(method='leiden')", t_ld_tk, "igraph, from_networkx + leiden",
           t_ld_conv, "<= 1.3x")
    report("communities(method='leiden') [same]", t_ld_tk, "igraph leiden, graph prebuilt",
           t_ld_only, "(info: no conversion)")
    print(f"  ({res.n_communities} communities, modularity {res.modularity:.3f}; bare igraph "
          f"{len(set(ref.membership))} communities, modularity "
          f"{g.modularity(ref.membership):.3f})")


def bench_plot(scale: float, repeat: int) -> None:
    n, m = 2_000, 20_000
    del scale
    G = nx.gnm_random_graph(n, m, seed=3)
    g, _ = to_igraph(G)

    def draw():
        ax = tk.plot.network(G, seed=1)
        ax.figure.canvas.draw()
        plt.close(ax.figure)

    def layout_only():
        with igraph_seed(1):
            g.layout_fruchterman_reingold(grid="auto", niter=200)

    t_layout, _ = timed(layout_only, repeat)
    t_draw, _ = timed(draw, repeat)
    cpu = time.process_time()
    draw()
    cpu = time.process_time() - cpu
    print(f"\nplot: {n:,} nodes, {m:,} edges\n")
    report("tk.plot.network (layout + draw to canvas)", t_draw, "igraph FR layout alone",
           t_layout, "< 2 s absolute")
    report("tk.plot.network, CPU time of one call", cpu, "igraph FR layout alone", t_layout,
           "< 2 s (CPU time, robust to a busy machine)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--repeat", type=int, default=3, help="repeats (median reported)")
    parser.add_argument("--only", choices=["projection", "scaling", "measures", "plot"],
                        default=None)
    args = parser.parse_args()
    # igraph warns (from C) that eigenvector centrality of a disconnected graph is
    # concentrated in one component; the random benchmark graph has a few isolates
    warnings.filterwarnings("ignore", message=".*eigenvector centralities.*")
    scale = 0.1 if args.quick else 1.0
    print(f"tk.net benchmarks (scale {scale}, median of {args.repeat}), "
          f"{os.cpu_count()} CPUs, igraph {ig.__version__}, networkx {nx.__version__}, "
          f"load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "")
    if args.only in (None, "projection"):
        bench_projection(scale, args.repeat)
    if args.only in (None, "scaling"):
        bench_projection_scaling(args.repeat)
    if args.only in (None, "measures"):
        bench_measures(scale, args.repeat)
    if args.only in (None, "plot"):
        bench_plot(scale, args.repeat)
    print("\n" + pd.DataFrame(ROWS).to_string(index=False))
    if hasattr(os, "getloadavg"):
        print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores; above 2 the "
              "wall-clock figures include waiting for other processes)")


if __name__ == "__main__":
    main()
