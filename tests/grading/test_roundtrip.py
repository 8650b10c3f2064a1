"""Round trip through the real nbgrader for every assignment: generate → autograde → scores.

Per assignment (mutants in ``tests/grading/mutants/<assignment>.py``):
reference → full marks; release as-is → 0; each typical mistake → strictly between; hard-coding
the visible cases → not full; editing test cells to ``assert True``, deleting a test cell, or
monkeypatching npucourse/numpy/builtins/the harness → no gain over the honest wrong answer;
an infinite loop is cut off by the per-cell timeout and the rest of the batch is unaffected;
printing megabytes neither costs points nor bloats the graded notebook.

Design exercises (a schedule, a plan, a policy: ``DESIGN_ASSIGNMENTS``) also define
``ALTERNATIVES`` — at least two correct designs different from the reference, each of which must
get full marks — and ``VIOLATIONS`` — designs that break a constraint, each of which must not.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path

import pytest

from npucourse.grading.course import REPO, Course

from . import nbedit
from .mutants import GENERIC_PATCH

ASSIGNMENTS = sorted(
    p.name for p in (REPO / "solutions").iterdir()
    if p.is_dir() and (Path(__file__).parent / "mutants" / f"{p.name}.py").exists()
)

#: Assignments whose answers are designs: any correct design must pass, not just the reference.
DESIGN_ASSIGNMENTS = ("ex21_3", "ex21_5", "ex21_6", "ex21_7", "ex21_8")

pytestmark = [pytest.mark.slow]


def _mutants(a: str):
    return importlib.import_module(f"tests.grading.mutants.{a}")


def _patch(m) -> str:
    """The cheater's whole cell: the assignment's own patch, then the generic one."""
    return m.MONKEYPATCH + GENERIC_PATCH


@pytest.fixture(scope="module", params=[pytest.param(a, marks=pytest.mark.xdist_group(f"grade-{a}")) for a in ASSIGNMENTS])
def graded(request, tmp_path_factory):
    """Grade every variant of one assignment in one course folder; return {variant: Score}."""
    a = request.param
    m = _mutants(a)
    tmp = tmp_path_factory.mktemp(a)
    course = Course.copy_of_repo(tmp / "course", [a], timeout=10)
    course.generate(a)
    release = nbedit.read(course.release_notebook(a))
    answers = nbedit.solution_answers(nbedit.read(course.source_notebook(a)))
    first_wrong = next(iter(m.WRONG))
    wrong_answers = nbedit.mutate(answers, m.WRONG[first_wrong])

    variants = {
        "reference": nbedit.fill(release, answers),
        "as_is": release,
        **{f"wrong_{k}": nbedit.fill(release, nbedit.mutate(answers, e)) for k, e in m.WRONG.items()},
        "hardcode": nbedit.fill(release, {**answers, **m.HARDCODE}),
        "tamper_assert_true": nbedit.edit_tests(nbedit.fill(release, wrong_answers), lambda s: "assert True\n"),
        "tamper_delete": nbedit.delete_first_test(nbedit.fill(release, wrong_answers)),
        "monkeypatch": nbedit.insert_before_first_test(nbedit.fill(release, wrong_answers), _patch(m)),
        "loop": nbedit.fill(release, {**answers, **m.LOOP}),
        "after_loop": nbedit.fill(release, answers),
        "prints_megabytes": nbedit.prepend_cell(nbedit.fill(release, answers), "print('x' * 5_000_000)"),
        **{f"alternative_{k}": nbedit.fill(release, nbedit.mutate(answers, e))
           for k, e in getattr(m, "ALTERNATIVES", {}).items()},
        **{f"violation_{k}": nbedit.fill(release, nbedit.mutate(answers, e))
           for k, e in getattr(m, "VIOLATIONS", {}).items()},
    }
    scores, seconds = {}, {}
    for student, nb in variants.items():
        path = nbedit.write(nb, tmp / f"{student}.ipynb")
        course.submit(student, a, path)
        t0 = time.perf_counter()
        course.autograde(a, student)
        seconds[student] = time.perf_counter() - t0
        scores[student] = course.score(a, student)
    sizes = {k: (course.root / "autograded" / k / a / f"{a}.ipynb").stat().st_size for k in variants}
    patched = nbedit.read(course.root / "autograded" / "monkeypatch" / a / f"{a}.ipynb")
    return a, m, scores, seconds, first_wrong, sizes, patched


def test_reference_scores_full_marks(graded):
    a, _, s, _, _, _, _ = graded
    assert s["reference"].max_score > 0
    assert s["reference"].score == s["reference"].max_score, a


def test_release_as_is_scores_zero(graded):
    a, _, s, _, _, _, _ = graded
    assert s["as_is"].score == 0, a


def test_typical_mistakes_get_partial_credit(graded):
    a, m, s, _, _, _, _ = graded
    assert len(m.WRONG) >= 2
    for k in m.WRONG:
        sc = s[f"wrong_{k}"]
        assert 0 < sc.score < sc.max_score, (a, k, sc)


def test_hardcoding_visible_cases_fails_hidden_tests(graded):
    a, _, s, _, _, _, _ = graded
    assert s["hardcode"].score < s["hardcode"].max_score, a


def test_monkeypatch_ran_before_grading(graded):
    """The cheater's patch really ran, without error, before the first test cell (else the
    no-gain check below would prove nothing)."""
    a, m, _, _, _, _, nb = graded
    idx = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source == _patch(m))
    first_test = next(i for i, c in enumerate(nb.cells) if nbedit.is_test(c))
    assert idx < first_test, a
    errors = [o for o in nb.cells[idx].get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, (a, errors[0].get("ename"), errors[0].get("evalue"))


def test_tampering_gains_nothing(graded):
    a, _, s, _, first_wrong, _, _ = graded
    honest = s[f"wrong_{first_wrong}"].score
    for k in ("tamper_assert_true", "tamper_delete", "monkeypatch"):
        assert s[k].score <= honest, (a, k, s[k].score, honest)


def test_infinite_loop_is_cut_off_and_batch_unaffected(graded):
    a, _, s, sec, _, _, _ = graded
    assert s["loop"].score < s["loop"].max_score
    assert s["loop"].score > 0  # the other parts still count
    assert sec["loop"] < 60, sec["loop"]
    assert s["after_loop"].score == s["after_loop"].max_score


def test_printing_megabytes_changes_nothing(graded):
    a, _, s, _, _, sizes, _ = graded
    assert s["prints_megabytes"].score == s["prints_megabytes"].max_score, a
    assert sizes["prints_megabytes"] < 1_000_000, sizes["prints_megabytes"]  # output was limited


def test_every_correct_design_gets_full_marks(graded):
    a, m, s, _, _, _, _ = graded
    alternatives = getattr(m, "ALTERNATIVES", {})
    if a in DESIGN_ASSIGNMENTS:
        assert len(alternatives) >= 2, f"{a}: a design exercise needs >= 2 alternative correct designs"
    for k in alternatives:
        sc = s[f"alternative_{k}"]
        assert sc.score == sc.max_score, (a, k, sc)


def test_a_design_that_violates_a_constraint_does_not_pass(graded):
    a, m, s, _, _, _, _ = graded
    violations = getattr(m, "VIOLATIONS", {})
    if a in DESIGN_ASSIGNMENTS:
        assert violations, f"{a}: a design exercise needs a constraint-violating design"
    for k in violations:
        sc = s[f"violation_{k}"]
        assert sc.score < sc.max_score, (a, k, sc)
