"""What a run gives back to people: the score table for the terminal, and nbgrader's
HTML feedback per student."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .course import nbgrader_api
from .gradebook import copy_side_files
from .lateness import SIDE_FILES
from .rows import atomic_write, escape_controls
from .verdicts import Verdict


def score_table(rows: Iterable[Verdict]) -> str:
    """Students down, assignments across: 'score / max' per cell, for the terminal."""
    totals: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        t = totals.setdefault((r.student, r.assignment), [0.0, 0.0])
        t[0] += r.score
        t[1] += r.max_score
    students = sorted({s for s, _ in totals})
    names = sorted({a for _, a in totals})
    shown = {s: escape_controls(s) for s in students}   # one line per student, always
    width = max([len("student")] + [len(v) for v in shown.values()])
    cols = [max(len(a[:2]) + 6, 11) for a in names]
    lines = ["student".ljust(width) + "".join(f"  {a[:2]:>{w}}" for a, w in zip(names, cols))]
    for s in students:
        cells = []
        for a, w in zip(names, cols):
            got = totals.get((s, a))
            cells.append(f"  {(f'{got[0]:g} / {got[1]:g}' if got else '-'):>{w}}")
        lines.append(shown[s].ljust(width) + "".join(cells))
    return "\n".join(lines)


def feedback(out_dir: Path, course: Path, log=print,
             students: set[str] | None = None) -> list[Path]:
    """nbgrader's HTML feedback for every graded notebook, in out_dir/<student>/.

    The feedback is nbgrader's (its `feedback` template and its GetGrades step, which
    reads the scores from the gradebook), but the notebooks are found and named here,
    without nbgrader's globs and regular expressions over student ids: any student
    name works, `*`, `[` and newlines included.
    """
    from nbgrader.converters import GenerateFeedback
    from traitlets.config import Config
    api = nbgrader_api(Path(course).resolve())
    app = GenerateFeedback(coursedir=api.coursedir, parent=api)
    app.update_config(Config({"HTMLExporter": {"template_name": "feedback"}}))
    exporter = app.exporter_class(parent=app, config=app.config)
    for pp in app.preprocessors:
        exporter.register_preprocessor(pp)
    written = []
    autograded = Path(course) / "autograded"
    for student_dir in _subdirs(autograded):
        if students is not None and student_dir.name not in students:
            continue
        for assignment_dir in _subdirs(student_dir):
            student, assignment = student_dir.name, assignment_dir.name
            nb = assignment_dir / f"{assignment}.ipynb"
            if not nb.is_file() or nb.is_symlink():
                continue
            resources = {"unique_key": assignment, "output_files_dir": f"{assignment}_files",
                         "nbgrader": {"student": student, "assignment": assignment,
                                      "notebook": assignment,
                                      "db_url": api.coursedir.db_url}}
            try:
                html, _ = exporter.from_filename(str(nb), resources=resources)
            except Exception as exc:  # noqa: BLE001 - one notebook's feedback, not all
                log(escape_controls(f"no feedback for {student}/{assignment}: "
                                    f"{type(exc).__name__}: {exc}"))
                continue
            for target in (Path(course) / "feedback" / student / assignment /
                           f"{assignment}.html", Path(out_dir) / student / f"{assignment}.html"):
                atomic_write(target, html)
            # timestamp.txt and submission_secret.txt beside it, for `nbgrader release_feedback`
            copy_side_files(assignment_dir, Path(course) / "feedback" / student / assignment,
                            overwrite=SIDE_FILES)
            written.append(Path(out_dir) / student / f"{assignment}.html")
    return written


def _subdirs(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as it:
            return sorted(Path(e.path) for e in it if e.is_dir(follow_symlinks=False))
    except OSError:
        return []
