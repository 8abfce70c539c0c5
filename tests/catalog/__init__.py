"""The wrong-answer catalog: realistic mistakes and correct variants, per notebook.

Each module `exNN_<topic>.py` here defines

    NOTEBOOK = "NN_topic"                 # the solution notebook's name
    ENTRIES = [wrong(...), right(...)]    # answer cells that replace one exercise

`wrong` answers must lose points on their own exercise (and, because every
exercise's checks call only that exercise, nowhere else), and the property named by
`fails`, when given, must give them 0; `right` answers,
written differently from the solution, must earn full points. The test
suite (tests/test_catalog.py) proves both through the same test cells
nbgrader runs.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from textwrap import dedent


@dataclass(frozen=True)
class Entry:
    exercise: str   # grade_id of the answer cell replaced
    label: str      # the mistake or variant, in words ("forward difference")
    source: str     # the whole replacement cell
    correct: bool   # True: must earn full points; False: must lose points
    hint: str = ""  # label of the named hint (a registered Mistake) it must get, if any
    fails: str = "" # a property that must give it 0 (a rule of the shared contract), if any

    @property
    def id(self) -> str:
        kind = "right" if self.correct else "wrong"
        return f"{self.exercise}-{kind}-{self.label.replace(' ', '_')}"


def wrong(exercise: str, label: str, source: str, hint: str = "", fails: str = "") -> Entry:
    return Entry(exercise, label, dedent(source).strip("\n"), correct=False, hint=hint,
                 fails=fails)


def edited(source: str, *edits: tuple[str, str]) -> str:
    """`source` (a cell, dedented) with each `(old, new)` edit made once: a catalog entry
    that differs from a base answer at one point, written as that point. Fails when `old`
    is not in the source, so a base that changes cannot silently make an entry correct."""
    source = dedent(source).strip("\n")
    for old, new in edits:
        if source.count(old) != 1:
            raise ValueError(f"the edit {old!r} matches {source.count(old)} places, not one")
        source = source.replace(old, new)
    return source


def right(exercise: str, label: str, source: str) -> Entry:
    return Entry(exercise, label, dedent(source).strip("\n"), correct=True)


def modules():
    """Every catalog module, in notebook order."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("ex"):
            yield importlib.import_module(f"{__name__}.{info.name}")
