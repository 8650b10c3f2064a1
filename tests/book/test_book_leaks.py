"""No solution, hidden test or nbgrader folder ends up in the published book.

What counts as secret, from every notebook under ``solutions/``:

- the source of each cell whose nbgrader metadata has ``grade: true`` or ``solution: true``
  (whitespace-normalised; cells shorter than :data:`MIN_CELL_CHARS` are too generic to tell a
  leak from a coincidence, e.g. ``raise NotImplementedError()``);
- every line between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` of at least
  :data:`HIDDEN_LINE_CHARS` characters, and every line between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` of at least :data:`SOLUTION_LINE_CHARS` characters, except imports and
  comment-only lines (``import npucourse as npc`` is in every chapter and is no secret);
- the nbgrader markers themselves.

None of these may appear in any file of ``_build/html`` (HTML text, the ``_sources`` copies,
the search index). Independently of what ``solutions/`` holds, no built path may lie under an
nbgrader folder and no such page may be in the search index. The detector is itself tested on a
planted leak so that the check means something while ``solutions/`` is still empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from booktools import PRIVATE_DIRS, REPO, built_text_files, load_searchindex, normalize_ws

MIN_CELL_CHARS = 40
HIDDEN_LINE_CHARS = 20
SOLUTION_LINE_CHARS = 30
MARKERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN SOLUTION", "END SOLUTION")


@dataclass(frozen=True)
class Secret:
    """A fragment of a solution notebook that must not be published."""

    origin: str
    text: str  # whitespace-normalised


def _cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _generic(line: str) -> bool:
    """Imports and comment-only lines: shared by solutions and the book, so no leak signal."""
    t = line.strip()
    return t.startswith(("import ", "from ", "#")) and (not t.startswith("from ") or " import " in t)


def _between(lines: list[str], begin: str, end: str) -> list[str]:
    out, inside = [], False
    for line in lines:
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            out.append(line)
    return out


def secrets_of(solutions: Path) -> list[Secret]:
    """Every secret fragment of the notebooks under ``solutions`` (see the module docstring)."""
    found: list[Secret] = []
    for nb_path in sorted(solutions.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in nb_path.parts:
            continue
        rel = nb_path.relative_to(solutions.parent)
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for k, cell in enumerate(nb.get("cells", [])):
            src = _cell_source(cell)
            meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
            where = f"{rel} cell {k}"
            if (meta.get("grade") or meta.get("solution")) and len(normalize_ws(src)) >= MIN_CELL_CHARS:
                found.append(Secret(f"{where} (nbgrader grade/solution cell)", normalize_ws(src)))
            lines = src.splitlines()
            for begin, end, min_chars in (("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", HIDDEN_LINE_CHARS),
                                          ("BEGIN SOLUTION", "END SOLUTION", SOLUTION_LINE_CHARS)):
                for line in _between(lines, begin, end):
                    if len(line.strip()) >= min_chars and not _generic(line):
                        found.append(Secret(f"{where} ({begin.lower()} line)", normalize_ws(line)))
    return found


def leaks(html_dir: Path, secrets: list[Secret]) -> list[str]:
    """Where secrets or nbgrader markers appear in the built site, one message each."""
    out: list[str] = []
    for path, text in built_text_files(html_dir):
        flat = normalize_ws(text)
        rel = path.relative_to(html_dir)
        for marker in MARKERS:
            if marker in flat:
                out.append(f"{rel}: contains the nbgrader marker {marker!r}")
        for s in secrets:
            if s.text in flat:
                out.append(f"{rel}: contains {s.origin}: {s.text[:80]!r}")
    return out


def private_paths(html_dir: Path) -> list[str]:
    """Built files that lie under an nbgrader folder (also under ``_sources/``, ``_images/``...)."""
    bad = []
    for p in sorted(html_dir.rglob("*")):
        parts = p.relative_to(html_dir).parts
        if any(part in PRIVATE_DIRS for part in parts[:2]):
            bad.append(str(p.relative_to(html_dir)))
    return bad


# --------------------------------------------------------------------------------------------
# The detector, on a planted leak
# --------------------------------------------------------------------------------------------

def _fake_solution(root: Path) -> Path:
    sol = root / "solutions" / "ex9_9"
    sol.mkdir(parents=True)
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "Compute the ridge point."},
        {"cell_type": "code", "metadata": {"nbgrader": {"solution": True, "grade": False, "grade_id": "a"}},
         "source": ["def ridge(peak, bw):\n", "    ### BEGIN SOLUTION\n", "    return peak / bw  # the secret ridge formula\n",
                    "    ### END SOLUTION\n"], "outputs": [], "execution_count": None},
        {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "solution": False, "grade_id": "t", "points": 1}},
         "source": ["assert ridge(2, 1) == 2\n", "### BEGIN HIDDEN TESTS\n",
                    "assert abs(ridge(2e14, 1e12) - 200.0) < 1e-9  # hidden oracle check\n", "### END HIDDEN TESTS\n"],
         "outputs": [], "execution_count": None},
    ]
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (sol / "ex9_9.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    return root / "solutions"


def test_detector_finds_a_planted_leak(tmp_path: Path) -> None:
    secrets = secrets_of(_fake_solution(tmp_path))
    origins = " ".join(s.origin for s in secrets)
    assert "grade/solution cell" in origins and "begin hidden tests line" in origins and "begin solution line" in origins

    site = tmp_path / "html"
    (site / "book").mkdir(parents=True)
    (site / "book" / "clean.html").write_text("<p>屋顶线模型</p><pre>def ridge(peak, bw):</pre>", encoding="utf-8")
    assert leaks(site, secrets) == []

    # A hidden test line, split by syntax-highlighting spans and HTML entities, is still found.
    (site / "book" / "leaky.html").write_text(
        '<pre><span class="k">assert</span> abs(ridge(2e14, 1e12) - 200.0) &lt; 1e-9'
        "  # hidden oracle check</pre>", encoding="utf-8")
    found = leaks(site, secrets)
    assert any("leaky.html" in f and "hidden tests" in f for f in found), found

    (site / "_sources" / "solutions").mkdir(parents=True)
    (site / "_sources" / "solutions" / "ex9_9.ipynb").write_text("{}", encoding="utf-8")
    assert private_paths(site) == ["_sources/solutions", "_sources/solutions/ex9_9.ipynb"]


# --------------------------------------------------------------------------------------------
# The real book
# --------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.xdist_group("book")
def test_no_solution_fragment_is_published(book_html: Path) -> None:
    secrets = secrets_of(REPO / "solutions") if (REPO / "solutions").exists() else []
    found = leaks(book_html, secrets)
    assert not found, f"solution material reached the book ({len(secrets)} secrets checked):\n  " + "\n  ".join(found)


@pytest.mark.slow
@pytest.mark.xdist_group("book")
def test_no_nbgrader_folder_is_published(book_html: Path) -> None:
    bad = private_paths(book_html)
    assert not bad, f"files from nbgrader folders were built into the book: {bad[:20]}"
    indexed = [d for d in load_searchindex(book_html)["docnames"] if d.split("/")[0] in PRIVATE_DIRS]
    assert not indexed, f"nbgrader pages are in the search index: {indexed}"
