"""Self-checks for students: `check("sigmoid")` and `check_all()`.

`check(name)` runs every visible property of one exercise on the function of
that name defined in your notebook, prints one line per property (a tick or a
cross, what is checked, and for a failure what differs and a hint), and fails
the cell if any property does not hold.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any, Mapping

from .. import unfinished
from .calls import namespace_caller
from .core import (VISIBLE, collapse_stubs, diagnose, diagnosis_lines, raise_if_failed, report,
                   run_properties)

__all__ = ["check", "check_all", "VISIBLE"]



_IMPORTED: set[str] = set()


def import_exercise_modules(package: str, path: Any) -> None:
    """Import every module `exNN_<topic>` of `package` (found on `path`), and every module of
    an `exNN_<topic>` package: importing one registers its properties. The folder is listed
    once a process (judging a notebook asks hundreds of times)."""
    if package in _IMPORTED:
        return
    for info in pkgutil.iter_modules(path):
        if info.name.startswith("ex"):
            notebook = importlib.import_module(f"{package}.{info.name}")
            for sub in pkgutil.walk_packages(getattr(notebook, "__path__", ()),
                                             f"{notebook.__name__}."):
                importlib.import_module(sub.name)
    _IMPORTED.add(package)


def load_visible_checks() -> None:
    """Import every module `exNN_<topic>`: one per notebook, its properties and named mistakes."""
    import_exercise_modules(__name__, __path__)


def _notebook_namespace(depth: int = 2) -> Mapping[str, Any]:
    return sys._getframe(depth).f_globals


def check(name: str, namespace: Mapping[str, Any] | None = None) -> None:
    """Check your function `name`; prints one line per property."""
    load_visible_checks()
    call = namespace_caller(namespace if namespace is not None else _notebook_namespace())
    results = run_properties(VISIBLE.properties(name), call)
    print(report(results))
    found = []
    if not all(r.passed for r in results):
        found = diagnose(VISIBLE.mistakes(name), call)
        if found:
            print(diagnosis_lines(found))
    raise_if_failed(results, name, found)


def checks_passed(passed: int, total: int) -> str:
    """How many of an exercise's self-checks hold, in words: "all 3 checks pass", "its one
    check passes", "2 of 3 checks pass", "none of its 2 checks passes"."""
    if passed == total:
        return "its one check passes" if total == 1 else f"all {total} checks pass"
    if passed == 0:
        return "its one check fails" if total == 1 else f"none of its {total} checks passes"
    return f"{passed} of {total} checks pass" if passed > 1 else f"1 of {total} checks passes"


def check_all(namespace: Mapping[str, Any] | None = None) -> None:
    """Check every exercise whose function this notebook defines; prints a summary."""
    load_visible_checks()
    ns = namespace if namespace is not None else _notebook_namespace()
    call = namespace_caller(ns)
    summary, complete, total = [], 0, 0
    for name in VISIBLE.exercises():
        if not callable(ns.get(name)):
            continue
        results = run_properties(VISIBLE.properties(name), call)
        passed = sum(r.passed for r in results)
        total += 1
        complete += passed == len(results)
        failing = [r for r in collapse_stubs(results) if not r.passed]
        if len(failing) == 1 and failing[0].unimplemented and not passed:
            summary.append(failing[0].line(detail=False))  # the untouched stub: one line
            continue
        mark = "\u2713" if passed == len(results) else "\u2717"
        summary.append(f"{mark} {name}: {checks_passed(passed, len(results))}")
        summary += ["    " + r.line().replace("\n", "\n    ") for r in failing]
        if passed < len(results):
            found = diagnose(VISIBLE.mistakes(name), call)
            if found:
                summary.append("  " + diagnosis_lines(found).replace("\n", "\n  "))
    if not summary:
        print("No exercise of this course is defined here yet.")
        return
    summary.append(f"{complete} of {total} exercises pass every self-check"
                   + (" (the grader's hidden checks test more)" if complete == total else ""))
    print("\n".join(summary))


def _exercise_names() -> list[str]:
    load_visible_checks()
    return VISIBLE.exercises()


unfinished.install(exercise_names=_exercise_names)  # a live notebook goes on past unfinished
# exercises (a no-op outside a Jupyter kernel and under nbgrader)
