"""Speed of split-point search (npc.edgecloud): a 1000-layer chain and a 200-node DAG.

Run: ``.venv/bin/python benchmarks/bench_split.py`` (prints the machine, then the median of
several runs per case). Cases:

* chain, 1000 layers: ``best_split`` (O(n) prefix-sum scan), ``best_split_3tier`` (O(n) DP),
  and the draft's O(n²) recurrence ``draft_dp_split`` for contrast;
* DAG, 200 nodes shaped like a CNN (residual blocks and four-branch inception blocks with a
  concatenation): ``best_split_dag`` (exact, min s–t cut) and the restricted
  ``topological_prefix_split``.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time
from typing import Callable

import numpy as np

import npucourse as npc
from npucourse.edgecloud import (
    Link,
    best_split,
    best_split_3tier,
    best_split_dag,
    draft_dp_split,
    topological_prefix_split,
)


def median_time(fn: Callable[[], object], repeats: int = 7) -> float:
    """Median wall time of ``repeats`` calls [s] (one warm-up call first)."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cnn_like_dag(n_target: int, seed: int = 0) -> list[list[int]]:
    """Predecessor lists of a CNN-shaped DAG of about ``n_target`` nodes: a stem, then residual
    blocks (conv, conv, add with the skip) and inception blocks (four branches of 1–2 convs
    joined by a concatenation), chosen at random."""
    rng = random.Random(seed)
    preds: list[list[int]] = [[-1]]
    while len(preds) < n_target:
        x = len(preds) - 1
        if rng.random() < 0.6:
            preds += [[x], [x + 1], [x + 2, x]]
        else:
            ends = []
            for _ in range(4):
                preds.append([x])
                if rng.random() < 0.5:
                    preds.append([len(preds) - 1])
                ends.append(len(preds) - 1)
            preds.append(ends)
    return preds[:n_target]  # predecessors always have lower indices, so any prefix is a valid DAG


def main() -> None:
    print(f"platform: {platform.platform()}; cpu_count: {os.cpu_count()}; "
          f"python {sys.version.split()[0]}; numpy {np.__version__}; npucourse {npc.__version__}")
    rng = np.random.default_rng(0)

    n = 1000
    flops = rng.uniform(1e8, 5e9, n)
    out = rng.choice([5e4, 2e5, 8e5], n)
    args = (flops, out, 6e5, 1e12, 1e14, 5e7, 0.01)
    t_chain = median_time(lambda: best_split(*args), repeats=21)
    td, te, tc = flops / 1e11, flops / 1e12, flops / 1e14
    l1, l2 = Link("wifi", 5e8, 0.002, "bench"), Link("wan", 1e8, 0.02, "bench")
    t_3tier = median_time(lambda: best_split_3tier(td, te, tc, out, 6e5, l1, l2), repeats=21)
    t_draft = median_time(lambda: draft_dp_split(*args), repeats=5)
    print(f"chain {n} layers: best_split {t_chain * 1e6:.0f} µs; best_split_3tier {t_3tier * 1e6:.0f} µs; "
          f"draft O(n²) recurrence {t_draft * 1e3:.1f} ms")

    preds = cnn_like_dag(200)
    m = len(preds)
    nf = rng.uniform(1e8, 5e9, m)
    ob = rng.choice([5e4, 2e5, 8e5], m)
    kw = dict(node_flops=nf, edge_flops=1e12, cloud_flops=1e14, out_bytes=ob, input_bytes=6e5,
              bandwidth_bps=5e7, latency_s=0.01)
    t_dag = median_time(lambda: best_split_dag(preds, **kw), repeats=7)
    t_pre = median_time(lambda: topological_prefix_split(preds, **kw), repeats=3)
    exact, prefix = best_split_dag(preds, **kw), topological_prefix_split(preds, **kw)
    n_edges = sum(len(p) for p in preds)
    print(f"DAG {m} nodes, {n_edges} edges: best_split_dag (min-cut, exact) {t_dag * 1e3:.1f} ms; "
          f"topological_prefix_split {t_pre * 1e3:.1f} ms; latency exact {exact.latency_s * 1e3:.2f} ms vs "
          f"prefix {prefix.latency_s * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
