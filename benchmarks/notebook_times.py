"""Run each solution notebook headless, cold and repeatedly, as a student's `jupyter nbconvert
--execute` would (ipywidgets installed, the inline backend, progress bars on), and print each
notebook's median and maximum wall time, the count of runs over 60 s, and the issue's target.

    .venv/bin/python benchmarks/notebook_times.py                      # every notebook, 1 run
    .venv/bin/python benchmarks/notebook_times.py --repeat 5           # 5 cold runs each
    .venv/bin/python benchmarks/notebook_times.py --repeat 1 --notebooks 00_gradient_checking
    .venv/bin/python benchmarks/notebook_times.py --save DIR           # keep the executed notebooks

Every run is cold: a new kernel process, the notebook read afresh from solutions/ (no outputs).
The executor is nbclient with its defaults and a 600 s cell timeout, so a stall (an executor idle
until the cell timeout, nbclient issue 312) shows as a run of about 600 s. Targets (seconds, on the
2-core course machine): 01: 20, 02: 30, 03: 60, 04: 45, 05: 45; 00 has none. A run that raises is
reported as FAILED. Exit status 1 when a run failed or took longer than 60 s.

Output: one line per run ("run 1/5 00_gradient_checking 8.41 s"), then the table.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
TARGETS = {"01": 20.0, "02": 30.0, "03": 60.0, "04": 45.0, "05": 45.0}
STALL_SECONDS = 60.0
CELL_TIMEOUT = 600


def run(path: Path) -> tuple[float, nbformat.NotebookNode]:
    """Wall time of one cold execution of the notebook at path, and the executed notebook."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO / "solutions")}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start, nb


def table(times: dict[str, list[float | None]]) -> tuple[str, bool]:
    """The summary table, and whether every run finished within STALL_SECONDS."""
    lines = [f"{'notebook':28} {'runs':>4} {'median':>7} {'max':>7} {'over60':>6} {'target':>6}  verdict"]
    ok = True
    for name, runs in times.items():
        done = [t for t in runs if t is not None]
        failed = len(runs) - len(done)
        over = sum(t > STALL_SECONDS for t in done)
        target = TARGETS.get(name[:2])
        median = f"{statistics.median(done):7.1f}" if done else f"{'-':>7}"
        worst = f"{max(done):7.1f}" if done else f"{'-':>7}"
        verdict = ("FAILED" if failed else "STALLED" if over
                   else "over target" if target and max(done) > target else "ok")
        ok &= not failed and not over
        lines.append(f"{name:28} {len(runs):4d} {median} {worst} {over:6d} {target or '-':>6}  {verdict}")
    return "\n".join(lines), ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="cold runs per notebook")
    parser.add_argument("--notebooks", nargs="*", default=[], help="name prefixes (default: all)")
    parser.add_argument("--save", type=Path, help="write each notebook's last executed run here")
    args = parser.parse_args(argv)
    # As a student runs it: the kernel's inline backend draws every figure to PNG, ipywidgets
    # draws the explorers and progress bars (nothing static, nothing disabled).
    for var in ("MPLBACKEND", "BETTERNETS_STATIC", "BETTERNETS_NO_PROGRESS"):
        os.environ.pop(var, None)
    paths = sorted((REPO / "solutions").glob("*.ipynb"))
    if args.notebooks:
        paths = [p for p in paths if any(p.stem.startswith(n) for n in args.notebooks)]
    if not paths:
        parser.error(f"no notebook matches {args.notebooks}")
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    times: dict[str, list[float | None]] = {p.stem: [] for p in paths}
    for k in range(1, args.repeat + 1):
        for path in paths:
            try:
                seconds, nb = run(path)
            except Exception as exc:  # noqa: BLE001 - report and go on
                print(f"run {k}/{args.repeat} {path.stem} FAILED: {type(exc).__name__}: "
                      f"{str(exc).splitlines()[0] if str(exc) else ''}", flush=True)
                times[path.stem].append(None)
                continue
            times[path.stem].append(seconds)
            print(f"run {k}/{args.repeat} {path.stem} {seconds:.2f} s", flush=True)
            if args.save:
                nbformat.write(nb, args.save / path.name)
    text, ok = table(times)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
