"""lectures/ is exactly the release of solutions/, and holds no solution or hidden test."""
import json
import re

import pytest

from betternets_grader import answers
from betternets_grader.course import release
from betternets_grader.samples import make_samples

from checkout import COURSE, LECTURES, SAMPLES, SOLUTIONS
from make_samples import bob_mistakes

NAMES = COURSE.assignments()


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    out = tmp_path_factory.mktemp("lectures")
    release(COURSE, course=tmp_path_factory.mktemp("course"), out=out)
    return out


def test_every_solution_has_a_lecture():
    assert NAMES, "no solution notebooks found"
    assert sorted(p.stem for p in LECTURES.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_lectures_equal_release_of_solutions(name, fresh_release):
    committed = (LECTURES / f"{name}.ipynb").read_text()
    assert committed == (fresh_release / f"{name}.ipynb").read_text(), \
        f"lectures/{name}.ipynb is stale: run `betternets release`"


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_code_or_hidden_test_in_lecture(name):
    text = (LECTURES / f"{name}.ipynb").read_text()
    for marker in ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "check_hidden",
                   "betternets_grader"]:
        assert marker not in text, f"{marker!r} leaked into lectures/{name}.ipynb"
    solution = answers.answer_sources(answers.load(SOLUTIONS / f"{name}.ipynb"))
    lecture = answers.answer_sources(answers.load(LECTURES / f"{name}.ipynb"))
    assert lecture.keys() == solution.keys()
    for gid, src in solution.items():
        body = [l.strip() for l in src.splitlines()
                if l.strip() and not l.strip().startswith(("def ", '"""', "#"))]
        leaked = [l for l in body if l in lecture[gid] and len(l) > 12 and "return" in l]
        assert not leaked, f"{gid}: solution lines in the lecture: {leaked}"


@pytest.mark.parametrize("name", NAMES)
def test_stubs_name_their_exercise(name):
    lecture = answers.answer_sources(answers.load(LECTURES / f"{name}.ipynb"))
    number = name[:2]
    for k, (gid, src) in enumerate(lecture.items(), start=1):
        assert f'raise NotImplementedError("Exercise {number}.{k}: implement {gid}")' in src


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_have_no_outputs(name):
    for folder in (LECTURES, SOLUTIONS):
        nb = json.loads((folder / f"{name}.ipynb").read_text())
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("name", NAMES)
def test_grade_ids_follow_the_contract(name):
    nb = answers.load(SOLUTIONS / f"{name}.ipynb")
    exercises = set(answers.answer_sources(nb))
    ids = [gid for gid, _, _ in answers.test_cells(nb)]
    assert len(ids) == len(set(ids)), "duplicated grade_id"
    for gid in ids:
        assert re.fullmatch(r"test_[a-z0-9_]+__[a-z0-9_]+", gid), gid
        assert answers.exercise_of(gid) in exercises, gid
    for exercise in exercises:
        assert f"test_{exercise}__selfcheck" in ids, f"{exercise} has no visible self-check"
        assert any(answers.exercise_of(g) == exercise and not g.endswith("__selfcheck")
                   for g in ids), f"{exercise} has no hidden check"


def test_samples_are_up_to_date(tmp_path):
    make_samples(bob_mistakes, COURSE, out=tmp_path)
    for made in sorted(tmp_path.rglob("*.ipynb")):
        committed = SAMPLES / made.relative_to(tmp_path)
        assert committed.exists(), f"missing sample {committed}: run python tests/make_samples.py"
        assert committed.read_text() == made.read_text(), f"stale sample {committed}"
