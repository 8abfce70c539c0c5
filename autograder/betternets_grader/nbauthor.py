"""Write nbgrader source notebooks as jupytext percent-format text, and back.

The notebook in `solutions/` is the source of truth. This tool only makes it
pleasant to edit: `export` turns it into text, `build` turns text into the
notebook with the right nbgrader metadata. The text is jupytext's percent format
(`# %%` cell markers, markdown lines commented with `# `), read and written by
jupytext; the title of a cell's marker says its nbgrader role:

    # %% md-003 [markdown]             explanation; the title is the cell's id (optional)
    # %% setup setup_000               locked code the answers depend on
    # %% answer sigmoid                autograded answer cell, grade_id sigmoid
    # %% test test_sigmoid__values 2   locked test cell worth 2 points
    # %% demo demo-004                 a plot or a demonstration (tag "demo"); id optional

    python -m betternets_grader.nbauthor build  notebook.txt solutions/01_activations.ipynb
    python -m betternets_grader.nbauthor export solutions/01_activations.ipynb notebook.txt

`export` writes every cell's id, so `build(export(nb))` is the notebook again, byte for byte in
`dumps`' layout; a new markdown or demo cell may leave its id out and gets a free one.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROLES = ("setup", "answer", "test", "demo")
KERNEL = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
FORMAT = "py:percent"
CELL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # nbformat's rule for cell ids
# No YAML header; of a cell's metadata only its title (the role) is written.
TEXT_OPTIONS = {"notebook_metadata_filter": "-all", "cell_metadata_filter": "title"}


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _free_id(prefix: str, index: int, taken: set[str]) -> str:
    """`prefix-NNN` from the cell's position on, the first one no other cell has."""
    while f"{prefix}-{index:03d}" in taken:
        index += 1
    return f"{prefix}-{index:03d}"


def _cell(title: str, markdown: bool, source: str, index: int, taken: set[str]) -> dict:
    if markdown:
        return {"cell_type": "markdown", "id": title or _free_id("md", index, taken),
                "metadata": {}, "source": source}
    kind, *args = title.split() or [""]
    if kind not in ROLES:
        raise ValueError(f"cell {index}: the marker '# %% {title}' names no role; "
                         f"expected one of {', '.join(ROLES)} or [markdown]")
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
        grade_id, meta = args[0] if args else _free_id("demo", index, taken), {"tags": ["demo"]}
    return {**code, "id": grade_id[:64], "metadata": meta}


def build(text: str) -> dict:
    """Notebook (as a dict) from the percent-format text."""
    import jupytext  # here, not at the top: release and grading import `dumps` only
    parsed = jupytext.reads(text, fmt=FORMAT)
    titles = [c.metadata.get("title", "").strip() for c in parsed.cells]
    if parsed.cells and parsed.cells[0].cell_type == "code" and not titles[0]:
        raise ValueError(f"text before the first cell marker: {parsed.cells[0].source[:60]!r}")
    taken = set()  # the ids the text gives; a cell without one gets a free id
    for cell, title in zip(parsed.cells, titles):
        words = title.split()
        if cell.cell_type == "markdown" and title:
            if not CELL_ID.match(title):
                raise ValueError(f"markdown cell id {title!r}: letters, digits, - and _ only")
            taken.add(title)
        elif words[:1] == ["demo"] and len(words) > 1:
            taken.add(words[1])
    cells = []
    for index, (cell, title) in enumerate(zip(parsed.cells, titles)):
        cells.append(_cell(title, cell.cell_type == "markdown", cell.source.strip("\n"), index,
                           taken))
        taken.add(cells[-1]["id"])
    ids = [c["id"] for c in cells]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"duplicate cell ids: {sorted(dupes)}")
    return {"cells": cells, "metadata": KERNEL, "nbformat": 4, "nbformat_minor": 5}


def _title(cell: dict) -> str:
    """The role of a cell, as its percent-format marker's title."""
    grader = cell.get("metadata", {}).get("nbgrader", {})
    if cell["cell_type"] == "markdown":
        return cell["id"]
    if grader.get("grade"):
        return f"test {grader['grade_id']} {grader.get('points', 1):g}"
    if grader.get("solution"):
        return f"answer {grader['grade_id']}"
    if grader.get("locked"):
        return f"setup {grader['grade_id']}"
    return f"demo {cell['id']}"


def export(nb: dict) -> str:
    """Percent-format text from a notebook dict (inverse of `build`)."""
    import jupytext
    import nbformat
    cells = []
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        make = nbformat.v4.new_markdown_cell if cell["cell_type"] == "markdown" else \
            nbformat.v4.new_code_cell
        cells.append(make(source, metadata={"title": _title(cell)}))
    text = nbformat.v4.new_notebook(cells=cells, metadata={"jupytext": TEXT_OPTIONS})
    return jupytext.writes(text, fmt=FORMAT)


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
