"""The README's table of environment variables names every `BETTERNETS_*` variable the code,
the scripts and the tests read, and no other."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from checkout import REPO
VARIABLE = re.compile(r"\bBETTERNETS_[A-Z][A-Z_]*[A-Z]\b")


def _tracked_sources() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "*.py", "Makefile", ".ci/*"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout.split()
    return [REPO / f for f in out if (REPO / f).is_file()]


def _table_rows() -> set[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("### Environment variables", 1)[1].split("\n### ", 1)[0]
    return {m.group(1) for m in re.finditer(r"^\| `(BETTERNETS_\w+)` \|", section, re.M)}


def test_every_variable_read_is_in_the_readme_table_once():
    used = {v for f in _tracked_sources() for v in VARIABLE.findall(f.read_text(errors="replace"))}
    assert used, "no BETTERNETS_* variable found: the search is broken"
    assert _table_rows() == used
