"""Where the work units run: local worker processes, or a Dask cluster.

A work unit is plain data (a dict: student, assignment, the notebook's bytes,
the source and released notebooks' text, the cache key). Each goes to
`engine.judge.grade_unit` in a worker and comes back as a `NotebookResult`, in
the order they finish. A unit whose worker fails, or does not answer in time,
comes back as `error` verdicts marked as the grader's fault, so the next run
grades it again: a lost worker costs one notebook, never the run.
"""
from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Iterable, Iterator

from betternets.checks.status import Status

from . import answers
from .engine.judge import grade_unit
from .engine.settings import Settings
from .rows import cap, escape_controls
from .verdicts import NotebookResult, every_cell


def failed_unit(unit: dict, reason: str, grader_fault: bool = True) -> NotebookResult:
    """Error verdicts for a notebook that could not be graded; by default the grader's
    fault, so that the next run grades it again."""
    source = json.loads(unit["source"])
    cells = every_cell(unit["student"], unit["assignment"],
                       [(gid, pts) for gid, pts, _ in answers.test_cells(source)],
                       Status.ERROR, cap(escape_controls(reason)))
    return NotebookResult(unit["student"], unit["assignment"], cells, key=unit["key"],
                          grader_fault=grader_fault)


def _pin(cpus) -> None:
    """Run this worker, and every kernel it forks (they inherit it), on one CPU taken from
    the queue `cpus`: a call's request then wakes the kernel on the CPU that sent it, and
    its reply wakes the worker there. On a virtual machine a wake-up on another CPU costs
    an inter-processor interrupt: a call that computes nothing took 0.5 ms across two CPUs
    and 0.15 ms on one (measured here). Workers and kernels alternate, so none waits for
    the other's CPU; the grading process itself stays free to run anywhere."""
    import queue
    try:
        os.sched_setaffinity(0, {cpus.get(timeout=5)})
    except (AttributeError, OSError, queue.Empty):
        pass


def _worker_init(cpus=None) -> None:
    """Each worker takes a CPU of its own (`_pin`), imports the checks once, and keeps one
    template kernel (started with its first notebook) that forks the kernel of every
    notebook it grades."""
    if cpus is not None:
        _pin(cpus)
    os.environ.setdefault("MPLBACKEND", "Agg")
    from . import load_hidden_checks
    from .engine.templates import share_templates
    from betternets.checks import load_visible_checks
    load_hidden_checks()
    load_visible_checks()
    share_templates()


def _grade_here(units: list[dict], settings: Settings) -> Iterator[NotebookResult]:
    """Grade `units` in this process, one after the other; its template kernel ends with them."""
    from .engine.templates import close_templates
    _worker_init()
    try:
        for unit in units:
            yield _safe_grade(unit, settings)
    finally:
        close_templates()


def _safe_grade(unit: dict, settings: Settings) -> NotebookResult:
    """grade_unit, with the grader's own failure as the notebook's error. On a Dask worker
    the first call makes the worker keep a template kernel (see `_worker_init`)."""
    from .engine.templates import share_templates
    share_templates()
    try:
        result = grade_unit(unit, settings)
    except Exception as exc:  # noqa: BLE001 - the grader's own bug costs one notebook
        result = failed_unit(unit, f"the grader failed on this notebook: "
                             f"{type(exc).__name__}: {exc}")
    result.key = unit["key"]
    return result


def _unit_deadline(n_units: int, jobs: int, settings: Settings) -> float:
    """Seconds after which a run whose workers do not answer is stopped: every unit ends
    within its notebook's time limit, so this is a last guard, never reached by a sound run."""
    rounds = -(-n_units // jobs)
    return rounds * (2 * settings.notebook_timeout + 4 * settings.timeout + 120) + 120


def run_local(units: list[dict], settings: Settings, jobs: int) -> Iterator[NotebookResult]:
    """Grade `units` on `jobs` local processes (in this one when jobs <= 1). The work starts
    now: workers begin while the caller prepares the gradebook."""
    if jobs <= 1 or len(units) <= 1:
        return _grade_here(units, settings)
    import multiprocessing
    ctx = multiprocessing.get_context("spawn")
    cpus = ctx.Queue()
    mine = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    for i in range(jobs if mine else 0):   # worker i on CPU i, round the CPUs this run has
        cpus.put(mine[i % len(mine)])
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init,
                               initargs=(cpus if mine else None,))
    futures = {pool.submit(_safe_grade, u, settings): u for u in units}
    deadline = _unit_deadline(len(units), jobs, settings)

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
                        yield failed_unit(futures[fut], f"the grading worker failed: {exc}")
            except FuturesTimeout:
                stuck = True
                for fut in futures:
                    if fut not in done:
                        yield failed_unit(futures[fut], "not graded: the grading worker did "
                                          f"not finish within {deadline:.0f} s")
            if left:  # the workers could not start or died: grade the rest here
                yield from _grade_here(left, settings)
        finally:
            for fut in futures:
                fut.cancel()
            if stuck:
                for proc in list(getattr(pool, "_processes", {}).values()):
                    proc.kill()
            pool.shutdown(wait=not stuck, cancel_futures=True)
    return collect()


def run_dask(units: list[dict], settings: Settings, scheduler) -> Iterable[NotebookResult]:
    """The same work units on a Dask distributed cluster (workers need betternets-grader).
    `scheduler`: an address, or a `distributed.Client`."""
    from distributed import Client, as_completed as dask_completed
    client = scheduler if hasattr(scheduler, "submit") else Client(scheduler)
    futures = {}
    for u in units:
        fut = client.submit(_safe_grade, u, settings, pure=False,
                            key=f"grade-{u['student']}-{u['assignment']}-{u['key'][:12]}")
        futures[fut] = u

    def collect():
        try:
            for fut in dask_completed(list(futures)):
                try:
                    yield fut.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker costs one unit
                    yield failed_unit(futures[fut], f"the Dask worker failed: {exc}")
        finally:
            if client is not scheduler:
                client.close()
    return collect()


def run_units(units: list[dict], settings: Settings, jobs: int,
              scheduler=None) -> Iterable[NotebookResult]:
    """On the Dask cluster at `scheduler` if one is given, else on local processes."""
    if scheduler is not None:
        return run_dask(units, settings, scheduler)
    return run_local(units, settings, min(jobs, max(1, len(units))))
