"""An instructor's week on nbgrader, end to end, with three local users as students.

The instructor releases notebook 00 through nbgrader's exchange; alice and bob fetch,
answer and submit before the due date, eve copies alice's answers (renamed) and submits
after it; the instructor collects, grades with `betternets grade`, a TA overrides one of
bob's scores in the gradebook, a regrade keeps the override, feedback is released and each
student fetches it, the grades go out as a Canvas CSV and the class report names the copy.

Every command is a real one, run as the user who would run it (`local_users`: needs root
and bubblewrap; CI runs as root). Each command and what it printed is kept in
`test-artifacts/instructor-week.txt`.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import catalog
from betternets_grader.samples import fill
from checkout import REPO, SAMPLES, SOLUTIONS
from local_users import LocalUsers
from system import require

pytestmark = pytest.mark.slow

NOTEBOOK = "00_gradient_checking"
COURSE_ID = "dl101"
STUDENTS = ["alice", "bob", "eve"]
PER_DAY = 2.0      # the course's late policy: 2 points a day late, at most 6
CAP = 6.0
BIN = Path(sys.executable).parent
TRANSCRIPT = REPO / "test-artifacts" / "instructor-week.txt"


def own_answers() -> dict[str, str]:
    """alice's answers: right, but her own code (the catalog's correct variants), not the
    solution's, which the similarity report discounts as common to everyone."""
    module = next(m for m in catalog.modules() if m.NOTEBOOK == NOTEBOOK)
    mine: dict[str, str] = {}
    for entry in module.ENTRIES:
        if entry.correct:
            mine.setdefault(entry.exercise, entry.source)
    return mine


def renamed(source: str) -> str:
    """A copier's version of `source`: every name of its own renamed, the indentation changed."""
    names = set(re.findall(r"^\s*(?:for\s+)?([a-z_][a-z0-9_]*)\s*(?:,\s*\w+\s*)?=",
                           source, re.M)) - {"def"}
    for i, name in enumerate(sorted(names)):
        source = re.sub(rf"\b{name}\b", f"v{i}", source)
    return source.replace("    ", "  ")


class Week:
    """The course, the exchange and the students of one test, and a transcript."""

    def __init__(self, base: Path):
        self.base = base
        self.root = base / "course-folder"            # the instructor's course folder
        self.course = self.root / "course"            # nbgrader's course directory
        self.exchange = base / "exchange"
        self.users = LocalUsers(base, STUDENTS)
        self.lines: list[str] = []
        self.commands: list[list[str]] = []       # every command run, in order

    def log(self, who: str, argv: list[str], done: subprocess.CompletedProcess) -> str:
        text = (done.stdout or "") + (done.stderr or "")
        self.commands.append(argv)
        self.lines += [f"$ ({who}) {' '.join(argv)}", text.rstrip(), ""]
        return text

    def note(self, what: str) -> None:
        """A step done through an API rather than a command, in the transcript."""
        self.lines += [f"# {what}", ""]

    def instructor(self, *argv: str, cwd: Path | None = None) -> str:
        """An instructor's command, from this environment's bin, in the course directory (in
        the users' view, so that nbgrader's collect knows who owns a submission)."""
        cmd = self.users.command(None, [str(BIN / argv[0]), *argv[1:]])
        done = subprocess.run(cmd, cwd=cwd or self.course, capture_output=True, text=True,
                              timeout=900, env=dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}"))
        text = self.log("instructor", list(argv), done)
        assert done.returncode == 0, f"{' '.join(argv)} failed:\n{text}"
        return text

    def student(self, name: str, *argv: str) -> str:
        done = self.users.run(name, [str(BIN / argv[0]), *argv[1:]])
        text = self.log(name, list(argv), done)
        assert done.returncode == 0, f"{' '.join(argv)} as {name} failed:\n{text}"
        return text

    def save(self) -> None:
        TRANSCRIPT.parent.mkdir(exist_ok=True)
        TRANSCRIPT.write_text("\n".join(self.lines) + "\n")


@pytest.fixture(scope="module")
def week():
    if os.geteuid() != 0:
        pytest.skip("the exchange's students are local users: run as root (CI does)")
    require("bubblewrap", "nbgrader's exchange between local users")
    base = Path(tempfile.mkdtemp(prefix="betternets-week-", dir="/tmp"))
    base.chmod(0o755)
    w = Week(base)
    try:
        yield w
    finally:
        w.save()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def term(week):
    """The whole loop, once: every later test reads what it left."""
    w = week
    (w.root / "solutions").mkdir(parents=True)
    shutil.copyfile(SOLUTIONS / f"{NOTEBOOK}.ipynb", w.root / "solutions" / f"{NOTEBOOK}.ipynb")
    w.exchange.mkdir()
    w.exchange.chmod(0o777)

    # The instructor's own nbgrader config, written before betternets ever ran.
    w.course.mkdir(parents=True)
    instructor_lines = [
        "c = get_config()",
        f"c.CourseDirectory.course_id = {COURSE_ID!r}",
        f"c.Exchange.root = {str(w.exchange)!r}",
        "c.AssignLatePenalties.plugin_class = 'betternets_grader.nbgrader_ext.LatePenalty'",
        "c.LatePenalty.per = 'day'",
        f"c.LatePenalty.points = {PER_DAY}",
        f"c.LatePenalty.cap = {CAP}",
    ]
    config = w.course / "nbgrader_config.py"
    config.write_text("\n".join(instructor_lines) + "\n")

    w.instructor("betternets", "release", "--root", str(w.root), "--course", str(w.course))
    w.instructor("nbgrader", "release_assignment", NOTEBOOK)
    for name in STUDENTS:
        (w.users.home(name) / ".jupyter").mkdir(exist_ok=True)
        (w.users.home(name) / ".jupyter" / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\n"
            f"c.Exchange.root = {str(w.exchange)!r}\n")
        shutil.chown(w.users.home(name) / ".jupyter", w.users.uids[name], w.users.uids[name])
        w.student(name, "nbgrader", "fetch_assignment", NOTEBOOK)

    def answer(name: str, nb: dict) -> None:
        target = w.users.home(name) / NOTEBOOK / f"{NOTEBOOK}.ipynb"
        target.write_text(json.dumps(nb))   # the student saves their work

    fetched = json.loads((w.users.home("alice") / NOTEBOOK / f"{NOTEBOOK}.ipynb").read_text())
    alice = own_answers()
    answer("alice", fill(fetched, alice))
    answer("bob", json.loads((SAMPLES / "bob" / f"{NOTEBOOK}.ipynb").read_text()))
    answer("eve", fill(fetched, {gid: renamed(src) for gid, src in alice.items()}))
    w.student("alice", "nbgrader", "submit", NOTEBOOK)
    w.student("bob", "nbgrader", "submit", NOTEBOOK)
    time.sleep(1.0)
    due = dt.datetime.now(dt.timezone.utc)
    time.sleep(1.0)
    w.student("eve", "nbgrader", "submit", NOTEBOOK)
    # The due date falls between bob's and eve's submissions.
    w.instructor("nbgrader", "db", "assignment", "add", NOTEBOOK,
                 f"--duedate={due.strftime('%Y-%m-%d %H:%M:%S.%f')} UTC")
    w.instructor("nbgrader", "collect", NOTEBOOK)
    first = w.instructor("betternets", "grade", str(w.course), "--root", str(w.root),
                         "--course", str(w.course), "--out", str(w.root / "results.csv"),
                         "--jobs", "2")
    return {"due": due, "config": config, "instructor_lines": instructor_lines,
            "first": first}


def csv_rows(path: Path) -> list[dict]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def gradebook(week):
    from nbgrader.api import Gradebook
    return Gradebook(f"sqlite:///{week.course / 'gradebook.db'}", COURSE_ID)


def test_collected_files_survive_grading(week, term):
    for name in STUDENTS:
        folder = week.course / "submitted" / name / NOTEBOOK
        assert {p.name for p in folder.iterdir()} >= {
            f"{NOTEBOOK}.ipynb", "timestamp.txt", "submission_secret.txt"}
        inbound = next((week.exchange / COURSE_ID / "inbound").glob(f"{name}+{NOTEBOOK}+*"))
        assert (folder / f"{NOTEBOOK}.ipynb").read_bytes() == \
            (inbound / f"{NOTEBOOK}.ipynb").read_bytes()


def test_the_instructors_config_is_kept(week, term):
    text = term["config"].read_text()
    assert [line for line in term["instructor_lines"] if line not in text] == []


def test_only_the_collected_students_are_graded(week, term):
    rows = csv_rows(week.root / "results.csv")
    assert {r["student"] for r in rows} == set(STUDENTS)
    with gradebook(week) as gb:
        assert {s.id for s in gb.students} == set(STUDENTS)


def test_submission_times_and_the_late_penalty(week, term):
    with gradebook(week) as gb:
        for name in STUDENTS:
            sub = gb.find_submission(NOTEBOOK, name)
            stamp = (week.course / "submitted" / name / NOTEBOOK / "timestamp.txt").read_text()
            from nbgrader.utils import parse_utc
            assert sub.timestamp == parse_utc(stamp).replace(tzinfo=None)
            late = name == "eve"
            assert (sub.total_seconds_late > 0) == late, name
            penalty = sub.late_submission_penalty
            if late:
                days = -(-sub.total_seconds_late // 86400)          # a started day counts
                assert penalty == min(CAP, PER_DAY * days, sub.score)
            else:
                assert not penalty
    rows = [r for r in csv_rows(week.root / "results.csv") if r["grade_id"] == "late_penalty"]
    assert [r["student"] for r in rows] == ["eve"]
    assert float(rows[0]["score"]) == -PER_DAY
    assert "late" in term["first"]


OVERRIDE = 0.5
COMMENT = "TA: the central difference is right; the step size choice is explained."


@pytest.fixture(scope="module")
def regraded(week, term):
    """A TA overrides one of bob's scores and comments; the class is graded twice more."""
    rows = [r for r in csv_rows(week.root / "results.csv")
            if r["student"] == "bob" and r["grade_id"] != "late_penalty"]
    cell = next(r for r in rows if float(r["score"]) < float(r["max_score"]))["grade_id"]
    with gradebook(week) as gb:
        grade = gb.find_grade(cell, NOTEBOOK, NOTEBOOK, "bob")
        grade.manual_score = OVERRIDE
        answer_cell = next(c for c in gb.find_submission_notebook(NOTEBOOK, NOTEBOOK, "bob").comments)
        answer_cell.manual_comment = COMMENT
        commented = answer_cell.name
        gb.db.commit()
    week.note(f"TA (gradebook API, as formgrader): bob {cell} manual_score = {OVERRIDE}; "
              f"comment on {commented}: {COMMENT!r}")
    outputs = []
    for extra in ([], ["--force"]):
        outputs.append(week.instructor(
            "betternets", "grade", str(week.course), "--root", str(week.root), "--course",
            str(week.course), "--out", str(week.root / "results.csv"), "--jobs", "2", *extra))
    return {"cell": cell, "commented": commented, "outputs": outputs, "rows": rows}


def test_a_regrade_keeps_the_tas_override_and_comment(week, regraded):
    with gradebook(week) as gb:
        grade = gb.find_grade(regraded["cell"], NOTEBOOK, NOTEBOOK, "bob")
        assert grade.manual_score == OVERRIDE
        assert grade.score == OVERRIDE
        comment = gb.find_comment(regraded["commented"], NOTEBOOK, NOTEBOOK, "bob")
        assert comment.manual_comment == COMMENT


@pytest.fixture(scope="module")
def fetched(week, regraded):
    """Feedback written, released through the exchange and fetched by every student."""
    week.instructor("betternets", "feedback", "--root", str(week.root), "--course",
                    str(week.course), "--out", str(week.root / "feedback-out"))
    week.instructor("nbgrader", "release_feedback", NOTEBOOK)
    pages = {}
    for name in STUDENTS:
        week.student(name, "nbgrader", "fetch_feedback", NOTEBOOK)
        found = list((week.users.home(name) / NOTEBOOK / "feedback").glob(f"*/{NOTEBOOK}.html"))
        assert len(found) == 1, (name, found)
        pages[name] = found[0].read_text()
    return pages


def test_every_student_fetches_their_own_feedback(week, fetched):
    with gradebook(week) as gb:
        for name, page in fetched.items():
            sub = gb.find_submission(NOTEBOOK, name)
            net = sub.score - (sub.late_submission_penalty or 0.0)   # as nbgrader's GetGrades
            assert f"{net:g} / {sub.max_score:g}" in page or \
                f"{net:.1f} / {sub.max_score:.1f}" in page, (name, net)
    assert "Late submission:" in fetched["eve"]
    assert [name for name in ("alice", "bob") if "Late submission:" in fetched[name]] == []


@pytest.fixture(scope="module")
def exported(week, fetched):
    """The gradebook exported for Canvas, after the feedback went out: its rows."""
    out = week.root / "canvas.csv"
    week.instructor("betternets", "export", "--format", "canvas", "--root", str(week.root),
                    "--course", str(week.course), "--out", str(out))
    with out.open(newline="") as fh:
        return list(csv.reader(fh))


def test_the_lms_export_has_every_student_with_the_penalty_taken_off(week, exported):
    lines = exported
    header = lines[0]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    column = next(i for i, h in enumerate(header) if NOTEBOOK in h)
    assert lines[1][0].strip() == "Points Possible"
    with gradebook(week) as gb:
        for line in lines[2:]:
            sub = gb.find_submission(NOTEBOOK, line[3])        # SIS Login ID: nbgrader's id
            expected = max(0.0, sub.score - (sub.late_submission_penalty or 0.0))
            assert float(line[column]) == pytest.approx(expected)
        assert {line[3] for line in lines[2:]} == set(STUDENTS)


def test_the_class_report_ranks_the_copy_first(week, regraded):
    report = (week.course / "report.html").read_text()
    section = report[report.index("imilar"):]
    first = re.search(r"(alice|bob|eve)\W+(?:\w+\W+)?(alice|bob|eve)", section)
    assert first and {first.group(1), first.group(2)} == {"alice", "eve"}
    week.note(f"class report, first similar pair: {first.group(0)}")


def readme_week_commands() -> list[list[str]]:
    """The commands of the README's "An instructor's week" block, in order."""
    text = (REPO / "README.md").read_text()
    section = text[text.index("### An instructor's week on nbgrader"):]
    block = section[section.index("```bash"):]
    block = block[len("```bash"):block.index("```", len("```bash"))]
    lines = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    return [line.split() for line in lines if line]


def steps(commands: list[list[str]]) -> list[str]:
    """Each command as its tool, verb and --force/--format, repeats in a row folded: the
    students' three fetches are one step, like the README's one line."""
    out: list[str] = []
    for argv in commands:
        step = " ".join(argv[:2] + [a for a in argv if a in ("--force", "--format")])
        if not out or out[-1] != step:
            out.append(step)
    return out


def test_the_readme_walks_through_the_same_commands(week, exported):
    """The README's walk-through is the loop this module ran, step for step."""
    assert steps(readme_week_commands()) == steps(week.commands)
