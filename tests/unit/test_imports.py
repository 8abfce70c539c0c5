"""The project's import graph: no cycle, and no module too long without saying why.

Every module of the student package (src/betternets) and of the grader
(autograder/betternets_grader) is read with `ast`, not imported: each `import` and
`from ... import` statement anywhere in it (at module level and inside functions and
classes, which is where a cycle hides when it is "held together" by function-local
imports) gives an edge from the module to the project module it names. Relative
imports are resolved against the module's package; `from pkg import name` is an edge
to `pkg.name` when that is a module, else to `pkg`. The implicit import of a
module's parent packages is not an edge (every submodule would otherwise form a
cycle with a package that imports it).
"""
from __future__ import annotations

import ast
from pathlib import Path

from checkout import REPO

PACKAGES = {"betternets": REPO / "src" / "betternets",
            "betternets_grader": REPO / "autograder" / "betternets_grader"}
MAX_LINES = 600


def project_modules() -> dict[str, Path]:
    """Dotted module name -> its file, for every module of both packages."""
    out = {}
    for top, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = [top, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules that module `name` (file `path`) imports anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def known(dotted: str) -> str | None:
        while dotted and dotted not in modules:   # `import a.b.c` of a name inside a.b
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [known(alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules
                       else known(source) for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t is not None and t != name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imported(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm,
    iterative), each sorted: every import cycle lies inside one of them."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph.get(step, ())))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_the_finder_sees_a_cycle_held_by_function_local_imports(tmp_path):
    """The walker itself: a cycle whose one edge is an import inside a function, and a
    relative import two levels up, are both found."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import a\n    return a\n")
    (pkg / "c.py").write_text("import pkg.a\n")
    modules = {"pkg": pkg / "__init__.py", "pkg.sub": pkg / "sub" / "__init__.py",
               "pkg.a": pkg / "a.py", "pkg.sub.b": pkg / "sub" / "b.py", "pkg.c": pkg / "c.py"}
    graph = {name: imported(name, path, modules) for name, path in modules.items()}
    assert graph["pkg.a"] == {"pkg.sub.b"}
    assert graph["pkg.sub.b"] == {"pkg.a"}
    assert graph["pkg.c"] == {"pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.sub.b"]]


def test_the_project_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 50 and "betternets.checks.calls" in graph
    assert graph["betternets_grader.engine.judge"], "the walker found no import at all"
    found = cycles(graph)
    assert not found, "import cycles (each a set of modules importing each other): " + \
        "; ".join(" <-> ".join(c) for c in found)


def test_no_module_is_long_without_saying_why():
    """A module over MAX_LINES lines says why in its docstring, in a sentence naming
    its length ("... lines")."""
    long_silent = []
    for name, path in project_modules().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > MAX_LINES and " lines" not in doc:
            long_silent.append(f"{name} ({lines} lines)")
    assert not long_silent, f"over {MAX_LINES} lines without a reason: {long_silent}"


def test_the_student_package_imports_the_grader_only_in_its_instructor_commands():
    """The wall between the packages, on the same graph: no module of the student package
    (the sandbox's kernel package included) imports the grader, but `betternets.cli`,
    whose instructor commands hand over to it."""
    crossing = {name: sorted(t for t in targets if t.split(".")[0] == "betternets_grader")
                for name, targets in import_graph().items()
                if name.split(".")[0] == "betternets"}
    assert crossing.pop("betternets.cli"), "the walker no longer sees cli's hand-over"
    assert not {name: t for name, t in crossing.items() if t}
