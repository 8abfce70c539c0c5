"""This checkout as a course: the tests' one source of its paths.

    from checkout import COURSE, SOLUTIONS, LECTURES, SAMPLES
"""
from __future__ import annotations

import sys
from pathlib import Path

from betternets_grader.course import Course

REPO = Path(__file__).resolve().parents[1]
COURSE = Course(REPO)
SOLUTIONS = COURSE.solutions
LECTURES = COURSE.lectures
SAMPLES = REPO / "autograder" / "samples"   # the sample class, written by tests/make_samples.py


def uv_pip_install(python: Path, *args) -> list[str]:
    """The command that installs `args` (what `pip install` takes) into the environment of
    `python` with uv's `pip install`, the tests' installer for throwaway environments: the
    same resolution as pip, in seconds instead of a minute (uv links files from its cache).
    uv is this checkout's (the instructor extra)."""
    return [str(Path(sys.executable).with_name("uv")), "pip", "install", "--quiet",
            "--python", str(python), *map(str, args)]
