"""Student feedback that says which checks passed, without showing hidden tests, and whose
math renders offline.

* :class:`HideHiddenTests` (an nbgrader preprocessor for ``GenerateFeedback``) removes hidden-test
  regions from grade cells and cuts tracebacks of test cells down to their last line — the
  oracle's message (what was checked, which inputs failed) — because a traceback quotes the
  hidden test's source.
* :func:`make_offline` replaces the MathJax 2 CDN script that nbconvert's feedback template
  writes with an inlined MathJax 3 (SVG output, no font files), so the page renders with no
  network.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from nbgrader.preprocessors import ClearHiddenTests

HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"

_CDN_BLOCK = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class HideHiddenTests(ClearHiddenTests):
    """Hidden tests out of grade cells; test-cell errors reduced to ``Name: message``."""

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
        cell, resources = super().preprocess_cell(cell, resources, index)
        md = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and md.get("grade") and not md.get("solution"):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {_ANSI.sub('', out.get('evalue', ''))}"]
        return cell, resources


def mathjax_source() -> str:
    """MathJax 3 ``tex-svg.js`` as shipped by the ``sphinx-mathjax-offline`` package."""
    import importlib.util

    spec = importlib.util.find_spec("sphinx-mathjax-offline") or importlib.util.find_spec("sphinx_mathjax_offline")
    candidates = []
    if spec and spec.submodule_search_locations:
        candidates += [Path(p) / "static" / "mathjax" / "tex-svg.js" for p in spec.submodule_search_locations]
    import sys

    for base in map(Path, sys.path):
        candidates.append(base / "sphinx-mathjax-offline" / "static" / "mathjax" / "tex-svg.js")
    for c in candidates:
        if c.is_file():
            return c.read_text(encoding="utf-8")
    raise FileNotFoundError("MathJax 3 (tex-svg.js) not found: install the 'sphinx-mathjax-offline' package")


_MATHJAX_CONFIG = (
    "<script>window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], "
    "displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']], processEscapes: true}, svg: {fontCache: 'global'}};</script>"
)


def make_offline(path: str | Path, js: str | None = None) -> None:
    """Rewrite one feedback HTML file so that its math renders without network."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if "cdnjs.cloudflare.com/ajax/libs/mathjax" not in text:
        return
    js = mathjax_source() if js is None else js
    inline = _MATHJAX_CONFIG + "\n<script>" + js.replace("</script", "<\\/script") + "</script>"
    text, n = _CDN_BLOCK.subn(lambda m: inline, text, count=1)
    if n != 1 or "cdnjs.cloudflare.com" in text:
        raise RuntimeError(f"{p}: could not replace the MathJax CDN script")
    p.write_text(text, encoding="utf-8")


def leaks_hidden_tests(path: str | Path, hidden_snippets: list[str]) -> list[str]:
    """The hidden-test snippets that appear in a feedback HTML file (for tests and audits)."""
    text = html.unescape(Path(path).read_text(encoding="utf-8"))
    return [s for s in hidden_snippets if s and s in text]
