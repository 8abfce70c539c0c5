"""The autograded notebook: the released notebook with a student's answers and the
verdicts as the test cells' outputs (what formgrader and nbgrader's feedback show).

A student reads the visible checks' lines in full; of the hidden checks, only
which held (`hidden_summary`) and, for a failure, the grader's own words
(`HIDDEN_WORDS`), never text that the student's code produced while hidden
checks called it. `show_hidden` shows the hidden checks' code and messages.
The named mistake an exercise's answer behaves like ("This looks like ...") is
said once, in the first test cell of the exercise that carries it, not under every
failed cell.

The figures the student's own notebook shows are kept: the PNG and JPEG outputs of
the course's demo cells (matched to the release by cell id, or else by identical
source), each up to `MAX_FIGURE_BYTES` and `MAX_FIGURES_BYTES` a notebook, and only
when their data is plain base64 (nbconvert writes it into an `<img src=...>`
attribute). Nothing else of a submission's outputs is kept: its text, HTML, SVG
and JavaScript are the student's and may be hostile.
"""
from __future__ import annotations

import json
import re

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

MISTAKE_PREFIX = "This looks like "
FIGURE_TYPES = ("image/png", "image/jpeg")
MAX_FIGURE_BYTES = 1 << 20          # one figure's base64, at most
MAX_FIGURES_BYTES = 8 << 20         # all kept figures of a notebook, at most
BASE64 = re.compile(r"[A-Za-z0-9+/=\s]+")


def _stdout(text: str) -> list[dict]:
    return [{"output_type": "stream", "name": "stdout",
             "text": escape_controls(text, keep="\n\t")}]


def test_cell_text(v: Verdict, show_hidden: bool, told: set[str] | None = None) -> str:
    """A test cell's output: its check lines, then, unless it passed, `[status] why`.
    `told`: the named mistakes said in earlier cells, left out here (and added to)."""
    told = set() if told is None else told
    lines = []
    for line in v.lines + (v.hidden_lines if show_hidden else v.hidden_summary):
        named = line.strip().startswith(MISTAKE_PREFIX)
        if named and line.strip() in told:
            continue
        if named:
            told.add(line.strip())
        lines.append(line)
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
    figures, told = _Figures(sub), set()
    for cell in release["cells"]:
        if cell["cell_type"] != "code":
            continue
        cell["outputs"], cell["execution_count"] = [], None
        k = answers.kind(cell)
        if k == "demo":
            cell["outputs"] = figures.of(cell)
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
            cell["outputs"] = _stdout(test_cell_text(verdicts[gid], show_hidden, told))
    return release


class _Figures:
    """The figures of a submission's cells, found for the release's demo cells."""

    def __init__(self, sub: dict):
        self.by_id: dict[str, dict] = {}
        self.by_source: dict[str, dict] = {}
        for cell in sub.get("cells", []):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            if isinstance(cell.get("id"), str):
                self.by_id.setdefault(cell["id"], cell)
            self.by_source.setdefault(answers.source(cell), cell)
        self.budget = MAX_FIGURES_BYTES

    def of(self, cell: dict) -> list[dict]:
        """The kept figure outputs of the submission's copy of this demo cell."""
        mine = self.by_id.get(cell.get("id")) or self.by_source.get(answers.source(cell))
        outputs = mine.get("outputs") if mine else None
        kept = []
        for out in outputs if isinstance(outputs, list) else []:
            data = out.get("data") if isinstance(out, dict) else None
            if not isinstance(data, dict) or out.get("output_type") not in (
                    "display_data", "execute_result"):
                continue
            for mime in FIGURE_TYPES:
                image = data.get(mime)
                if isinstance(image, list):
                    image = "".join(p for p in image if isinstance(p, str))
                if (isinstance(image, str) and len(image) <= min(MAX_FIGURE_BYTES, self.budget)
                        and BASE64.fullmatch(image)):
                    self.budget -= len(image)
                    kept.append({"output_type": "display_data", "metadata": {},
                                 "data": {mime: image}})
                    break
        return kept
