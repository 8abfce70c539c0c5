"""The check library itself: the call interface, verdicts, messages and tolerances."""
import numpy as np
import pytest
from scipy import stats as sps

from betternets.checks import calls, check, core, expect, stats
from betternets.checks.calls import Answer, Fn, Rng, namespace_caller
from betternets.checks.status import Status


def test_tokens_resolve_where_the_call_runs():
    seen = {}

    def probe(rng, fn, answer):
        seen["rng"], seen["fn"], seen["answer"] = rng, fn, answer
        return rng.normal()

    ns = {"probe": probe, "helper": abs}
    value = namespace_caller(ns)("probe", Rng(3), Fn("numpy:tanh"), Answer("helper"))
    assert value == np.random.default_rng(3).normal()
    assert seen["fn"] is np.tanh and seen["answer"] is abs


def test_record_sees_mutation_warnings_and_global_rng():
    def sloppy(x, rng):
        x[0] = 99.0
        np.random.rand()
        return np.exp(np.array([1000.0]))

    rec = namespace_caller({"sloppy": sloppy}).record("sloppy", np.zeros(3), Rng(0))
    assert rec.mutated == ["argument 1"]
    assert rec.global_rng_used
    assert any("overflow" in w for w in rec.warnings)


def test_global_rng_is_watched_only_in_calls_handed_an_rng():
    def draws(x, rng=None):
        np.random.rand()
        return x

    call = namespace_caller({"draws": draws})
    assert call.record("draws", 1.0, rng=Rng(1)).global_rng_used
    assert not call.record("draws", 1.0).global_rng_used
    with pytest.raises(TypeError, match="needs an Rng"):
        expect.no_global_rng(call, "draws", 1.0)


def test_clean_function_has_a_clean_record():
    rec = namespace_caller({"f": lambda x, rng: x * rng.normal()}).record("f", np.ones(2), Rng(0))
    assert rec.mutated == [] and rec.warnings == [] and not rec.global_rng_used


def test_record_names_what_of_the_value_is_an_argument():
    """Identity and views are seen where the call runs: the value itself, a view of it, an
    item of a returned list, and a state dict handed back; a new dict holding the input
    state's arrays is a new dict."""
    ns = {"same": lambda x: x, "view": lambda x: x[1:], "new": lambda x: x + 0,
          "items": lambda grads: (grads, 1.0), "first": lambda grads: ([grads[0] * 2, grads[1]], 1),
          "state": lambda w, state: (w - 1, state), "fresh": lambda w, state: (w - 1, dict(state))}
    call = namespace_caller(ns)
    x, grads, state = np.arange(4.0), [np.ones(2), np.zeros(3)], {"v": np.ones(2)}
    assert call.record("same", x).aliased == ["the value is argument 1"]
    assert call.record("view", x).aliased == ["the value shares memory with argument 1"]
    assert call.record("new", x).aliased == []
    assert call.record("items", grads).aliased == ["the value[0] is argument 1"]
    assert call.record("first", grads).aliased == ["the value[0][1] is argument 1[1]"]
    assert call.record("state", x, state).aliased == ["the value[1] is argument 2"]
    assert call.record("fresh", x, state).aliased == []
    with pytest.raises(core.CheckFailed, match="handed back its input"):
        expect.pure(call, "same", x)
    with pytest.raises(core.CheckFailed, match="returned None"):
        expect.pure(namespace_caller({"nothing": lambda x: None}), "nothing", x)


def test_student_errors_are_classified():
    def stub(x):
        raise NotImplementedError("Exercise 01.1: implement f")

    def buggy(x):
        return x.nope

    call = namespace_caller({"stub": stub, "buggy": buggy})
    with pytest.raises(calls.NotImplementedYet):
        call("stub", 1)
    with pytest.raises(calls.StudentError) as info:
        call("buggy", 1)
    assert info.value.kind == "AttributeError"
    with pytest.raises(calls.MissingAnswer):
        call("absent", 1)


def test_evaluate_reports_each_kind_in_plain_words():
    prop = core.Property("f", "values", "f doubles", lambda call: expect.close(
        call("f", np.arange(3.0)), 2 * np.arange(3.0), "f(x)"))
    good = core.evaluate(prop, namespace_caller({"f": lambda x: 2 * x}))
    off = core.evaluate(prop, namespace_caller({"f": lambda x: 2 * x + (x == 2)}))
    stub = core.evaluate(prop, namespace_caller({"f": lambda x: (_ for _ in ()).throw(
        NotImplementedError())}))
    missing = core.evaluate(prop, namespace_caller({}))
    assert good.passed
    assert off.status == Status.FAILED and "index (2,)" in off.message and "yours 5" in off.message
    assert stub.status == Status.FAILED and "not implemented yet" in stub.message
    assert (missing.status, missing.missing_name) == (Status.MISSING, "f")


def test_check_prints_one_line_per_property_and_fails_the_cell(capsys):
    def relative_error(a, b):
        return float(np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))

    with pytest.raises(core.ChecksFailed) as info:
        check("relative_error", {"relative_error": relative_error})
    out = capsys.readouterr().out
    assert out.count("\u2713") + out.count("\u2717") == 3
    assert "\u2717 relative_error" in out and "Hint:" in out
    assert "checks failed" in str(info.value)
    assert info.value._render_traceback_()[0].startswith("ChecksFailed")


def test_close_reports_shape_and_nan():
    with pytest.raises(core.CheckFailed, match="shape"):
        expect.close(np.zeros(3), np.zeros((3, 1)), "x")
    with pytest.raises(core.CheckFailed, match="NaN"):
        expect.close(np.array([np.nan]), np.array([1.0]), "x")
    expect.close(np.array([np.nan]), np.array([np.nan]), "x")


def test_raises_value_error_needs_the_argument_named():
    def validates(p):
        if p < 0:
            raise ValueError("p must be >= 0")

    def silent(p):
        return p

    expect.raises_value_error(namespace_caller({"f": validates}), "f", -1, mentions="p")
    with pytest.raises(core.CheckFailed):
        expect.raises_value_error(namespace_caller({"f": silent}), "f", -1)


def test_mean_tolerance_is_the_normal_quantile():
    z = stats.z_value(1e-7)
    assert sps.norm.sf(z) * 2 == pytest.approx(1e-7, rel=1e-6)


def test_statistical_checks_accept_truth_and_reject_common_mistakes():
    rng = np.random.default_rng(7)
    x = rng.normal(0.0, 2.0, size=100_000)
    stats.check_mean(x, 0.0, 2.0, "x")
    stats.check_variance(x, 4.0, "x")
    stats.check_normal(x, 0.0, 2.0, "x")
    with pytest.raises(core.CheckFailed):
        stats.check_variance(x, 2.0, "x")  # std given where a variance was meant
    u = rng.uniform(-0.5, 0.5, size=50_000)
    stats.check_uniform(u, -0.5, 0.5, "u")
    with pytest.raises(core.CheckFailed):
        stats.check_uniform(u * 0.9, -0.5, 0.5, "u")
    stats.check_fraction(int((u > 0.3).sum()), u.size, 0.2, "tail")
    with pytest.raises(core.CheckFailed):
        stats.check_fraction(int((u > 0.3).sum()), u.size, 0.21, "tail")


def test_false_failure_rate_of_mean_check_is_as_designed():
    """At p_fail = 0.05 the check must fail about 5% of correct samples (so 1e-7 means 1e-7)."""
    rng = np.random.default_rng(11)
    fails = 0
    for _ in range(2000):
        try:
            stats.check_mean(rng.normal(size=50), 0.0, 1.0, "x", p_fail=0.05)
        except core.CheckFailed:
            fails += 1
    # Binomial(2000, 0.05): mean 100, sd 9.7; 6 sd either side.
    assert 40 < fails < 160
