"""One verdict model: `Status` spelled once, `Verdict`/`NotebookResult` from the judge to
the CSV and the resume cache, `missing` carried as data, never read back from text."""
from __future__ import annotations

import csv
import io

import pytest

from betternets.checks.calls import Caller
from betternets.checks.core import Property, evaluate
from betternets.checks.status import Status
from betternets_grader.cache import ResultCache
from betternets_grader.engine import judge
from betternets_grader.engine.remote import RemoteCaller
from betternets_grader.rows import csv_bytes
from betternets_grader.verdicts import FIELDS, AnswerRun, NotebookResult, Verdict, every_cell

# DESIGN.md: "every exercise ends with a status (passed, failed, error, timeout, crashed,
# missing, tampered)"; the CSV has always carried these words.
DESIGN_STATUSES = ["passed", "failed", "error", "timeout", "crashed", "missing", "tampered"]


def test_the_seven_statuses_are_designs_words_in_the_csv():
    # and `late`, the status of a late notebook's penalty row, which is no test cell
    assert [s.value for s in Status] == DESIGN_STATUSES + ["late"]
    rows = [Verdict("ann", "00_x", f"test_{s}", 0.0, 1.0, s, "why") for s in Status]
    lines = list(csv.DictReader(io.StringIO(csv_bytes(rows).decode())))
    assert [l["status"] for l in lines] == DESIGN_STATUSES + ["late"]
    assert list(lines[0]) == FIELDS


def test_a_verdict_from_text_gets_its_status_back_and_unknown_text_is_refused():
    assert Verdict("a", "b", "g", 1.0, 1.0, "passed").status is Status.PASSED
    with pytest.raises(ValueError):
        Verdict("a", "b", "g", 1.0, 1.0, "pass")


def _result(**kw) -> NotebookResult:
    cells = [Verdict("ann", "00_x", "test_a", 2.0, 2.0, Status.PASSED, lines=["✓ a: holds"]),
             Verdict("ann", "00_x", "test_b", 0.0, 3.0, Status.TIMEOUT, "ran past",
                     hidden_lines=["✗ b: h\n    msg"], hidden_summary=["✗ b: h"],
                     reason_hidden=True)]
    return NotebookResult("ann", "00_x", cells, {"a": AnswerRun(Status.ERROR, "raised", "out")},
                          **kw)


def test_a_notebook_result_survives_the_cache_json_whole():
    result = _result(key="k1", sandboxed=True, restarts=2, seconds=1.5, uids=[1000])
    back = NotebookResult.from_json(result.to_json())
    assert back == result
    assert all(type(v.status) is Status for v in back.cells)
    assert type(back.answers["a"]) is AnswerRun and back.answers["a"].status is Status.ERROR


def test_the_cache_gives_back_only_the_same_notebooks_verdicts(tmp_path):
    cache = ResultCache(tmp_path)
    cache.store(_result(key="k1"))
    assert cache.load("ann", "00_x", "k1") == _result(key="k1")
    assert cache.load("ann", "00_x", "k2") is None          # the notebook changed
    assert cache.load("bob", "00_x", "k1") is None          # never graded
    cache.store(_result(key="k1", grader_fault=True))
    assert cache.load("ann", "00_x", "k1") is None          # graded again next time
    (tmp_path / "betternets" / "results" / "ann" / "00_x.json").write_text('{"cells": 1}')
    assert cache.load("ann", "00_x", "k1") is None          # not a result: graded again


def test_every_cell_gets_the_status_and_no_points():
    cells = every_cell("ann", "00_x", [("test_a", 2), ("test_b", 3.0)], Status.CRASHED, "died")
    assert [(v.grade_id, v.score, v.max_score, v.status, v.reason) for v in cells] == \
        [("test_a", 0.0, 2.0, Status.CRASHED, "died"), ("test_b", 0.0, 3.0, Status.CRASHED, "died")]


class _Kernel:
    """A session whose kernel has no function `f`, in words no regex of ours knows."""

    def call(self, name, args, kwargs):
        return {"ok": False, "error": {"class": "MissingAnswer", "name": name,
                                       "kind": "NameError", "message": "gone fishing"}}

    def restart(self):
        pass


PROP = Property("f", "values", "f doubles", lambda call: call("f", 1.0))


def test_missing_is_carried_as_data_not_read_from_the_message():
    r = evaluate(PROP, Caller(RemoteCaller(_Kernel())))
    assert (r.status, r.missing_name) == (Status.MISSING, "f")


@pytest.mark.parametrize("ran, expected", [
    (None, Status.MISSING),                                 # no answer cell ran badly
    (AnswerRun(Status.TIMEOUT, "answer cell 'f': ran past the time limit"), Status.TIMEOUT),
    (AnswerRun(Status.TAMPERED, "grade_id 'f' appears 2 times"), Status.TAMPERED)])
def test_a_missing_function_takes_its_answer_cells_status(monkeypatch, ran, expected):
    monkeypatch.setattr(judge, "_checks_of", lambda code: [(PROP, False)])
    status_of_answer = {"cell_f": ran} if ran else {}
    j = judge._Judge("ann", "00_x", _Kernel(), status_of_answer, {"f": "cell_f"})
    v = j.cell("test_f", 2.0, 'check("f")')
    assert (v.student, v.assignment, v.grade_id, v.score, v.max_score) == \
        ("ann", "00_x", "test_f", 0.0, 2.0)
    assert v.status == expected
    assert v.reason == (ran.reason if ran else "gone fishing")
