"""The watchdog: a thread in the grader that follows a kernel's whole process tree.

It kills the tree when the processes together hold more than `memory_mb`
(proportional set size where it matters, so that pages shared after a fork count
once), when they keep more than `cpu_cores` busy or exceed their CPU-time budget, and,
without the sandbox, when the scratch folder outgrows `disk_mb`; `fault` says why.
The tree is walked and killed by `betternets.kernel.process` (the template's sweep uses
the same walker and killer); psutil measures it.
"""
from __future__ import annotations

import collections
import os
import stat
import threading
import time
from pathlib import Path

import psutil

from betternets.kernel.process import descendants, kill_tree

from .limits import Limits


def folder_size(path: Path, cap_entries: int = 100_000) -> int:
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
        """The kernel and every process below it, as psutil processes: the same objects
        from one look to the next, so that a reused pid is noticed."""
        procs = {}
        for pid in [self.pid, *descendants(self.pid)]:
            try:
                procs[pid] = self._procs.get(pid) or psutil.Process(pid)
            except psutil.Error:   # gone since the walk: only the kernel's own end matters
                if pid == self.pid:
                    return []
        self._procs = procs
        return list(procs.values())

    def kill(self) -> None:
        """The kernel and its whole tree killed (`betternets.kernel.process.kill_tree`)."""
        kill_tree(self.pid)

    def _measure(self, procs) -> tuple[float, float]:
        """MB of memory and CPU seconds of the tree. Memory is the resident size, and the
        proportional size (PSS: pages shared with the template kernel counted in part) only
        where the resident size is over the limit: RSS >= PSS, so a tree under the limit by
        RSS is under it by PSS, and PSS costs 5 ms a process to read, RSS 0.05 ms."""
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
                    folder_size(self.scratch) > lim.disk_mb * 2 ** 20:
                fault = f"the kernel wrote more than {lim.disk_mb} MB to its scratch folder"
            if fault:
                self.fault = fault
                self.kill()
                return
