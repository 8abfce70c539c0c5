"""The file system, namespaces and environment a kernel sees: bubblewrap's options.

With bubblewrap a kernel runs in its own mount, PID, network, IPC and UTS namespaces,
and sees a small file system built for it:

- the system's /usr (and /bin, /lib links) read-only; the interpreter; a virtual
  environment at /opt/venv whose site-packages holds the student package and its
  dependencies, nothing of the grader, no `etc/jupyter` or other configuration; a
  minimal /etc (passwd, group, hostname, hosts); a private /proc (its own PID
  namespace). Nothing else of the host: no /root, /home, /work, no course directory,
  gradebook, solutions, hidden checks, reference package or other students' notebooks;
- writable: only /scratch (working directory and HOME) and /tmp, each a tmpfs of
  `disk_mb`; the root, /etc, /dev and everything else is read-only, with or without
  root;
- no network at all (only a loopback device of its own);
- the seccomp filter of `seccomp`;
- bubblewrap reads its own options from file descriptors (`--args`, `--ro-bind-data`,
  `--seccomp`), so the kernel's command line (`/proc/1/cmdline`) holds no host path.
"""
from __future__ import annotations

import os
import platform
import sys
import tempfile
from pathlib import Path

import betternets

from ..limits import Limits
from . import seccomp

VENV = "/opt/venv"               # where the kernel's environment appears in the sandbox


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
        try:
            o += ["--seccomp", str(self._fd(seccomp.program()))]
        except (ImportError, OSError) as exc:   # pyseccomp, or Debian's libseccomp2, missing
            raise OSError(f"the seccomp filter cannot be built ({exc})") from None
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


