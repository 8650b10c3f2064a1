"""Grade a class: collect submissions, autograde on all cores, feedback, CSV export.

    python -m npucourse.grading.classroom collect ex2_3 --from downloads/ex2_3   # LMS downloads: s001_ex2_3.ipynb, zips
    python -m npucourse.grading.classroom grade [--assignments ex2_1,ex2_3] [--jobs 4]
    python -m npucourse.grading.classroom feedback [--assignments ...]
    python -m npucourse.grading.classroom export grades.csv

Run from the course folder (the repository root, or ``--course-dir``). Submissions live in
``submitted/<student>/<assignment>/<assignment>.ipynb`` (what ``nbgrader collect`` or
``collect`` here produce). The gradebook is the one of ``nbgrader_config.py``
(``.nbgrader/gradebook.db``, or ``$NPUCOURSE_GRADEBOOK`` — e.g. a PostgreSQL URL).

``grade`` is resumable: each graded submission gets a marker holding the checksum of what was
graded; a re-run skips those and grades the rest (an interrupted autograde is simply redone —
nbgrader replaces that submission's grades, it never adds a second copy). Students are added to
the gradebook before the fan-out, so parallel workers never race to create them.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .course import Course, ensure_tools_on_path

MARKER = ".npucourse-graded"


@dataclass(frozen=True)
class Result:
    assignment: str
    student: str
    score: float
    max_score: float
    seconds: float
    error: str = ""


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.glob("*.ipynb")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def submissions(root: Path, assignments: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(assignment, student) pairs found under ``submitted/``."""
    wanted = set(assignments) if assignments else None
    out = []
    sub = root / "submitted"
    for sdir in sorted(p for p in sub.iterdir() if p.is_dir()) if sub.is_dir() else []:
        for adir in sorted(p for p in sdir.iterdir() if p.is_dir()):
            if (wanted is None or adir.name in wanted) and any(adir.glob("*.ipynb")):
                out.append((adir.name, sdir.name))
    return out


def is_graded(root: Path, assignment: str, student: str) -> bool:
    marker = root / "autograded" / student / assignment / MARKER
    sub = root / "submitted" / student / assignment
    return marker.is_file() and marker.read_text().strip() == _digest(sub)


def prepare(course: Course, pairs: list[tuple[str, str]]) -> None:
    """Create, before any parallel work, every assignment and student the gradebook needs."""
    from nbgrader.api import Gradebook, MissingEntry

    needed = sorted({a for a, _ in pairs})
    with Gradebook(course.db_url) as gb:
        missing = []
        for a in needed:
            try:
                gb.find_assignment(a)
            except MissingEntry:
                missing.append(a)
    for a in missing:
        course.generate(a)
    with Gradebook(course.db_url) as gb:
        for s in sorted({s for _, s in pairs}):
            gb.update_or_create_student(s)


_WORKER: Course | None = None


def _init_worker(root: str, db_url: str, timeout: int) -> None:
    global _WORKER
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    _WORKER = Course(root, db_url=db_url, timeout=timeout)


def _grade_one(pair: tuple[str, str]) -> Result:
    assert _WORKER is not None
    a, s = pair
    root = _WORKER.root
    t0 = time.perf_counter()
    error = ""
    for attempt in range(3):  # SQLite can be briefly locked by another worker
        try:
            digest = _digest(root / "submitted" / s / a)
            _WORKER.autograde(a, s)
            (root / "autograded" / s / a / MARKER).write_text(digest)
            sc = _WORKER.score(a, s)
            return Result(a, s, sc.score, sc.max_score, time.perf_counter() - t0)
        except Exception as e:  # report and go on with the class
            error = f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"
            time.sleep(0.5 * (attempt + 1))
    return Result(a, s, float("nan"), float("nan"), time.perf_counter() - t0, error)


def grade(root: str | os.PathLike, assignments: Iterable[str] | None = None, jobs: int | None = None,
          db_url: str | None = None, timeout: int = 30, progress: bool = True) -> list[Result]:
    """Autograde every ungraded submission, ``jobs`` processes at once (default: all cores)."""
    ensure_tools_on_path()
    course = Course(root, db_url=db_url, timeout=timeout)
    pairs = submissions(course.root, assignments)
    todo = [p for p in pairs if not is_graded(course.root, *p)]
    if progress:
        print(f"{len(pairs)} submissions, {len(pairs) - len(todo)} already graded, {len(todo)} to grade", flush=True)
    if not todo:
        return []
    prepare(course, todo)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    results: list[Result] = []
    t0 = time.perf_counter()
    ctx = mp.get_context("spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(str(course.root), course.db_url, timeout)) as pool:
        for i, r in enumerate(pool.imap_unordered(_grade_one, todo), 1):
            results.append(r)
            if progress:
                status = f"{r.score:g}/{r.max_score:g}" if not r.error else f"ERROR {r.error}"
                print(f"[{i}/{len(todo)}] {r.assignment} {r.student}: {status} ({r.seconds:.1f} s)", flush=True)
    if progress:
        dt = time.perf_counter() - t0
        print(f"graded {len(results)} notebooks in {dt:.1f} s with {jobs} processes "
              f"({len(results) / dt:.2f} notebooks/s)", flush=True)
    return results


def feedback(root: str | os.PathLike, assignments: Iterable[str] | None = None, db_url: str | None = None) -> list[Path]:
    """Feedback HTML for every autograded submission: hidden tests removed, math offline."""
    from .feedback import make_offline, mathjax_source

    course = Course(root, db_url=db_url)
    c = course.config
    c.GenerateFeedback.preprocessors = [
        "nbgrader.preprocessors.GetGrades",
        "npucourse.grading.feedback.HideHiddenTests",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]
    from nbgrader.apps import NbGraderAPI

    api = NbGraderAPI(config=c)
    js = mathjax_source()
    written = []
    for a, s in submissions(course.root, assignments):
        if not (course.root / "autograded" / s / a).is_dir():
            continue
        r = api.generate_feedback(a, s, force=True)
        if not r["success"]:
            raise RuntimeError(f"generate_feedback {a}/{s} failed:\n{r['error']}\n{r['log']}")
        for html_file in sorted((course.root / "feedback" / s / a).glob("*.html")):
            make_offline(html_file, js)
            written.append(html_file)
    return written


def export(root: str | os.PathLike, csv_path: str | os.PathLike, db_url: str | None = None) -> Path:
    """All grades of the gradebook as CSV (nbgrader's CSV export)."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    course = Course(root, db_url=db_url)
    c = course.config
    out = Path(csv_path).resolve()
    c.CsvExportPlugin.to = str(out)
    with Gradebook(course.db_url) as gb:
        CsvExportPlugin(config=c).export(gb)
    return out


#: Default LMS file naming for ``collect``: ``<student_id>_<notebook>.ipynb`` (zip archives of such
#: files too), matched against the whole extracted path as nbgrader's ``named_regexp`` requires.
DEFAULT_COLLECT_REGEXP = r".*/(?P<student_id>[^/_]+)_(?P<file_id>[^/.]+)\.ipynb$"


def collect(root: str | os.PathLike, assignment: str, downloads: str | os.PathLike,
            regexp: str = DEFAULT_COLLECT_REGEXP) -> list[Path]:
    """Move LMS downloads (zip files or notebooks) into ``submitted/<student>/<assignment>/``
    with ``nbgrader zip_collect``; returns the notebooks collected by this call.

    ``regexp`` (nbgrader's ``FileNameCollectorPlugin.named_regexp``, matched against each
    extracted file's whole path) names the student and the notebook; the default reads
    ``s001_ex2_3.ipynb`` as student ``s001``, notebook ``ex2_3``. Files that do not match are
    reported on stderr. Raises ValueError if ``downloads`` holds no files, and RuntimeError if
    nothing matched (nbgrader itself only warns and skips).
    """
    import re
    import shutil
    import subprocess

    ensure_tools_on_path()
    root = Path(root).resolve()
    files = [f for f in Path(downloads).iterdir() if f.is_file()] if Path(downloads).is_dir() else []
    if not files:
        raise ValueError(f"downloads folder {str(downloads)!r} holds no files to collect")
    dest = root / "downloaded" / assignment / "archive"
    shutil.rmtree(dest, ignore_errors=True)  # this call collects exactly this download folder
    dest.mkdir(parents=True)
    for f in files:
        shutil.copy2(f, dest / f.name)
    cmd = [sys.executable, "-m", "nbgrader", "zip_collect", assignment, "--force",
           f"--CourseDirectory.root={root}", "--CourseDirectory.source_directory=solutions",
           "--CourseDirectory.release_directory=exercises", f"--FileNameCollectorPlugin.named_regexp={regexp}"]
    r = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"nbgrader zip_collect failed:\n{r.stderr[-3000:]}")
    pattern = re.compile(regexp)
    got, skipped = [], []
    for f in sorted(p for p in (root / "downloaded" / assignment / "extracted").rglob("*") if p.is_file()):
        m = pattern.match(str(f))
        if m:
            got.append(root / "submitted" / m.group("student_id") / assignment / f"{m.group('file_id')}.ipynb")
        else:
            skipped.append(f.name)
    if skipped:
        print(f"collect: skipped {len(skipped)} file(s) not matching {regexp!r}: {', '.join(skipped[:10])}",
              file=sys.stderr)
    if not got:
        raise RuntimeError(f"no submission of {assignment!r} collected from {str(downloads)!r}: file names must "
                           f"match {regexp!r} (e.g. s001_{assignment}.ipynb); pass --regexp for another LMS naming")
    return got


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m npucourse.grading.classroom", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--course-dir", default=".", help="course folder (default: current folder)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("grade", help="autograde all ungraded submissions in parallel")
    g.add_argument("--assignments", default="", help="comma-separated ids (default: all submitted)")
    g.add_argument("--jobs", type=int, default=None, help="processes (default: all cores)")
    g.add_argument("--timeout", type=int, default=30, help="per-cell timeout [s]")
    f = sub.add_parser("feedback", help="feedback HTML without hidden tests, math offline")
    f.add_argument("--assignments", default="")
    e = sub.add_parser("export", help="grades as CSV")
    e.add_argument("csv")
    c = sub.add_parser("collect", help="LMS downloads -> submitted/ (nbgrader zip_collect)")
    c.add_argument("assignment")
    c.add_argument("--from", dest="downloads", required=True)
    c.add_argument("--regexp", default=DEFAULT_COLLECT_REGEXP,
                   help="nbgrader named_regexp with (?P<student_id>...) and (?P<file_id>...) "
                        "(default: <student>_<notebook>.ipynb)")
    args = ap.parse_args(argv)
    root = Path(args.course_dir)
    db_url = os.environ.get("NPUCOURSE_GRADEBOOK") or None  # as nbgrader_config.py reads it
    sel = [a for a in getattr(args, "assignments", "").split(",") if a] or None
    if args.cmd == "grade":
        results = grade(root, sel, jobs=args.jobs, timeout=args.timeout, db_url=db_url)
        return 1 if any(r.error for r in results) else 0
    if args.cmd == "feedback":
        for p in feedback(root, sel, db_url=db_url):
            print(p)
        return 0
    if args.cmd == "export":
        print(export(root, args.csv, db_url=db_url))
        return 0
    try:
        got = collect(root, args.assignment, args.downloads, args.regexp)
    except (ValueError, RuntimeError) as e:
        print(f"collect: {e}", file=sys.stderr)
        return 1
    print(f"collected {len(got)} submission(s) of {args.assignment} into submitted/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
