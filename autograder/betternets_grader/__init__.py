"""Instructor side of betternets: hidden reference, hidden checks, release, grading.

Hidden test cells call `check_hidden(exercise, property)`. It runs one hidden
property against the student's function, judged against the hidden reference,
prints one line and fails the cell if the property does not hold. Each
notebook's instructor side is `betternets_grader.hidden.exNN_<topic>`, a module or a
package of one module a topic: the reference of every exercise (the function of the
exercise's name, which a package re-exports) and the hidden properties registered in
`HIDDEN`. Students never receive this package.
"""
from __future__ import annotations

import sys
from typing import Any, Callable, Mapping

from betternets.checks.calls import namespace_caller
from betternets.checks import VISIBLE, import_exercise_modules, load_visible_checks
from betternets.checks.core import (Registry, diagnose, diagnosis_lines, evaluate,
                                   raise_if_failed, report)

HIDDEN = Registry("hidden")


def load_hidden_checks() -> None:
    """Import every module `betternets_grader.hidden.exNN_*`, and every module of such a package
    (they register properties)."""
    from . import hidden
    import_exercise_modules(hidden.__name__, hidden.__path__)


def _home(exercise: str) -> str:
    """The name of the instructor side of `exercise`'s notebook ("...hidden.ex03_generalization"):
    the module, or the package of topic modules, that registers its hidden properties."""
    from . import hidden
    load_hidden_checks()
    module = HIDDEN.properties(exercise)[0].run.__module__
    return ".".join(module.split(".")[:len(hidden.__name__.split(".")) + 1])


def reference(exercise: str) -> Callable:
    """The reference of `exercise`: the function of that name in its notebook's instructor side."""
    module = sys.modules[_home(exercise)]
    try:
        return getattr(module, exercise)
    except AttributeError:
        raise ValueError(f"{module.__name__} registers hidden checks for {exercise!r} "
                         f"but defines no reference function {exercise!r}") from None


def exercises(notebook: str) -> list[str]:
    """The exercises of `notebook` ("04_first_order_optimizers"), in the order they are
    registered: those whose hidden properties `betternets_grader.hidden.ex<notebook>` (a module,
    or a package and its modules) holds."""
    from . import hidden
    load_hidden_checks()
    home = f"{hidden.__name__}.ex{notebook}"
    return [ex for ex in HIDDEN.exercises() if _home(ex) == home]


def check_hidden(exercise: str, prop: str, namespace: Mapping[str, Any] | None = None) -> None:
    """Run hidden property `prop` of `exercise` on the notebook's function."""
    load_hidden_checks()
    ns = namespace if namespace is not None else sys._getframe(1).f_globals
    call = namespace_caller(ns)
    result = evaluate(HIDDEN.get(exercise, prop), call)
    print(report([result]))
    if not result.passed:
        load_visible_checks()
        found = diagnose(VISIBLE.mistakes(exercise) + HIDDEN.mistakes(exercise), call)
        if found:
            print(diagnosis_lines(found))
    raise_if_failed([result], f"{exercise}.{prop}")
