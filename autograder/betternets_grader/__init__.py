"""Instructor side of betternets: hidden reference, hidden checks, release, grading.

Hidden test cells call `check_hidden(exercise, property)`. It runs one hidden
property against the student's function, judged against the hidden reference
in `betternets_grader.reference`, prints one line and fails the cell if the
property does not hold. Students never receive this package.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any, Mapping

from betternets.checks.calls import namespace_caller
from betternets.checks import VISIBLE, load_visible_checks
from betternets.checks.core import (Registry, diagnose, diagnosis_lines, evaluate,
                                   raise_if_failed, report)

HIDDEN = Registry("hidden")


def load_hidden_checks() -> None:
    """Import every module `betternets_grader.hidden.exNN_*` (they register properties)."""
    from . import hidden
    for info in pkgutil.iter_modules(hidden.__path__):
        if info.name.startswith("ex"):
            importlib.import_module(f"{hidden.__name__}.{info.name}")


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
