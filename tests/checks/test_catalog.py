"""Every grading test proven both ways, through the notebooks' own test cells.

For each solution notebook: the solution earns full points, the untouched
release (lectures/) earns zero, each exercise's test cells depend on that
exercise's answer alone, every catalog mistake loses points on its own
exercise (and the property it names with `fails`, all of them), and every correct
variant earns full points.
"""
from __future__ import annotations

import pytest

import catalog
from betternets_grader import answers
from checkout import LECTURES, SOLUTIONS

MODULES = list(catalog.modules())
NOTEBOOKS = [m.NOTEBOOK for m in MODULES]
ENTRIES = [(m.NOTEBOOK, e) for m in MODULES for e in m.ENTRIES]


def solution(name):
    return SOLUTIONS / f"{name}.ipynb"


def failing(scores):
    return {gid: s.output for gid, s in scores.items() if s.score < s.max_score}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_solution_earns_full_points(name):
    assert failing(answers.grade_in_process(solution(name))) == {}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_untouched_release_earns_zero(name):
    stubs = answers.answer_sources(answers.load(LECTURES / f"{name}.ipynb"))
    assert all("NotImplementedError" in src for src in stubs.values())
    scores = answers.grade_in_process(solution(name), stubs)
    earned = {gid: s.score for gid, s in scores.items() if s.score > 0}
    assert earned == {}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_exercise_is_judged_by_its_own_answer_alone(name):
    """With every other answer a stub, an exercise's own cells still earn full points."""
    nb = answers.load(solution(name))
    stubs = answers.answer_sources(answers.load(LECTURES / f"{name}.ipynb"))
    for exercise in answers.answer_sources(nb):
        others = {k: v for k, v in stubs.items() if k != exercise}
        scores = answers.grade_in_process(solution(name), others, only={exercise})
        assert scores, f"{exercise} has no test cells"
        assert failing(scores) == {}, exercise


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_catalog_covers_every_exercise(name):
    module = next(m for m in MODULES if m.NOTEBOOK == name)
    exercises = answers.answer_sources(answers.load(solution(name)))
    for exercise in exercises:
        entries = [e for e in module.ENTRIES if e.exercise == exercise]
        assert sum(not e.correct for e in entries) >= 2, f"{exercise}: fewer than 2 wrong answers"
        assert sum(e.correct for e in entries) >= 1, f"{exercise}: no correct variant"
    assert {e.exercise for e in module.ENTRIES} <= set(exercises)


@pytest.mark.parametrize("name,entry", ENTRIES, ids=[f"{n}:{e.id}" for n, e in ENTRIES])
def test_catalog_entry(name, entry):
    scores = answers.grade_in_process(solution(name), {entry.exercise: entry.source},
                                      only={entry.exercise})
    earned = sum(s.score for s in scores.values())
    possible = sum(s.max_score for s in scores.values())
    if entry.correct:
        assert failing(scores) == {}, f"correct variant '{entry.label}' lost points"
    else:
        assert earned < possible, f"mistake '{entry.label}' earned full points"
        if entry.fails:
            cell = scores[f"test_{entry.exercise}__{entry.fails}"]
            assert cell.score == 0, f"mistake '{entry.label}' passes {entry.fails}"
