"""Named hints: each hinted catalog mistake gets its hint, correct answers get none."""
from __future__ import annotations

import pytest

import catalog
from betternets.checks import VISIBLE, load_visible_checks
from betternets.checks.calls import namespace_caller
from betternets.checks.core import diagnose
from betternets_grader import HIDDEN, answers, load_hidden_checks
from checkout import SOLUTIONS

load_visible_checks()
load_hidden_checks()
MODULES = list(catalog.modules())
HINTED = [(m.NOTEBOOK, e) for m in MODULES for e in m.ENTRIES if e.hint]
RIGHT = [(m.NOTEBOOK, e) for m in MODULES for e in m.ENTRIES if e.correct]


def found_for(name, replacement):
    nb = answers.load(SOLUTIONS / f"{name}.ipynb")
    ns = answers.build_namespace(nb, replacement)
    call = namespace_caller(ns)
    return {ex: [m.label for m in diagnose(VISIBLE.mistakes(ex) + HIDDEN.mistakes(ex), call)]
            for ex in answers.answer_sources(nb)}


def test_every_named_hint_is_exercised_by_the_catalog():
    hinted = {(e.exercise, e.hint) for _, e in HINTED}
    for ex in VISIBLE.exercises() + HIDDEN.exercises():
        for m in VISIBLE.mistakes(ex) + HIDDEN.mistakes(ex):
            assert (ex, m.label) in hinted, f"no catalog entry proves the hint {m.label!r}"


@pytest.mark.parametrize("name,entry", HINTED, ids=[f"{n}:{e.id}" for n, e in HINTED])
def test_hinted_mistake_gets_its_hint(name, entry):
    found = found_for(name, {entry.exercise: entry.source})
    assert entry.hint in found[entry.exercise]


@pytest.mark.parametrize("name", sorted({m.NOTEBOOK for m in MODULES}))
def test_solution_gets_no_hint(name):
    assert all(v == [] for v in found_for(name, {}).values())


@pytest.mark.parametrize("name,entry", RIGHT, ids=[f"{n}:{e.id}" for n, e in RIGHT])
def test_correct_variant_gets_no_hint(name, entry):
    assert found_for(name, {entry.exercise: entry.source})[entry.exercise] == []


WHITEOUT = "03_generalization"


@pytest.mark.parametrize("label", ["variance used as standard deviation", "lambda term forgotten"])
def test_a_whiteout_variance_error_is_blamed_on_the_variance_not_the_distribution(label):
    """Issue 16: a wrong variance fails the hidden "variance" check (whose hint names the
    variance formula) and not the "normal" one (whose hint says to use rng.normal)."""
    module = next(m for m in MODULES if m.NOTEBOOK == WHITEOUT)
    entry = next(e for e in module.ENTRIES if e.exercise == "whiteout_forward" and e.label == label)
    scores = answers.grade_in_process(SOLUTIONS / f"{WHITEOUT}.ipynb",
                                      {"whiteout_forward": entry.source}, only={"whiteout_forward"})
    assert scores["test_whiteout_forward__variance"].score == 0
    assert scores["test_whiteout_forward__normal"].score == scores["test_whiteout_forward__normal"].max_score
    right = answers.grade_in_process(SOLUTIONS / f"{WHITEOUT}.ipynb", only={"whiteout_forward"})
    assert all(s.score == s.max_score for s in right.values())
