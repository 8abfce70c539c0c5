"""How grading scales with the size of a class, measured in one run.

    .venv/bin/python benchmarks/class_scale.py [--sizes 100 400 1800] [--jobs 2]
        [--stock-class 40] [--dask-class 400] [--notebooks NAME ...] [--no-warmup]

For each size it builds a synthetic class of honest submissions (complete,
partly wrong and untouched, as `grade_benchmark.py` makes them), grades it with
`betternets grade --jobs N` (sandboxed where bubblewrap is installed) in a copy
of a released course (nbgrader's gradebook holds the assignments, as after
`betternets release`; stock nbgrader starts from the same copy) and prints,
measured in this run:

- notebooks per second, the time to the first result row, and the peak memory
  (RSS summed over the grader and all its children);
- the ratio to stock `nbgrader autograde` on a class of `--stock-class`
  notebooks, both graded here, one after the other;
- a least-squares fit of wall time against class size, seconds = a + b * n:
  b is the cost per notebook; the marginal cost of the last step of sizes
  against the first shows whether a notebook costs more in a larger class;
- with `--dask-class N`: a Dask cluster started from the command line
  (`dask scheduler` and two `dask worker` processes on 127.0.0.1) grades a
  class of N with `--scheduler`, and its CSV is compared with the local run's,
  row for row.

Targets (issue 17): 1,800 notebooks in at most 600 s (3 notebooks/s), 15x
stock nbgrader, peak memory at most 1.5 GB at --jobs 2. Numbers are printed,
not asserted: a smoke run of every path is in tests/test_shipped_scripts.py.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grade_benchmark import COURSE, PeakMemory, build_class  # noqa: E402

TARGET_RATE, TARGET_RATIO, TARGET_PEAK_MB = 3.0, 15.0, 1536


class FirstRow:
    """A `progress` callback for grade() that notes when the first result arrives."""

    def __init__(self):
        self.start, self.first = time.perf_counter(), None

    def __call__(self, iterable, **_):
        for item in iterable:
            if self.first is None:
                self.first = time.perf_counter() - self.start
            yield item


def released_course(folder: Path, only: list[str] | None = None) -> Path:
    """An nbgrader workspace after `betternets release`: the gradebook holds every assignment.
    Each run below starts from a copy of it, as an instructor's grading runs do (the release
    is done once a term); stock nbgrader gets the same copy."""
    from betternets_grader.course import nbgrader_api, prepare_course
    from betternets_grader.gradebook import ensure_released
    workspace = prepare_course(folder, COURSE)
    names = [n for n in COURSE.assignments() if not only or n in only]
    ensure_released(nbgrader_api(workspace), workspace, COURSE.solutions, names)
    return workspace


def fresh_copy(released: Path | None, course: Path) -> None:
    shutil.rmtree(course, ignore_errors=True)
    if released is not None:
        shutil.copytree(released, course)


def grade_class(folder: Path, course: Path, out: Path, jobs: int, scheduler=None,
                released: Path | None = None) -> dict:
    from betternets_grader.grade import GradeOptions, grade
    fresh_copy(released, course)
    first = FirstRow()
    with PeakMemory() as mem:
        t = time.perf_counter()
        run = grade(folder, out, COURSE, GradeOptions(course=course, jobs=jobs,
                                                      scheduler=scheduler, force=True),
                    log=lambda *_: None, progress=first)
        seconds = time.perf_counter() - t
    return {"seconds": seconds, "first": first.first, "peak_mb": mem.peak / 2**20,
            "graded": run.graded, "sandboxed": run.sandboxed}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CommandLineCluster:
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1, stopped on exit."""

    def __init__(self, workers: int = 2):
        self.workers, self.procs = workers, []
        self.address = f"tcp://127.0.0.1:{_free_port()}"

    def __enter__(self) -> str:
        dask = str(Path(sys.executable).parent / "dask")
        port = self.address.rsplit(":", 1)[1]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL,
                 "stdin": subprocess.DEVNULL}
        self.procs.append(subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port",
                                            port, "--no-dashboard"], **quiet))
        for _ in range(self.workers):
            self.procs.append(subprocess.Popen([dask, "worker", self.address, "--host",
                                                "127.0.0.1", "--nthreads", "1", "--no-dashboard",
                                                "--memory-limit", "0"], **quiet))
        from distributed import Client
        with Client(self.address, timeout=120) as client:
            client.wait_for_workers(self.workers, timeout=120)
        return self.address

    def __exit__(self, *exc):
        for p in reversed(self.procs):
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def read_rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as fh:
        return sorted(csv.reader(fh))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 400, 1800])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--stock-class", type=int, default=40, metavar="N",
                        help="class size for the ratio to stock nbgrader (0: skip)")
    parser.add_argument("--dask-class", type=int, default=400, metavar="N",
                        help="class size for the Dask run (0: skip)")
    parser.add_argument("--notebooks", nargs="+", default=None, metavar="NAME",
                        help="only these notebooks (a quick run)")
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the unreported warm-up grading of a 2-notebook class")
    args = parser.parse_args()
    if any(n < 1 for n in args.sizes) or len(set(args.sizes)) < 2:
        parser.error("--sizes needs at least two different positive class sizes")
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("BETTERNETS_NO_PROGRESS", "1")
    from betternets_grader.course import ensure_tools_on_path
    ensure_tools_on_path()

    root = Path(tempfile.mkdtemp(prefix="class-scale-"))
    try:
        print(f"cores: {os.cpu_count()}; --jobs {args.jobs}")
        print(f"{'notebooks':>9} {'seconds':>8} {'nb/s':>6} {'first row s':>11} "
              f"{'peak MB':>8}  sandboxed")
        released = released_course(root / "released", args.notebooks)
        if not args.no_warmup:  # imports, caches and the course template: not class size
            build_class(root / "warmup", 2, only=args.notebooks)
            grade_class(root / "warmup", root / "warmup-course", root / "warmup.csv", args.jobs,
                        released=released)
        sizes, seconds, local_csv = sorted(args.sizes), [], {}
        for n in sizes:
            folder = root / f"class{n}"
            build_class(folder, n, only=args.notebooks)
            r = grade_class(folder, root / f"course{n}", root / f"local{n}.csv", args.jobs,
                            released=released)
            seconds.append(r["seconds"])
            local_csv[n] = root / f"local{n}.csv"
            print(f"{n:>9} {r['seconds']:8.1f} {n / r['seconds']:6.2f} {r['first']:11.1f} "
                  f"{r['peak_mb']:8.0f}  {'yes' if r['sandboxed'] else 'NO'}")
        b, a = np.polyfit(np.array(sizes, float), np.array(seconds), 1)
        first_step = (seconds[1] - seconds[0]) / (sizes[1] - sizes[0])
        last_step = (seconds[-1] - seconds[-2]) / (sizes[-1] - sizes[-2])
        print(f"FIT seconds = {a:.1f} + {b:.3f} * notebooks; marginal cost "
              f"{first_step:.3f} s/notebook from {sizes[0]} to {sizes[1]}, {last_step:.3f} from "
              f"{sizes[-2]} to {sizes[-1]}: ratio {last_step / first_step:.2f} (1.00 = linear)")
        largest = sizes[-1]
        print(f"TARGET {largest} notebooks: {seconds[-1]:.1f} s, {largest / seconds[-1]:.2f} "
              f"notebooks/s (target >= {TARGET_RATE:g}/s)")

        if args.stock_class:
            from betternets_grader.engine.stock import grade_with_nbgrader
            folder = root / "stock-class"
            build_class(folder, args.stock_class, only=args.notebooks)
            ours = grade_class(folder, root / "ours-s", root / "ours-s.csv", args.jobs,
                               released=released)
            fresh_copy(released, root / "stock")
            t = time.perf_counter()
            grade_with_nbgrader(folder, root / "stock.csv", COURSE, course=root / "stock",
                                log=lambda *_: None)
            stock = time.perf_counter() - t
            print(f"RATIO on {args.stock_class} notebooks: stock nbgrader {stock:.1f} s, "
                  f"betternets {ours['seconds']:.1f} s: {stock / ours['seconds']:.2f}x "
                  f"(target >= {TARGET_RATIO:g}x)")

        if args.dask_class:
            n = args.dask_class
            if n not in local_csv:
                folder = root / f"class{n}"
                build_class(folder, n, only=args.notebooks)
                grade_class(folder, root / f"course{n}", root / f"local{n}.csv", args.jobs,
                            released=released)
                local_csv[n] = root / f"local{n}.csv"
            with CommandLineCluster(workers=2) as address:
                r = grade_class(root / f"class{n}", root / "dask-course", root / "dask.csv",
                                args.jobs, scheduler=address, released=released)
            same = read_rows(local_csv[n]) == read_rows(root / "dask.csv")
            print(f"DASK {n} notebooks on `dask scheduler` + 2 `dask worker` at {address}: "
                  f"{r['seconds']:.1f} s, {n / r['seconds']:.2f} notebooks/s; CSV equal to the "
                  f"local run row for row: {'yes' if same else 'NO'}")
            if not same:
                return 1
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
