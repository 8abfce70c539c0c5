"""What a run gives back to people: the score table for the terminal, and nbgrader's
HTML feedback per student.

The feedback page is nbgrader's `feedback` template, extended (`FEEDBACK_TEMPLATE`, a
Jinja child template, so nbgrader's layout, scores and comments stay its own): the
summary per exercise (`glance`) opens the notebook, the code of the course's own cells
is folded into a `<details>` (their figures stay), and nbgrader's list of unnamed
"Test cell" links is hidden. nbgrader's template loads MathJax from a CDN through a
macro that takes no URL from the configuration, so the written page has that one
script tag swapped for the local MathJax (`site.copy_mathjax`, Debian's libjs-mathjax)
and the feedback's CSS added (`offline`): long lines wrap inside their box."""
from __future__ import annotations

import os
import re
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


FEEDBACK_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block body_header -%}{{ super() }}{{ resources.bn_summary }}{%- endblock body_header -%}
{% block input %}
{%- if cell.metadata.nbgrader and (cell.metadata.nbgrader.solution or cell.metadata.nbgrader.grade) -%}
{{ super() }}
{%- else -%}
<details class="bn-code"><summary>code</summary>{{ super() }}</details>
{%- endif -%}
{% endblock input %}
"""
"""nbgrader's feedback page with the summary on top and the course's own code folded away
(its figures stay); the student's answers and the test cells stay open."""

FEEDBACK_CSS = """<style>
#toc { display: none; }
pre, .output_text pre, .highlight pre { white-space: pre-wrap; word-break: normal;
  overflow-wrap: anywhere; }
.rendered_html, .output_area, .input_area { overflow-wrap: anywhere; max-width: 100%; }
.output_png img, .output_jpeg img { max-width: 100%; height: auto; }
details.bn-code > summary { color: #777; cursor: pointer; font-size: 12px; }
.bn-glance { margin: 0 0 1.5em; }
.bn-glance h2 { font-size: 20px; margin: .2em 0 .5em; }
.bn-glance table { border-collapse: collapse; width: 100%; }
.bn-glance th, .bn-glance td { border: 1px solid #ccc; padding: 4px 8px; vertical-align: top;
  text-align: left; }
.bn-glance th:nth-child(-n+2), .bn-glance td:nth-child(-n+2) { white-space: nowrap; width: 1%; }
.bn-glance td:nth-child(3) { overflow-wrap: anywhere; }
.bn-glance ul { list-style: none; margin: 0; padding: 0; }
.bn-glance .bn-pass .bn-mark { color: #2a7a2a; } .bn-glance .bn-fail .bn-mark { color: #c0392b; }
.bn-glance .bn-points { font-weight: bold; }
.bn-glance tr.bn-part .bn-points { color: #c0392b; }
.bn-glance .bn-mistake { margin: .4em 0 0; padding: .3em .5em; background: #fff6e0;
  border-left: 3px solid #e0a800; }
.bn-overdue { color: #c0392b; font-weight: bold; }
</style>
"""

CDN_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>')
"""A script nbgrader's template loads from the network (MathJax from a CDN)."""


def offline(page: str, mathjax: str) -> str:
    """The page with no script from the network: MathJax from the local copy `mathjax`
    (script tags, "" without one), and the feedback's own styles."""
    page = CDN_SCRIPT.sub(lambda _: mathjax, page, count=1)
    return CDN_SCRIPT.sub("", page).replace("</head>", FEEDBACK_CSS + "</head>", 1)


class Glance:
    """A preprocessor after nbgrader's GetGrades: the summary table into the resources."""

    def __init__(self, course: Path, gradebook):
        self.course, self.gradebook = Path(course), gradebook

    def __call__(self, nb, resources):
        from . import glance
        info = resources["nbgrader"]
        student, assignment = info["student"], info["assignment"]
        rows = glance.exercise_rows(nb, glance.recorded_result(self.course, student, assignment))
        late = glance.late_info(self.gradebook, assignment, student, info["notebook"])
        resources["bn_summary"] = glance.summary_html(rows, late)
        return nb, resources


def feedback(out_dir: Path, course: Path, log=print,
             students: set[str] | None = None) -> list[Path]:
    """nbgrader's HTML feedback for every graded notebook, in out_dir/<student>/.

    The feedback is nbgrader's (its `feedback` template and its GetGrades step, which
    reads the scores from the gradebook), with the summary per exercise on top
    (`glance`), the course's own code folded, long lines wrapped, and formulas typeset by
    the local MathJax copied beside the pages (none from the network). The notebooks are
    found and named here, without nbgrader's globs and regular expressions over student
    ids: any student name works, `*`, `[` and newlines included.
    """
    from jinja2 import DictLoader
    from nbgrader.api import Gradebook
    from nbgrader.converters import GenerateFeedback
    from traitlets.config import Config
    from .site import copy_mathjax, mathjax_tags
    course = Path(course).resolve()
    api = nbgrader_api(course)
    app = GenerateFeedback(coursedir=api.coursedir, parent=api)
    app.update_config(Config({"HTMLExporter": {"template_name": "feedback"}}))
    exporter = app.exporter_class(
        parent=app, config=app.config, template_file="betternets_feedback.html.j2",
        extra_loaders=[DictLoader({"betternets_feedback.html.j2": FEEDBACK_TEMPLATE})])
    for pp in app.preprocessors:
        exporter.register_preprocessor(pp)
    gradebook = Gradebook(api.coursedir.db_url, api.coursedir.course_id)
    exporter.register_preprocessor(Glance(course, gradebook), enabled=True)
    out_dir = Path(out_dir)
    # MathJax once per folder of pages: out/_static/, and course/betternets/_static/ for the
    # course's own feedback/<student>/<assignment>/ pages
    local = copy_mathjax(out_dir) and copy_mathjax(course / "betternets")
    written = []
    try:
        for student_dir in _subdirs(course / "autograded"):
            if students is not None and student_dir.name not in students:
                continue
            for assignment_dir in _subdirs(student_dir):
                page = _one(exporter, api, student_dir.name, assignment_dir, log)
                if page is None:
                    continue
                student, assignment = student_dir.name, assignment_dir.name
                for target, base in (
                        (course / "feedback" / student / assignment / f"{assignment}.html",
                         "../../../betternets/_static/mathjax"),
                        (out_dir / student / f"{assignment}.html", "../_static/mathjax")):
                    atomic_write(target, offline(page, mathjax_tags(local, base)))
                # timestamp.txt and submission_secret.txt beside it, for `nbgrader release_feedback`
                copy_side_files(assignment_dir, course / "feedback" / student / assignment,
                                overwrite=SIDE_FILES)
                written.append(out_dir / student / f"{assignment}.html")
    finally:
        gradebook.close()
    return written


def _one(exporter, api, student: str, assignment_dir: Path, log) -> str | None:
    """The feedback page of one autograded notebook, or None (said in the log)."""
    assignment = assignment_dir.name
    nb = assignment_dir / f"{assignment}.ipynb"
    if not nb.is_file() or nb.is_symlink():
        return None
    resources = {"unique_key": assignment, "output_files_dir": f"{assignment}_files",
                 "nbgrader": {"student": student, "assignment": assignment,
                              "notebook": assignment, "db_url": api.coursedir.db_url}}
    try:
        page, _ = exporter.from_filename(str(nb), resources=resources)
    except Exception as exc:  # noqa: BLE001 - one notebook's feedback, not all
        log(escape_controls(f"no feedback for {student}/{assignment}: "
                            f"{type(exc).__name__}: {exc}"))
        return None
    return page


def _subdirs(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as it:
            return sorted(Path(e.path) for e in it if e.is_dir(follow_symlinks=False))
    except OSError:
        return []
