"""How a kernel fails: the faults the grader raises, and a kernel's exit said in words.

A fault is a BaseException, so that no check's `except Exception` can mistake it for a
wrong answer; its `status` is the verdict of the exercises it touches.
"""
from __future__ import annotations

import signal

from betternets.checks.status import Status


class KernelFault(BaseException):
    """The kernel timed out or died."""

    status = Status.CRASHED

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class KernelTimeout(KernelFault):
    status = Status.TIMEOUT


class KernelCrashed(KernelFault):
    status = Status.CRASHED


def describe_exit(code: int | None) -> str:
    """A kernel's exit code (None: still running) as the reason of a crash."""
    if code is None:
        return "the kernel stopped answering"
    if code > 128 and code - 128 in {s.value for s in signal.Signals}:
        code = 128 - code   # bubblewrap passes a child's death by signal on as 128 + n
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        extra = {"SIGSEGV": " (a segmentation fault)", "SIGKILL": " (killed: out of memory?)",
                 "SIGXCPU": " (CPU time limit)", "SIGXFSZ": " (file size limit)",
                 "SIGABRT": " (aborted)"}.get(name, "")
        return f"the kernel died from {name}{extra}"
    return f"the kernel exited with code {code} (os._exit, sys.exit or a crash)"
