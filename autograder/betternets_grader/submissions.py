"""Finding students' notebooks in a submissions folder.

Two layouts are accepted, and may be mixed:

    SUBMISSIONS/<student>/<assignment>.ipynb                  (a plain folder per student)
    SUBMISSIONS/<student>/<assignment>/<assignment>.ipynb     (nbgrader's submitted/ layout)

A notebook whose name is not an assignment of the course is reported, not graded.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Submission:
    student: str
    assignment: str
    path: Path


@dataclass(frozen=True)
class Stray:
    """A file that looks like a submission but is not one we can grade."""
    student: str
    path: Path
    reason: str


def find(folder: Path, assignments: list[str]) -> tuple[list[Submission], list[Stray]]:
    """Submissions in `folder`, one per student and assignment, and what was skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions folder {folder} does not exist")
    if (folder / "submitted").is_dir():
        folder = folder / "submitted"
    found: dict[tuple[str, str], Submission] = {}
    strays: list[Stray] = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        student = student_dir.name
        for nb in sorted(student_dir.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in nb.parts:
                continue
            name = nb.stem
            if name not in assignments:
                strays.append(Stray(student, nb, f"{nb.name} is not a notebook of this course "
                                    f"(expected one of: {', '.join(a + '.ipynb' for a in assignments)})"))
                continue
            if (student, name) in found:
                strays.append(Stray(student, nb, f"a second copy of {name}; graded "
                                    f"{found[(student, name)].path.relative_to(folder)}"))
                continue
            found[(student, name)] = Submission(student, name, nb)
    return list(found.values()), strays
