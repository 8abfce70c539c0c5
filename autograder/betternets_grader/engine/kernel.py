"""A student's kernel for one submission notebook, and the pipes that talk to it.

`Kernel.start` forks a fresh kernel from a template kernel (`templates`): in the
sandbox of `sandbox.bwrap` where bubblewrap works (`sandbox.probe`), else as a plain
process with the same per-process limits (the report then says "unsandboxed"). The
forked kernel seeds its generators, applies its own limits and user id
(`betternets.kernel.process`) before it reads a request, and says in its first reply
which limits did not apply: they are kept in `Kernel.unapplied` and logged as a
warning. It is a child subreaper (whatever it starts stays in its tree).

`run(code)`, `call(name, args, kwargs)` and `call_many` are requests in `wire`'s
frames, each with a deadline on every read and write: a kernel that stops reading
or answering, sends a reply over `MAX_FRAME` bytes or `MAX_ITEMS` values, or a
garbled one, is stopped and the request fails with a `faults.KernelFault`. A
`watchdog.Watchdog` follows the kernel's whole process tree meanwhile.
"""
from __future__ import annotations

import fcntl
import logging
import os
import select
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from betternets.kernel import wire
from betternets.kernel.scratch import remove_tree

from ..rows import one_line
from ..texts import has_escaped_surrogate, valid_tree
from .faults import KernelCrashed, KernelFault, KernelTimeout, describe_exit
from .limits import Limits
from .sandbox.probe import bwrap_path
from .templates import Pool, Template, shared
from .watchdog import Watchdog

MAX_FRAME = 16 * 1024 * 1024     # largest reply accepted from a kernel
MAX_ITEMS = 1_000_000            # JSON values a reply may hold (bounded decoding)

log = logging.getLogger(__name__)


def _widen(*pipes: int, size: int = 1 << 20) -> None:
    """Pipes of `size` bytes (Linux's default is 64 KiB): a frame holding arrays of a few
    hundred kB then crosses in one write instead of waking the reader for every 64 KiB.
    Where the system allows less (fs.pipe-max-size), the pipe keeps its size."""
    for fd in pipes:
        try:
            fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), size)
        except OSError:
            pass


@dataclass
class _Child:
    """A kernel forked by a template: its pid there (namespace) and here."""
    nspid: int
    pid: int


class Kernel:
    """One kernel process; `run(code)` and `call(name, args, kwargs)` with timeouts.

    Each `start` forks a fresh kernel from a template kernel: the process's shared one
    (`share_templates`), or one of this Kernel's own, ended by `close`."""

    def __init__(self, limits: Limits, sandbox: bool = True, hidden: list[Path] = (),
                 uid: int | None = None, seed: int | None = None):
        self.limits = limits
        self.seed = seed          # of the kernel's `random` and np.random (None: fresh)
        self.hidden = list(hidden)
        self.bwrap = bwrap_path() if sandbox else None
        self.uid = uid
        self.proc: _Child | None = None
        self.template: Template | None = None
        self._own = Pool(per_thread=False)   # without a shared pool (`share_templates`)
        self.scratch: Path | None = None     # on the host: only without the sandbox
        self.watchdog: Watchdog | None = None
        self.leftovers: list[str] = []       # scratch folders that could not be removed
        self.uids: set[int] = set()
        self.unapplied: list[str] = []       # limits the last kernel could not set on itself
        self.starts = 0
        self.exit_code: int | None = None
        self._w = self._r = -1

    @property
    def sandboxed(self) -> bool:
        return self.bwrap is not None

    # -------------------------------------------------------------- lifecycle
    def _template(self, timeout: float) -> Template:
        """A running template; without a `uid` of this Kernel's, a sandboxed template of a
        root grader runs its kernels as a user id of its own (`probe.UidLease`)."""
        return (shared() or self._own).template(self.limits, self.bwrap, self.hidden, self.uid,
                                                timeout)

    def start(self, timeout: float = 60.0) -> None:
        self.stop()
        lim = self.limits
        if self.bwrap:
            scratch = "/scratch"
        else:
            self.scratch = Path(tempfile.mkdtemp(prefix="betternets-kernel-"))
            scratch = str(self.scratch)
        for attempt in (1, 2):   # a template that failed is replaced once
            req_r, req_w = os.pipe()
            resp_r, resp_w = os.pipe()
            _widen(req_w, resp_w)
            try:
                self.template = self._template(timeout)
                uid = self.template.uid if os.getuid() == 0 and self.bwrap else None
                cfg = {"output_bytes": lim.output_bytes, "rlimits": lim.rlimits(), "uid": uid,
                       "nice": lim.nice,
                       "nproc": lim.nproc if uid or os.getuid() != 0 else None,
                       "seed": self.seed}
                nspid, pid = self.template.fork(cfg, scratch, (req_r, resp_w), timeout)
            except KernelFault:
                for fd in (req_w, resp_r):
                    os.close(fd)
                if attempt == 2:
                    self.stop()
                    raise
                continue
            finally:
                os.close(req_r)
                os.close(resp_w)
            break
        if uid is not None:
            self.uids.add(uid)
        self.proc = _Child(nspid, pid)
        self._w, self._r = req_w, resp_r
        os.set_blocking(self._w, False)
        self.starts += 1
        self.exit_code = None
        self.watchdog = Watchdog(pid, lim, self.scratch)
        self.watchdog.start()
        hello = self._receive(timeout)
        if not hello.get("ready"):
            self.stop()
            raise KernelCrashed("the kernel did not start")
        said = hello.get("unapplied")
        self.unapplied = [one_line(str(u), 200) for u in said[:20]] \
            if isinstance(said, list) else []
        if self.unapplied:
            log.warning("a kernel could not set these limits on itself: %s",
                        "; ".join(self.unapplied))

    def stop(self) -> None:
        """The kernel and every process it started killed, its scratch emptied."""
        if self.proc is not None:
            if self.watchdog is not None:
                self.watchdog.halt()
                self.watchdog.kill()    # the whole tree, also children that left the group
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.template is not None:
                try:
                    code = self.template.clean(self.proc.nspid)
                    self.exit_code = code if code is not None else self.exit_code
                except KernelFault:
                    pass   # the template was closed, and everything in it killed
            for fd in (self._w, self._r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._w = self._r = -1
            self.proc = None
            self.watchdog = None
        if self.scratch is not None:
            if not remove_tree(self.scratch):
                self.leftovers.append(str(self.scratch))
            self.scratch = None

    def close(self) -> None:
        """`stop`, and end this Kernel's own template (a shared one stays)."""
        self.stop()
        self._own.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -------------------------------------------------------------- requests
    def _died(self, alive: str = "") -> KernelCrashed:
        code = None
        if self.proc is not None and self.template is not None:
            try:
                code = self.template.wait(self.proc.nspid, 2.0)
            except KernelFault:
                code = None
        fault = self.watchdog.fault if self.watchdog is not None else ""
        self.stop()
        return KernelCrashed(fault or (alive if alive and code is None else describe_exit(code)))

    def _timed_out(self, what: str) -> KernelFault:
        fault = self.watchdog.fault if self.watchdog is not None else ""
        self.stop()
        return KernelCrashed(fault) if fault else KernelTimeout(what)

    def _receive(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        size = wire.frame_size(self._read(wire.HEADER.size, deadline))
        if size > MAX_FRAME:
            self.stop()
            raise KernelCrashed(f"the kernel sent a reply of {size} bytes, over the limit "
                                f"of {MAX_FRAME}")
        data = self._read(size, deadline)
        head = wire.json_part(data)   # the arrays' raw bytes behind it are not items
        items = head.count(b",") + head.count(b"[") + head.count(b"{")
        if items > MAX_ITEMS:
            self.stop()
            raise KernelCrashed(f"the kernel sent a reply of more than {MAX_ITEMS} values")
        try:
            msg = wire.loads(data)
        except Exception as exc:  # noqa: BLE001 - a garbled reply is the kernel's fault
            self.stop()
            raise KernelCrashed(f"the kernel sent a garbled reply ({type(exc).__name__})") from None
        if not isinstance(msg, dict):
            self.stop()
            raise KernelCrashed("the kernel sent a garbled reply")
        # a message of the student's ("bad \ud800 value") may spell lone surrogates: made
        # valid text here, so that no writer after meets one
        return valid_tree(msg) if has_escaped_surrogate(head) else msg

    def _read(self, n: int, deadline: float) -> bytes:
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._timed_out("no answer within the time limit")
            ready, _, _ = select.select([self._r], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(self._r, min(n - got, 1 << 20))
            if not chunk:
                raise self._died()
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _write(self, data: bytes, deadline: float) -> None:
        """The whole frame, or a timeout: a kernel that stops reading cannot block the grader."""
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._timed_out("the kernel stopped reading requests")
            _, ready, _ = select.select([], [self._w], [], min(left, 1.0))
            if not ready:
                continue
            try:
                n = os.write(self._w, view)
            except BlockingIOError:
                continue
            except OSError:   # a broken pipe: the kernel is gone, or closed its end
                raise self._died("the kernel closed its request pipe") from None
            view = view[n:]

    def request(self, msg: dict, timeout: float) -> dict:
        if self.proc is None:
            raise KernelCrashed("the kernel is not running")
        payload = wire.dumps(msg)
        deadline = time.monotonic() + timeout
        self._write(wire.frame(payload), deadline)
        return self._receive(max(0.0, deadline - time.monotonic()))

    def run(self, code: str, timeout: float | None = None) -> dict:
        return self.request({"op": "run", "code": code}, timeout or self.limits.timeout)

    def call(self, name: str, args: tuple, kwargs: dict, timeout: float | None = None) -> dict:
        msg = {"op": "call", "name": name, "args": wire.encode(list(args)),
               "kwargs": wire.encode(dict(kwargs))}
        return self.request(msg, timeout or self.limits.timeout)

    def call_many(self, calls: list[tuple[str, tuple, dict]], timeout: float | None = None,
                  total: float | None = None) -> list[dict]:
        """Several calls in one request; the kernel answers each with its own frame as soon
        as it is done, and stops after the first reply that is not ok. Each call has
        `timeout` seconds from the previous call's reply (per-call timeouts, as with
        `call`), all of them together at most `total`; a timeout is the running call's.
        Returns the replies read: all of them, or up to the first that is not ok."""
        if self.proc is None:
            raise KernelCrashed("the kernel is not running")
        per = timeout or self.limits.timeout
        end = time.monotonic() + (total if total is not None else per * len(calls))
        msg = {"op": "many", "calls": [{"name": name, "args": wire.encode(list(args)),
                                        "kwargs": wire.encode(dict(kwargs))}
                                       for name, args, kwargs in calls]}
        payload = wire.dumps(msg)
        deadline = min(time.monotonic() + per, end)
        self._write(wire.frame(payload), deadline)
        replies = []
        for i, (name, _, _) in enumerate(calls):
            try:
                reply = self._receive(max(0.0, deadline - time.monotonic()))
            except KernelFault as fault:   # said of the call that was running
                raise type(fault)(f"{fault.reason} (call {i + 1} of {len(calls)}: "
                                  f"{name[:60]})") from None
            replies.append(reply)
            if not reply.get("ok"):
                break
            deadline = min(time.monotonic() + per, end)
        return replies
