"""The verdicts of a grading run: one type per test cell, one per notebook.

`Verdict` is what the judge says about one test cell of one student's notebook,
and the same object goes everywhere after: the gradebook (its score), the
autograded notebook and the feedback (its lines), the resume cache (as JSON),
the class report and the CSV (its first seven fields, `FIELDS`). `NotebookResult`
holds a notebook's verdicts and what the run learnt on the way (sandboxed, kernel
restarts, seconds). Statuses are `betternets.checks.status.Status`, spelled there
once; a verdict read back from JSON or built from text gets its `Status` again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable

from betternets.checks.status import Status

FIELDS = ["student", "assignment", "grade_id", "score", "max_score", "status", "reason"]
"""The CSV's columns, in order: the first fields of a `Verdict`."""


@dataclass
class Verdict:
    """One test cell of one student's notebook: score out of max_score, a status, a reason."""
    student: str
    assignment: str
    grade_id: str
    score: float
    max_score: float
    status: Status
    reason: str = ""
    lines: list[str] = field(default_factory=list)           # visible check lines
    hidden_lines: list[str] = field(default_factory=list)    # hidden check lines (full)
    hidden_summary: list[str] = field(default_factory=list)  # hidden, without messages
    reason_hidden: bool = False   # the reason comes from a hidden check: not for students

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @property
    def passed(self) -> bool:
        return self.status == Status.PASSED


@dataclass
class AnswerRun:
    """How one answer (or setup) cell ran in the kernel, for the autograded notebook."""
    status: Status
    reason: str = ""
    output: str = ""

    def __post_init__(self) -> None:
        self.status = Status(self.status)


@dataclass
class NotebookResult:
    """Every verdict of one submission notebook, and how grading it went.

    `grader_fault`: the grader, not the student, could not grade it; the next run
    grades it again instead of reusing these verdicts. `key`: the digest of what
    was graded (notebook, course, engine version, settings), for the resume cache.
    """
    student: str
    assignment: str
    cells: list[Verdict] = field(default_factory=list)
    answers: dict[str, AnswerRun] = field(default_factory=dict)
    key: str = ""
    sandboxed: bool = False
    restarts: int = 0
    seconds: float = 0.0
    grader_fault: bool = False
    leftovers: list[str] = field(default_factory=list)   # scratch folders not removed
    uids: list[int] = field(default_factory=list)        # user ids the kernels ran as

    def to_json(self) -> str:
        """JSON of every field (`dataclasses.asdict` gives the same but deep-copies every
        line first, 10 ms a notebook in the grading process)."""
        return json.dumps(dict(vars(self), cells=[vars(c) for c in self.cells],
                               answers={k: vars(a) for k, a in self.answers.items()}),
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "NotebookResult":
        """The result `to_json` wrote; ValueError, KeyError or TypeError if it is not one."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a notebook result")
        data["cells"] = [Verdict(**c) for c in data["cells"]]
        data["answers"] = {cid: AnswerRun(**a) for cid, a in data["answers"].items()}
        return cls(**data)

    @property
    def ran(self) -> bool:
        """Did the notebook reach a kernel? (One that did not says nothing about sandboxing.)"""
        return bool(self.answers)


MAX_CELL_LINES = 40
"""Check lines kept per test cell, visible and hidden each (a cell runs a few checks; a
named mistake adds one line)."""
MAX_NOTEBOOK_TEXT = 500_000
"""Characters of check lines and cell outputs kept per notebook: what its autograded
notebook, feedback and cache entry hold stays a few MB at most, whatever its kernel sent."""


def bound_texts(result: NotebookResult, per_cell: int = MAX_CELL_LINES,
                total: int = MAX_NOTEBOOK_TEXT) -> NotebookResult:
    """`result` with at most `per_cell` lines of each kind per test cell and `total`
    characters of lines and outputs in all; what is cut is said in a last line."""
    budget = total - sum(len(a.output) + len(a.reason) for a in result.answers.values())
    for v in result.cells:
        for name in ("lines", "hidden_lines", "hidden_summary"):
            lines, kept = getattr(v, name), []
            for line in lines[:per_cell]:
                if len(line) > budget:
                    break
                kept.append(line)
                budget -= len(line)
            if len(kept) < len(lines):
                kept.append(f"... [{len(lines) - len(kept)} more lines cut: at most {per_cell} "
                            f"a cell and {total} characters a notebook are kept]")
            setattr(v, name, kept)
    return result


def every_cell(student: str, assignment: str, test_cells: Iterable[tuple[str, float]],
               status: Status, reason: str) -> list[Verdict]:
    """Every test cell of a notebook with `status`, `reason` and no points: the verdicts
    of a notebook that could not be graded cell by cell."""
    return [Verdict(student, assignment, gid, 0.0, float(points), status, reason)
            for gid, points in test_cells]
