"""The suite's folders, their markers, and how its files are shared out between workers.

    tests/unit/       in-process tests of single modules                     marker unit
    tests/reference/  the hidden references against the lecture's formulas  marker reference
    tests/checks/     the checks proven both ways on the catalog, in process marker checks
    tests/engine/     the grading engine: kernels, sandbox, adversaries      markers engine, slow
    tests/e2e/        whole commands: release, grade, site, wheels, nbgrader markers e2e, slow
    tests/browser/    pages driven in a real headless Chromium               markers browser, slow

`make test-fast` runs `-m "not slow"`. Under pytest-xdist (`make test`: `-n auto --dist
loadfile --no-loadscope-reorder`) each file runs whole on one worker, so a file's module
fixtures (a graded class, executed notebooks) are computed once, and a worker takes the next
file in collection order when it is nearly done with its last. The files are collected
longest first (`LONGEST_FIRST`), so that the short ones fill in at the end and both workers
finish together. (Not `--dist loadgroup`: with pytest 9.2 its groups are silently lost, as
xdist 3.8 writes them into a node id attribute pytest no longer reads, and every test was
scheduled alone; tests/unit/test_test_layout.py checks the scheduling.)
The helpers beside this file (`checkout`, `system`, `catalog`, `make_samples`,
`local_users`, `feedback_class`, `executed_class`) are imported by name.
"""
import os
import shutil
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("BETTERNETS_NO_PROGRESS", "1")
os.environ.setdefault("BETTERNETS_STATIC", "1")

FOLDER_MARKERS = {"unit": ["unit"], "reference": ["reference"], "checks": ["checks"],
                  "engine": ["engine", "slow"], "e2e": ["e2e", "slow"],
                  "browser": ["browser", "slow"]}
"""The markers every test of a folder gets."""


LONGEST_FIRST = [
    "e2e/test_installed_wheels.py", "e2e/test_pipeline.py", "e2e/test_add_exercise.py",
    "engine/test_adversarial.py", "e2e/test_shipped_scripts.py", "e2e/test_instructor_week.py",
    "e2e/test_course_week.py", "e2e/test_demonstrations.py", "engine/test_mutants.py",
    "engine/test_engine.py", "browser/test_browser.py", "e2e/test_notebooks_static.py",
    "e2e/test_student_notebooks.py", "e2e/test_release.py", "unit/test_export.py",
]
"""The files that take longest, longest first (seconds each on this 2-core machine, from
`make test` with PYTEST_ADDOPTS=--durations=60, 2026-12-03: 159, 149, 87, 80, 66, 63, 46, 38,
34, 31, 28, ...). test_notebooks_static comes after test_pipeline, which executes the solution
notebooks they share (`executed_solutions`), so that it rarely waits for them. The other
files follow in FOLDER_ORDER, slow folders first."""
FOLDER_ORDER = ["e2e", "engine", "browser", "checks", "reference", "unit"]


def _file_rank(relative: str) -> tuple[int, int]:
    if relative in LONGEST_FIRST:
        return (0, LONGEST_FIRST.index(relative))
    folder = relative.split("/", 1)[0]
    return (1, FOLDER_ORDER.index(folder) if folder in FOLDER_ORDER else len(FOLDER_ORDER))


def pytest_collection_modifyitems(config, items):
    """Each test gets its folder's markers; the files are ordered longest first (a stable
    sort: a file's own tests keep their order)."""
    ranks = {}
    for item in items:
        path = Path(str(item.fspath))
        try:
            relative = path.relative_to(TESTS).as_posix()
        except ValueError:
            ranks[item.nodeid] = (2, 0)
            continue
        ranks[item.nodeid] = _file_rank(relative)
        for name in FOLDER_MARKERS.get(relative.split("/", 1)[0], []):
            item.add_marker(name)
    items.sort(key=lambda item: ranks[item.nodeid])


@pytest.hookimpl(trylast=True)  # after pytest's own summary, just before its closing count
def pytest_terminal_summary(terminalreporter):
    """One line naming what a missing (or unusable) system package left untested, and how
    to cover it."""
    from system import SKIP_PREFIX, UNUSABLE_PREFIX
    from system_packages import install_command
    counts: dict[str, dict[str, int]] = {SKIP_PREFIX: {}, UNUSABLE_PREFIX: {}}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        for prefix, by_name in counts.items():
            if prefix in reason:
                name = reason.split(prefix, 1)[1].split(":", 1)[0]
                by_name[name] = by_name.get(name, 0) + 1

    def listed(by_name: dict[str, int]) -> str:
        return ", ".join(f"{n} ({k} test{'s' * (k > 1)})" for n, k in sorted(by_name.items()))

    parts = []
    if counts[SKIP_PREFIX]:
        parts.append(f"{listed(counts[SKIP_PREFIX])}; install with: "
                     f"{install_command(sorted(counts[SKIP_PREFIX]))} (or run `make setup` as "
                     "root), then `make test` again")
    if counts[UNUSABLE_PREFIX]:
        parts.append(f"installed but unusable here: {listed(counts[UNUSABLE_PREFIX])} (see the "
                     "skip reasons; `make test` starts PostgreSQL itself)")
    if parts:
        terminalreporter.write_line("NOT COVERED on this machine: " + "; ".join(parts))


@pytest.fixture(scope="session")
def executed_solutions(tmp_path_factory):
    """Every solution notebook executed once for the whole run, as alice's complete class
    autograded by stock nbgrader in a student's environment (tests/executed_class.py):
    (what the run printed, its exit status, the folder of executed notebooks
    `<name>.ipynb`, stock nbgrader's CSV of alice's scores). Workers of one xdist run share
    it: the first to ask runs it, under a lock in the run's common temporary folder, and
    the others read what it left."""
    import fcntl
    import json
    import subprocess

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out, record = shared / "executed-solutions", shared / "executed-solutions.json"
    with open(shared / "executed-solutions.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()   # executed_class.py sets the student's environment itself
            proc = subprocess.run([sys.executable, str(TESTS / "executed_class.py"), str(out)],
                                  capture_output=True, text=True, timeout=1800)
            record.write_text(json.dumps([proc.stdout + proc.stderr, proc.returncode]))
    output, status = json.loads(record.read_text())
    return output, status, out / "notebooks", out / "stock.csv"
