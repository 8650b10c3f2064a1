"""Fixtures of the book tests: one executed build of the whole book per test session.

The build is ``jupyter-book build <repo> --path-output <tmp> -W --keep-going --all`` with the
venv's executable and the venv's ``bin`` first on ``PATH`` (so kernels, nbgrader and jieba come
from the same environment). It goes into a temporary directory, never into the working tree's
``_build``, so tests do not race a ``make book`` running at the same time.

Every test that needs the build carries ``pytest.mark.xdist_group("book")``: under
``pytest -n auto --dist loadgroup`` (``make test``) they should all run on one worker. That
grouping silently does nothing with pytest 9.2 and pytest-xdist 3.8 (pytest-dev/pytest-xdist#1386),
so the build is also shared between workers: it goes into the run's common temporary directory
under an exclusive file lock, the first worker builds, and the others wait and reuse its result.

Environment
-----------
NPUCOURSE_BOOK_HTML
    Path of an already built ``_build/html`` to test instead of building (quick iteration, e.g.
    after ``make book``). The build-log checks are then skipped.
NPUCOURSE_REQUIRE_BROWSER, CI
    When set, missing Chromium or CJK fonts fail the browser tests instead of skipping them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

try:  # POSIX; elsewhere each xdist worker builds its own copy
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

import pytest
from booktools import REPO, BookBuild

BUILD_TIMEOUT_S = 1800
LOG_TAIL_LINES = BookBuild.TAIL_LINES


def pytest_configure(config: pytest.Config) -> None:
    """Register ``xdist_group`` so ``--strict-markers`` accepts it even without pytest-xdist."""
    config.addinivalue_line("markers", "xdist_group(name): run all tests of a group on one xdist worker")


def venv_bin() -> Path:
    """The ``bin`` directory of the Python running the tests (the project venv under make)."""
    return Path(sys.executable).parent


def jupyter_book_exe() -> str:
    """The ``jupyter-book`` next to this Python, else the one on PATH; fails if none."""
    exe = venv_bin() / "jupyter-book"
    if exe.exists():
        return str(exe)
    found = shutil.which("jupyter-book")
    if not found:
        pytest.fail("jupyter-book is not installed: run `make install` (the `book` extra)", pytrace=False)
    return found


def build_env() -> dict[str, str]:
    """Environment of the build: venv first on PATH, and no way out to the network over HTTP.

    A dead proxy makes any HTTP(S) fetch during the build (an intersphinx inventory, a remote
    image) fail, and with ``-W`` the build fails with it; kernels talk over localhost ZeroMQ,
    which proxies do not touch.
    """
    env = dict(os.environ)
    env["PATH"] = f"{venv_bin()}{os.pathsep}{env.get('PATH', '')}"
    dead = "http://127.0.0.1:9"
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        env[k] = dead
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
    env.pop("NPUCOURSE_BOOK_HTML", None)
    return env


def _warm_matplotlib(env: dict[str, str]) -> None:
    """Build matplotlib's font cache before the build.

    On a fresh machine the first ``import matplotlib.pyplot`` in a kernel may log "Matplotlib is
    building the font cache" to stderr, which would land in a page as a stderr block.
    """
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env,
                   capture_output=True, timeout=600, check=False)


def _run_build(out: Path) -> BookBuild:
    """Build the book into ``out`` and return the result (never raises on a failed build)."""
    out.mkdir(parents=True, exist_ok=True)
    env = build_env()
    _warm_matplotlib(env)
    cmd = [jupyter_book_exe(), "build", str(REPO), "--path-output", str(out), "-W", "--keep-going", "--all"]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
        rc, log = proc.returncode, proc.stdout + "\n" + proc.stderr
    except subprocess.TimeoutExpired as e:
        rc = -1
        log = f"{e.stdout or ''}\n{e.stderr or ''}\nTIMEOUT after {BUILD_TIMEOUT_S} s"
    seconds = time.perf_counter() - t0
    log_path = out / "build.log"
    log_path.write_text(f"$ {' '.join(cmd)}\n{log}", encoding="utf-8")
    return BookBuild(rc, log, log_path, out / "_build" / "html", out / "_build", seconds)


@pytest.fixture(scope="session")
def book_build(tmp_path_factory: pytest.TempPathFactory) -> BookBuild:
    """Build the book once per test run (or use ``NPUCOURSE_BOOK_HTML``); never fails by itself."""
    prebuilt = os.environ.get("NPUCOURSE_BOOK_HTML")
    if prebuilt:
        html = Path(prebuilt).resolve()
        if not (html / "searchindex.js").exists():
            pytest.fail(f"NPUCOURSE_BOOK_HTML={prebuilt} is not a built book (no searchindex.js)", pytrace=False)
        return BookBuild(0, "", None, html, html.parent, 0.0, prebuilt=True)
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER") and fcntl is not None:
        base = base.parent  # shared by every worker of this run
    out = base / "npucourse-book"
    if fcntl is None:
        return _run_build(out)
    with open(base / "npucourse-book.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = out / "result.json"
        if done.exists():
            r = json.loads(done.read_text(encoding="utf-8"))
            log_path = Path(r["log_path"])
            return BookBuild(r["returncode"], log_path.read_text(encoding="utf-8"), log_path, Path(r["html"]),
                             Path(r["root"]), r["seconds"])
        result = _run_build(out)
        done.write_text(json.dumps({"returncode": result.returncode, "log_path": str(result.log_path),
                                    "html": str(result.html), "root": str(result.root),
                                    "seconds": result.seconds}), encoding="utf-8")
        return result


@pytest.fixture(scope="session")
def book_html(book_build: BookBuild) -> Path:
    """The built site's ``_build/html``; fails every dependent test when the build failed."""
    if book_build.returncode != 0:
        pytest.fail(
            f"the book build failed (exit {book_build.returncode}); full log: {book_build.log_path}\n"
            f"--- last {LOG_TAIL_LINES} lines ---\n{book_build.tail()}",
            pytrace=False,
        )
    return book_build.html


@pytest.fixture(scope="session")
def chromium() -> Iterator[str]:
    """Path of headless Chromium; skips (or fails under CI) when it or a CJK font is missing."""
    from booktools import require_browser

    yield require_browser()
