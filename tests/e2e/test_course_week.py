"""An instructor's week on nbgrader (issue 22): submission times and late penalties, the
course's own config kept, TA overrides kept over regrades, a course directory's layout, and
every file nbgrader keeps beside a submission surviving grading.

One grading run (module fixture `week`) grades a hand-made nbgrader course directory in
place: source/ and release/ as nbgrader lays them out, submitted/<student>/<assignment>/
with the notebook, timestamp.txt and submission_secret.txt, and an instructor's
nbgrader_config.py. Every other test grades a copy of that course directory, whose resume
cache makes the regrade cheap (no notebook is run again unless the test says so).
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from betternets.checks.status import Status
from betternets_grader.course import BLOCK_BEGIN, nbgrader_api
from betternets_grader.grade import GradeOptions, grade
from betternets_grader.lateness import PENALTY_ID
from betternets_grader.nbgrader_ext import LatePenalty
from betternets_grader.rows import csv_bytes
from betternets_grader.submissions import find

from checkout import COURSE, LECTURES, SAMPLES

NAME = "00_gradient_checking"
DUE = "2026-11-30 17:00:00"                       # UTC (nbgrader: a naive time is UTC)
STAMPS = {                                         # timestamp.txt, as `nbgrader submit` writes it
    "alice": "2026-11-30 16:59:00.000000 UTC",     # a minute early
    "bob": "2026-12-02 17:00:00.000000 UTC",       # two days late
    "carol": "2026-11-30 18:30:00.000000 Europe/Berlin",   # 17:30 UTC: half an hour late
}
INSTRUCTOR_CONFIG = '''c = get_config()  # the instructor's own file
c.CourseDirectory.course_id = "ml101"
c.AssignLatePenalties.plugin_class = "betternets_grader.nbgrader_ext.LatePenalty"
c.LatePenalty.per = "day"
c.LatePenalty.points = 3
c.LatePenalty.cap = 5
'''


def utc(text: str) -> datetime:
    """The UTC time of a timestamp above, computed here without nbgrader's parser."""
    from zoneinfo import ZoneInfo
    day, clock, zone = text.split(" ")
    local = datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZoneInfo(zone))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def make_course_dir(folder: Path) -> Path:
    """An nbgrader course directory after release_assignment and collect, made by hand."""
    (folder / "release" / NAME).mkdir(parents=True)
    shutil.copyfile(LECTURES / f"{NAME}.ipynb", folder / "release" / NAME / f"{NAME}.ipynb")
    (folder / "nbgrader_config.py").write_text(INSTRUCTOR_CONFIG)
    for student, stamp in STAMPS.items():
        d = folder / "submitted" / student / NAME
        d.mkdir(parents=True)
        shutil.copyfile(SAMPLES / student / f"{NAME}.ipynb", d / f"{NAME}.ipynb")
        (d / "timestamp.txt").write_text(stamp)
        (d / "submission_secret.txt").write_text(f"secret-of-{student}")
    (folder / "submitted" / "bob" / NAME / "notes.txt").write_text("a file bob handed in")
    return folder


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file below `folder`: its sha256 and inode (a rewritten file gets a new inode)."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                         p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_grade(course: Path, submissions: Path | None = None, log=None, **kw):
    lines = [] if log is None else log
    run = grade(submissions or course, course / "results.csv", COURSE,
                GradeOptions(course=course, duedates=kw.pop("duedates", {NAME: DUE}), **kw),
                log=lines.append)
    return run, lines


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    course = make_course_dir(tmp_path_factory.mktemp("week") / "course")
    before = snapshot(course / "submitted")
    run, log = run_grade(course)
    return {"course": course, "run": run, "log": log, "before": before}


@pytest.fixture
def copy(week, tmp_path):
    """A copy of the graded course directory, to change and regrade (from the cache)."""
    target = tmp_path / "course"
    shutil.copytree(week["course"], target, symlinks=True)
    return target


def score(run, student: str) -> float:
    return sum(v.score for v in run.rows if v.student == student and v.assignment == NAME)


def csv_rows(course: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((course / "results.csv").read_text())))


# ---------------------------------------------------------------- time

def test_each_submissions_time_and_lateness_come_from_its_timestamp(week):
    run = week["run"]
    for student, stamp in STAMPS.items():
        late = run.lateness[(student, NAME)]
        assert late.submitted == utc(stamp)
        assert late.due == utc(f"{DUE} UTC")
        assert late.seconds_late == max(0.0, (utc(stamp) - utc(f"{DUE} UTC")).total_seconds())
    assert [x.student for x in run.late] == ["bob", "carol"]
    assert run.lateness[("bob", NAME)].seconds_late == 2 * 86400
    assert run.lateness[("carol", NAME)].seconds_late == 1800     # the Berlin time, in UTC


def test_the_gradebook_holds_time_due_date_and_nbgraders_own_lateness(week):
    from nbgrader.api import Gradebook
    api = nbgrader_api(week["course"])
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        assert gb.find_assignment(NAME).duedate == utc(f"{DUE} UTC")
        for student, stamp in STAMPS.items():
            sub = gb.find_submission(NAME, student)
            assert sub.timestamp == utc(stamp)
            assert sub.total_seconds_late == week["run"].lateness[(student, NAME)].seconds_late


def test_a_per_day_penalty_with_a_cap_is_stored_shown_and_said(week):
    """Per started day 3 points, cap 5: bob, 2 days late, loses min(2 * 3, 5, his score);
    carol, half an hour late with 0 points, loses nothing; alice is on time."""
    from nbgrader.api import Gradebook
    run, course = week["run"], week["course"]
    bob_penalty = min(math.ceil(2 * 86400 / 86400) * 3, 5, score(run, "bob"))
    assert bob_penalty > 0
    assert run.lateness[("bob", NAME)].penalty == bob_penalty
    assert run.lateness[("carol", NAME)].penalty == 0 and score(run, "carol") == 0
    assert run.lateness[("bob", NAME)].row().status is Status.LATE
    assert run.lateness[("alice", NAME)].row() is None
    api = nbgrader_api(course)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        assert gb.find_submission_notebook(NAME, NAME, "bob").late_submission_penalty == \
            bob_penalty
        assert gb.find_submission_notebook(NAME, NAME, "alice").late_submission_penalty is None
        assert gb.find_submission(NAME, "bob").late_submission_penalty == bob_penalty   # export
    rows = csv_rows(course)
    late = [r for r in rows if r["grade_id"] == PENALTY_ID]
    assert [(r["student"], float(r["score"]), float(r["max_score"]), r["status"])
            for r in late] == [("bob", -bob_penalty, 0.0, "late"), ("carol", 0.0, 0.0, "late")]
    bob_reason = late[0]["reason"]
    assert bob_reason.startswith("submitted 2 days 0 h late (due 2026-11-30 17:00:00 UTC, "
                                 "submitted 2026-12-02 17:00:00 UTC)")
    assert f"penalty {bob_penalty:g} points" in bob_reason and "per day 3 points" in bob_reason
    assert "cap 5 points" in bob_reason
    # the late row follows bob's own cells
    bob_rows = [r["grade_id"] for r in rows if r["student"] == "bob"]
    assert bob_rows[-1] == PENALTY_ID and bob_rows.count(PENALTY_ID) == 1
    said = [l for l in week["log"] if l.startswith("late: ")]
    assert said == [f"late: bob {NAME} {bob_reason}",
                    f"late: carol {NAME} {late[1]['reason']}"]


def test_nbgraders_zero_method_takes_the_whole_score(copy):
    (copy / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "ml101"\n'
        'c.LateSubmissionPlugin.penalty_method = "zero"\n')
    run, _ = run_grade(copy)
    assert run.graded == 0 and run.reused == 3     # the policy changes no verdict
    assert run.lateness[("bob", NAME)].penalty == score(run, "bob") > 0
    assert run.lateness[("alice", NAME)].penalty == 0


def test_nbgraders_default_policy_shows_lateness_without_penalty(copy):
    (copy / "nbgrader_config.py").write_text('c = get_config()\n')
    run, _ = run_grade(copy)
    rows = [r for r in csv_rows(copy) if r["grade_id"] == PENALTY_ID]
    assert [(r["student"], float(r["score"])) for r in rows] == [("bob", 0.0), ("carol", 0.0)]
    assert "penalty 0 points, late policy LateSubmissionPlugin penalty_method 'none'" \
        in rows[0]["reason"]


def test_an_on_time_class_gets_the_csv_of_its_test_cells_byte_for_byte(copy, tmp_path):
    """Due in the future: no row is added, and the CSV is that of the same notebooks graded
    from a plain folder without any timestamp."""
    run, _ = run_grade(copy, duedates={NAME: "2030-01-01 00:00:00"})
    assert not run.late
    on_time = (copy / "results.csv").read_bytes()
    assert on_time == csv_bytes(run.rows)
    plain = tmp_path / "plain"
    for student in STAMPS:
        (plain / student).mkdir(parents=True)
        shutil.copyfile(SAMPLES / student / f"{NAME}.ipynb", plain / student / f"{NAME}.ipynb")
    other = tmp_path / "other.csv"
    grade(plain, other, COURSE, GradeOptions(course=copy), log=lambda *_: None)
    assert other.read_bytes() == on_time


def test_the_late_penalty_formula():
    """units = ceil(seconds / unit); penalty = min(units * (points + fraction * score), caps)."""
    day = LatePenalty(per="day", points=3, cap=5)
    assert [day.late_submission_penalty("s", 10, s) for s in (0, 1, 86400, 86401, 10 * 86400)] \
        == [0, 3, 3, 5, 5]
    hour = LatePenalty(per="hour", fraction=0.1, cap_fraction=0.5)
    assert hour.late_submission_penalty("s", 8, 3 * 3600 - 1) == pytest.approx(3 * 0.8)
    assert hour.late_submission_penalty("s", 8, 100 * 3600) == pytest.approx(4.0)
    assert hour.describe() == "per hour 10% of the score, cap 50% of the score"


def test_an_unreadable_timestamp_is_said_and_graded_as_on_time(copy):
    (copy / "submitted" / "bob" / NAME / "timestamp.txt").write_text("yesterday-ish \x1b[2J")
    run, log = run_grade(copy)
    assert not run.lateness[("bob", NAME)].late
    warned = [l for l in log if l.startswith("warning: bob")]
    assert len(warned) == 1 and "graded as on time" in warned[0] and "\x1b" not in warned[0]


# ---------------------------------------------------------------- files beside a submission

def test_grading_in_place_rewrites_and_deletes_nothing_in_submitted(week):
    assert snapshot(week["course"] / "submitted") == week["before"]


def test_autograded_keeps_nbgraders_files_for_feedback(week):
    for student in STAMPS:
        folder = week["course"] / "autograded" / student / NAME
        assert (folder / "timestamp.txt").read_text() == STAMPS[student]
        assert (folder / "submission_secret.txt").read_text() == f"secret-of-{student}"
        assert (folder / f"{NAME}.ipynb").is_file()


def test_a_submission_from_another_folder_brings_its_timestamp(copy, tmp_path):
    outside = tmp_path / "inbox" / "bob" / NAME
    outside.mkdir(parents=True)
    shutil.copyfile(SAMPLES / "bob" / f"{NAME}.ipynb", outside / f"{NAME}.ipynb")
    (outside / "timestamp.txt").write_text("2026-12-03 17:00:00.000000 UTC")
    (outside / "submission_secret.txt").write_text("another secret")
    run, _ = run_grade(copy, submissions=tmp_path / "inbox")
    kept = copy / "submitted" / "bob" / NAME
    assert (kept / "timestamp.txt").read_text() == "2026-12-03 17:00:00.000000 UTC"
    assert (kept / "submission_secret.txt").read_text() == "secret-of-bob"   # the course's key
    assert (kept / "notes.txt").read_text() == "a file bob handed in"
    assert run.lateness[("bob", NAME)].seconds_late == 3 * 86400


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    bindir = Path(sys.executable).parent
    env = dict(os.environ, PATH=str(bindir) + os.pathsep + os.environ["PATH"])
    return subprocess.run([str(bindir / "nbgrader"), *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("made_by", ["nbgrader generate_feedback", "betternets feedback"])
def test_nbgrader_releases_the_feedback_after_grading(copy, tmp_path, made_by):
    """release_feedback needs timestamp.txt and submission_secret.txt beside each feedback:
    one released file per student, named by nbgrader's hash of the student's secret."""
    from nbgrader.utils import notebook_hash
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    with (copy / "nbgrader_config.py").open("a") as fh:
        fh.write(f"c.Exchange.root = {str(exchange)!r}\n")
    if made_by == "nbgrader generate_feedback":
        proc = nbgrader(copy, "generate_feedback", NAME)
        assert proc.returncode == 0, proc.stderr[-2000:]
    else:
        from betternets_grader.feedback import feedback
        assert len(feedback(tmp_path / "out", course=copy, log=lambda *_: None)) == len(STAMPS)
    proc = nbgrader(copy, "release_feedback", NAME)
    assert proc.returncode == 0, proc.stderr[-2000:]
    released = {p.name for p in (exchange / "ml101" / "feedback").glob("*.html")}
    assert released == {notebook_hash(secret=f"secret-of-{s}", notebook_id=NAME) + ".html"
                        for s in STAMPS}


# ---------------------------------------------------------------- the course's config

def test_the_instructors_config_is_kept_and_betternets_included_once(week, copy):
    text = (week["course"] / "nbgrader_config.py").read_text()
    assert text.count(BLOCK_BEGIN) == 1
    kept = [l for l in text.splitlines() if not l.startswith(("# >>> betternets", "# <<<",
                                                             "load_subconfig("))]
    assert kept == INSTRUCTOR_CONFIG.splitlines()
    run_grade(copy)
    assert (copy / "nbgrader_config.py").read_text().count(BLOCK_BEGIN) == 1
    api = nbgrader_api(copy)
    assert api.coursedir.course_id == "ml101"
    assert api.coursedir.root == str(copy)
    assert "ExerciseStubs" in [p.__name__ for p in api.config.GenerateAssignment.preprocessors]


def test_no_setting_is_unknown_to_nbgrader(week):
    """Every option the course's config sets is a configurable trait of an nbgrader class
    (or of our plug-in), and nbgrader says nothing about unknown options."""
    from nbgrader.apps import NbGraderApp
    api = nbgrader_api(week["course"])
    classes = {c.__name__: c for c in NbGraderApp().all_configurable_classes()}
    classes["LatePenalty"] = LatePenalty
    for section, values in api.config.items():
        assert section in classes, section
        known = classes[section].class_trait_names(config=True)
        assert set(values) <= set(known), (section, set(values) - set(known))
    proc = nbgrader(week["course"], "db", "assignment", "list")
    assert proc.returncode == 0 and NAME in proc.stdout
    for words in ("not recognized", "Unrecognized", "unknown"):
        assert words not in proc.stderr + proc.stdout


def test_a_config_betternets_wrote_earlier_is_replaced_by_the_new_layout(tmp_path):
    from betternets_grader.course import prepare_course
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "nbgrader_config.py").write_text(
        "from betternets_grader.nbgrader_ext import configure\n"
        "c = get_config()  # noqa: F821 - given by traitlets to a config file\n"
        f"configure(c)\nc.CourseDirectory.root = {str(ws)!r}\n")
    prepare_course(ws, COURSE)
    assert BLOCK_BEGIN in (ws / "nbgrader_config.py").read_text()
    assert nbgrader_api(ws).coursedir.course_id == "betternets"


# ---------------------------------------------------------------- manual grades

def _override(course: Path, cell: str, manual: float, comment_cell: str, comment: str,
              auto: float | None = None) -> None:
    """What a TA does in formgrader: a manual score on a cell and a comment on another."""
    from nbgrader.api import Gradebook
    api = nbgrader_api(course)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        grade = gb.find_grade(cell, NAME, NAME, "bob")
        grade.manual_score = manual
        grade.needs_manual_grade = False
        if auto is not None:
            grade.auto_score = auto     # the autograde of an earlier version of the checks
        gb.find_comment(comment_cell, NAME, NAME, "bob").manual_comment = comment
        gb.db.commit()


def _state(course: Path, cell: str, comment_cell: str):
    from nbgrader.api import Gradebook
    api = nbgrader_api(course)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        grade = gb.find_grade(cell, NAME, NAME, "bob")
        comment = gb.find_comment(comment_cell, NAME, NAME, "bob")
        return (grade.manual_score, grade.auto_score, grade.needs_manual_grade,
                comment.manual_comment)


def _bob_cells(run):
    failed = next(v for v in run.rows if v.student == "bob" and not v.passed)
    from betternets_grader import answers
    from checkout import SOLUTIONS
    answer = next(iter(answers.answer_sources(answers.load(SOLUTIONS / f"{NAME}.ipynb"))))
    return failed, answer


def test_a_regrade_keeps_a_tas_override_and_comment(copy, week):
    failed, answer = _bob_cells(week["run"])
    _override(copy, failed.grade_id, failed.max_score, answer, "close enough, see my note")
    run, log = run_grade(copy)
    assert run.reused == 3 and not run.overrides
    assert _state(copy, failed.grade_id, answer) == (failed.max_score, failed.score, False,
                                                     "close enough, see my note")
    assert not [l for l in log if l.startswith("manual grade kept")]


def test_a_changed_autograde_beneath_an_override_flags_it_and_says_so(copy, week, tmp_path):
    failed, answer = _bob_cells(week["run"])
    earlier = failed.max_score          # an earlier autograde gave the points
    _override(copy, failed.grade_id, 0.5, answer, "half", auto=earlier)
    run, log = run_grade(copy)
    assert _state(copy, failed.grade_id, answer) == (0.5, failed.score, True, "half")
    said = [l for l in log if l.startswith("manual grade kept")]
    assert said == [f"manual grade kept: bob {NAME} {failed.grade_id}: auto score "
                    f"{earlier:g} -> {failed.score:g} beneath a manual score of 0.5: "
                    "override kept, flagged for review"]
    # --force regrades bob (only him, from a folder of his own): the override survives again
    only_bob = tmp_path / "only_bob"
    shutil.copytree(copy / "submitted" / "bob", only_bob / "bob")
    _override(copy, failed.grade_id, 0.5, answer, "half", auto=earlier)
    run, log = run_grade(copy, submissions=only_bob, force=True)
    assert run.graded == 1
    assert _state(copy, failed.grade_id, answer) == (0.5, failed.score, True, "half")
    assert len([l for l in log if l.startswith("manual grade kept")]) == 1


# ---------------------------------------------------------------- layouts

def test_a_course_directory_grades_only_its_submitted_folder(week):
    course = week["course"]
    assert (course / "source" / NAME).is_dir() and (course / "release" / NAME).is_dir()
    subs, strays = find(course, COURSE.notebooks())
    assert sorted({s.student for s in subs}) == sorted(STAMPS)
    assert {s.student for s in week["run"].results} == set(STAMPS)


@pytest.mark.parametrize("marker", ["source", "release", "autograded", "feedback",
                                    "gradebook.db", "nbgrader_config.py"])
def test_nbgraders_folders_are_never_students(tmp_path, marker):
    course = tmp_path / "c"
    for student in ("ann", "ben"):
        (course / "submitted" / student / NAME).mkdir(parents=True)
        (course / "submitted" / student / NAME / f"{NAME}.ipynb").write_text("{}")
    if "." in marker:
        (course / marker).write_text("")
    else:
        (course / marker / NAME).mkdir(parents=True)
        (course / marker / NAME / f"{NAME}.ipynb").write_text("{}")
    # a folder beside submitted/ that holds notebooks would make submitted a student
    (course / "zed").mkdir()
    (course / "zed" / f"{NAME}.ipynb").write_text("{}")
    subs, _ = find(course, [NAME])
    assert [s.student for s in subs] == ["ann", "ben"]


def test_a_student_called_submitted_in_a_plain_class_folder_is_a_student(tmp_path):
    for student in ("ann", "submitted"):
        (tmp_path / student).mkdir()
        (tmp_path / student / f"{NAME}.ipynb").write_text("{}")
    subs, _ = find(tmp_path, [NAME])
    assert [s.student for s in subs] == ["ann", "submitted"]


def test_a_course_directory_with_nothing_collected_has_no_students(tmp_path):
    (tmp_path / "source" / NAME).mkdir(parents=True)
    (tmp_path / "source" / NAME / f"{NAME}.ipynb").write_text("{}")
    (tmp_path / "nbgrader_config.py").write_text("")
    assert find(tmp_path, [NAME]) == ([], [])


# ---------------------------------------------------------------- command line

def test_grade_takes_due_dates_and_says_so_in_help(capsys):
    from betternets_grader import cli
    args = cli.build_parser().parse_args(["grade", "subs", "--duedate", f"{NAME}=2026-12-01 "
                                          "17:00:00 Europe/Berlin", "--duedate", "01_x=2026-12-08"])
    assert args.duedate == [(NAME, "2026-12-01 17:00:00 Europe/Berlin"), ("01_x", "2026-12-08")]
    with pytest.raises(SystemExit):
        cli.main(["grade", "--help"])
    assert "--duedate NAME=WHEN" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["grade", "subs", "--duedate", "no-time"])


def test_a_due_date_for_an_unknown_notebook_or_time_stops_the_run(tmp_path, capsys):
    from betternets_grader import cli
    (tmp_path / "subs").mkdir()
    for bad in ("99_nothing=2026-12-01", f"{NAME}=the day after tomorrow"):
        code = cli.main(["grade", str(tmp_path / "subs"), "--root", str(COURSE.root),
                         "--course", str(tmp_path / "c"), "--out", str(tmp_path / "r.csv"),
                         "--duedate", bad])
        assert code == 2
        assert "--duedate" in capsys.readouterr().err
