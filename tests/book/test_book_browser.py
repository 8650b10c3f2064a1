"""What a reader sees: every toc page opened in headless Chromium, offline.

The built site is served by a localhost ``http.server`` started for this module and stopped after
it; Chromium resolves no other host, so anything a page would fetch from a CDN fails here. Each
page's rendered DOM (``--dump-dom`` after MathJax had 10 s of virtual time) is checked for:

- math typeset: as many ``<mjx-container>`` elements as the static page has math elements (and
  some when the source writes math), no MathJax error, no raw ``\\(``, ``\\[`` or ``$$`` left in
  the text;
- figures: every ``<img>`` is a non-empty local file (PNGs with a valid header and size) that the
  browser requested from the server and got;
- no failed request (4xx/5xx) for anything the page loaded, and no request (according to
  Chromium's own NetLog) to any host but the local server;
- no error, traceback or stderr output blocks;
- Chinese prose in the article body.

The front page is also screenshot at 1280×2000 and must not be blank.
Missing Chromium or CJK fonts skip these tests, or fail them when ``NPUCOURSE_REQUIRE_BROWSER``
or ``CI`` is set.
"""

from __future__ import annotations

import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from booktools import (
    CJK_CHAR,
    PageScan,
    Request,
    page_requests_from_netlog,
    SiteServer,
    html_of,
    png_size,
    run_chromium,
    scan_html,
    source_has_math,
    source_of,
    toc_docnames,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("book")]

DOCNAMES = toc_docnames()
MIN_CJK_CHARS = 20
RAW_TEX = re.compile(r"\\\(|\\\[|\$\$")
IGNORED_404 = {"/favicon.ico"}


@dataclass
class Rendered:
    """One page as Chromium rendered it."""

    docname: str
    url: str
    dom: str
    scan: PageScan
    returncode: int
    stderr: str
    urls: list[str]       # every URL the page requested (Chromium NetLog)
    netlog_error: str     # why the NetLog could not be read ("" when it could)


@pytest.fixture(scope="module")
def site(book_html: Path, chromium: str) -> Iterator[SiteServer]:
    with SiteServer(book_html) as server:
        yield server


@pytest.fixture(scope="module")
def rendered(site: SiteServer, chromium: str, book_html: Path) -> dict[str, Rendered]:
    """Every toc page rendered once (a few Chromium processes in parallel)."""

    def render(docname: str) -> Rendered:
        url = site.url(f"{docname}.html")
        with tempfile.TemporaryDirectory(prefix="npucourse-chromium-") as profile:
            netlog = Path(profile) / "netlog.json"
            proc = run_chromium(chromium, url, Path(profile), "--dump-dom", f"--log-net-log={netlog}")
            try:
                urls, err = page_requests_from_netlog(netlog), ""
            except (OSError, ValueError, KeyError) as e:
                urls, err = [], f"{type(e).__name__}: {e}"
        return Rendered(docname, url, proc.stdout, scan_html(proc.stdout), proc.returncode, proc.stderr[-2000:],
                        urls, err)

    workers = max(1, min(4, (os.cpu_count() or 2)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pages = list(pool.map(render, DOCNAMES))
    return {p.docname: p for p in pages}


def _requests_from(site: SiteServer, page_url: str) -> list[Request]:
    path = "/" + page_url.split("/", 3)[3]
    return [r for r in site.requests if r.referer == page_url or r.path == path]


@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_renders(rendered: dict[str, Rendered], docname: str) -> None:
    page = rendered[docname]
    assert page.returncode == 0 and "</html>" in page.dom, (
        f"Chromium could not render {page.url} (exit {page.returncode}):\n{page.stderr}"
    )


@pytest.mark.parametrize("docname", DOCNAMES)
def test_math_is_typeset(rendered: dict[str, Rendered], book_html: Path, docname: str) -> None:
    page = rendered[docname]
    static = scan_html(html_of(book_html, docname).read_text(encoding="utf-8"))
    n_math = sum(1 for _tag, cls in static.class_sets if "math" in cls and "notranslate" in cls)
    if source_has_math(source_of(docname)):
        assert n_math > 0, f"{docname}: the source writes math but the built page has no math element"
    n_typeset = page.scan.tags["mjx-container"]
    assert n_typeset >= n_math, (
        f"{docname}: {n_math} math elements but only {n_typeset} typeset by MathJax "
        "(is MathJax served from _static/mathjax?)"
    )
    assert page.scan.tags["mjx-merror"] == 0, f"{docname}: MathJax reported {page.scan.tags['mjx-merror']} TeX errors"
    raw = RAW_TEX.findall(page.scan.text)
    assert not raw, f"{docname}: raw TeX delimiters left in the page text: {raw[:5]}"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_images_present_and_loaded(rendered: dict[str, Rendered], site: SiteServer, book_html: Path,
                                   docname: str) -> None:
    page = rendered[docname]
    requested = {r.path: r.status for r in _requests_from(site, page.url)}
    page_dir = html_of(book_html, docname).parent
    problems: list[str] = []
    for img in page.scan.images:
        src = img["src"]
        if src.startswith("data:"):
            continue
        if re.match(r"^(?:https?:)?//", src):
            problems.append(f"{src}: remote image")
            continue
        rel = src.split("?")[0].split("#")[0]
        local = (page_dir / rel).resolve()
        if not local.is_file() or local.stat().st_size == 0:
            problems.append(f"{src}: missing or empty file")
            continue
        if local.suffix.lower() == ".png" and min(png_size(local)) <= 0:
            problems.append(f"{src}: not a valid PNG")
        served = "/" + local.relative_to(book_html.resolve()).as_posix()
        if requested.get(served) != 200:
            problems.append(f"{src}: browser request status {requested.get(served, 'never requested')}")
    assert not problems, f"{docname}: images not shown:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("docname", DOCNAMES)
def test_no_failed_requests(rendered: dict[str, Rendered], site: SiteServer, docname: str) -> None:
    page = rendered[docname]
    failed = sorted({f"{r.status} {r.path}" for r in _requests_from(site, page.url)
                     if r.status >= 400 and r.path not in IGNORED_404})
    assert not failed, f"{docname}: requests that failed: {failed}"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_fetches_nothing_remote(rendered: dict[str, Rendered], site: SiteServer, docname: str) -> None:
    page = rendered[docname]
    assert not page.netlog_error, f"{docname}: Chromium's NetLog could not be read: {page.netlog_error}"
    assert page.url in page.urls, f"{docname}: the NetLog does not even show the page itself ({len(page.urls)} URLs)"
    remote = sorted({u for u in page.urls if not u.startswith(site.base)})
    assert not remote, f"{docname}: the page tried to load from the network: {remote}"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_no_error_output(rendered: dict[str, Rendered], docname: str) -> None:
    page = rendered[docname]
    bad = [" ".join(sorted(cls)) for _tag, cls in page.scan.class_sets
           if "output" in cls and cls & {"stderr", "error", "traceback"}]
    assert not bad, f"{docname}: error/stderr output blocks: {bad}"
    assert "Traceback" not in page.scan.all_text, f"{docname}: a traceback is shown"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_chinese_prose_present(rendered: dict[str, Rendered], docname: str) -> None:
    page = rendered[docname]
    n = len(CJK_CHAR.findall(page.scan.main_text))
    assert n >= MIN_CJK_CHARS, f"{docname}: only {n} Chinese characters in the article body"


def test_front_page_screenshot_not_blank(site: SiteServer, chromium: str, tmp_path: Path) -> None:
    from PIL import Image

    shot = tmp_path / "intro.png"
    url = site.url(f"{DOCNAMES[0]}.html")
    proc = run_chromium(chromium, url, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000")
    assert shot.is_file() and shot.stat().st_size > 0, f"no screenshot of {url}:\n{proc.stderr[-2000:]}"
    with Image.open(shot) as im:
        rgb = im.convert("RGB")
        assert rgb.size == (1280, 2000), f"screenshot size {rgb.size}"
        colours = rgb.getcolors(maxcolors=1 << 22) or []
        background = max(c for c, _ in colours) / (rgb.size[0] * rgb.size[1])
        # Dark pixels (text) in the article column, below the header.
        article = rgb.crop((300, 150, 1000, 1200)).convert("L")
        dark = sum(article.histogram()[:100]) / (700 * 1050)
    assert len(colours) > 200, f"screenshot has only {len(colours)} colours: blank page? ({shot})"
    assert background < 0.95, f"{background:.0%} of the screenshot is one colour: blank page? ({shot})"
    assert dark > 0.005, f"almost no dark (text) pixels in the article area ({dark:.2%}); see {shot}"


@pytest.mark.parametrize("env, outcome", [({}, "skip"), ({"NPUCOURSE_REQUIRE_BROWSER": "1"}, "fail"),
                                          ({"CI": "true"}, "fail")])
def test_missing_browser_skips_or_fails(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], outcome: str) -> None:
    """Without Chromium a laptop skips the browser tests; CI (or the opt-in variable) fails them."""
    import booktools

    for k in ("NPUCOURSE_REQUIRE_BROWSER", "CI"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(booktools, "find_chromium", lambda: None)
    expected = pytest.skip.Exception if outcome == "skip" else pytest.fail.Exception
    with pytest.raises(expected, match="Chromium"):
        booktools.require_browser()
