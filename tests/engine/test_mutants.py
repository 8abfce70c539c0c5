"""`betternets-grader mutants`: the mutator, the allowlists, and the score in CI.

The sample test grades a fixed sample of mutants of every notebook through the real
engine (sandboxed kernels, fresh cache) and fails if one that is not a reviewed
equivalent keeps full marks; the full run is benchmarks/mutation_score.py.
"""
from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from betternets_grader import mutants
from checkout import COURSE

from checkout import REPO
NOTEBOOKS = COURSE.assignments()
SAMPLE = 6     # mutants per notebook in CI: 36 in all

CELL = '''def f(x, w):
    """doc"""
    ### BEGIN SOLUTION
    x = np.asarray(x)
    if x.max() > 0:
        y = -x * 2.5 + w
    return np.mean(y) < 1
    ### END SOLUTION
'''


def test_every_operator_class_makes_one_point_mutants_of_the_region_only():
    found = mutants.mutants_of("f", CELL)
    ops = {m.operator for m in found}
    assert ops == {"arith", "compare", "constant", "call", "delete", "negate", "scale"}
    for m in found:
        ast.parse(m.source)
        changed = [l for l in m.diff.splitlines() if l[:1] in "+-" and l[:3] not in ("+++", "---")]
        assert len(changed) == 2, m.diff           # one line out, one line in
        assert m.source.split("### BEGIN")[0] == CELL.split("### BEGIN")[0]   # signature, doc
    replacements = {(m.operator, m.replacement) for m in found}
    assert ("call", "return np.sum(y) < 1") in replacements
    assert ("compare", "return np.mean(y) <= 1") in replacements
    assert ("constant", "y = -x * 3.75 + w") in replacements
    assert ("arith", "y = -x * 2.5 - w") in replacements
    assert ("negate", "y = x * 2.5 + w") in replacements
    assert ("delete", "pass") in replacements
    assert len({m.key for m in found}) == len(found)   # stable, distinct keys


CONTRACT_CELL = '''def g(x, rng, p):
    """doc"""
    ### BEGIN SOLUTION
    if p < 0 or p >= 1:
        raise ValueError("p must lie in [0, 1)")
    x = np.array(x, dtype=float)
    for i in range(len(x)):
        x = x + rng.normal() * 1e-4
    return x.copy()
    ### END SOLUTION
'''


def test_the_contract_operators_make_the_six_ways_of_breaking_the_shared_rules():
    """float64 made float32 or int, a copy dropped or an update made in place, np.random or a
    generator of one's own for the rng, a loop skipping its first or last item, a check of
    the arguments dropped, a constant ten times off."""
    found = {(m.operator, m.replacement) for m in mutants.mutants_of("g", CONTRACT_CELL)}
    expected = {
        ("dtype", "x = np.array(x, dtype=np.float32)"), ("dtype", "x = np.array(x, dtype=int)"),
        ("alias", "x = np.asarray(x, dtype=float)"), ("alias", "return x"),
        ("alias", "x += rng.normal() * 1e-4"),
        ("rng", "x = x + np.random.normal() * 1e-4"),
        ("rng", "x = x + np.random.default_rng(0).normal() * 1e-4"),
        ("range", "for i in range(1, len(x)):"), ("range", "for i in range(len(x) - 1):"),
        ("validate", "pass"), ("validate", "if p >= 1:"), ("validate", "if p < 0:"),
        ("scale", "x = x + rng.normal() * 0.001"), ("scale", "x = x + rng.normal() * 1e-05"),
    }
    assert expected <= found, sorted(expected - found)
    for m in mutants.mutants_of("g", CONTRACT_CELL):
        ast.parse(m.source)


def test_batches_never_pair_an_exercise_with_one_it_calls():
    ms = [mutants.Mutant(ex, "delete", str(i), "pass", "", "") for i, ex in
          enumerate(["a", "a", "b", "c", "c", "b"])]
    groups = mutants.batches(ms, {"b": {"a"}, "a": set(), "c": set()})
    for g in groups:
        exs = [m.exercise for m in g]
        assert len(exs) == len(set(exs)) and not {"a", "b"} <= set(exs)
    assert sorted(m.key for g in groups for m in g) == sorted(m.key for m in ms)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_allowlist_names_only_current_mutants_each_with_a_reason(name):
    keys = {m.key for m in mutants.notebook_mutants(COURSE, name)}
    allowed = mutants.allowlist(name)      # raises on a line without a reason
    assert set(allowed) <= keys, sorted(set(allowed) - keys)


def test_a_fixed_sample_of_every_notebook_has_no_survivor(tmp_path):
    """The CI score: a sample of mutants of every notebook graded by the real engine."""
    verdicts = {name: mutants.run(COURSE, name, jobs=1, cache=tmp_path, sample=SAMPLE, progress=False)
                for name in NOTEBOOKS}
    assert all(len(v) == SAMPLE for v in verdicts.values())
    assert any(v.outcome == "killed" for vs in verdicts.values() for v in vs)
    survivors = [f"{n}: {v.diff}" for n, vs in verdicts.items() for v in vs if v.outcome == "survived"]
    assert survivors == []
    # a second run grades nothing: every verdict comes from the cache
    again = mutants.run(COURSE, NOTEBOOKS[0], jobs=1, cache=tmp_path, sample=SAMPLE, progress=False)
    assert [v.outcome for v in again] == [v.outcome for v in verdicts[NOTEBOOKS[0]]]


def test_a_surviving_mutant_fails_the_command_with_its_diff(tmp_path, monkeypatch, capsys):
    """Without the allowlist, relative_error's deleted np.asarray conversions (equivalent:
    the checks pass arrays) survive, and the command says so and exits with status 1."""
    deletions = [m for m in mutants.notebook_mutants(COURSE, "00_gradient_checking", "relative_error")
                 if m.operator == "delete"]
    monkeypatch.setattr(mutants, "notebook_mutants", lambda root, notebook, exercise=None: deletions)
    monkeypatch.setattr(mutants, "EQUIVALENT", tmp_path / "none")
    code = mutants.main([str(COURSE.solutions / "00_gradient_checking.ipynb"), "--cache",
                         str(tmp_path), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 1
    assert "SURVIVED relative_error [delete]" in out and "-    a = np.asarray(a, dtype=float)" in out
    assert "relative_error\tdelete\ta = np.asarray(a, dtype=float)\tpass\t<reason>" in out


def test_the_command_and_the_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "betternets_grader.cli", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "mutants NOTEBOOK" in out
    out = subprocess.run([sys.executable, "-m", "betternets_grader.mutants", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "--jobs" in out and "--exercise" in out


def test_benchmark_smoke_mode():
    run = subprocess.run([sys.executable, str(REPO / "benchmarks" / "mutation_score.py"),
                          "--smoke", "--jobs", "1"], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["notebook", "mutants", "killed", "equivalent", "survived"]
    assert lines[1].split()[:2] == ["00_gradient_checking", "3"]
    assert lines[-1].startswith("wall time")
