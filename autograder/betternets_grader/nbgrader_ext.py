"""nbgrader plug-ins of the course (named in autograder/nbgrader_config.py)."""
from __future__ import annotations

import re

from nbgrader.preprocessors import ClearSolutions


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
