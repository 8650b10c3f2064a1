"""The committed release (exercises/) is exactly what nbgrader generates from solutions/, and
nbgrader's validator passes every source notebook and fails every test of every release."""

from __future__ import annotations

import json

import pytest

from npucourse.grading.course import REPO, Course

ASSIGNMENTS = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("release")]


def _cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["cell_type"], c["source"] if isinstance(c["source"], str) else "".join(c["source"]),
             json.dumps(c["metadata"].get("nbgrader", {}), sort_keys=True)) for c in nb["cells"]]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    course = Course.copy_of_repo(tmp_path_factory.mktemp("release") / "course", ASSIGNMENTS)
    for a in ASSIGNMENTS:
        course.generate(a)
    return course


def test_every_assignment_is_released():
    released = sorted(p.name for p in (REPO / "exercises").iterdir() if p.is_dir())
    assert released == ASSIGNMENTS


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_committed_release_matches_generated(regenerated, a):
    committed = REPO / "exercises" / a / f"{a}.ipynb"
    assert _cells(committed) == _cells(regenerated.release_notebook(a)), (
        f"exercises/{a} is stale: run `make release` and commit it"
    )


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_release_has_no_solution_or_hidden_test(a):
    text = (REPO / "exercises" / a / f"{a}.ipynb").read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "_h.check("):
        assert marker not in text, (a, marker)


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_validate_source_passes_and_release_fails_every_test(regenerated, a):
    from nbgrader.validator import Validator

    v = Validator(config=regenerated.config)
    src = v.validate(str(regenerated.source_notebook(a)))
    assert not src.get("failed") and not src.get("changed"), src
    rel = v.validate(str(REPO / "exercises" / a / f"{a}.ipynb"))
    n_tests = sum(1 for t in _cells(REPO / "exercises" / a / f"{a}.ipynb") if '"grade": true' in t[2] and t[0] == "code")
    assert len(rel.get("failed", [])) == n_tests, rel
