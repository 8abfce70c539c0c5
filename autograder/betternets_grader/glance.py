"""Feedback at a glance: the table at the top of a student's feedback page.

One row per exercise of the notebook: the points earned of the points possible,
a tick or a cross per property by its plain-words name (visible and hidden, the
hidden ones marked so and never with their messages or inputs), and the named
mistake the answer behaves like, once. Above the rows, the late penalty, when
the gradebook holds one (with the submission's time and its due date).

Points come from the gradebook (nbgrader's GetGrades writes each cell's `score`
and `points` into the notebook first, so a TA's override counts); the property
lines come from the verdicts of the last grading run (the resume cache,
`cache.ResultCache`). Without recorded verdicts (a course graded by stock
nbgrader) a row still gives the points, and each test cell counts as one check.

A line is parsed in the format `core.Result.line` writes: `✓ exercise: what it
checks` (or `✗`), detail lines indented below it; and the judge's `This looks
like <label>: <hint>`. Every text is escaped: check lines quote values the
student's code returned.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import answers
from .rows import cap, escape_controls
from .verdicts import NotebookResult, Verdict

PROPERTY_LINE = re.compile(r"^(?P<mark>[\u2713\u2717]) (?P<exercise>[^:\s]+): (?P<what>.+)$")
MISTAKE_PREFIX = "This looks like "


@dataclass
class Check:
    """One property of an exercise, as the student reads it."""
    passed: bool
    what: str
    hidden: bool = False


@dataclass
class ExerciseRow:
    """The summary of one exercise: points, its checks, the named mistake (if any)."""
    exercise: str
    anchor: str          # the grade_id of its first test cell (nbgrader's anchor there)
    score: float = 0.0
    points: float = 0.0
    checks: list[Check] = field(default_factory=list)
    mistake: str = ""


def _split(lines: list[str]) -> list[str]:
    """One text line each (a check's entry holds its detail lines below it)."""
    return [line for entry in lines for line in entry.split("\n")]


def _checks_of(v: Verdict) -> list[Check]:
    """The properties a test cell judged: its visible lines, then its hidden summary."""
    found = [Check(m["mark"] == "\u2713", m["what"], hidden)
             for lines, hidden in ((v.lines, False), (v.hidden_summary, True))
             for m in map(PROPERTY_LINE.match, _split(lines)) if m]
    if not found:   # a fault, a missing answer: the cell says so in one line
        found = [Check(v.passed, f"{v.grade_id.split('__', 1)[-1]} ({v.status})")]
    return found


def _mistake_of(v: Verdict) -> str:
    return next((line.strip() for line in _split(v.lines)
                 if line.strip().startswith(MISTAKE_PREFIX)), "")


def exercise_rows(nb: dict, result: NotebookResult | None) -> list[ExerciseRow]:
    """The rows of the table, in the notebook's order of test cells. `nb` is the autograded
    notebook after GetGrades (each test cell's metadata holds its score and points)."""
    verdicts = {v.grade_id: v for v in (result.cells if result else [])}
    rows: dict[str, ExerciseRow] = {}
    for cell in nb["cells"]:
        meta = answers.grader_meta(cell)
        if answers.kind(cell) != "test" or not isinstance(meta.get("grade_id"), str):
            continue
        gid = meta["grade_id"]
        row = rows.setdefault(answers.exercise_of(gid), ExerciseRow(answers.exercise_of(gid), gid))
        score, points = float(meta.get("score") or 0), float(meta.get("points") or 0)
        row.score += score
        row.points += points
        v = verdicts.get(gid)
        if v is None:
            row.checks.append(Check(score >= points, gid.split("__", 1)[-1]))
            continue
        row.checks += _checks_of(v)
        row.mistake = row.mistake or _mistake_of(v)
    for row in rows.values():   # a property judged in two cells is one check
        seen: dict[tuple[str, bool], Check] = {}
        for c in row.checks:
            kept = seen.setdefault((c.what, c.hidden), c)
            kept.passed = kept.passed and c.passed
        row.checks = list(seen.values())
    return list(rows.values())


def _esc(text: str, limit: int = 300) -> str:
    return html.escape(cap(escape_controls(text), limit))


def late_line(late: dict) -> str:
    """'Submitted <time>, due <time>: late penalty -x points', or '' when there is none."""
    penalty = late.get("penalty") or 0
    if not penalty:
        return ""
    when = ""
    if late.get("timestamp") and late.get("duedate"):
        when = f"submitted {late['timestamp']}, due {late['duedate']}: "
    return f"Late submission: {when}penalty \u2212{penalty:g} points"


def summary_html(rows: list[ExerciseRow], late: dict) -> str:
    """The table at the top of the feedback (HTML, every text escaped)."""
    parts = ['<section class="bn-glance" aria-label="summary per exercise">',
             "<h2>Your results at a glance</h2>"]
    late_text = late_line(late)
    if late_text:
        parts.append(f'<p class="bn-overdue">{_esc(late_text)}</p>')
    parts.append("<table><thead><tr><th>exercise</th><th>points</th><th>checks</th>"
                 "</tr></thead><tbody>")
    for row in rows:
        full = row.points > 0 and row.score >= row.points
        checks = "".join(
            f'<li class="{"bn-pass" if c.passed else "bn-fail"}">'
            f'<span class="bn-mark">{"&#x2713;" if c.passed else "&#x2717;"}</span> '
            f'{_esc(c.what)}{" <em>(hidden check)</em>" if c.hidden else ""}</li>'
            for c in row.checks)
        mistake = (f'<p class="bn-mistake">{_esc(row.mistake, 600)}</p>' if row.mistake else "")
        parts.append(f'<tr class="{"bn-full" if full else "bn-part"}">'
                     f'<td><a href="#{_esc(row.anchor)}"><code>{_esc(row.exercise)}'
                     f'</code></a></td><td class="bn-points">{row.score:g} / '
                     f'{row.points:g}</td><td><ul>{checks}</ul>{mistake}</td></tr>')
    parts.append("</tbody></table></section>")
    return "".join(parts)


def late_info(gradebook, assignment: str, student: str, notebook: str) -> dict:
    """The late penalty of one notebook and its submission's time and due date, from the
    gradebook ({} where it holds none)."""
    from nbgrader.api import MissingEntry
    try:
        sub = gradebook.find_submission(assignment, student)
        nb = gradebook.find_submission_notebook(notebook, assignment, student)
    except MissingEntry:
        return {}
    return {"penalty": nb.late_submission_penalty or 0,
            "timestamp": _when(sub.timestamp), "duedate": _when(sub.duedate)}


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else ""


def recorded_result(course: Path, student: str, assignment: str) -> NotebookResult | None:
    """The verdicts the last grading run recorded for this notebook, if any."""
    from .cache import ResultCache
    return ResultCache(course).recorded(student, assignment)
