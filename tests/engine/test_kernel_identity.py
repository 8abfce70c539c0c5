"""No shared identity between kernels: nothing one kernel stores under its user id
reaches another kernel (issue 23).

A kernel may try to keep data outside its processes and files, in objects Linux keeps
per user or per namespace: the user keyring (`add_key` with KEY_SPEC_USER_KEYRING),
/dev/shm, an abstract unix socket, a POSIX message queue. Two cases:

- a writer kernel and a reader kernel graded one after the other by the same worker
  (forked by the same template, so with the same user id);
- two kernels running at the same time in one Dask worker process (two threads, two
  templates): each has a user id of its own (`probe.UidLease`).

The writer reports what it managed to store, the reader what it found; both must be
empty (the seccomp filter refuses keyrings, sockets and message queues; /dev/shm is
read-only).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from system import require

from betternets_grader.engine.kernel import Kernel, Limits, bwrap_path
from betternets_grader.engine.templates import close_templates, share_templates

MARK = "betternets-leak"


def syscall_numbers() -> dict[str, int]:
    """add_key's and keyctl's numbers here, from libseccomp (x86_64's without it)."""
    try:
        import pyseccomp
        return {n: pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, n)
                for n in ("add_key", "keyctl")}
    except (ImportError, OSError):
        return {"add_key": 248, "keyctl": 250}


def writer_code(nr: dict[str, int]) -> str:
    """A cell that stores MARK in every per-user or per-namespace object it can reach and
    prints what it stored (and the errno of add_key)."""
    return f"""
import ctypes, json, os, socket
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_stored, _held = [], []
ctypes.set_errno(0)
_key = _libc.syscall(ctypes.c_long({nr['add_key']}), b"user", b"{MARK}", b"hidden-input",
                     ctypes.c_long(12), ctypes.c_long(-4))        # KEY_SPEC_USER_KEYRING
_key_errno = ctypes.get_errno()
if _key >= 0:
    _stored.append("keyring")
try:
    with open("/dev/shm/{MARK}", "w") as _fh:
        _fh.write("hidden-input")
    _stored.append("shm")
except OSError:
    pass
try:
    _s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    _s.bind("\\0{MARK}")
    _held.append(_s)
    _stored.append("abstract socket")
except OSError:
    pass
if _libc.mq_open(b"/{MARK}", 0o100 | 2, 0o600, None) >= 0:
    _stored.append("mqueue")
print(json.dumps({{"uid": os.getuid(), "stored": _stored, "add_key_errno": _key_errno}}))
"""


def reader_code(nr: dict[str, int]) -> str:
    """A cell that looks for MARK where the writer put it and prints what it found."""
    return f"""
import ctypes, json, os, socket
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_found = []
if _libc.syscall(ctypes.c_long({nr['keyctl']}), ctypes.c_long(10), ctypes.c_long(-4),
                 b"user", b"{MARK}", ctypes.c_long(0)) >= 0:   # KEYCTL_SEARCH
    _found.append("keyring")
if os.path.exists("/dev/shm/{MARK}"):
    _found.append("shm")
try:
    _c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    _c.connect("\\0{MARK}")
    _found.append("abstract socket")
except OSError:
    pass
if _libc.mq_open(b"/{MARK}", 0) >= 0:
    _found.append("mqueue")
print(json.dumps({{"uid": os.getuid(), "found": _found}}))
"""


def _cell(kernel: Kernel, code: str) -> dict:
    reply = kernel.run(code)
    assert reply.get("ok"), reply
    return json.loads(reply["out"].strip().splitlines()[-1])


def _sandboxed() -> None:
    if not bwrap_path():
        require("bubblewrap", "the sandbox's seccomp filter and user ids", works=False)
    require("libseccomp2", "the system call numbers of the test")


def test_a_writer_kernel_leaves_nothing_for_the_next_kernel_of_its_worker():
    _sandboxed()
    nr = syscall_numbers()
    share_templates()
    try:
        with Kernel(Limits(timeout=30), sandbox=True) as writer:
            writer.start()
            wrote = _cell(writer, writer_code(nr))
            template = writer.template
        with Kernel(Limits(timeout=30), sandbox=True) as reader:
            reader.start()
            assert reader.template is template, "not the same worker's template"
            read = _cell(reader, reader_code(nr))
    finally:
        close_templates()
    assert wrote["uid"] == read["uid"]          # the case of the attack: one user id
    assert wrote["stored"] == [], wrote
    assert wrote["add_key_errno"] == 1, wrote   # EPERM: the filter, not a missing feature
    assert read["found"] == [], read


def hold_a_kernel(folder: str, me: int, nr: dict[str, int]) -> dict:
    """On a Dask worker: a kernel that writes, waits until the other task's kernel has
    written too (both alive at once), then reads."""
    from betternets_grader.engine.kernel import Kernel, Limits
    from betternets_grader.engine.templates import share_templates
    share_templates()
    with Kernel(Limits(timeout=60), sandbox=True) as k:
        k.start()
        wrote = _cell(k, writer_code(nr))
        Path(folder, f"wrote-{me}").write_text(json.dumps(wrote))
        deadline = time.monotonic() + 300
        while not Path(folder, f"wrote-{1 - me}").exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the other kernel never started")
            time.sleep(0.05)
        read = _cell(k, reader_code(nr))
        Path(folder, f"read-{me}").write_text("")
        while not Path(folder, f"read-{1 - me}").exists():   # both still alive
            if time.monotonic() > deadline:
                raise TimeoutError("the other kernel never read")
            time.sleep(0.05)
        return {"wrote": wrote, "read": read, "uids": sorted(k.uids), "pid": os.getpid()}


@pytest.mark.slow
def test_two_kernels_at_once_on_one_dask_worker_share_nothing(tmp_path):
    _sandboxed()
    import cloudpickle
    import distributed
    import sys
    nr = syscall_numbers()
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster, \
            distributed.Client(cluster) as client:
        futures = [client.submit(hold_a_kernel, str(tmp_path), me, nr, pure=False)
                   for me in (0, 1)]
        got = client.gather(futures, errors="raise")
    assert got[0]["pid"] == got[1]["pid"], "not one worker process"
    for one in got:
        assert one["wrote"]["stored"] == [] and one["read"]["found"] == [], one
    if os.getuid() == 0:   # a root grader: each kernel has a user id of its own
        assert got[0]["wrote"]["uid"] != got[1]["wrote"]["uid"], got
