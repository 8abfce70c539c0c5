"""Grade one submission notebook: run its answers in a kernel, judge here.

`grade_unit(unit, settings)` is the work unit of `betternets grade`: plain data
in (the submission's bytes, the source and released notebooks), plain data out
(one verdict per test cell). It runs the same in a local worker process and
on a Dask worker.

1. The submission is read as JSON. Answer cells are found by grade_id; setup
   cells come from the source notebook; demos, plots, the student's own test
   cells and any cell the student added are not run.
2. A sandboxed kernel runs setup and answer cells in the source's order. A
   cell that times out or kills the kernel is skipped: the kernel restarts,
   replays the cells before it, and goes on.
3. Each test cell of the SOURCE notebook is read for `check("x")` and
   `check_hidden("x", "p")`; each property runs here, in the grader, with a
   `Caller` whose calls go to the kernel. A call that times out or crashes
   costs that property only (after two faults, the rest of that exercise).
"""
from __future__ import annotations

import ast
import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from betternets.checks import serve as wire
from betternets.checks.calls import (CallRecord, Caller, MissingAnswer, NotImplementedYet,
                                     StudentError)
from betternets.checks.core import VISIBLE, Result, collapse_stubs, diagnose, evaluate

from .. import HIDDEN, answers, load_hidden_checks
from ..rows import escape_controls
from .kernel import Kernel, KernelFault, Limits

PASSED, FAILED, ERROR, TIMEOUT, CRASHED, MISSING, TAMPERED = (
    "passed", "failed", "error", "timeout", "crashed", "missing", "tampered")
STATUSES = (PASSED, FAILED, ERROR, TIMEOUT, CRASHED, MISSING, TAMPERED)
ENGINE_VERSION = "2"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def clean(text: str, limit: int = 10_000) -> str:
    """Captured output: colour codes removed, other control characters escaped, capped."""
    text = escape_controls(_ANSI.sub("", text or ""), keep="\n\t")
    data = text.encode("utf-8", "replace")
    if len(data) > limit:
        text = data[:limit].decode("utf-8", "ignore") + \
            f"\n... [output cut: {len(data) - limit} more bytes]"
    return text


def one_line(text: str, limit: int = 240) -> str:
    """One line of at most `limit` characters, control characters escaped."""
    line = escape_controls(" ".join(_ANSI.sub("", str(text)).split()))
    return line if len(line) <= limit else line[:limit - 3] + "..."


@dataclass
class Settings:
    """What an instructor may set for a grading run; the limits' defaults are `Limits`'s,
    and the `betternets grade` options read theirs from here."""
    timeout: float = Limits.timeout
    notebook_timeout: float = Limits.notebook_timeout
    memory_mb: int = Limits.memory_mb
    output_bytes: int = Limits.output_bytes
    sandbox: bool = True
    disk_mb: int = Limits.disk_mb
    setup_timeout: float = 0.0     # per setup cell; 0: three times `timeout`, at least 30 s

    def limits(self) -> Limits:
        return Limits(timeout=self.timeout, notebook_timeout=self.notebook_timeout,
                      memory_mb=self.memory_mb, output_bytes=self.output_bytes,
                      disk_mb=self.disk_mb)

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass
class CellVerdict:
    grade_id: str
    points: float
    score: float
    status: str
    reason: str = ""
    lines: list[str] = field(default_factory=list)          # visible check lines
    hidden_lines: list[str] = field(default_factory=list)   # hidden check lines (full)
    hidden_summary: list[str] = field(default_factory=list)  # hidden, without messages
    reason_hidden: bool = False   # the reason comes from a hidden check: not for students


# ---------------------------------------------------------------- the test plan

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
    """The notebook, or None and why it cannot be read."""
    if not data.strip():
        return None, "not a readable notebook: the file is empty"
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
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
            notes[gid] = "tampered: the test cell was deleted or its metadata removed"
        elif len(theirs) > 1:
            notes[gid] = "tampered: the test cell appears more than once"
        elif answers.source(theirs[0]).strip() != answers.source(cell).strip():
            notes[gid] = "tampered: the test cell was edited"
        elif {k: answers.grader_meta(theirs[0]).get(k) for k in ("grade", "points", "solution", "locked")} \
                != {k: meta.get(k) for k in ("grade", "points", "solution", "locked")}:
            notes[gid] = "tampered: the test cell's metadata was edited"
    return notes


# ---------------------------------------------------------------- judging

class RemoteCaller:
    """An executor for `Caller` whose calls go to the kernel; faults propagate. `many` is
    the Caller's batch: one request for several calls, each reply judged as `__call__`
    judges one."""

    def __init__(self, session: "Session"):
        self.session = session

    def __call__(self, name: str, args: tuple, kwargs: dict) -> CallRecord:
        return self.record(name, args, kwargs, self.session.call(name, args, kwargs))

    def many(self, calls: list[tuple[str, tuple, dict]]) -> list[CallRecord]:
        replies = self.session.call_many(calls)
        return [self.record(name, args, kwargs, reply)
                for (name, args, kwargs), reply in zip(calls, replies)]

    def caller(self) -> Caller:
        return Caller(self, batch=self.many)

    @staticmethod
    def record(name: str, args: tuple, kwargs: dict, reply: dict) -> CallRecord:
        """The record of one call from the kernel's reply, or the exception it raised."""
        if reply.get("ok"):
            try:
                value = wire.decode(reply.get("value"))
            except wire.Unjudgeable as exc:
                raise wire.Unjudgeable(f"{exc} (what {name} returned)") from None
            mutated, warns = reply.get("mutated", []), reply.get("warnings", [])
            if not (isinstance(mutated, list) and isinstance(warns, list)):
                raise wire.Unjudgeable("malformed call record")
            mutated = [str(m) for m in mutated]
            for label in changed_arguments(args, kwargs, reply.get("after")):
                if label not in mutated:
                    mutated.append(label)
            return CallRecord(value=value, mutated=mutated,
                              warnings=[str(w) for w in warns],
                              global_rng_used=bool(reply.get("global_rng_used")))
        if "unjudgeable" in reply:
            raise wire.Unjudgeable(f"{one_line(reply['unjudgeable'], 160)} "
                                   f"(what {name} returned or took)")
        err = reply.get("error")
        if isinstance(err, dict):
            cls = {"NotImplementedYet": NotImplementedYet, "MissingAnswer": MissingAnswer}.get(
                err.get("class"), StudentError)
            raise cls(str(err.get("name", name)), str(err.get("kind", "Exception")),
                      str(err.get("message", "")))
        raise StudentError(name, str(reply.get("ename", "Error")), str(reply.get("evalue", "")))


def _same_data(sent: Any, after: Any) -> bool:
    """Is `after` (JSON from the kernel) the same data as `sent`? Judged here, with numpy
    as the grader has it, whatever the submission did to numpy in its kernel."""
    import numpy as np
    from betternets.checks.calls import Answer, Fn, Rng
    if isinstance(sent, (Rng, Fn, Answer)):
        return True
    if isinstance(sent, (list, tuple)):
        return (isinstance(after, list) and len(after) == len(sent)
                and all(_same_data(a, b) for a, b in zip(sent, after)))
    if isinstance(sent, dict):
        if not (isinstance(after, dict) and isinstance(after.get("__dict__"), list)):
            return False
        pairs = {k: v for k, v in after["__dict__"] if isinstance(k, str)} \
            if all(isinstance(p, list) and len(p) == 2 for p in after["__dict__"]) else None
        return (pairs is not None and pairs.keys() == sent.keys()
                and all(_same_data(sent[k], pairs[k]) for k in sent))
    try:
        value = wire.decode(after)
    except wire.Unjudgeable:
        return False
    if isinstance(sent, np.ndarray) or isinstance(value, np.ndarray):
        return (isinstance(sent, np.ndarray) and isinstance(value, np.ndarray)
                and sent.shape == value.shape and sent.dtype == value.dtype
                and bool(np.array_equal(sent, value, equal_nan=sent.dtype.kind in "fc")))
    try:
        return type(sent) is type(value) and bool(sent == value or (sent != sent and value != value))
    except Exception:  # noqa: BLE001
        return False


def changed_arguments(args: tuple, kwargs: dict, after: Any) -> list[str]:
    """Arguments the call changed in place, judged in the grader from the kernel's report
    of the arguments after the call."""
    if not (isinstance(after, list) and len(after) == 2 and isinstance(after[0], list)
            and len(after[0]) == len(args)):
        return []
    labels = [f"argument {i + 1}" for i, (a, b) in enumerate(zip(args, after[0]))
              if not _same_data(a, b)]
    kw = after[1]
    if isinstance(kw, dict) and isinstance(kw.get("__dict__"), list):
        pairs = {p[0]: p[1] for p in kw["__dict__"] if isinstance(p, list) and len(p) == 2
                 and isinstance(p[0], str)}
        labels += [f"argument {k}=" for k in kwargs if k in pairs
                   and not _same_data(kwargs[k], pairs[k])]
    return labels


class GraderFault(BaseException):
    """The grader, not the student, could not grade this notebook (the course's own setup
    cells did not run, twice): the notebook is marked `error` with this reason and is
    regraded by the next run. A BaseException, so that no check and no fault handler
    takes it for the student's doing."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Session:
    """The kernel of one submission: the cells that ran, restarts after faults.

    After a restart the kernel replays the course's setup cells and the answer cells that
    ran before. The setup cells are the course's code: a setup cell that times out or
    dies (an overloaded machine) is retried once on a fresh kernel; a second failure is
    the grader's fault (`GraderFault`), never silently the student's.
    """

    def __init__(self, cells: list[tuple[str, str]], settings: Settings, hidden: list[Path],
                 setup: set[str] | None = None):
        self.cells = cells                      # (cell id, code) in order
        self.setup = set(setup or ())           # ids of the course's setup cells
        self.settings = settings
        self.kernel = Kernel(settings.limits(), sandbox=settings.sandbox, hidden=hidden)
        self.outcome: dict[str, tuple[str, str, str]] = {}   # cell id -> (status, reason, out)
        self.good: list[str] = []
        self.reached: set[str] = set()          # setup cells the notebook got to
        self.results: dict = {}                 # property -> Result, judged once
        self.started = time.monotonic()
        self.restarts = 0
        self.setup_faults = 0

    def budget(self, setup: bool = False) -> float:
        left = self.settings.notebook_timeout - (time.monotonic() - self.started)
        if left <= 0:
            raise _NotebookTimeout()
        limit = self.settings.timeout
        if setup:
            limit = self.settings.setup_timeout or max(3 * self.settings.timeout, 30.0)
        return min(limit, left)

    def _setup_failed(self, fault: KernelFault) -> None:
        self.setup_faults += 1
        if self.setup_faults >= 2:
            raise GraderFault(
                f"not graded: the course's setup cells {_fault_words(fault)}, twice "
                "(an overloaded machine?); not counted against the student: the next run "
                "of betternets grade grades this notebook again")

    def _boot(self) -> None:
        """A fresh kernel with the setup cells and the good answer cells replayed."""
        for _ in range(len(self.cells) + 2):
            self.budget()
            try:
                self.kernel.start(timeout=max(30.0, self.settings.timeout))
                for cid, code in self.cells:
                    if cid in self.setup:
                        if cid not in self.reached:
                            continue
                        try:
                            self.kernel.run(code, timeout=self.budget(setup=True))
                        except _NotebookTimeout:
                            raise
                        except KernelFault as fault:
                            self._setup_failed(fault)
                            raise
                    elif cid in self.good:
                        try:
                            self.kernel.run(code, timeout=self.budget())
                        except _NotebookTimeout:
                            raise
                        except KernelFault:
                            # it ran before and does not any more: its first outcome
                            # stands, and it is no longer replayed
                            self.good.remove(cid)
                            raise
                return
            except _NotebookTimeout:
                raise
            except KernelFault:
                continue

    def run_cells(self) -> None:
        try:
            self.kernel.start(timeout=max(30.0, self.settings.timeout))
        except KernelFault as fault:   # the grader's side: once more, then not graded
            try:
                self.kernel.start(timeout=max(30.0, self.settings.timeout))
            except KernelFault as again:
                raise GraderFault(f"not graded: the kernel could not start ({again.reason}), "
                                  "twice; the next run of betternets grade grades this "
                                  "notebook again") from fault
        for cid, code in self.cells:
            setup = cid in self.setup
            try:
                reply = self.kernel.run(code, timeout=self.budget(setup))
            except _NotebookTimeout:
                self.outcome[cid] = (TIMEOUT, "the notebook ran out of time before this cell", "")
                continue
            except KernelFault as fault:
                if setup:   # the course's own code: once more on a fresh kernel
                    self._setup_failed(fault)
                    self.restart()
                    try:
                        reply = self.kernel.run(code, timeout=self.budget(setup))
                    except _NotebookTimeout:
                        self.outcome[cid] = (TIMEOUT, "the notebook ran out of time "
                                             "before this cell", "")
                        continue
                    except KernelFault as again:
                        self._setup_failed(again)
                        raise
                else:
                    self.outcome[cid] = (fault.status, f"the cell {_fault_words(fault)}", "")
                    self.restart()
                    continue
            out = clean(reply.get("out", ""), self.settings.output_bytes)
            if setup:
                self.reached.add(cid)
            if reply.get("ok"):
                self.outcome[cid] = (PASSED, "", out)
                self.good.append(cid)
            else:
                reason = one_line(f"{reply.get('ename')}: {reply.get('evalue')}")
                self.outcome[cid] = (ERROR, f"the cell raised {reason}", out)
                self.good.append(cid)  # what it defined before raising still counts

    def restart(self) -> None:
        self.restarts += 1
        try:
            self._boot()
        except (KernelFault, _NotebookTimeout):
            pass

    @property
    def leftovers(self) -> list[str]:
        return list(self.kernel.leftovers)

    def call(self, name: str, args: tuple, kwargs: dict) -> dict:
        if self.kernel.proc is None:
            self.restart()
        return self.kernel.call(name, args, kwargs, timeout=self.budget())

    def call_many(self, calls: list[tuple[str, tuple, dict]]) -> list[dict]:
        """One request for several calls: each has the per-call timeout, and all of them
        the notebook's time that is left."""
        if self.kernel.proc is None:
            self.restart()
        left = self.budget()
        return self.kernel.call_many(calls, timeout=min(self.settings.timeout, left),
                                     total=self.settings.notebook_timeout
                                     - (time.monotonic() - self.started))

    def close(self) -> None:
        self.kernel.close()


class _NotebookTimeout(KernelFault):
    status = TIMEOUT

    def __init__(self):
        super().__init__("the notebook's time limit ran out")


def _fault_words(fault: KernelFault) -> str:
    if fault.status == TIMEOUT:
        return f"{fault.reason}" if isinstance(fault, _NotebookTimeout) else \
            "ran past the time limit and was stopped"
    return f"crashed the kernel: {fault.reason}"


def grade_unit(unit: dict, settings: Settings | dict | None = None) -> dict:
    """Verdicts for one submission notebook. `unit`: student, assignment, data (bytes or
    str), source (the source notebook's JSON text), release (the student version's)."""
    if isinstance(settings, dict):
        settings = Settings(**settings)
    settings = settings or Settings()
    load_hidden_checks()
    from betternets.checks import load_visible_checks
    load_visible_checks()
    t0 = time.monotonic()
    source = json.loads(unit["source"])
    release = json.loads(unit["release"])
    data = unit["data"].encode("utf-8") if isinstance(unit["data"], str) else unit["data"]
    tests = answers.test_cells(source)
    result = {"student": unit["student"], "assignment": unit["assignment"],
              "sandboxed": False, "cells": [], "answers": {}, "restarts": 0}

    def all_cells(status: str, reason: str) -> dict:
        result["cells"] = [asdict(CellVerdict(gid, pts, 0.0, status, reason))
                           for gid, pts, _ in tests]
        result["seconds"] = time.monotonic() - t0
        return result

    nb, problem = read_submission(data)
    if nb is None:
        return all_cells(ERROR, problem)

    # answer cells of the submission, by grade_id
    found: dict[str, list[dict]] = {}
    for cell in nb["cells"]:
        if not isinstance(cell, dict):
            continue
        gid = answers.grader_meta(cell).get("grade_id")
        if isinstance(gid, str):
            found.setdefault(gid, []).append(cell)
    answer_ids = [answers.grader_meta(c)["grade_id"] for c in source["cells"]
                  if answers.kind(c) == "answer"]
    if answer_ids and not any(g in found for g in answer_ids):
        others = [one_line(g, 40) for g in sorted(g for g in found
                                                  if not g.startswith("setup"))[:4]]
        hint = f" (its cells are {', '.join(others)})" if others else ""
        return all_cells(MISSING, one_line("none of this notebook's answer cells are in the "
                                           "file: is it another notebook saved under this "
                                           f"name?{hint}", 300))
    notes = tamper_notes(nb, release)

    # what runs: setup from the source, answers from the submission
    cells: list[tuple[str, str]] = []
    setup_ids: set[str] = set()
    status_of_answer: dict[str, tuple[str, str]] = {}
    name_to_cell: dict[str, str] = {}
    for cell in source["cells"]:
        k = answers.kind(cell)
        gid = answers.grader_meta(cell).get("grade_id", "")
        if k == "setup":
            gid = gid or f"setup-{len(cells)}"
            setup_ids.add(gid)
            cells.append((gid, answers.strip_markers(answers.source(cell))))
        elif k == "answer":
            for name in defined_names(answers.strip_markers(answers.source(cell))):
                name_to_cell[name] = gid
            theirs = [c for c in found.get(gid, []) if c.get("cell_type") == "code"]
            if len(found.get(gid, [])) > 1:
                status_of_answer[gid] = (TAMPERED, f"grade_id {gid!r} appears "
                                         f"{len(found[gid])} times in the notebook")
            elif not theirs:
                status_of_answer[gid] = (MISSING, f"the answer cell {gid!r} is not in the "
                                         "notebook (deleted, or its metadata removed)")
            else:
                cells.append((gid, answers.source(theirs[0])))

    hidden_dirs = [Path(__file__).resolve().parents[1]]
    session = Session(cells, settings, hidden_dirs, setup_ids)
    try:
        try:
            session.run_cells()
        except KernelFault as fault:  # the kernel would not even start
            return all_cells(CRASHED, one_line(f"the kernel could not start: {fault.reason}"))
        except GraderFault as fault:
            result["grader_fault"] = True
            return all_cells(ERROR, one_line(fault.reason, 300))
        result["sandboxed"] = session.kernel.sandboxed
        for cid, (st, reason, out) in session.outcome.items():
            result["answers"][cid] = {"status": st, "reason": reason, "output": out}
            if cid in answer_ids and st != PASSED:
                status_of_answer.setdefault(cid, (st, f"answer cell {cid!r}: {reason}"))
        for gid, (st, reason) in status_of_answer.items():
            result["answers"].setdefault(gid, {"status": st, "reason": reason, "output": ""})

        caller = RemoteCaller(session).caller()
        faults: dict[str, list[KernelFault]] = {}
        named: dict[str, list[str]] = {}
        stubs_told: set[str] = set()
        try:
            _judge_in_phases(tests, caller, session, faults)
            for gid, points, code in tests:
                verdict = _judge_cell(gid, points, code, caller, session, faults,
                                      status_of_answer, name_to_cell, named, stubs_told)
                verdict.reason_hidden = _reason_is_hidden(code, session, verdict)
                if gid in notes:
                    verdict.reason = (verdict.reason + "; " if verdict.reason else "") + notes[gid]
                verdict.reason = one_line(verdict.reason, 300)
                result["cells"].append(asdict(verdict))
        except GraderFault as fault:
            result["grader_fault"] = True
            result["cells"] = []
            return all_cells(ERROR, one_line(fault.reason, 300))
        result["restarts"] = session.restarts
    finally:
        session.close()
        result["leftovers"] = session.leftovers
        result["uids"] = sorted(session.kernel.uids)
    result["seconds"] = time.monotonic() - t0
    return result


def _properties(code: str) -> list[tuple[object, bool]]:
    """(property, hidden) for each check of a test cell, in order; [] if not judgeable."""
    try:
        plan = test_plan(code)
    except (SyntaxError, ValueError):
        return []
    out = []
    for kind, exercise, prop in plan:
        registry = VISIBLE if kind == "visible" else HIDDEN
        try:
            props = registry.properties(exercise) if prop is None else \
                [registry.get(exercise, prop)]
        except ValueError:
            return []
        out += [(p, kind == "hidden") for p in props]
    return out


def _judge_in_phases(tests, caller, session: Session, faults) -> None:
    """Every visible check of the notebook first, then every hidden one.

    The kernel keeps state between calls: a submission can record the inputs it is
    given. Because no visible check runs after a hidden one, nothing a submission saw
    during the hidden checks can come back in a visible check's message (which
    students see); the hidden checks' own messages are not shown to students.
    """
    plans = [_properties(code) for _, _, code in tests]
    for phase in (False, True):
        for plan in plans:
            for p, hidden in plan:
                if hidden == phase:
                    _run_property(p, caller, session, faults)


def _reason_is_hidden(code: str, session: Session, verdict: CellVerdict) -> bool:
    """Does the verdict's reason come from a hidden check (so that students get no text
    of it)?"""
    if verdict.status == PASSED:
        return False
    for p, hidden in _properties(code):
        r = session.results.get(p)
        if r is not None and r.status != PASSED:
            return hidden
    return bool(verdict.hidden_lines)


def _named_mistakes(exercise: str, caller, session, named: dict[str, list[str]]) -> list[str]:
    """'This looks like ...' lines for a failed exercise, found once per exercise by behaviour.

    KernelFault is a BaseException, so it passes diagnose's `except Exception`: a detector
    that hangs or crashes the kernel ends the search and the kernel is restarted.
    """
    if exercise not in named:
        try:
            found = diagnose(VISIBLE.mistakes(exercise) + HIDDEN.mistakes(exercise), caller)
        except KernelFault:
            session.restart()
            found = []
        named[exercise] = [f"This looks like {m.label}: {m.hint}" for m in found]
    return named[exercise]


def _judge_cell(gid, points, code, caller, session, faults, status_of_answer,
                name_to_cell, named, stubs_told: set[str]) -> CellVerdict:
    try:
        plan = test_plan(code)
    except (SyntaxError, ValueError) as exc:
        return CellVerdict(gid, points, 0.0, ERROR, one_line(f"test cell not judged: {exc}"))
    results: list[tuple[Result, bool]] = []
    for kind, exercise, prop in plan:
        registry = VISIBLE if kind == "visible" else HIDDEN
        try:
            props = registry.properties(exercise) if prop is None else [registry.get(exercise,
                                                                                     prop)]
        except ValueError as exc:
            return CellVerdict(gid, points, 0.0, ERROR, one_line(f"test cell not judged: {exc}"))
        for p in props:
            results.append((_run_property(p, caller, session, faults), kind == "hidden"))
    for i, (r, hidden) in enumerate(results):
        if r.status == MISSING:
            name = _missing_name(r.message)
            cell = name_to_cell.get(name, name)
            if cell in status_of_answer:
                st, why = status_of_answer[cell]
                results[i] = (Result(r.exercise, r.prop, r.description, st, why, ""), hidden)
    failed = [r for r, _ in results if r.status != PASSED]
    verdict = CellVerdict(gid, points, 0.0 if failed else points,
                          failed[0].status if failed else PASSED,
                          one_line(failed[0].message or failed[0].description) if failed else "")
    hidden_of = {id(r): hidden for r, hidden in results}
    for r in collapse_stubs([r for r, _ in results], told=stubs_told):
        if r.unimplemented:  # said once per notebook, where the exercise is first judged
            verdict.lines.append(r.line())
        elif hidden_of[id(r)]:
            verdict.hidden_lines.append(r.line())
            verdict.hidden_summary.append(r.line(detail=False))
        else:
            verdict.lines.append(r.line())
    if failed and failed[0].status == FAILED:
        verdict.lines += _named_mistakes(failed[0].exercise, caller, session, named)
    return verdict


def _missing_name(message: str) -> str:
    m = re.search(r"no function named '([^']+)'", message or "")
    return m.group(1) if m else ""


def _run_property(p, caller, session, faults) -> Result:
    if p in session.results:    # judged in its phase already (see _judge_in_phases)
        return session.results[p]
    session.results[p] = result = _evaluate_once(p, caller, session, faults)
    return result


def _evaluate_once(p, caller, session, faults) -> Result:
    prior = faults.get(p.exercise, [])
    if len(prior) >= 2:
        last = prior[-1]
        return Result(p.exercise, p.name, p.description, last.status,
                    f"not run: {p.exercise} already {_fault_words(last)} twice")
    try:
        r = evaluate(p, caller)
    except KernelFault as fault:
        faults.setdefault(p.exercise, []).append(fault)
        if not isinstance(fault, _NotebookTimeout):
            session.restart()
        return Result(p.exercise, p.name, p.description, fault.status,
                    f"the call to {p.exercise} {_fault_words(fault)}")
    return r


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()
