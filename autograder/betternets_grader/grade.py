"""`betternets grade`: grade a class with verdicts computed outside students' kernels.

For every submission notebook a work unit (plain data: the notebook's bytes,
the source and released notebooks) goes to a worker (`pool`, which runs
`engine.judge.grade_unit` on local processes or a Dask cluster): the worker runs
the answer cells in a sandboxed kernel and judges every test cell of the SOURCE
notebook in its own process. This process is the single writer (`gradebook`): as
each notebook's verdicts come back it updates the nbgrader gradebook, writes the
autograded notebook (`render`) and records the verdicts in the resume cache
(`cache`). A rerun reuses every recorded verdict whose key still matches. The writer
also records each submission's time and the course's late penalty (`lateness`) and
keeps TA overrides; `Run.lateness` and `Run.overrides` say what it found, and the run's
output has a line for each late submission and each override over a changed autograde.
At the end it writes the CSV (one row per student and test cell, with status and
reason, and a `late_penalty` row after a late notebook) and the class report
(`engine.report`).

Stock nbgrader stays the compatible path (`engine.stock`, or
`cd course && nbgrader autograde ...`).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from .cache import ResultCache, unit_key
from .course import Course, nbgrader_api, prepare_course
from .engine.settings import Settings
from .gradebook import Override, Writer, ensure_released
from .lateness import Lateness, parse_duedates, record_duedates
from .pool import failed_unit, run_units
from .provenance import check_course, header
from .rows import cap, escape_controls, write_csv
from .similarity import DEFAULT_THRESHOLD, SimilarPair, similar_pairs
from .submissions import Stray, Submission, find, read_notebook
from .verdicts import NotebookResult, Verdict


class GradingError(OSError):
    """The run could not write its results (a full disk, a read-only folder): said
    plainly, and no earlier CSV is left looking like this run's."""


@dataclass
class GradeOptions:
    """How to grade a class: where the gradebook lives, where the work runs, the limits."""
    course: Path | None = None               # nbgrader workspace (default: the course's own)
    jobs: int | None = None                  # local worker processes (default: the cores)
    scheduler: Any = None                    # a Dask scheduler's address (or Client) instead
    db_url: str | None = None                # nbgrader gradebook URL (default: SQLite)
    settings: Settings = field(default_factory=Settings)
    show_hidden: bool = False                # hidden checks' messages in the feedback
    force: bool = False                      # regrade notebooks the cache still holds
    report: Path | None = None               # class report HTML to write, if any
    similarity_threshold: float | None = DEFAULT_THRESHOLD  # None: no similarity report
    duedates: dict[str, str] = field(default_factory=dict)   # assignment -> due date to record


@dataclass
class Run:
    """What a grading run did: its verdicts, rows of the CSV, and how it went. `lateness`:
    each graded (student, assignment)'s time, due date and penalty (for the report and
    feedback); `overrides`: TA scores kept over an autograde that changed beneath them."""
    results: list[NotebookResult] = field(default_factory=list)
    strays: list[Stray] = field(default_factory=list)
    sandboxed: bool = True
    graded: int = 0
    reused: int = 0
    seconds: float = 0.0
    similar_pairs: list[SimilarPair] = field(default_factory=list)  # most similar first
    similarity_threshold: float | None = None                       # what they were cut at
    lateness: dict[tuple[str, str], Lateness] = field(default_factory=dict)  # (student, a)
    overrides: list[Override] = field(default_factory=list)   # TA scores kept, flagged
    notes: dict[tuple[str, str], str] = field(default_factory=dict)  # of a folder's name

    @property
    def rows(self) -> list[Verdict]:
        """Every test cell's verdict, notebook by notebook."""
        return [v for r in self.results for v in r.cells]

    @property
    def late(self) -> list[Lateness]:
        """The late submissions, in the order of the results."""
        found = (self.lateness.get((r.student, r.assignment)) for r in self.results)
        return [x for x in found if x is not None and x.late]

    @property
    def csv_rows(self) -> list[Verdict]:
        """The CSV's rows: every test cell's verdict, and after a late notebook's cells its
        `late_penalty` row (an on-time class's CSV is its test cells only)."""
        rows = []
        for r in self.results:
            note = self.notes.get((r.student, r.assignment))
            rows += r.cells if not note else [
                replace(v, reason=f"{note}; {v.reason}" if v.reason else note) for v in r.cells]
            late = self.lateness.get((r.student, r.assignment))
            if late is not None and late.row() is not None:
                rows.append(late.row())
        return rows

    @property
    def leftovers(self) -> list[str]:
        """Scratch folders of kernels that could not be removed."""
        return [p for r in self.results for p in r.leftovers]

    @property
    def uids(self) -> set[int]:
        """User ids the kernels ran as."""
        return {u for r in self.results for u in r.uids}


class _Sized:
    """An iterator with a length, so that a progress bar knows how far it has to go."""

    def __init__(self, it: Iterable, n: int):
        self.it, self.n = it, n

    def __iter__(self):
        return iter(self.it)

    def __len__(self) -> int:
        return self.n


def _units(subs: list[Submission], root: Course, options: GradeOptions) -> list[dict]:
    """One work unit per submission; an unreadable file's unit carries its `problem`."""
    texts: dict[str, tuple[str, str]] = {}
    units = []
    for sub in subs:
        if sub.assignment not in texts:
            texts[sub.assignment] = (
                (root.solutions / f"{sub.assignment}.ipynb").read_text(),
                (root.lectures / f"{sub.assignment}.ipynb").read_text())
        source, release = texts[sub.assignment]
        problem = ""
        try:
            data = read_notebook(sub.path)
        except OSError as exc:
            data, problem = b"", cap(escape_controls(f"not graded: the file cannot be read "
                                                     f"({exc.strerror or exc})"))
        unit = {"student": sub.student, "assignment": sub.assignment, "data": data,
                "source": source, "release": release,
                "key": unit_key(data, source, options.settings)}
        if problem:
            unit["problem"] = problem
        units.append(unit)
    return units


def grade(submissions_dir: Path, out_csv: Path, root: Course,
          options: GradeOptions | None = None, *, progress=lambda it, **kw: it,
          log=print) -> Run:
    """Grade every submission in `submissions_dir` against the course `root` (its
    solutions/ and lectures/); write the CSV; return what the run did.

    The CSV of an earlier run is moved to `<out>.previous` first, so that a run that
    fails never leaves it looking like this run's result; a failure to write anything
    raises GradingError with what could not be written and why.
    """
    t0 = time.monotonic()
    options = options or GradeOptions()
    out_csv = Path(out_csv)
    due = parse_duedates(options.duedates, root.notebooks())
    subs, strays = find(submissions_dir, root.notebooks())
    check_course(root)   # the imported checks cover every exercise, or the run stops here
    log(header())
    for stray in strays:
        log(escape_controls(f"{stray.verb} {stray.shown}: {stray.reason}"))
    previous = out_csv.with_name(out_csv.name + ".previous")
    try:
        if out_csv.exists():
            os.replace(out_csv, previous)
    except OSError as exc:
        raise GradingError(f"cannot move the previous {out_csv} aside: {exc}") from exc
    run = Run(strays=strays, notes={(s.student, s.assignment): s.note for s in subs if s.note})
    try:
        _grade_units(subs, root, options, run, progress, log, due)
        run.seconds = time.monotonic() - t0
        write_csv(run.csv_rows, out_csv)
        if options.report is not None:
            from .engine.report import write_report
            write_report(run, Path(options.report))
    except GradingError:
        raise
    except OSError as exc:
        what = exc.filename or out_csv
        raise GradingError(exc.errno, f"grading stopped: cannot write {what}: "
                           f"{exc.strerror or exc}; no CSV of this run was written"
                           + (f" (the previous one is {previous})" if previous.exists()
                              else "")) from exc
    try:
        previous.unlink()
    except OSError:
        pass
    _say_what_changed(run, log)
    for left in run.leftovers:
        log(escape_controls(f"warning: a kernel's scratch folder could not be removed: {left}"))
    if not run.sandboxed:
        log("warning: bubblewrap (bwrap) was not available: graded UNSANDBOXED")
    return run


def _say_what_changed(run: Run, log) -> None:
    """A line per late submission, unreadable timestamp and TA override kept over a changed
    autograde, in the run's output."""
    for lateness in run.lateness.values():
        if lateness.problem:
            log(escape_controls(f"warning: {lateness.student} {lateness.assignment}: "
                                f"{lateness.problem}; graded as on time"))
    for lateness in run.late:
        log(escape_controls(f"late: {lateness.student} {lateness.assignment} "
                            f"{lateness.describe()}"))
    for override in run.overrides:
        log(escape_controls(f"manual grade kept: {override.describe()}"))


def _grade_units(subs: list[Submission], root: Course, options: GradeOptions, run: Run,
                 progress, log, due: dict | None = None) -> None:
    """Grade (or reuse) every submission, each written as it comes; fills `run`."""
    course = prepare_course(options.course or root.workspace, root, db_url=options.db_url)
    units = _units(subs, root, options)
    cache = ResultCache(course)
    reused: dict[int, NotebookResult] = {}   # id(unit) -> its verdicts of an earlier run
    for unit in units:
        if not options.force and "problem" not in unit:
            cached = cache.load(unit["student"], unit["assignment"], unit["key"])
            if cached is not None:
                reused[id(unit)] = cached
    todo = [u for u in units if "problem" not in u and id(u) not in reused]
    # the work starts first: workers grade while this process imports nbgrader
    stream = run_units(todo, options.settings, options.jobs or os.cpu_count() or 1,
                       options.scheduler)
    if todo:
        log(f"grading {len(todo)} notebooks; meanwhile preparing nbgrader's gradebook "
            "(the progress bar starts when it is ready)")
    api = nbgrader_api(course)
    ensure_released(api, course, root.solutions, sorted({s.assignment for s in subs}))
    record_duedates(api, due or {})
    results: dict[tuple[str, str], NotebookResult] = {}
    writer = Writer(course, api, options.show_hidden, subs)

    def write(unit: dict, result: NotebookResult) -> None:
        key = (result.student, result.assignment)
        run.lateness[key], overrides = writer.write(unit, result)
        run.overrides += overrides
        results[key] = result

    try:
        for unit in units:
            if "problem" in unit:
                result = failed_unit(unit, unit["problem"])
            elif id(unit) in reused:
                result = reused[id(unit)]   # written again: the gradebook may have been replaced
                run.reused += 1
            else:
                continue
            write(unit, result)
        by_key = {(u["student"], u["assignment"]): u for u in todo}
        for result in progress(_Sized(stream, len(todo)), desc="grading"):
            write(by_key[(result.student, result.assignment)], result)
            run.graded += 1
    finally:
        writer.close()
    order = {(s.student, s.assignment): i for i, s in enumerate(subs)}
    run.results = [results[k] for k in sorted(results, key=lambda k: order.get(k, 0))]
    if options.similarity_threshold is not None:
        run.similarity_threshold = options.similarity_threshold
        run.similar_pairs = similar_pairs(units, options.similarity_threshold)
    ran = [r for r in run.results if r.ran]
    from .engine.kernel import bwrap_path
    run.sandboxed = (all(r.sandboxed for r in ran) if ran
                     else options.settings.sandbox and bwrap_path() is not None)
