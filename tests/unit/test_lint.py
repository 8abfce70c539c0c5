"""The code passes the project's linter (ruff, configured in pyproject.toml)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from checkout import REPO

FOLDERS = ["src", "autograder", "tests", "benchmarks", "scripts"]


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed: pip install -e '.[instructor]'"
    done = subprocess.run([ruff, "check", "--no-cache", *FOLDERS], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
