"""Checks give nothing for nothing: four trivial answers earn no points anywhere.

Every exercise of every notebook is replaced by each of four answers that do no work: one
returning its first argument, one returning None, one returning zeros shaped like its first
argument, one returning NaN so shaped. Every test cell (visible and hidden) must give them
zero, except the few properties the contract itself makes true of such an answer, listed
in `ALLOWED` with the reason.
"""
from __future__ import annotations

import pytest

import catalog
from betternets_grader import answers
from checkout import SOLUTIONS

NOTEBOOKS = [m.NOTEBOOK for m in catalog.modules()]

BODIES = {
    "identity": "return first",
    "none": "return None",
    "zeros": "return np.zeros_like(numbers) if numbers is not None else 0.0",
    "nan": "return np.full_like(numbers, np.nan) if numbers is not None else np.nan",
}


def trivial(exercise: str, body: str) -> str:
    """An answer cell defining `exercise` as a function that does no work."""
    return f'''import numpy as np

def {exercise}(*args, **kwargs):
    first = args[0] if args else next(iter(kwargs.values()), None)
    try:
        numbers = np.asarray(first, dtype=float)
    except (TypeError, ValueError):
        numbers = None
    {body}
'''


ALLOWED: dict[tuple[str, str], str] = {
    # (grade_id, answer): why the contract makes the property true of that answer. None
    # today: zeros_init's all-zero answer is the one candidate, and np.zeros_like(n_in) is a
    # single zero, not an (n_in, n_out) array.
}


@pytest.mark.parametrize("answer", sorted(BODIES))
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_trivial_answers_earn_nothing(name, answer):
    nb = SOLUTIONS / f"{name}.ipynb"
    exercises = answers.answer_sources(answers.load(nb))
    replaced = {ex: trivial(ex, BODIES[answer]) for ex in exercises}
    scores = answers.grade_in_process(nb, replaced)
    assert scores and not any("answers failed to run" in s.output for s in scores.values())
    unearned = [key for key in ALLOWED if key[1] == answer and key[0] in scores
                and scores[key[0]].score == 0]
    assert unearned == [], f"allowed but not earned (drop them from ALLOWED): {unearned}"
    earned = sorted(gid for gid, s in scores.items()
                    if s.score > 0 and (gid, answer) not in ALLOWED)
    assert earned == [], f"{answer} answers earn points in {name}: {earned}"
