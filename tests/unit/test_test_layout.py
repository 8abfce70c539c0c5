"""How `make test` shares the suite out: every test file runs whole on one worker.

A file's module fixtures (a graded class, an installed virtual environment, executed
notebooks) take a minute or more to build; a file split over two workers builds them twice.
With pytest 9.2 and pytest-xdist 3.8, `--dist loadgroup` lost every group without a word
(xdist writes the group into `item._nodeid`, which pytest no longer reads), so this test runs
the Makefile's own options on a small suite of two files and looks at which worker ran what.
"""
from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys

from checkout import REPO

TEST_FILE = '''
import json, os, pathlib
import pytest

@pytest.mark.parametrize("i", range(6))
def test_record(i):
    with open(pathlib.Path(__file__).parent / "ran.jsonl", "a") as f:
        f.write(json.dumps([__name__, os.environ["PYTEST_XDIST_WORKER"]]) + "\\n")
'''


def makefile_parallel_options() -> list[str]:
    text = (REPO / "Makefile").read_text()
    found = re.search(r"^PYTEST_PARALLEL \?= (.+)$", text, re.MULTILINE)
    assert found, "the Makefile sets no PYTEST_PARALLEL"
    return shlex.split(found.group(1))


def test_each_file_runs_whole_on_one_worker(tmp_path):
    for name in ("test_first.py", "test_second.py"):
        (tmp_path / name).write_text(TEST_FILE)
    options = [o if o != "auto" else "2" for o in makefile_parallel_options()]
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *options, str(tmp_path)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ran = [json.loads(line) for line in (tmp_path / "ran.jsonl").read_text().splitlines()]
    assert len(ran) == 12, ran
    workers = {module: {w for m, w in ran if m == module} for module, _ in ran}
    assert set(workers) == {"test_first", "test_second"}, workers
    assert all(len(w) == 1 for w in workers.values()), \
        f"a file's tests ran on more than one worker with {options}: {workers}"


def test_the_longest_first_files_exist_and_every_folder_is_ordered():
    import conftest
    tests = REPO / "tests"
    missing = [f for f in conftest.LONGEST_FIRST if not (tests / f).is_file()]
    assert not missing, f"LONGEST_FIRST names files that are gone: {missing}"
    folders = {p.parent.relative_to(tests).parts[0] for p in tests.glob("*/test_*.py")}
    assert folders == set(conftest.FOLDER_ORDER) == set(conftest.FOLDER_MARKERS), folders
