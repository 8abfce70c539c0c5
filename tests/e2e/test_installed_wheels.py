"""The course from installed wheels, away from this checkout.

Both packages are built as wheels (`pip wheel --no-deps`, from copies of their sources)
and installed (by uv's `pip install`) into one fresh virtual environment in a temporary
folder (no --system-site-packages, no editable install, no PYTHONPATH), in two steps so
that the student's view is tested first:

1. the student wheel alone: every lecture notebook, with alice's answers typed in,
   runs top to bottom headless (nbclient) in that environment's kernel and its
   self-checks pass; the untouched release of notebook 00 says "not implemented yet" and
   runs to its end ("needs numerical_gradient: not implemented yet");
   `import betternets_grader` fails and `betternets release` says it is an
   instructor command;
2. then the grader wheel, in a folder that holds only a copy of solutions/ and of the
   sample class (autograder/samples), as the working directory:

       betternets release
       betternets grade samples --out r.csv
       betternets feedback --out fb

   The release equals the committed lectures/, the CSV holds the committed sample
   class's expectation (alice: every test cell passed; carol: 0; bob: loses points
   exactly on the exercises where tests/make_samples.py gave him a catalog mistake),
   and every graded notebook has its feedback. One more student, mallory, is alice
   with `import betternets_grader` in her first answer: in the sandbox of an
   installed grader her import fails (the kernel sees the student package only).
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest
from system import require

from betternets_grader import answers
from betternets_grader.nbauthor import dumps

from checkout import COURSE, REPO, SAMPLES, SOLUTIONS, uv_pip_install
from make_samples import bob_mistakes

pytestmark = pytest.mark.slow
NAMES = COURSE.assignments()
STUDENTS = ("alice", "bob", "carol")
PROBE = "mallory"   # alice, plus `import betternets_grader` in her first answer cell
SKIP_COPY = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "*.pyc")

# Runs in the installed environment: executes notebooks with nbclient, prints a JSON report.
RUN_NOTEBOOKS = r'''
import json, sys
import nbformat
from nbclient import NotebookClient

report = {}
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sys; print(sys.prefix)"))
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True).execute()
    errors, checks, needs = [], {}, []
    for cell in nb.cells[1:]:
        if cell.cell_type != "code":
            continue
        text = "".join(o.get("text", "") for o in cell.outputs)
        needs += [line for line in text.splitlines() if line.startswith("needs ")]
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if gid.endswith("__selfcheck"):
            checks[gid] = text
        errors += [(gid or cell.source[:60], o["ename"], o["evalue"][:300])
                   for o in cell.outputs if o.get("output_type") == "error"]
    report[path] = {"prefix": nb.cells[0].outputs[0]["text"].strip(), "errors": errors,
                    "selfchecks": checks, "needs": needs}
print(json.dumps(report))
'''


def clean_env(venv: Path) -> dict:
    """The environment of a user of the installed packages: the venv's bin first, nothing of
    this checkout (no PYTHONPATH, no VIRTUAL_ENV, no bin folder inside the checkout)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV",
                                                             "PYTHONHOME", "PYTHONSTARTUP")}
    path = [p for p in env.get("PATH", "").split(os.pathsep)
            if p and not Path(p).resolve().is_relative_to(REPO)]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env.update(MPLBACKEND="Agg", BETTERNETS_NO_PROGRESS="1", BETTERNETS_STATIC="1",
               PYTHONNOUSERSITE="1")
    return env


def run(cmd: list, venv: Path, cwd: Path, timeout: float = 900,
        check: bool = True) -> subprocess.CompletedProcess:
    t0 = time.monotonic()
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=clean_env(venv),
                          capture_output=True, text=True, timeout=timeout)
    print(f"$ {' '.join(str(c) for c in cmd)}    [{time.monotonic() - t0:.1f} s, "
          f"exit {proc.returncode}]")
    if check and proc.returncode != 0:
        pytest.fail(f"{cmd} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def pip_install(venv: Path, wheel: Path) -> None:
    """Install a wheel and its dependencies from the package index into the venv's own
    python, as `pip install` would (uv's, `checkout.uv_pip_install`: 2 s instead of pip's 16
    for the student wheel on this machine)."""
    run(uv_pip_install(venv / "bin" / "python", wheel), venv, venv.parent)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> dict[str, Path]:
    """Wheels of both packages, built from copies of their sources (the checkout stays as is)."""
    root = tmp_path_factory.mktemp("wheels")
    student, grader = root / "student", root / "grader"
    student.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, student / name)
    shutil.copytree(REPO / "src", student / "src", ignore=SKIP_COPY)
    grader.mkdir()
    shutil.copy(REPO / "autograder" / "pyproject.toml", grader / "pyproject.toml")
    shutil.copytree(REPO / "autograder" / "betternets_grader", grader / "betternets_grader",
                    ignore=SKIP_COPY)
    out = root / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out,
                    student, grader], check=True, capture_output=True, timeout=600)
    found = {w.name.split("-")[0]: w for w in out.glob("*.whl")}
    assert set(found) == {"betternets", "betternets_grader"}, sorted(found)
    return {"student": found["betternets"], "grader": found["betternets_grader"]}


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheels) -> Path:
    """A fresh virtual environment outside the checkout with the student wheel installed."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", venv], check=True, timeout=300)
    pip_install(venv, wheels["student"])
    return venv


@pytest.fixture(scope="module")
def student_side(tmp_path_factory, venv) -> dict:
    """What the student package alone does (run before the grader wheel is installed)."""
    folder = tmp_path_factory.mktemp("student")
    script = folder / "run_notebooks.py"
    script.write_text(RUN_NOTEBOOKS)
    solved = [folder / "solved" / f"{name}.ipynb" for name in NAMES]
    for target in solved:   # alice's answers in the lecture notebooks, as she typed them
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(SAMPLES / "alice" / target.name, target)
    untouched = folder / "untouched" / f"{NAMES[0]}.ipynb"
    untouched.parent.mkdir()
    shutil.copyfile(COURSE.lectures / untouched.name, untouched)
    python = venv / "bin" / "python"
    notebooks = run([python, script, *solved, untouched], venv, folder, timeout=1200)
    report = json.loads(notebooks.stdout.strip().splitlines()[-1])
    return {"solved": {Path(p).stem: r for p, r in report.items() if "/solved/" in p},
            "untouched": report[str(untouched)],
            "import": run([python, "-c", "import betternets_grader"], venv, folder, check=False),
            "release": run([venv / "bin" / "betternets", "release"], venv, folder, check=False)}


@pytest.fixture(scope="module")
def course_run(tmp_path_factory, venv, wheels, student_side) -> dict:
    """The grader wheel added; release, grade and feedback in a folder with only solutions/
    and a class of submissions (student_side first: it needs the student wheel alone)."""
    pip_install(venv, wheels["grader"])
    folder = tmp_path_factory.mktemp("course_folder")
    shutil.copytree(SOLUTIONS, folder / "solutions")
    shutil.copytree(SAMPLES, folder / "samples")
    probe = answers.load(SAMPLES / "alice" / f"{NAMES[0]}.ipynb")
    first = next(c for c in probe["cells"] if answers.kind(c) == "answer")
    first["source"] = "import betternets_grader\n" + answers.source(first)
    (folder / "samples" / PROBE).mkdir()
    (folder / "samples" / PROBE / f"{NAMES[0]}.ipynb").write_text(dumps(probe))
    assert sorted(p.name for p in folder.iterdir()) == ["samples", "solutions"]
    bin_ = venv / "bin"
    return {"folder": folder,
            "release": run([bin_ / "betternets", "release"], venv, folder),
            "grade": run([bin_ / "betternets", "grade", "samples", "--out", "r.csv"], venv, folder),
            "feedback": run([bin_ / "betternets", "feedback", "--out", "fb"], venv, folder)}


def test_the_student_wheel_holds_the_student_package_only(wheels):
    names = zipfile.ZipFile(wheels["student"]).namelist()
    assert {n.split("/")[0] for n in names} == {"betternets", "betternets-0.1.0.dist-info"}
    assert "betternets/kernel/server.py" in names
    assert not [n for n in names if "grader" in n or "reference" in n or "hidden" in n]


def test_the_grader_wheel_holds_its_checks_reference_and_data(wheels):
    names = set(zipfile.ZipFile(wheels["grader"]).namelist())
    tracked = subprocess.run(["git", "ls-files", "autograder/betternets_grader"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout.split()
    expected = {str(Path(p).relative_to("autograder")) for p in tracked}
    assert expected, "no tracked grader files"
    assert expected <= names, sorted(expected - names)
    assert any(n.startswith("betternets_grader/hidden/equivalent/") for n in names)
    assert {n.split("/")[0] for n in names} == {"betternets_grader",
                                                "betternets_grader-0.1.0.dist-info"}


def test_the_student_package_alone_runs_every_lecture_notebook(student_side, venv):
    solved = student_side["solved"]
    assert sorted(solved) == NAMES
    for name, report in solved.items():
        assert Path(report["prefix"]).resolve() == venv.resolve(), \
            f"{name} ran in {report['prefix']}, not in the installed environment"
        assert report["errors"] == [], f"{name}: {report['errors']}"
        expected = {f"test_{ex}__selfcheck" for ex in
                    answers.answer_sources(answers.load(SOLUTIONS / f"{name}.ipynb"))}
        assert set(report["selfchecks"]) == expected
        for gid, text in report["selfchecks"].items():
            assert "\u2713" in text and "\u2717" not in text, f"{name} {gid}: {text}"


def test_the_untouched_release_says_not_implemented(student_side):
    report = student_side["untouched"]
    exercises = answers.answer_sources(answers.load(SOLUTIONS / f"{NAMES[0]}.ipynb"))
    for exercise in exercises:
        assert "not implemented yet" in report["selfchecks"][f"test_{exercise}__selfcheck"]
    # Run All reaches the end: the demonstrations that call a stub say what they need.
    assert report["errors"] == []
    assert report["needs"] and all(line.endswith("not implemented yet") or "explorer" in line
                                   for line in report["needs"])


def test_the_student_package_alone_has_no_grader(student_side):
    assert student_side["import"].returncode != 0
    assert "No module named 'betternets_grader'" in student_side["import"].stderr
    release = student_side["release"]
    assert release.returncode != 0 and "instructor command" in release.stderr


def test_release_from_the_installed_grader_equals_the_committed_lectures(course_run):
    lectures = course_run["folder"] / "lectures"
    assert sorted(p.stem for p in lectures.glob("*.ipynb")) == NAMES
    for name in NAMES:
        assert (lectures / f"{name}.ipynb").read_text() == \
            (COURSE.lectures / f"{name}.ipynb").read_text(), name
    assert (course_run["folder"] / "course" / "nbgrader_config.py").exists()


def test_the_installed_grader_grades_the_sample_class(course_run):
    """The CSV of the installed-wheel run holds what the sample class is made to score."""
    print(course_run["grade"].stdout)
    with (course_run["folder"] / "r.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    totals: dict = defaultdict(lambda: [0.0, 0.0])
    by_exercise: dict = defaultdict(lambda: [0.0, 0.0])
    for r in rows:
        for key in ((r["student"], r["assignment"]),
                    (r["student"], r["assignment"], answers.exercise_of(r["grade_id"]))):
            table = totals if len(key) == 2 else by_exercise
            table[key][0] += float(r["score"])
            table[key][1] += float(r["max_score"])
    for name in NAMES:
        cells = {gid: pts for gid, pts, _ in answers.test_cells(answers.load(
            SOLUTIONS / f"{name}.ipynb"))}
        for student in STUDENTS:
            mine = {r["grade_id"]: r for r in rows
                    if r["student"] == student and r["assignment"] == name}
            assert {g: float(r["max_score"]) for g, r in mine.items()} == cells, (student, name)
        alice = [r for r in rows if r["student"] == "alice" and r["assignment"] == name]
        assert all(r["status"] == "passed" for r in alice), name
        assert totals[("carol", name)] == [0.0, sum(cells.values())], name
        wrong = set(bob_mistakes(name))
        assert wrong, f"bob has no mistake in {name}"
        for exercise in answers.answer_sources(answers.load(SOLUTIONS / f"{name}.ipynb")):
            score, possible = by_exercise[("bob", name, exercise)]
            assert (score < possible) == (exercise in wrong), (name, exercise, score, possible)
    table = course_run["grade"].stdout
    assert all(line in table for line in ("alice", "bob", "carol"))
    assert f"{len(rows)} rows written to r.csv" in table


def test_the_installed_grader_writes_feedback(course_run):
    fb = course_run["folder"] / "fb"
    for student in STUDENTS:
        for name in NAMES:
            page = fb / student / f"{name}.html"
            assert page.exists() and "test_" in page.read_text(), page
    assert f"{len(STUDENTS) * len(NAMES) + 1} feedback files written" in \
        course_run["feedback"].stdout


def test_the_sandbox_of_an_installed_grader_shows_no_grader(course_run):
    """mallory's first answer imports betternets_grader: in the sandbox that import fails, so
    her first exercise earns nothing while alice's same answers earn every point."""
    require("bubblewrap", "the sandbox of an installed grader")
    assert "sandboxed" in course_run["grade"].stdout.splitlines()[-1]
    with (course_run["folder"] / "r.csv").open() as fh:
        rows = [r for r in csv.DictReader(fh) if r["assignment"] == NAMES[0]]
    nb = answers.load(SOLUTIONS / f"{NAMES[0]}.ipynb")
    first = next(iter(answers.answer_sources(nb)))
    probe = [r for r in rows if r["student"] == PROBE and answers.exercise_of(r["grade_id"]) == first]
    alice = [r for r in rows if r["student"] == "alice" and answers.exercise_of(r["grade_id"]) == first]
    assert probe and all(r["status"] == "passed" for r in alice)
    assert all(float(r["score"]) == 0 and r["status"] != "passed" for r in probe), probe
    assert any("betternets_grader" in r["reason"] for r in probe), [r["reason"] for r in probe]
