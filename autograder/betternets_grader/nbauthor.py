"""Write nbgrader source notebooks as plain text, and back.

The notebook in `solutions/` is the source of truth. This tool only makes it
pleasant to edit: `export` turns it into text, `build` turns text into the
notebook with the right nbgrader metadata. Cells are separated by headers:

    # %% markdown                      explanation (markdown, not commented)
    # %% setup                         locked code the answers depend on
    # %% answer sigmoid                autograded answer cell, grade_id sigmoid
    # %% test test_sigmoid__values 2   locked test cell worth 2 points
    # %% demo                          a plot or a demonstration (tag "demo")

    python -m betternets_grader.nbauthor build  notebook.txt solutions/01_activations.ipynb
    python -m betternets_grader.nbauthor export solutions/01_activations.ipynb notebook.txt
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HEADER = re.compile(r"^# %% (markdown|setup|answer|test|demo)\b(.*)$")
KERNEL = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _cell(kind: str, args: list[str], source: str, index: int) -> dict:
    if kind == "markdown":
        return {"cell_type": "markdown", "id": f"md-{index:03d}", "metadata": {},
                "source": source}
    code = {"cell_type": "code", "execution_count": None, "outputs": [], "source": source}
    if kind == "setup":
        grade_id = args[0] if args else f"setup_{index:03d}"
        meta = {"nbgrader": _nbgrader(grade_id, locked=True), "tags": ["setup"]}
    elif kind == "answer":
        grade_id = args[0]
        meta = {"nbgrader": _nbgrader(grade_id, solution=True), "tags": ["answer"]}
    elif kind == "test":
        grade_id, points = args[0], float(args[1]) if len(args) > 1 else 1.0
        if not grade_id.startswith("test_") or "__" not in grade_id:
            raise ValueError(f"test cell id {grade_id!r} must look like test_<name>__<property>")
        meta = {"nbgrader": _nbgrader(grade_id, grade=True, locked=True, points=points),
                "tags": ["test"]}
    else:
        grade_id, meta = f"demo-{index:03d}", {"tags": ["demo"]}
    return {**code, "id": grade_id[:64],
            "metadata": meta}


def build(text: str) -> dict:
    """Notebook (as a dict) from the text format."""
    cells, kind, args, body = [], None, [], []

    def flush():
        if kind is not None:
            cells.append(_cell(kind, args, "\n".join(body).strip("\n"), len(cells)))

    for line in text.splitlines():
        match = HEADER.match(line)
        if match:
            flush()
            kind, args, body = match.group(1), match.group(2).split(), []
        elif kind is not None:
            body.append(line)
        elif line.strip():
            raise ValueError(f"text before the first cell header: {line!r}")
    flush()
    ids = [c["id"] for c in cells]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"duplicate cell ids: {sorted(dupes)}")
    return {"cells": cells, "metadata": KERNEL, "nbformat": 4, "nbformat_minor": 5}


def export(nb: dict) -> str:
    """Text format from a notebook dict (inverse of `build`)."""
    parts = []
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        meta = cell.get("metadata", {})
        grader = meta.get("nbgrader", {})
        if cell["cell_type"] == "markdown":
            header = "# %% markdown"
        elif grader.get("grade"):
            header = f"# %% test {grader['grade_id']} {grader.get('points', 1):g}"
        elif grader.get("solution"):
            header = f"# %% answer {grader['grade_id']}"
        elif grader.get("locked"):
            header = f"# %% setup {grader['grade_id']}"
        else:
            header = "# %% demo"
        parts.append(f"{header}\n{source}\n")
    return "\n".join(parts)


def dumps(nb: dict) -> str:
    """The one JSON layout every notebook of the course is written in."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("build", "export"):
        print(__doc__)
        return 2
    src, dst = Path(argv[1]), Path(argv[2])
    if argv[0] == "build":
        dst.write_text(dumps(build(src.read_text())))
    else:
        dst.write_text(export(json.loads(src.read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
