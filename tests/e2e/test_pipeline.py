"""`betternets grade` end to end, on the sample class plus broken submissions.

One grading run (module fixture) serves most tests here: alice's complete
notebooks earn full points, carol's untouched release earns zero, bob loses
points exactly on the exercises where he made a catalog mistake, and broken
files never stop the batch. The scores land in the nbgrader gradebook, and
nbgrader's own feedback and autograde still work on the same course.

A second run grades alice with stock nbgrader (the session fixture
`executed_solutions`, tests/executed_class.py, which is also the run's one execution of the
solutions): it proves the solutions, demos included, run top to bottom headless, and that
both graders agree on her.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from betternets_grader import answers
from betternets.checks.status import Status
from betternets_grader.feedback import feedback
from betternets_grader.grade import GradeOptions, grade
from betternets_grader.render import autograded_notebook
from betternets_grader.verdicts import FIELDS

from checkout import COURSE, SAMPLES, SOLUTIONS
from make_samples import bob_mistakes

pytestmark = pytest.mark.slow
# every notebook of the course that has its sample class (made by tests/make_samples.py)
NAMES = [n for n in COURSE.assignments() if all((SAMPLES / s / f"{n}.ipynb").exists()
                                         for s in ("alice", "bob", "carol"))]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    subs = tmp_path_factory.mktemp("submissions")
    for student in ("alice", "bob", "carol"):
        shutil.copytree(SAMPLES / student, subs / student)
    first = NAMES[0]
    (subs / "dave").mkdir()
    (subs / "dave" / f"{first}.ipynb").write_text('{"cells": [ this is not json')
    (subs / "erin").mkdir()
    (subs / "erin" / f"{first}.ipynb").write_text("")
    (subs / "frank" / first).mkdir(parents=True)  # nbgrader's submitted/ layout
    shutil.copyfile(SAMPLES / "alice" / f"{first}.ipynb", subs / "frank" / first / f"{first}.ipynb")
    shutil.copyfile(SAMPLES / "alice" / f"{first}.ipynb", subs / "frank" / "homework.ipynb")
    course = tmp_path_factory.mktemp("course")
    out = course / "results.csv"
    log = []
    run = grade(subs, out, COURSE, GradeOptions(course=course, report=course / "report.html"),
                log=log.append)
    return {"rows": run.rows, "csv": out, "course": course, "log": log, "run": run}


@pytest.fixture(scope="module")
def stock(executed_solutions):
    """Stock nbgrader autograde of alice's notebooks (demos and all), the run's one execution
    of the solutions (tests/executed_class.py): her rows of its CSV."""
    output, status, _, stock_csv = executed_solutions
    assert status == 0, output[-3000:]
    with open(stock_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and {r["student"] for r in rows} == {"alice"}, output[-3000:]
    return {"rows": rows}


def totals(rows):
    t = defaultdict(lambda: [0.0, 0.0])
    for r in rows:
        t[(r.student, r.assignment)][0] += r.score
        t[(r.student, r.assignment)][1] += r.max_score
    return t


@pytest.mark.parametrize("name", NAMES)
def test_complete_submission_earns_full_points(graded, name):
    rows = [r for r in graded["rows"] if r.student == "alice" and r.assignment == name]
    expected = {gid for gid, _, _ in answers.test_cells(answers.load(SOLUTIONS / f"{name}.ipynb"))}
    assert {r.grade_id for r in rows} == expected
    assert [r for r in rows if r.status != Status.PASSED] == []


@pytest.mark.parametrize("name", NAMES)
def test_solution_demos_run_headless_without_errors(executed_solutions, name):
    nb = json.loads((executed_solutions[2] / f"{name}.ipynb").read_text())
    errors = [(answers.kind(c), answers.source(c)[:60]) for c in nb["cells"]
              if c["cell_type"] == "code"
              and any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert errors == []


@pytest.mark.parametrize("name", NAMES)
def test_untouched_release_earns_zero(graded, name):
    score, possible = totals(graded["rows"])[("carol", name)]
    assert possible > 0 and score == 0


@pytest.mark.parametrize("name", NAMES)
def test_partly_wrong_loses_points_only_on_its_mistakes(graded, name):
    wrong = set(bob_mistakes(name))
    assert wrong, "bob has no mistakes in this notebook"
    by_exercise = defaultdict(lambda: [0.0, 0.0])
    for r in graded["rows"]:
        if r.student == "bob" and r.assignment == name:
            by_exercise[answers.exercise_of(r.grade_id)][0] += r.score
            by_exercise[answers.exercise_of(r.grade_id)][1] += r.max_score
    for exercise, (score, possible) in by_exercise.items():
        if exercise in wrong:
            assert score < possible, f"bob's mistake in {exercise} earned full points"
        else:
            assert score == possible, f"bob lost points on {exercise}, which he got right"


def test_broken_files_are_errors_and_do_not_stop_the_batch(graded):
    rows = graded["rows"]
    for student in ("dave", "erin"):
        mine = [r for r in rows if r.student == student]
        assert mine and all(r.status == Status.ERROR and r.score == 0 for r in mine)
        assert all("not a readable notebook" in r.reason for r in mine)
    frank = [r for r in rows if r.student == "frank"]
    assert frank and all(r.status == Status.PASSED for r in frank)
    assert any("homework.ipynb is not a notebook of this course" in line for line in graded["log"])


def test_csv_has_one_row_per_student_and_test_cell(graded):
    with graded["csv"].open() as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == FIELDS
        lines = list(reader)
    assert len(lines) == len(graded["rows"])
    keys = {(l["student"], l["assignment"], l["grade_id"]) for l in lines}
    assert len(keys) == len(lines)
    assert {l["status"] for l in lines} <= {s.value for s in Status}
    assert all(l["status"] == Status.PASSED or l["reason"] for l in lines)


def test_stock_nbgrader_agrees_on_the_complete_submission(graded, stock):
    ours = {(r.assignment, r.grade_id): r.score for r in graded["rows"] if r.student == "alice"}
    theirs = {(r["assignment"], r["grade_id"]): float(r["score"]) for r in stock["rows"]}
    assert ours == theirs


def test_scores_are_in_the_gradebook(graded):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gb:
        for (student, name), (score, possible) in totals(graded["rows"]).items():
            if student in ("dave", "erin"):
                continue
            nb = gb.find_submission_notebook(name, name, student)
            assert (nb.score, nb.max_score) == (score, possible), (student, name)


def test_run_is_sandboxed_when_bubblewrap_is_installed(graded):
    from betternets_grader.engine.kernel import bwrap_path
    assert graded["run"].sandboxed == (bwrap_path() is not None)
    html = (graded["course"] / "report.html").read_text()
    assert ("unsandboxed" in html) != graded["run"].sandboxed
    assert "Score distribution" in html and "dave" in html


def test_hidden_messages_show_in_feedback_only_when_asked(graded):
    name = NAMES[0]
    result = next(r for r in graded["run"].results
                  if r.student == "bob" and r.assignment == name)
    failed_hidden = [c for c in result.cells if c.hidden_lines and not c.passed]
    assert failed_hidden, "bob fails no hidden check"
    unit = {"data": (graded["course"] / "submitted" / "bob" / name / f"{name}.ipynb").read_bytes(),
            "release": (graded["course"] / "release" / name / f"{name}.ipynb").read_text(),
            "source": (SOLUTIONS / f"{name}.ipynb").read_text()}
    def test_text(nb):
        return "\n".join(o.get("text", "") for c in nb["cells"] if answers.kind(c) == "test"
                         for o in c["outputs"]) + "".join(answers.source(c) for c in nb["cells"])
    hidden_message = failed_hidden[0].hidden_lines[0].splitlines()[1].strip()
    assert hidden_message not in test_text(autograded_notebook(unit, result, show_hidden=False))
    assert "check_hidden" not in test_text(autograded_notebook(unit, result, show_hidden=False))
    assert hidden_message in test_text(autograded_notebook(unit, result, show_hidden=True))


def test_feedback_html_per_student(graded, tmp_path):
    written = feedback(tmp_path, course=graded["course"], log=lambda *_: None)
    students = {p.parent.name for p in written}
    assert {"alice", "bob", "carol"} <= students
    html = (tmp_path / "alice" / f"{NAMES[0]}.html").read_text()
    assert "test_" in html or "Score" in html


def test_plain_nbgrader_autograde_still_works(graded):
    """The compatible path: stock nbgrader, run in the course directory with our config."""
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    name = NAMES[0]
    proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", name,
                           "--student", "carol", "--force"], cwd=graded["course"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(name, name, "carol")
        assert nb.max_score > 0 and nb.score == 0


def test_feedback_names_a_known_mistake_and_no_mistake_for_correct_work(graded):
    """bob's forward difference in notebook 00 is named in his feedback; alice gets no name."""
    name = "00_gradient_checking"
    def lines(student):
        result = next(r for r in graded["run"].results
                      if r.student == student and r.assignment == name)
        return [l for c in result.cells for l in c.lines]
    assert any(l.startswith("This looks like a forward difference") for l in lines("bob"))
    assert not any(l.startswith("This looks like") for l in lines("alice"))


@pytest.mark.parametrize("name", NAMES)
def test_feedback_says_not_implemented_once_per_untouched_exercise(graded, name):
    """carol's untouched stubs: one "not implemented yet" line per exercise in her feedback,
    not one per property, in the visible and the hidden checks' lines alike."""
    result = next(r for r in graded["run"].results
                  if r.student == "carol" and r.assignment == name)
    shown = [l for c in result.cells for l in c.lines + c.hidden_summary + c.hidden_lines]
    said = [l.splitlines()[0] for l in shown if "not implemented yet" in l]
    exercises = list(answers.answer_sources(answers.load(SOLUTIONS / f"{name}.ipynb")))
    assert sorted(said) == sorted(f"\u2717 {ex}: not implemented yet" for ex in exercises)
    assert all(not c.passed and c.score == 0 for c in result.cells)
