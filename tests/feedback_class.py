"""A small graded class for the feedback tests: notebook 00 of alice and bob, bob's copy with
figures in its demo cells, bob late by two days with a penalty in the gradebook.

    from feedback_class import NAME, grade_and_render
    pages = grade_and_render(tmp_path)      # {"bob": html, "alice": html, "course": ..., ...}
"""
from __future__ import annotations

import base64
import io
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from betternets_grader import answers
from betternets_grader.feedback import feedback
from betternets_grader.grade import GradeOptions, grade

from checkout import COURSE, SAMPLES

NAME = "00_gradient_checking"
PENALTY = 2.0
HOSTILE = '"><script>alert(1)</script>'


def png_base64() -> str:
    """A real figure, drawn by matplotlib."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1, 2], [0, 1, 4])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def with_figures(notebook: Path, target: Path, figure: str) -> None:
    """bob's notebook with outputs in its first demo cells: a PNG, a markup "PNG", an SVG."""
    nb = json.loads(notebook.read_text())
    demos = [c for c in nb["cells"] if answers.kind(c) == "demo"]
    demos[0]["outputs"] = [{"output_type": "display_data", "metadata": {},
                            "data": {"image/png": figure, "text/plain": "<Figure>"}}]
    demos[1]["outputs"] = [{"output_type": "display_data", "metadata": {},
                            "data": {"image/png": HOSTILE}},
                           {"output_type": "display_data", "metadata": {},
                            "data": {"image/svg+xml": "<svg onload='alert(2)'></svg>"}}]
    target.write_text(json.dumps(nb))


def grade_and_render(tmp: Path, late: bool = True) -> dict:
    """Grade alice's and bob's notebook 00 in a course under `tmp`, give bob a late penalty,
    write the feedback; the pages and what went into them."""
    subs, course = tmp / "subs", tmp / "course"
    figure = png_base64()
    for student in ("alice", "bob"):
        (subs / student).mkdir(parents=True)
    shutil.copyfile(SAMPLES / "alice" / f"{NAME}.ipynb", subs / "alice" / f"{NAME}.ipynb")
    with_figures(SAMPLES / "bob" / f"{NAME}.ipynb", subs / "bob" / f"{NAME}.ipynb", figure)
    run = grade(subs, tmp / "r.csv", COURSE, GradeOptions(course=course, jobs=1),
                log=lambda *_: None)
    if late:
        from nbgrader.api import Gradebook
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            sub = gb.find_submission(NAME, "bob")
            sub.assignment.duedate = datetime(2026, 1, 10, 12, 0)
            sub.timestamp = sub.assignment.duedate + timedelta(days=2)
            gb.find_submission_notebook(NAME, NAME, "bob").late_submission_penalty = PENALTY
            gb.db.commit()
    out = tmp / "feedback"
    feedback(out, course=course, log=lambda *_: None)
    return {"course": course, "out": out, "run": run, "figure": figure,
            "bob": (out / "bob" / f"{NAME}.html").read_text(),
            "alice": (out / "alice" / f"{NAME}.html").read_text()}
