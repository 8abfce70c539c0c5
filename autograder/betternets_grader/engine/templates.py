"""The grader's end of a template kernel, and the templates a grading worker shares.

Every kernel is forked from a template kernel (`betternets.kernel.forkserver`, one per
grading worker and sandbox configuration, started with its first notebook, in the
sandbox of `sandbox.bwrap`): the template imports numpy, scipy, matplotlib, IPython and
the student package once and never runs student code, so each kernel starts in
milliseconds with the template's module state only. At a kernel's end the template
kills every process it left and empties /scratch and /tmp, so that no process or file
of one submission is seen by the next.

`Pool` keeps the running templates: a grading worker's process shares one
(`share_templates`, one template per thread, since a template serves one kernel at a
time and a Dask worker may run several tasks at once); a `Kernel` made outside a
worker keeps a pool of its own.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from betternets.kernel.process import descendants, kill_tree
from betternets.kernel.scratch import remove_tree

from .faults import KernelCrashed
from .limits import Limits
from .sandbox.bwrap import VENV, SandboxView, kernel_env
from .sandbox.probe import UidLease, sandbox_uid


def _ns_pid(pid: int) -> int | None:
    """The innermost PID-namespace pid of host process `pid` (its own pid outside one)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError):
        return None
    return pid


class Template:
    """One template kernel (`betternets.kernel.forkserver`): started once, in the same
    sandbox a kernel had (bubblewrap's namespaces and view, `disk_mb` tmpfs for /scratch
    and /tmp) or as a plain process without bubblewrap. It imports numpy, scipy,
    matplotlib and IPython once and forks a fresh kernel per submission; it never runs
    student code. Requests go over a SOCK_SEQPACKET socket, each with a deadline; a
    template that does not answer in time, or answers nonsense, is killed (`close`)
    and the next kernel starts a new one."""

    def __init__(self, limits: Limits, bwrap: str | None, hidden: list[Path], uid: int | None):
        """`uid`: the user id its kernels run as; None, for a sandboxed template of a root
        grader, is a `UidLease` of its own, held until `close`."""
        self.limits, self.bwrap, self.hidden, self.uid = limits, bwrap, list(hidden), uid
        self.lease: UidLease | None = None
        self.proc: subprocess.Popen | None = None
        self.home: Path | None = None         # the template's own folder, without the sandbox
        self._sock: socket.socket | None = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float) -> None:
        if self.uid is None and self.bwrap and os.getuid() == 0:
            self.lease = UidLease()
            self.uid = self.lease.uid
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        cfg = {"template": True, "control_fd": theirs.fileno(), "uid": self.uid,
               "wipe": ["/scratch", "/tmp"] if self.bwrap else []}
        view = None
        fds = [theirs.fileno()]
        if self.bwrap:
            view = SandboxView(self.limits, sandbox_uid(self.uid), self.hidden)
            fds += view.fds
            cmd = view.command([f"{VENV}/bin/python", "-m", "betternets.kernel",
                                json.dumps(cfg)])
            env, cwd = kernel_env("/scratch"), None
        else:
            self.home = Path(tempfile.mkdtemp(prefix="betternets-template-"))
            cmd = [sys.executable, "-m", "betternets.kernel", json.dumps(cfg)]
            env, cwd = kernel_env(str(self.home)), str(self.home)
            env["PYTHONPATH"] = str(Path(__import__("betternets").__file__).resolve().parents[1])
        try:
            self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         pass_fds=tuple(fds), start_new_session=True,
                                         close_fds=True)
        finally:
            theirs.close()
            if view is not None:
                view.close()
        self._sock = mine
        hello = self.request({}, timeout=timeout, send=False)
        if not hello.get("ready") or hello.get("threads") != 1:
            self.close()
            raise KernelCrashed("the template kernel did not start"
                                + (f" ({hello.get('threads')} threads)" if hello else ""))

    def request(self, msg: dict, timeout: float, fds: tuple[int, ...] = (),
                send: bool = True) -> dict:
        if self._sock is None:
            raise KernelCrashed("the template kernel is not running")
        try:
            self._sock.settimeout(max(timeout, 0.01))
            if send:
                socket.send_fds(self._sock, [json.dumps(msg).encode()], list(fds))
            data = self._sock.recv(1 << 16)
            reply = json.loads(data) if data else None
        except (OSError, ValueError) as exc:
            self.close()
            raise KernelCrashed(f"the template kernel failed ({type(exc).__name__})") from None
        if not isinstance(reply, dict) or "error" in reply:
            self.close()
            raise KernelCrashed("the template kernel failed"
                                + (f": {str(reply['error'])[:200]}" if reply else ""))
        return reply

    def fork(self, cfg: dict, scratch: str, fds: tuple[int, int], timeout: float) -> tuple[int, int]:
        """A new kernel on the pipes `fds` (requests, replies): (its pid in the template's
        namespace, its pid here)."""
        reply = self.request({"op": "fork", "scratch": scratch, "cfg": cfg}, timeout, fds)
        nspid = reply.get("pid")
        if type(nspid) is not int:
            self.close()
            raise KernelCrashed("the template kernel failed")
        for pid in descendants(self.proc.pid):
            if _ns_pid(pid) == nspid:
                return nspid, pid
        self.close()
        raise KernelCrashed("the kernel died as it started")

    def wait(self, nspid: int, timeout: float) -> int | None:
        """The kernel's exit code, or None if it is still running after `timeout`."""
        return self.request({"op": "wait", "pid": nspid, "timeout": timeout},
                            timeout + 10).get("code")

    def clean(self, nspid: int, timeout: float = 30.0) -> int | None:
        """Every process of the last kernel killed, its scratch emptied; its exit code.
        A template that cannot do it is closed (and with it, everything it held)."""
        reply = self.request({"op": "clean", "pid": nspid}, timeout)
        if not reply.get("clean"):
            self.close()
        return reply.get("code")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self.proc is not None:
            kill_tree(self.proc.pid)
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        if self.home is not None:
            remove_tree(self.home)
            self.home = None
        if self.lease is not None:   # only once no process of its user id is left
            self.lease.release()
            self.lease = None


class Pool:
    """Running templates by sandbox configuration (and, `per_thread`, by thread)."""

    def __init__(self, per_thread: bool):
        self.per_thread = per_thread
        self.templates: dict[tuple, Template] = {}

    def template(self, limits: Limits, bwrap: str | None, hidden: list[Path],
                 uid: int | None, timeout: float) -> Template:
        """A running template for this configuration, started (or restarted) if need be."""
        key = (bwrap, limits.disk_mb, uid, tuple(str(h) for h in hidden),
               threading.get_ident() if self.per_thread else None)
        template = self.templates.get(key)
        if template is None or not template.alive:
            if template is not None:
                template.close()
            template = Template(limits, bwrap, hidden, uid)
            template.start(timeout)
            self.templates[key] = template
        return template

    def close(self) -> None:
        templates, self.templates = list(self.templates.values()), {}
        for template in templates:
            template.close()


_SHARED: Pool | None = None
_AT_EXIT: list[bool] = []


def shared() -> Pool | None:
    """The process's shared pool, once `share_templates` was called."""
    return _SHARED


def share_templates() -> None:
    """From now on kernels of this process share one template per sandbox configuration
    and thread (a grading worker calls this once); `close_templates` (also at exit) ends
    them and the sharing."""
    global _SHARED
    if _SHARED is None:
        _SHARED = Pool(per_thread=True)
        if not _AT_EXIT:
            import atexit
            atexit.register(close_templates)
            _AT_EXIT.append(True)


def close_templates() -> None:
    global _SHARED
    pool, _SHARED = _SHARED, None
    if pool is not None:
        pool.close()
