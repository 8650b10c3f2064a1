"""Instructor-side helpers around nbgrader's Python API (used by the tests and the CLI).

nbgrader reads no config file through its Python API, so the course configuration of
``nbgrader_config.py`` is rebuilt here in code for a given course folder and gradebook.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

REPO = Path(__file__).resolve().parents[3]


def make_config(root: str | os.PathLike, db_url: str | None = None, timeout: int = 30):
    """A traitlets Config equal to ``nbgrader_config.py`` for course folder ``root``."""
    from traitlets.config import Config

    root = Path(root).resolve()
    c = Config()
    c.CourseDirectory.course_id = "npucourse"
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = "solutions"
    c.CourseDirectory.release_directory = "exercises"
    c.CourseDirectory.db_url = db_url or "sqlite:///" + str(root / ".nbgrader" / "gradebook.db")
    c.Execute.timeout = timeout
    c.OverwriteCells.add_missing_cells = True
    from .limits import AUTOGRADE_PREPROCESSORS

    c.Autograde.autograde_preprocessors = AUTOGRADE_PREPROCESSORS  # + output length cap
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "请在此作答。"
    return c


def ensure_tools_on_path() -> None:
    """nbgrader shells out to ``alembic`` when it creates a gradebook: put this Python's bin first."""
    import sys

    bindir = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(bindir + os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


@dataclass(frozen=True)
class Score:
    assignment: str
    student: str
    score: float
    max_score: float


class Course:
    """An nbgrader course in folder ``root`` (source in ``solutions/``)."""

    def __init__(self, root: str | os.PathLike, db_url: str | None = None, timeout: int = 30):
        from nbgrader.apps import NbGraderAPI

        ensure_tools_on_path()
        self.root = Path(root).resolve()
        (self.root / ".nbgrader").mkdir(parents=True, exist_ok=True)
        self.config = make_config(self.root, db_url, timeout)
        self.db_url = self.config.CourseDirectory.db_url
        self.api = NbGraderAPI(config=self.config)

    @classmethod
    def copy_of_repo(cls, dest: str | os.PathLike, assignments: Iterable[str] | None = None, **kw) -> "Course":
        """A fresh course folder at ``dest`` holding the repository's source assignments."""
        dest = Path(dest)
        src = REPO / "solutions"
        names = sorted(assignments) if assignments else sorted(p.name for p in src.iterdir() if p.is_dir())
        for a in names:
            shutil.copytree(src / a, dest / "solutions" / a)
        return cls(dest, **kw)

    def generate(self, assignment: str) -> None:
        r = self.api.generate_assignment(assignment, force=True)
        if not r["success"]:
            raise RuntimeError(f"generate_assignment {assignment} failed:\n{r['error']}\n{r['log']}")

    def submit(self, student: str, assignment: str, notebook_path: str | os.PathLike) -> Path:
        """Place a notebook as ``submitted/<student>/<assignment>/<assignment>.ipynb``."""
        d = self.root / "submitted" / student / assignment
        d.mkdir(parents=True, exist_ok=True)
        out = d / f"{assignment}.ipynb"
        shutil.copyfile(notebook_path, out)
        return out

    def autograde(self, assignment: str, student: str) -> None:
        r = self.api.autograde(assignment, student, force=True, create=True)
        if not r["success"]:
            raise RuntimeError(f"autograde {assignment}/{student} failed:\n{r['error']}\n{r['log']}")

    def score(self, assignment: str, student: str) -> Score:
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url) as gb:
            s = gb.find_submission(assignment, student)
            return Score(assignment, student, float(s.score), float(s.max_score))

    def release_notebook(self, assignment: str) -> Path:
        return self.root / "exercises" / assignment / f"{assignment}.ipynb"

    def source_notebook(self, assignment: str) -> Path:
        return self.root / "solutions" / assignment / f"{assignment}.ipynb"
