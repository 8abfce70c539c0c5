"""The result rows of a grading run: one per student and test cell, and their CSV."""
from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

from . import answers
from .course import SOLUTIONS

FIELDS = ["student", "assignment", "grade_id", "score", "max_score", "status", "reason"]


@dataclass
class Row:
    student: str
    assignment: str
    grade_id: str
    score: float
    max_score: float
    status: str
    reason: str = ""


def test_cells_of(assignment: str, solutions: Path = SOLUTIONS) -> list[tuple[str, float]]:
    """(grade_id, points) of every test cell of an assignment's source notebook."""
    nb = answers.load(solutions / f"{assignment}.ipynb")
    return [(gid, pts) for gid, pts, _ in answers.test_cells(nb)]


def write_csv(rows: list[Row], out_csv: Path) -> None:
    out_csv = Path(out_csv)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with out_csv.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))
