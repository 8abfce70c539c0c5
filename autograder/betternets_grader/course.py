"""The nbgrader course directory, and the release of student notebooks.

`solutions/NN_topic.ipynb` is flat in the repository; nbgrader wants
`source/<assignment>/<notebook>.ipynb`. A course directory (course/ by
default, not committed) is laid out for nbgrader from solutions/, with an
`nbgrader_config.py` that loads `autograder/nbgrader_config.py`. `release`
runs nbgrader's generate_assignment there and copies each student version
to `lectures/`, in the one JSON layout of the course.
"""
from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import sys
from pathlib import Path

from .nbauthor import dumps

REPO = Path(__file__).resolve().parents[2]
AUTOGRADER = REPO / "autograder"
SOLUTIONS = REPO / "solutions"
LECTURES = REPO / "lectures"
DEFAULT_COURSE = REPO / "course"


def assignments(solutions: Path = SOLUTIONS) -> list[str]:
    return sorted(p.stem for p in solutions.glob("*.ipynb"))


def course_notebooks(solutions: Path = SOLUTIONS) -> list[str]:
    """The course's notebooks; a ValueError, not an empty course, where there are none
    (an installed grader run away from a course folder would otherwise do nothing and
    exit 0)."""
    names = assignments(solutions)
    if not names:
        raise ValueError(f"no course found: {solutions} holds no solution notebooks "
                         "(NN_topic.ipynb); run the command in the course's folder")
    return names


def ensure_tools_on_path() -> None:
    """nbgrader runs `alembic` as a subprocess: this environment's bin must be on PATH."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("BETTERNETS_NO_PROGRESS", "1")


def prepare_course(course: Path = DEFAULT_COURSE, solutions: Path = SOLUTIONS,
                   db_url: str | None = None) -> Path:
    """Lay out `course` for nbgrader: config, and source/<a>/<a>.ipynb from solutions/."""
    course = Path(course).resolve()
    course.mkdir(parents=True, exist_ok=True)
    config = [f"load_subconfig({str(AUTOGRADER / 'nbgrader_config.py')!r})",
              "c = get_config()",
              f"c.CourseDirectory.root = {str(course)!r}"]
    if db_url:
        config.append(f"c.CourseDirectory.db_url = {db_url!r}")
    (course / "nbgrader_config.py").write_text("\n".join(config) + "\n")
    for name in assignments(solutions):
        target = course / "source" / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(solutions / f"{name}.ipynb", target)
    return course


def nbgrader_api(course: Path):
    """An NbGraderAPI for `course`, configured by its nbgrader_config.py."""
    ensure_tools_on_path()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    loader = PyFileConfigLoader("nbgrader_config.py", path=str(course))
    config = loader.load_config()
    config.merge(Config({"CourseDirectory": {"root": str(course)}}))
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    api.log.setLevel(logging.WARNING)
    return api


def _run(step, *args, **kwargs) -> dict:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        result = step(*args, **kwargs)
    if not result.get("success"):
        raise RuntimeError(result.get("error") or result.get("log") or "nbgrader step failed")
    return result


def normalize(nb_json: str) -> str:
    """Student notebook in the course's JSON layout, outputs and counts cleared."""
    nb = json.loads(nb_json)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return dumps(nb)


def release(course: Path = DEFAULT_COURSE, out: Path = LECTURES, solutions: Path = SOLUTIONS,
            names: list[str] | None = None, progress=lambda it, **kw: it) -> list[Path]:
    """Generate the student version of each solution notebook into `out`."""
    names = names or course_notebooks(solutions)
    course = prepare_course(course, solutions)
    api = nbgrader_api(course)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in progress(names, desc="release"):
        _run(api.generate_assignment, name, force=True, create=True)
        released = course / "release" / name / f"{name}.ipynb"
        target = out / f"{name}.ipynb"
        target.write_text(normalize(released.read_text()))
        written.append(target)
    return written
