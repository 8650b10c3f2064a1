"""Helpers for the book tests: the table of contents, HTML scanning, headless Chromium.

Nothing here builds the book (that is the session fixture in ``conftest.py``) and nothing here
asserts; the test modules do.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import subprocess
import threading
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
TOC = REPO / "_toc.yml"
CONFIG = REPO / "_config.yml"

#: CJK ideographs (basic block, extension A, compatibility ideographs).
CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_WORD = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}$")

#: Folders whose content must never become a page (nbgrader source/release/student work).
PRIVATE_DIRS = ("solutions", "exercises", "submitted", "autograded", "feedback", "release", "source")


@dataclass(frozen=True)
class BookBuild:
    """Result of the session's book build."""

    returncode: int
    log: str            # stdout + stderr of jupyter-book
    log_path: Path | None
    html: Path          # <output>/_build/html
    root: Path          # <output>/_build
    seconds: float
    prebuilt: bool = False

    TAIL_LINES: ClassVar[int] = 80

    def tail(self, n: int = TAIL_LINES) -> str:
        """The last ``n`` lines of the build log."""
        return "\n".join(self.log.splitlines()[-n:])


# --------------------------------------------------------------------------------------------
# Table of contents and sources
# --------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def toc_docnames() -> tuple[str, ...]:
    """Docnames of every page listed in ``_toc.yml``, root first, in reading order."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    site = parse_toc_yaml(str(TOC))
    return tuple(site)


def source_of(docname: str) -> Path:
    """The source file of a docname (``.md`` or ``.ipynb``).

    Raises
    ------
    FileNotFoundError
        If neither exists.
    """
    for suffix in (".md", ".ipynb"):
        p = REPO / f"{docname}{suffix}"
        if p.exists():
            return p
    raise FileNotFoundError(f"toc entry {docname!r} has no source file {docname}.md or .ipynb")


def html_of(html_dir: Path, docname: str) -> Path:
    """Path of the built HTML page of ``docname``."""
    return html_dir / f"{docname}.html"


def exclude_patterns() -> list[str]:
    """``exclude_patterns`` of ``_config.yml``."""
    import yaml

    cfg = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return list(cfg.get("exclude_patterns") or [])


def book_sources() -> list[Path]:
    """Every ``.md`` under ``book/`` that the build may read (not excluded in ``_config.yml``)."""
    excluded = {(REPO / p).resolve() for p in exclude_patterns() if not any(c in p for c in "*?[")}
    out = []
    for p in sorted((REPO / "book").rglob("*.md")):
        if p.resolve() in excluded or any(part.startswith((".", "_")) for part in p.relative_to(REPO).parts):
            continue
        out.append(p)
    return out


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def source_headings(path: Path) -> list[str]:
    """ATX headings (``#`` … ``######``) of a MyST source, outside code fences and front matter."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    i = 0
    if lines and lines[0].strip() == "---":
        i = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), len(lines)) + 1
    fence: str | None = None
    for line in lines[i:]:
        m = _FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group(1)
                continue
            h = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
            if h:
                out.append(h.group(1))
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and line.strip() == m.group(1):
            fence = None
    return out


_SOURCE_MATH = re.compile(r"(?<![\\$])\$[^$\s]|\$\$|\{math\}|\\begin\{|\{glue:math\}")


def source_has_math(path: Path) -> bool:
    """Whether a MyST source writes math in its Markdown (``$``, ``$$``, ``{math}``, amsmath)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"```\{code-cell\}.*?```", "", text, flags=re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    return bool(_SOURCE_MATH.search(text))


# --------------------------------------------------------------------------------------------
# HTML scanning (stdlib only)
# --------------------------------------------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: Elements whose text is not prose a reader sees as text.
_NON_PROSE = {"script", "style", "pre", "code", "textarea", "noscript", "svg", "mjx-container", "template"}


@dataclass
class PageScan:
    """What :func:`scan_html` found in one HTML document."""

    text: str = ""                    # visible prose text (no script/style/code/pre/math output)
    main_text: str = ""               # the same, inside the article body only
    all_text: str = ""                # every text node, code included
    tags: Counter = field(default_factory=Counter)
    images: list[dict[str, str]] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)      # <script src>
    stylesheets: list[str] = field(default_factory=list)  # <link rel=stylesheet href>
    class_sets: list[tuple[str, frozenset[str]]] = field(default_factory=list)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()
        self._skip = 0
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, is_skip, is_main)
        self._main = 0
        self._text: list[str] = []
        self._main_text: list[str] = []
        self._all: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        classes = frozenset(a.get("class", "").split())
        self.scan.tags[tag] += 1
        if classes:
            self.scan.class_sets.append((tag, classes))
        if tag == "img":
            self.scan.images.append({"src": a.get("src", ""), "alt": a.get("alt", ""), "main": str(bool(self._main))})
        elif tag == "script" and a.get("src"):
            self.scan.scripts.append(a["src"])
        elif tag == "link" and "stylesheet" in a.get("rel", "").split():
            self.scan.stylesheets.append(a.get("href", ""))
        if tag in _VOID:
            return
        is_skip = tag in _NON_PROSE
        is_main = tag == "article" and "bd-article" in classes
        self._skip += is_skip
        self._main += is_main
        self._stack.append((tag, is_skip, is_main))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        # Pop to the matching open tag (tolerates unclosed <p>, <li>, ...).
        for k in range(len(self._stack) - 1, -1, -1):
            if self._stack[k][0] == tag:
                for _t, s, m in self._stack[k:]:
                    self._skip -= s
                    self._main -= m
                del self._stack[k:]
                break

    def handle_data(self, data: str) -> None:
        self._all.append(data)
        if self._skip == 0:
            self._text.append(data)
            if self._main:
                self._main_text.append(data)

    def close(self) -> None:
        super().close()
        self.scan.text = "".join(self._text)
        self.scan.main_text = "".join(self._main_text)
        self.scan.all_text = "".join(self._all)


def scan_html(markup: str) -> PageScan:
    """Parse an HTML document (static or a ``--dump-dom`` result) into a :class:`PageScan`."""
    p = _Scanner()
    p.feed(markup)
    p.close()
    return p.scan


def html_to_text(markup: str) -> str:
    """All text of an HTML document (tags dropped, entities decoded), scripts included."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def notebook_text(path: Path) -> str:
    """Cell sources and text outputs of an ``.ipynb``, joined by newlines."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts: list[str] = []
    for cell in nb.get("cells", []):
        src = cell.get("source", "")
        parts.append("".join(src) if isinstance(src, list) else src)
        for out in cell.get("outputs", []):
            txt = out.get("text") or out.get("data", {}).get("text/plain") or ""
            parts.append("".join(txt) if isinstance(txt, list) else txt)
            parts.extend(out.get("traceback", []))
    return "\n".join(parts)


def built_text_files(html_dir: Path) -> Iterator[tuple[Path, str]]:
    """Every text file of the built site with its readable text (HTML stripped, ipynb flattened)."""
    for p in sorted(html_dir.rglob("*")):
        if not p.is_file():
            continue
        suffix = p.suffix.lower()
        if suffix in {".html", ".htm"}:
            yield p, html_to_text(p.read_text(encoding="utf-8", errors="replace"))
        elif suffix == ".ipynb":
            try:
                yield p, notebook_text(p)
            except (ValueError, KeyError):
                yield p, p.read_text(encoding="utf-8", errors="replace")
        elif suffix in {".md", ".txt", ".js", ".json", ".py", ".css", ".xml", ".csv", ".tex", ".rst"}:
            yield p, p.read_text(encoding="utf-8", errors="replace")


def normalize_ws(text: str) -> str:
    """Collapse every run of whitespace into one space and strip the ends."""
    return re.sub(r"\s+", " ", text).strip()


def load_searchindex(html_dir: Path) -> dict[str, Any]:
    """The JSON object inside ``searchindex.js`` (``Search.setIndex({...})``)."""
    raw = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(raw[raw.index("(") + 1: raw.rindex(")")])


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG header; ``(0, 0)`` when the file is not a PNG."""
    head = path.read_bytes()[:24]
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return (0, 0)
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


# --------------------------------------------------------------------------------------------
# Headless Chromium
# --------------------------------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    # Every host name but the local test server resolves to nothing: a page that needs a CDN
    # (MathJax, fonts, scripts) fails here instead of quietly fetching it.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--virtual-time-budget=10000",
)


def browser_required() -> bool:
    """Whether missing browser prerequisites fail (CI) rather than skip (a laptop)."""
    return bool(os.environ.get("NPUCOURSE_REQUIRE_BROWSER") or os.environ.get("CI"))


def find_chromium() -> str | None:
    """Path of a Chromium executable, or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def cjk_font_families() -> list[str]:
    """Font families fontconfig knows for Chinese (``fc-list :lang=zh family``)."""
    fc = shutil.which("fc-list")
    if not fc:
        return []
    out = subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True, timeout=60).stdout
    return sorted({line.strip() for line in out.splitlines() if line.strip()})


def require_browser() -> str:
    """Return the Chromium path, or skip (fail under CI/NPUCOURSE_REQUIRE_BROWSER) with the reason."""
    missing = []
    chromium = find_chromium()
    if not chromium:
        missing.append("Chromium (Debian package `chromium`)")
    if not cjk_font_families():
        missing.append("a CJK font (Debian package `fonts-noto-cjk`; `fc-list :lang=zh` is empty)")
    if missing:
        msg = "browser tests need " + " and ".join(missing)
        if browser_required():
            pytest.fail(msg + " — required because NPUCOURSE_REQUIRE_BROWSER or CI is set", pytrace=False)
        pytest.skip(msg + "; install them, or set NPUCOURSE_REQUIRE_BROWSER=1 to make this a failure")
    assert chromium is not None
    return chromium


@dataclass
class Request:
    """One request the test server answered."""

    path: str
    status: int
    referer: str


class SiteServer:
    """A localhost HTTP server for a built site that records every request.

    Use as a context manager; ``url(rel)`` gives the address of a file of the site.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[Request] = []
        lock = threading.Lock()
        log = self.requests

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *a: Any, **kw: Any) -> None:
                super().__init__(*a, directory=str(root), **kw)

            def log_request(self, code: Any = "-", size: Any = "-") -> None:
                with lock:
                    log.append(Request(self.path.split("?")[0], int(getattr(code, "value", code)),
                                       self.headers.get("Referer", "")))

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib name)
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> "SiteServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def url(self, rel: str) -> str:
        return self.base + rel.lstrip("/")


def page_requests_from_netlog(netlog: Path) -> list[str]:
    """URLs a page asked for, from a Chromium ``--log-net-log`` file.

    Only requests made in the context of a ``127.0.0.1`` page (its network isolation key) are
    kept; the browser's own background requests (update checks and the like) are not the page's.
    A request is logged before its host name is resolved, so blocked CDN requests appear too.

    Raises
    ------
    ValueError
        If the file is not a complete NetLog JSON document.
    """
    data = json.loads(netlog.read_text(encoding="utf-8", errors="replace"))
    names = {v: k for k, v in data["constants"]["logEventTypes"].items()}
    urls = []
    for event in data.get("events", []):
        params = event.get("params") or {}
        if names.get(event.get("type")) == "URL_REQUEST_START_JOB" and "url" in params:
            if str(params.get("network_isolation_key", "")).startswith("http://127.0.0.1"):
                urls.append(params["url"])
    return urls


def run_chromium(chromium: str, url: str, profile: Path, *extra: str, timeout: float = 90) -> subprocess.CompletedProcess:
    """Run headless Chromium once on ``url`` with a fresh profile directory."""
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
