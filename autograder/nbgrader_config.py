# nbgrader configuration of the betternets course.
#
# `betternets release` and `betternets grade` build a course directory (course/
# by default) whose own nbgrader_config.py loads this file, so plain nbgrader
# commands run there use the same settings:
#     cd course && nbgrader autograde 00_gradient_checking
import glob
import os

from betternets_grader.nbgrader_ext import ExerciseStubs
from nbgrader.preprocessors import (
    CheckCellMetadata, ClearHiddenTests, ClearMarkScheme, ClearOutput, ComputeChecksums,
    IncludeHeaderFooter, InstantiateTests, LockCells, SaveCells,
)

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

c.CourseDirectory.course_id = "betternets"
c.CourseDirectory.db_assignments = [
    {"name": os.path.splitext(os.path.basename(p))[0]}
    for p in sorted(glob.glob(os.path.join(REPO, "solutions", "*.ipynb")))
]

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
