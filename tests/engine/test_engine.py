"""The grading engine's parts: the wire format, test plans, resuming, regrading, Dask.

The wire tests are fast. The grading tests use a small class of notebook 00
(the first assignment) and a course directory of their own.
"""
from __future__ import annotations

import base64
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from system import require

from checkout import COURSE, SAMPLES
from betternets.kernel import wire
from betternets.checks.calls import Answer, Fn, Rng
from betternets_grader.engine.notebooks import test_plan as plan_of
from betternets_grader.grade import GradeOptions, grade

FIRST = COURSE.assignments()[0]


# ---------------------------------------------------------------- wire format

@pytest.mark.parametrize("value", [
    None, True, 3, -2 ** 70, 1.5, float("inf"), "text", [1, [2.0]], (1, "a"),
    {"w": np.ones((2, 3)), 4: (np.float32(2.5),)}, np.arange(6, dtype=np.int16).reshape(2, 3),
    np.array([True, False]), np.array(3.0), np.float64(0.1), complex(1, 2),
    np.array([1 + 2j]), np.zeros((0, 4)),
])
def test_plain_values_cross_unchanged(value):
    back = wire.decode(wire.loads(wire.dumps(wire.encode(value))))
    assert type(back) is type(value)
    if isinstance(value, (np.ndarray, np.generic)):
        assert back.dtype == value.dtype and np.shape(back) == np.shape(value)
        assert np.array_equal(back, value)
    elif isinstance(value, dict):
        assert back.keys() == value.keys()
    else:
        assert back == value or (value != value and back != back)


def test_nan_crosses():
    assert np.isnan(wire.decode(wire.loads(wire.dumps(wire.encode(float("nan"))))))


def test_tokens_cross_only_in_requests():
    req = wire.encode([Rng(3), Fn("numpy:sin"), Answer("sigmoid")])
    assert wire.decode(req, tokens=True) == [Rng(3), Fn("numpy:sin"), Answer("sigmoid")]
    with pytest.raises(wire.Unjudgeable):
        wire.decode(req)


@pytest.mark.parametrize("value", [object(), lambda x: x, np.array([object()]),
                                   np.array(["a"]), np.zeros(2, dtype=[("a", "f8")]),
                                   {1, 2}, range(3), np.random.default_rng(0)])
def test_anything_else_cannot_be_judged(value):
    with pytest.raises(wire.Unjudgeable, match="cannot judge a value of type"):
        wire.encode(value)


@pytest.mark.parametrize("payload", [
    {"__array__": {"dtype": "|O", "shape": [1], "data": b"\0" * 8}},
    {"__array__": {"dtype": "<f8", "shape": [2], "data": b"\0" * 8}},
    {"__array__": {"dtype": "<f8", "shape": [-1], "data": b""}},
    {"__array__": {"dtype": "<f8", "shape": [1], "data": base64.b64encode(b"\0" * 8).decode()}},
    {"__array__": {"dtype": "<f8", "shape": [1], "data": [0, 8]}},
    {"__pickle__": base64.b64encode(pickle.dumps(object())).decode()},
    {"__float__": "__import__('os')"}, {"__scalar__": {"dtype": "<f8", "shape": [2],
                                                       "data": b"\0" * 16}},
    {"a": 1, "b": 2}, {"__dict__": [[1]]},
])
def test_malformed_or_dangerous_replies_are_refused(payload):
    with pytest.raises(wire.Unjudgeable):
        wire.decode(payload)


def test_json_constants_are_refused():
    with pytest.raises(wire.Unjudgeable):
        wire.loads(b"\0\0\0\x05[NaN]")


def _frame(head: bytes, tail: bytes = b"") -> bytes:
    return len(head).to_bytes(4, "big") + head + tail


@pytest.mark.parametrize("frame", [
    b"", b"\0\0", b"\0\0\0\x09[1]",                                  # cut short
    _frame(b'{"__array__":{"dtype":"<f8","shape":[1],"data":[0,8]}}', b"\0" * 7),  # past the end
    _frame(b'{"__array__":{"dtype":"<f8","shape":[1],"data":[-1,8]}}', b"\0" * 8),
    _frame(b'{"__array__":{"dtype":"<f8","shape":[2],"data":[0,8]}}', b"\0" * 8),  # too short
])
def test_malformed_frames_are_refused(frame):
    with pytest.raises(wire.Unjudgeable):
        wire.decode(wire.loads(frame))


def test_arrays_cross_as_raw_bytes_behind_the_json():
    value = {"w": np.arange(5.0), "b": (np.ones((2, 2), dtype=np.float32), "x")}
    frame = wire.dumps(wire.encode(value))
    head = wire.json_part(frame)
    assert np.arange(5.0).tobytes() in frame and b"AAAA" not in head   # no base64 in the JSON
    back = wire.decode(wire.loads(frame))
    assert np.array_equal(back["w"], value["w"]) and back["b"][0].dtype == np.float32
    assert back["b"][1] == "x"


def test_mutation_is_judged_from_the_arguments_after_the_call():
    x = np.arange(3.0)
    after_same = [[wire.encode(x), None], {"__dict__": []}]
    after_changed = [[wire.encode(x + 1), None], {"__dict__": []}]
    assert wire.changed_arguments((x, Rng(1)), {}, after_same) == []
    assert wire.changed_arguments((x, Rng(1)), {}, after_changed) == ["argument 1"]


def test_plan_of_a_test_cell():
    assert plan_of('check("sigmoid")') == [("visible", "sigmoid", None)]
    assert plan_of("# x\nfrom betternets_grader import check_hidden\n"
                     'check_hidden("adam", "bias")\n') == [("hidden", "adam", "bias")]
    with pytest.raises(ValueError):
        plan_of("assert sigmoid(0) == 0.5")


# ---------------------------------------------------------------- grading runs

def _class(root: Path) -> Path:
    subs = root / "subs"
    for student in ("alice", "bob", "carol"):
        (subs / student).mkdir(parents=True)
        shutil.copyfile(SAMPLES / student / f"{FIRST}.ipynb", subs / student / f"{FIRST}.ipynb")
    return subs


def _scores(rows):
    return {(r.student, r.grade_id): (r.score, r.status) for r in rows}


@pytest.mark.slow
def test_interrupted_run_resumes_and_changed_notebooks_are_regraded(tmp_path):
    subs, course = _class(tmp_path), tmp_path / "course"

    class Stop(Exception):
        pass

    def stop_after_first(it, **kw):
        for i, item in enumerate(it):
            yield item
            if i == 0:
                raise Stop

    with pytest.raises(Stop):
        grade(subs, tmp_path / "a.csv", COURSE, GradeOptions(course=course, jobs=1),
              progress=stop_after_first, log=lambda *_: None)
    run = grade(subs, tmp_path / "b.csv", COURSE, GradeOptions(course=course, jobs=1),
                log=lambda *_: None)
    assert (run.reused, run.graded) == (1, 2)
    first = _scores(run.rows)

    # bob hands in alice's notebook: only he is regraded, and his stale scores are replaced
    shutil.copyfile(subs / "alice" / f"{FIRST}.ipynb", subs / "bob" / f"{FIRST}.ipynb")
    run = grade(subs, tmp_path / "c.csv", COURSE, GradeOptions(course=course, jobs=1),
                log=lambda *_: None)
    assert (run.reused, run.graded) == (2, 1)
    again = _scores(run.rows)
    assert all(again[("bob", g)] == again[("alice", g)] for s, g in again if s == "alice")
    assert {k: v for k, v in again.items() if k[0] != "bob"} == \
        {k: v for k, v in first.items() if k[0] != "bob"}
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(FIRST, FIRST, "bob")
        assert nb.score == nb.max_score


@pytest.mark.slow
def test_dask_cluster_grades_the_same(tmp_path):
    """`--scheduler`: the same work units on a local two-worker Dask cluster."""
    import distributed
    subs = _class(tmp_path)
    local = grade(subs, tmp_path / "local.csv", COURSE, GradeOptions(course=tmp_path / "c1", jobs=2),
                  log=lambda *_: None)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster:
        remote = grade(subs, tmp_path / "dask.csv",
                       COURSE, GradeOptions(course=tmp_path / "c2", scheduler=cluster.scheduler_address),
                       log=lambda *_: None)
    assert remote.graded == 3
    assert _scores(remote.rows) == _scores(local.rows)


@pytest.mark.slow
def test_postgresql_gradebook(tmp_path):
    """Needs a server: .ci/run starts one and sets BETTERNETS_TEST_DB_URL (strict in CI)."""
    url = os.environ.get("BETTERNETS_TEST_DB_URL")
    require("postgresql", "the gradebook on PostgreSQL (run the suite through `make test`, "
            "whose scripts/with_postgres.py starts a throwaway server)", works=bool(url))
    subs = _class(tmp_path)
    rows = grade(subs, tmp_path / "pg.csv",
                 COURSE, GradeOptions(course=tmp_path / "c", db_url=url, jobs=1, force=True),
                 log=lambda *_: None).rows
    from nbgrader.api import Gradebook
    with Gradebook(url, "betternets") as gb:
        nb = gb.find_submission_notebook(FIRST, FIRST, "alice")
        assert nb.score == sum(r.max_score for r in rows if r.student == "alice")


# ---------------------------------------------------------------- output and input safety

def test_text_fields_are_escaped_and_formulas_neutralised():
    from betternets_grader.rows import csv_bytes, escape_controls
    from betternets_grader.verdicts import Verdict
    from betternets.checks.status import Status
    assert escape_controls("a\x1b[2Jb\nc\x07\u202e") == "a\\x1b[2Jb\\nc\\x07\\u202e"
    data = csv_bytes([Verdict("=SUM(A1)", "a", "g", 0.0, 1.0, Status.ERROR,
                              "x\x00y" + "z" * 1000),
                      Verdict("new\nline", "a", "g", 1.0, 1.0, Status.PASSED, "")]).decode()
    lines = data.splitlines()
    assert len(lines) == 3 and lines[1].startswith("'=SUM(A1)") and "x\\x00y" in lines[1]
    assert lines[2].startswith("new\\nline")
    assert max(len(l) for l in lines) < 400


def test_a_fifo_is_never_read(tmp_path):
    from betternets_grader.submissions import read_notebook, refusal
    os.mkfifo(tmp_path / "x.ipynb")
    assert "FIFO" in refusal(tmp_path / "x.ipynb")
    with pytest.raises(OSError, match="not a regular file"):
        read_notebook(tmp_path / "x.ipynb")     # returns at once: O_NONBLOCK
    os.symlink("/dev/zero", tmp_path / "z.ipynb")
    with pytest.raises(OSError):
        read_notebook(tmp_path / "z.ipynb")     # O_NOFOLLOW


def test_the_sandbox_command_line_names_no_host_path():
    from betternets_grader.engine.limits import Limits
    from betternets_grader.engine.sandbox.bwrap import VENV, SandboxView
    view = SandboxView(Limits(), uid=os.getuid())
    try:
        cmd = view.command([f"{VENV}/bin/python", "-c", "pass"])
    finally:
        view.close()
    assert cmd[:2] == ["bwrap", "--args"] and cmd[3:] == [f"{VENV}/bin/python", "-c", "pass"]



def test_a_command_that_finds_no_course_says_so_and_fails(tmp_path, monkeypatch, capsys):
    """Away from any course (as an installed wheel would be): an error, not an empty success."""
    from betternets import cli
    from betternets_grader.course import Course, release
    (tmp_path / "solutions").mkdir()
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    empty = Course(tmp_path)
    with pytest.raises(ValueError, match="no course found"):
        release(empty, course=tmp_path / "course")
    with pytest.raises(ValueError, match="no course found"):
        grade(tmp_path / "subs", tmp_path / "r.csv",
              empty, GradeOptions(course=tmp_path / "c"), log=lambda *_: None)
    assert not (tmp_path / "r.csv").exists() and not (tmp_path / "lectures").exists()
    for command in (["release"], ["grade", str(tmp_path / "subs")], ["site"]):
        assert cli.main([*command, "--root", str(tmp_path)]) == 2
        assert f"betternets {command[0]}: no course found" in capsys.readouterr().err
    monkeypatch.chdir(tmp_path / "subs")     # found from the working directory: none above
    assert cli.main(["release"]) == 2
    assert "betternets release: no course found" in capsys.readouterr().err



# ---------------------------------------------------------------- batched calls

BATCH_CODE = """
import time
done = []
def f(x, pause=0.0):
    time.sleep(pause)
    done.append(x)
    if isinstance(x, str) and x == "boom":
        raise ValueError("boom")
    if isinstance(x, str) and x == "loop":
        while True:
            pass
    return x * 2
"""


def test_many_is_a_loop_of_records_in_the_kernel_itself():
    """The self-check caller runs a batch as a loop: in order, stopping at the first raise."""
    from betternets.checks.calls import StudentError, namespace_caller
    ns: dict = {}
    exec(BATCH_CODE, ns)
    call = namespace_caller(ns)
    assert [r.value for r in call.many([("f", (1,)), ("f", (2,), {"pause": 0.0})])] == [2, 4]
    with pytest.raises(StudentError, match="boom"):
        call.many([("f", (3,)), ("f", ("boom",)), ("f", (4,))])
    assert ns["done"] == [1, 2, 3, "boom"]


class _Session:
    """What RemoteCaller needs of a Session: a kernel and the per-call budget."""

    def __init__(self, kernel, timeout: float):
        self.kernel, self.timeout, self.requests = kernel, timeout, 0

    def call(self, name, args, kwargs):
        self.requests += 1
        return self.kernel.call(name, args, kwargs, timeout=self.timeout)

    def call_many(self, calls):
        self.requests += 1
        return self.kernel.call_many(calls, timeout=self.timeout)


def test_many_in_a_kernel_is_one_request_with_per_call_timeouts():
    from betternets.checks.calls import StudentError
    from betternets_grader.engine.judge import RemoteCaller
    from betternets_grader.engine.kernel import Kernel, KernelTimeout, Limits
    with Kernel(Limits(timeout=30), sandbox=False) as kernel:
        kernel.start()
        assert kernel.run(BATCH_CODE).get("ok")
        session = _Session(kernel, timeout=1.5)
        call = RemoteCaller(session).caller()
        # the same records as one call at a time, for one request
        batch = call.many([("f", (i,)) for i in range(5)] + [("f", (np.arange(3),))])
        single = [call.record("f", i) for i in range(5)] + [call.record("f", np.arange(3))]
        assert session.requests == 1 + 6
        assert [np.asarray(r.value).tolist() for r in batch] == \
            [np.asarray(r.value).tolist() for r in single]
        # three calls of 1 s each under a 1.5 s limit per call: the limit is per call
        assert [r.value for r in call.many([("f", (i, 1.0)) for i in range(3)])] == [0, 2, 4]
        # the first call that raises stops the batch, as a loop would
        kernel.run("done.clear()")
        with pytest.raises(StudentError, match="boom"):
            call.many([("f", (7,)), ("f", ("boom",)), ("f", (8,))])
        assert kernel.run("print(done)")["out"].strip() == "[7, 'boom']"
        # the call that runs past its limit is the one that times out, after the others
        kernel.run("done.clear()")
        replies = []
        with pytest.raises(KernelTimeout, match="call 2 of 3"):
            replies = kernel.call_many([("f", (1,), {}), ("f", ("loop",), {}), ("f", (2,), {})],
                                       timeout=1.5)
        assert replies == [] and kernel.proc is None   # stopped, as after a call's timeout


def test_pure_many_fails_at_the_first_call_that_changed_its_input():
    from betternets.checks import expect
    from betternets.checks.calls import namespace_caller
    from betternets.checks.core import CheckFailed
    ns: dict = {}
    exec("def g(x):\n    if x[0] < 0:\n        x[0] = 0\n    return x * 2\n", ns)
    call = namespace_caller(ns)
    assert [v.tolist() for v in expect.pure_many(call, [("g", (np.ones(2),)),
                                                        ("g", (np.zeros(1),))])] == [[2, 2], [0]]
    with pytest.raises(CheckFailed, match="changed its input in place"):
        expect.pure_many(call, [("g", (np.ones(1),)), ("g", (-np.ones(1),))])


def test_a_value_that_is_its_input_is_reported_by_the_kernel():
    """Identity is a fact of the kernel's process: it reports which of the value is an
    argument (`CallRecord.aliased`), and the grader's `pure` fails on it."""
    from betternets.checks import expect
    from betternets.checks.core import CheckFailed
    from betternets_grader.engine.judge import RemoteCaller
    from betternets_grader.engine.kernel import Kernel, Limits
    with Kernel(Limits(timeout=30), sandbox=False) as kernel:
        kernel.start()
        assert kernel.run("import numpy as np\n"
                          "def same(x, state):\n    return x, state\n"
                          "def new(x, state):\n    return x.copy(), dict(state)\n").get("ok")
        call = RemoteCaller(_Session(kernel, timeout=10)).caller()
        same, new = call.many([("same", (np.ones(2), {"m": 1})), ("new", (np.ones(2), {}))])
        assert same.aliased == ["the value[0] is argument 1", "the value[1] is argument 2"]
        assert new.aliased == [] and same.mutated == new.mutated == []
        with pytest.raises(CheckFailed, match="handed back its input"):
            expect.pure(call, "same", np.ones(2), {})
