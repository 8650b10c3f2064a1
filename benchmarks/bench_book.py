"""Book build time: cold (every notebook executed into an empty build folder, as `make book`)
and cached (the same build again with nothing changed: Sphinx reuses what it has).

Run: ``make benchmarks`` or ``.venv/bin/python benchmarks/bench_book.py``. Builds into a
temporary folder, never the working tree's ``_build``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import describe, load

REPO = Path(__file__).resolve().parents[1]


def build(out: Path, all_: bool) -> float:
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(REPO), "-W", "--keep-going",
           "--path-output", str(out)]
    if all_:
        cmd.append("--all")
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"book build failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return dt


def main() -> None:
    print(describe())
    print(load())
    toc = (REPO / "_toc.yml").read_text(encoding="utf-8")
    pages = sum(1 for ln in toc.splitlines() if ln.strip().startswith(("- file:", "root:")))
    with tempfile.TemporaryDirectory() as tmp:
        cold = build(Path(tmp), all_=True)
        cached = build(Path(tmp), all_=False)
    print(f"{pages} pages: cold build {cold:.1f} s, cached rebuild {cached:.1f} s")


if __name__ == "__main__":
    main()
