"""Grading a class through the documented workflow (``python -m npucourse.grading.classroom``):
a synthetic class of 20 students × every assignment, mixed correct, wrong, broken and tampering
submissions; an interrupted run that is resumed; feedback without hidden tests and with offline math.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from npucourse.grading.course import REPO, Course
from npucourse.grading.feedback import leaks_hidden_tests

from . import classgen, nbedit

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("classroom")]

ASSIGNMENTS = sorted(
    p.name for p in (REPO / "solutions").iterdir()
    if p.is_dir() and (Path(__file__).parent / "mutants" / f"{p.name}.py").exists()
)
N_STUDENTS = 20
CLI = [sys.executable, "-m", "npucourse.grading.classroom"]


def _course(tmp: Path, assignments: list[str], n: int) -> tuple[Course, dict]:
    course = Course.copy_of_repo(tmp / "course", assignments, timeout=10)
    for a in assignments:
        course.generate(a)
    expected = classgen.make_class(course, assignments, n, tmp)
    return course, expected


def _csv(path: Path) -> dict[tuple[str, str], tuple[float, float]]:
    rows = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            key = (r["assignment"], r["student_id"])
            assert key not in rows, f"duplicate grade row {key}"
            rows[key] = (float(r["score"]), float(r["max_score"]))
    return rows


def _check_grades(rows, expected):
    assert set(expected) <= set(rows), sorted(set(expected) - set(rows))[:5]
    for key, kind in expected.items():
        score, max_score = rows[key]
        rule = classgen.KINDS[kind]
        assert max_score > 0, key
        if rule == "full":
            assert score == max_score, (key, kind, score, max_score)
        elif rule == "zero":
            assert score == 0, (key, kind, score, max_score)
        else:
            assert 0 < score < max_score, (key, kind, score, max_score)


def _run(args, cwd, **kw):
    return subprocess.run([*CLI, "--course-dir", str(cwd), *args], capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    course, expected = _course(tmp, ASSIGNMENTS, N_STUDENTS)
    t0 = time.perf_counter()
    r = _run(["grade", "--timeout", "10"], course.root)
    seconds = time.perf_counter() - t0
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return course, expected, r.stdout, seconds


def test_class_grades_in_exported_csv(graded_class, tmp_path):
    course, expected, out, _ = graded_class
    assert len(expected) == N_STUDENTS * len(ASSIGNMENTS) >= 20
    assert f"[{len(expected)}/{len(expected)}]" in out  # progress display reached the end
    r = _run(["export", str(tmp_path / "grades.csv")], course.root)
    assert r.returncode == 0, r.stderr[-2000:]
    _check_grades(_csv(tmp_path / "grades.csv"), expected)


def test_regrading_a_graded_class_does_nothing(graded_class):
    course, _, _, _ = graded_class
    r = _run(["grade"], course.root)
    assert r.returncode == 0 and "0 to grade" in r.stdout, r.stdout


def test_feedback_hides_hidden_tests_and_renders_math_offline(graded_class):
    course, expected, _, _ = graded_class
    r = _run(["feedback", "--assignments", ASSIGNMENTS[0]], course.root)
    assert r.returncode == 0, r.stderr[-2000:]
    files = sorted((course.root / "feedback").glob(f"*/{ASSIGNMENTS[0]}/*.html"))
    assert len(files) == N_STUDENTS
    source = nbedit.read(course.source_notebook(ASSIGNMENTS[0]))
    hidden = [seg.strip() for c in source.cells for seg in nbedit.HIDDEN_RE.findall(c.source)]
    hidden_lines = [ln.strip() for seg in hidden for ln in seg.splitlines()
                    if ln.strip() and "HIDDEN TESTS" not in ln]
    assert hidden_lines
    wrong = [k for k, kind in expected.items() if k[0] == ASSIGNMENTS[0] and kind == "wrong"]
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert leaks_hidden_tests(f, hidden_lines) == [], f
        external = re.findall(r"""<(?:script|link|img)[^>]+(?:src|href)=["']?(?:https?:)?//""", text)
        assert external == [], (f, external[:3])  # nothing loaded from the network
        assert "window.MathJax = {tex:" in text, f  # MathJax 3 configured and inlined
    # a wrong answer's feedback says which check failed (the oracle's message), without source
    fb = (course.root / "feedback" / wrong[0][1] / ASSIGNMENTS[0] / f"{ASSIGNMENTS[0]}.html").read_text(encoding="utf-8")
    assert "检查未通过" in fb


def test_interrupted_grading_resumes_without_losing_or_duplicating(tmp_path):
    assignments = ASSIGNMENTS[:2]
    course, expected = _course(tmp_path, assignments, 6)
    proc = subprocess.Popen([*CLI, "--course-dir", str(course.root), "grade", "--timeout", "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    done = 0
    deadline = time.monotonic() + 600
    while done < 3 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        done += line.startswith("[")
    os.killpg(proc.pid, signal.SIGKILL)  # the instructor's laptop dies mid-run
    proc.wait()
    proc.stdout.close()
    assert done >= 3
    r = _run(["grade", "--timeout", "10"], course.root)
    assert r.returncode == 0, r.stdout[-2000:]
    assert "already graded" in r.stdout
    r = _run(["export", str(tmp_path / "grades.csv")], course.root)
    assert r.returncode == 0
    rows = _csv(tmp_path / "grades.csv")
    assert len(rows) == len(expected)
    _check_grades(rows, expected)


def test_feedback_math_typesets_in_a_browser_without_network(graded_class, tmp_path):
    import shutil

    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("NPUCOURSE_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail("chromium is required here (Debian package 'chromium')")
        pytest.skip("chromium not installed")
    course, _, _, _ = graded_class
    a = "ex2_3"  # its statement has inline math ($C_{[M,N]} = ...$)
    assert _run(["feedback", "--assignments", a], course.root).returncode == 0
    files = sorted((course.root / "feedback").glob(f"*/{a}/*.html"))
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--proxy-server=127.0.0.1:9", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=10000", "--dump-dom", files[0].as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout
    assert "<mjx-container" in dom, "math in the feedback page was not typeset"
    body = dom.split("<body", 1)[-1]
    assert "$C_{[M,N]}$" not in body and "\\(" not in re.sub(r"<script.*?</script>", "", body, flags=re.S)


def test_collect_from_lms_downloads_then_grade(tmp_path):
    """The README's first step: LMS downloads (a notebook named after the student, and a zip
    archive) → ``collect`` → ``grade`` → ``export``; a folder with nothing matching is an error."""
    import zipfile

    a = ASSIGNMENTS[0]
    course = Course.copy_of_repo(tmp_path / "course", [a], timeout=10)
    course.generate(a)
    release = nbedit.read(course.release_notebook(a))
    answers = nbedit.solution_answers(nbedit.read(course.source_notebook(a)))
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    nbedit.write(nbedit.fill(release, answers), downloads / f"s001_{a}.ipynb")
    nb = nbedit.write(release, tmp_path / f"s002_{a}.ipynb")
    with zipfile.ZipFile(downloads / "s002.zip", "w") as z:
        z.write(nb, nb.name)
    r = _run(["collect", a, "--from", str(downloads)], course.root)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "collected 2 submission(s)" in r.stdout
    for student in ("s001", "s002"):
        assert (course.root / "submitted" / student / a / f"{a}.ipynb").is_file()
    assert sorted(p.name for p in (course.root / "submitted").iterdir()) == ["s001", "s002"]  # nothing else
    assert _run(["grade", "--timeout", "10"], course.root).returncode == 0
    assert _run(["export", str(tmp_path / "grades.csv")], course.root).returncode == 0
    _check_grades(_csv(tmp_path / "grades.csv"), {(a, "s001"): "correct", (a, "s002"): "as_is"})

    odd = tmp_path / "odd"
    odd.mkdir()
    nbedit.write(release, odd / "submission.ipynb")  # no student id in the name
    r = _run(["collect", a, "--from", str(odd)], course.root)
    assert r.returncode == 1 and "--regexp" in r.stderr
    r = _run(["collect", a, "--from", str(tmp_path / "missing")], course.root)
    assert r.returncode == 1 and "holds no files" in r.stderr
