"""Every script the project ships runs: a smoke run of each on a tiny input.

A benchmark's numbers are not judged here (they depend on the machine); what is
checked is that every code path ran to the end and printed its figures.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from checkout import REPO
NUMBER = r"\d+(?:\.\d+)?"


def run_script(*args: str, timeout: float = 900) -> str:
    proc = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, MPLBACKEND="Agg"))
    assert proc.returncode == 0, f"{args[0]} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n" \
                                 f"{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.mark.slow
def test_grade_benchmark_runs_every_path_on_a_tiny_class():
    """Three submissions of notebook 00 (complete, partly wrong, untouched): both graders,
    the agreement check and the per-notebook baseline all run and print their figures."""
    out = run_script("benchmarks/grade_benchmark.py", "--students", "3", "--jobs", "1",
                     "--notebooks", "00_gradient_checking")
    assert re.search(r"class: 3 submission notebooks over 1 notebooks; \{'complete': 1, "
                     r"'partly wrong': 1, 'untouched': 1\}", out), out
    assert re.search(rf"betternets grade --jobs 1: {NUMBER} s, peak memory \d+ MB", out), out
    assert re.search(rf"stock nbgrader autograde: {NUMBER} s, peak memory \d+ MB", out), out
    assert re.search(rf"RATIO stock / betternets: {NUMBER}x", out), out
    assert re.search(r"AGREEMENT on every honest submission: yes \((\d+) test cells compared, "
                     r"0 differ\)", out), out
    assert re.search(rf"per submission notebook: betternets {NUMBER} s, Jupyter kernel \+ answer "
                     rf"cells {NUMBER} s; ratio mean {NUMBER}, median {NUMBER}, worst {NUMBER}",
                     out), out


def test_system_packages_lists_each_package_and_its_state():
    from system import system_packages
    out = run_script("scripts/system_packages.py", "list")
    rows = [line.split("\t") for line in out.strip().splitlines()]
    assert [r[0] for r in rows] == list(system_packages.PACKAGES)
    assert all(r[1] in ("present", "MISSING") and r[2] for r in rows)
    missing = run_script("scripts/system_packages.py", "missing").split()
    assert missing == [r[0] for r in rows if r[1] == "MISSING"]


def test_with_postgres_runs_the_command_beside_a_throwaway_server():
    from system import require
    require("postgresql", "the throwaway server of scripts/with_postgres.py")
    probe = ("import os, sys, psycopg\n"
             "url = os.environ['BETTERNETS_TEST_DB_URL']\n"
             "with psycopg.connect(url) as db:\n"
             "    print(db.execute('select 40 + 2').fetchone()[0], url)\n"
             "sys.exit(3)\n")
    proc = subprocess.run([sys.executable, "scripts/with_postgres.py", sys.executable, "-c",
                           probe], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3, proc.stderr[-2000:]  # the command's own exit code
    answer, url = proc.stdout.split()
    assert answer == "42" and url.startswith("postgresql://betternets@127.0.0.1:")
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    import socket
    with socket.socket() as s:  # stopped afterwards: nothing listens there any more
        assert s.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.slow
def test_class_scale_runs_every_path_on_tiny_classes():
    """Two class sizes, the stock ratio and a command-line Dask cluster, on notebook 00."""
    out = run_script("benchmarks/class_scale.py", "--sizes", "1", "2", "--stock-class", "1",
                     "--dask-class", "2", "--notebooks", "00_gradient_checking", "--no-warmup")
    for n in (1, 2):
        assert re.search(rf"^\s+{n} +{NUMBER} +{NUMBER} +{NUMBER} +\d+  (yes|NO)$", out, re.M), out
    assert re.search(rf"FIT seconds = -?{NUMBER} \+ -?{NUMBER} \* notebooks", out), out
    assert re.search(rf"RATIO on 1 notebooks: stock nbgrader {NUMBER} s, betternets {NUMBER} s",
                     out), out
    assert re.search(r"DASK 2 notebooks on `dask scheduler` \+ 2 `dask worker` at "
                     r"tcp://127\.0\.0\.1:\d+: .*CSV equal to the local run row for row: yes", out), out


@pytest.mark.slow
def test_profile_notebook_splits_a_notebook_s_time_into_its_phases():
    """One repeat of notebook 00: the bubblewrap probe, the worker's first notebook and a
    row of phases that add up to no more than the notebook's total."""
    out = run_script("benchmarks/profile_notebook.py", "--repeat", "1",
                     "--notebooks", "00_gradient_checking")
    assert re.search(rf"first notebook of a worker \(imports, template kernel start\): "
                     rf"{NUMBER} s", out), out
    row = re.search(rf"^00_gradient_checking\s+((?:{NUMBER}\s+){{9}}{NUMBER})\s+"
                    rf"\(score (\d+), (sandboxed|UNSANDBOXED)\)", out, re.M)
    assert row, out
    total, start, setup, answers, calls, n, batched = map(float, row.group(1).split()[:7])
    assert total > 0 and start + setup + answers + calls + batched <= total + 0.01
    assert int(row.group(2)) > 0   # the solution scores
