"""A sandboxed kernel for one submission notebook, and the pipe that talks to it.

The kernel is `python -m betternets.checks.serve` (an IPython shell serving
`call` requests). With bubblewrap it runs in its own mount, PID, network, IPC
and UTS namespaces:

- the system (/usr, the Python install, the virtualenv, the student package)
  read-only; nothing else of the host is visible: no /root, /home, /work, no
  course directory, gradebook, solutions, hidden checks, reference package or
  other students' notebooks;
- a private scratch folder as its working directory and HOME, and a private
  /tmp; no network at all (only a loopback device of its own);
- an unprivileged user id when the grader runs as root, so that limits on
  processes hold; limits on address space (memory), CPU time, file size and
  open files; the grader enforces the wall-clock limits and kills the whole
  PID namespace on timeout.

Without bubblewrap the same kernel runs as a plain subprocess with the same
limits (the report then says "unsandboxed").
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from betternets.checks import serve as wire

MAX_FRAME = 256 * 1024 * 1024


class KernelFault(BaseException):
    """The kernel timed out or died. A BaseException, so that no check's
    `except Exception` can mistake it for a wrong answer."""

    status = "crashed"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class KernelTimeout(KernelFault):
    status = "timeout"


class KernelCrashed(KernelFault):
    status = "crashed"


@dataclass
class Limits:
    timeout: float = 30.0            # seconds per cell and per call
    notebook_timeout: float = 300.0  # seconds for the whole notebook
    memory_mb: int = 2048            # address space of the kernel
    nproc: int = 64                  # processes and threads of the kernel's user
    output_bytes: int = 10_000       # captured output kept per cell or call
    file_mb: int = 64                # largest file the kernel may write


_PROBED: dict[str, bool] = {}


def bwrap_path() -> str | None:
    """bubblewrap, if it is installed and works here (it may not in some containers)."""
    if os.environ.get("BETTERNETS_NO_SANDBOX", "") == "1":
        return None
    path = shutil.which("bwrap")
    if path is None:
        return None
    if path not in _PROBED:
        scratch = Path(tempfile.mkdtemp(prefix="betternets-probe-"))
        try:
            cmd = sandbox_command(sys.executable, scratch, []) + [sys.executable, "-c", "pass"]
            _PROBED[path] = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                           timeout=60).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _PROBED[path] = False
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return path if _PROBED[path] else None


def _ancestors_dirs(path: Path) -> list[str]:
    parts = []
    p = path.parent
    while str(p) != "/":
        parts.append(str(p))
        p = p.parent
    return list(reversed(parts))


def sandbox_command(python: str, scratch: Path, hidden: list[Path], tmp_mb: int = 256) -> list[str]:
    """The bwrap command line that runs `python` in the sandbox described above."""
    import betternets
    binds: list[str] = []
    for root in ("/usr", "/etc"):
        binds.append(root)
    prefixes = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
                Path(betternets.__file__).resolve().parents[1]}
    for extra in (Path(sys.executable).resolve().parent.parent,):
        prefixes.add(extra)
    # /tmp first: a private tmpfs, under which the binds below may still place an
    # environment or a checkout that lives in /tmp (a later mount hides an earlier one).
    cmd = ["bwrap", "--perms", "1777", "--size", str(tmp_mb * 1024 * 1024), "--tmpfs", "/tmp"]
    made: set[str] = {"/tmp"}
    for prefix in sorted(prefixes, key=lambda p: len(str(p))):
        if any(str(prefix).startswith(b.rstrip("/") + "/") for b in binds):
            continue
        for d in _ancestors_dirs(prefix):
            if d not in made and not any(d == b or d.startswith(b + "/") for b in binds):
                cmd += ["--perms", "0755", "--dir", d]
                made.add(d)
        binds.append(str(prefix))
    for b in binds:
        cmd += ["--ro-bind", b, b]
    for link in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(link):
            cmd += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            cmd += ["--ro-bind", link, link]
    for h in list(hidden) + grader_install_files():
        if h.exists() and any(str(h).startswith(b.rstrip("/") + "/") for b in binds):
            cmd += ["--tmpfs", str(h)] if h.is_dir() else ["--ro-bind", "/dev/null", str(h)]
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--perms", "0755", "--dir", "/scratch", "--bind", str(scratch), "/scratch",
            "--chdir", "/scratch", "--setenv", "HOME", "/scratch",
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--hostname", "sandbox"]
    if os.getuid() == 0:
        cmd += ["--cap-add", "CAP_SETUID,CAP_SETGID"]
    else:
        cmd += ["--unshare-user"]
    return cmd


def grader_install_files() -> list[Path]:
    """The grader's traces in site-packages (package, .pth, editable finder, metadata)."""
    found = []
    for entry in sys.path:
        d = Path(entry)
        if d.is_dir() and d.name == "site-packages":
            for p in d.iterdir():
                if "betternets_grader" in p.name.replace("-", "_"):
                    found.append(p.resolve() if p.is_dir() else p)
    return found


def kernel_env(home: str) -> dict:
    """A small, neutral environment: nothing says this is a grading run."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
           "MPLBACKEND": "Agg", "BETTERNETS_NO_PROGRESS": "1", "BETTERNETS_STATIC": "1",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
           "MPLCONFIGDIR": os.path.join(home, ".mpl")}
    return env


def _describe_exit(code: int | None) -> str:
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


class Kernel:
    """One kernel process; `run(code)` and `call(name, args, kwargs)` with timeouts."""

    def __init__(self, limits: Limits, sandbox: bool = True, hidden: list[Path] = (),
                 uid: int | None = None):
        self.limits = limits
        self.hidden = list(hidden)
        self.bwrap = bwrap_path() if sandbox else None
        self.uid = uid
        self.proc: subprocess.Popen | None = None
        self.scratch: Path | None = None
        self.starts = 0

    @property
    def sandboxed(self) -> bool:
        return self.bwrap is not None

    # -------------------------------------------------------------- lifecycle
    def start(self, timeout: float = 60.0) -> None:
        self.stop()
        self.scratch = Path(tempfile.mkdtemp(prefix="betternets-kernel-"))
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        rlimits = {"RLIMIT_AS": self.limits.memory_mb * 1024 * 1024,
                   "RLIMIT_FSIZE": self.limits.file_mb * 1024 * 1024,
                   "RLIMIT_NOFILE": 256,
                   "RLIMIT_CORE": 0,
                   "RLIMIT_CPU": int(self.limits.notebook_timeout * 2) + 10}
        uid = None
        if os.getuid() == 0 and self.bwrap:
            uid = self.uid if self.uid is not None else 61000 + os.getpid() % 4000
            os.chown(self.scratch, uid, uid)
        cfg = {"req_fd": req_r, "resp_fd": resp_w, "output_bytes": self.limits.output_bytes,
               "rlimits": rlimits, "uid": uid, "nproc": self.limits.nproc if uid or
               os.getuid() != 0 else None}
        python = sys.executable
        inner = [python, "-m", "betternets.checks.serve", json.dumps(cfg)]
        if self.bwrap:
            cmd = sandbox_command(python, self.scratch, self.hidden) + inner
            env = kernel_env("/scratch")
            cwd = None
        else:
            cmd, env, cwd = inner, kernel_env(str(self.scratch)), str(self.scratch)
            env["PYTHONPATH"] = str(Path(__import__("betternets").__file__).resolve().parents[1])
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     pass_fds=(req_r, resp_w), start_new_session=True,
                                     close_fds=True)
        os.close(req_r)
        os.close(resp_w)
        self._w, self._r = req_w, resp_r
        self.starts += 1
        hello = self._receive(timeout)
        if not hello.get("ready"):
            self.stop()
            raise KernelCrashed("the kernel did not start")

    def stop(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for fd in (self._w, self._r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.proc = None
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            if self.scratch.exists():
                subprocess.run(["rm", "-rf", str(self.scratch)], check=False)
            self.scratch = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # -------------------------------------------------------------- requests
    def _receive(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        header = self._read(8, deadline)
        size = struct.unpack(">Q", header)[0]
        if size > MAX_FRAME:
            self.stop()
            raise KernelCrashed(f"the kernel sent a reply of {size} bytes, over the limit")
        data = self._read(size, deadline)
        try:
            msg = wire.loads(data)
        except Exception as exc:  # noqa: BLE001 - a garbled reply is the kernel's fault
            raise KernelCrashed(f"the kernel sent a garbled reply ({type(exc).__name__})")
        if not isinstance(msg, dict):
            raise KernelCrashed("the kernel sent a garbled reply")
        return msg

    def _read(self, n: int, deadline: float) -> bytes:
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                raise KernelTimeout("no answer within the time limit")
            ready, _, _ = select.select([self._r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._r, min(n - got, 1 << 20))
            if not chunk:
                code = self.proc.poll() if self.proc else None
                if code is None and self.proc is not None:
                    try:
                        code = self.proc.wait(timeout=2)
                    except subprocess.TimeoutExpired:
                        code = None
                self.stop()
                raise KernelCrashed(_describe_exit(code))
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def request(self, msg: dict, timeout: float) -> dict:
        if self.proc is None:
            raise KernelCrashed("the kernel is not running")
        try:
            wire.write_frame(self._w, wire.dumps(msg))
        except (BrokenPipeError, OSError):
            code = self.proc.poll()
            self.stop()
            raise KernelCrashed(_describe_exit(code))
        return self._receive(timeout)

    def run(self, code: str, timeout: float | None = None) -> dict:
        return self.request({"op": "run", "code": code}, timeout or self.limits.timeout)

    def call(self, name: str, args: tuple, kwargs: dict, timeout: float | None = None) -> dict:
        msg = {"op": "call", "name": name, "args": wire.encode(list(args)),
               "kwargs": wire.encode(dict(kwargs))}
        return self.request(msg, timeout or self.limits.timeout)
