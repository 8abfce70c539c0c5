"""Every test cell calls its own exercise's registered properties, and every registered
property is called by some test cell.

Which property a cell judges is read from its code (`check("x")`, `check_hidden("x", "p")`),
as the grader reads it; the grade_id naming convention `test_<exercise>__<property>` is what
nbgrader and the CSV show. Nothing else ties the two together, so this test does.
"""
from __future__ import annotations

import pytest

from betternets.checks import VISIBLE, load_visible_checks
from betternets_grader import HIDDEN, answers, exercises, load_hidden_checks, reference
from checkout import COURSE, SOLUTIONS
from betternets_grader.engine.judge import test_plan as plan_of

load_visible_checks()
load_hidden_checks()
NAMES = COURSE.assignments()


def _plans(name: str) -> list[tuple[str, list[tuple[str, str, str | None]]]]:
    nb = answers.load(SOLUTIONS / f"{name}.ipynb")
    return [(gid, plan_of(code)) for gid, _, code in answers.test_cells(nb)]


@pytest.mark.parametrize("name", NAMES)
def test_each_test_cell_calls_its_own_exercise_and_property(name):
    exercises = set(answers.answer_sources(answers.load(SOLUTIONS / f"{name}.ipynb")))
    for gid, plan in _plans(name):
        exercise, _, prop = gid[len("test_"):].partition("__")
        assert gid.startswith("test_") and exercise in exercises, \
            f"{name}: test cell {gid!r} names no exercise of this notebook"
        assert len(plan) == 1, f"{name}: {gid} makes {len(plan)} checks, not one"
        kind, called, called_prop = plan[0]
        assert called == exercise, f"{name}: {gid} calls the checks of {called!r}"
        if kind == "visible":
            assert prop == "selfcheck", f"{name}: {gid} runs check({called!r})"
            VISIBLE.properties(called)  # raises for an exercise without visible checks
        else:
            assert called_prop == prop, f"{name}: {gid} calls property {called_prop!r}"
            HIDDEN.get(called, called_prop)  # raises for an unregistered property


def test_every_registered_property_is_used_by_a_test_cell():
    used = {(kind, ex, prop) for name in NAMES for _, plan in _plans(name)
            for kind, ex, prop in plan}
    unused = [f"hidden {ex}.{p.name}" for ex in HIDDEN.exercises() for p in HIDDEN.properties(ex)
              if ("hidden", ex, p.name) not in used]
    unused += [f"visible {ex}" for ex in VISIBLE.exercises() if ("visible", ex, None) not in used]
    assert not unused, f"registered but judged by no test cell: {unused}"


def _within(module: str, home: str) -> bool:
    """`module` is `home` or one of its modules (a notebook's side may be a package of topics)."""
    return module == home or module.startswith(home + ".")


@pytest.mark.parametrize("name", NAMES)
def test_each_exercise_has_one_home_on_each_side(name):
    """A notebook's exercises are registered by its own two homes, each a module or a package
    of topic modules: the student side (`betternets.checks.ex<name>`: visible properties and
    named mistakes) and the instructor side (`betternets_grader.hidden.ex<name>`: the
    reference, a function named like the exercise, and the hidden properties)."""
    solution = list(answers.answer_sources(answers.load(SOLUTIONS / f"{name}.ipynb")))
    assert sorted(exercises(name)) == sorted(solution), f"{name}: hidden side registers others"
    student_side, instructor_side = f"betternets.checks.ex{name}", f"betternets_grader.hidden.ex{name}"
    for exercise in solution:
        assert callable(reference(exercise)), exercise
        assert _within(reference(exercise).__module__, instructor_side), exercise
        assert all(_within(p.run.__module__, instructor_side)
                   for p in HIDDEN.properties(exercise)), f"{exercise}: hidden checks elsewhere"
        homes = {p.run.__module__ for p in VISIBLE.properties(exercise)} if exercise in \
            VISIBLE.exercises() else set()
        homes |= {m.detect.__module__ for m in VISIBLE.mistakes(exercise)}
        assert all(_within(h, student_side) for h in homes), \
            f"{exercise} is checked from {sorted(homes)}"


def test_a_notebook_package_registers_every_topic_module():
    """`hidden/ex03_generalization/` is a package: its topic modules are imported and their
    properties found under the notebook, exercises in the order their references are defined."""
    import sys
    home = "betternets_grader.hidden.ex03_generalization"
    topics = {p.run.__module__ for ex in exercises("03_generalization")
              for p in HIDDEN.properties(ex)}
    assert len(topics) > 1 and all(t.startswith(home + ".") for t in topics), sorted(topics)
    assert home + ".rotation" in sys.modules
    from betternets_grader.hidden.ex03_generalization import reference as references
    defined = [n for n in references.__all__ if n in HIDDEN.exercises()]
    assert exercises("03_generalization") == defined, "topics imported out of order"


def test_named_mistakes_live_on_the_student_side_once_each():
    everything = sorted(set(VISIBLE.exercises()) | set(HIDDEN.exercises()))
    assert not [m.label for ex in everything for m in HIDDEN.mistakes(ex)], \
        "a named mistake is registered on the instructor side"
    labels = [(ex, m.label) for ex in everything for m in VISIBLE.mistakes(ex)]
    assert labels and len(labels) == len(set(labels))


def test_every_registered_check_has_a_name_saying_what_it_checks():
    """A check defined with `def` is named `<exercise>__<property>` (a named mistake's detector
    `<exercise>__looks_like_...`), not `_`: tracebacks and profiles say which check ran."""
    everything = sorted(set(VISIBLE.exercises()) | set(HIDDEN.exercises()))
    runs = [p.run for R in (VISIBLE, HIDDEN) for ex in R.exercises() for p in R.properties(ex)]
    runs += [m.detect for R in (VISIBLE, HIDDEN) for ex in everything for m in R.mistakes(ex)]
    assert runs and not [f"{f.__module__}:{f.__code__.co_firstlineno}" for f in runs
                         if f.__name__ == "_"]
