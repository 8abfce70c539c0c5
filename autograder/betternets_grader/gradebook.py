"""The one writer of a grading run: the nbgrader gradebook and the course directory.

Only the grading process writes here, one notebook at a time, as its verdicts come
back from the workers: the gradebook (student, submission and its timestamp, each
grade's auto_score, the late penalty, so that formgrader, `nbgrader export` and
`nbgrader generate_feedback` work), `submitted/` and `autograded/` notebooks, and the
resume cache.

The course directory is the instructor's: nothing in `submitted/` is deleted (the
course's own submitted/ folder graded in place is not written at all; a notebook from
another folder is written with its timestamp.txt beside it), and a TA's manual score
and comment survive every regrade; a manual score whose autograde changed beneath it
is flagged for review (`needs_manual_grade`), as stock nbgrader flags it.
"""
from __future__ import annotations

import json
import os
import stat
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from .cache import ResultCache, digest
from .course import run_nbgrader_step
from .lateness import (SIDE_FILES, TIMESTAMP, Lateness, late_policy, penalty, policy_text,
                       read_timestamp, submission_folder)
from .render import autograded_notebook
from .rows import atomic_write
from .submissions import Submission, read_notebook
from .verdicts import NotebookResult


@dataclass(frozen=True)
class Override:
    """A TA's manual score kept over a changed autograde: the cell is flagged for review."""
    student: str
    assignment: str
    grade_id: str
    old_auto: float | None
    new_auto: float
    manual: float

    def describe(self) -> str:
        old = "none" if self.old_auto is None else f"{self.old_auto:g}"
        return (f"{self.student} {self.assignment} {self.grade_id}: auto score {old} -> "
                f"{self.new_auto:g} beneath a manual score of {self.manual:g}: override kept, "
                "flagged for review")


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def copy_side_files(src: Path | None, dest: Path, overwrite: tuple[str, ...] = (TIMESTAMP,)) -> None:
    """nbgrader's files beside a submission (timestamp.txt, submission_secret.txt) from the
    folder `src` to `dest`: regular files only, read as submissions are (never through a
    link); a file named in `overwrite` replaces its copy in `dest`, any other is copied only
    where `dest` has none (an existing submission_secret.txt is the course's key)."""
    if src is None or Path(src).resolve() == Path(dest).resolve():
        return
    for name in SIDE_FILES:
        if not _regular(Path(src) / name) or (name not in overwrite and os.path.lexists(dest / name)):
            continue
        try:
            data = read_notebook(Path(src) / name, limit=64 * 1024)
        except OSError:
            continue
        atomic_write(dest / name, data)


def place_submission(sub: Submission, data: bytes, course: Path) -> Path:
    """`course/submitted/<student>/<assignment>/`, holding the submission `sub` as nbgrader
    wants it: when `sub` is that very file (the course's own submitted/ folder graded in
    place) nothing is written; otherwise its notebook is written there and its timestamp.txt
    (and a submission_secret.txt the course lacks) copied beside it. Nothing is deleted."""
    folder = Path(course) / "submitted" / sub.student / sub.assignment
    target = folder / f"{sub.assignment}.ipynb"
    try:
        in_place = os.path.samefile(sub.path, target)
    except OSError:
        in_place = False
    if not in_place:
        atomic_write(target, data)
        copy_side_files(submission_folder(sub), folder)
    return folder


class Writer:
    """Writes each graded notebook into the gradebook, the course directory and the cache."""

    def __init__(self, course: Path, api, show_hidden: bool, submissions: list[Submission]):
        from nbgrader.api import Gradebook
        self.course, self.show_hidden = Path(course), show_hidden
        self.submissions = {(s.student, s.assignment): s for s in submissions}
        self.gb = Gradebook(api.coursedir.db_url, api.coursedir.course_id)
        self.cache = ResultCache(course)
        self.late_policy = late_policy(api.config)
        self.policy = policy_text(self.late_policy)

    def close(self) -> None:
        self.gb.close()

    def write(self, unit: dict, result: NotebookResult) -> tuple[Lateness, list[Override]]:
        """Write one graded notebook; its lateness and the TA overrides kept over a changed
        autograde."""
        sub = self.submissions[(result.student, result.assignment)]
        submitted = place_submission(sub, unit["data"], self.course)
        when, problem = read_timestamp(submission_folder(sub))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes inside nbgrader
            lateness, overrides = self._gradebook(result, when)
        if problem:
            lateness = replace(lateness, problem=problem)
        self._autograded(unit, result, submitted)
        self.cache.store(result)
        return lateness, overrides

    def _gradebook(self, result: NotebookResult, when) -> tuple[Lateness, list[Override]]:
        """The submission's time, every test cell's auto_score, with one query for the
        notebook's grades (nbgrader's `find_grade` costs a query of six joins per cell: most
        of this process's time), then the late penalty. A TA's manual_score and comments are
        kept; a manual score over an auto_score that changed flags its cell for review."""
        from nbgrader.api import (BaseCell, Grade, MissingEntry, Notebook,
                                  SubmittedNotebook)
        gb, student, assignment = self.gb, result.student, result.assignment
        gb.update_or_create_student(student)
        try:
            submission = gb.find_submission(assignment, student)
            submission.timestamp = when
        except MissingEntry:
            submission = gb.add_submission(assignment, student, timestamp=when)
        grades = dict(gb.db.query(BaseCell.name, Grade)
                      .join(Grade, Grade.cell_id == BaseCell.id)
                      .join(SubmittedNotebook, SubmittedNotebook.id == Grade.notebook_id)
                      .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
                      .filter(SubmittedNotebook.assignment_id == submission.id,
                              Notebook.name == assignment)
                      .all())
        overrides = []
        for v in result.cells:
            grade = grades.get(v.grade_id)
            if grade is None:
                continue
            new = float(v.score)
            if grade.manual_score is None:
                grade.needs_manual_grade = False
            elif grade.auto_score is None or float(grade.auto_score) != new:
                grade.needs_manual_grade = True
                overrides.append(Override(student, assignment, v.grade_id, grade.auto_score,
                                          new, float(grade.manual_score)))
            grade.auto_score = new
        gb.db.commit()
        return self._late_penalty(submission, student, assignment), overrides

    def _late_penalty(self, submission, student: str, assignment: str) -> Lateness:
        """The course's late penalty in the notebook's `late_submission_penalty`, as nbgrader's
        AssignLatePenalties sets it (None when on time or when the policy gives none)."""
        from nbgrader.api import MissingEntry
        seconds = float(submission.total_seconds_late or 0.0)
        try:
            notebook = self.gb.find_submission_notebook(assignment, assignment, student)
        except MissingEntry:
            notebook = None
        given = None
        if notebook is not None:
            given = penalty(self.late_policy, student, float(notebook.score or 0.0), seconds)
            if notebook.late_submission_penalty != given:
                notebook.late_submission_penalty = given
                self.gb.db.commit()
        return Lateness(student, assignment, submission.timestamp, submission.duedate, seconds,
                        given or 0.0, self.policy)

    def _autograded(self, unit: dict, result: NotebookResult, submitted: Path) -> None:
        """autograded/<student>/<assignment>/: the rendered notebook and, as `nbgrader
        autograde` copies them, the files beside the submission (for generate_feedback and
        release_feedback)."""
        assignment = result.assignment
        autograded = self.course / "autograded" / result.student / assignment
        autograded.mkdir(parents=True, exist_ok=True)
        copy_side_files(submitted, autograded, overwrite=SIDE_FILES)
        nb = autograded_notebook(unit, result, self.show_hidden)
        target = autograded / f"{assignment}.ipynb"
        if nb is not None:
            # compact JSON: indent would take json's pure-Python encoder (10 ms a notebook)
            atomic_write(target, json.dumps(nb))
        elif os.path.lexists(target):
            os.unlink(target)   # the grader's own output of an earlier run, now stale


def _in_gradebook(api, name: str) -> bool:
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        try:
            return bool(gb.find_assignment(name).notebooks)
        except MissingEntry:
            return False


def ensure_released(api, course: Path, solutions: Path, names: list[str]) -> None:
    """nbgrader's generate_assignment (gradebook cells), skipped when the source is unchanged
    and the gradebook holds the assignment. The stamp names the gradebook's URL, except for
    the workspace's own gradebook.db, so that a copied or moved workspace stays released."""
    marks = Path(course) / "betternets" / "released"
    marks.mkdir(parents=True, exist_ok=True)
    own = "sqlite:///" + os.path.abspath(os.path.join(api.coursedir.root, "gradebook.db"))
    where = "" if api.coursedir.db_url == own else api.coursedir.db_url
    for name in names:
        stamp = digest((solutions / f"{name}.ipynb").read_bytes(), where)
        mark = marks / f"{name}.digest"
        released = Path(course) / "release" / name / f"{name}.ipynb"
        if released.exists() and mark.exists() and mark.read_text() == stamp \
                and _in_gradebook(api, name):
            continue
        run_nbgrader_step(api.generate_assignment, name, force=True, create=True)
        mark.write_text(stamp)
