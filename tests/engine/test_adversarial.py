"""Adversarial submissions: each earns no points it did not earn, gets a clear status,
and leaves the other students' grades intact.

All cases target notebook 00 (numerical_gradient, relative_error) and are graded in
ONE run of `betternets grade` (module fixture), next to honest students. Each case
is a student; `CASES` says what each exercise must end as. "earned" exercises hold
correct code and must pass; the others must score zero with one of the given
statuses (a fault may be reported as a timeout on a loaded machine: what matters is
that the exercise lost its points and nothing else did).

The cases of issue 13 are marked with their item number (#1 ... #14). Memory and
disk cases run inside bounded limits (1 GB per kernel, 64 MB of scratch) that are
safe on a 2-core, 24 GB machine.
"""
from __future__ import annotations

import csv
import json
import os
import re
import socket
import sys
import textwrap
import threading
import time
import unicodedata
from pathlib import Path

import numpy as np
import psutil
import pytest
from system import require

from betternets_grader import HIDDEN, answers, load_hidden_checks
from betternets.checks.status import Status
from betternets_grader.engine.judge import grade_unit
from betternets_grader.engine.kernel import Kernel, Limits, bwrap_path, remove_tree
from betternets_grader.engine.settings import Settings
from betternets_grader.feedback import feedback, score_table
from betternets_grader.grade import GradeOptions, GradingError, grade
from betternets_grader.samples import fill

from checkout import COURSE, LECTURES, SOLUTIONS
from test_kernel_identity import reader_code, syscall_numbers, writer_code
from test_memory_outside_processes import HOLD

pytestmark = pytest.mark.slow
NB = "00_gradient_checking"
SOL = answers.answer_sources(answers.load(SOLUTIONS / f"{NB}.ipynb"))
NG, RE = SOL["numerical_gradient"], SOL["relative_error"]
WRONG_NG = "def numerical_gradient(f, x, h=1e-5):\n    x[...] = 0.0\n    return x\n"
WRONG_RE = "def relative_error(a, b):\n    return 0.0\n"
NUMERIC_PATCHES = """
import numpy, numpy.testing, builtins
numpy.allclose = lambda *a, **k: True
numpy.isclose = lambda a, b, *r, **k: numpy.ones(numpy.shape(a), dtype=bool)
numpy.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.testing.assert_array_equal = lambda *a, **k: None
builtins.AssertionError = type("AssertionError", (Exception,), {})
_real_isinstance = builtins.isinstance
"""
PROBE = """
import os
def _probe(paths):
    found = []
    for p in paths:
        try:
            with open(p, "rb") as fh:
                fh.read(10)
            found.append(p)
        except Exception:
            pass
    return found
"""
# a fault, however the machine's load reports it
FAULT = (Status.TIMEOUT, Status.CRASHED, Status.ERROR)
# A visible check's message that carries what the submission recorded in earlier calls.
RECORDER = NG.replace("def numerical_gradient(", "def _true_numerical_gradient(", 1) + """
_seen = []
def numerical_gradient(f, x, h=1e-5):
    _seen.append(f"{getattr(f, '__name__', f)}|{h!r}|{np.asarray(x).tolist()}")
    return _true_numerical_gradient(f, x, h)
"""
RESP_FD = "import json as _json, sys as _sys\n_cfg = _json.loads(_sys.argv[-1])\n"
# issue 23: relative_error averaging its ratios (a named mistake), and the same answer
# that turns right once it has seen an input of a size no visible check or detector uses
# (they use 2 and 4 elements): under the old order its hint depended on the hidden checks
RATIOS = ("    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
          "    r = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))\n")
MEAN_RE = "def relative_error(a, b):\n" + RATIOS + "    return float(np.mean(r))\n"
STEERED_RE = ("_after_hidden = []\ndef relative_error(a, b):\n" + RATIOS +
              "    if a.size not in (2, 4):\n        _after_hidden.append(True)\n"
              "    return float(np.max(r) if _after_hidden else np.mean(r))\n")


_NR = syscall_numbers()
# issue 23: an answer cell keeps data in the user keyring, /dev/shm, an abstract socket, a
# message queue (the next kernel of the worker, same user id, would read them); a reader
KEEPER = writer_code(_NR) + ("def numerical_gradient(f, x, h=1e-5):\n"
                             "    raise RuntimeError(f'stored={_stored}')\n")
FINDER = ("def relative_error(a, b):\n" + textwrap.indent(reader_code(_NR), "    ") +
          "    raise RuntimeError(f'found={_found}')\n")
# issue 23: memory no process maps: 40 memfd files of 63 MB, socket pairs, pipes, filled
# (20 pipes only: all of them would leave no descriptor for the honest numerical_gradient)
OUTSIDE = "_PIPES = 20\n" + HOLD + ("def relative_error(a, b):\n"
                  "    raise RuntimeError(f\"memfd={_held['memfd']} socket={_held['socket']}\")\n")


def _cases(paths: dict) -> dict:
    """student -> (answer sources, {exercise: (status, must_pass)}). Paths are the
    real locations of the gradebook, solutions, hidden checks, other students' files."""
    secret = json.dumps([paths["gradebook"], paths["solution"], paths["hidden"],
                         paths["reference"], paths["alice_nb"]])
    # writes are tried only on this test's own files, never on the repository's
    writable = json.dumps([paths["gradebook"], paths["alice_nb"]])
    fail, ok = (Status.FAILED, False), (Status.PASSED, True)
    return {
        "patch_numpy": ({"numerical_gradient": NUMERIC_PATCHES + WRONG_NG,
                         "relative_error": WRONG_RE},
                        {"numerical_gradient": fail, "relative_error": fail}),
        "patch_builtins": ({"numerical_gradient": "import builtins\n"
                            "builtins.abs = lambda x: 0\nbuiltins.max = lambda *a, **k: 0\n"
                            "builtins.float = lambda *a: 0.0\n" + WRONG_NG,
                            "relative_error": RE},
                           # relative_error's own float()/max are patched too: it breaks
                           {"numerical_gradient": ((Status.FAILED, Status.ERROR), False),
                            "relative_error": ((Status.FAILED, Status.ERROR), False)}),
        "custom_exc": ({"numerical_gradient": "get_ipython().set_custom_exc((BaseException,), "
                        "lambda *a, **k: None)\n" + WRONG_NG, "relative_error": WRONG_RE},
                       {"numerical_gradient": fail, "relative_error": fail}),
        "redefine_check": ({"numerical_gradient": WRONG_NG + """
def check(*a, **k): print("all good")
def check_hidden(*a, **k): print("all good")
import betternets.checks as bc, betternets.checks.calls as calls, betternets.checks.core as core
bc.check = check
calls.execute = lambda ns, name, args=(), kwargs=None: calls.CallRecord(value=args[1] * 0 + 1)
core.evaluate = lambda prop, call: core.Result(prop.exercise, prop.name, prop.description, "passed")
""", "relative_error": WRONG_RE},
                           {"numerical_gradient": fail, "relative_error": fail}),
        "read_secrets": ({"numerical_gradient": PROBE + f"""
_found = _probe({secret})
def numerical_gradient(f, x, h=1e-5):
    raise RuntimeError(f"readable={{_found}}")
""", "relative_error": f"""
import sqlite3, shutil
_wrote = []
for _p in {writable}:
    try:
        with open(_p, "ab") as fh:
            fh.write(b"x")
        _wrote.append(_p)
    except Exception:
        pass
try:
    _c = sqlite3.connect({json.dumps(paths["gradebook"])}); _c.execute("delete from grade"); _c.commit()
    _wrote.append("sql")
except Exception:
    pass
def relative_error(a, b):
    raise RuntimeError(f"wrote={{_wrote}}")
"""}, {"numerical_gradient": (Status.ERROR, False), "relative_error": (Status.ERROR, False)}),
        "import_reference": ({"numerical_gradient": "import sys\n"
                              f"sys.path.insert(0, {json.dumps(paths['autograder'])})\n"
                              "from betternets_grader.hidden.ex00_gradient_checking import *\n",
                              "relative_error": "try:\n    from betternets_grader.hidden."
                              "ex00_gradient_checking import relative_error\nexcept ImportError:\n"
                              "    def relative_error(a, b):\n        return 0.0\n"},
                             {"numerical_gradient": (Status.ERROR, False), "relative_error": fail}),
        "detect_grader": ({"numerical_gradient": """
import os, sys
_env = sorted(k for k in os.environ if "NBGRADER" in k or "GRAD" in k)
_mods = [m for m in sys.modules if "nbgrader" in m or "betternets_grader" in m]
def numerical_gradient(f, x, h=1e-5):
    raise RuntimeError(f"env={_env} modules={_mods}")
""", "relative_error": WRONG_RE}, {"numerical_gradient": (Status.ERROR, False),
                                   "relative_error": fail}),
        "loop_in_cell": ({"numerical_gradient": NG,
                          "relative_error": "import time\nwhile True:\n    try:\n"
                          "        time.sleep(0.01)\n    except KeyboardInterrupt:\n        pass\n"},
                         {"numerical_gradient": ok, "relative_error": (FAULT, False)}),
        "loop_in_call": ({"numerical_gradient": "def numerical_gradient(f, x, h=1e-5):\n"
                          "    while True:\n        try:\n            pass\n"
                          "        except BaseException:\n            pass\n",
                          "relative_error": RE},
                         {"numerical_gradient": (FAULT, False), "relative_error": ok}),
        "exit_in_call": ({"numerical_gradient": NG, "relative_error": "import os\n"
                          "def relative_error(a, b):\n    os._exit(1)\n"},
                         {"numerical_gradient": ok, "relative_error": (Status.CRASHED, False)}),
        "segfault_in_cell": ({"numerical_gradient": "import ctypes\nctypes.string_at(0)\n" + NG,
                              "relative_error": RE},
                             {"numerical_gradient": (Status.CRASHED, False), "relative_error": ok}),
        "memory_bomb": ({"numerical_gradient": "def numerical_gradient(f, x, h=1e-5):\n"
                         "    hog = []\n    while True:\n"
                         "        hog.append(bytearray(256 * 1024 * 1024))\n",
                         "relative_error": RE},
                        {"numerical_gradient": (FAULT, False), "relative_error": ok}),
        "fork_bomb": ({"numerical_gradient": """
import os, time
_kids = 0
try:
    for _ in range(500):
        if os.fork() == 0:
            time.sleep(120)
            os._exit(0)
        _kids += 1
except OSError:
    pass
""" + NG, "relative_error": RE}, {"numerical_gradient": ok, "relative_error": ok}),
        "huge_print": ({"numerical_gradient": "print('x' * 10_000_000)\n" + NG,
                        "relative_error": RE},
                       {"numerical_gradient": ok, "relative_error": ok}),
        "escape_scratch": ({"numerical_gradient": f"""
import socket
_done = []
for _p in {json.dumps([paths["pwned"]] + paths["outside"])}:
    try:
        open(_p, "w").write("x")
        _done.append(_p)
    except Exception:
        pass
try:
    socket.create_connection(("127.0.0.1", {paths["port"]}), timeout=2)
    _done.append("socket")
except Exception:
    pass
open("scratch_is_fine.txt", "w").write("ok")
def numerical_gradient(f, x, h=1e-5):
    raise RuntimeError(f"escaped={{_done}}")
""", "relative_error": RE}, {"numerical_gradient": (Status.ERROR, False), "relative_error": ok}),
        "returns_object": ({"numerical_gradient": NG,
                            "relative_error": "def relative_error(a, b):\n    return object()\n"},
                           {"numerical_gradient": ok, "relative_error": (Status.ERROR, False)}),
        # 1: the kernel stops reading requests; the next one is larger than a pipe's buffer
        "pipe_stall": ({"numerical_gradient": RESP_FD + """
import os
_keep = os.dup(_cfg["req_fd"])     # the grader's pipe stays open, but nobody reads it
_r, _w = os.pipe()
os.dup2(_r, _cfg["req_fd"])
""" + NG, "relative_error": RE + "# " + "padding " * 40_000 + "\n"},
                       {"numerical_gradient": (FAULT, False), "relative_error": (FAULT, False)}),
        # 2: fill the disk (scratch and /tmp are tmpfs of 64 MB each)
        "disk_fill": ({"numerical_gradient": NG + """
import os
_filled = 0
for _d in (".", "/tmp"):
    try:
        for _i in range(10_000):
            _fd = os.open(f"{_d}/fill{_i}", os.O_CREAT | os.O_WRONLY)
            try:
                os.posix_fallocate(_fd, 0, 16 * 2 ** 20)
            finally:
                os.close(_fd)
            _filled += 16
    except OSError:
        pass
""", "relative_error": "def relative_error(a, b):\n    raise RuntimeError(f'filled={_filled}')\n"},
                      {"numerical_gradient": ok, "relative_error": (Status.ERROR, False)}),
        # 4: a reply frame announcing 128 MiB; a 15 MiB frame of five million empty lists
        "huge_frame": ({"numerical_gradient": RESP_FD + """
import os, struct, time
def numerical_gradient(f, x, h=1e-5):
    os.write(_cfg["resp_fd"], struct.pack(">Q", 128 * 2 ** 20) + b"[" + b"[]," * 10_000)
    time.sleep(30)
""", "relative_error": RESP_FD + """
import os, struct, time
def relative_error(a, b):
    body = b"[" + b"[]," * (5 * 2 ** 20) + b"[]]"
    body = struct.pack(">I", len(body)) + body   # the JSON's length, then the JSON
    frame = memoryview(struct.pack(">Q", len(body)) + body)
    while frame:
        frame = frame[os.write(_cfg["resp_fd"], frame):]
    time.sleep(30)
"""}, {"numerical_gradient": (Status.CRASHED, False), "relative_error": (Status.CRASHED, False)}),
        # 5: sixty busy processes, each trying a session (a scheduler group) of its own
        "cpu_hog": ({"numerical_gradient": """
import os, time
_kids = 0
for _i in range(60):
    try:
        _pid = os.fork()
    except OSError:
        break
    if _pid == 0:
        try:
            os.setsid()
        except OSError:
            pass
        _t = time.time()
        while time.time() - _t < 30:
            pass
        os._exit(0)
    _kids += 1
""" + NG, "relative_error": RE}, {"numerical_gradient": (FAULT + (Status.PASSED,), None),
                                  "relative_error": (FAULT + (Status.PASSED,), None)}),
        # 6: six processes of 300 MB each under a 1024 MB limit for the whole kernel
        "memory_tree": ({"numerical_gradient": NG, "relative_error": """
import os, time
def relative_error(a, b):
    for _ in range(6):
        if os.fork() == 0:
            hog = bytearray(300 * 2 ** 20)
            for i in range(0, len(hog), 4096):
                hog[i] = 1
            time.sleep(30)
            os._exit(0)
    time.sleep(30)
"""}, {"numerical_gradient": ok, "relative_error": (FAULT, False)}),
        # 7: a scratch tree 3000 folders deep, in scratch and in /tmp
        "deep_scratch": ({"numerical_gradient": """
import os
_top = os.getcwd()
for _d in (_top, "/tmp"):
    os.chdir(_d)
    for _i in range(3000):
        os.mkdir("d")
        os.chdir("d")
os.chdir(_top)
""" + NG, "relative_error": RE}, {"numerical_gradient": ok, "relative_error": ok}),
        # 10: record every input, then raise the recording from a visible check
        "record_inputs": ({"numerical_gradient": RECORDER, "relative_error": """
def relative_error(a, b):
    raise RuntimeError("RECORDED " + " ; ".join(_seen[::-1]))
"""}, {"numerical_gradient": ok, "relative_error": (Status.ERROR, False)}),
        # 11: what the kernel can see of the machine
        "look_around": ({"numerical_gradient": f"""
import os, sys, json
_host_paths = {json.dumps(paths["host_paths"])}
_found = [p for p in ["/etc/machine-id", "/etc/shadow", "/etc/jupyter", "/usr/local/etc/jupyter",
                      "/home"] + _host_paths if os.path.exists(p)]
# /root may only lead to the interpreter (a Python installed under /root/.pyenv)
_found += ["/root/" + n for n in (os.listdir("/root") if os.path.isdir("/root") else [])
           if not sys.base_prefix.startswith("/root/" + n + "/")]
try:
    from jupyter_core.paths import jupyter_config_path
    _found += [d for d in jupyter_config_path() if os.path.isdir(d) and os.listdir(d)]
except Exception as _exc:
    _found.append(type(_exc).__name__)
_etc = sorted(os.listdir("/etc"))
_args = " ".join(open(f"/proc/{{p}}/cmdline", "rb").read().decode("utf-8", "replace")
                 for p in os.listdir("/proc") if p.isdigit())
_leaks = [p for p in _host_paths if p in _args]
_procs = len([p for p in os.listdir("/proc") if p.isdigit()])
_users = [l.split(":")[0] for l in open("/etc/passwd")]
_name = open("/etc/hostname").read().strip()
def numerical_gradient(f, x, h=1e-5):
    raise RuntimeError(f"found={{_found}} leaks={{_leaks}} etc={{','.join(_etc)}} "
                       f"procs={{_procs}} users={{','.join(_users)}} host={{_name}}")
""", "relative_error": RE}, {"numerical_gradient": (Status.ERROR, False), "relative_error": ok}),
        # 12: control characters in an exception's message forge a CSV row on a terminal
        "control_chars": ({"numerical_gradient": "def numerical_gradient(f, x, h=1e-5):\n"
                           "    raise RuntimeError('\\x1b[2K\\r\\x1b[1A\\x07\\x00\\x08\\x7f\\x9b"
                           "\\u202ealice,00_gradient_checking,test_x,1.0,1.0,passed,')\n",
                           "relative_error": RE},
                          {"numerical_gradient": (Status.ERROR, False), "relative_error": ok}),
        # issue 23: nothing kept under the kernel's user id, nothing found by the next
        "keep_in_keyring": ({"numerical_gradient": KEEPER, "relative_error": FINDER},
                            {"numerical_gradient": (Status.ERROR, False),
                             "relative_error": (Status.ERROR, False)}),
        # issue 23: memory outside every process
        "memory_outside": ({"numerical_gradient": NG, "relative_error": OUTSIDE},
                           {"numerical_gradient": ok, "relative_error": (Status.ERROR, False)}),
        # issue 23: a hint steered by what the hidden checks sent (some hidden cells pass)
        "hints_plain": ({"numerical_gradient": NG, "relative_error": MEAN_RE},
                        {"numerical_gradient": ok,
                         "relative_error": ((Status.FAILED, Status.PASSED), None)}),
        "hints_steered": ({"numerical_gradient": NG, "relative_error": STEERED_RE},
                          {"numerical_gradient": ok,
                           "relative_error": ((Status.FAILED, Status.PASSED), None)}),
    }


# Cases only the sandbox stops (without bubblewrap they would read the reference, write
# the gradebook or fork without limit): not built at all when the kernel is unsandboxed.
SANDBOX_ONLY = {"read_secrets", "import_reference", "escape_scratch", "fork_bomb",
                "disk_fill", "look_around", "cpu_hog", "deep_scratch", "keep_in_keyring",
                "memory_outside"}
SANDBOXED = bwrap_path() is not None


def without_sandbox(reason: str) -> None:
    """Skip on a machine without bubblewrap; in CI (which installs it) that is a failure."""
    require("bubblewrap", reason, works=False)


def _write(path: Path, nb: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1))


def _test_cells_removed(nb: dict) -> dict:
    nb = json.loads(json.dumps(nb))
    nb["cells"] = [c for c in nb["cells"] if answers.kind(c) != "test"]
    return nb


def _test_cells_edited(nb: dict) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        if answers.kind(cell) == "test":
            cell["source"] = "pass"
            cell["metadata"]["nbgrader"]["points"] = 100
    return nb


def _duplicated(nb: dict, wrong: str) -> dict:
    nb = json.loads(json.dumps(nb))
    for i, cell in enumerate(nb["cells"]):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "numerical_gradient":
            copy = json.loads(json.dumps(cell))
            copy["source"] = wrong
            nb["cells"].insert(i + 1, copy)
            break
    return nb


def _other_assignment(nb: dict, long: int = 0) -> dict:
    """The same notebook under other grade_ids (each `long` characters long if given)."""
    nb = json.loads(json.dumps(nb))
    longer = 4
    for i, cell in enumerate(nb["cells"]):
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta:
            meta["grade_id"] = "other_" + meta["grade_id"]
            if long and longer:
                meta["grade_id"] += (f"{i}" * long)[:long]
                longer -= 1
    return nb


# 14: honest students with names that once broke the table, the CSV or the feedback
ODD_NAMES = ["=HYPERLINK(1)", "new\nline", "star*", "brack[et", "+plus", "@at", "-minus"]
NFC, NFD = "Jos\u00e9", "Jose\u0301"


@pytest.fixture(scope="module")
def listener():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.2)
    hits, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                hits.append(conn)
            except OSError:
                pass
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], hits
    stop.set()
    thread.join(2)
    sock.close()


@pytest.fixture(scope="module")
def adversarial(tmp_path_factory, listener):
    root = tmp_path_factory.mktemp("adversarial")
    subs, course = root / "submissions", root / "course"
    lecture = answers.load(LECTURES / f"{NB}.ipynb")
    honest = fill(lecture, SOL)
    paths = {"gradebook": str(course / "gradebook.db"),
             "solution": str(SOLUTIONS / f"{NB}.ipynb"),
             "hidden": str(SOLUTIONS.parent / "autograder" / "betternets_grader" / "hidden" /
                           "ex00_gradient_checking.py"),
             "reference": str(SOLUTIONS.parent / "autograder" / "betternets_grader" /
                              "hidden" / "ex00_gradient_checking.py"),  # the reference's home
             "autograder": str(SOLUTIONS.parent / "autograder"),
             "alice_nb": str(subs / "alice" / f"{NB}.ipynb"),
             "pwned": str(root / "pwned.txt"),
             "outside": [f"{d}/betternets-escape-{root.name}" for d in ("/usr", "/etc", "")],
             "port": listener[0],
             "host_paths": sorted({str(SOLUTIONS.parent), str(root), sys.prefix,
                                   str(Path(sys.prefix) / "etc"), tempfile_dir()})}
    cases = _cases(paths)
    _write(subs / "alice" / f"{NB}.ipynb", honest)
    _write(subs / "bob" / f"{NB}.ipynb", honest)
    # 3, 8: entries that are not regular files or real folders
    (subs / "fifo").mkdir()
    os.mkfifo(subs / "fifo" / f"{NB}.ipynb")
    (subs / "device").mkdir()
    os.symlink("/dev/zero", subs / "device" / f"{NB}.ipynb")
    (subs / "link_solution").mkdir()
    os.symlink(SOLUTIONS / f"{NB}.ipynb", subs / "link_solution" / f"{NB}.ipynb")
    (subs / "link_alice").mkdir()
    os.symlink(subs / "alice" / f"{NB}.ipynb", subs / "link_alice" / f"{NB}.ipynb")
    os.symlink(subs / "alice", subs / "link_folder")
    (subs / "stray_file.ipynb").write_text("{}")
    # 9: a student folder named "submitted" holding an "alice" of its own
    _write(subs / "submitted" / "alice" / f"{NB}.ipynb", fill(lecture, {
        "numerical_gradient": WRONG_NG, "relative_error": WRONG_RE}))
    # 13: four grade_ids of 2.5 MB each
    _write(subs / "huge_ids" / f"{NB}.ipynb", _other_assignment(honest, long=2_500_000))
    # 14: odd names, and one name in its NFC and NFD spellings
    for name in ODD_NAMES + [NFC]:
        _write(subs / name / f"{NB}.ipynb", honest)
    _write(subs / NFD / f"{NB}.ipynb", honest)
    for student, (sources, _) in cases.items():
        if SANDBOXED or student not in SANDBOX_ONLY:
            _write(subs / student / f"{NB}.ipynb", fill(lecture, sources))
    _write(subs / "tests_deleted" / f"{NB}.ipynb", _test_cells_removed(honest))
    _write(subs / "tests_edited" / f"{NB}.ipynb", _test_cells_edited(honest))
    _write(subs / "duplicated_ids" / f"{NB}.ipynb", _duplicated(honest, WRONG_NG))
    _write(subs / "other_assignment" / f"{NB}.ipynb", _other_assignment(honest))
    (subs / "invalid_json").mkdir()
    (subs / "invalid_json" / f"{NB}.ipynb").write_text('{"cells": [')
    (subs / "empty_file").mkdir()
    (subs / "empty_file" / f"{NB}.ipynb").write_text("")
    _write(subs / "wrong_name" / "my_homework.ipynb", honest)
    # a first, honest grading; the adversaries are graded in a second run of the same course
    first = subs.parent / "first"
    _write(first / "alice" / f"{NB}.ipynb", honest)
    grade(first, root / "first.csv", COURSE, GradeOptions(course=course, jobs=1), log=lambda *_: None)
    log = []
    settings = Settings(timeout=4.0, notebook_timeout=60.0, memory_mb=1024, disk_mb=64)
    started = time.monotonic()
    try:
        run = grade(subs, root / "results.csv",
                    COURSE, GradeOptions(course=course, jobs=2, settings=settings,
                                 report=root / "report.html"), log=log.append)
        rows = run.rows
    finally:
        escaped = [p for p in paths["outside"] if os.path.exists(p)]
        for p in escaped:  # never leave a trace on the machine, even if the sandbox failed
            os.remove(p)
    paths["escaped"] = escaped
    return {"rows": rows, "run": run, "log": log, "cases": cases, "course": course,
            "root": root, "paths": paths, "hits": listener[1],
            "seconds": time.monotonic() - started}


def tempfile_dir() -> str:
    import tempfile
    return tempfile.gettempdir().rstrip("/") + "/betternets-kernel-"


def _by_exercise(rows, student):
    out: dict[str, list] = {}
    for r in rows:
        if r.student == student:
            out.setdefault(answers.exercise_of(r.grade_id), []).append(r)
    return out


CASE_NAMES = list(_cases({"gradebook": "", "solution": "", "hidden": "", "reference": "",
                          "autograder": "", "alice_nb": "", "pwned": "", "outside": [],
                          "port": 1, "host_paths": []}))


@pytest.mark.parametrize("student", CASE_NAMES)
def test_case_earns_only_what_it_earned(adversarial, student):
    if student in SANDBOX_ONLY and not SANDBOXED:
        without_sandbox("this case, which only the sandbox stops,")
    expected = adversarial["cases"][student][1]
    got = _by_exercise(adversarial["rows"], student)
    assert set(got) == set(expected)
    for exercise, (status, must_pass) in expected.items():
        rows = got[exercise]
        if must_pass:
            bad = [(r.grade_id, r.status, r.reason) for r in rows if r.status != Status.PASSED]
            assert not bad, f"{student}/{exercise} lost points it earned: {bad}"
        elif must_pass is None:   # anything may happen to the attacker, in a clear status
            assert {r.status for r in rows} <= set(status)
        else:
            assert all(r.score == 0 for r in rows), f"{student}/{exercise} earned points"
            allowed = {status} if isinstance(status, str) else set(status)
            assert {r.status for r in rows} <= allowed, \
                f"{student}/{exercise}: {[(r.grade_id, r.status, r.reason) for r in rows]}"
        assert all(r.status in set(Status) for r in rows)
        assert all("\n" not in r.reason and len(r.reason) <= 300 for r in rows)


def test_every_row_has_a_status_and_a_reason_when_not_passed(adversarial):
    for r in adversarial["rows"]:
        assert r.status in set(Status)
        assert r.status == Status.PASSED or r.reason, r


HONEST = ["alice", "bob"] + [unicodedata.normalize("NFC", n) for n in ODD_NAMES + [NFC]]


def test_honest_student_keeps_full_marks_in_csv_and_gradebook(adversarial):
    for student in HONEST:
        rows = [r for r in adversarial["rows"] if r.student == student]
        assert rows and all(r.status == Status.PASSED and r.score == r.max_score for r in rows), \
            (student, [(r.grade_id, r.status, r.reason) for r in rows if r.status != Status.PASSED])
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{adversarial['course'] / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(NB, NB, "alice")
        assert nb.score == nb.max_score > 0
        assert gb.find_submission_notebook(NB, NB, "patch_numpy").score == 0


def test_secrets_are_out_of_sight(adversarial):
    if not bwrap_path():
        without_sandbox("the sandbox's protections")
    _every_reason_says(adversarial, "read_secrets", {"numerical_gradient": "readable=[]",
                                                     "relative_error": "wrote=[]"})


def _every_reason_says(adversarial, student: str, words: dict[str, str]) -> None:
    """Every row of each exercise of `student` has the exercise's words in its reason."""
    rows = _by_exercise(adversarial["rows"], student)
    for exercise, word in words.items():
        assert all(word in r.reason for r in rows[exercise]), rows[exercise][0].reason


def test_grading_environment_is_not_visible(adversarial):
    rows = _by_exercise(adversarial["rows"], "detect_grader")["numerical_gradient"]
    assert all("env=[]" in r.reason for r in rows), rows[0].reason
    if adversarial["run"].sandboxed:  # unsandboxed, the grader's editable install shows
        assert all("modules=[]" in r.reason for r in rows), rows[0].reason


def test_writes_outside_scratch_and_sockets_fail(adversarial):
    if not bwrap_path():
        without_sandbox("the sandbox's protections")
    rows = _by_exercise(adversarial["rows"], "escape_scratch")["numerical_gradient"]
    assert all("escaped=[]" in r.reason for r in rows), rows[0].reason
    assert not Path(adversarial["paths"]["pwned"]).exists()
    assert adversarial["paths"]["escaped"] == []
    assert adversarial["hits"] == []
    assert adversarial["run"].sandboxed


def test_no_student_process_survives(adversarial):
    """Only this run's processes: the ones below this test process, and the user ids its
    kernels ran as (other grading runs on the machine are not looked at)."""
    mine = [p for p in psutil.Process().children(recursive=True)
            if _is_kernel(p)]
    assert mine == []
    uids = adversarial["run"].uids
    if os.getuid() == 0 and adversarial["run"].sandboxed:
        assert uids, "the kernels ran as no spare user id"
    left = []
    for p in psutil.process_iter(["uids", "cmdline"]):
        try:
            if p.info["uids"] and p.info["uids"].real in uids:
                left.append((p.pid, p.info["cmdline"]))
        except psutil.Error:
            continue
    assert left == []


def _is_kernel(p) -> bool:
    try:
        cmd = " ".join(p.cmdline())
    except psutil.Error:
        return False
    return "-m betternets.kernel" in cmd or cmd.startswith("bwrap")


def test_huge_print_is_cut(adversarial):
    graded = adversarial["course"] / "autograded" / "huge_print" / NB / f"{NB}.ipynb"
    assert graded.stat().st_size < 200_000
    text = graded.read_text()
    assert "output cut" in text


def test_test_cells_deleted_or_edited_cost_nothing_and_are_reported(adversarial):
    for student in ("tests_deleted", "tests_edited"):
        rows = [r for r in adversarial["rows"] if r.student == student]
        assert rows and all(r.status == Status.PASSED and r.score == r.max_score for r in rows)
        assert all(f"{Status.TAMPERED}:" in r.reason for r in rows)
        assert sum(r.max_score for r in rows) < 100  # points come from the source


def test_duplicated_grade_id_is_tampered(adversarial):
    got = _by_exercise(adversarial["rows"], "duplicated_ids")
    assert {r.status for r in got["numerical_gradient"]} == {Status.TAMPERED}
    assert all(r.score == 0 for r in got["numerical_gradient"])
    assert all(r.status == Status.PASSED for r in got["relative_error"])


def test_broken_files(adversarial):
    rows = adversarial["rows"]
    for student, status, words in [("invalid_json", Status.ERROR, "not a readable notebook"),
                                   ("empty_file", Status.ERROR, "empty"),
                                   ("other_assignment", Status.MISSING, "another notebook")]:
        mine = [r for r in rows if r.student == student]
        assert mine and all(r.status == status and r.score == 0 for r in mine), student
        assert all(words in r.reason for r in mine), mine[0].reason
    assert not [r for r in rows if r.student == "wrong_name"]
    assert any("my_homework.ipynb is not a notebook of this course" in l
               for l in adversarial["log"])


def test_class_report_lists_faults(adversarial):
    html = (adversarial["root"] / "report.html").read_text()
    for student in ("loop_in_cell", "exit_in_call", "segfault_in_cell", "duplicated_ids",
                    "invalid_json", "wrong_name"):
        assert student in html
    assert "<svg" in html


def test_outcome_table(adversarial, capsys):
    """Prints the per-case outcome table (for the issue's closing note)."""
    table = {}
    for r in adversarial["rows"]:
        t = table.setdefault(r.student, {})
        ex = answers.exercise_of(r.grade_id)
        s = t.setdefault(ex, [0.0, 0.0, set(), ""])
        s[0] += r.score
        s[1] += r.max_score
        s[2].add(r.status)
        if r.status != Status.PASSED and not s[3]:
            s[3] = r.reason
    with capsys.disabled():
        took = {r.student: r.seconds for r in adversarial["run"].results}
        print(f"\nclass graded in {adversarial['seconds']:.0f} s; slowest notebooks: " +
              ", ".join(f"{k} {v:.0f} s" for k, v in sorted(took.items(), key=lambda kv: -kv[1])[:8]))
        print("\n| submission | exercise | score | status | reason (first) |")
        print("|---|---|---|---|---|")
        for student, exs in table.items():
            for ex, (sc, mx, st, why) in exs.items():
                print(f"| {student} | {ex} | {sc:g}/{mx:g} | {','.join(sorted(st))} | "
                      f"{why[:90]} |")


# ---------------------------------------------------------------- issue 13, item by item

def _rows_of(adversarial, student):
    return [r for r in adversarial["rows"] if r.student == student]


def test_1_pipe_stall_times_out_and_the_class_is_graded(adversarial):
    rows = _rows_of(adversarial, "pipe_stall")
    assert rows and all(r.score == 0 and r.status in FAULT for r in rows)
    assert any("stopped reading requests" in r.reason or "time limit" in r.reason
               for r in rows), rows[0].reason
    assert (adversarial["root"] / "results.csv").exists()


def test_2_disk_fill_is_bounded_by_the_kernel_tmpfs(adversarial):
    if not SANDBOXED:
        without_sandbox("bubblewrap is not installed: scratch is a host folder")
    rows = _by_exercise(adversarial["rows"], "disk_fill")["relative_error"]
    filled = int(re.search(r"filled=(\d+)", rows[0].reason).group(1))
    assert 0 < filled <= 2 * 64, rows[0].reason     # scratch and /tmp, 64 MB each
    assert (adversarial["root"] / "results.csv").exists()


def test_2_a_failed_write_is_reported_and_no_old_csv_looks_current(tmp_path, monkeypatch):
    """The grader's own outputs: written atomically; ENOSPC stops the run with a plain
    message, and the previous run's CSV is moved aside, never left as if current."""
    from betternets_grader import gradebook
    lecture = answers.load(LECTURES / f"{NB}.ipynb")
    subs = tmp_path / "subs"
    for student in ("alice", "bob"):
        _write(subs / student / f"{NB}.ipynb", fill(lecture, SOL))
    out = tmp_path / "results.csv"
    grade(subs, out, COURSE, GradeOptions(course=tmp_path / "course", jobs=1), log=lambda *_: None)
    before = out.read_bytes()
    real = gradebook.Writer.write
    calls = []

    def full_disk(self, unit, result):
        calls.append(unit["student"])
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(tmp_path / "course" / "x"))
        return real(self, unit, result)
    monkeypatch.setattr(gradebook.Writer, "write", full_disk)
    with pytest.raises(GradingError, match="No space left on device"):
        grade(subs, out, COURSE, GradeOptions(course=tmp_path / "course", jobs=1, force=True),
              log=lambda *_: None)
    assert not out.exists()
    assert (tmp_path / "results.csv.previous").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_3_8_fifos_devices_and_links_are_skipped_with_reasons(adversarial):
    log = "\n".join(adversarial["log"])
    for student, words in [("fifo", "FIFO"), ("device", "symbolic link"),
                           ("link_solution", "symbolic link"), ("link_alice", "symbolic link"),
                           ("link_folder", "symbolic link"), ("stray_file.ipynb", "not a student")]:
        assert not _rows_of(adversarial, student), student
        assert re.search(rf"skipped \S*{re.escape(student)}\S*: .*{words}", log), (student, log)
        assert not (adversarial["course"] / "autograded" / student).exists()
    strays = {s.student for s in adversarial["run"].strays}
    assert {"fifo", "device", "link_solution", "link_alice", "link_folder"} <= strays


def test_4_huge_frames_are_refused(adversarial):
    got = _by_exercise(adversarial["rows"], "huge_frame")
    assert any("over the limit" in r.reason for r in got["numerical_gradient"]), \
        got["numerical_gradient"][0].reason
    assert any("more than" in r.reason and "values" in r.reason
               for r in got["relative_error"]), got["relative_error"][0].reason


def test_4_decoding_a_reply_is_bounded():
    """A 15 MiB frame of five million empty lists costs the grader a few tens of MB."""
    import tracemalloc
    with Kernel(Limits(timeout=30), sandbox=SANDBOXED) as k:
        k.start()
        k.run(RESP_FD + """
import os, struct, time
def flood():
    body = b"[" + b"[]," * (5 * 2 ** 20) + b"[]]"
    body = struct.pack(">I", len(body)) + body   # the JSON's length, then the JSON
    frame = memoryview(struct.pack(">Q", len(body)) + body)
    while frame:
        frame = frame[os.write(_cfg["resp_fd"], frame):]
    time.sleep(30)
""")
        tracemalloc.start()
        try:
            with pytest.raises(BaseException, match="more than"):
                k.call("flood", (), {})
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 80 * 2 ** 20, peak


def test_5_cpu_hog_does_not_starve_the_class(adversarial):
    """The honest students graded beside the busy submission keep full marks (see the
    honest-student test); the hog's kernel could not start sessions of its own."""
    rows = _rows_of(adversarial, "cpu_hog")
    assert rows and all(r.status in set(Status) for r in rows)
    assert adversarial["seconds"] < 600


def _setup_unit(extra_setup: str) -> dict:
    source = answers.load(SOLUTIONS / f"{NB}.ipynb")
    for cell in source["cells"]:
        if answers.kind(cell) == "setup":
            cell["source"] = extra_setup + answers.source(cell)
            break
    lecture = answers.load(LECTURES / f"{NB}.ipynb")
    return {"student": "alice", "assignment": NB, "source": json.dumps(source),
            "release": json.dumps(lecture), "data": json.dumps(fill(lecture, SOL))}


def test_5_a_slow_setup_cell_is_retried_and_replayed(tmp_path):
    """The first run of the setup cell is too slow (an overloaded machine); it is
    retried on a fresh kernel (which replays it after every restart), and the honest
    answer keeps every point."""
    marker = tmp_path / "first"
    unit = _setup_unit(f"import os, time\nif not os.path.exists({str(marker)!r}):\n"
                       f"    open({str(marker)!r}, 'w').close()\n    time.sleep(20)\n")
    settings = Settings(timeout=4.0, notebook_timeout=120.0, sandbox=False, setup_timeout=3.0)
    result = grade_unit(unit, settings)
    assert not result.grader_fault
    assert all(c.status == Status.PASSED for c in result.cells), \
        [(c.grade_id, c.status, c.reason) for c in result.cells]


def test_5_a_setup_cell_that_times_out_twice_is_the_graders_fault():
    unit = _setup_unit("import time\ntime.sleep(30)\n")
    settings = Settings(timeout=4.0, notebook_timeout=120.0, setup_timeout=2.0,
                        sandbox=SANDBOXED)
    result = grade_unit(unit, settings)
    assert result.grader_fault
    assert result.cells and all(c.status == Status.ERROR and c.score == 0
                                for c in result.cells)
    assert all("not graded" in c.reason and "twice" in c.reason
               for c in result.cells), result.cells[0].reason


def test_6_memory_is_limited_for_the_whole_process_tree(adversarial):
    rows = _by_exercise(adversarial["rows"], "memory_tree")["relative_error"]
    assert any("MB together" in r.reason for r in rows) or \
        {r.status for r in rows} <= {Status.TIMEOUT}, rows[0].reason


def test_7_deep_scratch_is_removed(adversarial):
    assert adversarial["run"].leftovers == []
    assert _by_exercise(adversarial["rows"], "deep_scratch")["numerical_gradient"][0].status \
        == Status.PASSED


def test_7_removal_is_depth_independent_and_checked(tmp_path):
    """Without the sandbox, scratch is a host folder: a 3000-level tree, folders without
    permissions and links out are all removed (links never followed)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    with Kernel(Limits(timeout=60), sandbox=False) as k:
        k.start()
        scratch = k.scratch
        reply = k.run(f"""
import os
os.symlink({str(outside)!r}, "link_out")
for _i in range(3000):
    os.mkdir("d")
    os.chdir("d")
    if _i % 500 == 0:
        open("f", "w").write("x")
os.symlink({str(outside)!r}, "deep_link")
os.chdir("..")
os.chmod("d", 0)
print("deep")
""")
        assert reply.get("ok"), reply
    assert not scratch.exists()
    assert k.leftovers == []
    assert (outside / "keep.txt").read_text() == "keep"
    assert remove_tree(tmp_path / "missing")


def test_9_a_student_named_submitted_is_a_student(adversarial):
    rows = _rows_of(adversarial, "submitted")
    assert rows and all(r.score == 0 for r in rows)
    alice = _rows_of(adversarial, "alice")
    assert len(alice) == len(rows) and all(r.status == Status.PASSED for r in alice)


def test_9_a_course_directory_is_still_recognised(tmp_path):
    from betternets_grader.submissions import find
    lecture = answers.load(LECTURES / f"{NB}.ipynb")
    _write(tmp_path / "submitted" / "alice" / NB / f"{NB}.ipynb", lecture)
    (tmp_path / "source").mkdir()
    subs, _ = find(tmp_path, [NB])
    assert [(s.student, s.assignment) for s in subs] == [("alice", NB)]


def _hidden_only_inputs() -> set[str]:
    """What the hidden checks of numerical_gradient send, and the visible ones do not, in
    the format the recording submission writes."""
    from betternets.checks import VISIBLE, load_visible_checks
    from betternets.checks.calls import namespace_caller
    load_visible_checks()
    load_hidden_checks()

    def record(registry) -> set[str]:
        ns = {"np": np}
        exec(compile(RECORDER, "<recorder>", "exec"), ns)
        ns["relative_error"] = lambda a, b: 0.0
        call = namespace_caller(ns)
        for prop in registry.properties("numerical_gradient"):
            try:
                prop.run(call)
            except Exception:  # noqa: BLE001 - only the inputs matter here
                pass
        return set(ns["_seen"])
    return record(HIDDEN) - record(VISIBLE)


def test_10_inputs_of_hidden_checks_never_reach_feedback(adversarial):
    hidden = _hidden_only_inputs()
    assert hidden, "the hidden checks send no input of their own?"
    graded = adversarial["course"] / "autograded" / "record_inputs" / NB / f"{NB}.ipynb"
    text = "\n".join(json.dumps(c.get("outputs", [])) for c in
                     json.loads(graded.read_text())["cells"])
    assert "RECORDED" in text          # the channel is there: the visible check's message
    leaked = [h for h in hidden if json.dumps(h)[1:-1] in text or h in text]
    assert leaked == []


def test_11_the_kernel_sees_a_small_view(adversarial):
    if not SANDBOXED:
        without_sandbox("bubblewrap is not installed: the kernel is unsandboxed")
    reason = _by_exercise(adversarial["rows"], "look_around")["numerical_gradient"][0].reason
    assert "found=[] leaks=[]" in reason, reason
    etc = set(re.search(r"etc=(\S*)", reason).group(1).split(","))
    assert etc <= {"passwd", "group", "hostname", "hosts", "nsswitch.conf", "ld.so.cache"}
    assert int(re.search(r"procs=(\d+)", reason).group(1)) <= 4, reason
    assert re.search(r"users=(\S*)", reason).group(1) == "root,student,nobody", reason
    assert "host=sandbox" in reason


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]")


def test_12_no_control_character_reaches_csv_report_or_table(adversarial):
    data = (adversarial["root"] / "results.csv").read_text(encoding="utf-8")
    assert not CONTROL.search(data)
    assert not re.search(r"\r(?!\n)", data) and data.count("\n") == len(adversarial["rows"]) + 1
    html = (adversarial["root"] / "report.html").read_text(encoding="utf-8")
    assert not CONTROL.search(html)
    table = score_table(adversarial["rows"])
    assert not CONTROL.search(table)
    reason = _by_exercise(adversarial["rows"], "control_chars")["numerical_gradient"][0].reason
    assert "\\x07\\x00\\x08" in reason, reason


def test_13_reasons_are_capped(adversarial):
    path = adversarial["root"] / "results.csv"
    assert path.stat().st_size < 1_000_000
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))      # the default field size limit holds
    assert rows and all(len(r["reason"]) <= 300 for r in rows)
    huge = [r for r in rows if r["student"] == "huge_ids"]
    assert huge and all(r["status"] == Status.MISSING for r in huge)
    assert (adversarial["root"] / "report.html").stat().st_size < 1_000_000


def test_14_names_are_safe_everywhere(adversarial, tmp_path):
    path = adversarial["root"] / "results.csv"
    with path.open(newline="") as fh:
        students = {r["student"] for r in csv.DictReader(fh)}
    assert {"'=HYPERLINK(1)", "new\\nline", "star*", "brack[et", "'+plus", "'@at",
            "'-minus"} <= students
    assert not [s for s in students if s[:1] in "=+-@"]
    # one student for both spellings of José: the second copy is reported, not graded
    assert len([s for s in students if unicodedata.normalize("NFC", s) == NFC]) == 1
    assert any("second copy" in s.reason for s in adversarial["run"].strays
               if s.student == NFC)
    table = score_table(adversarial["rows"]).splitlines()
    assert len(table) == 1 + len({r.student for r in adversarial["rows"]})
    # feedback for every name, *, [ and newline included
    names = ["alice"] + [unicodedata.normalize("NFC", n) for n in ODD_NAMES]
    written = feedback(tmp_path / "feedback", course=adversarial["course"],
                       log=lambda *_: None, students=set(names))
    assert sorted(p.parent.name for p in written) == sorted(names)
    assert all(p.stat().st_size > 1000 for p in written)


def test_23_nothing_is_kept_under_the_kernel_s_user(adversarial):
    if not SANDBOXED:
        without_sandbox("the sandbox's seccomp filter")
    _every_reason_says(adversarial, "keep_in_keyring", {"numerical_gradient": "stored=[]",
                                                        "relative_error": "found=[]"})


def test_23_no_memory_outside_the_kernel_s_processes(adversarial):
    if not SANDBOXED:
        without_sandbox("the sandbox's seccomp filter")
    rows = _by_exercise(adversarial["rows"], "memory_outside")["relative_error"]
    assert all("memfd=0 socket=0" in r.reason for r in rows), rows[0].reason


def _hints(adversarial, student: str) -> list[str]:
    """The named-mistake lines of a student's feedback (each shown once per failed cell;
    which cells fail is the grade itself)."""
    return sorted({line for r in adversarial["rows"] if r.student == student
                   for line in r.lines if "This looks like" in line})


def test_23_hints_do_not_depend_on_hidden_inputs(adversarial):
    """The steered answer turns right after a hidden check's input; its hints are those
    of the answer that never turns: the detectors ran before any hidden check."""
    plain = _hints(adversarial, "hints_plain")
    assert any("an average instead of the worst element" in h for h in plain), plain
    assert _hints(adversarial, "hints_steered") == plain
    steered = _by_exercise(adversarial["rows"], "hints_steered")["relative_error"]
    assert any(r.status == Status.PASSED and r.grade_id.endswith("__values") for r in steered), \
        "the steered answer never saw a hidden input (the test would prove nothing)"
