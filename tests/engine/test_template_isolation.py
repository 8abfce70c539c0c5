"""Kernels forked from one template kernel: nothing of a submission reaches the next.

A grading worker keeps one template kernel and forks every submission's kernel from it
(`engine.templates.Template`). Here one submission patches numpy and the student package,
fills caches, sets an environment variable and matplotlib's settings, leaves a thread and
a double-forked process running and files in scratch and /tmp; the next kernel forked from
the SAME template must see none of it, and an honest notebook graded after it by the same
worker keeps every point.
"""
from __future__ import annotations

import json

import psutil
import pytest
from system import require

from betternets_grader import answers
from betternets.checks.status import Status
from betternets_grader.engine.settings import Settings
from betternets_grader.engine.judge import submission_seed
from betternets_grader.engine.kernel import Kernel, Limits, bwrap_path
from betternets_grader.engine.templates import close_templates, share_templates
from betternets_grader.pool import run_local
from betternets_grader.samples import fill

from checkout import LECTURES, SOLUTIONS

NB = "00_gradient_checking"

ATTACK = """
import functools, linecache, os, sys, threading, time, types
import numpy, matplotlib
import betternets.checks.calls as calls
numpy.sum = lambda *a, **k: 42
numpy.linalg.norm = lambda *a, **k: 0.0
calls.execute = None
calls._planted_cache = list(range(1000))
sys.modules["planted"] = types.ModuleType("planted")
linecache.cache["planted.py"] = (1, None, ["x = 1\\n"], "planted.py")
functools.lru_cache(None)(numpy.asarray)
os.environ["PLANTED"] = "1"
matplotlib.rcParams["lines.linewidth"] = 99.0
threading.Thread(target=time.sleep, args=(120,), daemon=True, name="planted").start()
if os.fork() == 0:          # a double fork: the grandchild is an orphan
    if os.fork() == 0:
        time.sleep(120)
    os._exit(0)
open("planted.txt", "w").write("x")
if os.getcwd() == "/scratch":
    open("/tmp/planted.txt", "w").write("x")
print("planted")
"""

PROBE = """
import json, linecache, os, sys, threading
import numpy, matplotlib
import betternets.checks.calls as calls
seen = {"sum": int(numpy.sum([1, 2])), "norm": float(numpy.linalg.norm([3.0, 4.0])),
        "execute": calls.execute is not None, "cache": hasattr(calls, "_planted_cache"),
        "module": "planted" in sys.modules, "linecache": "planted.py" in linecache.cache,
        "env": os.environ.get("PLANTED"), "linewidth": matplotlib.rcParams["lines.linewidth"],
        "threads": [t.name for t in threading.enumerate()],
        "files": sorted(os.listdir(".")),
        "tmp": sorted(os.listdir("/tmp")) if os.getcwd() == "/scratch" else []}
print(json.dumps(seen))
"""

CLEAN = {"sum": 3, "norm": 5.0, "execute": True, "cache": False, "module": False,
         "linecache": False, "env": None}


def _modes():
    return [False, True]


def _others(kernel: Kernel) -> list:
    """Processes below the kernel's template other than the kernel and its own tree."""
    me = psutil.Process(kernel.proc.pid)
    mine = {me.pid} | {p.pid for p in me.children(recursive=True)}
    template = me.parent()
    return [(p.pid, p.name()) for p in template.children(recursive=True) if p.pid not in mine]


@pytest.mark.parametrize("sandbox", _modes(), ids=["unsandboxed", "sandboxed"])
def test_a_submission_changes_nothing_for_the_next(sandbox):
    if sandbox and not bwrap_path():
        require("bubblewrap", "the sandboxed template kernel", works=False)
    share_templates()
    try:
        first = Kernel(Limits(timeout=30), sandbox=sandbox)
        first.start()
        reply = first.run(ATTACK)
        assert reply.get("ok") and "planted" in reply["out"], reply
        planted = first.run("import numpy, threading\nprint(int(numpy.sum([1, 2])), "
                            "[t.name for t in threading.enumerate()])")
        assert planted["out"].startswith("42 ") and "'planted'" in planted["out"], planted
        template = first.template
        first.close()

        second = Kernel(Limits(timeout=30), sandbox=sandbox)
        second.start()
        assert second.template is template and template.alive, "not the same worker's template"
        reply = second.run(PROBE)
        assert reply.get("ok"), reply
        seen = json.loads(reply["out"])
        for key, value in CLEAN.items():
            assert seen[key] == value, (key, seen)
        assert seen["linewidth"] != 99.0 and "planted" not in seen["threads"], seen
        assert "planted.txt" not in seen["files"] and "planted.txt" not in seen["tmp"], seen
        assert _others(second) == []
        second.close()
    finally:
        close_templates()


def test_an_honest_notebook_after_an_attacker_keeps_every_point():
    """The worker path (`pool.run_local`, one worker): the attacker's notebook is graded
    first, then an honest one, by the same template kernel."""
    lecture = answers.load(LECTURES / f"{NB}.ipynb")
    sol = answers.answer_sources(answers.load(SOLUTIONS / f"{NB}.ipynb"))
    attacker = dict(sol, numerical_gradient=ATTACK + sol["numerical_gradient"])
    source, release = (SOLUTIONS / f"{NB}.ipynb").read_text(), (LECTURES / f"{NB}.ipynb").read_text()
    units = [{"student": s, "assignment": NB, "data": json.dumps(fill(lecture, cells)),
              "source": source, "release": release, "key": s}
             for s, cells in (("mallory", attacker), ("alice", sol))]
    results = {r.student: r for r in run_local(units, Settings(timeout=20.0), jobs=1)}
    honest = results["alice"].cells
    assert honest and all(c.status == Status.PASSED and c.score == c.max_score
                          for c in honest), honest


def test_kernels_of_one_template_draw_different_random_numbers():
    """As fresh interpreters do: a fork does not hand every kernel the template's seeds."""
    share_templates()
    try:
        draws = []
        for _ in range(2):
            with Kernel(Limits(timeout=30), sandbox=False) as k:
                k.start()
                draws.append(k.run("import random, numpy\n"
                                   "print(random.random(), numpy.random.random())")["out"])
        assert draws[0] != draws[1]
    finally:
        close_templates()


def test_a_submission_s_seed_makes_its_global_draws_the_same_in_every_run():
    """The grader seeds each kernel from the submission's bytes (`submission_seed`): the
    same submission draws the same numbers in any run or worker, another one other numbers."""
    share_templates()
    try:
        def draws(seed):
            with Kernel(Limits(timeout=30), sandbox=False, seed=seed) as k:
                k.start()
                return k.run("import random, numpy\n"
                             "print(random.random(), numpy.random.random())")["out"]
        one, two = submission_seed(b'{"cells": []}'), submission_seed(b'{"cells": [] }')
        assert one != two
        assert draws(one) == draws(one) != draws(two)
    finally:
        close_templates()


def test_no_ipc_object_can_outlive_a_sandboxed_submission():
    """The kernels of one template share its IPC namespace: System V and POSIX message
    queue objects cannot be made at all (the seccomp filter)."""
    if not bwrap_path():
        require("bubblewrap", "the sandbox's seccomp filter", works=False)
    with Kernel(Limits(timeout=30), sandbox=True) as k:
        k.start()
        reply = k.run("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                      "got = [libc.shmget(4242, 4096, 0o1666), libc.semget(4242, 1, 0o1666),\n"
                      "       libc.msgget(4242, 0o1666), libc.mq_open(b'/q', 0o100 | 2, 0o666, None)]\n"
                      "print(got, ctypes.get_errno())")
        assert reply.get("ok"), reply
        assert reply["out"].strip() == f"[-1, -1, -1, -1] {1}", reply["out"]
