"""What students see from `check("name")` and `check_all()`, and what they never see.

- a failure says what differs and how to fix it, and names a known mistake;
- a correct answer prints only ticks; an untouched stub says "not implemented yet";
- `check_all()` sums the notebook up;
- nothing a student gets (lectures/, the betternets package) holds a hidden
  check, the reference, or an import of the grader.
"""
from __future__ import annotations

import contextlib
import inspect
import io
import re
from pathlib import Path

import numpy as np
import pytest

import catalog
from betternets.checks import VISIBLE, check, check_all, load_visible_checks
from betternets.checks.core import ChecksFailed
from betternets_grader import HIDDEN, answers, load_hidden_checks, reference
from checkout import LECTURES, SOLUTIONS

from checkout import REPO
PACKAGE = REPO / "src" / "betternets"
load_visible_checks()
load_hidden_checks()
MODULES = list(catalog.modules())
WRONG = [(m.NOTEBOOK, e) for m in MODULES for e in m.ENTRIES if not e.correct]
HINTED = [(n, e) for n, e in WRONG if e.hint]
TICK, CROSS = "\u2713", "\u2717"


def namespace(notebook: str, replacement: dict | None = None, folder: Path = SOLUTIONS) -> dict:
    return answers.build_namespace(answers.load(folder / f"{notebook}.ipynb"), replacement or {})


def run_check(name: str, ns: dict) -> tuple[str, str | None]:
    """What check(name) prints, and the cell's failure summary (None if it passed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            check(name, namespace=ns)
        except ChecksFailed as exc:
            return out.getvalue(), exc.summary
    return out.getvalue(), None


@pytest.mark.parametrize("notebook,entry", HINTED, ids=[f"{n}:{e.id}" for n, e in HINTED])
def test_a_known_mistake_is_named_in_the_output_and_the_summary(notebook, entry):
    text, summary = run_check(entry.exercise, namespace(notebook, {entry.exercise: entry.source}))
    if summary is None:  # the self-check misses it: then the hidden checks must catch it
        scores = answers.grade_in_process(SOLUTIONS / f"{notebook}.ipynb",
                                          {entry.exercise: entry.source}, only={entry.exercise})
        assert any(s.score < s.max_score for s in scores.values())
        return
    assert f"This looks like {entry.hint}:" in text
    assert summary.endswith(entry.hint) or f"this looks like {entry.hint}" in summary


@pytest.mark.parametrize("notebook,entry", WRONG, ids=[f"{n}:{e.id}" for n, e in WRONG])
def test_every_failure_line_says_what_differs(notebook, entry):
    text, summary = run_check(entry.exercise, namespace(notebook, {entry.exercise: entry.source}))
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(CROSS):
            assert i + 1 < len(lines) and lines[i + 1].startswith("    ") and lines[i + 1].strip(), \
                f"no explanation under {line!r}"
    if summary is not None:
        assert summary.startswith(f"{entry.exercise}: ") and "checks failed; first: " in summary
        assert CROSS in text


@pytest.mark.parametrize("notebook", sorted({m.NOTEBOOK for m in MODULES}))
def test_a_correct_notebook_gets_ticks_only(notebook):
    ns = namespace(notebook)
    for exercise in answers.answer_sources(answers.load(SOLUTIONS / f"{notebook}.ipynb")):
        if exercise not in VISIBLE.exercises():
            continue
        text, summary = run_check(exercise, ns)
        assert summary is None and CROSS not in text and "This looks like" not in text
        assert all(line.startswith(TICK) for line in text.splitlines())
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check_all(namespace=ns)
    last = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"(\d+) of \1 exercises pass every self-check.*", last), last


# Hints aimed at the mistake (issue 16): the catalog's wrong answer gets the words that name what
# it did wrong, and not the words of a hint meant for another mistake. (Correct answers and the
# solutions print ticks only: test_a_correct_notebook_gets_ticks_only and
# test_correct_variant_gets_no_hint in test_hints.py.)
AIMED = [
    ("04_first_order_optimizers", "adam_update", "eps inside the root",
     "eps is inside the square root", "step counter"),
    ("04_first_order_optimizers", "momentum_update", "state not carried",
     "default beta not judged yet: the update itself fails", "the signature is"),
    ("04_first_order_optimizers", "momentum_update", "friction beta instead of 1 - beta",
     "those of beta = 0.1 = 1 - 0.9", "the signature is"),
    ("04_first_order_optimizers", "delta_bar_delta_update", "bar updated before the comparison",
     "the defaults not judged yet", "lr0=0.01, kappa=1e-3"),
    ("04_first_order_optimizers", "sgd_update", "updates w in place",
     "w_new = w - ..., instead of changing w itself", "v = beta * v"),
    ("04_first_order_optimizers", "rmsprop_update", "eps outside the root",
     "about 3.3 times at |g| = 1e-3", "about 30 times too large"),
    ("03_generalization", "shakeout_weights", "a switch per weight",
     "one switch per input unit (row of W)", "yours 1, expected -5"),
    ("02_initialization", "pretrain_autoencoder_layer", "only the decoder is trained",
     "is 100% of the untrained start's", "expected at most"),
]


@pytest.mark.parametrize("notebook,exercise,label,words,not_words", AIMED,
                         ids=[f"{a[1]}-{a[2].replace(' ', '_')}" for a in AIMED])
def test_a_hint_is_aimed_at_the_mistake(notebook, exercise, label, words, not_words):
    entry = next(e for m in MODULES if m.NOTEBOOK == notebook for e in m.ENTRIES
                 if e.exercise == exercise and e.label == label and not e.correct)
    text, summary = run_check(exercise, namespace(notebook, {exercise: entry.source}))
    assert summary is not None and words in text, text
    assert not_words not in text, text
    right = [e for m in MODULES if m.NOTEBOOK == notebook for e in m.ENTRIES
             if e.exercise == exercise and e.correct]
    for source in [None] + [e.source for e in right]:  # the solution, then each correct variant
        text, summary = run_check(exercise, namespace(notebook, {exercise: source} if source else {}))
        assert summary is None and words not in text, text


UNTOUCHED = [(m.NOTEBOOK, ex) for m in MODULES
             for ex in answers.answer_sources(answers.load(LECTURES / f"{m.NOTEBOOK}.ipynb"))
             if ex in VISIBLE.exercises()]


@pytest.mark.parametrize("notebook,exercise", UNTOUCHED, ids=[f"{n}:{e}" for n, e in UNTOUCHED])
def test_an_untouched_stub_says_not_implemented_once_and_names_nothing(notebook, exercise):
    text, summary = run_check(exercise, namespace(notebook, folder=LECTURES))
    assert text.splitlines()[0] == f"{CROSS} {exercise}: not implemented yet", text
    assert text.count("not implemented") == 1, text  # one line, not one per property
    assert "Hint: replace the `raise NotImplementedError" in text
    assert summary == f"{exercise}: not implemented yet"
    assert "This looks like" not in text


@pytest.mark.parametrize("notebook", sorted({m.NOTEBOOK for m in MODULES}))
def test_check_all_gives_an_untouched_notebook_one_line_per_exercise(notebook):
    ns = namespace(notebook, folder=LECTURES)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check_all(namespace=ns)
    lines = out.getvalue().strip().splitlines()
    defined = [ex for ex in VISIBLE.exercises() if callable(ns.get(ex))]
    assert lines[:-1] == [f"{CROSS} {ex}: not implemented yet" for ex in defined]
    assert lines[-1].startswith(f"0 of {len(defined)} exercises pass")


def test_check_all_sums_up_a_half_done_notebook():
    notebook, entry = HINTED[0]
    ns = namespace(notebook, {entry.exercise: entry.source})
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check_all(namespace=ns)
    text = out.getvalue()
    n_props = len(VISIBLE.properties(entry.exercise))
    assert re.search(rf"^{CROSS} {entry.exercise}: (\d+ of {n_props} checks pass(es)?|none of "
                     rf"its {n_props} checks passes|its one check fails)$", text, re.M) or \
        re.search(rf"^{TICK} {entry.exercise}: ", text, re.M)
    n_ok, n_all = map(int, re.search(r"^(\d+) of (\d+) exercises pass", text, re.M).groups())
    assert n_all == sum(1 for ex in VISIBLE.exercises() if callable(ns.get(ex)))
    assert n_ok <= n_all


def test_checks_passed_in_plain_words():
    from betternets.checks import checks_passed
    assert checks_passed(1, 1) == "its one check passes"
    assert checks_passed(3, 3) == "all 3 checks pass"
    assert checks_passed(2, 3) == "2 of 3 checks pass"
    assert checks_passed(1, 3) == "1 of 3 checks passes"
    assert checks_passed(0, 2) == "none of its 2 checks passes"
    assert checks_passed(0, 1) == "its one check fails"


def test_a_symmetry_check_names_both_values_as_the_students_own():
    """sigmoid(-z) = 1 - sigmoid(z) compares two values of the student's sigmoid: the message
    calls them that, never "expected"."""
    ns = {"np": np}
    exec("def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float) + 0.3))",
         ns)
    from betternets.checks.calls import namespace_caller
    from betternets.checks.core import evaluate
    prop = next(p for p in VISIBLE.properties("sigmoid") if p.name == "symmetry")
    result = evaluate(prop, namespace_caller(ns))
    assert not result.passed
    assert "your sigmoid(-z)" in result.message and "your 1 - sigmoid(z)" in result.message
    assert "expected" not in result.message


# --------------------------------------------------------------------------- no leaks

GRADER_IMPORT = re.compile(r"^\s*(from|import)\s+betternets_grader\b", re.M)


def test_student_package_never_imports_the_grader():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        if path.name == "cli.py":  # instructor commands, each behind the _instructor() guard
            for match in GRADER_IMPORT.finditer(text):
                before = text[:match.start()]
                body = before[before.rfind("\ndef "):]
                assert "_instructor()" in body or "def _instructor" in body, \
                    f"cli.py imports the grader outside an instructor command: {match.group(0)!r}"
            continue
        assert not GRADER_IMPORT.search(text), f"{path.relative_to(REPO)} imports betternets_grader"
        assert "betternets_grader" not in text, f"{path.relative_to(REPO)} names betternets_grader"
    assert not (PACKAGE / "reference").exists() and not (PACKAGE / "hidden").exists()


CONVERSION = re.compile(r"[\w\s,]+=\s*(np\.(asarray|array)\([^()]*\)(,\s*)?)+")  # x = np.asarray(x)


def _distinctive(texts) -> list[str]:
    """Lines of the grader's code long and specific enough that a copy would be no accident."""
    lines = set()
    for text in texts:
        for line in text.splitlines():
            line = line.strip()
            if len(line) >= 50 and not line.startswith(("#", '"', "'", "@", "def ", "from ",
                                                          "import ", "raise ", "hint=")) \
                    and not CONVERSION.fullmatch(line):
                lines.add(line)
    return sorted(lines)


def _reference_sources() -> list[str]:
    """The source of every exercise's reference, found through the registry."""
    return [inspect.getsource(reference(ex)) for ex in HIDDEN.exercises()]


def test_lectures_hold_no_hidden_check_and_nothing_holds_the_reference():
    reference = _distinctive(_reference_sources())
    hidden = _distinctive(p.read_text() for p in
                          (REPO / "autograder" / "betternets_grader" / "hidden").glob("ex*.py"))
    assert reference and hidden, "no reference or hidden checks found"
    for path in LECTURES.glob("*.ipynb"):
        text = path.read_text()
        assert "check_hidden" not in text and "BEGIN HIDDEN TESTS" not in text
        leaked = [line for line in reference + hidden if line in text]
        assert not leaked, f"{path.relative_to(REPO)} repeats grader code: {leaked[:2]}"
    # the self-checks (the toolkit, e.g. gradcheck.py, is course material by design)
    for path in (PACKAGE / "checks").rglob("*.py"):
        leaked = [line for line in reference if line in path.read_text()]
        assert not leaked, f"{path.relative_to(REPO)} repeats the reference: {leaked[:2]}"
