"""Regenerate autograder/samples/ from the release and the catalog.

    python tests/make_samples.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalog  # noqa: E402
from betternets_grader.samples import make_samples  # noqa: E402
from checkout import COURSE, SAMPLES  # noqa: E402


def bob_mistakes(name: str) -> dict[str, str]:
    """Bob gets the first catalog mistake of every other exercise (1st, 3rd, ...)."""
    module = next((m for m in catalog.modules() if m.NOTEBOOK == name), None)
    if module is None:
        return {}
    firsts: dict[str, str] = {}
    for entry in module.ENTRIES:
        if not entry.correct and entry.exercise not in firsts:
            firsts[entry.exercise] = entry.source
    return {ex: src for i, (ex, src) in enumerate(firsts.items()) if i % 2 == 0}


if __name__ == "__main__":
    for path in make_samples(bob_mistakes, COURSE, out=SAMPLES):
        print(path)
