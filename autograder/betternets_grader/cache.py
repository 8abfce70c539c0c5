"""The resume cache: each notebook's verdicts, recorded as they come, keyed by a digest.

A notebook's key is the digest of everything its verdicts depend on (the
submission's bytes, the source notebook, the engine's version, the settings). A
rerun reuses a recorded `NotebookResult` whose key still matches (an interrupted
run resumes where it stopped) and grades the rest (a changed submission replaces
its stale scores); a notebook not graded through the grader's fault is graded again.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .engine.judge import ENGINE_VERSION
from .engine.settings import Settings
from .rows import atomic_write
from .verdicts import NotebookResult


def digest(*parts: bytes | str) -> str:
    """sha256 over the parts, each followed by a NUL byte."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()


def unit_key(data: bytes, source: str, settings: Settings) -> str:
    """The key of a submission's verdicts: what they depend on."""
    return digest(data, source, ENGINE_VERSION, settings.key())


class ResultCache:
    """`<course>/betternets/results/<student>/<assignment>.json`, one per notebook."""

    def __init__(self, course: Path):
        self.root = Path(course) / "betternets" / "results"

    def _path(self, student: str, assignment: str) -> Path:
        return self.root / student / f"{assignment}.json"

    def store(self, result: NotebookResult) -> None:
        atomic_write(self._path(result.student, result.assignment), result.to_json())

    def load(self, student: str, assignment: str, key: str) -> NotebookResult | None:
        """The recorded verdicts of this very notebook, if an earlier run finished it."""
        try:
            result = NotebookResult.from_json(self._path(student, assignment).read_text())
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        if result.grader_fault:
            return None   # not graded last time through the grader's fault: grade it again
        return result if result.key == key else None
