"""Adversarial submissions: each earns no points it did not earn, gets a clear status,
and leaves the other students' grades intact.

All cases target notebook 00 (numerical_gradient, relative_error) and are graded in
ONE run of `betternets grade` (module fixture), next to an honest student. Each case
is a student; `CASES` says what each exercise must end as. "earned" exercises hold
correct code and must pass; the others must score zero with the given status.
"""
from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from system import require

from betternets_grader import answers
from betternets_grader.course import LECTURES, SOLUTIONS
from betternets_grader.engine.judge import STATUSES, Settings
from betternets_grader.engine.kernel import bwrap_path
from betternets_grader.grade import Run, grade
from betternets_grader.samples import fill

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


def _cases(paths: dict) -> dict:
    """student -> (answer sources, {exercise: (status, must_pass)}). Paths are the
    real locations of the gradebook, solutions, hidden checks, other students' files."""
    secret = json.dumps([paths["gradebook"], paths["solution"], paths["hidden"],
                         paths["reference"], paths["alice_nb"]])
    # writes are tried only on this test's own files, never on the repository's
    writable = json.dumps([paths["gradebook"], paths["alice_nb"]])
    fail, ok = ("failed", False), ("passed", True)
    return {
        "patch_numpy": ({"numerical_gradient": NUMERIC_PATCHES + WRONG_NG,
                         "relative_error": WRONG_RE},
                        {"numerical_gradient": fail, "relative_error": fail}),
        "patch_builtins": ({"numerical_gradient": "import builtins\n"
                            "builtins.abs = lambda x: 0\nbuiltins.max = lambda *a, **k: 0\n"
                            "builtins.float = lambda *a: 0.0\n" + WRONG_NG,
                            "relative_error": RE},
                           # relative_error's own float()/max are patched too: it breaks
                           {"numerical_gradient": (("failed", "error"), False),
                            "relative_error": (("failed", "error"), False)}),
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
"""}, {"numerical_gradient": ("error", False), "relative_error": ("error", False)}),
        "import_reference": ({"numerical_gradient": "import sys\n"
                              f"sys.path.insert(0, {json.dumps(paths['autograder'])})\n"
                              "from betternets_grader.reference.ex00_gradient_checking import *\n",
                              "relative_error": "try:\n    from betternets_grader.reference."
                              "ex00_gradient_checking import relative_error\nexcept ImportError:\n"
                              "    def relative_error(a, b):\n        return 0.0\n"},
                             {"numerical_gradient": ("error", False), "relative_error": fail}),
        "detect_grader": ({"numerical_gradient": """
import os, sys
_env = sorted(k for k in os.environ if "NBGRADER" in k or "GRAD" in k)
_mods = [m for m in sys.modules if "nbgrader" in m or "betternets_grader" in m]
def numerical_gradient(f, x, h=1e-5):
    raise RuntimeError(f"env={_env} modules={_mods}")
""", "relative_error": WRONG_RE}, {"numerical_gradient": ("error", False),
                                   "relative_error": fail}),
        "loop_in_cell": ({"numerical_gradient": NG,
                          "relative_error": "import time\nwhile True:\n    try:\n"
                          "        time.sleep(0.01)\n    except KeyboardInterrupt:\n        pass\n"},
                         {"numerical_gradient": ok, "relative_error": ("timeout", False)}),
        "loop_in_call": ({"numerical_gradient": "def numerical_gradient(f, x, h=1e-5):\n"
                          "    while True:\n        try:\n            pass\n"
                          "        except BaseException:\n            pass\n",
                          "relative_error": RE},
                         {"numerical_gradient": ("timeout", False), "relative_error": ok}),
        "exit_in_call": ({"numerical_gradient": NG, "relative_error": "import os\n"
                          "def relative_error(a, b):\n    os._exit(1)\n"},
                         {"numerical_gradient": ok, "relative_error": ("crashed", False)}),
        "segfault_in_cell": ({"numerical_gradient": "import ctypes\nctypes.string_at(0)\n" + NG,
                              "relative_error": RE},
                             {"numerical_gradient": ("crashed", False), "relative_error": ok}),
        "memory_bomb": ({"numerical_gradient": "def numerical_gradient(f, x, h=1e-5):\n"
                         "    hog = []\n    while True:\n"
                         "        hog.append(bytearray(256 * 1024 * 1024))\n",
                         "relative_error": RE},
                        {"numerical_gradient": ("error", False), "relative_error": ok}),
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
""", "relative_error": RE}, {"numerical_gradient": ("error", False), "relative_error": ok}),
        "returns_object": ({"numerical_gradient": NG,
                            "relative_error": "def relative_error(a, b):\n    return object()\n"},
                           {"numerical_gradient": ok, "relative_error": ("error", False)}),
    }


# Cases only the sandbox stops (without bubblewrap they would read the reference, write
# the gradebook or fork without limit): not built at all when the kernel is unsandboxed.
SANDBOX_ONLY = {"read_secrets", "import_reference", "escape_scratch", "fork_bomb"}
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


def _other_assignment(nb: dict) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta:
            meta["grade_id"] = "other_" + meta["grade_id"]
    return nb


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
                              "reference" / "ex00_gradient_checking.py"),
             "autograder": str(SOLUTIONS.parent / "autograder"),
             "alice_nb": str(subs / "alice" / f"{NB}.ipynb"),
             "pwned": str(root / "pwned.txt"),
             "outside": [f"{d}/betternets-escape-{root.name}" for d in ("/usr", "/etc", "")],
             "port": listener[0]}
    cases = _cases(paths)
    _write(subs / "alice" / f"{NB}.ipynb", honest)
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
    grade(first, root / "first.csv", course=course, log=lambda *_: None, jobs=1)
    run, log = Run(), []
    settings = Settings(timeout=4.0, notebook_timeout=60.0, memory_mb=1024)
    try:
        rows = grade(subs, root / "results.csv", course=course, log=log.append, jobs=2,
                     settings=settings, run_info=run, report=root / "report.html")
    finally:
        escaped = [p for p in paths["outside"] if os.path.exists(p)]
        for p in escaped:  # never leave a trace on the machine, even if the sandbox failed
            os.remove(p)
    paths["escaped"] = escaped
    return {"rows": rows, "run": run, "log": log, "cases": cases, "course": course,
            "root": root, "paths": paths, "hits": listener[1]}


def _by_exercise(rows, student):
    out: dict[str, list] = {}
    for r in rows:
        if r.student == student:
            out.setdefault(answers.exercise_of(r.grade_id), []).append(r)
    return out


CASE_NAMES = list(_cases({"gradebook": "", "solution": "", "hidden": "", "reference": "",
                          "autograder": "", "alice_nb": "", "pwned": "", "outside": [],
                          "port": 1}))


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
            bad = [(r.grade_id, r.status, r.reason) for r in rows if r.status != "passed"]
            assert not bad, f"{student}/{exercise} lost points it earned: {bad}"
        else:
            assert all(r.score == 0 for r in rows), f"{student}/{exercise} earned points"
            allowed = {status} if isinstance(status, str) else set(status)
            assert {r.status for r in rows} <= allowed, \
                f"{student}/{exercise}: {[(r.grade_id, r.status, r.reason) for r in rows]}"
        assert all(r.status in STATUSES for r in rows)
        assert all("\n" not in r.reason and len(r.reason) <= 300 for r in rows)


def test_every_row_has_a_status_and_a_reason_when_not_passed(adversarial):
    for r in adversarial["rows"]:
        assert r.status in STATUSES
        assert r.status == "passed" or r.reason, r


def test_honest_student_keeps_full_marks_in_csv_and_gradebook(adversarial):
    rows = [r for r in adversarial["rows"] if r.student == "alice"]
    assert rows and all(r.status == "passed" and r.score == r.max_score for r in rows)
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{adversarial['course'] / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(NB, NB, "alice")
        assert nb.score == nb.max_score > 0
        assert gb.find_submission_notebook(NB, NB, "patch_numpy").score == 0


def test_secrets_are_out_of_sight(adversarial):
    if not bwrap_path():
        without_sandbox("the sandbox's protections")
    rows = _by_exercise(adversarial["rows"], "read_secrets")
    assert all("readable=[]" in r.reason for r in rows["numerical_gradient"]), \
        rows["numerical_gradient"][0].reason
    assert all("wrote=[]" in r.reason for r in rows["relative_error"]), \
        rows["relative_error"][0].reason


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
    ps = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True, text=True).stdout
    left = [l for l in ps.splitlines() if l.split()[0].isdigit() and 61000 <= int(l.split()[0]) < 65000]
    assert left == []


def test_huge_print_is_cut(adversarial):
    graded = adversarial["course"] / "autograded" / "huge_print" / NB / f"{NB}.ipynb"
    assert graded.stat().st_size < 200_000
    text = graded.read_text()
    assert "output cut" in text


def test_test_cells_deleted_or_edited_cost_nothing_and_are_reported(adversarial):
    for student in ("tests_deleted", "tests_edited"):
        rows = [r for r in adversarial["rows"] if r.student == student]
        assert rows and all(r.status == "passed" and r.score == r.max_score for r in rows)
        assert all("tampered" in r.reason for r in rows)
        assert sum(r.max_score for r in rows) < 100  # points come from the source


def test_duplicated_grade_id_is_tampered(adversarial):
    got = _by_exercise(adversarial["rows"], "duplicated_ids")
    assert {r.status for r in got["numerical_gradient"]} == {"tampered"}
    assert all(r.score == 0 for r in got["numerical_gradient"])
    assert all(r.status == "passed" for r in got["relative_error"])


def test_broken_files(adversarial):
    rows = adversarial["rows"]
    for student, status, words in [("invalid_json", "error", "not a readable notebook"),
                                   ("empty_file", "error", "empty"),
                                   ("other_assignment", "missing", "another notebook")]:
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
        if r.status != "passed" and not s[3]:
            s[3] = r.reason
    with capsys.disabled():
        print("\n| submission | exercise | score | status | reason (first) |")
        print("|---|---|---|---|---|")
        for student, exs in table.items():
            for ex, (sc, mx, st, why) in exs.items():
                print(f"| {student} | {ex} | {sc:g}/{mx:g} | {','.join(sorted(st))} | "
                      f"{why[:90]} |")
