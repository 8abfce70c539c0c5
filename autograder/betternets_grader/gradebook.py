"""The one writer of a grading run: the nbgrader gradebook and the course directory.

Only the grading process writes here, one notebook at a time, as its verdicts come
back from the workers: the gradebook (student, submission, each grade's
auto_score, so that formgrader, `nbgrader export` and `nbgrader generate_feedback`
work), `submitted/` and `autograded/` notebooks, and the resume cache.
"""
from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

from .cache import ResultCache, digest
from .course import run_nbgrader_step
from .render import autograded_notebook
from .rows import atomic_write
from .verdicts import NotebookResult


class Writer:
    """Writes each graded notebook into the gradebook, the course directory and the cache."""

    def __init__(self, course: Path, api, show_hidden: bool):
        from nbgrader.api import Gradebook
        self.course, self.show_hidden = Path(course), show_hidden
        self.gb = Gradebook(api.coursedir.db_url, api.coursedir.course_id)
        self.cache = ResultCache(course)

    def close(self) -> None:
        self.gb.close()

    def write(self, unit: dict, result: NotebookResult) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes inside nbgrader
            self._gradebook(result)
        self._notebooks(unit, result)
        self.cache.store(result)

    def _gradebook(self, result: NotebookResult) -> None:
        """Every test cell's auto_score, with one query for the notebook's grades (nbgrader's
        `find_grade` costs a query of six joins per cell: most of this process's time)."""
        from nbgrader.api import (BaseCell, Grade, MissingEntry, Notebook,
                                  SubmittedNotebook)
        gb, student, assignment = self.gb, result.student, result.assignment
        gb.update_or_create_student(student)
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            submission = gb.add_submission(assignment, student)
        grades = dict(gb.db.query(BaseCell.name, Grade)
                      .join(Grade, Grade.cell_id == BaseCell.id)
                      .join(SubmittedNotebook, SubmittedNotebook.id == Grade.notebook_id)
                      .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
                      .filter(SubmittedNotebook.assignment_id == submission.id,
                              Notebook.name == assignment)
                      .all())
        for v in result.cells:
            grade = grades.get(v.grade_id)
            if grade is None:
                continue
            grade.auto_score = float(v.score)
            grade.manual_score = None
            grade.needs_manual_grade = False
        gb.db.commit()

    def _notebooks(self, unit: dict, result: NotebookResult) -> None:
        student, assignment = result.student, result.assignment
        submitted = self.course / "submitted" / student / assignment
        autograded = self.course / "autograded" / student / assignment
        for d in (submitted, autograded):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
        atomic_write(submitted / f"{assignment}.ipynb", unit["data"])
        nb = autograded_notebook(unit, result, self.show_hidden)
        if nb is not None:
            # compact JSON: indent would take json's pure-Python encoder (10 ms a notebook)
            atomic_write(autograded / f"{assignment}.ipynb", json.dumps(nb))


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
