"""The book builds warning-free with every notebook executed, and the built HTML is clean.

Static checks of ``_build/html`` (no browser): every toc page exists, no cell wrote to stderr or
raised, no matplotlib "Glyph ... missing" warning anywhere, nothing is loaded from the network,
the ``{src}`` role and the CJK line joining work.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from booktools import (
    CJK_CHAR,
    REPO,
    BookBuild,
    html_of,
    scan_html,
    source_of,
    toc_docnames,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

DOCNAMES = toc_docnames()
GLYPH_MISSING = re.compile(r"Glyph\s+\d+.{0,80}?missing", re.IGNORECASE | re.DOTALL)
BAD_OUTPUT_CLASSES = {"stderr", "traceback", "error"}


def test_build_succeeds(book_build: BookBuild) -> None:
    if book_build.prebuilt:
        pytest.skip("NPUCOURSE_BOOK_HTML is set: testing a prebuilt book, not building it")
    assert book_build.returncode == 0, (
        f"`jupyter-book build . -W --keep-going --all` failed (exit {book_build.returncode}) "
        f"after {book_build.seconds:.0f} s; full log: {book_build.log_path}\n{book_build.tail()}"
    )


def test_toc_has_root_and_chapters() -> None:
    assert DOCNAMES[0] == "book/intro", f"the toc root must be book/intro, got {DOCNAMES[0]!r}"
    for doc in ("book/ch02/index", "book/ch21/index", "book/appendix/corrections"):
        assert doc in DOCNAMES, f"{doc} is missing from _toc.yml"
    for doc in DOCNAMES:
        source_of(doc)  # raises with the docname when the source is missing


@pytest.mark.parametrize("docname", DOCNAMES)
def test_toc_page_built(book_html: Path, docname: str) -> None:
    page = html_of(book_html, docname)
    assert page.is_file() and page.stat().st_size > 0, f"{docname}: no HTML page at {page}"


def test_index_redirects_to_root(book_html: Path) -> None:
    index = (book_html / "index.html").read_text(encoding="utf-8")
    assert "book/intro.html" in index, "index.html does not lead to the front page book/intro.html"


def test_no_execution_reports(book_html: Path) -> None:
    reports = book_html / "reports"
    files = sorted(p.relative_to(book_html) for p in reports.rglob("*") if p.is_file()) if reports.exists() else []
    assert not files, f"notebook execution left failure reports: {files}"


def _html_pages(html_dir: Path) -> list[Path]:
    return sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.relative_to(html_dir).parts)


def test_no_stderr_or_error_output_blocks(book_html: Path) -> None:
    bad: list[str] = []
    for page in _html_pages(book_html):
        scan = scan_html(page.read_text(encoding="utf-8"))
        for tag, classes in scan.class_sets:
            if "output" in classes and classes & BAD_OUTPUT_CLASSES:
                bad.append(f"{page.relative_to(book_html)}: <{tag} class=\"{' '.join(sorted(classes))}\">")
        if "Traceback (most recent call last)" in scan.all_text:
            bad.append(f"{page.relative_to(book_html)}: a Python traceback")
    assert not bad, "cells wrote to stderr or raised (fix the cell; warnings count):\n  " + "\n  ".join(bad)


def test_no_missing_glyph_warnings(book_build: BookBuild, book_html: Path) -> None:
    roots = [book_html, book_build.root / "jupyter_execute"]
    hits: list[str] = []
    for root in roots:
        if not root.exists():
            continue
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix in {".html", ".ipynb", ".txt", ".js", ".json"}:
                m = GLYPH_MISSING.search(p.read_text(encoding="utf-8", errors="replace"))
                if m:
                    hits.append(f"{p}: {m.group(0)!r}")
    assert not hits, (
        "matplotlib could not draw some characters (use English plot labels, see book/AUTHORING.md):\n  "
        + "\n  ".join(hits)
    )


def test_nothing_loaded_from_the_network(book_html: Path) -> None:
    remote = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
    bad: list[str] = []
    for page in _html_pages(book_html):
        scan = scan_html(page.read_text(encoding="utf-8"))
        for src in scan.scripts:
            if remote.match(src):
                bad.append(f"{page.relative_to(book_html)}: <script src={src}>")
        for href in scan.stylesheets:
            if remote.match(href):
                bad.append(f"{page.relative_to(book_html)}: <link rel=stylesheet href={href}>")
        for img in scan.images:
            if remote.match(img["src"]):
                bad.append(f"{page.relative_to(book_html)}: <img src={img['src']}>")
    for css in sorted(book_html.rglob("*.css")):
        for m in re.finditer(r"@import\s+(?:url\()?['\"]?((?:https?:)?//[^'\")\s]+)", css.read_text(errors="replace")):
            bad.append(f"{css.relative_to(book_html)}: @import {m.group(1)}")
    assert not bad, "the book loads resources from the network:\n  " + "\n  ".join(bad)


def test_mathjax_is_served_from_the_book(book_html: Path) -> None:
    scan = scan_html(html_of(book_html, DOCNAMES[0]).read_text(encoding="utf-8"))
    mathjax = [s for s in scan.scripts if "mathjax" in s.lower() or "tex-" in s.lower()]
    assert mathjax, "the front page loads no MathJax script"
    for src in mathjax:
        local = (html_of(book_html, DOCNAMES[0]).parent / src.split("?")[0]).resolve()
        assert local.is_file() and local.stat().st_size > 10_000, f"MathJax script {src} is not a file of the book"
    fonts = list((book_html / "_static" / "mathjax").rglob("*.woff"))
    assert fonts, "MathJax's CHTML fonts were not copied into _static/mathjax"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_src_role_renders_quoted_figures(book_html: Path, docname: str) -> None:
    uses = len(re.findall(r"\{src\}`", source_of(docname).read_text(encoding="utf-8")))
    markup = html_of(book_html, docname).read_text(encoding="utf-8")
    spans = re.findall(r'<span class="quoted-figure" title="quoted from the source[^"]*">', markup)
    assert len(spans) == uses, f"{docname}: {uses} {{src}} roles in the source, {len(spans)} quoted-figure spans"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_chinese_lines_are_joined(book_html: Path, docname: str) -> None:
    """A soft line break between two Chinese characters must not become a visible space."""
    paragraphs = re.findall(r"<p>(.*?)</p>", html_of(book_html, docname).read_text(encoding="utf-8"), re.DOTALL)
    # A hard break (<br />) is intended; only soft breaks must not reach the text.
    texts = [re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>\s*", "\u2028", p)) for p in paragraphs]
    gaps = [t for t in texts if re.search(rf"{CJK_CHAR.pattern}[ \t]*\n[ \t]*{CJK_CHAR.pattern}", t)]
    assert not gaps, f"{docname}: line breaks between Chinese characters survived:\n" + "\n".join(g[:120] for g in gaps)


def test_front_page_has_executed_roofline_figure(book_html: Path) -> None:
    """The front page's roofline cell ran and its PNG was written."""
    page = html_of(book_html, "book/intro")
    scan = scan_html(page.read_text(encoding="utf-8"))
    pngs = [i["src"] for i in scan.images if i["main"] == "True" and i["src"].endswith(".png")]
    assert pngs, "the front page shows no PNG figure (the roofline cell did not produce one)"
    for src in pngs:
        assert (page.parent / src).resolve().stat().st_size > 1000, f"figure {src} is empty"


def test_repository_and_launch_buttons(book_html: Path) -> None:
    markup = html_of(book_html, "book/intro").read_text(encoding="utf-8")
    for what, needle in [
        ("repository button", "https://github.com/npucourse/npucourse"),
        ("Binder launch button", "https://mybinder.org/v2/gh/npucourse/npucourse/main"),
        ("JupyterHub launch button", "/hub/user-redirect/git-pull"),
        ("Colab launch button", "https://colab.research.google.com/github/npucourse/npucourse"),
        ("download .md button", "_sources/book/intro.md"),
        ("download .ipynb button", "_sources/book/intro.ipynb"),
        ("copy button script", "copybutton.js"),
        ("toggle button script", "togglebutton.js"),
    ]:
        assert needle in markup, f"front page has no {what} ({needle!r})"


def test_config_excludes_private_folders() -> None:
    from booktools import PRIVATE_DIRS, exclude_patterns

    pats = set(exclude_patterns())
    missing = [d for d in (*PRIVATE_DIRS, ".venv", "_build", "benchmarks", "tests", "README.md", "book/AUTHORING.md")
               if d not in pats]
    assert not missing, f"_config.yml exclude_patterns lacks {missing}"
    import yaml

    cfg = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    assert cfg.get("only_build_toc_files") is True, "_config.yml must set only_build_toc_files: true"
