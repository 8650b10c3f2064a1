"""How long it takes to build every network model of Chapter 2 at its default size
(goal: well under a second in total).

Each builder runs once to warm up (module import), then RUNS timed rounds; the median of a round
over all networks is reported, with the per-network medians.

Run: ``make benchmarks`` or ``.venv/bin/python benchmarks/bench_networks.py [runs]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any, Callable

from _machine import describe, load

import npucourse as npc

RUNS = 7

BUILDERS: dict[str, Callable[[], Any]] = {
    "yolov8 m@640": lambda: npc.networks.yolov8("m"),
    "resnet 50@224": lambda: npc.networks.resnet(50),
    "centernet r18@512": lambda: npc.networks.centernet(),
    "pointpillars kitti": lambda: npc.networks.pointpillars(),
    "centerpoint 0.075": lambda: npc.networks.centerpoint(),
    "bevdet tiny": lambda: npc.networks.bevdet(),
    "bevformer base": lambda: npc.networks.bevformer(),
    "wayformer": lambda: npc.networks.wayformer(),
    "vit B/16@224": lambda: npc.networks.vit("B/16"),
    "clip image L/14": lambda: npc.networks.clip_image("ViT-L/14"),
    "clip text": lambda: npc.networks.clip_text(),
    "efficientnet b3": lambda: npc.networks.efficientnet("b3"),
    "llama 7b prefill+decode": lambda: (lambda m: (m.prefill(512), m.decode(512)))(npc.networks.llama("7b")),
    "llava-1.5": lambda: (lambda m: m.prefill(64))(npc.networks.llava()),
    "flamingo": lambda: npc.networks.flamingo(),
    "rt1": lambda: npc.networks.rt1(),
    "rt2": lambda: npc.networks.rt2(),
}


def main(runs: int = RUNS) -> None:
    print(describe())
    print(load())
    for build in BUILDERS.values():  # warm-up: imports and first-call caches
        build()
    per: dict[str, list[float]] = {k: [] for k in BUILDERS}
    totals = []
    for _ in range(runs):
        t_round = 0.0
        for name, build in BUILDERS.items():
            t0 = time.perf_counter()
            build()
            dt = time.perf_counter() - t0
            per[name].append(dt)
            t_round += dt
        totals.append(t_round)
    print(f"{'network':28s} {'median [ms]':>12s}")
    for name, ts in per.items():
        print(f"{name:28s} {1e3 * statistics.median(ts):12.1f}")
    print(f"{'ALL (one round)':28s} {1e3 * statistics.median(totals):12.1f}   goal: < 1000 ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
