"""The student's self-check command: exit codes and messages."""

import subprocess
import sys

import pytest

from npucourse.grading.course import REPO

pytestmark = [pytest.mark.slow]


def _run(path):
    return subprocess.run([sys.executable, "-m", "npucourse.grading.selfcheck", str(path)],
                          capture_output=True, text=True, timeout=300)


def test_release_as_is_fails_with_names_of_failures():
    r = _run(REPO / "exercises" / "ex2_3" / "ex2_3.ipynb")
    assert r.returncode == 1
    assert "未通过" in r.stdout and "NotImplementedError" in r.stdout and "<span" not in r.stdout


def test_reference_solution_passes():
    r = _run(REPO / "solutions" / "ex2_3" / "ex2_3.ipynb")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "通过" in r.stdout


def test_missing_notebook_is_a_usage_error(tmp_path):
    r = _run(tmp_path / "nope.ipynb")
    assert r.returncode == 2 and "找不到" in r.stdout
