"""`betternets export`: the gradebook's scores as a file an LMS imports.

One row per student of the nbgrader gradebook, one column per assignment and a
total. An assignment's score is nbgrader's: the submission's score less its late
penalty, never below 0 (`max(0, score - late_submission_penalty)`, as
`nbgrader export` computes it); a student with no submission of an assignment gets 0
in every format (as in `nbgrader export`; for Canvas, see below).

Formats (`FORMATS`):

- `canvas`: Canvas's gradebook CSV. Its first columns are `Student, ID, SIS User ID,
  SIS Login ID, Section`, then one column per assignment (Canvas's import guide, e.g.
  https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades
  "Student Name OR Student ID OR Student SIS User ID ..., SIS Login ID, Section,
  Assignment Name"), and, as in the file Canvas's own export writes, a second row
  `Points Possible` with each assignment's maximum. `Student` is "Last, First" (the
  nbgrader id where the gradebook has no name), `ID` the student's `lms_user_id`
  (Canvas's user id, where the roster gave it), `SIS Login ID` the nbgrader id (the
  hub's user name), `SIS User ID` and `Section` from the roster (`roster.kept_beside`:
  nbgrader's gradebook keeps neither; empty where no roster gave them). The
  total is `Final Points`, a column Canvas computes itself and ignores on import
  ("read-only columns calculated by rules ... ignored when you re-upload the file",
  https://ts.vcu.edu/askit/teaching-and-learning/canvas/faculty/grading-faculty/gradebook-action-menu-faculty/),
  so uploading the file creates no assignment called "total". A missing submission
  is 0, not an empty cell: "no cells within the Canvas Gradebook are left blank"
  (https://classhelp.screenstepslive.com/a/1960744-preparing-your-canvas-gradebook-for-final-grade-reporting-in-cis).
- `moodle`: Moodle's "Import grades from CSV": `First name, Last name, Username,
  Email address`, one column per assignment, `Course total`. Moodle asks which column
  identifies the user: map "Email address" to "useremail" (or "Username" to
  "username"), and each assignment column to its grade item
  (https://docs.moodle.org/311/en/Grade_import: "Change both dropdowns to: 'Email
  Address' to 'useremail'"); leave `Course total` unmapped.
- `csv`: `student_id, first_name, last_name, email, <assignments...>, total, max_total`.

Every text from the gradebook is made spreadsheet-safe (`rows.csv_text`: control
characters escaped, a leading `=`, `+`, `-` or `@` neutralised) and the file is
written atomically (`rows.atomic_write`).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .course import open_gradebook
from .rows import atomic_write, csv_text

FORMATS = ("canvas", "moodle", "csv")
CANVAS_HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_TOTAL = "Final Points"
MOODLE_HEADER = ("First name", "Last name", "Username", "Email address")
MOODLE_TOTAL = "Course total"
CSV_HEADER = ("student_id", "first_name", "last_name", "email")


@dataclass(frozen=True)
class StudentScores:
    """One student of the gradebook and their score per assignment (late penalty applied)."""
    id: str
    first_name: str
    last_name: str
    email: str
    lms_user_id: str
    scores: dict[str, float]
    section: str = ""
    sis_user_id: str = ""

    @property
    def total(self) -> float:
        return sum(self.scores.values())


@dataclass(frozen=True)
class Grades:
    """Every student's scores and every assignment's maximum, in the gradebook's terms."""
    assignments: list[str]
    max_scores: dict[str, float]
    students: list[StudentScores]

    @property
    def max_total(self) -> float:
        return sum(self.max_scores.values())


def read_grades(gb) -> Grades:
    """Scores from an open nbgrader `Gradebook`: max(0, score - late penalty) per
    submission, 0 where a student has none."""
    from nbgrader.api import MissingEntry
    assignments = sorted(gb.assignments, key=lambda a: (a.duedate is None, a.duedate, a.name))
    names = [a.name for a in assignments]
    students = []
    for st in sorted(gb.students, key=lambda s: s.id):
        scores = {}
        for name in names:
            try:
                sub = gb.find_submission(name, st.id)
            except MissingEntry:
                scores[name] = 0.0
                continue
            scores[name] = max(0.0, float(sub.score or 0.0)
                               - float(sub.late_submission_penalty or 0.0))
        students.append(StudentScores(st.id, st.first_name or "", st.last_name or "",
                                      st.email or "", st.lms_user_id or "", scores))
    return Grades(names, {a.name: float(a.max_score or 0.0) for a in assignments}, students)


def points(x: float) -> str:
    """A score as the LMS reads it: up to two decimals, no trailing zeros (6.5, 10, 0.25)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _rows(grades: Grades, fmt: str) -> list[list[str]]:
    """The file's rows, header first, every text field spreadsheet-safe."""
    a = grades.assignments
    head = [csv_text(n) for n in a]
    if fmt == "canvas":
        rows = [[*CANVAS_HEADER, *head, CANVAS_TOTAL],
                ["Points Possible", "", "", "", "",
                 *(points(grades.max_scores[n]) for n in a), points(grades.max_total)]]
        for s in grades.students:
            name = ", ".join(p for p in (s.last_name, s.first_name) if p) or s.id
            rows.append([csv_text(name), csv_text(s.lms_user_id), csv_text(s.sis_user_id),
                         csv_text(s.id), csv_text(s.section),
                         *(points(s.scores[n]) for n in a), points(s.total)])
    elif fmt == "moodle":
        rows = [[*MOODLE_HEADER, *head, MOODLE_TOTAL]]
        for s in grades.students:
            rows.append([csv_text(s.first_name), csv_text(s.last_name), csv_text(s.id),
                         csv_text(s.email), *(points(s.scores[n]) for n in a), points(s.total)])
    elif fmt == "csv":
        rows = [[*CSV_HEADER, *head, "total", "max_total"]]
        for s in grades.students:
            rows.append([csv_text(s.id), csv_text(s.first_name), csv_text(s.last_name),
                         csv_text(s.email), *(points(s.scores[n]) for n in a),
                         points(s.total), points(grades.max_total)])
    else:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    return rows


def export_bytes(grades: Grades, fmt: str) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(_rows(grades, fmt))
    return buf.getvalue().encode("utf-8")


def export(workspace: Path, fmt: str, out: Path) -> Grades:
    """Write the gradebook of nbgrader `workspace` to `out` in format `fmt`; its grades."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    from dataclasses import replace

    from .roster import kept_beside
    with open_gradebook(workspace) as gb:
        grades = read_grades(gb)
    kept = kept_beside(workspace)
    grades = Grades(grades.assignments, grades.max_scores,
                    [replace(s, **kept.get(s.id, {})) for s in grades.students])
    atomic_write(Path(out), export_bytes(grades, fmt))
    return grades
