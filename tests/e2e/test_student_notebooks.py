"""The untouched student notebooks (lectures/) run to their end in a real Jupyter kernel.

Run All must reach the end of a notebook whose exercises are all stubs: a demonstration that
needs one says "needs NAME: not implemented yet" and the next cell runs (`betternets.unfinished`),
a self-check says "not implemented yet" without failing its cell, an explorer names every
stub it needs. Each notebook runs once (a module fixture) in its own kernel, with ipywidgets and
the inline backend, as in JupyterLab.
"""
from __future__ import annotations

import re

import nbformat
import pytest

from betternets_grader import exercises
from checkout import COURSE, LECTURES

NAMES = sorted(p.stem for p in LECTURES.glob("*.ipynb"))
NEEDS = re.compile(r"^needs (\w+(?:, \w+)*): (.*)$", re.M)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    from nbclient import NotebookClient
    work = tmp_path_factory.mktemp("student")
    run = {}
    with pytest.MonkeyPatch.context() as mp:
        for var in ("MPLBACKEND", "BETTERNETS_STATIC", "NBGRADER_EXECUTION"):
            mp.delenv(var, raising=False)
        mp.setenv("BETTERNETS_NO_PROGRESS", "1")
        for name in NAMES:
            nb = nbformat.read(LECTURES / f"{name}.ipynb", as_version=4)
            NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": str(work)}}).execute()
            run[name] = nb
    return run


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


@pytest.mark.parametrize("name", NAMES)
def test_untouched_student_notebook_runs_to_its_end(executed, name):
    nb = executed[name]
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [(i, o.ename, o.evalue) for i, c in enumerate(code) for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    assert all(c.execution_count is not None for c in code)  # every cell ran, the last too
    assert "exercises pass every self-check" in _text(code[-1]) or \
        "not implemented yet" in _text(code[-1])


@pytest.mark.parametrize("name", NAMES)
def test_demonstrations_say_which_exercise_they_need(executed, name):
    text = "\n".join(_text(c) for c in executed[name].cells if c.cell_type == "code")
    needs = NEEDS.findall(text)
    assert needs, f"{name}: no demonstration said what it needs"
    own = set(exercises(name))
    for names, why in needs:
        assert set(names.split(", ")) <= own, names
        assert why.startswith(("not implemented yet", "its cell has not run yet"))
    assert "Traceback" not in text


def _explorer_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and re.search(r"^explorer\(", c.source, re.M)]


@pytest.mark.parametrize("name", NAMES)
def test_each_explorer_draws_or_says_what_it_needs(executed, name):
    cells = _explorer_cells(executed[name])
    assert cells, f"{name} has no explorer"
    for cell in cells:
        drew = any("image/png" in o.get("data", {}) for o in cell.outputs)
        assert drew or NEEDS.search(_text(cell)), cell.source[-200:]


def test_explorers_name_every_stub_they_need_at_once(executed):
    """The explorers of 01, 02, 04 and 05 reach several exercises: each lists them in one line."""
    listed = {}
    for name, nb in executed.items():
        for cell in _explorer_cells(nb):
            for names, why in NEEDS.findall(_text(cell)):
                if why.endswith("the explorer draws once they are"):
                    listed[name] = names.split(", ")
    assert {"01_activations", "02_initialization", "04_first_order_optimizers",
            "05_second_order_methods"} <= set(listed)
    assert len(listed["01_activations"]) == 14  # the seven activations and their derivatives
    for name, names in listed.items():
        assert set(names) <= set(exercises(name))


def test_every_notebook_of_the_course_is_run():
    assert NAMES == sorted(COURSE.assignments())
