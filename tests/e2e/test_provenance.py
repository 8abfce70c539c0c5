"""One course, one code: which packages grade, whether they cover the course, and regrades
that follow a change of the checks.

- A run's first lines and its class report name the packages (path, version, source hash).
- `check_course` fails, naming the exercise, what it lacks, the packages searched and the
  command that installs this checkout, for a course whose solutions hold an exercise
  (`swish`) the imported checks do not know; `release` and `grade` stop on it.
- The resume cache's key covers the source of the checks: after an edit of the hidden
  checks of notebook 01 (in a copy of that module, which the key is pointed at), a rerun
  regrades the 01 notebooks and reuses the 00 ones.
"""
from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest

from betternets_grader import cache, provenance
from betternets_grader.course import Course, release
from betternets_grader.grade import GradeOptions, grade

from checkout import REPO, SAMPLES, SOLUTIONS

NOTEBOOKS = ("00_gradient_checking", "01_activations")


def _class(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    for student in ("alice", "bob"):
        (subs / student).mkdir(parents=True)
        for name in NOTEBOOKS:
            shutil.copyfile(SAMPLES / student / f"{name}.ipynb", subs / student / f"{name}.ipynb")
    return subs


def test_a_fixed_hidden_check_regrades_only_its_notebooks(tmp_path, monkeypatch):
    subs, course = _class(tmp_path), tmp_path / "course"
    options = GradeOptions(course=course, report=course / "report.html", jobs=1)
    log: list[str] = []
    first = grade(subs, tmp_path / "r.csv", Course(REPO), options, log=log.append)
    assert (first.graded, first.reused) == (4, 0)

    # the header names each package as this process imports it, and so does the report
    for package in provenance.packages():
        line = "graded with " + package.line()
        assert line in "\n".join(log), log
        assert str(package.path) in line and package.version in line
        assert package.source_hash[:12] in line
        assert html.escape(package.line()) in (course / "report.html").read_text()

    import betternets_grader.hidden.ex01_activations.elementwise as hidden01
    copy = tmp_path / "elementwise.py"
    shutil.copyfile(hidden01.__file__, copy)
    real = cache.source_file
    monkeypatch.setattr(cache, "source_file",
                        lambda m: copy if m is hidden01 else real(m))
    monkeypatch.setattr(cache, "_DIGESTS", {})
    same = grade(subs, tmp_path / "r.csv", Course(REPO), options, log=lambda *_: None)
    assert (same.graded, same.reused) == (0, 4), "an identical copy must not regrade"

    copy.write_text(copy.read_text() + "\n# a fixed hidden check\n")
    monkeypatch.setattr(cache, "_DIGESTS", {})
    fixed = grade(subs, tmp_path / "r.csv", Course(REPO), options, log=lambda *_: None)
    assert (fixed.graded, fixed.reused) == (2, 2)
    regraded = {(r.student, r.assignment) for r in fixed.results
                if r.key != next(o.key for o in first.results
                                 if (o.student, o.assignment) == (r.student, r.assignment))}
    assert regraded == {("alice", "01_activations"), ("bob", "01_activations")}


SWISH = {"cell_type": "code", "execution_count": None, "outputs": [], "id": "swish-answer",
         "metadata": {"nbgrader": {"grade": False, "grade_id": "swish", "locked": False,
                                   "schema_version": 3, "solution": True, "task": False}},
         "source": "def swish(z):\n    ### BEGIN SOLUTION\n    return z / (1 + np.exp(-z))\n"
                   "    ### END SOLUTION\n"}


def _course_with_swish(root: Path, checkout_files: bool) -> Course:
    (root / "solutions").mkdir(parents=True)
    nb = json.loads((SOLUTIONS / "01_activations.ipynb").read_text())
    nb["cells"].append(SWISH)
    (root / "solutions" / "01_activations.ipynb").write_text(json.dumps(nb))
    if checkout_files:
        (root / "autograder").mkdir()
        for rel in ("pyproject.toml", "autograder/pyproject.toml"):
            shutil.copyfile(REPO / rel, root / rel)
    return Course(root)


def test_an_exercise_without_checks_stops_release_and_grade_with_what_to_do(tmp_path):
    root = _course_with_swish(tmp_path / "clone", checkout_files=True)
    with pytest.raises(ValueError) as caught:
        provenance.check_course(root)
    message = str(caught.value)
    for kind in ("visible checks", "hidden checks", "reference"):
        assert f"01_activations: exercise 'swish' has no {kind}" in message
    assert "'sigmoid'" not in message   # the covered exercises are not listed
    for package in provenance.packages():
        assert str(package.path) in message and package.version in message
    assert (f'pip install -e "{root.root}[instructor]" -e "{root.root / "autograder"}"'
            in message)

    with pytest.raises(ValueError, match="'swish' has no hidden checks"):
        release(root, course=tmp_path / "ws")
    assert not (root.lectures / "01_activations.ipynb").exists()
    subs = tmp_path / "subs" / "alice"
    subs.mkdir(parents=True)
    shutil.copyfile(SAMPLES / "alice" / "01_activations.ipynb", subs / "01_activations.ipynb")
    with pytest.raises(ValueError, match="'swish' has no visible checks"):
        grade(subs.parent, tmp_path / "r.csv", root, GradeOptions(course=tmp_path / "ws"),
              log=lambda *_: None)
    assert not (tmp_path / "r.csv").exists()


def test_a_course_folder_without_package_sources_is_told_to_install_the_wheels(tmp_path):
    root = _course_with_swish(tmp_path / "course", checkout_files=False)
    with pytest.raises(ValueError, match=r"pip install betternets-\*\.whl betternets_grader-"):
        provenance.check_course(root)


def test_this_checkout_is_covered_by_its_own_packages():
    assert provenance.gaps(Course(REPO)) == []
    provenance.check_course(Course(REPO))


def test_a_notebooks_checks_digest_covers_its_own_modules_and_not_the_writers():
    """What the key of notebook 00 hashes: the check library, the judge, its own visible and
    hidden modules; not notebook 01's, not the modules that only write results."""
    source = (SOLUTIONS / "00_gradient_checking.ipynb").read_text()
    exercises = cache.notebook_exercises(source)
    assert {"numerical_gradient", "relative_error"} <= set(exercises)
    hashed = cache._closure(cache._shared_modules() + cache._home_modules(exercises))
    for name in ("betternets.checks.core", "betternets.checks.expect",
                 "betternets_grader.engine.judge", "betternets_grader.engine.kernel",
                 "betternets.checks.ex00_gradient_checking",
                 "betternets_grader.hidden.ex00_gradient_checking"):
        assert name in hashed, name
    for name in ("betternets.checks.ex01_activations", "betternets_grader.hidden.ex01_activations",
                 "betternets_grader.hidden.ex01_activations.elementwise",
                 "betternets_grader.render", "betternets_grader.gradebook",
                 "betternets_grader.feedback"):
        assert name not in hashed, name
