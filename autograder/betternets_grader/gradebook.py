"""The one writer of a grading run: the nbgrader gradebook and the course directory.

Only the grading process writes here, one notebook at a time, as its verdicts come
back from the workers: the gradebook (student, submission, each grade's
auto_score, so that formgrader, `nbgrader export` and `nbgrader generate_feedback`
work), `submitted/` and `autograded/` notebooks, and the resume cache.
"""
from __future__ import annotations

import json
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
        from nbgrader.api import MissingEntry
        gb, student, assignment = self.gb, result.student, result.assignment
        gb.update_or_create_student(student)
        try:
            gb.find_submission(assignment, student)
        except MissingEntry:
            gb.add_submission(assignment, student)
        for v in result.cells:
            try:
                grade = gb.find_grade(v.grade_id, assignment, assignment, student)
            except MissingEntry:
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
            atomic_write(autograded / f"{assignment}.ipynb", json.dumps(nb, indent=1))


def _in_gradebook(api, name: str) -> bool:
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        try:
            return bool(gb.find_assignment(name).notebooks)
        except MissingEntry:
            return False


def ensure_released(api, course: Path, solutions: Path, names: list[str]) -> None:
    """nbgrader's generate_assignment (gradebook cells), skipped when the source is unchanged."""
    marks = Path(course) / "betternets" / "released"
    marks.mkdir(parents=True, exist_ok=True)
    for name in names:
        stamp = digest((solutions / f"{name}.ipynb").read_bytes(), api.coursedir.db_url)
        mark = marks / f"{name}.digest"
        released = Path(course) / "release" / name / f"{name}.ipynb"
        if released.exists() and mark.exists() and mark.read_text() == stamp \
                and _in_gradebook(api, name):
            continue
        run_nbgrader_step(api.generate_assignment, name, force=True, create=True)
        mark.write_text(stamp)
