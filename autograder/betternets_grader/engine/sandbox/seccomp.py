"""The sandbox's seccomp filter, built with libseccomp (through `pyseccomp`).

bubblewrap loads it into the kernel's sandbox (`--seccomp FD`: the classic BPF program
libseccomp exports). Refused, with every other system call allowed:

- `setsid` (EPERM): a kernel's processes stay in its session, one scheduler group
  (each session would otherwise get as much CPU as a whole kernel);
- `clone` and `unshare` with CLONE_NEWUSER (EPERM): no process gets the capabilities
  to mount an unbounded tmpfs;
- System V shared memory, semaphores and message queues and POSIX message queues
  (`shmget`, `semget`, `msgget`, `mq_open`: EPERM): the kernels of one template share
  its IPC namespace, and such an object would outlive the submission that made it;
- the kernel keyrings (`add_key`, `request_key`, `keyctl`: EPERM): a key lives in its
  user's keyring, outside every process, after the kernel that stored it; the next
  kernel of the same user id would read it;
- memory that no process maps, which the watchdog (which measures processes) would not
  see: `memfd_create` (an unbounded file in memory, held by a descriptor),
  `memfd_secret`, and every `socket` and `socketpair` (the bytes queued in a socket
  nobody reads belong to no process; a socket also carries descriptors in flight).
  Nothing the kernels run needs them: the grader talks to a kernel over pipes, numpy,
  scipy, matplotlib and IPython make no socket or memfd (the engine tests run them all
  under this filter); a pipe's buffer is bounded by Linux per user
  (`fs.pipe-user-pages-soft`, 64 MB, beyond which a new pipe holds 8 kB) and a kernel's
  user id is its own (`probe.UidLease`);
- `bpf`, `io_uring_setup` (EPERM): maps and rings of kernel memory, and a way around
  the rules above;
- `clone3` (ENOSYS): its flags lie in memory, where seccomp cannot look, and libc
  falls back to `clone`, whose flags it can;
- every system call of another architecture's ABI (32-bit, x32: EPERM, libseccomp's
  bad-architecture action).

libseccomp knows each architecture's system call numbers, so nothing here names one
(the filter was hand-assembled BPF with hard-coded numbers for x86_64 and aarch64).
Cost, measured on this project's 2-core machine: importing pyseccomp (and loading
libseccomp) 14.5 ms once per grading process, then 0.03 ms (median of 50) to build and
export the program, once per template kernel, not per kernel (`import time; import
pyseccomp` and `program()` timed with `time.perf_counter`).
`tests/engine/test_seccomp.py` loads the program in a child process and tries each call.
"""
from __future__ import annotations

import errno
import os

CLONE_NEWUSER = 0x10000000
REFUSED = ("setsid", "shmget", "semget", "msgget", "mq_open",   # EPERM, whatever the arguments
           "add_key", "request_key", "keyctl",
           "memfd_create", "memfd_secret", "socket", "socketpair", "bpf", "io_uring_setup")
NO_NEW_USER = ("clone", "unshare")                               # EPERM with CLONE_NEWUSER
ABSENT = ("clone3",)                                             # ENOSYS


def program() -> bytes:
    """The filter as a classic BPF program (what bubblewrap's `--seccomp` reads)."""
    import pyseccomp as sc   # ctypes over libseccomp.so.2 (Debian's libseccomp2)
    flt = sc.SyscallFilter(sc.ALLOW)
    flt.set_attr(sc.Attr.ACT_BADARCH, sc.ERRNO(errno.EPERM))
    for name in REFUSED:
        flt.add_rule(sc.ERRNO(errno.EPERM), name)
    for name in NO_NEW_USER:
        flt.add_rule(sc.ERRNO(errno.EPERM), name,
                     sc.Arg(0, sc.MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER))
    for name in ABSENT:
        flt.add_rule(sc.ERRNO(errno.ENOSYS), name)
    fd = os.memfd_create("betternets-seccomp")
    try:
        with open(fd, "w+b", closefd=False) as fh:
            flt.export_bpf(fh)
        os.lseek(fd, 0, os.SEEK_SET)
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
