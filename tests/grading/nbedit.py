"""Build student submissions from the release notebook: the reference answer, typical mistakes,
tampering. Used by the round-trip tests."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Callable, Mapping, Sequence

import nbformat

SOLUTION_RE = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.M)
HIDDEN_RE = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    nbformat.write(nb, str(path))
    return path


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test(cell) -> bool:
    md = cell.metadata.get("nbgrader", {})
    return bool(md.get("grade")) and cell.cell_type == "code"


def solution_answers(source_nb: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> the reference answer code (solution markers removed)."""
    out = {}
    for cell in source_nb.cells:
        md = cell.metadata.get("nbgrader", {})
        if md.get("solution") and cell.cell_type == "code":
            out[md["grade_id"]] = SOLUTION_RE.sub("", cell.source)
    return out


def fill(release_nb: nbformat.NotebookNode, answers: Mapping[str, str]) -> nbformat.NotebookNode:
    """The release notebook with answer cells replaced by ``answers`` (grade_id -> code)."""
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in answers:
            cell.source = answers[gid]
    return nb


def mutate(answers: Mapping[str, str], edits: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """Apply (grade_id, old, new) text edits; each ``old`` must occur (so a stale mutant fails loudly)."""
    out = dict(answers)
    for gid, old, new in edits:
        if old not in out[gid]:
            raise AssertionError(f"mutant edit for {gid!r}: {old!r} not found in the reference answer")
        out[gid] = out[gid].replace(old, new)
    return out


def edit_tests(nb: nbformat.NotebookNode, fn: Callable[[str], str]) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if is_test(cell):
            cell.source = fn(cell.source)
    return nb


def delete_first_test(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    i = next(i for i, c in enumerate(nb.cells) if is_test(c))
    del nb.cells[i]
    return nb


def prepend_cell(nb: nbformat.NotebookNode, code: str, before_answer: str | None = None) -> nbformat.NotebookNode:
    """Insert an unmarked code cell (students may add cells) after the answer ``before_answer``
    (or at the end)."""
    nb = copy.deepcopy(nb)
    cell = nbformat.v4.new_code_cell(code)
    idx = len(nb.cells)
    if before_answer:
        idx = next(i for i, c in enumerate(nb.cells) if grade_id(c) == before_answer) + 1
    nb.cells.insert(idx, cell)
    return nb


def insert_before_first_test(nb: nbformat.NotebookNode, code: str) -> nbformat.NotebookNode:
    """Insert an unmarked code cell just before the first graded test cell, so that it runs
    before any test does (a cheater's patch must be in place when the grading starts)."""
    nb = copy.deepcopy(nb)
    idx = next(i for i, c in enumerate(nb.cells) if is_test(c))
    nb.cells.insert(idx, nbformat.v4.new_code_cell(code))
    return nb
