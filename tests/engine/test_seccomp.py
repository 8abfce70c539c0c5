"""The sandbox's seccomp filter, loaded into a plain child process (no bubblewrap needed).

The child installs the program the grader hands bubblewrap (`--seccomp FD`) with
prctl(PR_SET_SECCOMP) and tries each system call; the numbers come from libseccomp
(`pyseccomp.resolve_syscall`), not from this file.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from system import require

CHILD = r"""
import ctypes, errno, json, os, sys
import pyseccomp

program = os.read(int(sys.argv[1]), 1 << 16)
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


nr = lambda name: pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name)
assert libc.prctl(38, 1, 0, 0, 0) == 0                        # PR_SET_NO_NEW_PRIVS
fprog = SockFprog(len(program) // 8, program)
assert libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0, ctypes.get_errno()   # SECCOMP_MODE_FILTER


def attempt(number, *args):
    ctypes.set_errno(0)
    ret = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(a) for a in args])
    if ret == 0 and number == nr("clone"):
        os._exit(0)                                           # a child was made: leave
    return "ok" if ret >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")


CLONE_NEWUSER, SIGCHLD = 0x10000000, 17
pid = os.fork()                                               # a plain fork still works
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
out = {"getpid": attempt(nr("getpid")),
       "setsid": attempt(nr("setsid")),
       "clone(CLONE_NEWUSER)": attempt(nr("clone"), CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0),
       "unshare(0)": attempt(nr("unshare"), 0),
       "unshare(CLONE_NEWUSER)": attempt(nr("unshare"), CLONE_NEWUSER),
       "clone3": attempt(nr("clone3"), 0, 0),
       "mq_open": attempt(nr("mq_open"), 0, 0, 0, 0),
       # keyrings: KEY_SPEC_USER_KEYRING is -4; the key type and description are NULL
       "add_key": attempt(nr("add_key"), 0, 0, 0, 0, -4),
       "request_key": attempt(nr("request_key"), 0, 0, 0, 0),
       "keyctl(GET_KEYRING_ID)": attempt(nr("keyctl"), 0, -4, 0),
       # memory no process maps: memfd, sockets (AF_UNIX 1, AF_INET 2; SOCK_STREAM 1)
       "memfd_create": attempt(nr("memfd_create"), 0, 0),
       "memfd_secret": attempt(nr("memfd_secret"), 0),
       "socket(AF_UNIX)": attempt(nr("socket"), 1, 1, 0),
       "socket(AF_INET)": attempt(nr("socket"), 2, 1, 0),
       "socketpair(AF_UNIX)": attempt(nr("socketpair"), 1, 1, 0, 0),
       "bpf": attempt(nr("bpf"), 0, 0, 0),
       "io_uring_setup": attempt(nr("io_uring_setup"), 1, 0)}
# IPC objects with IPC_PRIVATE, each removed at once should the filter let it be made
for name, args, remove in (("shmget", (0, 4096, 0o600), lambda i: libc.shmctl(i, 0, None)),
                           ("semget", (0, 1, 0o600), lambda i: libc.semctl(i, 0, 0)),
                           ("msgget", (0, 0o600), lambda i: libc.msgctl(i, 0, None))):
    ctypes.set_errno(0)
    made = libc.syscall(ctypes.c_long(nr(name)), *[ctypes.c_long(a) for a in args])
    if made >= 0:
        remove(made)
    out[name] = "ok" if made >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
if os.uname().machine == "x86_64":
    out["x32 getpid"] = attempt(0x40000000 | nr("getpid"))
print(json.dumps(out))
"""


def refused_under(program: bytes) -> dict[str, str]:
    """What each system call of CHILD gives in a process that runs under `program`."""
    r, w = os.pipe()
    os.write(w, program)
    os.close(w)
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(r)], pass_fds=(r,),
                              capture_output=True, text=True, timeout=60, check=False)
    finally:
        os.close(r)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_the_filter_refuses_what_the_sandbox_must_not_do():
    require("libseccomp2", "the sandbox's seccomp filter")
    from betternets_grader.engine.sandbox.seccomp import program
    got = refused_under(program())
    assert got.pop("getpid") == "ok" and got.pop("unshare(0)") == "ok"
    expected = {name: "EPERM" for name in got}
    expected["clone3"] = "ENOSYS"    # its flags cannot be inspected: libc falls back to clone
    assert got == expected
