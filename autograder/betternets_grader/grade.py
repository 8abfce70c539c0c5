"""`betternets grade`: grade a class with verdicts computed outside students' kernels.

For every submission notebook a work unit (plain data: the notebook's bytes,
the source and released notebooks) goes to a worker (`engine.judge.grade_unit`):
the worker runs the answer cells in a sandboxed kernel and judges every test
cell of the SOURCE notebook in its own process. Workers are local processes
(`jobs`, started once each) or a Dask cluster (`scheduler`). This process is
the single writer: as each unit comes back it

- updates the nbgrader gradebook (student, submission, each grade's auto_score),
  so formgrader, `nbgrader export` and `nbgrader generate_feedback` work;
- writes `autograded/<student>/<assignment>/<assignment>.ipynb` with the check
  lines as the test cells' outputs, and copies the submission to `submitted/`;
- records the verdicts in `betternets/results/` with a digest of the inputs.

A rerun reuses every recorded verdict whose digest still matches (an
interrupted run resumes where it stopped) and regrades the rest (a changed
submission replaces its stale scores). At the end it writes the CSV (one row
per student and test cell, with status and reason) and the class report.

Stock nbgrader stays the compatible path (`engine.stock`, or
`cd course && nbgrader autograde ...`).
"""
from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import answers
from .course import (DEFAULT_COURSE, LECTURES, SOLUTIONS, _run, assignments, course_notebooks,
                     nbgrader_api, prepare_course)
from .engine.judge import ENGINE_VERSION, ERROR, STATUSES, Settings, digest, grade_unit
from .rows import (FIELDS, Row, atomic_write, cap, escape_controls, test_cells_of,
                   write_csv)
from .submissions import Stray, Submission, find, read_notebook


class GradingError(OSError):
    """The run could not write its results (a full disk, a read-only folder): said
    plainly, and no earlier CSV is left looking like this run's."""


@dataclass
class Run:
    """What a grading run did, for the report."""
    rows: list[Row] = field(default_factory=list)
    strays: list[Stray] = field(default_factory=list)
    sandboxed: bool = True
    graded: int = 0
    reused: int = 0
    seconds: float = 0.0
    results: list[dict] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)   # scratch folders not removed
    uids: set[int] = field(default_factory=set)          # user ids the kernels ran as


# ---------------------------------------------------------------- work units

def _units(subs: list[Submission], solutions: Path, lectures: Path,
           settings: Settings) -> list[dict]:
    texts: dict[str, tuple[str, str]] = {}
    units = []
    for sub in subs:
        if sub.assignment not in texts:
            source = (solutions / f"{sub.assignment}.ipynb").read_text()
            release = (lectures / f"{sub.assignment}.ipynb").read_text()
            texts[sub.assignment] = (source, release)
        source, release = texts[sub.assignment]
        problem = ""
        try:
            data = read_notebook(sub.path)
        except OSError as exc:
            data, problem = b"", cap(escape_controls(f"not graded: the file cannot be read "
                                                     f"({exc.strerror or exc})"))
        unit = {"student": sub.student, "assignment": sub.assignment, "data": data,
                "source": source, "release": release,
                "key": digest(data, source, ENGINE_VERSION, settings.key())}
        if problem:
            unit["problem"] = problem
        units.append(unit)
    return units


def _worker_init() -> None:
    """Each worker imports the checks once, and keeps one template kernel (started with
    its first notebook) that forks the kernel of every notebook it grades."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    from . import load_hidden_checks
    from .engine.kernel import share_templates
    from betternets.checks import load_visible_checks
    load_hidden_checks()
    load_visible_checks()
    share_templates()


def _run_local(units: list[dict], settings: Settings, jobs: int) -> Iterable[dict]:
    """Start the work now (workers begin while the caller prepares the gradebook)."""
    if jobs <= 1 or len(units) <= 1:
        def sequential():
            from .engine.kernel import close_templates
            _worker_init()
            try:
                for unit in units:
                    yield _safe_grade(unit, asdict(settings))
            finally:
                close_templates()
        return sequential()
    import multiprocessing
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init)
    futures = {pool.submit(_safe_grade, u, asdict(settings)): u for u in units}

    # a last guard: every unit ends within its notebook's time limit, so a run whose
    # workers do not answer within this deadline is stopped, not waited for forever
    rounds = -(-len(units) // jobs)
    deadline = rounds * (2 * settings.notebook_timeout + 4 * settings.timeout + 120) + 120

    def collect():
        from concurrent.futures import TimeoutError as FuturesTimeout
        from concurrent.futures.process import BrokenProcessPool
        left, done = [], set()
        stuck = False
        try:
            try:
                for fut in as_completed(futures, timeout=deadline):
                    done.add(fut)
                    try:
                        yield fut.result()
                    except BrokenProcessPool:
                        left.append(futures[fut])
                    except Exception as exc:  # noqa: BLE001 - a lost worker costs one unit
                        yield _failed_unit(futures[fut], f"the grading worker failed: {exc}")
            except FuturesTimeout:
                stuck = True
                for fut in futures:
                    if fut not in done:
                        yield _failed_unit(futures[fut], "not graded: the grading worker did "
                                           f"not finish within {deadline:.0f} s")
            if left:  # the workers could not start or died: grade the rest here
                from .engine.kernel import close_templates
                _worker_init()
                try:
                    for unit in left:
                        yield _safe_grade(unit, asdict(settings))
                finally:
                    close_templates()
        finally:
            for fut in futures:
                fut.cancel()
            if stuck:
                for proc in list(getattr(pool, "_processes", {}).values()):
                    proc.kill()
            pool.shutdown(wait=not stuck, cancel_futures=True)
    return collect()


def _run_dask(units: list[dict], settings: Settings, scheduler) -> Iterable[dict]:
    """The same work units on a Dask distributed cluster (workers need betternets-grader)."""
    from distributed import Client, as_completed as dask_completed
    client = scheduler if hasattr(scheduler, "submit") else Client(scheduler)
    futures = {}
    for u in units:
        fut = client.submit(_safe_grade, u, asdict(settings), pure=False,
                            key=f"grade-{u['student']}-{u['assignment']}-{u['key'][:12]}")
        futures[fut] = u

    def collect():
        try:
            for fut in dask_completed(list(futures)):
                try:
                    yield fut.result()
                except Exception as exc:  # noqa: BLE001
                    yield _failed_unit(futures[fut], f"the Dask worker failed: {exc}")
        finally:
            if client is not scheduler:
                client.close()
    return collect()


def _safe_grade(unit: dict, settings: dict) -> dict:
    """grade_unit, with the grader's own failure as the notebook's error. On a Dask worker
    the first call makes the worker keep a template kernel (see `_worker_init`)."""
    from .engine.kernel import share_templates
    share_templates()
    try:
        result = grade_unit(unit, settings)
    except Exception as exc:  # noqa: BLE001 - the grader's own bug costs one notebook
        result = _failed_unit(unit, f"the grader failed on this notebook: "
                              f"{type(exc).__name__}: {exc}")
    result["key"] = unit["key"]
    return result


def _failed_unit(unit: dict, reason: str, grader_fault: bool = True) -> dict:
    """Error rows for a notebook that could not be graded; by default the grader's fault,
    so that the next run grades it again."""
    source = json.loads(unit["source"])
    return {"student": unit["student"], "assignment": unit["assignment"], "key": unit["key"],
            "sandboxed": False, "answers": {}, "restarts": 0, "seconds": 0.0,
            "grader_fault": grader_fault,
            "cells": [{"grade_id": gid, "points": pts, "score": 0.0, "status": ERROR,
                       "reason": cap(escape_controls(reason)), "lines": [], "hidden_lines": [],
                       "hidden_summary": []}
                      for gid, pts, _ in answers.test_cells(source)]}


# ---------------------------------------------------------------- the writer

class Writer:
    """The one process that writes the gradebook and the course directory."""

    def __init__(self, course: Path, api, show_hidden: bool):
        from nbgrader.api import Gradebook
        self.course, self.show_hidden = course, show_hidden
        self.gb = Gradebook(api.coursedir.db_url, api.coursedir.course_id)
        self.cache = course / "betternets" / "results"

    def close(self) -> None:
        self.gb.close()

    def write(self, unit: dict, result: dict) -> None:
        student, assignment = result["student"], result["assignment"]
        self._gradebook(student, assignment, result)
        self._notebooks(unit, result)
        atomic_write(self.cache / student / f"{assignment}.json", json.dumps(result))

    def _gradebook(self, student: str, assignment: str, result: dict) -> None:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes inside nbgrader
            self._update(student, assignment, result)

    def _update(self, student: str, assignment: str, result: dict) -> None:
        from nbgrader.api import MissingEntry
        gb = self.gb
        gb.update_or_create_student(student)
        try:
            gb.find_submission(assignment, student)
        except MissingEntry:
            gb.add_submission(assignment, student)
        for cell in result["cells"]:
            try:
                grade = gb.find_grade(cell["grade_id"], assignment, assignment, student)
            except MissingEntry:
                continue
            grade.auto_score = float(cell["score"])
            grade.manual_score = None
            grade.needs_manual_grade = False
        gb.db.commit()

    def _notebooks(self, unit: dict, result: dict) -> None:
        student, assignment = result["student"], result["assignment"]
        submitted = self.course / "submitted" / student / assignment
        autograded = self.course / "autograded" / student / assignment
        for d in (submitted, autograded):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
        data = unit["data"]
        atomic_write(submitted / f"{assignment}.ipynb", data)
        nb = autograded_notebook(unit, result, self.show_hidden)
        if nb is not None:
            atomic_write(autograded / f"{assignment}.ipynb", json.dumps(nb, indent=1))


def autograded_notebook(unit: dict, result: dict, show_hidden: bool) -> dict | None:
    """The released notebook with the student's answers and the verdicts as outputs."""
    from .engine.judge import read_submission
    sub, problem = read_submission(unit["data"] if isinstance(unit["data"], bytes)
                                   else unit["data"].encode())
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
    verdicts = {c["grade_id"]: c for c in result["cells"]}
    ran = result.get("answers", {})
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
            info = ran.get(gid)
            if info:
                text = info.get("output", "")
                if info.get("status") not in ("passed", None):
                    text += ("\n" if text else "") + f"[{info['status']}] {info.get('reason', '')}"
                if text:
                    cell["outputs"] = [{"output_type": "stream", "name": "stdout",
                                        "text": escape_controls(text, keep="\n\t")}]
        elif k == "test" and gid in verdicts:
            v = verdicts[gid]
            if show_hidden and gid in source_tests:
                cell["source"] = source_tests[gid]
            lines = v["lines"] + (v["hidden_lines"] if show_hidden else v["hidden_summary"])
            text = "\n".join(lines)
            if v["status"] != "passed":
                hidden = v.get("reason_hidden", bool(v["hidden_lines"]))
                why = _HIDDEN_WORDS.get(v["status"], _HIDDEN_WORDS["failed"]) \
                    if hidden and not show_hidden else v["reason"]
                text += ("\n" if text else "") + f"[{v['status']}] {why}"
            cell["outputs"] = [{"output_type": "stream", "name": "stdout",
                                "text": escape_controls(text, keep="\n\t") + "\n"}]
    return release


# What a student reads when a hidden check did not pass: the grader's words only, never
# text that the student's code produced while hidden checks called it.
_HIDDEN_WORDS = {"failed": "a hidden check did not hold",
                 "error": "a hidden check did not hold",
                 "timeout": "a hidden check ran past the time limit",
                 "crashed": "a hidden check crashed the kernel",
                 "missing": "a hidden check found no answer to check",
                 "tampered": "a hidden check did not hold"}


class _Sized:
    """An iterator with a length, so that a progress bar knows how far it has to go."""

    def __init__(self, it: Iterable, n: int):
        self.it, self.n = it, n

    def __iter__(self):
        return iter(self.it)

    def __len__(self) -> int:
        return self.n


def _cached(cache: Path, unit: dict) -> dict | None:
    """The recorded verdicts of this very notebook, if an earlier run finished it."""
    path = cache / unit["student"] / f"{unit['assignment']}.json"
    try:
        result = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if not isinstance(result, dict) or result.get("grader_fault"):
        return None   # not graded last time through the grader's fault: grade it again
    return result if result.get("key") == unit["key"] else None


def _in_gradebook(api, name: str) -> bool:
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        try:
            return bool(gb.find_assignment(name).notebooks)
        except MissingEntry:
            return False


def _ensure_released(api, course: Path, solutions: Path, names: list[str]) -> None:
    """nbgrader's generate_assignment (gradebook cells), skipped when the source is unchanged."""
    marks = course / "betternets" / "released"
    marks.mkdir(parents=True, exist_ok=True)
    for name in names:
        stamp = digest((solutions / f"{name}.ipynb").read_bytes(), api.coursedir.db_url)
        mark = marks / f"{name}.digest"
        released = course / "release" / name / f"{name}.ipynb"
        if released.exists() and mark.exists() and mark.read_text() == stamp \
                and _in_gradebook(api, name):
            continue
        _run(api.generate_assignment, name, force=True, create=True)
        mark.write_text(stamp)


# ---------------------------------------------------------------- grading a class

def grade(submissions_dir: Path, out_csv: Path, course: Path = DEFAULT_COURSE,
          solutions: Path = SOLUTIONS, progress=lambda it, **kw: it, log=print,
          jobs: int | None = None, scheduler=None, db_url: str | None = None,
          settings: Settings | None = None, show_hidden: bool = False,
          force: bool = False, report: Path | None = None,
          run_info: Run | None = None, lectures: Path | None = None) -> list[Row]:
    """Grade every submission in `submissions_dir`; write the CSV; return the rows.

    The CSV of an earlier run is moved to `<out>.previous` first, so that a run that
    fails never leaves it looking like this run's result; a failure to write anything
    raises GradingError with what could not be written and why.
    """
    t0 = time.monotonic()
    settings = settings or Settings()
    out_csv = Path(out_csv)
    names = course_notebooks(solutions)
    subs, strays = find(submissions_dir, names)
    for stray in strays:
        log(escape_controls(f"skipped {stray.path}: {stray.reason}"))
    previous = out_csv.with_name(out_csv.name + ".previous")
    try:
        if out_csv.exists():
            os.replace(out_csv, previous)
    except OSError as exc:
        raise GradingError(f"cannot move the previous {out_csv} aside: {exc}") from exc
    lectures = lectures or LECTURES
    run = run_info if run_info is not None else Run()
    run.strays = strays
    results: dict[tuple[str, str], dict] = {}
    try:
        course = prepare_course(course, solutions, db_url=db_url)
        units = _units(subs, solutions, lectures, settings)
        cache = Path(course) / "betternets" / "results"
        failed = [u for u in units if "problem" in u]
        todo = [u for u in units if "problem" not in u and (force or _cached(cache, u) is None)]
        todo_ids = {id(u) for u in todo} | {id(u) for u in failed}
        jobs = jobs or os.cpu_count() or 1
        # the work starts first: workers grade while this process imports nbgrader
        stream = (_run_dask(todo, settings, scheduler) if scheduler is not None
                  else _run_local(todo, settings, min(jobs, max(1, len(todo)))))
        api = nbgrader_api(course)
        _ensure_released(api, course, solutions, sorted({s.assignment for s in subs}))
        writer = Writer(course, api, show_hidden)
        try:
            for unit in failed:
                result = _failed_unit(unit, unit["problem"])
                writer.write(unit, result)
                results[(unit["student"], unit["assignment"])] = result
            for unit in units:
                if id(unit) in todo_ids:
                    continue
                cached = _cached(cache, unit)
                writer.write(unit, cached)   # the gradebook may have been replaced
                results[(unit["student"], unit["assignment"])] = cached
                run.reused += 1
            by_key = {(u["student"], u["assignment"]): u for u in todo}
            for result in progress(_Sized(stream, len(todo)), desc="grading"):
                unit = by_key[(result["student"], result["assignment"])]
                writer.write(unit, result)
                results[(unit["student"], unit["assignment"])] = result
                run.graded += 1
        finally:
            writer.close()
        order = {(s.student, s.assignment): i for i, s in enumerate(subs)}
        rows: list[Row] = []
        for key in sorted(results, key=lambda k: order.get(k, 0)):
            res = results[key]
            for c in res["cells"]:
                rows.append(Row(res["student"], res["assignment"], c["grade_id"],
                                float(c["score"]), float(c["points"]), c["status"],
                                cap(escape_controls(str(c["reason"])))))
            run.leftovers += res.get("leftovers", [])
            run.uids |= set(res.get("uids", []))
        ran = [r for r in results.values() if not _never_ran(r)]
        from .engine.kernel import bwrap_path
        run.sandboxed = (all(r.get("sandboxed") for r in ran) if ran
                         else settings.sandbox and bwrap_path() is not None)
        run.rows = rows
        run.results = [results[k] for k in sorted(results, key=lambda k: order.get(k, 0))]
        run.seconds = time.monotonic() - t0
        write_csv(rows, out_csv)
        if report is not None:
            from .engine.report import write_report
            write_report(run, Path(report))
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
    for left in run.leftovers:
        log(escape_controls(f"warning: a kernel's scratch folder could not be removed: {left}"))
    if not run.sandboxed:
        log("warning: bubblewrap (bwrap) was not available: graded UNSANDBOXED")
    return rows


def _never_ran(result: dict) -> bool:
    """A notebook that never reached a kernel (unreadable, missing) says nothing about sandboxing."""
    return not result.get("answers")


def score_table(rows: list[Row]) -> str:
    """Students down, assignments across: 'score / max' per cell, for the terminal."""
    totals: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        t = totals.setdefault((r.student, r.assignment), [0.0, 0.0])
        t[0] += r.score
        t[1] += r.max_score
    students = sorted({s for s, _ in totals})
    names = sorted({a for _, a in totals})
    shown = {s: escape_controls(s) for s in students}   # one line per student, always
    width = max([len("student")] + [len(v) for v in shown.values()])
    cols = [max(len(a[:2]) + 6, 11) for a in names]
    lines = ["student".ljust(width) + "".join(f"  {a[:2]:>{w}}" for a, w in zip(names, cols))]
    for s in students:
        cells = []
        for a, w in zip(names, cols):
            got = totals.get((s, a))
            cells.append(f"  {(f'{got[0]:g} / {got[1]:g}' if got else '-'):>{w}}")
        lines.append(shown[s].ljust(width) + "".join(cells))
    return "\n".join(lines)


def feedback(out_dir: Path, course: Path = DEFAULT_COURSE, log=print,
             students: set[str] | None = None) -> list[Path]:
    """nbgrader's HTML feedback for every graded notebook, in out_dir/<student>/.

    The feedback is nbgrader's (its `feedback` template and its GetGrades step, which
    reads the scores from the gradebook), but the notebooks are found and named here,
    without nbgrader's globs and regular expressions over student ids: any student
    name works, `*`, `[` and newlines included.
    """
    from nbgrader.converters import GenerateFeedback
    from traitlets.config import Config
    api = nbgrader_api(Path(course).resolve())
    app = GenerateFeedback(coursedir=api.coursedir, parent=api)
    app.update_config(Config({"HTMLExporter": {"template_name": "feedback"}}))
    exporter = app.exporter_class(parent=app, config=app.config)
    for pp in app.preprocessors:
        exporter.register_preprocessor(pp)
    written = []
    autograded = Path(course) / "autograded"
    for student_dir in _subdirs(autograded):
        if students is not None and student_dir.name not in students:
            continue
        for assignment_dir in _subdirs(student_dir):
            student, assignment = student_dir.name, assignment_dir.name
            nb = assignment_dir / f"{assignment}.ipynb"
            if not nb.is_file() or nb.is_symlink():
                continue
            resources = {"unique_key": assignment, "output_files_dir": f"{assignment}_files",
                         "nbgrader": {"student": student, "assignment": assignment,
                                      "notebook": assignment,
                                      "db_url": api.coursedir.db_url}}
            try:
                html, _ = exporter.from_filename(str(nb), resources=resources)
            except Exception as exc:  # noqa: BLE001 - one notebook's feedback, not all
                log(escape_controls(f"no feedback for {student}/{assignment}: "
                                    f"{type(exc).__name__}: {exc}"))
                continue
            for target in (Path(course) / "feedback" / student / assignment /
                           f"{assignment}.html", Path(out_dir) / student / f"{assignment}.html"):
                atomic_write(target, html)
            written.append(Path(out_dir) / student / f"{assignment}.html")
    return written


def _subdirs(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as it:
            return sorted(Path(e.path) for e in it if e.is_dir(follow_symlinks=False))
    except OSError:
        return []
