"""A limit a kernel cannot set on itself is said to the grader, never swallowed.

`betternets.kernel.process.apply_limits` returns each limit that did not apply; the
kernel names them in its first reply and `Kernel.start` keeps them
(`Kernel.unapplied`) and logs a warning. An RLIMIT_NOFILE of 2**40 fails everywhere:
above the system's fs.nr_open even for root, above the hard limit otherwise.
"""
from __future__ import annotations

import json
import logging
import subprocess
import sys

from betternets_grader.engine.kernel import Kernel
from betternets_grader.engine.limits import Limits

IMPOSSIBLE = 1 << 40


def test_apply_limits_returns_each_limit_that_did_not_apply():
    code = ("import json, resource\n"
            "from betternets.kernel.process import apply_limits\n"
            f"failed = apply_limits({{'nice': 1, 'rlimits': {{'RLIMIT_NOFILE': {IMPOSSIBLE},"
            " 'RLIMIT_CORE': 0, 'RLIMIT_NO_SUCH_THING': 5}})\n"
            "print(json.dumps([failed, resource.getrlimit(resource.RLIMIT_CORE)]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)   # a child of its own: the limits stay there
    assert done.returncode == 0, done.stderr[-2000:]
    failed, core = json.loads(done.stdout)
    assert [f.split(":")[0] for f in failed] == [f"RLIMIT_NOFILE {IMPOSSIBLE}",
                                                 "RLIMIT_NO_SUCH_THING 5"]
    assert core == [0, 0]   # the limits that can apply still do


class _Impossible(Limits):
    def rlimits(self) -> dict[str, int]:
        return dict(super().rlimits(), RLIMIT_NOFILE=IMPOSSIBLE)


def test_the_grader_keeps_and_logs_the_limits_a_kernel_could_not_set(caplog):
    caplog.set_level(logging.WARNING, logger="betternets_grader.engine.kernel")
    with Kernel(_Impossible(), sandbox=False) as kernel:
        kernel.start()
        assert [u.split(":")[0] for u in kernel.unapplied] == [f"RLIMIT_NOFILE {IMPOSSIBLE}"]
        assert kernel.run("x = 1")["ok"]     # the kernel still runs, with the others set
    assert any(f"RLIMIT_NOFILE {IMPOSSIBLE}" in r.getMessage() for r in caplog.records)
    with Kernel(Limits(), sandbox=False) as kernel:
        kernel.start()
        assert kernel.unapplied == []
