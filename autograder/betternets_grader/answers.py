"""Run a notebook's answers and tests in this process, without a kernel.

This is the fast path the test suite uses to prove, for every entry of the
wrong-answer catalog, which test cells lose points. It runs exactly what
nbgrader runs for grading (setup cells, answer cells, then each test cell with
its hidden part), skipping markdown and demo cells. It trusts the code it
runs: it is for the course's own catalog, never for students' submissions.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION",
           "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def load(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())


def source(cell: dict) -> str:
    """A cell's text; tolerant of malformed cells (students' files are untrusted)."""
    src = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def strip_markers(text: str) -> str:
    """The solution's own code: nbgrader's region markers removed, their content kept."""
    return "\n".join(l for l in text.split("\n") if l.strip() not in MARKERS)


def grader_meta(cell: dict) -> dict:
    """A cell's nbgrader metadata ({} when absent or malformed)."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def kind(cell: dict) -> str:
    """markdown, setup, answer, test or demo (as in nbauthor's text format)."""
    meta = grader_meta(cell)
    if cell["cell_type"] != "code":
        return "markdown"
    if meta.get("grade"):
        return "test"
    if meta.get("solution"):
        return "answer"
    if meta.get("locked"):
        return "setup"
    return "demo"


def answer_sources(nb: dict) -> dict[str, str]:
    """grade_id -> source of every answer cell (solution markers stripped)."""
    return {grader_meta(c)["grade_id"]: strip_markers(source(c))
            for c in nb["cells"] if kind(c) == "answer"}


def test_cells(nb: dict) -> list[tuple[str, float, str]]:
    """(grade_id, points, source) of every test cell, hidden parts included."""
    return [(grader_meta(c)["grade_id"], float(grader_meta(c).get("points", 0)), strip_markers(source(c)))
            for c in nb["cells"] if kind(c) == "test"]


def exercise_of(grade_id: str) -> str:
    """The exercise a test cell belongs to: test_<name>__<property> -> name."""
    return grade_id[len("test_"):].split("__", 1)[0]


def build_namespace(nb: dict, answers: Mapping[str, str] | None = None) -> dict:
    """Execute setup and answer cells in order; `answers` replaces answer sources by grade_id."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    answers = dict(answer_sources(nb), **(answers or {}))
    ns: dict = {"__name__": "__main__"}
    for cell in nb["cells"]:
        k = kind(cell)
        if k == "setup":
            code = strip_markers(source(cell))
        elif k == "answer":
            code = answers[grader_meta(cell)["grade_id"]]
        else:
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, f"<{k} cell>", "exec"), ns)
    return ns


@dataclass(frozen=True)
class CellScore:
    grade_id: str
    score: float
    max_score: float
    output: str


def run_tests(nb: dict, ns: dict, only: set[str] | None = None) -> dict[str, CellScore]:
    """Each test cell earns its points when it runs without raising, as in nbgrader.

    `only`, when given, restricts the run to the test cells of those exercises.
    """
    scores = {}
    for grade_id, points, code in test_cells(nb):
        if only is not None and exercise_of(grade_id) not in only:
            continue
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"<{grade_id}>", "exec"), ns)
            earned = points
        except Exception as exc:  # noqa: BLE001 - a failing test cell, as in nbgrader
            print(f"{type(exc).__name__}: {exc}", file=out)
            earned = 0.0
        scores[grade_id] = CellScore(grade_id, earned, points, out.getvalue())
    return scores


def grade_in_process(notebook: str | Path, answers: Mapping[str, str] | None = None,
                     only: set[str] | None = None) -> dict[str, CellScore]:
    """Scores of the test cells of a source notebook with some answers replaced."""
    nb = load(notebook)
    try:
        ns = build_namespace(nb, answers)
    except Exception as exc:  # noqa: BLE001 - an answer that does not even define
        return {gid: CellScore(gid, 0.0, pts, f"answers failed to run: {exc}")
                for gid, pts, _ in test_cells(nb)
                if only is None or exercise_of(gid) in only}
    return run_tests(nb, ns, only)
