"""What a kernel process does to itself, and the one walker and killer of a process tree.

Runs in the sandbox (the template and every kernel it forks) and, for `descendants`
and `kill_tree`, in the grader too (its watchdog follows a kernel's tree, and a template
that fails is killed with everything below it).

- `apply_limits`: nice, rlimits, the sandbox user id and RLIMIT_NPROC, before any
  student code. A limit that does not apply is returned, never swallowed: the kernel
  says so in its first reply and the grader logs it.
  A user id that cannot be taken is an error (the kernel does not start).
- `reseed`: the global generators' seeds of a forked kernel.
- `new_shell`: the IPython shell that runs the cells.
- `descendants`, `kill_tree`: processes below a pid, from Linux's /proc.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 1, 4, 36

_libc = ctypes.CDLL(None, use_errno=True)


def prctl(option: int, value: int) -> None:
    _libc.prctl(option, ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0),
                ctypes.c_ulong(0))


def become_user(uid: int | None) -> None:
    """Take user and group id `uid`, dropping every supplementary group (only as root)."""
    if uid is not None and os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)


def apply_limits(cfg: dict) -> list[str]:
    """nice, rlimits, the sandbox user id and RLIMIT_NPROC, before any student code; the
    limits that did not apply, each as "NAME VALUE: why" (empty when all did)."""
    import resource
    failed: list[str] = []
    nice = int(cfg.get("nice") or 0)
    try:
        os.nice(nice)   # inherited by every child; cannot be undone
    except OSError as exc:
        failed.append(f"nice {nice}: {exc.strerror or exc}")

    def setrlimit(name: str, value: int) -> None:
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
        except (AttributeError, ValueError, OSError) as exc:
            failed.append(f"{name} {value}: {getattr(exc, 'strerror', None) or exc}")

    for name, value in cfg.get("rlimits", {}).items():
        setrlimit(str(name), int(value))
    become_user(cfg.get("uid"))
    if cfg.get("nproc"):
        setrlimit("RLIMIT_NPROC", int(cfg["nproc"]))
    return failed


def reseed(seed: int | None = None) -> None:
    """Seeds for `random` and numpy's global generator: `seed` (the grader's, one per
    submission, so that a submission drawing from them is judged the same in every run),
    else fresh ones as a new interpreter has (a fork would otherwise give every kernel
    the template's)."""
    import random
    random.seed(seed)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(None if seed is None else seed % 2 ** 32)


def new_shell():
    """The IPython shell that runs the cells, without a history database: cells run with
    store_history=False, and the history's SQLite file and its saving thread would only
    cost time. The template makes it before it forks (`forkserver.Template.loop`), so
    that every kernel inherits it made and unused (30 ms a kernel less)."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config
    if InteractiveShell.initialized():
        return InteractiveShell.instance()
    config = Config()
    config.HistoryManager.enabled = False
    return InteractiveShell.instance(config=config)


def thread_count() -> int:
    return len(os.listdir("/proc/self/task"))


# ---------------------------------------------------------------- the process tree

def _state(pid: int) -> tuple[int, str] | None:
    """(parent pid, state letter) of `pid`, None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return int(fields[1]), fields[0].decode("ascii", "replace")
    except (OSError, IndexError, ValueError):
        return None


def _children_lists() -> bool:
    return os.path.exists(f"/proc/{os.getpid()}/task/{threading.get_native_id()}/children")


def descendants(root: int, living: bool = False) -> list[int]:
    """Every process below `root` (not `root` itself); with `living`, zombies left out.

    From Linux's /proc/PID/task/TID/children lists, which name only the tree (psutil's
    `children(recursive=True)` reads every process of the machine, 1.6 ms a look); where
    the kernel keeps no such lists, from every process's parent link in /proc/PID/stat.
    """
    if _children_lists():
        found, todo = [], [root]
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
    else:
        links = {int(n): _state(int(n)) for n in os.listdir("/proc") if n.isdigit()}
        below, found, grew = {root}, [], True
        while grew:
            grew = False
            for pid, link in links.items():
                if link is not None and link[0] in below and pid not in below:
                    below.add(pid)
                    found.append(pid)
                    grew = True
    if living:
        found = [pid for pid in found if (_state(pid) or (0, "Z"))[1] not in "ZX"]
    return found


def kill_tree(root: int, with_root: bool = True, spare: int | None = None,
              rounds: int = 100) -> bool:
    """SIGKILL every living process below `root` but `spare` (and `root`, once, with
    `with_root`), again until none is left (a process may fork while its tree is
    killed), at most `rounds` looks, 5 ms apart from the third on. True when nothing is
    left below `root`. (Once `root` is gone its tree cannot be walked: what it left is
    its subreaper's.)"""
    for look in range(rounds):
        victims = [p for p in descendants(root, living=True) if p != spare]
        if with_root and look == 0:
            victims.append(root)
        if not victims:
            return True
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if look:
            time.sleep(0.005)
    return False
