"""Run each solution notebook headless, top to bottom, and print its wall time
against the issue's target, measured side by side in one run.

    .venv/bin/python benchmarks/notebook_times.py [NAME ...]

Targets (seconds, on the 2-core course machine): 01: 20, 02: 30, 03: 60,
04: 45, 05: 45; notebook 00 has none and is shown for reference. A notebook
run that raises is reported as FAILED.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
TARGETS = {"01": 20.0, "02": 30.0, "03": 60.0, "04": 45.0, "05": 45.0}


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO / "solutions")}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main(names: list[str]) -> int:
    # As a student runs it: the kernel's inline backend draws every figure to PNG.
    os.environ.pop("MPLBACKEND", None)
    os.environ.update(BETTERNETS_NO_PROGRESS="1")
    paths = sorted((REPO / "solutions").glob("*.ipynb"))
    if names:
        paths = [p for p in paths if any(p.stem.startswith(n) for n in names)]
    print(f"{'notebook':32} {'seconds':>8} {'target':>7} {'ratio':>6}  verdict")
    worst = 0
    for path in paths:
        target = TARGETS.get(path.stem[:2])
        try:
            seconds = run(path)
        except Exception as exc:  # noqa: BLE001 - report and go on
            print(f"{path.stem:32} {'-':>8} {target or '-':>7} {'-':>6}  FAILED: {type(exc).__name__}")
            worst = 1
            continue
        ratio = f"{seconds / target:.2f}" if target else "-"
        verdict = "ok" if not target or seconds <= target else "OVER TARGET"
        worst |= verdict != "ok"
        print(f"{path.stem:32} {seconds:8.1f} {target or '-':>7} {ratio:>6}  {verdict}")
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
