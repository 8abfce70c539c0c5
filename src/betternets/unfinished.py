"""Unfinished exercises in a live notebook: say "needs sigmoid: not implemented yet" and go on.

A student notebook starts with every exercise a stub, `raise NotImplementedError("Exercise 01.1:
implement sigmoid")`. A demonstration that calls one would stop Run All at its traceback (the
kernel drops the cells queued after an error), so the rest of the notebook, its text and its other
exercises, would never run. In a live Jupyter kernel this module wraps each cell in
`try: ... except` (an IPython AST transformer, IPython's own hook for rewriting a cell) so that
these four errors print one line (or none) and end the cell without an error:

- a stub's NotImplementedError, `Exercise NN.k: implement NAME`: "needs NAME: not implemented yet";
- a NameError for an exercise's name (its cell has not run): "needs NAME: its cell has not run yet";
- a self-check of an untouched exercise (`check("sigmoid")`), which has printed its own line;
- a NameError for a name that a cell stopped this way would have defined (`X_train`, made by a
  demonstration that needed `train_val_test_split`): "needs train_val_test_split: ...".

Every other error stops the cell as before. The wrapper is installed only in an interactive
Jupyter kernel (IPython's ZMQInteractiveShell), and never while nbgrader executes a notebook
(nbgrader sets NBGRADER_EXECUTION for autograde and validate), so stock nbgrader never sees an
unfinished exercise's test cell as one that ran. The grader of this course runs its own plain
InteractiveShell and calls functions directly, so this never reaches a verdict either.

`stubs_reachable(fn)` finds, without calling anything, the stubs a function would reach (through
the globals, closures, dicts, lists and tuples its code names): the explorer lists them all at once.
"""
from __future__ import annotations

import ast
import os
import re
import sys
from types import CodeType, FunctionType
from typing import Any, Callable, Iterable

STUB = re.compile(r"^Exercise (\d+\.\d+): implement (\w+)$")
"""The message of every stub the release writes (the course's nbgrader `code_stub` setting)."""

HANDLER = "_betternets_unfinished"
"""The name under which the cell wrapper finds `handle` in the notebook's namespace."""


def stub_name(exc: BaseException) -> str | None:
    """The exercise a stub's NotImplementedError names, or None for any other error."""
    if type(exc) is not NotImplementedError or len(exc.args) != 1:
        return None
    match = STUB.match(str(exc.args[0]))
    return match.group(2) if match else None


EXERCISE_NAMES: Callable[[], Iterable[str]] = tuple
"""The names of the course's exercises; `betternets.checks` hands its registry's over when it
installs the wrapper (this module imports nothing of the checks)."""


def _exercise_names() -> set[str]:
    return set(EXERCISE_NAMES())


def needs_line(names: Iterable[str], why: str = "not implemented yet") -> str:
    """The one line a demonstration prints instead of its traceback."""
    return f"needs {', '.join(names)}: {why}"


SKIPPED: dict[str, str] = {}
"""Each name a cell stopped at an unfinished exercise would have defined -> that exercise."""


def explain(exc: BaseException) -> tuple[str, str] | None:
    """The exercise an error waits for and the line that replaces its traceback ("" for a
    self-check that has said so itself), or None for an ordinary error that must stop the cell."""
    name = stub_name(exc)
    if name is not None:
        return name, needs_line([name])
    missing = getattr(exc, "name", None) if type(exc) is NameError else None
    if missing in _exercise_names():
        return missing, needs_line([missing], "its cell has not run yet (run it, or Run All)")
    if missing in SKIPPED:
        return SKIPPED[missing], needs_line([SKIPPED[missing]], f"not implemented yet ({missing} "
                                            "comes from a cell above that needs it)")
    if getattr(exc, "unimplemented", False):  # checks.core.ChecksFailed of an untouched stub
        return str(exc).split(":")[0], ""
    return None


def handle(exc: BaseException, defines: tuple[str, ...] = ()) -> bool:
    """Print the line for an unfinished exercise, remember the names the cell would have defined
    (`defines`) and close the figure it left empty (True); False for every other error, which
    the cell then re-raises."""
    explained = explain(exc)
    if explained is None:
        return False
    exercise, line = explained
    SKIPPED.update(dict.fromkeys(defines, exercise))
    if line:
        print(line)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    return True


class GoOnPastStubs(ast.NodeTransformer):
    """Rewrite a cell `body` as `try: body except Exception as e: if not handle(e): raise`.

    A last expression keeps its output (the `Out[n]` of the cell): it is computed inside the try
    into a variable that the cell's new last line shows (None, which shows nothing, when the cell
    stopped at a stub)."""

    RESULT = "_betternets_result"

    def visit_Module(self, node: ast.Module) -> ast.Module:
        if not node.body or _is_future_import(node.body[0]):
            return node
        body, tail = list(node.body), []
        if isinstance(body[-1], ast.Expr):
            body[-1] = ast.Assign(targets=[ast.Name(self.RESULT, ast.Store())],
                                  value=body[-1].value)
            tail = [ast.Expr(ast.Call(ast.Attribute(ast.Call(ast.Name("globals", ast.Load()), [],
                                                             []), "pop", ast.Load()),
                                      [ast.Constant(self.RESULT), ast.Constant(None)], []))]
        handler = ast.ExceptHandler(
            type=ast.Name("Exception", ast.Load()), name="_betternets_error",
            body=[ast.If(test=ast.UnaryOp(ast.Not(), ast.Call(
                      ast.Name(HANDLER, ast.Load()), [ast.Name("_betternets_error", ast.Load()),
                                                      ast.Constant(defined_names(node.body))],
                      [])), body=[ast.Raise()], orelse=[])])
        wrapped = ast.Try(body=body, handlers=[handler], orelse=[], finalbody=[])
        return ast.fix_missing_locations(ast.Module(body=[wrapped, *tail],
                                                    type_ignores=node.type_ignores))


def defined_names(body: list[ast.stmt]) -> tuple[str, ...]:
    """The names the statements of a cell bind at its top level (not inside its functions)."""
    names: dict[str, None] = {}
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = None
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names[node.id] = None
        elif isinstance(node, ast.alias):
            names[(node.asname or node.name).split(".")[0]] = None
        todo.extend(ast.iter_child_nodes(node))
    return tuple(sorted(names))


def _is_future_import(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"


def live_notebook(shell: Any) -> bool:
    """True in a student's Jupyter kernel; False in a terminal, a plain InteractiveShell (the
    grader's kernel) and while nbgrader autogrades or validates."""
    return (type(shell).__name__ == "ZMQInteractiveShell"
            and not os.environ.get("NBGRADER_EXECUTION"))


def install(shell: Any = None, exercise_names: Callable[[], Iterable[str]] | None = None) -> bool:
    """Wrap the cells of this kernel (once); True when the wrapper is active. `exercise_names`
    gives the names a NameError is told apart by (an exercise whose cell has not run)."""
    global EXERCISE_NAMES
    if exercise_names is not None:
        EXERCISE_NAMES = exercise_names
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not live_notebook(shell):
        return False
    shell.user_ns[HANDLER] = handle
    if not any(isinstance(t, GoOnPastStubs) for t in shell.ast_transformers):
        shell.ast_transformers.append(GoOnPastStubs())
    return True


# ---------------------------------------------------------------- the stubs a function reaches

def is_stub(fn: Any) -> bool:
    """A function whose code still holds the stub's message (the student has not replaced it)."""
    code = getattr(fn, "__code__", None)
    return code is not None and any(isinstance(c, str) and STUB.match(c)
                                    for c in code.co_consts)


def stubs_reachable(fn: Any, depth: int = 4) -> list[str]:
    """The names of the stubs `fn` can reach: the functions, and the dicts, lists and tuples of
    functions, that its code names in its globals and closure, followed `depth` levels deep."""
    found: dict[str, None] = {}
    seen: set[int] = set()

    def visit(obj: Any, level: int) -> None:
        if id(obj) in seen or level > depth:
            return
        seen.add(id(obj))
        if isinstance(obj, dict):
            for value in obj.values():
                visit(value, level)
        elif isinstance(obj, (list, tuple)):
            for value in obj:
                visit(value, level)
        elif isinstance(obj, FunctionType):
            if is_stub(obj):
                found[obj.__name__] = None
                return
            for name in _names(obj.__code__):
                if name in obj.__globals__:
                    visit(obj.__globals__[name], level + 1)
            for cell in obj.__closure__ or ():
                try:
                    visit(cell.cell_contents, level + 1)
                except ValueError:  # an empty cell
                    continue
    visit(fn, 0)
    return list(found)


def _names(code: CodeType) -> set[str]:
    """The global and attribute names a code object and the functions defined in it use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _names(const)
    return names
