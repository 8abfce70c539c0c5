"""A sandboxed kernel for one submission notebook, and the pipe that talks to it.

The kernel is `python -m betternets.checks.serve` (an IPython shell serving
`call` requests). With bubblewrap it runs in its own mount, PID, network, IPC
and UTS namespaces, and sees a small file system built for it:

- the system's /usr (and /bin, /lib links) read-only; the interpreter; a
  virtual environment at /opt/venv whose site-packages holds the student
  package and its dependencies, nothing of the grader, no `etc/jupyter` or other
  configuration; a minimal /etc (passwd, group, hostname, hosts); a private /proc
  (its own PID namespace). Nothing else of the host: no /root, /home, /work, no
  course directory, gradebook, solutions, hidden checks, reference package or
  other students' notebooks;
- writable: only /scratch (working directory and HOME) and /tmp, each a tmpfs of
  `disk_mb`; the root, /etc, /dev and everything else is read-only, with or
  without root;
- no network at all (only a loopback device of its own);
- bubblewrap reads its own options from a pipe, so the kernel's command line
  (`/proc/1/cmdline`) holds no host path;
- a seccomp filter refuses `setsid` (each session would be a scheduler group of
  its own and get as much CPU as a whole kernel) and new user namespaces;
- an unprivileged user id when the grader runs as root, so that limits on
  processes hold; limits on address space, CPU time, file size and open files
  per process, `RLIMIT_NPROC` for the number of processes, and a nice level.

Every kernel is forked from a template kernel (`Template`, one per grading worker,
started with its first notebook, in the sandbox described above): the template imports
numpy, scipy, matplotlib, IPython and the student package once and never runs student
code, so each kernel starts in milliseconds with the template's module state only. The
forked kernel applies its own limits and user id before it reads a request; it is a
child subreaper (whatever it starts stays in its tree), and at its end the template
kills every process it left and empties /scratch and /tmp, so that no process or file
of one submission is seen by the next (see `betternets.checks.template`).

A watchdog thread in the grader follows the kernel's whole process tree (psutil):
it kills the tree when the processes together hold more than `memory_mb`
(proportional set size, so that pages shared after a fork count once), when they
keep more than `cpu_cores` busy or exceed their CPU-time budget, and, without the
sandbox, when the scratch folder outgrows `disk_mb`. Every read and write on the
kernel's pipes has a deadline.

Without bubblewrap the same kernel runs as a plain subprocess with the same
per-process limits and the same watchdog (the report then says "unsandboxed").
"""
from __future__ import annotations

import collections
import errno
import fcntl
import json
import os
import platform
import select
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from betternets.checks import serve as wire
from betternets.checks.scratch import remove_tree  # noqa: F401 - part of this API
from betternets.checks.status import Status

MAX_FRAME = 16 * 1024 * 1024     # largest reply accepted from a kernel
MAX_ITEMS = 1_000_000            # JSON values a reply may hold (bounded decoding)
VENV = "/opt/venv"               # where the kernel's environment appears in the sandbox


class KernelFault(BaseException):
    """The kernel timed out or died. A BaseException, so that no check's
    `except Exception` can mistake it for a wrong answer."""

    status = Status.CRASHED

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class KernelTimeout(KernelFault):
    status = Status.TIMEOUT


class KernelCrashed(KernelFault):
    status = Status.CRASHED


@dataclass
class Limits:
    timeout: float = 30.0            # seconds per cell and per call
    notebook_timeout: float = 300.0  # seconds for the whole notebook
    memory_mb: int = 2048            # memory of the kernel's whole process tree
    nproc: int = 64                  # processes and threads of the kernel's user
    output_bytes: int = 10_000       # captured output kept per cell or call
    file_mb: int = 64                # largest file the kernel may write
    disk_mb: int = 256               # size of its scratch folder, and of its /tmp
    cpu_cores: float = 1.0           # cores the process tree may keep busy on average
    nice: int = 5                    # nice level of the kernel's processes
    poll: float = 0.25               # seconds between two looks of the watchdog


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


def sandbox_problem() -> str:
    """Why bubblewrap was not used ('' when it is)."""
    if os.environ.get("BETTERNETS_NO_SANDBOX", "") == "1":
        return "BETTERNETS_NO_SANDBOX=1"
    path = shutil.which("bwrap")
    if path is None:
        return "bubblewrap (bwrap) is not installed"
    bwrap_path()
    return _PROBED.get(path, (True, ""))[1]


def _probe() -> tuple[bool, str]:
    try:
        view = SandboxView(Limits(), uid=_sandbox_uid())
        cmd = view.command([f"{VENV}/bin/python", "-c",
                            "import betternets.checks.serve, IPython, numpy"])
        try:
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=60, pass_fds=view.fds,
                                  env=kernel_env("/scratch"))
        finally:
            view.close()
        if done.returncode != 0:
            return False, "bubblewrap failed: " + done.stderr.decode("utf-8", "replace")[-300:]
        return True, ""
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap failed: {exc}"


def _sandbox_uid(uid: int | None = None) -> int:
    """The user id a kernel runs as: a spare one per grading worker when the grader is
    root, the grader's own otherwise (bubblewrap maps it in a user namespace)."""
    if os.getuid() != 0:
        return os.getuid()
    return uid if uid is not None else 61000 + os.getpid() % 4000


# ---------------------------------------------------------------- the sandbox's view

def _site_dirs() -> list[Path]:
    """The grader's site-packages folders, in the order Python searches them."""
    seen: list[Path] = []
    for entry in sys.path:
        p = Path(entry or ".")
        if p.name in ("site-packages", "dist-packages") and p.is_dir():
            p = p.resolve()
            if p not in seen:
                seen.append(p)
    return seen


def _under(path: Path | str, root: Path | str) -> bool:
    path, root = str(path), str(root).rstrip("/")
    return path == root or path.startswith(root + "/")


def _seccomp_program() -> bytes | None:
    """A classic BPF program for seccomp: setsid fails with EPERM, so that a kernel's
    processes stay in its session (one scheduler group); clone/unshare with
    CLONE_NEWUSER fail, so that no process gets capabilities to mount an unbounded
    tmpfs; System V shared memory, semaphores and message queues and POSIX message
    queues cannot be made or opened (shmget, semget, msgget, mq_open fail with EPERM),
    because the kernels of one template share its IPC namespace and such an object
    would outlive the submission that made it; clone3 reports ENOSYS (its flags cannot be inspected; libc falls back to
    clone). Other architectures' system calls (32-bit ABIs) fail with EPERM."""
    arches = {"x86_64": (0xC000003E, 112, 272, 56, 435, 0x40000000, (29, 64, 68, 240)),
              "aarch64": (0xC00000B7, 157, 97, 220, 435, None, (194, 190, 186, 180))}
    machine = platform.machine()
    if machine not in arches:
        return None
    audit, setsid, unshare, clone, clone3, x32, ipc = arches[machine]
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | errno.EPERM, 0x00050000 | errno.ENOSYS
    prog: list[tuple] = []
    labels: dict[str, int] = {}

    def op(code, k, jt="", jf=""):
        prog.append((code, k, jt, jf))

    op(ld, 4)                               # arch
    op(jeq, audit, "", "eperm")
    op(ld, 0)                               # syscall number
    if x32 is not None:
        op(jge, x32, "eperm", "")
    op(jeq, setsid, "eperm", "")
    for number in ipc:                      # shmget, semget, msgget, mq_open
        op(jeq, number, "eperm", "")
    op(jeq, clone3, "enosys", "")
    op(jeq, unshare, "flags", "")
    op(jeq, clone, "flags", "allow")
    labels["flags"] = len(prog)
    op(ld, 16)                              # low 32 bits of the first argument
    op(jset, 0x10000000, "eperm", "allow")  # CLONE_NEWUSER
    labels["allow"] = len(prog)
    op(ret, allow)
    labels["eperm"] = len(prog)
    op(ret, eperm)
    labels["enosys"] = len(prog)
    op(ret, enosys)
    out = b""
    for i, (code, k, jt, jf) in enumerate(prog):
        def off(name):
            return labels[name] - i - 1 if name else 0
        out += struct.pack("<HBBI", code, off(jt), off(jf), k)
    return out


def _data_fd(data: bytes) -> int:
    """A file descriptor holding `data` from its start, for bubblewrap to read (and close)."""
    try:
        fd = os.memfd_create("betternets")
    except (AttributeError, OSError):
        fh = tempfile.TemporaryFile()
        fd = os.dup(fh.fileno())
        fh.close()
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


class SandboxView:
    """The bubblewrap options for one kernel, handed to bwrap through file descriptors
    (`--args`, `--ro-bind-data`, `--seccomp`), so that its command line names no host path.
    `fds` must be passed to the child; `close()` afterwards."""

    def __init__(self, limits: Limits, uid: int, hidden: list[Path] = ()):
        self.fds: list[int] = []
        opts = self._options(limits, uid, [Path(h) for h in hidden])
        self.args_fd = self._fd(b"".join(o.encode("utf-8", "surrogateescape") + b"\0"
                                         for o in opts))

    def _fd(self, data: bytes) -> int:
        fd = _data_fd(data)
        self.fds.append(fd)
        return fd

    def command(self, inner: list[str]) -> list[str]:
        return ["bwrap", "--args", str(self.args_fd)] + inner

    def close(self) -> None:
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []

    def _options(self, limits: Limits, uid: int, hidden: list[Path]) -> list[str]:
        import betternets
        ver = f"{sys.version_info.major}.{sys.version_info.minor}"
        exe = Path(os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable))
        base = Path(sys.base_prefix).resolve()
        site = f"{VENV}/lib/python{ver}/site-packages"
        student_pkg = Path(betternets.__file__).resolve().parent
        o = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
             "--unshare-cgroup-try", "--die-with-parent", "--new-session",
             "--hostname", "sandbox"]
        if os.getuid() == 0:
            o += ["--cap-add", "CAP_SETUID,CAP_SETGID"]
        else:
            o += ["--unshare-user"]
        bound: list[str] = ["/usr"]
        o += ["--ro-bind", "/usr", "/usr"]
        for link in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(link):
                o += ["--symlink", os.readlink(link), link]
            elif os.path.isdir(link):
                o += ["--ro-bind", link, link]
                bound.append(link)
        made: set[str] = set()

        def parents(path: Path) -> list[str]:
            out = []
            for d in reversed(path.parents):
                d = str(d)
                if d != "/" and d not in made and not any(_under(d, b) for b in bound):
                    out += ["--perms", "0755", "--dir", d]
                    made.add(d)
            return out

        # the interpreter: its binary and its standard library, nothing of its etc/ or share/
        if not any(_under(exe, b) for b in bound):
            o += parents(exe) + ["--ro-bind", str(exe), str(exe)]
        for lib in ("lib", "lib64"):
            d = base / lib
            if d.is_dir() and not d.is_symlink() and not any(_under(d, b) for b in bound):
                o += parents(d) + ["--ro-bind", str(d), str(d)]
                bound.append(str(d))
        # a minimal /etc
        o += ["--perms", "0755", "--tmpfs", "/etc"]
        files = {"passwd": f"root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
                           f"student:x:{uid}:{uid}:student:/scratch:/usr/sbin/nologin\n"
                           "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
                 "group": f"root:x:0:\nstudent:x:{uid}:\nnogroup:x:65534:\n",
                 "hostname": "sandbox\n",
                 "hosts": "127.0.0.1 localhost sandbox\n::1 localhost\n",
                 "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n"}
        for name, text in files.items():
            o += ["--perms", "0644", "--ro-bind-data", str(self._fd(text.encode())),
                  f"/etc/{name}"]
        if os.path.isfile("/etc/ld.so.cache"):
            o += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
        o += ["--remount-ro", "/etc"]
        # the environment: one site-packages with the student package and its dependencies
        o += ["--perms", "0755", "--dir", f"{VENV}/bin", "--dir", site,
              "--symlink", str(exe), f"{VENV}/bin/python",
              "--perms", "0644", "--ro-bind-data", str(self._fd(
                  f"home = {exe.parent}\ninclude-system-site-packages = false\n"
                  f"version = {platform.python_version()}\n".encode())), f"{VENV}/pyvenv.cfg"]
        names: set[str] = set()
        for d in _site_dirs():
            try:
                entries = sorted(os.scandir(d), key=lambda e: e.name)
            except OSError:
                continue
            for e in entries:
                if e.name in names or "betternets" in e.name.lower().replace("-", "_"):
                    continue
                names.add(e.name)
                if e.is_symlink():
                    o += ["--symlink", os.readlink(e.path), f"{site}/{e.name}"]
                else:
                    o += ["--ro-bind", e.path, f"{site}/{e.name}"]
        o += ["--ro-bind", str(student_pkg), f"{site}/betternets"]
        # what the binds above would show of the grader's install or configuration
        cover = [d for d in _site_dirs()] + [base / "lib" / f"python{ver}" / "site-packages"]
        cover += [Path(p) for p in ("/usr/etc/jupyter", "/usr/local/etc/jupyter",
                                    "/usr/local/share/jupyter", f"{sys.base_prefix}/etc")]
        cover += hidden
        for c in cover:
            if c.exists() and any(_under(c, b) for b in bound):
                o += ["--tmpfs", str(c)] if c.is_dir() else ["--ro-bind", "/dev/null", str(c)]
        # the rest: private /proc and /dev, and the only two writable places, both bounded
        size = str(limits.disk_mb * 1024 * 1024)
        o += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
              "--perms", "1777", "--size", size, "--tmpfs", "/tmp",
              "--perms", "1777", "--size", size, "--tmpfs", "/scratch",
              "--chdir", "/scratch", "--setenv", "HOME", "/scratch"]
        program = _seccomp_program()
        if program is not None:
            o += ["--seccomp", str(self._fd(program))]
        o += ["--remount-ro", "/"]
        return o


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


def _folder_size(path: Path, cap_entries: int = 100_000) -> int:
    """Bytes used under `path` (allocated blocks), looking at no more than cap_entries."""
    total, seen, stack = 0, 0, [str(path)]
    while stack and seen < cap_entries:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                for e in it:
                    seen += 1
                    try:
                        st = e.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    total += st.st_blocks * 512
                    if stat.S_ISDIR(st.st_mode):
                        stack.append(e.path)
        except OSError:
            continue
    return total


# ---------------------------------------------------------------- the watchdog

class Watchdog(threading.Thread):
    """Follows the kernel's whole process tree and kills it at a limit; `fault` says why."""

    def __init__(self, pid: int, limits: Limits, scratch: Path | None = None):
        super().__init__(daemon=True, name="betternets-watchdog")
        self.pid, self.limits, self.scratch = pid, limits, scratch
        self.fault = ""
        self._halt = threading.Event()
        self._procs: dict[int, object] = {}

    def halt(self) -> None:
        self._halt.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(5)

    def tree(self) -> list:
        import psutil
        try:
            root = self._procs.get(self.pid) or psutil.Process(self.pid)
            pids = _descendants(self.pid)
            found = [root] + (root.children(recursive=True) if pids is None else
                              [self._procs.get(pid) or psutil.Process(pid) for pid in pids])
        except psutil.Error:
            return []
        procs = {}
        for p in found:  # keep the same objects, so that a reused pid is noticed
            procs[p.pid] = self._procs.get(p.pid, p)
        self._procs = procs
        return list(procs.values())

    def kill(self) -> None:
        procs = self.tree()
        for p in procs:
            try:
                p.kill()
            except Exception:  # noqa: BLE001 - it is gone already
                pass

    def _measure(self, procs) -> tuple[float, float]:
        """MB of memory and CPU seconds of the tree. Memory is the resident size, and the
        proportional size (PSS: pages shared with the template kernel counted in part) only
        where the resident size is over the limit: RSS >= PSS, so a tree under the limit by
        RSS is under it by PSS, and PSS costs 5 ms a process to read, RSS 0.05 ms."""
        import psutil
        rss = cpu = 0.0
        for p in procs:
            try:
                with p.oneshot():
                    t = p.cpu_times()
                    cpu += t.user + t.system + t.children_user + t.children_system
                    rss += p.memory_info().rss
            except psutil.Error:
                continue
        if rss / 2 ** 20 <= self.limits.memory_mb:
            return rss / 2 ** 20, cpu
        pss = 0.0
        for p in procs:
            try:
                pss += p.memory_full_info().pss
            except (psutil.AccessDenied, AttributeError):
                pss += p.memory_info().rss
            except psutil.Error:
                continue
        return pss / 2 ** 20, cpu

    def run(self) -> None:
        lim = self.limits
        samples: collections.deque = collections.deque()
        cpu_seen = 0.0
        budget = lim.notebook_timeout * max(lim.cpu_cores, 1.0) + 10
        while not self._halt.wait(lim.poll):
            procs = self.tree()
            if not procs:
                return
            mem, cpu = self._measure(procs)
            cpu_seen = max(cpu_seen, cpu)
            now = time.monotonic()
            samples.append((now, cpu_seen))
            while len(samples) > 2 and now - samples[1][0] >= 3.0:
                samples.popleft()
            fault = ""
            if mem > lim.memory_mb:
                fault = (f"the kernel's processes held {mem:.0f} MB together "
                         f"(memory limit {lim.memory_mb} MB)")
            elif now - samples[0][0] >= 2.0 and \
                    (cpu_seen - samples[0][1]) / (now - samples[0][0]) > lim.cpu_cores + 0.5:
                rate = (cpu_seen - samples[0][1]) / (now - samples[0][0])
                fault = (f"the kernel's processes kept {rate:.1f} CPU cores busy "
                         f"(limit {lim.cpu_cores:g})")
            elif cpu_seen > budget:
                fault = f"the kernel's processes used up their CPU time ({budget:.0f} s)"
            elif self.scratch is not None and \
                    _folder_size(self.scratch) > lim.disk_mb * 2 ** 20:
                fault = f"the kernel wrote more than {lim.disk_mb} MB to its scratch folder"
            if fault:
                self.fault = fault
                self.kill()
                return


# ---------------------------------------------------------------- the template kernel

def _descendants(pid: int) -> list[int] | None:
    """Every descendant of `pid`, from Linux's /proc/PID/task/TID/children lists (psutil's
    `children(recursive=True)` reads every process of the machine, 1.6 ms a look); None
    where the kernel keeps no such lists."""
    if not os.path.exists(f"/proc/{os.getpid()}/task/{threading.get_native_id()}/children"):
        return None
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tids = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{parent}/task/{tid}/children") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except (OSError, ValueError):
                continue
            found += kids
            todo += kids
    return found


def _widen(*pipes: int, size: int = 1 << 20) -> None:
    """Pipes of `size` bytes (Linux's default is 64 KiB): a frame holding arrays of a few
    hundred kB then crosses in one write instead of waking the reader for every 64 KiB.
    Where the system allows less (fs.pipe-max-size), the pipe keeps its size."""
    for fd in pipes:
        try:
            fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), size)
        except OSError:
            pass


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


def _kill_tree(pid: int) -> None:
    """SIGKILL `pid` and every process below it (psutil, host pids)."""
    import psutil
    try:
        root = psutil.Process(pid)
        procs = root.children(recursive=True) + [root]
    except psutil.Error:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass


class Template:
    """One template kernel (`betternets.checks.template`): started once, in the same
    sandbox a kernel had (bubblewrap's namespaces and view, `disk_mb` tmpfs for /scratch
    and /tmp) or as a plain process without bubblewrap. It imports numpy, scipy,
    matplotlib and IPython once and forks a fresh kernel per submission; it never runs
    student code. Requests go over a SOCK_SEQPACKET socket, each with a deadline; a
    template that does not answer in time, or answers nonsense, is killed (`close`)
    and the next kernel starts a new one."""

    def __init__(self, limits: Limits, bwrap: str | None, hidden: list[Path], uid: int | None):
        self.limits, self.bwrap, self.hidden, self.uid = limits, bwrap, list(hidden), uid
        self.proc: subprocess.Popen | None = None
        self.home: Path | None = None         # the template's own folder, without the sandbox
        self._sock: "socket.socket | None" = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float) -> None:
        import socket
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        cfg = {"template": True, "control_fd": theirs.fileno(), "uid": self.uid,
               "wipe": ["/scratch", "/tmp"] if self.bwrap else []}
        view = None
        fds = [theirs.fileno()]
        if self.bwrap:
            view = SandboxView(self.limits, _sandbox_uid(self.uid), self.hidden)
            fds += view.fds
            cmd = view.command([f"{VENV}/bin/python", "-m", "betternets.checks.serve",
                                json.dumps(cfg)])
            env, cwd = kernel_env("/scratch"), None
        else:
            self.home = Path(tempfile.mkdtemp(prefix="betternets-template-"))
            cmd = [sys.executable, "-m", "betternets.checks.serve", json.dumps(cfg)]
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
        import socket
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
        import psutil
        try:
            below = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            below = []
        for p in below:
            if _ns_pid(p.pid) == nspid and p.pid != self.proc.pid:
                return nspid, p.pid
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
            _kill_tree(self.proc.pid)
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


_SHARED: dict | None = None
_AT_EXIT: list[bool] = []


def share_templates() -> None:
    """From now on kernels of this process share one template per sandbox configuration
    (a grading worker calls this once); `close_templates` (also at exit) ends them and
    the sharing."""
    global _SHARED
    if _SHARED is None:
        _SHARED = {}
        if not _AT_EXIT:
            import atexit
            atexit.register(close_templates)
            _AT_EXIT.append(True)


def close_templates() -> None:
    global _SHARED
    shared, _SHARED = _SHARED or {}, None
    for template in shared.values():
        template.close()


@dataclass
class _Child:
    """A kernel forked by a template: its pid there (namespace) and here."""
    nspid: int
    pid: int


# ---------------------------------------------------------------- the kernel

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
        self._own: Template | None = None
        self.scratch: Path | None = None     # on the host: only without the sandbox
        self.watchdog: Watchdog | None = None
        self.leftovers: list[str] = []       # scratch folders that could not be removed
        self.uids: set[int] = set()
        self.starts = 0
        self.exit_code: int | None = None
        self._w = self._r = -1

    @property
    def sandboxed(self) -> bool:
        return self.bwrap is not None

    # -------------------------------------------------------------- lifecycle
    def _template(self, timeout: float) -> Template:
        uid = _sandbox_uid(self.uid) if os.getuid() == 0 and self.bwrap else None
        # one template per thread: a template serves one kernel at a time (a Dask worker
        # may run several tasks at once, each in a thread of its own)
        key = (self.bwrap, self.limits.disk_mb, uid, tuple(str(h) for h in self.hidden),
               threading.get_ident())
        template = _SHARED.get(key) if _SHARED is not None else self._own
        if template is None or not template.alive:
            if template is not None:
                template.close()
            template = Template(self.limits, self.bwrap, self.hidden, uid)
            template.start(timeout)
            if _SHARED is not None:
                _SHARED[key] = template
            else:
                self._own = template
        return template

    def start(self, timeout: float = 60.0) -> None:
        self.stop()
        lim = self.limits
        rlimits = {"RLIMIT_AS": lim.memory_mb * 1024 * 1024,
                   "RLIMIT_FSIZE": lim.file_mb * 1024 * 1024,
                   "RLIMIT_NOFILE": 256,
                   "RLIMIT_CORE": 0,
                   "RLIMIT_CPU": int(lim.notebook_timeout * 2) + 10}
        uid = None
        if os.getuid() == 0 and self.bwrap:
            uid = _sandbox_uid(self.uid)
            self.uids.add(uid)
        cfg = {"output_bytes": lim.output_bytes, "rlimits": rlimits, "uid": uid,
               "nice": lim.nice, "nproc": lim.nproc if uid or os.getuid() != 0 else None,
               "seed": self.seed}
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
        if self._own is not None:
            self._own.close()
            self._own = None

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
        return KernelCrashed(fault or (alive if alive and code is None else _describe_exit(code)))

    def _timed_out(self, what: str) -> KernelFault:
        fault = self.watchdog.fault if self.watchdog is not None else ""
        self.stop()
        return KernelCrashed(fault) if fault else KernelTimeout(what)

    def _receive(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        header = self._read(8, deadline)
        size = struct.unpack(">Q", header)[0]
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
            raise KernelCrashed(f"the kernel sent a garbled reply ({type(exc).__name__})")
        if not isinstance(msg, dict):
            self.stop()
            raise KernelCrashed("the kernel sent a garbled reply")
        return msg

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
                raise self._died("the kernel closed its request pipe")
            view = view[n:]

    def request(self, msg: dict, timeout: float) -> dict:
        if self.proc is None:
            raise KernelCrashed("the kernel is not running")
        payload = wire.dumps(msg)
        deadline = time.monotonic() + timeout
        self._write(struct.pack(">Q", len(payload)) + payload, deadline)
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
        self._write(struct.pack(">Q", len(payload)) + payload, deadline)
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
