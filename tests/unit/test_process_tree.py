"""The one walker and killer of a process tree (`betternets.kernel.process`), used by the
template's sweep in the sandbox and by the grader's watchdog and template client."""
from __future__ import annotations

import subprocess
import sys
import time

from betternets.kernel import process

# a child that starts a grandchild, which starts a great-grandchild; each prints its pid
TREE = r"""
import os, sys, time
for depth in range(2):
    if os.fork():
        break
os.write(1, f"{os.getpid()}\n".encode())   # one write: lines never interleave
time.sleep(120)
"""


def _tree():
    proc = subprocess.Popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE, text=True)
    try:
        pids = {int(proc.stdout.readline()) for _ in range(3)}
    except BaseException:
        process.kill_tree(proc.pid)
        proc.wait(10)
        raise
    return proc, pids


def _alive(pid: int) -> bool:
    state = process._state(pid)
    return state is not None and state[1] not in "ZX"


def test_descendants_finds_the_whole_tree_both_ways(monkeypatch):
    proc, pids = _tree()
    try:
        below = pids - {proc.pid}
        assert len(below) == 2 and proc.pid in pids
        assert set(process.descendants(proc.pid)) == below
        monkeypatch.setattr(process, "_children_lists", lambda: False)   # /proc/PID/stat links
        assert set(process.descendants(proc.pid)) == below
    finally:
        process.kill_tree(proc.pid)
        proc.wait(10)


def test_kill_tree_kills_everything_below_but_the_spared():
    proc, pids = _tree()
    below = sorted(pids - {proc.pid})
    spared = below[0]
    assert process.kill_tree(proc.pid, with_root=False, spare=spared)
    deadline = time.monotonic() + 10
    while _alive(below[1]) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _alive(below[1]) and _alive(spared) and proc.poll() is None
    assert process.kill_tree(proc.pid)
    assert proc.wait(10) < 0
    while _alive(spared) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _alive(spared)
