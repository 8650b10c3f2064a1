"""Grading speed.

1. One student's notebooks: autograding (nbgrader, hidden tests, oracle process) versus plain
   execution of the same reference-solution notebooks (nbclient), and the ratio.
2. Class throughput: notebooks per second with one grading process versus all cores
   (``npucourse.grading.classroom.grade``).

Run: ``make benchmarks`` or ``.venv/bin/python benchmarks/bench_grading.py [students]``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from _machine import describe, load

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def plain_execution(notebooks: list[Path]) -> float:
    import nbformat
    from nbclient import NotebookClient

    t0 = time.perf_counter()
    for nb_path in notebooks:
        nb = nbformat.read(str(nb_path), as_version=4)
        NotebookClient(nb, timeout=60, kernel_name="python3").execute(cwd=str(nb_path.parent))
    return time.perf_counter() - t0


def main(students: int = 4) -> None:
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    from npucourse.grading import classroom
    from npucourse.grading.course import Course, ensure_tools_on_path
    from tests.grading import classgen, nbedit

    ensure_tools_on_path()
    print(describe())
    print(load())
    assignments = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        course = Course.copy_of_repo(tmp / "one", assignments)
        for a in assignments:
            course.generate(a)
        notebooks = []
        for a in assignments:
            release = nbedit.read(course.release_notebook(a))
            answers = nbedit.solution_answers(nbedit.read(course.source_notebook(a)))
            path = nbedit.write(nbedit.fill(release, answers), tmp / f"{a}.ipynb")
            course.submit("student", a, path)
            notebooks.append(path)
        t_plain = plain_execution(notebooks)
        t0 = time.perf_counter()
        for a in assignments:
            course.autograde(a, "student")
        t_grade = time.perf_counter() - t0
        print(f"one student, {len(assignments)} notebooks: plain execution {t_plain:.1f} s, "
              f"autograde {t_grade:.1f} s, ratio {t_grade / t_plain:.2f}")

        for jobs in (1, os.cpu_count() or 1):
            c = Course.copy_of_repo(tmp / f"class{jobs}", assignments[:4])
            for a in assignments[:4]:
                c.generate(a)
            classgen.make_class(c, assignments[:4], students, tmp)
            t0 = time.perf_counter()
            res = classroom.grade(c.root, jobs=jobs, progress=False)
            dt = time.perf_counter() - t0
            print(f"class of {students} students x {len(assignments[:4])} assignments, {jobs} process(es): "
                  f"{dt:.1f} s, {len(res) / dt:.3f} notebooks/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4)
