"""nbgrader configuration of the npucourse course (read by the nbgrader CLI from this folder).

Gradebook and student work live outside the tracked tree (.nbgrader/, submitted/, autograded/,
feedback/ are git-ignored). For a large class use PostgreSQL instead of SQLite:
    c.CourseDirectory.db_url = "postgresql://user:password@host/npucourse"
"""

import os

c = get_config()  # noqa: F821 (provided by nbgrader)

ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "npucourse"
c.CourseDirectory.root = ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.db_url = os.environ.get(
    "NPUCOURSE_GRADEBOOK", "sqlite:///" + os.path.join(ROOT, ".nbgrader", "gradebook.db")
)

# A cell that runs longer than this is interrupted; the rest of the notebook still runs.
c.Execute.timeout = 30
# Restore test cells a student deleted, so they count (and score 0 if the answer is missing).
c.OverwriteCells.add_missing_cells = True
# nbgrader's LimitOutput caps lines, not their length: also cap characters per output.
from npucourse.grading.limits import AUTOGRADE_PREPROCESSORS  # noqa: E402

c.Autograde.autograde_preprocessors = AUTOGRADE_PREPROCESSORS

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "请在此作答。"
