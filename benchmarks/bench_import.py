"""How long ``import npucourse`` takes compared with ``import numpy`` (goal: at most 2x).

Each import runs in a fresh interpreter (``python -c``), so nothing is cached in the process.
Two numbers per run: the import alone (timed inside the child with ``time.perf_counter``) and the
whole child process (interpreter start-up included, timed from outside). Median of RUNS runs,
the two imports interleaved so that load changes hit both alike.

Run: ``make benchmarks`` or ``.venv/bin/python benchmarks/bench_import.py [runs]``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from _machine import describe, load

RUNS = 15
CHILD = "import time; t = time.perf_counter(); import {mod}; print(time.perf_counter() - t)"


def once(mod: str) -> tuple[float, float]:
    """(import time, process wall time) of one fresh interpreter importing ``mod`` [s]."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD.format(mod=mod)], capture_output=True, text=True,
                         check=True).stdout
    return float(out.strip()), time.perf_counter() - t0


def main(runs: int = RUNS) -> None:
    print(describe())
    print(load())
    res: dict[str, list[tuple[float, float]]] = {"numpy": [], "npucourse": []}
    for mod in res:  # warm the OS file cache once, not counted
        once(mod)
    for _ in range(runs):
        for mod in res:
            res[mod].append(once(mod))
    med = {m: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v)) for m, v in res.items()}
    print(f"runs: {runs} each (median)")
    for m, (imp, wall) in med.items():
        print(f"  import {m:<10} {imp * 1e3:8.1f} ms import, {wall * 1e3:8.1f} ms whole process")
    ratio_imp = med["npucourse"][0] / med["numpy"][0]
    ratio_wall = med["npucourse"][1] / med["numpy"][1]
    print(f"ratio npucourse/numpy: {ratio_imp:.2f}x import, {ratio_wall:.2f}x whole process (goal <= 2x)")
    print(load())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
