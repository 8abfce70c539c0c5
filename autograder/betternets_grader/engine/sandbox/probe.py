"""Whether bubblewrap works on this machine, and the user id a kernel runs as.

bubblewrap may be installed and still fail (some containers refuse the namespaces it
needs): it is tried once per process, with the sandbox's own view, on a Python that
imports the kernel package; where it fails, kernels run unsandboxed and the run's
report says so. `BETTERNETS_NO_SANDBOX=1` turns it off.
"""
from __future__ import annotations

import os
import shutil
import subprocess

from ..limits import Limits
from .bwrap import VENV, SandboxView, kernel_env

_PROBED: dict[str, tuple[bool, str]] = {}


def bwrap_path() -> str | None:
    """bubblewrap, if it is installed and works here (it may not in some containers)."""
    if os.environ.get("BETTERNETS_NO_SANDBOX", "") == "1":
        return None
    path = shutil.which("bwrap")
    if path is None:
        return None
    if path not in _PROBED:
        _PROBED[path] = _probe()
    return path if _PROBED[path][0] else None


def _probe() -> tuple[bool, str]:
    try:
        view = SandboxView(Limits(), uid=sandbox_uid())
        cmd = view.command([f"{VENV}/bin/python", "-c",
                            "import betternets.kernel.forkserver, IPython, numpy"])
        try:
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=60, pass_fds=view.fds,
                                  env=kernel_env("/scratch"), check=False)
        finally:
            view.close()
        if done.returncode != 0:
            return False, "bubblewrap failed: " + done.stderr.decode("utf-8", "replace")[-300:]
        return True, ""
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap failed: {exc}"


def sandbox_uid(uid: int | None = None) -> int:
    """The user id a kernel runs as: a spare one per grading worker when the grader is
    root, the grader's own otherwise (bubblewrap maps it in a user namespace)."""
    if os.getuid() != 0:
        return os.getuid()
    return uid if uid is not None else 61000 + os.getpid() % 4000
