"""Similarity report: pairs of submissions of one assignment whose answers are unusually alike.

Only the answer cells are compared (found by their nbgrader `grade_id`, as grading
finds them; cells a student added or marked are never read, and a cell whose
nbgrader metadata a student changed is still found), each with the same cell
of the other submission, at most `MAX_CELL` characters of it. The comparison is
copydetect's (https://github.com/blingenf/copydetect, the maintained PyPI package
that implements MOSS's winnowing, Schleimer, Wilkerson and Aiken, SIGMOD 2003): a
cell is tokenized by pygments, every identifier becomes `V`/`F`/`O`, every string
`S`, comments and whitespace are dropped (so renaming variables, rewording
comments or reflowing code hides nothing), its k-grams of `NOISE` characters are
hashed and winnowed (every common run of `GUARANTEE` characters is caught). It
works on strings in memory, without files or network, so nothing is written by hand
here but the choice of what to compare and how to sum it up.

Common code is excluded: every k-gram of the exercise's solution and of its released
stub (the signature, the docstring, the `raise NotImplementedError` line) is
boilerplate (copydetect's `boilerplate` hashes), so two untouched stubs, or two
answers that match the model solution, share nothing.

The score of a pair is copydetect's similarity: the fraction of a submission's
remaining (non-boilerplate) code found in the other, the larger of the two sides (a
copier who took all of someone's work and added nothing shows 1.0 even when the
source wrote more). A pair is reported when its score is at least the threshold
and at least `MIN_OVERLAP` characters of normalised code are shared, so that one
short idiom (`np.maximum(z, 0)`) that many students write alike is not a report.
`DEFAULT_THRESHOLD` (0.7), measured on classes built as tests/unit/test_similarity.py builds
one (three runs each): in notebooks 00, 01, 03 and 04, a copy of the catalog's correct
variants with every assigned name renamed, a comment added and blank lines doubled
scores 0.93 to 1.0, while answers written apart score at most 0.58 (two of the
catalog's wrong answers to notebook 04, written by one author in one style) and
mostly under 0.3; 0.7 leaves room on both sides. Scores move by a few hundredths from
one run to the next: copydetect hashes k-grams with Python's `hash`, salted per
process, which moves winnowing's picks. An instructor who wants partial copies listed
lowers the threshold (`betternets grade --similarity-threshold 0.5`).
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

from . import answers
from .engine.notebooks import read_submission

NOISE = 15           # k: the shortest run of normalised characters counted as shared
GUARANTEE = 20       # every shared run this long is found (window = GUARANTEE - NOISE + 1)
MIN_OVERLAP = 60     # normalised characters two submissions must share to be reported
DEFAULT_THRESHOLD = 0.7
MAX_CELL = 100_000   # characters of one answer cell compared (a flood is cut, not read)


@dataclass(frozen=True)
class SimilarPair:
    """Two submissions of one assignment and how much of their answers they share."""
    assignment: str
    first: str                    # student
    second: str                   # student
    score: float                  # max of the two sides' shared fraction, 0..1
    shared: int                   # normalised characters in common
    exercises: tuple[tuple[str, float], ...] = field(default=())  # (grade_id, score), worst first


def answer_cells(data: bytes | str, ids=None) -> dict[str, str]:
    """grade_id -> text of every answer cell of a notebook's JSON: the cells marked as
    nbgrader solutions, or, given `ids` (the course's answer cells), the code cells with
    those grade_ids whatever else their metadata says. {} for anything unreadable: a
    submission is hostile, and an unreadable one has nothing to compare."""
    nb, _ = read_submission(data.encode("utf-8") if isinstance(data, str) else bytes(data))
    cells = nb.get("cells") if nb is not None else None
    found: dict[str, str] = {}
    for cell in cells if isinstance(cells, list) else []:
        meta = answers.grader_meta(cell)
        gid = meta.get("grade_id")
        if not (isinstance(cell, dict) and cell.get("cell_type") == "code"
                and isinstance(gid, str)) or gid in found:
            continue
        if (gid in ids) if ids is not None else (meta.get("solution") and not meta.get("grade")):
            found[gid] = answers.source(cell)[:MAX_CELL]
    return found


def _fingerprint(text: str, boilerplate=None, window: int = GUARANTEE - NOISE + 1):
    """copydetect's fingerprint of one cell's Python text, `boilerplate` hashes left out."""
    from copydetect import CodeFingerprint
    return CodeFingerprint("answer.py", NOISE, window, boilerplate=boilerplate,
                           language="python", fp=io.StringIO(text))


def boilerplate(source: bytes | str, release: bytes | str) -> dict[str, object]:
    """grade_id -> the hashes of every k-gram of the solution's and the stub's answer cell
    (window 1: all of them, as copydetect computes boilerplate)."""
    import numpy as np
    common: dict[str, list] = {}
    for nb in (source, release):
        for gid, text in answer_cells(nb).items():
            common.setdefault(gid, []).extend(_fingerprint(answers.strip_markers(text),
                                                           window=1).hashes)
    return {gid: np.unique(np.array(h, dtype=np.int64)) for gid, h in common.items()}


def _compare(a: dict, b: dict) -> tuple[float, int, list[tuple[str, float]]]:
    """(score, shared characters, per-exercise scores) of two submissions' fingerprints
    (grade_id -> CodeFingerprint): copydetect's overlap, summed over the answer cells."""
    from copydetect import compare_files
    shared_a = shared_b = 0.0
    cover_a = sum(f.token_coverage for f in a.values())
    cover_b = sum(f.token_coverage for f in b.values())
    per: list[tuple[str, float]] = []
    for gid in sorted(set(a) & set(b)):
        fa, fb = a[gid], b[gid]
        if not fa.hashes & fb.hashes:
            continue
        _, (sa, sb), _ = compare_files(fa, fb)   # sa = characters of a found in b / a's
        shared_a += sa * fa.token_coverage
        shared_b += sb * fb.token_coverage
        per.append((gid, float(max(sa, sb))))
    score = max(shared_a / cover_a if cover_a else 0.0, shared_b / cover_b if cover_b else 0.0)
    return min(score, 1.0), round(min(shared_a, shared_b)), sorted(per, key=lambda e: (-e[1], e[0]))


def similar_pairs(submissions: Iterable[Mapping], threshold: float = DEFAULT_THRESHOLD,
                  min_overlap: int = MIN_OVERLAP) -> list[SimilarPair]:
    """Pairs of submissions of one assignment scoring at least `threshold`, most similar
    first. Each submission is a mapping with `student`, `assignment`, `data` (the
    notebook's bytes), `source` and `release` (the assignment's solution and released
    notebooks): a grading run's work units are such mappings."""
    by_assignment: dict[str, list[Mapping]] = {}
    for sub in submissions:
        if sub.get("data"):
            by_assignment.setdefault(sub["assignment"], []).append(sub)
    pairs: list[SimilarPair] = []
    for assignment, subs in by_assignment.items():
        common = boilerplate(subs[0]["source"], subs[0]["release"])
        prints = []
        for sub in sorted(subs, key=lambda s: s["student"]):
            # only the course's answer cells: a cell a student added or marked is not read
            cells = answer_cells(sub["data"], ids=common)
            prints.append((sub["student"], {gid: _fingerprint(text, common[gid])
                                            for gid, text in cells.items()}))
        for (s1, f1), (s2, f2) in combinations(prints, 2):
            score, shared, per = _compare(f1, f2)
            if score >= threshold and shared >= max(min_overlap, 1):
                pairs.append(SimilarPair(assignment, s1, s2, round(score, 3), shared,
                                         tuple((g, round(s, 3)) for g, s in per)))
    return sorted(pairs, key=lambda p: (-p.score, -p.shared, p.assignment, p.first, p.second))


def class_submissions(folder, root) -> list[dict]:
    """The submissions in `folder` (as `betternets grade` finds them) as mappings for
    `similar_pairs`, with course `root`'s solution and released notebooks; an unreadable
    file is left out (grading reports it)."""
    from .submissions import find, read_notebook
    subs, _ = find(folder, root.notebooks())
    texts: dict[str, tuple[str, str]] = {}
    found = []
    for sub in subs:
        if sub.assignment not in texts:
            texts[sub.assignment] = ((root.solutions / f"{sub.assignment}.ipynb").read_text(),
                                     (root.lectures / f"{sub.assignment}.ipynb").read_text())
        try:
            data = read_notebook(sub.path)
        except OSError:
            continue
        source, release = texts[sub.assignment]
        found.append({"student": sub.student, "assignment": sub.assignment, "data": data,
                      "source": source, "release": release})
    return found


CSV_FIELDS = ("assignment", "first", "second", "score", "shared", "exercises")


def pairs_csv(pairs: Iterable[SimilarPair]) -> bytes:
    """The pairs as CSV, one line each, student names spreadsheet-safe (`rows.csv_text`)."""
    import csv

    from .rows import csv_text
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(CSV_FIELDS)
    for p in pairs:
        writer.writerow([csv_text(p.assignment), csv_text(p.first), csv_text(p.second),
                         f"{p.score:.3f}", p.shared,
                         csv_text(" ".join(f"{g}:{s:.2f}" for g, s in p.exercises))])
    return buf.getvalue().encode("utf-8")
