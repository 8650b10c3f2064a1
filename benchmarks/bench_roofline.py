"""One vectorised roofline analysis of 10^6 (operator, hardware) points (goal: < 0.1 s).

The points: 10^6 random fp16 GEMMs (M, N, K in 1..8192), each on a random device drawn from the
presets (arrays of peak and DRAM bandwidth, one entry per point). Timed:

* ``roofline.evaluate`` of the 10^6 (operator, device) pairs — the analysis itself: times only, and
  with every derived field (bound, attainable, utilization, intensity; computed on first access);
* ``roofline.analyze`` of the same array-valued GEMM record on one device (npu-200), hierarchical;
* building the array-valued record with ``ops.gemm`` (for scale; not part of the goal).

Median of RUNS runs each. Run: ``make benchmarks`` or ``.venv/bin/python benchmarks/bench_roofline.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any, Callable

import numpy as np

from _machine import describe, load

import npucourse as npc
from npucourse.cost import DRAM

POINTS = 10**6
RUNS = 7


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time of ``fn()`` over ``runs`` calls [s], and the last result."""
    ts, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), out


def main(runs: int = RUNS) -> None:
    print(describe())
    print(load())
    rng = np.random.default_rng(0)
    m, n, k = (rng.integers(1, 8193, POINTS) for _ in range(3))
    devices = [npc.hardware.get(p) for p in npc.hardware.names()]
    pick = rng.integers(0, len(devices), POINTS)
    peak = np.array([d.peak_ops("fp16") if "fp16" in d.peak else d.peak_ops("fp32") for d in devices])[pick]
    bw = np.array([d.bandwidth(DRAM) for d in devices])[pick]

    t_gemm, cost = median_time(lambda: npc.ops.gemm(m, n, k, dtype="fp16"), runs)
    def full() -> Any:  # the analysis with every derived field materialised
        a = npc.roofline.evaluate(cost.flops, {DRAM: cost.bytes}, peak, {DRAM: bw})
        return a, a.bound, a.attainable_flops, a.utilization, a.intensity

    t_eval, r = median_time(lambda: npc.roofline.evaluate(cost.flops, {DRAM: cost.bytes}, peak, {DRAM: bw}), runs)
    t_full, _ = median_time(full, runs)
    npu = npc.hardware.get("npu-200")
    t_an, r2 = median_time(lambda: npc.roofline.analyze(cost, npu), runs)

    x = np.ones(POINTS)
    t_fresh, _ = median_time(lambda: [x * 1.0 for _ in range(10)], runs)  # ten live fresh arrays

    share = {b: float(np.mean(r.bound == b)) for b in ("compute", "memory")}
    print(f"points: {POINTS:,} (operator, device) pairs; runs: {runs} (median)")
    rows = (
        (f"roofline.evaluate, {len(devices)} device kinds", t_eval, "(goal < 100 ms)"),
        ("roofline.evaluate, every field read", t_full, "(+ bound, attainable, utilization, intensity)"),
        ("roofline.analyze on npu-200", t_an, ""),
        ("ops.gemm building the record", t_gemm, "(not part of the goal)"),
        ("for scale: one fresh 8 MB float array", t_fresh / 10, "(allocation + first touch)"),
    )
    for label, t, note in rows:
        print(f"  {label:<40}{t * 1e3:8.1f} ms   {note}")
    print(f"  bound shares: compute {share['compute']:.3f}, memory {share['memory']:.3f}; "
          f"median time {np.median(r.time_s):.3g} s")
    assert r2.time_s.shape == (POINTS,)
    print(load())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
