"""Grade a synthetic class with `betternets grade` and with stock nbgrader, side by side.

    .venv/bin/python benchmarks/grade_benchmark.py [--students 40] [--jobs N] [--no-stock]
                                                   [--notebooks 00_gradient_checking ...]

The class: 40 submission notebooks spread over the notebooks that exist (one
per student), mixing complete ones (the solution), partly wrong ones (catalog
mistakes in a random half of the exercises, some right variants elsewhere)
and untouched releases. Every one is honest work, so both graders must give
the same score to every test cell.

Printed, all measured in this one run:
- wall time of `betternets grade --jobs N` and of stock `nbgrader autograde`
  (one process, as nbgrader offers), and their ratio (target: >= 3);
- peak memory (RSS summed over the grading process and all its children);
- whether both agree on every test cell of every submission;
- per submission notebook: betternets grade (--jobs 1) against the cost of
  starting a Jupyter kernel and running the setup and answer cells
  (target: <= 1.5 times), and against running the setup and answer cells and every
  check of the test cells in an already-started Python, no kernel
  (`profile_notebook.work_in_python`; target <= 1.2 times).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import catalog  # noqa: E402
from betternets_grader import answers  # noqa: E402
from betternets_grader.course import Course  # noqa: E402
from betternets_grader.samples import fill  # noqa: E402
from betternets_grader.nbauthor import dumps  # noqa: E402

KINDS = ("complete", "partly wrong", "untouched")
COURSE = Course(REPO)   # this checkout
SOLUTIONS, LECTURES = COURSE.solutions, COURSE.lectures


def build_class(folder: Path, students: int, seed: int = 0,
                only: list[str] | None = None) -> list[tuple[str, str, str]]:
    """`students` submissions, notebook i % (number of notebooks), kind cycling per round."""
    rng = random.Random(seed)
    names = [n for n in COURSE.assignments() if (LECTURES / f"{n}.ipynb").exists()
             and (not only or n in only)]
    if not names:
        raise SystemExit(f"no notebook of the course matches {only}")
    entries = {m.NOTEBOOK: m.ENTRIES for m in catalog.modules()}
    made = []
    for i in range(students):
        name = names[i % len(names)]
        kind = KINDS[(i // len(names)) % len(KINDS)]
        lecture = answers.load(LECTURES / f"{name}.ipynb")
        solution = answers.answer_sources(answers.load(SOLUTIONS / f"{name}.ipynb"))
        if kind == "complete":
            nb = fill(lecture, solution)
        elif kind == "untouched":
            nb = lecture
        else:
            cells = dict(solution)
            by_ex: dict[str, list] = {}
            for e in entries.get(name, []):
                by_ex.setdefault(e.exercise, []).append(e)
            for ex, options in by_ex.items():
                if rng.random() < 0.5:
                    cells[ex] = rng.choice(options).source
            nb = fill(lecture, cells)
        student = f"s{i:02d}"
        target = folder / student / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dumps(nb))
        made.append((student, name, kind))
    return made


class PeakMemory:
    """Peak of the summed RSS of this process and all its descendants."""

    def __init__(self, interval: float = 0.1):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me] + me.children(recursive=True):
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def kernel_baseline(path: Path, assignment: str) -> float:
    """Start a Jupyter kernel and run the notebook's setup and answer cells (as we do)."""
    from jupyter_client.manager import start_new_kernel
    nb = json.loads(path.read_text())
    source = answers.load(SOLUTIONS / f"{assignment}.ipynb")
    theirs = {answers.grader_meta(c).get("grade_id"): answers.source(c)
              for c in nb["cells"]}
    cells = []
    for c in source["cells"]:
        k = answers.kind(c)
        gid = answers.grader_meta(c).get("grade_id")
        if k == "setup":
            cells.append(answers.source(c))
        elif k == "answer" and gid in theirs:
            cells.append(theirs[gid])
    start = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(path.parent))
    try:
        for code in cells:
            kc.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-stock", action="store_true", help="skip stock nbgrader")
    parser.add_argument("--keep", default=None, help="folder to keep the class and courses in")
    parser.add_argument("--notebooks", nargs="+", default=None, metavar="NAME",
                        help="only these notebooks (e.g. 00_gradient_checking for a quick run)")
    args = parser.parse_args()
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("BETTERNETS_NO_PROGRESS", "1")
    from betternets_grader.course import ensure_tools_on_path
    ensure_tools_on_path()
    from betternets_grader.engine.stock import grade_with_nbgrader
    from betternets_grader.grade import GradeOptions, grade

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="grade-bench-"))
    shutil.rmtree(root / "class", ignore_errors=True)
    made = build_class(root / "class", args.students, only=args.notebooks)
    counts = {k: sum(1 for *_, kk in made if kk == k) for k in KINDS}
    print(f"class: {len(made)} submission notebooks over "
          f"{len({n for _, n, _ in made})} notebooks; {counts}; cores: {os.cpu_count()}")

    shutil.rmtree(root / "ours", ignore_errors=True)
    with PeakMemory() as mem_ours:
        t = time.perf_counter()
        run = grade(root / "class", root / "ours.csv", COURSE,
                    GradeOptions(course=root / "ours", jobs=args.jobs, force=True),
                    log=lambda *_: None)
        ours = run.rows
        t_ours = time.perf_counter() - t
    print(f"betternets grade --jobs {args.jobs}: {t_ours:.1f} s, peak memory "
          f"{mem_ours.peak / 2**20:.0f} MB, " + ("sandboxed" if run.sandboxed else "UNSANDBOXED"))

    if not args.no_stock:
        shutil.rmtree(root / "stock", ignore_errors=True)
        with PeakMemory() as mem_stock:
            t = time.perf_counter()
            stock = grade_with_nbgrader(root / "class", root / "stock.csv", COURSE,
                                        course=root / "stock",
                                        log=lambda *_: None)
            t_stock = time.perf_counter() - t
        print(f"stock nbgrader autograde: {t_stock:.1f} s, peak memory "
              f"{mem_stock.peak / 2**20:.0f} MB")
        print(f"RATIO stock / betternets: {t_stock / t_ours:.2f}x faster (target >= 3)")
        a = {(r.student, r.assignment, r.grade_id): r.score for r in ours}
        b = {(r.student, r.assignment, r.grade_id): r.score for r in stock}
        diff = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        print(f"AGREEMENT on every honest submission: {'yes' if not diff else 'NO'} "
              f"({len(a)} test cells compared, {len(diff)} differ)")
        for k in diff[:20]:
            print(f"   {k}: betternets {a.get(k)}, nbgrader {b.get(k)}")

    # per submission notebook, against a Jupyter kernel running the answer cells
    shutil.rmtree(root / "ours1", ignore_errors=True)
    run1 = grade(root / "class", root / "ours1.csv", COURSE,
                 GradeOptions(course=root / "ours1", jobs=1, force=True), log=lambda *_: None)
    per = {(r.student, r.assignment): r.seconds for r in run1.results}
    base = {(s, n): kernel_baseline(root / "class" / s / f"{n}.ipynb", n) for s, n, _ in made}
    ratios = sorted(per[k] / base[k] for k in base)
    mean_ours, mean_base = sum(per.values()) / len(per), sum(base.values()) / len(base)
    print(f"per submission notebook: betternets {mean_ours:.2f} s, Jupyter kernel + answer "
          f"cells {mean_base:.2f} s; ratio mean {mean_ours / mean_base:.2f}, median "
          f"{ratios[len(ratios) // 2]:.2f}, worst {ratios[-1]:.2f} (target <= 1.5)")
    from profile_notebook import work_in_python
    warm = {(s, n): work_in_python(json.loads((root / "class" / s / f"{n}.ipynb").read_text()),
                                   answers.load(SOLUTIONS / f"{n}.ipynb"))[1]
            for s, n, _ in made}
    mean_warm = sum(warm.values()) / len(warm)
    print(f"per submission notebook: betternets {mean_ours:.2f} s, its cells and checks run "
          f"in an already-started Python {mean_warm:.2f} s; ratio of the means "
          f"{mean_ours / max(mean_warm, 1e-9):.2f} (target <= 1.2)")
    if args.keep:
        print(f"files kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
