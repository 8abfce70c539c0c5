"""The README's Layout table names the modules of the kernel package and the engine as
they are in the tree: each module of `src/betternets/kernel/` and of
`autograder/betternets_grader/engine/` (its `sandbox/` included) is named in its row,
and every name there is a module; the check library's row names no kernel module."""
from __future__ import annotations

import re

from checkout import REPO

ROWS = {"src/betternets/kernel/": REPO / "src" / "betternets" / "kernel",
        "autograder/betternets_grader/engine/": REPO / "autograder" / "betternets_grader"
        / "engine"}


def layout_row(folder: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith(f"| `{folder}` |")]
    assert len(rows) == 1, f"the Layout table has {len(rows)} rows for {folder}"
    return rows[0].split(" | ")[1]


def named_modules(row: str) -> set[str]:
    """The names in backticks that look like a module (`wire`) or a folder (`sandbox/`)."""
    return {n.rstrip("/") for n in re.findall(r"`([a-z_]+/?)`", row)}


def modules_of(folder) -> set[str]:
    names = {p.stem for p in folder.glob("*.py") if not p.name.startswith("__")}
    names |= {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
    for sub in (p for p in folder.iterdir() if (p / "__init__.py").is_file()):
        names |= modules_of(sub)
    return names


def test_the_kernel_and_engine_rows_name_exactly_their_modules():
    for folder, path in ROWS.items():
        assert named_modules(layout_row(folder)) == modules_of(path), folder


def test_the_check_library_row_names_no_kernel_module():
    named = named_modules(layout_row("src/betternets/checks/"))
    assert {"calls", "core", "status"} <= named
    assert not named & modules_of(ROWS["src/betternets/kernel/"])


def test_every_module_of_the_two_packages_is_named_in_its_row():
    """A module added to the student package or the grader package is named in the table."""
    for folder in ("src/betternets/", "autograder/betternets_grader/"):
        path = REPO / folder
        top = {p.stem for p in path.glob("*.py") if not p.name.startswith("__")}
        top |= {p.name for p in path.iterdir() if (p / "__init__.py").is_file()}
        has_row = {p.name for p in path.iterdir()
                   if any(line.startswith(f"| `{folder}{p.name}/` |")
                          for line in (REPO / "README.md").read_text().splitlines())}
        missing = sorted(top - named_modules(layout_row(folder)) - has_row)
        assert not missing, f"{folder}: not in the Layout table: {missing}"
