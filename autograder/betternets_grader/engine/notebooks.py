"""What the grader reads from notebooks before it runs anything: the checks a test cell
asks for, the names an answer cell defines, a submission's JSON, and what a student
changed in the test cells."""
from __future__ import annotations

import ast

from betternets.checks.status import Status

from .. import answers
from ..rows import one_line
from ..texts import parse_json


def test_plan(code: str) -> list[tuple[str, str, str | None]]:
    """('visible', exercise, None) / ('hidden', exercise, prop) for each check in a test cell.

    Raises ValueError when the cell does anything else the grader cannot judge.
    """
    tree = ast.parse(code)
    plan = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        if (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                and isinstance(stmt.value.func, ast.Name)
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                        for a in stmt.value.args) and not stmt.value.keywords):
            fn, args = stmt.value.func.id, [a.value for a in stmt.value.args]
            if fn == "check" and len(args) == 1:
                plan.append(("visible", args[0], None))
                continue
            if fn == "check_hidden" and len(args) == 2:
                plan.append(("hidden", args[0], args[1]))
                continue
        raise ValueError(f"line {stmt.lineno}: only check(...) and check_hidden(...) "
                         "can be judged outside the kernel")
    return plan


def defined_names(code: str) -> set[str]:
    """Top-level names a (source) answer cell defines."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            names |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
    return names


def read_submission(data: bytes) -> tuple[dict | None, str]:
    """The notebook, or None and why it cannot be read: every step that reads a submission
    (the judge, the autograded notebook, the similarity) reads it here, so each refuses the
    same files (not UTF-8, not JSON, nested deeper than `texts.MAX_NESTING`) and sees only
    valid text (`texts.parse_json`)."""
    if not data.strip():
        return None, "not a readable notebook: the file is empty"
    try:
        nb = parse_json(data)
    except ValueError as exc:   # not UTF-8, not JSON, nested too deep
        return None, one_line(f"not a readable notebook: {type(exc).__name__}: {exc}", 300)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "not a readable notebook: no list of cells"
    return nb, ""


def tamper_notes(sub: dict, release: dict) -> dict[str, str]:
    """grade_id -> what the student changed in a test cell (they cost nothing)."""
    mine: dict[str, list[dict]] = {}
    for cell in sub["cells"]:
        gid = answers.grader_meta(cell).get("grade_id")
        if isinstance(gid, str):
            mine.setdefault(gid, []).append(cell)
    notes = {}
    for cell in release["cells"]:
        meta = answers.grader_meta(cell)
        if not meta.get("grade"):
            continue
        gid = meta["grade_id"]
        theirs = mine.get(gid, [])
        if not theirs:
            notes[gid] = f"{Status.TAMPERED}: the test cell was deleted or its metadata removed"
        elif len(theirs) > 1:
            notes[gid] = f"{Status.TAMPERED}: the test cell appears more than once"
        elif answers.source(theirs[0]).strip() != answers.source(cell).strip():
            notes[gid] = f"{Status.TAMPERED}: the test cell was edited"
        elif {k: answers.grader_meta(theirs[0]).get(k) for k in ("grade", "points", "solution", "locked")} \
                != {k: meta.get(k) for k in ("grade", "points", "solution", "locked")}:
            notes[gid] = f"{Status.TAMPERED}: the test cell's metadata was edited"
    return notes
