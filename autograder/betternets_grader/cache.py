"""The resume cache: each notebook's verdicts, recorded as they come, keyed by a digest.

A notebook's key is the digest of everything its verdicts depend on: the
submission's bytes, the source notebook, the engine's version, the settings, and
the source of the code that judges it (`checks_digest`). A rerun reuses a
recorded `NotebookResult` whose key still matches (an interrupted run resumes
where it stopped) and grades the rest (a changed submission replaces its stale
scores, a fixed check regrades the notebooks it judges); a notebook not graded
through the grader's fault is graded again.

The code of a notebook's verdicts is split in two. Shared by every notebook: the
check library of the student package (`betternets.checks`, every module but the
per-notebook `exNN_*`), the grader's judge and every module of the two packages it
imports (the kernel, the wire, `answers`, `rows`, `verdicts`, `check_hidden`), and
`hidden/__init__`; not the modules that only write results (gradebook, render). Per
notebook: the modules its exercises' visible and hidden properties, named mistakes
and references are registered from, and every module of the two packages those
import (so a helper of another notebook's module counts too). Editing
`hidden/ex01_activations/` thus regrades the 01 notebooks only. The digest is
over file contents, not paths: two installs of the same code share a cache.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from .engine.judge import ENGINE_VERSION
from .engine.settings import Settings
from .provenance import files_digest
from .rows import atomic_write
from .verdicts import NotebookResult

OURS = ("betternets", "betternets_grader")
MAX_ENTRY = 4 * 2 ** 20   # bytes of one notebook's recorded verdicts (`verdicts.bound_texts`
# keeps a notebook's texts to a fraction of this)
SHARED_GRADER_MODULES = ("betternets_grader.engine.judge", "betternets_grader.hidden")


def digest(*parts: bytes | str) -> str:
    """sha256 over the parts, each followed by a NUL byte."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()


def source_file(module: ModuleType) -> Path:
    """The file a module was loaded from (tests point it elsewhere to edit a copy)."""
    return Path(getattr(module, "__file__", "") or "")


def _ours(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in OURS)


def _imported(module: ModuleType) -> list[ModuleType]:
    """The modules of our packages that `module`'s globals come from (a package's own
    submodules excepted: they are bound to it when anything imports them)."""
    package = module.__name__ + "." if hasattr(module, "__path__") else None
    found = []
    for value in list(vars(module).values()):
        if isinstance(value, ModuleType):
            dep = value
            if package and dep.__name__.startswith(package):
                continue
        else:
            try:
                dep = sys.modules.get(getattr(value, "__module__", None) or "")
            except Exception:  # noqa: BLE001 - an object whose attributes raise
                dep = None
        if dep is not None and _ours(dep.__name__):
            found.append(dep)
    return found


def _closure(modules: list[ModuleType]) -> dict[str, ModuleType]:
    seen: dict[str, ModuleType] = {}
    stack = list(modules)
    while stack:
        module = stack.pop()
        if module.__name__ not in seen:
            seen[module.__name__] = module
            stack.extend(_imported(module))
    return seen


def _shared_modules() -> list[ModuleType]:
    """The check library (every module of `betternets.checks` but the `exNN_*` ones), the
    judge (whose imports bring the kernel, the wire, the verdicts) and the hidden package."""
    import betternets.checks
    found = [importlib.import_module("betternets.checks" + ("" if p.stem == "__init__"
                                                              else "." + p.stem))
             for p in sorted(Path(betternets.checks.__file__).parent.glob("*.py"))
             if not p.stem.startswith("ex")]
    return found + [importlib.import_module(n) for n in SHARED_GRADER_MODULES]


def _home_modules(exercises: tuple[str, ...]) -> list[ModuleType]:
    """The modules the exercises' checks, mistakes and references are registered from."""
    from betternets.checks import VISIBLE, load_visible_checks
    from . import HIDDEN, load_hidden_checks
    load_visible_checks()
    load_hidden_checks()
    functions = []
    for registry in (VISIBLE, HIDDEN):
        for exercise in exercises:
            if exercise in registry.exercises():
                functions += [p.run for p in registry.properties(exercise)]
            functions += [m.detect for m in registry.mistakes(exercise)]
    return [sys.modules[f.__module__] for f in functions]


_DIGESTS: dict[tuple[str, ...], str] = {}


def checks_digest(exercises: tuple[str, ...]) -> str:
    """sha256 of the source of every module that can change these exercises' verdicts
    (computed once a process for each set of exercises)."""
    if exercises not in _DIGESTS:
        modules = _closure(_shared_modules() + _home_modules(exercises))
        _DIGESTS[exercises] = files_digest((name, source_file(modules[name]))
                                           for name in sorted(modules))
    return _DIGESTS[exercises]


@lru_cache(maxsize=64)
def notebook_exercises(source: str) -> tuple[str, ...]:
    """The exercises a source notebook (its JSON) grades: its answer cells' grade_ids and
    the exercises its test cells name (`test_<exercise>__<property>`), sorted."""
    from . import answers
    found = set()
    for cell in json.loads(source).get("cells", []):
        kind, gid = answers.kind(cell), answers.grader_meta(cell).get("grade_id")
        if isinstance(gid, str) and kind in ("answer", "test"):
            found.add(gid if kind == "answer" else answers.exercise_of(gid))
    return tuple(sorted(found))


def unit_key(data: bytes, source: str, settings: Settings) -> str:
    """The key of a submission's verdicts: what they depend on."""
    return digest(data, source, ENGINE_VERSION, settings.key(),
                  checks_digest(notebook_exercises(source)))


class ResultCache:
    """`<course>/betternets/results/<student>/<assignment>.json`, one per notebook."""

    def __init__(self, course: Path):
        self.root = Path(course) / "betternets" / "results"

    def _path(self, student: str, assignment: str) -> Path:
        return self.root / student / f"{assignment}.json"

    def store(self, result: NotebookResult) -> bool:
        """Record `result`, unless it cannot be written whole (text that is not valid
        UTF-8, an entry over `MAX_ENTRY` bytes): then nothing is recorded and the next run
        grades the notebook again, instead of reusing a result no writer can write."""
        try:
            data = result.to_json().encode("utf-8")
        except UnicodeEncodeError:
            return False
        if len(data) > MAX_ENTRY:
            return False
        atomic_write(self._path(result.student, result.assignment), data)
        return True

    def recorded(self, student: str, assignment: str) -> NotebookResult | None:
        """The verdicts last recorded for this notebook, whatever they were graded from."""
        try:
            return NotebookResult.from_json(self._path(student, assignment).read_text())
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def load(self, student: str, assignment: str, key: str) -> NotebookResult | None:
        """The recorded verdicts of this very notebook, if an earlier run finished it."""
        result = self.recorded(student, assignment)
        if result is None or result.grader_fault:
            return None   # not graded last time through the grader's fault: grade it again
        return result if result.key == key else None
