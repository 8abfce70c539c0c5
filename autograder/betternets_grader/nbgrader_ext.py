"""The course's nbgrader settings and plug-ins, part of the installed grader.

A workspace's `betternets_config.py` (written by `course.prepare_course`, included from the
instructor's nbgrader_config.py) calls `configure(c)`, so `betternets release/grade` and plain
nbgrader commands run in the workspace (`cd course && nbgrader autograde
00_gradient_checking`) use the same settings, wherever the grader is installed. Settings of
the course itself (`course_id`, `Exchange.root`, the late policy) are the instructor's, in
nbgrader_config.py: `configure` never sets them.

`LatePenalty` is a late-submission plug-in for nbgrader's `AssignLatePenalties` (stock
nbgrader has only `none` and `zero`): a penalty per started hour or day late, in points or
as a fraction of the notebook's score, with a cap. nbgrader has no such plug-in and
otter-grader none for nbgrader, so it is written here, on nbgrader's `BasePlugin`.
"""
from __future__ import annotations

import math
import re

from nbgrader.plugins import BasePlugin

from nbgrader.preprocessors import (
    CheckCellMetadata, ClearHiddenTests, ClearMarkScheme, ClearOutput, ClearSolutions,
    ComputeChecksums, IncludeHeaderFooter, InstantiateTests, LockCells, SaveCells,
)
from traitlets import Enum, Float


class ExerciseStubs(ClearSolutions):
    """ClearSolutions whose stub names the exercise it replaces.

    A student sees `raise NotImplementedError("Exercise 04.3: implement adam_update")`
    instead of nbgrader's anonymous stub, and the message reaches the self-check.
    """

    def preprocess(self, nb, resources):
        name = resources.get("unique_key", "") or ""
        match = re.match(r"(\d+)", name)
        self._notebook_number = match.group(1) if match else "0"
        self._exercise_count = 0
        self._default_stub = dict(self.code_stub)
        try:
            return super().preprocess(nb, resources)
        finally:
            self.code_stub = self._default_stub

    def _replace_solution_region(self, cell, language):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if cell.cell_type == "code" and "BEGIN SOLUTION" in cell.source:
            self._exercise_count += 1
            label = f"{self._notebook_number}.{self._exercise_count}"
            self.code_stub = dict(self._default_stub, **{
                language: f'raise NotImplementedError("Exercise {label}: implement {grade_id}")'})
        return super()._replace_solution_region(cell, language)


def configure(c) -> None:
    """Apply the course's nbgrader settings to the traitlets config `c`. (Assignments need no
    list: nbgrader 0.9 takes them from source/, one NN_topic notebook each.)"""
    # Stubs that name their exercise ("Exercise 01.3: implement sigmoid").
    c.ClearSolutions.code_stub = {"python": 'raise NotImplementedError("Exercise: implement this")'}
    c.GenerateAssignment.preprocessors = [
        IncludeHeaderFooter, InstantiateTests, LockCells, ExerciseStubs, ClearOutput,
        CheckCellMetadata, ComputeChecksums, SaveCells, ClearHiddenTests, ClearMarkScheme,
        ComputeChecksums, CheckCellMetadata,
    ]

    # Grading: every cell gets a bounded time; the batch never stops for one notebook.
    c.Execute.timeout = 120
    c.Execute.interrupt_on_timeout = True
    c.Autograde.create_student = True
    c.LimitOutput.max_lines = 200
    c.ClearOutput.enabled = True


class LatePenalty(BasePlugin):
    """A late penalty per started hour or day, with a cap:

        units   = ceil(seconds_late / (3600 if per == "hour" else 86400))
        penalty = min(units * (points + fraction * score), cap, cap_fraction * score)

    Select it in nbgrader_config.py:
    `c.AssignLatePenalties.plugin_class = "betternets_grader.nbgrader_ext.LatePenalty"`,
    `c.LatePenalty.per = "day"`, `c.LatePenalty.points = 3`, `c.LatePenalty.cap = 9`.
    nbgrader then clamps the penalty to [0, score].
    """

    per = Enum(("hour", "day"), default_value="day",
               help="the unit of lateness: each started hour or day costs the penalty").tag(config=True)
    points = Float(0.0, help="points taken off per started unit late").tag(config=True)
    fraction = Float(0.0, help="fraction of the notebook's score taken off per started unit "
                               "late (0.1: 10 %)").tag(config=True)
    cap = Float(None, allow_none=True,
                help="the largest penalty in points (None: no cap)").tag(config=True)
    cap_fraction = Float(None, allow_none=True,
                         help="the largest penalty as a fraction of the score").tag(config=True)

    def units(self, seconds_late: float) -> int:
        """Started hours or days late (0 when on time)."""
        return math.ceil(seconds_late / (3600 if self.per == "hour" else 86400)) \
            if seconds_late > 0 else 0

    def late_submission_penalty(self, student_id: str, score: float,
                                total_seconds_late: float) -> float:
        """The penalty formula above, in points."""
        score = float(score or 0.0)
        value = self.units(total_seconds_late) * (self.points + self.fraction * score)
        if self.cap is not None:
            value = min(value, self.cap)
        if self.cap_fraction is not None:
            value = min(value, self.cap_fraction * score)
        return value

    def describe(self) -> str:
        """The policy in words, for the CSV and the run's output."""
        rate = " + ".join(part for part in (
            f"{self.points:g} points" if self.points else "",
            f"{self.fraction:.0%} of the score" if self.fraction else "") if part) or "nothing"
        caps = []
        if self.cap is not None:
            caps.append(f"{self.cap:g} points")
        if self.cap_fraction is not None:
            caps.append(f"{self.cap_fraction:.0%} of the score")
        return f"per {self.per} {rate}" + (f", cap {' and '.join(caps)}" if caps else ", no cap")
