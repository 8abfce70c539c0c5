"""Every solution notebook executed headless as a student's `jupyter nbconvert --execute` does
(ipywidgets installed, inline backend, progress bars on), once for the whole run (the session
fixture `executed_solutions` of tests/conftest.py: alice's complete class through stock
nbgrader, which puts the hidden tests back and runs each solution top to bottom):

- every explorer's default figure is an ordinary PNG output before its widget, and survives a
  plain HTML export (no widget state, no CDN);
- no output is a progress bar frozen before 100 %;
- the notebook benchmark (benchmarks/notebook_times.py), in its smallest mode on notebook 00,
  prints one line per run and a table that agrees with them (median, max, the count of runs
  over 60 s, its exit status) and saves the executed notebook.
"""
from __future__ import annotations

import copy
import os
import re
import statistics
import subprocess
import sys

import nbformat
import pytest
from nbconvert import HTMLExporter

from checkout import REPO
SCRIPT = REPO / "benchmarks" / "notebook_times.py"
NOTEBOOKS = sorted(p.stem for p in (REPO / "solutions").glob("*.ipynb"))
BENCHMARKED = ["00_gradient_checking"]
WIDGET = "application/vnd.jupyter.widget-view+json"
RUN = re.compile(r"^run 1/1 (\S+) ([0-9.]+) s$", re.M)
BAR = re.compile(r"(\d+)%\|")

pytestmark = pytest.mark.slow


@pytest.fixture
def executed(executed_solutions):
    """The run's executed solution notebooks (tests/conftest.py)."""
    output, status, folder, _ = executed_solutions
    assert status == 0, output[-3000:]
    assert sorted(p.stem for p in folder.glob("*.ipynb")) == NOTEBOOKS, output[-3000:]
    return executed_solutions


@pytest.fixture(scope="module")
def benchmark_run(tmp_path_factory):
    """notebook_times.py's smallest mode on the shortest notebook, in a student's environment."""
    saved = tmp_path_factory.mktemp("benchmark")
    env = {k: v for k, v in os.environ.items()
           if k not in ("MPLBACKEND", "BETTERNETS_STATIC", "BETTERNETS_NO_PROGRESS")}
    proc = subprocess.run([sys.executable, str(SCRIPT), "--repeat", "1", "--notebooks",
                           *BENCHMARKED, "--save", str(saved)], capture_output=True, text=True,
                          env=env, timeout=900)
    return proc.stdout, proc.returncode, saved


def explorer_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and "explorer(" in c.source]


def test_benchmark_prints_runs_and_a_table_that_agrees(benchmark_run):
    stdout, status, saved = benchmark_run
    runs = {name: float(t) for name, t in RUN.findall(stdout)}
    assert sorted(runs) == BENCHMARKED, stdout
    rows = {line.split()[0]: line.split() for line in stdout.splitlines()
            if line.split() and line.split()[0] in NOTEBOOKS and not line.startswith("run ")}
    assert sorted(rows) == BENCHMARKED
    for name in BENCHMARKED:
        executed = nbformat.read(saved / f"{name}.ipynb", as_version=4)
        assert any(c.get("outputs") for c in executed.cells if c.cell_type == "code"), name
    for name, seconds in runs.items():
        _, n, median, worst, over, *_ = rows[name]
        assert int(n) == 1
        assert float(median) == pytest.approx(statistics.median([seconds]), abs=0.051)
        assert float(worst) == pytest.approx(seconds, abs=0.051)
        assert int(over) == int(seconds > 60)
    assert status == (1 if any(t > 60 for t in runs.values()) else 0), stdout


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_explorers_show_a_png_before_the_widget(executed, name):
    nb = nbformat.read(executed[2] / f"{name}.ipynb", as_version=4)
    cells = explorer_cells(nb)
    assert cells, f"{name} has no explorer"
    for cell in cells:
        kinds = [("png" if "image/png" in o.get("data", {}) else
                  "widget" if WIDGET in o.get("data", {}) else o.output_type) for o in cell.outputs]
        assert "png" in kinds and "widget" in kinds, kinds
        assert kinds.index("png") < kinds.index("widget"), kinds
        assert not any(o.output_type == "error" for o in cell.outputs)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_explorer_figures_survive_a_plain_html_export(executed, name):
    nb = nbformat.read(executed[2] / f"{name}.ipynb", as_version=4)
    for cell in explorer_cells(nb):
        alone = copy.deepcopy(nb)
        alone.cells = [cell]
        alone.metadata.pop("widgets", None)  # what GitHub or an offline viewer has: no widget state
        html, _ = HTMLExporter().from_notebook_node(alone)
        assert 'src="data:image/png;base64,' in html


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_output_is_an_unfinished_progress_bar(executed, name):
    nb = nbformat.read(executed[2] / f"{name}.ipynb", as_version=4)
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            frozen = [p for p in BAR.findall(text) if int(p) < 100]
            assert not frozen, f"cell {index}: {text[:120]!r}"
            if WIDGET in out.get("data", {}):
                assert "explorer(" in cell.source, f"cell {index} keeps a widget: {text[:80]!r}"


def test_progress_bars_end_as_finished_text(executed):
    """The training loops do show bars (so the test above is not vacuous), each one finished."""
    finished = 0
    for name in NOTEBOOKS:
        nb = nbformat.read(executed[2] / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                text = str(out.get("data", {}).get("text/plain", ""))
                if BAR.search(text):
                    assert WIDGET not in out.get("data", {}) and "100%|" in text, text
                    finished += 1
    assert finished >= 1
