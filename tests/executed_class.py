"""The course's solutions executed once for the whole test run: alice's complete class
(tests/make_samples.py: the release with the solutions' answers typed in) autograded by
stock nbgrader, in a student's environment: the inline backend, ipywidgets sliders and
progress bars on (not the Agg backend and no bars that the grader gives nbgrader's kernels).

nbgrader's autograde puts the hidden test cells back before it runs a notebook, so what it
executes is each solution notebook top to bottom, demos included, as `jupyter nbconvert
--execute` would. One run serves two claims: both graders agree on alice
(tests/e2e/test_pipeline.py), and the executed notebooks' outputs are what a reader sees
(tests/e2e/test_notebooks_static.py).

    python tests/executed_class.py OUT    writes OUT/stock.csv and OUT/notebooks/<name>.ipynb
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

STUDENT = "alice"


def main(out: Path) -> None:
    # The grader's own default for nbgrader's kernels is Agg and no bars
    # (betternets_grader.course); a student's kernel has the inline backend and bars.
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    os.environ["BETTERNETS_NO_PROGRESS"] = "0"
    os.environ.pop("BETTERNETS_STATIC", None)
    from betternets_grader.engine.stock import grade_with_nbgrader
    from checkout import COURSE, SAMPLES
    subs, course, notebooks = out / "submissions", out / "course", out / "notebooks"
    shutil.copytree(SAMPLES / STUDENT, subs / STUDENT)
    grade_with_nbgrader(subs, out / "stock.csv", COURSE, course=course, log=print)
    notebooks.mkdir()
    for name in COURSE.assignments():
        executed = course / "autograded" / STUDENT / name / f"{name}.ipynb"
        if executed.is_file():
            shutil.copyfile(executed, notebooks / f"{name}.ipynb")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main(Path(sys.argv[1]))
