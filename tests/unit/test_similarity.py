"""The similarity report: a copied-and-renamed answer ranks first, stubs and honest work do not.

A class of notebook 01 is built from the sample class and the catalog, without kernels
(similarity reads the notebooks' JSON):

    alice  the solution           bob    the sample's catalog mistakes
    carol  the untouched stubs    dave   the untouched stubs too
    eve    the catalog's correct variants, one per exercise
    frank  eve's answers, every assigned name renamed, a comment added, blank lines doubled
    gina   the catalog's last wrong answer of every exercise, written apart from eve's
"""
from __future__ import annotations

import ast
import csv
import io
import json
import tokenize

import catalog
import pytest
from betternets_grader import answers, samples, similarity
from betternets_grader.engine.report import write_report
from betternets_grader.grade import GradeOptions, Run
from checkout import COURSE, SAMPLES

from betternets import cli as student_cli

NB = "01_activations"
MODULE = next(m for m in catalog.modules() if m.NOTEBOOK == NB)


def one_per_exercise(correct: bool, last: bool = False) -> dict[str, str]:
    entries = reversed(MODULE.ENTRIES) if last else MODULE.ENTRIES
    chosen: dict[str, str] = {}
    for e in entries:
        if e.correct == correct:
            chosen.setdefault(e.exercise, e.source)
    return chosen


def disguise(src: str) -> str:
    """`src` with every argument and assigned name renamed, a comment on top and each
    line break doubled: what a copier does to hide a copy."""
    tree = ast.parse(src)
    names = {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
             for a in n.args + n.kwonlyargs}
    names |= {n.id for n in ast.walk(tree)
              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    toks = [(t.type, f"my_{t.string}_value" if t.type == tokenize.NAME and t.string in names
             else t.string) for t in tokenize.generate_tokens(io.StringIO(src).readline)]
    return "# my own work, written alone\n" + tokenize.untokenize(toks).replace("\n", "\n\n")


def notebook(sources: dict[str, str]) -> bytes:
    lecture = answers.load(COURSE.lectures / f"{NB}.ipynb")
    return json.dumps(samples.fill(lecture, sources)).encode()


@pytest.fixture(scope="module")
def klass() -> dict[str, bytes]:
    eve = one_per_exercise(correct=True)
    sample = {s: (SAMPLES / s / f"{NB}.ipynb").read_bytes() for s in ("alice", "bob", "carol")}
    return {**sample, "dave": sample["carol"], "eve": notebook(eve),
            "frank": notebook({ex: disguise(src) for ex, src in eve.items()}),
            "gina": notebook(one_per_exercise(correct=False, last=True))}


def units(klass: dict[str, bytes]) -> list[dict]:
    source = (COURSE.solutions / f"{NB}.ipynb").read_text()
    release = (COURSE.lectures / f"{NB}.ipynb").read_text()
    return [{"student": s, "assignment": NB, "data": d, "source": source, "release": release}
            for s, d in klass.items()]


def test_the_disguise_renames_and_changes_the_text(klass):
    eve, frank = (similarity.answer_cells(klass[s]) for s in ("eve", "frank"))
    assert eve.keys() == frank.keys()
    assert all(eve[g] != frank[g] and "my_" in frank[g] and "# my own work" in frank[g]
               for g in eve)


def test_the_copy_ranks_first_and_honest_work_stays_below_the_threshold(klass):
    every = similarity.similar_pairs(units(klass), threshold=0.0, min_overlap=0)
    scores = {(p.first, p.second): p.score for p in every}
    assert (every[0].first, every[0].second) == ("eve", "frank")
    assert every[0].score >= similarity.DEFAULT_THRESHOLD
    # the exercises shared: eve's, all but the shortest answers (scipy's `expit(z)` is
    # almost all signature, and winnowing may keep none of the rest)
    listed, copied = {g for g, _ in every[0].exercises}, set(one_per_exercise(correct=True))
    assert listed <= copied and len(listed) >= len(copied) - 2
    honest = {pair: s for pair, s in scores.items() if pair != ("eve", "frank")}
    assert max(honest.values()) < similarity.DEFAULT_THRESHOLD, honest
    # untouched stubs share only the stub, the solution only the solution: nothing at all
    assert ("carol", "dave") not in scores
    assert not any("alice" in pair for pair in scores)
    reported = similarity.similar_pairs(units(klass))
    assert [(p.first, p.second) for p in reported] == [("eve", "frank")]


def test_without_the_boilerplate_the_stubs_would_match(klass):
    """The exclusion is what keeps the stubs apart: compared raw, they are one text."""
    carol = similarity.answer_cells(klass["carol"])
    raw = {g: similarity._fingerprint(t) for g, t in carol.items()}
    assert similarity._compare(raw, raw)[0] == pytest.approx(1.0)


def test_unreadable_notebooks_are_left_out(klass):
    broken = units(klass)[:1] + [{**units(klass)[0], "student": "zed", "data": b"{not json"}]
    assert similarity.similar_pairs(broken, threshold=0.0, min_overlap=0) == []


def test_report_lists_the_pairs_most_similar_first_with_names_escaped(tmp_path):
    pairs = [similarity.SimilarPair(NB, "<script>x", "m\x1b[2Jallory", 0.8, 300,
                                    (("sigmoid", 0.9),)),
             similarity.SimilarPair(NB, "eve", "frank", 0.97, 800, (("relu", 1.0),))]
    run = Run(similar_pairs=sorted(pairs, key=lambda p: -p.score), similarity_threshold=0.7)
    page = write_report(run, tmp_path / "r.html").read_text()
    section = page[page.index("<h2>Similar submissions</h2>"):]
    assert "at least 70%" in section
    assert section.index("frank") < section.index("&lt;script&gt;x")
    assert "<script>" not in page and "\x1b" not in page and "m\\x1b[2Jallory" in section
    assert "97%" in section and "sigmoid 90%" in section
    assert "Similar submissions" not in write_report(Run(), tmp_path / "q.html").read_text()


def test_betternets_similarity_over_a_folder(klass, tmp_path, capsys):
    for student, data in klass.items():
        (tmp_path / "subs" / student).mkdir(parents=True)
        (tmp_path / "subs" / student / f"{NB}.ipynb").write_bytes(data)
    out = tmp_path / "pairs.csv"
    assert student_cli.main(["similarity", str(tmp_path / "subs"), "--root", str(COURSE.root),
                             "--out", str(out)]) == 0
    assert "1 pairs at or above 70% similarity" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open()))
    assert [(r["first"], r["second"]) for r in rows] == [("eve", "frank")]


def test_grade_takes_the_similarity_threshold(monkeypatch, tmp_path, capsys):
    from betternets_grader import grade as grading
    seen = {}
    pair = similarity.SimilarPair(NB, "eve", "frank", 0.97, 800, (("relu", 1.0),))

    def fake(submissions, out, root, options, progress=None, log=print):
        seen["options"] = options
        return Run(sandboxed=False, similar_pairs=[pair] if options.similarity_threshold else [])
    monkeypatch.setattr(grading, "grade", fake)
    args = ["grade", "subs", "--out", str(tmp_path / "r.csv"), "--root", str(COURSE.root),
            "--course", str(tmp_path / "c")]
    assert student_cli.main([*args, "--similarity-threshold", "0.5"]) == 0
    assert seen["options"].similarity_threshold == 0.5
    assert "1 pair of submissions with unusually similar answers" in capsys.readouterr().out
    assert student_cli.main([*args, "--similarity-threshold", "off"]) == 0
    assert seen["options"].similarity_threshold is None
    assert student_cli.main(args) == 0
    assert seen["options"].similarity_threshold == GradeOptions().similarity_threshold \
        == similarity.DEFAULT_THRESHOLD


def test_cells_a_student_marks_as_answers_are_not_read(klass):
    """Only the course's answer cells count: a flood of added 'solution' cells is ignored."""
    nb = json.loads(klass["eve"])
    nb["cells"] += [{"cell_type": "code", "source": "x = 1\n" * 50, "outputs": [],
                     "execution_count": None,
                     "metadata": {"nbgrader": {"solution": True, "grade_id": f"mine{i}"}}}
                    for i in range(3)]
    twins = units({"eve": json.dumps(nb).encode(), "frank": json.dumps(nb).encode()})
    pair, = similarity.similar_pairs(twins)
    assert {g for g, _ in pair.exercises} <= set(one_per_exercise(correct=True))


def test_a_copy_with_its_metadata_stripped_is_still_compared(klass):
    """Answer cells are found by the course's grade_ids, not by the student's flags."""
    nb = json.loads(klass["frank"])
    for cell in nb["cells"]:
        cell.get("metadata", {}).get("nbgrader", {}).pop("solution", None)
    pairs = similarity.similar_pairs(units({"eve": klass["eve"],
                                           "frank": json.dumps(nb).encode()}))
    assert [(p.first, p.second) for p in pairs] == [("eve", "frank")]
