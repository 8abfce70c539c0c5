"""`betternets export` and `betternets roster`: the gradebook as an LMS imports it.

A gradebook is built with nbgrader's own API (assignments with notebooks and grade
cells, students, scores, a late penalty); each format's header rows are checked
against the layout its LMS documents, and every score and total against what the
test computes from the data it put in (and against `nbgrader export`'s own CSV).
"""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from betternets_grader import export as lms
from betternets_grader.course import ensure_tools_on_path
from betternets_grader.roster import load_roster
from checkout import COURSE
from nbgrader.api import Gradebook
from nbgrader.plugins.export import CsvExportPlugin

from betternets import cli as student_cli

ensure_tools_on_path()   # nbgrader's Gradebook runs `alembic` from this environment
COURSE_ID = "dl101"
# assignment -> {grade cell: max points}
CELLS = {"00_a": {"c1": 4.0, "c2": 6.0}, "01_b": {"d1": 5.0}}
# student -> (first, last, email, lms id)
PEOPLE = {"alice": ("Alice", "Archer", "alice@example.org", "101"),
          "bob": ("Bob", "Baker", "bob@example.org", ""),
          "carol": ("", "", "", ""),
          "dave": ("=HYPERLINK(\"http://x\")", "D\x1b[2Jave", "+dave@example.org", "")}
# (student, assignment) -> (points per cell, late penalty); a missing pair: no submission
SUBMITTED = {("alice", "00_a"): ({"c1": 4.0, "c2": 6.0}, 0.0),
             ("alice", "01_b"): ({"d1": 5.0}, 0.0),
             ("bob", "00_a"): ({"c1": 4.0, "c2": 2.5}, 3.0),
             ("bob", "01_b"): ({"d1": 2.0}, 0.0),
             ("carol", "00_a"): ({"c1": 0.0, "c2": 1.0}, 5.0),   # penalty above the score
             ("dave", "01_b"): ({"d1": 1.0}, 0.0)}


def expected(student: str, assignment: str) -> float:
    """nbgrader's rule, from the data above: max(0, score - penalty), 0 when not submitted."""
    if (student, assignment) not in SUBMITTED:
        return 0.0
    cells, penalty = SUBMITTED[(student, assignment)]
    return max(0.0, sum(cells.values()) - penalty)


@pytest.fixture(scope="module")
def gradebook_file(tmp_path_factory) -> Path:
    """The class's gradebook, made once (nbgrader's schema takes seconds to create); each
    test gets its own copy."""
    db = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    with Gradebook(f"sqlite:///{db}", COURSE_ID) as gb:
        for assignment, cells in CELLS.items():
            gb.add_assignment(assignment)
            gb.add_notebook(assignment, assignment)
            for cell, points in cells.items():
                gb.add_grade_cell(cell, assignment, assignment, max_score=points,
                                  cell_type="code")
        for sid, (first, last, email, lms_id) in PEOPLE.items():
            gb.add_student(sid, first_name=first or None, last_name=last or None,
                           email=email or None, lms_user_id=lms_id or None)
        for (sid, assignment), (cells, penalty) in SUBMITTED.items():
            gb.add_submission(assignment, sid)
            for cell, points in cells.items():
                gb.find_grade(cell, assignment, assignment, sid).auto_score = points
            gb.find_submission_notebook(assignment, assignment, sid) \
                .late_submission_penalty = penalty
            gb.db.commit()
    return db


@pytest.fixture()
def workspace(tmp_path, gradebook_file):
    ws = tmp_path / "course"
    ws.mkdir()
    (ws / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(ws)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n")
    shutil.copyfile(gradebook_file, ws / "gradebook.db")
    return ws


def assert_scores(body: dict[str, list[str]], first: int) -> None:
    """Each student's row from column `first` on: a score per assignment, then the total."""
    assert sorted(body) == sorted(PEOPLE)
    for sid, row in body.items():
        scores = [expected(sid, a) for a in sorted(CELLS)]
        assert [float(x) for x in row[first:]] == pytest.approx([*scores, sum(scores)])


def read(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def exported(workspace, fmt: str) -> list[list[str]]:
    """The rows of `betternets export --format fmt` of the workspace's gradebook."""
    out = workspace.parent / f"{fmt}.csv"
    lms.export(workspace, fmt, out)
    return read(out)


def nbgrader_export(ws) -> dict[tuple[str, str], dict]:
    """`nbgrader export`'s own CSV, by (student, assignment)."""
    out = ws / "nbgrader.csv"
    with Gradebook(f"sqlite:///{ws / 'gradebook.db'}", COURSE_ID) as gb:
        CsvExportPlugin(to=str(out)).export(gb)
    return {(r["student_id"], r["assignment"]): r for r in csv.DictReader(out.open())}


def test_canvas_file_has_canvas_header_rows_and_the_scores(workspace):
    rows, assignments = exported(workspace, "canvas"), sorted(CELLS)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       *assignments, "Final Points"]
    maxima = [sum(CELLS[a].values()) for a in assignments]
    assert rows[1] == ["Points Possible", "", "", "", "",
                       *(lms.points(m) for m in maxima), lms.points(sum(maxima))]
    body = {r[3]: r for r in rows[2:]}       # by SIS Login ID, the nbgrader id
    assert body["alice"][:5] == ["Archer, Alice", "101", "", "alice", ""]
    assert body["carol"][0] == "carol"        # no name in the gradebook: the id
    assert_scores(body, 5)


def test_moodle_file_identifies_students_by_email(workspace):
    rows, assignments = exported(workspace, "moodle"), sorted(CELLS)
    assert rows[0] == ["First name", "Last name", "Username", "Email address",
                       *assignments, "Course total"]
    body = {r[2]: r for r in rows[1:]}
    assert body["bob"][:4] == ["Bob", "Baker", "bob", "bob@example.org"]
    assert_scores(body, 4)


def test_plain_csv_matches_nbgrader_export_and_is_spreadsheet_safe(workspace):
    rows, assignments = exported(workspace, "csv"), sorted(CELLS)
    assert rows[0] == ["student_id", "first_name", "last_name", "email", *assignments,
                       "total", "max_total"]
    stock = nbgrader_export(workspace)
    max_total = sum(sum(c.values()) for c in CELLS.values())
    for row in rows[1:]:
        sid = row[0]
        for a, value in zip(assignments, row[4:]):
            assert float(value) == pytest.approx(expected(sid, a))
            assert float(value) == pytest.approx(float(stock[(sid, a)]["score"]))
        assert float(row[-2]) == pytest.approx(sum(expected(sid, a) for a in assignments))
        assert float(row[-1]) == max_total
    dave = next(r for r in rows if r[0] == "dave")
    # no formula, no escape sequence reaches a spreadsheet
    assert dave[1] == "'=HYPERLINK(\"http://x\")" and dave[3] == "'+dave@example.org"
    assert "\x1b" not in (workspace.parent / "csv.csv").read_text()
    assert dave[2] == "D\\x1b[2Jave"


def test_roster_fills_names_and_emails_for_nbgrader_export(tmp_path):
    ws = tmp_path / "course"
    ws.mkdir()
    (ws / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(ws)!r}\n")
    with Gradebook(f"sqlite:///{ws / 'gradebook.db'}", "") as gb:
        gb.add_assignment("00_a")
        gb.add_student("alice")
        gb.add_student("erin", first_name="Erin", email="erin@old.org")
    roster = tmp_path / "students.csv"
    roster.write_text("id,first_name,last_name,email,lms_user_id\n"
                      "alice,Alice,Archer,alice@example.org,101\n"
                      "zoe,Zoe,Zhang,zoe@example.org,\n"
                      "erin,,Evans,,\n")
    assert load_roster(ws, roster) == 3
    stock = nbgrader_export(ws)
    assert (stock[("alice", "00_a")]["first_name"], stock[("alice", "00_a")]["email"]) == \
        ("Alice", "alice@example.org")
    assert stock[("zoe", "00_a")]["last_name"] == "Zhang"          # a new student
    erin = stock[("erin", "00_a")]                                  # empty cells keep
    assert (erin["first_name"], erin["last_name"], erin["email"]) == \
        ("Erin", "Evans", "erin@old.org")
    with Gradebook(f"sqlite:///{ws / 'gradebook.db'}", "") as gb:
        assert gb.find_student("alice").lms_user_id == "101"


def test_roster_without_an_id_column_is_refused(tmp_path, workspace):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nAlice,a@x\n")
    with pytest.raises(ValueError, match="'id' column"):
        load_roster(workspace, bad)


def test_betternets_export_and_roster_commands(workspace, tmp_path, capsys):
    roster = tmp_path / "r.csv"
    roster.write_text("id,first_name,last_name,email\ncarol,Carol,Cole,carol@example.org\n")
    base = ["--root", str(COURSE.root), "--course", str(workspace)]
    assert student_cli.main(["roster", str(roster), *base]) == 0
    out = tmp_path / "m.csv"
    assert student_cli.main(["export", "--format", "moodle", "--out", str(out), *base]) == 0
    assert "4 students, 2 assignments" in capsys.readouterr().out
    carol = next(r for r in read(out) if r[2] == "carol")
    assert carol[:4] == ["Carol", "Cole", "carol", "carol@example.org"]
    # no gradebook: said plainly, exit status 2
    assert student_cli.main(["export", "--format", "csv", "--out", str(out), "--root",
                             str(COURSE.root), "--course", str(tmp_path / "none")]) == 2
    assert "no nbgrader course" in capsys.readouterr().err


def test_sections_and_sis_ids_from_the_roster_reach_the_canvas_file(workspace, tmp_path):
    """nbgrader has no section: the roster's is kept beside the gradebook, run to run."""
    roster = tmp_path / "sections.csv"
    roster.write_text("id,section,sis_user_id\nalice,Lab A,S-0101\nbob,=Lab B,\n")
    load_roster(workspace, roster)
    load_roster(workspace, tmp_path / "sections.csv")      # again: nothing doubles
    again = tmp_path / "later.csv"
    again.write_text("id,email\nalice,alice@example.org\n")  # a later roster without sections
    load_roster(workspace, again)
    body = {r[3]: r for r in exported(workspace, "canvas")[2:]}
    assert (body["alice"][2], body["alice"][4]) == ("S-0101", "Lab A")
    assert body["bob"][4] == "'=Lab B"                       # spreadsheet-safe
    assert (body["carol"][2], body["carol"][4]) == ("", "")
