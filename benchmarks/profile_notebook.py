"""Where one submission notebook's grading time goes, phase by phase.

    .venv/bin/python benchmarks/profile_notebook.py [--repeat 3] [--notebooks 00_gradient_checking ...]

For each course notebook (its solution filled into the release, as a complete student
would hand it in) this grades the notebook `--repeat` times in this process with
`grade_unit`, on one CPU as a grading worker does, and splits the wall time into:

- sandbox start: bubblewrap alone (`python -c pass` in the same sandbox), measured apart;
- kernel start: from `Kernel.start` to the kernel's "ready" (interpreter, imports);
- setup cells / answer cells: `run` requests for the course's setup cells and the answers;
- calls: `call` requests (round trips to the kernel), with their count;
- judging here: the rest of grade_unit (parsing, properties judged in the grader);
- exec: the setup and answer cells run in an already-started Python that imported what a
  template kernel imports (exec, no kernel, nothing judged); exec+checks: the same plus
  every property of the test cells evaluated in that process (`work_in_python`).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("BETTERNETS_NO_PROGRESS", "1")

from betternets_grader import answers  # noqa: E402
from betternets_grader.course import Course  # noqa: E402
from betternets_grader.engine import judge, kernel, templates  # noqa: E402
from betternets_grader.engine.limits import Limits  # noqa: E402
from betternets_grader.engine.sandbox import bwrap, probe  # noqa: E402
from betternets_grader.nbauthor import dumps  # noqa: E402
from betternets_grader.samples import fill  # noqa: E402


COURSE = Course(REPO)
SOLUTIONS, LECTURES = COURSE.solutions, COURSE.lectures


class Clock:
    """Seconds and counts per phase, filled by wrappers around Kernel's methods."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)

    def wrap(self, cls, name: str, phase) -> None:
        original = getattr(cls, name)
        clock = self

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                label = phase(*args, **kwargs) if callable(phase) else phase
                clock.seconds[label] += time.perf_counter() - t
                clock.counts[label] += 1
        setattr(cls, name, timed)


def sandbox_only(repeat: int = 5) -> float:
    """Median seconds of bubblewrap running `python -c pass` with the kernel's view."""
    if probe.bwrap_path() is None:
        return 0.0
    times = []
    for _ in range(repeat):
        view = bwrap.SandboxView(Limits(), uid=probe.sandbox_uid())
        cmd = view.command([f"{bwrap.VENV}/bin/python", "-S", "-c", "pass"])
        t = time.perf_counter()
        subprocess.run(cmd, pass_fds=view.fds, env=bwrap.kernel_env("/scratch"), check=True)
        times.append(time.perf_counter() - t)
        view.close()
    return statistics.median(times)


WORK = """
import json, sys, time
from betternets.kernel import forkserver
forkserver.preload()
from betternets.checks.calls import namespace_caller
from betternets.checks.core import evaluate
from betternets_grader import load_hidden_checks
from betternets_grader.engine.judge import _properties
from betternets.checks import load_visible_checks
load_hidden_checks()
load_visible_checks()
job = json.loads(sys.stdin.read())
t = time.perf_counter()
ns = {"__name__": "__main__"}
for code in job["cells"]:
    try:
        exec(compile(code, "cell", "exec"), ns)
    except Exception:
        pass
cells = time.perf_counter() - t
call = namespace_caller(ns)
for code in job["tests"]:
    for prop, _ in _properties(code):
        evaluate(prop, call)
print(json.dumps([cells, time.perf_counter() - t]))
"""


def work_in_python(nb: dict, source: dict) -> tuple[float, float]:
    """Seconds to run the notebook's setup and answer cells, and those plus every check of
    its test cells (visible and hidden properties, called in-process: no kernel, no
    sandbox, no wire), in a Python that has already imported what a template kernel
    imports (`betternets.kernel.forkserver.PRELOAD`) and the checks."""
    job = json.dumps({"cells": cells_of(nb, source),
                      "tests": [code for _, _, code in answers.test_cells(source)]})
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg", BETTERNETS_STATIC="1",
               BETTERNETS_NO_PROGRESS="1")
    done = subprocess.run([sys.executable, "-c", WORK], input=job, capture_output=True,
                          text=True, env=env, check=True)
    cells, total = json.loads(done.stdout.strip().splitlines()[-1])
    return cells, total


def cells_of(nb: dict, source: dict) -> list[str]:
    theirs = {answers.grader_meta(c).get("grade_id"): answers.source(c) for c in nb["cells"]}
    out = []
    for c in source["cells"]:
        k, gid = answers.kind(c), answers.grader_meta(c).get("grade_id")
        if k == "setup":
            out.append(answers.strip_markers(answers.source(c)))
        elif k == "answer" and gid in theirs:
            out.append(theirs[gid])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--notebooks", nargs="+", default=None)
    args = parser.parse_args()
    clock = Clock()
    setup_ids: set[str] = set()
    clock.wrap(kernel.Kernel, "start", "kernel start")
    clock.wrap(kernel.Kernel, "run", lambda self, code, timeout=None:
               "setup cells" if code in setup_ids else "answer cells")
    clock.wrap(kernel.Kernel, "call", "calls")
    if hasattr(kernel.Kernel, "call_many"):
        clock.wrap(kernel.Kernel, "call_many", "batched calls")
    templates.share_templates()  # as a grading worker does: one template for all notebooks
    if hasattr(os, "sched_setaffinity"):   # and on one CPU, with its kernels (pool._pin)
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    bw = sandbox_only()
    print(f"bubblewrap alone (python -S -c pass in the sandbox): {bw:.3f} s")
    names = [n for n in COURSE.notebooks() if not args.notebooks or n in args.notebooks]
    t = time.perf_counter()
    first_src, first_rel = (SOLUTIONS / f"{names[0]}.ipynb").read_text(), \
        (LECTURES / f"{names[0]}.ipynb").read_text()
    judge.grade_unit({"student": "w", "assignment": names[0], "source": first_src,
                      "release": first_rel, "data": dumps(fill(
                          json.loads(first_rel), answers.answer_sources(json.loads(first_src))))})
    print(f"first notebook of a worker (imports, template kernel start): "
          f"{time.perf_counter() - t:.2f} s")
    head = (f"{'notebook':26} {'total':>6} {'start':>6} {'setup':>6} {'answers':>7} "
            f"{'calls':>6} {'n':>4} {'batched':>7} {'judge':>6} {'exec':>6} {'+checks':>7}")
    print(head)
    for name in names:
        source_text = (SOLUTIONS / f"{name}.ipynb").read_text()
        release_text = (LECTURES / f"{name}.ipynb").read_text()
        source, release = json.loads(source_text), json.loads(release_text)
        nb = fill(release, answers.answer_sources(source))
        setup_ids.clear()
        setup_ids.update(answers.strip_markers(answers.source(c)) for c in source["cells"]
                         if answers.kind(c) == "setup")
        unit = {"student": "p", "assignment": name, "data": dumps(nb), "source": source_text,
                "release": release_text}
        rows = []
        for _ in range(args.repeat):
            clock.seconds.clear()
            clock.counts.clear()
            t = time.perf_counter()
            result = judge.grade_unit(unit)
            total = time.perf_counter() - t
            s = dict(clock.seconds)
            rows.append((total, s.get("kernel start", 0), s.get("setup cells", 0),
                         s.get("answer cells", 0), s.get("calls", 0), clock.counts.get("calls", 0),
                         s.get("batched calls", 0),
                         total - sum(s.values())))
            score = sum(c.score for c in result.cells)
        med = [statistics.median(col) for col in zip(*rows)]
        ex, work = work_in_python(nb, source)
        print(f"{name:26} {med[0]:6.2f} {med[1]:6.2f} {med[2]:6.2f} {med[3]:7.2f} "
              f"{med[4]:6.2f} {int(med[5]):4d} {med[6]:7.2f} {med[7]:6.2f} {ex:6.2f} {work:7.2f}"
              f"   (score {score:g}, {'sandboxed' if result.sandboxed else 'UNSANDBOXED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
