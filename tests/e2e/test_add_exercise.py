"""The README's "Add an exercise", followed step by step in a copy of the course.

The test copies what an author edits (the student package, the grader package, the solution
notebooks, the catalog and the tests that prove an exercise) to a temporary folder, and makes
the environment the guide says to run in: a fresh `.venv` in the copy, installed from the copy
with the guide's own command (`pip install -e ".[instructor]" -e ./autograder`, its arguments
given to uv's `pip install`). It adds a small exercise `central_difference` to notebook 00
in exactly the four hand-made places the README's table names (with a reference, two hidden
properties, one visible property, one named mistake and catalog entries), each cell written
as the guide's example shows it, and then runs the README's commands there, in that
environment: release, the sample class, the registry and catalog tests, grading and feedback.
The new exercise's rows must give the solution full points and the catalog's wrong answer
less, and the feedback must name the mistake. The environment of this checkout, which holds
none of the copy's checks, must refuse to release the copy and say how to install it.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from checkout import REPO, uv_pip_install
NOTEBOOK = "00_gradient_checking"
EXERCISE = "central_difference"
MISTAKE = "a one-sided difference"

# What an author edits, and what the README's commands need beside it.
COPIED = ["src", "autograder", "solutions", "scripts", "pyproject.toml", "README.md",
          "tests/catalog",
          "tests/conftest.py", "tests/system.py", "tests/checkout.py", "tests/make_samples.py", "tests/unit/test_registry.py",
          "tests/checks/test_catalog.py", "tests/checks/test_hints.py"]

# Step 1: the notebook's new cells, in nbauthor's text form (jupytext's percent format).
NOTEBOOK_CELLS = '''
# %% [markdown]
# ## Exercise: the derivative of a function of one number
#
# `central_difference(f, x, h=1e-5)` returns `(f(x + h) - f(x - h)) / (2h)` as a float.

# %% answer central_difference
def central_difference(f, x, h=1e-5):
    """(f(x + h) - f(x - h)) / (2h): the derivative of f at the number x."""
    ### BEGIN SOLUTION
    return float((f(x + h) - f(x - h)) / (2 * h))
    ### END SOLUTION

# %% test test_central_difference__selfcheck 1
check("central_difference")

# %% test test_central_difference__values 2
# Hidden check: matches the reference on e^(3x) at three points.
### BEGIN HIDDEN TESTS
from betternets_grader import check_hidden
check_hidden("central_difference", "values")
### END HIDDEN TESTS

# %% test test_central_difference__step_h 1
# Hidden check: uses the step h it is given.
### BEGIN HIDDEN TESTS
from betternets_grader import check_hidden
check_hidden("central_difference", "step_h")
### END HIDDEN TESTS
'''

# Step 2: the student side, one visible property and one named mistake.
STUDENT_SIDE = '''

@VISIBLE.property("central_difference", "cube",
                  "the derivative of x^3 at x = 2 with h = 0.1 is 12.01 (3 x^2 + h^2)")
def central_difference__cube(call):
    got = call("central_difference", CUBE, 2.0, h=0.1)
    expect.close(got, 12.01, "central_difference(x^3, 2, h=0.1)", rtol=1e-9,
                 hint="divide f(x + h) - f(x - h) by 2h")


@VISIBLE.mistake("central_difference", "a one-sided difference",
                 "(f(x + h) - f(x)) / h has error O(h); use (f(x + h) - f(x - h)) / (2h)")
def central_difference__looks_like_one_sided_difference(call):
    return bool(np.isclose(float(call("central_difference", CUBE, 1.0, h=0.1)), 3.31))
'''

# Step 3: the instructor side, the reference and two hidden properties.
INSTRUCTOR_SIDE = '''

def central_difference(f, x, h=1e-5):
    """(f(x + h) - f(x - h)) / (2h), a float."""
    return float((f(x + h) - f(x - h)) / (2 * h))


@HIDDEN.property("central_difference", "values", "matches the reference on e^(3x) at three points")
def central_difference__values(call):
    for x in (-0.5, 0.0, 0.7):
        expect.close(call("central_difference", EXP3, x, h=1e-3),
                     central_difference(functions.exp3_sum, x, h=1e-3),
                     f"central_difference(e^(3x), {x}, h=1e-3)", rtol=1e-9)


@HIDDEN.property("central_difference", "step_h", "uses the step h it is given")
def central_difference__step_h(call):
    expect.close(call("central_difference", CUBE, 2.0, h=0.5), 12.25,
                 "central_difference(x^3, 2, h=0.5)", rtol=1e-9, hint="use the argument h")
'''

# Step 4: the catalog, two wrong answers (one named) and a correct variant.
CATALOG = '''
ENTRIES += [
    wrong("central_difference", "forward difference", hint="a one-sided difference", source="""
        def central_difference(f, x, h=1e-5):
            return (f(x + h) - f(x)) / h
    """),
    wrong("central_difference", "divides by h", """
        def central_difference(f, x, h=1e-5):
            return (f(x + h) - f(x - h)) / h
    """),
    right("central_difference", "two named evaluations", """
        def central_difference(f, x, h=1e-5):
            ahead, behind = f(x + h), f(x - h)
            return (ahead - behind) / (h + h)
    """),
]
'''


def hand_made_places() -> list[str]:
    """The files of the README table "Add an exercise", for this notebook."""
    text = (REPO / "README.md").read_text()
    section = text[text.index("### Add an exercise"):]
    section = section[:section.index("\n#", 1)]
    rows = re.findall(r"^\| \d \| [^|]+ \| `([^`]+)` \|", section, re.M)
    return [r.replace("exNN_topic", f"ex{NOTEBOOK}").replace("NN_topic", NOTEBOOK) for r in rows]


def guide_install_command() -> list[str]:
    """The guide's pip line, as words: `pip install -e ".[instructor]" -e ./autograder`."""
    text = (REPO / "README.md").read_text()
    section = text[text.index("### Add an exercise"):]
    line = re.search(r'`(pip install -e "\.\[instructor\]" -e \./autograder)`', section)
    assert line, "the guide names no command that installs the checkout"
    return shlex.split(line[1])


def venv_bin(copy: Path) -> Path:
    return copy / ".venv" / "bin"


def run(copy: Path, *args: str, timeout: float = 120, python: Path | None = None,
        ok: bool = True) -> subprocess.CompletedProcess:
    """`python args...` in the copy, with the copy's .venv (or `python`) and nothing else on
    the path: no PYTHONPATH, no package of this checkout."""
    python = python or venv_bin(copy) / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run([str(python), *args], cwd=copy, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    if ok:
        assert done.returncode == 0, \
            f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text().rstrip("\n") + "\n" + text)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("course")
    ignore = shutil.ignore_patterns("__pycache__", "samples", "*.egg-info")
    for rel in COPIED:
        src, dst = REPO / rel, copy / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree(src, dst, ignore=ignore) if src.is_dir() else shutil.copyfile(src, dst))
    return copy


@pytest.fixture(scope="module")
def environment(course) -> Path:
    """The guide's environment: the copy's own .venv, installed from the copy."""
    subprocess.run([sys.executable, "-m", "venv", str(course / ".venv")], check=True,
                   timeout=120)
    words = guide_install_command()
    assert words[:2] == ["pip", "install"]
    # The guide's arguments, given to uv's `pip install` (`make setup` runs the same
    # install with pip itself).
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(uv_pip_install(venv_bin(course) / "python", *words[2:]),
                          cwd=course, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{shlex.join(words)} failed:\n{done.stdout}\n{done.stderr}"
    return venv_bin(course)


@pytest.fixture(scope="module")
def added(course, environment) -> dict[str, Path]:
    """Steps 1 to 4 of the guide: the four hand-made places, edited; returns them."""
    places = {Path(p).parts[0]: course / p for p in hand_made_places()}
    assert len(places) == 4, f"the README's table names {sorted(places)}, not four places"
    text = course / "nb.txt"
    run(course, "-m", "betternets_grader.nbauthor", "export", str(places["solutions"]), str(text))
    append(text, NOTEBOOK_CELLS)
    run(course, "-m", "betternets_grader.nbauthor", "build", str(text), str(places["solutions"]))
    append(places["src"], STUDENT_SIDE)
    append(places["autograder"], INSTRUCTOR_SIDE)
    append(places["tests"], CATALOG)
    return places


@pytest.fixture(scope="module")
def released(course, added) -> Path:
    """Step 5: the release and the sample class."""
    run(course, "-m", "betternets.cli", "release")
    run(course, "tests/make_samples.py")
    return course


def test_the_four_places_are_the_only_edits(course, added):
    """The README's table names the files the guide edits, each the home of its notebook."""
    for path in added.values():
        assert path.exists() and EXERCISE in path.read_text(), path
    generated = ("lectures", "course", "autograder/samples")  # step 5 writes these
    installed = (".venv", "build")   # the environment, and what pip builds in the copy
    changed = [p.relative_to(course) for p in course.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.name != "nb.txt"
               and not any(part in installed or part.endswith(".egg-info")
                           for part in p.relative_to(course).parts)
               and not str(p.relative_to(course)).startswith(generated)
               and (REPO / p.relative_to(course)).is_file()
               and (REPO / p.relative_to(course)).read_bytes() != p.read_bytes()]
    assert sorted(changed) == sorted(p.relative_to(course) for p in added.values())


def test_the_guides_environment_imports_the_copy(course, environment):
    """The copy's .venv imports both packages from the copy, nothing from this checkout."""
    out = run(course, "-c", "import betternets, betternets_grader; "
                            "print(betternets.__file__); print(betternets_grader.__file__)").stdout
    for path in out.split():
        assert Path(path).resolve().is_relative_to(course.resolve()), out


def test_the_cells_are_written_as_the_guides_example(added):
    """Every test cell the test adds has the lines of the guide's example of its kind: a
    self-check cell `check("name")`, a hidden one its `# Hidden check: ...` line first."""
    text = (REPO / "README.md").read_text()
    section = text[text.index("### Add an exercise"):]
    example = re.search(r"```text\n(.*?# %% answer name.*?)```", section, re.S)[1]
    def cells(text: str) -> dict[str, list[str]]:
        found = {}
        for block in re.split(r"^\s*# %% ", text, flags=re.M)[1:]:
            head, *body = [l.strip() for l in block.strip().split("\n")]
            found[head] = [l for l in body if l]
        return found
    guide, ours = cells(example), cells(NOTEBOOK_CELLS)
    hidden, selfcheck = guide["test test_name__prop 2"], guide["test test_name__selfcheck 1"]
    assert hidden[0].startswith("# Hidden check: ")
    for head, body in ours.items():
        if not head.startswith("test "):
            continue
        prop = head.split()[1].split("__")[1]
        shape = selfcheck if prop == "selfcheck" else hidden
        expected = [l.replace('"name"', f'"{EXERCISE}"').replace('"prop"', f'"{prop}"')
                    for l in shape]
        assert body[0].startswith("# Hidden check: ") == shape[0].startswith("# Hidden check: ")
        assert body[1:] == expected[1:] and (prop != "selfcheck" or body == expected), head


def test_the_release_gives_students_a_stub_and_no_hidden_check(released):
    lecture = (released / "lectures" / f"{NOTEBOOK}.ipynb").read_text()
    assert f"def {EXERCISE}(f, x, h=1e-5)" in lecture
    assert "check_hidden" not in lecture and "(2 * h))" not in lecture
    assert f'check(\\"{EXERCISE}\\")' in lecture
    # what stays of a hidden cell for students: its comment line
    assert "# Hidden check: uses the step h it is given." in lecture


def test_another_checkouts_environment_refuses_the_copy_and_says_what_to_install(released):
    """This checkout's environment has none of the copy's new checks: release stops, naming
    the exercise, the packages it searched and the command that installs the copy."""
    done = run(released, "-m", "betternets.cli", "release", python=Path(sys.executable),
               ok=False)
    assert done.returncode == 2, done.stdout + done.stderr
    import betternets_grader
    assert f"exercise '{EXERCISE}' has no hidden checks" in done.stderr
    assert str(Path(betternets_grader.__file__).resolve().parent) in done.stderr
    assert f'pip install -e "{released.resolve()}[instructor]"' in done.stderr


def test_the_registry_and_catalog_tests_pass_with_the_new_exercise(released):
    """Step 6: the tests that tie cells to properties, and prove every catalog entry."""
    out = run(released, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit/test_registry.py",
              "tests/checks/test_hints.py", "tests/checks/test_catalog.py", "-k",
              f"{NOTEBOOK} or registered or every_named_hint", timeout=300).stdout
    assert re.search(r"\d+ passed", out) and EXERCISE in run(
        released, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only",
        "tests/checks/test_catalog.py", "-k", EXERCISE).stdout


def test_grading_gives_the_solution_full_points_and_names_the_mistake(released, tmp_path):
    """Step 6: grade the sample class's alice (the solution) and bob (his notebook 00 holds the
    catalog's first wrong answer of every other exercise, the new one included)."""
    subs = tmp_path / "subs"
    for student in ("alice", "bob"):
        (subs / student).mkdir(parents=True)
        shutil.copyfile(released / "autograder" / "samples" / student / f"{NOTEBOOK}.ipynb",
                        subs / student / f"{NOTEBOOK}.ipynb")
    results = tmp_path / "results.csv"
    run(released, "-m", "betternets.cli", "grade", str(subs), "--out", str(results), timeout=180)
    rows = [r for r in csv.DictReader(results.open()) if r["grade_id"].startswith(f"test_{EXERCISE}__")]
    by = {(r["student"], r["grade_id"].split("__")[1]): r for r in rows}
    assert sorted(by) == sorted((s, p) for s in ("alice", "bob")
                                for p in ("selfcheck", "values", "step_h")), rows
    for prop in ("selfcheck", "values", "step_h"):
        alice = by[("alice", prop)]
        assert alice["status"] == "passed" and float(alice["score"]) == float(alice["max_score"])
    assert float(by[("alice", "values")]["max_score"]) == 2.0
    assert by[("bob", "selfcheck")]["status"] == "failed"
    assert sum(float(by[("bob", p)]["score"]) for p in ("selfcheck", "values", "step_h")) < 4.0

    feedback = tmp_path / "feedback"
    run(released, "-m", "betternets.cli", "feedback", "--out", str(feedback))
    bob = (feedback / "bob" / f"{NOTEBOOK}.html").read_text()
    alice = (feedback / "alice" / f"{NOTEBOOK}.html").read_text()
    assert f"This looks like {MISTAKE}" in bob
    assert "This looks like" not in alice
