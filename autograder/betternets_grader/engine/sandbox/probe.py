"""Whether bubblewrap works on this machine, and the user id a kernel runs as.

A grader running as root gives each template kernel (and so each kernel forked from
it) a user id that no other live template on the machine holds (`UidLease`): two
kernels running at once, in two grading processes or in two threads of one Dask
worker, never share the per-user objects and limits Linux keeps (keyrings, pipe
buffer pages, RLIMIT_NPROC's count). Kernels forked one after another by one template
share its user id; nothing per-user outlives a kernel there (its processes are killed,
its files removed, keyrings and IPC objects refused by `seccomp`).

bubblewrap may be installed and still fail (some containers refuse the namespaces it
needs): it is tried once per process, with the sandbox's own view, on a Python that
imports the kernel package; where it fails, kernels run unsandboxed and the run's
report says so. `BETTERNETS_NO_SANDBOX=1` turns it off.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile

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


FIRST_UID, UIDS = 61000, 4000     # the spare user ids kernels run as: 61000-64999


def sandbox_uid(uid: int | None = None) -> int:
    """The user id of the sandbox's view (its /etc/passwd "student"): `uid` when the
    grader is root, the grader's own otherwise (bubblewrap maps it in a user namespace)."""
    if os.getuid() != 0:
        return os.getuid()
    return uid if uid is not None else FIRST_UID + os.getpid() % UIDS


def _lease_dir() -> str:
    path = os.path.join(tempfile.gettempdir(), "betternets-uids")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


class UidLease:
    """One spare user id (61000-64999) that no other lease on this machine holds while
    this one is open: an exclusive `flock` on the file named after it in
    $TMPDIR/betternets-uids, kept until `release` (or the holder's exit, when Linux drops
    the lock). The search starts at a place drawn from the pid and a counter, so that
    leases of one process, and of processes started together, rarely meet."""

    _count = 0

    def __init__(self):
        UidLease._count += 1
        start = (os.getpid() * 7919 + UidLease._count * 104729) % UIDS
        folder = _lease_dir()
        for i in range(UIDS):
            uid = FIRST_UID + (start + i) % UIDS
            fd = os.open(os.path.join(folder, str(uid)), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                         0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self.uid, self._fd = uid, fd
            return
        raise OSError(f"all {UIDS} spare user ids are taken by running kernels")

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)    # closing the descriptor drops the lock
            self._fd = -1
