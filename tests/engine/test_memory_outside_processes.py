"""Memory that no process maps stays within `--memory` (issue 23).

The watchdog measures a kernel's processes; memory held outside them would escape it:
memfd files held by a descriptor, socket buffers nobody reads, pipe buffers. Under
`memory_mb=512` a kernel tries each and reports the bytes it holds; they, plus the
kernel's own processes as psutil measures them, stay under 512 MB.
"""
from __future__ import annotations

import json

import psutil
from system import require

from betternets.kernel.process import descendants
from betternets_grader.engine.kernel import Kernel, Limits, bwrap_path

HOLD = """
import errno, fcntl, json, os, socket
_PIPES = globals().get("_PIPES", 1 << 20)   # pipes to fill: all that the descriptors allow
_held = {"memfd": 0, "socket": 0, "pipe": 0}
_keep = []
for _ in range(40):                       # 40 memfd files of 63 MB: 2.5 GB
    try:
        _fd = os.memfd_create("hold")
        os.ftruncate(_fd, 63 << 20)
        os.write(_fd, b"x" * (1 << 20))
        _keep.append(_fd)
        _held["memfd"] += os.fstat(_fd).st_blocks * 512
    except OSError:
        break
for _ in range(50):                       # socket pairs filled and never read
    try:
        _a, _b = socket.socketpair()
    except OSError:
        break
    _a.setblocking(False)
    _keep += [_a, _b]
    try:
        while True:
            _held["socket"] += _a.send(b"x" * 65536)
    except (BlockingIOError, OSError):
        pass
_chunk = b"x" * 65536
for _ in range(_PIPES):                   # pipes, each widened to the most allowed, filled
    try:
        _r, _w = os.pipe()
    except OSError:
        break
    _keep += [_r, _w]
    try:
        fcntl.fcntl(_w, 1031, 1 << 20)    # F_SETPIPE_SZ
    except OSError:
        pass
    os.set_blocking(_w, False)
    try:
        while True:
            _held["pipe"] += os.write(_w, _chunk)
    except (BlockingIOError, OSError):
        pass
print(json.dumps(_held))
"""


def _tree_mb(pid: int) -> float:
    total = 0
    for p in [pid, *descendants(pid)]:
        try:
            total += psutil.Process(p).memory_info().rss
        except psutil.Error:
            pass
    return total / 2 ** 20


def test_memfd_sockets_and_pipes_hold_no_memory_beyond_the_limit():
    if not bwrap_path():
        require("bubblewrap", "the sandbox's seccomp filter", works=False)
    limit = 512
    with Kernel(Limits(timeout=120, memory_mb=limit), sandbox=True) as k:
        k.start()
        reply = k.run(HOLD)
        assert reply.get("ok"), reply
        held = json.loads(reply["out"].strip().splitlines()[-1])
        processes = _tree_mb(k.proc.pid)
    assert held["memfd"] == 0 and held["socket"] == 0, held   # refused by the filter
    outside = sum(held.values()) / 2 ** 20
    assert outside + processes < limit, (held, processes)
