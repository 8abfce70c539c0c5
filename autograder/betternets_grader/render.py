"""The autograded notebook: the released notebook with a student's answers and the
verdicts as the test cells' outputs (what formgrader and nbgrader's feedback show).

A student reads the visible checks' lines in full; of the hidden checks, only
which held (`hidden_summary`) and, for a failure, the grader's own words
(`HIDDEN_WORDS`), never text that the student's code produced while hidden
checks called it. `show_hidden` shows the hidden checks' code and messages.
"""
from __future__ import annotations

import json

from betternets.checks.status import Status

from . import answers
from .engine.notebooks import read_submission
from .rows import escape_controls
from .verdicts import NotebookResult, Verdict

HIDDEN_WORDS = {Status.FAILED: "a hidden check did not hold",
                Status.ERROR: "a hidden check did not hold",
                Status.TIMEOUT: "a hidden check ran past the time limit",
                Status.CRASHED: "a hidden check crashed the kernel",
                Status.MISSING: "a hidden check found no answer to check",
                Status.TAMPERED: "a hidden check did not hold"}
"""What a student reads when a hidden check did not pass, by status."""


def _stdout(text: str) -> list[dict]:
    return [{"output_type": "stream", "name": "stdout",
             "text": escape_controls(text, keep="\n\t")}]


def test_cell_text(v: Verdict, show_hidden: bool) -> str:
    """A test cell's output: its check lines, then, unless it passed, `[status] why`."""
    lines = v.lines + (v.hidden_lines if show_hidden else v.hidden_summary)
    text = "\n".join(lines)
    if not v.passed:
        why = HIDDEN_WORDS.get(v.status, HIDDEN_WORDS[Status.FAILED]) \
            if v.reason_hidden and not show_hidden else v.reason
        text += ("\n" if text else "") + f"[{v.status}] {why}"
    return text + "\n"


def autograded_notebook(unit: dict, result: NotebookResult, show_hidden: bool) -> dict | None:
    """The released notebook with the student's answers and the verdicts as outputs;
    None when the submission is not a readable notebook."""
    data = unit["data"]
    sub, _ = read_submission(data if isinstance(data, bytes) else data.encode())
    if sub is None:
        return None
    release = json.loads(unit["release"])
    source = json.loads(unit["source"])
    source_tests = {answers.grader_meta(c)["grade_id"]: answers.source(c)
                    for c in source["cells"] if answers.kind(c) == "test"}
    theirs: dict[str, dict] = {}
    for cell in sub["cells"]:
        gid = answers.grader_meta(cell).get("grade_id")
        if isinstance(gid, str) and gid not in theirs:
            theirs[gid] = cell
    verdicts = {v.grade_id: v for v in result.cells}
    for cell in release["cells"]:
        if cell["cell_type"] != "code":
            continue
        cell["outputs"], cell["execution_count"] = [], None
        k = answers.kind(cell)
        gid = answers.grader_meta(cell).get("grade_id", "")
        if k == "answer":
            mine = theirs.get(gid)
            if mine is not None and isinstance(mine.get("source"), (str, list)):
                cell["source"] = answers.source(mine)
            ran = result.answers.get(gid)
            if ran:
                text = ran.output
                if ran.status != Status.PASSED:
                    text += ("\n" if text else "") + f"[{ran.status}] {ran.reason}"
                if text:
                    cell["outputs"] = _stdout(text)
        elif k == "test" and gid in verdicts:
            if show_hidden and gid in source_tests:
                cell["source"] = source_tests[gid]
            cell["outputs"] = _stdout(test_cell_text(verdicts[gid], show_hidden))
    return release
