"""A sample class made from a course's release (the checkout's is autograder/samples/).

    alice  complete: every answer cell holds the solution
    bob    partly wrong: every other exercise holds a mistake from the catalog
    carol  the untouched release

`make_samples` writes them; a test proves the committed ones are up to date.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Mapping

from . import answers
from .course import Course
from .nbauthor import dumps


def fill(lecture: dict, sources: Mapping[str, str]) -> dict:
    """The student notebook with some answer cells replaced, as a student would type them."""
    nb = json.loads(json.dumps(lecture))
    for cell in nb["cells"]:
        gid = answers.grader_meta(cell).get("grade_id")
        if answers.kind(cell) == "answer" and gid in sources:
            cell["source"] = sources[gid]
    return nb


def make_samples(mistakes: Callable[[str], Mapping[str, str]], root: Course, out: Path,
                 names: list[str] | None = None) -> list[Path]:
    """Write out/alice|bob|carol/NN_topic.ipynb for each assignment of course `root`, from
    its lectures/ and solutions/; `mistakes(name)` gives bob's wrong cells."""
    written = []
    for name in names or root.notebooks():
        lecture = answers.load(root.lectures / f"{name}.ipynb")
        solution = answers.answer_sources(answers.load(root.solutions / f"{name}.ipynb"))
        wrong = dict(mistakes(name))
        for student, nb in [("alice", fill(lecture, solution)),
                            ("bob", fill(lecture, {**solution, **wrong})),
                            ("carol", lecture)]:
            target = out / student / f"{name}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(dumps(nb))
            written.append(target)
    return written
