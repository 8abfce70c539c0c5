"""The template kernel: started once per grading worker, it forks one kernel per submission.

`python -m betternets.kernel '{"template": true, "control_fd": N, ...}'` runs
`Template.loop` (in the grader's sandbox, or as a plain process without one). It
imports what kernels need (`PRELOAD`: numpy, scipy, matplotlib, IPython, the
student package) and then only answers requests on its control socket
(a SOCK_SEQPACKET unix socket; every message one JSON object):

    {"op": "fork", "scratch": DIR, "cfg": {...}}  + two descriptors (requests, replies)
        -> {"pid": P}    a child that becomes the submission's kernel (`server.answer`
                         on those two pipes, after its limits are applied)
    {"op": "wait", "pid": P, "timeout": S}  -> {"code": exit code or None (alive)}
    {"op": "clean"}      -> {"clean": bool, "code": ...}   every process but the
                         template killed, the folders in cfg "wipe" emptied

The template never runs student code, so a child inherits the template's module
state only, never a submission's. Between two submissions no process and no file of
the first is left: the template is a child subreaper, so that every process a
submission leaves (double forks included) is the template's descendant; when the
kernel child dies its leftovers are killed at once, and `clean` (at the end of every
kernel) kills them all and empties scratch and /tmp. The killing and emptying are
done by a short-lived "sweeper" child that takes the submission's user id first (a
template running as root in the sandbox holds only CAP_SETUID/CAP_SETGID: it may
not signal or unlink the student's files itself), with `process.kill_tree`, the walker
and killer the grader uses too. Before every fork the template
checks that it has a single thread (a fork copies only the calling thread; locks
held by others would stay locked), and it is not dumpable, so that a kernel of the
same user id can neither trace it nor read its descriptors through /proc.
"""
from __future__ import annotations

import importlib
import json
import os
import select
import signal
import socket
import sys
import time

from . import server
from .process import (PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, PR_SET_PDEATHSIG, apply_limits,
                      become_user, kill_tree, new_shell, prctl, reseed, thread_count)
from .scratch import empty_folder

PRELOAD = ("numpy", "scipy", "scipy.linalg", "scipy.optimize", "scipy.special", "scipy.stats",
           "matplotlib", "matplotlib.pyplot", "IPython.core.interactiveshell",
           "betternets", "betternets.checks", "betternets.checks.calls", "betternets.plots",
           "betternets.data", "betternets.nn", "betternets.surfaces", "betternets.widgets")
MAX_MESSAGE = 1 << 16


def preload() -> None:
    """Import what every kernel needs; a missing optional module is skipped."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - not installed here: the kernel imports it itself
            pass


def sweep(template: int, uid: int | None, wipe: list[str]) -> int:
    """Run in a child of the template, as the submission's user: kill every process below
    the template but this one, then empty the `wipe` folders. 0 when nothing is left."""
    become_user(uid)
    if not kill_tree(template, with_root=False, spare=os.getpid()):
        return 1
    return 0 if all(empty_folder(d) for d in wipe) else 1


class Template:
    """The template's side of the control socket (see the module's docstring)."""

    def __init__(self, cfg: dict):
        self.ctl = socket.socket(fileno=int(cfg["control_fd"]))
        self.wipe = [str(d) for d in cfg.get("wipe", [])]
        self.uid = cfg.get("uid")
        self.kernel = 0                         # pid of the current kernel child
        self.exited: dict[int, int] = {}        # kernel pid -> exit code
        self.dirty = False                      # a kernel ran since the last clean
        self._wake_r, self._wake_w = os.pipe()

    def loop(self) -> None:
        prctl(PR_SET_DUMPABLE, 0)
        prctl(PR_SET_CHILD_SUBREAPER, 1)
        preload()
        new_shell()                 # made once here, inherited unused by every kernel
        for folder in self.wipe:    # what the imports wrote (caches): the template's own files
            empty_folder(folder)
        for fd in (self._wake_r, self._wake_w):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(self._wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self._send({"ready": True, "threads": thread_count()})
        while True:
            ready, _, _ = select.select([self.ctl, self._wake_r], [], [])
            if self._wake_r in ready:
                self._drain()
                self._reap()
            if self.ctl in ready:
                try:
                    data, fds, _, _ = socket.recv_fds(self.ctl, MAX_MESSAGE, 4)
                except OSError:
                    return
                if not data:
                    return
                try:
                    reply = self._handle(json.loads(data), fds)
                finally:
                    for fd in fds:
                        try:
                            os.close(fd)
                        except OSError:
                            pass
                self._send(reply)

    def _send(self, obj: dict) -> None:
        self.ctl.send(json.dumps(obj).encode())

    def _drain(self) -> None:
        try:
            while os.read(self._wake_r, 512):
                pass
        except OSError:
            pass

    def _reap(self, sweep: bool = True) -> None:
        """Collect exited children; when the kernel child died, kill what it left."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.kernel:
                self.exited[pid] = os.waitstatus_to_exitcode(status)
                self.kernel = 0
                if sweep:
                    self._sweep(wipe=False)

    def _sweep(self, wipe: bool) -> bool:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = sweep(os.getppid(), self.uid, self.wipe if wipe else [])
            finally:
                os._exit(code)
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                return os.waitstatus_to_exitcode(status) == 0
            except ChildProcessError:
                return False
            except InterruptedError:
                continue

    def _handle(self, req: dict, fds: list[int]) -> dict:
        op = req.get("op")
        if op == "fork":
            if len(fds) != 2:
                return {"error": "a fork needs two descriptors"}
            if self.dirty and not self._clean():
                return {"error": "the previous kernel's processes or files could not be removed"}
            if thread_count() != 1:
                return {"error": f"the template has {thread_count()} threads"}
            self._reap()
            pid = os.fork()
            if pid == 0:
                become_kernel(req, fds[0], fds[1], (self.ctl.fileno(), self._wake_r,
                                                    self._wake_w))
            self.kernel, self.dirty = pid, True
            return {"pid": pid}
        if op == "wait":
            pid, deadline = int(req.get("pid", 0)), time.monotonic() + float(req.get("timeout", 0))
            while True:
                self._reap()
                left = deadline - time.monotonic()
                if pid in self.exited or left <= 0:
                    return {"code": self.exited.get(pid)}
                select.select([self._wake_r], [], [], min(left, 0.05))
                self._drain()
        if op == "clean":
            pid = self.kernel or int(req.get("pid", 0))
            ok = self._clean()
            return {"clean": ok, "code": self.exited.get(pid)}
        return {"error": f"unknown request {str(op)[:40]!r}"}

    def _clean(self) -> bool:
        ok = self._sweep(wipe=True)
        self._reap(sweep=False)
        self.kernel = 0
        self.dirty = not ok
        if len(self.exited) > 1000:
            self.exited.clear()
        return ok


def become_kernel(req: dict, req_fd: int, resp_fd: int, close: tuple[int, ...]) -> None:
    """In the forked child: drop what belongs to the template, then serve as a kernel."""
    code = 0
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in close:
            os.close(fd)
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd > 2 and fd not in (req_fd, resp_fd):
                try:
                    os.close(fd)
                except OSError:
                    pass
        os.setpgid(0, 0)
        prctl(PR_SET_CHILD_SUBREAPER, 1)
        scratch = str(req.get("scratch") or "/scratch")
        os.chdir(scratch)
        os.environ["HOME"] = scratch
        os.environ["MPLCONFIGDIR"] = os.path.join(scratch, ".mpl")
        cfg = dict(req.get("cfg") or {}, req_fd=req_fd, resp_fd=resp_fd)
        seed = cfg.get("seed")
        reseed(seed if type(seed) is int else None)
        sys.argv[1:] = [json.dumps(cfg)]
        unapplied = apply_limits(cfg)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)   # after setuid, which clears it
        if os.getuid() != 0 and cfg.get("uid") is None:
            prctl(PR_SET_DUMPABLE, 1)   # as a fresh process: the grader reads its smaps
        server.answer(cfg, unapplied)
    except BaseException:  # noqa: BLE001 - never return into the template's loop
        code = 1
    finally:
        os._exit(code)


def main(cfg: dict) -> None:
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)      # the grader's worker is gone: so are we
    Template(cfg).loop()
