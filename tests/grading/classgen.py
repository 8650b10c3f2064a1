"""A synthetic class: every student hands in every assignment in one of several kinds."""

from __future__ import annotations

import importlib
from pathlib import Path

from npucourse.grading.course import Course

from . import nbedit

#: submission kind -> expected score rule ("full", "zero", "partial")
KINDS = {"correct": "full", "wrong": "partial", "as_is": "zero", "broken": "zero", "tamper": "zero"}


def kind_of(i: int, j: int) -> str:
    """Deterministic mix over students i and assignments j."""
    return list(KINDS)[(i + 2 * j) % len(KINDS)]


def make_class(course: Course, assignments: list[str], n_students: int, tmp: Path) -> dict[tuple[str, str], str]:
    """Write ``submitted/`` for a class; returns {(assignment, student): kind}."""
    expected = {}
    for j, a in enumerate(assignments):
        m = importlib.import_module(f"tests.grading.mutants.{a}")
        release = nbedit.read(course.release_notebook(a))
        answers = nbedit.solution_answers(nbedit.read(course.source_notebook(a)))
        first_wrong = next(iter(m.WRONG.values()))
        variants = {
            "correct": nbedit.fill(release, answers),
            "wrong": nbedit.fill(release, nbedit.mutate(answers, first_wrong)),
            "as_is": release,
            "broken": nbedit.fill(release, {gid: "def broken(:\n" for gid in answers}),
            "tamper": nbedit.edit_tests(release, lambda s: "assert True\n"),
        }
        for i in range(n_students):
            student = f"s{i:03d}"
            k = kind_of(i, j)
            path = nbedit.write(variants[k], tmp / f"{a}-{k}.ipynb")
            course.submit(student, a, path)
            expected[(a, student)] = k
    return expected
