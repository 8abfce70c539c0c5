"""A course folder, its nbgrader workspace, and the release of student notebooks.

A *course folder* is any folder holding `solutions/NN_topic.ipynb` (this
checkout is one; so is a folder that holds only a copy of `solutions/`). Every
path the grader uses is derived from one `Course` value, never from where the
grader is installed:

    Course(root).solutions    root/solutions     the source notebooks (read)
    Course(root).lectures     root/lectures      the student versions (`release` writes)
    Course(root).workspace    root/course        nbgrader's course directory (default)

`Course.find()` is the working directory or its nearest parent holding
`solutions/*.ipynb`. nbgrader wants `source/<assignment>/<notebook>.ipynb`: a
workspace is laid out for it from solutions/. Its `nbgrader_config.py` is the
instructor's: betternets writes its own settings (`nbgrader_ext.configure`, the
workspace's root) to `betternets_config.py` and adds, once, a marked block on top of
nbgrader_config.py that includes it (creating the file, with `course_id = "betternets"`,
where there is none), so the instructor's lines (course_id, Exchange.root, the late
policy) are never lost and override betternets' own. `release` runs
nbgrader's generate_assignment there and copies each student version to
`lectures/`, in the one JSON layout of the course.
"""
from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from .nbauthor import dumps
from .rows import atomic_write


@dataclass(frozen=True)
class Course:
    """The course folder `root` (made absolute): the one source of the grader's paths."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root).resolve())

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def lectures(self) -> Path:
        return self.root / "lectures"

    @property
    def workspace(self) -> Path:
        """nbgrader's course directory unless a command names another (`--course`)."""
        return self.root / "course"

    def assignments(self) -> list[str]:
        """NN_topic of every solution notebook, sorted; [] where there are none."""
        return sorted(p.stem for p in self.solutions.glob("*.ipynb"))

    def notebooks(self) -> list[str]:
        """The course's notebooks; a ValueError, not an empty course, where there are none
        (a grader run away from a course folder would otherwise do nothing and exit 0)."""
        names = self.assignments()
        if not names:
            raise ValueError(f"no course found: {self.solutions} holds no solution notebooks "
                             "(NN_topic.ipynb); name the course folder with --root DIR or run "
                             "the command in it")
        return names

    @classmethod
    def find(cls, start: Path | str | None = None) -> Course:
        """The course folder at `start` (default: the working directory) or its nearest
        parent that holds solutions/*.ipynb; a ValueError "no course found" where none does."""
        start = Path(start if start is not None else Path.cwd()).resolve()
        for folder in (start, *start.parents):
            if any((folder / "solutions").glob("*.ipynb")):
                return cls(folder)
        raise ValueError(f"no course found: neither {start} nor any folder above it holds "
                         "solutions/NN_topic.ipynb; name the course folder with --root DIR")


def ensure_tools_on_path() -> None:
    """nbgrader runs `alembic` as a subprocess: this environment's bin must be on PATH."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("BETTERNETS_NO_PROGRESS", "1")


OWN_CONFIG = "betternets_config.py"
BLOCK_BEGIN = "# >>> betternets: its settings"
BLOCK = (f"{BLOCK_BEGIN} ({OWN_CONFIG}, rewritten by every betternets run); your lines "
         "below this block override them\n"
         f"load_subconfig({OWN_CONFIG!r})  # noqa: F821 - given by traitlets to a config file\n"
         "# <<< betternets\n")
NEW_CONFIG = ("# nbgrader's settings of this course directory: yours to edit (betternets adds the "
              "block below once and never rewrites this file)\n"
              "c = get_config()  # noqa: F821 - given by traitlets to a config file\n"
              + BLOCK +
              'c.CourseDirectory.course_id = "betternets"\n')
# what betternets wrote as the whole nbgrader_config.py before it kept the instructor's
_LEGACY_LINES = ("from betternets_grader.nbgrader_ext import configure",
                 "c = get_config()", "configure(c)", "c.CourseDirectory.root =",
                 "c.CourseDirectory.db_url =")


def _is_legacy(text: str) -> bool:
    lines = [l for l in text.splitlines() if l.strip()]
    return bool(lines) and lines[0] == _LEGACY_LINES[0] and \
        all(l.startswith(_LEGACY_LINES) for l in lines)


def _with_block(text: str) -> str:
    """The instructor's config `text` with betternets' include block added, on top (after a
    docstring and `from __future__` imports), so that every line of theirs overrides it."""
    import ast
    try:
        body = ast.parse(text).body
    except SyntaxError:
        body = []
    after = 0
    for i, node in enumerate(body):
        docstring = i == 0 and isinstance(node, ast.Expr) and isinstance(
            getattr(node, "value", None), ast.Constant) and isinstance(node.value.value, str)
        if docstring or (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            after = node.end_lineno
        else:
            break
    lines = text.splitlines(keepends=True)
    head = "".join(lines[:after])
    if head and not head.endswith("\n"):
        head += "\n"
    return head + BLOCK + "".join(lines[after:])


def write_config(workspace: Path, db_url: str | None = None) -> None:
    """betternets' settings in `workspace/betternets_config.py` (its own file, rewritten when
    they change), included once from the instructor's nbgrader_config.py by a marked block;
    the file is created where it is missing, and never loses a line of the instructor's."""
    own = ["# betternets' nbgrader settings: written by betternets, rewritten by every run. "
           "Change settings in nbgrader_config.py instead (its lines after the betternets "
           "block override these).",
           "from betternets_grader.nbgrader_ext import configure",
           "c = get_config()  # noqa: F821 - given by traitlets to a config file",
           "configure(c)",
           f"c.CourseDirectory.root = {str(workspace)!r}"]
    if db_url:
        own.append(f"c.CourseDirectory.db_url = {db_url!r}")
    text = "\n".join(own) + "\n"
    mine = workspace / OWN_CONFIG
    if not mine.is_file() or mine.read_text() != text:
        atomic_write(mine, text)
    theirs = workspace / "nbgrader_config.py"
    if not theirs.exists():
        atomic_write(theirs, NEW_CONFIG)
        return
    current = theirs.read_text()
    if _is_legacy(current):   # betternets' own earlier file: nothing of the instructor's in it
        atomic_write(theirs, NEW_CONFIG)
    elif BLOCK_BEGIN not in current:
        atomic_write(theirs, _with_block(current))


def prepare_course(workspace: Path, root: Course, db_url: str | None = None) -> Path:
    """Lay out the nbgrader `workspace` of course `root`: betternets' settings beside the
    instructor's (`write_config`) and source/<a>/<a>.ipynb from solutions/."""
    workspace = Path(workspace).resolve()
    workspace.mkdir(parents=True, exist_ok=True)
    write_config(workspace, db_url)
    for name in root.assignments():
        target = workspace / "source" / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root.solutions / f"{name}.ipynb", target)
    return workspace


def nbgrader_api(workspace: Path):
    """An NbGraderAPI for `workspace`, configured by its nbgrader_config.py."""
    ensure_tools_on_path()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    loader = PyFileConfigLoader("nbgrader_config.py", path=str(workspace))
    config = loader.load_config()
    config.merge(Config({"CourseDirectory": {"root": str(workspace)}}))
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    api.log.setLevel(logging.WARNING)
    return api


@contextlib.contextmanager
def open_gradebook(workspace: Path):
    """The nbgrader Gradebook of `workspace` (its nbgrader_config.py names the database);
    FileNotFoundError when the workspace has never been prepared."""
    from nbgrader.api import Gradebook

    if not (Path(workspace) / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"no nbgrader course in {workspace} (no nbgrader_config.py): "
                                "grade the class first, or name it with --course")
    api = nbgrader_api(Path(workspace))
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        yield gb


def run_nbgrader_step(step, *args, **kwargs) -> dict:
    """Call an NbGraderAPI method (`api.generate_assignment`, `api.autograde`, ...) with its
    log kept off the terminal; its result dict, or a RuntimeError with nbgrader's error."""
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


def release(root: Course, course: Path | None = None, out: Path | None = None,
            names: list[str] | None = None, progress=lambda it, **kw: it) -> list[Path]:
    """Generate the student version of each solution notebook of `root` into `out`
    (default root.lectures), in the nbgrader workspace `course` (default root.workspace)."""
    names = names or root.notebooks()
    from .provenance import check_course
    check_course(root)   # no student version of an exercise the grader could not grade
    workspace = prepare_course(course or root.workspace, root)
    out = Path(out or root.lectures)
    api = nbgrader_api(workspace)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in progress(names, desc="release"):
        run_nbgrader_step(api.generate_assignment, name, force=True, create=True)
        released = workspace / "release" / name / f"{name}.ipynb"
        target = out / f"{name}.ipynb"
        target.write_text(normalize(released.read_text()))
        written.append(target)
    return written
