"""Adversarial text (issue 23): submissions whose texts once ended the run with no CSV,
or filled the disk and the grader's memory, and two folders that spell one name.

One class of notebook 00 is graded twice in one fresh course (the second run reuses the
cache); honest students sit beside each attacker and keep their full marks:

    surrogate_raise   an answer raises ValueError("bad \\ud800 value") (a lone surrogate)
    surrogate_ids     every cell's grade_id is "\\ud800", no code at all
    deep_metadata     the honest notebook with metadata nested 5000 lists deep (10 kB)
    mallory\\xff       an honest notebook in a folder whose name is not UTF-8
    e\\u0301ve (NFD)   a wrong notebook, beside the honest \\u00e9ve (NFC)
    takeover          answers that take over the kernel's request loop and answer every
                      request with a 15 MiB error message
"""
from __future__ import annotations

import csv
import json
import os
import threading
import time
import unicodedata
from pathlib import Path

import psutil
import pytest

from betternets.checks.status import Status
from betternets_grader import answers
from betternets_grader.cache import ResultCache
from betternets_grader.engine.notebooks import read_submission
from betternets_grader.engine.settings import Settings
from betternets_grader.grade import GradeOptions, grade
from betternets_grader.samples import fill
from betternets_grader.texts import parse_json, valid_name
from betternets_grader.verdicts import NotebookResult, Verdict, bound_texts

from checkout import COURSE, LECTURES, SOLUTIONS

NB = "00_gradient_checking"
SOL = answers.answer_sources(answers.load(SOLUTIONS / f"{NB}.ipynb"))
WRONG_NG = "def numerical_gradient(f, x, h=1e-5):\n    x[...] = 0.0\n    return x\n"
WRONG_RE = "def relative_error(a, b):\n    return 0.0\n"
NFC_EVE, NFD_EVE = "\u00e9ve", "e\u0301ve"
MALLORY = b"mallory\xff"
SHOWN_MALLORY = "mallory\ufffd"
DEEP = 5000
MiB = 2 ** 20
# Once called, the answer answers every request itself: a 15 MiB error message each time.
TAKEOVER = """
import json as _json, sys as _sys
from betternets.kernel import wire as _wire
_cfg = _json.loads(_sys.argv[-1])
_BIG = "x" * (15 * 2 ** 20)
def _serve():
    while True:
        _wire.write_frame(_cfg["resp_fd"], _wire.dumps({"ok": False, "out": "", "error": {
            "class": "StudentError", "name": "numerical_gradient", "kind": "ValueError",
            "message": _BIG}}))
        _wire.read_frame(_cfg["req_fd"])
"""
ATTACKS = {
    "surrogate_raise": {"numerical_gradient": "def numerical_gradient(f, x, h=1e-5):\n"
                        "    raise ValueError(\"bad \\ud800 value\")\n",
                        "relative_error": SOL["relative_error"]},
    "takeover": {"numerical_gradient": TAKEOVER + "def numerical_gradient(f, x, h=1e-5):\n"
                 "    _serve()\n",
                 "relative_error": "def relative_error(a, b):\n    _serve()\n"},
}
HONEST = ["alice", "bob", NFC_EVE]


def _write(path: Path, nb: dict | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nb if isinstance(nb, str) else json.dumps(nb, indent=1))


def _surrogate_ids(nb: dict) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        cell.setdefault("metadata", {}).setdefault("nbgrader", {})["grade_id"] = "\ud800"
        cell["source"] = ""
    return nb


def _deep_metadata(nb: dict) -> str:
    nb = json.loads(json.dumps(nb))
    nb["metadata"]["deep"] = "@DEEP@"
    return json.dumps(nb).replace('"@DEEP@"', "[" * DEEP + "]" * DEEP)


class _PeakRss:
    """The largest resident set of this process (the grading process) and of each of its
    worker processes (not the kernels, which run under their own limits), sampled. `me` is
    what grading added to this process: a pytest worker that ran other test files first
    already holds their imports and data (measured: up to ~150 MB more under xdist)."""

    def __init__(self):
        self.me, self.workers, self.stop = 0, 0, threading.Event()
        self.base = psutil.Process().memory_info().rss
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        me = psutil.Process()
        while not self.stop.is_set():
            try:
                self.me = max(self.me, me.memory_info().rss - self.base)
                for child in me.children():
                    self.workers = max(self.workers, child.memory_info().rss)
            except psutil.Error:
                pass
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(2)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("adversarial_text")
    subs, course = root / "submissions", root / "course"
    lecture = answers.load(LECTURES / f"{NB}.ipynb")
    honest = fill(lecture, SOL)
    for name in HONEST:
        _write(subs / name / f"{NB}.ipynb", honest)
    _write(subs / NFD_EVE / f"{NB}.ipynb",
           fill(lecture, {"numerical_gradient": WRONG_NG, "relative_error": WRONG_RE}))
    for student, sources in ATTACKS.items():
        _write(subs / student / f"{NB}.ipynb", fill(lecture, sources))
    _write(subs / "surrogate_ids" / f"{NB}.ipynb", _surrogate_ids(honest))
    _write(subs / "deep_metadata" / f"{NB}.ipynb", _deep_metadata(honest))
    mallory = os.path.join(os.fsencode(subs), MALLORY)
    os.mkdir(mallory)
    Path(os.fsdecode(os.path.join(mallory, f"{NB}.ipynb".encode()))).write_text(
        json.dumps(honest))
    settings = Settings(timeout=10.0, notebook_timeout=120.0, memory_mb=1024, disk_mb=64)
    runs, logs = [], []
    with _PeakRss() as peak:
        for i in range(2):
            log: list[str] = []
            runs.append(grade(subs, root / "results.csv", COURSE,
                              GradeOptions(course=course, jobs=2, settings=settings,
                                           report=root / "report.html",
                                           similarity_threshold=0.9),
                              log=log.append))
            logs.append(log)
            if i == 0:
                first_csv = (root / "results.csv").read_bytes()
    return {"runs": runs, "logs": logs, "root": root, "course": course, "peak": peak,
            "first_csv": first_csv}


def _rows(graded, student, run=-1):
    return [r for r in graded["runs"][run].rows if r.student == student]


def _csv(graded) -> list[dict]:
    with (graded["root"] / "results.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_both_runs_write_a_csv_and_the_rerun_reuses_every_notebook(graded):
    first, second = graded["runs"]
    assert (graded["root"] / "results.csv").read_bytes() == graded["first_csv"]
    assert second.graded == 0 and second.reused == len(first.results)
    assert {r.student for r in second.rows} >= set(HONEST) | set(ATTACKS) | {
        "surrogate_ids", "deep_metadata", SHOWN_MALLORY}
    text = (graded["root"] / "report.html").read_text(encoding="utf-8")
    assert "deep_metadata" in text and SHOWN_MALLORY in text


@pytest.mark.parametrize("run", [0, 1])
def test_honest_students_keep_full_marks(graded, run):
    for student in HONEST + [SHOWN_MALLORY]:
        rows = _rows(graded, student, run)
        assert rows and all(r.status == Status.PASSED and r.score == r.max_score
                            for r in rows), (student, [(r.grade_id, r.reason) for r in rows])


def test_a_lone_surrogate_in_a_message_is_replaced(graded):
    rows = [r for r in _rows(graded, "surrogate_raise")
            if answers.exercise_of(r.grade_id) == "numerical_gradient"]
    assert rows and all(r.score == 0 and r.status == Status.ERROR for r in rows)
    assert any("bad \ufffd value" in r.reason for r in rows), rows[0].reason
    assert all(r.status == Status.PASSED for r in _rows(graded, "surrogate_raise")
               if answers.exercise_of(r.grade_id) == "relative_error")
    cached = ResultCache(graded["course"])._path("surrogate_raise", NB).read_bytes()
    assert "bad \ufffd value".encode() in cached


def test_surrogate_grade_ids_are_another_notebook(graded):
    rows = _rows(graded, "surrogate_ids")
    assert rows and all(r.status == Status.MISSING and r.score == 0 for r in rows)
    assert all("another notebook" in r.reason and "\ufffd" in r.reason for r in rows)


def test_deep_metadata_is_error_rows_in_every_step(graded):
    rows = _rows(graded, "deep_metadata")
    assert rows and all(r.status == Status.ERROR and r.score == 0 for r in rows)
    assert all("not a readable notebook" in r.reason and "deep" in r.reason for r in rows)
    # the autograded notebook is not written, the similarity skipped it, the gradebook has it
    assert not (graded["course"] / "autograded" / "deep_metadata" / NB / f"{NB}.ipynb").exists()
    assert all("deep_metadata" not in (p.first, p.second)
               for p in graded["runs"][0].similar_pairs)
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gb:
        assert gb.find_submission_notebook(NB, NB, "deep_metadata").score == 0


def test_a_folder_name_not_in_utf8_is_graded_and_noted(graded):
    rows = [r for r in _csv(graded) if r["student"] == SHOWN_MALLORY]
    assert rows and all("not valid UTF-8" in r["reason"] for r in rows)
    noted = [s for s in graded["runs"][0].strays if s.student == SHOWN_MALLORY]
    assert noted and all(s.graded for s in noted)
    assert (graded["course"] / "autograded" / SHOWN_MALLORY / NB / f"{NB}.ipynb").exists()


def test_two_spellings_of_one_name_grade_the_nfc_folder_and_report_the_other(graded):
    rows = _rows(graded, NFC_EVE)
    assert rows and all(r.score == r.max_score for r in rows)   # the honest one, not the NFD
    assert all(unicodedata.normalize("NFC", r.student) != NFC_EVE or r.student == NFC_EVE
               for r in graded["runs"][0].rows)
    csv_rows = [r for r in _csv(graded) if r["student"] == NFC_EVE]
    assert csv_rows and all("graded the folder" in r["reason"] and "NFC" in r["reason"]
                            for r in csv_rows)
    strays = {s.path.name: s for s in graded["runs"][0].strays if s.student == NFC_EVE}
    assert "second copy" in strays[NFD_EVE].reason and not strays[NFD_EVE].graded
    assert strays[NFC_EVE].graded
    report = (graded["root"] / "report.html").read_text(encoding="utf-8")
    assert "another spelling of" in report and "graded the folder" in report


def test_takeover_is_bounded(graded):
    rows = _rows(graded, "takeover")
    assert rows and all(r.score == 0 for r in rows)
    peak = graded["peak"]
    assert peak.me < 300 * MiB and peak.workers < 300 * MiB, (peak.me, peak.workers)
    course = graded["course"]
    written = [p for p in course.rglob("*") if p.is_file() and "takeover" in p.parts]
    print(f"takeover: grader {peak.me / MiB:.0f} MB, workers {peak.workers / MiB:.0f} MB, "
          + ", ".join(f"{p.relative_to(course)} {p.stat().st_size}" for p in written))
    assert written and all(p.stat().st_size < 5 * MiB for p in written), \
        [(p, p.stat().st_size) for p in written]
    # the 15 MiB messages did arrive, and were cut where they entered
    cached = ResultCache(course)._path("takeover", NB).read_text(encoding="utf-8")
    assert "more characters cut" in cached
    for path in [graded["root"] / "results.csv", graded["root"] / "report.html"]:
        assert path.stat().st_size < 5 * MiB


def test_feedback_pages_are_written_and_bounded(graded, tmp_path):
    from betternets_grader.feedback import feedback
    students = {"alice", "takeover", "surrogate_raise", SHOWN_MALLORY, NFC_EVE}
    pages = feedback(tmp_path / "feedback", course=graded["course"], log=lambda *_: None,
                     students=students)
    assert {p.parent.name for p in pages} == students
    assert all(p.stat().st_size < 5 * MiB for p in pages)


# ------------------------------------------------------------ the pieces, in process

def test_parse_json_refuses_deep_nesting_and_replaces_surrogates():
    with pytest.raises(ValueError, match="deep"):
        parse_json(b"[" * DEEP + b"]" * DEEP)
    with pytest.raises(ValueError, match="deep"):
        parse_json(b'{"a":' + b"[" * 200 + b"]" * 200 + b"}")
    assert parse_json(b'{"\\ud800": ["a\\udfffb", "\\ud83d\\ude00"]}') == \
        {"\ufffd": ["a\ufffdb", "\U0001f600"]}
    nb, why = read_submission(b'{"cells": [], "x": "\\ud800"}')
    assert nb == {"cells": [], "x": "\ufffd"} and why == ""


def test_valid_name_marks_undecodable_bytes():
    name, note = valid_name(os.fsdecode(MALLORY))
    assert name == SHOWN_MALLORY and "not valid UTF-8" in note
    assert valid_name(NFD_EVE) == (NFD_EVE, "")


def test_the_cache_refuses_what_it_cannot_write(tmp_path):
    cache = ResultCache(tmp_path)
    bad = NotebookResult("s", NB, [Verdict("s", NB, "g", 0.0, 1.0, Status.ERROR, "\ud800")])
    assert not cache.store(bad) and cache.recorded("s", NB) is None
    huge = NotebookResult("t", NB, [Verdict("t", NB, "g", 0.0, 1.0, Status.ERROR, "x",
                                            lines=["y" * 5 * MiB])])
    assert not cache.store(huge) and cache.recorded("t", NB) is None
    assert cache.store(bound_texts(huge)) and cache.recorded("t", NB) is not None


def test_bound_texts_caps_lines_per_cell_and_per_notebook():
    cells = [Verdict("s", NB, f"g{i}", 0.0, 1.0, Status.FAILED, "r",
                     lines=["z" * 1000] * 100) for i in range(20)]
    result = bound_texts(NotebookResult("s", NB, cells), per_cell=40, total=100_000)
    assert all(len(v.lines) <= 41 for v in result.cells)
    assert sum(len(line) for v in result.cells for line in v.lines) < 100_000 + 20 * 200
    assert "more lines cut" in result.cells[0].lines[-1]
