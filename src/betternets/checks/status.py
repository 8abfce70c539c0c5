"""The seven statuses a check, a cell or a notebook can end with, and `late`, the status
of a late notebook's penalty row in the grader's CSV: the one place they are spelled. Student side (`check()`) and grader side (verdicts, CSV, gradebook,
resume cache, report, feedback) import them from here.

A `StrEnum`: each status is its own text, so the CSV and JSON hold the same words
("passed", "failed", ...) as they always did.
"""
from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PASSED = "passed"        # every property held
    FAILED = "failed"        # a property did not hold (an untouched stub too)
    ERROR = "error"          # the answer raised, or could not be judged or read
    TIMEOUT = "timeout"      # a cell or call ran past its time limit
    CRASHED = "crashed"      # the kernel died (memory, os._exit, a signal)
    MISSING = "missing"      # no answer to check: the function or its cell is not there
    TAMPERED = "tampered"    # a graded cell appears twice or was altered
    LATE = "late"            # not a cell: a late notebook's penalty row (grader's CSV only)

