"""Which code grades a course: the packages imported, and whether they cover the course.

    packages()            name, version, installed path and source hash of betternets and
                          betternets_grader, as this process imports them
    header()              one line per package, for a run's output and the class report
    check_course(root)    ValueError unless every exercise of root/solutions has a reference,
                          visible checks and hidden checks in those packages

A course folder and the packages that grade it can come apart: a clone whose
environment was installed from another checkout imports that checkout's checks,
and an exercise added here has none there. Every exercise is an answer cell's
`grade_id` in a solution notebook; `check_course` looks each up in the registries
(`betternets.checks.VISIBLE`, `betternets_grader.HIDDEN`, `reference`) and names
what is missing, where the packages were found and the command that installs this
checkout. The source hash is sha256 over every `.py` file of a package (its path
inside the package, then its bytes), so two installs of the same code hash alike
wherever they live.
"""
from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from . import answers

PACKAGES = ("betternets", "betternets_grader")
KINDS = ("reference", "visible checks", "hidden checks")


def files_digest(files: Iterable[tuple[str, Path]]) -> str:
    """sha256 over (name, file bytes) pairs, in the order given; a missing file counts as
    empty (a module without a file, such as a namespace package)."""
    h = hashlib.sha256()
    for name, path in files:
        h.update(name.encode() + b"\0")
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            pass
        h.update(b"\0")
    return h.hexdigest()


def package_digest(folder: Path) -> str:
    """sha256 of a package's source: every .py below `folder`, by its path inside it."""
    folder = Path(folder)
    return files_digest((str(p.relative_to(folder)), p) for p in sorted(folder.rglob("*.py")))


@dataclass(frozen=True)
class Package:
    """One imported package: where it lives and what it is."""
    name: str
    version: str
    path: Path
    source_hash: str

    def line(self) -> str:
        """'betternets 0.1.0 at /path (source 1a2b3c4d5e6f)'."""
        return f"{self.name} {self.version} at {self.path} (source {self.source_hash[:12]})"


@cache
def packages() -> tuple[Package, ...]:
    """betternets and betternets_grader as this process imports them (computed once)."""
    found = []
    for name in PACKAGES:
        module = importlib.import_module(name)
        folder = Path(module.__file__).resolve().parent
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "not installed (imported from the path)"
        found.append(Package(name, version, folder, package_digest(folder)))
    return tuple(found)


def header(verb: str = "graded") -> str:
    """The packages that do the work, one line each: printed at the start of every run."""
    return "\n".join(f"{verb} with {p.line()}" for p in packages())


def course_exercises(root) -> dict[str, list[str]]:
    """notebook -> the grade_ids of its answer cells, for every solution notebook of `root`."""
    return {name: [answers.grader_meta(c)["grade_id"]
                   for c in answers.load(root.solutions / f"{name}.ipynb")["cells"]
                   if answers.kind(c) == "answer" and answers.grader_meta(c).get("grade_id")]
            for name in root.assignments()}


def gaps(root) -> list[tuple[str, str, str]]:
    """(notebook, exercise, kind) of every exercise of `root` the imported packages lack."""
    from betternets.checks import VISIBLE, load_visible_checks
    from . import HIDDEN, load_hidden_checks, reference
    load_visible_checks()
    load_hidden_checks()
    missing = []
    for notebook, names in course_exercises(root).items():
        for exercise in names:
            if exercise not in VISIBLE.exercises():
                missing.append((notebook, exercise, "visible checks"))
            if exercise not in HIDDEN.exercises():
                missing.append((notebook, exercise, "hidden checks"))
                missing.append((notebook, exercise, "reference"))
                continue
            try:
                reference(exercise)
            except ValueError:
                missing.append((notebook, exercise, "reference"))
    return missing


def install_command(root) -> str:
    """The command that installs the packages of the checkout `root`, or, for a course folder
    that holds no package sources, the wheels'."""
    root_path = Path(root.root)
    if (root_path / "pyproject.toml").is_file() and (root_path / "autograder" /
                                                     "pyproject.toml").is_file():
        return f'pip install -e "{root_path}[instructor]" -e "{root_path / "autograder"}"'
    return ("pip install betternets-*.whl betternets_grader-*.whl (the wheels built from the "
            "checkout this course belongs to: pip wheel --no-deps -w dist . ./autograder)")


def check_course(root) -> None:
    """Raise ValueError unless the imported packages hold every exercise of `root`."""
    missing = gaps(root)
    if not missing:
        return
    lines = [f"the packages this command imports do not cover the course {root.root}:"]
    lines += [f"  {notebook}: exercise {exercise!r} has no {kind}"
              for notebook, exercise, kind in missing]
    lines.append("searched in:")
    lines += ["  " + p.line() for p in packages()]
    lines.append(f"install this course's code into the environment you run it from: "
                 f"{install_command(root)}")
    raise ValueError("\n".join(lines))
