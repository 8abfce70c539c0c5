"""betternets.unfinished: a live notebook goes on past unfinished exercises.

The cell wrapper is proven here on IPython's own shell (in a subprocess, so that no shell
singleton stays behind in this test process); tests/e2e/test_student_notebooks.py runs every
untouched student notebook to its end in a real Jupyter kernel.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from betternets import unfinished
from betternets.checks.core import ChecksFailed


def stub(name: str, label: str = "01.1"):
    ns: dict = {}
    exec(f"def {name}(z):\n    raise NotImplementedError('Exercise {label}: implement {name}')",
         ns)
    return ns[name]


def test_stub_name_reads_only_the_releases_stub_message():
    assert unfinished.stub_name(NotImplementedError("Exercise 01.3: implement tanh")) == "tanh"
    assert unfinished.stub_name(NotImplementedError("Exercise 03.17: implement zoneout")) == "zoneout"
    for other in [NotImplementedError(), NotImplementedError("not yet"), ValueError("x"),
                  NotImplementedError("Exercise 01.3: implement tanh", 2)]:
        assert unfinished.stub_name(other) is None


def test_explain_names_what_an_error_waits_for():
    assert unfinished.explain(NotImplementedError("Exercise 01.1: implement sigmoid")) == (
        "sigmoid", "needs sigmoid: not implemented yet")
    name, line = unfinished.explain(NameError("name 'tanh' is not defined", name="tanh"))
    assert name == "tanh" and line.startswith("needs tanh: its cell has not run yet")
    assert unfinished.explain(ChecksFailed("relu: not implemented yet", unimplemented=True)) == (
        "relu", "")
    for ordinary in [ChecksFailed("relu: 1 of 3 checks failed"), ZeroDivisionError(),
                     NameError("name 'no_such_thing' is not defined", name="no_such_thing"),
                     NotImplementedError("something else")]:
        assert unfinished.explain(ordinary) is None


def test_a_name_from_a_skipped_cell_points_at_the_exercise_it_waits_for(capsys, monkeypatch):
    monkeypatch.setattr(unfinished, "SKIPPED", {})
    assert unfinished.handle(NotImplementedError("Exercise 03.2: implement train_val_test_split"),
                             ("X_train", "train_mlp"))
    assert capsys.readouterr().out == "needs train_val_test_split: not implemented yet\n"
    assert unfinished.handle(NameError("name 'X_train' is not defined", name="X_train"), ())
    out = capsys.readouterr().out
    assert out.startswith("needs train_val_test_split: not implemented yet (X_train comes from")
    assert not unfinished.handle(NameError("name 'y_val' is not defined", name="y_val"))


def test_defined_names_are_the_cells_top_level_bindings():
    tree = ast.parse(textwrap.dedent("""
        import numpy as np
        from os import path as p
        X_train, (y_train, z) = 1, (2, 3)
        def train_mlp(a):
            inner = 1
        for k in range(3):
            total = k
        f = lambda q: q
    """))
    assert unfinished.defined_names(tree.body) == (
        "X_train", "f", "k", "np", "p", "total", "train_mlp", "y_train", "z")


def test_stubs_reachable_finds_every_stub_a_drawing_can_call():
    sigmoid, tanh = stub("sigmoid"), stub("tanh", "01.3")
    ns = {"EXPLORE": {"sigmoid": (sigmoid, np.exp), "tanh": (tanh, np.cos)}, "np": np,
          "done": lambda z: z}
    exec("def helper(z):\n    return done(z)\n"
         "def render(names):\n    for n in names:\n        f, g = EXPLORE[n]\n"
         "        helper(f(1.0))\n", ns)
    assert unfinished.stubs_reachable(ns["render"]) == ["sigmoid", "tanh"]
    ns["EXPLORE"] = {"done": (ns["done"], np.exp)}
    assert unfinished.stubs_reachable(ns["render"]) == []
    assert unfinished.stubs_reachable(lambda: sigmoid(0.0)) == ["sigmoid"]  # through a closure


def test_install_only_in_a_live_jupyter_kernel(monkeypatch):
    class ZMQInteractiveShell:  # the class name ipykernel's shell has
        def __init__(self):
            self.user_ns, self.ast_transformers = {}, []

    class InteractiveShell(ZMQInteractiveShell):  # the grader's plain shell
        pass

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not unfinished.install(InteractiveShell())
    live = ZMQInteractiveShell()
    assert unfinished.install(live) and unfinished.install(live)
    assert len(live.ast_transformers) == 1 and live.user_ns[unfinished.HANDLER] is unfinished.handle
    for mode in ("autograde", "validate"):  # nbgrader running the notebook: errors stay errors
        monkeypatch.setenv("NBGRADER_EXECUTION", mode)
        assert not unfinished.install(ZMQInteractiveShell())


SHELL_SCRIPT = r'''
import json, sys
from IPython.core.interactiveshell import InteractiveShell
from betternets import unfinished
shell = InteractiveShell.instance()
shell.user_ns[unfinished.HANDLER] = unfinished.handle
shell.ast_transformers.append(unfinished.GoOnPastStubs())
cells = json.loads(sys.argv[1])
report = []
for cell in cells:
    result = shell.run_cell(cell, store_history=True)
    report.append({"ok": result.success, "value": repr(result.result),
                   "error": type(result.error_in_exec).__name__ if result.error_in_exec else None})
print("REPORT" + json.dumps(report))
'''


def test_the_wrapped_cell_goes_on_past_a_stub_and_keeps_its_last_value():
    cells = [
        "def sigmoid(z):\n    raise NotImplementedError('Exercise 01.1: implement sigmoid')",
        "x = 2\nsigmoid(x)\ny = 3",          # stops at the stub, says so, no error
        "x * 21",                              # a last expression keeps its value (Out)
        "1 / 0",                               # an ordinary error still stops the cell
        "undefined_name + 1",                  # so does a NameError of no exercise
        "from __future__ import annotations\nz = 1",   # a future import stays first
    ]
    proc = subprocess.run([sys.executable, "-c", SHELL_SCRIPT, json.dumps(cells)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out, _, tail = proc.stdout.rpartition("REPORT")
    report = json.loads(tail)
    assert "needs sigmoid: not implemented yet" in out
    assert [r["ok"] for r in report] == [True, True, True, False, False, True]
    assert report[2]["value"] == "42"
    assert report[3]["error"] == "ZeroDivisionError" and report[4]["error"] == "NameError"


@pytest.mark.parametrize("source", ["", "pass", "# only a comment"])
def test_the_wrapper_leaves_an_empty_cell_alone(source):
    tree = unfinished.GoOnPastStubs().visit(ast.parse(source))
    assert not tree.body or isinstance(tree.body[0], ast.Try)
