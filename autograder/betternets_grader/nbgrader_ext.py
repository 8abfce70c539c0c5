"""The course's nbgrader settings and plug-ins, part of the installed grader.

A workspace's nbgrader_config.py (written by `course.prepare_course`) calls
`configure(c)`, so `betternets release/grade` and plain
nbgrader commands run in the workspace (`cd course && nbgrader autograde
00_gradient_checking`) use the same settings, wherever the grader is installed.
"""
from __future__ import annotations

import re

from nbgrader.preprocessors import (
    CheckCellMetadata, ClearHiddenTests, ClearMarkScheme, ClearOutput, ClearSolutions,
    ComputeChecksums, IncludeHeaderFooter, InstantiateTests, LockCells, SaveCells,
)


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
    c.CourseDirectory.course_id = "betternets"

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
    c.Execute.allow_errors = True
    c.Autograde.create_student = True
    c.LimitOutput.max_lines = 200
    c.ClearOutput.enabled = True
