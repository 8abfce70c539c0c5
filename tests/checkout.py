"""This checkout as a course: the tests' one source of its paths.

    from checkout import COURSE, SOLUTIONS, LECTURES, SAMPLES
"""
from __future__ import annotations

from pathlib import Path

from betternets_grader.course import Course

REPO = Path(__file__).resolve().parents[1]
COURSE = Course(REPO)
SOLUTIONS = COURSE.solutions
LECTURES = COURSE.lectures
SAMPLES = REPO / "autograder" / "samples"   # the sample class, written by tests/make_samples.py
