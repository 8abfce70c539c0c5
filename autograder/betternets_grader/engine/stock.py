"""The compatible path: grade a class with stock `nbgrader autograde`.

Kept for comparison (the benchmark and the agreement test) and as the
reference behaviour that `betternets grade` must agree with on honest work.

Each submission is copied into the course directory and autograded by
nbgrader (its kernel runs the notebook with the hidden tests restored); the
scores are read back from the nbgrader gradebook, so formgrader and
`nbgrader export` see the same grades. A notebook that cannot be graded
(broken JSON, a crash) gets rows with status `error` and never stops the
others.
"""
from __future__ import annotations

import json
from pathlib import Path

from betternets.checks.status import Status

from .. import answers
from ..course import Course, nbgrader_api, prepare_course, run_nbgrader_step
from ..gradebook import ensure_released, place_submission
from ..rows import test_cells_of, write_csv
from ..submissions import Submission, find, read_notebook
from ..verdicts import Verdict, every_cell


def _not_graded(sub: Submission, reason: str, solutions: Path) -> list[Verdict]:
    return every_cell(sub.student, sub.assignment, test_cells_of(sub.assignment, solutions),
                      Status.ERROR, reason)


def _readable(path: Path) -> str:
    """'' if the file is a notebook nbgrader can read, else why not."""
    try:
        nb = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"not a readable notebook: {type(exc).__name__}: {exc}"[:300]
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return "not a notebook: no list of cells"
    return ""


def _status_of(cell_outputs: list[dict]) -> tuple[Status, str]:
    """failed (a check said no) or error (the cell itself broke), and a one-line reason."""
    for out in cell_outputs:
        if out.get("output_type") == "error":
            name, value = out.get("ename", ""), out.get("evalue", "")
            if name in ("ChecksFailed", "CheckFailed", "AssertionError"):
                return Status.FAILED, value.splitlines()[0][:200] if value else name
            return Status.ERROR, f"{name}: {value}".splitlines()[0][:200]
    return Status.FAILED, "no points"


def _rows_from_gradebook(api, sub: Submission, course: Path, solutions: Path) -> list[Verdict]:
    from nbgrader.api import Gradebook

    graded = course / "autograded" / sub.student / sub.assignment / f"{sub.assignment}.ipynb"
    outputs = {}
    if graded.exists():
        for cell in json.loads(graded.read_text())["cells"]:
            gid = answers.grader_meta(cell).get("grade_id")
            if gid:
                outputs[gid] = cell.get("outputs", [])
    rows = []
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        nb = gb.find_submission_notebook(sub.assignment, sub.assignment, sub.student)
        for grade in sorted(nb.grades, key=lambda g: g.cell_id):
            if not grade.name.startswith("test_"):
                continue
            score = float(grade.score or 0.0)
            if score >= grade.max_score:
                status, reason = Status.PASSED, ""
            else:
                status, reason = _status_of(outputs.get(grade.name, []))
            rows.append(Verdict(sub.student, sub.assignment, grade.name, score,
                            float(grade.max_score), status, reason))
    order = {gid: i for i, (gid, _) in enumerate(test_cells_of(sub.assignment, solutions))}
    return sorted(rows, key=lambda r: order.get(r.grade_id, len(order)))


def grade_one(api, sub: Submission, course: Path, solutions: Path) -> list[Verdict]:
    """Autograde one notebook with nbgrader; rows for each of its test cells."""
    problem = _readable(sub.path)
    if problem:
        return _not_graded(sub, problem, solutions)
    place_submission(sub, read_notebook(sub.path), course)   # nothing of the course deleted
    try:
        run_nbgrader_step(api.autograde, sub.assignment, sub.student, force=True, create=True)
    except Exception as exc:  # noqa: BLE001 - one broken notebook never stops the class
        reason = str(exc).strip().splitlines()[-1][:300] if str(exc).strip() else type(exc).__name__
        return _not_graded(sub, f"nbgrader could not grade it: {reason}", solutions)
    return _rows_from_gradebook(api, sub, course, solutions)


def grade_with_nbgrader(submissions_dir: Path, out_csv: Path, root: Course,
                        course: Path | None = None, progress=lambda it, **kw: it,
                        log=print) -> list[Verdict]:
    """Grade every submission in `submissions_dir` against course `root`, in the nbgrader
    workspace `course` (default root.workspace); write the CSV; return the rows."""
    names = root.notebooks()
    solutions = root.solutions
    subs, strays = find(submissions_dir, names)
    for stray in strays:
        log(f"{stray.verb} {stray.shown}: {stray.reason}")
    course = prepare_course(course or root.workspace, root)
    api = nbgrader_api(course)
    ensure_released(api, course, solutions, sorted({s.assignment for s in subs}))
    rows: list[Verdict] = []
    for sub in progress(subs, desc="grading"):
        rows += grade_one(api, sub, course, solutions)
    write_csv(rows, out_csv)
    return rows


