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

import hashlib
import json
import time
from dataclasses import replace
from pathlib import Path

from betternets.checks.core import VISIBLE, Property, Result, collapse_stubs, diagnose, evaluate
from betternets.checks.status import Status

from .. import HIDDEN, answers, load_hidden_checks
from ..rows import clean, one_line
from ..verdicts import AnswerRun, NotebookResult, Verdict, bound_texts, every_cell
from .faults import KernelFault
from .kernel import Kernel
from .notebooks import defined_names, read_submission, tamper_notes, test_plan
from .remote import RemoteCaller
from .settings import Settings

ENGINE_VERSION = "3"   # part of the resume cache's key: bumped when verdicts or their JSON change


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
                 setup: set[str] | None = None, seed: int | None = None):
        self.cells = cells                      # (cell id, code) in order
        self.setup = set(setup or ())           # ids of the course's setup cells
        self.settings = settings
        self.kernel = Kernel(settings.limits(), sandbox=settings.sandbox, hidden=hidden,
                             seed=seed)
        self.outcome: dict[str, AnswerRun] = {}   # cell id -> how it ran
        self.good: list[str] = []
        self.reached: set[str] = set()          # setup cells the notebook got to
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
                self.outcome[cid] = AnswerRun(Status.TIMEOUT, "the notebook ran out of time "
                                              "before this cell")
                continue
            except KernelFault as fault:
                if setup:   # the course's own code: once more on a fresh kernel
                    self._setup_failed(fault)
                    self.restart()
                    try:
                        reply = self.kernel.run(code, timeout=self.budget(setup))
                    except _NotebookTimeout:
                        self.outcome[cid] = AnswerRun(Status.TIMEOUT, "the notebook ran "
                                                      "out of time before this cell")
                        continue
                    except KernelFault as again:
                        self._setup_failed(again)
                        raise
                else:
                    self.outcome[cid] = AnswerRun(fault.status, f"the cell {_fault_words(fault)}")
                    self.restart()
                    continue
            out = clean(reply.get("out", ""), self.settings.output_bytes)
            if setup:
                self.reached.add(cid)
            if reply.get("ok"):
                self.outcome[cid] = AnswerRun(Status.PASSED, "", out)
                self.good.append(cid)
            else:
                reason = one_line(f"{reply.get('ename')}: {reply.get('evalue')}")
                self.outcome[cid] = AnswerRun(Status.ERROR, f"the cell raised {reason}", out)
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
    status = Status.TIMEOUT

    def __init__(self):
        super().__init__("the notebook's time limit ran out")


def _fault_words(fault: KernelFault) -> str:
    if fault.status == Status.TIMEOUT:
        return f"{fault.reason}" if isinstance(fault, _NotebookTimeout) else \
            "ran past the time limit and was stopped"
    return f"crashed the kernel: {fault.reason}"


def submission_seed(data: bytes | str) -> int:
    """The seed of a submission's kernel (numpy's and `random`'s global generators), from
    its bytes: an answer that draws from them is judged the same in every run, locally or
    on a cluster, and two submissions get different draws."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return int.from_bytes(hashlib.sha256(raw).digest()[:4], "big")


def grade_unit(unit: dict, settings: Settings | None = None) -> NotebookResult:
    """Verdicts for one submission notebook. `unit`: student, assignment, data (bytes or
    str), source (the source notebook's JSON text), release (the student version's)."""
    settings = settings or Settings()
    load_hidden_checks()
    from betternets.checks import load_visible_checks
    load_visible_checks()
    t0 = time.monotonic()
    source = json.loads(unit["source"])
    release = json.loads(unit["release"])
    data = unit["data"].encode("utf-8") if isinstance(unit["data"], str) else unit["data"]
    tests = answers.test_cells(source)
    student, assignment = unit["student"], unit["assignment"]
    result = NotebookResult(student, assignment)

    def all_cells(status: Status, reason: str, grader_fault: bool = False) -> NotebookResult:
        result.cells = every_cell(student, assignment, [(g, p) for g, p, _ in tests],
                                  status, reason)
        result.grader_fault = grader_fault
        result.seconds = time.monotonic() - t0
        return result

    nb, problem = read_submission(data)
    if nb is None:
        return all_cells(Status.ERROR, problem)

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
        return all_cells(Status.MISSING, one_line("none of this notebook's answer cells are in "
                                                  "the file: is it another notebook saved under "
                                                  f"this name?{hint}", 300))
    notes = tamper_notes(nb, release)

    # what runs: setup from the source, answers from the submission
    cells: list[tuple[str, str]] = []
    setup_ids: set[str] = set()
    status_of_answer: dict[str, AnswerRun] = {}   # answer cells that did not run cleanly
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
                status_of_answer[gid] = AnswerRun(Status.TAMPERED, f"grade_id {gid!r} appears "
                                                  f"{len(found[gid])} times in the notebook")
            elif not theirs:
                status_of_answer[gid] = AnswerRun(Status.MISSING, f"the answer cell {gid!r} is "
                                                  "not in the notebook (deleted, or its "
                                                  "metadata removed)")
            else:
                cells.append((gid, answers.source(theirs[0])))

    hidden_dirs = [Path(__file__).resolve().parents[1]]
    session = Session(cells, settings, hidden_dirs, setup_ids, seed=submission_seed(data))
    try:
        try:
            session.run_cells()
        except KernelFault as fault:  # the kernel would not even start
            return all_cells(Status.CRASHED,
                             one_line(f"the kernel could not start: {fault.reason}"))
        except GraderFault as fault:
            return all_cells(Status.ERROR, one_line(fault.reason, 300), grader_fault=True)
        result.sandboxed = session.kernel.sandboxed
        for cid, ran in session.outcome.items():
            result.answers[cid] = ran
            if cid in answer_ids and ran.status != Status.PASSED:
                status_of_answer.setdefault(cid, AnswerRun(ran.status,
                                                           f"answer cell {cid!r}: {ran.reason}"))
        for gid, ran in status_of_answer.items():
            result.answers.setdefault(gid, AnswerRun(ran.status, ran.reason))

        judge = _Judge(student, assignment, session, status_of_answer, name_to_cell)
        try:
            judge.in_phases(tests)
            for gid, points, code in tests:
                verdict = judge.cell(gid, points, code)
                if gid in notes:
                    verdict.reason = (verdict.reason + "; " if verdict.reason else "") + notes[gid]
                verdict.reason = one_line(verdict.reason, 300)
                result.cells.append(verdict)
        except GraderFault as fault:
            return all_cells(Status.ERROR, one_line(fault.reason, 300), grader_fault=True)
        result.restarts = session.restarts
        bound_texts(result)
    finally:
        session.close()
        result.leftovers = session.leftovers
        result.uids = sorted(session.kernel.uids)
    result.seconds = time.monotonic() - t0
    return result


def _checks_of(code: str) -> list[tuple[Property, bool]]:
    """(property, hidden) for each check of a test cell, in order. Raises SyntaxError or
    ValueError when the cell cannot be judged (not only checks, or an unknown check)."""
    out = []
    for kind, exercise, prop in test_plan(code):
        registry = VISIBLE if kind == "visible" else HIDDEN
        props = registry.properties(exercise) if prop is None else [registry.get(exercise, prop)]
        out += [(p, kind == "hidden") for p in props]
    return out


def _properties(code: str) -> list[tuple[Property, bool]]:
    """`_checks_of`, or [] when the cell cannot be judged."""
    try:
        return _checks_of(code)
    except (SyntaxError, ValueError):
        return []


class _Judge:
    """Judges the test cells of one notebook through its kernel's `Session`: each property
    once (`results`), a kernel fault costing its exercise's properties, a known mistake
    named once per exercise, an untouched stub said once per exercise."""

    def __init__(self, student: str, assignment: str, session: Session,
                 status_of_answer: dict[str, AnswerRun], name_to_cell: dict[str, str]):
        self.student, self.assignment = student, assignment
        self.session = session
        self.caller = RemoteCaller(session).caller()
        self.status_of_answer = status_of_answer   # answer cells that did not run cleanly
        self.name_to_cell = name_to_cell           # function name -> its answer cell
        self.results: dict[Property, Result] = {}
        self.faults: dict[str, list[KernelFault]] = {}
        self.named: dict[str, list[str]] = {}
        self.stubs_told: set[str] = set()

    def in_phases(self, tests) -> None:
        """Every visible check of the notebook first, then the named-mistake detectors of
        every exercise judged, then every hidden check.

        The kernel keeps state between calls: a submission can record the inputs it is
        given. Because no visible check and no detector runs after a hidden one, nothing
        a submission saw during the hidden checks can come back in a visible check's
        message or steer whether a hint is shown (both reach students); the hidden
        checks' own messages are not shown to students.
        """
        plans = [_properties(code) for _, _, code in tests]
        for p, hidden in (c for plan in plans for c in plan):
            if not hidden:
                self.run(p)
        for exercise in dict.fromkeys(p.exercise for plan in plans for p, _ in plan):
            self._named_mistakes(exercise)
        for p, hidden in (c for plan in plans for c in plan):
            if hidden:
                self.run(p)

    def cell(self, gid: str, points: float, code: str) -> Verdict:
        """The verdict of one test cell: passed with its points, or the first failure's
        status and reason; its check lines, visible and hidden apart."""
        def verdict(score: float, status: Status, reason: str) -> Verdict:
            return Verdict(self.student, self.assignment, gid, score, points, status, reason)
        try:
            plan = _checks_of(code)
        except (SyntaxError, ValueError) as exc:
            return verdict(0.0, Status.ERROR, one_line(f"test cell not judged: {exc}"))
        results = [(self._with_answer_cell(self.run(p)), hidden) for p, hidden in plan]
        failed = [(r, hidden) for r, hidden in results if not r.passed]
        if not failed:
            v = verdict(points, Status.PASSED, "")
        else:
            first, hidden = failed[0]
            v = verdict(0.0, first.status, one_line(first.message or first.description))
            v.reason_hidden = hidden
        hidden_of = {id(r): hidden for r, hidden in results}
        for r in collapse_stubs([r for r, _ in results], told=self.stubs_told):
            if r.unimplemented:  # said once per notebook, where the exercise is first judged
                v.lines.append(r.line())
            elif hidden_of[id(r)]:
                v.hidden_lines.append(r.line())
                v.hidden_summary.append(r.line(detail=False))
            else:
                v.lines.append(r.line())
        if failed and failed[0][0].status == Status.FAILED:
            v.lines += self._named_mistakes(failed[0][0].exercise)
        return v

    def _with_answer_cell(self, r: Result) -> Result:
        """A missing function whose answer cell did not run cleanly (it timed out, crashed,
        was deleted or duplicated) takes that cell's status and reason."""
        if r.status != Status.MISSING:
            return r
        cell = self.name_to_cell.get(r.missing_name, r.missing_name)
        ran = self.status_of_answer.get(cell)
        return r if ran is None else replace(r, status=ran.status, message=ran.reason, hint="")

    def _named_mistakes(self, exercise: str) -> list[str]:
        """'This looks like ...' lines for an exercise, found once per exercise by
        behaviour, before any hidden check (`in_phases`); shown where it failed.

        KernelFault is a BaseException, so it passes diagnose's `except Exception`: a
        detector that hangs or crashes the kernel ends the search and the kernel is restarted.
        """
        if exercise not in self.named:
            try:
                found = diagnose(VISIBLE.mistakes(exercise) + HIDDEN.mistakes(exercise),
                                 self.caller)
            except KernelFault:
                self.session.restart()
                found = []
            self.named[exercise] = [f"This looks like {m.label}: {m.hint}" for m in found]
        return self.named[exercise]

    def run(self, p: Property) -> Result:
        """The property's result, judged once (in its phase, see `in_phases`)."""
        if p not in self.results:
            self.results[p] = self._evaluate_once(p)
        return self.results[p]

    def _evaluate_once(self, p: Property) -> Result:
        prior = self.faults.get(p.exercise, [])
        if len(prior) >= 2:
            last = prior[-1]
            return Result(p.exercise, p.name, p.description, last.status,
                          f"not run: {p.exercise} already {_fault_words(last)} twice")
        try:
            return evaluate(p, self.caller)
        except KernelFault as fault:
            self.faults.setdefault(p.exercise, []).append(fault)
            if not isinstance(fault, _NotebookTimeout):
                self.session.restart()
            return Result(p.exercise, p.name, p.description, fault.status,
                          f"the call to {p.exercise} {_fault_words(fault)}")
